"""The example workbook: its formulas carry cached values, the library's own answers."""

from __future__ import annotations

import datetime as dt
import importlib.util
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl  # type: ignore[import-untyped,import-not-found,unused-ignore]

from safeguard_time import excel

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WORKBOOK = EXAMPLES / "safeguard_time_example.xlsx"


def _maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_excel_example", EXAMPLES / "make_excel_example.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _day(value: Any) -> Any:
    """A cell as the SGT_ functions return it: openpyxl's midnight datetimes as dates."""
    if isinstance(value, dt.datetime):
        return value.date()
    return "" if value is None else value


def _cached(path: Path) -> dict[tuple[str, str], Any]:
    """Every formula cell's cached value, by (sheet, cell)."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in formulas:
        for row in ws.iter_rows():
            for cell in row:
                text = getattr(cell.value, "text", cell.value)
                if isinstance(text, str) and text.startswith("="):
                    out[ws.title, cell.coordinate] = _day(values[ws.title][cell.coordinate].value)
    return out


def test_cases_show_the_library_answers_without_the_add_in() -> None:
    wb = openpyxl.load_workbook(WORKBOOK, data_only=True)
    ws = wb["Cases"]
    as_of = _day(ws["B1"].value)
    assert as_of == dt.date(2024, 5, 20)
    for i in range(4, 9):
        ts, start, done = ws[f"B{i}"].value, _day(ws[f"C{i}"].value), ws[f"D{i}"].value
        done = _day(done) if done is not None else None
        assert _day(ws[f"E{i}"].value) == excel.SGT_DUE(ts, start)
        assert _day(ws[f"F{i}"].value) == excel.SGT_STATUS(ts, start, done, as_of)
        assert _day(ws[f"G{i}"].value) == excel.SGT_LATE(ts, start, done, as_of)
        assert _day(ws[f"H{i}"].value) == excel.SGT_EXPLAIN(ts, start)
    # By hand: Fri 8 Mar 2024 + 45 working days, Good Friday 29 Mar, Easter Monday 1 Apr and
    # May Day 6 May skipped, is Wed 15 May; done on the 16th is 1 working day late.
    assert [_day(ws[f"{c}4"].value) for c in "EFG"] == [dt.date(2024, 5, 15), "met", 0]
    assert [_day(ws[f"{c}5"].value) for c in "EFG"] == [dt.date(2024, 5, 15), "missed", 1]
    # Fri 16 Sep 2022 + 1 working day: Mon 19 Sep was the State Funeral, so Tue 20 Sep.
    assert _day(ws["E7"].value) == dt.date(2022, 9, 20)
    # Initial assessments had ended by 3 Feb 2014: no rule in force, an Excel error value.
    assert ws["E8"].value == "#N/A"
    assert ws["F8"].value == "not_applicable"


def test_calendar_and_spilled_ranges_are_cached() -> None:
    ws = openpyxl.load_workbook(WORKBOOK, data_only=True)["Calendar"]
    # By hand: Fri 23 Dec 2022 + 1: Mon 26 and Tue 27 Dec are Boxing Day and Christmas (in lieu).
    assert _day(ws["C3"].value) == dt.date(2022, 12, 28)
    assert ws["E3"].value == 4  # 23, 28, 29, 30 Dec
    assert _day(ws["C4"].value) == dt.date(2024, 3, 9)  # 0 days: the Saturday itself
    assert _day(ws["C5"].value) == dt.date(2024, 3, 8)
    # The 2024 bank holidays (tests/data lists them): eight, under a header row.
    assert ws["G3"].value == "date"
    days = [_day(ws[f"G{r}"].value) for r in range(4, 12)]
    assert days == [
        dt.date(2024, 1, 1), dt.date(2024, 3, 29), dt.date(2024, 4, 1), dt.date(2024, 5, 6),
        dt.date(2024, 5, 27), dt.date(2024, 8, 26), dt.date(2024, 12, 25), dt.date(2024, 12, 26),
    ]  # fmt: skip
    assert ws["G12"].value is None
    column = [[_day(ws[f"A{r}"].value)] for r in range(10, 14)]
    assert column == excel.SGT_WORKDAY([[_day(ws[f"A{r}"].value)] for r in range(3, 7)], 45)
    rules = openpyxl.load_workbook(WORKBOOK, data_only=True)["Rules"]
    table = excel.SGT_RULES(dt.date(2024, 3, 8))
    shown = [
        [_day(c) for c in row]
        for row in rules.iter_rows(
            min_row=3, max_row=2 + len(table), max_col=len(table[0]), values_only=True
        )
    ]
    assert shown == table


def test_the_shipped_workbook_is_what_the_script_makes_now(tmp_path: Path) -> None:
    fresh = _maker().build(tmp_path / "fresh.xlsx")
    shipped = _cached(WORKBOOK)
    assert shipped == _cached(fresh)
    assert ("Cases", "E4") in shipped and ("Rules", "A3") in shipped
    # Opening it does not ask for a full recalculation (which would show #NAME? everywhere).
    with zipfile.ZipFile(WORKBOOK) as z:
        assert "fullCalcOnLoad" not in z.read("xl/workbook.xml").decode()
