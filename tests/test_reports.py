"""A batch's results together (Reports) and as data frames (to_dataframe)."""

from __future__ import annotations

import builtins
import json
from datetime import datetime, timezone
from typing import Any

import pandas as pd
import pytest

from pecdns import InvalidInput, Report, Reports, check_many, to_dataframe
from pecdns.testing import FakeDNS

DOMAINS = ["good.it", "bad.it", "www.good.it"]


def _dns() -> FakeDNS:
    return FakeDNS().compliant("good.it").wrong_host("bad.it").external_ns("bad.it")


def _reports(**options: Any) -> Reports:
    return Reports(check_many(DOMAINS, resolver=_dns(), **options))


def test_reports_keep_every_result_in_order() -> None:
    reports = _reports()
    assert len(reports) == 3
    assert [type(r) for r in reports] == [Report, Report, InvalidInput]
    assert isinstance(reports[0], Report)
    assert reports[0].domain.name == "good.it"


def test_a_slice_of_reports_is_reports() -> None:
    part = _reports()[1:]
    assert isinstance(part, Reports)
    assert len(part) == 2


def test_reports_count_every_verdict() -> None:
    reports = _reports()
    assert reports.counts == {"COMPLIANT": 1, "NON_COMPLIANT": 1, "UNDETERMINED": 1}
    assert [r.domain.name for r in reports.compliant] == ["good.it"]
    assert [r.domain.name for r in reports.non_compliant] == ["bad.it"]
    assert [r.name for r in reports.invalid] == ["www.good.it"]
    assert reports.undetermined == reports.invalid


def test_an_empty_batch_counts_zero_of_each() -> None:
    reports = Reports([])
    assert reports.counts == {"COMPLIANT": 0, "NON_COMPLIANT": 0, "UNDETERMINED": 0}
    assert reports.summary() == "0 results"


def test_reports_refuse_what_is_not_a_result() -> None:
    with pytest.raises(TypeError, match="not str; check the domains first"):
        Reports(["example.it"])  # type: ignore[list-item]


def test_reports_as_json_lines() -> None:
    lines = _reports().to_json().splitlines()
    assert [json.loads(line)["verdict"] for line in lines] == [
        "COMPLIANT",
        "NON_COMPLIANT",
        "UNDETERMINED",
    ]


def test_reports_as_text_start_with_the_summary() -> None:
    text = str(_reports())
    assert text.startswith("3 results: 1 COMPLIANT, 1 NON_COMPLIANT, 1 UNDETERMINED")
    assert "pec.bad.it. (bad.it): NON_COMPLIANT" in text


def test_one_row_per_domain_ready_for_groupby() -> None:
    frame = to_dataframe(_reports())
    assert list(frame["input"]) == DOMAINS
    assert frame.groupby("verdict").size().to_dict() == {
        "COMPLIANT": 1,
        "NON_COMPLIANT": 1,
        "UNDETERMINED": 1,
    }
    bad = frame.set_index("input").loc["bad.it"]
    assert bad["errors"] == 1
    assert bad["codes"] == "MX_WRONG_HOST,SETUP_EXTERNAL"
    assert bad["setup"] == "SETUP_EXTERNAL"
    assert "pec.bad.it. 3600 IN MX 10 mx.pec.aruba.it." in bad["remedy"]
    invalid = frame.set_index("input").loc["www.good.it"]
    assert pd.isna(invalid["domain"])


def test_one_row_per_finding_ready_for_groupby() -> None:
    frame = _reports().to_dataframe(per="finding")
    assert len(frame) == sum(len(r.findings) for r in _reports())
    by_code = frame.groupby(["severity", "code"]).size()
    assert by_code[("ERROR", "MX_WRONG_HOST")] == 1
    assert by_code[("ERROR", "INPUT_INVALID")] == 1
    assert set(frame["clause"].dropna()) == {"P6.2", "P4", "P4.2"}


def test_data_frames_have_their_columns_even_when_empty() -> None:
    assert list(to_dataframe([]).columns)[:5] == [
        "input",
        "domain",
        "domain_unicode",
        "pec_name",
        "verdict",
    ]
    assert "message" in to_dataframe([], per="finding").columns


def test_messages_in_a_data_frame_can_be_italian() -> None:
    frame = to_dataframe(_reports(), per="finding", lang="it")
    assert "ha il record MX 10 mail.bad.it." in " ".join(frame["message"])


def test_checked_at_is_a_timestamp_column() -> None:
    at = datetime(2026, 1, 21, 6, 0, tzinfo=timezone.utc)
    frame = to_dataframe(_reports(at=at))
    assert frame["checked_at"].iloc[0] == pd.Timestamp(at)


def test_per_is_domain_or_finding() -> None:
    with pytest.raises(ValueError, match="per is 'domain' or 'finding'"):
        to_dataframe([], per="row")  # type: ignore[arg-type]


def test_without_pandas_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pandas(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pandas":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match=r"pip install 'pecdns\[dataframe\]'"):
        to_dataframe([])


def test_the_summary_speaks_italian_with_agreeing_plurals() -> None:
    dns = _dns().compliant("also.it")
    reports = Reports(check_many([*DOMAINS, "also.it", "www.also.it"], resolver=dns))
    assert reports.summary("it") == (
        "5 risultati: 2 CONFORMI, 1 NON CONFORME, 2 NON DETERMINATI (2 dati non validi)"
    )
    assert reports[:1].summary("it") == "1 risultato: 1 CONFORME"


def test_the_summary_counts_reports_with_breaches() -> None:
    dns = _dns().add("good.it", "MX", "10 mx.pec.aruba.it.")
    reports = Reports(check_many(["good.it"], resolver=dns))
    assert [r.domain.name for r in reports.breached] == ["good.it"]
    assert reports.summary() == "1 result: 1 COMPLIANT (1 with breaches outside the daily check)"


def test_data_frames_carry_both_verdicts_and_the_daily_flag() -> None:
    dns = _dns().add("good.it", "MX", "10 mx.pec.aruba.it.")
    results = list(check_many(["good.it", "www.good.it"], resolver=dns))
    frame = to_dataframe(results)
    assert frame["policy_verdict"].tolist() == ["NON_COMPLIANT", "UNDETERMINED"]
    assert frame["breaches"].tolist() == ["MX_AT_REGISTRABLE", ""]
    findings = to_dataframe(results, per="finding")
    daily = dict(zip(findings["code"], findings["daily"], strict=True))
    assert not daily["MX_AT_REGISTRABLE"]
    assert daily["MX_OK"]
