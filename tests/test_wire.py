"""resolvers._wire.classify on responses built in memory: the DNAMEs behind a chain (RFC 6672)."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode
import dns.rrset

from pecdns.resolvers import Outcome, Query
from pecdns.resolvers._wire import classify

SERVER = "192.0.2.53#53"
MX = Query("pec.example.it", "MX")


def _response(query: Query, *rrsets: dns.rrset.RRset, rcode: int = 0) -> dns.message.Message:
    response = dns.message.make_response(dns.message.make_query(query.name, query.rdtype.value))
    response.flags |= dns.flags.AA
    response.set_rcode(dns.rcode.Rcode.make(rcode))
    response.answer.extend(rrsets)
    return dns.message.from_wire(response.to_wire())  # as it arrives: parsed, indexed


def _rr(owner: str, rdtype: str, data: str) -> dns.rrset.RRset:
    return dns.rrset.from_text(owner, 300, "IN", rdtype, data)


DNAME = _rr("example.it.", "DNAME", "new.it.")
SYNTHESISED = _rr("pec.example.it.", "CNAME", "pec.new.it.")


def test_a_dname_and_its_synthesised_cname_are_both_recorded() -> None:
    response = _response(MX, DNAME, SYNTHESISED, _rr("pec.new.it.", "MX", "10 mx.pec.aruba.it."))
    answer = classify(MX, response, SERVER)
    assert answer.outcome is Outcome.ANSWER
    assert answer.aliases == ("pec.new.it.",)
    assert answer.dnames == (("example.it.", "new.it."),)
    assert answer.redirected_by == ("example.it.", "new.it.")


def test_the_dnames_of_an_nxdomain_are_kept_with_its_aliases() -> None:
    answer = classify(MX, _response(MX, DNAME, SYNTHESISED, rcode=dns.rcode.NXDOMAIN), SERVER)
    assert answer.outcome is Outcome.NXDOMAIN
    assert answer.dnames == (("example.it.", "new.it."),)


def test_the_dnames_of_a_nodata_are_kept_with_its_aliases() -> None:
    answer = classify(MX, _response(MX, DNAME, SYNTHESISED), SERVER)
    assert (answer.outcome, answer.aliases) == (Outcome.NODATA, ("pec.new.it.",))
    assert answer.dnames == (("example.it.", "new.it."),)


def test_a_failure_keeps_no_dname() -> None:
    answer = classify(MX, _response(MX, DNAME, SYNTHESISED, rcode=dns.rcode.SERVFAIL), SERVER)
    assert (answer.outcome, answer.aliases, answer.dnames) == (Outcome.SERVFAIL, (), ())


def test_a_cname_question_below_a_dname_names_the_dname_of_its_answer() -> None:
    query = Query("pec.example.it", "CNAME")
    answer = classify(query, _response(query, DNAME, SYNTHESISED), SERVER)
    assert answer.records == ("pec.new.it.",)
    assert answer.dnames == (("example.it.", "new.it."),)


def test_a_cname_of_the_names_own_is_no_dname_even_beside_one() -> None:
    own = _rr("pec.example.it.", "CNAME", "host.other.it.")
    answer = classify(MX, _response(MX, DNAME, own), SERVER)
    assert answer.aliases == ("host.other.it.",)
    assert answer.dnames == ()


def test_a_dname_at_the_cnames_own_name_synthesised_nothing() -> None:
    own = _rr("pec.example.it.", "CNAME", "pec.new.it.")
    at_owner = _rr("pec.example.it.", "DNAME", "new.it.")
    assert classify(MX, _response(MX, at_owner, own), SERVER).dnames == ()


def test_a_dname_that_would_rewrite_past_255_octets_synthesised_nothing() -> None:
    long_target = ".".join(["a" * 60] * 4) + "."
    answer = classify(
        MX, _response(MX, _rr("example.it.", "DNAME", long_target), SYNTHESISED), SERVER
    )
    assert answer.aliases == ("pec.new.it.",)
    assert answer.dnames == ()


def test_a_chain_through_a_cname_then_a_dname_names_the_dname_of_the_second_step() -> None:
    query = Query("pec.cname.it", "MX")
    response = _response(
        query,
        _rr("pec.cname.it.", "CNAME", "pec.example.it."),
        DNAME,
        SYNTHESISED,
        _rr("pec.new.it.", "MX", "10 mx.pec.aruba.it."),
    )
    answer = classify(query, response, SERVER)
    assert answer.aliases == ("pec.example.it.", "pec.new.it.")
    assert answer.dnames == (("example.it.", "new.it."),)
    assert answer.redirected_by is None
