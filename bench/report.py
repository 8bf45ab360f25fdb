"""The price of judging: ``python bench/report.py [--base REF] [--rounds N]``.

``pecdns._check.report()`` (the rules, the findings, the remedy) runs once per
domain in a batch, after gathering. This times it, in microseconds per report,
over a corpus of representative observations gathered offline: every scenario
of the test catalogue (``tests/world.py``) through ZoneResolver and through
FakeResolver, and variants a real batch meets that zone files cannot show
(servers that time out, refuse, answer without authority or only without
EDNS, questions the time budget left unasked, caps reached, each DNSSEC
state). The same corpus is judged by the code of ``REF`` (default: where this
branch left ``main``), in a subprocess that imports that commit's ``src``,
so old and new are timed in one run (each side in its own process, the
two alternated); every report of both, as JSON and as
text, in English and Italian, must be the same, or the run fails.

A calibration figure (the seconds of a fixed pure-Python loop) goes with the
timings, so figures from two machines can be compared. ``--verbose`` prints
a line per observation and language.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests")]

if "PECDNS_BENCH_SRC" in os.environ:  # the old side: that commit's pecdns, first on the path
    sys.path.insert(0, os.environ["PECDNS_BENCH_SRC"])

from calibrate import calibration  # noqa: E402

from observations import corpus  # noqa: E402
from pecdns._check import report  # noqa: E402

if TYPE_CHECKING:
    from pecdns import Policy
    from pecdns._models import Observation

AT = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)


def _digest(obs: Observation, policy: Policy, lang: str) -> str:
    """A fingerprint of everything a report says: its JSON form and its text."""
    judged = report(obs, policy, at=AT, lang=lang)
    text = json.dumps(judged.to_dict(), sort_keys=True) + "\n" + str(judged)
    return hashlib.sha256(text.encode()).hexdigest()


def measure(rounds: int) -> dict[str, Any]:
    """Time report() over the corpus: microseconds per report, per observation and language."""
    items = corpus()
    timings: dict[str, float] = {}
    digests: dict[str, str] = {}
    for lang in ("en", "it"):
        for name, obs, policy in items:
            key = f"{lang} | {name}"
            digests[key] = _digest(obs, policy, lang)
            best = float("inf")
            for _ in range(3):  # the best of three runs of `rounds` reports
                started = time.perf_counter()
                for _ in range(rounds):
                    report(obs, policy, at=AT, lang=lang)
                best = min(best, time.perf_counter() - started)
            timings[key] = best / rounds * 1e6
    return {"timings": timings, "digests": digests, "calibration": calibration()}


def _old_source(ref: str, into: Path) -> Path:
    """Extract ``src/pecdns`` of the commit ``ref`` under ``into``; return its ``src``."""
    archive = subprocess.run(  # noqa: S603 -- a ref the developer gives, to git archive
        ["git", "-C", str(ROOT), "archive", ref, "src/pecdns"],  # noqa: S607 -- git from PATH
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)  # noqa: S603, S607
    return into / "src"


def _summary(label: str, timings: dict[str, float]) -> list[float]:
    values = list(timings.values())
    print(
        f"{label}: mean {statistics.mean(values):6.1f} µs, median"
        f" {statistics.median(values):6.1f} µs, max {max(values):6.1f} µs per report"
        f" ({len(values)} reports)"
    )
    return values


def _side(src: Path, rounds: int) -> dict[str, Any]:
    """One timing of the corpus in a fresh process importing pecdns from ``src``."""
    env = {**os.environ, "PECDNS_BENCH_SRC": str(src)}
    command = [sys.executable, __file__, "--json", "--rounds", str(rounds)]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    return dict(json.loads(done.stdout))


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of several runs, per report; their digests must agree."""
    digests = runs[0]["digests"]
    if any(r["digests"] != digests for r in runs):
        raise SystemExit("a report changed between two runs of the same code")
    timings = {key: min(r["timings"][key] for r in runs) for key in runs[0]["timings"]}
    return {
        "timings": timings,
        "digests": digests,
        "calibration": min(r["calibration"] for r in runs),
    }


def main() -> int:
    """Time old and new report() on one corpus, check they agree, print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base", help="the commit to compare with (default: merge-base with main)")
    parser.add_argument("--rounds", type=int, default=200, help="reports per timing (200)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side, alternated (3)")
    parser.add_argument("--verbose", action="store_true", help="a line per observation")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one side's run
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.rounds)))
        return 0
    base = (
        args.base
        or subprocess.run(  # noqa: S603 -- a read-only git query
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    print(f"old: pecdns at {base[:12]}; new: {ROOT / 'src'} as it is", file=sys.stderr)
    olds, news = [], []
    with tempfile.TemporaryDirectory() as tmp:
        old_src = _old_source(base, Path(tmp))
        for _ in range(args.repeat):  # alternated, so that a busy spell hits both sides
            olds.append(_side(old_src, args.rounds))
            news.append(_side(ROOT / "src", args.rounds))
    old, new = _best(olds), _best(news)
    print(
        f"calibration (3,000,000 additions, best of the runs): old side {old['calibration']:.3f}"
        f" s, new side {new['calibration']:.3f} s"
    )
    before = _summary("old", old["timings"])
    after = _summary("new", new["timings"])
    print(f"new / old: mean {statistics.mean(after) / statistics.mean(before):.2f}")
    for lang in ("en", "it"):
        pairs = [(old["timings"][k], v) for k, v in new["timings"].items() if k.startswith(lang)]
        print(
            f"  {lang}: old {statistics.mean(o for o, _ in pairs):6.1f} µs,"
            f" new {statistics.mean(n for _, n in pairs):6.1f} µs"
        )
    if args.verbose:
        print(f"\n{'old µs':>8} {'new µs':>8} {'ratio':>6}  observation")
        for key, value in new["timings"].items():
            was = old["timings"][key]
            print(f"{was:8.1f} {value:8.1f} {value / was:6.2f}  {key}")
    differ = [k for k in new["digests"] if new["digests"][k] != old["digests"].get(k)]
    for key in differ:
        print(f"DIFFERENT REPORT: {key}")
    print(f"{len(new['digests']) - len(differ)} of {len(new['digests'])} reports identical")
    return 1 if differ or set(new["digests"]) != set(old["digests"]) else 0


if __name__ == "__main__":
    sys.exit(main())
