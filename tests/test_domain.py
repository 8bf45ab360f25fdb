from __future__ import annotations

import contextlib
import re
from pathlib import Path

import publicsuffixlist
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pecdns import Domain, InvalidDomainError, PecdnsError, registrable_domain

# --- Domain: what it accepts and how it normalises ---------------------------


def test_domain_keeps_the_lower_case_a_label_without_trailing_dot() -> None:
    assert Domain("  Example.IT. ").name == "example.it"


def test_domain_accepts_unicode_and_stores_the_a_label() -> None:
    domain = Domain("Città.it")
    assert domain.name == "xn--citt-3na.it"
    assert domain.unicode == "città.it"


def test_domain_accepts_an_a_label_and_gives_its_unicode_form() -> None:
    assert Domain("XN--CITT-3NA.IT").unicode == "città.it"


def test_domain_accepts_an_idna2008_a_label_that_idna2003_would_map() -> None:
    assert Domain("xn--strae-oqa.it").unicode == "straße.it"


def test_unicode_full_stops_separate_labels() -> None:
    assert Domain("example\u3002it").name == "example.it"


def test_pec_name_is_the_third_level_under_the_default_label() -> None:
    assert Domain("example.it").pec_name == "pec.example.it"


def test_registrable_domain_under_a_public_suffix_of_two_labels_is_accepted() -> None:
    assert Domain("comune.latina.it").pec_name == "pec.comune.latina.it"


def test_domain_in_a_private_psl_section_is_accepted() -> None:
    assert Domain("myblog.blogspot.com").name == "myblog.blogspot.com"


def test_domains_compare_by_name() -> None:
    assert Domain("Example.it") == Domain("example.it.")
    assert len({Domain("a.it"), Domain("A.IT")}) == 1


def test_str_is_the_name() -> None:
    assert str(Domain("example.it")) == "example.it"


# --- Domain: what it refuses, and what the message says ----------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        (".", "is empty"),
        ("it", "public suffix"),
        ("roma.it", "public suffix"),
        ("co.uk", "public suffix"),
        ("www.example.it", "subdomain; its registrable domain is 'example.it'"),
        ("pec.example.it", "subdomain; its registrable domain is 'example.it'"),
        (".example.it", "empty label"),
        ("example..it", "empty label"),
        ("exa_mple.it", "letters, digits and inner hyphens"),
        ("-example.it", "letters, digits and inner hyphens"),
        ("exa mple.it", "letters, digits and inner hyphens"),
        ("x" * 64 + ".it", "64 octets long"),
        (".".join(["a" * 60] * 5) + ".it", "at most 253"),
        ("xn--zz.it", "not a valid IDNA A-label"),
        ("straße.it", "another name"),
        ("ｅｘａｍｐｌｅ.it", "another name"),
    ],
)
def test_domain_refuses_what_is_not_a_registrable_domain(text: str, message: str) -> None:
    with pytest.raises(InvalidDomainError, match=re.escape(message)):
        Domain(text)


def test_public_suffix_message_suggests_a_valid_name() -> None:
    with pytest.raises(InvalidDomainError, match=re.escape("such as 'example.roma.it'")):
        Domain("roma.it")


def test_domain_refuses_an_a_label_of_upper_case_unicode() -> None:
    alabel = "xn--" + "Àbc".encode("punycode").decode("ascii")
    with pytest.raises(InvalidDomainError, match="not a valid IDNA A-label"):
        Domain(f"{alabel}.it")


def test_domain_refuses_what_is_not_text() -> None:
    with pytest.raises(InvalidDomainError, match="must be a str"):
        Domain(None)


def test_invalid_domain_error_is_a_pecdns_error_and_a_value_error() -> None:
    assert issubclass(InvalidDomainError, PecdnsError)
    assert issubclass(InvalidDomainError, ValueError)


@given(st.text(max_size=70))
@example("xn--.it")
@example("xn--a.it")
@example("\u0130.it")
def test_domain_raises_nothing_but_invalid_domain_error(text: str) -> None:
    with contextlib.suppress(InvalidDomainError):
        Domain(text)


_LABEL = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True)


@given(
    st.text(max_size=40)
    | st.builds(lambda a, b: f"{a}.{b}", _LABEL, st.sampled_from(["it", "IT.", "co.uk"]))
)
def test_domain_normalisation_is_idempotent(text: str) -> None:
    try:
        domain = Domain(text)
    except InvalidDomainError:
        return
    assert Domain(domain.name) == domain
    assert Domain(domain.unicode) == domain


# --- registrable_domain ------------------------------------------------------


def test_registrable_domain_of_a_host() -> None:
    assert registrable_domain("mx.pec.aruba.it") == "aruba.it"


def test_registrable_domain_keeps_unicode_as_unicode() -> None:
    assert registrable_domain("www.Città.it") == "città.it"


def test_registrable_domain_keeps_a_labels_as_a_labels() -> None:
    assert registrable_domain("www.xn--citt-3na.it") == "xn--citt-3na.it"


@pytest.mark.parametrize("name", ["", ".", "it", "roma.it", ".example.it", "a..b.it"])
def test_registrable_domain_is_none_where_there_is_none(name: str) -> None:
    assert registrable_domain(name) is None


def test_registrable_domain_of_non_text_is_none() -> None:
    assert registrable_domain(None) is None  # type: ignore[arg-type]


@given(st.text(max_size=60))
def test_registrable_domain_raises_nothing_and_is_idempotent(text: str) -> None:
    found = registrable_domain(text)
    if found is not None:
        assert registrable_domain(found) == found


def _psl_conformance_cases() -> list[tuple[str | None, str | None]]:
    """The checkPublicSuffix cases published with the PSL, as shipped by publicsuffixlist."""
    path = Path(publicsuffixlist.__file__).with_name("test_psl.txt")
    pattern = re.compile(r"^checkPublicSuffix\((null|'[^']*'), (null|'[^']*')\);")
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = pattern.match(line.strip())
        if match:
            given_, expected = (None if g == "null" else g[1:-1] for g in match.groups())
            cases.append((given_, expected))
    return cases


_CASES = _psl_conformance_cases()


def test_the_psl_conformance_list_is_found_and_not_empty() -> None:
    assert len(_CASES) > 50


@pytest.mark.parametrize(("name", "expected"), _CASES)
def test_psl_conformance(name: str | None, expected: str | None) -> None:
    assert registrable_domain(name) == expected  # type: ignore[arg-type]
