"""Per-server rules (P6.1, P6.2 on every server), servers simulated by a handler."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from helpers import PROVIDER
from pecdns import Severity, Verdict, check
from pecdns.resolvers import Answer, Outcome, Query
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from collections.abc import Callable

    from pecdns import Report

NS1, NS2 = "198.51.100.1", "198.51.100.2"
BASE: dict[str, Any] = {
    **PROVIDER,
    "example.it": {"NS": ["ns1.example.net.", "ns2.example.net."]},
    "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
}


def servers(
    per_server: dict[str, Callable[[Query], Answer | Outcome | None]], **data: Any
) -> Report:
    """Check example.it where the named server addresses behave their own way."""
    recursive = FakeResolver({**BASE, **data})

    def handler(query: Query) -> Answer | Outcome:
        behaviour = per_server.get(query.server or "")
        answer = behaviour(query) if behaviour else None
        return answer if answer is not None else recursive.resolve(query)

    return check("example.it", resolver=FakeResolver(handler))


def only_mx(
    result: Callable[[Query], Answer | Outcome],
) -> Callable[[Query], Answer | Outcome | None]:
    return lambda q: result(q) if q.rdtype == "MX" else None


def test_all_servers_agreeing_give_no_server_finding() -> None:
    report = servers({})
    assert report.codes() == ("MX_OK", "SETUP_EXTERNAL")
    assert len(report.observation.parent_probes) == 2


def test_a_server_that_refuses_is_a_lame_delegation() -> None:
    report = servers({NS2: only_mx(lambda q: Outcome.REFUSED)})
    lame = report.findings[0]
    assert (lame.code, lame.severity, lame.clause) == ("LAME_DELEGATION", Severity.WARNING, "P6.1")
    assert "ns2.example.net (198.51.100.2)" in lame.message
    assert "it answers REFUSED" in lame.message
    assert lame.evidence[0].query.server == NS2
    assert report.verdict is Verdict.COMPLIANT


def test_a_server_answering_without_authority_is_lame() -> None:
    def non_aa(query: Query) -> Answer:
        return Answer(query, Outcome.ANSWER, ["10 mx.pec.aruba.it."], authoritative=False)

    report = servers({NS1: only_mx(non_aa)})
    assert report.findings[0].code == "LAME_DELEGATION"
    assert "lacks the AA flag" in report.findings[0].message


def test_a_silent_server_is_a_warning_when_another_answers() -> None:
    report = servers({NS2: only_mx(lambda q: Outcome.TIMEOUT)})
    silent = report.findings[0]
    assert (silent.code, silent.severity) == ("SERVER_NO_RESPONSE", Severity.WARNING)
    assert report.verdict is Verdict.COMPLIANT


def test_a_name_server_without_address_cannot_be_asked() -> None:
    report = servers({}, **{"example.it": {"NS": ["ns1.example.net.", "gone.example.net."]}})
    missing = next(f for f in report.findings if f.code == "NS_NO_ADDRESS")
    assert "gone.example.net" in missing.message
    assert missing.evidence[0].outcome is Outcome.NXDOMAIN
    probes = report.observation.parent_probes
    assert [(p.name, p.address) for p in probes] == [
        ("gone.example.net.", None),
        ("ns1.example.net.", NS1),
    ]


def test_a_name_server_whose_address_lookup_fails_is_unknown_not_missing() -> None:
    report = servers({}, **{"ns2.example.net": Outcome.SERVFAIL})
    unknown = next(f for f in report.findings if f.code == "NS_ADDRESS_UNKNOWN")
    assert unknown.severity is Severity.WARNING
    assert "NS_NO_ADDRESS" not in report.codes()


def test_servers_giving_different_mx_disagree() -> None:
    other = only_mx(
        lambda q: Answer(q, Outcome.ANSWER, ["10 mail.example.it."], authoritative=True)
    )
    report = servers({NS2: other})
    disagree = next(f for f in report.findings if f.code == "SERVERS_DISAGREE")
    assert disagree.clause == "P6.2"
    assert f"{NS1}: 10 mx.pec.aruba.it." in disagree.message
    assert f"{NS2}: 10 mail.example.it." in disagree.message


def test_mx_published_by_some_servers_only() -> None:
    report = servers({NS2: only_mx(lambda q: Answer(q, Outcome.NODATA, authoritative=True))})
    some = next(f for f in report.findings if f.code == "MX_ON_SOME_SERVERS")
    assert f"{NS1} answer 10 mx.pec.aruba.it." in some.message
    assert f"{NS2} answer NODATA" in some.message


ALIASED = {
    "pec.example.it": {"CNAME": "pec.other.it."},
    "pec.other.it": {"MX": "10 mx.pec.aruba.it."},
}


def _alias_only(query: Query) -> Answer:
    """A server that gives the alias but does not serve its target's zone (Knot's answer)."""
    return Answer(query, Outcome.NODATA, aliases=["pec.other.it."], authoritative=True)


def test_servers_giving_the_same_alias_agree_whether_or_not_they_follow_it() -> None:
    report = servers({NS2: only_mx(_alias_only)}, **ALIASED)
    assert report.codes() == ("PEC_NAME_ALIAS", "MX_OK", "SETUP_EXTERNAL")


def test_a_server_giving_an_alias_where_another_gives_the_mx_is_still_a_breach() -> None:
    report = servers({NS2: only_mx(_alias_only)})
    assert "MX_ON_SOME_SERVERS" in report.codes()
    assert report.verdict is Verdict.NON_COMPLIANT


# --- A delegated PEC zone ---------------------------------------------------------------

CHILD = "192.0.2.101"


def _referral(
    *names: str, glue: tuple[tuple[str, str], ...] = ()
) -> Callable[[Query], Answer | None]:
    def refer(query: Query) -> Answer | None:
        if query.name != "pec.example.it.":
            return None
        return Answer(query, Outcome.REFERRAL, zone="pec.example.it", referral=names, glue=glue)

    return refer


def _child(ns: list[str] | None) -> Callable[[Query], Answer | None]:
    def serve(query: Query) -> Answer:
        if query.rdtype == "NS":
            if ns is None:
                return Answer(query, Outcome.NODATA, authoritative=True)
            return Answer(query, Outcome.ANSWER, ns, authoritative=True)
        return Answer(query, Outcome.ANSWER, ["10 mx.pec.aruba.it."], authoritative=True)

    return serve


def delegated(child_ns: list[str] | None, *names: str, **kwargs: Any) -> Report:
    refer = _referral(*names, **kwargs)
    return servers(
        {NS1: refer, NS2: refer, CHILD: _child(child_ns)},
        **{"ns.provider.example": {"A": CHILD}, "ns.pec.example.it": {"A": CHILD}},
    )


def test_a_delegated_pec_zone_is_asked_at_its_own_servers() -> None:
    report = delegated(["ns.provider.example."], "ns.provider.example.")
    obs = report.observation
    assert obs.delegated
    assert [(p.name, p.address) for p in obs.child_probes] == [("ns.provider.example.", CHILD)]
    assert report.codes() == ("MX_OK", "SETUP_EXTERNAL")


def test_delegation_and_child_listing_other_servers_mismatch() -> None:
    report = delegated(["ns.provider.example.", "ns2.provider.example."], "ns.provider.example.")
    mismatch = report.findings[0]
    assert (mismatch.code, mismatch.severity) == ("NS_MISMATCH", Severity.WARNING)
    assert "names the name servers ns.provider.example" in mismatch.message


def test_child_zone_without_ns_records_is_ns_not_defined() -> None:
    report = delegated(None, "ns.provider.example.")
    undefined = report.findings[0]
    assert undefined.code == "NS_NOT_DEFINED"
    assert "pec.example.it (NODATA)" in undefined.message
    assert "NS NON DEFINITO" in undefined.message


def test_in_zone_name_server_without_glue_is_missing_glue() -> None:
    report = delegated(["ns.pec.example.it."], "ns.pec.example.it.")
    assert "MISSING_GLUE" in report.codes()


def test_in_zone_name_server_with_glue_is_fine_and_glue_is_used() -> None:
    glue = (("ns.pec.example.it.", CHILD), ("ns.pec.example.it.", CHILD))
    report = delegated(["ns.pec.example.it."], "ns.pec.example.it.", glue=glue)
    assert "MISSING_GLUE" not in report.codes()
    assert report.observation.ns_hosts == report.observation.ns_hosts[:2]


def test_a_child_server_referring_elsewhere_is_lame() -> None:
    refer = _referral("ns.provider.example.")
    report = servers(
        {NS1: refer, NS2: refer, CHILD: _referral("ns.elsewhere.example.")},
        **{"ns.provider.example": {"A": CHILD}},
    )
    lame = next(f for f in report.findings if f.code == "LAME_DELEGATION")
    assert "it refers the name to ns.elsewhere.example" in lame.message


def test_a_pec_zone_delegated_to_one_of_the_domains_servers_looks_it_up_once() -> None:
    refer = _referral("ns1.example.net.")
    recursive = FakeResolver(BASE)

    def handler(query: Query) -> Answer | Outcome:
        if query.rdtype == "MX" and query.server == NS2:
            return refer(query) or recursive.resolve(query)
        return recursive.resolve(query)

    report = check("example.it", resolver=FakeResolver(handler))
    assert [p.name for p in report.observation.child_probes] == ["ns1.example.net."]
    assert sum(q == Query("ns1.example.net", "A") for q in recursive.queries) == 1


def test_a_name_server_listed_twice_is_looked_up_once() -> None:
    recursive = FakeResolver(
        {**BASE, "example.it": {"NS": ["ns1.example.net.", "ns1.example.net."]}}
    )
    report = check("example.it", resolver=recursive)
    assert sum(q == Query("ns1.example.net", "A") for q in recursive.queries) == 1
    assert len(report.observation.parent_probes) == 1


# --- The time budget --------------------------------------------------------------------


def test_a_check_past_its_budget_is_undetermined_and_ends_in_time() -> None:
    recursive = FakeResolver(BASE)

    def slow(query: Query) -> Answer:
        time.sleep(0.05)
        return recursive.resolve(query)

    started = time.monotonic()
    # Each round's questions are asked at once: the budget ends during the second round.
    report = check("example.it", resolver=FakeResolver(slow), timeout=0.07)
    elapsed = time.monotonic() - started
    assert report.verdict is Verdict.UNDETERMINED
    timed_out = report.findings[0]
    assert timed_out.code == "CHECK_TIMED_OUT"
    assert "SERVER_NO_RESPONSE" not in report.codes()
    assert elapsed < 0.07 + 0.05 + 0.05


def test_a_budget_spent_before_the_first_question_blames_no_one() -> None:
    report = check("example.it", resolver=FakeResolver(BASE), timeout=1e-9)
    assert report.codes() == ("CHECK_TIMED_OUT",)
    assert report.verdict is Verdict.UNDETERMINED


# --- The reachability grading table (docs/policy.md, "Reachability: one rule") ---------------
# «una corretta configurazione del DNS (quindi siano raggiungibili)»: the PEC name is reachable
# when at least one authoritative server answers it with authority; each failing server is then
# a WARNING naming it; no server answering is an ERROR; servers answering different data stay
# an ERROR (the provider may ask either).


def _non_aa(query: Query) -> Answer:
    return Answer(query, Outcome.ANSWER, ["10 mx.pec.aruba.it."], authoritative=False)


FAILURES: dict[str, tuple[Callable[[Query], Answer | Outcome], str]] = {
    "timeout": (lambda q: Outcome.TIMEOUT, "SERVER_NO_RESPONSE"),
    "error": (lambda q: Outcome.ERROR, "SERVER_NO_RESPONSE"),
    "REFUSED": (lambda q: Outcome.REFUSED, "LAME_DELEGATION"),
    "SERVFAIL": (lambda q: Outcome.SERVFAIL, "LAME_DELEGATION"),
    "no AA flag": (_non_aa, "LAME_DELEGATION"),
}


@pytest.mark.parametrize("way", sorted(FAILURES))
def test_one_failing_server_beside_an_answering_one_is_a_warning_naming_it(way: str) -> None:
    behaviour, code = FAILURES[way]
    report = servers({NS2: only_mx(behaviour)})
    fault = report.findings[0]
    assert (fault.code, fault.severity) == (code, Severity.WARNING)
    assert "ns2.example.net (198.51.100.2)" in fault.message
    assert report.verdict is Verdict.COMPLIANT


@pytest.mark.parametrize("way", sorted(FAILURES))
def test_every_server_failing_is_an_error_though_a_resolver_answered(way: str) -> None:
    behaviour, code = FAILURES[way]
    report = servers({NS1: only_mx(behaviour), NS2: only_mx(behaviour)})
    assert report.findings[0].code == "NO_AUTHORITATIVE_ANSWER"
    assert report.findings[0].severity is Severity.ERROR
    assert report.codes().count(code) == 2
    assert report.verdict is Verdict.NON_COMPLIANT


def test_a_server_without_address_beside_an_answering_one_is_a_warning() -> None:
    report = servers({}, **{"ns2.example.net": {"AAAA": []}})
    fault = next(f for f in report.findings if f.code == "NS_NO_ADDRESS")
    assert fault.severity is Severity.WARNING
    assert report.verdict is Verdict.COMPLIANT


def test_a_server_whose_address_is_unknown_beside_an_answering_one_is_a_warning() -> None:
    report = servers({}, **{"ns2.example.net": Outcome.TIMEOUT})
    fault = next(f for f in report.findings if f.code == "NS_ADDRESS_UNKNOWN")
    assert fault.severity is Severity.WARNING
    assert report.verdict is Verdict.COMPLIANT


def test_no_server_with_an_address_is_an_error() -> None:
    report = servers({}, **{"ns1.example.net": {"AAAA": []}, "ns2.example.net": {"AAAA": []}})
    assert report.findings[0].code == "NO_AUTHORITATIVE_ANSWER"
    assert report.verdict is Verdict.NON_COMPLIANT


def test_a_child_server_referring_elsewhere_beside_none_is_an_error() -> None:
    refer = _referral("ns.provider.example.")
    report = servers(
        {NS1: refer, NS2: refer, CHILD: _referral("ns.elsewhere.example.")},
        **{"ns.provider.example": {"A": CHILD}},
    )
    assert "NO_AUTHORITATIVE_ANSWER" in report.codes()
    assert "ns.provider.example (192.0.2.101)" in report.findings[0].message


def test_nxdomain_from_one_server_while_another_answers_is_an_error() -> None:
    nx = only_mx(lambda q: Answer(q, Outcome.NXDOMAIN, authoritative=True))
    report = servers({NS2: nx})
    some = report.findings[0]
    assert (some.code, some.severity) == ("MX_ON_SOME_SERVERS", Severity.ERROR)
    assert report.verdict is Verdict.NON_COMPLIANT


def test_no_server_answering_and_no_resolver_answer_is_unreachable() -> None:
    report = servers(
        {NS1: only_mx(lambda q: Outcome.TIMEOUT), NS2: only_mx(lambda q: Outcome.TIMEOUT)},
        **{"pec.example.it": {"MX": Outcome.SERVFAIL}},
    )
    assert report.findings[0].code == "PEC_NAME_UNREACHABLE"
    assert "NO_AUTHORITATIVE_ANSWER" not in report.codes()
    assert report.verdict is Verdict.NON_COMPLIANT


def test_a_blind_checker_blames_no_server_for_not_answering() -> None:
    report = servers(
        {NS1: only_mx(lambda q: Outcome.TIMEOUT), NS2: only_mx(lambda q: Outcome.TIMEOUT)},
        **{"mx.pec.aruba.it": Outcome.TIMEOUT},
    )
    assert "NO_AUTHORITATIVE_ANSWER" not in report.codes()
    assert report.verdict is Verdict.UNDETERMINED
