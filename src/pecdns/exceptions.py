"""The exceptions pecdns raises: one base class, a few precise subclasses."""

from __future__ import annotations

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
