"""DnsResolver against a scripted DNS server on loopback, over real UDP."""

from __future__ import annotations

import dns.rcode
import pytest

from dnsserver import cname, dname, rcode, records, serve, silence
from pecdns import Verdict, check
from pecdns.resolvers import DnsResolver, Outcome, Query, Resolver

MX = Query("pec.example.it", "MX")


def _resolver(port: int, *, lifetime: float = 2.0) -> DnsResolver:
    return DnsResolver(["127.0.0.1"], port=port, timeout=0.3, lifetime=lifetime)


def test_dns_resolver_is_a_resolver() -> None:
    assert isinstance(DnsResolver(["127.0.0.1"]), Resolver)


def test_records_come_back_canonical_with_server_and_aa_flag() -> None:
    with serve({("pec.example.it", "MX"): records("10 MX.PEC.ARUBA.IT.")}) as (_, port):
        answer = _resolver(port).resolve(MX)
    assert answer.outcome is Outcome.ANSWER
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert answer.server == f"127.0.0.1#{port}"
    assert answer.authoritative is True


def test_non_authoritative_answer_is_flagged() -> None:
    script = {("pec.example.it", "MX"): records("10 mx.pec.aruba.it.", authoritative=False)}
    with serve(script) as (_, port):
        assert _resolver(port).resolve(MX).authoritative is False


def test_noerror_without_records_is_nodata() -> None:
    with serve({("pec.example.it", "MX"): rcode(dns.rcode.NOERROR)}) as (_, port):
        assert _resolver(port).resolve(MX).outcome is Outcome.NODATA


def test_nxdomain() -> None:
    with serve({}) as (_, port):
        assert _resolver(port).resolve(MX).outcome is Outcome.NXDOMAIN


def test_cname_chain_is_kept_as_aliases() -> None:
    script = {("mail.example.it", "A"): cname("host.example.net.", "192.0.2.9")}
    with serve(script) as (_, port):
        answer = _resolver(port).resolve(Query("mail.example.it", "A"))
    assert answer.aliases == ("host.example.net.",)
    assert answer.records == ("192.0.2.9",)


def test_a_dname_behind_an_alias_is_kept_with_it() -> None:
    script = {("pec.example.it", "MX"): dname("example.it.", "new.it.", "10 mx.pec.aruba.it.")}
    with serve(script) as (_, port):
        answer = _resolver(port).resolve(MX)
    assert answer.aliases == ("pec.new.it.",)
    assert answer.dnames == (("example.it.", "new.it."),)


def test_a_dname_behind_an_nxdomain_is_kept_with_its_alias() -> None:
    script = {("pec.example.it", "MX"): dname("example.it.", "gone.it.", code=dns.rcode.NXDOMAIN)}
    with serve(script) as (_, port):
        answer = _resolver(port).resolve(MX)
    assert (answer.outcome, answer.aliases) == (Outcome.NXDOMAIN, ("pec.gone.it.",))
    assert answer.dnames == (("example.it.", "gone.it."),)


def test_servfail_is_its_own_outcome_with_the_server_in_detail() -> None:
    with serve({("pec.example.it", "MX"): rcode(dns.rcode.SERVFAIL)}) as (_, port):
        answer = _resolver(port).resolve(MX)
    assert answer.outcome is Outcome.SERVFAIL
    assert f"127.0.0.1#{port}" in answer.detail


def test_refused_is_its_own_outcome() -> None:
    with serve({("pec.example.it", "MX"): rcode(dns.rcode.REFUSED)}) as (_, port):
        assert _resolver(port).resolve(MX).outcome is Outcome.REFUSED


def test_other_rcodes_are_errors() -> None:
    with serve({("pec.example.it", "MX"): rcode(dns.rcode.NOTIMP)}) as (_, port):
        answer = _resolver(port).resolve(MX)
    assert answer.outcome is Outcome.ERROR
    assert "NOTIMP" in answer.detail


def test_silence_is_a_timeout_within_the_lifetime() -> None:
    with serve({("pec.example.it", "MX"): silence}) as (_, port):
        answer = _resolver(port, lifetime=0.5).resolve(MX)
    assert answer.outcome is Outcome.TIMEOUT


def test_a_whole_check_over_udp() -> None:
    script = {
        ("pec.example.it", "MX"): records("10 mx.pec.aruba.it."),
        ("mx.pec.aruba.it", "A"): records("192.0.2.25"),
        ("example.it", "NS"): records("dns.technorail.com.", "dns2.technorail.com."),
        ("dns.technorail.com", "A"): records("127.0.0.1"),
        ("dns2.technorail.com", "A"): records("127.0.0.1"),
        ("example.it", "MX"): rcode(dns.rcode.NOERROR),
        ("pec.example.it", "NS"): rcode(dns.rcode.NOERROR),
    }
    with serve(script) as (server, port):
        report = check("example.it", resolver=_resolver(port))
    assert report.verdict is Verdict.COMPLIANT
    # The DNSSEC walk stops at the root's keys, which the scripted server does not have.
    assert report.codes() == ("MX_OK", "DNSSEC_UNKNOWN", "SETUP_PROVIDER")
    probes = report.observation.parent_probes
    assert [(p.name, p.address) for p in probes] == [
        ("dns.technorail.com.", "127.0.0.1"),
        ("dns2.technorail.com.", "127.0.0.1"),
    ]
    assert all(p.mx is not None and p.mx.query.server == "127.0.0.1" for p in probes)
    assert server.asked[-1] == (".", "DNSKEY")  # nine questions, then the walk's first
    assert len(server.asked) == 10


def test_a_direct_question_goes_to_its_server_without_recursion() -> None:
    script = {("pec.example.it", "MX"): records("10 mx.pec.aruba.it.")}
    with serve(script) as (_, port):
        answer = _resolver(port).resolve(Query("pec.example.it", "MX", server="127.0.0.1"))
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert answer.query.server == "127.0.0.1"
    assert answer.server == f"127.0.0.1#{port}"


def test_nameservers_must_be_a_list() -> None:
    with pytest.raises(TypeError, match="list of addresses"):
        DnsResolver("127.0.0.1")


def test_repr_shows_the_configuration() -> None:
    assert repr(DnsResolver(["127.0.0.1"], port=5300, timeout=1, lifetime=3)) == (
        "DnsResolver(nameservers=['127.0.0.1'], port=5300, timeout=1, lifetime=3)"
    )
