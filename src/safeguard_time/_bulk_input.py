"""Turning the columns users pass to :mod:`safeguard_time.bulk` into days since 1970-01-01.

A column becomes a :class:`DayColumn`: the caller's own buffer wherever the type allows it
(numpy ``datetime64``, pandas' numpy-backed datetimes, Arrow and polars ``date32``), read
chunk by chunk as ``int64`` days since 1970-01-01 with :data:`NAT` for a missing value.

- numpy ``datetime64`` of any unit is naive London wall time: floored to the day.
- pandas, polars and Arrow timestamps with a time zone are converted to Europe/London
  first (one copy: the conversion needs it), then floored.
- Text columns (Arrow ``string``/``large_string``/``string_view``/dictionary, pandas
  object or string dtype, polars ``String``, numpy ``str`` arrays) are read by the
  library's date grammar (:func:`safeguard_time.parse_dates`): a refused cell is a bad row,
  with its reason; a blank cell is missing.
- Sequences of ``date`` / ``datetime`` / ``numpy.datetime64`` / date text / ``None`` are
  read one by one (aware datetimes: their London date; text by the grammar); an element
  that is not a date is remembered as a bad row, so the caller can report it instead of
  failing the whole column.  A number is not a date here (no Excel serials in bulk).

pandas, polars and pyarrow are imported only when such a column is given.
"""

from __future__ import annotations

import datetime as _dt
import operator
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from safeguard_time._dates import (
    ACCEPTED_FORMS,
    check_date_system,
    is_missing,
    london_date,
    not_a_date_type,
    parse_text,
)
from safeguard_time.errors import (
    InvalidOptionError,
    NotAColumnError,
    NotADateError,
    SafeguardTimeError,
    UnreadableColumnWarning,
)

if TYPE_CHECKING:
    import numpy.typing as npt

    from safeguard_time._date_columns import ParsedDates

# The grammar's column reader (its regexes, Arrow helpers) loads on the first text column, so
# that a first deadline() or a column of dates does not pay for it.
_cols: Any = None


def _columns() -> Any:
    global _cols  # noqa: PLW0603 - a lazily imported module
    if _cols is None:
        from safeguard_time import _date_columns  # noqa: PLC0415

        _cols = _date_columns
    return _cols


__all__ = ["NAT", "DayColumn", "day_scalar", "int_column", "parse_dates", "to_days"]

#: The ``int64`` value of ``numpy.datetime64("NaT")``: a missing day.
NAT = int(np.iinfo(np.int64).min)

_EPOCH_ORD = _dt.date(1970, 1, 1).toordinal()
_LONDON = "Europe/London"


@attrs.frozen(eq=False)
class DayColumn:
    """A column of dates, read in chunks as ``int64`` days since 1970-01-01.

    ``values`` is one of: ``datetime64`` of any unit (floored to the day per chunk), or
    ``int32``/``int64`` days since 1970-01-01.  ``null`` marks extra missing rows (Arrow and
    polars validity); ``bad`` holds rows whose value was not a date at all (the caller's
    value), and ``errors`` the error of those that are known, or ``reasons`` its text (the
    grammar's words for text it refused, an error made only when asked for);
    :meth:`error` gives every bad row's error, :meth:`problems` every bad row's reason.
    """

    values: npt.NDArray[Any]
    null: npt.NDArray[np.bool_] | None = None
    bad: Mapping[int, object] = attrs.field(factory=dict)
    errors: Mapping[int, SafeguardTimeError] = attrs.field(factory=dict)
    reasons: Mapping[int, str] = attrs.field(factory=dict)
    #: The rows of ``bad``, ascending.
    bad_rows: npt.NDArray[np.int64] = attrs.field(init=False, repr=False)

    @bad_rows.default
    def _bad_rows(self) -> npt.NDArray[np.int64]:
        rows = np.array(sorted(self.bad), dtype=np.int64)
        rows.setflags(write=False)
        return rows

    @classmethod
    def of(cls, parsed: ParsedDates) -> DayColumn:
        """The column of a :class:`~safeguard_time._date_columns.ParsedDates`: refused cells are bad."""
        bad = {e.row: e.value for e in parsed.errors}
        errors: dict[int, SafeguardTimeError] = {e.row: e.error() for e in parsed.errors}
        return cls(parsed.days, bad=bad, errors=errors)

    def error(self, row: int) -> SafeguardTimeError:
        """Why the value at a bad ``row`` is not a date: a :class:`NotADateError`, at ``row``.

        Text the grammar refused gives the grammar's reason (the error ``parse_date``
        raises); a value of another kind says what kind it was.  ``KeyError`` if the row
        is not bad.
        """
        found = self.errors.get(row)
        if found is not None:
            return found
        if row not in self.bad:
            raise KeyError(f"row {row} is not a bad row")
        reason = self.reasons.get(row)
        if reason is not None:
            return NotADateError(reason, value=self.bad[row]).at(row=row)
        return not_a_date_type(self.bad[row]).at(row=row)

    def problems(self) -> tuple[list[int], list[str], list[str]]:
        """The bad rows, ascending, with each one's reason (``str()`` of its error) and code.

        The grammar's reasons are given as kept, without making an error of each.
        """
        rows = sorted(self.bad)
        reasons: list[str] = []
        codes: list[str] = []
        for row in rows:
            reason = self.reasons.get(row)
            if reason is not None and row not in self.errors:
                reasons.append(reason)
                codes.append(NotADateError.code)
            else:
                err = self.error(row)
                reasons.append(str(err))
                codes.append(err.code)
        return rows, reasons, codes

    def __len__(self) -> int:
        return len(self.values)

    def chunk(self, lo: int, hi: int) -> npt.NDArray[np.int64]:
        """Rows ``lo:hi`` as days since 1970-01-01, NaT as :data:`NAT` (may be a view)."""
        v = self.values[lo:hi]
        if v.dtype.kind == "M":
            out = v.view(np.int64) if v.dtype == _M8D else v.astype(_M8D).view(np.int64)
        elif v.dtype == np.int64:
            out = v
        else:
            out = v.astype(np.int64)
        if self.null is not None:
            mask = self.null[lo:hi]
            if mask.any():
                out = np.where(mask, np.int64(NAT), out)
        return out

    def value(self, row: int) -> object:
        """The caller's value at ``row``, for an error record (a date where possible)."""
        if row in self.bad:
            return self.bad[row]
        d = int(self.chunk(row, row + 1)[0])
        return day_value(d)


_M8D = np.dtype("datetime64[D]")


def day_value(d: int) -> object:
    """An ``int64`` day as a ``datetime.date`` (``None`` for NaT; numpy for huge years)."""
    if d == NAT:
        return None
    ordinal = d + _EPOCH_ORD
    if 1 <= ordinal <= _dt.date.max.toordinal():
        return _dt.date.fromordinal(ordinal)
    return np.datetime64(d, "D")


def _module(x: object) -> str:
    return type(x).__module__.split(".")[0]


def to_days(x: object, name: str) -> DayColumn:
    """Convert a column-like value (see the module docstring) to a :class:`DayColumn`.

    A column in which no cell is a date and some were refused is probably not a column of
    dates: one :class:`~safeguard_time.errors.UnreadableColumnWarning` says so, naming the
    forms accepted (every row is still returned, each with its reason).

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     col = to_days(["soon", "n/a"], "starts")
    >>> sorted(col.bad), caught[0].category.__name__
    ([0, 1], 'UnreadableColumnWarning')
    """
    if isinstance(x, DayColumn):
        return x  # already read (the scan reads its cells, and reports them, itself)
    col = _read_column(x, name)
    if col.bad and not (col.chunk(0, len(col)) != NAT).any():
        row = min(col.bad)
        warnings.warn(
            f"{name}: no cell of the column is a date: all {len(col.bad)} cells that are not "
            f"blank were refused (row {row}: {col.error(row)}); the forms accepted are "
            f"{ACCEPTED_FORMS}",
            UnreadableColumnWarning,
            stacklevel=3,
        )
    return col


def _read_column(x: object, name: str) -> DayColumn:
    """Convert a column-like value (see the module docstring) to a :class:`DayColumn`."""
    mod = _module(x)
    if isinstance(x, np.ndarray):
        return _from_numpy(x, name)
    if mod == "pandas":
        return _from_pandas(x, name)
    if mod == "polars":
        return _from_polars(x, name)
    if mod == "pyarrow":
        return _from_arrow(x, name)
    if isinstance(x, Mapping):
        raise NotAColumnError(
            f"{name}: a mapping is not a column (iterating it would read its keys); pass "
            "its values, e.g. list(mapping.values())",
            value=x,
        )
    if not isinstance(x, (str, bytes, _dt.date, np.datetime64)):
        if isinstance(x, Sequence):
            return _from_objects(x, name)
        if hasattr(x, "__iter__"):
            return _from_objects(list(x), name)  # a generator or another iterable
    raise NotAColumnError(
        f"{name}: expected a column of dates (numpy datetime64 array, sequence of dates, "
        f"pandas/polars Series or Arrow array), got {type(x).__name__}"
    )


def _from_numpy(x: npt.NDArray[Any], name: str) -> DayColumn:
    if x.ndim != 1:
        raise NotAColumnError(f"{name}: expected a one-dimensional column, got shape {x.shape}")
    if x.dtype.kind == "M":
        unit = np.datetime_data(x.dtype)[0]
        if unit in ("Y", "M", "W", "generic"):
            # A month or a year is not a day: flooring it would invent the first day.
            raise NotAColumnError(
                f"{name}: a datetime64[{unit}] column holds {_UNIT_WORDS.get(unit, unit)}, not "
                "days; convert it to datetime64[D] yourself if the first day is meant",
                value=x.dtype,
            )
        return DayColumn(x)
    if x.dtype.kind == "O":
        return _from_objects(x, name)
    if x.dtype.kind in "UT":  # text: the date grammar
        return DayColumn.of(_columns().read_dates(x, 1900))
    raise NotAColumnError(
        f"{name}: expected datetime64, date text or object values, got a {x.dtype} array"
    )


def _from_objects(seq: Sequence[Any] | npt.NDArray[Any], name: str) -> DayColumn:
    days: list[int] = []
    append = days.append
    bad: dict[int, object] = {}
    errors: dict[int, SafeguardTimeError] = {}
    date_t = _dt.date
    for i, v in enumerate(seq):
        t = type(v)
        if t is date_t:
            append(v.toordinal() - _EPOCH_ORD)
        elif t is str:
            got = _columns().cell_days(v)
            if isinstance(got, str):  # refused: the grammar's reason
                bad[i] = v
                errors[i] = NotADateError(got, value=v).at(row=i)
                append(NAT)
            else:
                append(got)
        elif v is None or _is_missing(v):
            append(NAT)
        elif isinstance(v, (_dt.date, np.datetime64)):
            try:
                append(london_date(v).toordinal() - _EPOCH_ORD)
            except (ValueError, OverflowError):  # NaT of another kind, or beyond date range
                append(_np_day(v) if isinstance(v, np.datetime64) else NAT)
        else:
            bad[i] = v
            append(NAT)
    return DayColumn(np.array(days, dtype=np.int64), bad=bad, errors=errors)


def _np_day(v: np.datetime64) -> int:
    return int(v.astype(_M8D).astype(np.int64))


_is_missing = is_missing


def _from_pandas(x: Any, name: str) -> DayColumn:
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    series = x if isinstance(x, pd.Series) else pd.Series(x, copy=False)
    if series.ndim != 1:
        raise NotAColumnError(f"{name}: expected a one-dimensional column")
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype):
        arrow_array: Any = series.array
        return _from_arrow(arrow_array.__arrow_array__(), name)
    if isinstance(dtype, pd.StringDtype):  # text: the date grammar
        return DayColumn.of(_columns().read_dates(series, 1900))
    if isinstance(dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert(_LONDON).dt.tz_localize(None)
        dtype = series.dtype
    values = series.to_numpy()
    if values.dtype.kind in "MO":
        return _from_numpy(values, name)
    raise NotAColumnError(f"{name}: expected a pandas column of dates, got dtype {dtype}")


def _from_polars(x: Any, name: str) -> DayColumn:
    import polars as pl  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    if not isinstance(x, pl.Series):
        raise NotAColumnError(f"{name}: expected a polars Series, got {type(x).__name__}")
    dtype = x.dtype
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            x = x.dt.convert_time_zone(_LONDON).dt.replace_time_zone(None)
        unit = dtype.time_unit
        phys = x.to_physical()
        null = x.is_null().to_numpy() if x.null_count() else None
        raw = (phys.fill_null(0) if null is not None else phys).to_numpy()
        return DayColumn(raw.view(f"datetime64[{unit}]"), null)
    if dtype == pl.Date:
        phys = x.to_physical()
        if x.null_count():
            return DayColumn(phys.fill_null(0).to_numpy(), x.is_null().to_numpy())
        return DayColumn(phys.to_numpy())
    if dtype == pl.Object:
        return _from_objects(x.to_list(), name)
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):  # the date grammar
        return DayColumn.of(_columns().read_dates(x, 1900))
    raise NotAColumnError(
        f"{name}: expected a polars Date or Datetime column, or String of date text, got {dtype}"
    )


def _from_arrow(x: Any, name: str) -> DayColumn:
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    if isinstance(x, pa.ChunkedArray):
        x = x.chunk(0) if x.num_chunks == 1 else x.combine_chunks()
    if not isinstance(x, pa.Array):
        raise NotAColumnError(f"{name}: expected an Arrow array, got {type(x).__name__}")
    t = x.type
    if pa.types.is_timestamp(t):
        if t.tz is not None:
            x = pc.local_timestamp(x.cast(pa.timestamp(t.unit, _LONDON)))
        raw = _arrow_buffer(x, np.int64).view(f"datetime64[{t.unit}]")
    elif pa.types.is_date32(t):
        raw = _arrow_buffer(x, np.int32)
    elif pa.types.is_date64(t):
        raw = _arrow_buffer(x, np.int64).view("datetime64[ms]")
    elif _columns().is_text_type(t):  # the date grammar
        return DayColumn.of(_columns().read_dates(x, 1900))
    else:
        raise NotAColumnError(
            f"{name}: expected an Arrow date32, date64, timestamp or string column, got {t}"
        )
    null = x.is_null().to_numpy(zero_copy_only=False) if x.null_count else None
    return DayColumn(raw, null)


def _arrow_buffer(x: Any, dtype: type[np.int32] | type[np.int64]) -> npt.NDArray[Any]:
    """The data buffer of a primitive Arrow array, zero-copy (null slots hold anything)."""
    buf = x.buffers()[1]
    n = len(x)
    if buf is None or n == 0:
        return np.zeros(0, dtype=dtype)
    return np.frombuffer(buf, dtype=dtype, count=n, offset=x.offset * np.dtype(dtype).itemsize)


def day_scalar(value: object, name: str) -> int:
    """One date-like value as days since 1970-01-01; :data:`NAT` when missing.

    Text is read by the library's date grammar; refused text raises
    :class:`~safeguard_time.errors.NotADateError` naming ``name``.
    """
    if isinstance(value, str):
        try:
            day = parse_text(value)
        except NotADateError as exc:
            raise NotADateError(f"{name}: {exc}", value=value) from None
        return NAT if day is None else day.toordinal() - _EPOCH_ORD
    if value is None or _is_missing(value):
        return NAT
    mod = _module(value)
    if mod == "pandas" and hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, np.datetime64):
        return _np_day(value)
    if isinstance(value, _dt.date):
        return london_date(value).toordinal() - _EPOCH_ORD
    raise NotAColumnError(f"{name}: expected a date, got {type(value).__name__}: {value!r}")


_UNIT_WORDS = {"Y": "years", "M": "months", "W": "weeks", "generic": "no unit"}

#: Counts of working days beyond this cannot land inside the calendar (about 28,000 working
#: days from 1990 to 2099); larger ones are refused by name rather than wrapped or overflowed.
MAX_COUNT = 1_000_000


def _count(value: int, name: str, row: int | None = None) -> int:
    if -MAX_COUNT <= value <= MAX_COUNT:
        return value
    where = f"{name}" if row is None else f"{name}: row {row}"
    err = InvalidOptionError(
        name, value, f"{where}: {value} working days reaches far outside the calendar"
    )
    raise err.at(row=row, column=name) if row is not None else err


def int_column(n: object, length: int, name: str) -> tuple[int | None, npt.NDArray[np.int64]]:
    """``n`` as an ``int`` (a scalar) or an ``int64`` array of ``length`` rows.

    ``True``/``False`` are not counts, a missing count (pandas ``NA``) is not a count, and a
    count too large for the calendar is refused: each by name (and row), never wrapped.

    >>> int_column(5, 3, "n")[0], int_column([1, 2], 2, "n")[1].tolist()
    (5, [1, 2])
    """
    if isinstance(n, bool | np.bool_):
        raise InvalidOptionError(name, n, f"{n!r} is not a count of working days")
    if isinstance(n, int | np.integer):
        return _count(operator.index(n), name), np.zeros(0, dtype=np.int64)
    isna = getattr(n, "isna", None) if _module(n) == "pandas" else None
    if isna is not None and np.asarray(isna()).any():
        row = int(np.flatnonzero(np.asarray(isna()))[0])
        raise NotAColumnError(
            f"{name}: row {row} has no count (NA); give a count for every row", value=None
        ).at(row=row, column=name)
    arr = np.asarray(n.to_numpy() if hasattr(n, "to_numpy") else n)
    if arr.ndim == 0 and arr.dtype.kind in "iu":
        return _count(int(arr), name), np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise NotAColumnError(
            f"{name}: expected an int or a one-dimensional integer array, got {arr!r}", value=n
        )
    if len(arr) != length:
        raise InvalidOptionError(
            name, len(arr), f"{name}: has {len(arr)} rows where the dates have {length}"
        )
    if len(arr):
        big = (arr > MAX_COUNT) if arr.dtype.kind == "u" else (np.abs(arr) > MAX_COUNT)
        if big.any():
            row = int(np.flatnonzero(big)[0])
            _count(int(arr[row]), name, row)
    return None, arr.astype(np.int64, copy=False)


def parse_dates(column: Any, *, date_system: int = 1900) -> ParsedDates:
    """Read a whole column as dates, cell for cell as :func:`~safeguard_time.parse_date` does.

    ``column`` may be an Arrow array or chunked array (``string``, ``large_string``,
    ``string_view``, a dictionary of strings), a pandas Series or Index (object, string or
    Arrow-string dtype), a polars ``String`` Series, a numpy array of text or objects, or a
    plain sequence of cells; text is read by the library's date grammar.  Columns that
    already hold dates (numpy ``datetime64``, pandas, polars and Arrow dates and
    timestamps; aware ones converted to Europe/London) pass through, and numeric columns
    are Excel serial numbers in ``date_system`` (1900 or 1904).

    Every row is returned: a date, ``NaT`` for a blank or missing cell, or ``NaT`` and an
    entry in ``errors`` whose reason is ``str()`` of the error
    :func:`~safeguard_time.parse_date` raises for that cell.  Arrow columns (and pandas
    and polars text, which are Arrow inside) take the vectorised reader of the caseload
    scan; other inputs are read one distinct value at a time.

    A column in which every cell that is not blank is refused is probably not a column of
    dates: that emits one :class:`~safeguard_time.errors.UnreadableColumnWarning`, naming
    the forms accepted, and the rows are still returned with their reasons.

    Args:
        column: the cells: a numpy array, a pandas, polars or Arrow column, or a sequence.
        date_system: 1900 (the default) or 1904: how serial numbers count.

    >>> got = parse_dates(["2024-03-08", "08/03/2024", "8th March 2024", "", "n/a", 45359])
    >>> got.days.tolist()
    [datetime.date(2024, 3, 8), datetime.date(2024, 3, 8), datetime.date(2024, 3, 8), None, None, datetime.date(2024, 3, 8)]
    >>> [(e.row, e.value, e.reason) for e in got.errors]
    [(4, 'n/a', "'n/a' is not a date; leave the cell blank when there is no date")]
    >>> import pyarrow as pa
    >>> parse_dates(pa.array(["2023-06-30T23:30:00Z", None])).days.tolist()
    [datetime.date(2023, 7, 1), None]
    """
    system = check_date_system(date_system)
    cols = _columns()
    parsed: ParsedDates
    try:
        parsed = cols.read_dates(column, system)
    except cols.AlreadyDates:  # a pandas, polars or Arrow column of dates or timestamps
        col = to_days(column, "column")
        days = np.asarray(col.chunk(0, len(col)), dtype=np.int64).view("datetime64[D]")
        parsed = cols.ParsedDates(days)
        return parsed
    if parsed.errors and not (~np.isnat(parsed.days)).any():
        first = parsed.errors[0]
        warnings.warn(
            f"no cell of the column is a date: all {len(parsed.errors)} cells that are not "
            f"blank were refused (row {first.row}: {first.reason}); the forms accepted are "
            f"{ACCEPTED_FORMS}",
            UnreadableColumnWarning,
            stacklevel=2,
        )
    return parsed
