"""Excel functions through xlwings: ``SGT_WORKDAY``, ``SGT_DUE``, ``SGT_STATUS`` and friends.

Each function takes cells as Excel sends them (dates, serial numbers, text, empty cells),
a single cell or a whole range, and returns a value of the same shape.  A cell that cannot
be used gives an Excel error value in its own place (``#VALUE!``, ``#N/A`` or ``#NUM!``,
exactly the strings xlwings turns into real error values, so ``IFERROR`` works); the other
cells keep their values, and ``SGT_ERROR`` gives the reason in words.  A range goes through the vectorised functions of ``safeguard_time.bulk``
in one call (one per timescale), with the same answers and error texts as its cells one by
one.  The functions are plain Python: on Linux, and without xlwings installed, they are
ordinary callables (the xlwings decorators are only applied when xlwings imports).

>>> import datetime as dt
>>> SGT_WORKDAY(dt.date(2022, 12, 23), 1)          # Christmas and Boxing Day skipped
datetime.date(2022, 12, 28)
>>> SGT_WORKDAY([[45359], ["n/a"]], 1)              # a column: serial 45359 is Fri 8 Mar 2024
[[datetime.date(2024, 3, 11)], ['#VALUE!']]
>>> SGT_ERROR("SGT_WORKDAY", [[45359], ["n/a"]], 1)
[[''], ["'n/a' is not a date; leave the cell blank when there is no date"]]

Date cells are read by the library's one date grammar (see ``safeguard_time.parse_date``),
serial numbers (and serial text) in the workbook's date system.

See ``docs/excel.md`` for the argument forms and how to load the functions into Excel.
"""

from __future__ import annotations

import contextvars
import datetime as _dt
import importlib
import itertools
import math
import numbers
import operator
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Annotated, Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from safeguard_time import _dates
from safeguard_time._dates import SERIAL_RANGE, days_serial, parse_date, serial_days_array
from safeguard_time.calendar import Convention, england_and_wales
from safeguard_time.errors import (
    CalendarRangeError,
    EventOrderError,
    NoRuleInForceError,
    NotADateError,
    ProvisionalCalendarWarning,
    SafeguardTimeError,
    UnknownTimescaleError,
)

__all__ = [
    "ERROR_VALUES",
    "HOLIDAY_HEADERS",
    "RULE_HEADERS",
    "SGT_DUE",
    "SGT_ERROR",
    "SGT_EXPLAIN",
    "SGT_HOLIDAYS",
    "SGT_LATE",
    "SGT_NETWORKDAYS",
    "SGT_RULES",
    "SGT_STATUS",
    "SGT_WORKDAY",
    "SGT_WORKING_DAYS",
    "date_to_serial",
    "serial_to_date",
]

_F = TypeVar("_F", bound=Callable[..., Any])

# --- xlwings, when it is installed --------------------------------------------------------

# Argument annotations are read by xlwings (classic and Lite): ``Any`` selects its default
# converter, ``ndim=2`` keeps a range's shape (a column stays a column), and ``err_to_str``
# passes error cells in as their text so that they propagate instead of reading as empty.
Cells = Annotated[Any, {"ndim": 2, "err_to_str": True}]
"""A cell or a range, as xlwings passes it (always 2-D under xlwings)."""


def _xlwings_func() -> Callable[[Any], Any] | None:
    try:
        module = importlib.import_module("xlwings")
    except ImportError:  # the `excel` extra is not installed: plain Python functions
        return None
    func: Callable[[Any], Any] = module.func
    return func


_XLFUNC = _xlwings_func()


def _excel_function(f: _F) -> _F:
    """Register ``f`` with xlwings (a no-op on Linux or without xlwings), keeping it callable.

    xlwings shows the docstring in Excel's function wizard, so it is given the first line
    only; the full docstring (with its examples) is put back afterwards.
    """
    if _XLFUNC is None:
        return f
    full = f.__doc__
    f.__doc__ = (full or f.__name__).strip().splitlines()[0]
    try:
        registered: _F = _XLFUNC(f)
    finally:
        f.__doc__ = full
    registered.__doc__ = full
    return registered


# --- per-cell errors ----------------------------------------------------------------------


class _CellError(ValueError):
    """A cell cannot be used; ``text`` is what its result cell shows (starts with ``#``)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


#: The Excel error value a cell shows, by what went wrong (xlwings turns exactly these strings
#: into real error values, so ``IFERROR`` and ``ISERROR`` catch them).  ``SGT_ERROR`` gives
#: the reason in words.
ERROR_VALUES: dict[str, str] = {
    "a date or a count that cannot be read, an unknown option": "#VALUE!",
    "no rule of the timescale in force on the start date; an unknown timescale; ranges of "
    "different sizes": "#N/A",
    "a date or a result outside the calendar (1990-2099); an end before its start": "#NUM!",
}

# Whether error cells carry their reason after the error value (inside SGT_ERROR only).
_WITH_REASONS: contextvars.ContextVar[bool] = contextvars.ContextVar("reasons", default=False)


def _shown(text: str) -> str:
    """An error text as the cell shows it: the bare error value, or with its reason."""
    if _WITH_REASONS.get():
        return text
    return text.split(" ", 1)[0]


def _error_text(exc: Exception) -> str:
    if isinstance(exc, _CellError):
        return _shown(exc.text)
    if isinstance(exc, (CalendarRangeError, EventOrderError)):
        return _shown(f"#NUM! {exc}")
    if isinstance(exc, (NoRuleInForceError, UnknownTimescaleError)):
        return _shown(f"#N/A {exc}")
    return _shown(f"#VALUE! {exc}")


_CAUGHT = (_CellError, ValueError, TypeError, LookupError, ArithmeticError)

# --- reading cells ------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _passthrough(value: Any) -> None:
    """An error text coming in (``#N/A`` from another formula) goes out unchanged."""
    if isinstance(value, str) and value.strip().startswith("#"):
        raise _CellError(value.strip())


def serial_to_date(serial: float, date_system: int = 1900) -> _dt.date:
    """The date of an Excel serial number (the time of day, if any, is dropped).

    The 1900 system keeps Excel's fictitious 29 February 1900 (serial 60): serials from 61
    count from 1899-12-30, serials 1 to 59 from 1899-12-31, and 60 is refused.  This is the
    library's one serial conversion (``safeguard_time.parse_date`` reads serials with it).

    >>> serial_to_date(45359), serial_to_date(45359.75), serial_to_date(1)
    (datetime.date(2024, 3, 8), datetime.date(2024, 3, 8), datetime.date(1900, 1, 1))
    >>> serial_to_date(59), serial_to_date(61), serial_to_date(43897, 1904)
    (datetime.date(1900, 2, 28), datetime.date(1900, 3, 1), datetime.date(2024, 3, 8))

    Raises :class:`~safeguard_time.errors.NotADateError` (a ``ValueError``) for serial 60,
    serials below the first day of the date system or after 9999-12-31, non-finite numbers
    and booleans; its text says which.
    """
    return _dates.serial_to_date(serial, date_system)


def date_to_serial(day: _dt.date, date_system: int = 1900) -> int:
    """The Excel serial number of a date (1900 or 1904 system), the inverse of ``serial_to_date``.

    >>> date_to_serial(_dt.date(2024, 3, 8)), date_to_serial(_dt.date(2024, 3, 8), 1904)
    (45359, 43897)
    """
    return _dates.date_to_serial(day, date_system)


def _number_out_of_range(value: Any, date_system: int) -> bool:
    """Whether ``value`` is a finite number outside the serials of the date system."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return False
    if isinstance(value, numbers.Integral):
        whole = int(value)
    elif math.isfinite(float(value)):
        whole = math.floor(float(value))
    else:
        return False
    first, last = SERIAL_RANGE[date_system]
    return not first <= whole <= last


def _date(value: Any, date_system: int) -> _dt.date | None:
    """A cell as a date (the library's date grammar); ``None`` for an empty cell.

    The error cell is the grammar's reason: ``#NUM!`` for a number outside the serials of
    the date system, ``#VALUE!`` for everything else.
    """
    if _is_empty(value):
        return None
    _passthrough(value)
    try:
        day = parse_date(value, date_system=date_system)
    except NotADateError as exc:
        code = "#NUM!" if _number_out_of_range(value, date_system) else "#VALUE!"
        raise _CellError(f"{code} {exc}") from None
    if day is None:  # NaN, NaT: missing in Python, but not an empty cell of a sheet
        raise _CellError(f"#VALUE! not a date: {value!r}")
    return day


def _whole_number(value: Any) -> int | None:
    """A count of days: truncated toward zero like Excel's ``WORKDAY``; ``None`` if empty."""
    if _is_empty(value):
        return None
    _passthrough(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value)
    if isinstance(value, bool):
        raise _CellError(f"#VALUE! not a number of days: {value!r}")
    if isinstance(value, numbers.Real):
        if not math.isfinite(float(value)):
            raise _CellError(f"#NUM! not a number of days: {value!r}")
        return math.trunc(float(value))
    raise _CellError(f"#VALUE! not a number of days: {value!r}")


def _timescale(value: Any) -> str | None:
    if _is_empty(value):
        return None
    _passthrough(value)
    if not isinstance(value, str):
        raise _CellError(f"#VALUE! a timescale is text such as 'assessment', got {value!r}")
    return value.strip().lower()


# --- options (one per formula) --------------------------------------------------------------


def _scalar_option(value: Any, name: str) -> Any:
    while isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise _CellError(f"#VALUE! {name} must be a single cell")
        value = value[0]
    return None if _is_empty(value) else value


def _date_system(value: Any) -> int:
    value = _scalar_option(value, "date_system")
    if value is None:
        return 1900
    if not isinstance(value, bool) and str(value).strip() in {"1900", "1900.0", "1904", "1904.0"}:
        return int(float(value))
    raise _CellError(f"#VALUE! date_system must be 1900 or 1904, got {value!r}")


def _serial_flag(value: Any) -> bool:
    value = _scalar_option(value, "serial")
    if value is None:
        return False
    if isinstance(value, str) and value.strip().upper() in {"TRUE", "FALSE"}:
        return value.strip().upper() == "TRUE"
    if isinstance(value, numbers.Real) and float(value) in (0.0, 1.0):
        return bool(value)
    raise _CellError(f"#VALUE! serial must be TRUE or FALSE, got {value!r}")


def _convention(value: Any) -> Convention:
    value = _scalar_option(value, "convention")
    if value is None:
        return Convention.EVENT_DAY_ZERO
    try:
        return Convention.parse(str(value))
    except SafeguardTimeError as exc:
        raise _CellError(f"#VALUE! {exc}") from None


def _out(day: _dt.date, date_system: int, serial: bool) -> _dt.date | int:
    return date_to_serial(day, date_system) if serial else day


# --- shapes: a cell, a row (1-D) or a range (2-D), broadcast like Excel ---------------------

_MISSING = object()  # a position outside a smaller range: Excel shows #N/A there
_NA_TEXT = "#N/A the ranges given to this formula differ in size"


def _grid(value: Any) -> tuple[list[list[Any]], int]:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        kinds = set(map(type, value))
        if kinds == {list}:  # the usual range: rows are read, never changed, so not copied
            return list(value), 2
        if value and all(isinstance(row, (list, tuple)) for row in value):
            return list(map(list, value)), 2
        return [list(value)], 1
    return [[value]], 0


def _at(grid: list[list[Any]], i: int, j: int) -> Any:
    r = 0 if len(grid) == 1 else i
    if r >= len(grid):
        return _MISSING
    row = grid[r]
    c = 0 if len(row) == 1 else j
    return row[c] if c < len(row) else _MISSING


def _lift(fn: Callable[..., Any], *args: Any) -> Any:
    """Apply ``fn`` cell by cell over the broadcast shape of ``args``; errors stay per cell."""
    grids = [_grid(a) for a in args]
    ndim = max(g[1] for g in grids)
    if any(not row for g, _ in grids for row in g):
        return []  # an empty range in, an empty result out
    rows = max(len(g) for g, _ in grids)
    cols = max((len(row) for g, _ in grids for row in g), default=0)
    out: list[list[Any]] = []
    with warnings.catch_warnings():
        # A provisional result (bank holidays after the verified horizon) shows its value;
        # SGT_EXPLAIN says so in words.  The warning never becomes a cell error.
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        for i in range(rows):
            row = []
            for j in range(cols):
                cells = [_at(g, i, j) for g, _ in grids]
                if any(c is _MISSING for c in cells):
                    row.append(_shown(_NA_TEXT))
                    continue
                try:
                    row.append(fn(*cells))
                except _CAUGHT as exc:
                    row.append(_error_text(exc))
            out.append(row)
    if ndim == 0:
        return out[0][0]
    if ndim == 1:
        return out[0]
    return out


# --- ranges: one bulk call per range ---------------------------------------------------------
#
# A range is read once into numpy columns (days since 1970-01-01 for dates, integers for
# counts, text for timescales), each cell with a state: usable, empty, or "for the scalar
# path" (a cell that does not parse, an error coming in, or a value outside what the bulk
# path handles).  The usable positions go to ``safeguard_time.bulk`` in one call; the
# others, and the rows bulk reports as errors, are computed by the per-cell function, so
# every error text is exactly the one a single cell shows.

_OK, _EMPTY, _SCALAR = 0, 1, 2
_NAT = int(np.iinfo(np.int64).min)  # numpy's NaT as int64 days
_EPOCH_ORD = _dt.date(1970, 1, 1).toordinal()
_MAX_DAYS = 1_000_000  # |days| beyond this cannot land in the calendar: the scalar says why
_EXACT_INT = 2**53  # integers a float holds exactly (serials are read as floats)


class _Column(NamedTuple):
    """The cells of one argument, read once: ``values`` and a state per cell."""

    values: npt.NDArray[Any]
    state: npt.NDArray[np.int8]


_Reader = Callable[[list[Any]], _Column]


def _column(values: list[Any], states: list[int], dtype: Any) -> _Column:
    return _Column(np.array(values, dtype=dtype), np.array(states, dtype=np.int8))


def _serial_days(serials: npt.NDArray[np.float64], system: int) -> tuple[Any, Any]:
    """Serial numbers as days since 1970-01-01, and which are valid (as ``serial_to_date``)."""
    return serial_days_array(serials, system)


def _uniform_dates(cells: list[Any], system: int) -> _Column | None:
    """A range of one kind of cell (all serials, all dates, all naive datetimes), at C speed.

    None when the range mixes kinds (or holds anything else): it is then read cell by cell.
    """
    kinds = set(map(type, cells))
    if kinds <= {float, int}:
        try:
            serials = np.array(cells, dtype=np.float64)
        except OverflowError:  # an integer too large for a float: cell by cell
            return None
        days, valid = _serial_days(serials, system)
        state = np.where(valid, _OK, _SCALAR).astype(np.int8)
        return _Column(np.where(valid, days, _NAT), state)
    if kinds == {_dt.date} or (kinds == {_dt.datetime} and not any(map(_TZINFO, cells))):
        ordinals = np.fromiter(map(_dt.date.toordinal, cells), np.int64, len(cells))
        return _Column(ordinals - _EPOCH_ORD, np.zeros(len(cells), dtype=np.int8))
    return None


_TZINFO = operator.attrgetter("tzinfo")


def _date_reader(system: int) -> _Reader:
    def read(cells: list[Any]) -> _Column:
        uniform = _uniform_dates(cells, system)
        if uniform is not None:
            return uniform
        days: list[int] = []
        states: list[int] = []
        numbers_at: list[int] = []
        numbers: list[float] = []
        texts: dict[str, tuple[int, int]] = {}
        for k, v in enumerate(cells):
            t = type(v)
            if (t is float or t is int) and -_EXACT_INT < v < _EXACT_INT:
                numbers_at.append(k)
                numbers.append(v)
                days.append(_NAT)
                states.append(_OK)
                continue
            if t is _dt.date or (t is _dt.datetime and v.tzinfo is None):
                days.append(v.toordinal() - _EPOCH_ORD)
                states.append(_OK)
                continue
            if t is str and v in texts:
                day, state = texts[v]
            else:
                try:
                    d = _date(v, system)
                except _CAUGHT:
                    day, state = _NAT, _SCALAR
                else:
                    day, state = (_NAT, _EMPTY) if d is None else (d.toordinal() - _EPOCH_ORD, _OK)
                if t is str:
                    texts[v] = day, state
            days.append(day)
            states.append(state)
        col = _column(days, states, np.int64)
        if numbers:
            at = np.array(numbers_at, dtype=np.int64)
            serial_days, valid = _serial_days(np.array(numbers, dtype=np.float64), system)
            col.values[at] = np.where(valid, serial_days, _NAT)
            col.state[at] = np.where(valid, _OK, _SCALAR)
        return col

    return read


def _read_counts(cells: list[Any]) -> _Column:
    counts: list[int] = []
    states: list[int] = []
    for v in cells:
        t = type(v)
        n: int | None
        if t is int:
            n = v
        elif t is float and math.isfinite(v):
            n = math.trunc(v)
        else:
            try:
                n = _whole_number(v)
            except _CAUGHT:
                counts.append(0)
                states.append(_SCALAR)
                continue
        if n is None:
            counts.append(0)
            states.append(_EMPTY)
        elif -_MAX_DAYS <= n <= _MAX_DAYS:
            counts.append(n)
            states.append(_OK)
        else:
            counts.append(0)
            states.append(_SCALAR)
    return _column(counts, states, np.int64)


def _read_timescales(cells: list[Any]) -> _Column:
    names: list[str | None] = []
    states: list[int] = []
    for v in cells:
        try:
            ts = _timescale(v)
        except _CAUGHT:
            names.append(None)
            states.append(_SCALAR)
        else:
            names.append(ts)
            states.append(_EMPTY if ts is None else _OK)
    values = np.empty(len(names), dtype=object)
    values[:] = names
    return _Column(values, np.array(states, dtype=np.int8))


def _broadcast_index(lengths: npt.NDArray[np.int64], rows: int, cols: int) -> npt.NDArray[np.int64]:
    """For each output position, the index of its cell in a grid flattened (-1: none).

    ``lengths`` are the grid's row lengths.  The same positions as ``_at``: a single row or
    column is repeated, and positions outside a smaller range have no cell.
    """
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    i = np.arange(rows, dtype=np.int64)[:, None]
    j = np.arange(cols, dtype=np.int64)[None, :]
    r = np.zeros_like(i) if len(lengths) == 1 else i
    r_in = r < len(lengths)
    r = np.minimum(r, len(lengths) - 1)
    c = np.where(lengths[r] == 1, 0, j)
    inside = r_in & (c < lengths[r])
    index: npt.NDArray[np.int64] = np.where(inside, offsets[r] + c, -1).ravel()
    return index


# ``many`` gets the usable positions' values, one array per argument, and returns their
# results (an object array) and which of them bulk could not compute.
_Many = Callable[[list[npt.NDArray[Any]]], tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]]


def _lift_ranges(
    one: Callable[..., Any],
    many: _Many,
    args: Sequence[Any],
    readers: Sequence[_Reader],
    blank_when_empty: Sequence[bool],
) -> Any:
    """``_lift(one, *args)``, with ranges computed by ``many`` in one bulk call.

    ``one`` computes a single cell (and every cell ``many`` cannot); ``readers`` read each
    argument's cells; an empty cell in an argument marked in ``blank_when_empty`` gives an
    empty result.  A single cell goes to ``one`` directly.
    """
    grids = [_grid(a) for a in args]
    ndim = max(g[1] for g in grids)
    lengths = [np.fromiter(map(len, g), np.int64, len(g)) for g, _ in grids]
    if ndim == 0 or any(not n.all() for n in lengths):
        return _lift(one, *args)
    rows = max(len(g) for g, _ in grids)
    cols = max(int(n.max()) for n in lengths)
    flat = [list(itertools.chain.from_iterable(g)) for g, _ in grids]
    index = [_broadcast_index(n, rows, cols) for n in lengths]
    columns = [read(cells) for read, cells in zip(readers, flat, strict=True)]
    missing = np.zeros(rows * cols, dtype=np.bool_)
    scalar = np.zeros(rows * cols, dtype=np.bool_)
    blank = np.zeros(rows * cols, dtype=np.bool_)
    for ix, col, blanks in zip(index, columns, blank_when_empty, strict=True):
        missing |= ix < 0
        state = col.state[np.maximum(ix, 0)]
        scalar |= state == _SCALAR
        if blanks:
            blank |= state == _EMPTY
    scalar &= ~missing
    blank &= ~missing & ~scalar
    out = np.empty(rows * cols, dtype=object)
    out[missing] = _shown(_NA_TEXT)
    out[blank] = ""
    todo = np.flatnonzero(~(missing | scalar | blank))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        if len(todo):
            results, failed = many(
                [col.values[ix[todo]] for ix, col in zip(index, columns, strict=True)]
            )
            out[todo] = results
            scalar[todo[failed]] = True
        for p in np.flatnonzero(scalar).tolist():
            cells = [cells[ix[p]] for cells, ix in zip(flat, index, strict=True)]
            try:
                out[p] = one(*cells)
            except _CAUGHT as exc:
                out[p] = _error_text(exc)
    if ndim == 1:
        result: list[Any] = out.tolist()
        return result
    return out.reshape(rows, cols).tolist()


def _dates_out(
    days: npt.NDArray[np.int64], system: int, as_serial: bool
) -> npt.NDArray[np.object_]:
    """Days since 1970-01-01 as dates, or as serial numbers (``date_to_serial``), per cell."""
    if not as_serial:
        dates: npt.NDArray[np.object_] = days.view("datetime64[D]").astype(object)
        return dates
    out: npt.NDArray[np.object_] = days_serial(days, system).astype(object)
    return out


def _as_dates(days: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    return days.astype(np.int64, copy=False).view("datetime64[D]")


def _by_timescale(
    names: npt.NDArray[np.object_],
    compute: Callable[[str, npt.NDArray[np.bool_]], tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
    """Apply ``compute`` once per timescale named in ``names`` (a bulk call each)."""
    results = np.empty(len(names), dtype=object)
    failed = np.zeros(len(names), dtype=np.bool_)
    for name in dict.fromkeys(names.tolist()):
        rows = names == name
        try:
            values, bad = compute(name, rows)
        except _CAUGHT:  # e.g. an unknown timescale or a missing phase: each cell says so
            failed[rows] = True
            continue
        results[rows] = values
        failed[rows] = bad
    return results, failed


def _options_or_error(read: Callable[[], Any]) -> tuple[Any, str | None]:
    try:
        return read(), None
    except _CellError as exc:
        return None, exc.text


def _fail(text: str) -> Callable[..., Any]:
    def fail(*_cells: Any) -> Any:
        raise _CellError(text)

    return fail


# --- the functions ------------------------------------------------------------------------


def _bulk() -> Any:
    """``safeguard_time.bulk``, imported on the first range (not when this module loads)."""
    from safeguard_time import bulk  # noqa: PLC0415 - the array path loads on first use

    return bulk


@_excel_function
def SGT_WORKDAY(
    start_date: Cells, days: Cells, date_system: Any = 1900, serial: Any = False
) -> Any:
    """Excel's WORKDAY with the England & Wales bank holidays built in.

    The start is day 0 whatever day it is; ``days = 0`` returns the start itself; negative
    ``days`` count back; fractional ``days`` are truncated toward zero, as in Excel.

    Args:
        start_date: a date, a serial number, ISO or day-first text; a cell or a range.
        days: working days to add (a cell or a range).
        date_system: 1900 (default) or 1904, for serial numbers in and out.
        serial: TRUE to return serial numbers instead of dates.

    >>> import datetime as dt
    >>> SGT_WORKDAY("09/03/2024", [1, 0, -1])      # a Saturday: Mon, itself, Fri
    [datetime.date(2024, 3, 11), datetime.date(2024, 3, 9), datetime.date(2024, 3, 8)]
    >>> SGT_WORKDAY(dt.date(2024, 3, 29), 1, serial=True)   # Good Friday -> Tue 2 Apr 2024
    45384
    """
    opts, err = _options_or_error(lambda: (_date_system(date_system), _serial_flag(serial)))
    if err is not None:
        return _lift(_fail(err), start_date, days)
    system, as_serial = opts
    cal = england_and_wales()

    def one(start: Any, n: Any) -> Any:
        day, count = _date(start, system), _whole_number(n)
        if day is None or count is None:
            return ""
        return _out(cal.add_working_days(day, count), system, as_serial)

    def many(cols: list[npt.NDArray[Any]]) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        starts, counts = cols
        due = _bulk().add_working_days(_as_dates(starts), counts, calendar=cal, errors="coerce")
        return _dates_out(due.view(np.int64), system, as_serial), np.isnat(due)

    readers = (_date_reader(system), _read_counts)
    return _lift_ranges(one, many, (start_date, days), readers, (True, True))


def _date_pair(system: int) -> tuple[_Reader, _Reader]:
    read = _date_reader(system)
    return read, read


@_excel_function
def SGT_NETWORKDAYS(start_date: Cells, end_date: Cells, date_system: Any = 1900) -> Any:
    """Excel's NETWORKDAYS with the England & Wales bank holidays built in.

    Working days from start to end, both counted; negative when end is before start.

    >>> SGT_NETWORKDAYS("2022-12-19", ["2022-12-30", "2022-12-19", "2022-12-25"])
    [8, 1, 5]
    >>> SGT_NETWORKDAYS("2022-12-30", "2022-12-19")
    -8
    """
    system, err = _options_or_error(lambda: _date_system(date_system))
    if err is not None:
        return _lift(_fail(err), start_date, end_date)
    cal = england_and_wales()

    def one(start: Any, end: Any) -> Any:
        a, b = _date(start, system), _date(end, system)
        if a is None or b is None:
            return ""
        return cal.networkdays(a, b)

    def many(cols: list[npt.NDArray[Any]]) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        # NETWORKDAYS(a, b) = elapsed(a, b) + working(a) for b >= a, and
        # -(elapsed(b, a) + working(b)) for b < a: both ends counted, signed.
        a, b = cols
        lo, hi = _as_dates(np.minimum(a, b)), _as_dates(np.maximum(a, b))
        bulk = _bulk()
        elapsed = bulk.working_days_between(lo, hi, calendar=cal, errors="coerce")
        working = bulk.is_working_day(lo, calendar=cal, errors="coerce")
        count = elapsed.filled(0).astype(np.int64) + working.filled(False)
        count = np.where(b >= a, count, -count)
        failed = np.ma.getmaskarray(elapsed) | np.ma.getmaskarray(working)
        return count.astype(object), failed

    return _lift_ranges(one, many, (start_date, end_date), _date_pair(system), (True, True))


@_excel_function
def SGT_WORKING_DAYS(
    start_date: Cells, end_date: Cells, convention: Any = "", date_system: Any = 1900
) -> Any:
    """Working days elapsed from start to end (days after the start, up to and including end).

    The library's count: ``SGT_WORKING_DAYS(x, SGT_WORKDAY(x, n)) = n``.  With
    ``convention = "next_working_day_zero"`` a non-working start counts from the next
    working day (``NETWORKDAYS - 1``).

    >>> SGT_WORKING_DAYS("16/09/2022", "23/09/2022")    # Mon 19th: the state funeral
    4
    >>> SGT_WORKING_DAYS("2024-03-09", "2024-03-12", "next_working_day_zero")
    1
    """
    opts, err = _options_or_error(lambda: (_convention(convention), _date_system(date_system)))
    if err is not None:
        return _lift(_fail(err), start_date, end_date)
    conv, system = opts
    cal = england_and_wales()

    def one(start: Any, end: Any) -> Any:
        a, b = _date(start, system), _date(end, system)
        if a is None or b is None:
            return ""
        return cal.working_days_between(a, b, convention=conv)

    def many(cols: list[npt.NDArray[Any]]) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        a, b = cols
        count = _bulk().working_days_between(
            _as_dates(a), _as_dates(b), calendar=cal, convention=conv, errors="coerce"
        )
        return count.filled(0).astype(np.int64).astype(object), np.ma.getmaskarray(count)

    return _lift_ranges(one, many, (start_date, end_date), _date_pair(system), (True, True))


def _deadline(timescale: Any, start: Any, conv: Convention, system: int, phase: str | None) -> Any:
    from safeguard_time.deadlines import deadline  # noqa: PLC0415 - the rules load on first use

    ts, day = _timescale(timescale), _date(start, system)
    if ts is None or day is None:
        return None
    return deadline(ts, day, convention=conv, phase=phase)


def _phase(value: Any) -> str | None:
    value = _scalar_option(value, "phase")
    if value is None:
        return None
    if not isinstance(value, str):
        raise _CellError(f"#VALUE! phase is text such as 'first_year', got {value!r}")
    return value.strip().lower()


@_excel_function
def SGT_DUE(
    timescale: Cells,
    start_date: Cells,
    convention: Any = "",
    date_system: Any = 1900,
    serial: Any = False,
    phase: Any = "",
) -> Any:
    """The statutory due date of a timescale for a case that started on ``start_date``.

    The rule in force on the start date applies (see ``SGT_RULES``).  ``phase`` picks the
    interval of a phased timescale (``lac_visit``: ``first_year``, ``until_18`` or ``other``;
    ``private_fostering_visit``: ``first_year`` or ``after_first_year``).

    >>> SGT_DUE("assessment", "08/03/2024")
    datetime.date(2024, 5, 15)
    >>> SGT_DUE("initial_assessment", "2014-02-03")
    '#N/A'
    >>> SGT_ERROR("SGT_DUE", "initial_assessment", "2014-02-03")
    "no rule for 'initial_assessment' was in force on 2014-02-03; the rule that applied then was 'assessment'"
    >>> SGT_DUE("lac_visit", "2024-03-08", "", 1900, False, "first_year")   # 6 weeks
    datetime.date(2024, 4, 19)
    """
    opts, err = _options_or_error(
        lambda: (
            _convention(convention),
            _date_system(date_system),
            _serial_flag(serial),
            _phase(phase),
        )
    )
    if err is not None:
        return _lift(_fail(err), timescale, start_date)
    conv, system, as_serial, ph = opts

    def one(ts: Any, start: Any) -> Any:
        d = _deadline(ts, start, conv, system, ph)
        return "" if d is None else _out(d.due, system, as_serial)

    def many(cols: list[npt.NDArray[Any]]) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        names, starts = cols

        def compute(name: str, rows: npt.NDArray[np.bool_]) -> tuple[Any, Any]:
            d = _bulk().deadlines(name, _as_dates(starts[rows]), convention=conv, phase=ph)
            return _dates_out(d.due.view(np.int64), system, as_serial), np.isnat(d.due)

        return _by_timescale(names, compute)

    readers = (_read_timescales, _date_reader(system))
    return _lift_ranges(one, many, (timescale, start_date), readers, (True, True))


def _assessment(
    timescale: Any,
    start: Any,
    completed: Any,
    as_of: Any,
    conv: Convention,
    system: int,
    phase: str | None,
) -> Any:
    from safeguard_time.deadlines import assess  # noqa: PLC0415 - the rules load on demand

    ts = _timescale(timescale)
    day = _date(start, system)
    if ts is None or day is None:
        return None
    try:
        done = _date(completed, system)
        judged_on = _date(as_of, system)
    except _CellError:
        # The start's own problems come first, as in bulk: let the core raise them.
        assess(ts, day, day, convention=conv, phase=phase)
        raise
    return assess(ts, day, done, as_of=judged_on, convention=conv, phase=phase)


def _assess_many(
    conv: Convention, phase: str | None, pick: Callable[[Any], npt.NDArray[Any]]
) -> _Many:
    """``many`` of SGT_STATUS / SGT_LATE: one ``bulk.assess`` per timescale, ``pick`` its result."""

    def many(cols: list[npt.NDArray[Any]]) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        names, starts, ends, as_of = cols

        def compute(name: str, rows: npt.NDArray[np.bool_]) -> tuple[Any, Any]:
            e = ends[rows]
            open_ = e == _NAT
            # as_of judges the open cases only; one date for all of them is one scalar
            judged = as_of[rows][open_]
            on: Any = None
            if len(judged):
                on = _as_dates(judged[:1])[0] if (judged == judged[0]).all() else None
                if on is None:
                    on = _as_dates(np.where(open_, as_of[rows], _NAT))
            r = _bulk().assess(
                name, _as_dates(starts[rows]), _as_dates(e), as_of=on, convention=conv, phase=phase
            )
            return pick(r).astype(object), r.status < 0

        return _by_timescale(names, compute)

    return many


def _late_cells(r: Any) -> npt.NDArray[np.object_]:
    """Working days late as cells: a number, or blank where there is none (not applicable)."""
    cells = np.ma.getdata(r.late).astype(np.int64).astype(object)
    cells[np.ma.getmaskarray(r.late)] = ""
    return np.asarray(cells, dtype=object)


def _status_args(system: int) -> tuple[_Reader, ...]:
    read = _date_reader(system)
    return _read_timescales, read, read, read


@_excel_function
def SGT_STATUS(
    timescale: Cells,
    start_date: Cells,
    completed: Cells,
    as_of: Cells,
    convention: Any = "",
    date_system: Any = 1900,
    phase: Any = "",
) -> Any:
    """Whether the timescale was met: met, missed, open_in_time or open_overdue.

    An empty ``completed`` means the case is still open; it is then judged on ``as_of``
    (there is no hidden "today": pass ``TODAY()`` if that is what you mean).  ``phase`` as
    in ``SGT_DUE``.

    >>> SGT_STATUS("assessment", "2024-03-08", ["2024-05-15", "2024-05-16", None], "2024-05-20")
    ['met', 'missed', 'open_overdue']
    """
    opts, err = _options_or_error(
        lambda: (_convention(convention), _date_system(date_system), _phase(phase))
    )
    if err is not None:
        return _lift(_fail(err), timescale, start_date, completed, as_of)
    conv, system, ph = opts

    def one(ts: Any, start: Any, done: Any, on: Any) -> Any:
        a = _assessment(ts, start, done, on, conv, system, ph)
        return "" if a is None else str(a.status.value)

    many = _assess_many(conv, ph, lambda r: r.status_names())
    args = (timescale, start_date, completed, as_of)
    return _lift_ranges(one, many, args, _status_args(system), (True, True, False, False))


@_excel_function
def SGT_LATE(
    timescale: Cells,
    start_date: Cells,
    completed: Cells,
    as_of: Cells,
    convention: Any = "",
    date_system: Any = 1900,
    phase: Any = "",
) -> Any:
    """Working days after the due date (0 when in time); arguments as ``SGT_STATUS``.

    >>> SGT_LATE("initial_cp_conference", "2024-01-10", "", ["2024-01-31", "2024-02-02"])
    [0, 2]
    """
    opts, err = _options_or_error(
        lambda: (_convention(convention), _date_system(date_system), _phase(phase))
    )
    if err is not None:
        return _lift(_fail(err), timescale, start_date, completed, as_of)
    conv, system, ph = opts

    def one(ts: Any, start: Any, done: Any, on: Any) -> Any:
        a = _assessment(ts, start, done, on, conv, system, ph)
        return "" if a is None or a.late is None else a.late

    many = _assess_many(conv, ph, _late_cells)
    args = (timescale, start_date, completed, as_of)
    return _lift_ranges(one, many, args, _status_args(system), (True, True, False, False))


@_excel_function
def SGT_EXPLAIN(
    timescale: Cells,
    start_date: Cells,
    convention: Any = "",
    date_system: Any = 1900,
    phase: Any = "",
) -> Any:
    """One paragraph: the due date, the rule, its edition and citation, the days skipped.

    A result that depends on projected bank holidays (after the verified years) says
    "Provisional" here; the other functions show the value alone.  Text per cell: ranges
    are explained cell by cell.

    >>> print(SGT_EXPLAIN("referral_decision", "16/09/2022"))
    Decision on a referral (referral_decision) is due on Tuesday 20 September 2022: ... Non-working weekdays skipped: Mon 19 Sep 2022 (State Funeral of Queen Elizabeth II)...
    """
    opts, err = _options_or_error(
        lambda: (_convention(convention), _date_system(date_system), _phase(phase))
    )
    if err is not None:
        return _lift(_fail(err), timescale, start_date)
    conv, system, ph = opts

    def one(ts: Any, start: Any) -> Any:
        d = _deadline(ts, start, conv, system, ph)
        return "" if d is None else d.explain()

    return _lift(one, timescale, start_date)


def _table(build: Callable[[], list[list[Any]]]) -> list[list[Any]]:
    """A spilled table, or a single error cell when its arguments are unusable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ProvisionalCalendarWarning)
            return build()
    except _CAUGHT as exc:
        return [[_error_text(exc)]]


HOLIDAY_HEADERS = ("date", "name", "kind", "source")
RULE_HEADERS = (
    "timescale",
    "title",
    "rule",
    "phase",
    "amount",
    "unit",
    "in_force_from",
    "in_force_until",
    "status",
    "edition",
    "document",
    "location",
    "url",
)


@_excel_function
def SGT_HOLIDAYS(date_from: Any, date_to: Any, date_system: Any = 1900, serial: Any = False) -> Any:
    """The non-working weekdays from one date to another, as a table with headers.

    Columns: date, name, kind (``bank_holiday``), source (``verified`` against GOV.UK, or
    ``projected`` for years after the verified horizon).

    >>> for row in SGT_HOLIDAYS("24/12/2022", "02/01/2023"):
    ...     print(row)
    ['date', 'name', 'kind', 'source']
    [datetime.date(2022, 12, 26), 'Boxing Day', 'bank_holiday', 'verified']
    [datetime.date(2022, 12, 27), 'Christmas Day (substitute day)', 'bank_holiday', 'verified']
    [datetime.date(2023, 1, 2), "New Year's Day (substitute day)", 'bank_holiday', 'verified']
    """

    def build() -> list[list[Any]]:
        system, as_serial = _date_system(date_system), _serial_flag(serial)
        lo = _date(_scalar_option(date_from, "date_from"), system)
        hi = _date(_scalar_option(date_to, "date_to"), system)
        if lo is None or hi is None:
            raise _CellError("#VALUE! SGT_HOLIDAYS needs both dates")
        if hi < lo:
            raise _CellError(
                f"#VALUE! date_to {hi.isoformat()} is before date_from {lo.isoformat()}"
            )
        cal = england_and_wales()
        rows: list[list[Any]] = [list(HOLIDAY_HEADERS)]
        for h in cal.holidays(lo, hi):
            source = "projected" if h.date.year > cal.verified_through else "verified"
            rows.append([_out(h.date, system, as_serial), h.name, h.kind, source])
        return rows

    return _table(build)


@_excel_function
def SGT_RULES(on_date: Any = None, date_system: Any = 1900, serial: Any = False) -> Any:
    """The rules of every timescale (or those in force on ``on_date``) as a table with headers.

    ``in_force_until`` is the first day a rule no longer applies (empty while it still does).

    >>> table = SGT_RULES("2024-03-08")
    >>> table[0][:6]
    ['timescale', 'title', 'rule', 'phase', 'amount', 'unit']
    >>> [row[2] for row in table if row[0] == "assessment"]
    ['assessment.wt2023']
    """
    from safeguard_time.rules import timescales  # noqa: PLC0415 - the rules load on first use

    def build() -> list[list[Any]]:
        system, as_serial = _date_system(date_system), _serial_flag(serial)
        on = _date(_scalar_option(on_date, "on_date"), system)
        rows: list[list[Any]] = [list(RULE_HEADERS)]
        for ts in timescales(on):
            for rule in ts.rules:
                span = rule.in_force()
                start, end = span if span is not None else (None, None)
                rows.append(
                    [
                        ts.id,
                        ts.title,
                        rule.id,
                        rule.phase or "",
                        rule.amount,
                        rule.unit,
                        "" if start is None else _out(start, system, as_serial),
                        "" if end is None else _out(end, system, as_serial),
                        rule.status,
                        rule.edition.title,
                        rule.citation.document,
                        rule.citation.location,
                        rule.citation.url or "",
                    ]
                )
        return rows

    return _table(build)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "SGT_WORKDAY": SGT_WORKDAY,
    "SGT_NETWORKDAYS": SGT_NETWORKDAYS,
    "SGT_WORKING_DAYS": SGT_WORKING_DAYS,
    "SGT_DUE": SGT_DUE,
    "SGT_STATUS": SGT_STATUS,
    "SGT_LATE": SGT_LATE,
    "SGT_EXPLAIN": SGT_EXPLAIN,
    "SGT_HOLIDAYS": SGT_HOLIDAYS,
    "SGT_RULES": SGT_RULES,
}


def _reasons(value: Any) -> Any:
    if isinstance(value, list):
        return [_reasons(v) for v in value]
    if isinstance(value, str) and value.startswith("#"):
        code, _, reason = value.partition(" ")
        return reason or code
    return ""


@_excel_function
def SGT_ERROR(function: Any, *args: Any) -> Any:
    """Why another SGT_ function gives an error value: the reason in words, per cell.

    ``SGT_ERROR("SGT_DUE", A2)`` takes the name of a function (from Python, the function
    itself, or a ``functools.partial`` of it for keyword arguments) and its arguments, and gives
    for each cell where that function shows ``#VALUE!``, ``#N/A`` or ``#NUM!`` the reason,
    and an empty text where it shows a result.  The error values themselves are Excel's, so
    ``IFERROR`` and ``ISERROR`` work on them (see :data:`ERROR_VALUES`).

    >>> SGT_DUE("assessment", ["2024-03-08", "31/02/2024", "2011-06-01"])
    [datetime.date(2024, 5, 15), '#VALUE!', '#N/A']
    >>> SGT_ERROR("SGT_DUE", "assessment", ["2024-03-08", "31/02/2024", "2011-06-01"])[:2]
    ['', "'31/02/2024' is not a date: February 2024 has 29 days, not 31"]
    """
    target: Callable[..., Any] | None
    if callable(function):  # from Python: the function itself (or a partial of it)
        target = function
    else:
        name = str(function).strip().upper()
        if not name.startswith("SGT_"):
            name = "SGT_" + name
        target = _FUNCTIONS.get(name)
    if target is None:
        return f"#VALUE! unknown function {function!r}; use one of: {', '.join(_FUNCTIONS)}"
    token = _WITH_REASONS.set(True)
    try:
        return _reasons(target(*args))
    finally:
        _WITH_REASONS.reset(token)
