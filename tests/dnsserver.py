"""A small scripted DNS server on loopback, for testing resolvers over real UDP/TCP.

Each question is answered by a behaviour looked up by (name, type): records,
an rcode, a CNAME chain, or silence. It serves UDP and TCP on 127.0.0.1 from
a background thread and stops when the context manager exits.
"""

from __future__ import annotations

import contextlib
import socketserver
import struct
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

if TYPE_CHECKING:
    import socket

Behaviour = Callable[[dns.message.Message], dns.message.Message | None]


def records(*texts: str, ttl: int = 300, authoritative: bool = True) -> Behaviour:
    """Answer with records of the asked type, given as rdata text."""

    def reply(query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        question = query.question[0]
        response.answer.append(
            dns.rrset.from_text_list(question.name, ttl, "IN", question.rdtype, list(texts))
        )
        if authoritative:
            response.flags |= dns.flags.AA
        return response

    return reply


def cname(target: str, *texts: str) -> Behaviour:
    """Answer with a CNAME to ``target`` and, if given, the target's records."""

    def reply(query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        question = query.question[0]
        response.answer.append(dns.rrset.from_text(question.name, 300, "IN", "CNAME", target))
        if texts:
            response.answer.append(
                dns.rrset.from_text_list(target, 300, "IN", question.rdtype, list(texts))
            )
        return response

    return reply


def rcode(code: dns.rcode.Rcode) -> Behaviour:
    """Answer with an empty response carrying ``code``."""

    def reply(query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.set_rcode(code)
        return response

    return reply


def silence(query: dns.message.Message) -> None:
    """Never answer."""
    return


class ScriptedServer:
    """Serves scripted answers on 127.0.0.1 (UDP and TCP, same port)."""

    def __init__(self, script: dict[tuple[str, str], Behaviour], default: Behaviour) -> None:
        self.script = {
            (name.lower().rstrip(".") + ".", rdtype): b for (name, rdtype), b in script.items()
        }
        self.default = default
        self.asked: list[tuple[str, str]] = []

    def respond(self, wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        question = query.question[0]
        key = (str(question.name).lower(), dns.rdatatype.to_text(question.rdtype))
        self.asked.append(key)
        response = self.script.get(key, self.default)(query)
        return None if response is None else response.to_wire()


@contextlib.contextmanager
def serve(
    script: dict[tuple[str, str], Behaviour], default: Behaviour | None = None
) -> Iterator[tuple[ScriptedServer, int]]:
    """Run a scripted server (unscripted questions get NXDOMAIN); yield it and its port."""
    server = ScriptedServer(script, default or rcode(dns.rcode.NXDOMAIN))

    class Udp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            reply = server.respond(data)
            if reply is not None:
                sock.sendto(reply, self.client_address)

    class Tcp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            conn: socket.socket = self.request
            header = conn.recv(2)
            if len(header) < 2:
                return
            (length,) = struct.unpack("!H", header)
            reply = server.respond(conn.recv(length))
            if reply is not None:
                conn.sendall(struct.pack("!H", len(reply)) + reply)

    udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), Udp)
    port = udp.server_address[1]
    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), Tcp)
    threads = [
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}) for s in (udp, tcp)
    ]
    for thread in threads:
        thread.daemon = True
        thread.start()
    try:
        yield server, port
    finally:
        for s in (udp, tcp):
            s.shutdown()
            s.server_close()
        for thread in threads:
            thread.join()
