"""Coverage-guided fuzzing of pecdns's untrusted inputs with atheris.

Targets (first argument): ``domain`` (names users type), ``zone`` (zone text
users load) and ``wire`` (bytes a DNS server sends back, through the same
classifier a check uses). Each may raise only its documented exceptions; any
other exception is a crash atheris reports with the input that caused it.

    python fuzz/fuzz_pecdns.py wire -runs=20000
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import dns.exception
    import dns.message

    import pecdns
    from pecdns.resolvers import Query, ZoneResolver
    from pecdns.resolvers._wire import classify

QUERY = Query("pec.example.it", "MX", server="192.0.2.53")


def fuzz_domain(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    try:
        domain = pecdns.Domain(text)
    except pecdns.InvalidDomainError:
        return
    if pecdns.Domain(domain.unicode) != domain:
        raise AssertionError(f"not idempotent: {text!r}")


def fuzz_zone(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    try:
        resolver = ZoneResolver(text, origin="example.it")
    except pecdns.InvalidRecordError:
        return
    str(resolver.resolve(Query("pec.example.it", "MX")))


def fuzz_wire(data: bytes) -> None:
    try:
        response = dns.message.from_wire(data)
    except (dns.exception.DNSException, ValueError, EOFError):
        return  # the wire layer turns these into ERROR answers
    try:
        answer = classify(QUERY, response, "192.0.2.53#53")
    except pecdns.InvalidRecordError:
        return
    if not str(answer).isprintable():
        raise AssertionError(f"unprintable answer from {data!r}")


TARGETS = {"domain": fuzz_domain, "zone": fuzz_zone, "wire": fuzz_wire}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
