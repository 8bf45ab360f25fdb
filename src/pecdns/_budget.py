"""The time budget of one check, shared by gathering and the network backends.

A check sets a deadline; gathering asks no question past it, and the backends
that wait on the network shorten each wait to the time left. It lives in a
context variable, so concurrent checks (threads, asyncio tasks) each keep
their own. Rules never read it: time is gathering's business.
"""

from __future__ import annotations

import contextlib
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["budget", "remaining", "spent"]

_DEADLINE: ContextVar[float | None] = ContextVar("pecdns_deadline", default=None)


@contextlib.contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Run the body with a deadline ``seconds`` from now (none when ``None``)."""
    if seconds is not None and not seconds > 0:
        raise ValueError(f"a time budget is a positive number of seconds or None, not {seconds!r}")
    token = _DEADLINE.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining(wait: float) -> float:
    """``wait``, shortened to the time left in the current budget (never below zero)."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return wait
    return max(0.0, min(wait, deadline - time.monotonic()))


def spent() -> bool:
    """Whether the current budget has run out."""
    deadline = _DEADLINE.get()
    return deadline is not None and time.monotonic() >= deadline
