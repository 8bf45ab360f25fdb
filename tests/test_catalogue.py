"""The scenario catalogue through ZoneResolver and FakeResolver: they must agree with real DNS.

test_integration runs the same table against NSD and Knot; a fake that
disagrees with real servers is a bug in the fake.
"""

from __future__ import annotations

from typing import Any

import dns.zone
import pytest

from pecdns import check
from pecdns.resolvers import RRType, ZoneResolver
from pecdns.testing import FakeResolver
from world import SCENARIOS, Scenario, infrastructure, ns1_zones, provider_zones

ZONE_DATA = {**infrastructure(), **ns1_zones(), **provider_zones()}
TABLE = [s for s in SCENARIOS if not s.servers_only]


def _mapping(zones: dict[str, str]) -> dict[str, Any]:
    """The FakeResolver mapping holding every record of the zones (types pecdns asks)."""
    wanted = {t.value for t in RRType}
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


@pytest.fixture(scope="module")
def zone_resolver() -> ZoneResolver:
    return ZoneResolver(*ZONE_DATA.values())


@pytest.fixture(scope="module")
def fake() -> FakeResolver:
    return FakeResolver(_mapping(ZONE_DATA))


def _assert_report(resolver: object, scenario: Scenario) -> None:
    report = check(scenario.domain, resolver=resolver, policy=scenario.policy)  # type: ignore[arg-type]
    assert str(report.verdict) == scenario.verdict, str(report)
    assert sorted(report.codes()) == sorted(scenario.codes), str(report)


@pytest.mark.parametrize("scenario", TABLE, ids=[s.name for s in TABLE])
def test_scenario_through_zone_files(zone_resolver: ZoneResolver, scenario: Scenario) -> None:
    _assert_report(zone_resolver, scenario)


@pytest.mark.parametrize("scenario", TABLE, ids=[s.name for s in TABLE])
def test_scenario_through_the_fake(fake: FakeResolver, scenario: Scenario) -> None:
    _assert_report(fake, scenario)


def test_most_of_the_catalogue_runs_three_ways() -> None:
    assert len(TABLE) >= 12
    assert {s.verdict for s in TABLE} == {"COMPLIANT", "NON_COMPLIANT"}
