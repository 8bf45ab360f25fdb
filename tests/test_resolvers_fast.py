"""FastResolver: DnsResolver's answers, with every protection against hostile servers."""

from __future__ import annotations

import asyncio
import pickle
import socket
import threading
import time
import weakref
from typing import TYPE_CHECKING

import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rrset
import pytest

from dnsserver import (
    STRAYS,
    Behaviour,
    Reply,
    Stray,
    cname,
    dname,
    late,
    rcode,
    records,
    referral,
    serve,
    silence,
    stray,
    truncated,
)
from helpers import COMPILED, INTERPRETED_ONLY
from pecdns._budget import budget
from pecdns._dnssec import Question
from pecdns._edns import Probe
from pecdns._limits import UNCONFIGURED, Limits
from pecdns.resolvers import AsyncResolver, DnsResolver, Outcome, Query
from pecdns.resolvers._fast import FastResolver, _template
from pecdns.resolvers._lean import build
from pecdns.resolvers._wire import aask_raw

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


def test_each_try_waits_its_timeout_whatever_was_sent_before_it() -> None:
    # One timer serves every try's wait: questions sent later expire later, answered
    # ones leave nothing behind, and each silent try is asked again after its own timeout.
    resolver = FastResolver([], timeout=0.2, lifetime=0.5, per_server=64)
    silent = [Query(f"n{i}.example.it", "A", server="127.0.0.1") for i in range(20)]
    answered = [Query("pec.example.it", "MX", server="127.0.0.1")] * 20
    script = {("pec.example.it", "MX"): records("10 mx.pec.aruba.it.")}
    with serve(script, default=silence) as (server, port):
        resolver.port = port
        started = time.monotonic()
        answers = _ask(resolver, *answered, *silent)
        took = time.monotonic() - started
    outcomes = [a.outcome for a in answers]  # type: ignore[attr-defined]
    assert outcomes == [Outcome.ANSWER] * 20 + [Outcome.TIMEOUT] * 20
    assert 0.45 <= took < 0.9  # the lifetime, not one timeout per question in turn
    tries = [name for name, _ in server.asked if name.startswith("n")]
    assert len(tries) == 60  # each silent question: tries at 0, 0.2 and 0.4 s


def test_a_try_cut_short_by_the_deadline_ends_at_the_deadline() -> None:
    resolver = FastResolver([], timeout=2.0, lifetime=0.3)
    with serve({}, default=silence) as (server, port):
        resolver.port = port
        started = time.monotonic()
        (answer,) = _ask(resolver, Query("pec.example.it", "MX", server="127.0.0.1"))
        took = time.monotonic() - started
    assert answer.outcome is Outcome.TIMEOUT  # type: ignore[attr-defined]
    assert 0.25 <= took < 0.8
    assert len(server.asked) == 1


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


# -- EDNS fallback, the query cap, pickling (issue 11: the fast path keeps issue 10's rules) --


def _old_server(answer: str) -> object:
    """A server that does not know EDNS: FORMERR without OPT to an EDNS query."""

    def reply(query: dns.message.Message, transport: str) -> dns.message.Message:
        response = dns.message.make_response(query)
        if query.edns >= 0:
            response.use_edns(edns=False)
            response.set_rcode(dns.rcode.FORMERR)
            return response
        response.flags |= dns.flags.AA
        question = query.question[0]
        response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "MX", answer))
        return response

    return reply


def test_a_server_refusing_edns_is_asked_again_without_it() -> None:
    script = {("pec.example.it", "MX"): _old_server("10 mx.pec.aruba.it.")}
    with serve(script) as (server, port):  # type: ignore[arg-type]
        (answer,) = _ask(
            FastResolver([], port=port), Query("pec.example.it", "MX", server="127.0.0.1")
        )
    assert answer.records == ("10 mx.pec.aruba.it.",)  # type: ignore[attr-defined]
    assert len(server.asked) == 2
    reason = "FORMERR without an OPT record: the server does not implement EDNS"
    assert getattr(answer, "edns_fallback", reason) == reason  # the field merged with DNSSEC


def test_a_formerr_with_edns_is_not_asked_again() -> None:
    with serve({}, default=rcode(dns.rcode.FORMERR)) as (server, port):
        (answer,) = _ask(
            FastResolver([], port=port), Query("pec.example.it", "MX", server="127.0.0.1")
        )
    assert answer.outcome is Outcome.ERROR  # type: ignore[attr-defined]
    assert len(server.asked) == 1


def test_the_retry_without_edns_is_charged_to_the_check() -> None:
    script = {("pec.example.it", "MX"): _old_server("10 mx.pec.aruba.it.")}
    resolver = FastResolver([], timeout=1.0)

    async def main() -> tuple[object, int]:
        with budget(5.0) as tally, resolver:
            answer = await resolver.resolve(Query("pec.example.it", "MX", server="127.0.0.1"))
            return answer, tally.sent

    with serve(script) as (_, port):  # type: ignore[arg-type]
        resolver.port = port
        _, sent = asyncio.run(main())
    assert sent == 2


def test_nothing_is_sent_past_the_checks_query_cap() -> None:
    resolver = FastResolver([], timeout=1.0)
    queries = [Query(f"n{i}.example.it", "A", server="127.0.0.1") for i in range(5)]

    async def main() -> list[object]:
        with budget(5.0, Limits(queries=3)), resolver:
            return list(await asyncio.gather(*(resolver.resolve(q) for q in queries)))

    with serve({}) as (server, port):
        resolver.port = port
        answers = asyncio.run(main())
    capped = [a for a in answers if "limit of 3 DNS queries" in a.detail]  # type: ignore[attr-defined]
    assert len(capped) == 2
    assert len(server.asked) == 3


def test_an_unconfigured_system_resolver_says_so_as_dns_resolver_does() -> None:
    resolver = FastResolver([])
    resolver.unconfigured = f"{UNCONFIGURED}: no nameserver in /etc/resolv.conf"
    (answer,) = _ask(resolver, Query("example.it", "MX"))
    assert answer.detail.startswith(UNCONFIGURED)  # type: ignore[attr-defined]


def test_a_fast_resolver_pickles_as_its_settings() -> None:
    resolver = FastResolver(["192.0.2.1"], port=5300, timeout=0.5, lifetime=1.5, per_second=9)
    copy = pickle.loads(pickle.dumps(resolver))  # noqa: S301 -- our own bytes
    assert repr(copy) == repr(resolver)
    assert (copy.per_server, copy.per_second, copy.sockets) == (8, 9, 4)


@pytest.mark.skipif(COMPILED, reason=INTERPRETED_ONLY)
def test_tries_sent_again_when_the_timer_fires_leave_one_timer_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pecdns.resolvers._fast import _Ask  # noqa: PLC0415 -- the timer's own bookkeeping

    loop = asyncio.new_event_loop()
    try:
        resolver = FastResolver(["192.0.2.53"], timeout=1.0, lifetime=60.0)
        resolver.bind(loop)
        armed: list[float] = []
        monkeypatch.setattr(loop, "call_at", lambda when, *_: armed.append(when))
        now = time.monotonic()
        asks = [
            _Ask(
                Query(f"n{i}.example.it", "A"),
                print,
                now + 60,
                ("192.0.2.53",),
                recursion=True,
                tally=None,
            )
            for i in range(2)
        ]
        for ask in asks:
            ask.token = 1
            resolver._expiries.append((now - 1, ask, 1))
        resolver._wheel = object()  # type: ignore[assignment]
        # Each expired try is sent again: its new wait joins the queue while the timer runs.
        monkeypatch.setattr(resolver, "_expired", lambda ask, _: resolver._wait(ask, now))
        resolver._tick()
        assert len(armed) == 1  # one timer, for the oldest new wait (before: one more per tick)
        assert armed[0] == now + 1.0
    finally:
        loop.close()


# -- raw questions (the DNSSEC walk's, the EDNS probes') on the long-lived sockets ----------

DS_RECORD = "12345 13 2 " + "ab" * 32
DS_SCRIPT = {("signed.it", "DS"): records(DS_RECORD)}
DS_QUESTION = Question("signed.it.", "DS", "it.")


def _kept(behaviour: Behaviour, seen: list[dns.message.Message]) -> Behaviour:
    """``behaviour``, keeping each query as it came."""

    def reply(query: dns.message.Message, transport: str) -> Reply:
        seen.append(query)
        return behaviour(query, transport)

    return reply


def _raw(
    resolver: FastResolver, question: Question | Probe, **caps: int
) -> tuple[dns.message.Message | None, int]:
    async def main() -> tuple[dns.message.Message | None, int]:
        with budget(5.0, Limits(**caps)) as tally, resolver:
            response = await resolver.ask_raw(question)
            return response, tally.sent

    return asyncio.run(main())


def test_a_raw_question_gets_the_response_aask_raw_gets() -> None:
    seen: list[dns.message.Message] = []
    with serve({("signed.it", "DS"): _kept(records(DS_RECORD), seen)}) as (_, port):
        response, _ = _raw(FastResolver(["127.0.0.1"], port=port, timeout=1.0), DS_QUESTION)
        reference = asyncio.run(
            aask_raw(DS_QUESTION.message(), ["127.0.0.1"], port=port, timeout=1.0)
        )
    assert isinstance(response, dns.message.Message)
    assert reference is not None
    assert (response.flags, response.answer, response.authority) == (
        reference.flags,
        reference.answer,
        reference.authority,
    )
    ours, theirs = seen  # the walk's query, as Question.message() makes it: RD, CD and DO
    assert ours.to_wire()[2:] == theirs.to_wire()[2:]


@pytest.mark.parametrize("kind", STRAYS)
def test_a_raw_question_ignores_strays_and_takes_the_genuine_response(kind: str) -> None:
    script = {("signed.it", "DS"): stray(kind, records(DS_RECORD), lead=0.05)}
    resolver = FastResolver(["127.0.0.1"], timeout=1.0)
    with serve(script) as (_, port):
        resolver.port = port
        response, _ = _raw(resolver, DS_QUESTION)
    assert isinstance(response, dns.message.Message)
    assert [r.to_text() for r in response.answer] == [
        "signed.it. 300 IN DS 12345 13 2 " + "ab" * 32
    ]
    assert resolver.strays == 1


def test_a_raw_response_with_another_opcode_is_not_taken() -> None:
    def notify(query: dns.message.Message, transport: str) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.set_opcode(dns.opcode.NOTIFY)
        return response

    resolver = FastResolver(["127.0.0.1"], timeout=0.3)
    with serve({("signed.it", "DS"): notify}) as (_, port):
        resolver.port = port
        response, _ = _raw(resolver, DS_QUESTION)
    assert response is None
    assert resolver.strays == 1


def test_a_truncated_raw_response_is_asked_again_over_tcp_and_charged() -> None:
    script = {("signed.it", "DS"): truncated(records(DS_RECORD))}
    with serve(script) as (server, port):
        response, sent = _raw(FastResolver(["127.0.0.1"], port=port, timeout=1.0), DS_QUESTION)
    assert isinstance(response, dns.message.Message)
    assert len(response.answer) == 1
    assert sent == 2
    assert len(server.asked) == 2


def test_a_raw_question_sends_nothing_past_the_checks_query_cap() -> None:
    script = {("signed.it", "DS"): truncated(records(DS_RECORD))}
    with serve(script) as (server, port):
        response, sent = _raw(
            FastResolver(["127.0.0.1"], port=port, timeout=1.0), DS_QUESTION, queries=1
        )
    assert (response, sent, len(server.asked)) == (None, 1, 1)  # the TCP retry was not sent


def test_a_silent_resolver_is_followed_by_the_next_one() -> None:
    # Nothing listens on 127.0.0.2 at the scripted server's port: that try times out.
    resolver = FastResolver(["127.0.0.2", "127.0.0.1"], timeout=0.3)
    with serve(DS_SCRIPT) as (server, port):
        resolver.port = port
        started = time.monotonic()
        response, sent = _raw(resolver, DS_QUESTION)
    assert isinstance(response, dns.message.Message)
    assert sent == 2
    assert 0.3 <= time.monotonic() - started < 1.0
    assert len(server.asked) == 1


def test_a_raw_question_no_server_answers_is_none_after_one_try_each() -> None:
    with serve({}, default=silence) as (server, port):
        resolver = FastResolver(["127.0.0.1", "127.0.0.1"], port=port, timeout=0.2)
        started = time.monotonic()
        response, sent = _raw(resolver, DS_QUESTION)
    assert (response, sent, len(server.asked)) == (None, 2, 2)
    assert time.monotonic() - started < 1.0


def test_a_raw_question_ends_at_the_checks_deadline() -> None:
    resolver = FastResolver(["127.0.0.1"], timeout=5.0)

    async def main() -> dns.message.Message | None:
        with budget(0.3), resolver:
            return await resolver.ask_raw(DS_QUESTION)

    with serve({}, default=silence) as (_, port):
        resolver.port = port
        started = time.monotonic()
        response = asyncio.run(main())
    assert response is None
    assert time.monotonic() - started < 1.0


def test_a_probe_is_asked_of_its_server_without_edns_or_recursion() -> None:
    seen: list[dns.message.Message] = []
    script = {("pec.example.it", "MX"): _kept(records("10 mx.pec.aruba.it."), seen)}
    with serve(script) as (_, port):
        probe = Probe("pec.example.it.", "MX", "127.0.0.1")
        response, _ = _raw(FastResolver([], port=port, timeout=1.0), probe)
    assert isinstance(response, dns.message.Message)
    assert len(response.answer) == 1
    assert (seen[0].edns, seen[0].flags & dns.flags.RD) == (-1, 0)


def test_an_unconfigured_resolver_answers_no_raw_question() -> None:
    resolver = FastResolver([])
    resolver.unconfigured = f"{UNCONFIGURED}: no nameserver in /etc/resolv.conf"
    assert _raw(resolver, DS_QUESTION) == (None, 0)


def test_an_unusual_raw_question_is_made_by_dnspython() -> None:
    question = Question("Signed.IT.", "DS", "it.")  # upper case: left to dnspython to write
    seen: list[dns.message.Message] = []
    with serve({("signed.it", "DS"): _kept(records(DS_RECORD), seen)}) as (_, port):
        response, _ = _raw(FastResolver(["127.0.0.1"], port=port, timeout=1.0), question)
    assert isinstance(response, dns.message.Message)
    assert seen[0].question[0].name.to_text() == "Signed.IT."


def test_a_raw_response_dnspython_cannot_read_is_ignored_for_the_genuine_one() -> None:
    def broken_first(query: dns.message.Message, transport: str) -> Reply:
        genuine = records(DS_RECORD)(query, transport)
        assert isinstance(genuine, dns.message.Message)
        cut = genuine.to_wire()[:-5]  # right ID and question, its record cut short
        return Stray([(cut, "server")], genuine, 0.05)

    resolver = FastResolver(["127.0.0.1"], timeout=1.0)
    with serve({("signed.it", "DS"): broken_first}) as (_, port):
        resolver.port = port
        response, _ = _raw(resolver, DS_QUESTION)
    assert isinstance(response, dns.message.Message)
    assert len(response.answer) == 1
    assert resolver.strays == 1


def test_a_truncated_raw_response_without_tcp_is_none() -> None:
    script = {("signed.it", "DS"): truncated(records(DS_RECORD), tcp=False)}
    with serve(script) as (_, port):
        response, sent = _raw(FastResolver(["127.0.0.1"], port=port, timeout=0.5), DS_QUESTION)
    assert (response, sent) == (None, 2)


def test_a_resolver_that_cannot_be_sent_to_is_passed_over_for_the_next() -> None:
    # Sending to the broadcast address without SO_BROADCAST fails at once (EACCES).
    resolver = FastResolver(["255.255.255.255", "127.0.0.1"], timeout=1.0)
    with serve(DS_SCRIPT) as (_, port):
        resolver.port = port
        response, _ = _raw(resolver, DS_QUESTION)
    assert isinstance(response, dns.message.Message)


def test_raw_questions_past_max_in_flight_wait_their_turn() -> None:
    resolver = FastResolver(["127.0.0.1"], timeout=1.0, max_in_flight=1)

    async def main() -> list[dns.message.Message | None]:
        with resolver:
            asked = (resolver.ask_raw(DS_QUESTION) for _ in range(3))
            return list(await asyncio.gather(*asked))

    with serve(DS_SCRIPT) as (server, port):
        resolver.port = port
        responses = asyncio.run(main())
    assert all(isinstance(r, dns.message.Message) for r in responses)
    assert len(server.asked) == 3


def test_a_raw_question_past_its_deadline_is_not_sent() -> None:
    resolver = FastResolver(["127.0.0.1"], timeout=1.0)
    got: list[dns.message.Message | None] = []

    async def main() -> None:
        with resolver:
            resolver.submit_raw(DS_QUESTION, time.monotonic() - 1.0, got.append)
            await asyncio.sleep(0.05)

    with serve(DS_SCRIPT) as (server, port):
        resolver.port = port
        asyncio.run(main())
    assert (got, server.asked, resolver.sent) == ([None], [], 0)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (Query("pec.old.it", "MX"), dns.rcode.NOERROR),
        (Query("pec.old.it", "A"), dns.rcode.NXDOMAIN),
    ],
    ids=["answer", "nxdomain"],
)
def test_answers_below_a_dname_name_it_as_dns_resolvers_do(
    query: Query, code: dns.rcode.Rcode
) -> None:
    behaviour = dname(
        "old.it.", "new.it.", *(["10 mx.pec.aruba.it."] if code == 0 else []), code=code
    )
    with serve({(query.name[:-1], query.rdtype.value): behaviour}) as (_, port):
        reference = DnsResolver(["127.0.0.1"], port=port, timeout=1.0).resolve(query)
        (fast,) = _ask(FastResolver(["127.0.0.1"], port=port, timeout=1.0), query)
    assert fast == reference
    assert reference.dnames == (("old.it.", "new.it."),)


def test_a_question_asked_of_each_server_is_built_once() -> None:
    name = "pec.built-once.example.it"
    first = _template(Query(name, "MX", server="192.0.2.1"), recursion=False)
    second = _template(Query(name, "MX", server="192.0.2.2"), recursion=False)
    # One template for every server asked: the same octets (a compiled build makes a new
    # tuple around them when it returns the cached pair).
    assert second[0] is first[0]
    assert second[1] is first[1]
    assert first[1] == build(Query(name, "MX"), recursion=False, qid=0)[1]
    assert _template(Query(name, "MX"), recursion=True)[1][2:4] == b"\x01\x00"  # RD set


class _Listener:
    def __init__(self, heard: asyncio.Future[object]) -> None:
        self.heard = heard

    def answered(self, answer: object) -> None:
        self.heard.set_result(answer)


def test_an_answered_question_lets_go_of_its_callback_before_its_timeout() -> None:
    # The timeout entry stays queued for 30 s; the check the callback holds must not.
    resolver = FastResolver([], timeout=30.0, lifetime=60.0)

    async def main() -> tuple[object, bool]:
        with resolver:
            heard: asyncio.Future[object] = asyncio.get_running_loop().create_future()
            listener = _Listener(heard)
            gone = weakref.ref(listener)
            query = Query("pec.example.it", "MX", server="127.0.0.1")
            resolver.submit(query, time.monotonic() + 60.0, listener.answered)
            answer = await heard
            del listener
            return answer, gone() is None

    with serve(SCRIPT) as (_, port):
        resolver.port = port
        answer, freed = asyncio.run(main())
    assert answer.outcome is Outcome.ANSWER  # type: ignore[attr-defined]
    assert freed


def test_answers_of_one_server_share_its_label() -> None:
    resolver = FastResolver([], timeout=2.0)
    with serve(SCRIPT) as (_, port):
        resolver.port = port
        first, second = _ask(
            resolver,
            Query("pec.example.it", "MX", server="127.0.0.1"),
            Query("mx.pec.aruba.it", "A", server="127.0.0.1"),
        )
    assert first.server == f"127.0.0.1#{port}"  # type: ignore[attr-defined]
    assert first.server is second.server  # type: ignore[attr-defined]


def test_the_labels_a_resolver_keeps_are_bounded() -> None:
    resolver = FastResolver([])
    labels = [resolver._labelled(f"192.0.2.{k % 256}", 53 + k // 256) for k in range(5000)]
    assert labels[-1] == "192.0.2.135#72"
    assert 0 < len(resolver._labels) <= 4096
