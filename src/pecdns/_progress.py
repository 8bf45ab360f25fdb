"""A ready progress bar for check_many (tqdm, from the ``progress`` extra)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = ["ProgressBar", "progress_bar"]


def progress_bar(
    total: int | None = None,
    *,
    desc: str = "pecdns",
    **options: Any,  # noqa: ANN401 -- tqdm's own keyword options, passed through
) -> ProgressBar:
    """A ``progress`` callback for :func:`pecdns.check_many` that draws a tqdm bar with a rate.

    In a notebook the bar is a widget where ipywidgets is installed (tqdm's
    ``auto`` module chooses). Needs the ``progress`` extra: ``pip install
    'pecdns[progress]'``.

    Args:
        total: how many domains, if known, for a bar with an end and an ETA.
        desc: the bar's label.
        options: passed to ``tqdm`` (``file``, ``mininterval``...).

    Raises:
        ImportError: tqdm is not installed.
    """
    try:
        from tqdm.auto import tqdm  # noqa: PLC0415 -- an optional extra, loaded only when asked for
    except ImportError as exc:  # pragma: no cover - the extra is installed where tests run
        raise ImportError("progress_bar needs tqdm: pip install 'pecdns[progress]'") from exc
    return ProgressBar(tqdm(total=total, unit="domain", desc=desc, **options))


class ProgressBar:
    """The callback :func:`progress_bar` returns: one step per result; ``bar`` is the tqdm bar."""

    def __init__(self, bar: tqdm[object]) -> None:
        """Drive ``bar``."""
        self.bar = bar

    def __call__(self, _result: object) -> None:
        """Count one result; close the bar when it is full."""
        self.bar.update(1)
        if self.bar.total is not None and self.bar.n >= self.bar.total:
            self.bar.close()
