from __future__ import annotations

import functools
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from unittest import mock

import attrs
import pytest
from hypothesis import given
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
    assert "before 2026-03-31" in change.reason


def test_suspended_and_compliant_before_expiry_is_restored_p8() -> None:
    after = apply_check(cert(SUSPENDED), COMPLIANT, today=EXPIRES - timedelta(days=1))
    assert after.status is ACTIVE
    assert after.history[-1].before is SUSPENDED
    assert "(P8)" in after.history[-1].reason


def test_suspended_and_failing_before_expiry_stays_suspended() -> None:
    after = apply_check(cert(SUSPENDED), FAILING, today=DAY)
    assert after.status is SUSPENDED
    assert after.history == ()


@pytest.mark.parametrize("check", [COMPLIANT, FAILING], ids=["compliant", "failing"])
def test_suspended_on_the_expiry_date_is_removed_whatever_the_report_says(check: Report) -> None:
    after = apply_check(cert(SUSPENDED), check, today=EXPIRES)
    assert after.status is REMOVED
    assert "removed for good" in after.history[-1].reason
    assert "(P8)" in after.history[-1].reason


def test_suspended_after_the_expiry_date_is_removed() -> None:
    assert apply_check(cert(SUSPENDED), COMPLIANT, today=EXPIRES + WEEK).status is REMOVED


@pytest.mark.parametrize("check", [COMPLIANT, FAILING, UNDETERMINED], ids=str)
def test_removed_stays_removed(check: Report) -> None:
    after = apply_check(cert(REMOVED), check, today=DAY)
    assert after.status is REMOVED
    assert after.history == ()


@pytest.mark.parametrize("check", [COMPLIANT, FAILING], ids=["compliant", "failing"])
def test_expired_stays_expired(check: Report) -> None:
    assert apply_check(cert(EXPIRED), check, today=DAY).status is EXPIRED


@pytest.mark.parametrize("check", [COMPLIANT, FAILING], ids=["compliant", "failing"])
def test_active_on_the_expiry_date_expires(check: Report) -> None:
    after = apply_check(cert(), check, today=EXPIRES)
    assert after.status is EXPIRED
    assert after.history[-1].reason == "the certification expired on 2026-03-31"


@pytest.mark.parametrize("status", list(CertificationStatus))
def test_an_undetermined_check_never_changes_the_status(status: CertificationStatus) -> None:
    after = apply_check(cert(status), UNDETERMINED, today=DAY)
    assert after.status is status
    assert after.history == ()


@pytest.mark.parametrize("status", [ACTIVE, NOTIFIED, SUSPENDED])
def test_an_undetermined_check_past_expiry_still_changes_nothing(
    status: CertificationStatus,
) -> None:
    assert apply_check(cert(status), UNDETERMINED, today=EXPIRES + WEEK).status is status


def test_an_undetermined_check_is_recorded_as_the_last_check() -> None:
    after = apply_check(cert(), UNDETERMINED, today=DAY)
    assert (after.last_checked, after.last_report) == (DAY, UNDETERMINED)


# The optional notice period


def test_there_is_no_notice_period_by_default() -> None:
    assert ARUBA.notice_period is None


def test_with_a_notice_period_a_failed_check_notifies_instead_of_suspending() -> None:
    after = apply_check(cert(), FAILING, today=DAY, policy=NOTICE)
    assert after.status is NOTIFIED
    assert after.notified_on == DAY
    assert after.status.certified
    assert "until 2026-03-08" in after.history[-1].reason


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
    assert after.history[-1].reason == "the DNS was fixed within the notice period"


def test_notified_on_the_expiry_date_is_removed() -> None:
    after = apply_check(cert(NOTIFIED), COMPLIANT, today=EXPIRES, policy=NOTICE)
    assert after.status is REMOVED


def test_notified_and_failing_under_a_policy_without_notice_is_suspended() -> None:
    assert apply_check(cert(NOTIFIED), FAILING, today=DAY).status is SUSPENDED


def test_suspended_and_failing_with_a_notice_period_stays_suspended() -> None:
    assert apply_check(cert(SUSPENDED), FAILING, today=DAY, policy=NOTICE).status is SUSPENDED


@pytest.mark.parametrize("period", [timedelta(0), timedelta(hours=36), timedelta(days=-7), 7])
def test_a_notice_period_that_is_not_whole_positive_days_is_refused(period: Any) -> None:
    with pytest.raises(ValueError, match="the notice period counts whole days"):
        attrs.evolve(ARUBA, notice_period=period)


# Refusals of apply_check


def test_a_report_for_another_domain_is_refused() -> None:
    with pytest.raises(LifecycleError, match=r"the report is for other\.it"):
        apply_check(cert(), report(Verdict.COMPLIANT, "other.it"), today=DAY)


def test_a_check_dated_before_the_last_one_is_refused() -> None:
    checked = apply_check(cert(), COMPLIANT, today=DAY)
    with pytest.raises(LifecycleError, match="comes before the last one applied"):
        apply_check(checked, COMPLIANT, today=DAY - timedelta(days=1))


def test_a_second_check_on_the_same_day_is_applied() -> None:
    checked = apply_check(cert(), COMPLIANT, today=DAY)
    assert apply_check(checked, FAILING, today=DAY).status is SUSPENDED


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


def test_only_removed_and_expired_are_final() -> None:
    assert [s for s in CertificationStatus if s.final] == [REMOVED, EXPIRED]


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
def test_apply_check_never_changes_the_status_on_an_undetermined_report(
    data: st.DataObject, before: Certification, policy: pecdns.Policy
) -> None:
    today = data.draw(later(before))
    after = apply_check(before, UNDETERMINED, today=today, policy=policy)
    assert (after.status, after.history, after.notified_on) == (
        before.status,
        before.history,
        before.notified_on,
    )


@given(st.data(), certifications(), verdicts, policies)
def test_apply_check_adds_a_transition_exactly_when_the_status_changes(
    data: st.DataObject, before: Certification, verdict: Verdict, policy: pecdns.Policy
) -> None:
    today = data.draw(later(before))
    after = apply_check(before, report(verdict), today=today, policy=policy)
    added = after.history[len(before.history) :]
    assert after.history[: len(before.history)] == before.history
    if after.status is before.status:
        assert added == ()
    else:
        assert [(t.before, t.after, t.on) for t in added] == [(before.status, after.status, today)]


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
    result = run([named("a.it", SUSPENDED)], {"a.it": "wrong_mx"}, today=EXPIRES)
    assert [r.domain.name for r in result.removed] == ["a.it"]
    assert result.awaiting_fix == ()


def test_daily_check_lists_who_expired() -> None:
    result = run([named("a.it")], {"a.it": "compliant"}, today=EXPIRES)
    assert [r.domain.name for r in result.expired] == ["a.it"]


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
        if outcome.undetermined or outcome.skipped:
            assert outcome.certification.status is outcome.previous.status


def test_a_daily_run_of_one_certification_says_so_in_the_singular() -> None:
    first_line = str(run([named("a.it")], {"a.it": "compliant"})).splitlines()[0]
    assert first_line == "daily check of 2026-03-01: 1 certification"
