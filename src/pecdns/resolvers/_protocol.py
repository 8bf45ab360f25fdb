"""The one interface between pecdns and any source of DNS answers."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from typing_extensions import Self

from pecdns.resolvers._dnspython import AsyncDnsResolver, DnsResolver

if TYPE_CHECKING:
    from pecdns._models import Answer, Query

__all__ = ["AsyncResolver", "Resolver", "ThreadedResolver", "as_async"]


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


class ThreadedResolver:
    """Any sync :class:`Resolver` as an :class:`AsyncResolver`, each question in a thread.

    For resolvers without an async form (ZoneResolver, IterativeResolver, a
    user's own). It has a thread pool of its own, sized to the questions that
    may be in flight (asyncio's default pool has only a few threads); close it
    with :meth:`close`, or use it as a context manager.
    """

    def __init__(self, resolver: Resolver, *, max_workers: int = 32) -> None:
        """Wrap ``resolver``, with up to ``max_workers`` questions at once."""
        self.resolver = resolver
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="pecdns-resolver"
        )

    def __repr__(self) -> str:
        return f"ThreadedResolver({self.resolver!r})"

    async def resolve(self, query: Query) -> Answer:
        """Answer one question in a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.resolver.resolve, query)

    def close(self, *, wait: bool = True) -> None:
        """Stop the threads (after the questions in flight, with ``wait``)."""
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def as_async(resolver: Resolver | AsyncResolver, *, max_workers: int = 32) -> AsyncResolver:
    """An async form of ``resolver``.

    ``resolver`` itself if its ``resolve`` is a coroutine function; for a
    :class:`~pecdns.resolvers.DnsResolver`, an
    :class:`~pecdns.resolvers.AsyncDnsResolver` with the same settings; for
    any other, a :class:`ThreadedResolver` with ``max_workers`` threads.
    """
    if inspect.iscoroutinefunction(getattr(resolver, "resolve", None)):
        return resolver  # type: ignore[return-value]
    if type(resolver) is DnsResolver:
        return AsyncDnsResolver(
            resolver.nameservers,
            port=resolver.port,
            timeout=resolver.timeout,
            lifetime=resolver.lifetime,
        )
    return ThreadedResolver(resolver, max_workers=max_workers)  # type: ignore[arg-type]
