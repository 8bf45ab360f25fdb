"""The DNSSEC state of the PEC name's MX answer, worked out without I/O.

A validating resolver (most public and ISP resolvers) answers SERVFAIL for a
name whose chain of trust is broken, so PEC mail to it fails although its MX
is right (P6.1: the name is not reachable for those resolvers). :func:`plan`
walks the chain from a trust anchor down to the PEC name the way such a
resolver does: the anchor's DNSKEY set, then for each label below it the DS
set (signed by the parent, or a signed NSEC/NSEC3 proof that there is none),
the child's DNSKEY set that the DS names, and finally the MX answer.

Like ``_observe.plan()``, :func:`plan` is a generator: it yields rounds of
:class:`Question` and is sent back the raw :class:`dns.message.Message`
responses (``None`` where no server answered); it returns a
:class:`DnssecState`. :func:`drive` runs it against any ``ask`` function;
``pecdns.resolvers._dnssec_io`` asks real servers.

Signatures need the ``cryptography`` package (``pip install 'pecdns[dnssec]'``);
without it the state is UNKNOWN, never a guess.
"""

from __future__ import annotations

import base64
import collections
import enum
import functools
import re
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
from attrs import field, frozen
from dns.dnssectypes import DSDigest

from pecdns._codes import DNSSEC_CAUSES as CAUSES
from pecdns._reduce import by_name, fast_pickle
from pecdns.exceptions import InvalidRecordError

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Sequence

    from dns.rdtypes.ANY.DNSKEY import DNSKEY
    from dns.rdtypes.ANY.DS import DS
    from dns.rdtypes.ANY.NSEC3 import NSEC3
    from dns.rdtypes.ANY.RRSIG import RRSIG

__all__ = [
    "CAUSES",
    "ROOT_ANCHOR",
    "DnssecState",
    "DnssecStatus",
    "Question",
    "TrustAnchor",
    "drive",
    "plan",
]

Round = list["Question"]
Responses = list["dns.message.Message | None"]

_DS = dns.rdatatype.DS
_DNSKEY = dns.rdatatype.DNSKEY
_RRSIG = dns.rdatatype.RRSIG
_NSEC = dns.rdatatype.NSEC
_NSEC3 = dns.rdatatype.NSEC3
_NS = dns.rdatatype.NS
_SOA = dns.rdatatype.SOA
_MX = dns.rdatatype.MX
_CNAME = dns.rdatatype.CNAME
_IN = dns.rdataclass.IN


@by_name
class DnssecStatus(str, enum.Enum):
    """The DNSSEC state of an answer, as a validating resolver sees it (RFC 4035 §4.3)."""

    SECURE = "SECURE"
    """A chain of valid signatures leads from the trust anchor to the answer."""
    INSECURE = "INSECURE"
    """A signed proof shows the name is under an unsigned delegation: validators accept it."""
    BOGUS = "BOGUS"
    """The chain should be there and is broken: validators answer SERVFAIL (P6.1)."""
    UNKNOWN = "UNKNOWN"
    """pecdns could not find out (no answer, no ``cryptography``): never the domain's fault."""


def _absolute(zone: str) -> str:
    return dns.name.from_text(zone).to_text()


def _texts(records: Iterable[str]) -> tuple[str, ...]:
    return tuple(records)


@frozen
class TrustAnchor:
    """The zone at the top of the chain and its trusted DS and/or DNSKEY records.

    Records are presentation-format rdata, e.g. ``"20326 8 2 E06D..."`` for a
    DS; a DNSKEY set is trusted when one of its keys hashes to a DS here or
    equals a DNSKEY here and signs the set.

    Example:
        >>> lab = TrustAnchor("it", dnskey=("257 3 13 " + "A" * 88,))
        >>> lab.zone
        'it.'
    """

    zone: str = field(converter=_absolute)
    ds: tuple[str, ...] = field(default=(), converter=_texts)
    dnskey: tuple[str, ...] = field(default=(), converter=_texts)

    def __attrs_post_init__(self) -> None:
        """Refuse an anchor with no record or an unparsable one."""
        if not self.ds and not self.dnskey:
            raise InvalidRecordError(
                f"the trust anchor for {self.zone} has no DS and no DNSKEY record; give at"
                " least one, e.g. ds=('20326 8 2 E06D...',)"
            )
        self.ds_rdatas()
        self.dnskey_rdatas()

    def ds_rdatas(self) -> list[DS]:
        """The DS records, parsed."""
        return [_parse("DS", text) for text in self.ds]  # type: ignore[misc]

    def dnskey_rdatas(self) -> list[DNSKEY]:
        """The DNSKEY records, parsed."""
        return [_parse("DNSKEY", text) for text in self.dnskey]  # type: ignore[misc]


@functools.lru_cache(maxsize=256)
def _parse(rdtype: str, text: str) -> dns.rdata.Rdata:
    """A record of the anchor, parsed once: every walk of a batch reads the same anchor."""
    try:
        return dns.rdata.from_text(_IN, rdtype, text)
    except dns.exception.DNSException as exc:
        raise InvalidRecordError(f"{text!r} is not a {rdtype} record: {exc}") from exc


ROOT_ANCHOR = TrustAnchor(
    ".",
    ds=(
        # KSK-2017 and KSK-2024 as IANA publishes them (root-anchors.xml, RFC 9718).
        "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
        "38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
    ),
)
"""The root zone's published key-signing keys, the default anchor."""


@frozen
class Question:
    """One question of the walk: ``name``/``rdtype``, for the servers of ``zone``.

    ``zone`` says whose authoritative servers hold the answer (the parent for
    a DS set); a recursive resolver may answer any of them.

    Example:
        >>> q = Question("example.it.", "DS", "it.")
        >>> m = q.message()
        >>> bool(m.flags & dns.flags.CD), bool(m.ednsflags & dns.flags.DO)
        (True, True)
    """

    name: str
    rdtype: str
    zone: str

    def message(self) -> dns.message.Message:
        """The query to send: EDNS with the DO bit, RD and CD set.

        CD makes a validating recursive resolver hand over bogus data instead
        of SERVFAIL, so that this validator can say what is wrong.
        """
        query = dns.message.make_query(self.name, self.rdtype, want_dnssec=True, payload=1232)
        query.flags |= dns.flags.CD
        return query


@fast_pickle
@frozen
class DnssecState:
    """The DNSSEC state of a name's MX answer and why.

    ``cause`` is a key of :data:`CAUSES`; ``subject`` names the record set
    that decided (``"DS example.it."``); ``detail`` says in English which
    signature or DS failed and why; ``chain`` lists the zones walked, top
    first; ``at`` is the moment signatures were checked against (an observed
    fact of gathering, so that rules never read the clock).

    Example:
        >>> DnssecState(DnssecStatus.UNKNOWN, "no_crypto", "", "install pecdns[dnssec]").status
        <DnssecStatus.UNKNOWN: 'UNKNOWN'>
    """

    status: DnssecStatus
    cause: str
    subject: str
    detail: str
    chain: tuple[str, ...] = ()
    at: datetime | None = field(default=None, eq=False)

    def to_dict(self) -> dict[str, object]:
        """The state as JSON-ready data.

        Example:
            >>> DnssecState(DnssecStatus.SECURE, "secure", "MX pec.example.it.", "ok").to_dict()
            {'status': 'SECURE', 'cause': 'secure', 'subject': 'MX pec.example.it.', \
'detail': 'ok', 'chain': [], 'at': None}
        """
        return {
            "status": self.status.value,
            "cause": self.cause,
            "subject": self.subject,
            "detail": self.detail,
            "chain": list(self.chain),
            "at": self.at.isoformat() if self.at is not None else None,
        }

    @property
    def code(self) -> str:
        """The finding code this state becomes (in ``pecdns._codes.CATALOGUE``).

        Example:
            >>> DnssecState(DnssecStatus.BOGUS, "expired", "MX pec.example.it.", "...").code
            'DNSSEC_BOGUS'
        """
        return f"DNSSEC_{self.status.value}"

    @property
    def zone(self) -> str:
        """The zone to act on: the owner of a failing DS or DNSKEY set, else the last zone walked.

        Example:
            >>> DnssecState(DnssecStatus.BOGUS, "ds_mismatch", "DNSKEY example.it.", "...").zone
            'example.it.'
        """
        kind, _, owner = self.subject.partition(" ")
        if kind in {"DS", "DNSKEY"}:
            return owner
        return self.chain[-1] if self.chain else ""

    def message_args(self, pec: str, lang: str) -> dict[str, str]:
        """The fields of this state's finding message and fix, in ``lang``.

        Example:
            >>> state = DnssecState(DnssecStatus.UNKNOWN, "no_crypto", "", "...")
            >>> state.message_args("pec.example.it.", "it")["cause"]
            'firme non verificate: installare pecdns[dnssec]'
        """
        return {
            "pec": pec,
            "cause": CAUSES[self.cause][lang],
            "subject": self.subject or "-",
            "zone": self.zone or "-",
            "chain": ", ".join(self.chain) or "-",
            "detail": self.detail,
        }

    @property
    def reason(self) -> str:
        """One line: the cause, the record set and the detail."""
        head = CAUSES[self.cause]["en"]
        return (
            f"{head} ({self.subject}): {self.detail}" if self.subject else f"{head}: {self.detail}"
        )


def crypto_available() -> bool:
    """Whether signatures can be checked (the ``cryptography`` package imports).

    Example:
        >>> crypto_available()
        True
    """
    try:
        import cryptography  # noqa: F401, PLC0415 -- probing the optional extra
    except ImportError:
        return False
    return True


def drive(
    walk: Generator[Round, Responses, DnssecState],
    ask: Callable[[Round], Responses],
) -> DnssecState:
    """Run a :func:`plan` generator, answering each round with ``ask``.

    Example:
        >>> from datetime import datetime, timezone
        >>> state = drive(
        ...     plan("pec.example.it", at=datetime.now(timezone.utc)), lambda r: [None] * len(r)
        ... )
        >>> state.status, state.cause
        (<DnssecStatus.UNKNOWN: 'UNKNOWN'>, 'no_answer')
    """
    try:
        questions = next(walk)
        while True:
            questions = walk.send(ask(questions))
    except StopIteration as stop:
        result: DnssecState = stop.value
        return result


class _Stop(Exception):  # noqa: N818 -- a control-flow signal carrying the final state
    def __init__(self, state: DnssecState) -> None:
        super().__init__(state.reason)
        self.state = state


def plan(
    name: str, *, at: datetime, anchor: TrustAnchor = ROOT_ANCHOR
) -> Generator[Round, Responses, DnssecState]:
    """Validate the MX answer of ``name`` from ``anchor`` down, as a validating resolver would.

    Args:
        name: the PEC name, e.g. ``"pec.example.it"``.
        at: the moment signatures must be valid at (timezone-aware).
        anchor: the trusted top of the chain (the root by default).

    Yields:
        Rounds of questions; send back one response (or ``None``) per question.

    Returns:
        The :class:`DnssecState`.

    Example:
        >>> from datetime import datetime, timezone
        >>> walk = plan("pec.example.it", at=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> next(walk)
        [Question(name='.', rdtype='DNSKEY', zone='.')]
    """
    if at.tzinfo is None:
        raise InvalidRecordError(f"at={at!r} is naive; give a timezone-aware datetime")
    walker = _Walker(name, anchor, at)
    try:
        yield from walker.walk()
    except _Stop as stop:
        return stop.state
    raise AssertionError("unreachable: the walk always stops with a state")  # pragma: no cover


_PLAIN_NAME = re.compile(r"(?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?")


def _plain(name: str) -> bool:
    """Whether ``name`` is plain labels (every PEC name), which dnspython cannot refuse."""
    return len(name) <= _MAX_PLAIN and _PLAIN_NAME.fullmatch(name) is not None


def _qname(name: str) -> dns.name.Name:
    """``dns.name.from_text(name)``, without its text parser for a plain name (every PEC name)."""
    if not _plain(name):
        return dns.name.from_text(name)
    return dns.name.Name([*(label.encode() for label in name.rstrip(".").split(".")), b""])


_MAX_PLAIN = 253  # a longer name goes to dnspython, which says why it is too long


def _question(
    name: dns.name.Name, rdtype: dns.rdatatype.RdataType, zone: dns.name.Name
) -> Question:
    """The walk's question, made once for those every walk asks (the anchor's keys).

    Keyed by the exact labels: names compare without case, the text keeps it.
    """
    return _question_of(name.labels, rdtype, zone.labels)


@functools.lru_cache(maxsize=256)
def _question_of(
    labels: tuple[bytes, ...], rdtype: dns.rdatatype.RdataType, zone: tuple[bytes, ...]
) -> Question:
    return Question(
        dns.name.Name(labels).to_text(),
        dns.rdatatype.to_text(rdtype),
        dns.name.Name(zone).to_text(),
    )


@functools.lru_cache(maxsize=64)
def _zone_name(text: str) -> dns.name.Name:
    """A trust anchor's zone as a dnspython name (immutable, so shared by every walk)."""
    return dns.name.from_text(text)


class _Known:
    """Facts found once about immutable objects, by their identity; bounded, the oldest go first.

    An entry holds the objects it names, so their identities stay theirs
    while it lives.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: collections.OrderedDict[tuple[object, ...], tuple[object, ...]] = (
            collections.OrderedDict()
        )
        self.lock = threading.Lock()  # walks run in threads too (check() with a sync resolver)

    def known(self, key: tuple[object, ...]) -> bool:
        """Whether the fact under ``key`` was learnt."""
        with self.lock:
            return key in self.entries

    def learn(self, key: tuple[object, ...], objects: tuple[object, ...]) -> None:
        """Remember the fact under ``key``, holding the ``objects`` whose identities it names."""
        with self.lock:
            self.entries[key] = objects
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_MATCHED = _Known(256)
"""DS records found to match a key (a digest each): every walk of a batch meets the same ones."""


class _Verified(_Known):
    """Signatures already found valid, by the identity of what they were checked over.

    A batch shares the responses for the root's and a top-level domain's keys
    and delegations (one response object for every check that asks), so every
    walk meets the same record set, signature and keys: checking them once
    (a public-key operation each, hundreds of microseconds) is enough. An
    entry holds the objects it names, so their identities stay theirs while
    it lives; it still answers only within the signature's validity window,
    which is checked at each walk's own time. Bounded: the oldest go first.
    """

    @staticmethod
    def key(
        rrset: dns.rrset.RRset, sig: RRSIG, zone: dns.name.Name, keys: dns.rdataset.Rdataset
    ) -> tuple[object, ...]:
        return (id(rrset), id(sig), zone, *(id(k) for k in keys))

    def holds(
        self,
        rrset: dns.rrset.RRset,
        sig: RRSIG,
        zone: dns.name.Name,
        keys: dns.rdataset.Rdataset,
        now: float,
    ) -> bool:
        """Whether ``sig`` over ``rrset`` by ``keys`` was found valid, and is valid at ``now``."""
        found = self.known(self.key(rrset, sig, zone, keys))
        return found and sig.inception <= now <= sig.expiration

    def add(
        self, rrset: dns.rrset.RRset, sig: RRSIG, zone: dns.name.Name, keys: dns.rdataset.Rdataset
    ) -> None:
        """Remember that ``sig`` over ``rrset`` by ``keys`` is valid."""
        self.learn(self.key(rrset, sig, zone, keys), (rrset, sig, zone, *keys))


_VERIFIED = _Verified(1024)


class _Walker:
    """The state of one walk: the zone reached, its trusted keys, the chain so far."""

    def __init__(self, name: str, anchor: TrustAnchor, at: datetime) -> None:
        self.name = name
        if not _plain(name):
            self.qname  # noqa: B018 -- parsed now: a name dnspython refuses raises before any question
        self.anchor = anchor
        self.at = at
        self.now = at.astimezone(timezone.utc).timestamp()
        self.zone = _zone_name(anchor.zone)
        self.keys: dns.rdataset.Rdataset | None = None
        self.chain: list[str] = []

    @functools.cached_property
    def qname(self) -> dns.name.Name:
        """The name as dnspython's, made when first needed: a walk may stop at the anchor."""
        return _qname(self.name)

    def stop(self, status: DnssecStatus, cause: str, subject: str, detail: str) -> _Stop:
        return _Stop(DnssecState(status, cause, subject, detail, tuple(self.chain), self.at))

    def bogus(self, cause: str, subject: str, detail: str) -> _Stop:
        return self.stop(DnssecStatus.BOGUS, cause, subject, detail)

    def walk(self) -> Generator[Round, Responses, None]:
        if not crypto_available():
            raise self.stop(
                DnssecStatus.UNKNOWN,
                "no_crypto",
                "",
                "the cryptography package is missing, so no signature was checked;"
                " install pecdns[dnssec]",
            )
        if len(self.zone.labels) > 1 and not self.qname.is_subdomain(self.zone):  # root: all are
            raise self.stop(
                DnssecStatus.UNKNOWN,
                "outside_anchor",
                "",
                f"{self.qname} is not under the trust anchor {self.zone}",
            )
        self.chain.append(self.anchor.zone)  # the zone's text, made absolute
        response = yield from self.ask(self.zone, _DNSKEY, self.zone)
        try:
            self.keys = self.trusted_keys(
                self.zone, response, self.anchor.ds_rdatas(), self.anchor.dnskey_rdatas()
            )
        except _Stop as stop:
            # A failure at the anchor itself is the checker's (a stale anchor, or a resolver
            # that strips signatures), never the domain's: unknown, not bogus.
            state = stop.state
            if state.status is not DnssecStatus.BOGUS:
                raise
            raise self.stop(DnssecStatus.UNKNOWN, "anchor", state.subject, state.reason) from None
        depth = len(self.zone.labels)
        for cut in range(depth + 1, len(self.qname.labels) + 1):
            child = self.qname.split(cut)[1]
            yield from self.descend(child)
        yield from self.final()

    def ask(
        self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType, zone: dns.name.Name
    ) -> Generator[Round, Responses, dns.message.Message]:
        """One question to the servers of ``zone``; a missing or failed answer stops the walk."""
        question = _question(name, rdtype, zone)
        responses = yield [question]
        response = responses[0] if responses else None
        if response is None:
            raise self.unanswered(question, f"no server of {question.zone} answered")
        asked = response.question[0] if response.question else None
        if asked is None or not _same_name(asked.name, name) or asked.rdtype != rdtype:
            raise self.unanswered(question, "the response answers another question")
        rcode = _rcode(response)
        if rcode not in _USABLE_RCODES:
            detail = f"the servers of {question.zone} answered {_rcode_text(rcode)}"
            raise self.unanswered(question, detail)
        if _is_referral(response):
            # The server asked does not serve the zone (lame, or the wrong server): no proof
            # either way, so never BOGUS.
            raise self.unanswered(
                question,
                f"the server asked for {question.zone} sent a referral instead of an answer",
            )
        return response

    def unanswered(self, question: Question, detail: str) -> _Stop:
        """The walk stops UNKNOWN: ``question`` got no usable answer."""
        subject = f"{question.rdtype} {question.name}"
        return self.stop(DnssecStatus.UNKNOWN, "no_answer", subject, detail)

    # -- keys -----------------------------------------------------------------------------

    def trusted_keys(
        self,
        zone: dns.name.Name,
        response: dns.message.Message,
        ds_set: Sequence[DS],
        anchors: Sequence[DNSKEY] = (),
    ) -> dns.rdataset.Rdataset:
        """The DNSKEY set of ``zone``, once a key named by ``ds_set``/``anchors`` signs it."""
        subject = f"DNSKEY {zone}"
        keys = _rrset(response, zone, _DNSKEY)
        if keys is None:
            raise self.bogus(
                "ds_mismatch",
                subject,
                f"{zone} has a DS record (key tags {_tags(ds_set, anchors)}) but publishes no"
                " DNSKEY",
            )
        usable = [ds for ds in ds_set if _supported_ds(ds)]
        if ds_set and not usable and not anchors:
            # RFC 4035 §5.2: DS records of algorithms nobody can check leave the zone insecure.
            raise self.stop(
                DnssecStatus.INSECURE,
                "unsigned",
                f"DS {zone}",
                "no DS record uses an algorithm and digest this validator supports",
            )
        entry = [k for k in keys if any(_matches(zone, k, ds) for ds in usable) or k in anchors]
        if not entry:
            raise self.bogus(
                "ds_mismatch",
                subject,
                f"the DS record(s) for {zone} (key tags {_tags(ds_set, anchors)}) match none of"
                f" its DNSKEY records (key tags {_tags([], list(keys))})",
            )
        trusted = dns.rdataset.from_rdata_list(keys.ttl, entry)
        self.verify(keys, response, zone, trusted, subject)
        return keys

    # -- signatures -----------------------------------------------------------------------

    def verify(
        self,
        rrset: dns.rrset.RRset,
        response: dns.message.Message,
        zone: dns.name.Name,
        keys: dns.rdataset.Rdataset,
        subject: str,
    ) -> None:
        """Stop the walk as BOGUS unless an RRSIG by ``zone``'s ``keys`` over ``rrset`` is valid."""
        sigs = _sigs(response, rrset.name, rrset.rdtype)
        if not sigs:
            raise self.bogus(
                "missing_rrsig", subject, f"{zone} is signed but {subject} has no RRSIG"
            )
        failures: list[tuple[str, str]] = []
        for sig in sigs:
            problem = self.check_sig(rrset, sig, zone, keys)
            if problem is None:
                return
            failures.append(problem)
        cause, detail = _worst(failures)
        raise self.bogus(cause, subject, detail)

    def check_sig(
        self, rrset: dns.rrset.RRset, sig: RRSIG, zone: dns.name.Name, keys: dns.rdataset.Rdataset
    ) -> tuple[str, str] | None:
        """``None`` when ``sig`` is valid, else (cause, detail) saying why not."""
        who = f"the RRSIG by key {sig.key_tag} of {sig.signer}"
        if sig.signer != zone:
            return "missing_rrsig", f"{who} is not made by the zone {zone}"
        if _VERIFIED.holds(rrset, sig, zone, keys, self.now):
            return None
        try:
            dns.dnssec.validate_rrsig(rrset, sig, {zone: keys}, None, self.now)
        except dns.exception.ValidationFailure as exc:
            return _explain(str(exc), who, sig, zone, keys)
        except dns.exception.DNSException as exc:  # UnsupportedAlgorithm, DeniedByPolicy
            return "bad_signature", f"{who} cannot be checked ({type(exc).__name__}: {exc})"
        _VERIFIED.add(rrset, sig, zone, keys)
        return None

    # -- one level down -------------------------------------------------------------------

    def descend(self, child: dns.name.Name) -> Generator[Round, Responses, None]:
        """Ask the DS of ``child`` in the current zone; enter ``child`` if it is a signed zone."""
        assert self.keys is not None  # noqa: S101 -- set by walk() before any descent
        subject = f"DS {child}"
        response = yield from self.ask(child, _DS, self.zone)
        ds_rrset = _rrset(response, child, _DS)
        if ds_rrset is not None:
            self.verify(ds_rrset, response, self.zone, self.keys, subject)
            self.chain.append(child.to_text())
            keys_response = yield from self.ask(child, _DNSKEY, child)
            self.keys = self.trusted_keys(child, keys_response, list(ds_rrset))
            self.zone = child
            return
        cname = _rrset(response, child, _CNAME)
        if cname is not None:
            # An alias is no zone cut (RFC 2181 §10.1): check its signature and stay here.
            self.verify(cname, response, self.zone, self.keys, f"CNAME {child}")
            return
        delegated = self.prove_no_ds(child, response, subject)
        if delegated:
            self.chain.append(child.to_text())
            raise self.stop(
                DnssecStatus.INSECURE,
                "unsigned",
                subject,
                f"{self.zone} proves that {child} is delegated without a DS record",
            )

    def prove_no_ds(
        self, child: dns.name.Name, response: dns.message.Message, subject: str
    ) -> bool:
        """Check the signed denial of the DS of ``child``; whether ``child`` is a delegation.

        ``False`` means ``child`` is no zone cut (an ordinary name, or none):
        the walk stays in the current zone.
        """
        nsecs = self.signed_denial(response, subject, child)
        for owner, rdata in nsecs:
            if rdata.rdtype == _NSEC and owner == child:
                types = _types(rdata)
                if _DS in types:
                    break
                return _NS in types and _SOA not in types
            if rdata.rdtype == _NSEC and _covers(owner, rdata.next, child):  # type: ignore[attr-defined]
                return False
            if rdata.rdtype == _NSEC3:
                verdict = _nsec3_says(owner, rdata, child, self.zone)  # type: ignore[arg-type]
                if verdict is not None:
                    return verdict
        raise self.bogus(
            "unproven_insecure",
            subject,
            f"{self.zone} is signed but gives no DS for {child} and no NSEC/NSEC3 record"
            " proving there is none",
        )

    def signed_denial(
        self, response: dns.message.Message, subject: str, name: dns.name.Name
    ) -> list[tuple[dns.name.Name, dns.rdata.Rdata]]:
        """The NSEC/NSEC3 records of a denial, once each set's signature is checked."""
        assert self.keys is not None  # noqa: S101 -- set before any denial is read
        found: list[tuple[dns.name.Name, dns.rdata.Rdata]] = []
        for rrset in response.authority:
            if rrset.rdtype in {_NSEC, _NSEC3} and rrset.name.is_subdomain(self.zone):
                what = f"{dns.rdatatype.to_text(rrset.rdtype)} {rrset.name}"
                self.verify(rrset, response, self.zone, self.keys, f"{what} (denial of {subject})")
                found.extend((rrset.name, rdata) for rdata in rrset)
        if not found:
            raise self.bogus(
                "unproven_insecure" if subject.startswith("DS") else "missing_rrsig",
                subject,
                f"{self.zone} is signed but its answer for {name} carries no NSEC/NSEC3 record",
            )
        return found

    def final(self) -> Generator[Round, Responses, None]:
        """Validate the MX answer (or its signed denial) in the zone reached."""
        assert self.keys is not None  # noqa: S101 -- set by walk() before the end
        subject = f"MX {self.qname}"
        response = yield from self.ask(self.qname, _MX, self.zone)
        owned = [r for r in response.answer if r.rdtype != _RRSIG]
        if owned:
            for rrset in owned:
                if not rrset.name.is_subdomain(self.zone):
                    raise self.stop(
                        DnssecStatus.UNKNOWN,
                        "no_answer",
                        subject,
                        f"the answer leads out of {self.zone} (to {rrset.name}); not followed",
                    )
                self.verify(rrset, response, self.zone, self.keys, subject)
            detail = f"the MX answer of {self.qname} is signed by {self.zone} and valid"
        else:
            self.signed_denial(response, subject, self.qname)
            absent = "does not exist" if response.rcode() == dns.rcode.NXDOMAIN else "has no MX"
            detail = f"{self.zone} states with signed NSEC/NSEC3 records that {self.qname} {absent}"
        raise self.stop(DnssecStatus.SECURE, "secure", subject, detail)


# -- helpers ------------------------------------------------------------------------------


def _rrset(
    response: dns.message.Message, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
) -> dns.rrset.RRset | None:
    for rrset in response.answer:
        if rrset.name == name and rrset.rdtype == rdtype:
            return rrset
    return None


def _sigs(
    response: dns.message.Message, name: dns.name.Name, covered: dns.rdatatype.RdataType
) -> list[RRSIG]:
    return [
        rdata
        for section in (response.answer, response.authority)
        for rrset in section
        if rrset.rdtype == _RRSIG and rrset.name == name
        for rdata in rrset
        if rdata.type_covered == covered
    ]


def _same_name(a: dns.name.Name, b: dns.name.Name) -> bool:
    """``a == b`` (without case), its labels compared as they are first: most often equal."""
    return a.labels == b.labels or a == b


_USABLE_RCODES = frozenset({dns.rcode.NOERROR.value, dns.rcode.NXDOMAIN.value})


def _rcode(response: dns.message.Message) -> int:
    """``response.rcode()`` as an int, without making the enum member (RFC 6891 §6.1.3)."""
    return (int(response.flags) & 0xF) | ((int(response.ednsflags) >> 20) & 0xFF0)


@functools.lru_cache(maxsize=64)
def _rcode_text(rcode: int) -> str:
    return dns.rcode.to_text(dns.rcode.Rcode.make(rcode))


def _is_referral(response: dns.message.Message) -> bool:
    if response.flags & dns.flags.AA or response.answer:
        return False
    return any(r.rdtype == _NS for r in response.authority) and not any(
        r.rdtype == _SOA for r in response.authority
    )


def _tag(key: dns.rdata.Rdata) -> int:
    return dns.dnssec.key_id(key)  # type: ignore[arg-type]


def _tags(ds_set: Iterable[DS], keys: Iterable[dns.rdata.Rdata]) -> str:
    tags = sorted({ds.key_tag for ds in ds_set} | {_tag(k) for k in keys})
    return ", ".join(map(str, tags)) or "none"


def _supported_ds(ds: DS) -> bool:
    import dns.dnssecalgs  # noqa: PLC0415 -- needs cryptography: only after crypto_available()

    try:
        dns.dnssecalgs.get_algorithm_cls(ds.algorithm)
        DSDigest.make(ds.digest_type)
    except (dns.exception.DNSException, ValueError):
        return False
    return ds.digest_type in {
        DSDigest.SHA1,
        DSDigest.SHA256,
        DSDigest.SHA384,
    }


def _matches(zone: dns.name.Name, key: DNSKEY, ds: DS) -> bool:
    if _tag(key) != ds.key_tag or key.algorithm != ds.algorithm:
        return False
    known = (zone, id(key), id(ds))
    if _MATCHED.known(known):
        return True
    # validating=True: a SHA-1 DS may no longer be made, but is still checked (RFC 9904);
    # _supported_ds has already set aside the digests dnspython cannot compute.
    made = dns.dnssec.make_ds(zone, key, ds.digest_type, validating=True)
    if made.digest != ds.digest:
        return False
    _MATCHED.learn(known, (key, ds))
    return True


def _types(rdata: dns.rdata.Rdata) -> set[dns.rdatatype.RdataType]:
    return {
        dns.rdatatype.RdataType.make(window * 256 + byte * 8 + bit)
        for window, bitmap in rdata.windows  # type: ignore[attr-defined]
        for byte, octet in enumerate(bitmap)
        for bit in range(8)
        if octet & (0x80 >> bit)
    }


def _covers(owner: dns.name.Name, nxt: dns.name.Name, name: dns.name.Name) -> bool:
    """Whether the NSEC span owner..next covers ``name`` (canonical order, wrapping at the apex)."""
    if owner < nxt:
        return bool(owner < name < nxt)
    return bool(name > owner or name < nxt)


def _nsec3_says(
    owner: dns.name.Name, rdata: NSEC3, child: dns.name.Name, zone: dns.name.Name
) -> bool | None:
    """What an NSEC3 record says of ``child``: delegated unsigned, no cut, or nothing."""
    if owner.parent() != zone:
        return None
    hashed = dns.dnssec.nsec3_hash(child, rdata.salt, rdata.iterations, rdata.algorithm).lower()
    mine = owner.labels[0].decode("ascii").lower()
    nxt = base64.b32hexencode(rdata.next).decode("ascii").lower().rstrip("=")
    if mine == hashed:
        types = _types(rdata)
        if _DS in types:
            return None
        return _NS in types and _SOA not in types
    spans = mine < hashed < nxt if mine < nxt else (hashed > mine or hashed < nxt)
    if spans:
        # RFC 5155 §6: an opt-out span may hold unsigned delegations; without it, no name here.
        return bool(rdata.flags & 1)
    return None


def _explain(
    why: str, who: str, sig: RRSIG, zone: dns.name.Name, keys: dns.rdataset.Rdataset
) -> tuple[str, str]:
    """The cause and detail of dnspython's ValidationFailure ``why`` for ``sig``."""
    if why == "expired":
        return "expired", f"{who} expired on {_when(sig.expiration)}"
    if why == "not yet valid":
        return "not_yet_valid", f"{who} is valid only from {_when(sig.inception)}"
    if not any(_tag(k) == sig.key_tag for k in keys):
        return "missing_rrsig", f"{who} names a key not in the trusted DNSKEY set of {zone}"
    return "bad_signature", f"{who} does not verify ({why})"


def _when(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


_ORDER = ("expired", "not_yet_valid", "bad_signature", "missing_rrsig")


def _worst(failures: list[tuple[str, str]]) -> tuple[str, str]:
    """The failure to report: the most telling cause, with every signature's story."""
    cause = min((c for c, _ in failures), key=_ORDER.index)
    return cause, "; ".join(detail for _, detail in failures)
