r"""The real DNS at network speed: long-lived sockets, the lean codec, callbacks.

:class:`FastResolver` asks the same questions as
:class:`~pecdns.resolvers.DnsResolver` (recursive questions to the configured
resolvers with RD; a question with ``Query.server`` straight to that server,
without RD, on ``port``) and answers with the same :class:`Answer`\ s, but
keeps a few UDP sockets open for its whole life, builds and parses messages
with :mod:`pecdns.resolvers._lean`, and drives each question with callbacks
on the event loop instead of a task. Its protections:

- a reply is taken only from the address and port asked, with the message ID
  (random per try) and the question asked; anything else -- strays, forged
  or garbage datagrams -- is ignored and the wait goes on;
- each try waits ``timeout`` at most, every try together ``lifetime`` at most,
  and never past the caller's deadline (the check's budget); a truncated
  answer is asked again over TCP within what is left;
- sockets are bounded (``sockets`` per address family), and so are the
  questions in flight, overall and per server (``max_in_flight``,
  ``per_server``), and the pace to each server (``per_second``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import os
import socket
import struct
import time
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import dns.asyncquery
import dns.exception
import dns.flags
import dns.message

from pecdns._budget import remaining, tally
from pecdns._edns import Probe, edns_fallback
from pecdns._limits import UNCONFIGURED, reached
from pecdns._models import Answer, Outcome, Query, RRType
from pecdns.resolvers import _lean

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Sequence

    from typing_extensions import Self

    from pecdns._budget import Tally
    from pecdns._dnssec import Question

__all__ = ["FastResolver"]

_R = TypeVar("_R")
_RCVBUF = 1 << 22
_TCP_LIMIT = 65535
_LABELS = 4096  # servers whose labels a resolver keeps
_TCP_CONNECTIONS = 64
"""TCP connections (after truncated answers) open at once: a bound on file descriptors."""

_EDNS_REFUSALS = frozenset({"RCODE FORMERR", "RCODE NOTIMP", "RCODE BADVERS"})
_MARKED = "edns_fallback" in attrs.fields_dict(Answer)  # the field DnsResolver's answers carry


def _plain(template: bytes, wire: bytes) -> tuple[bytes, str] | None:
    """The query to send again after ``wire`` refused EDNS, and why; ``None``: no retry.

    The decision is :func:`pecdns._edns.edns_fallback`'s (RFC 6891 §7), the one
    :class:`~pecdns.resolvers.DnsResolver` takes; dnspython reads both messages
    (this is the rare path).
    """
    try:
        retry = edns_fallback(dns.message.from_wire(template), dns.message.from_wire(wire))
    except dns.exception.DNSException:
        return None
    return None if retry is None else (retry.query.to_wire(), retry.reason)


def _marked(answer: Answer, reason: str) -> Answer:
    """``answer``, saying it came after a retry without EDNS (where Answer records that)."""
    if not (_MARKED and reason):
        return answer
    mark: dict[str, Any] = {"edns_fallback": reason}  # the field merged from the DNSSEC branch
    return attrs.evolve(answer, **mark)


def _system_nameservers() -> tuple[tuple[str, ...], str]:
    """The system's recursive resolvers, or none and why (the start of the text is UNCONFIGURED)."""
    import dns.resolver  # noqa: PLC0415 -- only when no resolver is given

    try:
        return tuple(str(ns) for ns in dns.resolver.Resolver(configure=True).nameservers), ""
    except dns.resolver.NoResolverConfiguration as exc:
        return (), f"{UNCONFIGURED}: no nameserver in /etc/resolv.conf ({exc})"


def _template(query: Query, *, recursion: bool) -> tuple[bytes, bytes]:
    """The question section and the whole query (ID 0) for ``query``; shared by repeats.

    Keyed without the server: the question asked of each server of a domain
    is built once, not once per server.
    """
    return _built(query.name, query.rdtype, recursion)


@functools.lru_cache(maxsize=1 << 14)
def _built(name: str, rdtype: RRType, recursion: bool) -> tuple[bytes, bytes]:
    """The question section, then the query around it (ID 0): what :func:`_template` returns."""
    question = _lean.question_of(name, rdtype)
    return question, _lean.message(question, recursion=recursion, qid=0)


class _Ask:
    """One question in flight: what to send, where, until when, and whom to tell."""

    __slots__ = (
        "callback",
        "deadline",
        "edns",
        "failures",
        "keys",
        "malformed",
        "query",
        "question",
        "raw",
        "recursion",
        "servers",
        "tail",
        "tally",
        "template",
        "timer",
        "token",
        "tries",
    )

    def __init__(
        self,
        query: Query,
        callback: Callable[[Any], object],  # an Answer, or a raw question's response
        deadline: float,
        servers: tuple[str, ...],
        *,
        recursion: bool,
        tally: Tally | None,
    ) -> None:
        self.query = query
        self.tally = tally
        self.callback = callback
        self.deadline = deadline
        self.servers = servers
        self.recursion = recursion
        self.question, self.template = _template(query, recursion=recursion)
        self.tail = self.template[2:]  # the query after its ID
        self.tries = 0
        self.keys: list[tuple[int, str, int, int]] = []  # every try's: a late reply still counts
        self.timer: asyncio.TimerHandle | None = None  # only for a try cut short by the deadline
        self.token = 0  # the try's wait: a timeout entry holding an older token is void
        self.failures: list[tuple[str, Answer]] = []
        self.malformed = False
        self.edns = ""  # why it was asked again without EDNS, once it was
        self.raw: Question | Probe | None = None  # a raw question: dnspython reads its response

    @property
    def server(self) -> str:
        return self.servers[(self.tries - 1) % len(self.servers)]


class FastResolver:
    """Answers from the real DNS, fast: an :class:`~pecdns.resolvers.AsyncResolver`.

    Args:
        nameservers: recursive resolvers to ask; the system's (``/etc/resolv.conf``)
            when ``None``.
        port: the port of every server asked, recursive or authoritative.
        timeout: seconds to wait for one try.
        lifetime: seconds every try of one question may take together.
        sockets: UDP sockets per address family, each kept for the resolver's life.
        max_in_flight: questions in flight at once; more wait their turn.
        per_server: questions in flight at once to one authoritative server.
        per_second: questions per second to one authoritative server (0: no limit).

    >>> resolver = FastResolver(["127.0.0.1"], port=5353, timeout=0.5)
    >>> resolver.nameservers, resolver.port
    (('127.0.0.1',), 5353)
    """

    def __init__(
        self,
        nameservers: Sequence[str] | None = None,
        *,
        port: int = 53,
        timeout: float = 2.0,
        lifetime: float = 5.0,
        sockets: int = 4,
        max_in_flight: int = 4096,
        per_server: int = 8,
        per_second: float = 0.0,
    ) -> None:
        """Configure; nothing is opened until the first question."""
        if isinstance(nameservers, str):
            raise TypeError("nameservers is a list of addresses, not a single str")
        if min(sockets, max_in_flight, per_server) < 1 or not timeout > 0 or not lifetime > 0:
            raise ValueError("sockets, max_in_flight, per_server, timeout and lifetime must be > 0")
        found, self.unconfigured = (
            _system_nameservers() if nameservers is None else (tuple(nameservers), "")
        )
        self.nameservers = tuple(str(Query(".", "A", server=ns).server) for ns in found)
        self.port = port
        self.timeout = timeout
        self.lifetime = lifetime
        self.sockets = sockets
        self.max_in_flight = max_in_flight
        self.per_server = per_server
        self.per_second = per_second
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.strays = 0  # datagrams ignored: wrong source, ID or question, or garbage
        self.sent = 0
        self.lean = 0  # answers read by the lean codec
        self._loop: asyncio.AbstractEventLoop | None = None
        self._socks: dict[int, list[tuple[socket.socket, int]]] = {}  # (socket, its fileno)
        self._turn = 0  # round-robin over a family's sockets
        # Each try's timeout, in the order sent: with one timeout for every try, that is
        # the order they expire in, so one timer (for the oldest live entry) serves all.
        self._expiries: collections.deque[tuple[float, _Ask, int]] = collections.deque()
        self._wheel: asyncio.TimerHandle | None = None
        self._pending: dict[tuple[int, str, int, int], _Ask] = {}
        self._in_flight = 0
        self._queue: collections.deque[_Ask] = collections.deque()
        self._server_load: dict[str, int] = {}  # questions in flight per authoritative server
        self._server_queue: dict[str, collections.deque[_Ask]] = {}
        self._next_slot: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._tcp_slots: asyncio.Semaphore | None = None
        self._ids: list[int] = []
        # Each server's label ("192.0.2.53#53"), one string for every answer it gives.
        self._labels: dict[tuple[str, int], str] = {}

    def __reduce__(self) -> tuple[Callable[..., FastResolver], tuple[object, ...]]:
        """Pickled as its settings: a copy (in a worker process) opens sockets of its own."""
        settings = {
            "nameservers": self.nameservers,
            "port": self.port,
            "timeout": self.timeout,
            "lifetime": self.lifetime,
            "sockets": self.sockets,
            "max_in_flight": self.max_in_flight,
            "per_server": self.per_server,
            "per_second": self.per_second,
        }
        return _rebuilt, (settings, self.unconfigured)

    def __repr__(self) -> str:
        return (
            f"FastResolver(nameservers={list(self.nameservers)!r}, port={self.port},"
            f" timeout={self.timeout}, lifetime={self.lifetime})"
        )

    # -- the AsyncResolver protocol -------------------------------------------------

    async def ask_raw(self, question: Question | Probe) -> dns.message.Message | None:
        """Send one raw question, as :meth:`AsyncDnsResolver.ask_raw` does; ``None`` if unanswered.

        The DNSSEC walk's questions go to the configured resolvers, a probe
        without EDNS to its server, over the long-lived sockets (see
        :meth:`submit_raw`), within the current check's budget and cap.
        """
        self._attach()
        tries = 1 if isinstance(question, Probe) else max(len(self.nameservers), 1)
        wait = remaining(self.timeout * tries)
        return await self.raw_future(question, time.monotonic() + wait, tally())

    async def resolve(self, query: Query) -> Answer:
        """Answer one question; never raises for what the network or a server does."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        deadline = time.monotonic() + remaining(self.lifetime)
        self.submit(query, deadline, functools.partial(_settle, future), tally())
        return await future

    # -- the callback interface (the one-loop engine's) -----------------------------

    def submit(
        self,
        query: Query,
        deadline: float,
        callback: Callable[[Answer], object],
        tally: Tally | None = None,
    ) -> None:
        """Ask ``query``; call ``callback`` with its Answer, on the running loop, once.

        No answer is awaited past ``deadline`` (a ``time.monotonic()`` value).
        ``tally`` is the asking check's: charged for each message, as
        :class:`~pecdns.resolvers.DnsResolver` charges it (a recursive
        question once, a question to one server each message), and nothing
        is sent past its cap.
        """
        self._attach()
        self.submit_bound(query, deadline, callback, tally)

    def submit_bound(
        self,
        query: Query,
        deadline: float,
        callback: Callable[[Answer], object],
        tally: Tally | None = None,
    ) -> None:
        """As :meth:`submit`, from code that has :meth:`bind`-ed this resolver to its loop.

        A batch engine binds once and submits thousands of questions: asking
        asyncio for the running loop at each costs a system call (its process
        check) per question.
        """
        deadline = min(deadline, time.monotonic() + self.lifetime)
        if query.server is not None:
            servers: tuple[str, ...] = (query.server,)
        elif self.nameservers:
            servers = self.nameservers
        else:
            detail = self.unconfigured or f"{UNCONFIGURED}: no nameserver given"
            self._call_soon(callback, Answer(query, Outcome.ERROR, detail=detail))
            return
        ask = _Ask(query, callback, deadline, servers, recursion=query.server is None, tally=tally)
        self._start(ask)

    def submit_raw(
        self,
        question: Question | Probe,
        deadline: float,
        callback: Callable[[dns.message.Message | None], object],
        tally: Tally | None = None,
    ) -> None:
        """Ask a raw question; call ``callback`` with dnspython's reading of the response, once.

        As ``aask_raw`` (the dnspython path) asks it, on the long-lived
        sockets: each server in turn (the configured resolvers for a
        question of the DNSSEC walk, the probed server for a ``Probe``
        without EDNS) gets one try of
        ``timeout`` at most, none past ``deadline``; each message, TCP after
        truncation included, is charged to ``tally``; the first response
        taken is handed over whatever its RCODE, ``None`` when none came.
        A response is taken only from the server and port asked, with the
        message ID and the question asked (dnspython's ``is_response``); a
        probe waits its turn under the per-server limits like any question
        to one server.
        """
        self._attach()
        if isinstance(question, Probe):
            servers: tuple[str, ...] = (str(Query(".", "A", server=question.server).server),)
        elif self.nameservers and not self.unconfigured:
            servers = self.nameservers
        else:
            self._call_soon(callback, None)
            return
        probe = isinstance(question, Probe)
        template = _lean.raw_query(question.name, question.rdtype, dnssec=not probe)
        if template is None:  # an unusual name or type: dnspython makes the message
            message = question.message()
            message.id = 0
            template = message.to_wire()
        query = Query(".", "A", server=servers[0] if probe else None)  # stands for it in labels
        ask = _Ask(query, callback, deadline, servers, recursion=not probe, tally=tally)
        ask.raw = question
        ask.template, ask.tail = template, template[2:]
        end = _name_end(template)
        ask.question = template[12:end].lower() + template[end : end + 4]
        self._start(ask)

    def raw_future(
        self, question: Question | Probe, deadline: float, tally: Tally | None = None
    ) -> asyncio.Future[dns.message.Message | None]:
        """:meth:`submit_raw`, its response as a future of the running loop (bound already)."""
        assert self._loop is not None  # noqa: S101 -- bound by the caller
        future: asyncio.Future[dns.message.Message | None] = self._loop.create_future()
        self.submit_raw(question, deadline, functools.partial(_settle, future), tally)
        return future

    def _call_soon(self, callback: Callable[[_R], object], result: _R) -> None:
        assert self._loop is not None  # noqa: S101 -- _attach ran
        self._loop.call_soon(callback, result)

    def _start(self, ask: _Ask) -> None:
        """Admit ``ask`` now, or queue it while ``max_in_flight`` questions are out."""
        if self._in_flight >= self.max_in_flight:
            self._queue.append(ask)
            return
        self._admit(ask)

    def _admit(self, ask: _Ask) -> None:
        self._in_flight += 1
        if ask.recursion:
            self._send(ask)
            return
        server = ask.servers[0]
        load = self._server_load.get(server, 0)
        if load >= self.per_server:
            self._server_queue.setdefault(server, collections.deque()).append(ask)
            return
        self._server_load[server] = load + 1
        self._paced(ask, server)

    def _paced(self, ask: _Ask, server: str) -> None:
        if not self.interval:
            self._send(ask)
            return
        now = time.monotonic()
        slot = max(now, self._next_slot.get(server, now))
        self._next_slot[server] = slot + self.interval
        if slot > now:
            assert self._loop is not None  # noqa: S101 -- _attach ran
            self._loop.call_at(slot, self._send, ask)
        else:
            self._send(ask)

    # -- sockets ---------------------------------------------------------------------

    def _attach(self) -> None:
        self.bind(asyncio.get_running_loop())

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Use ``loop`` (the one questions are submitted on); another loop's sockets are closed."""
        if loop is not self._loop:
            self.close()
            self._loop = loop
            self._tcp_slots = asyncio.Semaphore(_TCP_CONNECTIONS)

    def _socket(self, family: int) -> tuple[socket.socket, int]:
        """A socket of ``family`` and its file number: opened up to ``sockets``, then in turn."""
        pool = self._socks.setdefault(family, [])
        if len(pool) < self.sockets:
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.setblocking(False)  # noqa: FBT003 -- the socket API
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RCVBUF)
            sock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))  # noqa: S104 -- any local address, as a stub does
            assert self._loop is not None  # noqa: S101 -- _attach ran
            self._loop.add_reader(sock.fileno(), self._readable, sock)
            pool.append((sock, sock.fileno()))
            return pool[-1]
        self._turn += 1
        return pool[self._turn % len(pool)]

    def close(self) -> None:
        """Close the sockets; questions in flight are dropped (their callbacks never run)."""
        for pool in self._socks.values():
            for sock, fileno in pool:
                if self._loop is not None and not self._loop.is_closed():
                    self._loop.remove_reader(fileno)
                sock.close()
        self._socks.clear()
        for ask in self._pending.values():
            self._stop_timer(ask)
        self._pending.clear()
        self._expiries.clear()
        if self._wheel is not None:
            self._wheel.cancel()
            self._wheel = None
        for task in self._tasks:
            task.cancel()
        self._queue.clear()
        self._server_queue.clear()
        self._server_load.clear()
        self._in_flight = 0
        self._loop = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one try ---------------------------------------------------------------------

    def _send(self, ask: _Ask) -> None:
        now = time.monotonic()
        if now >= ask.deadline:
            self._timeout(ask)
            return
        if not self._charged(ask):
            return
        ask.tries += 1
        server = ask.server
        sock, fileno = self._socket(socket.AF_INET6 if ":" in server else socket.AF_INET)
        pending, port = self._pending, self.port
        qid = self._qid()
        key = (fileno, server, port, qid)
        while key in pending:
            qid = self._qid()
            key = (fileno, server, port, qid)
        ask.keys.append(key)
        pending[key] = ask
        self._wait(ask, now)
        try:
            sock.sendto(qid.to_bytes(2, "big") + ask.tail, (server, port))
            self.sent += 1
        except BlockingIOError:
            pass  # the send buffer is full: as if lost, the timer tries again
        except OSError as exc:
            if ask.raw is not None:
                self._forget(ask)
                self._next_server(ask)  # as a try that failed: the next server, if any
                return
            self._failed(ask, Answer(ask.query, Outcome.ERROR, detail=f"network error: {exc}"))

    def _charged(self, ask: _Ask, *, tcp: bool = False) -> bool:
        """Charge the check's tally for one message; past its cap, finish the question."""
        first = not ask.tries and not tcp
        free = ask.recursion and not first and ask.raw is None  # a raw question: every message
        if ask.tally is None or free or ask.tally.charge():
            return True
        if ask.raw is not None:
            self._finish(ask, None)
            return False
        detail = reached("queries", ask.tally.limits.queries)
        server = None if ask.recursion else self._label(ask)
        self._finish(ask, Answer(ask.query, Outcome.ERROR, server=server, detail=detail))
        return False

    def _qid(self) -> int:
        """A message ID from the system's CSPRNG, drawn 1,024 at a time (one syscall each)."""
        if not self._ids:
            self._ids = list(struct.unpack("!1024H", os.urandom(2048)))
        return self._ids.pop()

    def _forget(self, ask: _Ask) -> None:
        for key in ask.keys:
            self._pending.pop(key, None)
        ask.keys.clear()
        self._stop_timer(ask)

    def _wait(self, ask: _Ask, now: float) -> None:
        """Start the try's wait: ``timeout``, or less when the deadline comes first."""
        ask.token += 1
        expiry = now + self.timeout
        if expiry > ask.deadline:  # rare: the question's deadline cuts this try short
            assert self._loop is not None  # noqa: S101 -- _attach ran
            ask.timer = self._loop.call_at(ask.deadline, self._expired, ask, ask.token)
            return
        self._expiries.append((expiry, ask, ask.token))
        if self._wheel is None:
            self._arm()

    def _arm(self) -> None:
        """Drop the void entries at the front; set the one timer for the oldest live one."""
        expiries = self._expiries
        while expiries and expiries[0][1].token != expiries[0][2]:
            expiries.popleft()
        if expiries:
            assert self._loop is not None  # noqa: S101 -- _attach ran
            self._wheel = self._loop.call_at(expiries[0][0], self._tick)

    def _tick(self) -> None:
        """The timer: every try whose wait is over expires, in the order they were sent."""
        expiries = self._expiries
        now = time.monotonic()
        while expiries and expiries[0][0] <= now:  # a try sent again meanwhile sets no timer
            _, ask, token = expiries.popleft()
            self._expired(ask, token)
        self._wheel = None
        self._arm()

    def _stop_timer(self, ask: _Ask) -> None:
        ask.token += 1  # the try's timeout entry is void
        if ask.timer is not None:
            ask.timer.cancel()
            ask.timer = None

    def _expired(self, ask: _Ask, token: int) -> None:
        if token != ask.token:
            return  # answered, or tried again, since
        ask.timer = None
        if ask.raw is not None:
            self._next_server(ask)
        elif time.monotonic() < ask.deadline:
            self._send(ask)  # another try, at the next server
        else:
            self._timeout(ask)

    def _next_server(self, ask: _Ask) -> None:
        """A raw question's try ended unanswered: one try at each server, then ``None``."""
        if ask.tries < len(ask.servers) and time.monotonic() < ask.deadline:
            self._send(ask)
        else:
            self._finish(ask, None)

    def _timeout(self, ask: _Ask) -> None:
        if ask.raw is not None:
            self._finish(ask, None)
            return
        if ask.malformed:
            detail = "malformed response"
            self._finish(
                ask, Answer(ask.query, Outcome.ERROR, server=self._label(ask), detail=detail)
            )
            return
        answer = Answer(
            ask.query,
            Outcome.TIMEOUT,
            server=None if ask.recursion else self._label(ask),
            detail="no answer in time",
        )
        self._finish(ask, answer)

    def _label(self, ask: _Ask) -> str:
        return self._labelled(ask.server if ask.tries else ask.servers[0], self.port)

    def _finish(self, ask: _Ask, answer: Answer | dns.message.Message | None) -> None:
        self._forget(ask)
        self._in_flight -= 1
        if not ask.recursion:
            self._release(ask.servers[0])
        while self._queue and self._in_flight < self.max_in_flight:
            self._admit(self._queue.popleft())
        # The question's timeout entry holds it until its time comes (a second, by default):
        # let go of the callback, and so of the check it calls back, now.
        callback, ask.callback = ask.callback, _finished
        callback(answer)

    def _release(self, server: str) -> None:
        waiting = self._server_queue.get(server)
        if waiting:
            self._paced(waiting.popleft(), server)
            return
        load = self._server_load[server] - 1
        if load:
            self._server_load[server] = load
        else:
            del self._server_load[server]
            self._server_queue.pop(server, None)

    # -- replies ---------------------------------------------------------------------

    def _readable(self, sock: socket.socket) -> None:
        fileno = sock.fileno()
        pending = self._pending
        for _ in range(256):  # drain, but let the loop breathe
            try:
                wire, source = sock.recvfrom(_TCP_LIMIT)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue  # an ICMP error surfacing: the timer decides
            if len(wire) < 12:
                self.strays += 1
                continue
            ask = pending.get((fileno, source[0], source[1], (wire[0] << 8) | wire[1]))
            if ask is None or not wire[2] & 0x80 or not _lean.matches(ask.question, wire):
                self.strays += 1  # P: off-path, forged or late: ignored, the wait goes on
                continue
            self._reply(ask, wire, self._labelled(source[0], source[1]))

    def _labelled(self, address: str, port: int) -> str:
        """The label of an answering server: one string a server, shared by its answers.

        So the answers of a batch, their pickles and what they take in memory
        hold one copy of it, not one an answer (up to 4,096 servers, then all
        are dropped at once).
        """
        label = self._labels.get((address, port))
        if label is None:
            if len(self._labels) >= _LABELS:
                self._labels.clear()
            label = self._labels[address, port] = f"{address}#{port}"
        return label

    def _reply(self, ask: _Ask, wire: bytes, label: str) -> None:
        if ask.raw is not None:
            self._raw_reply(ask, wire)
            return
        if wire[2] & 0x02:  # TC: ask again over TCP, within what is left
            self._forget(ask)
            if not self._charged(ask, tcp=True):
                return
            self._spawn(self._tcp(ask))
            return
        answer = _lean.read(ask.query, wire, label)
        if answer is None:
            self.strays += 1
            ask.malformed = True  # garbage that guessed the ID: keep waiting for the real one
            return
        if not ask.recursion and not ask.edns and answer.detail in _EDNS_REFUSALS:
            retry = _plain(ask.template, wire)
            if retry is not None:  # RFC 6891 §7: ask again without EDNS, same wait, same cap
                ask.template, ask.edns = retry
                ask.tail = ask.template[2:]
                self._forget(ask)
                self._send(ask)
                return
        self._answered(ask, answer)

    def _answered(self, ask: _Ask, answer: Answer) -> None:
        if not ask.recursion:
            self._finish(ask, _marked(answer, ask.edns))
            return
        if answer.outcome in {Outcome.SERVFAIL, Outcome.REFUSED} or (
            answer.outcome is Outcome.ERROR and answer.detail.startswith("RCODE")
        ):
            self._failed(ask, answer)
            return
        self._finish(ask, _lean.recursive_answer(ask.query, answer))

    def _failed(self, ask: _Ask, answer: Answer) -> None:
        """A try failed at one server: try the next one, or sum up every failure."""
        self._forget(ask)
        ask.failures.append((self._label(ask), answer))
        untried = ask.tries < len(ask.servers)
        if untried and time.monotonic() < ask.deadline:
            self._send(ask)
            return
        self._finish(ask, _summary(ask.query, ask.failures, recursion=ask.recursion))

    def _raw_reply(self, ask: _Ask, wire: bytes) -> None:
        """A raw question's response, read by dnspython and taken as ``dns.query.udp`` takes it."""
        try:
            response = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            response = None
        if response is None or not _answers(response):
            self.strays += 1  # unreadable, or not a response to it: the wait goes on
            return
        self._forget(ask)
        if not response.flags & dns.flags.TC:
            self._finish(ask, response)
        elif self._charged(ask, tcp=True):
            self._spawn(self._raw_tcp(ask))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run ``coro`` (a TCP retry) as a task the resolver keeps until it ends or is closed."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _raw_tcp(self, ask: _Ask) -> None:
        """A truncated raw response: the question again over TCP, within what is left."""
        message = dns.message.from_wire(ask.template)
        message.id = self._qid()
        wait = max(ask.deadline - time.monotonic(), 1e-3)
        response: dns.message.Message | None
        try:
            assert self._tcp_slots is not None  # noqa: S101 -- _attach ran
            async with self._tcp_slots:
                response = await dns.asyncquery.tcp(
                    message, ask.server, timeout=wait, port=self.port
                )
        except Exception:  # noqa: BLE001 -- a server that fails is one that did not answer
            response = None
        self._finish(ask, response)

    async def _tcp(self, ask: _Ask) -> None:
        label = self._label(ask)
        wait = ask.deadline - time.monotonic()
        try:
            answer = await asyncio.wait_for(self._over_tcp(ask, label), timeout=max(wait, 0.0))
        except TimeoutError:
            answer = Answer(ask.query, Outcome.TIMEOUT, server=label, detail="no answer in time")
        except (OSError, asyncio.IncompleteReadError) as exc:
            detail = f"network error: {type(exc).__name__} {exc}"
            answer = Answer(ask.query, Outcome.ERROR, server=label, detail=detail)
        if ask.recursion and answer.outcome in {Outcome.TIMEOUT, Outcome.ERROR}:
            self._failed(ask, answer)
        else:
            self._answered(ask, answer)

    async def _over_tcp(self, ask: _Ask, label: str) -> Answer:
        qid = self._qid()
        message = struct.pack("!H", qid) + ask.template[2:]
        assert self._tcp_slots is not None  # noqa: S101 -- _attach ran
        async with self._tcp_slots:
            return await self._tcp_exchange(ask, label, message)

    async def _tcp_exchange(self, ask: _Ask, label: str, message: bytes) -> Answer:
        reader, writer = await asyncio.open_connection(ask.server, self.port)
        try:
            writer.write(struct.pack("!H", len(message)) + message)
            await writer.drain()
            size = int.from_bytes(await reader.readexactly(2), "big")
            wire = await reader.readexactly(size)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        if wire[:2] != message[:2] or not _lean.matches(ask.question, wire):
            detail = "the response does not match the question"
            return Answer(ask.query, Outcome.ERROR, server=label, detail=detail)
        return _lean.read(ask.query, wire, label) or Answer(
            ask.query, Outcome.ERROR, server=label, detail="malformed response"
        )


def _rebuilt(settings: dict[str, Any], unconfigured: str) -> FastResolver:
    resolver = FastResolver(**settings)
    resolver.unconfigured = unconfigured
    return resolver


def _summary(query: Query, failures: list[tuple[str, Answer]], *, recursion: bool) -> Answer:
    """Every server failed: one outcome (as DnsResolver sums them up), every reason in detail."""
    if not recursion:
        return failures[-1][1]
    reasons = [
        answer.outcome.value
        if answer.outcome in {Outcome.SERVFAIL, Outcome.REFUSED}
        else answer.detail
        for _, answer in failures
    ]
    if all(r == "REFUSED" for r in reasons):
        outcome = Outcome.REFUSED
    elif "SERVFAIL" in reasons:
        outcome = Outcome.SERVFAIL
    else:
        outcome = Outcome.ERROR
    detail = "; ".join(
        f"{server}: {reason}" for (server, _), reason in zip(failures, reasons, strict=True)
    )
    return Answer(query, outcome, detail=detail)


def _name_end(wire: bytes) -> int:
    """The offset after the first question's name in a query of ours (no compression)."""
    pos = 12
    while wire[pos]:
        pos += wire[pos] + 1
    return pos + 1


_BARE_ERRORS = frozenset({1, 2, 4, 5})  # FORMERR, SERVFAIL, NOTIMP, REFUSED


def _answers(response: dns.message.Message) -> bool:
    """What ``is_response`` checks beyond the ID, the QR flag and the question matched on receipt.

    The opcode is the query's; a response without a question is taken only
    with one of the four RCODEs that may leave it out (EDNS's extended bits
    included, as dnspython reads the RCODE).
    """
    if response.opcode() != 0:
        return False
    return bool(response.question) or response.rcode() in _BARE_ERRORS


def _finished(_result: object) -> None:
    """The callback of a question that has had its answer: nothing more to tell anyone."""


def _settle(future: asyncio.Future[_R], result: _R) -> None:
    """A callback's result into ``future`` (once: a later call is ignored)."""
    if not future.done():
        future.set_result(result)
