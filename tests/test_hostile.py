"""Hostile servers on loopback (issue 10): off-path packets, fan-out, truncation, budgets.

Every name server a checked domain names may be hostile, and a hosting
company runs pecdns unattended over its whole portfolio. Each test here runs
one attack against a scripted server on 127.0.0.1 (or a fake resolver, where
only counting matters) and checks that the check survives it: the right
verdict, a bounded cost (queries, time, threads, file descriptors), and a
finding naming any cap that stopped it.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import dns.flags
import dns.message
import dns.rcode
import pytest
from attrs import evolve

from dnsserver import (
    STRAYS,
    Behaviour,
    Reply,
    rcode,
    records,
    referral,
    serve,
    silence,
    stray,
)
from pecdns import ARUBA, InvalidInput, Verdict, acheck, check, check_many
from pecdns._limits import Limits
from pecdns.resolvers import (
    AsyncDnsResolver,
    DnsResolver,
    IterativeResolver,
    Outcome,
    Query,
    ThreadedResolver,
)
from pecdns.resolvers._wire import ask
from pecdns.testing import AsyncFakeResolver, FakeResolver

if TYPE_CHECKING:
    from pecdns._models import Report

OK = records("10 mx.pec.aruba.it.")
NODATA = rcode(dns.rcode.NOERROR)


def _compliant() -> dict[tuple[str, str], Behaviour]:
    """example.it, served by ns1.example.it (the scripted server itself), compliant."""
    return {
        ("pec.example.it", "MX"): OK,
        ("example.it", "NS"): records("ns1.example.it."),
        ("ns1.example.it", "A"): records("127.0.0.1"),
        ("mx.pec.aruba.it", "A"): records("192.0.2.25"),
        ("example.it", "MX"): NODATA,
        ("pec.example.it", "NS"): NODATA,
    }


def _with_strays(kind: str) -> dict[tuple[str, str], Behaviour]:
    return {key: stray(kind, behaviour) for key, behaviour in _compliant().items()}


# --- 1. Off-path packets ---------------------------------------------------------------


@pytest.mark.parametrize("kind", STRAYS)
def test_a_stray_packet_does_not_end_a_direct_query(kind: str) -> None:
    with serve(_with_strays(kind)) as (_, port):
        answer = ask(Query("pec.example.it", "MX"), "127.0.0.1", port=port, timeout=1.0)
    assert answer.outcome is Outcome.ANSWER, answer.detail
    assert answer.records == ("10 mx.pec.aruba.it.",)


@pytest.mark.parametrize("kind", STRAYS)
def test_a_stray_packet_before_every_answer_leaves_the_iterative_check_compliant(
    kind: str,
) -> None:
    with serve(_with_strays(kind)) as (_, port):
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=1.0, lifetime=3.0)
        report = check("example.it", resolver=resolver, timeout=8.0)
    assert report.verdict is Verdict.COMPLIANT, str(report)
    assert "SERVER_NO_RESPONSE" not in report.codes()


@pytest.mark.parametrize("kind", STRAYS)
def test_a_stray_packet_gives_no_false_server_no_response_through_dns_resolver(
    kind: str,
) -> None:
    with serve(_with_strays(kind)) as (_, port):
        report = check("example.it", resolver=DnsResolver(["127.0.0.1"], port=port, timeout=1.0))
    assert report.verdict is Verdict.COMPLIANT, str(report)
    assert "SERVER_NO_RESPONSE" not in report.codes()


@pytest.mark.parametrize("kind", STRAYS)
def test_a_stray_packet_is_ignored_by_the_async_resolver_too(kind: str) -> None:
    with serve(_with_strays(kind)) as (_, port):
        resolver = AsyncDnsResolver(["127.0.0.1"], port=port, timeout=1.0)
        report = asyncio.run(acheck("example.it", resolver=resolver))
    assert report.verdict is Verdict.COMPLIANT, str(report)


# --- 2. Amplification and fan-out -----------------------------------------------------


def test_a_referral_to_500_glueless_name_servers_costs_a_bounded_number_of_queries() -> None:
    victims = [f"ns{i:03d}.victim.test." for i in range(500)]
    script = {**_compliant(), ("pec.example.it", "MX"): referral("pec.example.it.", *victims)}
    with serve(script) as (server, port):
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=3.0, lifetime=10.0)
        report = check("example.it", resolver=resolver, timeout=20.0)
    victim_lookups = sum(name.endswith("victim.test.") for name, _ in server.asked)
    limits = ARUBA.limits
    assert victim_lookups <= limits.name_servers * 4  # (a handful of questions meet it)
    # Every message the server saw was counted (a try cut short may be counted but never arrive).
    assert len(server.asked) <= report.observation.queries <= limits.queries
    assert "CHECK_LIMIT" in report.codes()
    assert any("name servers followed" in f.message for f in report.findings)


def test_a_check_sends_no_more_than_its_query_cap() -> None:
    victims = [f"ns{i:03d}.victim.test." for i in range(500)]
    script = {**_compliant(), ("pec.example.it", "MX"): referral("pec.example.it.", *victims)}
    policy = evolve(ARUBA, limits=Limits(queries=30))
    with serve(script) as (server, port):
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=3.0, lifetime=10.0)
        report = check("example.it", resolver=resolver, policy=policy, timeout=20.0)
    assert len(server.asked) <= report.observation.queries <= 30
    assert any("30 DNS queries per check" in f.message for f in report.findings), str(report)


def _wide(servers: int, addresses: int) -> FakeResolver:
    names = [f"ns{i:03d}.example.net." for i in range(servers)]
    data: dict[str, dict[str, object]] = {
        "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
        "mx.pec.aruba.it": {"A": "192.0.2.25"},
        "example.it": {"NS": names},
    }
    for i, name in enumerate(names):
        data[name] = {"A": [f"10.{i}.{j // 250}.{j % 250 + 1}" for j in range(addresses)]}
    return FakeResolver(data)  # type: ignore[arg-type]


def test_100_name_servers_of_100_addresses_are_probed_up_to_the_caps() -> None:
    fake = _wide(100, 100)
    report = check("example.it", resolver=fake)
    probes = [q for q in fake.queries if q.server is not None]
    limits = ARUBA.limits
    assert len(probes) == limits.name_servers * limits.addresses_per_server
    assert report.observation.queries == len(fake.queries)
    limited = [f for f in report.findings if f.code == "CHECK_LIMIT"]
    assert {dict(f.args)["cap"] for f in limited} == {
        "Limits.name_servers",
        "Limits.addresses_per_server",
    }


def test_2000_mx_records_resolve_only_the_capped_number_of_hosts() -> None:
    mx = [f"{i % 50 + 1} mx{i:04d}.example.net." for i in range(2000)]
    fake = FakeResolver({"pec.example.it": {"MX": mx}, "mx.pec.aruba.it": {"A": "192.0.2.25"}})
    report = check("example.it", resolver=fake)
    lookups = {q.name for q in fake.queries if q.name.startswith("mx0")}
    assert len(lookups) == ARUBA.limits.mx_hosts
    assert report.verdict is Verdict.NON_COMPLIANT
    assert "CHECK_LIMIT" in report.codes()
    assert any("Limits.mx_hosts = 20" in f.message for f in report.findings)


def test_an_ordinary_domain_reaches_no_limit() -> None:
    with serve(_compliant()) as (_, port):
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=0.5)
        report = check("example.it", resolver=resolver)
    assert report.verdict is Verdict.COMPLIANT
    assert "CHECK_LIMIT" not in report.codes()
    assert 0 < report.observation.queries < 20


# --- 3. Non-authoritative answers ------------------------------------------------------


def test_the_iterative_resolver_does_not_take_an_answer_without_the_aa_flag() -> None:
    script = {("pec.example.it", "MX"): records("10 evil.example.", authoritative=False)}
    with serve(script) as (_, port):
        answer = IterativeResolver(["127.0.0.1"], port=port, timeout=0.3).resolve(
            Query("pec.example.it", "MX")
        )
    assert answer.outcome.is_failure
    assert answer.records == ()
    assert "no AA flag" in answer.detail


# --- 4. Truncation --------------------------------------------------------------------


def _slow_truncated(query: dns.message.Message, transport: str) -> Reply:
    """Over UDP, a truncated answer after 1 s; over TCP, nothing for 3 s."""
    if transport == "tcp":
        time.sleep(3.0)
        return None
    time.sleep(1.0)
    response = dns.message.make_response(query)
    response.flags |= dns.flags.TC
    return response


def test_the_tcp_retry_after_truncation_spends_only_what_is_left_of_the_wait() -> None:
    with serve({("pec.example.it", "MX"): _slow_truncated}) as (_, port):
        started = time.monotonic()
        answer = ask(Query("pec.example.it", "MX"), "127.0.0.1", port=port, timeout=1.5)
        elapsed = time.monotonic() - started
    assert answer.outcome.is_failure
    assert elapsed < 1.5 + 0.2  # was 1.0 + 1.5


# --- 5. Budgets everywhere --------------------------------------------------------------

BUDGET = 1.0


def _slow_walker(port: int) -> IterativeResolver:
    return IterativeResolver(["127.0.0.1"], port=port, timeout=5.0, lifetime=30.0)


def test_acheck_with_a_sync_resolver_holds_its_budget() -> None:
    with serve({}, default=silence) as (_, port):
        started = time.monotonic()
        report = asyncio.run(acheck("example.it", resolver=_slow_walker(port), timeout=BUDGET))
        elapsed = time.monotonic() - started
    assert report.verdict is Verdict.UNDETERMINED
    assert elapsed < BUDGET + 0.5


def test_check_many_with_a_sync_resolver_holds_its_budget() -> None:
    with serve({}, default=silence) as (_, port):
        started = time.monotonic()
        reports = list(
            check_many(["example.it", "example.com"], resolver=_slow_walker(port), timeout=BUDGET)
        )
        elapsed = time.monotonic() - started
    assert [r.verdict for r in reports] == [Verdict.UNDETERMINED] * 2
    assert elapsed < BUDGET + 0.5


def test_acheck_holds_its_budget_even_with_a_resolver_that_ignores_it() -> None:
    def stuck(query: Query) -> Outcome:
        time.sleep(3.0)
        return Outcome.NXDOMAIN

    started = time.monotonic()
    report = asyncio.run(acheck("example.it", resolver=FakeResolver(stuck), timeout=BUDGET))
    elapsed = time.monotonic() - started
    assert report.verdict is Verdict.UNDETERMINED
    assert elapsed < BUDGET + 0.5


def test_check_holds_its_budget_even_with_a_resolver_that_ignores_it() -> None:
    def stuck(query: Query) -> Outcome:
        time.sleep(3.0)
        return Outcome.NXDOMAIN

    started = time.monotonic()
    report = check("example.it", resolver=FakeResolver(stuck), timeout=BUDGET)
    elapsed = time.monotonic() - started
    assert report.verdict is Verdict.UNDETERMINED
    assert elapsed < BUDGET + 0.5


# --- 6. One observation per situation ---------------------------------------------------


def _outcomes(report: Report) -> list[tuple[str, str, str]]:
    return [
        (str(a.query), str(a.outcome), a.detail.split(":")[0]) for a in report.observation.answers
    ]


def test_servers_that_never_answer_are_seen_the_same_by_every_entry_point() -> None:
    with serve({}, default=silence) as (_, port):
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=0.3, lifetime=0.3)
        # Three rounds of 0.3 s fit the budget; the nine questions one after another would not.
        one = check("example.it", resolver=resolver, timeout=1.2)
        two = asyncio.run(acheck("example.it", resolver=resolver, timeout=1.2))
        (three,) = check_many(["example.it"], resolver=resolver, timeout=1.2)
    assert not isinstance(three, InvalidInput)
    assert _outcomes(one) == _outcomes(two) == _outcomes(three)
    assert one.codes() == two.codes() == three.codes()
    # Every question was asked and seen timing out; none was left unasked.
    assert "CHECK_TIMED_OUT" not in one.codes()
    assert all(a.outcome is Outcome.TIMEOUT for a in one.observation.answers)


# --- 7. Head-of-line blocking -----------------------------------------------------------


def _slow_some(slow: set[str], delay: float) -> AsyncFakeResolver:
    data = FakeResolver({"mx.pec.aruba.it": {"A": "192.0.2.25"}})

    async def handler(query: Query) -> object:
        if query.name.removeprefix("pec.").rstrip(".") in slow:
            await asyncio.sleep(delay)
        return data.resolve(query)

    return AsyncFakeResolver(handler)  # type: ignore[arg-type]


def _batch_time(*, ordered: bool) -> float:
    names = [f"d{i:03d}.it" for i in range(200)]
    resolver = _slow_some({names[i] for i in range(0, 200, 50)}, 0.5)
    started = time.monotonic()
    results = list(check_many(names, resolver=resolver, concurrency=4, ordered=ordered))
    elapsed = time.monotonic() - started
    if ordered:
        assert [r.domain.name for r in results] == names  # type: ignore[union-attr]
    return elapsed


def test_a_slow_check_does_not_stall_an_ordered_batch() -> None:
    ordered, unordered = _batch_time(ordered=True), _batch_time(ordered=False)
    assert ordered < unordered * 1.5 + 0.3, (ordered, unordered)


# --- 8. File descriptors ----------------------------------------------------------------

_LOW_FDS = textwrap.dedent(
    """
    import asyncio, resource, sys
    from attrs import evolve
    sys.path.insert(0, sys.argv[1])
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    from dnsserver import records, serve
    from pecdns import ARUBA, acheck, check_many
    from pecdns._limits import Limits
    from pecdns.resolvers import AsyncDnsResolver, Outcome

    hosts = [f"mx{i:04d}.example.net." for i in range(600)]
    script = {("pec.example.it", "MX"): records(*(f"20 {h}" for h in hosts))}
    script |= {(h, "A"): records("192.0.2.9") for h in hosts}
    policy = evolve(ARUBA, limits=Limits(mx_hosts=1000, queries=5000))
    with serve(script) as (_, port):
        resolver = AsyncDnsResolver(["127.0.0.1"], port=port, timeout=5.0, lifetime=5.0)
        one = asyncio.run(acheck("example.it", resolver=resolver, policy=policy, timeout=60))
        (two,) = check_many(["example.it"], resolver=resolver, policy=policy, timeout=60)
    for report in (one, two):
        looked_up = [h for h in report.observation.hosts if h.host in hosts]
        failed = [h.a.detail for h in looked_up if h.a.outcome is not Outcome.ANSWER]
        print(len(looked_up), len(failed), failed[:1])
    """
)


def test_results_do_not_depend_on_the_file_descriptor_limit() -> None:
    here = str(Path(__file__).parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*sys.path])}
    done = subprocess.run(  # noqa: S603 -- this interpreter, a fixed script
        [sys.executable, "-c", _LOW_FDS, here],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["600 0 []", "600 0 []"], done.stdout


# --- 9. Threads -------------------------------------------------------------------------


def test_concurrent_achecks_with_a_sync_resolver_share_a_bounded_pool() -> None:
    fake = FakeResolver(
        {"pec.example.it": {"MX": "10 mx.pec.aruba.it."}, "mx.pec.aruba.it": {"A": "192.0.2.25"}},
        record=False,
    )
    peak = threading.active_count()
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, threading.active_count())
            time.sleep(0.005)

    async def many() -> list[Report]:
        return await asyncio.gather(*(acheck("example.it", resolver=fake) for _ in range(1000)))

    watcher = threading.Thread(target=watch)
    before = threading.active_count()
    watcher.start()
    try:
        reports = asyncio.run(many())
    finally:
        stop.set()
        watcher.join()
    assert all(r.ok for r in reports)
    assert peak - before <= 32 + 1 + 1  # the shared pool, the watcher, asyncio's own


def test_a_threaded_resolver_with_no_pool_of_its_own_leaves_the_shared_pool_open() -> None:
    fake = FakeResolver({"pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    with ThreadedResolver(fake) as threaded:
        first = asyncio.run(threaded.resolve(Query("pec.example.it", "MX")))
    again = ThreadedResolver(fake)
    assert asyncio.run(again.resolve(Query("pec.example.it", "MX"))) == first


# --- 18. No system resolver -------------------------------------------------------------


def test_no_nameserver_in_resolv_conf_is_undetermined_not_a_crash(tmp_path: Path) -> None:
    empty = tmp_path / "resolv.conf"
    empty.write_text("# no nameserver here\n", encoding="utf-8")
    resolver = DnsResolver(resolv_conf=empty)
    report = check("example.it", resolver=resolver)
    assert report.verdict is Verdict.UNDETERMINED
    assert "RESOLVER_UNCONFIGURED" in report.codes()
    finding = next(f for f in report.findings if f.code == "RESOLVER_UNCONFIGURED")
    assert str(empty) in finding.message
    italian = asyncio.run(acheck("example.it", resolver=resolver, lang="it"))
    assert "RESOLVER_UNCONFIGURED" in italian.codes()


# --- 19. Timeouts an interactive user can read ----------------------------------------


def test_an_unreachable_resolver_costs_a_few_per_query_waits_not_the_whole_budget() -> None:
    with serve({}, default=silence) as (_, port):
        resolver = DnsResolver(["127.0.0.1"], port=port, timeout=0.5)
        started = time.monotonic()
        report = check("example.it", resolver=resolver)
        elapsed = time.monotonic() - started
    assert report.verdict is Verdict.UNDETERMINED
    assert elapsed < 3 * 0.5 + 0.5  # three rounds of one wait each (was: the 30 s budget)
    assert "CHECK_TIMED_OUT" not in report.codes()


def test_the_default_check_budget_fits_an_interactive_user() -> None:
    assert inspect.signature(check).parameters["timeout"].default == 10.0
    assert DnsResolver(["127.0.0.1"]).lifetime == DnsResolver(["127.0.0.1"]).timeout == 2.0


def test_limits_are_policy_data_given_as_a_mapping_of_the_caps_to_change() -> None:
    policy = evolve(ARUBA, limits={"mx_hosts": 50})
    assert policy.limits == Limits(mx_hosts=50)
    with pytest.raises(ValueError, match="unknown limits"):
        evolve(ARUBA, limits={"mx": 50})
    with pytest.raises(TypeError, match="mapping such as"):
        evolve(ARUBA, limits=50)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1"):
        Limits(in_flight=0)
