"""resolvers._wire on loopback: the retry without EDNS within the caps, and raw questions."""

from __future__ import annotations

import asyncio

import dns.message
import dns.rcode
import pytest

from dnsserver import records, serve, silence, truncated, without_edns
from pecdns._budget import budget
from pecdns._dnssec import Question
from pecdns._edns import Probe
from pecdns._limits import Limits
from pecdns.resolvers import AsyncDnsResolver, DnsResolver, IterativeResolver, Outcome, Query
from pecdns.resolvers._wire import aask, aask_raw, ask, ask_raw

MX = Query("pec.example.it", "MX", server="127.0.0.1")
OLD = without_edns(dns.rcode.FORMERR, records("10 mx.pec.aruba.it."))


def test_an_old_server_is_answered_on_the_retry_and_the_answer_says_why() -> None:
    with serve({}, OLD) as (server, port):
        answer = ask(MX, "127.0.0.1", port=port, timeout=1.0)
    assert answer.outcome is Outcome.ANSWER
    assert answer.edns_fallback.startswith("FORMERR without an OPT record")
    assert len(server.asked) == 2


def test_a_server_speaking_edns_needs_no_retry() -> None:
    with serve({}, records("10 mx.pec.aruba.it.")) as (server, port):
        answer = ask(MX, "127.0.0.1", port=port, timeout=1.0)
    assert answer.edns_fallback == ""
    assert len(server.asked) == 1


def test_the_retry_is_refused_past_the_query_cap() -> None:
    with serve({}, OLD) as (server, port), budget(None, Limits(queries=1)):
        answer = ask(MX, "127.0.0.1", port=port, timeout=1.0)
    assert answer.outcome is Outcome.ERROR
    assert "limit of 1 DNS queries" in answer.detail
    assert len(server.asked) == 1


def test_a_truncated_answer_past_the_cap_is_not_asked_over_tcp() -> None:
    with serve({}, truncated(OLD)) as (_, port), budget(None, Limits(queries=1)):
        answer = asyncio.run(aask(MX, "127.0.0.1", port=port, timeout=1.0))
    assert "limit of 1 DNS queries" in answer.detail


def test_the_async_retry_behaves_alike() -> None:
    with serve({}, OLD) as (_, port):
        answer = asyncio.run(aask(MX, "127.0.0.1", port=port, timeout=1.0))
    assert answer.outcome is Outcome.ANSWER
    assert answer.edns_fallback.startswith("FORMERR")
    with serve({}, OLD) as (_, port), budget(None, Limits(queries=1)):
        capped = asyncio.run(aask(MX, "127.0.0.1", port=port, timeout=1.0))
    assert "limit of 1 DNS queries" in capped.detail


def _message() -> dns.message.Message:
    return Question("pec.example.it.", "MX", "example.it.").message()


def test_a_raw_question_goes_on_past_a_silent_server() -> None:
    with serve({}, silence) as (_, dead), serve({}, records("10 mx.pec.aruba.it.")) as (_, live):
        assert dead != live
        assert ask_raw(_message(), ["127.0.0.1"], port=dead, timeout=0.2) is None
        response = ask_raw(_message(), ["127.0.0.1"], port=live, timeout=1.0)
    assert response is not None
    assert response.rcode() == dns.rcode.NOERROR


@pytest.mark.parametrize("limits", [Limits(queries=1)], ids=["cap"])
def test_no_raw_question_is_sent_past_the_cap_or_the_budget(limits: Limits) -> None:
    with serve({}, records("10 mx.pec.aruba.it.")) as (server, port):
        with budget(None, limits) as tally:
            tally.charge()
            assert ask_raw(_message(), ["127.0.0.1"], port=port, timeout=1.0) is None
            assert asyncio.run(aask_raw(_message(), ["127.0.0.1"], port=port, timeout=1.0)) is None
        with budget(1e-9):
            assert ask_raw(_message(), ["127.0.0.1"], port=port, timeout=1.0) is None
    assert server.asked == []


def test_an_async_raw_question_goes_on_past_a_silent_server() -> None:
    with serve({}, silence) as (_, dead), serve({}, records("10 mx.pec.aruba.it.")) as (_, live):
        assert asyncio.run(aask_raw(_message(), ["127.0.0.1"], port=dead, timeout=0.2)) is None
        response = asyncio.run(aask_raw(_message(), ["127.0.0.1"], port=live, timeout=1.0))
    assert response is not None


def test_dnspython_backends_send_the_walk_to_the_resolvers_and_probes_to_their_server() -> None:
    with serve({}, records("10 mx.pec.aruba.it.")) as (server, port):
        stub = DnsResolver(["127.0.0.1"], port=port, timeout=1.0)
        assert stub.ask_raw(Question("pec.example.it.", "MX", "example.it.")) is not None
        twin = AsyncDnsResolver(["127.0.0.1"], port=port, timeout=1.0)
        assert asyncio.run(twin.ask_raw(Probe("pec.example.it.", "MX", "127.0.0.1"))) is not None
    assert len(server.asked) == 2


def test_an_unconfigured_stub_sends_no_walk_question(tmp_path: object) -> None:
    empty = f"{tmp_path}/resolv.conf"
    with open(empty, "w") as file:  # noqa: PTH123 -- a plain file for the stub to read
        file.write("# nothing\n")
    stub = DnsResolver(resolv_conf=empty)
    assert stub.unconfigured
    assert stub.ask_raw(Question(".", "DNSKEY", ".")) is None


def test_the_recursive_stub_sends_no_edns() -> None:
    # dnspython's stub resolver asks without EDNS by default, so it never needs the fallback.
    assert DnsResolver(["127.0.0.1"])._resolver.edns == -1


def test_the_iterative_walk_sends_raw_questions_to_the_closest_cut_or_a_probes_server() -> None:
    with serve({}, records("10 mx.pec.aruba.it.")) as (server, port):
        walker = IterativeResolver(["127.0.0.1"], port=port, timeout=1.0)
        assert walker.ask_raw(Question("example.it.", "MX", ".")) is not None
        assert walker.ask_raw(Probe("pec.example.it.", "MX", "127.0.0.1")) is not None
    assert len(server.asked) == 2
