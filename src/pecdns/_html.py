"""Results as HTML, for Jupyter (``_repr_html_``) and for pages of one's own.

DNS data is untrusted: every value that goes into the markup, whatever its
source, passes through :func:`html.escape` (quotes included), and the
markup uses inline styles only, no script and no external resource.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from pecdns._batch import InvalidInput
from pecdns._models import Report, Severity, Verdict
from pecdns._present import (
    breaches_line,
    count_label,
    counts,
    in_language,
    label,
    language_of,
    remedy_in,
    verdict_label,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pecdns._models import Answer, Finding
    from pecdns._present import Result

__all__ = ["report_html", "reports_html", "to_html"]

_BADGE = {
    Verdict.COMPLIANT: "#1a7f37",
    Verdict.NON_COMPLIANT: "#cf222e",
    Verdict.UNDETERMINED: "#6e7781",
}
_SEVERITY = {Severity.ERROR: "#cf222e", Severity.WARNING: "#9a6700", Severity.INFO: "#57606a"}
_TABLE = "border-collapse:collapse;margin:0.3em 0;text-align:left"
_CELL = "border:1px solid #d0d7de;padding:0.25em 0.5em;vertical-align:top;text-align:left"
_PRE = "margin:0.3em 0;padding:0.4em;background:rgba(127,127,127,0.1);white-space:pre-wrap"


def _e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def _badge(result: Result, lang: str) -> str:
    colour = _BADGE[result.verdict]
    return (
        f'<span class="pecdns-verdict" style="background:{colour};color:#fff;'
        'border-radius:0.8em;padding:0.1em 0.6em;font-weight:bold;font-size:0.9em">'
        f"{_e(verdict_label(result, lang))}</span>"
    )


def _row(cells: Iterable[str], *, head: bool = False) -> str:
    tag = "th" if head else "td"
    return "<tr>" + "".join(f'<{tag} style="{_CELL}">{cell}</{tag}>' for cell in cells) + "</tr>"


def _evidence(answers: tuple[Answer, ...], lang: str) -> str:
    if not answers:
        return ""
    items = "".join(
        f"<li><code>{_e(answer)}</code>"
        + (f" &mdash; {_e(answer.detail)}" if answer.detail else "")
        + (f" <small>({_e(answer.server)})</small>" if answer.server else "")
        + "</li>"
        for answer in answers
    )
    return (
        f"<details><summary>{_e(label('evidence', lang))}</summary>"
        f'<ul style="margin:0.2em 0">{items}</ul></details>'
    )


def _finding_row(finding: Finding, lang: str) -> str:
    colour = _SEVERITY[finding.severity]
    name = _e(label(finding.severity.name, lang))
    severity = f'<span style="color:{colour};font-weight:bold">{name}</span>'
    fix = _e(finding.fix) if finding.fix else ""
    message = _e(finding.message) + _evidence(finding.evidence, lang)
    return _row(
        [severity, f"<code>{_e(finding.code)}</code>", _e(finding.clause or ""), message, fix]
    )


def _findings_table(result: Result, lang: str) -> str:
    if not result.findings:
        return f"<p><em>{_e(label('no_findings', lang))}</em></p>"
    head = _row(
        [_e(label(key, lang)) for key in ("severity", "code", "clause", "finding", "Fix")],
        head=True,
    )
    body = "".join(_finding_row(f, lang) for f in result.findings)
    return f'<table style="{_TABLE}"><thead>{head}</thead><tbody>{body}</tbody></table>'


def _title(result: Result) -> str:
    if isinstance(result, InvalidInput):
        return f"<code>{_e(repr(result.name))}</code>"
    pec = result.observation.pec_name.removesuffix(".")
    return f"<strong>{_e(pec)}</strong> ({_e(result.domain.unicode)})"


def report_html(result: Report | InvalidInput, *, lang: str | None = None) -> str:
    """One result as an HTML fragment: a verdict badge, the findings table, the zone lines.

    Args:
        result: a report, or an invalid input of a batch.
        lang: the language of messages and labels; ``None`` keeps the result's own.
    """
    shown, language = in_language(result, lang)
    policy = f"<small>&middot; {_e(label('policy', language))} {_e(shown.policy)}</small>"
    parts = [
        '<div class="pecdns-report" style="margin:0.5em 0">',
        f'<p style="margin:0.2em 0">{_badge(shown, language)} {_title(shown)} {policy}</p>',
    ]
    breaches = breaches_line(shown, language)
    if breaches:
        parts.append(f'<p class="pecdns-breaches" style="margin:0.2em 0">{_e(breaches)}</p>')
    parts.append(_findings_table(shown, language))
    remedy = remedy_in(shown.remedy, language)
    if remedy:
        parts += [
            f'<p style="margin:0.3em 0 0 0"><strong>{_e(label("Remedy", language))}</strong></p>',
            f'<pre style="{_PRE}">{_e(remedy)}</pre>',
        ]
    parts.append("</div>")
    return "".join(parts)


def _summary(results: tuple[Result, ...], lang: str) -> str:
    if not results:
        return f"<p><em>{_e(label('none', lang))}</em></p>"
    total = (
        label("result", lang)
        if len(results) == 1
        else label("results", lang).format(count=len(results))
    )
    tally = counts(results)
    badges = " ".join(
        f'<span style="color:{_BADGE[Verdict(key)]};font-weight:bold">'
        f"{_e(count_label(key, count, lang))}</span>"
        for key, count in tally.items()
        if count
    )
    breached = sum(1 for r in results if isinstance(r, Report) and r.breaches)
    extra = f" &middot; {_e(label('Breaches', lang))}: {_e(breached)}" if breached else ""
    return f'<p style="margin:0.2em 0"><strong>{_e(total)}</strong> &middot; {badges}{extra}</p>'


def _overview_row(result: Result, lang: str) -> str:
    errors = " ".join(
        f"<code>{_e(f.code)}</code>" for f in result.findings if f.severity is Severity.ERROR
    )
    warnings = " ".join(
        f"<code>{_e(f.code)}</code>" for f in result.findings if f.severity is Severity.WARNING
    )
    name = (
        f"<code>{_e(repr(result.name))}</code>"
        if isinstance(result, InvalidInput)
        else _e(result.domain.unicode)
    )
    breaches = (
        " ".join(f"<code>{_e(f.code)}</code>" for f in result.breaches)
        if isinstance(result, Report)
        else ""
    )
    return _row([name, _badge(result, lang), errors, warnings, breaches])


def reports_html(results: Iterable[Report | InvalidInput], *, lang: str | None = None) -> str:
    """Many results as HTML: counts by verdict, a table of one row each, then each in full.

    Args:
        results: reports and invalid inputs, as from :func:`pecdns.check_many`.
        lang: the language of messages and labels; ``None`` keeps each result's own.
    """
    shown = tuple(in_language(r, lang)[0] for r in results)
    language = lang or (language_of(shown[0]) if shown else "en")
    if not shown:
        return f'<div class="pecdns-reports">{_summary(shown, language)}</div>'
    head = _row(
        [
            _e(label(key, language))
            for key in ("domain", "verdict", "errors", "warnings", "Breaches")
        ],
        head=True,
    )
    body = "".join(_overview_row(r, language) for r in shown)
    details = "".join(report_html(r) for r in shown)
    return (
        '<div class="pecdns-reports">'
        + _summary(shown, language)
        + f'<table style="{_TABLE}"><thead>{head}</thead><tbody>{body}</tbody></table>'
        + f"<details><summary>{_e(label('details', language))}</summary>{details}</details>"
        + "</div>"
    )


def to_html(
    results: Report | InvalidInput | Iterable[Report | InvalidInput], *, lang: str | None = None
) -> str:
    """Render a result, or many, as an HTML fragment, every value escaped.

    This is what Jupyter shows for a :class:`~pecdns.Report` (its
    ``_repr_html_``) and for :class:`~pecdns.Reports`; use it to put results
    in a page or an email of your own. The fragment has inline styles only:
    no script, no stylesheet, nothing fetched.

    Args:
        results: a :class:`~pecdns.Report` or :class:`~pecdns.InvalidInput`,
            or an iterable of them (a :class:`~pecdns.Reports`, the output of
            :func:`~pecdns.check_many`...).
        lang: ``"en"`` or ``"it"`` for messages and labels; ``None`` keeps the
            language each result was checked in.

    Returns:
        The HTML fragment, as text.

    Raises:
        ValueError: ``lang`` is not a language pecdns speaks.

    >>> from pecdns import check
    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mail.example.it."},
    ...         "mail.example.it": {"A": "192.0.2.26"},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> page = to_html(check("example.it", resolver=fake), lang="it")
    >>> "NON CONFORME" in page, "<code>MX_WRONG_HOST</code>" in page
    (True, True)
    """
    if isinstance(results, (Report, InvalidInput)):
        return report_html(results, lang=lang)
    return reports_html(results, lang=lang)
