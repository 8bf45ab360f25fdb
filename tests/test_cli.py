"""The ``pecdns`` command, run as a user runs it: ``python -m pecdns`` in a subprocess.

Offline: answers come from the example zones (``--zone-file``) or from a
scripted DNS server on loopback (``--nameserver``).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import dns.rcode
import pytest

from dnsserver import Behaviour, rcode, records, serve

ROOT = Path(__file__).resolve().parents[1]
ZONES = ROOT / "examples" / "zones"
ZONE_FILES = [arg for path in sorted(ZONES.glob("*.zone")) for arg in ("--zone-file", str(path))]
ENV = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "PYTHONWARNINGS"}}


def pecdns(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- this interpreter, arguments the tests wrote
        [sys.executable, "-m", "pecdns", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env or ENV,
        cwd=ROOT,
    )


def offline(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return pecdns(args[0], *ZONE_FILES, *args[1:], stdin=stdin)


# -- exit statuses -----------------------------------------------------------------------------


def test_all_compliant_exits_0() -> None:
    result = offline("check", "conforme.it", "delegato.it")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_one_non_compliant_exits_1() -> None:
    assert offline("check", "conforme.it", "sbagliato.it").returncode == 1


def test_non_compliant_wins_over_undetermined() -> None:
    assert offline("check", "sbagliato.it", "www.conforme.it").returncode == 1


def test_only_undetermined_or_invalid_exits_2() -> None:
    result = offline("check", "conforme.it", "www.conforme.it")
    assert result.returncode == 2
    assert "conforme.it" in result.stdout


def test_an_undetermined_check_exits_2() -> None:
    # No zone is loaded for the provider's MX host: the checker cannot tell, and says which.
    result = pecdns("check", "--zone-file", str(ZONES / "conforme.it.zone"), "conforme.it")
    assert result.returncode == 2
    assert "UNDETERMINED" in result.stdout
    assert "ZONE_NOT_LOADED" in result.stdout
    assert "mx.pec.aruba.it" in result.stdout


# -- readable text -----------------------------------------------------------------------------


def test_text_shows_verdict_findings_with_clause_and_fix_and_zone_lines() -> None:
    out = offline("check", "sbagliato.it").stdout
    assert out.startswith("pec.sbagliato.it (sbagliato.it): NON_COMPLIANT\n")
    assert "ERROR   MX_WRONG_HOST [P6.2]" in out
    assert "fix: Publish exactly this MX record for pec.sbagliato.it" in out
    assert "zone lines to paste:\n    ; pec.sbagliato.it. must have exactly this MX record" in out
    assert "\n    pec.sbagliato.it. 3600 IN MX 10 mx.pec.aruba.it.\n" in out


def test_several_domains_end_with_a_summary() -> None:
    out = offline("check", "conforme.it", "sbagliato.it", "ibrido.it").stdout
    assert out.rstrip().splitlines()[-1] == "3 checked: 1 COMPLIANT, 2 NON_COMPLIANT"


def test_the_summary_counts_refused_inputs_apart_from_the_domains_checked() -> None:
    out = offline("check", "conforme.it", "www.conforme.it", "sbagliato.it").stdout
    assert out.rstrip().splitlines()[-1] == (
        "2 checked: 1 COMPLIANT, 1 NON_COMPLIANT; 1 invalid input, not checked"
    )


def test_the_italian_summary_agrees_in_number() -> None:
    out = offline(
        "check", "--lang", "it", "sbagliato.it", "ibrido.it", "www.ibrido.it", "a b.it"
    ).stdout
    assert out.rstrip().splitlines()[-1] == (
        "2 verificati: 2 NON CONFORMI; 2 dati non validi, non verificati"
    )


def test_italian_text_uses_the_providers_terms() -> None:
    out = offline("check", "--lang", "it", "sbagliato.it").stdout
    assert "NON CONFORME" in out
    assert "ERRORE  MX_WRONG_HOST [P6.2]" in out
    assert "ha il record MX 10 mail.sbagliato.it." in out
    assert "righe da incollare nella zona:" in out
    assert "deve avere esattamente questo record MX" in out
    assert "must have" not in out


def test_verbose_shows_the_dns_answers_behind_findings() -> None:
    out = offline("check", "-v", "sbagliato.it").stdout
    assert "evidence: pec.sbagliato.it. MX: 10 mail.sbagliato.it." in out


def test_piped_output_has_no_colour() -> None:
    assert "\033[" not in offline("check", "sbagliato.it").stdout


def test_colour_always_paints_the_verdict() -> None:
    out = offline("check", "--color", "always", "sbagliato.it").stdout
    assert "\033[1;31mNON_COMPLIANT\033[0m" in out


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    main, child = pty.openpty()
    with subprocess.Popen(  # noqa: S603 -- this interpreter, arguments the tests wrote
        [sys.executable, "-m", "pecdns", *args], stdout=child, stderr=child, env=env, cwd=ROOT
    ) as process:
        os.close(child)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode()


def test_a_terminal_gets_colour() -> None:
    out = _on_a_terminal("check", *ZONE_FILES, "conforme.it", env={**ENV, "TERM": "xterm"})
    assert "\033[1;32mCOMPLIANT\033[0m" in out


def test_no_color_turns_colour_off_on_a_terminal() -> None:
    env = {**ENV, "TERM": "xterm", "NO_COLOR": "1"}
    out = _on_a_terminal("check", *ZONE_FILES, "conforme.it", env=env)
    assert "COMPLIANT" in out
    assert "\033[" not in out


# -- JSON lines --------------------------------------------------------------------------------


def test_json_is_one_object_a_line_in_input_order() -> None:
    result = offline("check", "--json", "conforme.it", "www.conforme.it", "sbagliato.it")
    lines = result.stdout.splitlines()
    data = [json.loads(line) for line in lines]
    assert [d["schema"] for d in data] == ["pecdns.report.v1"] * 3
    assert [d["domain"] for d in data] == ["conforme.it", None, "sbagliato.it"]
    assert data[1]["input"] == "www.conforme.it"
    assert data[2]["findings"][0]["code"] == "MX_WRONG_HOST"
    assert result.returncode == 1


def test_json_lines_are_ascii() -> None:
    out = offline("check", "--json", "--lang", "it", "sbagliato.it").stdout
    assert out.isascii()
    assert "\\u00e8" in out  # "è" of the Italian messages, escaped


# -- Nagios / Icinga ---------------------------------------------------------------------------


def test_nagios_critical_names_the_non_compliant_domains_with_perfdata() -> None:
    result = offline("check", "--nagios", "conforme.it", "sbagliato.it")
    assert result.returncode == 2
    assert result.stdout == (
        "PECDNS CRITICAL - 1 of 2 non-compliant: sbagliato.it (MX_WRONG_HOST)"
        " | compliant=1;;;0;2 non_compliant=1;;;0;2 undetermined=0;;;0;2 invalid=0;;;0;2\n"
    )


def test_nagios_ok_exits_0() -> None:
    result = offline("check", "--nagios", "conforme.it")
    assert result.returncode == 0
    assert result.stdout.startswith("PECDNS OK - 1 of 1 compliant | ")


def test_nagios_unknown_for_invalid_input_exits_3() -> None:
    result = offline("check", "--nagios", "conforme.it", "www.conforme.it")
    assert result.returncode == 3
    assert result.stdout.startswith("PECDNS UNKNOWN - 1 of 2 invalid input: www.conforme.it | ")
    assert "undetermined=0;;;0;2 invalid=1;;;0;2" in result.stdout


def test_nagios_text_calls_invalid_inputs_what_the_perfdata_calls_them() -> None:
    result = offline("check", "--nagios", "www.conforme.it", "www.sbagliato.it")
    text, perfdata = result.stdout.split(" | ")
    assert text == "PECDNS UNKNOWN - 2 of 2 invalid inputs: www.conforme.it, www.sbagliato.it"
    assert "undetermined" not in text
    assert perfdata.startswith("compliant=0;;;0;2 non_compliant=0;;;0;2 undetermined=0;;;0;2")


@pytest.mark.parametrize(
    "args",
    [
        ["--zone-file", "a|b.zone", "x.it"],  # a usage error quoting operator input
        ["--zone-file", "a\nwarning=1|b.zone", "x.it"],
        ["--lang", "x|y", "x.it"],  # argparse's own error
        ["--zone-file", str(ZONES), "a|b.it", "conforme.it"],  # an invalid input, listed
    ],
)
def test_nothing_from_the_operator_breaks_the_plugin_line(args: list[str]) -> None:
    result = pecdns("check", "--nagios", *args)
    assert result.returncode == 3
    assert result.stdout.count("\n") == 1, result.stdout
    assert result.stdout.count("|") <= 1, result.stdout  # only the perfdata separator
    if "|" in result.stdout:
        assert result.stdout.split(" | ")[1].startswith("compliant=1;;;0;2 ")


def test_nagios_usage_error_is_unknown_on_stdout() -> None:
    result = pecdns("check", "--nagios", "--zone-file", "no-such.zone", "example.it")
    assert result.returncode == 3
    assert result.stdout.startswith("PECDNS UNKNOWN - cannot read zone file")


# -- input: files, standard input, comments ----------------------------------------------------


def test_domains_from_a_file_skip_blanks_and_comments(tmp_path: Path) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("# customers\n\nconforme.it\n  sbagliato.it   # broken\n", encoding="utf-8")
    result = offline("check", "--json", "--from-file", str(listing))
    assert [json.loads(line)["domain"] for line in result.stdout.splitlines()] == [
        "conforme.it",
        "sbagliato.it",
    ]


def test_a_dash_reads_domains_from_standard_input() -> None:
    result = offline("check", "--json", "-", stdin="delegato.it\n# done\n")
    assert [json.loads(line)["verdict"] for line in result.stdout.splitlines()] == ["COMPLIANT"]
    assert result.returncode == 0


def test_a_folder_of_zone_files_loads_them_all() -> None:
    assert pecdns("check", "--zone-file", str(ZONES), "conforme.it").returncode == 0


def test_a_pipe_is_a_list_of_domains() -> None:
    command = (
        f"{sys.executable} -m pecdns check --zone-file {ZONES} --from-file <(echo conforme.it)"
    )
    result = subprocess.run(  # noqa: S603 -- bash running this interpreter, arguments we wrote
        ["/bin/bash", "-c", command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=ENV,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pec.conforme.it (conforme.it): COMPLIANT\n")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_as_a_list_of_domains(device: str) -> None:
    result = pecdns("check", "--from-file", device)
    assert result.returncode == 2
    assert result.stderr == (
        f"pecdns: error: --from-file '{device}': not a regular file or a pipe;"
        " give a list of domains, one a line\n"
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_on_standard_input_is_refused(device: str) -> None:
    with Path(device).open("rb") as stream:
        result = subprocess.run(
            [sys.executable, "-m", "pecdns", "check", "-"],
            stdin=stream,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=ENV,
            cwd=ROOT,
        )
    assert result.returncode == 2
    assert result.stderr == (
        "pecdns: error: standard input: not a regular file, a pipe or a terminal;"
        " give a list of domains, one a line\n"
    )


def test_a_pipe_without_line_ends_is_refused_at_the_line_limit() -> None:
    result = pecdns("check", "--from-file", "-", stdin="\0" * 100_000)
    assert result.returncode == 2
    assert result.stderr == (
        "pecdns: error: standard input: a line is longer than 4096 characters;"
        " give one domain a line\n"
    )


def test_input_of_only_comments_is_a_usage_error() -> None:
    result = offline("check", "-", stdin="# nothing\n\n")
    assert result.returncode == 2
    assert result.stderr == (
        "pecdns: error: no domain to check: the input holds only blank lines and comments\n"
    )


# -- bad input: one line on stderr, exit 2, never a traceback ----------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "give at least one domain"),
        (["check", "--zone-file", "no-such.zone", "x.it"], "cannot read zone file 'no-such.zone'"),
        (["check", "--zone-file", "README.md", "x.it"], "bad zone file: README.md:"),
        (["check", "--nameserver", "300.1.2.3", "x.it"], "--nameserver '300.1.2.3': not an IP"),
        (["check", "--nameserver", "[::1]5353", "x.it"], "as [address]:port"),
        (["check", "--nameserver", "127.0.0.1:0", "x.it"], "port is a number from 1 to 65535"),
        (["check", "--from-file", "no-such.txt"], "cannot read --from-file 'no-such.txt'"),
        (["check", "--timeout", "-1", "x.it"], "--timeout: a number of seconds above 0"),
        (["check", "--lang", "fr", "x.it"], "argument --lang: invalid choice: 'fr'"),
        (["check", "--concurrency", "0", "x.it"], "--concurrency: a whole number from 1 up"),
        (["check", "--processes", "0", "x.it"], "--processes: a whole number from 1 up"),
        (
            ["check", "--processes", "2", "--zone-file", "no-such.zone", "x.it"],
            "--processes asks the real DNS",
        ),
        (["advice", "www.example.it"], "'www.example.it' is a subdomain"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args: list[str], message: str) -> None:
    result = pecdns(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_invalid_domain_in_a_batch_is_one_line_on_stderr() -> None:
    result = offline("check", "conforme.it", "www.conforme.it")
    assert result.stderr == (
        "pecdns: 'www.conforme.it' is not a registrable domain, so it was not checked:"
        " 'www.conforme.it' is a subdomain; its registrable domain is 'conforme.it'"
        " (PEC lives at pec.<registrable domain>).\n"
    )


def test_control_characters_in_input_are_escaped_on_stderr() -> None:
    result = offline("check", "bad\033[31mname.it")
    assert "\033" not in result.stderr
    assert "\\x1b" in result.stderr


# -- advice ------------------------------------------------------------------------------------


def test_advice_gives_both_ways_of_p42_with_records_to_paste() -> None:
    result = offline("advice", "sbagliato.it")
    assert result.returncode == 1  # as check: the domain is not compliant yet
    assert "1. Delegate pec.sbagliato.it to Aruba's name servers" in result.stdout
    assert "    pec.sbagliato.it. 3600 IN MX 10 mx.pec.aruba.it." in result.stdout


def test_advice_in_italian() -> None:
    result = offline("advice", "--lang", "it", "conforme.it")
    assert result.returncode == 0
    assert "ha già il record MX richiesto" in " ".join(result.stdout.split())


# -- real DNS, on loopback ---------------------------------------------------------------------


def _compliant_server() -> dict[tuple[str, str], Behaviour]:
    return {
        ("pec.example.it", "MX"): records("10 mx.pec.aruba.it."),
        ("mx.pec.aruba.it", "A"): records("192.0.2.25"),
    }


def test_nameserver_asks_the_given_server_on_its_port() -> None:
    with serve(_compliant_server(), default=rcode(dns.rcode.NOERROR)) as (server, port):
        result = pecdns("check", "--json", "--nameserver", f"127.0.0.1:{port}", "example.it")
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    # The DNSSEC walk stops at the root's keys, which the scripted server does not have.
    assert [f["code"] for f in data["findings"]] == ["MX_OK", "DNSSEC_UNKNOWN", "SETUP_UNKNOWN"]
    assert data["findings"][0]["evidence"][0]["server"] == f"127.0.0.1#{port}"
    assert ("pec.example.it.", "MX") in server.asked


def test_a_list_on_two_processes_keeps_input_order() -> None:
    names = ["example.it", "www.example.it", "example.it", "other.it"]
    with serve(_compliant_server(), default=rcode(dns.rcode.NOERROR)) as (_, port):
        result = pecdns(
            "check", "--json", "--processes", "2", "--nameserver", f"127.0.0.1:{port}", *names
        )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("input") or line["domain"] for line in lines] == names, result.stderr
    assert lines[0]["verdict"] == lines[2]["verdict"] == "COMPLIANT"


def test_iterative_walks_from_the_given_server() -> None:
    with serve(_compliant_server(), default=rcode(dns.rcode.NOERROR)) as (server, port):
        result = pecdns(
            "check", "--iterative", "--nameserver", f"127.0.0.1:{port}", "--json", "example.it"
        )
    assert json.loads(result.stdout)["findings"][0]["code"] == "MX_OK", result.stderr
    assert ("pec.example.it.", "MX") in server.asked


def test_a_failing_nameserver_makes_the_check_undetermined() -> None:
    with serve({}, default=rcode(dns.rcode.SERVFAIL)) as (_, port):
        result = pecdns("check", "--nameserver", f"127.0.0.1:{port}", "example.it")
    assert result.returncode == 2
    assert "UNDETERMINED" in result.stdout
    assert "CHECK_INCOMPLETE" in result.stdout


def test_version_names_the_installed_package_and_its_build() -> None:
    result = pecdns("--version")
    build = "compiled" if os.environ.get("PECDNS_COMPILED") == "1" else "pure Python"
    assert result.returncode == 0
    assert result.stdout == f"pecdns {importlib.metadata.version('pecdns')} ({build})\n"


def test_the_timeout_help_says_what_it_bounds() -> None:
    help_text = " ".join(pecdns("check", "--help").stdout.split())
    assert (
        "--timeout SECONDS the most time one domain's check may take, all its DNS questions and"
        " waits included; a check that runs out is UNDETERMINED (default: 30)"
    ) in help_text


def test_no_command_is_a_usage_error() -> None:
    result = pecdns()
    assert result.returncode == 2
    assert "the following arguments are required: COMMAND" in result.stderr
