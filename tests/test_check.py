from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pytest

import pecdns
from helpers import PROVIDER, run
from pecdns import Domain, InvalidDomainError, Verdict, check
from pecdns._check import verdict
from pecdns.resolvers import DnsResolver
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from pathlib import Path


def test_check_accepts_a_domain_object() -> None:
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    assert check(Domain("example.it"), resolver=fake).ok


def test_check_refuses_a_subdomain_before_any_query() -> None:
    fake = FakeResolver({})
    with pytest.raises(InvalidDomainError, match=r"'example\.it'"):
        check("pec.example.it", resolver=fake)
    assert fake.queries == []


def test_check_stamps_the_given_time_and_never_reads_the_clock() -> None:
    at = datetime(2026, 11, 22, 6, 0, tzinfo=timezone.utc)
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    assert check("example.it", resolver=fake, at=at).checked_at == at
    assert check("example.it", resolver=fake).checked_at is None


def test_same_inputs_give_the_same_report() -> None:
    data = {"pec.example.it": {"MX": ["10 mail.example.it.", "0 ."]}}
    assert run(data) == run(data)


def test_report_text_lists_verdict_findings_and_remedy() -> None:
    text = str(run({"pec.example.it": {"MX": "10 mail.example.it."}}))
    assert text.splitlines()[0] == "pec.example.it. (example.it): NON_COMPLIANT"
    assert "ERROR MX_WRONG_HOST (P6.2)" in text
    assert "    pec.example.it. 3600 IN MX 10 mx.pec.aruba.it." in text


def test_report_text_of_a_compliant_domain_has_no_remedy_section() -> None:
    text = str(run({"pec.example.it": {"MX": "10 mx.pec.aruba.it."}}))
    assert text.splitlines()[0] == "pec.example.it. (example.it): COMPLIANT"
    assert "remedy" not in text


def test_hostile_dns_data_comes_out_inert_in_every_rendering() -> None:
    hostile = r"\060script\062alert(1)\060/script\062\010.example."
    report = run({"pec.example.it": {"MX": f"10 {hostile}"}})
    for rendering in (str(report), repr(report), report.remedy or ""):
        assert "<script" not in rendering
        assert "</script" not in rendering
        assert all(line.isprintable() for line in rendering.splitlines())
    assert "\\060script\\062" in str(report)


def test_verdict_of_no_findings_is_compliant() -> None:
    assert verdict([]) is Verdict.COMPLIANT


def test_without_a_resolver_check_uses_the_real_dns_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[object] = []

    def fake_default() -> FakeResolver:
        resolver = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
        made.append(resolver)
        return resolver

    monkeypatch.setattr(pecdns._check, "_default_resolver", fake_default)
    assert check("example.it").ok
    assert len(made) == 1


def test_the_default_resolver_is_a_dns_resolver_made_once() -> None:
    pecdns._check._default_resolver.cache_clear()
    first = pecdns._check._default_resolver()
    assert isinstance(first, DnsResolver)
    assert pecdns._check._default_resolver() is first


def test_strict_exits_on_every_rule_and_the_default_on_the_daily_check(tmp_path: Path) -> None:
    from pecdns._cli import main  # noqa: PLC0415 -- the command, run in-process

    zone = tmp_path / "example.it.zone"
    mx = "IN MX 10 mx.pec.aruba.it."
    zone.write_text(f"$ORIGIN example.it.\n$TTL 3600\n@ {mx}\npec {mx}\n")
    aruba = tmp_path / "aruba.it.zone"
    aruba.write_text("$ORIGIN aruba.it.\n$TTL 3600\nmx.pec IN A 192.0.2.25\n")
    files = ["--zone-file", str(zone), "--zone-file", str(aruba)]
    assert main(["check", *files, "example.it"]) == 0
    assert main(["check", "--strict", *files, "example.it"]) == 1
