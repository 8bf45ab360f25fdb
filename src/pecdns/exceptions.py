"""The exceptions pecdns raises: one base class, a few precise subclasses."""

from __future__ import annotations

__all__ = ["InvalidDomainError", "InvalidRecordError", "PecdnsError"]


class PecdnsError(Exception):
    """Base class of every exception pecdns raises on purpose.

    Catch this to handle any pecdns failure; a bare :class:`Exception` escaping
    pecdns is a bug.
    """


class InvalidDomainError(PecdnsError, ValueError):
    """A name that is not a valid registrable domain.

    The message says what was wrong and what would be valid, e.g.
    ``'www.example.it' is a subdomain; its registrable domain is 'example.it'``.
    """


class InvalidRecordError(PecdnsError, ValueError):
    """A DNS name or record in presentation format that cannot be parsed.

    Raised when building records for a fake or a zone, never for data read
    from DNS during a check (that becomes a finding instead).
    """
