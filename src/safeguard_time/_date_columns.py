"""Whole columns of date cells, read by the library's one date grammar, cell for cell.

The grammar itself, what is accepted and what is refused and why, lives in
:mod:`safeguard_time._dates`; this module reads whole columns by the same rules, faster:

- :func:`read_dates` (behind ``safeguard_time.parse_dates``) reads a column of any kind
  (Arrow, pandas, polars, numpy, a plain sequence) and gives, cell for cell, what
  :func:`~safeguard_time._dates.parse_date` gives: a date, nothing, or the reason;
- :func:`parse_column` / :func:`parse_columns` read Arrow string columns for the caseload
  scan, with the common forms handled as vectorised byte operations (see their
  docstrings) and every other cell read once per distinct value by :func:`parse_cell`.

>>> import pyarrow as pa
>>> parse_column(pa.array(["5/2/2024", "2023-06-30T23:30:00Z", "", "03/25/2024"])).days.tolist()[:2]
[19758, 19539]
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from safeguard_time._arrow import from_numpy, string_buffers, to_numpy
from safeguard_time._dates import (
    TIME,
    TIME_PARTS,
    ZONE,
    ZONE_PARTS,
    check_date_system,
    london_tz,
    parse_date,
    serial_days_array,
)
from safeguard_time._dates import parse_text as parse_cell
from safeguard_time.errors import NotADateError

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "NAT",
    "DateRowError",
    "ParsedColumn",
    "ParsedDates",
    "parse_cell",
    "parse_column",
    "parse_columns",
    "read_dates",
]

#: Days since 1970-01-01 of a missing or refused cell (the ``int64`` of ``NaT``).
NAT = int(np.iinfo(np.int64).min)

_EPOCH_ORD = _dt.date(1970, 1, 1).toordinal()

# The datetime forms of the grammar for Arrow's RE2, built from the grammar's own pieces.
# They are checked only on cells whose first ten bytes read as a date (``_dates_block``).
NAIVE_DATETIME = (
    rf"^(?:\d{{4}}[-/.]\d{{2}}[-/.]\d{{2}}[T ]|\d{{2}}[/.-]\d{{2}}[/.-]\d{{4}} ){TIME}$"
)
AWARE_DATETIME = rf"^\d{{4}}[-/.]\d{{2}}[-/.]\d{{2}}[T ]{TIME}{ZONE}$"
_AWARE_PARTS = rf"^\d{{4}}[-/.]\d{{2}}[-/.]\d{{2}}[T ]{TIME_PARTS}{ZONE_PARTS}$"


def cell_days(text: str, date_system: int = 1900) -> int | str:
    """Days since 1970-01-01 for a cell (:data:`NAT` if blank), or the reason it is refused.

    The reason is ``str()`` of the :class:`~safeguard_time.errors.NotADateError` that
    :func:`parse_cell` raises.  Answers are remembered (up to :data:`_CACHE_SIZE` distinct
    cells per date system), since a column holds the same few thousand dates over and over,
    block after block.

    >>> cell_days("1970-01-02"), cell_days(""), cell_days("n/a")
    (1, -9223372036854775808, "'n/a' is not a date; leave the cell blank when there is no date")
    """
    cache = _caches[date_system]
    found = cache.get(text)
    if found is not None:
        return found
    try:
        day = parse_cell(text, date_system)
    except NotADateError as exc:
        found = str(exc)
    else:
        found = NAT if day is None else day.toordinal() - _EPOCH_ORD
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[text] = found
    return found


_CACHE_SIZE = 1 << 18
_caches: dict[int, dict[str, int | str]] = {1900: {}, 1904: {}}


# --- whole columns --------------------------------------------------------------------------


@attrs.frozen(eq=False)
class ParsedColumn:
    """A column of cells read as dates.

    Attributes:
        days: days since 1970-01-01 per row; :data:`NAT` where blank or refused.
        bad: the rows refused, ascending.
        reasons: the reason for each row of ``bad``.
    """

    days: npt.NDArray[np.int64]
    bad: npt.NDArray[np.int64]
    reasons: list[str]

    @property
    def missing(self) -> npt.NDArray[np.bool_]:
        """Rows with no date: blank or refused."""
        return np.asarray(self.days == NAT, dtype=np.bool_)


_ISO_POS = ((0, 1, 2, 3, 5, 6, 8, 9), (4, 7))
_UK_POS = ((6, 7, 8, 9, 3, 4, 0, 1), (2, 5))
# Per year 0-9999 (0 unused): whether it is a leap year, and the days from 1970-01-01 to its
# 1 January (the proleptic Gregorian calendar: the sum of the years' lengths before it).
_YEARS = np.arange(10_000)
_LEAP = ((_YEARS & 3) == 0) & ((_YEARS % 100 != 0) | (_YEARS % 400 == 0))
_FROM_YEAR_ONE = np.concatenate([[0, 0], np.cumsum(365 + _LEAP[1:-1])])
_YEAR_START = (_FROM_YEAR_ONE - _FROM_YEAR_ONE[1970]).astype(np.int32)
# Per leap * 13 + month (1-12): the month's length, and the days before it in its year.
_NORMAL_MONTHS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
_LEAP_MONTHS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
_MONTH_LEN = np.array(_NORMAL_MONTHS + _LEAP_MONTHS, dtype=np.int16)
_MONTH_START = np.zeros(26, dtype=np.int32)
_MONTH_START[2:13] = np.cumsum(_MONTH_LEN[1:12])
_MONTH_START[15:26] = np.cumsum(_MONTH_LEN[14:25])


def days_from_civil(
    y: npt.NDArray[np.integer[Any]],
    m: npt.NDArray[np.integer[Any]],
    d: npt.NDArray[np.integer[Any]],
) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of valid proleptic Gregorian dates (years 1 to 9999).

    >>> days_from_civil(np.array([1970, 2024]), np.array([1, 3]), np.array([1, 5])).tolist()
    [0, 19787]
    """
    return _civil(y, _LEAP[y] * np.int16(13) + m, d)


def _civil(
    y: npt.NDArray[np.integer[Any]],
    month: npt.NDArray[np.integer[Any]],
    d: npt.NDArray[np.integer[Any]],
) -> npt.NDArray[np.int64]:
    """:func:`days_from_civil` with the month given as ``leap * 13 + month``; any ``y`` clipped."""
    days = _YEAR_START.take(y, mode="clip") + _MONTH_START[month] + d.astype(np.int32) - 1
    return np.asarray(days, dtype=np.int64)


def _ten_bytes(
    block: npt.NDArray[np.uint8], *, day_first: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Days and validity of 10-byte cells: ``YYYY-MM-DD``, or ``DD/MM/YYYY`` if ``day_first``.

    Either way one separator, ``-``, ``/`` or ``.``, used twice.
    """
    t = np.ascontiguousarray(block.T)  # one contiguous row per character position
    t -= np.uint8(48)  # digits become 0-9; "-", ".", "/" wrap round to 253-255
    digits, (sep1, sep2) = _UK_POS if day_first else _ISO_POS
    ok = (t[sep1] >= 253) & (t[sep2] == t[sep1])
    for p in digits:
        ok &= t[p] <= 9
    w = t.astype(np.int16)
    # A cell that is not all digits gives any y (int16 wraps): the year tables are clipped.
    y = ((w[digits[0]] * 10 + w[digits[1]]) * 10 + w[digits[2]]) * 10 + w[digits[3]]
    m = w[digits[4]] * 10 + w[digits[5]]
    d = w[digits[6]] * 10 + w[digits[7]]
    ok &= (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1)
    month = _LEAP.take(y, mode="clip") * np.int16(13) + np.where(ok, m, 1)
    ok &= d <= _MONTH_LEN[month]
    return _civil(y, month, d), ok


def _gather(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.integer[Any]], width: int
) -> npt.NDArray[np.uint8]:
    """The ``width`` bytes from each of ``starts`` as a ``(k, width)`` array (cells that long)."""
    # A view whose element i is the bytes from byte i: one gather, no index matrix.
    view = np.ndarray(shape=(len(data) - width + 1,), dtype=f"S{width}", buffer=data, strides=(1,))
    gathered: npt.NDArray[np.uint8] = view[starts].view(np.uint8).reshape(-1, width)
    return gathered


def _dates_block(
    block: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Days, validity and ISO-ness of 10-byte dates: ``YYYY-MM-DD``, else ``DD/MM/YYYY``."""
    days, ok = _ten_bytes(block, day_first=False)
    iso = ok.copy()
    rest = np.flatnonzero(~ok)
    if len(rest):
        uk_days, uk_ok = _ten_bytes(block[rest], day_first=True)
        days[rest] = uk_days
        ok[rest] = uk_ok
    return days, ok, iso


# Short dates, as (positions in the cell; -1 for a "0" put in) spelling out the 10-byte form.
_Z = -1
_SHORT_LAYOUTS: dict[int, tuple[tuple[tuple[int, ...], bool], ...]] = {
    8: (
        ((_Z, 0, 1, _Z, 2, 3, 4, 5, 6, 7), True),  # D/M/YYYY
        ((0, 1, 2, 3, 4, _Z, 5, 6, _Z, 7), False),  # YYYY-M-D
    ),
    9: (
        ((0, 1, 2, _Z, 3, 4, 5, 6, 7, 8), True),  # DD/M/YYYY
        ((_Z, 0, 1, 2, 3, 4, 5, 6, 7, 8), True),  # D/MM/YYYY
        ((0, 1, 2, 3, 4, 5, 6, 7, _Z, 8), False),  # YYYY-MM-D
        ((0, 1, 2, 3, 4, _Z, 5, 6, 7, 8), False),  # YYYY-M-DD
    ),
}


def _short_dates(
    block: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Days and validity of 8- or 9-byte dates with one-digit day or month."""
    k, width = block.shape
    padded = np.empty((k, width + 1), dtype=np.uint8)
    padded[:, :width] = block
    padded[:, width] = ord("0")
    days = np.full(k, NAT, dtype=np.int64)
    ok = np.zeros(k, dtype=np.bool_)
    for layout, day_first in _SHORT_LAYOUTS[width]:
        rest = np.flatnonzero(~ok)
        if not len(rest):
            break
        index = [width if i == _Z else i for i in layout]
        got, good = _ten_bytes(padded[rest][:, index], day_first=day_first)
        days[rest[good]] = got[good]
        ok[rest[good]] = True
    return days, ok


def _two(t: npt.NDArray[np.uint8], i: int) -> npt.NDArray[np.int32]:
    return np.asarray(t[i].astype(np.int32) * 10 + t[i + 1], dtype=np.int32)


def _digits(t: npt.NDArray[np.uint8], *positions: int) -> npt.NDArray[np.bool_]:
    ok = np.asarray(t[positions[0]] <= 9, dtype=np.bool_)
    for p in positions[1:]:
        ok &= t[p] <= 9
    return ok


_COLON, _ZULU, _PLUS, _MINUS = (np.uint8((c - 48) % 256) for c in b":Z+-")
_TEE, _SPACE = (np.uint8((c - 48) % 256) for c in b"T ")
_TIMED_LENGTHS = (16, 17, 19, 20, 22, 25)


def _timed(
    block: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """London days and validity of the common datetime layouts (one length per call).

    ``DATE[T ]HH:MM[:SS]`` (naive; ``DD/MM/YYYY HH:MM[:SS]`` too), and ISO dates with
    ``HH:MM[:SS]`` followed by ``Z`` or ``+HH:MM``/``-HH:MM`` (aware).
    """
    width = block.shape[1]
    days, ok, iso = _dates_block(block[:, :10])
    t = np.ascontiguousarray(block.T)
    t -= np.uint8(48)
    ok &= (iso & (t[10] == _TEE)) | (t[10] == _SPACE)
    ok &= _digits(t, 11, 12, 14, 15) & (t[13] == _COLON)
    ok &= (_two(t, 11) <= 23) & (_two(t, 14) <= 59)
    seconds = np.zeros(len(days), dtype=np.int32)
    zone: int | None = None  # where the zone starts, if any
    if width in (19, 20, 25):
        ok &= (t[16] == _COLON) & _digits(t, 17, 18)
        seconds = _two(t, 17)
        ok &= seconds <= 59
        zone = {19: None, 20: 19, 25: 19}[width]
    elif width in (17, 22):
        zone = 16
    if zone is None:
        return days, ok
    ok &= iso
    offset = np.zeros(len(days), dtype=np.int64)
    if width - zone == 1:
        ok &= t[zone] == _ZULU
    else:
        sign = t[zone]
        ok &= ((sign == _PLUS) | (sign == _MINUS)) & _digits(
            t, zone + 1, zone + 2, zone + 4, zone + 5
        )
        ok &= t[zone + 3] == _COLON
        zh, zm = _two(t, zone + 1), _two(t, zone + 4)
        ok &= (zh <= 23) & (zm <= 59)
        offset = np.where(sign == _MINUS, -1, 1) * (zh.astype(np.int64) * 3600 + zm * 60)
    clock = _two(t, 11).astype(np.int64) * 3600 + _two(t, 14) * 60 + seconds
    utc = np.where(ok, days, 0) * 86400 + clock - offset
    london = london_days(utc)
    ok &= _in_python_range(london)  # else the cell reader says why
    return np.where(ok, london, NAT), ok


def _serials(
    block: npt.NDArray[np.uint8], date_system: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Days and validity of 5-digit Excel serial numbers (the grammar's one conversion)."""
    t = np.ascontiguousarray(block.T)
    t -= np.uint8(48)
    ok = _digits(t, 0, 1, 2, 3, 4)
    value = np.zeros(len(ok), dtype=np.int64)
    for i in range(5):
        value = value * 10 + t[i]
    days, valid = serial_days_array(np.where(ok, value, 0), date_system)
    return days, ok & valid


def london_days(utc_seconds: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The London date (days since 1970-01-01) of each UTC instant (seconds since the epoch).

    London is never behind UTC and at most two hours ahead, so only instants from 22:00 UTC
    can fall on the next London day; their offsets are looked up once per distinct hour.

    >>> london_days(np.array([1688167800, 1703979000])).tolist()  # 2023-06-30T23:30Z, 2023-12-30T23:30Z
    [19539, 19721]
    """
    day, tod = np.divmod(utc_seconds, 86400)
    late = np.flatnonzero(tod >= 22 * 3600)
    if len(late):
        hours, inverse = np.unique(utc_seconds[late] // 3600, return_inverse=True)
        tz = london_tz()
        offsets = np.array([_offset_seconds(tz, h) for h in hours.tolist()], dtype=np.int64)
        shifted = utc_seconds[late] + offsets[inverse]
        day = day.copy()
        day[late] = shifted // 86400
    return np.asarray(day, dtype=np.int64)


def _offset_seconds(tz: _dt.tzinfo, hour: int) -> int:
    try:
        moment = _UTC_EPOCH + _dt.timedelta(hours=hour)
        offset = moment.astimezone(tz).utcoffset()
    except (OverflowError, ValueError, OSError):  # beyond datetime's years: no London date
        return 0
    return int(offset.total_seconds()) if offset is not None else 0


_UTC_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def _string_buffers(arr: Any) -> tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.uint8]]:
    """Offsets and bytes of an Arrow string array (:func:`string_buffers`), room to gather."""
    offsets, data = string_buffers(arr)
    if len(data) < 64:  # room for the strided views of _gather
        data = np.concatenate([data, np.zeros(64, np.uint8)])
    return offsets, data


def parse_columns(arrays: Sequence[Any], *, date_system: int = 1900) -> list[ParsedColumn]:
    """Read several Arrow string columns as dates, as :func:`parse_column` reads each one.

    The columns are read together, a slice of at most :data:`_CHUNK` cells at a time: the
    work of one call hardly depends on its length up to there, and a slice that size stays
    in the processor's cache.

    >>> import pyarrow as pa
    >>> a, b = parse_columns([pa.array(["2024-03-05", "n/a"]), pa.array(["", "5/3/2024"])])
    >>> a.days.tolist()[:1], a.bad.tolist(), b.days.tolist()[1:], b.bad.tolist()
    ([19787], [1], [19787], [])
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    columns = [_plain_strings(arr) for arr in arrays]
    if len(columns) < 2:
        return [parse_column(arr, date_system=date_system) for arr in columns]
    if len({arr.type for arr in columns}) > 1:
        columns = [arr.cast(pa.large_string()) for arr in columns]
    whole = parse_column(pa.concat_arrays(columns), date_system=date_system)
    out = []
    start = 0
    for arr in columns:
        stop = start + len(arr)
        lo, hi = np.searchsorted(whole.bad, [start, stop]).tolist()
        out.append(
            ParsedColumn(whole.days[start:stop], whole.bad[lo:hi] - start, whole.reasons[lo:hi])
        )
        start = stop
    return out


def _plain_strings(arr: Any) -> Any:
    """``arr`` as one Arrow string array (chunks combined, a dictionary decoded)."""
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if _is_string_view(arr.type):  # no offsets buffer: cast to one that has them
        arr = arr.cast(pa.large_string())
    return arr


def _is_string_view(t: Any) -> bool:
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    is_view = getattr(pa.types, "is_string_view", None)  # pyarrow 16 and later
    return bool(is_view is not None and is_view(t))


def is_text_type(t: Any) -> bool:
    """Whether Arrow type ``t`` holds text: string, large_string, string_view, a dictionary."""
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    if pa.types.is_dictionary(t):
        t = t.value_type
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or _is_string_view(t))


#: Cells read by one pass of the vectorised reader (see :func:`parse_columns`).
_CHUNK = 1 << 17


def parse_column(arr: Any, *, date_system: int = 1900) -> ParsedColumn:
    """Read an Arrow string column as dates, cell for cell as :func:`parse_cell` would.

    A long column is read :data:`_CHUNK` cells at a time (see :func:`_parse_cells`).

    The common forms are read as byte arithmetic over the whole column, one cell length at
    a time: ISO and UK dates (``2024-03-05``, ``05/03/2024``, ``5/3/2024``), 5-digit Excel
    serials, and datetimes with or without ``Z``/``+01:00`` (aware ones converted to London
    dates in bulk); rarer datetime layouts are checked by one regular expression.  The rest
    (month names, odd forms, refused cells) are few distinct values in practice: each
    distinct value is read once with :func:`parse_cell`.

    >>> import pyarrow as pa
    >>> col = parse_column(pa.array(["2024-03-05", "5/3/2024", "", "31/02/2024", None]))
    >>> col.days.tolist()[:2], col.missing.tolist()
    ([19787, 19787], [False, False, True, True, True])
    >>> col.bad.tolist(), col.reasons
    ([3], ["'31/02/2024' is not a date: February 2024 has 29 days, not 31"])
    """
    system = check_date_system(date_system)
    arr = _plain_strings(arr)
    n = len(arr)
    if n <= _CHUNK:
        return _parse_cells(arr, system)
    parts = [_parse_cells(arr.slice(lo, _CHUNK), system) for lo in range(0, n, _CHUNK)]
    bad = [p.bad + lo for p, lo in zip(parts, range(0, n, _CHUNK), strict=True)]
    return ParsedColumn(
        np.concatenate([p.days for p in parts]),
        np.concatenate(bad),
        [reason for p in parts for reason in p.reasons],
    )


def _parse_cells(arr: Any, date_system: int) -> ParsedColumn:
    """Read one Arrow string array as dates, every cell (see :func:`parse_column`)."""
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    n = len(arr)
    days = np.full(n, NAT, dtype=np.int64)
    if n == 0:
        return ParsedColumn(days, np.zeros(0, np.int64), [])
    offsets, data = _string_buffers(arr)
    starts = offsets[:-1]
    lengths = offsets[1:] - starts
    todo = lengths > 0
    if arr.null_count:
        todo &= to_numpy(arr.is_valid())

    for width in (10, 8, 9, 5, *_TIMED_LENGTHS):
        rows = np.flatnonzero(todo & (lengths == width))
        if not len(rows):
            continue
        block = _gather(data, starts[rows], width)
        if width == 10:
            got, ok, _ = _dates_block(block)
        elif width == 5:
            got, ok = _serials(block, date_system)
        elif width < 10:
            got, ok = _short_dates(block)
        else:
            got, ok = _timed(block)
        days[rows[ok]] = got[ok]
        todo[rows[ok]] = False

    # Other datetimes (fractions of a second, +0100 zones): checked by regular expression.
    timed = np.flatnonzero(todo & (lengths >= 16) & (lengths <= 40))
    if len(timed):
        got, ok, _ = _dates_block(_gather(data, starts[timed], 10))
        sep = data[starts[timed] + 10]
        ok &= (sep == ord("T")) | (sep == ord(" "))
        timed, got = timed[ok], got[ok]
    if len(timed):
        sub = arr.take(from_numpy(timed))
        naive = to_numpy(pc.match_substring_regex(sub, NAIVE_DATETIME))
        days[timed[naive]] = got[naive]
        todo[timed[naive]] = False
        if not naive.all():
            aware = to_numpy(pc.match_substring_regex(sub, AWARE_DATETIME))
            if aware.any():
                rows = timed[aware]
                london = _aware_days(sub.filter(from_numpy(aware)), got[aware])
                inside = _in_python_range(london)  # else the cell reader says why
                days[rows[inside]] = london[inside]
                todo[rows[inside]] = False

    rest_rows = np.flatnonzero(todo)
    bad: list[npt.NDArray[np.int64]] = []
    reasons: list[str] = []
    if len(rest_rows):
        sub = arr.take(from_numpy(rest_rows))
        encoded = pc.dictionary_encode(sub)
        values = encoded.dictionary.to_pylist()
        codes = to_numpy(encoded.indices)
        results = [cell_days(v, date_system) for v in values]
        value_days = np.array([r if isinstance(r, int) else NAT for r in results], np.int64)
        days[rest_rows] = value_days[codes]
        refused = np.array([isinstance(r, str) for r in results], dtype=np.bool_)
        where = np.flatnonzero(refused[codes])
        if len(where):
            bad.append(rest_rows[where])
            texts = [results[c] for c in codes[where].tolist()]
            reasons.extend(t for t in texts if isinstance(t, str))
    bad_rows = bad[0] if bad else np.zeros(0, dtype=np.int64)
    return ParsedColumn(days, bad_rows, reasons)


_FIRST_DAY = _dt.date.min.toordinal() - _EPOCH_ORD
_LAST_DAY = _dt.date.max.toordinal() - _EPOCH_ORD


def _in_python_range(days: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which days are dates Python can hold (years 1 to 9999), as the cell reader requires."""
    return np.asarray((days >= _FIRST_DAY) & (days <= _LAST_DAY), dtype=np.bool_)


def _aware_days(sub: Any, dates: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """London dates of aware ISO datetimes whose date part is ``dates``."""
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    parts = pc.extract_regex(sub, _AWARE_PARTS)

    def num(name: str) -> npt.NDArray[np.int64]:
        field = parts.field(name)
        filled = pc.if_else(pc.equal(field, ""), "0", pc.fill_null(field, "0"))
        return np.asarray(filled.cast("int64").to_numpy(zero_copy_only=False), dtype=np.int64)

    sign = np.where(
        np.asarray(
            pc.equal(pc.fill_null(parts.field("sign"), "+"), "-").to_numpy(zero_copy_only=False)
        ),
        -1,
        1,
    )
    offset = sign * (num("zh") * 3600 + num("zm") * 60)
    seconds = dates * 86400 + num("h") * 3600 + num("m") * 60 + num("s") - offset
    return london_days(seconds)


# --- any column: parse_dates ----------------------------------------------------------------


@attrs.frozen
class DateRowError:
    """A cell of a column that is not a date.

    Attributes:
        row: the row (0-based).
        value: the cell as it was given.
        reason: ``str()`` of the :class:`~safeguard_time.errors.NotADateError` that
            :func:`~safeguard_time.parse_date` raises for that cell.
        code: the reason code, ``"not_a_date"``.
    """

    row: int
    value: object
    reason: str
    code: str = NotADateError.code

    def error(self) -> NotADateError:
        """The cell's error, as :func:`~safeguard_time.parse_date` raises it, placed at its row.

        >>> err = read_dates(["2024-03-08", "n/a"], 1900).errors[0].error()
        >>> err.row, err.code, str(err)
        (1, 'not_a_date', "'n/a' is not a date; leave the cell blank when there is no date")
        """
        err = NotADateError(self.reason, value=self.value)
        err.at(row=self.row)
        return err


@attrs.frozen(eq=False)
class ParsedDates:
    """A column read as dates by :func:`~safeguard_time.parse_dates`.

    Attributes:
        days: one ``numpy.datetime64[D]`` per row; ``NaT`` where the cell is blank (or
            missing: ``None``, NaN, ``NaT``, a null) or refused.
        errors: the refused cells, by row, each with its reason.
    """

    days: npt.NDArray[np.datetime64]
    errors: tuple[DateRowError, ...] = ()

    def __len__(self) -> int:
        return len(self.days)

    @property
    def bad(self) -> npt.NDArray[np.int64]:
        """The rows refused, ascending.

        >>> read_dates(["n/a", "", "2024-03-08", "31/02/2024"], 1900).bad.tolist()
        [0, 3]
        """
        return np.fromiter((e.row for e in self.errors), np.int64, len(self.errors))

    @property
    def missing(self) -> npt.NDArray[np.bool_]:
        """Which rows have no date, because the cell is blank or refused.

        >>> read_dates(["n/a", "", "2024-03-08"], 1900).missing.tolist()
        [True, True, False]
        """
        return np.isnat(self.days)


def _module(x: object) -> str:
    return type(x).__module__.split(".")[0]


def read_dates(column: Any, date_system: int) -> ParsedDates:
    """Text, serial and object cells of a column read as dates (no warning).

    A pandas, polars or Arrow column that holds dates or timestamps already raises
    :class:`AlreadyDates` (``safeguard_time.parse_dates`` reads those).

    >>> read_dates(["n/a"], 1900).errors[0].row
    0
    """
    if isinstance(column, np.ndarray):
        return _from_numpy(column, date_system)
    mod = _module(column)
    if mod == "pyarrow":
        return _from_arrow(column, date_system)
    if mod == "pandas":
        return _from_pandas(column, date_system)
    if mod == "polars":
        return _from_polars(column, date_system)
    if not isinstance(column, str | bytes | _dt.date | np.datetime64) and hasattr(
        column, "__iter__"
    ):
        return from_values(list(column), date_system)
    raise TypeError(
        "expected a column of dates or date text (a sequence, a numpy array, a pandas or "
        f"polars Series, an Arrow array), got {type(column).__name__}; for one value use "
        "parse_date"
    )


def from_values(values: Sequence[Any], date_system: int) -> ParsedDates:
    """Read cells of any kind one by one (text once per distinct value).

    >>> from_values(["2024-03-08", None, 45359.5], 1900).days.tolist()
    [datetime.date(2024, 3, 8), None, datetime.date(2024, 3, 8)]
    """
    days = np.empty(len(values), dtype=np.int64)
    errors: list[DateRowError] = []
    date_t, str_t = _dt.date, str
    for i, v in enumerate(values):
        t = type(v)
        if t is date_t:
            days[i] = v.toordinal() - _EPOCH_ORD
            continue
        if t is str_t:
            got = cell_days(v, date_system)
            if isinstance(got, str):
                errors.append(DateRowError(i, v, got))
                days[i] = NAT
            else:
                days[i] = got
            continue
        try:
            day = parse_date(v, date_system=date_system)
        except NotADateError as exc:
            errors.append(DateRowError(i, v, str(exc)))
            days[i] = NAT
        else:
            days[i] = NAT if day is None else day.toordinal() - _EPOCH_ORD
    return ParsedDates(days.view("datetime64[D]"), tuple(errors))


def _from_numpy(x: npt.NDArray[Any], date_system: int) -> ParsedDates:
    if x.ndim != 1:
        raise ValueError(f"expected a one-dimensional column, got shape {x.shape}")
    kind = x.dtype.kind
    if kind == "M":
        return ParsedDates(x.astype("datetime64[D]"))
    if kind in "iuf":
        return _from_serials(x, date_system)
    if kind in "UTOb":  # text, objects, booleans (refused, with their reason)
        return from_values(x.tolist(), date_system)
    raise TypeError(f"expected dates, date text or Excel serial numbers, got a {x.dtype} array")


def _from_serials(x: npt.NDArray[Any], date_system: int) -> ParsedDates:
    """A numeric column as Excel serial numbers: vectorised, the refused ones said why."""
    days, ok = serial_days_array(x, date_system)
    days = np.where(ok, days, NAT)
    refused = ~ok
    if x.dtype.kind == "f":
        refused &= ~np.isnan(x)
    errors: list[DateRowError] = []
    rows = np.flatnonzero(refused)
    if len(rows):
        reasons: dict[str, str] = {}  # by repr: 0.0 and -0.0 are equal, but shown apart
        for row, value in zip(rows.tolist(), x[rows].tolist(), strict=True):
            key = repr(value)
            if key not in reasons:
                try:
                    parse_date(value, date_system=date_system)
                except NotADateError as exc:
                    reasons[key] = str(exc)
            errors.append(DateRowError(row, value, reasons[key]))
    return ParsedDates(days.view("datetime64[D]"), tuple(errors))


class AlreadyDates(Exception):
    """The column holds dates or timestamps already: the column reader of bulk reads it."""


def _passed_through(x: Any) -> ParsedDates:
    raise AlreadyDates


def _from_arrow(x: Any, date_system: int) -> ParsedDates:
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    if not isinstance(x, pa.Array | pa.ChunkedArray):
        raise TypeError(f"expected an Arrow array, got {type(x).__name__}")
    t = x.type
    if is_text_type(t):
        arr = _plain_strings(x)
        col = parse_column(arr, date_system=date_system)
        values = arr.take(from_numpy(col.bad)).to_pylist() if len(col.bad) else []
        errors = tuple(
            DateRowError(row, value, reason)
            for row, value, reason in zip(col.bad.tolist(), values, col.reasons, strict=True)
        )
        return ParsedDates(col.days.view("datetime64[D]"), errors)
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        if x.null_count and pa.types.is_integer(t):
            return from_values(x.to_pylist(), date_system)
        return _from_serials(x.to_numpy(zero_copy_only=False), date_system)
    if pa.types.is_null(t):
        return ParsedDates(np.full(len(x), NAT, dtype=np.int64).view("datetime64[D]"))
    return _passed_through(x)


def _from_pandas(x: Any, date_system: int) -> ParsedDates:
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    series: Any = x if isinstance(x, pd.Series) else pd.Series(x, copy=False)
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype) or (
        isinstance(dtype, pd.StringDtype) and str(dtype.storage).startswith("pyarrow")
    ):  # Arrow inside: text takes the vectorised reader
        return _from_arrow(series.array.__arrow_array__(), date_system)
    kind = dtype.kind
    if kind in "Ob" or (kind in "iu" and series.hasnans):  # text, objects; nullable with gaps
        return from_values(series.astype(object).tolist(), date_system)
    if kind == "f":
        return _from_serials(series.to_numpy(dtype=np.float64, na_value=np.nan), date_system)
    if kind in "iu":
        return _from_serials(np.asarray(series.to_numpy()), date_system)
    return _passed_through(series)


def _from_polars(x: Any, date_system: int) -> ParsedDates:
    import polars as pl  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    if not isinstance(x, pl.Series):
        raise TypeError(f"expected a polars Series, got {type(x).__name__}")
    dtype = x.dtype
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        text = x.cast(pl.String)
        try:
            import pyarrow  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401, PLC0415
        except ImportError:  # the vectorised reader needs Arrow: read the values one by one
            return from_values(text.to_list(), date_system)
        return _from_arrow(text.to_arrow(), date_system)
    if dtype.is_numeric():
        if x.null_count() and dtype.is_integer():  # exact, one by one
            return from_values(x.to_list(), date_system)
        return _from_serials(x.to_numpy(), date_system)
    if dtype in (pl.Object, pl.Boolean, pl.Null):
        return from_values(x.to_list(), date_system)
    return _passed_through(x)
