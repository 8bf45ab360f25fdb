"""The provider as data: what its daily check asks of a PEC domain."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, TypeAlias

import attrs
from attrs import field, frozen

from pecdns._codes import CATALOGUE
from pecdns._dnssec import ROOT_ANCHOR, TrustAnchor
from pecdns._limits import Limits
from pecdns._models import MXRecord, Severity
from pecdns._names import canonical_name, is_at_or_below

if TYPE_CHECKING:
    from pecdns._domain import Domain

__all__ = ["ARUBA", "Policy"]

IPNetwork: TypeAlias = "ipaddress.IPv4Network | ipaddress.IPv6Network"

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")


def _label(value: str) -> str:
    label = value.strip().lower() if isinstance(value, str) else ""
    if not _LABEL.match(label):
        raise ValueError(f"the PEC label must be one DNS label such as 'pec', not {value!r}")
    return label


def _names(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise TypeError("give a list of host names, not a single str")
    return tuple(dict.fromkeys(canonical_name(v) for v in values))


_NETWORK_CHARS = frozenset("0123456789abcdefABCDEF.:/")


def _own_servers(values: Iterable[str]) -> tuple[str, ...]:
    """Host names (canonical) and IP networks (``192.0.2.0/24``; an address is a /32 or /128)."""
    if isinstance(values, str):
        raise TypeError(
            "give a list of host names and IP networks, such as"
            " ['srv1.example.it', '192.0.2.0/24'], not a single str"
        )
    own: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(
                "an own mail server is a host name such as 'srv1.example.it' or an IP network"
                f" such as '192.0.2.0/24', not {value!r}"
            )
        text = value.strip()
        if set(text) <= _NETWORK_CHARS and (any(c in text for c in "/:") or text[-1:].isdigit()):
            try:
                own.append(str(ipaddress.ip_network(text, strict=True)))
            except ValueError as exc:
                raise ValueError(
                    f"{value!r} is not an IP network ({exc}); write the network's first"
                    " address, such as '192.0.2.0/24', or one address, such as '192.0.2.7'"
                ) from None
        else:
            try:
                own.append(canonical_name(text))
            except ValueError as exc:
                raise ValueError(
                    f"{value!r} is neither a host name nor an IP network: {exc}"
                ) from None
    return tuple(dict.fromkeys(own))


def _severities(
    values: Mapping[str, Severity] | Iterable[tuple[str, Severity]],
) -> tuple[tuple[str, Severity], ...]:
    pairs = dict(values.items() if isinstance(values, Mapping) else values)
    unknown = sorted(set(pairs) - set(CATALOGUE))
    if unknown:
        raise ValueError(f"unknown finding codes {unknown}; known codes: {sorted(CATALOGUE)}")
    return tuple(sorted((code, Severity(sev)) for code, sev in pairs.items()))


def _preference(value: int) -> int:
    return MXRecord(value, "x.invalid").preference


def payment_method_key(method: str) -> str:
    """The spelling under which a payment method is looked up: case and spacing ignored."""
    if not isinstance(method, str) or not method.strip():
        raise ValueError(
            f"a payment method is a non-empty name such as 'credit card', not {method!r}"
        )
    return " ".join(method.split()).casefold()


def _duration(value: timedelta) -> timedelta:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ValueError(
            f"a delay is a timedelta of zero or more, such as timedelta(hours=12), not {value!r}"
        )
    return value


def _payment_delays(
    values: Mapping[str, timedelta] | Iterable[tuple[str, timedelta]],
) -> tuple[tuple[str, timedelta], ...]:
    pairs = values.items() if isinstance(values, Mapping) else values
    delays: dict[str, timedelta] = {}
    for method, delay in pairs:
        key = payment_method_key(method)
        if key in delays:
            raise ValueError(
                f"the payment method {method!r} is given twice (case and spacing are ignored)"
            )
        delays[key] = _duration(delay)
    return tuple(sorted(delays.items()))


def _notice_period(value: timedelta | None) -> timedelta | None:
    if value is None:
        return None
    if not isinstance(value, timedelta) or value.days < 1 or value != timedelta(days=value.days):
        raise ValueError(
            "the notice period counts whole days, the check being daily: give None (no notice)"
            f" or a timedelta such as timedelta(days=7), not {value!r}"
        )
    return value


def _caps(value: Limits | Mapping[str, int]) -> Limits:
    if isinstance(value, Limits):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"limits is a Limits or a mapping such as {{'queries': 300}}, not {value!r}"
        )
    unknown = sorted(set(value) - set(attrs.fields_dict(Limits)))
    if unknown:
        raise ValueError(f"unknown limits {unknown}; known: {sorted(attrs.fields_dict(Limits))}")
    return Limits(**value)


@frozen
class Policy:
    """What a PEC provider's daily check requires, as plain data.

    The defaults are Aruba's (see :data:`ARUBA`); build another provider's
    policy, or a stricter one, with :func:`attrs.evolve`.

    Attributes:
        name: the provider's name, for reports.
        label: the label of the PEC mail domain under the registrable domain (P5).
        mx_host: the one host the PEC name's MX must point to (P4.2, P6.2).
        mx_preference: the preference that MX must have (P4.2).
        name_servers: the provider's authoritative name servers (P4.1, P4.2).
        provider_mail_domains: a mail host at or below one of these names is
            one of the provider's mail servers (P9).
        outside_mail_domains: hosts at or below these are counted as other
            (not the provider's) mail servers even though the provider runs them:
            its dedicated-server and cloud offers (P10).
        own_mail_servers: the customer's own mail servers on the provider's
            *Server Dedicati* and *Cloud Computing* offers (P10), as host names
            (``"srv1.dedicati.aruba.it"``) and IP networks (``"192.0.2.0/24"``, or one
            address): such a host, or a host with an address in such a network,
            is another (not the provider's) mail server for P9 even under
            ``provider_mail_domains``. Only the customer knows them, so pass
            them to :func:`pecdns.check` as ``own_servers=``.
        severities: per-code re-grading of findings, as Zonemaster's profiles allow.
        remedy_ttl: the TTL written in remedy zone lines.
        activation_delay: how long after the provider registers the payment the
            service is activated (P2: about 12 hours).
        payment_delays: how long registering the payment takes, per payment
            method (P2 says it depends on the method but gives no figures, so
            none is set; give a mapping such as ``{"bank transfer": timedelta(days=2)}``).
        notice_period: the days a holder has, from the notice of a failed daily
            check, to fix it before suspension; ``None`` (the seeds' rule, P7)
            suspends at the first failed check. Aruba's current public guide
            gives 7 days: ``timedelta(days=7)``.
        limits: the caps on what one check asks (queries, name servers,
            addresses, MX hosts), as a ``Limits`` or a mapping of the caps
            to change, such as ``{"mx_hosts": 50}``.
        trust_anchor: where the DNSSEC chain of the PEC name starts (P6.1):
            the root's published keys by default; a lab or a private root
            gives its own ``TrustAnchor``.

    >>> from attrs import evolve
    >>> strict = evolve(ARUBA, severities={"MX_WRONG_PREFERENCE": Severity.ERROR})
    >>> strict.severity("MX_WRONG_PREFERENCE")
    <Severity.ERROR: 3>
    """

    name: str = "Aruba"
    label: str = field(default="pec", converter=_label)
    mx_host: str = field(default="mx.pec.aruba.it.", converter=canonical_name)
    mx_preference: int = field(default=10, converter=_preference)
    name_servers: tuple[str, ...] = field(
        default=(
            "dns.technorail.com.",
            "dns2.technorail.com.",
            "dns3.arubadns.net.",
            "dns4.arubadns.cz.",
        ),
        converter=_names,
    )
    provider_mail_domains: tuple[str, ...] = field(default=("aruba.it.",), converter=_names)
    outside_mail_domains: tuple[str, ...] = field(default=(), converter=_names)
    own_mail_servers: tuple[str, ...] = field(default=(), converter=_own_servers)
    severities: tuple[tuple[str, Severity], ...] = field(default=(), converter=_severities)
    remedy_ttl: int = 3600
    activation_delay: timedelta = field(default=timedelta(hours=12), converter=_duration)
    payment_delays: tuple[tuple[str, timedelta], ...] = field(default=(), converter=_payment_delays)
    notice_period: timedelta | None = field(default=None, converter=_notice_period)
    limits: Limits = field(factory=Limits, converter=_caps)
    trust_anchor: TrustAnchor = ROOT_ANCHOR
    # Derived once (a batch asks for them per domain): the MX record, the own networks (P10).
    _mx: MXRecord = field(init=False, eq=False, repr=False)
    _own_networks: tuple[IPNetwork, ...] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_mx", MXRecord(self.mx_preference, self.mx_host))
        networks = tuple(ipaddress.ip_network(n) for n in self.own_mail_servers if "/" in n)
        object.__setattr__(self, "_own_networks", networks)

    def severity(self, code: str) -> Severity:
        """The severity this policy gives a finding code."""
        for known, severity in self.severities:
            if known == code:
                return severity
        return CATALOGUE[code].severity

    def pec_name(self, domain: Domain) -> str:
        """The canonical PEC name of a domain under this policy (P5).

        >>> from pecdns import Domain
        >>> ARUBA.pec_name(Domain("example.it"))
        'pec.example.it.'
        """
        return f"{self.label}.{domain.name}."

    @property
    def mx(self) -> MXRecord:
        """The MX record the PEC name must have (P4.2)."""
        return self._mx

    def mx_line(self, domain: Domain) -> str:
        """The zone-file line that gives a domain's PEC name the required MX.

        >>> from pecdns import Domain
        >>> ARUBA.mx_line(Domain("example.it"))
        'pec.example.it. 3600 IN MX 10 mx.pec.aruba.it.'
        """
        return f"{self.pec_name(domain)} {self.remedy_ttl} IN MX {self.mx}"

    def is_provider_mail_host(self, host: str) -> bool:
        """Whether a canonical host name is one of the provider's mail servers (P9, P10).

        >>> ARUBA.is_provider_mail_host("mx.pec.aruba.it.")
        True
        >>> ARUBA.is_provider_mail_host("mx.pec.aruba.it.evil.example.")
        False
        """
        if host in self.own_mail_servers or any(
            is_at_or_below(host, d) for d in self.outside_mail_domains
        ):
            return False
        return host == self.mx_host or any(
            is_at_or_below(host, d) for d in self.provider_mail_domains
        )

    def is_own_mail_server(self, host: str, addresses: Iterable[str] = ()) -> bool:
        """Whether a mail host is one of the customer's own servers (P10).

        >>> from attrs import evolve
        >>> mine = evolve(ARUBA, own_mail_servers=["srv1.dedicati.aruba.it", "192.0.2.0/28"])
        >>> mine.is_own_mail_server("srv1.dedicati.aruba.it.")
        True
        >>> mine.is_own_mail_server("mail.example.it.", ["192.0.2.7"])
        True
        >>> mine.is_provider_mail_host("srv1.dedicati.aruba.it.")
        False
        """
        if host in self.own_mail_servers:
            return True
        if not self._own_networks:  # the common case: no network, nothing to parse
            return False
        return any(
            ipaddress.ip_address(a) in net
            for a in addresses
            for net in self._own_networks
            if ipaddress.ip_address(a).version == net.version
        )

    def is_provider_name_server(self, host: str) -> bool:
        """Whether a canonical host name is one of the provider's name servers."""
        return host in self.name_servers


ARUBA = Policy()
"""Aruba's PEC su dominio, as the seeds describe it (POLICY.md P4-P10).

MX ``10 mx.pec.aruba.it.`` on ``pec.<domain>``; Aruba's name servers
``dns.technorail.com``, ``dns2.technorail.com``, ``dns3.arubadns.net`` and
``dns4.arubadns.cz``; every host under ``aruba.it`` is an Aruba mail server.
The seeds name the Server Dedicati and Cloud Computing offers of P10 but no
host names for them, so ``outside_mail_domains`` is empty: a server of those
offers normally carries the customer's own host name, which is outside
``aruba.it`` and so already counts as another mail server.
"""
