"""The compiled build (``nox -s compiled``) compiles what pyproject.toml says, and only that."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from helpers import COMPILED

ROOT = Path(__file__).resolve().parents[1]


def _listed() -> list[str]:
    """The modules the build hook compiles, as dotted names (from pyproject.toml)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    paths = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]
    return [path.removeprefix("/src/").removesuffix(".py").replace("/", ".") for path in paths]


def _compiled(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    assert spec is not None, module
    assert spec.origin is not None, module
    return not spec.origin.endswith(".py")


@pytest.mark.skipif(
    os.environ.get("PECDNS_COMPILED") != "1", reason="the compiled build's session sets it"
)
def test_the_compiled_build_compiles_every_module_listed() -> None:
    # Where nox -s compiled runs the tests, they must not silently run on Python source.
    assert COMPILED
    assert [module for module in _listed() if not _compiled(module)] == []


def test_the_modules_listed_are_the_hot_path_and_exist() -> None:
    assert _listed() == [
        "pecdns.resolvers._lean",
        "pecdns.resolvers._fast",
        "pecdns._engine",
        "pecdns._observe",
        "pecdns._rules",
    ]
    assert all(importlib.util.find_spec(module) is not None for module in _listed())


def test_no_other_module_is_compiled() -> None:
    # pecdns._batch, above all: its Python generator closes the compiled engine's (_closing).
    src = ROOT / "src"
    modules = [
        ".".join(path.relative_to(src).with_suffix("").parts).removesuffix(".__init__")
        for path in (src / "pecdns").rglob("*.py")
    ]
    assert "pecdns._batch" in modules
    assert [m for m in modules if m not in _listed() and _compiled(m)] == []
