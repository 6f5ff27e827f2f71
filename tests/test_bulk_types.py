"""The bulk faces answer pandas with pandas and polars with polars, values as the numpy path."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard_time import ProvisionalCalendarWarning, bulk
from safeguard_time.errors import InvalidOptionError
from tests.strategies import small_n, verified_dates

# --- strategies ---------------------------------------------------------------------------

cells = st.one_of(verified_dates, verified_dates, verified_dates, st.none())
columns = st.lists(cells, max_size=25)

#: How a pandas user holds dates: numpy-backed units, time zones, objects, Arrow, text.
PANDAS_KINDS = (
    "datetime64[ns]",
    "datetime64[us]",
    "datetime64[ms]",
    "datetime64[s]",
    "Europe/London",
    "UTC",
    "object",
    "date32[pyarrow]",
    "string",
)


def pandas_dates(days: list[dt.date | None], kind: str, index: pd.Index, name: Any) -> pd.Series:
    """A pandas Series whose London dates are ``days``, held as ``kind``."""
    if kind == "object":
        return pd.Series(days, index=index, name=name, dtype=object)
    if kind == "string":
        text = [None if d is None else d.isoformat() for d in days]
        return pd.Series(text, index=index, name=name, dtype="string")
    if kind == "date32[pyarrow]":
        return pd.Series(days, index=index, name=name, dtype="date32[pyarrow]")
    values: Any = days
    naive = pd.Series(pd.to_datetime(values), index=index, name=name)
    if kind in ("Europe/London", "UTC"):
        # Noon in London is the same day in UTC: the London date stays the drawn day.
        local = (naive + pd.Timedelta(hours=12)).dt.tz_localize("Europe/London")
        return local.dt.tz_convert(kind)
    unit: Any = kind
    return naive.astype(unit)


def expected_unit(s: pd.Series) -> str:
    """The unit a date answer keeps: the input's own, or seconds for text and objects."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return str(s.dtype.unit)
    dtype: Any = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        return np.datetime_data(dtype)[0]
    return "s"


@st.composite
def indexes(draw: st.DrawFn, n: int) -> pd.Index:
    """A random index of ``n`` labels: shuffled integers, text, dates, or a default range."""
    kind = draw(st.sampled_from(["range", "ints", "text", "dates"]))
    if kind == "range":
        return pd.RangeIndex(n)
    if kind == "ints":
        labels = draw(st.lists(st.integers(-1000, 1000), min_size=n, max_size=n, unique=True))
        return pd.Index(labels, dtype="int64")
    if kind == "text":
        words = draw(st.lists(st.text(min_size=1, max_size=4), min_size=n, max_size=n))
        return pd.Index(words, dtype=object)  # duplicates allowed: position still pairs
    return pd.DatetimeIndex(draw(st.lists(verified_dates, min_size=n, max_size=n)))


names = st.one_of(st.none(), st.sampled_from(["referral", "start", "x"]))


def as_numpy(days: Sequence[dt.date | None]) -> np.ndarray:
    return np.array([np.datetime64("NaT") if d is None else d for d in days], dtype="M8[D]")


def days_of(result: pd.Series | pd.Index) -> np.ndarray:
    """A pandas date column's values as ``int64`` days (NaT as the NaT integer)."""
    values = pd.Series(result).astype("datetime64[s]").to_numpy()
    return values.astype("M8[D]").view(np.int64)


# --- pandas -------------------------------------------------------------------------------


@settings(max_examples=80)
@given(
    days=columns,
    kind=st.sampled_from(PANDAS_KINDS),
    data=st.data(),
    name=names,
    n=small_n,
)
def test_add_working_days_keeps_a_pandas_series(
    days: list[dt.date | None], kind: str, data: st.DataObject, name: Any, n: int
) -> None:
    index = data.draw(indexes(len(days)))
    s = pandas_dates(days, kind, index, name)
    got = bulk.add_working_days(s, n)
    assert isinstance(got, pd.Series)
    assert got.index.equals(s.index)
    assert got.name == name
    if kind == "date32[pyarrow]":
        assert str(got.dtype) == "date32[day][pyarrow]"
    else:
        assert got.dtype == np.dtype(f"datetime64[{expected_unit(s)}]")
    want = bulk.add_working_days(as_numpy(days), n)
    assert days_of(got).tolist() == want.view(np.int64).tolist()


@settings(max_examples=80)
@given(pairs=st.lists(st.tuples(cells, cells), max_size=25), data=st.data(), name=names)
def test_working_days_between_gives_nullable_int32_on_the_index(
    pairs: list[tuple[dt.date | None, dt.date | None]], data: st.DataObject, name: Any
) -> None:
    index = data.draw(indexes(len(pairs)))
    kinds = data.draw(st.tuples(st.sampled_from(PANDAS_KINDS), st.sampled_from(PANDAS_KINDS)))
    a = pandas_dates([p[0] for p in pairs], kinds[0], index, name)
    b = pandas_dates([p[1] for p in pairs], kinds[1], index, name)
    got = bulk.working_days_between(a, b)
    assert isinstance(got, pd.Series)
    assert got.index.equals(index)
    assert got.dtype == pd.Int32Dtype()  # not float64 with NaN
    assert got.name == name
    want = bulk.working_days_between(
        as_numpy([p[0] for p in pairs]), as_numpy([p[1] for p in pairs])
    )
    assert got.astype(object).where(got.notna(), None).tolist() == want.tolist()


@settings(max_examples=50)
@given(days=columns, data=st.data(), name=names, kind=st.sampled_from(PANDAS_KINDS))
def test_is_working_day_gives_nullable_booleans(
    days: list[dt.date | None], data: st.DataObject, name: Any, kind: str
) -> None:
    s = pandas_dates(days, kind, data.draw(indexes(len(days))), name)
    got = bulk.is_working_day(s)
    assert isinstance(got, pd.Series)
    assert got.index.equals(s.index)
    assert got.dtype == pd.BooleanDtype()
    assert got.name == name
    want = bulk.is_working_day(as_numpy(days))
    assert got.astype(object).where(got.notna(), None).tolist() == want.tolist()


def test_a_pandas_index_gives_an_index() -> None:
    idx = pd.DatetimeIndex(["2022-09-16", None, "2024-03-09"], name="referral")
    got = bulk.add_working_days(idx, 1)
    assert isinstance(got, pd.DatetimeIndex)
    assert got.name == "referral"
    assert got.strftime("%Y-%m-%d").tolist()[::2] == ["2022-09-20", "2024-03-11"]
    flags = bulk.is_working_day(idx)
    assert isinstance(flags, pd.Index)
    assert flags.dtype == pd.BooleanDtype()
    assert flags.tolist()[0] is True


def test_names_are_kept_only_when_shared() -> None:
    a = pd.Series(pd.to_datetime(["2024-03-08"]), name="referral")
    b = pd.Series(pd.to_datetime(["2024-05-15"]), name="completed")
    assert bulk.working_days_between(a, b).name is None
    assert bulk.working_days_between(a, b.rename("referral")).name == "referral"
    # A count column with its own name is another input: the dates' name is not shared.
    assert bulk.add_working_days(a, 45).name == "referral"
    assert bulk.add_working_days(a, pd.Series([45], name="n")).name is None


def test_columns_with_different_indexes_are_refused_by_name() -> None:
    a = pd.Series(pd.to_datetime(["2024-03-08", "2024-03-11"]), index=[1, 2])
    b = pd.Series(pd.to_datetime(["2024-05-15", "2024-05-16"]), index=[2, 1])
    with pytest.raises(InvalidOptionError, match=r"starts and ends have different indexes"):
        bulk.working_days_between(a, b)
    with pytest.raises(InvalidOptionError, match=r"ends\.reindex\(starts\.index\)"):
        bulk.assess("assessment", a, b)
    # Positional pairing is still there for whoever asks for it.
    assert bulk.working_days_between(a, b.to_numpy()).tolist() == [45, 45]


def test_numpy_and_lists_in_give_numpy_out_as_before() -> None:
    s = np.array(["2024-03-08", "NaT"], dtype="M8[D]")
    assert isinstance(bulk.add_working_days(s, 1), np.ndarray)
    counts = bulk.working_days_between([dt.date(2024, 3, 8), None], [dt.date(2024, 3, 12), None])
    assert isinstance(counts, np.ma.MaskedArray)
    assert counts.dtype == np.int32


# --- frames: assess and deadlines ---------------------------------------------------------


@settings(max_examples=60)
@given(
    rows=st.lists(st.tuples(cells, cells), max_size=25),
    data=st.data(),
    as_of=verified_dates,
)
def test_assess_on_a_drawn_frame_lines_up_with_its_index(
    rows: list[tuple[dt.date | None, dt.date | None]], data: st.DataObject, as_of: dt.date
) -> None:
    index = data.draw(indexes(len(rows)))
    kind = data.draw(st.sampled_from(PANDAS_KINDS))
    frame = pd.DataFrame(
        {
            "referral": pandas_dates([r[0] for r in rows], kind, index, "referral"),
            "done": pandas_dates([r[1] for r in rows], kind, index, "done"),
        },
        index=index,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        got = bulk.assess("assessment", frame.referral, frame.done, as_of=as_of).to_pandas()
        ref = bulk.assess(
            "assessment",
            as_numpy([r[0] for r in rows]),
            as_numpy([r[1] for r in rows]),
            as_of=as_of,
        ).to_pandas(index=index)
    assert got.index.equals(frame.index)
    assert got["elapsed"].dtype == pd.Int32Dtype() and got["late"].dtype == pd.Int32Dtype()
    if kind != "date32[pyarrow]":
        assert got["due"].dtype == np.dtype(f"datetime64[{expected_unit(frame.referral)}]")
    assert days_of(got["due"]).tolist() == days_of(ref["due"]).tolist()
    for col in ("elapsed", "late", "status", "rule", "provisional", "error"):
        assert (
            got[col].astype(object).where(got[col].notna(), None).tolist()
            == ref[col].astype(object).where(ref[col].notna(), None).tolist()
        ), col


def test_deadlines_to_pandas_keeps_the_index_and_the_unit() -> None:
    texts: Any = ["2024-03-08", None, "2012-01-02"]
    s = pd.Series(pd.to_datetime(texts), index=["a", "b", "c"])
    got = bulk.deadlines("assessment", s.astype("datetime64[us]")).to_pandas()
    assert got.index.tolist() == ["a", "b", "c"]
    assert got["due"].dtype == np.dtype("datetime64[us]")
    assert got["due"].dt.strftime("%Y-%m-%d").tolist()[0] == "2024-05-15"
    assert got["error"].tolist()[1:] == ["missing start", got["error"].tolist()[2]]
    assert "no rule for 'assessment'" in got["error"].tolist()[2]
    # An explicit index still wins.
    assert bulk.deadlines("assessment", s).to_pandas(index=[7, 8, 9]).index.tolist() == [7, 8, 9]


# --- polars -------------------------------------------------------------------------------

POLARS_KINDS = ("Date", "Datetime[us]", "Datetime[ms, Europe/London]", "String")


def polars_dates(days: list[dt.date | None], kind: str, name: str) -> pl.Series:
    s = pl.Series(name, days, dtype=pl.Date)
    if kind == "Datetime[us]":
        return s.cast(pl.Datetime("us")) + dt.timedelta(hours=9)  # naive London wall time
    if kind == "Datetime[ms, Europe/London]":
        return s.cast(pl.Datetime("ms")).dt.replace_time_zone("Europe/London")
    if kind == "String":
        return s.dt.to_string("%Y-%m-%d")
    return s


@settings(max_examples=60)
@given(
    pairs=st.lists(st.tuples(cells, cells), max_size=25),
    kind=st.sampled_from(POLARS_KINDS),
    name=st.sampled_from(["referral", "", "a"]),
    n=small_n,
)
def test_polars_in_gives_polars_out(
    pairs: list[tuple[dt.date | None, dt.date | None]], kind: str, name: str, n: int
) -> None:
    a_days, b_days = [p[0] for p in pairs], [p[1] for p in pairs]
    a, b = polars_dates(a_days, kind, name), polars_dates(b_days, kind, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        due = bulk.add_working_days(a, n)
        count = bulk.working_days_between(a, b)
        flag = bulk.is_working_day(a)
        want_due = bulk.add_working_days(as_numpy(a_days), n)
        want_count = bulk.working_days_between(as_numpy(a_days), as_numpy(b_days))
        want_flag = bulk.is_working_day(as_numpy(a_days))
    assert (due.dtype, count.dtype, flag.dtype) == (pl.Date, pl.Int32, pl.Boolean)
    assert due.name == count.name == flag.name == name
    assert due.to_list() == want_due.tolist()
    assert count.to_list() == want_count.tolist()  # nulls where numpy masks
    assert flag.to_list() == want_flag.tolist()


def test_to_polars_gives_polars_types() -> None:
    s = pl.Series([dt.date(2024, 1, 25), dt.date(2024, 1, 25), None, dt.date(2011, 6, 1)])
    e = pl.Series([dt.date(2024, 4, 1), dt.date(2024, 1, 1), None, None])
    got = bulk.assess("assessment", s, e, as_of=dt.date(2024, 2, 1)).to_polars()
    assert got.schema["due"] == pl.Date
    assert got.schema["elapsed"] == pl.Int32 and got.schema["late"] == pl.Int32
    assert isinstance(got.schema["status"], pl.Enum)
    # No start and no end is not_applicable, as in the one-case API.
    assert got["status"].to_list() == ["missed", "error", "not_applicable", "not_applicable"]
    assert got["late"].to_list() == [1, None, None, None]
    assert got["rule"].to_list()[0] == "assessment.wt2023"
    assert got["rule"].to_list()[2] is None
    assert got["error"].to_list()[1] == "end 2024-01-01 is before the start 2024-01-25"
    d = bulk.deadlines("first_cp_review", s).to_polars()
    # 25 Jan + 3 months = Thu 25 Apr 2024; the last working day is the same day.
    assert d["due"].to_list()[0] == dt.date(2024, 4, 25)
    assert d.schema["last_working_day"] == pl.Date


def test_duration_bins_read_nullable_counts_from_pandas_and_polars() -> None:
    a = [dt.date(2024, 3, 8), dt.date(2024, 3, 8), None]
    b = [dt.date(2024, 3, 8), dt.date(2024, 5, 15), dt.date(2024, 5, 15)]
    want = bulk.duration_bins(bulk.working_days_between(as_numpy(a), as_numpy(b)), "assessment")
    for make in (lambda d: pd.Series(d, dtype=object), lambda d: pl.Series(d, dtype=pl.Date)):
        counts = bulk.working_days_between(make(a), make(b))
        got = bulk.duration_bins(counts, "assessment")
        assert got.rows() == want.rows()
        assert (got.total, got.excluded) == (2, 1)  # same day and 41-45; the missing one left out
