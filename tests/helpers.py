"""Shared helpers for the tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pecdns import ARUBA, Policy, Report, check
from pecdns._cli import _build
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from collections.abc import Mapping

COMPILED = _build() == "compiled"
"""Whether these tests run on the compiled build (``nox -s compiled``; docs/scale.md), as
``pecdns --version`` tells it."""

INTERPRETED_ONLY = "needs the module as Python source (a docstring, a patched method)"
"""Why a test skips on the compiled build: compiled functions and classes keep no docstring,
and a compiled class's methods cannot be replaced on an instance."""

PROVIDER = {
    "mx.pec.aruba.it": {"A": "192.0.2.25"},
    # Name servers have addresses, as in real DNS, so every server can be asked directly.
    "ns1.example.net": {"A": "198.51.100.1"},
    "ns2.example.net": {"A": "198.51.100.2"},
    "dns.technorail.com": {"A": "198.51.100.11"},
    "dns2.technorail.com": {"A": "198.51.100.12"},
    "dns3.arubadns.net": {"A": "198.51.100.13"},
}
EXTERNAL_NS = {"NS": ["ns1.example.net.", "ns2.example.net."]}


def run(data: Mapping[str, Any], *, policy: Policy = ARUBA, domain: str = "example.it") -> Report:
    """Check ``domain`` against a fake holding ``data`` plus the provider's MX host address."""
    return check(domain, resolver=FakeResolver({**PROVIDER, **data}), policy=policy)
