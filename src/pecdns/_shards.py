"""One batch on several cores: the one-loop engine in worker processes, results in order.

:func:`sharded` starts ``processes`` worker processes, each running
:func:`pecdns._engine.run` for the whole batch on a stream of names it is
fed in chunks; the calling process reads the input lazily, keeps each worker
at most ``ahead`` names ahead of what it has yielded, and yields the results
in input order (or as they come). Memory stays bounded whatever the input's
length: at most ``processes * ahead`` names (plus a chunk each) are out at
once, sent to a worker or held back for order behind a slow check.

A worker keeps its own address cache and sockets; each worker's checks keep
every protection of the engine (budgets, caps, politeness per worker).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import itertools
import multiprocessing
import multiprocessing.connection
import queue
import threading
import time
from typing import TYPE_CHECKING, Any

from pecdns.exceptions import PecdnsError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from multiprocessing.connection import Connection

    from pecdns._batch import InvalidInput
    from pecdns._domain import Domain
    from pecdns._models import Report
    from pecdns.resolvers._fast import FastResolver

__all__ = ["sharded"]

CHUNK = 256
"""Names sent to a worker at once, and results sent back at most at once."""


class _Feed:
    """A worker's input: names as they arrive from the parent; PAUSE while none has."""

    def __init__(self, inbox: Connection) -> None:
        self.names: collections.deque[str | Domain] = collections.deque()
        self.ended = False
        self.wake: Callable[[], object] | None = None
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, args=(inbox,), daemon=True)

    def attach(self, wake: Callable[[], object]) -> None:
        self.wake = wake
        self.reader.start()

    def _read(self, inbox: Connection) -> None:
        while True:
            try:
                chunk = inbox.recv()
            except (EOFError, OSError):
                chunk = None
            with self.lock:
                if chunk is None:
                    self.ended = True
                else:
                    self.names.extend(chunk)
            if self.wake is not None:
                with contextlib.suppress(RuntimeError):  # the loop is closed: the batch is over
                    self.wake()
            if chunk is None:
                return

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str | Domain:
        from pecdns._engine import PAUSE  # noqa: PLC0415 -- the engine imports the batch module

        with self.lock:
            if self.names:
                return self.names.popleft()
            if self.ended:
                raise StopIteration
        return PAUSE  # type: ignore[no-any-return]


def _send_back(outbox: Connection, results: queue.SimpleQueue[Any]) -> None:
    """Send results to the parent in chunks; ``None`` ends.

    A chunk is sent when it holds :data:`CHUNK` results or :data:`LINGER`
    seconds after its first: fewer, larger messages cost both processes less.
    """
    while True:
        batch = [results.get()]
        until = time.monotonic() + LINGER
        while len(batch) < CHUNK and batch[-1] is not None:
            wait = until - time.monotonic()
            if wait <= 0:
                break
            try:
                batch.append(results.get(timeout=wait))
            except queue.Empty:
                break
        ended = batch[-1] is None
        if ended:
            batch.pop()
        if batch:
            outbox.send(batch)
        if ended:
            outbox.send(None)
            return


LINGER = 0.02
"""Seconds a worker holds finished results to send them together."""

COLLECT_EVERY = 8192
"""Results a worker yields between two runs of the cyclic garbage collector."""


def _collected_every(results: Iterable[Any], every: int = COLLECT_EVERY) -> Iterator[Any]:
    """``results``, with the cyclic garbage collector run by hand every ``every`` of them.

    A worker runs no code but pecdns's, so its collector need not resume at
    each hand-over as the calling process's must: there each resumption
    walked every object the checks in flight hold and found nothing to free
    (about 9% of a domain's CPU). The engine makes next to no cyclic garbage,
    so one full collection every ``every`` results bounds what it does make.

    What the worker inherited from the parent at the fork (your program's
    objects as well as pecdns's) is frozen first (``gc.freeze``), unless
    something froze objects already: a collection never walks those objects,
    nor writes to the memory pages the worker still shares with the parent,
    which would copy them. A worker's collection forked from a process of
    48,000 objects took 114-121 ms without, 56-84 ms with.
    """
    enabled = gc.isenabled()
    gc.disable()
    freezing = not gc.get_freeze_count()
    if freezing:
        gc.freeze()  # what the worker inherited at the fork: never walked, its pages never copied
    try:
        for count, result in enumerate(results, 1):
            yield result
            if not count % every:
                gc.collect()
    finally:
        if freezing:
            gc.unfreeze()
        if enabled:
            gc.enable()


def _worker(
    inbox: Connection, outbox: Connection, resolver: FastResolver | None, settings: dict[str, Any]
) -> None:  # pragma: no cover -- runs in the worker process (covered by tests, not measured)
    from pecdns._engine import run  # noqa: PLC0415 -- the engine imports the batch module

    results: queue.SimpleQueue[Any] = queue.SimpleQueue()
    sender = threading.Thread(target=_send_back, args=(outbox, results), daemon=True)
    sender.start()
    try:
        feed = _Feed(inbox)
        checked = run(feed, resolver=resolver, ordered=False, indexed=True, **settings)
        for pair in _collected_every(checked):
            results.put(pair)  # (the worker's own input index, result): the parent orders
    finally:
        results.put(None)
        sender.join()


class _Shard:
    """The parent's side of one worker: its pipes and the names it holds."""

    def __init__(self, resolver: FastResolver | None, settings: dict[str, Any]) -> None:
        context = multiprocessing.get_context()
        inbox, self.to_worker = context.Pipe(duplex=False)
        self.from_worker, outbox = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_worker,
            args=(inbox, outbox, resolver, settings),
            name="pecdns-worker",
            daemon=True,
        )
        self.process.start()
        inbox.close()
        outbox.close()
        self.out: dict[int, int] = {}  # the worker's input index -> the batch's, for names out
        self.sent = 0
        self.ended = False

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.to_worker.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        self.from_worker.close()


class _Parent:
    """The parent's side of a sharded batch: feeding, collecting, ordering."""

    def __init__(self, domains: Iterable[str | Domain], shards: list[_Shard], ahead: int) -> None:
        self.names = iter(domains)
        self.shards = shards
        self.by_pipe = {shard.from_worker: shard for shard in shards}
        self.ahead = ahead
        self.issued = 0
        self.yielded = 0
        self.exhausted = False

    def feed(self) -> None:
        """Keep every worker ``ahead`` names ahead; tell each when the input has ended.

        Names out (sent, or answered and held for order) stay under
        ``ahead`` per worker in all, so memory is bounded behind a slow check.
        Each chunk goes to the worker with the fewest names out, so the
        workers share a batch evenly from its start: filling one worker up to
        ``ahead`` before the next left the second worker 904 names of a
        5,000-name batch, and the batch ran at one worker's speed.
        """
        bound = self.ahead * len(self.shards)
        while not self.exhausted and self.issued - self.yielded < bound:
            shard = min(self.shards, key=lambda s: len(s.out))
            if len(shard.out) >= self.ahead:
                break
            chunk = list(itertools.islice(self.names, CHUNK))
            if not chunk:
                self.exhausted = True
                break
            shard.to_worker.send(chunk)
            for k in range(len(chunk)):
                shard.out[shard.sent + k] = self.issued + k
            shard.sent += len(chunk)
            self.issued += len(chunk)
        if self.exhausted:
            for shard in self.shards:
                if not shard.ended:
                    shard.ended = True
                    shard.to_worker.send(None)

    def collect(self) -> Iterator[tuple[int, Report | InvalidInput]]:
        """The results the workers have sent, with their input indices."""
        from pecdns._engine import collector_paused  # noqa: PLC0415 -- the engine imports this module

        busy = [s.from_worker for s in self.shards if s.out]
        for pipe in multiprocessing.connection.wait(busy):
            shard = self.by_pipe[pipe]  # type: ignore[index]
            try:
                with collector_paused():  # unpickling makes no garbage, only many live objects
                    batch = shard.from_worker.recv()
            except EOFError:
                batch = None
            if batch is None:
                raise PecdnsError("a pecdns worker process ended before its checks did")
            for local, result in batch:
                yield shard.out.pop(local), result

    @property
    def done(self) -> bool:
        return self.exhausted and not any(shard.out for shard in self.shards)


def sharded(
    domains: Iterable[str | Domain],
    *,
    processes: int,
    resolver: FastResolver | None,
    settings: dict[str, Any],
    ordered: bool,
    ahead: int = 4096,
) -> Iterator[Report | InvalidInput]:
    """The results of checking ``domains`` on ``processes`` workers, one per input.

    Args:
        domains: the names, read lazily.
        processes: worker processes (each runs one event loop).
        resolver: the FastResolver each worker copies (``None``: the system's).
        settings: the other keywords of :func:`pecdns._engine.run`.
        ordered: yield in input order; ``False`` yields as workers finish.
        ahead: names a worker may hold beyond what was yielded.

    Raises:
        PecdnsError: a worker process ended without finishing its names.
    """
    shards = [_Shard(resolver, settings) for _ in range(processes)]
    parent = _Parent(domains, shards, ahead)
    held: dict[int, Report | InvalidInput] = {}
    next_out = 0
    try:
        while True:
            parent.feed()
            if parent.done:
                return
            for index, result in parent.collect():
                if not ordered:
                    parent.yielded += 1
                    yield result
                    continue
                held[index] = result
                while next_out in held:
                    parent.yielded += 1
                    yield held.pop(next_out)
                    next_out += 1
    finally:
        for shard in shards:
            shard.stop()
