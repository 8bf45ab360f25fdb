"""How much one check may ask: caps on fan-out, as plain data.

pecdns talks to name servers the checked domain chooses, so a hostile domain
could make one check send thousands of questions to a third party (the NXNS
attack of 2020: a referral to hundreds of name servers without glue), or
resolve thousands of MX hosts. Recursive resolvers cap the same things
(BIND's ``max-recursion-queries``); a check stops at each cap and says so in
a ``CHECK_LIMIT`` finding that names the cap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import field, frozen

from pecdns._models import Outcome

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from pecdns._models import Answer, HostLookup, Observation

__all__ = ["UNCONFIGURED", "Limits", "reached", "reached_limits", "what"]

UNCONFIGURED = "the system resolver is not configured"
"""The start of the detail of an answer that could not be asked: no name server configured."""


def _positive(_: object, attribute: object, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        name = getattr(attribute, "name", "limit")
        raise ValueError(f"a limit is a whole number of at least 1, not {name}={value!r}")


@frozen
class Limits:
    """The caps on what one check asks; part of a :class:`~pecdns.Policy`.

    Change them with the policy: ``evolve(ARUBA, limits={"mx_hosts": 50})``.

    Attributes:
        queries: DNS messages one check may send in all (every resolver
            included); past it nothing more is sent.
        queries_per_question: messages one question may cost a resolver that
            walks the delegations itself (:class:`~pecdns.resolvers.IterativeResolver`).
        name_servers: name servers followed in one NS set or referral
            (probed, or looked up when a referral has no glue).
        addresses_per_server: addresses of one name server that are probed.
        mx_hosts: MX hosts whose addresses are looked up, per MX set (the PEC
            name's, and the registrable domain's for P9).
        in_flight: questions of one check waiting on the network at once
            (each holds a socket, so this bounds the file descriptors used).

    >>> Limits().mx_hosts
    20
    >>> Limits(queries=0)
    Traceback (most recent call last):
    ...
    ValueError: a limit is a whole number of at least 1, not queries=0
    """

    queries: int = field(default=500, validator=_positive)
    queries_per_question: int = field(default=50, validator=_positive)
    name_servers: int = field(default=13, validator=_positive)
    addresses_per_server: int = field(default=4, validator=_positive)
    mx_hosts: int = field(default=20, validator=_positive)
    in_flight: int = field(default=16, validator=_positive)


_WHAT = {
    "queries": "DNS queries per check",
    "queries_per_question": "DNS queries for one question",
    "name_servers": "name servers followed",
    "addresses_per_server": "addresses probed per name server",
    "mx_hosts": "MX hosts resolved",
}


def what(name: str) -> str:
    """What the cap ``name`` counts, in words.

    >>> what("mx_hosts")
    'MX hosts resolved'
    """
    return _WHAT[name]


_STOPPED = "stopped at the check's limit of "
"""The start of every :func:`reached` text."""


def reached(name: str, value: int) -> str:
    """The text an answer's detail carries when the cap ``name`` stopped it.

    >>> reached("queries", 500)
    "stopped at the check's limit of 500 DNS queries per check"
    """
    return f"{_STOPPED}{value} {_WHAT[name]}"


def _over(obs: Observation, limits: Limits) -> Iterator[tuple[str, tuple[Answer, ...]]]:
    """The caps the observed records go past: what gathering had to leave out.

    Each count is first bounded by a length (a set is never longer than the
    records it is made of), so a typical observation costs a few len() calls.
    """
    wide_mx = [
        a
        for a in (obs.pec_mx, obs.domain_mx)
        if len(a.mx) > limits.mx_hosts
        and a.outcome is Outcome.ANSWER
        and len({mx.exchange for mx in a.mx if not mx.is_null}) > limits.mx_hosts
    ]
    if wide_mx:
        yield "mx_hosts", tuple(wide_mx)
    referrals = [p.mx for p in obs.parent_probes if p.mx is not None and p.mx.referral]
    ns_sets = (obs.domain_ns,) if obs.domain_ns.outcome is Outcome.ANSWER else ()
    wide = [
        a
        for a in (*ns_sets, *referrals)
        if len(a.referral or a.records) > limits.name_servers
        and len(set(a.referral or a.records)) > limits.name_servers
    ]
    if wide:
        yield "name_servers", tuple(wide)
    cap = limits.addresses_per_server
    many = [a for h in obs.ns_hosts if _addresses(h) > cap for a in h.answers]
    glued = [a for a in referrals if _most_glue(a) > cap] if referrals else []
    if many or glued:
        yield "addresses_per_server", (*many, *glued)


def _addresses(lookup: HostLookup) -> int:
    """How many addresses a look-up found: ``len(lookup.addresses)``, without the tuple."""
    return len(lookup.a.records) + (len(lookup.aaaa.records) if lookup.aaaa is not None else 0)


def _most_glue(referral: Answer) -> int:
    counts: dict[str, int] = {}
    for name, _ in referral.glue:
        counts[name] = counts.get(name, 0) + 1
    return max(counts.values(), default=0)


def reached_limits(
    obs: Observation, limits: Limits, answers: Sequence[Answer] | None = None
) -> list[tuple[str, tuple[Answer, ...]]]:
    """Each cap that stopped part of the check, with the answers that show it, in field order.

    The caps are read from the details of ``answers``: ``obs.answers`` by
    default, or any part of them that holds every answer with a detail.

    >>> from pecdns import Domain
    >>> from pecdns._models import Answer, Observation, Query
    >>> stopped = Answer(Query("pec.example.it", "MX"), "TIMEOUT", detail=reached("queries", 500))
    >>> nodata = Answer(Query("example.it", "NS"), "NODATA")
    >>> obs = Observation(Domain("example.it"), "pec.example.it.", stopped, nodata, nodata, nodata)
    >>> [(name, len(evidence)) for name, evidence in reached_limits(obs, Limits())]
    [('queries', 1)]
    """
    found = dict(_over(obs, limits))
    # One pass for the common case: no answer was stopped by any cap.
    marked = [a for a in (obs.answers if answers is None else answers) if _STOPPED in a.detail]
    for name in _WHAT if marked else ():
        text = reached(name, getattr(limits, name))
        stopped = tuple(a for a in marked if text in a.detail)
        if stopped:
            found[name] = (*found.get(name, ()), *stopped)
    return [(name, found[name]) for name in _WHAT if name in found]
