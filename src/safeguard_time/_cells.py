"""Date cells of caseload files: the forms accepted, the forms refused, and why.

A cell is read as a London date, or refused with a reason; nothing is guessed.

Accepted:

- blank (empty or spaces): no date;
- ISO dates ``2024-03-05`` (also ``2024/03/05``), one- or two-digit month and day;
- ISO datetimes ``2024-03-05T14:30[:00[.123]]`` (``T`` or a space): a naive time is London
  wall time, so its date; with ``Z`` or an offset (``+01:00``, ``+0100``, ``+01``) it is
  converted to Europe/London first: ``2023-06-30T23:30:00Z`` is 1 July 2023;
- UK day-first dates ``5/2/2024`` (5 February), ``05/02/2024``, ``05-02-2024``,
  ``05.02.2024``, optionally followed by a naive time;
- day-first dates with a month name: ``5 Feb 2024``, ``05-Feb-2024``, ``5 February 2024``;
- Excel serial numbers in the 1900 date system (``45356`` is 2024-03-05); a fraction is a time
  of day and is dropped.

Refused, each with its reason: impossible dates (``31/02/2024``), dates that only read
month-first (``03/25/2024``), two-digit years (``05/03/24``), serial 60 (Excel's 29 February
1900, a day that never was), numbers too large for a serial, words (``n/a``, ``unknown``) and
anything else.

>>> parse_cell("5/2/2024")
datetime.date(2024, 2, 5)
>>> parse_cell("2023-06-30T23:30:00Z")
datetime.date(2023, 7, 1)
>>> parse_cell("45356")
datetime.date(2024, 3, 5)
>>> parse_cell("") is None
True
>>> parse_cell("03/25/2024")
Traceback (most recent call last):
...
safeguard_time._cells.CellError: there is no month 25: dates are read day-first (DD/MM/YYYY); a month-first (US) date is not accepted, write 2024-03-25 if that is what it means

:func:`parse_column` reads a whole Arrow string column the same way, cell for cell, with the
common forms handled as vectorised byte operations (see its docstring).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as _dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from safeguard_time._dates import london_tz

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["NAT", "CellError", "ParsedColumn", "parse_cell", "parse_column", "parse_columns"]

#: Days since 1970-01-01 of a missing or refused cell (the ``int64`` of ``NaT``).
NAT = int(np.iinfo(np.int64).min)

_EPOCH_ORD = _dt.date(1970, 1, 1).toordinal()
_EXCEL_EPOCH = _dt.date(1899, 12, 30)  # serial 61 is 1900-03-01 (Excel counts 29 Feb 1900)
_MAX_SERIAL = (_dt.date(9999, 12, 31) - _EXCEL_EPOCH).days

# One source for the forms: Python's re here, Arrow's RE2 in parse_column (no back-references).
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?"
_ZONE = r"(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)"
NAIVE_DATETIME = (
    rf"^(?:\d{{4}}[-/.]\d{{2}}[-/.]\d{{2}}[T ]|\d{{2}}[/.-]\d{{2}}[/.-]\d{{4}} ){_TIME}$"
)
AWARE_DATETIME = rf"^\d{{4}}[-/.]\d{{2}}[-/.]\d{{2}}[T ]{_TIME}{_ZONE}$"
_AWARE_PARTS = (
    r"^\d{4}[-/.]\d{2}[-/.]\d{2}[T ](?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,]\d{1,9})?)?"
    r"(?P<z>Z|(?P<sign>[+-])(?P<zh>\d{2})(?::?(?P<zm>\d{2}))?)$"
)

_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_UK = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", re.ASCII)
_NAMED = re.compile(r"(\d{1,2})[ /-]?([A-Za-z]{3,9})\.?[ /-]?(\d{4})", re.ASCII)
_SHORT_YEAR = re.compile(
    r"\d{1,2}([/.-])\d{1,2}\1\d{2}|\d{1,2}[ /-]?[A-Za-z]{3,9}\.?[ /-]?\d{2}", re.ASCII
)
_ISO_TIMED = re.compile(rf"(\d{{4}}([-/.])\d{{1,2}}\2\d{{1,2}})[T ]({_TIME})({_ZONE})?", re.ASCII)
_UK_TIMED = re.compile(rf"(\d{{1,2}}([/.-])\d{{1,2}}\2\d{{4}}) ({_TIME})", re.ASCII)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?", re.ASCII)
_PLACEHOLDERS = {"n/a", "na", "n.a.", "none", "null", "nil", "-", "--", "?", "tbc", "unknown"}
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
# English names whatever the locale: the cells are English.
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS |= {name[:3]: i for i, name in enumerate(_MONTH_NAMES, 1)} | {"sept": 9}


class CellError(ValueError):
    """A cell that is not a date; ``str()`` is the reason, for the errors report."""


def _ymd(year: int, month: int, day: int, text: str, *, day_first: bool) -> _dt.date:
    if not 1 <= month <= 12:
        if day_first and 1 <= day <= 12 and month <= 31:
            raise CellError(
                f"there is no month {month}: dates are read day-first (DD/MM/YYYY); a "
                f"month-first (US) date is not accepted, write {year:04d}-{day:02d}-"
                f"{month:02d} if that is what it means"
            )
        raise CellError(f"there is no month {month} in {text!r}")
    if year < 1:
        raise CellError(f"there is no year 0: {text!r}")
    last = _calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        month_name = _MONTH_NAMES[month - 1].title()
        raise CellError(f"{text!r} is not a date: {month_name} {year} has {last} days, not {day}")
    return _dt.date(year, month, day)


def _serial(text: str) -> _dt.date:
    if text.startswith("-"):
        raise CellError(f"{text!r} is not a date: a negative number")
    whole = int(float(text)) if "." in text else int(text.lstrip("+"))
    if whole == 0:
        raise CellError(f"{text!r} is not a date: Excel serial 0 is day 0 of January 1900")
    if whole == 60:
        raise CellError(
            f"{text!r} is not a date: Excel serial 60 is 29 February 1900, which did not exist"
        )
    if whole > _MAX_SERIAL:
        hint = ""
        if len(text) == 8 and text.isdigit():
            hint = f"; if it is YYYYMMDD, write it as {text[:4]}-{text[4:6]}-{text[6:]}"
        raise CellError(f"{text!r} is not a date: too large for an Excel serial number{hint}")
    if whole < 60:  # Excel's 1900 system counts a 29 February 1900 after serial 59
        return _dt.date(1899, 12, 31) + _dt.timedelta(days=whole)
    return _EXCEL_EPOCH + _dt.timedelta(days=whole)


def _date_part(text: str) -> _dt.date | None:
    """The date of a date-only form, or None if ``text`` is not one."""
    if m := _ISO.fullmatch(text):
        return _ymd(int(m[1]), int(m[3]), int(m[4]), text, day_first=False)
    if m := _UK.fullmatch(text):
        return _ymd(int(m[4]), int(m[3]), int(m[1]), text, day_first=True)
    return None


def _aware(day: _dt.date, time_text: str, zone: str, text: str) -> _dt.date:
    parts = time_text.replace(",", ".").split(":")
    hour, minute = int(parts[0]), int(parts[1])
    second = int(float(parts[2])) if len(parts) > 2 else 0
    if zone == "Z":
        offset = _dt.timedelta(0)
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    tz = _dt.timezone(offset)
    moment = _dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)
    try:
        return moment.astimezone(london_tz()).date()
    except OverflowError:
        raise CellError(f"{text!r} is outside the dates Python can hold") from None


def parse_cell(text: str) -> _dt.date | None:  # noqa: PLR0911 - one return per form
    """The London date of one cell: ``None`` if blank; :class:`CellError` if not a date.

    >>> parse_cell(" 05/03/2024 ")
    datetime.date(2024, 3, 5)
    >>> parse_cell("2024-03-05 16:45")
    datetime.date(2024, 3, 5)
    >>> parse_cell("5 Mar 2024")
    datetime.date(2024, 3, 5)
    >>> for bad in ["31/02/2024", "05/03/24", "n/a", "60", "20240305", "soon"]:
    ...     try:
    ...         parse_cell(bad)
    ...     except CellError as exc:
    ...         print(exc)
    '31/02/2024' is not a date: February 2024 has 29 days, not 31
    '05/03/24' has a two-digit year: write the year in full (2024? 1924?)
    'n/a' is not a date; leave the cell blank when there is no date
    '60' is not a date: Excel serial 60 is 29 February 1900, which did not exist
    '20240305' is not a date: too large for an Excel serial number; if it is YYYYMMDD, write it as 2024-03-05
    'soon' is not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number
    """
    text = text.strip()
    if not text:
        return None
    day = _date_part(text)
    if day is not None:
        return day
    if m := _ISO_TIMED.fullmatch(text):
        day = _date_part(m[1])
        assert day is not None  # the pattern is an ISO date's
        return _aware(day, m[3], m[4], text) if m[4] else day
    if m := _UK_TIMED.fullmatch(text):
        return _date_part(m[1])
    if _NUMBER.fullmatch(text):
        return _serial(text)
    if m := _NAMED.fullmatch(text):
        month = _MONTHS.get(m[2].lower())
        if month is not None:
            return _ymd(int(m[3]), month, int(m[1]), text, day_first=False)
    if _SHORT_YEAR.fullmatch(text):
        century = text[-2:]
        raise CellError(
            f"{text!r} has a two-digit year: write the year in full (20{century}? 19{century}?)"
        )
    if text.lower() in _PLACEHOLDERS:
        return _refuse_placeholder(text)
    raise CellError(
        f"{text!r} is not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number"
    )


def _refuse_placeholder(text: str) -> _dt.date:
    raise CellError(f"{text!r} is not a date; leave the cell blank when there is no date")


def cell_days(text: str) -> int | str:
    """Days since 1970-01-01 for a cell (:data:`NAT` if blank), or the reason it is refused.

    Answers are remembered (up to :data:`_CACHE_SIZE` distinct cells), since a column holds
    the same few thousand dates over and over, block after block.
    """
    found = _cache.get(text)
    if found is not None:
        return found
    try:
        day = parse_cell(text)
    except CellError as exc:
        found = str(exc)
    else:
        found = NAT if day is None else day.toordinal() - _EPOCH_ORD
    if len(_cache) >= _CACHE_SIZE:
        _cache.clear()
    _cache[text] = found
    return found


_CACHE_SIZE = 1 << 18
_cache: dict[str, int | str] = {}


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
_MONTH_LEN = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int16)
# Days from 1 March to the first of each month (the year taken to start in March).
_FROM_MARCH = np.array([0, 306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275], dtype=np.int32)


def days_from_civil(
    y: npt.NDArray[np.integer[Any]],
    m: npt.NDArray[np.integer[Any]],
    d: npt.NDArray[np.integer[Any]],
) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of valid proleptic Gregorian dates (years 1 to 9999).

    >>> days_from_civil(np.array([1970, 2024]), np.array([1, 3]), np.array([1, 5])).tolist()
    [0, 19787]
    """
    y32 = y.astype(np.int32) - (m <= 2)
    era = y32 // 400
    yoe = y32 - era * 400
    doe = yoe * 365 + yoe // 4 - yoe // 100 + _FROM_MARCH[m] + d - 1
    return np.asarray(era * 146097 + doe - 719468, dtype=np.int64)


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
    y = ((w[digits[0]] * 10 + w[digits[1]]) * 10 + w[digits[2]]) * 10 + w[digits[3]]
    m = w[digits[4]] * 10 + w[digits[5]]
    d = w[digits[6]] * 10 + w[digits[7]]
    ok &= (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1)
    m = np.where(ok, m, 1)
    leap = ((y & 3) == 0) & ((y % 100 != 0) | (y % 400 == 0))
    ok &= d <= _MONTH_LEN[m] + (leap & (m == 2))
    return days_from_civil(y, m, np.where(ok, d, 1)), ok


def _gather(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], width: int
) -> npt.NDArray[np.uint8]:
    """The ``width`` bytes from each of ``starts`` as a ``(k, width)`` array (cells that long)."""
    # A view whose element i is the bytes from byte i: one gather, no index matrix.
    view = np.ndarray(shape=(len(data) - width + 1,), dtype=f"S{width}", buffer=data, strides=(1,))
    return view[starts].view(np.uint8).reshape(-1, width)


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
    return np.where(ok, london_days(utc), NAT), ok


def _serials(block: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Days and validity of 5-digit Excel serial numbers (1927 to 2173)."""
    t = np.ascontiguousarray(block.T)
    t -= np.uint8(48)
    ok = _digits(t, 0, 1, 2, 3, 4)
    value = np.zeros(len(ok), dtype=np.int64)
    for i in range(5):
        value = value * 10 + t[i]
    ok &= value > 60  # serials up to 60 count from 31 December 1899 (see _serial)
    return value - 25569, ok  # serial 25569 is 1970-01-01


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


def _string_buffers(arr: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Offsets (``n + 1``, into ``data``) and bytes of an Arrow string array, zero-copy."""
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    n = len(arr)
    bufs = arr.buffers()
    off_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(
        bufs[1], dtype=off_type, count=n + 1, offset=arr.offset * np.dtype(off_type).itemsize
    )
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    if len(data) < 64:  # room for the strided views of _gather
        data = np.concatenate([data, np.zeros(64, np.uint8)])
    return offsets.astype(np.int64), data


def parse_columns(arrays: Sequence[Any]) -> list[ParsedColumn]:
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
        return [parse_column(arr) for arr in columns]
    if len({arr.type for arr in columns}) > 1:
        columns = [arr.cast(pa.large_string()) for arr in columns]
    whole = parse_column(pa.concat_arrays(columns))
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
    return arr


#: Cells read by one pass of the vectorised reader (see :func:`parse_columns`).
_CHUNK = 1 << 17


def parse_column(arr: Any) -> ParsedColumn:
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
    arr = _plain_strings(arr)
    n = len(arr)
    if n <= _CHUNK:
        return _parse_cells(arr)
    parts = [_parse_cells(arr.slice(lo, _CHUNK)) for lo in range(0, n, _CHUNK)]
    bad = [p.bad + lo for p, lo in zip(parts, range(0, n, _CHUNK), strict=True)]
    return ParsedColumn(
        np.concatenate([p.days for p in parts]),
        np.concatenate(bad),
        [reason for p in parts for reason in p.reasons],
    )


def _parse_cells(arr: Any) -> ParsedColumn:
    """Read one Arrow string array as dates, every cell (see :func:`parse_column`)."""
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
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
        todo &= arr.is_valid().to_numpy(zero_copy_only=False)

    for width in (10, 8, 9, 5, *_TIMED_LENGTHS):
        rows = np.flatnonzero(todo & (lengths == width))
        if not len(rows):
            continue
        block = _gather(data, starts[rows], width)
        if width == 10:
            got, ok, _ = _dates_block(block)
        elif width == 5:
            got, ok = _serials(block)
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
        sub = arr.take(pa.array(timed))
        naive = pc.match_substring_regex(sub, NAIVE_DATETIME).to_numpy(zero_copy_only=False)
        days[timed[naive]] = got[naive]
        todo[timed[naive]] = False
        if not naive.all():
            aware = pc.match_substring_regex(sub, AWARE_DATETIME).to_numpy(zero_copy_only=False)
            if aware.any():
                rows = timed[aware]
                days[rows] = _aware_days(sub.filter(pa.array(aware)), got[aware])
                todo[rows] = False

    rest_rows = np.flatnonzero(todo)
    bad: list[npt.NDArray[np.int64]] = []
    reasons: list[str] = []
    if len(rest_rows):
        sub = arr.take(pa.array(rest_rows))
        encoded = pc.dictionary_encode(sub)
        values = encoded.dictionary.to_pylist()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        results = [cell_days(v) for v in values]
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
