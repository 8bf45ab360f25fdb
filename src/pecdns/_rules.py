"""The rules: pure functions from an Observation and a Policy to findings.

One function per clause of POLICY.md (and one for the RFC 1912 hygiene the
PEC technical rules require). None does I/O or reads the clock, so the same
observation always gives the same findings.
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
    MXRecord,
    Observation,
    Outcome,
    ServerProbe,
)
from pecdns._names import is_at_or_below, looks_like_ip

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from pecdns._policy import Policy

__all__ = ["RULES", "judge"]


def _bare(name: str) -> str:
    """A canonical name as prose writes it: no trailing dot."""
    return name[:-1] if name.endswith(".") and name != "." else name


def _listed(values: Iterable[object]) -> str:
    return ", ".join(str(v) for v in values)


def _finding(
    code: str, obs: Observation, policy: Policy, evidence: Iterable[Answer], **params: object
) -> Finding:
    """Build a finding from the catalogue entry of ``code``, graded by ``policy``.

    The template arguments are kept on the finding, so that it can be rendered
    again in another language.
    """
    args = {
        "pec": _bare(obs.pec_name),
        "domain": obs.domain.name,
        "host": _bare(policy.mx_host),
        "mx": f"{obs.pec_name} MX {policy.mx}",
        "mx_line": policy.mx_line(obs.domain),
        "preference": str(policy.mx_preference),
        **{key: str(value) for key, value in params.items()},
    }
    message, fix = render(code, args)
    return Finding(
        code=code,
        severity=policy.severity(code),
        clause=CATALOGUE[code].clause,
        message=message,
        evidence=tuple(evidence),
        fix=fix,
        args=tuple(sorted(args.items())),
    )


def _detail(answer: Answer) -> str:
    return f": {answer.detail}" if answer.detail else ""


def _is_unasked(answer: Answer) -> bool:
    return answer.detail == BUDGET_SPENT


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


def _control(obs: Observation, policy: Policy) -> str:
    """What the look-up of the provider's MX host says about the checker.

    It doubles as a test of the checker's own resolver: addresses (``seen``);
    questions the budget left unasked; a zone an offline resolver lacks; a
    failure (the checker is ``blind``: its failures elsewhere prove nothing);
    or an answer without addresses, a fault of the provider's own data.
    """
    control = obs.host(policy.mx_host)
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


def _is_dot_slip(exchange: str, obs: Observation, policy: Policy) -> bool:
    """Whether an MX target is the policy's host with the zone origin appended.

    The classic slip: ``MX 10 mx.pec.aruba.it`` without its trailing dot, in
    the zone of ``example.it`` or ``pec.example.it``.
    """
    rest = exchange[len(policy.mx_host) :]
    return exchange.startswith(policy.mx_host) and is_at_or_below(rest, f"{obs.domain.name}.")


def _mx_hosts(answer: Answer) -> list[MXRecord]:
    return [r for r in answer.mx if not r.is_null] if answer.outcome is Outcome.ANSWER else []


def _unasked(obs: Observation) -> list[Answer]:
    return [a for a in obs.answers if _is_unasked(a)]


def _zone_not_loaded(obs: Observation, policy: Policy, answers: list[Answer]) -> Iterator[Finding]:
    """One ZONE_NOT_LOADED per zone an offline resolver lacks: not seen, never a fault."""
    zones: dict[str, list[Answer]] = {}
    for answer in answers:
        zones.setdefault(_missing_zone(answer), []).append(answer)
    for zone, evidence in zones.items():
        names = _listed(dict.fromkeys(_bare(a.query.name) for a in evidence))
        yield _finding("ZONE_NOT_LOADED", obs, policy, evidence, zone=zone, name=names)


def reachability(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P6.1: the PEC name is reachable; a failing or blind checker is told apart.

    The PEC name is reachable when a resolver gets an answer for it (it tries
    every server); a failure there is PEC_NAME_UNREACHABLE, unless the
    checker's own resolver failed too (CHECK_INCOMPLETE), or an offline
    resolver holds no zone for it (ZONE_NOT_LOADED). The provider's own host
    without an address is the provider's fault (PROVIDER_HOST_NO_ADDRESS).
    """
    unasked = _unasked(obs)
    if unasked:
        yield _finding("CHECK_TIMED_OUT", obs, policy, unasked, unasked=len(unasked))
    control = obs.host(policy.mx_host)
    state = _control(obs, policy)
    answers = control.answers if control else ()
    last = answers[-1] if answers else obs.pec_mx
    if state == _BLIND:
        yield _finding(
            "CHECK_INCOMPLETE", obs, policy, answers, outcome=last.outcome, detail=_detail(last)
        )
    elif state == _NO_ADDRESS:
        yield _finding("PROVIDER_HOST_NO_ADDRESS", obs, policy, answers, outcome=last.outcome)
    missing = [a for a in (obs.pec_mx, *answers) if a.outcome is Outcome.NOT_LOADED]
    yield from _zone_not_loaded(obs, policy, missing)
    answer = obs.pec_mx
    if answer.outcome is Outcome.NXDOMAIN:
        yield _finding("PEC_NAME_NXDOMAIN", obs, policy, [answer])
    elif (
        answer.outcome.is_failure
        and answer.outcome is not Outcome.NOT_LOADED
        and not _is_unasked(answer)
        and state != _BLIND
    ):
        zone = obs.pec_name if _is_delegated(obs) else f"{obs.domain.name}."
        # A server silent to EDNS queries that answers without EDNS: name the likely cause.
        edns = [p for p in obs.authoritative_probes if p.mx and LIKELY_CAUSE in p.mx.detail]
        told = LIKELY_CAUSE in answer.detail
        cause = "".join(f"; {p.label}: {LIKELY_CAUSE}" for p in edns if not told)
        yield _finding(
            "PEC_NAME_UNREACHABLE",
            obs,
            policy,
            [answer, *(p.mx for p in edns if p.mx)],
            outcome=answer.outcome,
            detail=_detail(answer) + cause,
            zone=_bare(zone),
        )


def mx_record(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P6.2: the PEC name has exactly the policy's MX, and nothing else."""
    answer = obs.pec_mx
    if answer.aliases:
        yield _finding("PEC_NAME_ALIAS", obs, policy, [answer], target=_bare(answer.target))
    if answer.outcome is Outcome.NODATA:
        yield _finding("MX_MISSING", obs, policy, [answer])
    if answer.outcome is not Outcome.ANSWER:
        return
    records = answer.mx
    if any(r.is_null for r in records):
        yield _finding("MX_NULL", obs, policy, [answer])
    hosts = _mx_hosts(answer)
    required = [r for r in hosts if r.exchange == policy.mx_host]
    slips = [r for r in hosts if _is_dot_slip(r.exchange, obs, policy)]
    others = [r for r in hosts if r not in required and r not in slips]
    if slips:
        yield _finding(
            "MX_TRAILING_DOT",
            obs,
            policy,
            [answer],
            found=_listed(slips),
            host_text=_bare(policy.mx_host),
        )
    if others:
        code = "MX_EXTRA_HOST" if required else "MX_WRONG_HOST"
        found = _listed(_bare(r.exchange) for r in others) if required else _listed(others)
        yield _finding(code, obs, policy, [answer], found=found)
    wrong = [r for r in required if r.preference != policy.mx_preference]
    if wrong:
        yield _finding("MX_WRONG_PREFERENCE", obs, policy, [answer], found=_listed(wrong))
    if required and not (wrong or slips or others or len(hosts) < len(records)):
        yield _finding("MX_OK", obs, policy, [answer])


def third_level(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P5: the MX to the provider's PEC host is at the third level, never the second."""
    answer = obs.domain_mx
    if answer.outcome.is_failure:
        yield _finding(
            "DOMAIN_MX_UNKNOWN",
            obs,
            policy,
            [answer],
            outcome=answer.outcome,
            detail=_detail(answer),
        )
        return
    found = [r for r in _mx_hosts(answer) if r.exchange == policy.mx_host]
    if found:
        yield _finding("MX_AT_REGISTRABLE", obs, policy, [answer], found=_listed(found))


def _names_of(host: str, obs: Observation) -> tuple[list[str], tuple[str, ...]]:
    """A mail host's names (itself, then the aliases it leads to) and its addresses."""
    lookup = obs.host(host)
    if lookup is None:
        return [host], ()
    aliases = [alias for answer in lookup.answers for alias in answer.aliases]
    return list(dict.fromkeys([host, *aliases])), lookup.addresses


def _split_servers(
    hosts: Iterable[str], obs: Observation, policy: Policy
) -> tuple[list[str], list[str], bool]:
    """Split mail hosts into the provider's and others (P9), noting the P10 exception.

    A host is judged on what it is: the names its aliases lead to count (a
    CNAME to a provider host is a provider host), and a host the policy lists
    among the customer's own servers, by name or by address, is another
    server even under the provider's domain (P10).
    """
    provider: list[str] = []
    others: list[str] = []
    excepted = False
    for host in dict.fromkeys(hosts):
        names, addresses = _names_of(host, obs)
        own = policy.is_own_mail_server(host, addresses) or any(
            policy.is_own_mail_server(name) for name in names
        )
        outside = any(is_at_or_below(n, d) for n in names for d in policy.outside_mail_domains)
        ours = not own and any(policy.is_provider_mail_host(n) for n in names)
        (provider if ours else others).append(host)
        excepted = excepted or own or outside
    return provider, others, excepted


def no_hybrid(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P9 and P10: the provider's mail servers are never mixed with others."""
    pec_hosts = [
        r.exchange for r in _mx_hosts(obs.pec_mx) if not _is_dot_slip(r.exchange, obs, policy)
    ]
    checks = (("MX_HYBRID", obs.pec_mx, pec_hosts), ("DOMAIN_MX_HYBRID", obs.domain_mx, None))
    for code, answer, hosts in checks:
        names = hosts if hosts is not None else [r.exchange for r in _mx_hosts(answer)]
        provider, others, excepted = _split_servers(names, obs, policy)
        if provider and others:
            yield _finding(
                code,
                obs,
                policy,
                [answer],
                provider=_listed(map(_bare, provider)),
                others=_listed(map(_bare, others)),
                p10="P10" if excepted else "",
            )


def mx_targets(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """RFC 1912 on the PEC name's MX targets: a host name, not an alias, with an address.

    The provider's own host is not the customer's to fix: an alias there is
    PROVIDER_HOST_CNAME, and its addresses are judged by :func:`reachability`.
    """
    for record in _mx_hosts(obs.pec_mx):
        host = record.exchange
        if _is_dot_slip(host, obs, policy):
            continue
        if looks_like_ip(host):
            yield _finding("MX_TARGET_IP_LITERAL", obs, policy, [obs.pec_mx], host=_bare(host))
            continue
        lookup = obs.host(host)
        if lookup is None:  # pragma: no cover - observe() looks up every MX host
            continue
        aliased = next((a for a in lookup.answers if a.aliases), None)
        provider = host == policy.mx_host
        if aliased is not None:
            yield _finding(
                "PROVIDER_HOST_CNAME" if provider else "MX_TARGET_CNAME",
                obs,
                policy,
                [aliased],
                host=_bare(host),
                target=_bare(aliased.target),
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
            obs,
            policy,
            lookup.answers,
            host=_bare(host),
            outcome=last.outcome,
            detail=_detail(last),
        )


_NO_RESPONSE = frozenset({Outcome.TIMEOUT, Outcome.ERROR})
_AUTHORITATIVE = frozenset({Outcome.ANSWER, Outcome.NODATA, Outcome.NXDOMAIN})


def _lameness(answer: Answer, *, referral_ok: bool) -> tuple[str, str] | None:
    """Why a server that answered did not answer with authority, or ``None`` if it did.

    The reason is a key the catalogue words in each language, and the names
    a referral points to.
    """
    if answer.outcome in {Outcome.REFUSED, Outcome.SERVFAIL}:
        return answer.outcome.value, ""
    if answer.outcome is Outcome.REFERRAL:
        return None if referral_ok else ("REFERRAL", _listed(map(_bare, answer.referral)))
    if answer.authoritative is False:
        return "NOT_AA", ""
    return None


def _not_seen(answers: Iterable[Answer]) -> bool:
    """Whether answers are questions never asked, or an offline resolver's "no zone"."""
    return any(_is_unasked(a) or a.outcome is Outcome.NOT_LOADED for a in answers)


def _address_fault(
    probe: ServerProbe, obs: Observation, policy: Policy, zone: str
) -> Finding | None:
    """Why a server could not be asked: no address, or its address look-up failed."""
    lookup = next((h for h in obs.ns_hosts if h.host == probe.name), None)
    answers = lookup.answers if lookup else ()
    if _not_seen(answers):
        return None
    failed = next((a for a in answers if a.outcome.is_failure), None)
    if failed is not None:
        return _finding(
            "NS_ADDRESS_UNKNOWN",
            obs,
            policy,
            answers,
            server=probe.label,
            zone=zone,
            outcome=failed.outcome,
            detail=_detail(failed),
        )
    return _finding("NS_NO_ADDRESS", obs, policy, answers, server=probe.label, zone=zone)


def _server_fault(
    probe: ServerProbe, obs: Observation, policy: Policy, zone: str, *, referral_ok: bool
) -> Finding | None:
    """Classify one server's direct answer as Zonemaster's MX test case does.

    Nothing is blamed on a server for what the checker did not see: a
    question the budget left unasked, or an offline resolver's NOT_LOADED.
    """
    server = probe.label
    if probe.mx is None:
        return _address_fault(probe, obs, policy, zone)
    answer = probe.mx
    if _not_seen([answer]):
        return None
    if answer.outcome in _NO_RESPONSE:
        return _finding(
            "SERVER_NO_RESPONSE",
            obs,
            policy,
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
        obs,
        policy,
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


def _no_authority(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P6.1: reachable only if at least one authoritative server answers with authority.

    Judged only when every server was seen, the resolver got an answer for
    the PEC name (else PEC_NAME_UNREACHABLE says it) and the checker is not blind.
    """
    probes = obs.authoritative_probes
    asked = [p.mx for p in probes if p.mx is not None]
    lookups = [a for h in obs.ns_hosts for a in h.answers]
    if (
        not probes
        or obs.pec_mx.outcome.is_failure
        or _control(obs, policy) == _BLIND
        or _not_seen([*asked, *lookups])
        or any(_answers_with_authority(p) for p in probes)
    ):
        return
    zone = _bare(obs.pec_name) if obs.delegated else obs.domain.name
    yield _finding(
        "NO_AUTHORITATIVE_ANSWER",
        obs,
        policy,
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


def name_servers(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P6.1 and P6.2 as a registry's checker sees them: every server, asked directly."""
    domain, pec = obs.domain.name, _bare(obs.pec_name)
    if obs.domain_ns.outcome is Outcome.NXDOMAIN:
        yield _finding(
            "NS_NOT_DEFINED", obs, policy, [obs.domain_ns], zone=domain, outcome="NXDOMAIN"
        )
    if obs.child_ns is not None and obs.child_ns.outcome is Outcome.NODATA:
        yield _finding("NS_NOT_DEFINED", obs, policy, [obs.child_ns], zone=pec, outcome="NODATA")
    for probes, zone, referral_ok in (
        (obs.parent_probes, domain, True),
        (obs.child_probes, pec, False),
    ):
        for probe in probes:
            fault = _server_fault(probe, obs, policy, zone, referral_ok=referral_ok)
            if fault is not None:
                yield fault
    yield from _no_authority(obs, policy)
    yield from _compare_servers(obs, policy)
    if obs.delegated:
        yield from _delegation(obs, policy)


def _compare_servers(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P6.2 on every server: the authoritative servers must give the same MX."""
    answering = [
        p.mx
        for p in obs.authoritative_probes
        if p.mx is not None
        and p.mx.outcome in {Outcome.ANSWER, Outcome.NODATA, Outcome.NXDOMAIN}
        and p.mx.authoritative is not False
    ]
    views = {_mx_view(a): a for a in answering}
    if len(views) < 2:
        return
    zone = _bare(obs.pec_name) if obs.delegated else obs.domain.name
    with_mx = [a for a in answering if a.outcome is Outcome.ANSWER]
    without = [a for a in answering if a.outcome is not Outcome.ANSWER]
    if with_mx and without and len({_mx_view(a) for a in with_mx}) == 1:
        yield _finding(
            "MX_ON_SOME_SERVERS",
            obs,
            policy,
            answering,
            zone=zone,
            with_mx=_listed(a.query.server for a in with_mx),
            without_mx=_listed(a.query.server for a in without),
            found=_mx_view(with_mx[0]),
            other=_listed(dict.fromkeys(str(a.outcome) for a in without)),
        )
        return
    listed = "; ".join(f"{a.query.server}: {_mx_view(a)}" for a in answering)
    yield _finding("SERVERS_DISAGREE", obs, policy, answering, zone=zone, answers=listed)


def _delegation(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """The referral for the PEC zone: NS sets that match, and glue where it is needed."""
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
            obs,
            policy,
            [*referrals[:1], child],
            delegation=_listed(map(_bare, delegation)),
            child=_listed(map(_bare, sorted(child.records))),
        )
    glued = {name for r in referrals for name, _ in r.glue}
    for ns in delegation:
        if is_at_or_below(ns, obs.pec_name) and ns not in glued:
            yield _finding("MISSING_GLUE", obs, policy, referrals[:1], server=_bare(ns))


def setup(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P4: who serves the PEC name: the provider's name servers, a delegation, or others."""
    if _is_delegated(obs):
        servers, zone = obs.pec_ns, obs.pec_name
        ours = "SETUP_DELEGATED"
    elif obs.domain_ns.outcome is Outcome.ANSWER:
        servers, zone = obs.domain_ns, f"{obs.domain.name}."
        ours = "SETUP_PROVIDER"
    else:
        answer = obs.domain_ns
        yield _finding("SETUP_UNKNOWN", obs, policy, [answer, obs.pec_ns], outcome=answer.outcome)
        return
    provider = all(policy.is_provider_name_server(ns) for ns in servers.records)
    yield _finding(
        ours if provider else "SETUP_EXTERNAL",
        obs,
        policy,
        [servers],
        servers=_listed(map(_bare, servers.records)),
        zone=_bare(zone),
    )


def checker_limits(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """The checker's own caps and configuration: what stopped it, named (issue 10)."""
    unconfigured = [a for a in obs.answers if a.detail.startswith(UNCONFIGURED)]
    if unconfigured:
        detail = unconfigured[0].detail
        yield _finding("RESOLVER_UNCONFIGURED", obs, policy, unconfigured, detail=detail)
    for name, evidence in reached_limits(obs, policy.limits):
        value = getattr(policy.limits, name)
        yield _finding(
            "CHECK_LIMIT",
            obs,
            policy,
            evidence,
            value=value,
            limit=what(name),
            cap=f"Limits.{name}",
        )


def edns(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P6.1 as resolvers see it: a server reached only by asking again without EDNS.

    Resolvers retry without EDNS after FORMERR, NOTIMP or BADVERS (RFC 6891
    §7), so the name is reachable: a warning that the server is outdated,
    one per server, never a failure.
    """
    servers: dict[str, list[Answer]] = {}
    for answer in obs.answers:
        if answer.edns_fallback and answer.server is not None:
            servers.setdefault(answer.server, []).append(answer)
    for server, evidence in servers.items():
        first = evidence[0]
        rcode = first.edns_fallback.split(" ", 1)[0].rstrip(":")
        zone = _bare(first.query.name)
        yield _finding(
            "EDNS_UNSUPPORTED", obs, policy, evidence, server=server, zone=zone, rcode=rcode
        )


def dnssec(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P6.1: the DNSSEC state of the PEC name's MX answer, as validating resolvers see it.

    Bogus is an ERROR: every validating resolver answers SERVFAIL, so the
    name is not reachable for them. Secure, insecure and unknown are
    information. A resolver that carries no DNSSEC data leaves no state and
    no finding.
    """
    state = obs.dnssec
    if state is None:
        return
    args = state.message_args(_bare(obs.pec_name), "en")
    args["cause"] = state.cause  # a key: each language puts it in its own words
    args["detail"] = f": {state.detail}" if state.detail else ""
    yield _finding(state.code, obs, policy, [obs.pec_mx], **args)


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


def judge(obs: Observation, policy: Policy) -> tuple[Finding, ...]:
    """Apply every rule; return the findings, errors first, in rule order within a severity.

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
    findings = [
        finding
        for rule in RULES
        for finding in rule(obs, policy)
        if finding.code == "CHECK_TIMED_OUT" or not _only_unasked(finding)
    ]
    return tuple(sorted(findings, key=lambda f: -f.severity))


def _only_unasked(finding: Finding) -> bool:
    """Whether a finding rests on nothing but questions the time budget left unasked.

    Such a finding would blame a server, or call data unknown, for what the
    checker never asked; CHECK_TIMED_OUT reports it once instead.
    """
    return bool(finding.evidence) and all(a.detail == BUDGET_SPENT for a in finding.evidence)
