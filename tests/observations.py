"""Observations of every kind a batch meets, for the tests and benchmarks of judging.

Every scenario of the catalogue (``world.py``) through zone files and the
fake, and what zone files cannot show: a name server that times out,
refuses, answers without authority or only without EDNS; a time budget
spent before the probes; caps reached; each DNSSEC state; the customer's own
servers. ``tests/test_rules_report.py`` checks ``report()``'s shortcuts over
them and ``bench/report.py`` times ``report()`` on them, old code against new
(so this module uses only what both understand).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import dns.zone

from pecdns import ARUBA, Domain, Policy
from pecdns._dnssec import DnssecState, DnssecStatus
from pecdns._models import BUDGET_SPENT
from pecdns._observe import observe
from pecdns.resolvers import Answer, Outcome, Query, RRType, ZoneResolver
from pecdns.testing import FakeResolver
from world import SCENARIOS, infrastructure, ns1_zones, provider_zones

if TYPE_CHECKING:
    from pecdns._models import Observation

ZONE_DATA = {**infrastructure(), **ns1_zones(), **provider_zones()}
ZONES = [s for s in SCENARIOS if s.runs_on("zones")]
FAKE = [s for s in SCENARIOS if s.runs_on("fake")]


def fake_mapping(zones: dict[str, str]) -> dict[str, Any]:
    """The FakeResolver mapping holding every record of the zones (types pecdns asks)."""
    wanted = {t.value for t in RRType} | {"DNAME"}
    mapping: dict[str, dict[str, set[str]]] = {}
    for text in zones.values():
        parsed = dns.zone.from_text(text, relativize=False, check_origin=False)
        for name, node in parsed.nodes.items():
            for rdataset in node.rdatasets:
                rdtype = dns.rdatatype.to_text(rdataset.rdtype)
                if rdtype in wanted:
                    entry = mapping.setdefault(str(name), {}).setdefault(rdtype, set())
                    entry.update(rd.to_text() for rd in rdataset)
    return {name: {t: sorted(v) for t, v in types.items()} for name, types in mapping.items()}


NS2 = "127.0.0.4"  # the catalogue's second customer name server
ZONES_RESOLVER = ZoneResolver(*ZONE_DATA.values())
FAKE_RESOLVER = FakeResolver(fake_mapping(ZONE_DATA), record=False)


def _faulty(fault: str) -> FakeResolver:
    """The zones, but the second name server answers its direct questions with ``fault``."""

    def handler(query: Query) -> Answer:
        answer = ZONES_RESOLVER.resolve(query)
        if query.server != NS2:
            return answer
        if fault == "timeout":
            return Answer(query, Outcome.TIMEOUT, server=f"{NS2}#53", detail="no answer in 2.0 s")
        if fault == "refused":
            return Answer(query, Outcome.REFUSED, server=f"{NS2}#53", authoritative=False)
        if fault == "not aa" and answer.outcome is Outcome.ANSWER:
            return attrs.evolve(answer, authoritative=False)
        why = "FORMERR without an OPT record" if fault == "edns" else ""
        return attrs.evolve(answer, server=f"{NS2}#53", edns_fallback=why)

    return FakeResolver(handler, record=False)


def _spent(obs: Observation) -> Observation:
    """The budget ran out before the apex MX and the probes were asked."""

    def unasked(answer: Answer) -> Answer:
        return Answer(answer.query, Outcome.TIMEOUT, detail=BUDGET_SPENT)

    probes = tuple(attrs.evolve(p, mx=p.mx and unasked(p.mx)) for p in obs.parent_probes)
    return attrs.evolve(obs, parent_probes=probes, domain_mx=unasked(obs.domain_mx))


_STATES = (
    DnssecState(DnssecStatus.SECURE, "secure", "MX pec.x.it.", "signed", ("it.", "x.it.")),
    DnssecState(DnssecStatus.INSECURE, "unsigned", "DS x.it.", "no DS", ("it.",)),
    DnssecState(DnssecStatus.BOGUS, "expired", "MX pec.x.it.", "RRSIG expired", ("it.",)),
    DnssecState(DnssecStatus.UNKNOWN, "no_crypto", "", "install pecdns[dnssec]"),
)


def corpus() -> list[tuple[str, Observation, Policy]]:
    found = [
        *(
            (f"zones: {s.name}", observe(Domain(s.domain), ZONES_RESOLVER, s.policy), s.policy)
            for s in ZONES
        ),
        *(
            (f"fake: {s.name}", observe(Domain(s.domain), FAKE_RESOLVER, s.policy), s.policy)
            for s in FAKE
        ),
    ]
    some = ZONES[:6]
    for fault in ("timeout", "refused", "not aa", "edns"):
        resolver = _faulty(fault)
        found += [
            (f"{fault}: {s.name}", observe(Domain(s.domain), resolver, s.policy), s.policy)
            for s in some
        ]
    tight = attrs.evolve(
        ARUBA, limits={"mx_hosts": 1, "name_servers": 1, "addresses_per_server": 1}
    )
    own = attrs.evolve(ARUBA, own_mail_servers=["192.0.2.0/24", "mail.hybrid.it"])
    for s in [*some[:3], *(s for s in ZONES if "hybrid" in s.name)]:
        obs = observe(Domain(s.domain), ZONES_RESOLVER, s.policy)
        found.append((f"spent: {s.name}", _spent(obs), s.policy))
        found += [
            (f"{st.code}: {s.name}", attrs.evolve(obs, dnssec=st), s.policy) for st in _STATES
        ]
        found.append((f"caps: {s.name}", observe(Domain(s.domain), ZONES_RESOLVER, tight), tight))
        found.append(
            (f"own servers: {s.name}", observe(Domain(s.domain), ZONES_RESOLVER, own), own)
        )
    return found
