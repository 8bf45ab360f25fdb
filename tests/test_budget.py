from __future__ import annotations

import time

import pytest

from pecdns._budget import (
    LoopTally,
    Tally,
    budget,
    charge,
    deadline,
    limits,
    remaining,
    spent,
    tally,
)
from pecdns._limits import Limits


def test_without_a_budget_every_wait_is_as_asked() -> None:
    assert remaining(2.5) == 2.5
    assert not spent()


def test_a_budget_shortens_waits_to_the_time_left() -> None:
    with budget(0.5):
        assert 0.0 < remaining(10.0) <= 0.5
        assert remaining(0.1) == 0.1


def test_a_spent_budget_leaves_no_time() -> None:
    with budget(0.01):
        time.sleep(0.02)
        assert spent()
        assert remaining(1.0) == 0.0
    assert not spent()


def test_budgets_nest_and_restore() -> None:
    with budget(5.0):
        with budget(None):
            assert remaining(60.0) == 60.0
        assert remaining(60.0) <= 5.0


@pytest.mark.parametrize("seconds", [0, -1.0, float("nan")])
def test_a_budget_must_be_positive(seconds: float) -> None:
    with pytest.raises(ValueError, match="positive number of seconds"), budget(seconds):
        pass


def test_outside_a_check_nothing_is_counted_or_capped() -> None:
    assert tally() is None
    assert deadline() is None
    assert charge()
    assert limits() == Limits()


def test_a_check_counts_what_it_sends_and_refuses_past_its_cap() -> None:
    with budget(None, Limits(queries=2)) as counted:
        assert limits().queries == 2
        assert charge()
        assert charge()
        assert counted.full()
        assert not charge()
    assert (counted.sent, counted.queries) == (2, 2)


def test_questions_asked_count_when_nothing_is_sent() -> None:
    with budget(None, Limits(queries=1)) as counted:
        counted.ask()
        assert counted.full()
    assert (counted.sent, counted.asked, counted.queries) == (0, 1, 1)


@pytest.mark.parametrize("kind", [Tally, LoopTally])
def test_a_tally_counts_and_caps_alike_with_or_without_a_lock(kind: type[Tally]) -> None:
    counted = kind(Limits(queries=2))
    counted.ask()
    assert counted.charge()
    assert not counted.full()
    assert counted.charge()
    assert counted.full()
    assert not counted.charge()
    assert (counted.sent, counted.asked, counted.queries) == (2, 1, 2)
