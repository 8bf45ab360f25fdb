"""Gathering: ask a resolver everything the rules need, and judge nothing.

Gathering is written once, without I/O: :func:`plan` is a generator that
yields *rounds* of questions (those that do not depend on each other) and is
sent back their answers. :func:`observe` runs it against a sync resolver in
pecdns's shared thread pool, :func:`aobserve` against an async resolver; both
ask each round's questions at once, at most ``Limits.in_flight`` of them
waiting at a time, so the same servers give the same observation whichever
entry point asks (a server that never answers is seen timing out in every
one, rather than leaving questions unasked in one of them). Fan-out is
capped by the policy's ``Policy.limits`` (MX hosts, name servers,
addresses per server, queries per check).

A resolver that can send raw DNS (a :class:`~pecdns.resolvers.RawResolver`:
the dnspython backends and :class:`~pecdns.resolvers.IterativeResolver`) is
asked more, by :func:`gather`: once more without EDNS, each server that was
silent to the PEC name's MX, and then the DNSSEC walk of the PEC name's MX
answer (P6.1), its signatures checked at the check's ``at`` or, when none is
given, at the check's own clock when it gathers, which the state records.
Zone files and fakes carry no DNSSEC data and are not asked: their reports
have no DNSSEC finding.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TypeAlias, cast

from attrs import evolve

from pecdns._budget import deadline, in_context, shared_pool, spent, tally
from pecdns._dnssec import Question
from pecdns._dnssec import plan as dnssec_plan
from pecdns._edns import LIKELY_CAUSE, Probe
from pecdns._limits import reached
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
from pecdns._reduce import replaced
from pecdns.exceptions import InvalidRecordError, PecdnsError

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence

    import dns.message

    from pecdns._domain import Domain
    from pecdns._limits import Limits
    from pecdns._policy import Policy
    from pecdns.resolvers import AsyncRawResolver, AsyncResolver, RawResolver, Resolver

__all__ = ["aobserve", "gather", "observe", "plan"]

Raw: TypeAlias = Question | Probe
"""A question sent as it is, its response unjudged (``RawResolver.ask_raw``)."""
Round: TypeAlias = "Sequence[Query] | Sequence[Raw]"
Replies: TypeAlias = "list[Answer] | list[dns.message.Message | None]"


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


GRACE = 0.25
"""Seconds past the budget a check waits for a resolver that does not keep to it."""

OVERRAN = "no answer within the check's time budget: the resolver did not keep to it"
"""The detail of an answer a resolver was still working on when the check's time was up."""


def _unasked(query: Query) -> Answer | None:
    """The answer standing for ``query`` when it must not be asked: time up, or the query cap."""
    if spent():
        return Answer(query, Outcome.TIMEOUT, detail=BUDGET_SPENT)
    current = tally()
    if current is not None and current.full():
        return Answer(query, Outcome.ERROR, detail=reached("queries", current.limits.queries))
    return None


def _admitted(query: Query) -> Answer | None:
    """``None`` when ``query`` may be asked (and it is counted), else the answer standing for it."""
    unasked = _unasked(query)
    current = tally()
    if unasked is None and current is not None:
        current.ask()
    return unasked


def _ask(resolver: Resolver, query: Query) -> Answer:
    """Put one question to a sync resolver (in the check's context), counted."""
    refused = _admitted(query)
    if refused is not None:
        return refused
    return _checked(query, functools.partial(resolver.resolve, query))


def _grace() -> float | None:
    """Seconds to wait for answers still out: budget left plus grace (``None``: no budget)."""
    end = deadline()
    return None if end is None else max(0.0, end - time.monotonic()) + GRACE


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
    return {h: _host_lookup(h, ans, aaaa.get(h)) for h, ans in zip(names, a, strict=True)}


_SHARED_LOOKUPS: dict[tuple[str, int, int], HostLookup] = {}
_MAX_SHARED_LOOKUPS = 4096


def _host_lookup(host: str, a: Answer, aaaa: Answer | None) -> HostLookup:
    """``HostLookup(host, a, aaaa)``, one object for the same answer objects.

    A batch answers a shared host (the provider's, a hosting company's name
    servers) from its cache: the same :class:`Answer` for every check. So
    every report of the batch can hold the same look-up, which ``processes=N``
    then pickles once per chunk of reports, not once per report. Keyed by the
    answers' identities, which stay theirs while the entry holds them; up to
    4,096 entries, then all are dropped at once.
    """
    key = (host, id(a), id(aaaa))
    found = _SHARED_LOOKUPS.get(key)
    if found is not None:
        return found
    made = HostLookup(host, a, aaaa)
    if len(_SHARED_LOOKUPS) >= _MAX_SHARED_LOOKUPS:
        _SHARED_LOOKUPS.clear()
    _SHARED_LOOKUPS[key] = made
    return made


def _probes(
    pec: str, names: list[str], found: Mapping[str, tuple[str, ...]], limits: Limits
) -> Generator[list[Query], list[Answer], list[ServerProbe]]:
    """The PEC name's MX, asked of every address (up to the cap) of every server."""
    addresses = {n: found.get(n, ())[: limits.addresses_per_server] for n in names}
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
    pec, apex, limits = policy.pec_name(domain), f"{domain.name}.", policy.limits
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
            exchanges = dict.fromkeys(mx.exchange for mx in answer.mx if not mx.is_null)
            mx_hosts += list(exchanges)[: limits.mx_hosts]
    probing = domain_ns.outcome is Outcome.ANSWER and not domain_ns.aliases
    ns_names = list(dict.fromkeys(domain_ns.records))[: limits.name_servers] if probing else []
    found = yield from _lookups([*mx_hosts, *ns_names], {policy.mx_host: control})
    hosts = tuple(found[h] for h in dict.fromkeys(mx_hosts))
    parent = yield from _probes(pec, ns_names, {n: found[n].addresses for n in ns_names}, limits)
    referrals = [p.mx for p in parent if p.mx is not None and p.mx.outcome is Outcome.REFERRAL]
    child: list[ServerProbe] = []
    child_ns = None
    if referrals:
        glue: dict[str, list[str]] = {}
        for name, address in (pair for r in referrals for pair in r.glue):
            glue.setdefault(name, []).append(address)
        child_names = list(dict.fromkeys(n for r in referrals for n in r.referral))
        child_names = child_names[: limits.name_servers]
        unglued = [n for n in child_names if n not in glue and n not in found]
        found |= yield from _lookups(unglued)
        addresses = {
            n: tuple(dict.fromkeys(glue[n])) if n in glue else found[n].addresses
            for n in child_names
        }
        child = yield from _probes(pec, child_names, addresses, limits)
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


def gather(
    domain: Domain, policy: Policy, *, at: datetime
) -> Generator[Round, Replies, Observation]:
    """:func:`plan`, then what only a resolver that sends raw DNS can ask.

    Each server silent to the PEC name's MX (a TIMEOUT, not a question the
    budget left unasked) is asked once more, without EDNS: when it answers,
    its answer's detail says EDNS is the likely cause (resolvers do not
    retry a silent server without EDNS since DNS Flag Day 2019, so the name
    stays unreachable). Then the DNSSEC walk of the PEC name's MX answer,
    from ``policy.trust_anchor``, with signatures checked at ``at``.
    """
    observation = yield from plan(domain, policy)
    addresses = list(dict.fromkeys(_silent(observation)))
    if addresses:
        probes: list[Raw] = [Probe(observation.pec_name, "MX", a) for a in addresses]
        replies = cast("list[dns.message.Message | None]", (yield probes))
        answered = {a for a, r in zip(addresses, replies, strict=True) if r is not None}
        observation = evolve(
            observation,
            pec_mx=_explain(observation.pec_mx, answered),
            parent_probes=_explained(observation.parent_probes, answered),
            child_probes=_explained(observation.child_probes, answered),
        )
    walk = dnssec_plan(observation.pec_name, at=at, anchor=policy.trust_anchor)
    state = yield from walk
    return replaced(observation, dnssec=state)  # evolve, without __init__: no converter to run


def _silent(obs: Observation) -> Iterator[str]:
    """The addresses of the servers that gave the PEC name's MX no answer in time."""
    probes = (*obs.parent_probes, *obs.child_probes)
    answers = [obs.pec_mx, *(p.mx for p in probes if p.mx is not None)]
    for answer in answers:
        if answer.outcome is Outcome.TIMEOUT and answer.server is not None:
            yield answer.server.rsplit("#", 1)[0]


def _explain(answer: Answer, answered: set[str]) -> Answer:
    """``answer``, saying EDNS is the likely cause when its silent server answered without it."""
    if answer.outcome is not Outcome.TIMEOUT or answer.server is None:
        return answer
    if answer.server.rsplit("#", 1)[0] not in answered:
        return answer
    return evolve(answer, detail=f"{answer.detail}; {LIKELY_CAUSE}")


def _explained(probes: tuple[ServerProbe, ...], answered: set[str]) -> tuple[ServerProbe, ...]:
    """``probes``, each silent one that answered without EDNS saying so."""
    return tuple(evolve(p, mx=_explain(p.mx, answered)) if p.mx is not None else p for p in probes)


def _speaks_raw(resolver: object) -> bool:
    """Whether ``resolver`` can send raw DNS (``ask_raw``; a ThreadedResolver says for its own)."""
    return callable(getattr(resolver, "ask_raw", None)) and bool(
        getattr(resolver, "speaks_raw", True)
    )


def _steps(
    domain: Domain, resolver: object, policy: Policy, at: datetime | None
) -> Generator[Round, Replies, Observation]:
    """The gathering for ``resolver``: :func:`gather` when it sends raw DNS, else :func:`plan`."""
    if not _speaks_raw(resolver):
        # plan() is sent only answers: it yields only questions (no raw ones).
        return cast("Generator[Round, Replies, Observation]", plan(domain, policy))
    return gather(domain, policy, at=at if at is not None else datetime.now(timezone.utc))


def _is_raw(round_: Sequence[Query] | Sequence[Raw]) -> bool:
    return bool(round_) and not isinstance(round_[0], Query)


def _raw_round(resolver: RawResolver, round_: Sequence[Raw]) -> list[dns.message.Message | None]:
    """Each raw question's response in turn (in the check's context; ``None`` past the budget)."""
    return [_raw(resolver, q) for q in round_]


def _raw(resolver: RawResolver, question: Raw) -> dns.message.Message | None:
    current = tally()
    if spent() or (current is not None and current.full()):
        return None
    if current is not None:
        current.ask()
    try:
        return resolver.ask_raw(question)
    except PecdnsError:
        raise
    except Exception:  # noqa: BLE001 -- a failing resolver gave no response
        return None


def observe(
    domain: Domain, resolver: Resolver, policy: Policy, *, at: datetime | None = None
) -> Observation:
    """Ask ``resolver`` what the rules need to judge ``domain``, each round's questions at once.

    The questions run in pecdns's shared thread pool, in the caller's context
    (its time budget and query tally), at most ``policy.limits.in_flight`` at
    a time. A resolver still working when the budget and :data:`GRACE` are
    over is left to finish alone; its answer is a TIMEOUT saying so. A
    resolver that sends raw DNS is asked what :func:`gather` adds, with
    signatures checked at ``at`` (the clock now, when ``None``).
    """
    steps = _steps(domain, resolver, policy, at)
    current = tally()
    try:
        round_ = next(steps)
        while True:
            if _is_raw(round_):
                raw = cast("RawResolver", resolver)
                round_ = steps.send(_raw_round(raw, cast("list[Raw]", round_)))
            else:
                queries = cast("list[Query]", round_)
                round_ = steps.send(_round(resolver, queries, policy.limits.in_flight))
    except StopIteration as done:
        observation: Observation = done.value
    if current is None:
        return observation
    return evolve(observation, queries=current.queries)


def _round(resolver: Resolver, queries: Sequence[Query], in_flight: int) -> list[Answer]:
    """The answers to one round, asked at once on the shared pool, ``in_flight`` at a time.

    A misuse error (a replay missing a question) is raised for the first
    question in the round's order that met one, whatever finished first.
    """
    results: dict[int, concurrent.futures.Future[Answer] | Answer] = {}
    pending: set[concurrent.futures.Future[Answer]] = set()
    waiting = iter(enumerate(queries))
    pool = shared_pool()
    ask = functools.partial(_ask, resolver)
    while True:
        for i, query in waiting:
            results[i] = future = in_context(pool, ask, query)
            pending.add(future)
            if len(pending) >= in_flight:
                break
        if not pending:
            break
        done, pending = concurrent.futures.wait(
            pending, timeout=_grace(), return_when=concurrent.futures.FIRST_COMPLETED
        )
        if not done:  # the budget and its grace are over: stop waiting
            for i, result in results.items():
                if result in pending:
                    result.cancel()
                    results[i] = Answer(queries[i], Outcome.TIMEOUT, detail=OVERRAN)
            results |= {i: Answer(q, Outcome.TIMEOUT, detail=BUDGET_SPENT) for i, q in waiting}
            break
    return [_result(results[i]) for i in range(len(queries))]


def _result(result: concurrent.futures.Future[Answer] | Answer) -> Answer:
    return result if isinstance(result, Answer) else result.result()


async def _aask(resolver: AsyncResolver, query: Query, gate: asyncio.Semaphore) -> Answer:
    async with gate:
        refused = _admitted(query)
        if refused is not None:
            return refused
        try:
            answer = await asyncio.wait_for(resolver.resolve(query), _grace())
        except TimeoutError:
            return Answer(query, Outcome.TIMEOUT, detail=OVERRAN)
        except Exception as exc:  # noqa: BLE001 -- _failure keeps it as evidence or re-raises
            return _failure(query, exc)
        return _valid(query, answer)


async def _araw(resolver: AsyncRawResolver, question: Raw) -> dns.message.Message | None:
    current = tally()
    if spent() or (current is not None and current.full()):
        return None
    if current is not None:
        current.ask()
    try:
        return await asyncio.wait_for(resolver.ask_raw(question), _grace())
    except PecdnsError:
        raise
    except Exception:  # noqa: BLE001 -- a failing or overrunning resolver gave no response
        return None


async def aobserve(
    domain: Domain, resolver: AsyncResolver, policy: Policy, *, at: datetime | None = None
) -> Observation:
    """As :func:`observe`, for asyncio: each round's questions are awaited at once."""
    steps = _steps(domain, resolver, policy, at)
    current = tally()
    gate = asyncio.Semaphore(policy.limits.in_flight)
    try:
        round_ = next(steps)
        while True:
            if _is_raw(round_):
                raw = cast("AsyncRawResolver", resolver)
                replies: Replies = [await _araw(raw, q) for q in cast("list[Raw]", round_)]
            else:
                pending = [_aask(resolver, q, gate) for q in cast("list[Query]", round_)]
                replies = list(await asyncio.gather(*pending))
            round_ = steps.send(replies)
    except StopIteration as done:
        observation: Observation = done.value
    if current is None:
        return observation
    return evolve(observation, queries=current.queries)
