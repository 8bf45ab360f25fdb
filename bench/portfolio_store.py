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
import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from pecdns import Certification, check_many
from pecdns.portfolio import open as open_store
from pecdns.testing import AsyncFakeResolver

DAY1 = date(2026, 3, 1)


def world(count: int, day: int) -> AsyncFakeResolver:
    """Nine domains in ten compliant; one in ten breaks, a different tenth each day (P6)."""
    data: dict[str, object] = {
        f"pec.cliente{i}.it": {"MX": "10 mx.pec.aruba.it."}
        for i in range(count)
        if (i + day) % 10
    }
    data["mx.pec.aruba.it"] = {"A": "192.0.2.25"}
    return AsyncFakeResolver(data)  # type: ignore[arg-type]


def size(path: Path) -> int:
    """The store's bytes on disk: the file and its write-ahead log."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    names = [f"cliente{i}.it" for i in range(args.count)]

    start = time.perf_counter()
    results = sum(
        1
        for _ in check_many(
            names, resolver=world(args.count, 0), concurrency=args.concurrency, ordered=False
        )
    )
    alone = time.perf_counter() - start
    print(f"checks alone: {results:,} domains in {alone:.1f} s ({results / alone:,.0f}/s)")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "portfolio.sqlite"
        with open_store(path) as store:
            start = time.perf_counter()
            store.add_many(Certification(name, DAY1 + timedelta(days=90)) for name in names)
            print(f"adding {args.count:,} certifications: {time.perf_counter() - start:.1f} s")
            base = size(path)
            sizes = [base]
            for day in range(args.days):
                start = time.perf_counter()
                summary = store.run_day(
                    today=DAY1 + timedelta(days=day),
                    resolver=world(args.count, day),
                    concurrency=args.concurrency,
                )
                took = time.perf_counter() - start
                sizes.append(size(path))
                overhead = (took - alone) / took
                print(
                    f"day {day + 1}: run_day {took:.1f} s for {summary.total:,} results;"
                    f" storing {took - alone:+.1f} s = {overhead:.1%} of the run;"
                    f" store +{(sizes[-1] - sizes[-2]) / args.count:,.0f} bytes/domain"
                )
            start = time.perf_counter()
            changes = store.changes(within=30)
            print(
                f"changes(): {time.perf_counter() - start:.2f} s"
                f" ({len(changes.newly_failing):,} newly failing,"
                f" {len(changes.restored):,} restored)"
            )
            per_day = (sizes[-1] - sizes[1]) / max(args.days - 1, 1) / args.count
            print(f"growth: {per_day:,.0f} bytes per domain per day (after day 1)")
            pruned = store.prune(keep_days=0)
            print(
                f"prune(keep_days=0): {pruned:,} reports dropped;"
                f" store {sizes[-1] / 1e6:,.1f} MB -> {size(path) / 1e6:,.1f} MB"
            )
    print(f"(pid {os.getpid()}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
