"""Offline answers from BIND zone files, as authoritative servers would give them."""

from __future__ import annotations

import ipaddress
import os
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import dns.exception
import dns.name
import dns.node
import dns.rdataset
import dns.rdatatype
import dns.rdtypes.ANY.CNAME
import dns.rdtypes.ANY.DNAME
import dns.tokenizer
import dns.transaction
import dns.zone
import dns.zonefile
from attrs import evolve, frozen

from pecdns._models import Answer, Outcome, Query, RRType
from pecdns._names import canonical_name
from pecdns.exceptions import InvalidRecordError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["ZoneResolver"]

_MAX_CHAIN = 8
_SUFFIX = ".zone"
_WILDCARD = b"*"
_RR_FIXED = 10
"""The bytes of a record in wire form besides its owner and data: type, class, TTL, length."""
_OPEN = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
"""Opening a FIFO for reading must not wait for a writer: it is refused once open."""
_CHUNK = 1 << 20


def _text(name: dns.name.Name) -> str:
    """A dnspython name in pecdns's canonical form (the root stays ``"."``)."""
    return "." if name == dns.name.root else canonical_name(name.to_text())


def _zone_error(message: str) -> dns.exception.SyntaxError:
    return dns.exception.SyntaxError(message)  # type: ignore[no-untyped-call]


@frozen
class _Limits:
    """How much a resolver's zones may hold (see :class:`ZoneResolver`)."""

    records: int
    bytes: int
    seconds: float


class _Spent:
    """What the zones loaded so far have spent of a resolver's limits.

    A zone file is untrusted input: one ``$GENERATE`` line can ask for
    billions of records, so every record, every byte and the time are
    counted while the zones are read, and loading stops at the first limit.
    """

    def __init__(self, limits: _Limits) -> None:
        self.limits = limits
        self.records = 0
        self.data = 0
        self.text = 0
        self.deadline = time.monotonic() + limits.seconds

    def fits(self, size: int, source: str) -> None:
        """Check that ``size`` more bytes of zone text from ``source`` are allowed.

        Raises:
            InvalidRecordError: the text goes beyond the limit.
        """
        left = self.limits.bytes - self.text
        if size > left:
            room = "" if left == self.limits.bytes else f"the {max(left, 0)} bytes left of "
            raise InvalidRecordError(
                f"{source}: {size} bytes of zone text, more than {room}the limit of"
                f" {self.limits.bytes} bytes; pass max_bytes= to load more"
            )

    def read(self, size: int, source: str) -> None:
        """Count ``size`` bytes of zone text from ``source``, as :meth:`fits` allows."""
        self.fits(size, source)
        self.text += size

    def left(self) -> int:
        """The bytes of zone text still allowed."""
        return self.limits.bytes - self.text

    def clock(self) -> None:
        """Raise once loading has taken longer than allowed."""
        if time.monotonic() > self.deadline:
            raise _zone_error(
                f"loading the zones took more than {self.limits.seconds:g} s, the limit;"
                " pass max_seconds= to wait longer"
            )

    def record(self, name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> None:
        """Count the record just added to ``rdataset`` at ``name`` (its last one)."""
        self.clock()
        self.records += 1
        if self.records > self.limits.records:
            raise _zone_error(
                f"the zones hold more than {self.limits.records} records, the limit;"
                " pass max_records= to load more"
            )
        added = next(reversed(rdataset.items))
        self.data += len(name.to_wire() or b"") + _RR_FIXED + len(added.to_wire() or b"")
        if self.data > self.limits.bytes:
            raise _zone_error(
                f"the zones' records come to more than {self.limits.bytes} bytes of data,"
                " the limit; pass max_bytes= to load more"
            )


class _Checks:
    """What every record put into one zone is checked for while the zone is read.

    dnspython keeps only the last of two CNAMEs (or DNAMEs) at a name, and
    reports a CNAME beside other data without naming it. NSD and Knot refuse
    a zone with names below a DNAME (RFC 6672 section 2.3), and so does this.
    """

    def __init__(self, spent: _Spent) -> None:
        self.spent = spent
        self.dnames: set[dns.name.Name] = set()
        self.parents: set[dns.name.Name] = set()

    def __call__(
        self, txn: dns.transaction.Transaction, name: dns.name.Name, rdataset: dns.rdataset.Rdataset
    ) -> None:
        self.spent.record(name, rdataset)
        node = txn.get_node(name)
        if node is not None:
            kinds = {node.classify(), dns.node.NodeKind.classify_rdataset(rdataset)}
            if kinds == {dns.node.NodeKind.CNAME, dns.node.NodeKind.REGULAR}:
                raise _zone_error(
                    f"{_text(name)} has a CNAME beside other records; a CNAME must stand alone"
                )
            present = node.get_rdataset(rdataset.rdclass, rdataset.rdtype)
            if (
                rdataset.rdtype in (dns.rdatatype.CNAME, dns.rdatatype.DNAME)
                and present
                and any(r not in present for r in rdataset)
            ):
                kind = dns.rdatatype.to_text(rdataset.rdtype)
                raise _zone_error(f"{_text(name)} has two {kind} records; a name may have one")
        self._below_dname(name, rdataset)

    def _below_dname(self, name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> None:
        if rdataset.rdtype == dns.rdatatype.DNAME:
            if name in self.parents:
                raise _zone_error(
                    f"{_text(name)} has a DNAME and names below it; a DNAME's owner can have"
                    " none (RFC 6672), and NSD and Knot refuse such a zone"
                )
            self.dnames.add(name)
        ancestor = name
        while len(ancestor) > 1:
            ancestor = ancestor.parent()
            if ancestor in self.dnames:
                raise _zone_error(
                    f"{_text(name)} is below the DNAME at {_text(ancestor)}, which redirects"
                    " every name below it (RFC 6672); NSD and Knot refuse such a zone"
                )
            if ancestor in self.parents:
                break  # its ancestors are in too, and none of them has a DNAME
            self.parents.add(ancestor)


class _Tokenizer(dns.tokenizer.Tokenizer):
    """A tokenizer that knows the line of the last token it gave out, and the time.

    dnspython counts a line as soon as it peeks at the newline that ends the
    one before, so an error found at the end of a record would name the next line.
    """

    token_line = 1

    def __init__(self, text: str, source: str, spent: _Spent) -> None:
        super().__init__(text, source)
        self.spent = spent

    def get(self, want_leading: bool = False, want_comment: bool = False) -> dns.tokenizer.Token:
        self.spent.clock()
        token = super().get(want_leading, want_comment)
        past_newline = token.is_eol() or self.ungotten_char == "\n"
        self.token_line = self.line_number - 1 if past_newline else self.line_number
        return token


def _read(text: str, source: str, origin: dns.name.Name | None, spent: _Spent) -> dns.zone.Zone:
    """Parse zone text with absolute names.

    dnspython keeps no origin for a zone without records at or below it; this
    gives such a zone the origin of its ``$ORIGIN`` line, empty.

    Raises:
        InvalidRecordError: a syntax error or a limit reached, with the file and line.
        dns.exception.DNSException: any other error, the origin's absence included.
    """
    zone = dns.zone.Zone(origin, relativize=False)
    tok = _Tokenizer(text, source, spent)
    with zone.writer(replacement=True) as txn:
        txn.check_put_rdataset(_Checks(spent))
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


def _parse(text: str, source: str, fallback: str | None, hint: str, spent: _Spent) -> dns.zone.Zone:
    """Parse zone text; without ``$ORIGIN`` before the first record, use ``fallback`` as origin.

    Raises:
        InvalidRecordError: the text does not parse, its origin is unknown, or
            it goes beyond a limit.
    """
    counted = spent.records, spent.data
    try:
        try:
            zone: dns.zone.Zone | None = _read(text, source, None, spent)
        except (dns.zone.UnknownOrigin, dns.zonefile.UnknownOrigin):
            zone = None
        if zone is None or zone.origin is None:
            if fallback is None:
                raise InvalidRecordError(
                    f"{source}: no $ORIGIN line with an absolute name comes before"
                    f" the first record, so the zone's origin is unknown; {hint}"
                )
            spent.records, spent.data = counted
            zone = _read(text, source, dns.name.from_text(fallback), spent)
    except dns.exception.DNSException as exc:
        message = str(exc)
        if not message.startswith(f"{source}:"):
            message = f"{source}: {message}"
        raise InvalidRecordError(message) from None
    return zone


def _special(mode: int) -> str:
    """What a file that is neither a regular file nor a folder is."""
    kinds = (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((kind for test, kind in kinds if test(mode)), "a special file")


def _read_file(path: Path, spent: _Spent) -> str:
    """The text of a zone file, read no further than the bytes left of the limit.

    Raises:
        InvalidRecordError: a folder or a special file (a device, a FIFO), a
            file larger than the limit, or text that is not UTF-8.
        OSError: the file cannot be opened or read.
    """
    fd = os.open(path, _OPEN)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InvalidRecordError(
                f"{path}: a folder, not a zone file;"
                " ZoneResolver.from_directory() loads the *.zone files in a folder"
            )
        if not stat.S_ISREG(info.st_mode):
            raise InvalidRecordError(
                f"{path}: {_special(info.st_mode)}, not a zone file; a zone file is a regular file"
            )
        spent.fits(info.st_size, str(path))  # refuse a large file before reading any of it
        data = bytearray()
        while len(data) <= spent.left():  # the file may have grown since
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    spent.read(len(data), str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRecordError(f"{path}: not UTF-8 text ({exc.reason})") from None


@frozen
class _Data:
    """The records at a node for the asked type; ``None`` when it has none (NODATA)."""

    rdataset: dns.rdataset.Rdataset | None


@frozen
class _Alias:
    """The node is a CNAME to ``target``."""

    target: dns.name.Name


@frozen
class _Redirect:
    """A DNAME at ``owner``, above the name, rewrites it to ``target`` (RFC 6672).

    ``target`` is ``None`` when the rewritten name would be longer than a
    name may be (the server's YXDOMAIN).
    """

    owner: dns.name.Name
    target: dns.name.Name | None


@frozen
class _Referral:
    """The name is at or below a zone cut whose child zone this zone does not hold."""

    cut: dns.name.Name
    servers: dns.rdataset.Rdataset


_Step: TypeAlias = _Data | _Alias | _Redirect | _Referral | None
"""What one zone says about one name: ``None`` is NXDOMAIN."""


class _Zone:
    """One parsed zone, with the names that exist in it, its delegations and DNAMEs."""

    def __init__(self, zone: dns.zone.Zone, source: str) -> None:
        assert zone.origin is not None  # noqa: S101 -- _parse gives every zone an origin
        self.zone = zone
        self.origin = zone.origin
        self.source = source
        self.server = f"zone:{_text(self.origin)}"
        names = {self.origin}
        cuts = set()
        dnames = {}
        for owner, node in zone.nodes.items():
            name = owner
            while name not in names:
                names.add(name)
                name = name.parent()
            if owner != self.origin and node.get_rdataset(zone.rdclass, dns.rdatatype.NS):
                cuts.add(owner)
            dname = node.get_rdataset(zone.rdclass, dns.rdatatype.DNAME)
            if dname:
                record = next(iter(dname))
                assert isinstance(record, dns.rdtypes.ANY.DNAME.DNAME)  # noqa: S101 -- by type
                dnames[owner] = record.target
        self.names = frozenset(names)
        self.cuts = frozenset(cuts)
        self.dnames = dnames

    def _path(self, name: dns.name.Name) -> list[dns.name.Name]:
        """The names from the origin down to ``name`` itself."""
        return [name.split(depth)[1] for depth in range(len(self.origin), len(name) + 1)]

    def lookup(self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> _Step:
        """What this zone says about ``name`` and ``rdtype``.

        Going down from the origin, the first zone cut or DNAME met decides:
        a cut at or above the name refers it, a DNAME strictly above it
        rewrites it (a DNAME leaves its own owner alone, as NSD and Knot do).
        """
        path = self._path(name)
        for ancestor in path:
            if ancestor in self.cuts:
                servers = self.zone.get_rdataset(ancestor, dns.rdatatype.NS)
                assert servers is not None  # noqa: S101 -- cuts are names with NS
                return _Referral(ancestor, servers)
            if ancestor in self.dnames and ancestor != name:
                return self._redirect(name, ancestor)
        if name in self.names:
            return self._data(name, rdtype)
        encloser = next(a for a in reversed(path) if a in self.names)
        wildcard = dns.name.Name((_WILDCARD, *encloser.labels))
        if wildcard in self.names:
            return self._data(wildcard, rdtype)
        return None

    def _redirect(self, name: dns.name.Name, owner: dns.name.Name) -> _Redirect:
        try:
            return _Redirect(owner, name.relativize(owner).derelativize(self.dnames[owner]))
        except dns.name.NameTooLong:
            return _Redirect(owner, None)

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
    r"""Offline answers from BIND zone files or zone text; never touches the network.

    It answers as a recursive resolver would see the authoritative servers
    of the loaded zones answer:

    - a name is answered by the most specific loaded zone at or above it; a
      name under no loaded zone is ``NOT_LOADED``, with ``zone`` the name;
    - a name at or below a delegation (NS records below the zone's origin)
      whose child zone is not loaded is ``NOT_LOADED``, with ``zone`` the
      delegated zone, except the NS question at the cut itself, answered
      with the delegation's NS records and ``authoritative=False``;
      ``NOT_LOADED`` says the zones do not show it, never that it is broken;
    - CNAMEs are followed, across zones too, and listed in ``aliases``; a
      DNAME redirects the names *below* its owner (not the owner itself),
      as NSD and Knot do: the CNAME it synthesises is followed and listed
      like any other (RFC 6672); a loop or a chain of more than 8 is
      ``SERVFAIL``, a name rewritten past 255 octets is ``ERROR``
      (the server's YXDOMAIN);
    - a name without the asked type, or one that exists only because names
      below it do (an empty non-terminal), is ``NODATA``; a missing name is
      ``NXDOMAIN`` unless a wildcard (``*``) of its closest encloser
      answers for it (RFC 4592).

    A question with a ``server`` is answered as one server loading every
    zone would: at a delegation whose child zone is not loaded, with a
    referral (its NS and glue), unless ``server`` is an address of one of
    the delegation's own name servers, which would serve the child zone:
    that is ``NOT_LOADED`` too, never a lame server.

    ``server`` is ``"zone:"`` and the origin of the zone that answered, in
    canonical form with its trailing dot (``"zone:example.it."``); ``None``
    when no zone holds the name. ``authoritative`` is ``True`` on answers
    from a zone's own data, ``False`` on NS records at a delegation, ``None``
    on failures.

    A zone's origin is its first ``$ORIGIN`` line, which must come before its
    first record. Records outside the origin are ignored, as BIND ignores
    them; ``$INCLUDE`` is not allowed, and neither are names below a DNAME
    (NSD and Knot refuse them). A zone needs no SOA or NS records.

    Zone files are untrusted input, so loading is bounded: a one-line
    ``$GENERATE`` can ask for billions of records. Over all the zones given,
    at most ``max_records`` records, ``max_bytes`` bytes of text and as many
    of record data (in wire form), and ``max_seconds`` of parsing; beyond
    any of them the zones are refused. Only regular files are read.

    Args:
        *zones: each a path (any :class:`os.PathLike`) to a zone file, or a
            :class:`str` of zone text. A file without ``$ORIGIN`` takes its
            origin from its name, ``example.it.zone`` giving ``example.it.``.
        origin: the origin of zone texts that have no ``$ORIGIN`` line before
            their first record; zone files never use it.
        max_records: the most records the zones may hold
            (:attr:`MAX_RECORDS` by default).
        max_bytes: the most bytes of zone text, and of record data, the
            zones may hold (:attr:`MAX_BYTES` by default).
        max_seconds: the most seconds loading may take
            (:attr:`MAX_SECONDS` by default).

    Raises:
        InvalidRecordError: a zone does not parse (the message names the file,
            or ``<zone text N>`` for the Nth argument, and the line), its
            origin is unknown, two zones have the same origin, a limit is
            reached (the message names the limit and the file and line
            reached), or a path is a folder or a special file (a device, a
            FIFO).
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

    A DNAME moves the names below its owner, not the owner itself:

    >>> renamed = ZoneResolver(
    ...     "$ORIGIN old.it.\n$TTL 60\n@ IN DNAME example.it.\n@ IN MX 10 mail.old.it.\n",
    ...     "$ORIGIN example.it.\n$TTL 60\npec IN MX 10 mx.pec.aruba.it.\n",
    ... )
    >>> str(renamed.resolve(Query("pec.old.it", "MX")))
    'pec.old.it. MX -> pec.example.it.: 10 mx.pec.aruba.it.'
    >>> str(renamed.resolve(Query("old.it", "MX")))
    'old.it. MX: 10 mail.old.it.'
    """

    MAX_RECORDS = 100_000
    """How many records a resolver's zones may hold, by default."""
    MAX_BYTES = 16 * 1024 * 1024
    """How many bytes of zone text (and of record data) a resolver's zones may hold, by default."""
    MAX_SECONDS = 30.0
    """How many seconds loading a resolver's zones may take, by default."""

    def __init__(
        self,
        *zones: str | os.PathLike[str],
        origin: str | None = None,
        max_records: int | None = None,
        max_bytes: int | None = None,
        max_seconds: float | None = None,
    ) -> None:
        """Parse every zone; nothing is read again after this."""
        spent = _Spent(
            _Limits(
                self.MAX_RECORDS if max_records is None else max_records,
                self.MAX_BYTES if max_bytes is None else max_bytes,
                self.MAX_SECONDS if max_seconds is None else max_seconds,
            )
        )
        self._zones: dict[dns.name.Name, _Zone] = {}
        for number, item in enumerate(zones, start=1):
            zone = _load(item, number, origin, spent)
            other = self._zones.get(zone.origin)
            if other is not None:
                raise InvalidRecordError(
                    f"{other.source} and {zone.source} are both the zone {_text(zone.origin)}"
                )
            self._zones[zone.origin] = zone

    @classmethod
    def from_directory(
        cls,
        path: str | os.PathLike[str],
        *,
        max_records: int | None = None,
        max_bytes: int | None = None,
        max_seconds: float | None = None,
    ) -> ZoneResolver:
        """Load every ``*.zone`` file in a folder, in file-name order.

        Raises:
            FileNotFoundError: the folder holds no ``*.zone`` file (or does not exist).
            InvalidRecordError: as for the constructor.
        """
        folder = Path(path)
        files = sorted(p for p in folder.glob(f"*{_SUFFIX}") if p.is_file())
        if not files:
            raise FileNotFoundError(f"no *{_SUFFIX} files in {folder}")
        return cls(*files, max_records=max_records, max_bytes=max_bytes, max_seconds=max_seconds)

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
        """Answer one question from the loaded zones (see the class for how)."""
        redirects: list[tuple[str, str]] = []
        answer = self._resolve(query, redirects)
        # The DNAMEs whose synthesised CNAMEs the answer holds, as a server sends them (RFC 6672).
        return evolve(answer, dnames=redirects) if redirects else answer

    def _resolve(self, query: Query, redirects: list[tuple[str, str]]) -> Answer:
        """Answer one question; each DNAME that synthesised a CNAME of it goes to ``redirects``."""
        rdtype = dns.rdatatype.from_text(query.rdtype.value)
        start = name = dns.name.from_text(query.name)
        chain: list[dns.name.Name] = []
        while True:
            zone = self._zone_for(name)
            if zone is None:
                detail = f"no zone loaded for {_text(name)}"
                return _answer(query, Outcome.NOT_LOADED, chain, detail=detail, zone=_text(name))
            step = zone.lookup(name, rdtype)
            if isinstance(step, _Referral):
                return self._referral(query, zone, name, step, chain)
            if not isinstance(step, _Alias | _Redirect):
                return _conclude(query, zone, step, chain)
            followed = _follow(query, zone, name, step, [start, *chain])
            # A DNAME counts once its CNAME is made: followed, or the answer to a CNAME question.
            synthesised = not isinstance(followed, Answer) or followed.outcome is Outcome.ANSWER
            if isinstance(step, _Redirect) and synthesised:
                redirects.append((_text(step.owner), _text(zone.dnames[step.owner])))
            if isinstance(followed, Answer):
                return followed
            chain.append(followed)
            name = followed

    def _referral(
        self,
        query: Query,
        zone: _Zone,
        name: dns.name.Name,
        step: _Referral,
        chain: list[dns.name.Name],
    ) -> Answer:
        """The answer at a delegation whose child zone is not loaded."""
        servers = [rd.to_text() for rd in step.servers]
        cut = _text(step.cut)
        if query.server is not None and query.server not in self._addresses(zone, step):
            return Answer(
                query,
                Outcome.REFERRAL,
                aliases=tuple(n.to_text() for n in chain),
                server=zone.server,
                authoritative=False,
                zone=cut,
                referral=servers,
                glue=zone.glue(step.servers),
            )
        if query.server is None and query.rdtype is RRType.NS and name == step.cut:
            return _answer(query, Outcome.ANSWER, chain, zone, servers, authoritative=False)
        detail = (
            f"no zone loaded for {cut} ({_text(zone.origin)} delegates it to"
            f" {', '.join(sorted(servers))})"
        )
        return _answer(query, Outcome.NOT_LOADED, chain, zone, detail=detail, zone=cut)

    def _addresses(self, zone: _Zone, step: _Referral) -> set[str]:
        """The addresses of a delegation's name servers: its glue, and what the zones say."""
        found = {address for _, address in zone.glue(step.servers)}
        for rd in step.servers:
            for rdtype in (RRType.A, RRType.AAAA):
                found.update(self.resolve(Query(rd.target.to_text(), rdtype)).records)
        return {str(ipaddress.ip_address(a)) for a in found}


def _load(item: str | os.PathLike[str], number: int, origin: str | None, spent: _Spent) -> _Zone:
    """Parse one zone given to the constructor, text or file."""
    if isinstance(item, str):
        source = f"<zone text {number}>"
        hint = (
            "pass a zone file as a pathlib.Path, not a str"
            if item.strip().endswith(_SUFFIX) and len(item.split()) == 1
            else "add one, or pass origin="
        )
        spent.read(len(item.encode("utf-8", "surrogatepass")), source)
        return _Zone(_parse(item, source, origin, hint, spent), source)
    if isinstance(item, os.PathLike):
        path = Path(item)
        text = _read_file(path, spent)
        hint = f"add one, or name the file <origin>{_SUFFIX}"
        return _Zone(_parse(text, str(path), _origin_from_file_name(path), hint, spent), str(path))
    raise TypeError(f"a zone is a path or a str of zone text, not {type(item).__name__}")


def _follow(
    query: Query,
    zone: _Zone,
    name: dns.name.Name,
    step: _Alias | _Redirect,
    seen: list[dns.name.Name],
) -> dns.name.Name | Answer:
    """The next name of an alias chain, or the answer that ends it.

    ``seen`` is the question's name and the chain so far.
    """
    chain = seen[1:]
    if isinstance(step, _Redirect):
        if step.target is None:
            detail = (
                f"RCODE YXDOMAIN: the DNAME at {_text(step.owner)} makes"
                f" {_text(name)} longer than a name may be"
            )
            return _answer(query, Outcome.ERROR, chain, zone, detail=detail)
        if query.rdtype is RRType.CNAME:  # the synthesised CNAME is the answer, as servers give it
            records = [step.target.to_text()]
            return _answer(query, Outcome.ANSWER, chain, zone, records, authoritative=True)
    target = step.target
    assert target is not None  # noqa: S101 -- a YXDOMAIN is answered above
    if target in seen:
        kind = "CNAME" if isinstance(step, _Alias) else "DNAME"
        loop = " -> ".join(_text(n) for n in [*seen, target])
        return _answer(query, Outcome.SERVFAIL, chain, zone, detail=f"{kind} loop: {loop}")
    if len(chain) == _MAX_CHAIN:
        detail = f"CNAME chain longer than {_MAX_CHAIN} aliases"
        return _answer(query, Outcome.SERVFAIL, chain, zone, detail=detail)
    return target


def _conclude(query: Query, zone: _Zone, step: _Data | None, chain: list[dns.name.Name]) -> Answer:
    """The answer for a step that ends the look-up in a zone's own data."""
    if step is None:
        return _answer(query, Outcome.NXDOMAIN, chain, zone, authoritative=True)
    if step.rdataset is None:
        return _answer(query, Outcome.NODATA, chain, zone, authoritative=True)
    records = [rd.to_text() for rd in step.rdataset]
    return _answer(query, Outcome.ANSWER, chain, zone, records, authoritative=True)


def _answer(
    query: Query,
    outcome: Outcome,
    chain: Iterable[dns.name.Name],
    source: _Zone | None = None,
    records: list[str] | None = None,
    *,
    authoritative: bool | None = None,
    detail: str = "",
    zone: str | None = None,
) -> Answer:
    """Build an Answer; zone data pecdns cannot represent becomes an ERROR answer."""
    server = source.server if source is not None else None
    try:
        return Answer(
            query,
            outcome,
            tuple(records or ()),
            aliases=tuple(n.to_text() for n in chain),
            server=server,
            authoritative=authoritative,
            detail=detail,
            zone=zone,
        )
    except InvalidRecordError as exc:
        return Answer(query, Outcome.ERROR, server=server, detail=f"malformed zone data: {exc}")
