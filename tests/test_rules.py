"""Every rule, scenario by scenario: verdict, codes, clauses and remedy."""

from __future__ import annotations

import pytest
from attrs import evolve

from helpers import COMPILED, EXTERNAL_NS, INTERPRETED_ONLY, run
from pecdns import ARUBA, Severity, Verdict, check
from pecdns._codes import render
from pecdns._rules import RULES, judge
from pecdns.resolvers import Answer, Outcome
from pecdns.testing import FakeResolver

PEC_OK = {"MX": "10 mx.pec.aruba.it."}
ARUBA_NS = {"NS": ["dns.technorail.com.", "dns2.technorail.com.", "dns3.arubadns.net."]}
MX_LINE = "pec.example.it. 3600 IN MX 10 mx.pec.aruba.it."
HEAD = "; pec.example.it. must have exactly this MX record (P4.2, P6.2):"
DELETE = "; and must not have these records (delete them):"


# --- The simplest fake ---------------------------------------------------------


def test_the_simplest_fake_is_compliant_and_unknowns_are_info_only() -> None:
    report = run({"pec.example.it": PEC_OK})
    assert report.verdict is Verdict.COMPLIANT
    assert report.codes() == ("MX_OK", "SETUP_UNKNOWN")
    assert all(f.severity is Severity.INFO for f in report.findings)
    assert report.remedy is None


# --- P6.2: exactly the policy's MX ------------------------------------------------


def test_exact_mx_is_compliant_and_cited() -> None:
    report = run({"pec.example.it": PEC_OK, "example.it": EXTERNAL_NS})
    assert report.ok
    ok = report.findings[0]
    assert (ok.code, ok.clause, ok.severity) == ("MX_OK", "P6.2", Severity.INFO)
    assert "pec.example.it. MX 10 mx.pec.aruba.it." in ok.message


def test_mx_host_is_compared_case_blind() -> None:
    assert run({"pec.example.it": {"MX": "10 MX.PEC.ARUBA.IT."}}).ok


def test_wrong_host_is_an_error_with_the_fix() -> None:
    report = run(
        {"pec.example.it": {"MX": "10 mail.example.it."}, "mail.example.it": {"A": "192.0.2.3"}}
    )
    assert report.verdict is Verdict.NON_COMPLIANT
    assert report.codes() == ("MX_WRONG_HOST", "SETUP_UNKNOWN")
    wrong = report.findings[0]
    assert wrong.clause == "P6.2"
    assert "10 mail.example.it." in wrong.message
    assert wrong.fix == f"Publish exactly this MX record for pec.example.it: {MX_LINE}"
    assert report.remedy == "\n".join(
        [HEAD, MX_LINE, DELETE, "; pec.example.it. IN MX 10 mail.example.it."]
    )


def test_look_alike_host_is_another_host() -> None:
    report = run(
        {
            "pec.example.it": {"MX": "10 mx.pec.aruba.it.evil.example."},
            "mx.pec.aruba.it.evil.example": {"A": "198.51.100.66"},
        }
    )
    assert report.codes()[0] == "MX_WRONG_HOST"
    assert not report.ok


def test_wrong_preference_is_a_warning_and_still_compliant() -> None:
    report = run({"pec.example.it": {"MX": "20 mx.pec.aruba.it."}})
    assert report.verdict is Verdict.COMPLIANT
    pref = report.findings[0]
    assert (pref.code, pref.severity, pref.clause) == (
        "MX_WRONG_PREFERENCE",
        Severity.WARNING,
        "P6.2",
    )
    assert report.remedy == "\n".join(
        [HEAD, MX_LINE, DELETE, "; pec.example.it. IN MX 20 mx.pec.aruba.it."]
    )


def test_no_mx_at_all_is_an_error_of_its_own() -> None:
    report = run({"pec.example.it": {"A": "192.0.2.1"}})
    assert report.codes()[0] == "MX_MISSING"
    assert report.findings[0].clause == "P6.2"
    assert report.remedy == f"{HEAD}\n{MX_LINE}"


def test_nxdomain_is_an_error_of_its_own_under_p6_1() -> None:
    report = run({"example.it": EXTERNAL_NS})
    assert report.codes() == ("PEC_NAME_NXDOMAIN", "SETUP_EXTERNAL")
    assert report.findings[0].clause == "P6.1"
    assert report.remedy == f"{HEAD}\n{MX_LINE}"


def test_null_mx_is_an_error_of_its_own() -> None:
    report = run({"pec.example.it": {"MX": "0 ."}})
    assert report.codes()[0] == "MX_NULL"
    assert "RFC 7505" in report.findings[0].message
    assert report.remedy == "\n".join([HEAD, MX_LINE, DELETE, "; pec.example.it. IN MX 0 ."])


def test_null_mx_beside_the_right_one_is_still_an_error() -> None:
    report = run({"pec.example.it": {"MX": ["0 .", "10 mx.pec.aruba.it."]}})
    assert "MX_NULL" in report.codes()
    assert "MX_OK" not in report.codes()


def test_missing_trailing_dot_is_recognised_and_named() -> None:
    report = run({"pec.example.it": {"MX": "10 mx.pec.aruba.it.pec.example.it."}})
    assert report.codes() == ("MX_TRAILING_DOT", "SETUP_UNKNOWN")
    slip = report.findings[0]
    assert slip.clause == "P6.2"
    assert "trailing dot" in slip.message
    assert "'mx.pec.aruba.it.'" in (slip.fix or "")


def test_missing_trailing_dot_in_the_parent_zone_origin_is_recognised() -> None:
    report = run({"pec.example.it": {"MX": "10 mx.pec.aruba.it.example.it."}})
    assert report.codes()[0] == "MX_TRAILING_DOT"


def test_extra_provider_host_breaks_p6_2_without_being_hybrid() -> None:
    report = run(
        {
            "pec.example.it": {"MX": ["10 mx.pec.aruba.it.", "20 mx2.pec.aruba.it."]},
            "mx2.pec.aruba.it": {"A": "192.0.2.26"},
        }
    )
    assert report.codes() == ("MX_EXTRA_HOST", "SETUP_UNKNOWN")


# --- P5: third level only ----------------------------------------------------------


def test_provider_mx_at_the_registrable_domain_is_a_breach_not_a_daily_failure() -> None:
    # P5 is a real rule («deve essere necessariamente relativo al terzo livello»), but the
    # daily check looks at the PEC name only: the daily verdict passes, the breach is kept.
    report = run(
        {"pec.example.it": PEC_OK, "example.it": {"MX": "10 mx.pec.aruba.it.", **ARUBA_NS}}
    )
    assert report.verdict is Verdict.COMPLIANT
    assert report.policy_verdict is Verdict.NON_COMPLIANT
    assert [f.code for f in report.breaches] == ["MX_AT_REGISTRABLE"]
    assert report.codes() == ("MX_AT_REGISTRABLE", "MX_OK", "SETUP_PROVIDER")
    assert report.findings[0].clause == "P5"
    assert report.remedy == "\n".join(
        [
            "; delete from example.it. (P5: the PEC MX belongs at the third level only):",
            "; example.it. IN MX 10 mx.pec.aruba.it.",
        ]
    )


def test_provider_mx_at_the_registrable_domain_with_no_pec_name() -> None:
    report = run({"example.it": {"MX": "10 mx.pec.aruba.it.", **EXTERNAL_NS}})
    assert report.codes() == ("PEC_NAME_NXDOMAIN", "MX_AT_REGISTRABLE", "SETUP_EXTERNAL")


def test_unreadable_registrable_mx_is_info_only() -> None:
    report = run({"pec.example.it": PEC_OK, "example.it": {"MX": Outcome.SERVFAIL}})
    assert report.ok
    unknown = next(f for f in report.findings if f.code == "DOMAIN_MX_UNKNOWN")
    assert unknown.severity is Severity.INFO
    assert "SERVFAIL" in unknown.message


# --- P9 and P10: no hybrid mail servers ---------------------------------------------


def test_hybrid_pec_mx_breaks_p9_and_p6_2() -> None:
    report = run(
        {
            "pec.example.it": {"MX": ["10 mx.pec.aruba.it.", "20 mail.example.it."]},
            "mail.example.it": {"A": "192.0.2.3"},
        }
    )
    assert report.codes() == ("MX_EXTRA_HOST", "MX_HYBRID", "SETUP_UNKNOWN")
    assert [f.clause for f in report.errors] == ["P6.2", "P9"]
    assert report.remedy == "\n".join(
        [HEAD, MX_LINE, DELETE, "; pec.example.it. IN MX 20 mail.example.it."]
    )


def test_hybrid_registrable_mx_is_reported_for_the_domain() -> None:
    report = run(
        {
            "pec.example.it": PEC_OK,
            "example.it": {"MX": ["10 mx.aruba.it.", "20 mail.example.it."], **EXTERNAL_NS},
        }
    )
    assert report.codes() == ("DOMAIN_MX_HYBRID", "MX_OK", "SETUP_EXTERNAL")
    hybrid = report.findings[0]
    assert hybrid.clause == "P9"
    assert "mx.aruba.it" in hybrid.message
    assert "mail.example.it" in hybrid.message
    assert report.remedy is not None
    assert "(P9)" in report.remedy


def test_registrable_mx_all_outside_the_provider_is_fine() -> None:
    report = run(
        {
            "pec.example.it": PEC_OK,
            "example.it": {"MX": ["10 mx1.mail.example.", "20 mx2.mail.example."]},
        }
    )
    assert report.ok


def test_registrable_mx_all_at_the_provider_is_fine() -> None:
    report = run({"pec.example.it": PEC_OK, "example.it": {"MX": ["10 mx.aruba.it."]}})
    assert report.ok


P10 = evolve(ARUBA, outside_mail_domains=["dedicati.aruba.it"])


def test_p10_dedicated_server_counts_as_other_so_mixing_it_is_hybrid() -> None:
    report = run(
        {
            "pec.example.it": PEC_OK,
            "example.it": {"MX": ["10 mx.aruba.it.", "20 srv1.dedicati.aruba.it."]},
        },
        policy=P10,
    )
    hybrid = report.findings[0]
    assert hybrid.code == "DOMAIN_MX_HYBRID"
    assert "P10" in hybrid.message


def test_p10_dedicated_server_with_other_outside_servers_is_not_hybrid() -> None:
    report = run(
        {
            "pec.example.it": PEC_OK,
            "example.it": {"MX": ["10 srv1.dedicati.aruba.it.", "20 mail.example.net."]},
        },
        policy=P10,
    )
    assert report.ok


def test_without_p10_data_the_same_server_is_the_providers() -> None:
    report = run(
        {
            "pec.example.it": PEC_OK,
            "example.it": {"MX": ["10 srv1.dedicati.aruba.it.", "20 mail.example.net."]},
        }
    )
    assert report.findings[0].code == "DOMAIN_MX_HYBRID"


# --- P6.1: reachability, and the checker's own failures --------------------------------


@pytest.mark.parametrize(
    ("failure", "per_server"),
    [
        (Outcome.SERVFAIL, "LAME_DELEGATION"),
        (Outcome.REFUSED, "LAME_DELEGATION"),
        (Outcome.TIMEOUT, "SERVER_NO_RESPONSE"),
    ],
)
def test_failing_name_servers_make_the_pec_name_unreachable(
    failure: Outcome, per_server: str
) -> None:
    report = run({"pec.example.it": {"MX": failure}, "example.it": EXTERNAL_NS})
    assert report.verdict is Verdict.NON_COMPLIANT
    assert report.codes()[0] == "PEC_NAME_UNREACHABLE"
    assert report.codes().count(per_server) == 2
    assert report.codes()[-1] == "SETUP_EXTERNAL"
    unreachable = report.findings[0]
    assert unreachable.clause == "P6.1"
    assert str(failure) in unreachable.message
    assert unreachable.evidence[0].outcome is failure
    assert report.remedy is None


def test_unreachable_delegated_pec_zone_names_the_pec_zone() -> None:
    report = run({"pec.example.it": {"MX": Outcome.SERVFAIL, "NS": "ns1.example.net."}})
    assert "every authoritative name server of pec.example.it " in (report.findings[0].fix or "")


def test_checker_resolver_failure_is_undetermined_never_non_compliant() -> None:
    fake = FakeResolver(
        {"pec.example.it": {"MX": Outcome.TIMEOUT}, "mx.pec.aruba.it": Outcome.TIMEOUT}
    )
    report = check("example.it", resolver=fake)
    assert report.verdict is Verdict.UNDETERMINED
    assert "PEC_NAME_UNREACHABLE" not in report.codes()
    assert report.codes()[0] == "CHECK_INCOMPLETE"
    assert report.findings[0].clause is None


def test_missing_provider_host_in_a_fake_is_undetermined() -> None:
    report = check("example.it", resolver=FakeResolver({"pec.example.it": PEC_OK}))
    assert report.verdict is Verdict.UNDETERMINED
    assert "NXDOMAIN" in report.findings[0].message


def test_a_definite_p62_breach_is_non_compliant_though_the_provider_host_has_no_address() -> None:
    fake = FakeResolver({"pec.example.it": {"MX": "10 mail.example.it."}})
    report = check("example.it", resolver=fake)
    assert report.verdict is Verdict.NON_COMPLIANT
    assert {"MX_WRONG_HOST", "PROVIDER_HOST_NO_ADDRESS"} <= set(report.codes())


def test_a_definite_p62_breach_is_non_compliant_though_the_checker_is_blind() -> None:
    fake = FakeResolver(
        {"pec.example.it": {"MX": "10 mail.example.it."}, "mx.pec.aruba.it": Outcome.TIMEOUT}
    )
    report = check("example.it", resolver=fake)
    assert report.verdict is Verdict.NON_COMPLIANT
    assert {"MX_WRONG_HOST", "CHECK_INCOMPLETE"} <= set(report.codes())


def test_a_right_mx_with_a_blind_checker_stays_undetermined() -> None:
    fake = FakeResolver({"pec.example.it": PEC_OK, "mx.pec.aruba.it": Outcome.SERVFAIL})
    report = check("example.it", resolver=fake)
    assert report.verdict is Verdict.UNDETERMINED
    assert report.codes()[0] == "CHECK_INCOMPLETE"


# --- RFC 1912 on MX targets ----------------------------------------------------------


def test_mx_target_that_is_a_cname_is_an_error() -> None:
    report = run(
        {
            "pec.example.it": {"MX": "10 mail.example.it."},
            "mail.example.it": {"CNAME": "host.example.net."},
            "host.example.net": {"A": "192.0.2.9"},
        }
    )
    cname = next(f for f in report.findings if f.code == "MX_TARGET_CNAME")
    assert cname.clause is None
    assert "is an alias (CNAME) of host.example.net" in cname.message
    assert cname.evidence[0].aliases == ("host.example.net.",)


def test_mx_target_aliased_by_a_dname_names_the_dname_not_a_cname() -> None:
    report = run(
        {
            "pec.example.it": {"MX": "10 mail.old.example.net."},
            "old.example.net": {"DNAME": "new.example.net."},
            "mail.new.example.net": {"A": "192.0.2.9"},
        }
    )
    dname = next(f for f in report.findings if f.code == "MX_TARGET_CNAME")
    assert "mail.old.example.net is an alias (DNAME of old.example.net) of" in dname.message
    assert "CNAME" not in dname.message
    italian, _ = render("MX_TARGET_CNAME", dict(dname.args), "it")
    assert "è un alias (DNAME di old.example.net) di mail.new.example.net" in italian


def test_provider_host_that_is_a_cname_is_the_providers_fault_not_the_customers() -> None:
    fake = FakeResolver(
        {
            "pec.example.it": PEC_OK,
            "mx.pec.aruba.it": {"CNAME": "mx-cluster.aruba.it."},
            "mx-cluster.aruba.it": {"A": "192.0.2.25"},
        }
    )
    report = check("example.it", resolver=fake)
    assert report.codes()[0] == "PROVIDER_HOST_CNAME"
    assert "MX_TARGET_CNAME" not in report.codes()
    assert report.findings[0].severity is Severity.WARNING
    assert report.ok
    assert report.policy_verdict is Verdict.COMPLIANT


def test_mx_target_that_is_an_ip_literal_is_an_error() -> None:
    report = run({"pec.example.it": {"MX": "10 192.0.2.1."}})
    assert report.codes()[:2] == ("MX_WRONG_HOST", "MX_TARGET_IP_LITERAL")
    assert "MX_TARGET_NO_ADDRESS" not in report.codes()


def test_mx_target_without_address_is_an_error() -> None:
    report = run(
        {
            "pec.example.it": {"MX": ["10 mx.pec.aruba.it.", "20 gone.example.net."]},
        }
    )
    missing = next(f for f in report.findings if f.code == "MX_TARGET_NO_ADDRESS")
    assert missing.severity is Severity.ERROR
    assert "gone.example.net" in missing.message


def test_mx_target_with_only_an_ipv6_address_has_an_address() -> None:
    report = run(
        {
            "pec.example.it": {"MX": "10 mail.example.it."},
            "mail.example.it": {"AAAA": "2001:db8::25"},
        }
    )
    assert "MX_TARGET_NO_ADDRESS" not in report.codes()
    assert [h.host for h in report.observation.hosts] == ["mx.pec.aruba.it.", "mail.example.it."]


def test_mx_target_whose_lookup_fails_is_unknown_not_missing() -> None:
    report = run(
        {
            "pec.example.it": {"MX": ["10 mail.example.it."]},
            "mail.example.it": Outcome.SERVFAIL,
        }
    )
    unknown = next(f for f in report.findings if f.code == "MX_TARGET_UNKNOWN")
    assert unknown.severity is Severity.INFO


def test_a_slipped_host_is_not_also_reported_without_address() -> None:
    report = run(
        {"pec.example.it": {"MX": ["10 mx.pec.aruba.it.", "10 mx.pec.aruba.it.example.it."]}}
    )
    assert report.codes() == ("MX_TRAILING_DOT", "SETUP_UNKNOWN")


def test_pec_name_that_is_an_alias_is_a_warning_and_the_remedy_drops_the_cname() -> None:
    report = run(
        {
            "pec.example.it": {"CNAME": "pec.hosting.example."},
            "pec.hosting.example": {"MX": "10 mx.pec.aruba.it."},
        }
    )
    assert report.codes()[:2] == ("PEC_NAME_ALIAS", "MX_OK")
    assert report.verdict is Verdict.COMPLIANT
    assert report.remedy == "\n".join(
        [HEAD, MX_LINE, DELETE, "; pec.example.it. IN CNAME pec.hosting.example."]
    )


RENAMED = {"example.it": {"DNAME": "renamed.it."}, "pec.renamed.it": PEC_OK}
"""example.it moved to renamed.it by a DNAME at its apex (RFC 6672): pec.example.it is an alias."""
DNAME_EN = (
    "; example.it. has a DNAME record, which redirects every name below it, so pec.example.it."
    " cannot have records of its own while it is there (RFC 6672); delete it (or move it) first:"
)
DNAME_IT = (
    "; example.it. ha un record DNAME, che reindirizza tutti i nomi sotto di esso, quindi"
    " pec.example.it. non può avere record propri finché è presente (RFC 6672); eliminarlo (o"
    " spostarlo) prima:"
)


def test_pec_name_aliased_by_a_dname_is_a_dname_finding_naming_its_owner_and_target() -> None:
    report = run(RENAMED)
    assert report.codes()[:2] == ("PEC_NAME_DNAME", "MX_OK")
    assert report.verdict is Verdict.COMPLIANT
    finding = report.findings[0]
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "pec.example.it is an alias of pec.renamed.it made by the DNAME record of example.it"
        " (to renamed.it), which redirects every name below example.it; so its MX is the MX of"
        " pec.renamed.it, while an MX record belongs on pec.example.it itself."
    )
    assert ("owner", "example.it") in finding.args
    assert ("dname_target", "renamed.it") in finding.args


def test_the_fix_of_a_dname_alias_says_to_delete_the_dname_then_publish_the_mx() -> None:
    finding = run(RENAMED).findings[0]
    assert finding.fix == (
        "Delete the DNAME record of example.it (or move it): it redirects every name below"
        " example.it, so pec.example.it cannot have an MX record of its own while it is there"
        f" (RFC 6672). Then publish exactly this MX record for pec.example.it: {MX_LINE}"
    )
    assert "CNAME" not in finding.fix


def test_the_italian_fix_of_a_dname_alias_says_to_delete_the_dname() -> None:
    fake = FakeResolver({"mx.pec.aruba.it": {"A": "192.0.2.25"}, **RENAMED})
    finding = check("example.it", resolver=fake, lang="it").findings[0]
    assert finding.fix == (
        "Eliminare (o spostare) il record DNAME di example.it: reindirizza tutti i nomi sotto"
        " example.it, quindi pec.example.it non può avere un proprio record MX finché il DNAME"
        " è presente (RFC 6672). Poi pubblicare per pec.example.it esattamente questo record MX:"
        f" {MX_LINE}"
    )


def test_the_remedy_of_a_dname_alias_deletes_the_dname_first_and_names_no_cname() -> None:
    report = run(RENAMED)
    assert report.remedy == "\n".join(
        [DNAME_EN, "; example.it. IN DNAME renamed.it.", HEAD, MX_LINE]
    )


def test_the_italian_remedy_of_a_dname_alias_deletes_the_dname_first() -> None:
    fake = FakeResolver({"mx.pec.aruba.it": {"A": "192.0.2.25"}, **RENAMED})
    report = check("example.it", resolver=fake, lang="it")
    assert report.remedy == "\n".join(
        [
            DNAME_IT,
            "; example.it. IN DNAME renamed.it.",
            "; pec.example.it. deve avere esattamente questo record MX (P4.2, P6.2):",
            MX_LINE,
        ]
    )


def test_a_cname_into_a_dname_elsewhere_is_still_the_pec_names_own_alias() -> None:
    report = run(
        {
            "pec.example.it": {"CNAME": "pec.old.example."},
            "old.example": {"DNAME": "new.example."},
            "pec.new.example": PEC_OK,
        }
    )
    assert report.codes()[:2] == ("PEC_NAME_ALIAS", "MX_OK")
    assert report.remedy == "\n".join(
        [HEAD, MX_LINE, DELETE, "; pec.example.it. IN CNAME pec.old.example."]
    )


def test_a_dname_to_a_missing_domain_is_named_beside_the_nxdomain() -> None:
    report = run({"example.it": {"DNAME": "gone.it."}})
    assert report.codes()[:2] == ("PEC_NAME_NXDOMAIN", "PEC_NAME_DNAME")
    assert report.remedy is not None
    assert report.remedy.startswith(DNAME_EN)


# --- P4: who runs the DNS ----------------------------------------------------------


def test_provider_name_servers_are_reported_as_p4_1() -> None:
    report = run({"pec.example.it": PEC_OK, "example.it": ARUBA_NS})
    setup = report.findings[-1]
    assert (setup.code, setup.clause, setup.severity) == ("SETUP_PROVIDER", "P4.1", Severity.INFO)


def test_pec_zone_delegated_to_the_provider_is_reported_as_p4_2() -> None:
    report = run({"pec.example.it": {**PEC_OK, **ARUBA_NS}, "example.it": EXTERNAL_NS})
    assert report.findings[-1].code == "SETUP_DELEGATED"
    assert report.findings[-1].clause == "P4.2"


def test_external_name_servers_are_reported_with_the_customers_responsibility() -> None:
    report = run({"pec.example.it": PEC_OK, "example.it": EXTERNAL_NS})
    setup = report.findings[-1]
    assert setup.code == "SETUP_EXTERNAL"
    assert "P4.3" in setup.message


def test_pec_zone_delegated_to_other_servers_is_external() -> None:
    report = run(
        {"pec.example.it": {**PEC_OK, "NS": "ns.pec-host.example."}, "example.it": ARUBA_NS}
    )
    assert report.findings[-1].code == "SETUP_EXTERNAL"
    assert "pec.example.it is served" in report.findings[-1].message


def test_mixed_provider_and_external_name_servers_count_as_external() -> None:
    report = run(
        {"pec.example.it": PEC_OK, "example.it": {"NS": ["dns.technorail.com.", "ns.example.net."]}}
    )
    assert report.findings[-1].code == "SETUP_EXTERNAL"


# --- Policy: re-grading and providers as data -----------------------------------------


def test_policy_can_regrade_a_code_and_the_verdict_follows() -> None:
    strict = evolve(ARUBA, severities={"MX_WRONG_PREFERENCE": Severity.ERROR})
    report = run({"pec.example.it": {"MX": "20 mx.pec.aruba.it."}}, policy=strict)
    assert report.findings[0].severity is Severity.ERROR
    assert report.verdict is Verdict.NON_COMPLIANT


def test_another_provider_is_only_data() -> None:
    legalmail = evolve(
        ARUBA,
        name="InfoCert Legalmail",
        label="posta",
        mx_host="mx.cert.legalmail.it",
        provider_mail_domains=["legalmail.it"],
        name_servers=["ns1.infocert.it"],
    )
    fake = FakeResolver(
        {
            "posta.example.it": {"MX": "10 mx.cert.legalmail.it."},
            "mx.cert.legalmail.it": {"A": "192.0.2.77"},
        }
    )
    report = check("example.it", resolver=fake, policy=legalmail)
    assert report.ok
    assert report.policy == "InfoCert Legalmail"
    assert report.observation.pec_name == "posta.example.it."


# --- Judging as a whole --------------------------------------------------------------


def test_findings_are_sorted_errors_first_and_keep_rule_order_within_a_severity() -> None:
    report = run(
        {
            "pec.example.it": {"MX": ["10 mx.pec.aruba.it.", "20 mail.example.it."]},
            "example.it": {"MX": ["10 mx.pec.aruba.it.", "20 mail.example.it."], **EXTERNAL_NS},
            "mail.example.it": {"A": "192.0.2.3"},
        }
    )
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, reverse=True)
    assert report.codes() == (
        "MX_EXTRA_HOST",
        "MX_AT_REGISTRABLE",
        "MX_HYBRID",
        "DOMAIN_MX_HYBRID",
        "SETUP_EXTERNAL",
    )


def test_same_observation_gives_the_same_findings() -> None:
    report = run({"pec.example.it": {"MX": "10 mail.example.it."}})
    assert judge(report.observation, ARUBA) == judge(report.observation, ARUBA)


@pytest.mark.skipif(COMPILED, reason=INTERPRETED_ONLY)
def test_every_rule_is_a_documented_function() -> None:
    for rule in RULES:
        assert rule.__doc__


def test_every_finding_carries_its_evidence() -> None:
    report = run(
        {
            "pec.example.it": {"MX": ["10 mx.pec.aruba.it.", "20 mail.example.it."]},
            "example.it": {"MX": "10 mx.pec.aruba.it.", **EXTERNAL_NS},
            "mail.example.it": {"CNAME": "x.example.net."},
        }
    )
    for finding in report.findings:
        assert finding.evidence, finding.code
        assert all(isinstance(a, Answer) for a in finding.evidence)
