"""The verified calendar as a table, for SQL, BI tools and spreadsheets.

One row per calendar day, with the columns:

- ``date``: the day.
- ``weekday``: ISO 8601 day number, 1 = Monday ... 7 = Sunday.
- ``is_working_day``: not a weekend, a bank holiday or a closure.
- ``working_day_number``: the running count of working days from the calendar's first day
  (1990-01-01) up to and including this day; only differences between two days matter.
- ``holiday_name``: the bank holiday taken off that day, else empty (``None``, NULL).
- ``closure_label``: the label of a local closure on that day, else empty.
- ``provisional``: the day lies after the verified horizon, where bank holidays are
  projections.

"N working days after X" under the library's default convention (X is day 0, Excel's
``WORKDAY``) is then one join: the working day whose number is X's number plus N, for N >= 1.
Working days elapsed from X to Y are ``number(Y) - number(X)``.  The queries are in
:data:`QUERIES` and in ``docs/outside-python.md``.

>>> import datetime as dt
>>> t = calendar_table(dt.date(2022, 9, 16), dt.date(2022, 9, 20))
>>> [str(d) for d in t["date"]], t["working_day_number"].tolist()
(['2022-09-16', '2022-09-17', '2022-09-18', '2022-09-19', '2022-09-20'], [8268, 8268, 8268, 8268, 8269])
>>> t["holiday_name"][3]
'State Funeral of Queen Elizabeth II'

Days after the verified horizon are flagged in the ``provisional`` column; the export emits one
:class:`~safeguard_time.errors.ProvisionalCalendarWarning` per call when there are any, not
one per row.  Heavy dependencies (pandas, polars, pyarrow, openpyxl) are imported only by the
functions that need them.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import re
import sys
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal, TypeAlias, overload

import attrs
import numpy as np

from safeguard_time._dates import london_date
from safeguard_time.calendar import WorkingCalendar, england_and_wales
from safeguard_time.errors import (
    CalendarRangeError,
    EventOrderError,
    InvalidOptionError,
    MissingDateError,
    NotADateError,
    ProvisionalCalendarWarning,
    extra_needed,
)

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import polars as pl  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "COLUMNS",
    "FORMATS",
    "QUERIES",
    "Dialect",
    "calendar_table",
    "export_calendar",
    "export_metadata",
    "format_of",
    "read_closures",
    "write_csv",
    "write_parquet",
    "write_sql",
    "write_xlsx",
]

Dialect: TypeAlias = Literal["tsql", "postgres", "sqlite", "duckdb"]
TableKind: TypeAlias = Literal["numpy", "pandas", "polars", "arrow"]
Closures: TypeAlias = "Mapping[Any, str] | None"

COLUMNS: Final = (
    "date",
    "weekday",
    "is_working_day",
    "working_day_number",
    "holiday_name",
    "closure_label",
    "provisional",
)
"""The columns of the exported table, in order."""

DIALECTS: Final[tuple[Dialect, ...]] = ("tsql", "postgres", "sqlite", "duckdb")
DEFAULT_TABLE: Final = "working_calendar"
_MAX_LABEL: Final = 255  # nvarchar(255) in T-SQL

_DESCRIPTIONS: Final = {
    "date": "the day",
    "weekday": "ISO 8601 day number: 1 = Monday ... 7 = Sunday",
    "is_working_day": "not a weekend, a bank holiday or a local closure",
    "working_day_number": (
        "running count of working days from 1990-01-01 up to and including the day; "
        "N working days after X is the working day whose number is X's plus N"
    ),
    "holiday_name": "the England & Wales bank holiday taken off that day, if any",
    "closure_label": "the label of a local closure on that day, if any",
    "provisional": "after the verified horizon: bank holidays there are projections",
}


# --- the documented queries ------------------------------------------------------------------

_DUE = """\
SELECT c.case_id, due.date AS due_date
FROM cases AS c
JOIN working_calendar AS x ON x.date = c.start_date
JOIN working_calendar AS due
  ON due.working_day_number = x.working_day_number + c.n
  AND due.is_working_day{true};"""

_ELAPSED = """\
SELECT c.case_id, y.working_day_number - x.working_day_number AS elapsed
FROM cases AS c
JOIN working_calendar AS x ON x.date = c.start_date
JOIN working_calendar AS y ON y.date = c.end_date;"""

_DUE_NEXT = """\
SELECT c.case_id, due.date AS due_date
FROM cases AS c
JOIN working_calendar AS x ON x.date = c.start_date
JOIN working_calendar AS due
  ON due.working_day_number = x.working_day_number + c.n
     + CASE WHEN x.is_working_day{true} THEN 0 ELSE 1 END
  AND due.is_working_day{true};"""

_ELAPSED_NEXT = """\
SELECT c.case_id,
       y.working_day_number - x.working_day_number
       - CASE WHEN x.is_working_day{true} THEN 0 ELSE 1 END AS elapsed
FROM cases AS c
JOIN working_calendar AS x ON x.date = c.start_date
JOIN working_calendar AS y ON y.date = c.end_date;"""


def _queries(true: str) -> dict[str, str]:
    return {
        "due_date": _DUE.format(true=true),
        "elapsed": _ELAPSED,
        "due_date_next_working_day_zero": _DUE_NEXT.format(true=true),
        "elapsed_next_working_day_zero": _ELAPSED_NEXT.format(true=true),
    }


QUERIES: Final[Mapping[Dialect, Mapping[str, str]]] = {
    # T-SQL has no boolean type: is_working_day is a bit, compared with 1.
    "tsql": _queries(" = 1"),
    "postgres": _queries(""),
    "sqlite": _queries(" = 1"),
    "duckdb": _queries(""),
}
"""The documented joins, by dialect and name, over ``cases(case_id, start_date, end_date, n)``.

- ``due_date``: the date ``n`` working days after ``start_date`` (``n >= 1``), with the
  start as day 0 whatever day it is: :meth:`~safeguard_time.WorkingCalendar.add_working_days`.
- ``elapsed``: working days d with ``start_date < d <= end_date`` (negative when reversed):
  :meth:`~safeguard_time.WorkingCalendar.working_days_between`.
- ``due_date_next_working_day_zero``, ``elapsed_next_working_day_zero``: the same under
  ``Convention.NEXT_WORKING_DAY_ZERO`` (an event on a non-working day counts from the next
  working day, which is day 0; ``n >= 0``).

The tests run every one of them in SQLite and DuckDB against the exported table.

>>> print(QUERIES["duckdb"]["elapsed"])
SELECT c.case_id, y.working_day_number - x.working_day_number AS elapsed
FROM cases AS c
JOIN working_calendar AS x ON x.date = c.start_date
JOIN working_calendar AS y ON y.date = c.end_date;
"""

LOAD_PARQUET_DUCKDB: Final = "CREATE OR REPLACE TABLE working_calendar AS FROM 'calendar.parquet';"
"""The DuckDB statement that loads an exported ``calendar.parquet`` as the table."""


# --- building the table ----------------------------------------------------------------------


@attrs.frozen
class _Export:
    """A calendar table ready to write: the columns and what to say about them."""

    calendar: WorkingCalendar
    start: _dt.date
    end: _dt.date
    columns: dict[str, npt.NDArray[Any]]

    @property
    def n_rows(self) -> int:
        return len(self.columns["date"])

    @property
    def n_provisional(self) -> int:
        return int(np.count_nonzero(self.columns["provisional"]))

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Rows of Python values: date, int, bool, int, str | None, str | None, bool."""
        lists = [self.columns[name].tolist() for name in COLUMNS]
        return zip(*lists, strict=True)

    def nonworking_weekdays(self) -> list[tuple[_dt.date, str, str, bool]]:
        """(date, name, kind, provisional) of the non-working weekdays in the range."""
        cols = self.columns
        mask = (cols["weekday"] <= 5) & ~cols["is_working_day"]
        out = []
        for i in np.flatnonzero(mask).tolist():
            name = cols["holiday_name"][i]
            kind = "bank_holiday" if name is not None else "closure"
            out.append(
                (
                    cols["date"][i].item(),
                    name if name is not None else cols["closure_label"][i],
                    kind,
                    bool(cols["provisional"][i]),
                )
            )
        return out


def _with_closures(calendar: WorkingCalendar, closures: Closures) -> WorkingCalendar:
    if not closures:
        return calendar
    by_label: dict[str, list[_dt.date]] = {}
    for day, label in closures.items():
        if not isinstance(label, str) or not label.strip():
            raise InvalidOptionError(
                "closures", label, f"closure {day!r} needs a non-empty label, got {label!r}"
            )
        if len(label) > _MAX_LABEL:
            raise InvalidOptionError(
                "closures",
                label,
                f"closure label longer than {_MAX_LABEL} characters: {label[:40]!r}...",
            )
        by_label.setdefault(label.strip(), []).append(london_date(day))
    for label, days in by_label.items():
        calendar = calendar.with_closures(days, label=label)
    return calendar


def _prepare(start: Any, end: Any, calendar: WorkingCalendar | None, closures: Closures) -> _Export:
    cal = _with_closures(calendar if calendar is not None else england_and_wales(), closures)
    a_day, b_day = london_date(start), london_date(end)
    for day, what in ((a_day, "start"), (b_day, "end")):
        if not cal.first <= day <= cal.last:
            raise CalendarRangeError(day, cal.first, cal.last, what=what)
    if b_day < a_day:
        raise EventOrderError(
            f"end {b_day.isoformat()} is before start {a_day.isoformat()}", value=b_day
        )
    if b_day > cal.verified_until:
        cal = cal.complete()  # the projected years read in (from the installed holidays)
    a = (a_day - cal.first).days
    b = (b_day - cal.first).days + 1
    working, cum, _ = cal.table_arrays()
    offsets = np.arange(a, b, dtype=np.int64)
    first_ord = cal.first.toordinal()
    n = b - a
    holiday_name = np.full(n, None, dtype=object)
    closure_label = np.full(n, None, dtype=object)
    for day, name in cal.bank_holidays.items():
        if a_day <= day <= b_day:
            holiday_name[(day - a_day).days] = name
    for c in cal.closures:
        if a_day <= c.date <= b_day:
            closure_label[(c.date - a_day).days] = c.name
    horizon = min(_dt.date(cal.verified_through, 12, 31), cal.last)
    columns: dict[str, npt.NDArray[Any]] = {
        "date": np.datetime64(cal.first, "D") + offsets,
        # date.toordinal() is 1 on a Monday
        "weekday": ((offsets + first_ord - 1) % 7 + 1).astype(np.int8),
        "is_working_day": working[a:b].copy(),
        "working_day_number": cum[a:b].copy(),
        "holiday_name": holiday_name,
        "closure_label": closure_label,
        "provisional": offsets > (horizon - cal.first).days,
    }
    return _Export(cal, a_day, b_day, columns)


def _warn_if_provisional(export: _Export, stacklevel: int = 3) -> None:
    if export.n_provisional:
        cal = export.calendar
        warnings.warn(
            f"{export.n_provisional} exported days are after {cal.verified_through}, where "
            f"{cal.name} bank holidays are projections ({cal.projection}), not the verified "
            "list; they are flagged in the 'provisional' column",
            ProvisionalCalendarWarning,
            stacklevel=stacklevel,
        )


def _version() -> str:
    from safeguard_time import __version__  # noqa: PLC0415 - avoids an import cycle

    return __version__


def _metadata(export: _Export) -> dict[str, str]:
    cal = export.calendar
    horizon = min(_dt.date(cal.verified_through, 12, 31), cal.last)
    counts: dict[str, int] = {}
    for label in export.columns["closure_label"].tolist():
        if label is not None:
            counts[label] = counts.get(label, 0) + 1
    closures = (
        "; ".join(f"{label} ({k} day{'s' if k > 1 else ''})" for label, k in counts.items())
        or "none"
    )
    return {
        "title": f"Working-day calendar: {cal.name}",
        "generator": f"safeguard_time {_version()}",
        "version": _version(),
        "calendar": cal.name,
        "first_date": export.start.isoformat(),
        "last_date": export.end.isoformat(),
        "rows": str(export.n_rows),
        "verified_through": str(cal.verified_through),
        "provisional_after": horizon.isoformat(),
        "provisional_rows": str(export.n_provisional),
        "provisional": (
            f"bank holidays were checked against the official GOV.UK list through "
            f"{cal.verified_through}; days after {horizon.isoformat()} are projections "
            "(column provisional)"
        ),
        "closures": closures,
        "working_day_number": (
            f"running count of working days from {cal.first.isoformat()} up to and including "
            "the day"
        ),
        "convention": (
            "N working days after X (X is day 0, Excel WORKDAY): the working day whose "
            "working_day_number is X's plus N; working days elapsed from X to Y: "
            "number(Y) - number(X)"
        ),
    }


def export_metadata(
    start: Any,
    end: Any,
    *,
    calendar: WorkingCalendar | None = None,
    closures: Closures = None,
) -> dict[str, str]:
    """What every export says about itself: library version, verified horizon, range.

    The same keys go into the Parquet schema metadata (prefixed ``safeguard_time.``), the
    CSV's metadata sidecar, the SQL header comment and the xlsx ``Notes`` sheet.

    >>> import datetime as dt
    >>> meta = export_metadata(dt.date(2028, 12, 1), dt.date(2029, 1, 31))
    >>> meta["verified_through"], meta["provisional_after"], meta["provisional_rows"]
    ('2028', '2028-12-31', '31')
    >>> meta["generator"]
    'safeguard_time ...'
    """
    return _metadata(_prepare(start, end, calendar, closures))


@overload
def calendar_table(
    start: Any,
    end: Any,
    *,
    calendar: WorkingCalendar | None = ...,
    closures: Closures = ...,
    to: Literal["numpy"] = ...,
) -> dict[str, npt.NDArray[Any]]: ...
@overload
def calendar_table(
    start: Any,
    end: Any,
    *,
    calendar: WorkingCalendar | None = ...,
    closures: Closures = ...,
    to: Literal["pandas"],
) -> pd.DataFrame: ...
@overload
def calendar_table(
    start: Any,
    end: Any,
    *,
    calendar: WorkingCalendar | None = ...,
    closures: Closures = ...,
    to: Literal["polars"],
) -> pl.DataFrame: ...
@overload
def calendar_table(
    start: Any,
    end: Any,
    *,
    calendar: WorkingCalendar | None = ...,
    closures: Closures = ...,
    to: Literal["arrow"],
) -> Any: ...
def calendar_table(
    start: Any,
    end: Any,
    *,
    calendar: WorkingCalendar | None = None,
    closures: Closures = None,
    to: TableKind = "numpy",
) -> Any:
    """The calendar from ``start`` to ``end`` inclusive, one row per day (see :data:`COLUMNS`).

    Args:
        start: the first day (any date-like value the library accepts).
        end: the last day; export a range that reaches past your latest due date.
        calendar: the calendar to export; by default the statutory
            :func:`~safeguard_time.england_and_wales`.
        closures: local closure days to add, as a mapping ``{date: label}``; they become
            non-working days and carry their label in ``closure_label``.
        to: ``"numpy"`` (a dict of numpy arrays: ``date`` is ``datetime64[D]``, the names are
            object arrays of ``str`` or ``None``), ``"pandas"``, ``"polars"`` or ``"arrow"``
            (a ``pyarrow.Table`` whose schema metadata holds :func:`export_metadata`).  The
            pandas frame carries the same metadata in ``DataFrame.attrs``.

    Emits one :class:`~safeguard_time.errors.ProvisionalCalendarWarning` when the range goes
    past the verified horizon; the ``provisional`` column says which rows.

    >>> import datetime as dt
    >>> shutdown = {dt.date(2024, 12, 27): "Shutdown"}
    >>> t = calendar_table(dt.date(2024, 12, 24), dt.date(2024, 12, 28), closures=shutdown)
    >>> list(zip(t["weekday"].tolist(), t["is_working_day"].tolist(), t["closure_label"].tolist()))
    [(2, True, None), (3, False, None), (4, False, None), (5, False, 'Shutdown'), (6, False, None)]
    >>> calendar_table(dt.date(2024, 1, 1), dt.date(2024, 1, 7), to="arrow").num_rows
    7
    """
    export = _prepare(start, end, calendar, closures)
    _warn_if_provisional(export)
    return _convert(export, to)


def _convert(export: _Export, to: TableKind) -> Any:
    cols = export.columns
    if to == "numpy":
        return dict(cols)
    if to == "arrow":
        return _arrow_table(export)
    if to == "pandas":
        pd = _require("pandas", "pandas")
        frame = pd.DataFrame(
            {
                name: pd.array(cols[name].tolist(), dtype="string")
                if cols[name].dtype == object
                else cols[name]
                for name in COLUMNS
            }
        )
        frame.attrs.update(_metadata(export))
        return frame
    if to == "polars":
        pl = _require("polars", "polars")
        return pl.DataFrame(
            [
                pl.Series("date", cols["date"]),
                pl.Series("weekday", cols["weekday"]),
                pl.Series("is_working_day", cols["is_working_day"]),
                pl.Series("working_day_number", cols["working_day_number"]),
                pl.Series("holiday_name", cols["holiday_name"].tolist(), dtype=pl.String),
                pl.Series("closure_label", cols["closure_label"].tolist(), dtype=pl.String),
                pl.Series("provisional", cols["provisional"]),
            ]
        )
    raise InvalidOptionError(
        "to", to, f"unknown table kind {to!r}; use numpy, pandas, polars or arrow"
    )


def _require(module: str, package: str) -> Any:
    import importlib  # noqa: PLC0415

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        extra = package if package in ("pandas", "polars") else "export"
        raise ImportError(extra_needed("this export", package, extra)) from exc


def _arrow_table(export: _Export) -> Any:
    pa = _require("pyarrow", "pyarrow")
    cols = export.columns
    meta = {f"safeguard_time.{k}": v for k, v in _metadata(export).items()}
    schema = pa.schema(
        [
            pa.field("date", pa.date32(), nullable=False),
            pa.field("weekday", pa.int8(), nullable=False),
            pa.field("is_working_day", pa.bool_(), nullable=False),
            pa.field("working_day_number", pa.int32(), nullable=False),
            pa.field("holiday_name", pa.string()),
            pa.field("closure_label", pa.string()),
            pa.field("provisional", pa.bool_(), nullable=False),
        ],
        metadata=meta,
    )
    arrays = [
        pa.array(cols["date"], type=pa.date32()),
        pa.array(cols["weekday"], type=pa.int8()),
        pa.array(cols["is_working_day"], type=pa.bool_()),
        pa.array(cols["working_day_number"], type=pa.int32()),
        pa.array(cols["holiday_name"].tolist(), type=pa.string()),
        pa.array(cols["closure_label"].tolist(), type=pa.string()),
        pa.array(cols["provisional"], type=pa.bool_()),
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


# --- writers ---------------------------------------------------------------------------------

PathLike: TypeAlias = "str | os.PathLike[str]"


def write_parquet(
    path: PathLike,
    start: Any,
    end: Any,
    *,
    calendar: WorkingCalendar | None = None,
    closures: Closures = None,
) -> Path:
    """Write the table as Parquet (needs pyarrow); the metadata is in the schema.

    Column types: ``date32``, ``int8``, ``bool``, ``int32``, ``string``, ``string``, ``bool``.
    The schema metadata holds :func:`export_metadata` under keys prefixed ``safeguard_time.``
    (DuckDB: ``SELECT * FROM parquet_kv_metadata('calendar.parquet')``).

    >>> import datetime as dt, pathlib, tempfile
    >>> import pyarrow.parquet as pq
    >>> jan1, dec31 = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_parquet(pathlib.Path(tmp) / "calendar.parquet", jan1, dec31)
    ...     meta = pq.read_schema(out).metadata
    >>> meta[b"safeguard_time.verified_through"]
    b'2028'
    """
    export = _prepare(start, end, calendar, closures)
    _warn_if_provisional(export)
    pq = _require("pyarrow.parquet", "pyarrow")
    out = Path(path)
    pq.write_table(_arrow_table(export), out)
    return out


def _csv_sidecar(export: _Export, csv_name: str) -> dict[str, Any]:
    meta = _metadata(export)
    types = {
        "date": "date",
        "weekday": "integer",
        "is_working_day": "boolean",
        "working_day_number": "integer",
        "holiday_name": "string",
        "closure_label": "string",
        "provisional": "boolean",
    }
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": csv_name,
        "dc:title": f"{meta['title']}, {meta['first_date']} to {meta['last_date']}",
        "dc:creator": meta["generator"],
        "schema:version": meta["version"],
        "dc:description": "; ".join(
            f"{k}: {meta[k]}"
            for k in (
                "provisional",
                "provisional_after",
                "verified_through",
                "closures",
                "working_day_number",
                "convention",
            )
        ),
        "dc:temporal": f"{meta['first_date']}/{meta['last_date']}",
        "dialect": {"header": True, "encoding": "utf-8"},
        "tableSchema": {
            "columns": [
                {
                    "name": name,
                    "titles": name,
                    "datatype": types[name],
                    "dc:description": _DESCRIPTIONS[name],
                    **({"null": ""} if types[name] == "string" else {"required": True}),
                }
                for name in COLUMNS
            ],
            "primaryKey": "date",
        },
    }


def _write_csv_rows(export: _Export, stream: IO[str]) -> None:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for day, wd, working, number, holiday, closure, prov in export.rows():
        writer.writerow(
            (
                day.isoformat(),
                wd,
                "true" if working else "false",
                number,
                holiday or "",
                closure or "",
                "true" if prov else "false",
            )
        )


def write_csv(
    path: PathLike,
    start: Any,
    end: Any,
    *,
    calendar: WorkingCalendar | None = None,
    closures: Closures = None,
) -> Path:
    """Write the table as a plain CSV, with its metadata in a sidecar file beside it.

    The CSV itself is what every BI tool reads without options: UTF-8 (no byte-order mark),
    one header row, comma-separated, RFC 4180 quoting and line ends, ISO dates, booleans as
    ``true``/``false``, empty fields for no holiday or closure.  No comment lines: Power BI,
    Excel and most CSV readers would take them for data.  The version, the verified horizon
    and the column descriptions go to ``<path>-metadata.json``, the sidecar name of the W3C
    "CSV on the Web" standard.

    >>> import datetime as dt, json, pathlib, tempfile
    >>> first, last = dt.date(2022, 9, 19), dt.date(2022, 9, 20)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_csv(pathlib.Path(tmp) / "calendar.csv", first, last)
    ...     print(out.read_text(encoding="utf-8"), end="")
    ...     meta = json.loads(pathlib.Path(f"{out}-metadata.json").read_text(encoding="utf-8"))
    date,weekday,is_working_day,working_day_number,holiday_name,closure_label,provisional
    2022-09-19,1,false,8268,State Funeral of Queen Elizabeth II,,false
    2022-09-20,2,true,8269,,,false
    >>> meta["dc:creator"]
    'safeguard_time ...'
    """
    export = _prepare(start, end, calendar, closures)
    _warn_if_provisional(export)
    return _write_csv_file(export, Path(path))


def _write_csv_file(export: _Export, out: Path) -> Path:
    with out.open("w", encoding="utf-8", newline="") as fh:
        _write_csv_rows(export, fh)
    sidecar = Path(f"{out}-metadata.json")
    sidecar.write_text(
        json.dumps(_csv_sidecar(export, out.name), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return out


def write_xlsx(
    path: PathLike,
    start: Any,
    end: Any,
    *,
    calendar: WorkingCalendar | None = None,
    closures: Closures = None,
) -> Path:
    """Write an Excel workbook (needs openpyxl) with the ``BankHolidays`` named range.

    Sheets: ``Calendar`` (the table, as an Excel table named ``WorkingCalendar``),
    ``Holidays`` (the non-working weekdays: bank holidays and closures, with name, kind and
    provisional flag) and ``Notes`` (:func:`export_metadata` and the recipes).  The
    workbook-level name ``BankHolidays`` refers to the dates of ``Holidays``, so
    ``=WORKDAY(A2, 45, BankHolidays)`` and ``=NETWORKDAYS(A2+1, B2, BankHolidays)`` work in
    Excel and LibreOffice without an add-in, for dates inside the exported range.

    >>> import datetime as dt, pathlib, tempfile
    >>> import openpyxl
    >>> jan1, dec31 = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_xlsx(pathlib.Path(tmp) / "calendar.xlsx", jan1, dec31)
    ...     wb = openpyxl.load_workbook(out)
    >>> wb.sheetnames, wb.defined_names["BankHolidays"].attr_text
    (['Calendar', 'Holidays', 'Notes'], 'Holidays!$A$2:$A$9')
    """
    export = _prepare(start, end, calendar, closures)
    _warn_if_provisional(export)
    return _write_xlsx_file(export, Path(path))


def _write_xlsx_file(export: _Export, out: Path) -> Path:
    openpyxl = _require("openpyxl", "openpyxl")
    defined_name = _require("openpyxl.workbook.defined_name", "openpyxl")
    tables = _require("openpyxl.worksheet.table", "openpyxl")

    meta = _metadata(export)
    date_format = "yyyy-mm-dd"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Calendar"
    ws.append(list(COLUMNS))
    for row in export.rows():
        ws.append(list(row))
    n = export.n_rows
    for (cell,) in ws.iter_rows(min_row=2, max_row=n + 1, max_col=1):
        cell.number_format = date_format
    table = tables.Table(displayName="WorkingCalendar", ref=f"A1:G{n + 1}")
    table.tableStyleInfo = tables.TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (12, 9, 15, 20, 36, 24, 12), strict=True):
        ws.column_dimensions[letter].width = width

    hs = wb.create_sheet("Holidays")
    hs.append(["date", "name", "kind", "provisional"])
    days = export.nonworking_weekdays()
    for day, name, kind, prov in days:
        hs.append([day, name, kind, prov])
        hs.cell(row=hs.max_row, column=1).number_format = date_format
    for letter, width in zip("ABCD", (12, 40, 14, 12), strict=True):
        hs.column_dimensions[letter].width = width
    # A range of one empty cell when there is no holiday: WORKDAY then skips weekends only.
    ref = f"Holidays!$A$2:$A${max(len(days), 1) + 1}"
    wb.defined_names["BankHolidays"] = defined_name.DefinedName("BankHolidays", attr_text=ref)

    ns = wb.create_sheet("Notes")
    ns.append(["key", "value"])
    for key, value in meta.items():
        ns.append([key, value])
    ns.append([])
    ns.append(["recipe", "=WORKDAY(A2, 45, BankHolidays): 45 working days after A2 (A2 is day 0)"])
    ns.append(["recipe", "=NETWORKDAYS(A2+1, B2, BankHolidays): working days after A2 up to B2"])
    ns.append(
        [
            "named range",
            f"BankHolidays = {ref}: bank holidays and closures on weekdays, "
            f"{export.start.isoformat()} to {export.end.isoformat()} only",
        ]
    )
    ns.column_dimensions["A"].width = 20
    ns.column_dimensions["B"].width = 110

    wb.properties.title = meta["title"]
    wb.properties.creator = meta["generator"]
    wb.properties.description = meta["provisional"]
    wb.save(out)
    return out


# --- SQL -------------------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")

_TYPES: Final[Mapping[Dialect, tuple[str, ...]]] = {
    "tsql": ("date", "tinyint", "bit", "int", "nvarchar(255)", "nvarchar(255)", "bit"),
    "postgres": ("date", "smallint", "boolean", "integer", "text", "text", "boolean"),
    "sqlite": ("TEXT", "INTEGER", "INTEGER", "INTEGER", "TEXT", "TEXT", "INTEGER"),
    "duckdb": ("DATE", "TINYINT", "BOOLEAN", "INTEGER", "VARCHAR", "VARCHAR", "BOOLEAN"),
}


def _sql_string(text: str, dialect: Dialect) -> str:
    quoted = "'" + text.replace("'", "''") + "'"
    return "N" + quoted if dialect == "tsql" else quoted


def _sql_row(row: tuple[Any, ...], dialect: Dialect) -> str:
    day, wd, working, number, holiday, closure, prov = row
    if dialect in ("postgres", "duckdb"):
        date = f"DATE '{day.isoformat()}'"
        flags = ("TRUE" if working else "FALSE", "TRUE" if prov else "FALSE")
    else:
        date = f"'{day.isoformat()}'"
        flags = ("1" if working else "0", "1" if prov else "0")
    names = tuple("NULL" if v is None else _sql_string(v, dialect) for v in (holiday, closure))
    return f"({date}, {wd}, {flags[0]}, {number}, {names[0]}, {names[1]}, {flags[1]})"


def _nullability(col: str, dialect: Dialect) -> str:
    if col == "date":
        return ""
    if col in ("holiday_name", "closure_label"):
        # T-SQL's default nullability depends on session settings: say it.
        return " NULL" if dialect == "tsql" else ""
    return " NOT NULL"


def _comment(text: str) -> str:
    return "-- " + " ".join(text.split())


def _sql_lines(export: _Export, dialect: Dialect, table: str, batch_size: int) -> Iterator[str]:
    if dialect not in DIALECTS:
        raise InvalidOptionError(
            "dialect",
            dialect,
            f"unknown SQL dialect {dialect!r}; use one of: {', '.join(DIALECTS)}",
        )
    if not _IDENT.fullmatch(table):
        raise InvalidOptionError(
            "table", table, f"table name must be [schema.]name of letters, digits and _: {table!r}"
        )
    if not 1 <= batch_size <= 1000:
        raise InvalidOptionError(
            "batch_size",
            batch_size,
            f"batch_size must be from 1 to 1000 rows per INSERT, got {batch_size}",
        )
    meta = _metadata(export)
    yield _comment(f"{meta['title']}, {meta['first_date']} to {meta['last_date']}")
    yield _comment(f"exported by {meta['generator']} for {dialect}; {meta['rows']} rows")
    yield _comment(meta["provisional"])
    yield _comment(f"closures: {meta['closures']}")
    yield _comment(f"working_day_number: {meta['working_day_number']}")
    yield _comment(meta["convention"])
    yield _comment(
        "safe to run again: creates the table if it is missing, then replaces all its rows "
        "in one transaction"
    )
    schema, _, name = table.rpartition(".")
    index = f"ix_{name}_working_day_number"
    cols = ", ".join(COLUMNS)
    types = _TYPES[dialect]
    pk = " PRIMARY KEY" if dialect != "tsql" else " NOT NULL PRIMARY KEY"
    defs = [
        f"    {col} {typ}{pk if col == 'date' else ''}{_nullability(col, dialect)}"
        for col, typ in zip(COLUMNS, types, strict=True)
    ]
    if dialect == "tsql":
        yield "SET NOCOUNT ON;"
        yield "SET XACT_ABORT ON;"
        yield f"IF OBJECT_ID(N'{table}', N'U') IS NULL"
        yield "BEGIN"
        yield f"    CREATE TABLE {table} ("
        yield ",\n".join("    " + d for d in defs)
        yield "    );"
        yield f"    CREATE INDEX {index} ON {table} (working_day_number, is_working_day);"
        yield "END;"
        yield "BEGIN TRANSACTION;"
    else:
        yield "BEGIN TRANSACTION;" if dialect == "duckdb" else "BEGIN;"
        yield f"CREATE TABLE IF NOT EXISTS {table} ("
        yield ",\n".join(defs)
        yield ");"
        if dialect == "sqlite":
            target = f"{schema}.{index} ON {name}" if schema else f"{index} ON {name}"
            yield f"CREATE INDEX IF NOT EXISTS {target} (working_day_number, is_working_day);"
        elif dialect == "postgres":
            yield (
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} "
                "(working_day_number, is_working_day);"
            )
        if dialect in ("postgres", "duckdb"):
            about = f"{meta['title']}: {meta['generator']}; {meta['provisional']}"
            yield f"COMMENT ON TABLE {table} IS {_sql_string(about, dialect)};"
            for col in COLUMNS:
                about = _sql_string(_DESCRIPTIONS[col], dialect)
                yield f"COMMENT ON COLUMN {table}.{col} IS {about};"
    yield f"DELETE FROM {table};"
    batch: list[str] = []
    for row in export.rows():
        batch.append(_sql_row(row, dialect))
        if len(batch) == batch_size:
            yield f"INSERT INTO {table} ({cols}) VALUES\n" + ",\n".join(batch) + ";"
            batch = []
    if batch:
        yield f"INSERT INTO {table} ({cols}) VALUES\n" + ",\n".join(batch) + ";"
    yield "COMMIT TRANSACTION;" if dialect == "tsql" else "COMMIT;"


def write_sql(
    path: PathLike,
    start: Any,
    end: Any,
    *,
    dialect: Dialect,
    calendar: WorkingCalendar | None = None,
    closures: Closures = None,
    table: str = DEFAULT_TABLE,
    batch_size: int = 1000,
) -> Path:
    """Write a SQL script that creates and fills the table; safe to run more than once.

    The script starts with ``--`` comments (library version, range, verified horizon,
    closures), creates the table if it does not exist (T-SQL: ``IF OBJECT_ID(...) IS NULL``;
    the others: ``CREATE TABLE IF NOT EXISTS``) with a primary key on ``date`` and an index
    on ``working_day_number``, then, in one transaction, deletes every row and inserts the
    export in batches of at most ``batch_size`` (<= 1000, T-SQL's limit) rows per ``INSERT``.
    PostgreSQL and DuckDB also get ``COMMENT ON`` the table and columns.

    Types: ``date`` is a DATE (TEXT ``YYYY-MM-DD`` in SQLite); the flags are ``boolean``
    (``bit`` in T-SQL, 0/1 ``INTEGER`` in SQLite), which is why :data:`QUERIES` compares
    ``is_working_day = 1`` in T-SQL.

    >>> import datetime as dt, pathlib, sqlite3, tempfile
    >>> jan1, dec31 = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_sql(pathlib.Path(tmp) / "c.sql", jan1, dec31, dialect="sqlite")
    ...     script = out.read_text(encoding="utf-8")
    >>> db = sqlite3.connect(":memory:")
    >>> for _ in range(2):
    ...     _ = db.executescript(script)
    >>> db.execute("SELECT count(*), sum(is_working_day) FROM working_calendar").fetchone()
    (366, 254)
    """
    export = _prepare(start, end, calendar, closures)
    _warn_if_provisional(export)
    out = Path(path)
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        _write_sql_stream(export, fh, dialect, table, batch_size)
    return out


def _write_sql_stream(
    export: _Export, stream: IO[str], dialect: Dialect, table: str, batch_size: int
) -> None:
    for line in _sql_lines(export, dialect, table, batch_size):
        stream.write(line + "\n")


# --- closures file ---------------------------------------------------------------------------


def _closure_date(text: str, where: str) -> _dt.date:
    """A closure's date, read by the library's date grammar; the error names the row."""
    try:
        return london_date(text)
    except (NotADateError, MissingDateError) as exc:
        raise type(exc)(f"{where}: {exc}", value=text) from None


def read_closures(path: PathLike) -> dict[_dt.date, str]:
    r"""Read a closures file: a CSV with a header row ``date,label``, one closure day a row.

    Dates are read by the library's date grammar: ISO (``2024-12-27``), UK day-first
    (``27/12/2024``, as Excel saves them in a UK locale), ``27 Dec 2024`` and the other forms
    of :func:`safeguard_time.parse_date`; every day needs a label, and a day may appear only
    once.  Other columns,
    blank rows and a UTF-8 byte-order mark are ignored.  Errors name the file and row.

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = pathlib.Path(tmp) / "closures.csv"
    ...     _ = f.write_text("date,label\n2024-12-27,Shutdown\n30/12/2024,Shutdown\n")
    ...     read_closures(f)
    {datetime.date(2024, 12, 27): 'Shutdown', datetime.date(2024, 12, 30): 'Shutdown'}
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or ()]
    if "date" not in fields or "label" not in fields:
        raise ValueError(f"{p}: the first row must be the header 'date,label', got {fields}")
    reader.fieldnames = fields
    out: dict[_dt.date, str] = {}
    for row in reader:
        where = f"{p}, row {reader.line_num}"
        raw_date, label = (row.get("date") or "").strip(), (row.get("label") or "").strip()
        if not raw_date and not label:
            continue
        day = _closure_date(raw_date, where)
        if not label:
            raise ValueError(f"{where}: closure {day.isoformat()} has no label")
        if day in out:
            raise ValueError(f"{where}: {day.isoformat()} is listed twice")
        out[day] = label
    return out


# --- one call for the command line --------------------------------------------------------

#: The formats :func:`export_calendar` writes.
FORMATS: Final = ("csv", "parquet", "xlsx", "sql")


def format_of(output: str, fmt: str | None = None) -> str:
    """The format to write: ``fmt`` if given, else the output file's extension.

    >>> format_of("calendar.sql"), format_of("-", "csv")
    ('sql', 'csv')
    """
    if fmt:
        if fmt not in FORMATS:
            raise InvalidOptionError(
                "format", fmt, f"unknown format {fmt!r}; use csv, parquet, xlsx or sql"
            )
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InvalidOptionError(
        "format", output, f"say --format csv|parquet|xlsx|sql: cannot tell it from {output!r}"
    )


def export_calendar(
    output: str,
    start: Any,
    end: Any,
    *,
    fmt: str | None = None,
    dialect: Dialect | None = None,
    closures_file: PathLike | None = None,
    table: str = DEFAULT_TABLE,
    calendar: WorkingCalendar | None = None,
) -> tuple[str, int, int]:
    """Write the calendar from ``start`` to ``end`` to ``output`` (``"-"``: standard output).

    The format comes from ``fmt`` or the extension (:func:`format_of`); SQL needs a
    ``dialect``; ``closures_file`` is a CSV of local closures (:func:`read_closures`);
    ``calendar`` defaults to :func:`~safeguard_time.england_and_wales`.
    Returns ``(format, rows, provisional rows)``.

    >>> export_calendar("-", "2022-09-18", "2022-09-19", fmt="csv")
    date,weekday,is_working_day,working_day_number,holiday_name,closure_label,provisional
    2022-09-18,7,false,8268,,,false
    2022-09-19,1,false,8268,State Funeral of Queen Elizabeth II,,false
    ('csv', 2, 0)
    """
    fmt = format_of(output, fmt)
    if fmt == "sql" and not dialect:
        raise InvalidOptionError(
            "dialect", dialect, "--format sql needs --dialect tsql|postgres|sqlite|duckdb"
        )
    if fmt != "sql" and dialect:
        raise InvalidOptionError(
            "dialect", dialect, f"--dialect applies to --format sql only, not {fmt}"
        )
    if output == "-" and fmt not in ("csv", "sql"):
        raise InvalidOptionError(
            "output", output, f"--output - writes csv or sql only; give a file name for {fmt}"
        )
    closures = read_closures(closures_file) if closures_file else None
    with warnings.catch_warnings():
        # Provisional days are reported by the caller, and row by row in the table.
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        export = _prepare(start, end, calendar, closures)
    if fmt == "sql":
        assert dialect is not None
        _sql_lines(export, dialect, table, 1000)  # validate before writing
        if output == "-":
            _write_sql_stream(export, sys.stdout, dialect, table, 1000)
        else:
            with open(output, "w", encoding="utf-8", newline="\n") as fh:
                _write_sql_stream(export, fh, dialect, table, 1000)
    elif fmt == "csv":
        if output == "-":
            _write_csv_rows(export, sys.stdout)
        else:
            _write_csv_file(export, Path(output))
    elif fmt == "xlsx":
        _write_xlsx_file(export, Path(output))
    else:
        pq = _require("pyarrow.parquet", "pyarrow")
        pq.write_table(_arrow_table(export), output)
    return fmt, export.n_rows, export.n_provisional
