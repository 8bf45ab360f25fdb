"""Many checks on one event loop, driven by callbacks: the fast batch path.

:func:`run` drives :func:`pecdns._observe.plan` for many domains at once on
one event loop in the calling thread: each question goes to the resolver
with a callback (no task, no future), each check advances when its round's
last answer lands, and each observation is judged by the same
:func:`pecdns._check.report` as :func:`pecdns.check`, so a report is the
one ``check()`` gives for the same answers. Across the batch, address
look-ups are cached (TTL respected) and shared while in flight.

Output order is kept without stalls: new checks start while an old one
waits, up to ``reorder`` results held back behind the oldest unfinished
check (a bound on memory). When that buffer is full the engine starts
nothing new until the oldest check ends -- which its time budget bounds.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import gc
import inspect
import queue
import threading
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pecdns._batch import InvalidInput, _closing, _failed
from pecdns._budget import LoopTally, Tally, within
from pecdns._check import report
from pecdns._codes import check_lang
from pecdns._dnssec import Question as _Question
from pecdns._domain import Domain
from pecdns._limits import reached
from pecdns._models import BUDGET_SPENT, Answer, Outcome, Query, RRType
from pecdns._observe import _failure, _is_raw, _speaks_raw, _valid, gather, plan
from pecdns._policy import ARUBA, Policy
from pecdns._reduce import replaced
from pecdns.exceptions import InvalidDomainError, PecdnsError
from pecdns.resolvers._dnspython import DnsResolver
from pecdns.resolvers._fast import FastResolver

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterable, Iterator

    import dns.message

    from pecdns._models import Observation, Report
    from pecdns._observe import Raw, Replies, Round
    from pecdns.resolvers import AsyncResolver, Resolver

__all__ = ["collector_paused", "run"]

_CACHED = frozenset({RRType.A, RRType.AAAA})
HANDOVER_BUNCH = 1024
"""Ready results that are handed over at once; fewer wait up to ``HANDOVER_DELAY``."""
HANDOVER_DELAY = 0.02
"""Seconds a ready result may wait for others before the caller gets it."""
_T = TypeVar("_T")

PAUSE: Any = object()
"""What an input iterator yields when it has nothing yet (a worker waiting for names).

The engine then starts nothing more until :meth:`_Engine.fill` is called
again (``loop.call_soon_threadsafe(engine.fill)`` from whoever feeds it).
"""


def fast_resolver(resolver: Resolver | AsyncResolver | None, **knobs: Any) -> FastResolver | None:  # noqa: ANN401
    """The FastResolver standing for ``resolver`` (None: the system's), or None if none can.

    A :class:`~pecdns.resolvers.DnsResolver` (or its async form) becomes a
    FastResolver with the same servers, port and timeouts.

    >>> fast_resolver(DnsResolver(["192.0.2.1"], port=5353)).port
    5353
    """
    if resolver is None:
        return FastResolver(**knobs)
    if isinstance(resolver, FastResolver):
        return resolver
    if isinstance(resolver, DnsResolver):
        fast = FastResolver(
            list(resolver.nameservers),
            port=resolver.port,
            timeout=resolver.timeout,
            lifetime=resolver.lifetime,
            **knobs,
        )
        fast.unconfigured = resolver.unconfigured  # RESOLVER_UNCONFIGURED, as DnsResolver says it
        return fast
    return None


class _Source:
    """Questions to any resolver, answered through callbacks on the loop."""

    def __init__(self, resolver: Resolver | AsyncResolver | FastResolver) -> None:
        self.resolver = resolver
        self.fast = resolver if isinstance(resolver, FastResolver) else None
        self.is_async = inspect.iscoroutinefunction(getattr(resolver, "resolve", None))
        self.tasks: set[asyncio.Task[Any]] = set()

    def submit(
        self, query: Query, deadline: float, callback: Callable[[Answer], object], tally: Tally
    ) -> None:
        if self.fast is not None:
            self.fast.submit_bound(query, deadline, callback, tally)
            return
        loop = asyncio.get_running_loop()
        if self.is_async:
            task = loop.create_task(self._awaited(query, deadline, callback))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            return
        try:  # a sync resolver is called inline: meant for offline ones (zones, fakes, replays)
            answer = _valid(query, cast("Resolver", self.resolver).resolve(query))
        except PecdnsError as exc:  # misuse (a replay missing a question): evidence, not a hang
            answer = Answer(query, Outcome.ERROR, detail=f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001 -- _failure keeps it as evidence or re-raises
            answer = _failure(query, exc)
        loop.call_soon(callback, answer)

    async def _awaited(
        self, query: Query, deadline: float, callback: Callable[[Answer], object]
    ) -> None:
        wait = deadline - time.monotonic()
        try:
            asked = cast("AsyncResolver", self.resolver).resolve(query)
            answer = _valid(query, await asyncio.wait_for(asked, wait))
        except TimeoutError:
            answer = Answer(query, Outcome.TIMEOUT, detail=BUDGET_SPENT)
        except Exception as exc:  # noqa: BLE001 -- _failure keeps it as evidence or re-raises
            answer = _failure(query, exc)
        callback(answer)


class _Check:
    """One domain's plan, advanced by its answers' callbacks.

    At most ``Limits.in_flight`` of a round's questions wait on the network at
    once (as in :func:`pecdns.check`); the check's tally counts the questions
    asked and the messages sent, and nothing is asked past ``Limits.queries``.
    """

    __slots__ = (
        "answers",
        "deadline",
        "domain",
        "engine",
        "indices",
        "out",
        "steps",
        "tally",
        "todo",
        "waiting",
    )

    def __init__(self, engine: _Engine, domain: Domain, index: int) -> None:
        self.engine = engine
        self.domain = domain
        self.indices = [index]
        self.deadline = time.monotonic() + engine.timeout if engine.timeout else float("inf")
        self.steps: Generator[Round, Replies, Observation] = engine.steps(domain)
        self.tally: Tally = LoopTally(engine.policy.limits)
        self.answers: list[Answer | None] = []
        self.todo: collections.deque[tuple[int, Query]] = collections.deque()
        self.waiting = 0
        self.out = 0

    def advance(self, answers: Replies | None) -> None:
        while True:
            try:
                round_ = next(self.steps) if answers is None else self.steps.send(answers)
            except StopIteration as done:
                self.engine.finished(self, replaced(done.value, queries=self.tally.queries))
                return
            except Exception as exc:  # noqa: BLE001 -- nothing raises out of a batch
                self.engine.finished(self, _failed(self.domain, self.engine.policy, exc))
                return
            if not _is_raw(round_):
                break
            # The EDNS probes and the DNSSEC walk: few, one after another. A round the
            # batch has already seen (the root's and the TLD's keys) is answered at once.
            raw = cast("list[Raw]", round_)
            answers = self.cached(raw)
            if answers is None:
                self.engine.spawn(self.raw(raw))
                return
        round_ = cast("list[Query]", round_)
        self.answers = [None] * len(round_)
        self.waiting = len(round_)
        self.todo.extend(enumerate(round_))
        self.pump()

    def pump(self) -> None:
        """Ask the round's next questions, up to the check's ``in_flight`` at once."""
        in_flight = self.engine.policy.limits.in_flight
        while self.todo and self.out < in_flight:
            i, query = self.todo.popleft()
            if self.tally.full():  # the query cap: nothing more is asked
                limit = reached("queries", self.tally.limits.queries)
                self.landed(i, Answer(query, Outcome.ERROR, detail=limit), counted=False)
                continue
            self.tally.ask()
            self.out += 1
            self.engine.ask(query, self.deadline, functools.partial(self.landed, i), self.tally)

    def cached(self, round_: list[Raw]) -> list[dns.message.Message | None] | None:
        """The round's replies when the batch holds every one (counted as :meth:`raw` counts).

        ``None`` when any must go to the network: :meth:`raw` then asks the round.
        """
        keys = [_raw_key(question) for question in round_]
        held = self.engine.raw_cache
        if not all(key is not None and key in held for key in keys):
            return None
        replies: list[dns.message.Message | None] = []
        for key in keys:
            if not self.may_ask_raw():
                replies.append(None)
                continue
            self.tally.ask()
            replies.append(held[key])  # type: ignore[index]
        return replies

    def may_ask_raw(self) -> bool:
        """Whether one more raw question may be asked: time left, and the query cap not reached."""
        return self.deadline > time.monotonic() and not self.tally.full()

    async def raw(self, round_: list[Raw]) -> None:
        """Answer a round of raw questions in turn, within the budget and the query cap."""
        replies: list[dns.message.Message | None] = []
        end = self.deadline if self.deadline != float("inf") else None
        try:
            with within(end, self.tally):  # the network code reads budget and tally from context
                for question in round_:
                    if not self.may_ask_raw():
                        replies.append(None)
                        continue
                    left = self.deadline - time.monotonic()
                    replies.append(await self.engine.ask_raw(question, left, self.tally))
        except Exception as exc:  # noqa: BLE001 -- misuse (a replay missing a raw question): the check's failure, not a hang
            self.engine.finished(self, _failed(self.domain, self.engine.policy, exc))
            return
        self.advance(replies)

    def landed(self, i: int, answer: Answer, *, counted: bool = True) -> None:
        self.answers[i] = answer
        self.waiting -= 1
        if counted:
            self.out -= 1
        if not self.waiting:
            self.advance(self.answers)  # type: ignore[arg-type]
        elif counted:
            self.pump()


class _Engine:
    """The batch: checks in flight, the address cache, the reorder buffer."""

    def __init__(  # noqa: PLR0913 -- the batch's settings
        self,
        source: _Source,
        policy: Policy,
        *,
        timeout: float | None,
        lang: str,
        at: datetime | None,
        concurrency: int,
        reorder: int,
        ordered: bool,
        cache_size: int,
    ) -> None:
        self.source = source
        self.policy = policy
        self.timeout = timeout
        self.lang = lang
        self.at = at
        self.concurrency = concurrency
        self.reorder = reorder
        self.ordered = ordered
        self.indexed = False  # unordered: yield (input index, result) pairs (for worker processes)
        self.cache_size = cache_size
        self.cache: collections.OrderedDict[Query, tuple[float, Answer]] = collections.OrderedDict()
        self.flights: dict[Query, list[Callable[[Answer], object]]] = {}
        self.running: dict[str, _Check] = {}
        self.held: dict[int, Report | InvalidInput] = {}
        self.ready: collections.deque[Any] = collections.deque()  # results, or (index, result)
        self.next_in = 0
        self.next_out = 0
        self.exhausted = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.items: Iterator[str | Domain] = iter(())
        self.refill = False
        self.handover: asyncio.TimerHandle | None = None  # the pending hand-over of results
        self.questions = 0
        self.error: Exception | None = None
        self.raw_cache: dict[tuple[str, str, str], dns.message.Message] = {}
        self.raw_flights: dict[tuple[str, str, str], asyncio.Task[dns.message.Message | None]] = {}

    # -- raw DNS: the EDNS probes and the DNSSEC walk -----------------------------------

    def steps(self, domain: Domain) -> Generator[Round, Replies, Observation]:
        """A check's gathering, as :func:`pecdns.check` would run it with the same resolver."""
        if not _speaks_raw(self.source.resolver):
            return cast("Generator[Round, Replies, Observation]", plan(domain, self.policy))
        return gather(domain, self.policy, at=self.at or datetime.now(timezone.utc))

    def spawn(self, coro: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        """Run ``coro`` on the loop, keeping a reference until it ends (or the batch does)."""
        task = asyncio.get_running_loop().create_task(coro)
        self.source.tasks.add(task)
        task.add_done_callback(self.source.tasks.discard)
        return task

    async def ask_raw(self, question: Raw, wait: float, tally: Tally) -> dns.message.Message | None:
        """One raw question's response, ``None`` when none came within ``wait``.

        The DNSSEC walk asks every check of a batch the same keys and
        delegations (the root's, the top-level domain's): a response is
        shared by the batch's checks, as a resolver's cache would share it,
        and counted once per check that asks it.
        """
        key = _raw_key(question)
        tally.ask()
        if key is None and self.source.fast is not None:  # the check's own, on the fast sockets
            return await self.source.fast.raw_future(question, time.monotonic() + wait, tally)
        if key is None:
            return await self._asked(self._ask_raw(question), wait)
        if key in self.raw_cache:
            return self.raw_cache[key]
        flight = self.raw_flights.get(key)
        if flight is None:  # the first to ask: the others wait for the same response
            flight = self.spawn(self._ask_raw(question))
            self.raw_flights[key] = flight
            flight.add_done_callback(functools.partial(self._raw_landed, key))
        return await self._asked(asyncio.shield(flight), wait)

    async def _ask_raw(self, question: Raw) -> dns.message.Message | None:
        """The resolver's response to ``question`` (within its own timeouts), ``None`` if none."""
        try:
            response: dns.message.Message | None = await cast("Any", self.source.resolver).ask_raw(
                question
            )
        except PecdnsError:
            raise
        except Exception:  # noqa: BLE001 -- a failing resolver gave no response
            response = None
        return response

    @staticmethod
    async def _asked(
        asked: Awaitable[dns.message.Message | None], wait: float
    ) -> dns.message.Message | None:
        """``asked``'s response, ``None`` past ``wait`` (the asking check's budget)."""
        try:
            return await asyncio.wait_for(asked, wait)
        except TimeoutError:
            return None

    def _raw_landed(
        self, key: tuple[str, str, str], flight: asyncio.Future[dns.message.Message | None]
    ) -> None:
        del self.raw_flights[key]
        if not flight.cancelled() and flight.exception() is None:
            response = flight.result()
            if response is not None:
                self.raw_cache[key] = response

    # -- input -----------------------------------------------------------------------

    def fill(self) -> None:
        """Start checks while the window and the reorder buffer have room."""
        self.refill = False
        items = self.items
        while (
            not self.exhausted
            and len(self.running) < self.concurrency
            and self.next_in - self.next_out < self.reorder
        ):
            try:
                item = next(items)
            except StopIteration:
                self.exhausted = True
                if not self.running and self.loop is not None and self.loop.is_running():
                    self.loop.stop()  # ended while paused: nothing more will stop the loop
                return
            except Exception as exc:  # noqa: BLE001 -- the input's own error: raised to the caller
                self.error = exc
                self.exhausted = True
                if self.loop is not None and self.loop.is_running():
                    self.loop.stop()
                return
            if item is PAUSE:
                return
            index = self.next_in
            self.next_in += 1
            self.start(item, index)

    def start(self, item: str | Domain, index: int) -> None:
        if isinstance(item, Domain):
            domain = item
        else:
            try:
                domain = Domain(item)
            except InvalidDomainError as exc:
                self.put(index, InvalidInput.of(item, exc, self.policy, self.lang, self.at))
                return
        twin = self.running.get(domain.name)
        if twin is not None:
            twin.indices.append(index)  # repeated while in flight: one check for both
            return
        check = _Check(self, domain, index)
        self.running[domain.name] = check
        check.advance(None)

    # -- questions -------------------------------------------------------------------

    def ask(
        self, query: Query, deadline: float, callback: Callable[[Answer], object], tally: Tally
    ) -> None:
        assert self.loop is not None  # noqa: S101 -- set by run
        now = time.monotonic()
        if now >= deadline:
            self.loop.call_soon(callback, Answer(query, Outcome.TIMEOUT, detail=BUDGET_SPENT))
            return
        if query.server is None and query.rdtype in _CACHED:
            hit = self.cache.get(query)
            if hit is not None and hit[0] > now:
                self.cache.move_to_end(query)
                self.loop.call_soon(callback, hit[1])
                return
            waiting = self.flights.get(query)
            if waiting is not None:
                waiting.append(callback)
                return
            self.flights[query] = [callback]
            callback = functools.partial(self.shared, query)
        self.questions += 1
        self.source.submit(query, deadline, callback, tally)

    def shared(self, query: Query, answer: Answer) -> None:
        if not answer.outcome.is_failure:
            ttl = answer.ttl if answer.ttl is not None else 300
            self.cache[query] = (time.monotonic() + ttl, answer)
            if len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        for callback in self.flights.pop(query, ()):
            callback(answer)

    # -- output ----------------------------------------------------------------------

    def finished(self, check: _Check, observation: Observation) -> None:
        if self.running.get(check.domain.name) is check:
            del self.running[check.domain.name]
        try:
            result = report(observation, self.policy, at=self.at, lang=self.lang)
        except Exception as exc:  # noqa: BLE001 -- in a callback it would leave the batch waiting
            failed = _failed(check.domain, self.policy, exc)
            result = report(failed, self.policy, at=self.at, lang=self.lang)
        for index in check.indices:
            self.put(index, result)
        if not self.refill and self.loop is not None:  # a check ended: start the next one
            self.refill = True
            self.loop.call_soon(self.fill)

    def put(self, index: int, result: Report | InvalidInput) -> None:
        if self.ordered:
            self.held[index] = result
            while self.next_out in self.held:
                self.ready.append(self.held.pop(self.next_out))
                self.next_out += 1
        else:
            self.ready.append((index, result) if self.indexed else result)
            self.next_out += 1
        if self.ready and self.loop is not None and self.loop.is_running():
            self.hand_over()

    def hand_over(self) -> None:
        """Stop the loop so that the caller gets the ready results: soon, and in bunches.

        At once when a bunch is full or nothing else runs; otherwise within
        ``HANDOVER_DELAY``, the loop going on meanwhile. Each hand-over
        resumes the collector (see :func:`collector_paused`), whose first
        collection then walks every object the checks in flight hold: a
        result at a time, that was 6% of a batch's CPU.
        """
        assert self.loop is not None  # noqa: S101 -- called while the loop runs
        if len(self.ready) >= HANDOVER_BUNCH or not self.running:
            self.loop.stop()
        elif self.handover is None:
            self.handover = self.loop.call_later(HANDOVER_DELAY, self.loop.stop)

    def resumed(self) -> None:
        """The loop stopped: a pending hand-over is void."""
        if self.handover is not None:
            self.handover.cancel()
            self.handover = None

    @property
    def done(self) -> bool:
        return self.exhausted and not self.running and not self.ready


def run(  # noqa: PLR0913 -- the batch API: every option keyword-only, with a default
    domains: Iterable[str | Domain],
    *,
    resolver: Resolver | AsyncResolver | FastResolver | None = None,
    policy: Policy = ARUBA,
    ordered: bool = True,
    timeout: float | None = 10.0,
    concurrency: int = 512,
    reorder: int = 8192,
    lang: str = "en",
    at: datetime | None = None,
    cache_size: int = 50_000,
    indexed: bool = False,
) -> Iterator[Report | InvalidInput]:
    """Check ``domains`` on one event loop; yield one result per input, in input order.

    Args:
        domains: registrable domains, as text or :class:`Domain`, read lazily.
        resolver: a :class:`~pecdns.resolvers._fast.FastResolver`; a
            :class:`~pecdns.resolvers.DnsResolver` (its settings are taken
            over by a FastResolver); ``None``: a FastResolver on the system's
            resolvers; any other resolver is asked as it is (sync ones
            inline, so offline ones: zones, fakes, replays).
        policy: the provider's requirements.
        ordered: yield in input order; ``False`` yields as checks complete.
        timeout: each check's time budget, in seconds (``None``: none).
        concurrency: checks in flight at once.
        reorder: results at most held back behind the oldest unfinished check.
        lang: the language of messages.
        at: the time stamped on every report.
        cache_size: address answers cached across the batch.
        indexed: with ``ordered=False``, yield ``(index, result)`` pairs, the
            index being the input's position (from 0): which input each
            result answers.

    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> [str(r.verdict) for r in run(["example.it", "www.example.it"], resolver=fake)]
    ['COMPLIANT', 'UNDETERMINED']
    """
    if min(concurrency, reorder, cache_size) < 1:
        raise ValueError("concurrency, reorder and cache_size must be at least 1")
    check_lang(lang)
    settings = {
        "policy": policy,
        "ordered": ordered,
        "timeout": timeout,
        "concurrency": concurrency,
        "reorder": reorder,
        "lang": lang,
        "at": at,
        "cache_size": cache_size,
        "indexed": indexed and not ordered,
    }
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _closing(_run(domains, resolver, **settings))
    return _closing(_threaded(_run(domains, resolver, **settings)))  # a loop runs here (Jupyter)


def _run(
    domains: Iterable[str | Domain],
    resolver: Resolver | AsyncResolver | FastResolver | None,
    **settings: Any,  # noqa: ANN401
) -> Iterator[Report | InvalidInput]:
    fast = fast_resolver(resolver)
    source = _Source(fast if fast is not None else resolver)  # type: ignore[arg-type]
    indexed = settings.pop("indexed", False)
    engine = _Engine(source, **settings)
    engine.indexed = indexed
    loop = asyncio.new_event_loop()
    engine.loop = loop
    if fast is not None:
        fast.bind(loop)  # once: its questions are all submitted on this loop
    engine.items = iter(domains)
    attach = getattr(domains, "attach", None)
    if attach is not None:  # an input that may PAUSE: it wakes the engine when names come
        attach(functools.partial(loop.call_soon_threadsafe, engine.fill))
    try:
        yield from _driven(engine, loop)
    finally:
        if fast is not None:
            fast.close()  # its sockets belong to this loop; it opens new ones when used again
        for task in source.tasks:
            task.cancel()
        if source.tasks:
            loop.run_until_complete(asyncio.gather(*source.tasks, return_exceptions=True))
        loop.close()


def _driven(engine: _Engine, loop: asyncio.AbstractEventLoop) -> Iterator[Report | InvalidInput]:
    """Run ``loop`` while results are due; yield them as they are ready.

    The collector is paused only on the main thread: elsewhere (a notebook's
    thread of its own, a server's worker) other code may be running alongside.
    """
    pause = collector_paused if threading.current_thread() is threading.main_thread() else None
    while True:
        loop.call_soon(engine.fill)
        if not engine.ready:
            if engine.error is not None:
                raise engine.error  # reading the input failed (as the dnspython path raises it)
            if engine.done:
                return
            with pause() if pause is not None else contextlib.nullcontext():
                loop.run_forever()
            engine.resumed()
        while engine.ready:
            yield engine.ready.popleft()
        if engine.error is not None:
            raise engine.error
        if engine.done:
            return


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the engine's own loop runs.

    A batch allocates objects fast and keeps many alive for a while (checks in
    flight, answers, the address cache), so the collector's thresholds fire
    over and over and its full collections walk every live object of the
    process: 15-30% of a batch's CPU. The engine makes little cyclic garbage;
    what it makes is collected as usual once the collector resumes, which it
    does before results reach the caller, so the caller's own code
    never runs with it paused by pecdns. The engine pauses it only when it
    runs on the main thread; the collector is the process's, so other threads
    running meanwhile run without it too. A collector already disabled stays so.

    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


_END = object()


def _threaded(results: Iterator[Report | InvalidInput]) -> Iterator[Report | InvalidInput]:
    """``results`` produced in a thread of their own (where this thread already runs a loop)."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=1024)
    stop = threading.Event()

    def produce() -> None:
        try:
            for result in results:
                while not stop.is_set():
                    try:
                        handoff.put(result, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(_END)
        except BaseException as exc:  # noqa: BLE001 -- handed to the consumer
            handoff.put(exc)
        finally:
            results.close()  # type: ignore[attr-defined]

    thread = threading.Thread(target=produce, name="pecdns-engine", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=10)


def _raw_key(question: Raw) -> tuple[str, str, str] | None:
    """How a raw question is shared across a batch: the DNSSEC walk's keys and delegations only.

    A probe of one server, and the walk's question for the PEC name's own
    MX, belong to one check.
    """
    rdtype = getattr(question, "rdtype", "")
    if not isinstance(question, _Question) or rdtype not in {"DNSKEY", "DS"}:
        return None
    return (str(question.name), str(rdtype), str(question.zone))
