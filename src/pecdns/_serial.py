"""Models to plain JSON-ready data and back, driven by the models' own attrs fields.

Nothing here lists a model's fields: :func:`to_dict` and :func:`from_dict`
walk ``attrs.fields`` and the resolved type hints, so a field or a model added
later round-trips without a change here. Only leaf types (dates, enums,
:class:`~pecdns.Domain`...) and the two forms that already have a published
schema (``pecdns.report.v1`` for :class:`~pecdns.Report` and
:class:`~pecdns.InvalidInput`, and the recorded :class:`Answer`) are named.

Every top-level form carries a ``schema`` key, ``pecdns.<model>.v1``; reading
refuses another model's data, a newer version, and any key the model does not
have (data written by a newer pecdns), with an error that says so, rather than
misread it.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import itertools
import re
import types
import typing
from typing import Any, TypeVar, Union

import attrs

from pecdns._batch import InvalidInput
from pecdns._domain import Domain
from pecdns._models import (
    SCHEMA,
    Answer,
    Finding,
    HostLookup,
    Observation,
    Report,
    ServerProbe,
    Verdict,
)
from pecdns._models import Severity as _Severity
from pecdns.exceptions import PecdnsError

__all__ = ["DataFormatError", "from_dict", "schema_name", "to_dict"]

T = TypeVar("T")
_VERSION = 1
_NONE = type(None)


class DataFormatError(PecdnsError, ValueError):
    """Data that is not what this version of pecdns writes for the model asked for.

    The message names the model, the field and what was found: another
    model's data, a newer schema version, a field this version does not know.
    """


def schema_name(cls: type[Any]) -> str:
    """The ``schema`` key of a model's top-level form: ``pecdns.<snake_case name>.v1``.

    >>> from pecdns import Certification, Report
    >>> schema_name(Certification), schema_name(Report)
    ('pecdns.certification.v1', 'pecdns.report.v1')
    """
    if cls in _FORMS:
        return SCHEMA
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
    return f"pecdns.{snake}.v{_VERSION}"


# --- leaves: (encode, decode) for types that are not attrs classes ------------------------


def _date(value: object) -> dt.date:
    if not isinstance(value, str):
        raise TypeError(f"a date is text YYYY-MM-DD, not {value!r}")
    return dt.date.fromisoformat(value)


def _datetime(value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError(f"a time is ISO 8601 text, not {value!r}")
    return dt.datetime.fromisoformat(value)


def _timedelta(value: object) -> dt.timedelta:
    if not (isinstance(value, list) and len(value) == 3 and all(type(v) is int for v in value)):
        raise TypeError(f"a duration is [days, seconds, microseconds], not {value!r}")
    return dt.timedelta(days=value[0], seconds=value[1], microseconds=value[2])


def _domain(value: object) -> Domain:
    if not isinstance(value, str):
        raise TypeError(f"a domain is text, not {value!r}")
    return Domain.read_back(value)


def _severity(value: object) -> _Severity:
    if not isinstance(value, str) or value not in _Severity.__members__:
        raise TypeError(f"a severity is one of {', '.join(_Severity.__members__)}, not {value!r}")
    return _Severity[value]


_LEAVES: dict[type[Any], tuple[typing.Callable[[Any], Any], typing.Callable[[Any], Any]]] = {
    dt.date: (dt.date.isoformat, _date),
    dt.datetime: (dt.datetime.isoformat, _datetime),
    dt.timedelta: (lambda v: [v.days, v.seconds, v.microseconds], _timedelta),
    Domain: (lambda v: v.name, _domain),
    _Severity: (lambda v: v.name, _severity),
}
_SCALARS = (str, int, float, bool)


# --- the published report form (pecdns.report.v1), read back --------------------------------


def _finding(data: dict[str, Any]) -> Finding:
    return Finding(
        data["code"],
        _severity(data["severity"]),
        data["clause"],
        data["message"],
        evidence=tuple(Answer.from_dict(a) for a in data["evidence"]),
        fix=data["fix"],
        args=tuple((str(k), str(v)) for k, v in data.get("args", ())),
    )


def _lookups(items: list[dict[str, Any]]) -> tuple[HostLookup, ...]:
    found = []
    for item in items:
        answers = [Answer.from_dict(a) for a in item["answers"]]
        if not 1 <= len(answers) <= 2:
            raise TypeError(f"a host look-up holds one or two answers, not {len(answers)}")
        found.append(HostLookup(item["host"], *answers))
    return tuple(found)


def _probes(items: list[dict[str, Any]]) -> tuple[ServerProbe, ...]:
    return tuple(
        ServerProbe(p["name"], p["address"], None if p["mx"] is None else Answer.from_dict(p["mx"]))
        for p in items
    )


def _observation(domain: Domain, data: dict[str, Any]) -> Observation:
    child_ns = data["child_ns"]
    return Observation(
        domain=domain,
        pec_name=data["pec_name"],
        pec_mx=Answer.from_dict(data["pec_mx"]),
        domain_mx=Answer.from_dict(data["domain_mx"]),
        domain_ns=Answer.from_dict(data["domain_ns"]),
        pec_ns=Answer.from_dict(data["pec_ns"]),
        hosts=_lookups(data["hosts"]),
        ns_hosts=_lookups(data["ns_hosts"]),
        parent_probes=_probes(data["parent_probes"]),
        child_probes=_probes(data["child_probes"]),
        child_ns=None if child_ns is None else Answer.from_dict(child_ns),
    )


def _report_schema(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DataFormatError(f"a {what} is a JSON object, not {type(data).__name__}")
    found = data.get("schema")
    if found != SCHEMA:
        raise DataFormatError(_wrong_schema(what, SCHEMA, found))
    return data


def _checked_at(value: object) -> dt.datetime | None:
    return None if value is None else _datetime(value)


def report_from_dict(data: dict[str, Any]) -> Report:
    """Read a report in its published form, ``pecdns.report.v1`` (see ``Report.from_dict``)."""
    data = _report_schema(data, "Report")
    if data.get("observation") is None:
        raise DataFormatError(
            "this pecdns.report.v1 object has no domain: it is an InvalidInput; read it"
            " with InvalidInput.from_dict"
        )
    try:
        domain = _domain(data["domain"])
        return Report(
            domain=domain,
            verdict=_verdict(data["verdict"]),
            findings=tuple(_finding(f) for f in data["findings"]),
            observation=_observation(domain, data["observation"]),
            remedy=data["remedy"],
            policy=data["policy"],
            checked_at=_checked_at(data["checked_at"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataFormatError(f"not a pecdns.report.v1 report: {_reason(exc)}") from None


def invalid_input_from_dict(data: dict[str, Any]) -> InvalidInput:
    """Read an invalid input's result in the report form (see ``InvalidInput.from_dict``)."""
    data = _report_schema(data, "InvalidInput")
    if data.get("observation") is not None or "input" not in data:
        raise DataFormatError(
            "this pecdns.report.v1 object is a domain's report, not an invalid input;"
            " read it with Report.from_dict"
        )
    try:
        return InvalidInput(
            data["input"],
            tuple(_finding(f) for f in data["findings"]),
            data["policy"],
            _checked_at(data["checked_at"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataFormatError(f"not a pecdns.report.v1 invalid input: {_reason(exc)}") from None


def _verdict(value: object) -> Verdict:
    return Verdict(value)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"the key {exc.args[0]!r} is missing"
    return str(exc)


def _wrong_schema(what: str, expected: str, found: object) -> str:
    match = re.fullmatch(r"(pecdns\.[a-z_]+)\.v(\d+)", found) if isinstance(found, str) else None
    if match and f"{match[1]}.v{_VERSION}" == expected and int(match[2]) > _VERSION:
        return (
            f"this {what} was written by a newer pecdns (schema {found}); this version reads"
            f" {expected}: upgrade pecdns to read it"
        )
    return f"not a {what}: its schema is {found!r}, where {expected!r} was expected"


_FORMS: dict[type[Any], tuple[typing.Callable[[Any], Any], typing.Callable[[Any], Any]]] = {
    Report: (Report.to_dict, report_from_dict),
    InvalidInput: (InvalidInput.to_dict, invalid_input_from_dict),
}
_NESTED: dict[type[Any], tuple[typing.Callable[[Any], Any], typing.Callable[[Any], Any]]] = {
    Answer: (Answer.to_dict, Answer.from_dict),
}


# --- the generic walk ---------------------------------------------------------------------


@functools.cache
def _namespace() -> dict[str, Any]:
    """Names the models' annotations may use under TYPE_CHECKING only."""
    import pecdns  # noqa: PLC0415 -- the package imports this module's users
    from pecdns import _dnssec, _limits, _models  # noqa: PLC0415

    names: dict[str, Any] = {"date": dt.date, "datetime": dt.datetime, "timedelta": dt.timedelta}
    for module in (_models, _limits, _dnssec):
        names.update({k: v for k, v in vars(module).items() if isinstance(v, type)})
    names.update({k: v for k, v in vars(pecdns).items() if isinstance(v, type)})
    return names


@functools.cache
def _fields(cls: type[Any]) -> tuple[tuple[str, str, Any, bool], ...]:
    """(attribute, key, resolved type, has a default) for every init field of ``cls``."""
    try:
        hints = typing.get_type_hints(cls, localns=_namespace())
    except NameError as exc:
        raise TypeError(
            f"cannot serialise {cls.__name__}: a type hint is unresolved ({exc})"
        ) from None
    found = []
    for f in attrs.fields(cls):
        if not f.init:
            continue
        key = f.alias or f.name.lstrip("_")
        found.append((f.name, key, hints[f.name], f.default is not attrs.NOTHING))
    return tuple(found)


def _members(hint: Any) -> tuple[Any, ...] | None:  # noqa: ANN401 -- a type hint
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(hint)
    return None


# Each hint is compiled once into a function, so a portfolio of 100,000 certifications
# pays for the walk of its types once, not once a value.
_Encode = typing.Callable[[Any], Any]
_Decode = typing.Callable[[Any], Any]


class _Bad(Exception):  # noqa: N818 -- internal: becomes a DataFormatError with its place
    """A value that cannot be read, and where it sits (filled in on the way out)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[str] = []


def _identity(value: Any) -> Any:  # noqa: ANN401 -- any JSON scalar
    return value


def _none(_: object) -> None:
    return None


@functools.cache
def _encoder(hint: Any) -> _Encode:  # noqa: ANN401, C901, PLR0911 -- one branch per kind of hint
    members = _members(hint)
    if members is not None:
        kinds = [m for m in members if m is not _NONE]
        if len(kinds) == 1:
            inner = _encoder(kinds[0])
            return lambda v: None if v is None else inner(v)
        tagged = [(typing.get_origin(k) or k, k.__name__, _encoder(k)) for k in kinds]

        def union(value: Any) -> Any:  # noqa: ANN401 -- a member of the union
            if value is None:
                return None
            _, name, encode = next(t for t in tagged if isinstance(value, t[0]))
            return {"type": name, "value": encode(value)}

        return union
    if hint is _NONE or hint is None:
        return _none
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _encoder(args[0])
            return lambda v: [item(x) for x in v]
        items = [_encoder(a) for a in args]
        return lambda v: [encode(x) for encode, x in zip(items, v, strict=True)]
    if hint in _SCALARS:
        return _identity
    for table in (_LEAVES, _FORMS, _NESTED):
        if hint in table:
            return table[hint][0]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return lambda v: v.value
    if attrs.has(hint):
        fields = [(name, key, _encoder(t)) for name, key, t, _ in _fields(hint)]
        return lambda v: {key: encode(getattr(v, name)) for name, key, encode in fields}
    raise TypeError(f"pecdns cannot serialise a value of type {hint!r}")


def _scalar(hint: type[Any]) -> _Decode:
    def scalar(value: object) -> object:
        if type(value) is hint or (hint is float and type(value) is int):
            return value
        raise _Bad(f"expected {hint.__name__}, found {value!r:.60}")

    return scalar


def _guarded(read: typing.Callable[[Any], Any]) -> _Decode:
    """A leaf reader whose errors become a _Bad with the reason."""

    def leaf(value: Any) -> Any:  # noqa: ANN401 -- JSON data
        try:
            return read(value)
        except DataFormatError as exc:
            raise _Bad(str(exc)) from None
        except (TypeError, ValueError, KeyError) as exc:
            raise _Bad(_reason(exc)) from None

    return leaf


@functools.cache
def _decoder(hint: Any) -> _Decode:  # noqa: ANN401, C901, PLR0911 -- one branch per kind of hint
    members = _members(hint)
    if members is not None:
        kinds = [m for m in members if m is not _NONE]
        if len(kinds) == 1:
            inner = _decoder(kinds[0])
            return lambda v: None if v is None else inner(v)
        by_name = {getattr(k, "__name__", repr(k)): _decoder(k) for k in kinds}

        def union(value: Any) -> Any:  # noqa: ANN401 -- JSON data
            if value is None and _NONE in members:
                return None
            if not isinstance(value, dict) or set(value) != {"type", "value"}:
                raise _Bad(f"expected {{'type': ..., 'value': ...}}, found {value!r:.60}")
            decode = by_name.get(value["type"])
            if decode is None:
                raise _Bad(f"unknown type {value['type']!r}")
            return decode(value["value"])

        return union
    if hint is _NONE or hint is None:

        def null(value: Any) -> None:  # noqa: ANN401 -- JSON data
            if value is not None:
                raise _Bad(f"expected null, found {value!r:.60}")

        return null
    if typing.get_origin(hint) is tuple:
        return _tuple_decoder(typing.get_args(hint))
    if hint in _SCALARS:
        return _scalar(hint)
    for table in (_LEAVES, _FORMS, _NESTED):
        if hint in table:
            return _guarded(table[hint][1])
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _guarded(hint)
    if attrs.has(hint):
        return _attrs_decoder(hint)
    raise TypeError(f"pecdns cannot read a value of type {hint!r}")


def _tuple_decoder(args: tuple[Any, ...]) -> _Decode:
    variadic = len(args) == 2 and args[1] is Ellipsis
    items = [_decoder(a) for a in (args[:1] if variadic else args)]

    def read(value: Any) -> tuple[Any, ...]:  # noqa: ANN401 -- JSON data
        if not isinstance(value, list):
            raise _Bad(f"expected a list, found {value!r:.60}")
        if not variadic and len(value) != len(items):
            raise _Bad(f"expected {len(items)} items, found {len(value)}")
        decoders = itertools.repeat(items[0]) if variadic else items
        out = []
        for i, (decode, x) in enumerate(zip(decoders, value)):  # noqa: B905 -- lengths checked above
            try:
                out.append(decode(x))
            except _Bad as bad:  # noqa: PERF203 -- free in 3.11 unless raised: the error path
                bad.path.insert(0, f"[{i}]")
                raise
        return tuple(out)

    return read


def _attrs_decoder(cls: type[Any]) -> _Decode:
    fields = [(key, _decoder(t), default) for _, key, t, default in _fields(cls)]  # type: ignore[arg-type] # a class is hashable
    known = {key for key, _, _ in fields} | {"schema"}

    def read(value: Any) -> Any:  # noqa: ANN401 -- JSON data
        if not isinstance(value, dict):
            raise _Bad(f"a {cls.__name__} is a JSON object, not {value!r:.60}")
        if not known.issuperset(value):
            unknown = ", ".join(map(repr, sorted(set(value) - known)))
            raise _Bad(
                f"{cls.__name__} has no field {unknown}; the data was written by a newer"
                " pecdns, or is not a pecdns model: upgrade pecdns to read it"
            )
        kwargs = {}
        for key, decode, has_default in fields:
            if key not in value:
                if has_default:
                    continue
                raise _Bad(f"the field {key!r} of {cls.__name__} is missing")
            try:
                kwargs[key] = decode(value[key])
            except _Bad as bad:
                bad.path.insert(0, f".{key}")
                raise
        try:
            return cls(**kwargs)
        except (PecdnsError, TypeError, ValueError) as exc:
            raise _Bad(f"not a valid {cls.__name__}: {exc}") from None

    return read


def _encode(value: Any, hint: Any) -> Any:  # noqa: ANN401 -- a value and its type hint
    return _encoder(hint)(value)


def _decode(hint: Any, data: Any, where: str) -> Any:  # noqa: ANN401 -- a type hint and JSON data
    try:
        return _decoder(hint)(data)
    except _Bad as bad:
        raise DataFormatError(f"{where}{''.join(bad.path)}: {bad.message}") from None


def to_dict(value: Any) -> dict[str, Any]:  # noqa: ANN401 -- any pecdns model
    """A model as JSON-ready data (dicts, lists, text, numbers), with its ``schema`` key.

    Reports and invalid inputs take their published form, ``pecdns.report.v1``
    (as ``Report.to_dict``); every other model a form of its own fields,
    ``pecdns.<model>.v1``. :func:`from_dict` reads either back.

    Raises:
        TypeError: ``value`` is not an attrs model pecdns can serialise.

    >>> from datetime import date
    >>> from pecdns import Certification
    >>> to_dict(Certification("example.it", date(2026, 3, 3)))["schema"]
    'pecdns.certification.v1'
    """
    cls = type(value)
    if cls in _FORMS:
        data: dict[str, Any] = _FORMS[cls][0](value)
        return data
    if not attrs.has(cls):
        raise TypeError(f"to_dict takes a pecdns model, not {cls.__name__}")
    return {"schema": schema_name(cls), **_encode(value, cls)}


def from_dict(cls: type[T], data: Any) -> T:  # noqa: ANN401 -- JSON data, checked here
    """Read back what :func:`to_dict` wrote for a model of class ``cls``.

    Raises:
        DataFormatError: the data is another model's, from a newer pecdns, or
            not what pecdns writes; the message says which.

    >>> from datetime import date
    >>> from pecdns import Certification
    >>> cert = Certification("example.it", date(2026, 3, 3))
    >>> from_dict(Certification, to_dict(cert)) == cert
    True
    """
    if cls in _FORMS:
        result: T = _FORMS[cls][1](data)
        return result
    if not attrs.has(cls):
        raise TypeError(f"from_dict reads a pecdns model, not {cls.__name__}")
    if not isinstance(data, dict):
        raise DataFormatError(f"a {cls.__name__} is a JSON object, not {type(data).__name__}")
    expected = schema_name(cls)
    if data.get("schema") != expected:
        raise DataFormatError(_wrong_schema(cls.__name__, expected, data.get("schema")))
    return typing.cast("T", _decode(cls, data, cls.__name__))
