"""Gathering: ask a resolver everything the rules need, and judge nothing.

Gathering is written once, without I/O: :func:`plan` is a generator that
yields *rounds* of questions (those that do not depend on each other) and is
sent back their answers. :func:`observe` runs it against a resolver, one
question after another; :func:`aobserve` runs it against an async resolver,
each round's questions at once.
"""

from __future__ import annotations

import asyncio
import functools
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
    from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping

    from pecdns._domain import Domain
    from pecdns._policy import Policy
    from pecdns.resolvers import AsyncResolver, Resolver

__all__ = ["aobserve", "observe", "plan"]


def _checked(query: Query, call: Callable[[], Answer]) -> Answer:
    """The answer ``call`` gives to ``query``, or an ERROR answer saying what went wrong."""
    try:
        return _valid(query, call())
    except Exception as exc:  # noqa: BLE001 -- _failure keeps it as evidence or re-raises
        return _failure(query, exc)


def _failure(query: Query, exc: Exception) -> Answer:
    """The ERROR answer standing for a resolver's exception.

    A check must report on every domain, so even a buggy resolver's exception
    becomes evidence (with its text) rather than escaping the check; only
    pecdns's own errors, which mean misuse, pass through.
    """
    if isinstance(exc, InvalidRecordError):
        return Answer(query, Outcome.ERROR, detail=f"malformed answer: {exc}")
    if isinstance(exc, PecdnsError):
        raise exc  # pecdns's own deliberate errors mean misuse (a replay missing a question)
    return Answer(query, Outcome.ERROR, detail=f"{type(exc).__name__}: {exc}")


def _valid(query: Query, answer: Answer) -> Answer:
    if answer.query != query:
        detail = f"the resolver answered another question: {answer.query}"
        return Answer(query, Outcome.ERROR, detail=detail)
    return answer


def _unasked(query: Query) -> Answer | None:
    return Answer(query, Outcome.TIMEOUT, detail=BUDGET_SPENT) if spent() else None


def _lookups(
    hosts: Iterable[str], known: Mapping[str, Answer] | None = None
) -> Generator[list[Query], list[Answer], dict[str, HostLookup]]:
    """Address look-ups of ``hosts``: A for all, then AAAA where A gave none.

    ``known`` holds A answers already asked for (the provider's host, asked first).
    """
    names = list(dict.fromkeys(hosts))
    if not names:
        return {}
    known = known or {}
    ask = [h for h in names if h not in known]
    asked = dict(zip(ask, (yield [Query(h, RRType.A) for h in ask]) if ask else [], strict=True))
    a = [known[h] if h in known else asked[h] for h in names]
    again = [
        h
        for h, ans in zip(names, a, strict=True)
        if ans.outcome not in {Outcome.ANSWER, Outcome.NXDOMAIN}
    ]
    aaaa = (
        dict(zip(again, (yield [Query(h, RRType.AAAA) for h in again]), strict=True))
        if again
        else {}
    )
    return {h: HostLookup(h, ans, aaaa.get(h)) for h, ans in zip(names, a, strict=True)}


def _probes(
    pec: str, servers: Iterable[str], addresses: Mapping[str, tuple[str, ...]]
) -> Generator[list[Query], list[Answer], list[ServerProbe]]:
    """The PEC name's MX, asked of every address of every server."""
    names = list(dict.fromkeys(servers))
    targets = [(name, a) for name in names for a in addresses.get(name, ())]
    answers = (yield [Query(pec, RRType.MX, server=a) for _, a in targets]) if targets else []
    replies = iter(answers)
    probes: list[ServerProbe] = []
    for name in names:
        probes += [ServerProbe(name, a, next(replies)) for a in addresses.get(name, ())] or [
            ServerProbe(name)
        ]
    return probes


def plan(domain: Domain, policy: Policy) -> Generator[list[Query], list[Answer], Observation]:
    """What to ask about ``domain``, round by round; returns the Observation.

    The questions: the address of the policy's MX host first (it doubles as
    a check of the checker's own resolver); MX and NS of the PEC name and of
    the registrable domain; the addresses of every MX host of the PEC name
    and of the registrable domain and of every name server (AAAA only where
    A gave none). Then, as a registry's checker
    does, the PEC name's MX asked of every server of the registrable domain
    directly, and, when they refer it to servers of its own, of each of those,
    with their NS set.
    """
    pec, apex = policy.pec_name(domain), f"{domain.name}."
    # The provider's host first: it tests the checker's own resolver, so it is
    # asked before a slow domain can spend the budget (one verdict per situation).
    control, pec_mx, domain_mx, domain_ns, pec_ns = yield [
        Query(policy.mx_host, RRType.A),
        Query(pec, RRType.MX),
        Query(apex, RRType.MX),
        Query(apex, RRType.NS),
        Query(pec, RRType.NS),
    ]
    mx_hosts = [policy.mx_host]
    for answer in (pec_mx, domain_mx):  # P9: the apex MX hosts too, to follow their aliases
        if answer.outcome is Outcome.ANSWER:
            mx_hosts += [mx.exchange for mx in answer.mx if not mx.is_null]
    probing = domain_ns.outcome is Outcome.ANSWER and not domain_ns.aliases
    ns_names = list(domain_ns.records) if probing else []
    found = yield from _lookups([*mx_hosts, *ns_names], {policy.mx_host: control})
    hosts = tuple(found[h] for h in dict.fromkeys(mx_hosts))
    parent = yield from _probes(pec, ns_names, {n: found[n].addresses for n in ns_names})
    referrals = [p.mx for p in parent if p.mx is not None and p.mx.outcome is Outcome.REFERRAL]
    child: list[ServerProbe] = []
    child_ns = None
    if referrals:
        glue: dict[str, list[str]] = {}
        for name, address in (pair for r in referrals for pair in r.glue):
            glue.setdefault(name, []).append(address)
        child_names = list(dict.fromkeys(n for r in referrals for n in r.referral))
        unglued = [n for n in child_names if n not in glue and n not in found]
        found |= yield from _lookups(unglued)
        addresses = {
            n: tuple(dict.fromkeys(glue[n])) if n in glue else found[n].addresses
            for n in child_names
        }
        child = yield from _probes(pec, child_names, addresses)
        first = next((p.address for p in child if p.address is not None), None)
        if first is not None:
            (child_ns,) = yield [Query(pec, RRType.NS, server=first)]
    return Observation(
        domain=domain,
        pec_name=pec,
        pec_mx=pec_mx,
        domain_mx=domain_mx,
        domain_ns=domain_ns,
        pec_ns=pec_ns,
        hosts=hosts,
        ns_hosts=tuple(found[n] for n in found if n not in mx_hosts or n in ns_names),
        parent_probes=tuple(parent),
        child_probes=tuple(child),
        child_ns=child_ns,
    )


def observe(domain: Domain, resolver: Resolver, policy: Policy) -> Observation:
    """Ask ``resolver`` what the rules need to judge ``domain``, one question at a time."""
    steps = plan(domain, policy)
    try:
        round_ = next(steps)
        while True:
            answers = [
                _unasked(q) or _checked(q, functools.partial(resolver.resolve, q)) for q in round_
            ]
            round_ = steps.send(answers)
    except StopIteration as done:
        observation: Observation = done.value
        return observation


async def _aask(resolver: AsyncResolver, query: Query) -> Answer:
    unasked = _unasked(query)
    if unasked is not None:
        return unasked
    try:
        answer = await resolver.resolve(query)
    except Exception as exc:  # noqa: BLE001 -- _failure keeps it as evidence or re-raises
        return _failure(query, exc)
    return _valid(query, answer)


async def aobserve(domain: Domain, resolver: AsyncResolver, policy: Policy) -> Observation:
    """As :func:`observe`, asking each round's questions at once."""
    steps = plan(domain, policy)
    try:
        round_ = next(steps)
        while True:
            pending: list[Awaitable[Answer]] = [_aask(resolver, q) for q in round_]
            round_ = steps.send(list(await asyncio.gather(*pending)))
    except StopIteration as done:
        observation: Observation = done.value
        return observation
