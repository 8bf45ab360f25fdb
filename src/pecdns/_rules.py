"""The rules: pure functions from an Observation and a Policy to findings.

One function per clause of POLICY.md (and one for the RFC 1912 hygiene the
PEC technical rules require). None does I/O or reads the clock, so the same
observation always gives the same findings. Each rule reads the observation
and the policy through a :class:`Case`, which derives once what several
rules read (every answer, the host look-ups by name, the template arguments
every message shares), since a batch judges thousands of observations.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pecdns._codes import CATALOGUE, render
from pecdns._edns import LIKELY_CAUSE
from pecdns._limits import UNCONFIGURED, reached_limits, what
from pecdns._models import (
    BUDGET_SPENT,
    Answer,
    Finding,
    HostLookup,
    MXRecord,
    Observation,
    Outcome,
    ServerProbe,
)
from pecdns._names import is_at_or_below, looks_like_ip

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from pecdns._policy import Policy

__all__ = ["RULES", "Case", "judge"]


def _bare(name: str) -> str:
    """A canonical name as prose writes it: no trailing dot."""
    return name[:-1] if name.endswith(".") and name != "." else name


def _listed(values: Iterable[object]) -> str:
    return ", ".join(map(str, values))


def _is_unasked(answer: Answer) -> bool:
    return answer.detail == BUDGET_SPENT


def _mx_hosts(answer: Answer) -> list[MXRecord]:
    return [r for r in answer.mx if not r.is_null] if answer.outcome is Outcome.ANSWER else []


class Case:
    """One observation under one policy, and what several rules read of it, derived once.

    Everything here is a function of ``obs`` and ``policy`` (and of ``lang``,
    which only words the messages), so the rules stay pure: a Case saves
    them deriving the same facts again, nothing more.

    Attributes:
        obs: the observation judged.
        policy: the policy it is judged under.
        lang: the language findings are worded in.
        answers: every answer of the observation (``Observation.answers``).
        detailed: those with a detail (a failure's text, a cap that stopped them...).
        unasked: the answers to questions the time budget left unasked.
        delegated: whether the PEC name is a zone of its own (``Observation.delegated``).
        authoritative_probes: the servers that should answer for the PEC name.
        pec_hosts: the MX records of the PEC name that name a host (no null MX).
        domain_hosts: the same for the registrable domain.
        args: the template arguments every finding of this observation shares.

    >>> from pecdns import ARUBA, Domain
    >>> from pecdns.testing import FakeResolver
    >>> from pecdns._observe import observe
    >>> fake = FakeResolver({"pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    >>> case = Case(observe(Domain("example.it"), fake, ARUBA), ARUBA)
    >>> case.args["mx"], [str(r) for r in case.pec_hosts]
    ('pec.example.it. MX 10 mx.pec.aruba.it.', ['10 mx.pec.aruba.it.'])
    """

    __slots__ = (
        "_hosts",
        "answers",
        "args",
        "authoritative_probes",
        "delegated",
        "detailed",
        "domain_hosts",
        "lang",
        "obs",
        "pec_hosts",
        "policy",
        "unasked",
    )

    def __init__(self, obs: Observation, policy: Policy, lang: str = "en") -> None:
        """Derive the shared facts of ``obs`` under ``policy``; messages in ``lang``."""
        self.obs, self.policy, self.lang = obs, policy, lang
        self.answers = obs.answers
        self.detailed = [a for a in self.answers if a.detail]
        self.unasked = [a for a in self.detailed if _is_unasked(a)]
        self._hosts: dict[str, HostLookup] = {}
        for lookup in obs.hosts:  # the first look-up of a name, as Observation.host gives
            self._hosts.setdefault(lookup.host, lookup)
        self.delegated = obs.delegated
        # As Observation.authoritative_probes, without asking again whether it is delegated.
        self.authoritative_probes = obs.child_probes if self.delegated else obs.parent_probes
        self.pec_hosts = _mx_hosts(obs.pec_mx)
        self.domain_hosts = _mx_hosts(obs.domain_mx)
        self.args = {
            "pec": _bare(obs.pec_name),
            "domain": obs.domain.name,
            "host": _bare(policy.mx_host),
            "mx": f"{obs.pec_name} MX {policy.mx}",
            "mx_line": policy.mx_line(obs.domain),
            "preference": str(policy.mx_preference),
        }

    def host(self, name: str) -> HostLookup | None:
        """The address look-up of one host, or ``None`` (``Observation.host``)."""
        return self._hosts.get(name)


def _finding(code: str, case: Case, evidence: Iterable[Answer], **params: object) -> Finding:
    """Build a finding from the catalogue entry of ``code``, graded by the case's policy.

    The template arguments are kept on the finding, so that it can be rendered
    again in another language.
    """
    args = case.args.copy()
    for key, value in params.items():
        args[key] = str(value)
    message, fix = render(code, args, case.lang)
    return Finding(
        code=code,
        severity=case.policy.severity(code),
        clause=CATALOGUE[code].clause,
        message=message,
        evidence=tuple(evidence),
        fix=fix,
        args=tuple(sorted(args.items())),
    )


def _detail(answer: Answer) -> str:
    return f": {answer.detail}" if answer.detail else ""


def _missing_zone(answer: Answer) -> str:
    """The zone an offline resolver would need to answer a NOT_LOADED question."""
    if answer.zone:
        return _bare(answer.zone)
    named = _NO_ZONE.search(answer.detail)
    return _bare(named.group(1)) if named else _bare(answer.query.name)


_NO_ZONE = re.compile(r"no zone loaded for (\S+)")

_SEEN, _UNASKED, _NOT_LOADED, _BLIND, _NO_ADDRESS = (
    "seen",
    "unasked",
    "not loaded",
    "blind",
    "no address",
)


def _control(case: Case) -> str:
    """What the look-up of the provider's MX host says about the checker.

    It doubles as a test of the checker's own resolver: addresses (``seen``);
    questions the budget left unasked; a zone an offline resolver lacks; a
    failure (the checker is ``blind``: its failures elsewhere prove nothing);
    or an answer without addresses, a fault of the provider's own data.
    """
    control = case.host(case.policy.mx_host)
    if control is None:  # pragma: no cover - plan() always looks the provider's host up
        return _BLIND
    if control.addresses:
        return _SEEN
    seen = [a for a in control.answers if not _is_unasked(a)]
    if any(a.outcome.is_failure and a.outcome is not Outcome.NOT_LOADED for a in seen):
        return _BLIND
    if len(seen) < len(control.answers):
        return _UNASKED
    if any(a.outcome is Outcome.NOT_LOADED for a in seen):
        return _NOT_LOADED
    return _NO_ADDRESS


def _is_delegated(obs: Observation) -> bool:
    return obs.pec_ns.outcome is Outcome.ANSWER and not obs.pec_ns.aliases


def _is_dot_slip(exchange: str, case: Case) -> bool:
    """Whether an MX target is the policy's host with the zone origin appended.

    The classic slip: ``MX 10 mx.pec.aruba.it`` without its trailing dot, in
    the zone of ``example.it`` or ``pec.example.it``.
    """
    host = case.policy.mx_host
    return exchange.startswith(host) and is_at_or_below(
        exchange[len(host) :], f"{case.obs.domain.name}."
    )


def _zone_not_loaded(case: Case, answers: list[Answer]) -> Iterator[Finding]:
    """One ZONE_NOT_LOADED per zone an offline resolver lacks: not seen, never a fault."""
    zones: dict[str, list[Answer]] = {}
    for answer in answers:
        zones.setdefault(_missing_zone(answer), []).append(answer)
    for zone, evidence in zones.items():
        names = _listed(dict.fromkeys(_bare(a.query.name) for a in evidence))
        yield _finding("ZONE_NOT_LOADED", case, evidence, zone=zone, name=names)


def reachability(case: Case) -> Iterator[Finding]:
    """P6.1: the PEC name is reachable; a failing or blind checker is told apart.

    The PEC name is reachable when a resolver gets an answer for it (it tries
    every server); a failure there is PEC_NAME_UNREACHABLE, unless the
    checker's own resolver failed too (CHECK_INCOMPLETE), or an offline
    resolver holds no zone for it (ZONE_NOT_LOADED). The provider's own host
    without an address is the provider's fault (PROVIDER_HOST_NO_ADDRESS).
    """
    obs, unasked = case.obs, case.unasked
    if unasked:
        yield _finding("CHECK_TIMED_OUT", case, unasked, unasked=len(unasked))
    control = case.host(case.policy.mx_host)
    state = _control(case)
    answers = control.answers if control else ()
    last = answers[-1] if answers else obs.pec_mx
    if state == _BLIND:
        yield _finding(
            "CHECK_INCOMPLETE", case, answers, outcome=last.outcome, detail=_detail(last)
        )
    elif state == _NO_ADDRESS:
        yield _finding("PROVIDER_HOST_NO_ADDRESS", case, answers, outcome=last.outcome)
    missing = [a for a in (obs.pec_mx, *answers) if a.outcome is Outcome.NOT_LOADED]
    if missing:
        yield from _zone_not_loaded(case, missing)
    answer = obs.pec_mx
    if answer.outcome is Outcome.NXDOMAIN:
        yield _finding("PEC_NAME_NXDOMAIN", case, [answer])
    elif (
        answer.outcome.is_failure
        and answer.outcome is not Outcome.NOT_LOADED
        and not _is_unasked(answer)
        and state != _BLIND
    ):
        zone = obs.pec_name if _is_delegated(obs) else f"{obs.domain.name}."
        # A server silent to EDNS queries that answers without EDNS: name the likely cause.
        edns = [p for p in case.authoritative_probes if p.mx and LIKELY_CAUSE in p.mx.detail]
        told = LIKELY_CAUSE in answer.detail
        cause = "".join(f"; {p.label}: {LIKELY_CAUSE}" for p in edns if not told)
        yield _finding(
            "PEC_NAME_UNREACHABLE",
            case,
            [answer, *(p.mx for p in edns if p.mx)],
            outcome=answer.outcome,
            detail=_detail(answer) + cause,
            zone=_bare(zone),
        )


def mx_record(case: Case) -> Iterator[Finding]:
    """P6.2: the PEC name has exactly the policy's MX, and nothing else."""
    policy, answer = case.policy, case.obs.pec_mx
    if answer.aliases:
        # A DNAME above the PEC name (RFC 6672) is removed at its owner, not at the PEC name.
        redirect = answer.redirected_by
        if redirect is None:
            yield _finding("PEC_NAME_ALIAS", case, [answer], target=_bare(answer.target))
        else:
            yield _finding(
                "PEC_NAME_DNAME",
                case,
                [answer],
                target=_bare(answer.target),
                owner=_bare(redirect[0]),
                dname_target=_bare(redirect[1]),
            )
    if answer.outcome is Outcome.NODATA:
        yield _finding("MX_MISSING", case, [answer])
    if answer.outcome is not Outcome.ANSWER:
        return
    records = answer.mx
    if any(r.is_null for r in records):
        yield _finding("MX_NULL", case, [answer])
    hosts = case.pec_hosts
    required = [r for r in hosts if r.exchange == policy.mx_host]
    slips = [r for r in hosts if _is_dot_slip(r.exchange, case)]
    others = [r for r in hosts if r not in required and r not in slips]
    if slips:
        yield _finding(
            "MX_TRAILING_DOT",
            case,
            [answer],
            found=_listed(slips),
            host_text=_bare(policy.mx_host),
        )
    if others:
        code = "MX_EXTRA_HOST" if required else "MX_WRONG_HOST"
        found = _listed(_bare(r.exchange) for r in others) if required else _listed(others)
        yield _finding(code, case, [answer], found=found)
    wrong = [r for r in required if r.preference != policy.mx_preference]
    if wrong:
        yield _finding("MX_WRONG_PREFERENCE", case, [answer], found=_listed(wrong))
    if required and not (wrong or slips or others or len(hosts) < len(records)):
        yield _finding("MX_OK", case, [answer])


def third_level(case: Case) -> Iterator[Finding]:
    """P5: the MX to the provider's PEC host is at the third level, never the second."""
    answer = case.obs.domain_mx
    if answer.outcome.is_failure:
        yield _finding(
            "DOMAIN_MX_UNKNOWN",
            case,
            [answer],
            outcome=answer.outcome,
            detail=_detail(answer),
        )
        return
    found = [r for r in case.domain_hosts if r.exchange == case.policy.mx_host]
    if found:
        yield _finding("MX_AT_REGISTRABLE", case, [answer], found=_listed(found))


def _names_of(host: str, case: Case) -> tuple[list[str], tuple[str, ...]]:
    """A mail host's names (itself, then the aliases it leads to) and its addresses."""
    lookup = case.host(host)
    if lookup is None:
        return [host], ()
    aliases = [alias for answer in lookup.answers for alias in answer.aliases]
    return list(dict.fromkeys([host, *aliases])), lookup.addresses


def _split_servers(hosts: Iterable[str], case: Case) -> tuple[list[str], list[str], bool]:
    """Split mail hosts into the provider's and others (P9), noting the P10 exception.

    A host is judged on what it is: the names its aliases lead to count (a
    CNAME to a provider host is a provider host), and a host the policy lists
    among the customer's own servers, by name or by address, is another
    server even under the provider's domain (P10).
    """
    provider: list[str] = []
    others: list[str] = []
    excepted = False
    policy = case.policy
    for host in dict.fromkeys(hosts):
        names, addresses = _names_of(host, case)
        own = policy.is_own_mail_server(host, addresses) or any(
            policy.is_own_mail_server(name) for name in names
        )
        outside = bool(policy.outside_mail_domains) and any(
            is_at_or_below(n, d) for n in names for d in policy.outside_mail_domains
        )
        ours = not own and any(policy.is_provider_mail_host(n) for n in names)
        (provider if ours else others).append(host)
        excepted = excepted or own or outside
    return provider, others, excepted


def no_hybrid(case: Case) -> Iterator[Finding]:
    """P9 and P10: the provider's mail servers are never mixed with others."""
    obs = case.obs
    pec_hosts = [r.exchange for r in case.pec_hosts if not _is_dot_slip(r.exchange, case)]
    domain_hosts = [r.exchange for r in case.domain_hosts]
    checks = (
        ("MX_HYBRID", obs.pec_mx, pec_hosts),
        ("DOMAIN_MX_HYBRID", obs.domain_mx, domain_hosts),
    )
    for code, answer, names in checks:
        if len(set(names)) < 2:  # one host is never a mix
            continue
        provider, others, excepted = _split_servers(names, case)
        if provider and others:
            yield _finding(
                code,
                case,
                [answer],
                provider=_listed(map(_bare, provider)),
                others=_listed(map(_bare, others)),
                p10="P10" if excepted else "",
            )


def mx_targets(case: Case) -> Iterator[Finding]:
    """RFC 1912 on the PEC name's MX targets: a host name, not an alias, with an address.

    The provider's own host is not the customer's to fix: an alias there is
    PROVIDER_HOST_CNAME, and its addresses are judged by :func:`reachability`.
    """
    obs = case.obs
    for record in case.pec_hosts:
        host = record.exchange
        if _is_dot_slip(host, case):
            continue
        if looks_like_ip(host):
            yield _finding("MX_TARGET_IP_LITERAL", case, [obs.pec_mx], host=_bare(host))
            continue
        lookup = case.host(host)
        if lookup is None:  # pragma: no cover - observe() looks up every MX host
            continue
        aliased = next((a for a in lookup.answers if a.aliases), None)
        provider = host == case.policy.mx_host
        if aliased is not None:
            # A DNAME above the host (RFC 6672) is named as such: there is no CNAME to find.
            redirect = aliased.redirected_by
            dname = {} if redirect is None else {"owner": _bare(redirect[0])}
            yield _finding(
                "PROVIDER_HOST_CNAME" if provider else "MX_TARGET_CNAME",
                case,
                [aliased],
                host=_bare(host),
                target=_bare(aliased.target),
                **dname,
            )
        if lookup.addresses or provider:
            continue
        last = lookup.answers[-1]
        code = (
            "MX_TARGET_UNKNOWN"
            if any(a.outcome.is_failure for a in lookup.answers)
            else "MX_TARGET_NO_ADDRESS"
        )
        yield _finding(
            code,
            case,
            lookup.answers,
            host=_bare(host),
            outcome=last.outcome,
            detail=_detail(last),
        )


_NO_RESPONSE = frozenset({Outcome.TIMEOUT, Outcome.ERROR})
_AUTHORITATIVE = frozenset({Outcome.ANSWER, Outcome.NODATA, Outcome.NXDOMAIN})
_REFUSING = frozenset({Outcome.REFUSED, Outcome.SERVFAIL})


def _lameness(answer: Answer, *, referral_ok: bool) -> tuple[str, str] | None:
    """Why a server that answered did not answer with authority, or ``None`` if it did.

    The reason is a key the catalogue words in each language, and the names
    a referral points to.
    """
    if answer.outcome in _REFUSING:
        return answer.outcome.value, ""
    if answer.outcome is Outcome.REFERRAL:
        return None if referral_ok else ("REFERRAL", _listed(map(_bare, answer.referral)))
    if answer.authoritative is False:
        return "NOT_AA", ""
    return None


def _not_seen(answers: Iterable[Answer]) -> bool:
    """Whether answers are questions never asked, or an offline resolver's "no zone"."""
    return any(_is_unasked(a) or a.outcome is Outcome.NOT_LOADED for a in answers)


def _address_fault(probe: ServerProbe, case: Case, zone: str) -> Finding | None:
    """Why a server could not be asked: no address, or its address look-up failed."""
    lookup = next((h for h in case.obs.ns_hosts if h.host == probe.name), None)
    answers = lookup.answers if lookup else ()
    if _not_seen(answers):
        return None
    failed = next((a for a in answers if a.outcome.is_failure), None)
    if failed is not None:
        return _finding(
            "NS_ADDRESS_UNKNOWN",
            case,
            answers,
            server=probe.label,
            zone=zone,
            outcome=failed.outcome,
            detail=_detail(failed),
        )
    return _finding("NS_NO_ADDRESS", case, answers, server=probe.label, zone=zone)


def _server_fault(
    probe: ServerProbe, case: Case, zone: str, *, referral_ok: bool
) -> Finding | None:
    """Classify one server's direct answer as Zonemaster's MX test case does.

    Nothing is blamed on a server for what the checker did not see: a
    question the budget left unasked, or an offline resolver's NOT_LOADED.
    """
    if probe.mx is None:
        return _address_fault(probe, case, zone)
    answer = probe.mx
    if _is_unasked(answer) or answer.outcome is Outcome.NOT_LOADED:  # not seen
        return None
    server = probe.label
    if answer.outcome in _NO_RESPONSE:
        return _finding(
            "SERVER_NO_RESPONSE",
            case,
            [answer],
            server=server,
            outcome=answer.outcome,
            detail=_detail(answer),
        )
    lame = _lameness(answer, referral_ok=referral_ok)
    if lame is None:
        return None
    reason, referred = lame
    return _finding(
        "LAME_DELEGATION",
        case,
        [answer],
        server=server,
        zone=zone,
        reason=reason,
        referred=referred,
    )


def _answers_with_authority(probe: ServerProbe) -> bool:
    return (
        probe.mx is not None
        and probe.mx.outcome in _AUTHORITATIVE
        and probe.mx.authoritative is not False
    )


def _no_authority(case: Case) -> Iterator[Finding]:
    """P6.1: reachable only if at least one authoritative server answers with authority.

    Judged only when every server was seen, the resolver got an answer for
    the PEC name (else PEC_NAME_UNREACHABLE says it) and the checker is not blind.
    """
    obs, probes = case.obs, case.authoritative_probes
    if not probes or any(_answers_with_authority(p) for p in probes):  # the common case first
        return
    asked = [p.mx for p in probes if p.mx is not None]
    lookups = [a for h in obs.ns_hosts for a in h.answers]
    if obs.pec_mx.outcome.is_failure or _control(case) == _BLIND or _not_seen([*asked, *lookups]):
        return
    zone = _bare(obs.pec_name) if case.delegated else obs.domain.name
    yield _finding(
        "NO_AUTHORITATIVE_ANSWER",
        case,
        asked or [obs.pec_mx],
        zone=zone,
        servers=_listed(p.label for p in probes),
    )


def _mx_view(answer: Answer) -> str:
    """What one server says of the PEC name's MX, as servers are compared.

    A server answering with an alias (a CNAME, or one a DNAME synthesises)
    says where the MX lies; whether it adds the target's MX depends only on
    whether it also serves the target's zone (NSD follows into its other
    zones, Knot does not), so two servers giving the same alias agree.
    """
    if answer.aliases:
        return f"CNAME {answer.aliases[0]}"
    return ", ".join(answer.records) if answer.records else str(answer.outcome)


def name_servers(case: Case) -> Iterator[Finding]:
    """P6.1 and P6.2 as a registry's checker sees them: every server, asked directly."""
    obs = case.obs
    domain, pec = obs.domain.name, _bare(obs.pec_name)
    if obs.domain_ns.outcome is Outcome.NXDOMAIN:
        yield _finding("NS_NOT_DEFINED", case, [obs.domain_ns], zone=domain, outcome="NXDOMAIN")
    if obs.child_ns is not None and obs.child_ns.outcome is Outcome.NODATA:
        yield _finding("NS_NOT_DEFINED", case, [obs.child_ns], zone=pec, outcome="NODATA")
    for probes, zone, referral_ok in (
        (obs.parent_probes, domain, True),
        (obs.child_probes, pec, False),
    ):
        for probe in probes:
            fault = _server_fault(probe, case, zone, referral_ok=referral_ok)
            if fault is not None:
                yield fault
    yield from _no_authority(case)
    yield from _compare_servers(case)
    if case.delegated:
        yield from _delegation(case)


def _compare_servers(case: Case) -> Iterator[Finding]:
    """P6.2 on every server: the authoritative servers must give the same MX."""
    answering = [
        p.mx
        for p in case.authoritative_probes
        if p.mx is not None and p.mx.outcome in _AUTHORITATIVE and p.mx.authoritative is not False
    ]
    views = {_mx_view(a): a for a in answering}
    if len(views) < 2:
        return
    obs = case.obs
    zone = _bare(obs.pec_name) if case.delegated else obs.domain.name
    with_mx = [a for a in answering if a.outcome is Outcome.ANSWER]
    without = [a for a in answering if a.outcome is not Outcome.ANSWER]
    if with_mx and without and len({_mx_view(a) for a in with_mx}) == 1:
        yield _finding(
            "MX_ON_SOME_SERVERS",
            case,
            answering,
            zone=zone,
            with_mx=_listed(a.query.server for a in with_mx),
            without_mx=_listed(a.query.server for a in without),
            found=_mx_view(with_mx[0]),
            other=_listed(dict.fromkeys(str(a.outcome) for a in without)),
        )
        return
    listed = "; ".join(f"{a.query.server}: {_mx_view(a)}" for a in answering)
    yield _finding("SERVERS_DISAGREE", case, answering, zone=zone, answers=listed)


def _delegation(case: Case) -> Iterator[Finding]:
    """The referral for the PEC zone: NS sets that match, and glue where it is needed."""
    obs = case.obs
    referrals = [
        p.mx for p in obs.parent_probes if p.mx is not None and p.mx.outcome is Outcome.REFERRAL
    ]
    delegation = sorted({ns for r in referrals for ns in r.referral})
    child = obs.child_ns
    if (
        child is not None
        and child.outcome is Outcome.ANSWER
        and sorted(child.records) != delegation
    ):
        yield _finding(
            "NS_MISMATCH",
            case,
            [*referrals[:1], child],
            delegation=_listed(map(_bare, delegation)),
            child=_listed(map(_bare, sorted(child.records))),
        )
    glued = {name for r in referrals for name, _ in r.glue}
    for ns in delegation:
        if is_at_or_below(ns, obs.pec_name) and ns not in glued:
            yield _finding("MISSING_GLUE", case, referrals[:1], server=_bare(ns))


def setup(case: Case) -> Iterator[Finding]:
    """P4: who serves the PEC name: the provider's name servers, a delegation, or others."""
    obs = case.obs
    if _is_delegated(obs):
        servers, zone = obs.pec_ns, obs.pec_name
        ours = "SETUP_DELEGATED"
    elif obs.domain_ns.outcome is Outcome.ANSWER:
        servers, zone = obs.domain_ns, f"{obs.domain.name}."
        ours = "SETUP_PROVIDER"
    else:
        answer = obs.domain_ns
        yield _finding("SETUP_UNKNOWN", case, [answer, obs.pec_ns], outcome=answer.outcome)
        return
    provider = all(map(case.policy.is_provider_name_server, servers.records))
    yield _finding(
        ours if provider else "SETUP_EXTERNAL",
        case,
        [servers],
        servers=_listed(map(_bare, servers.records)),
        zone=_bare(zone),
    )


def checker_limits(case: Case) -> Iterator[Finding]:
    """The checker's own caps and configuration: what stopped it, named (issue 10)."""
    limits = case.policy.limits
    unconfigured = [a for a in case.detailed if a.detail.startswith(UNCONFIGURED)]
    if unconfigured:
        detail = unconfigured[0].detail
        yield _finding("RESOLVER_UNCONFIGURED", case, unconfigured, detail=detail)
    for name, evidence in reached_limits(case.obs, limits, case.detailed):
        value = getattr(limits, name)
        yield _finding(
            "CHECK_LIMIT",
            case,
            evidence,
            value=value,
            limit=what(name),
            cap=f"Limits.{name}",
        )


def edns(case: Case) -> Iterator[Finding]:
    """P6.1 as resolvers see it: a server reached only by asking again without EDNS.

    Resolvers retry without EDNS after FORMERR, NOTIMP or BADVERS (RFC 6891
    §7), so the name is reachable: a warning that the server is outdated,
    one per server, never a failure.
    """
    servers: dict[str, list[Answer]] = {}
    for answer in case.answers:
        if answer.edns_fallback and answer.server is not None:
            servers.setdefault(answer.server, []).append(answer)
    for server, evidence in servers.items():
        first = evidence[0]
        rcode = first.edns_fallback.split(" ", 1)[0].rstrip(":")
        zone = _bare(first.query.name)
        yield _finding("EDNS_UNSUPPORTED", case, evidence, server=server, zone=zone, rcode=rcode)


def dnssec(case: Case) -> Iterator[Finding]:
    """P6.1: the DNSSEC state of the PEC name's MX answer, as validating resolvers see it.

    Bogus is an ERROR: every validating resolver answers SERVFAIL, so the
    name is not reachable for them. Secure, insecure and unknown are
    information. A resolver that carries no DNSSEC data leaves no state and
    no finding.
    """
    obs = case.obs
    state = obs.dnssec
    if state is None:
        return
    args = state.message_args(_bare(obs.pec_name), "en")
    args["cause"] = state.cause  # a key: each language puts it in its own words
    args["detail"] = f": {state.detail}" if state.detail else ""
    yield _finding(state.code, case, [obs.pec_mx], **args)


RULES = (
    reachability,
    name_servers,
    mx_record,
    edns,
    dnssec,
    third_level,
    no_hybrid,
    mx_targets,
    setup,
    checker_limits,
)
"""Every rule, in the order their findings are reported within a severity."""


def judge(obs: Observation, policy: Policy, *, lang: str = "en") -> tuple[Finding, ...]:
    """Apply every rule; return the findings, errors first, in rule order within a severity.

    Messages and fixes are worded in ``lang`` (``"en"`` or ``"it"``).

    >>> from pecdns import ARUBA, Domain
    >>> from pecdns.testing import FakeResolver
    >>> from pecdns._observe import observe
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": ["10 mx.pec.aruba.it."]},
    ...         "mx.pec.aruba.it": {"A": ["192.0.2.25"]},
    ...     }
    ... )
    >>> [f.code for f in judge(observe(Domain("example.it"), fake, ARUBA), ARUBA)]
    ['MX_OK', 'SETUP_UNKNOWN']
    """
    case = Case(obs, policy, lang)
    findings = [finding for rule in RULES for finding in rule(case)]
    # Evidence is always observed answers: with none unasked, no finding rests on them alone.
    if case.unasked:
        findings = [f for f in findings if f.code == "CHECK_TIMED_OUT" or not _only_unasked(f)]
    return tuple(sorted(findings, key=lambda f: -f.severity))


def _only_unasked(finding: Finding) -> bool:
    """Whether a finding rests on nothing but questions the time budget left unasked.

    Such a finding would blame a server, or call data unknown, for what the
    checker never asked; CHECK_TIMED_OUT reports it once instead.
    """
    return bool(finding.evidence) and all(a.detail == BUDGET_SPENT for a in finding.evidence)
