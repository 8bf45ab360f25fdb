"""The finding catalogue: both languages for every code, and rendering."""

from __future__ import annotations

import string

import pytest

from helpers import run
from pecdns import check
from pecdns._codes import CATALOGUE, LANGUAGES, localise, render
from pecdns.testing import FakeResolver


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_code_has_a_message_and_fix_in_every_language(code: str) -> None:
    info = CATALOGUE[code]
    assert set(info.message) == set(LANGUAGES)
    assert info.fix is None or set(info.fix) == set(LANGUAGES)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_translations_use_the_same_template_fields(code: str) -> None:
    # Only English quotes a resolver's detail, which is English text (issue 9 point 9).
    info = CATALOGUE[code]
    assert _fields(info.message["en"]) - {"detail"} == _fields(info.message["it"])
    assert "detail" not in _fields(info.message["it"])
    if info.fix:
        assert _fields(info.fix["en"]) == _fields(info.fix["it"])


def test_italian_uses_the_providers_terms() -> None:
    italian = " ".join(
        text
        for info in CATALOGUE.values()
        for text in (info.message["it"], *(info.fix or {}).values())
    )
    for term in ("record MX", "Name Server", "Mail Server", "gestore PEC"):
        assert term in italian


def test_p10_note_is_rendered_per_language() -> None:
    args = {"pec": "p", "host": "h", "provider": "a", "others": "b", "p10": "P10"}
    assert "dedicated and cloud" in render("MX_HYBRID", args, "en")[0]
    assert "Server Dedicati e Cloud Computing" in render("MX_HYBRID", args, "it")[0]
    assert "P10" not in render("MX_HYBRID", {**args, "p10": ""}, "en")[0]


def test_unknown_language_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="use one of en, it"):
        render("MX_OK", {}, "fr")


def test_check_speaks_italian() -> None:
    fake = FakeResolver(
        {"pec.example.it": {"MX": "10 mail.example.it."}, "mx.pec.aruba.it": {"A": "192.0.2.25"}}
    )
    report = check("example.it", resolver=fake, lang="it")
    wrong = report.findings[0]
    assert wrong.message == (
        "pec.example.it ha il record MX 10 mail.example.it., ma nessuno punta all'host"
        " del gestore PEC mx.pec.aruba.it."
    )
    assert wrong.fix == (
        "Pubblicare per pec.example.it esattamente questo record MX:"
        " pec.example.it. 3600 IN MX 10 mx.pec.aruba.it."
    )


def test_check_refuses_an_unknown_language_before_any_query() -> None:
    fake = FakeResolver({})
    with pytest.raises(ValueError, match="unknown language 'de'"):
        check("example.it", resolver=fake, lang="de")
    assert fake.queries == []


def test_a_finding_can_be_rendered_again_in_another_language() -> None:
    english = run({"pec.example.it": {"MX": "0 ."}}).findings[0]
    italian = localise(english, "it")
    assert italian.message.startswith("pec.example.it ha un record MX nullo")
    assert localise(italian, "en") == english
