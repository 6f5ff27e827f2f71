"""Every input type gives the same answer; buffers are read in place where the type allows."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from safeguard_time import bulk, parse_date
from safeguard_time._bulk_input import NAT, DayColumn, to_days
from safeguard_time.errors import NotADateError

UTC = dt.UTC
DAYS = [dt.date(2024, 3, 8), None, dt.date(2023, 7, 1), dt.date(2013, 4, 15)]
EXPECTED = [
    dt.date(2024, 3, 8).toordinal() - dt.date(1970, 1, 1).toordinal(),
    NAT,
    dt.date(2023, 7, 1).toordinal() - dt.date(1970, 1, 1).toordinal(),
    dt.date(2013, 4, 15).toordinal() - dt.date(1970, 1, 1).toordinal(),
]
#: The same days as timestamps: late evening (naive, London wall time) ...
NAIVE = [
    dt.datetime(2024, 3, 8, 23, 59),
    None,
    dt.datetime(2023, 7, 1, 0, 0),
    dt.datetime(2013, 4, 15, 12),
]
#: ... and aware ones whose London date differs from their UTC date (BST: 23:30Z is 00:30).
AWARE = [
    dt.datetime(2024, 3, 8, 12, tzinfo=UTC),
    None,
    dt.datetime(2023, 6, 30, 23, 30, tzinfo=UTC),
    dt.datetime(2013, 4, 14, 23, 30, tzinfo=UTC),
]


def days_of(x: Any) -> list[int]:
    col = to_days(x, "x")
    return [int(d) for d in col.chunk(0, len(col))]


def check(x: Any) -> None:
    assert days_of(x) == EXPECTED
    # And through the public API: the same due dates as the numpy column.
    ref = bulk.deadlines("assessment", np.array(DAYS, dtype="datetime64[D]"))
    got = bulk.deadlines("assessment", x)
    np.testing.assert_array_equal(got.due, ref.due)
    assert [e.row for e in got.errors] == [e.row for e in ref.errors] == [1]


@pytest.mark.parametrize("unit", ["D", "h", "m", "s", "ms", "us", "ns"])
def test_numpy_any_unit_is_floored_to_the_london_day(unit: str) -> None:
    values = np.array([np.datetime64("NaT") if d is None else d for d in NAIVE], dtype="M8[us]")
    check(values.astype(f"datetime64[{unit}]"))


def test_numpy_before_1970_floors_down() -> None:
    x = np.array(["1969-12-31T12:00", "1990-01-01T23:59"], dtype="datetime64[m]")
    assert days_of(x) == [-1, 7305]


def test_numpy_days_are_not_copied() -> None:
    x = np.array(DAYS, dtype="datetime64[D]")
    col = to_days(x, "x")
    assert np.shares_memory(col.chunk(0, len(x)), x)


def test_sequences() -> None:
    check(DAYS)
    check(tuple(DAYS))
    check(NAIVE)
    check(AWARE)
    check(np.array(DAYS, dtype=object))
    assert days_of(d for d in DAYS) == EXPECTED  # any iterable
    check([np.datetime64(d, "D") if d else np.datetime64("NaT") for d in DAYS])
    check([d if d else float("nan") for d in DAYS])


def test_values_that_are_not_dates_are_remembered() -> None:
    col = to_days([dt.date(2024, 1, 1), "2024-01-02", 3, "soon", ""], "x")
    assert col.bad == {2: 3, 3: "soon"}  # text is read by the date grammar; a number is no date
    assert col.chunk(0, 5).tolist()[1:] == [19724, NAT, NAT, NAT]  # 2024-01-02 is day 19724
    assert col.value(1) == dt.date(2024, 1, 2)
    assert col.value(3) == "soon"
    soon = col.error(3)
    assert isinstance(soon, NotADateError) and (soon.row, soon.value) == (3, "soon")
    assert str(soon) == str(_raised(lambda: parse_date("soon")))
    three = col.error(2)
    assert isinstance(three, NotADateError) and three.code == "not_a_date"
    assert (
        str(three)
        == "3 is not a date: expected date text, a date, a datetime or a numpy.datetime64, got int"
    )
    with pytest.raises(KeyError):
        col.error(1)


def _raised(f: Any) -> BaseException:
    with pytest.raises(NotADateError) as info:
        f()
    return info.value


TEXT = ["2024-03-08", "", "01/07/2023", "15 Apr 2013"]


def test_text_columns_are_read_by_the_date_grammar() -> None:
    import pandas as pd  # noqa: PLC0415 - the test extra installs it; a missing one must fail
    import polars as pl  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    with_none = [TEXT[0], None, *TEXT[2:]]
    for x in (
        TEXT,
        with_none,
        np.array(TEXT),
        np.array(TEXT, dtype=object),
        pd.Series(TEXT, dtype=object),
        pd.Series(with_none, dtype="string"),
        pd.Series(with_none, dtype="string[pyarrow]"),
        pd.Series(with_none, dtype="large_string[pyarrow]"),
        pl.Series(with_none, dtype=pl.String),
        pa.array(with_none),
        pa.array(with_none, pa.large_string()),
        pa.array(with_none).dictionary_encode(),
        pa.chunked_array([with_none[:2], with_none[2:]]),
    ):
        check(x)


def test_refused_text_in_a_text_column_is_a_bad_row_with_its_reason() -> None:
    import pandas as pd  # noqa: PLC0415 - the test extra installs it; a missing one must fail
    import polars as pl  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    cells = ["2024-03-08", "31/02/2024", None]
    for x in (cells, pd.Series(cells, dtype="string"), pl.Series(cells), pa.array(cells)):
        col = to_days(x, "x")
        assert col.bad == {1: "31/02/2024"}
        assert str(col.error(1)) == "'31/02/2024' is not a date: February 2024 has 29 days, not 31"
        assert col.chunk(0, 3).tolist()[1:] == [NAT, NAT]


@pytest.mark.parametrize(
    "x",
    [
        np.arange(3),
        np.zeros((2, 2), dtype="datetime64[D]"),
        "2024-01-01",
        5,
    ],
)
def test_columns_that_are_not_dates_raise(x: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        to_days(x, "starts")


def test_empty_columns() -> None:
    empty = np.array([], dtype="datetime64[D]")
    got = bulk.assess("assessment", empty, empty)
    assert len(got) == 0
    assert len(got.errors) == 0
    assert bulk.add_working_days([], 3).tolist() == []


def test_pandas() -> None:
    import pandas as pd  # noqa: PLC0415 - the test extra installs it; a missing one must fail

    naive: Any = NAIVE  # lists with None: pandas-stubs do not describe them
    aware: Any = AWARE
    check(pd.Series(pd.to_datetime(naive)))
    check(pd.Series(pd.to_datetime(naive)).astype("datetime64[s]"))
    check(pd.DatetimeIndex(pd.to_datetime(naive)))
    check(pd.Series(pd.to_datetime(aware, utc=True)))  # tz-aware: converted to London
    check(pd.Series(pd.to_datetime(aware, utc=True)).dt.tz_convert("America/New_York"))
    check(pd.Series(DAYS, dtype=object))
    check(pd.Series(DAYS, dtype="date32[pyarrow]"))
    check(pd.Series(NAIVE, dtype="timestamp[us][pyarrow]"))
    with pytest.raises(TypeError, match="pandas column of dates"):
        to_days(pd.Series([1, 2]), "starts")


def test_pandas_numpy_backed_columns_are_not_copied() -> None:
    import pandas as pd  # noqa: PLC0415 - the test extra installs it; a missing one must fail

    s = pd.Series(np.array(DAYS, dtype="datetime64[s]"))
    col = to_days(s, "x")
    assert np.shares_memory(col.values, s.to_numpy())


def test_polars() -> None:
    import polars as pl  # noqa: PLC0415

    check(pl.Series(DAYS, dtype=pl.Date))
    check(pl.Series(NAIVE, dtype=pl.Datetime("ns")))
    check(pl.Series(NAIVE, dtype=pl.Datetime("ms")))
    aware = pl.Series(
        [d.replace(tzinfo=None) if d else None for d in AWARE], dtype=pl.Datetime("us")
    )
    check(aware.dt.replace_time_zone("UTC"))
    check(pl.Series(DAYS, dtype=pl.Object))
    no_nulls = pl.Series([dt.date(2024, 1, 1), dt.date(2024, 1, 2)], dtype=pl.Date)
    assert not to_days(no_nulls, "x").values.flags.owndata  # read in place
    with pytest.raises(TypeError, match="polars Date or Datetime"):
        to_days(pl.Series([1, 2]), "starts")


def test_arrow() -> None:
    import pyarrow as pa  # noqa: PLC0415

    check(pa.array(DAYS, type=pa.date32()))
    check(pa.array(DAYS, type=pa.date64()))
    check(pa.array(NAIVE, type=pa.timestamp("ns")))
    check(pa.array(AWARE, type=pa.timestamp("us", tz="UTC")))
    check(pa.chunked_array([pa.array(DAYS[:2], pa.date32()), pa.array(DAYS[2:], pa.date32())]))
    check(pa.chunked_array([pa.array(DAYS, pa.date32())]))
    # A sliced array has an offset into its buffers.
    padded = pa.array([dt.date(2000, 1, 1), *DAYS, dt.date(2000, 1, 1)], type=pa.date32())
    check(padded.slice(1, len(DAYS)))
    arr = pa.array(DAYS, type=pa.date32())
    assert not to_days(arr, "x").values.flags.owndata  # read in place
    with pytest.raises(TypeError, match="Arrow date32"):
        to_days(pa.array([1, 2]), "starts")


def test_optional_libraries_are_imported_only_when_given() -> None:
    code = (
        "import sys, numpy as np; from safeguard_time import bulk; "
        "bulk.assess('assessment', np.array(['2024-03-08'], 'M8[D]'), as_of=np.datetime64('2024-04-01')); "
        "print(sorted(m for m in ('pandas', 'polars', 'pyarrow', 'dask') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_day_column_null_mask() -> None:
    col = DayColumn(np.array([1, 2, 3], dtype=np.int32), np.array([False, True, False]))
    assert col.chunk(0, 3).tolist() == [1, NAT, 3]
    assert col.value(1) is None


def test_to_pandas() -> None:
    import pandas as pd  # noqa: PLC0415 - the test extra installs it; a missing one must fail

    starts = np.array(["2024-03-08", "2024-03-08", "NaT"], dtype="datetime64[D]")
    ends = np.array(["2024-05-15", "2024-06-01", "2024-06-01"], dtype="datetime64[D]")
    frame = bulk.assess("assessment", starts, ends).to_pandas(index=["a", "b", "c"])
    assert list(frame.columns) == [
        "due",
        "elapsed",
        "status",
        "late",
        "rule",
        "provisional",
        "error",
    ]
    assert frame["status"].tolist() == ["met", "missed", "error"]
    assert frame["elapsed"].isna().tolist() == [False, False, True]
    assert frame["rule"].tolist()[:2] == ["assessment.wt2023"] * 2
    assert pd.isna(frame["rule"].iloc[2])
    assert frame.loc["c", "error"] == "missing start"
    assert frame["due"].iloc[0] == pd.Timestamp("2024-05-15")


# --- inputs that are not what they seem ---------------------------------------------------


def test_counts_that_are_not_counts_are_refused_by_name() -> None:
    import pandas as pd  # noqa: PLC0415 - the test extra installs it; a missing one must fail

    from safeguard_time.errors import InvalidOptionError, NotAColumnError  # noqa: PLC0415

    s = np.array(["2024-03-08", "2024-03-08"], dtype="datetime64[D]")
    # The same error as the one-case API gives for True.
    with pytest.raises(InvalidOptionError, match="True is not a count of working days"):
        bulk.add_working_days(s, True)
    # 2**63 + 5 would wrap to a negative int64: refused with its value and row instead.
    with pytest.raises(InvalidOptionError, match="row 1: 9223372036854775813 working days") as e:
        bulk.add_working_days(s, np.array([1, 2**63 + 5], dtype=np.uint64))
    assert (e.value.row, e.value.value) == (1, 2**63 + 5)
    with pytest.raises(InvalidOptionError, match="reaches far outside the calendar"):
        bulk.add_working_days(s, 10**30)
    for na in (pd.array([1, None], dtype="Int64"), pd.Series([1, None], dtype="Int64")):
        with pytest.raises(NotAColumnError, match="row 1 has no count") as caught:
            bulk.add_working_days(s, na)
        assert caught.value.row == 1
    # Small unsigned counts are counts: 45 working days from Fri 8 Mar 2024 is Wed 15 May.
    assert bulk.add_working_days(s[:1], np.array([45], dtype=np.uint8)).tolist() == [
        dt.date(2024, 5, 15)
    ]


def test_columns_that_are_not_columns_of_days_are_refused() -> None:
    from safeguard_time.errors import NotAColumnError  # noqa: PLC0415

    with pytest.raises(NotAColumnError, match="a mapping is not a column"):
        bulk.assess("assessment", {"a": dt.date(2024, 3, 8)})
    for unit in ("M", "Y", "W"):
        months = np.array(["2024-03-01"], dtype="datetime64[D]").astype(f"datetime64[{unit}]")
        with pytest.raises(NotAColumnError, match=f"datetime64\\[{unit}\\] column holds"):
            bulk.deadlines("assessment", months)
