"""Test doubles for pecdns and for the test suites of tools built on it.

:class:`FakeResolver` answers from a plain mapping or from a handler
function, as httpx's ``MockTransport`` does for HTTP.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TypeAlias

from pecdns._models import Answer, Outcome, Query, RRType, canonical_rdata
from pecdns._names import canonical_name
from pecdns.exceptions import InvalidRecordError

__all__ = ["AsyncFakeResolver", "Data", "FakeResolver", "Handler", "Zone"]

Data: TypeAlias = "str | Iterable[str] | Outcome"
"""What the mapping holds for one type: record data, a list of it, or an Outcome."""
Zone: TypeAlias = "Mapping[str, Outcome | Mapping[str, Data]]"
"""A fake's data: names, each mapped to its records by type, or to an Outcome."""
Handler: TypeAlias = "Callable[[Query], Answer | Outcome | Iterable[str]]"
"""A function that answers each question: an Answer, an Outcome, or records."""

_MAX_CHAIN = 8


def _rrset(name: str, rdtype: RRType, data: Data) -> tuple[str, ...] | Outcome:
    if isinstance(data, Outcome):
        return data
    values = [data] if isinstance(data, str) else list(data)
    try:
        return tuple(dict.fromkeys(canonical_rdata(rdtype, v) for v in values))
    except InvalidRecordError as exc:
        raise InvalidRecordError(f"{name} {rdtype}: {exc}") from None


def _node(name: str, value: Outcome | Mapping[str, Data]) -> Outcome | dict[RRType, object]:
    if isinstance(value, Outcome):
        return value
    if not isinstance(value, Mapping):
        raise InvalidRecordError(
            f"{name}: give a mapping of record types to data, or an Outcome, not {value!r}"
        )
    node: dict[RRType, object] = {}
    for key, data in value.items():
        rdtype = Query(name, key).rdtype
        node[rdtype] = _rrset(name, rdtype, data)
    if RRType.CNAME in node and len(node) > 1:
        raise InvalidRecordError(f"{name}: a CNAME cannot stand beside other records")
    cname = node.get(RRType.CNAME)
    if isinstance(cname, tuple) and len(cname) != 1:
        raise InvalidRecordError(f"{name}: a name has one CNAME target at most")
    return node


class FakeResolver:
    """A resolver that answers from data you give it, for tests and examples.

    From a mapping ``{name: {type: data}}``, it answers as a recursive
    resolver would: a name that is absent is NXDOMAIN (but NODATA when a name
    below it is present), a present name without the asked type is NODATA,
    and CNAMEs are followed. ``data`` is one record in zone-file form, a list
    of them, or an :class:`~pecdns.resolvers.Outcome` to simulate a failure
    (``Outcome.SERVFAIL``, ``REFUSED``, ``TIMEOUT``...); an Outcome in place of
    a name's whole mapping applies to every type at that name.

    From a handler ``handler(query)``, it returns what the handler returns:
    an :class:`~pecdns.resolvers.Answer`, an Outcome, or a list of records.

    Every question asked is kept in :attr:`queries`, in order.

    >>> from pecdns.resolvers import Outcome, Query
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "broken.example": Outcome.SERVFAIL,
    ...     }
    ... )
    >>> str(fake.resolve(Query("pec.example.it", "MX")))
    'pec.example.it. MX: 10 mx.pec.aruba.it.'
    >>> fake.resolve(Query("example.it", "MX")).outcome
    <Outcome.NODATA: 'NODATA'>
    >>> fake.resolve(Query("www.broken.example", "A")).outcome
    <Outcome.NXDOMAIN: 'NXDOMAIN'>
    """

    def __init__(self, data: Zone | Handler) -> None:
        """Build a fake from a mapping of names to records, or from a handler."""
        self.queries: list[Query] = []
        """Every question asked, in order."""
        self._handler: Handler | None = None
        self._zone: dict[str, Outcome | dict[RRType, object]] = {}
        self._above: set[str] = set()
        if callable(data):
            self._handler = data
        elif isinstance(data, Mapping):
            for name, value in data.items():
                owner = canonical_name(name)
                if owner in self._zone:
                    raise InvalidRecordError(f"{name!r} is given twice (names are case-blind)")
                self._zone[owner] = _node(owner, value)
            # Every name above an owner exists (as an empty non-terminal, if nothing else).
            self._above = {
                owner.split(".", i)[-1] for owner in self._zone for i in range(1, owner.count("."))
            } | ({"."} if self._zone else set())
        else:
            raise TypeError(
                f"FakeResolver takes a mapping or a callable, not {type(data).__name__}"
            )

    def resolve(self, query: Query) -> Answer:
        """Answer one question from the fake's data."""
        self.queries.append(query)
        if self._handler is not None:
            result = self._handler(query)
            if isinstance(result, Answer):
                return result
            if isinstance(result, Outcome):
                return Answer(query, result)
            records = _rrset(query.name, query.rdtype, result)
            assert not isinstance(records, Outcome)  # noqa: S101 -- narrowed above
            return Answer(query, Outcome.ANSWER if records else Outcome.NODATA, records)
        return self._lookup(query)

    def _lookup(self, query: Query) -> Answer:
        name, aliases = query.name, list[str]()
        for _ in range(_MAX_CHAIN):
            node = self._zone.get(name)
            if isinstance(node, Outcome):
                return Answer(query, node, aliases=aliases, detail="simulated by FakeResolver")
            if node is None:
                below = name in self._above
                return Answer(query, Outcome.NODATA if below else Outcome.NXDOMAIN, aliases=aliases)
            data = node.get(query.rdtype)
            cname = node.get(RRType.CNAME)
            if data is None and isinstance(cname, tuple) and query.rdtype is not RRType.CNAME:
                name = cname[0]
                aliases.append(name)
                continue
            if isinstance(data, Outcome):
                return Answer(query, data, aliases=aliases, detail="simulated by FakeResolver")
            records = data if isinstance(data, tuple) else ()
            return Answer(
                query, Outcome.ANSWER if records else Outcome.NODATA, records, aliases=aliases
            )
        return Answer(
            query, Outcome.SERVFAIL, aliases=aliases, detail="CNAME chain too long or looping"
        )


class AsyncFakeResolver:
    """:class:`FakeResolver` for asyncio: the same data or handler, awaited.

    The handler may be a coroutine function. Questions are kept in
    :attr:`queries` as with the sync fake.

    >>> import asyncio
    >>> from pecdns import acheck
    >>> fake = AsyncFakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> asyncio.run(acheck("example.it", resolver=fake)).ok
    True
    """

    def __init__(self, data: Zone | Handler | Callable[[Query], Awaitable[Answer]]) -> None:
        """Build a fake from a mapping of names to records, or from a (coroutine) handler."""
        self._async_handler = data if inspect.iscoroutinefunction(data) else None
        self._fake = FakeResolver({} if self._async_handler else data)  # type: ignore[arg-type]
        self.queries = self._fake.queries
        """Every question asked, in order."""

    async def resolve(self, query: Query) -> Answer:
        """Answer one question from the fake's data or handler."""
        if self._async_handler is not None:
            self.queries.append(query)
            answer: Answer = await self._async_handler(query)
            return answer
        return self._fake.resolve(query)
