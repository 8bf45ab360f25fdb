"""Nothing lost: a killed run, two runs at once, a read-only store, a full disk.

Each test uses a real SQLite file and real processes. The read-only and
disk-full tests mount a small tmpfs (the suite runs as root in CI's
container); where mounting is not allowed they are skipped, never faked.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import pecdns
from pecdns import Certification, CertificationStatus
from pecdns._cli import main
from pecdns.portfolio import StoreError
from pecdns.portfolio import open as open_store
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from collections.abc import Iterator

TODAY = date(2026, 3, 1)
EXPIRES = date(2026, 6, 30)
COUNT = 120
SRC = str(Path(pecdns.__file__).resolve().parents[1])

# A run in another process, slowed down so that it can be caught in the middle:
# even domains are compliant, odd ones have no PEC name (P6).
RUNNER = """
import sys, time
from datetime import date
from pecdns.portfolio import open
from pecdns.testing import FakeResolver

path, delay, wait = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
COUNT = int(sys.argv[4])

class Slow(FakeResolver):
    def resolve(self, query):
        time.sleep(delay)
        return super().resolve(query)

data = {f"pec.d{i}.it": {"MX": "10 mx.pec.aruba.it."} for i in range(0, COUNT, 2)}
data["mx.pec.aruba.it"] = {"A": "192.0.2.25"}

with open(path) as store:
    summary = store.run_day(
        today=date(2026, 3, 1), resolver=Slow(data, record=False), batch=5, concurrency=4, wait=wait
    )
print("checked", summary.checked, flush=True)
"""


def names() -> list[str]:
    return [f"d{i}.it" for i in range(COUNT)]


def world() -> FakeResolver:
    data: dict[str, object] = {
        f"pec.d{i}.it": {"MX": "10 mx.pec.aruba.it."} for i in range(0, COUNT, 2)
    }
    data["mx.pec.aruba.it"] = {"A": "192.0.2.25"}
    return FakeResolver(data)  # type: ignore[arg-type]


ARUBA_ZONE = """$ORIGIN aruba.it.
$TTL 3600
@ IN SOA ns.aruba.it. hostmaster.aruba.it. 1 3600 600 86400 3600
@ IN NS ns.aruba.it.
ns IN A 192.0.2.53
mx.pec IN A 192.0.2.25
"""


def zone(tmp_path: Path) -> str:
    """A zone file for the command line, so that no check ever leaves the machine."""
    path = tmp_path / "aruba.zone"
    path.write_text(ARUBA_ZONE)
    return str(path)


def make_store(path: Path, count: int = COUNT) -> None:
    with open_store(path) as store:
        store.add_many(Certification(f"d{i}.it", EXPIRES) for i in range(count))


def runner(
    tmp_path: Path, db: Path, *, delay: float = 0.01, wait: float = 0.0
) -> subprocess.Popen[str]:
    script = tmp_path / "runner.py"
    script.write_text(RUNNER)
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.Popen(  # noqa: S603 -- our own interpreter and script
        [sys.executable, str(script), str(db), str(delay), str(wait), str(COUNT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def saved(db: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
        return {row[0] for row in conn.execute("SELECT domain FROM results")}


def wait_for_saved(db: Path, at_least: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(saved(db)) < at_least:
        assert process.poll() is None, "the run ended before it could be caught"
        assert time.monotonic() < deadline, "the run saved nothing in 60 s"
        time.sleep(0.02)


def asked(resolver: FakeResolver) -> set[str]:
    return {
        q.name[4:-1]
        for q in resolver.queries
        if q.rdtype.value == "MX" and q.name.startswith("pec.") and q.server is None
    }


def assert_each_day_applied_once(db: Path) -> None:
    with open_store(db) as store:
        certs = store.certifications()
        rows = store.to_dataframe()
    assert len(certs) == COUNT
    assert len(rows) == COUNT  # one result per certification for the day, no more
    for cert in certs:
        assert cert.last_checked == TODAY
        number = int(cert.domain.name[1:].split(".")[0])
        if number % 2:
            assert [(t.on, t.after) for t in cert.history] == [
                (TODAY, CertificationStatus.SUSPENDED)
            ]
        else:
            assert cert.history == ()


def test_a_run_killed_mid_batch_resumes_without_checking_or_applying_twice(
    tmp_path: Path,
) -> None:
    db = tmp_path / "portfolio.sqlite"
    make_store(db)
    process = runner(tmp_path, db)
    try:
        wait_for_saved(db, 20, process)
    finally:
        os.kill(process.pid, signal.SIGKILL)  # by its own PID, at whatever step it is in
        process.communicate()
    assert process.returncode == -signal.SIGKILL

    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    before = saved(db)
    assert 20 <= len(before) < COUNT
    with open_store(db) as store:
        for cert in store.certifications():  # what was saved was applied, and only that
            if cert.domain.name in before:
                assert cert.last_checked == TODAY
            else:
                assert (cert.last_checked, cert.history) == (None, ())
        resolver = world()
        summary = store.run_day(today=TODAY, resolver=resolver)
    assert asked(resolver) == set(names()) - before
    assert summary.checked == COUNT - len(before)
    assert summary.total == COUNT
    assert_each_day_applied_once(db)


def test_a_second_run_at_once_refuses_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "portfolio.sqlite"
    make_store(db)
    first = runner(tmp_path, db)
    try:
        wait_for_saved(db, 5, first)
        argv = ["daily", "--db", str(db), "--today", TODAY.isoformat()]
        status = main([*argv, "--zone-file", zone(tmp_path)])
        assert status == 2
        assert "another run is under way" in capsys.readouterr().err
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert out.strip() == f"checked {COUNT}"
    assert_each_day_applied_once(db)


def test_a_second_run_at_once_waits_and_then_applies_nothing_twice(tmp_path: Path) -> None:
    db = tmp_path / "portfolio.sqlite"
    make_store(db)
    first = runner(tmp_path, db)
    try:
        wait_for_saved(db, 5, first)
        second = runner(tmp_path, db, delay=0.0, wait=120.0)
        out2, err2 = second.communicate(timeout=120)
    finally:
        out1, err1 = first.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    assert out1.strip() == f"checked {COUNT}"
    assert out2.strip() == "checked 0"
    assert_each_day_applied_once(db)


# --- read-only and full disks -----------------------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs of our own, to make read-only or fill up; skipped where mount is refused."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    done = subprocess.run(  # noqa: S603 -- fixed arguments
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],  # noqa: S607 -- mount(8) from PATH
        capture_output=True,
        check=False,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)  # noqa: S603, S607 -- fixed arguments


def remount(mount: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount)], check=True)  # noqa: S603, S607 -- fixed arguments


def state(db: Path) -> tuple[object, ...]:
    with open_store(db) as store:
        return store.certifications(), store.days(), store.to_dataframe().to_dict("records")


def test_a_read_only_store_is_a_clear_error_exit_2_and_left_as_it_was(
    tmpfs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmpfs / "portfolio.sqlite"
    make_store(db, 10)
    with open_store(db) as store:
        store.run_day(today=TODAY, resolver=world())
    before = state(db)
    remount(tmpfs, "ro")
    try:
        argv = ["daily", "--db", str(db), "--today", "2026-03-02", "--zone-file", zone(tmp_path)]
        status = main(argv)
        err = capsys.readouterr().err
    finally:
        remount(tmpfs, "rw")
    assert status == 2
    assert "read-only" in err
    assert "nothing was changed" in err
    assert state(db) == before


def test_a_full_disk_is_a_clear_error_exit_2_and_the_saved_days_stay_intact(
    tmpfs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmpfs / "portfolio.sqlite"
    make_store(db, 10)
    with open_store(db) as store:
        store.run_day(today=TODAY, resolver=world())
        store.add_many(Certification(f"e{i}.it", EXPIRES) for i in range(300))
    before = state(db)
    filler = tmpfs / "filler"
    with contextlib.suppress(OSError), filler.open("wb", buffering=0) as stream:
        while True:
            stream.write(b"\0" * 4096)
    day2 = TODAY + timedelta(days=1)
    argv = ["daily", "--db", str(db), "--today", day2.isoformat(), "--zone-file", zone(tmp_path)]
    status = main(argv)
    err = capsys.readouterr().err
    filler.unlink()
    assert status == 2
    assert "the disk is full" in err
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert state(db) == before
    with open_store(db) as store:
        summary = store.run_day(today=day2, resolver=world())
        assert summary.total == 310
        assert all(len(c.history) <= 1 for c in store.certifications())


def test_a_failing_write_inside_a_run_is_a_store_error_with_nothing_half_saved(
    tmpfs: Path,
) -> None:
    db = tmpfs / "portfolio.sqlite"
    make_store(db, 300)
    filler = tmpfs / "filler"
    with contextlib.suppress(OSError), filler.open("wb", buffering=0) as stream:
        while True:
            stream.write(b"\0" * 4096)
    with pytest.raises(StoreError, match="disk is full"), open_store(db) as store:
        store.run_day(today=TODAY, resolver=world())
    filler.unlink()
    with open_store(db) as store:
        assert all(c.last_checked is None for c in store.certifications())
