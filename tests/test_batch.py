"""check_many and acheck: one result per input, in order, nothing lost, work shared."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import io
import itertools
import threading
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import dns.message
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import PROVIDER
from pecdns import (
    ARUBA,
    InvalidInput,
    RecordingMissError,
    Report,
    Verdict,
    acheck,
    check,
    check_many,
    progress_bar,
)
from pecdns._check import _default_async_resolver
from pecdns.resolvers import (
    Answer,
    AsyncDnsResolver,
    DnsResolver,
    Outcome,
    Query,
    ReplayResolver,
    ThreadedResolver,
    as_async,
)
from pecdns.testing import AsyncFakeResolver, FakeResolver

if TYPE_CHECKING:
    from collections.abc import Iterator

N = 60


def portfolio(n: int = N) -> dict[str, Any]:
    """n domains sharing two name servers; every third one has the wrong MX."""
    data: dict[str, Any] = dict(PROVIDER)
    for i in range(n):
        data[f"d{i}.it"] = {"NS": ["ns1.example.net.", "ns2.example.net."]}
        data[f"pec.d{i}.it"] = {
            "MX": "10 mail.example.it." if i % 3 == 0 else "10 mx.pec.aruba.it."
        }
    return data


NAMES = [f"d{i}.it" for i in range(N)]


def test_one_result_per_input_in_input_order() -> None:
    fake = FakeResolver(portfolio())
    results = list(check_many(NAMES, resolver=fake, concurrency=8))
    assert [r.name if isinstance(r, InvalidInput) else r.domain.name for r in results] == NAMES
    expected = [check(n, resolver=FakeResolver(portfolio())) for n in NAMES]
    assert results == expected


def test_results_as_completed_hold_the_same_reports() -> None:
    fake = FakeResolver(portfolio())
    unordered = list(check_many(NAMES, resolver=fake, concurrency=8, ordered=False))
    assert len(unordered) == N
    assert sorted(r.domain.name for r in unordered if isinstance(r, Report)) == sorted(NAMES)


def test_an_invalid_name_gets_its_own_result_and_nothing_is_dropped() -> None:
    inputs = ["d1.it", "www.d2.it", "", "roma.it", "d3.it"]
    results = list(check_many(inputs, resolver=FakeResolver(portfolio())))
    assert [type(r).__name__ for r in results] == [
        "Report",
        "InvalidInput",
        "InvalidInput",
        "InvalidInput",
        "Report",
    ]
    invalid = results[1]
    assert isinstance(invalid, InvalidInput)
    assert invalid.verdict is Verdict.UNDETERMINED
    assert not invalid.ok
    assert invalid.codes() == ("INPUT_INVALID",)
    assert "'www.d2.it'" in invalid.findings[0].message
    assert "registrable domain is 'd2.it'" in invalid.findings[0].message
    assert invalid.to_dict()["input"] == "www.d2.it"
    assert str(invalid).startswith("'www.d2.it': UNDETERMINED")


def test_an_invalid_name_in_italian_has_its_reason_in_italian() -> None:
    (invalid,) = check_many(["192.0.2.1"], resolver=FakeResolver({}), lang="it")
    assert isinstance(invalid, InvalidInput)
    assert "è un indirizzo IP, non un nome di dominio" in invalid.findings[0].message
    assert "IP address" not in invalid.findings[0].message


def test_a_check_that_raises_gives_an_undetermined_report() -> None:
    def handler(query: Query) -> Answer:
        if "d5" in query.name:
            raise RecordingMissError("not recorded")
        return FakeResolver(portfolio()).resolve(query)

    results = list(check_many(["d4.it", "d5.it", "d7.it"], resolver=FakeResolver(handler)))
    assert [str(r.verdict) for r in results] == ["COMPLIANT", "UNDETERMINED", "COMPLIANT"]
    failed = results[1]
    assert isinstance(failed, Report)
    assert "the check failed: RecordingMissError: not recorded" in failed.findings[0].message


def test_input_is_read_lazily_and_the_window_bounds_it() -> None:
    read = 0

    def names() -> Iterator[str]:
        nonlocal read
        for i in itertools.count():
            read += 1
            yield f"d{i % N}.it"

    results = check_many(names(), resolver=FakeResolver(portfolio()), concurrency=4)
    first = next(results)
    assert isinstance(first, Report)
    assert read <= 4 + 1
    list(itertools.islice(results, 20))
    assert read <= 21 + 4 + 1
    results.close()


def test_a_file_of_names_is_an_input() -> None:
    lines = io.StringIO("d1.it\nd2.it\n\n")
    results = list(check_many((line.strip() for line in lines), resolver=FakeResolver(portfolio())))
    assert [str(r.verdict) for r in results] == ["COMPLIANT", "COMPLIANT", "UNDETERMINED"]


def test_shared_hosts_are_looked_up_once_per_batch() -> None:
    fake = FakeResolver(portfolio())
    list(check_many(NAMES, resolver=fake, concurrency=8))
    asked = [(q.name, q.rdtype.value) for q in fake.queries]
    assert asked.count(("mx.pec.aruba.it.", "A")) == 1
    assert asked.count(("ns1.example.net.", "A")) == 1
    assert asked.count(("ns2.example.net.", "A")) == 1


def test_one_mx_query_per_server_per_domain() -> None:
    fake = FakeResolver(portfolio())
    list(check_many(NAMES, resolver=fake, concurrency=8))
    direct = [(q.name, q.server) for q in fake.queries if q.server is not None]
    assert len(direct) == len(set(direct)) == 2 * N


def test_duplicates_in_flight_share_one_check() -> None:
    fake = FakeResolver(portfolio())
    results = list(check_many(["d1.it"] * 10, resolver=fake, concurrency=16))
    assert len(results) == 10
    assert len({id(r) for r in results}) == 1
    assert (
        sum(
            q.name == "pec.d1.it." and q.rdtype.value == "MX" and not q.server for q in fake.queries
        )
        == 1
    )


def test_a_cached_failure_is_not_kept() -> None:
    calls = 0

    def flaky(query: Query) -> Answer:
        nonlocal calls
        if query.name == "mx.pec.aruba.it.":
            calls += 1
            return (
                Answer(query, Outcome.TIMEOUT)
                if calls == 1
                else Answer(query, Outcome.ANSWER, ["192.0.2.25"])
            )
        return FakeResolver(portfolio()).resolve(query)

    results = list(check_many(["d1.it", "d2.it"], resolver=FakeResolver(flaky), concurrency=1))
    assert [str(r.verdict) for r in results] == ["UNDETERMINED", "COMPLIANT"]


def test_questions_to_one_server_are_bounded_in_flight() -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}
    data = FakeResolver(portfolio())

    async def slow(query: Query) -> Answer:
        if query.server:
            in_flight[query.server] = in_flight.get(query.server, 0) + 1
            peak[query.server] = max(peak.get(query.server, 0), in_flight[query.server])
            await asyncio.sleep(0.005)
            in_flight[query.server] -= 1
        return data.resolve(query)

    list(
        check_many(
            NAMES, resolver=AsyncFakeResolver(slow), concurrency=32, per_server=3, per_second=0
        )
    )
    assert peak
    assert max(peak.values()) <= 3


def test_questions_to_one_server_are_spaced_by_the_rate_limit() -> None:
    times: list[float] = []
    data = FakeResolver(portfolio())

    async def clock(query: Query) -> Answer:
        if query.server == "198.51.100.1":
            times.append(time.monotonic())
        return data.resolve(query)

    list(check_many(NAMES[:10], resolver=AsyncFakeResolver(clock), concurrency=10, per_second=100))
    assert len(times) == 10
    # Ten questions at 100 per second span at least nine intervals; asyncio may run a
    # timer up to its clock resolution early, so single gaps are no fair measure.
    assert max(times) - min(times) >= 9 * 0.01 - 0.003


def test_progress_is_called_once_per_result() -> None:
    seen: list[object] = []
    results = list(
        check_many([*NAMES[:7], "x"], resolver=FakeResolver(portfolio()), progress=seen.append)
    )
    assert seen == results


def test_the_tqdm_progress_bar_counts_results() -> None:
    out = io.StringIO()
    bar = progress_bar(total=5, file=out, mininterval=0)
    list(check_many(NAMES[:5], resolver=FakeResolver(portfolio()), progress=bar))
    assert bar.bar.n == 5
    assert "5/5" in out.getvalue()


def test_bad_batch_options_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        next(check_many(NAMES, resolver=FakeResolver({}), concurrency=0))
    with pytest.raises(ValueError, match="unknown language"):
        next(check_many(NAMES, resolver=FakeResolver({}), lang="fr"))


def test_stopping_early_stops_the_batch_cleanly() -> None:
    results = check_many(NAMES, resolver=FakeResolver(portfolio()), concurrency=4)
    assert isinstance(next(results), Report)
    results.close()


def test_a_batch_on_worker_processes_gives_the_same_reports() -> None:
    local = list(check_many(NAMES, resolver=FakeResolver(portfolio())))
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        remote = list(
            check_many(
                [*NAMES, "not a domain"],
                resolver=FakeResolver(portfolio()),
                executor=pool,
                batch_size=16,
            )
        )
    assert remote[:-1] == local
    assert isinstance(remote[-1], InvalidInput)


def test_a_batch_on_a_dask_local_cluster_gives_the_same_reports() -> None:
    distributed = pytest.importorskip("distributed")
    local = list(check_many(NAMES, resolver=FakeResolver(portfolio())))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = list(
            check_many(
                NAMES,
                resolver=FakeResolver(portfolio()),
                executor=client.get_executor(),
                batch_size=16,
            )
        )
    assert remote == local


def test_acheck_gives_the_same_report_as_check() -> None:
    expected = check("d1.it", resolver=FakeResolver(portfolio()))
    assert asyncio.run(acheck("d1.it", resolver=AsyncFakeResolver(portfolio()))) == expected
    assert asyncio.run(acheck("d1.it", resolver=FakeResolver(portfolio()))) == expected


def test_acheck_asks_each_rounds_questions_at_once() -> None:
    running = 0
    peak = 0
    data = FakeResolver(portfolio())

    async def handler(query: Query) -> Answer:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        return data.resolve(query)

    asyncio.run(acheck("d1.it", resolver=AsyncFakeResolver(handler)))
    assert peak >= 4


def test_an_async_resolver_that_raises_becomes_evidence() -> None:
    async def broken(query: Query) -> Answer:
        raise OSError("network down")

    report = asyncio.run(acheck("d1.it", resolver=AsyncFakeResolver(broken)))
    assert report.verdict is Verdict.UNDETERMINED
    assert "OSError: network down" in report.findings[0].message


def test_a_replay_missing_a_question_fails_acheck_loudly() -> None:
    with pytest.raises(RecordingMissError):
        asyncio.run(acheck("d1.it", resolver=ReplayResolver([])))


def test_a_sync_resolver_is_asked_from_enough_threads_for_the_batch() -> None:
    lock = threading.Lock()
    running = peak = 0
    data = FakeResolver(portfolio())

    def slow(query: Query) -> Answer:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return data.resolve(query)

    list(check_many(NAMES[:40], resolver=FakeResolver(slow), concurrency=32, per_second=0))
    assert peak > 8  # asyncio's default pool would allow min(32, cores + 4)


def test_a_dns_resolver_becomes_its_async_twin() -> None:
    twin = as_async(DnsResolver(["127.0.0.1"], port=5300, timeout=0.5, lifetime=2))
    assert isinstance(twin, AsyncDnsResolver)
    assert (twin.nameservers, twin.port, twin.timeout, twin.lifetime) == (
        ("127.0.0.1",),
        5300,
        0.5,
        2,
    )


def test_other_sync_resolvers_run_in_a_closable_thread_pool() -> None:
    with ThreadedResolver(FakeResolver(portfolio()), max_workers=2) as threaded:
        answer = asyncio.run(threaded.resolve(Query("pec.d1.it", "MX")))
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert repr(threaded).startswith("ThreadedResolver(")


def test_acheck_past_its_budget_asks_nothing_more() -> None:
    fake = AsyncFakeResolver(portfolio())
    report = asyncio.run(acheck("d1.it", resolver=fake, timeout=1e-9))
    assert report.codes() == ("CHECK_TIMED_OUT",)
    assert fake.queries == []


def test_an_async_resolver_giving_malformed_data_becomes_evidence() -> None:
    async def sloppy(query: Query) -> Answer:
        return Answer(
            query, Outcome.ANSWER, ["not an mx"] if query.rdtype == "MX" else ["192.0.2.1"]
        )

    report = asyncio.run(acheck("d1.it", resolver=AsyncFakeResolver(sloppy)))
    assert report.observation.pec_mx.outcome is Outcome.ERROR
    assert "malformed answer" in report.observation.pec_mx.detail


def test_the_default_async_resolver_is_the_real_dns_made_once() -> None:
    _default_async_resolver.cache_clear()
    first = _default_async_resolver()
    assert isinstance(first, AsyncDnsResolver)
    assert _default_async_resolver() is first


FAULTS = [None, Outcome.TIMEOUT, Outcome.SERVFAIL, Outcome.REFUSED, "raise", "recording"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.integers(0, 9).map(lambda i: f"d{i}.it"), st.sampled_from(["", "it", "x..it"])
            ),
            st.sampled_from(FAULTS),
        ),
        max_size=25,
    ),
    st.booleans(),
)
def test_no_result_is_lost_whatever_fails(
    inputs: list[tuple[str, Outcome | str | None]], ordered: bool
) -> None:
    faults = dict(inputs)
    data = FakeResolver(portfolio(10))

    def handler(query: Query) -> Answer | Outcome:
        fault = faults.get(query.name.removeprefix("pec.").rstrip("."))
        if fault == "raise":
            raise RuntimeError("resolver bug")
        if fault == "recording":
            raise RecordingMissError("missing")
        if isinstance(fault, Outcome) and query.name.startswith("pec."):
            return fault
        return data.resolve(query)

    names = [name for name, _ in inputs]
    results = list(
        check_many(names, resolver=FakeResolver(handler), concurrency=4, ordered=ordered)
    )
    assert len(results) == len(names)
    labels = [r.name if isinstance(r, InvalidInput) else r.domain.name for r in results]
    if ordered:
        assert labels == names
    else:
        assert sorted(labels) == sorted(names)


# -- the fast path is the default for the real DNS (issue 11) --------------------------------


def _script(n: int) -> dict[tuple[str, str], Any]:
    """A scripted server standing for the real DNS: n domains, every third one's MX wrong."""
    from dnsserver import records  # noqa: PLC0415 -- the scripted server, for these tests only

    script = {("mx.pec.aruba.it", "A"): records("192.0.2.25")}
    for i in range(n):
        host = "mail.example.it." if i % 3 == 0 else "mx.pec.aruba.it."
        script[(f"pec.d{i}.it", "MX")] = records(f"10 {host}")
    return script


@pytest.fixture(scope="module")
def real_dns() -> Iterator[int]:
    from dnsserver import serve  # noqa: PLC0415 -- as above

    with serve(_script(12)) as (_, port):
        yield port


def _stub(port: int) -> DnsResolver:
    return DnsResolver(["127.0.0.1"], port=port, timeout=1.0, lifetime=2.0)


def test_a_dns_resolver_batch_runs_on_the_fast_path(real_dns: int) -> None:
    from pecdns._batch import _engine_resolver, _Options  # noqa: PLC0415 -- internals
    from pecdns.resolvers._fast import FastResolver  # noqa: PLC0415 -- as above

    options = _Options(ARUBA, 10.0, "en", None, None, 8, 50.0)
    fast = _engine_resolver(_stub(real_dns), options)
    assert isinstance(fast, FastResolver)
    assert (fast.port, fast.per_server, fast.per_second) == (real_dns, 8, 50.0)
    assert isinstance(_engine_resolver(None, options), FastResolver)


@pytest.mark.parametrize(
    ("resolver", "engine"),
    [
        (FakeResolver({}), "auto"),
        (AsyncDnsResolver(["127.0.0.1"]), "auto"),
        (DnsResolver(["127.0.0.1"]), "dnspython"),
    ],
    ids=["a fake", "AsyncDnsResolver", "engine=dnspython"],
)
def test_other_resolvers_and_the_dnspython_choice_keep_the_old_path(
    resolver: object, engine: str
) -> None:
    from pecdns._batch import _OLD, _engine_resolver, _Options  # noqa: PLC0415 -- internals

    options = _Options(ARUBA, 10.0, "en", None, None, 8, 50.0, engine)
    assert _engine_resolver(resolver, options) is _OLD  # type: ignore[arg-type]


def test_the_fast_path_gives_check_s_reports_in_order(real_dns: int) -> None:
    names = ["d0.it", "not a domain", "d1.it", "d0.it", *[f"d{i}.it" for i in range(2, 12)]]
    results = list(check_many(names, resolver=_stub(real_dns)))
    old = list(check_many(names, resolver=_stub(real_dns), engine="dnspython"))
    assert isinstance(results[1], InvalidInput)
    expected = [check(n, resolver=_stub(real_dns)) for n in names if n != "not a domain"]
    assert [r for r in results if not isinstance(r, InvalidInput)] == expected
    assert results == old


def test_the_fast_path_reports_queries_sent_as_check_does(real_dns: int) -> None:
    (fast,) = check_many(["d4.it"], resolver=_stub(real_dns))
    one = check("d4.it", resolver=_stub(real_dns))
    assert fast.observation.queries == one.observation.queries > 0  # type: ignore[union-attr]


def test_the_fast_path_calls_progress_for_each_result(real_dns: int) -> None:
    seen: list[object] = []
    results = list(
        check_many(["d1.it", "x", "d2.it"], resolver=_stub(real_dns), progress=seen.append)
    )
    assert seen == results


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine is one of"):
        next(check_many(NAMES, resolver=FakeResolver({}), engine="turbo"))


def test_the_one_loop_engine_may_be_asked_for_any_resolver() -> None:
    fake = FakeResolver(portfolio())
    assert list(check_many(NAMES, resolver=fake, engine="fast")) == [
        check(n, resolver=fake) for n in NAMES
    ]


def test_an_input_that_fails_to_read_raises_on_the_fast_path() -> None:
    def names() -> Iterator[str]:
        yield "d1.it"
        raise UnicodeError("not UTF-8")

    with pytest.raises(UnicodeError, match="not UTF-8"):
        list(check_many(names(), resolver=FakeResolver(portfolio()), engine="fast"))


def test_an_async_fake_may_keep_no_questions() -> None:
    fake = AsyncFakeResolver(portfolio(), record=False)
    asyncio.run(acheck("d1.it", resolver=fake))
    assert fake.queries == []


class _RawAsync:
    """An async resolver that also sends raw DNS: every raw question gets an empty response."""

    def __init__(self) -> None:
        self.fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
        self.raw = 0

    async def resolve(self, query: Query) -> Answer:
        return self.fake.resolve(query)

    async def ask_raw(self, question: Any) -> dns.message.Message:
        self.raw += 1
        return dns.message.make_response(question.message())


def test_acheck_checks_signatures_at_the_time_given() -> None:
    at = datetime(2030, 1, 1, tzinfo=timezone.utc)
    report = asyncio.run(acheck("example.it", resolver=_RawAsync(), at=at))
    assert report.observation.dnssec is not None
    assert report.observation.dnssec.at == at


def test_the_old_batch_path_sends_raw_dns_through_its_shared_view() -> None:
    source = _RawAsync()
    (report,) = check_many(["example.it"], resolver=source, engine="dnspython")
    assert isinstance(report, Report)
    assert report.observation.dnssec is not None
    assert source.raw > 0


def test_a_batch_dropped_unfinished_closes_its_loop_and_sockets() -> None:
    # The engine closes its event loop and its FastResolver's sockets in a `finally`; in the
    # compiled build a dropped compiled generator never runs it (ResourceWarnings, which
    # filterwarnings=error turns into a failure). Dropping check_many's result must close all.
    results = check_many(
        ["www.example.it", "example.it"], resolver=DnsResolver(["127.0.0.1"], port=9)
    )
    assert isinstance(next(results), InvalidInput)  # no question asked for it: at once
    del results
    gc.collect()
