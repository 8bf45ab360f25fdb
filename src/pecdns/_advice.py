"""Set-up advice: what the customer must do in DNS for PEC su dominio (P4, P5).

:func:`setup_advice` runs :func:`pecdns.check` and reads who serves the
domain from its SETUP_* finding (P4); it then says, in English or Italian,
what is left to do and gives the records as zone-file text to paste.
"""

from __future__ import annotations

import enum
import textwrap
from typing import TYPE_CHECKING

from attrs import field, frozen

from pecdns._check import check
from pecdns._codes import check_lang, outcome_text
from pecdns._policy import ARUBA, Policy

if TYPE_CHECKING:
    from pecdns._domain import Domain
    from pecdns._models import Finding, Report
    from pecdns.resolvers import Resolver

__all__ = ["Advice", "Setup", "setup_advice"]


class Setup(str, enum.Enum):
    """Who serves the PEC name, as the check's SETUP_* finding says (P4).

    Each value is the code of that finding.

    >>> Setup("SETUP_EXTERNAL")
    <Setup.EXTERNAL: 'SETUP_EXTERNAL'>
    """

    PROVIDER = "SETUP_PROVIDER"
    """The domain uses the provider's name servers (P4.1)."""
    DELEGATED = "SETUP_DELEGATED"
    """The PEC name is delegated to the provider's name servers (P4.2, first way)."""
    EXTERNAL = "SETUP_EXTERNAL"
    """Other name servers serve the domain or the PEC name (P4.2, P4.3)."""
    UNKNOWN = "SETUP_UNKNOWN"
    """The domain's name servers could not be read."""

    def __str__(self) -> str:
        return self.value


@frozen
class Advice:
    """What to do in DNS for PEC su dominio on one domain (P4, P5).

    Attributes:
        domain: the registrable domain.
        setup: who serves the PEC name (P4).
        lang: the language of :attr:`text` (``"en"`` or ``"it"``).
        text: the advice, in a few paragraphs, with the records to paste.
        report: the check the advice is based on.
        delegation: the NS records that delegate the PEC name to the
            provider's name servers (P4.2, first way), for external set-ups.
        mx_zone: the MX record of the PEC name (P4.2, second way), for
            external set-ups.
    """

    domain: Domain
    setup: Setup
    lang: str
    text: str
    report: Report = field(repr=False)
    delegation: str | None = None
    mx_zone: str | None = None

    @property
    def action_needed(self) -> bool | None:
        """Whether the customer must change DNS.

        ``None`` when the set-up is unknown and the PEC name's MX is not right
        yet: the provider may set it at activation, or the customer may have to.
        """
        if self.setup in {Setup.PROVIDER, Setup.DELEGATED} or self.report.ok:
            return False
        return True if self.setup is Setup.EXTERNAL else None

    def __str__(self) -> str:
        return self.text


_TEXTS = {
    "en": {
        "provider": (
            "{domain} uses {provider}'s name servers ({servers}). Nothing to do: {provider}"
            " creates the MX record of {pec}, pointing to {host}, automatically when the PEC"
            " service is activated (P4.1)."
        ),
        "delegated": (
            "{pec} is delegated to {provider}'s name servers ({servers}), the first way of P4.2."
            " Nothing more to do: {provider} serves the MX record of {pec}. Keep the NS records"
            " that delegate {pec} in the zone of {domain}."
        ),
        "external": (
            "{zone} is served by external name servers ({servers}), not {provider}'s. Their"
            " operator must set up {pec} in one of two ways (P4.2):"
        ),
        "external_done": (
            "{zone} is served by external name servers ({servers}), not {provider}'s, and {pec}"
            " already has the required MX record, to {host} with preference {preference}: the"
            " second way of P4.2. Nothing to do but keep it."
        ),
        "unknown_done": (
            "The name servers of {domain} could not be read ({outcome}), but {pec} already has"
            " the required MX record, to {host} with preference {preference} (P4.2). Nothing to"
            " do but keep it."
        ),
        "unknown": (
            "The name servers of {domain} could not be read ({outcome}), so it is unknown"
            " whether it uses {provider}'s. If it does, nothing to do: {provider} creates the MX"
            " record of {pec} at activation (P4.1). If not, the operator of its name servers"
            " must set up {pec} in one of two ways (P4.2):"
        ),
        "delegate": (
            "1. Delegate {pec} to {provider}'s name servers: add these NS records to the zone"
            " of {domain}:"
        ),
        "redelegate": (
            "1. Delegate {pec} to {provider}'s name servers instead: in the zone of {domain},"
            " replace the NS records of {pec} with these:"
        ),
        "mx": ("2. Or create the third-level zone {pec} with this MX record, pointing to {host}:"),
        "mx_delegated": (
            "2. Or keep the current delegation and give {pec} this MX record on its name"
            " servers, pointing to {host}:"
        ),
        "responsibility": (
            "With external name servers, configuring them, registering them and any resulting"
            " problem are the customer's responsibility; {provider} disclaims malfunctions or"
            " suspensions caused by configuration changes that AgID requires (P4.3)."
        ),
        "third_level": (
            "The MX record pointing to {host} belongs on the third level {pec} only, never on"
            " {domain} itself (P5)."
        ),
    },
    "it": {
        "provider": (
            "Il dominio {domain} usa i Name Server di {provider} ({servers}). Non serve alcun"
            " intervento: il record MX di {pec} viene configurato automaticamente"
            " all'attivazione del servizio PEC e punta a {host} (P4.1)."
        ),
        "delegated": (
            "Il sottodominio {pec} è delegato ai Name Server di {provider} ({servers}), il"
            " primo dei due modi di P4.2. Non serve altro: il record MX di {pec} è gestito da"
            " {provider}. Mantenere nella zona di {domain} i record NS che delegano {pec}."
        ),
        "external": (
            "La zona {zone} è gestita da Name Server esterni ({servers}), non da quelli di"
            " {provider}. Il gestore dei Name Server esterni deve configurare il sottodominio"
            " {pec} in uno dei due modi seguenti (P4.2):"
        ),
        "external_done": (
            "La zona {zone} è gestita da Name Server esterni ({servers}), non da quelli di"
            " {provider}, e il sottodominio {pec} ha già il record MX richiesto, verso {host}"
            " con priorità {preference}: è il secondo dei due modi di P4.2. Non serve alcun"
            " intervento, basta mantenerlo."
        ),
        "unknown_done": (
            "Non è stato possibile leggere i Name Server di {domain} ({outcome}), ma il"
            " sottodominio {pec} ha già il record MX richiesto, verso {host} con priorità"
            " {preference} (P4.2). Non serve alcun intervento, basta mantenerlo."
        ),
        "unknown": (
            "Non è stato possibile leggere i Name Server di {domain} ({outcome}): non si sa se"
            " il dominio usa quelli di {provider}. Se li usa, non serve alcun intervento: il"
            " record MX di {pec} viene configurato all'attivazione (P4.1). Altrimenti il"
            " gestore dei Name Server esterni deve configurare il sottodominio {pec} in uno"
            " dei due modi seguenti (P4.2):"
        ),
        "delegate": (
            "1. delegare {pec} ai Name Server di {provider}, aggiungendo nella zona di {domain}"
            " questi record NS:"
        ),
        "redelegate": (
            "1. delegare {pec} ai Name Server di {provider}, sostituendo nella zona di {domain}"
            " i record NS di {pec} con questi:"
        ),
        "mx": (
            "2. oppure creare la zona del sottodominio {pec} con questo record MX, che punta"
            " a {host}:"
        ),
        "mx_delegated": (
            "2. oppure mantenere la delega attuale e impostare sui Name Server di {pec} questo"
            " record MX, che punta a {host}:"
        ),
        "responsibility": (
            "Con Name Server esterni, la configurazione delle proprie macchine, la registrazione"
            " dei DNS esterni ed eventuali problemi correlati sono a carico del cliente;"
            " {provider} non risponde di malfunzionamenti o sospensioni del servizio dovuti a"
            " modifiche di configurazione richieste da AgID (P4.3)."
        ),
        "third_level": (
            "Per un dominio certificato, il record MX che punta a {host} deve essere relativo al"
            " sottodominio {pec}, mai al dominio {domain} (P5)."
        ),
    },
}


def _setup_finding(report: Report) -> Finding:
    codes = {s.value for s in Setup}
    # The rules always give one SETUP_* finding (P4); a report without one is a bug there.
    return next(f for f in report.findings if f.code in codes)


def _indented(records: str) -> str:
    return "\n".join(f"    {line}" for line in records.splitlines())


def _paragraph(text: str) -> str:
    """Fill prose to 78 columns; a numbered step keeps its later lines under its text."""
    hanging = "   " if text[:1].isdigit() else ""
    return textwrap.fill(text, width=78, subsequent_indent=hanging, break_on_hyphens=False)


def setup_advice(
    domain: str | Domain,
    *,
    resolver: Resolver | None = None,
    policy: Policy = ARUBA,
    lang: str = "en",
) -> Advice:
    """Say what the customer must do in DNS for PEC su dominio on ``domain`` (P4, P5).

    With the provider's name servers there is nothing to do (P4.1). With
    external ones, the advice gives both ways of P4.2 as records to paste:
    delegate ``pec.<domain>`` to the provider's name servers, or give it the
    provider's MX record; then the customer's responsibility (P4.3) and the
    third-level-only rule (P5).

    Args:
        domain: the registrable domain, as text or a :class:`~pecdns.Domain`.
        resolver: where DNS answers come from; the real DNS when ``None``.
        policy: the provider's requirements; Aruba's by default.
        lang: ``"en"`` or ``"it"`` (the provider's own Italian terms).

    Returns:
        An :class:`Advice` with the text and the records.

    Raises:
        ValueError: ``lang`` is not ``"en"`` or ``"it"``.
        InvalidDomainError: ``domain`` is not a registrable domain.

    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {
    ...         "example.it": {"NS": ["ns1.other.example.", "ns2.other.example."]},
    ...         "ns1.other.example": {"A": "198.51.100.1"},
    ...         "ns2.other.example": {"A": "198.51.100.2"},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> advice = setup_advice("example.it", resolver=fake)
    >>> advice.setup, advice.action_needed
    (<Setup.EXTERNAL: 'SETUP_EXTERNAL'>, True)
    >>> print(advice.mx_zone)
    pec.example.it. 3600 IN MX 10 mx.pec.aruba.it.
    >>> print(setup_advice("example.it", resolver=fake, lang="it").text)
    La zona example.it è gestita da Name Server esterni (ns1.other.example,
    ns2.other.example), non da quelli di Aruba. Il gestore dei Name Server esterni
    deve configurare il sottodominio pec.example.it in uno dei due modi seguenti
    (P4.2):
    <BLANKLINE>
    1. delegare pec.example.it ai Name Server di Aruba, aggiungendo nella zona di
       example.it questi record NS:
    <BLANKLINE>
        pec.example.it. 3600 IN NS dns.technorail.com.
        pec.example.it. 3600 IN NS dns2.technorail.com.
        pec.example.it. 3600 IN NS dns3.arubadns.net.
        pec.example.it. 3600 IN NS dns4.arubadns.cz.
    <BLANKLINE>
    2. oppure creare la zona del sottodominio pec.example.it con questo record MX,
       che punta a mx.pec.aruba.it:
    <BLANKLINE>
        pec.example.it. 3600 IN MX 10 mx.pec.aruba.it.
    <BLANKLINE>
    Con Name Server esterni, la configurazione delle proprie macchine, la
    registrazione dei DNS esterni ed eventuali problemi correlati sono a carico
    del cliente; Aruba non risponde di malfunzionamenti o sospensioni del servizio
    dovuti a modifiche di configurazione richieste da AgID (P4.3).
    <BLANKLINE>
    Per un dominio certificato, il record MX che punta a mx.pec.aruba.it deve
    essere relativo al sottodominio pec.example.it, mai al dominio example.it
    (P5).
    """
    language = check_lang(lang)
    report = check(domain, resolver=resolver, policy=policy, lang=language)
    finding = _setup_finding(report)
    setup = Setup(finding.code)
    values = {"provider": policy.name, **dict(finding.args)}
    if "outcome" in values:  # Italian advice words the outcome in Italian
        values["outcome"] = outcome_text(values["outcome"], language)

    def say(key: str) -> str:
        return _paragraph(_TEXTS[language][key].format_map(values))

    if setup is Setup.PROVIDER:
        return Advice(report.domain, setup, language, say("provider"), report)
    if setup is Setup.DELEGATED:
        return Advice(report.domain, setup, language, say("delegated"), report)
    pec_name = policy.pec_name(report.domain)
    ttl = policy.remedy_ttl
    delegation = "\n".join(f"{pec_name} {ttl} IN NS {ns}" for ns in policy.name_servers)
    mx_zone = policy.mx_line(report.domain)
    unknown = setup is Setup.UNKNOWN
    if report.ok:
        paragraphs = [say("unknown_done" if unknown else "external_done")]
    else:
        pec_zone = not unknown and values["zone"] == values["pec"]
        paragraphs = [
            say("unknown" if unknown else "external"),
            say("redelegate" if pec_zone else "delegate"),
            _indented(delegation),
            say("mx_delegated" if pec_zone else "mx"),
            _indented(mx_zone),
        ]
    paragraphs += [say("responsibility"), say("third_level")]
    text = "\n\n".join(paragraphs)
    return Advice(report.domain, setup, language, text, report, delegation, mx_zone)
