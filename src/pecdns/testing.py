"""Test doubles for pecdns and for the test suites of tools built on it.

:class:`FakeResolver` answers from a plain mapping or from a handler
function, as httpx's ``MockTransport`` does for HTTP. :class:`FakeDNS` is
one you fill as the test goes, with a one-line scenario for each typical
mistake, and :func:`assert_findings` compares a report's finding codes with
the expected ones, showing the difference. The pytest plugin
(:mod:`pecdns.pytest_plugin`) hands a fresh :class:`FakeDNS` to each test.
"""

from __future__ import annotations

import collections
import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, TypeAlias

from attrs import evolve
from typing_extensions import Self

from pecdns._domain import Domain
from pecdns._models import (
    Answer,
    Outcome,
    Query,
    Report,
    RRType,
    Severity,
    Verdict,
    canonical_rdata,
    safe_text,
)
from pecdns._names import canonical_name
from pecdns._policy import ARUBA, Policy
from pecdns.exceptions import InvalidRecordError

if TYPE_CHECKING:
    from pecdns._batch import InvalidInput
    from pecdns._models import Finding

__all__ = [
    "AsyncFakeResolver",
    "Data",
    "FakeDNS",
    "FakeResolver",
    "Handler",
    "Zone",
    "assert_findings",
]

Data: TypeAlias = "str | Iterable[str] | Outcome"
"""What the mapping holds for one type: record data, a list of it, or an Outcome."""
Zone: TypeAlias = "Mapping[str, Outcome | Mapping[str, Data]]"
"""A fake's data: names, each mapped to its records by type, or to an Outcome."""
Handler: TypeAlias = "Callable[[Query], Answer | Outcome | Iterable[str]]"
"""A function that answers each question: an Answer, an Outcome, or records."""

_MAX_CHAIN = 8


def _rrset(name: str, rdtype: RRType, data: Data) -> tuple[str, ...] | Outcome:
    if isinstance(data, Outcome):
        return data
    values = [data] if isinstance(data, str) else list(data)
    try:
        return tuple(dict.fromkeys(canonical_rdata(rdtype, v) for v in values))
    except InvalidRecordError as exc:
        raise InvalidRecordError(f"{name} {rdtype}: {exc}") from None


def _node(name: str, value: Outcome | Mapping[str, Data]) -> Outcome | dict[RRType, object]:
    if isinstance(value, Outcome):
        return value
    if not isinstance(value, Mapping):
        raise InvalidRecordError(
            f"{name}: give a mapping of record types to data, or an Outcome, not {value!r}"
        )
    node: dict[RRType, object] = {}
    for key, data in value.items():
        rdtype = Query(name, key).rdtype
        node[rdtype] = _rrset(name, rdtype, data)
    if RRType.CNAME in node and len(node) > 1:
        raise InvalidRecordError(f"{name}: a CNAME cannot stand beside other records")
    cname = node.get(RRType.CNAME)
    if isinstance(cname, tuple) and len(cname) != 1:
        raise InvalidRecordError(f"{name}: a name has one CNAME target at most")
    return node


class FakeResolver:
    """A resolver that answers from data you give it, for tests and examples.

    From a mapping ``{name: {type: data}}``, it answers as a recursive
    resolver would: a name that is absent is NXDOMAIN (but NODATA when a name
    below it is present), a present name without the asked type is NODATA,
    and CNAMEs are followed. ``data`` is one record in zone-file form, a list
    of them, or an :class:`~pecdns.resolvers.Outcome` to simulate a failure
    (``Outcome.SERVFAIL``, ``REFUSED``, ``TIMEOUT``...); an Outcome in place of
    a name's whole mapping applies to every type at that name. As in a zone,
    a ``*`` name answers for missing names below its parent (RFC 4592), and a
    ``"DNAME"`` entry redirects the names *below* its owner, not the owner
    itself, through a synthesised CNAME listed in ``aliases`` (RFC 6672).

    From a handler ``handler(query)``, it returns what the handler returns:
    an :class:`~pecdns.resolvers.Answer`, an Outcome, or a list of records.

    Every question asked is kept in :attr:`queries`, in the order asked. A check
    asks each round's questions at once (from threads, for a sync resolver), so
    within a round that order varies: compare them sorted, or as a set.

    >>> from pecdns.resolvers import Outcome, Query
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "broken.example": Outcome.SERVFAIL,
    ...     }
    ... )
    >>> str(fake.resolve(Query("pec.example.it", "MX")))
    'pec.example.it. MX: 10 mx.pec.aruba.it.'
    >>> fake.resolve(Query("example.it", "MX")).outcome
    <Outcome.NODATA: 'NODATA'>
    >>> fake.resolve(Query("www.broken.example", "A")).outcome
    <Outcome.NXDOMAIN: 'NXDOMAIN'>
    >>> moved = FakeResolver(
    ...     {"old.it": {"DNAME": "example.it."}, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}}
    ... )
    >>> str(moved.resolve(Query("pec.old.it", "MX")))
    'pec.old.it. MX -> pec.example.it.: 10 mx.pec.aruba.it.'
    """

    def __init__(self, data: Zone | Handler, *, record: bool = True) -> None:
        """Build a fake from a mapping of names to records, or from a handler.

        With ``record=False`` no question is kept, so a fake serving millions of
        checks (a benchmark, a long stream) uses constant memory.
        """
        self.record = record
        self.queries: list[Query] = []
        """Every question asked, in the order asked (none with ``record=False``)."""
        self._handler: Handler | None = None
        self._zone: dict[str, Outcome | dict[RRType, object]] = {}
        self._above: set[str] = set()
        self._dnames: dict[str, str] = {}
        if callable(data):
            self._handler = data
        elif isinstance(data, Mapping):
            for name, value in data.items():
                owner = canonical_name(name)
                if owner in self._zone:
                    raise InvalidRecordError(f"{name!r} is given twice (names are case-blind)")
                self._zone[owner] = _node(owner, self._take_dname(owner, value))
            # Every name above an owner exists (as an empty non-terminal, if nothing else).
            self._above = {
                owner.split(".", i)[-1] for owner in self._zone for i in range(1, owner.count("."))
            } | ({"."} if self._zone else set())
            below = next((o for o in self._dnames if o in self._above), None)
            if below is not None:
                raise InvalidRecordError(
                    f"{below} has a DNAME and names below it; a DNAME's owner can have none"
                    " (RFC 6672)"
                )
        else:
            raise TypeError(
                f"FakeResolver takes a mapping or a callable, not {type(data).__name__}"
            )

    def _take_dname(
        self, owner: str, value: Outcome | Mapping[str, Data]
    ) -> Outcome | Mapping[str, Data]:
        """Keep a name's DNAME target apart; the rest of its mapping is its node."""
        if not isinstance(value, Mapping):
            return value
        dname = [v for k, v in value.items() if isinstance(k, str) and k.upper() == "DNAME"]
        if not dname:
            return value
        targets = [dname[0]] if isinstance(dname[0], str) else list(dname[0])
        if len(dname) > 1 or len(targets) != 1 or not isinstance(targets[0], str):
            raise InvalidRecordError(f"{owner}: a DNAME is one target name, not {dname!r}")
        if any(isinstance(k, str) and k.upper() == "CNAME" for k in value):
            raise InvalidRecordError(f"{owner}: a CNAME cannot stand beside other records")
        self._dnames[owner] = canonical_name(targets[0])
        return {k: v for k, v in value.items() if not (isinstance(k, str) and k.upper() == "DNAME")}

    def _dname_above(self, name: str) -> str | None:
        """The owner of a DNAME strictly above ``name``, if any."""
        if self._dnames:
            for i in range(1, name.count(".")):
                owner = name.split(".", i)[-1]
                if owner in self._dnames:
                    return owner
        return None

    def _redirect(
        self, query: Query, name: str, owner: str, aliases: list[str], dnames: list[tuple[str, str]]
    ) -> str | Answer:
        """The name a DNAME at ``owner`` rewrites ``name`` to, or the answer that ends there.

        The DNAME goes to ``dnames`` once it has synthesised a CNAME, as a server sends it.
        """
        try:
            target = canonical_name(name.removesuffix(owner) + self._dnames[owner])
        except InvalidRecordError:
            detail = f"RCODE YXDOMAIN: the DNAME at {owner} makes {name} too long"
            return Answer(query, Outcome.ERROR, aliases=aliases, detail=detail)
        dnames.append((owner, self._dnames[owner]))
        if query.rdtype is RRType.CNAME:  # the synthesised CNAME is the answer
            return Answer(query, Outcome.ANSWER, (target,), aliases=aliases)
        return target

    def _wildcard(self, name: str) -> Outcome | dict[RRType, object] | None:
        """The node of the wildcard that answers for a missing ``name`` (RFC 4592), if any."""
        encloser = next(
            (
                parent
                for parent in (name.split(".", i)[-1] for i in range(1, name.count(".")))
                if parent in self._zone or parent in self._above
            ),
            ".",
        )
        return self._zone.get("*." if encloser == "." else f"*.{encloser}")

    def resolve(self, query: Query) -> Answer:
        """Answer one question from the fake's data."""
        if self.record:
            self.queries.append(query)
        if self._handler is not None:
            result = self._handler(query)
            if isinstance(result, Answer):
                return result
            if isinstance(result, Outcome):
                return Answer(query, result)
            records = _rrset(query.name, query.rdtype, result)
            assert not isinstance(records, Outcome)  # noqa: S101 -- narrowed above
            return Answer(query, Outcome.ANSWER if records else Outcome.NODATA, records)
        return self._lookup(query)

    def _lookup(self, query: Query) -> Answer:
        dnames: list[tuple[str, str]] = []
        answer = self._chase(query, dnames)
        return evolve(answer, dnames=dnames) if dnames else answer

    def _chase(self, query: Query, dnames: list[tuple[str, str]]) -> Answer:
        """Follow the question's aliases; each DNAME that synthesised one goes to ``dnames``."""
        name, aliases = query.name, list[str]()
        for _ in range(_MAX_CHAIN):
            owner = self._dname_above(name)
            if owner is not None:
                redirected = self._redirect(query, name, owner, aliases, dnames)
                if isinstance(redirected, Answer):
                    return redirected
                name = redirected
                aliases.append(name)
                continue
            node = self._zone.get(name)
            if node is None and name not in self._above:
                node = self._wildcard(name)
            if isinstance(node, Outcome):
                return Answer(query, node, aliases=aliases, detail="simulated by FakeResolver")
            if node is None:
                below = name in self._above
                return Answer(query, Outcome.NODATA if below else Outcome.NXDOMAIN, aliases=aliases)
            data = node.get(query.rdtype)
            cname = node.get(RRType.CNAME)
            if data is None and isinstance(cname, tuple) and query.rdtype is not RRType.CNAME:
                name = cname[0]
                aliases.append(name)
                continue
            if isinstance(data, Outcome):
                return Answer(query, data, aliases=aliases, detail="simulated by FakeResolver")
            records = data if isinstance(data, tuple) else ()
            return Answer(
                query, Outcome.ANSWER if records else Outcome.NODATA, records, aliases=aliases
            )
        return Answer(
            query, Outcome.SERVFAIL, aliases=aliases, detail="CNAME chain too long or looping"
        )


class AsyncFakeResolver:
    """:class:`FakeResolver` for asyncio: the same data or handler, awaited.

    The handler may be a coroutine function. Questions are kept in
    :attr:`queries` as with the sync fake; ``record=False`` keeps none, for
    long runs (a benchmark streaming millions of names).

    >>> import asyncio
    >>> from pecdns import acheck
    >>> fake = AsyncFakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> asyncio.run(acheck("example.it", resolver=fake)).ok
    True
    """

    def __init__(
        self,
        data: Zone | Handler | Callable[[Query], Awaitable[Answer]],
        *,
        record: bool = True,
    ) -> None:
        """Build a fake from a mapping of names to records, or from a (coroutine) handler."""
        self._async_handler = data if inspect.iscoroutinefunction(data) else None
        fake_data = {} if self._async_handler else data
        self._fake = FakeResolver(fake_data, record=record)  # type: ignore[arg-type]
        self.record = record
        self.queries = self._fake.queries
        """Every question asked, in the order asked (none with ``record=False``)."""

    async def resolve(self, query: Query) -> Answer:
        """Answer one question from the fake's data or handler."""
        if self._async_handler is not None:
            if self.record:
                self.queries.append(query)
            answer: Answer = await self._async_handler(query)
            return answer
        return self._fake.resolve(query)


_PROVIDER_A = "192.0.2.25"
_PROVIDER_AAAA = "2001:db8::25"
_NS_ADDRESSES = ("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4")


class FakeDNS:
    """A fake DNS you fill as the test goes: records one by one, or a scenario in one line.

    It answers as :class:`FakeResolver` does, from what it holds when asked
    (it can be changed between checks). It starts with the address of the
    policy's MX host, the checker's own look-up, which any working resolver
    answers; ``FakeDNS(provider=False)`` starts empty. Each scenario method
    sets up one domain and returns the fake, so they chain; its docstring
    names the finding it gives. This is what the ``pec_resolver`` fixture of
    the pytest plugin returns (see :mod:`pecdns.pytest_plugin`).

    Args:
        policy: the provider the scenarios are written for.
        provider: start with the address of the policy's MX host.

    >>> from pecdns import check
    >>> dns = FakeDNS()
    >>> dns.add("pec.example.it", "MX", "10 mx.pec.aruba.it.")
    FakeDNS(names=['mx.pec.aruba.it.', 'pec.example.it.'])
    >>> check("example.it", resolver=dns).verdict
    <Verdict.COMPLIANT: 'COMPLIANT'>
    >>> check("example.org", resolver=dns.wrong_host("example.org")).codes()
    ('MX_WRONG_HOST', 'SETUP_UNKNOWN')
    """

    def __init__(self, policy: Policy | None = None, *, provider: bool = True) -> None:
        """Start with nothing but, unless ``provider=False``, the policy's MX host address."""
        self.policy: Policy = policy or ARUBA
        """The provider the scenarios are written for."""
        self.queries: list[Query] = []
        """Every question asked, in the order asked (within a round it varies: see FakeResolver)."""
        self._names: dict[str, Outcome | dict[RRType, list[str] | Outcome]] = {}
        self._fake: FakeResolver | None = None
        if provider:
            self.add(self.policy.mx_host, "A", _PROVIDER_A)
            self.add(self.policy.mx_host, "AAAA", _PROVIDER_AAAA)

    def __repr__(self) -> str:
        """The names the fake holds, sorted."""
        return f"FakeDNS(names={sorted(self._names)!r})"

    def _changed(self) -> Self:
        self._fake = None
        return self

    def add(self, name: str, rdtype: str, data: Data) -> Self:
        """Add records of one type at a name (to those it has), or make that type fail.

        Args:
            name: the owner name, with or without the trailing dot.
            rdtype: ``"MX"``, ``"A"``, ``"AAAA"``, ``"NS"`` or ``"CNAME"``.
            data: one record in zone-file form, a list of them, or an
                :class:`~pecdns.resolvers.Outcome` that this type answers with.

        Raises:
            InvalidRecordError: the name, type or data is not valid.
        """
        query = Query(name, rdtype)
        rrset = _rrset(query.name, query.rdtype, data)
        old = self._names.get(query.name)
        node = dict(old) if isinstance(old, dict) else {}
        present = node.get(query.rdtype)
        if isinstance(rrset, Outcome) or not isinstance(present, list):
            node[query.rdtype] = rrset if isinstance(rrset, Outcome) else list(rrset)
        else:
            node[query.rdtype] = [*present, *(r for r in rrset if r not in present)]
        _node(query.name, {t.value: v for t, v in node.items()})  # refuse what FakeResolver would
        self._names[query.name] = node
        return self._changed()

    def fail(self, name: str, outcome: Outcome | str) -> Self:
        """Make every question about ``name`` end with ``outcome`` (``"SERVFAIL"``...)."""
        self._names[Query(name, "A").name] = Outcome(outcome)
        return self._changed()

    def remove(self, name: str, rdtype: str | None = None) -> Self:
        """Forget the records of one type at ``name``, or everything at it."""
        owner = Query(name, rdtype or "A").name
        node = self._names.get(owner)
        if rdtype is None or not isinstance(node, dict):
            self._names.pop(owner, None)
        else:
            node.pop(Query(owner, rdtype).rdtype, None)
        return self._changed()

    def zone(self) -> dict[str, Outcome | dict[str, list[str] | Outcome]]:
        """What the fake holds, as the mapping :class:`FakeResolver` takes."""
        return {
            name: node if isinstance(node, Outcome) else {t.value: v for t, v in node.items()}
            for name, node in self._names.items()
        }

    def resolve(self, query: Query) -> Answer:
        """Answer one question from what the fake holds now."""
        if self._fake is None:
            self._fake = FakeResolver(self.zone())
            self._fake.queries = self.queries
        return self._fake.resolve(query)

    # -- scenarios: one domain each, in one line --------------------------------------------

    def _pec(self, domain: str | Domain) -> str:
        return self.policy.pec_name(domain if isinstance(domain, Domain) else Domain(domain))

    def _apex(self, domain: str | Domain) -> str:
        return self._pec(domain).split(".", 1)[1]

    def compliant(self, domain: str | Domain) -> Self:
        """The PEC name has exactly the policy's MX: ``MX_OK``, COMPLIANT."""
        return self.add(self._pec(domain), "MX", str(self.policy.mx))

    def wrong_host(self, domain: str | Domain, host: str | None = None) -> Self:
        """The PEC name's MX points to another host (``mail.<domain>``): ``MX_WRONG_HOST``."""
        target = host or f"mail.{self._apex(domain)}"
        self.add(target, "A", "198.51.100.25")
        return self.add(self._pec(domain), "MX", f"{self.policy.mx_preference} {target}")

    def wrong_preference(self, domain: str | Domain, preference: int = 20) -> Self:
        """The right host with another preference: ``MX_WRONG_PREFERENCE`` (a warning)."""
        return self.add(self._pec(domain), "MX", f"{preference} {self.policy.mx_host}")

    def missing_dot(self, domain: str | Domain) -> Self:
        """The MX target written in the domain's zone without its final dot: ``MX_TRAILING_DOT``."""
        target = f"{self.policy.mx_host}{self._apex(domain)}"
        return self.add(self._pec(domain), "MX", f"{self.policy.mx_preference} {target}")

    def no_mx(self, domain: str | Domain) -> Self:
        """The PEC name exists (it has an address) but has no MX: ``MX_MISSING``."""
        return self.add(self._pec(domain), "A", "198.51.100.50")

    def null_mx(self, domain: str | Domain) -> Self:
        """The PEC name has the null MX ``0 .`` (RFC 7505): ``MX_NULL``."""
        return self.add(self._pec(domain), "MX", "0 .")

    def hybrid(self, domain: str | Domain, other: str | None = None) -> Self:
        """The provider's MX beside the customer's own server: ``MX_EXTRA_HOST``, ``MX_HYBRID``."""
        target = other or f"mail.{self._apex(domain)}"
        self.add(target, "A", "198.51.100.40")
        self.compliant(domain)
        return self.add(self._pec(domain), "MX", f"{self.policy.mx_preference + 10} {target}")

    def mx_at_registrable(self, domain: str | Domain) -> Self:
        """The provider's MX on the registrable domain, none on the PEC name.

        Gives ``MX_AT_REGISTRABLE`` (P5) and ``PEC_NAME_NXDOMAIN``.
        """
        return self.add(self._apex(domain), "MX", str(self.policy.mx))

    def nxdomain(self, domain: str | Domain) -> Self:
        """The PEC name does not exist: ``PEC_NAME_NXDOMAIN``."""
        return self.fail(self._pec(domain), Outcome.NXDOMAIN)

    def servfail(self, domain: str | Domain) -> Self:
        """The PEC name's servers fail (SERVFAIL): ``PEC_NAME_UNREACHABLE``."""
        return self.fail(self._pec(domain), Outcome.SERVFAIL)

    def external_ns(self, domain: str | Domain) -> Self:
        """The domain on another operator's name servers (with addresses): ``SETUP_EXTERNAL``."""
        servers = ("ns1.example.net.", "ns2.example.net.")
        for server, address in zip(servers, _NS_ADDRESSES, strict=False):
            self.add(server, "A", address)
        return self.add(self._apex(domain), "NS", list(servers))

    def provider_ns(self, domain: str | Domain) -> Self:
        """The domain on the provider's name servers (with addresses): ``SETUP_PROVIDER``."""
        for server, address in zip(self.policy.name_servers, _NS_ADDRESSES, strict=False):
            self.add(server, "A", address)
        return self.add(self._apex(domain), "NS", list(self.policy.name_servers))

    def blind_checker(self) -> Self:
        """The checker's own resolver cannot resolve the provider's MX host.

        Every check then gives ``CHECK_INCOMPLETE`` and is UNDETERMINED, unless
        it sees a definite daily error (a wrong MX needs no look-up to be wrong).
        """
        return self.fail(self.policy.mx_host, Outcome.TIMEOUT)


def _lines_for(findings: Iterable[Finding], marks: Mapping[int, str]) -> list[str]:
    return [
        f"{marks.get(index, ' ')} {f.code:<22} {f.severity.name:<7} {f.clause or '-':<5}"
        f" {safe_text(f.message)}"
        for index, f in enumerate(findings)
    ]


def assert_findings(
    result: Report | InvalidInput,
    expected: str | Iterable[str],
    *,
    verdict: Verdict | str | None = None,
    at_least: Severity | str | None = None,
) -> None:
    """Assert that a result has exactly the expected finding codes, in any order.

    On failure the message lists every finding, marking with ``+`` those not
    expected and adding with ``-`` the expected codes not found, so the
    difference reads at a glance (pytest hides this function's frame).

    Args:
        result: a report, or an invalid input of a batch.
        expected: the finding codes, each as many times as it should appear.
        verdict: the verdict expected too, if given.
        at_least: compare only findings of this severity or higher (e.g.
            ``"WARNING"`` leaves out the INFO findings such as ``SETUP_*``).

    Raises:
        AssertionError: the codes or the verdict differ.

    >>> from pecdns import check
    >>> report = check("example.it", resolver=FakeDNS().wrong_host("example.it"))
    >>> assert_findings(report, ["MX_WRONG_HOST"], at_least="WARNING", verdict="NON_COMPLIANT")
    >>> assert_findings(report, ["MX_OK", "SETUP_UNKNOWN"])
    Traceback (most recent call last):
      ...
    AssertionError: the findings of example.it differ from those expected (+ found, not expected; - expected, not found):
    + MX_WRONG_HOST          ERROR   P6.2  pec.example.it has MX 10 mail.example.it., and none of it points to the provider's host mx.pec.aruba.it.
      SETUP_UNKNOWN          INFO    P4    The name servers of example.it could not be read (NODATA), so the set-up (provider's or external name servers) is unknown.
    - MX_OK
    """  # noqa: E501 -- the failure message is long lines, as pytest shows it
    __tracebackhide__ = True  # read by pytest, which hides this frame
    wanted = [expected] if isinstance(expected, str) else list(expected)
    floor = Severity[at_least] if isinstance(at_least, str) else at_least
    findings = [f for f in result.findings if floor is None or f.severity >= floor]
    unmatched = collections.Counter(wanted)
    marks: dict[int, str] = {}
    for index, finding in enumerate(findings):
        if unmatched[finding.code] > 0:
            unmatched[finding.code] -= 1
        else:
            marks[index] = "+"
    missing = list(unmatched.elements())
    want_verdict = Verdict(verdict) if verdict is not None else None
    wrong_verdict = want_verdict is not None and result.verdict is not want_verdict
    if not marks and not missing and not wrong_verdict:
        return
    name = result.domain.name if isinstance(result, Report) else result.name
    lines = []
    if marks or missing:
        lines.append(
            f"the findings of {safe_text(name)} differ from those expected"
            " (+ found, not expected; - expected, not found):"
        )
        lines += _lines_for(findings, marks)
        lines += [f"- {code}" for code in missing]
    if wrong_verdict:
        lines.append(f"the verdict of {safe_text(name)} is {result.verdict}, not {want_verdict}")
    raise AssertionError("\n".join(lines))
