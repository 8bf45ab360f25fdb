r"""DNS names as canonical text: one spelling per name, safe to print anywhere.

Every name pecdns keeps is in *canonical form*: absolute (trailing dot),
ASCII letters in lower case, and every octet outside ``[a-z0-9_*-]`` written
as a ``\DDD`` escape. So an unescaped dot always separates labels, equal
names have equal text, and a name read from DNS can hold no control
character, quote or angle bracket once canonical.
"""

from __future__ import annotations

import functools
import ipaddress
import re

from pecdns.exceptions import InvalidRecordError

__all__ = ["canonical_name", "is_at_or_below", "labels", "looks_like_ip", "unescape"]

_PLAIN = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789-_*")
_MAX_LABEL = 63
_MAX_WIRE = 255
# Names of plain labels only: nearly every name DNS sends. Their canonical form
# is the name in lower case with a trailing dot; the full parser handles the rest.
_PLAIN_NAME = re.compile(r"(?:[A-Za-z0-9_*-]{1,63}\.)*[A-Za-z0-9_*-]{1,63}\.?\Z")


def _label_text(label: bytes) -> str:
    return "".join(chr(o) if o in _PLAIN else f"\\{o:03d}" for o in label)


def _split(text: str) -> list[bytes]:
    """Split presentation-format text into raw labels, decoding escapes."""
    out: list[bytes] = []
    current = bytearray()
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == ".":
            if not current:
                raise InvalidRecordError(f"{text!r} has an empty label")
            out.append(bytes(current))
            current.clear()
            i += 1
            continue
        escaped = ch == "\\"
        if escaped:
            digits = text[i + 1 : i + 4]
            if len(digits) == 3 and digits.isascii() and digits.isdigit():
                if int(digits) > 255:
                    raise InvalidRecordError(f"escape \\{digits} in {text!r} is over 255")
                current.append(int(digits))
                i += 4
                continue
            if i + 1 >= n:
                raise InvalidRecordError(f"{text!r} ends with a lone backslash")
            i += 1
            ch = text[i]
        if not (" " <= ch < "\x7f") or (ch == " " and not escaped):
            raise InvalidRecordError(
                f"{text!r} has the character {ch!r}; write it as a \\DDD escape"
            )
        current.append(ord(ch))
        i += 1
    if current:
        out.append(bytes(current))
    return out


def canonical_name(text: str) -> str:
    r"""Return the canonical absolute form of a DNS name in presentation format.

    A name without a trailing dot is taken as absolute; ``"."`` is the root.
    ``"@"`` (a zone file's origin) has no meaning outside a zone file.

    Raises:
        InvalidRecordError: the text is empty, has an empty label, a bad escape,
            a raw control or non-ASCII character, or breaks a length limit.

    >>> canonical_name("MX.Pec.Aruba.IT")
    'mx.pec.aruba.it.'
    >>> canonical_name("bad\\010name.example.")
    'bad\\010name.example.'
    """
    if not isinstance(text, str):
        raise InvalidRecordError(f"a DNS name must be a str, not {type(text).__name__}")
    return _canonical(text)


@functools.lru_cache(maxsize=1 << 16)
def _canonical(text: str) -> str:
    """canonical_name, memoised: names recur in every check and across a batch."""
    stripped = text.strip()
    if len(stripped) <= 253 and _PLAIN_NAME.match(stripped):
        lowered = stripped.lower()
        return lowered if lowered.endswith(".") else lowered + "."
    if stripped == ".":
        return "."
    if stripped in {"", "@"}:
        raise InvalidRecordError(f"{text!r} is not a DNS name")
    raw = _split(stripped)
    wire = 1
    for label in raw:
        if len(label) > _MAX_LABEL:
            raise InvalidRecordError(f"{text!r} has a label of {len(label)} octets (at most 63)")
        wire += len(label) + 1
    if wire > _MAX_WIRE:
        raise InvalidRecordError(f"{text!r} is {wire} octets long in DNS (at most 255)")
    return "".join(_label_text(label.lower()) + "." for label in raw)


def labels(name: str) -> tuple[str, ...]:
    """Return the labels of a canonical name, leftmost first.

    >>> labels("pec.example.it.")
    ('pec', 'example', 'it')
    >>> labels(".")
    ()
    """
    return tuple(name[:-1].split(".")) if name != "." else ()


def is_at_or_below(name: str, parent: str) -> bool:
    """Whether canonical ``name`` equals ``parent`` or lies below it, label by label.

    >>> is_at_or_below("mx.pec.aruba.it.", "aruba.it.")
    True
    >>> is_at_or_below("mx.pec.aruba.it.evil.example.", "aruba.it.")
    False
    """
    return parent in {name, "."} or name.endswith("." + parent)


def unescape(name: str) -> str:
    """Return a canonical name with escapes decoded, without the trailing dot.

    For recognising text that was never meant as a name (an IP literal, say);
    never for display, since the result may hold any character.
    """
    return ".".join(label.decode("latin-1") for label in _split(name))


def looks_like_ip(name: str) -> bool:
    """Whether a canonical name is an IP address written where a host name belongs.

    >>> looks_like_ip("192.0.2.1.")
    True
    >>> looks_like_ip("mx.pec.aruba.it.")
    False
    """
    if "\\" not in name and not name[:-1].rsplit(".", 1)[-1].isdigit():
        return False  # a host name: its last label is not numeric and nothing is escaped
    text = unescape(name).strip("[]")
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
