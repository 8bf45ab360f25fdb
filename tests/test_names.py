from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pecdns._names import canonical_name, is_at_or_below, labels, looks_like_ip, unescape
from pecdns.exceptions import InvalidRecordError


def test_canonical_name_lowers_case_and_adds_the_root() -> None:
    assert canonical_name("MX.Pec.Aruba.IT") == "mx.pec.aruba.it."


def test_canonical_name_keeps_an_absolute_name_as_it_is() -> None:
    assert canonical_name("mx.pec.aruba.it.") == "mx.pec.aruba.it."


def test_canonical_name_strips_surrounding_white_space() -> None:
    assert canonical_name("  ns1.example.it.\n") == "ns1.example.it."


def test_escaped_dot_stays_inside_its_label() -> None:
    assert canonical_name(r"a\.b.example.") == "a\\046b.example."
    assert labels(canonical_name(r"a\.b.example.")) == ("a\\046b", "example")


def test_decimal_and_character_escapes_are_decoded_then_written_as_decimal() -> None:
    assert canonical_name(r"x\065\ y.it") == "xa\\032y.it."


def test_control_characters_in_names_come_out_escaped() -> None:
    assert canonical_name(r"evil\010\060script\062.example.") == (
        "evil\\010\\060script\\062.example."
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not a DNS name"),
        ("@", "not a DNS name"),
        ("a..b", "empty label"),
        (".a.b", "empty label"),
        ("a b.it", "character ' '"),
        ("new\nline.it", "character '\\n'"),
        ("città.it", "character 'à'"),
        ("x\\", "lone backslash"),
        ("\\256.it", "over 255"),
        ("x" * 64 + ".it", "64 octets"),
        (".".join(["x" * 63] * 4) + ".it", "octets long in DNS"),
    ],
)
def test_malformed_names_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidRecordError, match=reason.replace("\\", "\\\\").replace(".", r"\.")):
        canonical_name(text)


def test_a_name_must_be_text() -> None:
    with pytest.raises(InvalidRecordError, match="must be a str"):
        canonical_name(42)  # type: ignore[arg-type]


def test_the_root_is_a_name_with_no_labels_above_every_name() -> None:
    assert canonical_name(" . ") == "."
    assert labels(".") == ()
    assert is_at_or_below("example.it.", ".")
    assert not is_at_or_below(".", "it.")


def test_a_name_is_at_or_below_itself_and_its_parents() -> None:
    assert is_at_or_below("aruba.it.", "aruba.it.")
    assert is_at_or_below("mx.pec.aruba.it.", "aruba.it.")


def test_a_look_alike_suffix_is_not_below() -> None:
    assert not is_at_or_below("mx.pec.aruba.it.evil.example.", "aruba.it.")
    assert not is_at_or_below("notaruba.it.", "aruba.it.")


def test_ip_literals_are_recognised_in_both_families() -> None:
    assert looks_like_ip("192.0.2.1.")
    assert looks_like_ip(canonical_name(r"2001\:db8\:\:1"))
    assert not looks_like_ip("192.0.2.mx.")


def test_unescape_gives_the_raw_text() -> None:
    assert unescape(canonical_name(r"a\ b.it")) == "a b.it"


@given(st.text(max_size=80))
def test_canonical_name_raises_nothing_but_invalid_record_and_is_idempotent(text: str) -> None:
    try:
        name = canonical_name(text)
    except InvalidRecordError:
        return
    assert canonical_name(name) == name
    assert name.isascii()
    assert name.isprintable()
