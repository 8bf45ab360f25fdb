"""Pickling the models: equal objects back, cheaply (worker processes send every report)."""

from __future__ import annotations

import copy
import enum
import pickle
from datetime import datetime, timezone

import attrs
import pytest

from pecdns import Domain, check
from pecdns._dnssec import DnssecState, DnssecStatus
from pecdns._models import Answer, MXRecord, Outcome, Query, RRType, Severity, Verdict
from pecdns._reduce import _restore, by_name, fast_pickle, replaced
from pecdns.testing import FakeDNS


def _again(value: object) -> object:
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301 -- our own bytes


def test_a_report_comes_back_equal_field_for_field() -> None:
    report = check("a.it", resolver=FakeDNS().compliant("a.it"))
    copy = _again(report)
    assert copy == report
    assert isinstance(copy, type(report))
    assert copy.to_dict() == report.to_dict()


def test_an_answer_keeps_its_parsed_mx_records() -> None:
    answer = Answer(Query("pec.a.it", "MX"), Outcome.ANSWER, ["20 b.it.", "10 a.it."])
    copy = _again(answer)
    assert copy.mx == answer.mx == (MXRecord(10, "a.it."), MXRecord(20, "b.it."))  # type: ignore[attr-defined]


def test_an_answer_keeps_its_dnames() -> None:
    answer = Answer(
        Query("pec.a.it", "MX"), Outcome.NODATA, aliases=["pec.b.it"], dnames=[("a.it", "b.it")]
    )
    copy = _again(answer)
    assert copy == answer
    assert copy.dnames == (("a.it.", "b.it."),)
    assert copy.redirected_by == ("a.it.", "b.it.")


def test_a_query_hashes_alike_after_a_round_trip() -> None:
    query = Query("pec.a.it", "MX", server="192.0.2.1")
    hash(query)  # its hash is cached: the copy must not carry a stale or missing one
    copy = _again(query)
    assert copy == query
    assert hash(copy) == hash(query)
    assert {copy: 1}[query] == 1


def test_models_that_are_not_in_a_fake_report_round_trip_too() -> None:
    state = DnssecState(
        DnssecStatus.SECURE,
        "secure",
        "MX pec.a.it.",
        "ok",
        (".",),
        datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    domain = Domain("faß.it", private=True)
    assert _again(state) == state
    copy = _again(domain)
    assert copy == domain
    assert isinstance(copy, Domain)
    assert copy.private


@pytest.mark.parametrize(
    "member",
    [RRType.AAAA, Outcome.NXDOMAIN, Severity.WARNING, Verdict.UNDETERMINED, DnssecStatus.BOGUS],
)
def test_enum_members_come_back_as_themselves(member: object) -> None:
    assert _again(member) is member


@fast_pickle
@attrs.frozen
class _One:
    only: int


@by_name
class _Colour(enum.Enum):
    VALUE = "name"  # a name that is not its value


def test_a_class_of_one_field_and_an_enum_named_apart_from_its_values_round_trip() -> None:
    assert _again(_One(3)) == _One(3)
    assert _again(_Colour.VALUE) is _Colour.VALUE


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_report_round_trips_at_every_pickle_protocol(protocol: int) -> None:
    # Protocols below 4 name the restoring function through getattr on its class.
    report = check("a.it", resolver=FakeDNS().compliant("a.it"))
    assert pickle.loads(pickle.dumps(report, protocol=protocol)) == report  # noqa: S301 -- our own bytes


def test_copy_and_deepcopy_give_equal_reports() -> None:
    report = check("a.it", resolver=FakeDNS().compliant("a.it"))
    assert copy.copy(report) == report
    assert copy.deepcopy(report) == report


_MADE: list[int] = []


@fast_pickle
@attrs.frozen
class _Counted:
    value: int

    def __attrs_post_init__(self) -> None:
        _MADE.append(self.value)


def test_unpickling_does_not_run_init_again() -> None:
    made = _Counted(7)
    _MADE.clear()
    copy_ = _again(made)
    assert copy_ == made
    assert _MADE == []


def test_a_pickle_of_an_earlier_version_still_loads() -> None:
    # Earlier versions pickled a model as _restore(class, field names, values).
    query = Query("pec.a.it", "MX", server="192.0.2.1")
    names = tuple(field.name for field in attrs.fields(Query))
    old = pickle.dumps(
        _OldFormat(
            Query, (*names, "_attrs_cached_hash"), (*attrs.astuple(query, recurse=False), None)
        )
    )
    copy_ = pickle.loads(old)  # noqa: S301 -- our own bytes
    assert copy_ == query
    assert hash(copy_) == hash(query)


@attrs.frozen
class _OldFormat:
    cls: type
    names: tuple[str, ...]
    values: tuple[object, ...]

    def __reduce__(self) -> tuple[object, ...]:
        return _restore, (self.cls, self.names, self.values)


def test_replaced_is_evolve_for_an_observation() -> None:
    report = check("a.it", resolver=FakeDNS().compliant("a.it"))
    obs = report.observation
    again = replaced(obs, queries=obs.queries + 3, dnssec=None)
    assert again == attrs.evolve(obs, queries=obs.queries + 3, dnssec=None)
    assert again.queries == obs.queries + 3  # not compared by ==
    assert again.pec_mx is obs.pec_mx


def test_replaced_drops_a_cached_hash() -> None:
    query = Query("pec.a.it", "MX")
    hash(query)
    moved = replaced(query, server="192.0.2.1")
    assert hash(moved) == hash(Query("pec.a.it", "MX", server="192.0.2.1"))


def test_replaced_refuses_a_name_that_is_no_field() -> None:
    with pytest.raises(TypeError, match="no field 'colour'"):
        replaced(MXRecord(10, "a.it"), colour="red")
