"""The DNSSEC walk (pecdns._dnssec) against signed zones answered in-process: no server."""

from __future__ import annotations

import re
import string
import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_lab import NOW, VALID, Lab, answer, ds_text, new_key, signed, soa
from pecdns import _dnssec as dnssec
from pecdns._codes import CATALOGUE, LANGUAGES
from pecdns._dnssec import (
    CAUSES,
    ROOT_ANCHOR,
    DnssecState,
    DnssecStatus,
    Question,
    TrustAnchor,
    _Known,
    _matches,
    _qname,
    _question,
    _rrset,
    _sigs,
    _Verified,
    crypto_available,
    drive,
    plan,
)
from pecdns.exceptions import InvalidRecordError
from pecdns.resolvers._dnssec_io import validate

if TYPE_CHECKING:
    from collections.abc import Callable

    Ask = Callable[[list[Question]], list[dns.message.Message | None]]

DNSKEY = dns.rdatatype.DNSKEY
S, IN, B, U = DnssecStatus.SECURE, DnssecStatus.INSECURE, DnssecStatus.BOGUS, DnssecStatus.UNKNOWN


@pytest.fixture(scope="module")
def lab() -> Lab:
    return Lab()


def walk(lab: Lab, child: str, *, ask: Ask | None = None, at: datetime = NOW) -> DnssecState:
    return drive(plan(f"pec.{child}.it", at=at, anchor=lab.anchor), ask or lab.ask)


def changed(lab: Lab, edit: Callable[[Question, dns.message.Message], None]) -> Ask:
    """The lab's answers, each passed through ``edit`` first."""

    def ask(questions: list[Question]) -> list[dns.message.Message | None]:
        responses = lab.ask(questions)
        for q, r in zip(questions, responses, strict=True):
            if r is not None:
                edit(q, r)
        return responses

    return ask


# -- the chain, case by case ------------------------------------------------------------------


def test_a_signed_child_with_a_matching_ds_is_secure(lab: Lab) -> None:
    state = walk(lab, "secure")
    assert (state.status, state.cause) == (S, "secure")
    assert state.chain == ("it.", "secure.it.")
    assert state.subject == "MX pec.secure.it."


def test_expired_signatures_are_bogus_with_the_expiry_date(lab: Lab) -> None:
    state = walk(lab, "expired")
    assert (state.status, state.cause) == (B, "expired")
    assert state.subject == "DNSKEY expired.it."
    assert re.search(r"expired on 2026-11-17 12:00:00 UTC", state.detail)
    assert state.chain == ("it.", "expired.it.")


def _shared(lab: Lab) -> Ask:
    """The lab's answers, each question's one response object shared, as a batch shares them."""
    seen: dict[tuple[str, str, str], dns.message.Message | None] = {}

    def ask(questions: list[Question]) -> list[dns.message.Message | None]:
        for q in questions:
            if (q.name, q.rdtype, q.zone) not in seen:
                seen[q.name, q.rdtype, q.zone] = lab.ask([q])[0]
        return [seen[q.name, q.rdtype, q.zone] for q in questions]

    return ask


def _calls(monkeypatch: pytest.MonkeyPatch, function: str) -> list[tuple[object, ...]]:
    """The arguments of every call to ``dns.dnssec.<function>`` from now on."""
    calls: list[tuple[object, ...]] = []
    real = getattr(dns.dnssec, function)

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(dns.dnssec, function, counting)
    return calls


def test_a_signature_met_again_in_a_shared_response_is_checked_once(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = _calls(monkeypatch, "validate_rrsig")
    ask = _shared(lab)
    first = walk(lab, "secure", ask=ask)
    once = len(checked)
    again = walk(lab, "secure", ask=ask)
    assert first == again
    assert first.status is S
    assert once >= 4  # it.'s keys, secure.it.'s DS and keys, the MX (and any second RRSIG)
    assert len(checked) == once  # nothing checked twice


def test_a_ds_met_again_in_a_shared_response_is_digested_once(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dnssec, "_MATCHED", _Known(256))  # what earlier tests' walks learnt
    made = _calls(monkeypatch, "make_ds")
    ask = _shared(lab)
    first = walk(lab, "secure", ask=ask)
    once = len(made)
    again = walk(lab, "secure", ask=ask)
    assert first == again
    assert first.status is S
    assert once >= 2  # the anchor's DS against it.'s key, secure.it.'s against its key
    assert len(made) == once  # the same DS and key, met again: not digested again


def test_signatures_remembered_are_bounded_the_oldest_forgotten_first(lab: Lab) -> None:
    response = lab.ask([Question("it.", "DNSKEY", "it.")])[0]
    assert response is not None
    keys = _rrset(response, dns.name.from_text("it."), DNSKEY)
    assert keys is not None
    sigs = _sigs(response, keys.name, DNSKEY)
    remembered = _Verified(1)
    now = NOW.timestamp()
    remembered.add(keys, sigs[0], keys.name, keys)
    assert remembered.holds(keys, sigs[0], keys.name, keys, now)
    other = dns.rrset.from_rdata_list(keys.name, keys.ttl, list(keys))
    remembered.add(other, sigs[0], keys.name, keys)
    assert not remembered.holds(keys, sigs[0], keys.name, keys, now)
    assert remembered.holds(other, sigs[0], keys.name, keys, now)


def test_a_signature_remembered_valid_is_not_taken_past_its_expiry(lab: Lab) -> None:
    ask = _shared(lab)
    assert walk(lab, "secure", ask=ask).status is S
    later = walk(lab, "secure", ask=ask, at=VALID[1] + timedelta(days=1))
    # The anchor's own keys have expired: the checker's problem (UNKNOWN), not the domain's.
    assert (later.status, later.cause) == (U, "anchor")
    assert "expired" in later.detail


def test_signatures_not_yet_valid_are_bogus(lab: Lab) -> None:
    state = walk(lab, "future")
    assert (state.status, state.cause) == (B, "not_yet_valid")
    assert "valid only from 2026-12-07" in state.detail


def test_signatures_that_were_valid_expire_when_the_check_is_later(lab: Lab) -> None:
    anchor = TrustAnchor("it.", dnskey=(lab.parent_key[1].to_text(),))  # the parent is trusted
    later = NOW + timedelta(days=60)

    def at_the_parent_fresh(questions: list[Question]) -> list[dns.message.Message | None]:
        # it. re-signed in time; secure.it. still carries the signatures made at NOW.
        fresh = Lab.resigned(lab.parent, lab.parent_key, later)
        zones = {**lab.zones, "it.": fresh}
        return [answer(zones.get(q.zone), q) for q in questions]

    state = drive(plan("pec.secure.it", at=later, anchor=anchor), at_the_parent_fresh)
    assert (state.status, state.cause, state.subject) == (B, "expired", "DNSKEY secure.it.")


def test_a_failure_at_the_anchor_is_the_checkers_and_unknown_not_bogus(lab: Lab) -> None:
    state = walk(lab, "secure", at=NOW + timedelta(days=60))
    assert (state.status, state.cause, state.subject) == (U, "anchor", "DNSKEY it.")
    assert "expired" in state.detail


def test_a_record_changed_after_signing_is_bogus(lab: Lab) -> None:
    state = walk(lab, "tampered")
    assert (state.status, state.cause, state.subject) == (B, "bad_signature", "MX pec.tampered.it.")


def test_a_missing_rrsig_in_a_signed_zone_is_bogus(lab: Lab) -> None:
    state = walk(lab, "nosig")
    assert (state.status, state.cause, state.subject) == (B, "missing_rrsig", "MX pec.nosig.it.")


def test_a_ds_matching_no_dnskey_is_bogus_and_names_both_key_tags(lab: Lab) -> None:
    state = walk(lab, "staleds")
    assert (state.status, state.cause, state.subject) == (B, "ds_mismatch", "DNSKEY staleds.it.")
    ds_tag = int(lab.parent.find_rdataset("staleds.it.", "DS")[0].key_tag)
    key = lab.children["staleds.it."].find_rdataset("staleds.it.", "DNSKEY")[0]
    assert str(ds_tag) in state.detail
    assert str(dns.dnssec.key_id(key)) in state.detail


def test_an_unsigned_delegation_proven_by_nsec_is_insecure(lab: Lab) -> None:
    state = walk(lab, "unsigned")
    assert (state.status, state.cause, state.subject) == (IN, "unsigned", "DS unsigned.it.")
    assert state.chain == ("it.", "unsigned.it.")


def test_an_unsigned_delegation_without_proof_under_a_signed_parent_is_bogus(lab: Lab) -> None:
    state = walk(lab, "unproven")
    assert (state.status, state.cause) == (B, "unproven_insecure")
    assert "no NSEC/NSEC3" in state.detail


def test_a_name_that_does_not_exist_in_a_signed_zone_is_a_secure_denial(lab: Lab) -> None:
    state = walk(lab, "nowhere")
    assert state.status == S
    assert "pec.nowhere.it. does not exist" in state.detail


def test_a_child_with_a_ds_but_no_dnskey_is_bogus(lab: Lab) -> None:
    state = walk(lab, "secure", ask=changed(lab, _drop_dnskey))
    assert (state.status, state.cause) == (B, "ds_mismatch")
    assert "publishes no DNSKEY" in state.detail


def _drop_dnskey(q: Question, r: dns.message.Message) -> None:
    if q.rdtype == "DNSKEY" and q.name == "secure.it.":
        r.answer.clear()


def test_an_unsigned_denial_in_a_signed_zone_is_bogus(lab: Lab) -> None:
    def unsign(q: Question, r: dns.message.Message) -> None:
        r.authority[:] = [s for s in r.authority if s.rdtype != dns.rdatatype.RRSIG]

    state = walk(lab, "unsigned", ask=changed(lab, unsign))
    assert (state.status, state.cause) == (B, "missing_rrsig")
    assert state.subject.startswith("NSEC unsigned.it.")


def test_a_signature_by_another_zone_is_not_accepted(lab: Lab) -> None:
    def resign(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "MX":
            mx = r.answer[0]
            other, key = dns.name.from_text("other.it."), new_key(ksk=False)
            sig = dns.dnssec.sign(mx, key[0], other, key[1], VALID[0], VALID[1])
            r.answer[1] = dns.rrset.from_rdata(mx.name, mx.ttl, sig)

    state = walk(lab, "secure", ask=changed(lab, resign))
    assert (state.status, state.cause) == (B, "missing_rrsig")
    assert "not made by the zone secure.it." in state.detail


def test_ds_records_of_unsupported_algorithms_only_leave_the_zone_insecure(lab: Lab) -> None:
    key = lab.children["secure.it."].find_rdataset("secure.it.", "DNSKEY")[0]
    anchor = TrustAnchor("secure.it.", ds=(f"{dns.dnssec.key_id(key)} 253 2 " + "00" * 32,))
    state = drive(plan("pec.secure.it", at=NOW, anchor=anchor), lab.ask)
    assert (state.status, state.cause) == (IN, "unsigned")


# -- NSEC3 denials ------------------------------------------------------------------------------


def nsec3_denial(lab: Lab, child: str, *, owner: str | None, types: str, flags: int = 0) -> Ask:
    """Answers where the parent denies the DS of ``child`` with one signed NSEC3 record."""

    def edit(q: Question, r: dns.message.Message) -> None:
        if q.rdtype != "DS" or q.name != child:
            return
        hashed = dns.dnssec.nsec3_hash(child, b"", 0, 1)
        label, nxt = (hashed, "0" * 32) if owner is None else (owner, "V" * 32)
        rrset = dns.rrset.from_text(
            f"{label}.it.", 300, "IN", "NSEC3", f"1 {flags} 0 - {nxt} {types}"
        )
        private, dnskey = lab.parent_key
        sig = dns.dnssec.sign(rrset, private, dns.name.from_text("it."), dnskey, *VALID)
        keep = [s for s in r.authority if s.rdtype == dns.rdatatype.SOA or _sig_of_soa(s)]
        r.authority[:] = [*keep, rrset, dns.rrset.from_rdata(rrset.name, 300, sig)]

    return changed(lab, edit)


def _sig_of_soa(rrset: dns.rrset.RRset) -> bool:
    return rrset.rdtype == dns.rdatatype.RRSIG and rrset[0].type_covered == dns.rdatatype.SOA


def test_an_nsec3_record_proving_a_delegation_without_ds_is_insecure(lab: Lab) -> None:
    ask = nsec3_denial(lab, "unsigned.it.", owner=None, types="NS")
    state = walk(lab, "unsigned", ask=ask)
    assert (state.status, state.cause) == (IN, "unsigned")


def test_an_nsec3_opt_out_span_over_the_child_is_insecure(lab: Lab) -> None:
    ask = nsec3_denial(lab, "unsigned.it.", owner="0" * 32, types="NS", flags=1)
    assert walk(lab, "unsigned", ask=ask).status == IN


def test_an_nsec3_span_without_opt_out_means_no_cut_and_the_walk_stays_in_the_parent(
    lab: Lab,
) -> None:
    ask = nsec3_denial(lab, "unsigned.it.", owner="0" * 32, types="NS")
    state = walk(lab, "unsigned", ask=ask)
    assert state.chain == ("it.",)  # the MX is then asked of it.'s servers, which deny it
    assert state.subject == "MX pec.unsigned.it."


def test_an_nsec3_record_listing_ds_proves_nothing(lab: Lab) -> None:
    ask = nsec3_denial(lab, "unsigned.it.", owner=None, types="NS DS")
    state = walk(lab, "unsigned", ask=ask)
    assert (state.status, state.cause) == (B, "unproven_insecure")


def test_an_nsec3_record_of_another_zone_proves_nothing(lab: Lab) -> None:
    hashed = dns.dnssec.nsec3_hash("unsigned.it.", b"", 0, 1)
    ask = nsec3_denial(lab, "unsigned.it.", owner=f"{hashed}.unsigned", types="NS")
    state = walk(lab, "unsigned", ask=ask)
    assert (state.status, state.cause) == (B, "unproven_insecure")


def test_an_nsec_record_at_the_child_listing_ds_proves_nothing(lab: Lab) -> None:
    def lie(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "DS":
            for i, s in enumerate(r.authority):
                if s.rdtype == dns.rdatatype.NSEC:
                    text = f"{s[0].next} NS DS RRSIG NSEC"
                    rrset = dns.rrset.from_text(s.name, s.ttl, "IN", "NSEC", text)
                    private, dnskey = lab.parent_key
                    sig = dns.dnssec.sign(rrset, private, dns.name.from_text("it."), dnskey, *VALID)
                    r.authority[i] = rrset
                    r.authority[i + 1] = dns.rrset.from_rdata(s.name, s.ttl, sig)

    state = walk(lab, "unsigned", ask=changed(lab, lie))
    assert (state.status, state.cause) == (B, "unproven_insecure")


# -- what cannot be known ---------------------------------------------------------------------


def test_no_answer_at_all_is_unknown_never_bogus(lab: Lab) -> None:
    state = walk(lab, "secure", ask=lambda qs: [None for _ in qs])
    assert (state.status, state.cause, state.subject) == (U, "no_answer", "DNSKEY it.")


def test_a_servfail_is_unknown_and_says_so(lab: Lab) -> None:
    def fail(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "MX":
            r.set_rcode(dns.rcode.SERVFAIL)

    state = walk(lab, "secure", ask=changed(lab, fail))
    assert (state.status, state.cause) == (U, "no_answer")
    assert "SERVFAIL" in state.detail


def test_an_answer_to_another_question_is_unknown(lab: Lab) -> None:
    def other(questions: list[Question]) -> list[dns.message.Message | None]:
        q = questions[0]
        return [answer(lab.zones.get(q.zone), Question(q.name, "TXT", q.zone))]

    assert walk(lab, "secure", ask=other).detail == "the response answers another question"


def test_an_answer_for_another_name_of_the_same_type_is_unknown(lab: Lab) -> None:
    def rename(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "MX":
            r.question[0] = dns.rrset.RRset(
                dns.name.from_text("other.it."), r.question[0].rdclass, r.question[0].rdtype
            )

    state = walk(lab, "secure", ask=changed(lab, rename))
    assert (state.status, state.detail) == (U, "the response answers another question")


def test_a_question_echoed_in_another_case_is_the_same_question(lab: Lab) -> None:
    def shout(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "MX":
            asked = r.question[0]
            upper = dns.name.from_text(asked.name.to_text().upper())
            r.question[0] = dns.rrset.RRset(upper, asked.rdclass, asked.rdtype)

    assert walk(lab, "secure", ask=changed(lab, shout)).status == DnssecStatus.SECURE


def test_an_extended_rcode_is_named_in_full(lab: Lab) -> None:
    def badvers(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "MX":
            r.set_rcode(dns.rcode.BADVERS)  # 16: the OPT record carries its upper bits

    state = walk(lab, "secure", ask=changed(lab, badvers))
    assert (state.status, state.cause) == (U, "no_answer")
    assert state.detail.endswith("answered BADVERS")


def test_an_empty_round_of_responses_is_unknown(lab: Lab) -> None:
    assert walk(lab, "secure", ask=lambda qs: []).status == U


def test_a_referral_instead_of_a_ds_set_is_unknown(lab: Lab) -> None:
    def refer(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "DS":
            r.flags &= ~dns.flags.AA
            r.authority[:] = [dns.rrset.from_text(q.name, 300, "IN", "NS", "ns.elsewhere.")]

    state = walk(lab, "secure", ask=changed(lab, refer))
    assert (state.status, state.cause) == (U, "no_answer")
    assert "referral" in state.detail


def test_an_answer_leading_out_of_the_zone_is_not_followed(lab: Lab) -> None:
    def alias(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "MX":
            r.answer[:] = [dns.rrset.from_text("elsewhere.example.", 300, "IN", "MX", "10 a.")]

    state = walk(lab, "secure", ask=changed(lab, alias))
    assert (state.status, state.cause) == (U, "no_answer")
    assert "leads out of secure.it." in state.detail


def test_a_name_outside_the_anchor_is_unknown(lab: Lab) -> None:
    state = drive(plan("pec.example.com", at=NOW, anchor=lab.anchor), lab.ask)
    assert (state.status, state.cause) == (U, "outside_anchor")


def test_without_cryptography_the_state_is_unknown_and_says_which_extra_to_install(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)  # the import now fails
    assert not crypto_available()
    state = walk(lab, "secure")
    assert (state.status, state.cause) == (U, "no_crypto")
    assert "install pecdns[dnssec]" in state.reason


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(InvalidRecordError, match="timezone-aware"):
        next(plan("pec.example.it", at=datetime(2026, 1, 1)))  # noqa: DTZ001 -- the point


# -- trust anchors --------------------------------------------------------------------------------


def test_a_dnskey_anchor_starts_the_chain_as_well_as_a_ds_anchor(lab: Lab) -> None:
    anchor = TrustAnchor("it.", dnskey=(lab.parent_key[1].to_text(),))
    assert drive(plan("pec.secure.it", at=NOW, anchor=anchor), lab.ask).status == S


def test_an_anchor_matching_no_key_of_its_zone_leaves_the_state_unknown(lab: Lab) -> None:
    anchor = TrustAnchor("it.", ds=(ds_text("it.", new_key(ksk=True)[1]),))
    state = drive(plan("pec.secure.it", at=NOW, anchor=anchor), lab.ask)
    assert (state.status, state.cause, state.subject) == (U, "anchor", "DNSKEY it.")
    assert "match none of its DNSKEY records" in state.detail


def test_an_anchor_needs_a_record() -> None:
    with pytest.raises(InvalidRecordError, match="no DS and no DNSKEY"):
        TrustAnchor("it.")


def test_an_anchor_refuses_an_unparsable_record() -> None:
    with pytest.raises(InvalidRecordError, match="is not a DS record"):
        TrustAnchor("it.", ds=("not a ds",))


# Public keys of the root KSKs as IANA publishes them beside their DS digests (root-anchors.xml).
KSK_2017 = (
    "257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5"
    "emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHw"
    "VN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOL"
    "YA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU="
)
KSK_2024 = (
    "257 3 8 AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZB"
    "U5eeHspaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+siFUiRA"
    "Axm9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u"
    "1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc="
)


def test_the_default_anchor_is_the_roots_published_ksk_2017_and_ksk_2024() -> None:
    keys = [dns.rdata.from_text("IN", "DNSKEY", k) for k in (KSK_2017, KSK_2024)]
    made = {dns.dnssec.make_ds(".", k, "SHA256").to_text() for k in keys}
    assert ROOT_ANCHOR.zone == "."
    assert {d.to_text() for d in ROOT_ANCHOR.ds_rdatas()} == made
    assert sorted(d.key_tag for d in ROOT_ANCHOR.ds_rdatas()) == [20326, 38696]


def test_the_root_anchor_validates_a_root_dnskey_set_signed_by_ksk_2024() -> None:
    # A lab root cannot be signed with the real key; check the match of DS and key instead.
    key = dns.rdata.from_text("IN", "DNSKEY", KSK_2024)
    ds = next(d for d in ROOT_ANCHOR.ds_rdatas() if d.key_tag == 38696)
    assert dns.dnssec.make_ds(".", key, ds.digest_type).digest == ds.digest


# -- the questions and the catalogue ------------------------------------------------------------


def test_questions_ask_with_do_and_cd_so_recursives_hand_over_bogus_data() -> None:
    m = Question("example.it.", "DS", "it.").message()
    assert m.ednsflags & dns.flags.DO
    assert m.flags & dns.flags.CD
    assert m.flags & dns.flags.RD


def test_the_walk_asks_the_parent_for_the_ds_and_the_child_for_its_keys(lab: Lab) -> None:
    asked: list[Question] = []

    def record(questions: list[Question]) -> list[dns.message.Message | None]:
        asked.extend(questions)
        return lab.ask(questions)

    walk(lab, "secure", ask=record)
    assert [(q.name, q.rdtype, q.zone) for q in asked] == [
        ("it.", "DNSKEY", "it."),
        ("secure.it.", "DS", "it."),
        ("secure.it.", "DNSKEY", "secure.it."),
        ("pec.secure.it.", "DS", "secure.it."),
        ("pec.secure.it.", "MX", "secure.it."),
    ]


def test_a_state_without_subject_reads_as_cause_and_detail() -> None:
    state = DnssecState(U, "no_crypto", "", "install pecdns[dnssec]")
    assert state.reason == "signatures not checked: install pecdns[dnssec]: install pecdns[dnssec]"


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


_CODES = ("DNSSEC_BOGUS", "DNSSEC_SECURE", "DNSSEC_INSECURE", "DNSSEC_UNKNOWN")
ENTRIES = [CATALOGUE[code] for code in _CODES]


def test_each_dnssec_finding_has_the_same_fields_in_every_language() -> None:
    for info in ENTRIES:
        assert set(info.message) == set(LANGUAGES)
        # Only English messages quote the detail (English text from a library), as elsewhere.
        fields = {frozenset(_fields(info.message[lang]) - {"detail"}) for lang in LANGUAGES}
        assert len(fields) == 1
        if info.fix is not None:
            assert len({frozenset(_fields(info.fix[lang])) for lang in LANGUAGES}) == 1


def test_bogus_is_an_error_under_p6_1_and_the_others_are_information() -> None:
    grades = {c.code: (c.severity.name, c.clause) for c in ENTRIES}
    assert grades["DNSSEC_BOGUS"] == ("ERROR", "P6.1")
    assert {grades[c][0] for c in ("DNSSEC_SECURE", "DNSSEC_INSECURE", "DNSSEC_UNKNOWN")} == {
        "INFO"
    }
    fix = next(c for c in ENTRIES if c.code == "DNSSEC_BOGUS").fix
    assert fix is not None
    assert all(w in fix["en"] for w in ("re-sign", "stale DS", "remove DNSSEC"))


def test_every_cause_reads_in_every_language() -> None:
    assert all(set(texts) == set(LANGUAGES) for texts in CAUSES.values())


# -- the runner, without servers ------------------------------------------------------------


def test_the_runner_gives_up_at_its_deadline_without_asking() -> None:
    state = validate("pec.example.it", at=NOW, recursive=["192.0.2.1"], budget=0.0)
    assert (state.status, state.cause) == (U, "no_answer")


def test_the_runner_skips_a_server_it_cannot_reach() -> None:
    state = validate(
        "pec.example.it", at=NOW, servers={".": ["not-an-address"]}, timeout=0.2, budget=1.0
    )
    assert (state.status, state.detail) == (U, "no server of . answered")


def test_the_lab_signs_the_parent_with_the_anchor_key(lab: Lab) -> None:
    # The lab itself: an unrelated parent signed by another key is refused by the anchor.
    other = signed("it.", soa("it."), [new_key(ksk=True)], VALID)
    state = drive(
        plan("pec.secure.it", at=NOW, anchor=lab.anchor), lambda qs: [answer(other, q) for q in qs]
    )
    assert (state.status, state.cause) == (U, "anchor")


def test_a_sha1_ds_is_still_checked_as_validators_do(lab: Lab) -> None:
    policy = dns.dnssec.allow_all_policy  # making a SHA-1 DS is refused by default
    sha1 = dns.dnssec.make_ds("it.", lab.parent_key[1], "SHA1", policy=policy).to_text()
    anchor = TrustAnchor("it.", ds=(sha1,))
    assert drive(plan("pec.secure.it", at=NOW, anchor=anchor), lab.ask).status == S


def test_a_signature_by_a_key_the_zone_does_not_publish_is_bogus(lab: Lab) -> None:
    def rekey(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "MX":
            mx, key = r.answer[0], new_key(ksk=False)
            sig = dns.dnssec.sign(mx, key[0], dns.name.from_text("secure.it."), key[1], *VALID)
            r.answer[1] = dns.rrset.from_rdata(mx.name, mx.ttl, sig)

    state = walk(lab, "secure", ask=changed(lab, rekey))
    assert (state.status, state.cause) == (B, "missing_rrsig")
    assert "names a key not in the trusted DNSKEY set of secure.it." in state.detail


def test_a_signature_of_an_algorithm_that_cannot_be_checked_says_so() -> None:
    key = dns.rdata.from_text("IN", "DNSKEY", "257 3 253 AAAA")
    tag = dns.dnssec.key_id(key)  # type: ignore[arg-type]
    sig = f"DNSKEY 253 0 300 20261228000000 20261126000000 {tag} it. AAAA"

    def ask(questions: list[Question]) -> list[dns.message.Message | None]:
        r = dns.message.make_response(questions[0].message())
        r.answer.append(dns.rrset.from_text("it.", 300, "IN", "DNSKEY", key.to_text()))
        r.answer.append(dns.rrset.from_text("it.", 300, "IN", "RRSIG", sig))
        return [r]

    anchor = TrustAnchor("it.", dnskey=(key.to_text(),))
    state = drive(plan("pec.secure.it", at=NOW, anchor=anchor), ask)
    assert (state.status, state.cause) == (U, "anchor")
    assert "cannot be checked" in state.detail


def test_the_order_of_records_in_a_response_does_not_matter(lab: Lab) -> None:
    def reverse(q: Question, r: dns.message.Message) -> None:
        r.answer.reverse()
        r.authority.reverse()

    assert walk(lab, "secure", ask=changed(lab, reverse)).status == S
    assert walk(lab, "unsigned", ask=changed(lab, reverse)).status == IN


def test_an_unrelated_signed_nsec_record_is_passed_over(lab: Lab) -> None:
    apex = lab.parent.find_rdataset("it.", "NSEC")
    apex_sig = lab.parent.find_rdataset("it.", "RRSIG", "NSEC")

    def prepend(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "DS" and q.name == "unsigned.it.":
            it = dns.name.from_text("it.")
            r.authority[:0] = [_as_rrset(it, apex), _as_rrset(it, apex_sig)]

    assert walk(lab, "unsigned", ask=changed(lab, prepend)).status == IN


def _as_rrset(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    return dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))


def test_an_nsec3_record_about_another_name_proves_nothing(lab: Lab) -> None:
    ask = nsec3_denial(lab, "unsigned.it.", owner="V" * 31 + "U", types="NS", flags=1)
    state = walk(lab, "unsigned", ask=ask)
    assert (state.status, state.cause) == (B, "unproven_insecure")


def test_a_referral_for_the_keys_of_a_child_is_unknown_not_a_missing_dnskey(lab: Lab) -> None:
    def refer(q: Question, r: dns.message.Message) -> None:
        if q.rdtype == "DNSKEY" and q.name == "secure.it.":
            r.flags &= ~dns.flags.AA
            r.answer.clear()
            r.authority[:] = [dns.rrset.from_text(q.name, 300, "IN", "NS", "ns.secure.it.")]

    state = walk(lab, "secure", ask=changed(lab, refer))
    assert (state.status, state.cause, state.subject) == (U, "no_answer", "DNSKEY secure.it.")


def alias_zone(lab: Lab, target: str) -> dns.zone.Zone:
    """secure.it. with pec.secure.it. an alias of ``target``, signed by secure.it.'s key."""
    text = soa("secure.it.") + f"pec CNAME {target}\nmail MX {Lab.MX}\n"
    return signed("secure.it.", text, [lab.child_keys["secure.it."]], VALID)


def test_an_alias_on_the_way_is_no_zone_cut_and_its_signature_is_checked(lab: Lab) -> None:
    zones = {**lab.zones, "secure.it.": alias_zone(lab, "mail.secure.it.")}

    def ask(questions: list[Question]) -> list[dns.message.Message | None]:
        responses = [answer(zones.get(q.zone), q) for q in questions]
        for q, r in zip(questions, responses, strict=True):
            if r is not None and q.name == "pec.secure.it." and not r.answer:
                # As a server does: the alias, for any type asked at its name.
                node = zones["secure.it."].get_node("pec.secure.it.")
                assert node is not None
                r.authority.clear()
                name = dns.name.from_text(q.name)
                for rdtype in (dns.rdatatype.CNAME, dns.rdatatype.RRSIG):
                    cover = dns.rdatatype.CNAME if rdtype == dns.rdatatype.RRSIG else 0
                    found = node.get_rdataset(
                        dns.rdataclass.IN, rdtype, dns.rdatatype.RdataType.make(cover)
                    )
                    assert found is not None
                    r.answer.append(_as_rrset(name, found))
        return responses

    state = drive(plan("pec.secure.it", at=NOW, anchor=lab.anchor), ask)
    assert (state.status, state.chain) == (S, ("it.", "secure.it."))


def test_each_state_of_the_lab_fills_its_findings_message_and_fix_in_every_language(
    lab: Lab,
) -> None:
    entries = {c.code: c for c in ENTRIES}
    for child in ("secure", "expired", "staleds", "unsigned", "unproven"):
        state = walk(lab, child)
        info = entries[state.code]
        for lang in LANGUAGES:
            args = state.message_args(f"pec.{child}.it.", lang)
            assert f"pec.{child}.it." in info.message[lang].format(**args)
            if info.fix is not None:
                assert info.fix[lang].format(**args)


def test_the_zone_to_act_on_is_the_child_whose_ds_or_keys_failed(lab: Lab) -> None:
    assert walk(lab, "staleds").zone == "staleds.it."
    assert walk(lab, "unproven").zone == "unproven.it."
    assert walk(lab, "tampered").zone == "tampered.it."


def test_a_state_with_no_chain_has_no_zone_to_act_on() -> None:
    state = DnssecState(U, "no_crypto", "", "install pecdns[dnssec]")
    assert state.zone == ""
    assert state.message_args("pec.example.it.", "en")["zone"] == "-"


def test_an_anchors_records_are_parsed_once_for_every_walk() -> None:
    # Every walk of a batch reads the anchor: its records are parsed once, not per walk.
    again = TrustAnchor(".", ds=ROOT_ANCHOR.ds)
    assert again.ds_rdatas()[0] is ROOT_ANCHOR.ds_rdatas()[0]


@pytest.mark.parametrize(
    "name",
    ["pec.example.it", "pec.example.it.", "Pec.Example.IT", "_x.a-b.it", "a\\.b.example.it", "."],
)
def test_the_walks_name_is_the_one_dnspython_reads(name: str) -> None:
    made = _qname(name)
    assert made.labels == dns.name.from_text(name).labels  # case and escapes kept


def test_a_walks_question_keeps_its_names_case_whatever_was_asked_before() -> None:
    ds, root = dns.rdatatype.DS, dns.name.root
    lower = _question(dns.name.from_text("example.it."), ds, root)
    upper = _question(dns.name.from_text("Example.IT."), ds, root)
    assert (lower.name, upper.name) == ("example.it.", "Example.IT.")
    assert _question(dns.name.from_text("example.it."), ds, root) is lower  # made once


def test_a_name_too_long_for_the_walk_is_refused_as_dnspython_refuses_it() -> None:
    with pytest.raises(dns.name.NameTooLong):
        _qname(("a" * 63 + ".") * 4)


def test_a_name_dnspython_refuses_raises_before_the_walk_asks_anything() -> None:
    walk = plan(("a" * 63 + ".") * 4, at=NOW)
    with pytest.raises(dns.name.NameTooLong):
        next(walk)


def test_a_walk_that_stops_at_the_anchor_never_reads_the_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(questions: list[Question]) -> list[dns.message.Message | None]:
        response = dns.message.make_response(questions[0].message())
        response.set_rcode(dns.rcode.REFUSED)
        return [response]

    def unread(name: str) -> dns.name.Name:
        raise AssertionError(f"{name} was read")

    monkeypatch.setattr(dnssec, "_qname", unread)
    state = drive(plan("pec.example.it", at=NOW), refused)
    assert (state.status, state.detail) == (U, "the servers of . answered REFUSED")


def test_a_ds_with_the_keys_tag_but_another_digest_does_not_match_it(lab: Lab) -> None:
    # A forged or stale digest under the right key tag and algorithm: no match, none remembered.
    key = lab.parent_key[1]
    tag, algorithm, digest_type, digest = ds_text("it.", key).split()
    wrong = f"{tag} {algorithm} {digest_type} {'0' if digest[0] != '0' else '1'}{digest[1:]}"
    forged = dns.rdata.from_text("IN", "DS", wrong)
    zone = dns.name.from_text("it.")
    assert not _matches(zone, key, forged)  # type: ignore[arg-type]
    assert not dnssec._MATCHED.known((zone, id(key), id(forged)))
