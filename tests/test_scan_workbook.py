"""``safeguard-time scan`` with Excel workbooks: a sheet in, a workbook out.

The workbooks are made here with openpyxl and xlsxwriter, with real date cells, serial
numbers, text dates, blanks, error cells, merged header cells, a 1904-system workbook and a
second sheet.  Expected values are worked by hand (see the comments).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pytest
import xlsxwriter  # type: ignore[import-untyped,import-not-found,unused-ignore]
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from safeguard_time._date_columns import parse_cell
from safeguard_time.cli import main
from safeguard_time.io import workbook
from safeguard_time.io.workbook import cell_place, column_letter
from tests import libreoffice
from tests.conftest import EXAMPLE, README_CHECK_ARGS

from .strategies import date_text_cells

CHECK = ["--check", "assessment=referral:completed"]
AS_OF = ["--as-of", "2024-06-03"]
D = dt.date
# The same formula payloads as the CSV neutralising tests (tests/test_scan_safety.py).
PAYLOADS = ["=1+1", "@SUM(A1)", "+cmd", '=HYPERLINK("http://x","y")', "-5", "plain"]


def _text(cell: Any, value: str) -> None:
    """Put ``value`` in an openpyxl cell as text, whatever it starts with."""
    cell.value = value
    cell.data_type = "s"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _scan(
    capsys: pytest.CaptureFixture[str], src: Path, out: Path, *args: str
) -> tuple[int, str, list[dict[str, str]]]:
    """Scan ``src`` into ``out`` (errors beside it); return the code, stderr and errors."""
    errors = out.with_name("errors.csv")
    code = main(["scan", str(src), "-o", str(out), "--errors", str(errors), *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err, _rows(errors) if errors.exists() else []


def _cases(path: Path, *, date1904: bool = False) -> Path:
    """A sheet "Cases" of one kind of cell per row, and a second sheet "Notes".

    Every referral is Friday 8 March 2024, whose assessment is due 45 working days later
    on Wednesday 15 May 2024 (Good Friday, Easter Monday and 6 May skipped).
    """
    wb = openpyxl.Workbook()
    if date1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    assert ws is not None
    ws.title = "Cases"
    ws.append(["id", "referral", "completed", "note"])
    serial = 45359 if not date1904 else 45359 - 1462  # 8 March 2024 in either system
    rows: list[list[Any]] = [
        ["date cells", D(2024, 3, 8), D(2024, 5, 15)],  # met on the day
        ["serial", serial, D(2024, 5, 16)],  # missed by one
        ["text", "08/03/2024", "2024-05-15"],  # met
        ["open", D(2024, 3, 8), None],  # open on 3 June: overdue
        ["error cell", D(2024, 3, 8), "#N/A"],  # not a date
        ["date-time", dt.datetime(2024, 3, 8, 16, 30), dt.datetime(2024, 5, 15, 9, 0)],  # met
        ["bad text", "31/02/2024", D(2024, 5, 15)],  # not a date
    ]
    for row in rows:
        ws.append(row)
    assert ws["C6"].data_type == "e"  # openpyxl writes "#N/A" as an error cell
    for r, value in enumerate(PAYLOADS[:3], start=2):
        _text(ws.cell(row=r, column=4), value)
    ws.append([])  # empty trailing rows are not rows
    ws.append([])
    ws["A12"].number_format = "0.00"  # a formatted empty cell, further down
    notes = wb.create_sheet("Notes")
    notes.append(["id", "referral", "completed"])
    notes.append(["n1", D(2024, 3, 8), D(2024, 5, 20)])
    wb.save(path)
    return path


WANT = {
    "date cells": ("2024-05-15", "met", "0"),
    "serial": ("2024-05-15", "missed", "1"),
    "text": ("2024-05-15", "met", "0"),
    # Open on Monday 3 June: 12 working days past 15 May (16-31 May less 27 May, then 3 June).
    "open": ("2024-05-15", "open_overdue", "12"),
    "error cell": ("2024-05-15", "error", ""),
    "date-time": ("2024-05-15", "met", "0"),
    "bad text": ("", "error", ""),
}


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_date_cells_serials_and_text_read_as_the_one_grammar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], date1904: bool
) -> None:
    src = _cases(tmp_path / "cases.xlsx", date1904=date1904)
    out = tmp_path / "out.csv"
    code, err, errors = _scan(capsys, src, out, *CHECK, *AS_OF, "--no-neutralise")
    assert code == 0, err
    rows = _rows(out)
    assert [r["id"] for r in rows] == list(WANT)  # the empty rows are not rows
    got = {
        r["id"]: (r["assessment_due"], r["assessment_status"], r["assessment_late"]) for r in rows
    }
    assert got == WANT
    # Input cells as the grammar reads them: a date cell as ISO text, a serial as its number.
    assert rows[0]["referral"] == "2024-03-08"
    assert rows[1]["referral"] == str(45359 if not date1904 else 43897)
    assert rows[5]["referral"] == "2024-03-08 16:30:00"
    assert rows[4]["completed"] == "#N/A"
    # Problems name the spreadsheet row and the cell as Excel shows it.
    assert [(e["line"], e["column"], e["value"], e["cell"]) for e in errors] == [
        ("6", "completed", "#N/A", "Cases!C6"),
        ("8", "referral", "31/02/2024", "Cases!B8"),
    ]
    with pytest.raises(ValueError, match="is not a date") as refused:
        parse_cell("#N/A")
    assert errors[0]["reason"] == str(refused.value)
    assert errors[1]["reason"] == "'31/02/2024' is not a date: February 2024 has 29 days, not 31"
    assert "scanned " + str(src) + ", sheet Cases" in err
    assert "rows read: 7" in err


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_a_column_of_numbers_is_serials_of_the_workbooks_system(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], date1904: bool
) -> None:
    path = tmp_path / "serials.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["id", "referral", "completed"])
    # 8 March and 15 May 2024: serials 45359 and 45427 (1900), 1462 fewer in 1904.
    shift = 1462 if date1904 else 0
    ws.write_row(1, 0, ["a", 45359 - shift, 45427 - shift])
    ws.write_row(2, 0, ["b", 45359 - shift, 45428.75 - shift])  # a fraction: the time of day
    wb.close()
    out = tmp_path / "out.csv"
    code, err, errors = _scan(capsys, path, out, *CHECK, *AS_OF)
    assert code == 0, err
    assert errors == []
    assert [(r["assessment_due"], r["assessment_status"]) for r in _rows(out)] == [
        ("2024-05-15", "met"),
        ("2024-05-15", "missed"),
    ]


def test_a_sheet_by_name_or_position_and_an_unknown_one_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _cases(tmp_path / "cases.xlsx")
    out = tmp_path / "out.csv"
    for sheet in ("Notes", "2"):
        code, err, _ = _scan(capsys, src, out, *CHECK, *AS_OF, "--sheet", sheet)
        assert code == 0, err
        # 8 March + 45 working days = 15 May; 20 May is 3 working days late.
        assert [(r["id"], r["assessment_status"], r["assessment_late"]) for r in _rows(out)] == [
            ("n1", "missed", "3")
        ]
    code, err, _ = _scan(capsys, src, out, *CHECK, "--sheet", "Summary")
    assert code == 2
    assert "no sheet 'Summary'; the sheets are: 1 'Cases', 2 'Notes'" in err
    code, err, _ = _scan(capsys, src, out, *CHECK, "--sheet", "3")
    assert code == 2
    assert "no sheet '3'" in err


def test_merged_cells_over_the_header_and_a_header_lower_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "titled.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Q1 cases")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.merge_range("A1:D1", "Assessments, quarter 1")  # a title over the table
    ws.write_row(2, 0, ["id", "referral", "completed"])  # the header is row 3
    ws.merge_range("C3:D3", "completed")  # a merged header cell: D3 is blank
    ws.write_string(3, 0, "a")
    ws.write_string(3, 3, "under the merged cell")
    ws.write_datetime(3, 1, dt.datetime(2024, 3, 8), date)
    ws.write_datetime(3, 2, dt.datetime(2024, 5, 15), date)
    # Row 5 is empty: not a row; row 6 is the next case.
    ws.write_string(5, 0, "b")
    ws.write_string(5, 1, "n/a")
    wb.close()
    out = tmp_path / "out.csv"
    code, err, errors = _scan(capsys, path, out, *CHECK, *AS_OF)
    assert code == 2
    assert "Q1 cases: row 1: no column 'referral'" in err  # the title is not a header
    code, err, errors = _scan(capsys, path, out, *CHECK, *AS_OF, "--header-row", "3")
    assert code == 0, err
    rows = _rows(out)
    assert list(rows[0])[:4] == ["id", "referral", "completed", ""]
    assert [(r["id"], r["assessment_status"]) for r in rows] == [("a", "met"), ("b", "error")]
    assert [(e["line"], e["cell"]) for e in errors] == [("6", "'Q1 cases'!B6")]
    code, err, _ = _scan(capsys, path, out, *CHECK, "--header-row", "9")
    assert code == 2
    assert "row 9 is empty: expected the column names there" in err


def test_a_table_away_from_a1_names_its_own_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "offset.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Cases")
    ws.write_row(2, 2, ["id", "referral", "completed"])  # C3:E3, columns A and B empty
    ws.write_row(3, 2, ["a", "08/03/2024", "2024-05-15"])
    ws.write_row(4, 2, ["b", "08/03/2024", "15/05/24"])
    ws.write_string(4, 6, "a note in G5, under no name")
    wb.close()
    out = tmp_path / "out.csv"
    code, err, errors = _scan(capsys, path, out, *CHECK, *AS_OF, "--header-row", "3")
    assert code == 0, err
    rows = _rows(out)
    assert list(rows[0])[:4] == ["id", "referral", "completed", ""]  # F is empty: no column
    assert rows[1][""] == "a note in G5, under no name"
    assert [(e["line"], e["cell"]) for e in errors] == [("5", "Cases!E5")]


def test_strict_names_the_first_bad_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _cases(tmp_path / "cases.xlsx")
    code, err, _ = _scan(capsys, src, tmp_path / "out.csv", *CHECK, *AS_OF, "--strict")
    assert code == 1
    assert "2 rows with errors (--strict); first: Cases!C6 (column completed):" in err


def _as_workbook(src: Path, path: Path) -> Path:
    """The CSV caseload as a workbook: dates that read as date cells or serial numbers.

    Each date cell the grammar reads becomes, in turn, a date cell, a serial number (1900
    system) or stays as its text; every other cell stays text.
    """
    with src.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    header, body = table[0], table[1:]
    dates = {"referral_date", "decision_date", "strategy_discussion", "icpc_date"}
    dates |= {h for h in header if h.endswith(("_completed", "_started"))}
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet("Caseload")
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, header)
    turn = 0
    for r, row in enumerate(body, start=1):
        for c, value in enumerate(row):
            day = None
            if header[c] in dates and value:
                try:
                    day = parse_cell(value)
                except ValueError:
                    day = None
            if isinstance(day, dt.date) and turn % 3 != 2:
                if turn % 3 == 0:
                    ws.write_datetime(r, c, dt.datetime(day.year, day.month, day.day), fmt)
                else:
                    ws.write_number(r, c, (day - D(1899, 12, 30)).days)
                turn += 1
            elif value:
                ws.write_string(r, c, value)
                turn += day is not None
    wb.close()
    return path


def test_the_same_caseload_as_csv_and_as_a_workbook_gives_the_same_statuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _as_workbook(EXAMPLE, tmp_path / "caseload.xlsx")
    as_csv, as_xlsx = tmp_path / "from_csv.csv", tmp_path / "from_xlsx.csv"
    args = ["-q", *README_CHECK_ARGS, "--as-of", "2025-03-31"]
    assert main(["scan", str(EXAMPLE), "-o", str(as_csv), *args]) == 0
    assert main(["scan", str(book), "-o", str(as_xlsx), *args]) == 0
    capsys.readouterr()
    a, b = _rows(as_csv), _rows(as_xlsx)
    assert len(a) == len(b) == 400
    added = [k for k in a[0] if k.endswith(("_due", "_status", "_late", "_elapsed", "_rule"))]
    assert [[r[k] for k in added] for r in a] == [[r[k] for k in added] for r in b]
    statuses = {r["assessment_status"] for r in a}
    assert {"met", "missed", "error"} <= statuses


def _scanned_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Path:
    src = _cases(tmp_path / "cases.xlsx")
    out = tmp_path / "scanned.xlsx"
    code, err, _ = _scan(capsys, src, out, *CHECK, *AS_OF, *args)
    assert code == 0, err
    return out


def test_the_workbook_written_has_date_cells_numbers_and_no_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _scanned_workbook(tmp_path, capsys)
    wb = openpyxl.load_workbook(out)
    ws = wb["Caseload"]
    header = [c.value for c in ws[1]]
    assert header == [
        "id",
        "referral",
        "completed",
        "note",
        *(f"assessment_{k}" for k in ("due", "elapsed", "status", "late", "rule")),
    ]
    col = {name: i for i, name in enumerate(header)}
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == 7
    first = rows[0]
    # Dates are date cells (the input's and the added ones), counts are numbers.
    assert first[col["referral"]].is_date
    assert first[col["referral"]].value == dt.datetime(2024, 3, 8)
    assert first[col["assessment_due"]].is_date
    assert first[col["assessment_due"]].value == dt.datetime(2024, 5, 15)
    assert rows[5][col["referral"]].value == dt.datetime(2024, 3, 8, 16, 30)
    assert rows[1][col["assessment_late"]].value == 1
    assert rows[1][col["assessment_elapsed"]].value == 46
    assert rows[3][col["assessment_status"]].value == "open_overdue"
    assert rows[3][col["completed"]].value is None  # a blank stays blank
    assert rows[6][col["assessment_due"]].value is None
    # Formula payloads are text cells, as given, with Excel's quote prefix.
    for r, payload in enumerate(PAYLOADS[:3]):
        cell = rows[r][col["note"]]
        assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", payload, True)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    # A frozen header, a filter over every column and row, fitted widths.
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{column_letter(len(header) - 1)}8"
    widths = {k: ws.column_dimensions[k].width for k in ("A", "I")}
    assert widths["A"] == pytest.approx(len("error cell") + 2, abs=1)
    assert widths["I"] == pytest.approx(len("assessment.wt2023") + 2, abs=1)
    # The status column stands out: missed red, open_overdue yellow, error grey.
    status = column_letter(col["assessment_status"])
    rules = {
        rule.formula[0]: rule.dxf.fill.bgColor.rgb
        for cf in ws.conditional_formatting
        if str(cf.sqref) == f"{status}2:{status}8"
        for rule in cf.rules
    }
    assert {k: v[-6:] for k, v in rules.items()} == {
        '"missed"': "FFC7CE",
        '"open_overdue"': "FFEB9C",
        '"error"': "D9D9D9",
    }


def test_formula_payloads_from_csv_are_text_in_the_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "cases.csv"
    lines = ["id,referral,completed"] + [
        '"' + p.replace('"', '""') + '",2024-03-08,2024-05-15' for p in PAYLOADS
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for flag, prefixed in (([], True), (["--no-neutralise"], False)):
        out = tmp_path / "out.xlsx"
        code, err, _ = _scan(capsys, src, out, *CHECK, *flag)
        assert code == 0, err
        ws = openpyxl.load_workbook(out)["Caseload"]
        cells = [row[0] for row in ws.iter_rows(min_row=2)]
        assert [c.value for c in cells] == PAYLOADS
        assert {c.data_type for c in cells} == {"s"}
        # The quote prefix goes on what a spreadsheet would run; "-5" and "plain" are not.
        assert [c.quotePrefix for c in cells] == [prefixed] * 4 + [False, False]


@pytest.mark.parametrize("name", ["out.xls", "out.xlsm", "out.ods", "OUT.XLSB"])
def test_an_output_the_scan_cannot_write_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    src = _cases(tmp_path / "cases.xlsx")
    out = tmp_path / name
    code, err, _ = _scan(capsys, src, out, *CHECK)
    assert code == 2
    assert "the scan writes .csv, .parquet or .xlsx" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.xlsx"]


def test_a_workbook_under_another_name_and_unread_formats_say_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _cases(tmp_path / "cases.xlsx")
    renamed = tmp_path / "cases.csv"
    shutil.copy(src, renamed)
    out = tmp_path / "out.csv"
    code, err, _ = _scan(capsys, renamed, out, *CHECK)
    assert code == 2
    assert (
        "not CSV but a zip file, perhaps an Excel workbook: name it .xlsx or give --format xlsx"
        in err
    )
    assert "--encoding" not in err
    code, err, _ = _scan(capsys, renamed, out, *CHECK, *AS_OF, "--format", "xlsx")
    assert code == 0, err
    assert len(_rows(out)) == 7
    old = tmp_path / "cases.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    code, err, _ = _scan(capsys, old, out, *CHECK)
    assert code == 2
    assert "this spreadsheet format is not read: save it as .xlsx" in err
    code, err, _ = _scan(capsys, tmp_path / "none.xlsx", out, *CHECK)
    assert code == 2
    assert "none.xlsx: cannot read: No such file or directory" in err
    code, err, _ = _scan(capsys, EXAMPLE, out, *CHECK, "--sheet", "1")
    assert code == 2
    assert "--sheet and --header-row are for Excel workbooks" in err


def test_cell_places_quote_sheet_names_as_excel_does() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 16383)] == [
        "A", "Z", "AA", "AZ", "BA", "XFD",
    ]  # fmt: skip
    assert cell_place("Sheet1", 3, 17) == "Sheet1!D17"
    assert cell_place("2024", 0, 1) == "'2024'!A1"
    assert cell_place("=cmd", 0, 1) == "'=cmd'!A1"


def test_no_partial_files_stay_after_a_failed_workbook_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _cases(tmp_path / "cases.xlsx")
    out = tmp_path / "scanned.xlsx"
    out.write_bytes(b"the old file")
    # A check of a column that is not there fails after the outputs are opened? No: before.
    code, err, _ = _scan(capsys, src, out, "--check", "assessment=referral:nowhere")
    assert code == 2
    assert "no column 'nowhere'" in err
    assert out.read_bytes() == b"the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.xlsx", "scanned.xlsx"]


@pytest.mark.external
def test_libreoffice_reads_date_cells_and_no_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "cases.csv"
    lines = ["id,referral,completed"] + [
        '"' + p.replace('"', '""') + '",2024-03-08,2024-05-16' for p in PAYLOADS
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "scanned.xlsx"
    code, err, _ = _scan(capsys, src, out, *CHECK)
    assert code == 0, err
    result = libreoffice.as_csv(out, tmp_path, checks="opens the scanned workbook")
    rows = _rows(result)
    # Text as given, never computed (=1+1 would show as 2, @SUM(A1) as a number or an error).
    assert [r["id"] for r in rows] == PAYLOADS
    for r in rows:
        # The due date is a date cell shown in its format; the counts are numbers.
        assert r["assessment_due"] == "2024-05-15"
        assert (r["assessment_elapsed"], r["assessment_status"]) == ("46", "missed")
    # The same workbook opened with openpyxl: the dates are date cells.
    ws = openpyxl.load_workbook(out)["Caseload"]
    assert ws["D2"].is_date
    assert ws["D2"].value == dt.datetime(2024, 5, 15)


def test_the_errors_report_as_a_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "cases.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Cases"
    ws.append(["id", "referral", "completed"])
    ws.append(["a", D(2024, 3, 8), D(2024, 5, 15)])
    ws.append(["b", D(2024, 3, 8), None])
    _text(ws["C3"], "=1+1")  # a formula payload as a bad date: listed, as text
    ws.append(["c", "n/a", D(2024, 5, 15)])
    wb.save(src)
    errors = tmp_path / "errors.xlsx"
    code = main(["scan", str(src), *CHECK, *AS_OF, "-o", str(tmp_path / "out.csv"), "--errors", str(errors)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    sheet = openpyxl.load_workbook(errors)["Errors"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["line", "column", "value", "reason", "check", "cell"]
    assert [r[0] for r in rows[1:]] == [3, 4]  # numbers: spreadsheet rows
    assert [(r[1], r[2], r[4], r[5]) for r in rows[1:]] == [
        ("completed", "=1+1", "assessment", "Cases!C3"),
        ("referral", "n/a", "assessment", "Cases!B4"),
    ]
    assert sheet["C2"].data_type == "s"
    assert sheet["C2"].quotePrefix
    assert sheet.freeze_panes == "A2"
    for name in ("errors.parquet", "errors.xls"):
        code = main(["scan", str(src), *CHECK, "-o", str(tmp_path / "o2.csv"), "--errors", str(tmp_path / name)])  # fmt: skip
        assert code == 2
        assert "the scan writes .csv or .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "o2.csv").exists()


def test_a_sheet_of_only_a_header_and_an_empty_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "empty.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "referral", "completed"])
    wb.create_sheet("Blank")
    wb.save(src)
    out = tmp_path / "out.xlsx"
    code, err, _ = _scan(capsys, src, out, *CHECK)
    assert code == 0, err
    assert "rows read: 0" in err
    sheet = openpyxl.load_workbook(out)["Caseload"]
    assert [c.value for c in sheet[1]][:3] == ["id", "referral", "completed"]
    assert sheet.max_row == 1
    code, err, _ = _scan(capsys, src, out, *CHECK, "--sheet", "Blank")
    assert code == 2
    assert "sheet Blank: row 1 is empty: expected the column names there" in err
    code = main(["scan", "-", "--format", "xlsx", *CHECK, "-o", str(out)])
    assert code == 2
    assert "--format xlsx cannot be read from standard input" in capsys.readouterr().err


def test_formula_cells_with_errors_are_reported_with_their_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "formulas.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["id", "referral", "completed"])
    for r, (ident, formula, cached) in enumerate(
        [("a", "=NA()", "#N/A"), ("b", "=A1/0", "#DIV/0!"), ("c", "=B4+68", 45427)], start=1
    ):
        ws.write_string(r, 0, ident)
        ws.write_datetime(r, 1, dt.datetime(2024, 3, 8), date)
        ws.write_formula(r, 2, formula, date, cached)
    wb.close()
    out = tmp_path / "out.csv"
    code, err, errors = _scan(capsys, path, out, *CHECK, *AS_OF)
    assert code == 0, err
    # A formula's cached value is the cell: an error is not a date, a number is a serial
    # (45427 is 15 May 2024 in the 1900 system).
    assert [(e["cell"], e["value"]) for e in errors] == [
        ("Sheet1!C2", "#N/A"),
        ("Sheet1!C3", "#DIV/0!"),
    ]
    assert [r["assessment_status"] for r in _rows(out)] == ["error", "error", "met"]


# --- drawn workbooks ------------------------------------------------------------------------

_cells = st.one_of(
    st.none(),  # blank
    st.dates(min_value=D(1899, 1, 1), max_value=D(2099, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2099, 12, 31)),
    st.integers(min_value=-(10**7), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.sampled_from(["#N/A", "#REF!", "#DIV/0!"]).map(lambda e: ("error", e)),
    st.sampled_from([*PAYLOADS, "\x00=1", "\t=1", "n/a", "", " ", "31/02/2024", "5/3/2024"]),
    date_text_cells,
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12),
)


def _put(sheet: Any, r: int, c: int, value: Any, formats: tuple[Any, Any]) -> None:
    if value is None:
        return
    if isinstance(value, tuple):  # an error cell: a formula whose cached value is the error
        sheet.write_formula(r, c, "=NA()", None, value[1])
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, dt.datetime):  # a date-time format: read as a date-time
        sheet.write_datetime(r, c, value, formats[1])
    elif isinstance(value, dt.date):  # a date format: read as a date
        sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), formats[0])
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    else:
        sheet.write_string(r, c, value)


@settings(
    max_examples=int(os.environ.get("SAFEGUARD_TIME_FUZZ_EXAMPLES", "40")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.tuples(_cells, _cells, _cells), min_size=0, max_size=25),
    empty=st.sets(st.integers(min_value=0, max_value=30), max_size=4),
    date1904=st.booleans(),
)
# Found by the test: calamine reads 1.797...e308 as infinite, which xlsxwriter would have
# written as the formula =1/0.
@example(rows=[(None, None, 1.7976931348623155e308)], empty=set(), date1904=False)
# A date and a date-time in one column (found by hand: Arrow's timestamps refused dates).
@example(
    rows=[(D(2024, 3, 8), None, None), (dt.datetime(2024, 3, 8, 9, 30), None, None)],
    empty=set(),
    date1904=False,
)
def test_drawn_workbooks_never_crash_and_lose_no_row(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[Any, Any, Any]],
    empty: set[int],
    date1904: bool,
) -> None:
    folder = tmp_path_factory.mktemp("drawn")
    path = folder / "drawn.xlsx"
    book = xlsxwriter.Workbook(str(path), {"date_1904": date1904, "strings_to_formulas": False})
    sheet = book.add_worksheet("Drawn")
    date = (
        book.add_format({"num_format": "dd/mm/yyyy"}),
        book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    )
    sheet.write_row(0, 0, ["id", "referral", "completed"])
    where: dict[str, int] = {}  # the spreadsheet row of each case
    r = 1
    for i, (a, b, c) in enumerate(rows):
        while r - 1 in empty:  # empty rows between cases: not rows
            r += 1
        ident = f"case {i}"
        sheet.write_string(r, 0, ident)
        _put(sheet, r, 1, a, date)
        _put(sheet, r, 2, b, date)
        _put(sheet, r, 3, c, date)  # a fourth column with no name
        where[ident] = r + 1
        r += 1
    book.close()
    out, errors = folder / "out.xlsx", folder / "errors.csv"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["scan", str(path), *CHECK, *AS_OF, "-o", str(out), "--errors", str(errors)])
    assert code in (0, 2), err.getvalue()
    assert "Traceback" not in err.getvalue()
    if code == 2:
        assert "not dates" in err.getvalue(), err.getvalue()  # a column of true/false only
        return
    written = openpyxl.load_workbook(out)["Caseload"]
    ids = [row[0].value for row in written.iter_rows(min_row=2)]
    assert ids == list(where)  # every case, in order; no empty row became one
    assert not any(c.data_type == "f" for row in written.iter_rows() for c in row)
    for e in _rows(errors):
        col = {"referral": "B", "completed": "C"}[e["column"]]
        assert e["cell"] == f"Drawn!{col}{e['line']}"
        assert int(e["line"]) in where.values()


# The cells as calamine hands them over: a blank is "", a number a float (or an int).
_read_cells = st.one_of(
    st.just(""),
    st.dates(min_value=D(1899, 1, 1), max_value=D(2099, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2099, 12, 31)),
    st.integers(min_value=-(10**7), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.sampled_from(["5/3/2024", "2024-03-05", "#N/A", "=1+1", " "]),
    st.text(max_size=6),
)


@given(cells=st.lists(_read_cells, max_size=40))
@example(cells=["", D(2024, 3, 5), "5/3/2024", "", D(2024, 3, 6)])  # the usual: dates and text
@example(cells=["", D(2024, 3, 5), 45356.0, ""])  # blanks with two kinds, no text
def test_a_column_mixing_kinds_is_each_cell_as_the_grammar_reads_it(cells: list[Any]) -> None:
    # The column is built by kind (Arrow reads the text cells with the others masked); the
    # second method is the one-cell formatter, cell by cell.
    [(facts, array)] = workbook._read_columns([[v] for v in cells], 1, chunk=len(cells) or 1)
    array, mixed = array.combine_chunks(), facts.kind == "mixed"
    present = [v for v in cells if v != ""]
    timed = any(isinstance(v, dt.datetime) and v.time() != dt.time() for v in present)
    got = [v for v in array.to_pylist() if v is not None]
    if mixed:
        assert array.to_pylist() == [workbook.cell_text(v) for v in cells]
    elif array.type == "string":
        assert array.to_pylist() == [v or None for v in cells]
    elif array.type == "date32[day]":  # dates, and date-times at midnight
        assert not timed
        assert got == [v.date() if isinstance(v, dt.datetime) else v for v in present]
    elif array.type == "timestamp[us]":  # date-times, one at least with a time of day
        assert timed
        assert got == [
            v if isinstance(v, dt.datetime) else dt.datetime(*v.timetuple()[:3]) for v in present
        ]
    elif array.type == "int64":  # numbers, all whole
        assert got == present
    else:
        assert str(array.type) in ("double", "bool")
        assert got == present
    assert array.null_count == len(cells) - len(present) or array.type == "string"


@given(
    rows=st.lists(st.lists(_read_cells, min_size=3, max_size=3), max_size=30),
    chunk=st.integers(min_value=1, max_value=7),
)
@example(  # dates, then a text date in a later chunk: the earlier chunks are read again
    rows=[[D(2024, 3, 5), "", 1.0], [D(2024, 3, 6), "", 2.0], ["7/3/2024", "", 2.5]], chunk=2
)
def test_a_sheet_read_in_chunks_gives_each_whole_columns_kind_and_cells(
    rows: list[list[Any]], chunk: int
) -> None:
    read = workbook._read_columns(rows, 3, chunk=chunk)
    for c, (facts, array) in enumerate(read):
        [(whole_facts, whole)] = workbook._read_columns(
            [[row[c]] for row in rows], 1, len(rows) or 1
        )
        mixed = whole_facts.kind == "mixed"
        whole = whole.combine_chunks()
        assert array.combine_chunks().equals(whole), (c, array, whole)
        assert (facts.kind == "mixed") == mixed
        assert facts.blank == all(row[c] == "" for row in rows)
