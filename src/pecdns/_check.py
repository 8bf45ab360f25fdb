"""check(): observe a domain, judge it, report."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from attrs import evolve

from pecdns._budget import budget
from pecdns._codes import UNDETERMINING, check_lang, is_daily
from pecdns._domain import Domain
from pecdns._models import Finding, Report, Severity, Verdict
from pecdns._observe import observe
from pecdns._policy import ARUBA, Policy
from pecdns._remedy import remedy
from pecdns._rules import judge

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from pecdns._models import Observation
    from pecdns.resolvers import AsyncResolver, Resolver

__all__ = ["check", "report", "verdict"]


def verdict(findings: Iterable[Finding]) -> Verdict:
    """The daily check's verdict of a set of findings (P6: reachability and the MX).

    NON_COMPLIANT when a finding of the daily check is an ERROR: a definite
    breach stays one even if the checker could not see everything. Else
    UNDETERMINED when the checker itself failed or could not see (an
    UNDETERMINING code), else COMPLIANT. Errors of the other clauses (P5,
    P9, RFC 1912) are breaches (``Report.breaches``), not this verdict's.
    """
    findings = tuple(findings)
    if any(f.severity is Severity.ERROR and is_daily(f.code) for f in findings):
        return Verdict.NON_COMPLIANT
    if any(f.code in UNDETERMINING for f in findings):
        return Verdict.UNDETERMINED
    return Verdict.COMPLIANT


def report(
    obs: Observation, policy: Policy = ARUBA, *, at: datetime | None = None, lang: str = "en"
) -> Report:
    """Judge an observation under a policy: the pure half of :func:`check`."""
    findings = judge(obs, policy, lang=check_lang(lang))
    return Report(
        domain=obs.domain,
        verdict=verdict(findings),
        findings=findings,
        observation=obs,
        remedy=remedy(obs, findings, policy, lang),
        policy=policy.name,
        checked_at=at,
    )


@functools.cache
def _default_async_resolver() -> AsyncResolver:
    from pecdns.resolvers import AsyncDnsResolver  # noqa: PLC0415 -- dnspython loads only when used

    return AsyncDnsResolver()


@functools.cache
def _default_resolver() -> Resolver:
    from pecdns.resolvers import DnsResolver  # noqa: PLC0415 -- dnspython loads only when used

    return DnsResolver()


def check(
    domain: str | Domain,
    *,
    resolver: Resolver | None = None,
    policy: Policy = ARUBA,
    at: datetime | None = None,
    lang: str = "en",
    timeout: float | None = 10.0,
    own_servers: Iterable[str] = (),
) -> Report:
    """Check whether ``pec.<domain>`` passes the provider's daily check (P4-P10).

    Args:
        domain: the registrable domain, as text or a :class:`Domain`.
        resolver: where DNS answers come from; the real DNS (through the
            system's resolver configuration) when ``None``.
        policy: the provider's requirements; Aruba's by default.
        at: the time to stamp on the report, and the moment DNSSEC signatures
            are checked against; when ``None``, gathering takes its own clock's
            time for the signatures and records it on
            ``Observation.dnssec`` (rules never read the clock).
        lang: the language of messages and fixes, ``"en"`` or ``"it"``.
        timeout: the time budget of the whole check, in seconds (``None``: no
            budget); not the per-query wait, which is the resolver's own
            ``timeout``. No question is asked past it and pecdns's network
            backends shorten their waits to it, so a check ends within it
            (give or take a quarter of a second); an unfinished check is
            UNDETERMINED.
        own_servers: the customer's own mail servers on the provider's
            dedicated and cloud offers, host names and IP networks (P10):
            added to the policy's ``own_mail_servers``.

    Returns:
        A :class:`Report` with the verdict, every finding and the remedy.

    Raises:
        InvalidDomainError: ``domain`` is not a registrable domain.
        ValueError: ``lang`` is not a language pecdns speaks, or an own
            server is neither a host name nor an IP network.

    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": ["10 mx.pec.aruba.it."]},
    ...         "mx.pec.aruba.it": {"A": ["192.0.2.25"]},
    ...     }
    ... )
    >>> check("example.it", resolver=fake).verdict
    <Verdict.COMPLIANT: 'COMPLIANT'>
    >>> wrong = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": ["10 mail.example.it."]},
    ...         "mail.example.it": {"A": ["192.0.2.26"]},
    ...         "mx.pec.aruba.it": {"A": ["192.0.2.25"]},
    ...     }
    ... )
    >>> print(check("example.it", resolver=wrong).remedy)
    ; pec.example.it. must have exactly this MX record (P4.2, P6.2):
    pec.example.it. 3600 IN MX 10 mx.pec.aruba.it.
    ; and must not have these records (delete them):
    ; pec.example.it. IN MX 10 mail.example.it.
    """
    parsed = domain if isinstance(domain, Domain) else Domain(domain)
    check_lang(lang)
    own = [own_servers] if isinstance(own_servers, str) else list(own_servers)
    if own:  # P10: the customer's own servers, which only the customer knows
        policy = evolve(policy, own_mail_servers=[*policy.own_mail_servers, *own])
    source = resolver if resolver is not None else _default_resolver()
    with budget(timeout, policy.limits):
        observation = observe(parsed, source, policy, at=at)
    return report(observation, policy, at=at, lang=lang)
