"""The calibration figure every benchmark prints, so that two machines' figures compare.

The seconds a fixed pure-Python loop takes (3,000,000 additions): lower is a
faster machine. A benchmark prints it beside its own figures, which are
ratios against a baseline measured in the same run.
"""

from __future__ import annotations

import time

__all__ = ["calibration"]


def calibration(*, cpu: bool = False, best_of: int = 1) -> float:
    """Seconds of the fixed loop: wall time, or this process's CPU time; the best of ``best_of``.

    >>> calibration() > 0
    True
    """
    clock = time.process_time if cpu else time.perf_counter
    best = float("inf")
    for _ in range(best_of):
        started = clock()
        total = 0
        for i in range(3_000_000):
            total += i % 7
        best = min(best, clock() - started)
    return best
