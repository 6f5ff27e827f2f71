"""The England & Wales working-day calendar and the named counting conventions.

One precomputed table over the supported range (1990-2099) serves every call: whether a
day is a working day, the running count of working days, and the list of working days.
"N working days after X" is then two list look-ups, and the bulk functions read the same
table as numpy arrays.

>>> import datetime as dt
>>> cal = england_and_wales()
>>> cal.add_working_days(dt.date(2022, 9, 16), 1)   # Friday; Monday 19th was the state funeral
datetime.date(2022, 9, 20)
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import operator
import warnings
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, SupportsIndex

import attrs
import numpy as np

from safeguard_time._dates import DateLike, london_date
from safeguard_time._holiday_data import HolidayTable, load_shipped
from safeguard_time.errors import (
    CalendarRangeError,
    InvalidOptionError,
    ProvisionalCalendarWarning,
)

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "Convention",
    "Holiday",
    "WorkingCalendar",
    "england_and_wales",
]

_date = _dt.date
_fromordinal = _dt.date.fromordinal


class Convention(enum.Enum):
    """How "N working days after X" is counted when X is not a working day.

    Both conventions agree whenever X is a working day.

    - ``EVENT_DAY_ZERO`` (the default): the day of X is day 0 and day 1 is the first working
      day after X, whatever X is.  This is Excel's and LibreOffice's ``WORKDAY``; elapsed
      days are working days d with X < d <= Y.
    - ``NEXT_WORKING_DAY_ZERO``: an event on a non-working day is treated as happening on the
      next working day, which is day 0.  This is numpy's ``busday_offset(roll="forward")``
      and the ``NETWORKDAYS(X, Y) - 1`` of many statistical returns.

    >>> Convention("next_working_day_zero") is Convention.NEXT_WORKING_DAY_ZERO
    True
    """

    EVENT_DAY_ZERO = "event_day_zero"
    NEXT_WORKING_DAY_ZERO = "next_working_day_zero"

    @classmethod
    def parse(cls, value: object) -> Convention:
        """A convention from itself or its name, in any case, with ``-`` or ``_``.

        The one parser of conventions: Python callers, the spreadsheet functions and the
        command line all use it.

        >>> Convention.parse("Next-Working-Day-Zero")
        <Convention.NEXT_WORKING_DAY_ZERO: 'next_working_day_zero'>
        >>> Convention.parse("roll")
        Traceback (most recent call last):
        ...
        safeguard_time.errors.InvalidOptionError: unknown convention 'roll'; use one of: event_day_zero, next_working_day_zero
        """
        if isinstance(value, Convention):
            return value
        if isinstance(value, str):
            try:
                return cls(value.strip().lower().replace("-", "_"))
            except ValueError:
                pass
        valid = ", ".join(c.value for c in cls)
        raise InvalidOptionError(
            "convention", value, f"unknown convention {value!r}; use one of: {valid}"
        )

    # Members are singletons compared by identity: hash them by identity too, in C, since a
    # convention is part of the key of every cached rule plan (Enum's own hash is Python).
    __hash__ = object.__hash__


Direction = Literal["forward", "backward"]


@attrs.frozen
class Holiday:
    """A non-working weekday of a calendar: a bank holiday, or a local closure."""

    date: _dt.date
    name: str
    kind: Literal["bank_holiday", "closure"] = "bank_holiday"


class _Table:
    """The precomputed working-day table (private; shared by the scalar and bulk paths)."""

    __slots__ = (
        "_arrays",
        "cum",
        "first_ord",
        "n_days",
        "verified_last",
        "wdays",
        "working",
    )

    def __init__(
        self, first: _date, last: _date, nonworking: Iterable[_date], verified_last: _date
    ):
        self.first_ord = first.toordinal()
        self.n_days = last.toordinal() - self.first_ord + 1
        ords = np.arange(self.first_ord, self.first_ord + self.n_days, dtype=np.int64)
        working = (ords - 1) % 7 < 5  # date.toordinal() is 1 on Monday 0001-01-01
        offsets = np.fromiter((d.toordinal() - self.first_ord for d in nonworking), dtype=np.int64)
        working[offsets] = False
        cum = np.cumsum(working, dtype=np.int32)
        wdays = np.flatnonzero(working).astype(np.int32)
        working.setflags(write=False)
        cum.setflags(write=False)
        wdays.setflags(write=False)
        self._arrays = (working, cum, wdays)
        # Python lists for the scalar path: indexing a list is several times faster than
        # indexing a numpy array from Python.
        self.working: bytes = working.tobytes()
        self.cum: list[int] = cum.tolist()
        self.wdays: list[int] = wdays.tolist()
        self.verified_last = verified_last.toordinal() - self.first_ord

    @property
    def arrays(self) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """(is working, running count of working days inclusive, offsets of working days)."""
        return self._arrays


def _closure_map(closures: tuple[Holiday, ...]) -> dict[_date, str]:
    return {c.date: c.name for c in closures}


@attrs.frozen(eq=False)
class WorkingCalendar:
    """A working-day calendar: weekends and bank holidays, plus any local closures.

    Build the statutory calendar with :func:`england_and_wales`; add a council's own closure
    days with :meth:`with_closures`.  Dates may be ``datetime.date``, ``datetime.datetime``
    (naive = London wall time; aware = converted to Europe/London) or ``numpy.datetime64``.

    Results that read any day after the verified horizon (``verified_through``) still
    compute, but emit :class:`~safeguard_time.errors.ProvisionalCalendarWarning`.

    >>> import datetime as dt
    >>> cal = england_and_wales()
    >>> cal.first, cal.last, cal.verified_through
    (datetime.date(1990, 1, 1), datetime.date(2099, 12, 31), 2028)
    """

    name: str
    first: _date
    last: _date
    verified_through: int
    bank_holidays: Mapping[_date, str] = attrs.field(repr=False)
    closures: tuple[Holiday, ...]
    _table: _Table = attrs.field(repr=False, alias="_table")

    # --- construction -------------------------------------------------------------------

    @classmethod
    def from_table(cls, table: HolidayTable, *, name: str) -> WorkingCalendar:
        """Build a calendar from a holiday table (see ``safeguard_time._holiday_data``).

        >>> from safeguard_time._holiday_data import load_shipped
        >>> WorkingCalendar.from_table(load_shipped(), name="E&W") == england_and_wales()
        True
        """
        holidays = dict(table.days)
        return cls._build(name, table.first, table.last, table.verified_through, holidays, ())

    @classmethod
    def _build(
        cls,
        name: str,
        first: _date,
        last: _date,
        verified_through: int,
        holidays: Mapping[_date, str],
        closures: tuple[Holiday, ...],
    ) -> WorkingCalendar:
        for day in holidays:
            if not first <= day <= last:
                raise CalendarRangeError(day, first, last, what="holiday")
        nonworking = set(holidays) | {c.date for c in closures}
        verified_last = min(_date(verified_through, 12, 31), last)
        table = _Table(first, last, nonworking, verified_last)
        # A read-only view: the table was built from these holidays and must stay their copy.
        frozen = MappingProxyType(dict(holidays))
        return cls(name, first, last, verified_through, frozen, closures, table)

    def with_closures(self, dates: Iterable[DateLike], *, label: str) -> WorkingCalendar:
        """Return a new calendar in which ``dates`` are also non-working days.

        Local closures (a council's Christmas shutdown) are not bank holidays and are never
        on by default.  Results computed with the new calendar name the closures they used
        (see :meth:`closures_between`).

        >>> import datetime as dt
        >>> cal = england_and_wales().with_closures([dt.date(2024, 12, 27)], label="Shutdown")
        >>> cal.add_working_days(dt.date(2024, 12, 24), 1)
        datetime.date(2024, 12, 30)
        >>> cal.closures_between(dt.date(2024, 12, 24), dt.date(2024, 12, 30))
        (Holiday(date=datetime.date(2024, 12, 27), name='Shutdown', kind='closure'),)
        """
        if not label:
            raise InvalidOptionError(
                "label",
                label,
                "a closure needs a label, so results can say which closure they used",
            )
        existing = _closure_map(self.closures)
        for value in dates:
            day = london_date(value)
            if not self.first <= day <= self.last:
                raise CalendarRangeError(day, self.first, self.last, what="closure")
            existing.setdefault(day, label)
        closures = tuple(Holiday(d, lab, "closure") for d, lab in sorted(existing.items()))
        base = self.name.split(" + ")[0]
        labels = sorted({c.name for c in closures})
        name = f"{base} + closures ({', '.join(labels)})"
        return self._build(
            name, self.first, self.last, self.verified_through, self.bank_holidays, closures
        )

    # --- equality: by what the calendar says, not by its internal arrays ---------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return (self.first, self.last, self.verified_through, self.closures) == (
            other.first,
            other.last,
            other.verified_through,
            other.closures,
        ) and self.bank_holidays == other.bank_holidays

    def __hash__(self) -> int:
        return hash((self.first, self.last, self.verified_through, self.closures))

    @property
    def verified_until(self) -> _date:
        """The last day checked against the official list (31 December of ``verified_through``).

        >>> england_and_wales().verified_until
        datetime.date(2028, 12, 31)
        """
        return _fromordinal(self._table.verified_last + self._table.first_ord)

    # --- private helpers on day offsets (shared with deadlines and bulk) ---------------

    def _offset(self, value: DateLike, what: str = "date") -> int:
        day = value if type(value) is _date else london_date(value)
        o = day.toordinal() - self._table.first_ord
        if o < 0 or o >= self._table.n_days:
            raise CalendarRangeError(day, self.first, self.last, what=what)
        return o

    def _day(self, offset: int) -> _date:
        return _fromordinal(offset + self._table.first_ord)

    def _result_offset(self, index: int, start: int) -> int:
        """The working day at ``index`` of the table, counted from the day at ``start``."""
        wdays = self._table.wdays
        if 0 <= index < len(wdays):
            return wdays[index]
        start_day = self._day(start)
        raise CalendarRangeError(
            start_day, self.first, self.last, result_of=f"counting from {start_day.isoformat()}"
        )

    def _zero(self, o: int, convention: Convention) -> int:
        """Day 0 under the convention (the event day, or the next working day)."""
        if convention is Convention.EVENT_DAY_ZERO or self._table.working[o]:
            return o
        return self._result_offset(self._table.cum[o], o)

    def _add(self, o: int, n: int, convention: Convention) -> int:
        t = self._table
        if convention is not Convention.EVENT_DAY_ZERO:
            o = self._zero(o, _as_convention(convention))
        if n > 0:
            return self._result_offset(t.cum[o] + n - 1, o)
        if n == 0:
            return o
        return self._result_offset(t.cum[o] - t.working[o] + n, o)

    def _between(self, a: int, b: int, convention: Convention) -> int:
        if convention is not Convention.EVENT_DAY_ZERO:
            a = self._zero(a, _as_convention(convention))
        cum = self._table.cum
        return cum[b] - cum[a]

    def _roll_back(self, o: int) -> int:
        t = self._table
        if t.working[o]:
            return o
        return self._result_offset(t.cum[o] - 1, o)

    def _is_provisional(self, *offsets: int) -> bool:
        return max(offsets) > self._table.verified_last

    def _warn_provisional(self, *offsets: int) -> None:
        if max(offsets) > self._table.verified_last:
            warnings.warn(
                f"this result depends on {self.name} bank holidays after {self.verified_through}, "
                "which are projections, not the verified list",
                ProvisionalCalendarWarning,
                stacklevel=3,
            )

    def _closures_in(self, lo: int, hi: int) -> tuple[Holiday, ...]:
        if not self.closures:
            return ()
        if hi < lo:
            lo, hi = hi, lo
        a, b = self._day(lo), self._day(hi)
        return tuple(
            c
            for c in self.closures
            if a <= c.date <= b and c.date.weekday() < 5 and c.date not in self.bank_holidays
        )

    # --- public API ---------------------------------------------------------------------

    def is_working_day(self, day: DateLike) -> bool:
        """Whether ``day`` is a working day (not a weekend, bank holiday or closure).

        >>> import datetime as dt
        >>> cal = england_and_wales()
        >>> cal.is_working_day(dt.date(2023, 5, 8)), cal.is_working_day(dt.date(2020, 5, 4))
        (False, True)
        """
        o = self._offset(day)
        if o > self._table.verified_last:
            self._warn_provisional(o)
        return bool(self._table.working[o])

    def add_working_days(
        self, day: DateLike, n: SupportsIndex, *, convention: Convention = Convention.EVENT_DAY_ZERO
    ) -> _date:
        """The date ``n`` working days after ``day``: Excel's ``WORKDAY`` by default.

        Under the default convention the day itself is day 0 and day 1 is the first working
        day after it, whether or not ``day`` is a working day; ``n = 0`` returns ``day``;
        negative ``n`` counts back.  Under ``NEXT_WORKING_DAY_ZERO`` a non-working ``day`` is
        first moved to the next working day (numpy's ``busday_offset(roll="forward")``).

        >>> import datetime as dt
        >>> cal = england_and_wales()
        >>> saturday = dt.date(2024, 3, 9)
        >>> cal.add_working_days(saturday, 1)
        datetime.date(2024, 3, 11)
        >>> cal.add_working_days(saturday, 1, convention=Convention.NEXT_WORKING_DAY_ZERO)
        datetime.date(2024, 3, 12)
        >>> cal.add_working_days(saturday, -1)
        datetime.date(2024, 3, 8)
        """
        t = self._table
        if type(day) is _date and type(n) is int and convention is _EVENT_DAY_ZERO:
            # The hot path, inlined: two list look-ups and no further calls.  Anything
            # unusual (out of range, provisional, other types) takes the general path below.
            o = day.toordinal() - t.first_ord
            if 0 <= o < t.n_days:
                r = o
                if n:
                    i = t.cum[o] + n - 1 if n > 0 else t.cum[o] - t.working[o] + n
                    r = t.wdays[i] if 0 <= i < len(t.wdays) else t.n_days
                if r <= t.verified_last and o <= t.verified_last:
                    return _fromordinal(r + t.first_ord)
        n = operator.index(n)
        o = self._offset(day)
        r = self._add(o, n, convention)
        if r > t.verified_last or o > t.verified_last:
            self._warn_provisional(o, r)
        return _fromordinal(r + t.first_ord)

    def working_days_between(
        self, start: DateLike, end: DateLike, *, convention: Convention = Convention.EVENT_DAY_ZERO
    ) -> int:
        """Working days elapsed from ``start`` to ``end``: days d with start < d <= end.

        Negative (mirrored) when ``end`` is before ``start``.  Under ``NEXT_WORKING_DAY_ZERO``
        a non-working ``start`` counts from the next working day (``NETWORKDAYS - 1``).

        >>> import datetime as dt
        >>> cal = england_and_wales()
        >>> cal.working_days_between(dt.date(2022, 9, 16), dt.date(2022, 9, 23))
        4
        >>> cal.working_days_between(dt.date(2022, 9, 23), dt.date(2022, 9, 16))
        -4
        """
        a = self._offset(start, "start")
        b = self._offset(end, "end")
        if a > self._table.verified_last or b > self._table.verified_last:
            self._warn_provisional(a, b)
        return self._between(a, b, convention)

    def networkdays(self, start: DateLike, end: DateLike) -> int:
        """Excel's ``NETWORKDAYS``: working days from ``start`` to ``end``, both included.

        Negative when ``end`` is before ``start``.

        >>> import datetime as dt
        >>> cal = england_and_wales()
        >>> cal.networkdays(dt.date(2022, 12, 19), dt.date(2022, 12, 30))
        8
        >>> cal.networkdays(dt.date(2022, 12, 30), dt.date(2022, 12, 19))
        -8
        """
        a = self._offset(start, "start")
        b = self._offset(end, "end")
        t = self._table
        if a > t.verified_last or b > t.verified_last:
            self._warn_provisional(a, b)
        if b >= a:
            return t.cum[b] - t.cum[a] + t.working[a]
        return -(t.cum[a] - t.cum[b] + t.working[b])

    def roll(self, day: DateLike, direction: Direction) -> _date:
        """The day itself if it is a working day, else the next (or previous) working day.

        >>> import datetime as dt
        >>> cal = england_and_wales()
        >>> cal.roll(dt.date(2022, 12, 25), "forward"), cal.roll(dt.date(2022, 12, 25), "backward")
        (datetime.date(2022, 12, 28), datetime.date(2022, 12, 23))
        """
        o = self._offset(day)
        if direction == "forward":
            r = self._zero(o, Convention.NEXT_WORKING_DAY_ZERO)
        elif direction == "backward":
            r = self._roll_back(o)
        else:
            raise InvalidOptionError(
                "direction",
                direction,
                f"direction must be 'forward' or 'backward', got {direction!r}",
            )
        if r > self._table.verified_last or o > self._table.verified_last:
            self._warn_provisional(o, r)
        return self._day(r)

    def holidays(self, start: DateLike, end: DateLike) -> tuple[Holiday, ...]:
        """The non-working weekdays from ``start`` to ``end`` inclusive, with their names.

        Bank holidays on a weekend are left out: the list holds the days actually taken off,
        substitute days included.  Local closures appear with ``kind="closure"``.

        >>> import datetime as dt
        >>> for h in england_and_wales().holidays(dt.date(2022, 12, 24), dt.date(2023, 1, 2)):
        ...     print(h.date, h.name)
        2022-12-26 Boxing Day
        2022-12-27 Christmas Day (substitute day)
        2023-01-02 New Year's Day (substitute day)
        """
        a = self._offset(start, "start")
        b = self._offset(end, "end")
        if b > self._table.verified_last:
            self._warn_provisional(b)
        return self._holidays_in(a, b)

    def _holidays_in(self, a: int, b: int) -> tuple[Holiday, ...]:
        lo, hi = self._day(a), self._day(b)
        closures = _closure_map(self.closures)
        out = [Holiday(d, n) for d, n in self.bank_holidays.items() if lo <= d <= hi]
        out += [
            Holiday(d, label, "closure")
            for d, label in closures.items()
            if lo <= d <= hi and d.weekday() < 5 and d not in self.bank_holidays
        ]
        return tuple(sorted(out, key=lambda h: h.date))

    def closures_between(self, start: DateLike, end: DateLike) -> tuple[Holiday, ...]:
        """The local closure days between two dates (inclusive) that displaced a working day.

        >>> import datetime as dt
        >>> local = england_and_wales().with_closures([dt.date(2024, 12, 27)], label="Shutdown")
        >>> [c.date.isoformat() for c in local.closures_between(dt.date(2024, 12, 1), dt.date(2024, 12, 31))]
        ['2024-12-27']
        """
        return self._closures_in(self._offset(start, "start"), self._offset(end, "end"))

    def is_provisional(self, *days: DateLike) -> bool:
        """Whether any of ``days`` lies after the verified horizon.

        >>> import datetime as dt
        >>> england_and_wales().is_provisional(dt.date(2028, 12, 29), dt.date(2029, 1, 2))
        True
        """
        return self._is_provisional(*(self._offset(d) for d in days))

    def table_arrays(
        self,
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """The read-only arrays behind the calendar, indexed by days since ``first``.

        ``(is_working, cumulative working days inclusive, day offsets of working days)``:
        the same table the scalar methods read, for vectorised code.

        >>> working, cum, wdays = england_and_wales().table_arrays()
        >>> int(cum[-1]) == len(wdays), bool(working[0])     # 1 Jan 1990 was a bank holiday
        (True, False)
        """
        return self._table.arrays


_EVENT_DAY_ZERO = Convention.EVENT_DAY_ZERO


def _as_convention(value: object) -> Convention:
    return Convention.parse(value)


@functools.cache
def england_and_wales() -> WorkingCalendar:
    """The statutory England & Wales working-day calendar (built once, then cached).

    Weekends and the England & Wales bank holidays actually taken off, one-off days such as
    2022-09-19 included, 1990-2099.  Verified against the official GOV.UK list through
    ``verified_through``; later years are projections.

    >>> import datetime as dt
    >>> england_and_wales() is england_and_wales()
    True
    >>> england_and_wales().is_working_day(dt.date(2022, 9, 19))
    False
    """
    return WorkingCalendar.from_table(load_shipped(), name="England & Wales")
