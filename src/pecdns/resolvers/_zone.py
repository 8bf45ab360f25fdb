"""Placeholder: replaced by the real ZoneResolver."""

from __future__ import annotations

from pecdns._models import Answer, Query

__all__ = ["ZoneResolver"]


class ZoneResolver:
    """Offline answers from zone files (being written)."""

    def resolve(self, query: Query) -> Answer:
        """Not yet."""
        raise NotImplementedError
