"""The pytest plugin of pecdns: fixtures for testing tools built on it.

Installed with pecdns and always on (it is registered under the ``pytest11``
entry point, defines two fixtures and imports nothing beyond pecdns);
``pytest -p no:pecdns`` turns it off.

- ``pec_resolver``: a fresh :class:`~pecdns.testing.FakeDNS` for each test,
  holding only the address of the provider's MX host; fill it with
  ``add(...)`` or a one-line scenario (``compliant``, ``wrong_host``...).
- ``pec_check``: :func:`pecdns.check` already bound to ``pec_resolver``.

A test reads::

    from pecdns.testing import assert_findings


    def test_my_tool_flags_a_wrong_mx(pec_resolver, pec_check):
        pec_resolver.wrong_host("example.it")
        assert_findings(pec_check("example.it"), ["MX_WRONG_HOST"], at_least="WARNING")
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import pytest

from pecdns._check import check
from pecdns.testing import FakeDNS

if TYPE_CHECKING:
    from collections.abc import Callable

    from pecdns._models import Report

__all__ = ["pec_check", "pec_resolver"]


@pytest.fixture
def pec_resolver() -> FakeDNS:
    """A fresh :class:`~pecdns.testing.FakeDNS` that the test fills.

    It holds only the address of the provider's MX host (the checker's own
    look-up), so a check sees exactly what the test adds.
    """
    return FakeDNS()


@pytest.fixture
def pec_check(pec_resolver: FakeDNS) -> Callable[..., Report]:
    """:func:`pecdns.check` with ``resolver=pec_resolver``: ``pec_check("example.it")``.

    Other keyword arguments (``policy``, ``lang``...) pass through.
    """
    return functools.partial(check, resolver=pec_resolver)
