"""The SQL functions in a real DuckDB: every function equals the Python API, NULLs and all."""

from __future__ import annotations

import datetime as dt
import functools
import subprocess
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard_time import (
    Convention,
    Policy,
    ProvisionalCalendarWarning,
    SafeguardTimeError,
    assess,
    deadline,
    england_and_wales,
)
from safeguard_time.duckdb import FUNCTIONS, register
from safeguard_time.errors import InvalidOptionError
from tests.conftest import official_2019_2028, reference_holidays
from tests.strategies import conventions, small_n, verified_dates

CAL = england_and_wales()
HOLIDAYS = sorted(d for d in reference_holidays() if d <= dt.date(2028, 10, 31))

# --- strategies ---------------------------------------------------------------------------

#: Bank holidays, the days either side of them, and weekends: where the two readings differ.
_around_holidays = st.builds(
    lambda d, k: d + dt.timedelta(days=k), st.sampled_from(HOLIDAYS), st.integers(-3, 3)
)
_weekends = verified_dates.map(lambda d: d + dt.timedelta(days=5 - d.weekday()))  # a Saturday
#: Days outside the calendar (1990-2099): the Python API refuses them.
_outside = st.sampled_from([dt.date(1989, 12, 29), dt.date(1970, 1, 1), dt.date(1900, 3, 1)])
days = st.one_of(verified_dates, _around_holidays, _weekends)
cells = st.one_of(days, days, days, st.none())
cells_or_outside = st.one_of(cells, cells, cells, _outside)
timescales = st.sampled_from(
    [
        "assessment",
        "initial_assessment",
        "core_assessment",
        "initial_cp_conference",
        "first_cp_review",
        "lac_first_visit",
        "care_proceedings",
        "referral_decision",
        "private_fostering_first_visit",
    ]
)


@functools.cache
def connection(
    errors: str = "raise", convention: Convention = Convention.EVENT_DAY_ZERO
) -> duckdb.DuckDBPyConnection:
    return register(duckdb.connect(), errors=errors, convention=convention)  # type: ignore[arg-type]


def sql_rows(
    con: duckdb.DuckDBPyConnection, expression: str, columns: dict[str, Sequence[Any]], types: Any
) -> list[Any]:
    """``expression`` evaluated over a table of ``columns`` (Arrow ``types``), in row order."""
    table = pa.table({k: pa.array(v, types[k]) for k, v in columns.items()})
    cur = con.cursor()
    cur.register("t", table)
    try:
        got = cur.sql(f"SELECT {expression} AS x FROM t ORDER BY i").fetchall()
    finally:
        cur.unregister("t")
    return [r[0] for r in got]


def one_case(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """The one-case API's answer, or ``(None, its error text)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        try:
            return call(*args, **kwargs), None
        except SafeguardTimeError as exc:
            return None, str(exc)


def due_of(timescale: str, start: dt.date, convention: Convention) -> dt.date:
    return deadline(timescale, start, convention=convention).due


def status_of(
    timescale: str, start: dt.date, end: dt.date | None, on: dt.date | None, c: Convention
) -> str:
    return assess(timescale, start, end, as_of=on, convention=c).status.label


def check_against(
    expected: list[tuple[Any, str | None]],
    run: Callable[[duckdb.DuckDBPyConnection], list[Any]],
    convention: Convention,
    refused: Any = None,
) -> None:
    """The coerce connection gives every row's answer (``refused`` where the API raises);
    the raise connection fails exactly when a row is refused, with that row's error.

    (Drawn dates reach past the verified horizon; the warning is tested on its own.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        _check_against(expected, run, convention, refused)


def _check_against(
    expected: list[tuple[Any, str | None]],
    run: Callable[[duckdb.DuckDBPyConnection], list[Any]],
    convention: Convention,
    refused: Any,
) -> None:
    assert run(connection("coerce", convention)) == [
        refused if why is not None else value for value, why in expected
    ]
    reasons = [why for _, why in expected if why is not None]
    if not reasons:
        assert run(connection("raise", convention)) == [value for value, _ in expected]
        return
    with pytest.raises(duckdb.InvalidInputException) as caught:
        run(connection("raise", convention))
    assert any(reason in str(caught.value) for reason in reasons), str(caught.value)


# --- hand-worked answers ------------------------------------------------------------------


def test_the_worked_case_of_the_brief() -> None:
    # Referral Thu 25 Jan 2024, 45 working days: due Thu 28 Mar 2024 (29 Mar Good Friday,
    # 1 Apr Easter Monday).  Completed Mon 1 Apr: missed; open as of Sun 31 Mar: overdue.
    con = connection()
    got = con.sql("""
        SELECT sgt_due('assessment', DATE '2024-01-25'),
               sgt_status('assessment', DATE '2024-01-25', DATE '2024-04-01', NULL),
               sgt_status('assessment', DATE '2024-01-25', NULL, DATE '2024-03-31'),
               sgt_status('assessment', DATE '2024-01-25', DATE '2024-03-28', DATE '2020-01-01'),
               sgt_working_days(DATE '2024-01-25', DATE '2024-04-01'),
               sgt_is_working_day(DATE '2024-03-29'),
               sgt_add_working_days(DATE '2024-03-28', 1)
    """).fetchall()
    # 1 Apr is 45 elapsed working days (non-working end) yet after the due date; 2 Apr is the
    # next working day after 28 Mar.  A closed case's as-of date is not read.
    assert got == [
        (dt.date(2024, 3, 28), "missed", "open_overdue", "met", 45, False, dt.date(2024, 4, 2))
    ]


def test_state_funeral_and_the_saturday_referral_under_both_conventions() -> None:
    q = """SELECT sgt_add_working_days(DATE '2022-09-16', 1),
                  sgt_working_days(DATE '2022-09-16', DATE '2022-09-23'),
                  sgt_add_working_days(DATE '2024-03-09', 1)"""
    # Mon 19 Sep 2022 was the state funeral; a Saturday start is day 0 (Monday is day 1), or
    # moves to Monday as day 0 under the next-working-day convention (Tuesday is day 1).
    assert connection().sql(q).fetchall() == [(dt.date(2022, 9, 20), 4, dt.date(2024, 3, 11))]
    nxt = connection("raise", Convention.NEXT_WORKING_DAY_ZERO)
    assert nxt.sql(q).fetchall() == [(dt.date(2022, 9, 20), 4, dt.date(2024, 3, 12))]


def test_is_working_day_matches_numpy_on_the_official_list_for_every_day_2019_2028() -> None:
    official = np.array(sorted(official_2019_2028()), dtype="datetime64[D]")
    got = (
        connection()
        .sql("""
        SELECT d, sgt_is_working_day(d)
        FROM range(DATE '2019-01-01', DATE '2028-12-31', INTERVAL 1 DAY) t(ts), (SELECT ts::DATE AS d)
        ORDER BY d
    """)
        .fetchall()
    )
    days = np.array([d for d, _ in got], dtype="datetime64[D]")
    assert len(days) == 3652
    expected = np.is_busday(days, holidays=official)
    assert [w for _, w in got] == expected.tolist()


def test_working_days_match_numpy_busday_count_across_many_vectors() -> None:
    # 10,000 rows: DuckDB calls the function once per vector of 2048 rows.
    rng = np.random.default_rng(15)
    official = np.array(sorted(official_2019_2028()), dtype="datetime64[D]")
    a = np.datetime64("2019-01-01") + rng.integers(0, 3000, 10_000)
    b = a + rng.integers(0, 300, 10_000)
    got = sql_rows(
        connection(),
        "sgt_working_days(a, b)",
        {"i": range(len(a)), "a": a.tolist(), "b": b.tolist()},
        {"i": pa.int64(), "a": pa.date32(), "b": pa.date32()},
    )
    # Days d with a < d <= b: busday_count counts a <= d < b, so shift both by one day.
    assert got == np.busday_count(a + 1, b + 1, holidays=official).tolist()


# --- every function against the Python API ------------------------------------------------


@settings(max_examples=60)
@given(
    rows=st.lists(st.tuples(st.one_of(timescales, st.none()), cells_or_outside), max_size=30),
    convention=conventions,
)
def test_sgt_due_is_deadline_due(
    rows: list[tuple[str | None, dt.date | None]], convention: Convention
) -> None:
    expected = [
        (None, None) if ts is None or d is None else one_case(due_of, ts, d, convention)
        for ts, d in rows
    ]
    columns = {"i": range(len(rows)), "ts": [r[0] for r in rows], "d": [r[1] for r in rows]}
    types = {"i": pa.int64(), "ts": pa.string(), "d": pa.date32()}
    check_against(expected, lambda con: sql_rows(con, "sgt_due(ts, d)", columns, types), convention)


@settings(max_examples=60)
@given(
    rows=st.lists(
        st.tuples(st.one_of(timescales, st.none()), cells_or_outside, cells, cells), max_size=30
    ),
    convention=conventions,
)
def test_sgt_status_is_assess_status(
    rows: list[tuple[str | None, dt.date | None, dt.date | None, dt.date | None]],
    convention: Convention,
) -> None:
    def expect(ts: str | None, s: dt.date | None, e: dt.date | None, on: dt.date | None) -> Any:
        if ts is None or s is None or (e is None and on is None):
            return None, None  # NULL in, NULL out
        return one_case(status_of, ts, s, e, on, convention)

    expected = [expect(*r) for r in rows]
    names = ("ts", "s", "e", "judged_on")
    columns: dict[str, Sequence[Any]] = {"i": range(len(rows))}
    columns.update({k: [r[j] for r in rows] for j, k in enumerate(names)})
    types = {"i": pa.int64(), "ts": pa.string(), "s": pa.date32(), "e": pa.date32()}
    types["judged_on"] = pa.date32()
    check_against(
        expected,
        lambda con: sql_rows(con, "sgt_status(ts, s, e, judged_on)", columns, types),
        convention,
        refused="error",
    )


@settings(max_examples=60)
@given(rows=st.lists(st.tuples(cells_or_outside, cells_or_outside), max_size=30), c=conventions)
def test_sgt_working_days_is_working_days_between(
    rows: list[tuple[dt.date | None, dt.date | None]], c: Convention
) -> None:
    expected = [
        (None, None)
        if a is None or b is None
        else one_case(CAL.working_days_between, a, b, convention=c)
        for a, b in rows
    ]
    columns = {"i": range(len(rows)), "a": [r[0] for r in rows], "b": [r[1] for r in rows]}
    types = {"i": pa.int64(), "a": pa.date32(), "b": pa.date32()}
    check_against(expected, lambda con: sql_rows(con, "sgt_working_days(a, b)", columns, types), c)


_counts = st.one_of(small_n, small_n, st.none(), st.sampled_from([10**7, -(10**7), 2**40]))


@settings(max_examples=60)
@given(rows=st.lists(st.tuples(cells_or_outside, _counts), max_size=30), c=conventions)
def test_sgt_add_working_days_is_add_working_days(
    rows: list[tuple[dt.date | None, int | None]], c: Convention
) -> None:
    expected = [
        (None, None)
        if d is None or n is None
        else one_case(CAL.add_working_days, d, n, convention=c)
        for d, n in rows
    ]
    columns = {"i": range(len(rows)), "d": [r[0] for r in rows], "n": [r[1] for r in rows]}
    types = {"i": pa.int64(), "d": pa.date32(), "n": pa.int64()}
    check_against(
        expected, lambda con: sql_rows(con, "sgt_add_working_days(d, n)", columns, types), c
    )


@settings(max_examples=60)
@given(rows=st.lists(cells_or_outside, max_size=30))
def test_sgt_is_working_day_is_is_working_day(rows: list[dt.date | None]) -> None:
    expected = [(None, None) if d is None else one_case(CAL.is_working_day, d) for d in rows]
    columns = {"i": range(len(rows)), "d": rows}
    types = {"i": pa.int64(), "d": pa.date32()}
    check_against(
        expected,
        lambda con: sql_rows(con, "sgt_is_working_day(d)", columns, types),
        Convention.EVENT_DAY_ZERO,
    )


# --- NULLs, errors and options ------------------------------------------------------------


def test_null_in_gives_null_out_in_every_function() -> None:
    got = (
        connection()
        .sql("""
        SELECT sgt_due(NULL, DATE '2024-03-08'), sgt_due('assessment', NULL),
               sgt_status(NULL, DATE '2024-03-08', NULL, DATE '2024-04-01'),
               sgt_status('assessment', NULL, DATE '2024-04-01', NULL),
               sgt_status('assessment', DATE '2024-03-08', NULL, NULL),
               sgt_working_days(NULL, DATE '2024-03-08'), sgt_working_days(DATE '2024-03-08', NULL),
               sgt_add_working_days(NULL, 3), sgt_add_working_days(DATE '2024-03-08', NULL),
               sgt_is_working_day(NULL)
    """)
        .fetchall()
    )
    assert got == [(None,) * 10]


def test_an_unknown_timescale_fails_the_query_with_the_librarys_words() -> None:
    with pytest.raises(duckdb.InvalidInputException) as caught:
        connection().sql("SELECT sgt_due('asessment', DATE '2024-03-08')").fetchall()
    text = str(caught.value)
    assert "UnknownTimescaleError: unknown timescale 'asessment'" in text
    assert "did you mean 'assessment'?" in text
    with pytest.raises(duckdb.InvalidInputException, match="unknown timescale 'nope'"):
        connection("coerce").sql(
            "SELECT sgt_status('nope', DATE '2024-03-08', NULL, DATE '2024-04-01')"
        ).fetchall()


def test_a_refused_row_names_its_values() -> None:
    with pytest.raises(duckdb.InvalidInputException) as caught:
        connection().sql(
            "SELECT sgt_status('assessment', DATE '2024-03-08', DATE '2024-03-01', NULL)"
        ).fetchall()
    assert "EventOrderError: end 2024-03-01 is before the start 2024-03-08" in str(caught.value)
    with pytest.raises(duckdb.InvalidInputException, match="no rule for 'assessment'"):
        connection().sql("SELECT sgt_due('assessment', DATE '2012-06-01')").fetchall()


def test_a_timescale_column_is_grouped_per_row() -> None:
    got = (
        connection()
        .sql("""
        SELECT sgt_due(ts, DATE '2011-06-01')
        FROM (VALUES (1, 'initial_assessment'), (2, 'core_assessment'), (3, NULL),
                     (4, 'initial_assessment')) v(i, ts)
        ORDER BY i
    """)
        .fetchall()
    )
    expected = [deadline(ts, dt.date(2011, 6, 1)).due for ts in ("initial_assessment",) * 1]
    core = deadline("core_assessment", dt.date(2011, 6, 1)).due
    assert [r[0] for r in got] == [expected[0], core, None, expected[0]]


def test_policy_and_closures_are_options_of_register() -> None:
    start = dt.date(2010, 6, 1)
    kept_seven = Policy(initial_assessment_10_day=dt.date(2011, 1, 1))
    con = register(duckdb.connect(), policy=kept_seven)
    got = con.sql(f"SELECT sgt_due('initial_assessment', DATE '{start}')").fetchall()
    assert got == [(deadline("initial_assessment", start, policy=kept_seven).due,)]
    assert got != [(deadline("initial_assessment", start).due,)]
    shut = CAL.with_closures([dt.date(2024, 12, 24)], label="Christmas shutdown")
    con = register(duckdb.connect(), calendar=shut)
    assert con.sql("SELECT sgt_is_working_day(DATE '2024-12-24')").fetchall() == [(False,)]
    assert connection().sql("SELECT sgt_is_working_day(DATE '2024-12-24')").fetchall() == [(True,)]


def test_register_refuses_a_bad_option_and_names_every_function() -> None:
    with pytest.raises(InvalidOptionError, match="errors='ignore'"):
        register(duckdb.connect(), errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="convention"):
        register(duckdb.connect(), convention="weekdays")
    con = register(duckdb.connect())
    names = {r[0] for r in con.sql("SELECT function_name FROM duckdb_functions()").fetchall()}
    assert set(FUNCTIONS) <= names


def test_importing_the_module_imports_neither_duckdb_nor_pyarrow() -> None:
    code = (
        "import sys, safeguard_time.duckdb; "
        "print(sorted(m for m in ('duckdb', 'pyarrow', 'pandas', 'polars') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_provisional_answers_warn_as_in_python() -> None:
    with pytest.warns(ProvisionalCalendarWarning, match="projections"):
        got = connection().sql("SELECT sgt_add_working_days(DATE '2031-03-03', 5)").fetchall()
    assert got == [(dt.date(2031, 3, 10),)]
