from __future__ import annotations

import sqlite3
import zlib
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

import pytest
from attrs import evolve

from pecdns import ARUBA, Certification, CertificationStatus, Domain, Report, Verdict, check
from pecdns.portfolio import (
    STORE_VERSION,
    ChangeKind,
    SqliteStore,
    StoreBusyError,
    StoreError,
    StoreVersionError,
)
from pecdns.portfolio import _store as store_module
from pecdns.portfolio import open as open_store
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

DAY1 = date(2026, 3, 1)
EXPIRES = date(2026, 6, 30)


def dns(good: Iterable[str]) -> FakeResolver:
    """Compliant PEC MX for the ``good`` domains; no PEC name at all for the others (P6)."""
    data: dict[str, object] = {f"pec.{d}": {"MX": "10 mx.pec.aruba.it."} for d in good}
    data["mx.pec.aruba.it"] = {"A": "192.0.2.25"}
    return FakeResolver(data)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with open_store(tmp_path / "portfolio.sqlite") as opened:
        yield opened


def fill(store: SqliteStore, *names: str, expires: date = EXPIRES) -> None:
    store.add_many(Certification(name, expires) for name in names)


def asked(resolver: FakeResolver) -> set[str]:
    """The PEC names whose MX was asked: one a domain checked."""
    return {
        q.name for q in resolver.queries if q.rdtype.value == "MX" and q.name.startswith("pec.")
    }


# --- opening, versions, migrations ------------------------------------------------------


def test_a_new_store_is_stamped_as_a_pecdns_portfolio_of_the_current_layout(
    tmp_path: Path,
) -> None:
    open_store(tmp_path / "p.sqlite").close()
    db = sqlite3.connect(tmp_path / "p.sqlite")
    assert db.execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION
    assert db.execute("PRAGMA application_id").fetchone()[0] == store_module.APPLICATION_ID
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_store_from_a_newer_pecdns_is_refused_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    with open_store(path) as store:
        fill(store, "example.it")
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {STORE_VERSION + 1}")
    db.close()
    with pytest.raises(StoreVersionError, match=r"written by a newer pecdns .*upgrade pecdns"):
        open_store(path)


def test_an_sqlite_file_of_another_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (n INTEGER)")
    db.close()
    with pytest.raises(StoreVersionError, match="not a pecdns portfolio"):
        open_store(path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not the data you are looking for\n" * 50)
    with pytest.raises(StoreVersionError, match="not a pecdns portfolio"):
        open_store(path)


def test_a_missing_store_is_not_created_when_create_is_false(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no portfolio at .*pecdns portfolio add"):
        open_store(tmp_path / "absent.sqlite", create=False)
    assert not (tmp_path / "absent.sqlite").exists()


def test_an_older_store_is_migrated_forward_with_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.sqlite"
    with open_store(path) as store:
        fill(store, "example.it")
    v2 = "ALTER TABLE certifications ADD COLUMN note TEXT"
    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, v2))
    monkeypatch.setattr(store_module, "STORE_VERSION", STORE_VERSION + 1)
    with open_store(path) as store:
        assert [c.domain.name for c in store.certifications()] == ["example.it"]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION + 1
    assert db.execute("SELECT note FROM certifications").fetchall() == [(None,)]


# --- certifications -----------------------------------------------------------------------


def test_added_certifications_are_listed_by_domain(store: SqliteStore) -> None:
    store.add(Certification("zeta.it", EXPIRES, dns_management=False))
    store.add(Certification("Alfa.IT", EXPIRES))
    listed = store.certifications()
    assert len(store) == 2
    assert [c.domain.name for c in listed] == ["alfa.it", "zeta.it"]
    assert listed[1].dns_management is False


def test_a_domain_already_there_is_refused_unless_replaced(store: SqliteStore) -> None:
    fill(store, "example.it")
    with pytest.raises(StoreError, match="already in the portfolio"):
        store.add(Certification("example.it", date(2027, 1, 1)))
    store.add(Certification("example.it", date(2027, 1, 1)), replace=True)
    assert store.certifications()[0].expires == date(2027, 1, 1)


def test_adding_many_is_all_or_nothing(store: SqliteStore) -> None:
    fill(store, "b.it")
    with pytest.raises(StoreError):
        fill(store, "a.it", "b.it")
    assert [c.domain.name for c in store.certifications()] == ["b.it"]


def test_a_removed_certification_keeps_its_history(store: SqliteStore) -> None:
    fill(store, "example.it")
    store.run_day(today=DAY1, resolver=dns([]))
    assert store.remove("example.it") is True
    assert store.remove("example.it") is False
    assert store.certifications() == ()
    assert store.certification("example.it") is None
    assert len(store.history("example.it")) == 1


# --- CSV import ---------------------------------------------------------------------------


def test_a_csv_file_is_imported_with_its_optional_column(
    store: SqliteStore, tmp_path: Path
) -> None:
    csv = tmp_path / "certs.csv"
    csv.write_text(
        "# our customers\nDomain,Expires,DNS_Management\n"
        "example.it,2026-06-30,yes\n\nothers.it,2026-07-01,no\n"
    )
    assert store.import_csv(csv) == 2
    certs = {c.domain.name: c for c in store.certifications()}
    assert certs["others.it"].dns_management is False
    assert certs["example.it"].expires == EXPIRES


def test_every_wrong_csv_line_is_named_and_nothing_is_imported(
    store: SqliteStore, tmp_path: Path
) -> None:
    csv = tmp_path / "certs.csv"
    csv.write_text(
        "domain,expires,dns_management\n"
        "example.it,2026-06-30\n"
        "www.example.it,2026-06-30\n"
        "good.it,30/06/2026\n"
        "fine.it,2026-06-30,maybe\n"
        "example.it,2026-07-30\n"
    )
    with pytest.raises(StoreError) as raised:
        store.import_csv(csv)
    text = str(raised.value)
    assert "line 3: 'www.example.it' is a subdomain" in text
    assert "line 4: the expiry '30/06/2026' is not a date YYYY-MM-DD" in text
    assert "line 5: dns_management is yes or no, not 'maybe'" in text
    assert "line 6: example.it is listed already on line 2" in text
    assert text.endswith("nothing was imported")
    assert store.certifications() == ()


def test_a_csv_without_the_required_header_is_refused(store: SqliteStore, tmp_path: Path) -> None:
    csv = tmp_path / "certs.csv"
    csv.write_text("example.it,2026-06-30\n")
    with pytest.raises(StoreError, match=r"line 1: the header must name .*'domain', 'expires'"):
        store.import_csv(csv)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"domain,expires\n\xff\xfe,1\n", "not a CSV text file in UTF-8")],
)
def test_an_empty_or_binary_csv_is_refused(
    store: SqliteStore, tmp_path: Path, content: bytes, message: str
) -> None:
    csv = tmp_path / "certs.csv"
    csv.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        store.import_csv(csv)


def test_a_missing_csv_file_is_named(store: SqliteStore, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"cannot read .*absent.csv"):
        store.import_csv(tmp_path / "absent.csv")


def test_many_wrong_lines_are_cut_at_twenty(store: SqliteStore, tmp_path: Path) -> None:
    csv = tmp_path / "certs.csv"
    csv.write_text("domain,expires\n" + "".join(f"d{i}.it,never\n" for i in range(25)))
    with pytest.raises(StoreError, match=r"\(and 5 more\)"):
        store.import_csv(csv)


# --- the daily run --------------------------------------------------------------------------


def test_a_day_checks_every_certification_and_moves_it_on(store: SqliteStore) -> None:
    fill(store, "good.it", "bad.it")
    summary = store.run_day(today=DAY1, resolver=dns(["good.it"]))
    assert (summary.total, summary.checked, summary.complete) == (2, 2, True)
    assert summary.count(Verdict.COMPLIANT) == summary.count(Verdict.NON_COMPLIANT) == 1
    certs = {c.domain.name: c for c in store.certifications()}
    assert certs["bad.it"].status is CertificationStatus.SUSPENDED  # P7
    assert certs["good.it"].last_checked == DAY1
    assert (
        str(summary) == "daily run of 2026-03-01: 2 certifications (1 COMPLIANT, 1 NON_COMPLIANT)"
    )


def test_a_domain_of_the_private_section_is_kept_run_and_read_back(store: SqliteStore) -> None:
    blog = Domain("myblog.blogspot.com", private=True)
    store.add(Certification(blog, EXPIRES))
    store.run_day(today=DAY1, resolver=dns([]))
    (cert,) = store.certifications()
    assert cert.domain == blog
    assert cert.domain.private
    assert cert.status is CertificationStatus.SUSPENDED
    assert [entry.day for entry in store.history("myblog.blogspot.com")] == [DAY1]
    assert store.report("myblog.blogspot.com", DAY1) is not None
    (change,) = store.changes()
    assert change.domain == blog
    assert store.remove("myblog.blogspot.com")


def test_running_a_finished_day_again_checks_nothing_and_applies_nothing(
    store: SqliteStore,
) -> None:
    fill(store, "bad.it")
    store.run_day(today=DAY1, resolver=dns([]))
    again = dns([])
    summary = store.run_day(today=DAY1, resolver=again)
    assert (summary.total, summary.checked) == (1, 0)
    assert again.queries == []
    assert len(store.certifications()[0].history) == 1


def test_a_certification_added_after_a_run_is_checked_when_the_day_runs_again(
    store: SqliteStore,
) -> None:
    fill(store, "a.it")
    store.run_day(today=DAY1, resolver=dns([]))
    store.run_day(today=DAY1 + timedelta(days=1), resolver=dns([]))
    fill(store, "b.it")
    resolver = dns([])
    store.run_day(today=DAY1 + timedelta(days=1), resolver=resolver)
    assert resolver.queries == []  # the day was finished: b.it waits for the next day
    store.run_day(today=DAY1 + timedelta(days=2), resolver=resolver)
    assert asked(resolver) == {"pec.a.it.", "pec.b.it."}


def test_an_earlier_day_after_a_later_one_is_refused(store: SqliteStore) -> None:
    fill(store, "a.it")
    store.run_day(today=DAY1, resolver=dns([]))
    with pytest.raises(StoreError, match="already holds a run of 2026-03-01"):
        store.run_day(today=DAY1 - timedelta(days=1), resolver=dns([]))


def test_removed_and_expired_certifications_are_not_checked(store: SqliteStore) -> None:
    store.add(Certification("gone.it", EXPIRES, CertificationStatus.REMOVED))
    fill(store, "live.it")
    resolver = dns(["live.it"])
    summary = store.run_day(today=DAY1, resolver=resolver)
    assert asked(resolver) == {"pec.live.it."}  # P6: only certified domains
    assert summary.total == 2
    assert store.history("gone.it")[0].verdict is None


def test_a_check_that_cannot_be_applied_is_saved_with_its_reason(store: SqliteStore) -> None:
    store.add(Certification("a.it", EXPIRES, last_checked=DAY1 + timedelta(days=3)))
    store.run_day(today=DAY1, resolver=dns([]))
    entry = store.history("a.it")[0]
    assert entry.after is CertificationStatus.ACTIVE
    assert entry.error is not None
    assert "comes before the last one applied" in entry.error


def test_another_run_holding_the_store_makes_run_day_refuse(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    with open_store(path) as first, open_store(path) as second:
        fill(first, "a.it")
        first._lock(0.0)
        with pytest.raises(StoreBusyError, match="another run is under way"):
            second.run_day(today=DAY1, resolver=dns([]), wait=0.1)
        first._unlock()
        assert second.run_day(today=DAY1, resolver=dns([])).total == 1


def test_a_batch_of_zero_and_a_datetime_for_today_are_refused(store: SqliteStore) -> None:
    from datetime import datetime, timezone  # noqa: PLC0415

    with pytest.raises(ValueError, match="batch must be at least 1"):
        store.run_day(today=DAY1, batch=0)
    with pytest.raises(Exception, match="today must be a date"):
        store.run_day(today=datetime(2026, 3, 1, tzinfo=timezone.utc))


# --- reading back: changes, history, reports, data frames -----------------------------------


def four_days(store: SqliteStore) -> None:
    """good.it breaks on day 2 and is fixed on day 4; short.it expires broken on day 3."""
    fill(store, "good.it", "steady.it")
    fill(store, "short.it", expires=DAY1 + timedelta(days=1))  # P8: removed the day after
    worlds = [
        ["good.it", "steady.it", "short.it"],
        ["steady.it"],
        ["steady.it"],
        ["good.it", "steady.it"],
    ]
    for offset, good in enumerate(worlds[:2]):
        store.run_day(today=DAY1 + timedelta(days=offset), resolver=dns(good))


def test_changes_name_the_newly_failing_with_the_finding_and_its_fix(store: SqliteStore) -> None:
    four_days(store)
    changes = store.changes()
    assert (changes.today, changes.since) == (DAY1 + timedelta(days=1), DAY1)
    failing = {c.domain.name: c for c in changes.newly_failing}
    assert set(failing) == {"good.it", "short.it"}
    assert failing["good.it"].kind is ChangeKind.NEWLY_FAILING
    assert failing["good.it"].code == "PEC_NAME_NXDOMAIN"
    assert failing["good.it"].fix
    assert failing["good.it"].status is CertificationStatus.SUSPENDED


def test_a_domain_still_failing_is_not_newly_failing(store: SqliteStore) -> None:
    four_days(store)
    store.run_day(today=DAY1 + timedelta(days=2), resolver=dns(["steady.it"]))
    changes = store.changes()
    assert changes.newly_failing == ()
    assert [c.domain.name for c in changes.removed] == ["short.it"]  # P8: expiry, no fix
    assert changes.removed[0].reason is not None
    assert "removed for good" in changes.removed[0].reason


def test_a_fix_before_expiry_is_listed_as_restored(store: SqliteStore) -> None:
    four_days(store)
    store.run_day(today=DAY1 + timedelta(days=2), resolver=dns(["steady.it"]))
    store.run_day(today=DAY1 + timedelta(days=3), resolver=dns(["good.it", "steady.it"]))
    changes = store.changes()
    assert [c.domain.name for c in changes.restored] == ["good.it"]  # P8
    assert changes.restored[0].status is CertificationStatus.ACTIVE


def test_changes_since_a_day_gather_every_run_after_it(store: SqliteStore) -> None:
    four_days(store)
    store.run_day(today=DAY1 + timedelta(days=2), resolver=dns(["steady.it"]))
    store.run_day(today=DAY1 + timedelta(days=3), resolver=dns(["good.it", "steady.it"]))
    changes = store.changes(since=DAY1)
    assert changes.since == DAY1
    assert {c.domain.name for c in changes.removed} == {"short.it"}
    assert {c.domain.name for c in changes.restored} == {"good.it"}
    assert store.changes(since=DAY1 - timedelta(days=9)).since is None


def test_the_first_run_lists_every_failing_domain_as_new(store: SqliteStore) -> None:
    fill(store, "a.it", "b.it")
    store.run_day(today=DAY1, resolver=dns(["a.it"]))
    changes = store.changes()
    assert changes.since is None
    assert [c.domain.name for c in changes.newly_failing] == ["b.it"]
    assert "first run" in str(changes)


def test_those_awaiting_a_fix_near_expiry_are_due_within_n_days(store: SqliteStore) -> None:
    fill(store, "soon.it", expires=DAY1 + timedelta(days=5))
    fill(store, "later.it", expires=DAY1 + timedelta(days=50))
    fill(store, "fine.it", expires=DAY1 + timedelta(days=5))
    store.run_day(today=DAY1, resolver=dns(["fine.it"]))
    due = store.changes(within=30).due
    assert [(c.domain.name, c.days_left) for c in due] == [("soon.it", 5)]
    assert {c.domain.name for c in store.changes(within=60).due} == {"soon.it", "later.it"}
    assert "5 days left" in str(due[0])


def test_changes_before_any_run_are_refused(store: SqliteStore) -> None:
    with pytest.raises(StoreError, match="no run yet"):
        store.changes()


def test_changes_print_as_a_block_and_as_json_lines(store: SqliteStore) -> None:
    four_days(store)
    changes = store.changes()
    text = str(changes)
    assert text.startswith("changes of 2026-03-02 (since 2026-03-01):")
    assert "newly failing: 2" in text
    assert "PEC_NAME_NXDOMAIN" in text
    assert "restored: none" in text
    assert len(changes) == len(list(changes)) == 3  # 2 newly failing, short.it due
    assert next(iter(changes)).to_dict()["change"] == "newly_failing"


def test_history_is_one_entry_a_day_with_each_status_change(store: SqliteStore) -> None:
    four_days(store)
    entries = store.history("good.it")
    assert [(e.day, e.verdict, e.after) for e in entries] == [
        (DAY1, Verdict.COMPLIANT, CertificationStatus.ACTIVE),
        (DAY1 + timedelta(days=1), Verdict.NON_COMPLIANT, CertificationStatus.SUSPENDED),
    ]
    assert "PEC_NAME_NXDOMAIN" in entries[1].codes
    assert entries[1].reason is not None
    assert "ACTIVE -> SUSPENDED" in str(entries[1])


def test_a_certification_comes_back_with_its_last_report(store: SqliteStore) -> None:
    four_days(store)
    cert = store.certification("good.it")
    assert cert is not None
    assert isinstance(cert.last_report, Report)
    assert cert.last_report == store.report("good.it", DAY1 + timedelta(days=1))
    assert cert.last_report.verdict is Verdict.NON_COMPLIANT
    assert store.report("good.it", DAY1 - timedelta(days=1)) is None


def test_summary_and_days_describe_the_saved_runs(store: SqliteStore) -> None:
    four_days(store)
    assert store.days() == (DAY1, DAY1 + timedelta(days=1))
    first = store.summary(DAY1)
    assert first is not None
    assert first.count(Verdict.COMPLIANT) == 3
    latest = store.summary()
    assert latest is not None
    assert latest.day == DAY1 + timedelta(days=1)
    assert store.summary(DAY1 - timedelta(days=1)) is None


def test_the_data_frame_has_one_row_a_domain_a_day(store: SqliteStore) -> None:
    four_days(store)
    frame = store.to_dataframe()
    assert list(frame.columns) == ["day", "domain", "verdict", "status", "days_left", "errors"]
    assert len(frame) == 6
    per_day = frame.groupby(["day", "verdict"]).size().to_dict()
    assert per_day[(frame["day"].max(), "NON_COMPLIANT")] == 2
    short = frame[frame["domain"] == "short.it"]["days_left"].tolist()
    assert short == [1, 0]  # the expiry day itself is the last day to fix it (P8)


def test_pruning_keeps_the_summaries_and_drops_old_reports(store: SqliteStore) -> None:
    four_days(store)
    assert store.prune(keep_days=0) == 3
    assert store.report("good.it", DAY1) is None
    assert store.report("good.it", DAY1 + timedelta(days=1)) is not None
    assert len(store.history("good.it")) == 2


def test_pruning_whole_runs_drops_their_history(store: SqliteStore) -> None:
    four_days(store)
    assert store.prune(keep_days=0, summaries=False) == 3
    assert store.days() == (DAY1 + timedelta(days=1),)
    assert len(store.history("good.it")) == 1


def test_pruning_an_empty_store_or_a_negative_span(store: SqliteStore) -> None:
    assert store.prune(keep_days=3) == 0
    with pytest.raises(ValueError, match="keep_days"):
        store.prune(keep_days=-1)


def test_unreadable_certification_data_is_reported_not_misread(
    store: SqliteStore, tmp_path: Path
) -> None:
    fill(store, "a.it")
    db = sqlite3.connect(tmp_path / "portfolio.sqlite")
    db.execute("""UPDATE certifications SET data = '{"schema": "pecdns.certification.v9"}'""")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match=r"unreadable data: .*newer pecdns"):
        store.certifications()


def test_an_unchanged_report_is_stored_once_and_read_back_with_each_days_time(
    tmp_path: Path,
) -> None:
    from datetime import datetime, timezone  # noqa: PLC0415

    times = iter(datetime(2026, 3, d, 6, tzinfo=timezone.utc) for d in range(1, 99))
    with SqliteStore(tmp_path / "p.sqlite", clock=lambda: next(times)) as store:
        fill(store, "good.it")
        store.run_day(today=DAY1, resolver=dns(["good.it"]))
        store.run_day(today=DAY1 + timedelta(days=1), resolver=dns(["good.it"]))
        first = store.report("good.it", DAY1)
        second = store.report("good.it", DAY1 + timedelta(days=1))
    db = sqlite3.connect(tmp_path / "p.sqlite")
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    assert first is not None
    assert second is not None
    assert first.checked_at is not None
    assert second.checked_at is not None
    starts = [row[0] for row in db.execute("SELECT started_at FROM runs ORDER BY day")]
    assert [first.checked_at.isoformat(), second.checked_at.isoformat()] == starts
    assert starts[0] != starts[1]
    assert evolve(first, checked_at=None) == evolve(second, checked_at=None)


def test_a_day_that_changes_only_the_last_check_rewrites_no_certification_data(
    store: SqliteStore, tmp_path: Path
) -> None:
    fill(store, "good.it")
    store.run_day(today=DAY1, resolver=dns(["good.it"]))
    db = sqlite3.connect(tmp_path / "portfolio.sqlite")
    data = db.execute("SELECT data FROM certifications").fetchone()[0]
    assert '"last_checked":null' in data
    cert = store.certifications()[0]
    assert cert.last_checked == DAY1
    assert cert.history == ()


def test_a_result_saved_already_is_never_applied_again(store: SqliteStore) -> None:
    from pecdns import apply_check, check  # noqa: PLC0415

    fill(store, "bad.it")
    run, _, _ = store._open_run(DAY1, ARUBA)
    cert = store.certifications()[0]
    passed = check("bad.it", resolver=dns(["bad.it"]))
    store._save(run, [(cert, apply_check(cert, passed, today=DAY1), passed, None)], {}, "all")
    failed = check("bad.it", resolver=dns([]))  # e.g. a second process, same day, same domain
    store._save(run, [(cert, apply_check(cert, failed, today=DAY1), failed, None)], {}, "all")
    saved = store.certifications()[0]
    assert saved.status is CertificationStatus.ACTIVE
    assert saved.history == ()
    assert [e.verdict for e in store.history("bad.it")] == [Verdict.COMPLIANT]


def test_a_writer_waits_for_another_and_then_says_the_store_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    open_store(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with SqliteStore(path, timeout=0.2) as store, pytest.raises(StoreBusyError, match="busy"):
            fill(store, "a.it")
    finally:
        other.execute("ROLLBACK")
        other.close()
    with open_store(path) as store:
        fill(store, "a.it")
        assert len(store.certifications()) == 1


def moved_mx(address: str) -> FakeResolver:
    """good.it compliant; the provider's MX host at ``address`` (evidence, not a finding)."""
    return FakeResolver(
        {"pec.good.it": {"MX": "10 mx.pec.aruba.it."}, "mx.pec.aruba.it": {"A": address}}
    )


def hosts_seen(report: Report | None) -> tuple[str, ...]:
    assert report is not None
    return report.observation.hosts[0].addresses


@pytest.mark.parametrize(("keep", "bodies"), [("changes", 1), ("all", 2)])
def test_keep_reports_saves_a_new_body_for_new_evidence_only_when_asked(
    tmp_path: Path, keep: Literal["changes", "all"], bodies: int
) -> None:
    with open_store(tmp_path / "p.sqlite") as store:
        fill(store, "good.it")
        store.run_day(today=DAY1, resolver=moved_mx("192.0.2.25"), keep_reports=keep)
        day2 = DAY1 + timedelta(days=1)
        store.run_day(today=day2, resolver=moved_mx("192.0.2.26"), keep_reports=keep)
        seen = hosts_seen(store.report("good.it", day2))
    db = sqlite3.connect(tmp_path / "p.sqlite")
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == bodies
    assert seen == (("192.0.2.25",) if keep == "changes" else ("192.0.2.26",))


def test_a_new_judgement_is_always_saved_in_full(store: SqliteStore) -> None:
    fill(store, "good.it")
    store.run_day(today=DAY1, resolver=dns(["good.it"]))
    store.run_day(today=DAY1 + timedelta(days=1), resolver=dns([]))
    first = store.report("good.it", DAY1)
    second = store.report("good.it", DAY1 + timedelta(days=1))
    assert first is not None
    assert second is not None
    assert (first.verdict, second.verdict) == (Verdict.COMPLIANT, Verdict.NON_COMPLIANT)


def test_pruning_whole_runs_keeps_the_latest_reports_readable(store: SqliteStore) -> None:
    fill(store, "good.it")
    for offset in range(3):
        store.run_day(today=DAY1 + timedelta(days=offset), resolver=dns(["good.it"]))
    store.prune(keep_days=0, summaries=False)
    store.run_day(today=DAY1 + timedelta(days=3), resolver=dns(["good.it"]))
    assert store.report("good.it", DAY1 + timedelta(days=3)) is not None
    cert = store.certification("good.it")
    assert cert is not None
    assert cert.last_report is not None


def test_an_unknown_keep_reports_is_refused(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="keep_reports is 'changes' or 'all'"):
        store.run_day(today=DAY1, keep_reports="some")  # type: ignore[arg-type]


def test_a_report_stored_before_answers_carried_dnames_reads_back() -> None:
    fake = FakeResolver({"example.it": {"DNAME": "new.it."}, "pec.new.it": {"MX": "10 m.it."}})
    report = check("example.it", resolver=fake)
    _, text = store_module._pack(report)
    old = text.replace(b',"dnames":[]', b"").replace(b',"dnames":[["example.it.","new.it."]]', b"")
    assert b"dnames" not in old
    again = store_module._unpack(zlib.compress(old), "2026-01-05T06:00:00+00:00")
    assert again.observation.pec_mx.dnames == ()
    assert again.codes() == report.codes()
