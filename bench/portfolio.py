"""The benchmark's portfolio: N customer domains with a realistic mix of PEC set-ups, as zones.

Domain ``i`` is ``cliente<i>.it``; its kind comes from a fixed cycle of 20,
so any prefix or evenly spaced sample of the portfolio has the same mix.

Topology (one port for every server):

- 127.0.0.2 NSD "view", the address the checks' stub resolver asks. It
  answers as a recursive resolver would, from every zone a check touches:
  ``it.`` (the parent, delegating every customer domain), ``aruba.it``
  (``mx.pec.aruba.it``), ``hosting.test`` and ``provider.test`` (the name
  servers' own zones), every customer zone and every delegated child zone.
- 127.0.0.3 and 127.0.0.4 NSD "hosting" (one process): ``ns1.hosting.test``
  and ``ns2.hosting.test``, the customers' name servers, asked directly; they
  serve the customer zones only, so a delegated ``pec`` name gets a referral.
- 127.0.0.6 and 127.0.0.7 Knot: ``dns1.provider.test`` and
  ``dns2.provider.test``, serving the delegated ``pec.<domain>`` child zones.
- 127.0.0.8, the same Knot: ``lame.hosting.test``, listed as a name server
  of the lame domains, whose zones it does not serve (it REFUSEs).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from world import zone

if TYPE_CHECKING:
    from collections.abc import Iterator

RESOLVER = "127.0.0.2"
NS1, NS2 = "127.0.0.3", "127.0.0.4"
PROVIDER1, PROVIDER2 = "127.0.0.6", "127.0.0.7"
LAME = "127.0.0.8"
HOSTING_ADDRESSES = (NS1, NS2)
KNOT_ADDRESSES = (PROVIDER1, PROVIDER2, LAME)
ADDRESSES = (RESOLVER, *HOSTING_ADDRESSES, *KNOT_ADDRESSES)

HOSTING_NS = ("ns1.hosting.test.", "ns2.hosting.test.")
PROVIDER_NS = ("dns1.provider.test.", "dns2.provider.test.")
INFRA_NS = ("a.nic.test.",)
OK_MX = "pec IN MX 10 mx.pec.aruba.it.\n"
SHARED_HOSTS = frozenset(
    {
        "mx.pec.aruba.it.",
        "mail.hosting.test.",
        "lame.hosting.test.",
        *HOSTING_NS,
        *PROVIDER_NS,
    }
)
"""Host names many domains' checks need: each must be looked up once per batch."""
HOST_TTL = 86400  # the shared hosts' addresses outlive any run: a repeated look-up is a bug

# Twenty slots: 60% correct at the parent, 10% correct as a delegated child
# zone (Knot), and 5% each of the faults.
CYCLE = (
    *("parent",) * 6,
    "child",
    "wrong-host",
    *("parent",) * 3,
    "no-dot",
    "no-mx",
    *("parent",) * 2,
    "child",
    "nxdomain",
    "lame",
    "parent",
    "hybrid",
)
KINDS = tuple(dict.fromkeys(CYCLE))
EXPECTED = {
    "parent": "COMPLIANT",
    "child": "COMPLIANT",
    "wrong-host": "NON_COMPLIANT",
    "no-dot": "NON_COMPLIANT",
    "no-mx": "NON_COMPLIANT",
    "nxdomain": "NON_COMPLIANT",
    "lame": "NON_COMPLIANT",
    "hybrid": "NON_COMPLIANT",
}
"""The verdict each kind must get: the benchmark checks its results against it."""


def domain(i: int) -> str:
    """The ``i``-th customer domain."""
    return f"cliente{i}.it"


def kind(i: int) -> str:
    """The kind of PEC set-up of the ``i``-th domain."""
    return CYCLE[i % len(CYCLE)]


def indices(n: int, sample: int | None = None) -> range:
    """The first ``n`` domains, or ``sample`` of them evenly spaced (the same mix)."""
    if sample is None or sample >= n:
        return range(n)
    return range(0, n, n // sample)[:sample]


def names(n: int, sample: int | None = None) -> Iterator[str]:
    """The domain names of :func:`indices`, lazily."""
    return (domain(i) for i in indices(n, sample))


def _customer(i: int) -> str:
    """The zone of domain ``i``."""
    name, k = domain(i), kind(i)
    body = {
        "parent": OK_MX,
        "child": "".join(f"pec IN NS {ns}\n" for ns in PROVIDER_NS),
        "wrong-host": "pec IN MX 10 mail.hosting.test.\n",
        "no-dot": "pec IN MX 10 mx.pec.aruba.it\n",
        "no-mx": "pec IN A 192.0.2.82\n",
        "lame": OK_MX,
        "hybrid": OK_MX + "pec IN MX 20 mail\nmail IN A 192.0.2.84\n",
    }[k]
    ns = (HOSTING_NS[0], "lame.hosting.test.") if k == "lame" else HOSTING_NS
    return zone(name, "@ IN MX 10 mail.hosting.test.\n" + body, ns=ns)


def _parent(n: int) -> str:
    """The ``it.`` zone: a delegation for every domain but the undelegated ones."""
    lines = [
        f"{domain(i).removesuffix('.it')} IN NS {ns}\n"
        for i in range(n)
        if kind(i) != "nxdomain"
        for ns in ((HOSTING_NS[0], "lame.hosting.test.") if kind(i) == "lame" else HOSTING_NS)
    ]
    return zone("it", "aruba IN NS a.nic.test.\n" + "".join(lines), ns=INFRA_NS)


def customer_zones(n: int) -> dict[str, str]:
    """The customers' own zones, as the hosting name servers serve them."""
    return {domain(i): _customer(i) for i in range(n) if kind(i) != "nxdomain"}


def child_zones(n: int) -> dict[str, str]:
    """The delegated ``pec.<domain>`` child zones, as the provider's servers (Knot) serve them."""
    return {
        f"pec.{domain(i)}": zone(
            f"pec.{domain(i)}", "@ IN MX 10 mx.pec.aruba.it.\n", ns=PROVIDER_NS
        )
        for i in range(n)
        if kind(i) == "child"
    }


def view_zones(n: int) -> dict[str, str]:
    """Every zone a check touches: what the stub's server answers from."""
    ttl = f"$TTL {HOST_TTL}\n"
    infrastructure = {
        "it": _parent(n),
        "aruba.it": zone("aruba.it", ttl + "mx.pec IN A 192.0.2.25\n", ns=INFRA_NS),
        "hosting.test": zone(
            "hosting.test",
            ttl + f"ns1 IN A {NS1}\nns2 IN A {NS2}\nlame IN A {LAME}\nmail IN A 192.0.2.80\n",
            ns=HOSTING_NS,
        ),
        "provider.test": zone(
            "provider.test", ttl + f"dns1 IN A {PROVIDER1}\ndns2 IN A {PROVIDER2}\n", ns=PROVIDER_NS
        ),
    }
    return infrastructure | customer_zones(n) | child_zones(n)
