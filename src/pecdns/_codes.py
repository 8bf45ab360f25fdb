"""The catalogue of finding codes: severity, clause, message and fix of each.

One entry per code, so the rules, the policy's re-grading, the remedy and the
documentation all read the same table. Messages are templates filled with
canonical (already escaped) DNS names.
"""

from __future__ import annotations

from attrs import frozen

from pecdns._models import Severity

__all__ = ["CATALOGUE", "UNDETERMINING", "CodeInfo"]


@frozen
class CodeInfo:
    """What one finding code means."""

    code: str
    severity: Severity
    clause: str | None
    message: str
    fix: str | None = None


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
_ADD_MX = "Publish exactly this MX record for {pec}: {mx_line}"

CATALOGUE: dict[str, CodeInfo] = {
    c.code: c
    for c in (
        # P6.1: the PEC name must be reachable.
        CodeInfo(
            "PEC_NAME_NXDOMAIN",
            _E,
            "P6.1",
            "{pec} does not exist (NXDOMAIN), so the daily check cannot reach it"
            " and finds no MX record.",
            "Create {pec} in the zone of {domain} with this MX record: {mx_line}",
        ),
        CodeInfo(
            "PEC_NAME_UNREACHABLE",
            _E,
            "P6.1",
            "The name servers gave no usable answer for the MX of {pec} ({outcome}{detail}),"
            " so the daily check finds the domain unreachable.",
            "Make every authoritative name server of {zone} answer for {pec}.",
        ),
        CodeInfo(
            "CHECK_INCOMPLETE",
            _W,
            None,
            "The checker's own resolver could not resolve the provider's MX host {host}"
            " ({outcome}{detail}), so the result is undetermined.",
            "Check the resolver pecdns was given, then run the check again.",
        ),
        # P6.2: exactly the policy's MX.
        CodeInfo(
            "MX_OK",
            _I,
            "P6.2",
            "{pec} has exactly the required MX record ({mx}).",
        ),
        CodeInfo("MX_MISSING", _E, "P6.2", "{pec} exists but has no MX record.", _ADD_MX),
        CodeInfo(
            "MX_NULL",
            _E,
            "P6.2",
            "{pec} has a null MX record (RFC 7505, '0 .'), which declares that it takes no mail.",
            "Replace the null MX with: {mx_line}",
        ),
        CodeInfo(
            "MX_WRONG_HOST",
            _E,
            "P6.2",
            "{pec} has MX {found}, and none of it points to the provider's host {host}.",
            _ADD_MX,
        ),
        CodeInfo(
            "MX_EXTRA_HOST",
            _E,
            "P6.2",
            "{pec} has MX records to {found} besides {host}; the MX must point to {host} only.",
            "Delete the MX records of {pec} to {found}.",
        ),
        CodeInfo(
            "MX_WRONG_PREFERENCE",
            _W,
            "P6.2",
            "{pec} has MX {found}; the provider asks for preference {preference}.",
            _ADD_MX,
        ),
        CodeInfo(
            "MX_TRAILING_DOT",
            _E,
            "P6.2",
            "{pec} has MX {found}: the zone file lacks the trailing dot after {host_text},"
            " so the zone's origin was appended to it.",
            "Write the MX target with its trailing dot, '{host}.', as in: {mx_line}",
        ),
        CodeInfo(
            "PEC_NAME_ALIAS",
            _W,
            None,
            "{pec} is an alias (CNAME) of {target}, so its MX is the MX of {target};"
            " an MX record belongs on {pec} itself.",
            "Replace the CNAME of {pec} with this MX record: {mx_line}",
        ),
        # P5: third level only.
        CodeInfo(
            "MX_AT_REGISTRABLE",
            _E,
            "P5",
            "{domain} itself has MX {found} to the provider's PEC host;"
            " the PEC MX belongs at the third level {pec} only.",
            "Delete the MX record of {domain} to {host}.",
        ),
        CodeInfo(
            "DOMAIN_MX_UNKNOWN",
            _I,
            "P5",
            "The MX records of {domain} could not be read ({outcome}{detail});"
            " P5 and P9 were not checked there.",
        ),
        # P9 and P10: no hybrid mail servers.
        CodeInfo(
            "MX_HYBRID",
            _E,
            "P9",
            "{pec} mixes the provider's mail server {provider} with other mail servers"
            " {others}{p10}.",
            "Keep only the MX record to {host} on {pec}.",
        ),
        CodeInfo(
            "DOMAIN_MX_HYBRID",
            _E,
            "P9",
            "{domain} mixes the provider's mail servers {provider} with other mail servers"
            " {others}{p10}.",
            "Point every MX record of {domain} either to the provider's mail servers only"
            " or to other mail servers only.",
        ),
        # RFC 1912 on MX targets, required by the PEC technical rules (DM 2 Nov 2005, 8.3).
        CodeInfo(
            "MX_TARGET_CNAME",
            _E,
            None,
            "The MX target {host} is an alias (CNAME) of {target}; an MX must name a host directly"
            " (RFC 1912, 2.4).",
            "Point the MX record to a host name with its own address records.",
        ),
        CodeInfo(
            "MX_TARGET_IP_LITERAL",
            _E,
            None,
            "The MX target {host} is an IP address written as a name; an MX must name a host"
            " (RFC 1912, 2.4).",
            _ADD_MX,
        ),
        CodeInfo(
            "MX_TARGET_NO_ADDRESS",
            _E,
            None,
            "The MX target {host} has no A or AAAA record ({outcome}).",
            "Point the MX record to a host name that has address records.",
        ),
        CodeInfo(
            "MX_TARGET_UNKNOWN",
            _I,
            None,
            "The addresses of the MX target {host} could not be read ({outcome}{detail}).",
        ),
        # P4: who runs the DNS.
        CodeInfo(
            "SETUP_PROVIDER",
            _I,
            "P4.1",
            "{domain} uses the provider's name servers ({servers}); the provider creates"
            " the MX of {pec} at activation.",
        ),
        CodeInfo(
            "SETUP_DELEGATED",
            _I,
            "P4.2",
            "{pec} is delegated to the provider's name servers ({servers}).",
        ),
        CodeInfo(
            "SETUP_EXTERNAL",
            _I,
            "P4.2",
            "{zone} is served by external name servers ({servers}); their operator must publish"
            " the MX of {pec}, and that set-up is the customer's responsibility (P4.3).",
        ),
        CodeInfo(
            "SETUP_UNKNOWN",
            _I,
            "P4",
            "The name servers of {domain} could not be read ({outcome}), so the set-up"
            " (provider's or external name servers) is unknown.",
        ),
    )
}

UNDETERMINING = frozenset({"CHECK_INCOMPLETE"})
"""Codes that make a verdict UNDETERMINED: the checker, not the domain, failed."""
