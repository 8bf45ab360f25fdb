from __future__ import annotations

import pytest

from pecdns.exceptions import InvalidRecordError
from pecdns.resolvers import Answer, Outcome, Query, Resolver
from pecdns.testing import FakeResolver

MX = Query("pec.example.it", "MX")


def test_fake_is_a_resolver() -> None:
    assert isinstance(FakeResolver({}), Resolver)


def test_present_name_and_type_is_an_answer() -> None:
    fake = FakeResolver({"pec.example.it": {"MX": ["10 mx.pec.aruba.it."]}})
    answer = fake.resolve(MX)
    assert answer.outcome is Outcome.ANSWER
    assert answer.records == ("10 mx.pec.aruba.it.",)


def test_a_single_record_needs_no_list() -> None:
    assert FakeResolver({"pec.example.it": {"MX": "10 mx.pec.aruba.it."}}).resolve(MX).records


def test_absent_name_is_nxdomain() -> None:
    assert (
        FakeResolver({"other.example": {"A": "192.0.2.1"}}).resolve(MX).outcome is Outcome.NXDOMAIN
    )


def test_absent_name_with_a_name_below_it_is_nodata() -> None:
    fake = FakeResolver({"www.pec.example.it": {"A": "192.0.2.1"}})
    assert fake.resolve(MX).outcome is Outcome.NODATA


def test_present_name_without_the_type_is_nodata() -> None:
    fake = FakeResolver({"pec.example.it": {"A": "192.0.2.1"}})
    assert fake.resolve(MX).outcome is Outcome.NODATA


def test_empty_record_list_is_nodata() -> None:
    assert FakeResolver({"pec.example.it": {"MX": []}}).resolve(MX).outcome is Outcome.NODATA


@pytest.mark.parametrize(
    "outcome", [Outcome.SERVFAIL, Outcome.REFUSED, Outcome.TIMEOUT, Outcome.NXDOMAIN, Outcome.ERROR]
)
def test_failures_are_simulated_per_name_and_type(outcome: Outcome) -> None:
    fake = FakeResolver({"pec.example.it": {"MX": outcome, "A": "192.0.2.1"}})
    assert fake.resolve(MX).outcome is outcome
    assert fake.resolve(Query("pec.example.it", "A")).outcome is Outcome.ANSWER


def test_failures_are_simulated_for_every_type_of_a_name() -> None:
    fake = FakeResolver({"pec.example.it": Outcome.TIMEOUT})
    assert fake.resolve(MX).outcome is Outcome.TIMEOUT
    assert fake.resolve(Query("pec.example.it", "NS")).outcome is Outcome.TIMEOUT


def test_cname_is_followed_and_recorded() -> None:
    fake = FakeResolver(
        {
            "pec.example.it": {"CNAME": "a.example."},
            "a.example": {"CNAME": "b.example."},
            "b.example": {"MX": "10 mx.pec.aruba.it."},
        }
    )
    answer = fake.resolve(MX)
    assert answer.aliases == ("a.example.", "b.example.")
    assert answer.records == ("10 mx.pec.aruba.it.",)


def test_cname_query_returns_the_cname_itself() -> None:
    fake = FakeResolver({"pec.example.it": {"CNAME": "a.example."}})
    answer = fake.resolve(Query("pec.example.it", "CNAME"))
    assert (answer.records, answer.aliases) == (("a.example.",), ())


def test_cname_to_nowhere_is_nxdomain_with_the_chain() -> None:
    answer = FakeResolver({"pec.example.it": {"CNAME": "gone.example."}}).resolve(MX)
    assert (answer.outcome, answer.aliases) == (Outcome.NXDOMAIN, ("gone.example.",))


def test_cname_loop_is_a_servfail() -> None:
    fake = FakeResolver(
        {"a.example": {"CNAME": "b.example."}, "b.example": {"CNAME": "a.example."}}
    )
    answer = fake.resolve(Query("a.example", "A"))
    assert answer.outcome is Outcome.SERVFAIL
    assert "looping" in answer.detail


def test_failure_through_a_cname() -> None:
    fake = FakeResolver({"pec.example.it": {"CNAME": "a.example."}, "a.example": Outcome.REFUSED})
    assert fake.resolve(MX).outcome is Outcome.REFUSED


def test_names_are_case_blind_and_duplicates_refused() -> None:
    with pytest.raises(InvalidRecordError, match="given twice"):
        FakeResolver({"Pec.Example.It": {"A": "192.0.2.1"}, "pec.example.it.": {"A": "192.0.2.2"}})


def test_cname_cannot_stand_beside_other_data() -> None:
    with pytest.raises(InvalidRecordError, match="CNAME cannot stand beside"):
        FakeResolver({"pec.example.it": {"CNAME": "a.example.", "MX": "10 mx.example."}})


def test_a_name_has_one_cname_target() -> None:
    with pytest.raises(InvalidRecordError, match="one CNAME target"):
        FakeResolver({"pec.example.it": {"CNAME": ["a.example.", "b.example."]}})


def test_bad_record_data_names_the_owner_and_type() -> None:
    with pytest.raises(InvalidRecordError, match=r"pec\.example\.it\. MX"):
        FakeResolver({"pec.example.it": {"MX": "mx.pec.aruba.it."}})


def test_bad_node_value_is_refused() -> None:
    with pytest.raises(InvalidRecordError, match="mapping of record types"):
        FakeResolver({"pec.example.it": ["10 mx.example."]})  # type: ignore[dict-item]


def test_fake_needs_a_mapping_or_a_callable() -> None:
    with pytest.raises(TypeError, match="mapping or a callable"):
        FakeResolver(42)  # type: ignore[arg-type]


def test_handler_may_return_an_answer() -> None:
    fake = FakeResolver(lambda q: Answer(q, Outcome.NXDOMAIN))
    assert fake.resolve(MX).outcome is Outcome.NXDOMAIN


def test_handler_may_return_an_outcome() -> None:
    assert FakeResolver(lambda q: Outcome.TIMEOUT).resolve(MX).outcome is Outcome.TIMEOUT


def test_handler_may_return_records_or_none() -> None:
    fake = FakeResolver(lambda q: ["10 mx.pec.aruba.it."] if q.rdtype == "MX" else [])
    assert fake.resolve(MX).records == ("10 mx.pec.aruba.it.",)
    assert fake.resolve(Query("pec.example.it", "A")).outcome is Outcome.NODATA


def test_every_query_is_recorded_in_order() -> None:
    fake = FakeResolver({})
    fake.resolve(MX)
    fake.resolve(Query("example.it", "NS"))
    assert fake.queries == [MX, Query("example.it", "NS")]


def test_a_fake_may_keep_no_questions_for_long_runs() -> None:
    fake = FakeResolver({"pec.example.it": {"MX": "10 mx.pec.aruba.it."}}, record=False)
    assert fake.resolve(MX).records == ("10 mx.pec.aruba.it.",)
    assert fake.queries == []


MOVED = {
    "old.it": {"DNAME": "new.it.", "MX": "10 mail.old.it."},
    "pec.new.it": {"MX": "10 mx.pec.aruba.it."},
}


def test_dname_redirects_the_names_below_its_owner() -> None:
    answer = FakeResolver(MOVED).resolve(Query("pec.old.it", "MX"))
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert answer.aliases == ("pec.new.it.",)


def test_dname_leaves_its_owner_alone() -> None:
    answer = FakeResolver(MOVED).resolve(Query("old.it", "MX"))
    assert answer.records == ("10 mail.old.it.",)
    assert answer.aliases == ()


def test_dname_to_a_missing_name_is_nxdomain_with_the_chain() -> None:
    answer = FakeResolver(MOVED).resolve(Query("www.old.it", "A"))
    assert answer.outcome is Outcome.NXDOMAIN
    assert answer.aliases == ("www.new.it.",)


def test_cname_question_below_a_dname_gets_the_synthesised_cname() -> None:
    answer = FakeResolver(MOVED).resolve(Query("pec.old.it", "CNAME"))
    assert answer.records == ("pec.new.it.",)


def test_dname_is_named_beside_the_alias_it_made() -> None:
    answer = FakeResolver(MOVED).resolve(Query("pec.old.it", "MX"))
    assert answer.dnames == (("old.it.", "new.it."),)
    assert answer.redirected_by == ("old.it.", "new.it.")


def test_dname_to_a_missing_name_is_named_beside_the_nxdomain() -> None:
    answer = FakeResolver(MOVED).resolve(Query("www.old.it", "A"))
    assert answer.dnames == (("old.it.", "new.it."),)


def test_cname_question_below_a_dname_names_the_dname() -> None:
    answer = FakeResolver(MOVED).resolve(Query("pec.old.it", "CNAME"))
    assert answer.dnames == (("old.it.", "new.it."),)


def test_dname_owner_answers_without_a_dname() -> None:
    assert FakeResolver(MOVED).resolve(Query("old.it", "MX")).dnames == ()


def test_a_cname_of_its_own_names_no_dname() -> None:
    fake = FakeResolver({"pec.a.it": {"CNAME": "pec.new.it."}, "pec.new.it": {"MX": "10 m.it."}})
    assert fake.resolve(Query("pec.a.it", "MX")).dnames == ()


def test_dname_making_a_name_too_long_is_an_error() -> None:
    target = ".".join(["a" * 62] * 3) + "." + "b" * 60 + ".it."
    answer = FakeResolver({"long.it": {"DNAME": target}}).resolve(Query("pec.long.it", "MX"))
    assert answer.outcome is Outcome.ERROR
    assert answer.detail.startswith("RCODE YXDOMAIN")
    assert answer.dnames == ()  # the DNAME synthesised no CNAME


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"d.it": {"DNAME": "a.it.", "CNAME": "b.it."}}, "CNAME cannot stand beside"),
        ({"d.it": {"DNAME": ["a.it.", "b.it."]}}, "a DNAME is one target name"),
        ({"d.it": {"DNAME": "a.it."}, "x.d.it": {"A": "192.0.2.1"}}, "names below it"),
    ],
    ids=["beside a CNAME", "two targets", "names below"],
)
def test_dname_data_a_zone_could_not_hold_is_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRecordError, match=message):
        FakeResolver(data)  # type: ignore[arg-type]


WILD = {"*.wild.it": {"MX": "10 mx.pec.aruba.it."}, "real.wild.it": {"A": "192.0.2.1"}}


def test_wildcard_answers_for_a_missing_name() -> None:
    answer = FakeResolver(WILD).resolve(Query("pec.wild.it", "MX"))
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert answer.query.name == "pec.wild.it."


def test_wildcard_answers_names_several_labels_below() -> None:
    assert FakeResolver(WILD).resolve(Query("a.b.wild.it", "MX")).outcome is Outcome.ANSWER


def test_wildcard_answers_no_name_that_exists() -> None:
    assert FakeResolver(WILD).resolve(Query("real.wild.it", "MX")).outcome is Outcome.NODATA


def test_wildcard_answers_nothing_below_a_name_that_exists() -> None:
    answer = FakeResolver(WILD).resolve(Query("x.real.wild.it", "MX"))
    assert answer.outcome is Outcome.NXDOMAIN


def test_wildcard_at_the_root_answers_every_missing_name() -> None:
    answer = FakeResolver({"*": {"A": "192.0.2.9"}}).resolve(Query("any.where.it", "A"))
    assert answer.records == ("192.0.2.9",)
