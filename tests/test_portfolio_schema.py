"""docs/portfolio.schema.json describes what portfolio.to_dict and `pecdns daily --json` write."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from attrs import evolve
from referencing import Registry, Resource

from pecdns import ARUBA, Certification, Order, daily_check
from pecdns._cli import main
from pecdns.portfolio import to_dict
from pecdns.testing import FakeResolver

DOCS = Path(__file__).resolve().parents[1] / "docs"
TODAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    report = json.loads((DOCS / "report.schema.json").read_text(encoding="utf-8"))
    schema = json.loads((DOCS / "portfolio.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    registry: Registry[Any] = Registry().with_resource(
        report["$id"], Resource.from_contents(report)
    )
    return jsonschema.Draft202012Validator(
        schema,
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def world() -> FakeResolver:
    return FakeResolver(
        {"pec.good.it": {"MX": "10 mx.pec.aruba.it."}, "mx.pec.aruba.it": {"A": "192.0.2.25"}}
    )


def a_run() -> Any:
    certs = [
        Certification("good.it", date(2026, 6, 30)),
        Certification("bad.it", date(2026, 3, 20), dns_management=False),
    ]
    first = daily_check(certs, resolver=world(), today=TODAY)
    return daily_check(first.certifications, resolver=world(), today=TODAY + timedelta(days=1))


def test_a_daily_run_with_histories_and_reports_is_valid(
    validator: jsonschema.Draft202012Validator,
) -> None:
    validator.validate(json.loads(json.dumps(to_dict(a_run()))))


def test_every_certification_result_finding_and_observation_is_valid(
    validator: jsonschema.Draft202012Validator,
) -> None:
    run = a_run()
    for result in run.results:
        validator.validate(to_dict(result))
        validator.validate(to_dict(result.certification))
        assert result.report is not None
        validator.validate(to_dict(result.report.observation))
        for finding in result.report.findings:
            validator.validate(to_dict(finding))


def test_an_order_with_its_policy_is_valid(validator: jsonschema.Draft202012Validator) -> None:
    policy = evolve(
        ARUBA, notice_period=timedelta(days=7), payment_delays={"bonifico": timedelta(2)}
    )
    placed = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    order = Order(
        domain="example.it",
        channel="pec_site",
        package="wordpress",
        payment_method="bonifico",
        placed_at=placed,
        payment_registered_at=placed + timedelta(hours=1),
        policy=policy,
    )
    validator.validate(to_dict(order))


def test_a_form_without_its_schema_key_or_with_a_stray_key_is_invalid(
    validator: jsonschema.Draft202012Validator,
) -> None:
    data = to_dict(Certification("example.it", TODAY))
    del data["schema"]
    assert not validator.is_valid(data)
    assert not validator.is_valid({**to_dict(Certification("example.it", TODAY)), "extra": 1})


def test_the_lines_of_pecdns_daily_json_are_valid(
    validator: jsonschema.Draft202012Validator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    zone = tmp_path / "aruba.zone"
    zone.write_text(
        "$ORIGIN aruba.it.\n$TTL 3600\n@ IN SOA ns hostmaster 1 3600 600 86400 3600\n"
        "@ IN NS ns\nns IN A 192.0.2.53\nmx.pec IN A 192.0.2.25\n"
    )
    bad = tmp_path / "bad.it.zone"  # loaded, so the check sees a wrong MX (not a missing zone)
    bad.write_text("$ORIGIN bad.it.\n$TTL 3600\npec IN MX 10 mail.bad.it.\nmail IN A 192.0.2.26\n")
    db = str(tmp_path / "p.sqlite")
    assert main(["portfolio", "add", "bad.it", "--expires", "2026-03-20", "--db", db]) == 0
    capsys.readouterr()
    argv = ["daily", "--db", db, "--today", "2026-03-01", "--json"]
    argv += ["--zone-file", str(zone), "--zone-file", str(bad)]
    assert main(argv) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3  # the run, bad.it newly failing, bad.it due
    for line in lines:
        validator.validate(line)
