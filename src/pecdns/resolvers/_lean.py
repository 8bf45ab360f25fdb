r"""A lean DNS codec for the questions a check asks, with dnspython as the reference.

Building a query and parsing its answer with dnspython costs about 200 µs of
CPU per question; a check asks six. This module builds queries as bytes and
parses answers made only of what a check reads (A, AAAA, NS, CNAME, MX and
SOA records of class IN, one plain EDNS OPT record, plain names) straight
into :class:`~pecdns.resolvers.Answer`\ s, exactly as
:func:`pecdns.resolvers._wire.classify` does with dnspython. Anything else --
another record type, DNAME, a name with an octet outside ``[A-Za-z0-9_*-]``,
EDNS options, an extended RCODE, any malformed or unusual encoding -- is
handed to dnspython (``dns.message.from_wire`` + ``classify``), which stays
the reference: property tests and a fuzz target feed both the same bytes and
require equal answers.
"""

from __future__ import annotations

import functools
import secrets
import socket
import struct
from typing import Any, cast

import dns.message
import dns.name
import dns.rcode

from pecdns._models import Answer, Outcome, Query, RRType
from pecdns.exceptions import InvalidRecordError
from pecdns.resolvers._wire import classify

__all__ = [
    "answer",
    "build",
    "decode",
    "matches",
    "parsed",
    "question_bytes",
    "read",
    "recursive_answer",
    "reference",
    "truncated",
]

_HEADER = struct.Struct("!HHHHHH")
_RR = struct.Struct("!HHIH")
_TYPE_CLASS = struct.Struct("!HH")
_SOA_TAIL = struct.Struct("!IIIII")

A, NS, CNAME, SOA, MX, AAAA, OPT = 1, 2, 5, 6, 15, 28, 41
_CODES = {RRType.A: A, RRType.AAAA: AAAA, RRType.NS: NS, RRType.CNAME: CNAME, RRType.MX: MX}
_ASKED = frozenset(_CODES.values())
_KNOWN = frozenset({A, NS, CNAME, SOA, MX, AAAA})
_SINGLETON = frozenset({CNAME, SOA})
_IN = 1
_MAX_CHAIN = 16  # dnspython's MAX_CHAIN
_MAX_HOPS = 16  # dnspython's MAX_COMPRESSION_POINTER_CHAIN
_NEGATIVE_TTL_WITHOUT_SOA = 300  # dnspython's NEGATIVE_TTL_WITHOUT_SOA
_MAX_TTL = 2**31 - 1
_NAME_OCTETS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*"
# The OPT record of dnspython's make_query(use_edns=0, payload=1232): root, OPT, 1232, 0, no data.
_OPT_1232 = b"\x00" + struct.pack("!HHIH", OPT, 1232, 0, 0)
_RCODE_TEXT = {code: dns.rcode.to_text(dns.rcode.Rcode.make(code)) for code in range(16)}
_OUTCOMES = {3: Outcome.NXDOMAIN, 2: Outcome.SERVFAIL, 5: Outcome.REFUSED}
_QR, _AA, _TC, _RD = 0x8000, 0x0400, 0x0200, 0x0100


class _Odd(Exception):  # noqa: N818 -- a signal, not an error: "let dnspython read this"
    """The message holds something the lean codec leaves to dnspython."""


@functools.lru_cache(maxsize=1 << 14)
def _qname_wire(name: str) -> bytes:
    """The wire form of a canonical name (plain labels fast, escaped ones by dnspython)."""
    if "\\" in name:
        return dns.name.from_text(name).to_wire() or b"\x00"
    labels = name.rstrip(".").encode("ascii").split(b".") if name != "." else []
    return b"".join(bytes((len(label),)) + label for label in labels) + b"\x00"


def question_bytes(query: Query) -> bytes:
    """The question section of ``query``: name, type, class IN."""
    return _qname_wire(query.name) + _TYPE_CLASS.pack(_CODES[query.rdtype], _IN)


def build(query: Query, *, recursion: bool, qid: int | None = None) -> tuple[int, bytes]:
    r"""A message ID and the query's bytes, as dnspython's ``make_query`` with EDNS0 (1232).

    >>> qid, wire = build(Query("pec.example.it", "MX"), recursion=False, qid=1)
    >>> wire[:4], len(wire)
    (b'\x00\x01\x00\x00', 43)
    """
    ident = secrets.randbits(16) if qid is None else qid
    header = _HEADER.pack(ident, _RD if recursion else 0, 1, 0, 0, 1)
    return ident, header + question_bytes(query) + _OPT_1232


def _name(wire: bytes, pos: int, end: int) -> tuple[str, int]:  # noqa: C901 -- one loop, RFC 1035 4.1.4 as dnspython reads it
    """The lower-case text of the name at ``pos`` and the offset after it.

    Follows dnspython's rules exactly (pointers strictly backwards, a target
    never overlapping the name, at most 16 hops, 255 octets); a label with any
    octet outside ``[A-Za-z0-9_*-]`` is left to dnspython.
    """
    labels: list[bytes] = []
    total = 1
    biggest = segment = pos
    limit = end
    after = -1
    hops = 0
    while True:
        if pos >= limit:
            raise _Odd
        length = wire[pos]
        if length == 0:
            pos += 1
            break
        if length < 64:
            stop = pos + 1 + length
            if stop > limit:
                raise _Odd
            label = wire[pos + 1 : stop]
            if label.translate(None, _NAME_OCTETS):
                raise _Odd
            labels.append(label)
            total += length + 1
            pos = stop
        elif length >= 192 and pos + 2 <= limit:
            target = ((length & 0x3F) << 8) | wire[pos + 1]
            hops += 1
            if target >= biggest or hops > _MAX_HOPS:
                raise _Odd
            if after < 0:
                after = pos + 2
            biggest = target
            limit, segment, pos = segment, target, target
        else:
            raise _Odd
    if total > 255:
        raise _Odd
    text = (b".".join(labels).decode("ascii").lower() + ".") if labels else "."
    return text, (after if after >= 0 else pos)


class _RRset:
    """Records of one (section, name, type) as dnspython merges them: a set, TTL minimised."""

    __slots__ = ("items", "ttl")

    def __init__(self) -> None:
        self.items: dict[object, None] = {}
        self.ttl = 0

    def add(self, rtype: int, item: object, ttl: int) -> None:
        if not self.items or ttl < self.ttl:
            self.ttl = ttl
        if rtype in _SINGLETON and self.items:
            self.items.clear()
        self.items.setdefault(item, None)


_Section = dict[tuple[str, int], _RRset]


def _rdata(wire: bytes, rtype: int, pos: int, stop: int) -> object:
    """One record's data, in the form dnspython compares it (names in lower case)."""
    if rtype == A:
        if stop - pos != 4:
            raise _Odd
        return socket.inet_ntop(socket.AF_INET, wire[pos:stop])
    if rtype == AAAA:
        if stop - pos != 16:
            raise _Odd
        return socket.inet_ntop(socket.AF_INET6, wire[pos:stop])
    if rtype == MX:
        if stop - pos < 3:
            raise _Odd
        exchange, end = _name(wire, pos + 2, stop)
        data: object = (int.from_bytes(wire[pos : pos + 2], "big"), exchange)
    elif rtype == SOA:
        mname, end = _name(wire, pos, stop)
        rname, end = _name(wire, end, stop)
        if stop - end != 20:
            raise _Odd
        return (mname, rname, *_SOA_TAIL.unpack_from(wire, end))
    else:  # NS, CNAME
        data, end = _name(wire, pos, stop)
    if end != stop:
        raise _Odd
    return data


class _Message:
    """The parts of a response that classify reads."""

    __slots__ = ("additional", "answer", "authority", "flags", "qname", "qtype", "rcode")

    def __init__(self, wire: bytes) -> None:
        size = len(wire)
        if size < 12:
            raise _Odd
        _, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(wire)
        if not flags & _QR or flags & 0x7800 or qdcount != 1:  # a QUERY response, one question
            raise _Odd
        self.flags = flags
        self.qname, pos = _name(wire, 12, size)
        if pos + 4 > size:
            raise _Odd
        self.qtype, qclass = _TYPE_CLASS.unpack_from(wire, pos)
        if qclass != _IN or self.qtype not in _ASKED:
            raise _Odd
        pos += 4
        self.rcode = flags & 0xF
        self.answer: _Section = {}
        self.authority: _Section = {}
        self.additional: _Section = {}
        pos = self._section(wire, pos, ancount, self.answer, opt=False)
        pos = self._section(wire, pos, nscount, self.authority, opt=False)
        pos = self._section(wire, pos, arcount, self.additional, opt=True)
        if pos != size:
            raise _Odd

    @staticmethod
    def _section(wire: bytes, pos: int, count: int, section: _Section, *, opt: bool) -> int:
        size = len(wire)
        seen_opt = False
        for _ in range(count):
            owner, pos = _name(wire, pos, size)
            if pos + 10 > size:
                raise _Odd
            rtype, rclass, ttl, rdlen = _RR.unpack_from(wire, pos)
            pos += 10
            stop = pos + rdlen
            if stop > size:
                raise _Odd
            if rtype == OPT:
                # One plain OPT in the additional section: no options, no extended RCODE.
                if not opt or seen_opt or owner != "." or rdlen or ttl >> 24:
                    raise _Odd
                seen_opt = True
            elif rtype in _KNOWN and rclass == _IN:
                data = _rdata(wire, rtype, pos, stop)
                rrset = section.get((owner, rtype))
                if rrset is None:
                    rrset = section[owner, rtype] = _RRset()
                rrset.add(rtype, data, 0 if ttl > _MAX_TTL else ttl)
            else:
                raise _Odd
            pos = stop
        return pos


def _subdomain(name: str, zone: str) -> bool:
    return zone in {".", name} or name.endswith("." + zone)


def _parent(name: str) -> str | None:
    if name == ".":
        return None
    return name.split(".", 1)[1] or "."


def _text(rtype: int, data: object) -> str:
    if rtype == MX:
        mx = cast("tuple[int, str]", data)
        return f"{mx[0]} {mx[1]}"
    return str(data)


def _lean(query: Query, message: _Message, server: str) -> Answer:
    """What ``classify`` makes of the message (see its rules there)."""
    authoritative = bool(message.flags & _AA)
    qname, qtype = message.qname, message.qtype
    aliases: list[str] = []
    min_ttl = _MAX_TTL
    found = None
    count = 0
    while count < _MAX_CHAIN:
        found = message.answer.get((qname, qtype))
        if found is not None:
            min_ttl = min(min_ttl, found.ttl)
            break
        alias = message.answer.get((qname, CNAME)) if qtype != CNAME else None
        if alias is None:
            break
        qname = str(next(iter(alias.items)))
        aliases.append(qname)
        min_ttl = min(min_ttl, alias.ttl)
        count += 1
    if count >= _MAX_CHAIN:
        return Answer(
            query,
            Outcome.ERROR,
            server=server,
            authoritative=authoritative,
            detail="unusable answer: CNAME chain too long or looping",
        )
    rcode = message.rcode
    if rcode == 3 and found is not None:  # dnspython's AnswerForNXDOMAIN
        raise _Odd
    if found is None:
        min_ttl = _negative_ttl(message, qname, min_ttl)
    if rcode:
        outcome = _OUTCOMES.get(rcode, Outcome.ERROR)
        nxdomain = outcome is Outcome.NXDOMAIN
        return Answer(
            query,
            outcome,
            server=server,
            authoritative=authoritative,
            aliases=aliases if nxdomain else (),
            detail="" if nxdomain else f"RCODE {_RCODE_TEXT[rcode]}",
        )
    if found is not None:
        records = [_text(qtype, data) for data in found.items]
        return Answer(
            query,
            Outcome.ANSWER,
            records,
            aliases=aliases,
            server=server,
            authoritative=authoritative,
            ttl=min_ttl,
        )
    referral = next(
        (
            (zone, [str(n) for n in rrset.items])
            for (zone, rtype), rrset in message.authority.items()
            if rtype == NS and _subdomain(qname, zone)
        ),
        None,
    )
    if referral is not None and not authoritative and not aliases:
        wanted = set(referral[1])
        glue = [
            (owner, str(address))
            for (owner, rtype), rrset in message.additional.items()
            if owner in wanted and rtype in (A, AAAA)
            for address in rrset.items
        ]
        return Answer(
            query,
            Outcome.REFERRAL,
            server=server,
            authoritative=authoritative,
            zone=referral[0],
            referral=referral[1],
            glue=glue,
        )
    return Answer(
        query,
        Outcome.NODATA,
        aliases=aliases,
        server=server,
        authoritative=authoritative,
        ttl=min_ttl,
    )


def _negative_ttl(message: _Message, qname: str, min_ttl: int) -> int:
    """Dnspython's NCACHE minimum: the closest enclosing SOA in the authority section."""
    name: str | None = qname
    while name is not None:
        soa = message.authority.get((name, SOA))
        if soa is not None:
            data = cast("tuple[Any, ...]", next(iter(soa.items)))
            return min(min_ttl, soa.ttl, int(data[6]))
        name = _parent(name)
    return min(min_ttl, _NEGATIVE_TTL_WITHOUT_SOA)


def parsed(query: Query, wire: bytes, server: str) -> Answer | None:
    """Dnspython's reading of ``wire`` (``from_wire`` + ``classify``); None: no message."""
    try:
        response = dns.message.from_wire(wire)
    except Exception:  # noqa: BLE001 -- any fault in the bytes means "not a message"
        return None
    try:
        return classify(query, response, server)
    except Exception as exc:  # noqa: BLE001 -- as _wire.ask: records an Answer cannot hold
        return Answer(
            query,
            Outcome.ERROR,
            server=server,
            detail=f"malformed answer: {type(exc).__name__} {exc}",
        )


def reference(query: Query, wire: bytes, server: str) -> Answer:
    """Dnspython's reading of ``wire`` (``from_wire`` + ``classify``); malformed is ERROR.

    >>> reference(Query("example.it", "MX"), b"junk", "192.0.2.53#53").outcome
    <Outcome.ERROR: 'ERROR'>
    """
    read = parsed(query, wire, server)
    if read is None:
        return Answer(query, Outcome.ERROR, server=server, detail="malformed response")
    return read


def read(query: Query, wire: bytes, server: str) -> Answer | None:
    """The Answer ``wire`` gives to ``query``; None when it is no DNS message at all."""
    try:
        return _lean(query, _Message(wire), server)
    except (_Odd, InvalidRecordError):
        return parsed(query, wire, server)


def decode(query: Query, wire: bytes, server: str) -> tuple[Answer, bool]:
    """The Answer ``wire`` gives to ``query``, and whether the lean codec read it.

    >>> qid, wire = build(Query("pec.example.it", "MX"), recursion=False, qid=7)
    >>> import dns.message
    >>> response = dns.message.make_response(dns.message.from_wire(wire))
    >>> decode(Query("pec.example.it", "MX"), response.to_wire(), "192.0.2.53#53")[1]
    True
    """
    try:
        message = _Message(wire)
        return _lean(query, message, server), True
    except (_Odd, InvalidRecordError):
        return reference(query, wire, server), False


def answer(query: Query, wire: bytes, server: str) -> Answer:
    """The Answer ``wire`` gives to ``query``, read as ``classify`` reads it.

    >>> answer(Query("example.it", "MX"), b"", "192.0.2.53#53").outcome
    <Outcome.ERROR: 'ERROR'>
    """
    return decode(query, wire, server)[0]


def flags(wire: bytes) -> int:
    """The header flags of a message (0 when too short)."""
    return int.from_bytes(wire[2:4], "big") if len(wire) >= 4 else 0


def truncated(wire: bytes) -> bool:
    """Whether the TC flag is set."""
    return bool(flags(wire) & _TC)


def recursive_answer(query: Query, read: Answer) -> Answer:
    """A recursive resolver's Answer, shaped as :class:`~pecdns.resolvers.DnsResolver` shapes it.

    A stub trusts its recursive resolver: no referral (a NOERROR without the
    data is NODATA), and an NXDOMAIN names no server.
    """
    if read.outcome is Outcome.REFERRAL:
        return Answer(
            query,
            Outcome.NODATA,
            server=read.server,
            authoritative=read.authoritative,
            ttl=read.ttl,
        )
    if read.outcome is Outcome.NXDOMAIN:
        return Answer(query, Outcome.NXDOMAIN, aliases=read.aliases)
    return read


def matches(query_question: bytes, wire: bytes) -> bool:
    """Whether ``wire``'s question is ``query_question`` (names compared without case).

    An error RCODE with no question matches too (dnspython's ``is_response``).
    """
    if len(wire) < 12:
        return False
    qdcount = int.from_bytes(wire[4:6], "big")
    if qdcount == 0:
        return (wire[3] & 0xF) in (1, 2, 4, 5)
    size = len(query_question)
    got = wire[12 : 12 + size]
    return (
        qdcount == 1
        and len(got) == size
        and got[:-4].lower() == query_question[:-4]
        and got[-4:] == query_question[-4:]
    )
