from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pecdns import (
    ARUBA,
    Certification,
    CertificationStatus,
    DailyResult,
    DailyRun,
    Domain,
    Finding,
    InvalidInput,
    Observation,
    Order,
    OrderChannel,
    Report,
    Severity,
    Transition,
    Verdict,
    check,
    check_many,
)
from pecdns._check import report as judge
from pecdns._models import SCHEMA
from pecdns.portfolio import DataFormatError, from_dict, schema_name, to_dict
from pecdns.testing import FakeDNS
from strategies import observations

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAYS = st.dates(date(2020, 1, 1), date(2035, 12, 31))
NAIVE_MIN, NAIVE_MAX = datetime(2020, 1, 1), datetime(2035, 1, 1)  # noqa: DTZ001 -- hypothesis bounds are naive
TIMES = st.datetimes(
    NAIVE_MIN,
    NAIVE_MAX,
    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=2))]),
)
TEXT = st.text(max_size=30)


@st.composite
def reports(draw: st.DrawFn) -> Report:
    at = draw(st.one_of(st.none(), TIMES, st.datetimes(NAIVE_MIN, NAIVE_MAX)))
    return judge(draw(observations()), ARUBA, at=at)


@st.composite
def transitions(draw: st.DrawFn) -> Transition:
    return Transition(
        draw(DAYS),
        draw(st.sampled_from(CertificationStatus)),
        draw(st.sampled_from(CertificationStatus)),
        draw(TEXT),
        draw(st.sampled_from(Verdict)),
    )


@st.composite
def certifications(draw: st.DrawFn) -> Certification:
    status = draw(st.sampled_from(CertificationStatus))
    last_checked = draw(st.one_of(st.none(), DAYS))
    report = draw(st.one_of(st.none(), reports())) if last_checked else None
    return Certification(
        "example.it",
        draw(DAYS),
        status,
        notified_on=draw(DAYS) if status is CertificationStatus.NOTIFIED else None,
        last_checked=last_checked,
        last_report=report,
        history=draw(st.lists(transitions(), max_size=4)),
        dns_management=draw(st.booleans()),
    )


@st.composite
def orders(draw: st.DrawFn) -> Order:
    placed = draw(TIMES)
    paid = draw(st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=9))))
    active = draw(st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=2))))
    policy = evolve(
        ARUBA,
        notice_period=draw(st.one_of(st.none(), st.just(timedelta(days=7)))),
        payment_delays={"bank transfer": timedelta(days=2)},
        severities={"MX_WRONG_PREFERENCE": Severity.ERROR},
    )
    return Order(
        domain="example.it",
        channel=draw(st.sampled_from(OrderChannel)),
        package=draw(st.sampled_from(["wordpress", "Hosting Linux", "SuperSite Easy"])),
        payment_method=draw(st.sampled_from(["credit card", "bank transfer"])),
        placed_at=placed,
        payment_registered_at=None if paid is None else placed + paid,
        activated_at=None if paid is None or active is None else placed + paid + active,
        domain_active=True,
        policy=draw(st.sampled_from([ARUBA, policy])),
    )


@st.composite
def daily_runs(draw: st.DrawFn) -> DailyRun:
    results = []
    for _ in range(draw(st.integers(0, 3))):
        before = draw(certifications())
        results.append(
            DailyResult(
                before,
                draw(certifications()),
                draw(DAYS),
                draw(st.one_of(st.none(), reports())),
                draw(st.one_of(st.none(), TEXT)),
            )
        )
    return DailyRun(draw(DAYS), tuple(results))


def through_json(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data))


@SETTINGS
@given(reports())
def test_a_report_reads_back_from_its_published_json_form(report: Report) -> None:
    data = through_json(report.to_dict())
    assert data["schema"] == SCHEMA
    assert Report.from_dict(data) == report
    assert from_dict(Report, data) == report
    assert to_dict(report) == report.to_dict()


def test_a_report_on_a_domain_of_the_private_section_reads_back() -> None:
    blog = Domain("myblog.blogspot.com", private=True)
    report = check(blog, resolver=FakeDNS().compliant(blog))
    back = Report.from_dict(through_json(report.to_dict()))
    assert back == report
    assert back.domain.private


@SETTINGS
@given(reports())
def test_a_report_keeps_the_args_of_its_findings_for_another_language(report: Report) -> None:
    back = Report.from_dict(through_json(report.to_dict()))
    assert [f.args for f in back.findings] == [f.args for f in report.findings]


@SETTINGS
@given(st.sampled_from(["www.example.it", "it", "", "a..b", "192.0.2.1"]))
def test_an_invalid_input_reads_back_from_its_json_form(name: str) -> None:
    result = next(check_many([name]))
    assert isinstance(result, InvalidInput)
    assert InvalidInput.from_dict(through_json(result.to_dict())) == result
    assert from_dict(InvalidInput, through_json(to_dict(result))) == result


@SETTINGS
@given(reports())
def test_a_finding_round_trips(report: Report) -> None:
    for finding in report.findings:
        data = through_json(to_dict(finding))
        assert data["schema"] == "pecdns.finding.v1"
        assert from_dict(Finding, data) == finding


@SETTINGS
@given(observations())
def test_an_observation_round_trips(observation: Observation) -> None:
    assert from_dict(Observation, through_json(to_dict(observation))) == observation


@SETTINGS
@given(certifications())
def test_a_certification_with_its_history_and_last_report_round_trips(cert: Certification) -> None:
    data = through_json(to_dict(cert))
    assert data["schema"] == "pecdns.certification.v1"
    assert from_dict(Certification, data) == cert


@SETTINGS
@given(orders())
def test_an_order_and_its_policy_round_trip(order: Order) -> None:
    back = from_dict(Order, through_json(to_dict(order)))
    assert back == order
    assert back.policy == order.policy


@SETTINGS
@given(daily_runs())
def test_a_daily_run_round_trips(run: DailyRun) -> None:
    assert from_dict(DailyRun, through_json(to_dict(run))) == run


def cert_data() -> dict[str, Any]:
    return to_dict(Certification("example.it", date(2026, 3, 3)))


def test_schema_names_follow_the_model_names() -> None:
    assert schema_name(DailyResult) == "pecdns.daily_result.v1"
    assert schema_name(InvalidInput) == SCHEMA


def test_data_of_a_newer_version_is_refused_as_such() -> None:
    data = {**cert_data(), "schema": "pecdns.certification.v2"}
    with pytest.raises(DataFormatError, match=r"newer pecdns .*upgrade pecdns"):
        from_dict(Certification, data)


def test_another_models_data_is_refused() -> None:
    with pytest.raises(DataFormatError, match="not a Transition: its schema is"):
        from_dict(Transition, cert_data())


def test_a_field_this_version_does_not_know_is_refused() -> None:
    with pytest.raises(DataFormatError, match=r"has no field 'renewed_on'.*newer pecdns"):
        from_dict(Certification, {**cert_data(), "renewed_on": "2026-01-01"})


def test_a_missing_field_with_a_default_takes_the_default() -> None:
    data = cert_data()
    del data["dns_management"]
    assert from_dict(Certification, data).dns_management is True


def test_a_missing_required_field_is_named() -> None:
    data = cert_data()
    del data["expires"]
    with pytest.raises(DataFormatError, match="the field 'expires' of Certification is missing"):
        from_dict(Certification, data)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("expires", "2026-13-01", r"Certification\.expires: month must be in 1\.\.12"),
        ("expires", 20260303, "a date is text"),
        ("dns_management", "yes", "expected bool"),
        ("status", "LOST", "Certification.status: 'LOST' is not a valid"),
        ("domain", "www.example.it", "is a subdomain"),
        ("history", {}, "expected a list"),
        ("notified_on", "2026-01-01", "not a valid Certification: notified_on"),
    ],
)
def test_a_bad_value_is_refused_with_its_place(key: str, value: object, message: str) -> None:
    with pytest.raises(DataFormatError, match=message):
        from_dict(Certification, {**cert_data(), key: value})


def test_a_union_of_models_is_tagged_and_read_back() -> None:
    from pecdns._serial import _decode, _encode  # noqa: PLC0415 -- the private walk itself

    hint = Transition | Certification | None
    cert = Certification("example.it", date(2026, 3, 3))
    data = _encode(cert, hint)
    assert data["type"] == "Certification"
    assert _decode(hint, through_json(data), "x") == cert
    with pytest.raises(DataFormatError, match="unknown type 'Order'"):
        _decode(hint, {"type": "Order", "value": {}}, "x")
    with pytest.raises(DataFormatError, match="expected"):
        _decode(hint, [1], "x")


def test_a_non_model_is_refused_both_ways() -> None:
    with pytest.raises(TypeError, match="to_dict takes a pecdns model"):
        to_dict(date(2026, 1, 1))
    with pytest.raises(TypeError, match="from_dict reads a pecdns model"):
        from_dict(date, {})
    with pytest.raises(DataFormatError, match="is a JSON object"):
        from_dict(Certification, [])


def test_a_report_form_without_a_domain_is_an_invalid_input() -> None:
    result = next(check_many(["www.example.it"]))
    with pytest.raises(DataFormatError, match="it is an InvalidInput"):
        Report.from_dict(result.to_dict())


def test_a_domains_report_is_not_an_invalid_input(sample_report: Report) -> None:
    with pytest.raises(DataFormatError, match="not an invalid input"):
        InvalidInput.from_dict(sample_report.to_dict())


def test_a_report_of_a_newer_schema_is_refused(sample_report: Report) -> None:
    data = {**sample_report.to_dict(), "schema": "pecdns.report.v2"}
    with pytest.raises(DataFormatError, match="newer pecdns"):
        Report.from_dict(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("verdict"), "the key 'verdict' is missing"),
        (lambda d: d.update(checked_at=5), "a time is ISO 8601 text"),
        (lambda d: d["observation"]["hosts"].append({"host": "a.", "answers": []}), "one or two"),
        (lambda d: d["findings"][0].update(severity="FATAL"), "a severity is one of"),
    ],
)
def test_a_damaged_report_is_refused_with_the_reason(
    sample_report: Report, change: Any, message: str
) -> None:
    data = through_json(sample_report.to_dict())
    change(data)
    with pytest.raises(DataFormatError, match=message):
        Report.from_dict(data)


def test_a_report_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(DataFormatError, match="a Report is a JSON object, not list"):
        Report.from_dict([])  # type: ignore[arg-type]


def test_derived_keys_of_a_report_are_not_read(sample_report: Report) -> None:
    data = {**sample_report.to_dict(), "ok": True, "pec_name": "other.it", "policy_verdict": "X"}
    assert Report.from_dict(data) == sample_report


@pytest.fixture
def sample_report() -> Report:
    from pecdns import check  # noqa: PLC0415
    from pecdns.testing import FakeResolver  # noqa: PLC0415

    return check("example.it", resolver=FakeResolver({"mx.pec.aruba.it": {"A": "192.0.2.25"}}))


def _without_dnames(data: Any) -> Any:
    """JSON as pecdns wrote it before answers carried ``dnames``."""
    if isinstance(data, dict):
        return {k: _without_dnames(v) for k, v in data.items() if k != "dnames"}
    if isinstance(data, list):
        return [_without_dnames(v) for v in data]
    return data


def test_a_report_written_before_answers_carried_dnames_reads_back() -> None:
    from pecdns import check  # noqa: PLC0415
    from pecdns.testing import FakeResolver  # noqa: PLC0415

    fake = FakeResolver(
        {
            "mx.pec.aruba.it": {"A": "192.0.2.25"},
            "example.it": {"DNAME": "new.it."},
            "pec.new.it": {"MX": "10 mx.pec.aruba.it."},
        }
    )
    report = check("example.it", resolver=fake)
    old = _without_dnames(through_json(report.to_dict()))
    assert "dnames" not in json.dumps(old)
    again = Report.from_dict(old)
    assert again.observation.pec_mx.dnames == ()
    assert again.observation.pec_mx.aliases == report.observation.pec_mx.aliases
    assert again.codes() == report.codes()  # findings are read back, not judged again
