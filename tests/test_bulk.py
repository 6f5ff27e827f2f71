"""The array path: bulk == scalar on every row, and error rows instead of exceptions."""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard_time import (
    CalendarRangeError,
    Convention,
    NoRuleInForceError,
    Policy,
    ProvisionalCalendarWarning,
    UnknownTimescaleError,
    WorkingCalendar,
    bulk,
    deadline,
    england_and_wales,
)
from safeguard_time import _engine as engine
from safeguard_time._engine import kernels
from safeguard_time.deadlines import Status as ScalarStatus
from safeguard_time.deadlines import assess as one_assess
from safeguard_time.errors import NotADateError, SafeguardTimeError
from safeguard_time.rules import rule_bounds, rule_for, rulebook
from tests.strategies import any_dates, conventions, small_n, verified_dates

CAL = england_and_wales()
FIRST, LAST = CAL.first, CAL.last
DAY = dt.timedelta(days=1)

# --- strategies ---------------------------------------------------------------------------

#: Dates anywhere, including the calendar's first and last days and days just outside it.
edge_dates = st.sampled_from(
    [FIRST, FIRST + DAY, LAST - DAY, LAST, FIRST - DAY, LAST + DAY, dt.date(1970, 1, 1)]
)
row_dates = st.one_of(any_dates, any_dates, any_dates, edge_dates, st.none())


#: Closure days for a council calendar: often none (the statutory calendar), else a few.
closure_days = st.one_of(
    st.just(()), st.lists(any_dates, min_size=1, max_size=6).map(lambda d: tuple(sorted(d)))
)


@functools.lru_cache(maxsize=256)
def calendar_with(closures: tuple[dt.date, ...]) -> WorkingCalendar:
    """The statutory calendar, or one with these closure days (weekdays and weekends)."""
    return CAL.with_closures(closures, label="Closure") if closures else CAL


@st.composite
def policies(draw: st.DrawFn) -> Policy | None:
    """No policy, or a council's own switch dates (10-day switch not after single)."""
    if draw(st.booleans()):
        return None
    a = draw(st.dates(min_value=dt.date(2009, 1, 1), max_value=dt.date(2014, 12, 31)))
    b = draw(st.dates(min_value=a, max_value=dt.date(2017, 12, 31)))
    return Policy(initial_assessment_10_day=a, single_assessment=b, name="drawn")


@st.composite
def timescale_and_phase(draw: st.DrawFn) -> tuple[str, str | None]:
    book = rulebook()
    ts = draw(st.sampled_from(sorted(book.timescales)))
    phases = book.timescales[ts].phases
    return ts, draw(st.sampled_from(phases)) if phases else None


#: Chunk sizes: tiny ones so one call mixes fast and checked chunks.
chunk_sizes = st.sampled_from([1, 3, 8, kernels.CHUNK])


@contextmanager
def chunked(size: int) -> Iterator[None]:
    with mock.patch.object(kernels, "CHUNK", size):
        yield


def d64(days: Sequence[dt.date | None]) -> np.ndarray:
    return np.array(
        [np.datetime64("NaT") if d is None else np.datetime64(d, "D") for d in days],
        dtype="datetime64[D]",
    )


@contextmanager
def recording() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def provisional_warnings(caught: list[warnings.WarningMessage]) -> int:
    return sum(issubclass(w.category, ProvisionalCalendarWarning) for w in caught)


# --- scalar references --------------------------------------------------------------------


def scalar_add(cal: WorkingCalendar, d: dt.date | None, n: int, conv: Convention) -> Any:
    if d is None:
        return None, False
    with recording() as caught:
        try:
            value = cal.add_working_days(d, n, convention=conv)
        except CalendarRangeError:
            return "range", False
    return value, provisional_warnings(caught) > 0


def scalar_between(
    cal: WorkingCalendar, a: dt.date | None, b: dt.date | None, conv: Convention
) -> Any:
    if a is None or b is None:
        return None, False
    with recording() as caught:
        try:
            value = cal.working_days_between(a, b, convention=conv)
        except CalendarRangeError:
            return "range", False
    return value, provisional_warnings(caught) > 0


# --- the calendar functions ---------------------------------------------------------------


@settings(max_examples=150)
@given(
    st.lists(row_dates, min_size=1, max_size=25),
    st.one_of(small_n, st.lists(small_n, min_size=25, max_size=25)),
    conventions,
    closure_days,
    chunk_sizes,
)
def test_add_working_days_equals_scalar(
    days: list[dt.date | None],
    n: int | list[int],
    conv: Convention,
    closures: tuple[dt.date, ...],
    chunk: int,
) -> None:
    cal = calendar_with(closures)
    ns = [n] * len(days) if isinstance(n, int) else n[: len(days)]
    n_arg: Any = n if isinstance(n, int) else np.array(ns)
    expected = [scalar_add(cal, d, k, conv) for d, k in zip(days, ns, strict=True)]
    with chunked(chunk), recording() as caught:
        got = bulk.add_working_days(
            d64(days), n_arg, calendar=cal, convention=conv, errors="coerce"
        )
    for (value, _), g in zip(expected, got.tolist(), strict=True):
        assert g == (None if value == "range" else value)
    assert provisional_warnings(caught) == int(any(p for _, p in expected))
    if any(v == "range" for v, _ in expected):
        with pytest.raises(CalendarRangeError, match=r"row \d+"), recording():
            bulk.add_working_days(d64(days), n_arg, calendar=cal, convention=conv)


@settings(max_examples=150)
@given(
    st.lists(st.tuples(row_dates, row_dates), min_size=1, max_size=25),
    conventions,
    closure_days,
    chunk_sizes,
)
def test_working_days_between_equals_scalar(
    pairs: list[tuple[dt.date | None, dt.date | None]],
    conv: Convention,
    closures: tuple[dt.date, ...],
    chunk: int,
) -> None:
    cal = calendar_with(closures)
    starts, ends = [a for a, _ in pairs], [b for _, b in pairs]
    expected = [scalar_between(cal, a, b, conv) for a, b in pairs]
    with chunked(chunk), recording() as caught:
        got = bulk.working_days_between(
            d64(starts), d64(ends), calendar=cal, convention=conv, errors="coerce"
        )
    assert got.dtype == np.int32
    assert got.tolist() == [None if v == "range" else v for v, _ in expected]
    assert provisional_warnings(caught) == int(any(p for _, p in expected))


@settings(max_examples=80)
@given(st.lists(row_dates, min_size=1, max_size=30), closure_days)
def test_is_working_day_equals_scalar(
    days: list[dt.date | None], closures: tuple[dt.date, ...]
) -> None:
    cal = calendar_with(closures)
    with recording():
        expected = [
            None if d is None or not FIRST <= d <= LAST else cal.is_working_day(d) for d in days
        ]
        got = bulk.is_working_day(d64(days), calendar=cal, errors="coerce")
    assert got.tolist() == expected


@given(verified_dates, st.integers(min_value=0, max_value=60), conventions)
def test_round_trip_property(day: dt.date, n: int, conv: Convention) -> None:
    """working_days_between(d, add_working_days(d, n)) == n, column-wise."""
    s = d64([day])
    with warnings.catch_warnings():
        # 60 working days from a late-2028 start reach the projected years: the round trip
        # holds there too, and the warning is tested on its own
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        due = bulk.add_working_days(s, n, convention=conv)
        assert bulk.working_days_between(s, due, convention=conv).tolist() == [n]


def test_calendar_functions_missing_and_out_of_range() -> None:
    s = d64([dt.date(2024, 3, 8), None, dt.date(1989, 12, 29)])
    with pytest.raises(CalendarRangeError, match=r"row 2: start 1989-12-29 is outside"):
        bulk.add_working_days(s, 1)
    got = bulk.add_working_days(s, 1, errors="coerce")
    assert got.tolist() == [dt.date(2024, 3, 11), None, None]
    # A result beyond the calendar names the row it came from.
    with pytest.raises(CalendarRangeError, match=r"row 0: counting from 2099-12-30"):
        bulk.add_working_days(d64([dt.date(2099, 12, 30)]), 5)
    between = bulk.working_days_between(s, s, errors="coerce")
    assert between.tolist() == [0, None, None]
    assert np.ma.getmaskarray(between).tolist() == [False, True, True]
    with pytest.raises(CalendarRangeError, match=r"row 1: end 2100-01-04"):
        bulk.working_days_between(d64([LAST, LAST]), d64([LAST, dt.date(2100, 1, 4)]))
    with pytest.raises(CalendarRangeError, match=r"row 0: date 1970-01-01"):
        bulk.is_working_day(d64([dt.date(1970, 1, 1)]))


def test_calendar_functions_refuse_values_that_are_not_dates() -> None:
    with pytest.raises(NotADateError, match=r"row 1: start: .*2024-13-01") as caught:
        bulk.add_working_days([dt.date(2024, 1, 1), "2024-13-01"], 1)
    assert (caught.value.row, caught.value.column, caught.value.code) == (1, "start", "not_a_date")
    got = bulk.add_working_days([dt.date(2024, 1, 1), "2024-13-01"], 1, errors="coerce")
    assert got.tolist() == [dt.date(2024, 1, 2), None]
    # date text is read by the date grammar: Mon 1 Jan 2024 + 1 is Tue 2 Jan
    got = bulk.add_working_days(["2024-01-01", "01/01/2024", "1st Jan 2024", ""], 1)
    assert got.tolist() == [dt.date(2024, 1, 2)] * 3 + [None]


def test_n_column_must_match() -> None:
    with pytest.raises(ValueError, match="n: has 2 rows where the dates have 1"):
        bulk.add_working_days(d64([dt.date(2024, 1, 1)]), [1, 2])
    with pytest.raises(TypeError, match="integer"):
        bulk.add_working_days(d64([dt.date(2024, 1, 1)]), [1.5])
    with pytest.raises(ValueError, match="different lengths"):
        bulk.working_days_between(d64([dt.date(2024, 1, 1)]), d64([]))


def test_provisional_rows_warn_once_per_call() -> None:
    days = d64([dt.date(2030, 1, 1), dt.date(2031, 1, 1), dt.date(2024, 1, 1)])
    with pytest.warns(ProvisionalCalendarWarning, match="2 of 3 results") as caught:
        bulk.add_working_days(days, 5)
    assert len(caught) == 1
    with pytest.warns(ProvisionalCalendarWarning):
        bulk.is_working_day(days)


# --- deadlines ----------------------------------------------------------------------------


def scalar_deadline(
    ts: str,
    day: dt.date | None,
    conv: Convention,
    policy: Policy | None,
    cal: WorkingCalendar,
    phase: str | None,
) -> Any:
    if day is None:
        return None
    with recording():
        try:
            return deadline(ts, day, calendar=cal, convention=conv, policy=policy, phase=phase)
        except (CalendarRangeError, NoRuleInForceError):
            return None


def rule_id_or_none(ts: str, day: dt.date | None, policy: Policy | None, phase: str | None) -> Any:
    if day is None or not FIRST <= day <= LAST:
        return None
    try:
        return rule_for(ts, day, policy=policy, phase=phase).id
    except NoRuleInForceError:
        return None


@settings(max_examples=150)
@given(
    timescale_and_phase(),
    st.lists(row_dates, min_size=1, max_size=20),
    conventions,
    policies(),
    closure_days,
    chunk_sizes,
)
def test_deadlines_equal_scalar(
    ts_phase: tuple[str, str | None],
    days: list[dt.date | None],
    conv: Convention,
    policy: Policy | None,
    closures: tuple[dt.date, ...],
    chunk: int,
) -> None:
    cal = calendar_with(closures)
    ts, phase = ts_phase
    with chunked(chunk), recording() as caught:
        got = bulk.deadlines(
            ts, d64(days), policy=policy, convention=conv, calendar=cal, phase=phase
        )
    error_rows = {e.row for e in got.errors}
    any_provisional = False
    for i, day in enumerate(days):
        ref = scalar_deadline(ts, day, conv, policy, cal, phase)
        names = got.rule_names()
        assert names[i] == rule_id_or_none(ts, day, policy, phase)
        if ref is None:
            assert i in error_rows
            assert np.isnat(got.due[i])
            assert not got.provisional[i]
            continue
        assert i not in error_rows
        assert got.due[i] == np.datetime64(ref.due)
        assert got.last_working_day[i] == np.datetime64(ref.last_working_day)
        assert got.provisional[i] == ref.provisional
        any_provisional |= ref.provisional
    assert provisional_warnings(caught) == int(any_provisional)


def test_per_row_edition_switch_on_15_april_2013() -> None:
    # Friday 12 April 2013: the old initial (10 WD) and core (35 WD) assessments.
    # Monday 15 April 2013: Working Together 2013, the single assessment of 45 WD.
    starts = d64([dt.date(2013, 4, 12), dt.date(2013, 4, 15)])
    initial = bulk.deadlines("initial_assessment", starts)
    assert initial.due.tolist()[0] == dt.date(2013, 4, 26)  # 10 WD after Fri 12 Apr
    assert initial.rule_names().tolist() == ["initial_assessment.wt2010", None]
    core = bulk.deadlines("core_assessment", starts)
    assert core.due.tolist()[0] == deadline("core_assessment", dt.date(2013, 4, 12)).due
    single = bulk.deadlines("assessment", starts)
    assert single.due.tolist()[1] == dt.date(2013, 6, 19)  # 45 WD after Mon 15 Apr
    assert single.rule_names().tolist() == [None, "assessment.wt2013"]
    [err] = single.errors
    assert (err.row, err.column, err.value) == (0, "start", dt.date(2013, 4, 12))
    assert "no rule for 'assessment' was in force on 2013-04-12" in err.reason
    assert "'initial_assessment'" in err.reason


def test_a_2012_start_under_assessment_is_an_error_row_naming_the_date() -> None:
    got = bulk.assess("assessment", d64([dt.date(2012, 5, 1)]), d64([dt.date(2012, 6, 1)]))
    assert got.status.tolist() == [bulk.Status.ERROR.code]
    assert got.errors[0].reason.startswith("no rule for 'assessment' was in force on 2012-05-01")


def test_error_rows_sharing_a_reason_keep_their_own_rows_and_values() -> None:
    """Rows with the same code and days share one described reason; each keeps its row."""
    d = dt.date
    # Rows 7 and 8: the starts of rows 0 and 1 with other ends (the same reason); row 9: the
    # start of row 3 with another end (its own reason, as the end is in it).
    starts = [d(2012, 5, 1), None, d(2012, 5, 1), d(2024, 3, 8), None, d(2012, 5, 2), d(2024, 3, 8),
              d(2012, 5, 1), None, d(2024, 3, 8)]  # fmt: skip
    ends = [d(2012, 6, 1), d(2024, 1, 2), d(2012, 6, 1), d(2024, 3, 1), d(2024, 1, 2), d(2012, 6, 1),
            d(2024, 3, 1), d(2012, 7, 2), d(2024, 5, 3), d(2024, 2, 29)]  # fmt: skip
    got = bulk.assess("assessment", np.array(starts, "M8[D]"), np.array(ends, "M8[D]"))
    records = list(got.errors)
    assert [(e.row, e.code) for e in records] == [
        (0, "no_rule"), (1, "missing"), (2, "no_rule"), (3, "end_before_start"), (4, "missing"),
        (5, "no_rule"), (6, "end_before_start"), (7, "no_rule"), (8, "missing"),
        (9, "end_before_start"),
    ]  # fmt: skip
    # Each record is the one-case API's error for that row, described once or not.
    for e in records:
        with pytest.raises(SafeguardTimeError) as raised:
            one_assess("assessment", starts[e.row], ends[e.row])
        assert e.reason == str(raised.value)
        assert e.code == raised.value.code
    assert records[5].reason != records[0].reason  # another day, another reason
    assert records[7].reason == records[0].reason  # another end: the same reason
    assert records[3].value == records[6].value == d(2024, 3, 1)
    assert records[9].value == d(2024, 2, 29)  # the same start, another end: its own
    assert records[9].reason != records[3].reason
    assert records[1].value is None


@settings(max_examples=60, deadline=None)
@given(
    days=st.lists(st.dates(dt.date(2005, 1, 1), dt.date(2030, 12, 31)), min_size=6, max_size=6),
    code=st.sampled_from(sorted(engine.ROW_ERROR_READS)),
)
def test_a_row_error_is_made_from_the_values_its_code_reads(days: list[dt.date], code: int) -> None:
    """``ROW_ERROR_READS`` (the key of the shared reasons) names every value an error uses."""
    p = engine.plan("initial_assessment")
    given_values = dict(zip(("start", "end", "as_of"), days[:3], strict=True))
    others = dict(zip(("start", "end", "as_of"), days[3:], strict=True))
    changed = {
        name: (value if name in engine.ROW_ERROR_READS[code] else others[name])
        for name, value in given_values.items()
    }
    a = engine.row_error(p, code, given_values["start"], given_values["end"], given_values["as_of"])
    b = engine.row_error(p, code, changed["start"], changed["end"], changed["as_of"])
    assert (str(a), a.value, a.code) == (str(b), b.value, b.code)


@settings(max_examples=150, deadline=None)
@given(
    which=timescale_and_phase(),
    policy=policies(),
    days=st.lists(st.dates(dt.date(1995, 1, 1), dt.date(2030, 12, 31)), min_size=1, max_size=8),
)
def test_a_start_with_no_rule_gets_rule_fors_reason_though_asked_once_per_run(
    which: tuple[str, str | None], policy: Policy | None, days: list[dt.date]
) -> None:
    """The plan asks ``rule_for`` once per run of ``rule_bounds`` days; every day's error is
    still ``rule_for``'s own (its date, what applied instead, since when)."""
    timescale, phase = which
    p = engine.plan(timescale, None, policy, phase)
    bounds = rule_bounds(timescale, policy)
    # The days either side of each bound too: where a run starts and ends.
    around = [b + k * DAY for b in bounds for k in (-1, 0, 1)]
    for day in [*days, *around]:
        expected = _rule_fors_error(timescale, day, policy, phase)
        if expected is not None:
            got = p.no_rule_error(day)
            assert (str(got), got.on, got.instead, got.detail) == expected


def _rule_fors_error(
    timescale: str, day: dt.date, policy: Policy | None, phase: str | None
) -> tuple[str, dt.date, tuple[str, ...], str] | None:
    """``rule_for``'s no-rule error for the day, in parts, or ``None`` if a rule applied."""
    try:
        rule_for(timescale, day, policy=policy, phase=phase)
    except NoRuleInForceError as exc:
        return str(exc), exc.on, exc.instead, exc.detail
    return None


def test_a_council_policy_moves_the_switch_per_row() -> None:
    herefordshire = Policy(single_assessment=dt.date(2016, 9, 1), name="Herefordshire")
    starts = d64([dt.date(2015, 6, 1), dt.date(2016, 9, 1)])
    old = bulk.deadlines("initial_assessment", starts, policy=herefordshire)
    assert old.rule_names().tolist() == ["initial_assessment.wt2010", None]
    new = bulk.deadlines("assessment", starts, policy=herefordshire)
    assert new.rule_names().tolist()[0] is None
    assert new.due.tolist()[1] == deadline("assessment", dt.date(2016, 9, 1)).due


def test_mixed_units_in_one_column() -> None:
    # first_lac_review: 4 weeks (1991 regulations) until 31 March 2011, then 20 WD.
    starts = d64([dt.date(2011, 3, 31), dt.date(2011, 4, 1)])
    got = bulk.deadlines("first_lac_review", starts)
    assert got.due.tolist() == [
        deadline("first_lac_review", dt.date(2011, 3, 31)).due,
        deadline("first_lac_review", dt.date(2011, 4, 1)).due,
    ]


def test_months_follow_dodds_v_walker() -> None:
    starts = d64([dt.date(2023, 11, 30), dt.date(2023, 8, 31), dt.date(2024, 1, 31)])
    got = bulk.deadlines("first_cp_review", starts)
    assert got.due.tolist() == [dt.date(2024, 2, 29), dt.date(2023, 11, 30), dt.date(2024, 4, 30)]
    # The statutory date may be a weekend; the last working day before it is given too.
    sunday = bulk.deadlines("first_cp_review", d64([dt.date(2024, 3, 30)]))
    assert sunday.due.tolist() == [dt.date(2024, 6, 30)]
    assert sunday.last_working_day.tolist() == [dt.date(2024, 6, 28)]


def test_caller_errors_raise() -> None:
    with pytest.raises(UnknownTimescaleError):
        bulk.deadlines("assesment", d64([dt.date(2024, 1, 1)]))
    with pytest.raises(ValueError, match="needs phase="):
        bulk.deadlines("lac_visit", d64([dt.date(2024, 1, 1)]))
    with pytest.raises(ValueError, match="has no phases"):
        bulk.deadlines("assessment", d64([dt.date(2024, 1, 1)]), phase="first_year")
    with pytest.raises(ValueError, match="unknown convention"):
        bulk.deadlines("assessment", d64([dt.date(2024, 1, 1)]), convention="excel")
    with pytest.raises(TypeError, match="expected a column of dates"):
        bulk.deadlines("assessment", dt.date(2024, 1, 1))
    with pytest.raises(TypeError, match="int64 array"):
        bulk.deadlines("assessment", np.arange(3))


# --- assess -------------------------------------------------------------------------------


def scalar_assess(
    ts: str,
    start: dt.date | None,
    end: dt.date | None,
    as_of: dt.date | None,
    conv: Convention,
    policy: Policy | None,
    cal: WorkingCalendar,
    phase: str | None,
) -> tuple[str, Any, int | None, int | None, bool]:
    """(status or error column, due, elapsed, late, provisional) as the one-case API says."""
    with recording():
        try:
            a = one_assess(
                ts,
                start,
                end,
                as_of=as_of,
                convention=conv,
                policy=policy,
                calendar=cal,
                phase=phase,
            )
        except SafeguardTimeError as exc:
            d = scalar_deadline(ts, start, conv, policy, cal, phase) if start else None
            if d is None:
                return "start", None, None, None, False
            column = "end" if exc.code == "end_before_start" else "as_of"
            if exc.code == "out_of_range" and end is not None:
                column = "end"
            return column, d.due, None, None, d.provisional
    if a.deadline is None:
        return a.status.value, None, None, None, False
    d = a.deadline
    last_read = max(a.end or a.as_of or d.due, d.due)
    provisional = d.provisional or cal.is_provisional(last_read)
    return a.status.value, d.due, a.elapsed, a.late, provisional


@st.composite
def cases(draw: st.DrawFn) -> list[tuple[dt.date | None, dt.date | None]]:
    """Rows of (start, end): ends mostly 0-150 days after, some before, missing or outside."""
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=20))):
        start = draw(row_dates)
        kind = draw(st.sampled_from(["after", "after", "after", "before", "none", "edge"]))
        end: dt.date | None
        if kind == "none" or start is None:
            end = None if kind == "none" else draw(row_dates)
        elif kind == "edge":
            end = draw(edge_dates)
        else:
            delta = draw(st.integers(min_value=0, max_value=150)) * (1 if kind == "after" else -1)
            try:
                end = start + dt.timedelta(days=delta)
            except OverflowError:
                end = None
        rows.append((start, end))
    return rows


@settings(max_examples=200, deadline=None)
@given(
    timescale_and_phase(),
    cases(),
    st.one_of(st.none(), any_dates),
    conventions,
    policies(),
    closure_days,
    chunk_sizes,
)
def test_assess_equals_scalar(
    ts_phase: tuple[str, str | None],
    rows: list[tuple[dt.date | None, dt.date | None]],
    as_of: dt.date | None,
    conv: Convention,
    policy: Policy | None,
    closures: tuple[dt.date, ...],
    chunk: int,
) -> None:
    cal = calendar_with(closures)
    ts, phase = ts_phase
    starts, ends = d64([s for s, _ in rows]), d64([e for _, e in rows])
    with chunked(chunk), recording() as caught:
        got = bulk.assess(
            ts,
            starts,
            ends,
            as_of=as_of,
            policy=policy,
            convention=conv,
            calendar=cal,
            phase=phase,
        )
    errors = {e.row: e for e in got.errors}
    assert len(errors) == len(got.errors)
    # Listed (described once per shared reason) or read one by one: the same errors.
    assert list(got.errors) == [got.errors[j] for j in range(len(got.errors))]
    group, firsts = got.errors.grouped()
    assert [(e.column, e.value, e.reason, e.code) for e in got.errors] == [
        (firsts[g].column, firsts[g].value, firsts[g].reason, firsts[g].code) for g in group
    ]
    assert sorted(set(group.tolist())) == list(range(len(firsts)))
    # Shared reasons are kept by the plan across calls (the examples before this one):
    # described afresh, they are the same.
    listed = list(got.errors)
    got.errors._describe.plan.described.clear()
    assert listed == [got.errors[j] for j in range(len(got.errors))]
    any_provisional = False
    for i, (start, end) in enumerate(rows):
        status, due, elapsed, late, provisional = scalar_assess(
            ts, start, end, as_of if end is None else None, conv, policy, cal, phase
        )
        assert got.rule_names()[i] == rule_id_or_none(ts, start, policy, phase)
        if status in ("start", "end", "as_of"):
            assert got.status[i] == bulk.Status.ERROR.code
            assert errors[i].column == status
            assert got.elapsed.tolist()[i] is None
            assert got.late.tolist()[i] is None
            assert got.due.tolist()[i] == due
        else:
            assert i not in errors
            assert bulk.STATUS_LABELS[got.status[i]] == status
            assert got.due.tolist()[i] == due
            assert (got.elapsed.tolist()[i], got.late.tolist()[i]) == (elapsed, late)
        assert got.provisional[i] == provisional
        any_provisional |= provisional
    assert provisional_warnings(caught) == int(any_provisional)


def test_fast_path_equals_checked_path_on_a_large_random_caseload() -> None:
    rng = np.random.default_rng(7)
    n = 150_000
    lo, hi = np.datetime64("2011-01-01").astype(int), np.datetime64("2099-06-01").astype(int)
    starts = rng.integers(lo, hi, n).astype("datetime64[D]")
    ends = starts + rng.integers(-5, 200, n).astype("timedelta64[D]")
    ends[rng.random(n) < 0.05] = np.datetime64("NaT")
    starts[rng.random(n) < 0.01] = np.datetime64("NaT")
    as_of = np.datetime64("2030-06-30")
    for ts in ("assessment", "initial_cp_conference", "first_lac_review", "cp_review"):
        with pytest.warns(ProvisionalCalendarWarning):
            fast = bulk.assess(ts, starts, ends, as_of=as_of)
        with (
            mock.patch.object(kernels, "_assess_fast", return_value=False),
            pytest.warns(ProvisionalCalendarWarning),
        ):
            checked = bulk.assess(ts, starts, ends, as_of=as_of)
        for name in ("due", "elapsed", "status", "late", "rule", "provisional"):
            np.testing.assert_array_equal(getattr(fast, name), getattr(checked, name), name)
        assert list(fast.errors) == list(checked.errors)
        with pytest.warns(ProvisionalCalendarWarning):
            fast_d = bulk.deadlines(ts, starts)
        with (
            mock.patch.object(kernels, "_deadlines_fast", return_value=False),
            pytest.warns(ProvisionalCalendarWarning),
        ):
            checked_d = bulk.deadlines(ts, starts)
        for name in ("due", "last_working_day", "rule", "provisional"):
            np.testing.assert_array_equal(getattr(fast_d, name), getattr(checked_d, name), name)
        assert list(fast_d.errors) == list(checked_d.errors)


def test_missing_values_never_raise() -> None:
    starts = [dt.date(2024, 3, 8), None, float("nan"), np.datetime64("NaT"), dt.date(2024, 3, 8)]
    ends = [None, dt.date(2024, 5, 1), None, None, dt.date(2024, 5, 15)]
    got = bulk.assess("assessment", starts, ends)
    assert bulk.STATUS_LABELS[got.status[4]] == "met"
    assert [(e.row, e.column, e.value, e.reason, e.code) for e in got.errors] == [
        (0, "as_of", None, "open case needs as_of (the date to judge it on)", "needs_as_of"),
        (1, "start", None, "missing start", "missing"),
    ]
    # Rows 2 and 3 have no start and no end: the timescale does not apply to them.
    assert got.status_names().tolist()[2:4] == ["not_applicable", "not_applicable"]
    # Row 0 is an open case: its due date is still known.
    assert got.due[0] == np.datetime64("2024-05-15")
    judged = bulk.assess("assessment", starts, ends, as_of=dt.date(2024, 5, 20))
    assert judged.status_names().tolist()[0] == "open_overdue"
    assert len(judged.errors) == 1


def test_every_case_open() -> None:
    starts = d64([dt.date(2024, 3, 8), dt.date(2024, 4, 1)])
    got = bulk.assess("assessment", starts, as_of=np.datetime64("2024-05-15T18:00"))
    assert got.status_names().tolist() == ["open_in_time", "open_in_time"]
    assert got.elapsed.tolist() == [45, 31]
    no_as_of = bulk.assess("assessment", starts)
    assert [e.reason for e in no_as_of.errors] == [
        "open case needs as_of (the date to judge it on)"
    ] * 2


def test_as_of_per_row() -> None:
    starts = d64([dt.date(2024, 3, 8)] * 4)
    ends = d64([None, None, dt.date(2024, 5, 15), None])
    as_of = [dt.date(2024, 5, 15), dt.date(2024, 5, 16), "not a date", "nor this"]
    got = bulk.assess("assessment", starts, ends, as_of=as_of)
    assert got.status_names().tolist() == ["open_in_time", "open_overdue", "met", "error"]
    [err] = got.errors
    assert (err.row, err.column, err.value) == (3, "as_of", "nor this")
    assert (
        err.reason
        == "'nor this' is not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number"
    )
    with pytest.raises(ValueError, match="starts and as_of have different lengths"):
        bulk.assess("assessment", starts, ends, as_of=as_of[:2])


def test_out_of_range_and_bad_values_are_error_rows() -> None:
    starts: list[Any] = [
        dt.date(1989, 12, 29),
        np.datetime64("20000-01-01"),
        "2024-13-01",
        dt.date(2024, 1, 2),
        dt.date(2024, 1, 2),
        dt.date(2099, 12, 1),
    ]
    ends: list[Any] = [
        dt.date(2024, 1, 1),
        None,
        None,
        dt.date(2100, 1, 4),
        "soon",
        None,
    ]
    got = bulk.assess("assessment", starts, ends, as_of=dt.date(2024, 1, 5))
    assert [(e.row, e.column) for e in got.errors] == [
        (0, "start"),
        (1, "start"),
        (2, "start"),
        (3, "end"),
        (4, "end"),
        (5, "start"),
    ]
    reasons = [e.reason for e in got.errors]
    assert reasons[0] == (
        "start 1989-12-29 is outside the supported calendar range 1990-01-01 to 2099-12-31"
    )
    assert got.errors[1].value == np.datetime64("20000-01-01")
    assert reasons[2] == "there is no month 13 in '2024-13-01'"
    assert reasons[3].startswith("end 2100-01-04 is outside")
    assert (
        reasons[4]
        == "'soon' is not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number"
    )
    assert reasons[5] == (
        "assessment from 2099-12-01: the result falls outside the supported calendar range "
        "1990-01-01 to 2099-12-31"
    )
    assert got.status.tolist() == [-1] * 6
    # The end's problem leaves the deadline itself known.
    assert got.due[3] == np.datetime64(deadline("assessment", dt.date(2024, 1, 2)).due)
    assert got.rule_names().tolist()[3] == "assessment.wt2023"


def test_end_before_start() -> None:
    got = bulk.assess("assessment", d64([dt.date(2024, 3, 8)]), d64([dt.date(2024, 3, 7)]))
    assert got.errors[0].reason == "end 2024-03-07 is before the start 2024-03-08"


def test_as_of_outside_the_calendar_raises() -> None:
    with pytest.raises(CalendarRangeError, match="as_of 2100-01-01 is outside"):
        bulk.assess("assessment", d64([dt.date(2024, 1, 1)]), as_of=dt.date(2100, 1, 1))


def test_provisional_rows_in_assess() -> None:
    starts = d64([dt.date(2024, 3, 8), dt.date(2028, 12, 1)])
    with pytest.warns(ProvisionalCalendarWarning, match="1 of 2 results") as caught:
        got = bulk.assess("assessment", starts, starts + 40)
    assert len(caught) == 1
    assert got.provisional.tolist() == [False, True]


def test_status_codes_match_the_scalar_status() -> None:
    # One enum everywhere; the array code indexes the labels, -1 (error) included.
    assert bulk.Status is ScalarStatus
    for status in ScalarStatus:
        assert bulk.STATUS_LABELS[status.code] == status.value == status.label
        assert ScalarStatus.from_code(status.code) is status
    assert bulk.Status.ERROR.code == -1


def test_result_helpers() -> None:
    starts = d64([dt.date(2024, 3, 8), dt.date(2024, 3, 8), None])
    ends = d64([dt.date(2024, 5, 15), dt.date(2024, 6, 1), dt.date(2024, 6, 1)])
    got = bulk.assess("assessment", starts, ends)
    assert len(got) == 3
    assert got.ok.tolist() == [True, True, False]
    assert got.counts() == {
        "met": 1,
        "missed": 1,
        "open_in_time": 0,
        "open_overdue": 0,
        "not_applicable": 0,
        "error": 1,
    }
    assert got.rule_names().tolist() == ["assessment.wt2023", "assessment.wt2023", None]
    errors = got.errors
    assert len(errors) == 1
    assert errors[-1] == errors[0]
    assert errors[0:5] == [errors[0]]
    assert errors == [errors[0]]
    assert errors.rows.tolist() == [2]
    assert "missing start" in repr(errors)
    with pytest.raises(IndexError):
        errors[1]


# --- duration bins ------------------------------------------------------------------------


def test_duration_bins_of_an_assessment() -> None:
    start = dt.date(2024, 1, 8)
    elapsed = [0, 0, 5, 10, 11, 45, 46, 61]
    ends = [CAL.add_working_days(start, k) for k in elapsed] + [None, None]
    starts = d64([start] * 9 + [None])
    got = bulk.assess("assessment", starts, d64(ends), as_of=dt.date(2024, 2, 1))
    bins = got.bins()
    assert bins.scheme == "assessment"
    assert bins.labels[0] == "same day"
    assert bins.counts.tolist() == [2, 2, 1, 0, 0, 1, 1, 0, 1]
    assert bins.total == 8
    assert bins.excluded == 2
    assert bins.percentages[0] == pytest.approx(25.0)
    assert bins.rows()[-1] == ("61+", 1, 12.5)
    assert "(not counted: 2 open or error rows)" in str(bins)


@given(
    days=st.lists(st.integers(-3, 200), max_size=60),
    hidden=st.lists(st.booleans(), min_size=60, max_size=60),
    scheme=st.sampled_from(bulk.bin_schemes()),
)
def test_duration_bins_of_a_histogram_are_those_of_its_cases(
    days: list[int], hidden: list[bool], scheme: str
) -> None:
    """Each distinct value once, weighted by its cases, bins as the cases do one by one."""
    cases = np.ma.MaskedArray(days, mask=hidden[: len(days)], dtype=np.int64)
    one_by_one = bulk.duration_bins(cases, scheme)
    values, counts = np.unique(np.asarray(cases.data), return_counts=True)
    hidden_of = np.ma.getmaskarray(cases)
    open_ = np.array([hidden_of[cases.data == v].sum() for v in values], dtype=np.int64)
    # Each value twice: its visible cases, then its hidden ones (masked).
    both = np.ma.MaskedArray(
        np.concatenate([values, values]),
        mask=np.concatenate([np.zeros(len(values), bool), np.ones(len(values), bool)]),
    )
    weighted = bulk.duration_bins(both, scheme, weights=np.concatenate([counts - open_, open_]))
    assert weighted.counts.tolist() == one_by_one.counts.tolist()
    assert (weighted.total, weighted.excluded) == (one_by_one.total, one_by_one.excluded)


def test_duration_bins_refuse_weights_that_are_not_cases() -> None:
    with pytest.raises(ValueError, match="weights must be 2 whole numbers"):
        bulk.duration_bins([1, 2], "assessment", weights=[1, -1])
    with pytest.raises(ValueError, match="weights must be 2 whole numbers"):
        bulk.duration_bins([1, 2], "assessment", weights=[1])
    with pytest.raises(ValueError, match="weights must be 2 whole numbers"):
        bulk.duration_bins([1, 2], "assessment", weights=[0.5, 1.5])
    got = bulk.assess("assessment", d64([dt.date(2024, 1, 8)]), d64([dt.date(2024, 1, 9)]))
    with pytest.raises(TypeError, match="weights go with a column of days"):
        bulk.duration_bins(got, weights=[1])


def test_duration_bins_schemes() -> None:
    assert bulk.bin_schemes() == ("assessment", "initial_cp_conference")
    icpc = bulk.duration_bins([0, 10, 11, 15, 16, 20, 21, 99], "initial_cp_conference")
    assert icpc.labels == ("0-10", "11-15", "16-20", "21+")
    assert icpc.counts.tolist() == [2, 2, 2, 2]
    masked = np.ma.MaskedArray([3, 30], mask=[False, True])
    assert bulk.duration_bins(masked, "initial_cp_conference").excluded == 1
    empty = bulk.duration_bins(np.array([], dtype=np.int32), "assessment")
    assert empty.total == 0
    assert np.isnan(empty.percentages).all()
    with pytest.raises(ValueError, match="no duration-bin scheme 'x'"):
        bulk.duration_bins([1], "x")
    with pytest.raises(ValueError, match="no duration-bin scheme None"):
        bulk.duration_bins([1])
    # A negative duration (next-working-day convention, a weekend case) is in the first bin.
    assert bulk.duration_bins([-1, 0], "assessment").counts.tolist()[:2] == [2, 0]
    with pytest.raises(TypeError, match="integers"):
        bulk.duration_bins([1.5], "assessment")
