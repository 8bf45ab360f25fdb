"""What every rendering shares: labels in each language, and a result's language.

Text for the terminal (:mod:`pecdns._text`) and HTML for notebooks
(:mod:`pecdns._html`) show the same things with the same words; the words
around the findings (headings, verdict names) are here, in English and in
Italian, as the findings' own messages are in the catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from attrs import evolve

from pecdns._batch import InvalidInput
from pecdns._codes import LANGUAGES, check_lang, localise, render
from pecdns._models import Report, Verdict
from pecdns._remedy import translate

if TYPE_CHECKING:
    from pecdns._models import Finding

__all__ = [
    "LABELS",
    "PLURALS",
    "Result",
    "breaches_line",
    "count_label",
    "counts",
    "in_language",
    "label",
    "language_of",
    "remedy_in",
    "verdict_label",
]

Result: TypeAlias = "Report | InvalidInput"
"""One result of a check or of a batch."""

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "COMPLIANT": "COMPLIANT",
        "NON_COMPLIANT": "NON_COMPLIANT",
        "UNDETERMINED": "UNDETERMINED",
        "INVALID": "INVALID INPUT",
        "ERROR": "ERROR",
        "WARNING": "WARNING",
        "INFO": "INFO",
        "severity": "Severity",
        "code": "Code",
        "clause": "Clause",
        "finding": "Finding",
        "fix": "fix",
        "Fix": "Fix",
        "evidence": "evidence",
        "Evidence": "Evidence",
        "remedy": "zone lines to paste",
        "Remedy": "Zone lines to paste",
        "domain": "Domain",
        "verdict": "Verdict",
        "errors": "Errors",
        "warnings": "Warnings",
        "policy": "policy",
        "details": "Details",
        "no_findings": "no findings",
        "results": "{count} results",
        "result": "1 result",
        "none": "nothing to check",
        "every_rule": "every rule",
        "breaches": "breaches outside the daily check",
        "Breaches": "Breaches outside the daily check",
    },
    "it": {
        "COMPLIANT": "CONFORME",
        "NON_COMPLIANT": "NON CONFORME",
        "UNDETERMINED": "NON DETERMINATO",
        "INVALID": "DATO NON VALIDO",
        "ERROR": "ERRORE",
        "WARNING": "AVVISO",
        "INFO": "INFO",
        "severity": "Gravità",
        "code": "Codice",
        "clause": "Clausola",
        "finding": "Rilievo",
        "fix": "correzione",
        "Fix": "Correzione",
        "evidence": "risposte DNS",
        "Evidence": "Risposte DNS",
        "remedy": "righe da incollare nella zona",
        "Remedy": "Righe da incollare nella zona",
        "domain": "Dominio",
        "verdict": "Esito",
        "errors": "Errori",
        "warnings": "Avvisi",
        "policy": "gestore PEC",
        "details": "Dettagli",
        "no_findings": "nessun rilievo",
        "results": "{count} risultati",
        "result": "1 risultato",
        "none": "niente da verificare",
        "every_rule": "tutte le regole",
        "breaches": "violazioni fuori dal controllo giornaliero",
        "Breaches": "Violazioni fuori dal controllo giornaliero",
    },
}
"""The words around findings, by language: verdicts, severities, headings."""

PLURALS: dict[str, dict[str, str]] = {
    "en": {"INVALID": "INVALID INPUTS"},
    "it": {
        "COMPLIANT": "CONFORMI",
        "NON_COMPLIANT": "NON CONFORMI",
        "UNDETERMINED": "NON DETERMINATI",
        "INVALID": "DATI NON VALIDI",
    },
}
"""The plural of a verdict's words where it differs from the singular."""


def count_label(key: str, count: int, lang: str) -> str:
    """A count and the word for ``key`` agreeing with it: ``"2 NON DETERMINATI"``.

    >>> count_label("UNDETERMINED", 1, "it"), count_label("UNDETERMINED", 2, "it")
    ('1 NON DETERMINATO', '2 NON DETERMINATI')
    >>> count_label("NON_COMPLIANT", 0, "en")
    '0 NON_COMPLIANT'
    """
    word = label(key, lang) if count == 1 else PLURALS[lang].get(key, label(key, lang))
    return f"{count} {word}"


def breaches_line(result: Result, lang: str) -> str | None:
    """The verdict on every rule and the breaches outside the daily check, or ``None``.

    >>> from pecdns.testing import FakeResolver
    >>> from pecdns import check
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> breaches_line(check("example.it", resolver=fake), "it")
    'tutte le regole: NON CONFORME (violazioni fuori dal controllo giornaliero: MX_AT_REGISTRABLE [P5])'
    """  # noqa: E501 -- the doctest shows the whole line
    if isinstance(result, InvalidInput) or not result.breaches:
        return None
    codes = ", ".join(f"{f.code} [{f.clause}]" if f.clause else f.code for f in result.breaches)
    verdict = label(result.policy_verdict.value, lang)
    return f"{label('every_rule', lang)}: {verdict} ({label('breaches', lang)}: {codes})"


def label(key: str, lang: str) -> str:
    """The word for ``key`` (a verdict, a severity or a heading) in ``lang``.

    >>> label("NON_COMPLIANT", "it"), label("Remedy", "en")
    ('NON CONFORME', 'Zone lines to paste')
    """
    return LABELS[check_lang(lang)][key]


def verdict_label(result: Result, lang: str) -> str:
    """The verdict of a result in words; an invalid input says so instead of UNDETERMINED."""
    key = "INVALID" if isinstance(result, InvalidInput) else result.verdict.value
    return label(key, lang)


def language_of(result: Result) -> str:
    """The language a result's messages were written in (``check(..., lang=...)``).

    A finding whose message matches none of the catalogue's (one built by
    hand) says nothing; with no finding to tell, the answer is English.
    """
    for finding in result.findings:
        for lang in LANGUAGES:
            try:
                message, _ = render(finding.code, dict(finding.args), lang)
            except (KeyError, ValueError, IndexError):
                break  # not a catalogue finding, or not all its arguments are kept
            if message == finding.message:
                return lang
    return "en"


def _localised(finding: Finding, lang: str) -> Finding:
    try:
        return localise(finding, lang)
    except (KeyError, ValueError, IndexError):
        return finding  # built by hand: it has only the message it was given


def in_language(result: Result, lang: str | None) -> tuple[Result, str]:
    """The result with its messages in ``lang``, and that language.

    ``None`` keeps the language the result was checked in.
    """
    if lang is None:
        return result, language_of(result)
    check_lang(lang)
    if language_of(result) == lang:
        return result, lang
    findings = tuple(_localised(f, lang) for f in result.findings)
    return evolve(result, findings=findings), lang


def remedy_in(remedy: str | None, lang: str) -> str | None:
    """A report's remedy with its comment lines in ``lang``; the records stay as they are.

    >>> print(remedy_in("; and must not have these records (delete them):", "it"))
    ; e non deve avere questi record (eliminarli):
    """
    return translate(remedy, lang)


def counts(results: tuple[Result, ...], *, every_rule: bool = False) -> dict[str, int]:
    """How many results have each verdict, every verdict listed (zero included).

    With ``every_rule``, the verdict counted is ``policy_verdict`` (every
    clause), as ``pecdns check --strict`` judges; an invalid input has only one.
    """
    tally = dict.fromkeys((v.value for v in Verdict), 0)
    for result in results:
        shown = result.policy_verdict if every_rule and isinstance(result, Report) else None
        tally[(shown or result.verdict).value] += 1
    return tally
