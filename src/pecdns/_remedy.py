"""The remedy: zone-file text that would fix what the findings name, in English or Italian."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from pecdns._codes import check_lang
from pecdns._models import Outcome

if TYPE_CHECKING:
    from pecdns._models import Finding, Observation
    from pecdns._policy import Policy

__all__ = ["remedy", "translate"]

# Findings fixed by giving the PEC name exactly the policy's MX record.
_PEC_MX = frozenset(
    {
        "PEC_NAME_NXDOMAIN",
        "PEC_NAME_ALIAS",
        "PEC_NAME_DNAME",
        "MX_MISSING",
        "MX_NULL",
        "MX_WRONG_HOST",
        "MX_EXTRA_HOST",
        "MX_WRONG_PREFERENCE",
        "MX_TRAILING_DOT",
        "MX_HYBRID",
        "MX_TARGET_IP_LITERAL",
    }
)

# Every finding the remedy has a fix for: the PEC name's MX, P5 and P9 at the apex.
_FIXED = _PEC_MX | {"MX_AT_REGISTRABLE", "DOMAIN_MX_HYBRID"}

# The comment lines of a remedy, per language; records themselves are zone data.
_COMMENTS = {
    "dname": {
        "en": "; {name} has a DNAME record, which redirects every name below it, so {pec} cannot"
        " have records of its own while it is there (RFC 6672); delete it (or move it) first:",
        "it": "; {name} ha un record DNAME, che reindirizza tutti i nomi sotto di esso, quindi"
        " {pec} non può avere record propri finché è presente (RFC 6672); eliminarlo (o"
        " spostarlo) prima:",
    },
    "required": {
        "en": "; {name} must have exactly this MX record (P4.2, P6.2):",
        "it": "; {name} deve avere esattamente questo record MX (P4.2, P6.2):",
    },
    "delete": {
        "en": "; and must not have these records (delete them):",
        "it": "; e non deve avere questi record (eliminarli):",
    },
    "third_level": {
        "en": "; delete from {name} (P5: the PEC MX belongs at the third level only):",
        "it": "; eliminare da {name} (P5: il record MX della PEC va solo sul sottodominio PEC):",
    },
    "hybrid": {
        "en": "; {name} must point its MX either to the provider's mail servers only"
        " or to other mail servers only (P9).",
        "it": "; i record MX di {name} devono puntare o solo ai Mail Server del gestore"
        " PEC o solo ad altri Mail Server (P9).",
    },
}


def remedy(
    obs: Observation, findings: tuple[Finding, ...], policy: Policy, lang: str = "en"
) -> str | None:
    """Return the zone-file text that fixes the findings, or ``None`` if no zone edit does.

    Records to add are zone-file lines; records to delete follow as comments
    (a zone file cannot say "delete"), so the text can be pasted as it is.
    """
    check_lang(lang)
    codes = {f.code for f in findings}
    if not (codes & _FIXED):  # the common case: nothing a zone edit fixes
        return None
    comment = {kind: text[lang] for kind, text in _COMMENTS.items()}
    pec, apex = obs.pec_name, f"{obs.domain.name}."
    lines: list[str] = []
    if codes & _PEC_MX:
        # A DNAME above the PEC name goes first: below it, the PEC name can hold no MX.
        redirect = obs.pec_mx.redirected_by if "PEC_NAME_DNAME" in codes else None
        if redirect is not None:
            owner, target = redirect
            lines += [comment["dname"].format(name=owner, pec=pec), f"; {owner} IN DNAME {target}"]
        lines += [comment["required"].format(name=pec), policy.mx_line(obs.domain)]
        cname = obs.pec_mx.aliases and redirect is None
        stale = [f"{pec} IN CNAME {obs.pec_mx.aliases[0]}"] if cname else []
        if obs.pec_mx.outcome is Outcome.ANSWER and not obs.pec_mx.aliases:
            stale += [f"{pec} IN MX {r}" for r in obs.pec_mx.mx if r != policy.mx]
        if stale:
            lines += [comment["delete"], *(f"; {s}" for s in stale)]
    if "MX_AT_REGISTRABLE" in codes:
        lines += [comment["third_level"].format(name=apex)]
        lines += [f"; {apex} IN MX {r}" for r in obs.domain_mx.mx if r.exchange == policy.mx_host]
    if "DOMAIN_MX_HYBRID" in codes:
        lines += [comment["hybrid"].format(name=apex)]
    return "\n".join(lines)


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each comment template, in every language, as a pattern naming its fields (``{name}``...)."""
    found = []
    for kind, texts in _COMMENTS.items():
        for text in texts.values():
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>\\S+)", re.escape(text))
            found.append((re.compile(pattern), kind))
    return tuple(found)


def translate(text: str | None, lang: str) -> str | None:
    """A remedy with its comment lines in ``lang``; the records stay as they are.

    >>> print(translate("; and must not have these records (delete them):", "it"))
    ; e non deve avere questi record (eliminarli):
    """
    if text is None:
        return None
    check_lang(lang)
    lines = []
    for line in text.splitlines():
        for pattern, kind in _patterns():
            match = pattern.fullmatch(line)
            if match:
                line = _COMMENTS[kind][lang].format_map(match.groupdict())  # noqa: PLW2901 -- translated
                break
        lines.append(line)
    return "\n".join(lines)
