"""The benchmark's network: NSD and Knot on loopback, and the added latency (netem or a relay).

The servers are those of the integration tests (``tests/servers.py``), each
listening on several 127.0.0.x addresses. Latency is added either by
``tc netem`` on the loopback of a network namespace the benchmark creates (the
host's own ``lo`` is never touched) or, where netem is unavailable, by a
delaying UDP/TCP relay (``relay.py``) in a process of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import dns.message
import dns.query
import portfolio

from servers import Knot, Nsd, Server, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

BENCH = Path(__file__).resolve().parent
READY_SAMPLE = 200  # zones asked for their SOA before NSD counts as started
SBIN = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])


def require(*names: str) -> None:
    """Fail with an install hint unless every program in ``names`` is installed."""
    missing = [name for name in names if shutil.which(name, path=SBIN) is None]
    if missing:
        raise SystemExit(f"the benchmark needs {', '.join(missing)}: apt-get install nsd knot")


def _listen_on_all(config: str, first: str, every: Sequence[str], port: int) -> str:
    """``config`` with its one listening line repeated for each address of ``every``."""
    for key in ("    ip-address: ", "    listen: "):
        line = f"{key}{first}@{port}\n"
        if line in config:
            return config.replace(line, "".join(f"{key}{a}@{port}\n" for a in every))
    raise ValueError("no listening line found in the server's config")


class _Listening(Server):
    """A harness server listening on several addresses: one process, one set of zones."""

    def __init__(
        self, addresses: Sequence[str], port: int, zones: dict[str, str], workdir: Path
    ) -> None:
        """Serve ``zones`` on every address of ``addresses``."""
        super().__init__(addresses[0], port, zones, workdir)
        self.addresses = tuple(addresses)

    def config(self) -> str:
        """The server's config, with a listening line per address."""
        return _listen_on_all(super().config(), self.address, self.addresses, self.port)


class MultiNsd(_Listening, Nsd):
    """The harness's NSD, listening on several addresses (one process, one set of zones).

    NSD reads every zone file before it answers at all, so readiness is
    checked on a sample of the zones (asking each of 100,000 zones would take
    minutes) rather than on every one.
    """

    def _wait_ready(self, seconds: float = 120.0) -> None:
        every = self.zones
        origins = list(every)
        step = max(1, len(origins) // READY_SAMPLE)
        self.zones = {o: every[o] for o in [*origins[::step], origins[-1]]}
        try:
            super()._wait_ready(seconds)
        finally:
            self.zones = every


class MultiKnot(_Listening, Knot):
    """The harness's Knot DNS, listening on several addresses."""


@contextlib.contextmanager
def servers(n: int) -> Iterator[int]:
    """Start NSD and Knot serving a portfolio of ``n`` domains; yield their port; stop them."""
    require("nsd", "knotd")
    if n < len(portfolio.CYCLE):
        raise ValueError(f"a portfolio has at least {len(portfolio.CYCLE)} domains")
    with tempfile.TemporaryDirectory(prefix="pecdns-bench-") as tmp:
        port = free_port(list(portfolio.ADDRESSES))
        running: list[Nsd | Knot] = []
        try:
            every: tuple[Nsd | Knot, ...] = (
                MultiNsd([portfolio.RESOLVER], port, portfolio.view_zones(n), Path(tmp)),
                MultiNsd(portfolio.HOSTING_ADDRESSES, port, portfolio.customer_zones(n), Path(tmp)),
                MultiKnot(portfolio.KNOT_ADDRESSES, port, portfolio.child_zones(n), Path(tmp)),
            )
            for server in every:
                running.append(server)
                server.start()
            yield port
        finally:
            for started in running:
                started.stop()


@dataclass
class Relay:
    """A running delaying relay: the port the client asks on, and its process."""

    port: int
    process: subprocess.Popen[str]
    stats: dict[str, int] = field(default_factory=dict)  # filled when the relay stops

    def cpu_seconds(self) -> float:
        """CPU time the relay process has used so far."""
        return process_cpu_seconds(self.process.pid)


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid``, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def relay(upstream_port: int, delay: float, loss: float = 0.0) -> Iterator[Relay]:
    """Run ``relay.py``: every server address, answers ``delay`` seconds late, on a new port.

    With ``loss``, that share of answers is dropped on purpose. When it stops,
    its counts (relayed, dropped on purpose, dropped by the kernel) are in
    ``Relay.stats``.
    """
    port = free_port(list(portfolio.ADDRESSES))
    command = [sys.executable, str(BENCH / "relay.py"), f"--loss={loss}"]
    command += [str(port), str(upstream_port), str(delay)]
    process = subprocess.Popen(  # noqa: S603 -- our own script, arguments we made
        [*command, *portfolio.ADDRESSES], stdout=subprocess.PIPE, text=True
    )
    running = Relay(port, process)
    try:
        assert process.stdout is not None  # noqa: S101 -- stdout=PIPE above
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("the delaying relay did not start")
        _check_relay(port, delay)
        yield running
    finally:
        process.terminate()
        try:
            out, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
        for line in (out or "").splitlines():
            if line.startswith("stats "):
                running.stats = json.loads(line.removeprefix("stats "))


def _check_relay(port: int, delay: float) -> None:
    """Fail unless an answer comes through the relay, and late by about ``delay``."""
    query = dns.message.make_query("it.", "SOA")
    start = time.perf_counter()
    response = dns.query.udp(query, portfolio.RESOLVER, port=port, timeout=2.0)
    took = time.perf_counter() - start
    if not response.answer or took < delay:
        raise RuntimeError(f"the relay answered wrong or too soon ({took * 1000:.1f} ms)")


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- fixed tools, arguments we made
        [shutil.which("ip", path=SBIN) or "ip", *args], capture_output=True, text=True, check=check
    )


def _netns_exec(name: str, *command: str) -> subprocess.CompletedProcess[str]:
    return _ip("netns", "exec", name, *command, check=False)


@contextlib.contextmanager
def namespace(delay: float | None) -> Iterator[str]:
    """A new network namespace with ``lo`` up, and netem delaying each packet ``delay`` seconds.

    Raises:
        RuntimeError: the namespace or the netem qdisc could not be made.
    """
    name = f"pecdns-bench-{os.getpid()}"
    made = _ip("netns", "add", name, check=False)
    if made.returncode != 0:
        raise RuntimeError(f"ip netns add failed: {made.stderr.strip()}")
    try:
        steps: list[tuple[str, ...]] = [("ip", "link", "set", "lo", "up")]
        if delay is not None:
            usec = str(round(delay * 1e6))
            steps.append(("tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", f"{usec}us"))
        for step in steps:
            done = _netns_exec(name, *step)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(step)}: {done.stderr.strip()}")
        yield name
    finally:
        _ip("netns", "del", name, check=False)


def netem_unavailable() -> str | None:
    """Why netem in a network namespace cannot be used here, or None when it can."""
    if os.geteuid() != 0:
        return "not root"
    if shutil.which("ip", path=SBIN) is None or shutil.which("tc", path=SBIN) is None:
        return "ip or tc is not installed"
    try:
        with namespace(0.001):
            return None
    except RuntimeError as exc:
        return str(exc)


def in_namespace(name: str, command: Sequence[str]) -> list[str]:
    """``command`` run inside network namespace ``name``."""
    return [shutil.which("ip", path=SBIN) or "ip", "netns", "exec", name, *command]
