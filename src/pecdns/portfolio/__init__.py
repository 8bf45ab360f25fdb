"""A portfolio of certified PEC domains kept on disk, checked day after day.

The provider checks every certified domain every day (P6) and acts on what
changed (P7, P8). A portfolio store remembers the certifications and every
daily run, so that a cron job can ask what changed since yesterday, and which
certifications will be removed for good soon if nobody acts.

>>> import tempfile, pathlib
>>> from datetime import date
>>> from pecdns import Certification
>>> from pecdns.testing import FakeResolver
>>> from pecdns import portfolio
>>> folder = tempfile.TemporaryDirectory()
>>> dns = FakeResolver({"mx.pec.aruba.it": {"A": "192.0.2.25"}})
>>> with portfolio.open(pathlib.Path(folder.name) / "portfolio.sqlite") as store:
...     store.add(Certification("example.it", date(2026, 3, 31)))
...     print(store.run_day(today=date(2026, 3, 1), resolver=dns))
...     print(store.changes(within=30).newly_failing[0].code)
daily run of 2026-03-01: 1 certifications (1 NON_COMPLIANT)
PEC_NAME_NXDOMAIN
>>> folder.cleanup()

Models convert to JSON-ready data and back with :func:`to_dict` and
:func:`from_dict`, each form carrying its schema version.
"""

from __future__ import annotations

from pecdns._serial import DataFormatError, from_dict, schema_name, to_dict
from pecdns.portfolio._model import (
    Change,
    ChangeKind,
    Changes,
    DayEntry,
    RunSummary,
    StoreBusyError,
    StoreError,
    StoreVersionError,
)
from pecdns.portfolio._store import (
    MIGRATIONS,
    STORE_VERSION,
    PortfolioStore,
    SqliteStore,
    read_csv,
)
from pecdns.portfolio._store import open_store as open  # noqa: A004 -- pecdns.portfolio.open(path), as the issue names it

__all__ = [
    "MIGRATIONS",
    "STORE_VERSION",
    "Change",
    "ChangeKind",
    "Changes",
    "DataFormatError",
    "DayEntry",
    "PortfolioStore",
    "RunSummary",
    "SqliteStore",
    "StoreBusyError",
    "StoreError",
    "StoreVersionError",
    "from_dict",
    "open",
    "read_csv",
    "schema_name",
    "to_dict",
]
