"""Parts of the ``pecdns`` command, in process: addresses, statuses, the Nagios line."""

from __future__ import annotations

import argparse
import collections
import gc
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

import dns.resolver
import pytest

import pecdns._cli
from pecdns import check, check_many
from pecdns._check import _default_async_resolver, _default_resolver
from pecdns._cli import (
    MAX_LINE,
    NagiosTally,
    UsageError,
    _Output,
    _summary,
    exit_status,
    main,
    nagios,
    parse_server,
)
from pecdns.testing import FakeDNS

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn

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


def test_zone_files_past_a_limit_given_on_the_command_line_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["check", "--zone-file", str(ZONES), "--zone-max-records", "3", "conforme.it"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("pecdns: error: bad zone file:")
    assert "3" in err


def test_zone_limits_large_enough_let_the_check_run() -> None:
    args = ["check", "--zone-file", str(ZONES), "conforme.it"]
    limits = ["--zone-max-records", "5000", "--zone-max-bytes", "1000000"]
    assert main([*args, *limits, "--zone-max-seconds", "60"]) == 0


def test_a_zone_limit_without_zone_files_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--zone-max-bytes", "10", "conforme.it"]) == 2
    assert capsys.readouterr().err == (
        "pecdns: error: --zone-max-bytes limits the zone files read: it goes with --zone-file\n"
    )


def test_nagios_italian_text_agrees_in_number() -> None:
    one = _checked(FakeDNS().compliant("a.it"), "a.it", "b.it")
    assert nagios(one, "it")[1].startswith("PECDNS CRITICAL - 1 su 2 non conforme: b.it (")
    two = _checked(FakeDNS(), *[f"d{n}.it" for n in range(6)])
    assert "6 su 6 non conformi: d0.it (" in nagios(two, "it")[1]
    assert "e un altro |" in nagios(two, "it")[1]


def test_nagios_names_every_kind_of_problem_with_its_own_count() -> None:
    dns = FakeDNS().wrong_host("a.it").compliant("b.it")
    results = list(check_many(["a.it", "b.it", "www.b.it"], resolver=dns))
    results += _checked(dns.compliant("c.it").blind_checker(), "c.it")
    status, line = nagios(results, "en")
    assert status == 2
    assert line.startswith(
        "PECDNS CRITICAL - 1 of 4 non-compliant: a.it (MX_WRONG_HOST); 1 of 4 undetermined: c.it ("
    )
    assert "CHECK_INCOMPLETE" in line
    assert "); 1 of 4 invalid input: www.b.it | compliant=1;;;0;4 " in line


def _nagios_output() -> _Output:
    args = argparse.Namespace(nagios=True, json=False, lang="en", color="never", verbose=False)
    return _Output(args)


def test_nagios_output_keeps_no_report() -> None:
    output = _nagios_output()
    report = check("a.it", resolver=FakeDNS().compliant("a.it"))
    kept = weakref.ref(report)
    output.add(report)
    del report
    gc.collect()
    assert kept() is None


def test_nagios_tally_keeps_five_names_of_each_kind_whatever_the_run() -> None:
    tally = NagiosTally()
    report = check("a.it", resolver=FakeDNS())
    for _ in range(1000):
        tally.add(report)
    assert tally.counts == {"CRITICAL": 1000}
    assert [len(names) for names in tally.names.values()] == [5]
    assert tally.line("en")[1].startswith("PECDNS CRITICAL - 1000 of 1000 non-compliant: a.it (")


def test_the_summary_counts_invalid_inputs_apart() -> None:
    tally = collections.Counter({"UNDETERMINED": 1, "INVALID": 1})
    assert _summary(tally, "en") == "1 checked: 1 UNDETERMINED; 1 invalid input, not checked"
    assert (
        _summary(tally, "it")
        == "1 verificato: 1 NON DETERMINATO; 1 dato non valido, non verificato"
    )


def test_the_italian_summary_puts_verdicts_in_the_plural() -> None:
    tally = collections.Counter({"COMPLIANT": 2, "NON_COMPLIANT": 3, "UNDETERMINED": 2})
    assert _summary(tally, "it") == "7 verificati: 2 CONFORMI, 3 NON CONFORMI, 2 NON DETERMINATI"


def test_an_invalid_input_is_not_compliant_for_the_exit_status() -> None:
    assert exit_status(collections.Counter({"COMPLIANT": 2, "INVALID": 1})) == 2


def test_a_line_longer_than_the_limit_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("conforme.it\n" + "x" * MAX_LINE + "y\n", encoding="utf-8")
    assert main(["check", "--zone-file", str(ZONES), "--json", "--from-file", str(listing)]) == 2
    assert capsys.readouterr().err == (
        f"pecdns: error: --from-file '{listing}': a line is longer than {MAX_LINE} characters;"
        " give one domain a line\n"
    )


def test_a_line_as_long_as_the_limit_is_read(tmp_path: Path) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("conforme.it" + " " * (MAX_LINE - 11) + "\n", encoding="utf-8")
    assert main(["check", "--zone-file", str(ZONES), "--from-file", str(listing)]) == 0


def test_a_folder_as_the_list_of_domains_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--from-file", str(tmp_path)]) == 2
    assert "cannot read --from-file" in capsys.readouterr().err


def test_a_refused_list_closes_the_lists_opened_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("conforme.it\n", encoding="utf-8")
    assert main(["check", "--from-file", str(listing), "--from-file", "/dev/zero"]) == 2
    gc.collect()  # an unclosed file would warn here, and warnings are errors
    assert "'/dev/zero': not a regular file or a pipe" in capsys.readouterr().err


def _raise(exc: BaseException) -> Callable[..., NoReturn]:
    def raising(*args: object, **kwargs: object) -> NoReturn:
        raise exc

    return raising


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (
            RuntimeError("boom\nand more"),
            "unexpected RuntimeError: boom\\nand more (a bug in pecdns",
        ),
        (MemoryError(), "out of memory"),
    ],
)
def test_an_unexpected_error_is_one_line_and_status_2_never_1(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    exc: Exception,
    message: str,
) -> None:
    monkeypatch.setattr(pecdns._cli, "check_many", _raise(exc))
    assert main(["check", "--zone-file", str(ZONES), "conforme.it"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pecdns: error: {message}")
    assert err.count("\n") == 1


def test_an_unexpected_error_under_nagios_is_unknown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pecdns._cli, "check_many", _raise(ValueError("a|b")))
    assert main(["check", "--nagios", "--zone-file", str(ZONES), "conforme.it"]) == 3
    assert capsys.readouterr().out == (
        "PECDNS UNKNOWN - unexpected ValueError: a\\x7cb (a bug in pecdns: please report it)\n"
    )


def test_a_system_resolver_without_configuration_is_one_line_and_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As in a container whose /etc/resolv.conf names no nameserver.
    error = dns.resolver.NoResolverConfiguration("no nameservers")  # type: ignore[no-untyped-call]  # dnspython's exceptions are untyped
    broken = _raise(error)
    monkeypatch.setattr(dns.resolver.Resolver, "read_resolv_conf", broken)
    for cached in (_default_resolver, _default_async_resolver):
        cached.cache_clear()  # the system resolver is built once per process
    try:
        assert main(["check", "example.it"]) == 2
    finally:
        for cached in (_default_resolver, _default_async_resolver):
            cached.cache_clear()
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert "resolver" in (out + err).lower()
