"""Checking many domains: asyncio checks, a bounded window, nothing lost, work shared.

``check_many`` runs each check as an asyncio task on an event loop of its own
thread (so it works where a loop already runs, as in Jupyter), keeps at most
``concurrency`` checks in flight, reads its input lazily and yields exactly
one result per input. Across a batch, address look-ups are cached (TTL
respected) and shared while in flight, each name server gets a bounded
number of questions in flight and per second, and the questions waiting on
the network at once are bounded too (each holds a socket: see
:func:`socket_cap`), so a batch behaves the same under any ``ulimit -n``.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import functools
import itertools
import threading
import time
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from attrs import field, frozen
from typing_extensions import Self

from pecdns._budget import budget
from pecdns._check import _default_async_resolver, report
from pecdns._codes import check_lang, render
from pecdns._domain import Domain
from pecdns._models import (
    SCHEMA,
    Answer,
    Finding,
    HostLookup,
    Observation,
    Outcome,
    Query,
    Report,
    RRType,
    Verdict,
)
from pecdns._observe import _speaks_raw, aobserve
from pecdns._policy import ARUBA, Policy
from pecdns.exceptions import InvalidDomainError
from pecdns.resolvers._protocol import ThreadedResolver, as_async

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Generator, Iterable, Iterator
    from datetime import datetime

    import dns.message

    from pecdns._observe import Raw
    from pecdns.resolvers import AsyncResolver, Resolver
    from pecdns.resolvers._protocol import AsyncRawResolver

__all__ = ["InvalidInput", "acheck", "check_many"]

_CACHED = frozenset({RRType.A, RRType.AAAA})
T = TypeVar("T")


@frozen
class InvalidInput:
    """The result, in a batch, for an input that is not a registrable domain.

    It has the surface of a :class:`Report` (verdict, findings, ``ok``,
    ``to_dict``...) but no domain and no observation, since nothing was asked.

    Attributes:
        name: the input as given.
        findings: one ``INPUT_INVALID`` finding saying what is wrong.
    """

    name: str
    findings: tuple[Finding, ...]
    policy: str = ARUBA.name
    checked_at: datetime | None = None
    verdict: Verdict = field(default=Verdict.UNDETERMINED, init=False)
    remedy: None = field(default=None, init=False)

    @classmethod
    def of(
        cls, name: object, error: InvalidDomainError, policy: Policy, lang: str, at: datetime | None
    ) -> InvalidInput:
        """The result for ``name``, refused with ``error``."""
        args = {"name": repr(name), "reason": error.render(lang)}  # the reason in `lang` too
        message, fix = render("INPUT_INVALID", args, lang)
        finding = Finding(
            "INPUT_INVALID",
            policy.severity("INPUT_INVALID"),
            None,
            message,
            fix=fix,
            args=tuple(sorted(args.items())),
        )
        return cls(str(name), (finding,), policy.name, at)

    @property
    def ok(self) -> bool:
        """Always False: an invalid input is never compliant."""
        return False

    def codes(self) -> tuple[str, ...]:
        """The codes of the findings (``("INPUT_INVALID",)``)."""
        return tuple(f.code for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data, in the report schema with no domain."""
        return {
            "schema": SCHEMA,
            "input": self.name,
            "domain": None,
            "domain_unicode": None,
            "pec_name": None,
            "verdict": self.verdict.value,
            "ok": False,
            "policy": self.policy,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "findings": [f.to_dict() for f in self.findings],
            "remedy": None,
            "observation": None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InvalidInput:
        """Read back the result from its JSON form, as :meth:`to_dict` wrote it.

        Raises:
            pecdns.portfolio.DataFormatError: the data is not an invalid input's
                ``pecdns.report.v1`` form.

        >>> result = next(check_many(["www.example.it"]))
        >>> InvalidInput.from_dict(result.to_dict()) == result
        True
        """
        from pecdns._serial import invalid_input_from_dict  # noqa: PLC0415 -- _serial imports this module

        return invalid_input_from_dict(data)

    def _repr_html_(self) -> str:
        """The result as HTML for Jupyter, every value escaped (see :func:`pecdns.to_html`)."""
        from pecdns._html import report_html  # noqa: PLC0415 -- _html imports this module

        return report_html(self)

    def __str__(self) -> str:
        return f"{self.name!r}: {self.verdict}\n  {self.findings[0]}"


def socket_cap() -> int:
    """Questions a batch keeps waiting on the network at once: 256, or fewer under a low limit.

    A quarter of the process's file-descriptor limit (``ulimit -n``) at most,
    leaving the rest to the program around pecdns; never below 4.
    """
    try:
        import resource  # noqa: PLC0415 -- POSIX only

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # pragma: no cover -- not POSIX
        return _SOCKETS
    if soft == resource.RLIM_INFINITY:
        return _SOCKETS
    return max(4, min(_SOCKETS, soft // 4))


_SOCKETS = 256


class _Shared:
    """One batch's view of a resolver: cached addresses, single flight, polite to servers."""

    def __init__(
        self, resolver: AsyncResolver, *, per_server: int, per_second: float, cache_size: int
    ) -> None:
        self.resolver = resolver
        self.sockets = asyncio.Semaphore(socket_cap())
        self.per_server = per_server
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.cache_size = cache_size
        self.cache: collections.OrderedDict[Query, tuple[float, Answer]] = collections.OrderedDict()
        self.flights: dict[Query, asyncio.Future[Answer]] = {}
        self.gates: dict[str, asyncio.Semaphore] = {}
        self.next_slot: dict[str, float] = {}

    async def resolve(self, query: Query) -> Answer:
        if query.server is not None:
            return await self._polite(query)
        if query.rdtype not in _CACHED:
            return await self._sent(query)
        now = time.monotonic()
        hit = self.cache.get(query)
        if hit is not None and hit[0] > now:
            self.cache.move_to_end(query)
            return hit[1]
        flight = self.flights.get(query)
        if flight is not None:
            return await asyncio.shield(flight)
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self.flights[query] = future
        try:
            answer = await self._sent(query)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters get it, no "never retrieved" warning
            raise
        finally:
            del self.flights[query]
        future.set_result(answer)
        if not answer.outcome.is_failure:
            self.cache[query] = (now + (answer.ttl if answer.ttl is not None else 300), answer)
            if len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return answer

    @property
    def speaks_raw(self) -> bool:
        """Whether the resolver behind this view sends raw DNS (``ask_raw``)."""
        return _speaks_raw(self.resolver)

    async def ask_raw(self, question: Raw) -> dns.message.Message | None:
        """A raw question (the DNSSEC walk, a probe without EDNS), to the resolver behind."""
        return await cast("AsyncRawResolver", self.resolver).ask_raw(question)

    async def _polite(self, query: Query) -> Answer:
        server = query.server or ""
        gate = self.gates.setdefault(server, asyncio.Semaphore(self.per_server))
        async with gate:
            if self.interval:
                now = time.monotonic()
                slot = max(now, self.next_slot.get(server, now))
                self.next_slot[server] = slot + self.interval
                if slot > now:
                    await asyncio.sleep(slot - now)
            return await self._sent(query)

    async def _sent(self, query: Query) -> Answer:
        """Ask the resolver, holding one of the batch's sockets meanwhile."""
        async with self.sockets:
            return await self.resolver.resolve(query)


def _failed(domain: Domain, policy: Policy, exc: BaseException) -> Observation:
    """An observation whose every answer says the check itself failed, and why."""
    detail = f"the check failed: {type(exc).__name__}: {exc}"
    pec, apex = policy.pec_name(domain), f"{domain.name}."

    def error(name: str, rdtype: RRType) -> Answer:
        return Answer(Query(name, rdtype), Outcome.ERROR, detail=detail)

    return Observation(
        domain=domain,
        pec_name=pec,
        pec_mx=error(pec, RRType.MX),
        domain_mx=error(apex, RRType.MX),
        domain_ns=error(apex, RRType.NS),
        pec_ns=error(pec, RRType.NS),
        hosts=(HostLookup(policy.mx_host, error(policy.mx_host, RRType.A)),),
    )


async def acheck(
    domain: str | Domain,
    *,
    resolver: Resolver | AsyncResolver | None = None,
    policy: Policy = ARUBA,
    at: datetime | None = None,
    lang: str = "en",
    timeout: float | None = 10.0,
) -> Report:
    """As :func:`pecdns.check`, for asyncio: each round of questions is asked at once.

    A sync resolver is run in pecdns's one shared, bounded thread pool (in
    the check's context, so it sees the time budget); with none, the real
    DNS through :class:`~pecdns.resolvers.AsyncDnsResolver`. ``timeout`` is
    the whole check's budget, as for :func:`pecdns.check`.

    >>> import asyncio
    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> asyncio.run(acheck("example.it", resolver=fake)).verdict
    <Verdict.COMPLIANT: 'COMPLIANT'>
    """
    parsed = domain if isinstance(domain, Domain) else Domain(domain)
    check_lang(lang)
    source = as_async(resolver) if resolver is not None else _default_async_resolver()
    with budget(timeout, policy.limits):
        observation = await aobserve(parsed, source, policy, at=at)
    return report(observation, policy, at=at, lang=lang)


class _Loop:
    """An event loop running in a thread of its own, for the life of a batch."""

    def __enter__(self) -> Self:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="pecdns-batch", daemon=True
        )
        self.thread.start()
        return self

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def __exit__(self, *exc: object) -> None:
        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(cancel_all(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


REORDER = 4096
"""Finished results ordered output may hold behind a slow check (or 16 per check in flight)."""


class _Window(Generic[T]):
    """The started futures of a batch: at most ``size`` running, a bounded reorder buffer."""

    def __init__(self, size: int, *, ordered: bool) -> None:
        self.size = size
        self.ordered = ordered
        self.bound = max(REORDER, 16 * size) if ordered else size
        self.started: collections.deque[concurrent.futures.Future[T]] = collections.deque()
        self.running: set[concurrent.futures.Future[T]] = set()

    def add(self, future: concurrent.futures.Future[T]) -> None:
        self.started.append(future)
        self.running.add(future)

    def busy(self) -> bool:
        """Whether no other check may start: ``size`` running, or the buffer full."""
        self.running = {f for f in self.running if not f.done()}
        return len(self.running) >= self.size or len(self.started) >= self.bound

    def wait(self) -> None:
        """Wait for the oldest when the reorder buffer is full, else for any running future."""
        if len(self.started) >= self.bound and self.ordered:
            concurrent.futures.wait([self.started[0]])
        else:
            done, _ = concurrent.futures.wait(
                self.running, return_when=concurrent.futures.FIRST_COMPLETED
            )
            self.running -= done

    def ready(self) -> Iterator[T]:
        """The results that may be yielded now."""
        if self.ordered:
            while self.started and self.started[0].done():
                yield self.started.popleft().result()
            return
        for future in [f for f in self.started if f.done()]:
            self.started.remove(future)
            yield future.result()


def _windowed(
    futures: Iterator[concurrent.futures.Future[T]], size: int, *, ordered: bool
) -> Iterator[T]:
    """Results of ``futures``, started lazily with at most ``size`` running at once.

    Ordered, finished results wait in a reorder buffer behind the oldest
    unfinished one while new ones keep starting, so one slow check does not
    stall the batch. The buffer holds at most ``max(REORDER, 16 * size)``
    results (a few kilobytes each: memory stays bounded whatever the input's
    length); when it is full, no new check starts until the oldest finishes
    and is yielded.
    """
    window = _Window[T](size, ordered=ordered)
    for future in futures:
        window.add(future)
        yield from window.ready()
        while window.busy():
            window.wait()
            yield from window.ready()
    while window.started:
        window.wait()
        yield from window.ready()


def _done(result: T) -> concurrent.futures.Future[T]:
    future: concurrent.futures.Future[T] = concurrent.futures.Future()
    future.set_result(result)
    return future


@frozen
class _Options:
    """How every check of a batch runs; picklable, so it travels to executor workers."""

    policy: Policy
    timeout: float | None
    lang: str
    at: datetime | None
    concurrency: int | None
    per_server: int
    per_second: float
    engine: str = "auto"

    def size(self, *, fast: bool) -> int:
        """Checks in flight: as given, or 512 on the one loop and 64 with a task per check."""
        return self.concurrency or (FAST_CONCURRENCY if fast else CONCURRENCY)


CONCURRENCY = 64
"""Checks in flight by default on the dnspython path (a task and sockets per check)."""

FAST_CONCURRENCY = 512
"""Checks in flight by default on the one-loop engine (callbacks, a few long-lived sockets)."""

ENGINES = ("auto", "fast", "dnspython")
"""``check_many``'s ``engine`` choices; see :func:`check_many`."""

_OLD = object()  # the dnspython path: a task per check, the resolver as it is


def _engine_resolver(resolver: Resolver | AsyncResolver | None, options: _Options) -> Any:  # noqa: ANN401
    """What the one-loop engine asks for this batch, or ``_OLD`` for the dnspython path.

    ``auto``: the system's resolver (``None``) and a plain
    :class:`~pecdns.resolvers.DnsResolver` become a FastResolver with the same
    servers, port and timeouts, and the batch's politeness; a FastResolver is
    used as it is; every other resolver keeps the dnspython path. ``fast``:
    every resolver goes to the engine (sync ones are called inline on its
    loop, so meant for offline ones). ``dnspython``: always the old path.
    """
    from pecdns._engine import fast_resolver  # noqa: PLC0415 -- the engine imports this module
    from pecdns.resolvers._dnspython import DnsResolver  # noqa: PLC0415 -- loads dnspython
    from pecdns.resolvers._fast import FastResolver  # noqa: PLC0415 -- as above

    if options.engine == "dnspython":
        return _OLD
    if resolver is None or type(resolver) is DnsResolver:
        return fast_resolver(resolver, per_server=options.per_server, per_second=options.per_second)
    if isinstance(resolver, FastResolver) or options.engine == "fast":
        return resolver
    return _OLD


def check_many(  # noqa: PLR0913 -- the batch API: every option keyword-only, with a default
    domains: Iterable[str | Domain],
    *,
    resolver: Resolver | AsyncResolver | None = None,
    policy: Policy = ARUBA,
    concurrency: int | None = None,
    timeout: float | None = 10.0,
    ordered: bool = True,
    progress: Callable[[Report | InvalidInput], object] | None = None,
    lang: str = "en",
    at: datetime | None = None,
    per_server: int = 8,
    per_second: float = 50.0,
    executor: concurrent.futures.Executor | None = None,
    batch_size: int = 256,
    engine: str = "auto",
    processes: int = 1,
) -> Generator[Report | InvalidInput, None, None]:
    """Check many domains; yield exactly one result per input, in input order.

    Input is read lazily (a list, a generator, a file's lines) and at most
    ``concurrency`` checks are in flight, so memory is bounded by the
    concurrency, not by the input. Nothing is lost and nothing raises out of
    the batch: an input that is not a registrable domain gives an
    :class:`InvalidInput` with an ``INPUT_INVALID`` finding; a check that
    fails gives an UNDETERMINED :class:`Report` saying why. Domains repeated
    while in flight share one check.

    The real DNS (no resolver, or a :class:`~pecdns.resolvers.DnsResolver`)
    is asked on the fast path: one event loop driving every check by
    callbacks, with a few long-lived sockets and a lean codec
    (:class:`~pecdns.resolvers.FastResolver`); the reports are those
    :func:`pecdns.check` gives for the same answers. Any other resolver (a
    fake, zone files, :class:`~pecdns.resolvers.IterativeResolver`, an
    :class:`~pecdns.resolvers.AsyncDnsResolver`) runs as it is, a task per
    check (the dnspython path), as does ``engine="dnspython"``.

    Args:
        domains: registrable domains, as text or :class:`Domain`.
        resolver: a Resolver or AsyncResolver; the real DNS when ``None``.
        policy: the provider's requirements.
        concurrency: checks in flight at once (with ``executor``: batches);
            by default 512 on the fast path, 64 on the dnspython path.
        timeout: each check's time budget, in seconds (not the per-query
            wait, which is the resolver's own).
        ordered: yield in input order; ``False`` yields as checks complete.
            Ordered, checks keep starting behind a slow one; up to 4,096 (or
            ``16 * concurrency``) finished results wait for it, and past
            that the batch waits for it too.
        progress: called with each result as it is yielded (see
            :func:`pecdns.progress_bar`).
        lang: the language of messages.
        at: the time stamped on every report.
        per_server: questions in flight at once to any one name server.
        per_second: questions per second to any one name server.
        executor: run batches of ``batch_size`` domains on this executor
            (processes, or a cluster: Dask's ``Client.get_executor()``) instead
            of in this process; the resolver and policy must be picklable.
        batch_size: domains per task sent to ``executor``.
        engine: ``"auto"`` (the fast path for the real DNS), ``"fast"`` (the
            one-loop engine for any resolver; sync ones are called on its
            loop, so offline ones only) or ``"dnspython"`` (a task per check).
        processes: worker processes sharing the batch on the fast path
            (one event loop each; results still in input order).

    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> [str(r.verdict) for r in check_many(["example.it", "www.example.it"], resolver=fake)]
    ['COMPLIANT', 'UNDETERMINED']
    """
    if min(1 if concurrency is None else concurrency, batch_size, per_server, processes) < 1:
        raise ValueError("concurrency, batch_size, per_server and processes must be at least 1")
    if engine not in ENGINES:
        raise ValueError(f"engine is one of {', '.join(map(repr, ENGINES))}, not {engine!r}")
    check_lang(lang)
    options = _Options(policy, timeout, lang, at, concurrency, per_server, per_second, engine)
    if executor is not None:
        if processes > 1:
            raise ValueError("give processes or an executor, not both")
        results = _on_executor(domains, resolver, executor, batch_size, options, ordered=ordered)
    elif processes > 1:
        results = _on_processes(domains, resolver, options, processes, ordered=ordered)
    else:
        results = _local(domains, resolver, options, ordered=ordered)
    for result in results:
        if progress is not None:
            progress(result)
        yield result


def _parse(item: str | Domain, options: _Options) -> Domain | InvalidInput:
    if isinstance(item, Domain):
        return item
    try:
        return Domain(item)
    except InvalidDomainError as exc:
        return InvalidInput.of(item, exc, options.policy, options.lang, options.at)


def _settings(options: _Options, *, ordered: bool) -> dict[str, Any]:
    """The one-loop engine's keywords for a batch of ``options``."""
    size = options.size(fast=True)
    return {
        "policy": options.policy,
        "ordered": ordered,
        "timeout": options.timeout,
        "concurrency": size,
        "reorder": max(REORDER, 16 * size),
        "lang": options.lang,
        "at": options.at,
    }


def _local(
    domains: Iterable[str | Domain],
    resolver: Resolver | AsyncResolver | None,
    options: _Options,
    *,
    ordered: bool,
) -> Iterator[Report | InvalidInput]:
    """The batch in this process: on the one-loop engine, or a task per check."""
    source = _engine_resolver(resolver, options)
    if source is _OLD:
        return _in_process(domains, resolver, options, ordered=ordered)
    from pecdns._engine import run  # noqa: PLC0415 -- the engine imports this module

    return run(domains, resolver=source, **_settings(options, ordered=ordered))


def _closing(results: Iterator[T]) -> Iterator[T]:
    """``results``, closed when this generator is closed or dropped unfinished.

    The engine's generators close its loop and sockets in ``finally``. In the
    compiled build (docs/scale.md) they are compiled, and a compiled generator
    dropped unfinished never runs its ``finally``; this one is Python's (this
    module is never compiled), so dropping it closes it, and ``yield from``
    then closes the engine's (PEP 380). ``pecdns._engine.run`` returns one.
    """
    yield from results


def _on_processes(
    domains: Iterable[str | Domain],
    resolver: Resolver | AsyncResolver | None,
    options: _Options,
    processes: int,
    *,
    ordered: bool,
) -> Iterator[Report | InvalidInput]:
    """The batch shared by ``processes`` workers, each running the one-loop engine."""
    from pecdns._shards import sharded  # noqa: PLC0415 -- starts processes: only when asked
    from pecdns.resolvers._fast import FastResolver  # noqa: PLC0415 -- loads dnspython

    source = _engine_resolver(resolver, options)
    if not (source is None or isinstance(source, FastResolver)):
        raise ValueError(
            "processes needs the fast path: the system's resolver, a DnsResolver or a"
            " FastResolver (for others, give an executor)"
        )
    settings = _settings(options, ordered=True)
    del settings["ordered"]
    return sharded(
        domains, processes=processes, resolver=source, settings=settings, ordered=ordered
    )


def _in_process(
    domains: Iterable[str | Domain],
    resolver: Resolver | AsyncResolver | None,
    options: _Options,
    *,
    ordered: bool,
) -> Iterator[Report | InvalidInput]:
    with contextlib.ExitStack() as cleanup, _Loop() as loop:
        if resolver is None:
            source = _default_async_resolver()
        else:
            source = as_async(resolver, max_workers=min(options.size(fast=False), 32))
            if isinstance(source, ThreadedResolver) and source is not resolver:
                cleanup.callback(source.close)
        shared = _Shared(
            source, per_server=options.per_server, per_second=options.per_second, cache_size=50_000
        )
        in_flight: dict[str, concurrent.futures.Future[Report | InvalidInput]] = {}

        async def one(domain: Domain) -> Report | InvalidInput:
            policy, lang, at = options.policy, options.lang, options.at
            try:
                return await acheck(
                    domain,
                    resolver=shared,
                    policy=policy,
                    at=at,
                    lang=lang,
                    timeout=options.timeout,
                )
            except Exception as exc:  # noqa: BLE001 -- nothing raises out of a batch
                return report(_failed(domain, policy, exc), policy, at=at, lang=lang)

        def forget(name: str, future: concurrent.futures.Future[Report | InvalidInput]) -> None:
            if in_flight.get(name) is future:
                del in_flight[name]

        def start(item: str | Domain) -> concurrent.futures.Future[Report | InvalidInput]:
            parsed = _parse(item, options)
            if isinstance(parsed, InvalidInput):
                return _done(parsed)
            future = in_flight.get(parsed.name)
            if future is None:
                future = loop.submit(one(parsed))
                in_flight[parsed.name] = future
                future.add_done_callback(functools.partial(forget, parsed.name))
            return future

        yield from _windowed(map(start, domains), options.size(fast=False), ordered=ordered)


def _check_batch(
    names: list[str | Domain], resolver: Resolver | AsyncResolver | None, options: _Options
) -> list[Report | InvalidInput]:
    """One executor task: a batch checked in the worker, in order."""
    return list(_local(names, resolver, options, ordered=True))


def _on_executor(
    domains: Iterable[str | Domain],
    resolver: Resolver | AsyncResolver | None,
    executor: concurrent.futures.Executor,
    batch_size: int,
    options: _Options,
    *,
    ordered: bool,
) -> Iterator[Report | InvalidInput]:
    iterator = iter(domains)
    batches = iter(lambda: list(itertools.islice(iterator, batch_size)), [])
    futures = (executor.submit(_check_batch, batch, resolver, options) for batch in batches)
    for results in _windowed(futures, options.size(fast=False), ordered=ordered):
        yield from results
