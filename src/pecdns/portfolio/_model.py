"""What a portfolio store answers: a run's summary, what changed, one domain's timeline."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from attrs import frozen

from pecdns._models import Verdict, safe_text
from pecdns.exceptions import PecdnsError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date

    from pecdns._domain import Domain
    from pecdns._lifecycle import CertificationStatus

__all__ = [
    "Change",
    "ChangeKind",
    "Changes",
    "DayEntry",
    "RunSummary",
    "StoreBusyError",
    "StoreError",
    "StoreVersionError",
]


class StoreError(PecdnsError):
    """A portfolio store cannot be opened, read or written; the message says why.

    Nothing is half-written when it is raised: every write is a transaction.
    """


class StoreBusyError(StoreError):
    """Another process is running a day on the same store, and did not finish in time."""


class StoreVersionError(StoreError):
    """The store was written by a newer pecdns, or is not a pecdns portfolio at all."""


class ChangeKind(str, enum.Enum):
    """What changed for a certification between two runs."""

    NEWLY_FAILING = "newly_failing"
    """NON_COMPLIANT now, and not at the previous run (P6)."""
    RESTORED = "restored"
    """Fixed before its expiry: back to ACTIVE from NOTIFIED or SUSPENDED (P8)."""
    REMOVED = "removed"
    """Removed for good: the expiry came without a fix (P8)."""
    DUE = "due"
    """Awaiting a fix (NOTIFIED, SUSPENDED) with the expiry date close: removal follows (P8)."""

    def __str__(self) -> str:
        return self.value


_TITLES = {
    ChangeKind.NEWLY_FAILING: "newly failing",
    ChangeKind.RESTORED: "restored",
    ChangeKind.REMOVED: "removed for good",
    ChangeKind.DUE: "due for removal",
}


@frozen
class Change:
    """One certification that changed, with what to do about it.

    Attributes:
        kind: what changed.
        domain: the certified domain.
        day: the day of the run that saw it.
        status: the certification's status after that run.
        expires: its expiry date.
        days_left: days from ``day`` to the expiry date.
        code: the first ERROR finding's code (newly failing), else ``None``.
        message: that finding's message.
        fix: that finding's fix.
        reason: the status change's reason, where the status changed.
    """

    kind: ChangeKind
    domain: Domain
    day: date
    status: CertificationStatus
    expires: date
    days_left: int
    code: str | None = None
    message: str | None = None
    fix: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data (one line of ``pecdns daily --json``)."""
        return {
            "change": self.kind.value,
            "domain": self.domain.name,
            "day": self.day.isoformat(),
            "status": self.status.value,
            "expires": self.expires.isoformat(),
            "days_left": self.days_left,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        text = f"{self.domain} ({self.status}, expires {self.expires.isoformat()}"
        if self.status.awaiting_fix:
            text += f", {self.days_left} days left"
        text += ")"
        if self.code:
            text += f"\n      {self.code}: {safe_text(self.message or '')}"
        if self.fix:
            text += f"\n      fix: {safe_text(self.fix)}"
        if self.reason and not self.code:
            text += f"\n      {safe_text(self.reason)}"
        return text


@frozen
class Changes:
    """What changed between two runs of a portfolio, and what is due soon.

    Attributes:
        today: the day of the latest run.
        since: the day of the run compared with, or ``None`` for the first run.
        within: how many days ahead ``due`` looks.
        newly_failing: NON_COMPLIANT at the latest run, not at the earlier one.
        restored: back to ACTIVE in a run after ``since`` (P8).
        removed: removed for good in a run after ``since`` (P8).
        due: awaiting a fix, with at most ``within`` days before expiry.
    """

    today: date
    since: date | None
    within: int
    newly_failing: tuple[Change, ...] = ()
    restored: tuple[Change, ...] = ()
    removed: tuple[Change, ...] = ()
    due: tuple[Change, ...] = ()

    def __iter__(self) -> Iterator[Change]:
        yield from self.newly_failing
        yield from self.restored
        yield from self.removed
        yield from self.due

    def __len__(self) -> int:
        return len(self.newly_failing) + len(self.restored) + len(self.removed) + len(self.due)

    def __str__(self) -> str:
        since = f"since {self.since.isoformat()}" if self.since else "first run"
        lines = [f"changes of {self.today.isoformat()} ({since}):"]
        groups = (self.newly_failing, self.restored, self.removed, self.due)
        for kind, group in zip(ChangeKind, groups, strict=True):
            title = _TITLES[kind]
            if kind is ChangeKind.DUE:
                title += f" within {self.within} days"
            lines.append(f"  {title}: {len(group) or 'none'}")
            lines += [f"    {change}" for change in group]
        return "\n".join(lines)


@frozen
class DayEntry:
    """One day of one certification's timeline, as :meth:`SqliteStore.history` gives it.

    Attributes:
        day: the day of the run.
        verdict: the check's verdict, or ``None`` when the domain was not checked.
        before: the status before the run.
        after: the status after it.
        codes: the ERROR findings' codes.
        reason: why the status changed, or ``None``.
        error: why the check could not be applied, or ``None``.
    """

    day: date
    verdict: Verdict | None
    before: CertificationStatus
    after: CertificationStatus
    codes: tuple[str, ...] = ()
    reason: str | None = None
    error: str | None = None

    def __str__(self) -> str:
        status = str(self.after) if self.before is self.after else f"{self.before} -> {self.after}"
        verdict = str(self.verdict) if self.verdict else "not checked"
        text = f"{self.day.isoformat()}  {verdict:<13}  {status}"
        if self.codes:
            text += f"  {' '.join(self.codes)}"
        if self.error:
            text += f"  (not applied: {safe_text(self.error)})"
        return text


@frozen
class RunSummary:
    """What :meth:`SqliteStore.run_day` did.

    Attributes:
        day: the day run.
        total: certifications with a result for that day.
        checked: checks made by this call (the rest were saved by an earlier,
            interrupted call, or are not checked: REMOVED and EXPIRED).
        verdicts: how many of the day's results had each verdict.
        complete: whether the day's run is finished.
    """

    day: date
    total: int
    checked: int
    verdicts: tuple[tuple[Verdict, int], ...]
    complete: bool = True

    def count(self, verdict: Verdict) -> int:
        """How many of the day's results had ``verdict``."""
        return dict(self.verdicts).get(verdict, 0)

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {v}" for v, n in self.verdicts) or "nothing checked"
        return f"daily run of {self.day.isoformat()}: {self.total} certifications ({parts})"
