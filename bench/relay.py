"""A delaying DNS relay on epoll: every answer reaches the client ``delay`` seconds late.

``python bench/relay.py [--loss=P] PORT UPSTREAM_PORT DELAY ADDRESS...`` listens
on ``ADDRESS#PORT`` (UDP and TCP) for each address and relays to the server
on ``ADDRESS#UPSTREAM_PORT``; questions go through at once, answers are held
``DELAY`` seconds (and, with ``--loss``, a share ``P`` of them is dropped on
purpose, reproducibly). It prints ``ready`` once listening and, when
terminated, one line ``stats {...}`` (JSON): questions and answers relayed,
answers dropped on purpose, answers that matched no question, and the
datagrams the kernel dropped on the relay's sockets (``SO_RXQ_OVFL``), so a
run can tell lost packets from slow ones. It stands in for ``tc netem``
where the kernel has no netem, in a process of its own.

The asyncio relay it replaces read one datagram per callback into default
socket buffers and lost 7-10% of datagrams under bursts. This one drains
each ready socket, asks for large buffers, and counts every drop.

Over UDP each address has one upstream socket, and the relay gives each
question a message ID of its own (the client's is put back in the answer), so
the answer finds its way back to the client's address and port.
"""

from __future__ import annotations

import collections
import contextlib
import json
import random
import select
import signal
import socket
import struct
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType

_HEADER = 12  # a DNS message header; anything shorter is dropped
_BUFFER = 1 << 23
SO_RXQ_OVFL = getattr(socket, "SO_RXQ_OVFL", 40)


def _socket(kind: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, kind)
    for option, force in ((socket.SO_RCVBUF, 33), (socket.SO_SNDBUF, 32)):  # *BUFFORCE as root
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, option, _BUFFER)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, force, _BUFFER)
    return sock


class Relay:
    """Every address's front and upstream sockets, one epoll, one FIFO of delayed answers."""

    def __init__(self, port: int, upstream_port: int, delay: float, loss: float) -> None:
        """Relay ``port`` to ``upstream_port``, answers ``delay`` late, ``loss`` of them lost."""
        self.port, self.upstream_port, self.delay, self.loss = port, upstream_port, delay, loss
        self.random = random.Random(11)  # noqa: S311 -- reproducible loss, not security
        self.epoll = select.epoll()
        self.fronts: dict[int, socket.socket] = {}
        self.upstreams: dict[int, tuple[socket.socket, socket.socket]] = {}  # fd: (up, front)
        self.pending: dict[tuple[int, int], tuple[bytes, tuple[str, int]]] = {}
        self.next_id: dict[int, int] = {}
        self.later: collections.deque[tuple[float, socket.socket, bytes, tuple[str, int]]] = (
            collections.deque()
        )
        self.kernel_drops: dict[int, int] = {}
        self.stats = collections.Counter[str]()

    def add(self, address: str) -> None:
        """Listen on ``address`` (UDP and TCP) and open its upstream socket."""
        front = _socket(socket.SOCK_DGRAM)
        front.bind((address, self.port))
        up = _socket(socket.SOCK_DGRAM)
        up.connect((address, self.upstream_port))
        for sock in (front, up):
            sock.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
            sock.setblocking(False)  # noqa: FBT003 -- the socket API
            self.epoll.register(sock.fileno(), select.EPOLLIN)
        self.fronts[front.fileno()] = up
        self.upstreams[up.fileno()] = (up, front)
        self.next_id[up.fileno()] = 0
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((address, self.port))
        listener.listen(128)
        threading.Thread(target=self._accept, args=(listener, address), daemon=True).start()

    def _receive(self, sock: socket.socket) -> list[tuple[bytes, tuple[str, int]]]:
        out: list[tuple[bytes, tuple[str, int]]] = []
        while True:
            try:
                data, ancillary, _, source = sock.recvmsg(65535, 64)
            except (BlockingIOError, InterruptedError):
                return out
            for level, kind, value in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_RXQ_OVFL:
                    self.kernel_drops[sock.fileno()] = struct.unpack("=I", value[:4])[0]
            out.append((data, source))

    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop`` is set."""
        while not stop.is_set():
            now = time.monotonic()
            while self.later and self.later[0][0] <= now:
                _, front, data, client = self.later.popleft()
                self._send(front, data, client)
            wait = max(0.0, self.later[0][0] - now) if self.later else 0.2
            for fd, _ in self.epoll.poll(min(wait, 0.2)):
                if fd in self.fronts:
                    self._questions(fd)
                else:
                    self._answers(fd)

    def _send(self, sock: socket.socket, data: bytes, client: tuple[str, int]) -> None:
        try:
            sock.sendto(data, client)
        except OSError:
            self.stats["send_errors"] += 1

    def _questions(self, fd: int) -> None:
        up = self.fronts[fd]
        front = self.upstreams[up.fileno()][1]
        for data, client in self._receive(front):
            if len(data) < _HEADER:
                continue
            key = up.fileno()
            wire_id = self.next_id[key]
            self.next_id[key] = (wire_id + 1) & 0xFFFF
            if (key, wire_id) in self.pending:
                self.stats["id_reused"] += 1  # 65,536 questions in flight on one address
            self.pending[key, wire_id] = (data[:2], client)
            self.stats["questions"] += 1
            try:
                up.send(wire_id.to_bytes(2, "big") + data[2:])
            except OSError:
                self.stats["send_errors"] += 1

    def _answers(self, fd: int) -> None:
        up, front = self.upstreams[fd]
        for data, _ in self._receive(up):
            entry = self.pending.pop((fd, int.from_bytes(data[:2], "big")), None)
            if entry is None or len(data) < _HEADER:
                self.stats["unmatched"] += 1
                continue
            if self.loss and self.random.random() < self.loss:
                self.stats["dropped_on_purpose"] += 1
                continue
            client_id, client = entry
            self.stats["answers"] += 1
            self.later.append((time.monotonic() + self.delay, front, client_id + data[2:], client))

    def _accept(self, listener: socket.socket, address: str) -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=self._tcp, args=(conn, address), daemon=True).start()

    def _tcp(self, conn: socket.socket, address: str) -> None:
        with conn, contextlib.suppress(OSError):
            upstream = socket.create_connection((address, self.upstream_port), timeout=10)
            with upstream:
                length = conn.recv(2, socket.MSG_WAITALL)
                question = conn.recv(int.from_bytes(length, "big"), socket.MSG_WAITALL)
                upstream.sendall(length + question)
                size = upstream.recv(2, socket.MSG_WAITALL)
                answer = upstream.recv(int.from_bytes(size, "big"), socket.MSG_WAITALL)
                time.sleep(self.delay)
                conn.sendall(size + answer)
                self.stats["tcp"] += 1

    def report(self) -> dict[str, int]:
        """What was relayed and what was lost."""
        return dict(self.stats) | {
            "unanswered": len(self.pending),
            "kernel_drops": sum(self.kernel_drops.values()),
        }


def main(argv: list[str]) -> None:
    """``relay.py [--loss=P] PORT UPSTREAM_PORT DELAY ADDRESS...``."""
    loss = 0.0
    if argv and argv[0].startswith("--loss="):
        loss = float(argv.pop(0).split("=", 1)[1])
    port, upstream_port, delay, *addresses = argv
    relay = Relay(int(port), int(upstream_port), float(delay), loss)
    for address in addresses:
        relay.add(address)
    stop = threading.Event()

    def finish(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    print("ready", flush=True)
    relay.run(stop)
    print("stats " + json.dumps(relay.report()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
