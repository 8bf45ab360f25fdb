"""Differential fuzzing: the lean codec against dnspython + classify, on the same bytes.

    python fuzz/fuzz_lean.py -runs=200000        # coverage-guided, with atheris
    python fuzz/fuzz_lean.py --plain 200000      # without atheris: mutations of real answers

Any input on which ``_lean.answer`` and ``_lean.reference`` (dnspython's
``from_wire`` + ``classify``) give different Answers is a crash, reported
with the input.
"""

from __future__ import annotations

import random
import struct
import sys

import dns.flags
import dns.message
import dns.rrset

from pecdns.resolvers import Query
from pecdns.resolvers._lean import answer, reference

SERVER = "192.0.2.53#53"
QUERIES = [Query("pec.example.it", t) for t in ("MX", "A", "AAAA", "NS", "CNAME")]


def differ(data: bytes) -> None:
    """Raise if the two readers disagree on ``data`` for any of the check's question types."""
    for query in QUERIES:
        lean, ref = answer(query, data, SERVER), reference(query, data, SERVER)
        if lean != ref:
            raise AssertionError(f"{data!r}: lean {lean!r} != dnspython {ref!r}")


def seeds() -> list[bytes]:
    """Real answers of the shapes a check meets: records, CNAMEs, referrals with glue, NXDOMAIN."""
    out = []
    for rdtype, datas in (
        ("MX", ["10 mx.pec.aruba.it.", "20 mx2.pec.aruba.it."]),
        ("A", ["192.0.2.1"]),
        ("AAAA", ["2001:db8::1"]),
        ("NS", ["ns1.example.it.", "ns2.example.it."]),
    ):
        query = dns.message.make_query("pec.example.it", rdtype, use_edns=0, payload=1232, id=1)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        response.answer.append(dns.rrset.from_text("pec.example.it.", 300, "IN", rdtype, *datas))
        out.append(response.to_wire(want_shuffle=False))
        referral = dns.message.make_response(query)
        referral.authority.append(
            dns.rrset.from_text("pec.example.it.", 300, "IN", "NS", "ns1.p.it.", "ns2.p.it.")
        )
        referral.additional.append(dns.rrset.from_text("ns1.p.it.", 300, "IN", "A", "192.0.2.7"))
        out.append(referral.to_wire(want_shuffle=False))
        alias = dns.message.make_response(query)
        alias.answer.append(dns.rrset.from_text("pec.example.it.", 60, "IN", "CNAME", "x.it."))
        alias.authority.append(dns.rrset.from_text("it.", 60, "IN", "SOA", "a.it. h.it. 1 2 3 4 5"))
        out.append(alias.to_wire(want_shuffle=False))
    return [*out, *compressed()]


def compressed() -> list[bytes]:
    """Answers at dnspython's compression limits: 16 pointers in a row, a name of 255 octets."""
    header = struct.pack("!HHHHHH", 1, 0x8400, 1, 16, 0, 0)
    wire = bytearray(header + b"\x03pec\x07example\x02it\x00\x00\x0f\x00\x01")
    target = 12
    for k in range(16):  # each exchange one label and a pointer to the one before
        start = len(wire) + 14
        wire += b"\xc0\x0c\x00\x0f\x00\x01\x00\x00\x00\x3c\x00\x07\x00\x0a"
        wire += b"\x02h" + bytes([97 + k]) + struct.pack("!H", 0xC000 | target)
        target = start
    long = b"".join(bytes([63]) + c * 63 for c in (b"a", b"b", b"c")) + b"\x02it\x00"
    header = struct.pack("!HHHHHH", 1, 0x8400, 1, 1, 0, 0)
    exchange = b"\x3a" + b"y" * 58 + b"\xc0\x0c"  # 59 + 196 = 255 octets
    record = b"\xc0\x0c\x00\x0f\x00\x01\x00\x00\x00\x3c" + struct.pack("!H", 2 + len(exchange))
    return [bytes(wire), header + long + b"\x00\x0f\x00\x01" + record + b"\x00\x0a" + exchange]


def plain(runs: int) -> None:
    """Mutate real answers at random (byte flips, cuts, splices, inserts, pointers), no atheris."""
    rng = random.Random(1)  # noqa: S311 -- reproducible fuzzing, not security
    corpus = seeds()
    for i in range(runs):
        data = bytearray(rng.choice(corpus))
        for _ in range(rng.randint(1, 4)):
            how = rng.randint(0, 4)
            at = rng.randrange(len(data)) if data else 0
            if how == 0 and data:
                data[at] = rng.randrange(256)
            elif how == 1:
                del data[at : at + rng.randint(1, 8)]
            elif how == 2:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
            elif how == 4 and at > 12:  # RFC 1035 4.1.4: a pointer aimed at an earlier octet
                pointers = [i for i in range(12, len(data) - 1) if data[i] >= 0xC0]
                at = rng.choice(pointers) if pointers else at  # mostly an existing one, re-aimed
                data[at : at + 2] = struct.pack("!H", 0xC000 | rng.randrange(at))
            else:
                other = rng.choice(corpus)
                start = rng.randrange(len(other))
                data[at:] = other[start:]
        differ(bytes(data))
        if i % 50_000 == 0:
            print(f"{i:,} inputs, no difference", flush=True)  # noqa: T201 -- progress
    print(f"{runs:,} inputs, no difference")  # noqa: T201 -- the result


def main() -> None:
    """Fuzz with atheris when installed, else the plain mutator (``--plain N``)."""
    if len(sys.argv) >= 2 and sys.argv[1] == "--plain":
        plain(int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
        return
    import atheris  # noqa: PLC0415 -- optional: only the coverage-guided mode needs it

    atheris.Setup(sys.argv, differ)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
