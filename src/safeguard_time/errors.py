"""Errors and warnings raised by safeguard_time.

Every error derives from :class:`SafeguardTimeError`, and also from the built-in class
that describes it best (``ValueError`` for a bad value, ``LookupError`` for something
that does not exist), so callers may catch either.

>>> from safeguard_time.errors import CalendarRangeError, SafeguardTimeError
>>> issubclass(CalendarRangeError, SafeguardTimeError), issubclass(CalendarRangeError, ValueError)
(True, True)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

__all__ = [
    "CalendarRangeError",
    "EventOrderError",
    "NoRuleInForceError",
    "PolicyError",
    "ProvisionalCalendarWarning",
    "RuleDataError",
    "SafeguardTimeError",
    "UnknownTimescaleError",
]


class SafeguardTimeError(Exception):
    """Base class of every error this library raises on purpose."""


class CalendarRangeError(SafeguardTimeError, ValueError):
    """A date, or a result, lies outside the range the calendar supports.

    The calendar refuses to guess: it holds one verified table over a fixed range and
    raises rather than extrapolating beyond it.

    >>> import datetime as dt
    >>> err = CalendarRangeError(dt.date(1989, 12, 29), dt.date(1990, 1, 1), dt.date(2099, 12, 31))
    >>> print(err)
    1989-12-29 is outside the supported calendar range 1990-01-01 to 2099-12-31
    """

    def __init__(
        self,
        value: _dt.date,
        first: _dt.date,
        last: _dt.date,
        *,
        what: str = "",
        result_of: str = "",
    ) -> None:
        self.value = value
        self.first = first
        self.last = last
        span = f"the supported calendar range {first.isoformat()} to {last.isoformat()}"
        if result_of:
            msg = f"{result_of}: the result falls outside {span}"
        else:
            prefix = f"{what} " if what else ""
            msg = f"{prefix}{value.isoformat()} is outside {span}"
        super().__init__(msg)


class UnknownTimescaleError(SafeguardTimeError, LookupError):
    """A timescale id that the rule data does not define."""

    def __init__(self, timescale: str, valid: Iterable[str]) -> None:
        self.timescale = timescale
        self.valid = tuple(sorted(valid))
        super().__init__(f"unknown timescale {timescale!r}; valid ids are: {', '.join(self.valid)}")

    def __str__(self) -> str:
        # LookupError's str() would quote the message as a key; keep it readable.
        return str(self.args[0])


class NoRuleInForceError(SafeguardTimeError, LookupError):
    """No rule of the timescale was in force on the start date.

    ``instead`` names the timescales whose rules did apply on that date (for example
    ``assessment`` for an initial assessment started in 2014).
    """

    def __init__(
        self, timescale: str, on: _dt.date, instead: tuple[str, ...], detail: str = ""
    ) -> None:
        self.timescale = timescale
        self.on = on
        self.instead = instead
        msg = f"no rule for {timescale!r} was in force on {on.isoformat()}"
        if instead:
            msg += f"; the rule that applied then was {' / '.join(repr(t) for t in instead)}"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)

    def __str__(self) -> str:
        return str(self.args[0])


class RuleDataError(SafeguardTimeError, ValueError):
    """The rule data files are inconsistent; the message names the file and the rule."""


class PolicyError(SafeguardTimeError, ValueError):
    """A council policy that cannot be applied (for example switch dates out of order)."""


class EventOrderError(SafeguardTimeError, ValueError):
    """An end event dated before its start event."""


class ProvisionalCalendarWarning(UserWarning):
    """A result depends on calendar years beyond the verified horizon.

    Bank holidays after the verified horizon are projections: a one-off holiday can be
    announced at a week's notice.  Filter it like any warning::

        warnings.filterwarnings("ignore", category=ProvisionalCalendarWarning)
    """
