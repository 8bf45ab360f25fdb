"""Drive the DNSSEC walk (:func:`pecdns._dnssec.plan`) against real servers, within a deadline.

Each question goes to the authoritative servers of the zone it names, when
``servers`` lists them, else to the ``recursive`` resolvers (asked with CD
set, so a validating resolver hands over bogus data rather than SERVFAIL).
UDP first, TCP when the answer is truncated (``dns.query.udp_with_fallback``).
A question no server answers in time is sent back as ``None``: the state is
then UNKNOWN, never BOGUS.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import dns.exception
import dns.message
import dns.name
import dns.query

from pecdns._dnssec import ROOT_ANCHOR, DnssecState, Question, TrustAnchor, drive, plan

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

__all__ = ["validate"]


def validate(
    name: str,
    *,
    at: datetime,
    anchor: TrustAnchor = ROOT_ANCHOR,
    servers: Mapping[str, Sequence[str]] | None = None,
    recursive: Sequence[str] = (),
    port: int = 53,
    timeout: float = 2.0,
    budget: float = 10.0,
) -> DnssecState:
    """The DNSSEC state of the MX answer of ``name``, asked of real servers.

    Args:
        name: the PEC name, e.g. ``"pec.example.it"``.
        at: the moment signatures must be valid at (timezone-aware).
        anchor: the top of the chain (the root's published keys by default).
        servers: addresses of the authoritative servers of each zone
            (``{"it.": ["192.0.2.1"]}``); zones not listed go to ``recursive``.
        recursive: addresses of recursive resolvers, for zones not in ``servers``.
        port: the port every server listens on.
        timeout: seconds to wait for one server's answer.
        budget: seconds for the whole walk; questions past it get no answer.

    Returns:
        The :class:`~pecdns._dnssec.DnssecState`.

    Example:
        >>> from datetime import datetime, timezone
        >>> validate("pec.example.it", at=datetime.now(timezone.utc)).reason
        'no usable answer (DNSKEY .): no server of . answered'
    """
    table = {dns.name.from_text(z).to_text(): list(a) for z, a in (servers or {}).items()}
    deadline = time.monotonic() + budget

    def ask(questions: list[Question]) -> list[dns.message.Message | None]:
        return [
            _ask(q, table.get(q.zone, list(recursive)), port, timeout, deadline) for q in questions
        ]

    return drive(plan(name, at=at, anchor=anchor), ask)


def _ask(
    question: Question, addresses: Sequence[str], port: int, timeout: float, deadline: float
) -> dns.message.Message | None:
    """The first answer any of ``addresses`` gives to ``question`` before ``deadline``."""
    for address in addresses:
        left = min(timeout, deadline - time.monotonic())
        if left <= 0:
            return None
        try:
            response, _ = dns.query.udp_with_fallback(
                question.message(), address, timeout=left, port=port
            )
        except (dns.exception.DNSException, OSError, ValueError):
            continue
        return response
    return None
