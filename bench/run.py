"""The pecdns benchmark: ``python bench/run.py [--quick | --full]`` (root, NSD and Knot installed).

It starts NSD and Knot on 127.0.0.x serving a generated portfolio of
``cliente<i>.it`` domains (see ``portfolio.py``), and times, in the same run:

1. pecdns's :func:`~pecdns.check_many` over N domains, through
   :class:`~pecdns.resolvers.AsyncDnsResolver` pointed at the servers;
2. the baseline a user would write: ``dns.resolver.resolve(f"pec.{d}", "MX")``
   in a sequential loop, with the same server, port, timeout and lifetime;
3. the raw cost of the questions pecdns sent: their count (audited as they
   are sent) times the baseline's cost per question, measured in this run.

at two latencies: loopback as it is, and with about 15 ms added to every
answer (``tc netem`` in a network namespace of the benchmark's own, or, where
the kernel has no netem, a delaying relay in a process of its own). Each
timed run is a fresh process (``worker.py``), so its peak memory is its own.
It also times a run on two worker processes and streams a long generator of
names through check_many with a FakeResolver to find the peak memory.

Modes: ``--quick`` (N=200, loopback only, under a minute); the default (N =
1,000 and 10,000 at both latencies, 10,000 on two processes, 100,000 names
streamed; about 7 minutes on the 2-core CI machine); ``--full`` (adds 100,000
domains on two processes on loopback and streams 1,000,000 names; about half
an hour there). The table is printed and written to
``bench/results/<mode>.json``; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import timeit
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dns.version
import portfolio
import table
import topology

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

RESULTS = topology.BENCH / "results"
DELAY = 0.015  # seconds added to every answer
WORKER = topology.BENCH / "worker.py"


@dataclass(frozen=True)
class Knobs:
    """How check_many is tuned for the benchmark's own servers.

    The default politeness (8 questions in flight and 50 per second to any one
    name server) protects real operators; here two loopback servers host every
    customer domain, so the benchmark lifts both limits for them.
    """

    concurrency: int = 64
    per_server: int = 256
    per_second: float = 0.0  # no rate limit
    batch_size: int = 500
    timeout: float = 2.0  # AsyncDnsResolver's and the baseline's, per server
    lifetime: float = 5.0  # per question, retries included


@dataclass(frozen=True)
class Plan:
    """What one mode of the benchmark measures."""

    mode: str
    sizes: tuple[int, ...]  # rows on one process, at each latency
    delayed: bool  # rows at DELAY as well as on loopback
    pool_sizes: tuple[int, ...]  # rows on two processes, on loopback
    pool_delayed_sizes: tuple[int, ...]  # rows on two processes, at DELAY
    stream_n: int  # names streamed through check_many with a FakeResolver
    baseline_sample: int = 10_000  # the sequential baseline's rate does not depend on N
    baseline_sample_delayed: int = 1_000  # at 15 ms a question, 1,000 take 15 s
    udp_sample: int = 2_000
    knobs: Knobs = field(default_factory=Knobs)

    @property
    def largest(self) -> int:
        """The portfolio size the servers must hold."""
        return max(*self.sizes, *self.pool_sizes, *self.pool_delayed_sizes)


PLANS = {
    "quick": Plan("quick", (200,), delayed=False, pool_sizes=(200,), pool_delayed_sizes=(),
                  stream_n=5_000, knobs=Knobs(batch_size=50)),
    "default": Plan("default", (1_000, 10_000), delayed=True, pool_sizes=(10_000,),
                    pool_delayed_sizes=(10_000,), stream_n=100_000),
    "full": Plan("full", (1_000, 10_000), delayed=True, pool_sizes=(10_000, 100_000),
                 pool_delayed_sizes=(10_000,), stream_n=1_000_000),
}  # fmt: skip


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh process; its JSON result."""
    command = [sys.executable, str(WORKER), json.dumps(spec)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"worker {spec['kind']} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def machine_busy_seconds() -> float:
    """CPU time the whole machine has been busy since boot, every core summed (/proc/stat)."""
    fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def git_state() -> dict[str, str]:
    """The commit measured, and whether src/ differs from it (others edit the tree meanwhile)."""

    def git(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 -- read-only git queries
            ["git", *args],  # noqa: S607 -- git from PATH, as a developer runs it
            capture_output=True,
            text=True,
            check=False,
            cwd=topology.BENCH,
        )
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "src_changes": git("diff", "--stat", "--", "../src"),
    }


def say(text: str) -> None:
    """Progress, on stderr, so stdout holds the report alone."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


class Setting:
    """One latency setting: the port to ask on, and what adds the latency (if anything)."""

    def __init__(
        self, port: int, *, delayed: bool = False, relay: topology.Relay | None = None
    ) -> None:
        """Ask on ``port``, ``delayed`` or not; ``relay`` is the delaying relay, if one is used."""
        self.label = f"{DELAY * 1000:g} ms" if delayed else "0 ms"
        self.port = port
        self.delayed = delayed
        self.relay = relay
        self.baselines: dict[int, dict[str, Any]] = {}

    def baseline(self, plan: Plan, n: int) -> dict[str, Any]:
        """The baseline over an evenly spaced sample of ``n`` domains (measured once a size)."""
        sample = plan.baseline_sample_delayed if self.delayed else plan.baseline_sample
        size = len(portfolio.indices(n, sample))
        if size not in self.baselines:
            say(f"{self.label}: baseline over {size:,} domains")
            self.baselines[size] = worker(self.spec("baseline", n, plan.knobs, sample=sample))
        return self.baselines[size]

    def spec(self, kind: str, n: int, knobs: Knobs, **extra: Any) -> dict[str, Any]:  # noqa: ANN401
        """A worker spec for this setting."""
        return {"kind": kind, "n": n, "port": self.port, **asdict(knobs), **extra}

    def row(self, plan: Plan, n: int, processes: int = 0) -> table.Row:
        """Time pecdns and the baseline over ``n`` domains."""
        say(f"{self.label}: pecdns over {n:,} domains ({processes or 1} process(es))")
        relay_before = self.relay.cpu_seconds() if self.relay else 0.0
        busy_before = machine_busy_seconds()
        pecdns = worker(self.spec("pecdns", n, plan.knobs, processes=processes))
        busy = machine_busy_seconds() - busy_before
        relay_cpu = (self.relay.cpu_seconds() - relay_before) if self.relay else None
        baseline = self.baseline(plan, n)
        queries = pecdns.get("queries")
        row: table.Row = {
            "latency": self.label,
            "pecdns": pecdns,
            "baseline": baseline,
            "queries_per_domain": queries["total"] / pecdns["n"] if queries else None,
            "relay_cpu_seconds": relay_cpu,
            "machine_cpu_seconds": busy,
            "servers_and_others_cpu_seconds": busy
            - pecdns["cpu_seconds"]
            - pecdns["children_cpu_seconds"]
            - (relay_cpu or 0.0),
        }
        if pecdns["unexpected"]:
            say(f"UNEXPECTED VERDICTS: {pecdns['unexpected_examples']}")
        return row


def fill_queries(rows: list[table.Row]) -> None:
    """Rows on processes are not audited: take their questions per domain from a 1-process row."""
    audited = {r["latency"]: r["queries_per_domain"] for r in rows if r["queries_per_domain"]}
    for r in rows:
        if r["queries_per_domain"] is None:
            r["queries_per_domain"] = audited.get(r["latency"])
            r["queries_estimated"] = True


def measure_loopback(plan: Plan, port: int, results: dict[str, Any]) -> None:
    """The loopback rows, the bare per-question cost and the two-process run."""
    setting = Setting(port)
    results["udp"] = worker(setting.spec("udp", plan.largest, plan.knobs, sample=plan.udp_sample))
    results["rows"] += [setting.row(plan, n) for n in plan.sizes]
    results["rows"] += [setting.row(plan, n, processes=2) for n in plan.pool_sizes]
    results["pool"] = results["rows"][-1]["pecdns"] if plan.pool_sizes else None


def measure_delayed_by_relay(plan: Plan, port: int, results: dict[str, Any]) -> None:
    """The rows at DELAY, through the delaying relay."""
    with topology.relay(port, DELAY) as relay:
        setting = Setting(relay.port, delayed=True, relay=relay)
        results["rows"] += [setting.row(plan, n) for n in plan.sizes]
        results["rows"] += [setting.row(plan, n, processes=2) for n in plan.pool_delayed_sizes]


def measure_delayed_by_netem(plan: Plan, namespace: str, results: dict[str, Any]) -> None:
    """The rows at DELAY: this script again, inside the namespace whose ``lo`` netem delays."""
    command = topology.in_namespace(
        namespace, [sys.executable, __file__, "--in-namespace", "--mode", plan.mode]
    )
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"the run in the network namespace failed (rc {done.returncode})")
    results["rows"] += json.loads(done.stdout)["rows"]


def in_namespace(plan: Plan) -> None:
    """Inside the netem namespace: start the servers here, measure the delayed rows, print JSON."""
    rows: list[table.Row] = []
    with topology.servers(plan.largest) as port:
        setting = Setting(port, delayed=True)
        rows += [setting.row(plan, n) for n in plan.sizes]
        rows += [setting.row(plan, n, processes=2) for n in plan.pool_delayed_sizes]
    print(json.dumps({"rows": rows}))


def machine() -> dict[str, Any]:
    """What the figures depend on: the machine, the interpreter and its speed, the servers."""
    loop = timeit.timeit("sum(range(1000))", number=2000) / 2000
    parse = timeit.timeit(
        "dns.message.from_wire(wire)",
        setup="import dns.message, dns.rrset\n"
        "q = dns.message.make_query('pec.cliente0.it.', 'MX')\n"
        "r = dns.message.make_response(q)\n"
        "r.answer.append(dns.rrset.from_text('pec.cliente0.it.', 300, 'IN', 'MX', "
        "'10 mx.pec.aruba.it.'))\n"
        "wire = r.to_wire()",
        number=500,
    )
    versions = {}
    for name, flag in (("nsd", "-v"), ("knotd", "-V")):
        path = shutil.which(name, path=topology.SBIN)
        if path:
            done = subprocess.run([path, flag], capture_output=True, text=True, check=False)  # noqa: S603
            versions[name] = (done.stdout + done.stderr).splitlines()[0].strip()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "dnspython": dns.version.version,
        "servers": versions,
        "sum_range_1000_us": loop * 1e6,
        "dnspython_from_wire_us": parse / 500 * 1e6,
        "git": git_state(),
    }


@contextlib.contextmanager
def interrupts_as_exceptions() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt, so servers, relay and namespace are stopped in any case."""

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def latency_method(plan: Plan, force: str) -> tuple[str, str]:
    """How latency is added (``netem``, ``relay`` or ``none``) and why."""
    if not plan.delayed:
        return "none", "no latency rows in this mode"
    if force == "relay":
        return "relay", "asked for with --latency relay"
    reason = topology.netem_unavailable()
    if reason is None:
        return "netem", "tc netem on the loopback of a network namespace made for the run"
    if force == "netem":
        raise SystemExit(f"netem is unavailable: {reason}")
    return "relay", f"netem is unavailable ({reason}); a delaying relay process is used instead"


def run(plan: Plan, force: str) -> dict[str, Any]:
    """Every measurement of ``plan``; the results, as written to JSON."""
    method, why = latency_method(plan, force)
    say(f"latency: {method}: {why}")
    results: dict[str, Any] = {
        "mode": plan.mode,
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "plan": asdict(plan),
        "latency_ms": DELAY * 1000,
        "latency_method": method,
        "latency_note": why,
        "rows": [],
    }
    say(f"starting NSD and Knot for {plan.largest:,} domains")
    with topology.servers(plan.largest) as port:
        measure_loopback(plan, port, results)
        if method == "relay":
            measure_delayed_by_relay(plan, port, results)
    if method == "netem":
        with topology.namespace(DELAY / 2) as name:  # each way: DELAY per answer
            measure_delayed_by_netem(plan, name, results)
    say(f"streaming {plan.stream_n:,} names through check_many with a FakeResolver")
    knobs = {"concurrency": plan.knobs.concurrency}
    results["stream"] = worker(
        {"kind": "stream", "n": plan.stream_n, "trim_every": 10_000, "knobs": knobs,
         "sample_every": max(1, plan.stream_n // 20)}
    )  # fmt: skip
    results["querylog"] = worker({"kind": "querylog", "n": 200_000})
    fill_queries(results["rows"])
    results["rows"] = [table.derive(r) for r in results["rows"]]
    results["linearity"] = table.linearity(results["rows"])
    results["targets"] = table.targets(results)
    results["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return results


def notes(results: dict[str, Any]) -> str:
    """What the table needs to be read right."""
    m, plan = results["machine"], results["plan"]
    knobs = plan["knobs"]
    stream, log = results["stream"], results["querylog"]
    relay_cpu = [r["relay_cpu_seconds"] for r in results["rows"] if r.get("relay_cpu_seconds")]
    lines = [
        (
            f"machine: {m['cpus']} CPUs, Python {m['python']}, dnspython {m['dnspython']}, "
            f"{m['servers'].get('nsd', '?')}, {m['servers'].get('knotd', '?')}; "
            f"sum(range(1000)) takes {m['sum_range_1000_us']:.1f} us, parsing a 1-record DNS "
            f"answer {m['dnspython_from_wire_us']:.0f} us"
        ),
        (
            f"check_many knobs: concurrency={knobs['concurrency']}, per_server="
            f"{knobs['per_server']}, per_second={knobs['per_second'] or 'unlimited'}, batch_size="
            f"{knobs['batch_size']} (on processes); the default politeness (8 in flight, 50/s per "
            "server) is LIFTED for the benchmark's own loopback servers"
        ),
        f"latency: {results['latency_method']}: {results['latency_note']}",
        (
            "overhead = pecdns time / (its questions x the baseline's time per question); "
            "cpu ovh = the same in CPU time; vs base = domains/s over the baseline's"
        ),
        (
            f"baseline: sequential dns.resolver.resolve on an evenly spaced sample of (n) domains; "
            f"bare dns.query.udp: {1000 * results['udp']['seconds'] / results['udp']['n']:.2f} ms "
            "a question"
        ),
        (
            f"stream: {stream['n']:,} names (a generator) through "
            f"check_many(FakeResolver(handler)) in {stream['seconds']:.0f} s; "
            f"RSS from {stream['rss_before_mb']:.0f} MB to a peak of "
            f"{stream['peak_rss_mb']:.0f} MB; the fake's own log of questions was emptied every "
            f"10,000 results: kept whole it costs {log['bytes_per_question']:.0f} B a question, "
            f"{4 * log['bytes_per_question'] * table.STREAM_N / 2**20:.0f} MB for "
            f"{table.STREAM_N:,} names"
        ),
    ]
    if relay_cpu:
        lines.append(f"the relay process used {sum(relay_cpu):.1f} s of CPU over the delayed rows")
    others = max(
        results["rows"], key=lambda r: r["servers_and_others_cpu_seconds"] / r["pecdns"]["seconds"]
    )
    share = others["servers_and_others_cpu_seconds"] / others["pecdns"]["seconds"]
    lines.append(
        f"CPU used beside the client (the DNS servers, and anything else on the machine) during "
        f"a timed run: at most {100 * share:.0f}% of a core ({others['pecdns']['n']:,}, "
        f"{others['latency']}, {others['pecdns']['processes'] or 1} proc)"
    )
    git = m["git"]
    changed = "; src/ had uncommitted changes" if git["src_changes"] else ""
    lines.append(f"pecdns measured at commit {git['commit']}{changed}")
    return "\n".join(f"- {line}" for line in lines)


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="N=200 on loopback: a smoke run")
    size.add_argument("--full", action="store_true", help="add 100,000 domains and 1M streamed")
    size.add_argument("--mode", choices=sorted(PLANS), help=argparse.SUPPRESS)
    parser.add_argument(
        "--latency", choices=("auto", "netem", "relay"), default="auto",
        help="how to add latency: netem in a namespace where the kernel has it (auto), or a relay",
    )  # fmt: skip
    parser.add_argument("--in-namespace", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    """Run the benchmark, print the table, write the JSON results."""
    args = parse(argv)
    mode = args.mode or ("quick" if args.quick else "full" if args.full else "default")
    plan = PLANS[mode]
    with interrupts_as_exceptions():
        if args.in_namespace:
            in_namespace(plan)
            return
        if os.geteuid() != 0:
            raise SystemExit("the benchmark runs as root (network namespaces, server addresses)")
        results = run(plan, args.latency)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{mode}.json"
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(table.render(results))
    print()
    print(notes(results))
    print(f"\nresults: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main(sys.argv[1:])
