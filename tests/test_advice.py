from __future__ import annotations

from typing import Any

import attrs
import pytest

import pecdns
from pecdns import ARUBA, Advice, Setup, setup_advice
from pecdns.resolvers import Outcome
from pecdns.testing import FakeResolver

CONTROL = {
    "mx.pec.aruba.it": {"A": "192.0.2.25"},
    "dns.technorail.com": {"A": "192.0.2.1"},
    "dns2.technorail.com": {"A": "192.0.2.2"},
    "ns1.other.example": {"A": "198.51.100.1"},
    "ns2.other.example": {"A": "198.51.100.2"},
}
ARUBA_NS = ["dns.technorail.com.", "dns2.technorail.com."]
OTHER_NS = ["ns1.other.example.", "ns2.other.example."]
NS_LINES = (
    "pec.example.it. 3600 IN NS dns.technorail.com.\n"
    "pec.example.it. 3600 IN NS dns2.technorail.com.\n"
    "pec.example.it. 3600 IN NS dns3.arubadns.net.\n"
    "pec.example.it. 3600 IN NS dns4.arubadns.cz."
)
MX_LINE = "pec.example.it. 3600 IN MX 10 mx.pec.aruba.it."


def advise(data: dict[str, Any], **kwargs: Any) -> Advice:
    return setup_advice("example.it", resolver=FakeResolver({**data, **CONTROL}), **kwargs)


def prose(advice: Advice) -> str:
    """The advice's text with its line breaks undone."""
    return " ".join(advice.text.split())


def provider(**kwargs: Any) -> Advice:
    return advise({"example.it": {"NS": ARUBA_NS}}, **kwargs)


def delegated(**kwargs: Any) -> Advice:
    return advise({"example.it": {"NS": OTHER_NS}, "pec.example.it": {"NS": ARUBA_NS}}, **kwargs)


def external(**kwargs: Any) -> Advice:
    return advise({"example.it": {"NS": OTHER_NS}}, **kwargs)


def external_pec_zone(**kwargs: Any) -> Advice:
    return advise({"example.it": {"NS": ARUBA_NS}, "pec.example.it": {"NS": OTHER_NS}}, **kwargs)


def external_done(**kwargs: Any) -> Advice:
    records = {"example.it": {"NS": OTHER_NS}, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}}
    return advise(records, **kwargs)


def unknown(**kwargs: Any) -> Advice:
    return advise({"example.it": Outcome.SERVFAIL}, **kwargs)


# The set-up comes from the check's SETUP_* finding (P4)


@pytest.mark.parametrize(
    ("advice", "setup"),
    [
        (provider, Setup.PROVIDER),
        (delegated, Setup.DELEGATED),
        (external, Setup.EXTERNAL),
        (external_pec_zone, Setup.EXTERNAL),
        (unknown, Setup.UNKNOWN),
    ],
)
def test_the_setup_is_the_one_the_checks_finding_names(advice: Any, setup: Setup) -> None:
    made = advice()
    assert made.setup is setup
    assert setup.value in made.report.codes()


# P4.1: the provider's name servers


def test_with_the_providers_name_servers_there_is_nothing_to_do() -> None:
    made = provider()
    assert made.action_needed is False
    assert "Nothing to do" in made.text
    assert "(P4.1)" in made.text
    assert (made.delegation, made.mx_zone) == (None, None)


def test_the_providers_case_names_its_name_servers() -> None:
    assert "(dns.technorail.com, dns2.technorail.com)" in prose(provider())


def test_a_delegation_to_the_providers_name_servers_leaves_nothing_to_do() -> None:
    made = delegated()
    assert made.action_needed is False
    assert "first way of P4.2" in made.text
    assert made.delegation is None


# P4.2, P4.3, P5: external name servers


def test_external_name_servers_need_action() -> None:
    assert external().action_needed is True


def test_the_first_way_is_the_exact_ns_records_delegating_the_pec_name() -> None:
    made = external()
    assert made.delegation == NS_LINES
    assert all(f"    {line}" in made.text for line in NS_LINES.splitlines())


def test_the_second_way_is_the_exact_mx_line_of_the_policy() -> None:
    made = external()
    assert made.mx_zone == MX_LINE == ARUBA.mx_line(pecdns.Domain("example.it"))
    assert f"    {MX_LINE}" in made.text


def test_external_advice_names_the_external_servers() -> None:
    assert "(ns1.other.example, ns2.other.example)" in prose(external())


def test_external_advice_states_the_customers_responsibility_p4_3() -> None:
    assert "customer's responsibility" in external().text
    assert "AgID requires (P4.3)" in prose(external())


def test_external_advice_states_the_third_level_only_rule_p5() -> None:
    text = prose(external())
    assert "belongs on the third level pec.example.it only, never on example.it itself (P5)" in text


def test_a_pec_name_delegated_to_other_servers_is_told_to_replace_its_ns_records() -> None:
    text = prose(external_pec_zone())
    assert text.startswith("pec.example.it is served by external name servers")
    assert "replace the NS records of pec.example.it" in text
    assert "keep the current delegation" in text


def test_external_servers_with_the_right_mx_already_need_nothing() -> None:
    made = external_done()
    assert made.action_needed is False
    assert "Nothing to do but keep it" in prose(made)
    assert "(P4.3)" in made.text


def test_an_unknown_setup_offers_both_cases() -> None:
    made = unknown()
    assert made.action_needed is None
    text = prose(made)
    assert "could not be read (SERVFAIL)" in text
    assert "(P4.1)" in text
    assert made.delegation == NS_LINES
    assert made.mx_zone == MX_LINE


def test_an_unknown_setup_with_the_right_mx_needs_nothing() -> None:
    records = {"example.it": Outcome.SERVFAIL, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}}
    made = advise(records)
    assert made.action_needed is False
    assert "Nothing to do but keep it" in prose(made)


def test_the_records_follow_the_policy() -> None:
    policy = attrs.evolve(
        ARUBA,
        name="Legalmail",
        label="posta",
        mx_host="mx.cert.legalmail.it.",
        name_servers=["ns1.legalmail.example."],
        remedy_ttl=600,
    )
    data: dict[str, Any] = {
        **CONTROL,
        "example.it": {"NS": OTHER_NS},
        "mx.cert.legalmail.it": {"A": "192.0.2.9"},
    }
    resolver = FakeResolver(data)
    made = setup_advice("example.it", resolver=resolver, policy=policy)
    assert made.delegation == "posta.example.it. 600 IN NS ns1.legalmail.example."
    assert made.mx_zone == "posta.example.it. 600 IN MX 10 mx.cert.legalmail.it."
    assert "not Legalmail's" in made.text


# Languages


def test_italian_uses_the_providers_own_terms() -> None:
    text = prose(external(lang="it"))
    for term in ("record MX", "sottodominio", "Name Server", "dominio certificato"):
        assert term in text


def test_italian_advice_for_the_providers_name_servers() -> None:
    text = prose(provider(lang="it"))
    assert text.startswith("Il dominio example.it usa i Name Server di Aruba")
    assert "Non serve alcun intervento" in text


@pytest.mark.parametrize("advice", [provider, delegated, external, external_done, unknown])
def test_every_italian_advice_cites_the_same_clauses_as_the_english(advice: Any) -> None:
    def clauses(text: str) -> list[str]:
        return sorted(word.strip("().,:") for word in text.split() if word.startswith("(P"))

    assert clauses(advice(lang="it").text) == clauses(advice().text)


def test_the_records_are_the_same_in_every_language() -> None:
    english, italian = external(), external(lang="it")
    assert (english.delegation, english.mx_zone) == (italian.delegation, italian.mx_zone)


@pytest.mark.parametrize("lang", ["fr", "", "IT", "italiano"])
def test_an_unknown_language_is_refused_naming_the_valid_ones(lang: str) -> None:
    with pytest.raises(ValueError, match="use one of en, it"):
        provider(lang=lang)


def test_the_report_behind_the_advice_speaks_the_same_language() -> None:
    made = external(lang="it")
    setup = next(f for f in made.report.findings if f.code == "SETUP_EXTERNAL")
    assert "Name Server esterni" in setup.message


def test_an_unknown_language_is_refused_before_any_dns_question() -> None:
    resolver = FakeResolver(CONTROL)
    with pytest.raises(ValueError, match="unknown language"):
        setup_advice("example.it", resolver=resolver, lang="de")
    assert resolver.queries == []


def test_an_invalid_domain_is_refused() -> None:
    with pytest.raises(pecdns.InvalidDomainError):
        setup_advice("www.example.it", resolver=FakeResolver(CONTROL))


def test_advice_reads_as_its_text() -> None:
    made = external()
    assert str(made) == made.text


def test_prose_lines_fit_in_78_columns() -> None:
    for advice in (provider, delegated, external, external_pec_zone, unknown):
        for made in (advice(), advice(lang="it")):
            prose = [line for line in made.text.splitlines() if not line.startswith("    ")]
            assert max(len(line) for line in prose) <= 78


def test_a_setup_reads_as_the_code_of_its_finding() -> None:
    assert str(Setup.DELEGATED) == "SETUP_DELEGATED"


def test_italian_advice_words_a_timeout_in_italian() -> None:
    text = prose(advise({"example.it": Outcome.TIMEOUT}, lang="it"))
    assert "(nessuna risposta entro il tempo di attesa)" in text
    assert "TIMEOUT" not in text


def test_italian_advice_names_one_gestore_per_sentence_and_no_third_level() -> None:
    for advice in (provider, delegated, external, external_pec_zone, external_done, unknown):
        text = prose(advice(lang="it"))
        assert "terzo livello" not in text
        for sentence in text.split(". "):
            kinds = {"PEC" if "gestore PEC" in sentence else None} | {
                "DNS" if "gestore dei Name Server" in sentence else None
            }
            assert sentence.count("gestore") == sentence.count("gestore PEC") + sentence.count(
                "gestore dei Name Server"
            ), sentence
            assert len(kinds - {None}) <= 1, sentence
