"""IterativeResolver and AsyncDnsResolver against a scripted server on loopback."""

from __future__ import annotations

import asyncio

import dns.rcode
import pytest

from dnsserver import cname, rcode, records, referral, serve, silence
from pecdns._budget import budget
from pecdns.resolvers import ROOT_HINTS, AsyncDnsResolver, IterativeResolver, Outcome, Query

MX = Query("pec.example.it", "MX")


def walker(port: int, **kwargs: float) -> IterativeResolver:
    return IterativeResolver(["127.0.0.1"], port=port, timeout=0.3, **kwargs)


def test_the_default_hints_are_the_thirteen_root_servers() -> None:
    assert len(ROOT_HINTS) == 13
    assert IterativeResolver().hints == ROOT_HINTS


def test_hints_must_be_a_list_of_addresses() -> None:
    with pytest.raises(TypeError, match="not a single str"):
        IterativeResolver("127.0.0.1")
    with pytest.raises(ValueError, match="at least one hint"):
        IterativeResolver([])
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        IterativeResolver(["ns1.example.net"])


def test_repr_shows_the_configuration() -> None:
    assert repr(IterativeResolver(["127.0.0.1"], port=5300, timeout=1, lifetime=3)) == (
        "IterativeResolver(hints=['127.0.0.1'], port=5300, timeout=1, lifetime=3)"
    )


def test_a_referral_back_up_the_tree_is_a_servfail_not_a_loop() -> None:
    script = {("pec.example.it", "MX"): referral("example.it.", "ns.example.it.", glue="127.0.0.1")}
    with serve(script) as (_, port):
        answer = walker(port).resolve(MX)
    assert answer.outcome is Outcome.SERVFAIL
    assert "referred back up" in answer.detail


def test_a_referral_to_servers_without_address_is_a_servfail_that_names_them() -> None:
    script = {("pec.example.it", "MX"): referral("example.it.", "ns.nowhere.test.")}
    with serve(script) as (_, port):
        answer = walker(port).resolve(MX)
    assert answer.outcome is Outcome.SERVFAIL
    assert "no address for the name servers ns.nowhere.test." in answer.detail


def test_a_referral_without_glue_is_followed_by_looking_the_servers_up() -> None:
    script = {
        ("pec.example.it", "MX"): referral("example.it.", "ns.other.test."),
        ("ns.other.test", "A"): records("127.0.0.1"),
    }
    with serve(script) as (server, port):
        answer = walker(port).resolve(MX)
    # The looked-up server (the same one) refers again: a referral loop, cut short.
    assert answer.outcome is Outcome.SERVFAIL
    assert ("ns.other.test.", "A") in server.asked


def test_every_server_failing_gives_their_reasons() -> None:
    with serve({("pec.example.it", "MX"): rcode(dns.rcode.REFUSED)}) as (_, port):
        answer = walker(port).resolve(MX)
    assert answer.outcome is Outcome.REFUSED
    assert f"127.0.0.1#{port}" in answer.detail


def test_a_long_cname_chain_across_answers_is_cut() -> None:
    script = {(f"c{i}.example.it", "MX"): cname(f"c{i + 1}.example.it.") for i in range(12)}
    with serve(script) as (_, port):
        answer = walker(port).resolve(Query("c0.example.it", "MX"))
    assert answer.outcome is Outcome.SERVFAIL
    assert "too long or looping" in answer.detail


def test_a_cname_query_is_answered_without_following() -> None:
    with serve({("pec.example.it", "CNAME"): records("other.example.it.")}) as (_, port):
        answer = walker(port).resolve(Query("pec.example.it", "CNAME"))
    assert answer.records == ("other.example.it.",)


def test_a_walk_past_its_lifetime_stops() -> None:
    with serve({("pec.example.it", "MX"): silence}) as (_, port):
        answer = walker(port, lifetime=0.2).resolve(MX)
    assert answer.outcome is Outcome.TIMEOUT


def test_a_direct_question_past_the_budget_is_not_sent() -> None:
    with serve({}) as (server, port), budget(1e-9):
        answer = walker(port).resolve(Query("pec.example.it", "MX", server="127.0.0.1"))
    assert answer.outcome is Outcome.TIMEOUT
    assert "budget" in answer.detail
    assert server.asked == []


# --- AsyncDnsResolver ---------------------------------------------------------------


def test_async_dns_resolver_answers_like_the_sync_one() -> None:
    script = {
        ("pec.example.it", "MX"): records("10 mx.pec.aruba.it."),
        ("gone.example.it", "MX"): rcode(dns.rcode.NXDOMAIN),
        ("bad.example.it", "MX"): rcode(dns.rcode.SERVFAIL),
    }
    with serve(script) as (_, port):
        resolver = AsyncDnsResolver(["127.0.0.1"], port=port, timeout=0.3, lifetime=1)

        async def ask_all() -> list[Outcome]:
            names = ("pec.example.it", "gone.example.it", "bad.example.it")
            answers = await asyncio.gather(*(resolver.resolve(Query(n, "MX")) for n in names))
            direct = await resolver.resolve(Query("pec.example.it", "MX", server="127.0.0.1"))
            assert direct.records == ("10 mx.pec.aruba.it.",)
            return [a.outcome for a in answers]

        outcomes = asyncio.run(ask_all())
    assert outcomes == [Outcome.ANSWER, Outcome.NXDOMAIN, Outcome.SERVFAIL]
    assert repr(resolver).startswith("AsyncDnsResolver(")
