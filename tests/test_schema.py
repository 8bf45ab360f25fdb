"""The JSON schema in docs/report.schema.json describes what to_dict writes."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from helpers import PROVIDER
from pecdns import InvalidInput, Report, check, check_many
from pecdns._models import SCHEMA
from pecdns.resolvers import Outcome, Query, ZoneResolver
from pecdns.testing import FakeResolver

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "docs" / "report.schema.json"
ZONES = ROOT / "examples" / "zones"
GLUED = """
$ORIGIN glued.it.
$TTL 3600
@        IN NS  ns1.example.net.
pec      IN NS  ns.pec
ns.pec   IN A   192.0.2.77
"""


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _errors(validator: jsonschema.Draft202012Validator, data: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def _zones() -> Iterator[Report]:
    resolver = ZoneResolver.from_directory(ZONES)
    for path in sorted(ZONES.glob("*.it.zone")):
        name = path.name.removesuffix(".zone")
        if name.count(".") == 1:
            yield check(name, resolver=resolver)


def test_the_schema_names_the_version_reports_carry() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["title"] == SCHEMA == "pecdns.report.v1"
    assert schema["$defs"]["schemaName"]["const"] == SCHEMA


def test_every_example_zone_report_is_valid(validator: jsonschema.Draft202012Validator) -> None:
    reports = list(_zones())
    assert {r.verdict.value for r in reports} == {"COMPLIANT", "NON_COMPLIANT", "UNDETERMINED"}
    for report in reports:
        assert _errors(validator, report.to_dict()) == [], report.domain.name


def test_a_report_with_referrals_glue_and_probes_is_valid(
    validator: jsonschema.Draft202012Validator,
) -> None:
    resolver = ZoneResolver(GLUED, ZONES / "aruba.it.zone", ZONES / "example.net.zone")
    data = check("glued.it", resolver=resolver).to_dict()
    probes = data["observation"]["parent_probes"]
    assert any(p["mx"]["outcome"] == "REFERRAL" and p["mx"]["glue"] for p in probes)
    assert _errors(validator, data) == []


def test_an_invalid_input_is_valid(validator: jsonschema.Draft202012Validator) -> None:
    (result,) = check_many(["www.example.it"], resolver=FakeResolver(PROVIDER))
    assert isinstance(result, InvalidInput)
    assert _errors(validator, result.to_dict()) == []


def test_a_check_that_failed_is_valid(validator: jsonschema.Draft202012Validator) -> None:
    def broken(query: Query) -> Outcome:
        raise RuntimeError('resolver crashed on <"&">')

    (result,) = check_many(["example.it"], resolver=FakeResolver(broken))
    assert result.verdict.value == "UNDETERMINED"
    assert _errors(validator, result.to_dict()) == []


def test_failures_timestamps_italian_and_unicode_are_valid(
    validator: jsonschema.Draft202012Validator,
) -> None:
    fake = FakeResolver(
        {
            **PROVIDER,
            "pec.xn--citt-3na.it": {"MX": ["10 mx.pec.aruba.it.", "20 mail.example.net."]},
            "mail.example.net": {"CNAME": "host.example.net."},
            "host.example.net": {"AAAA": "2001:db8::9"},
            "xn--citt-3na.it": {"NS": Outcome.TIMEOUT, "MX": Outcome.SERVFAIL},
        }
    )
    at = datetime(2026, 11, 22, 6, 30, tzinfo=timezone.utc)
    data = check("città.it", resolver=fake, at=at, lang="it").to_dict()
    assert data["checked_at"] == "2026-11-22T06:30:00+00:00"
    assert _errors(validator, data) == []


def test_the_schema_refuses_what_pecdns_never_writes(
    validator: jsonschema.Draft202012Validator,
) -> None:
    data = next(_zones()).to_dict()
    for key, value in [("verdict", "MAYBE"), ("ok", "yes"), ("extra", 1), ("schema", "v2")]:
        assert _errors(validator, {**data, key: value}), key
    assert _errors(validator, {**data, "verdict": "NON_COMPLIANT", "ok": True})


def test_a_report_with_breaches_is_valid_and_carries_both_verdicts(
    validator: jsonschema.Draft202012Validator,
) -> None:
    fake = FakeResolver(
        {
            **PROVIDER,
            "pec.example.it": {"MX": "10 mx.pec.aruba.it."},
            "example.it": {"MX": "10 mx.pec.aruba.it."},
        }
    )
    data = check("example.it", resolver=fake).to_dict()
    assert _errors(validator, data) == []
    assert (data["verdict"], data["policy_verdict"], data["breaches"]) == (
        "COMPLIANT",
        "NON_COMPLIANT",
        ["MX_AT_REGISTRABLE"],
    )
    assert _errors(validator, {**data, "breaches": ["not a code"]})


def _renamed() -> Report:
    fake = FakeResolver(
        {
            **PROVIDER,
            "example.it": {"DNAME": "new.it."},
            "pec.new.it": {"MX": "10 mx.pec.aruba.it."},
        }
    )
    return check("example.it", resolver=fake)


def test_a_report_through_a_dname_is_valid_and_names_it(
    validator: jsonschema.Draft202012Validator,
) -> None:
    data = _renamed().to_dict()
    assert data["observation"]["pec_mx"]["dnames"] == [["example.it.", "new.it."]]
    assert _errors(validator, data) == []


def test_a_report_written_before_dnames_is_still_valid(
    validator: jsonschema.Draft202012Validator,
) -> None:
    data = _renamed().to_dict()
    for finding in data["findings"]:
        for answer in finding["evidence"]:
            del answer["dnames"]
    del data["observation"]["pec_mx"]["dnames"]
    assert _errors(validator, data) == []
