"""Check the example domains offline, against the zone files beside this script.

Usage: python examples/check_zones.py [DOMAIN ...]

With no domain, checks every customer domain that has a zone file in
examples/zones/ (the stand-in zones of the provider and of the DNS operators,
aruba.it, technorail.com and example.net, are not customers).
Nothing is sent to the network: answers come from the zone files.
rinominato.it shows a DNAME at the apex, followed as NSD and Knot follow it;
zonamancante.it a PEC name delegated to a zone that is not among the files,
which the check calls UNDETERMINED, naming the zone to load.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pecdns
from pecdns.resolvers import ZoneResolver

ZONES = Path(__file__).resolve().parent / "zones"
INFRASTRUCTURE = {"aruba.it", "technorail.com", "example.net"}


def customer_domains() -> list[str]:
    """Registrable domains with a zone file of their own, infrastructure excluded."""
    names = []
    for path in sorted(ZONES.glob("*.zone")):
        name = path.name.removesuffix(".zone")
        if pecdns.registrable_domain(name) == name and name not in INFRASTRUCTURE:
            names.append(name)
    return names


def main(argv: list[str]) -> int:
    """Print a report per domain; exit 0 once every domain is checked, 2 on bad input."""
    resolver = ZoneResolver.from_directory(ZONES)
    domains = argv or customer_domains()
    verdicts: dict[str, int] = {}
    for name in domains:
        try:
            report = pecdns.check(name, resolver=resolver)
        except pecdns.InvalidDomainError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(report, end="\n\n")
        verdicts[str(report.verdict)] = verdicts.get(str(report.verdict), 0) + 1
    summary = ", ".join(f"{count} {verdict}" for verdict, count in sorted(verdicts.items()))
    print(f"{len(domains)} domains checked offline: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
