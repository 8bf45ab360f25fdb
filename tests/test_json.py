from __future__ import annotations

import json
from datetime import datetime, timezone

from helpers import PROVIDER, run
from pecdns import check, to_json
from pecdns._models import SCHEMA
from pecdns.resolvers import Answer
from pecdns.testing import FakeResolver

HOSTILE = r"\060script\062alert(1)\060/script\062\010\034.example."


def test_a_report_as_json_has_the_versioned_schema_and_every_finding() -> None:
    report = run({"pec.example.it": {"MX": "10 mail.example.it."}})
    data = json.loads(to_json(report))
    assert data["schema"] == SCHEMA == "pecdns.report.v1"
    assert data["verdict"] == "NON_COMPLIANT"
    assert data["ok"] is False
    assert data["pec_name"] == "pec.example.it"
    assert [f["code"] for f in data["findings"]] == list(report.codes())
    assert data["findings"][0]["evidence"][0]["query"] == {
        "name": "pec.example.it.",
        "type": "MX",
        "server": None,
    }
    assert data["remedy"] == report.remedy


def test_many_reports_are_json_lines() -> None:
    reports = [run({"pec.example.it": {"MX": "10 mx.pec.aruba.it."}}), run({})]
    lines = to_json(reports).splitlines()
    assert [json.loads(line)["verdict"] for line in lines] == ["COMPLIANT", "NON_COMPLIANT"]


def test_checked_at_is_iso_8601() -> None:
    at = datetime(2026, 11, 22, 6, 30, tzinfo=timezone.utc)
    fake = FakeResolver({**PROVIDER, "pec.example.it": {"MX": "10 mx.pec.aruba.it."}})
    data = check("example.it", resolver=fake, at=at).to_dict()
    assert data["checked_at"] == "2026-11-22T06:30:00+00:00"


def test_unicode_domain_is_kept_beside_its_a_label() -> None:
    fake = FakeResolver({**PROVIDER, "pec.xn--citt-3na.it": {"MX": "10 mx.pec.aruba.it."}})
    data = check("città.it", resolver=fake).to_dict()
    assert (data["domain"], data["domain_unicode"]) == ("xn--citt-3na.it", "città.it")
    assert "\\u00e0" in to_json(check("città.it", resolver=fake))


def test_hostile_dns_data_comes_out_inert_in_json() -> None:
    report = run({"pec.example.it": {"MX": f"10 {HOSTILE}"}})
    text = to_json(report, indent=2)
    assert "<script" not in text
    assert "</script" not in text
    assert text.isascii()
    assert all(ch.isprintable() for line in text.splitlines() for ch in line)
    assert json.loads(text)["findings"][0]["message"].count("\\060script\\062") == 1


def test_every_answer_survives_a_round_trip_through_json() -> None:
    report = run(
        {
            "pec.example.it": {"MX": ["10 mx.pec.aruba.it.", "20 mail.example.it."]},
            "mail.example.it": {"CNAME": "host.example.net."},
            "host.example.net": {"A": "192.0.2.9"},
        }
    )
    for answer in report.observation.answers:
        assert Answer.from_dict(json.loads(json.dumps(answer.to_dict()))) == answer
