"""The scenario catalogue through ZoneResolver and FakeResolver: they must agree with real DNS.

test_integration runs the same table against NSD and Knot; a fake that
disagrees with real servers is a bug in the fake.
"""

from __future__ import annotations

import pytest

from observations import FAKE, ZONE_DATA, ZONES, fake_mapping
from pecdns import check
from pecdns.resolvers import ZoneResolver
from pecdns.testing import FakeResolver
from world import (
    SCENARIOS,
    Scenario,
    assert_report,
)


@pytest.fixture(scope="module")
def zone_resolver() -> ZoneResolver:
    return ZoneResolver(*ZONE_DATA.values())


@pytest.fixture(scope="module")
def fake() -> FakeResolver:
    return FakeResolver(fake_mapping(ZONE_DATA))


@pytest.mark.parametrize("scenario", ZONES, ids=[s.name for s in ZONES])
def test_scenario_through_zone_files(zone_resolver: ZoneResolver, scenario: Scenario) -> None:
    report = check(scenario.domain, resolver=zone_resolver, policy=scenario.policy)
    assert_report(report, scenario.expect("zones"))


@pytest.mark.parametrize("scenario", FAKE, ids=[s.name for s in FAKE])
def test_scenario_through_the_fake(fake: FakeResolver, scenario: Scenario) -> None:
    report = check(scenario.domain, resolver=fake, policy=scenario.policy)
    assert_report(report, scenario.expect("fake"))


def test_most_of_the_catalogue_runs_three_ways() -> None:
    three_ways = [s for s in FAKE if s in ZONES and not s.differs]
    assert len(three_ways) >= 20
    assert {s.verdict for s in three_ways} == {"COMPLIANT", "NON_COMPLIANT"}


def test_every_scenario_that_differs_or_cannot_run_says_why() -> None:
    for scenario in SCENARIOS:
        assert bool(scenario.differs or scenario.not_on) == bool(scenario.why), scenario.name
