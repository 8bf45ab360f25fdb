"""The certification of a PEC domain and what the provider's daily check does to it (P6-P8).

A :class:`Certification` is plain data; :func:`apply_check` is the whole
transition table, a pure function of a certification, a check's
:class:`~pecdns.Report` and the day; :func:`daily_check` runs the check over
many certifications the way the provider does every day. No function here
reads the clock: the day is always passed in as ``today``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from attrs import evolve, field, frozen

from pecdns._check import check
from pecdns._domain import Domain
from pecdns._models import Report, Verdict
from pecdns._policy import ARUBA, Policy
from pecdns.exceptions import LifecycleError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pecdns.resolvers import Resolver

__all__ = [
    "Certification",
    "CertificationStatus",
    "DailyResult",
    "DailyRun",
    "Transition",
    "apply_check",
    "daily_check",
]


class CertificationStatus(str, enum.Enum):
    """Where a certified PEC domain stands (P7, P8).

    >>> [s.value for s in CertificationStatus if s.certified]
    ['ACTIVE', 'NOTIFIED']
    >>> CertificationStatus.SUSPENDED.awaiting_fix, CertificationStatus.REMOVED.final
    (True, True)
    """

    ACTIVE = "ACTIVE"
    """On the provider's list of certified domains; the PEC service works."""
    NOTIFIED = "NOTIFIED"
    """Still certified, but a daily check failed and the holder was notified;
    suspended unless fixed within the policy's notice period (off by default)."""
    SUSPENDED = "SUSPENDED"
    """Removed from the certified list after a failed check (P7); a fix before
    the certification's expiry restores it (P8)."""
    REMOVED = "REMOVED"
    """Removed for good: the expiry came without a fix (P8); only a new
    certification, from a new order, brings the domain back."""
    EXPIRED = "EXPIRED"
    """The certification reached its expiry date while in good standing."""

    @property
    def certified(self) -> bool:
        """Whether the domain is on the provider's certified list."""
        return self in {CertificationStatus.ACTIVE, CertificationStatus.NOTIFIED}

    @property
    def final(self) -> bool:
        """Whether no daily check can change this status any more."""
        return self in {CertificationStatus.REMOVED, CertificationStatus.EXPIRED}

    @property
    def awaiting_fix(self) -> bool:
        """Whether a failed check stands unfixed (NOTIFIED or SUSPENDED)."""
        return self in {CertificationStatus.NOTIFIED, CertificationStatus.SUSPENDED}

    def __str__(self) -> str:
        return self.value


_ACTIVE = CertificationStatus.ACTIVE
_NOTIFIED = CertificationStatus.NOTIFIED
_SUSPENDED = CertificationStatus.SUSPENDED
_REMOVED = CertificationStatus.REMOVED
_EXPIRED = CertificationStatus.EXPIRED


def _day(value: date, what: str) -> date:
    """Return ``value`` if it is a calendar date (not a datetime); refuse it otherwise."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise LifecycleError(
            f"{what} must be a date such as date(2025, 3, 3), not {type(value).__name__}"
            f" {value!r} (for a datetime, pass its .date() in the time zone that counts)"
        )
    return value


def _expires(value: date) -> date:
    return _day(value, "expires")


def _optional_day(value: date | None) -> date | None:
    return None if value is None else _day(value, "a certification's date")


def _domain(value: Domain | str) -> Domain:
    return value if isinstance(value, Domain) else Domain(value)


def _status(value: CertificationStatus | str) -> CertificationStatus:
    try:
        return CertificationStatus(value)
    except ValueError:
        valid = ", ".join(s.value for s in CertificationStatus)
        raise LifecycleError(
            f"{value!r} is not a certification status; valid ones: {valid}"
        ) from None


def _history(values: Iterable[Transition]) -> tuple[Transition, ...]:
    return tuple(values)


@frozen
class Transition:
    """One change of a certification's status, and why.

    Attributes:
        on: the day of the check that made the change.
        before: the status before.
        after: the status after.
        reason: one sentence naming the clause that applies.
        verdict: the verdict of the check behind the change.
    """

    on: date
    before: CertificationStatus
    after: CertificationStatus
    reason: str
    verdict: Verdict

    def __str__(self) -> str:
        return f"{self.on.isoformat()}: {self.before} -> {self.after}: {self.reason}"


@frozen
class Certification:
    """The certification of one PEC domain: its status, expiry, last check and history.

    Build it ACTIVE when the service is activated; every daily check then
    goes through :func:`apply_check`, which returns the next certification.

    Attributes:
        domain: the customer's registrable domain.
        expires: the certification's expiry date: a fix after a failed check
            must come before it (P8).
        status: where the domain stands.
        notified_on: the day the holder was notified of a failed check; set
            exactly when the status is NOTIFIED.
        last_checked: the day of the last check applied, if any.
        last_report: the report of that check.
        history: every change of status, oldest first.
        dns_management: whether the PEC service comes with the provider's
            DNS management (seed 000: the daily check covers domains with
            «servizio di posta certificata e la Gestione DNS»; seed 001 does
            not name it).

    >>> from datetime import date
    >>> cert = Certification("example.it", date(2026, 3, 3))
    >>> cert.status, cert.days_left(date(2026, 3, 1))
    (<CertificationStatus.ACTIVE: 'ACTIVE'>, 2)
    """

    domain: Domain = field(converter=_domain)
    expires: date = field(converter=_expires)
    status: CertificationStatus = field(default=_ACTIVE, converter=_status)
    notified_on: date | None = field(default=None, kw_only=True, converter=_optional_day)
    last_checked: date | None = field(default=None, kw_only=True, converter=_optional_day)
    last_report: Report | None = field(default=None, kw_only=True, repr=False)
    history: tuple[Transition, ...] = field(default=(), kw_only=True, converter=_history)
    dns_management: bool = field(default=True, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if (self.status is _NOTIFIED) != (self.notified_on is not None):
            raise LifecycleError(
                "notified_on is the day of the notice: give it exactly when the status is"
                f" NOTIFIED (status {self.status}, notified_on {self.notified_on})"
            )
        if self.last_report is not None:
            if self.last_checked is None:
                raise LifecycleError("a certification with a last report needs last_checked too")
            if self.last_report.domain != self.domain:
                raise LifecycleError(
                    f"the last report is for {self.last_report.domain}, not {self.domain}"
                )

    def days_left(self, today: date) -> int:
        """Days from ``today`` to the expiry date (0 on the day itself, negative after it)."""
        return (self.expires - _day(today, "today")).days


def _at_expiry(cert: Certification) -> tuple[CertificationStatus, str]:
    expiry = cert.expires.isoformat()
    if cert.status.awaiting_fix:
        return _REMOVED, (
            f"the expiry date {expiry} came without a fix: removed for good from the"
            " certified list; the domain must be certified again from scratch (P8)"
        )
    return _EXPIRED, f"the certification expired on {expiry}"


def _after_failure(
    cert: Certification, today: date, policy: Policy
) -> tuple[CertificationStatus, str] | None:
    notice = policy.notice_period
    fix_by = f"fix the DNS before {cert.expires.isoformat()} to restore it (P8)"
    if cert.status is _SUSPENDED:
        return None
    if cert.status is _ACTIVE and notice is not None:
        return _NOTIFIED, (
            "the daily check failed (P6); the holder is notified and has until"
            f" {(today + notice).isoformat()} to fix it before suspension (notice period)"
        )
    if cert.status is _NOTIFIED:
        if (
            notice is not None
            and cert.notified_on is not None
            and today < cert.notified_on + notice
        ):
            return None
        return _SUSPENDED, (
            "the daily check still failed when the notice period was over: the PEC service"
            f" stops and the domain leaves the certified list (P7); {fix_by}"
        )
    return _SUSPENDED, (
        "the daily check failed (P6): the PEC service stops and the domain leaves the"
        f" certified list (P7); {fix_by}"
    )


def _next(
    cert: Certification, verdict: Verdict, today: date, policy: Policy
) -> tuple[CertificationStatus, str] | None:
    """The new status after a check and why, or ``None`` when it stays: see :func:`apply_check`."""
    if cert.status.final or verdict is Verdict.UNDETERMINED:
        return None
    if today >= cert.expires:
        return _at_expiry(cert)
    if verdict is Verdict.COMPLIANT:
        if cert.status is _NOTIFIED:
            return _ACTIVE, "the DNS was fixed within the notice period"
        if cert.status is _SUSPENDED:
            return _ACTIVE, (
                f"the DNS was fixed before the expiry date {cert.expires.isoformat()}:"
                " restored to the certified list (P8)"
            )
        return None
    return _after_failure(cert, today, policy)


def apply_check(
    certification: Certification, report: Report, *, today: date, policy: Policy = ARUBA
) -> Certification:
    """Apply one daily check to a certification: the transition table of P6-P8.

    ==========================  ===============================  ===========
    status before               check on ``today``               status after
    ==========================  ===============================  ===========
    any                         UNDETERMINED                     unchanged
    REMOVED                     any                              REMOVED
    EXPIRED                     any                              EXPIRED
    ACTIVE                      on/after expiry                  EXPIRED
    NOTIFIED, SUSPENDED         on/after expiry                  REMOVED (P8)
    ACTIVE                      COMPLIANT                        ACTIVE
    ACTIVE                      NON_COMPLIANT, no notice period  SUSPENDED (P7)
    ACTIVE                      NON_COMPLIANT, notice period     NOTIFIED
    NOTIFIED                    NON_COMPLIANT, within notice     NOTIFIED
    NOTIFIED                    NON_COMPLIANT, notice over       SUSPENDED (P7)
    NOTIFIED, SUSPENDED         COMPLIANT before expiry          ACTIVE (P8)
    SUSPENDED                   NON_COMPLIANT before expiry      SUSPENDED
    ==========================  ===============================  ===========

    Rows apply top to bottom. An UNDETERMINED report (the checker's own
    failure) changes nothing, not even past the expiry date: the expiry
    transition waits for the next check that can tell. Every applied check
    becomes the last check; every change of status is added to the history.

    Args:
        certification: the certification before the check.
        report: the check of the same domain, from :func:`pecdns.check`.
        today: the day of the check; never read from the clock.
        policy: the provider's terms (its notice period, if any).

    Returns:
        The certification after the check.

    Raises:
        LifecycleError: the report is for another domain, ``today`` is before
            the last check, or ``today`` is not a date.

    >>> from datetime import date
    >>> from pecdns import check
    >>> from pecdns.testing import FakeResolver
    >>> no_mx = FakeResolver({"mx.pec.aruba.it": {"A": "192.0.2.25"}})
    >>> cert = Certification("example.it", date(2026, 3, 3))
    >>> cert = apply_check(cert, check("example.it", resolver=no_mx), today=date(2025, 6, 1))
    >>> print(cert.history[-1])  # doctest: +NORMALIZE_WHITESPACE
    2025-06-01: ACTIVE -> SUSPENDED: the daily check failed (P6): the PEC service stops
    and the domain leaves the certified list (P7); fix the DNS before 2026-03-03 to restore it (P8)
    """
    today = _day(today, "today")
    if report.domain != certification.domain:
        raise LifecycleError(
            f"the report is for {report.domain}, the certification for {certification.domain};"
            " apply a check of the certified domain itself"
        )
    last = certification.last_checked
    if last is not None and today < last:
        raise LifecycleError(
            f"a check dated {today.isoformat()} comes before the last one applied"
            f" ({last.isoformat()}); apply checks in date order, from {last.isoformat()} on"
        )
    before = after = certification.status
    history = certification.history
    change = _next(certification, report.verdict, today, policy)
    if change is not None:
        after, reason = change
        history = (*history, Transition(today, before, after, reason, report.verdict))
    notified_on = certification.notified_on if before is _NOTIFIED else today
    return evolve(
        certification,
        status=after,
        notified_on=notified_on if after is _NOTIFIED else None,
        last_checked=today,
        last_report=report,
        history=history,
    )


@frozen
class DailyResult:
    """What one day's check did to one certification.

    Attributes:
        previous: the certification before the check.
        certification: the certification after it (the same when nothing
            could be applied).
        today: the day of the check.
        report: the check's report; ``None`` when the domain was not checked
            (REMOVED and EXPIRED domains are not, P6) or the check raised.
        error: why nothing was applied (the check raised, or the check was
            refused); ``None`` otherwise.
    """

    previous: Certification
    certification: Certification
    today: date
    report: Report | None = field(default=None, repr=False)
    error: str | None = None

    @property
    def domain(self) -> Domain:
        """The certified domain."""
        return self.certification.domain

    @property
    def transition(self) -> Transition | None:
        """Today's change of status, or ``None`` when the status stayed."""
        if self.certification.history == self.previous.history:
            return None
        return self.certification.history[-1]

    @property
    def skipped(self) -> bool:
        """Whether the domain was not checked, its certification being over (P6)."""
        return self.report is None and self.error is None

    @property
    def undetermined(self) -> bool:
        """Whether the check could not judge the domain (it raised, was refused, or said so)."""
        if self.error is not None:
            return True
        return self.report is not None and self.report.verdict is Verdict.UNDETERMINED

    @property
    def days_left(self) -> int | None:
        """For a domain awaiting a fix (NOTIFIED, SUSPENDED): days left before expiry (P8)."""
        if not self.certification.status.awaiting_fix:
            return None
        return self.certification.days_left(self.today)

    def __str__(self) -> str:
        status = self.certification.status
        change = self.transition
        text = (
            f"{self.domain}: {change.before} -> {status}" if change else f"{self.domain}: {status}"
        )
        if self.skipped:
            text += " (not checked)"
        elif self.error is not None:
            text += f" (check not applied: {self.error})"
        elif self.report is not None and self.report.verdict is Verdict.UNDETERMINED:
            text += " (check undetermined)"
        if self.days_left is not None:
            text += f", {self.days_left} days left before expiry on {self.certification.expires}"
        return text


def _moved(
    results: Iterable[DailyResult],
    to: CertificationStatus,
    from_: frozenset[CertificationStatus] = frozenset(CertificationStatus),
) -> tuple[DailyResult, ...]:
    return tuple(
        r
        for r in results
        if r.transition is not None and r.transition.after is to and r.transition.before in from_
    )


@frozen
class DailyRun:
    """One day's run of :func:`daily_check`: one result per certification, in input order.

    Attributes:
        today: the day of the run.
        results: one :class:`DailyResult` per certification given.

    >>> from datetime import date
    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver({"mx.pec.aruba.it": {"A": "192.0.2.25"}})
    >>> run = daily_check(
    ...     [Certification("example.it", date(2026, 1, 31))], resolver=fake, today=date(2026, 1, 21)
    ... )
    >>> [(r.domain.name, r.days_left) for r in run.suspended]
    [('example.it', 10)]
    """

    today: date
    results: tuple[DailyResult, ...]

    @property
    def certifications(self) -> tuple[Certification, ...]:
        """The certifications after the run, in input order."""
        return tuple(r.certification for r in self.results)

    @property
    def changes(self) -> tuple[DailyResult, ...]:
        """The results whose status changed today."""
        return tuple(r for r in self.results if r.transition is not None)

    @property
    def notified(self) -> tuple[DailyResult, ...]:
        """Holders notified today of a failed check (notice period only)."""
        return _moved(self.results, _NOTIFIED)

    @property
    def suspended(self) -> tuple[DailyResult, ...]:
        """Domains that left the certified list today (P7)."""
        return _moved(self.results, _SUSPENDED)

    @property
    def restored(self) -> tuple[DailyResult, ...]:
        """Domains fixed today before their expiry, back to ACTIVE (P8)."""
        return _moved(self.results, _ACTIVE, frozenset({_NOTIFIED, _SUSPENDED}))

    @property
    def removed(self) -> tuple[DailyResult, ...]:
        """Domains removed for good today: expiry came without a fix (P8)."""
        return _moved(self.results, _REMOVED)

    @property
    def expired(self) -> tuple[DailyResult, ...]:
        """Certifications in good standing that reached their expiry date today."""
        return _moved(self.results, _EXPIRED)

    @property
    def awaiting_fix(self) -> tuple[DailyResult, ...]:
        """Every domain NOTIFIED or SUSPENDED after today's run, with its days left."""
        return tuple(r for r in self.results if r.days_left is not None)

    @property
    def undetermined(self) -> tuple[DailyResult, ...]:
        """The checks that could not judge their domain; their status did not change."""
        return tuple(r for r in self.results if r.undetermined)

    def __str__(self) -> str:
        count = len(self.results)
        plural = "" if count == 1 else "s"
        lines = [f"daily check of {self.today.isoformat()}: {count} certification{plural}"]
        lines += [f"  {result}" for result in self.results]
        return "\n".join(lines)


def _run_one(
    cert: Certification, resolver: Resolver | None, policy: Policy, today: date
) -> DailyResult:
    if cert.status.final:
        return DailyResult(cert, cert, today)
    try:
        report = check(cert.domain, resolver=resolver, policy=policy)
    except Exception as exc:  # noqa: BLE001 -- one domain's crash must not stop the others
        return DailyResult(cert, cert, today, error=f"the check raised {type(exc).__name__}: {exc}")
    try:
        after = apply_check(cert, report, today=today, policy=policy)
    except LifecycleError as exc:
        return DailyResult(cert, cert, today, report, error=str(exc))
    return DailyResult(cert, after, today, report)


def daily_check(
    certifications: Iterable[Certification],
    *,
    resolver: Resolver | None = None,
    policy: Policy = ARUBA,
    today: date,
) -> DailyRun:
    """Run the provider's daily check (P6) over certifications and apply its outcome (P7, P8).

    Domains whose certification is over (REMOVED, EXPIRED) are not checked.
    Every other one is checked with :func:`pecdns.check` and moved on with
    :func:`apply_check`. A check that raises, or that cannot be applied,
    leaves its certification unchanged and is reported in the result, never
    raised: one certification in, exactly one result out, in input order.

    Args:
        certifications: the certifications to check.
        resolver: where DNS answers come from; the real DNS when ``None``.
        policy: the provider's requirements and terms; Aruba's by default.
        today: the day of the run; never read from the clock.

    Returns:
        A :class:`DailyRun`: the new certifications and what changed.

    Raises:
        LifecycleError: ``today`` is not a date.

    >>> from datetime import date
    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {"pec.good.it": {"MX": "10 mx.pec.aruba.it."}, "mx.pec.aruba.it": {"A": "192.0.2.25"}}
    ... )
    >>> certs = [
    ...     Certification("good.it", date(2026, 1, 31)),
    ...     Certification("bad.it", date(2026, 1, 31)),
    ... ]
    >>> run = daily_check(certs, resolver=fake, today=date(2026, 1, 1))
    >>> print(run)
    daily check of 2026-01-01: 2 certifications
      good.it: ACTIVE
      bad.it: ACTIVE -> SUSPENDED, 30 days left before expiry on 2026-01-31
    """
    today = _day(today, "today")
    return DailyRun(today, tuple(_run_one(c, resolver, policy, today) for c in certifications))
