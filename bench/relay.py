"""A delaying DNS relay: every answer reaches the client ``delay`` seconds late.

``python bench/relay.py PORT UPSTREAM_PORT DELAY ADDRESS...`` listens on
``ADDRESS#PORT`` (UDP and TCP) for each address and relays to the server on
``ADDRESS#UPSTREAM_PORT``; questions go through at once, answers are held
``DELAY`` seconds. It prints ``ready`` once listening. It is the benchmark's
stand-in for ``tc netem`` where the kernel has no netem; it runs in a process
of its own, and the benchmark reports the CPU time it uses.

Over UDP each address has one upstream socket, and the relay gives each
question a message ID of its own (the client's is put back in the answer), so
the answer finds its way back to the client's address and port.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import signal
import sys
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

_HEADER = 12  # a DNS message header; anything shorter is dropped


class Upstream(asyncio.DatagramProtocol):
    """The relay's socket to one server: questions out with new IDs, answers back delayed."""

    def __init__(self, delay: float) -> None:
        """Hold answers ``delay`` seconds."""
        self.delay = delay
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: dict[int, tuple[bytes, tuple[str, int], asyncio.DatagramTransport]] = {}
        self.next_id = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the socket."""
        self.transport = cast("asyncio.DatagramTransport", transport)

    def forward(
        self, data: bytes, client: tuple[str, int], front: asyncio.DatagramTransport
    ) -> None:
        """Send a client's question on, under an ID of the relay's own."""
        if len(data) < _HEADER or self.transport is None:
            return
        wire_id, self.next_id = self.next_id, (self.next_id + 1) & 0xFFFF
        self.pending[wire_id] = (data[:2], client, front)
        self.transport.sendto(wire_id.to_bytes(2, "big") + data[2:])

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:  # noqa: ARG002
        """Send a server's answer back to the client who asked, ``delay`` seconds later."""
        entry = self.pending.pop(int.from_bytes(data[:2], "big"), None)
        if entry is None or len(data) < _HEADER:
            return
        client_id, client, front = entry
        self.loop.call_later(self.delay, front.sendto, client_id + data[2:], client)


class Front(asyncio.DatagramProtocol):
    """The relay's listening UDP socket on one address."""

    def __init__(self, upstream: Upstream) -> None:
        """Relay to ``upstream``."""
        self.upstream = upstream
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the socket."""
        self.transport = cast("asyncio.DatagramTransport", transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        """Pass a question on."""
        if self.transport is not None:
            self.upstream.forward(data, addr, self.transport)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    with contextlib.suppress(ConnectionError):
        while chunk := await reader.read(65536):
            if delay:
                await asyncio.sleep(delay)
            writer.write(chunk)
            await writer.drain()
    writer.close()


def _tcp_handler(
    address: str, upstream_port: int, delay: float
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(address, upstream_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer, 0.0), _pipe(up_reader, writer, delay))

    return handle


async def serve(port: int, upstream_port: int, delay: float, addresses: list[str]) -> None:
    """Relay every address until cancelled."""
    loop = asyncio.get_running_loop()
    tcp_servers = []
    for address in addresses:
        _, upstream = await loop.create_datagram_endpoint(
            lambda: Upstream(delay), remote_addr=(address, upstream_port)
        )
        await loop.create_datagram_endpoint(
            functools.partial(Front, upstream), local_addr=(address, port)
        )
        handler = _tcp_handler(address, upstream_port, delay)
        tcp_servers.append(await asyncio.start_server(handler, address, port))
    print("ready", flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    for server in tcp_servers:
        server.close()


def main(argv: list[str]) -> None:
    """``relay.py PORT UPSTREAM_PORT DELAY ADDRESS...``."""
    port, upstream_port, delay, *addresses = argv
    asyncio.run(serve(int(port), int(upstream_port), float(delay), addresses))


if __name__ == "__main__":
    main(sys.argv[1:])
