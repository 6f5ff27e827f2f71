"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from hypothesis import strategies as st

from safeguard_time import Convention

#: Dates inside the verified horizon (no provisional warnings), away from the range edges.
verified_dates = st.dates(min_value=dt.date(1990, 3, 1), max_value=dt.date(2028, 10, 31))
#: Dates anywhere in the supported range, away from its edges.
any_dates = st.dates(min_value=dt.date(1990, 3, 1), max_value=dt.date(2099, 10, 31))
conventions = st.sampled_from(list(Convention))
#: Working-day counts that keep a verified start inside the verified horizon.
small_n = st.integers(min_value=-40, max_value=40)


# --- date cells: every form the date grammar accepts, and the ones it refuses ---------------

_years = st.one_of(
    st.integers(1899, 2100).map(str), st.sampled_from(["0000", "0001", "9999", "24", "124"])
)
_month_numbers = st.one_of(st.integers(0, 13).map(str), st.integers(1, 12).map("{:02d}".format))
_day_numbers = st.one_of(st.integers(0, 32).map(str), st.integers(1, 31).map("{:02d}".format))
_month_words = st.sampled_from(
    ["Jan", "January", "feb", "FEBRUARY", "Mar", "March", "Sep", "Sept", "Sept.", "Dec", "Smarch"]
)
_ordinals = st.sampled_from(["", "", "", "st", "nd", "rd", "th", "TH"])
_times = st.sampled_from(
    [
        *("T14:30", " 14:30:59", "T23:59:59.999999", " 17:45", "T23:30:00Z", "T23:30Z"),
        *("T00:30:00+01:00", "T18:30:00-05:00", "T23:30:00.5+0000", "T22:00+01", "T01:00-0130"),
        *("T25:00", "T10:61", "T10:00+24:00", "x10:00", "T10:00z", " 10:00Z"),
    ]
)
_fixed_cells = st.sampled_from(
    [
        *("", " ", "  2024-03-05 ", "n/a", "N/A", "unknown", "TBC", "-", "none", "soon"),
        *("2023-06-30T23:30:00Z", "2023-12-30T23:30:00Z", "2024-03-31T00:59:00Z"),
        *("2024-10-26T23:30:00Z", "08/03/2024 17:45", "5-Feb-2024", "8th March 2024"),
        *("1st Feb, 2024", "8 March, 2024", "March 8, 2024", "8rd March 2024", "8th March 24"),
        *("03/25/2024", "12/31/2024", "05/03/24", "05-MAR-24", "20240305", "0000-01-01"),
        *("\u0662\u0660\u0662\u0664-03-05", "45356", "45356.75", "60", "0", "-5", "+45356"),
        *("9999-12-31T23:30:00-05:00", "0001-01-01T00:30+01:00", "9999-12-31 23:30:00-0500"),
    ]
)


@st.composite
def _numeric_date_text(draw: st.DrawFn) -> str:
    """ISO (year first) or UK (day first) digits, separators matched or not, maybe a time."""
    y, m, d = draw(_years), draw(_month_numbers), draw(_day_numbers)
    sep = draw(st.sampled_from("-/."))
    sep2 = draw(st.one_of(st.just(sep), st.sampled_from("-/.")))
    text = draw(st.sampled_from([f"{y}{sep}{m}{sep2}{d}", f"{d}{sep}{m}{sep2}{y}"]))
    if draw(st.booleans()):
        text += draw(_times)
    return text


@st.composite
def _worded_date_text(draw: st.DrawFn) -> str:
    """A day, maybe an ordinal, a month name and a year, with the separators seen in files."""
    d, suffix, month = draw(_day_numbers), draw(_ordinals), draw(_month_words)
    sep = draw(st.sampled_from([" ", "-", "/", ""]))
    sep2 = draw(st.sampled_from([" ", "-", ", ", ""]))
    return f"{d}{suffix}{sep}{month}{sep2}{draw(_years)}"


_serial_text = st.one_of(
    st.integers(-10, 3_000_000).map(str),
    st.integers(0, 99999).map("{:05d}".format),
    st.floats(0, 100_000, allow_nan=False).map(lambda f: f"{f:.2f}"),
)

#: Text cells of every form the date grammar accepts, and of the forms it refuses.
date_text_cells = st.one_of(
    _numeric_date_text(),
    _worded_date_text(),
    _serial_text,
    _fixed_cells,
    st.text(max_size=12),
)


# --- tables of cases (safeguard_time.tables) -------------------------------------------------


@st.composite
def case_frames(draw: st.DrawFn) -> Any:
    """A pandas DataFrame of cases: ``start`` and ``end`` columns of one drawn kind each.

    Kinds: ``datetime.date`` objects, ``datetime64[ns]``, or date text (ISO or UK day-first,
    blanks and a refused word among them); the index is drawn too (offset, repeated, text).
    """
    import pandas as pd  # noqa: PLC0415 - only the table tests need pandas

    n = draw(st.integers(min_value=0, max_value=12))
    starts = draw(st.lists(st.one_of(st.none(), verified_dates), min_size=n, max_size=n))
    gaps = draw(st.lists(st.integers(min_value=-5, max_value=80), min_size=n, max_size=n))
    open_ = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    ends = [
        None if s is None or o else s + dt.timedelta(days=g)
        for s, g, o in zip(starts, gaps, open_, strict=True)
    ]

    def column(values: list[dt.date | None]) -> Any:
        kind = draw(st.sampled_from(["date", "datetime64", "text"]))
        if kind == "date":
            return pd.Series(values, dtype=object)
        if kind == "datetime64":
            return pd.Series(np.array(values, dtype="datetime64[ns]"))
        texts = []
        for v in values:
            form = draw(st.sampled_from(["iso", "uk", "blank", "word"]))
            if v is None or form == "blank":
                texts.append("")
            elif form == "word":
                texts.append("n/a")
            else:
                texts.append(v.isoformat() if form == "iso" else v.strftime("%d/%m/%Y"))
        return pd.Series(texts, dtype=object)

    index_kind = draw(st.sampled_from(["range", "repeated", "text"]))
    index: Any
    if index_kind == "range":
        index = pd.RangeIndex(100, 100 + n)
    elif index_kind == "repeated":
        index = pd.Index(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    else:
        index = pd.Index([f"case-{i}" for i in range(n)][::-1])
    frame = pd.DataFrame({"id": list(range(n)), "start": column(starts), "end": column(ends)})
    frame.index = index
    return frame
