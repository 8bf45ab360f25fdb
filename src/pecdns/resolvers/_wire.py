"""One question to one server, over UDP (and TCP when truncated), classified.

Shared by the dnspython backends: the response is judged the way a registry's
checker judges it (RCODE, AA flag, answer, referral), and every fault -- no
answer, a malformed or truncated answer, a CNAME loop -- becomes an Answer
whose outcome and detail say what happened, never an exception. A datagram
that is not the answer (another source, message ID or question; garbage) is
not a fault of the server asked: anyone can send one, so it is skipped.
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
from attrs import evolve

from pecdns._budget import charge, limits, remaining
from pecdns._edns import edns_fallback
from pecdns._limits import reached
from pecdns._models import Answer, Outcome, Query
from pecdns.exceptions import InvalidRecordError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["aask", "aask_raw", "ask", "ask_raw", "classify", "dname_pairs"]


def _glue(response: dns.message.Message, names: list[str]) -> list[tuple[str, str]]:
    wanted = {dns.name.from_text(n) for n in names}
    return [
        (str(rrset.name), rd.to_text())
        for rrset in response.additional
        if rrset.name in wanted and rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
        for rd in rrset
    ]


def _referral(response: dns.message.Message, qname: dns.name.Name) -> tuple[str, list[str]]:
    """The zone and NS names of a downward referral for ``qname`` in the authority section."""
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.NS and qname.is_subdomain(rrset.name):
            return str(rrset.name), [str(rd.target) for rd in rrset]
    return ".", []


def dname_pairs(
    response: dns.message.Message, chain: dns.message.ChainingResult
) -> list[tuple[str, str]]:
    """The DNAMEs of a response that synthesised the CNAMEs of its chain, as (owner, target).

    A server answering for a name below a DNAME (RFC 6672) sends the DNAME
    and the CNAME it synthesises from it; dnspython follows the CNAME alone,
    so this names the DNAME behind each CNAME of the chain (and behind the
    answer to a CNAME question): one whose owner lies strictly above the
    CNAME's and which rewrites it to the CNAME's target.
    """
    found = [r for r in response.answer if r.rdtype == dns.rdatatype.DNAME]
    if not found:  # nearly always
        return []
    cnames = [*chain.cnames, *([chain.answer] if chain.answer is not None else [])]
    pairs = []
    for cname in cnames:
        if cname.rdtype != dns.rdatatype.CNAME:
            continue
        alias = cname[0].target
        for rrset in found:
            owner, target = rrset.name, rrset[0].target
            if cname.name == owner or not cname.name.is_subdomain(owner):
                continue
            try:
                synthesised = cname.name.relativize(owner).derelativize(target)
            except dns.name.NameTooLong:
                continue
            if synthesised == alias:
                pairs.append((str(owner), str(target)))
                break
    return pairs


_RCODES = {
    dns.rcode.NXDOMAIN: Outcome.NXDOMAIN,
    dns.rcode.SERVFAIL: Outcome.SERVFAIL,
    dns.rcode.REFUSED: Outcome.REFUSED,
}

# Faults while asking, most specific first: (exception, outcome, what to say).
_FAULTS: tuple[tuple[type[Exception], Outcome, str], ...] = (
    (dns.exception.Timeout, Outcome.TIMEOUT, "no answer in time"),
    (dns.message.Truncated, Outcome.ERROR, "truncated answer over TCP"),
    (dns.query.BadResponse, Outcome.ERROR, "the response does not match the question"),
    (dns.query.UnexpectedSource, Outcome.ERROR, "an answer from another address"),
    (InvalidRecordError, Outcome.ERROR, "malformed answer"),
    (OSError, Outcome.ERROR, "network error"),
    (Exception, Outcome.ERROR, "malformed response"),
)


def classify(query: Query, response: dns.message.Message, server: str) -> Answer:
    """Turn one server's response into an Answer for ``query``.

    Raises:
        InvalidRecordError: the records in the response cannot be held by an Answer.
    """
    authoritative = bool(response.flags & dns.flags.AA)
    answer = functools.partial(Answer, query, server=server, authoritative=authoritative)
    if not isinstance(response, dns.message.QueryMessage):
        opcode = dns.opcode.to_text(response.opcode())
        return answer(Outcome.ERROR, detail=f"unusable response: opcode {opcode}, not QUERY")
    return _classify_query(response, answer)


def _classify_query(
    response: dns.message.QueryMessage, answer: functools.partial[Answer]
) -> Answer:
    """Classify a QUERY response by RCODE, answer, referral or no data."""
    authoritative = bool(response.flags & dns.flags.AA)
    try:
        chain = response.resolve_chaining()
    except dns.message.ChainTooLong:
        return answer(Outcome.ERROR, detail="unusable answer: CNAME chain too long or looping")
    except dns.exception.DNSException as exc:
        return answer(Outcome.ERROR, detail=f"unusable response: {exc}")
    aliases = [str(rrset[0].target) for rrset in chain.cnames]
    redirects = dname_pairs(response, chain)
    rcode = response.rcode()
    if rcode != dns.rcode.NOERROR:
        outcome = _RCODES.get(rcode, Outcome.ERROR)
        nxdomain = outcome is Outcome.NXDOMAIN
        detail = "" if nxdomain else f"RCODE {dns.rcode.to_text(rcode)}"
        if not nxdomain:
            aliases, redirects = [], []
        return answer(outcome, aliases=aliases, detail=detail, dnames=redirects)
    if chain.answer is not None:
        records = [rd.to_text() for rd in chain.answer]
        return answer(
            Outcome.ANSWER, records, aliases=aliases, ttl=chain.minimum_ttl, dnames=redirects
        )
    zone, names = _referral(response, chain.canonical_name)
    if names and not authoritative and not aliases:
        glue = _glue(response, names)
        return answer(Outcome.REFERRAL, zone=zone, referral=names, glue=glue)
    return answer(Outcome.NODATA, aliases=aliases, ttl=chain.minimum_ttl, dnames=redirects)


def ask(
    query: Query, address: str, *, port: int, timeout: float, recursion: bool = False
) -> Answer:
    """Ask one server one question; truncated UDP answers are asked again over TCP.

    ``timeout`` is the per-query wait: every try (UDP, then TCP after a
    truncated answer, each charged to the check's query cap) comes out of
    it, and it is shortened to what is left of the check's budget. A server
    that refuses EDNS (FORMERR, NOTIMP or BADVERS, RFC 6891 §7) is asked again
    without it within the same wait, as recursive resolvers do, and the
    answer's ``edns_fallback`` says why.
    Datagrams that are not the answer (from another address or port, under
    another message ID or question, or no DNS at all) are ignored and the
    wait goes on, so an off-path packet cannot end the query. Never raises
    for what the network or the server does: a fault is
    an Answer whose outcome and detail name it.
    """
    server, end, message = _prepare(query, address, port, timeout, recursion=recursion)
    if isinstance(message, Answer):
        return message
    try:
        response = _exchange(message, address, port, end)
        if response is None:
            return _capped(query, server)
        retry = edns_fallback(message, response)
        if retry is None:
            return classify(query, response, server)
        # RFC 6891 §7: an old server refused EDNS; ask again without it, as resolvers do,
        # within the same wait and charged to the same cap.
        again = _exchange(retry.query, address, port, end) if charge() else None
        if again is None:
            return _capped(query, server)
        return evolve(classify(query, again, server), edns_fallback=retry.reason)
    except Exception as exc:  # noqa: BLE001 -- every fault becomes evidence, see _FAULTS
        return _fault(query, server, exc)


def _exchange(
    message: dns.message.Message, address: str, port: int, end: float
) -> dns.message.Message | None:
    """UDP, then TCP when truncated, until ``end``; ``None`` when the cap kept TCP unsent."""
    response = dns.query.udp(
        message, address, _left(end), port, ignore_unexpected=True, ignore_errors=True
    )
    if response.flags & dns.flags.TC:
        if not charge():
            return None
        response = dns.query.tcp(message, address, timeout=_left(end), port=port)
    return response


async def aask(
    query: Query, address: str, *, port: int, timeout: float, recursion: bool = False
) -> Answer:
    """As :func:`ask`, for asyncio."""
    server, end, message = _prepare(query, address, port, timeout, recursion=recursion)
    if isinstance(message, Answer):
        return message
    try:
        response = await _aexchange(message, address, port, end)
        if response is None:
            return _capped(query, server)
        retry = edns_fallback(message, response)
        if retry is None:
            return classify(query, response, server)
        again = await _aexchange(retry.query, address, port, end) if charge() else None
        if again is None:
            return _capped(query, server)
        return evolve(classify(query, again, server), edns_fallback=retry.reason)
    except Exception as exc:  # noqa: BLE001 -- every fault becomes evidence, see _FAULTS
        return _fault(query, server, exc)


async def _aexchange(
    message: dns.message.Message, address: str, port: int, end: float
) -> dns.message.Message | None:
    """As :func:`_exchange`, for asyncio."""
    response = await dns.asyncquery.udp(
        message, address, _left(end), port, ignore_unexpected=True, ignore_errors=True
    )
    if response.flags & dns.flags.TC:
        if not charge():
            return None
        response = await dns.asyncquery.tcp(message, address, timeout=_left(end), port=port)
    return response


def ask_raw(
    message: dns.message.Message, addresses: Sequence[str], *, port: int, timeout: float
) -> dns.message.Message | None:
    """The first response any of ``addresses`` gives to ``message``, unjudged (DNSSEC's walk).

    Each try waits at most ``timeout``, shortened to the check's budget, and is
    charged to its query cap; ``None`` when no server answered in time or
    nothing more may be sent. The walk judges what it gets back.
    """
    for address in addresses:
        wait = remaining(timeout)
        if wait <= 0 or not charge():
            return None
        try:
            response = _exchange(message, address, port, time.monotonic() + wait)
        except Exception:  # noqa: BLE001, S112 -- a server that fails is one that did not answer
            continue
        if response is not None:
            return response
    return None


async def aask_raw(
    message: dns.message.Message, addresses: Sequence[str], *, port: int, timeout: float
) -> dns.message.Message | None:
    """As :func:`ask_raw`, for asyncio."""
    for address in addresses:
        wait = remaining(timeout)
        if wait <= 0 or not charge():
            return None
        try:
            response = await _aexchange(message, address, port, time.monotonic() + wait)
        except Exception:  # noqa: BLE001, S112 -- a server that fails is one that did not answer
            continue
        if response is not None:
            return response
    return None


_SPENT = "the time budget was spent"


def _left(end: float) -> float:
    """Seconds left until ``end`` (a tiny positive wait when none: a try then times out)."""
    return max(end - time.monotonic(), 1e-3)


def _prepare(
    query: Query, address: str, port: int, timeout: float, *, recursion: bool
) -> tuple[str, float, dns.message.QueryMessage | Answer]:
    """The server's label, when the wait ends, and the message (or the Answer when none is sent)."""
    server = f"{address}#{port}"
    wait = remaining(timeout)
    if wait <= 0:
        return server, 0.0, Answer(query, Outcome.TIMEOUT, server=server, detail=_SPENT)
    if not charge():
        return server, 0.0, _capped(query, server)
    return server, time.monotonic() + wait, _message(query, recursion=recursion)


def _capped(query: Query, server: str) -> Answer:
    """The Answer for a message the check's query cap kept from being sent."""
    return Answer(query, Outcome.ERROR, server=server, detail=reached("queries", limits().queries))


def _message(query: Query, *, recursion: bool) -> dns.message.QueryMessage:
    message = dns.message.make_query(
        query.name, dns.rdatatype.from_text(query.rdtype.value), use_edns=0, payload=1232
    )
    if not recursion:
        message.flags &= ~dns.flags.RD
    return message


def _fault(query: Query, server: str, exc: Exception) -> Answer:
    outcome, what = next((o, w) for kind, o, w in _FAULTS if isinstance(exc, kind))
    return Answer(query, outcome, server=server, detail=f"{what}: {type(exc).__name__} {exc}")
