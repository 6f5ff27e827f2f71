"""Date cells of caseload files: every form accepted, every form refused with its reason.

The whole-column reader (``parse_column``, byte arithmetic) must agree with the one-cell
reader (``parse_cell``) on every cell; hypothesis draws the cells from the forms seen in
case-management extracts, valid and broken.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard_time._date_columns import (
    NAT,
    cell_days,
    days_from_civil,
    london_days,
    parse_cell,
    parse_column,
    parse_columns,
)
from safeguard_time.errors import NotADateError

EPOCH = dt.date(1970, 1, 1)
LONDON = ZoneInfo("Europe/London")

ACCEPTED = [
    # ISO dates and datetimes
    ("2024-03-05", dt.date(2024, 3, 5)),
    ("2024-3-5", dt.date(2024, 3, 5)),
    ("2024/03/05", dt.date(2024, 3, 5)),
    ("2024-03-05T14:30", dt.date(2024, 3, 5)),
    ("2024-03-05 14:30:59", dt.date(2024, 3, 5)),
    ("2024-03-05T23:59:59.999999", dt.date(2024, 3, 5)),  # naive: London wall time
    # aware: converted to London first
    ("2023-06-30T23:30:00Z", dt.date(2023, 7, 1)),  # BST: 00:30 on 1 July in London
    ("2023-12-30T23:30:00Z", dt.date(2023, 12, 30)),  # GMT: still 30 December
    ("2023-06-30T23:30Z", dt.date(2023, 7, 1)),
    ("2023-07-01T00:30:00+01:00", dt.date(2023, 7, 1)),
    ("2023-06-30T17:30:00-05:00", dt.date(2023, 6, 30)),  # 22:30 UTC, 23:30 BST
    ("2023-06-30T18:30:00-05:00", dt.date(2023, 7, 1)),  # 23:30 UTC, 00:30 BST
    ("2023-06-30T23:30:00.5+0000", dt.date(2023, 7, 1)),
    ("2024-03-31T00:59:00Z", dt.date(2024, 3, 31)),  # the spring-forward night
    ("2024-10-26T23:30:00Z", dt.date(2024, 10, 27)),  # still BST that night
    # UK day-first
    ("5/2/2024", dt.date(2024, 2, 5)),
    ("05/02/2024", dt.date(2024, 2, 5)),
    ("05-02-2024", dt.date(2024, 2, 5)),
    ("05.02.2024", dt.date(2024, 2, 5)),
    ("5/12/2024", dt.date(2024, 12, 5)),
    ("25/2/2024", dt.date(2024, 2, 25)),
    ("29/02/2024", dt.date(2024, 2, 29)),
    ("05/02/2024 17:45", dt.date(2024, 2, 5)),
    ("05/02/2024 17:45:10", dt.date(2024, 2, 5)),
    # day-first with a month name
    ("5 Feb 2024", dt.date(2024, 2, 5)),
    ("05-Feb-2024", dt.date(2024, 2, 5)),
    ("5 February 2024", dt.date(2024, 2, 5)),
    ("5 Sept 2024", dt.date(2024, 9, 5)),
    ("8th March 2024", dt.date(2024, 3, 8)),  # an ordinal, and a comma, may be written
    ("1st Feb, 2024", dt.date(2024, 2, 1)),
    ("8 March, 2024", dt.date(2024, 3, 8)),
    # Excel serial numbers, 1900 date system
    ("45356", dt.date(2024, 3, 5)),
    ("45356.75", dt.date(2024, 3, 5)),  # a fraction is a time of day
    ("1", dt.date(1900, 1, 1)),
    ("59", dt.date(1900, 2, 28)),
    ("61", dt.date(1900, 3, 1)),  # Excel counts a 29 February 1900 as serial 60
    ("36526", dt.date(2000, 1, 1)),
    # spaces round a cell are not part of it
    ("  2024-03-05 ", dt.date(2024, 3, 5)),
]

REFUSED = [
    ("31/02/2024", "February 2024 has 29 days, not 31"),
    ("29/02/2023", "February 2023 has 28 days, not 29"),
    ("2024-02-30", "February 2024 has 29 days, not 30"),
    ("31/04/2024", "April 2024 has 30 days, not 31"),
    ("2024-13-01", "there is no month 13"),
    ("03/25/2024", "month-first (US) date is not accepted, write 2024-03-25"),
    ("12/31/2024", "month-first (US) date is not accepted, write 2024-12-31"),
    ("25/25/2024", "there is no month 25 in '25/25/2024'"),
    ("05/03/24", "two-digit year: write the year in full (2024? 1924?)"),
    ("5/3/24", "two-digit year"),
    ("05-MAR-24", "two-digit year"),
    ("8th March 24", "two-digit year"),
    ("8rd March 2024", "write 8th, not 8rd"),
    ("n/a", "'n/a' is not a date; leave the cell blank when there is no date"),
    ("N/A", "leave the cell blank"),
    ("unknown", "leave the cell blank"),
    ("TBC", "leave the cell blank"),
    ("-", "leave the cell blank"),
    ("soon", "expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number"),
    ("March 5, 2024", "expected YYYY-MM-DD"),
    ("5 Smarch 2024", "expected YYYY-MM-DD"),
    ("60", "Excel serial 60 is 29 February 1900, which did not exist"),
    ("0", "Excel serial 0 is day 0 of January 1900"),
    ("-5", "a negative number"),
    ("20240305", "too large for an Excel serial number; if it is YYYYMMDD, write it as 2024-03-05"),
    ("0000-01-01", "there is no year 0"),
    ("2024-03-05T25:00", "expected YYYY-MM-DD"),
    ("2024-03-05T10:00+24:00", "expected YYYY-MM-DD"),
    ("2024-03-05X10:00", "expected YYYY-MM-DD"),
    ("05/03/2024T10:00", "expected YYYY-MM-DD"),  # UK dates take a space before the time
    ("05/03/2024 10:00Z", "expected YYYY-MM-DD"),  # ... and no time zone
    ("\u0662\u0660\u0662\u0664-03-05", "expected YYYY-MM-DD"),  # Arabic-Indic digits
    # the instant is a London date in year 10000 (or year 0): no Python date
    ("9999-12-31T23:30:00-05:00", "is outside the dates Python can hold"),
    ("9999-12-31 23:30:00.5-0500", "is outside the dates Python can hold"),
    ("0001-01-01T00:30+01:00", "is outside the dates Python can hold"),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_forms(text: str, expected: dt.date) -> None:
    assert parse_cell(text) == expected
    col = parse_column(pa.array([text]))
    assert col.days.tolist() == [(expected - EPOCH).days]
    assert col.bad.tolist() == []


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_refused_forms_say_why(text: str, reason: str) -> None:
    with pytest.raises(NotADateError) as info:
        parse_cell(text)
    assert reason in str(info.value)
    col = parse_column(pa.array(["2024-03-05", text]))
    assert col.days.tolist() == [19787, NAT]
    assert col.bad.tolist() == [1]
    assert col.reasons == [str(info.value)]


def test_blank_and_null_cells_are_missing_not_bad() -> None:
    assert parse_cell("") is None
    assert parse_cell("   ") is None
    col = parse_column(pa.array(["", "  ", None, "2024-03-05"]))
    assert col.missing.tolist() == [True, True, True, False]
    assert col.bad.tolist() == []


def test_column_types_and_slices() -> None:
    values = ["2024-03-05", "5/3/2024", "bad", "2023-06-30T23:30:00Z", ""] * 3
    want = [cell_days(v) for v in values]
    for arr in (
        pa.array(values, pa.string()),
        pa.array(values, pa.large_string()),
        pa.array(values).dictionary_encode(),
        pa.chunked_array([values[:7], values[7:]]),
    ):
        col = parse_column(arr)
        assert [d if d != NAT else None for d in col.days.tolist()] == [
            w if isinstance(w, int) and w != NAT else None for w in want
        ]
    # A slice of a bigger array starts part-way into its buffers.
    sliced = pa.array(["x", *values]).slice(1)
    assert parse_column(sliced).days.tolist() == parse_column(pa.array(values)).days.tolist()
    assert parse_column(pa.array([], pa.string())).days.tolist() == []


# --- the column reader agrees with the cell reader on every cell --------------------------

_digits = st.text("0123456789", min_size=1, max_size=4)
_year = st.one_of(st.integers(1900, 2100).map(str), _digits, st.just("0000"))
_month = st.one_of(st.integers(0, 13).map(str), st.integers(1, 12).map("{:02d}".format))
_day = st.one_of(st.integers(0, 32).map(str), st.integers(1, 31).map("{:02d}".format))
_sep = st.sampled_from("-/.")


@st.composite
def _date_text(draw: st.DrawFn) -> str:
    y, m, d, s = draw(_year), draw(_month), draw(_day), draw(_sep)
    s2 = draw(st.one_of(st.just(s), _sep))
    return draw(st.sampled_from([f"{y}{s}{m}{s2}{d}", f"{d}{s}{m}{s2}{y}"]))


@st.composite
def _datetime_text(draw: st.DrawFn) -> str:
    date = draw(_date_text())
    sep = draw(st.sampled_from(["T", " ", "x"]))
    hh = draw(st.one_of(st.integers(0, 25).map("{:02d}".format), _digits))
    mm = draw(st.integers(0, 61).map("{:02d}".format))
    ss = draw(st.sampled_from(["", ":00", ":59", ":60", ":30.25", ",5"]))
    zone = draw(st.sampled_from(["", "Z", "+01:00", "-05:30", "+0100", "+01", "+24:00", "z"]))
    return f"{date}{sep}{hh}:{mm}{ss}{zone}"


_cells = st.one_of(
    _date_text(),
    _datetime_text(),
    st.integers(-10, 3_000_000).map(str),
    st.integers(0, 99999).map("{:05d}".format),
    st.sampled_from(["", " ", "n/a", "5 Mar 2024", "05-MAR-24", "45356.5", "TBC", "8th Mar 2024"]),
    st.text(max_size=12),
)


@given(st.lists(_cells, min_size=1, max_size=60), st.sampled_from([1900, 1904]))
@settings(max_examples=300, deadline=None)
def test_column_reader_agrees_with_cell_reader(cells: list[str], system: int) -> None:
    col = parse_column(pa.array(cells), date_system=system)
    bad = dict(zip(col.bad.tolist(), col.reasons, strict=True))
    for i, text in enumerate(cells):
        want = cell_days(text, system)
        if isinstance(want, str):
            assert col.days[i] == NAT
            assert bad[i] == want
        else:
            assert col.days[i] == want, text
            assert i not in bad


@given(st.integers(-2208988800, 4102444800))  # 1900 to 2100
def test_london_days_match_zoneinfo(seconds: int) -> None:
    moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)
    want = (moment.astimezone(LONDON).date() - EPOCH).days
    assert london_days(np.array([seconds], dtype=np.int64)).tolist() == [want]


@given(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))
def test_days_from_civil_matches_ordinals(day: dt.date) -> None:
    got = days_from_civil(np.array([day.year]), np.array([day.month]), np.array([day.day]))
    assert got.tolist() == [day.toordinal() - EPOCH.toordinal()]


@given(st.lists(st.lists(_cells, max_size=30), min_size=1, max_size=4))
@settings(max_examples=200, deadline=None)
def test_columns_read_together_as_each_alone(columns: list[list[str]]) -> None:
    # parse_columns reads the columns as one; each answer must be the column's own.
    arrays = [pa.array(c, type=pa.string()) for c in columns]
    if len(arrays) > 1:
        arrays[-1] = arrays[-1].cast(pa.large_string())  # mixed offsets widths
    for together, array in zip(parse_columns(arrays), arrays, strict=True):
        alone = parse_column(array)
        assert together.days.tolist() == alone.days.tolist()
        assert together.bad.tolist() == alone.bad.tolist()
        assert together.reasons == alone.reasons


def test_long_column_read_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    from safeguard_time import _date_columns as cells  # noqa: PLC0415

    texts = ["2024-03-05", "n/a", "", "31/02/2024", "5/3/2024", None, "45356"] * 5
    whole = parse_column(pa.array(texts))
    monkeypatch.setattr(cells, "_CHUNK", 4)  # slices of 4 cells, across the bad ones
    sliced = parse_column(pa.array(texts))
    assert sliced.days.tolist() == whole.days.tolist()
    assert sliced.bad.tolist() == whole.bad.tolist()
    assert sliced.reasons == whole.reasons
    assert whole.bad.tolist()[:2] == [1, 3]
