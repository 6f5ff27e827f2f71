"""``safeguard_time.tables``: tables of every kind in, the same kind out, the scan's columns.

Expected values are worked by hand (the comments show how), compared with the scan's own
output for the same file, and with the scalar API.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.csv as pcsv  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard_time import deadline, parse_date
from safeguard_time.cli import main
from safeguard_time.errors import (
    InvalidOptionError,
    NotAColumnError,
    NotADateError,
    ProvisionalCalendarWarning,
    UnknownTimescaleError,
)
from safeguard_time.tables import Check, assess_table, output_schema, parse_checks
from tests.conftest import EXAMPLE, README_CHECKS
from tests.strategies import case_frames

CHECKS = list(README_CHECKS)
AS_OF = dt.date(2024, 6, 3)
ADDED = ("due", "elapsed", "status", "late", "rule")

# The hand-worked table of the scan's tests, as typed columns.
REFERRAL = [
    dt.date(2024, 3, 8),
    dt.date(2024, 3, 8),
    dt.date(2024, 3, 8),
    dt.date(2024, 5, 1),
    None,
    dt.date(2011, 6, 1),
    dt.date(2024, 3, 8),
    dt.date(2011, 6, 1),
]
COMPLETED = [
    dt.date(2024, 5, 15),
    dt.date(2024, 5, 16),
    None,
    None,
    None,
    None,
    dt.date(2024, 3, 1),
    dt.date(2011, 7, 1),
]
W23 = "assessment.wt2023"
EXPECTED = [
    # Fri 8 Mar 2024 + 45 working days (Good Friday, Easter Monday, 6 May skipped) = 15 May.
    (dt.date(2024, 5, 15), 45, "met", 0, W23),
    (dt.date(2024, 5, 15), 46, "missed", 1, W23),
    # Open on Mon 3 June: 57 working days so far, 12 past the due date.
    (dt.date(2024, 5, 15), 57, "open_overdue", 12, W23),
    # Wed 1 May + 45 = Fri 5 Jul; by 3 June 21 working days (6 and 27 May are holidays).
    (dt.date(2024, 7, 5), 21, "open_in_time", 0, W23),
    # Nothing to judge: no referral, no completion.
    (None, None, "not_applicable", None, None),
    # A 2011 referral had an initial assessment, not a single one ...
    (None, None, "not_applicable", None, None),
    # An end before the start is an error; the due date is still known.
    (dt.date(2024, 5, 15), None, "error", None, W23),
    # ... and with a single-assessment completion filled in it is an error.
    (None, None, "error", None, None),
]


def _hand_table() -> pa.Table:
    return pa.table(
        {
            "id": list("abcdefgh"),
            "referral": pa.array(REFERRAL, pa.date32()),
            "completed": pa.array(COMPLETED, pa.date32()),
        }
    )


def _rows_of(table: pa.Table, timescale: str) -> list[tuple[Any, ...]]:
    cols = [table.column(f"{timescale}_{k}").to_pylist() for k in ADDED]
    return list(zip(*cols, strict=True))


def test_hand_worked_arrow_table() -> None:
    got = assess_table(_hand_table(), "assessment=referral:completed", as_of=AS_OF)
    assert isinstance(got.table, pa.Table)
    assert _rows_of(got.table, "assessment") == EXPECTED
    assert got.table.column("id").to_pylist() == list("abcdefgh")
    assert got.table.schema.names[:3] == ["id", "referral", "completed"]
    assert [(e.row, e.column, e.value, e.code) for e in got.errors] == [
        (6, "completed", dt.date(2024, 3, 1), "end_before_start"),
        (7, "referral", dt.date(2011, 6, 1), "no_rule"),
    ]
    assert got.errors[0].reason == "end 2024-03-01 is before the start 2024-03-08"
    assert got.errors[1].checks == ("assessment",)
    assert got.error_mask.tolist() == [False] * 6 + [True, True]
    # The same answers as the one-case API, row by row.
    for start, end, row in zip(REFERRAL, COMPLETED, EXPECTED, strict=True):
        if row[2] in {"met", "missed", "open_in_time", "open_overdue"}:
            assert start is not None
            d = deadline("assessment", start)
            a = d.assess(end, as_of=AS_OF)
            assert (row[0], row[1], row[2], row[3]) == (d.due, a.elapsed, a.status.value, a.late)


def test_record_batch_in_record_batch_out_and_chunked_tables() -> None:
    table = _hand_table()
    batch = table.to_batches()[0]
    got = assess_table(batch, "assessment=referral:completed", as_of=AS_OF)
    assert isinstance(got.table, pa.RecordBatch)
    assert got.table.schema == output_schema(batch.schema, "assessment=referral:completed")
    # A table of several chunks (as read from a Parquet dataset) gives the same rows.
    chunked = pa.concat_tables([table.slice(0, 3), table.slice(3, 2), table.slice(5)])
    again = assess_table(chunked, "assessment=referral:completed", as_of=AS_OF)
    assert again.table.combine_chunks().equals(
        assess_table(table, "assessment=referral:completed", as_of=AS_OF).table
    )


def _scan_parquet(tmp_path: Path, source: Path) -> tuple[pa.Table, list[dict[str, str]]]:
    out, errors = tmp_path / "out.parquet", tmp_path / "errors.csv"
    args = ["scan", str(source), "-o", str(out), "--errors", str(errors)]
    for c in CHECKS:
        args += ["--check", c]
    assert main([*args, "--as-of", "2025-03-31"]) == 0
    with errors.open(encoding="utf-8", newline="") as fh:
        return pq.read_table(out), list(csv.DictReader(fh))


def test_the_scans_columns_and_problems_for_the_bundled_caseload(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bundled caseload (every date form, bad cells) gives what the scan writes."""
    scanned, problems = _scan_parquet(tmp_path, EXAMPLE)
    capsys.readouterr()
    text = pcsv.read_csv(
        EXAMPLE,
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(scanned.schema.names[:12], pa.string()),
            strings_can_be_null=False,
        ),
    )
    got = assess_table(text, CHECKS, as_of=dt.date(2025, 3, 31))
    assert got.table.schema == scanned.schema
    assert got.table.equals(scanned)
    # Problems: the scan's errors file holds the same cells and reasons, in the same order
    # (by line: some cells hold line breaks, so lines are not rows), the scan adding its
    # command-line hints by code after the engine's reason.
    assert len(got.errors) == len(problems) > 20
    line_of: dict[int, int] = {}
    for mine, theirs in zip(got.errors, problems, strict=True):
        assert line_of.setdefault(mine.row, int(theirs["line"])) == int(theirs["line"])
        assert (mine.column, " ".join(mine.checks)) == (theirs["column"], theirs["check"])
        assert theirs["reason"].startswith(mine.reason)
        assert theirs["value"] == ("" if mine.value is None else str(mine.value))
    assert int(got.error_mask.sum()) == len(set(got.errors.rows.tolist()))


def test_a_bad_cell_read_by_two_checks_is_one_problem() -> None:
    table = pa.table({"r": ["2024-03-08", "soon"], "d": ["2024-03-12", ""]})
    got = assess_table(table, ["referral_decision=r:d", "assessment=r"], as_of=dt.date(2024, 3, 20))
    assert [(e.row, e.column, e.value, e.code, e.checks) for e in got.errors] == [
        (1, "r", "soon", "not_a_date", ("referral_decision", "assessment")),
    ]
    assert got.table.column("assessment_status").to_pylist() == ["open_in_time", "error"]
    assert got.dates("r").tolist() == [dt.date(2024, 3, 8), None]


def test_error_column_holds_each_rows_reasons() -> None:
    table = pa.table({"r": ["n/a", "2024-03-08", "2024-03-08"], "d": ["", "", "2024-03-01"]})
    got = assess_table(table, "assessment=r:d", as_of=AS_OF, error_column="problems")
    assert got.table.column("problems").to_pylist() == [
        "r: 'n/a' is not a date; leave the cell blank when there is no date",
        None,
        "d: end 2024-03-01 is before the start 2024-03-08",
    ]
    assert got.table.schema == output_schema(
        table.schema, "assessment=r:d", error_column="problems"
    )


def test_pandas_keeps_index_order_and_has_nullable_types() -> None:
    frame = _hand_table().to_pandas()
    frame.index = pd.Index([7, 7, 3, 100, -1, 5, 5, 0], name="case")  # repeated, unsorted
    got = assess_table(frame, {"assessment": ("referral", "completed")}, as_of=AS_OF)
    out = got.table
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(frame.index)
    assert out.index.name == "case"
    assert out["id"].tolist() == list("abcdefgh")
    assert list(out.columns[:3]) == ["id", "referral", "completed"]
    assert out["assessment_due"].dtype == pd.ArrowDtype(pa.date32())
    assert out["assessment_elapsed"].dtype == pd.Int32Dtype()
    assert out["assessment_late"].dtype == pd.Int32Dtype()
    assert out["assessment_status"].dtype == pd.StringDtype("pyarrow")
    assert out["assessment_rule"].dtype == pd.StringDtype("pyarrow")
    back = pa.Table.from_pandas(out[[f"assessment_{k}" for k in ADDED]], preserve_index=False)
    assert _rows_of(back, "assessment") == EXPECTED
    # The input's own columns are untouched.
    pd.testing.assert_frame_equal(out[list(frame.columns)], frame)


def test_polars_in_polars_out() -> None:
    frame = pl.from_arrow(_hand_table())
    assert isinstance(frame, pl.DataFrame)
    out = assess_table(frame, "assessment=referral:completed", as_of=AS_OF).table
    assert isinstance(out, pl.DataFrame)
    assert out.schema["assessment_due"] == pl.Date
    assert out.schema["assessment_elapsed"] == pl.Int32
    assert out.schema["assessment_status"] == pl.String
    assert out["id"].to_list() == list("abcdefgh")
    assert _rows_of(out.to_arrow(), "assessment") == EXPECTED


def test_pandas_objects_of_several_kinds_are_read_one_by_one() -> None:
    # Dates, date text and a word in one object column: Arrow cannot type it, the bulk
    # reader reads each cell (text by the one grammar).
    frame = pd.DataFrame({"r": pd.Series([dt.date(2024, 3, 8), "08/03/2024", "soon", None])})
    got = assess_table(frame, "referral_decision=r", as_of=dt.date(2024, 3, 20))
    assert got.table["referral_decision_due"].tolist()[:2] == [dt.date(2024, 3, 11)] * 2
    assert [(e.row, e.value, e.code) for e in got.errors] == [(2, "soon", "not_a_date")]
    assert got.table["referral_decision_status"].tolist()[2:] == ["error", "not_applicable"]


def test_text_timestamps_and_serials_are_read_as_the_scan_reads_them() -> None:
    table = pa.table(
        {
            "text": ["2024-03-08", "8th March 2024", "2024-03-08T23:30:00Z"],
            "stamp": pa.array(
                [dt.datetime(2024, 3, 8, 23, 30, tzinfo=dt.UTC)] * 3, pa.timestamp("ms", "UTC")
            ),
            "serial": pa.array([45359, 45359, 45359], pa.int64()),  # Excel's 8 March 2024
            "cat": pa.array(["08/03/2024"] * 3).dictionary_encode(),
        }
    )
    checks = {
        "referral_decision": "text",
        "assessment": "stamp",
        "initial_cp_conference": "serial",
    }
    got = assess_table(table, checks, as_of=dt.date(2024, 3, 20))
    # 23:30 UTC in British Summer Time is 00:30 on the 9th; in March (GMT) it is the 8th.
    assert got.dates("text").tolist()[2] == dt.date(2024, 3, 8)
    assert got.dates("stamp").tolist() == [dt.date(2024, 3, 8)] * 3
    assert got.dates("serial").tolist() == [dt.date(2024, 3, 8)] * 3
    assert not got.errors
    cat = assess_table(table, "referral_decision=cat", as_of=dt.date(2024, 3, 20))
    assert cat.dates("cat").tolist() == [dt.date(2024, 3, 8)] * 3


def test_caller_errors_raise_before_any_work() -> None:
    table = pa.table({"referral": ["2024-03-08"], "flag": [True], "assessment_due": [None]})
    with pytest.raises(InvalidOptionError, match=r"no column 'referal'.*did you mean 'referral'"):
        assess_table(table, "referral_decision=referal")
    with pytest.raises(UnknownTimescaleError, match="did you mean 'assessment'"):
        assess_table(table, "asessment=referral")
    with pytest.raises(NotAColumnError, match="column 'flag' holds bool values, not dates"):
        assess_table(table, "referral_decision=flag")
    with pytest.raises(InvalidOptionError, match="already has a column 'assessment_due'"):
        assess_table(table, "assessment=referral")
    with pytest.raises(InvalidOptionError, match="checked twice"):
        parse_checks(["assessment=a", "assessment=b"])
    with pytest.raises(InvalidOptionError, match="at least one check"):
        parse_checks([])
    with pytest.raises(InvalidOptionError, match="expected TIMESCALE=START_COLUMN"):
        parse_checks("assessment")
    with pytest.raises(NotAColumnError, match="expected a table"):
        assess_table({"referral": ["2024-03-08"]}, "referral_decision=referral")
    with pytest.raises(InvalidOptionError, match="appears 2 times"):
        assess_table(
            pd.DataFrame([["2024-03-08", "2024-03-08"]], columns=["r", "r"]), "assessment=r"
        )
    # Engine options are checked by the engine: a bad convention names the choices.
    with pytest.raises(ValueError, match="convention"):
        assess_table(table, "referral_decision=referral", convention="sideways")


def test_check_values_and_mappings() -> None:
    assert parse_checks(Check("assessment", "r", "d")) == (Check("assessment", "r", "d"),)
    assert parse_checks({"assessment": ["r"]}) == (Check("assessment", "r"),)
    with pytest.raises(InvalidOptionError, match="a start column or a"):
        parse_checks({"assessment": ("r", "d", "e")})
    assert str(Check.parse("assessment = r")) == "assessment=r"


def test_one_provisional_warning_per_call() -> None:
    table = pa.table({"r": pa.array([dt.date(2030, 3, 8)] * 2, pa.date32())})
    with pytest.warns(ProvisionalCalendarWarning) as caught:
        assess_table(table, ["referral_decision=r", "assessment=r"], as_of=dt.date(2030, 3, 9))
    assert len(caught) == 1


def test_empty_tables_keep_their_types() -> None:
    table = _hand_table().slice(0, 0)
    got = assess_table(table, "assessment=referral:completed", as_of=AS_OF)
    assert got.table.num_rows == 0
    assert got.table.schema == output_schema(table.schema, "assessment=referral:completed")
    frame = assess_table(pd.DataFrame({"r": pd.Series([], dtype=object)}), "assessment=r").table
    assert frame["assessment_elapsed"].dtype == pd.Int32Dtype()


# A drawn start late in the verified years can have its due date in the projected ones: the
# warning says so, on both sides alike; this test compares the answers across kinds.
@pytest.mark.filterwarnings("ignore::safeguard_time.errors.ProvisionalCalendarWarning")
@settings(max_examples=40)
@given(case_frames(), st.sampled_from(["arrow", "pandas", "polars"]))
def test_every_kind_of_table_gives_the_arrow_answer(frame: pd.DataFrame, kind: str) -> None:
    """Drawn frames (dates, text, blanks, a drawn index): index, order and dtypes kept."""
    checks = ["assessment=start:end", "referral_decision=start"]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    expected = assess_table(table, checks, as_of=AS_OF)
    given_table: Any = {"arrow": table, "pandas": frame, "polars": pl.from_pandas(frame)}[kind]
    got = assess_table(given_table, checks, as_of=AS_OF)
    added = [n for c in parse_checks(checks) for n in c.output_names()]
    if kind == "pandas":
        assert got.table.index.equals(frame.index)
        assert list(got.table.dtypes[: len(frame.columns)]) == list(frame.dtypes)
        as_arrow = pa.Table.from_pandas(got.table[added], preserve_index=False)
    elif kind == "polars":
        as_arrow = got.table.select(added).to_arrow()
    else:
        as_arrow = got.table.select(added)
    for name in added:
        assert as_arrow.column(name).to_pylist() == expected.table.column(name).to_pylist()
    assert list(got.errors) == list(expected.errors)
    assert np.array_equal(got.error_mask, expected.error_mask)


# --- the problems, against a plain listing ------------------------------------------------

#: Checks sharing columns, so that one cell's problem can be met by several checks.
SHARED_CHECKS = (
    "initial_assessment=a:b",
    "assessment=a:b",
    "core_assessment=c:b",
    "referral_decision=a",
)

#: Cells of every kind a problem can come from: dates across the editions (no rule in
#: force), blanks, refused text, impossible dates, dates outside the calendar.
problem_cells = st.one_of(
    st.dates(dt.date(2008, 1, 1), dt.date(2025, 12, 31)).map(lambda d: d.isoformat()),
    st.dates(dt.date(2008, 1, 1), dt.date(2025, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["", "", "n/a", "2024-02-30", "05/03/24", "1899-01-01", "2200-01-01"]),
)


def _listed_plainly(table: pa.Table, checks: Any, got: Any) -> list[tuple[Any, ...]]:
    """The problems worked out one cell and one error at a time (no shared reasons).

    A cell the one-case grammar refuses is a problem of every check reading its column;
    every other error row of each check (read one by one) is placed at its column; one
    problem per row, column and reason, naming the checks that met it; in row, then
    column order, then as first met.
    """
    parsed = parse_checks(checks)
    names = table.column_names
    found: dict[tuple[int, str, str], tuple[str, list[str]]] = {}
    for col in dict.fromkeys(c for ch in parsed for c in (ch.start, ch.end) if c):
        users = [ch.timescale for ch in parsed if col in (ch.start, ch.end)]
        for row, cell in enumerate(table.column(col).to_pylist()):
            try:
                parse_date(cell)
            except NotADateError as exc:
                found.setdefault((row, col, str(exc)), ("not_a_date", list(users)))
    for ch in parsed:
        errors = got.results[ch.timescale].errors
        for j in range(len(errors)):
            e = errors[j]
            if e.code == "not_a_date":
                continue
            at_start = e.column == "start" or e.code == "as_of_before_start"
            col = ch.start if at_start else (ch.end or ch.start)
            _, met_by = found.setdefault((e.row, col, e.reason), (e.code, []))
            if ch.timescale not in met_by:
                met_by.append(ch.timescale)
    out = []
    for row, col, reason in sorted(found, key=lambda k: (k[0], names.index(k[1]))):
        code, met_by = found[row, col, reason]
        out.append((row, col, table.column(col)[row].as_py(), reason, code, tuple(met_by)))
    return out


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(problem_cells, problem_cells, problem_cells), max_size=30),
    st.one_of(st.none(), st.dates(dt.date(2010, 1, 1), dt.date(2026, 6, 30))),
)
def test_the_problems_are_those_listed_one_by_one(
    cells: list[tuple[str, str, str]], as_of: dt.date | None
) -> None:
    """Shared reasons described once, as columns: the same problems as a plain listing."""
    schema = pa.schema([(name, pa.string()) for name in "abc"])
    table = pa.table({name: [c[i] for c in cells] for i, name in enumerate("abc")}, schema=schema)
    got = assess_table(table, SHARED_CHECKS, as_of=as_of, error_column="why")
    expected = _listed_plainly(table, SHARED_CHECKS, got)
    assert [(e.row, e.column, e.value, e.reason, e.code, e.checks) for e in got.errors] == expected
    listed = got.errors.as_columns()
    assert [listed.record(j) for j in range(len(listed))] == list(got.errors)
    assert listed.rows.tolist() == [p[0] for p in expected]
    # Each reason and each set of checks is listed once.
    described = list(zip(listed.reason_column, listed.reason_text, listed.reason_code, strict=True))
    assert len(set(described)) == len(described)
    assert len(set(listed.check_sets)) == len(listed.check_sets)
    # The error column: each row's problems, joined.
    why: dict[int, list[str]] = {}
    for row, col, _, reason, _, _ in expected:
        why.setdefault(row, []).append(f"{col}: {reason}")
    assert got.table.column("why").to_pylist() == [
        "; ".join(why[r]) if r in why else None for r in range(len(cells))
    ]
