"""The benchmark's network: NSD and Knot on loopback, and the added latency (netem or a relay).

The servers are those of the integration tests (``tests/servers.py``), each
listening on several 127.0.0.x addresses. Latency is added either by
``tc netem`` on the loopback of a network namespace the benchmark creates (the
host's own ``lo`` is never touched) or, where netem is unavailable, by a
delaying UDP/TCP relay in a process of its own: ``relay.c``, compiled once a
run, or ``relay.py`` (the readable reference) where there is no C compiler.

``python bench/topology.py --relay-cost [QUESTIONS]`` measures the relays
themselves against NSD and Knot: CPU per relayed question and how late past
the delay each answer comes, for ``relay.py`` and ``relay.c``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import dns.message
import dns.query
import dns.rdatatype
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


def relay_command() -> list[str]:
    """How to start the delaying relay: ``relay.c`` compiled (once a run), else ``relay.py``.

    The relay's CPU is taken from the machine being measured, as a real
    network's would not be: under ``check_many`` the C relay used about 11 us
    a question, ``relay.py`` 29-38 us (bench/README.md). Without a C
    compiler, or if the build fails, ``relay.py`` runs instead and stderr
    says so.
    """
    return list(_relay_command())


@functools.cache
def _relay_command() -> tuple[str, ...]:
    compiler = shutil.which("cc")
    python = (sys.executable, str(BENCH / "relay.py"))
    if compiler is None:
        print("no C compiler (cc): the delaying relay is relay.py", file=sys.stderr)
        return python
    build = Path(tempfile.mkdtemp(prefix="pecdns-relay-"))
    atexit.register(shutil.rmtree, build, ignore_errors=True)
    binary = build / "relay"
    source = str(BENCH / "relay.c")
    flags = ["-O2", "-Wall", "-Wextra", "-std=c11", "-pthread"]
    made = subprocess.run(  # noqa: S603 -- the compiler found above, our own source
        [compiler, *flags, "-o", str(binary), source], capture_output=True, text=True, check=False
    )
    if made.returncode != 0:
        print(
            f"relay.c did not compile: the delaying relay is relay.py\n{made.stderr}",
            file=sys.stderr,
        )
        return python
    return (str(binary),)


@contextlib.contextmanager
def relay(
    upstream_port: int, delay: float, loss: float = 0.0, command: Sequence[str] | None = None
) -> Iterator[Relay]:
    """Run the delaying relay: every server address, answers ``delay`` seconds late, on a new port.

    With ``loss``, that share of answers is dropped on purpose. When it stops,
    its counts (relayed, dropped on purpose, dropped by the kernel) are in
    ``Relay.stats``. ``command`` is the relay to run (default
    :func:`relay_command`: the C relay where it compiles, else ``relay.py``).
    """
    port = free_port(list(portfolio.ADDRESSES))
    arguments = [f"--loss={loss}", str(port), str(upstream_port), str(delay)]
    process = subprocess.Popen(  # noqa: S603 -- our own relay, arguments we made
        [*(command or relay_command()), *arguments, *portfolio.ADDRESSES],
        stdout=subprocess.PIPE,
        text=True,
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


RELAY_COST_DELAY = 0.015
RELAY_COST_NAMES = 1000


def _burst(port: int, questions: int, window: int, delay: float) -> tuple[list[float], int]:
    """Ask ``questions`` MX questions on ``port``, ``window`` in flight, round the addresses.

    Returns each answer's lateness past ``delay`` (seconds) and how many
    answers never came (given up after 2 s).
    """
    wires = [
        dns.message.make_query(portfolio.domain(i), dns.rdatatype.MX).to_wire()
        for i in range(RELAY_COST_NAMES)
    ]
    socks = []
    epoll = select.epoll()
    for address in portfolio.ADDRESSES:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.connect((address, port))
        sock.setblocking(False)  # noqa: FBT003 -- the socket API
        epoll.register(sock.fileno(), select.EPOLLIN)
        socks.append(sock)
    by_fd = {sock.fileno(): k for k, sock in enumerate(socks)}
    sent_at: dict[tuple[int, int], float] = {}
    extra: list[float] = []
    lost = asked = 0
    try:
        while asked < questions or sent_at:
            while asked < questions and len(sent_at) < window:
                k, qid = asked % len(socks), (asked // len(socks)) & 0xFFFF
                wire = wires[asked % len(wires)]
                sent_at[k, qid] = time.perf_counter()
                socks[k].send(qid.to_bytes(2, "big") + wire[2:])
                asked += 1
            events = epoll.poll(0.5)
            for fd, _ in events:
                k = by_fd[fd]
                with contextlib.suppress(BlockingIOError):
                    while True:
                        data = socks[k].recv(65535)
                        start = sent_at.pop((k, int.from_bytes(data[:2], "big")), None)
                        if start is not None:
                            extra.append(time.perf_counter() - start - delay)
            if not events:  # give up on what has waited 2 s
                now = time.perf_counter()
                for key in [key for key, start in sent_at.items() if now - start > 2.0]:
                    del sent_at[key]
                    lost += 1
    finally:
        epoll.close()
        for sock in socks:
            sock.close()
    return extra, lost


def _lateness(extra: list[float]) -> str:
    cuts = statistics.quantiles(extra, n=100, method="inclusive")
    us = [value * 1e6 for value in (min(extra), cuts[49], cuts[98], max(extra))]
    return "late by min {:,.0f} / p50 {:,.0f} / p99 {:,.0f} / max {:,.0f} us".format(*us)


def relay_cost(questions: int = 50_000, window: int = 64) -> None:
    """Print each relay's CPU per question, lateness past the delay and drops, on NSD and Knot.

    A first burst asks the servers directly (no relay, no delay): the
    client's and servers' own latency, the floor under the relays' figures.
    ``relay.c --slot=0`` sends each answer at its exact time rather than on
    the next 1 ms boundary.
    """
    python = [sys.executable, str(BENCH / "relay.py")]
    compiled = relay_command()
    relays = [("relay.py", python)]
    if compiled != python:
        relays += [("relay.c", compiled), ("relay.c --slot=0", [*compiled, "--slot=0"])]
    with servers(RELAY_COST_NAMES) as upstream:
        extra, lost = _burst(upstream, questions, window, 0.0)
        print(f"direct, no relay: {_lateness(extra)}; {lost} lost", flush=True)
        for name, command in relays:
            with relay(upstream, RELAY_COST_DELAY, command=command) as running:
                before = running.cpu_seconds()
                start = time.perf_counter()
                extra, lost = _burst(running.port, questions, window, RELAY_COST_DELAY)
                took = time.perf_counter() - start
                cpu = running.cpu_seconds() - before
            print(
                f"{name}: {cpu / questions * 1e6:.1f} us CPU a question "
                f"({cpu:.2f} s for {questions:,} in {took:.1f} s); {_lateness(extra)}; "
                f"{lost} lost",
                flush=True,
            )
            print(f"  stats {running.stats}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] != ["--relay-cost"]:
        raise SystemExit("usage: topology.py --relay-cost [QUESTIONS]")
    relay_cost(*(int(arg) for arg in sys.argv[2:3]))
