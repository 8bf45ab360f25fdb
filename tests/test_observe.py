from __future__ import annotations

import asyncio
import collections
import threading
import time
from typing import TYPE_CHECKING

from attrs import evolve

from helpers import EXTERNAL_NS, PROVIDER
from pecdns import ARUBA, Domain, check
from pecdns import _observe as observe_module
from pecdns._budget import budget
from pecdns._limits import Limits
from pecdns._models import BUDGET_SPENT, HostLookup
from pecdns._observe import OVERRAN, _lookups, aobserve, observe
from pecdns.resolvers import Answer, Outcome, Query, RRType
from pecdns.testing import AsyncFakeResolver, FakeResolver

if TYPE_CHECKING:
    import pytest

DOMAIN = Domain("example.it")


def test_gathering_asks_each_question_once_and_judges_nothing() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    obs = observe(DOMAIN, fake, ARUBA)
    asked = collections.Counter((q.name, q.rdtype) for q in fake.queries)
    assert asked == collections.Counter(
        [
            ("pec.example.it.", RRType.MX),
            ("example.it.", RRType.MX),
            ("example.it.", RRType.NS),
            ("pec.example.it.", RRType.NS),
            ("mx.pec.aruba.it.", RRType.A),
        ]
    )
    assert obs.pec_name == "pec.example.it."
    assert [h.host for h in obs.hosts] == ["mx.pec.aruba.it."]


def test_aaaa_is_asked_only_when_a_gives_no_address() -> None:
    fake = FakeResolver(
        {
            **PROVIDER,
            "pec.example.it": {"MX": "10 v6.example.it."},
            "v6.example.it": {"AAAA": "2001:db8::1"},
        }
    )
    obs = observe(DOMAIN, fake, ARUBA)
    lookup = obs.host("v6.example.it.")
    assert lookup is not None
    assert lookup.addresses == ("2001:db8::1",)
    assert Query("mx.pec.aruba.it", "AAAA") not in fake.queries


def test_nxdomain_host_needs_no_aaaa_question() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 gone.example.it."}})
    observe(DOMAIN, fake, ARUBA)
    assert Query("gone.example.it", "AAAA") not in fake.queries


def test_null_mx_host_is_not_looked_up() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "0 ."}})
    obs = observe(DOMAIN, fake, ARUBA)
    assert [h.host for h in obs.hosts] == ["mx.pec.aruba.it."]


def test_a_resolver_that_raises_gives_an_error_answer() -> None:
    def broken(query: Query) -> Answer:
        raise RuntimeError("socket\nexploded")

    obs = observe(DOMAIN, FakeResolver(broken), ARUBA)
    assert obs.pec_mx.outcome is Outcome.ERROR
    assert obs.pec_mx.detail == "RuntimeError: socket\\nexploded"


def test_an_answer_to_another_question_is_an_error() -> None:
    obs = observe(
        DOMAIN,
        FakeResolver(lambda q: Answer(Query("x.example", q.rdtype), Outcome.NXDOMAIN)),
        ARUBA,
    )
    assert obs.pec_mx.outcome is Outcome.ERROR
    assert "another question" in obs.pec_mx.detail


def test_malformed_mx_data_from_a_resolver_is_an_error_answer() -> None:
    class Sloppy:
        def resolve(self, query: Query) -> Answer:
            if query.rdtype is RRType.MX:
                return Answer(query, Outcome.ANSWER, ["not an mx"])
            return Answer(query, Outcome.NODATA)

    obs = observe(DOMAIN, Sloppy(), ARUBA)
    assert obs.pec_mx.outcome is Outcome.ERROR
    assert "malformed answer" in obs.pec_mx.detail


# --- Rounds at once, bounded, counted (issue 10) ------------------------------------------


def test_a_rounds_questions_are_asked_at_once_but_no_more_than_in_flight() -> None:
    lock, now, peak = threading.Lock(), [0], [0]

    def slow(query: Query) -> Outcome:
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.05)
        with lock:
            now[0] -= 1
        return Outcome.NXDOMAIN

    observe(DOMAIN, FakeResolver(slow), evolve(ARUBA, limits=Limits(in_flight=2)))
    assert peak[0] == 2


def test_an_observation_counts_the_questions_of_its_check() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    report = check("example.it", resolver=fake)
    assert report.observation.queries == len(fake.queries) == 5


def test_past_the_query_cap_no_question_is_asked_and_the_finding_names_the_cap() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    policy = evolve(ARUBA, limits=Limits(queries=4))
    report = check("example.it", resolver=fake, policy=policy)
    assert len(fake.queries) == 4
    assert report.observation.queries == 4
    limit = next(f for f in report.findings if f.code == "CHECK_LIMIT")
    assert "Limits.queries = 4" in limit.message
    assert dict(limit.args)["cap"] == "Limits.queries"


def test_a_resolver_past_the_budget_is_left_behind_and_the_rest_unasked() -> None:
    def stuck(query: Query) -> Outcome:
        time.sleep(1.0)
        return Outcome.NXDOMAIN

    policy = evolve(ARUBA, limits=Limits(in_flight=1))
    started = time.monotonic()
    with budget(0.1):
        obs = observe(DOMAIN, FakeResolver(stuck), policy)
    assert time.monotonic() - started < 0.1 + 0.25 + 0.2
    control = obs.host(ARUBA.mx_host)
    assert control is not None
    assert control.a.detail == OVERRAN  # asked first, one at a time
    assert obs.pec_mx.detail == BUDGET_SPENT


def test_answers_in_before_the_budget_ran_out_are_kept() -> None:
    def one_stuck(query: Query) -> Outcome:
        if query == Query("example.it", "MX"):
            time.sleep(1.0)
        return Outcome.NXDOMAIN

    with budget(0.1):
        obs = observe(DOMAIN, FakeResolver(one_stuck), ARUBA)
    assert obs.pec_mx.outcome is Outcome.NXDOMAIN
    assert obs.domain_mx.detail == OVERRAN


def test_an_async_resolver_past_the_budget_is_left_behind() -> None:
    async def stuck(query: Query) -> Answer:
        await asyncio.sleep(1.0)
        return Answer(query, Outcome.NXDOMAIN)

    async def run() -> Answer:
        with budget(0.1):
            obs = await aobserve(DOMAIN, AsyncFakeResolver(stuck), ARUBA)
        return obs.pec_mx

    assert asyncio.run(run()).detail == OVERRAN


def test_gathering_outside_a_check_counts_nothing() -> None:
    fake = AsyncFakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    assert asyncio.run(aobserve(DOMAIN, fake, ARUBA)).queries == 0


def test_a_delegation_to_servers_without_address_asks_the_child_nothing() -> None:
    # pec.example.it is delegated to a name server with no glue and no address: there is no
    # server of the PEC zone to ask its NS set of (P6.1).
    recursive = FakeResolver({**PROVIDER, "example.it": EXTERNAL_NS})

    def handler(query: Query) -> Answer | Outcome:
        if query.server is not None and query.name == "pec.example.it.":
            return Answer(
                query, Outcome.REFERRAL, zone="pec.example.it", referral=("ns.nowhere.example.",)
            )
        return recursive.resolve(query)

    fake = FakeResolver(handler)
    obs = observe(DOMAIN, fake, ARUBA)
    assert [(p.name, p.address) for p in obs.child_probes] == [("ns.nowhere.example.", None)]
    assert obs.child_ns is None
    assert not any(q.rdtype is RRType.NS and q.server for q in fake.queries)


def _address_lookups(answers: dict[str, Answer]) -> dict[str, HostLookup]:
    """The look-ups ``_lookups`` makes when every A question gets the given answer."""
    walk = _lookups(list(answers))
    try:
        questions = next(walk)
        walk.send([answers[q.name[:-1]] for q in questions])
    except StopIteration as stop:
        result: dict[str, HostLookup] = stop.value
        return result
    raise AssertionError("an answered A question asks no AAAA")


def test_checks_given_the_same_cached_answer_share_one_host_lookup() -> None:
    cached = Answer(Query("ns1.hosting.test", "A"), Outcome.ANSWER, ["192.0.2.53"])
    first = _address_lookups({"ns1.hosting.test": cached})
    second = _address_lookups({"ns1.hosting.test": cached})
    assert first["ns1.hosting.test"] is second["ns1.hosting.test"]


def test_equal_answers_asked_apart_make_equal_but_separate_host_lookups() -> None:
    def fresh() -> Answer:
        return Answer(Query("mail.cliente.it", "A"), Outcome.ANSWER, ["192.0.2.25"])

    first = _address_lookups({"mail.cliente.it": fresh()})["mail.cliente.it"]
    second = _address_lookups({"mail.cliente.it": fresh()})["mail.cliente.it"]
    assert first == second
    assert first is not second


def test_shared_host_lookups_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(observe_module, "_MAX_SHARED_LOOKUPS", 3)
    monkeypatch.setattr(observe_module, "_SHARED_LOOKUPS", {})
    answers = [Answer(Query(f"h{i}.test", "A"), Outcome.ANSWER, ["192.0.2.1"]) for i in range(7)]
    for answer in answers:
        _address_lookups({answer.query.name[:-1]: answer})
        assert len(observe_module._SHARED_LOOKUPS) <= 3
