"""Results as text for a terminal: verdict, findings with clause and fix, zone lines.

Every string shown comes from the models, where DNS data is already
canonical, escaped text; it goes through :func:`pecdns._models.safe_text`
once more all the same, so no control character (an ANSI escape included)
from anywhere reaches the terminal. Colour is added here, and only here.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from attrs import frozen

from pecdns._batch import InvalidInput
from pecdns._models import Severity, Verdict, safe_text
from pecdns._present import breaches_line, in_language, label, remedy_in, verdict_label

if TYPE_CHECKING:
    from pecdns._models import Finding
    from pecdns._present import Result

__all__ = ["Style", "render_text"]

_RESET = "\033[0m"
_CODES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "cyan": "36",
}
_VERDICT_STYLE = {
    Verdict.COMPLIANT: ("bold", "green"),
    Verdict.NON_COMPLIANT: ("bold", "red"),
    Verdict.UNDETERMINED: ("bold", "yellow"),
}
_SEVERITY_STYLE = {
    Severity.ERROR: ("bold", "red"),
    Severity.WARNING: ("bold", "yellow"),
    Severity.INFO: ("cyan",),
}


@frozen
class Style:
    """How to write text: with ANSI colour or not, wrapped to a width or not."""

    colour: bool = False
    width: int | None = None

    def paint(self, text: str, *styles: str) -> str:
        """``text`` in the given styles (``"bold"``, ``"red"``...), if colour is on."""
        if not self.colour or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\033[{codes}m{text}{_RESET}"

    def wrap(self, text: str, indent: str) -> list[str]:
        """``text`` as lines under ``indent``, wrapped only if a width is set."""
        if self.width is None:
            return [indent + text]
        return textwrap.wrap(
            text,
            width=max(self.width, len(indent) + 20),
            initial_indent=indent,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [indent]


def _finding(finding: Finding, lang: str, style: Style, *, verbose: bool) -> list[str]:
    severity = label(finding.severity.name, lang)
    clause = f" [{safe_text(finding.clause)}]" if finding.clause else ""
    head = f"  {style.paint(f'{severity:<7}', *_SEVERITY_STYLE[finding.severity])} "
    lines = [head + style.paint(safe_text(finding.code), "bold") + clause]
    indent = " " * 10
    lines += style.wrap(safe_text(finding.message), indent)
    if finding.fix:
        lines += style.wrap(f"{label('fix', lang)}: {safe_text(finding.fix)}", indent)
    if verbose:
        for answer in finding.evidence:
            detail = f" ({answer.detail})" if answer.detail else ""
            text = f"{label('evidence', lang)}: {safe_text(str(answer))}{safe_text(detail)}"
            lines += [style.paint(line, "dim") for line in style.wrap(text, indent)]
    return lines


def render_text(
    result: Result, *, lang: str | None = None, style: Style | None = None, verbose: bool = False
) -> str:
    """One result as readable text: a heading with the verdict, findings, zone lines.

    Args:
        result: a report, or an invalid input of a batch.
        lang: the language of messages and labels; ``None`` keeps the result's own.
        style: colour and width; plain, unwrapped text when ``None``.
        verbose: also show each finding's evidence (the DNS answers).

    >>> from pecdns import check
    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> print(render_text(check("example.it", resolver=fake), lang="it"))
    pec.example.it (example.it): CONFORME
      INFO    MX_OK [P6.2]
              pec.example.it ha esattamente il record MX richiesto (pec.example.it. MX 10 mx.pec.aruba.it.).
      INFO    SETUP_UNKNOWN [P4]
              Non è stato possibile leggere i Name Server di example.it (NODATA): non si sa se il dominio usa i Name Server del gestore PEC o Name Server esterni.
    """  # noqa: E501 -- the doctest shows unwrapped output, as a pipe gets it
    style = style or Style()
    shown, language = in_language(result, lang)
    verdict = style.paint(verdict_label(shown, language), *_VERDICT_STYLE[shown.verdict])
    if isinstance(shown, InvalidInput):
        heading = f"{safe_text(repr(shown.name))}: {verdict}"
    else:
        pec = safe_text(shown.observation.pec_name.removesuffix("."))
        heading = f"{pec} ({safe_text(shown.domain.unicode)}): {verdict}"
    lines = [heading]
    breaches = breaches_line(shown, language)
    if breaches:
        lines += [style.paint(line, "bold") for line in style.wrap(safe_text(breaches), "  ")]
    for finding in shown.findings:
        lines += _finding(finding, language, style, verbose=verbose)
    remedy = remedy_in(shown.remedy, language)
    if remedy:
        lines.append(f"  {style.paint(label('remedy', language), 'bold')}:")
        lines += [f"    {style.paint(safe_text(line), 'cyan')}" for line in remedy.splitlines()]
    return "\n".join(lines)
