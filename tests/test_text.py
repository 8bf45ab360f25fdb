"""Results as text for a terminal, and the words around them in each language."""

from __future__ import annotations

from pathlib import Path

import pytest
from attrs import evolve

from helpers import PROVIDER, run
from pecdns import Finding, Severity, check, check_many
from pecdns._present import in_language, language_of, remedy_in
from pecdns._text import Style, render_text
from pecdns.resolvers import Outcome, ZoneResolver
from pecdns.testing import FakeResolver

ZONES = Path(__file__).resolve().parents[1] / "examples" / "zones"
WRONG = {"pec.example.it": {"MX": "10 mail.example.it."}, "mail.example.it": {"A": "192.0.2.9"}}


def test_plain_text_has_no_escape_sequences() -> None:
    assert "\033" not in render_text(run(WRONG))


def test_colour_paints_verdict_and_severities() -> None:
    text = render_text(run(WRONG), style=Style(colour=True))
    assert "\033[1;31mNON_COMPLIANT\033[0m" in text
    assert "\033[1;31mERROR  \033[0m" in text


def test_a_width_wraps_messages_between_words() -> None:
    lines = render_text(run(WRONG), style=Style(width=60)).splitlines()
    assert all(len(line) <= 60 for line in lines if not line.startswith("    ;"))
    assert "          pec.example.it has MX 10 mail.example.it., and" in lines
    assert "          mx.pec.aruba.it." in lines


def test_control_characters_in_a_message_are_escaped() -> None:
    report = run(WRONG)
    tampered = evolve(report.findings[0], message="red \033[31malert\033[0m\nnext line")
    text = render_text(evolve(report, findings=(tampered,)))
    assert "\033" not in text
    assert "red \\x1b[31malert\\x1b[0m\\nnext line" in text


@pytest.mark.parametrize(
    ("domain", "english", "italian"),
    [
        ("ibrido.it", "; and must not have these records", "; e non deve avere questi record"),
        ("secondolivello.it", "; delete from secondolivello.it.", "; eliminare da"),
        ("sbagliato.it", "must have exactly this MX record", "deve avere esattamente questo"),
        ("rinominato.it", "; rinominato.it. has a DNAME record", "; rinominato.it. ha un record"),
    ],
)
def test_zone_comments_of_a_remedy_are_translated(domain: str, english: str, italian: str) -> None:
    report = check(domain, resolver=ZoneResolver.from_directory(ZONES))
    assert report.remedy is not None
    assert english in report.remedy
    translated = remedy_in(report.remedy, "it")
    assert translated is not None
    assert italian in translated
    assert english not in translated
    assert [line for line in translated.splitlines() if not line.startswith(";")] == [
        line for line in report.remedy.splitlines() if not line.startswith(";")
    ]


def test_the_hybrid_domain_remedy_is_translated() -> None:
    report = run(
        {
            "example.it": {"MX": ["10 mx.pec.aruba.it.", "20 mail.example.it."]},
            "mail.example.it": {"A": "192.0.2.9"},
            "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
        }
    )
    assert "DOMAIN_MX_HYBRID" in report.codes()
    translated = remedy_in(report.remedy, "it")
    assert translated is not None
    assert "devono puntare o solo ai Mail Server del gestore" in translated


def test_every_remedy_comment_of_the_examples_has_an_italian_form() -> None:
    resolver = ZoneResolver.from_directory(ZONES)
    for path in ZONES.glob("*.it.zone"):
        name = path.name.removesuffix(".zone")
        if name.count(".") != 1:
            continue
        translated = remedy_in(check(name, resolver=resolver).remedy, "it") or ""
        for line in translated.splitlines():
            if line.startswith(";") and " IN " not in line:
                assert " must " not in line, line
                assert " delete " not in line, line


def test_the_language_of_a_report_is_the_one_it_was_checked_in() -> None:
    fake = FakeResolver({**PROVIDER, **WRONG})
    assert language_of(check("example.it", resolver=fake, lang="it")) == "it"
    assert language_of(check("example.it", resolver=fake)) == "en"


def test_a_finding_built_by_hand_keeps_its_message() -> None:
    report = run(WRONG)
    own = Finding("MY_OWN", Severity.WARNING, None, "my own words")
    shown, lang = in_language(evolve(report, findings=(own,)), "it")
    assert lang == "it"
    assert shown.findings[0].message == "my own words"
    assert language_of(shown) == "en"


def test_verbose_text_shows_evidence_with_its_detail() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": Outcome.SERVFAIL}})
    text = render_text(check("example.it", resolver=fake), verbose=True)
    assert "evidence: pec.example.it. MX: SERVFAIL (simulated by FakeResolver)" in text


def test_an_invalid_input_is_named_as_given() -> None:
    (result,) = check_many(["www.example.it"], resolver=FakeResolver(PROVIDER))
    text = render_text(result, lang="it")
    assert text.startswith("'www.example.it': DATO NON VALIDO\n  ERRORE  INPUT_INVALID\n")


BREACH = {
    "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
    "example.it": {"MX": "10 mx.pec.aruba.it."},
}


def test_text_shows_the_breaches_under_the_daily_verdict() -> None:
    lines = render_text(run(BREACH)).splitlines()
    assert lines[0] == "pec.example.it (example.it): COMPLIANT"
    assert lines[1] == (
        "  every rule: NON_COMPLIANT (breaches outside the daily check: MX_AT_REGISTRABLE [P5])"
    )


def test_text_shows_the_breaches_in_italian_and_in_colour() -> None:
    text = render_text(run(BREACH), lang="it", style=Style(colour=True, width=60))
    assert "\033[1m  tutte le regole: NON CONFORME" in text
    assert "violazioni" in text


def test_text_without_breaches_has_no_second_verdict() -> None:
    assert "every rule" not in render_text(run(WRONG))


def test_counts_on_every_rule_count_the_policy_verdict() -> None:
    from pecdns._present import counts  # noqa: PLC0415

    results = (run(BREACH), run(WRONG))
    assert counts(results)["COMPLIANT"] == 1
    assert counts(results, every_rule=True) == {
        "COMPLIANT": 0,
        "NON_COMPLIANT": 2,
        "UNDETERMINED": 0,
    }
