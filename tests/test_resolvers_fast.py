"""FastResolver: DnsResolver's answers, with every protection against hostile servers."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import TYPE_CHECKING

import dns.message
import dns.rcode
import dns.rrset
import pytest

from dnsserver import cname, late, rcode, records, referral, serve, silence, truncated
from pecdns._budget import budget
from pecdns.resolvers import AsyncResolver, DnsResolver, Outcome, Query
from pecdns.resolvers._fast import FastResolver

if TYPE_CHECKING:
    from collections.abc import Iterator

SCRIPT = {
    ("pec.example.it", "MX"): records("10 mx.pec.aruba.it."),
    ("mx.pec.aruba.it", "A"): records("192.0.2.25", "192.0.2.26"),
    ("alias.example.it", "A"): cname("target.example.it.", "192.0.2.9"),
    ("pec.child.it", "MX"): referral("pec.child.it.", "ns.provider.it.", glue="192.0.2.53"),
    ("broken.it", "NS"): rcode(dns.rcode.SERVFAIL),
}
QUESTIONS = [
    Query("pec.example.it", "MX"),
    Query("mx.pec.aruba.it", "A"),
    Query("alias.example.it", "A"),
    Query("nothing.example.it", "MX"),
    Query("broken.it", "NS"),
]


def _ask(resolver: FastResolver, *queries: Query) -> list[object]:
    async def main() -> list[object]:
        with resolver:
            return list(await asyncio.gather(*(resolver.resolve(q) for q in queries)))

    return asyncio.run(main())


def test_fast_resolver_is_an_async_resolver() -> None:
    assert isinstance(FastResolver(["127.0.0.1"]), AsyncResolver)


@pytest.mark.parametrize("query", QUESTIONS, ids=str)
def test_recursive_answers_equal_dns_resolvers(query: Query) -> None:
    with serve(SCRIPT) as (_, port):
        reference = DnsResolver(["127.0.0.1"], port=port, timeout=1.0).resolve(query)
        (fast,) = _ask(FastResolver(["127.0.0.1"], port=port, timeout=1.0), query)
    assert fast == reference


@pytest.mark.parametrize("name", ["pec.example.it", "pec.child.it", "nothing.example.it"])
def test_direct_probes_equal_dns_resolvers(name: str) -> None:
    query = Query(name, "MX", server="127.0.0.1")
    with serve(SCRIPT) as (_, port):
        reference = DnsResolver(["127.0.0.1"], port=port, timeout=1.0).resolve(query)
        (fast,) = _ask(FastResolver([], port=port, timeout=1.0), query)
    assert fast == reference


def test_a_truncated_answer_is_asked_again_over_tcp() -> None:
    script = {("pec.example.it", "MX"): truncated(records("10 mx.pec.aruba.it."))}
    with serve(script) as (_, port):
        (answer,) = _ask(
            FastResolver([], port=port), Query("pec.example.it", "MX", server="127.0.0.1")
        )
    assert answer.records == ("10 mx.pec.aruba.it.",)  # type: ignore[attr-defined]


def test_a_silent_server_times_out_within_the_budget() -> None:
    resolver = FastResolver([], timeout=2.0, lifetime=5.0)

    async def main() -> object:
        with budget(0.4), resolver:
            return await resolver.resolve(Query("pec.example.it", "MX", server="127.0.0.1"))

    with serve({}, default=silence) as (_, port):
        resolver.port = port
        started = time.monotonic()
        answer = asyncio.run(main())
    assert answer.outcome is Outcome.TIMEOUT  # type: ignore[attr-defined]
    assert time.monotonic() - started < 0.9


def test_a_lost_answer_is_asked_again_within_the_lifetime() -> None:
    resolver = FastResolver([], timeout=0.2, lifetime=2.0)
    with serve({("pec.example.it", "MX"): late(0.3, records("10 mx.pec.aruba.it."))}) as (s, port):
        resolver.port = port
        (answer,) = _ask(resolver, Query("pec.example.it", "MX", server="127.0.0.1"))
    assert answer.outcome is Outcome.ANSWER  # type: ignore[attr-defined]
    assert len(s.asked) >= 2


def test_questions_to_one_server_are_bounded_in_flight() -> None:
    resolver = FastResolver([], per_server=2, timeout=2.0)
    queries = [Query(f"n{i}.example.it", "A", server="127.0.0.1") for i in range(6)]
    with serve({}, default=late(0.15, rcode(dns.rcode.NXDOMAIN))) as (_, port):
        resolver.port = port
        started = time.monotonic()
        answers = _ask(resolver, *queries)
    assert {a.outcome for a in answers} == {Outcome.NXDOMAIN}  # type: ignore[attr-defined]
    assert time.monotonic() - started >= 0.45  # three rounds of two


def test_no_configured_resolver_is_an_error_answer() -> None:
    (answer,) = _ask(FastResolver([]), Query("example.it", "MX"))
    assert answer.outcome is Outcome.ERROR  # type: ignore[attr-defined]


# -- hostile datagrams: a scripted server that sends strays before the genuine answer --


@pytest.fixture
def hostile() -> Iterator[int]:
    """A server answering each query with garbage, a wrong ID, a wrong question, a reply
    from another port, and only then the genuine answer."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                wire, client = sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            genuine = dns.message.make_response(query)
            genuine.answer.append(
                dns.rrset.from_text(query.question[0].name, 60, "IN", "MX", "10 mx.pec.aruba.it.")
            )
            wrong_id = dns.message.make_response(query)
            wrong_id.id = (query.id + 1) % 65536
            other_question = dns.message.make_response(
                dns.message.make_query("other.example.it", "MX", id=query.id)
            )
            sock.sendto(b"garbage" * 3, client)
            sock.sendto(wire[:2] + b"\x81\x80" + b"\xff" * 20, client)  # right ID, garbage
            sock.sendto(wrong_id.to_wire(), client)
            sock.sendto(other_question.to_wire(), client)
            other.sendto(genuine.to_wire(), client)
            time.sleep(0.05)
            sock.sendto(genuine.to_wire(), client)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield int(sock.getsockname()[1])
    stop.set()
    thread.join()
    sock.close()
    other.close()


def test_strays_are_ignored_and_the_genuine_answer_is_taken(hostile: int) -> None:
    resolver = FastResolver([], port=hostile, timeout=1.0)
    (answer,) = _ask(resolver, Query("pec.example.it", "MX", server="127.0.0.1"))
    assert answer.records == ("10 mx.pec.aruba.it.",)  # type: ignore[attr-defined]
    assert resolver.strays >= 4


@pytest.mark.parametrize("code", [dns.rcode.REFUSED, dns.rcode.SERVFAIL])
def test_every_recursive_resolver_failing_is_summed_up_as_dns_resolver_does(
    code: dns.rcode.Rcode,
) -> None:
    query = Query("example.it", "MX")
    with serve({}, default=rcode(code)) as (_, port):
        both = ["127.0.0.1", "127.0.0.1"]
        reference = DnsResolver(both, port=port, timeout=1.0).resolve(query)
        (fast,) = _ask(FastResolver(both, port=port, timeout=1.0), query)
    assert fast == reference


def test_questions_to_one_server_are_paced() -> None:
    resolver = FastResolver([], per_second=10.0)
    queries = [Query(f"n{i}.example.it", "A", server="127.0.0.1") for i in range(3)]
    with serve({}) as (_, port):
        resolver.port = port
        started = time.monotonic()
        _ask(resolver, *queries)
    assert time.monotonic() - started >= 0.2  # three questions, 0.1 s apart
