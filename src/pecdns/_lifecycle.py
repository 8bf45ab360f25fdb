"""The certification of a PEC domain and what the provider's daily check does to it (P6-P8).

A :class:`Certification` is plain data; :func:`apply_check` is the whole
transition table, a pure function of a certification, a check's
:class:`~pecdns.Report` and the day; :func:`daily_check` runs the check over
many certifications the way the provider does every day. No function here
reads the clock: the day is always passed in as ``today``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
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

    ACTIVE, SUSPENDED and REMOVED are the seeds' own states; NOTIFIED and
    EXPIRED are interpretations, documented with their reasons in
    ``docs/lifecycle.md``.

    >>> [s.value for s in CertificationStatus if s.certified]
    ['ACTIVE', 'NOTIFIED']
    >>> [s.value for s in CertificationStatus if s.over], CertificationStatus.REMOVED.final
    (['REMOVED', 'EXPIRED'], True)
    """

    ACTIVE = "ACTIVE"
    """On the provider's list of certified domains; the PEC service works."""
    NOTIFIED = "NOTIFIED"
    """Still certified, but a daily check failed and the holder was notified;
    suspended unless fixed within the policy's notice period (off by default:
    an interpretation from the provider's public guide, not the seeds)."""
    SUSPENDED = "SUSPENDED"
    """Removed from the certified list after a failed check (P7); a fix checked
    by the certification's expiry date, that day included, restores it (P8)."""
    REMOVED = "REMOVED"
    """Removed for good: the expiry date passed without a fix (P8); only a new
    certification, from a new order, brings the domain back («ex novo»)."""
    EXPIRED = "EXPIRED"
    """The expiry date passed in good standing without a renewal (an
    interpretation: the seeds name the expiry date, not what follows it);
    :meth:`Certification.renew` makes it ACTIVE again."""

    @property
    def certified(self) -> bool:
        """Whether the domain is on the provider's certified list."""
        return self in {CertificationStatus.ACTIVE, CertificationStatus.NOTIFIED}

    @property
    def over(self) -> bool:
        """Whether the certification is over (REMOVED or EXPIRED): no daily check covers it."""
        return self in {CertificationStatus.REMOVED, CertificationStatus.EXPIRED}

    @property
    def final(self) -> bool:
        """Whether nothing can change this status any more: REMOVED only (P8, «ex novo»)."""
        return self is CertificationStatus.REMOVED

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


def _plus(day: date, delta: timedelta) -> date | None:
    """``day + delta``, or ``None`` when that falls after ``date.max``, the last date."""
    try:
        return day + delta
    except OverflowError:
        return None


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
    """One entry of a certification's history: a change of status, or a renewal, and why.

    Attributes:
        on: the day it was recorded: the day of the check, or of the renewal,
            that made it.
        before: the status before.
        after: the status after (the same as ``before`` for most renewals).
        reason: one sentence naming the clause that applies.
        verdict: the verdict of the check behind the change; ``None`` when no
            check caused it (the expiry date passing, a renewal).
        expires: on a renewal, the new expiry date; ``None`` otherwise.
    """

    on: date
    before: CertificationStatus
    after: CertificationStatus
    reason: str
    verdict: Verdict | None = None
    expires: date | None = field(default=None, kw_only=True)

    def __str__(self) -> str:
        return f"{self.on.isoformat()}: {self.before} -> {self.after}: {self.reason}"


@frozen
class Certification:
    """The certification of one PEC domain: its status, expiry, last check and history.

    Build it ACTIVE when the service is activated; every daily check then
    goes through :func:`apply_check`, which returns the next certification,
    and every renewal through :meth:`renew`.

    Attributes:
        domain: the customer's registrable domain.
        expires: the certification's expiry date: a fix after a failed check
            must be checked by that day, the day included (P8, «entro»).
        status: where the domain stands.
        notified_on: the day the holder was notified of a failed check; set
            exactly when the status is NOTIFIED.
        last_checked: the day of the last check applied, if any.
        last_report: the report of that check.
        history: every change of status and every renewal, oldest first; a
            failed check, once recorded, is never taken out.
        dns_management: whether the domain has the provider's *Gestione DNS*
            active. Seed 000 says the daily check covers the domains «sui quali
            è attivo il servizio di posta certificata e la Gestione DNS»; seed
            001 does not name it. ``True`` (the default) puts the certification
            in the daily check's scope under both seeds, so pecdns warns of
            every removal either could bring. ``False`` follows seed 000: the
            checks are still run and reported, but do not move the status
            (the expiry date still applies).

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

    def renew(self, *, expires: date, on: date) -> Certification:
        """The certification renewed on ``on`` until the new expiry date ``expires``.

        The renewal is added to the history. It does not touch the DNS, so
        the status stays: a SUSPENDED certification stays SUSPENDED, and its
        deadline for a fix (P8: the certification's expiry date) becomes the
        new date. A certification whose expiry date passed in good standing
        (EXPIRED) is ACTIVE again. One removed for good cannot be renewed
        (P8: it must be certified again «ex novo»), nor can one whose expiry
        date passed while it awaited a fix, which is therefore removed.

        Args:
            expires: the new expiry date: later than the current one, and not
                before ``on``.
            on: the day of the renewal; never read from the clock.

        Returns:
            The renewed certification.

        Raises:
            LifecycleError: the certification is (or, by ``on``, has become)
                REMOVED; ``expires`` does not extend it; ``on`` comes before
                the last check or change recorded; a day is not a date.

        >>> from datetime import date
        >>> cert = Certification("example.it", date(2026, 3, 31), "SUSPENDED")
        >>> cert = cert.renew(expires=date(2027, 3, 31), on=date(2026, 3, 20))
        >>> cert.status, cert.expires
        (<CertificationStatus.SUSPENDED: 'SUSPENDED'>, datetime.date(2027, 3, 31))
        >>> print(cert.history[-1])  # doctest: +NORMALIZE_WHITESPACE
        2026-03-20: SUSPENDED -> SUSPENDED: renewed until 2027-03-31 (it was to expire
        on 2026-03-31); still awaiting a fix, now due by 2027-03-31 (P8)
        """
        on = _day(on, "on")
        new = _day(expires, "expires")
        _in_order(self, on, "a renewal")
        lapsed = _lapse(self, on)
        if lapsed.status.final:
            why = (
                "its expiry date passed while it awaited a fix"
                if self.status is not _REMOVED
                else "it is REMOVED"
            )
            raise LifecycleError(
                f"the certification of {self.domain} cannot be renewed on {on.isoformat()}:"
                f" {why}, so it is removed for good and must be certified again from scratch"
                " (P8, «ex novo»): order the service again and build a new Certification"
            )
        if new <= self.expires or new < on:
            raise LifecycleError(
                f"a renewal extends the certification: give an expiry date after"
                f" {self.expires.isoformat()} and not before the renewal day {on.isoformat()},"
                f" not {new.isoformat()}"
            )
        before = lapsed.status
        after = _ACTIVE if before is _EXPIRED else before
        reason = f"renewed until {new.isoformat()} (it was to expire on {self.expires.isoformat()})"
        if after.awaiting_fix:
            reason += f"; still awaiting a fix, now due by {new.isoformat()} (P8)"
        renewal = Transition(on, before, after, reason, expires=new)
        return evolve(lapsed, expires=new, status=after, history=(*lapsed.history, renewal))


def _in_order(cert: Certification, day: date, what: str) -> None:
    """Refuse ``day`` if it comes before the last check or change recorded on ``cert``."""
    days = [cert.last_checked, cert.history[-1].on if cert.history else None]
    last = max((d for d in days if d is not None), default=None)
    if last is not None and day < last:
        raise LifecycleError(
            f"{what} dated {day.isoformat()} comes before the last one applied"
            f" ({last.isoformat()}); apply checks and renewals in date order,"
            f" from {last.isoformat()} on"
        )


def _lapse(cert: Certification, today: date) -> Certification:
    """The certification once its expiry date has passed by ``today``, whatever any check says.

    P8: the fix must come by («entro») the expiry date, that day included; from
    the day after, a certification still awaiting a fix is removed for good,
    even if no check since could tell (UNDETERMINED). One in good standing
    expires (an interpretation). The change is recorded on ``today``.
    """
    if cert.status.over or today <= cert.expires:
        return cert
    expiry = cert.expires.isoformat()
    if cert.status.awaiting_fix:
        after, reason = (
            _REMOVED,
            (
                f"the expiry date {expiry} passed without a fix: removed for good from the"
                " certified list; the domain must be certified again from scratch (P8)"
            ),
        )
    else:
        after, reason = _EXPIRED, f"the expiry date {expiry} passed without a renewal"
    change = Transition(today, cert.status, after, reason)
    return evolve(cert, status=after, notified_on=None, history=(*cert.history, change))


def _notice_end(since: date, notice: timedelta) -> str:
    end = _plus(since, notice)
    return end.isoformat() if end is not None else f"after {date.max.isoformat()}"


def _after_failure(
    cert: Certification, today: date, policy: Policy
) -> tuple[CertificationStatus, str] | None:
    notice = policy.notice_period
    fix_by = f"a fix checked by {cert.expires.isoformat()}, that day included, restores it (P8)"
    if cert.status is _SUSPENDED:
        return None
    if cert.status is _ACTIVE and notice is not None:
        return _NOTIFIED, (
            "the daily check failed (P6); the holder is notified, and a check that still fails"
            f" from {_notice_end(today, notice)} on suspends it (notice period)"
        )
    if cert.status is _NOTIFIED and notice is not None and cert.notified_on is not None:
        end = _plus(cert.notified_on, notice)
        if end is None or today < end:
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
    if cert.status.over or not cert.dns_management or verdict is Verdict.UNDETERMINED:
        return None
    if verdict is Verdict.COMPLIANT:
        if cert.status is _NOTIFIED:
            return _ACTIVE, "the daily check passed again within the notice period"
        if cert.status is _SUSPENDED:
            return _ACTIVE, (
                f"the DNS was fixed by the expiry date {cert.expires.isoformat()}:"
                " restored to the certified list (P8)"
            )
        return None
    return _after_failure(cert, today, policy)


def apply_check(
    certification: Certification, report: Report, *, today: date, policy: Policy = ARUBA
) -> Certification:
    """Apply one daily check to a certification: the transition table of P6-P8.

    First the expiry date: once it has passed (``today`` after it), a
    certification awaiting a fix is REMOVED for good (P8) and one in good
    standing EXPIRED, whatever the check says, even UNDETERMINED. Then the
    check's verdict, :attr:`Report.verdict` (the daily check's own, P6):

    ==========================  ===============================  ===========
    status before               check on ``today``               status after
    ==========================  ===============================  ===========
    REMOVED, EXPIRED            any                              unchanged
    any                         UNDETERMINED                     unchanged
    any, no ``dns_management``  any                              unchanged
    ACTIVE                      COMPLIANT                        ACTIVE
    ACTIVE                      NON_COMPLIANT, no notice period  SUSPENDED (P7)
    ACTIVE                      NON_COMPLIANT, notice period     NOTIFIED
    NOTIFIED                    NON_COMPLIANT, within notice     NOTIFIED
    NOTIFIED                    NON_COMPLIANT, notice over       SUSPENDED (P7)
    NOTIFIED, SUSPENDED         COMPLIANT                        ACTIVE (P8)
    SUSPENDED                   NON_COMPLIANT                    SUSPENDED
    ==========================  ===============================  ===========

    Rows apply top to bottom; a check on the expiry date itself is in time
    (P8, «entro»). Every applied check becomes the last check; every change
    of status is added to the history, and nothing is ever taken out of it.
    Two checks of one day are both applied, in the order given.

    Args:
        certification: the certification before the check.
        report: the check of the same domain, from :func:`pecdns.check`.
        today: the day of the check; never read from the clock.
        policy: the provider's terms (its notice period, if any).

    Returns:
        The certification after the check.

    Raises:
        LifecycleError: the report is for another domain, ``today`` is before
            the last check or change recorded, or ``today`` is not a date.

    >>> from datetime import date
    >>> from pecdns import check
    >>> from pecdns.testing import FakeResolver
    >>> no_mx = FakeResolver({"mx.pec.aruba.it": {"A": "192.0.2.25"}})
    >>> cert = Certification("example.it", date(2026, 3, 3))
    >>> cert = apply_check(cert, check("example.it", resolver=no_mx), today=date(2025, 6, 1))
    >>> print(cert.history[-1])  # doctest: +NORMALIZE_WHITESPACE
    2025-06-01: ACTIVE -> SUSPENDED: the daily check failed (P6): the PEC service stops
    and the domain leaves the certified list (P7); a fix checked by 2026-03-03,
    that day included, restores it (P8)
    """
    today = _day(today, "today")
    if report.domain != certification.domain:
        raise LifecycleError(
            f"the report is for {report.domain}, the certification for {certification.domain};"
            " apply a check of the certified domain itself"
        )
    _in_order(certification, today, "a check")
    cert = _lapse(certification, today)
    before = after = cert.status
    history = cert.history
    change = _next(cert, report.verdict, today, policy)
    if change is not None:
        after, reason = change
        history = (*history, Transition(today, before, after, reason, report.verdict))
    notified_on = cert.notified_on if before is _NOTIFIED else today
    return evolve(
        cert,
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
            could be applied, but for the expiry date passing).
        today: the day of the check.
        report: the check's report; ``None`` when the domain was not checked
            (its certification is over, P6) or the check raised or was refused.
        error: why the check was not applied (it raised, was refused, or the
            domain was given twice as different certifications); ``None``
            otherwise.
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
    def transitions(self) -> tuple[Transition, ...]:
        """Today's changes of status, oldest first (empty when the status stayed)."""
        return self.certification.history[len(self.previous.history) :]

    @property
    def transition(self) -> Transition | None:
        """Today's last change of status, or ``None`` when the status stayed."""
        changes = self.transitions
        return changes[-1] if changes else None

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
    def outside_scope(self) -> bool:
        """Whether the check was run but, without *Gestione DNS* (seed 000), not applied."""
        return self.report is not None and self.error is None and not self.previous.dns_management

    @property
    def days_left(self) -> int | None:
        """For a domain awaiting a fix (NOTIFIED, SUSPENDED): days left before expiry (P8)."""
        if not self.certification.status.awaiting_fix:
            return None
        return self.certification.days_left(self.today)

    def __str__(self) -> str:
        status = self.certification.status
        changes = self.transitions
        text = (
            f"{self.domain}: {changes[0].before} -> {status}"
            if changes
            else f"{self.domain}: {status}"
        )
        if self.skipped:
            text += " (not checked)"
        elif self.error is not None:
            text += f" (check not applied: {self.error})"
        elif self.outside_scope and self.report is not None:
            text += (
                f" (check {self.report.verdict} not applied: no Gestione DNS, outside the daily"
                " check of seed 000)"
            )
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
        """Domains fixed today by their expiry date, back to ACTIVE (P8)."""
        return _moved(self.results, _ACTIVE, frozenset({_NOTIFIED, _SUSPENDED}))

    @property
    def removed(self) -> tuple[DailyResult, ...]:
        """Domains removed for good today: the expiry date passed without a fix (P8)."""
        return _moved(self.results, _REMOVED)

    @property
    def expired(self) -> tuple[DailyResult, ...]:
        """Certifications in good standing whose expiry date passed without a renewal."""
        return _moved(self.results, _EXPIRED)

    @property
    def awaiting_fix(self) -> tuple[DailyResult, ...]:
        """Every domain NOTIFIED or SUSPENDED after today's run, with its days left."""
        return tuple(r for r in self.results if r.days_left is not None)

    @property
    def undetermined(self) -> tuple[DailyResult, ...]:
        """The checks that could not judge their domain; only the expiry date moved them."""
        return tuple(r for r in self.results if r.undetermined)

    def __str__(self) -> str:
        count = len(self.results)
        plural = "" if count == 1 else "s"
        lines = [f"daily check of {self.today.isoformat()}: {count} certification{plural}"]
        lines += [f"  {result}" for result in self.results]
        return "\n".join(lines)


def _checked(
    cert: Certification, resolver: Resolver | None, policy: Policy, today: date
) -> DailyResult:
    """Check one certification's domain and apply the check; never raises."""
    try:
        report = check(cert.domain, resolver=resolver, policy=policy)
    except Exception as exc:  # noqa: BLE001 -- one domain's crash must not stop the others
        return DailyResult(cert, cert, today, error=f"the check raised {type(exc).__name__}: {exc}")
    try:
        after = apply_check(cert, report, today=today, policy=policy)
    except Exception as exc:  # noqa: BLE001 -- a daily run never loses the other certifications
        error = f"applying the check raised {type(exc).__name__}: {exc}"
        return DailyResult(cert, cert, today, report, error=error)
    return DailyResult(cert, after, today, report)


def _entries(positions: list[int]) -> str:
    numbers = [str(i + 1) for i in positions]
    return f"{', '.join(numbers[:-1])} and {numbers[-1]}"


def daily_check(
    certifications: Iterable[Certification],
    *,
    resolver: Resolver | None = None,
    policy: Policy = ARUBA,
    today: date,
) -> DailyRun:
    """Run the provider's daily check (P6) over certifications and apply its outcome (P7, P8).

    A certification whose expiry date has passed is first moved on by it
    (REMOVED, or EXPIRED; see :func:`apply_check`); domains whose
    certification is over are not checked. Every other one is checked once
    with :func:`pecdns.check` and moved on with :func:`apply_check`. A check
    that raises, or that cannot be applied, leaves its certification
    unchanged and is reported in the result, never raised: one certification
    in, exactly one result out, in input order.

    A domain is checked once a day. The same certification given several
    times is checked once, and each occurrence gets that one result. Two
    *different* certifications of one domain (both still in force) are
    refused: neither is checked or moved, and each result's ``error`` names
    the entries, for pecdns will not guess which one is current. A REMOVED
    or EXPIRED certification beside a new one of the same domain is no
    duplicate: it is not checked anyway.

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
    certs = list(certifications)
    results: list[DailyResult | None] = [None] * len(certs)
    to_check: dict[Domain, list[int]] = {}
    for i, cert in enumerate(certs):
        if cert.status.over:
            results[i] = DailyResult(cert, cert, today)
            continue
        try:
            _in_order(cert, today, "a check")
        except LifecycleError as exc:
            results[i] = DailyResult(cert, cert, today, error=str(exc))
            continue
        lapsed = _lapse(cert, today)
        if lapsed.status.over:
            results[i] = DailyResult(cert, lapsed, today)
        else:
            to_check.setdefault(cert.domain, []).append(i)
    for domain, positions in to_check.items():
        if any(certs[i] != certs[positions[0]] for i in positions):
            error = (
                f"{domain} is given {len(positions)} times as different certifications"
                f" (entries {_entries(positions)}): a domain has one certification and is"
                " checked once a day; give it once"
            )
            for i in positions:
                results[i] = DailyResult(certs[i], certs[i], today, error=error)
            continue
        result = _checked(certs[positions[0]], resolver, policy, today)
        for i in positions:
            results[i] = result
    return DailyRun(today, tuple(r for r in results if r is not None))
