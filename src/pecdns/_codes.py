"""The catalogue of finding codes: severity, clause, messages and fixes of each.

One entry per code, so the rules, the policy's re-grading, the remedy and the
documentation all read the same table. Each message and fix exists in English
and in Italian (using the provider's own terms: record MX, dominio
certificato, terzo livello, Name Server, Server Dedicati, Cloud Computing).
Messages are templates filled with canonical, already escaped, DNS names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import evolve, frozen

from pecdns._models import Finding, Severity

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CATALOGUE",
    "DNSSEC_CAUSES",
    "LANGUAGES",
    "UNDETERMINING",
    "CodeInfo",
    "is_daily",
    "localise",
    "outcome_text",
    "render",
]

LANGUAGES = ("en", "it")
"""The languages every message exists in."""


@frozen
class CodeInfo:
    """What one finding code means, in every language.

    Attributes:
        code: the stable identifier.
        severity: the default severity (a policy may re-grade it).
        clause: the POLICY.md clause it enforces, or ``None`` for a general DNS rule.
        message: the message template, per language.
        fix: the fix template, per language, or ``None`` when nothing is to be done.
        daily: whether the code belongs to the provider's daily check (P6.1
            reachability, P6.2 the MX of the PEC name, and the checker's own
            failures that leave it undetermined): only those move
            ``Report.verdict``. The others (P4 set-up, P5, P9/P10, the RFC 1912
            hygiene) are reported as breaches, on ``Report.policy_verdict``.
    """

    code: str
    severity: Severity
    clause: str | None
    message: Mapping[str, str]
    fix: Mapping[str, str] | None = None
    daily: bool = False


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
_ADD_MX = {
    "en": "Publish exactly this MX record for {pec}: {mx_line}",
    "it": "Pubblicare per {pec} esattamente questo record MX: {mx_line}",
}
_P10_NOTE = {
    "en": " (servers of the provider's dedicated and cloud offers count as other servers, P10)",
    "it": " (i server dei servizi Server Dedicati e Cloud Computing contano come server esterni,"
    " P10)",
}

_OUTCOME_WORDS: dict[str, dict[str, str]] = {
    "en": {},
    "it": {
        "ANSWER": "risposta con dati",
        "REFERRAL": "rinvio ad altri Name Server",
        "TIMEOUT": "nessuna risposta entro il tempo di attesa",
        "ERROR": "errore di comunicazione",
        "NOT_LOADED": "zona non caricata",
    },
}
"""How an ``Outcome`` reads inside a message where its name is an English word.

NXDOMAIN, NODATA, SERVFAIL and REFUSED are names of the DNS protocol, the
same in every language, so they stay as they are.
"""

_LAME_REASONS: dict[str, dict[str, str]] = {
    "en": {
        "REFUSED": "it answers REFUSED",
        "SERVFAIL": "it answers SERVFAIL",
        "REFERRAL": "it refers the name to {referred}",
        "NOT_AA": "its answer lacks the AA flag",
    },
    "it": {
        "REFUSED": "risponde REFUSED, richiesta rifiutata",
        "SERVFAIL": "risponde SERVFAIL, errore del server",
        "REFERRAL": "rinvia il nome a {referred}",
        "NOT_AA": "la sua risposta non ha il flag AA",
    },
}
"""Why a server is lame (LAME_DELEGATION's ``reason``), in each language."""


DNSSEC_CAUSES: dict[str, dict[str, str]] = {
    "secure": {"en": "signed and valid", "it": "firmato e valido"},
    "unsigned": {
        "en": "unsigned delegation, proven by the parent",
        "it": "delega non firmata, dimostrata dalla zona padre",
    },
    "expired": {"en": "expired signature", "it": "firma scaduta"},
    "not_yet_valid": {"en": "signature not yet valid", "it": "firma non ancora valida"},
    "bad_signature": {
        "en": "signature that does not verify",
        "it": "firma che non risulta valida",
    },
    "missing_rrsig": {
        "en": "missing signature in a signed zone",
        "it": "firma mancante in una zona firmata",
    },
    "ds_mismatch": {
        "en": "DS record at the parent matching no DNSKEY",
        "it": "record DS presso la zona padre che non corrisponde ad alcuna DNSKEY",
    },
    "unproven_insecure": {
        "en": "delegation without DS and without a signed proof that it is unsigned",
        "it": "delega senza DS e senza prova firmata che non sia firmata",
    },
    "no_answer": {"en": "no usable answer", "it": "nessuna risposta utilizzabile"},
    "anchor": {
        "en": "the trust anchor's own keys could not be validated",
        "it": "non è stato possibile validare le chiavi dell'ancora di fiducia",
    },
    "outside_anchor": {
        "en": "name outside the trust anchor",
        "it": "nome esterno all'ancora di fiducia",
    },
    "no_crypto": {
        "en": "signatures not checked: install pecdns[dnssec]",
        "it": "firme non verificate: installare pecdns[dnssec]",
    },
}
"""Each ``pecdns._dnssec.DnssecState.cause``, in every language, for findings' messages."""

_FIX_BOGUS_EN = (
    "Validating resolvers refuse {pec} until this is fixed. Either re-sign the zone {zone}"
    " (or restart its automatic signing), or, if DNSSEC was turned off or the keys changed,"
    " remove the stale DS record of {zone} at the registrar (or publish the new one), or remove"
    " DNSSEC altogether: first the DS at the registrar, then the signatures."
)
_FIX_BOGUS_IT = (
    "I resolver che validano DNSSEC rifiutano {pec} finché il problema non è risolto. Firmare di"
    " nuovo la zona {zone} (o riavviarne la firma automatica), oppure, se DNSSEC è stato"
    " disattivato o le chiavi sono cambiate, rimuovere presso il registrar il record DS non più"
    " valido di {zone} (o pubblicare quello nuovo), oppure togliere del tutto DNSSEC: prima il DS"
    " presso il registrar, poi le firme."
)


def _info(
    code: str,
    severity: Severity,
    clause: str | None,
    en: str,
    it: str,
    fix_en: str | None = None,
    fix_it: str | None = None,
    *,
    daily: bool = False,
) -> CodeInfo:
    fix = None if fix_en is None or fix_it is None else {"en": fix_en, "it": fix_it}
    return CodeInfo(code, severity, clause, {"en": en, "it": it}, fix, daily=daily)


CATALOGUE: dict[str, CodeInfo] = {
    c.code: c
    for c in (
        # P6.1: the PEC name must be reachable.
        _info(
            "PEC_NAME_NXDOMAIN",
            _E,
            "P6.1",
            "{pec} does not exist (NXDOMAIN), so the daily check cannot reach it"
            " and finds no MX record.",
            "{pec} non esiste (NXDOMAIN): il controllo giornaliero non lo raggiunge"
            " e non trova alcun record MX.",
            "Create {pec} in the zone of {domain} with this MX record: {mx_line}",
            "Creare {pec} nella zona di {domain} con questo record MX: {mx_line}",
            daily=True,
        ),
        _info(
            "PEC_NAME_UNREACHABLE",
            _E,
            "P6.1",
            "The name servers gave no usable answer for the MX of {pec} ({outcome}{detail}),"
            " so the daily check finds the domain unreachable.",
            "I Name Server non hanno dato una risposta valida per il record MX di {pec}"
            " ({outcome}): per il controllo giornaliero il dominio non è raggiungibile.",
            "Make every authoritative name server of {zone} answer for {pec}.",
            "Fare in modo che tutti i Name Server autoritativi di {zone} rispondano per {pec}.",
            daily=True,
        ),
        # P6.1 as resolvers see it (issue 13): EDNS (RFC 6891) and DNSSEC (RFC 4035).
        _info(
            "EDNS_UNSUPPORTED",
            _W,
            "P6.1",
            "The name server {server} of {zone} answered a query with EDNS {rcode};"
            " it was reached by asking again without EDNS, as resolvers do. The server is"
            " outdated.",
            "Il Name Server {server} di {zone} ha risposto {rcode} a una richiesta con"
            " EDNS; è stato raggiunto ripetendo la richiesta senza EDNS, come fanno i resolver."
            " Il server non è aggiornato.",
            "Update or replace the name server {server} so that it answers EDNS queries"
            " (RFC 6891).",
            "Aggiornare o sostituire il Name Server {server} perché risponda alle"
            " richieste EDNS (RFC 6891).",
            daily=True,
        ),
        _info(
            "DNSSEC_BOGUS",
            _E,
            "P6.1",
            "The DNSSEC chain of {pec} is broken ({cause}: {subject}), so every validating"
            " resolver answers SERVFAIL and PEC mail to it fails there{detail}.",
            "La catena DNSSEC di {pec} è interrotta ({cause}: {subject}): ogni resolver che"
            " valida DNSSEC risponde SERVFAIL e la posta PEC verso il dominio non arriva.",
            _FIX_BOGUS_EN,
            _FIX_BOGUS_IT,
            daily=True,
        ),
        _info(
            "DNSSEC_SECURE",
            _I,
            "P6.1",
            "The MX answer of {pec} is signed and validates from the trust anchor (zones {chain}).",
            "La risposta MX di {pec} è firmata e validata a partire dall'ancora di fiducia"
            " (zone {chain}).",
            daily=True,
        ),
        _info(
            "DNSSEC_INSECURE",
            _I,
            "P6.1",
            "{pec} is not signed with DNSSEC ({subject}: the parent proves the delegation"
            " unsigned); validating resolvers accept it.",
            "{pec} non è firmato con DNSSEC ({subject}: la zona padre dimostra che la"
            " delega non è firmata); i resolver che validano DNSSEC lo accettano.",
            daily=True,
        ),
        _info(
            "DNSSEC_UNKNOWN",
            _I,
            None,
            "The DNSSEC state of {pec} was not determined ({cause}{detail}).",
            "Lo stato DNSSEC di {pec} non è stato determinato ({cause}).",
            daily=True,
        ),
        _info(
            "CHECK_INCOMPLETE",
            _W,
            None,
            "The checker's own resolver could not resolve the provider's MX host {host}"
            " ({outcome}{detail}), so the result is undetermined.",
            "Il resolver usato per la verifica non ha risolto l'host MX del gestore PEC {host}"
            " ({outcome}): l'esito non è determinabile.",
            "Check the resolver pecdns was given, then run the check again.",
            "Verificare il resolver usato da pecdns e ripetere il controllo.",
            daily=True,
        ),
        _info(
            "INPUT_INVALID",
            _E,
            None,
            "{name} is not a registrable domain, so it was not checked: {reason}.",
            "{name} non è un dominio registrabile, quindi non è stato verificato: {reason}.",
            "Correct the input; give the registrable domain, such as 'example.it'.",
            "Correggere il dato in ingresso indicando il dominio registrabile, ad esempio"
            " 'example.it'.",
            daily=True,
        ),
        _info(
            "CHECK_TIMED_OUT",
            _W,
            None,
            "The check's time budget ran out before {unasked} of its DNS questions were asked,"
            " so the result is undetermined.",
            "Il tempo a disposizione della verifica è finito prima di porre {unasked} delle sue"
            " domande DNS: l'esito non è determinabile.",
            "Run the check again with a longer timeout, or find the slow name server.",
            "Ripetere la verifica con un timeout più lungo, o individuare il Name Server lento.",
            daily=True,
        ),
        _info(
            "ZONE_NOT_LOADED",
            _W,
            None,
            "No zone is loaded for {zone}, so the offline check could not see {name};"
            " the result is undetermined.",
            "Nessuna zona è caricata per {zone}, quindi la verifica offline non ha potuto"
            " vedere {name}: l'esito non è determinabile.",
            "Load the zone file of {zone}: 'pecdns check --zone-file FILE', or"
            " ZoneResolver(Path(FILE)) in Python.",
            "Caricare il file di zona di {zone}: 'pecdns check --zone-file FILE', oppure"
            " ZoneResolver(Path(FILE)) in Python.",
            daily=True,
        ),
        # The provider's own host: its faults are never the customer's.
        _info(
            "PROVIDER_HOST_NO_ADDRESS",
            _W,
            None,
            "The provider's MX host {host} has no address ({outcome}): that is the provider's"
            " own DNS (or the checker's resolver), not the customer's, so the result is"
            " undetermined.",
            "L'host MX del gestore PEC {host} non ha un indirizzo ({outcome}): è un problema del"
            " DNS del gestore PEC (o del resolver usato per la verifica), non del cliente, quindi"
            " l'esito non è determinabile.",
            "Nothing to change in the customer's zone: check the resolver pecdns was given,"
            " or tell the provider.",
            "Niente da cambiare nella zona del cliente: verificare il resolver usato da pecdns,"
            " o segnalarlo al gestore PEC.",
            daily=True,
        ),
        _info(
            "PROVIDER_HOST_CNAME",
            _W,
            None,
            "The provider's MX host {host} is an alias ({alias}) of {target}: that is the"
            " provider's own DNS, not the customer's, and mail still reaches it.",
            "L'host MX del gestore PEC {host} è un alias ({alias}) di {target}: è il DNS del"
            " gestore PEC, non del cliente, e la posta lo raggiunge comunque.",
        ),
        # P6.2: exactly the policy's MX.
        _info(
            "MX_OK",
            _I,
            "P6.2",
            "{pec} has exactly the required MX record ({mx}).",
            "{pec} ha esattamente il record MX richiesto ({mx}).",
            daily=True,
        ),
        _info(
            "MX_MISSING",
            _E,
            "P6.2",
            "{pec} exists but has no MX record.",
            "{pec} esiste ma non ha alcun record MX.",
            _ADD_MX["en"],
            _ADD_MX["it"],
            daily=True,
        ),
        _info(
            "MX_NULL",
            _E,
            "P6.2",
            "{pec} has a null MX record (RFC 7505, '0 .'), which declares that it takes no mail.",
            "{pec} ha un record MX nullo (RFC 7505, '0 .'), che dichiara che non riceve posta.",
            "Replace the null MX with: {mx_line}",
            "Sostituire il record MX nullo con: {mx_line}",
            daily=True,
        ),
        _info(
            "MX_WRONG_HOST",
            _E,
            "P6.2",
            "{pec} has MX {found}, and none of it points to the provider's host {host}.",
            "{pec} ha il record MX {found}, ma nessuno punta all'host del gestore PEC {host}.",
            _ADD_MX["en"],
            _ADD_MX["it"],
            daily=True,
        ),
        _info(
            "MX_EXTRA_HOST",
            _E,
            "P6.2",
            "{pec} has MX records to {found} besides {host}; the MX must point to {host} only.",
            "{pec} ha record MX verso {found} oltre a {host}; il record MX deve puntare"
            " solo a {host}.",
            "Delete the MX records of {pec} to {found}.",
            "Eliminare i record MX di {pec} verso {found}.",
            daily=True,
        ),
        _info(
            "MX_WRONG_PREFERENCE",
            _W,
            "P6.2",
            "{pec} has MX {found}; the provider asks for preference {preference}.",
            "{pec} ha il record MX {found}; il gestore PEC richiede la priorità {preference}.",
            _ADD_MX["en"],
            _ADD_MX["it"],
            daily=True,
        ),
        _info(
            "MX_TRAILING_DOT",
            _E,
            "P6.2",
            "{pec} has MX {found}: the zone file lacks the trailing dot after {host_text},"
            " so the zone's origin was appended to it.",
            "{pec} ha il record MX {found}: nel file di zona manca il punto finale dopo"
            " {host_text}, quindi gli è stata aggiunta l'origine della zona.",
            "Write the MX target with its trailing dot, '{host}.', as in: {mx_line}",
            "Scrivere la destinazione del record MX con il punto finale, '{host}.',"
            " così: {mx_line}",
            daily=True,
        ),
        _info(
            "PEC_NAME_ALIAS",
            _W,
            None,
            "{pec} is an alias (CNAME) of {target}, so its MX is the MX of {target};"
            " an MX record belongs on {pec} itself.",
            "{pec} è un alias (CNAME) di {target}, quindi il suo record MX è quello di {target};"
            " il record MX va configurato direttamente su {pec}.",
            "Replace the CNAME of {pec} with this MX record: {mx_line}",
            "Sostituire il CNAME di {pec} con questo record MX: {mx_line}",
        ),
        _info(
            "PEC_NAME_DNAME",
            _W,
            None,
            "{pec} is an alias of {target} made by the DNAME record of {owner} (to {dname_target}),"
            " which redirects every name below {owner}; so its MX is the MX of {target},"
            " while an MX record belongs on {pec} itself.",
            "{pec} è un alias di {target} creato dal record DNAME di {owner}"
            " (verso {dname_target}), che reindirizza tutti i nomi sotto {owner}; quindi il suo"
            " record MX è quello di {target}, mentre il record MX va configurato direttamente"
            " su {pec}.",
            "Delete the DNAME record of {owner} (or move it): it redirects every name below"
            " {owner}, so {pec} cannot have an MX record of its own while it is there (RFC 6672)."
            " Then publish exactly this MX record for {pec}: {mx_line}",
            "Eliminare (o spostare) il record DNAME di {owner}: reindirizza tutti i nomi sotto"
            " {owner}, quindi {pec} non può avere un proprio record MX finché il DNAME è presente"
            " (RFC 6672). Poi pubblicare per {pec} esattamente questo record MX: {mx_line}",
        ),
        # P5: third level only.
        _info(
            "MX_AT_REGISTRABLE",
            _E,
            "P5",
            "{domain} itself has MX {found} to the provider's PEC host;"
            " the PEC MX belongs at the third level {pec} only.",
            "{domain} ha il record MX {found} verso l'host del gestore PEC;"
            " il record MX della PEC va solo sul sottodominio {pec}.",
            "Delete the MX record of {domain} to {host}.",
            "Eliminare il record MX di {domain} verso {host}.",
        ),
        _info(
            "DOMAIN_MX_UNKNOWN",
            _I,
            "P5",
            "The MX records of {domain} could not be read ({outcome}{detail});"
            " P5 and P9 were not checked there.",
            "Non è stato possibile leggere i record MX di {domain} ({outcome});"
            " P5 e P9 non sono stati verificati lì.",
        ),
        # P9 and P10: no hybrid mail servers.
        _info(
            "MX_HYBRID",
            _E,
            "P9",
            "{pec} mixes the provider's mail server {provider} with other mail servers"
            " {others}{p10}.",
            "{pec} usa insieme il Mail Server del gestore PEC {provider} e altri Mail Server"
            " {others}{p10}: la configurazione ibrida non è permessa.",
            "Keep only the MX record to {host} on {pec}.",
            "Lasciare su {pec} solo il record MX verso {host}.",
        ),
        _info(
            "DOMAIN_MX_HYBRID",
            _E,
            "P9",
            "{domain} mixes the provider's mail servers {provider} with other mail servers"
            " {others}{p10}.",
            "{domain} usa insieme i Mail Server del gestore PEC {provider} e altri Mail Server"
            " {others}{p10}: la configurazione ibrida non è permessa.",
            "Point every MX record of {domain} either to the provider's mail servers only"
            " or to other mail servers only.",
            "Far puntare tutti i record MX di {domain} o solo ai Mail Server del gestore PEC"
            " o solo ad altri Mail Server.",
        ),
        # RFC 1912 on MX targets, required by the PEC technical rules (DM 2 Nov 2005, 8.3).
        _info(
            "MX_TARGET_CNAME",
            _E,
            None,
            "The MX target {host} is an alias ({alias}) of {target}; an MX must name a host"
            " directly (RFC 1912, 2.4).",
            "La destinazione del record MX {host} è un alias ({alias}) di {target}; un record MX"
            " deve indicare direttamente un host (RFC 1912, 2.4).",
            "Point the MX record to a host name with its own address records.",
            "Far puntare il record MX a un nome host con propri record di indirizzo.",
        ),
        _info(
            "MX_TARGET_IP_LITERAL",
            _E,
            None,
            "The MX target {host} is an IP address written as a name; an MX must name a host"
            " (RFC 1912, 2.4).",
            "La destinazione del record MX {host} è un indirizzo IP scritto come nome;"
            " un record MX deve indicare un host (RFC 1912, 2.4).",
            _ADD_MX["en"],
            _ADD_MX["it"],
        ),
        _info(
            "MX_TARGET_NO_ADDRESS",
            _E,
            None,
            "The MX target {host} has no A or AAAA record ({outcome}).",
            "La destinazione del record MX {host} non ha record A né AAAA ({outcome}).",
            "Point the MX record to a host name that has address records.",
            "Far puntare il record MX a un nome host che abbia record di indirizzo.",
        ),
        _info(
            "MX_TARGET_UNKNOWN",
            _I,
            None,
            "The addresses of the MX target {host} could not be read ({outcome}{detail}).",
            "Non è stato possibile leggere gli indirizzi della destinazione del record MX {host}"
            " ({outcome}).",
        ),
        # P6.1 as a registry's checker sees it: every authoritative server, asked directly.
        _info(
            "NS_NOT_DEFINED",
            _E,
            "P6.1",
            "No name servers are defined for {zone} ({outcome}); Aruba's notices call this"
            " 'NS NON DEFINITO'.",
            "Non ci sono Name Server definiti per {zone} ({outcome}): è l'errore che gli avvisi"
            " di Aruba chiamano 'NS NON DEFINITO'.",
            "Register the domain's name servers with its registrar, or define the NS records"
            " of {zone}.",
            "Registrare i Name Server del dominio presso il registrar, o definire i record NS"
            " di {zone}.",
            daily=True,
        ),
        _info(
            "NS_NO_ADDRESS",
            _W,
            "P6.1",
            "The name server {server} of {zone} has no address, so it cannot be asked.",
            "Il Name Server {server} di {zone} non ha un indirizzo, quindi non può essere"
            " interrogato.",
            "Give {server} an A or AAAA record, or remove it from the NS records of {zone}.",
            "Dare a {server} un record A o AAAA, o toglierlo dai record NS di {zone}.",
            daily=True,
        ),
        _info(
            "NS_ADDRESS_UNKNOWN",
            _W,
            "P6.1",
            "The address of the name server {server} of {zone} could not be read"
            " ({outcome}{detail}), so it was not asked directly.",
            "Non è stato possibile leggere l'indirizzo del Name Server {server} di {zone}"
            " ({outcome}), quindi non è stato interrogato direttamente.",
            "Make the address records of {server} resolvable, or remove it from the NS records"
            " of {zone}.",
            "Rendere risolvibili i record di indirizzo di {server}, o toglierlo dai record NS"
            " di {zone}.",
            daily=True,
        ),
        _info(
            "SERVER_NO_RESPONSE",
            _W,
            "P6.1",
            "The name server {server} gave no usable answer to the MX query for {pec}"
            " ({outcome}{detail}).",
            "Il Name Server {server} non ha dato una risposta valida alla richiesta del record MX"
            " di {pec} ({outcome}).",
            "Make {server} answer on UDP and TCP port 53, or remove it from the NS records.",
            "Fare in modo che {server} risponda sulla porta 53 UDP e TCP, o toglierlo dai record"
            " NS.",
            daily=True,
        ),
        _info(
            "LAME_DELEGATION",
            _W,
            "P6.1",
            "The name server {server} is listed for {zone} but does not answer for it with"
            " authority ({reason}).",
            "Il Name Server {server} è indicato per {zone} ma non risponde per esso in modo"
            " autoritativo ({reason}).",
            "Load the zone {zone} on {server}, or remove {server} from its NS records.",
            "Caricare la zona {zone} su {server}, o togliere {server} dai suoi record NS.",
            daily=True,
        ),
        _info(
            "NO_AUTHORITATIVE_ANSWER",
            _E,
            "P6.1",
            "None of the name servers of {zone} answers for {pec} with authority ({servers}),"
            " so the PEC name is unreachable.",
            "Nessuno dei Name Server di {zone} risponde per {pec} in modo autoritativo"
            " ({servers}): il nome PEC non è raggiungibile.",
            "Load the zone {zone} on its name servers and make them answer on UDP and TCP port 53.",
            "Caricare la zona {zone} sui suoi Name Server e fare in modo che rispondano sulla"
            " porta 53 UDP e TCP.",
            daily=True,
        ),
        _info(
            "MX_ON_SOME_SERVERS",
            _E,
            "P6.2",
            "The MX of {pec} is published by some of its name servers only: {with_mx} answer"
            " {found}, {without_mx} answer {other}.",
            "Il record MX di {pec} è pubblicato solo da alcuni dei suoi Name Server: {with_mx}"
            " rispondono {found}, {without_mx} rispondono {other}.",
            "Publish the same zone for {zone} on all its name servers.",
            "Pubblicare la stessa zona {zone} su tutti i suoi Name Server.",
            daily=True,
        ),
        _info(
            "SERVERS_DISAGREE",
            _E,
            "P6.2",
            "The name servers of {pec} disagree on its MX: {answers}.",
            "I Name Server di {pec} danno record MX diversi: {answers}.",
            "Publish the same zone for {zone} on all its name servers.",
            "Pubblicare la stessa zona {zone} su tutti i suoi Name Server.",
            daily=True,
        ),
        _info(
            "NS_MISMATCH",
            _W,
            "P6.1",
            "The delegation of {pec} names the name servers {delegation}, but the zone itself"
            " lists {child}.",
            "La delega di {pec} indica i Name Server {delegation}, ma la zona stessa indica"
            " {child}.",
            "Make the NS records in {domain} and in {pec} list the same name servers.",
            "Fare in modo che i record NS in {domain} e in {pec} indichino gli stessi Name Server.",
            daily=True,
        ),
        _info(
            "MISSING_GLUE",
            _E,
            "P6.1",
            "The delegation of {pec} to {server}, a name inside the zone it serves, gives no"
            " address for it (glue), so no resolver can reach the zone.",
            "La delega di {pec} a {server}, un nome interno alla zona che serve, non ne indica"
            " l'indirizzo (glue record): nessun resolver può raggiungere la zona.",
            "Add A (or AAAA) glue records for {server} in the zone of {domain}.",
            "Aggiungere record glue A (o AAAA) per {server} nella zona di {domain}.",
            daily=True,
        ),
        # P4: who runs the DNS.
        _info(
            "SETUP_PROVIDER",
            _I,
            "P4.1",
            "{domain} uses the provider's name servers ({servers}); the provider creates"
            " the MX of {pec} at activation.",
            "{domain} usa i Name Server del gestore PEC ({servers}); il record MX di {pec}"
            " viene configurato automaticamente all'attivazione.",
        ),
        _info(
            "SETUP_DELEGATED",
            _I,
            "P4.2",
            "{pec} is delegated to the provider's name servers ({servers}).",
            "{pec} è delegato ai Name Server del gestore PEC ({servers}).",
        ),
        _info(
            "SETUP_EXTERNAL",
            _I,
            "P4.2",
            "{zone} is served by external name servers ({servers}); their operator must publish"
            " the MX of {pec}, and that set-up is the customer's responsibility (P4.3).",
            "{zone} usa Name Server esterni ({servers}); il gestore dei Name Server deve"
            " pubblicare il record MX di {pec}, e questa configurazione è a carico del cliente"
            " (P4.3).",
        ),
        _info(
            "SETUP_UNKNOWN",
            _I,
            "P4",
            "The name servers of {domain} could not be read ({outcome}), so the set-up"
            " (provider's or external name servers) is unknown.",
            "Non è stato possibile leggere i Name Server di {domain} ({outcome}): non si sa"
            " se il dominio usa i Name Server del gestore PEC o Name Server esterni.",
        ),
        # Hardening (issue 10): the checker's own caps and configuration.
        _info(
            "CHECK_LIMIT",
            _W,
            None,
            "The check stopped at its limit {cap} = {value}, so part of {domain} was not examined.",
            "La verifica si è fermata al suo limite {cap} = {value}: una parte di {domain}"
            " non è stata esaminata.",
            "Reduce what the zone makes a checker ask (fewer MX hosts, name servers or"
            " addresses), or raise the limit in Policy.limits if it is legitimate.",
            "Ridurre ciò che la zona fa interrogare (meno host MX, Name Server o indirizzi),"
            " oppure alzare il limite in Policy.limits se la configurazione è legittima.",
        ),
        _info(
            "RESOLVER_UNCONFIGURED",
            _W,
            None,
            "The checker's system resolver is not configured ({detail}), so no DNS question"
            " could be asked and the result is undetermined.",
            "Il resolver di sistema usato per la verifica non è configurato: nessuna"
            " domanda DNS è stata posta e l'esito non è determinabile.",
            "Add a 'nameserver' line to /etc/resolv.conf, or give the resolver's addresses"
            " (DnsResolver([...]) or the CLI's --nameserver).",
            "Aggiungere una riga 'nameserver' a /etc/resolv.conf, oppure indicare gli indirizzi"
            " del resolver (DnsResolver([...]) o l'opzione --nameserver della CLI).",
            daily=True,
        ),
    )
}

UNDETERMINING = frozenset(
    {
        "CHECK_INCOMPLETE",
        "CHECK_TIMED_OUT",
        "INPUT_INVALID",
        "ZONE_NOT_LOADED",
        "PROVIDER_HOST_NO_ADDRESS",
        "RESOLVER_UNCONFIGURED",
    }
)
"""Codes that make a verdict UNDETERMINED when no definite daily breach is found:
the checker, not the domain, failed (or could not see)."""


def is_daily(code: str) -> bool:
    """Whether a finding code belongs to the provider's daily check (P6).

    A code outside the catalogue (a finding built by hand) counts as the
    daily check's, so that nothing unknown is waved through.

    >>> is_daily("MX_WRONG_HOST"), is_daily("MX_AT_REGISTRABLE")
    (True, False)
    """
    info = CATALOGUE.get(code)
    return info is None or info.daily


def check_lang(lang: str) -> str:
    """Return ``lang`` if messages exist in it, else raise ValueError naming the valid ones."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def outcome_text(outcome: str, lang: str) -> str:
    """How a DNS outcome reads in a message in ``lang``.

    >>> outcome_text("TIMEOUT", "it"), outcome_text("NXDOMAIN", "it"), outcome_text("TIMEOUT", "en")
    ('nessuna risposta entro il tempo di attesa', 'NXDOMAIN', 'TIMEOUT')
    """
    return _OUTCOME_WORDS[check_lang(lang)].get(outcome, outcome)


_DNAME_ALIAS = {"en": "DNAME of {owner}", "it": "DNAME di {owner}"}


def _words(values: dict[str, str], lang: str) -> None:
    """Put the language-dependent arguments of a finding into words of ``lang``.

    A resolver's ``detail`` is English text from a library; it is kept on
    the finding's evidence as data, and only English messages quote it. The
    outcome, the reason a server is lame and what makes an MX target an alias
    (a CNAME, or the DNAME of a name above it) are words of each language.
    """
    if lang != "en":
        values["detail"] = ""
        if "outcome" in values:
            values["outcome"] = outcome_text(values["outcome"], lang)
    # An MX target aliased by a DNAME above it (RFC 6672) names that DNAME, not a CNAME.
    alias = _DNAME_ALIAS[lang].format_map(values) if "owner" in values else "CNAME"
    values.setdefault("alias", alias)
    cause = values.get("cause")
    if cause in DNSSEC_CAUSES:
        values["cause"] = DNSSEC_CAUSES[cause][lang]
    reason = values.get("reason")
    if reason in _LAME_REASONS[lang]:
        values["reason"] = _LAME_REASONS[lang][reason].format_map(values)


def render(code: str, args: Mapping[str, str], lang: str = "en") -> tuple[str, str | None]:
    """Fill the message and fix of ``code`` in ``lang`` with a finding's arguments.

    >>> render("MX_MISSING", {"pec": "pec.example.it", "mx_line": "..."}, "it")[0]
    'pec.example.it esiste ma non ha alcun record MX.'
    >>> render(
    ...     "SERVER_NO_RESPONSE",
    ...     {
    ...         "server": "ns1",
    ...         "pec": "pec.x.it",
    ...         "outcome": "TIMEOUT",
    ...         "detail": ": no answer in time",
    ...     },
    ...     "it",
    ... )[0]
    'Il Name Server ns1 non ha dato una risposta valida alla richiesta del record MX di pec.x.it (nessuna risposta entro il tempo di attesa).'
    """  # noqa: E501 -- a doctest shows the whole message
    info = CATALOGUE[code]
    lang = check_lang(lang)
    values = {"detail": "", **args}
    if values.get("p10"):
        values["p10"] = _P10_NOTE[lang]
    _words(values, lang)
    message = info.message[lang].format_map(values)
    fix = info.fix[lang].format_map(values) if info.fix else None
    return message, fix


def localise(finding: Finding, lang: str) -> Finding:
    """The same finding with its message and fix in ``lang``."""
    message, fix = render(finding.code, dict(finding.args), lang)
    return evolve(finding, message=message, fix=fix)
