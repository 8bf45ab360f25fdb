"""Gathering from a resolver that sends raw DNS: the DNSSEC walk and the probe without EDNS.

The resolver here is a FakeResolver for the questions and the in-process DNSSEC
lab (tests/dnssec_lab.py) for the raw ones, so every branch of ``gather`` runs
without a network.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import dns.message
import pytest
from attrs import evolve

from dnssec_lab import NOW, Lab
from helpers import PROVIDER
from pecdns import ARUBA, Domain, acheck, check
from pecdns._budget import budget
from pecdns._dnssec import DnssecStatus, Question
from pecdns._edns import LIKELY_CAUSE, Probe
from pecdns._limits import Limits
from pecdns._observe import aobserve, observe
from pecdns.exceptions import PecdnsError
from pecdns.resolvers import (
    Answer,
    AsyncRawResolver,
    Outcome,
    Query,
    RawResolver,
    ThreadedResolver,
)
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from collections.abc import Callable

    Raw = Question | Probe
    Reply = dns.message.Message | None

LAB = Lab()
POLICY = evolve(ARUBA, trust_anchor=LAB.anchor)
DATA: dict[str, Any] = {
    **PROVIDER,
    "secure.it": {"NS": ["ns1.example.net.", "ns2.example.net."]},
    "pec.secure.it": {"MX": "10 mx.pec.aruba.it."},
}
NS1, NS2 = "198.51.100.1", "198.51.100.2"


def _lab(question: Raw) -> Reply:
    return LAB.ask([question])[0] if isinstance(question, Question) else None


class RawFake:
    """A fake that also sends raw questions, to ``raw``, and counts them."""

    def __init__(
        self,
        handler: Callable[[Query], Answer | Outcome] | dict[str, Any] | None = None,
        raw: Callable[[Raw], Reply] = _lab,
    ) -> None:
        self.fake = FakeResolver(handler if handler is not None else DATA)
        self.raw = raw
        self.sent: list[Raw] = []

    def resolve(self, query: Query) -> Answer:
        return self.fake.resolve(query)

    def ask_raw(self, question: Raw) -> Reply:
        self.sent.append(question)
        return self.raw(question)


class AsyncRawFake(RawFake):
    async def resolve(self, query: Query) -> Answer:  # type: ignore[override]
        return self.fake.resolve(query)

    async def ask_raw(self, question: Raw) -> Reply:  # type: ignore[override]
        self.sent.append(question)
        return self.raw(question)


def test_a_raw_resolver_is_either_protocol() -> None:
    assert isinstance(RawFake(), RawResolver)
    assert isinstance(AsyncRawFake(), AsyncRawResolver)
    assert not isinstance(FakeResolver({}), RawResolver)


def test_gathering_from_a_raw_resolver_adds_the_dnssec_state() -> None:
    obs = observe(Domain("secure.it"), RawFake(), POLICY, at=NOW)
    assert obs.dnssec is not None
    assert (obs.dnssec.status, obs.dnssec.at) == (DnssecStatus.SECURE, NOW)


def test_signatures_are_checked_at_the_given_time() -> None:
    obs = observe(Domain("secure.it"), RawFake(), POLICY, at=NOW + timedelta(days=365))
    assert obs.dnssec is not None
    assert obs.dnssec.cause == "anchor"  # the lab's own keys have expired by then


def test_without_a_time_the_gathering_clock_is_recorded() -> None:
    before = datetime.now(timezone.utc)
    obs = observe(Domain("secure.it"), RawFake(), POLICY)
    assert obs.dnssec is not None
    assert obs.dnssec.at is not None
    assert before <= obs.dnssec.at <= datetime.now(timezone.utc)


def test_a_resolver_without_raw_dns_is_not_asked_and_leaves_no_state() -> None:
    report = check("secure.it", resolver=FakeResolver(DATA), policy=POLICY)
    assert report.observation.dnssec is None
    assert not [c for c in report.codes() if c.startswith("DNSSEC_")]


def test_a_bogus_state_makes_the_check_non_compliant() -> None:
    data = {**DATA, "expired.it": DATA["secure.it"], "pec.expired.it": DATA["pec.secure.it"]}
    report = check("expired.it", resolver=RawFake(data), policy=POLICY, at=NOW)
    assert report.verdict.value == "NON_COMPLIANT"
    assert report.codes()[0] == "DNSSEC_BOGUS"


def _silent_at(*addresses: str) -> Callable[[Query], Answer | Outcome]:
    """DATA, but the named servers never answer the PEC name's MX directly."""
    fake = FakeResolver(DATA)

    def handler(query: Query) -> Answer | Outcome:
        if query.server in addresses and query.rdtype == "MX":
            return Answer(query, Outcome.TIMEOUT, server=f"{query.server}#53", detail="no answer")
        return fake.resolve(query)

    return handler


def _answers_plainly(question: Raw) -> Reply:
    if isinstance(question, Probe):
        return dns.message.make_response(question.message())
    return _lab(question)


def test_a_silent_server_that_answers_without_edns_is_named() -> None:
    resolver = RawFake(_silent_at(NS2), _answers_plainly)
    obs = observe(Domain("secure.it"), resolver, POLICY, at=NOW)
    probes = [q for q in resolver.sent if isinstance(q, Probe)]
    assert probes == [Probe("pec.secure.it.", "MX", NS2)]
    silent = obs.parent_probes[1].mx
    assert silent is not None
    assert silent.detail == f"no answer; {LIKELY_CAUSE}"
    answered = obs.parent_probes[0].mx
    assert answered is not None
    assert LIKELY_CAUSE not in answered.detail


def test_a_silent_server_silent_without_edns_too_is_left_as_it_was() -> None:
    resolver = RawFake(_silent_at(NS2))
    obs = observe(Domain("secure.it"), resolver, POLICY, at=NOW)
    silent = obs.parent_probes[1].mx
    assert silent is not None
    assert silent.detail == "no answer"


def test_the_unreachable_finding_names_edns_from_the_probes() -> None:
    report = check("secure.it", resolver=RawFake(_silent_at(NS2), _answers_plainly), policy=POLICY)
    assert report.verdict.value == "COMPLIANT"  # the other server answers
    (silent,) = [f for f in report.findings if f.code == "SERVER_NO_RESPONSE"]
    assert LIKELY_CAUSE in silent.message


def _unreachable(*, recursive_server: str | None) -> Callable[[Query], Answer | Outcome]:
    """The PEC name's MX times out everywhere; the recursive answer names ``recursive_server``."""
    fake = FakeResolver(DATA)

    def handler(query: Query) -> Answer | Outcome:
        if query.rdtype == "MX" and query.name == "pec.secure.it.":
            server = f"{query.server}#53" if query.server else recursive_server
            return Answer(query, Outcome.TIMEOUT, server=server, detail="no answer")
        return fake.resolve(query)

    return handler


def test_an_unreachable_name_whose_servers_drop_edns_says_so_once() -> None:
    resolver = RawFake(_unreachable(recursive_server=f"{NS1}#53"), _answers_plainly)
    report = check("secure.it", resolver=resolver, policy=POLICY, at=NOW)
    (unreachable,) = [f for f in report.findings if f.code == "PEC_NAME_UNREACHABLE"]
    assert report.verdict.value == "NON_COMPLIANT"
    assert unreachable.message.count(LIKELY_CAUSE) == 1


def test_an_unreachable_name_names_edns_from_its_servers_probes() -> None:
    resolver = RawFake(_unreachable(recursive_server=None), _answers_plainly)
    report = check("secure.it", resolver=resolver, policy=POLICY, at=NOW)
    (unreachable,) = [f for f in report.findings if f.code == "PEC_NAME_UNREACHABLE"]
    assert f"ns1.example.net ({NS1}): {LIKELY_CAUSE}" in unreachable.message
    assert f"ns2.example.net ({NS2}): {LIKELY_CAUSE}" in unreachable.message


def _raises(error: Exception) -> Callable[[Raw], Reply]:
    def raw(question: Raw) -> Reply:
        raise error

    return raw


def test_a_raw_resolver_that_raises_leaves_the_state_unknown() -> None:
    obs = observe(Domain("secure.it"), RawFake(raw=_raises(OSError("boom"))), POLICY, at=NOW)
    assert obs.dnssec is not None
    assert (obs.dnssec.status, obs.dnssec.cause) == (DnssecStatus.UNKNOWN, "no_answer")


def test_pecdns_own_errors_from_a_raw_resolver_are_raised() -> None:
    with pytest.raises(PecdnsError):
        observe(Domain("secure.it"), RawFake(raw=_raises(PecdnsError("misuse"))), POLICY, at=NOW)


def test_past_the_budget_no_raw_question_is_sent() -> None:
    resolver = RawFake()
    with budget(0.05):
        time.sleep(0.06)
        obs = observe(Domain("secure.it"), resolver, POLICY, at=NOW)
    assert resolver.sent == []
    assert obs.dnssec is not None
    assert obs.dnssec.cause == "no_answer"


def _plain_questions() -> int:
    """How many questions gathering asks about secure.it before any raw one."""
    return check("secure.it", resolver=FakeResolver(DATA), policy=POLICY).observation.queries


def test_past_the_query_cap_no_raw_question_is_sent() -> None:
    resolver = RawFake()
    cap = _plain_questions()
    with budget(None, Limits(queries=cap)) as tally:
        observe(Domain("secure.it"), resolver, POLICY, at=NOW)
    assert resolver.sent == []
    assert tally.asked == cap


def test_raw_questions_are_counted_as_asked() -> None:
    resolver = RawFake()
    with budget(None) as tally:
        obs = observe(Domain("secure.it"), resolver, POLICY, at=NOW)
    assert len(resolver.sent) > 0
    assert obs.queries == tally.asked


# -- asyncio ---------------------------------------------------------------------------------


def test_aobserve_gathers_the_same_state() -> None:
    sync = observe(Domain("secure.it"), RawFake(), POLICY, at=NOW)
    resolver = AsyncRawFake(_silent_at(NS2), _answers_plainly)
    obs = asyncio.run(aobserve(Domain("secure.it"), resolver, POLICY, at=NOW))
    assert obs.dnssec == sync.dnssec
    silent = obs.parent_probes[1].mx
    assert silent is not None
    assert LIKELY_CAUSE in silent.detail


def test_acheck_through_a_thread_asks_the_wrapped_raw_resolver() -> None:
    report = asyncio.run(acheck("secure.it", resolver=RawFake(), policy=POLICY, at=NOW))
    assert "DNSSEC_SECURE" in report.codes()


def test_a_threaded_resolver_without_raw_dns_sends_nothing_raw() -> None:
    wrapped = ThreadedResolver(FakeResolver(DATA))
    assert not wrapped.speaks_raw
    assert asyncio.run(wrapped.ask_raw(Question(".", "DNSKEY", "."))) is None
    obs = asyncio.run(aobserve(Domain("secure.it"), wrapped, POLICY, at=NOW))
    assert obs.dnssec is None


def test_an_async_raw_resolver_that_raises_leaves_the_state_unknown() -> None:
    resolver = AsyncRawFake(raw=_raises(OSError("boom")))
    obs = asyncio.run(aobserve(Domain("secure.it"), resolver, POLICY, at=NOW))
    assert obs.dnssec is not None
    assert obs.dnssec.cause == "no_answer"


def test_an_async_raw_resolver_raising_pecdns_errors_raises() -> None:
    resolver = AsyncRawFake(raw=_raises(PecdnsError("misuse")))
    with pytest.raises(PecdnsError):
        asyncio.run(aobserve(Domain("secure.it"), resolver, POLICY, at=NOW))


def test_an_async_raw_resolver_past_the_cap_or_budget_is_not_asked() -> None:
    async def run(seconds: float | None, limits: Limits) -> AsyncRawFake:
        resolver = AsyncRawFake()
        with budget(seconds, limits):
            if seconds is not None:
                await asyncio.sleep(seconds + 0.01)
            await aobserve(Domain("secure.it"), resolver, POLICY, at=NOW)
        return resolver

    assert asyncio.run(run(None, Limits(queries=_plain_questions()))).sent == []
    assert asyncio.run(run(0.05, Limits())).sent == []
