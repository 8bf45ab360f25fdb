"""The exceptions pecdns raises: one base class, a few precise subclasses."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "InvalidDomainError",
    "InvalidRecordError",
    "LifecycleError",
    "PecdnsError",
    "RecordingMissError",
]


class PecdnsError(Exception):
    """Base class of every exception pecdns raises on purpose.

    Catch this to handle any pecdns failure; a bare :class:`Exception` escaping
    pecdns is a bug.
    """


# The reasons a name is refused, as language-independent codes with a text per language.
# Arguments are already quoted data (``repr`` of what the user gave), never translated.
_REASONS: Mapping[str, Mapping[str, str]] = {
    "not_text": {
        "en": "a domain must be text (str), not {type}; give a name such as 'example.it'",
        "it": "un dominio deve essere un testo (str), non {type}; indicare un nome come"
        " 'example.it'",
    },
    "empty": {
        "en": "{input} is empty; give a registrable domain such as 'example.it'",
        "it": "{input} è vuoto; indicare un dominio registrabile, ad esempio 'example.it'",
    },
    "input_length": {
        "en": "{input} is {length} characters long; a domain name has at most 253",
        "it": "{input} è lungo {length} caratteri; un nome di dominio ne ha al massimo 253",
    },
    "ip_address": {
        "en": "{input} is an IP address, not a domain name; give the domain name,"
        " such as 'example.it'",
        "it": "{input} è un indirizzo IP, non un nome di dominio; indicare il nome di dominio,"
        " ad esempio 'example.it'",
    },
    "url": {
        "en": "{input} is a URL, not a domain name; drop the scheme (and any path or port)"
        " and give the domain alone, such as {domain}",
        "it": "{input} è un URL, non un nome di dominio; togliere lo schema (ed eventuali"
        " percorso e porta) e indicare solo il dominio, ad esempio {domain}",
    },
    "email": {
        "en": "{input} is an e-mail address, not a domain name; drop the mailbox name and"
        " the '@' and give the domain alone, such as {domain}",
        "it": "{input} è un indirizzo di posta, non un nome di dominio; togliere il nome della"
        " casella e la '@' e indicare solo il dominio, ad esempio {domain}",
    },
    "empty_label": {
        "en": "{input} has an empty label (a leading dot or two dots in a row);"
        " give a name such as 'example.it'",
        "it": "{input} ha un'etichetta vuota (un punto iniziale o due punti di seguito);"
        " indicare un nome come 'example.it'",
    },
    "label_ignored": {
        "en": "{input}: the label {label} holds only characters that IDNA ignores (such as a"
        " soft hyphen), so it is empty; give a name such as 'example.it'",
        "it": "{input}: l'etichetta {label} contiene solo caratteri che IDNA ignora (come il"
        " trattino morbido), quindi è vuota; indicare un nome come 'example.it'",
    },
    "label_chars": {
        "en": "{input}: the label {label} may hold only letters, digits and inner hyphens"
        " (or Unicode letters that IDNA can encode)",
        "it": "{input}: l'etichetta {label} può contenere solo lettere, cifre e trattini"
        " interni (o lettere Unicode codificabili con IDNA)",
    },
    "hyphen_edge": {
        "en": "{input}: the label {label} starts or ends with a hyphen;"
        " a hyphen may only stand inside a label",
        "it": "{input}: l'etichetta {label} inizia o finisce con un trattino;"
        " un trattino può stare solo all'interno di un'etichetta",
    },
    "hyphen_34": {
        "en": "{input}: the label {label} has hyphens in its third and fourth places,"
        " which IDNA reserves for A-labels ('xn--'); move or remove them",
        "it": "{input}: l'etichetta {label} ha trattini in terza e quarta posizione,"
        " riservati da IDNA agli A-label ('xn--'); spostarli o toglierli",
    },
    "label_length": {
        "en": "{input}: the label {label} is {octets} octets long as an A-label;"
        " at most 63 are allowed",
        "it": "{input}: l'etichetta {label} è lunga {octets} ottetti come A-label; il massimo è 63",
    },
    "name_length": {
        "en": "{input} is {length} characters long as A-labels; at most 253 are allowed",
        "it": "{input} è lungo {length} caratteri in A-label; il massimo è 253",
    },
    "bad_alabel": {
        "en": "{input}: the label {label} is not a valid IDNA A-label (its Punycode does not"
        " decode to a canonical non-ASCII label); give the name in Unicode or its exact A-label",
        "it": "{input}: l'etichetta {label} non è un A-label IDNA valido (il suo Punycode non"
        " si decodifica in un'etichetta canonica non ASCII); indicare il nome in Unicode o il"
        " suo A-label esatto",
    },
    "not_nfc": {
        "en": "{input}: the label {label} decodes to text that is not in Unicode normal"
        " form C, as IDNA 2008 requires; give the name in Unicode instead",
        "it": "{input}: l'etichetta {label} si decodifica in un testo non in forma normale"
        " Unicode C, come richiede IDNA 2008; indicare invece il nome in Unicode",
    },
    "disallowed_char": {
        "en": "{input}: the label {label} holds {char}, which IDNA 2008 does not allow in a"
        " domain name; use only letters, digits, marks and inner hyphens",
        "it": "{input}: l'etichetta {label} contiene {char}, che IDNA 2008 non ammette in un"
        " nome di dominio; usare solo lettere, cifre, segni diacritici e trattini interni",
    },
    "context_char": {
        "en": "{input}: the label {label} holds {char} where IDNA 2008 does not allow it"
        " (the contextual rules of RFC 5892); remove it",
        "it": "{input}: l'etichetta {label} contiene {char} in una posizione che IDNA 2008"
        " non ammette (le regole contestuali della RFC 5892); toglierlo",
    },
    "combining_mark": {
        "en": "{input}: the label {label} begins with the combining mark {char};"
        " a label must begin with a letter or a digit",
        "it": "{input}: l'etichetta {label} inizia con il segno combinante {char};"
        " un'etichetta deve iniziare con una lettera o una cifra",
    },
    "bidi": {
        "en": "{input}: the label {label} breaks the IDNA 2008 rule for names with"
        " right-to-left text (RFC 5893): in such a name every label begins with a letter"
        " and none mixes right-to-left with left-to-right letters",
        "it": "{input}: l'etichetta {label} viola la regola di IDNA 2008 per i nomi con testo"
        " da destra a sinistra (RFC 5893): in un tale nome ogni etichetta inizia con una"
        " lettera e nessuna mescola lettere da destra a sinistra e da sinistra a destra",
    },
    "numeric_tld": {
        "en": "{input} ends in the label {label}, all digits, and no top-level domain is"
        " (is it an IP address?); give the domain name, such as 'example.it'",
        "it": "{input} termina con l'etichetta {label}, di sole cifre, e nessun dominio di"
        " primo livello lo è (è un indirizzo IP?); indicare il nome di dominio, ad esempio"
        " 'example.it'",
    },
    "public_suffix": {
        "en": "{input} is a public suffix, where anyone may register names;"
        " give a registrable domain below it, such as {example}",
        "it": "{input} è un suffisso pubblico, sotto il quale chiunque può registrare nomi;"
        " indicare un dominio registrabile sotto di esso, ad esempio {example}",
    },
    "subdomain": {
        "en": "{input} is a subdomain; its registrable domain is {registrable}"
        " (PEC lives at pec.<registrable domain>)",
        "it": "{input} è un sottodominio; il suo dominio registrabile è {registrable}"
        " (la PEC sta in pec.<dominio registrabile>)",
    },
    "subdomain_private": {
        "en": "{input} is a subdomain of {registrable} under the ICANN section of the Public"
        " Suffix List, which pecdns follows by default; give {registrable}, or, since {suffix}"
        " hands out names to others (the list's private section), check it with private=True",
        "it": "{input} è un sottodominio di {registrable} secondo la sezione ICANN della Public"
        " Suffix List, che pecdns segue in modo predefinito; indicare {registrable} oppure,"
        " poiché {suffix} assegna nomi ad altri (sezione privata della lista), verificarlo"
        " con private=True",
    },
}


class InvalidDomainError(PecdnsError, ValueError):
    """A name that is not a valid registrable domain.

    The reason is data: a code (``reason``) and its arguments
    (``arguments``, quoted text), rendered in English or Italian by
    :meth:`render`. ``str(exc)`` is the English message, which says what was
    wrong and what would be valid, e.g. ``'www.example.it' is a subdomain;
    its registrable domain is 'example.it'``.

    Args:
        reason: one of :attr:`REASONS`.
        arguments: the values its texts name, already quoted.

    Raises:
        ValueError: ``reason`` is not a known code (every code has a text in
            every language, so no message is ever left untranslated).

    >>> exc = InvalidDomainError("ip_address", {"input": "'192.0.2.1'"})
    >>> exc.reason, exc.arguments
    ('ip_address', {'input': "'192.0.2.1'"})
    >>> print(exc)  # doctest: +ELLIPSIS
    '192.0.2.1' is an IP address, not a domain name; give the domain name, such as ...
    >>> print(exc.render("it"))  # doctest: +ELLIPSIS
    '192.0.2.1' è un indirizzo IP, non un nome di dominio; indicare il nome di dominio, ...
    """

    REASONS: ClassVar[Mapping[str, Mapping[str, str]]] = _REASONS
    """Every reason code, with its text in each language (``"en"``, ``"it"``)."""

    reason: str
    """The reason code, one of :attr:`REASONS`."""
    arguments: Mapping[str, str]
    """The values the reason's texts name, already quoted."""

    def __init__(self, reason: str, arguments: Mapping[str, str] | None = None) -> None:
        """Refuse a name for ``reason``; see the class docstring."""
        if reason not in _REASONS:
            raise ValueError(f"unknown reason {reason!r}; use one of {', '.join(_REASONS)}")
        values = dict(arguments or {})
        super().__init__(reason, values)  # args that rebuild it: exceptions pickle
        self.reason = reason
        self.arguments = values

    def render(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"en"`` or ``"it"``).

        Raises:
            ValueError: ``lang`` is not a language pecdns speaks.
        """
        texts = _REASONS[self.reason]
        if lang not in texts:
            raise ValueError(f"unknown language {lang!r}; use one of {', '.join(texts)}")
        return texts[lang].format_map(self.arguments)

    def __str__(self) -> str:
        """The English message."""
        return self.render("en")


class InvalidRecordError(PecdnsError, ValueError):
    """A DNS name or record in presentation format that cannot be parsed.

    Raised when building records for a fake or a zone, never for data read
    from DNS during a check (that becomes a finding instead).
    """


class LifecycleError(PecdnsError, ValueError):
    """A step the life of a PEC domain does not allow (P1-P3, P6-P8).

    Raised for an order the provider would refuse (a package outside P11, the
    customer area without an active domain), an onboarding step out of turn
    (a mailbox before the Postmaster password, P3), a naive datetime, and a
    check that cannot be applied (dated before the last one, or for another
    domain). The message says what was asked and what would be allowed.
    """


class RecordingMissError(PecdnsError, LookupError):
    """A replayed check asked a question its recording does not hold.

    A replay never falls back to the network: record the check again instead.
    """
