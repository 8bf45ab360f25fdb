"""Registrable domains: validation, IDNA and the Public Suffix List."""

from __future__ import annotations

import functools
import re
import unicodedata
from encodings import idna as _idna

from attrs import field, frozen
from publicsuffixlist import PublicSuffixList

from pecdns.exceptions import InvalidDomainError

__all__ = ["Domain", "registrable_domain"]

_MAX_NAME = 253
_MAX_LABEL = 63
_LDH = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z")
# UTS 46 treats these as full stops; people paste them from word processors.
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


@functools.cache
def _psl() -> PublicSuffixList:
    """The Public Suffix List shipped with ``publicsuffixlist``, parsed once."""
    return PublicSuffixList()


def registrable_domain(name: str) -> str | None:
    """Return the registrable domain of a host name under the Public Suffix List.

    Both sections of the list count (ICANN and private), with their wildcard
    and exception rules; an unlisted top-level domain is a public suffix of one
    label, as the list's own algorithm says. The answer is lower case and in
    the form of the input: Unicode in, Unicode out; A-labels in, A-labels out.

    Args:
        name: any host name, with or without a trailing dot.

    Returns:
        The registrable domain, or ``None`` for a public suffix, an empty name
        or a name with a leading dot or an empty label.

    >>> registrable_domain("www.comune.latina.it")
    'comune.latina.it'
    >>> registrable_domain("Mail.Example.CO.UK.")
    'example.co.uk'
    >>> registrable_domain("roma.it") is None
    True
    """
    if not isinstance(name, str) or not name:
        return None
    return _psl().privatesuffix(name.translate(_DOTS).lower())


def _decode_alabel(alabel: str) -> str | None:
    """Decode an ``xn--`` label; ``None`` unless it is canonical Punycode of non-ASCII text."""
    try:
        ulabel = alabel[4:].encode("ascii").decode("punycode")
    except UnicodeError:
        return None
    if ulabel.isascii() or ulabel.encode("punycode").decode("ascii") != alabel[4:]:
        return None
    if ulabel != unicodedata.normalize("NFC", ulabel.lower()):
        return None
    return ulabel


def _to_alabel(label: str, whole: str) -> str:
    """Return the lower-case A-label of one label, or raise InvalidDomainError."""
    if label.isascii():
        alabel = label.lower()
        if alabel.startswith("xn--"):
            ulabel = _decode_alabel(alabel)
            if ulabel is None:
                raise InvalidDomainError(
                    f"{whole!r}: the label {label!r} is not a valid IDNA A-label"
                    " (its Punycode does not decode to a canonical non-ASCII label)"
                )
    else:
        try:
            alabel = _idna.ToASCII(label).decode("ascii").lower()
            ulabel = _idna.ToUnicode(alabel)
        except UnicodeError as exc:
            raise InvalidDomainError(
                f"{whole!r}: the label {label!r} cannot be encoded with IDNA ({exc})"
            ) from None
        if ulabel != unicodedata.normalize("NFC", label.lower()):
            # IDNA 2003 maps some characters (ß, ς, full-width letters) to others
            # where IDNA 2008 would not: refuse rather than check another domain.
            raise InvalidDomainError(
                f"{whole!r}: IDNA would turn the label {label!r} into {ulabel!r}, another name;"
                f" write the label as {ulabel!r} or give its A-label"
            )
    if len(alabel) > _MAX_LABEL:
        raise InvalidDomainError(
            f"{whole!r}: the label {label!r} is {len(alabel)} octets long; at most 63 are allowed"
        )
    if not _LDH.match(alabel):
        raise InvalidDomainError(
            f"{whole!r}: the label {label!r} may hold only letters, digits and inner"
            " hyphens (or Unicode letters that IDNA can encode)"
        )
    return alabel


def _normalise(value: object) -> str:
    """Validate a registrable domain; return its lower-case A-label form."""
    if not isinstance(value, str):
        raise InvalidDomainError(f"a domain must be a str, not {type(value).__name__}")
    text = value.strip().translate(_DOTS)
    text = text.removesuffix(".")
    if not text:
        raise InvalidDomainError(
            f"{value!r} is empty; give a registrable domain such as 'example.it'"
        )
    parts = text.split(".")
    if "" in parts:
        raise InvalidDomainError(
            f"{value!r} has an empty label (a leading dot or two dots in a row);"
            " give a name such as 'example.it'"
        )
    name = ".".join(_to_alabel(part, value) for part in parts)
    if len(name) > _MAX_NAME:
        raise InvalidDomainError(
            f"{value!r} is {len(name)} characters long as A-labels; at most 253 are allowed"
        )
    registrable = registrable_domain(name)
    if registrable is None:
        raise InvalidDomainError(
            f"{value!r} is a public suffix, where anyone may register names;"
            f" give a registrable domain below it, such as 'example.{name}'"
        )
    if registrable != name:
        raise InvalidDomainError(
            f"{value!r} is a subdomain; its registrable domain is {registrable!r}"
            " (PEC lives at pec.<registrable domain>)"
        )
    return name


@frozen(order=True)
class Domain:
    """A validated registrable domain, the customer's domain of PEC su dominio.

    Accepts Unicode or A-labels, any case, an optional trailing dot and
    surrounding white space. Everything else that is not a registrable domain
    under the Public Suffix List is refused with :class:`InvalidDomainError`,
    whose message names what would be valid.

    Attributes:
        name: the lower-case A-label form without trailing dot.

    >>> d = Domain(" Comune.Latina.IT. ")
    >>> d.name, d.pec_name
    ('comune.latina.it', 'pec.comune.latina.it')
    >>> Domain("Città.it").name
    'xn--citt-3na.it'
    """

    name: str = field(converter=_normalise)

    @property
    def unicode(self) -> str:
        """The name in Unicode (U-labels), as people write it.

        >>> Domain("xn--citt-3na.it").unicode
        'città.it'
        """
        return ".".join(
            (_decode_alabel(label) if label.startswith("xn--") else None) or label
            for label in self.name.split(".")
        )

    @property
    def pec_name(self) -> str:
        """The PEC mail domain under the default policy: ``pec.<name>`` (P5).

        Use :meth:`pecdns.Policy.pec_name` for a policy with another label.
        """
        return f"pec.{self.name}"

    def __str__(self) -> str:
        return self.name
