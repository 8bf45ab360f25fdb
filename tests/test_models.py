from __future__ import annotations

import attrs
import pytest

from pecdns import Domain, Finding, MXRecord, Severity, Verdict
from pecdns._models import HostLookup, Observation, canonical_rdata, codec_answer, safe_text
from pecdns.exceptions import InvalidRecordError
from pecdns.resolvers import Answer, Outcome, Query, RRType

# --- MXRecord -------------------------------------------------------------------


def test_mx_record_normalises_its_exchange() -> None:
    assert MXRecord(10, "MX.PEC.Aruba.it") == MXRecord(10, "mx.pec.aruba.it.")


def test_mx_record_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        MXRecord(10, "mx.pec.aruba.it.").preference = 20  # type: ignore[misc]


def test_mx_records_sort_by_preference_then_exchange() -> None:
    records = [MXRecord(20, "b.example."), MXRecord(10, "z.example."), MXRecord(10, "a.example.")]
    assert [str(r) for r in sorted(records)] == ["10 a.example.", "10 z.example.", "20 b.example."]


def test_null_mx_is_recognised() -> None:
    assert MXRecord(0, ".").is_null
    assert MXRecord.from_text("0 .").is_null
    assert not MXRecord(0, "mx.example.").is_null


@pytest.mark.parametrize("preference", [-1, 65536, 1.5, True, "10"])
def test_mx_preference_must_be_a_16_bit_integer(preference: object) -> None:
    with pytest.raises(InvalidRecordError, match="0 to 65535"):
        MXRecord(preference, "mx.example.")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "10", "mx.example.", "ten mx.example.", "10 a b"])
def test_mx_text_must_be_preference_and_exchange(text: str) -> None:
    with pytest.raises(InvalidRecordError, match="<preference> <exchange>"):
        MXRecord.from_text(text)


def test_mx_record_text_is_zone_file_data() -> None:
    assert str(MXRecord.from_text("10   MX.PEC.ARUBA.IT.")) == "10 mx.pec.aruba.it."


# --- Query and record data -------------------------------------------------------


def test_query_normalises_name_and_type() -> None:
    query = Query("Pec.Example.It", "mx")
    assert (query.name, query.rdtype) == ("pec.example.it.", RRType.MX)
    assert str(query) == "pec.example.it. MX"


def test_query_refuses_an_unsupported_type() -> None:
    with pytest.raises(InvalidRecordError, match="unsupported record type 'TXT'"):
        Query("example.it", "TXT")


@pytest.mark.parametrize(
    ("rdtype", "text", "canonical"),
    [
        (RRType.A, " 192.0.2.1 ", "192.0.2.1"),
        (RRType.AAAA, "2001:DB8:0:0::1", "2001:db8::1"),
        (RRType.NS, "NS1.Example.NET", "ns1.example.net."),
        (RRType.CNAME, "Target.Example.", "target.example."),
        (RRType.MX, "10 MX.Example.", "10 mx.example."),
    ],
)
def test_record_data_is_canonicalised_per_type(rdtype: RRType, text: str, canonical: str) -> None:
    assert canonical_rdata(rdtype, text) == canonical


@pytest.mark.parametrize(
    ("rdtype", "text"), [(RRType.A, "2001:db8::1"), (RRType.AAAA, "192.0.2.1"), (RRType.A, "x")]
)
def test_address_data_must_match_its_type(rdtype: RRType, text: str) -> None:
    with pytest.raises(InvalidRecordError):
        canonical_rdata(rdtype, text)


@pytest.mark.parametrize("rdtype", [RRType.A, RRType.NS])
def test_record_data_that_is_not_text_is_refused_as_invalid(rdtype: RRType) -> None:
    with pytest.raises(InvalidRecordError, match="record data is text, not int"):
        canonical_rdata(rdtype, 10)  # type: ignore[arg-type]


# --- Answer ------------------------------------------------------------------------

MX_QUERY = Query("pec.example.it", RRType.MX)


def test_answer_canonicalises_records_whoever_built_it() -> None:
    answer = Answer(MX_QUERY, Outcome.ANSWER, ["20 B.example.", "10 A.example.", "10 a.example."])
    assert answer.records == ("10 a.example.", "20 b.example.")
    assert [str(r) for r in answer.mx] == ["10 a.example.", "20 b.example."]


def test_answers_with_the_same_rrset_in_another_order_are_equal() -> None:
    a = Answer(MX_QUERY, Outcome.ANSWER, ["5 z.example.", "10 a.example."])
    b = Answer(MX_QUERY, Outcome.ANSWER, ["10 a.example.", "5 z.example."])
    assert a == b
    assert a.records == ("5 z.example.", "10 a.example.")


def test_answer_outcome_must_agree_with_its_records() -> None:
    with pytest.raises(InvalidRecordError, match="ANSWER holds at least one"):
        Answer(MX_QUERY, Outcome.ANSWER)
    with pytest.raises(InvalidRecordError):
        Answer(MX_QUERY, Outcome.NODATA, ["10 mx.example."])


def test_aliases_given_as_one_str_are_refused_even_empty() -> None:
    with pytest.raises(InvalidRecordError, match="not the single str"):
        Answer(MX_QUERY, Outcome.NODATA, aliases="")


def test_mx_data_that_is_not_text_is_refused_as_invalid() -> None:
    with pytest.raises(InvalidRecordError, match="<preference> <exchange>"):
        Answer(MX_QUERY, Outcome.ANSWER, [["10", "mx.example."]])  # type: ignore[list-item]


def test_an_outcome_may_be_given_by_its_name() -> None:
    assert Answer(MX_QUERY, "NODATA").outcome is Outcome.NODATA


def test_equal_mx_data_gives_equal_answers_however_often_it_is_read() -> None:
    first = Answer(MX_QUERY, Outcome.ANSWER, ["10 MX.example."])
    again = Answer(MX_QUERY, Outcome.ANSWER, ["10 mx.example."])
    assert first == again
    assert first.mx == again.mx == (MXRecord(10, "mx.example."),)


def test_answer_records_must_be_a_sequence_not_a_str() -> None:
    with pytest.raises(InvalidRecordError, match="not the single str"):
        Answer(MX_QUERY, Outcome.ANSWER, "10 mx.example.")


def test_answer_target_is_the_end_of_the_cname_chain() -> None:
    answer = Answer(MX_QUERY, Outcome.NODATA, aliases=["a.example.", "B.example."])
    assert answer.target == "b.example."
    assert Answer(MX_QUERY, Outcome.NODATA).target == "pec.example.it."


def test_answer_text_shows_chain_and_data() -> None:
    answer = Answer(MX_QUERY, Outcome.ANSWER, ["10 mx.example."], aliases=["x.example."])
    assert str(answer) == "pec.example.it. MX -> x.example.: 10 mx.example."
    assert str(Answer(MX_QUERY, Outcome.NXDOMAIN)) == "pec.example.it. MX: NXDOMAIN"


def test_answer_detail_is_escaped() -> None:
    answer = Answer(MX_QUERY, Outcome.ERROR, detail="bad\n<script>\x00")
    assert answer.detail == "bad\\n<script>\\x00"
    assert answer.detail.isprintable()


def test_safe_text_leaves_printable_text_alone() -> None:
    assert safe_text("città: 10 mx.") == "città: 10 mx."


@pytest.mark.parametrize("outcome", list(Outcome))
def test_only_failures_are_failures(outcome: Outcome) -> None:
    failures = {Outcome.SERVFAIL, Outcome.REFUSED, Outcome.TIMEOUT, Outcome.ERROR}
    expected = outcome in failures | {Outcome.NOT_LOADED}
    assert outcome.is_failure is expected


def test_enums_print_as_their_names() -> None:
    assert (str(Outcome.NODATA), str(RRType.MX)) == ("NODATA", "MX")
    assert (str(Severity.ERROR), str(Verdict.UNDETERMINED)) == ("ERROR", "UNDETERMINED")


# --- Host look-ups and observations -----------------------------------------------------


def _answer(name: str, rdtype: RRType, *records: str) -> Answer:
    return Answer(Query(name, rdtype), Outcome.ANSWER if records else Outcome.NODATA, records)


def test_host_lookup_collects_addresses_of_both_families() -> None:
    lookup = HostLookup(
        "mx.example.",
        _answer("mx.example", RRType.A),
        _answer("mx.example", RRType.AAAA, "2001:db8::1"),
    )
    assert lookup.addresses == ("2001:db8::1",)
    assert len(lookup.answers) == 2


def test_observation_finds_a_host_and_lists_every_answer() -> None:
    a = _answer("mx.example", RRType.A, "192.0.2.1")
    obs = Observation(
        domain=Domain("example.it"),
        pec_name="pec.example.it.",
        pec_mx=_answer("pec.example.it", RRType.MX, "10 mx.example."),
        domain_mx=_answer("example.it", RRType.MX),
        domain_ns=_answer("example.it", RRType.NS),
        pec_ns=_answer("pec.example.it", RRType.NS),
        hosts=(HostLookup("mx.example.", a),),
    )
    assert obs.host("mx.example.") == HostLookup("mx.example.", a)
    assert obs.host("other.example.") is None
    assert obs.answers[-1] == a
    assert len(obs.answers) == 5


# --- Findings ------------------------------------------------------------------------


def test_finding_text_names_severity_code_and_clause() -> None:
    finding = Finding("MX_MISSING", Severity.ERROR, "P6.2", "pec.example.it has no MX record.")
    assert str(finding) == "ERROR MX_MISSING (P6.2): pec.example.it has no MX record."


def test_finding_text_without_clause() -> None:
    finding = Finding("MX_TARGET_CNAME", Severity.ERROR, None, "x.")
    assert str(finding) == "ERROR MX_TARGET_CNAME: x."


# --- Server-directed questions and referrals ------------------------------------------


def test_a_query_may_name_its_server_by_address() -> None:
    query = Query("pec.example.it", "MX", server=" 2001:DB8::53 ")
    assert query.server == "2001:db8::53"
    assert str(query) == "pec.example.it. MX @2001:db8::53"


def test_a_query_server_must_be_an_address() -> None:
    with pytest.raises(InvalidRecordError, match="a server is an IP address"):
        Query("pec.example.it", "MX", server="ns1.example.net")


def test_a_referral_names_its_zone_servers_and_glue() -> None:
    referral = Answer(
        MX_QUERY,
        Outcome.REFERRAL,
        zone="PEC.example.it",
        referral=["NS.pec.example.it"],
        glue=[("ns.pec.example.it", "192.0.2.53")],
    )
    assert referral.zone == "pec.example.it."
    assert referral.glue == (("ns.pec.example.it.", "192.0.2.53"),)
    assert str(referral) == "pec.example.it. MX: REFERRAL to ns.pec.example.it."


def test_only_a_referral_names_servers() -> None:
    with pytest.raises(InvalidRecordError, match="REFERRAL lists at least one"):
        Answer(MX_QUERY, Outcome.REFERRAL)
    with pytest.raises(InvalidRecordError, match="REFERRAL lists at least one"):
        Answer(MX_QUERY, Outcome.NODATA, referral=["ns.example."])


def test_an_answer_reached_without_edns_keeps_why_through_json() -> None:
    answer = Answer(
        Query("pec.example.it", "MX", server="192.0.2.53"),
        Outcome.ANSWER,
        ["10 mx.pec.aruba.it."],
        server="192.0.2.53#53",
        edns_fallback="FORMERR without an OPT record: the server does not implement EDNS",
    )
    again = Answer.from_dict(answer.to_dict())
    assert again == answer
    assert again.edns_fallback.startswith("FORMERR")
    older = {k: v for k, v in answer.to_dict().items() if k != "edns_fallback"}
    assert Answer.from_dict(older).edns_fallback == ""  # JSON written before the field


MOVED = Answer(
    MX_QUERY,
    Outcome.ANSWER,
    ["10 mx.pec.aruba.it."],
    aliases=["pec.new.it."],
    dnames=[("Example.IT", "new.it")],
)
"""pec.example.it, an alias of pec.new.it by the DNAME at example.it (RFC 6672)."""


def test_the_dnames_of_an_answer_are_canonical_pairs_each_once() -> None:
    twice = attrs.evolve(MOVED, dnames=[("example.it.", "new.it."), ("EXAMPLE.it", "New.It.")])
    assert twice.dnames == (("example.it.", "new.it."),)


def test_an_answer_with_dnames_keeps_them_through_json() -> None:
    data = MOVED.to_dict()
    assert data["dnames"] == [["example.it.", "new.it."]]
    assert Answer.from_dict(data) == MOVED


def test_an_answer_written_before_dnames_reads_back_without_them() -> None:
    older = {k: v for k, v in MOVED.to_dict().items() if k != "dnames"}
    assert Answer.from_dict(older).dnames == ()


@pytest.mark.parametrize(
    "dnames",
    ["example.it.", [("example.it.",)], ["example.it.new.it"], [("example.it.", 7)]],
    ids=["one str", "one name", "a str for a pair", "no name"],
)
def test_dnames_that_are_not_pairs_of_names_are_refused(dnames: object) -> None:
    with pytest.raises(InvalidRecordError):
        attrs.evolve(MOVED, dnames=dnames)  # type: ignore[arg-type]


def test_the_dname_above_the_question_made_its_alias() -> None:
    assert MOVED.redirected_by == ("example.it.", "new.it.")


def test_a_dname_further_down_the_chain_did_not_make_the_questions_alias() -> None:
    chained = attrs.evolve(
        MOVED, aliases=["pec.old.it.", "pec.new.it."], dnames=[("old.it.", "new.it.")]
    )
    assert chained.redirected_by is None


def test_a_dname_at_the_question_itself_redirects_only_the_names_below_it() -> None:
    assert attrs.evolve(MOVED, dnames=[("pec.example.it.", "new.it.")]).redirected_by is None


def test_an_answer_without_dnames_was_made_by_none() -> None:
    assert attrs.evolve(MOVED, dnames=()).redirected_by is None


def test_codec_answer_is_the_answer_init_makes_of_canonical_values() -> None:
    query = Query("pec.a.it", "MX", server="192.0.2.1")
    made = codec_answer(
        query, Outcome.ANSWER, ("20 b.it.", "10 a.it."), server="192.0.2.1#53", ttl=60
    )
    expected = Answer(
        query, Outcome.ANSWER, ["20 b.it.", "10 a.it."], server="192.0.2.1#53", ttl=60
    )
    assert made == expected
    assert (made.records, made.mx, made.ttl) == (expected.records, expected.mx, expected.ttl)


def test_codec_answer_writes_glue_addresses_as_python_does() -> None:
    # inet_ntop writes ::c000:201 as "::192.0.2.1"; pecdns keeps Python's text.
    query = Query("pec.a.it", "MX", server="192.0.2.1")
    made = codec_answer(
        query,
        Outcome.REFERRAL,
        zone="pec.a.it.",
        referral=("ns.pec.a.it.",),
        glue=(("ns.pec.a.it.", "::192.0.2.1"),),
    )
    assert made.glue == (("ns.pec.a.it.", "::c000:201"),)
    assert made == Answer(
        query,
        Outcome.REFERRAL,
        zone="pec.a.it.",
        referral=["ns.pec.a.it."],
        glue=[("ns.pec.a.it.", "::192.0.2.1")],
    )


def test_mx_data_that_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidRecordError, match="MX data must be"):
        Answer(Query("pec.a.it", "MX"), Outcome.ANSWER, [10])  # type: ignore[list-item]


def test_answers_with_the_same_mx_record_share_its_text() -> None:
    # One string for the provider's MX in every answer of a batch, not one each.
    first = Answer(Query("pec.a.it", "MX"), Outcome.ANSWER, ["10 mx.pec.aruba.it."])
    second = Answer(Query("pec.b.it", "MX"), Outcome.ANSWER, ["10 MX.pec.aruba.it"])
    assert first.records[0] is second.records[0]


def test_equal_mx_records_of_one_answer_are_one() -> None:
    answer = Answer(Query("pec.a.it", "MX"), Outcome.ANSWER, ["10 A.it", "10 a.it.", "5 b.it."])
    assert answer.records == ("5 b.it.", "10 a.it.")
