"""The one interface between pecdns and any source of DNS answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from pecdns._models import Answer, Query

__all__ = ["Resolver"]


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
