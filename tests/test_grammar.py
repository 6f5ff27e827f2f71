"""The one date grammar: every form accepted (dates worked out by hand), every form refused
with its reason, and every reader of the library agreeing with it cell for cell.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import safeguard_time
from safeguard_time import (
    ParsedDates,
    deadline,
    england_and_wales,
    london_date,
    parse_date,
    parse_dates,
)
from safeguard_time.errors import (
    InvalidOptionError,
    MissingDateError,
    NotADateError,
    UnreadableColumnWarning,
)
from safeguard_time.excel import date_to_serial, serial_to_date

from .strategies import date_text_cells

D = dt.date
UTC = dt.UTC

# Each date below is worked out by hand from the text, not by running the code.
ACCEPTED = [
    # ISO, year first; one- or two-digit month and day; '-', '/' or '.' used twice
    ("2024-03-05", D(2024, 3, 5)),
    ("2024/03/05", D(2024, 3, 5)),
    ("2024.03.05", D(2024, 3, 5)),
    ("2024-3-5", D(2024, 3, 5)),
    ("2024-12-31", D(2024, 12, 31)),
    ("2024-02-29", D(2024, 2, 29)),  # 2024 is a leap year
    # ISO datetimes, naive: London wall time, so the date as written
    ("2024-03-05T14:30", D(2024, 3, 5)),
    ("2024-03-05 14:30:59", D(2024, 3, 5)),
    ("2024-03-05T23:59:59.999999", D(2024, 3, 5)),
    ("2024-03-05T23:59:59,5", D(2024, 3, 5)),
    # ISO datetimes with a zone: the London date of that instant
    ("2023-06-30T23:30:00Z", D(2023, 7, 1)),  # summer (BST, UTC+1): 00:30 on 1 July
    ("2023-12-30T23:30:00Z", D(2023, 12, 30)),  # winter (GMT, UTC+0): still 23:30 on the 30th
    ("2023-06-30T23:30Z", D(2023, 7, 1)),
    ("2023-06-30T22:59:59Z", D(2023, 6, 30)),  # 23:59:59 BST: the same day
    ("2023-07-01T00:30:00+01:00", D(2023, 7, 1)),
    ("2023-06-30T17:30:00-05:00", D(2023, 6, 30)),  # 22:30 UTC is 23:30 BST
    ("2023-06-30T18:30:00-05:00", D(2023, 7, 1)),  # 23:30 UTC is 00:30 BST
    ("2023-06-30T23:30:00+0000", D(2023, 7, 1)),
    ("2023-06-30T23:30:00+00", D(2023, 7, 1)),
    ("2024-03-31T00:59:00Z", D(2024, 3, 31)),  # 00:59 GMT, a minute before the clocks go on
    ("2024-03-31T23:30:00Z", D(2024, 4, 1)),  # the same night's end, now BST: 00:30 on 1 April
    ("2024-10-26T23:30:00Z", D(2024, 10, 27)),  # still BST that night: 00:30 on the 27th
    ("2024-10-27T23:30:00Z", D(2024, 10, 27)),  # GMT again after 27 October
    # UK day-first
    ("5/2/2024", D(2024, 2, 5)),  # 5 February, never May 2nd
    ("05/02/2024", D(2024, 2, 5)),
    ("05-02-2024", D(2024, 2, 5)),
    ("05.02.2024", D(2024, 2, 5)),
    ("25/2/2024", D(2024, 2, 25)),
    ("08/03/2024 17:45", D(2024, 3, 8)),  # a naive time after a UK date: London wall time
    ("08/03/2024 17:45:10", D(2024, 3, 8)),
    # day-first with a month name (English, any case, three letters or in full)
    ("5 Feb 2024", D(2024, 2, 5)),
    ("5-Feb-2024", D(2024, 2, 5)),
    ("05-Feb-2024", D(2024, 2, 5)),
    ("5 February 2024", D(2024, 2, 5)),
    ("5 FEBRUARY 2024", D(2024, 2, 5)),
    ("5 Sept 2024", D(2024, 9, 5)),
    ("5 Sep. 2024", D(2024, 9, 5)),
    ("5Feb2024", D(2024, 2, 5)),
    # ... with an ordinal, and an optional comma before the year
    ("8th March 2024", D(2024, 3, 8)),
    ("8th March, 2024", D(2024, 3, 8)),
    ("8 March, 2024", D(2024, 3, 8)),
    ("1st Feb 2024", D(2024, 2, 1)),
    ("2nd Feb 2024", D(2024, 2, 2)),
    ("3rd Feb 2024", D(2024, 2, 3)),
    ("11th Feb 2024", D(2024, 2, 11)),  # 11, 12 and 13 take "th"
    ("12th Feb 2024", D(2024, 2, 12)),
    ("13th Feb 2024", D(2024, 2, 13)),
    ("21st Feb 2024", D(2024, 2, 21)),
    ("22nd Feb 2024", D(2024, 2, 22)),
    ("23rd Feb 2024", D(2024, 2, 23)),
    ("31ST DEC 2024", D(2024, 12, 31)),
    # Excel serials, 1900 date system: serial 1 is 1900-01-01, serial 61 is 1900-03-01
    ("45359", D(2024, 3, 8)),  # 1899-12-30 + 45359 days
    ("45359.75", D(2024, 3, 8)),  # a fraction is the time of day
    ("+45359", D(2024, 3, 8)),
    ("1", D(1900, 1, 1)),
    ("59", D(1900, 2, 28)),
    ("61", D(1900, 3, 1)),  # serial 60 is Excel's 29 February 1900, which never was
    ("36526", D(2000, 1, 1)),  # 1899-12-30 + 36526 days
    # spaces round a cell are not part of it
    ("  2024-03-05 ", D(2024, 3, 5)),
    ("\t08/03/2024\n", D(2024, 3, 8)),
]

# (value, date system, date).  The 1904 system counts from 1904-01-01 = serial 0, so a
# serial is 1462 days later there than in the 1900 system: 45359 is 2024-03-08 + 1462
# days = 2028-03-09 (2024-03-08 to 2028-03-08 is 4 * 365 + 1 = 1461 days, with 29 Feb 2028).
SERIALS = [
    (45359, 1900, D(2024, 3, 8)),
    (45359, 1904, D(2028, 3, 9)),
    (43897, 1904, D(2024, 3, 8)),  # 45359 - 1462
    ("45359", 1904, D(2028, 3, 9)),  # serial text follows the date system too
    (45359.99, 1900, D(2024, 3, 8)),
    (np.int64(45359), 1900, D(2024, 3, 8)),
    (np.float64(45359.5), 1904, D(2028, 3, 9)),
    (0, 1904, D(1904, 1, 1)),
    (60, 1904, D(1904, 3, 1)),  # 31 days of January and 29 of February 1904
    (59, 1900, D(1900, 2, 28)),
    (61, 1900, D(1900, 3, 1)),
    (2958465, 1900, D(9999, 12, 31)),
    (2957003, 1904, D(9999, 12, 31)),  # 2958465 - 1462
]

REFUSED = [
    # impossible dates
    ("31/02/2024", "'31/02/2024' is not a date: February 2024 has 29 days, not 31"),
    ("29/02/2023", "February 2023 has 28 days, not 29"),
    ("2024-02-30", "February 2024 has 29 days, not 30"),
    ("31/04/2024", "April 2024 has 30 days, not 31"),
    ("2024-13-01", "there is no month 13 in '2024-13-01'"),
    ("25/25/2024", "there is no month 25 in '25/25/2024'"),
    ("0000-01-01", "there is no year 0"),
    ("31 Feb 2024", "February 2024 has 29 days, not 31"),
    # month-first
    ("03/25/2024", "month-first (US) date is not accepted, write 2024-03-25"),
    ("12/31/2024 10:00", "month-first (US) date is not accepted, write 2024-12-31"),
    ("March 5, 2024", "expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number"),
    ("March 8th 2024", "expected YYYY-MM-DD"),
    # two-digit years
    ("05/03/24", "'05/03/24' has a two-digit year: write the year in full (2024? 1924?)"),
    ("5/3/24", "two-digit year"),
    ("05-MAR-24", "two-digit year"),
    ("8th March 24", "two-digit year"),
    # a wrong ordinal
    ("8rd March 2024", "'8rd March 2024' is not a date: write 8th, not 8rd"),
    ("1th Feb 2024", "write 1st, not 1th"),
    ("11st Feb 2024", "write 11th, not 11st"),
    # serials
    ("60", "'60' is not a date: Excel serial 60 is 29 February 1900, which did not exist"),
    ("0", "Excel serial 0 is day 0 of January 1900"),
    ("-5", "'-5' is not a date: a negative number"),
    ("20240305", "too large for an Excel serial number; if it is YYYYMMDD, write it as 2024-03-05"),
    ("3000000", "too large for an Excel serial number"),
    # words and placeholders
    ("n/a", "'n/a' is not a date; leave the cell blank when there is no date"),
    ("N/A", "leave the cell blank"),
    ("unknown", "leave the cell blank"),
    ("TBC", "leave the cell blank"),
    ("-", "leave the cell blank"),
    ("soon", "'soon' is not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number"),
    ("5 Smarch 2024", "expected YYYY-MM-DD"),
    # times that are no times, zones where none may be
    ("2024-03-05T25:00", "expected YYYY-MM-DD"),
    ("2024-03-05T10:00+24:00", "expected YYYY-MM-DD"),
    ("2024-03-05X10:00", "expected YYYY-MM-DD"),
    ("05/03/2024T10:00", "expected YYYY-MM-DD"),  # UK dates take a space before the time
    ("05/03/2024 10:00Z", "expected YYYY-MM-DD"),  # ... and no zone
    ("\u0662\u0660\u0662\u0664-03-05", "expected YYYY-MM-DD"),  # Arabic-Indic digits
]


def _reason(value: Any, date_system: int = 1900) -> str:
    with pytest.raises(NotADateError) as info:
        parse_date(value, date_system=date_system)
    assert info.value.code == "not_a_date"
    assert info.value.value is value
    return str(info.value)


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected
    assert london_date(text) == expected
    got = parse_dates([text])
    assert got.days.tolist() == [expected]
    assert got.errors == ()


@pytest.mark.parametrize(("value", "system", "expected"), SERIALS)
def test_serials_in_both_date_systems(value: Any, system: int, expected: dt.date) -> None:
    assert parse_date(value, date_system=system) == expected
    assert parse_dates([value], date_system=system).days.tolist() == [expected]
    if not isinstance(value, str):
        assert serial_to_date(value, system) == expected
        assert date_to_serial(expected, system) == int(value)


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_refused_forms_say_why(text: str, reason: str) -> None:
    said = _reason(text)
    assert reason in said
    with pytest.raises(NotADateError) as info:
        london_date(text)
    assert str(info.value) == said
    got = parse_dates(["2024-03-05", text])
    assert got.days.tolist() == [D(2024, 3, 5), None]
    [err] = got.errors
    assert (err.row, err.value, err.reason, err.code) == (1, text, said, "not_a_date")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, "True is not a date: a true/false value"),
        (np.bool_(False), "False is not a date: a true/false value"),
        (60, "60 is not a date: Excel serial 60 is 29 February 1900, which did not exist"),
        (60.5, "60.5 is not a date: Excel serial 60 is 29 February 1900"),
        (0, "0 is not a date: Excel serial 0 is day 0 of January 1900"),
        (-0.5, "-0.5 is not a date: a negative number"),
        (float("inf"), "inf is not a date: not a finite number"),
        (
            20240305,
            "too large for an Excel serial number; if it is YYYYMMDD, write it as 2024-03-05",
        ),
        (10**30, "too large for an Excel serial number"),
        ([D(2024, 3, 8)], "is not a date: expected date text, a date, a datetime, a numpy"),
        (b"2024-03-08", "got bytes"),
        (np.datetime64("20000-01-01"), "outside the dates Python can hold"),
    ],
)
def test_values_that_are_not_dates_say_why(value: Any, reason: str) -> None:
    assert reason in _reason(value)


def test_date_like_values() -> None:
    assert parse_date(D(2024, 3, 8)) == D(2024, 3, 8)
    assert parse_date(dt.datetime(2024, 3, 8, 23, 59)) == D(2024, 3, 8)  # naive: wall time
    assert parse_date(dt.datetime(2023, 6, 30, 23, 30, tzinfo=UTC)) == D(2023, 7, 1)
    assert parse_date(dt.datetime(2023, 12, 30, 23, 30, tzinfo=UTC)) == D(2023, 12, 30)
    assert parse_date(np.datetime64("2024-03-08T23:59:59")) == D(2024, 3, 8)
    assert parse_date(np.datetime64("1969-12-31T12:00")) == D(1969, 12, 31)  # floored
    for missing in (None, "", "   ", float("nan"), np.float64("nan"), np.datetime64("NaT")):
        assert parse_date(missing) is None


def test_date_system_must_be_1900_or_1904() -> None:
    for bad in (1901, "1900", True):
        with pytest.raises(InvalidOptionError, match="date_system must be 1900 or 1904"):
            parse_date(45359, date_system=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError):
        parse_dates([45359], date_system=1901)


def test_serial_60_is_refused_only_in_the_1900_system() -> None:
    assert "which did not exist" in _reason(60)
    assert parse_date(60, date_system=1904) == D(1904, 3, 1)
    assert "day 0 of January 1900" in _reason(0)
    assert parse_date(0, date_system=1904) == D(1904, 1, 1)


def test_london_date_takes_text_and_date_likes_but_no_numbers() -> None:
    assert london_date("08/03/2024") == D(2024, 3, 8)
    assert london_date("45359") == D(2024, 3, 8)  # serial *text* is a form of the grammar
    for number in (45359, 45359.0, np.int64(45359)):
        with pytest.raises(NotADateError, match="expected date text, a date, a datetime"):
            london_date(number)
    for missing in (None, "", "  ", np.datetime64("NaT")):
        with pytest.raises(MissingDateError, match="missing date where a date is required"):
            london_date(missing)
    with pytest.raises(NotADateError, match="leave the cell blank"):
        london_date("n/a")


def test_deadline_and_calendar_take_text() -> None:
    # Fri 8 March 2024 + 45 working days, Good Friday and Easter Monday skipped: 15 May
    assert deadline("assessment", "2024-03-08").due == D(2024, 5, 15)
    assert deadline("assessment", "8th March 2024").start == D(2024, 3, 8)
    # Fri 16 September 2022 + 1 working day: Mon 19th was the Queen's state funeral
    assert england_and_wales().add_working_days("16/09/2022", 1) == D(2022, 9, 20)
    with pytest.raises(NotADateError, match="two-digit year"):
        deadline("assessment", "08/03/24")


def test_one_serial_conversion_everywhere() -> None:
    # the spreadsheet functions' conversion is the grammar's
    from safeguard_time import _dates, excel  # noqa: PLC0415

    assert excel.serial_to_date(45359) == _dates.serial_to_date(45359) == parse_date(45359)
    with pytest.raises(NotADateError) as info:
        excel.serial_to_date(60)
    assert str(info.value) == _reason(60)


@given(st.integers(-5, 2_960_000), st.sampled_from([1900, 1904]))
@settings(max_examples=300)
def test_serial_conversion_round_trips(serial: int, system: int) -> None:
    try:
        day = parse_date(serial, date_system=system)
    except NotADateError:
        first, last = (1, 2958465) if system == 1900 else (0, 2957003)
        assert not first <= serial <= last or (system == 1900 and serial == 60)
        return
    assert day is not None
    assert date_to_serial(day, system) == serial
    assert parse_date(str(serial), date_system=system) == day
    assert parse_date(serial + 0.5, date_system=system) == day


# --- every column reader gives what parse_date gives, cell for cell ---------------------------


def _expected(cell: Any, system: int) -> tuple[dt.date | None, str | None]:
    try:
        return parse_date(cell, date_system=system), None
    except NotADateError as exc:
        return None, str(exc)


def _same_as_parse_date(got: ParsedDates, cells: list[Any], system: int, kind: str) -> None:
    assert len(got) == len(cells), kind
    errors = {e.row: e for e in got.errors}
    assert len(errors) == len(got.errors), kind
    for i, cell in enumerate(cells):
        day, reason = _expected(cell, system)
        assert got.days[i].item() == day, (kind, i, cell)
        if reason is None:
            assert i not in errors, (kind, i, cell)
        else:
            err = errors[i]
            assert (err.reason, err.code, err.value) == (reason, "not_a_date", cell), (kind, i)
            assert str(err.error()) == reason
            assert err.error().row == i


def _columns(cells: list[str | None]) -> dict[str, Any]:
    import pandas as pd  # noqa: PLC0415 - the test extra installs them; a missing one must fail
    import polars as pl  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    half = len(cells) // 2
    objects: Any = cells  # pandas-stubs do not describe lists holding None
    return {
        "list": cells,
        "tuple": tuple(cells),
        "arrow string": pa.array(cells, pa.string()),
        "arrow large_string": pa.array(cells, pa.large_string()),
        "arrow string_view": pa.array(cells, pa.string_view()),
        "arrow dictionary": pa.array(cells, pa.string()).dictionary_encode(),
        "arrow chunked": pa.chunked_array([cells[:half], cells[half:]], pa.string()),
        "pandas object": pd.Series(objects, dtype=object),
        "pandas string": pd.Series(objects, dtype="string"),
        "pandas string[python]": pd.Series(objects, dtype="string[python]"),
        "pandas arrow string": pd.Series(objects, dtype="large_string[pyarrow]"),
        "polars String": pl.Series(cells, dtype=pl.String),
        "numpy object": np.array(cells, dtype=object),
    }


@given(
    st.lists(st.one_of(date_text_cells, st.none()), min_size=1, max_size=40),
    st.sampled_from([1900, 1904]),
)
@settings(max_examples=300, deadline=None)
def test_parse_dates_is_parse_date_cell_for_cell(cells: list[str | None], system: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreadableColumnWarning)  # tested on its own below
        for kind, column in _columns(cells).items():
            _same_as_parse_date(parse_dates(column, date_system=system), cells, system, kind)
        # numpy str arrays hold no None, and drop trailing NULs: compare with what they hold
        texts = np.array([c or "" for c in cells])
        got = parse_dates(texts, date_system=system)
        _same_as_parse_date(got, texts.tolist(), system, "numpy str")


@given(
    st.lists(
        st.one_of(
            date_text_cells,
            st.none(),
            st.integers(-3, 3_000_000),
            st.floats(allow_nan=True, allow_infinity=True),
            st.dates(),
            st.datetimes(timezones=st.sampled_from([None, UTC])),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([1900, 1904]),
)
@settings(max_examples=150, deadline=None)
def test_parse_dates_of_mixed_cells_is_parse_date(cells: list[Any], system: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreadableColumnWarning)
        _same_as_parse_date(parse_dates(cells, date_system=system), cells, system, "mixed")


@given(
    st.lists(
        st.one_of(st.integers(-3, 3_000_000), st.floats(-10, 3e6), st.just(float("nan"))),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([1900, 1904]),
)
@settings(max_examples=100, deadline=None)
def test_numeric_columns_are_serials_cell_for_cell(cells: list[float], system: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreadableColumnWarning)
        floats = np.array(cells, dtype=np.float64)
        _same_as_parse_date(
            parse_dates(floats, date_system=system), floats.tolist(), system, "float"
        )
        whole = [int(c) for c in cells if not math.isnan(c)]
        if whole:
            ints = np.array(whole, dtype=np.int64)
            _same_as_parse_date(parse_dates(ints, date_system=system), whole, system, "int")


def test_date_columns_pass_through() -> None:
    import pandas as pd  # noqa: PLC0415 - the test extra installs them; a missing one must fail
    import polars as pl  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    days = [D(2024, 3, 8), None, D(2023, 7, 1)]
    aware = [
        dt.datetime(2024, 3, 8, 12, tzinfo=UTC),
        None,
        dt.datetime(2023, 6, 30, 23, 30, tzinfo=UTC),
    ]
    objects: Any = aware
    for column in (
        np.array(days, dtype="datetime64[D]"),
        np.array(["2024-03-08T23:59", "NaT", "2023-07-01T00:00"], dtype="datetime64[m]"),
        pa.array(days, pa.date32()),
        pa.array(aware, pa.timestamp("us", tz="UTC")),
        pd.Series(pd.to_datetime(objects, utc=True)),
        pl.Series(days, dtype=pl.Date),
    ):
        got = parse_dates(column)
        assert got.days.dtype == np.dtype("datetime64[D]")
        assert got.days.tolist() == days
        assert got.errors == ()


def test_columns_that_are_not_columns_raise() -> None:
    for scalar in ("2024-03-08", D(2024, 3, 8), 5):
        with pytest.raises(TypeError, match="for one value use parse_date"):
            parse_dates(scalar)
    with pytest.raises(ValueError, match="one-dimensional"):
        parse_dates(np.array([["2024-03-08"]]))


# --- a column that is no dates at all ---------------------------------------------------------


def test_a_column_with_no_date_warns_once_and_keeps_every_row() -> None:
    cells = ["n/a", "", "soon", None, "31/02/2024"]
    with pytest.warns(UnreadableColumnWarning) as record:
        got = parse_dates(cells)
    assert len(record) == 1
    message = str(record[0].message)
    assert "no cell of the column is a date" in message
    assert "all 3 cells that are not blank were refused" in message
    assert "YYYY-MM-DD" in message and "DD/MM/YYYY" in message and "8th March 2024" in message
    assert "Excel serial number" in message
    assert record[0].filename == __file__  # it points at the caller
    assert got.days.tolist() == [None] * 5
    assert [(e.row, e.value) for e in got.errors] == [(0, "n/a"), (2, "soon"), (4, "31/02/2024")]
    assert got.bad.tolist() == [0, 2, 4]
    assert got.missing.tolist() == [True] * 5


def test_no_warning_when_some_cell_is_a_date_or_every_cell_is_blank() -> None:
    import pyarrow as pa  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(parse_dates(["n/a", "2024-03-08"]).errors) == 1
        assert parse_dates(["", None, "  "]).errors == ()
        assert parse_dates([]).errors == ()
        assert parse_dates(pa.array(["n/a", "8th March 2024"])).bad.tolist() == [0]
    with pytest.warns(UnreadableColumnWarning):
        parse_dates(pa.array(["n/a", None, "TBC"]))


def test_public_names() -> None:
    for name in ("parse_date", "parse_dates", "ParsedDates", "DateRowError", "london_date"):
        assert name in safeguard_time.__all__
        assert getattr(safeguard_time, name) is not None
