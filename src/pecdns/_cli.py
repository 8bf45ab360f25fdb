"""The ``pecdns`` command: check domains, print set-up advice, report to monitoring.

Standard library only (argparse; ANSI colour by hand), so the command needs
nothing beyond pecdns itself. Exit statuses, which monitoring understands:

- 0: every domain is COMPLIANT;
- 1: at least one domain is NON_COMPLIANT;
- 2: otherwise, i.e. some results are UNDETERMINED or inputs are invalid
  (and none is NON_COMPLIANT), or the command could not run: a bad option,
  an unreadable zone file or input file, a bad address, a system resolver
  with no configuration, or any unexpected error (never 1, which says
  "non-compliant").

With ``--nagios`` the statuses are a Nagios/Icinga plugin's instead:
0 OK, 1 WARNING (compliant, with warnings), 2 CRITICAL (non-compliant),
3 UNKNOWN (undetermined, invalid input, or a usage error).
"""

from __future__ import annotations

import argparse
import collections
import importlib.machinery
import importlib.util
import ipaddress
import json
import os
import shutil
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeAlias

import pecdns
from pecdns._advice import setup_advice
from pecdns._batch import InvalidInput, check_many
from pecdns._codes import LANGUAGES
from pecdns._models import Report, Severity, Verdict, safe_text
from pecdns._policy import ARUBA, Policy
from pecdns._present import label
from pecdns._text import Style, render_text
from pecdns.exceptions import InvalidDomainError, InvalidRecordError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

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

MAX_LINE = 4096
"""The longest line a list of domains may hold, comment included (a domain has 253 characters)."""

_LISTED = 5
"""How many names of each kind the Nagios line names before it counts the rest."""

# Each text as (singular, plural), picked by the count it starts with.
_NAGIOS_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "OK": ("{n} of {total} compliant",) * 2,
        "WARNING": ("{n} of {total} compliant, with warnings: {list}",) * 2,
        "CRITICAL": ("{n} of {total} non-compliant: {list}",) * 2,
        "UNKNOWN": ("{n} of {total} undetermined: {list}",) * 2,
        "INVALID": (
            "{n} of {total} invalid input: {list}",
            "{n} of {total} invalid inputs: {list}",
        ),
        "more": ("and {n} more",) * 2,
    },
    "it": {
        "OK": ("{n} su {total} conforme", "{n} su {total} conformi"),
        "WARNING": (
            "{n} su {total} conforme, con avvisi: {list}",
            "{n} su {total} conformi, con avvisi: {list}",
        ),
        "CRITICAL": ("{n} su {total} non conforme: {list}", "{n} su {total} non conformi: {list}"),
        "UNKNOWN": (
            "{n} su {total} non determinato: {list}",
            "{n} su {total} non determinati: {list}",
        ),
        "INVALID": (
            "{n} su {total} dato non valido: {list}",
            "{n} su {total} dati non validi: {list}",
        ),
        "more": ("e un altro", "e altri {n}"),
    },
}
_SUMMARY: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "checked": ("{n} checked: {parts}",) * 2,
        "invalid": ("{n} invalid input, not checked", "{n} invalid inputs, not checked"),
    },
    "it": {
        "checked": ("{n} verificato: {parts}", "{n} verificati: {parts}"),
        "invalid": ("{n} dato non valido, non verificato", "{n} dati non validi, non verificati"),
    },
}
_PLURAL_LABELS = {
    "it": {
        "CONFORME": "CONFORMI",
        "NON CONFORME": "NON CONFORMI",
        "NON DETERMINATO": "NON DETERMINATI",
    }
}
"""Plural verdict labels where the language has them (English verdicts are invariant)."""
INVALID = "INVALID"
"""The key under which a run's tally counts inputs that are not registrable domains."""


def _counted(texts: tuple[str, str], n: int, **values: object) -> str:
    """``texts``' singular or plural form for ``n``, filled in."""
    return texts[0 if n == 1 else 1].format(n=n, **values)


def plugin_text(text: str) -> str:
    r"""Text made safe for a Nagios plugin line: one line, and no ``|``, which starts perfdata.

    >>> plugin_text("a|b\nc")
    'a\\x7cb\\nc'
    """
    return safe_text(text).replace("|", "\\x7c")


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
            _say(_nagios_unknown(text))  # a plugin's output line is on stdout
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
            return ZoneResolver(
                *files,
                max_records=args.zone_max_records,
                max_bytes=args.zone_max_bytes,
                max_seconds=args.zone_max_seconds,
            )
        except InvalidRecordError as exc:
            raise UsageError(f"bad zone file: {safe_text(str(exc))}") from None
        except OSError as exc:
            name = safe_text(repr(str(exc.filename or "")))
            raise UsageError(f"cannot read zone file {name}: {exc.strerror or exc}") from None
    zone_limits = ("--zone-max-records", "--zone-max-bytes", "--zone-max-seconds")
    given = [flag for flag in zone_limits if getattr(args, flag[2:].replace("-", "_")) is not None]
    if given:
        raise UsageError(f"{given[0]} limits the zone files read: it goes with --zone-file")
    addresses, port = _servers(args.nameserver or [])
    if args.iterative:
        return IterativeResolver(addresses, port=port) if addresses else IterativeResolver()
    return DnsResolver(addresses, port=port) if addresses else None


def _lines(stream: TextIO, where: str) -> Iterator[str]:
    """Domains from a list: one a line; blank lines and ``#`` comments skipped.

    Each line is read up to :data:`MAX_LINE` characters, so that input with no
    line ends (``/dev/zero``, a binary file) is refused at once instead of
    filling the memory.
    """
    while line := stream.readline(MAX_LINE + 1):
        if len(line) > MAX_LINE and not line.endswith("\n"):
            raise UsageError(
                f"{where}: a line is longer than {MAX_LINE} characters; give one domain a line"
            )
        text = line.split("#", 1)[0].strip()
        if text:
            yield text


def _is_a_list(stream: TextIO) -> bool:
    """Whether an opened file can hold a list of domains: a regular file or a pipe, no device.

    Standard input may also be a terminal (someone typing) or a socket (inetd,
    systemd); a stream with no file descriptor is taken as it comes.
    """
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, OSError, ValueError):  # no descriptor: a test's or a wrapper's stream
        return True
    if stream is sys.stdin and (stat.S_ISSOCK(mode) or stream.isatty()):
        return True
    return stat.S_ISREG(mode) or stat.S_ISFIFO(mode)


def _check_stdin(args: argparse.Namespace) -> None:
    """Refuse a device on standard input (``- < /dev/urandom``), as for ``--from-file``."""
    if "-" in [*args.domains, *(args.from_file or [])] and not _is_a_list(sys.stdin):
        raise UsageError(
            "standard input: not a regular file, a pipe or a terminal;"
            " give a list of domains, one a line"
        )


def _close(streams: Iterable[tuple[str, TextIO]]) -> None:
    for _, stream in streams:
        if stream is not sys.stdin:
            stream.close()


def _open_list(name: str, where: str) -> TextIO:
    """One ``--from-file`` list, opened; a device (``/dev/zero``) or a folder is refused."""
    try:
        stream = Path(name).open(encoding="utf-8-sig")  # noqa: SIM115 -- the caller closes it
    except OSError as exc:
        raise UsageError(f"cannot read {where}: {exc.strerror or exc}") from None
    if not _is_a_list(stream):
        stream.close()
        raise UsageError(
            f"{where}: not a regular file or a pipe; give a list of domains, one a line"
        )
    return stream


def _open_inputs(args: argparse.Namespace) -> list[tuple[str, TextIO]]:
    """The ``--from-file`` lists, opened, each with the words that name it in a message."""
    streams: list[tuple[str, TextIO]] = []
    try:
        for name in args.from_file or []:
            if name == "-":
                streams.append(("standard input", sys.stdin))
            else:
                where = f"--from-file {safe_text(repr(name))}"
                streams.append((where, _open_list(name, where)))
    except UsageError:
        _close(streams)
        raise
    return streams


def _domains(args: argparse.Namespace, streams: list[tuple[str, TextIO]]) -> Iterator[str]:
    for item in args.domains:
        if item == "-":
            yield from _lines(sys.stdin, "standard input")
        else:
            yield item
    for where, stream in streams:
        yield from _lines(stream, where)


def _style(args: argparse.Namespace, stream: TextIO) -> Style:
    tty = stream.isatty()
    if args.color == "auto":
        colour = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    else:
        colour = args.color == "always"
    width = min(shutil.get_terminal_size().columns, 100) if tty else None
    return Style(colour=colour, width=width)


def exit_status(tally: collections.Counter[str]) -> int:
    """The exit status of a run from the count of each verdict (and of invalid inputs).

    >>> exit_status(collections.Counter(COMPLIANT=3, UNDETERMINED=1))
    2
    """
    total = sum(tally.values())
    if tally[Verdict.NON_COMPLIANT.value]:
        return EXIT_NON_COMPLIANT
    if total and tally[Verdict.COMPLIANT.value] == total:
        return EXIT_COMPLIANT
    return EXIT_OTHER


def _shortened(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


class NagiosTally:
    r"""The Nagios/Icinga plugin status and line of a run, from its results one at a time.

    It keeps counts and the first few names of each kind, never the reports,
    so a run of a million domains takes as little memory as one of ten.

    >>> from pecdns.testing import FakeDNS
    >>> tally = NagiosTally()
    >>> tally.add(pecdns.check("example.it", resolver=FakeDNS().compliant("example.it")))
    >>> status, line = tally.line("en")
    >>> status
    0
    >>> print(line.replace(" | ", "\n"))
    PECDNS OK - 1 of 1 compliant
    compliant=1;;;0;1 non_compliant=0;;;0;1 undetermined=0;;;0;1 invalid=0;;;0;1
    """

    def __init__(self) -> None:
        self.total = 0
        self.counts: collections.Counter[str] = collections.Counter()
        self.names: dict[str, list[str]] = collections.defaultdict(list)

    def add(self, result: Result) -> None:
        """Count one result; keep its name if it is among the first of its kind."""
        self.total += 1
        shown: Severity | None  # the least severity of the codes shown beside the name
        if isinstance(result, InvalidInput):  # its one code, INPUT_INVALID, would say no more
            kind, name, shown = INVALID, _shortened(result.name), None
        elif result.verdict is Verdict.NON_COMPLIANT:
            kind, name, shown = "CRITICAL", result.domain.name, Severity.ERROR
        elif result.verdict is Verdict.UNDETERMINED:
            kind, name, shown = "UNKNOWN", result.domain.name, Severity.WARNING
        elif any(f.severity is Severity.WARNING for f in result.findings):
            kind, name, shown = "WARNING", result.domain.name, Severity.WARNING
        else:
            kind, name, shown = "OK", result.domain.name, Severity.ERROR
        self.counts[kind] += 1
        names = self.names[kind]
        if kind != "OK" and len(names) < _LISTED:
            codes = [f.code for f in result.findings if shown is not None and f.severity >= shown]
            names.append(f"{name} ({', '.join(codes)})" if codes else name)

    def _listed(self, kind: str, lang: str) -> str:
        names = self.names[kind]
        more = self.counts[kind] - len(names)
        if more:
            names = [*names, _counted(_NAGIOS_TEXT[lang]["more"], more)]
        return ", ".join(names)

    def line(self, lang: str) -> tuple[int, str]:
        """The plugin's exit status and output line, with performance data."""
        texts, counts, total = _NAGIOS_TEXT[lang], self.counts, self.total
        if counts["CRITICAL"]:
            status, name = NAGIOS_CRITICAL, "CRITICAL"
        elif counts["UNKNOWN"] or counts[INVALID]:
            status, name = NAGIOS_UNKNOWN, "UNKNOWN"
        elif counts["WARNING"]:
            status, name = NAGIOS_WARNING, "WARNING"
        else:
            status, name = NAGIOS_OK, "OK"
        problems = [kind for kind in ("CRITICAL", "UNKNOWN", INVALID) if counts[kind]]
        if problems:
            parts = [
                _counted(texts[kind], counts[kind], total=total, list=self._listed(kind, lang))
                for kind in problems
            ]
        else:  # every domain is compliant
            listed = self._listed("WARNING", lang)
            parts = [_counted(texts[name], total, total=total, list=listed)]
        perf = {
            "compliant": counts["OK"] + counts["WARNING"],
            "non_compliant": counts["CRITICAL"],
            "undetermined": counts["UNKNOWN"],
            "invalid": counts[INVALID],
        }
        perfdata = " ".join(f"{key}={value};;;0;{total}" for key, value in perf.items())
        return status, f"PECDNS {name} - {plugin_text('; '.join(parts))} | {perfdata}"


def nagios(results: Iterable[Result], lang: str) -> tuple[int, str]:
    """The Nagios/Icinga plugin status and output line (with perfdata) for a run."""
    tally = NagiosTally()
    for result in results:
        tally.add(result)
    return tally.line(lang)


def _nagios_unknown(text: str) -> str:
    """The plugin line of a run that could not run."""
    return f"PECDNS UNKNOWN - {plugin_text(text)}"


def _verdicts(count: int, verdict: Verdict, lang: str) -> str:
    word = label(verdict.value, lang)
    return word if count == 1 else _PLURAL_LABELS.get(lang, {}).get(word, word)


def _summary(tally: collections.Counter[str], lang: str) -> str:
    """The last line of a run: domains checked by verdict, then inputs refused, apart."""
    texts, invalid = _SUMMARY[lang], tally[INVALID]
    parts = ", ".join(
        f"{tally[v.value]} {_verdicts(tally[v.value], v, lang)}" for v in Verdict if tally[v.value]
    )
    line = _counted(texts["checked"], sum(tally.values()) - invalid, parts=parts)
    return f"{line}; {_counted(texts['invalid'], invalid)}" if invalid else line


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
        self.nagios = NagiosTally() if args.nagios else None
        self.printed = 0

    def add(self, result: Result) -> None:
        if isinstance(result, InvalidInput):
            self.tally[INVALID] += 1
            _say(f"pecdns: {safe_text(result.findings[0].message)}", sys.stderr)
        else:  # --strict: the verdict on every rule, not the daily check's alone
            strict = getattr(self.args, "strict", False)
            self.tally[(result.policy_verdict if strict else result.verdict).value] += 1
        if self.args.json:
            _say(json.dumps(result.to_dict(), ensure_ascii=True))
        elif self.nagios is not None:
            self.nagios.add(result)
        elif isinstance(result, Report):
            text = render_text(
                result, lang=self.args.lang, style=self.style, verbose=self.args.verbose
            )
            _say(("\n" if self.printed else "") + text)
            self.printed += 1

    def finish(self) -> int:
        if not self.tally:
            raise UsageError("no domain to check: the input holds only blank lines and comments")
        if self.nagios is not None:
            status, line = self.nagios.line(self.args.lang)
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
    if args.processes > 1 and (args.iterative or args.zone_file):
        raise UsageError(
            "--processes asks the real DNS: it goes with neither --iterative nor --zone-file"
        )
    resolver = _resolver(args)  # check_many asks the real DNS on its fast path
    _check_stdin(args)
    streams = _open_inputs(args)
    output = _Output(args)
    try:
        results = check_many(
            _domains(args, streams),
            resolver=resolver,
            policy=POLICIES[args.policy],
            concurrency=args.concurrency,
            timeout=args.timeout,
            processes=args.processes,
            lang=args.lang,
        )
        for result in results:
            output.add(result)
    except UnicodeDecodeError as exc:
        raise UsageError(f"the list of domains is not UTF-8 text ({exc.reason})") from None
    finally:
        _close(streams)
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
        "--zone-max-records",
        type=_positive_int,
        metavar="N",
        help="with --zone-file: the most records the zones may hold (default: 100,000)",
    )
    source.add_argument(
        "--zone-max-bytes",
        type=_positive_int,
        metavar="N",
        help="with --zone-file: the most bytes of zone text they may hold (default: 16 MiB)",
    )
    source.add_argument(
        "--zone-max-seconds",
        type=_positive_float,
        metavar="SECONDS",
        help="with --zone-file: the most time loading them may take (default: 30)",
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


_EPILOG = """\
exit status: 0 every domain is compliant; 1 at least one is non-compliant;
2 otherwise (undetermined results, invalid input) or the command could not run.
With --nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, as Nagios plugins do.
"""

Subcommands: TypeAlias = "argparse._SubParsersAction[_Parser]"  # noqa: SLF001 -- argparse has no public name for it
"""Where a command adds itself: ``add_parser`` gives a :class:`_Parser`."""


def _add_check(commands: Subcommands, common: _Parser, usage_status: int) -> None:
    check = commands.add_parser(
        "check",
        usage_status=usage_status,
        parents=[common],
        help="check domains and print a report for each",
        description="Check each domain: would pec.<domain> pass the provider's daily check?",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.set_defaults(run=_check)
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
        help="read domains from FILE (a file or a pipe), one a line; blank lines and # comments"
        f" are skipped, lines end within {MAX_LINE} characters (repeatable; '-' is standard input)",
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
        "--strict",
        action="store_true",
        help="exit on the verdict counting every rule (P5, P9/P10, RFC 1912 hygiene), not only"
        " the provider's daily check (P6)",
    )
    check.add_argument(
        "--timeout",
        type=_positive_float,
        default=30.0,
        metavar="SECONDS",
        help="the most time one domain's check may take, all its DNS questions and waits"
        " included; a check that runs out is UNDETERMINED (default: 30)",
    )
    check.add_argument(
        "--concurrency",
        type=_positive_int,
        default=None,
        metavar="N",
        help="domains checked at once (default: 512 asking the real DNS, 64 with --iterative"
        " or --zone-file)",
    )
    check.add_argument(
        "--processes",
        type=_positive_int,
        default=1,
        metavar="N",
        help="worker processes sharing a long list, each checking on its own event loop"
        " (asking the real DNS only; default: 1)",
    )


def _add_advice(commands: Subcommands, common: _Parser, usage_status: int) -> None:
    advice = commands.add_parser(
        "advice",
        usage_status=usage_status,
        parents=[common],
        help="say what to set up in DNS for PEC on a domain, with the records to paste",
        description="Say what the customer must set up in DNS for PEC su dominio (P4, P5).",
        epilog="exit status: as for check, from the domain's current verdict; 2 on a usage error.",
    )
    advice.set_defaults(run=_advice)
    advice.add_argument("domain", metavar="DOMAIN", help="a registrable domain such as example.it")


COMMANDS: list[Callable[[Subcommands, _Parser, int], None]] = [_add_check, _add_advice]
"""What adds each command to the parser, in the order of ``pecdns --help``.

Each adds its sub-parser (with ``parents=[common]`` for the shared options and
the given ``usage_status``) and sets ``run``, the function that runs it and
returns the exit status.
"""


def _build() -> str:
    """Which build of pecdns runs: ``"compiled"`` (by mypyc, docs/scale.md) or ``"pure Python"``.

    Worth quoting in a bug report: both builds run the same source, and the
    compiled one differs in the few ways docs/scale.md lists. The engine's
    module is found, not imported (5 ms): every command builds this parser,
    and ``advice`` or ``--help`` never runs the engine.
    """
    spec = importlib.util.find_spec("pecdns._engine")
    origin = str(spec.origin if spec is not None else "")
    compiled = origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    return "compiled" if compiled else "pure Python"


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
    version = f"pecdns {pecdns.__version__} ({_build()})"
    top.add_argument("--version", action="version", version=version)
    commands = top.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    for add in COMMANDS:
        add(commands, common, usage_status)
    # daily, portfolio, history: the portfolio store's commands, in a module of their own.
    from pecdns._cli_portfolio import add_commands  # noqa: PLC0415 -- it imports this module

    add_commands(commands, common, usage_status)
    return top


def _unexpected(exc: Exception) -> str:
    """One line for an exception that nothing else caught."""
    import dns.resolver  # noqa: PLC0415 -- loaded already when a resolver could raise this

    if isinstance(exc, dns.resolver.NoResolverConfiguration):  # P6.1: no way to ask
        return (
            "the system's resolver is not configured (no nameserver in /etc/resolv.conf);"
            " give --nameserver IP, --iterative or --zone-file"
        )
    if isinstance(exc, MemoryError):
        return "out of memory"
    return f"unexpected {type(exc).__name__}: {exc} (a bug in pecdns: please report it)"


def _failed(message: str, *, nagios_mode: bool, status: int) -> int:
    """Say in one line why the command could not run; return ``status``."""
    _say(f"pecdns: error: {safe_text(message)}", sys.stderr)
    if nagios_mode:
        _say(_nagios_unknown(message))
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pecdns`` command with ``argv`` (the process's arguments when ``None``).

    Whatever happens, a failure is one line and status 2 (3 with ``--nagios``),
    never a traceback, and never 1, which says "non-compliant".

    Returns:
        The exit status (see the module's documentation).

    >>> main(["check", "--zone-file", "no-such.zone", "example.it"])
    2
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    nagios_mode = "--nagios" in arguments
    usage_status = NAGIOS_UNKNOWN if nagios_mode else EXIT_OTHER
    try:
        args = parser(usage_status=usage_status).parse_args(arguments)
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except UsageError as exc:
        return _failed(str(exc), nagios_mode=nagios_mode, status=usage_status)
    except KeyboardInterrupt:
        _say("pecdns: interrupted", sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return usage_status
    except Exception as exc:  # noqa: BLE001 -- the last resort: one line, never a traceback
        return _failed(_unexpected(exc), nagios_mode=nagios_mode, status=usage_status)
