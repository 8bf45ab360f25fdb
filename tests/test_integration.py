"""The scenario catalogue against real NSD and Knot servers on loopback, over UDP and TCP."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pecdns import check
from pecdns.resolvers import DnsResolver, IterativeResolver, Outcome, Query
from world import (
    NS1,
    NS2,
    PROVIDER,
    ROOT,
    SCENARIOS,
    Scenario,
    assert_report,
    running,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IterativeResolver]:
    """Start the four servers of the scenario world; yield a resolver that walks from its root."""
    with running(tmp_path_factory.mktemp("dns-world")) as port:
        yield IterativeResolver([ROOT], port=port, timeout=0.4, lifetime=4.0)


SERVERS = [s for s in SCENARIOS if s.runs_on("servers")]


@pytest.mark.parametrize("scenario", SERVERS, ids=[s.name for s in SERVERS])
def test_scenario_on_real_servers(world: IterativeResolver, scenario: Scenario) -> None:
    report = check(scenario.domain, resolver=world, policy=scenario.policy)
    assert_report(report, scenario.expect("servers"))


def test_an_unsigned_root_leaves_the_dnssec_state_unknown_not_the_domains_fault(
    world: IterativeResolver,
) -> None:
    # The lab's root has no keys, so the root's published anchor cannot start the chain.
    report = check("ok-parent.it", resolver=world)
    state = report.observation.dnssec
    assert state is not None
    assert (state.status.value, state.cause) == ("UNKNOWN", "anchor")
    assert report.verdict.value == "COMPLIANT"
    assert "DNSSEC_UNKNOWN" in report.codes()


def test_every_server_of_the_domain_is_asked_directly(world: IterativeResolver) -> None:
    report = check("ok-parent.it", resolver=world)
    probes = report.observation.parent_probes
    assert sorted((p.name, p.address) for p in probes) == [
        ("ns1.example.net.", NS1),
        ("ns2.example.net.", NS2),
    ]
    for probe in probes:
        assert probe.mx is not None
        assert probe.mx.authoritative is True
        assert probe.mx.server == f"{probe.address}#{world.port}"


def test_a_delegated_pec_zone_is_followed_to_the_providers_servers(
    world: IterativeResolver,
) -> None:
    report = check("ok-child.it", resolver=world)
    obs = report.observation
    assert obs.delegated
    assert {p.mx.outcome for p in obs.parent_probes if p.mx} == {Outcome.REFERRAL}
    assert sorted(p.name for p in obs.child_probes) == [
        "dns.technorail.com.",
        "dns2.technorail.com.",
    ]
    assert obs.child_ns is not None
    assert obs.child_ns.records == ("dns.technorail.com.", "dns2.technorail.com.")


def test_the_walk_refuses_to_trust_a_non_authoritative_server(world: IterativeResolver) -> None:
    answer = world.resolve(Query("pec.lame.it", "MX", server=PROVIDER))
    assert answer.outcome is Outcome.REFUSED


def test_a_stub_resolver_pointed_at_a_parent_sees_no_answer_where_the_walk_does(
    world: IterativeResolver,
) -> None:
    stub = DnsResolver([NS1], port=world.port, timeout=0.4, lifetime=1.0)
    assert stub.resolve(Query("pec.ok-child.it", "MX")).outcome is not Outcome.ANSWER
    assert world.resolve(Query("pec.ok-child.it", "MX")).records == ("10 mx.pec.aruba.it.",)
