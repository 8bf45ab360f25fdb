"""check_many(processes=N): the batch on worker processes, each on the one-loop engine."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

import pytest

from dnsserver import records, serve
from pecdns import InvalidInput, check, check_many
from pecdns._shards import _collected_every, _Parent, sharded
from pecdns.exceptions import PecdnsError
from pecdns.resolvers import DnsResolver
from pecdns.resolvers._fast import FastResolver
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from collections.abc import Iterator

N = 40


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    script: dict[tuple[str, str], Any] = {("mx.pec.aruba.it", "A"): records("192.0.2.25")}
    for i in range(N):
        host = "mail.example.it." if i % 3 == 0 else "mx.pec.aruba.it."
        script[(f"pec.d{i}.it", "MX")] = records(f"10 {host}")
    with serve(script) as (_, port):
        yield port


def _stub(port: int) -> DnsResolver:
    return DnsResolver(["127.0.0.1"], port=port, timeout=1.0, lifetime=2.0)


NAMES = [f"d{i}.it" for i in range(N)]


def test_two_processes_give_one_process_s_results_in_order(port: int) -> None:
    names = [*NAMES, "not a domain", "d1.it"]
    shared = list(check_many(names, resolver=_stub(port), processes=2))
    alone = list(check_many(names, resolver=_stub(port)))
    assert shared == alone
    assert isinstance(shared[-2], InvalidInput)
    assert shared[0] == check("d0.it", resolver=_stub(port))


def test_unordered_the_processes_still_give_every_result(port: int) -> None:
    shared = list(check_many(NAMES, resolver=_stub(port), processes=2, ordered=False))
    assert sorted(r.domain.name for r in shared) == sorted(NAMES)  # type: ignore[union-attr]


def test_each_worker_is_kept_a_bounded_number_of_names_ahead(port: int) -> None:
    read = 0

    def names() -> Iterator[str]:
        nonlocal read
        for i in range(10_000):
            read += 1
            yield f"d{i % N}.it"

    results = sharded(
        names(),
        processes=2,
        resolver=FastResolver(["127.0.0.1"], port=port),
        settings={"timeout": 5.0},
        ordered=True,
        ahead=300,
    )
    for _ in range(500):
        next(results)
    # Names out at once: `ahead` per worker in all, plus at most one chunk each.
    assert read - 500 <= 2 * (300 + 256)
    results.close()  # type: ignore[attr-defined]


def test_processes_need_the_fast_path() -> None:
    with pytest.raises(ValueError, match="processes needs the fast path"):
        next(check_many(NAMES, resolver=FakeResolver({}), processes=2))
    with pytest.raises(ValueError, match="not both"):
        next(check_many(NAMES, executor=object(), processes=2))  # type: ignore[arg-type]


def test_a_worker_that_dies_is_an_error_not_a_hang(port: int) -> None:
    results = sharded(
        iter(NAMES),
        processes=1,
        resolver=FastResolver(["127.0.0.1"], port=port),
        settings={"concurrency": 0},  # the worker's engine refuses to start
        ordered=True,
    )
    with pytest.raises(PecdnsError, match="worker process ended"):
        list(results)


class _Pipe:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, item: Any) -> None:
        self.sent.append(item)


class _Worker:
    """The parent's view of a worker (a ``_Shard`` without its process)."""

    def __init__(self) -> None:
        self.to_worker = _Pipe()
        self.from_worker = object()
        self.out: dict[int, int] = {}
        self.sent = 0
        self.ended = False


def test_the_workers_share_a_batch_evenly_from_its_start() -> None:
    workers = [_Worker(), _Worker()]
    parent = _Parent(iter(f"d{i}.it" for i in range(5000)), workers, ahead=4096)  # type: ignore[arg-type]
    parent.feed()
    # Filling the first worker up to `ahead` first left the second 904 names.
    assert sorted(len(w.out) for w in workers) == [2440, 2560]
    assert all(w.ended and w.to_worker.sent[-1] is None for w in workers)
    assert sorted(i for w in workers for i in w.out.values()) == list(range(5000))


def test_a_worker_s_collector_stays_off_between_the_collections_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    yielded = 0
    collected: list[int] = []

    def collect() -> int:
        collected.append(yielded)
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    enabled: list[bool] = []
    for _ in _collected_every(range(10), every=4):
        yielded += 1
        enabled.append(gc.isenabled())
    assert enabled == [False] * 10
    assert collected == [4, 8]  # after every fourth result
    assert gc.isenabled()


def test_a_collector_already_off_stays_off_after_a_worker_s_results() -> None:
    gc.disable()
    try:
        results = _collected_every(iter([1, 2, 3]))
        assert next(results) == 1
        results.close()  # type: ignore[attr-defined]
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_worker_s_collector_resumes_when_its_results_stop_early() -> None:
    results = _collected_every(iter([1, 2, 3]))
    assert next(results) == 1
    assert not gc.isenabled()
    results.close()  # type: ignore[attr-defined]
    assert gc.isenabled()


def test_a_worker_freezes_what_it_inherited_while_it_yields_results() -> None:
    frozen = [gc.get_freeze_count() for _ in _collected_every(range(3))]
    assert min(frozen) > 0  # the objects that existed before are out of every collection
    assert gc.get_freeze_count() == 0  # and back in once the results end


def test_a_worker_leaves_alone_objects_frozen_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Frozen objects may die meanwhile, so the count proves nothing: watch the calls.
    calls: list[str] = []
    monkeypatch.setattr(gc, "get_freeze_count", lambda: 5)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
    assert list(_collected_every(range(3))) == [0, 1, 2]
    assert calls == []
