"""Pickling the models cheaply: a frozen attrs class as its class and its field values.

A batch on several processes (``check_many(..., processes=N)``) sends every
:class:`~pecdns.Report` from a worker to the parent, which unpickles it
while the workers check: its CPU is taken from theirs. attrs pickles a
slotted class through a dict and a Python loop per object; :func:`fast_pickle`
sends the field values as one tuple (read with :func:`operator.attrgetter`)
and sets them back with no dict in between and no loop: each class gets a
function, made once, that sets each slot through its descriptor, one line a
field (as attrs makes its ``__init__``). :func:`by_name` pickles an enum
member by its name instead of calling the enum. The unpickled object is equal
to the original, field for field, its converters not run again (they ran
when it was made).
"""

from __future__ import annotations

import enum
import operator
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["by_name", "fast_pickle", "replaced", "restorer"]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

_CACHED_HASH = "_attrs_cached_hash"  # attrs' slot for cache_hash=True: empty until hashed


def _restore(cls: type[T], names: tuple[str, ...], values: tuple[object, ...]) -> T:
    """A ``cls`` holding ``values`` under ``names``: how pickles of earlier versions restore.

    Earlier versions pickled a model as this function, its class, its field
    names and values; kept so that what they pickled (a cache, a dask
    result) still loads.
    """
    made = object.__new__(cls)
    for name, value in zip(names, values, strict=True):
        object.__setattr__(made, name, value)
    return made


_RESTORER = "_pecdns_restore"  # the class attribute that holds a class's restoring function
_FIELDS = "_pecdns_fields"  # and the one that holds its fields' positions and reader


def _restorer(cls: type[T], names: tuple[str, ...]) -> Callable[[tuple[object, ...]], T]:
    """A function making a ``cls`` from its values for ``names``, without ``__init__``.

    Each value goes straight into its slot through the slot's descriptor (a
    frozen class refuses ``setattr``), in generated code with one line a
    field: half the time of a loop over the names (1.0 against 2.1 µs for an
    Answer), and a report unpickles 22 objects. The code holds only
    positions; the names reach it as the descriptors' setters, never as text.
    """
    setters = {f"set{i}": getattr(cls, name).__set__ for i, name in enumerate(names)}
    lines = "".join(f"    set{i}(made, values[{i}])\n" for i in range(len(names)))
    source = f"def restore(values):\n    made = new(cls)\n{lines}    return made\n"
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, **setters}
    exec(source, namespace)  # noqa: S102 -- code made above from positions only, as attrs makes its methods
    restore: Callable[[tuple[object, ...]], T] = namespace["restore"]
    # Pickled by reference, as the class's attribute.
    restore.__module__, restore.__qualname__ = cls.__module__, f"{cls.__qualname__}.{_RESTORER}"
    return restore


def fast_pickle(cls: type[T]) -> type[T]:
    """Give the frozen attrs class ``cls`` a ``__reduce__``: its restoring function and values.

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
    restore = _restorer(cls, names)
    setattr(cls, _RESTORER, staticmethod(restore))
    positions = {name: i for i, name in enumerate(names[: len(names) - len(empty)])}
    setattr(cls, _FIELDS, (positions, values, empty))

    def __reduce__(self: T) -> tuple[object, ...]:  # noqa: N807 -- the pickle protocol's name
        return restore, (values(self) + empty,)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


def restorer(cls: type[T]) -> Callable[[tuple[object, ...]], T]:
    """The function :func:`fast_pickle` gave ``cls``: a ``cls`` from its field values, in order.

    It runs no converter and no check: for values that are canonical already.

    >>> from pecdns._models import MXRecord
    >>> restorer(MXRecord)((10, "mx.pec.aruba.it."))
    MXRecord(preference=10, exchange='mx.pec.aruba.it.')
    """
    made: Callable[[tuple[object, ...]], T] = getattr(cls, _RESTORER)
    return made


def replaced(made: T, **changes: object) -> T:
    """``attrs.evolve(made, **changes)`` by field name, without ``__init__``: no converter runs.

    For a class without converters or validators (``Observation``) it is
    ``evolve``, at a third of the price (a batch evolves each observation
    twice); for any other, the new values must be what its converters would
    make. A cached hash is dropped, as ``__init__`` drops it.

    >>> from pecdns._models import MXRecord
    >>> replaced(MXRecord(10, "mx.pec.aruba.it"), preference=20)
    MXRecord(preference=20, exchange='mx.pec.aruba.it.')

    Raises:
        TypeError: a name in ``changes`` is no field of the class.
    """
    cls = type(made)
    positions, values, empty = getattr(cls, _FIELDS)
    new = list(values(made))
    for name, value in changes.items():
        if name not in positions:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        new[positions[name]] = value
    made_again: T = getattr(cls, _RESTORER)((*new, *empty))
    return made_again


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
