"""Pickling the models cheaply: a frozen attrs class as its class and its field values.

A batch on several processes (``check_many(..., processes=N)``) sends every
:class:`~pecdns.Report` from a worker to the parent, which unpickles it
while the workers check: its CPU is taken from theirs. attrs pickles a
slotted class through a dict and a Python loop per object; :func:`fast_pickle`
sends the field values as one tuple (read with :func:`operator.attrgetter`)
and sets them back with no dict in between, and :func:`by_name` pickles an
enum member by its name instead of calling the enum. The unpickled object
is equal to the original, field for field, its converters not run again
(they ran when it was made).
"""

from __future__ import annotations

import enum
import operator
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["by_name", "fast_pickle"]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

_SET = object.__setattr__
_CACHED_HASH = "_attrs_cached_hash"  # attrs' slot for cache_hash=True: empty until hashed


def _restore(cls: type[T], names: tuple[str, ...], values: tuple[object, ...]) -> T:
    """A ``cls`` holding ``values`` under ``names`` (no ``__init__``: the values are made)."""
    made = object.__new__(cls)
    for name, value in zip(names, values, strict=True):
        _SET(made, name, value)
    return made


def fast_pickle(cls: type[T]) -> type[T]:
    """Give the frozen attrs class ``cls`` a ``__reduce__``: its class and field values.

    >>> import pickle
    >>> from pecdns._models import MXRecord
    >>> pickle.loads(pickle.dumps(MXRecord(10, "mx.pec.aruba.it")))
    MXRecord(preference=10, exchange='mx.pec.aruba.it.')
    """
    names = tuple(field.name for field in attrs.fields(cls))  # type: ignore[arg-type]
    read = operator.attrgetter(*names)
    values: Callable[[Any], tuple[object, ...]] = (
        read if len(names) > 1 else lambda made: (read(made),)
    )
    empty: tuple[None, ...] = ()
    if _CACHED_HASH in getattr(cls, "__slots__", ()):
        names, empty = (*names, _CACHED_HASH), (None,)

    def __reduce__(self: T) -> tuple[object, ...]:  # noqa: N807 -- the pickle protocol's name
        return _restore, (cls, names, values(self) + empty)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


def _member(cls: type[E], name: str) -> E:
    return cls[name]


def by_name(cls: type[E]) -> type[E]:
    """Pickle the members of the enum ``cls`` by name.

    >>> import pickle
    >>> from pecdns._models import Outcome
    >>> pickle.loads(pickle.dumps(Outcome.NXDOMAIN)) is Outcome.NXDOMAIN
    True
    """

    def __reduce_ex__(self: E, _protocol: object) -> tuple[object, ...]:  # noqa: N807 -- as above
        return _member, (type(self), self.name)

    cls.__reduce_ex__ = __reduce_ex__  # type: ignore[assignment,method-assign]
    return cls
