"""Faults real servers won't produce, served over real UDP/TCP: each is named, none escapes.

A scripted server on 127.0.0.1 is the only server of example.it: the walk
starts there and every server probe lands there too. For each fault the check
must give the right verdict, name the fault in a finding, raise nothing, and
end within its time budget.
"""

from __future__ import annotations

import asyncio
import socket
import socketserver
import time
from typing import TYPE_CHECKING, Any

import dns.message
import dns.query
import dns.rcode
import dns.update
import pytest
from attrs import frozen

from dnsserver import (
    Behaviour,
    cname,
    cname_loop,
    drops_edns,
    garbage,
    late,
    rcode,
    records,
    serve,
    silence,
    truncated,
    without_edns,
    wrong_id,
)
from pecdns import acheck, check, check_many
from pecdns.resolvers import IterativeResolver, Query
from pecdns.resolvers._wire import classify

if TYPE_CHECKING:
    from collections.abc import Callable

BUDGET = 4.0
OK = records("10 mx.pec.aruba.it.")
BIG = records("10 mx.pec.aruba.it.", *(f"20 mx{i:03d}.mail.example.net." for i in range(150)))


@frozen
class Fault:
    name: str
    pec_mx: Behaviour
    verdict: str
    codes: tuple[str, ...]
    names: str  # what a finding's message must say about it


FAULTS = (
    Fault(
        "SERVFAIL",
        rcode(dns.rcode.SERVFAIL),
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE", "LAME_DELEGATION"),
        "SERVFAIL",
    ),
    Fault(
        "REFUSED",
        rcode(dns.rcode.REFUSED),
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE", "LAME_DELEGATION"),
        "REFUSED",
    ),
    Fault(
        "dropped packets",
        silence,
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE", "SERVER_NO_RESPONSE"),
        "no answer in time",
    ),
    Fault(
        "late answer",
        late(1.0, OK),
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE", "SERVER_NO_RESPONSE"),
        "no answer in time",
    ),
    Fault("truncated, then TCP", truncated(OK), "COMPLIANT", ("MX_OK",), "exactly the required MX"),
    Fault(
        "truncated, no TCP",
        truncated(OK, tcp=False),
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE", "SERVER_NO_RESPONSE"),
        "malformed response",
    ),
    # Garbage and a wrong message ID are what an off-path sender can forge: they are
    # skipped, and a server that sends nothing else is seen timing out (issue 10 item 1).
    Fault(
        "garbage bytes",
        garbage,
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE", "SERVER_NO_RESPONSE"),
        "no answer in time",
    ),
    Fault(
        "wrong message ID",
        wrong_id(OK),
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE", "SERVER_NO_RESPONSE"),
        "no answer in time",
    ),
    Fault(
        "CNAME loop across answers",
        cname("loop.example.it."),
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE", "PEC_NAME_ALIAS"),
        "looping",
    ),
    Fault(
        "CNAME loop in one answer",
        cname_loop("loop.example.it."),
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE", "SERVER_NO_RESPONSE"),
        "looping",
    ),
    Fault(
        "oversized MX set",
        BIG,
        "NON_COMPLIANT",
        ("MX_EXTRA_HOST", "MX_HYBRID"),
        "mx149.mail.example.net",
    ),
)


def _script(fault: Fault) -> dict[tuple[str, str], Behaviour]:
    nodata = rcode(dns.rcode.NOERROR)
    return {
        ("pec.example.it", "MX"): fault.pec_mx,
        ("loop.example.it", "MX"): cname("pec.example.it."),
        ("example.it", "NS"): records("ns1.example.it."),
        ("ns1.example.it", "A"): records("127.0.0.1"),
        ("mx.pec.aruba.it", "A"): records("192.0.2.25"),
        ("example.it", "MX"): nodata,
        ("pec.example.it", "NS"): nodata,
        **{
            (f"mx{i:03d}.mail.example.net", "A"): records(f"198.51.100.{i % 250 + 1}")
            for i in range(150)
        },
    }


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_is_named_and_survived_within_the_budget(fault: Fault) -> None:
    with serve(_script(fault)) as (_, port):
        # The per-query wait covers UDP and the TCP retry of a truncated answer together.
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=0.6, lifetime=1.5)
        started = time.monotonic()
        report = check("example.it", resolver=resolver, timeout=BUDGET)
        elapsed = time.monotonic() - started
    assert str(report.verdict) == fault.verdict, str(report)
    assert set(fault.codes) <= set(report.codes()), str(report)
    assert any(fault.names in f.message for f in report.findings), str(report)
    assert elapsed < BUDGET + 0.5


def test_a_server_slower_than_the_whole_budget_cannot_hold_the_check() -> None:
    script = {("pec.example.it", "MX"): late(3.0, OK)}
    with serve(script, default=late(3.0, OK)) as (_, port):
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=5.0, lifetime=30.0)
        started = time.monotonic()
        report = check("example.it", resolver=resolver, timeout=1.0)
        elapsed = time.monotonic() - started
    assert str(report.verdict) == "UNDETERMINED"
    assert elapsed < 1.5


def test_a_response_with_another_opcode_is_named_unusable() -> None:
    wire = dns.message.from_wire(dns.update.UpdateMessage("example.it").to_wire())
    answer = classify(Query("pec.example.it", "MX"), wire, "192.0.2.53#53")
    assert answer.outcome.value == "ERROR"
    assert "opcode UPDATE" in answer.detail


# -- EDNS (issue 13): the same server, as a recursive resolver would reach it ------------------


def _every(
    wrap: Callable[[Behaviour], Behaviour],
) -> tuple[dict[tuple[str, str], Behaviour], Behaviour]:
    """The script of a compliant example.it, every answer (and the default) through ``wrap``."""
    script = {key: wrap(b) for key, b in _script(Fault("", OK, "", (), "")).items()}
    return script, wrap(rcode(dns.rcode.NXDOMAIN))


REFUSING = [dns.rcode.FORMERR, dns.rcode.NOTIMP, dns.rcode.BADVERS]


@pytest.mark.parametrize("code", REFUSING, ids=[dns.rcode.to_text(c) for c in REFUSING])
def test_a_server_refusing_edns_is_reached_without_it_and_warned_about(
    code: dns.rcode.Rcode,
) -> None:
    script, default = _every(lambda b: without_edns(code, b))
    with serve(script, default) as (_, port):
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=0.6, lifetime=1.5)
        report = check("example.it", resolver=resolver, timeout=BUDGET)
    assert str(report.verdict) == "COMPLIANT", str(report)
    assert {"MX_OK", "EDNS_UNSUPPORTED"} <= set(report.codes()), str(report)
    (warning,) = [f for f in report.findings if f.code == "EDNS_UNSUPPORTED"]
    assert (warning.severity.name, warning.clause) == ("WARNING", "P6.1")
    assert f"127.0.0.1#{port}" in warning.message
    assert dns.rcode.to_text(code) in warning.message


def test_only_the_domains_old_server_is_warned_about_the_provider_answering_edns() -> None:
    # As in the table: before, PEC_NAME_UNREACHABLE (NON_COMPLIANT).
    script, default = _every(lambda b: without_edns(dns.rcode.FORMERR, b))
    script[("mx.pec.aruba.it", "A")] = records("192.0.2.25")
    with serve(script, default) as (_, port):
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=0.6, lifetime=1.5)
        report = check("example.it", resolver=resolver, timeout=BUDGET)
    assert str(report.verdict) == "COMPLIANT", str(report)
    (warning,) = [f for f in report.findings if f.code == "EDNS_UNSUPPORTED"]
    assert all(a.query.name != "mx.pec.aruba.it." for a in warning.evidence)


def test_the_retry_without_edns_is_counted_in_the_checks_queries() -> None:
    plain, _ = _every(lambda b: b)
    old, default = _every(lambda b: without_edns(dns.rcode.FORMERR, b))
    counts = []
    for script, fallback in ((plain, None), (old, default)):
        with serve(script, fallback) as (server, port):
            resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=0.6, lifetime=1.5)
            report = check("example.it", resolver=resolver, timeout=BUDGET)
        assert report.observation.queries == len(server.asked)
        counts.append(len(server.asked))
    assert counts[1] > counts[0]


def _dropping() -> tuple[dict[tuple[str, str], Behaviour], Behaviour]:
    """example.it's server drops EDNS queries; the provider's host still resolves (not blind)."""
    script, default = _every(drops_edns)
    return {**script, ("mx.pec.aruba.it", "A"): records("192.0.2.25")}, default


def _assert_edns_named(report_text: str, verdict: str) -> None:
    assert verdict == "NON_COMPLIANT", report_text
    assert "EDNS is the likely cause" in report_text, report_text


def test_a_server_dropping_edns_is_unreachable_and_edns_named_from_check() -> None:
    script, default = _dropping()
    with serve(script, default) as (_, port):
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=0.6, lifetime=1.5)
        started = time.monotonic()
        report = check("example.it", resolver=resolver, timeout=BUDGET)
        elapsed = time.monotonic() - started
    assert "PEC_NAME_UNREACHABLE" in report.codes(), str(report)
    (unreachable,) = [f for f in report.findings if f.code == "PEC_NAME_UNREACHABLE"]
    _assert_edns_named(unreachable.message, str(report.verdict))
    assert "EDNS_UNSUPPORTED" not in report.codes()  # no resolver retries a silent server
    assert elapsed < BUDGET + 0.5


def test_a_server_dropping_edns_is_graded_alike_by_acheck_and_check_many() -> None:
    script, default = _dropping()
    with serve(script, default) as (_, port):
        resolver = IterativeResolver(["127.0.0.1"], port=port, timeout=0.6, lifetime=1.5)
        one = check("example.it", resolver=resolver, timeout=BUDGET)
        two = asyncio.run(acheck("example.it", resolver=resolver, timeout=BUDGET))
        (many,) = check_many(["example.it"], resolver=resolver, timeout=BUDGET)
    for report in (two, many):
        assert (report.verdict, report.codes()) == (one.verdict, one.codes()), str(report)
        _assert_edns_named(str(report), str(report.verdict))


def test_the_scripted_server_passes_over_a_port_taken_for_tcp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The kernel picks the UDP port; that number may be taken for TCP already (a flaky
    # "Address already in use" in CI): the server then tries another port.
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    busy = int(taken.getsockname()[1])
    picks = iter([busy])
    real = socketserver.ThreadingUDPServer

    class Busy(real):  # type: ignore[valid-type,misc]
        def __init__(self, address: tuple[str, int], handler: Any) -> None:
            super().__init__((address[0], next(picks, 0)), handler)

    monkeypatch.setattr(socketserver, "ThreadingUDPServer", Busy)
    try:
        with serve({("pec.example.it", "MX"): records("10 mx.pec.aruba.it.")}) as (_, port):
            query = dns.message.make_query("pec.example.it", "MX")
            response = dns.query.udp(query, "127.0.0.1", timeout=2, port=port)
    finally:
        taken.close()
    assert port != busy
    assert len(response.answer) == 1
