"""Fidelity to the seeds (issue 9): two verdicts, definite vs undetermined, P9/P10, one verdict
per situation (issue 10 item 6). The reachability grading table is in test_rules_servers."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import pytest
from attrs import evolve

from helpers import EXTERNAL_NS, PROVIDER, run
from pecdns import ARUBA, Severity, Verdict, acheck, check
from pecdns._check import verdict
from pecdns._codes import CATALOGUE, UNDETERMINING, is_daily
from pecdns._models import Finding
from pecdns.resolvers import Answer, Outcome, Query
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from collections.abc import Callable

PEC_OK = {"MX": "10 mx.pec.aruba.it."}
NS1, NS2 = "198.51.100.1", "198.51.100.2"


# --- 1. Two verdicts ----------------------------------------------------------------------


def test_every_catalogue_entry_says_whether_it_belongs_to_the_daily_check() -> None:
    for code, info in CATALOGUE.items():
        assert isinstance(info.daily, bool), code
        if info.clause is not None and info.clause.startswith("P6"):
            assert info.daily, code
        if info.clause in {"P5", "P9", "P4", "P4.1", "P4.2"}:
            assert not info.daily, code


def test_every_undetermining_code_is_the_daily_checks() -> None:
    assert all(CATALOGUE[code].daily for code in UNDETERMINING)


def test_a_code_outside_the_catalogue_counts_as_the_daily_checks() -> None:
    handmade = Finding("HOMEMADE", Severity.ERROR, None, "made by hand")
    assert is_daily("HOMEMADE")
    assert verdict([handmade]) is Verdict.NON_COMPLIANT


def test_a_hybrid_apex_is_a_breach_and_the_daily_verdict_passes() -> None:
    report = run(
        {
            "pec.example.it": PEC_OK,
            "example.it": {"MX": ["10 mx.aruba.it.", "20 mail.example.net."]},
            "mail.example.net": {"A": "192.0.2.9"},
            "mx.aruba.it": {"A": "192.0.2.10"},
        }
    )
    assert report.verdict is Verdict.COMPLIANT
    assert report.policy_verdict is Verdict.NON_COMPLIANT
    assert [f.code for f in report.breaches] == ["DOMAIN_MX_HYBRID"]


def test_a_hybrid_pec_name_fails_the_daily_check_through_p62() -> None:
    # MX_HYBRID is P9 (a breach); the daily failure is MX_EXTRA_HOST, which every hybrid
    # PEC name has: «record MX (mx.pec.aruba.it)» and nothing else.
    report = run(
        {
            "pec.example.it": {"MX": ["10 mx.pec.aruba.it.", "20 mail.example.it."]},
            "mail.example.it": {"A": "192.0.2.9"},
        }
    )
    assert report.verdict is Verdict.NON_COMPLIANT
    assert [f.code for f in report.breaches] == ["MX_HYBRID"]
    assert not is_daily("MX_HYBRID")
    assert is_daily("MX_EXTRA_HOST")


def test_policy_verdict_follows_the_daily_one_without_breaches() -> None:
    report = run(
        {"pec.example.it": {"MX": "10 mail.example.it."}, "mail.example.it": {"A": "192.0.2.9"}}
    )
    assert report.verdict is report.policy_verdict is Verdict.NON_COMPLIANT
    assert report.breaches == ()


def test_the_report_shows_both_verdicts_as_text_and_json() -> None:
    report = run({"pec.example.it": PEC_OK, "example.it": {"MX": "10 mx.pec.aruba.it."}})
    lines = str(report).splitlines()
    assert lines[0].endswith(": COMPLIANT")
    assert lines[1] == "  every rule: NON_COMPLIANT (breaches: MX_AT_REGISTRABLE)"
    data = report.to_dict()
    assert (data["verdict"], data["policy_verdict"]) == ("COMPLIANT", "NON_COMPLIANT")
    assert data["breaches"] == ["MX_AT_REGISTRABLE"]


# --- 2. Definite, undetermined, not the customer's ------------------------------------------


def _answering(data: dict[str, Any], special: Callable[[Query], Answer | None]) -> FakeResolver:
    recursive = FakeResolver({**PROVIDER, **data})

    def handler(query: Query) -> Answer:
        return special(query) or recursive.resolve(query)

    return FakeResolver(handler)


def _not_loaded(name: str, **kwargs: Any) -> Callable[[Query], Answer | None]:
    def special(query: Query) -> Answer | None:
        if query.name.endswith(name):
            return Answer(query, Outcome.NOT_LOADED, **kwargs)
        return None

    return special


def test_a_pec_name_in_no_loaded_zone_is_undetermined_and_names_the_zone() -> None:
    fake = _answering({}, _not_loaded("example.it.", zone="example.it."))
    report = check("example.it", resolver=fake)
    assert report.verdict is Verdict.UNDETERMINED
    missing = report.findings[0]
    assert missing.code == "ZONE_NOT_LOADED"
    assert "No zone is loaded for example.it" in missing.message
    assert "--zone-file" in (missing.fix or "")
    assert "PEC_NAME_UNREACHABLE" not in report.codes()


def test_the_missing_zone_is_read_from_the_detail_without_a_zone() -> None:
    detail = "no zone loaded for pec.example.it."
    fake = _answering({}, _not_loaded("example.it.", detail=detail))
    finding = check("example.it", resolver=fake).findings[0]
    assert finding.code == "ZONE_NOT_LOADED"
    assert dict(finding.args)["zone"] == "pec.example.it"


def test_the_missing_zone_is_the_name_asked_when_nothing_else_says() -> None:
    fake = _answering({}, _not_loaded("example.it."))
    findings = check("example.it", resolver=fake).findings
    assert dict(findings[0].args)["zone"] == "pec.example.it"


def test_the_providers_zone_not_loaded_is_undetermined_not_incomplete() -> None:
    fake = _answering({"pec.example.it": PEC_OK}, _not_loaded("aruba.it.", zone="aruba.it."))
    report = check("example.it", resolver=fake)
    assert report.verdict is Verdict.UNDETERMINED
    assert report.codes()[0] == "ZONE_NOT_LOADED"
    assert "CHECK_INCOMPLETE" not in report.codes()


def test_a_wrong_mx_is_non_compliant_even_with_the_providers_zone_not_loaded() -> None:
    data = {"pec.example.it": {"MX": "10 mail.example.it."}, "mail.example.it": {"A": "192.0.2.9"}}
    fake = _answering(data, _not_loaded("aruba.it.", zone="aruba.it."))
    report = check("example.it", resolver=fake)
    assert report.verdict is Verdict.NON_COMPLIANT
    assert {"MX_WRONG_HOST", "ZONE_NOT_LOADED"} <= set(report.codes())


def test_a_pec_zone_delegated_to_unloaded_servers_blames_no_server() -> None:
    # The provider's servers hold pec.example.it, but their zone is not among the files.
    base: dict[str, Any] = {
        **PROVIDER,
        "example.it": EXTERNAL_NS,
        "dns.technorail.com": {"A": "198.51.100.11"},
    }
    recursive = FakeResolver(base)

    def handler(query: Query) -> Answer:
        if query.name == "pec.example.it.":
            if query.server in {NS1, NS2}:
                return Answer(
                    query, Outcome.REFERRAL, zone="pec.example.it", referral=["dns.technorail.com"]
                )
            return Answer(query, Outcome.NOT_LOADED, zone="pec.example.it")
        return recursive.resolve(query)

    report = check("example.it", resolver=FakeResolver(handler))
    assert report.verdict is Verdict.UNDETERMINED
    assert report.observation.child_probes
    assert "ZONE_NOT_LOADED" in report.codes()
    for blame in ("LAME_DELEGATION", "SERVER_NO_RESPONSE", "PEC_NAME_UNREACHABLE"):
        assert blame not in report.codes()


def test_a_name_servers_address_in_no_loaded_zone_blames_no_server() -> None:
    data = {"pec.example.it": PEC_OK, "example.it": EXTERNAL_NS}
    report = check("example.it", resolver=_answering(data, _not_loaded("ns2.example.net.")))
    assert "NS_ADDRESS_UNKNOWN" not in report.codes()
    assert report.verdict is Verdict.COMPLIANT


def test_the_provider_host_without_address_is_the_providers_fault() -> None:
    report = run({"pec.example.it": PEC_OK, "mx.pec.aruba.it": {"AAAA": []}})
    fault = report.findings[0]
    assert (fault.code, fault.severity, fault.clause) == (
        "PROVIDER_HOST_NO_ADDRESS",
        Severity.WARNING,
        None,
    )
    assert "not the customer's" in fault.message
    assert report.verdict is Verdict.UNDETERMINED
    assert "MX_TARGET_NO_ADDRESS" not in report.codes()


# --- Issue 10 item 6: one verdict per situation ------------------------------------------


def _silent_domain(delay: float) -> FakeResolver:
    """A domain whose only servers never answer: its questions time out after ``delay``."""
    recursive = FakeResolver({**PROVIDER, "example.it": EXTERNAL_NS})

    def handler(query: Query) -> Answer:
        if query.server in {NS1, NS2} or query.name.endswith("example.it."):
            time.sleep(delay)
            return Answer(query, Outcome.TIMEOUT, detail="no answer in time")
        return recursive.resolve(query)

    return FakeResolver(handler)


def test_silent_servers_are_non_compliant_with_time_to_spare() -> None:
    report = check("example.it", resolver=_silent_domain(0), timeout=None)
    assert report.verdict is Verdict.NON_COMPLIANT
    assert "PEC_NAME_UNREACHABLE" in report.codes()
    assert "CHECK_TIMED_OUT" not in report.codes()


def test_silent_servers_are_non_compliant_when_the_budget_runs_out_too() -> None:
    one_at_a_time = evolve(ARUBA, limits={"in_flight": 1})  # so the budget runs out mid-check
    report = check("example.it", resolver=_silent_domain(0.1), timeout=0.15, policy=one_at_a_time)
    assert "CHECK_TIMED_OUT" in report.codes()
    assert report.verdict is Verdict.NON_COMPLIANT


def test_silent_servers_are_non_compliant_through_acheck_too() -> None:
    report = asyncio.run(acheck("example.it", resolver=_silent_domain(0.1), timeout=0.15))
    assert report.verdict is Verdict.NON_COMPLIANT


def test_a_dead_checker_resolver_is_undetermined_whatever_the_budget() -> None:
    def dead(query: Query) -> Answer:
        time.sleep(0.1)
        return Answer(query, Outcome.TIMEOUT, detail="no answer in time")

    for timeout in (None, 0.15):
        report = check("example.it", resolver=FakeResolver(dead), timeout=timeout)
        assert report.verdict is Verdict.UNDETERMINED, timeout
        assert "PEC_NAME_UNREACHABLE" not in report.codes()


def test_a_budget_spent_before_the_control_lookup_decides_nothing() -> None:
    report = check("example.it", resolver=FakeResolver({}), timeout=1e-9)
    assert report.codes() == ("CHECK_TIMED_OUT",)


# --- 4. P9 on what the hosts are, and P10 usable --------------------------------------------

APEX_ALIAS: dict[str, Any] = {
    "pec.example.it": PEC_OK,
    "example.it": {"MX": ["10 posta.example.it.", "20 mail.example.net."]},
    "posta.example.it": {"CNAME": "mx1.aruba.it."},
    "mx1.aruba.it": {"A": "192.0.2.30"},
    "mail.example.net": {"A": "192.0.2.9"},
}


def test_an_apex_alias_to_a_provider_host_beside_another_server_is_hybrid() -> None:
    report = run(APEX_ALIAS)
    hybrid = next(f for f in report.breaches if f.code == "DOMAIN_MX_HYBRID")
    assert "posta.example.it" in dict(hybrid.args)["provider"]
    assert report.verdict is Verdict.COMPLIANT


def test_the_apex_mx_hosts_are_looked_up() -> None:
    report = run(APEX_ALIAS)
    assert report.observation.host("posta.example.it.") is not None


DEDICATED: dict[str, Any] = {
    "pec.example.it": PEC_OK,
    "example.it": {"MX": ["10 srv1.dedicati.aruba.it.", "20 mail.example.net."]},
    "srv1.dedicati.aruba.it": {"A": "192.0.2.80"},
    "mail.example.net": {"A": "192.0.2.9"},
}


def test_a_dedicated_server_unknown_to_the_check_reads_as_the_providers() -> None:
    assert "DOMAIN_MX_HYBRID" in run(DEDICATED).codes()


@pytest.mark.parametrize("own", ["srv1.dedicati.aruba.it", "192.0.2.80", "192.0.2.0/24"])
def test_own_servers_by_name_or_network_are_outside_the_provider(own: str) -> None:
    fake = FakeResolver({**PROVIDER, **DEDICATED})
    report = check("example.it", resolver=fake, own_servers=[own])
    assert "DOMAIN_MX_HYBRID" not in report.codes()
    assert report.policy_verdict is Verdict.COMPLIANT


def test_own_servers_may_be_one_string() -> None:
    fake = FakeResolver({**PROVIDER, **DEDICATED})
    report = check("example.it", resolver=fake, own_servers="srv1.dedicati.aruba.it")
    assert "DOMAIN_MX_HYBRID" not in report.codes()


def test_an_own_server_beside_the_providers_is_hybrid_and_says_p10() -> None:
    data = {
        **DEDICATED,
        "example.it": {"MX": ["10 mx.aruba.it.", "20 srv1.dedicati.aruba.it."]},
        "mx.aruba.it": {"A": "192.0.2.10"},
    }
    policy = evolve(ARUBA, own_mail_servers=["srv1.dedicati.aruba.it"])
    assert "DOMAIN_MX_HYBRID" not in run(data).codes()
    hybrid = next(f for f in run(data, policy=policy).findings if f.code == "DOMAIN_MX_HYBRID")
    assert "Server Dedicati" not in hybrid.message
    assert "dedicated and cloud offers count as other servers, P10" in hybrid.message


def test_an_alias_to_an_own_server_counts_as_own() -> None:
    data = {**DEDICATED, "example.it": {"MX": ["10 posta.example.it.", "20 mail.example.net."]}}
    data["posta.example.it"] = {"CNAME": "srv1.dedicati.aruba.it."}
    assert "DOMAIN_MX_HYBRID" in run(data).codes()
    policy = evolve(ARUBA, own_mail_servers=["srv1.dedicati.aruba.it"])
    assert "DOMAIN_MX_HYBRID" not in run(data, policy=policy).codes()


def test_own_servers_are_checked_before_any_question() -> None:
    fake = FakeResolver({})
    with pytest.raises(ValueError, match="has host bits set"):
        check("example.it", resolver=fake, own_servers=["192.0.2.1/24"])
    assert fake.queries == []
