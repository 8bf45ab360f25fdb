"""Reports as JSON: one object per report, one line each, in a versioned schema."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pecdns._models import Report

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["to_json"]


def to_json(reports: Report | Iterable[Report], *, indent: int | None = None) -> str:
    """Render one report, or many as JSON lines (one object per line).

    The form is ``Report.to_dict``'s, whose ``schema`` key names its version.
    Output is ASCII only: every non-ASCII character is escaped, as every
    control character always is.

    >>> from pecdns import check
    >>> from pecdns.testing import FakeResolver
    >>> fake = FakeResolver(
    ...     {
    ...         "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    ...         "mx.pec.aruba.it": {"A": "192.0.2.25"},
    ...     }
    ... )
    >>> print(to_json(check("example.it", resolver=fake))[:60])
    {"schema": "pecdns.report.v1", "domain": "example.it", "doma
    """
    if isinstance(reports, Report):
        return json.dumps(reports.to_dict(), indent=indent, ensure_ascii=True)
    return "\n".join(json.dumps(r.to_dict(), ensure_ascii=True) for r in reports)
