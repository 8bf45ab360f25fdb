"""The benchmark's table, its derived figures and the verdict on each target."""

from __future__ import annotations

import itertools
from typing import Any

Row = dict[str, Any]

TARGET_SPEEDUP = 50.0  # pecdns vs the sequential baseline, N = 10,000, 10-20 ms latency
TARGET_OVERHEAD = 1.3  # pecdns's time vs the raw cost of its queries, plain loopback
TARGET_POOL_SECONDS = 180.0  # 100,000 domains on loopback, two processes
TARGET_STREAM_MB = 200.0  # 1,000,000 names streamed through check_many
POOL_N = 100_000
STREAM_N = 1_000_000
LINEAR_TOLERANCE = 1.25  # per-domain time may grow this much from one size to the next


def derive(row: Row) -> Row:
    """Add the derived figures to a row holding its pecdns, baseline and per-query results."""
    pecdns, baseline = row["pecdns"], row["baseline"]
    n = pecdns["n"]
    per_query = baseline["seconds"] / baseline["queries"]
    cpu_per_query = baseline["cpu_seconds"] / baseline["queries"]
    queries = row.get("queries_per_domain")
    cpu = pecdns["cpu_seconds"] + pecdns["children_cpu_seconds"]
    derived: Row = {
        "domains_per_second": n / pecdns["seconds"],
        "seconds_per_domain": pecdns["seconds"] / n,
        "cpu_ms_per_domain": 1000 * cpu / n,
        "baseline_domains_per_second": baseline["n"] / baseline["seconds"],
        "baseline_ms_per_query": 1000 * per_query,
        "baseline_cpu_ms_per_query": 1000 * cpu_per_query,
    }
    derived["speedup"] = derived["domains_per_second"] / derived["baseline_domains_per_second"]
    if queries is not None:
        derived["raw_seconds"] = queries * n * per_query
        derived["cpu_overhead"] = cpu / (queries * n * cpu_per_query)
        if not pecdns["processes"]:  # wall time on two processes is not comparable
            derived["overhead"] = pecdns["seconds"] / derived["raw_seconds"]
    return row | derived


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    """``value`` formatted, or ``-``, right-aligned to the width in ``spec``."""
    width = int(spec.split(".", maxsplit=1)[0] or 0)
    text = "-" if value is None else format(value, spec.lstrip("0123456789")) + suffix
    return text.rjust(width + len(suffix))


HEADER = (
    f"{'N':>8} {'latency':>8} {'procs':>5} {'domains/s':>9} {'q/domain':>8} "
    f"{'overhead':>8} {'cpu ovh':>7} {'baseline/s':>10} {'(n)':>6} {'vs base':>7} "
    f"{'peak MB':>7} {'seconds':>7}"
)


def line(row: Row) -> str:
    """One row of the table."""
    pecdns = row["pecdns"]
    peak = max(pecdns["peak_rss_mb"], pecdns["children_peak_rss_mb"])
    return (
        f"{pecdns['n']:>8,} {row['latency']:>8} {pecdns['processes'] or 1:>5} "
        f"{row['domains_per_second']:>9.1f} {_fmt(row.get('queries_per_domain'), '8.2f')} "
        f"{_fmt(row.get('overhead'), '7.2f', 'x')} {_fmt(row.get('cpu_overhead'), '6.2f', 'x')} "
        f"{row['baseline_domains_per_second']:>10.1f} {row['baseline']['n']:>6,} "
        f"{row['speedup']:>6.1f}x {peak:>7.1f} {pecdns['seconds']:>7.1f}"
    )


def linearity(rows: list[Row]) -> list[Row]:
    """Per-domain time from each size to the next, for rows alike but for N."""
    checks = []

    def group(r: Row) -> tuple[str, int]:
        return r["latency"], r["pecdns"]["processes"]

    for key, alike in itertools.groupby(sorted(rows, key=group), key=group):
        ordered = sorted(alike, key=lambda r: r["pecdns"]["n"])
        for small, large in itertools.pairwise(ordered):
            ratio = large["seconds_per_domain"] / small["seconds_per_domain"]
            checks.append(
                {
                    "latency": key[0],
                    "processes": key[1] or 1,
                    "from": small["pecdns"]["n"],
                    "to": large["pecdns"]["n"],
                    "ratio": ratio,
                    "linear": ratio <= LINEAR_TOLERANCE,
                }
            )
    return checks


def _verdict(met: bool | None) -> str:
    return {True: "MET", False: "MISSED", None: "NOT MEASURED"}[met]


def targets(results: dict[str, Any]) -> list[Row]:
    """Each target of the issue, with the measured figure and whether it is met."""
    rows: list[Row] = results["rows"]
    out: list[Row] = []
    delayed = [r for r in rows if r["latency"] != "0 ms" and r["pecdns"]["n"] == 10_000]
    best = max((r["speedup"] for r in delayed), default=None)
    out.append(
        {
            "target": f"N=10,000 at {results['latency_ms']:g} ms: >= {TARGET_SPEEDUP:g}x the "
            "sequential baseline in domains/s",
            "measured": _fmt(best, ".1f", "x"),
            "met": None if best is None else best >= TARGET_SPEEDUP,
        }
    )
    loop = [r for r in rows if r["latency"] == "0 ms" and r.get("overhead") is not None]
    worst = max((r["overhead"] for r in loop), default=None)
    out.append(
        {
            "target": f"loopback: time <= {TARGET_OVERHEAD}x the raw cost of the queries made",
            "measured": _fmt(worst, ".2f", "x") + " (worst row)",
            "met": None if worst is None else worst <= TARGET_OVERHEAD,
        }
    )
    audited = [r["pecdns"]["queries"] for r in rows if r["pecdns"].get("queries")]
    repeats = sum(q["mx_repeats"] for q in audited)
    lookups = sum(q["repeated_lookup_count"] for q in audited)
    out.append(
        {
            "target": "at most one MX query per server per domain; no repeated host look-ups",
            "measured": f"{repeats} repeated MX questions, {lookups} repeated look-ups "
            f"in {len(audited)} audited runs",
            "met": (repeats == 0 and lookups == 0) if audited else None,
        }
    )
    out.append(_pool_target(results.get("pool")))
    out.append(_stream_target(results.get("stream")))
    return out


def _pool_target(pool: Row | None) -> Row:
    target = f"{POOL_N:,} domains on loopback with 2 processes in < {TARGET_POOL_SECONDS:g} s"
    if pool is None:
        return {"target": target, "measured": "-", "met": None}
    projected = pool["seconds"] * POOL_N / pool["n"]
    measured = f"{pool['seconds']:.0f} s for {pool['n']:,}"
    if pool["n"] != POOL_N:
        measured += f" (projected {projected:.0f} s for {POOL_N:,}, linear)"
    return {"target": target, "measured": measured, "met": projected < TARGET_POOL_SECONDS}


def _stream_target(stream: Row | None) -> Row:
    target = f"{STREAM_N:,} names streamed through check_many: peak < {TARGET_STREAM_MB:g} MB"
    if stream is None:
        return {"target": target, "measured": "-", "met": None}
    measured = f"{stream['peak_rss_mb']:.0f} MB peak RSS for {stream['n']:,} names"
    if stream["n"] != STREAM_N:
        measured += " (fewer names than the target's: see the RSS samples in the JSON)"
    return {"target": target, "measured": measured, "met": stream["peak_rss_mb"] < TARGET_STREAM_MB}


def render(results: dict[str, Any]) -> str:
    """The whole printed report: table, linearity, extras, targets."""
    out = [HEADER, "-" * len(HEADER)]
    out += [line(r) for r in results["rows"]]
    out.append("")
    for check in results["linearity"]:
        out.append(
            f"linear in N ({check['latency']}, {check['processes']} proc): time per domain at "
            f"{check['to']:,} / at {check['from']:,} = {check['ratio']:.2f} "
            f"({'linear' if check['linear'] else 'NOT linear'})"
        )
    out.append("")
    for target in results["targets"]:
        out.append(f"[{_verdict(target['met']):>12}] {target['target']}: {target['measured']}")
    return "\n".join(out)


def markdown(results: dict[str, Any]) -> str:
    """The table as Markdown, for the docs: ``python bench/table.py bench/results/default.json``."""
    out = [
        (
            "| N | latency | processes | domains/s | questions/domain | overhead | CPU overhead "
            "| baseline domains/s | vs baseline | peak RSS |"
        ),
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in results["rows"]:
        pecdns = row["pecdns"]
        peak = max(pecdns["peak_rss_mb"], pecdns["children_peak_rss_mb"])
        out.append(
            f"| {pecdns['n']:,} | {row['latency']} | {pecdns['processes'] or 1} "
            f"| {row['domains_per_second']:.0f} | {row['queries_per_domain']:.2f} "
            f"| {_fmt(row.get('overhead'), '.2f', 'x').strip()} "
            f"| {row['cpu_overhead']:.2f}x | {row['baseline_domains_per_second']:.0f} "
            f"| {row['speedup']:.1f}x | {peak:.0f} MB |"
        )
    return "\n".join(out)


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    print(markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
