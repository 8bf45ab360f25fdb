"""The price of a raw question (the DNSSEC walk's): ``python bench/raw.py [N] [--profile]``.

A check that walks DNSSEC through a validating resolver asks each domain's
own DS (and, for a signed domain, its keys, the PEC name's DS and MX) as raw
questions, whose responses dnspython reads in full. This times, in one run,
the CPU of the calling process per raw question, ``N`` questions at a time
(64 in flight), against a server process on loopback answering each with a
signed response of the tests' DNSSEC lab (a DS set with its signature, an
NSEC denial):

- before: ``aask_raw``, as :class:`~pecdns.resolvers.FastResolver` asked before
  (dnspython makes the message, opens a socket and an asyncio endpoint for
  it, and reads the response);
- after: :meth:`~pecdns.resolvers.FastResolver.submit_raw` on its long-lived
  sockets, as the engine now asks (the message built by the lean codec, the
  response still read by ``dns.message.from_wire``);
- the reading alone (``dns.message.from_wire``), which both pay.

Every timing is the best of three; a calibration figure (the seconds of a
fixed pure-Python loop) lets figures from two machines be compared. The
server runs in a process of its own, so its CPU is not counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import multiprocessing
import pstats
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import dns.message

sys.path[:0] = [str(Path(__file__).parent.parent / "tests")]

from calibrate import calibration  # noqa: E402

from dnssec_lab import Lab  # noqa: E402
from pecdns._dnssec import Question  # noqa: E402
from pecdns.resolvers._fast import FastResolver  # noqa: E402
from pecdns.resolvers._wire import aask_raw  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

IN_FLIGHT = 64
QUESTIONS = [
    Question("secure.it.", "DS", "it."),  # a DS set and its signature
    Question("unsigned.it.", "DS", "it."),  # NODATA: the NSEC denial and its signature
    Question("pec.secure.it.", "MX", "secure.it."),  # the PEC name's signed MX
]


def responses() -> dict[bytes, bytes]:
    """Each question's response (ID 0), by the question section of its query."""
    lab = Lab()
    table = {}
    for question in QUESTIONS:
        made = lab.ask([question])[0]
        assert made is not None  # noqa: S101 -- the lab answers its own zones
        query = question.message().to_wire()
        table[query[12:-11]] = made.to_wire()
    return table


def serve(sock: socket.socket, table: dict[bytes, bytes]) -> None:
    """Answer each query with its response under the query's ID (the server process)."""
    while True:
        query, client = sock.recvfrom(4096)
        response = table.get(query[12:-11])
        if response is not None:
            sock.sendto(query[:2] + response[2:], client)


@contextlib.contextmanager
def server() -> Iterator[int]:
    """A server process on 127.0.0.1; yields its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    process = multiprocessing.Process(target=serve, args=(sock, responses()), daemon=True)
    process.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        process.terminate()  # our own child, by its handle
        process.join()
        sock.close()


async def _batched(n: int, ask: Callable[[Question], Awaitable[object]]) -> None:
    left = n
    while left:
        size = min(IN_FLIGHT, left)
        got = await asyncio.gather(*(ask(QUESTIONS[i % len(QUESTIONS)]) for i in range(size)))
        if any(response is None for response in got):
            raise RuntimeError("a question went unanswered: the figures would be wrong")
        left -= size


def before(port: int, n: int) -> float:
    """CPU µs per question through ``aask_raw``."""

    async def ask(question: Question) -> object:
        return await aask_raw(question.message(), ["127.0.0.1"], port=port, timeout=2.0)

    started = time.process_time()
    asyncio.run(_batched(n, ask))
    return (time.process_time() - started) / n * 1e6


def after(port: int, n: int) -> float:
    """CPU µs per question through ``FastResolver.submit_raw``."""
    resolver = FastResolver(["127.0.0.1"], port=port, timeout=2.0)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        resolver.bind(loop)

        def ask(question: Question) -> asyncio.Future[object]:
            future: asyncio.Future[object] = loop.create_future()
            resolver.submit_raw(question, time.monotonic() + 5.0, future.set_result)
            return future

        with resolver:
            await _batched(n, ask)

    started = time.process_time()
    asyncio.run(main())
    return (time.process_time() - started) / n * 1e6


def reading(n: int) -> float:
    """CPU µs per response read by ``dns.message.from_wire`` (both paths pay it)."""
    wires = list(responses().values())
    started = time.process_time()
    for i in range(n):
        dns.message.from_wire(wires[i % len(wires)])
    return (time.process_time() - started) / n * 1e6


def best(measure: Callable[[], float]) -> tuple[float, float]:
    """The best and the worst of three runs."""
    runs = [measure() for _ in range(3)]
    return min(runs), max(runs)


def main() -> None:
    """Print the calibration, then before, after and the reading alone."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 3000
    print(f"calibration: fixed pure-Python loop {calibration():.3f} s")
    with server() as port:
        after(port, 200)  # warm up both paths (imports, the lab's keys)
        before(port, 200)
        old, old_worst = best(lambda: before(port, n))
        new, new_worst = best(lambda: after(port, n))
        read, _ = best(lambda: reading(n))
        print(f"{n:,} raw questions, {IN_FLIGHT} in flight, CPU of this process per question:")
        print(f"  before (aask_raw):               {old:6.0f} us (worst {old_worst:.0f})")
        print(f"  after (FastResolver.submit_raw): {new:6.0f} us (worst {new_worst:.0f})")
        print(f"  of which dns.message.from_wire:  {read:6.0f} us")
        print(f"  before / after: {old / new:.2f}x")
        if "--profile" in sys.argv:
            profile = cProfile.Profile()
            profile.runcall(after, port, n)
            pstats.Stats(profile).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
