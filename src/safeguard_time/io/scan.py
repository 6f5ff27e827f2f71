"""The engine of ``safeguard-time scan``: read a caseload in chunks, assess, write every row.

The file is read in blocks (Arrow's streaming CSV reader, or a Parquet file's row batches),
every column as it is (CSV cells stay text, exactly as written).  For each block, each date
column named by a check is read cell by cell (:mod:`safeguard_time._date_columns`), each check is
assessed by :func:`safeguard_time.bulk.assess`, and the block goes out with five more
columns per check.  Problems go to the errors report as they are met; only counts are kept,
so memory stays flat however long the file.

pyarrow is imported by the functions that need it, never at import time.
"""

from __future__ import annotations

import abc
import codecs
import contextlib
import csv
import datetime as _dt
import difflib
import functools
import itertools
import os
import queue
import re
import sys
import threading
import warnings
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

import attrs
import numpy as np

from safeguard_time import bulk
from safeguard_time._arrow import from_numpy, string_buffers, strings, to_numpy
from safeguard_time._date_columns import NAT
from safeguard_time.calendar import Convention, WorkingCalendar, england_and_wales
from safeguard_time.errors import (
    InvalidOptionError,
    NotAColumnError,
    PolicyError,
    ProvisionalCalendarWarning,
    RuleDataError,
    SafeguardTimeError,
    extra_needed,
)
from safeguard_time.rules import Policy, Rule, rulebook
from safeguard_time.tables import (
    Check,
    ErrorColumns,
    _validate,
    assess_table,
    output_schema,
)

if TYPE_CHECKING:
    import numpy.typing as npt

    from safeguard_time.io.workbook import WorkbookErrors, WorkbookWriter

__all__ = [
    "STATUS_LABELS",
    "Check",
    "CheckSummary",
    "ScanError",
    "ScanOptions",
    "ScanSummary",
    "load_policy",
    "neutralise_text",
    "printable",
    "scan",
]

#: Status values written to ``<timescale>_status``: the library's one vocabulary, indexed by
#: status code (``STATUS_LABELS[-1]`` is ``"error"``).
STATUS_LABELS = bulk.STATUS_LABELS
MET, MISSED = bulk.Status.MET.code, bulk.Status.MISSED.code
OPEN_OVERDUE, ERROR = bulk.Status.OPEN_OVERDUE.code, bulk.Status.ERROR.code
NOT_APPLICABLE = bulk.Status.NOT_APPLICABLE.code


def _label_index(status: npt.NDArray[np.int8]) -> npt.NDArray[np.intp]:
    """Status codes as indexes into :data:`STATUS_LABELS` (error, -1, is the last)."""
    return np.where(status < 0, len(STATUS_LABELS) - 1, status).astype(np.intp)


#: Working days shown one by one in the report's histogram; longer ones share the last bar.
HISTOGRAM_CAP = 120
_FIRST_MONTH = 1990 * 12  # the months the on-time-by-month counts cover: 1990 to 2099
_MONTHS = 110 * 12
#: The month (an index into those counts) of every day they cover, from 1 January 1990: one
#: lookup per completed case, where numpy's datetime64 month conversion took a third of
#: the counting.
_FIRST_DAY = int(np.datetime64("1990-01-01", "D").view(np.int64))
_MONTH_OF_DAY = (
    np.arange(
        np.datetime64("1990-01-01", "D"),
        np.datetime64(f"{1990 + _MONTHS // 12}-01-01", "D"),
    )
    .astype("datetime64[M]")
    .view(np.int64)
    - (_FIRST_MONTH - 1970 * 12)
).astype(np.int16)
# A formula's first character, or any control character (a leading NUL or other control can
# hide a formula from a reader that skips it): such a cell is prefixed with '.
_RISKY_FIRST = frozenset(b"=+-@") | frozenset(range(0x20)) | {0x7F}
_PLAIN_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_BOM = codecs.BOM_UTF8
#: Bytes per CSV block.  The reader keeps at most a few blocks in flight, so this bounds
#: memory; a Parquet batch holds a hundredth as many rows.  The peak of a whole scan grows
#: with the block (parsing a block's dates makes temporaries many times its size): on 2e6
#: rows with four checks, 4 MiB gave 540-555 MB, 2 MiB 460-475 MB and 1 MiB 380-385 MB, with
#: no clear difference in time (benchmarks/scan_memory_bench.py; the issue's bound is 512 MB).
DEFAULT_BLOCK = 1 << 20

#: Rows assessed together: the blocks read are gathered up to this many rows first.  Each
#: call of :func:`~safeguard_time.tables.assess_table` has a cost of its own (about 3.5 ms
#: with four checks) and Arrow's CSV writer is slower on short batches, while the reader's
#: read-ahead, which sets much of the peak memory, stays at the read block's size.  On 1e6
#: rows with four checks, groups of 32,768 rows took about 15% less time than single 1 MiB
#: blocks (about 9,000 rows).  Groups of up to 65,536 rows, which on the benchmark's
#: caseload end by :data:`ASSESS_BYTES` at about 52,000 rows, took 7% less again than
#: 32,768 (median of 24 interleaved runs; 11% less in the best run), and the 1e7-row peak
#: went from 328 to 359 MB; 16 MiB groups were no faster and reached 483 MB with 131,072
#: rows (benchmarks/scan_bench.py, scan_memory_bench.py; the hardened-scan issue's bound is
#: 512 MB).
ASSESS_ROWS = 1 << 16

#: ... or up to this many bytes of Arrow memory, whichever comes first: a file of wide rows
#: (long case notes, hundreds of columns) holds few rows per block, and 65,536 of its rows
#: could be hundreds of megabytes.  A group of the benchmark's caseload (12 columns) is
#: about 5 MB per 32,768 rows.
ASSESS_BYTES = 8 << 20

#: The first group's rows; each group after it may be twice the one before, up to the
#: limits above.  The assessing thread starts on the first block read, and the writing
#: thread on the first group assessed, instead of each waiting for a whole group.
ASSESS_FIRST_ROWS = 1 << 13

#: Rows Arrow's CSV writer formats at a time (its default is 1,024): 8,192 took 5-10% less
#: of the writing thread's time on the scan's 32 columns, and 3-5% off a whole 1e6-row scan
#: (interleaved runs; benchmarks/scan_bench.py).
_WRITE_ROWS = 8192


class ScanError(SafeguardTimeError):
    """A problem with the input or the command that stops the scan (exit status 2).

    The message names the file, and the line and column where there is one.
    """


class _RowOverBlock(ScanError):
    """The reader failed at its block size: the scan is run again with larger blocks.

    A row longer than a block, or (pyarrow before 26) a block boundary Arrow's chunker
    mishandles in a file whose every line is well formed.  ``final`` is the message if no
    larger block helps.
    """

    final: str | None = None


#: The largest block a scan grows to for a long row (a cell of pasted case notes, say).
MAX_BLOCK = 1 << 28


@attrs.frozen
class ScanOptions:
    """What to scan and how (the ``scan`` subcommand's arguments)."""

    input: str
    output: str
    checks: tuple[Check, ...]
    as_of: _dt.date | None = None
    errors: str | None = None
    policy: Policy | None = None
    convention: Convention = Convention.EVENT_DAY_ZERO
    neutralise: bool = True
    encoding: str = "utf-8"
    #: The CSV field separator (one character: ``,`` by default, ``;`` or a tab in some
    #: exports).
    delimiter: str = ","
    #: At most this many problems in the errors file (``None``: all); the rest are counted.
    max_errors: int | None = None
    progress: bool = False
    block_size: int = DEFAULT_BLOCK
    #: The working-day calendar (default: :func:`~safeguard_time.england_and_wales`).
    calendar: WorkingCalendar | None = None
    #: The input's format, ``"csv"``, ``"parquet"`` or ``"xlsx"`` (default: by its ending).
    format: str | None = None
    #: A workbook's sheet, by name or position (``"1"``: the first, the default).
    sheet: str | None = None
    #: A workbook's row of column names (spreadsheet numbering: 1 is the first row).
    header_row: int = 1
    #: The HTML report's path, which the caller writes after the scan (``None``: none).
    #: Only counted among the outputs: a scan writing a file goes on when its standard
    #: output is closed early.
    report: str | None = None


@attrs.define
class CheckSummary:
    """Counts for one check, gathered block by block."""

    check: Check
    rule_ids: tuple[str, ...] = ()
    counts: npt.NDArray[np.int64] = attrs.field(factory=lambda: np.zeros(6, np.int64))
    histogram: npt.NDArray[np.int64] = attrs.field(
        factory=lambda: np.zeros(HISTOGRAM_CAP + 1, np.int64)
    )
    met_by_month: npt.NDArray[np.int64] = attrs.field(factory=lambda: np.zeros(_MONTHS, np.int64))
    missed_by_month: npt.NDArray[np.int64] = attrs.field(
        factory=lambda: np.zeros(_MONTHS, np.int64)
    )
    #: Completed cases by rule (indexing ``rule_ids``), status (0: met, 1: missed) and working
    #: days to completion (the last column holds :data:`HISTOGRAM_CAP` and more), so the
    #: report colours each case by the rule that judged it, not by one limit for all.
    rule_histogram: npt.NDArray[np.int64] = attrs.field(
        factory=lambda: np.zeros((0, 2, HISTOGRAM_CAP + 1), np.int64)
    )
    provisional: int = 0

    @property
    def timescale(self) -> str:
        """The timescale id."""
        return self.check.timescale

    def add(
        self,
        status: npt.NDArray[np.int8],
        elapsed: npt.NDArray[np.int32],
        end: npt.NDArray[np.int64],
        rule: npt.NDArray[np.integer[Any]],
        rule_ids: tuple[str, ...],
        provisional: npt.NDArray[np.bool_],
    ) -> None:
        """Count a block of results: status codes, elapsed days, end days, rule codes.

        The one place a scan's, or a statutory return's, results become the summary's and
        the report's numbers.  ``end`` holds days since 1970 (NaT where open); ``rule``
        indexes ``rule_ids`` (-1: none).
        """
        if not self.rule_ids:
            self.rule_ids = rule_ids
            self.rule_histogram = np.zeros((len(rule_ids), 2, HISTOGRAM_CAP + 1), np.int64)
        self.counts += np.bincount(_label_index(status), minlength=len(STATUS_LABELS))
        completed = (status == MET) | (status == MISSED)
        # The completed rows are taken by position: one pass to find them, then a gather per
        # column (a boolean mask is a slower selection, and would be read once per column).
        done = np.flatnonzero(completed)
        # A negative duration (a weekend case under the next-working-day convention) is
        # counted with the same-day cases, as the duration bins count it.
        days = np.clip(elapsed[done], 0, HISTOGRAM_CAP).astype(np.intp)
        self.histogram += np.bincount(days, minlength=HISTOGRAM_CAP + 1)
        if len(done):
            at = end[done] - _FIRST_DAY
            keep = (at >= 0) & (at < len(_MONTH_OF_DAY))
            index = _MONTH_OF_DAY[np.where(keep, at, 0)]
            missed = (status[done] == MISSED).astype(np.intp)
            # Met and missed counted in one pass: month * 2 + missed (a month out of range
            # is left out by its weight).
            by_month = np.bincount(index * 2 + missed, weights=keep, minlength=2 * _MONTHS)
            by_month = by_month[: 2 * _MONTHS].astype(np.int64).reshape(_MONTHS, 2)
            self.met_by_month += by_month[:, 0]
            self.missed_by_month += by_month[:, 1]
            rules_done = rule[done].astype(np.intp)
            known = (rules_done >= 0) & (rules_done < len(self.rule_ids))
            cells = (rules_done * 2 + missed) * (HISTOGRAM_CAP + 1) + days
            per_cell = np.bincount(
                np.where(known, cells, 0), weights=known, minlength=self.rule_histogram.size
            )
            per_cell = per_cell[: self.rule_histogram.size].astype(np.int64)
            self.rule_histogram += per_cell.reshape(self.rule_histogram.shape)
        self.provisional += int(np.count_nonzero(provisional & (status != NOT_APPLICABLE)))

    def status_counts(self) -> dict[str, int]:
        """Rows per status value, in :data:`STATUS_LABELS` order."""
        return {label: int(c) for label, c in zip(STATUS_LABELS, self.counts, strict=True)}

    @property
    def completed(self) -> int:
        """Cases completed (met or missed)."""
        return int(self.counts[MET] + self.counts[MISSED])

    def on_time_percent(self) -> float | None:
        """Met as a percentage of completed cases (None when none completed)."""
        done = self.completed
        return None if done == 0 else 100.0 * int(self.counts[MET]) / done

    def months(self) -> list[tuple[str, int, int]]:
        """``("YYYY-MM", met, missed)`` for each month with completed cases, in order."""
        used = np.flatnonzero(self.met_by_month + self.missed_by_month)
        out = []
        for i in used.tolist():
            year, month0 = divmod(_FIRST_MONTH + i, 12)
            out.append(
                (
                    f"{year:04d}-{month0 + 1:02d}",
                    int(self.met_by_month[i]),
                    int(self.missed_by_month[i]),
                )
            )
        return out

    def statutory_lines(self) -> list[tuple[int, tuple[str, ...]]]:
        """Working-day lengths of the rules that judged completed cases, with their rule ids.

        Editions that kept the same length share one line: ``(45, ("assessment.wt2013",
        "assessment.wt2015", ...))``.
        """
        rules = _rules_by_id(self.timescale)
        lengths: dict[int, list[str]] = {}
        for code, rows in enumerate(self.rule_histogram.sum(axis=(1, 2)).tolist()):
            rule = rules.get(self.rule_ids[code]) if code < len(self.rule_ids) else None
            if rows and rule is not None and rule.is_working_days:
                lengths.setdefault(rule.amount, []).append(rule.id)
        return [(amount, tuple(ids)) for amount, ids in sorted(lengths.items())]

    def by_rule(self) -> list[tuple[str, int, int]]:
        """``(rule id, met, missed)`` for each rule that judged completed cases, in rule order.

        >>> import numpy as np
        >>> cs = CheckSummary(Check("initial_assessment", "referral", "done"))
        >>> ids = ("initial_assessment.fw2000", "initial_assessment.wt2010")
        >>> cs.add(np.array([0, 1, 0, 2], np.int8), np.array([5, 9, 9, 0], np.int32),
        ...        np.array([14000, 14010, 15000, -(2**63)]), np.array([0, 0, 1, 1]), ids,
        ...        np.zeros(4, bool))
        >>> cs.by_rule()
        [('initial_assessment.fw2000', 1, 1), ('initial_assessment.wt2010', 1, 0)]
        """
        per_status = self.rule_histogram.sum(axis=2).tolist()
        return [
            (rule_id, met, missed)
            for rule_id, (met, missed) in zip(self.rule_ids, per_status, strict=True)
            if met or missed
        ]

    @property
    def bins(self) -> bulk.DurationBins | None:
        """The completed cases in the DfE duration bins, from :attr:`histogram`.

        None when the timescale has no bins, or no row was counted.

        >>> import numpy as np
        >>> cs = CheckSummary(Check("initial_cp_conference", "strategy", "icpc"))
        >>> cs.add(np.array([0, 1, 0, 2], np.int8), np.array([5, 16, 250, 0], np.int32),
        ...        np.array([14000, 14010, 15000, -(2**63)]), np.zeros(4, np.int64),
        ...        ("initial_cp_conference.wt2018",), np.zeros(4, bool))
        >>> cs.bins.labels, cs.bins.counts.tolist(), cs.bins.total, cs.bins.excluded
        (('0-10', '11-15', '16-20', '21+'), [1, 0, 1, 1], 3, 1)
        """
        if self.timescale not in bulk.bin_schemes() or not self.counts.any():
            return None
        _check_histogram_bins(self.timescale)
        days = np.arange(HISTOGRAM_CAP + 1)
        got = bulk.duration_bins(days, self.timescale, weights=self.histogram)
        return attrs.evolve(got, excluded=int(self.counts.sum()) - self.completed)


@functools.cache
def _check_histogram_bins(scheme: str) -> None:
    """Refuse bins the scan's histogram cannot give.

    Its last bar is :data:`HISTOGRAM_CAP` working days *or more*: it must fall in the
    scheme's open last bin.
    """
    if bulk.duration_bins([HISTOGRAM_CAP, 10**9], scheme).counts.max() != 2:
        raise RuleDataError(
            f"bins.toml, scheme {scheme!r}: its last bin starts after {HISTOGRAM_CAP} working "
            "days, the longest the scan's histogram counts one by one (raise HISTOGRAM_CAP)"
        )


@attrs.frozen
class ErrorEntry:
    """One line of the errors report."""

    line: int
    column: str
    value: str
    reason: str
    check: str
    #: The cell, for a workbook: ``Cases!D17`` (``None`` for CSV and Parquet).
    cell: str | None = None


@attrs.define
class ScanSummary:
    """What a scan found: the numbers of the stderr summary and of the HTML report."""

    input: str
    output: str
    errors_path: str | None
    as_of: _dt.date | None
    convention: Convention
    policy: str
    checks: list[CheckSummary]
    rows: int = 0
    rows_with_errors: int = 0
    problems: int = 0
    #: Problems not written to the errors file because of ``max_errors``.
    problems_not_listed: int = 0
    errors_by_column: dict[str, int] = attrs.field(factory=dict)
    first_error: ErrorEntry | None = None
    blank_lines: int = 0
    verified_through: int = 0
    #: Where the bank holidays were updated from (a GOV.UK file), or ``None``.
    calendar_update: str | None = None
    #: Standard output (one of the outputs) was closed by its reader before the end.
    stdout_closed_early: bool = False

    #: The HTML report's path, set by the caller once it has written the report (``None``:
    #: none written), so that :meth:`text` names it with the other files.
    report: str | None = None

    def text(self, width: int | None = None) -> str:
        """The summary printed on stderr, its lines wrapped at word boundaries to ``width``.

        ``width=None`` leaves each line whole (the command line wraps only when standard
        error is a terminal, to its width: a log file keeps one line per item).  Counts carry
        thousands separators and their nouns agree with them (``1 problem``, ``2 problems``).

        >>> s = ScanSummary("in.csv", "out.csv", "errors.csv", None,
        ...                 Convention.EVENT_DAY_ZERO, "statutory defaults", [],
        ...                 rows=12_345, rows_with_errors=1, problems=1, report="r.html")
        >>> print(s.text(width=60))
        scanned in.csv -> out.csv
        rows read: 12,345
        rows with errors: 1 (1 problem listed in errors.csv)
        as of: not given (open cases are errors); convention:
          event_day_zero; policy: statutory defaults
        wrote: out.csv (the rows with their results), errors.csv
          (the errors report), r.html (the HTML report)
        """
        listed = self.problems - self.problems_not_listed
        not_listed = (
            f"; {_counted(self.problems_not_listed, 'more', 'more')} not listed (--max-errors)"
            if self.problems_not_listed
            else ""
        )
        lines = [
            f"scanned {self.input} -> {self.output}",
            f"rows read: {self.rows:,}",
            f"rows with errors: {self.rows_with_errors:,}"
            + (
                f" ({_counted(listed, 'problem')} listed in {self.errors_path}{not_listed})"
                if self.errors_path
                else ""
            ),
            f"as of: {self.as_of.isoformat() if self.as_of else 'not given (open cases are errors)'}"
            f"; convention: {self.convention.value}; policy: {self.policy}",
        ]
        for cs in self.checks:
            counts = ", ".join(f"{k} {v:,}" for k, v in cs.status_counts().items())
            pct = cs.on_time_percent()
            on_time = (
                f"; on time {pct:.1f}% of {cs.completed:,} completed" if pct is not None else ""
            )
            lines.append(f"{cs.check}: {counts}{on_time}")
            if cs.provisional:
                lines.append(
                    f"  {_counted(cs.provisional, 'row')} depend"
                    f"{'s' if cs.provisional == 1 else ''} on bank holidays after "
                    f"{self.verified_through} (projections)"
                )
            if cs.bins is not None:
                lines.extend("  " + line for line in _bins_table(cs))
        if self.blank_lines:
            lines.append(
                f"note: {_counted(self.blank_lines, 'line')} holding only spaces "
                f"{'was' if self.blank_lines == 1 else 'were'} skipped (no fields)"
                + (
                    "; read from standard input, line numbers after such a line are one "
                    "short for each"
                    if self.input == "<stdin>"
                    else ""
                )
            )
        if self.calendar_update:
            lines.append(f"bank holidays: updated for {self.calendar_update}")
        lines.append(f"wrote: {', '.join(self._written())}")
        if self.stdout_closed_early:
            lines.append(self.stdout_note())
        if width is None:
            return "\n".join(lines)
        return "\n".join(_wrap(line, width) for line in lines)

    def _written(self) -> list[str]:
        """Every file written, with what it holds (standard output named as such)."""
        out = "standard output" if self.output == "<stdout>" else self.output
        written = [f"{out} (the rows with their results)"]
        if self.errors_path:
            where = "standard output" if self.errors_path == "-" else self.errors_path
            written.append(f"{where} (the errors report)")
        if self.report:
            written.append(f"{self.report} (the HTML report)")
        return written

    def stdout_note(self) -> str:
        """The warning given when standard output was closed before the scan ended."""
        return (
            "note: standard output was closed by its reader before the scan ended (broken "
            "pipe): what it received is incomplete; the files were written in full"
        )


# --- small helpers ------------------------------------------------------------------------


def _counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with thousands separators and ``noun`` agreeing with it.

    >>> _counted(1, "problem"), _counted(12_345, "row")
    ('1 problem', '12,345 rows')
    """
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def _bins_table(cs: CheckSummary) -> list[str]:
    """A check's duration bins as table lines, then what was not counted, by status.

    Open cases, error rows and not_applicable rows (no start event) are named separately.
    """
    assert cs.bins is not None
    lines = str(attrs.evolve(cs.bins, excluded=0)).splitlines()
    counts = cs.status_counts()
    kinds = [
        ("open", counts["open_in_time"] + counts["open_overdue"]),
        ("error", counts["error"]),
        ("not_applicable", counts["not_applicable"]),
    ]
    left_out = [_counted(n, f"{kind} row") for kind, n in kinds if n]
    if left_out:
        lines.append(f"(not counted: {', '.join(left_out)})")
    return lines


def _wrap(line: str, width: int) -> str:
    """``line`` broken at spaces to ``width`` columns, the continuation lines indented.

    A table line (bins) is shorter than any usable width and is kept as it is; a word
    longer than the width (a long path) is left whole rather than cut.
    """
    import textwrap  # noqa: PLC0415 - only for a terminal

    if len(line) <= width:
        return line
    indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
    return textwrap.fill(
        line,
        width=max(width, 20),
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _rules_by_id(timescale: str) -> dict[str, Rule]:
    return {r.id: r for r in rulebook().timescales[timescale].rules}


def _pyarrow() -> Any:
    try:
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the cli extra installs it
        raise ScanError(extra_needed("the scan", "pyarrow", "cli")) from None
    return pa


def neutralise_text(value: str) -> str:
    r"""``value`` with a ``'`` in front if a spreadsheet would run it as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@`` or any control character (a tab, a carriage
    return, a NUL that would hide what follows) is prefixed; plain numbers (``-5``, ``+44``,
    ``1.5e3``) are not, since a spreadsheet reads them as numbers, not formulas.

    >>> neutralise_text('=HYPERLINK("http://x")'), neutralise_text("-5"), neutralise_text("a")
    ('\'=HYPERLINK("http://x")', '-5', 'a')
    >>> neutralise_text("\x00=1+1")
    "'\x00=1+1"
    """
    risky = bool(value) and (value[0] in "=+-@" or value[0] < " " or value[0] == "\x7f")
    if risky and not _is_plain_number(value):
        return "'" + value
    return value


def printable(text: str) -> str:
    r"""``text`` safe for a terminal: control characters (escape sequences) shown as ``\xNN``.

    Anything that came from the file (a header name, a cell) goes through this before it is
    printed, so that a crafted header cannot move the cursor or recolour the terminal.

    >>> printable("col\x1b[31mred\nnext")
    'col\\x1b[31mred\nnext'
    """
    return "".join(
        c if c == "\n" or (c >= " " and c != "\x7f") else f"\\x{ord(c):02x}" for c in text
    )


def _is_plain_number(value: str) -> bool:
    return _PLAIN_NUMBER_RE.fullmatch(value) is not None


_PLAIN_NUMBER_RE = re.compile(_PLAIN_NUMBER[1:-1], re.ASCII)


def load_policy(path: str) -> Policy:
    """A :class:`~safeguard_time.Policy` from a TOML or JSON file (``Policy.load``).

    Its :class:`~safeguard_time.errors.PolicyError` becomes a :class:`ScanError` with the
    same message (which starts with the file's name).
    """
    try:
        return Policy.load(path)
    except PolicyError as exc:
        raise ScanError(str(exc)) from None


# --- reading ------------------------------------------------------------------------------


def _is_parquet(path: str) -> bool:
    return path != "-" and path.lower().endswith((".parquet", ".pq"))


def _is_xlsx(path: str) -> bool:
    return path != "-" and path.lower().endswith(".xlsx")


def _display(path: str) -> str:
    return "<stdin>" if path == "-" else path


class _Source(abc.ABC):
    """The input: column names, schema, and blocks with the line number of each row."""

    name: str = ""
    names: list[str]
    schema: Any = None
    bom: bool = False
    size: int | None = None
    blank_lines: int = 0
    done: int = 0  # bytes (CSV) or rows (Parquet) handed out so far, for the progress bar
    #: How numbers in date columns count days (a workbook's 1900 or 1904 system).
    date_system: int = 1900
    #: Where the column names are, for messages.
    header_at: str = "line 1"
    #: Whether :meth:`place` names cells (a workbook's ``Cases!D17``).
    has_cells: bool = False

    def place(self, line: int, column: str) -> str | None:
        """The cell of ``column`` in row ``line`` as a spreadsheet names it (workbooks)."""
        return None

    def share_left(self) -> float | None:
        """The share of the input not yet handed out (None when its size is not known)."""
        if not self.size:
            return None
        return max(self.size - self.done, 0) / self.size

    @abc.abstractmethod
    def batches(self) -> Generator[tuple[Any, npt.NDArray[np.int64]], None, None]:
        """Yield (record batch, input line number of each row)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the file."""


class _CsvSource(_Source):
    """A CSV file read with Arrow's streaming reader, every column as text."""

    def __init__(self, path: str, encoding: str, block_size: int, delimiter: str = ",") -> None:
        self._stream: Any = None
        self._hook: _QuietUndecodableRows | None = None
        self._transcoded: str | None = None
        try:
            self._open(path, encoding, block_size, delimiter)
        except BaseException:
            self.close()  # a refused file leaves nothing open, installed or on disk
            raise

    def _open(self, path: str, encoding: str, block_size: int, delimiter: str) -> None:
        pa = _pyarrow()
        import pyarrow.csv as pcsv  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        self.name = _display(path)
        if len(delimiter) != 1 or delimiter in '"\r\n':
            raise ScanError(
                f"--delimiter must be one character (not a quote or a line end), got {delimiter!r}"
            )
        self.delimiter = delimiter
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ScanError(f"unknown encoding {encoding!r} (try utf-8 or cp1252)") from None
        if codec.startswith(("utf-16", "utf-32")) and path != "-":
            # Wide encodings: their line ends are not single bytes, so the file is read as
            # UTF-8 text written to a temporary file first (same lines, same line numbers).
            path, encoding = self._transcode(path, encoding), "utf-8"
        self._path = path
        header_raw = self._read_header(path)
        self.names = self._decode_header(header_raw, encoding)
        self._header_lines = max(header_raw.count(b"\n"), 1)
        self._block_size = block_size
        self.schema = pa.schema([pa.field(n, pa.string()) for n in self.names])
        self._invalid: Any = None
        self._hook = _QuietUndecodableRows(self._on_invalid_row)
        if path == "-":
            stream = self._stream = _WholeLineEnds(self._stdin)
        else:
            start = len(header_raw) + (len(_BOM) if self.bom else 0)
            try:
                # Arrow's own file, read in whole blocks by Arrow's threads (a Python stream
                # read from them can abort the process at exit, pyarrow 18-25).  The block
                # size is chosen so that no block ends between a CR and its LF.
                self.size = os.path.getsize(path)
                block_size = _block_between_lines(path, start, self.size, block_size)
                native = pa.OSFile(path)
                native.seek(start)
                stream = self._stream = native
            except (OSError, pa.ArrowException) as exc:
                raise ScanError(f"{path}: cannot read: {exc}") from None
            self._block_size = block_size
        self._data_start = len(header_raw) + (len(_BOM) if self.bom else 0)
        self._encoding = encoding
        self.done = len(header_raw)
        try:
            self._reader = pcsv.open_csv(
                stream,
                read_options=pcsv.ReadOptions(
                    column_names=self.names, block_size=block_size, encoding=encoding
                ),
                parse_options=pcsv.ParseOptions(
                    delimiter=delimiter,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=self._on_invalid_row,
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys(self.names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    null_values=[],
                ),
            )
        except StopIteration:  # a header and nothing else
            self._reader = None
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            if "Empty CSV file" in str(exc):
                self._reader = None
            else:
                raise self._parse_error(exc) from None

    def _transcode(self, path: str, encoding: str) -> str:
        import tempfile  # noqa: PLC0415

        if codecs.lookup(encoding).name == "utf-16":
            # No byte order mark: the order shows in where the zero bytes of ASCII text fall.
            try:
                with open(path, "rb") as fh:
                    head = fh.read(64)
            except OSError as exc:
                raise ScanError(f"{self.name}: cannot read: {exc.strerror or exc}") from None
            if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and len(head) > 1:
                odd_zeros = head[1::2].count(0)
                encoding = "utf-16-le" if odd_zeros >= head[0::2].count(0) else "utf-16-be"

        fd, tmp = tempfile.mkstemp(prefix="safeguard-time-", suffix=".csv")
        self._transcoded = tmp
        try:
            with (
                open(path, encoding=encoding, newline="") as src,
                os.fdopen(fd, "w", encoding="utf-8", newline="") as dst,
            ):
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        except UnicodeError:
            self._drop_transcoded()
            raise ScanError(f"{self.name}: not {encoding} text (check --encoding)") from None
        except OSError as exc:
            self._drop_transcoded()
            raise ScanError(f"{self.name}: cannot read: {exc.strerror or exc}") from None
        return tmp

    def _drop_transcoded(self) -> None:
        if self._transcoded is not None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self._transcoded)
            self._transcoded = None

    def _read_header(self, path: str) -> bytes:
        if path == "-":
            self._stdin: IO[bytes] = sys.stdin.buffer
            fh = self._stdin
            raw = fh.readline()
            while raw.count(b'"') % 2 and (more := fh.readline()):
                raw += more  # a quoted column name holding a line break
        else:
            try:
                with open(path, "rb") as fh:
                    raw = fh.readline()
                    while raw.count(b'"') % 2 and (more := fh.readline()):
                        raw += more
            except IsADirectoryError:
                raise ScanError(f"{path}: is a directory, not a file") from None
            except OSError as exc:
                raise ScanError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if raw.startswith(_BOM):
            self.bom = True
            raw = raw[len(_BOM) :]
        if not raw.strip():
            raise ScanError(f"{self.name}: line 1: empty file: expected a header line")
        return raw

    def _decode_header(self, raw: bytes, encoding: str) -> list[str]:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            wide = raw.count(b"\x00") * 4 > len(raw)  # every other byte 0: UTF-16
            example = "utf-16" if wide else "cp1252"
            raise ScanError(
                f"{self.name}: line 1: not {encoding} text; give the file's encoding, "
                f"e.g. --encoding {example}"
            ) from None
        line = text.rstrip("\r\n")
        if "\r" in line:
            raise ScanError(
                f"{self.name}: line 1: the lines end with a carriage return alone (old Mac "
                "line endings), which this reader does not split: save the file with Windows "
                "(CRLF) or Unix (LF) line endings"
            )
        try:
            names = next(csv.reader([line], delimiter=self.delimiter, strict=True))
        except csv.Error as exc:
            raise ScanError(
                f"{self.name}: line 1: the header cannot be read as CSV ({exc}): a stray "
                'quote? Quote a whole column name, as in "a ""quoted"" name"'
            ) from None
        return names

    def _on_invalid_row(self, row: Any) -> str:
        """Arrow's callback for a row with the wrong number of fields."""
        if not row.text.strip():
            self.blank_lines += 1  # a blank line: no data, nothing lost
            return "skip"
        self._invalid = row
        return "error"

    def batches(self) -> Generator[tuple[Any, npt.NDArray[np.int64]], None, None]:
        pa = _pyarrow()
        if self._reader is None:
            return
        line = self._header_lines + 1
        index: Generator[int, None, None] | None = None
        last: tuple[Any, int] | None = None  # the last row read, and its line
        try:
            for batch in _ahead(self._reader.read_next_batch):
                if isinstance(batch, (pa.ArrowInvalid, UnicodeDecodeError)):
                    raise self._parse_error(batch, line) from None
                if isinstance(batch, BaseException):
                    raise batch
                n = batch.num_rows
                extra, size = self._newlines_and_size(batch)
                self.done += size
                if index is None and self.blank_lines and self._path != "-":
                    # Arrow has skipped a line of spaces in this block or one it read ahead; it
                    # does not say where.  The rows' lines are counted from the file itself
                    # from here on (no blank line was in the blocks already handed out).
                    index = self._line_index(line)
                if index is not None:
                    lines = np.fromiter(itertools.islice(index, n), dtype=np.int64, count=-1)
                    if len(lines) != n:
                        raise ScanError(
                            f"{self.name}: the rows read and the file's lines do not agree after "
                            f"line {line}: a quote or line end this reader cannot place"
                        )
                    line = int(lines[-1]) + 1 if n else line
                    if n:
                        last = (batch.slice(n - 1), int(lines[-1]))
                    yield batch, lines
                    continue
                if extra is None:
                    lines = np.arange(line, line + n, dtype=np.int64)
                    line += n
                else:
                    before = np.cumsum(extra) - extra
                    lines = line + np.arange(n, dtype=np.int64) + before
                    line += n + int(extra.sum())
                if n:
                    last = (batch.slice(n - 1), int(lines[-1]))
                yield batch, lines
            if last is not None:
                self._refuse_unclosed_quote(*last)
        finally:
            if index is not None:
                index.close()  # its file

    def _refuse_unclosed_quote(self, row: Any, line: int) -> None:
        """Refuse the file if it ends inside a quoted cell.

        A quote that never closes makes every later line part of one cell: Arrow reads the
        rest of the file into the last row's last cell without a word.  The file then ends
        with that cell's text, quotes doubled, right after its opening quote and with no
        closing one; a well-formed file ends with a closing quote or with unquoted text.
        """
        if self._path == "-" or self.size is None:
            return
        value = row.column(row.num_columns - 1)[0].as_py()
        if not isinstance(value, str):
            return
        field = ('"' + value.replace('"', '""')).encode(self._encoding, errors="replace")
        if len(field) > self.size:
            return
        with open(self._path, "rb") as fh:
            fh.seek(self.size - len(field))
            tail = fh.read()
            if len(field) < self.size:
                fh.seek(self.size - len(field) - 1)
                before = fh.read(1)
            else:
                before = b"\n"
        if tail != field or before not in (self.delimiter.encode(), b"\n", b"\r"):
            return
        breaks = sum(str(c[0].as_py() or "").count("\n") for c in row.columns[:-1])
        merged = value.rstrip("\r\n").count("\n")
        rest = (
            f": the {merged} line{'s' if merged != 1 else ''} after it would be read into that "
            "one cell"
            if merged
            else " before the end of the file"
        )
        raise ScanError(
            f"{self.name}: line {line + breaks}: a quote opened in column "
            f"{printable(self.names[-1])!r} never closes{rest}; close the quote or remove it"
        )

    def _line_index(self, first: int) -> Generator[int, None, None]:
        """The physical line of each row from line ``first`` on, read with the csv module.

        Used only once Arrow has skipped a line holding nothing but spaces (it reports no
        position for it): the file is read a second time, record by record, and such lines
        are passed over as Arrow passes over them.
        """
        width = len(self.names)
        fh = open(self._path, "rb")  # noqa: SIM115 - closed by the generator below
        fh.seek(self._data_start)
        number = self._header_lines + 1  # the line of the first data row
        encoding = self._encoding

        def text() -> Iterator[str]:
            for raw in fh:
                yield raw.decode(encoding, errors="replace")

        def starts() -> Generator[int, None, None]:
            reader = csv.reader(text(), delimiter=self.delimiter)
            before = 0
            try:
                with fh:
                    for record in reader:
                        start, span = number + before, reader.line_num - before
                        before = reader.line_num
                        spaces = len(record) == 1 and record[0] != "" and not record[0].strip()
                        if spaces and span == 1 and width > 1:
                            continue  # Arrow's invalid-row handler skipped it
                        if start >= first:
                            yield start
            except csv.Error as exc:
                raise ScanError(
                    f"{self.name}: line {number + reader.line_num - 1}: cannot be read as CSV "
                    f"({exc})"
                ) from None

        return starts()

    @staticmethod
    def _newlines_and_size(batch: Any) -> tuple[npt.NDArray[np.int64] | None, int]:
        """Line breaks inside each row's cells (None if none), and the block's rough size."""
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        total: npt.NDArray[np.int64] | None = None
        size = batch.num_rows * batch.num_columns
        for col in batch.columns:
            if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
                continue
            offsets, data = string_buffers(col)
            lo, hi = int(offsets[0]), int(offsets[-1])
            size += hi - lo
            used = data[lo:hi]
            # Most columns hold no line break: a copy and one memchr search say so in a
            # third of the time numpy's comparison of every byte takes.
            if b"\n" not in used.tobytes():
                continue
            breaks = np.flatnonzero(used == 10)
            rows = np.searchsorted(offsets, breaks + lo, side="right") - 1
            counts = np.bincount(rows, minlength=batch.num_rows)[: batch.num_rows]
            total = counts if total is None else total + counts
        return total, size

    def _parse_error(self, exc: BaseException, line: int | None = None) -> ScanError:
        message = str(exc).replace("CSV parse error: ", "")
        if "straddling object" in message:
            where = f"line {line} or a later one" if line is not None else "a line"
            return _RowOverBlock(
                f"{self.name}: {where} holds a row longer than the reader's block "
                f"({self._block_size:,} bytes)"
            )
        if isinstance(exc, UnicodeDecodeError) or "invalid UTF8" in message:
            return ScanError(
                f"{self.name}: not valid text in the expected encoding; give the file's "
                "encoding, e.g. --encoding cp1252"
            )
        found = self._find_bad_lines() if self._path != "-" else []
        if found:
            shown = "; ".join(found[:10])
            more = f" (and {len(found) - 10} more)" if len(found) > 10 else ""
            return ScanError(f"{self.name}: {shown}{more}")
        final = f"{self.name}: cannot read as CSV: {message}"
        if self._path == "-":
            return ScanError(final)
        # Every line has the header's number of fields, yet Arrow could not split the rows
        # at this block size: read again with larger blocks, which move the boundaries.
        retry = _RowOverBlock(final)
        retry.final = final
        return retry

    def _find_bad_lines(self) -> list[str]:
        """Lines whose number of fields differs from the header's (the file read again)."""
        out: list[str] = []
        line = 1
        try:
            with open(self._path, encoding="utf-8-sig", errors="replace", newline="") as fh:
                reader = csv.reader(fh)
                width = len(next(reader, []))
                line = reader.line_num + 1
                for row in reader:
                    spaces = len(row) == 1 and not row[0].strip()  # skipped, as Arrow does
                    if row and len(row) != width and not (spaces and width > 1):
                        out.append(f"line {line}: expected {width} fields, found {len(row)}")
                    line = reader.line_num + 1
        except (OSError, csv.Error) as exc:
            out.append(f"line {line}: {exc}")
        return out

    def close(self) -> None:
        reader = getattr(self, "_reader", None)
        if reader is not None:
            # Arrow's own read-ahead calls back into the stream below: stop it first, so no
            # thread of Arrow's is left reading when the process ends (an interrupt, say).
            with contextlib.suppress(Exception):
                reader.close()
            self._reader = None
        if self._stream is not None:
            self._stream.close()
        self._drop_transcoded()
        if self._hook is not None:
            self._hook.remove()


def _block_between_lines(path: str, start: int, size: int, block: int) -> int:
    """A block size near ``block`` with which no block of the file ends between CR and LF.

    Arrow drops the LF of a CR LF inside a quoted cell when one block ends with the CR and
    the next begins with the LF (apache/arrow#51368, open as of pyarrow 26).  Arrow reads
    the file from ``start`` in blocks of exactly ``block`` bytes, so the bytes on either
    side of each boundary are looked at (a few reads of two bytes a megabyte) and the
    block is made a little smaller until no boundary falls inside a CR LF.
    """
    with open(path, "rb") as fh:
        for candidate in range(block, max(block - 64, 1), -1):
            for edge in range(start + candidate, size, candidate):
                fh.seek(edge - 1)
                if fh.read(2) == b"\r\n":
                    break
            else:
                return candidate
    return block  # pragma: no cover - 64 sizes in a row each split a CR LF


class _WholeLineEnds:
    """Standard input as Arrow's CSV reader reads it, never split between a CR and its LF.

    Arrow drops the LF of a CR LF inside a quoted cell when one read ends with the CR and
    the next begins with the LF (apache/arrow#51368, open as of pyarrow 26): a line break in
    a cell of notes would lose a byte without a word.  A read that would end with a CR
    keeps it for the next read, so no read ever ends with one.  (Files are read by Arrow
    itself, in blocks chosen by :func:`_block_between_lines`.)
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._held = b""
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data, self._held = self._held + self._raw.read(), b""
            return data
        data = self._held + self._raw.read(max(size - len(self._held), 1))
        self._held = b""
        if len(data) > 1 and data.endswith(b"\r"):
            data, self._held = data[:-1], b"\r"
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True
        if self._raw is not sys.stdin.buffer:
            self._raw.close()


class _QuietUndecodableRows:
    """Keeps pyarrow's failure to decode a malformed row for our callback off the terminal.

    pyarrow decodes a row with the wrong number of fields as UTF-8 before it calls the
    invalid-row callback; when the row is not UTF-8 that fails inside pyarrow, which prints
    "Exception ignored ..." with a traceback and stops the read, which the scan then reports
    with the row's line.  Only that one failure is silenced, while the file is read.
    """

    def __init__(self, callback: Callable[[Any], str]) -> None:
        self._callback = callback
        self._previous = sys.unraisablehook
        sys.unraisablehook = self._hook

    def _hook(self, unraisable: Any) -> None:
        if not (
            isinstance(unraisable.exc_value, UnicodeDecodeError)
            and unraisable.object == self._callback
        ):
            self._previous(unraisable)

    def remove(self) -> None:
        if sys.unraisablehook == self._hook:
            sys.unraisablehook = self._previous


def _ahead(read: Callable[[], Any], depth: int = 8) -> Iterator[Any]:
    """The results of ``read()`` until it raises ``StopIteration``, read by another thread.

    Arrow parses a CSV block in the thread that asks for it, without the GIL; asking from a
    second thread lets the next block be parsed while this one is assessed.  At most
    ``depth`` blocks wait: with 3, fewer than the four 1 MiB blocks of a group of 32,768
    rows (the groups then), each group waited for its last block, and a 1e6-row scan took 2-7%
    longer than with 8 (interleaved runs); the 1e7-row peak went from 304 MB to 326-341 MB.  An
    exception is handed over as an item, then reading stops.
    """
    items: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def run() -> None:
        while not stop.is_set():
            try:
                item = read()
            except StopIteration:
                item = done
            except BaseException as exc:  # handed to the reading thread
                item = exc
            items.put(item)
            if item is done or isinstance(item, BaseException):
                return

    thread = threading.Thread(target=run, name="scan-reader", daemon=True)
    thread.start()
    try:
        while (item := items.get()) is not done:
            yield item
            if isinstance(item, BaseException):
                return
    finally:
        stop.set()
        while thread.is_alive():  # let a blocked put() finish
            try:
                items.get_nowait()
            except queue.Empty:
                thread.join(0.01)


class _ParquetSource(_Source):
    """A Parquet file read batch by batch, every column with its own type."""

    def __init__(self, path: str, block_size: int) -> None:
        pa = _pyarrow()
        import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        self.name = path
        self._rows = max(block_size // 100, 1)
        try:
            self._file = pq.ParquetFile(path)
        except FileNotFoundError:
            raise ScanError(f"{path}: cannot read: No such file or directory") from None
        except (OSError, pa.ArrowException) as exc:
            raise ScanError(f"{path}: not a readable Parquet file: {exc}") from None
        self.schema = self._file.schema_arrow
        self.names = list(self.schema.names)
        self.size = self._file.metadata.num_rows

    def batches(self) -> Generator[tuple[Any, npt.NDArray[np.int64]], None, None]:
        pa = _pyarrow()
        line = 2  # as a spreadsheet numbers rows under a header
        try:
            for batch in self._file.iter_batches(batch_size=self._rows):
                n = batch.num_rows
                self.done += n
                yield batch, np.arange(line, line + n, dtype=np.int64)
                line += n
        except (OSError, pa.ArrowException) as exc:
            raise ScanError(f"{self.name}: cannot read: {exc}") from None

    def close(self) -> None:
        self._file.close()


def _open_source(
    path: str, encoding: str, block_size: int, delimiter: str = ",", opts: ScanOptions | None = None
) -> _Source:
    from safeguard_time.io import workbook  # noqa: PLC0415

    kind = _input_format(path, opts.format if opts is not None else None)
    if kind != "xlsx" and opts is not None and (opts.sheet is not None or opts.header_row != 1):
        raise ScanError(f"{_display(path)}: --sheet and --header-row are for Excel workbooks")
    if kind == "xlsx":
        assert opts is not None
        return workbook.WorkbookSource(
            path,
            sheet=opts.sheet,
            header_row=opts.header_row,
            block_rows=block_size // 100,
            keep_cells=_is_xlsx(opts.output),
        )
    if kind == "parquet":
        return _ParquetSource(path, block_size)
    if path != "-":
        with contextlib.suppress(OSError), open(path, "rb") as fh:
            if fh.read(4) == b"PK\x03\x04":  # a zip: an .xlsx under another name
                raise ScanError(
                    f"{path}: this is not CSV but a zip file, perhaps an Excel workbook: "
                    "name it .xlsx or give --format xlsx"
                )
    return _CsvSource(path, encoding, block_size, delimiter)


#: ``--format`` values, and the file endings read as each.
INPUT_FORMATS = ("csv", "parquet", "xlsx")


def _input_format(path: str, given: str | None) -> str:
    """The input's format: ``given``, else by the file's ending (CSV if none is known)."""
    from safeguard_time.io import workbook  # noqa: PLC0415

    if given is not None:
        if given not in INPUT_FORMATS:
            raise ScanError(f"--format must be one of {', '.join(INPUT_FORMATS)}, got {given!r}")
        if given != "csv" and path == "-":
            raise ScanError(f"--format {given} cannot be read from standard input: give a file")
        return given
    if _is_parquet(path):
        return "parquet"
    if workbook.is_workbook(path):
        return "xlsx"
    if path.lower().endswith(workbook.OTHER_SPREADSHEETS):
        raise ScanError(f"{path}: this spreadsheet format is not read: save it as .xlsx")
    return "csv"


def _check_output(path: str | None, option: str = "--output") -> None:
    """Refuse, before any work, an output ending the scan cannot write."""
    from safeguard_time.io import workbook  # noqa: PLC0415

    lower = (path or "").lower()
    bad: tuple[str, ...] = (*workbook.OTHER_SPREADSHEETS, ".xlsm")
    if option == "--errors":
        bad += (".parquet", ".pq")
    if path and path != "-" and lower.endswith(bad):
        kinds = ".csv or .xlsx" if option == "--errors" else ".csv, .parquet or .xlsx"
        raise ScanError(
            f"{option} {path}: the scan writes {kinds}, not "
            f"{os.path.splitext(lower)[1]}: use .xlsx for a workbook"
        )


# --- writing ------------------------------------------------------------------------------


def _move(partial: str, path: str) -> None:
    """Move a finished file into place with one atomic replace.

    The old file is never removed first: at every moment either the old file or the new one
    is there under its name, whatever interrupts the scan.
    """
    os.replace(partial, path)
    REPLACED.append(path)


#: The final files moved into place by the scan running now (for the message after an
#: interrupt, which must say exactly which files were replaced).
REPLACED: list[str] = []


def _identity(path: str) -> tuple[str, tuple[int, int] | None]:
    """A path's real location (symlinks resolved) and, if it exists, its (device, inode)."""
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError:
        return real, None
    return real, (st.st_dev, st.st_ino)


def check_paths(outputs: dict[str, str | None], inputs: dict[str, str | None]) -> None:
    """Refuse, before any work, an output that is an input or another output.

    ``outputs`` and ``inputs`` map option names (``"--output"``, ``"caseload"``) to paths
    (``None`` or ``"-"``: not a file).  Identity is real: the same file through ``./``, a
    symbolic link or a hard link is the same file.

    >>> check_paths({"--output": "out.csv", "--errors": "./out.csv"}, {})
    Traceback (most recent call last):
    ...
    safeguard_time.io.scan.ScanError: --errors and --output are the same file (out.csv): give each output its own name
    """
    seen: list[tuple[str, str, tuple[str, tuple[int, int] | None]]] = []
    for role, path in inputs.items():
        if path and path != "-":
            seen.append((role, path, _identity(path)))
    for role, path in outputs.items():
        if not path or path == "-":
            continue
        real, ino = _identity(path)
        for other_role, other_path, (other_real, other_ino) in seen:
            if real == other_real or (ino is not None and ino == other_ino):
                is_input = other_role not in outputs
                what = "is the input" if is_input else "is the same file as"
                hint = (
                    "the scan never writes over what it reads"
                    if is_input
                    else "give each output its own name"
                )
                if is_input:
                    raise ScanError(f"{role} {path} {what} {other_role} ({other_path}): {hint}")
                raise ScanError(f"{role} and {other_role} are the same file ({other_path}): {hint}")
        seen.append((role, path, (real, ino)))


def _partial_name(path: str) -> str:
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{base}.partial-{os.getpid()}")


class _Stdout:
    """Standard output as one output of a scan that also writes files.

    When the reader of standard output goes away (``--errors - | head``), the files must
    not be left silently unwritten: later writes here are dropped, the scan goes on, and
    :attr:`closed_early` tells the summary.  A scan whose only outputs go to standard
    output stops at the broken pipe instead, quietly, as Unix tools do.
    """

    def __init__(self, stream: IO[Any], keep_going: bool) -> None:
        self._stream = stream
        self._keep_going = keep_going

    def _broken(self) -> None:
        global STDOUT_CLOSED_EARLY  # noqa: PLW0603 - one flag per process, like REPLACED
        STDOUT_CLOSED_EARLY = True
        # Python's own flush at exit must not meet the broken pipe again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)

    def write(self, data: Any) -> int:
        if STDOUT_CLOSED_EARLY:
            return len(data)
        try:
            return int(self._stream.write(data))
        except BrokenPipeError:
            if not self._keep_going:
                raise
            self._broken()
            return len(data)

    def flush(self) -> None:
        if STDOUT_CLOSED_EARLY:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            if not self._keep_going:
                raise
            self._broken()

    def close(self) -> None:
        """Standard output stays open for the rest of the process (only flushed)."""
        self.flush()

    @property
    def closed(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


#: Set when standard output was closed by its reader while the scan went on writing files.
STDOUT_CLOSED_EARLY = False

#: Whether the running scan writes any output to a file (then a broken standard output
#: does not stop it); set by :func:`scan`.
_FILE_OUTPUTS = False


class _Sink:
    """An output file written beside its final name and moved into place once complete."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.partial = None if path == "-" else _partial_name(path)

    def open(self, mode: str, **kwargs: Any) -> IO[Any]:
        if self.partial is None:
            stream = sys.stdout.buffer if "b" in mode else sys.stdout
            return _Stdout(stream, _FILE_OUTPUTS)  # type: ignore[return-value]
        _PARTIALS.add(self.partial)  # before it exists: an interrupt may come at any moment
        try:
            return open(self.partial, mode, **kwargs)
        except OSError as exc:
            raise ScanError(f"{self.path}: cannot write: {exc.strerror or exc}") from None

    def commit(self) -> None:
        if self.partial is not None:
            _move(self.partial, self.path)
            _PARTIALS.discard(self.partial)

    def discard(self) -> None:
        if self.partial is not None:
            _remove_partial(self.partial)


#: The partial files of the scan running now, removed on any exit that does not commit them.
_PARTIALS: set[str] = set()


def _remove_partial(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
    _PARTIALS.discard(path)


def remove_partials() -> None:
    """Remove every partial file the scan has opened and not moved into place."""
    for path in list(_PARTIALS):
        _remove_partial(path)


class _Writer:
    """The scanned file, written by a background thread while the next block is assessed.

    CSV (Arrow's writer; text cells neutralised unless told not to) or Parquet.
    """

    def __init__(self, path: str, schema: Any, *, bom: bool, neutralise: bool) -> None:
        pa = _pyarrow()
        self.parquet = _is_parquet(path)
        self.neutralise = neutralise and not self.parquet
        self._sink = _Sink(path)
        self._fh = self._sink.open("wb")
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._failure: BaseException | None = None
        try:
            if self.parquet:
                import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

                self._writer = pq.ParquetWriter(self._fh, schema)
            else:
                import pyarrow.csv as pcsv  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

                if bom:
                    self._fh.write(_BOM)
                # Text of every Arrow kind (dictionary, binary, large or view strings) is
                # written as plain strings, so that every cell can be neutralised.
                schema = pa.schema(
                    [f.with_type(pa.string()) if _is_textual(f.type) else f for f in schema]
                )
                if self.neutralise:
                    schema = pa.schema([f.with_name(neutralise_text(f.name)) for f in schema])
                self._writer = pcsv.CSVWriter(
                    self._fh, schema, write_options=pcsv.WriteOptions(batch_size=_WRITE_ROWS)
                )
        except BaseException:
            self.discard()
            raise
        self.schema = schema
        self._thread = threading.Thread(target=self._run, name="scan-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._failure is None:
                try:
                    self._writer.write(self._assemble(*item))
                except BaseException as exc:  # handed to the main thread
                    self._failure = exc

    def _assemble(self, batch: Any, added: Sequence[Any]) -> Any:
        """The block as written: its own columns (neutralised for CSV) and the checks'."""
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        columns = list(batch.columns)
        if not self.parquet:
            columns = [_as_string(c) if _is_textual(c.type) else c for c in columns]
        if self.neutralise and not self.parquet:
            columns = [_neutralise_column(c) for c in columns]
        columns += added  # the checks' columns, from tables.assess_table
        return pa.RecordBatch.from_arrays(columns, schema=self.schema)

    def _raise_failure(self) -> None:
        if self._failure is not None:
            exc = self._failure
            if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
                raise ScanError(f"{self._sink.path}: cannot write: {exc.strerror or exc}")
            raise exc

    def write(self, batch: Any, added: Sequence[Any]) -> None:
        """Queue a block and its checks' results; the writer's thread writes them."""
        self._raise_failure()
        self._queue.put((batch, added))

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def close(self) -> None:
        self._stop()
        self._raise_failure()
        self._writer.close()
        if self._fh is sys.stdout.buffer:
            self._fh.flush()
        else:
            self._fh.close()
        self._sink.commit()

    def discard(self) -> None:
        try:
            if hasattr(self, "_thread"):
                self._stop()
        finally:
            if self._fh is not sys.stdout.buffer:
                self._fh.close()
            self._sink.discard()


_RISKY = np.zeros(256, dtype=np.bool_)
_RISKY[list(_RISKY_FIRST)] = True


def _is_textual(t: Any) -> bool:
    """Whether an Arrow type holds text that a spreadsheet could read as a formula."""
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    if pa.types.is_dictionary(t):
        return _is_textual(t.value_type)
    view = getattr(pa.types, "is_string_view", None)
    binary_view = getattr(pa.types, "is_binary_view", None)
    return bool(
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_binary(t)
        or pa.types.is_large_binary(t)
        or (view is not None and view(t))
        or (binary_view is not None and binary_view(t))
    )


def _as_string(col: Any) -> Any:
    """A text-like Arrow column as plain ``string`` (bytes that are not UTF-8: replaced)."""
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    if pa.types.is_string(col.type):
        return col
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
        if pa.types.is_string(col.type):
            return col
    try:
        return col.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = col.to_pylist()
        return pa.array(
            [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in values],
            type=pa.string(),
        )


def _neutralise_column(col: Any) -> Any:
    """An Arrow string column with formula-like text cells prefixed by ``'`` (vectorised).

    The cells are those :func:`neutralise_text` prefixes, cell for cell.
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    if not _is_textual(col.type):  # numbers and dates: nothing to neutralise
        return col
    col = _as_string(col)
    offsets, data = string_buffers(col)
    n = len(col)
    if n == 0 or len(data) == 0:
        return col
    starts = offsets[:-1]
    # Each cell's first byte ("clip": an empty last cell starts past the bytes).
    risky = _RISKY[data.take(starts, mode="clip")] & (offsets[1:] > starts)
    if col.null_count:
        risky &= to_numpy(col.is_valid())
    rows = np.flatnonzero(risky)
    if len(rows):
        numbers = to_numpy(pc.match_substring_regex(col.take(from_numpy(rows)), _PLAIN_NUMBER))
        rows = rows[~numbers]
    if not len(rows):
        return col
    lo, hi = int(offsets[0]), int(offsets[-1])
    if col.null_count or hi - lo + len(rows) >= 2**31:  # rare: Arrow's own way
        marked = np.zeros(n, dtype=np.bool_)
        marked[rows] = True
        quote, nothing = strings(["'", ""])  # Arrow scalars (pa.scalar would import pandas)
        prefixed = pc.binary_join_element_wise(quote, col, nothing)
        return pc.if_else(from_numpy(marked), prefixed, col)
    # The bytes with a quote put before each of those cells; each offset moves by the
    # number of quotes before it.
    body = _quoted_at(data[lo:hi], starts[rows] - lo)
    moved = np.zeros(n + 1, dtype=np.int32)
    moved[rows + 1] = 1
    new_offsets = (offsets - np.int32(lo)).astype(np.int32) + np.cumsum(moved, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), n, [None, pa.py_buffer(new_offsets), pa.py_buffer(body)]
    )


def _quoted_at(data: npt.NDArray[np.uint8], at: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    """``data`` with a ``'`` put before each of the ascending, distinct positions ``at``."""
    quote = np.uint8(ord("'"))
    if len(at) <= 64:  # the usual few: the pieces between them, joined (numpy's insert is slow)
        pieces: list[npt.NDArray[np.uint8]] = []
        for piece in np.split(data, at):
            pieces += [np.array([quote]), piece]
        return np.concatenate(pieces[1:])
    where = at + np.arange(len(at))  # the quotes' places in the new bytes
    body = np.empty(len(data) + len(at), dtype=np.uint8)
    kept = np.ones(len(body), dtype=np.bool_)
    kept[where] = False
    body[kept] = data
    body[where] = quote
    return body


@attrs.frozen(eq=False)
class _Problems:
    """Problems as the errors report lists them, column by column.

    A problem's column, reason and check are numbers into texts listed once each (a
    thousand blank starts share one reason); its value and cell are its own.  Record ``j``
    is ``(lines[j], column_texts[column[j]], values[j], reason_texts[reason[j]],
    check_texts[check[j]])``, and ``cells[j]`` after it for a workbook's problems.
    """

    lines: npt.NDArray[np.int64]
    column: npt.NDArray[np.int64]
    column_texts: tuple[str, ...]
    values: list[str]
    reason: npt.NDArray[np.int64]
    reason_texts: tuple[str, ...]
    check: npt.NDArray[np.int64]
    check_texts: tuple[str, ...]
    cells: list[str] | None = None

    def __len__(self) -> int:
        return len(self.lines)

    def head(self, k: int) -> _Problems:
        """The first ``k`` problems."""
        return attrs.evolve(
            self,
            lines=self.lines[:k],
            column=self.column[:k],
            values=self.values[:k],
            reason=self.reason[:k],
            check=self.check[:k],
            cells=None if self.cells is None else self.cells[:k],
        )

    def records(self) -> list[tuple[Any, ...]]:
        """Each problem as ``(line, column, value, reason, check[, cell])``."""
        records = list(
            zip(
                self.lines.tolist(),
                [self.column_texts[c] for c in self.column.tolist()],
                self.values,
                [self.reason_texts[r] for r in self.reason.tolist()],
                [self.check_texts[c] for c in self.check.tolist()],
                strict=True,
            )
        )
        if self.cells is not None:
            return [(*r, cell) for r, cell in zip(records, self.cells, strict=True)]
        return records

    def arrow(self, *, neutralise: bool) -> Any:
        """The problems as an Arrow record batch (text from the input neutralised if asked).

        Values, column names and cells come from the input, and reasons quote them, so all
        four are neutralised; checks are the scan's words.
        """
        pa = _pyarrow()

        def clean(texts: Sequence[str]) -> Sequence[str]:
            return [neutralise_text(t) for t in texts] if neutralise else texts

        def own(texts: Sequence[str]) -> Any:
            arr = strings(texts)
            return _neutralise_column(arr) if neutralise else arr

        def shared(texts: Sequence[str], index: npt.NDArray[np.int64]) -> Any:
            return strings(texts).take(from_numpy(index.astype(np.int64, copy=False)))

        columns = [
            from_numpy(self.lines.astype(np.int64, copy=False)),
            shared(clean(self.column_texts), self.column),
            own(self.values),
            shared(clean(self.reason_texts), self.reason),
            shared(self.check_texts, self.check),
        ]
        names = list(_ErrorsReport.HEADER)
        if self.cells is not None:
            columns.append(own(self.cells))
            names.append("cell")
        return pa.RecordBatch.from_arrays(columns, names=names)


class _ErrorsReport:
    """The errors report (CSV), written as problems are met."""

    HEADER = ("line", "column", "value", "reason", "check")
    #: The most problems the file can list (none for CSV).
    limit: int | None = None

    def __init__(self, path: str | None, *, neutralise: bool, cells: bool = False) -> None:
        self._sink = _Sink(path) if path else None
        self._fh: IO[bytes] | None = None
        self._writer: Any = None
        self.neutralise = neutralise
        #: Whether each record ends with its cell (``Cases!D17``): the input is a workbook,
        #: whose ``line`` is the spreadsheet row number.
        self.cells = cells
        if self._sink is not None:
            pa = _pyarrow()
            import pyarrow.csv as pcsv  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

            names = (*self.HEADER, "cell") if cells else self.HEADER
            schema = pa.schema(
                [pa.field(n, pa.int64() if n == "line" else pa.string()) for n in names]
            )
            self._fh = self._sink.open("wb")
            # Arrow's writer quotes every text field, so a carriage return inside a value
            # stays in its cell, and writes the line numbers as numbers.
            self._writer = pcsv.CSVWriter(self._fh, schema)

    def write(self, problems: _Problems) -> None:
        """Write the problems, a line each."""
        if self._writer is not None and len(problems):
            self._writer.write(problems.arrow(neutralise=self.neutralise))

    def close(self) -> None:
        if self._fh is not None and self._sink is not None:
            self._writer.close()
            if self._sink.partial is None:
                self._fh.flush()
            else:
                self._fh.close()
            self._sink.commit()

    def discard(self) -> None:
        if self._fh is not None and self._sink is not None and self._sink.partial is not None:
            self._fh.close()
            self._sink.discard()


def _check_columns(source: _Source, checks: Sequence[Check]) -> None:
    """The checks' columns against the header: the rules of ``tables``, in the scan's words."""
    names = source.names
    try:
        _validate(
            names,
            {},
            checks,
            None,
            check_words="--check",
            adder="the scan adds; remove or rename it (is this file already scanned?)",
        )
    except InvalidOptionError as exc:
        hint = ""
        if len(names) == 1 and str(exc).startswith("no column"):
            for sep, word in ((";", "semicolons"), ("\t", "tabs")):
                if sep in names[0]:
                    flag = "';'" if sep == ";" else "tab (a literal tab character)"
                    hint = (
                        f"; the header has one column holding {word}: is the file separated "
                        f"by {word}? Give --delimiter {flag}"
                    )
        raise ScanError(f"{source.name}: {source.header_at}: {exc}{hint}") from None


def _check_setup(opts: ScanOptions) -> None:
    if not opts.checks:
        raise ScanError("give at least one --check TIMESCALE=START_COLUMN[:END_COLUMN]")
    seen: set[str] = set()
    book = rulebook()
    for check in opts.checks:
        if check.timescale not in book.timescales:
            close = difflib.get_close_matches(check.timescale, list(book.timescales), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ScanError(
                f"--check {check}: unknown timescale {check.timescale!r}{hint} "
                "(see: safeguard-time rules)"
            )
        if check.timescale in seen:
            raise ScanError(f"--check {check}: timescale {check.timescale!r} is checked twice")
        seen.add(check.timescale)
        empty = np.zeros(0, dtype="datetime64[D]")
        try:
            bulk.assess(
                check.timescale,
                empty,
                empty if check.end else None,
                as_of=opts.as_of,
                policy=opts.policy,
                convention=opts.convention,
                calendar=opts.calendar,
            )
        except (SafeguardTimeError, ValueError, LookupError, TypeError) as exc:
            raise ScanError(f"--check {check}: {exc}") from None
    if opts.errors == "-" and opts.output == "-":
        raise ScanError("--errors - and --output - cannot both be standard output")
    if _is_parquet(opts.input) and opts.input == "-":  # pragma: no cover - "-" is never Parquet
        raise ScanError("Parquet cannot be read from standard input")


#: What the command line adds to an engine reason, by reason code.
_HINTS = {
    "needs_as_of": ": give --as-of DATE",
}


def _hint(code: str, met_by: Sequence[str], checks: Mapping[str, Check]) -> str:
    """The command line's words after an engine reason (which flag, which column).

    ``met_by`` are the timescales of the checks that met the problem; the first one's
    columns are named.
    """
    hint = _HINTS.get(code, "")
    check = checks[met_by[0]] if met_by else None
    if check is not None and check.end:
        if code == "missing":
            hint += f": {check.start} is blank but {check.end} is filled"
        elif code == "no_rule":
            hint += f"; yet {check.end} is filled (a council policy? see --policy)"
    return hint


def scan(opts: ScanOptions, *, stderr: IO[str] | None = None) -> ScanSummary:
    """Scan ``opts.input`` into ``opts.output``; raises :class:`ScanError` on bad input.

    Output files are written beside their final names and moved into place at the end, so
    a failed scan leaves no half-written file behind.  A row longer than the reader's
    block (a cell of a few megabytes) is read by scanning again with larger blocks, up to
    :data:`MAX_BLOCK`; from standard input, or past that size, it is refused with its size.
    """
    while True:
        try:
            return _scan(opts, stderr)
        except _RowOverBlock as exc:
            if opts.block_size >= MAX_BLOCK:
                raise ScanError(exc.final or f"{exc}: rows that long are not read") from None
            if opts.input == "-":
                raise ScanError(
                    f"{exc}; standard input cannot be read again with larger blocks: scan a "
                    "file instead"
                ) from None
            if "-" in (opts.output, opts.errors):
                raise ScanError(
                    f"{exc}; the scan would start again with larger blocks, but it has already "
                    "written to standard output: write the outputs to files instead"
                ) from None
            opts = attrs.evolve(opts, block_size=min(opts.block_size * 8, MAX_BLOCK))


def _scan(opts: ScanOptions, stderr: IO[str] | None) -> ScanSummary:
    """One pass of :func:`scan` with the options' block size."""
    global STDOUT_CLOSED_EARLY, _FILE_OUTPUTS  # noqa: PLW0603 - the flags of this run
    pa = _pyarrow()
    check_paths({"--output": opts.output, "--errors": opts.errors}, {"the input": opts.input})
    _check_setup(opts)
    _check_output(opts.output)
    _check_output(opts.errors, "--errors")
    STDOUT_CLOSED_EARLY = False
    _FILE_OUTPUTS = any(p not in (None, "-") for p in (opts.output, opts.errors, opts.report))
    cal = opts.calendar if opts.calendar is not None else england_and_wales()
    source = _open_source(opts.input, opts.encoding, opts.block_size, opts.delimiter, opts)
    writer: _Writer | WorkbookWriter | None = None
    errors: _ErrorsReport | WorkbookErrors | None = None
    try:
        _check_columns(source, opts.checks)
        # The added columns are those of tables.assess_table, the one path of every engine:
        # dates, whole numbers and texts, in CSV, Parquet and workbooks alike.
        fields = list(output_schema(source.schema, opts.checks))
        xlsx_out = _is_xlsx(opts.output)
        if opts.errors is not None and _is_xlsx(opts.errors):
            from safeguard_time.io.workbook import WorkbookErrors  # noqa: PLC0415

            errors = WorkbookErrors(opts.errors, neutralise=opts.neutralise, cells=source.has_cells)
        else:
            errors = _ErrorsReport(opts.errors, neutralise=opts.neutralise, cells=source.has_cells)
        if xlsx_out:
            from safeguard_time.io.workbook import WorkbookWriter  # noqa: PLC0415

            writer = WorkbookWriter(
                opts.output,
                pa.schema(fields),
                status_columns=[check.output_names()[2] for check in opts.checks],
                neutralise=opts.neutralise,
                raw=getattr(source, "raw_cells", None),
            )
        else:
            writer = _Writer(
                opts.output, pa.schema(fields), bom=source.bom, neutralise=opts.neutralise
            )
        summary = ScanSummary(
            input=source.name,
            output=_display(opts.output).replace("<stdin>", "<stdout>"),
            errors_path=opts.errors,
            as_of=opts.as_of,
            convention=opts.convention,
            policy=opts.policy.name if opts.policy is not None else "statutory defaults",
            checks=[CheckSummary(check) for check in opts.checks],
            verified_through=cal.verified_through,
            calendar_update=(
                None
                if cal.update is None
                else f"{cal.update.first_year}-{cal.update.last_year} from {cal.update.source}"
            ),
        )
        block = _BlockScanner(opts, source, summary, writer, errors)
        batches = source.batches()
        try:
            with _Progress(opts.progress, source, stderr) as advance:
                groups = _gathered(
                    batches,
                    ASSESS_ROWS,
                    ASSESS_BYTES,
                    advance,
                    ASSESS_FIRST_ROWS,
                    source.share_left,
                )
                for batch, lines in groups:
                    block.scan(batch, lines)
        finally:
            batches.close()  # stops the reading thread at once, even on an error
        summary.blank_lines = source.blank_lines
        writer.close()
        errors.close()
        summary.stdout_closed_early = STDOUT_CLOSED_EARLY
    except BaseException:
        try:
            if writer is not None:
                writer.discard()
            if errors is not None:
                errors.discard()
        finally:
            remove_partials()  # also any opened before its owner existed
        raise
    finally:
        source.close()
    return summary


def _gathered(
    batches: Iterator[tuple[Any, npt.NDArray[np.int64]]],
    rows: int,
    size: int,
    advance: Callable[[], None],
    first: int | None = None,
    share_left: Callable[[], float | None] | None = None,
) -> Iterator[tuple[Any, npt.NDArray[np.int64]]]:
    """The blocks read, gathered into record batches of at least ``rows`` rows or ``size`` bytes.

    A group ends as soon as it has either (the last group: what is left).  With ``first``,
    the first group ends at ``first`` rows and each later one at twice the rows of the one
    before, up to ``rows``.  With ``share_left`` (the share of the input not yet handed
    over, 0 to 1, or None if unknown), a group also ends once it holds as many rows as are
    left, by that share: the last groups halve, so that the writing thread, which writes
    each group after it is assessed, is not left with a whole group to write at the end.
    ``advance`` is called for each block read (the progress line follows the reading).
    """
    pa = _pyarrow()
    held: list[Any] = []
    lines: list[npt.NDArray[np.int64]] = []
    count = 0
    nbytes = 0
    seen = 0  # rows handed over so far
    limit = rows if first is None else min(first, rows)

    def last_ones() -> bool:
        """Whether the group holds as many rows as are left after it (by the share left)."""
        left = share_left() if share_left is not None else None
        return left is not None and left < 1 and count >= seen * left / (1 - left)

    def joined() -> tuple[Any, npt.NDArray[np.int64]]:
        # The blocks are let go as they are joined, before the group is assessed.
        if len(held) == 1:
            group = held.pop(), lines.pop()
        else:
            table = pa.Table.from_batches(held).combine_chunks()
            held.clear()
            columns = [c.chunk(0) for c in table.columns]
            group = (
                pa.RecordBatch.from_arrays(columns, schema=table.schema),
                np.concatenate(lines),
            )
            lines.clear()
        return group

    for batch, at in batches:
        advance()
        if not batch.num_rows:
            continue
        held.append(batch)
        lines.append(at)
        count += batch.num_rows
        seen += batch.num_rows
        nbytes += batch.nbytes
        del batch, at
        if count >= limit or nbytes >= size or last_ones():
            count = nbytes = 0
            limit = min(2 * limit, rows)
            yield joined()
    if held:
        yield joined()


class _BlockScanner:
    """Assesses one block after another and hands them to the writers."""

    def __init__(
        self,
        opts: ScanOptions,
        source: _Source,
        summary: ScanSummary,
        writer: _Writer | WorkbookWriter,
        errors: _ErrorsReport | WorkbookErrors,
    ) -> None:
        self.opts = opts
        self.source = source
        self.summary = summary
        self.writer = writer
        self.errors = errors
        self.checks = {check.timescale: check for check in opts.checks}

    def scan(self, batch: Any, lines: npt.NDArray[np.int64]) -> None:
        """Assess a block with :func:`~safeguard_time.tables.assess_table`; count, list, write."""
        opts, summary = self.opts, self.summary
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ProvisionalCalendarWarning)  # counted instead
                got = assess_table(
                    batch,
                    opts.checks,
                    as_of=opts.as_of,
                    policy=opts.policy,
                    convention=opts.convention,
                    calendar=opts.calendar,
                    date_system=self.source.date_system,
                )
        except NotAColumnError as exc:
            raise ScanError(f"{self.source.name}: {exc}") from None
        n = batch.num_rows
        for check, cs in zip(opts.checks, summary.checks, strict=True):
            res = got.results[check.timescale]
            end = got.dates(check.end) if check.end else np.full(n, NAT).view("datetime64[D]")
            elapsed = np.ma.getdata(res.elapsed)
            cs.add(res.status, elapsed, end.view(np.int64), res.rule, res.rule_ids, res.provisional)
        if len(got.errors):
            self._report(got.errors.as_columns(), lines)
        summary.rows += n
        summary.rows_with_errors += int(np.count_nonzero(got.error_mask))
        self.writer.write(batch, got.table.columns[batch.num_columns :])

    def _report(self, listed: ErrorColumns, lines: npt.NDArray[np.int64]) -> None:
        """Write a block's problems to the errors report (up to the cap), and count them."""
        summary = self.summary
        n = len(listed)
        cap = self.opts.max_errors
        if self.errors.limit is not None:  # a worksheet's rows
            cap = self.errors.limit if cap is None else min(cap, self.errors.limit)
        room = (
            n
            if cap is None
            else min(max(cap - (summary.problems - summary.problems_not_listed), 0), n)
        )
        # The listed problems, and the first one if it is the scan's first.
        problems = self._problems(listed, lines, max(room, 1 if summary.first_error is None else 0))
        self.errors.write(problems.head(room))
        summary.problems_not_listed += n - room
        summary.problems += n
        if summary.first_error is None:
            summary.first_error = ErrorEntry(*problems.head(1).records()[0])
        counts = summary.errors_by_column
        per_reason = np.bincount(listed.reason, minlength=len(listed.reason_column))
        for column, count in zip(listed.reason_column, per_reason.tolist(), strict=True):
            if count:
                counts[column] = counts.get(column, 0) + count

    def _problems(self, listed: ErrorColumns, lines: npt.NDArray[np.int64], k: int) -> _Problems:
        """The first ``k`` problems as the errors report lists them.

        Reasons and their command-line hints are worded once per reason and set of checks.
        """
        reason = listed.reason[:k]
        sets = listed.checks[:k]
        pairs, worded = np.unique(reason * len(listed.check_sets) + sets, return_inverse=True)
        whys = [
            listed.reason_text[r] + _hint(listed.reason_code[r], listed.check_sets[c], self.checks)
            for r, c in (divmod(int(p), len(listed.check_sets)) for p in pairs.tolist())
        ]
        at = lines[listed.rows[:k]]
        cells = None
        if self.errors.cells:  # a workbook: each problem's cell, as Excel names it
            place = self.source.place
            columns = listed.reason_column
            cells = [  # a cell with no name is written as the csv module wrote None: ""
                place(li, columns[r]) or ""
                for li, r in zip(at.tolist(), reason.tolist(), strict=True)
            ]
        return _Problems(
            lines=at,
            column=reason,
            column_texts=listed.reason_column,
            values=[_text(v) for v in listed.values[:k]],
            reason=worded.reshape(-1),
            reason_texts=tuple(whys),
            check=sets,
            check_texts=tuple(" ".join(s) for s in listed.check_sets),
            cells=cells,
        )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


class _Progress:
    """A progress bar on stderr (rich), only when asked for; gives a per-block callback."""

    def __init__(self, enabled: bool, source: _Source, stderr: IO[str] | None) -> None:
        self.enabled = enabled
        self.source = source
        self.stderr = stderr
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return _nothing
        from rich.console import Console  # noqa: PLC0415
        from rich.progress import (  # noqa: PLC0415
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        # The caller chose to show progress (the command line: only on a terminal).
        console = Console(file=self.stderr or sys.stderr, force_terminal=True)
        size = self.source.size
        counter: Any = (
            DownloadColumn() if isinstance(self.source, _CsvSource) else MofNCompleteColumn()
        )
        self._bar = Progress(
            TextColumn("scanning {task.description}"),
            BarColumn(),
            counter,
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(os.path.basename(self.source.name), total=size)
        return self._advance

    def _advance(self) -> None:
        self._bar.update(self._task, completed=self.source.done)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _nothing() -> None:
    return None
