"""A resolver that walks the delegations itself, from hints, as a registry's checker does."""

from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING

from pecdns._budget import limits, remaining
from pecdns._edns import Probe
from pecdns._limits import reached
from pecdns._models import Answer, Outcome, Query, RRType
from pecdns.resolvers._wire import ask, ask_raw

if TYPE_CHECKING:
    from collections.abc import Sequence

    import dns.message

    from pecdns._dnssec import Question

__all__ = ["ROOT_HINTS", "IterativeResolver"]

ROOT_HINTS = (
    "198.41.0.4",
    "170.247.170.2",
    "192.33.4.12",
    "199.7.91.13",
    "192.203.230.10",
    "192.5.5.241",
    "192.112.36.4",
    "198.97.190.53",
    "192.36.148.17",
    "192.58.128.30",
    "193.0.14.129",
    "199.7.83.42",
    "202.12.27.33",
)
"""The IPv4 addresses of the thirteen root servers (a to m), the default hints."""

_MAX_STEPS = 16
_MAX_ALIASES = 8
_MAX_DEPTH = 4


class IterativeResolver:
    """Answers by walking the delegations itself, trusting only authoritative servers.

    Where a stub resolver trusts whatever a recursive resolver says, this one
    starts at ``hints`` (the root servers by default), follows referrals with
    their glue, asks every server it is sent to without recursion, takes only
    answers with the AA flag (a non-authoritative answer is a failure of the
    server that gave it, and the next server is asked), and follows CNAMEs.
    Fan-out is capped by the check's ``Policy.limits``: the name
    servers of a referral it follows (looked up when without glue, the NXNS
    attack's lever) and the messages one question may cost; what a cap
    stops says so in its detail. A question with a ``server``
    goes to that server alone. Every server is asked on ``port``, which makes
    the whole walk testable against servers on loopback (NS records carry no
    port).

    Args:
        hints: addresses of servers to start from, authoritative for the root
            or for any zone above the names asked.
        port: the port every server is asked on.
        timeout: the per-query wait: seconds to wait for one server's reply
            (retry over TCP included), never more than the check's budget left.
        lifetime: seconds one question may take, the whole walk included;
            the check's own budget (``check(timeout=...)``) bounds it too.

    >>> resolver = IterativeResolver(["127.0.0.2"], port=5300, timeout=0.5)
    >>> resolver.hints, resolver.port
    (('127.0.0.2',), 5300)
    """

    def __init__(
        self,
        hints: Sequence[str] = ROOT_HINTS,
        *,
        port: int = 53,
        timeout: float = 2.0,
        lifetime: float = 6.0,
    ) -> None:
        """Configure the walk; nothing is sent until :meth:`resolve`."""
        if isinstance(hints, str):
            raise TypeError("hints is a list of addresses, not a single str")
        self.hints = tuple(str(ipaddress.ip_address(h)) for h in hints)
        if not self.hints:
            raise ValueError("give at least one hint address")
        self.port = port
        self.timeout = timeout
        self.lifetime = lifetime
        self._cuts: dict[str, tuple[str, ...]] = {}

    def __repr__(self) -> str:
        return (
            f"IterativeResolver(hints={list(self.hints)!r}, port={self.port},"
            f" timeout={self.timeout}, lifetime={self.lifetime})"
        )

    def resolve(self, query: Query) -> Answer:
        """Answer one question by walking from the hints, or ask its server directly."""
        if query.server is not None:
            return ask(query, query.server, port=self.port, timeout=self.timeout)
        walk = _Walk(time.monotonic() + remaining(self.lifetime), limits().queries_per_question)
        answer = self._walk(query.name, query.rdtype, walk, depth=0)
        aliases, dnames = list(answer.aliases), list(answer.dnames)
        # Follow the chain to where the name's data lives: a NODATA answer that ended in an
        # alias is asked again at the alias, until an answer adds no alias of its own.
        while (
            answer.outcome is Outcome.NODATA
            and answer.aliases
            and query.rdtype is not RRType.CNAME
            and len(aliases) <= _MAX_ALIASES
        ):
            answer = self._walk(aliases[-1], query.rdtype, walk, depth=0)
            seen = {query.name, *aliases}
            if len(answer.aliases) + len(aliases) > _MAX_ALIASES or seen & set(answer.aliases):
                return Answer(
                    query,
                    Outcome.SERVFAIL,
                    aliases=aliases,
                    detail="CNAME chain too long or looping",
                    dnames=dnames,
                )
            aliases += answer.aliases
            dnames += answer.dnames
        return Answer(
            query,
            answer.outcome,
            answer.records,
            aliases=aliases,
            server=answer.server,
            authoritative=answer.authoritative,
            detail=answer.detail,
            edns_fallback=answer.edns_fallback,
            dnames=dnames,
        )

    def ask_raw(self, question: Question | Probe) -> dns.message.Message | None:
        """Send one raw question; its response, unjudged, or ``None`` when none came in time.

        A question of the DNSSEC walk goes to the servers of the closest zone
        cut this resolver has followed at or above ``question.zone`` (the
        hints above them all); a probe without EDNS goes to its server.
        """
        if isinstance(question, Probe):
            servers: tuple[str, ...] = (question.server,)
        else:
            _, servers = self._start(question.zone)
        return ask_raw(question.message(), servers, port=self.port, timeout=self.timeout)

    def _start(self, name: str) -> tuple[str, tuple[str, ...]]:
        """The closest zone cut known at or above ``name``, and its servers' addresses."""
        labels = name[:-1].split(".")
        for i in range(len(labels)):
            cut = ".".join(labels[i:]) + "."
            if cut in self._cuts:
                return cut, self._cuts[cut]
        return ".", self.hints

    def _walk(self, name: str, rdtype: RRType, walk: _Walk, depth: int) -> Answer:
        zone, servers = self._start(name)
        failures: list[Answer] = []
        for _ in range(_MAX_STEPS):
            answer = self._ask_any(Query(name, rdtype), servers, walk, failures)
            if answer is None:
                break
            if answer.outcome is not Outcome.REFERRAL:
                return answer
            if answer.zone is None or not _strictly_below(answer.zone, zone):
                detail = f"{answer.server} referred back up to {answer.zone} from {zone}"
                return Answer(Query(name, rdtype), Outcome.SERVFAIL, detail=detail)
            zone = answer.zone
            addresses = self._addresses(answer, walk, depth)
            if not addresses:
                detail = f"no address for the name servers {_names(answer.referral)}"
                detail += f" ({walk.note})" if walk.note else ""
                return Answer(Query(name, rdtype), Outcome.SERVFAIL, detail=detail)
            self._cuts[zone] = addresses
            servers = addresses
        detail = "; ".join(f"{a.server}: {a.detail or a.outcome}" for a in failures[-4:])
        outcome = failures[-1].outcome if failures else Outcome.SERVFAIL
        if outcome is Outcome.REFERRAL or not outcome.is_failure:
            outcome = Outcome.SERVFAIL
        # A walk that ended in silence names the last server silent to it (an EDNS probe's target).
        silent = failures[-1].server if outcome is Outcome.TIMEOUT else None
        return Answer(
            Query(name, rdtype), outcome, server=silent, detail=detail or "no server answered"
        )

    def _ask_any(
        self, query: Query, servers: tuple[str, ...], walk: _Walk, failures: list[Answer]
    ) -> Answer | None:
        """Ask the servers in turn; the first usable answer wins, failures are kept.

        Usable: a referral, or an answer with the AA flag; anything else is
        the failure of the server that gave it.
        """
        for address in servers:
            left = walk.deadline - time.monotonic()
            if left <= 0:
                failures.append(Answer(query, Outcome.TIMEOUT, detail="time budget spent"))
                return None
            if walk.sent >= walk.cap:
                detail = reached("queries_per_question", walk.cap)
                failures.append(Answer(query, Outcome.ERROR, detail=detail))
                return None
            walk.sent += 1
            answer = ask(
                Query(query.name, query.rdtype, server=address),
                address,
                port=self.port,
                timeout=min(self.timeout, left),
            )
            if answer.outcome is Outcome.REFERRAL or (
                answer.authoritative and not answer.outcome.is_failure
            ):
                return answer
            if not answer.outcome.is_failure:
                detail = f"a non-authoritative {answer.outcome} (no AA flag), not trusted"
                answer = Answer(answer.query, Outcome.ERROR, server=answer.server, detail=detail)
            failures.append(answer)
        return None

    def _addresses(self, referral: Answer, walk: _Walk, depth: int) -> tuple[str, ...]:
        """Addresses of a referral's servers: the glue, else looked up (bounded depth).

        Only the first ``name_servers`` of the check's limits are followed:
        a referral to hundreds of servers without glue would otherwise make
        one question hundreds of look-ups (NXNS).
        """
        cap = limits().name_servers
        followed = referral.referral[:cap]
        glued = tuple(dict.fromkeys(address for name, address in referral.glue if name in followed))
        if glued or depth >= _MAX_DEPTH:
            return glued
        found: list[str] = []
        for name in followed:
            answer = self._walk(name, RRType.A, walk, depth + 1)
            found += answer.records
            if found:
                break
        if not found and len(referral.referral) > cap:
            walk.note = reached("name_servers", cap)
        return tuple(found)


class _Walk:
    """One question's walk: its deadline, and the messages it sent against its cap."""

    def __init__(self, deadline: float, cap: int) -> None:
        self.deadline = deadline
        self.cap = cap
        self.sent = 0
        self.note = ""


def _names(names: tuple[str, ...]) -> str:
    """The first few names of a referral, and how many more (a referral may name hundreds)."""
    shown = ", ".join(names[:4])
    return shown if len(names) <= 4 else f"{shown} and {len(names) - 4} more"


def _strictly_below(name: str, parent: str) -> bool:
    return (parent == "." and name != ".") or name.endswith("." + parent)
