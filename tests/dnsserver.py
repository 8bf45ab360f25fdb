"""A small scripted DNS server on loopback: real UDP and TCP, with faults on demand.

Each question is answered by a behaviour looked up by (name, type): records,
an rcode, a CNAME, silence, or a fault real servers won't produce (garbage
bytes, a wrong message ID, late answers, truncation with or without TCP). It
serves UDP and TCP on 127.0.0.1 from background threads and stops when the
context manager exits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclasses.dataclass(frozen=True)
class Stray:
    """Over UDP: ``packets`` first, ``lead`` seconds before the genuine ``reply``.

    Each packet is (wire, source): source "server" sends it from the server's
    own socket, "other" from another socket (another port), as an off-path
    sender could.
    """

    packets: Sequence[tuple[bytes, str]]
    reply: dns.message.Message | bytes | None
    lead: float = 0.1


Reply = dns.message.Message | bytes | Stray | None
Behaviour = Callable[[dns.message.Message, str], Reply]
"""Answers a query arriving over a transport ("udp" or "tcp"): a message, raw bytes, or nothing."""


def _response(query: dns.message.Message, *, authoritative: bool = True) -> dns.message.Message:
    response = dns.message.make_response(query)
    if authoritative:
        response.flags |= dns.flags.AA
    return response


def records(*texts: str, ttl: int = 300, authoritative: bool = True) -> Behaviour:
    """Answer with records of the asked type, given as rdata text."""

    def reply(query: dns.message.Message, transport: str) -> Reply:
        response = _response(query, authoritative=authoritative)
        question = query.question[0]
        response.answer.append(
            dns.rrset.from_text_list(question.name, ttl, "IN", question.rdtype, list(texts))
        )
        return response

    return reply


def cname(target: str, *texts: str) -> Behaviour:
    """Answer with a CNAME to ``target`` and, if given, the target's records."""

    def reply(query: dns.message.Message, transport: str) -> Reply:
        response = _response(query)
        question = query.question[0]
        response.answer.append(dns.rrset.from_text(question.name, 300, "IN", "CNAME", target))
        if texts:
            response.answer.append(
                dns.rrset.from_text_list(target, 300, "IN", question.rdtype, list(texts))
            )
        return response

    return reply


def dname(
    owner: str, target: str, *texts: str, code: dns.rcode.Rcode = dns.rcode.NOERROR
) -> Behaviour:
    """Answer as a server below a DNAME does (RFC 6672): the DNAME, the CNAME it synthesises.

    ``texts`` are the records of the rewritten name, if given; ``code`` the response code
    (NXDOMAIN when the rewritten name does not exist).
    """

    def reply(query: dns.message.Message, transport: str) -> Reply:
        response = _response(query)
        response.set_rcode(code)
        question = query.question[0]
        source, destination = dns.name.from_text(owner), dns.name.from_text(target)
        rewritten = question.name.relativize(source).derelativize(destination)
        response.answer.append(dns.rrset.from_text(source, 300, "IN", "DNAME", target))
        response.answer.append(
            dns.rrset.from_text(question.name, 300, "IN", "CNAME", rewritten.to_text())
        )
        if texts:
            response.answer.append(
                dns.rrset.from_text_list(rewritten, 300, "IN", question.rdtype, list(texts))
            )
        return response

    return reply


def cname_loop(other: str) -> Behaviour:
    """Answer with a CNAME to ``other`` and, in the same answer, ``other``'s CNAME back."""

    def reply(query: dns.message.Message, transport: str) -> Reply:
        response = _response(query)
        name = query.question[0].name
        response.answer.append(dns.rrset.from_text(name, 300, "IN", "CNAME", other))
        response.answer.append(dns.rrset.from_text(other, 300, "IN", "CNAME", str(name)))
        return response

    return reply


def rcode(code: dns.rcode.Rcode) -> Behaviour:
    """Answer with an empty response carrying ``code``."""

    def reply(query: dns.message.Message, transport: str) -> Reply:
        response = _response(query, authoritative=code in {dns.rcode.NOERROR, dns.rcode.NXDOMAIN})
        response.set_rcode(code)
        return response

    return reply


def referral(zone: str, *servers: str, glue: str | None = None) -> Behaviour:
    """Refer the question to ``servers`` for ``zone`` (not authoritative), with glue if given."""

    def reply(query: dns.message.Message, transport: str) -> Reply:
        response = dns.message.make_response(query)
        response.authority.append(dns.rrset.from_text_list(zone, 300, "IN", "NS", list(servers)))
        if glue is not None:
            for server in servers:
                response.additional.append(dns.rrset.from_text(server, 300, "IN", "A", glue))
        return response

    return reply


def silence(query: dns.message.Message, transport: str) -> Reply:
    """Never answer (a dropped packet)."""
    return None


def garbage(query: dns.message.Message, transport: str) -> Reply:
    """Answer with bytes that are no DNS message."""
    return b"\x00\x01garbage, not DNS\xff" * 3


def wrong_id(behaviour: Behaviour) -> Behaviour:
    """Answer as ``behaviour`` would, under another message ID."""

    def reply(query: dns.message.Message, transport: str) -> Reply:
        response = behaviour(query, transport)
        if isinstance(response, dns.message.Message):
            response.id = (query.id + 1) % 65536
        return response

    return reply


STRAYS = ("other port", "wrong id", "wrong question", "garbage")
"""The kinds of off-path packet :func:`stray` sends ahead of the genuine answer."""


def stray(kind: str, behaviour: Behaviour, *, lead: float = 0.1) -> Behaviour:
    """Answer as ``behaviour`` would, ``lead`` seconds after one packet of ``kind`` (UDP only).

    The stray packet carries a forged answer (MX ``10 evil.example.``, address
    ``203.0.113.66``): taken for the answer, it would change the check.
    """

    def forged(query: dns.message.Message) -> dns.message.Message:
        response = _response(query)
        question = query.question[0]
        text = "10 evil.example." if question.rdtype == dns.rdatatype.MX else "203.0.113.66"
        if question.rdtype in {dns.rdatatype.MX, dns.rdatatype.A}:
            response.answer.append(
                dns.rrset.from_text(question.name, 300, "IN", question.rdtype, text)
            )
        return response

    def reply(query: dns.message.Message, transport: str) -> Reply:
        genuine = behaviour(query, transport)
        if transport == "tcp" or isinstance(genuine, Stray):
            return genuine
        fake = forged(query)
        if kind == "other port":
            packet = (fake.to_wire(), "other")
        elif kind == "wrong id":
            fake.id = (query.id + 1) % 65536
            packet = (fake.to_wire(), "server")
        elif kind == "wrong question":
            other = dns.message.make_query("evil.example.", query.question[0].rdtype)
            other.id = query.id
            packet = (forged(other).to_wire(), "server")
        else:
            packet = (b"\x00\x01garbage, not DNS\xff" * 3, "server")
        return Stray([packet], genuine, lead)

    return reply


def without_edns(code: dns.rcode.Rcode, behaviour: Behaviour) -> Behaviour:
    """A server that refuses EDNS: ``code`` to a query with EDNS, ``behaviour`` to one without.

    FORMERR and NOTIMP come without an OPT record (the server knows no EDNS);
    BADVERS, an extended RCODE, needs one (the server knows EDNS, not the version).
    """

    def reply(query: dns.message.Message, transport: str) -> Reply:
        if query.edns < 0:
            return behaviour(query, transport)
        response = _response(query)
        response.use_edns(edns=0 if code == dns.rcode.BADVERS else False)
        response.set_rcode(code)
        return response

    return reply


def drops_edns(behaviour: Behaviour) -> Behaviour:
    """A server (or a firewall before it) that drops every query with EDNS."""

    def reply(query: dns.message.Message, transport: str) -> Reply:
        return None if query.edns >= 0 else behaviour(query, transport)

    return reply


def late(seconds: float, behaviour: Behaviour) -> Behaviour:
    """Answer as ``behaviour`` would, after ``seconds``."""

    def reply(query: dns.message.Message, transport: str) -> Reply:
        time.sleep(seconds)
        return behaviour(query, transport)

    return reply


def truncated(behaviour: Behaviour, *, tcp: bool = True) -> Behaviour:
    """Over UDP, an empty answer with the TC flag; over TCP, ``behaviour`` (or nothing)."""

    def reply(query: dns.message.Message, transport: str) -> Reply:
        if transport == "tcp":
            return behaviour(query, transport) if tcp else None
        response = _response(query)
        response.flags |= dns.flags.TC
        return response

    return reply


class ScriptedServer:
    """Serves scripted answers on 127.0.0.1 (UDP and TCP, same port)."""

    def __init__(self, script: dict[tuple[str, str], Behaviour], default: Behaviour) -> None:
        self.script = {
            (name.lower().rstrip(".") + ".", rdtype): b for (name, rdtype), b in script.items()
        }
        self.default = default
        self.asked: list[tuple[str, str]] = []

    def respond(self, wire: bytes, transport: str) -> bytes | Stray | None:
        query = dns.message.from_wire(wire)
        question = query.question[0]
        key = (str(question.name).lower(), dns.rdatatype.to_text(question.rdtype))
        self.asked.append(key)
        response = self.script.get(key, self.default)(query, transport)
        if isinstance(response, Stray):
            return dataclasses.replace(
                response, reply=self.encode(query, response.reply, transport)
            )
        return self.encode(query, response, transport)

    @staticmethod
    def encode(
        query: dns.message.Message, response: dns.message.Message | bytes | None, transport: str
    ) -> bytes | None:
        """The wire form of a reply; too big for UDP, an empty answer with the TC flag."""
        if not isinstance(response, dns.message.Message):
            return response
        try:
            return response.to_wire(max_size=65535 if transport == "tcp" else 1232)
        except dns.exception.TooBig:
            # As a real server does: an empty answer with the TC flag, ask again over TCP.
            truncated = _response(query)
            truncated.flags |= dns.flags.TC
            return truncated.to_wire()


def _answer_udp(reply: bytes | Stray | None, sock: socket.socket, client: tuple[str, int]) -> None:
    wire: object = reply
    if isinstance(reply, Stray):
        for packet, source in reply.packets:
            _send_stray(sock, packet, source, client)
        time.sleep(reply.lead)
        wire = reply.reply
    if isinstance(wire, bytes):
        with contextlib.suppress(OSError):  # a late answer after the server closed
            sock.sendto(wire, client)


def _send_stray(sock: socket.socket, packet: bytes, source: str, client: tuple[str, int]) -> None:
    with contextlib.suppress(OSError):
        if source == "other":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
                other.sendto(packet, client)
        else:
            sock.sendto(packet, client)


def _pair(
    udp_handler: type[socketserver.BaseRequestHandler],
    tcp_handler: type[socketserver.BaseRequestHandler],
    attempts: int = 20,
) -> tuple[socketserver.ThreadingUDPServer, socketserver.ThreadingTCPServer]:
    """A UDP and a TCP server on one free port of 127.0.0.1.

    The UDP port is the kernel's pick; the same number may already be taken
    for TCP (by a connection's own port, say), so another is tried then.
    """
    for _ in range(attempts):
        udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), udp_handler)
        try:
            tcp = socketserver.ThreadingTCPServer(("127.0.0.1", udp.server_address[1]), tcp_handler)
        except OSError as exc:
            udp.server_close()
            if exc.errno != errno.EADDRINUSE:
                raise
            continue
        return udp, tcp
    raise RuntimeError(f"no port of 127.0.0.1 was free for both UDP and TCP in {attempts} tries")


@contextlib.contextmanager
def serve(
    script: dict[tuple[str, str], Behaviour], default: Behaviour | None = None
) -> Iterator[tuple[ScriptedServer, int]]:
    """Run a scripted server (unscripted questions get NXDOMAIN); yield it and its port."""
    server = ScriptedServer(script, default or rcode(dns.rcode.NXDOMAIN))

    class Udp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            _answer_udp(server.respond(data, "udp"), sock, self.client_address)

    class Tcp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            conn: socket.socket = self.request
            header = conn.recv(2)
            if len(header) < 2:
                return
            (length,) = struct.unpack("!H", header)
            reply = server.respond(conn.recv(length), "tcp")
            wire = reply.reply if isinstance(reply, Stray) else reply
            if isinstance(wire, bytes):
                with contextlib.suppress(OSError):
                    conn.sendall(struct.pack("!H", len(wire)) + wire)

    udp, tcp = _pair(Udp, Tcp)
    port = udp.server_address[1]
    for s in (udp, tcp):
        s.daemon_threads = True
    threads = [
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        for s in (udp, tcp)
    ]
    for thread in threads:
        thread.start()
    try:
        yield server, port
    finally:
        for s in (udp, tcp):
            s.shutdown()
            s.server_close()
        for thread in threads:
            thread.join()
