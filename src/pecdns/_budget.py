"""The time budget and query allowance of one check, shared by gathering and the backends.

A check sets a deadline; gathering asks no question past it, and the backends
that wait on the network shorten each wait to the time left. It also sets the
check's :class:`~pecdns._limits.Limits` and a tally of the DNS messages sent,
which the backends charge before each send and refuse past the cap. Both live
in context variables, so concurrent checks (threads, asyncio tasks) each keep
their own; a worker thread sees them only when run in a copy of the check's
context (:func:`contextvars.copy_context`), as pecdns's own thread pools do.
Rules never read them: time and counting are gathering's business.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import functools
import threading
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar

from pecdns._limits import Limits

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

Q = TypeVar("Q")
A = TypeVar("A")

__all__ = [
    "SHARED_WORKERS",
    "LoopTally",
    "Tally",
    "budget",
    "charge",
    "deadline",
    "in_context",
    "limits",
    "remaining",
    "shared_pool",
    "spent",
    "tally",
]

_DEADLINE: ContextVar[float | None] = ContextVar("pecdns_deadline", default=None)


class Tally:
    """The questions one check asked and the DNS messages it sent (thread-safe).

    ``sent`` counts messages pecdns's own network code put on the wire;
    ``asked`` counts questions gathering put to the resolver, which is all a
    resolver that sends nothing (a fake, zone files, a replay) costs.
    """

    def __init__(self, limits: Limits) -> None:
        """A tally starting at zero, capped by ``limits.queries``."""
        self.limits = limits
        self.sent = 0
        self.asked = 0
        self._lock = threading.Lock()

    @property
    def queries(self) -> int:
        """The messages sent, or, when nothing went on the wire, the questions asked."""
        return self.sent or self.asked

    def full(self) -> bool:
        """Whether the check's query cap is reached."""
        return max(self.sent, self.asked) >= self.limits.queries

    def charge(self) -> bool:
        """Count one message about to be sent; ``False`` (and nothing counted) past the cap."""
        with self._lock:
            if self.sent >= self.limits.queries:
                return False
            self.sent += 1
            return True

    def ask(self) -> None:
        """Count one question put to the resolver."""
        with self._lock:
            self.asked += 1


class LoopTally(Tally):
    """A tally only one thread touches (a batch engine's event loop): no lock to take.

    Counts and caps exactly as :class:`Tally`; the engine makes one per check,
    thousands a second, and charges it from its loop alone.
    """

    def __init__(self, limits: Limits) -> None:
        """A tally starting at zero, capped by ``limits.queries``."""
        self.limits = limits
        self.sent = 0
        self.asked = 0

    def charge(self) -> bool:
        """Count one message about to be sent; ``False`` (and nothing counted) past the cap."""
        if self.sent >= self.limits.queries:
            return False
        self.sent += 1
        return True

    def ask(self) -> None:
        """Count one question put to the resolver."""
        self.asked += 1


_TALLY: ContextVar[Tally | None] = ContextVar("pecdns_tally", default=None)


@contextlib.contextmanager
def budget(seconds: float | None, caps: Limits | None = None) -> Iterator[Tally]:
    """Run the body with a deadline ``seconds`` from now (none when ``None``) and a fresh tally.

    Raises:
        ValueError: ``seconds`` is not a positive number or ``None``.
    """
    if seconds is not None and not seconds > 0:
        raise ValueError(f"a time budget is a positive number of seconds or None, not {seconds!r}")
    current = Tally(caps if caps is not None else limits())
    with within(None if seconds is None else time.monotonic() + seconds, current):
        yield current


@contextlib.contextmanager
def within(end: float | None, current: Tally) -> Iterator[Tally]:
    """Run the body as part of a check already under way: its deadline ``end`` and ``current``.

    For a driver that runs many checks on one loop (the batch engine): each
    check's raw questions go through the network code that reads the
    budget and the tally from the context.
    """
    token = _DEADLINE.set(end)
    counting = _TALLY.set(current)
    try:
        yield current
    finally:
        _TALLY.reset(counting)
        _DEADLINE.reset(token)


def deadline() -> float | None:
    """The current check's deadline on the monotonic clock, or ``None``."""
    return _DEADLINE.get()


def remaining(wait: float) -> float:
    """``wait``, shortened to the time left in the current budget (never below zero)."""
    end = _DEADLINE.get()
    if end is None:
        return wait
    return max(0.0, min(wait, end - time.monotonic()))


def spent() -> bool:
    """Whether the current budget has run out."""
    end = _DEADLINE.get()
    return end is not None and time.monotonic() >= end


def tally() -> Tally | None:
    """The current check's tally, or ``None`` outside a check."""
    return _TALLY.get()


def limits() -> Limits:
    """The current check's limits (the defaults outside a check)."""
    current = _TALLY.get()
    return current.limits if current is not None else _DEFAULT


_DEFAULT = Limits()


def charge() -> bool:
    """Count one message about to be sent in the current check; ``False`` past its cap."""
    current = _TALLY.get()
    return current is None or current.charge()


SHARED_WORKERS = 32
"""The threads of the pool every sync resolver shares unless given a pool of its own."""


@functools.cache
def shared_pool() -> concurrent.futures.ThreadPoolExecutor:
    """The one bounded thread pool pecdns runs sync resolvers in (made on first use).

    Shared by every :func:`pecdns.acheck` given a sync resolver and by
    :func:`pecdns.check` itself, so thousands of concurrent checks use
    :data:`SHARED_WORKERS` threads, not thousands.
    """
    return concurrent.futures.ThreadPoolExecutor(
        max_workers=SHARED_WORKERS, thread_name_prefix="pecdns-shared"
    )


def in_context(
    pool: concurrent.futures.Executor, call: Callable[[Q], A], query: Q
) -> concurrent.futures.Future[A]:
    """Run ``call(query)`` on ``pool`` in a copy of the caller's context.

    The copy carries the check's time budget and query tally into the worker
    thread, which a bare ``submit`` or ``run_in_executor`` would lose.
    """
    return pool.submit(contextvars.copy_context().run, call, query)
