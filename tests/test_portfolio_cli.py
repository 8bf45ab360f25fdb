from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

import pytest

from pecdns._cli import main

if TYPE_CHECKING:
    from pathlib import Path

ARUBA = """$ORIGIN aruba.it.
$TTL 3600
@ IN SOA ns.aruba.it. hostmaster.aruba.it. 1 3600 600 86400 3600
@ IN NS ns.aruba.it.
ns IN A 192.0.2.53
mx.pec IN A 192.0.2.25
"""


def customer(name: str, mx: str) -> str:
    return f"""$ORIGIN {name}.
$TTL 3600
@ IN SOA ns1.{name}. hostmaster.{name}. 1 3600 600 86400 3600
@ IN NS ns1.{name}.
ns1 IN A 192.0.2.1
mail IN A 192.0.2.9
pec IN MX 10 {mx}
"""


GOOD, WRONG = "mx.pec.aruba.it.", "mail"


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """Zone files for alfa.it and beta.it, both compliant, in a folder of their own."""
    zones = tmp_path / "zones"
    zones.mkdir()
    (zones / "aruba.zone").write_text(ARUBA)
    (zones / "alfa.zone").write_text(customer("alfa.it", GOOD))
    (zones / "beta.zone").write_text(customer("beta.it", GOOD))
    return zones


@pytest.fixture
def db(tmp_path: Path, world: Path) -> str:
    path = tmp_path / "portfolio.sqlite"
    csv = tmp_path / "certs.csv"
    csv.write_text("domain,expires\nalfa.it,2026-06-30\nbeta.it,2026-03-20\n")
    assert main(["portfolio", "import", str(csv), "--db", str(path)]) == 0
    return str(path)


def daily(db: str, world: Path, day: str, *extra: str) -> int:
    return main(["daily", "--db", db, "--today", day, "--zone-file", str(world), *extra])


def test_daily_on_a_compliant_portfolio_exits_0_with_nothing_changed(
    db: str, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert daily(db, world, "2026-03-01") == 0
    out = capsys.readouterr().out
    assert "daily run of 2026-03-01: 2 certifications (2 COMPLIANT)" in out
    assert "newly failing: none" in out


def test_daily_names_the_newly_failing_domain_with_its_fix_and_exits_1(
    db: str, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    daily(db, world, "2026-03-01")
    (world / "beta.zone").write_text(customer("beta.it", WRONG))
    capsys.readouterr()
    assert daily(db, world, "2026-03-02") == 1
    out = capsys.readouterr().out
    assert "changes of 2026-03-02 (since 2026-03-01):" in out
    assert "newly failing: 1\n    beta.it (SUSPENDED, expires 2026-03-20, 18 days left)" in out
    assert "MX_WRONG_HOST" in out
    assert "fix: " in out
    assert "due for removal within 30 days: 1" in out


def test_daily_json_is_a_summary_line_then_one_line_a_change(
    db: str, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (world / "beta.zone").write_text(customer("beta.it", WRONG))
    assert daily(db, world, "2026-03-01", "--json", "--within", "5") == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {
        "run": "2026-03-01",
        "since": None,
        "total": 2,
        "checked": 2,
        "verdicts": {"COMPLIANT": 1, "NON_COMPLIANT": 1},
    }
    assert [(line["change"], line["domain"]) for line in lines[1:]] == [
        ("newly_failing", "beta.it")
    ]
    assert lines[1]["code"] == "MX_WRONG_HOST"


def test_a_restored_domain_is_printed_the_day_after_its_fix(
    db: str, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (world / "beta.zone").write_text(customer("beta.it", WRONG))
    daily(db, world, "2026-03-01")
    (world / "beta.zone").write_text(customer("beta.it", GOOD))
    capsys.readouterr()
    assert daily(db, world, "2026-03-02") == 0
    assert "restored: 1\n    beta.it (ACTIVE" in capsys.readouterr().out


def test_daily_on_a_missing_or_empty_portfolio_exits_2(
    tmp_path: Path, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "none.sqlite")
    assert daily(missing, world, "2026-03-01") == 2
    assert "no portfolio at" in capsys.readouterr().err
    empty = str(tmp_path / "empty.sqlite")
    assert main(["portfolio", "add", "a.it", "--expires", "2026-06-30", "--db", empty]) == 0
    assert main(["portfolio", "remove", "a.it", "--db", empty]) == 0
    capsys.readouterr()
    assert daily(empty, world, "2026-03-01") == 2
    assert "holds no certification" in capsys.readouterr().err


def test_a_store_from_a_newer_pecdns_exits_2_with_the_reason(
    db: str, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert daily(db, world, "2026-03-01") == 2
    assert "written by a newer pecdns" in capsys.readouterr().err


def test_a_bad_day_is_a_usage_error(
    db: str, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        daily(db, world, "1 March")
    assert exited.value.code == 2
    assert "a date YYYY-MM-DD, not '1 March'" in capsys.readouterr().err


def test_portfolio_add_list_and_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "p.sqlite")
    argv = ["portfolio", "add", "Example.IT", "--expires", "2026-06-30", "--db", db]
    assert main([*argv, "--no-dns-management"]) == 0
    assert main(argv) == 2
    assert "already in the portfolio" in capsys.readouterr().err
    assert main(["portfolio", "list", "--db", db, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == {
        "domain": "example.it",
        "expires": "2026-06-30",
        "status": "ACTIVE",
        "dns_management": False,
        "last_checked": None,
    }
    assert main(["portfolio", "list", "--db", db]) == 0
    assert "example.it" in capsys.readouterr().out
    assert main(["portfolio", "remove", "example.it", "--db", db]) == 0
    assert main(["portfolio", "remove", "example.it", "--db", db]) == 2
    assert "not in the portfolio" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["add", "remove"])
def test_portfolio_refuses_a_subdomain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    db = str(tmp_path / "p.sqlite")
    extra = ["--expires", "2026-06-30"] if command == "add" else []
    assert main(["portfolio", command, "www.example.it", *extra, "--db", db]) == 2
    assert "is a subdomain" in capsys.readouterr().err


def test_portfolio_import_names_the_wrong_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "certs.csv"
    csv.write_text("domain,expires\nexample.it,2026-06-30\nexample,2026-06-30\n")
    assert main(["portfolio", "import", str(csv), "--db", str(tmp_path / "p.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "certs.csv line 3: 'example' is a public suffix" in err
    assert "nothing was imported" in err


def test_history_prints_each_day_and_the_reason_of_each_change(
    db: str, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    daily(db, world, "2026-03-01")
    (world / "beta.zone").write_text(customer("beta.it", WRONG))
    daily(db, world, "2026-03-02")
    capsys.readouterr()
    assert main(["history", "beta.it", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2026-03-01  COMPLIANT      ACTIVE"
    assert lines[1].startswith("2026-03-02  NON_COMPLIANT  ACTIVE -> SUSPENDED  MX_WRONG_HOST")
    assert lines[2].startswith("    the daily check failed (P6)")
    assert lines[-1] == "now SUSPENDED, expires 2026-03-20"
    assert main(["history", "beta.it", "--db", db, "--json"]) == 0
    days = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["after"] for d in days] == ["ACTIVE", "SUSPENDED"]


def test_history_of_an_unknown_or_invalid_domain_exits_2(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "gamma.it", "--db", db]) == 2
    assert "no history" in capsys.readouterr().err
    assert main(["history", "gamma", "--db", db]) == 2
    assert "public suffix" in capsys.readouterr().err


def test_portfolio_prune_keeps_summaries_or_drops_runs(
    db: str, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    daily(db, world, "2026-03-01")
    daily(db, world, "2026-03-02")
    capsys.readouterr()
    assert main(["portfolio", "prune", "--keep-days", "0", "--db", db]) == 0
    assert capsys.readouterr().out.startswith("2 reports dropped (summaries kept)")
    assert main(["portfolio", "prune", "--keep-days", "0", "--drop-runs", "--db", db]) == 0
    assert capsys.readouterr().out.startswith("2 results dropped")
    assert main(["history", "alfa.it", "--db", db]) == 0
    assert capsys.readouterr().out.count("COMPLIANT") == 1


def test_a_negative_within_is_a_usage_error(
    db: str, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        daily(db, world, "2026-03-01", "--within", "-1")
    assert exited.value.code == 2
    assert "a whole number from 0 up, not '-1'" in capsys.readouterr().err


@pytest.mark.parametrize(("keep", "bodies"), [("changes", 1), ("all", 2)])
def test_daily_keeps_a_report_for_new_evidence_only_when_asked(
    db: str, world: Path, keep: str, bodies: int
) -> None:
    daily(db, world, "2026-03-01")
    (world / "alfa.zone").write_text(customer("alfa.it", GOOD).replace("192.0.2.1", "192.0.2.2"))
    daily(db, world, "2026-03-02", "--keep-reports", keep)
    conn = sqlite3.connect(db)
    query = "SELECT count(DISTINCT report) FROM results WHERE domain = 'alfa.it'"
    assert conn.execute(query).fetchone()[0] == bodies
    conn.close()


def test_daily_in_italian_gives_the_findings_in_italian(
    db: str, world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (world / "beta.zone").write_text(customer("beta.it", WRONG))
    assert daily(db, world, "2026-03-01", "--lang", "it") == 1
    out = capsys.readouterr().out
    assert "MX_WRONG_HOST" in out
    english = "none of it points to the provider's host"
    assert english not in out


def test_a_private_section_domain_in_the_portfolio_is_found_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import date  # noqa: PLC0415 -- only this test builds a store by hand

    from pecdns import Certification, Domain  # noqa: PLC0415 -- as above
    from pecdns.portfolio import open as open_store  # noqa: PLC0415 -- as above

    db = tmp_path / "p.sqlite"
    with open_store(db) as store:
        store.add(Certification(Domain("myblog.blogspot.com", private=True), date(2026, 6, 30)))
    assert main(["history", "myblog.blogspot.com", "--db", str(db)]) == 0  # not a subdomain
    assert "expires 2026-06-30" in capsys.readouterr().out
    assert main(["portfolio", "remove", "myblog.blogspot.com", "--db", str(db)]) == 0
