"""The portfolio store: certifications and every daily run, in one SQLite file.

The file is the standard library's :mod:`sqlite3` in WAL mode. Its layout is
versioned (``PRAGMA user_version``) and migrated forward on open; a file from
a newer pecdns is refused, never misread. A day's run saves its results in
batches, each batch one transaction that records the results *and* moves the
certifications on, so a run killed at any point leaves what was saved
consistent, and running the same day again only checks what is missing.
One run at a time: a lock file beside the store, released by the system when
its holder dies, makes a second run wait or refuse.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import itertools
import json
import os
import sqlite3
import time
import zlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import attrs
from attrs import evolve
from typing_extensions import Self

from pecdns._batch import check_many
from pecdns._domain import Domain
from pecdns._lifecycle import Certification, CertificationStatus, Transition, apply_check
from pecdns._models import Report, Severity, Verdict
from pecdns._policy import ARUBA, Policy
from pecdns._serial import DataFormatError, from_dict, to_dict
from pecdns.exceptions import InvalidDomainError, LifecycleError
from pecdns.portfolio._model import (
    Change,
    ChangeKind,
    Changes,
    DayEntry,
    RunSummary,
    StoreBusyError,
    StoreError,
    StoreVersionError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import pandas as pd

    from pecdns.resolvers import AsyncResolver, Resolver

try:  # POSIX: the run lock; elsewhere runs rely on SQLite's own locking alone
    import fcntl

    _HAVE_FLOCK = True
except ImportError:  # pragma: no cover - Windows
    _HAVE_FLOCK = False

__all__ = ["STORE_VERSION", "PortfolioStore", "SqliteStore", "open_store"]

APPLICATION_ID = 0x50454344
"""``PRAGMA application_id`` of a pecdns portfolio ("PECD")."""

_V1 = """
CREATE TABLE certifications (
    domain TEXT PRIMARY KEY,
    expires TEXT NOT NULL,
    status TEXT NOT NULL,
    dns_management INTEGER NOT NULL,
    last_checked TEXT,
    data TEXT NOT NULL,
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    report INTEGER,
    judgement BLOB
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL UNIQUE,
    policy TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    digest BLOB NOT NULL UNIQUE,
    body BLOB NOT NULL
);
CREATE TABLE results (
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    verdict TEXT,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    expires TEXT NOT NULL,
    codes TEXT NOT NULL,
    transition TEXT,
    error TEXT,
    report INTEGER REFERENCES reports (id),
    PRIMARY KEY (run, domain)
) WITHOUT ROWID;
CREATE INDEX results_by_domain ON results (domain, run);
"""

MIGRATIONS: tuple[str, ...] = (_V1,)
"""``MIGRATIONS[n]`` takes a store from layout version ``n`` to ``n + 1``; never edit one."""
STORE_VERSION = len(MIGRATIONS)
"""The layout version this pecdns writes and reads."""

_AWAITING = (CertificationStatus.NOTIFIED.value, CertificationStatus.SUSPENDED.value)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _day(value: date, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise LifecycleError(f"{what} must be a date such as date(2026, 3, 3), not {value!r}")
    return value


def _domain(value: Domain | str) -> Domain:
    # A name given to look a domain up: the store may hold one of the private section.
    return value if isinstance(value, Domain) else Domain.read_back(value)


def _read_only(path: Path) -> bool:
    """Whether the store's file or folder cannot be written (read-only mount, permissions)."""
    folder = path.parent if str(path.parent) else Path()
    return not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))


def _explain(exc: sqlite3.Error, path: Path) -> StoreError:
    """A StoreError saying, in the user's terms, why SQLite failed."""
    text = str(exc)
    where = f"the portfolio {str(path)!r}"
    if "readonly" in text or "read-only" in text or ("unable to open" in text and _read_only(path)):
        return StoreError(
            f"cannot write {where}: the file or its folder is read-only ({text});"
            " nothing was changed"
        )
    if "disk is full" in text or "disk I/O" in text:
        return StoreError(
            f"cannot write {where}: the disk is full or failing ({text}); nothing of the"
            " interrupted step was saved: free some space and run again"
        )
    if "locked" in text or "busy" in text:
        return StoreBusyError(
            f"{where} is busy: another process holds it ({text}); try again when it ends"
        )
    if "not a database" in text or "malformed" in text:
        return StoreVersionError(f"{where} is not a pecdns portfolio ({text})")
    return StoreError(f"{where}: {text}")


def _certification_row(cert: Certification, now: str) -> tuple[Any, ...]:
    data = to_dict(evolve(cert, last_report=None))
    return (
        cert.domain.name,
        cert.expires.isoformat(),
        cert.status.value,
        int(cert.dns_management),
        cert.last_checked.isoformat() if cert.last_checked else None,
        json.dumps(data, separators=(",", ":")),
        now,
        now,
    )


_CHANGING = frozenset({"last_checked", "last_report"})
_STEADY = tuple(f.name for f in attrs.fields(Certification) if f.name not in _CHANGING)


def _only_checked(before: Certification, after: Certification) -> bool:
    """Whether a check moved the certification on by its last-check day and report alone."""
    return after is not before and all(getattr(before, n) == getattr(after, n) for n in _STEADY)


_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)


_Last = tuple[bytes | None, int | None]
"""A certification's last saved judgement key and report body id."""


_SEVERITY = {severity: str(int(severity)) for severity in Severity}


def _judgement(report: Report) -> bytes:
    """A key of what a report decides: verdict, findings (code, grade, clause, values), remedy.

    Messages and fixes are rendered from a finding's code and values, so they are in the key
    through them. Two reports with the same key say the same thing to the holder; they may
    differ in DNS evidence that changed no finding (a TTL, a server's answer order).
    """
    parts: list[str] = [report.verdict, report.policy, report.remedy or ""]
    for f in report.findings:
        parts += (f.code, _SEVERITY[f.severity], f.clause or "", "\x1e")
        parts.extend(itertools.chain.from_iterable(f.args))
    text = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).digest()


def _pack(report: Report) -> tuple[bytes, bytes]:
    """A report's digest and its body; the run's time stamp is left out of both.

    A domain whose DNS did not change gets the same report day after day, so
    its body is stored once and each day's result points at it.
    """
    data = report.to_dict()
    del data["checked_at"]  # the run's started_at, kept once in the runs table
    text = _JSON.encode(data).encode("ascii")
    return hashlib.blake2b(text, digest_size=16).digest(), text


def _unpack(body: bytes, started_at: str) -> Report:
    data = json.loads(zlib.decompress(body))
    data["checked_at"] = started_at
    return Report.from_dict(data)


class PortfolioStore(Protocol):
    """What a portfolio store offers; :class:`SqliteStore` is the one pecdns ships."""

    def add(self, certification: Certification, *, replace: bool = False) -> None:
        """Add a certification (replace one of the same domain only when asked)."""

    def remove(self, domain: Domain | str) -> bool:
        """Remove a certification; its past results stay. Whether it was there."""

    def certification(self, domain: Domain | str) -> Certification | None:
        """One certification, with its last report, or ``None``."""

    def certifications(self) -> tuple[Certification, ...]:
        """Every certification, by domain (without their last reports)."""

    def import_csv(self, path: str | os.PathLike[str], *, replace: bool = False) -> int:
        """Add the certifications of a CSV file, all or none; how many."""

    def run_day(  # noqa: PLR0913 -- check_many's options, all keyword-only with defaults
        self,
        *,
        today: date,
        resolver: Resolver | AsyncResolver | None = None,
        policy: Policy = ARUBA,
        batch: int = 500,
        concurrency: int = 64,
        timeout: float | None = 30.0,
        wait: float = 0.0,
        keep_reports: Literal["changes", "all"] = "changes",
        lang: str = "en",
    ) -> RunSummary:
        """Check every certification for ``today``, saving as it goes."""

    def changes(self, *, since: date | None = None, within: int = 30) -> Changes:
        """What changed at the latest run since an earlier one."""

    def history(self, domain: Domain | str) -> tuple[DayEntry, ...]:
        """One certification's timeline, oldest first."""

    def prune(self, *, keep_days: int, summaries: bool = True) -> int:
        """Drop old runs' reports (or whole runs); how many results were touched."""

    def close(self) -> None:
        """Release the store."""


class SqliteStore:
    """A portfolio kept in one SQLite file: see :func:`pecdns.portfolio.open`.

    >>> import tempfile, pathlib
    >>> from datetime import date
    >>> from pecdns import Certification
    >>> from pecdns.portfolio import SqliteStore
    >>> folder = tempfile.TemporaryDirectory()
    >>> with SqliteStore(pathlib.Path(folder.name) / "p.sqlite") as store:
    ...     store.add(Certification("example.it", date(2026, 3, 3)))
    ...     [c.domain.name for c in store.certifications()]
    ['example.it']
    >>> folder.cleanup()
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        timeout: float = 30.0,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """Open (or create) the store at ``path`` and bring its layout up to date.

        Args:
            path: the SQLite file.
            create: create the file when it does not exist; otherwise refuse.
            timeout: seconds to wait for another process's write to end.
            clock: where save times come from (the day is always passed in).

        Raises:
            StoreError: the file cannot be opened or created.
            StoreVersionError: a newer pecdns wrote it, or it is not a portfolio.
        """
        self.path = Path(path)
        self._clock = clock
        self._lock_file: int | None = None
        if not create and not self.path.exists():
            raise StoreError(
                f"no portfolio at {str(self.path)!r}: create one with 'pecdns portfolio add'"
                " or 'pecdns portfolio import'"
            )
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise _explain(exc, self.path) from None
        try:
            self._setup()
        except sqlite3.Error as exc:
            self._db.close()
            raise _explain(exc, self.path) from None
        except StoreError:
            self._db.close()
            raise

    # --- opening and migrating -----------------------------------------------------------

    def _setup(self) -> None:
        db = self._db
        application, version = self._pragmas()
        if version > STORE_VERSION:
            raise StoreVersionError(
                f"the portfolio {str(self.path)!r} was written by a newer pecdns (store layout"
                f" version {version}; this pecdns reads up to {STORE_VERSION}): upgrade pecdns"
                " to use it"
            )
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if application not in {0, APPLICATION_ID} or (application == 0 and tables):
            raise StoreVersionError(
                f"{str(self.path)!r} is an SQLite file but not a pecdns portfolio"
                " (its application_id or tables are another program's)"
            )
        if version < STORE_VERSION:
            if version == 0:
                db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # before the first table
            db.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at checkpoints, never corrupt
        db.execute("PRAGMA foreign_keys = ON")

    def _pragmas(self) -> tuple[int, int]:
        application = self._db.execute("PRAGMA application_id").fetchone()[0]
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        return int(application), int(version)

    def _migrate(self) -> None:
        with self._write():
            _, version = self._pragmas()  # another process may have migrated meanwhile
            for step in MIGRATIONS[version:]:
                for statement in step.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._db.execute(f"PRAGMA user_version = {STORE_VERSION}")

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it or none of it."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _explain(exc, self.path) from None
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise _explain(exc, self.path) from None
            raise

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise _explain(exc, self.path) from None

    def close(self) -> None:
        """Close the file (and release the run lock if held)."""
        self._unlock()
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- certifications ------------------------------------------------------------------

    def add(self, certification: Certification, *, replace: bool = False) -> None:
        """Add a certification to the portfolio.

        Raises:
            StoreError: the domain is already there and ``replace`` is False.
        """
        self.add_many([certification], replace=replace)

    def add_many(self, certifications: Iterable[Certification], *, replace: bool = False) -> int:
        """Add certifications in one transaction (all or none); return how many.

        Raises:
            StoreError: a domain is already there and ``replace`` is False.
        """
        now = self._clock().isoformat()
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        count = 0
        with self._write() as db:
            for cert in certifications:
                try:
                    db.execute(
                        f"{verb} INTO certifications (domain, expires, status,"
                        " dns_management, last_checked, data, added_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        _certification_row(cert, now),
                    )
                except sqlite3.IntegrityError:
                    raise StoreError(
                        f"{cert.domain} is already in the portfolio; remove it first, or replace"
                        " it (replace=True, --replace)"
                    ) from None
                count += 1
        return count

    def remove(self, domain: Domain | str) -> bool:
        """Remove a certification; its past results stay in the history.

        Returns:
            Whether it was in the portfolio.
        """
        name = _domain(domain).name
        with self._write() as db:
            return db.execute("DELETE FROM certifications WHERE domain = ?", (name,)).rowcount > 0

    def __len__(self) -> int:
        """How many certifications the portfolio holds."""
        return int(self._read("SELECT count(*) FROM certifications")[0][0])

    def certifications(self) -> tuple[Certification, ...]:
        """Every certification, by domain name.

        Their ``last_report`` is not loaded (see :meth:`certification`).
        """
        rows = self._read("SELECT data, last_checked FROM certifications ORDER BY domain")
        return tuple(self._load(*row) for row in rows)

    def certification(self, domain: Domain | str) -> Certification | None:
        """One certification with its last report, or ``None`` when it is not in the portfolio."""
        name = _domain(domain).name
        rows = self._read("SELECT data, last_checked FROM certifications WHERE domain = ?", (name,))
        if not rows:
            return None
        cert = self._load(*rows[0])
        if cert.last_checked is not None:
            report = self.report(name, cert.last_checked)
            if report is not None:
                cert = evolve(cert, last_report=report)
        return cert

    def _load(self, text: str, last_checked: str | None) -> Certification:
        """A certification from its row: the ``last_checked`` column is the one that counts.

        A day that changes nothing but the day of the last check updates that
        column alone, not the certification's JSON.
        """
        try:
            data = json.loads(text)
            data["last_checked"] = last_checked
            return from_dict(Certification, data)
        except (DataFormatError, ValueError) as exc:
            raise StoreError(
                f"the portfolio {str(self.path)!r} holds unreadable data: {exc}"
            ) from None

    def import_csv(self, path: str | os.PathLike[str], *, replace: bool = False) -> int:
        """Add the certifications listed in a CSV file, all of them or none.

        The file has a header naming its columns: ``domain`` and ``expires``
        (a date, YYYY-MM-DD) are required; ``dns_management`` (yes/no,
        true/false, 1/0) is optional. Blank lines and lines starting with
        ``#`` are skipped.

        Returns:
            How many certifications were added.

        Raises:
            StoreError: the file cannot be read, or some lines are wrong: the
                message lists each with its line number; nothing is added.
        """
        certs = read_csv(path)
        return self.add_many(certs, replace=replace)

    # --- the daily run -------------------------------------------------------------------

    def _lock(self, wait: float) -> None:
        if not _HAVE_FLOCK:  # pragma: no cover - Windows
            return
        name = f"{self.path}.lock"
        try:
            handle = os.open(name, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(
                f"cannot create the run lock {name!r} beside the portfolio: {exc.strerror}"
            ) from None
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(handle)
                    raise StoreBusyError(
                        f"another run is under way on the portfolio {str(self.path)!r} (it holds"
                        f" {name!r}); wait for it to end, or give it time with --wait SECONDS"
                    ) from None
                time.sleep(0.05)
        self._lock_file = handle

    def _unlock(self) -> None:
        if self._lock_file is not None:
            os.close(self._lock_file)  # closing releases the flock
            self._lock_file = None

    def _open_run(self, today: date, policy: Policy) -> tuple[int, bool, datetime]:
        """The run of ``today`` (made if new): its id, whether it finished, when it started."""
        with self._write() as db:
            later = db.execute(
                "SELECT day FROM runs WHERE day > ? ORDER BY day DESC LIMIT 1", (today.isoformat(),)
            ).fetchone()
            if later:
                raise StoreError(
                    f"the portfolio already holds a run of {later[0]}: days are run in date"
                    f" order, so {today.isoformat()} cannot be run after it"
                )
            row = db.execute(
                "SELECT id, finished_at, started_at FROM runs WHERE day = ?", (today.isoformat(),)
            ).fetchone()
            if row:
                return int(row[0]), row[1] is not None, datetime.fromisoformat(row[2])
            started = self._clock()
            cursor = db.execute(
                "INSERT INTO runs (day, policy, started_at) VALUES (?, ?, ?)",
                (today.isoformat(), policy.name, started.isoformat()),
            )
            return int(cursor.lastrowid or 0), False, started

    def _pending(self, run: int) -> tuple[list[Certification], dict[str, _Last]]:
        """The certifications not saved yet for a run, and their last saved judgements."""
        rows = self._read(
            "SELECT c.data, c.last_checked, c.judgement, c.report FROM certifications c"
            " WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.run = ? AND r.domain = c.domain)"
            " ORDER BY c.domain",
            (run,),
        )
        certs = [self._load(data, checked) for data, checked, _, _ in rows]
        last = {
            cert.domain.name: (row[2], row[3])
            for cert, row in zip(certs, rows, strict=True)
            if row[3] is not None
        }
        return certs, last

    def _save(
        self,
        run: int,
        rows: list[tuple[Certification, Certification, Report | None, str | None]],
        last: dict[str, _Last],
        keep_reports: str,
    ) -> None:
        """Save results and move their certifications on: one transaction."""
        now = self._clock().isoformat()
        with self._write() as db:
            for before, after, report, error in rows:
                name = before.domain.name
                judgement, body = last.get(name, (None, None))
                if report is not None:
                    key = _judgement(report)
                    if keep_reports == "all" or key != judgement or body is None:
                        body = self._report_id(db, report)
                    judgement = key
                transition = after.history[-1] if after.history != before.history else None
                cursor = db.execute(
                    "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (run, domain) DO NOTHING",
                    (
                        run,
                        name,
                        report.verdict.value if report else None,
                        before.status.value,
                        after.status.value,
                        after.expires.isoformat(),
                        " ".join(f.code for f in report.findings if f.severity is Severity.ERROR)
                        if report
                        else "",
                        json.dumps(to_dict(transition)) if transition else None,
                        error,
                        body if report else None,
                    ),
                )
                if cursor.rowcount != 1:
                    continue  # saved already: never apply one day twice
                last[name] = (judgement, body)
                if _only_checked(before, after):
                    checked = after.last_checked.isoformat() if after.last_checked else None
                    db.execute(
                        "UPDATE certifications SET last_checked = ?, report = ?, judgement = ?,"
                        " updated_at = ? WHERE domain = ?",
                        (checked, body, judgement, now, name),
                    )
                elif after is not before:
                    row = _certification_row(after, now)
                    db.execute(
                        "UPDATE certifications SET expires = ?, status = ?, dns_management = ?,"
                        " last_checked = ?, data = ?, updated_at = ?, report = ?, judgement = ?"
                        " WHERE domain = ?",
                        (*row[1:6], now, body, judgement, name),
                    )

    @staticmethod
    def _report_id(db: sqlite3.Connection, report: Report) -> int:
        """The row of a report's body: an equal one saved before, or a new one."""
        digest, text = _pack(report)
        found = db.execute("SELECT id FROM reports WHERE digest = ?", (digest,)).fetchone()
        if found:
            return int(found[0])
        cursor = db.execute(
            "INSERT INTO reports (digest, body) VALUES (?, ?)", (digest, zlib.compress(text, 1))
        )
        return int(cursor.lastrowid or 0)

    def run_day(  # noqa: PLR0913 -- check_many's options, all keyword-only with defaults
        self,
        *,
        today: date,
        resolver: Resolver | AsyncResolver | None = None,
        policy: Policy = ARUBA,
        batch: int = 500,
        concurrency: int = 64,
        timeout: float | None = 30.0,
        wait: float = 0.0,
        keep_reports: Literal["changes", "all"] = "changes",
        lang: str = "en",
    ) -> RunSummary:
        """Run the daily check (P6) over the portfolio for ``today`` and save it as it goes.

        Every certification not yet saved for ``today`` is checked with
        :func:`pecdns.check_many` (REMOVED and EXPIRED ones are not checked,
        P6) and moved on with :func:`pecdns.apply_check` (P7, P8). Results are
        saved ``batch`` at a time, each batch one transaction with the
        certifications it moves, so an interrupted run loses at most the batch
        in flight, and calling again for the same day completes the run:
        nothing saved is checked again, no day is applied twice.

        With ``keep_reports="changes"`` (the default) a report is saved in
        full when what it decides (verdict, findings as rendered, fixes,
        remedy) differs from the domain's last saved report; a day that
        decides the same points at that one, whose DNS evidence is from the
        day it was first seen. ``"all"`` saves each day's own report (equal
        reports are still stored once). Either way every day has one result
        a domain: verdict, statuses, error codes.

        Args:
            today: the day of the run; never read from the clock.
            resolver: where DNS answers come from; the real DNS when ``None``.
            policy: the provider's requirements and terms.
            batch: results saved per transaction.
            concurrency: checks in flight at once.
            timeout: each check's time budget, in seconds.
            wait: seconds to wait for another run on the same store to end.
            keep_reports: ``"changes"`` or ``"all"``: which reports are saved in full.
            lang: the language of the findings' messages and fixes (``"en"``, ``"it"``).

        Returns:
            The day's summary (how many results, of which verdicts).

        Raises:
            StoreBusyError: another run holds the store beyond ``wait`` seconds.
            StoreError: the store cannot be written (read-only, disk full), or
                a later day was already run.
        """
        today = _day(today, "today")
        if batch < 1:
            raise ValueError("batch must be at least 1")
        if keep_reports not in {"changes", "all"}:
            raise ValueError(f"keep_reports is 'changes' or 'all', not {keep_reports!r}")
        self._lock(wait)
        try:
            run, finished, started = self._open_run(today, policy)
            checked = 0
            if not finished:
                options = (policy, batch, concurrency, timeout, started, keep_reports, lang)
                checked = self._check(run, today, resolver, *options)
                with self._write() as db:
                    db.execute(
                        "UPDATE runs SET finished_at = ? WHERE id = ?",
                        (self._clock().isoformat(), run),
                    )
            return self._summary(run, today, checked)
        finally:
            self._unlock()

    def _check(  # noqa: PLR0913, PLR0917 -- the run's options, passed on from run_day
        self,
        run: int,
        today: date,
        resolver: Resolver | AsyncResolver | None,
        policy: Policy,
        batch: int,
        concurrency: int,
        timeout: float | None,
        at: datetime,
        keep_reports: str,
        lang: str,
    ) -> int:
        pending, last = self._pending(run)
        rows: list[tuple[Certification, Certification, Report | None, str | None]] = []
        live: dict[str, Certification] = {}
        for cert in pending:
            if cert.status.final:
                rows.append((cert, cert, None, None))
            else:
                live[cert.domain.name] = cert
        results = check_many(
            [c.domain for c in live.values()],
            resolver=resolver,
            policy=policy,
            concurrency=concurrency,
            timeout=timeout,
            ordered=False,
            at=at,
            lang=lang,
        )
        checked = 0
        with contextlib.closing(results):
            for report in results:
                if not isinstance(report, Report):  # pragma: no cover - inputs are Domains
                    continue
                cert = live[report.domain.name]
                checked += 1
                try:
                    rows.append(
                        (cert, apply_check(cert, report, today=today, policy=policy), report, None)
                    )
                except LifecycleError as exc:
                    rows.append((cert, cert, report, str(exc)))
                if len(rows) >= batch:
                    self._save(run, rows, last, keep_reports)
                    rows = []
        if rows:
            self._save(run, rows, last, keep_reports)
        return checked

    def _summary(self, run: int, today: date, checked: int) -> RunSummary:
        rows = self._read(
            "SELECT verdict, count(*) FROM results WHERE run = ? GROUP BY verdict", (run,)
        )
        finished = self._read("SELECT finished_at FROM runs WHERE id = ?", (run,))
        tally = {Verdict(v): n for v, n in rows if v is not None}
        return RunSummary(
            today,
            sum(n for _, n in rows),
            checked,
            tuple((v, tally[v]) for v in Verdict if v in tally),
            complete=bool(finished and finished[0][0]),
        )

    # --- reading back --------------------------------------------------------------------

    def days(self) -> tuple[date, ...]:
        """The days run, oldest first."""
        return tuple(
            date.fromisoformat(r[0]) for r in self._read("SELECT day FROM runs ORDER BY day")
        )

    def summary(self, day: date | None = None) -> RunSummary | None:
        """The summary of one day's run (the latest by default), or ``None`` if never run."""
        if day is None:
            rows = self._read("SELECT id, day FROM runs ORDER BY day DESC LIMIT 1")
        else:
            rows = self._read("SELECT id, day FROM runs WHERE day = ?", (day.isoformat(),))
        if not rows:
            return None
        return self._summary(rows[0][0], date.fromisoformat(rows[0][1]), 0)

    def report(self, domain: Domain | str, day: date) -> Report | None:
        """The saved report of one domain's check on one day, or ``None``."""
        rows = self._read(
            "SELECT reports.body, runs.started_at FROM results r JOIN runs ON runs.id = r.run"
            " JOIN reports ON reports.id = r.report WHERE runs.day = ? AND r.domain = ?",
            (day.isoformat(), _domain(domain).name),
        )
        return _unpack(*rows[0]) if rows else None

    def changes(self, *, since: date | None = None, within: int = 30) -> Changes:
        """What changed at the latest run, compared with the run of ``since``.

        Args:
            since: compare with the latest run on or before this day; by
                default, with the run before the latest.
            within: list as due the certifications awaiting a fix whose expiry
                is at most this many days after the latest run (P8).

        Raises:
            StoreError: no day was run yet.
        """
        runs = self._read("SELECT id, day FROM runs ORDER BY day DESC")
        if not runs:
            raise StoreError(f"the portfolio {str(self.path)!r} has no run yet: run a day first")
        latest, today = runs[0][0], date.fromisoformat(runs[0][1])
        earlier = [r for r in runs[1:] if since is None or r[1] <= since.isoformat()]
        previous = earlier[0] if earlier else None
        after_day = previous[1] if previous else ""
        failing = self._read(
            "SELECT r.domain, r.after, r.expires, b.body, runs.started_at FROM results r"
            " JOIN runs ON runs.id = r.run LEFT JOIN reports b ON b.id = r.report"
            " WHERE r.run = ? AND r.verdict = 'NON_COMPLIANT' AND NOT EXISTS"
            " (SELECT 1 FROM results p JOIN runs pr ON pr.id = p.run WHERE p.domain = r.domain"
            "  AND pr.day <= ? AND p.verdict = 'NON_COMPLIANT' AND pr.day = (SELECT max(q.day)"
            "  FROM runs q JOIN results s ON s.run = q.id WHERE s.domain = r.domain"
            "  AND q.day <= ? AND s.verdict IS NOT NULL))"
            " ORDER BY r.domain",
            (latest, after_day, after_day),
        )
        moved = self._read(
            "SELECT r.domain, r.after, r.expires, r.transition, runs.day, r.before FROM results r"
            " JOIN runs ON runs.id = r.run WHERE runs.day > ? AND r.before != r.after"
            " AND (r.after = 'REMOVED' OR (r.after = 'ACTIVE' AND r.before IN (?, ?)))"
            " ORDER BY runs.day, r.domain",
            (after_day, *_AWAITING),
        )
        due = self._read(
            "SELECT domain, status, expires FROM certifications WHERE status IN (?, ?)"
            " AND expires <= ? ORDER BY expires, domain",
            (*_AWAITING, (today + timedelta(days=within)).isoformat()),
        )
        return Changes(
            today,
            date.fromisoformat(previous[1]) if previous else None,
            within,
            newly_failing=tuple(self._failing(row, today) for row in failing),
            restored=tuple(_moved(r) for r in moved if r[1] == "ACTIVE"),
            removed=tuple(_moved(r) for r in moved if r[1] == "REMOVED"),
            due=tuple(
                _change(ChangeKind.DUE, name, today, status, expires)
                for name, status, expires in due
            ),
        )

    def _failing(self, row: tuple[Any, ...], today: date) -> Change:
        name, status, expires, body, started = row
        error = next(iter(_unpack(body, started).errors), None) if body is not None else None
        return evolve(
            _change(ChangeKind.NEWLY_FAILING, name, today, status, expires),
            code=error.code if error else None,
            message=error.message if error else None,
            fix=error.fix if error else None,
        )

    def history(self, domain: Domain | str) -> tuple[DayEntry, ...]:
        """One certification's timeline, one entry per day run, oldest first."""
        rows = self._read(
            "SELECT runs.day, r.verdict, r.before, r.after, r.codes, r.transition, r.error"
            " FROM results r JOIN runs ON runs.id = r.run WHERE r.domain = ? ORDER BY runs.day",
            (_domain(domain).name,),
        )
        return tuple(
            DayEntry(
                date.fromisoformat(day),
                Verdict(verdict) if verdict else None,
                CertificationStatus(before),
                CertificationStatus(after),
                tuple(codes.split()),
                from_dict(Transition, json.loads(transition)).reason if transition else None,
                error,
            )
            for day, verdict, before, after, codes, transition, error in rows
        )

    def to_dataframe(self) -> pd.DataFrame:
        """Every saved result as a pandas DataFrame: one row per domain per day.

        Columns: ``day``, ``domain``, ``verdict`` (``None`` when not checked),
        ``status`` (after the run), ``days_left`` (to the expiry date),
        ``errors`` (the ERROR codes, space separated). Needs pandas:
        ``pip install 'pecdns[dataframe]'``.

        Raises:
            ImportError: pandas is not installed.
        """
        try:
            import pandas as pd  # noqa: PLC0415 -- pandas is optional, loaded only when used
        except ImportError:  # pragma: no cover - pandas is a test dependency
            raise ImportError(
                "to_dataframe needs pandas; install it with: pip install 'pecdns[dataframe]'"
            ) from None
        rows = self._read(
            "SELECT runs.day, r.domain, r.verdict, r.after, r.expires, r.codes"
            " FROM results r JOIN runs ON runs.id = r.run ORDER BY runs.day, r.domain"
        )
        frame: pd.DataFrame = pd.DataFrame(
            [
                (
                    date.fromisoformat(day),
                    name,
                    verdict,
                    status,
                    (date.fromisoformat(expires) - date.fromisoformat(day)).days,
                    codes,
                )
                for day, name, verdict, status, expires, codes in rows
            ],
            columns=["day", "domain", "verdict", "status", "days_left", "errors"],
        )
        frame["day"] = pd.to_datetime(frame["day"])
        return frame

    def prune(self, *, keep_days: int, summaries: bool = True) -> int:
        """Drop what is older than ``keep_days`` before the latest run, and free the space.

        With ``summaries`` (the default) the old results keep their one-line
        summary (verdict, statuses, error codes: :meth:`history` still shows
        them) and lose their full reports, which are most of the store; with
        ``summaries=False`` the old runs go entirely.

        Returns:
            How many results were pruned.

        Raises:
            StoreBusyError: a run is under way.
        """
        if keep_days < 0:
            raise ValueError("keep_days is a number of days from 0 up")
        runs = self._read("SELECT max(day) FROM runs")
        if not runs or runs[0][0] is None:
            return 0
        cutoff = (date.fromisoformat(runs[0][0]) - timedelta(days=keep_days)).isoformat()
        self._lock(0.0)
        try:
            with self._write() as db:
                if summaries:
                    count = db.execute(
                        "UPDATE results SET report = NULL WHERE report IS NOT NULL"
                        " AND run IN (SELECT id FROM runs WHERE day < ?)",
                        (cutoff,),
                    ).rowcount
                else:
                    count = db.execute(
                        "DELETE FROM results WHERE run IN (SELECT id FROM runs WHERE day < ?)",
                        (cutoff,),
                    ).rowcount
                    db.execute("DELETE FROM runs WHERE day < ?", (cutoff,))
                db.execute(  # bodies no result and no certification points at any more
                    "DELETE FROM reports WHERE id NOT IN"
                    " (SELECT report FROM results WHERE report IS NOT NULL)"
                    " AND id NOT IN (SELECT report FROM certifications WHERE report IS NOT NULL)"
                )
            self._db.execute("PRAGMA incremental_vacuum")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise _explain(exc, self.path) from None
        finally:
            self._unlock()
        return count


def _change(kind: ChangeKind, name: str, day: date, status: str, expires: str) -> Change:
    end = date.fromisoformat(expires)
    return Change(
        kind, Domain.read_back(name), day, CertificationStatus(status), end, (end - day).days
    )


def _moved(row: tuple[Any, ...]) -> Change:
    name, status, expires, transition, day, _ = row
    reason = from_dict(Transition, json.loads(transition)).reason if transition else None
    kind = ChangeKind.REMOVED if status == "REMOVED" else ChangeKind.RESTORED
    return evolve(_change(kind, name, date.fromisoformat(day), status, expires), reason=reason)


_TRUE = {"yes", "true", "1", "y", "si", "sì"}
_FALSE = {"no", "false", "0", "n", ""}


def read_csv(path: str | os.PathLike[str]) -> list[Certification]:
    r"""Certifications from a CSV file with a header (``domain``, ``expires``, ``dns_management``).

    Raises:
        StoreError: the file cannot be read, or lines are wrong (each named
            with its line number).

    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "certs.csv"
    >>> _ = path.write_text("domain,expires\nexample.it,2026-03-03\nwww.x.it,2026-3-3\n")
    >>> read_csv(path)
    Traceback (most recent call last):
    ...
    pecdns.portfolio._model.StoreError: ...certs.csv line 3: 'www.x.it' is a subdomain; ...
    >>> folder.cleanup()
    """
    name = os.fspath(path)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as stream:
            lines = list(enumerate(csv.reader(stream), start=1))
    except OSError as exc:
        raise StoreError(f"cannot read {name!r}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise StoreError(f"{name!r} is not a CSV text file in UTF-8 ({exc})") from None
    rows = [(n, cells) for n, cells in lines if cells and not cells[0].lstrip().startswith("#")]
    if not rows:
        raise StoreError(f"{name!r} is empty: give a header 'domain,expires' and one line a domain")
    header_line, header = rows[0]
    columns = [c.strip().lower() for c in header]
    missing = [c for c in ("domain", "expires") if c not in columns]
    if missing:
        raise StoreError(
            f"{name!r} line {header_line}: the header must name the columns 'domain' and"
            f" 'expires' (optionally 'dns_management'); {', '.join(map(repr, missing))} missing"
            f" in {header!r}"
        )
    certs: list[Certification] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, cells in rows[1:]:
        values = dict(zip(columns, (c.strip() for c in cells), strict=False))
        try:
            cert = _csv_certification(values)
        except (InvalidDomainError, LifecycleError, ValueError) as exc:
            errors.append(f"{name} line {number}: {exc}")
            continue
        if cert.domain.name in seen:
            errors.append(
                f"{name} line {number}: {cert.domain} is listed already on line"
                f" {seen[cert.domain.name]}"
            )
            continue
        seen[cert.domain.name] = number
        certs.append(cert)
    if errors:
        more = f"\n(and {len(errors) - 20} more)" if len(errors) > 20 else ""
        raise StoreError("\n".join(errors[:20]) + more + "\nnothing was imported")
    return certs


def _csv_certification(values: dict[str, str]) -> Certification:
    domain = Domain(values.get("domain", ""))
    text = values.get("expires", "")
    try:
        expires = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"the expiry {text!r} is not a date YYYY-MM-DD") from None
    flag = values.get("dns_management", "yes").lower()
    if flag not in _TRUE | _FALSE:
        raise ValueError(f"dns_management is yes or no, not {flag!r}")
    return Certification(domain, expires, dns_management=flag in _TRUE)


def open_store(
    path: str | os.PathLike[str], *, create: bool = True, timeout: float = 30.0
) -> SqliteStore:
    """Open the portfolio store at ``path`` (creating it unless ``create=False``).

    Raises:
        StoreError: the file cannot be opened, or does not exist and ``create`` is False.
        StoreVersionError: a newer pecdns wrote it, or it is not a portfolio.

    >>> import tempfile, pathlib
    >>> from pecdns.portfolio import open
    >>> folder = tempfile.TemporaryDirectory()
    >>> with open(pathlib.Path(folder.name) / "p.sqlite") as store:
    ...     store.days()
    ()
    >>> folder.cleanup()
    """
    return SqliteStore(path, create=create, timeout=timeout)
