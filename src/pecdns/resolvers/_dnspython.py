"""The real DNS, through a dnspython stub resolver."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, TypeVar

import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.resolver

from pecdns._budget import charge, limits, remaining
from pecdns._edns import Probe
from pecdns._limits import UNCONFIGURED, reached
from pecdns._models import Answer, Outcome, Query
from pecdns.exceptions import InvalidRecordError
from pecdns.resolvers._wire import aask, aask_raw, ask, ask_raw, dname_pairs

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    from pecdns._dnssec import Question

R = TypeVar("R", bound=dns.resolver.BaseResolver)

__all__ = ["AsyncDnsResolver", "DnsResolver"]


def _chain(response: dns.message.Message | None) -> tuple[list[str], list[tuple[str, str]]]:
    """The CNAME targets a response chains through, in order, and the DNAMEs behind them."""
    if not isinstance(response, dns.message.QueryMessage):
        return [], []
    try:
        chain = response.resolve_chaining()
    except (dns.exception.DNSException, ValueError):
        return [], []
    return [str(rrset[0].target) for rrset in chain.cnames], dname_pairs(response, chain)


def _server(nameserver: object, port: object) -> str:
    """``address#port`` for dnspython's ``Do53:address@port`` server text."""
    text = str(nameserver).removeprefix("Do53:")
    return f"{text.rsplit('@', 1)[0]}#{port}"


def _failure(query: Query, exc: dns.resolver.NoNameservers) -> Answer:
    """Sum up why every name server failed: one outcome, every server's reason in detail."""
    errors = exc.kwargs.get("errors", [])
    reasons = [str(err[3]) for err in errors]
    if reasons and all(r == "REFUSED" for r in reasons):
        outcome = Outcome.REFUSED
    elif "SERVFAIL" in reasons:
        outcome = Outcome.SERVFAIL
    else:
        outcome = Outcome.ERROR
    detail = "; ".join(f"{_server(err[0], err[2])}: {err[3]}" for err in errors) or str(exc)
    return Answer(query, outcome, detail=detail)


def _recursive_failure(query: Query, exc: dns.exception.DNSException) -> Answer:
    """The Answer for a question the recursive resolver could not answer."""
    if isinstance(exc, dns.resolver.NXDOMAIN):
        responses: dict[dns.name.Name, dns.message.Message] = exc.kwargs.get("responses", {})
        response = next(iter(responses.values()), None)
        aliases, dnames = _chain(response)
        return Answer(query, Outcome.NXDOMAIN, aliases=aliases, dnames=dnames)
    if isinstance(exc, dns.resolver.NoNameservers):
        return _failure(query, exc)
    if isinstance(exc, dns.exception.Timeout):
        return Answer(query, Outcome.TIMEOUT, detail=str(exc))
    return Answer(query, Outcome.ERROR, detail=f"{type(exc).__name__}: {exc}")


class DnsResolver:
    """Answers from the real DNS through a dnspython stub resolver.

    With no ``nameservers`` it uses the system's resolver configuration
    (``/etc/resolv.conf``, or the file ``resolv_conf``); otherwise it asks the
    given addresses, on ``port``. A stub resolver trusts the recursive
    resolver it asks; the AA flag and the server are kept in each answer's
    evidence. Questions addressed to one server (``Query.server``) are sent
    there directly, on the same ``port``; :class:`IterativeResolver` also
    walks the delegations itself.

    When the system configuration names no name server (a container, some
    CI machines), nothing is raised: every recursive question is answered
    ERROR with a detail that says so, and a check
    says so (``RESOLVER_UNCONFIGURED``, an UNDETERMINED verdict).

    Recursive questions go without EDNS, as dnspython's stub sends them;
    questions to one server go with EDNS and are asked again without it
    when the server refuses EDNS (FORMERR, NOTIMP, BADVERS). It carries
    DNSSEC data (:meth:`ask_raw`), so a check reports the PEC name's DNSSEC
    state through it.

    Its two waits bound one question, never a whole check: a check has a
    time budget of its own (``check(timeout=...)``, 10 seconds by default),
    and every wait here is shortened to what is left of it.

    Args:
        nameservers: IP addresses of recursive resolvers to ask, or ``None``.
        port: the port to ask them on.
        timeout: the per-query wait: seconds to wait for one server's reply.
        lifetime: seconds one question may take, every server and retry
            included; ``None``: the same as ``timeout`` (one wait).
        resolv_conf: the resolver configuration file read when
            ``nameservers`` is ``None`` (``/etc/resolv.conf`` by default).

    >>> resolver = DnsResolver(nameservers=["127.0.0.1"], port=5353, timeout=1.0)
    >>> resolver.nameservers, resolver.port, resolver.lifetime
    (('127.0.0.1',), 5353, 1.0)
    """

    def __init__(
        self,
        nameservers: Sequence[str] | None = None,
        *,
        port: int = 53,
        timeout: float = 2.0,
        lifetime: float | None = None,
        resolv_conf: str | os.PathLike[str] | None = None,
    ) -> None:
        """Configure the stub resolver; nothing is sent until :meth:`resolve`."""
        if isinstance(nameservers, str):
            raise TypeError("nameservers is a list of addresses, not a single str")
        self.port = port
        self.timeout = timeout
        self.lifetime = timeout if lifetime is None else lifetime
        self.unconfigured = ""
        """Why the system configuration gave no name server to ask ("" when it did)."""
        try:
            if nameservers is None and resolv_conf is not None:
                stub = dns.resolver.Resolver(filename=str(resolv_conf))
            else:
                stub = dns.resolver.Resolver(configure=nameservers is None)
        except dns.resolver.NoResolverConfiguration as exc:
            where = resolv_conf if resolv_conf is not None else "/etc/resolv.conf"
            self.unconfigured = f"{UNCONFIGURED}: no nameserver in {where} ({exc})"
            stub = dns.resolver.Resolver(configure=False)
        self._resolver = self._stub(stub)
        if nameservers is not None:
            self._resolver.nameservers = list(nameservers)
        self.nameservers = tuple(str(ns) for ns in self._resolver.nameservers)

    def _stub(self, resolver: R) -> R:
        """``resolver`` set to this one's port, timeout and lifetime, with no cache."""
        resolver.port = self.port
        resolver.timeout = self.timeout
        resolver.lifetime = self.lifetime
        resolver.cache = None
        # Recursive questions carry no EDNS (dnspython's default, pinned): a resolver that does
        # not know EDNS is never asked with it, so no fallback is needed (RFC 6891 §7). Direct
        # probes (resolvers._wire) use EDNS and ask again without it when refused.
        resolver.use_edns(edns=False)
        return resolver

    def __repr__(self) -> str:
        return (
            f"DnsResolver(nameservers={list(self.nameservers)!r}, port={self.port},"
            f" timeout={self.timeout}, lifetime={self.lifetime})"
        )

    def resolve(self, query: Query) -> Answer:
        """Ask the configured resolvers one question; never raises for DNS failures.

        A question with a ``server`` goes to that server alone, without recursion.
        """
        if query.server is not None:
            return ask(query, query.server, port=self.port, timeout=self.timeout)
        refused = self._refused(query)
        if refused is not None:
            return refused
        rdtype = dns.rdatatype.from_text(query.rdtype.value)
        try:
            result = self._resolver.resolve(
                query.name,
                rdtype,
                raise_on_no_answer=False,
                search=False,
                lifetime=remaining(self.lifetime),
            )
        except dns.exception.DNSException as exc:
            return _recursive_failure(query, exc)
        return _answer(query, result)

    def ask_raw(self, question: Question | Probe) -> dns.message.Message | None:
        """Send one raw question; its response, unjudged, or ``None`` when none came in time.

        A question of the DNSSEC walk goes to the configured resolvers (RD and
        CD set: a validating resolver then hands over what it would refuse,
        so the walk can say what is broken); a probe without EDNS goes to
        its server.
        """
        return ask_raw(
            question.message(), self._raw_to(question), port=self.port, timeout=self.timeout
        )

    def _raw_to(self, question: Question | Probe) -> list[str]:
        """The addresses a raw question goes to."""
        if isinstance(question, Probe):
            return [question.server]
        return [] if self.unconfigured else list(self.nameservers)

    def _refused(self, query: Query) -> Answer | None:
        """The Answer when the question cannot be sent: no resolver configured, or the cap."""
        if self.unconfigured:
            return Answer(query, Outcome.ERROR, detail=self.unconfigured)
        if not charge():
            return Answer(query, Outcome.ERROR, detail=reached("queries", limits().queries))
        return None


def _answer(query: Query, result: dns.resolver.Answer) -> Answer:
    """The Answer for a question the recursive resolver answered."""
    server = f"{result.nameserver}#{result.port}"
    aliases = tuple(str(rrset[0].target) for rrset in result.chaining_result.cnames)
    records = tuple(rd.to_text() for rd in result.rrset or ())
    try:
        return Answer(
            query,
            Outcome.ANSWER if records else Outcome.NODATA,
            records,
            aliases=aliases,
            server=server,
            authoritative=bool(result.response.flags & dns.flags.AA),
            ttl=result.chaining_result.minimum_ttl,
            dnames=dname_pairs(result.response, result.chaining_result),
        )
    except InvalidRecordError as exc:
        return Answer(query, Outcome.ERROR, server=server, detail=f"malformed answer: {exc}")


class AsyncDnsResolver(DnsResolver):
    """:class:`DnsResolver` for asyncio (dnspython's asyncresolver and asyncquery).

    >>> resolver = AsyncDnsResolver(nameservers=["127.0.0.1"], port=5353)
    >>> resolver.nameservers, resolver.port
    (('127.0.0.1',), 5353)
    """

    @functools.cached_property
    def _async(self) -> dns.asyncresolver.Resolver:
        """The async stub of dnspython, with this resolver's settings (made on first use)."""
        resolver = self._stub(dns.asyncresolver.Resolver(configure=False))
        resolver.nameservers = list(self.nameservers)
        return resolver

    def __repr__(self) -> str:
        return "Async" + super().__repr__()

    async def ask_raw(  # type: ignore[override]
        self, question: Question | Probe
    ) -> dns.message.Message | None:
        """As :meth:`DnsResolver.ask_raw`, awaited."""
        return await aask_raw(
            question.message(), self._raw_to(question), port=self.port, timeout=self.timeout
        )

    async def resolve(self, query: Query) -> Answer:  # type: ignore[override]
        """As :meth:`DnsResolver.resolve`, awaited."""
        if query.server is not None:
            return await aask(query, query.server, port=self.port, timeout=self.timeout)
        refused = self._refused(query)
        if refused is not None:
            return refused
        rdtype = dns.rdatatype.from_text(query.rdtype.value)
        try:
            result = await self._async.resolve(
                query.name,
                rdtype,
                raise_on_no_answer=False,
                search=False,
                lifetime=remaining(self.lifetime),
            )
        except dns.exception.DNSException as exc:
            return _recursive_failure(query, exc)
        return _answer(query, result)
