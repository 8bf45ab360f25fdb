"""A DNSSEC lab: signed zones built with dnspython, and an in-process authority answering from them.

The parent ``it.`` (the lab's trust anchor) delegates one child per case;
each child holds ``pec.<child>`` with the provider's MX. Cases break the
chain in one way each. The same zones are served by NSD in
tests/test_dnssec_servers.py and answered in-process in tests/test_dnssec.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.node
import dns.rcode
import dns.rdata
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec
from dns.dnssectypes import Algorithm
from dns.rdtypes.dnskeybase import Flag

from pecdns._dnssec import Question, TrustAnchor

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from dns.rdtypes.ANY.DNSKEY import DNSKEY

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def windows(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """Signature validity windows around ``now``: valid, expired 10 days ago, valid in 10 days."""
    day = timedelta(days=1)
    return {
        "valid": (now - day, now + 30 * day),
        "expired": (now - 40 * day, now - 10 * day),
        "future": (now + 10 * day, now + 40 * day),
    }


VALID = windows(NOW)["valid"]

Key = tuple[ec.EllipticCurvePrivateKey, "DNSKEY"]


def new_key(*, ksk: bool) -> Key:
    """A fresh ECDSA P-256 key pair (KSK when ``ksk``)."""
    private = ec.generate_private_key(ec.SECP256R1())
    flags = Flag.ZONE | (Flag.SEP if ksk else 0)
    dnskey = dns.dnssec.make_dnskey(private.public_key(), Algorithm.ECDSAP256SHA256, flags=flags)
    return private, dnskey


def ds_text(origin: str, dnskey: DNSKEY) -> str:
    """The SHA-256 DS rdata of ``dnskey`` as presentation text."""
    return dns.dnssec.make_ds(origin, dnskey, "SHA256").to_text()


def soa(origin: str, ns_address: str = "127.0.0.1") -> str:
    """The apex of a lab zone: SOA, NS and the name server's glue."""
    return (
        f"$ORIGIN {origin}\n$TTL 300\n"
        f"@ SOA ns.{origin} hostmaster.{origin} 1 3600 600 86400 300\n"
        f"@ NS ns.{origin}\nns A {ns_address}\n"
    )


def signed(
    origin: str,
    text: str,
    keys: list[Key],
    window: tuple[datetime, datetime],
) -> dns.zone.Zone:
    """``text`` as a zone signed (NSEC) by ``keys`` with signatures valid in ``window``."""
    zone = dns.zone.from_text(text, origin, relativize=False)
    signers: list[Any] = list(keys)  # sign_zone's list of key pairs is invariant
    dns.dnssec.sign_zone(zone, keys=signers, inception=window[0], expiration=window[1])
    return zone


def zone_text(zone: dns.zone.Zone) -> str:
    return zone.to_text(relativize=False)


def strip(zone: dns.zone.Zone, name: str, rdtype: str, covered: str | None = None) -> None:
    """Delete one record set (or the RRSIGs covering ``covered``) from ``zone``."""
    node = zone.get_node(name)
    assert node is not None
    kind = dns.rdatatype.from_text(rdtype)
    cover = dns.rdatatype.from_text(covered) if covered else dns.rdatatype.NONE
    node.delete_rdataset(dns.rdataclass.IN, kind, cover)


def replace(zone: dns.zone.Zone, name: str, rdtype: str, text: str) -> None:
    """Replace a record set's data, keeping its (now stale) signatures."""
    node = zone.get_node(name)
    assert node is not None
    old = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype))
    assert old is not None
    new = dns.rdataset.from_text("IN", rdtype, old.ttl, text)
    node.replace_rdataset(new)


class Lab:
    """The parent ``it.`` and its children, one per case, signed in memory."""

    MX = "10 mx.pec.aruba.it."

    def __init__(
        self,
        *,
        now: datetime = NOW,
        parent_address: str = "127.0.0.1",
        child_address: str = "127.0.0.1",
        extra_ds: Mapping[str, list[str]] | None = None,
        provider_address: str | None = None,
        extra_address: str | None = None,
    ) -> None:
        self.parent_key = new_key(ksk=True)
        self.anchor = TrustAnchor("it.", ds=(ds_text("it.", self.parent_key[1]),))
        self.children: dict[str, dns.zone.Zone] = {}
        self.child_keys: dict[str, Key] = {}
        parent_ds: dict[str, list[str]] = dict(extra_ds or {})
        times = windows(now)
        for child, window in (
            ("secure", "valid"),
            ("expired", "expired"),
            ("future", "future"),
            ("tampered", "valid"),
            ("nosig", "valid"),
            ("staleds", "valid"),
        ):
            origin = f"{child}.it."
            key = new_key(ksk=True)
            text = soa(origin, child_address) + f"pec MX {self.MX}\n"
            zone = signed(origin, text, [key], times[window])
            self.child_keys[origin] = key
            self.children[origin] = zone
            if child == "staleds":
                parent_ds[origin] = [ds_text(origin, new_key(ksk=True)[1])]  # a retired key
            else:
                parent_ds[origin] = [ds_text(origin, key[1])]
        replace(self.children["tampered.it."], "pec.tampered.it.", "MX", "10 mail.tampered.it.")
        strip(self.children["nosig.it."], "pec.nosig.it.", "RRSIG", "MX")
        # Unsigned children: one the parent proves unsigned, one it does not.
        for origin in ("unsigned.it.", "unproven.it."):
            self.children[origin] = dns.zone.from_text(
                soa(origin, child_address) + f"pec MX {self.MX}\n", origin, relativize=False
            )
        lines = [soa("it.", parent_address)]
        if provider_address is not None:  # the provider's MX host, so that a full check can run
            lines.append(f"mx.pec.aruba.it. A {provider_address}\n")
        for origin in [*parent_ds, "unsigned.it.", "unproven.it."]:
            # The zones of extra_ds live elsewhere (Knot's own): their glue says where.
            outside = origin in (extra_ds or {}) and extra_address is not None
            address = extra_address if outside else child_address
            lines.append(f"{origin} NS ns.{origin}\nns.{origin} A {address}\n")
            lines.extend(f"{origin} DS {ds}\n" for ds in parent_ds.get(origin, []))
        self.parent = signed("it.", "".join(lines), [self.parent_key], times["valid"])
        strip(self.parent, "unproven.it.", "NSEC")
        strip(self.parent, "unproven.it.", "RRSIG", "NSEC")

    @staticmethod
    def resigned(zone: dns.zone.Zone, key: Key, now: datetime) -> dns.zone.Zone:
        """``zone`` signed again by ``key`` with signatures valid around ``now``."""
        origin = zone.origin
        assert origin is not None
        text = "".join(
            f"{name} {ttl} IN {dns.rdatatype.to_text(rdata.rdtype)} {rdata.to_text()}\n"
            for name, ttl, rdata in zone.iterate_rdatas()
            if rdata.rdtype not in {dns.rdatatype.RRSIG, dns.rdatatype.NSEC, dns.rdatatype.DNSKEY}
        )
        return signed(origin.to_text(), text, [key], windows(now)["valid"])

    @property
    def zones(self) -> dict[str, dns.zone.Zone]:
        return {"it.": self.parent, **self.children}

    def ask(self, questions: list[Question]) -> list[dns.message.Message | None]:
        """Answer a round in-process, as the zone's authoritative server would."""
        return [answer(self.zones.get(q.zone), q) for q in questions]


def answer(zone: dns.zone.Zone | None, question: Question) -> dns.message.Message | None:
    """The authoritative response of ``zone`` to ``question`` (DO set): data or signed denial."""
    if zone is None:
        return None
    query = question.message()
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    name = dns.name.from_text(question.name)
    rdtype = dns.rdatatype.from_text(question.rdtype)
    node = zone.get_node(name)
    if node is not None and (found := node.get_rdataset(dns.rdataclass.IN, rdtype)) is not None:
        response.answer.append(_rrset(name, found))
        _add_sigs(response.answer, name, node, rdtype)
        return response
    origin = zone.origin
    assert origin is not None
    apex = zone.get_node(origin)
    assert apex is not None
    _add(response.authority, origin, apex, dns.rdatatype.SOA)
    if node is not None:
        _add(response.authority, name, node, dns.rdatatype.NSEC)
        return response
    response.set_rcode(dns.rcode.NXDOMAIN)
    for owner, other in zone.nodes.items():
        nsec = other.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC)
        if nsec is not None and _covers(owner, nsec[0].next, name):
            _add(response.authority, owner, other, dns.rdatatype.NSEC)
    return response


def _covers(owner: dns.name.Name, nxt: dns.name.Name, name: dns.name.Name) -> bool:
    return bool(owner < name < nxt or (nxt <= owner and (name > owner or name < nxt)))


def _rrset(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    return dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))


def _add(
    section: list[dns.rrset.RRset], name: dns.name.Name, node: dns.node.Node, rdtype: int
) -> None:
    found = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RdataType.make(rdtype))
    if found is not None:
        section.append(_rrset(name, found))
        _add_sigs(section, name, node, found.rdtype)


def _add_sigs(
    section: list[dns.rrset.RRset], name: dns.name.Name, node: dns.node.Node, covered: int
) -> None:
    sigs = node.get_rdataset(
        dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.RdataType.make(covered)
    )
    if sigs is not None:
        section.append(_rrset(name, sigs))


def asker(
    zones: Mapping[str, dns.zone.Zone],
) -> Callable[[list[Question]], list[dns.message.Message | None]]:
    """An ``ask`` function answering from ``zones`` ({origin: zone})."""
    return lambda questions: [answer(zones.get(q.zone), q) for q in questions]
