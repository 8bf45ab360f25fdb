"""The commands shown in the docs and the README are real: each session is run and compared.

A ``console`` block is a session: a line starting with ``$ `` is a command
(run by bash from the repository's root, standard error merged into standard
output), and the lines up to the next command are its output. The README's
set-up commands (``sh`` blocks) must work on a fresh machine, and CI (``.ci/run``)
runs exactly the README's test command.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pecdns._codes import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "docs" / "cli.md", ROOT / "README.md"]
FENCE = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _sessions() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for number, match in enumerate(FENCE.finditer(page.read_text(encoding="utf-8")), 1):
            found.append((f"{page.name}#{number}", match.group(1)))
    return found


def _script(session: str) -> str:
    lines = ["status=0"]
    for line in session.splitlines():
        if line.startswith("$ "):
            lines += [
                f"printf '%s\\n' {shlex.quote(line)}",
                "(exit $status)",  # so that `echo $?` shows the status of the command before
                f"{{ {line[2:]} ; }} 2>&1",
                "status=$?",
            ]
    return "\n".join(lines)


@pytest.mark.parametrize(("where", "session"), _sessions(), ids=[w for w, _ in _sessions()])
def test_the_session_shown_is_what_the_command_prints(where: str, session: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "PYTHONWARNINGS"}}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(  # noqa: S603 -- bash running the commands the docs show
        ["/bin/bash", "-c", _script(session)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        cwd=ROOT,
    )
    assert result.stdout == session, where


# -- the README's set-up commands and CI -------------------------------------------------------

SH = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
SET_UP_PAGES = [ROOT / "README.md", ROOT / "docs" / "getting-started.md"]


def _readme_commands() -> list[str]:
    return SH.findall((ROOT / "README.md").read_text(encoding="utf-8"))[:2]


def _readme_test_command() -> str:
    (command,) = [c.strip() for c in _readme_commands() if "nox" in c]
    return command


@pytest.mark.parametrize("page", SET_UP_PAGES, ids=[p.name for p in SET_UP_PAGES])
def test_set_up_commands_install_nothing_into_the_system_python(page: Path) -> None:
    # PEP 668: Debian's and Ubuntu's python3 refuse `pip install` (externally-managed-environment).
    for block in SH.findall(page.read_text(encoding="utf-8")):
        for command in re.split(r"&&|;|\n", block):
            words = shlex.split(command)
            if not words:
                continue
            runs_pip = "pip" in Path(words[0]).name or words[1:3] == ["-m", "pip"]
            assert not runs_pip or words[0].startswith(".venv/"), command


def test_the_readme_shows_two_first_commands_both_in_a_virtual_environment() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    for command in commands:
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install -q ")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    last = [line for line in script.splitlines() if line and not line.startswith("#")][-1]
    assert last == _readme_test_command()


def _fake(path: Path, body: str) -> None:
    path.write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _run_ci(tmp_path: Path, policy: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run .ci/run on a copy, as on a machine without the packages, with every tool faked."""
    repo, bin_ = tmp_path / "repo", tmp_path / "bin"
    (repo / ".ci").mkdir(parents=True)
    bin_.mkdir()
    (repo / ".ci" / "run").write_bytes((ROOT / ".ci" / "run").read_bytes())
    log, tools = tmp_path / "log", tmp_path / "tools"
    tools.mkdir()
    record = f'echo "$(basename "$0") $*" >> {log}'
    _fake(bin_ / "dpkg-query", "exit 1")  # no package is installed
    install = f'if [ "$1" = install ]; then "$POLICY_RC_D" nsd start; echo "policy $?" >> {log}; fi'
    _fake(bin_ / "apt-get", f"{record}\n{install}")
    for killer in ("pkill", "killall", "kill", "systemctl", "service"):
        _fake(bin_ / killer, record)
    for tool in ("pip", "nox"):
        _fake(tools / tool, record)
    _fake(bin_ / "python3", f"{record}\nmkdir -p .venv/bin && cp {tools}/* .venv/bin/")
    env = {"PATH": f"{bin_}:/usr/bin:/bin", "CI": "true", "POLICY_RC_D": str(policy)}
    result = subprocess.run(  # noqa: S603 -- bash running the script under test, tools faked
        ["/bin/bash", str(repo / ".ci" / "run")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    return result, log.read_text(encoding="utf-8")


def test_ci_installs_the_servers_without_starting_their_services(tmp_path: Path) -> None:
    policy = tmp_path / "policy-rc.d"
    result, log = _run_ci(tmp_path, policy)
    assert result.returncode == 0, result.stderr
    assert log.splitlines() == [
        "apt-get update -qq",
        (
            "apt-get install -y -qq --no-install-recommends"
            " nsd knot python3-venv gcc libc6-dev python3-dev"
        ),
        "policy 101",  # policy-rc.d(8): the packages' services may not start
        "python3 -m venv .venv",
        "pip install -q nox",
        "nox -s tests lint typecheck docs compiled",
    ]  # and nothing killed: no pkill, killall, kill, systemctl or service
    assert not policy.exists()


def test_ci_puts_back_a_policy_that_was_there(tmp_path: Path) -> None:
    policy = tmp_path / "policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    result, log = _run_ci(tmp_path, policy)
    assert result.returncode == 0, result.stderr
    assert "policy 101" in log.splitlines()
    assert policy.read_text(encoding="utf-8") == "#!/bin/sh\nexit 0\n"


def _noxfile() -> Any:
    """noxfile.py, imported with a stand-in for nox that only records what sessions run."""
    spec = importlib.util.spec_from_file_location("noxfile_under_test", ROOT / "noxfile.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    stand_in = type(sys)("nox")
    stand_in.options = type(sys)("nox.options")  # type: ignore[attr-defined]
    stand_in.session = lambda function: function  # type: ignore[attr-defined]
    saved = sys.modules.get("nox")
    sys.modules["nox"] = stand_in
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["nox"]
        else:
            sys.modules["nox"] = saved
    return module


class _Session:
    posargs: list[str] = []  # noqa: RUF012 -- as nox's, read only

    def __init__(self) -> None:
        self.runs: list[list[str]] = []

    def install(self, *args: str) -> None:
        pass

    def run(self, *args: str, **options: object) -> None:
        del options  # success_codes, env...: not what this stand-in checks
        self.runs.append(list(args))


def _marker(run: list[str]) -> str:
    """The ``-m`` expression given to pytest in a command line running it."""
    return run[run.index("-m", run.index("pytest")) + 1]


def test_the_coverage_gate_counts_the_unit_tests_only() -> None:
    # Without NSD and Knot the integration tests skip; the gate must pass all the same.
    session = _Session()
    _noxfile().tests(session)
    gate = next(i for i, run in enumerate(session.runs) if "--fail-under=100" in run)
    pytest_runs = [run for run in session.runs[:gate] if "pytest" in run]
    assert pytest_runs
    assert [_marker(run) for run in pytest_runs] == ["not integration"]
    later = [run for run in session.runs[gate:] if "pytest" in run]
    assert [_marker(run) for run in later] == ["integration"]


def test_the_readme_table_lists_every_finding_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## What a check decides")
    table = readme[start : readme.index("\n## ", start + 1)]
    assert [code for code in CATALOGUE if f"`{code}`" not in table] == []
