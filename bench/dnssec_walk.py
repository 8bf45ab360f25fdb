"""What the DNSSEC walk costs a check: ``python bench/dnssec_walk.py [N]``.

The portfolio benchmark's resolver serves no root keys, so its checks' walks
stop at the first question. With a validating resolver they go down to the
PEC name: this times that walk, in CPU microseconds per domain, on the DNSSEC
lab of the tests (``tests/dnssec_lab.py``: a signed ``it.``, the trust anchor,
over an unsigned child and a signed one), answered in process, each response
read from its wire form as a resolver's would be (the bytes are made once: making
them is the server's work, not the walk's). As in a batch, the responses for
``it.``'s own keys are shared by every walk (one object, read once); each
domain's DS and keys, and its MX, are read afresh. It prints the walk with the
batch's memo of verified signatures and without it, after a calibration figure
(the seconds of a fixed pure-Python loop).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import dns.message

sys.path[:0] = [str(Path(__file__).parent.parent / "tests")]

from calibrate import calibration  # noqa: E402

import pecdns._dnssec as dnssec  # noqa: E402
from dnssec_lab import NOW, Lab  # noqa: E402
from pecdns._dnssec import Question, drive, plan  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

SHARED = {"it."}
"""Zones whose keys every walk of a batch shares (the engine asks them once)."""


def batch_like(lab: Lab) -> Callable[[list[Question]], list[dns.message.Message | None]]:
    """The lab's answers read from their wire form; the shared zones' keys read once.

    Each response's bytes are made once (the server's work, not the walk's) and
    read afresh for every walk that asks, as a resolver's answers would be.
    """
    shared: dict[tuple[str, str, str], dns.message.Message | None] = {}
    wires: dict[tuple[str, str, str], bytes | None] = {}

    def ask(questions: list[Question]) -> list[dns.message.Message | None]:
        out = []
        for question in questions:
            key = (question.name, question.rdtype, question.zone)
            if key in shared:
                out.append(shared[key])
                continue
            if key not in wires:  # the server's side, made once: not the walk's cost
                made = lab.ask([question])[0]
                wires[key] = None if made is None else made.to_wire()
            wire = wires[key]
            response = None if wire is None else dns.message.from_wire(wire)
            if question.name in SHARED and question.rdtype in {"DNSKEY", "DS"}:
                shared[key] = response
            out.append(response)
        return out

    return ask


def main(argv: list[str]) -> None:
    """Time the walk of an unsigned and a signed domain, with and without the memo."""
    n = int(argv[0]) if argv and argv[0].isdigit() else 300
    print(f"calibration: fixed pure-Python loop {calibration():.3f} s", flush=True)
    lab = Lab()
    holds = dnssec._VERIFIED.holds  # noqa: SLF001 -- switched off to show what it saves
    for memo in (False, True):
        dnssec._VERIFIED.holds = holds if memo else (lambda *_: False)  # type: ignore[method-assign]  # noqa: SLF001
        for child in ("unsigned", "secure"):
            ask = batch_like(lab)
            drive(plan(f"pec.{child}.it", at=NOW, anchor=lab.anchor), ask)  # fill the shared part
            started = time.process_time()
            for _ in range(n):
                state = drive(plan(f"pec.{child}.it", at=NOW, anchor=lab.anchor), ask)
            used = time.process_time() - started
            print(
                f"{child}.it ({state.status.value}), memo {'on' if memo else 'off'}:"
                f" {used / n * 1e6:,.0f} us of CPU a walk",
                flush=True,
            )
    dnssec._VERIFIED.holds = holds  # type: ignore[method-assign]  # noqa: SLF001


if __name__ == "__main__":
    main(sys.argv[1:])
