from __future__ import annotations

import contextlib
import pickle
import re
import string
from pathlib import Path

import attrs
import publicsuffixlist
import pytest
from hypothesis import example, given, settings
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


@pytest.mark.parametrize("name", ["dnshome.it", "altervista.org", "it.com", "blogspot.com"])
def test_a_domain_registered_under_an_icann_suffix_is_accepted(name: str) -> None:
    assert Domain(name).name == name


def test_a_name_below_a_private_suffix_is_a_subdomain_by_default() -> None:
    with pytest.raises(InvalidDomainError) as caught:
        Domain("foo.dnshome.it")
    assert caught.value.reason == "subdomain_private"
    assert "give 'dnshome.it'" in str(caught.value)
    assert "private=True" in str(caught.value)


def test_a_name_below_a_private_suffix_is_accepted_with_the_private_section() -> None:
    assert Domain("myblog.blogspot.com", private=True).name == "myblog.blogspot.com"


def test_a_private_suffix_is_a_public_suffix_with_the_private_section() -> None:
    with pytest.raises(InvalidDomainError, match=re.escape("such as 'example.dnshome.it'")):
        Domain("dnshome.it", private=True)


def test_the_section_used_is_kept_but_not_compared() -> None:
    domain = Domain("example.it", private=True)
    assert domain.private
    assert domain == Domain("example.it")
    assert hash(domain) == hash(Domain("example.it"))


def test_evolve_and_pickle_keep_the_section() -> None:
    domain = Domain("myblog.blogspot.com", private=True)
    assert attrs.evolve(domain, name="other.blogspot.com").name == "other.blogspot.com"
    assert pickle.loads(pickle.dumps(domain)).private  # noqa: S301 -- our own bytes


def test_a_name_read_back_takes_the_private_section_only_where_it_needs_it() -> None:
    assert Domain.read_back("myblog.blogspot.com").private
    assert not Domain.read_back("example.it").private


def test_a_name_read_back_that_is_no_registrable_domain_is_refused() -> None:
    with pytest.raises(InvalidDomainError) as caught:
        Domain.read_back("blogspot.com.example")
    assert caught.value.reason != "subdomain_private"


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
        ("-example.it", "starts or ends with a hyphen"),
        ("exa mple.it", "letters, digits and inner hyphens"),
        ("x" * 64 + ".it", "64 octets long"),
        (".".join(["a" * 60] * 5) + ".it", "at most 253"),
        ("xn--zz.it", "not a valid IDNA A-label"),
    ],
)
def test_domain_refuses_what_is_not_a_registrable_domain(text: str, message: str) -> None:
    with pytest.raises(InvalidDomainError, match=re.escape(message)):
        Domain(text)


def test_public_suffix_message_suggests_a_valid_name() -> None:
    with pytest.raises(InvalidDomainError, match=re.escape("such as 'example.roma.it'")):
        Domain("roma.it")


def test_domain_refuses_what_is_not_text() -> None:
    with pytest.raises(InvalidDomainError, match=re.escape("must be text (str), not NoneType")):
        Domain(None)  # type: ignore[arg-type]


# --- IP addresses, URLs and e-mail addresses are called what they are --------


@pytest.mark.parametrize("text", ["192.0.2.1", "192.0.2.1.", "2001:db8::1", "[::1]"])
def test_an_ip_address_is_called_an_ip_address(text: str) -> None:
    with pytest.raises(InvalidDomainError) as caught:
        Domain(text)
    assert caught.value.reason == "ip_address"
    assert str(caught.value) == (
        f"{text!r} is an IP address, not a domain name; give the domain name, such as 'example.it'"
    )


def test_a_name_ending_in_an_all_digit_label_is_not_given_a_registrable_domain() -> None:
    with pytest.raises(InvalidDomainError) as caught:
        Domain("192.0.2.300")
    assert caught.value.reason == "numeric_tld"
    assert "registrable" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("https://example.it/path", "'example.it'"),
        ("HTTP://WWW.Example.IT/", "'example.it'"),
        ("example.it/pec", "'example.it'"),
        ("example.it:443", "'example.it'"),
        ("https://città.it", "'città.it'"),
        ("https://foo.dnshome.it/", "'dnshome.it'"),
        ("https://exa_mple.it/", "'example.it'"),
        ("http://[::1", "'example.it'"),
    ],
)
def test_a_url_is_told_to_drop_the_scheme_with_the_domain_it_would_be(
    text: str, domain: str
) -> None:
    with pytest.raises(InvalidDomainError) as caught:
        Domain(text)
    assert caught.value.reason == "url"
    assert "drop the scheme" in str(caught.value)
    assert str(caught.value).endswith(f"such as {domain}")


@pytest.mark.parametrize("text", ["info@example.it", "mailto:info@example.it?subject=x"])
def test_an_e_mail_address_is_told_to_drop_the_mailbox(text: str) -> None:
    with pytest.raises(InvalidDomainError) as caught:
        Domain(text)
    assert caught.value.reason == "email"
    assert str(caught.value).endswith("give the domain alone, such as 'example.it'")


def test_a_url_to_a_private_suffix_name_suggests_it_with_the_private_section() -> None:
    with pytest.raises(InvalidDomainError, match=re.escape("such as 'foo.dnshome.it'")):
        Domain("https://foo.dnshome.it/", private=True)


def test_very_long_input_is_refused_and_quoted_only_in_part() -> None:
    with pytest.raises(InvalidDomainError) as caught:
        Domain("a" * 100_000)
    assert caught.value.reason == "input_length"
    assert len(str(caught.value)) < 200


def test_invalid_domain_error_is_a_pecdns_error_and_a_value_error() -> None:
    assert issubclass(InvalidDomainError, PecdnsError)
    assert issubclass(InvalidDomainError, ValueError)


@settings(deadline=None)  # the first use parses a Public Suffix List
@given(st.text(max_size=70))
@example("xn--.it")
@example("xn--a.it")
@example("\u0130.it")
def test_domain_raises_nothing_but_invalid_domain_error(text: str) -> None:
    with contextlib.suppress(InvalidDomainError):
        Domain(text)


_LABEL = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True)


@settings(deadline=None)  # the first use parses a Public Suffix List
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


def test_registrable_domain_follows_the_icann_section_by_default() -> None:
    assert registrable_domain("www.foo.dnshome.it") == "dnshome.it"


def test_registrable_domain_follows_the_private_section_on_request() -> None:
    assert registrable_domain("www.foo.dnshome.it", private=True) == "foo.dnshome.it"


def test_registrable_domain_keeps_unicode_as_unicode() -> None:
    assert registrable_domain("www.Città.it") == "città.it"


def test_registrable_domain_keeps_a_labels_as_a_labels() -> None:
    assert registrable_domain("www.xn--citt-3na.it") == "xn--citt-3na.it"


@pytest.mark.parametrize("name", ["", ".", "it", "roma.it", ".example.it", "a..b.it"])
def test_registrable_domain_is_none_where_there_is_none(name: str) -> None:
    assert registrable_domain(name) is None


def test_registrable_domain_of_non_text_is_none() -> None:
    assert registrable_domain(None) is None  # type: ignore[arg-type]


@settings(deadline=None)  # the first use parses a Public Suffix List
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
def test_psl_conformance_with_the_whole_list(name: str | None, expected: str | None) -> None:
    assert registrable_domain(name, private=True) == expected  # type: ignore[arg-type]


# --- InvalidDomainError: a reason as data, rendered in English or Italian ----

_ONE_INPUT_PER_REASON: dict[str, object] = {
    "not_text": None,
    "empty": "",
    "input_length": "a" * 2000,
    "ip_address": "192.0.2.1",
    "url": "https://example.it/",
    "email": "info@example.it",
    "empty_label": "a..it",
    "label_ignored": "\u00ad.it",
    "label_chars": "a_b.it",
    "hyphen_edge": "a-.it",
    "hyphen_34": "ab--é.it",
    "label_length": "a" * 64 + ".it",
    "name_length": ".".join(["a" * 60] * 5) + ".it",
    "bad_alabel": "xn--zz.it",
    "not_nfc": "xn--" + "e\u0301x".encode("punycode").decode("ascii") + ".it",
    "disallowed_char": "☃.it",
    "context_char": "a\u200db.it",
    "combining_mark": "\u0301a.it",
    "bidi": "aא.it",
    "numeric_tld": "1.2.3.4.5",
    "public_suffix": "roma.it",
    "subdomain": "www.example.it",
    "subdomain_private": "foo.dnshome.it",
}


def test_every_reason_is_exercised_below() -> None:
    assert set(_ONE_INPUT_PER_REASON) == set(InvalidDomainError.REASONS)


@pytest.mark.parametrize(("reason", "text"), _ONE_INPUT_PER_REASON.items())
def test_every_reason_is_given_in_english_and_in_italian(reason: str, text: object) -> None:
    with pytest.raises(InvalidDomainError) as caught:
        Domain(text)  # type: ignore[arg-type]
    error = caught.value
    assert error.reason == reason
    assert str(error) == error.render("en") == error.render()
    assert error.render("it") != error.render("en")


@pytest.mark.parametrize("reason", InvalidDomainError.REASONS)
def test_both_languages_of_a_reason_name_the_same_arguments(reason: str) -> None:
    texts = InvalidDomainError.REASONS[reason]
    fields = {
        lang: {f for _, f, _, _ in string.Formatter().parse(t) if f} for lang, t in texts.items()
    }
    assert set(texts) == {"en", "it"}
    assert fields["en"] == fields["it"]


def test_render_refuses_a_language_pecdns_does_not_speak() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'; use one of en, it"):
        InvalidDomainError("empty", {"input": "''"}).render("fr")


def test_an_unknown_reason_is_refused_so_no_message_goes_untranslated() -> None:
    with pytest.raises(ValueError, match="unknown reason 'oops'"):
        InvalidDomainError("oops")


def test_invalid_domain_error_pickles_with_its_reason() -> None:
    error = InvalidDomainError("ip_address", {"input": "'192.0.2.1'"})
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own bytes
    assert (copy.reason, copy.arguments, str(copy)) == (error.reason, error.arguments, str(error))
