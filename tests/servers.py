"""Real authoritative DNS servers (NSD, Knot DNS) on loopback, for integration tests.

Each server runs from a config and zone files written under a temporary
folder, in the foreground of its own process (no system service, no privilege
dropping), on one 127.0.0.x address and the port shared by the whole test
world, and is stopped by PID. NSD's response-rate limiting is switched off.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from typing import TYPE_CHECKING

import dns.message
import dns.query
import dns.rcode
import pytest

if TYPE_CHECKING:
    from pathlib import Path

_SBIN = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
INSTALL = "install it with: apt-get install nsd knot"


def binary(name: str) -> str:
    """The path of a server binary; in CI its absence fails the run, elsewhere it skips."""
    path = shutil.which(name, path=_SBIN)
    if path is None:
        message = f"{name} is not installed; {INSTALL}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI must run the integration tests)")
        pytest.skip(message)
    return path


def free_port(addresses: list[str]) -> int:
    """A port free for UDP and TCP on every address."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind((addresses[0], 0))
            port = int(probe.getsockname()[1])
        if all(_free(address, port) for address in addresses):
            return port
    raise RuntimeError("no free port found on the loopback addresses")


def _free(address: str, port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind((address, port))
            except OSError:
                return False
    return True


class Server:
    """One authoritative server process serving ``zones`` ({origin: zone text})."""

    kind = ""

    def __init__(self, address: str, port: int, zones: dict[str, str], workdir: Path) -> None:
        self.address = address
        self.port = port
        self.zones = zones
        self.workdir = workdir / f"{self.kind}-{address}"
        self.process: subprocess.Popen[bytes] | None = None

    def config(self) -> str:
        raise NotImplementedError

    def command(self, conf: Path) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        self.workdir.mkdir(parents=True)
        for origin, text in self.zones.items():
            (self.workdir / f"{origin or 'root'}.zone").write_text(text, encoding="utf-8")
        conf = self.workdir / f"{self.kind}.conf"
        conf.write_text(self.config(), encoding="utf-8")
        with (self.workdir / "stderr.log").open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 -- fixed binaries, arguments we wrote
                self.command(conf), stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir
            )
        self._wait_ready()

    def _wait_ready(self, seconds: float = 15.0) -> None:
        """Wait until every zone answers its SOA with authority."""
        deadline = time.monotonic() + seconds
        pending = list(self.zones)
        while pending:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.kind} did not serve {pending} in time: {self.log()}")
            origin = pending[0]
            query = dns.message.make_query(origin + "." if origin else ".", "SOA")
            try:
                response = dns.query.udp(query, self.address, port=self.port, timeout=0.2)
            except (dns.exception.Timeout, OSError):
                continue
            if response.rcode() == dns.rcode.NOERROR and response.answer:
                pending.pop(0)
            else:
                time.sleep(0.05)

    def log(self) -> str:
        path = self.workdir / "stderr.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Nsd(Server):
    """NSD 4, foreground (-d), no chroot, no database, no rate limiting."""

    kind = "nsd"

    def config(self) -> str:
        zones = "".join(
            f'zone:\n    name: "{origin or "."}"\n    zonefile: "{origin or "root"}.zone"\n'
            for origin in self.zones
        )
        d = self.workdir
        return (
            "server:\n"
            f"    ip-address: {self.address}@{self.port}\n"
            '    username: ""\n'
            '    chroot: ""\n'
            f'    zonesdir: "{d}"\n'
            '    database: ""\n'
            f'    zonelistfile: "{d}/zone.list"\n'
            f'    xfrdfile: "{d}/xfrd.state"\n'
            f'    pidfile: "{d}/nsd.pid"\n'
            "    server-count: 1\n"
            "    verbosity: 1\n"
            "    rrl-ratelimit: 0\n"
            "    rrl-whitelist-ratelimit: 0\n"
            "remote-control:\n"
            "    control-enable: no\n" + zones
        )

    def command(self, conf: Path) -> list[str]:
        return [binary("nsd"), "-d", "-c", str(conf)]


class Knot(Server):
    """Knot DNS 3, foreground, zone files only (no journal, no zone-file writes)."""

    kind = "knot"

    def config(self) -> str:
        d = self.workdir
        zones = "".join(
            f"  - domain: {origin or '.'}\n    file: {origin or 'root'}.zone\n"
            for origin in self.zones
        )
        return (
            "server:\n"
            f"    listen: {self.address}@{self.port}\n"
            f'    rundir: "{d}"\n'
            f'    pidfile: "{d}/knot.pid"\n'
            "log:\n"
            "  - target: stderr\n"
            "    any: warning\n"
            "database:\n"
            f'    storage: "{d}/db"\n'
            "template:\n"
            "  - id: default\n"
            f'    storage: "{d}"\n'
            "    journal-content: none\n"
            "    zonefile-sync: -1\n"
            "    zonefile-load: whole\n"
            "    semantic-checks: off\n"
            "zone:\n" + zones
        )

    def command(self, conf: Path) -> list[str]:
        return [binary("knotd"), "-c", str(conf)]
