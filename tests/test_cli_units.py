"""Parts of the ``pecdns`` command, in process: addresses, statuses, the Nagios line."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pecdns import check
from pecdns._cli import UsageError, exit_status, main, nagios, parse_server
from pecdns.testing import FakeDNS

if TYPE_CHECKING:
    from pecdns._present import Result

ZONES = Path(__file__).resolve().parents[1] / "examples" / "zones"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("192.0.2.53", ("192.0.2.53", None)),
        ("192.0.2.53:5353", ("192.0.2.53", 5353)),
        ("2001:db8::53", ("2001:db8::53", None)),
        ("[2001:db8::53]", ("2001:db8::53", None)),
        ("[2001:DB8::53]:53", ("2001:db8::53", 53)),
        ("::1", ("::1", None)),
    ],
)
def test_nameservers_are_an_address_and_maybe_a_port(
    text: str, parsed: tuple[str, int | None]
) -> None:
    assert parse_server(text) == parsed


@pytest.mark.parametrize(
    "text", ["ns1.example.net", "192.0.2.53:", "192.0.2.53:x", "[::1]:65536", "[::1]x", "[::1"]
)
def test_anything_else_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="--nameserver"):
        parse_server(text)


@pytest.mark.parametrize(
    ("verdicts", "status"),
    [
        (["COMPLIANT"], 0),
        (["COMPLIANT", "NON_COMPLIANT", "UNDETERMINED"], 1),
        (["COMPLIANT", "UNDETERMINED"], 2),
        ([], 2),
    ],
)
def test_exit_status_follows_the_worst_verdict(verdicts: list[str], status: int) -> None:
    assert exit_status(collections.Counter(verdicts)) == status


def _checked(dns: FakeDNS, *domains: str) -> list[Result]:
    return [check(domain, resolver=dns) for domain in domains]


def test_nagios_warning_when_compliant_with_warnings() -> None:
    results = _checked(FakeDNS().wrong_preference("a.it").compliant("b.it"), "a.it", "b.it")
    status, line = nagios(results, "en")
    assert status == 1
    assert line.startswith("PECDNS WARNING - 2 of 2 compliant, with warnings: a.it (")
    assert "MX_WRONG_PREFERENCE" in line


def test_nagios_lists_five_domains_then_counts_the_rest() -> None:
    names = [f"d{n}.it" for n in range(7)]
    status, line = nagios(_checked(FakeDNS(), *names), "it")
    assert status == 2
    assert "7 su 7 non conformi: d0.it (" in line
    assert "e altri 2 |" in line


def test_nagios_unknown_names_the_undetermined_domains() -> None:
    status, line = nagios(_checked(FakeDNS().compliant("a.it").blind_checker(), "a.it"), "en")
    assert status == 3
    assert line.startswith("PECDNS UNKNOWN - 1 of 1 undetermined: a.it (CHECK_INCOMPLETE)")


def test_main_returns_the_status_and_prints_reports(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--zone-file", str(ZONES), "conforme.it", "sbagliato.it"]) == 1
    out = capsys.readouterr().out
    assert "pec.conforme.it (conforme.it): COMPLIANT" in out
    assert out.endswith("2 checked: 1 COMPLIANT, 1 NON_COMPLIANT\n")


def test_a_non_utf8_list_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "latin1.txt"
    listing.write_bytes(b"citt\xe0.it\n")
    assert main(["check", "--zone-file", str(ZONES), "--from-file", str(listing)]) == 2
    assert capsys.readouterr().err == (
        "pecdns: error: the list of domains is not UTF-8 text (invalid continuation byte)\n"
    )


def test_a_folder_without_zone_files_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--zone-file", str(tmp_path), "example.it"]) == 2
    assert "no *.zone file in it" in capsys.readouterr().err
