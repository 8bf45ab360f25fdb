"""The one interface between pecdns and any source of DNS answers."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from typing_extensions import Self

from pecdns._budget import in_context, shared_pool
from pecdns.resolvers._dnspython import AsyncDnsResolver, DnsResolver

if TYPE_CHECKING:
    import dns.message

    from pecdns._dnssec import Question
    from pecdns._edns import Probe
    from pecdns._models import Answer, Query

__all__ = [
    "AsyncRawResolver",
    "AsyncResolver",
    "RawResolver",
    "Resolver",
    "ThreadedResolver",
    "as_async",
]


@runtime_checkable
class Resolver(Protocol):
    """Anything that answers DNS questions: real DNS, zone files, a fake.

    Like an httpx transport, a resolver has one method. It returns an
    :class:`~pecdns.resolvers.Answer` for every outcome, failures included
    (a timeout is ``Outcome.TIMEOUT``, not an exception), and follows CNAMEs
    the way a recursive resolver does, listing them in ``Answer.aliases``.

    >>> from pecdns.resolvers import Answer, Outcome, Query, Resolver
    >>> class NothingExists:
    ...     def resolve(self, query: Query) -> Answer:
    ...         return Answer(query, Outcome.NXDOMAIN)
    >>> isinstance(NothingExists(), Resolver)
    True
    """

    def resolve(self, query: Query) -> Answer:
        """Answer one question."""
        ...


@runtime_checkable
class AsyncResolver(Protocol):
    """A resolver for asyncio: the same contract as :class:`Resolver`, awaited.

    >>> import asyncio
    >>> from pecdns.resolvers import Answer, AsyncResolver, Outcome, Query
    >>> class NothingExists:
    ...     async def resolve(self, query: Query) -> Answer:
    ...         return Answer(query, Outcome.NXDOMAIN)
    >>> asyncio.run(NothingExists().resolve(Query("example.it", "MX"))).outcome
    <Outcome.NXDOMAIN: 'NXDOMAIN'>
    """

    async def resolve(self, query: Query) -> Answer:
        """Answer one question."""
        ...


@runtime_checkable
class RawResolver(Protocol):
    """A :class:`Resolver` that can also send a raw DNS question: it carries DNSSEC data.

    A check asks such a resolver the questions of the DNSSEC walk (DNSKEY, DS
    with their signatures and denials) after the MX rounds and reports the
    PEC name's DNSSEC state (P6.1), and asks a server that was silent to an
    EDNS query once more without EDNS (``pecdns._edns.Probe``). A resolver
    without ``ask_raw`` (zone files, a fake) is not asked, and the report has
    no DNSSEC finding.

    >>> from pecdns.resolvers import DnsResolver, RawResolver
    >>> isinstance(DnsResolver(["127.0.0.1"]), RawResolver)
    True
    """

    def resolve(self, query: Query) -> Answer:
        """Answer one question."""
        ...

    def ask_raw(self, question: Question | Probe) -> dns.message.Message | None:
        """The response of the servers ``question`` is for, unjudged; ``None`` when none came."""
        ...


@runtime_checkable
class AsyncRawResolver(Protocol):
    """:class:`RawResolver` for asyncio.

    >>> from pecdns.resolvers import AsyncDnsResolver, AsyncRawResolver
    >>> isinstance(AsyncDnsResolver(["127.0.0.1"]), AsyncRawResolver)
    True
    """

    async def resolve(self, query: Query) -> Answer:
        """Answer one question."""
        ...

    async def ask_raw(self, question: Question | Probe) -> dns.message.Message | None:
        """As :meth:`RawResolver.ask_raw`, awaited."""
        ...


class ThreadedResolver:
    """Any sync :class:`Resolver` as an :class:`AsyncResolver`, each question in a thread.

    For resolvers without an async form (ZoneResolver, IterativeResolver, a
    user's own). Each question runs in a copy of the asking task's context,
    so the resolver sees the check's time budget. With ``max_workers`` it has
    a thread pool of its own (close it with :meth:`close`, or use it as a
    context manager); without, it uses pecdns's one shared, bounded pool
    (``pecdns._budget.shared_pool``), which :meth:`close` leaves running.
    """

    def __init__(self, resolver: Resolver, *, max_workers: int | None = None) -> None:
        """Wrap ``resolver``, with a pool of ``max_workers`` threads or the shared pool."""
        self.resolver = resolver
        self._own = max_workers is not None
        self._pool = (
            concurrent.futures.ThreadPoolExecutor(
                max_workers=max_workers, thread_name_prefix="pecdns-resolver"
            )
            if max_workers is not None
            else shared_pool()
        )

    def __repr__(self) -> str:
        return f"ThreadedResolver({self.resolver!r})"

    async def resolve(self, query: Query) -> Answer:
        """Answer one question in a worker thread, within the check's budget."""
        return await asyncio.wrap_future(in_context(self._pool, self.resolver.resolve, query))

    @property
    def speaks_raw(self) -> bool:
        """Whether the wrapped resolver is a :class:`RawResolver` (so :meth:`ask_raw` works)."""
        return isinstance(self.resolver, RawResolver)

    async def ask_raw(self, question: Question | Probe) -> dns.message.Message | None:
        """The wrapped resolver's ``ask_raw`` in a worker thread; ``None`` when it has none."""
        if not isinstance(self.resolver, RawResolver):
            return None
        raw = self.resolver
        return await asyncio.wrap_future(in_context(self._pool, raw.ask_raw, question))

    def close(self, *, wait: bool = True) -> None:
        """Stop the threads of an own pool (after the questions in flight, with ``wait``)."""
        if self._own:
            self._pool.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def as_async(
    resolver: Resolver | AsyncResolver, *, max_workers: int | None = None
) -> AsyncResolver:
    """An async form of ``resolver``.

    ``resolver`` itself if its ``resolve`` is a coroutine function; for a
    :class:`~pecdns.resolvers.DnsResolver`, an
    :class:`~pecdns.resolvers.AsyncDnsResolver` with the same settings; for
    any other, a :class:`ThreadedResolver` (with ``max_workers`` threads of
    its own, or the shared pool).
    """
    if inspect.iscoroutinefunction(getattr(resolver, "resolve", None)):
        return resolver  # type: ignore[return-value]
    if type(resolver) is DnsResolver:
        twin = AsyncDnsResolver(
            resolver.nameservers,
            port=resolver.port,
            timeout=resolver.timeout,
            lifetime=resolver.lifetime,
        )
        twin.unconfigured = resolver.unconfigured
        return twin
    return ThreadedResolver(resolver, max_workers=max_workers)  # type: ignore[arg-type]
