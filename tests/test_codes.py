"""The finding catalogue: both languages for every code, and rendering."""

from __future__ import annotations

import re
import string

import pytest

from helpers import run
from pecdns import check
from pecdns._codes import CATALOGUE, LANGUAGES, localise, render
from pecdns.resolvers import Outcome
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


# --- Italian without English inside (issue 9 point 9) ---------------------------------------

ENGLISH = (
    "answer",
    "the ",
    "in time",
    "lacks",
    "refers",
    "no zone",
    "loaded",
    "TIMEOUT",
    "ERROR",
    "NOT_LOADED",
    "REFERRAL",
)
HOSTILE_ARGS = {
    "pec": "pec.esempio.com",
    "domain": "esempio.com",
    "host": "mx.pec.aruba.com",
    "mx": "x",
    "mx_line": "x",
    "preference": "10",
    "detail": ": it answers REFUSED (no answer in time)",
    "referred": "ns.altro.com",
    "p10": "P10",
}


def _italian(code: str, **args: str) -> str:
    message, fix = render(code, {**HOSTILE_ARGS, **args}, "it")
    return f"{message} {fix or ''}"


@pytest.mark.parametrize("code", sorted(CATALOGUE))
@pytest.mark.parametrize("outcome", [o.value for o in Outcome])
def test_no_italian_message_carries_english_from_a_resolver(code: str, outcome: str) -> None:
    info = CATALOGUE[code]
    templates = [info.message["en"], *(info.fix or {}).values()]
    values = {name: "v" for template in templates for name in _fields(template)}
    text = _italian(code, **{**values, **HOSTILE_ARGS, "outcome": outcome, "reason": "REFUSED"})
    for fragment in ENGLISH:
        assert fragment not in text, (code, fragment, text)


@pytest.mark.parametrize("reason", ["REFUSED", "SERVFAIL", "REFERRAL", "NOT_AA"])
def test_every_lame_reason_is_worded_in_italian(reason: str) -> None:
    text = _italian("LAME_DELEGATION", server="ns1", zone="esempio.com", reason=reason)
    for fragment in ENGLISH:
        assert fragment not in text


def test_english_keeps_the_resolvers_detail() -> None:
    args = {"server": "ns1", "pec": "p", "outcome": "TIMEOUT", "detail": ": no answer in time"}
    assert "(TIMEOUT: no answer in time)" in render("SERVER_NO_RESPONSE", args, "en")[0]


def test_an_italian_report_of_a_refusing_server_has_no_english() -> None:
    fake = FakeResolver(
        {"pec.example.it": {"MX": Outcome.REFUSED}, "mx.pec.aruba.it": {"A": "192.0.2.25"}}
    )
    report = check("example.it", resolver=fake, lang="it")
    unreachable = report.findings[0]
    assert unreachable.code == "PEC_NAME_UNREACHABLE"
    assert "(REFUSED)" in unreachable.message
    assert not any(word in unreachable.message for word in ENGLISH)


def _italian_texts() -> list[str]:
    from pecdns._advice import _TEXTS  # noqa: PLC0415 -- the advice's own table, read as data
    from pecdns._present import LABELS  # noqa: PLC0415
    from pecdns._remedy import _COMMENTS  # noqa: PLC0415

    texts = [
        t for info in CATALOGUE.values() for t in (info.message["it"], *(info.fix or {}).values())
    ]
    return [
        *texts,
        *_TEXTS["it"].values(),
        *LABELS["it"].values(),
        *(c["it"] for c in _COMMENTS.values()),
    ]


def test_no_italian_text_calls_the_pec_name_third_level() -> None:
    # pec.comune.latina.it is four labels deep: "terzo livello" would be wrong there.
    assert not [t for t in _italian_texts() if "terzo livello" in t]


def test_every_gestore_in_italian_names_one_party() -> None:
    # The provider is "il gestore PEC"; the DNS operator "il gestore dei Name Server".
    for text in _italian_texts():
        for match in re.finditer(r"gestore", text):
            rest = text[match.end() :]
            assert rest.startswith((" PEC", " dei Name Server")), text


def test_a_four_label_pec_name_is_not_called_third_level_in_a_report() -> None:
    fake = FakeResolver(
        {"comune.latina.it": {"MX": "10 mx.pec.aruba.it."}, "mx.pec.aruba.it": {"A": "192.0.2.25"}}
    )
    report = check("comune.latina.it", resolver=fake, lang="it")
    text = " ".join(f"{f.message} {f.fix}" for f in report.findings) + (report.remedy or "")
    assert "pec.comune.latina.it" in text
    assert "terzo livello" not in text
