"""When to ask again without EDNS, as a recursive resolver does (RFC 6891 §6.2.2, §7).

An old authoritative server that does not know EDNS answers an EDNS query
with FORMERR (or NOTIMP) and no OPT record; resolvers then ask again without
EDNS and reach the name. A server that answers BADVERS knows EDNS but not
the version asked: ask again at the version it offers. A server that drops
EDNS queries gets no retry: since DNS Flag Day 2019 resolvers treat silence
as silence, and so must pecdns (P6.1 grades it).

:func:`edns_fallback` only decides; the resolvers send the retry (within the
same budgets and caps as any other question) and report
:data:`CATALOGUE_ENTRIES`'s warning when it was needed.
"""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode
from attrs import frozen

from pecdns._codes import CodeInfo
from pecdns._models import Severity

__all__ = ["CATALOGUE_ENTRIES", "Fallback", "edns_fallback"]


@frozen
class Fallback:
    """The query to send instead, and why, in English (for a finding's detail)."""

    query: dns.message.Message
    reason: str


def edns_fallback(
    query: dns.message.Message, response: dns.message.Message | None
) -> Fallback | None:
    """The retry a resolver would send after ``response`` to the EDNS ``query``, or ``None``.

    Args:
        query: the query that was sent.
        response: its response; ``None`` when none came (no retry: DNS Flag Day 2019).

    Returns:
        A :class:`Fallback` without EDNS (FORMERR or NOTIMP without OPT, BADVERS
        offering nothing lower), or at the lower EDNS version a BADVERS offers;
        ``None`` when a resolver would not ask again.

    Example:
        >>> q = dns.message.make_query("pec.example.it", "MX", use_edns=0)
        >>> old = dns.message.make_response(q)
        >>> old.use_edns(edns=False)
        >>> old.set_rcode(dns.rcode.FORMERR)
        >>> retry = edns_fallback(q, old)
        >>> retry.query.edns, retry.reason
        (-1, 'FORMERR without an OPT record: the server does not implement EDNS')
    """
    if query.edns < 0 or response is None:
        return None
    rcode = response.rcode()
    name = dns.rcode.to_text(rcode)
    if rcode == dns.rcode.BADVERS:
        if 0 <= response.edns < query.edns:
            why = f"BADVERS: the server speaks EDNS version {response.edns}, not {query.edns}"
            return Fallback(_again(query, response.edns), why)
        why = f"BADVERS to EDNS version {query.edns}, offering no lower version"
        return Fallback(_again(query, None), why)
    if rcode in {dns.rcode.FORMERR, dns.rcode.NOTIMP} and response.edns < 0:
        why = f"{name} without an OPT record: the server does not implement EDNS"
        return Fallback(_again(query, None), why)
    return None


def _again(query: dns.message.Message, version: int | None) -> dns.message.Message:
    """A new query for the same question (new id), at EDNS ``version`` or without EDNS."""
    question = query.question[0]
    if version is None:
        again = dns.message.make_query(
            question.name, question.rdtype, question.rdclass, use_edns=False
        )
    else:
        again = dns.message.make_query(
            question.name,
            question.rdtype,
            question.rdclass,
            use_edns=version,
            payload=query.payload,
            want_dnssec=bool(query.ednsflags & dns.flags.DO),
        )
    again.flags = query.flags
    return again


CATALOGUE_ENTRIES: tuple[CodeInfo, ...] = (
    CodeInfo(
        "EDNS_UNSUPPORTED",
        Severity.WARNING,
        "P6.1",
        {
            "en": "The name server {server} of {zone} answered a query with EDNS {rcode};"
            " it was reached by asking again without EDNS, as resolvers do. The server is"
            " outdated.",
            "it": "Il Name Server {server} di {zone} ha risposto {rcode} a una richiesta con"
            " EDNS; è stato raggiunto ripetendo la richiesta senza EDNS, come fanno i resolver."
            " Il server non è aggiornato.",
        },
        {
            "en": "Update or replace the name server {server} so that it answers EDNS queries"
            " (RFC 6891).",
            "it": "Aggiornare o sostituire il Name Server {server} perché risponda alle"
            " richieste EDNS (RFC 6891).",
        },
    ),
)
"""Proposed catalogue entry for a retry that was needed."""
