"""The fast path's benchmark: ``python bench/fast.py [N]`` (NSD and Knot installed).

Starts the portfolio of ``bench/run.py`` (``topology.servers``) and times, in
one run and against the same servers: the sequential ``dns.resolver.resolve``
loop (questions/s), today's ``check_many`` (domains/s, a sample), and the
one-loop engine (``_engine.run`` with ``FastResolver``) ordered and unordered
over N domains, with its questions per domain. Then, through an async fake
that answers 15 ms late and loses 0.5% of answers (each lost one answered
only when the per-try timeout retries it), the engine ordered vs unordered.
Every run prints a calibration figure -- the seconds of a fixed pure-Python
loop -- so figures from two machines can be compared, and ratios are taken
against the baseline measured in the same run.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import pstats
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

import dns.exception
import dns.resolver

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parent.parent / "tests")]

import portfolio  # noqa: E402
import topology  # noqa: E402

from pecdns import check_many  # noqa: E402
from pecdns._engine import run  # noqa: E402
from pecdns.resolvers import Answer, AsyncDnsResolver, Outcome, Query  # noqa: E402
from pecdns.resolvers._fast import FastResolver  # noqa: E402


def calibration() -> float:
    """Seconds of a fixed pure-Python loop (lower: a faster machine)."""
    started = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i % 7
    return time.perf_counter() - started


def timed(what: str, n: int, body: Any) -> float:  # noqa: ANN401
    """Run ``body``, print and return ``n`` per second."""
    started = time.perf_counter()
    body()
    seconds = time.perf_counter() - started
    print(f"{what}: {n:,} in {seconds:.2f} s = {n / seconds:,.0f}/s", flush=True)
    return n / seconds


def sequential(port: int, n: int) -> float:
    """The loop a user would write: one ``dns.resolver.resolve`` after another."""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [portfolio.RESOLVER]
    resolver.port = port
    resolver.cache = None

    def body() -> None:
        for name in portfolio.names(n):
            with contextlib.suppress(dns.exception.DNSException):
                resolver.resolve(f"pec.{name}", "MX")

    return timed("sequential dns.resolver.resolve, questions", n, body)


def today(port: int, n: int) -> float:
    """check_many as it is today (dnspython, a task per check)."""
    resolver = AsyncDnsResolver([portfolio.RESOLVER], port=port, timeout=2.0, lifetime=5.0)
    return timed(
        "check_many today, domains",
        n,
        lambda: sum(1 for _ in check_many(portfolio.names(n), resolver=resolver, per_second=0)),
    )


def engine(port: int, n: int, *, ordered: bool, profile: bool = False) -> tuple[float, float]:
    """The one-loop engine with FastResolver: domains/s and questions sent per domain."""
    fast = FastResolver([portfolio.RESOLVER], port=port, timeout=1.0, lifetime=4.0, per_server=64)

    def body() -> None:
        verdicts: dict[str, int] = {}
        for report in run(portfolio.names(n), resolver=fast, ordered=ordered):
            verdicts[str(report.verdict)] = verdicts.get(str(report.verdict), 0) + 1
        print(f"  verdicts {verdicts}, strays {fast.strays}", flush=True)

    label = f"engine {'ordered' if ordered else 'unordered'}, domains"
    if profile:
        profiler = cProfile.Profile()
        rate = timed(label + " (profiled)", n, lambda: profiler.runcall(body))
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
    else:
        rate = timed(label, n, body)
    return rate, fast.sent / n


class Latent:
    """An async fake: answers 15 ms late; 0.5% of answers are lost and come on the retry."""

    def __init__(self, delay: float, loss: float, retry: float) -> None:
        """Answer ``delay`` late; lose ``loss`` of answers, which come ``retry`` later."""
        self.delay, self.loss, self.retry = delay, loss, retry
        self.random = random.Random(7)  # noqa: S311 -- a reproducible benchmark

    async def resolve(self, query: Query) -> Answer:
        """A compliant-looking answer, late."""
        lost = self.random.random() < self.loss
        await asyncio.sleep(self.retry + self.delay if lost else self.delay)
        if query.rdtype.value == "MX":
            return Answer(query, Outcome.ANSWER, ["10 mx.pec.aruba.it."])
        if query.rdtype.value == "A":
            return Answer(query, Outcome.ANSWER, ["192.0.2.25"])
        return Answer(query, Outcome.NODATA)


def loss(n: int) -> None:
    """Ordered vs unordered under latency and loss."""
    rates = {}
    for ordered in (True, False):
        fake = Latent(0.015, 0.005, 0.5)
        rates[ordered] = timed(
            f"15 ms + 0.5% loss, engine {'ordered' if ordered else 'unordered'}",
            n,
            lambda: sum(1 for _ in run(portfolio.names(n), resolver=fake, ordered=ordered)),  # noqa: B023
        )
    print(f"  unordered / ordered = {rates[False] / rates[True]:.2f} (target <= 1.3)")


def delayed(port: int, n: int) -> None:
    """15 ms per answer through the epoll relay; then 0.5% of answers lost, ordered vs not."""
    with topology.relay(port, 0.015) as relay:
        base = sequential(relay.port, 200)
        fast, _ = engine(relay.port, n, ordered=True)
        print(f"15 ms: engine domains/s / sequential domains/s = {fast / base:.1f} (target >= 50)")
    print(f"  relay: {relay.stats}", flush=True)
    rates = {}
    with topology.relay(port, 0.015, loss=0.005) as relay:
        for ordered in (True, False):
            rates[ordered], _ = engine(relay.port, n, ordered=ordered)
    print(f"15 ms + 0.5% loss: unordered / ordered = {rates[False] / rates[True]:.2f} (<= 1.3)")
    print(f"  relay: {relay.stats}", flush=True)


def stream(n: int) -> None:
    """Peak memory of ``n`` names streamed through the engine with an offline fake."""
    from pecdns.testing import FakeResolver  # noqa: PLC0415 -- only this mode needs it

    def handler(query: Query) -> list[str] | Outcome:
        return ["10 mx.pec.aruba.it."] if query.rdtype.value == "MX" else Outcome.NXDOMAIN

    fake = FakeResolver(handler, record=False)
    names = (f"cliente{i}.it" for i in range(n))
    timed("streamed through a fake", n, lambda: sum(1 for _ in run(names, resolver=fake)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory {peak:.0f} MB (target < 200 MB for 1,000,000)")


def main(argv: list[str]) -> None:
    """Every figure, in one run, after the calibration figure."""
    n = int(argv[0]) if argv and argv[0].isdigit() else 2000
    print(f"calibration: fixed pure-Python loop {calibration():.3f} s", flush=True)
    if "--stream" in argv:
        stream(n)
        return
    with topology.servers(max(n, len(portfolio.CYCLE))) as port:
        base = sequential(port, min(n, 2000))
        old = today(port, min(n, 1000))
        fast, per_domain = engine(port, n, ordered=True)
        engine(port, n, ordered=False)
        print(f"  questions sent per domain (engine): {per_domain:.2f}")
        print(f"engine / sequential questions/s = {fast / base:.2f} (target >= 0.6)")
        print(f"engine / check_many today = {fast / old:.1f}x (target >= 7)")
        if "--profile" in argv:
            engine(port, min(n, 3000), ordered=True, profile=True)
        if "--delayed" in argv:
            delayed(port, n)
    loss(min(n, 4000))


if __name__ == "__main__":
    main(sys.argv[1:])
