"""What keeping a portfolio costs: a day's run with its store, beside the same checks alone.

    python bench/portfolio_store.py [N] [--days D]      # default: 100,000 certifications, 2 days

The checks answer from an in-memory fake (AsyncFakeResolver), as fast as pecdns can judge, so
the figure is the worst case for the store: with real DNS every check takes far longer and the
store's share shrinks. Printed: the checks alone (``check_many`` over the same domains), each
day's ``run_day`` on a fresh SQLite file, the overhead of storing as a share of the run, the
file's growth per domain per day, and its size after ``prune``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sqlite3
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pecdns import Certification, check_many
from pecdns.portfolio import open as open_store
from pecdns.testing import AsyncFakeResolver, FakeResolver

if TYPE_CHECKING:
    from pecdns.resolvers import Answer, Query

DAY1 = date(2026, 3, 1)


def world(count: int, day: int, latency: float = 0.0, churn: float = 0.2) -> AsyncFakeResolver:
    """A twentieth of the domains always broken, and a group that breaks for a day (P6).

    Each day a different group of ``churn / 2`` of the domains is broken, and the group of the
    day before is fixed again, so ``churn`` of the domains change their judgement every day.
    With ``latency`` (seconds), every answer comes that much later, as from a network.
    """
    period = max(round(2 / churn), 1) if churn else 0

    def broken(i: int) -> bool:
        return i % 20 == 0 or bool(period and (i // 10) % period == day % period)

    data: dict[str, object] = {
        f"pec.cliente{i}.it": {"MX": "10 mx.pec.aruba.it."} for i in range(count) if not broken(i)
    }
    data["mx.pec.aruba.it"] = {"A": "192.0.2.25"}
    fake = FakeResolver(data, record=False)  # type: ignore[arg-type]
    if not latency:
        return AsyncFakeResolver(fake.resolve)

    async def answer(query: Query) -> Answer:
        await asyncio.sleep(latency)
        return fake.resolve(query)

    return AsyncFakeResolver(answer)


class Clock:
    """Wall-clock and CPU seconds (all threads) since it was started."""

    def __init__(self) -> None:
        """Start the clocks."""
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        """(wall, CPU) seconds since the start."""
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so that sizes compare."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def size(path: Path) -> int:
    """The store's bytes on disk: the file and its write-ahead log."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.0, help="ms added to each answer")
    parser.add_argument(
        "--churn", type=float, default=0.2, help="share of domains changing judgement a day"
    )
    args = parser.parse_args()
    names = [f"cliente{i}.it" for i in range(args.count)]
    latency = args.latency / 1000

    clock = Clock()
    results = sum(
        1
        for _ in check_many(
            names,
            resolver=world(args.count, 0, latency, args.churn),
            concurrency=args.concurrency,
            ordered=False,
        )
    )
    alone, alone_cpu = clock.read()
    print(
        f"checks alone: {results:,} domains in {alone:.1f} s, {alone_cpu:.1f} s CPU"
        f" ({results / alone:,.0f}/s; answers {args.latency:g} ms late;"
        f" {args.churn:.0%} of the domains change judgement a day)"
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "portfolio.sqlite"
        with open_store(path) as store:
            clock = Clock()
            store.add_many(Certification(name, DAY1 + timedelta(days=90)) for name in names)
            print(f"adding {args.count:,} certifications: {clock.read()[0]:.1f} s")
            checkpoint(path)
            sizes = [size(path)]
            for day in range(args.days):
                clock = Clock()
                summary = store.run_day(
                    today=DAY1 + timedelta(days=day),
                    resolver=world(args.count, day, latency, args.churn),
                    concurrency=args.concurrency,
                )
                took, cpu = clock.read()
                checkpoint(path)
                sizes.append(size(path))
                print(
                    f"day {day + 1}: run_day {took:.1f} s, {cpu:.1f} s CPU, {summary.total:,}"
                    f" results; storing = {(took - alone) / took:.1%} of the run's time,"
                    f" {(cpu - alone_cpu) / cpu:.1%} of its CPU;"
                    f" store +{(sizes[-1] - sizes[-2]) / args.count:,.0f} bytes/domain"
                )
            clock = Clock()
            changes = store.changes(within=30)
            print(
                f"changes(): {clock.read()[0]:.2f} s"
                f" ({len(changes.newly_failing):,} newly failing,"
                f" {len(changes.restored):,} restored)"
            )
            per_day = (sizes[-1] - sizes[1]) / max(args.days - 1, 1) / args.count
            print(f"growth: {per_day:,.0f} bytes per domain per day (after day 1)")
            pruned = store.prune(keep_days=0)
            print(
                f"prune(keep_days=0): {pruned:,} results lose their report;"
                f" store {sizes[-1] / 1e6:,.1f} MB -> {size(path) / 1e6:,.1f} MB"
            )
    print(f"(pid {os.getpid()}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
