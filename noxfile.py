"""Developer tasks: ``nox -s tests lint typecheck docs``.

Sessions run on the interpreter at hand (``python=False`` is not used: each
session gets its own virtualenv from the current Python), so they work the
same on a laptop and in CI.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

TEST_DEPS = [".[tests]"]


@nox.session
def tests(session: nox.Session) -> None:
    """Run the tests with branch coverage; the unit tests alone must cover the core fully.

    The gate counts only the unit tests, so it gives the same answer on every
    machine. The integration tests run after it: they skip where NSD and Knot
    are not installed, and fail the run where CI=true (tests/servers.py).
    """
    session.install(*TEST_DEPS)
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", "-m", "not integration", *session.posargs)
    session.run(
        "coverage",
        "report",
        "--fail-under=100",
        "--include=*/pecdns/_models.py,*/pecdns/_rules.py,*/pecdns/_names.py,"
        "*/pecdns/_domain.py,*/pecdns/_policy.py,*/pecdns/_remedy.py,*/pecdns/_check.py,"
        "*/pecdns/_codes.py,*/pecdns/_observe.py,*/pecdns/_budget.py,"
        "*/pecdns/_present.py,*/pecdns/_text.py,*/pecdns/_html.py,*/pecdns/_reports.py,"
        "*/pecdns/_dnssec.py,*/pecdns/_edns.py,*/pecdns/_reduce.py",
    )
    session.run(
        "coverage",
        "run",
        "--append",
        "-m",
        "pytest",
        "-m",
        "integration",
        *session.posargs,
        success_codes=[0, 5],  # 5: the arguments given select no integration test
    )
    session.run("coverage", "report")


@nox.session
def lint(session: nox.Session) -> None:
    """Lint and check formatting with ruff."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check src, tests and this file with mypy --strict."""
    session.install("mypy", "types-tqdm", "types-jsonschema", "pandas-stubs", *TEST_DEPS, "nox")
    session.run("mypy", "--strict")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation, warnings as errors, and run its examples.

    Both builds execute the notebook (docs/portfolio.ipynb) offline, in a
    kernel of this session's environment (ipykernel, from the docs extra).
    """
    session.install(".[docs]")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")
    session.run(
        "sphinx-build", "-W", "--keep-going", "-b", "doctest", "docs", "docs/_build/doctest"
    )


@nox.session
def fuzz(session: nox.Session) -> None:
    """Fuzz domain parsing, zone text and DNS responses with atheris (not in the default run).

    ``nox -s fuzz -- 100000`` sets the number of runs per target.
    """
    session.install(".", "atheris")
    runs = session.posargs[0] if session.posargs else "20000"
    artifacts = "fuzz/artifacts/"
    session.run("mkdir", "-p", artifacts, external=True)
    for target in ("domain", "zone", "wire"):
        session.run(
            "python",
            "fuzz/fuzz_pecdns.py",
            target,
            f"-runs={runs}",
            f"-artifact_prefix={artifacts}",
            "-print_final_stats=1",
        )


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmark against NSD and Knot on loopback (not in the default run; needs root).

    ``nox -s bench -- --quick`` for a smoke run, ``-- --full`` adds 100,000 domains.
    """
    session.install(".[tests]")  # the benchmark reuses tests/servers.py, which imports pytest
    session.run("python", "bench/run.py", *session.posargs)
