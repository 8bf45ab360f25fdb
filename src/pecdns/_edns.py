"""When to ask again without EDNS, as a recursive resolver does (RFC 6891 §6.2.2, §7).

An old authoritative server that does not know EDNS answers an EDNS query
with FORMERR (or NOTIMP) and no OPT record; resolvers then ask again without
EDNS and reach the name. A server that answers BADVERS knows EDNS but not
the version asked: ask again at the version it offers. A server that drops
EDNS queries gets no retry: since DNS Flag Day 2019 resolvers treat silence
as silence, and so must pecdns (P6.1 grades it).

:func:`edns_fallback` only decides; ``resolvers._wire`` sends the retry
(within the same wait, budget and caps as any other question) and marks the
answer (``Answer.edns_fallback``); the rules report ``EDNS_UNSUPPORTED``.
"""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode
from attrs import frozen

__all__ = ["LIKELY_CAUSE", "Fallback", "Probe", "edns_fallback"]

LIKELY_CAUSE = "it answers the same query without EDNS, so EDNS is the likely cause"
"""What a silent server's answer says when a query without EDNS reached it (DNS Flag Day 2019)."""


@frozen
class Fallback:
    """The query to send instead, and why, in English (for a finding's detail)."""

    query: dns.message.Message
    reason: str


@frozen
class Probe:
    """One question without EDNS for one server: is EDNS why it was silent?

    Sent once, within the check's caps, to a server that gave no answer to
    the PEC name's MX with EDNS; resolvers would not retry (DNS Flag Day
    2019), so an answer only explains the silence, it never makes the name
    reachable.

    Example:
        >>> Probe("pec.example.it.", "MX", "192.0.2.53").message().edns
        -1
    """

    name: str
    rdtype: str
    server: str

    def message(self) -> dns.message.Message:
        """The query: no EDNS, no recursion, as a pre-2019 resolver asked."""
        query = dns.message.make_query(self.name, self.rdtype, use_edns=False)
        query.flags &= ~dns.flags.RD
        return query


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
