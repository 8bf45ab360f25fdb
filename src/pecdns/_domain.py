"""Registrable domains: validation, IDNA 2008 / UTS 46 and the Public Suffix List.

A name is read as a browser reads it (UTS 46, non-transitional, with the STD3
rules: case folded, full-width forms made ASCII, ``ß`` and ``ς`` kept) and
validated as a registry validates it (IDNA 2008: RFC 5891-5893, through the
``idna`` package). A-labels are held to the same rules once decoded, so a
name's Unicode spelling never carries a character its U-label would refuse.
Registrable domains come from the ICANN section of the Public Suffix List;
the private section is an option.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import idna
import idna.idnadata
from attrs import field, frozen
from publicsuffixlist import PublicSuffixList

from pecdns._reduce import fast_pickle
from pecdns.exceptions import InvalidDomainError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Domain", "registrable_domain"]

_MAX_NAME = 253
_MAX_LABEL = 63
_MAX_INPUT = 1024  # typed characters; far beyond any name of 253 octets, and idna's own bound
_LDH = re.compile(r"[a-z0-9-]+\Z")
# UTS 46 treats these as full stops; people paste them from word processors.
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_RTL = frozenset({"R", "AL", "AN"})  # RFC 5893: a label with one of these makes a Bidi domain name
_EXAMPLE = "'example.it'"


@functools.cache
def _psl(*, private: bool) -> PublicSuffixList:
    """The Public Suffix List shipped with ``publicsuffixlist``, parsed once per section choice."""
    return PublicSuffixList(only_icann=not private)


def registrable_domain(name: str, *, private: bool = False) -> str | None:
    """Return the registrable domain of a host name under the Public Suffix List.

    By default only the list's ICANN section counts: the suffixes registries
    sell under, so ``dnshome.it``, ``altervista.org`` and ``it.com`` are the
    registered domains of their owners. With ``private=True`` the private
    section counts too (names companies hand out below their own domains,
    such as ``myblog.blogspot.com``). Wildcard and exception rules apply, and
    an unlisted top-level domain is a public suffix of one label, as the
    list's own algorithm says. The answer is lower case and in the form of the
    input: Unicode in, Unicode out; A-labels in, A-labels out.

    Args:
        name: any host name, with or without a trailing dot.
        private: also honour the private section of the list.

    Returns:
        The registrable domain, or ``None`` for a public suffix, an empty name
        or a name with a leading dot or an empty label.

    >>> registrable_domain("www.comune.latina.it")
    'comune.latina.it'
    >>> registrable_domain("Mail.Example.CO.UK.")
    'example.co.uk'
    >>> registrable_domain("roma.it") is None
    True
    >>> registrable_domain("myblog.blogspot.com")
    'blogspot.com'
    >>> registrable_domain("myblog.blogspot.com", private=True)
    'myblog.blogspot.com'
    """
    if not isinstance(name, str) or not name:
        return None
    name = name if name.isascii() else name.translate(_DOTS)
    return _psl(private=private).privatesuffix(name.lower())


def _shown(text: str) -> str:
    """``text`` quoted for a message: ``repr`` escapes controls; very long input is cut."""
    return repr(text) if len(text) <= 100 else f"{text[:60]!r}… ({len(text)} characters)"


def _describe(char: str) -> str:
    """A character named, never shown raw: ``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def _culprit(exc: idna.IDNAError, label: str, bad: Callable[[str], bool]) -> str:
    """The character ``exc`` is about: its code point if idna says, else the first ``bad`` one."""
    codepoint = getattr(exc, "codepoint", None)  # idna >= 3.11 names it; older releases do not
    if isinstance(codepoint, int):
        return chr(codepoint)
    return next((char for char in label if bad(char)), label[0])


def _unmappable(char: str) -> bool:
    try:
        idna.uts46_remap(char, std3_rules=True)
    except idna.IDNAError:
        return True
    return False


def _not_pvalid(char: str) -> bool:
    return not idna.intranges_contain(ord(char), idna.idnadata.codepoint_classes["PVALID"])


class _Name:
    """The validation of one input: every refusal names the input and the label at fault."""

    def __init__(self, value: str) -> None:
        self.shown = _shown(value)

    def refuse(self, reason: str, **arguments: str) -> InvalidDomainError:
        return InvalidDomainError(reason, {"input": self.shown, **arguments})

    def ascii_label(self, typed: str, label: str) -> tuple[str, str]:
        """An LDH label or an A-label (lower case), checked; (A-label, U-label)."""
        if len(label) > _MAX_LABEL:
            raise self.refuse("label_length", label=_shown(typed), octets=str(len(label)))
        if label.startswith("xn--"):
            return label, self.decoded(typed, label)
        if label.startswith("-") or label.endswith("-"):
            raise self.refuse("hyphen_edge", label=_shown(typed))
        if not _LDH.match(label):
            raise self.refuse("label_chars", label=_shown(typed))
        # An ASCII label with "--" in the third and fourth places is valid DNS and not an
        # IDNA label; registries decide on those, so pecdns accepts it (only xn-- is IDNA's).
        return label, label

    def decoded(self, typed: str, alabel: str) -> str:
        """The U-label of an A-label, refused unless canonical and valid under IDNA 2008."""
        try:
            ulabel = alabel[4:].encode("ascii").decode("punycode")
        except UnicodeError:
            raise self.refuse("bad_alabel", label=_shown(typed)) from None
        if ulabel.isascii() or ulabel.encode("punycode").decode("ascii") != alabel[4:]:
            raise self.refuse("bad_alabel", label=_shown(typed))
        if unicodedata.normalize("NFC", ulabel) != ulabel:
            raise self.refuse("not_nfc", label=_shown(typed))
        self.check_ulabel(typed, ulabel)
        return ulabel

    def check_ulabel(self, typed: str, ulabel: str) -> None:
        """IDNA 2008 validity of a U-label (RFC 5891 4.2.3, RFC 5892, RFC 5893), as idna has it."""
        if ulabel.startswith("-") or ulabel.endswith("-"):
            raise self.refuse("hyphen_edge", label=_shown(typed))
        if ulabel[2:4] == "--":
            raise self.refuse("hyphen_34", label=_shown(typed))
        if unicodedata.category(ulabel[0]).startswith("M"):
            raise self.refuse("combining_mark", label=_shown(typed), char=_describe(ulabel[0]))
        try:
            idna.check_label(ulabel)
        except idna.IDNABidiError:
            raise self.refuse("bidi", label=_shown(typed)) from None
        except idna.InvalidCodepointContext as exc:
            char = _describe(_culprit(exc, ulabel, _not_pvalid))
            raise self.refuse("context_char", label=_shown(typed), char=char) from None
        except idna.IDNAError as exc:  # a disallowed or unassigned code point
            char = _describe(_culprit(exc, ulabel, _not_pvalid))
            raise self.refuse("disallowed_char", label=_shown(typed), char=char) from None

    def label(self, typed: str) -> tuple[str, str]:
        """One typed label, mapped by UTS 46 and validated: (A-label, U-label)."""
        if typed.isascii():
            return self.ascii_label(typed, typed.lower())
        try:
            mapped = idna.uts46_remap(typed, std3_rules=True)
        except idna.IDNAError as exc:
            char = _culprit(exc, typed, _unmappable)
            if char.isascii():
                raise self.refuse("label_chars", label=_shown(typed)) from None
            char = _describe(char)
            raise self.refuse("disallowed_char", label=_shown(typed), char=char) from None
        if not mapped:  # only characters UTS 46 ignores, such as a soft hyphen
            raise self.refuse("label_ignored", label=_shown(typed))
        if mapped.isascii():  # full-width letters and the like become ASCII
            return self.ascii_label(typed, mapped)
        alabel = "xn--" + mapped.encode("punycode").decode("ascii")
        if len(alabel) > _MAX_LABEL:
            raise self.refuse("label_length", label=_shown(typed), octets=str(len(alabel)))
        self.check_ulabel(typed, mapped)
        return alabel, mapped


def _ip_address(text: str) -> bool:
    if not (text[-1:].isdigit() or ":" in text):  # neither IPv4 nor IPv6: skip the parse
        return False
    try:
        ipaddress.ip_address(text.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def _address_host(text: str) -> tuple[str, str] | None:
    """For a URL or an e-mail address: its kind (a reason code) and its host."""
    if text.lower().startswith("mailto:"):
        return "email", text[7:].partition("?")[0].rpartition("@")[2]
    if "/" in text or ":" in text:  # a scheme, a path or a port
        try:
            host = urlsplit(text if "://" in text else f"//{text}").hostname
        except ValueError:  # a malformed bracketed address
            host = None
        return "url", host or ""
    if "@" in text:
        return "email", text.rpartition("@")[2]
    return None


def _suggestion(host: str, *, private: bool) -> str:
    """The domain to give instead of a URL or address: its registrable domain if it has one."""
    try:
        return _shown(Domain(host, private=private).unicode)
    except InvalidDomainError as exc:
        return exc.arguments.get("registrable", _EXAMPLE)


def _unicode(name: str) -> str:
    """A validated A-label name in Unicode."""
    return ".".join(
        label[4:].encode("ascii").decode("punycode") if label.startswith("xn--") else label
        for label in name.split(".")
    )


def _refuse_address(check: _Name, text: str, *, private: bool) -> None:
    """Refuse an IP address, a URL or an e-mail address by name, with the domain to give."""
    if _ip_address(text.removesuffix(".")):
        raise check.refuse("ip_address")
    address = _address_host(text)
    if address is not None:
        kind, host = address
        raise check.refuse(kind, domain=_suggestion(host, private=private))


def _check_bidi(check: _Name, parts: list[str], ulabels: list[str]) -> None:
    """UTS 46 CheckBidi: in a Bidi domain name every label meets the Bidi rule (RFC 5893 2)."""
    text = "".join(ulabels)
    if text.isascii() or not any(unicodedata.bidirectional(char) in _RTL for char in text):
        return
    bad = [part for part, label in zip(parts, ulabels, strict=True) if not _bidi_ok(label)]
    if bad:
        raise check.refuse("bidi", label=_shown(bad[0]))


def _bidi_ok(label: str) -> bool:
    try:
        idna.check_bidi(label, check_ltr=True)
    except idna.IDNABidiError:
        return False
    return True


def _check_registrable(check: _Name, name: str, *, private: bool) -> None:
    """Refuse a public suffix or a subdomain, naming the registrable domain to give."""
    registrable = registrable_domain(name, private=private)
    if registrable is None:
        raise check.refuse("public_suffix", example=_shown(f"example.{_unicode(name)}"))
    if registrable != name:
        shown = _shown(_unicode(registrable))
        if not private and registrable_domain(name, private=True) == name:
            suffix = _shown(_unicode(name.partition(".")[2]))
            raise check.refuse("subdomain_private", registrable=shown, suffix=suffix)
        raise check.refuse("subdomain", registrable=shown)


def _normalise(value: object, *, private: bool) -> str:
    """Validate a registrable domain; return its lower-case A-label form."""
    if not isinstance(value, str):
        raise InvalidDomainError("not_text", {"type": type(value).__name__})
    check = _Name(value)
    text = value.strip()
    if len(text) > _MAX_INPUT:
        raise check.refuse("input_length", length=str(len(text)))
    _refuse_address(check, text, private=private)
    parts = (text if text.isascii() else text.translate(_DOTS)).split(".")
    if parts[-1] == "":
        parts.pop()  # one trailing dot: the root
    if not parts or parts == [""]:
        raise check.refuse("empty")
    if "" in parts:
        raise check.refuse("empty_label")
    alabels, ulabels = zip(*(check.label(part) for part in parts), strict=True)
    _check_bidi(check, parts, list(ulabels))
    if alabels[-1].isdigit():
        raise check.refuse("numeric_tld", label=_shown(parts[-1]))
    name = ".".join(alabels)
    if len(name) > _MAX_NAME:
        raise check.refuse("name_length", length=str(len(name)))
    _check_registrable(check, name, private=private)
    return name


@fast_pickle
@frozen(order=True, init=False)
class Domain:
    """A validated registrable domain, the customer's domain of PEC su dominio.

    Accepts Unicode or A-labels, any case, an optional trailing dot and
    surrounding white space. Unicode is mapped as UTS 46 says (non-transitional,
    STD3 rules: ``faß.it`` stays ``faß.it``, full-width letters become ASCII)
    and every label, A-labels included, must be valid under IDNA 2008.
    Everything else that is not a registrable domain under the ICANN section
    of the Public Suffix List is refused with :class:`InvalidDomainError`,
    whose message names what would be valid; an IP address, a URL or an
    e-mail address is called what it is.

    Args:
        name: the domain as typed.
        private: also honour the private section of the Public Suffix List, for
            a name such as ``myblog.blogspot.com`` that its parent hands out.
            It does not take part in comparisons: a domain is its name.

    Attributes:
        name: the lower-case A-label form without trailing dot.
        private: whether the private section of the list was honoured.

    >>> d = Domain(" Comune.Latina.IT. ")
    >>> d.name, d.pec_name
    ('comune.latina.it', 'pec.comune.latina.it')
    >>> Domain("Città.it").name, Domain("faß.it").name
    ('xn--citt-3na.it', 'xn--fa-hia.it')
    >>> Domain("myblog.blogspot.com", private=True).name
    'myblog.blogspot.com'
    """

    name: str
    private: bool = field(default=False, eq=False, repr=False)

    def __init__(self, name: str, *, private: bool = False) -> None:
        self.__attrs_init__(_normalise(name, private=private), bool(private))

    @classmethod
    def read_back(cls, name: str) -> Domain:
        """A domain pecdns wrote out before (a report, a portfolio), read back.

        ``private`` is not written (a domain is its name), so a name that is
        registrable only under the Public Suffix List's private section, such
        as ``myblog.blogspot.com`` checked with ``private=True``, is read back
        with it rather than refused.

        Raises:
            InvalidDomainError: the name is not registrable under either section.

        >>> Domain.read_back("myblog.blogspot.com").private
        True
        >>> Domain.read_back("example.it").private
        False
        """
        try:
            return cls(name)
        except InvalidDomainError as exc:
            if exc.reason != "subdomain_private":
                raise
        return cls(name, private=True)

    @property
    def unicode(self) -> str:
        """The name in Unicode (U-labels), as people write it.

        >>> Domain("xn--citt-3na.it").unicode
        'città.it'
        """
        return _unicode(self.name)

    @property
    def pec_name(self) -> str:
        """The PEC mail domain under the default policy: ``pec.<name>`` (P5).

        Use :meth:`pecdns.Policy.pec_name` for a policy with another label.
        """
        return f"pec.{self.name}"

    def __str__(self) -> str:
        return self.name
