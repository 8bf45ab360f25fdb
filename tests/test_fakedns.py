"""FakeDNS, the fake filled as a test goes, and assert_findings, its assertion."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pecdns import Verdict, check
from pecdns.exceptions import InvalidRecordError
from pecdns.resolvers import Outcome, Query, Resolver
from pecdns.testing import FakeDNS, assert_findings

if TYPE_CHECKING:
    from collections.abc import Callable

SCENARIOS: list[tuple[Callable[[FakeDNS, str], FakeDNS], list[str], Verdict]] = [
    (FakeDNS.compliant, [], Verdict.COMPLIANT),
    (FakeDNS.wrong_host, ["MX_WRONG_HOST"], Verdict.NON_COMPLIANT),
    (FakeDNS.wrong_preference, ["MX_WRONG_PREFERENCE"], Verdict.COMPLIANT),
    (FakeDNS.missing_dot, ["MX_TRAILING_DOT"], Verdict.NON_COMPLIANT),
    (FakeDNS.no_mx, ["MX_MISSING"], Verdict.NON_COMPLIANT),
    (FakeDNS.null_mx, ["MX_NULL"], Verdict.NON_COMPLIANT),
    (FakeDNS.hybrid, ["MX_EXTRA_HOST", "MX_HYBRID"], Verdict.NON_COMPLIANT),
    (
        FakeDNS.mx_at_registrable,
        ["PEC_NAME_NXDOMAIN", "MX_AT_REGISTRABLE"],
        Verdict.NON_COMPLIANT,
    ),
    (FakeDNS.nxdomain, ["PEC_NAME_NXDOMAIN"], Verdict.NON_COMPLIANT),
    (FakeDNS.servfail, ["PEC_NAME_UNREACHABLE"], Verdict.NON_COMPLIANT),
]


def test_a_fake_dns_is_a_resolver() -> None:
    assert isinstance(FakeDNS(), Resolver)


def test_it_starts_with_only_the_providers_mx_host() -> None:
    dns = FakeDNS()
    assert dns.zone() == {
        "mx.pec.aruba.it.": {"A": ["192.0.2.25"], "AAAA": ["2001:db8::25"]},
    }
    assert FakeDNS(provider=False).zone() == {}


@pytest.mark.parametrize(
    ("scenario", "codes", "verdict"), SCENARIOS, ids=[s[0].__name__ for s in SCENARIOS]
)
def test_each_scenario_gives_its_finding(
    scenario: Callable[[FakeDNS, str], FakeDNS], codes: list[str], verdict: Verdict
) -> None:
    report = check("example.it", resolver=scenario(FakeDNS(), "example.it"))
    assert_findings(report, codes, verdict=verdict, at_least="WARNING")


def test_scenarios_chain_one_domain_each() -> None:
    dns = FakeDNS().compliant("a.it").wrong_host("b.it").external_ns("b.it")
    assert check("a.it", resolver=dns).ok
    assert_findings(check("b.it", resolver=dns), ["MX_WRONG_HOST", "SETUP_EXTERNAL"])


def test_name_server_scenarios_give_the_setup() -> None:
    dns = FakeDNS().compliant("a.it").provider_ns("a.it").compliant("b.it").external_ns("b.it")
    assert_findings(check("a.it", resolver=dns), ["MX_OK", "SETUP_PROVIDER"])
    assert_findings(check("b.it", resolver=dns), ["MX_OK", "SETUP_EXTERNAL"])


def test_a_blind_checker_makes_every_check_undetermined() -> None:
    report = check("a.it", resolver=FakeDNS().compliant("a.it").blind_checker())
    assert_findings(report, ["CHECK_INCOMPLETE"], verdict="UNDETERMINED", at_least="WARNING")


def test_records_add_up_and_changes_show_at_the_next_question() -> None:
    dns = FakeDNS().add("pec.example.it", "MX", "10 mx.pec.aruba.it.")
    assert check("example.it", resolver=dns).ok
    dns.add("pec.example.it", "MX", ["20 mail.example.it.", "10 mx.pec.aruba.it."])
    answer = dns.resolve(Query("pec.example.it", "MX"))
    assert answer.records == ("10 mx.pec.aruba.it.", "20 mail.example.it.")


def test_a_type_can_fail_and_records_can_be_removed() -> None:
    dns = FakeDNS().add("pec.example.it", "MX", Outcome.TIMEOUT)
    assert dns.resolve(Query("pec.example.it", "MX")).outcome is Outcome.TIMEOUT
    dns.add("pec.example.it", "MX", "10 mx.pec.aruba.it.").remove("pec.example.it", "MX")
    assert dns.resolve(Query("pec.example.it", "MX")).outcome is Outcome.NODATA
    dns.remove("pec.example.it")
    assert dns.resolve(Query("pec.example.it", "MX")).outcome is Outcome.NXDOMAIN


def test_a_failing_name_can_get_records_again() -> None:
    dns = FakeDNS().fail("pec.example.it", "SERVFAIL")
    assert dns.resolve(Query("pec.example.it", "A")).outcome is Outcome.SERVFAIL
    dns.add("pec.example.it", "A", "192.0.2.1")
    assert dns.resolve(Query("pec.example.it", "A")).records == ("192.0.2.1",)


def test_every_question_is_kept() -> None:
    dns = FakeDNS()
    dns.resolve(Query("a.example", "A"))
    dns.add("b.example", "A", "192.0.2.1").resolve(Query("b.example", "A"))
    assert [str(q) for q in dns.queries] == ["a.example. A", "b.example. A"]


def test_bad_records_are_refused_as_fakeresolver_refuses_them() -> None:
    with pytest.raises(InvalidRecordError, match="not an IP address"):
        FakeDNS().add("a.example", "A", "not-an-address")
    dns = FakeDNS().add("a.example", "A", "192.0.2.1")
    with pytest.raises(InvalidRecordError, match="CNAME cannot stand beside other records"):
        dns.add("a.example", "CNAME", "b.example.")
    assert dns.resolve(Query("a.example", "A")).records == ("192.0.2.1",)


def test_assert_findings_passes_in_any_order() -> None:
    report = check("example.it", resolver=FakeDNS().hybrid("example.it"))
    assert_findings(report, ["SETUP_UNKNOWN", "MX_HYBRID", "MX_EXTRA_HOST"])
    assert_findings(report, ["MX_HYBRID", "MX_EXTRA_HOST"], at_least="ERROR")


def test_assert_findings_shows_the_difference() -> None:
    report = check("example.it", resolver=FakeDNS().wrong_host("example.it"))
    with pytest.raises(AssertionError) as failure:
        assert_findings(report, ["MX_OK", "SETUP_UNKNOWN"])
    lines = str(failure.value).splitlines()
    assert lines[0] == (
        "the findings of example.it differ from those expected"
        " (+ found, not expected; - expected, not found):"
    )
    assert lines[1].startswith("+ MX_WRONG_HOST          ERROR   P6.2  pec.example.it has MX")
    assert lines[2].startswith("  SETUP_UNKNOWN          INFO    P4    The name servers")
    assert lines[3] == "- MX_OK"


def test_assert_findings_counts_repeated_codes() -> None:
    report = check("example.it", resolver=FakeDNS().compliant("example.it"))
    with pytest.raises(AssertionError, match="- MX_OK"):
        assert_findings(report, ["MX_OK", "MX_OK", "SETUP_UNKNOWN"])


def test_assert_findings_checks_the_verdict_too() -> None:
    report = check("example.it", resolver=FakeDNS().wrong_preference("example.it"))
    assert_findings(report, "MX_WRONG_PREFERENCE", at_least="WARNING", verdict="COMPLIANT")
    with pytest.raises(
        AssertionError, match=r"^the verdict of example\.it is COMPLIANT, not NON_COMPLIANT$"
    ):
        assert_findings(report, "MX_WRONG_PREFERENCE", at_least="WARNING", verdict="NON_COMPLIANT")
