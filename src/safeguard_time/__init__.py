"""safeguard_time: statutory timescales of children's social care in England.

>>> import datetime as dt
>>> import safeguard_time as sgt
>>> sgt.england_and_wales().add_working_days(dt.date(2023, 5, 5), 1)  # Mon 8 May: coronation
datetime.date(2023, 5, 9)
"""

from safeguard_time._dates import london_date
from safeguard_time.calendar import Convention, Holiday, WorkingCalendar, england_and_wales
from safeguard_time.errors import (
    CalendarRangeError,
    EventOrderError,
    NoRuleInForceError,
    PolicyError,
    ProvisionalCalendarWarning,
    RuleDataError,
    SafeguardTimeError,
    UnknownTimescaleError,
)

__all__ = [
    "CalendarRangeError",
    "Convention",
    "EventOrderError",
    "Holiday",
    "NoRuleInForceError",
    "PolicyError",
    "ProvisionalCalendarWarning",
    "RuleDataError",
    "SafeguardTimeError",
    "UnknownTimescaleError",
    "WorkingCalendar",
    "england_and_wales",
    "london_date",
]

__version__ = "0.1.0.dev0"
