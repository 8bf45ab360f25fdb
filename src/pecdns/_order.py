"""Ordering PEC su dominio and what follows until the first mailbox (P1, P2, P3, P11).

An :class:`Order` says how and when the service was bought; its
:meth:`~Order.status` tells, at a given time, whether the provider is still
waiting for the payment, will activate the service shortly, or has done so.
:class:`Onboarding` then models P3: the Postmaster PEC password first, the
mailboxes after. Nothing here reads the clock: every time is passed in.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import TYPE_CHECKING

from attrs import evolve, field, frozen

from pecdns._domain import Domain
from pecdns._policy import ARUBA, Policy, payment_method_key
from pecdns.exceptions import LifecycleError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "HostingPackage",
    "Onboarding",
    "OnboardingStep",
    "Order",
    "OrderChannel",
    "OrderStatus",
]


def _aware(value: datetime, what: str) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime; refuse it otherwise.

    A naive datetime could be any of 24 or more instants, so no delay can be
    counted from it.

    Raises:
        LifecycleError: ``value`` is not a datetime, or has no UTC offset.
    """
    if not isinstance(value, datetime):
        raise LifecycleError(
            f"{what} must be a timezone-aware datetime, not {type(value).__name__} {value!r}"
        )
    if value.utcoffset() is None:
        raise LifecycleError(
            f"{what} is a naive datetime ({value.isoformat()}); give it a time zone,"
            " e.g. datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo('Europe/Rome'))"
        )
    return value


def _payment_registered_at(value: datetime | None) -> datetime | None:
    return None if value is None else _aware(value, "payment_registered_at")


def _activated_at(value: datetime | None) -> datetime | None:
    return None if value is None else _aware(value, "activated_at")


def _password_set_at(value: datetime | None) -> datetime | None:
    return None if value is None else _aware(value, "password_set_at")


def _password_changes(values: Iterable[datetime]) -> tuple[datetime, ...]:
    return tuple(_aware(value, "a password change") for value in values)


class _Named(str, enum.Enum):
    """An enum whose members carry the provider's own name for them."""

    @property
    def label(self) -> str:
        """The provider's name for this member, as its guides write it."""
        return _LABELS[self]

    @classmethod
    def _missing_(cls, value: object) -> _Named | None:
        if not isinstance(value, str):
            return None
        wanted = " ".join(value.replace("_", " ").split()).casefold()
        return next(
            (m for m in cls if wanted in {m.value.replace("_", " "), m.label.casefold()}), None
        )

    def __str__(self) -> str:
        text: str = self.value
        return text


class OrderChannel(_Named):
    """Where the order was placed: the five channels of P1, P1.1 split in three.

    >>> OrderChannel.CUSTOMER_AREA.clause
    'P1.2'
    >>> OrderChannel("renewal").label
    'with the renewal of the domain'
    """

    REGISTRATION = "registration"
    TRANSFER = "transfer"
    RENEWAL = "renewal"
    CUSTOMER_AREA = "customer_area"
    HOSTING_SITE = "hosting_site"
    PEC_SITE = "pec_site"
    CONTROL_PANEL = "control_panel"

    @property
    def clause(self) -> str:
        """The clause of POLICY.md that names this channel."""
        return _CHANNEL_CLAUSES[self]

    @property
    def requires_active_domain(self) -> bool:
        """Whether ordering here needs a domain that is already active (P1.2)."""
        return self is OrderChannel.CUSTOMER_AREA


class HostingPackage(_Named):
    """The products seed 001's guide applies to («GUIDA VALIDA PER: …», P11).

    That header is the guide's scope, not a condition on ordering: seed 000
    lets anyone order PEC su dominio (from pec.it, P1.4), with or without the
    provider's DNS. An order may name one of these, another product, or none.

    >>> HostingPackage("SuperSite Easy")
    <HostingPackage.SUPERSITE_EASY: 'supersite_easy'>
    """

    HOSTING_WINDOWS = "hosting_windows"
    HOSTING_LINUX = "hosting_linux"
    DNS_WITH_MAIL = "dns_with_mail"
    DNS_WITHOUT_MAIL = "dns_without_mail"
    DOMAIN_WITH_MAIL = "domain_with_mail"
    DOMAIN_WITHOUT_MAIL = "domain_without_mail"
    SUPERSITE_EASY = "supersite_easy"
    SUPERSITE_PROFESSIONAL = "supersite_professional"
    WORDPRESS = "wordpress"
    MANAGED_WORDPRESS = "managed_wordpress"
    WOOCOMMERCE = "woocommerce"


_CHANNEL_CLAUSES = {
    OrderChannel.REGISTRATION: "P1.1",
    OrderChannel.TRANSFER: "P1.1",
    OrderChannel.RENEWAL: "P1.1",
    OrderChannel.CUSTOMER_AREA: "P1.2",
    OrderChannel.HOSTING_SITE: "P1.3",
    OrderChannel.PEC_SITE: "P1.4",
    OrderChannel.CONTROL_PANEL: "P1.5",
}

_LABELS: dict[_Named, str] = {
    OrderChannel.REGISTRATION: "with the registration of the domain",
    OrderChannel.TRANSFER: "with the transfer of the domain",
    OrderChannel.RENEWAL: "with the renewal of the domain",
    OrderChannel.CUSTOMER_AREA: "hosting customer area, Gestione domini > Servizi Aggiuntivi",
    OrderChannel.HOSTING_SITE: "dedicated area of the hosting site",
    OrderChannel.PEC_SITE: "dedicated area of pec.it, button Scopri",
    OrderChannel.CONTROL_PANEL: "the customer's control panel",
    HostingPackage.HOSTING_WINDOWS: "Hosting Windows",
    HostingPackage.HOSTING_LINUX: "Hosting Linux",
    HostingPackage.DNS_WITH_MAIL: "Gestione DNS con posta",
    HostingPackage.DNS_WITHOUT_MAIL: "Gestione DNS senza posta",
    HostingPackage.DOMAIN_WITH_MAIL: "Dominio con posta",
    HostingPackage.DOMAIN_WITHOUT_MAIL: "Dominio senza posta",
    HostingPackage.SUPERSITE_EASY: "SuperSite Easy",
    HostingPackage.SUPERSITE_PROFESSIONAL: "SuperSite Professional",
    HostingPackage.WORDPRESS: "WordPress",
    HostingPackage.MANAGED_WORDPRESS: "WordPress Gestito",
    HostingPackage.WOOCOMMERCE: "WooCommerce",
}


def _listed(members: Iterable[_Named]) -> str:
    return ", ".join(f"{m.value!r} ({m.label})" for m in members)


def _channel(value: OrderChannel | str) -> OrderChannel:
    try:
        return OrderChannel(value)
    except ValueError:
        raise LifecycleError(
            f"{value!r} is not an ordering channel (P1); valid channels: {_listed(OrderChannel)}"
        ) from None


def _package(value: HostingPackage | str | None) -> HostingPackage | str | None:
    """A package named by P11's guide as its member; any other product's name as tidy text."""
    if value is None or isinstance(value, HostingPackage):
        return value
    if not isinstance(value, str) or not value.strip():
        raise LifecycleError(
            f"a package is optional information: give None, a product's name such as"
            f" 'Hosting Linux' or one of {_listed(HostingPackage)}; not {value!r}"
        )
    try:
        return HostingPackage(value)
    except ValueError:
        return " ".join(value.split())


def _method(value: str) -> str:
    try:
        payment_method_key(value)
    except ValueError as exc:
        raise LifecycleError(str(exc)) from None
    return " ".join(value.split())


def _placed_at(value: datetime) -> datetime:
    return _aware(value, "placed_at")


def _domain(value: Domain | str) -> Domain:
    return value if isinstance(value, Domain) else Domain(value)


class OrderStatus(str, enum.Enum):
    """Where an order stands at a given time (P2): one step after the other.

    >>> [status.value for status in OrderStatus]
    ['AWAITING_PAYMENT', 'ACTIVATION_DUE', 'ACTIVATED']
    """

    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    """The provider has not registered the payment yet."""
    ACTIVATION_DUE = "ACTIVATION_DUE"
    """The payment is registered; activation follows about 12 hours later."""
    ACTIVATED = "ACTIVATED"
    """The service is active; the activation email has been sent (P2, P3)."""

    def __str__(self) -> str:
        return self.value


@frozen(kw_only=True)
class Order:
    """An order of PEC su dominio: what was bought, where, and when it was paid (P1, P2).

    Anyone may order, with or without a hosting package and with or without
    the provider's DNS (seed 000). The one channel with a condition is the
    hosting customer area (P1.2), which needs a domain already active.

    Attributes:
        domain: the customer's registrable domain.
        channel: where the order was placed (P1).
        package: optional: the product the service goes with, if any; one
            P11's guide names is a :class:`HostingPackage`, any other is kept
            as text (:attr:`in_guide_scope` tells them apart).
        payment_method: the payment method, as the provider names it; the
            time to register the payment depends on it (P2).
        placed_at: when the order was placed (timezone-aware).
        payment_registered_at: when the provider registered the payment, or
            ``None`` while it has not.
        activated_at: when the activation email actually arrived, if known;
            otherwise activation is taken to follow the policy's delay.
        domain_active: whether the customer already has the domain active
            with the provider (required by P1.2).
        policy: the provider's terms: its activation and payment delays.

    >>> from datetime import datetime, timezone
    >>> order = Order(
    ...     domain="example.it",
    ...     channel="pec_site",
    ...     payment_method="credit card",
    ...     placed_at=datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc),
    ... )
    >>> order.status(at=datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc))
    <OrderStatus.AWAITING_PAYMENT: 'AWAITING_PAYMENT'>
    >>> paid = order.register_payment(at=datetime(2025, 3, 3, 9, 30, tzinfo=timezone.utc))
    >>> paid.expected_activation
    datetime.datetime(2025, 3, 3, 21, 30, tzinfo=datetime.timezone.utc)
    """

    domain: Domain = field(converter=_domain)
    channel: OrderChannel = field(converter=_channel)
    payment_method: str = field(converter=_method)
    placed_at: datetime = field(converter=_placed_at)
    package: HostingPackage | str | None = field(default=None, converter=_package)
    payment_registered_at: datetime | None = field(default=None, converter=_payment_registered_at)
    activated_at: datetime | None = field(default=None, converter=_activated_at)
    domain_active: bool = False
    policy: Policy = field(default=ARUBA, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.channel.requires_active_domain and not self.domain_active:
            others = [c for c in OrderChannel if not c.requires_active_domain]
            raise LifecycleError(
                f"ordering PEC su dominio for {self.domain} from the customer area (P1.2) needs"
                " a domain that is already active; without one, order through another channel:"
                f" {_listed(others)}"
            )
        registered = self.payment_registered_at
        if registered is not None and registered < self.placed_at:
            raise LifecycleError(
                f"the payment cannot be registered ({registered.isoformat()}) before the order"
                f" was placed ({self.placed_at.isoformat()})"
            )
        if self.activated_at is not None:
            if registered is None:
                raise LifecycleError(
                    "an order cannot be activated before its payment is registered (P2);"
                    " give payment_registered_at too"
                )
            if self.activated_at < registered:
                raise LifecycleError(
                    f"activation ({self.activated_at.isoformat()}) cannot precede the registration"
                    f" of the payment ({registered.isoformat()}) (P2)"
                )

    @property
    def in_guide_scope(self) -> bool | None:
        """Whether the order's package is one seed 001's guide applies to (P11); ``None`` if none.

        >>> from datetime import datetime, timezone
        >>> from attrs import evolve
        >>> placed = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
        >>> order = Order(
        ...     domain="example.it", channel="pec_site", payment_method="paypal", placed_at=placed
        ... )
        >>> order.in_guide_scope, evolve(order, package="Cloud Computing").in_guide_scope
        (None, False)
        """
        if self.package is None:
            return None
        return isinstance(self.package, HostingPackage)

    @property
    def expected_payment_registration(self) -> datetime | None:
        """When the payment should be registered, from the policy's delay for the method.

        ``None`` when the policy gives no delay for this method, as Aruba's
        does for none (P2 says the delay depends on the method, not how long).

        >>> from datetime import datetime, timedelta, timezone
        >>> from attrs import evolve
        >>> policy = evolve(ARUBA, payment_delays={"bank transfer": timedelta(days=2)})
        >>> order = Order(
        ...     domain="example.it",
        ...     channel="hosting_site",
        ...     payment_method="Bank Transfer",
        ...     policy=policy,
        ...     placed_at=datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc),
        ... )
        >>> order.expected_payment_registration
        datetime.datetime(2025, 3, 5, 9, 0, tzinfo=datetime.timezone.utc)
        """
        delays = dict(self.policy.payment_delays)
        delay = delays.get(payment_method_key(self.payment_method))
        return None if delay is None else self.placed_at + delay

    @property
    def expected_activation(self) -> datetime | None:
        """When the service should be activated: an estimate to show, never a gate (P2).

        «circa 12 ore» after the payment is registered: the registration
        plus the policy's delay. Before the payment is registered, the
        expected registration (when the policy gives a delay for the method)
        plus that delay; ``None`` when there is nothing to count from. The
        service may well come earlier or later: a recorded
        :attr:`activated_at` at any time after the payment is accepted.

        >>> from datetime import datetime, timezone
        >>> order = Order(
        ...     domain="example.it",
        ...     channel="pec_site",
        ...     payment_method="credit card",
        ...     placed_at=datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc),
        ...     payment_registered_at=datetime(2025, 3, 3, 9, 30, tzinfo=timezone.utc),
        ... )
        >>> print(f"activation expected around {order.expected_activation:%d/%m %H:%M} UTC")
        activation expected around 03/03 21:30 UTC
        """
        start = self.payment_registered_at or self.expected_payment_registration
        if start is None:
            return None
        return start + self.policy.activation_delay

    def status(self, *, at: datetime) -> OrderStatus:
        """Where the order stands at time ``at`` (P2).

        The recorded :attr:`activated_at` wins over the policy's estimate;
        without it, the service is taken as active from the estimate on.

        Raises:
            LifecycleError: ``at`` is naive, or earlier than the order itself.
        """
        at = _aware(at, "at")
        if at < self.placed_at:
            raise LifecycleError(
                f"at {at.isoformat()} the order was not placed yet (placed at"
                f" {self.placed_at.isoformat()}); ask about a time from then on"
            )
        registered = self.payment_registered_at
        if registered is None or at < registered:
            return OrderStatus.AWAITING_PAYMENT
        activation = self.activated_at or registered + self.policy.activation_delay
        if at < activation:
            return OrderStatus.ACTIVATION_DUE
        return OrderStatus.ACTIVATED

    def register_payment(self, *, at: datetime) -> Order:
        """The same order with its payment registered by the provider at ``at`` (P2).

        Raises:
            LifecycleError: the payment is already registered, or ``at`` is
                naive or before the order was placed.
        """
        if self.payment_registered_at is not None:
            raise LifecycleError(
                f"the payment of this order was already registered at"
                f" {self.payment_registered_at.isoformat()}"
            )
        return evolve(self, payment_registered_at=at)

    def record_activation(self, *, at: datetime) -> Order:
        """The same order with its activation email received at ``at`` (P2).

        Any time from the registration of the payment on is accepted, before
        the expected activation too: «circa 12 ore» is an estimate.

        Raises:
            LifecycleError: activation is already recorded, the payment is not
                registered yet, or ``at`` is naive or before the payment.
        """
        if self.activated_at is not None:
            raise LifecycleError(
                f"the activation of this order was already recorded at"
                f" {self.activated_at.isoformat()}"
            )
        return evolve(self, activated_at=at)


class OnboardingStep(str, enum.Enum):
    """The first-access steps of P3, in order.

    >>> [step.value for step in OnboardingStep]
    ['FIRST_ACCESS', 'READY']
    """

    FIRST_ACCESS = "FIRST_ACCESS"
    """Set the Postmaster PEC password (page *imposta password*) first."""
    READY = "READY"
    """PEC mailboxes can be created from the *GestioneMail PEC* panel."""

    def __str__(self) -> str:
        return self.value


_LOCAL_PART = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
_MAX_LOCAL_PART = 64


@frozen(kw_only=True)
class Onboarding:
    """The steps after activation (P3): the Postmaster password, then the mailboxes.

    Each step returns a new :class:`Onboarding`; a step out of turn is refused
    with the reason. The password may be set again later (a change, a reset):
    P3 makes the first setting a condition for mailboxes, not a one-off.

    Attributes:
        order: the order of the service.
        password_set_at: when the Postmaster PEC password was first set, or
            ``None``: from then on mailboxes can be created.
        password_changes: when it was set again afterwards, oldest first.
        mailboxes: the PEC mailboxes created, as addresses at the PEC domain.

    >>> from datetime import datetime, timezone
    >>> order = Order(
    ...     domain="example.it",
    ...     channel="pec_site",
    ...     payment_method="credit card",
    ...     placed_at=datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc),
    ...     payment_registered_at=datetime(2025, 3, 3, 9, 5, tzinfo=timezone.utc),
    ... )
    >>> later = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)
    >>> steps = Onboarding(order=order)
    >>> steps.create_mailbox("info", at=later)
    Traceback (most recent call last):
    ...
    pecdns.exceptions.LifecycleError: cannot create the PEC mailbox info@pec.example.it yet: ...
    >>> steps = steps.set_postmaster_password(at=later).create_mailbox("info", at=later)
    >>> steps.mailboxes
    ('info@pec.example.it',)
    """

    order: Order
    password_set_at: datetime | None = field(default=None, converter=_password_set_at)
    password_changes: tuple[datetime, ...] = field(default=(), converter=_password_changes)
    mailboxes: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.password_set_at is not None:
            self._require_active(self.password_set_at, "set the Postmaster PEC password")
            times = [self.password_set_at, *self.password_changes]
            if times != sorted(times):
                raise LifecycleError(
                    "the password changes must come after the first setting, oldest first"
                )
        elif self.mailboxes or self.password_changes:
            raise LifecycleError(
                "an onboarding with mailboxes or password changes must have the Postmaster PEC"
                " password set (P3)"
            )

    @property
    def step(self) -> OnboardingStep:
        """The step the customer is at (P3)."""
        if self.password_set_at is None:
            return OnboardingStep.FIRST_ACCESS
        return OnboardingStep.READY

    @property
    def pec_domain(self) -> str:
        """The mail domain of the mailboxes: ``pec.<domain>`` under the order's policy (P5)."""
        return self.order.policy.pec_name(self.order.domain).removesuffix(".")

    def _require_active(self, at: datetime, what: str) -> None:
        """Refuse ``at`` only where the order's recorded facts rule activation out (P2).

        Before the payment is registered there is no activation; before a
        recorded activation, no activation email. The expected activation is
        an estimate («circa 12 ore») and refuses nothing.
        """
        order = self.order
        registered = order.payment_registered_at
        if registered is None or at < registered:
            raise LifecycleError(
                f"cannot {what} at {at.isoformat()}: the payment for {order.domain} is not"
                " registered yet, and activation follows the registration of the payment (P2);"
                " the activation email invites you to set the Postmaster PEC password (P3)"
            )
        if order.activated_at is not None and at < order.activated_at:
            raise LifecycleError(
                f"cannot {what} at {at.isoformat()}: the service for {order.domain} was recorded"
                f" as activated at {order.activated_at.isoformat()}, later; the activation email"
                " invites you to set the Postmaster PEC password (P3)"
            )

    def set_postmaster_password(self, *, at: datetime) -> Onboarding:
        """Record the Postmaster PEC password as set at ``at`` (P3, page *imposta password*).

        The first setting opens the mailboxes; a later one (a change or a
        reset) is recorded in :attr:`password_changes`.

        Raises:
            LifecycleError: the payment is not registered by ``at``, ``at``
                precedes a recorded activation or the last setting, or it is
                naive.
        """
        at = _aware(at, "at")
        if self.password_set_at is None:
            return evolve(self, password_set_at=at)
        last = (self.password_set_at, *self.password_changes)[-1]
        if at < last:
            raise LifecycleError(
                f"the Postmaster PEC password was last set at {last.isoformat()}; record later"
                f" settings in time order, not one at {at.isoformat()}"
            )
        return evolve(self, password_changes=(*self.password_changes, at))

    def create_mailbox(self, name: str, *, at: datetime) -> Onboarding:
        """Create the PEC mailbox ``name`` (a local part, or a full address at the PEC domain).

        Raises:
            LifecycleError: the Postmaster PEC password is not set by ``at``
                (P3), the name is not a valid mailbox of the PEC domain, or
                the mailbox exists already.
        """
        address = self._address(name)
        at = _aware(at, "at")
        if self.password_set_at is None or at < self.password_set_at:
            raise LifecycleError(
                f"cannot create the PEC mailbox {address} yet: the Postmaster PEC password must be"
                " set first (P3); set it from the activation email's 'imposta password' page,"
                " then create mailboxes in the GestioneMail PEC panel"
            )
        if address in self.mailboxes:
            raise LifecycleError(f"the PEC mailbox {address} exists already")
        return evolve(self, mailboxes=(*self.mailboxes, address))

    def _address(self, name: str) -> str:
        if not isinstance(name, str):
            raise LifecycleError(f"a mailbox name is a str, not {type(name).__name__}")
        local, at_sign, domain = name.strip().lower().partition("@")
        if at_sign and domain.removesuffix(".") != self.pec_domain:
            raise LifecycleError(
                f"{name!r} is not at the PEC domain; PEC mailboxes of {self.order.domain} live at"
                f" {self.pec_domain}, e.g. 'info@{self.pec_domain}' or just 'info'"
            )
        if len(local) > _MAX_LOCAL_PART or not _LOCAL_PART.match(local):
            raise LifecycleError(
                f"{name!r} is not a valid mailbox name: give a local part of at most 64 letters,"
                " digits, dots (not leading, trailing or doubled) and symbols such as '-' or '_',"
                " e.g. 'info'"
            )
        return f"{local}@{self.pec_domain}"
