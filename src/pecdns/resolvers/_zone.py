"""Offline answers from BIND zone files, as authoritative servers would give them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeAlias

import dns.exception
import dns.name
import dns.node
import dns.rdataset
import dns.rdatatype
import dns.rdtypes.ANY.CNAME
import dns.tokenizer
import dns.transaction
import dns.zone
import dns.zonefile
from attrs import frozen

from pecdns._models import Answer, Outcome, Query, RRType
from pecdns._names import canonical_name
from pecdns.exceptions import InvalidRecordError

__all__ = ["ZoneResolver"]

_MAX_CHAIN = 8
_SUFFIX = ".zone"
_WILDCARD = b"*"


def _text(name: dns.name.Name) -> str:
    """A dnspython name in pecdns's canonical form (the root stays ``"."``)."""
    return "." if name == dns.name.root else canonical_name(name.to_text())


def _zone_error(message: str) -> dns.exception.SyntaxError:
    return dns.exception.SyntaxError(message)  # type: ignore[no-untyped-call]


def _check_put(
    txn: dns.transaction.Transaction, name: dns.name.Name, rdataset: dns.rdataset.Rdataset
) -> None:
    """Refuse what dnspython would drop silently or report without a line number.

    dnspython keeps only the last of two CNAMEs at a name, and reports a CNAME
    beside other data without naming it.
    """
    node = txn.get_node(name)
    if node is None:
        return
    kinds = {node.classify(), dns.node.NodeKind.classify_rdataset(rdataset)}
    if kinds == {dns.node.NodeKind.CNAME, dns.node.NodeKind.REGULAR}:
        raise _zone_error(
            f"{_text(name)} has a CNAME beside other records; a CNAME must stand alone"
        )
    present = node.get_rdataset(rdataset.rdclass, dns.rdatatype.CNAME)
    if (
        rdataset.rdtype == dns.rdatatype.CNAME
        and present
        and any(r not in present for r in rdataset)
    ):
        raise _zone_error(f"{_text(name)} has two CNAME records; a name may have one")


class _Tokenizer(dns.tokenizer.Tokenizer):
    """A tokenizer that knows the line of the last token it gave out.

    dnspython counts a line as soon as it peeks at the newline that ends the
    one before, so an error found at the end of a record would name the next line.
    """

    token_line = 1

    def get(self, want_leading: bool = False, want_comment: bool = False) -> dns.tokenizer.Token:
        token = super().get(want_leading, want_comment)
        past_newline = token.is_eol() or self.ungotten_char == "\n"
        self.token_line = self.line_number - 1 if past_newline else self.line_number
        return token


def _read(text: str, source: str, origin: dns.name.Name | None) -> dns.zone.Zone:
    """Parse zone text with absolute names.

    dnspython keeps no origin for a zone without records at or below it; this
    gives such a zone the origin of its ``$ORIGIN`` line, empty.

    Raises:
        InvalidRecordError: a syntax error, with the file and line.
        dns.exception.DNSException: any other error, the origin's absence included.
    """
    zone = dns.zone.Zone(origin, relativize=False)
    tok = _Tokenizer(text, source)
    with zone.writer(replacement=True) as txn:
        txn.check_put_rdataset(_check_put)
        reader = dns.zonefile.Reader(tok, zone.rdclass, txn)
        try:
            reader.read()
        except dns.exception.SyntaxError as exc:
            message, where = str(exc), f"{source}:{tok.line_number}: "
            if message.startswith(where):
                message = f"{source}:{tok.token_line}: {message.removeprefix(where)}"
            raise InvalidRecordError(message) from None
    if zone.origin is None and reader.zone_origin is not None:
        return dns.zone.Zone(reader.zone_origin, relativize=False)
    return zone


def _parse(text: str, source: str, fallback: str | None, hint: str) -> dns.zone.Zone:
    """Parse zone text; without ``$ORIGIN`` before the first record, use ``fallback`` as origin.

    Raises:
        InvalidRecordError: the text does not parse, or its origin is unknown.
    """
    try:
        try:
            zone: dns.zone.Zone | None = _read(text, source, None)
        except (dns.zone.UnknownOrigin, dns.zonefile.UnknownOrigin):
            zone = None
        if zone is None or zone.origin is None:
            if fallback is None:
                raise InvalidRecordError(
                    f"{source}: no $ORIGIN line with an absolute name comes before"
                    f" the first record, so the zone's origin is unknown; {hint}"
                )
            zone = _read(text, source, dns.name.from_text(fallback))
    except dns.exception.DNSException as exc:
        message = str(exc)
        if not message.startswith(f"{source}:"):
            message = f"{source}: {message}"
        raise InvalidRecordError(message) from None
    return zone


@frozen
class _Data:
    """The records at a node for the asked type; ``None`` when it has none (NODATA)."""

    rdataset: dns.rdataset.Rdataset | None


@frozen
class _Alias:
    """The node is a CNAME to ``target``."""

    target: dns.name.Name


@frozen
class _Referral:
    """The name is at or below a zone cut whose child zone this zone does not hold."""

    cut: dns.name.Name
    servers: dns.rdataset.Rdataset


_Step: TypeAlias = _Data | _Alias | _Referral | None
"""What one zone says about one name: ``None`` is NXDOMAIN."""


class _Zone:
    """One parsed zone, with the names that exist in it and its delegations."""

    def __init__(self, zone: dns.zone.Zone, source: str) -> None:
        assert zone.origin is not None  # noqa: S101 -- _parse gives every zone an origin
        self.zone = zone
        self.origin = zone.origin
        self.source = source
        self.server = f"zone:{_text(self.origin)}"
        names = {self.origin}
        cuts = set()
        for owner, node in zone.nodes.items():
            name = owner
            while name not in names:
                names.add(name)
                name = name.parent()
            if owner != self.origin and node.get_rdataset(zone.rdclass, dns.rdatatype.NS):
                cuts.add(owner)
        self.names = frozenset(names)
        self.cuts = frozenset(cuts)

    def _ancestors(self, name: dns.name.Name) -> list[dns.name.Name]:
        """The names from just below the origin down to ``name`` itself."""
        return [name.split(depth)[1] for depth in range(len(self.origin) + 1, len(name) + 1)]

    def lookup(self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> _Step:
        """What this zone says about ``name`` and ``rdtype``."""
        for ancestor in self._ancestors(name):
            if ancestor in self.cuts:
                servers = self.zone.get_rdataset(ancestor, dns.rdatatype.NS)
                assert servers is not None  # noqa: S101 -- cuts are names with NS
                return _Referral(ancestor, servers)
        if name in self.names:
            return self._data(name, rdtype)
        encloser = next(
            a for a in reversed([self.origin, *self._ancestors(name)]) if a in self.names
        )
        wildcard = dns.name.Name((_WILDCARD, *encloser.labels))
        if wildcard in self.names:
            return self._data(wildcard, rdtype)
        return None

    def glue(self, servers: dns.rdataset.Rdataset) -> list[tuple[str, str]]:
        """The addresses this zone holds for a delegation's servers (its glue)."""
        found = []
        for rd in servers:
            for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                rdataset = self.zone.get_rdataset(rd.target, rdtype)
                found += [(_text(rd.target), a.to_text()) for a in rdataset or ()]
        return found

    def _data(self, owner: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> _Data | _Alias:
        node = self.zone.get_node(owner)
        if node is None:
            return _Data(None)
        rdataset = node.get_rdataset(self.zone.rdclass, rdtype)
        if rdataset is not None:
            return _Data(rdataset)
        cname = node.get_rdataset(self.zone.rdclass, dns.rdatatype.CNAME)
        if cname is not None and rdtype != dns.rdatatype.CNAME:
            target = next(iter(cname))
            assert isinstance(target, dns.rdtypes.ANY.CNAME.CNAME)  # noqa: S101 -- a CNAME rdataset
            return _Alias(target.target)
        return _Data(None)


def _origin_from_file_name(path: Path) -> str | None:
    stem = path.name.removesuffix(_SUFFIX)
    return stem if stem and stem != path.name else None


class ZoneResolver:
    """Offline answers from BIND zone files or zone text; never touches the network.

    It answers as a recursive resolver would see the authoritative servers
    of the loaded zones answer:

    - a name is answered by the most specific loaded zone at or above it; a
      name under no loaded zone is ``REFUSED``;
    - a name at or below a delegation (NS records below the zone's origin)
      whose child zone is not loaded is ``SERVFAIL``, except the NS question
      at the cut itself, answered with the delegation's NS records and
      ``authoritative=False``;
    - CNAMEs are followed, across zones too, and listed in ``aliases``; a
      loop or a chain of more than 8 is ``SERVFAIL``;
    - a name without the asked type, or one that exists only because names
      below it do (an empty non-terminal), is ``NODATA``; a missing name is
      ``NXDOMAIN`` unless a wildcard (``*``) of its closest encloser
      answers for it (RFC 4592).

    ``server`` is ``"zone:"`` and the origin of the zone that answered, in
    canonical form with its trailing dot (``"zone:example.it."``); ``None``
    on REFUSED. ``authoritative`` is ``True`` on answers from a zone's own
    data, ``False`` on NS records at a delegation, ``None`` on failures.

    A zone's origin is its first ``$ORIGIN`` line, which must come before its
    first record. Records outside the origin are ignored, as BIND ignores
    them; ``$INCLUDE`` is not allowed. A zone needs no SOA or NS records.

    Args:
        *zones: each a path (any :class:`os.PathLike`) to a zone file, or a
            :class:`str` of zone text. A file without ``$ORIGIN`` takes its
            origin from its name, ``example.it.zone`` giving ``example.it.``.
        origin: the origin of zone texts that have no ``$ORIGIN`` line before
            their first record; zone files never use it.

    Raises:
        InvalidRecordError: a zone does not parse (the message names the file,
            or ``<zone text N>`` for the Nth argument, and the line), its
            origin is unknown, or two zones have the same origin.
        OSError: a zone file cannot be read.

    >>> from pecdns.resolvers import Query
    >>> zones = ZoneResolver('''
    ... $ORIGIN example.it.
    ... $TTL 3600
    ... pec  IN MX 10 mx.pec.aruba.it.
    ... www  IN CNAME pec
    ... ''')
    >>> zones
    ZoneResolver(origins=['example.it.'])
    >>> str(zones.resolve(Query("pec.example.it", "MX")))
    'pec.example.it. MX: 10 mx.pec.aruba.it.'
    >>> str(zones.resolve(Query("www.example.it", "MX")))
    'www.example.it. MX -> pec.example.it.: 10 mx.pec.aruba.it.'
    >>> zones.resolve(Query("example.it", "MX")).outcome
    <Outcome.NODATA: 'NODATA'>
    >>> zones.resolve(Query("example.com", "MX")).detail
    'no zone loaded for example.com.'
    """

    def __init__(self, *zones: str | os.PathLike[str], origin: str | None = None) -> None:
        """Parse every zone; nothing is read again after this."""
        self._zones: dict[dns.name.Name, _Zone] = {}
        for number, item in enumerate(zones, start=1):
            if isinstance(item, str):
                hint = (
                    "pass a zone file as a pathlib.Path, not a str"
                    if item.strip().endswith(_SUFFIX) and len(item.split()) == 1
                    else "add one, or pass origin="
                )
                zone = _Zone(
                    _parse(item, f"<zone text {number}>", origin, hint), f"<zone text {number}>"
                )
            elif isinstance(item, os.PathLike):
                path = Path(item)
                try:
                    text = path.read_text(encoding="utf-8")
                except UnicodeDecodeError as exc:
                    raise InvalidRecordError(f"{path}: not UTF-8 text ({exc.reason})") from None
                hint = f"add one, or name the file <origin>{_SUFFIX}"
                zone = _Zone(_parse(text, str(path), _origin_from_file_name(path), hint), str(path))
            else:
                raise TypeError(
                    f"a zone is a path or a str of zone text, not {type(item).__name__}"
                )
            other = self._zones.get(zone.origin)
            if other is not None:
                raise InvalidRecordError(
                    f"{other.source} and {zone.source} are both the zone {_text(zone.origin)}"
                )
            self._zones[zone.origin] = zone

    @classmethod
    def from_directory(cls, path: str | os.PathLike[str]) -> ZoneResolver:
        """Load every ``*.zone`` file in a folder, in file-name order.

        Raises:
            FileNotFoundError: the folder holds no ``*.zone`` file (or does not exist).
            InvalidRecordError: as for the constructor.
        """
        folder = Path(path)
        files = sorted(p for p in folder.glob(f"*{_SUFFIX}") if p.is_file())
        if not files:
            raise FileNotFoundError(f"no *{_SUFFIX} files in {folder}")
        return cls(*files)

    @property
    def origins(self) -> tuple[str, ...]:
        """The origins of the loaded zones, canonical, in loading order."""
        return tuple(_text(origin) for origin in self._zones)

    def __repr__(self) -> str:
        return f"ZoneResolver(origins={list(self.origins)!r})"

    def _zone_for(self, name: dns.name.Name) -> _Zone | None:
        for depth in range(len(name), 0, -1):
            zone = self._zones.get(name.split(depth)[1])
            if zone is not None:
                return zone
        return None

    def resolve(self, query: Query) -> Answer:
        """Answer one question from the loaded zones.

        A question with a ``server`` is answered as one server loading every
        zone would: at a delegation whose child zone is not loaded, with a
        referral (its NS and glue) instead of a failure.
        """
        rdtype = dns.rdatatype.from_text(query.rdtype.value)
        start = name = dns.name.from_text(query.name)
        chain: list[dns.name.Name] = []
        while True:
            zone = self._zone_for(name)
            if zone is None:
                detail = f"no zone loaded for {_text(name)}"
                return _answer(query, Outcome.REFUSED, chain, detail=detail)
            step = zone.lookup(name, rdtype)
            if isinstance(step, _Alias):
                seen = [start, *chain]
                if step.target in seen:
                    loop = " -> ".join(_text(n) for n in [*seen, step.target])
                    return _answer(
                        query, Outcome.SERVFAIL, chain, zone, detail=f"CNAME loop: {loop}"
                    )
                if len(chain) == _MAX_CHAIN:
                    detail = f"CNAME chain longer than {_MAX_CHAIN} aliases"
                    return _answer(query, Outcome.SERVFAIL, chain, zone, detail=detail)
                chain.append(step.target)
                name = step.target
                continue
            return _conclude(query, zone, name, step, chain)


def _conclude(
    query: Query, zone: _Zone, name: dns.name.Name, step: _Step, chain: list[dns.name.Name]
) -> Answer:
    """The answer for a step that ends the look-up: data, NODATA, NXDOMAIN or a referral."""
    if step is None:
        return _answer(query, Outcome.NXDOMAIN, chain, zone, authoritative=True)
    if isinstance(step, _Referral):
        servers = [rd.to_text() for rd in step.servers]
        if query.server is not None:
            return Answer(
                query,
                Outcome.REFERRAL,
                aliases=tuple(n.to_text() for n in chain),
                server=zone.server,
                authoritative=False,
                zone=_text(step.cut),
                referral=servers,
                glue=zone.glue(step.servers),
            )
        if query.rdtype is RRType.NS and name == step.cut:
            return _answer(query, Outcome.ANSWER, chain, zone, servers, authoritative=False)
        detail = (
            f"{_text(step.cut)} is delegated to {', '.join(sorted(servers))}"
            f" and no zone for it is loaded"
        )
        return _answer(query, Outcome.SERVFAIL, chain, zone, detail=detail)
    assert isinstance(step, _Data)  # noqa: S101 -- aliases are followed by the caller
    if step.rdataset is None:
        return _answer(query, Outcome.NODATA, chain, zone, authoritative=True)
    records = [rd.to_text() for rd in step.rdataset]
    return _answer(query, Outcome.ANSWER, chain, zone, records, authoritative=True)


def _answer(
    query: Query,
    outcome: Outcome,
    chain: list[dns.name.Name],
    zone: _Zone | None = None,
    records: list[str] | None = None,
    *,
    authoritative: bool | None = None,
    detail: str = "",
) -> Answer:
    """Build an Answer; zone data pecdns cannot represent becomes an ERROR answer."""
    server = zone.server if zone is not None else None
    try:
        return Answer(
            query,
            outcome,
            tuple(records or ()),
            aliases=tuple(n.to_text() for n in chain),
            server=server,
            authoritative=authoritative,
            detail=detail,
        )
    except InvalidRecordError as exc:
        return Answer(query, Outcome.ERROR, server=server, detail=f"malformed zone data: {exc}")
