"""The compiled build against the pure one: ``python bench/compiled.py [N] [--modules M...]``.

pecdns is built twice from one source: pure Python, and compiled by mypyc
(docs/scale.md). This copies ``src`` twice into a temporary directory, compiles in one
copy the modules of :func:`listed` (those the build hook in pyproject.toml
lists) with mypyc from the running environment (``pip install mypy``; the
source is not changed), starts the portfolio's servers (NSD and Knot) behind
the 15 ms relay, and times, in a fresh process for each copy and alternating
the two, the issue's 15 ms target: N domains (default 10,000) through
``check_many`` on two processes, best of :data:`REPEAT` runs, beside the
sequential ``dns.resolver.resolve`` loop measured in the same run. Both
copies judge the same batch with the same ``at``: every report, as JSON,
must be the same on both, or the run fails. A calibration figure goes with
the timings, so figures from two machines can be compared.

Run as root with NSD and Knot installed, like ``bench/fast.py``; nothing
else may use the CPU meanwhile. docs/scale.md gives the figures and what
else the compiled build changes and which build pip installs.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

REPEAT = 3
"""Each copy's timing is the best of this many runs, as in ``bench/fast.py``."""


def listed() -> list[str]:
    """The modules the build hook in pyproject.toml compiles, as paths under ``src``.

    They are the lean codec, the fast resolver, the engine, gathering and the
    rules, which take about two thirds of a worker's CPU (docs/scale.md).
    """
    tomllib = importlib.import_module("tomllib")  # Python 3.11 and later
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include: list[str] = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"][
        "include"
    ]
    return [path.removeprefix("/src/") for path in include]


AT = datetime(2026, 11, 28, tzinfo=timezone.utc)
"""The moment both copies judge at: the same inputs give the same reports."""


def copies(workdir: Path, modules: list[str]) -> dict[str, Path]:
    """Two copies of ``src``: ``pure`` as it is, ``compiled`` with ``modules`` built by mypyc."""
    made = {}
    for side in ("pure", "compiled"):
        made[side] = workdir / side / "src"
        shutil.copytree(
            ROOT / "src", made[side], ignore=shutil.ignore_patterns("__pycache__", "*.so")
        )
    built = subprocess.run(  # noqa: S603 -- mypyc, from this interpreter, on our own copy
        [sys.executable, "-m", "mypyc", *modules],
        cwd=made["compiled"],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode:
        sys.exit(f"mypyc failed:\n{built.stdout[-2000:]}{built.stderr[-2000:]}")
    for module in modules:
        stem = (made["compiled"] / module).with_suffix("")
        if not list(stem.parent.glob(f"{stem.name}.*.so")):
            sys.exit(f"mypyc left no extension module for {module}")
    return made


def child(src: str, port: int, n: int, modules: list[str]) -> None:
    """One copy's timing, in this fresh process: prints one line of JSON."""
    sys.path.insert(0, src)
    import portfolio  # noqa: PLC0415 -- after the copy's src is first on the path
    from calibrate import calibration  # noqa: PLC0415

    import pecdns  # noqa: PLC0415
    from pecdns import check_many  # noqa: PLC0415
    from pecdns.resolvers import DnsResolver  # noqa: PLC0415

    if not pecdns.__file__ or not pecdns.__file__.startswith(src):
        sys.exit(f"pecdns came from {pecdns.__file__}, not from {src}")
    compiled = []
    for module in modules:
        spec = importlib.util.find_spec(module.removesuffix(".py").replace("/", "."))
        compiled.append(bool(spec and spec.origin and spec.origin.endswith(".so")))
    stub = DnsResolver([portfolio.RESOLVER], port=port, timeout=1.0, lifetime=4.0)
    runs, digests = [], set()
    for _ in range(REPEAT):
        started = time.perf_counter()
        reports = list(
            check_many(
                portfolio.names(n),
                resolver=stub,
                per_server=64,
                per_second=0,
                processes=2,
                at=AT,
            )
        )
        runs.append(time.perf_counter() - started)
        digest = hashlib.sha256()
        for report in reports:
            digest.update(json.dumps(report.to_dict(), sort_keys=True).encode())
        digests.add(digest.hexdigest())
    print(
        json.dumps(
            {
                "rate": n / min(runs),
                "slowest": n / max(runs),
                "digests": sorted(digests),
                "compiled": compiled,
                "calibration": calibration(best_of=3),
            }
        ),
        flush=True,
    )


def timed(src: Path, port: int, n: int, modules: list[str]) -> dict[str, Any]:
    """Run :func:`child` for the copy at ``src`` in a fresh interpreter; its figures."""
    done = subprocess.run(  # noqa: S603 -- this script, from this interpreter
        [sys.executable, __file__, "--child", str(src), str(port), str(n), "--modules", *modules],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str]) -> int:
    """Build the two copies, start the servers, time both copies alternately, compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000, help="domains a batch")
    parser.add_argument("--modules", nargs="+", default=None, help="paths under src")
    parser.add_argument("--rounds", type=int, default=2, help="pure/compiled pairs to time")
    parser.add_argument("--child", nargs=3, metavar=("SRC", "PORT", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    modules = args.modules or listed()
    if args.child:
        src, port, n = args.child
        child(src, int(port), int(n), modules)
        return 0
    if importlib.util.find_spec("mypyc") is None:
        print("mypyc is not installed here: pip install mypy", file=sys.stderr)
        return 2

    import portfolio  # noqa: PLC0415 -- the parent needs only the servers and the relay
    import topology  # noqa: PLC0415
    from calibrate import calibration  # noqa: PLC0415
    from fast import sequential  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="pecdns-compiled-") as workdir:
        print(f"compiling with mypyc: {', '.join(modules)}", file=sys.stderr, flush=True)
        made = copies(Path(workdir), modules)
        print(f"calibration (3,000,000 additions): {calibration(best_of=3):.3f} s")
        n = args.n
        with topology.servers(max(n, len(portfolio.CYCLE))) as port:
            with topology.relay(port, 0.015) as relay:
                base = sequential(relay.port, 200)
                best: dict[str, float] = {}
                digests: dict[str, set[str]] = {"pure": set(), "compiled": set()}
                for _ in range(args.rounds):
                    for side in ("pure", "compiled"):
                        got = timed(made[side], relay.port, n, modules)
                        if any(got["compiled"]) != (side == "compiled") or (
                            side == "compiled" and not all(got["compiled"])
                        ):
                            sys.exit(f"the {side} copy imported the wrong modules")
                        best[side] = max(best.get(side, 0.0), got["rate"])
                        digests[side].update(got["digests"])
                        print(
                            f"{side}: {n:,} domains, 2 processes, 15 ms: {got['rate']:,.0f}/s"
                            f" = {got['rate'] / base:.1f}x the sequential loop"
                            f" (slowest of {REPEAT}: {got['slowest']:,.0f}/s;"
                            f" calibration {got['calibration']:.3f} s)",
                            flush=True,
                        )
            print(f"  relay: {relay.stats}")
    same = digests["pure"] == digests["compiled"] and len(digests["pure"]) == 1
    print(
        f"best: pure {best['pure']:,.0f}/s ({best['pure'] / base:.1f}x),"
        f" compiled {best['compiled']:,.0f}/s ({best['compiled'] / base:.1f}x, target >= 50);"
        f" compiled / pure = {best['compiled'] / best['pure']:.2f}"
    )
    print(f"every report the same on both copies: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
