"""The xlwings layer: cells as Excel sends them, shapes, per-cell errors, Excel parity."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import inspect
import subprocess
import sys
import typing
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard_time import ProvisionalCalendarWarning, bulk, england_and_wales
from safeguard_time.excel import (
    ERROR_VALUES,
    HOLIDAY_HEADERS,
    RULE_HEADERS,
    SGT_DUE,
    SGT_ERROR,
    SGT_EXPLAIN,
    SGT_HOLIDAYS,
    SGT_LATE,
    SGT_NETWORKDAYS,
    SGT_RULES,
    SGT_STATUS,
    SGT_WORKDAY,
    SGT_WORKING_DAYS,
    date_to_serial,
    serial_to_date,
)


def shown(function: Any, *args: Any, **kwargs: Any) -> Any:
    """What ``function`` shows, with each error value followed by its reason (``SGT_ERROR``).

    The cells themselves hold the bare Excel error value (``#VALUE!``); these tests check the
    reason too, so they read both and put them together.
    """
    value = function(*args, **kwargs)
    reasons = SGT_ERROR(functools.partial(function, **kwargs), *args)

    def join(v: Any, r: Any) -> Any:
        if isinstance(v, list):
            return [join(a, b) for a, b in zip(v, r, strict=True)]
        if isinstance(v, str) and v.startswith("#") and r and r != v:
            return f"{v} {r}"
        return v

    return join(value, reasons)


D = dt.date
FUNCTIONS = [
    SGT_WORKDAY,
    SGT_NETWORKDAYS,
    SGT_WORKING_DAYS,
    SGT_DUE,
    SGT_STATUS,
    SGT_LATE,
    SGT_EXPLAIN,
    SGT_HOLIDAYS,
    SGT_RULES,
]

# --- Excel parity: hand-worked WORKDAY / NETWORKDAYS -------------------------------------

WORKDAY_CASES = [
    # Fri 23 Dec 2022; Mon 26 Boxing Day, Tue 27 Christmas substitute -> Wed 28
    (D(2022, 12, 23), 1, D(2022, 12, 28)),
    # Saturday start: day 0 is the Saturday itself, day 1 the Monday
    (D(2024, 3, 9), 1, D(2024, 3, 11)),
    (D(2024, 3, 9), 0, D(2024, 3, 9)),  # n = 0 returns the start, even on a weekend
    (D(2024, 3, 9), -1, D(2024, 3, 8)),  # counting back from a Saturday: Friday
    # Good Friday 29 Mar 2024 (holiday start); Mon 1 Apr Easter Monday -> Tue 2 Apr
    (D(2024, 3, 29), 1, D(2024, 4, 2)),
    (D(2024, 4, 2), -1, D(2024, 3, 28)),  # back over Easter Monday and Good Friday
    (D(2024, 3, 8), 45, D(2024, 5, 15)),  # the README's 45 working days
    (D(2022, 9, 16), 1, D(2022, 9, 20)),  # Mon 19 Sep 2022: state funeral
]

NETWORKDAYS_CASES = [
    (D(2022, 12, 19), D(2022, 12, 30), 8),  # 10 weekdays less 26th and 27th
    (D(2022, 12, 30), D(2022, 12, 19), -8),  # reversed: negative
    (D(2022, 12, 24), D(2022, 12, 27), 0),  # Sat..Tue: Sun, Mon and Tue all off
    (D(2024, 3, 8), D(2024, 3, 8), 1),  # one working day counted with itself
    (D(2024, 3, 9), D(2024, 3, 9), 0),  # a Saturday with itself
    (D(2024, 3, 9), D(2024, 3, 11), 1),  # Sat..Mon
]


@pytest.mark.parametrize(("start", "n", "expected"), WORKDAY_CASES)
def test_workday_matches_excel(start: dt.date, n: int, expected: dt.date) -> None:
    assert SGT_WORKDAY(start, n) == expected
    # the same through every input form: serial, datetime, ISO text, day-first text
    assert SGT_WORKDAY(date_to_serial(start), n) == expected
    assert SGT_WORKDAY(dt.datetime.combine(start, dt.time(15, 30)), n) == expected
    assert SGT_WORKDAY(start.isoformat(), float(n)) == expected
    assert SGT_WORKDAY(f"{start:%d/%m/%Y}", str(n)) == expected
    assert SGT_WORKDAY(start, n, serial=True) == date_to_serial(expected)


@pytest.mark.parametrize(("start", "end", "expected"), NETWORKDAYS_CASES)
def test_networkdays_matches_excel(start: dt.date, end: dt.date, expected: int) -> None:
    assert SGT_NETWORKDAYS(start, end) == expected
    assert SGT_NETWORKDAYS(date_to_serial(start), date_to_serial(end) + 0.5) == expected


def test_workday_truncates_fractional_days_like_excel() -> None:
    assert SGT_WORKDAY(D(2024, 3, 8), 1.9) == D(2024, 3, 11)
    assert SGT_WORKDAY(D(2024, 3, 8), -1.9) == D(2024, 3, 7)


# --- serial numbers --------------------------------------------------------------------------


def test_serials_1900_system() -> None:
    assert serial_to_date(45359) == D(1899, 12, 30) + dt.timedelta(days=45359) == D(2024, 3, 8)
    assert serial_to_date(1) == D(1900, 1, 1)
    assert serial_to_date(59) == D(1900, 2, 28)
    assert serial_to_date(61) == D(1900, 3, 1)  # 60 is Excel's fictitious 29 Feb 1900
    assert serial_to_date(2958465) == D(9999, 12, 31)
    assert date_to_serial(D(2024, 3, 8)) == 45359


def test_serials_1904_system() -> None:
    assert serial_to_date(0, 1904) == D(1904, 1, 1)
    # serial 0 exists in the 1904 system: 1904-01-01, a date before the calendar's range
    assert "date 1904-01-01 is outside the supported calendar range" in shown(
        SGT_WORKDAY, 0, 0, 1904
    )
    assert shown(SGT_WORKDAY, "43897", 0, 1904) == D(
        2024, 3, 8
    )  # serial text in the workbook's system
    assert shown(SGT_WORKDAY, -1, 0, 1904).startswith("#NUM! -1 is not a date: a negative number")
    assert shown(SGT_WORKDAY, 43897, 1, 1904) == D(2024, 3, 11)
    assert shown(SGT_WORKDAY, 43897, 1, 1904, True) == 43897 + 3
    assert shown(SGT_NETWORKDAYS, 43897, 43897 + 3, 1904) == 2


@pytest.mark.parametrize(
    ("serial", "prefix"),
    [
        (60, "#VALUE! 60 is not a date: Excel serial 60 is 29 February 1900"),
        (0, "#NUM! 0 is not a date: Excel serial 0 is day 0 of January 1900"),
        (-5, "#NUM! -5 is not a date: a negative number"),
        (3_000_000, "#NUM! 3000000 is not a date: too large for an Excel serial number"),
        (float("nan"), "#VALUE! not a date: nan"),
        (float("inf"), "#VALUE! inf is not a date: not a finite number"),
    ],
)
def test_bad_serials_are_error_cells(serial: float, prefix: str) -> None:
    assert shown(SGT_WORKDAY, serial, 1).startswith(prefix)


def test_serial_range_checks_reach_the_calendar() -> None:
    # serial 32871 = 1989-12-29: a real date, but before the calendar's range
    out = shown(SGT_WORKDAY, 32871, 1)
    assert out.startswith("#NUM!")
    assert "1989-12-29 is outside the supported calendar range" in out
    assert shown(SGT_WORKDAY, 3_000_000, 1).startswith("#NUM!")


# --- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        *("2024-03-08", " 08/03/2024 ", "8/3/2024", "08.03.2024", "08-03-2024", "8 March 2024"),
        *("8 Mar 2024", "8th March, 2024", "2024-03-08T09:30", "2024-03-08 09:30:00"),
        # the library's one grammar: year-first with slashes, serial text (1900 system),
        # day-first with a time, a month name with hyphens, an aware time (GMT in March)
        *("2024/03/08", "2024-3-8", "45359", "45359.5", "08/03/2024 17:45", "08-Mar-2024"),
        *("8th March 2024", "2024-03-08T23:30:00Z", "2024-03-09T00:30:00+01:00"),
    ],
)
def test_text_dates(text: str) -> None:
    assert SGT_WORKDAY(text, 0) == D(2024, 3, 8)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("n/a", "#VALUE! 'n/a' is not a date; leave the cell blank when there is no date"),
        ("08/03/24", "#VALUE! '08/03/24' has a two-digit year: write the year in full"),
        ("31/02/2024", "#VALUE! '31/02/2024' is not a date: February 2024 has 29 days, not 31"),
        ("03/13/2024", "#VALUE! there is no month 13: dates are read day-first (DD/MM/YYYY)"),
        ("2024-02-30", "#VALUE! '2024-02-30' is not a date: February 2024 has 29 days, not 30"),
        ("8 Smarch 2024", "#VALUE! '8 Smarch 2024' is not a date: expected YYYY-MM-DD"),
        ("March 8, 2024", "#VALUE! 'March 8, 2024' is not a date: expected YYYY-MM-DD"),
        ("8rd March 2024", "#VALUE! '8rd March 2024' is not a date: write 8th, not 8rd"),
        ("60", "#VALUE! '60' is not a date: Excel serial 60 is 29 February 1900"),
        ("20240308", "#VALUE! '20240308' is not a date: too large for an Excel serial number"),
    ],
)
def test_bad_text_is_an_error_cell(text: str, expected: str) -> None:
    assert shown(SGT_WORKDAY, text, 1).startswith(expected)


def test_other_bad_cells() -> None:
    assert shown(SGT_WORKDAY, True, 1) == "#VALUE! True is not a date: a true/false value"
    assert shown(SGT_WORKDAY, D(2024, 3, 8), "x").startswith("#VALUE! not a number of days")
    assert shown(SGT_WORKDAY, D(2024, 3, 8), False).startswith("#VALUE! not a number of days")
    assert shown(SGT_WORKDAY, D(2024, 3, 8), float("inf")).startswith("#NUM!")
    assert shown(SGT_WORKDAY, object(), 1).startswith("#VALUE! <object object at")
    assert "is not a date: expected date text" in shown(SGT_WORKDAY, object(), 1)
    assert shown(SGT_WORKDAY, np.datetime64("NaT"), 1).startswith("#VALUE! not a date")
    # an error coming in from another formula goes out unchanged
    assert shown(SGT_WORKDAY, "#N/A", 1) == "#N/A"
    assert shown(SGT_NETWORKDAYS, D(2024, 3, 8), "#DIV/0!") == "#DIV/0!"


def test_other_date_types() -> None:
    aware = dt.datetime(2024, 3, 7, 23, 30, tzinfo=dt.UTC)  # 7 Mar UTC = still 7 Mar in London
    assert SGT_WORKDAY(aware, 1) == D(2024, 3, 8)
    assert SGT_WORKDAY(np.datetime64("2024-03-08"), 1) == D(2024, 3, 11)
    assert SGT_WORKDAY(np.float64(45359.0), np.int64(1)) == D(2024, 3, 11)


def test_empty_cells_give_empty_results() -> None:
    assert SGT_WORKDAY(None, 1) == ""
    assert SGT_WORKDAY("  ", 1) == ""
    assert SGT_WORKDAY(D(2024, 3, 8), None) == ""
    assert SGT_NETWORKDAYS(None, D(2024, 3, 8)) == ""
    assert SGT_WORKING_DAYS(D(2024, 3, 8), "") == ""
    assert SGT_DUE("", D(2024, 3, 8)) == ""
    assert SGT_DUE("assessment", None) == ""
    assert SGT_STATUS(None, D(2024, 3, 8), None, D(2024, 5, 1)) == ""
    assert SGT_EXPLAIN("assessment", "") == ""


# --- shapes -------------------------------------------------------------------------------


def test_shapes_follow_the_input() -> None:
    start = D(2024, 3, 8)
    assert SGT_WORKDAY(start, 1) == D(2024, 3, 11)  # cell -> cell
    assert SGT_WORKDAY([start, start], 1) == [D(2024, 3, 11)] * 2  # row (1-D) -> row
    column = SGT_WORKDAY([[start], ["bad"], [None]], [[1]])  # column -> column
    assert column[0] == [D(2024, 3, 11)]
    assert column[1][0].startswith("#VALUE!")
    assert column[2] == [""]
    grid = SGT_WORKDAY([[start, start], [start, start]], [[0, 1], [2, 3]])
    assert grid == [[start, D(2024, 3, 11)], [D(2024, 3, 12), D(2024, 3, 13)]]
    assert SGT_WORKDAY([], 1) == []
    assert SGT_WORKDAY([[]], [[1]]) == []
    assert SGT_WORKDAY(np.array([45359.0, 45360.0]), 1) == [D(2024, 3, 11), D(2024, 3, 11)]


def test_broadcasting_a_column_against_a_row() -> None:
    out = SGT_WORKDAY([[D(2024, 3, 8)], [D(2024, 3, 29)]], [[0, 1]])
    assert out == [[D(2024, 3, 8), D(2024, 3, 11)], [D(2024, 3, 29), D(2024, 4, 2)]]


def test_ranges_of_different_sizes_give_na_cells_not_an_exception() -> None:
    out = SGT_NETWORKDAYS([[D(2024, 3, 4)], [D(2024, 3, 5)], [D(2024, 3, 6)]], [[45359], [45359]])
    assert out[:2] == [[5], [4]]
    assert out[2][0].startswith("#N/A")


def test_one_bad_cell_leaves_the_others() -> None:
    starts = [["2024-03-08"], ["1989-12-29"], ["2014-02-03"], ["not a date"], [45359]]
    out = shown(SGT_DUE, "assessment", starts)
    assert out[0] == [D(2024, 5, 15)]
    assert out[1][0].startswith("#NUM! ")
    assert "1989-12-29 is outside the supported calendar range" in out[1][0]
    assert out[2] == [D(2014, 4, 7)]  # 45 working days: 19 in Feb, 21 in Mar, 5 in Apr
    assert out[3][0].startswith("#VALUE! 'not a date' is not a date")
    assert out[4] == [D(2024, 5, 15)]


# --- options ------------------------------------------------------------------------------


def test_bad_options_fill_the_shape_with_the_error() -> None:
    out = shown(SGT_WORKDAY, [D(2024, 3, 8), D(2024, 3, 9)], 1, 1901)
    assert out == ["#VALUE! date_system must be 1900 or 1904, got 1901"] * 2
    assert shown(SGT_WORKDAY, D(2024, 3, 8), 1, serial="maybe").startswith("#VALUE! serial must be")
    assert shown(SGT_DUE, "assessment", D(2024, 3, 8), "sideways").startswith(
        "#VALUE! unknown convention"
    )
    assert shown(SGT_WORKDAY, D(2024, 3, 8), 1, [[1904, 1900]]).startswith(
        "#VALUE! date_system must"
    )


def test_options_accept_excel_forms() -> None:
    assert SGT_WORKDAY(D(2024, 3, 8), 1, [[1900.0]], [[1.0]]) == 45362
    assert SGT_WORKDAY(D(2024, 3, 8), 1, None, "TRUE") == 45362
    assert SGT_WORKDAY(D(2024, 3, 8), 1, "", "") == D(2024, 3, 11)


# --- the deadline functions -----------------------------------------------------------------


def test_working_days() -> None:
    assert SGT_WORKING_DAYS(D(2024, 3, 8), D(2024, 5, 15)) == 45
    assert SGT_WORKING_DAYS(D(2024, 5, 15), D(2024, 3, 8)) == -45
    # Saturday start: event-day-zero counts Mon..Tue as 2, next-working-day-zero as 1
    assert SGT_WORKING_DAYS(D(2024, 3, 9), D(2024, 3, 12)) == 2
    assert SGT_WORKING_DAYS(D(2024, 3, 9), D(2024, 3, 12), "NEXT_WORKING_DAY_ZERO") == 1


def test_due() -> None:
    assert SGT_DUE("assessment", D(2024, 3, 8)) == D(2024, 5, 15)
    assert SGT_DUE(" Assessment ", 45359, "", 1900, True) == date_to_serial(D(2024, 5, 15))
    assert SGT_DUE("first_cp_review", "30/11/2023") == D(2024, 2, 29)  # 3 months
    assert SGT_DUE(["assessment", "initial_cp_conference"], "2024-01-10") == [
        D(2024, 3, 13),  # 45 working days: 15 in Jan, 21 in Feb, 9 in Mar
        D(2024, 1, 31),
    ]


def test_due_errors() -> None:
    assert shown(SGT_DUE, "initial_assessment", "2014-02-03") == (
        "#N/A no rule for 'initial_assessment' was in force on 2014-02-03; "
        "the rule that applied then was 'assessment'"
    )
    assert shown(SGT_DUE, "nonsense", "2024-03-08").startswith("#N/A unknown timescale 'nonsense'")
    assert shown(SGT_DUE, 42, "2024-03-08").startswith("#VALUE! a timescale is text")
    # a phased timescale needs a phase (the last argument)
    assert shown(SGT_DUE, "lac_visit", "2024-03-08").startswith("#VALUE! 'lac_visit' needs phase=")


def test_phases() -> None:
    start = D(2024, 3, 8)
    assert shown(SGT_DUE, "lac_visit", start, "", 1900, False, "first_year") == D(
        2024, 4, 19
    )  # 6 weeks
    assert shown(SGT_DUE, "lac_visit", start, "", 1900, False, " Until_18 ") == D(
        2024, 6, 8
    )  # 3 months
    assert shown(SGT_DUE, "private_fostering_visit", [[start]], phase="after_first_year") == [
        [D(2024, 5, 31)]  # 12 weeks
    ]
    assert shown(SGT_STATUS, "lac_visit", start, None, D(2024, 4, 22), phase="first_year") == (
        "open_overdue"
    )
    assert shown(SGT_LATE, "lac_visit", start, D(2024, 4, 22), None, phase="first_year") == 1
    assert "phase 'first_year'" in shown(SGT_EXPLAIN, "lac_visit", start, phase="first_year")
    # a phase the timescale does not have, and a phase given to a timescale without phases
    wrong = shown(SGT_DUE, "lac_visit", [[start], [start]], phase="later")
    assert (
        wrong
        == [
            [
                "#VALUE! 'lac_visit' needs phase= one of first_year, until_18, other, got "
                "'later'; did you mean 'other'?"
            ]
        ]
        * 2
    )
    assert shown(SGT_DUE, "assessment", start, phase="first_year") == (
        "#VALUE! 'assessment' has no phases, got phase='first_year'"
    )
    assert shown(SGT_DUE, "lac_visit", start, phase=3).startswith("#VALUE! phase is text")


def test_status_and_late() -> None:
    start, as_of = D(2024, 3, 8), D(2024, 5, 20)
    completed = [[D(2024, 5, 15)], [D(2024, 5, 16)], [None], [""], [D(2024, 3, 1)]]
    status = shown(SGT_STATUS, "assessment", start, completed, as_of)
    assert status[:4] == [["met"], ["missed"], ["open_overdue"], ["open_overdue"]]
    assert status[4][0].startswith("#NUM! end 2024-03-01 is before the start 2024-03-08")
    late = shown(SGT_LATE, "assessment", start, completed, as_of)
    assert late[:4] == [[0], [1], [3], [3]]  # 16th is 1 late; 20 May is 3 after Wed 15 May
    assert shown(SGT_STATUS, "assessment", start, None, D(2024, 5, 15)) == "open_in_time"
    assert shown(SGT_STATUS, "assessment", start, None, None) == (
        "#VALUE! open case needs as_of (the date to judge it on)"
    )
    # as_of is not needed once the case is completed
    assert shown(SGT_STATUS, "assessment", start, D(2024, 5, 1), None) == "met"


def test_explain() -> None:
    text = shown(SGT_EXPLAIN, "assessment", "08/03/2024")
    assert text.startswith("Single assessment (assessment) is due on")
    assert "Wednesday 15 May 2024" in text
    assert shown(SGT_EXPLAIN, "assessment", "n/a").startswith("#VALUE! 'n/a' is not a date")


def test_provisional_results_show_the_value_and_do_not_warn() -> None:
    # 2030 is past the verified horizon: the value shows, no warning escapes (and the test
    # suite turns warnings into errors), SGT_EXPLAIN says it is provisional.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        expected = england_and_wales().add_working_days(D(2030, 12, 24), 1)
    assert SGT_WORKDAY(D(2030, 12, 24), 1) == expected == D(2030, 12, 27)
    assert isinstance(SGT_DUE("assessment", D(2030, 3, 8)), dt.date)
    assert "Provisional" in SGT_EXPLAIN("assessment", D(2030, 3, 8))
    table = SGT_HOLIDAYS(D(2030, 1, 1), D(2030, 1, 31))
    assert table[1] == [D(2030, 1, 1), "New Year's Day", "bank_holiday", "projected"]


# --- tables ---------------------------------------------------------------------------------


def test_holidays_table() -> None:
    table = SGT_HOLIDAYS("2022-09-01", "2022-12-31")
    assert table[0] == list(HOLIDAY_HEADERS)
    assert [row[0] for row in table[1:]] == [D(2022, 9, 19), D(2022, 12, 26), D(2022, 12, 27)]
    serials = SGT_HOLIDAYS(44805, 44926, 1900, True)
    assert [row[0] for row in serials[1:]] == [44823, 44921, 44922]
    assert SGT_HOLIDAYS("2024-03-09", "2024-03-10") == [list(HOLIDAY_HEADERS)]


def test_holidays_table_errors_are_one_cell() -> None:
    assert shown(SGT_HOLIDAYS, "n/a", "2024-12-31")[0][0].startswith("#VALUE! 'n/a' is not a date")
    assert shown(SGT_HOLIDAYS, "2024-12-31", "2024-01-01") == [
        ["#VALUE! date_to 2024-01-01 is before date_from 2024-12-31"]
    ]
    assert shown(SGT_HOLIDAYS, "1980-01-01", "2024-01-01")[0][0].startswith("#NUM!")
    assert shown(SGT_HOLIDAYS, None, "2024-01-01") == [["#VALUE! SGT_HOLIDAYS needs both dates"]]


def test_rules_table() -> None:
    everything = SGT_RULES()
    assert everything[0] == list(RULE_HEADERS)
    assert all(len(row) == len(RULE_HEADERS) for row in everything)
    ids = [row[2] for row in everything[1:]]
    assert "assessment.wt2023" in ids
    assert "initial_assessment.wt2010" in ids or any(
        i.startswith("initial_assessment") for i in ids
    )
    in_2024 = SGT_RULES("2024-03-08")
    assert not any(row[0] == "initial_assessment" for row in in_2024[1:])
    row = next(r for r in in_2024 if r[2] == "assessment.wt2023")
    assert row[4:6] == [45, "working_days"]
    assert isinstance(row[6], dt.date)
    assert row[7] == ""  # still in force
    serial_row = next(r for r in SGT_RULES(45359, 1900, True) if r[2] == "assessment.wt2023")
    assert serial_row[6] == date_to_serial(row[6])
    assert SGT_RULES("n/a") == [[SGT_WORKDAY("n/a", 0)]]


# --- properties -----------------------------------------------------------------------------

# From mid-1992: 300 working days back (about 14 months) stay inside the calendar.
dates = st.dates(D(1992, 6, 1), D(2027, 12, 31))


@given(dates, st.integers(-300, 300))
def test_workday_round_trips_through_working_days(start: dt.date, n: int) -> None:
    end = SGT_WORKDAY(start, n)
    if n >= 0 or england_and_wales().is_working_day(start):
        # (counting back from a non-working day, as Excel does, is not invertible: WORKDAY
        # of Sat 1 Jan 2000 and -1 is Thu 30 Dec 1999, with no working day in between)
        assert SGT_WORKING_DAYS(start, end) == n
    # serial in, serial out agrees with date in, date out
    assert SGT_WORKDAY(date_to_serial(start), n, 1900, True) == date_to_serial(end)


@given(dates, dates)
def test_networkdays_is_antisymmetric_and_matches_the_calendar(a: dt.date, b: dt.date) -> None:
    assert SGT_NETWORKDAYS(a, b) == -SGT_NETWORKDAYS(b, a) or a == b
    assert SGT_NETWORKDAYS(f"{a:%d/%m/%Y}", b.isoformat()) == england_and_wales().networkdays(a, b)


@given(st.integers(0, 2958465), st.sampled_from([1900, 1904]))
def test_serials_round_trip(serial: int, system: int) -> None:
    # 1900: 1 = 1900-01-01, 60 does not exist; 1904: 0 = 1904-01-01. Both end at 9999-12-31.
    if system == 1900 and serial in (0, 60):
        return
    if system == 1904 and serial > 2957003:
        return
    day = serial_to_date(serial, system)
    assert date_to_serial(day, system) == serial


# --- xlwings --------------------------------------------------------------------------------


def test_module_imports_with_xlwings_installed() -> None:
    xlwings = importlib.import_module("xlwings")
    assert xlwings.func is not None
    module = importlib.reload(importlib.import_module("safeguard_time.excel"))
    assert module.SGT_WORKDAY(D(2024, 3, 8), 0) == D(2024, 3, 8)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_signatures_are_acceptable_to_xlwings(function: Any) -> None:
    # xlwings rejects keyword-only arguments, resolves the annotations at registration and
    # looks their types up in its converter table: Any selects the default converter.
    conversion = importlib.import_module("xlwings.conversion")
    for param in inspect.signature(function).parameters.values():
        assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    hints = typing.get_type_hints(function, include_extras=True)
    for hint in hints.values():
        base = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
        assert base in conversion.accessors
    assert function.__name__.startswith("SGT_")
    assert function.__doc__ and ">>>" in function.__doc__


def test_works_without_xlwings_and_imports_nothing_heavy() -> None:
    # Without the `excel` extra the functions are plain Python; the layer itself pulls in
    # neither pandas nor polars (xlwings, when installed, may import them on its own).
    code = (
        "import sys; sys.modules['xlwings'] = None\n"
        "import safeguard_time.excel as e\n"
        "assert e.SGT_WORKDAY('2024-03-08', 1).isoformat() == '2024-03-11'\n"
        "print(sorted(m for m in ('pandas', 'polars', 'xlwings') if sys.modules.get(m)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- ranges take the bulk path ------------------------------------------------------------

# Cells as Excel sends them, good and bad: dates near and past the calendar's ends, weekend
# and bank-holiday starts, datetimes (naive and aware), serials (whole and fractional, and
# the impossible ones), text in every accepted form and some refused ones, blanks, errors.
_SPECIAL_DAYS = [
    D(2022, 12, 24), D(2022, 12, 25), D(2022, 12, 26), D(2022, 12, 27), D(2024, 3, 29),
    D(2024, 4, 1), D(2024, 3, 9), D(2022, 9, 19), D(2020, 5, 8), D(1990, 1, 1), D(2099, 12, 31),
    D(2099, 10, 30), D(1989, 12, 29), D(2013, 4, 12), D(2013, 4, 15), D(2014, 2, 3),
]  # fmt: skip
_days = st.one_of(st.dates(D(1989, 11, 1), D(2100, 2, 28)), st.sampled_from(_SPECIAL_DAYS))
_BAD_DATE_CELLS = [
    None, "", "  ", "n/a", "#N/A", "08/03/24", "2024/03/08", "31/02/2024", "45359", True,
    60, 0, -3, float("nan"), float("inf"), 1e300, 10**20, np.datetime64("NaT"), object(),
]  # fmt: skip
date_cells = st.one_of(
    _days,
    _days.map(lambda d: dt.datetime.combine(d, dt.time(23, 30))),
    _days.map(lambda d: dt.datetime.combine(d, dt.time(23, 30), tzinfo=dt.UTC)),
    _days.map(date_to_serial),
    _days.map(lambda d: date_to_serial(d) + 0.75),
    _days.map(lambda d: d.isoformat()),
    _days.map(lambda d: f"{d:%d/%m/%Y}"),
    _days.map(lambda d: np.datetime64(d, "D")),
    st.sampled_from(_BAD_DATE_CELLS),
)
count_cells = st.one_of(
    st.integers(-300, 300),
    st.floats(-300, 300),
    st.integers(-300, 300).map(str),
    st.sampled_from([None, "", "x", True, 10**7, -(10**7), float("inf"), "#DIV/0!"]),
)
timescale_cells = st.sampled_from(
    [
        *("assessment", "initial_assessment", "initial_cp_conference", "first_cp_review"),
        *("referral_decision", " Assessment ", "lac_visit", "nonsense", "", None, 42, "#N/A"),
    ]
)
conventions_in = st.sampled_from(["", "next_working_day_zero"])
systems = st.sampled_from([1900, 1904])
phases = st.sampled_from(["", "", "first_year"])


@st.composite
def _ranges(draw: st.DrawFn, *cells: st.SearchStrategy[Any]) -> tuple[list[Any], list[Any]]:
    """Arguments of one formula, each a single cell or a range of one shape, and the cells.

    Returns the arguments and, per argument, a function of the position giving its cell.
    """
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    args: list[Any] = []
    at: list[Any] = []
    for strategy in cells:
        form = draw(st.sampled_from(["cell", "1x1", "range", "range"] + ["row"] * (rows == 1)))
        if form in ("cell", "1x1"):
            v = draw(strategy)
            args.append(v if form == "cell" else [[v]])
            at.append(lambda i, j, v=v: v)
        elif form == "row":
            row = draw(st.lists(strategy, min_size=cols, max_size=cols))
            args.append(row)
            at.append(lambda i, j, row=row: row[j])
        else:
            grid = draw(
                st.lists(st.lists(strategy, min_size=cols, max_size=cols), min_size=rows,
                         max_size=rows)
            )  # fmt: skip
            args.append(grid)
            at.append(lambda i, j, grid=grid: grid[i][j])
    return args, at


def _same_cell_by_cell(function: Any, drawn: Any, *options: Any) -> None:
    """``function`` over ranges equals ``function`` of each cell alone (the scalar path)."""
    args, at = drawn
    got = function(*args, *options)
    if not any(isinstance(a, list) for a in args):
        return  # a single cell: that is the scalar path itself
    ndim = 2 if any(isinstance(a, list) and isinstance(a[0], list) for a in args) else 1
    grid = got if ndim == 2 else [got]
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            expected = function(*(cell(i, j) for cell in at), *options)
            assert type(value) is type(expected), (i, j, value, expected)
            assert value == expected, (i, j)


@settings(max_examples=150, deadline=None)
@given(_ranges(date_cells, count_cells), systems, st.booleans())
def test_workday_ranges_equal_the_scalar_cell_by_cell(
    drawn: Any, system: int, serial: bool
) -> None:
    _same_cell_by_cell(SGT_WORKDAY, drawn, system, serial)


@settings(max_examples=150, deadline=None)
@given(_ranges(date_cells, date_cells), systems)
def test_networkdays_ranges_equal_the_scalar_cell_by_cell(drawn: Any, system: int) -> None:
    _same_cell_by_cell(SGT_NETWORKDAYS, drawn, system)


@settings(max_examples=150, deadline=None)
@given(_ranges(date_cells, date_cells), conventions_in, systems)
def test_working_days_ranges_equal_the_scalar_cell_by_cell(
    drawn: Any, convention: str, system: int
) -> None:
    _same_cell_by_cell(SGT_WORKING_DAYS, drawn, convention, system)


@settings(max_examples=150, deadline=None)
@given(_ranges(timescale_cells, date_cells), conventions_in, systems, st.booleans(), phases)
def test_due_ranges_equal_the_scalar_cell_by_cell(
    drawn: Any, convention: str, system: int, serial: bool, phase: str
) -> None:
    _same_cell_by_cell(SGT_DUE, drawn, convention, system, serial, phase)


@settings(max_examples=150, deadline=None)
@given(
    _ranges(timescale_cells, date_cells, date_cells, date_cells),
    conventions_in,
    systems,
    phases,
    st.sampled_from([SGT_STATUS, SGT_LATE]),
)
def test_status_and_late_ranges_equal_the_scalar_cell_by_cell(
    drawn: Any, convention: str, system: int, phase: str, function: Any
) -> None:
    _same_cell_by_cell(function, drawn, convention, system, phase)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_days, _days), min_size=1, max_size=30))
def test_networkdays_from_the_bulk_counts_is_excel_networkdays(
    pairs: list[tuple[dt.date, dt.date]],
) -> None:
    # NETWORKDAYS(a, b) = elapsed(a, b) + working(a), or -(elapsed(b, a) + working(b))
    cal = england_and_wales()
    inside = [(a, b) for a, b in pairs if cal.first <= min(a, b) and max(a, b) <= cal.last]
    if not inside:
        return
    got = SGT_NETWORKDAYS([[a] for a, _ in inside], [[b] for _, b in inside])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        assert got == [[cal.networkdays(a, b)] for a, b in inside]


@pytest.fixture
def bulk_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the calls of the bulk functions the spreadsheet functions use."""
    calls: dict[str, int] = {}
    for name in (
        "add_working_days",
        "working_days_between",
        "is_working_day",
        "deadlines",
        "assess",
    ):
        original = getattr(bulk, name)

        def counted(*args: Any, _name: str = name, _f: Any = original, **kwargs: Any) -> Any:
            calls[_name] = calls.get(_name, 0) + 1
            return _f(*args, **kwargs)

        monkeypatch.setattr(bulk, name, counted)
    return calls


def test_a_range_is_one_bulk_call(bulk_calls: dict[str, int]) -> None:
    starts: list[list[Any]] = [[D(2024, 3, 8) + dt.timedelta(days=k)] for k in range(200)]
    starts[7] = ["n/a"]  # bad cells are answered cell by cell, the rest in the one call
    starts[9] = ["1989-12-29"]
    out = SGT_WORKDAY(starts, 45)
    assert bulk_calls == {"add_working_days": 1}
    assert out[0] == [D(2024, 5, 15)]
    # The cells hold Excel's own error values, which IFERROR and ISERROR recognise.
    assert (out[7][0], out[9][0]) == ("#VALUE!", "#NUM!")
    SGT_WORKING_DAYS(starts, [[D(2024, 6, 3)]])
    SGT_NETWORKDAYS(starts, D(2024, 6, 3))
    assert bulk_calls == {"add_working_days": 1, "working_days_between": 2, "is_working_day": 1}
    bulk_calls.clear()
    SGT_DUE("assessment", starts)
    SGT_STATUS("assessment", starts, None, D(2024, 6, 3))
    SGT_LATE("assessment", starts, starts, None)
    assert bulk_calls == {"deadlines": 1, "assess": 2}
    bulk_calls.clear()
    SGT_DUE([["assessment", "initial_cp_conference"]], starts)  # one call per timescale
    assert bulk_calls == {"deadlines": 2}


def test_a_single_cell_takes_the_scalar_path(bulk_calls: dict[str, int]) -> None:
    assert SGT_WORKDAY(D(2024, 3, 8), 45) == D(2024, 5, 15)
    assert SGT_DUE("assessment", D(2024, 3, 8)) == D(2024, 5, 15)
    assert bulk_calls == {}


# --- error values Excel recognises --------------------------------------------------------


def test_error_cells_are_exactly_the_values_xlwings_converts() -> None:
    # xlwings turns only these exact strings into error values; nothing else may follow them.
    excel_errors = {"#VALUE!", "#N/A", "#NUM!"}
    cells = [["2024-03-08"], ["31/02/2024"], ["2011-06-01"], ["1989-06-01"], [True]]
    due = SGT_DUE("assessment", cells)
    assert due[0] == [D(2024, 5, 15)]
    assert [c[0] for c in due[1:]] == ["#VALUE!", "#N/A", "#NUM!", "#VALUE!"]
    status = [c[0] for c in SGT_STATUS("assessment", cells, None, "2024-06-03")]
    # A 2011 referral with no single assessment recorded is not applicable, not an error.
    assert status == ["open_overdue", "#VALUE!", "not_applicable", "#NUM!", "#VALUE!"]
    assert set(ERROR_VALUES.values()) == excel_errors


def test_sgt_error_gives_the_reason_of_each_error_cell() -> None:
    cells = [["2024-03-08"], ["31/02/2024"], ["2011-06-01"]]
    assert SGT_ERROR("SGT_DUE", "assessment", cells) == [
        [""],
        ["'31/02/2024' is not a date: February 2024 has 29 days, not 31"],
        [
            "no rule for 'assessment' was in force on 2011-06-01; the rule that applied then "
            "was 'initial_assessment' / 'core_assessment' (its rules apply from 2013-04-15)"
        ],
    ]
    # The name may be given without the prefix, in any case; an unknown one says which exist.
    assert SGT_ERROR("due", "assessment", "2011-06-01") == SGT_ERROR(
        "SGT_DUE", "assessment", "2011-06-01"
    )
    assert SGT_ERROR("nope", 1).startswith("#VALUE! unknown function 'nope'")
    # Outside SGT_ERROR the cells stay bare: the reasons are never left switched on.
    assert SGT_DUE("assessment", "31/02/2024") == "#VALUE!"
