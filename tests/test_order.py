from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pecdns
from pecdns import (
    ARUBA,
    Domain,
    HostingPackage,
    LifecycleError,
    Onboarding,
    OnboardingStep,
    Order,
    OrderChannel,
    OrderStatus,
    PecdnsError,
)

UTC = timezone.utc
ROME = timezone(timedelta(hours=1), "CET")
PLACED = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PAID = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
ACTIVE_AT = PAID + timedelta(hours=12)


def order(**changes: Any) -> Order:
    values: dict[str, Any] = {
        "domain": "example.it",
        "channel": OrderChannel.PEC_SITE,
        "payment_method": "credit card",
        "placed_at": PLACED,
    }
    values.update(changes)
    return Order(**values)


def paid(**changes: Any) -> Order:
    return order(payment_registered_at=PAID, **changes)


# The ordering channels of P1


def test_p1_1_is_split_into_registration_transfer_and_renewal() -> None:
    p1_1 = [c for c in OrderChannel if c.clause == "P1.1"]
    assert p1_1 == [OrderChannel.REGISTRATION, OrderChannel.TRANSFER, OrderChannel.RENEWAL]


def test_every_other_channel_of_p1_has_its_own_member() -> None:
    clauses = [c.clause for c in OrderChannel if c.clause != "P1.1"]
    assert clauses == ["P1.2", "P1.3", "P1.4", "P1.5"]


@pytest.mark.parametrize("channel", [c for c in OrderChannel if not c.requires_active_domain])
def test_every_channel_but_the_customer_area_takes_an_order_for_an_inactive_domain(
    channel: OrderChannel,
) -> None:
    assert order(channel=channel).channel is channel


def test_a_channel_can_be_given_by_its_value() -> None:
    assert order(channel="renewal").channel is OrderChannel.RENEWAL


def test_a_channel_that_is_not_text_is_refused() -> None:
    with pytest.raises(LifecycleError, match=r"11 is not an ordering channel \(P1\)"):
        order(channel=11)


def test_an_unknown_channel_is_refused_naming_the_valid_ones() -> None:
    with pytest.raises(LifecycleError, match=r"'by_fax' is not an ordering channel \(P1\)") as err:
        order(channel="by_fax")
    assert all(repr(c.value) in str(err.value) for c in OrderChannel)


def test_the_customer_area_without_an_active_domain_is_refused_naming_the_channels_that_work() -> (
    None
):
    with pytest.raises(LifecycleError, match=r"customer area \(P1\.2\)") as err:
        order(channel=OrderChannel.CUSTOMER_AREA)
    message = str(err.value)
    others = [c for c in OrderChannel if c is not OrderChannel.CUSTOMER_AREA]
    assert all(repr(c.value) in message for c in others)
    assert repr(OrderChannel.CUSTOMER_AREA.value) not in message


def test_the_customer_area_with_an_active_domain_takes_the_order() -> None:
    placed = order(channel=OrderChannel.CUSTOMER_AREA, domain_active=True)
    assert placed.channel is OrderChannel.CUSTOMER_AREA


def test_only_the_customer_area_requires_an_active_domain() -> None:
    assert [c for c in OrderChannel if c.requires_active_domain] == [OrderChannel.CUSTOMER_AREA]


# Packages: optional information (P11 is the guide's scope, not a condition on ordering)


def test_an_order_needs_no_package() -> None:
    placed = order()
    assert placed.package is None
    assert placed.in_guide_scope is None


@pytest.mark.parametrize("package", list(HostingPackage))
def test_every_package_of_p11s_guide_is_kept_as_its_member(package: HostingPackage) -> None:
    placed = order(package=package)
    assert placed.package is package
    assert placed.in_guide_scope is True


def test_p11s_guide_names_eleven_packages() -> None:
    assert len(HostingPackage) == 11


@pytest.mark.parametrize(
    ("text", "package"),
    [
        ("WordPress Gestito", HostingPackage.MANAGED_WORDPRESS),
        ("supersite professional", HostingPackage.SUPERSITE_PROFESSIONAL),
        ("dns_without_mail", HostingPackage.DNS_WITHOUT_MAIL),
        ("  Hosting   Windows ", HostingPackage.HOSTING_WINDOWS),
    ],
)
def test_a_package_can_be_given_by_value_or_by_the_providers_name(
    text: str, package: HostingPackage
) -> None:
    assert order(package=text).package is package


@pytest.mark.parametrize("outside", ["Server Dedicati", "Cloud Computing", "VPS"])
def test_a_product_outside_p11s_guide_takes_the_order_and_is_kept_as_text(outside: str) -> None:
    placed = order(package=f"  {outside} ")
    assert placed.package == outside
    assert placed.in_guide_scope is False


@pytest.mark.parametrize("channel", list(OrderChannel))
def test_an_order_without_the_providers_dns_or_hosting_is_taken_on_every_channel(
    channel: OrderChannel,
) -> None:
    placed = order(channel=channel, domain_active=True)
    assert (placed.channel, placed.package) == (channel, None)


@pytest.mark.parametrize("package", ["", "   ", 11])
def test_an_empty_or_untyped_package_is_refused(package: Any) -> None:
    with pytest.raises(LifecycleError, match="a package is optional information: give None"):
        order(package=package)


# Payment method and times


def test_the_payment_method_is_kept_as_given_with_spacing_tidied() -> None:
    assert order(payment_method="  Bank   transfer ").payment_method == "Bank transfer"


@pytest.mark.parametrize("method", ["", "   "])
def test_an_empty_payment_method_is_refused(method: str) -> None:
    with pytest.raises(LifecycleError, match="payment method"):
        order(payment_method=method)


@pytest.mark.parametrize("field", ["placed_at", "payment_registered_at", "activated_at"])
def test_a_naive_datetime_is_refused(field: str) -> None:
    naive = datetime(2025, 3, 4, 9, 0)  # noqa: DTZ001 -- the point of the test
    changes: dict[str, Any] = {"payment_registered_at": PAID, field: naive}
    with pytest.raises(LifecycleError, match=f"{field} is a naive datetime"):
        order(**changes)


def test_a_date_is_refused_where_a_datetime_is_needed() -> None:
    with pytest.raises(LifecycleError, match="placed_at must be a timezone-aware datetime"):
        order(placed_at=date(2025, 3, 3))


def test_a_payment_registered_before_the_order_is_refused() -> None:
    with pytest.raises(LifecycleError, match="before the order"):
        order(payment_registered_at=PLACED - timedelta(seconds=1))


def test_an_activation_without_a_registered_payment_is_refused() -> None:
    with pytest.raises(LifecycleError, match="before its payment is registered"):
        order(activated_at=ACTIVE_AT)


def test_an_activation_before_the_payment_is_refused() -> None:
    with pytest.raises(LifecycleError, match="cannot precede"):
        paid(activated_at=PAID - timedelta(minutes=1))


def test_the_domain_is_validated() -> None:
    with pytest.raises(pecdns.InvalidDomainError):
        order(domain="www.example.it")


def test_an_order_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        order().domain = Domain("other.it")  # type: ignore[misc]


def test_lifecycle_errors_are_pecdns_errors_and_value_errors() -> None:
    assert issubclass(LifecycleError, PecdnsError)
    assert issubclass(LifecycleError, ValueError)


# Activation, P2


def test_the_expected_activation_is_none_until_the_payment_is_registered() -> None:
    assert order().expected_activation is None


def test_the_expected_activation_is_twelve_hours_after_the_payment_for_aruba() -> None:
    assert paid().expected_activation == PAID + timedelta(hours=12)


def test_the_expected_activation_follows_the_policys_delay() -> None:
    policy = attrs.evolve(ARUBA, activation_delay=timedelta(hours=2))
    assert paid(policy=policy).expected_activation == PAID + timedelta(hours=2)


def test_aruba_gives_no_payment_registration_delay() -> None:
    assert ARUBA.payment_delays == ()
    assert order().expected_payment_registration is None


def test_a_payment_delay_given_as_policy_data_is_looked_up_by_method() -> None:
    policy = attrs.evolve(ARUBA, payment_delays={"Bank Transfer": timedelta(days=2)})
    placed = order(payment_method="bank  transfer", policy=policy)
    assert placed.expected_payment_registration == PLACED + timedelta(days=2)


def test_a_method_without_a_delay_in_the_policy_has_no_expected_registration() -> None:
    policy = attrs.evolve(ARUBA, payment_delays={"bank transfer": timedelta(days=2)})
    assert order(payment_method="credit card", policy=policy).expected_payment_registration is None


def test_policy_payment_delays_are_normalised_and_sorted() -> None:
    policy = attrs.evolve(
        ARUBA, payment_delays=[("PayPal", timedelta(0)), ("Bank transfer", timedelta(days=1))]
    )
    assert policy.payment_delays == (
        ("bank transfer", timedelta(days=1)),
        ("paypal", timedelta(0)),
    )


def test_a_payment_method_given_twice_in_the_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="given twice"):
        attrs.evolve(ARUBA, payment_delays={"PayPal": timedelta(0), "paypal": timedelta(1)})


@pytest.mark.parametrize("delay", [timedelta(hours=-1), 12])
def test_a_negative_or_untyped_delay_is_refused(delay: Any) -> None:
    with pytest.raises(ValueError, match="a delay is a timedelta"):
        attrs.evolve(ARUBA, activation_delay=delay)


# Order status, P2


def test_an_unpaid_order_is_awaiting_payment() -> None:
    assert order().status(at=PLACED + timedelta(days=30)) is OrderStatus.AWAITING_PAYMENT


def test_an_order_is_awaiting_payment_before_the_payment_was_registered() -> None:
    assert paid().status(at=PAID - timedelta(seconds=1)) is OrderStatus.AWAITING_PAYMENT


def test_a_paid_order_is_due_for_activation_until_the_delay_has_passed() -> None:
    assert paid().status(at=PAID) is OrderStatus.ACTIVATION_DUE
    assert paid().status(at=ACTIVE_AT - timedelta(seconds=1)) is OrderStatus.ACTIVATION_DUE


def test_a_paid_order_is_activated_once_the_delay_has_passed() -> None:
    assert paid().status(at=ACTIVE_AT) is OrderStatus.ACTIVATED


def test_a_recorded_activation_later_than_expected_wins_over_the_estimate() -> None:
    late = paid(activated_at=ACTIVE_AT + timedelta(hours=3))
    assert late.status(at=ACTIVE_AT + timedelta(hours=1)) is OrderStatus.ACTIVATION_DUE
    assert late.status(at=ACTIVE_AT + timedelta(hours=3)) is OrderStatus.ACTIVATED


def test_a_recorded_activation_earlier_than_expected_wins_over_the_estimate() -> None:
    early = paid(activated_at=PAID + timedelta(hours=1))
    assert early.status(at=PAID + timedelta(hours=2)) is OrderStatus.ACTIVATED


def test_the_status_compares_instants_across_time_zones() -> None:
    rome_time = ACTIVE_AT.astimezone(ROME)
    assert paid().status(at=rome_time - timedelta(seconds=1)) is OrderStatus.ACTIVATION_DUE
    assert paid().status(at=rome_time) is OrderStatus.ACTIVATED


def test_the_status_before_the_order_was_placed_is_refused() -> None:
    with pytest.raises(LifecycleError, match="not placed yet"):
        order().status(at=PLACED - timedelta(minutes=1))


def test_the_status_at_a_naive_time_is_refused() -> None:
    with pytest.raises(LifecycleError, match="at is a naive datetime"):
        order().status(at=datetime(2025, 3, 4, 9, 0))  # noqa: DTZ001 -- the point of the test


@given(
    registered=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
    asked=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
)
def test_the_status_never_goes_back_in_time(registered: timedelta, asked: timedelta) -> None:
    placed = order(payment_registered_at=PLACED + registered)
    order_of = list(OrderStatus)
    earlier = placed.status(at=PLACED + asked)
    later = placed.status(at=PLACED + asked + timedelta(hours=1))
    assert order_of.index(earlier) <= order_of.index(later)


def test_register_payment_returns_a_new_order() -> None:
    placed = order()
    registered = placed.register_payment(at=PAID)
    assert registered.payment_registered_at == PAID
    assert placed.payment_registered_at is None


def test_registering_a_payment_twice_is_refused() -> None:
    with pytest.raises(LifecycleError, match="already registered"):
        paid().register_payment(at=PAID)


def test_registering_a_payment_before_the_order_is_refused() -> None:
    with pytest.raises(LifecycleError, match="before the order"):
        order().register_payment(at=PLACED - timedelta(hours=1))


def test_record_activation_returns_a_new_order() -> None:
    assert paid().record_activation(at=ACTIVE_AT).activated_at == ACTIVE_AT


def test_recording_an_activation_earlier_than_expected_is_accepted() -> None:
    early = paid().record_activation(at=PAID + timedelta(minutes=5))
    assert early.status(at=PAID + timedelta(minutes=5)) is OrderStatus.ACTIVATED
    assert early.expected_activation == ACTIVE_AT


def test_the_expected_activation_counts_from_the_expected_payment_when_the_policy_knows_it() -> (
    None
):
    policy = attrs.evolve(ARUBA, payment_delays={"bank transfer": timedelta(days=2)})
    placed = order(payment_method="bank transfer", policy=policy)
    assert placed.expected_activation == PLACED + timedelta(days=2, hours=12)
    assert placed.status(at=PLACED + timedelta(days=3)) is OrderStatus.AWAITING_PAYMENT


def test_recording_an_activation_twice_is_refused() -> None:
    with pytest.raises(LifecycleError, match="already recorded"):
        paid(activated_at=ACTIVE_AT).record_activation(at=ACTIVE_AT)


def test_recording_an_activation_of_an_unpaid_order_is_refused() -> None:
    with pytest.raises(LifecycleError, match="before its payment is registered"):
        order().record_activation(at=ACTIVE_AT)


# Onboarding, P3


def onboarding() -> Onboarding:
    return Onboarding(order=paid())


def ready() -> Onboarding:
    return onboarding().set_postmaster_password(at=ACTIVE_AT)


def test_onboarding_starts_at_the_postmaster_password() -> None:
    assert onboarding().step is OnboardingStep.FIRST_ACCESS


def test_setting_the_postmaster_password_after_activation_makes_mailboxes_possible() -> None:
    assert ready().step is OnboardingStep.READY
    assert ready().password_set_at == ACTIVE_AT


def test_setting_the_postmaster_password_before_the_expected_activation_is_accepted() -> None:
    early = onboarding().set_postmaster_password(at=PAID + timedelta(hours=2))
    assert early.step is OnboardingStep.READY
    assert early.create_mailbox("info", at=PAID + timedelta(hours=2)).mailboxes


def test_setting_the_postmaster_password_before_the_payment_is_registered_is_refused() -> None:
    with pytest.raises(LifecycleError, match=r"not registered yet.*\(P2\)"):
        onboarding().set_postmaster_password(at=PAID - timedelta(minutes=1))


def test_setting_the_postmaster_password_before_a_recorded_activation_is_refused() -> None:
    recorded = Onboarding(order=paid(activated_at=ACTIVE_AT))
    with pytest.raises(LifecycleError, match="recorded as activated at"):
        recorded.set_postmaster_password(at=ACTIVE_AT - timedelta(minutes=1))


def test_setting_the_postmaster_password_of_an_unpaid_order_is_refused() -> None:
    with pytest.raises(LifecycleError, match="not registered yet"):
        Onboarding(order=order()).set_postmaster_password(at=ACTIVE_AT)


def test_setting_the_postmaster_password_again_is_recorded_as_a_change() -> None:
    changed = ready().set_postmaster_password(at=ACTIVE_AT + timedelta(days=1))
    assert changed.password_set_at == ACTIVE_AT
    assert changed.password_changes == (ACTIVE_AT + timedelta(days=1),)
    assert changed.create_mailbox("info", at=ACTIVE_AT + timedelta(hours=1)).mailboxes


def test_a_password_change_before_the_last_setting_is_refused() -> None:
    with pytest.raises(LifecycleError, match="in time order"):
        ready().set_postmaster_password(at=ACTIVE_AT - timedelta(seconds=1))


def test_password_changes_out_of_order_cannot_be_built() -> None:
    with pytest.raises(LifecycleError, match="after the first setting"):
        Onboarding(order=paid(), password_set_at=ACTIVE_AT, password_changes=(PAID,))


def test_password_changes_without_a_first_setting_cannot_be_built() -> None:
    with pytest.raises(LifecycleError, match="password changes must have"):
        Onboarding(order=paid(), password_changes=(ACTIVE_AT,))


def test_creating_a_mailbox_before_the_postmaster_password_is_refused_with_the_reason() -> None:
    with pytest.raises(LifecycleError, match=r"Postmaster PEC password must be set first \(P3\)"):
        onboarding().create_mailbox("info", at=ACTIVE_AT)


def test_creating_a_mailbox_earlier_than_the_password_was_set_is_refused() -> None:
    with pytest.raises(LifecycleError, match="must be set first"):
        ready().create_mailbox("info", at=ACTIVE_AT - timedelta(seconds=1))


def test_a_mailbox_is_created_at_the_pec_domain() -> None:
    assert ready().create_mailbox("Info", at=ACTIVE_AT).mailboxes == ("info@pec.example.it",)


def test_a_mailbox_can_be_named_by_its_full_address() -> None:
    created = ready().create_mailbox("info@PEC.example.it.", at=ACTIVE_AT)
    assert created.mailboxes == ("info@pec.example.it",)


def test_mailboxes_keep_their_creation_order() -> None:
    created = ready().create_mailbox("b", at=ACTIVE_AT).create_mailbox("a", at=ACTIVE_AT)
    assert created.mailboxes == ("b@pec.example.it", "a@pec.example.it")


def test_a_mailbox_at_another_domain_is_refused() -> None:
    with pytest.raises(LifecycleError, match=r"live at pec\.example\.it"):
        ready().create_mailbox("info@example.it", at=ACTIVE_AT)


@pytest.mark.parametrize("name", ["", ".info", "info.", "in..fo", "in fo", "x" * 65])
def test_an_invalid_mailbox_name_is_refused(name: str) -> None:
    with pytest.raises(LifecycleError, match="not a valid mailbox name"):
        ready().create_mailbox(name, at=ACTIVE_AT)


def test_a_mailbox_created_twice_is_refused() -> None:
    with pytest.raises(LifecycleError, match="exists already"):
        ready().create_mailbox("info", at=ACTIVE_AT).create_mailbox("INFO", at=ACTIVE_AT)


def test_creating_a_mailbox_at_a_naive_time_is_refused() -> None:
    with pytest.raises(LifecycleError, match="naive"):
        ready().create_mailbox("info", at=datetime(2025, 3, 5, 9, 0))  # noqa: DTZ001


def test_an_onboarding_with_mailboxes_but_no_password_cannot_be_built() -> None:
    with pytest.raises(LifecycleError, match="must have the Postmaster PEC password set"):
        Onboarding(order=paid(), mailboxes=("info@pec.example.it",))


def test_an_onboarding_with_a_password_set_before_the_payment_cannot_be_built() -> None:
    with pytest.raises(LifecycleError, match="not registered yet"):
        Onboarding(order=paid(), password_set_at=PAID - timedelta(seconds=1))


def test_the_mailboxes_follow_the_policys_pec_label() -> None:
    policy = attrs.evolve(ARUBA, label="posta")
    steps = Onboarding(order=paid(policy=policy)).set_postmaster_password(at=ACTIVE_AT)
    assert steps.create_mailbox("info", at=ACTIVE_AT).mailboxes == ("info@posta.example.it",)


def test_a_mailbox_name_that_is_not_text_is_refused() -> None:
    with pytest.raises(LifecycleError, match="a mailbox name is a str"):
        ready().create_mailbox(42, at=ACTIVE_AT)  # type: ignore[arg-type]


def test_the_enums_read_as_their_values() -> None:
    assert str(OrderChannel.PEC_SITE) == "pec_site"
    assert str(HostingPackage.WOOCOMMERCE) == "woocommerce"
    assert str(OrderStatus.ACTIVATION_DUE) == "ACTIVATION_DUE"
    assert str(OnboardingStep.READY) == "READY"
