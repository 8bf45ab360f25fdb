"""The scenario catalogue: one table of PEC set-ups, as zone files, with what each must give.

The same zones are served three ways: by real NSD and Knot servers on
loopback (test_integration), by ZoneResolver, and by FakeResolver built from
the zone data (test_catalogue). Scenarios whose point is a server's behaviour
(lame, down, disagreeing, delegation faults) exist only on real servers.

Topology (all on one port):
- 127.0.0.2 NSD "root": the root, it., net., com. and the infrastructure zones
  (aruba.it, example.net, technorail.com).
- 127.0.0.3 NSD "ns1" and 127.0.0.4 Knot "ns2": the customer domains' two
  name servers, ns1.example.net and ns2.example.net.
- 127.0.0.6 Knot "provider": dns.technorail.com and dns2.technorail.com, the
  provider's name servers, serving the delegated pec.<domain> zones.
- 127.0.0.9: nothing at all (a dead server).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import attrs
from attrs import frozen

from pecdns import ARUBA, Policy, Report
from servers import Knot, Nsd, binary, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ROOT, NS1, NS2, PROVIDER, DEAD = "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.6", "127.0.0.9"
P10 = attrs.evolve(ARUBA, outside_mail_domains=["dedicati.aruba.it"])


def zone(
    origin: str, body: str, *, ns: tuple[str, ...] = ("ns1.example.net.", "ns2.example.net.")
) -> str:
    """A zone with SOA and NS at its apex; ``body`` in zone-file syntax, relative to ``origin``."""
    apex = origin or "."
    head = f"$ORIGIN {apex if apex.endswith('.') else apex + '.'}\n$TTL 300\n"
    head += f"@ IN SOA {ns[0]} hostmaster.example.net. 1 3600 900 604800 300\n"
    head += "".join(f"@ IN NS {n}\n" for n in ns)
    return head + body


BACKENDS = ("servers", "zones", "fake")
"""Real NSD and Knot servers, ZoneResolver, and FakeResolver built from the same zone data."""


@frozen
class Expect:
    """The report a scenario must give on one backend.

    ``codes`` are all the codes when ``exact``, else some of them; ``absent``
    are codes that must not appear; ``dnames`` the DNAMEs the PEC name's MX
    answer went through (``Answer.dnames``).
    """

    verdict: str
    codes: tuple[str, ...]
    exact: bool = True
    absent: tuple[str, ...] = ()
    dnames: tuple[tuple[str, str], ...] = ()


@frozen
class Scenario:
    """One PEC set-up: the zones that make it and the report it must give.

    The three backends give the same report unless the scenario says why
    not: ``differs`` holds the report of a backend that must give another
    (an offline resolver that holds no zone for a name cannot know what a
    server would say: it says so), and ``not_on`` the backends that cannot
    run it at all; ``why`` gives the reason for both.
    """

    name: str
    domain: str
    verdict: str
    codes: tuple[str, ...]
    zones: dict[str, str] = attrs.field(factory=dict)
    ns2_zones: dict[str, str] | None = None  # what ns2 serves, when it differs from ns1
    provider_zones: dict[str, str] = attrs.field(factory=dict)
    delegation: str = "ns1.example.net. ns2.example.net."
    servers_only: bool = False
    policy: Policy = ARUBA
    codes_exact: bool = True
    absent: tuple[str, ...] = ()
    differs: dict[str, Expect] = attrs.field(factory=dict)
    not_on: tuple[str, ...] = ()
    why: str = ""
    dnames: tuple[tuple[str, str], ...] = ()  # the PEC name's MX answer's, on every backend

    def __attrs_post_init__(self) -> None:
        unknown = (set(self.differs) | set(self.not_on)) - set(BACKENDS)
        assert not unknown, f"{self.name}: no backend {unknown}"
        assert not (self.differs or self.not_on) or self.why, f"{self.name}: say why"

    def runs_on(self, backend: str) -> bool:
        """Whether the scenario runs on ``backend`` (see :data:`BACKENDS`)."""
        offline = backend != "servers"
        return backend not in self.not_on and not (offline and self.servers_only)

    def expect(self, backend: str) -> Expect:
        """The report the scenario must give on ``backend``."""
        common = Expect(self.verdict, self.codes, self.codes_exact, self.absent, self.dnames)
        return self.differs.get(backend, common)


def assert_report(report: Report, expect: Expect) -> None:
    """Assert that a report is the one a scenario expects on a backend."""
    assert str(report.verdict) == expect.verdict, str(report)
    # Zone files and fakes carry no DNSSEC data; on real servers the lab's root is unsigned, so
    # the state is UNKNOWN there (test_integration checks it; test_dnssec_servers grades each).
    codes = [c for c in report.codes() if not c.startswith("DNSSEC_") or c in expect.codes]
    if expect.exact:
        assert sorted(codes) == sorted(expect.codes), str(report)
    else:
        assert set(expect.codes) <= set(codes), str(report)
    assert not set(expect.absent) & set(report.codes()), str(report)
    assert report.observation.pec_mx.dnames == expect.dnames, str(report.observation.pec_mx)


def _customer(
    domain: str, body: str, ns: tuple[str, ...] = ("ns1.example.net.", "ns2.example.net.")
) -> dict[str, str]:
    return {domain: zone(domain, body, ns=ns)}


OK_MX = "pec IN MX 10 mx.pec.aruba.it.\n"

SCENARIOS = (
    Scenario(
        "correct at the parent",
        "ok-parent.it",
        "COMPLIANT",
        ("MX_OK", "SETUP_EXTERNAL"),
        _customer("ok-parent.it", OK_MX + "@ IN MX 10 mail.ok-parent.it.\nmail IN A 192.0.2.80\n"),
    ),
    Scenario(
        "correct as a delegated child zone",
        "ok-child.it",
        "COMPLIANT",
        ("MX_OK", "SETUP_DELEGATED"),
        _customer("ok-child.it", "pec IN NS dns.technorail.com.\npec IN NS dns2.technorail.com.\n"),
        provider_zones={
            "pec.ok-child.it": zone(
                "pec.ok-child.it",
                "@ IN MX 10 mx.pec.aruba.it.\n",
                ns=("dns.technorail.com.", "dns2.technorail.com."),
            )
        },
    ),
    Scenario(
        "wrong MX host",
        "wrong-host.it",
        "NON_COMPLIANT",
        ("MX_WRONG_HOST", "SETUP_EXTERNAL"),
        _customer("wrong-host.it", "pec IN MX 10 mail.wrong-host.it.\nmail IN A 192.0.2.81\n"),
    ),
    Scenario(
        "wrong preference",
        "wrong-pref.it",
        "COMPLIANT",
        ("MX_WRONG_PREFERENCE", "SETUP_EXTERNAL"),
        _customer("wrong-pref.it", "pec IN MX 20 mx.pec.aruba.it.\n"),
    ),
    Scenario(
        "missing trailing dot",
        "no-dot.it",
        "NON_COMPLIANT",
        ("MX_TRAILING_DOT", "SETUP_EXTERNAL"),
        _customer("no-dot.it", "pec IN MX 10 mx.pec.aruba.it\n"),
    ),
    Scenario(
        "no MX",
        "no-mx.it",
        "NON_COMPLIANT",
        ("MX_MISSING", "SETUP_EXTERNAL"),
        _customer("no-mx.it", "pec IN A 192.0.2.82\n"),
    ),
    Scenario(
        "null MX",
        "null-mx.it",
        "NON_COMPLIANT",
        ("MX_NULL", "SETUP_EXTERNAL"),
        _customer("null-mx.it", "pec IN MX 0 .\n"),
    ),
    Scenario(
        "MX to a CNAME",
        "mx-cname.it",
        "NON_COMPLIANT",
        ("MX_WRONG_HOST", "MX_TARGET_CNAME", "SETUP_EXTERNAL"),
        _customer(
            "mx-cname.it",
            "pec IN MX 10 mail.mx-cname.it.\n"
            "mail IN CNAME host.mx-cname.it.\n"
            "host IN A 192.0.2.83\n",
        ),
    ),
    Scenario(
        "MX to an IP literal",
        "mx-ip.it",
        "NON_COMPLIANT",
        ("MX_WRONG_HOST", "MX_TARGET_IP_LITERAL", "SETUP_EXTERNAL"),
        _customer("mx-ip.it", "pec IN MX 10 192.0.2.25.\n"),
    ),
    Scenario(
        "hybrid MX set",
        "hybrid.it",
        "NON_COMPLIANT",
        ("MX_EXTRA_HOST", "MX_HYBRID", "SETUP_EXTERNAL"),
        _customer(
            "hybrid.it",
            OK_MX + "pec IN MX 20 mail.hybrid.it.\nmail IN A 192.0.2.84\n",
        ),
    ),
    Scenario(
        "dedicated server mixed with the provider's (P10)",
        "dedicated.it",
        "COMPLIANT",  # DOMAIN_MX_HYBRID (P9) is a breach outside the daily check
        ("DOMAIN_MX_HYBRID", "MX_OK", "SETUP_EXTERNAL"),
        _customer(
            "dedicated.it",
            OK_MX + "@ IN MX 10 mx.aruba.it.\n@ IN MX 20 srv1.dedicati.aruba.it.\n",
        ),
        policy=P10,
    ),
    Scenario(
        "MX at the second level only (P5)",
        "second-level.it",
        "NON_COMPLIANT",
        ("PEC_NAME_NXDOMAIN", "MX_AT_REGISTRABLE", "SETUP_EXTERNAL"),
        _customer("second-level.it", "@ IN MX 10 mx.pec.aruba.it.\n"),
    ),
    Scenario(
        "NXDOMAIN: the domain is not delegated ('NS NON DEFINITO')",
        "nxdomain.it",
        "NON_COMPLIANT",
        ("PEC_NAME_NXDOMAIN", "NS_NOT_DEFINED", "SETUP_UNKNOWN"),
        delegation="",
    ),
    Scenario(
        "lame delegation",
        "lame.it",
        "COMPLIANT",  # the other server answers with authority: a WARNING (docs/policy.md)
        ("LAME_DELEGATION", "MX_OK", "SETUP_EXTERNAL"),
        _customer("lame.it", OK_MX, ns=("ns1.example.net.", "lame.example.net.")),
        delegation="ns1.example.net. lame.example.net.",
        servers_only=True,
    ),
    Scenario(
        "one of two servers down",
        "one-down.it",
        "COMPLIANT",
        ("SERVER_NO_RESPONSE", "MX_OK", "SETUP_EXTERNAL"),
        _customer("one-down.it", OK_MX, ns=("ns1.example.net.", "dead.example.net.")),
        delegation="ns1.example.net. dead.example.net.",
        servers_only=True,
    ),
    Scenario(
        "servers disagreeing on the MX",
        "disagree.it",
        "NON_COMPLIANT",
        ("SERVERS_DISAGREE",),
        _customer("disagree.it", OK_MX),
        ns2_zones=_customer(
            "disagree.it", "pec IN MX 10 mail.disagree.it.\nmail IN A 192.0.2.85\n"
        ),
        servers_only=True,
        codes_exact=False,
    ),
    Scenario(
        "MX on one server only",
        "some-mx.it",
        "NON_COMPLIANT",
        ("MX_ON_SOME_SERVERS",),
        _customer("some-mx.it", OK_MX),
        ns2_zones=_customer("some-mx.it", "pec IN A 192.0.2.86\n"),
        servers_only=True,
        codes_exact=False,
    ),
    Scenario(
        "delegation and child zone list different name servers",
        "ns-mismatch.it",
        "COMPLIANT",
        ("NS_MISMATCH", "MX_OK", "SETUP_DELEGATED"),
        _customer("ns-mismatch.it", "pec IN NS dns.technorail.com.\n"),
        provider_zones={
            "pec.ns-mismatch.it": zone(
                "pec.ns-mismatch.it",
                "@ IN MX 10 mx.pec.aruba.it.\n",
                ns=("dns.technorail.com.", "dns2.technorail.com."),
            )
        },
        servers_only=True,
    ),
    Scenario(
        "delegation to a name inside the child zone without glue",
        "no-glue.it",
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE", "NS_ADDRESS_UNKNOWN", "MISSING_GLUE", "SETUP_EXTERNAL"),
        _customer("no-glue.it", "pec IN NS ns.pec.no-glue.it.\n"),
        servers_only=True,
    ),
    # -- the shapes of issue 9 point 8: DNAME, wildcards, alias chains, zones not loaded ----------
    Scenario(
        "DNAME at the apex, to a domain with the right MX",
        "dname-apex.it",
        "COMPLIANT",
        ("PEC_NAME_DNAME", "MX_OK", "SETUP_EXTERNAL"),
        _customer("dname-apex.it", "@ IN DNAME dname-new.it.\n") | _customer("dname-new.it", OK_MX),
        dnames=(("dname-apex.it.", "dname-new.it."),),
    ),
    Scenario(
        "DNAME at the apex, to a domain that does not exist",
        "dname-gone.it",
        "NON_COMPLIANT",
        ("PEC_NAME_DNAME", "PEC_NAME_NXDOMAIN", "SETUP_EXTERNAL"),
        _customer("dname-gone.it", "@ IN DNAME gone.it.\n"),
        dnames=(("dname-gone.it.", "gone.it."),),
    ),
    Scenario(
        "DNAME at the PEC name (it moves the names below it, not the name itself)",
        "dname-pec.it",
        "NON_COMPLIANT",
        ("MX_MISSING", "SETUP_EXTERNAL"),
        _customer("dname-pec.it", "pec IN DNAME dname-new.it.\n"),
    ),
    Scenario(
        "DNAME beside the right MX at the PEC name",
        "dname-beside.it",
        "COMPLIANT",
        ("MX_OK", "SETUP_EXTERNAL"),
        _customer("dname-beside.it", "pec IN DNAME dname-new.it.\n" + OK_MX),
    ),
    Scenario(
        "wildcard MX answering for the PEC name",
        "wild-mx.it",
        "COMPLIANT",
        ("MX_OK", "SETUP_EXTERNAL"),
        _customer("wild-mx.it", "* IN MX 10 mx.pec.aruba.it.\n"),
    ),
    Scenario(
        "wildcard MX beside a PEC name that exists without MX",
        "wild-nodata.it",
        "NON_COMPLIANT",
        ("MX_MISSING", "SETUP_EXTERNAL"),
        _customer("wild-nodata.it", "* IN MX 10 mx.pec.aruba.it.\npec IN A 192.0.2.87\n"),
    ),
    Scenario(
        "CNAME chain across domains to the right MX",
        "cname-chain.it",
        "COMPLIANT",
        ("PEC_NAME_ALIAS", "MX_OK", "SETUP_EXTERNAL"),
        _customer(
            "cname-chain.it", "pec IN CNAME a.cname-chain.it.\na IN CNAME pec.cname-new.it.\n"
        )
        | _customer("cname-new.it", OK_MX),
    ),
    Scenario(
        "CNAME into a DNAME, across domains",
        "cname-dname.it",
        "COMPLIANT",
        ("PEC_NAME_ALIAS", "MX_OK", "SETUP_EXTERNAL"),
        _customer("cname-dname.it", "pec IN CNAME pec.dname-apex.it.\n"),
        dnames=(("dname-apex.it.", "dname-new.it."),),  # behind the second alias, not the first
    ),
    Scenario(
        "PEC name delegated to the provider, whose zone for it is not loaded",
        "pec-not-loaded.it",
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE",),
        _customer(
            "pec-not-loaded.it", "pec IN NS dns.technorail.com.\npec IN NS dns2.technorail.com.\n"
        ),
        codes_exact=False,
        differs={
            "zones": Expect(
                "UNDETERMINED", ("ZONE_NOT_LOADED",), exact=False, absent=("LAME_DELEGATION",)
            )
        },
        not_on=("fake",),
        why="the provider's servers do not serve pec.pec-not-loaded.it: a real server refuses"
        " it (the customer's PEC name is unreachable), while ZoneResolver merely holds no zone"
        " for it and says so; FakeResolver, a flat mapping, has no delegations to follow",
    ),
    Scenario(
        "domain whose zone is not loaded",
        "not-loaded.it",
        "NON_COMPLIANT",
        ("PEC_NAME_UNREACHABLE",),
        codes_exact=False,
        differs={
            "zones": Expect(
                "UNDETERMINED", ("ZONE_NOT_LOADED",), exact=False, absent=("LAME_DELEGATION",)
            )
        },
        not_on=("fake",),
        why="it. delegates not-loaded.it to ns1 and ns2, which do not serve it: real servers"
        " refuse it, ZoneResolver holds no zone for it and says so; FakeResolver has no"
        " delegations to follow",
    ),
)


def _delegated(scenario: Scenario) -> dict[str, str]:
    """The names ``it.`` delegates for a scenario, each to its name servers.

    The domain goes to the scenario's own delegation; every other zone of
    the scenario directly below ``it.`` (a DNAME's or CNAME's target domain)
    to ns1 and ns2, which serve it.
    """
    found = {
        origin: "ns1.example.net. ns2.example.net."
        for origin in scenario.zones
        if origin.endswith(".it") and origin.count(".") == 1
    }
    return found | {scenario.domain: scenario.delegation}


def infrastructure() -> dict[str, str]:
    """The zones of the root server: root, TLDs, provider and DNS operators."""
    delegations = "".join(
        f"{origin.removesuffix('.it')} IN NS {ns}\n"
        for s in SCENARIOS
        for origin, servers in _delegated(s).items()
        for ns in servers.split()
    )
    root_ns = ("a.root.test.",)
    return {
        "": zone(
            "",
            "a.root.test. IN A 127.0.0.2\nit. IN NS a.root.test.\nnet. IN NS a.root.test.\n"
            "com. IN NS a.root.test.\n",
            ns=root_ns,
        ),
        "it": zone("it", "aruba IN NS a.root.test.\n" + delegations, ns=root_ns),
        "net": zone("net", "example IN NS a.root.test.\n", ns=root_ns),
        "com": zone("com", "technorail IN NS a.root.test.\n", ns=root_ns),
        "aruba.it": zone("aruba.it", "mx.pec IN A 192.0.2.25\nmx IN A 192.0.2.26\n", ns=root_ns),
        "example.net": zone(
            "example.net",
            f"ns1 IN A {NS1}\nns2 IN A {NS2}\nlame IN A {PROVIDER}\ndead IN A {DEAD}\n",
            ns=root_ns,
        ),
        "technorail.com": zone(
            "technorail.com", f"dns IN A {PROVIDER}\ndns2 IN A {PROVIDER}\n", ns=root_ns
        ),
    }


def ns1_zones() -> dict[str, str]:
    return {o: t for s in SCENARIOS for o, t in s.zones.items()}


def ns2_zones() -> dict[str, str]:
    return {
        o: t
        for s in SCENARIOS
        for o, t in (s.ns2_zones if s.ns2_zones is not None else s.zones).items()
    }


def provider_zones() -> dict[str, str]:
    return {o: t for s in SCENARIOS for o, t in s.provider_zones.items()}


@contextlib.contextmanager
def running(workdir: Path) -> Iterator[int]:
    """Start the four servers of the topology above in ``workdir``; yield their one port.

    Each server is stopped by its PID on the way out, whatever happened.
    """
    binary("nsd")
    binary("knotd")
    port = free_port([ROOT, NS1, NS2, PROVIDER])
    servers = [
        Nsd(ROOT, port, infrastructure(), workdir),
        Nsd(NS1, port, ns1_zones(), workdir),
        Knot(NS2, port, ns2_zones(), workdir),
        Knot(PROVIDER, port, provider_zones(), workdir),
    ]
    try:
        for server in servers:
            server.start()
        yield port
    finally:
        for server in servers:
            server.stop()
