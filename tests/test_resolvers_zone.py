from __future__ import annotations

import re
from pathlib import Path

import pytest

import pecdns
from pecdns import InvalidRecordError, Verdict
from pecdns.resolvers import Answer, Outcome, Query, Resolver, ZoneResolver

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "zones"

EXAMPLE_IT = """
$ORIGIN example.it.
$TTL 3600
@            IN SOA   ns1.example.net. hostmaster.example.it. 1 3600 900 1209600 3600
@            IN NS    ns1.example.net.
pec          IN MX    10 mx.pec.aruba.it.
www          IN A     192.0.2.80
alias        IN CNAME www
provider     IN CNAME mx.pec.aruba.it.
outside      IN CNAME www.example.com.
loop1        IN CNAME loop2
loop2        IN CNAME loop1
a.b.deep     IN A     192.0.2.1
*.wild       IN MX    10 mx.pec.aruba.it.
real.wild    IN A     192.0.2.2
sub          IN NS    ns1.sub.example.it.
sub          IN NS    ns2.example.net.
ns1.sub      IN A     192.0.2.53
"""

ARUBA_IT = """
$ORIGIN aruba.it.
$TTL 3600
mx.pec       IN A     192.0.2.25
"""


def ask(resolver: Resolver, name: str, rdtype: str) -> Answer:
    return resolver.resolve(Query(name, rdtype))


@pytest.fixture
def zones() -> ZoneResolver:
    return ZoneResolver(EXAMPLE_IT, ARUBA_IT)


def test_zone_resolver_is_a_resolver(zones: ZoneResolver) -> None:
    assert isinstance(zones, Resolver)


def test_existing_name_with_the_type_is_an_authoritative_answer(zones: ZoneResolver) -> None:
    answer = ask(zones, "pec.example.it", "MX")
    assert answer.outcome is Outcome.ANSWER
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert answer.aliases == ()
    assert answer.authoritative is True
    assert answer.server == "zone:example.it."


def test_names_are_matched_without_regard_to_case() -> None:
    zones = ZoneResolver("$ORIGIN Example.IT.\n$TTL 60\nPEC IN MX 10 MX.PEC.ARUBA.IT.\n")
    assert ask(zones, "pec.example.it", "MX").records == ("10 mx.pec.aruba.it.",)


def test_existing_name_without_the_type_is_nodata(zones: ZoneResolver) -> None:
    answer = ask(zones, "www.example.it", "MX")
    assert answer.outcome is Outcome.NODATA
    assert answer.authoritative is True


def test_origin_without_records_is_nodata() -> None:
    zones = ZoneResolver(ARUBA_IT)
    assert ask(zones, "aruba.it", "NS").outcome is Outcome.NODATA


def test_missing_name_is_nxdomain(zones: ZoneResolver) -> None:
    answer = ask(zones, "nothing.example.it", "MX")
    assert answer.outcome is Outcome.NXDOMAIN
    assert answer.authoritative is True
    assert answer.server == "zone:example.it."


def test_empty_non_terminal_is_nodata(zones: ZoneResolver) -> None:
    assert ask(zones, "b.deep.example.it", "A").outcome is Outcome.NODATA
    assert ask(zones, "deep.example.it", "A").outcome is Outcome.NODATA


def test_cname_is_followed_within_a_zone(zones: ZoneResolver) -> None:
    answer = ask(zones, "alias.example.it", "A")
    assert answer.outcome is Outcome.ANSWER
    assert answer.records == ("192.0.2.80",)
    assert answer.aliases == ("www.example.it.",)


def test_cname_is_followed_into_another_loaded_zone(zones: ZoneResolver) -> None:
    answer = ask(zones, "provider.example.it", "A")
    assert answer.records == ("192.0.2.25",)
    assert answer.aliases == ("mx.pec.aruba.it.",)
    assert answer.server == "zone:aruba.it."


def test_cname_out_of_every_zone_is_refused_with_the_chain(zones: ZoneResolver) -> None:
    answer = ask(zones, "outside.example.it", "A")
    assert answer.outcome is Outcome.REFUSED
    assert answer.aliases == ("www.example.com.",)
    assert answer.detail == "no zone loaded for www.example.com."


def test_cname_question_gets_the_cname_itself(zones: ZoneResolver) -> None:
    answer = ask(zones, "alias.example.it", "CNAME")
    assert answer.records == ("www.example.it.",)
    assert answer.aliases == ()


def test_cname_loop_is_servfail(zones: ZoneResolver) -> None:
    answer = ask(zones, "loop1.example.it", "A")
    assert answer.outcome is Outcome.SERVFAIL
    assert answer.aliases == ("loop2.example.it.",)
    assert "CNAME loop" in answer.detail


def _chain(length: int) -> str:
    lines = [f"c{i} IN CNAME c{i + 1}" for i in range(length)]
    return "\n".join(["$ORIGIN chain.it.", "$TTL 60", *lines, f"c{length} IN A 192.0.2.9"])


def test_cname_chain_of_eight_is_followed() -> None:
    answer = ask(ZoneResolver(_chain(8)), "c0.chain.it", "A")
    assert answer.records == ("192.0.2.9",)
    assert len(answer.aliases) == 8


def test_cname_chain_over_eight_is_servfail() -> None:
    answer = ask(ZoneResolver(_chain(9)), "c0.chain.it", "A")
    assert answer.outcome is Outcome.SERVFAIL
    assert "longer than 8" in answer.detail


def test_wildcard_answers_a_missing_name_below_its_parent(zones: ZoneResolver) -> None:
    answer = ask(zones, "anything.wild.example.it", "MX")
    assert answer.outcome is Outcome.ANSWER
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert answer.query.name == "anything.wild.example.it."


def test_wildcard_answers_names_several_labels_below_it(zones: ZoneResolver) -> None:
    assert ask(zones, "a.b.wild.example.it", "MX").outcome is Outcome.ANSWER


def test_wildcard_without_the_type_is_nodata(zones: ZoneResolver) -> None:
    assert ask(zones, "anything.wild.example.it", "A").outcome is Outcome.NODATA


def test_wildcard_does_not_answer_an_existing_name(zones: ZoneResolver) -> None:
    assert ask(zones, "real.wild.example.it", "MX").outcome is Outcome.NODATA


def test_wildcard_does_not_answer_below_an_existing_name(zones: ZoneResolver) -> None:
    assert ask(zones, "x.real.wild.example.it", "MX").outcome is Outcome.NXDOMAIN


def test_ns_question_at_a_delegation_without_child_zone_is_not_authoritative(
    zones: ZoneResolver,
) -> None:
    answer = ask(zones, "sub.example.it", "NS")
    assert answer.outcome is Outcome.ANSWER
    assert answer.records == ("ns1.sub.example.it.", "ns2.example.net.")
    assert answer.authoritative is False
    assert answer.server == "zone:example.it."


def test_other_question_at_a_delegation_without_child_zone_is_servfail(
    zones: ZoneResolver,
) -> None:
    answer = ask(zones, "sub.example.it", "MX")
    assert answer.outcome is Outcome.SERVFAIL
    assert answer.detail == (
        "sub.example.it. is delegated to ns1.sub.example.it., ns2.example.net."
        " and no zone for it is loaded"
    )


def test_name_below_a_delegation_without_child_zone_is_servfail(zones: ZoneResolver) -> None:
    answer = ask(zones, "pec.sub.example.it", "MX")
    assert answer.outcome is Outcome.SERVFAIL
    assert "sub.example.it. is delegated" in answer.detail


def test_glue_below_a_delegation_is_not_answered(zones: ZoneResolver) -> None:
    assert ask(zones, "ns1.sub.example.it", "A").outcome is Outcome.SERVFAIL


def test_delegation_with_a_loaded_child_zone_is_answered_by_the_child() -> None:
    child = (
        "$ORIGIN sub.example.it.\n$TTL 60\n@ IN NS ns1.example.net.\n@ IN MX 10 mx.example.net.\n"
    )
    zones = ZoneResolver(EXAMPLE_IT, child)
    mx = ask(zones, "sub.example.it", "MX")
    assert mx.records == ("10 mx.example.net.",)
    assert mx.server == "zone:sub.example.it."
    ns = ask(zones, "sub.example.it", "NS")
    assert ns.records == ("ns1.example.net.",)
    assert ns.authoritative is True


def test_name_outside_every_zone_is_refused(zones: ZoneResolver) -> None:
    answer = ask(zones, "pec.example.com", "MX")
    assert answer.outcome is Outcome.REFUSED
    assert answer.detail == "no zone loaded for pec.example.com."
    assert answer.server is None


def test_parent_of_a_zone_is_outside_it(zones: ZoneResolver) -> None:
    assert ask(zones, "it", "NS").outcome is Outcome.REFUSED


def test_most_specific_zone_wins() -> None:
    parent = "$ORIGIN it.\n$TTL 60\npec.example IN MX 10 mail.example.net.\n"
    zones = ZoneResolver(parent, EXAMPLE_IT)
    answer = ask(zones, "pec.example.it", "MX")
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert answer.server == "zone:example.it."


def test_root_zone_can_be_loaded() -> None:
    zones = ZoneResolver("$ORIGIN .\n$TTL 60\nit. IN NS a.dns.it.\n")
    answer = ask(zones, "pec.example.it", "MX")
    assert answer.outcome is Outcome.SERVFAIL
    assert answer.server == "zone:."


def test_the_root_as_a_record_target_is_held_as_it_is() -> None:
    zones = ZoneResolver("$ORIGIN odd.it.\n$TTL 60\n@ IN NS .\n")
    answer = ask(zones, "odd.it", "NS")
    assert answer.records == (".",)


def test_zone_without_soa_or_ns_loads() -> None:
    assert ask(ZoneResolver(ARUBA_IT), "mx.pec.aruba.it", "A").records == ("192.0.2.25",)


def test_zone_with_only_an_origin_line_loads_empty() -> None:
    zones = ZoneResolver("$ORIGIN example.it.\n")
    assert zones.origins == ("example.it.",)
    assert ask(zones, "www.example.it", "A").outcome is Outcome.NXDOMAIN


def test_records_outside_the_origin_are_ignored() -> None:
    zones = ZoneResolver("$ORIGIN example.it.\n$TTL 60\nmx.pec.aruba.it. IN A 192.0.2.99\n")
    assert ask(zones, "mx.pec.aruba.it", "A").outcome is Outcome.REFUSED


def test_parse_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.it.zone"
    path.write_text(
        "$ORIGIN broken.it.\n$TTL 60\npec IN MX 10 mx.pec.aruba.it.\nwww IN A 300.1.1.1\n"
    )
    with pytest.raises(InvalidRecordError, match=rf"^{re.escape(str(path))}:4: "):
        ZoneResolver(path)


def test_record_cut_short_names_its_own_line_not_the_next() -> None:
    text = "$ORIGIN example.it.\n$TTL 60\npec IN MX 10\nwww IN A 192.0.2.1\n"
    with pytest.raises(InvalidRecordError, match=r"^<zone text 1>:3: "):
        ZoneResolver(text)


def test_file_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin.it.zone"
    path.write_bytes(b"$ORIGIN latin.it.\n; citt\xe0\n")
    with pytest.raises(InvalidRecordError, match="not UTF-8"):
        ZoneResolver(path)


def test_parse_error_in_zone_text_names_its_position() -> None:
    with pytest.raises(InvalidRecordError, match=r"^<zone text 2>:3: unknown rdatatype 'BOGUS'"):
        ZoneResolver(ARUBA_IT, "$ORIGIN bad.it.\n$TTL 60\nwww IN BOGUS x\n")


def test_cname_beside_other_records_is_rejected_with_its_line() -> None:
    text = (
        "$ORIGIN example.it.\n$TTL 60\npec IN CNAME x.example.net.\npec IN MX 10 mx.pec.aruba.it.\n"
    )
    with pytest.raises(
        InvalidRecordError, match=r"^<zone text 1>:4: pec\.example\.it\. has a CNAME"
    ):
        ZoneResolver(text)


def test_two_cnames_at_one_name_are_rejected() -> None:
    text = (
        "$ORIGIN example.it.\n$TTL 60\nwww IN CNAME a.example.net.\nwww IN CNAME b.example.net.\n"
    )
    with pytest.raises(InvalidRecordError, match="two CNAME records"):
        ZoneResolver(text)


def test_duplicate_origin_is_rejected() -> None:
    with pytest.raises(
        InvalidRecordError, match=r"<zone text 1> and <zone text 2> are both the zone aruba\.it\."
    ):
        ZoneResolver(ARUBA_IT, ARUBA_IT)


def test_file_without_origin_takes_it_from_its_name(tmp_path: Path) -> None:
    path = tmp_path / "example.it.zone"
    path.write_text("$TTL 60\npec IN MX 10 mx.pec.aruba.it.\n")
    zones = ZoneResolver(path)
    assert zones.origins == ("example.it.",)
    assert ask(zones, "pec.example.it", "MX").outcome is Outcome.ANSWER


def test_origin_line_wins_over_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "whatever.zone"
    path.write_text("$ORIGIN example.it.\n$TTL 60\npec IN MX 10 mx.pec.aruba.it.\n")
    assert ZoneResolver(path).origins == ("example.it.",)


def test_file_without_origin_or_zone_suffix_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "db.example"
    path.write_text("$TTL 60\npec IN MX 10 mx.pec.aruba.it.\n")
    with pytest.raises(InvalidRecordError, match="no \\$ORIGIN line"):
        ZoneResolver(path)


def test_file_name_that_is_no_domain_name_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "a..b.zone"
    path.write_text("$TTL 60\npec IN MX 10 mx.pec.aruba.it.\n")
    with pytest.raises(InvalidRecordError, match=rf"^{re.escape(str(path))}: "):
        ZoneResolver(path)


def test_text_without_origin_takes_the_origin_keyword() -> None:
    zones = ZoneResolver("$TTL 60\npec IN MX 10 mx.pec.aruba.it.\n", origin="example.it")
    assert zones.origins == ("example.it.",)


def test_text_without_origin_or_keyword_is_rejected() -> None:
    with pytest.raises(InvalidRecordError, match="<zone text 1>: no \\$ORIGIN line"):
        ZoneResolver("$TTL 60\npec IN MX 10 mx.pec.aruba.it.\n")


def test_str_naming_a_zone_file_hints_at_a_path() -> None:
    with pytest.raises(InvalidRecordError, match=r"pathlib\.Path"):
        ZoneResolver("examples/zones/aruba.it.zone")


def test_zone_that_is_neither_path_nor_text_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not bytes"):
        ZoneResolver(b"$ORIGIN example.it.\n")  # type: ignore[arg-type]


def test_from_directory_loads_every_zone_file_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.it.zone").write_text("$ORIGIN b.it.\n$TTL 60\nwww IN A 192.0.2.2\n")
    (tmp_path / "a.it.zone").write_text("$ORIGIN a.it.\n$TTL 60\nwww IN A 192.0.2.1\n")
    (tmp_path / "notes.txt").write_text("not a zone")
    zones = ZoneResolver.from_directory(tmp_path)
    assert zones.origins == ("a.it.", "b.it.")
    assert ask(zones, "www.b.it", "A").records == ("192.0.2.2",)


def test_from_directory_without_zone_files_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no \*\.zone files"):
        ZoneResolver.from_directory(tmp_path)


def test_repr_lists_the_origins(zones: ZoneResolver) -> None:
    assert repr(zones) == "ZoneResolver(origins=['example.it.', 'aruba.it.'])"


def test_missing_trailing_dot_appends_the_zone_origin() -> None:
    zones = ZoneResolver(EXAMPLES / "puntomancante.it.zone")
    answer = ask(zones, "pec.puntomancante.it", "MX")
    assert answer.records == ("10 mx.pec.aruba.it.puntomancante.it.",)


def test_missing_trailing_dot_in_a_pec_zone_appends_the_pec_name() -> None:
    zones = ZoneResolver("$ORIGIN pec.example.it.\n$TTL 60\n@ IN MX 10 mx.pec.aruba.it\n")
    answer = ask(zones, "pec.example.it", "MX")
    assert answer.records == ("10 mx.pec.aruba.it.pec.example.it.",)


@pytest.fixture(scope="module")
def examples() -> ZoneResolver:
    return ZoneResolver.from_directory(EXAMPLES)


@pytest.mark.parametrize(
    ("domain", "verdict", "codes"),
    [
        ("conforme.it", Verdict.COMPLIANT, ("MX_OK", "SETUP_EXTERNAL")),
        ("delegato.it", Verdict.COMPLIANT, ("MX_OK", "SETUP_DELEGATED")),
        ("sbagliato.it", Verdict.NON_COMPLIANT, ("MX_WRONG_HOST", "SETUP_EXTERNAL")),
        ("puntomancante.it", Verdict.NON_COMPLIANT, ("MX_TRAILING_DOT", "SETUP_EXTERNAL")),
        ("ibrido.it", Verdict.NON_COMPLIANT, ("MX_EXTRA_HOST", "MX_HYBRID", "SETUP_EXTERNAL")),
        (
            "secondolivello.it",
            Verdict.NON_COMPLIANT,
            ("PEC_NAME_NXDOMAIN", "MX_AT_REGISTRABLE", "SETUP_EXTERNAL"),
        ),
        ("senzamx.it", Verdict.NON_COMPLIANT, ("MX_MISSING", "SETUP_EXTERNAL")),
        ("nullmx.it", Verdict.NON_COMPLIANT, ("MX_NULL", "SETUP_EXTERNAL")),
    ],
)
def test_example_zone_gets_its_verdict(
    examples: ZoneResolver, domain: str, verdict: Verdict, codes: tuple[str, ...]
) -> None:
    report = pecdns.check(domain, resolver=examples)
    assert report.verdict is verdict
    assert report.codes() == codes


def test_example_delegation_is_answered_by_the_loaded_child_zone(examples: ZoneResolver) -> None:
    answer = ask(examples, "pec.delegato.it", "NS")
    assert answer.records == ("dns.technorail.com.", "dns2.technorail.com.")
    assert answer.server == "zone:pec.delegato.it."
    assert answer.authoritative is True
