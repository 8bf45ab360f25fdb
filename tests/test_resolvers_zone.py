from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import pecdns
from pecdns import InvalidRecordError, Verdict
from pecdns.resolvers import Answer, Outcome, Query, Resolver, ZoneResolver
from pecdns.testing import FakeResolver

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


def test_cname_out_of_every_zone_is_not_loaded_with_the_chain(zones: ZoneResolver) -> None:
    answer = ask(zones, "outside.example.it", "A")
    assert answer.outcome is Outcome.NOT_LOADED
    assert answer.aliases == ("www.example.com.",)
    assert answer.detail == "no zone loaded for www.example.com."
    assert answer.zone == "www.example.com."


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


def test_other_question_at_a_delegation_without_child_zone_is_not_loaded(
    zones: ZoneResolver,
) -> None:
    answer = ask(zones, "sub.example.it", "MX")
    assert answer.outcome is Outcome.NOT_LOADED
    assert answer.zone == "sub.example.it."
    assert answer.detail == (
        "no zone loaded for sub.example.it. (example.it. delegates it to"
        " ns1.sub.example.it., ns2.example.net.)"
    )
    assert answer.authoritative is None


def test_name_below_a_delegation_without_child_zone_is_not_loaded_for_the_cut(
    zones: ZoneResolver,
) -> None:
    answer = ask(zones, "pec.sub.example.it", "MX")
    assert answer.outcome is Outcome.NOT_LOADED
    assert answer.zone == "sub.example.it."
    assert answer.detail.startswith("no zone loaded for sub.example.it. ")


def test_glue_below_a_delegation_is_not_answered(zones: ZoneResolver) -> None:
    assert ask(zones, "ns1.sub.example.it", "A").outcome is Outcome.NOT_LOADED


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


def test_name_outside_every_zone_is_not_loaded_for_the_name_asked(zones: ZoneResolver) -> None:
    answer = ask(zones, "pec.example.com", "MX")
    assert answer.outcome is Outcome.NOT_LOADED
    assert answer.zone == "pec.example.com."
    assert answer.detail == "no zone loaded for pec.example.com."
    assert answer.server is None
    assert answer.authoritative is None


def test_parent_of_a_zone_is_outside_it(zones: ZoneResolver) -> None:
    assert ask(zones, "it", "NS").outcome is Outcome.NOT_LOADED


def test_most_specific_zone_wins() -> None:
    parent = "$ORIGIN it.\n$TTL 60\npec.example IN MX 10 mail.example.net.\n"
    zones = ZoneResolver(parent, EXAMPLE_IT)
    answer = ask(zones, "pec.example.it", "MX")
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert answer.server == "zone:example.it."


def test_root_zone_can_be_loaded() -> None:
    zones = ZoneResolver("$ORIGIN .\n$TTL 60\nit. IN NS a.dns.it.\n")
    answer = ask(zones, "pec.example.it", "MX")
    assert answer.outcome is Outcome.NOT_LOADED
    assert answer.zone == "it."
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
    assert ask(zones, "mx.pec.aruba.it", "A").outcome is Outcome.NOT_LOADED


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
        ("rinominato.it", Verdict.COMPLIANT, ("PEC_NAME_DNAME", "MX_OK", "SETUP_EXTERNAL")),
    ],
)
def test_example_zone_gets_its_verdict(
    examples: ZoneResolver, domain: str, verdict: Verdict, codes: tuple[str, ...]
) -> None:
    report = pecdns.check(domain, resolver=examples)
    assert report.verdict is verdict
    assert report.codes() == codes


@pytest.mark.parametrize(
    ("domain", "zone"),
    [("zonamancante.it", "pec.zonamancante.it"), ("assente.it", "pec.assente.it")],
    ids=["delegated PEC zone not loaded", "no zone at all"],
)
def test_example_without_its_zone_is_undetermined_and_names_the_zone(
    examples: ZoneResolver, domain: str, zone: str
) -> None:
    report = pecdns.check(domain, resolver=examples)
    assert report.verdict is Verdict.UNDETERMINED, str(report)
    missing = [f for f in report.findings if f.code == "ZONE_NOT_LOADED"]
    assert missing, str(report)
    assert zone in missing[0].message
    assert not {"LAME_DELEGATION", "PEC_NAME_UNREACHABLE"} & set(report.codes())


def test_example_delegation_is_answered_by_the_loaded_child_zone(examples: ZoneResolver) -> None:
    answer = ask(examples, "pec.delegato.it", "NS")
    assert answer.records == ("dns.technorail.com.", "dns2.technorail.com.")
    assert answer.server == "zone:pec.delegato.it."
    assert answer.authoritative is True


# -- DNAME (RFC 6672), answered as NSD and Knot answer it --------------------------------------

NEW_IT = """
$ORIGIN new.it.
$TTL 60
@            IN NS    ns1.example.net.
pec          IN MX    10 mx.pec.aruba.it.
x.pec        IN MX    10 mx.pec.aruba.it.
"""


def _dname(origin: str, body: str) -> str:
    return f"$ORIGIN {origin}.\n$TTL 60\n@ IN NS ns1.example.net.\n{body}"


def test_dname_at_the_apex_redirects_the_names_below_it() -> None:
    zones = ZoneResolver(_dname("old.it", "@ IN DNAME new.it.\n"), NEW_IT)
    answer = ask(zones, "pec.old.it", "MX")
    assert answer.outcome is Outcome.ANSWER
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert answer.aliases == ("pec.new.it.",)
    assert answer.server == "zone:new.it."


def test_dname_at_the_apex_is_named_beside_the_alias_it_made() -> None:
    answer = ask(ZoneResolver(_dname("old.it", "@ IN DNAME new.it.\n"), NEW_IT), "pec.old.it", "MX")
    assert answer.dnames == (("old.it.", "new.it."),)
    assert answer.redirected_by == ("old.it.", "new.it.")


def test_dname_leaves_its_own_owner_alone() -> None:
    zones = ZoneResolver(_dname("old.it", "@ IN DNAME new.it.\n@ IN MX 10 mail.old.it.\n"), NEW_IT)
    mx = ask(zones, "old.it", "MX")
    assert mx.records == ("10 mail.old.it.",)
    assert mx.aliases == ()
    assert ask(zones, "old.it", "NS").records == ("ns1.example.net.",)


def test_dname_at_the_pec_name_does_not_redirect_the_pec_name() -> None:
    zones = ZoneResolver(_dname("d.it", "pec IN DNAME new.it.\n"), NEW_IT)
    answer = ask(zones, "pec.d.it", "MX")
    assert answer.outcome is Outcome.NODATA
    assert answer.aliases == ()


def test_dname_at_the_pec_name_redirects_the_names_below_it() -> None:
    zones = ZoneResolver(_dname("d.it", "pec IN DNAME new.it.\n"), NEW_IT)
    answer = ask(zones, "x.pec.d.it", "MX")
    assert answer.aliases == ("x.new.it.",)
    assert answer.outcome is Outcome.NXDOMAIN


def test_dname_beside_an_mx_at_its_owner_answers_the_mx() -> None:
    body = "pec IN DNAME new.it.\npec IN MX 10 mx.pec.aruba.it.\n"
    answer = ask(ZoneResolver(_dname("d.it", body), NEW_IT), "pec.d.it", "MX")
    assert answer.records == ("10 mx.pec.aruba.it.",)
    assert answer.aliases == ()


def test_dname_into_a_zone_not_loaded_is_not_loaded_with_the_chain() -> None:
    answer = ask(ZoneResolver(_dname("old.it", "@ IN DNAME other.it.\n")), "pec.old.it", "MX")
    assert answer.outcome is Outcome.NOT_LOADED
    assert answer.aliases == ("pec.other.it.",)
    assert answer.zone == "pec.other.it."


def _across_zones() -> ZoneResolver:
    """pec.a.it: a CNAME into pec.b.it's subtree, which a DNAME sends to c.it, itself a DNAME."""
    return ZoneResolver(
        _dname("a.it", "pec IN CNAME x.pec.b.it.\n"),
        _dname("b.it", "pec IN DNAME c.it.\n"),
        _dname("c.it", "@ IN DNAME new.it.\n"),
        NEW_IT,
    )


def test_dnames_and_cnames_chain_across_zones() -> None:
    answer = ask(_across_zones(), "pec.a.it", "MX")
    assert answer.aliases == ("x.pec.b.it.", "x.c.it.", "x.new.it.")
    assert answer.outcome is Outcome.NXDOMAIN


def test_dnames_across_zones_are_named_in_the_order_met() -> None:
    answer = ask(_across_zones(), "pec.a.it", "MX")
    assert answer.dnames == (("pec.b.it.", "c.it."), ("c.it.", "new.it."))
    assert answer.redirected_by is None  # pec.a.it is a CNAME of its own


def test_a_dname_rewriting_past_255_octets_names_no_dname() -> None:
    target = ".".join(["a" * 62] * 3) + "." + "b" * 60 + ".it."
    answer = ask(ZoneResolver(_dname("long.it", f"@ IN DNAME {target}\n")), "pec.long.it", "MX")
    assert answer.outcome is Outcome.ERROR
    assert answer.dnames == ()


def test_cname_to_a_name_below_a_dname_is_followed() -> None:
    zones = ZoneResolver(
        _dname("a.it", "pec IN CNAME pec.old.it.\n"),
        _dname("old.it", "@ IN DNAME new.it.\n"),
        NEW_IT,
    )
    answer = ask(zones, "pec.a.it", "MX")
    assert answer.aliases == ("pec.old.it.", "pec.new.it.")
    assert answer.records == ("10 mx.pec.aruba.it.",)


def test_cname_question_below_a_dname_gets_the_synthesised_cname() -> None:
    zones = ZoneResolver(_dname("old.it", "@ IN DNAME new.it.\n"), NEW_IT)
    answer = ask(zones, "pec.old.it", "CNAME")
    assert answer.outcome is Outcome.ANSWER
    assert answer.records == ("pec.new.it.",)
    assert answer.aliases == ()
    assert answer.authoritative is True


def test_dname_to_its_own_owner_is_a_loop() -> None:
    answer = ask(ZoneResolver(_dname("self.it", "@ IN DNAME self.it.\n")), "pec.self.it", "MX")
    assert answer.outcome is Outcome.SERVFAIL
    assert answer.detail == "DNAME loop: pec.self.it. -> pec.self.it."


def test_dname_to_a_name_below_itself_is_a_chain_too_long() -> None:
    answer = ask(ZoneResolver(_dname("deep.it", "@ IN DNAME x.deep.it.\n")), "pec.deep.it", "MX")
    assert answer.outcome is Outcome.SERVFAIL
    assert len(answer.aliases) == 8
    assert answer.aliases[0] == "pec.x.deep.it."
    assert "longer than 8" in answer.detail


def test_dname_that_makes_a_name_too_long_is_an_error_as_yxdomain() -> None:
    target = ".".join(["a" * 62] * 3) + "." + "b" * 60 + ".it."
    zones = ZoneResolver(_dname("long.it", f"@ IN DNAME {target}\n"))
    answer = ask(zones, "pec.long.it", "MX")
    assert answer.outcome is Outcome.ERROR
    assert answer.detail.startswith("RCODE YXDOMAIN: the DNAME at long.it. makes pec.long.it.")
    assert answer.server == "zone:long.it."


@pytest.mark.parametrize(
    "body",
    [
        "pec IN DNAME new.it.\nx.pec IN MX 10 mx.pec.aruba.it.\n",
        "x.pec IN MX 10 mx.pec.aruba.it.\npec IN DNAME new.it.\n",
        "@ IN DNAME new.it.\nsub IN NS ns1.example.net.\n",
    ],
    ids=["record after", "record before", "delegation below the apex"],
)
def test_names_below_a_dname_are_rejected_with_their_line(body: str) -> None:
    # NSD: "DNAME at d.it. has data below it"; Knot: "child record exists under DNAME".
    with pytest.raises(InvalidRecordError, match=r"^<zone text 1>:5: .*DNAME.*RFC 6672"):
        ZoneResolver(_dname("d.it", body))


def test_two_dnames_at_one_name_are_rejected() -> None:
    with pytest.raises(InvalidRecordError, match=r":5: pec\.d\.it\. has two DNAME records"):
        ZoneResolver(_dname("d.it", "pec IN DNAME a.it.\npec IN DNAME b.it.\n"))


def test_dname_beside_a_cname_is_rejected() -> None:
    with pytest.raises(InvalidRecordError, match="has a CNAME beside other records"):
        ZoneResolver(_dname("d.it", "pec IN DNAME a.it.\npec IN CNAME b.it.\n"))


def test_a_delegation_above_a_dname_refers_before_the_dname_applies() -> None:
    zones = ZoneResolver(_dname("d.it", "sub IN NS ns1.example.net.\n"), NEW_IT)
    assert ask(zones, "x.sub.d.it", "MX").zone == "sub.d.it."


# -- questions to one server, at a delegation whose child zone is not loaded -------------------

PARENT_IT = """
$ORIGIN parent.it.
$TTL 60
@            IN NS    ns1.example.net.
pec          IN NS    dns.technorail.com.
pec          IN NS    ns.pec.parent.it.
ns.pec       IN A     192.0.2.60
"""

TECHNORAIL = "$ORIGIN technorail.com.\n$TTL 60\ndns IN A 192.0.2.53\ndns IN AAAA 2001:db8::53\n"


@pytest.fixture
def delegated() -> ZoneResolver:
    return ZoneResolver(PARENT_IT, TECHNORAIL)


def test_the_parents_server_refers_the_delegated_name(delegated: ZoneResolver) -> None:
    answer = delegated.resolve(Query("pec.parent.it", "MX", server="198.51.100.1"))
    assert answer.outcome is Outcome.REFERRAL
    assert answer.zone == "pec.parent.it."
    assert answer.referral == ("dns.technorail.com.", "ns.pec.parent.it.")
    assert answer.glue == (("ns.pec.parent.it.", "192.0.2.60"),)
    assert answer.authoritative is False


@pytest.mark.parametrize("server", ["192.0.2.60", "192.0.2.53", "2001:db8::53"])
def test_a_server_of_the_delegation_is_not_loaded_never_lame(
    delegated: ZoneResolver, server: str
) -> None:
    answer = delegated.resolve(Query("pec.parent.it", "MX", server=server))
    assert answer.outcome is Outcome.NOT_LOADED
    assert answer.zone == "pec.parent.it."
    assert answer.referral == ()


def test_the_ns_question_to_a_server_of_the_delegation_is_not_loaded(
    delegated: ZoneResolver,
) -> None:
    answer = delegated.resolve(Query("pec.parent.it", "NS", server="192.0.2.53"))
    assert answer.outcome is Outcome.NOT_LOADED


def test_a_question_to_a_server_for_a_name_in_no_zone_is_not_loaded(
    delegated: ZoneResolver,
) -> None:
    answer = delegated.resolve(Query("pec.other.it", "MX", server="192.0.2.53"))
    assert answer.outcome is Outcome.NOT_LOADED
    assert answer.zone == "pec.other.it."


def test_check_of_a_pec_name_delegated_to_a_zone_not_loaded_blames_no_server() -> None:
    example_net = "$ORIGIN example.net.\n$TTL 60\nns1 IN A 198.51.100.1\n"
    zones = ZoneResolver(PARENT_IT, TECHNORAIL, ARUBA_IT, example_net)
    report = pecdns.check("parent.it", resolver=zones)
    obs = report.observation
    assert obs.pec_mx.outcome is Outcome.NOT_LOADED
    assert {p.mx.outcome for p in obs.child_probes if p.mx} == {Outcome.NOT_LOADED}
    assert "LAME_DELEGATION" not in report.codes()


# -- limits: a zone file is untrusted input -----------------------------------------------------

BOMB = "$ORIGIN bomb.it.\n$TTL 60\n$GENERATE 0-4294967295 h${0,10,x} A 192.0.2.1\n"


def test_generate_bomb_is_refused_at_the_record_limit_with_its_file_and_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bomb.it.zone"
    path.write_text(BOMB)
    with pytest.raises(
        InvalidRecordError,
        match=rf"^{re.escape(str(path))}:3: the zones hold more than 1000 records, the limit;"
        " pass max_records= to load more$",
    ):
        ZoneResolver(path, max_records=1000)


def test_the_record_limit_counts_every_zone_together() -> None:
    one = "$ORIGIN a.it.\n$TTL 60\n$GENERATE 1-6 h$ A 192.0.2.1\n"
    two = "$ORIGIN b.it.\n$TTL 60\n$GENERATE 1-6 h$ A 192.0.2.1\n"
    assert ZoneResolver(one, max_records=6).origins == ("a.it.",)
    with pytest.raises(InvalidRecordError, match=r"^<zone text 2>:3: .*more than 10 records"):
        ZoneResolver(one, two, max_records=10)


def test_the_default_limits_are_documented_constants() -> None:
    assert ZoneResolver.MAX_RECORDS == 100_000
    assert ZoneResolver.MAX_BYTES == 16 * 1024 * 1024
    assert ZoneResolver.MAX_SECONDS == 30.0


def test_the_default_limits_apply_without_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ZoneResolver, "MAX_RECORDS", 10)
    with pytest.raises(InvalidRecordError, match="more than 10 records"):
        ZoneResolver(BOMB)


def test_records_that_expand_beyond_the_byte_limit_are_refused() -> None:
    text = f"$ORIGIN big.it.\n$TTL 60\n$GENERATE 1-100 h$ TXT {'x' * 200}\n"
    with pytest.raises(InvalidRecordError, match=r"^<zone text 1>:3: .*more than 4096 bytes"):
        ZoneResolver(text, max_bytes=4096)


def test_zone_text_beyond_the_byte_limit_is_refused_before_parsing() -> None:
    with pytest.raises(
        InvalidRecordError,
        match=r"^<zone text 2>: 31 bytes of zone text, more than the 4 bytes left of the limit"
        r" of 30 bytes; pass max_bytes= to load more$",
    ):
        ZoneResolver(
            "$ORIGIN a.it.\n$TTL 60\n;12\n", "$ORIGIN b.it.\n$TTL 60\n;1234567\n", max_bytes=30
        )


def test_loading_beyond_the_time_limit_is_refused_with_the_line() -> None:
    with pytest.raises(InvalidRecordError, match=r"^<zone text 1>:1: loading the zones took more"):
        ZoneResolver(BOMB, max_seconds=0)


def test_a_huge_sparse_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.it.zone"
    with path.open("wb") as file:
        file.truncate(2 * 1024**3)
    with pytest.raises(
        InvalidRecordError, match=r"2147483648 bytes of zone text, more than the limit of"
    ):
        ZoneResolver(path)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_as_a_zone_file(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    with pytest.raises(InvalidRecordError, match=rf"^{device}: a character device, not a zone"):
        ZoneResolver(Path(device))


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "fifo.it.zone"
    os.mkfifo(path)
    with pytest.raises(InvalidRecordError, match=r"a FIFO \(named pipe\), not a zone file"):
        ZoneResolver(path)


def test_a_folder_given_as_a_zone_file_points_to_from_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidRecordError, match=r"a folder, not a zone file; .*from_directory"):
        ZoneResolver(tmp_path)


def test_from_directory_passes_the_limits_on(tmp_path: Path) -> None:
    (tmp_path / "bomb.it.zone").write_text(BOMB)
    with pytest.raises(InvalidRecordError, match="more than 10 records"):
        ZoneResolver.from_directory(tmp_path, max_records=10)


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ZoneResolver(tmp_path / "none.it.zone")


def test_a_file_longer_than_its_stated_size_is_read_no_further_than_the_limit() -> None:
    proc = Path("/proc/self/status")  # a regular file whose stated size is 0
    if not proc.exists():
        pytest.skip("no /proc here")
    with pytest.raises(InvalidRecordError, match=r"bytes of zone text, more than the limit of 10"):
        ZoneResolver(proc, max_bytes=10)


def test_cname_question_below_a_dname_names_the_dname() -> None:
    zones = ZoneResolver(_dname("old.it", "@ IN DNAME new.it.\n"), NEW_IT)
    assert ask(zones, "pec.old.it", "CNAME").dnames == (("old.it.", "new.it."),)


@pytest.mark.parametrize(
    ("name", "rdtype"),
    [("pec.old.it", "MX"), ("www.old.it", "A"), ("pec.old.it", "CNAME"), ("old.it", "MX")],
    ids=["answer", "nxdomain", "cname question", "the owner"],
)
def test_zone_files_and_the_fake_give_the_same_answer_below_a_dname(name: str, rdtype: str) -> None:
    zones = ZoneResolver(_dname("old.it", "@ IN DNAME new.it.\n@ IN MX 10 mail.old.it.\n"), NEW_IT)
    fake = FakeResolver(
        {
            "old.it": {"DNAME": "new.it.", "MX": "10 mail.old.it.", "NS": "ns1.example.net."},
            "new.it": {"NS": "ns1.example.net."},
            "pec.new.it": {"MX": "10 mx.pec.aruba.it."},
            "x.pec.new.it": {"MX": "10 mx.pec.aruba.it."},
        }
    )
    query = Query(name, rdtype)
    seen = [zones.resolve(query), fake.resolve(query)]
    assert len({(a.outcome, a.records, a.aliases, a.dnames) for a in seen}) == 1, seen
