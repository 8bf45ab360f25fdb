"""Domain names in Unicode: UTS 46 mapping (non-transitional, STD3), IDNA 2008 validity."""

from __future__ import annotations

import unicodedata

import idna
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pecdns import Domain, InvalidDomainError


def _reason(text: str) -> InvalidDomainError:
    with pytest.raises(InvalidDomainError) as caught:
        Domain(text)
    return caught.value


def _refusal(text: str) -> InvalidDomainError | None:
    try:
        Domain(text)
    except InvalidDomainError as exc:
        return exc
    return None


def _alabel(ulabel: str) -> str:
    return "xn--" + ulabel.encode("punycode").decode("ascii")


# --- UTS 46 mapping: what a name typed in Unicode becomes ---------------------


def test_sharp_s_is_kept_as_idna_2008_says_not_mapped_to_ss() -> None:
    assert Domain("faß.it").name == "xn--fa-hia.it"


def test_final_sigma_is_kept_as_idna_2008_says() -> None:
    assert Domain("ελληνικός.gr").unicode == "ελληνικός.gr"


def test_full_width_letters_are_mapped_to_ascii() -> None:
    assert Domain("ＥＸＡＭＰＬＥ.it").name == "example.it"


def test_full_width_spelling_of_an_a_label_is_read_as_that_a_label() -> None:
    assert Domain("ｘｎ－－ｃｉｔｔ－３ｎａ.it").unicode == "città.it"


def test_characters_uts46_ignores_are_dropped() -> None:
    assert Domain("exam\u00adple.it").name == "example.it"


def test_upper_case_unicode_is_folded() -> None:
    assert Domain("CITTÀ.IT").name == "xn--citt-3na.it"


def test_a_label_made_only_of_ignored_characters_is_refused_as_empty() -> None:
    assert _reason("\u00ad.it").reason == "label_ignored"


def test_ascii_punctuation_inside_a_unicode_label_is_called_so() -> None:
    error = _reason("exa_mplé.it")
    assert error.reason == "label_chars"
    assert "'exa_mplé'" in str(error)


def test_a_character_uts46_disallows_is_named() -> None:
    error = _reason("\u2488.it")
    assert error.reason == "disallowed_char"
    assert "U+2488 (DIGIT ONE FULL STOP)" in str(error)


def test_a_unicode_label_too_long_as_an_a_label_is_refused() -> None:
    error = _reason("é" * 60 + ".it")
    assert error.reason == "label_length"
    assert "at most 63" in str(error)


# --- IDNA 2008 validity of U-labels ------------------------------------------


def test_a_symbol_idna_2008_disallows_is_refused() -> None:
    error = _reason("☃.it")
    assert error.reason == "disallowed_char"
    assert "U+2603 (SNOWMAN)" in str(error)


def test_a_zero_width_joiner_outside_its_context_is_refused() -> None:
    error = _reason("a\u200db.it")
    assert error.reason == "context_char"
    assert "U+200D (ZERO WIDTH JOINER)" in str(error)


def test_a_zero_width_non_joiner_in_its_persian_context_is_kept() -> None:
    assert "\u200c" in Domain("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.ir").unicode


def test_a_middle_dot_between_two_ls_is_accepted() -> None:
    assert Domain("l·l.cat").name == "xn--ll-0ea.cat"


def test_a_middle_dot_elsewhere_is_refused() -> None:
    assert _reason("a·b.it").reason == "context_char"


def test_a_label_beginning_with_a_combining_mark_is_refused() -> None:
    error = _reason("\u0301a.it")
    assert error.reason == "combining_mark"
    assert "U+0301 (COMBINING ACUTE ACCENT)" in str(error)


def test_a_unicode_label_with_an_edge_hyphen_is_refused() -> None:
    assert _reason("-é.it").reason == "hyphen_edge"


def test_a_unicode_label_with_hyphens_in_third_and_fourth_places_is_refused() -> None:
    assert _reason("ab--é.it").reason == "hyphen_34"


def test_an_ascii_label_with_hyphens_in_third_and_fourth_places_is_left_to_registries() -> None:
    assert Domain("ab--cd.it").name == "ab--cd.it"


# --- Bidi (RFC 5893) -----------------------------------------------------------


def test_a_right_to_left_name_is_accepted() -> None:
    assert Domain("מבחן.ישראל").name == "xn--5dbmtg.xn--4dbrk0ce"


def test_a_label_mixing_directions_is_refused() -> None:
    assert _reason("aא.it").reason == "bidi"


def test_every_label_of_a_right_to_left_name_meets_the_bidi_rule() -> None:
    error = _reason("1a.ישראל")
    assert error.reason == "bidi"
    assert "'1a'" in str(error)


# --- A-labels: decoded and held to the same rules ------------------------------


def test_an_a_label_of_a_right_to_left_override_is_refused() -> None:
    error = _reason("xn--abcgnp-dm0c.it")
    assert error.reason == "disallowed_char"
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in str(error)
    assert "\u202e" not in str(error)


def test_an_a_label_of_a_control_character_is_refused() -> None:
    error = _reason("xn--a.it")
    assert error.reason == "disallowed_char"
    assert "U+0080" in str(error)


def test_an_a_label_of_a_symbol_idna_2008_disallows_is_refused() -> None:
    assert _reason(_alabel("💩") + ".it").reason == "disallowed_char"


def test_an_a_label_of_upper_case_unicode_is_refused() -> None:
    assert _reason(_alabel("Àbc") + ".it").reason == "disallowed_char"


def test_an_a_label_of_text_not_in_normal_form_c_is_refused() -> None:
    assert _reason(_alabel("e\u0301x") + ".it").reason == "not_nfc"


def test_an_a_label_that_breaks_the_bidi_rule_is_refused() -> None:
    assert _reason(_alabel("aא") + ".it").reason == "bidi"


@pytest.mark.parametrize("label", ["xn--zz", "xn--", "xn--abc-", "xn---bbk"])
def test_an_a_label_that_is_not_canonical_punycode_is_refused(label: str) -> None:
    assert _reason(f"{label}.it").reason == "bad_alabel"


def test_an_a_label_longer_than_63_octets_is_refused() -> None:
    assert _reason("xn--" + "a" * 60 + ".it").reason == "label_length"


# --- With an idna release whose errors do not name the code point -------------


def _without_code_points(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    original = getattr(idna, name)

    def bare(*args: object, **kwargs: object) -> object:
        try:
            return original(*args, **kwargs)
        except idna.IDNAError as exc:
            raise type(exc)(str(exc)) from None  # as idna < 3.11 raises them

    monkeypatch.setattr(idna, name, bare)


def test_the_refused_character_is_found_when_check_label_does_not_name_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_code_points(monkeypatch, "check_label")
    assert "U+2603 (SNOWMAN)" in str(_reason("a☃.it"))


def test_the_refused_character_is_found_when_uts46_mapping_does_not_name_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_code_points(monkeypatch, "uts46_remap")
    assert "U+2488 (DIGIT ONE FULL STOP)" in str(_reason("a\u2488.it"))


# --- Properties ----------------------------------------------------------------

_LETTERS = st.characters(
    categories=["Ll", "Lu", "Lo", "Mn", "Nd", "Cf", "So"], max_codepoint=0x2FFFF
)
_ULABEL = st.text(_LETTERS, min_size=1, max_size=8)
_SUFFIX = st.sampled_from(["it", "com", "gr", "ir", "ישראל", "xn--4dbrk0ce", "co.uk"])
_NAMES = st.one_of(
    st.text(max_size=30),
    st.builds(lambda u, s: f"{u}.{s}", _ULABEL, _SUFFIX),
    st.builds(lambda u, s: f"{_alabel(u)}.{s}", _ULABEL, _SUFFIX),
)


def _displayable(text: str) -> bool:
    """Printable, bar the joiners IDNA 2008 allows in their contexts (RFC 5892 A.1, A.2)."""
    return all(char.isprintable() or char in "\u200c\u200d" for char in text)


@settings(deadline=None)  # the first use parses a Public Suffix List
@given(_NAMES)
@example("faß.it")
@example("xn--abcgnp-dm0c.it")
@example("\u0645\u06cc\u200c\u062e.ir")
@example("\u0915\u094d\u200d.it")
def test_an_accepted_name_round_trips_and_its_unicode_is_displayable(text: str) -> None:
    try:
        domain = Domain(text)
    except InvalidDomainError:
        return
    assert Domain(domain.unicode) == domain
    assert Domain(domain.name) == domain
    assert _displayable(domain.unicode)
    assert not any(unicodedata.category(char) == "Cc" for char in domain.unicode)


@settings(deadline=None)  # the first use parses a Public Suffix List
@given(_NAMES)
@example("a\u202eb.it")
@example("xn--a.it")
def test_a_refusal_never_shows_a_raw_control_character(text: str) -> None:
    error = _refusal(text)
    if error is not None:
        assert error.render("en").isprintable()
        assert error.render("it").isprintable()
