"""safeguard_time: statutory timescales of children's social care in England.

>>> import datetime as dt
>>> import safeguard_time as sgt
>>> sgt.england_and_wales().add_working_days(dt.date(2023, 5, 5), 1)  # Mon 8 May: coronation
datetime.date(2023, 5, 9)
"""

import importlib
from typing import TYPE_CHECKING, Any

from safeguard_time._dates import london_date, parse_date
from safeguard_time.calendar import (
    CalendarUpdate,
    Convention,
    Holiday,
    WorkingCalendar,
    england_and_wales,
)
from safeguard_time.errors import (
    BankHolidayFileError,
    CalendarRangeError,
    EventOrderError,
    NoRuleInForceError,
    PolicyError,
    ProvisionalCalendarWarning,
    RuleDataError,
    SafeguardTimeError,
    StaleBankHolidaysWarning,
    UnknownTimescaleError,
)

if TYPE_CHECKING:
    from safeguard_time._bulk_input import parse_dates
    from safeguard_time._date_columns import DateRowError, ParsedDates
    from safeguard_time.deadlines import Deadline, Status, Timeliness, assess, deadline
    from safeguard_time.rules import (
        Citation,
        Edition,
        Policy,
        Rule,
        Timescale,
        rule_for,
        timescales,
    )
    from safeguard_time.schedules import Schedule, ScheduleItem, schedule

__all__ = [
    "BankHolidayFileError",
    "CalendarRangeError",
    "CalendarUpdate",
    "Citation",
    "Convention",
    "DateRowError",
    "Deadline",
    "Edition",
    "EventOrderError",
    "Holiday",
    "NoRuleInForceError",
    "ParsedDates",
    "Policy",
    "PolicyError",
    "ProvisionalCalendarWarning",
    "Rule",
    "RuleDataError",
    "SafeguardTimeError",
    "Schedule",
    "ScheduleItem",
    "StaleBankHolidaysWarning",
    "Status",
    "Timeliness",
    "Timescale",
    "UnknownTimescaleError",
    "WorkingCalendar",
    "assess",
    "deadline",
    "england_and_wales",
    "london_date",
    "parse_date",
    "parse_dates",
    "rule_for",
    "schedule",
    "timescales",
]

__version__ = "0.1.0.dev0"  # the one place: pyproject.toml reads it from here

# The rules layer loads on first use, so that importing the package (and a first calendar
# call) stays close to the cost of importing numpy.
_LAZY = {
    "Timeliness": "deadlines",
    "assess": "deadlines",
    "Deadline": "deadlines",
    "Status": "deadlines",
    "deadline": "deadlines",
    "Schedule": "schedules",
    "ScheduleItem": "schedules",
    "schedule": "schedules",
    "Citation": "rules",
    "Edition": "rules",
    "Policy": "rules",
    "Rule": "rules",
    "Timescale": "rules",
    "rule_for": "rules",
    "timescales": "rules",
    "DateRowError": "_date_columns",
    "ParsedDates": "_date_columns",
    "parse_dates": "_bulk_input",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'safeguard_time' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"safeguard_time.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
