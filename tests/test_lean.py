"""The lean codec reads every message exactly as dnspython + classify do (the reference)."""

from __future__ import annotations

import struct

import attrs
import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from pecdns._dnssec import Question
from pecdns._edns import Probe
from pecdns.resolvers import Outcome, Query, RRType, _lean
from pecdns.resolvers._lean import (
    _name,
    answer,
    build,
    decode,
    matches,
    raw_query,
    recursive_answer,
    reference,
)

SERVER = "192.0.2.53#53"
NAMES = [
    "pec.example.it.",
    "example.it.",
    "it.",
    "ns1.example.it.",
    "NS2.Example.IT.",
    "mx.pec.aruba.it.",
    "alias.example.it.",
    "x.pec.example.it.",
    "*.example.it.",
    "odd\\.dot.example.it.",
    "sp\\032ace.example.it.",
    ".",
]
ADDRESSES4 = ["192.0.2.1", "192.0.2.2", "198.51.100.7"]
ADDRESSES6 = ["2001:db8::1", "::ffff:192.0.2.1", "2001:db8:0:0:1::"]

names = st.sampled_from(NAMES)


@st.composite
def rdatas(draw: st.DrawFn, rdtype: str) -> str:
    if rdtype == "A":
        return draw(st.sampled_from(ADDRESSES4))
    if rdtype == "AAAA":
        return draw(st.sampled_from(ADDRESSES6))
    if rdtype in {"NS", "CNAME", "DNAME"}:
        return draw(names)
    if rdtype == "MX":
        return f"{draw(st.integers(0, 65535))} {draw(names)}"
    if rdtype == "SOA":
        ints = draw(st.lists(st.integers(0, 2**32 - 1), min_size=5, max_size=5))
        return f"{draw(names)} {draw(names)} " + " ".join(map(str, ints))
    return '"some text"'  # TXT


TYPES = ["A", "AAAA", "NS", "CNAME", "MX", "SOA"]
ODD_TYPES = ["TXT", "DNAME"]


@st.composite
def rrsets(draw: st.DrawFn, *, odd: bool) -> dns.rrset.RRset:
    rdtype = draw(st.sampled_from(TYPES + (ODD_TYPES if odd else [])))
    datas = draw(st.lists(rdatas(rdtype), min_size=1, max_size=3))
    ttl = draw(st.sampled_from([0, 60, 300, 86400, 2**31 - 1]))
    rdclass = "CH" if odd and draw(st.integers(0, 20)) == 0 else "IN"
    if rdclass == "CH" and rdtype not in {"NS", "CNAME", "MX", "SOA"}:
        rdclass = "IN"
    return dns.rrset.from_text(draw(names), ttl, rdclass, rdtype, *datas)


@st.composite
def messages(draw: st.DrawFn, *, odd: bool = True) -> tuple[Query, bytes]:
    """A response to a question of a check, as dnspython writes it, now and then odd."""
    qname = draw(st.sampled_from(NAMES[:8]))
    qtype = draw(st.sampled_from(["A", "AAAA", "NS", "CNAME", "MX"]))
    query = Query(qname, qtype)
    request = dns.message.make_query(qname, qtype, use_edns=0, payload=1232, id=1)
    response = dns.message.make_response(request)
    response.flags |= draw(st.sampled_from([0, dns.flags.AA, dns.flags.TC, dns.flags.AA | 0x10]))
    rcode = draw(st.sampled_from([0, 0, 0, 1, 2, 3, 4, 5, 9] + ([16, 23] if odd else [])))
    response.set_rcode(dns.rcode.Rcode.make(rcode))
    if odd and draw(st.integers(0, 10)) == 0:
        response.set_opcode(dns.opcode.NOTIFY)
    if odd and draw(st.integers(0, 10)) == 0:
        response.use_edns(
            0, options=[dns.edns.GenericOption(dns.edns.OptionType.make(65001), b"x")]
        )
    if odd and draw(st.integers(0, 15)) == 0:
        response.flags &= ~dns.flags.QR
    chain = draw(st.lists(names, max_size=3))
    owner = qname
    for target in chain:  # a CNAME chain from the question on
        response.answer.append(dns.rrset.from_text(owner, 300, "IN", "CNAME", target))
        owner = target
    for section in (response.answer, response.authority, response.additional):
        section.extend(draw(st.lists(rrsets(odd=odd), max_size=4)))
    wire = response.to_wire(max_size=65535, want_shuffle=False)
    if odd:
        wire = draw(mutated(wire))
    return query, wire


@st.composite
def mutated(draw: st.DrawFn, wire: bytes) -> bytes:
    how = draw(st.integers(0, 12))
    if how == 0 and len(wire) > 12:
        return wire[: draw(st.integers(0, len(wire) - 1))]
    if how == 1:
        return wire + draw(st.binary(min_size=1, max_size=4))
    if how in {2, 3}:
        at = draw(st.integers(0, len(wire) - 1))
        return wire[:at] + bytes([draw(st.integers(0, 255))]) + wire[at + 1 :]
    return wire


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(messages())
def test_lean_codec_reads_every_message_as_dnspython_does(case: tuple[Query, bytes]) -> None:
    query, wire = case
    read, expected = answer(query, wire, SERVER), reference(query, wire, SERVER)
    assert read == expected
    assert read.mx == expected.mx  # not compared by ==: derived from the records


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(messages(odd=False))
def test_lean_codec_ttl_is_dnspython_minimum(case: tuple[Query, bytes]) -> None:
    query, wire = case
    assert answer(query, wire, SERVER).ttl == reference(query, wire, SERVER).ttl


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
@example(b"\x00\x01\x80\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x0f\x00\x01")
def test_lean_codec_reads_garbage_as_dnspython_does(wire: bytes) -> None:
    query = Query("pec.example.it", "MX")
    assert answer(query, wire, SERVER) == reference(query, wire, SERVER)


def _response(query: Query, *rrs: dns.rrset.RRset, aa: bool = True) -> bytes:
    request = dns.message.make_query(query.name, query.rdtype.value, use_edns=0, payload=1232, id=1)
    response = dns.message.make_response(request)
    if aa:
        response.flags |= dns.flags.AA
    response.answer.extend(rrs)
    return response.to_wire(want_shuffle=False)


def test_lean_codec_reads_an_ordinary_answer_itself() -> None:
    query = Query("pec.example.it", "MX")
    wire = _response(query, dns.rrset.from_text(query.name, 60, "IN", "MX", "10 mx.pec.aruba.it."))
    read, lean = decode(query, wire, SERVER)
    assert lean
    assert read.records == ("10 mx.pec.aruba.it.",)


def test_lean_codec_reads_a_refusal_with_an_extended_error_itself() -> None:
    query = Query("pec.example.it", "MX")
    request = dns.message.make_query(query.name, "MX", use_edns=0, payload=1232, id=1)
    response = dns.message.make_response(request)
    response.set_rcode(dns.rcode.REFUSED)
    error = dns.edns.EDEOption(dns.edns.EDECode.NOT_AUTHORITATIVE, "not served here")
    response.use_edns(0, options=[error, dns.edns.NSIDOption(b"ns1")])
    read, lean = decode(query, response.to_wire(), SERVER)
    assert lean
    assert read == reference(query, response.to_wire(), SERVER)
    assert read.outcome is Outcome.REFUSED


@pytest.mark.parametrize(
    "option",
    [
        dns.edns.GenericOption(dns.edns.OptionType.make(65001), b"x"),
        dns.edns.ECSOption("192.0.2.0", 24),
        dns.edns.GenericOption(dns.edns.OptionType.EDE, b"\x00\x14\xff"),  # text not UTF-8
    ],
    ids=["unknown", "client-subnet", "error-text-not-utf8"],
)
def test_lean_codec_leaves_other_edns_options_to_dnspython(option: dns.edns.Option) -> None:
    query = Query("pec.example.it", "MX")
    request = dns.message.make_query(query.name, "MX", use_edns=0, payload=1232, id=1)
    response = dns.message.make_response(request)
    response.use_edns(0, options=[option])
    wire = response.to_wire()
    assert decode(query, wire, SERVER) == (reference(query, wire, SERVER), False)


def test_lean_codec_leaves_other_record_types_to_dnspython() -> None:
    query = Query("pec.example.it", "MX")
    wire = _response(query, dns.rrset.from_text(query.name, 60, "IN", "TXT", '"v=spf1"'))
    assert decode(query, wire, SERVER) == (reference(query, wire, SERVER), False)


def _below_a_dname(query: Query) -> tuple[dns.rrset.RRset, dns.rrset.RRset]:
    """The DNAME at example.it. to new.it. and the CNAME it synthesises for ``query``."""
    return (
        dns.rrset.from_text("example.it.", 60, "IN", "DNAME", "new.it."),
        dns.rrset.from_text(query.name, 60, "IN", "CNAME", "pec.new.it."),
    )


def test_lean_codec_leaves_a_dname_to_dnspython_which_names_it() -> None:
    query = Query("pec.example.it", "MX")
    mx = dns.rrset.from_text("pec.new.it.", 60, "IN", "MX", "10 mx.pec.aruba.it.")
    wire = _response(query, *_below_a_dname(query), mx)
    read, lean = decode(query, wire, SERVER)
    assert not lean
    assert read == reference(query, wire, SERVER)
    assert read.dnames == (("example.it.", "new.it."),)


def test_lean_codec_reads_a_plain_cname_itself_and_names_no_dname() -> None:
    query = Query("pec.example.it", "MX")
    wire = _response(query, dns.rrset.from_text(query.name, 60, "IN", "CNAME", "pec.new.it."))
    read, lean = decode(query, wire, SERVER)
    assert lean
    assert read == reference(query, wire, SERVER)
    assert (read.aliases, read.dnames) == (("pec.new.it.",), ())


def test_a_recursive_nxdomain_keeps_the_dname_behind_its_alias() -> None:
    query = Query("pec.example.it", "MX")
    request = dns.message.make_query(query.name, "MX", id=1)
    response = dns.message.make_response(request)
    response.set_rcode(dns.rcode.NXDOMAIN)
    response.answer.extend(_below_a_dname(query))
    gone = recursive_answer(query, answer(query, response.to_wire(), SERVER))
    assert (gone.outcome, gone.aliases) == (Outcome.NXDOMAIN, ("pec.new.it.",))
    assert gone.dnames == (("example.it.", "new.it."),)


def test_lean_codec_leaves_escaped_names_to_dnspython() -> None:
    query = Query("pec.example.it", "MX")
    rr = dns.rrset.from_text(query.name, 60, "IN", "MX", "10 m\\.x.example.it.")
    assert decode(query, _response(query, rr), SERVER)[1] is False


def test_lean_codec_refuses_a_forward_compression_pointer() -> None:
    header = struct.pack("!HHHHHH", 1, 0x8400, 1, 1, 0, 0)
    question = b"\x03pec\x07example\x02it\x00\x00\x0f\x00\x01"
    record = b"\xc0\x0c\x00\x0f\x00\x01\x00\x00\x00\x3c\x00\x04\x00\x0a\xc0\x40"
    wire = header + question + record
    query = Query("pec.example.it", "MX")
    read, lean = decode(query, wire, SERVER)
    assert (read.outcome, lean) == (Outcome.ERROR, False)


def test_lean_codec_follows_a_backward_compression_pointer() -> None:
    header = struct.pack("!HHHHHH", 1, 0x8400, 1, 1, 0, 0)
    question = b"\x03pec\x07example\x02it\x00\x00\x0f\x00\x01"
    record = b"\xc0\x0c\x00\x0f\x00\x01\x00\x00\x00\x3c\x00\x07\x00\x0a\x02mx\xc0\x10"
    query = Query("pec.example.it", "MX")
    read, lean = decode(query, header + question + record, SERVER)
    assert (read.records, lean) == (("10 mx.example.it.",), True)


def test_build_writes_what_dnspython_make_query_writes() -> None:
    query = Query("Pec.Example.IT", "AAAA")
    qid, wire = build(query, recursion=False, qid=4660)
    made = dns.message.make_query(query.name, "AAAA", use_edns=0, payload=1232, id=1)
    made.id = qid
    made.flags &= ~dns.flags.RD
    assert wire == made.to_wire()


# -- raw questions: the DNSSEC walk's and the EDNS probes' --------------------------------

_LABELS = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=63)
_RAW_TYPES = st.sampled_from(["A", "AAAA", "NS", "SOA", "MX", "DS", "DNSKEY"])


def _dnspython_raw(name: str, rdtype: str, *, dnssec: bool) -> bytes:
    message = (
        Question(name, rdtype, "it.") if dnssec else Probe(name, rdtype, "192.0.2.1")
    ).message()
    message.id = 0
    return message.to_wire()


@given(st.lists(_LABELS, min_size=1, max_size=6), _RAW_TYPES, st.booleans())
def test_raw_query_writes_what_dnspython_writes(
    labels: list[str], rdtype: str, dnssec: bool
) -> None:
    name = ".".join(labels) + "."
    assume(len(name) <= 254)  # a name's longest text
    assert raw_query(name, rdtype, dnssec=dnssec) == _dnspython_raw(name, rdtype, dnssec=dnssec)


def test_raw_query_writes_the_root() -> None:
    assert raw_query(".", "DNSKEY", dnssec=True) == _dnspython_raw(".", "DNSKEY", dnssec=True)


@pytest.mark.parametrize(
    ("name", "rdtype"),
    [
        ("Example.it.", "DS"),  # upper case: dnspython keeps it as given
        ("a\\.b.it.", "DS"),  # an escaped dot
        ("è.it.", "DS"),
        ("a..it.", "DS"),  # an empty label
        ("example.it", "DS"),  # not absolute
        ("example.it.", "NSEC"),  # a type raw questions never ask
        ("a" * 64 + ".it.", "DS"),  # a label too long
        (("a" * 63 + ".") * 4, "DS"),  # 256 octets on the wire
    ],
)
def test_raw_query_leaves_unusual_questions_to_dnspython(name: str, rdtype: str) -> None:
    assert raw_query(name, rdtype, dnssec=True) is None


def test_build_writes_escaped_names_through_dnspython() -> None:
    query = Query("a\\.b.example.it", "A")
    _, wire = build(query, recursion=True, qid=1)
    assert dns.message.from_wire(wire).question[0].name == dns.name.from_text("a\\.b.example.it.")


@pytest.mark.parametrize(
    ("qname", "qtype", "expected"),
    [
        ("PEC.example.IT.", "MX", True),
        ("pec.example.it.", "A", False),
        ("other.example.it.", "MX", False),
    ],
)
def test_matches_compares_the_question_without_case(qname: str, qtype: str, expected: bool) -> None:
    query = Query("pec.example.it", "MX")
    _, wire = build(query, recursion=False, qid=9)
    reply = dns.message.make_response(dns.message.make_query(qname, qtype, id=9))
    question = wire[12:-11]
    assert matches(question, reply.to_wire()) is expected


def test_matches_takes_an_error_with_no_question() -> None:
    header = struct.pack("!HHHHHH", 9, 0x8005, 0, 0, 0, 0)
    assert matches(b"\x00\x00\x01\x00\x01", header)


def test_matches_refuses_a_short_message() -> None:
    assert not matches(b"\x00\x00\x01\x00\x01", b"\x00\x01")


def test_recursive_answer_has_no_referral_and_nxdomain_names_no_server() -> None:
    query = Query("pec.example.it", "MX")
    referral = dns.message.make_response(dns.message.make_query(query.name, "MX", id=1))
    referral.authority.append(dns.rrset.from_text("pec.example.it.", 60, "IN", "NS", "ns.x.it."))
    read = recursive_answer(query, answer(query, referral.to_wire(), SERVER))
    assert (read.outcome, read.zone) == (Outcome.NODATA, None)
    referral.set_rcode(dns.rcode.NXDOMAIN)
    gone = recursive_answer(query, answer(query, referral.to_wire(), SERVER))
    assert (gone.outcome, gone.server) == (Outcome.NXDOMAIN, None)


def test_glue_of_another_class_is_an_error_answer_not_an_exception() -> None:
    # Found by fuzz/fuzz_lean.py: classify raises ValueError on glue of class CH.
    query = Query("pec.example.it", "MX")
    referral = dns.message.make_response(dns.message.make_query(query.name, "MX", id=1))
    referral.authority.append(dns.rrset.from_text("pec.example.it.", 60, "IN", "NS", "ns.p.it."))
    referral.additional.append(dns.rrset.from_text("ns.p.it.", 60, "CH", "A", "p.it. 7"))
    wire = referral.to_wire()
    assert answer(query, wire, SERVER) == reference(query, wire, SERVER)
    assert reference(query, wire, SERVER).outcome is Outcome.ERROR


# -- Compression pointers: the per-message cache of names read (RFC 1035 §4.1.4) -------------

MX_CODE, NS_CODE, CNAME_CODE, SOA_CODE, A_CODE, AAAA_CODE = 15, 2, 5, 6, 1, 28
QUESTION = b"\x03pec\x07example\x02it\x00"  # at offset 12; "example.it." at 16, "it." at 24
# Labels a name is drawn from: plain ones, one of 63 octets (long names), and one whose "0"
# (48) reads as a length when a pointer aims inside it.
LABELS = [b"pec", b"NS1", b"it", b"mail", b"x-y_z*", b"a" * 63, b"0" + b"b" * 48]
# Addresses whose octets read as a pointer, a root, a label (where a pointer may aim).
ADDRESS_DATA = {
    A_CODE: [b"\xc0\x00\x02\x01", b"\x00\x0c\x03a"],
    AAAA_CODE: [b"\x20\x01\x0d\xb8" * 4],
}


def _pointer(target: int) -> bytes:
    return struct.pack("!H", 0xC000 | target)


class _Builder:
    """A response written byte by byte, so that names can point anywhere in it."""

    def __init__(self, question: bytes = QUESTION, qtype: int = MX_CODE) -> None:
        self.wire = bytearray(12) + question + struct.pack("!HH", qtype, 1)
        self.records = 0

    def at(self) -> int:
        """The offset of the next octet."""
        return len(self.wire)

    def record(self, owner: bytes, rtype: int, rdata: bytes, rclass: int = 1) -> None:
        self.wire += owner + struct.pack("!HHIH", rtype, rclass, 60, len(rdata)) + rdata
        self.records += 1

    def mx(self, exchange: bytes, owner: bytes = b"\xc0\x0c") -> int:
        """Add an MX record at ``owner``; return the offset of its exchange."""
        start = self.at() + len(owner) + 12
        self.record(owner, MX_CODE, b"\x00\x0a" + exchange)
        return start

    def pad_to(self, offset: int) -> None:
        """Add A records (owners ``a…a.pec.example.it.``) up to ``offset``."""
        while (gap := offset - self.at()) > 0:
            # An A record is 17 octets and its owner's label: 18 to 80 in all.
            size = gap - 17 if gap <= 80 else min(63, gap - 35)
            assert size >= 1, f"no padding record fits in {gap} octets"
            self.record(bytes([size]) + b"a" * size + b"\xc0\x0c", A_CODE, b"\xc0\x00\x02\x01")

    def bytes(self, *, flags: int = 0x8400, counts: tuple[int, int] | None = None) -> bytes:
        """The message: all records in the answer section, or split ``counts`` = (an, ns)."""
        an, ns = counts if counts is not None else (self.records, 0)
        header = struct.pack("!HHHHHH", 1, flags, 1, an, ns, self.records - an - ns)
        return header + bytes(self.wire[12:])


def _same(query: Query, wire: bytes) -> bool:
    """Assert the lean codec's Answer is dnspython's; return whether the lean codec read it."""
    read, lean = decode(query, wire, SERVER)
    expected = reference(query, wire, SERVER)
    assert read == expected
    assert (read.mx, read.ttl) == (expected.mx, expected.ttl)  # not compared by ==
    return lean


@st.composite
def option_data(draw: st.DrawFn) -> bytes:
    """An OPT record's data: none, NSID and Extended DNS Errors options, now and then odd.

    The text of an Extended DNS Error is UTF-8 or any octets, with or without
    a final NUL; odd ones: another option, an error shorter than its code, a
    length past the end, a cut option header.
    """
    out = b""
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 9))
        if kind <= 4:
            text = draw(st.one_of(st.text(max_size=6).map(str.encode), st.binary(max_size=6)))
            text += b"\x00" if draw(st.booleans()) else b""
            body = struct.pack("!H", draw(st.integers(0, 0xFFFF))) + text
            if kind == 4:
                body = body[: draw(st.integers(0, 1))]
            out += struct.pack("!HH", 15, len(body)) + body
        elif kind <= 6:
            body = draw(st.binary(max_size=6))
            out += struct.pack("!HH", 3, len(body)) + body
        elif kind == 7:
            out += struct.pack("!HH", draw(st.sampled_from([8, 10, 12, 65001])), 2) + b"\x00\x01"
        elif kind == 8:
            out += struct.pack("!HHH", 15, 40, 20)  # a length past the end
        else:
            out += b"\x00\x0f\x00"  # a cut header
    return out


@st.composite
def compressed(draw: st.DrawFn) -> tuple[Query, bytes]:  # noqa: C901 -- one message, as read
    """A response whose names are labels and pointers aimed anywhere before them.

    Pointers go mostly to where a label or pointer was written (a name read
    before, a suffix of one, a chain of pointers), else to any offset (inside
    a label, into the header, the question's type, a TTL or an address) or
    forwards; names of long labels near 255 octets; records split between
    the sections, with now and then an OPT record, a class other than IN or a
    byte changed.
    """
    marks: list[int] = []  # offsets where a label or a pointer was written
    wild = draw(st.integers(0, 3)) == 0  # whether pointers may aim anywhere, labels be odd
    labels_of = st.sampled_from(LABELS if draw(st.integers(0, 2)) == 0 else LABELS[:5])

    def name(at: int, *, labels: int = 2) -> bytes:
        earlier = [mark for mark in marks if mark < at]
        out = bytearray()
        for drawn in draw(st.lists(labels_of, max_size=labels)):
            odd = wild and draw(st.integers(0, 10)) == 0
            label = b"o\x01dd" if odd else drawn  # an octet the lean codec leaves to dnspython
            marks.append(at + len(out))
            out += bytes([len(label)]) + label
        end = draw(st.integers(0, 9))
        if end == 0:
            return bytes(out + b"\x00")
        here = at + len(out)
        marks.append(here)
        if (wild and end == 1) or not earlier:  # anywhere, even forwards
            return bytes(out + _pointer(draw(st.integers(0, here + 3))))
        return bytes(out + _pointer(draw(st.sampled_from(earlier))))

    qtype = draw(st.sampled_from([MX_CODE, NS_CODE, A_CODE, CNAME_CODE]))
    if draw(st.integers(0, 4)):
        marks[:] = [12, 16, 24]  # QUESTION's labels
        built = _Builder(QUESTION, qtype)
    else:
        built = _Builder(name(12), qtype)
    for _ in range(draw(st.integers(0, 8))):
        owner = name(built.at())
        rtype = draw(st.sampled_from([MX_CODE, NS_CODE, CNAME_CODE, A_CODE, AAAA_CODE, SOA_CODE]))
        rdata_at = built.at() + len(owner) + 10
        if rtype in {A_CODE, AAAA_CODE}:
            rdata = draw(st.sampled_from(ADDRESS_DATA[rtype]))
        elif rtype == MX_CODE:
            rdata = b"\x00\x0a" + name(rdata_at + 2)
        elif rtype == SOA_CODE:
            mname = name(rdata_at)
            rdata = mname + name(rdata_at + len(mname)) + bytes(range(20))
        else:
            rdata = name(rdata_at)
        built.record(owner, rtype, rdata, rclass=1 if draw(st.integers(0, 30)) else 3)
    opt = draw(st.booleans())
    if opt:  # an OPT record, last, so in the additional section
        built.record(b"\x00", 41, draw(option_data()), rclass=1232)
    an = draw(st.integers(0, built.records - opt))
    ns = draw(st.integers(0, built.records - opt - an))
    flags = draw(st.sampled_from([0x8400, 0x8400, 0x8000, 0x8403]))
    wire = built.bytes(flags=flags, counts=(an, ns))
    return Query("pec.example.it", RRType(_TYPE_NAMES[qtype])), draw(
        mutated(wire)
    ) if wild else wire


_TYPE_NAMES = {MX_CODE: "MX", NS_CODE: "NS", A_CODE: "A", CNAME_CODE: "CNAME"}


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(compressed())
def test_lean_codec_reads_compressed_names_as_dnspython_does(case: tuple[Query, bytes]) -> None:
    query, wire = case
    event("read by the lean codec" if _same(query, wire) else "left to dnspython")


@st.composite
def chains(draw: st.DrawFn) -> bytes:
    """MX exchanges, each at most one label and a pointer into the one before: 10 to 20 hops.

    A pointer aims at the label or at the pointer of the exchange before, so
    the hops add up to around dnspython's limit of 16, through names the
    cache holds and names it does not (pointers to pointers).
    """
    built = _Builder()
    marks = [12]  # where the exchange before has a label or a pointer
    for _ in range(draw(st.integers(10, 20))):
        label = draw(st.sampled_from([b"", b"\x01h", b"\x02mx"]))
        start = built.mx(label + _pointer(draw(st.sampled_from(marks))))
        marks = [start, start + len(label)] if label else [start]
    return built.bytes()


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(chains())
def test_lean_codec_reads_pointer_chains_near_the_limit_as_dnspython_does(wire: bytes) -> None:
    event("read by the lean codec" if _same(Query("pec.example.it", "MX"), wire) else "refused")


def _chain(hops: int) -> tuple[_Builder, list[int]]:
    """MX exchanges h1.pec.example.it. ... each one label and a pointer to the one before.

    Exchange k follows k pointers; each is read with the one before it from the cache.
    """
    built = _Builder()
    starts = [12]
    for k in range(1, hops + 1):
        starts.append(built.mx(b"\x02h" + bytes([48 + k % 10]) + _pointer(starts[-1])))
    return built, starts


def test_a_name_of_sixteen_pointers_is_read_by_the_lean_codec() -> None:
    built, _ = _chain(16)
    query = Query("pec.example.it", "MX")
    read, lean = decode(query, built.bytes(), SERVER)
    assert lean
    assert len(read.records) == 16
    assert read == reference(query, built.bytes(), SERVER)


def test_a_name_of_seventeen_pointers_is_left_to_dnspython() -> None:
    built, _ = _chain(17)
    query = Query("pec.example.it", "MX")
    assert not _same(query, built.bytes())
    assert reference(query, built.bytes(), SERVER).outcome is Outcome.ERROR


@pytest.mark.parametrize(("target", "lean"), [(15, True), (16, False)])
def test_a_pointer_to_a_remembered_name_counts_its_hops(target: int, lean: bool) -> None:
    # A bare pointer to exchange k follows k + 1 pointers: dnspython allows 16.
    built, starts = _chain(16)
    built.mx(_pointer(starts[target]))
    assert _same(Query("pec.example.it", "MX"), built.bytes()) is lean


@pytest.mark.parametrize("owner", [False, True], ids=["exchange", "unused-owner"])
@pytest.mark.parametrize(("octets", "lean"), [(255, True), (256, False)])
def test_a_name_ending_in_a_remembered_one_counts_its_octets(
    octets: int, lean: bool, owner: bool
) -> None:
    long_question = b"".join(bytes([63]) + c * 63 for c in (b"a", b"b", b"c")) + b"\x02it\x00"
    built = _Builder(long_question)  # 196 octets, remembered at 12
    size = octets - 196 - 1  # one label of ``size`` octets, then a pointer to the question
    name = bytes([size]) + b"y" * size + _pointer(12)
    if owner:  # the owner of an A record the Answer never shows: only the codec can refuse it
        built.mx(b"\x00")
        built.record(name, A_CODE, b"\xc0\x00\x02\x01")
    else:
        built.mx(name)
    assert _same(Query("pec.example.it", "MX"), built.bytes()) is lean


def test_a_pointer_into_a_label_is_read_from_the_octets_there() -> None:
    # "0" is 48: from inside the question's first label, a label of 48 "b"s, then "it".
    built = _Builder(b"\x310" + b"b" * 48 + b"\x02it\x00")
    built.mx(_pointer(13))
    query = Query("pec.example.it", "MX")
    assert _same(query, built.bytes())
    assert decode(query, built.bytes(), SERVER)[0].records == ("10 " + "b" * 48 + ".it.",)


@pytest.mark.parametrize(
    "target",
    [0, 5, 11, 28, 29, 13, 17],
    ids=[
        "header-id",
        "header-qdcount",
        "header-arcount",
        "qtype",
        "qtype-low",
        "in-label",
        "in-label-2",
    ],
)
def test_a_pointer_to_other_octets_is_read_as_dnspython_reads_it(target: int) -> None:
    built = _Builder()
    built.mx(_pointer(target))
    _same(Query("pec.example.it", "MX"), built.bytes())


def _overlap(aim: int) -> bytes:
    """Exchange X at 261 is "x" and a pointer to 0xC1, then an owner of label length 5.

    The pointer's second octet 0xC1, read with the 5 after it as a pointer,
    aims at 0x105 = 261: X itself. A last MX exchange points ``aim`` octets
    into X.
    """
    built = _Builder()
    built.pad_to(193 - 14)
    z = built.mx(b"\x01z" + _pointer(12))
    built.pad_to(261 - 14)
    x = built.mx(b"\x01x" + _pointer(z))
    assert (z, x) == (0xC1, 261)
    built.record(b"\x05aaaaa" + _pointer(12), A_CODE, b"\xc0\x00\x02\x01")
    built.mx(_pointer(x + aim))
    return built.bytes()


def test_a_remembered_name_overlapping_the_pointing_segment_is_left_to_dnspython() -> None:
    # From X's last octet the walk comes back to X, whose first segment runs past that octet:
    # dnspython refuses it (the target must end before the segment that points to it), and
    # the cache, which holds X, must not answer for it.
    assert not _same(Query("pec.example.it", "MX"), _overlap(3))


def test_a_pointer_to_the_same_remembered_name_from_after_it_is_read() -> None:
    query = Query("pec.example.it", "MX")
    assert _same(query, _overlap(0))
    assert "10 x.z.pec.example.it." in decode(query, _overlap(0), SERVER)[0].records


def test_a_pointer_to_a_name_read_before_is_taken_from_the_cache() -> None:
    # The cache's entry, not the octets, answers: a forged entry shows it is used ...
    wire = bytes(12) + QUESTION + b"\x00\x0f\x00\x01" + b"\xc0\x0c"
    seen = {12: ("cached.", 28, 15, 16)}
    assert _name(wire, 32, len(wire), seen) == ("cached.", 34)
    # ... and not where the hops would pass dnspython's 16: the octets are read instead.
    seen = {12: ("cached.", 28, 16, 16)}
    assert _name(wire, 32, len(wire), seen) == ("pec.example.it.", 34)


# --- labels met before: the segment cache --------------------------------------------------


@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(compressed())
def test_a_message_read_again_with_its_labels_known_reads_as_dnspython_does(
    case: tuple[Query, bytes],
) -> None:
    # The second read finds every name's labels in the cache: the pointer rules still hold.
    query, wire = case
    _same(query, wire)
    _lean._READINGS.clear()  # read the message again, not its reading
    event("read by the lean codec" if _same(query, wire) else "left to dnspython")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(chains())
def test_pointer_chains_read_again_with_their_labels_known_read_as_dnspython_does(
    wire: bytes,
) -> None:
    query = Query("pec.example.it", "MX")
    _same(query, wire)
    _lean._READINGS.clear()  # read the message again, not its reading
    event("read by the lean codec" if _same(query, wire) else "refused")


def test_known_labels_past_255_octets_with_their_pointer_are_left_to_dnspython() -> None:
    long_label = b"\x3c" + b"b" * 60
    primer = _Builder()
    primer.mx(long_label + _pointer(12))  # 61 + 16 octets: fine, and its label is now known
    assert _same(Query("pec.example.it", "MX"), primer.bytes())
    built = _Builder()
    three = b"".join(bytes([60]) + bytes([c]) * 60 for c in b"acd")
    first = built.mx(three + _pointer(12))  # 3 * 61 + 16 = 199 octets
    built.mx(long_label + _pointer(first))  # 61 + 199 = 260 octets: too long a name
    query = Query("pec.example.it", "MX")
    assert not _same(query, built.bytes())
    assert reference(query, built.bytes(), SERVER).outcome is Outcome.ERROR


def test_the_segment_cache_is_bounded() -> None:
    for k in range(_lean._SEGMENTS_MAX + 10):
        built = _Builder()
        built.mx(b"\x05" + f"{k:05d}".encode() + _pointer(12))
        _same(Query("pec.example.it", "MX"), built.bytes())
    assert 0 < len(_lean._SEGMENTS) <= _lean._SEGMENTS_MAX


def test_known_labels_leave_what_reading_them_octet_by_octet_leaves() -> None:
    # The names read, and what is remembered of them for later pointers, are the same.
    built = _Builder()
    first = built.mx(b"\x03ns1\x07hosting\x04test\x00")
    second = built.mx(b"\x03ns2" + _pointer(first + 4))
    third = built.mx(b"\x02mx\x03pec" + _pointer(second))
    wire = built.bytes()

    def names() -> tuple[list[str], dict[int, tuple[str, int, int, int]]]:
        seen: dict[int, tuple[str, int, int, int]] = {}
        read = [_name(wire, at, len(wire), seen)[0] for at in (12, first, second, third)]
        return read, seen

    _lean._SEGMENTS.clear()
    cold = names()
    assert len(_lean._SEGMENTS) == 4  # the question's labels and each exchange's
    assert names() == cold
    assert cold[0][1:] == ["ns1.hosting.test.", "ns2.hosting.test.", "mx.pec.ns2.hosting.test."]


# --- readings kept: the same octets after the ID -------------------------------------------


@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(compressed(), st.integers(0, 0xFFFF))
def test_a_message_read_again_under_another_id_reads_as_dnspython_does(
    case: tuple[Query, bytes], qid: int
) -> None:
    # The second read takes the first's reading: it must not depend on the ID.
    query, wire = case
    _same(query, wire)
    event("read by the lean codec" if _same(query, struct.pack("!H", qid) + wire[2:]) else "not")


def test_the_same_answer_under_another_id_is_read_once() -> None:
    query = Query("pec.example.it", "MX")
    built = _Builder()
    built.mx(b"\x02mx\x03pec\x05aruba\x02it\x00")
    wire = built.bytes()
    _lean._READINGS.clear()
    first = answer(query, wire, SERVER)
    again = answer(query, b"\xbe\xef" + wire[2:], "192.0.2.54#53")
    assert len(_lean._READINGS) == 1
    assert again == attrs.evolve(first, server="192.0.2.54#53")


def test_a_pointer_into_the_header_is_left_to_dnspython() -> None:
    built = _Builder()
    built.mx(b"\x02mx" + _pointer(0))  # the ID's first octet, read as a label's length
    query = Query("pec.example.it", "MX")
    assert not _same(query, built.bytes())


def test_the_readings_kept_are_bounded() -> None:
    query = Query("pec.example.it", "MX")
    for k in range(_lean._READINGS_MAX + 10):
        built = _Builder()
        built.mx(b"\x02mx" + _pointer(12), owner=b"\xc0\x0c")
        built.record(b"\xc0\x0c", A_CODE, k.to_bytes(4, "big"))
        answer(query, built.bytes(), SERVER)
    assert 0 < len(_lean._READINGS) <= _lean._READINGS_MAX


def test_a_message_past_512_octets_is_read_but_not_kept() -> None:
    # A reading is kept by the message's octets: large ones would hold megabytes.
    query = Query("pec.example.it", "MX")
    built = _Builder()
    built.mx(b"\x02mx" + _pointer(12))
    built.pad_to(600)
    wire = built.bytes()
    _lean._READINGS.clear()
    read, lean = decode(query, wire, SERVER)
    assert lean
    assert read == reference(query, wire, SERVER)
    assert not _lean._READINGS


@pytest.mark.parametrize(("octets", "lean"), [(255, True), (256, False)])
def test_known_labels_and_their_pointer_stop_at_255_octets(octets: int, lean: bool) -> None:
    # A name is its own labels, then a pointer to pec.example.it. (16 octets). As the owner of
    # an A record no rule reads, only the codec's limit can refuse it (an MX exchange that
    # long is refused again by Answer, which would hide a codec that let it through).
    query = Query("pec.example.it", "MX")
    last = octets - 16 - 3 * 64  # three labels of 63, then one of what is left
    run = b"".join(bytes([63]) + bytes([c]) * 63 for c in b"abc")
    run += bytes([last - 1]) + b"d" * (last - 1)
    primer = _Builder()
    primer.mx(run + b"\x00")  # the same labels at the root: fine, and known from now on
    assert _same(query, primer.bytes())
    built = _Builder()
    built.mx(b"\x02mx" + _pointer(12))
    built.record(run + _pointer(12), A_CODE, b"\xc0\x00\x02\x01")
    _lean._READINGS.clear()
    assert _same(query, built.bytes()) is lean


def test_known_labels_ended_by_half_a_pointer_are_left_to_dnspython() -> None:
    query = Query("pec.example.it", "MX")
    primer = _Builder()
    primer.mx(b"\x02mx" + _pointer(12))  # its labels known from now on
    assert _same(query, primer.bytes())
    built = _Builder()
    built.mx(b"\x02mx\xc0")  # the message ends inside the pointer
    assert not _same(query, built.bytes())
