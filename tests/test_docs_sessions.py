"""The terminal sessions shown in the docs and the README are real: each is run and compared.

A ``console`` block is a session: a line starting with ``$ `` is a command
(run by bash from the repository's root, standard error merged into standard
output), and the lines up to the next command are its output.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

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
