"""The England & Wales working-day calendar, checked against outside references."""

from __future__ import annotations

import datetime as dt
import functools
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguard_time import (
    CalendarRangeError,
    Convention,
    Holiday,
    ProvisionalCalendarWarning,
    england_and_wales,
)
from safeguard_time._holiday_data import from_holidays_package, load_shipped
from safeguard_time.errors import MissingDateError, NotADateError

from .conftest import (
    derived_1990_2011,
    official_2019_2028,
    official_source_2012_2021,
    reference_holidays,
)
from .strategies import conventions, small_n, verified_dates

D = dt.date
NEXT = Convention.NEXT_WORKING_DAY_ZERO
CAL = england_and_wales()


def _weekdays(first: dt.date, last: dt.date) -> list[dt.date]:
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5]


# --- the data, against the official lists -------------------------------------------


def test_every_weekday_2019_2028_matches_official_govuk_list() -> None:
    official = official_2019_2028()
    for day in _weekdays(D(2019, 1, 1), D(2028, 12, 31)):
        assert CAL.is_working_day(day) == (day not in official), day


def test_every_weekday_2012_2021_matches_govuk_source_file() -> None:
    official = official_source_2012_2021()
    for day in _weekdays(D(2012, 1, 1), D(2021, 12, 31)):
        assert CAL.is_working_day(day) == (day not in official), day


def test_every_weekday_1990_2011_matches_derived_list() -> None:
    derived = derived_1990_2011()
    for day in _weekdays(D(1990, 1, 1), D(2011, 12, 31)):
        assert CAL.is_working_day(day) == (day not in derived), day


def test_weekends_are_never_working_days() -> None:
    for day in (D(2024, 3, 9), D(2024, 3, 10), D(1990, 1, 6), D(2099, 12, 27)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ProvisionalCalendarWarning)
            assert not CAL.is_working_day(day)


# The brief's table of one-off and moved days, typed by hand from it.
ONE_OFF_NON_WORKING = [
    D(1995, 5, 8),  # early May moved for VE day 50
    D(1999, 12, 31),  # millennium
    D(2002, 6, 3),  # golden jubilee
    D(2002, 6, 4),  # spring holiday moved from 27 May
    D(2011, 4, 29),  # royal wedding
    D(2012, 6, 4),  # spring holiday moved from 28 May
    D(2012, 6, 5),  # diamond jubilee
    D(2020, 5, 8),  # early May moved for VE day 75
    D(2022, 6, 2),  # spring holiday moved from 30 May
    D(2022, 6, 3),  # platinum jubilee
    D(2022, 9, 19),  # state funeral of Queen Elizabeth II
    D(2023, 5, 8),  # coronation of King Charles III
]
MOVED_AWAY_WORKING = [
    D(1995, 5, 1),
    D(2002, 5, 27),
    D(2012, 5, 28),
    D(2020, 5, 4),
    D(2022, 5, 30),
    D(2026, 6, 15),  # Scotland only
]


@pytest.mark.parametrize("day", ONE_OFF_NON_WORKING)
def test_one_off_days_are_not_working_days(day: dt.date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", MOVED_AWAY_WORKING)
def test_days_a_holiday_moved_away_from_are_working_days(day: dt.date) -> None:
    assert CAL.is_working_day(day)


def test_substitute_days_listed_weekend_nominal_dates_not() -> None:
    names = {h.date: h.name for h in CAL.holidays(D(2021, 12, 20), D(2023, 1, 5))}
    assert D(2021, 12, 27) in names and D(2021, 12, 28) in names
    assert D(2023, 1, 2) in names
    assert D(2022, 12, 25) not in names  # a Sunday: not a day taken off
    assert names[D(2022, 9, 19)] == "State Funeral of Queen Elizabeth II"


def test_shipped_table_holds_the_verified_years_only() -> None:
    table = load_shipped()
    assert table.verified_through == 2028
    assert (table.first, table.last) == (D(1990, 1, 1), D(2099, 12, 31))
    assert max(day for day, _ in table.days) == D(2028, 12, 26)
    assert list(table.days) == from_holidays_package(1990, 2028)


def test_projected_years_come_from_the_installed_holidays_package() -> None:
    full = CAL.complete()
    projected = {d: n for d, n in full.bank_holidays.items() if d.year > 2028}
    assert projected == dict(from_holidays_package(2029, 2099))
    assert CAL.bank_holidays[D(2030, 4, 22)] == "Easter Monday"  # read when asked for
    assert full.projection == CAL.projection
    assert CAL.projection is not None and CAL.projection.startswith("holidays ")


def test_holidays_lists_only_weekdays_in_range() -> None:
    listed = CAL.holidays(D(2024, 1, 1), D(2024, 12, 31))
    assert [h.date for h in listed] == [
        D(2024, 1, 1), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 6),
        D(2024, 5, 27), D(2024, 8, 26), D(2024, 12, 25), D(2024, 12, 26),
    ]  # fmt: skip
    assert all(h.kind == "bank_holiday" for h in listed)


# --- hand-worked WORKDAY / NETWORKDAYS cases ----------------------------------------
# Each row: start, n, WORKDAY result (event day 0), result under NEXT_WORKING_DAY_ZERO.
WORKDAY_CASES = [
    # Christmas 2022: Sun 25 nominal, Mon 26 Boxing Day, Tue 27 substitute; Wed 28 works.
    (D(2022, 12, 23), 1, D(2022, 12, 28), D(2022, 12, 28)),
    # Fri 23 + 4: Wed 28, Thu 29, Fri 30, (Mon 2 Jan substitute) Tue 3 Jan.
    (D(2022, 12, 23), 4, D(2023, 1, 3), D(2023, 1, 3)),
    # Sat 24: day 1 is Wed 28; NEXT makes Wed 28 day 0, so day 1 is Thu 29.
    (D(2022, 12, 24), 1, D(2022, 12, 28), D(2022, 12, 29)),
    # n = 0 returns the start itself; NEXT returns the next working day.
    (D(2022, 12, 25), 0, D(2022, 12, 25), D(2022, 12, 28)),
    # Backwards from a holiday: the working day before is Fri 23 either way.
    (D(2022, 12, 25), -1, D(2022, 12, 23), D(2022, 12, 23)),
    (D(2022, 12, 28), -1, D(2022, 12, 23), D(2022, 12, 23)),
    # Easter 2024: Good Friday 29 Mar, Easter Monday 1 Apr.
    (D(2024, 3, 28), 1, D(2024, 4, 2), D(2024, 4, 2)),
    (D(2024, 3, 29), 1, D(2024, 4, 2), D(2024, 4, 3)),
    # Tue 2 Apr - 2: Mon 1 and Fri 29 are holidays, so Thu 28 (1), Wed 27 (2).
    (D(2024, 4, 2), -2, D(2024, 3, 27), D(2024, 3, 27)),
    # 2022 jubilee: Thu 2 and Fri 3 June off; Mon 30 May (moved away) works.
    (D(2022, 6, 1), 1, D(2022, 6, 6), D(2022, 6, 6)),
    (D(2022, 5, 27), 1, D(2022, 5, 30), D(2022, 5, 30)),
    # State funeral Mon 19 Sep 2022: Fri 16 + 5 = 20, 21, 22, 23, 26.
    (D(2022, 9, 16), 1, D(2022, 9, 20), D(2022, 9, 20)),
    (D(2022, 9, 16), 5, D(2022, 9, 26), D(2022, 9, 26)),
    # 2023: early May Mon 1, coronation Mon 8.
    (D(2023, 4, 28), 2, D(2023, 5, 3), D(2023, 5, 3)),
    (D(2023, 5, 5), 1, D(2023, 5, 9), D(2023, 5, 9)),
    # 2020: early May moved to Fri 8; Mon 4 works.
    (D(2020, 5, 1), 1, D(2020, 5, 4), D(2020, 5, 4)),
    (D(2020, 5, 7), 1, D(2020, 5, 11), D(2020, 5, 11)),
    # Weekend starts.
    (D(2024, 3, 9), 1, D(2024, 3, 11), D(2024, 3, 12)),
    (D(2024, 3, 9), 0, D(2024, 3, 9), D(2024, 3, 11)),
    (D(2024, 3, 10), 5, D(2024, 3, 15), D(2024, 3, 18)),
    (D(2024, 3, 9), -1, D(2024, 3, 8), D(2024, 3, 8)),
    # 45 working days from Fri 8 Mar 2024: 11-15 (5), 18-22 (10), 25-28 (14; Good Friday
    # and Easter Monday off), 2-5 Apr (18), 8-12 (23), 15-19 (28), 22-26 (33),
    # 29 Apr-3 May (38), Mon 6 May off, 7-10 (42), 13, 14, 15 May (45).
    (D(2024, 3, 8), 45, D(2024, 5, 15), D(2024, 5, 15)),
]


@pytest.mark.parametrize(("start", "n", "workday", "next_zero"), WORKDAY_CASES)
def test_add_working_days_hand_worked(
    start: dt.date, n: int, workday: dt.date, next_zero: dt.date
) -> None:
    assert CAL.add_working_days(start, n) == workday
    assert CAL.add_working_days(start, n, convention=Convention.EVENT_DAY_ZERO) == workday
    assert CAL.add_working_days(start, n, convention=NEXT) == next_zero


# start, end, NETWORKDAYS (inclusive), elapsed (start excluded), elapsed under NEXT.
BETWEEN_CASES = [
    # Mon 19-Fri 23 (5) + Wed 28-Fri 30 (3) = 8; elapsed excludes Mon 19.
    (D(2022, 12, 19), D(2022, 12, 30), 8, 7, 7),
    (D(2022, 12, 30), D(2022, 12, 19), -8, -7, -7),
    # Sat 24 to Tue 27: no working day at all.
    (D(2022, 12, 24), D(2022, 12, 27), 0, 0, -1),
    # Sat 24 to Wed 28: one working day; under NEXT the start is Wed 28 itself.
    (D(2022, 12, 24), D(2022, 12, 28), 1, 1, 0),
    (D(2022, 12, 23), D(2022, 12, 28), 2, 1, 1),
    (D(2022, 12, 28), D(2022, 12, 23), -2, -1, -1),
    # One day: a working day counts once inclusive, zero elapsed.
    (D(2024, 3, 28), D(2024, 3, 28), 1, 0, 0),
    (D(2024, 3, 29), D(2024, 3, 29), 0, 0, -1),
    # Thu 28 Mar to Tue 2 Apr 2024 across Easter: Thu 28 and Tue 2.
    (D(2024, 3, 28), D(2024, 4, 2), 2, 1, 1),
    (D(2022, 9, 16), D(2022, 9, 23), 5, 4, 4),
    (D(2024, 3, 8), D(2024, 5, 15), 46, 45, 45),
]


@pytest.mark.parametrize(("start", "end", "networkdays", "elapsed", "elapsed_next"), BETWEEN_CASES)
def test_between_hand_worked(
    start: dt.date, end: dt.date, networkdays: int, elapsed: int, elapsed_next: int
) -> None:
    assert CAL.networkdays(start, end) == networkdays
    assert CAL.working_days_between(start, end) == elapsed
    assert CAL.working_days_between(start, end, convention=NEXT) == elapsed_next


def test_elapsed_next_convention_is_networkdays_minus_one() -> None:
    # The brief: DfE-style NETWORKDAYS - 1 is the NEXT_WORKING_DAY_ZERO count.
    for start, end, networkdays, _, elapsed_next in BETWEEN_CASES:
        if end >= start:
            assert networkdays - 1 == elapsed_next


def test_roll() -> None:
    assert CAL.roll(D(2022, 12, 24), "forward") == D(2022, 12, 28)
    assert CAL.roll(D(2022, 12, 24), "backward") == D(2022, 12, 23)
    assert CAL.roll(D(2022, 12, 28), "forward") == D(2022, 12, 28)
    assert CAL.roll(D(2022, 12, 28), "backward") == D(2022, 12, 28)
    with pytest.raises(ValueError, match="forward"):
        CAL.roll(D(2022, 12, 28), "sideways")  # type: ignore[arg-type]


# --- inputs ---------------------------------------------------------------------------


def test_aware_timestamp_is_converted_to_london_date() -> None:
    # 23:30 UTC on Fri 30 June 2023 is 00:30 on Sat 1 July in London (BST).
    utc = dt.datetime(2023, 6, 30, 23, 30, tzinfo=dt.UTC)
    assert not CAL.is_working_day(utc)
    assert CAL.add_working_days(utc, 0) == D(2023, 7, 1)
    assert CAL.add_working_days(utc, 1) == D(2023, 7, 3)
    # In winter London is on GMT: 23:30 UTC stays on the same date.
    assert CAL.add_working_days(dt.datetime(2023, 1, 6, 23, 30, tzinfo=dt.UTC), 0) == D(2023, 1, 6)


def test_naive_datetime_and_datetime64_are_london_wall_time() -> None:
    assert CAL.add_working_days(dt.datetime(2023, 6, 30, 23, 30), 0) == D(2023, 6, 30)
    assert CAL.add_working_days(np.datetime64("2023-06-30T23:30"), 1) == D(2023, 7, 3)
    assert CAL.add_working_days(np.datetime64("2022-09-16"), 1) == D(2022, 9, 20)
    assert CAL.working_days_between(np.datetime64("2022-09-16", "ns"), D(2022, 9, 23)) == 4


def test_text_is_read_by_the_date_grammar() -> None:
    assert CAL.add_working_days("2024-03-08", 1) == D(2024, 3, 11)
    assert CAL.add_working_days("16/09/2022", 1) == D(2022, 9, 20)  # Mon 19th: state funeral
    assert CAL.is_working_day("8th March 2024")
    with pytest.raises(NotADateError, match="February 2024 has 29 days, not 31") as info:
        CAL.add_working_days("31/02/2024", 1)
    assert info.value.value == "31/02/2024"


@pytest.mark.parametrize("bad", [20240308, 45000.0, True, [D(2024, 3, 8)]])
def test_other_inputs_are_a_clear_error_naming_the_value(bad: object) -> None:
    # a bare number is not a date here (an Excel serial is read by parse_date)
    with pytest.raises(NotADateError, match="is not a date: expected date text, a date") as info:
        CAL.add_working_days(bad, 1)  # type: ignore[arg-type]
    assert repr(bad) in str(info.value)
    assert info.value.value is bad
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("missing", [None, "", "  ", np.datetime64("NaT")])
def test_a_missing_date_is_a_missing_date_error(missing: object) -> None:
    with pytest.raises(MissingDateError, match="missing date where a date is required"):
        CAL.add_working_days(missing, 1)  # type: ignore[arg-type]


def test_nat_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="NaT"):
        CAL.is_working_day(np.datetime64("NaT"))


def test_n_must_be_an_integer() -> None:
    with pytest.raises(TypeError):
        CAL.add_working_days(D(2024, 3, 8), 1.5)  # type: ignore[arg-type]
    assert CAL.add_working_days(D(2024, 3, 8), np.int64(1)) == D(2024, 3, 11)


def test_unknown_convention_string() -> None:
    with pytest.raises(ValueError, match="unknown convention"):
        CAL.add_working_days(D(2024, 3, 9), 1, convention="roll")  # type: ignore[arg-type]
    assert CAL.add_working_days(
        D(2024, 3, 9),
        1,
        convention="next_working_day_zero",  # type: ignore[arg-type]
    ) == D(2024, 3, 12)


# --- range and horizon -------------------------------------------------------------------


def test_outside_supported_range_is_calendar_range_error() -> None:
    with pytest.raises(CalendarRangeError, match="1989-12-29 is outside") as info:
        CAL.add_working_days(D(1989, 12, 29), 1)
    assert isinstance(info.value, ValueError)
    assert info.value.first == D(1990, 1, 1) and info.value.last == D(2099, 12, 31)
    with pytest.raises(CalendarRangeError, match="2100-01-04"):
        CAL.is_working_day(D(2100, 1, 4))


def test_result_past_the_range_is_calendar_range_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        with pytest.raises(CalendarRangeError, match="counting from 2099-12-30"):
            CAL.add_working_days(D(2099, 12, 30), 5)
    with pytest.raises(CalendarRangeError, match="counting from 1990-01-03"):
        CAL.add_working_days(D(1990, 1, 3), -5)


def test_beyond_verified_horizon_warns_but_computes() -> None:
    with pytest.warns(ProvisionalCalendarWarning, match="after 2028"):
        assert CAL.add_working_days(D(2029, 12, 21), 1) == D(2029, 12, 24)
    with pytest.warns(ProvisionalCalendarWarning):
        # Fri 22 Dec 2028: 25, 26 off; 27, 28, 29; Mon 1 Jan 2029 off; Tue 2 Jan is day 4.
        assert CAL.add_working_days(D(2028, 12, 22), 4) == D(2029, 1, 2)
    with pytest.warns(ProvisionalCalendarWarning):
        CAL.working_days_between(D(2028, 12, 1), D(2029, 1, 5))
    assert CAL.is_provisional(D(2029, 1, 1))
    assert not CAL.is_provisional(D(2028, 12, 31))
    # Inside the horizon: no warning at all (filterwarnings=error would fail this test).
    CAL.add_working_days(D(2028, 12, 20), 5)


# --- closures ---------------------------------------------------------------------------


def test_closures_are_opt_in_labelled_and_reported() -> None:
    shutdown = [D(2024, 12, 27), D(2024, 12, 30), D(2024, 12, 31)]
    local = CAL.with_closures(shutdown, label="Council Christmas closure")
    assert CAL.add_working_days(D(2024, 12, 24), 1) == D(2024, 12, 27)
    assert local.add_working_days(D(2024, 12, 24), 1) == D(2025, 1, 2)
    assert local.closures_between(D(2024, 12, 24), D(2025, 1, 2)) == tuple(
        Holiday(d, "Council Christmas closure", "closure") for d in shutdown
    )
    assert CAL.closures_between(D(2024, 12, 24), D(2025, 1, 2)) == ()
    kinds = {h.date: h.kind for h in local.holidays(D(2024, 12, 20), D(2025, 1, 3))}
    assert kinds == {
        D(2024, 12, 25): "bank_holiday", D(2024, 12, 26): "bank_holiday",
        D(2024, 12, 27): "closure", D(2024, 12, 30): "closure", D(2024, 12, 31): "closure",
        D(2025, 1, 1): "bank_holiday",
    }  # fmt: skip
    assert local != CAL
    assert england_and_wales() == CAL
    assert local == CAL.with_closures(shutdown, label="Council Christmas closure")


def test_closure_needs_a_label_and_a_supported_date() -> None:
    with pytest.raises(ValueError, match="label"):
        CAL.with_closures([D(2024, 12, 27)], label="")
    with pytest.raises(CalendarRangeError, match="closure 2100-01-01"):
        CAL.with_closures([D(2100, 1, 1)], label="x")


# --- properties ---------------------------------------------------------------------------


@functools.cache
def _numpy_calendar() -> np.busdaycalendar:
    """numpy's calendar over the independent reference lists (not the shipped table)."""
    return np.busdaycalendar(holidays=np.array(sorted(reference_holidays()), dtype="datetime64[D]"))


# 60 working days (about 12 weeks) from the start stay inside the verified years.
@given(
    start=st.dates(min_value=dt.date(1990, 3, 1), max_value=dt.date(2028, 8, 31)),
    n=st.integers(min_value=0, max_value=60),
    convention=conventions,
)
def test_between_inverts_add(start: dt.date, n: int, convention: Convention) -> None:
    due = CAL.add_working_days(start, n, convention=convention)
    assert CAL.working_days_between(start, due, convention=convention) == n


# Counting back up to 60 working days needs about three months before the start in range.
@given(
    start=st.dates(min_value=dt.date(1990, 4, 1), max_value=dt.date(2028, 10, 31)),
    n=st.integers(min_value=-60, max_value=-1),
    convention=conventions,
)
def test_negative_n_counts_back_from_day_zero(
    start: dt.date, n: int, convention: Convention
) -> None:
    back = CAL.add_working_days(start, n, convention=convention)
    # Measured from the day-0 working day (the start rolled forward), it is n days back.
    assert CAL.working_days_between(CAL.roll(start, "forward"), back) == n
    assert CAL.is_working_day(back)


@given(start=verified_dates, n=small_n, convention=conventions)
def test_monotone_and_working(start: dt.date, n: int, convention: Convention) -> None:
    here = CAL.add_working_days(start, n, convention=convention)
    after = CAL.add_working_days(start, n + 1, convention=convention)
    assert here < after
    if n != 0:
        assert CAL.is_working_day(here)


@given(a=verified_dates, b=verified_dates)
def test_between_is_antisymmetric_and_networkdays_relation(a: dt.date, b: dt.date) -> None:
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)
    if CAL.is_working_day(a) and b >= a:
        assert CAL.networkdays(a, b) - 1 == CAL.working_days_between(a, b)


@given(start=verified_dates, n=small_n, convention=conventions)
def test_add_agrees_with_numpy(start: dt.date, n: int, convention: Convention) -> None:
    bdc = _numpy_calendar()
    d = np.datetime64(start, "D")
    if convention is NEXT:
        # numpy's roll="forward" is exactly the next-working-day-zero convention.
        expected = np.busday_offset(d, n, roll="forward", busdaycal=bdc)
    elif n > 0:
        # WORKDAY counts from the event day; rolling back to a working day first changes nothing.
        expected = np.busday_offset(d, n, roll="backward", busdaycal=bdc)
    elif n < 0:
        expected = np.busday_offset(d, n, roll="forward", busdaycal=bdc)
    else:
        expected = d
    assert CAL.add_working_days(start, n, convention=convention) == expected.astype(object)


@given(a=verified_dates, b=verified_dates, convention=conventions)
def test_between_and_networkdays_agree_with_numpy(
    a: dt.date, b: dt.date, convention: Convention
) -> None:
    bdc = _numpy_calendar()
    one = np.timedelta64(1, "D")
    da: np.datetime64 = np.datetime64(a, "D")
    db: np.datetime64 = np.datetime64(b, "D")
    if convention is NEXT:
        da = np.busday_offset(da, 0, roll="forward", busdaycal=bdc)
    # Working days d with a < d <= b is numpy's half-open [a + 1, b + 1); reversed ranges
    # are mirrored by hand (numpy's own negative count uses another boundary).
    if db >= da:
        expected = int(np.busday_count(da + one, db + one, busdaycal=bdc))
    else:
        expected = -int(np.busday_count(db + one, da + one, busdaycal=bdc))
    assert CAL.working_days_between(a, b, convention=convention) == expected
    da = np.datetime64(a, "D")
    inclusive = (
        np.busday_count(da, db + one, busdaycal=bdc)
        if b >= a
        else -np.busday_count(db, da + one, busdaycal=bdc)
    )
    assert CAL.networkdays(a, b) == int(inclusive)


def test_the_calendar_holds_a_read_only_copy_of_its_holidays() -> None:
    cal = england_and_wales()
    with pytest.raises(TypeError):
        cal.bank_holidays[dt.date(2024, 1, 2)] = "invented"  # type: ignore[index]
    # The table and the mapping stay one answer.
    assert not cal.is_working_day(dt.date(2022, 9, 19))
    assert cal.bank_holidays[dt.date(2022, 9, 19)] == "State Funeral of Queen Elizabeth II"
    assert cal.verified_until == dt.date(2028, 12, 31)


def test_true_is_not_a_count_of_working_days() -> None:
    from safeguard_time.errors import InvalidOptionError  # noqa: PLC0415

    # The same refusal as bulk.add_working_days: True would otherwise count as 1.
    with pytest.raises(InvalidOptionError, match="True is not a count of working days"):
        england_and_wales().add_working_days(dt.date(2024, 3, 8), True)
    assert england_and_wales().add_working_days(dt.date(2024, 3, 8), 1) == dt.date(2024, 3, 11)
