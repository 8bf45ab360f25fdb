r"""A lean DNS codec for the questions a check asks, with dnspython as the reference.

Building a query and parsing its answer with dnspython costs about 200 µs of
CPU per question; a check asks six. This module builds queries as bytes and
parses answers made only of what a check reads (A, AAAA, NS, CNAME, MX and
SOA records of class IN, one EDNS OPT record with at most NSID and Extended DNS
Errors options, plain names) straight
into :class:`~pecdns.resolvers.Answer`\ s, exactly as
:func:`pecdns.resolvers._wire.classify` does with dnspython. Anything else --
another record type, DNAME, a name with an octet outside ``[A-Za-z0-9_*-]``,
other EDNS options, an extended RCODE, any malformed or unusual encoding -- is
handed to dnspython (``dns.message.from_wire`` + ``classify``), which stays
the reference: property tests and a fuzz target feed both the same bytes and
require equal answers.
"""

from __future__ import annotations

import functools
import re
import secrets
import socket
import struct
from typing import Any, cast

import dns.message
import dns.name
import dns.rcode

from pecdns._models import Answer, Outcome, Query, RRType, codec_answer
from pecdns.exceptions import InvalidRecordError
from pecdns.resolvers._wire import classify

__all__ = [
    "answer",
    "build",
    "decode",
    "matches",
    "message",
    "parsed",
    "question_of",
    "raw_query",
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


def question_of(name: str, rdtype: RRType) -> bytes:
    """The question section for a canonical ``name`` and ``rdtype``, class IN."""
    return _qname_wire(name) + _TYPE_CLASS.pack(_CODES[rdtype], _IN)


def message(question: bytes, *, recursion: bool, qid: int) -> bytes:
    """A query's bytes around its question section, as dnspython's ``make_query`` with EDNS0."""
    return _HEADER.pack(qid, _RD if recursion else 0, 1, 0, 0, 1) + question + _OPT_1232


def build(query: Query, *, recursion: bool, qid: int | None = None) -> tuple[int, bytes]:
    r"""A message ID and the query's bytes, as dnspython's ``make_query`` with EDNS0 (1232).

    >>> qid, wire = build(Query("pec.example.it", "MX"), recursion=False, qid=1)
    >>> wire[:4], len(wire)
    (b'\x00\x01\x00\x00', 43)
    """
    ident = secrets.randbits(16) if qid is None else qid
    return ident, message(question_of(query.name, query.rdtype), recursion=recursion, qid=ident)


_PLAIN_NAME = re.compile(r"(?:[a-z0-9_-]{1,63}\.){1,127}|\.")
_CD = 0x0010
_MAX_NAME_TEXT = 254  # 255 octets on the wire: the text with its final dot, plus the root's
# The OPT record of make_query(want_dnssec=True, payload=1232): root, OPT, 1232, DO set, no data.
_OPT_DO = b"\x00" + struct.pack("!HHIH", OPT, 1232, 0x8000, 0)


def raw_query(name: str, rdtype: str, *, dnssec: bool) -> bytes | None:
    r"""The bytes (ID 0) of a raw question, as dnspython makes it; ``None``: let dnspython make it.

    ``dnssec``: the DNSSEC walk's query (RD, CD, EDNS0 1232 with DO);
    otherwise an EDNS probe's (no RD, no EDNS). Only a lower-case plain name
    of at most 253 octets is built here.

    >>> raw_query("it.", "DNSKEY", dnssec=True)[:4]
    b'\x00\x00\x01\x10'
    """
    code = _RAW_TYPES.get(rdtype)
    if code is None or len(name) > _MAX_NAME_TEXT or not _PLAIN_NAME.fullmatch(name):
        return None
    question = _qname_wire(name) + _TYPE_CLASS.pack(code, _IN)
    if dnssec:
        return _HEADER.pack(0, _RD | _CD, 1, 0, 0, 1) + question + _OPT_DO
    return _HEADER.pack(0, 0, 1, 0, 0, 0) + question


_RAW_TYPES = {"A": A, "NS": NS, "SOA": SOA, "MX": MX, "AAAA": AAAA, "DS": 43, "DNSKEY": 48}
"""The types a raw question asks (the DNSSEC walk's and the EDNS probes')."""


# A name read before, by the offset of each label of its first segment (the labels before
# its first pointer): its lower-case text from that label on, the offset where that first
# segment ends, the pointers followed after it, and its length in octets.
_Seen = dict[int, tuple[str, int, int, int]]
# Records of one (name, type) in one section, merged as dnspython merges an RRset:
# the smallest TTL and the set of data (a dict, for a stable order).
_RRset = tuple[int, dict[object, None]]
_Section = dict[tuple[str, int], _RRset]


def _name(wire: bytes, pos: int, end: int, seen: _Seen) -> tuple[str, int]:
    """The lower-case text of the name at ``pos`` and the offset after it.

    The usual owner name is one compression pointer to a name read before:
    that is taken from ``seen`` in one step (see :func:`_walk` for the rules).
    The root (an OPT record's owner) is one zero octet.
    """
    if pos + 2 <= end:
        length = wire[pos]
        if length >= 0xC0:
            target = ((length & 0x3F) << 8) | wire[pos + 1]
            hit = seen.get(target)
            # As in _walk: backwards, the target's first segment before this name, <= 16 hops.
            if hit is not None and target < pos and hit[1] <= pos and hit[2] < _MAX_HOPS:
                return hit[0], pos + 2
        elif not length:
            return ".", pos + 1
    return _walk(wire, pos, end, seen)


# The labels before a name's first pointer (or its root), as octets, read before in any
# message: their lower-case text (no final dot) and the offset of each label. Checked
# octet by octet the first time; bounded, and emptied when full.
_SEGMENTS: dict[bytes, tuple[str, tuple[int, ...]]] = {}
_SEGMENTS_MAX = 1 << 12


def _walk(wire: bytes, pos: int, end: int, seen: _Seen) -> tuple[str, int]:
    """Read the name at ``pos`` as :func:`_read_name` does, faster for labels read before.

    A batch meets the same labels in message after message (a hosting
    company's name servers, the provider's host, the name asked of each
    server). When the labels before the name's first pointer (or its root)
    are octets :data:`_SEGMENTS` holds, and the name ends at the root or at a
    pointer to a name this message has read that :func:`_read_name` would
    take, the result is the same as its, without reading the labels one by
    one: every check that does not depend on the octets alone (the end of
    the record, the lengths, the pointer's rules) is made here again.
    Anything else is read by :func:`_read_name`, and what it reads is kept.
    """
    stop = pos
    run = b""
    while stop < end:
        length = wire[stop]
        if 0 < length < 64:
            stop += length + 1
            continue
        run = wire[pos:stop]
        known = _SEGMENTS.get(run) if run else None
        if known is not None:
            read = _known(wire, pos, stop, end, seen, known)
            if read is not None:
                return read
        break
    text, first = _read_name(wire, pos, end, seen)
    if run:  # the labels were checked, octet by octet: keep them
        if len(_SEGMENTS) >= _SEGMENTS_MAX:
            _SEGMENTS.clear()
        _SEGMENTS[run] = (text[: stop - pos - 1], _offsets(wire, pos, stop))
    return text, first


def _known(
    wire: bytes,
    pos: int,
    stop: int,
    end: int,
    seen: _Seen,
    known: tuple[str, tuple[int, ...]],
) -> tuple[str, int] | None:
    """The name at ``pos`` whose labels up to ``stop`` are ``known``; None: read it in full.

    The checks that do not depend on the labels' octets, as :func:`_read_name`
    makes them: the root's, or the pointer's (backwards, to a name this
    message has read, within 16 hops and 255 octets in all).
    """
    direct, skips = known
    length = wire[stop]
    octets = stop - pos + 1  # the labels and the root's
    if length == 0:
        if octets > 255:  # RFC 1035 §2.3.4
            return None
        text, first, hops = direct + ".", stop + 1, 0
    elif length >= 0xC0 and stop + 2 <= end:
        target = ((length & 0x3F) << 8) | wire[stop + 1]
        tail = seen.get(target)
        if (
            target >= pos
            or tail is None
            or tail[1] > pos
            or tail[2] >= _MAX_HOPS
            or octets + tail[3] > 256
        ):
            return None
        text, first, hops = direct + "." + tail[0], stop + 2, tail[2] + 1
        octets += tail[3] - 1
    else:
        return None
    for skip in skips:
        seen[pos + skip] = (text[skip:], first, hops, octets - skip)
    return text, first


def _offsets(wire: bytes, pos: int, stop: int) -> tuple[int, ...]:
    """The offsets, from ``pos``, of the labels from ``pos`` to ``stop``."""
    offsets = []
    at = pos
    while at < stop:
        offsets.append(at - pos)
        at += wire[at] + 1
    return tuple(offsets)


def _read_name(wire: bytes, pos: int, end: int, seen: _Seen) -> tuple[str, int]:  # noqa: C901, PLR0912, PLR0915 -- one loop, RFC 1035 §4.1.4 as dnspython reads it
    """Read the name at ``pos`` label by label, as dnspython does, and remember it in ``seen``.

    RFC 1035 §4.1.4 compression, with dnspython's checks: a pointer goes
    strictly backwards, below the start of the segment it ends (so the target
    never overlaps what was read), at most 16 hops, 255 octets in all. A label
    with any octet outside ``[A-Za-z0-9_*-]`` is left to dnspython.

    A pointer to a label remembered in ``seen`` ends the walk: reading on from
    there would meet exactly what the name read from that label met (the same
    bytes up to the end of its first segment, then the same pointers, each
    checked against a start no lower than before), so the result is the same
    whenever that first segment ends before the current limit and the hops and
    octets, added up, stay within dnspython's limits. Otherwise the walk goes
    on byte by byte and dnspython's checks decide.
    """
    start = segment = pos  # dnspython's "biggest pointer" is always the segment's start
    limit = end
    labels: list[bytes] = []
    octets = 1  # the root label's
    hops = 0
    first = -1  # the offset after the first segment (and so after the name)
    direct = 0  # labels in the first segment
    tail: tuple[str, int, int, int] | None = None
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
            octets += length + 1
            pos = stop
        elif length >= 0xC0 and pos + 2 <= limit:
            # RFC 1035 §4.1.4: a pointer, the offset of the rest of the name.
            target = ((length & 0x3F) << 8) | wire[pos + 1]
            hops += 1
            # Into the header: left to dnspython, so that a reading never depends on the ID.
            if target >= segment or target < _HEADER.size or hops > _MAX_HOPS:
                raise _Odd
            if first < 0:
                first, direct = pos + 2, len(labels)
            tail = seen.get(target)
            if (
                tail is not None
                and tail[1] <= segment
                and hops + tail[2] <= _MAX_HOPS
                and octets + tail[3] <= 256
            ):
                break
            tail = None
            limit, segment, pos = segment, target, target
        else:  # 0x40, 0x80: label types dnspython refuses (RFC 6891 §5 deprecates 0x40)
            raise _Odd
    if first < 0:
        first, direct = pos, len(labels)
    text = b".".join(labels).decode("ascii").lower()
    if tail is None:
        if octets > 255:
            raise _Odd
        text = text + "." if labels else "."
    else:
        text = text + "." + tail[0] if labels else tail[0]
        hops += tail[2]
        octets += tail[3] - 1
    skip = 0
    for label in labels[:direct]:
        seen[start + skip] = (text[skip:], first, hops, octets - skip)
        skip += len(label) + 1
    return text, first


def _rdata(wire: bytes, rtype: int, pos: int, stop: int, seen: _Seen) -> object:
    """One record's data, as dnspython compares it: names in lower case, addresses as bytes."""
    if rtype in (A, AAAA):
        if stop - pos != (4 if rtype == A else 16):
            raise _Odd
        return wire[pos:stop]
    if rtype == MX:
        if stop - pos < 3:
            raise _Odd
        exchange, end = _name(wire, pos + 2, stop, seen)
        data: object = ((wire[pos] << 8) | wire[pos + 1], exchange)
    elif rtype == SOA:
        mname, end = _name(wire, pos, stop, seen)
        rname, end = _name(wire, end, stop, seen)
        if stop - end != 20:
            raise _Odd
        return (mname, rname, *_SOA_TAIL.unpack_from(wire, end))
    else:  # NS, CNAME
        data, end = _name(wire, pos, stop, seen)
    if end != stop:
        raise _Odd
    return data


class _Message:
    """The parts of a response that classify reads, every record checked as dnspython checks it."""

    __slots__ = ("additional", "answer", "authority", "flags", "qname", "qtype", "rcode")

    def __init__(self, wire: bytes) -> None:
        size = len(wire)
        if size < 12:
            raise _Odd
        _, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(wire)
        if not flags & _QR or flags & 0x7800 or qdcount != 1:  # a QUERY response, one question
            raise _Odd
        self.flags = flags
        self.rcode = flags & 0xF
        seen: _Seen = {}  # one message's names: pointers reach no other message
        self.qname, pos = _name(wire, 12, size, seen)
        if pos + 4 > size:
            raise _Odd
        self.qtype, qclass = _TYPE_CLASS.unpack_from(wire, pos)
        if qclass != _IN or self.qtype not in _ASKED:
            raise _Odd
        self.answer: _Section = {}
        self.authority: _Section = {}
        self.additional: _Section = {}
        sections = ((self.answer, ancount), (self.authority, nscount), (self.additional, arcount))
        if _records(wire, pos + 4, sections, seen) != size:
            raise _Odd


def _records(wire: bytes, pos: int, sections: tuple[tuple[_Section, int], ...], seen: _Seen) -> int:  # noqa: C901 -- one pass, one check a branch
    """Read the records of the three sections from ``pos`` into ``sections``; the offset after."""
    size = len(wire)
    header = _RR.unpack_from
    additional = sections[2][0]
    seen_opt = False
    for section, count in sections:
        for _ in range(count):
            owner, pos = _name(wire, pos, size, seen)
            if pos + 10 > size:
                raise _Odd
            rtype, rclass, ttl, rdlen = header(wire, pos)
            pos += 10
            stop = pos + rdlen
            if stop > size:
                raise _Odd
            if rclass != _IN or rtype not in _KNOWN:
                # One OPT in the additional section: no extended RCODE, only options classify
                # has no use for and dnspython reads without fail.
                if rtype != OPT or section is not additional or seen_opt or owner != ".":
                    raise _Odd
                if ttl >> 24 or (rdlen and not _ignorable_options(wire, pos, stop)):
                    raise _Odd
                seen_opt = True
                pos = stop
                continue
            data = _rdata(wire, rtype, pos, stop, seen)
            pos = stop
            if ttl > _MAX_TTL:
                ttl = 0
            key = (owner, rtype)
            rrset = section.get(key)
            if rrset is None:
                section[key] = (ttl, {data: None})
                continue
            if ttl < rrset[0]:
                section[key] = (ttl, rrset[1])
            if rtype in _SINGLETON:  # dnspython keeps the last CNAME or SOA of an RRset
                rrset[1].clear()
            rrset[1][data] = None
    return pos


_NSID, _EDE = 3, 15


def _ignorable_options(wire: bytes, pos: int, stop: int) -> bool:
    """Whether an OPT record's data holds only options dnspython reads without fail.

    Those are NSID (RFC 5001: any octets) and Extended DNS Errors (RFC 8914:
    an info-code, then text that, less one final NUL, is UTF-8), which servers
    add to a REFUSED or SERVFAIL; ``classify`` reads neither. Any other option,
    or a malformed one, leaves the message to dnspython.
    """
    while pos < stop:
        if pos + 4 > stop:
            return False
        code, length = _TYPE_CLASS.unpack_from(wire, pos)  # two 16-bit fields, as a type and class
        pos += 4
        end = pos + length
        if end > stop:
            return False
        if code == _EDE:
            if length < 2:  # the info-code's two octets
                return False
            text = wire[pos + 2 : end]
            if text.endswith(b"\x00"):
                text = text[:-1]
            try:
                text.decode("utf-8")
            except UnicodeDecodeError:
                return False
        elif code != _NSID:
            return False
        pos = end
    return True


def _subdomain(name: str, zone: str) -> bool:
    return zone in {".", name} or name.endswith("." + zone)


def _parent(name: str) -> str | None:
    if name == ".":
        return None
    return name.split(".", 1)[1] or "."


def _text(rtype: int, data: object) -> str:
    """A record's data as dnspython writes it."""
    if rtype == A:
        return socket.inet_ntop(socket.AF_INET, cast("bytes", data))
    if rtype == AAAA:
        return socket.inet_ntop(socket.AF_INET6, cast("bytes", data))
    if rtype == MX:
        mx = cast("tuple[int, str]", data)
        return f"{mx[0]} {mx[1]}"
    return str(data)


# What a message says, whoever asked and whichever server answered: an Answer's outcome,
# records, aliases, AA flag, detail, zone, referral, glue and TTL (codec_answer's arguments).
_Reading = tuple[
    Outcome,
    tuple[str, ...],
    tuple[str, ...],
    bool,
    str,
    str | None,
    tuple[str, ...],
    tuple[tuple[str, str], ...],
    int | None,
]


def _answer(query: Query, reading: _Reading, server: str) -> Answer:
    """The Answer to ``query`` from ``server`` of a message that says ``reading``."""
    outcome, records, aliases, authoritative, detail, zone, referral, glue, ttl = reading
    return codec_answer(
        query,
        outcome,
        records,
        aliases=aliases,
        server=server,
        authoritative=authoritative,
        detail=detail,
        zone=zone,
        referral=referral,
        glue=glue,
        ttl=ttl,
    )


def _classify(message: _Message) -> _Reading:
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
            min_ttl = min(min_ttl, found[0])
            break
        alias = message.answer.get((qname, CNAME)) if qtype != CNAME else None
        if alias is None:
            break
        qname = str(next(iter(alias[1])))
        aliases.append(qname)
        min_ttl = min(min_ttl, alias[0])
        count += 1
    if count >= _MAX_CHAIN:
        detail = "unusable answer: CNAME chain too long or looping"
        return (Outcome.ERROR, (), (), authoritative, detail, None, (), (), None)
    rcode = message.rcode
    if rcode == 3 and found is not None:  # dnspython's AnswerForNXDOMAIN
        raise _Odd
    if found is None:
        min_ttl = _negative_ttl(message, qname, min_ttl)
    if rcode:
        outcome = _OUTCOMES.get(rcode, Outcome.ERROR)
        nxdomain = outcome is Outcome.NXDOMAIN
        named = tuple(aliases) if nxdomain else ()
        detail = "" if nxdomain else f"RCODE {_RCODE_TEXT[rcode]}"
        return (outcome, (), named, authoritative, detail, None, (), (), None)
    if found is not None:
        records = tuple([_text(qtype, data) for data in found[1]])
        return (Outcome.ANSWER, records, tuple(aliases), authoritative, "", None, (), (), min_ttl)
    referral = next(
        (
            (zone, tuple([str(n) for n in rrset[1]]))
            for (zone, rtype), rrset in message.authority.items()
            if rtype == NS and _subdomain(qname, zone)
        ),
        None,
    )
    if referral is not None and not authoritative and not aliases:
        wanted = set(referral[1])
        glue = tuple(
            [
                (owner, _text(rtype, address))
                for (owner, rtype), rrset in message.additional.items()
                if owner in wanted and rtype in (A, AAAA)
                for address in rrset[1]
            ]
        )
        zone, servers = referral
        return (Outcome.REFERRAL, (), (), authoritative, "", zone, servers, glue, None)
    return (Outcome.NODATA, (), tuple(aliases), authoritative, "", None, (), (), min_ttl)


# Readings of the messages read last, by their octets after the ID. A message's reading
# does not depend on its ID (the lean codec leaves a pointer into the header to dnspython),
# and the same answer often comes again: the PEC name's MX from each of a domain's
# servers. Up to 4,096 of them (emptied when full), and only of messages of at most 512
# octets, as a check's answers nearly all are: about 10 MB at most, whatever servers send
# (4,096 messages of 496 octets, 29 records each, hold 9.5 MiB).
_READINGS: dict[bytes, _Reading] = {}
_READINGS_MAX = 1 << 12
_READINGS_OCTETS = 512


def _reading(wire: bytes) -> _Reading:
    """What ``wire`` says (:func:`_classify`), read once for the same octets after the ID."""
    if len(wire) > _READINGS_OCTETS:
        return _classify(_Message(wire))
    key = wire[2:]
    reading = _READINGS.get(key)
    if reading is None:
        reading = _classify(_Message(wire))
        if len(_READINGS) >= _READINGS_MAX:
            _READINGS.clear()
        _READINGS[key] = reading
    return reading


def _negative_ttl(message: _Message, qname: str, min_ttl: int) -> int:
    """Dnspython's NCACHE minimum: the closest enclosing SOA in the authority section."""
    name: str | None = qname
    while name is not None:
        soa = message.authority.get((name, SOA))
        if soa is not None:
            data = cast("tuple[Any, ...]", next(iter(soa[1])))
            return min(min_ttl, soa[0], int(data[6]))
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
        return _answer(query, _reading(wire), server)
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
        return _answer(query, _reading(wire), server), True
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
        return Answer(query, Outcome.NXDOMAIN, aliases=read.aliases, dnames=read.dnames)
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
