"""Ofsted's Annex A: a workbook made here with the lists' published column headings.

Due dates are worked by hand from the bank-holiday lists in tests/data (comments beside each).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pytest

from safeguard_time.cli import main
from safeguard_time.io.workbook import ReaderMissing
from safeguard_time.returns import read_annex_a, read_returns, timeliness

D = dt.date
T = dt.datetime


def _sheet(
    book: openpyxl.Workbook, title: str, headings: list[str], rows: list[list[object]]
) -> None:
    sheet = book.create_sheet(title)
    sheet.append(
        [f"Annex A {title}"]
    )  # a title row above the headings, as councils' workbooks have
    sheet.append(["Child Unique ID", "Gender", *headings])
    for row in rows:
        sheet.append([row[0], "a) Male", *row[1:]])


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    _sheet(book, "List 3", ["Date of referral", "Referral NFA?"], [
        ["A1", T(2023, 1, 10), "b) No"],
        ["A1", T(2023, 3, 27), "b) No"],
    ])  # fmt: skip
    _sheet(book, "List 4", ["Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"], [
        ["A1", T(2023, 3, 28), T(2023, 6, 5)],
        ["A2", "26/01/2024", None],
    ])  # fmt: skip
    _sheet(book, "List 5", [
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
    ], [
        ["A3", T(2022, 9, 1), "b) No", T(2022, 9, 23)],
        ["A4", T(2023, 5, 2), "a) Yes", None],
        ["A5", "32/01/2024", "b) No", None],
    ])  # fmt: skip
    _sheet(book, "List 7", [
        "Child Protection Plan Start Date", "Date of latest review conference", "Child Protection Plan End Date",
    ], [
        ["A6", T(2023, 9, 26), None, None],
        ["A7", T(2022, 9, 23), T(2023, 12, 19), None],
    ])  # fmt: skip
    _sheet(book, "List 8", [
        "Date Started to be Looked After", "Date of Latest Statutory Review", "Date Ceased to be Looked After",
    ], [
        ["A8", T(2024, 3, 1), None, None],
        ["A9", T(2023, 1, 5), T(2023, 12, 1), None],
    ])  # fmt: skip
    path = tmp_path / "annex_a.xlsx"
    book.save(path)
    return path


def test_rows_are_the_hand_worked_ones(workbook: Path) -> None:
    table = timeliness(read_annex_a(workbook), as_of=D(2024, 3, 31))
    got = [(r.child_id, r.measure, r.start, r.end, r.due, r.elapsed, r.status) for r in table.rows]
    assert got == [
        # From the assessment's start, Tue 28 Mar 2023, 45 WD with Good Friday, Easter Monday,
        # 1 May, the coronation (8 May) and 29 May off: Tue 6 Jun; authorised Mon 5 Jun: 44.
        ("A1", "assessment_from_start", D(2023, 3, 28), D(2023, 6, 5), D(2023, 6, 6), 44, "met"),
        # From the latest referral on or before it, Mon 27 Mar: due Mon 5 Jun: met with 45.
        ("A1", "assessment", D(2023, 3, 27), D(2023, 6, 5), D(2023, 6, 5), 45, "met"),
        # From Fri 26 Jan 2024: due Tue 2 Apr (Good Friday 29 Mar, Easter Monday 1 Apr); open
        # as of Sun 31 Mar with 44 elapsed: in time.
        ("A2", "assessment_from_start", D(2024, 1, 26), None, D(2024, 4, 2), 44, "open_in_time"),
        # Thu 1 Sep 2022 + 15 WD, the state funeral (19 Sep) skipped: Fri 23 Sep; held then.
        ("A3", "initial_cp_conference", D(2022, 9, 1), D(2022, 9, 23), D(2022, 9, 23), 15, "met"),
        # The bad strategy-discussion date: an error row (its reason is in the problems).
        ("A5", "initial_cp_conference", None, None, None, None, "error"),
        # No review yet: the first was due 3 months after Tue 26 Sep 2023, Tue 26 Dec (Boxing
        # Day, the statutory date kept), so by 31 Mar 2024 it is overdue; 129 working days
        # elapsed (numpy busday_count over the tests/data lists agrees).
        ("A6", "first_cp_review", D(2023, 9, 26), None, D(2023, 12, 26), 129, "open_overdue"),
        # After the latest review (Tue 19 Dec 2023) the next is due within 6 months: Wed 19 Jun.
        ("A7", "cp_review", D(2023, 12, 19), None, D(2024, 6, 19), 69, "open_in_time"),
        # Looked after from Fri 1 Mar 2024: 20 WD, Good Friday and Easter Monday off: 4-8 Mar
        # (5), 11-15 (10), 18-22 (15), 25-28 (19), Tue 2 Apr (20). Open on Sun 31 Mar, 19
        # elapsed: in time.
        ("A8", "first_lac_review", D(2024, 3, 1), None, D(2024, 4, 2), 19, "open_in_time"),
    ]


def test_problems_name_sheet_and_cell(workbook: Path) -> None:
    table = timeliness(read_annex_a(workbook), as_of=D(2024, 3, 31))
    found = {
        (p.kind, p.code, p.child_id, p.place.split(": ", 1)[1], p.value) for p in table.problems
    }
    assert found == {
        ("finding", "no_referral_for_assessment", "A2", "sheet 'List 4', cell C4", "2024-01-26"),
        ("error", "not_a_date", "A5", "sheet 'List 5', cell C5", "32/01/2024"),
    }


def test_headings_not_sheet_names_decide(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["child unique id", "  strategy discussion initiating section 47 enquiry start date ",
                  "Date of Initial Child Protection Conference"])  # fmt: skip
    sheet.append(["B1", "01/11/2023", "22/11/2023"])
    path = tmp_path / "odd.xlsx"
    book.save(path)
    [row] = timeliness(read_annex_a(path), as_of=D(2024, 3, 31)).rows
    # Wed 1 Nov 2023 + 15 WD (no holidays) is Wed 22 Nov: met.
    assert (row.measure, row.due, row.status) == ("initial_cp_conference", D(2023, 11, 22), "met")


def test_a_workbook_with_no_lists_and_a_broken_one(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Name", "Age"])
    empty = tmp_path / "other.xlsx"
    book.save(empty)
    assert [p.code for p in read_annex_a(empty).problems] == ["no_annex_a_lists"]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert [p.code for p in read_annex_a(broken).problems] == ["unreadable_workbook"]


def test_the_command_reads_a_workbook(workbook: Path, tmp_path: Path) -> None:
    [data] = read_returns([workbook])
    assert data.kind == "annex_a"
    out = tmp_path / "out.csv"
    assert main(["returns", str(workbook), "--as-of", "2024-03-31", "-o", str(out), "-q"]) == 0
    assert len(out.read_text().splitlines()) == 1 + 8


def test_a_1904_workbook_with_serials_a_numeric_child_id_and_an_error_cell(
    tmp_path: Path,
) -> None:
    # Read by the scan's reader: a serial in the workbook's own date system, an id typed
    # as a number shown as Excel shows it, an error cell reported with its error.
    book = openpyxl.Workbook()
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["Child Unique ID", "Strategy discussion initiating Section 47 Enquiry Start Date",
                  "Date of Initial Child Protection Conference"])  # fmt: skip
    # 1 Nov 2023 is serial 45231 in the 1900 system, 45231 - 1462 in the 1904 one.
    sheet.append([12345, 45231 - 1462, T(2023, 11, 22)])
    sheet.append(["B2", T(2023, 11, 1), "#N/A"])
    assert sheet["C3"].data_type == "e"
    sheet.append(["B3", 99999999, None])  # a number, but no serial
    path = tmp_path / "mac.xlsx"
    book.save(path)
    data = read_annex_a(path)
    rows = timeliness(data, as_of=D(2024, 3, 31)).rows
    # Wed 1 Nov 2023 + 15 working days (no holidays) is Wed 22 Nov: met.
    assert [(r.child_id, r.measure, r.due, r.status) for r in rows if r.child_id == "12345"] == [
        ("12345", "initial_cp_conference", D(2023, 11, 22), "met")
    ]
    error_cell, number = data.problems
    assert (error_cell.code, error_cell.child_id, error_cell.value) == ("not_a_date", "B2", "#N/A")
    assert error_cell.place.endswith("sheet 'Sheet', cell C3")
    # The number as Excel shows it, in the value and in the reason.
    assert (number.code, number.child_id, number.value) == ("not_a_date", "B3", "99999999")
    assert number.reason.startswith("99999999 is not a date"), number.reason


def test_without_the_reader_the_install_is_named_not_the_workbook(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # as if not installed
    with pytest.raises(ReaderMissing, match=r"python-calamine.*'xlsx' extra"):
        read_annex_a(workbook)
