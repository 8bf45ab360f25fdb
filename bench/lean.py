"""The lean codec's price per answer: ``python bench/lean.py [ROUNDS] [--profile]``.

Builds, with dnspython, the answers a batch reads (as NSD and Knot give
them: MX with NS in authority and glue in additional, A and AAAA, NODATA and
NXDOMAIN with SOA, referrals with glue, CNAME chains, NS with glue) and times
reading each, in µs per answer: dnspython (``from_wire`` + ``classify``, the
reference), the lean codec on branch ``main`` (``git show``, loaded as a
module of its own) and the lean codec of this tree, then the parts of a lean
read: reading the records, and building the Answer (``pecdns._models``). It
checks first that all three read every answer alike. A calibration figure -- the seconds of a fixed
pure-Python loop -- lets figures from two machines be compared.
"""

from __future__ import annotations

import cProfile
import importlib.util
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import dns.flags
import dns.message
import dns.rcode
import dns.rrset
from calibrate import calibration

from pecdns.resolvers import Answer, Query
from pecdns.resolvers import _lean as new

if TYPE_CHECKING:
    from types import ModuleType

SERVER = "127.0.0.2#53"
Reader = Callable[[Query, bytes, str], object]


def old_codec(ref: str = "main") -> ModuleType | None:
    """The lean codec as it is on ``ref``, loaded from ``git show`` (None: not available)."""
    root = Path(__file__).resolve().parent.parent
    try:
        text = subprocess.run(  # noqa: S603 -- a read-only git query
            ["git", "show", f"{ref}:src/pecdns/resolvers/_lean.py"],  # noqa: S607 -- git on PATH
            cwd=root,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "_lean_old.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("_lean_old", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rr(owner: str, rdtype: str, *datas: str, ttl: int = 3600) -> dns.rrset.RRset:
    return dns.rrset.from_text(owner, ttl, "IN", rdtype, *datas)


def _wire(
    qname: str,
    qtype: str,
    answer: list[dns.rrset.RRset],
    authority: list[dns.rrset.RRset],
    additional: list[dns.rrset.RRset],
    *,
    aa: bool = True,
    rcode: int = 0,
) -> tuple[Query, bytes]:
    request = dns.message.make_query(qname, qtype, use_edns=0, payload=1232, id=1)
    response = dns.message.make_response(request)
    if aa:
        response.flags |= dns.flags.AA
    response.set_rcode(dns.rcode.Rcode.make(rcode))
    response.answer.extend(answer)
    response.authority.extend(authority)
    response.additional.extend(additional)
    return Query(qname, qtype), response.to_wire(want_shuffle=False)


def answers(domain: str) -> list[tuple[Query, bytes]]:
    """The answers a check of ``domain`` reads, shaped as authoritative servers give them."""
    pec = f"pec.{domain}"
    ns = [f"ns1.{domain}", f"ns2.{domain}"]
    soa = _rr(domain, "SOA", f"{ns[0]} hostmaster.{domain} 2026112701 3600 900 604800 300")
    delegation = _rr(domain, "NS", *ns)
    glue = [_rr(ns[0], "A", "192.0.2.1"), _rr(ns[1], "A", "192.0.2.2")]
    glue6 = [*glue, _rr(ns[0], "AAAA", "2001:db8::1"), _rr(ns[1], "AAAA", "2001:db8::2")]
    mx = _rr(pec, "MX", f"10 mx1.{pec}", f"20 mx2.{pec}")
    mx_glue = [_rr(f"mx1.{pec}", "A", "192.0.2.10"), _rr(f"mx2.{pec}", "A", "192.0.2.11")]
    return [
        # MX at pec.<domain>, NS in authority, glue in additional (NSD's minimal-responses off).
        _wire(pec, "MX", [mx], [delegation], [*mx_glue, *glue6]),
        # The mail servers' addresses.
        _wire(f"mx1.{pec}", "A", [_rr(f"mx1.{pec}", "A", "192.0.2.10")], [delegation], glue),
        _wire(f"mx1.{pec}", "AAAA", [], [soa], []),  # NODATA
        _wire(domain, "NS", [delegation], [], glue6),
        # The parent's referral, not authoritative.
        _wire(pec, "MX", [], [delegation], glue6, aa=False),
        _wire(f"nope.{domain}", "MX", [], [soa], [], rcode=3),  # NXDOMAIN
        # A CNAME chain to another zone's MX (answered by a server of both).
        _wire(
            f"alias.{domain}",
            "MX",
            [
                _rr(f"alias.{domain}", "CNAME", "pec.provider.it."),
                _rr("pec.provider.it.", "MX", "10 mx.pec.provider.it."),
            ],
            [_rr("provider.it.", "NS", "ns1.provider.it.", "ns2.provider.it.")],
            [],
        ),
        _wire(f"mx2.{pec}", "AAAA", [_rr(f"mx2.{pec}", "AAAA", "2001:db8::11")], [delegation], []),
    ]


def per_answer(reader: Reader, cases: list[tuple[Query, bytes]], rounds: int) -> float:
    """µs of CPU per answer, the best of three runs of ``rounds`` passes."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(rounds):
            for query, wire in cases:
                reader(query, wire, SERVER)
        best = min(best, time.process_time() - started)
    return best * 1e6 / (rounds * len(cases))


def main() -> None:
    """Check that the three readers agree, then time each."""
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100
    cases = [case for domain in ("example.it.", "comune.a-b.it.") for case in answers(domain)]
    old = old_codec()
    readers: dict[str, Reader] = {"dnspython + classify": new.reference}
    if old is not None:
        readers["lean, main"] = old.read
    readers["lean, this tree"] = new.read
    for query, wire in cases:
        expected = new.reference(query, wire, SERVER)
        for name, reader in readers.items():
            assert reader(query, wire, SERVER) == expected, (name, query)  # noqa: S101
        assert new.decode(query, wire, SERVER)[1], query  # noqa: S101 -- the lean path reads it
    print(f"calibration: {calibration(cpu=True, best_of=3):.3f} s (3M-iteration pure-Python loop)")
    print(
        f"{len(cases)} answers, {sum(len(w) for _, w in cases) / len(cases):.0f} octets on average"
    )
    figures = {name: per_answer(reader, cases, rounds) for name, reader in readers.items()}
    base = figures["dnspython + classify"]
    for name, micros in figures.items():
        print(f"{name:24} {micros:7.2f} µs/answer  {base / micros:5.2f}x dnspython")
    if old is not None:
        ratio = figures["lean, main"] / figures["lean, this tree"]
        print(f"this tree vs main: {ratio:.2f}x faster")
    # The parts of a lean read: the message's records, then classify's rules and the Answer.
    parts: dict[str, Reader] = {}
    if old is not None:
        parts["reading the records, main"] = lambda _q, w, _s: old._Message(w)  # noqa: SLF001
    parts["reading the records, this tree"] = lambda _q, w, _s: new._Message(w)  # noqa: SLF001
    fields = [f.name for f in attrs.fields(Answer) if f.init]
    made = {id(wire): new.read(query, wire, SERVER) for query, wire in cases}
    kwargs = {key: {name: getattr(read, name) for name in fields} for key, read in made.items()}
    parts["Answer(...) alone"] = lambda _q, w, _s: Answer(**kwargs[id(w)])
    for name, reader in parts.items():
        print(f"{name:31} {per_answer(reader, cases, rounds):7.2f} µs/answer")
    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.runcall(lambda: [new.read(q, w, SERVER) for _ in range(rounds) for q, w in cases])
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
