"""Errors and warnings raised by safeguard_time: one hierarchy, each error with its context.

Every error a caller can cause derives from :class:`SafeguardTimeError`, and also from the
built-in class that describes it best (``ValueError`` for a bad value, ``TypeError`` for a
value of the wrong kind, ``LookupError`` for something that does not exist), so callers may
catch either.

Each error carries:

- ``code``: a stable, machine-readable reason (``"not_a_date"``, ``"out_of_range"``,
  ``"no_rule"``, ...; :data:`REASON_CODES` lists them).  Adapters (the scan, the spreadsheet
  functions, the command line) branch on the code, never on the message text;
- ``value``: the value that caused it;
- ``row`` and ``column``: where it was found, in bulk (``None`` for one case).

A bulk row's reason is ``str()`` of the very error the one-case API raises for the same
input: the message is built in one place, here.

>>> from safeguard_time.errors import CalendarRangeError, SafeguardTimeError
>>> issubclass(CalendarRangeError, SafeguardTimeError), issubclass(CalendarRangeError, ValueError)
(True, True)
>>> import datetime as dt
>>> err = EventOrderError.end_before_start(dt.date(2024, 3, 1), dt.date(2024, 3, 8))
>>> err.code, str(err)
('end_before_start', 'end 2024-03-01 is before the start 2024-03-08')
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import ClassVar

__all__ = [
    "REASON_CODES",
    "AsOfBeforeStartError",
    "BankHolidayFileError",
    "CalendarRangeError",
    "EventOrderError",
    "InvalidOptionError",
    "MissingAsOfError",
    "MissingDateError",
    "NoRuleInForceError",
    "NotAColumnError",
    "NotADateError",
    "PolicyError",
    "ProvisionalCalendarWarning",
    "RuleDataError",
    "SafeguardTimeError",
    "StaleBankHolidaysWarning",
    "UnknownTimescaleError",
    "UnreadableColumnWarning",
    "extra_needed",
]


def did_you_mean(value: object, valid: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` naming the valid id nearest to ``value``, or ``""``.

    The one suggestion of every id the library refuses (timescales, phases).

    >>> did_you_mean("first_yaer", ["first_year", "until_18"]), did_you_mean("x", ["until_18"])
    ("; did you mean 'first_year'?", '')
    """
    import difflib  # noqa: PLC0415 - only on the error path

    close = difflib.get_close_matches(str(value), list(valid), n=1) if value is not None else []
    return f"; did you mean {close[0]!r}?" if close else ""


class SafeguardTimeError(Exception):
    """Base class of every error this library raises on purpose.

    Attributes:
        code: the stable reason code (see :data:`REASON_CODES`).
        value: the value that caused the error (``None`` when there is none).
        row: the row (0-based) in bulk, else ``None``.
        column: the column in bulk (``"start"``, ``"end"``, ``"as_of"``, or a file's column
            name), else ``None``.

    >>> e = SafeguardTimeError("something", value=3).at(row=7, column="start")
    >>> e.code, e.value, e.row, e.column, str(e)
    ('error', 3, 7, 'start', 'something')
    """

    code: ClassVar[str] = "error"

    def __init__(self, message: str, *, value: object = None) -> None:
        super().__init__(message)
        self.value = value
        self.row: int | None = None
        self.column: str | None = None

    def at(self, *, row: int | None = None, column: str | None = None) -> SafeguardTimeError:
        """This error, placed at a row and column (returns ``self``, for chaining)."""
        self.row = row
        self.column = column
        return self

    def __str__(self) -> str:
        # LookupError's str() would quote the message as a key; keep it readable.
        return str(self.args[0]) if self.args else ""


class NotADateError(SafeguardTimeError, ValueError):
    """A value that is not a date: a refused text form, a word, a number that is no serial.

    ``str()`` is the reason, which says what was wrong and, where it can, what to write.
    """

    code: ClassVar[str] = "not_a_date"


class NotAColumnError(SafeguardTimeError, TypeError):
    """A value given where a column was expected that is not one (or not of dates or counts).

    >>> e = NotAColumnError("starts: expected a column of dates, got dict", value={})
    >>> e.code, isinstance(e, TypeError)
    ('not_a_column', True)
    """

    code: ClassVar[str] = "not_a_column"


class MissingDateError(SafeguardTimeError, ValueError):
    """A date is required here and the value is missing (``None``, ``NaT``, a blank cell).

    >>> str(MissingDateError.of("start"))
    'missing start'
    """

    code: ClassVar[str] = "missing"

    @classmethod
    def of(cls, what: str) -> MissingDateError:
        """The error for a missing ``what`` (``"start"``, ``"end"``, ``"as_of"``)."""
        return cls(f"missing {what}", value=None)


class CalendarRangeError(SafeguardTimeError, ValueError):
    """A date, or a result, lies outside the range the calendar supports.

    The calendar refuses to guess: it holds one verified table over a fixed range and
    raises rather than extrapolating beyond it.  ``value`` is the date given (for a result
    outside the range: the date it was counted from).

    >>> import datetime as dt
    >>> err = CalendarRangeError(dt.date(1989, 12, 29), dt.date(1990, 1, 1), dt.date(2099, 12, 31))
    >>> print(err)
    1989-12-29 is outside the supported calendar range 1990-01-01 to 2099-12-31
    """

    code: ClassVar[str] = "out_of_range"

    def __init__(
        self,
        value: object,
        first: _dt.date,
        last: _dt.date,
        *,
        what: str = "",
        result_of: str = "",
    ) -> None:
        self.first = first
        self.last = last
        span = f"the supported calendar range {first.isoformat()} to {last.isoformat()}"
        if result_of:
            msg = f"{result_of}: the result falls outside {span}"
        else:
            prefix = f"{what} " if what else ""
            text = value.isoformat() if isinstance(value, _dt.date) else str(value)
            msg = f"{prefix}{text} is outside {span}"
        super().__init__(msg, value=value)


class UnknownTimescaleError(SafeguardTimeError, LookupError):
    """A timescale id that the rule data does not define; the message suggests the nearest."""

    code: ClassVar[str] = "unknown_timescale"

    def __init__(self, timescale: str, valid: Iterable[str]) -> None:
        self.timescale = timescale
        self.valid = tuple(sorted(valid))
        hint = did_you_mean(timescale, self.valid)
        super().__init__(
            f"unknown timescale {timescale!r}{hint} valid ids are: {', '.join(self.valid)}",
            value=timescale,
        )


class NoRuleInForceError(SafeguardTimeError, LookupError):
    """No rule of the timescale was in force on the start date.

    ``instead`` names the timescales whose rules did apply on that date (for example
    ``assessment`` for an initial assessment started in 2014).  In bulk a row with no rule
    in force and no end event is ``not_applicable`` rather than an error.
    """

    code: ClassVar[str] = "no_rule"

    def __init__(
        self, timescale: str, on: _dt.date, instead: tuple[str, ...], detail: str = ""
    ) -> None:
        self.timescale = timescale
        self.on = on
        self.instead = instead
        self.detail = detail
        msg = f"no rule for {timescale!r} was in force on {on.isoformat()}"
        if instead:
            msg += f"; the rule that applied then was {' / '.join(repr(t) for t in instead)}"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg, value=on)


class RuleDataError(SafeguardTimeError, ValueError):
    """The rule data files are inconsistent; the message names the file and the rule."""

    code: ClassVar[str] = "rule_data"


class PolicyError(SafeguardTimeError, ValueError):
    """A council policy that cannot be applied (unknown setting, bad date, dates out of order)."""

    code: ClassVar[str] = "bad_policy"


class InvalidOptionError(SafeguardTimeError, ValueError):
    """An option outside its allowed values: a phase, extensions, a plan, a direction, ...

    ``option`` names the option (``"phase"``, ``"extensions"``, ``"plan"``, ...).

    >>> e = InvalidOptionError("direction", "sideways", "direction must be 'forward' or 'backward'")
    >>> e.code, e.option, e.value
    ('bad_option', 'direction', 'sideways')
    """

    code: ClassVar[str] = "bad_option"

    def __init__(self, option: str, value: object, message: str) -> None:
        self.option = option
        super().__init__(message, value=value)


class EventOrderError(SafeguardTimeError, ValueError):
    """An end event dated before its start event."""

    code: ClassVar[str] = "end_before_start"

    @classmethod
    def end_before_start(cls, end: _dt.date, start: _dt.date) -> EventOrderError:
        """The error for an end dated before its start."""
        return cls(f"end {end.isoformat()} is before the start {start.isoformat()}", value=end)


class AsOfBeforeStartError(EventOrderError):
    """An open case judged as of a date before its start: it had not started then.

    >>> import datetime as dt
    >>> print(AsOfBeforeStartError.of(dt.date(2024, 3, 1), dt.date(2024, 3, 8)))
    as_of 2024-03-01 is before the start 2024-03-08: the case had not started on that date
    """

    code: ClassVar[str] = "as_of_before_start"

    @classmethod
    def of(cls, as_of: _dt.date, start: _dt.date) -> AsOfBeforeStartError:
        """The error for an as-of date before the start."""
        return cls(
            f"as_of {as_of.isoformat()} is before the start {start.isoformat()}: the case had "
            "not started on that date",
            value=as_of,
        )


class MissingAsOfError(SafeguardTimeError, ValueError):
    """An open case (no end event) with no as-of date to judge it on: there is no "today"."""

    code: ClassVar[str] = "needs_as_of"

    @classmethod
    def open_case(cls) -> MissingAsOfError:
        """The error for an open case with no as-of date."""
        return cls("open case needs as_of (the date to judge it on)", value=None)


#: Every reason code, with what it means.  A bulk row error and the one-case error for the
#: same input have the same code.
REASON_CODES: dict[str, str] = {
    "not_a_date": "the value is not a date (a refused form, a word, a bad number)",
    "missing": "a required date is missing",
    "out_of_range": "a date, or a result, is outside the calendar's range",
    "no_rule": "no rule of the timescale was in force on the start date",
    "end_before_start": "the end event is dated before the start",
    "as_of_before_start": "the as-of date is before the start",
    "needs_as_of": "an open case has no as-of date",
    "unknown_timescale": "the timescale id is not defined",
    "not_a_column": "a value given as a column is not a column of dates or counts",
    "bad_option": "an option (phase, extensions, plan, direction, ...) is not allowed",
    "bad_policy": "a council policy cannot be applied",
    "rule_data": "the rule data files are inconsistent",
    "bad_bank_holidays": "a GOV.UK bank-holidays file cannot be read or has no england-and-wales days",
}


class ProvisionalCalendarWarning(UserWarning):
    """A result depends on calendar years beyond the verified horizon.

    Bank holidays after the verified horizon are projections: a one-off holiday can be
    announced at a week's notice.  Filter it like any warning::

        warnings.filterwarnings("ignore", category=ProvisionalCalendarWarning)
    """


class UnreadableColumnWarning(UserWarning):
    """Every cell of a column failed to read as a date: the column is probably not dates.

    The rows are still returned, each with its reason; the warning names the forms accepted.
    """


class BankHolidayFileError(SafeguardTimeError, ValueError):
    """A GOV.UK ``bank-holidays.json`` that cannot be used.

    Not JSON, truncated, without the ``england-and-wales`` division or its events, or with an
    event that is not a date.

    >>> e = BankHolidayFileError("bank-holidays.json: not JSON", value="bank-holidays.json")
    >>> e.code, isinstance(e, ValueError)
    ('bad_bank_holidays', True)
    """

    code: ClassVar[str] = "bad_bank_holidays"


class StaleBankHolidaysWarning(UserWarning):
    """A GOV.UK bank-holidays file older than the shipped verified data was ignored.

    Its last year is before the shipped verified horizon, so it can only be an old download;
    the message says which file and which years were ignored.
    """


def extra_needed(what: str, package: str, extra: str) -> str:
    """The words for a missing optional package: which extra brings it, and how to install.

    The package is installed from a clone or a built wheel, not from an index, so the
    extra is named the way those installs take it.

    >>> print(extra_needed("reading a workbook", "python-calamine", "xlsx"))
    reading a workbook needs python-calamine, which is not installed: install safeguard-time with its 'xlsx' extra (from a clone: pip install '.[xlsx]'; from a wheel: pip install 'safeguard_time-VERSION-py3-none-any.whl[xlsx]') or pip install python-calamine
    """
    return (
        f"{what} needs {package}, which is not installed: install safeguard-time with its "
        f"'{extra}' extra (from a clone: pip install '.[{extra}]'; from a wheel: pip install "
        f"'safeguard_time-VERSION-py3-none-any.whl[{extra}]') or pip install {package}"
    )
