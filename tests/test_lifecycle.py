from __future__ import annotations

import functools
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from unittest import mock

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import pecdns
from pecdns import (
    ARUBA,
    Certification,
    CertificationStatus,
    DailyRun,
    LifecycleError,
    Report,
    Verdict,
    apply_check,
    daily_check,
)
from pecdns import _lifecycle as lifecycle
from pecdns.resolvers import Outcome, Query, RRType
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

ACTIVE = CertificationStatus.ACTIVE
NOTIFIED = CertificationStatus.NOTIFIED
SUSPENDED = CertificationStatus.SUSPENDED
REMOVED = CertificationStatus.REMOVED
EXPIRED = CertificationStatus.EXPIRED

EXPIRES = date(2026, 3, 31)
DAY = date(2026, 3, 1)
WEEK = timedelta(days=7)
NOTICE = attrs.evolve(ARUBA, notice_period=WEEK)
AFTER_EXPIRY = EXPIRES + timedelta(days=1)
CONTROL = {"mx.pec.aruba.it": {"A": "192.0.2.25"}}


def zone(domain: str, verdict: Verdict) -> dict[str, Any]:
    """A fake zone in which ``domain`` gets ``verdict``."""
    if verdict is Verdict.COMPLIANT:
        return {f"pec.{domain}": {"MX": "10 mx.pec.aruba.it."}, **CONTROL}
    if verdict is Verdict.NON_COMPLIANT:
        return {
            f"pec.{domain}": {"MX": "10 mail.example.net."},
            "mail.example.net": {"A": "192.0.2.26"},
            **CONTROL,
        }
    return {f"pec.{domain}": {"MX": "10 mx.pec.aruba.it."}}


@functools.cache
def report(verdict: Verdict, domain: str = "example.it") -> Report:
    built = pecdns.check(domain, resolver=FakeResolver(zone(domain, verdict)))
    assert built.verdict is verdict
    return built


COMPLIANT = report(Verdict.COMPLIANT)
FAILING = report(Verdict.NON_COMPLIANT)
UNDETERMINED = report(Verdict.UNDETERMINED)
IDS = ["compliant", "failing", "undetermined"]


def cert(status: CertificationStatus = ACTIVE, **changes: Any) -> Certification:
    if status is NOTIFIED:
        changes.setdefault("notified_on", DAY - timedelta(days=2))
    return Certification("example.it", changes.pop("expires", EXPIRES), status, **changes)


# The transition table of apply_check: one test per row


def test_active_and_compliant_stays_active_with_the_last_check_recorded() -> None:
    after = apply_check(cert(), COMPLIANT, today=DAY)
    assert after.status is ACTIVE
    assert (after.last_checked, after.last_report) == (DAY, COMPLIANT)
    assert after.history == ()


def test_active_and_failing_is_suspended_p7() -> None:
    after = apply_check(cert(), FAILING, today=DAY)
    assert after.status is SUSPENDED
    (change,) = after.history
    assert (change.on, change.before, change.after) == (DAY, ACTIVE, SUSPENDED)
    assert change.verdict is Verdict.NON_COMPLIANT
    assert "(P7)" in change.reason
    assert "by 2026-03-31, that day included" in change.reason


def test_suspended_and_compliant_before_expiry_is_restored_p8() -> None:
    after = apply_check(cert(SUSPENDED), COMPLIANT, today=EXPIRES - timedelta(days=1))
    assert after.status is ACTIVE
    assert after.history[-1].before is SUSPENDED
    assert "(P8)" in after.history[-1].reason


def test_a_fix_checked_on_the_expiry_date_itself_restores_the_certification_p8() -> None:
    after = apply_check(cert(SUSPENDED), COMPLIANT, today=EXPIRES)
    assert after.status is ACTIVE
    assert after.history[-1].reason == (
        "the DNS was fixed by the expiry date 2026-03-31: restored to the certified list (P8)"
    )


def test_suspended_and_failing_before_expiry_stays_suspended() -> None:
    after = apply_check(cert(SUSPENDED), FAILING, today=DAY)
    assert after.status is SUSPENDED
    assert after.history == ()


def test_suspended_and_failing_on_the_expiry_date_is_not_removed_yet() -> None:
    assert apply_check(cert(SUSPENDED), FAILING, today=EXPIRES).status is SUSPENDED


@pytest.mark.parametrize("check", [COMPLIANT, FAILING, UNDETERMINED], ids=IDS)
def test_suspended_the_day_after_the_expiry_date_is_removed_whatever_the_check_says(
    check: Report,
) -> None:
    after = apply_check(cert(SUSPENDED), check, today=EXPIRES + timedelta(days=1))
    assert after.status is REMOVED
    (change,) = after.history
    assert change.verdict is None
    assert change.reason == (
        "the expiry date 2026-03-31 passed without a fix: removed for good from the certified"
        " list; the domain must be certified again from scratch (P8)"
    )


def test_suspended_after_the_expiry_date_is_removed() -> None:
    assert apply_check(cert(SUSPENDED), COMPLIANT, today=EXPIRES + WEEK).status is REMOVED


def test_removal_follows_the_expiry_date_though_every_later_check_was_undetermined() -> None:
    current = apply_check(cert(), FAILING, today=EXPIRES - WEEK)
    for day in range(7, -2, -1):
        current = apply_check(current, UNDETERMINED, today=EXPIRES - timedelta(days=day))
    assert current.status is REMOVED
    assert [(t.before, t.after) for t in current.history] == [
        (ACTIVE, SUSPENDED),
        (SUSPENDED, REMOVED),
    ]


@pytest.mark.parametrize("check", [COMPLIANT, FAILING, UNDETERMINED], ids=IDS)
def test_removed_stays_removed(check: Report) -> None:
    after = apply_check(cert(REMOVED), check, today=DAY)
    assert after.status is REMOVED
    assert after.history == ()


@pytest.mark.parametrize("check", [COMPLIANT, FAILING], ids=["compliant", "failing"])
def test_expired_stays_expired(check: Report) -> None:
    assert apply_check(cert(EXPIRED), check, today=DAY).status is EXPIRED


def test_active_and_compliant_on_the_expiry_date_stays_active() -> None:
    after = apply_check(cert(), COMPLIANT, today=EXPIRES)
    assert after.status is ACTIVE
    assert after.history == ()


def test_active_and_failing_on_the_expiry_date_is_suspended_and_the_failure_recorded() -> None:
    after = apply_check(cert(), FAILING, today=EXPIRES)
    assert [(t.before, t.after, t.verdict) for t in after.history] == [
        (ACTIVE, SUSPENDED, Verdict.NON_COMPLIANT)
    ]


@pytest.mark.parametrize("check", [COMPLIANT, FAILING, UNDETERMINED], ids=IDS)
def test_active_the_day_after_the_expiry_date_expires(check: Report) -> None:
    after = apply_check(cert(), check, today=EXPIRES + timedelta(days=1))
    assert after.status is EXPIRED
    assert after.history[-1].reason == "the expiry date 2026-03-31 passed without a renewal"


@pytest.mark.parametrize("status", list(CertificationStatus))
def test_an_undetermined_check_never_changes_the_status(status: CertificationStatus) -> None:
    after = apply_check(cert(status), UNDETERMINED, today=DAY)
    assert after.status is status
    assert after.history == ()


@pytest.mark.parametrize(
    ("status", "after"), [(ACTIVE, EXPIRED), (NOTIFIED, REMOVED), (SUSPENDED, REMOVED)]
)
def test_an_undetermined_check_past_expiry_does_not_hold_back_the_expiry_date(
    status: CertificationStatus, after: CertificationStatus
) -> None:
    assert apply_check(cert(status), UNDETERMINED, today=EXPIRES + WEEK).status is after


def test_an_undetermined_check_is_recorded_as_the_last_check() -> None:
    after = apply_check(cert(), UNDETERMINED, today=DAY)
    assert (after.last_checked, after.last_report) == (DAY, UNDETERMINED)


# Gestione DNS (seed 000): the daily check's scope


def test_a_certification_has_dns_management_by_default() -> None:
    assert cert().dns_management is True


@pytest.mark.parametrize(
    ("status", "check"), [(ACTIVE, FAILING), (SUSPENDED, COMPLIANT), (NOTIFIED, FAILING)]
)
def test_without_dns_management_a_check_is_recorded_but_does_not_move_the_status(
    status: CertificationStatus, check: Report
) -> None:
    after = apply_check(cert(status, dns_management=False), check, today=DAY, policy=NOTICE)
    assert after.status is status
    assert after.history == ()
    assert (after.last_checked, after.last_report) == (DAY, check)


def test_without_dns_management_the_expiry_date_still_applies() -> None:
    outside = cert(SUSPENDED, dns_management=False)
    assert apply_check(outside, COMPLIANT, today=EXPIRES + timedelta(days=1)).status is REMOVED


# The optional notice period


def test_there_is_no_notice_period_by_default() -> None:
    assert ARUBA.notice_period is None


def test_with_a_notice_period_a_failed_check_notifies_instead_of_suspending() -> None:
    after = apply_check(cert(), FAILING, today=DAY, policy=NOTICE)
    assert after.status is NOTIFIED
    assert after.notified_on == DAY
    assert after.status.certified
    assert "from 2026-03-08 on suspends it" in after.history[-1].reason


def test_notified_and_failing_within_the_notice_period_stays_notified() -> None:
    notified = cert(NOTIFIED, notified_on=DAY)
    after = apply_check(notified, FAILING, today=DAY + WEEK - timedelta(days=1), policy=NOTICE)
    assert after.status is NOTIFIED
    assert after.notified_on == DAY
    assert after.history == ()


def test_notified_and_failing_when_the_notice_period_is_over_is_suspended() -> None:
    after = apply_check(cert(NOTIFIED, notified_on=DAY), FAILING, today=DAY + WEEK, policy=NOTICE)
    assert after.status is SUSPENDED
    assert after.notified_on is None
    assert "notice period was over" in after.history[-1].reason


def test_notified_and_compliant_before_expiry_is_active_again() -> None:
    after = apply_check(cert(NOTIFIED), COMPLIANT, today=DAY, policy=NOTICE)
    assert after.status is ACTIVE
    assert after.notified_on is None
    assert after.history[-1].reason == "the daily check passed again within the notice period"


def test_notified_and_compliant_on_the_expiry_date_is_active_again() -> None:
    after = apply_check(cert(NOTIFIED), COMPLIANT, today=EXPIRES, policy=NOTICE)
    assert after.status is ACTIVE


def test_notified_the_day_after_the_expiry_date_is_removed_though_the_notice_runs_on() -> None:
    notified = cert(NOTIFIED, notified_on=EXPIRES - timedelta(days=1))
    after = apply_check(notified, COMPLIANT, today=EXPIRES + timedelta(days=1), policy=NOTICE)
    assert (after.status, after.notified_on) == (REMOVED, None)


def test_notified_and_failing_under_a_policy_without_notice_is_suspended() -> None:
    assert apply_check(cert(NOTIFIED), FAILING, today=DAY).status is SUSPENDED


def test_suspended_and_failing_with_a_notice_period_stays_suspended() -> None:
    assert apply_check(cert(SUSPENDED), FAILING, today=DAY, policy=NOTICE).status is SUSPENDED


@pytest.mark.parametrize("period", [timedelta(0), timedelta(hours=36), timedelta(days=-7), 7])
def test_a_notice_period_that_is_not_whole_positive_days_is_refused(period: Any) -> None:
    with pytest.raises(ValueError, match="the notice period counts whole days"):
        attrs.evolve(ARUBA, notice_period=period)


# Near the end of the calendar (issue 10, item 15)

LAST = date.max


def test_a_failed_check_near_date_max_with_a_notice_period_notifies_without_overflow() -> None:
    near = cert(expires=LAST)
    after = apply_check(near, FAILING, today=LAST - timedelta(days=2), policy=NOTICE)
    assert after.status is NOTIFIED
    assert "from after 9999-12-31 on" in after.history[-1].reason


def test_a_notice_period_running_past_date_max_keeps_the_certification_notified() -> None:
    notified = cert(NOTIFIED, expires=LAST, notified_on=LAST - timedelta(days=2))
    assert apply_check(notified, FAILING, today=LAST, policy=NOTICE).status is NOTIFIED


def test_a_certification_expiring_on_date_max_never_lapses() -> None:
    assert apply_check(cert(SUSPENDED, expires=LAST), FAILING, today=LAST).status is SUSPENDED


# Refusals of apply_check


def test_a_report_for_another_domain_is_refused() -> None:
    with pytest.raises(LifecycleError, match=r"the report is for other\.it"):
        apply_check(cert(), report(Verdict.COMPLIANT, "other.it"), today=DAY)


def test_a_check_dated_before_the_last_one_is_refused() -> None:
    checked = apply_check(cert(), COMPLIANT, today=DAY)
    with pytest.raises(LifecycleError, match="comes before the last one applied"):
        apply_check(checked, COMPLIANT, today=DAY - timedelta(days=1))


def test_a_check_dated_before_a_renewal_is_refused() -> None:
    renewed = cert().renew(expires=EXPIRES + 365 * timedelta(days=1), on=DAY)
    with pytest.raises(LifecycleError, match=r"a check dated 2026-02-28 comes before .*2026-03-01"):
        apply_check(renewed, COMPLIANT, today=DAY - timedelta(days=1))


def test_a_second_check_on_the_same_day_is_applied() -> None:
    checked = apply_check(cert(), COMPLIANT, today=DAY)
    assert apply_check(checked, FAILING, today=DAY).status is SUSPENDED


def test_a_failure_then_a_fix_on_the_same_day_keeps_both_in_the_history() -> None:
    failed = apply_check(cert(), FAILING, today=DAY)
    fixed = apply_check(failed, COMPLIANT, today=DAY)
    assert [(t.on, t.before, t.after, t.verdict) for t in fixed.history] == [
        (DAY, ACTIVE, SUSPENDED, Verdict.NON_COMPLIANT),
        (DAY, SUSPENDED, ACTIVE, Verdict.COMPLIANT),
    ]


def test_a_datetime_for_today_is_refused() -> None:
    with pytest.raises(LifecycleError, match=r"today must be a date .* \.date\(\)"):
        apply_check(cert(), COMPLIANT, today=datetime(2026, 3, 1, tzinfo=timezone.utc))


def test_text_for_today_is_refused() -> None:
    with pytest.raises(LifecycleError, match="today must be a date"):
        apply_check(cert(), COMPLIANT, today="2026-03-01")  # type: ignore[arg-type]


def test_apply_check_leaves_its_input_unchanged() -> None:
    before = cert()
    apply_check(before, FAILING, today=DAY)
    assert before == cert()


def test_the_history_keeps_every_change_in_order() -> None:
    steps = [(FAILING, DAY), (COMPLIANT, DAY + WEEK), (FAILING, DAY + 2 * WEEK)]
    current = cert()
    for check, day in steps:
        current = apply_check(current, check, today=day)
    assert [(t.before, t.after) for t in current.history] == [
        (ACTIVE, SUSPENDED),
        (SUSPENDED, ACTIVE),
        (ACTIVE, SUSPENDED),
    ]


# Renewal

NEXT_YEAR = date(2027, 3, 31)


def test_renewing_sets_the_new_expiry_date_and_records_it_in_the_history() -> None:
    renewed = cert().renew(expires=NEXT_YEAR, on=DAY)
    assert (renewed.status, renewed.expires) == (ACTIVE, NEXT_YEAR)
    (entry,) = renewed.history
    assert (entry.on, entry.before, entry.after, entry.verdict, entry.expires) == (
        DAY,
        ACTIVE,
        ACTIVE,
        None,
        NEXT_YEAR,
    )
    assert entry.reason == "renewed until 2027-03-31 (it was to expire on 2026-03-31)"


def test_renewing_on_the_expiry_date_itself_is_in_time() -> None:
    assert cert().renew(expires=NEXT_YEAR, on=EXPIRES).status is ACTIVE


def test_a_renewed_certification_does_not_expire_on_the_old_date() -> None:
    renewed = cert().renew(expires=NEXT_YEAR, on=DAY)
    assert apply_check(renewed, COMPLIANT, today=EXPIRES + WEEK).status is ACTIVE


def test_renewing_a_suspended_certification_keeps_it_suspended_and_moves_the_deadline() -> None:
    renewed = cert(SUSPENDED).renew(expires=NEXT_YEAR, on=DAY)
    assert renewed.status is SUSPENDED
    assert "still awaiting a fix, now due by 2027-03-31 (P8)" in renewed.history[-1].reason
    after = apply_check(renewed, COMPLIANT, today=EXPIRES + WEEK)
    assert after.status is ACTIVE


def test_renewing_a_notified_certification_keeps_the_notice() -> None:
    renewed = cert(NOTIFIED).renew(expires=NEXT_YEAR, on=DAY)
    assert (renewed.status, renewed.notified_on) == (NOTIFIED, DAY - timedelta(days=2))


def test_renewing_an_expired_certification_makes_it_active_again() -> None:
    renewed = cert(EXPIRED).renew(expires=NEXT_YEAR, on=EXPIRES + WEEK)
    assert renewed.status is ACTIVE
    assert (renewed.history[-1].before, renewed.history[-1].after) == (EXPIRED, ACTIVE)


def test_renewing_after_the_expiry_date_records_the_lapse_first() -> None:
    renewed = cert().renew(expires=NEXT_YEAR, on=EXPIRES + WEEK)
    assert [(t.before, t.after) for t in renewed.history] == [(ACTIVE, EXPIRED), (EXPIRED, ACTIVE)]


def test_renewing_a_removed_certification_is_refused() -> None:
    with pytest.raises(LifecycleError, match=r"it is REMOVED, .*«ex novo»"):
        cert(REMOVED).renew(expires=NEXT_YEAR, on=DAY)


def test_renewing_a_suspended_certification_after_its_expiry_date_is_refused() -> None:
    with pytest.raises(LifecycleError, match="its expiry date passed while it awaited a fix"):
        cert(SUSPENDED).renew(expires=NEXT_YEAR, on=EXPIRES + timedelta(days=1))


@pytest.mark.parametrize("new", [EXPIRES, EXPIRES - WEEK, DAY + 2 * WEEK])
def test_a_renewal_that_does_not_extend_the_certification_is_refused(new: date) -> None:
    with pytest.raises(LifecycleError, match="a renewal extends the certification"):
        cert().renew(expires=new, on=EXPIRES + WEEK if new > EXPIRES else DAY)


def test_a_renewal_dated_before_the_last_check_is_refused() -> None:
    checked = apply_check(cert(), COMPLIANT, today=DAY)
    with pytest.raises(LifecycleError, match="a renewal dated 2026-02-28 comes before"):
        checked.renew(expires=NEXT_YEAR, on=DAY - timedelta(days=1))


def test_a_renewal_with_a_datetime_is_refused() -> None:
    with pytest.raises(LifecycleError, match="on must be a date"):
        cert().renew(expires=NEXT_YEAR, on=datetime(2026, 3, 1, tzinfo=timezone.utc))


# Certification


def test_a_certification_is_active_by_default_and_takes_a_domain_as_text() -> None:
    made = Certification("Example.IT", EXPIRES)
    assert made.status is ACTIVE
    assert made.domain == pecdns.Domain("example.it")


def test_a_certification_takes_its_fields_by_keyword() -> None:
    made = Certification(domain="example.it", expires=EXPIRES, status="SUSPENDED")
    assert made.status is SUSPENDED


def test_an_unknown_status_is_refused_naming_the_valid_ones() -> None:
    with pytest.raises(LifecycleError, match="valid ones: ACTIVE, NOTIFIED, SUSPENDED"):
        Certification("example.it", EXPIRES, "LAPSED")


def test_a_datetime_expiry_is_refused() -> None:
    with pytest.raises(LifecycleError, match="expires must be a date"):
        Certification("example.it", datetime(2026, 3, 31, tzinfo=timezone.utc))


def test_notified_without_the_day_of_the_notice_is_refused() -> None:
    with pytest.raises(LifecycleError, match="exactly when the status is NOTIFIED"):
        Certification("example.it", EXPIRES, NOTIFIED)


def test_a_notice_day_on_a_certification_not_notified_is_refused() -> None:
    with pytest.raises(LifecycleError, match="exactly when the status is NOTIFIED"):
        Certification("example.it", EXPIRES, SUSPENDED, notified_on=DAY)


def test_a_last_report_for_another_domain_is_refused() -> None:
    with pytest.raises(LifecycleError, match=r"the last report is for other\.it"):
        cert(last_checked=DAY, last_report=report(Verdict.COMPLIANT, "other.it"))


def test_a_last_report_without_its_day_is_refused() -> None:
    with pytest.raises(LifecycleError, match="needs last_checked"):
        cert(last_report=COMPLIANT)


def test_days_left_counts_to_the_expiry_date() -> None:
    assert cert().days_left(EXPIRES - timedelta(days=3)) == 3
    assert cert().days_left(EXPIRES) == 0


def test_a_certification_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cert().status = REMOVED  # type: ignore[misc]


def test_only_active_and_notified_domains_are_on_the_certified_list() -> None:
    assert [s for s in CertificationStatus if s.certified] == [ACTIVE, NOTIFIED]


def test_only_removed_is_final() -> None:
    assert [s for s in CertificationStatus if s.final] == [REMOVED]


def test_removed_and_expired_certifications_are_over() -> None:
    assert [s for s in CertificationStatus if s.over] == [REMOVED, EXPIRED]


def test_a_transition_reads_as_a_line() -> None:
    (change,) = apply_check(cert(), FAILING, today=DAY).history
    assert str(change).startswith("2026-03-01: ACTIVE -> SUSPENDED: the daily check failed (P6)")


# Property tests

verdicts = st.sampled_from([Verdict.COMPLIANT, Verdict.NON_COMPLIANT, Verdict.UNDETERMINED])
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
policies = st.sampled_from([ARUBA, NOTICE])
ANY_STATUS = st.sampled_from(CertificationStatus)


@st.composite
def certifications(
    draw: st.DrawFn,
    domain: str = "example.it",
    statuses: st.SearchStrategy[CertificationStatus] = ANY_STATUS,
) -> Certification:
    status = draw(statuses)
    return Certification(
        domain,
        draw(days),
        status,
        notified_on=draw(days) if status is NOTIFIED else None,
        last_checked=draw(st.none() | days),
        dns_management=draw(st.booleans()),
    )


def later(cert: Certification) -> st.SearchStrategy[date]:
    start = cert.last_checked or date(2025, 1, 1)
    return st.dates(min_value=start, max_value=start + timedelta(days=800))


@given(st.data(), certifications(statuses=st.just(REMOVED)), verdicts, policies)
def test_apply_check_never_moves_removed(
    data: st.DataObject, removed: Certification, verdict: Verdict, policy: pecdns.Policy
) -> None:
    after = apply_check(removed, report(verdict), today=data.draw(later(removed)), policy=policy)
    assert after.status is REMOVED


@given(st.data(), certifications(), policies)
def test_an_undetermined_report_moves_a_status_only_by_the_expiry_date(
    data: st.DataObject, before: Certification, policy: pecdns.Policy
) -> None:
    today = data.draw(later(before))
    after = apply_check(before, UNDETERMINED, today=today, policy=policy)
    if before.status.over or today <= before.expires:
        assert (after.status, after.history, after.notified_on) == (
            before.status,
            before.history,
            before.notified_on,
        )
    else:
        (lapse,) = after.history[len(before.history) :]
        assert lapse.verdict is None
        assert after.status is (REMOVED if before.status.awaiting_fix else EXPIRED)


@given(st.data(), certifications(), verdicts, policies)
def test_the_history_only_grows_and_each_entry_starts_where_the_last_ended(
    data: st.DataObject, before: Certification, verdict: Verdict, policy: pecdns.Policy
) -> None:
    today = data.draw(later(before))
    after = apply_check(before, report(verdict), today=today, policy=policy)
    added = after.history[len(before.history) :]
    assert after.history[: len(before.history)] == before.history
    statuses = [before.status, *(t.after for t in added)]
    assert [t.before for t in added] == statuses[:-1]
    assert statuses[-1] is after.status
    assert all(t.on == today and t.before is not t.after for t in added)


@given(
    st.lists(st.tuples(verdicts, st.integers(min_value=0, max_value=40)), max_size=12),
    policies,
)
def test_a_failed_check_of_a_certification_in_good_standing_is_never_dropped_from_the_history(
    steps: list[tuple[Verdict, int]], policy: pecdns.Policy
) -> None:
    current, today, failures = cert(expires=DAY + 8 * WEEK), DAY, []
    for verdict, gap in steps:
        today += timedelta(days=gap)
        before = current
        current = apply_check(current, report(verdict), today=today, policy=policy)
        if verdict is Verdict.NON_COMPLIANT and before.status is ACTIVE and today <= before.expires:
            failures.append(today)
    recorded = [
        t.on for t in current.history if t.before is ACTIVE and t.verdict is Verdict.NON_COMPLIANT
    ]
    assert recorded == failures


@given(st.data(), certifications(statuses=st.sampled_from([ACTIVE, NOTIFIED, SUSPENDED])))
def test_renewing_in_time_keeps_the_status_and_only_adds_the_renewal(
    data: st.DataObject, before: Certification
) -> None:
    first = before.last_checked or date(2025, 1, 1)
    assume(first <= before.expires)
    on = data.draw(st.dates(min_value=first, max_value=before.expires))
    new = data.draw(st.dates(min_value=before.expires + timedelta(days=1)))
    renewed = before.renew(expires=new, on=on)
    assert (renewed.status, renewed.expires, renewed.notified_on) == (
        before.status,
        new,
        before.notified_on,
    )
    assert renewed.history[:-1] == before.history
    assert renewed.history[-1].expires == new


# daily_check

BEHAVIOURS = ("compliant", "wrong_mx", "servfail", "timeout", "resolver_raises", "check_raises")
FAILURES = {"servfail": Outcome.SERVFAIL, "timeout": Outcome.TIMEOUT}


def handler_for(behaviours: Mapping[str, str], control_fails: bool = False) -> FakeResolver:
    """A resolver whose answers for each domain follow its behaviour in ``behaviours``."""

    def answer(query: Query) -> Outcome | list[str]:
        if query.name == "mx.pec.aruba.it.":
            return Outcome.TIMEOUT if control_fails else ["192.0.2.25"]
        if query.name == "mail.example.net." and query.rdtype is RRType.A:
            return ["192.0.2.26"]
        for domain, behaviour in behaviours.items():
            if query.name not in {f"pec.{domain}.", f"{domain}."}:
                continue
            if behaviour in FAILURES:
                return FAILURES[behaviour]
            if behaviour == "resolver_raises":
                message = f"resolver crashed on {query}"
                raise RuntimeError(message)
            if query.name == f"pec.{domain}." and query.rdtype is RRType.MX:
                good = behaviour != "wrong_mx"
                return ["10 mx.pec.aruba.it." if good else "10 mail.example.net."]
            return []
        return Outcome.NXDOMAIN

    return FakeResolver(answer)


def crashing_check(behaviours: Mapping[str, str]) -> Any:
    real = pecdns.check

    def fake(domain: pecdns.Domain, **kwargs: Any) -> Report:
        if behaviours.get(domain.name) == "check_raises":
            message = f"check crashed on {domain}"
            raise RuntimeError(message)
        return real(domain, **kwargs)

    return fake


def run(
    certs: Iterable[Certification],
    behaviours: Mapping[str, str],
    *,
    today: date = DAY,
    control_fails: bool = False,
    policy: pecdns.Policy = ARUBA,
) -> DailyRun:
    resolver = handler_for(behaviours, control_fails)
    with mock.patch.object(lifecycle, "check", crashing_check(behaviours)):
        return daily_check(certs, resolver=resolver, policy=policy, today=today)


def named(domain: str, status: CertificationStatus = ACTIVE, **changes: Any) -> Certification:
    if status is NOTIFIED:
        changes.setdefault("notified_on", DAY - timedelta(days=2))
    return Certification(domain, changes.pop("expires", EXPIRES), status, **changes)


def test_daily_check_gives_the_new_certifications_in_input_order() -> None:
    certs = [named("b.it"), named("a.it")]
    result = run(certs, {"a.it": "compliant", "b.it": "wrong_mx"})
    assert [c.domain.name for c in result.certifications] == ["b.it", "a.it"]
    assert [c.status for c in result.certifications] == [SUSPENDED, ACTIVE]


def test_daily_check_lists_who_was_suspended_with_the_days_left() -> None:
    result = run([named("a.it")], {"a.it": "wrong_mx"})
    (suspended,) = result.suspended
    assert suspended.domain.name == "a.it"
    assert suspended.days_left == (EXPIRES - DAY).days


def test_daily_check_lists_who_was_restored() -> None:
    result = run([named("a.it", SUSPENDED)], {"a.it": "compliant"})
    assert [r.domain.name for r in result.restored] == ["a.it"]


def test_daily_check_lists_who_was_removed_for_good() -> None:
    result = run([named("a.it", SUSPENDED)], {"a.it": "wrong_mx"}, today=AFTER_EXPIRY)
    assert [r.domain.name for r in result.removed] == ["a.it"]
    assert result.awaiting_fix == ()


def test_daily_check_lists_who_expired() -> None:
    result = run([named("a.it")], {"a.it": "compliant"}, today=AFTER_EXPIRY)
    assert [r.domain.name for r in result.expired] == ["a.it"]


def test_daily_check_on_the_expiry_date_restores_a_fixed_domain() -> None:
    result = run([named("a.it", SUSPENDED)], {"a.it": "compliant"}, today=EXPIRES)
    assert [r.domain.name for r in result.restored] == ["a.it"]


@pytest.mark.parametrize(("status", "after"), [(ACTIVE, EXPIRED), (SUSPENDED, REMOVED)])
def test_daily_check_moves_a_certification_past_its_expiry_date_without_checking_it(
    status: CertificationStatus, after: CertificationStatus
) -> None:
    resolver = handler_for({"a.it": "compliant"})
    (only,) = daily_check([named("a.it", status)], resolver=resolver, today=AFTER_EXPIRY).results
    assert only.skipped
    assert only.certification.status is after
    assert resolver.queries == []
    assert str(only) == f"a.it: {status} -> {after} (not checked)"


def test_daily_check_lists_who_was_notified_under_a_notice_period() -> None:
    result = run([named("a.it")], {"a.it": "wrong_mx"}, policy=NOTICE)
    assert [r.domain.name for r in result.notified] == ["a.it"]
    assert result.suspended == ()


def test_daily_check_gives_days_left_for_every_domain_awaiting_a_fix() -> None:
    certs = [named("a.it", SUSPENDED, expires=DAY + WEEK), named("b.it"), named("c.it")]
    result = run(certs, {"a.it": "wrong_mx", "b.it": "compliant", "c.it": "wrong_mx"})
    assert [(r.domain.name, r.days_left) for r in result.awaiting_fix] == [
        ("a.it", 7),
        ("c.it", (EXPIRES - DAY).days),
    ]


def test_daily_check_lists_only_todays_changes() -> None:
    certs = [named("a.it", SUSPENDED), named("b.it"), named("c.it")]
    result = run(certs, {"a.it": "wrong_mx", "b.it": "compliant", "c.it": "wrong_mx"})
    assert [r.domain.name for r in result.changes] == ["c.it"]


@pytest.mark.parametrize("status", [REMOVED, EXPIRED])
def test_daily_check_does_not_check_a_domain_whose_certification_is_over(
    status: CertificationStatus,
) -> None:
    resolver = handler_for({"a.it": "compliant"})
    result = daily_check([named("a.it", status)], resolver=resolver, today=DAY)
    (only,) = result.results
    assert only.skipped
    assert only.certification.status is status
    assert resolver.queries == []


def test_a_certification_over_is_skipped_whatever_its_dates() -> None:
    removed = named("a.it", REMOVED, last_checked=DAY + WEEK)
    (only,) = run([removed], {"a.it": "compliant"}).results
    assert (only.skipped, only.error, only.certification) == (True, None, removed)


def test_a_check_that_raises_leaves_its_certification_unchanged_and_the_run_goes_on() -> None:
    certs = [named("a.it"), named("b.it")]
    result = run(certs, {"a.it": "check_raises", "b.it": "wrong_mx"})
    first, second = result.results
    assert first.certification == certs[0]
    assert first.error == "the check raised RuntimeError: check crashed on a.it"
    assert first.undetermined
    assert second.certification.status is SUSPENDED


def test_a_resolver_that_raises_never_escapes_daily_check() -> None:
    result = run([named("a.it")], {"a.it": "resolver_raises"})
    assert len(result.results) == 1
    assert result.results[0].report is not None


def test_a_failing_control_lookup_makes_every_check_undetermined_and_changes_nothing() -> None:
    certs = [named("a.it"), named("b.it", SUSPENDED)]
    # A definite breach (a wrong MX) would be NON_COMPLIANT even so (issue 9 point 2).
    result = run(certs, {"a.it": "compliant", "b.it": "compliant"}, control_fails=True)
    assert result.certifications == tuple(
        attrs.evolve(c, last_checked=DAY, last_report=r.report)
        for c, r in zip(certs, result.results, strict=True)
    )
    assert len(result.undetermined) == 2


def test_a_check_that_cannot_be_applied_is_reported_not_raised() -> None:
    future = named("a.it", last_checked=DAY + timedelta(days=1))
    (only,) = run([future], {"a.it": "compliant"}).results
    assert only.certification == future
    assert only.error is not None
    assert "comes before the last one applied" in only.error


def test_daily_check_refuses_a_datetime_for_today() -> None:
    with pytest.raises(LifecycleError, match="today must be a date"):
        daily_check([], today=datetime(2026, 3, 1, tzinfo=timezone.utc))


def test_daily_check_of_nothing_is_an_empty_run() -> None:
    assert daily_check([], today=DAY) == DailyRun(DAY, ())


def test_daily_check_takes_any_iterable() -> None:
    result = run((c for c in [named("a.it")]), {"a.it": "compliant"})
    assert len(result.results) == 1


def test_a_daily_run_reads_as_a_summary() -> None:
    certs = [named("a.it"), named("b.it"), named("c.it", REMOVED), named("d.it")]
    behaviours = {"a.it": "compliant", "b.it": "wrong_mx", "d.it": "check_raises"}
    assert str(run(certs, behaviours)).splitlines() == [
        "daily check of 2026-03-01: 4 certifications",
        "  a.it: ACTIVE",
        "  b.it: ACTIVE -> SUSPENDED, 30 days left before expiry on 2026-03-31",
        "  c.it: REMOVED (not checked)",
        "  d.it: ACTIVE (check not applied: the check raised RuntimeError: check crashed on d.it)",
    ]


def test_an_undetermined_result_says_so_in_the_summary() -> None:
    (only,) = run([named("a.it")], {"a.it": "compliant"}, control_fails=True).results
    assert str(only) == "a.it: ACTIVE (check undetermined)"


# Gestione DNS (seed 000) in the daily run


def test_daily_check_runs_and_reports_the_check_of_a_domain_without_dns_management() -> None:
    (only,) = run([named("a.it", dns_management=False)], {"a.it": "wrong_mx"}).results
    assert only.report is not None
    assert only.report.verdict is Verdict.NON_COMPLIANT
    assert only.outside_scope
    assert only.certification.status is ACTIVE
    assert str(only) == (
        "a.it: ACTIVE (check NON_COMPLIANT not applied: no Gestione DNS, outside the daily check"
        " of seed 000)"
    )


# Misuse (issue 10, item 15)


def test_a_daily_run_near_date_max_with_a_notice_period_keeps_every_certification() -> None:
    certs = [named("a.it", expires=LAST), named("b.it", expires=LAST)]
    result = run(
        certs, {"a.it": "wrong_mx", "b.it": "compliant"}, today=LAST - timedelta(1), policy=NOTICE
    )
    assert [c.status for c in result.certifications] == [NOTIFIED, ACTIVE]


def test_an_unexpected_error_applying_a_check_is_reported_and_the_run_goes_on() -> None:
    real = lifecycle.apply_check

    def broken(cert: Certification, report: Report, **kwargs: Any) -> Certification:
        if cert.domain.name == "a.it":
            message = "boom"
            raise OverflowError(message)
        return real(cert, report, **kwargs)

    with mock.patch.object(lifecycle, "apply_check", broken):
        result = run([named("a.it"), named("b.it")], {"a.it": "wrong_mx", "b.it": "wrong_mx"})
    first, second = result.results
    assert first.error == "applying the check raised OverflowError: boom"
    assert first.certification == first.previous
    assert second.certification.status is SUSPENDED


def flapping() -> FakeResolver:
    """A resolver whose MX for pec.a.it is wrong, then right, then wrong... question by question."""
    calls = iter(range(1000))

    def answer(query: Query) -> Outcome | list[str]:
        if query.name == "mx.pec.aruba.it.":
            return ["192.0.2.25"]
        if query.name == "mail.example.net." and query.rdtype is RRType.A:
            return ["192.0.2.26"]
        if query.name == "pec.a.it." and query.rdtype is RRType.MX:
            good = next(calls) % 2 == 1
            return ["10 mx.pec.aruba.it." if good else "10 mail.example.net."]
        return []

    return FakeResolver(answer)


def test_the_same_certification_given_three_times_is_checked_once_and_moved_once() -> None:
    checked = mock.Mock(wraps=pecdns.check)
    with mock.patch.object(lifecycle, "check", checked):
        result = daily_check([named("a.it")] * 3, resolver=flapping(), today=DAY)
    assert checked.call_count == 1
    assert [c.status for c in result.certifications] == [SUSPENDED] * 3
    assert result.results[0] == result.results[1] == result.results[2]


def test_different_certifications_of_one_domain_are_refused_and_the_others_checked() -> None:
    certs = [named("a.it"), named("b.it"), named("a.it", SUSPENDED)]
    resolver = handler_for({"a.it": "compliant", "b.it": "wrong_mx"})
    result = daily_check(certs, resolver=resolver, today=DAY)
    first, second, third = result.results
    assert (
        first.error
        == third.error
        == (
            "a.it is given 2 times as different certifications (entries 1 and 3): a domain has one"
            " certification and is checked once a day; give it once"
        )
    )
    assert (first.certification, third.certification) == (certs[0], certs[2])
    assert second.certification.status is SUSPENDED
    assert all(q.name not in {"pec.a.it.", "a.it."} for q in resolver.queries)


def test_a_removed_certification_beside_a_new_one_of_the_same_domain_is_no_duplicate() -> None:
    certs = [named("a.it", REMOVED), named("a.it", expires=EXPIRES + WEEK)]
    result = run(certs, {"a.it": "wrong_mx"})
    assert [r.error for r in result.results] == [None, None]
    assert [c.status for c in result.certifications] == [REMOVED, SUSPENDED]


DOMAINS = ("a.it", "b.it", "c.it", "d.it")


@given(
    certs=st.lists(
        st.sampled_from(DOMAINS).flatmap(lambda name: certifications(domain=name)), max_size=8
    ),
    behaviours=st.fixed_dictionaries({d: st.sampled_from(BEHAVIOURS) for d in DOMAINS}),
    control_fails=st.booleans(),
    policy=policies,
    today=days,
)
def test_daily_check_returns_one_result_per_input_in_order_for_any_mix_of_failures(
    certs: list[Certification],
    behaviours: dict[str, str],
    control_fails: bool,
    policy: pecdns.Policy,
    today: date,
) -> None:
    result = run(certs, behaviours, today=today, control_fails=control_fails, policy=policy)
    assert [r.previous for r in result.results] == certs
    assert [c.domain for c in result.certifications] == [c.domain for c in certs]
    for outcome in result.results:
        if outcome.undetermined or outcome.skipped or outcome.outside_scope:
            # only the expiry date moves a certification whose check was not applied
            assert all(t.verdict is None for t in outcome.transitions)
    for i, first in enumerate(certs):
        for j in range(i + 1, len(certs)):
            if certs[j] == first:
                assert result.results[j] == result.results[i]


def test_a_daily_run_of_one_certification_says_so_in_the_singular() -> None:
    first_line = str(run([named("a.it")], {"a.it": "compliant"})).splitlines()[0]
    assert first_line == "daily check of 2026-03-01: 1 certification"
