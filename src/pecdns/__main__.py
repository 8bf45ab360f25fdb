"""``python -m pecdns``: the ``pecdns`` command (see ``pecdns --help``)."""

from __future__ import annotations

import sys

from pecdns._cli import main

if __name__ == "__main__":
    sys.exit(main())
