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
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, SupportsIndex

import attrs
import numpy as np

from safeguard_time._dates import DateLike, london_date
from safeguard_time._holiday_data import HolidayTable, load_shipped
from safeguard_time.errors import (
    BankHolidayFileError,
    CalendarRangeError,
    InvalidOptionError,
    ProvisionalCalendarWarning,
    StaleBankHolidaysWarning,
)

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "BANK_HOLIDAYS_ENV",
    "CalendarUpdate",
    "Convention",
    "Holiday",
    "WorkingCalendar",
    "england_and_wales",
    "england_and_wales_shipped",
]

_date = _dt.date
_fromordinal = _dt.date.fromordinal

#: The environment variable naming a GOV.UK ``bank-holidays.json`` that
#: :func:`~safeguard_time.england_and_wales` reads (once, when it first builds the
#: calendar).
BANK_HOLIDAYS_ENV = "SAFEGUARD_TIME_BANK_HOLIDAYS"


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
    """A non-working weekday of a calendar: a bank holiday, or a local closure.

    Attributes:
        date: the day.
        name: its name (``"Easter Monday"``), or a closure's label.
        kind: ``"bank_holiday"`` or ``"closure"``.

    >>> import datetime as dt
    >>> england_and_wales().holidays(dt.date(2024, 5, 1), dt.date(2024, 5, 31))[0]
    Holiday(date=datetime.date(2024, 5, 6), name='May Day', kind='bank_holiday')
    """

    date: _dt.date
    name: str
    kind: Literal["bank_holiday", "closure"] = "bank_holiday"


@attrs.frozen
class CalendarUpdate:
    """What a GOV.UK ``bank-holidays.json`` changed, year by year, against the shipped table.

    ``added`` and ``removed`` are the non-working weekdays the file adds or takes away;
    ``moved`` pairs a removed day with an added one of the same year (``(old, new)``), as
    when the early May holiday of 2020 moved to VE day.  Days whose name alone differs are
    not changes.  ``first_year`` and ``last_year`` are the whole years the file covers, and
    ``source`` says where it came from.

    >>> update = CalendarUpdate("bank-holidays.json", 2019, 2028, (), (), ())
    >>> update.changed, update.years
    (False, range(2019, 2029))

    Attributes:
        source: where the file came from (its path, or a label).
        first_year: the first whole year the file covers.
        last_year: the last whole year the file covers.
        added: the non-working weekdays the file adds to the shipped table.
        removed: the non-working weekdays the file takes away.
        moved: ``(old, new)`` pairs: a removed day and an added one of the same year.
    """

    source: str
    first_year: int
    last_year: int
    added: tuple[Holiday, ...]
    removed: tuple[Holiday, ...]
    moved: tuple[tuple[Holiday, Holiday], ...]

    @property
    def changed(self) -> bool:
        """Whether the file differs from the table it was compared with in any day.

        >>> CalendarUpdate("f.json", 2029, 2029, (Holiday(_dt.date(2029, 6, 4), "X"),), (), ()).changed
        True
        """
        return bool(self.added or self.removed or self.moved)

    @property
    def years(self) -> range:
        """The years the file covers, ``first_year`` to ``last_year`` inclusive.

        >>> list(CalendarUpdate("f.json", 2029, 2030, (), (), ()).years)
        [2029, 2030]
        """
        return range(self.first_year, self.last_year + 1)

    def lines(self) -> list[str]:
        """The differences as text, one line per day, grouped by year (empty when none).

        >>> day = Holiday(_dt.date(2027, 6, 7), "Invented jubilee")
        >>> CalendarUpdate("f.json", 2027, 2027, (day,), (), ()).lines()
        ['2027: added 2027-06-07 Mon Invented jubilee']
        """
        rows: list[tuple[_date, str]] = []
        for h in self.added:
            rows.append((h.date, f"added {_show(h)}"))
        for h in self.removed:
            rows.append((h.date, f"removed {_show(h)}"))
        for old, new in self.moved:
            rows.append((new.date, f"moved {_show(old)} -> {_show(new)}"))
        return [f"{day.year}: {text}" for day, text in sorted(rows, key=lambda r: r[0])]


def _show(h: Holiday) -> str:
    return f"{h.date.isoformat()} {h.date:%a} {h.name}"


def _read_govuk(source: Any) -> tuple[dict[_date, str], int, int, str]:
    """The england-and-wales days of a GOV.UK file, its first and last years, and its name."""
    import json  # noqa: PLC0415 - only when a file is given

    if isinstance(source, dict):
        where = "the GOV.UK bank holidays given"
        data: object = source
    else:
        if isinstance(source, bytes | bytearray):
            where, raw = "the GOV.UK bank holidays given as bytes", bytes(source)
        elif isinstance(source, str | os.PathLike):
            where = os.fspath(source)
            try:
                with open(where, "rb") as fh:
                    raw = fh.read()
            except OSError as exc:
                raise BankHolidayFileError(
                    f"{where}: cannot read: {exc.strerror or exc}", value=source
                ) from None
        else:
            raise BankHolidayFileError(
                "bank holidays: expected a path, bytes or the parsed GOV.UK JSON (a dict), "
                f"got {type(source).__name__}",
                value=source,
            )
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BankHolidayFileError(
                f"{where}: not a GOV.UK bank-holidays.json (not JSON, or truncated: {exc})",
                value=source,
            ) from None
    division = data.get("england-and-wales") if isinstance(data, dict) else None
    if not isinstance(division, dict):
        raise BankHolidayFileError(
            f"{where}: no 'england-and-wales' division (expected the GOV.UK "
            'bank-holidays.json, {"england-and-wales": {"events": [...]}, ...})',
            value=source,
        )
    events = division.get("events")
    if not isinstance(events, list) or not events:
        raise BankHolidayFileError(
            f"{where}: the 'england-and-wales' division has no events", value=source
        )
    days: dict[_date, str] = {}
    for number, event in enumerate(events, start=1):
        text = event.get("date") if isinstance(event, dict) else None
        title = event.get("title") if isinstance(event, dict) else None
        try:
            day = _date.fromisoformat(text) if isinstance(text, str) else None
        except ValueError:
            day = None
        if day is None or len(text or "") != 10:
            raise BankHolidayFileError(
                f"{where}: england-and-wales event {number} has no YYYY-MM-DD date: {text!r}",
                value=source,
            )
        if not isinstance(title, str) or not title.strip():
            raise BankHolidayFileError(
                f"{where}: england-and-wales event {number} ({text}) has no title", value=source
            )
        if day.weekday() < 5:
            days[day] = title.strip()
    years = [_date.fromisoformat(e["date"]).year for e in events]
    return days, min(years), max(years), where


def _base_name(name: str) -> str:
    return name.replace("(substitute day)", "").strip().lower()


def _compare(
    known: Mapping[_date, str],
    days: Mapping[_date, str],
    first_year: int,
    last_year: int,
    where: str,
) -> CalendarUpdate:
    """The differences between ``known`` and a file's ``days`` over the file's years."""
    old = {d: n for d, n in known.items() if first_year <= d.year <= last_year}
    added = sorted(d for d in days if d not in old)
    removed = sorted(d for d in old if d not in days)
    moved: list[tuple[Holiday, Holiday]] = []
    for gone in list(removed):
        # A removed day and an added one of the same year, within six weeks: a moved holiday.
        near = [d for d in added if d.year == gone.year and abs((d - gone).days) <= 42]
        if near:
            new = min(near, key=lambda d: abs((d - gone).days))
            moved.append((Holiday(gone, old[gone]), Holiday(new, days[new])))
            removed.remove(gone)
            added.remove(new)
    return CalendarUpdate(
        source=where,
        first_year=first_year,
        last_year=last_year,
        added=tuple(Holiday(d, days[d]) for d in added),
        removed=tuple(Holiday(d, old[d]) for d in removed),
        moved=tuple(moved),
    )


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


def _rebuild_calendar(
    name: str,
    first: _date,
    last: _date,
    verified_through: int,
    holidays: Mapping[_date, str],
    closures: tuple[Holiday, ...],
    update: CalendarUpdate | None,
    project: bool,
    projected_from: str | None,
) -> WorkingCalendar:
    """A calendar again from what :meth:`WorkingCalendar.__reduce__` kept."""
    return WorkingCalendar._build(
        name,
        first,
        last,
        verified_through,
        holidays,
        closures,
        update,
        project=project,
        projected_from=projected_from,
    )


class _Projection:
    """The projected years of a calendar, still to be read from the ``holidays`` package.

    ``view`` is the calendar's :attr:`~WorkingCalendar.bank_holidays`: the verified days
    answer at once; asking for a later day, or for all of them, reads the projection.
    """

    __slots__ = ("full", "owner", "verified", "view")

    def __init__(self, verified: Mapping[_date, str]) -> None:
        self.verified = verified
        self.full: WorkingCalendar | None = None
        self.owner: WorkingCalendar | None = None
        self.view = _HolidayView(self)


class _HolidayView(Mapping[_date, str]):
    """Bank holidays whose projected years are read only when asked for."""

    __slots__ = ("_projection",)

    def __init__(self, projection: _Projection) -> None:
        self._projection = projection

    def _all(self) -> Mapping[_date, str]:
        owner = self._projection.owner
        assert owner is not None
        return owner._projected().bank_holidays

    def _verified_only(self, key: object) -> bool:
        owner = self._projection.owner
        return isinstance(key, _date) and owner is not None and key <= owner.verified_until

    def __getitem__(self, key: _date) -> str:
        if self._verified_only(key):
            return self._projection.verified[key]
        return self._all()[key]

    def __contains__(self, key: object) -> bool:
        if self._verified_only(key):
            return key in self._projection.verified
        return key in self._all()

    def __iter__(self) -> Iterator[_date]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"<bank holidays: {len(self._projection.verified)} verified, later years projected>"


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

    Attributes:
        name: what the calendar is called in explanations: ``England & Wales``, and
            ``England & Wales + closures (LABEL)`` once :meth:`with_closures` adds local days.
        first: the first day the calendar answers for (1 January 1990).
        last: the last day it answers for (31 December 2099); a date or result outside
            ``first`` to ``last`` raises :class:`~safeguard_time.errors.CalendarRangeError`.
        verified_through: the last year whose bank holidays were checked day by day against
            GOV.UK; later years are projections and their results provisional.
        bank_holidays: every bank holiday taken off on a weekday, date to name (read-only).
        closures: the local closure days added by :meth:`with_closures`, in date order.
    """

    name: str
    first: _date
    last: _date
    verified_through: int
    bank_holidays: Mapping[_date, str] = attrs.field(repr=False)
    closures: tuple[Holiday, ...]
    _table: _Table = attrs.field(repr=False, alias="_table")
    #: What a GOV.UK file changed (:meth:`from_govuk`); ``None`` for the shipped calendar.
    update: CalendarUpdate | None = attrs.field(default=None, repr=False)
    #: The years after the verified horizon still to be read from the ``holidays`` package
    #: (``None``: nothing left to read; see :attr:`projection`).
    _projection: _Projection | None = attrs.field(default=None, repr=False, alias="_projection")
    #: Where the bank holidays after the verified horizon come from (set when read).
    _projected_from: str | None = attrs.field(default=None, repr=False, alias="_projected_from")

    # --- construction -------------------------------------------------------------------

    @classmethod
    def from_table(
        cls, table: HolidayTable, *, name: str, project: bool = False
    ) -> WorkingCalendar:
        """Build a calendar from a holiday table (see ``safeguard_time._holiday_data``).

        With ``project``, the years after the table's verified horizon (up to its last
        supported day) take their England & Wales bank holidays from the installed
        ``holidays`` package, read the first time a result needs one of those years.

        >>> from safeguard_time._holiday_data import load_shipped
        >>> cal = WorkingCalendar.from_table(load_shipped(), name="E&W", project=True)
        >>> cal == england_and_wales()
        True
        """
        holidays = dict(table.days)
        return cls._build(
            name, table.first, table.last, table.verified_through, holidays, (), project=project
        )

    @classmethod
    def from_govuk(cls, source: Any, *, name: str = "England & Wales") -> WorkingCalendar:
        """The England & Wales calendar updated from a GOV.UK ``bank-holidays.json``.

        ``source`` is the file you downloaded from https://www.gov.uk/bank-holidays.json
        (a path, its bytes, or the parsed JSON as a dict): nothing is fetched.  For every
        year the file covers (its first to its last year), its england-and-wales days replace
        the shipped ones, and those years count as verified: ``verified_through`` becomes the
        file's last year when that is later.  :attr:`update` says what changed.

        A file whose last year is before the shipped verified horizon is an old download:
        it is ignored with :class:`~safeguard_time.errors.StaleBankHolidaysWarning` and the
        shipped calendar is returned.  A file that cannot be read, or has no
        england-and-wales events, raises :class:`~safeguard_time.errors.BankHolidayFileError`.

        >>> import datetime as dt
        >>> events = [{"title": "New Year's Day", "date": "2029-01-01", "notes": "",
        ...            "bunting": True}]
        >>> cal = WorkingCalendar.from_govuk({"england-and-wales": {"events": events}})
        >>> cal.verified_through, cal.update.first_year, cal.update.last_year
        (2029, 2029, 2029)
        >>> cal.is_working_day(dt.date(2029, 12, 25))    # not in the file: a working day
        True
        """
        days, first_year, last_year, where = _read_govuk(source)
        shipped = england_and_wales_shipped()
        if last_year < shipped.verified_through:
            warnings.warn(
                f"{where}: ignored: it covers {first_year}-{last_year}, older than the shipped "
                f"bank holidays, verified through {shipped.verified_through}",
                StaleBankHolidaysWarning,
                stacklevel=2,
            )
            return shipped
        for day in days:
            if not shipped.first <= day <= shipped.last:
                raise BankHolidayFileError(
                    f"{where}: {day.isoformat()} is outside the supported calendar range "
                    f"{shipped.first.isoformat()} to {shipped.last.isoformat()}",
                    value=source,
                )
        # Compared with what the library would use without the file: projected days too.
        update = _compare(shipped.bank_holidays, days, first_year, last_year, where)
        holidays = {
            d: n
            for d, n in shipped._own_holidays().items()
            if not first_year <= d.year <= last_year
        }
        holidays.update(days)
        holidays = dict(sorted(holidays.items()))
        verified = max(shipped.verified_through, last_year)
        return cls._build(
            name,
            shipped.first,
            shipped.last,
            verified,
            holidays,
            (),
            update,
            project=shipped._projects(),
        )

    def compare_govuk(self, source: Any) -> CalendarUpdate:
        """What a GOV.UK ``bank-holidays.json`` would change in this calendar's bank holidays.

        The same comparison as :meth:`from_govuk` makes, whatever the file's age, over the
        years the file covers; nothing is changed.

        >>> events = [{"title": "Christmas Day", "date": "2024-12-25", "notes": "",
        ...            "bunting": True}]
        >>> update = england_and_wales().compare_govuk({"england-and-wales": {"events": events}})
        >>> [h.date.isoformat() for h in update.removed]     # the file lacks the other 2024 days
        ['2024-01-01', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-08-26', '2024-12-26']
        """
        days, first_year, last_year, where = _read_govuk(source)
        return _compare(self.bank_holidays, days, first_year, last_year, where)

    @classmethod
    def _build(
        cls,
        name: str,
        first: _date,
        last: _date,
        verified_through: int,
        holidays: Mapping[_date, str],
        closures: tuple[Holiday, ...],
        update: CalendarUpdate | None = None,
        *,
        project: bool = False,
        projected_from: str | None = None,
    ) -> WorkingCalendar:
        for day in holidays:
            if not first <= day <= last:
                raise CalendarRangeError(day, first, last, what="holiday")
        nonworking = set(holidays) | {c.date for c in closures}
        verified_last = min(_date(verified_through, 12, 31), last)
        table = _Table(first, last, nonworking, verified_last)
        # A read-only view: the table was built from these holidays and must stay their copy.
        frozen: Mapping[_date, str] = MappingProxyType(dict(holidays))
        projection = None
        if project and verified_last < last:
            # Until the projected years are read, the table has weekends only after the
            # horizon; any result that reads a day there is computed again on the full
            # calendar (:meth:`_projected`), so no answer ever rests on the gap.
            projection = _Projection(frozen)
            frozen = projection.view
        cal = cls(
            name,
            first,
            last,
            verified_through,
            frozen,
            closures,
            table,
            update,
            projection,
            projected_from,
        )
        if projection is not None:
            projection.owner = cal
        return cal

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled by what it holds (Dask and Spark send calendars to their workers).

        A calendar still to read its projected years is rebuilt the same way: it reads
        them, on the worker, when a result needs them.
        """
        return (
            _rebuild_calendar,
            (
                self.name,
                self.first,
                self.last,
                self.verified_through,
                dict(self._own_holidays()),
                self.closures,
                self.update,
                self._projection is not None,
                self._projected_from,
            ),
        )

    def _projects(self) -> bool:
        """Whether the years after the verified horizon come from the ``holidays`` package."""
        return self._projection is not None or self._projected_from is not None

    def _own_holidays(self) -> Mapping[_date, str]:
        """The bank holidays held without reading the ``holidays`` package."""
        return self._projection.verified if self._projection is not None else self.bank_holidays

    def _projected(self) -> WorkingCalendar:
        """This calendar with the projected years read in (itself if nothing is left to read).

        The first call imports the installed ``holidays`` package (``subdiv="ENG"``, weekdays
        taken off only) for the years after the verified horizon; the result is kept.
        """
        projection = self._projection
        if projection is None:
            return self
        if projection.full is None:
            from safeguard_time._holiday_data import projected_days  # noqa: PLC0415

            days, source = projected_days(self.verified_through + 1, self.last.year)
            holidays = dict(projection.verified)
            holidays.update(days)
            projection.full = self._build(
                self.name,
                self.first,
                self.last,
                self.verified_through,
                dict(sorted(holidays.items())),
                self.closures,
                self.update,
                projected_from=source,
            )
        return projection.full

    @property
    def projection(self) -> str | None:
        """Where the bank holidays after the verified horizon come from (``None``: no such years).

        The installed ``holidays`` package, read when a result first needs those years;
        results that rest on them are flagged provisional and name its version.

        >>> cal = england_and_wales()
        >>> cal.projection.startswith("holidays ")
        True
        """
        if self._projected_from is not None:
            return self._projected_from
        if self._projection is None:
            return None
        return self._projected().projection

    def with_closures(self, dates: Iterable[DateLike], *, label: str) -> WorkingCalendar:
        """Return a new calendar in which ``dates`` are also non-working days.

        Local closures (a council's Christmas shutdown) are not bank holidays and are never
        on by default.  Results computed with the new calendar name the closures they used
        (see :meth:`closures_between`).

        Args:
            dates: the closure days (any date form the calendar reads).
            label: what results call these closures (``"Christmas shutdown"``); required.

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
            name,
            self.first,
            self.last,
            self.verified_through,
            self._own_holidays(),
            closures,
            self.update,
            project=self._projection is not None,
            projected_from=self._projected_from,
        )

    # --- equality: by what the calendar says, not by its internal arrays ---------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        if self is other:
            return True
        if (self._projection is None) != (other._projection is None):
            # One has read its projected years, the other not yet: they answer alike, but
            # they are different tables (caches keyed by calendar must not mix them).
            return False
        if self._projection is not None and other._projection is not None:
            # Both still to read the same projected years: equal by what they hold.
            return (self.first, self.last, self.verified_through, self.closures) == (
                other.first,
                other.last,
                other.verified_through,
                other.closures,
            ) and self._projection.verified == other._projection.verified
        return (self.first, self.last, self.verified_through, self.closures) == (
            other.first,
            other.last,
            other.verified_through,
            other.closures,
        ) and self.bank_holidays == other.bank_holidays

    def __hash__(self) -> int:
        pending = self._projection is not None
        return hash((self.first, self.last, self.verified_through, self.closures, pending))

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
                self.provisional_words(),
                ProvisionalCalendarWarning,
                stacklevel=3,
            )

    def provisional_words(self) -> str:
        """What a provisional result is told: which years are projected, and from what.

        >>> print(england_and_wales().provisional_words())  # doctest: +ELLIPSIS
        this result depends on England & Wales bank holidays after 2028, which are projections (holidays ...), not the verified list
        """
        source = f" ({self.projection})" if self.projection else ""
        return (
            f"this result depends on {self.name} bank holidays after {self.verified_through}, "
            f"which are projections{source}, not the verified list"
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

        Args:
            day: the day: a date, a datetime (aware ones become London dates), a
                ``numpy.datetime64`` or text in the one date grammar.

        >>> import datetime as dt
        >>> cal = england_and_wales()
        >>> cal.is_working_day(dt.date(2023, 5, 8)), cal.is_working_day(dt.date(2020, 5, 4))
        (False, True)
        """
        o = self._offset(day)
        if o > self._table.verified_last:
            if self._projection is not None:
                return self._projected().is_working_day(day)
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

        Args:
            day: the day counted from: a date, a datetime (aware ones become London dates), a
                ``numpy.datetime64`` or text in the one date grammar.
            n: how many working days to count (negative: back).
            convention: how day 0 is counted: ``EVENT_DAY_ZERO`` (the default, Excel's ``WORKDAY``)
                or ``NEXT_WORKING_DAY_ZERO``, or its name.

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
        if isinstance(n, bool | np.bool_):
            raise InvalidOptionError("n", n, f"{n!r} is not a count of working days")
        n = operator.index(n)
        o = self._offset(day)
        try:
            r = self._add(o, n, convention)
        except CalendarRangeError:
            if self._projection is None:
                raise
            r = t.n_days  # past the end: the full calendar says whether it really is
        if r > t.verified_last or o > t.verified_last:
            if self._projection is not None:
                return self._projected().add_working_days(day, n, convention=convention)
            self._warn_provisional(o, r)
        return _fromordinal(r + t.first_ord)

    def working_days_between(
        self, start: DateLike, end: DateLike, *, convention: Convention = Convention.EVENT_DAY_ZERO
    ) -> int:
        """Working days elapsed from ``start`` to ``end``: days d with start < d <= end.

        Negative (mirrored) when ``end`` is before ``start``.  Under ``NEXT_WORKING_DAY_ZERO``
        a non-working ``start`` counts from the next working day (``NETWORKDAYS - 1``).

        Args:
            start: the first day, not itself counted: a date, a datetime (aware ones become London
                dates), a ``numpy.datetime64`` or text in the one date grammar.
            end: the last day, counted if it is a working day.
            convention: how day 0 is counted: ``EVENT_DAY_ZERO`` (the default, Excel's ``WORKDAY``)
                or ``NEXT_WORKING_DAY_ZERO``, or its name.

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
            if self._projection is not None:
                return self._projected().working_days_between(start, end, convention=convention)
            self._warn_provisional(a, b)
        return self._between(a, b, convention)

    def networkdays(self, start: DateLike, end: DateLike) -> int:
        """Excel's ``NETWORKDAYS``: working days from ``start`` to ``end``, both included.

        Negative when ``end`` is before ``start``.

        Args:
            start: the first day, counted if it is a working day.
            end: the last day, counted if it is a working day.

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
            if self._projection is not None:
                return self._projected().networkdays(start, end)
            self._warn_provisional(a, b)
        if b >= a:
            return t.cum[b] - t.cum[a] + t.working[a]
        return -(t.cum[a] - t.cum[b] + t.working[b])

    def roll(self, day: DateLike, direction: Direction) -> _date:
        """The day itself if it is a working day, else the next (or previous) working day.

        Args:
            day: the day to move, if it is not a working day.
            direction: ``"forward"`` (the next working day) or ``"backward"`` (the previous one).

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
            if self._projection is not None:
                return self._projected().roll(day, direction)
            self._warn_provisional(o, r)
        return self._day(r)

    def holidays(self, start: DateLike, end: DateLike) -> tuple[Holiday, ...]:
        """The non-working weekdays from ``start`` to ``end`` inclusive, with their names.

        Bank holidays on a weekend are left out: the list holds the days actually taken off,
        substitute days included.  Local closures appear with ``kind="closure"``.

        Args:
            start: the first day of the range.
            end: the last day of the range, included.

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
            if self._projection is not None:
                return self._projected().holidays(start, end)
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

    def complete(self) -> WorkingCalendar:
        """This calendar with every projected year read in (itself when none are left).

        The calendar's own answers read the projected years when they need them; whole-table
        users (exports, :meth:`table_arrays` over the years after the horizon) take this.

        >>> full = england_and_wales().complete()
        >>> full.verified_through, full.projection == england_and_wales().projection
        (2028, True)
        """
        return self._projected()


_EVENT_DAY_ZERO = Convention.EVENT_DAY_ZERO


def _as_convention(value: object) -> Convention:
    return Convention.parse(value)


@functools.cache
def england_and_wales_shipped() -> WorkingCalendar:
    """The England & Wales calendar from the table shipped in the package (cached).

    The same as :func:`~safeguard_time.england_and_wales` unless
    ``SAFEGUARD_TIME_BANK_HOLIDAYS`` is set.

    >>> england_and_wales_shipped().update is None
    True
    """
    return WorkingCalendar.from_table(load_shipped(), name="England & Wales", project=True)


@functools.cache
def england_and_wales() -> WorkingCalendar:
    """The statutory England & Wales working-day calendar (built once, then cached).

    Weekends and the England & Wales bank holidays actually taken off, one-off days such as
    2022-09-19 included, 1990-2099.  Verified against the official GOV.UK list through
    ``verified_through``; later years are projections.

    When the environment variable ``SAFEGUARD_TIME_BANK_HOLIDAYS`` names a GOV.UK
    ``bank-holidays.json``, the calendar is :meth:`WorkingCalendar.from_govuk` of that file
    (read once, when the calendar is first built): for those who cannot pass a calendar,
    such as spreadsheet users.

    >>> import datetime as dt
    >>> england_and_wales() is england_and_wales()
    True
    >>> england_and_wales().is_working_day(dt.date(2022, 9, 19))
    False
    """
    path = os.environ.get(BANK_HOLIDAYS_ENV)
    if path:
        return WorkingCalendar.from_govuk(path)
    return england_and_wales_shipped()
