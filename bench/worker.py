"""One measurement, in a fresh process: ``python bench/worker.py '<json spec>'`` prints JSON.

Each timed run gets a process of its own, so its peak memory (the kernel's
VmHWM) is its own and no run inherits another's heap. The kinds:

- ``pecdns``: :func:`pecdns.check_many` over the portfolio through
  :class:`~pecdns.resolvers.AsyncDnsResolver`, counting and auditing the
  questions it sends, and checking every verdict against the portfolio;
- ``baseline``: what a user would write instead, a sequential loop of
  ``dns.resolver.resolve(f"pec.{d}", "MX")`` with the same settings;
- ``udp``: the bare cost of one question, a tight loop of ``dns.query.udp``;
- ``stream``: peak memory of a long generator of names streamed through
  check_many with a :class:`~pecdns.testing.FakeResolver` built from a handler;
- ``querylog``: what the fake's log of questions costs per question.
"""

from __future__ import annotations

import collections
import concurrent.futures
import json
import resource
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dns.exception
import dns.message
import dns.query
import dns.resolver
import portfolio

from pecdns import InvalidInput, Report, check_many
from pecdns.resolvers import AsyncDnsResolver, Outcome, Query, RRType
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from pecdns.resolvers import Answer, AsyncResolver

KB = 1024
EXAMPLES = 5  # examples kept of anything unexpected


def memory_kb(field: str) -> int:
    """A memory figure of this process from /proc (``VmRSS``, ``VmHWM``), in kB."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class AuditingResolver:
    """Passes every question on, counting them and auditing the repeats.

    It keeps no question, only counters and a set of hashes, so its memory is
    a few dozen bytes per domain. Two things are audited: each MX question is
    asked at most once of each server (the stub's server for recursive ones),
    and each address look-up is made once per batch (the shared hosts above
    all).
    """

    def __init__(self, resolver: AsyncResolver, stub_server: str) -> None:
        """Audit ``resolver``, whose recursive questions go to ``stub_server``."""
        self.resolver = resolver
        self.stub_server = stub_server
        self.by_type: collections.Counter[str] = collections.Counter()
        self.mx_asked: set[int] = set()
        self.mx_repeats: list[str] = []
        self.lookups: collections.Counter[tuple[str, str]] = collections.Counter()

    async def resolve(self, query: Query) -> Answer:
        """Count ``query``, then ask it."""
        kind = f"{query.rdtype.value} {'direct' if query.server else 'recursive'}"
        self.by_type[kind] += 1
        if query.rdtype is RRType.MX:
            key = hash((query.name, query.server or self.stub_server))
            if key in self.mx_asked:
                self.mx_repeats.append(str(query))
            self.mx_asked.add(key)
        elif query.server is None and query.rdtype in {RRType.A, RRType.AAAA}:
            self.lookups[query.name, query.rdtype.value] += 1
        return await self.resolver.resolve(query)

    def summary(self) -> dict[str, Any]:
        """The counts and the audit's findings."""
        repeated = {f"{n} {t}": c for (n, t), c in self.lookups.items() if c > 1}
        return {
            "total": sum(self.by_type.values()),
            "by_type": dict(sorted(self.by_type.items())),
            "mx_repeats": len(self.mx_repeats),
            "mx_repeat_examples": self.mx_repeats[:EXAMPLES],
            "lookups": sum(self.lookups.values()),
            "lookup_names": len(self.lookups),
            "repeated_lookups": dict(sorted(repeated.items())[:EXAMPLES]),
            "repeated_lookup_count": len(repeated),
            "shared_host_lookups": {
                f"{n} {t}": c for (n, t), c in self.lookups.items() if n in portfolio.SHARED_HOSTS
            },
        }


def _tally(results: Iterable[Report | InvalidInput], order: range) -> dict[str, Any]:
    """Verdicts by kind of set-up, and every result whose verdict is not the expected one."""
    verdicts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    wrong: list[str] = []
    count = 0
    for i, result in zip(order, results, strict=True):
        count += 1
        kind, verdict = portfolio.kind(i), str(result.verdict)
        verdicts[kind][verdict] += 1
        if verdict != portfolio.EXPECTED[kind]:
            wrong.append(f"{portfolio.domain(i)} ({kind}): {verdict} {list(result.codes())}")
    return {
        "results": count,
        "verdicts": {k: dict(v) for k, v in sorted(verdicts.items())},
        "unexpected": len(wrong),
        "unexpected_examples": wrong[:EXAMPLES],
    }


def _timed(run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``run()``'s result, with its wall and CPU time and this process's memory."""
    rss_before = memory_kb("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    result = run()
    result["seconds"] = time.perf_counter() - start
    result["cpu_seconds"] = time.process_time() - cpu
    result["rss_before_mb"] = rss_before / KB
    result["peak_rss_mb"] = memory_kb("VmHWM") / KB
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["children_cpu_seconds"] = children.ru_utime + children.ru_stime
    result["children_peak_rss_mb"] = children.ru_maxrss / KB
    return result


def measure_pecdns(spec: dict[str, Any]) -> dict[str, Any]:
    """Time check_many over the portfolio (``processes`` > 0: on a process pool)."""
    order = portfolio.indices(spec["n"], spec.get("sample"))
    dnspython = AsyncDnsResolver(
        [portfolio.RESOLVER], port=spec["port"], timeout=spec["timeout"], lifetime=spec["lifetime"]
    )
    processes = spec.get("processes", 0)
    audit = None if processes else AuditingResolver(dnspython, portfolio.RESOLVER)
    options = {
        "concurrency": spec["concurrency"],
        "per_server": spec["per_server"],
        "per_second": spec["per_second"],
    }

    def run() -> dict[str, Any]:
        names = (portfolio.domain(i) for i in order)
        if not processes:
            return _tally(check_many(names, resolver=audit or dnspython, **options), order)
        with concurrent.futures.ProcessPoolExecutor(processes) as pool:
            results = check_many(
                names, resolver=dnspython, executor=pool, batch_size=spec["batch_size"], **options
            )
            return _tally(results, order)

    result = _timed(run)
    result["queries"] = audit.summary() if audit else None
    return result | {"n": len(order), "processes": processes}


def _user_lookup(domain: str) -> str:
    """The user's loop body: the PEC name's MX, or the exception's name (NXDOMAIN, NoAnswer...)."""
    try:
        dns.resolver.resolve(f"pec.{domain}", "MX")
    except dns.exception.DNSException as exc:
        return type(exc).__name__
    return "answer"


def measure_baseline(spec: dict[str, Any]) -> dict[str, Any]:
    """Time the loop a user would write: ``dns.resolver.resolve(f"pec.{d}", "MX")``, one by one."""
    order = portfolio.indices(spec["n"], spec.get("sample"))
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [portfolio.RESOLVER]
    resolver.port = spec["port"]
    resolver.timeout = spec["timeout"]
    resolver.lifetime = spec["lifetime"]
    resolver.cache = None
    dns.resolver.default_resolver = resolver  # what the module-level resolve() asks

    def run() -> dict[str, Any]:
        outcomes = collections.Counter(_user_lookup(portfolio.domain(i)) for i in order)
        return {"outcomes": dict(outcomes)}

    return _timed(run) | {"n": len(order), "queries": len(order)}


def measure_udp(spec: dict[str, Any]) -> dict[str, Any]:
    """Time bare ``dns.query.udp`` questions (the PEC names' MX), one by one."""
    order = portfolio.indices(spec["n"], spec.get("sample"))

    def run() -> dict[str, Any]:
        for i in order:
            query = dns.message.make_query(f"pec.{portfolio.domain(i)}.", "MX")
            dns.query.udp(query, portfolio.RESOLVER, port=spec["port"], timeout=spec["timeout"])
        return {}

    return _timed(run) | {"n": len(order), "queries": len(order)}


def _fake_answer(query: Query) -> Answer | Outcome | list[str]:
    """The stream's fake DNS: 19 domains in 20 correct, the 20th with a wrong MX host."""
    if query.rdtype is RRType.MX and query.name.startswith("pec."):
        wrong = query.name.startswith("pec.d") and query.name.endswith("9.it.")
        return ["10 mail.example.it."] if wrong else ["10 mx.pec.aruba.it."]
    if query.rdtype is RRType.A and query.name in {"mx.pec.aruba.it.", "mail.example.it."}:
        return ["192.0.2.25"]
    return Outcome.NODATA


def measure_stream(spec: dict[str, Any]) -> dict[str, Any]:
    """Peak memory of ``n`` names streamed through check_many with a FakeResolver (a handler).

    The input is a generator; results are counted and dropped. The fake keeps
    every question it is asked (``FakeResolver.queries``), which check_many
    cannot bound, so every ``trim_every`` results that log is emptied and its
    own cost is measured apart (``querylog``).
    """
    n, trim_every = spec["n"], spec["trim_every"]
    fake = FakeResolver(_fake_answer)
    samples: list[tuple[int, float]] = []
    count = 0

    def seen(_result: object) -> None:
        nonlocal count
        count += 1
        if count % trim_every == 0:
            fake.queries.clear()
        if count % spec["sample_every"] == 0:
            samples.append((count, memory_kb("VmRSS") / KB))

    def run() -> dict[str, Any]:
        names = (f"d{i}.it" for i in range(n))
        verdicts = collections.Counter(
            str(r.verdict) for r in check_many(names, resolver=fake, progress=seen, **spec["knobs"])
        )
        return {"verdicts": dict(verdicts), "rss_samples": samples}

    return _timed(run) | {"n": n}


def measure_querylog(spec: dict[str, Any]) -> dict[str, Any]:
    """What FakeResolver's question log costs: the memory of ``n`` questions kept as pecdns asks."""
    kept: list[Query] = []
    before = memory_kb("VmRSS")
    for i in range(spec["n"] // 4):
        apex = f"d{i}.it"
        kept += [Query(f"pec.{apex}", "MX"), Query(apex, "MX"), Query(apex, "NS")]
        kept.append(Query(f"pec.{apex}", "NS"))
    grown = memory_kb("VmRSS") - before
    return {"questions": len(kept), "bytes_per_question": grown * KB / len(kept)}


MEASURES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "pecdns": measure_pecdns,
    "baseline": measure_baseline,
    "udp": measure_udp,
    "stream": measure_stream,
    "querylog": measure_querylog,
}


def main(argv: list[str]) -> None:
    """Run the measurement the JSON spec in ``argv[0]`` names; print its result as JSON."""
    spec = json.loads(argv[0])
    print(json.dumps(MEASURES[spec["kind"]](spec)))


if __name__ == "__main__":
    main(sys.argv[1:])
