"""The DNSSEC walk on loopback: NSD serves pre-signed zones, Knot signs its own.

The parent ``it.`` (the lab's trust anchor, NSEC, signed with dnspython) is
served by NSD on one address; the children pre-signed with dnspython (one per
way of breaking the chain) by NSD on a second; Knot signs ``example.it.``,
``delegated.it.``, ``rolled.it.`` and ``optout.it.`` itself (NSEC3) on a third. The DS records
of Knot's keys are read from Knot before the parent is signed.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import dns.dnssec
import dns.message
import dns.query
import dns.rdatatype
import pytest
from attrs import evolve

from dnssec_lab import Lab, ds_text, new_key, soa, zone_text
from pecdns import ARUBA, Report, acheck, check
from pecdns._dnssec import DnssecState, DnssecStatus
from pecdns.resolvers import IterativeResolver
from pecdns.resolvers._dnssec_io import validate
from servers import Knot, Nsd, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from dns.rdtypes.ANY.DNSKEY import DNSKEY

pytestmark = pytest.mark.integration

PARENT, CHILDREN, KNOT, NOBODY = "127.0.0.51", "127.0.0.52", "127.0.0.53", "127.0.0.54"
KNOT_ZONES = ("example.it.", "delegated.it.", "rolled.it.", "optout.it.")


class SigningKnot(Knot):
    """Knot signing every zone it serves (ECDSA P-256, NSEC3 without salt or extra iterations)."""

    def config(self) -> str:
        # Knot keeps its generated keys in a KASP database that must live in an existing folder.
        (self.workdir / "db").mkdir(exist_ok=True)
        text = super().config()
        nsec3 = "    nsec3: on\n    nsec3-iterations: 0\n    nsec3-salt-length: 0\n"
        policy = (
            "policy:\n"
            f"  - id: lab\n    algorithm: ecdsap256sha256\n{nsec3}"
            f"  - id: optout\n    algorithm: ecdsap256sha256\n{nsec3}    nsec3-opt-out: on\n"
            "template:\n"
        )
        signing = "    dnssec-signing: on\n    dnssec-policy: lab\nzone:\n"
        text = text.replace("template:\n", policy, 1).replace("zone:\n", signing, 1)
        opt_out = "    file: optout.it.zone\n"
        return text.replace(opt_out, opt_out + "    dnssec-policy: optout\n")

    def ksk(self, origin: str, seconds: float = 15.0) -> DNSKEY:
        """The key-signing key Knot generated for ``origin``, once the zone is signed."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            query = dns.message.make_query(origin, "DNSKEY", want_dnssec=True)
            response = dns.query.udp(query, self.address, port=self.port, timeout=0.5)
            for rrset in response.answer:
                if rrset.rdtype == dns.rdatatype.DNSKEY:
                    return next(k for k in rrset if k.flags & 1)  # type: ignore[no-any-return]
            time.sleep(0.1)
        raise RuntimeError(f"knot did not sign {origin} in time: {self.log()}")


class World:
    def __init__(self, lab: Lab, port: int) -> None:
        self.lab = lab
        self.port = port
        self.servers = {"it.": [PARENT], **{z: [KNOT] for z in KNOT_ZONES}}
        self.servers |= {z: [CHILDREN] for z in lab.children}

    def state(self, child: str, **servers: list[str]) -> DnssecState:
        now = datetime.now(timezone.utc)
        table = {**self.servers, **{f"{z}.it.": a for z, a in servers.items()}}
        return validate(
            f"pec.{child}.it",
            at=now,
            anchor=self.lab.anchor,
            servers=table,
            port=self.port,
            timeout=1.0,
            budget=10.0,
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir: Path = tmp_path_factory.mktemp("dnssec")
    port = free_port([PARENT, CHILDREN, KNOT])
    mx = f"pec MX {Lab.MX}\n"
    knot = SigningKnot(
        KNOT,
        port,
        {
            "example.it": soa("example.it.", KNOT) + mx,
            # pec.delegated.it is delegated to the provider without DS: NSEC3 proves it.
            "delegated.it": soa("delegated.it.", KNOT) + "pec NS dns.technorail.com.\n",
            "rolled.it": soa("rolled.it.", KNOT) + mx,
            # The same, signed with NSEC3 opt-out: no NSEC3 record at all for pec.optout.it.
            "optout.it": soa("optout.it.", KNOT) + "pec NS dns.technorail.com.\n",
        },
        workdir,
    )
    started: list[Nsd | Knot] = []
    try:
        started.append(knot)  # stopped even when it fails to start
        knot.start()
        signed_by_knot = ("example.it.", "delegated.it.", "optout.it.")
        extra = {z: [ds_text(z, knot.ksk(z))] for z in signed_by_knot}
        extra["rolled.it."] = [ds_text("rolled.it.", new_key(ksk=True)[1])]  # a key Knot never had
        lab = Lab(
            now=datetime.now(timezone.utc),
            parent_address=PARENT,
            child_address=CHILDREN,
            extra_ds=extra,
            provider_address="127.0.0.25",
            extra_address=KNOT,
        )
        parent = Nsd(PARENT, port, {"it": zone_text(lab.parent)}, workdir)
        children = Nsd(
            CHILDREN,
            port,
            {o.rstrip("."): zone_text(z) for o, z in lab.children.items()},
            workdir,
        )
        for nsd in (parent, children):
            started.append(nsd)
            nsd.start()
        yield World(lab, port)
    finally:
        for server in started:
            server.stop()


CASES = [
    # (child, status, cause): the PEC name is pec.<child>.it
    ("example", DnssecStatus.SECURE, "secure"),  # Knot-signed child (NSEC3) under the NSD parent
    ("secure", DnssecStatus.SECURE, "secure"),  # NSD serving a dnspython-signed child
    ("delegated", DnssecStatus.INSECURE, "unsigned"),  # Knot's NSEC3 proves pec.delegated.it
    ("optout", DnssecStatus.INSECURE, "unsigned"),  # Knot's NSEC3 opt-out span covers it
    ("unsigned", DnssecStatus.INSECURE, "unsigned"),  # the parent's NSEC proves unsigned.it
    ("expired", DnssecStatus.BOGUS, "expired"),
    ("future", DnssecStatus.BOGUS, "not_yet_valid"),
    ("tampered", DnssecStatus.BOGUS, "bad_signature"),
    ("nosig", DnssecStatus.BOGUS, "missing_rrsig"),
    ("staleds", DnssecStatus.BOGUS, "ds_mismatch"),  # NSD child, DS of a retired key
    ("rolled", DnssecStatus.BOGUS, "ds_mismatch"),  # Knot child, DS of a key it never had
    ("unproven", DnssecStatus.BOGUS, "unproven_insecure"),  # no NSEC for the delegation
]


@pytest.mark.parametrize(("child", "status", "cause"), CASES, ids=[c[0] for c in CASES])
def test_each_case_on_real_servers(
    world: World, child: str, status: DnssecStatus, cause: str
) -> None:
    state = world.state(child)
    assert (state.status, state.cause) == (status, cause), state.reason


def test_the_secure_chain_walks_the_parent_and_knots_zone(world: World) -> None:
    assert world.state("example").chain == ("it.", "example.it.")


def test_knots_nsec3_proof_stops_the_walk_at_the_unsigned_pec_zone(world: World) -> None:
    state = world.state("delegated")
    assert state.chain == ("it.", "delegated.it.", "pec.delegated.it.")
    assert state.subject == "DS pec.delegated.it."


def test_a_silent_server_leaves_the_state_unknown(world: World) -> None:
    state = world.state("secure", secure=[NOBODY])
    assert (state.status, state.cause) == (DnssecStatus.UNKNOWN, "no_answer")
    assert state.detail == "no server of secure.it. answered"


def test_knots_opt_out_answer_has_no_nsec3_record_for_the_pec_name(world: World) -> None:
    # So the INSECURE state of pec.optout.it comes from the opt-out span, not a matching record.
    query = dns.message.make_query("pec.optout.it.", "DS", want_dnssec=True)
    response = dns.query.udp(query, KNOT, port=world.port, timeout=2)
    nsec3 = [r for r in response.authority if r.rdtype == dns.rdatatype.NSEC3]
    hashed = dns.dnssec.nsec3_hash("pec.optout.it.", b"", 0, 1).lower()
    assert nsec3
    assert all(r.name.labels[0].decode().lower() != hashed for r in nsec3)
    assert any(rd.flags & 1 for r in nsec3 for rd in r)


# -- a whole check, as the daily check's validating resolvers would see the PEC name ---------

FULL = [
    # (child, verdict, DNSSEC code, cause): the MX of pec.<child>.it is right in every case
    ("secure", "COMPLIANT", "DNSSEC_SECURE", "secure"),
    ("example", "COMPLIANT", "DNSSEC_SECURE", "secure"),  # signed by Knot
    ("unsigned", "COMPLIANT", "DNSSEC_INSECURE", "unsigned"),
    ("expired", "NON_COMPLIANT", "DNSSEC_BOGUS", "expired"),
    ("staleds", "NON_COMPLIANT", "DNSSEC_BOGUS", "ds_mismatch"),
    ("rolled", "NON_COMPLIANT", "DNSSEC_BOGUS", "ds_mismatch"),  # Knot
    ("unproven", "NON_COMPLIANT", "DNSSEC_BOGUS", "unproven_insecure"),
]


def dnssec_of(report: Report) -> DnssecState:
    state = report.observation.dnssec
    assert state is not None
    return state


def full_check(world: World, child: str, **options: object) -> Report:
    resolver = IterativeResolver([PARENT], port=world.port, timeout=1.0)
    policy = evolve(ARUBA, trust_anchor=world.lab.anchor)
    return check(f"{child}.it", resolver=resolver, policy=policy, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("child", "verdict", "code", "cause"), FULL, ids=[c[0] for c in FULL])
def test_a_full_check_grades_the_dnssec_state_of_the_pec_name(
    world: World, child: str, verdict: str, code: str, cause: str
) -> None:
    report = full_check(world, child)
    assert (report.verdict.value, dnssec_of(report).cause) == (verdict, cause), [
        str(f) for f in report.findings
    ]
    assert code in report.codes()
    assert "MX_OK" in report.codes()  # the MX itself is right: only DNSSEC decides


def test_a_bogus_finding_names_the_failing_record_set_and_the_fix(world: World) -> None:
    report = full_check(world, "staleds", lang="it")
    (bogus,) = [f for f in report.findings if f.code == "DNSSEC_BOGUS"]
    assert bogus.severity.name == "ERROR"
    assert bogus.clause == "P6.1"
    assert "DNSKEY staleds.it." in bogus.message
    assert "record DS presso la zona padre" in bogus.message
    assert bogus.fix is not None
    assert "staleds.it." in bogus.fix


def test_signatures_are_checked_at_the_checks_given_time(world: World) -> None:
    # pec.future.it's signatures start in 10 days: bogus now, secure at a given time in 15.
    later = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=15)
    now = full_check(world, "future")
    then = full_check(world, "future", at=later)
    assert (now.verdict.value, dnssec_of(now).cause) == ("NON_COMPLIANT", "not_yet_valid")
    assert (then.verdict.value, dnssec_of(then).cause) == ("COMPLIANT", "secure")
    assert dnssec_of(then).at == later


def test_without_a_given_time_the_state_records_the_checks_own_clock(world: World) -> None:
    before = datetime.now(timezone.utc)
    state = full_check(world, "secure").observation.dnssec
    assert state is not None
    assert state.at is not None
    assert before <= state.at <= datetime.now(timezone.utc)
    assert full_check(world, "secure").to_dict()["observation"]["dnssec"]["status"] == "SECURE"


def test_acheck_grades_a_bogus_name_as_check_does(world: World) -> None:
    resolver = IterativeResolver([PARENT], port=world.port, timeout=1.0)
    policy = evolve(ARUBA, trust_anchor=world.lab.anchor)
    report = asyncio.run(acheck("expired.it", resolver=resolver, policy=policy))
    assert report.verdict.value == "NON_COMPLIANT"
    assert report.observation.dnssec == full_check(world, "expired").observation.dnssec
