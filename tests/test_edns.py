"""When a resolver asks again without EDNS (pecdns._edns), decided without I/O."""

from __future__ import annotations

import string

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rrset
import pytest

from dnsserver import serve, silence
from pecdns._codes import CATALOGUE, LANGUAGES
from pecdns._edns import edns_fallback


def query(version: int = 0, *, dnssec: bool = False) -> dns.message.Message:
    q = dns.message.make_query("pec.example.it", "MX", use_edns=version, want_dnssec=dnssec)
    q.flags |= dns.flags.CD
    return q


def reply(q: dns.message.Message, rcode: int, *, opt: int | None = None) -> dns.message.Message:
    r = dns.message.make_response(q)
    if opt is None:
        r.use_edns(edns=False)
    else:
        r.use_edns(opt)
    r.set_rcode(dns.rcode.Rcode.make(rcode))
    return r


def test_formerr_without_opt_is_retried_without_edns() -> None:
    q = query()
    retry = edns_fallback(q, reply(q, dns.rcode.FORMERR))
    assert retry is not None
    assert retry.query.edns == -1
    assert "FORMERR" in retry.reason


def test_notimp_without_opt_is_retried_without_edns() -> None:
    q = query()
    retry = edns_fallback(q, reply(q, dns.rcode.NOTIMP))
    assert retry is not None
    assert retry.query.edns == -1


def test_the_retry_asks_the_same_question_with_the_same_flags() -> None:
    q = query(dnssec=True)
    retry = edns_fallback(q, reply(q, dns.rcode.FORMERR))
    assert retry is not None
    assert retry.query.question == q.question
    assert retry.query.flags == q.flags
    assert not retry.query.ednsflags & dns.flags.DO  # no EDNS, so no DO bit either


def test_formerr_with_opt_is_not_about_edns_and_gets_no_retry() -> None:
    q = query()
    assert edns_fallback(q, reply(q, dns.rcode.FORMERR, opt=0)) is None


def test_badvers_offering_a_lower_version_is_retried_at_that_version() -> None:
    q = query(1, dnssec=True)
    retry = edns_fallback(q, reply(q, dns.rcode.BADVERS, opt=0))
    assert retry is not None
    assert retry.query.edns == 0
    assert retry.query.ednsflags & dns.flags.DO
    assert "version 0" in retry.reason


def test_badvers_to_version_zero_is_retried_without_edns() -> None:
    q = query(0)
    retry = edns_fallback(q, reply(q, dns.rcode.BADVERS, opt=0))
    assert retry is not None
    assert retry.query.edns == -1


def test_a_dropped_edns_query_gets_no_retry_since_flag_day_2019() -> None:
    assert edns_fallback(query(), None) is None


def test_other_answers_get_no_retry() -> None:
    q = query()
    for rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN, dns.rcode.SERVFAIL, dns.rcode.REFUSED):
        assert edns_fallback(q, reply(q, rcode)) is None


def test_a_query_without_edns_is_never_retried_so_retries_cannot_loop() -> None:
    q = dns.message.make_query("pec.example.it", "MX", use_edns=False)
    assert edns_fallback(q, reply(q, dns.rcode.FORMERR)) is None


def _fields(text: str) -> frozenset[str]:
    return frozenset(f for _, f, _, _ in string.Formatter().parse(text) if f)


def test_the_warning_reads_alike_in_every_language() -> None:
    info = CATALOGUE["EDNS_UNSUPPORTED"]
    assert (info.code, info.severity.name) == ("EDNS_UNSUPPORTED", "WARNING")
    assert info.fix is not None
    for texts in (info.message, info.fix):
        assert set(texts) == set(LANGUAGES)
        assert len({_fields(texts[lang]) for lang in LANGUAGES}) == 1


# -- against a scripted server on loopback ------------------------------------------------------


def old_server(query: dns.message.Message, transport: str) -> dns.message.Message:
    """A server from before EDNS: FORMERR without OPT to an EDNS query, answers otherwise."""
    response = dns.message.make_response(query)
    if query.edns >= 0:
        response.use_edns(edns=False)
        response.set_rcode(dns.rcode.FORMERR)
        return response
    response.answer.append(
        dns.rrset.from_text(query.question[0].name, 300, "IN", "MX", "10 mx.pec.aruba.it.")
    )
    return response


def test_an_old_server_is_reached_by_the_retry_without_edns() -> None:
    with serve({}, old_server) as (server, port):
        q = query()
        first = dns.query.udp(q, "127.0.0.1", port=port, timeout=2)
        retry = edns_fallback(q, first)
        assert retry is not None
        second = dns.query.udp(retry.query, "127.0.0.1", port=port, timeout=2)
    assert first.rcode() == dns.rcode.FORMERR
    assert second.rcode() == dns.rcode.NOERROR
    assert second.answer[0][0].to_text() == "10 mx.pec.aruba.it."
    assert edns_fallback(retry.query, second) is None
    assert len(server.asked) == 2


def test_a_server_that_drops_edns_queries_gets_no_retry() -> None:
    with serve({}, silence) as (_, port):
        q = query()
        with pytest.raises(dns.exception.Timeout):
            dns.query.udp(q, "127.0.0.1", port=port, timeout=0.3)
    assert edns_fallback(q, None) is None
