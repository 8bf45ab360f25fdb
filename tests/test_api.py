from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pecdns
import pecdns.pytest_plugin
import pecdns.resolvers
import pecdns.testing
from helpers import COMPILED, INTERPRETED_ONLY

PUBLIC = {
    "pecdns": [
        "ARUBA",
        "Advice",
        "Certification",
        "CertificationStatus",
        "DailyResult",
        "DailyRun",
        "Domain",
        "Finding",
        "HostLookup",
        "HostingPackage",
        "InvalidDomainError",
        "InvalidInput",
        "InvalidRecordError",
        "LifecycleError",
        "Limits",
        "MXRecord",
        "Observation",
        "Onboarding",
        "OnboardingStep",
        "Order",
        "OrderChannel",
        "OrderStatus",
        "PecdnsError",
        "Policy",
        "ProgressBar",
        "RecordingMissError",
        "Report",
        "Reports",
        "ServerProbe",
        "Setup",
        "Severity",
        "Transition",
        "Verdict",
        "acheck",
        "apply_check",
        "check",
        "check_many",
        "daily_check",
        "progress_bar",
        "registrable_domain",
        "setup_advice",
        "to_dataframe",
        "to_html",
        "to_json",
    ],
    "pecdns.resolvers": [
        "ROOT_HINTS",
        "Answer",
        "AsyncDnsResolver",
        "AsyncRawResolver",
        "AsyncResolver",
        "DnsResolver",
        "FastResolver",
        "IterativeResolver",
        "Outcome",
        "Query",
        "RRType",
        "RawResolver",
        "RecordingResolver",
        "ReplayResolver",
        "Resolver",
        "ThreadedResolver",
        "ZoneResolver",
        "as_async",
    ],
    "pecdns.testing": [
        "AsyncFakeResolver",
        "Data",
        "FakeDNS",
        "FakeResolver",
        "Handler",
        "Zone",
        "assert_findings",
    ],
    "pecdns.pytest_plugin": ["pec_check", "pec_resolver"],
}


def _isort_style(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions: ruff's order for __all__ (RUF022)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_as_ruff_sorts_it() -> None:
    for module_name in PUBLIC:
        module = importlib.import_module(module_name)
        assert list(module.__all__) == sorted(module.__all__, key=_isort_style), module_name


def test_all_lists_exactly_the_public_names() -> None:
    for module_name, names in PUBLIC.items():
        assert set(importlib.import_module(module_name).__all__) == set(names), module_name


@pytest.mark.skipif(COMPILED, reason=INTERPRETED_ONLY)
def test_every_public_name_is_documented() -> None:
    for module_name in PUBLIC:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                assert inspect.getdoc(obj), f"{module_name}.{name}"


def test_private_modules_start_with_an_underscore() -> None:
    public_modules = {"exceptions", "portfolio", "pytest_plugin", "resolvers", "testing"}
    for info in __import__("pkgutil").iter_modules(pecdns.__path__):
        assert info.name.startswith("_") or info.name in public_modules, info.name


# -- version and distribution metadata ---------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def _project() -> dict[str, Any]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def test_version_is_the_installed_distributions() -> None:
    assert isinstance(pecdns.__version__, str)
    assert pecdns.__version__ == importlib.metadata.version("pecdns")


def test_version_of_a_source_tree_not_installed_says_unknown() -> None:
    code = (
        "import importlib.metadata as m\n"
        "def missing(name): raise m.PackageNotFoundError(name)\n"
        "m.version = missing\n"
        "import pecdns\n"
        "print(pecdns.__version__)\n"
    )
    result = subprocess.run(  # noqa: S603 -- this interpreter, code the test wrote
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "0+unknown\n"


def test_each_python_version_allowed_has_its_classifier() -> None:
    project = _project()
    assert project["requires-python"] == ">=3.10"
    pattern = re.compile(r"Programming Language :: Python :: (3\.\d+)")
    versions = [m[1] for c in project["classifiers"] if (m := pattern.fullmatch(c))]
    assert versions == ["3.10", "3.11", "3.12", "3.13"]


def test_the_metadata_names_home_documentation_changelog_and_issues() -> None:
    urls = _project()["urls"]
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(url.startswith("https://") for url in urls.values())


def _notebook_imports() -> set[str]:
    notebook = json.loads((ROOT / "docs" / "portfolio.ipynb").read_text(encoding="utf-8"))
    found = set()
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(line for line in cell["source"] if not line.startswith(("%", "!")))
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"pecdns"}


def test_the_notebook_extra_brings_what_the_notebook_imports_and_a_kernel() -> None:
    extra = _project()["optional-dependencies"]["notebook"]
    names = {re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0] for requirement in extra}
    assert _notebook_imports() == {"matplotlib", "pandas"}
    assert _notebook_imports() | {"ipykernel", "jupyterlab"} <= names
