"""A batch's results as one value: counts, HTML for notebooks, JSON lines, data frames."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from attrs import field, frozen

from pecdns._batch import InvalidInput
from pecdns._codes import check_lang, is_daily
from pecdns._models import Report, Severity
from pecdns._present import count_label, counts, in_language, label

if TYPE_CHECKING:
    import pandas as pd

    from pecdns._present import Result

__all__ = ["Reports", "to_dataframe"]

_SETUPS = frozenset({"SETUP_PROVIDER", "SETUP_DELEGATED", "SETUP_EXTERNAL", "SETUP_UNKNOWN"})
_DOMAIN_COLUMNS = (
    "input",
    "domain",
    "domain_unicode",
    "pec_name",
    "verdict",
    "policy_verdict",
    "breaches",
    "ok",
    "errors",
    "warnings",
    "infos",
    "codes",
    "setup",
    "remedy",
    "policy",
    "checked_at",
)
_FINDING_COLUMNS = (
    "input",
    "domain",
    "pec_name",
    "verdict",
    "code",
    "severity",
    "clause",
    "daily",
    "message",
    "fix",
    "policy",
    "checked_at",
)


_SUMMARY_NOTES = {
    "en": {
        "breached": ("{n} with breaches outside the daily check",) * 2,
        "invalid": ("{n} invalid input", "{n} invalid inputs"),
    },
    "it": {
        "breached": (
            "{n} con violazioni fuori dal controllo giornaliero",
            "{n} con violazioni fuori dal controllo giornaliero",
        ),
        "invalid": ("{n} dato non valido", "{n} dati non validi"),
    },
}


def _results(values: Iterable[Report | InvalidInput]) -> tuple[Report | InvalidInput, ...]:
    results = tuple(values)
    for value in results:
        if not isinstance(value, (Report, InvalidInput)):
            raise TypeError(
                "Reports holds results of pecdns.check or pecdns.check_many (Report or"
                f" InvalidInput), not {type(value).__name__}; check the domains first"
            )
    return results


@frozen
class Reports(Sequence["Report | InvalidInput"]):
    """The results of a batch, kept together: counts, HTML, JSON lines, a data frame.

    A frozen sequence of :class:`~pecdns.Report` and
    :class:`~pecdns.InvalidInput`, in the order given. In Jupyter it shows as
    counts by verdict, a table of one row per domain, and each report in
    full (see :func:`pecdns.to_html`).

    Args:
        results: the results, e.g. ``check_many(domains, ...)``.

    >>> from pecdns import check_many
    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.good.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> reports = Reports(check_many(["good.it", "bad.it", "www.good.it"], resolver=fake))
    >>> reports.counts
    {'COMPLIANT': 1, 'NON_COMPLIANT': 1, 'UNDETERMINED': 1}
    >>> [r.name for r in reports.invalid]
    ['www.good.it']
    >>> print(reports.summary())
    3 results: 1 COMPLIANT, 1 NON_COMPLIANT, 1 UNDETERMINED (1 invalid input)
    """

    results: tuple[Report | InvalidInput, ...] = field(converter=_results)

    @overload
    def __getitem__(self, index: int) -> Report | InvalidInput: ...
    @overload
    def __getitem__(self, index: slice) -> Reports: ...
    def __getitem__(self, index: int | slice) -> Report | InvalidInput | Reports:
        """One result, or a slice as :class:`Reports`."""
        if isinstance(index, slice):
            return Reports(self.results[index])
        return self.results[index]

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[Report | InvalidInput]:
        return iter(self.results)

    @property
    def counts(self) -> dict[str, int]:
        """How many results have each verdict (every verdict listed, zero included)."""
        return counts(self.results)

    @property
    def compliant(self) -> tuple[Report, ...]:
        """The reports whose verdict is COMPLIANT."""
        return tuple(r for r in self.results if isinstance(r, Report) and r.ok)

    @property
    def non_compliant(self) -> tuple[Report, ...]:
        """The reports whose verdict is NON_COMPLIANT."""
        return tuple(
            r for r in self.results if isinstance(r, Report) and r.verdict.value == "NON_COMPLIANT"
        )

    @property
    def undetermined(self) -> tuple[Report | InvalidInput, ...]:
        """The results whose verdict is UNDETERMINED, invalid inputs included."""
        return tuple(r for r in self.results if r.verdict.value == "UNDETERMINED")

    @property
    def invalid(self) -> tuple[InvalidInput, ...]:
        """The inputs that were not registrable domains, so were not checked."""
        return tuple(r for r in self.results if isinstance(r, InvalidInput))

    @property
    def breached(self) -> tuple[Report, ...]:
        """The reports with breaches of clauses outside the daily check (P5, P9...)."""
        return tuple(r for r in self.results if isinstance(r, Report) and r.breaches)

    def summary(self, lang: str = "en") -> str:
        """One line: the number of results, the count of each verdict present, and breaches.

        Counts and words agree in number in every language ("2 NON DETERMINATI").
        """
        check_lang(lang)
        parts = ", ".join(count_label(verdict, n, lang) for verdict, n in self.counts.items() if n)
        total = (
            label("result", lang)
            if len(self) == 1
            else label("results", lang).format(count=len(self))
        )
        text = total + (f": {parts}" if parts else "")
        notes = [
            _SUMMARY_NOTES[lang][key][n != 1].format(n=n)
            for key, n in (("breached", len(self.breached)), ("invalid", len(self.invalid)))
            if n
        ]
        return text + (f" ({'; '.join(notes)})" if notes else "")

    def to_json(self) -> str:
        """The results as JSON lines: one ``to_dict`` object a line, schema ``pecdns.report.v1``."""
        return "\n".join(json.dumps(r.to_dict(), ensure_ascii=True) for r in self.results)

    def to_dataframe(
        self, *, per: Literal["domain", "finding"] = "domain", lang: str | None = None
    ) -> pd.DataFrame:
        """The results as a pandas DataFrame; see :func:`pecdns.to_dataframe`."""
        return to_dataframe(self.results, per=per, lang=lang)

    def _repr_html_(self) -> str:
        from pecdns._html import reports_html  # noqa: PLC0415 -- _html imports this package's models

        return reports_html(self.results)

    def __str__(self) -> str:
        return "\n\n".join([self.summary(), *(str(r) for r in self.results)])


def _input(result: Result) -> str:
    return result.name if isinstance(result, InvalidInput) else result.domain.name


def _domain_row(result: Result) -> dict[str, Any]:
    severities = [f.severity for f in result.findings]
    report = result if isinstance(result, Report) else None
    return {
        "input": _input(result),
        "domain": report.domain.name if report else None,
        "domain_unicode": report.domain.unicode if report else None,
        "pec_name": report.observation.pec_name.removesuffix(".") if report else None,
        "verdict": result.verdict.value,
        "policy_verdict": report.policy_verdict.value if report else result.verdict.value,
        "breaches": ",".join(f.code for f in report.breaches) if report else "",
        "ok": result.ok,
        "errors": severities.count(Severity.ERROR),
        "warnings": severities.count(Severity.WARNING),
        "infos": severities.count(Severity.INFO),
        "codes": ",".join(f.code for f in result.findings),
        "setup": next((f.code for f in result.findings if f.code in _SETUPS), None),
        "remedy": result.remedy,
        "policy": result.policy,
        "checked_at": result.checked_at,
    }


def _finding_rows(result: Result) -> list[dict[str, Any]]:
    report = result if isinstance(result, Report) else None
    return [
        {
            "input": _input(result),
            "domain": report.domain.name if report else None,
            "pec_name": report.observation.pec_name.removesuffix(".") if report else None,
            "verdict": result.verdict.value,
            "code": finding.code,
            "severity": finding.severity.name,
            "clause": finding.clause,
            "daily": is_daily(finding.code),
            "message": finding.message,
            "fix": finding.fix,
            "policy": result.policy,
            "checked_at": result.checked_at,
        }
        for finding in result.findings
    ]


def to_dataframe(
    results: Iterable[Report | InvalidInput],
    *,
    per: Literal["domain", "finding"] = "domain",
    lang: str | None = None,
) -> pd.DataFrame:
    """Results as a pandas DataFrame, one row per domain or per finding, ready for groupby.

    Needs pandas: ``pip install 'pecdns[dataframe]'``. Per domain, the
    columns are ``input``, ``domain``, ``domain_unicode``, ``pec_name``,
    ``verdict`` (the daily check's), ``policy_verdict`` (every clause),
    ``breaches`` (codes of the ERROR findings outside the daily check,
    comma-separated), ``ok``, ``errors``, ``warnings``, ``infos`` (finding counts
    by severity), ``codes`` (comma-separated, in report order), ``setup``
    (the SETUP_* code: who runs the DNS, P4), ``remedy``, ``policy`` and
    ``checked_at``. Per finding: ``input``, ``domain``, ``pec_name``,
    ``verdict``, ``code``, ``severity``, ``clause``, ``daily`` (whether the
    code belongs to the daily check), ``message``, ``fix``,
    ``policy`` and ``checked_at``. An invalid input has no domain (``None``)
    and one finding, ``INPUT_INVALID``.

    Args:
        results: reports and invalid inputs, e.g. from :func:`pecdns.check_many`.
        per: ``"domain"`` (one row per result) or ``"finding"``.
        lang: the language of messages; ``None`` keeps each result's own.

    Returns:
        A new DataFrame; its columns are as listed even when it has no rows.

    Raises:
        ImportError: pandas is not installed.
        ValueError: ``per`` or ``lang`` is not one of its values.

    >>> from pecdns import check_many
    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.good.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> results = list(check_many(["good.it", "bad.it"], resolver=fake))
    >>> to_dataframe(results)[["domain", "verdict", "errors"]]
        domain        verdict  errors
    0  good.it      COMPLIANT       0
    1   bad.it  NON_COMPLIANT       2
    >>> to_dataframe(results, per="finding").groupby("code").size().to_dict()
    {'MX_OK': 1, 'NS_NOT_DEFINED': 1, 'PEC_NAME_NXDOMAIN': 1, 'SETUP_UNKNOWN': 2}
    """
    if per not in {"domain", "finding"}:
        raise ValueError(f"per is 'domain' or 'finding', not {per!r}")
    if lang is not None:
        check_lang(lang)
    try:
        import pandas as pd  # noqa: PLC0415 -- pandas is optional, loaded only when used
    except ImportError:
        raise ImportError(
            "pecdns.to_dataframe needs pandas; install it with: pip install 'pecdns[dataframe]'"
        ) from None
    shown = [in_language(r, lang)[0] for r in results]
    frame: pd.DataFrame  # pandas-stubs types the constructor's result as Any
    if per == "domain":
        frame = pd.DataFrame([_domain_row(r) for r in shown], columns=list(_DOMAIN_COLUMNS))
    else:
        rows = [row for r in shown for row in _finding_rows(r)]
        frame = pd.DataFrame(rows, columns=list(_FINDING_COLUMNS))
    return frame
