"""The portfolio commands of ``pecdns``: ``daily``, ``portfolio``, ``history``.

``pecdns daily --db portfolio.sqlite`` is the cron job: it runs the day's
check over every certification of the store, saves the results as it goes,
and prints what changed since the previous run. Its exit statuses are
``pecdns check``'s: 0 every checked domain is compliant, 1 at least one is
not, 2 otherwise (undetermined results, an empty portfolio, a store that
cannot be read or written, a usage error).
"""

from __future__ import annotations

import argparse
import collections
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from pecdns._cli import (
    EXIT_COMPLIANT,
    EXIT_OTHER,
    POLICIES,
    UsageError,
    _positive_float,
    _positive_int,
    _resolver,
    _say,
    exit_status,
)
from pecdns._domain import Domain
from pecdns._lifecycle import Certification
from pecdns._models import safe_text
from pecdns.exceptions import PecdnsError
from pecdns.portfolio import StoreBusyError, StoreError
from pecdns.portfolio import open as open_store

if TYPE_CHECKING:
    from pecdns.portfolio import SqliteStore

__all__ = ["add_commands"]

_DAILY_EPILOG = """\
exit status: as for check, over the day's results: 0 every checked domain is
compliant; 1 at least one is non-compliant; 2 otherwise (undetermined results,
an empty portfolio), or the store cannot be read or written, or a usage error.
Run it from cron once a day, e.g.:
  15 6 * * *  pecdns daily --db /var/lib/pecdns/portfolio.sqlite --json >> /var/log/pecdns.jsonl
"""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date YYYY-MM-DD, not {text!r}") from None


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"a whole number from 0 up, not {text!r}")
    return value


def _store(args: argparse.Namespace, *, create: bool = False) -> SqliteStore:
    return open_store(args.db, create=create)


def _daily(args: argparse.Namespace) -> int:
    resolver = _resolver(args)
    today = args.today or date.today()  # noqa: DTZ011 -- the cron job's own local day, by design
    with _store(args) as store:
        if not len(store):
            raise UsageError(
                f"the portfolio {str(args.db)!r} holds no certification: add some with"
                " 'pecdns portfolio add' or 'pecdns portfolio import'"
            )
        summary = store.run_day(
            today=today,
            resolver=resolver,
            policy=POLICIES[args.policy],
            batch=args.batch,
            concurrency=args.concurrency,
            timeout=args.timeout,
            wait=args.wait or 0.0,
            keep_reports=args.keep_reports,
            lang=args.lang,
        )
        changes = store.changes(within=args.within)
    if args.json:
        _say(
            json.dumps(
                {
                    "run": summary.day.isoformat(),
                    "since": changes.since.isoformat() if changes.since else None,
                    "total": summary.total,
                    "checked": summary.checked,
                    "verdicts": {v.value: n for v, n in summary.verdicts},
                },
                ensure_ascii=True,
            )
        )
        for change in changes:
            _say(json.dumps(change.to_dict(), ensure_ascii=True))
    else:
        _say(str(summary))
        _say(str(changes))
    tally = collections.Counter({v.value: n for v, n in summary.verdicts})
    return exit_status(tally)


def _add(args: argparse.Namespace) -> int:
    try:
        cert = Certification(args.domain, args.expires, dns_management=args.dns_management)
    except PecdnsError as exc:
        raise UsageError(safe_text(str(exc))) from None
    with _store(args, create=True) as store:
        store.add(cert, replace=args.replace)
    _say(f"added {cert.domain} (expires {cert.expires.isoformat()})")
    return EXIT_COMPLIANT


def _stored(name: str) -> Domain:
    """The domain ``name`` names in a portfolio (which may hold one of the private section)."""
    try:
        return Domain.read_back(name)
    except PecdnsError as exc:
        raise UsageError(safe_text(str(exc))) from None


def _remove(args: argparse.Namespace) -> int:
    domain = _stored(args.domain)
    with _store(args) as store:
        if not store.remove(domain):
            raise UsageError(f"{domain} is not in the portfolio {str(args.db)!r}")
    _say(f"removed {domain} (its history stays)")
    return EXIT_COMPLIANT


def _list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        certs = store.certifications()
    for cert in certs:
        if args.json:
            _say(
                json.dumps(
                    {
                        "domain": cert.domain.name,
                        "expires": cert.expires.isoformat(),
                        "status": cert.status.value,
                        "dns_management": cert.dns_management,
                        "last_checked": cert.last_checked.isoformat()
                        if cert.last_checked
                        else None,
                    },
                    ensure_ascii=True,
                )
            )
        else:
            checked = cert.last_checked.isoformat() if cert.last_checked else "never"
            _say(
                f"{cert.domain.name:<30} {cert.status.value:<9} expires"
                f" {cert.expires.isoformat()}  last checked {checked}"
            )
    return EXIT_COMPLIANT


def _import(args: argparse.Namespace) -> int:
    with _store(args, create=True) as store:
        count = store.import_csv(args.file, replace=args.replace)
    _say(f"imported {count} certification{'' if count == 1 else 's'} from {args.file}")
    return EXIT_COMPLIANT


def _prune(args: argparse.Namespace) -> int:
    with _store(args) as store:
        count = store.prune(keep_days=args.keep_days, summaries=not args.drop_runs)
    what = "results dropped" if args.drop_runs else "reports dropped (summaries kept)"
    _say(f"{count} {what}, older than {args.keep_days} days before the latest run")
    return EXIT_COMPLIANT


def _history(args: argparse.Namespace) -> int:
    domain = _stored(args.domain)
    with _store(args) as store:
        entries = store.history(domain)
        cert = store.certification(domain)
    if not entries and cert is None:
        raise UsageError(f"{domain} has no history in the portfolio {str(args.db)!r}")
    for entry in entries:
        if args.json:
            _say(
                json.dumps(
                    {
                        "day": entry.day.isoformat(),
                        "verdict": entry.verdict.value if entry.verdict else None,
                        "before": entry.before.value,
                        "after": entry.after.value,
                        "errors": list(entry.codes),
                        "reason": entry.reason,
                        "error": entry.error,
                    },
                    ensure_ascii=True,
                )
            )
        else:
            _say(str(entry))
            if entry.reason:
                _say(f"    {safe_text(entry.reason)}")
    if cert is not None and not args.json:
        _say(f"now {cert.status}, expires {cert.expires.isoformat()}")
    return EXIT_COMPLIANT


def _guarded(action: argparse.Namespace) -> int:
    """Run a portfolio command; a store's failure is one line and status 2."""
    try:
        status: int = action.action(action)
    except StoreBusyError as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    return status


def add_commands(
    commands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
    usage_status: int = EXIT_OTHER,
) -> None:
    """Add ``daily``, ``portfolio`` and ``history`` to the ``pecdns`` parser's commands."""
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--db", required=True, metavar="FILE", help="the portfolio store (an SQLite file)"
    )
    daily = commands.add_parser(
        "daily",
        usage_status=usage_status,
        parents=[common, store],
        help="run the day's check over a portfolio and print what changed",
        description="Run the provider's daily check (P6) over every certification in the store,"
        " save the results as it goes, and print what changed since the previous run.",
        epilog=_DAILY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    daily.add_argument(
        "--today", type=_day, metavar="YYYY-MM-DD", help="the day of the run (default: today)"
    )
    daily.add_argument(
        "--json", action="store_true", help="print a summary line, then one JSON line a change"
    )
    daily.add_argument(
        "--within",
        type=_whole,
        default=30,
        metavar="N",
        help="list as due those awaiting a fix with at most N days before expiry (default: 30)",
    )
    daily.add_argument(
        "--wait",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="wait this long for another run on the same store to end (default: refuse at once)",
    )
    daily.add_argument(
        "--batch", type=_positive_int, default=500, metavar="N", help="results saved at a time"
    )
    daily.add_argument(
        "--keep-reports",
        choices=("changes", "all"),
        default="changes",
        help="save a report in full when its judgement changes (default), or every day's",
    )
    daily.add_argument(
        "--concurrency", type=_positive_int, default=16, metavar="N", help="domains at once"
    )
    daily.add_argument(
        "--timeout", type=_positive_float, default=30.0, metavar="SECONDS", help="per check"
    )
    daily.set_defaults(run=_guarded, action=_daily)

    manage = commands.add_parser(
        "portfolio",
        usage_status=usage_status,
        help="add, remove, list or import the certifications of a portfolio",
        description="Manage the certifications of a portfolio store.",
    )
    actions = manage.add_subparsers(
        dest="portfolio_command", metavar="ACTION", required=True, parser_class=type(manage)
    )
    add = actions.add_parser(
        "add", usage_status=usage_status, parents=[store], help="add one certification"
    )
    add.add_argument("domain", metavar="DOMAIN")
    add.add_argument("--expires", type=_day, required=True, metavar="YYYY-MM-DD")
    add.add_argument(
        "--no-dns-management",
        dest="dns_management",
        action="store_false",
        help="the PEC service comes without the provider's DNS management",
    )
    add.add_argument("--replace", action="store_true", help="replace one of the same domain")
    add.set_defaults(run=_guarded, action=_add)
    remove = actions.add_parser(
        "remove", usage_status=usage_status, parents=[store], help="remove one certification"
    )
    remove.add_argument("domain", metavar="DOMAIN")
    remove.set_defaults(run=_guarded, action=_remove)
    listing = actions.add_parser(
        "list", usage_status=usage_status, parents=[store], help="list the certifications"
    )
    listing.add_argument("--json", action="store_true", help="one JSON object a line")
    listing.set_defaults(run=_guarded, action=_list)
    load = actions.add_parser(
        "import",
        usage_status=usage_status,
        parents=[store],
        help="add the certifications of a CSV file (header: domain,expires[,dns_management])",
    )
    load.add_argument("file", metavar="FILE")
    load.add_argument("--replace", action="store_true", help="replace those already there")
    load.set_defaults(run=_guarded, action=_import)
    prune = actions.add_parser(
        "prune",
        usage_status=usage_status,
        parents=[store],
        help="drop the full reports of old runs (their one-line summaries stay)",
    )
    prune.add_argument("--keep-days", type=_whole, required=True, metavar="N")
    prune.add_argument(
        "--drop-runs", action="store_true", help="drop old runs entirely, summaries too"
    )
    prune.set_defaults(run=_guarded, action=_prune)

    history = commands.add_parser(
        "history",
        usage_status=usage_status,
        parents=[store],
        help="print one domain's timeline in a portfolio",
        description="Print one certification's timeline: each day's verdict and status.",
    )
    history.add_argument("domain", metavar="DOMAIN")
    history.add_argument("--json", action="store_true", help="one JSON object a day")
    history.set_defaults(run=_guarded, action=_history)
