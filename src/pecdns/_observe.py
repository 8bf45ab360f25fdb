"""Gathering: ask a resolver everything the rules need, and judge nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pecdns._budget import spent
from pecdns._models import (
    BUDGET_SPENT,
    Answer,
    HostLookup,
    Observation,
    Outcome,
    Query,
    RRType,
    ServerProbe,
)
from pecdns.exceptions import InvalidRecordError, PecdnsError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from pecdns._domain import Domain
    from pecdns._policy import Policy
    from pecdns.resolvers import Resolver

__all__ = ["observe"]


def _ask(resolver: Resolver, name: str, rdtype: RRType, server: str | None = None) -> Answer:
    """Ask one question; a resolver that raises gives an ERROR answer instead.

    A check must report on every domain, so even a buggy resolver's exception
    becomes evidence (with its text) rather than escaping the check; only
    pecdns's own errors, which mean misuse, pass through.
    """
    query = Query(name, rdtype, server=server)
    if spent():
        return Answer(query, Outcome.TIMEOUT, detail=BUDGET_SPENT)
    try:
        answer = resolver.resolve(query)
        if answer.query != query:
            return Answer(
                query,
                Outcome.ERROR,
                detail=f"the resolver answered another question: {answer.query}",
            )
        if rdtype is RRType.MX:
            answer.mx  # noqa: B018 -- parse now, so bad MX data is an ERROR answer here
    except InvalidRecordError as exc:
        return Answer(query, Outcome.ERROR, detail=f"malformed answer: {exc}")
    except PecdnsError:
        raise  # pecdns's own deliberate errors mean misuse (a replay missing a question)
    except Exception as exc:  # noqa: BLE001 -- a resolver's failure is evidence, never a crash
        return Answer(query, Outcome.ERROR, detail=f"{type(exc).__name__}: {exc}")
    return answer


def _addresses(resolver: Resolver, host: str) -> HostLookup:
    a = _ask(resolver, host, RRType.A)
    if a.outcome is Outcome.ANSWER or a.outcome is Outcome.NXDOMAIN:
        return HostLookup(host, a)
    return HostLookup(host, a, _ask(resolver, host, RRType.AAAA))


class _Prober:
    """Asks each authoritative server of the PEC name directly (P6.1).

    Host look-ups are shared within one observation, so a name server listed
    at both the parent and the child is looked up once.
    """

    def __init__(self, resolver: Resolver, pec: str) -> None:
        self.resolver = resolver
        self.pec = pec
        self.lookups: dict[str, HostLookup] = {}

    def addresses(self, host: str) -> tuple[str, ...]:
        if host not in self.lookups:
            self.lookups[host] = _addresses(self.resolver, host)
        return self.lookups[host].addresses

    def probe(self, servers: Iterable[str], glue: Mapping[str, list[str]]) -> list[ServerProbe]:
        probes = []
        for name in dict.fromkeys(servers):
            addresses = glue.get(name) or self.addresses(name)
            probes += [
                ServerProbe(name, address, _ask(self.resolver, self.pec, RRType.MX, address))
                for address in addresses
            ] or [ServerProbe(name)]
        return probes


def _probe(
    resolver: Resolver, pec: str, domain_ns: Answer
) -> tuple[tuple[HostLookup, ...], list[ServerProbe], list[ServerProbe], Answer | None]:
    """Ask the domain's servers, then (if they refer) the PEC zone's servers, for the MX."""
    if domain_ns.outcome is not Outcome.ANSWER or domain_ns.aliases:
        return (), [], [], None
    prober = _Prober(resolver, pec)
    parent = prober.probe(domain_ns.records, {})
    referrals = [p.mx for p in parent if p.mx is not None and p.mx.outcome is Outcome.REFERRAL]
    child: list[ServerProbe] = []
    child_ns = None
    if referrals:
        glue: dict[str, list[str]] = {}
        for referral in referrals:
            for name, address in referral.glue:
                glue.setdefault(name, []).append(address)
        glue = {name: list(dict.fromkeys(addresses)) for name, addresses in glue.items()}
        child = prober.probe((n for r in referrals for n in r.referral), glue)
        first = next((p.address for p in child if p.address is not None), None)
        if first is not None:
            child_ns = _ask(resolver, pec, RRType.NS, first)
    return tuple(prober.lookups.values()), parent, child, child_ns


def observe(domain: Domain, resolver: Resolver, policy: Policy) -> Observation:
    """Ask ``resolver`` what the rules need to judge ``domain`` under ``policy``.

    The questions: MX and NS of the PEC name and of the registrable domain,
    and the addresses of the policy's MX host and of every MX host of the PEC
    name (AAAA only where A gave none). Then, as a registry's checker does,
    the PEC name's MX asked of every server of the registrable domain
    directly, and, when they refer it to servers of its own, of each of those
    and their NS set.
    """
    pec = policy.pec_name(domain)
    apex = f"{domain.name}."
    pec_mx = _ask(resolver, pec, RRType.MX)
    hosts = [policy.mx_host]
    if pec_mx.outcome is Outcome.ANSWER:
        hosts += [mx.exchange for mx in pec_mx.mx if not mx.is_null]
    domain_mx = _ask(resolver, apex, RRType.MX)
    domain_ns = _ask(resolver, apex, RRType.NS)
    pec_ns = _ask(resolver, pec, RRType.NS)
    lookups = tuple(_addresses(resolver, host) for host in dict.fromkeys(hosts))
    ns_hosts, parent, child, child_ns = _probe(resolver, pec, domain_ns)
    return Observation(
        domain=domain,
        pec_name=pec,
        pec_mx=pec_mx,
        domain_mx=domain_mx,
        domain_ns=domain_ns,
        pec_ns=pec_ns,
        hosts=lookups,
        ns_hosts=ns_hosts,
        parent_probes=tuple(parent),
        child_probes=tuple(child),
        child_ns=child_ns,
    )
