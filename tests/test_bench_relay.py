"""bench/relay.c, the benchmark's delaying relay: answers come back late, with the client's ID.

Compiled here with the benchmark's flags and -Werror (it must build warning-free);
skipped where there is no C compiler.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import dns.exception
import dns.message
import dns.query
import pytest

from dnsserver import records, serve
from servers import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

CC = shutil.which("cc")
RELAY_C = Path(__file__).resolve().parent.parent / "bench" / "relay.c"
DELAY = 0.05
SCRIPT = {("www.example.test", "A"): records("192.0.2.1")}

pytestmark = pytest.mark.skipif(CC is None, reason="no C compiler (cc) to build bench/relay.c")


@pytest.fixture(scope="module")
def relay_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    binary = tmp_path_factory.mktemp("relay") / "relay"
    flags = ["-O2", "-Wall", "-Wextra", "-Werror", "-std=c11", "-pthread"]
    assert CC is not None
    subprocess.run(  # noqa: S603 -- the compiler found by shutil.which, our own source
        [CC, *flags, "-o", str(binary), str(RELAY_C)], check=True, capture_output=True
    )
    return binary


@contextlib.contextmanager
def relaying(binary: Path, upstream: int, *options: str) -> Iterator[tuple[int, dict[str, int]]]:
    """The relay in front of 127.0.0.1#upstream: its port, and its stats (filled on exit)."""
    port = free_port(["127.0.0.1"])
    command = [str(binary), *options, str(port), str(upstream), str(DELAY), "127.0.0.1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    stats: dict[str, int] = {}
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        yield port, stats
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=5)
        stats.update(json.loads(out.removeprefix("stats ")))


def query(name: str = "www.example.test", msg_id: int = 4242) -> dns.message.Message:
    message = dns.message.make_query(name, "A")
    message.id = msg_id
    return message


# held answers sent on 1 ms boundaries, answers read when the relay wakes anyway (lazily);
# or each at its exact time, answers read as they come
@pytest.mark.parametrize("options", [(), ("--slot=0",)], ids=["slots", "exact"])
def test_udp_answer_comes_back_delay_late_with_the_clients_id(
    relay_binary: Path, options: tuple[str, ...]
) -> None:
    with (
        serve(SCRIPT) as (_, upstream),
        relaying(relay_binary, upstream, *options) as (port, stats),
    ):
        start = time.perf_counter()
        # the relay's own ID for its first question is 0: 4242 back means the ID was put back
        response = dns.query.udp(query(), "127.0.0.1", port=port, timeout=2.0)
        took = time.perf_counter() - start
    assert response.id == 4242
    assert response.answer[0][0].to_text() == "192.0.2.1"
    assert took >= DELAY
    assert stats["questions"] == stats["answers"] == 1
    assert stats["unanswered"] == stats["kernel_drops"] == stats["send_errors"] == 0


def test_loss_of_one_drops_the_answer_and_counts_it(relay_binary: Path) -> None:
    with (
        serve(SCRIPT) as (server, upstream),
        relaying(relay_binary, upstream, "--loss=1") as (port, stats),
        pytest.raises(dns.exception.Timeout),
    ):
        dns.query.udp(query(), "127.0.0.1", port=port, timeout=DELAY * 4)
    assert server.asked == [("www.example.test.", "A")]
    assert stats["dropped_on_purpose"] == 1
    assert stats["answers"] == 0


def test_tcp_answer_comes_back_delay_late(relay_binary: Path) -> None:
    with serve(SCRIPT) as (_, upstream), relaying(relay_binary, upstream) as (port, stats):
        start = time.perf_counter()
        response = dns.query.tcp(query(), "127.0.0.1", port=port, timeout=2.0)
        took = time.perf_counter() - start
    assert response.answer[0][0].to_text() == "192.0.2.1"
    assert took >= DELAY
    assert stats["tcp"] == 1


def test_datagram_shorter_than_a_header_is_not_relayed(relay_binary: Path) -> None:
    with serve(SCRIPT) as (server, upstream), relaying(relay_binary, upstream) as (port, stats):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"\x12\x34\x01", ("127.0.0.1", port))
        dns.query.udp(query(), "127.0.0.1", port=port, timeout=2.0)
    assert server.asked == [("www.example.test.", "A")]
    assert stats["questions"] == 1
