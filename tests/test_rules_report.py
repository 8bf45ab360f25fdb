"""report() made cheap, and still the same: each shortcut checked against what it replaces.

The rules read an observation through a ``Case`` that derives once what
several rules read; ``report()`` words findings in the asked language
directly instead of localising English ones; ``judge`` skips the unasked
filter when nothing was unasked; the cap scan looks only at answers with a
detail. Over a corpus of observations (every scenario of the catalogue
through zone files and the fake, servers that time out, refuse, answer
without authority or only without EDNS, a spent budget, caps reached, each
DNSSEC state, the customer's own servers), each shortcut must give exactly
what its plain definition gives. ``bench/report.py`` times the same corpus
against the code before these changes and compares every report whole.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import attrs
import pytest

from observations import corpus
from pecdns import ARUBA, Domain, Policy
from pecdns._check import report, verdict
from pecdns._codes import localise, render
from pecdns._limits import Limits, reached, reached_limits
from pecdns._models import BUDGET_SPENT, MXRecord, Outcome, Report
from pecdns._remedy import remedy
from pecdns._rules import RULES, Case, _only_unasked, _split_servers, judge
from pecdns.resolvers import Answer

if TYPE_CHECKING:
    from pecdns._models import Finding, Observation

AT = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
CORPUS = corpus()
IDS = [name for name, _, _ in CORPUS]


def _findings(obs: Observation, policy: Policy) -> list[Finding]:
    """Every rule's findings, unfiltered and unsorted."""
    case = Case(obs, policy)
    return [finding for rule in RULES for finding in rule(case)]


def test_the_corpus_covers_what_a_batch_meets() -> None:
    codes = {c for _, obs, policy in CORPUS for c in report(obs, policy).codes()}
    for code in (
        "MX_OK",
        "MX_WRONG_HOST",
        "MX_HYBRID",
        "DOMAIN_MX_HYBRID",
        "PEC_NAME_NXDOMAIN",
        "SETUP_EXTERNAL",
        "SETUP_DELEGATED",
        "LAME_DELEGATION",
        "SERVER_NO_RESPONSE",
        "EDNS_UNSUPPORTED",
        "CHECK_TIMED_OUT",
        "CHECK_LIMIT",
        "DNSSEC_BOGUS",
        "DNSSEC_UNKNOWN",
        "ZONE_NOT_LOADED",
    ):
        assert code in codes, code


@pytest.mark.parametrize(("name", "obs", "policy"), CORPUS, ids=IDS)
def test_a_case_holds_what_the_observation_says(
    name: str, obs: Observation, policy: Policy
) -> None:
    case = Case(obs, policy, "it")
    assert case.answers == obs.answers
    assert case.detailed == [a for a in obs.answers if a.detail]
    assert case.unasked == [a for a in obs.answers if a.detail == BUDGET_SPENT]
    assert case.delegated == obs.delegated
    assert case.authoritative_probes == obs.authoritative_probes
    names = {h.host for h in (*obs.hosts, *obs.ns_hosts)} | {"absent.example."}
    assert all(case.host(n) is obs.host(n) for n in names)
    assert case.pec_hosts == [r for r in obs.pec_mx.mx if not r.is_null] * (
        obs.pec_mx.outcome is Outcome.ANSWER
    )
    assert case.domain_hosts == [r for r in obs.domain_mx.mx if not r.is_null] * (
        obs.domain_mx.outcome is Outcome.ANSWER
    )


@pytest.mark.parametrize(("name", "obs", "policy"), CORPUS, ids=IDS)
def test_every_finding_is_its_arguments_rendered(
    name: str, obs: Observation, policy: Policy
) -> None:
    for lang in ("en", "it"):
        for finding in judge(obs, policy, lang=lang):
            args = dict(finding.args)
            assert args["pec"] == obs.pec_name[:-1]
            assert args["domain"] == obs.domain.name
            assert args["preference"] == str(policy.mx_preference)
            assert args["mx_line"] == policy.mx_line(obs.domain)
            assert args["mx"] == f"{obs.pec_name} MX {policy.mx}"
            assert (finding.message, finding.fix) == render(finding.code, args, lang)
            assert finding.severity is policy.severity(finding.code)


@pytest.mark.parametrize(("name", "obs", "policy"), CORPUS, ids=IDS)
def test_italian_reports_are_the_english_ones_localised(
    name: str, obs: Observation, policy: Policy
) -> None:
    english = report(obs, policy, at=AT)
    italian = report(obs, policy, at=AT, lang="it")
    localised = tuple(localise(f, "it") for f in english.findings)
    assert italian.findings == localised
    expected = Report(
        domain=obs.domain,
        verdict=verdict(localised),
        findings=localised,
        observation=obs,
        remedy=remedy(obs, localised, policy, "it"),
        policy=policy.name,
        checked_at=AT,
    )
    assert json.dumps(italian.to_dict()) == json.dumps(expected.to_dict())
    assert str(italian) == str(expected)
    assert english.codes() == italian.codes()


@pytest.mark.parametrize(("name", "obs", "policy"), CORPUS, ids=IDS)
def test_judge_filters_and_sorts_as_its_definition_says(
    name: str, obs: Observation, policy: Policy
) -> None:
    kept = [
        f for f in _findings(obs, policy) if f.code == "CHECK_TIMED_OUT" or not _only_unasked(f)
    ]
    assert judge(obs, policy) == tuple(sorted(kept, key=lambda f: -f.severity))


def test_without_unasked_questions_no_finding_rests_on_them_alone() -> None:
    for _, obs, policy in CORPUS:
        if not any(a.detail == BUDGET_SPENT for a in obs.answers):
            assert not any(_only_unasked(f) for f in _findings(obs, policy))


def _reached_plainly(obs: Observation, limits: Limits) -> list[tuple[str, tuple[Answer, ...]]]:
    """The cap scan as first written: every answer's detail, for every cap."""
    found: dict[str, tuple[Answer, ...]] = {}
    for a in (obs.pec_mx, obs.domain_mx):
        if (
            a.outcome is Outcome.ANSWER
            and len({m.exchange for m in a.mx if not m.is_null}) > limits.mx_hosts
        ):
            found["mx_hosts"] = (*found.get("mx_hosts", ()), a)
    referrals = [p.mx for p in obs.parent_probes if p.mx is not None and p.mx.referral]
    ns_sets = [obs.domain_ns] if obs.domain_ns.outcome is Outcome.ANSWER else []
    wide = tuple(
        a for a in (*ns_sets, *referrals) if len(set(a.referral or a.records)) > limits.name_servers
    )
    if wide:
        found["name_servers"] = wide
    many = [
        a for h in obs.ns_hosts if len(h.addresses) > limits.addresses_per_server for a in h.answers
    ]
    glued = []
    for r in referrals:
        counts: dict[str, int] = {}
        for host, _ in r.glue:
            counts[host] = counts.get(host, 0) + 1
        if max(counts.values(), default=0) > limits.addresses_per_server:
            glued.append(r)
    if many or glued:
        found["addresses_per_server"] = (*many, *glued)
    order = ("queries", "queries_per_question", "name_servers", "addresses_per_server", "mx_hosts")
    for cap in order:
        text = reached(cap, getattr(limits, cap))
        stopped = tuple(a for a in obs.answers if text in a.detail)
        if stopped:
            found[cap] = (*found.get(cap, ()), *stopped)
    return [(cap, found[cap]) for cap in order if cap in found]


def _stopped(obs: Observation, limits: Limits) -> Observation:
    """The observation with its PEC MX and first probe stopped by caps, as gathering marks them."""
    mx = Answer(
        obs.pec_mx.query, Outcome.TIMEOUT, detail=f"x; {reached('queries', limits.queries)}"
    )
    probes = obs.parent_probes
    if probes and probes[0].mx is not None:
        text = reached("queries_per_question", limits.queries_per_question)
        probes = (
            attrs.evolve(probes[0], mx=Answer(probes[0].mx.query, Outcome.ERROR, detail=text)),
            *probes[1:],
        )
    return attrs.evolve(obs, pec_mx=mx, parent_probes=probes)


@pytest.mark.parametrize(("name", "obs", "policy"), CORPUS, ids=IDS)
def test_the_cap_scan_finds_what_a_scan_of_every_detail_finds(
    name: str, obs: Observation, policy: Policy
) -> None:
    for limits in (policy.limits, Limits(mx_hosts=1, name_servers=1, addresses_per_server=1)):
        for seen in (obs, _stopped(obs, limits)):
            plain = _reached_plainly(seen, limits)
            assert reached_limits(seen, limits) == plain
            assert reached_limits(seen, limits, [a for a in seen.answers if a.detail]) == plain


def test_a_stopped_answer_is_named_by_its_cap() -> None:
    _, obs, policy = CORPUS[0]
    caps = [cap for cap, _ in reached_limits(_stopped(obs, policy.limits), policy.limits)]
    assert caps == ["queries", "queries_per_question"]


@pytest.mark.parametrize(("name", "obs", "policy"), CORPUS, ids=IDS)
def test_one_mail_host_is_never_a_mix(name: str, obs: Observation, policy: Policy) -> None:
    case = Case(obs, policy)
    codes = report(obs, policy).codes()
    for code, hosts in (("MX_HYBRID", case.pec_hosts), ("DOMAIN_MX_HYBRID", case.domain_hosts)):
        provider, others, _ = _split_servers([r.exchange for r in hosts], case)
        if code in codes:
            assert provider
            assert others
        if len({r.exchange for r in hosts}) < 2:
            assert not (provider and others)


def test_a_policy_derives_its_mx_and_networks_again_when_evolved() -> None:
    other = attrs.evolve(ARUBA, mx_host="mx.pec.example.net", mx_preference=5)
    assert other.mx == MXRecord(5, "mx.pec.example.net.")
    assert other.mx_line(Domain("example.it")) == "pec.example.it. 3600 IN MX 5 mx.pec.example.net."
    mine = attrs.evolve(ARUBA, own_mail_servers=["192.0.2.0/28", "2001:db8::/64"])
    assert mine.is_own_mail_server("mail.example.it.", ["192.0.2.7"])
    assert mine.is_own_mail_server("mail.example.it.", ["2001:db8::25"])
    assert not mine.is_own_mail_server("mail.example.it.", ["192.0.2.17", "2001:db8:1::25"])
    assert not ARUBA.is_own_mail_server("mail.example.it.", ["192.0.2.7"])
    assert attrs.evolve(mine, own_mail_servers=[]) == ARUBA
    assert hash(attrs.evolve(mine, own_mail_servers=[])) == hash(ARUBA)


ZONE_FIXED = {
    "PEC_NAME_NXDOMAIN",
    "PEC_NAME_ALIAS",
    "PEC_NAME_DNAME",
    "MX_MISSING",
    "MX_NULL",
    "MX_WRONG_HOST",
    "MX_EXTRA_HOST",
    "MX_WRONG_PREFERENCE",
    "MX_TRAILING_DOT",
    "MX_HYBRID",
    "MX_TARGET_IP_LITERAL",
    "MX_AT_REGISTRABLE",
    "DOMAIN_MX_HYBRID",
}
"""The findings a zone edit fixes (P4.2, P5, P6.2, P9): those the remedy writes."""


def test_a_remedy_exists_exactly_when_a_finding_has_a_zone_fix() -> None:
    for _, obs, policy in CORPUS:
        for lang in ("en", "it"):
            judged = report(obs, policy, lang=lang)
            fixable = bool(set(judged.codes()) & ZONE_FIXED)
            assert (judged.remedy is not None) == fixable, judged.codes()


def test_a_remedy_in_an_unknown_language_is_refused_even_when_empty() -> None:
    _, obs, policy = CORPUS[0]
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        remedy(obs, (), policy, "fr")
