"""Gathering: ask a resolver everything the rules need, and judge nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pecdns._models import Answer, HostLookup, Observation, Outcome, Query, RRType
from pecdns.exceptions import InvalidRecordError

if TYPE_CHECKING:
    from pecdns._domain import Domain
    from pecdns._policy import Policy
    from pecdns.resolvers import Resolver

__all__ = ["observe"]


def _ask(resolver: Resolver, name: str, rdtype: RRType) -> Answer:
    """Ask one question; a resolver that raises gives an ERROR answer instead.

    A check must report on every domain, so even a buggy resolver's exception
    becomes evidence (with its text) rather than escaping the check.
    """
    query = Query(name, rdtype)
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
    except Exception as exc:  # noqa: BLE001 -- a resolver's failure is evidence, never a crash
        return Answer(query, Outcome.ERROR, detail=f"{type(exc).__name__}: {exc}")
    return answer


def _addresses(resolver: Resolver, host: str) -> HostLookup:
    a = _ask(resolver, host, RRType.A)
    if a.outcome is Outcome.ANSWER or a.outcome is Outcome.NXDOMAIN:
        return HostLookup(host, a)
    return HostLookup(host, a, _ask(resolver, host, RRType.AAAA))


def observe(domain: Domain, resolver: Resolver, policy: Policy) -> Observation:
    """Ask ``resolver`` what the rules need to judge ``domain`` under ``policy``.

    The questions: MX and NS of the PEC name and of the registrable domain,
    and the addresses of the policy's MX host and of every MX host of the PEC
    name (AAAA only where A gave none).
    """
    pec = policy.pec_name(domain)
    apex = f"{domain.name}."
    pec_mx = _ask(resolver, pec, RRType.MX)
    hosts = [policy.mx_host]
    if pec_mx.outcome is Outcome.ANSWER:
        hosts += [mx.exchange for mx in pec_mx.mx if not mx.is_null]
    return Observation(
        domain=domain,
        pec_name=pec,
        pec_mx=pec_mx,
        domain_mx=_ask(resolver, apex, RRType.MX),
        domain_ns=_ask(resolver, apex, RRType.NS),
        pec_ns=_ask(resolver, pec, RRType.NS),
        hosts=tuple(_addresses(resolver, host) for host in dict.fromkeys(hosts)),
    )
