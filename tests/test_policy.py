from __future__ import annotations

import pytest
from attrs import evolve

from pecdns import ARUBA, Domain, MXRecord, Policy, Severity
from pecdns._codes import CATALOGUE


def test_aruba_is_the_default_policy() -> None:
    assert Policy() == ARUBA
    assert ARUBA.mx == MXRecord(10, "mx.pec.aruba.it.")
    assert ARUBA.label == "pec"


def test_aruba_name_servers_are_its_four_authoritative_servers() -> None:
    assert ARUBA.name_servers == (
        "dns.technorail.com.",
        "dns2.technorail.com.",
        "dns3.arubadns.net.",
        "dns4.arubadns.cz.",
    )


def test_policy_is_hashable_so_it_can_key_caches() -> None:
    assert hash(ARUBA) == hash(Policy())


def test_policy_normalises_host_names_and_drops_duplicates() -> None:
    policy = Policy(mx_host="MX.Example.", name_servers=["NS1.example.", "ns1.example."])
    assert policy.mx_host == "mx.example."
    assert policy.name_servers == ("ns1.example.",)


def test_policy_label_must_be_one_dns_label() -> None:
    with pytest.raises(ValueError, match="one DNS label"):
        Policy(label="pec.mail")


def test_policy_preference_must_be_valid() -> None:
    with pytest.raises(ValueError, match="0 to 65535"):
        Policy(mx_preference=70000)


def test_policy_host_lists_are_lists_not_a_single_str() -> None:
    with pytest.raises(TypeError, match="not a single str"):
        Policy(name_servers="dns.technorail.com")


def test_policy_refuses_regrading_an_unknown_code() -> None:
    with pytest.raises(ValueError, match="unknown finding codes \\['NO_SUCH_CODE'\\]"):
        Policy(severities={"NO_SUCH_CODE": Severity.INFO})


def test_policy_regrades_from_a_mapping_or_pairs() -> None:
    a = Policy(severities={"MX_NULL": Severity.WARNING})
    b = Policy(severities=[("MX_NULL", Severity.WARNING)])
    assert a == b
    assert a.severity("MX_NULL") is Severity.WARNING
    assert a.severity("MX_MISSING") is Severity.ERROR


def test_default_severity_comes_from_the_catalogue() -> None:
    for code, info in CATALOGUE.items():
        assert ARUBA.severity(code) is info.severity


def test_pec_name_and_mx_line_follow_the_label_and_ttl() -> None:
    policy = evolve(ARUBA, label="posta", remedy_ttl=300)
    domain = Domain("example.it")
    assert policy.pec_name(domain) == "posta.example.it."
    assert policy.mx_line(domain) == "posta.example.it. 300 IN MX 10 mx.pec.aruba.it."


def test_provider_mail_hosts_are_told_by_domain_label_by_label() -> None:
    assert ARUBA.is_provider_mail_host("mx.aruba.it.")
    assert ARUBA.is_provider_mail_host("aruba.it.")
    assert not ARUBA.is_provider_mail_host("notaruba.it.")
    assert not ARUBA.is_provider_mail_host("mail.example.it.")


def test_the_policy_mx_host_is_the_providers_even_outside_its_mail_domains() -> None:
    policy = Policy(mx_host="mx.cert.legalmail.it", provider_mail_domains=[])
    assert policy.is_provider_mail_host("mx.cert.legalmail.it.")


def test_p10_outside_domains_take_precedence() -> None:
    policy = evolve(ARUBA, outside_mail_domains=["cloud.aruba.it"])
    assert not policy.is_provider_mail_host("vm1.cloud.aruba.it.")
    assert policy.is_provider_mail_host("mx.aruba.it.")


def test_provider_name_servers() -> None:
    assert ARUBA.is_provider_name_server("dns3.arubadns.net.")
    assert not ARUBA.is_provider_name_server("ns1.example.net.")


def test_every_catalogue_entry_is_complete() -> None:
    for code, info in CATALOGUE.items():
        assert code == info.code
        assert code.isupper()
        assert all(text.endswith(".") for text in info.message.values())
        assert info.clause is None or info.clause.startswith("P")


def test_own_mail_servers_take_host_names_and_networks() -> None:
    policy = evolve(
        ARUBA,
        own_mail_servers=["SRV1.Dedicati.Aruba.IT", "192.0.2.0/24", "2001:db8::/32", "192.0.2.7"],
    )
    assert policy.own_mail_servers == (
        "srv1.dedicati.aruba.it.",
        "192.0.2.0/24",
        "2001:db8::/32",
        "192.0.2.7/32",
    )
    assert policy.is_own_mail_server("x.example.", ["2001:db8::25"])
    assert not policy.is_own_mail_server("x.example.", ["198.51.100.1", "2001:db9::1"])
    assert not policy.is_provider_mail_host("srv1.dedicati.aruba.it.")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("192.0.2.1/24", "has host bits set.*'192.0.2.0/24'"),
        ("1.2.3", "is not an IP network"),
        ("", "an own mail server is a host name"),
        (7, "an own mail server is a host name"),
        ("bad name.it", "neither a host name nor an IP network"),
    ],
)
def test_own_mail_servers_refuse_what_is_neither_a_name_nor_a_network(
    value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        evolve(ARUBA, own_mail_servers=[value])  # type: ignore[list-item]


def test_own_mail_servers_are_a_list_not_a_single_str() -> None:
    with pytest.raises(TypeError, match="not a single str"):
        evolve(ARUBA, own_mail_servers="srv1.example.it")
