"""Turning the date-like values users pass in into London calendar dates."""

from __future__ import annotations

import datetime as _dt
import functools
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

__all__ = ["DateLike", "london_date"]

DateLike: TypeAlias = "_dt.date | _dt.datetime | np.datetime64"
"""What every scalar function of the library accepts as a date."""

_date = _dt.date
_datetime = _dt.datetime


@functools.cache
def london_tz() -> ZoneInfo:
    """The Europe/London time zone (loaded on first use, not at import)."""
    from zoneinfo import ZoneInfo  # noqa: PLC0415 - keeps import of the package light

    return ZoneInfo("Europe/London")


def london_date(value: Any) -> _dt.date:
    """Return the date in England of a date-like value.

    - ``datetime.date``: itself.
    - naive ``datetime.datetime``: London wall time, so its own date.
    - aware ``datetime.datetime``: converted to Europe/London first.
    - ``numpy.datetime64`` of any unit: naive, so London wall time (floored to the day).

    Anything else raises ``TypeError``; ``NaT`` raises ``ValueError``.

    >>> import datetime as dt
    >>> london_date(dt.datetime(2023, 6, 30, 23, 30, tzinfo=dt.timezone.utc))
    datetime.date(2023, 7, 1)
    >>> london_date(np.datetime64("2024-03-08T17:45"))
    datetime.date(2024, 3, 8)
    >>> london_date("2024-03-08")
    Traceback (most recent call last):
    ...
    TypeError: expected a date, a datetime or a numpy.datetime64, got str: '2024-03-08'
    """
    if type(value) is _date:
        return value
    if isinstance(value, _datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.date()
        return value.astimezone(london_tz()).date()
    if isinstance(value, _date):
        return _date(value.year, value.month, value.day)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError("missing date (NaT) where a date is required")
        days = int(value.astype("datetime64[D]").astype(np.int64))
        return _EPOCH + _dt.timedelta(days=days)
    raise TypeError(
        f"expected a date, a datetime or a numpy.datetime64, got {type(value).__name__}: {value!r}"
    )


_EPOCH = _date(1970, 1, 1)
