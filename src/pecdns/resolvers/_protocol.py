"""The one interface between pecdns and any source of DNS answers."""

from __future__ import annotations

import asyncio
import inspect
from typing import TYPE_CHECKING, Protocol, runtime_checkable

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
    user's own); :func:`pecdns.acheck` wraps a sync resolver this way itself.
    """

    def __init__(self, resolver: Resolver) -> None:
        """Wrap ``resolver``."""
        self.resolver = resolver

    def __repr__(self) -> str:
        return f"ThreadedResolver({self.resolver!r})"

    async def resolve(self, query: Query) -> Answer:
        """Answer one question in a worker thread."""
        return await asyncio.to_thread(self.resolver.resolve, query)


def as_async(resolver: Resolver | AsyncResolver) -> AsyncResolver:
    """``resolver`` itself if its ``resolve`` is a coroutine function, else it in threads."""
    if inspect.iscoroutinefunction(getattr(resolver, "resolve", None)):
        return resolver  # type: ignore[return-value]
    return ThreadedResolver(resolver)  # type: ignore[arg-type]
