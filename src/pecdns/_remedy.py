"""The remedy: zone-file text that would fix what the findings name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pecdns._models import Outcome

if TYPE_CHECKING:
    from pecdns._models import Finding, Observation
    from pecdns._policy import Policy

__all__ = ["remedy"]

# Findings fixed by giving the PEC name exactly the policy's MX record.
_PEC_MX = frozenset(
    {
        "PEC_NAME_NXDOMAIN",
        "PEC_NAME_ALIAS",
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


def remedy(obs: Observation, findings: tuple[Finding, ...], policy: Policy) -> str | None:
    """Return the zone-file text that fixes the findings, or ``None`` if no zone edit does.

    Records to add are zone-file lines; records to delete follow as comments
    (a zone file cannot say "delete"), so the text can be pasted as it is.
    """
    codes = {f.code for f in findings}
    pec, apex = obs.pec_name, f"{obs.domain.name}."
    lines: list[str] = []
    if codes & _PEC_MX:
        lines += [
            f"; {pec} must have exactly this MX record (P4.2, P6.2):",
            policy.mx_line(obs.domain),
        ]
        stale = [f"{pec} IN CNAME {obs.pec_mx.aliases[0]}"] if obs.pec_mx.aliases else []
        if obs.pec_mx.outcome is Outcome.ANSWER and not obs.pec_mx.aliases:
            stale += [f"{pec} IN MX {r}" for r in obs.pec_mx.mx if r != policy.mx]
        if stale:
            lines += [
                "; and must not have these records (delete them):",
                *(f"; {s}" for s in stale),
            ]
    if "MX_AT_REGISTRABLE" in codes:
        lines += [f"; delete from {apex} (P5: the PEC MX belongs at the third level only):"]  # noqa: S608 -- zone text, not SQL
        lines += [f"; {apex} IN MX {r}" for r in obs.domain_mx.mx if r.exchange == policy.mx_host]
    if "DOMAIN_MX_HYBRID" in codes:
        lines += [
            (
                f"; {apex} must point its MX either to the provider's mail servers only"
                " or to other mail servers only (P9)."
            )
        ]
    return "\n".join(lines) if lines else None
