"""The library's one date grammar: what is read as a London date, what is refused, and why.

Every entry point that takes a date (the calendar, :func:`~safeguard_time.deadline`, the
bulk functions, the caseload scan, the spreadsheet functions, the command line, the
closures file) reads it through the rules here; :mod:`safeguard_time._date_columns` reads whole
columns of text by the same rules, faster.

Text accepted (spaces round it are ignored; English month names whatever the locale):

- blank (empty or spaces): no date;
- ISO dates ``2024-03-05`` (also ``2024/03/05``, ``2024.03.05``), one- or two-digit month
  and day (``2024-3-5``);
- ISO datetimes ``2024-03-05T14:30[:00[.123]]`` (``T`` or a space): a naive time is London
  wall time, so its date; with ``Z`` or an offset (``+01:00``, ``+0100``, ``+01``) it is
  converted to Europe/London first: ``2023-06-30T23:30:00Z`` is 1 July 2023;
- UK day-first dates ``5/2/2024`` (5 February), ``05/02/2024``, ``05-02-2024``,
  ``05.02.2024``, optionally followed by a naive time (``08/03/2024 17:45``);
- day-first dates with a month name: ``5 Feb 2024``, ``05-Feb-2024``, ``5 February 2024``,
  and with an ordinal and an optional comma: ``8th March 2024``, ``1st Feb, 2024``;
- Excel serial numbers (``45356`` is 2024-03-05 in the 1900 date system); a fraction is a
  time of day and is dropped.

Refused, each with its reason: impossible dates (``31/02/2024``), dates that only read
month-first (``03/25/2024``, ``March 5, 2024``), two-digit years (``05/03/24``), a wrong
ordinal (``8rd March 2024``), serial 60 of the 1900 system (Excel's 29 February 1900, a day
that never was), numbers too large or negative for a serial, words (``n/a``, ``unknown``)
and anything else.

:func:`parse_date` reads one value of any kind (text, an Excel serial number, a date, a
datetime, a ``numpy.datetime64``); :func:`london_date` is the stricter reader of the
calendar and the deadline functions, for which a bare number is not a date.

>>> parse_date("5/2/2024"), parse_date("8th March 2024"), parse_date(45359)
(datetime.date(2024, 2, 5), datetime.date(2024, 3, 8), datetime.date(2024, 3, 8))
>>> parse_date("2023-06-30T23:30:00Z")
datetime.date(2023, 7, 1)
>>> parse_date("") is None
True
>>> parse_date("03/25/2024")
Traceback (most recent call last):
...
safeguard_time.errors.NotADateError: there is no month 25: dates are read day-first (DD/MM/YYYY); a month-first (US) date is not accepted, write 2024-03-25 if that is what it means
"""

from __future__ import annotations

import calendar as _calendar
import datetime as _dt
import functools
import math
import numbers
import re
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import numpy as np

from safeguard_time.errors import InvalidOptionError, MissingDateError, NotADateError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    import numpy.typing as npt

__all__ = [
    "ACCEPTED_FORMS",
    "DateLike",
    "date_to_serial",
    "london_date",
    "parse_date",
    "serial_to_date",
]

DateLike: TypeAlias = "_dt.date | _dt.datetime | np.datetime64 | str"
"""What every scalar function of the library accepts as a date (text through the grammar)."""

#: The forms accepted, in words: the text of warnings and error messages that list them.
ACCEPTED_FORMS = (
    "YYYY-MM-DD (also 2024/03/05 and 2024-3-5, optionally with a time, 'Z' or an offset), "
    "DD/MM/YYYY (also 05-02-2024 and 05.02.2024, optionally with a time), "
    "5 Feb 2024, 05-Feb-2024, 8th March 2024, or an Excel serial number such as 45356"
)

_date = _dt.date
_datetime = _dt.datetime
_EPOCH = _date(1970, 1, 1)
_EPOCH_ORD = _EPOCH.toordinal()


@functools.cache
def london_tz() -> ZoneInfo:
    """The Europe/London time zone (loaded on first use, not at import)."""
    from zoneinfo import ZoneInfo  # noqa: PLC0415 - keeps import of the package light

    return ZoneInfo("Europe/London")


# --- the text forms ---------------------------------------------------------------------------
#
# One spelling of each form.  The pieces with named groups are also written into the
# patterns the vectorised column reader gives Arrow (RE2: no back-references there).

#: A time of day: ``HH:MM``, ``HH:MM:SS``, ``HH:MM:SS.fff`` (or ``,fff``).
TIME_PARTS = r"(?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d)(?:[.,]\d{1,9})?)?"
#: A time zone: ``Z`` or an offset ``+HH:MM``, ``+HHMM``, ``+HH``.
ZONE_PARTS = r"(?P<z>Z|(?P<sign>[+-])(?P<zh>[01]\d|2[0-3])(?::?(?P<zm>[0-5]\d))?)"


def unnamed(pattern: str) -> str:
    r"""``pattern`` with its named groups made non-capturing (to embed it in another).

    >>> unnamed(r"(?P<h>\d{2}):(?P<m>\d{2})")
    '(?:\\d{2}):(?:\\d{2})'
    """
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


TIME = unnamed(TIME_PARTS)
ZONE = unnamed(ZONE_PARTS)

_ISO_DATE = r"(?P<y>\d{4})(?P<sep>[-/.])(?P<mo>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
_UK_HEAD = r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<mo>\d{1,2})(?P=sep)"
_UK_DATE = _UK_HEAD + r"(?P<y>\d{4})"
# day, an ordinal (8th), a month name (Feb, February, Sept.), an optional comma, the year
_NAMED_HEAD = (
    r"(?P<d>\d{1,2})(?P<ord>(?i:st|nd|rd|th))?[ /-]?(?P<mon>[A-Za-z]{3,9})\.?(?:, |[ /-])?"
)


class _Patterns:
    """The grammar's compiled patterns (compiled on the first text date, not at import)."""

    def __init__(self) -> None:
        self.iso = re.compile(_ISO_DATE, re.ASCII)
        self.uk = re.compile(_UK_DATE, re.ASCII)
        self.iso_timed = re.compile(rf"{_ISO_DATE}[T ]{TIME_PARTS}{ZONE_PARTS}?", re.ASCII)
        self.uk_timed = re.compile(rf"{_UK_DATE} {TIME}", re.ASCII)
        self.named = re.compile(_NAMED_HEAD + r"(?P<y>\d{4})", re.ASCII)
        self.short_years = (
            re.compile(_UK_HEAD + r"\d{2}", re.ASCII),
            re.compile(_NAMED_HEAD + r"\d{2}", re.ASCII),
        )
        self.number = re.compile(r"[+-]?\d+(?:\.\d+)?", re.ASCII)


@functools.cache
def _patterns() -> _Patterns:
    return _Patterns()


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
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS |= {name[:3]: i for i, name in enumerate(_MONTH_NAMES, 1)} | {"sept": 9}


def _ymd(year: int, month: int, day: int, text: str, *, day_first: bool) -> _date:
    if not 1 <= month <= 12:
        if day_first and 1 <= day <= 12 and month <= 31:
            raise NotADateError(
                f"there is no month {month}: dates are read day-first (DD/MM/YYYY); a "
                f"month-first (US) date is not accepted, write {year:04d}-{day:02d}-"
                f"{month:02d} if that is what it means",
                value=text,
            )
        raise NotADateError(f"there is no month {month} in {text!r}", value=text)
    if year < 1:
        raise NotADateError(f"there is no year 0: {text!r}", value=text)
    last = _calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        month_name = _MONTH_NAMES[month - 1].title()
        raise NotADateError(
            f"{text!r} is not a date: {month_name} {year} has {last} days, not {day}", value=text
        )
    return _date(year, month, day)


def _ordinal(day: int) -> str:
    """The English ordinal suffix of a day of the month: ``st``, ``nd``, ``rd`` or ``th``."""
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _aware(day: _date, m: re.Match[str], text: str) -> _date:
    """The London date of the ISO datetime ``m`` (with a zone) whose date is ``day``."""
    offset = _dt.timedelta(0)
    if m["sign"]:
        sign = -1 if m["sign"] == "-" else 1
        offset = sign * _dt.timedelta(hours=int(m["zh"]), minutes=int(m["zm"] or 0))
    moment = _datetime(
        day.year,
        day.month,
        day.day,
        int(m["h"]),
        int(m["m"]),
        int(m["s"] or 0),
        tzinfo=_dt.timezone(offset),
    )
    try:
        return moment.astimezone(london_tz()).date()
    except OverflowError:
        raise NotADateError(f"{text!r} is outside the dates Python can hold", value=text) from None


def parse_text(text: str, date_system: int = 1900) -> _date | None:  # noqa: PLR0911 - one return per form
    """The London date of date text: ``None`` if blank; :class:`NotADateError` if not a date.

    ``date_system`` (1900 or 1904) says how a serial number is counted.

    >>> parse_text(" 05/03/2024 "), parse_text("2024-03-05 16:45"), parse_text("5 Mar 2024")
    (datetime.date(2024, 3, 5), datetime.date(2024, 3, 5), datetime.date(2024, 3, 5))
    >>> for bad in ["31/02/2024", "05/03/24", "n/a", "60", "20240305", "8rd March 2024", "soon"]:
    ...     try:
    ...         parse_text(bad)
    ...     except NotADateError as exc:
    ...         print(exc)
    '31/02/2024' is not a date: February 2024 has 29 days, not 31
    '05/03/24' has a two-digit year: write the year in full (2024? 1924?)
    'n/a' is not a date; leave the cell blank when there is no date
    '60' is not a date: Excel serial 60 is 29 February 1900, which did not exist
    '20240305' is not a date: too large for an Excel serial number; if it is YYYYMMDD, write it as 2024-03-05
    '8rd March 2024' is not a date: write 8th, not 8rd
    'soon' is not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number
    """
    text = text.strip()
    if not text:
        return None
    pat = _patterns()
    if m := pat.iso.fullmatch(text):
        return _ymd(int(m["y"]), int(m["mo"]), int(m["d"]), text, day_first=False)
    if m := pat.uk.fullmatch(text):
        return _ymd(int(m["y"]), int(m["mo"]), int(m["d"]), text, day_first=True)
    if m := pat.iso_timed.fullmatch(text):
        day = _ymd(int(m["y"]), int(m["mo"]), int(m["d"]), text, day_first=False)
        return _aware(day, m, text) if m["z"] else day
    if m := pat.uk_timed.fullmatch(text):
        return _ymd(int(m["y"]), int(m["mo"]), int(m["d"]), text, day_first=True)
    if pat.number.fullmatch(text):
        whole = int(text.partition(".")[0])  # exact, however many digits
        digits = text if text.isdigit() else ""
        return _serial_date(whole, text.startswith("-"), date_system, text, digits)
    if m := pat.named.fullmatch(text):
        month = _MONTHS.get(m["mon"].lower())
        if month is not None:
            day_number = int(m["d"])
            suffix = m["ord"]
            if suffix is not None and suffix.lower() != _ordinal(day_number):
                raise NotADateError(
                    f"{text!r} is not a date: write {day_number}{_ordinal(day_number)}, not "
                    f"{day_number}{suffix}",
                    value=text,
                )
            return _ymd(int(m["y"]), month, day_number, text, day_first=False)
    if any(p.fullmatch(text) for p in pat.short_years):
        century = text[-2:]
        raise NotADateError(
            f"{text!r} has a two-digit year: write the year in full (20{century}? 19{century}?)",
            value=text,
        )
    if text.lower() in _PLACEHOLDERS:
        raise NotADateError(
            f"{text!r} is not a date; leave the cell blank when there is no date", value=text
        )
    raise NotADateError(
        f"{text!r} is not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number",
        value=text,
    )


# --- Excel serial numbers: the one conversion -------------------------------------------------
#
# 1900 system: serial 1 is 1900-01-01 and serial 61 is 1900-03-01, because Excel counts a
# 29 February 1900 (serial 60) that never was; 60 is refused.  1904 system: serial 0 is
# 1904-01-01.  Both end at 9999-12-31.  The functions below work on Python ints and on numpy
# arrays alike, so the scalar and the vectorised readers share one rule.

#: Days since 1970-01-01 of serial 0 (in the 1900 system: of serials from 61 on).
_SERIAL_EPOCH = {
    1900: (_date(1899, 12, 30) - _EPOCH).days,
    1904: (_date(1904, 1, 1) - _EPOCH).days,
}
_FICTITIOUS = 60  # the 1900 system's 29 February 1900
#: The first and last serial of each date system.
SERIAL_RANGE = {
    1900: (1, (_date.max - _date(1899, 12, 30)).days),
    1904: (0, (_date.max - _date(1904, 1, 1)).days),
}

_I = TypeVar("_I", int, "npt.NDArray[np.int64]")


def check_date_system(date_system: object) -> int:
    """``date_system`` if it is 1900 or 1904, else :class:`~safeguard_time.errors.InvalidOptionError`.

    >>> check_date_system(1904)
    1904
    """
    if date_system in (1900, 1904) and not isinstance(date_system, bool):
        return int(date_system)
    raise InvalidOptionError(
        "date_system", date_system, f"date_system must be 1900 or 1904, got {date_system!r}"
    )


def serial_days(whole: _I, date_system: int) -> _I:
    """Days since 1970-01-01 of valid whole serials (an int or an ``int64`` array).

    >>> serial_days(45359, 1900), serial_days(59, 1900), serial_days(43897, 1904)
    (19790, -25509, 19790)
    """
    days = whole + _SERIAL_EPOCH[date_system]
    if date_system == 1900:
        days = days + (whole < _FICTITIOUS)
    return days


def days_serial(days: _I, date_system: int) -> _I:
    """The serial numbers of days since 1970-01-01 (an int or an ``int64`` array).

    >>> days_serial(19790, 1900), days_serial(-25509, 1900), days_serial(19790, 1904)
    (45359, 59, 43897)
    """
    serial = days - _SERIAL_EPOCH[date_system]
    if date_system == 1900:
        serial = serial - (serial <= _FICTITIOUS)
    return serial


def serial_days_array(
    serials: npt.NDArray[Any], date_system: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Days since 1970-01-01 of serial numbers (any real dtype), and which are serials.

    Exactly the numbers :func:`serial_to_date` accepts are valid; a fraction is dropped.

    >>> days, ok = serial_days_array(np.array([45359.75, 60.0, -1.0, np.nan]), 1900)
    >>> days[ok].tolist(), ok.tolist()
    ([19790], [True, False, False, False])
    """
    first, last = SERIAL_RANGE[date_system]
    if serials.dtype.kind == "b":  # true/false is no serial
        return np.zeros(len(serials), np.int64), np.zeros(len(serials), np.bool_)
    if serials.dtype.kind in "iu":
        valid = (serials >= first) & (serials <= last)
        whole = np.where(valid, serials, first).astype(np.int64)
    else:
        values = serials.astype(np.float64, copy=False)
        with np.errstate(invalid="ignore"):
            floored = np.floor(values)
            valid = np.isfinite(values) & (floored >= first) & (floored <= last)
        whole = np.where(valid, floored, first).astype(np.int64)
    if date_system == 1900:
        valid &= whole != _FICTITIOUS
    return serial_days(whole, date_system), valid


def _serial_date(whole: int, negative: bool, date_system: int, value: object, digits: str) -> _date:
    """The date of serial ``whole`` (the floor of ``value``); else the reason."""
    shown = _shown(value)
    reason = ""
    first, last = SERIAL_RANGE[date_system]
    if negative:
        reason = "a negative number"
    elif whole < first:
        reason = "Excel serial 0 is day 0 of January 1900"
    elif date_system == 1900 and whole == _FICTITIOUS:
        reason = "Excel serial 60 is 29 February 1900, which did not exist"
    elif whole > last:
        reason = "too large for an Excel serial number"
        if len(digits) == 8:
            reason += f"; if it is YYYYMMDD, write it as {digits[:4]}-{digits[4:6]}-{digits[6:]}"
    if reason:
        raise NotADateError(f"{shown} is not a date: {reason}", value=value)
    return _date.fromordinal(serial_days(whole, date_system) + _EPOCH_ORD)


def _shown(value: object) -> str:
    """``repr(value)``, numpy numbers shown as the Python numbers they hold."""
    return repr(value.item() if isinstance(value, np.number | np.bool_) else value)


def serial_to_date(serial: float, date_system: int = 1900) -> _dt.date:
    """The date of an Excel serial number (a fraction, the time of day, is dropped).

    The 1900 system keeps Excel's fictitious 29 February 1900 (serial 60): serials from 61
    count from 1899-12-30, serials 1 to 59 from 1899-12-31, and 60 is refused.  In the 1904
    system serial 0 is 1904-01-01, so the same day is 1462 serials lower.

    >>> serial_to_date(45359), serial_to_date(45359.75), serial_to_date(43897, 1904)
    (datetime.date(2024, 3, 8), datetime.date(2024, 3, 8), datetime.date(2024, 3, 8))
    >>> serial_to_date(60)
    Traceback (most recent call last):
    ...
    safeguard_time.errors.NotADateError: 60 is not a date: Excel serial 60 is 29 February 1900, which did not exist

    Raises :class:`~safeguard_time.errors.NotADateError` for serial 60 (1900 system),
    numbers below the first serial or after 9999-12-31, non-finite numbers and booleans.
    """
    date_system = check_date_system(date_system)
    value: object = serial  # whatever the annotation says, callers pass anything
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise NotADateError(
            f"{_shown(value)} is not a date: not an Excel serial number", value=value
        )
    if isinstance(value, numbers.Integral):
        whole = int(value)
        digits, negative = str(whole), whole < 0
    else:
        number = float(value)
        if not math.isfinite(number):
            raise NotADateError(f"{_shown(value)} is not a date: not a finite number", value=value)
        whole, digits, negative = math.floor(number), "", number < 0
    return _serial_date(whole, negative, date_system, value, digits)


def date_to_serial(day: _dt.date, date_system: int = 1900) -> int:
    """The Excel serial number of a date, the inverse of :func:`serial_to_date`.

    >>> date_to_serial(_dt.date(2024, 3, 8)), date_to_serial(_dt.date(2024, 3, 8), 1904)
    (45359, 43897)
    >>> date_to_serial(_dt.date(1900, 2, 28)), date_to_serial(_dt.date(1900, 3, 1))
    (59, 61)
    """
    date_system = check_date_system(date_system)
    return days_serial(day.toordinal() - _EPOCH_ORD, date_system)


# --- values of any kind -----------------------------------------------------------------------


def is_missing(value: object) -> bool:
    """Whether ``value`` marks a missing value: ``None``, NaN, ``NaT``, pandas' ``NA``.

    >>> is_missing(None), is_missing(float("nan")), is_missing(np.datetime64("NaT")), is_missing(0)
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return type(value).__name__ in {"NaTType", "NAType"}


def not_a_date_type(value: object, *, serials: bool = False) -> NotADateError:
    """The error for a value of a kind that is never a date (a list, an object, ...).

    >>> print(not_a_date_type([1]))
    [1] is not a date: expected date text, a date, a datetime or a numpy.datetime64, got list
    """
    kinds = "date text, a date, a datetime, a numpy.datetime64 or an Excel serial number"
    if not serials:
        kinds = "date text, a date, a datetime or a numpy.datetime64"
    return NotADateError(
        f"{_shown(value)} is not a date: expected {kinds}, got {type(value).__name__}",
        value=value,
    )


def _date_of(value: _dt.date | np.datetime64) -> _date:
    """The London date of a date, a datetime or a (not NaT) ``numpy.datetime64``."""
    if isinstance(value, _datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.date()
        try:
            return value.astimezone(london_tz()).date()
        except OverflowError:
            raise NotADateError(
                f"{value!r} is outside the dates Python can hold", value=value
            ) from None
    if isinstance(value, _date):
        return _date(value.year, value.month, value.day)
    days = int(value.astype("datetime64[D]").astype(np.int64))
    if not 1 <= days + _EPOCH_ORD <= _date.max.toordinal():
        raise NotADateError(
            f"{_shown(value)} is outside the dates Python can hold (years 1 to 9999)", value=value
        )
    return _date.fromordinal(days + _EPOCH_ORD)


def parse_date(value: object, *, date_system: int = 1900) -> _dt.date | None:
    """The date in England of one value of any kind; ``None`` when there is none.

    - text: read by the library's date grammar (blank is ``None``): ISO ``2024-03-08``
      (also ``2024/03/08``, ``2024-3-8``), ISO datetimes (naive: London wall time; with
      ``Z`` or an offset: converted to London), UK day-first ``08/03/2024`` (also
      ``08-03-2024``, ``08.03.2024``, optionally with a time), ``8 Mar 2024``,
      ``08-Mar-2024``, ``8th March, 2024``, and serial numbers in ``date_system``.
      Month-first dates, two-digit years, impossible dates, a wrong ordinal and words
      such as ``n/a`` are refused;
    - ``int`` or ``float``: an Excel serial number in ``date_system`` (1900 or 1904);
      a fraction is the time of day and is dropped; NaN is ``None``; ``bool`` is refused;
    - ``datetime.date``; ``datetime.datetime`` (naive: London wall time; aware: converted
      to Europe/London first); ``numpy.datetime64`` (naive; ``NaT`` is ``None``).

    Anything else, and text the grammar refuses, raises
    :class:`~safeguard_time.errors.NotADateError`, whose text says why.

    Args:
        value: the value to read.
        date_system: 1900 (the default) or 1904: how serial numbers count.

    >>> import datetime as dt
    >>> parse_date("08/03/2024 17:45"), parse_date(45359), parse_date(43897, date_system=1904)
    (datetime.date(2024, 3, 8), datetime.date(2024, 3, 8), datetime.date(2024, 3, 8))
    >>> parse_date(dt.datetime(2023, 6, 30, 23, 30, tzinfo=dt.timezone.utc))
    datetime.date(2023, 7, 1)
    >>> parse_date(np.datetime64("NaT")) is None, parse_date("  ") is None
    (True, True)
    >>> parse_date("31/02/2024")
    Traceback (most recent call last):
    ...
    safeguard_time.errors.NotADateError: '31/02/2024' is not a date: February 2024 has 29 days, not 31
    """
    date_system = check_date_system(date_system)
    if type(value) is _date:
        return value
    if isinstance(value, str):
        try:
            return parse_text(value, date_system)
        except NotADateError as exc:
            exc.value = value
            raise
    if is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        raise NotADateError(f"{_shown(value)} is not a date: a true/false value", value=value)
    if isinstance(value, numbers.Real):
        return serial_to_date(value, date_system)  # type: ignore[arg-type]
    if isinstance(value, _dt.date | np.datetime64):
        return _date_of(value)
    raise not_a_date_type(value, serials=True)


def london_date(value: Any) -> _dt.date:
    """Return the date in England of a date-like value (text included); a date is required.

    - text: the library's date grammar (see :func:`parse_date`), ``2024-03-08``,
      ``08/03/2024``, ``8 March 2024``, ...
    - ``datetime.date``: itself.
    - naive ``datetime.datetime``: London wall time, so its own date.
    - aware ``datetime.datetime``: converted to Europe/London first.
    - ``numpy.datetime64`` of any unit: naive, so London wall time (floored to the day).

    A bare number is not a date here (an Excel serial is read by :func:`parse_date`).
    Refused text and values of other kinds raise
    :class:`~safeguard_time.errors.NotADateError`; ``None``, ``NaT`` and blank text raise
    :class:`~safeguard_time.errors.MissingDateError`.  Both are ``ValueError``.

    >>> import datetime as dt
    >>> london_date(dt.datetime(2023, 6, 30, 23, 30, tzinfo=dt.timezone.utc))
    datetime.date(2023, 7, 1)
    >>> london_date(np.datetime64("2024-03-08T17:45")), london_date("08/03/2024")
    (datetime.date(2024, 3, 8), datetime.date(2024, 3, 8))
    >>> london_date(45359)
    Traceback (most recent call last):
    ...
    safeguard_time.errors.NotADateError: 45359 is not a date: expected date text, a date, a datetime or a numpy.datetime64, got int
    """
    if type(value) is _date:
        return value
    if type(value) is _datetime:  # the other common case, before the slower checks
        return _date_of(value)
    if isinstance(value, str):
        try:
            day = parse_text(value)
        except NotADateError as exc:
            exc.value = value
            raise
        if day is None:
            raise MissingDateError(f"missing date where a date is required: {value!r}", value=value)
        return day
    if is_missing(value) and not isinstance(value, float | np.floating):
        raise MissingDateError(f"missing date where a date is required: {_shown(value)}")
    if isinstance(value, _dt.date | np.datetime64):
        return _date_of(value)
    raise not_a_date_type(value)
