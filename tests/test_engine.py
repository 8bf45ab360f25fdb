"""The one-loop engine: the same reports as check(), in order, without stalls."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
import socket
import threading
import time
from typing import TYPE_CHECKING, Any, cast

import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import pytest
from attrs import evolve

from dnssec_lab import NOW as LAB_NOW
from dnssec_lab import Lab
from dnssec_lab import answer as lab_answer
from dnsserver import Behaviour, Reply, serve
from observations import ZONE_DATA, ZONES, fake_mapping
from pecdns import ARUBA, Report, Verdict, check
from pecdns._batch import InvalidInput, acheck
from pecdns._dnssec import Question
from pecdns._engine import collector_paused, fast_resolver, run
from pecdns._limits import Limits
from pecdns.exceptions import PecdnsError
from pecdns.resolvers import (
    Answer,
    AsyncDnsResolver,
    DnsResolver,
    Outcome,
    Query,
    ZoneResolver,
    _wire,
)
from pecdns.resolvers._fast import FastResolver
from pecdns.testing import AsyncFakeResolver, FakeDNS, FakeResolver
from world import (
    NS1,
    SCENARIOS,
    running,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

DOMAINS = [s.domain for s in ZONES]


def _same_as_check(resolver: object, domains: list[str], **options: object) -> None:
    expected = [check(d, resolver=resolver) for d in domains]  # type: ignore[arg-type]
    assert list(run(domains, resolver=resolver, **options)) == expected  # type: ignore[arg-type]


def test_reports_equal_checks_through_the_fake() -> None:
    _same_as_check(FakeResolver(fake_mapping(ZONE_DATA)), DOMAINS)


def test_reports_equal_checks_through_zone_files() -> None:
    _same_as_check(ZoneResolver(*ZONE_DATA.values()), DOMAINS)


def test_reports_equal_checks_for_every_fake_dns_scenario() -> None:
    dns = FakeDNS().compliant("a.it").wrong_host("b.it").hybrid("c.it").nxdomain("d.it")
    dns = dns.servfail("e.it").external_ns("b.it").null_mx("f.it")
    _same_as_check(dns, ["a.it", "b.it", "c.it", "d.it", "e.it", "f.it"])


def test_an_invalid_input_gives_its_own_result_in_place() -> None:
    fake = FakeDNS().compliant("a.it")
    results = list(run(["a.it", "not a domain", "a.it"], resolver=fake))
    assert isinstance(results[1], InvalidInput)
    assert results[0] == results[2] == check("a.it", resolver=fake)


def test_unordered_output_holds_every_result() -> None:
    fake = FakeResolver(fake_mapping(ZONE_DATA))
    results = list(run(DOMAINS, resolver=fake, ordered=False))
    assert sorted(r.domain.name for r in results) == sorted(DOMAINS)  # type: ignore[union-attr]


def test_an_async_resolver_is_awaited() -> None:
    class Slow:
        async def resolve(self, query: Query) -> Answer:
            await asyncio.sleep(0.01)
            return Answer(query, Outcome.NXDOMAIN)

    (result,) = run(["example.it"], resolver=Slow())
    assert result == asyncio.run(acheck("example.it", resolver=Slow()))


def test_a_slow_check_does_not_stop_the_others() -> None:
    class OneSlow:
        async def resolve(self, query: Query) -> Answer:
            if query.name.endswith("slow.it."):
                await asyncio.sleep(0.5)
            return Answer(query, Outcome.NXDOMAIN)

    domains = ["slow.it"] + [f"d{i}.it" for i in range(200)]
    started = time.monotonic()
    results = list(run(domains, resolver=OneSlow(), concurrency=4))
    assert [r.domain.name for r in results] == domains  # type: ignore[union-attr]
    # With a window of 4 and no reorder buffer this would take 200/3 rounds of
    # the fast checks after the slow one; with it, about the slow check's time.
    assert time.monotonic() - started < 1.5


def test_the_budget_bounds_a_check() -> None:
    class Never:
        async def resolve(self, _query: Query) -> Answer:
            await asyncio.sleep(10)
            raise AssertionError("not reached")

    started = time.monotonic()
    (result,) = run(["example.it"], resolver=Never(), timeout=0.3)
    assert str(result.verdict) == "UNDETERMINED"
    assert time.monotonic() - started < 1.0


def test_a_running_loop_is_left_alone() -> None:
    fake = FakeDNS().compliant("a.it")

    async def main() -> list[object]:
        return list(run(["a.it"], resolver=fake))

    assert asyncio.run(main()) == [check("a.it", resolver=fake)]


def test_a_dns_resolver_becomes_a_fast_resolver_with_its_settings() -> None:
    fast = fast_resolver(DnsResolver(["192.0.2.1"], port=5353, timeout=0.7, lifetime=1.5))
    assert isinstance(fast, FastResolver)
    assert (fast.nameservers, fast.port, fast.timeout, fast.lifetime) == (
        ("192.0.2.1",),
        5353,
        0.7,
        1.5,
    )


@pytest.mark.parametrize("bad", [{"concurrency": 0}, {"reorder": 0}])
def test_window_sizes_must_be_positive(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        run([], **bad)  # type: ignore[arg-type]


# -- against real servers on loopback: the same reports as check() through DnsResolver --


@pytest.fixture(scope="module")
def world_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with running(tmp_path_factory.mktemp("engine-world")) as port:
        yield port


@pytest.mark.integration
def test_reports_equal_checks_on_real_servers(world_port: int) -> None:
    stub = DnsResolver([NS1], port=world_port, timeout=0.5, lifetime=2.0)
    # The engine asks what check() asks, raw DNS included (the DNSSEC walk, issue 13).
    domains = [s.domain for s in SCENARIOS]
    expected = [check(d, resolver=stub) for d in domains]
    reports = list(run(domains, resolver=stub))
    assert reports == expected
    assert all(r.observation.dnssec is not None for r in reports)  # type: ignore[union-attr]


def test_a_batch_left_early_closes_cleanly() -> None:
    fake = FakeDNS().compliant("a.it")
    results = run(["a.it"] * 50, resolver=fake, concurrency=2)
    assert next(results) == check("a.it", resolver=fake)
    results.close()  # type: ignore[attr-defined]


# -- the hardening caps and budgets hold on the engine as in check() (issues 10 and 11) --------


def test_the_query_cap_gives_check_s_check_limit() -> None:
    policy = evolve(ARUBA, limits=Limits(queries=3))
    fake = FakeResolver(fake_mapping(ZONE_DATA))
    expected = [check(d, resolver=fake, policy=policy) for d in DOMAINS]
    results = list(run(DOMAINS, resolver=fake, policy=policy))
    assert results == expected
    assert all("CHECK_LIMIT" in r.codes() for r in results)
    assert [r.observation.queries for r in results] == [3] * len(DOMAINS)  # type: ignore[union-attr]


def test_the_queries_asked_are_reported_as_check_reports_them() -> None:
    fake = FakeResolver(fake_mapping(ZONE_DATA))
    for domain in DOMAINS:
        (result,) = run([domain], resolver=fake)
        expected = check(domain, resolver=fake)
        assert result.observation.queries == expected.observation.queries > 0  # type: ignore[union-attr]


def test_a_check_keeps_at_most_its_in_flight_limit_waiting() -> None:
    waiting = 0
    peak = 0

    class Counting:
        async def resolve(self, query: Query) -> Answer:
            nonlocal waiting, peak
            waiting += 1
            peak = max(peak, waiting)
            await asyncio.sleep(0.01)
            waiting -= 1
            return Answer(query, Outcome.NXDOMAIN)

    policy = evolve(ARUBA, limits=Limits(in_flight=2))
    list(run(["example.it"], resolver=Counting(), policy=policy))
    assert peak == 2
    peak = 0
    list(run(["example.it"], resolver=Counting()))
    assert peak == 5  # the first round's five questions at once


@pytest.mark.integration
def test_a_spent_budget_gives_check_s_findings_on_real_servers(world_port: int) -> None:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) as silent:
        silent.bind(("127.0.0.1", 0))  # bound, never read: every question is lost
        port = silent.getsockname()[1]
        stub = DnsResolver(["127.0.0.1"], port=port, timeout=2.0, lifetime=5.0)
        expected = check("example.it", resolver=stub, timeout=0.4)
        started = time.monotonic()
        (result,) = run(["example.it"], resolver=stub, timeout=0.4)
    assert time.monotonic() - started < 0.9  # the budget, within 0.5 s
    assert result.codes() == expected.codes()
    assert result.verdict == expected.verdict


@pytest.mark.integration
def test_queries_sent_equal_check_s_on_real_servers(world_port: int) -> None:
    stub = DnsResolver([NS1], port=world_port, timeout=0.5, lifetime=2.0)
    for scenario in SCENARIOS:
        (result,) = run([scenario.domain], resolver=stub)
        expected = check(scenario.domain, resolver=stub)
        assert result.observation.queries == expected.observation.queries  # type: ignore[union-attr]


def test_indexed_unordered_results_say_which_input_they_answer() -> None:
    fake = FakeResolver(fake_mapping(ZONE_DATA))
    results = run([*DOMAINS, "not a domain"], resolver=fake, ordered=False, indexed=True)
    pairs = cast("list[tuple[int, object]]", list(results))
    assert sorted(i for i, _ in pairs) == list(range(len(DOMAINS) + 1))
    by_index = dict(pairs)
    assert [by_index[i] for i in range(len(DOMAINS))] == [check(d, resolver=fake) for d in DOMAINS]


# -- raw DNS on the engine: the DNSSEC walk, shared across a batch (issue 13) ----------------


class _RawFake:
    """An async resolver that also answers raw DNS, counting each raw question it is sent."""

    def __init__(self, fake: FakeDNS) -> None:
        self.fake = fake
        self.raw: list[str] = []

    async def resolve(self, query: Query) -> Answer:
        return self.fake.resolve(query)

    async def ask_raw(self, question: Any) -> dns.message.Message:
        self.raw.append(f"{question.name} {question.rdtype}")
        return dns.message.make_response(question.message())  # an empty, signed-less answer


def test_the_engine_walks_dnssec_as_check_does() -> None:
    source = _RawFake(FakeDNS().compliant("a.it"))
    (report,) = run(["a.it"], resolver=source)
    one = check("a.it", resolver=FakeDNS().compliant("a.it"))
    assert isinstance(report, Report)
    assert report.observation.dnssec is not None
    assert report.observation.dnssec.status.value == "UNKNOWN"
    assert "DNSSEC_UNKNOWN" in report.codes()
    assert one.observation.dnssec is None  # a plain fake carries no DNSSEC data: not asked


def test_the_dnssec_walk_s_shared_questions_are_asked_once_a_batch() -> None:
    source = _RawFake(FakeDNS().compliant("a.it").compliant("b.it").compliant("c.it"))
    reports = list(run(["a.it", "b.it", "c.it"], resolver=source, concurrency=1))
    assert len(reports) == 3
    assert source.raw.count(". DNSKEY") == 1


class _SlowRawFake(_RawFake):
    """As _RawFake, its raw answers coming a moment late (so that many checks ask at once)."""

    async def ask_raw(self, question: Any) -> dns.message.Message:
        await asyncio.sleep(0.01)
        return await super().ask_raw(question)


def test_checks_in_flight_together_share_one_question_for_the_root_keys() -> None:
    names = [f"d{i}.it" for i in range(50)]
    fake = FakeDNS()
    for name in names:
        fake.compliant(name)
    source = _SlowRawFake(fake)
    reports = list(run(names, resolver=source, concurrency=50))
    assert len(reports) == 50
    assert source.raw.count(". DNSKEY") == 1  # not one per check waiting for it


def test_a_check_that_finds_the_walk_cached_counts_its_questions_as_one_that_asks() -> None:
    fake = FakeDNS().compliant("a.it").compliant("b.it")
    source = _RawFake(fake)
    first, second = run(["a.it", "b.it"], resolver=source, concurrency=1)
    assert isinstance(first, Report)
    assert isinstance(second, Report)
    assert first.observation.queries == second.observation.queries
    assert source.raw.count(". DNSKEY") == 1


class _RaisingRawFake(_RawFake):
    """As _RawFake, but its raw questions are a misuse (a replay that never recorded them)."""

    async def ask_raw(self, question: Any) -> dns.message.Message:
        raise PecdnsError(f"no recorded response to {question.name} {question.rdtype}")


def test_a_raw_question_the_resolver_refuses_as_misuse_fails_that_check_not_the_batch() -> None:
    source = _RaisingRawFake(FakeDNS().compliant("a.it").compliant("b.it"))
    reports = list(run(["a.it", "b.it"], resolver=source, timeout=5))
    assert len(reports) == 2  # before: the batch waited for ever
    for report in reports:
        assert isinstance(report, Report)
        assert report.verdict is Verdict.UNDETERMINED
        assert "no recorded response to . DNSKEY" in str(report.to_dict())


def test_a_report_that_cannot_be_made_ends_its_check_not_the_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pecdns._check import report as judge  # noqa: PLC0415 -- the judge being swapped

    def failing(observation: Any, *args: Any, **kwargs: Any) -> Report:
        if observation.domain.name == "a.it" and observation.pec_mx.outcome is Outcome.ANSWER:
            raise RuntimeError("a rule's bug")
        return judge(observation, *args, **kwargs)

    monkeypatch.setattr("pecdns._engine.report", failing)
    fake = FakeDNS().compliant("a.it").compliant("b.it")
    first, second = run(["a.it", "b.it"], resolver=fake, timeout=5)
    assert isinstance(first, Report)
    assert isinstance(second, Report)
    assert first.verdict is Verdict.UNDETERMINED
    assert "RuntimeError: a rule's bug" in str(first.to_dict())
    assert second.verdict is Verdict.COMPLIANT


def test_the_collector_is_paused_only_while_the_engine_runs_its_loop() -> None:
    seen: list[bool] = []

    def handler(query: Query) -> list[str] | Outcome:
        seen.append(gc.isenabled())  # the resolver runs inside the engine's loop
        return ["10 mx.pec.aruba.it."] if query.rdtype.value == "MX" else Outcome.NXDOMAIN

    # The caller's own code, between results:
    between = [gc.isenabled() for _ in run(["a.it", "b.it"], resolver=FakeResolver(handler))]
    assert seen
    assert not any(seen)
    assert all(between)
    assert gc.isenabled()


def test_a_collector_the_caller_disabled_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_batch_run_off_the_main_thread_leaves_the_collector_alone() -> None:
    seen: list[bool] = []

    def handler(query: Query) -> list[str] | Outcome:
        seen.append(gc.isenabled())
        return ["10 mx.pec.aruba.it."] if query.rdtype.value == "MX" else Outcome.NXDOMAIN

    def batch() -> None:
        list(run(["a.it"], resolver=FakeResolver(handler)))

    worker = threading.Thread(target=batch)
    worker.start()
    worker.join(timeout=30)
    assert seen
    assert all(seen)  # other threads (the caller's) may be running alongside


# -- the DNSSEC walk on FastResolver's own sockets (issue 11) ------------------------------


def _lab_resolver(lab: Lab) -> Behaviour:
    """A validating resolver's view of the lab (CD: bogus data handed over), and its servers'.

    Each question is answered from the deepest lab zone at or above its name
    (strictly above for a DS set, which the parent holds).
    """
    origins = {dns.name.from_text(origin): zone for origin, zone in lab.zones.items()}

    def reply(query: dns.message.Message, transport: str) -> Reply:
        question = query.question[0]
        holders = [
            origin
            for origin in origins
            if question.name.is_subdomain(origin)
            and not (question.rdtype == dns.rdatatype.DS and question.name == origin)
        ]
        origin = max(holders, key=len)
        rdtype = dns.rdatatype.to_text(question.rdtype)
        made = lab_answer(origins[origin], Question(question.name.to_text(), rdtype, str(origin)))
        assert made is not None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        response.set_rcode(made.rcode())
        response.answer, response.authority = made.answer, made.authority
        return response

    return reply


def test_the_dnssec_walk_on_the_fast_sockets_reports_as_the_dnspython_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lab = Lab(provider_address="127.0.0.25")
    policy = evolve(ARUBA, trust_anchor=lab.anchor)
    names = ["secure.it", "unsigned.it", "expired.it", "tampered.it", "unproven.it"]
    with serve({}, default=_lab_resolver(lab)) as (_, port):
        reference = AsyncDnsResolver(["127.0.0.1"], port=port, timeout=1.0)
        expected = list(run(names, resolver=reference, policy=policy, at=LAB_NOW))

        async def unused(*_: object) -> None:
            raise AssertionError("the fast path asks raw questions on its own sockets")

        monkeypatch.setattr(_wire, "_aexchange", unused)  # dnspython's socket per question
        fast = FastResolver(["127.0.0.1"], port=port, timeout=1.0)
        reports = list(run(names, resolver=fast, policy=policy, at=LAB_NOW))
    assert reports == expected
    states = [r.observation.dnssec for r in reports if isinstance(r, Report)]
    assert [(s.status.value, s.cause) for s in states if s is not None] == [
        ("SECURE", "secure"),
        ("INSECURE", "unsigned"),
        ("BOGUS", "expired"),
        ("BOGUS", "bad_signature"),
        ("BOGUS", "unproven_insecure"),
    ]


# -- handing results over: soon, and in bunches (issue 11) ---------------------------------


def test_results_ready_together_are_handed_over_in_bunches(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = 0
    real = asyncio.BaseEventLoop.run_forever

    def counted(self: asyncio.BaseEventLoop) -> None:
        nonlocal runs
        runs += 1
        real(self)

    monkeypatch.setattr(asyncio.BaseEventLoop, "run_forever", counted)
    fake = FakeDNS()
    names = [f"d{i}.it" for i in range(100)]
    for name in names:
        fake.compliant(name)

    async def staggered(query: Query) -> Answer:  # d<i>.it's answers come i * 2 ms late
        late = re.search(r"\bd(\d+)\.it\.$", query.name)
        await asyncio.sleep(int(late.group(1)) * 0.002 if late else 0)
        return fake.resolve(query)

    results = list(run(names, resolver=AsyncFakeResolver(staggered), concurrency=100))
    assert all(isinstance(r, Report) and r.verdict is Verdict.COMPLIANT for r in results)
    assert runs <= 30  # a result at a time, it was a run of the loop for each (about 100)


def test_a_ready_result_is_handed_over_while_other_checks_still_run() -> None:
    handed = asyncio.Event()
    fake = FakeDNS().compliant("quick.it").compliant("slow.it")

    async def handler(query: Query) -> Answer:
        if query.name.endswith("slow.it."):
            # Answers only once the caller holds quick.it's report: held back until every
            # check ends, it would wait here for its whole budget.
            await asyncio.wait_for(handed.wait(), 5.0)
        return fake.resolve(query)

    results = run(["quick.it", "slow.it"], resolver=AsyncFakeResolver(handler), ordered=False)
    first = next(results)
    handed.set()
    second = next(results)
    assert isinstance(first, Report)
    assert isinstance(second, Report)
    assert [r.domain.name for r in (first, second)] == ["quick.it", "slow.it"]
    assert second.verdict is Verdict.COMPLIANT
