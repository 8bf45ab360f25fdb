"""The ``pecdns`` command: check domains, print set-up advice, report to monitoring.

Standard library only (argparse; ANSI colour by hand), so the command needs
nothing beyond pecdns itself. Exit statuses, which monitoring understands:

- 0: every domain is COMPLIANT;
- 1: at least one domain is NON_COMPLIANT;
- 2: otherwise, i.e. some results are UNDETERMINED or inputs are invalid
  (and none is NON_COMPLIANT), or the command was used wrongly (a bad option,
  an unreadable zone file or input file, a bad address).

With ``--nagios`` the statuses are a Nagios/Icinga plugin's instead:
0 OK, 1 WARNING (compliant, with warnings), 2 CRITICAL (non-compliant),
3 UNKNOWN (undetermined, invalid input, or a usage error).
"""

from __future__ import annotations

import argparse
import collections
import ipaddress
import json
import os
import shutil
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from pecdns._advice import setup_advice
from pecdns._batch import InvalidInput, check_many
from pecdns._codes import LANGUAGES
from pecdns._models import Report, Severity, Verdict, safe_text
from pecdns._policy import ARUBA, Policy
from pecdns._present import label
from pecdns._text import Style, render_text
from pecdns.exceptions import InvalidDomainError, InvalidRecordError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from pecdns._present import Result
    from pecdns.resolvers import Resolver

__all__ = ["EXIT_COMPLIANT", "EXIT_NON_COMPLIANT", "EXIT_OTHER", "main"]

EXIT_COMPLIANT = 0
"""Every domain checked is COMPLIANT."""
EXIT_NON_COMPLIANT = 1
"""At least one domain is NON_COMPLIANT."""
EXIT_OTHER = 2
"""Some results are UNDETERMINED or invalid (none NON_COMPLIANT), or a usage error."""

NAGIOS_OK, NAGIOS_WARNING, NAGIOS_CRITICAL, NAGIOS_UNKNOWN = 0, 1, 2, 3

POLICIES: dict[str, Policy] = {"aruba": ARUBA}
"""The providers ``--policy`` knows, by name."""

_NAGIOS_TEXT = {
    "en": {
        "OK": "{n} of {total} compliant",
        "WARNING": "{n} of {total} compliant, with warnings: {list}",
        "CRITICAL": "{n} of {total} non-compliant: {list}",
        "UNKNOWN": "{n} of {total} undetermined: {list}",
        "invalid": "{n} invalid input",
        "more": "and {n} more",
    },
    "it": {
        "OK": "{n} su {total} conformi",
        "WARNING": "{n} su {total} conformi, con avvisi: {list}",
        "CRITICAL": "{n} su {total} non conformi: {list}",
        "UNKNOWN": "{n} su {total} non determinati: {list}",
        "invalid": "{n} dati non validi",
        "more": "e altri {n}",
    },
}
_SUMMARY = {
    "en": "{total} checked: {parts}",
    "it": "{total} verificati: {parts}",
}


class UsageError(Exception):
    """Bad input on the command line or in a file it names: one line, the usage status."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and the usage exit status."""

    def __init__(self, *args: Any, usage_status: int = EXIT_OTHER, **kwargs: Any) -> None:  # noqa: ANN401 -- argparse's own arguments, passed through
        super().__init__(*args, **kwargs)
        self.usage_status = usage_status

    def error(self, message: str) -> NoReturn:
        text = f"{safe_text(message)} (see '{self.prog} --help')"
        if self.usage_status == NAGIOS_UNKNOWN:
            _say(f"PECDNS UNKNOWN - {text}")  # a plugin's output line is on stdout
        self.exit(self.usage_status, f"{self.prog}: error: {text}\n")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"a number of seconds above 0, not {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"a whole number from 1 up, not {text!r}")
    return value


def parse_server(text: str) -> tuple[str, int | None]:
    """An address and maybe a port: ``192.0.2.1``, ``192.0.2.1:5353``, ``::1``, ``[::1]:5353``.

    Raises:
        UsageError: the text is not an IP address with an optional port.

    >>> parse_server("[2001:db8::53]:5353"), parse_server("192.0.2.53")
    (('2001:db8::53', 5353), ('192.0.2.53', None))
    """
    where = f"--nameserver {safe_text(repr(text))}"
    rest = ""
    if text.startswith("["):
        address, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise UsageError(f"{where}: write an IPv6 address with a port as [address]:port")
        rest = rest[1:]
    elif text.count(":") == 1:
        address, _, rest = text.partition(":")
    else:
        address = text
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise UsageError(f"{where}: not an IP address (give IP, IP:PORT, or [IPv6]:PORT)") from None
    if not rest and not text.endswith(":"):
        return str(parsed), None
    if not rest.isdigit() or not 0 < int(rest) < 65536:
        raise UsageError(f"{where}: the port is a number from 1 to 65535")
    return str(parsed), int(rest)


def _servers(texts: Sequence[str]) -> tuple[list[str], int]:
    """The addresses of ``--nameserver`` options and their one port (53 by default)."""
    parsed = [parse_server(t) for t in texts]
    ports = {port or 53 for _, port in parsed}
    if len(ports) > 1:
        raise UsageError("every --nameserver must use the same port")
    return [address for address, _ in parsed], ports.pop() if ports else 53


def _zone_files(texts: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for text in texts:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.zone") if p.is_file())
            if not found:
                raise UsageError(f"--zone-file {safe_text(repr(text))}: no *.zone file in it")
            files += found
        else:
            files.append(path)
    return files


def _resolver(args: argparse.Namespace) -> Resolver | None:
    """The resolver the options ask for; ``None`` is the system's resolver."""
    from pecdns.resolvers import (  # noqa: PLC0415 -- dnspython loads once the options are read
        DnsResolver,
        IterativeResolver,
        ZoneResolver,
    )

    if args.zone_file:
        if args.nameserver or args.iterative:
            raise UsageError(
                "--zone-file checks offline; it goes with neither --nameserver nor --iterative"
            )
        files = _zone_files(args.zone_file)
        try:
            return ZoneResolver(*files)
        except InvalidRecordError as exc:
            raise UsageError(f"bad zone file: {safe_text(str(exc))}") from None
        except OSError as exc:
            name = safe_text(repr(str(exc.filename or "")))
            raise UsageError(f"cannot read zone file {name}: {exc.strerror or exc}") from None
    addresses, port = _servers(args.nameserver or [])
    if args.iterative:
        return IterativeResolver(addresses, port=port) if addresses else IterativeResolver()
    return DnsResolver(addresses, port=port) if addresses else None


def _lines(stream: Iterable[str]) -> Iterator[str]:
    """Domains from a file: one a line; blank lines and ``#`` comments skipped."""
    for line in stream:
        text = line.split("#", 1)[0].strip()
        if text:
            yield text


def _open_inputs(args: argparse.Namespace) -> list[TextIO]:
    streams: list[TextIO] = []
    for name in args.from_file or []:
        if name == "-":
            streams.append(sys.stdin)
            continue
        try:
            streams.append(Path(name).open(encoding="utf-8-sig"))  # noqa: SIM115 -- closed by the caller
        except OSError as exc:
            for stream in streams:
                if stream is not sys.stdin:
                    stream.close()
            raise UsageError(
                f"cannot read --from-file {safe_text(repr(name))}: {exc.strerror or exc}"
            ) from None
    return streams


def _domains(args: argparse.Namespace, streams: list[TextIO]) -> Iterator[str]:
    for item in args.domains:
        if item == "-":
            yield from _lines(sys.stdin)
        else:
            yield item
    for stream in streams:
        yield from _lines(stream)


def _style(args: argparse.Namespace, stream: TextIO) -> Style:
    tty = stream.isatty()
    if args.color == "auto":
        colour = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    else:
        colour = args.color == "always"
    width = min(shutil.get_terminal_size().columns, 100) if tty else None
    return Style(colour=colour, width=width)


def exit_status(tally: collections.Counter[str]) -> int:
    """The exit status of a run from the count of each verdict.

    >>> exit_status(collections.Counter(COMPLIANT=3, UNDETERMINED=1))
    2
    """
    total = sum(tally.values())
    if tally[Verdict.NON_COMPLIANT.value]:
        return EXIT_NON_COMPLIANT
    if total and tally[Verdict.COMPLIANT.value] == total:
        return EXIT_COMPLIANT
    return EXIT_OTHER


def _listed(results: list[Result], lang: str, codes_of: Severity) -> str:
    shown = []
    for result in results[:5]:
        if isinstance(result, InvalidInput):
            continue
        codes = ", ".join(f.code for f in result.findings if f.severity >= codes_of)
        shown.append(f"{result.domain.name} ({codes})" if codes else result.domain.name)
    invalid = sum(isinstance(r, InvalidInput) for r in results)
    if invalid:
        shown.append(_NAGIOS_TEXT[lang]["invalid"].format(n=invalid))
    if len(results) > 5:
        shown.append(_NAGIOS_TEXT[lang]["more"].format(n=len(results) - 5))
    return ", ".join(shown)


def nagios(results: list[Result], lang: str) -> tuple[int, str]:
    """The Nagios/Icinga plugin status and output line (with perfdata) for a run."""
    total = len(results)
    non_compliant = [r for r in results if r.verdict is Verdict.NON_COMPLIANT]
    undetermined = [r for r in results if r.verdict is Verdict.UNDETERMINED]
    warned = [
        r
        for r in results
        if r.verdict is Verdict.COMPLIANT
        and any(f.severity is Severity.WARNING for f in r.findings)
    ]
    texts = _NAGIOS_TEXT[lang]
    if non_compliant:
        status, name = NAGIOS_CRITICAL, "CRITICAL"
        text = texts[name].format(
            n=len(non_compliant), total=total, list=_listed(non_compliant, lang, Severity.ERROR)
        )
    elif undetermined:
        status, name = NAGIOS_UNKNOWN, "UNKNOWN"
        text = texts[name].format(
            n=len(undetermined), total=total, list=_listed(undetermined, lang, Severity.WARNING)
        )
    elif warned:
        status, name = NAGIOS_WARNING, "WARNING"
        text = texts[name].format(
            n=total, total=total, list=_listed(warned, lang, Severity.WARNING)
        )
    else:
        status, name = NAGIOS_OK, "OK"
        text = texts[name].format(n=total, total=total)
    invalid = sum(isinstance(r, InvalidInput) for r in results)
    perf = {
        "compliant": total - len(non_compliant) - len(undetermined),
        "non_compliant": len(non_compliant),
        "undetermined": len(undetermined) - invalid,
        "invalid": invalid,
    }
    perfdata = " ".join(f"{key}={value};;;0;{total}" for key, value in perf.items())
    return status, f"PECDNS {name} - {text} | {perfdata}"


def _summary(tally: collections.Counter[str], lang: str) -> str:
    parts = ", ".join(f"{tally[v.value]} {label(v.value, lang)}" for v in Verdict if tally[v.value])
    return _SUMMARY[lang].format(total=sum(tally.values()), parts=parts)


def _say(text: str, stream: TextIO | None = None) -> None:
    """Write one line (stdout by default) and flush it, so a pipe sees each result at once."""
    target = stream or sys.stdout
    target.write(text + "\n")
    target.flush()


class _Output:
    """Where each result of ``check`` goes, by output mode: text, JSON lines, or Nagios."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.style = _style(args, sys.stdout)
        self.tally: collections.Counter[str] = collections.Counter()
        self.kept: list[Result] = []
        self.printed = 0

    def add(self, result: Result) -> None:
        self.tally[result.verdict.value] += 1
        if isinstance(result, InvalidInput):
            _say(f"pecdns: {safe_text(result.findings[0].message)}", sys.stderr)
        if self.args.json:
            _say(json.dumps(result.to_dict(), ensure_ascii=True))
        elif self.args.nagios:
            self.kept.append(result)
        elif isinstance(result, Report):
            text = render_text(
                result, lang=self.args.lang, style=self.style, verbose=self.args.verbose
            )
            _say(("\n" if self.printed else "") + text)
            self.printed += 1

    def finish(self) -> int:
        if not self.tally:
            raise UsageError("no domain to check: the input holds only blank lines and comments")
        if self.args.nagios:
            status, line = nagios(self.kept, self.args.lang)
            _say(line)
            return status
        if self.printed and sum(self.tally.values()) > 1:
            _say("\n" + _summary(self.tally, self.args.lang))
        return exit_status(self.tally)


def _check(args: argparse.Namespace) -> int:
    if not args.domains and not args.from_file:
        raise UsageError(
            "give at least one domain, '-' to read them from standard input, or --from-file FILE"
        )
    resolver = _resolver(args)  # check_many runs a DnsResolver as its asyncio twin
    streams = _open_inputs(args)
    output = _Output(args)
    try:
        results = check_many(
            _domains(args, streams),
            resolver=resolver,
            policy=POLICIES[args.policy],
            concurrency=args.concurrency,
            timeout=args.timeout,
            lang=args.lang,
        )
        for result in results:
            output.add(result)
    except UnicodeDecodeError as exc:
        raise UsageError(f"the list of domains is not UTF-8 text ({exc.reason})") from None
    finally:
        for stream in streams:
            if stream is not sys.stdin:
                stream.close()
    return output.finish()


def _advice(args: argparse.Namespace) -> int:
    resolver = _resolver(args)
    try:
        advice = setup_advice(
            args.domain,
            resolver=resolver,
            policy=POLICIES[args.policy],
            lang=args.lang,
        )
    except InvalidDomainError as exc:
        raise UsageError(safe_text(str(exc))) from None
    _say("\n".join(safe_text(line) for line in advice.text.split("\n")))
    tally = collections.Counter([advice.report.verdict.value])
    return exit_status(tally)


def _common() -> _Parser:
    """The options of every command: where answers come from, the policy, the language."""
    common = _Parser(add_help=False)
    source = common.add_argument_group(
        "where DNS answers come from (default: the system's resolver)"
    )
    source.add_argument(
        "--nameserver",
        action="append",
        metavar="IP[:PORT]",
        help="ask this recursive resolver (repeatable; IPv6 with a port as [addr]:port);"
        " with --iterative, start the walk from these servers instead of the root",
    )
    source.add_argument(
        "--zone-file",
        action="append",
        metavar="FILE",
        help="answer offline from this BIND zone file, or every *.zone file in a folder"
        " (repeatable; load every zone the check needs)",
    )
    source.add_argument(
        "--iterative",
        action="store_true",
        help="walk the delegations from the root servers, trusting only authoritative answers",
    )
    common.add_argument(
        "--policy", choices=sorted(POLICIES), default="aruba", help="the provider (default: aruba)"
    )
    common.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        help="the language of messages: en or it (default: en)",
    )
    common.add_argument(
        "--color",
        "--colour",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output: auto (on a terminal, unless NO_COLOR is set), always, never",
    )
    return common


def _version() -> str:
    try:
        return version("pecdns")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
        return "unknown"


_EPILOG = """\
exit status: 0 every domain is compliant; 1 at least one is non-compliant;
2 otherwise (undetermined results, invalid input) or a usage error.
With --nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, as Nagios plugins do.
"""


def parser(*, usage_status: int = EXIT_OTHER) -> argparse.ArgumentParser:
    """The argument parser of the ``pecdns`` command; its errors exit with ``usage_status``."""
    common = _common()
    top = _Parser(
        usage_status=usage_status,
        prog="pecdns",
        description="Check the DNS side of Italian certified email (PEC) on your own domain:\n"
        "would pec.<domain> pass the provider's daily check?",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"pecdns {_version()}")
    commands = top.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    check = commands.add_parser(
        "check",
        usage_status=usage_status,
        parents=[common],
        help="check domains and print a report for each",
        description="Check each domain: would pec.<domain> pass the provider's daily check?",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "domains",
        nargs="*",
        metavar="DOMAIN",
        help="a registrable domain such as example.it; '-' reads one a line from standard input",
    )
    check.add_argument(
        "--from-file",
        action="append",
        metavar="FILE",
        help="read domains from FILE, one a line; blank lines and # comments are skipped"
        " (repeatable; '-' is standard input)",
    )
    output = check.add_mutually_exclusive_group()
    output.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object a line, in the schema pecdns.report.v1",
    )
    output.add_argument(
        "--nagios",
        action="store_true",
        help="print one Nagios/Icinga plugin line with perfdata, and exit as a plugin does",
    )
    check.add_argument(
        "-v", "--verbose", action="store_true", help="show the DNS answers behind each finding"
    )
    check.add_argument(
        "--timeout",
        type=_positive_float,
        default=30.0,
        metavar="SECONDS",
        help="the time budget of each domain's check (default: 30)",
    )
    check.add_argument(
        "--concurrency",
        type=_positive_int,
        default=16,
        metavar="N",
        help="domains checked at once (default: 16)",
    )
    advice = commands.add_parser(
        "advice",
        usage_status=usage_status,
        parents=[common],
        help="say what to set up in DNS for PEC on a domain, with the records to paste",
        description="Say what the customer must set up in DNS for PEC su dominio (P4, P5).",
        epilog="exit status: as for check, from the domain's current verdict; 2 on a usage error.",
    )
    advice.add_argument("domain", metavar="DOMAIN", help="a registrable domain such as example.it")
    from pecdns._cli_portfolio import add_commands  # noqa: PLC0415 -- it imports this module

    add_commands(commands, common, usage_status)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pecdns`` command with ``argv`` (the process's arguments when ``None``).

    Returns:
        The exit status (see the module's documentation).

    >>> main(["check", "--zone-file", "no-such.zone", "example.it"])
    2
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    nagios_mode = "--nagios" in arguments
    usage_status = NAGIOS_UNKNOWN if nagios_mode else EXIT_OTHER
    args = parser(usage_status=usage_status).parse_args(arguments)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "advice":
            return _advice(args)
        return int(args.run(args))  # daily, portfolio, history: _cli_portfolio
    except UsageError as exc:
        _say(f"pecdns: error: {exc}", sys.stderr)
        if nagios_mode:
            _say(f"PECDNS UNKNOWN - {exc}")
        return usage_status
    except KeyboardInterrupt:
        _say("pecdns: interrupted", sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return usage_status
