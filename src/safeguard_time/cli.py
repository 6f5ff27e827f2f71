"""The ``safeguard-time`` command line (also ``python -m safeguard_time``).

Subcommands parse their arguments, call the library, and print; nothing else lives here.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import errno
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from safeguard_time._dates import london_date
from safeguard_time.calendar import Convention, WorkingCalendar, england_and_wales
from safeguard_time.errors import InvalidOptionError, ProvisionalCalendarWarning, SafeguardTimeError

__all__ = ["main"]


def _date_arg(text: str) -> _dt.date:
    """A command-line date, read by the library's date grammar (the error says why not)."""
    try:
        return london_date(text)
    except SafeguardTimeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _convention(text: str) -> Convention:
    try:
        return Convention.parse(text)
    except SafeguardTimeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _check(text: str) -> Any:
    from safeguard_time.io.scan import Check  # noqa: PLC0415 - the scan loads on demand

    try:
        return Check.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _calendar(args: argparse.Namespace) -> WorkingCalendar:
    if getattr(args, "bank_holidays", None):
        return WorkingCalendar.from_govuk(args.bank_holidays)
    return england_and_wales()


def _print_json(value: object) -> None:
    """Print ``value`` as JSON in the one style of every ``--json``: indented by two spaces."""
    print(json.dumps(value, indent=2, ensure_ascii=False))


class _CannotWrite(Exception):
    """An output that cannot be written; the one message shape: ``PATH: cannot write: WHY``."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"{path}: cannot write: {why}")


#: The words of the reasons an output cannot be written, by ``errno``.
_WHY = {
    errno.ENOENT: "no such folder",
    errno.ENOTDIR: "a part of its folder is a file, not a folder",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.EISDIR: "it is a folder",
    errno.ENOSPC: "no space left on the device",
}


def _why(exc: OSError) -> str:
    """The reason of a failed write, in the words of :data:`_WHY` (else the system's)."""
    if exc.errno in _WHY:
        return _WHY[exc.errno]
    return (exc.strerror or str(exc)).lower()


def _check_writable(outputs: Sequence[str | None]) -> None:
    """Refuse, before any work, an output whose folder is missing or cannot be written to.

    ``None`` and ``-`` (standard output) are not files and pass.
    """
    for path in outputs:
        if not path or path == "-":
            continue
        folder = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):
            raise _CannotWrite(path, _WHY[errno.EISDIR])
        if not os.path.isdir(folder):
            parent = folder
            while not os.path.exists(parent):
                parent = os.path.dirname(parent)
            code = errno.ENOENT if os.path.isdir(parent) else errno.ENOTDIR
            raise _CannotWrite(path, _WHY[code])
        if not os.access(folder, os.W_OK):
            raise _CannotWrite(path, _WHY[errno.EACCES])


def _os_error(exc: OSError, outputs: Sequence[str | None]) -> str:
    """An operating-system error's message: an output's in the shape of :class:`_CannotWrite`."""
    name = os.fsdecode(exc.filename) if exc.filename is not None else None
    written = {os.path.abspath(p) for p in outputs if p and p != "-"}
    if name is not None and os.path.abspath(name) in written:
        return str(_CannotWrite(name, _why(exc)))
    where = f"{name}: " if name else ""
    return f"{where}{exc.strerror or exc}"


def _stderr_width() -> int | None:
    """The width the summary wraps to: the terminal's when stderr is one, else no wrapping."""
    import shutil  # noqa: PLC0415

    if not sys.stderr.isatty():
        return None
    return shutil.get_terminal_size().columns


def _cmd_add(args: argparse.Namespace) -> int:
    result = _calendar(args).add_working_days(args.date, args.n, convention=args.convention)
    if args.json:
        _print_json(
            {
                "start": args.date.isoformat(),
                "n": args.n,
                "result": result.isoformat(),
                "convention": args.convention.value,
            }
        )
    else:
        print(f"{result.isoformat()} ({result:%A})")
    return 0


def _cmd_between(args: argparse.Namespace) -> int:
    n = _calendar(args).working_days_between(args.start, args.end, convention=args.convention)
    if args.json:
        _print_json(
            {
                "start": args.start.isoformat(),
                "end": args.end.isoformat(),
                "working_days": n,
                "convention": args.convention.value,
            }
        )
    else:
        print(n)
    return 0


def _date_range(args: argparse.Namespace) -> None:
    """Refuse ``--from`` after ``--to`` (as a usage error: exit 2)."""
    if args.from_date is not None and args.to_date is not None and args.from_date > args.to_date:
        raise InvalidOptionError(
            "--from",
            args.from_date,
            f"--from {args.from_date.isoformat()} is after --to {args.to_date.isoformat()}: "
            "give the earlier date first",
        )


def _cmd_holidays(args: argparse.Namespace) -> int:
    _date_range(args)
    cal = _calendar(args)
    start = args.from_date or _dt.date(_dt.date.today().year, 1, 1)
    end = args.to_date or _dt.date(start.year, 12, 31)
    if args.to_date is not None and args.from_date is None and end < start:
        start = _dt.date(end.year, 1, 1)  # --to alone, in an earlier year: that year
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        days = cal.holidays(start, end)
    rows = [
        {
            "date": day.date.isoformat(),
            "weekday": f"{day.date:%a}",
            "name": day.name,
            "provisional": day.date.year > cal.verified_through,
        }
        for day in days
    ]
    fmt = "json" if args.json else args.format
    if fmt == "json":
        _print_json(
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "verified_through": cal.verified_through,
                "holidays": rows,
            }
        )
    elif fmt == "csv":
        import csv  # noqa: PLC0415

        writer = csv.DictWriter(
            sys.stdout,
            fieldnames=["date", "weekday", "name", "provisional"],
            lineterminator="\n",
        )
        writer.writeheader()
        writer.writerows({**row, "provisional": str(row["provisional"]).lower()} for row in rows)
    else:
        for row in rows:
            flag = "  (provisional)" if row["provisional"] else ""
            print(f"{row['date']}  {row['weekday']}  {row['name']}{flag}")
    print(
        f"# verified through {cal.verified_through}; later years are projections", file=sys.stderr
    )
    return 0


def _cmd_due(args: argparse.Namespace) -> int:
    from safeguard_time.deadlines import deadline  # noqa: PLC0415 - the rules load on demand
    from safeguard_time.rules import Policy  # noqa: PLC0415

    policy = Policy.load(args.policy) if args.policy else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ProvisionalCalendarWarning)
            d = deadline(
                args.timescale,
                args.date,
                convention=args.convention,
                calendar=_calendar(args),
                policy=policy,
                phase=args.phase,
                extensions=args.extensions,
            )
    except InvalidOptionError as exc:
        if exc.option != "phase" or exc.value is not None:
            raise
        raise InvalidOptionError(
            "phase", None, f"{exc}: give --phase (see: safeguard-time rules {args.timescale})"
        ) from None
    if args.json:
        rule = d.rule
        _print_json(
            {
                "timescale": d.timescale,
                "start": d.start.isoformat(),
                "due": d.due.isoformat(),
                "last_working_day": d.last_working_day.isoformat(),
                "convention": d.convention.value,
                "phase": args.phase,
                "extensions": args.extensions,
                "policy": policy.name if policy is not None else None,
                "provisional": d.provisional,
                "rule": {
                    "id": rule.id,
                    "edition": rule.edition.title,
                    "amount": rule.amount,
                    "unit": rule.unit,
                    "status": rule.status,
                    "citation": str(rule.citation),
                    "url": rule.citation.url,
                },
                "explanation": d.explain(),
            }
        )
    else:
        print(f"{d.due.isoformat()} ({d.due:%A})")
        print(d.explain())
    return 0


#: The columns of ``rules`` (without ``--wide``); their widths fit 100 columns.
_RULE_COLUMNS = ("phase", "length", "from", "to (incl.)", "source")


def _cmd_rules(args: argparse.Namespace) -> int:
    from safeguard_time.rules import resolved_rules, timescales  # noqa: PLC0415

    chosen = None
    if args.timescale is not None:
        resolved_rules(args.timescale)  # an unknown id: its error, with "did you mean"
        chosen = args.timescale
    found = []
    for ts in timescales(on=args.on):
        if chosen is not None and ts.id != chosen:
            continue
        ids = {r.id for r in ts.rules}
        rows = [r for r in resolved_rules(ts.id) if r.rule.id in ids]
        found.append((ts, rows))
    if args.json:
        _print_json(
            [
                {
                    "timescale": ts.id,
                    "title": ts.title,
                    "rule": r.rule.id,
                    "phase": r.rule.phase,
                    "length": r.rule.describe_length(),
                    "amount": r.rule.amount,
                    "unit": r.rule.unit,
                    "from": r.start.isoformat(),
                    "to": r.last_day.isoformat() if r.last_day else None,  # inclusive
                    "status": r.rule.status,
                    "citation": str(r.rule.citation),
                    "url": r.rule.citation.url,
                }
                for ts, rows in found
                for r in rows
            ]
        )
        return 0
    for line in _rules_table(found, wide=args.wide):
        print(line)
    return 0


def _rules_table(found: Sequence[tuple[Any, Sequence[Any]]], *, wide: bool) -> list[str]:
    """The ``rules`` table: a header, then each timescale's id and title over its rules.

    Each rule row gives its phase (``-`` when the timescale has none), its length, the first
    and last day (inclusive; ``in force`` when it has no end) and its source status;
    ``wide`` adds the citation.
    """

    def cells(r: Any) -> tuple[str, ...]:
        return (
            r.rule.phase or "-",
            r.rule.describe_length(),
            r.start.isoformat(),
            r.last_day.isoformat() if r.last_day else "in force",
            r.rule.status,
            str(r.rule.citation),
        )

    rows = [cells(r) for _, rs in found for r in rs]
    heads = (*_RULE_COLUMNS, "citation") if wide else _RULE_COLUMNS
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(heads)]

    def line(cells: Sequence[str]) -> str:
        return "  " + "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=False)).rstrip()

    out = ["timescale: title", line(heads)]
    for ts, rs in found:
        out.append(f"{ts.id}: {ts.title}")
        out.extend(line(cells(r)[: len(heads)]) for r in rs)
    return out


def _interrupted() -> str:
    """Which final files were replaced before an interrupt (partial files are removed)."""
    from safeguard_time.io.scan import REPLACED  # noqa: PLC0415

    if not REPLACED:
        return "interrupted; no output written (nothing was replaced)"
    return f"interrupted; already replaced: {', '.join(REPLACED)}; nothing else was written"


_T = TypeVar("_T")


def _writing(
    args: argparse.Namespace, inputs: dict[str, str | None], work: Callable[[], _T]
) -> tuple[_T | None, int]:
    """Run ``work``, which writes ``--output``, ``--errors`` and ``--report``; its exit status.

    The outputs are checked first (writable, and none of them an input: ``inputs`` with
    ``--policy`` and ``--bank-holidays``); what stops the work is one line on stderr.
    """
    from safeguard_time.io import scan as _scan  # noqa: PLC0415 - numpy, pyarrow: on demand

    _scan.REPLACED.clear()
    outputs = [args.output, args.errors, args.report]
    _check_writable(outputs)
    try:
        _scan.check_paths(
            {"--output": args.output, "--errors": args.errors, "--report": args.report},
            inputs
            | {"--policy": args.policy, "--bank-holidays": getattr(args, "bank_holidays", None)},
        )
        return work(), 0
    except _scan.ScanError as exc:
        print(f"safeguard-time: error: {_scan.printable(str(exc))}", file=sys.stderr)
        return None, 2
    except BrokenPipeError:
        raise  # the reader of standard output went away: main() ends quietly
    except OSError as exc:
        print(f"safeguard-time: error: {_os_error(exc, outputs)}", file=sys.stderr)
        return None, 2
    except KeyboardInterrupt:
        print(f"safeguard-time: {_interrupted()}", file=sys.stderr)
        return None, 130


def _cmd_scan(args: argparse.Namespace) -> int:
    from safeguard_time.io import scan as _scan  # noqa: PLC0415 - numpy, pyarrow: only for a scan

    def work() -> _scan.ScanSummary:
        policy = _scan.load_policy(args.policy) if args.policy else None
        opts = _scan.ScanOptions(
            input=args.input,
            output=args.output,
            checks=tuple(args.check),
            as_of=args.as_of,
            errors=args.errors,
            policy=policy,
            convention=args.convention,
            neutralise=args.neutralise,
            encoding=args.encoding,
            delimiter=args.delimiter,
            max_errors=args.max_errors,
            progress=not args.quiet and sys.stderr.isatty(),
            block_size=args.block_size or _scan.DEFAULT_BLOCK,
            calendar=_calendar(args),
            format=args.format,
            sheet=args.sheet,
            header_row=args.header_row,
            report=args.report,
        )
        summary = _scan.scan(opts)
        if args.report:
            from safeguard_time.io.report import write_report  # noqa: PLC0415

            write_report(args.report, summary)
            _scan.REPLACED.append(args.report)
            summary.report = args.report
        return summary

    summary, code = _writing(args, {"the caseload": args.input}, work)
    if summary is None:
        return code
    if not args.quiet:
        print(_scan.printable(summary.text(_stderr_width())), file=sys.stderr)
    elif summary.stdout_closed_early:
        print(f"safeguard-time: {summary.stdout_note()}", file=sys.stderr)
    if args.strict and summary.rows_with_errors:
        first = summary.first_error
        detail = ""
        if first is not None:
            where = (
                f"{first.cell} (column {first.column})"
                if first.cell
                else f"{summary.input}, line {first.line}, column {first.column}"
            )
            detail = f"; first: {where}: {first.reason}"
        print(
            _scan.printable(
                f"safeguard-time: {summary.rows_with_errors} rows with errors (--strict){detail}"
            ),
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_returns(args: argparse.Namespace) -> int:
    from safeguard_time import returns  # noqa: PLC0415 - the readers load on demand
    from safeguard_time.io import scan as _scan  # noqa: PLC0415

    def work() -> tuple[Any, Any]:
        policy = _scan.load_policy(args.policy) if args.policy else None
        calendar = _calendar(args)
        data = returns.read_returns(args.inputs, args.kind)
        table = returns.timeliness(
            data, as_of=args.as_of, policy=policy, convention=args.convention, calendar=calendar
        )
        table.write_csv(args.output)
        _scan.REPLACED.append(args.output)
        if args.errors:
            returns.write_problems(args.errors, table.problems)
            _scan.REPLACED.append(args.errors)
        summary = returns.summarise(
            table, inputs=args.inputs, output=args.output, errors_path=args.errors,
            calendar=calendar,
        )  # fmt: skip
        if args.report:
            returns.write_report(args.report, summary)
            _scan.REPLACED.append(args.report)
            summary.report = args.report
        return table, summary

    done, code = _writing(args, {f"input {p}": p for p in args.inputs}, work)
    if done is None:
        return code
    table, summary = done
    if not args.quiet:
        print(_scan.printable(summary.text(_stderr_width())), file=sys.stderr)
        findings = sum(p.kind == "finding" for p in table.problems)
        print(
            f"problems: {len(table.problems) - findings} errors, {findings} findings"
            + (
                f" (listed in {args.errors})"
                if args.errors
                else " (give --errors FILE to list them)"
            ),
            file=sys.stderr,
        )
    return 0


def _cmd_example(args: argparse.Namespace) -> int:
    import shutil  # noqa: PLC0415

    from safeguard_time import example  # noqa: PLC0415 - numpy and the bulk path, on demand

    _check_writable([args.output])
    what = args.what or ("policy" if args.output.lower().endswith(".toml") else "caseload")
    if what == "policy":
        if args.rows is not None or args.seed is not None:
            raise InvalidOptionError(
                "--rows",
                args.rows,
                "--rows and --seed apply to the caseload, not the policy template",
            )
        shutil.copyfile(example.policy_template(), args.output)
        print(f"wrote the policy template to {args.output}", file=sys.stderr)
        return 0
    rows = example.BUNDLED_ROWS if args.rows is None else args.rows
    seed = example.BUNDLED_SEED if args.seed is None else args.seed
    if rows < 1:
        raise InvalidOptionError("--rows", rows, f"--rows must be at least 1, got {rows}")
    if (rows, seed) == (example.BUNDLED_ROWS, example.BUNDLED_SEED):
        shutil.copyfile(example.bundled_caseload(), args.output)
    else:
        example.write_csv(example.make_caseload(rows, seed), args.output)
    print(f"wrote an example caseload of {rows:,} rows to {args.output}", file=sys.stderr)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    update = _calendar(args).compare_govuk(args.check_file)
    for line in update.lines():
        print(line)
    years = f"{update.first_year}-{update.last_year}"
    if update.changed:
        print(f"# {update.source}: differs from the calendar in use ({years})", file=sys.stderr)
        return 1
    print(f"# {update.source}: the same days as the calendar in use ({years})", file=sys.stderr)
    return 0


def _cmd_calendar(args: argparse.Namespace) -> int:
    from safeguard_time import export  # noqa: PLC0415 - pyarrow and openpyxl: only for this

    if args.check_file:
        return _cmd_check(args)
    missing = [
        flag
        for flag, value in (
            ("--from", args.from_date),
            ("--to", args.to_date),
            ("--output", args.output),
        )
        if value is None
    ]
    if missing:
        raise InvalidOptionError(
            "calendar", missing, f"calendar: {', '.join(missing)} required (or --check FILE)"
        )
    _date_range(args)
    _check_writable([args.output])
    cal = _calendar(args)
    try:
        fmt, rows, provisional = export.export_calendar(
            args.output,
            args.from_date,
            args.to_date,
            fmt=args.format,
            dialect=args.dialect,
            closures_file=args.closures,
            table=args.table,
            calendar=cal,
        )
    except ImportError as exc:
        print(f"safeguard-time: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"safeguard-time: error: {_os_error(exc, [args.output])}", file=sys.stderr)
        return 2
    where = "standard output" if args.output == "-" else args.output
    note = (
        f"; {provisional} days after {cal.verified_through} are provisional (column provisional)"
        if provisional
        else ""
    )
    print(
        f"# wrote {rows} days {args.from_date.isoformat()}..{args.to_date.isoformat()} "
        f"({fmt}) to {where}; verified through {cal.verified_through}{note}",
        file=sys.stderr,
    )
    return 0


def _add_calendar_arguments(parser: argparse.ArgumentParser) -> None:
    from safeguard_time.export import DEFAULT_TABLE, DIALECTS, FORMATS  # noqa: PLC0415

    parser.add_argument(
        "--from", dest="from_date", type=_date_arg, metavar="DATE",
        help="first day of the table (required unless --check)",
    )  # fmt: skip
    parser.add_argument(
        "--to", dest="to_date", type=_date_arg, metavar="DATE",
        help="last day of the table; reach past your latest due date (required unless --check)",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=FORMATS, default=None,
        help="csv, parquet, xlsx or sql (default: from the --output extension)",
    )  # fmt: skip
    parser.add_argument(
        "--dialect", choices=DIALECTS, default=None,
        help="SQL dialect for --format sql: tsql, postgres, sqlite or duckdb",
    )  # fmt: skip
    parser.add_argument(
        "--closures", metavar="FILE", default=None,
        help="CSV of local closure days with header 'date,label'",
    )  # fmt: skip
    parser.add_argument(
        "--table", default=DEFAULT_TABLE, metavar="NAME",
        help=f"SQL table name, optionally schema.name (default {DEFAULT_TABLE})",
    )  # fmt: skip
    parser.add_argument(
        "--output", "-o", metavar="OUT",
        help="file to write ('-' writes csv or sql to standard output; required unless --check)",
    )  # fmt: skip
    parser.add_argument(
        "--check", dest="check_file", metavar="FILE", default=None,
        help="instead of exporting, compare a GOV.UK bank-holidays.json with the calendar in "
        "use and print the differences (exit 1 when there are any)",
    )  # fmt: skip


_JSON_HELP = "print JSON (indented by two spaces, as every --json)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the command line."""
    parser = argparse.ArgumentParser(
        prog="safeguard-time",
        description="Statutory timescales of children's social care in England.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from safeguard_time import __version__  # noqa: PLC0415

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an unexpected error"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    bank = argparse.ArgumentParser(add_help=False)
    bank.add_argument(
        "--bank-holidays",
        metavar="FILE",
        default=None,
        help="a GOV.UK bank-holidays.json you downloaded: its years replace the shipped ones",
    )
    conv = argparse.ArgumentParser(add_help=False, parents=[bank])
    conv.add_argument(
        "--convention",
        type=_convention,
        default=Convention.EVENT_DAY_ZERO,
        help="event_day_zero (default, Excel WORKDAY) or next_working_day_zero",
    )

    p = sub.add_parser("due", parents=[conv], help="a timescale's deadline, with its explanation")
    p.add_argument("timescale", help="a timescale id, e.g. assessment (see 'rules')")
    p.add_argument("date", type=_date_arg, help="the date of the start event")
    p.add_argument(
        "--phase",
        help="the phase of a repeating timescale whose interval depends on it, e.g. lac_visit "
        "first_year (see 'rules TIMESCALE')",
    )
    p.add_argument(
        "--extensions",
        type=int,
        default=0,
        metavar="N",
        help="apply N of the rule's extensions (complaints, care proceedings; default 0)",
    )
    p.add_argument("--policy", metavar="FILE", help="a council policy (TOML or JSON)")
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.set_defaults(func=_cmd_due)

    p = sub.add_parser(
        "rules", parents=[bank], help="the rules: lengths, phases, dates in force, source status"
    )
    p.add_argument("timescale", nargs="?", help="only this timescale's rules")
    p.add_argument("--on", type=_date_arg, help="only the rules in force on this date")
    p.add_argument("--wide", action="store_true", help="add each rule's citation")
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.set_defaults(func=_cmd_rules)

    p = sub.add_parser("add", parents=[conv], help="the date N working days after DATE")
    p.add_argument("date", type=_date_arg)
    p.add_argument("n", type=int)
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.set_defaults(func=_cmd_add)

    p = sub.add_parser("between", parents=[conv], help="working days elapsed from START to END")
    p.add_argument("start", type=_date_arg)
    p.add_argument("end", type=_date_arg)
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.set_defaults(func=_cmd_between)

    p = sub.add_parser("holidays", parents=[bank], help="the non-working weekdays of the calendar")
    p.add_argument(
        "--from", dest="from_date", type=_date_arg, metavar="DATE",
        help="the first day (default: 1 January of this year)",
    )  # fmt: skip
    p.add_argument(
        "--to", dest="to_date", type=_date_arg, metavar="DATE",
        help="the last day, inclusive (default: 31 December of the --from year)",
    )  # fmt: skip
    p.add_argument(
        "--format", choices=("text", "csv", "json"), default="text",
        help="text (default), csv (date,weekday,name,provisional) or json",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.set_defaults(func=_cmd_holidays)

    p = sub.add_parser(
        "scan",
        parents=[conv],
        help="assess every row of a caseload file (CSV, Parquet or an Excel workbook)",
        description="Read a caseload file, assess each --check on every row, and write every "
        "row back with <timescale>_due, _elapsed, _status, _late and _rule columns. "
        "Exit status: 0 done (even with bad rows), 1 bad rows with --strict, 2 bad usage, an "
        "unreadable file or an output that is an input, 3 an internal error, 130/129/143 "
        "interrupted (partial files removed).",
    )
    p.add_argument(
        "input",
        help="a .csv, .parquet or .xlsx/.xlsm file; - reads CSV from standard input",
    )
    p.add_argument(
        "--check",
        action="append",
        required=True,
        type=_check,
        metavar="TIMESCALE=START_COL[:END_COL]",
        help="a timescale and the columns of its start and end events (repeatable)",
    )
    p.add_argument(
        "--as-of",
        type=_date_arg,
        help="judge open cases as of this date (e.g. 2025-03-31 or 31/03/2025)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help="the scanned file: .csv, .parquet or .xlsx (a workbook with date cells); "
        "- writes CSV to standard output",
    )
    p.add_argument(
        "--errors",
        metavar="FILE",
        help="write the errors report here (CSV, or a workbook if FILE ends in .xlsx); for a "
        "workbook input it adds each cell, as in Cases!D17",
    )
    p.add_argument("--report", metavar="FILE", help="write an HTML report here")
    p.add_argument("--policy", metavar="FILE", help="a council policy (TOML or JSON)")
    p.add_argument(
        "--strict", action="store_true", help="exit with status 1 if any row has an error"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    p.add_argument(
        "--no-neutralise",
        dest="neutralise",
        action="store_false",
        help="write text cells starting with = + - @ as they are (no leading ')",
    )
    p.add_argument(
        "--encoding", default="utf-8", help="the input CSV's text encoding (default utf-8)"
    )
    p.add_argument(
        "--max-errors",
        type=int,
        metavar="N",
        help="list at most N problems in the errors file (the rest are counted in the summary)",
    )
    p.add_argument(
        "--delimiter",
        default=",",
        help="the input CSV's field separator (default ','; ';' or a tab in some exports)",
    )
    p.add_argument(
        "--format",
        choices=("csv", "parquet", "xlsx"),
        help="the input's format (default: by its ending; .xlsx and .xlsm are workbooks)",
    )
    p.add_argument(
        "--sheet",
        metavar="NAME|INDEX",
        help="a workbook's sheet, by name or position (1 is the first; default: the first)",
    )
    p.add_argument(
        "--header-row",
        type=int,
        default=1,
        metavar="N",
        help="a workbook's row of column names, as the spreadsheet numbers it (default 1)",
    )
    p.add_argument("--block-size", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_scan)

    p = sub.add_parser(
        "returns",
        parents=[conv],
        help="timeliness from statutory returns: the CIN census, SSDA903, Ofsted's Annex A",
        description="Read CIN census XML files, SSDA903 tables (CSV files or a folder) and "
        "Annex A workbooks, judge every assessment, initial conference and review they "
        "record, and write one long table, a row per event: its dates, due date, working "
        "days elapsed, status, working days late, rule, source, and whether it rests on "
        "projected bank holidays (the columns: safeguard_time.returns.COLUMNS). "
        "Unreadable elements and data-quality findings go to --errors.",
    )
    p.add_argument("inputs", nargs="+", metavar="FILE_OR_FOLDER", help="the return files")
    p.add_argument(
        "--kind",
        choices=("cin", "ssda903", "annex-a"),
        help="the kind of every input (default: from each file: .xml census, .csv 903)",
    )
    p.add_argument(
        "--as-of",
        type=_date_arg,
        required=True,
        help="judge outstanding events as of this date where the return has no reference date "
        "(the census's own ReferenceDate is used for census events)",
    )
    p.add_argument("-o", "--output", required=True, help="the long table (CSV)")
    p.add_argument("--errors", metavar="FILE", help="write the problems and findings (CSV) here")
    p.add_argument("--report", metavar="FILE", help="write an HTML report here")
    p.add_argument("--policy", metavar="FILE", help="a council policy (TOML or JSON)")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary")
    p.set_defaults(func=_cmd_returns)

    p = sub.add_parser(
        "example",
        parents=[bank],
        help="write the bundled example caseload (or the policy template) to a file",
        description="Write the bundled 400-row example caseload, a bigger one made on demand "
        "(--rows, --seed), or the council policy template (a .toml name, or --what policy).",
    )
    p.add_argument("output", help="the file to write, e.g. caseload.csv or policy.toml")
    p.add_argument(
        "--what",
        choices=("caseload", "policy"),
        help="what to write (default: policy for a .toml name, else caseload)",
    )
    p.add_argument("--rows", type=int, help="make a caseload of this many rows (default 400)")
    p.add_argument("--seed", type=int, help="the random seed of a made caseload (default 2025)")
    p.set_defaults(func=_cmd_example)

    p = sub.add_parser(
        "calendar", parents=[bank], help="export the calendar as a table: CSV, Parquet, xlsx or SQL"
    )
    _add_calendar_arguments(p)
    p.set_defaults(func=_cmd_calendar)
    return parser


#: What the exit status means (shown by ``--help``).
EXIT_CODES = """exit status:
  0    done (a scan with bad rows too: they are in the errors report)
  1    done, with bad rows, under scan --strict
  2    the command could not run: bad usage, or an input that cannot be read
  3    an unexpected internal error (please report it; --debug shows the traceback)
  130  interrupted (Ctrl-C); 129 hangup; 143 terminated"""


class _Signalled(BaseException):
    """A hangup or termination signal, raised where the command is, so outputs are cleaned."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, _frame: object) -> None:
    raise _Signalled(signum)


def _interruption(exc: BaseException) -> BaseException | None:
    """The signal or Ctrl-C behind ``exc``, if ``exc`` was raised while one was unwinding.

    The signal's exception is raised wherever the main thread is.  Landing inside a lock's
    wait (a queue handing blocks to the writing thread) it can leave the lock released, and
    the ``with`` around it then fails with ``RuntimeError: release unlocked lock``, whose
    context is the signal: an interruption, not a bug.
    """
    seen: set[int] = set()
    at: BaseException | None = exc
    while at is not None and id(at) not in seen:
        if isinstance(at, _Signalled | KeyboardInterrupt):
            return at
        seen.add(id(at))
        at = at.__cause__ or at.__context__
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see :data:`EXIT_CODES`).

    >>> main(["add", "2024-03-08", "45"])
    2024-05-15 (Wednesday)
    0
    """
    import signal  # noqa: PLC0415

    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            # Not in the main thread, signal() refuses: the signals are then left alone.
            with contextlib.suppress(ValueError):
                previous[number] = signal.signal(number, _on_signal)
    try:
        return func(args)
    except (SafeguardTimeError, _CannotWrite) as exc:
        print(f"safeguard-time: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # Python's flush at exit must not meet the closed pipe again
        return 0
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"safeguard-time: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except (_Signalled, Exception) as exc:
        cause = _interruption(exc)  # a signal, or an error raised while one was unwinding
        if cause is not None:
            print(f"safeguard-time: {_interrupted()}", file=sys.stderr)
            return 128 + cause.signum if isinstance(cause, _Signalled) else 130
        if getattr(args, "debug", False):
            raise
        print(
            f"safeguard-time: internal error: {type(exc).__name__}: {exc} (this is a bug: please "
            "report it, with the command; --debug shows the traceback)",
            file=sys.stderr,
        )
        return 3
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
