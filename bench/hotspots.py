"""Where check_many's time goes: ``python bench/hotspots.py [N]`` (root, NSD and Knot installed).

It starts the benchmark's servers for N domains (default 1,000), runs
check_many over them under cProfile (in the thread where check_many runs its
event loop, where all the work is done), and prints the time by package
(dnspython, asyncio, pecdns...) and the costliest functions. Then it times,
against the same server, one question asked each way pecdns asks, to put a
price on each:

- ``dns.asyncresolver`` (pecdns's recursive questions), ``dns.asyncquery.udp``
  (its questions to one server), ``dns.query.udp`` (the bare sync question);
- the share of ``dns.asyncquery.udp`` that is making a socket and an asyncio
  endpoint for each question;
- pecdns's own work on an answer (classify the response, build the Answer).
"""

from __future__ import annotations

import asyncio
import collections
import cProfile
import pstats
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING

import dns.asyncquery
import dns.asyncresolver
import dns.message
import dns.query
import portfolio
import topology

from pecdns import check_many
from pecdns.resolvers import AsyncDnsResolver, Query
from pecdns.resolvers._wire import classify

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import FrameType

ROUNDS = 1_000


def _group(filename: str) -> str:
    """The package a profiled function belongs to."""
    for marker, name in (("/dns/", "dnspython"), ("/pecdns/", "pecdns"), ("asyncio", "asyncio")):
        if marker in filename:
            return name
    if "attrs generated" in filename or "/attr/" in filename:
        return "attrs (pecdns's models)"
    if filename == "~":
        return "C functions (builtins, methods of str, dict, socket...)"
    return filename.rsplit("/", 1)[-1]


def profile_batch(n: int, port: int) -> None:
    """check_many over ``n`` domains under cProfile, in the batch's own event-loop thread."""
    profiler = cProfile.Profile()

    def start_in_new_threads(_frame: FrameType, _event: str, _arg: object) -> None:
        sys.setprofile(None)
        if threading.current_thread().name == "pecdns-batch":
            profiler.enable()

    threading.setprofile(start_in_new_threads)
    resolver = AsyncDnsResolver([portfolio.RESOLVER], port=port)
    start = time.perf_counter()
    for _ in check_many(portfolio.names(n), resolver=resolver, per_server=256, per_second=0):
        pass
    took = time.perf_counter() - start
    threading.setprofile(None)
    stats = pstats.Stats(profiler)
    by_group: collections.Counter[str] = collections.Counter()
    for (filename, _line, _function), row in stats.stats.items():  # type: ignore[attr-defined]
        by_group[_group(filename)] += row[2]
    total = sum(by_group.values())
    print(f"check_many over {n:,} domains under cProfile: {took:.1f} s; own time by package:")
    for group, seconds in by_group.most_common(12):
        print(f"  {group:58} {seconds:7.2f} s {100 * seconds / total:5.1f}%")
    print("\ncostliest functions (cumulative):")
    stats.sort_stats("cumulative").print_stats(25)


def _per_call(call: Callable[[], object], rounds: int = ROUNDS) -> float:
    start = time.process_time()
    for _ in range(rounds):
        call()
    return (time.process_time() - start) / rounds


def _per_await(make: Callable[[], Awaitable[object]], rounds: int = ROUNDS) -> float:
    async def loop() -> float:
        start = time.process_time()
        for _ in range(rounds):
            await make()
        return (time.process_time() - start) / rounds

    return asyncio.run(loop())


def price_questions(port: int) -> None:
    """CPU time of one question asked each way pecdns asks it, and of pecdns's share."""
    server, name = portfolio.RESOLVER, "pec.cliente0.it."
    stub = dns.asyncresolver.Resolver(configure=False)
    stub.nameservers, stub.port, stub.cache = [server], port, None
    query = dns.message.make_query(name, "MX")
    response = dns.query.udp(query, server, port=port, timeout=2)
    wire = response.to_wire()
    pecdns_query = Query(name, "MX", server=server)

    async def endpoint_only() -> None:
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            asyncio.DatagramProtocol, remote_addr=(server, port), family=socket.AF_INET
        )
        transport.close()

    prices = {
        "dns.asyncresolver resolve (pecdns's recursive questions)": _per_await(
            lambda: stub.resolve(name, "MX")
        ),
        "dns.asyncquery.udp (pecdns's questions to one server)": _per_await(
            lambda: dns.asyncquery.udp(query, server, port=port, timeout=2)
        ),
        "dns.query.udp (the bare sync question)": _per_call(
            lambda: dns.query.udp(query, server, port=port, timeout=2)
        ),
        "  of which make_query + to_wire": _per_call(
            lambda: dns.message.make_query(name, "MX").to_wire()
        ),
        "  of which from_wire (parse the answer)": _per_call(lambda: dns.message.from_wire(wire)),
        "an asyncio UDP endpoint made and closed (asyncquery does it per question)": _per_await(
            endpoint_only
        ),
        "pecdns: classify a response into an Answer": _per_call(
            lambda: classify(pecdns_query, response, f"{server}#{port}")
        ),
    }
    print(f"CPU time per question, {ROUNDS:,} questions each, one at a time:")
    for what, seconds in prices.items():
        print(f"  {what:75} {seconds * 1e6:7.0f} us")


def main(argv: list[str]) -> None:
    """Profile a batch, then price each kind of question."""
    n = int(argv[0]) if argv else 1_000
    with topology.servers(max(n, len(portfolio.CYCLE))) as port:
        profile_batch(n, port)
        price_questions(port)


if __name__ == "__main__":
    main(sys.argv[1:])
