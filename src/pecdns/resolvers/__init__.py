"""Where DNS answers come from: the Resolver protocol and its backends.

- :class:`DnsResolver`: the real DNS, through a recursive resolver (dnspython);
  :class:`AsyncDnsResolver` is the same for asyncio (:class:`AsyncResolver`), and
  :class:`ThreadedResolver` (or :func:`as_async`) runs any other resolver's
  questions in threads for it; :class:`FastResolver` asks the same questions
  at network speed (long-lived sockets, a lean codec, callbacks).
- :class:`IterativeResolver`: the real DNS, walking the delegations itself
  from the root (or given hints) and trusting only authoritative answers.
- :class:`ZoneResolver`: offline, from BIND zone files or zone text.
- :class:`RecordingResolver` and :class:`ReplayResolver`: record a resolver's
  answers once, replay them offline (a missing question is an error).
- :class:`pecdns.testing.FakeResolver`: from a mapping or a handler, for tests.

The types a resolver speaks (:class:`Query`, :class:`Answer`,
:class:`Outcome`, :class:`RRType`) are pecdns's own; only the backends in
this package import dnspython.
"""

from __future__ import annotations

from pecdns._models import Answer, Outcome, Query, RRType
from pecdns.resolvers._dnspython import AsyncDnsResolver, DnsResolver
from pecdns.resolvers._fast import FastResolver
from pecdns.resolvers._iterative import ROOT_HINTS, IterativeResolver
from pecdns.resolvers._protocol import (
    AsyncRawResolver,
    AsyncResolver,
    RawResolver,
    Resolver,
    ThreadedResolver,
    as_async,
)
from pecdns.resolvers._recording import RecordingResolver, ReplayResolver
from pecdns.resolvers._zone import ZoneResolver

__all__ = [
    "ROOT_HINTS",
    "Answer",
    "AsyncDnsResolver",
    "AsyncRawResolver",
    "AsyncResolver",
    "DnsResolver",
    "FastResolver",
    "IterativeResolver",
    "Outcome",
    "Query",
    "RRType",
    "RawResolver",
    "RecordingResolver",
    "ReplayResolver",
    "Resolver",
    "ThreadedResolver",
    "ZoneResolver",
    "as_async",
]
