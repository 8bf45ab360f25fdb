"""The data pecdns passes around: DNS answers, observations, findings, reports.

All of it is immutable and typed in pecdns's own terms, never in dnspython
objects, so a resolver, a rule and a test can agree on it without I/O.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
from typing import TYPE_CHECKING, Any

import attrs
from attrs import converters, field, frozen

from pecdns._names import canonical_name, is_at_or_below
from pecdns._reduce import by_name, fast_pickle, restorer
from pecdns.exceptions import InvalidRecordError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from pecdns._dnssec import DnssecState
    from pecdns._domain import Domain

SCHEMA = "pecdns.report.v1"
"""The name and version of the JSON form of a report (``Report.to_dict``)."""

__all__ = [
    "SCHEMA",
    "Answer",
    "Finding",
    "HostLookup",
    "MXRecord",
    "Observation",
    "Outcome",
    "Query",
    "RRType",
    "Report",
    "ServerProbe",
    "Severity",
    "Verdict",
]


@by_name
class RRType(str, enum.Enum):
    """The record types a check asks for."""

    A = "A"
    AAAA = "AAAA"
    CNAME = "CNAME"
    MX = "MX"
    NS = "NS"

    def __str__(self) -> str:
        return self.value


@by_name
class Outcome(str, enum.Enum):
    """How a DNS question ended, as a resolver saw it.

    ``ANSWER`` and ``NODATA`` share the NOERROR response code; they are told
    apart because "the name exists but has no such record" is a finding of its
    own. ``REFERRAL`` is what a server asked directly says when the name lies
    in a zone it delegates. Every failure is its own outcome, so that an
    unreachable server never reads as a missing record. ``NOT_LOADED`` is an
    offline resolver's "I hold no zone for this name": the DNS was not seen,
    so it says nothing about the domain.
    """

    ANSWER = "ANSWER"
    NODATA = "NODATA"
    NXDOMAIN = "NXDOMAIN"
    REFERRAL = "REFERRAL"
    SERVFAIL = "SERVFAIL"
    REFUSED = "REFUSED"
    TIMEOUT = "TIMEOUT"
    ERROR = "ERROR"
    NOT_LOADED = "NOT_LOADED"

    @property
    def is_failure(self) -> bool:
        """Whether no trustworthy answer came back (the name's existence is unknown)."""
        return self in _FAILURES

    def __str__(self) -> str:
        return self.value


BUDGET_SPENT = "not asked: the check's time budget was spent"
"""The detail of an answer to a question gathering never asked, its time being up."""

_FAILURES = frozenset(
    {Outcome.SERVFAIL, Outcome.REFUSED, Outcome.TIMEOUT, Outcome.ERROR, Outcome.NOT_LOADED}
)


@by_name
class Severity(enum.IntEnum):
    """How much a finding matters. Only ERROR makes a domain non-compliant."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name


@by_name
class Verdict(str, enum.Enum):
    """Whether the provider's daily check would pass.

    ``UNDETERMINED`` means the checker itself could not find out (its own
    resolver failed); it says nothing against the domain.
    """

    COMPLIANT = "COMPLIANT"
    NON_COMPLIANT = "NON_COMPLIANT"
    UNDETERMINED = "UNDETERMINED"

    def __str__(self) -> str:
        return self.value


def _rrtype(value: RRType | str) -> RRType:
    if isinstance(value, RRType):
        return value
    try:
        return RRType(value.upper() if isinstance(value, str) else value)
    except ValueError:
        known = ", ".join(t.value for t in RRType)
        raise InvalidRecordError(f"unsupported record type {value!r}; use one of {known}") from None


def _address(value: str | None) -> str | None:
    return None if value is None else _canonical_address(value)


@functools.lru_cache(maxsize=1 << 12)
def _canonical_address(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip() if isinstance(value, str) else value))
    except ValueError:
        raise InvalidRecordError(f"a server is an IP address, not {value!r}") from None


def _glue(values: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    if not values:
        return ()
    return tuple(
        dict.fromkeys(
            (canonical_name(name), str(ipaddress.ip_address(addr))) for name, addr in values
        )
    )


@fast_pickle
@frozen(cache_hash=True)  # a key of every cache and in-flight table of a batch
class Query:
    """One DNS question: a canonical absolute name, a record type, and maybe a server.

    With no ``server``, the resolver answers as a recursive resolver would.
    With a ``server`` (an IP address), the question goes to that server alone,
    without recursion, as a registry's checker asks each authoritative server.

    >>> Query("PEC.Example.IT", "mx")
    Query(name='pec.example.it.', rdtype=<RRType.MX: 'MX'>, server=None)
    >>> str(Query("pec.example.it", "MX", server="192.0.2.53"))
    'pec.example.it. MX @192.0.2.53'
    """

    name: str = field(converter=canonical_name)
    rdtype: RRType = field(converter=_rrtype)
    server: str | None = field(default=None, converter=_address)

    def __str__(self) -> str:
        at = f" @{self.server}" if self.server else ""
        return f"{self.name} {self.rdtype}{at}"

    def to_dict(self) -> dict[str, Any]:
        """The question as JSON-ready data."""
        return {"name": self.name, "type": self.rdtype.value, "server": self.server}


def _preference(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise InvalidRecordError(f"an MX preference is an integer from 0 to 65535, not {value!r}")
    return value


def _exchange(value: str) -> str:
    return "." if isinstance(value, str) and value.strip() == "." else canonical_name(value)


@fast_pickle
@frozen(order=True)
class MXRecord:
    """An MX record's data: a preference and an absolute, lower-case host name.

    The exchange ``"."`` is the null MX of RFC 7505 ("this name takes no mail").

    >>> MXRecord(10, "MX.PEC.ARUBA.IT")
    MXRecord(preference=10, exchange='mx.pec.aruba.it.')
    >>> MXRecord.from_text("10 mx.pec.aruba.it.").is_null
    False
    """

    preference: int = field(converter=_preference)
    exchange: str = field(converter=_exchange)

    @classmethod
    def from_text(cls, text: str) -> MXRecord:
        """Parse MX data in zone-file form, ``"<preference> <exchange>"``.

        Raises:
            InvalidRecordError: the text is not two fields of that form.
        """
        parts = text.split() if isinstance(text, str) else []
        if len(parts) != 2 or not parts[0].isdigit():
            raise InvalidRecordError(
                "MX data must be '<preference> <exchange>',"
                f" e.g. '10 mx.pec.aruba.it.', not {text!r}"
            )
        return cls(int(parts[0]), parts[1])

    @property
    def is_null(self) -> bool:
        """Whether this is a null MX (RFC 7505): exchange ``"."``."""
        return self.exchange == "."

    def __str__(self) -> str:
        return f"{self.preference} {self.exchange}"


def canonical_rdata(rdtype: RRType, text: str) -> str:
    """Return record data in the canonical text pecdns keeps.

    Raises:
        InvalidRecordError: the data is not valid for the type.

    >>> canonical_rdata(RRType.AAAA, "2001:DB8:0::1")
    '2001:db8::1'
    """
    if not isinstance(text, str):
        raise InvalidRecordError(f"record data is text, not {type(text).__name__}: {text!r}")
    return _canonical_rdata(rdtype, text)


@functools.lru_cache(maxsize=1 << 14)
def _canonical_rdata(rdtype: RRType, text: str) -> str:
    """canonical_rdata, memoised: the same data recurs across a batch (the provider's host)."""
    if rdtype is RRType.MX:
        return str(MXRecord.from_text(text))
    if rdtype in {RRType.A, RRType.AAAA}:
        try:
            address = ipaddress.ip_address(text.strip())
        except ValueError:
            raise InvalidRecordError(f"{text!r} is not an IP address") from None
        if (address.version == 4) != (rdtype is RRType.A):
            raise InvalidRecordError(f"{text!r} is not an address of type {rdtype}")
        return str(address)
    return canonical_name(text)


def _dnames(values: Iterable[Sequence[str]]) -> tuple[tuple[str, str], ...]:
    if not values:  # nearly always: no DNAME on the way
        return ()
    if isinstance(values, str):
        raise InvalidRecordError(f"DNAMEs are (owner, target) pairs, not the single str {values!r}")
    pairs = []
    for pair in values:
        if isinstance(pair, str) or len(pair) != 2:
            raise InvalidRecordError(f"a DNAME is an (owner, target) pair, not {pair!r}")
        pairs.append((canonical_name(pair[0]), canonical_name(pair[1])))
    return tuple(dict.fromkeys(pairs))


def _records(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise InvalidRecordError(f"records are a sequence of str, not the single str {values!r}")
    return tuple(values)


def _names(values: Iterable[str]) -> tuple[str, ...]:
    if values == ():  # nearly always: no alias, no referral
        return ()
    return tuple(canonical_name(v) for v in _records(values))


def _outcome(value: Outcome | str) -> Outcome:
    return value if type(value) is Outcome else Outcome(value)


def _mx_record(text: object) -> tuple[MXRecord, str]:
    """An MX record's text parsed, and its canonical text; memoised: the provider's MX recurs.

    Equal records share one canonical text while it is cached, so that the
    answers of a batch (and their pickles, and what they take in memory)
    hold one string for ``10 mx.pec.aruba.it.``, not one each.
    """
    if isinstance(text, str):
        return _cached_mx(text)
    return MXRecord.from_text(text), ""  # type: ignore[arg-type]  # raises: says what is wrong


@functools.lru_cache(maxsize=1 << 12)
def _cached_mx(text: str) -> tuple[MXRecord, str]:
    record = MXRecord.from_text(text)
    return record, _mx_text(record)


@functools.lru_cache(maxsize=1 << 12)
def _mx_text(record: MXRecord) -> str:
    return str(record)


def safe_text(text: str) -> str:
    r"""Return text with every non-printable character escaped, for any rendering.

    >>> safe_text("timeout\nfrom 192.0.2.1")
    'timeout\\nfrom 192.0.2.1'
    """
    text = str(text)
    if text.isprintable():  # nearly always: nothing to escape
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _canonical_records(
    rdtype: RRType, given: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[MXRecord, ...]]:
    """An answer's records as canonical text in canonical order, and its MX records parsed."""
    if rdtype is RRType.MX:
        if len(given) == 1:
            record, text = _mx_record(given[0])
            return (text,), (record,)
        texts = dict(_mx_record(r) for r in given)  # an RRset: equal records are one
        parsed = tuple(sorted(texts))
        return tuple(texts[r] for r in parsed), parsed
    if len(given) > 1:
        return tuple(sorted({canonical_rdata(rdtype, r) for r in given})), ()
    return tuple(canonical_rdata(rdtype, r) for r in given), ()


@fast_pickle
@frozen
class Answer:
    """What a resolver found for one :class:`Query`: the evidence of findings.

    Attributes:
        query: the question asked.
        outcome: how it ended.
        records: the answer's data for the asked type, in canonical text
            (``"10 mx.pec.aruba.it."``, ``"192.0.2.1"``, ``"ns1.example.it."``)
            and canonical order (MX by preference, the rest by text), since an
            RRset has no order of its own.
        aliases: the CNAME chain followed, from the query name on (empty
            when the name is no alias).
        server: the server that answered, where known (``"192.0.2.53#53"``).
        authoritative: the AA flag of that answer, where known.
        detail: a short text on a failure (the exception, the rcode).
        zone: on a ``REFERRAL``, the zone delegated (the cut at or above the name).
        referral: on a ``REFERRAL``, the name servers the zone is delegated to.
        glue: on a ``REFERRAL``, the addresses the referral gave for them,
            as ``(name, address)`` pairs.
        ttl: how long the answer may be cached, in seconds, where known.
        edns_fallback: why the server had to be asked again without EDNS
            (``"FORMERR without an OPT record: ..."``, RFC 6891 §7), as a
            recursive resolver would; empty when the first query was answered.
        dnames: the DNAME records (RFC 6672) whose synthesised CNAMEs the
            answer holds (in ``aliases``, or as the record of a CNAME
            question), as ``(owner, target)`` pairs in the order met, each
            once; empty when no DNAME was on the way.
    """

    query: Query
    outcome: Outcome = field(converter=_outcome)
    records: tuple[str, ...] = field(default=(), converter=_records)
    aliases: tuple[str, ...] = field(default=(), converter=_names)
    server: str | None = None
    authoritative: bool | None = None
    detail: str = field(default="", converter=safe_text)
    zone: str | None = field(default=None, converter=converters.optional(canonical_name))
    referral: tuple[str, ...] = field(default=(), converter=_names)
    glue: tuple[tuple[str, str], ...] = field(default=(), converter=_glue)
    ttl: int | None = field(default=None, eq=False)
    edns_fallback: str = field(default="", converter=safe_text)
    dnames: tuple[tuple[str, str], ...] = field(default=(), converter=_dnames)
    _mx: tuple[MXRecord, ...] = field(default=(), init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # Canonical text in canonical order, whoever built the answer: an RRset is a set.
        records, mx = _canonical_records(self.query.rdtype, self.records)
        object.__setattr__(self, "records", records)
        object.__setattr__(self, "_mx", mx)
        if (self.outcome is Outcome.ANSWER) != bool(self.records):
            raise InvalidRecordError(
                f"an {self.outcome} answer to {self.query} cannot hold {len(self.records)} records;"
                " ANSWER holds at least one and every other outcome none"
            )
        if (self.outcome is Outcome.REFERRAL) != bool(self.referral):
            raise InvalidRecordError(
                f"an {self.outcome} answer to {self.query} cannot list {len(self.referral)} name"
                " servers; REFERRAL lists at least one and every other outcome none"
            )

    def to_dict(self) -> dict[str, Any]:
        """The answer as JSON-ready data; :meth:`from_dict` reads it back."""
        return {
            "query": self.query.to_dict(),
            "outcome": self.outcome.value,
            "records": list(self.records),
            "aliases": list(self.aliases),
            "server": self.server,
            "authoritative": self.authoritative,
            "detail": self.detail,
            "zone": self.zone,
            "referral": list(self.referral),
            "glue": [list(pair) for pair in self.glue],
            "ttl": self.ttl,
            "edns_fallback": self.edns_fallback,
            "dnames": [list(pair) for pair in self.dnames],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """Read back what :meth:`to_dict` wrote.

        Raises:
            InvalidRecordError: the data is not an answer pecdns could have written.
        """
        try:
            query = data["query"]
            return cls(
                Query(query["name"], query["type"], server=query.get("server")),
                data["outcome"],
                data.get("records", ()),
                aliases=data.get("aliases", ()),
                server=data.get("server"),
                authoritative=data.get("authoritative"),
                detail=data.get("detail", ""),
                zone=data.get("zone"),
                referral=data.get("referral", ()),
                glue=[tuple(pair) for pair in data.get("glue", ())],
                ttl=data.get("ttl"),
                edns_fallback=data.get("edns_fallback", ""),
                dnames=[tuple(pair) for pair in data.get("dnames", ())],
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, InvalidRecordError):
                raise
            raise InvalidRecordError(f"not a recorded answer ({exc!r}): {data!r:.200}") from None

    @property
    def mx(self) -> tuple[MXRecord, ...]:
        """The records of an MX answer, parsed and sorted by preference."""
        return self._mx

    @property
    def target(self) -> str:
        """The name the answer is really for: the end of the CNAME chain."""
        return self.aliases[-1] if self.aliases else self.query.name

    @property
    def redirected_by(self) -> tuple[str, str] | None:
        """The DNAME ``(owner, target)`` that made the question's name itself an alias, if any.

        A DNAME redirects the names below its owner (RFC 6672), so the one
        above the question's name made its first alias; ``None`` when that
        alias is a CNAME of the name's own (or the name is no alias).

        >>> moved = Answer(
        ...     Query("pec.old.it", "MX"),
        ...     "NODATA",
        ...     aliases=["pec.new.it"],
        ...     dnames=[("old.it", "new.it")],
        ... )
        >>> moved.redirected_by
        ('old.it.', 'new.it.')
        """
        name = self.query.name
        return next(
            (
                (owner, target)
                for owner, target in self.dnames
                if owner != name and is_at_or_below(name, owner)
            ),
            None,
        )

    def __str__(self) -> str:
        via = "".join(f" -> {alias}" for alias in self.aliases)
        if self.records:
            data = ", ".join(self.records)
        elif self.referral:
            data = f"REFERRAL to {', '.join(self.referral)}"
        else:
            data = str(self.outcome)
        return f"{self.query}{via}: {data}"


_ANSWER_FIELDS = (
    "query",
    "outcome",
    "records",
    "aliases",
    "server",
    "authoritative",
    "detail",
    "zone",
    "referral",
    "glue",
    "ttl",
    "edns_fallback",
    "dnames",
    "_mx",
)
if tuple(f.name for f in attrs.fields(Answer)) != _ANSWER_FIELDS:  # pragma: no cover - a guard
    raise TypeError("codec_answer() sets Answer's fields by position: update _ANSWER_FIELDS")
_answer_of_values = restorer(Answer)


def codec_answer(  # noqa: PLR0913 -- Answer's fields, as its __init__ takes them
    query: Query,
    outcome: Outcome,
    records: tuple[str, ...] = (),
    *,
    aliases: tuple[str, ...] = (),
    server: str | None = None,
    authoritative: bool | None = None,
    detail: str = "",
    zone: str | None = None,
    referral: tuple[str, ...] = (),
    glue: tuple[tuple[str, str], ...] = (),
    ttl: int | None = None,
) -> Answer:
    """An Answer made of a codec's values, which are canonical already; no converter runs.

    For the lean codec, which reads every answer of a batch: the names it
    gives are canonical (lower case, absolute, of plain labels), the
    ``outcome`` an :class:`Outcome`, ``detail`` printable, and ANSWER holds
    records and REFERRAL name servers, as ``Answer`` requires. The records
    and the glue's addresses still take their canonical text here (an
    address's text from ``inet_ntop`` is not always Python's). Half the
    price of ``Answer(...)`` (converters, checks), six times a domain; the
    differential tests hold it to dnspython's answers built by ``Answer``.
    Only for such values: it neither canonicalises names nor drops
    repeated glue, as ``Answer`` does.
    """
    canonical, mx = _canonical_records(query.rdtype, records)
    if glue:
        glue = tuple((name, _address_text(address)) for name, address in glue)
    values = (query, outcome, canonical, aliases, server, authoritative, detail, zone, referral)
    return _answer_of_values((*values, glue, ttl, "", (), mx))


@functools.lru_cache(maxsize=1 << 12)
def _address_text(text: str) -> str:
    return str(ipaddress.ip_address(text))


@fast_pickle
@frozen
class HostLookup:
    """The address look-ups of one mail host: A, and AAAA when A gave none."""

    host: str
    a: Answer
    aaaa: Answer | None = None

    @property
    def answers(self) -> tuple[Answer, ...]:
        """The answers this look-up is based on."""
        return (self.a,) if self.aaaa is None else (self.a, self.aaaa)

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every address found."""
        return tuple(r for answer in self.answers for r in answer.records)


@fast_pickle
@frozen
class ServerProbe:
    """One authoritative name server, asked directly for the PEC name's MX.

    Attributes:
        name: the name server's host name, canonical.
        address: the address asked, or ``None`` when no address was found.
        mx: its answer (``mx.query.server`` is ``address``), or ``None``
            when it could not be asked.
    """

    name: str
    address: str | None = None
    mx: Answer | None = None

    @property
    def label(self) -> str:
        """How messages name the server: ``ns1.example.net (192.0.2.53)``."""
        host = self.name[:-1]
        return f"{host} ({self.address})" if self.address else host


@fast_pickle
@frozen
class Observation:
    """Everything the DNS said about one domain: plain data, judged later by rules.

    Attributes:
        domain: the registrable domain.
        pec_name: the PEC mail domain, canonical (``"pec.example.it."``).
        pec_mx: the MX answer for the PEC name (P6).
        domain_mx: the MX answer for the registrable domain (P5, P9).
        domain_ns: the NS answer for the registrable domain (P4).
        pec_ns: the NS answer for the PEC name: records when it is delegated (P4.2).
        hosts: address look-ups of the policy's MX host (which doubles as a
            check of the checker's own resolver) and of every MX host of the
            PEC name and of the registrable domain (P9 follows their aliases).
        ns_hosts: address look-ups of the name servers probed.
        parent_probes: the registrable domain's servers, each asked for the
            PEC name's MX directly (P6.1); a referral there means the PEC
            name is a zone of its own.
        child_probes: the PEC zone's servers named by that referral, each
            asked the same (empty when the PEC name is not delegated).
        child_ns: the PEC zone's own NS set, asked of one of its servers.
        dnssec: the DNSSEC state of the PEC name's MX answer (P6.1), with the
            moment its signatures were checked against; ``None`` when the
            resolver carries no DNSSEC data (zone files, fakes), so nothing
            was asked.
        queries: the DNS messages the check sent (for a resolver that sends
            none, such as a fake, the questions it was asked); a measure of
            cost, not of the domain, so left out of comparisons.
    """

    domain: Domain
    pec_name: str
    pec_mx: Answer
    domain_mx: Answer
    domain_ns: Answer
    pec_ns: Answer
    hosts: tuple[HostLookup, ...] = ()
    ns_hosts: tuple[HostLookup, ...] = ()
    parent_probes: tuple[ServerProbe, ...] = ()
    child_probes: tuple[ServerProbe, ...] = ()
    child_ns: Answer | None = None
    dnssec: DnssecState | None = None
    queries: int = field(default=0, eq=False)

    def host(self, name: str) -> HostLookup | None:
        """The address look-up of one host, or ``None`` if none was made."""
        return next((h for h in self.hosts if h.host == name), None)

    @property
    def delegated(self) -> bool:
        """Whether a server of the registrable domain referred the PEC name elsewhere."""
        return any(
            p.mx is not None and p.mx.outcome is Outcome.REFERRAL for p in self.parent_probes
        )

    @property
    def authoritative_probes(self) -> tuple[ServerProbe, ...]:
        """The probes of the servers that should answer for the PEC name."""
        return self.child_probes if self.delegated else self.parent_probes

    def to_dict(self) -> dict[str, Any]:
        """The observation as JSON-ready data."""

        def lookups(items: tuple[HostLookup, ...]) -> list[dict[str, Any]]:
            return [{"host": h.host, "answers": [a.to_dict() for a in h.answers]} for h in items]

        def probes(items: tuple[ServerProbe, ...]) -> list[dict[str, Any]]:
            return [
                {"name": p.name, "address": p.address, "mx": p.mx.to_dict() if p.mx else None}
                for p in items
            ]

        return {
            "pec_name": self.pec_name,
            "pec_mx": self.pec_mx.to_dict(),
            "domain_mx": self.domain_mx.to_dict(),
            "domain_ns": self.domain_ns.to_dict(),
            "pec_ns": self.pec_ns.to_dict(),
            "hosts": lookups(self.hosts),
            "ns_hosts": lookups(self.ns_hosts),
            "parent_probes": probes(self.parent_probes),
            "child_probes": probes(self.child_probes),
            "child_ns": self.child_ns.to_dict() if self.child_ns else None,
            "dnssec": self.dnssec.to_dict() if self.dnssec else None,
        }

    @property
    def answers(self) -> tuple[Answer, ...]:
        """Every answer observed, in the order they were asked for."""
        probes = (*self.parent_probes, *self.child_probes)
        return (
            self.pec_mx,
            self.domain_mx,
            self.domain_ns,
            self.pec_ns,
            *(a for h in (*self.hosts, *self.ns_hosts) for a in h.answers),
            *(p.mx for p in probes if p.mx is not None),
            *((self.child_ns,) if self.child_ns is not None else ()),
        )


@fast_pickle
@frozen
class Finding:
    """One judgement on a domain, tied to the policy clause it enforces.

    Attributes:
        code: a stable identifier, e.g. ``"MX_WRONG_HOST"``; see the catalogue in the docs.
        severity: as the policy grades this code.
        clause: the POLICY.md clause (``"P6.2"``), or ``None`` for a general DNS rule.
        message: one English sentence naming the records involved.
        evidence: the DNS answers the finding is based on.
        fix: what to do about it, or ``None`` when nothing is to be done.
        args: the values filled into the message and fix templates (names,
            records), kept so the finding can be rendered in another language.
    """

    code: str
    severity: Severity
    clause: str | None
    message: str
    evidence: tuple[Answer, ...] = ()
    fix: str | None = None
    args: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        clause = f" ({self.clause})" if self.clause else ""
        return f"{self.severity} {self.code}{clause}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data."""
        return {
            "code": self.code,
            "severity": self.severity.name,
            "clause": self.clause,
            "message": self.message,
            "fix": self.fix,
            "evidence": [a.to_dict() for a in self.evidence],
            "args": [list(pair) for pair in self.args],
        }


@fast_pickle
@frozen
class Report:
    """The result of checking one domain.

    Attributes:
        domain: the domain checked.
        verdict: whether the provider's daily check would pass (P6.1 and
            P6.2 of the PEC name): the verdict that moves a certification.
        findings: every finding, errors first, then warnings, then information.
        observation: the DNS facts the verdict was judged on.
        remedy: zone-file text that would fix the domain, or ``None`` when no
            zone change is needed (or none can be named).
        policy: the name of the policy applied (``"Aruba"``).
        checked_at: the time given to the check (``at=``), if any.
    """

    domain: Domain
    verdict: Verdict
    findings: tuple[Finding, ...]
    observation: Observation
    remedy: str | None
    policy: str
    checked_at: datetime | None = None

    @property
    def ok(self) -> bool:
        """Whether the verdict is COMPLIANT."""
        return self.verdict is Verdict.COMPLIANT

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings of severity ERROR."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def breaches(self) -> tuple[Finding, ...]:
        """The ERROR findings of clauses outside the daily check (P5, P9, RFC 1912...).

        They are real rules of the provider, reported but not enforced by the
        daily check, so they leave :attr:`verdict` alone and make
        :attr:`policy_verdict` NON_COMPLIANT.
        """
        from pecdns._codes import is_daily  # noqa: PLC0415 -- _codes imports this module

        return tuple(f for f in self.errors if not is_daily(f.code))

    @property
    def policy_verdict(self) -> Verdict:
        """The verdict counting every clause: NON_COMPLIANT on any breach, else :attr:`verdict`.

        This is what ``pecdns check --strict`` exits on.
        """
        return Verdict.NON_COMPLIANT if self.breaches else self.verdict

    def codes(self) -> tuple[str, ...]:
        """The codes of all findings, in report order."""
        return tuple(f.code for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, in the versioned form named by ``SCHEMA``.

        Every string from DNS is already canonical (escaped) text, and JSON
        escapes what remains, so the result is safe to embed anywhere.

        >>> from pecdns import check
        >>> from pecdns.testing import FakeResolver
        >>> fake = FakeResolver(
        ...     {
        ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
        ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
        ...     }
        ... )
        >>> data = check("example.it", resolver=fake).to_dict()
        >>> data["verdict"], [f["code"] for f in data["findings"]]
        ('COMPLIANT', ['MX_OK', 'SETUP_UNKNOWN'])
        """
        return {
            "schema": SCHEMA,
            "domain": self.domain.name,
            "domain_unicode": self.domain.unicode,
            "pec_name": self.observation.pec_name[:-1],
            "verdict": self.verdict.value,
            "policy_verdict": self.policy_verdict.value,
            "breaches": [f.code for f in self.breaches],
            "ok": self.ok,
            "policy": self.policy,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "findings": [f.to_dict() for f in self.findings],
            "remedy": self.remedy,
            "observation": self.observation.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Read back a report from its JSON form, as :meth:`to_dict` wrote it.

        Keys derived from others (``ok``, ``pec_name``...) are not read.

        Raises:
            pecdns.portfolio.DataFormatError: the data is not a ``pecdns.report.v1``
                report (another schema, a newer version, a missing key).

        >>> from pecdns import check
        >>> from pecdns.testing import FakeResolver
        >>> report = check("example.it", resolver=FakeResolver({}))
        >>> Report.from_dict(report.to_dict()) == report
        True
        """
        from pecdns._serial import report_from_dict  # noqa: PLC0415 -- _serial imports this module

        return report_from_dict(data)

    def _repr_html_(self) -> str:
        """The report as HTML for Jupyter, every value escaped (see :func:`pecdns.to_html`)."""
        from pecdns._html import report_html  # noqa: PLC0415 -- _html imports this module

        return report_html(self)

    def __str__(self) -> str:
        lines = [f"{self.observation.pec_name} ({self.domain}): {self.verdict}"]
        if self.breaches:
            codes = ", ".join(f.code for f in self.breaches)
            lines.append(f"  every rule: {self.policy_verdict} (breaches: {codes})")
        lines += [f"  {finding}" for finding in self.findings]
        if self.remedy:
            lines += ["  remedy:", *(f"    {line}" for line in self.remedy.splitlines())]
        return "\n".join(lines)
