"""Whole tables in, whole tables out: the scan's columns added to a table of any engine.

:func:`assess_table` takes a pyarrow ``Table`` or ``RecordBatch``, a pandas ``DataFrame``
or a polars ``DataFrame`` and a set of checks, and returns the same kind of table with, for
each check, the five columns the caseload scan writes (``safeguard-time scan``):

========================  ===============================================================
column                    what it holds
========================  ===============================================================
``{timescale}_due``       the due date (a date; missing where the start could not be used)
``{timescale}_elapsed``   working days from the start to the end, or to ``as_of`` for an
                          open case (a nullable integer; missing on error and
                          not_applicable rows)
``{timescale}_status``    ``met``, ``missed``, ``open_in_time``, ``open_overdue``,
                          ``not_applicable`` or ``error``
``{timescale}_late``      working days after the due date, 0 when in time (like elapsed)
``{timescale}_rule``      the id of the rule that judged the row (missing where none did)
========================  ===============================================================

A check is the scan's ``TIMESCALE=START_COLUMN[:END_COLUMN]`` (a :class:`Check`); ``checks``
may be one such string, several, or a mapping ``{timescale: start}`` /
``{timescale: (start, end)}``.  Date columns are read as the scan reads them: dates and
timestamps in place (aware timestamps as their London date), text by the library's one date
grammar, numbers as Excel serial numbers (as text would be read).

Rows and their order are kept (and a pandas index); the added columns have nullable types:
Arrow ``date32``, ``int32`` and ``string``; in pandas ``date32[day][pyarrow]``, ``Int32``
and ``string[pyarrow]``; in polars ``Date``, ``Int32`` and ``String``.  No count is ever a
float with NaN.

The result is a :class:`TableAssessment`: the table, the row problems
(:class:`TableErrors`, each a :class:`TableRowError` naming the row, the table's column,
the value, the reason and its code), and each check's :class:`~safeguard_time.bulk.BulkAssessment`.
:func:`output_schema` gives the Arrow schema of the result without computing anything (Spark
needs it before the job runs).

pyarrow is needed (the ``arrow`` extra); pandas and polars are imported
only when such a table is given.  The work is vectorised: Arrow buffers and numpy arrays,
no Python per row.  The problems are listed as columns, each reason that rows share
described once (:meth:`TableErrors.as_columns`); an object per problem is made only when
they are read one by one.

>>> import datetime as dt
>>> import pyarrow as pa
>>> cases = pa.table({"referral": ["2024-03-08", "08/03/2024", "n/a"],
...                   "completed": [dt.date(2024, 5, 15), None, None]})
>>> got = assess_table(cases, "assessment=referral:completed", as_of=dt.date(2024, 6, 3))
>>> got.table.column("assessment_status").to_pylist()
['met', 'open_overdue', 'error']
>>> got.table.column("assessment_late").to_pylist()
[0, 12, None]
>>> got.errors[0]
TableRowError(row=2, column='referral', value='n/a', reason="'n/a' is not a date; leave the cell blank when there is no date", code='not_a_date', checks=('assessment',))
"""

from __future__ import annotations

import difflib
import functools
import itertools
import operator
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import attrs
import numpy as np

from safeguard_time import bulk
from safeguard_time._arrow import from_numpy, strings
from safeguard_time._bulk_input import NAT, DayColumn, to_days
from safeguard_time._engine.codes import MET, OPEN_OVERDUE, REASON, STATUS_LABELS
from safeguard_time.calendar import Convention, WorkingCalendar
from safeguard_time.errors import (
    InvalidOptionError,
    NotAColumnError,
    ProvisionalCalendarWarning,
    UnknownTimescaleError,
    extra_needed,
)
from safeguard_time.rules import Policy, rulebook

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "OUTPUT_SUFFIXES",
    "Check",
    "ChecksLike",
    "ErrorColumns",
    "TableAssessment",
    "TableErrors",
    "TableRowError",
    "assess_table",
    "output_schema",
    "parse_checks",
]

#: The five columns each check adds, as suffixes of the timescale id, in order.
OUTPUT_SUFFIXES = ("due", "elapsed", "status", "late", "rule")

T = TypeVar("T")


@attrs.frozen
class Check:
    """One check: a timescale, the column of its start dates, and that of its end dates.

    Written ``TIMESCALE=START_COLUMN[:END_COLUMN]`` (the scan's ``--check``); without an end
    column every case is open and judged ``as_of``.

    >>> Check.parse("assessment=referral_date:assessment_completed")
    Check(timescale='assessment', start='referral_date', end='assessment_completed')
    >>> Check.parse("referral_decision=referral_date").end is None
    True

    Attributes:
        timescale: the timescale id.
        start: the column of the start dates.
        end: the column of the end dates, or ``None`` (every case open).
    """

    timescale: str
    start: str
    end: str | None = None

    @classmethod
    def parse(cls, text: str) -> Check:
        """Read ``TIMESCALE=START_COL[:END_COL]``; ``ValueError`` says what is wrong.

        >>> str(Check.parse(" assessment = referral : done "))
        'assessment=referral:done'
        >>> Check.parse("assessment")
        Traceback (most recent call last):
        ...
        safeguard_time.errors.InvalidOptionError: expected TIMESCALE=START_COLUMN[:END_COLUMN], got 'assessment' (e.g. assessment=referral_date:assessment_completed)
        """
        timescale, eq, columns = text.partition("=")
        start, _, end = columns.partition(":")
        timescale, start, end = timescale.strip(), start.strip(), end.strip()
        if not eq or not timescale or not start:
            raise InvalidOptionError(
                "check",
                text,
                f"expected TIMESCALE=START_COLUMN[:END_COLUMN], got {text!r} "
                "(e.g. assessment=referral_date:assessment_completed)",
            )
        return cls(timescale, start, end or None)

    def output_names(self) -> tuple[str, ...]:
        """The five columns this check adds: ``<timescale>_due`` and so on.

        >>> Check("assessment", "referral").output_names()[:2]
        ('assessment_due', 'assessment_elapsed')
        """
        return tuple(f"{self.timescale}_{suffix}" for suffix in OUTPUT_SUFFIXES)

    def __str__(self) -> str:
        end = f":{self.end}" if self.end else ""
        return f"{self.timescale}={self.start}{end}"


#: What ``checks`` may be: one check string or :class:`Check`, several, or a mapping of
#: timescale to a start column or a ``(start, end)`` pair.
ChecksLike = (
    str
    | Check
    | Iterable[str | Check]
    | Mapping[str, str | tuple[str, str | None] | Sequence[str | None]]
)


def parse_checks(checks: ChecksLike) -> tuple[Check, ...]:
    """The checks as :class:`Check` values, validated: known timescales, none twice.

    >>> parse_checks({"assessment": ("referral", "done"), "referral_decision": "referral"})
    (Check(timescale='assessment', start='referral', end='done'), Check(timescale='referral_decision', start='referral', end=None))
    >>> parse_checks(["assessment=referral:done"]) == parse_checks("assessment=referral:done")
    True
    >>> parse_checks("asessment=referral")
    Traceback (most recent call last):
    ...
    safeguard_time.errors.UnknownTimescaleError: unknown timescale 'asessment'; did you mean 'assessment'? valid ids are: ...
    """
    items: list[Check] = []
    if isinstance(checks, str | Check):
        checks = [checks]
    if isinstance(checks, Mapping):
        for timescale, columns in checks.items():
            if isinstance(columns, str):
                items.append(Check(str(timescale), columns))
                continue
            cols = tuple(columns)
            if len(cols) not in (1, 2) or not isinstance(cols[0], str) or not cols[0]:
                raise InvalidOptionError(
                    "checks",
                    columns,
                    f"checks[{timescale!r}]: expected a start column or a (start, end) pair of "
                    f"column names, got {columns!r}",
                )
            end = cols[1] if len(cols) == 2 else None
            items.append(Check(str(timescale), cols[0], end or None))
    else:
        for item in checks:
            if isinstance(item, Check):
                items.append(item)
            elif isinstance(item, str):
                items.append(Check.parse(item))
            else:
                raise InvalidOptionError(
                    "checks",
                    item,
                    "a check is TIMESCALE=START_COLUMN[:END_COLUMN] text or a Check, got "
                    f"{type(item).__name__}",
                )
    if not items:
        raise InvalidOptionError(
            "checks", checks, "give at least one check: TIMESCALE=START_COLUMN[:END_COLUMN]"
        )
    known = rulebook().timescales
    seen: set[str] = set()
    for check in items:
        if check.timescale not in known:
            raise UnknownTimescaleError(check.timescale, known)
        if check.timescale in seen:
            raise InvalidOptionError(
                "checks", str(check), f"timescale {check.timescale!r} is checked twice"
            )
        seen.add(check.timescale)
    return tuple(items)


# --- the schema ---------------------------------------------------------------------------


def _pyarrow() -> Any:
    try:
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the arrow extra installs it
        raise ImportError(extra_needed("safeguard_time.tables", "pyarrow", "arrow")) from None
    return pa


def _date_kind(t: Any) -> str | None:
    """How a column of Arrow type ``t`` is read: ``"text"``, ``"number"``, ``"days"``, ``"null"``."""
    pa = _pyarrow()
    from safeguard_time._date_columns import is_text_type  # noqa: PLC0415

    if pa.types.is_dictionary(t):
        t = t.value_type
    if is_text_type(t):
        return "text"
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        return "number"
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        return "days"
    if pa.types.is_null(t):
        return "null"
    return None


def _validate(
    names: Sequence[object],
    types: Mapping[str, Any],
    checks: Sequence[Check],
    error_column: str | None,
    *,
    check_words: str = "the check",
    adder: str = "assess_table adds; remove or rename it (is this table already assessed?)",
) -> None:
    """Refuse checks naming absent, repeated or non-date columns, and added names in use.

    The one statement of these rules, for every table and file: ``check_words`` and
    ``adder`` let the command line speak of ``--check`` and of files already scanned.
    """
    for check in checks:
        for col in (check.start, check.end):
            if col is None:
                continue
            count = names.count(col)
            if count == 0:
                shown = [str(n) for n in names]
                close = difflib.get_close_matches(col, shown, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise InvalidOptionError(
                    "checks",
                    str(check),
                    f"no column {col!r} (in {check_words} {check}){hint}; the columns are: "
                    f"{', '.join(shown)}",
                )
            if count > 1:
                raise InvalidOptionError(
                    "checks",
                    str(check),
                    f"column {col!r} appears {count} times; rename one so {check_words} "
                    f"{check} knows which to read",
                )
            t = types.get(col)
            if t is not None and _date_kind(t) is None:
                raise NotAColumnError(
                    f"column {col!r} holds {t} values, not dates (in the check {check})",
                    value=t,
                )
    added = [name for check in checks for name in check.output_names()]
    if error_column is not None:
        added.append(error_column)
    if len(set(added)) < len(added):
        raise InvalidOptionError(
            "error_column", error_column, f"{error_column!r} is also a column the checks add"
        )
    clash = sorted(set(added) & {n for n in names if isinstance(n, str)})
    if clash:
        raise InvalidOptionError(
            "checks",
            clash[0],
            f"the input already has a column {clash[0]!r}, which {adder}",
        )


def _added_fields(checks: Sequence[Check], error_column: str | None) -> list[Any]:
    pa = _pyarrow()
    fields = []
    for check in checks:
        due, elapsed, status, late, rule = check.output_names()
        fields += [
            pa.field(due, pa.date32()),
            pa.field(elapsed, pa.int32()),
            pa.field(status, pa.string()),
            pa.field(late, pa.int32()),
            pa.field(rule, pa.string()),
        ]
    if error_column is not None:
        fields.append(pa.field(error_column, pa.string()))
    return fields


def output_schema(schema: Any, checks: ChecksLike, *, error_column: str | None = None) -> Any:
    """The Arrow schema of :func:`assess_table`'s result for an input of Arrow ``schema``.

    The input's fields, then five per check (``date32``, ``int32``, ``string``, ``int32``,
    ``string``), then the ``error_column`` (``string``) if one is named.  Raises as
    :func:`assess_table` would for checks that do not fit the schema.  ``schema`` may also
    be anything with an Arrow ``schema`` attribute (a Table, a RecordBatch, a Parquet file).

    >>> import pyarrow as pa
    >>> s = output_schema(pa.schema([("referral", pa.date32())]), "referral_decision=referral")
    >>> print(s)
    referral: date32[day]
    referral_decision_due: date32[day]
    referral_decision_elapsed: int32
    referral_decision_status: string
    referral_decision_late: int32
    referral_decision_rule: string
    >>> output_schema(s, "referral_decision=referral")
    Traceback (most recent call last):
    ...
    safeguard_time.errors.InvalidOptionError: the input already has a column 'referral_decision_due', which assess_table adds; remove or rename it (is this table already assessed?)
    """
    pa = _pyarrow()
    if not isinstance(schema, pa.Schema):
        schema = getattr(schema, "schema", schema)
        if not isinstance(schema, pa.Schema):
            raise NotAColumnError(
                f"expected an Arrow schema (or a table with one), got {type(schema).__name__}",
                value=schema,
            )
    parsed = parse_checks(checks)
    _validate(list(schema.names), {f.name: f.type for f in schema}, parsed, error_column)
    return pa.schema([*schema, *_added_fields(parsed, error_column)], metadata=schema.metadata)


# --- results ------------------------------------------------------------------------------


@attrs.frozen
class TableRowError:
    """A problem of one row of a table: where, what value, why, and for which checks.

    Attributes:
        row: the row's position in the table (0-based; not a pandas index label).
        column: the table's column the problem is in.
        value: the cell as the table holds it (text, a date, a number, ``None``).
        reason: what went wrong, in words: ``str()`` of the error the one-case API raises.
        code: the reason code (see :data:`safeguard_time.errors.REASON_CODES`).
        checks: the timescales of the checks that met the problem (a cell that is not a
            date is one problem, however many checks read it).
    """

    row: int
    column: str
    value: object
    reason: str
    code: str
    checks: tuple[str, ...]


@attrs.frozen(eq=False)
class ErrorColumns:
    """The problems of a table as columns: one entry per problem, in :class:`TableErrors`' order.

    A reason shared by many rows (a thousand blank starts) is described once: each problem
    holds the number of its reason, and the reason's column, words and code are listed
    once each.  The checks that met a problem are numbered the same way.  Problem ``j`` is
    the :class:`TableRowError` ``(rows[j], reason_column[r], values[j], reason_text[r],
    reason_code[r], check_sets[checks[j]])``, where ``r = reason[j]``.

    Attributes:
        rows: the row of each problem (0-based), ascending.
        reason: the number of each problem's reason (into the three ``reason_`` lists).
        values: each problem's cell, as the table holds it.
        reason_column: per reason, the table's column it is in.
        reason_text: per reason, what went wrong, in words.
        reason_code: per reason, its code (see :data:`safeguard_time.errors.REASON_CODES`).
        checks: the number of each problem's set of checks (into ``check_sets``).
        check_sets: the sets of checks, each as the timescales in the checks' order.

    >>> import pyarrow as pa
    >>> t = pa.table({"r": ["", "soon", ""], "c": ["2024-03-01", "", "2024-03-04"]})
    >>> listed = assess_table(t, "assessment=r:c", as_of="2024-03-31").errors.as_columns()
    >>> listed.rows.tolist(), listed.reason.tolist(), listed.reason_code
    ([0, 1, 2], [1, 0, 1], ('not_a_date', 'missing'))
    >>> listed.reason_text[1], listed.check_sets[listed.checks[0]]
    ('missing start', ('assessment',))
    """

    rows: npt.NDArray[np.int64]
    reason: npt.NDArray[np.int64]
    values: Sequence[object]
    reason_column: tuple[str, ...]
    reason_text: tuple[str, ...]
    reason_code: tuple[str, ...]
    checks: npt.NDArray[np.int64]
    check_sets: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return len(self.rows)

    def record(self, j: int) -> TableRowError:
        """Problem ``j`` as a :class:`TableRowError`.

        >>> import pyarrow as pa
        >>> t = pa.table({"r": ["2024-03-08", ""], "c": ["", "2024-03-04"]})
        >>> assess_table(t, "assessment=r:c", as_of="2024-03-31").errors.as_columns().record(0)
        TableRowError(row=1, column='r', value='', reason='missing start', code='missing', checks=('assessment',))
        """
        r = int(self.reason[j])
        return TableRowError(
            int(self.rows[j]),
            self.reason_column[r],
            self.values[j],
            self.reason_text[r],
            self.reason_code[r],
            self.check_sets[int(self.checks[j])],
        )


def _error_columns(
    rows: npt.NDArray[np.int64],
    reason: npt.NDArray[np.int64],
    values: Sequence[object],
    described: Sequence[tuple[str, str, str]],
    checks: npt.NDArray[np.int64],
    check_sets: Sequence[tuple[str, ...]],
) -> ErrorColumns:
    """The columns from ``(column, reason, code)`` triples; the arrays become read-only."""
    for arr in (rows, reason, checks):
        arr.setflags(write=False)
    return ErrorColumns(
        rows,
        reason,
        tuple(values),
        tuple(c for c, _, _ in described),
        tuple(r for _, r, _ in described),
        tuple(code for _, _, code in described),
        checks,
        tuple(check_sets),
    )


class TableErrors(Sequence[TableRowError]):
    """The problems of a table's rows, in row order (then column order), read-only.

    They are worked out when first read, so a caller that only wants the columns (Dask,
    Spark) pays nothing for them.  :meth:`as_columns` gives them as columns, for a caller
    that lists many (the caseload scan): no object per problem.

    >>> import pyarrow as pa
    >>> t = pa.table({"r": ["2024-03-08", "soon"]})
    >>> errors = assess_table(t, "referral_decision=r", as_of="2024-03-31").errors
    >>> len(errors), errors.rows.tolist(), errors[0].code
    (1, [1], 'not_a_date')
    """

    __slots__ = ("_build", "_columns", "_items")

    def __init__(self, build: Callable[[], ErrorColumns]) -> None:
        self._build: Callable[[], ErrorColumns] | None = build
        self._columns: ErrorColumns | None = None
        self._items: list[TableRowError] | None = None

    def as_columns(self) -> ErrorColumns:
        """The problems as columns (see :class:`ErrorColumns`), worked out once.

        >>> import pyarrow as pa
        >>> t = pa.table({"r": ["", "2024-02-30", ""], "c": ["2024-03-01", "", "2024-03-04"]})
        >>> listed = assess_table(t, "assessment=r:c", as_of="2024-03-31").errors.as_columns()
        >>> [listed.reason_text[r] for r in listed.reason.tolist()]
        ['missing start', "'2024-02-30' is not a date: February 2024 has 29 days, not 30", 'missing start']
        """
        if self._columns is None:
            assert self._build is not None
            self._columns = self._build()
            self._build = None
        return self._columns

    def _all(self) -> list[TableRowError]:
        if self._items is None:
            listed = self.as_columns()
            self._items = [listed.record(j) for j in range(len(listed))]
        return self._items

    @property
    def rows(self) -> npt.NDArray[np.int64]:
        """The row of each problem, in order (a row with two problems appears twice).

        >>> import pyarrow as pa
        >>> t = pa.table({"r": ["x", "2024-03-08", "y"]})
        >>> assess_table(t, "referral_decision=r", as_of="2024-03-31").errors.rows
        array([0, 2])
        """
        return self.as_columns().rows

    def __len__(self) -> int:
        return len(self.as_columns())

    @overload
    def __getitem__(self, i: int) -> TableRowError: ...
    @overload
    def __getitem__(self, i: slice) -> list[TableRowError]: ...
    def __getitem__(self, i: int | slice) -> TableRowError | list[TableRowError]:
        return self._all()[i]

    def __iter__(self) -> Iterator[TableRowError]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return self._all() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        items = self._all()
        shown = ", ".join(repr(e) for e in items[:3])
        more = f", ... ({len(items)} in all)" if len(items) > 3 else ""
        return f"TableErrors([{shown}{more}])"


@attrs.frozen(eq=False)
class TableAssessment(Generic[T]):
    """What :func:`assess_table` returns: the table with its new columns, and the problems.

    Attributes:
        table: the input's rows, in order, with five columns per check added; the same kind
            of table as the input.
        errors: the problems of the rows (see :class:`TableErrors`).
        error_mask: per row, whether it has at least one problem (any check).
        results: per timescale, the check's :class:`~safeguard_time.bulk.BulkAssessment`
            (status codes, provisional flags, rule codes: what the added columns show).
        checks: the checks, as :class:`Check` values.

    >>> import pyarrow as pa
    >>> got = assess_table(pa.table({"r": ["2024-03-08", ""]}), "referral_decision=r",
    ...                    as_of="2024-03-31")
    >>> got.error_mask.tolist(), got.results["referral_decision"].counts()["not_applicable"]
    ([False, False], 1)
    """

    table: T
    errors: TableErrors
    error_mask: npt.NDArray[np.bool]
    results: Mapping[str, bulk.BulkAssessment]
    checks: tuple[Check, ...]
    _dates: Mapping[str, DayColumn] = attrs.field(alias="dates", repr=False)

    def dates(self, column: str) -> npt.NDArray[np.datetime64]:
        """A date column named by a check, as read: ``datetime64[D]``, ``NaT`` where none.

        >>> import pyarrow as pa
        >>> got = assess_table(pa.table({"r": ["08/03/2024", "n/a"]}), "referral_decision=r",
        ...                    as_of="2024-03-31")
        >>> got.dates("r")
        array(['2024-03-08',        'NaT'], dtype='datetime64[D]')
        """
        col = self._dates[column]
        return np.asarray(col.chunk(0, len(col)), dtype=np.int64).view("datetime64[D]")


# --- reading the date columns -----------------------------------------------------------


def _kind_of(table: object) -> str:
    """``"arrow"``, ``"pandas"`` or ``"polars"`` (subclasses too); no library is imported."""
    pa, pd, pl = (sys.modules.get(m) for m in ("pyarrow", "pandas", "polars"))
    if pa is not None and isinstance(table, pa.Table | pa.RecordBatch):
        return "arrow"
    if pd is not None and isinstance(table, pd.DataFrame):
        return "pandas"
    if pl is not None and isinstance(table, pl.DataFrame):
        return "polars"
    raise NotAColumnError(
        "expected a table: a pyarrow Table or RecordBatch, a pandas DataFrame or a polars "
        f"DataFrame, got {type(table).__name__}",
        value=type(table),
    )


def _arrow_of(kind: str, table: Any, name: str) -> Any:
    """Column ``name`` as an Arrow array, or ``None`` if it cannot be one (mixed objects)."""
    pa = _pyarrow()
    if kind == "arrow":
        return table.column(name)
    try:
        if kind == "pandas":
            return pa.Array.from_pandas(table[name])
        return table.get_column(name).to_arrow()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None


def _read(
    kind: str,
    table: Any,
    names: Sequence[str],
    arrow: Mapping[str, Any],
    date_system: int = 1900,
) -> dict[str, DayColumn]:
    """The date columns ``names`` read as days (``arrow``: those that are Arrow columns)."""
    pa = _pyarrow()
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    from safeguard_time._date_columns import parse_columns  # noqa: PLC0415

    days: dict[str, DayColumn] = {}
    texts: dict[str, Any] = {}
    for name in names:
        col = arrow.get(name)
        if col is None:  # objects of several kinds: read one by one (text by the grammar)
            source = table[name] if kind == "pandas" else table.get_column(name)
            days[name] = to_days(source, name)
            continue
        t = col.type
        if pa.types.is_dictionary(t):
            col = col.cast(t.value_type)
        what = _date_kind(col.type)
        if what == "text":
            texts[name] = col
        elif what == "number":
            texts[name] = pc.cast(col, pa.string())
        elif what == "null":
            days[name] = DayColumn(np.full(len(col), NAT, dtype=np.int64))
        elif what == "days":
            days[name] = to_days(col, name)
        else:  # pragma: no cover - refused by _validate
            raise NotAColumnError(f"column {name!r} holds {t} values, not dates", value=t)
    read = parse_columns(list(texts.values()), date_system=date_system)
    for name, parsed in zip(texts, read, strict=True):
        bad: dict[int, object] = {}
        reasons: dict[int, str] = {}
        if len(parsed.bad):
            rows = parsed.bad.tolist()
            values = arrow[name].take(from_numpy(parsed.bad)).to_pylist()
            bad = dict(zip(rows, values, strict=True))
            reasons = dict(zip(rows, parsed.reasons, strict=True))
        days[name] = DayColumn(parsed.days.view("datetime64[D]"), bad=bad, reasons=reasons)
    return {name: days[name] for name in names}


# --- the added columns --------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _text_array(texts: tuple[str, ...]) -> Any:
    return strings(texts)


def _strings(texts: tuple[str, ...], codes: npt.NDArray[Any], valid: npt.NDArray[np.bool_]) -> Any:
    """``texts[code]`` per row as an Arrow string column (Arrow's take), null where not valid."""
    table = _text_array(texts)
    if valid.all():
        index = from_numpy(codes.astype(np.int32, copy=False))
    else:
        index = from_numpy(np.where(valid, codes, 0).astype(np.int32), mask=~valid)
    return table.take(index)


def _columns(res: bulk.BulkAssessment) -> list[Any]:
    """The five Arrow columns of one check: due, elapsed, status, late, rule."""
    pa = _pyarrow()
    due = res.due.view(np.int64)
    missing = due == NAT
    status = res.status
    judged = (status >= MET) & (status <= OPEN_OVERDUE)
    labels = np.where(status < 0, len(STATUS_LABELS) - 1, status)
    return [
        from_numpy(np.where(missing, 0, due).astype(np.int32), pa.date32(), mask=missing),
        from_numpy(np.ma.getdata(res.elapsed), pa.int32(), mask=~judged),
        _strings(STATUS_LABELS, labels, np.ones(len(status), np.bool_)),
        from_numpy(np.ma.getdata(res.late), pa.int32(), mask=~judged),
        _strings(res.rule_ids, res.rule, res.rule >= 0),
    ]


_NOT_A_DATE_CODES = np.array(
    [code for code, (text, _) in REASON.items() if text == "not_a_date"], dtype=np.int8
)


def _listing(
    names: Sequence[object],
    checks: Sequence[Check],
    days: Mapping[str, DayColumn],
    arrow: Mapping[str, Any],
    results: Sequence[bulk.BulkAssessment],
) -> ErrorColumns:
    """Every problem of the table, once per cell and reason, in row then column order.

    Cells that are not dates come from the reading, once each (whichever checks read
    them); every other problem from the checks' error rows, each shared reason described
    once.  A problem met by several checks is one, naming them all.
    """
    # The distinct reasons, numbered as first met: (column, reason, code).
    numbered: dict[tuple[str, str, str], int] = {}

    def number(column: str, reason: str, code: str) -> int:
        return numbered.setdefault((column, reason, code), len(numbered))

    k = len(checks)
    rows_parts: list[npt.NDArray[np.int64]] = []
    reason_parts: list[npt.NDArray[np.int64]] = []
    member_parts: list[npt.NDArray[np.bool_]] = []
    for col, day_col in days.items():  # the reading's problems: the column's checks
        bad_rows, texts, codes = day_col.problems()
        if not bad_rows:
            continue
        users = np.array([col in (ch.start, ch.end) for ch in checks], dtype=np.bool_)
        rows_parts.append(np.array(bad_rows, dtype=np.int64))
        reason_parts.append(
            np.array([number(col, t, c) for t, c in zip(texts, codes, strict=True)])
        )
        member_parts.append(np.broadcast_to(users, (len(bad_rows), k)))
    for i, (check, res) in enumerate(zip(checks, results, strict=True)):
        # Cells that are not dates are reported by the reading, once: not described here.
        errors = res.errors.where(~np.isin(res.errors.codes, _NOT_A_DATE_CODES))
        if not len(errors):
            continue
        group, firsts = errors.grouped()
        end_col = check.end or check.start
        ids = [
            number(
                check.start if e.column == "start" or e.code == "as_of_before_start" else end_col,
                e.reason,
                e.code,
            )
            for e in firsts
        ]
        rows_parts.append(errors.rows.astype(np.int64, copy=False))
        reason_parts.append(np.array(ids, dtype=np.int64)[group])
        member = np.zeros((len(errors), k), dtype=np.bool_)
        member[:, i] = True
        member_parts.append(member)
    described = list(numbered)
    if not rows_parts:
        none = np.zeros(0, np.int64)
        return _error_columns(none, none.copy(), [], described, none.copy(), [])
    rows = np.concatenate(rows_parts)
    reason = np.concatenate(reason_parts)
    member = np.concatenate(member_parts)
    # One problem per row and reason; in row, then column order, then as first met.
    key = rows * len(described) + reason
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    met_by = np.zeros((len(first), k), dtype=np.bool_)
    for i in range(k):
        met_by[inverse[member[:, i]], i] = True
    rows, reason = rows[first], reason[first]
    order = {name: j for j, name in enumerate(names)}
    position = np.array([order[c] for c, _, _ in described], dtype=np.int64)[reason]
    sort = np.lexsort((first, position, rows))
    rows, reason, met_by, position = rows[sort], reason[sort], met_by[sort], position[sort]
    sets, which = np.unique(met_by, axis=0, return_inverse=True)
    check_sets = [tuple(ch.timescale for ch, m in zip(checks, s, strict=True) if m) for s in sets]
    values: list[object] = [None] * len(rows)
    for col in {described[r][0] for r in np.unique(reason).tolist()}:
        at = np.flatnonzero(position == order[col])
        where = rows[at]
        if col in arrow:
            taken = _cell_values(arrow[col].take(from_numpy(where)))
        else:
            taken = [days[col].value(r) for r in where.tolist()]
        for j, value in zip(at.tolist(), taken, strict=True):
            values[j] = value
    return _error_columns(
        rows, reason, values, described, which.reshape(-1).astype(np.int64), check_sets
    )


def _cell_values(col: Any) -> list[object]:
    """The cells of an Arrow column as Python values, for the problems that quote them.

    A date or timestamp outside Python's years 1-9999 (nanoseconds stored as microseconds,
    say) has no Python value; it is given as its stored number with its type, in words.
    """
    try:
        return list(col.to_pylist())
    except (OverflowError, ValueError):
        pa = _pyarrow()
        raw = col.view(pa.int32() if col.type.bit_width == 32 else pa.int64()).to_pylist()
        out: list[object] = []
        for scalar, number in zip(col, raw, strict=True):
            try:
                out.append(scalar.as_py())
            except (OverflowError, ValueError):
                out.append(f"{number} (stored {col.type}: outside the years 1-9999)")
        return out


def _reasons_column(errors: TableErrors, n: int) -> Any:
    """Each row's problems as ``"column: reason; ..."`` (null where none), for engines."""
    listed = errors.as_columns()
    texts = [f"{c}: {r}" for c, r in zip(listed.reason_column, listed.reason_text, strict=True)]
    cells: list[str | None] = [None] * n
    pairs = zip(listed.rows.tolist(), listed.reason.tolist(), strict=True)
    for row, run in itertools.groupby(pairs, key=operator.itemgetter(0)):  # in row order
        cells[row] = "; ".join(texts[r] for _, r in run)
    return strings(cells)


# --- putting the table back together ------------------------------------------------------


def _rebuild(kind: str, table: Any, fields: Sequence[Any], columns: Sequence[Any]) -> Any:
    pa = _pyarrow()
    if kind == "arrow":
        schema = pa.schema([*table.schema, *fields], metadata=table.schema.metadata)
        if isinstance(table, pa.RecordBatch):
            return pa.RecordBatch.from_arrays([*table.columns, *columns], schema=schema)
        chunked = [pa.chunked_array([c], type=c.type) for c in columns]
        return pa.Table.from_arrays([*table.columns, *chunked], schema=schema)
    added = pa.Table.from_arrays(list(columns), schema=pa.schema(fields))
    if kind == "polars":
        import polars as pl  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

        new: Any = pl.from_arrow(added)
        return table.hstack(new.get_columns())
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    types = {
        pa.date32(): pd.ArrowDtype(pa.date32()),
        pa.int32(): pd.Int32Dtype(),
        pa.string(): pd.StringDtype("pyarrow"),
    }
    frame = added.to_pandas(types_mapper=types.get)
    frame.index = table.index
    return pd.concat([table, frame], axis=1)


def assess_table(
    table: T,
    checks: ChecksLike,
    *,
    as_of: Any = None,
    policy: Policy | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    calendar: WorkingCalendar | None = None,
    error_column: str | None = None,
    date_system: int = 1900,
) -> TableAssessment[T]:
    """Assess every check over a whole table: the table back, with the scan's columns added.

    ``table`` is a pyarrow ``Table`` or ``RecordBatch``, a pandas ``DataFrame`` or a polars
    ``DataFrame``; the result's ``table`` is the same kind, its rows in order (and a pandas
    index kept), with five columns per check (see the module docstring).  ``checks`` is one
    ``TIMESCALE=START_COLUMN[:END_COLUMN]`` string, several, :class:`Check` values, or a
    mapping ``{timescale: start}`` / ``{timescale: (start, end)}``.  ``as_of`` (a date)
    judges the open cases, as in :func:`safeguard_time.bulk.assess`; so do ``policy``,
    ``convention`` and ``calendar``.  Numbers in a date column are Excel serial numbers in
    ``date_system`` (1900, or 1904 for a workbook made with that setting).

    Every row comes back.  A row that cannot be judged is ``error`` in the check's status
    column and is listed in ``errors`` with the table's column, the cell's value and the
    reason; a cell that is not a date is one problem however many checks read it.  With
    ``error_column`` named, the reasons are also written into that column, row by row
    (``"column: reason; ..."``), for engines that keep no list beside the table.

    Only caller errors raise, before any work: an unknown timescale
    (:class:`~safeguard_time.errors.UnknownTimescaleError`), a check naming a column that is
    absent or repeated, or a name the result would add already in the table
    (:class:`~safeguard_time.errors.InvalidOptionError`), a column that cannot hold dates
    (:class:`~safeguard_time.errors.NotAColumnError`), a bad ``as_of``, policy or
    convention.  At most one :class:`~safeguard_time.errors.ProvisionalCalendarWarning` is
    emitted per call.

    Args:
        table: a pyarrow ``Table`` or ``RecordBatch``, or a pandas or polars ``DataFrame``.
        checks: ``TIMESCALE=START_COLUMN[:END_COLUMN]`` text, several, :class:`Check` values,
            or a mapping ``{timescale: start}`` / ``{timescale: (start, end)}``.
        as_of: the day open cases are judged on.
        policy: the council's switch dates.
        convention: how day 0 is counted.
        calendar: the working-day calendar (default: England & Wales).
        error_column: a column to write each row's reasons into, or ``None``.
        date_system: 1900 or 1904, for Excel serial numbers in date columns.

    Returns:
        The table with the columns added, and the row problems.

    >>> import datetime as dt
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"referral": pd.to_datetime(["2024-03-08", "2024-03-08", None]),
    ...                       "completed": ["15/05/2024", "", "2024-05-01"]},
    ...                      index=[10, 20, 30])
    >>> got = assess_table(frame, {"assessment": ("referral", "completed")},
    ...                    as_of=dt.date(2024, 6, 3))
    >>> got.table[["assessment_due", "assessment_elapsed", "assessment_status"]]
       assessment_due  assessment_elapsed assessment_status
    10     2024-05-15                  45               met
    20     2024-05-15                  57      open_overdue
    30           <NA>                <NA>             error
    >>> got.table["assessment_elapsed"].dtype, [(e.row, e.column, e.code) for e in got.errors]
    (Int32Dtype(), [(2, 'referral', 'missing')])
    >>> import polars as pl
    >>> assess_table(pl.from_pandas(frame), "assessment=referral:completed",
    ...              as_of="2024-06-03").table["assessment_late"].to_list()
    [0, 12, None]
    """
    kind = _kind_of(table)
    parsed = parse_checks(checks)
    t: Any = table
    names: list[object] = list(t.schema.names) if kind == "arrow" else list(t.columns)
    date_names = list(dict.fromkeys(c for ch in parsed for c in (ch.start, ch.end) if c))
    _validate(names, {}, parsed, error_column)
    arrow = {name: a for name in date_names if (a := _arrow_of(kind, t, name)) is not None}
    _validate(names, {name: a.type for name, a in arrow.items()}, parsed, error_column)
    days = _read(kind, t, date_names, arrow, date_system)
    n = len(t) if kind != "arrow" else t.num_rows
    results: list[bulk.BulkAssessment] = []
    columns: list[Any] = []
    provisional: list[warnings.WarningMessage] = []
    for check in parsed:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ProvisionalCalendarWarning)
            res = bulk.assess(
                check.timescale,
                days[check.start],
                days[check.end] if check.end else None,
                as_of=as_of,
                policy=policy,
                convention=convention,
                calendar=calendar,
            )
        for w in caught:
            if issubclass(w.category, ProvisionalCalendarWarning):
                provisional.append(w)
            else:  # pragma: no cover - no other warning is expected from the engine here
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        results.append(res)
        columns += _columns(res)
    if provisional:
        warnings.warn(str(provisional[0].message), ProvisionalCalendarWarning, stacklevel=2)
    error_mask = np.zeros(n, dtype=np.bool_)
    for col in days.values():
        if col.bad:
            error_mask[col.bad_rows] = True
    for res in results:
        error_mask |= res.status < 0
    errors = TableErrors(lambda: _listing(names, parsed, days, arrow, results))
    if error_column is not None:
        columns.append(_reasons_column(errors, n))
    out = _rebuild(kind, t, _added_fields(parsed, error_column), columns)
    return TableAssessment(
        table=out,
        errors=errors,
        error_mask=error_mask,
        results={ch.timescale: r for ch, r in zip(parsed, results, strict=True)},
        checks=parsed,
        dates=days,
    )
