"""The rules: pure functions from an Observation and a Policy to findings.

One function per clause of POLICY.md (and one for the RFC 1912 hygiene the
PEC technical rules require). None does I/O or reads the clock, so the same
observation always gives the same findings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pecdns._codes import CATALOGUE, render
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


def _control_failed(obs: Observation, policy: Policy) -> bool:
    """Whether the checker's own resolver could not resolve the provider's MX host."""
    control = obs.host(policy.mx_host)
    return control is None or not control.addresses


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
    return [a for a in obs.answers if a.detail == BUDGET_SPENT]


def reachability(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P6.1: the PEC name is reachable; a failing checker is told apart."""
    unasked = _unasked(obs)
    if unasked:
        yield _finding("CHECK_TIMED_OUT", obs, policy, unasked, unasked=len(unasked))
    if _control_failed(obs, policy):
        control = obs.host(policy.mx_host)
        answers = control.answers if control else ()
        last = answers[-1] if answers else obs.pec_mx
        yield _finding(
            "CHECK_INCOMPLETE", obs, policy, answers, outcome=last.outcome, detail=_detail(last)
        )
        return
    answer = obs.pec_mx
    if answer.outcome is Outcome.NXDOMAIN:
        yield _finding("PEC_NAME_NXDOMAIN", obs, policy, [answer])
    elif answer.outcome.is_failure:
        zone = obs.pec_name if _is_delegated(obs) else f"{obs.domain.name}."
        yield _finding(
            "PEC_NAME_UNREACHABLE",
            obs,
            policy,
            [answer],
            outcome=answer.outcome,
            detail=_detail(answer),
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


def _split_servers(hosts: Iterable[str], policy: Policy) -> tuple[list[str], list[str], bool]:
    """Split mail hosts into the provider's and others (P9), noting the P10 exception."""
    provider: list[str] = []
    others: list[str] = []
    for host in dict.fromkeys(hosts):
        (provider if policy.is_provider_mail_host(host) else others).append(host)
    excepted = any(is_at_or_below(h, d) for h in others for d in policy.outside_mail_domains)
    return provider, others, excepted


def no_hybrid(obs: Observation, policy: Policy) -> Iterator[Finding]:
    """P9 and P10: the provider's mail servers are never mixed with others."""
    pec_hosts = [
        r.exchange for r in _mx_hosts(obs.pec_mx) if not _is_dot_slip(r.exchange, obs, policy)
    ]
    checks = (("MX_HYBRID", obs.pec_mx, pec_hosts), ("DOMAIN_MX_HYBRID", obs.domain_mx, None))
    for code, answer, hosts in checks:
        names = hosts if hosts is not None else [r.exchange for r in _mx_hosts(answer)]
        provider, others, excepted = _split_servers(names, policy)
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
    """RFC 1912 on the PEC name's MX targets: a host name, not an alias, with an address."""
    control_failed = _control_failed(obs, policy)
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
        if aliased is not None:
            yield _finding(
                "MX_TARGET_CNAME",
                obs,
                policy,
                [aliased],
                host=_bare(host),
                target=_bare(aliased.target),
            )
        if lookup.addresses or (host == policy.mx_host and control_failed):
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


def _lameness(answer: Answer, *, referral_ok: bool) -> str | None:
    """Why a server that answered did not answer with authority, or ``None`` if it did."""
    if answer.outcome in {Outcome.REFUSED, Outcome.SERVFAIL}:
        return f"it answers {answer.outcome}"
    if answer.outcome is Outcome.REFERRAL:
        return (
            None if referral_ok else f"it refers the name to {_listed(map(_bare, answer.referral))}"
        )
    if answer.authoritative is False:
        return "its answer lacks the AA flag"
    return None


def _server_fault(
    probe: ServerProbe, obs: Observation, policy: Policy, zone: str, *, referral_ok: bool
) -> Finding | None:
    """Classify one server's direct answer as Zonemaster's MX test case does."""
    server = probe.label
    if probe.mx is None:
        lookup = next((h for h in obs.ns_hosts if h.host == probe.name), None)
        answers = lookup.answers if lookup else ()
        failed = next((a for a in answers if a.outcome.is_failure), None)
        if failed is not None:
            return _finding(
                "NS_ADDRESS_UNKNOWN",
                obs,
                policy,
                answers,
                server=server,
                zone=zone,
                outcome=failed.outcome,
                detail=_detail(failed),
            )
        return _finding("NS_NO_ADDRESS", obs, policy, answers, server=server, zone=zone)
    answer = probe.mx
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
    reason = _lameness(answer, referral_ok=referral_ok)
    if reason is None:
        return None
    return _finding(
        "LAME_DELEGATION", obs, policy, [answer], server=server, zone=zone, reason=reason
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


RULES = (reachability, name_servers, mx_record, third_level, no_hybrid, mx_targets, setup)
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
