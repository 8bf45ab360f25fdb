"""The lean codec reads every message exactly as dnspython + classify do (the reference)."""

from __future__ import annotations

import struct

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
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pecdns.resolvers import Outcome, Query
from pecdns.resolvers._lean import answer, build, decode, matches, recursive_answer, reference

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
    assert answer(query, wire, SERVER) == reference(query, wire, SERVER)


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


def test_lean_codec_leaves_other_record_types_to_dnspython() -> None:
    query = Query("pec.example.it", "MX")
    wire = _response(query, dns.rrset.from_text(query.name, 60, "IN", "TXT", '"v=spf1"'))
    assert decode(query, wire, SERVER) == (reference(query, wire, SERVER), False)


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
