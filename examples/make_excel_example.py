"""Build examples/safeguard_time_example.xlsx: a small case list using the SGT_ functions.

Run ``python examples/make_excel_example.py`` (needs xlsxwriter: the ``examples`` extra).
Every formula cell is written with its cached value, worked out here by calling the same
``safeguard_time.excel`` function on the same cells, so the workbook shows its results when
opened without the functions loaded (Excel's Protected View, LibreOffice, the web viewers,
pandas and openpyxl read the saved values).  Once the functions are loaded through xlwings
Lite or the classic xlwings add-in (see docs/excel.md), Excel calculates them itself; a
recalculation without them gives ``#NAME?``.

Formulas that return more than one cell (``SGT_HOLIDAYS``, ``SGT_RULES``, a whole column)
are written as dynamic arrays: the first cell holds the formula, the cells it spills into hold
the cached values.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-not-found,import-untyped,unused-ignore]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-not-found,import-untyped,unused-ignore]

from safeguard_time import excel

OUT = Path(__file__).with_name("safeguard_time_example.xlsx")

AS_OF = dt.date(2024, 5, 20)
CASES = [
    # case, timescale, start, completed (None = still open)
    ("C001", "assessment", dt.date(2024, 3, 8), dt.date(2024, 5, 15)),
    ("C002", "assessment", dt.date(2024, 3, 8), dt.date(2024, 5, 16)),
    ("C003", "initial_cp_conference", dt.date(2024, 1, 10), None),
    ("C004", "referral_decision", dt.date(2022, 9, 16), dt.date(2022, 9, 20)),
    ("C005", "initial_assessment", dt.date(2014, 2, 3), None),  # no rule then: #N/A cell
]
PAIRS = [
    # start, days, end
    (dt.date(2022, 12, 23), 1, dt.date(2022, 12, 30)),
    (dt.date(2024, 3, 9), 0, dt.date(2024, 3, 11)),
    (dt.date(2024, 3, 9), -1, dt.date(2024, 3, 1)),
    (dt.date(2024, 3, 29), 1, dt.date(2024, 4, 5)),
]
RULES_ON = dt.date(2024, 3, 8)


class _Sheet:
    """A worksheet whose formula cells are written with the library's answers as cached values."""

    def __init__(self, ws: Worksheet, date_format: Any, bold: Any, blank: Any) -> None:
        self.ws = ws
        self.blank = blank
        self.date_format = date_format
        self.bold = bold

    def value(self, cell: str, value: Any) -> None:
        """A plain cell: a date (formatted dd/mm/yyyy), a number, text or nothing."""
        if value is None or value == "":
            return
        if isinstance(value, dt.date):
            self.ws.write_datetime(cell, dt.datetime.combine(value, dt.time()), self.date_format)
        else:
            self.ws.write(cell, value)

    def formula(self, cell: str, formula: str, result: Any) -> None:
        """``formula`` at ``cell``; ``result`` (a value or rows of values) is what it shows.

        One value is a plain formula (an error value is cached as one, so ``IFERROR`` sees
        it); a grid is a dynamic array spilling right and down from ``cell``, its other cells
        holding their values (blank where the function gives ``""``).
        """
        row, col = _cell(cell)
        if not isinstance(result, list):
            fmt = self.date_format if isinstance(result, dt.date) else None
            self.ws.write_formula(row, col, formula, fmt, _cached(result))
            return
        first = result[0][0]
        if isinstance(first, str) and first.startswith("#"):
            raise ValueError(f"{cell}: an array formula's first cell cannot cache {first}")
        fmt = self.date_format if isinstance(first, dt.date) else None
        last_row, last_col = row + len(result) - 1, col + len(result[0]) - 1
        self.ws.write_dynamic_array_formula(
            row, col, last_row, last_col, formula, fmt, _cached(first)
        )
        for i, values in enumerate(result):
            for j, value in enumerate(values):
                if (i, j) == (0, 0):
                    continue
                if value is None or value == "":  # over xlsxwriter's padding zero
                    self.ws.write_blank(row + i, col + j, None, self.blank)
                else:
                    self.value(_name(row + i, col + j), value)


def _cell(name: str) -> tuple[int, int]:
    from xlsxwriter.utility import (  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: PLC0415
        xl_cell_to_rowcol,
    )

    row, col = xl_cell_to_rowcol(name)
    return row, col


def _name(row: int, col: int) -> str:
    from xlsxwriter.utility import (  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: PLC0415
        xl_rowcol_to_cell,
    )

    name: str = xl_rowcol_to_cell(row, col)
    return name


def _cached(value: Any) -> Any:
    """A formula's cached value as the file stores it: a date as its 1900-system serial."""
    if isinstance(value, dt.date):
        return excel.date_to_serial(value)
    return "" if value is None else value


def _cases(sheet: _Sheet) -> None:
    ws = sheet.ws
    ws.write("A1", "As of")
    sheet.value("B1", AS_OF)
    headers = ["Case", "Timescale", "Start", "Completed", "Due", "Status", "Working days late"]
    headers.append("Explanation")
    ws.write_row("A3", headers, sheet.bold)
    for i, (case, timescale, start, completed) in enumerate(CASES, start=4):
        ws.write(f"A{i}", case)
        ws.write(f"B{i}", timescale)
        sheet.value(f"C{i}", start)
        sheet.value(f"D{i}", completed)
        answers: list[tuple[str, str, Callable[..., Any], tuple[Any, ...]]] = [
            ("E", f"=SGT_DUE(B{i},C{i})", excel.SGT_DUE, (timescale, start)),
            ("F", f"=SGT_STATUS(B{i},C{i},D{i},$B$1)", excel.SGT_STATUS,
             (timescale, start, completed, AS_OF)),
            ("G", f"=SGT_LATE(B{i},C{i},D{i},$B$1)", excel.SGT_LATE,
             (timescale, start, completed, AS_OF)),
            ("H", f"=SGT_EXPLAIN(B{i},C{i})", excel.SGT_EXPLAIN, (timescale, start)),
        ]  # fmt: skip
        for col, formula, function, args in answers:
            sheet.formula(f"{col}{i}", formula, function(*args))
    ws.set_column("B:B", 22)
    ws.set_column("C:G", 12)
    ws.set_column("H:H", 60)


def _calendar(sheet: _Sheet) -> None:
    ws = sheet.ws
    ws.write("A1", "Excel's WORKDAY/NETWORKDAYS with the bank holidays built in")
    ws.write_row("A2", ["Start", "Days", "SGT_WORKDAY", "End", "SGT_NETWORKDAYS"], sheet.bold)
    for i, (start, days, end) in enumerate(PAIRS, start=3):
        sheet.value(f"A{i}", start)
        ws.write(f"B{i}", days)
        sheet.formula(f"C{i}", f"=SGT_WORKDAY(A{i},B{i})", excel.SGT_WORKDAY(start, days))
        sheet.value(f"D{i}", end)
        sheet.formula(f"E{i}", f"=SGT_NETWORKDAYS(A{i},D{i})", excel.SGT_NETWORKDAYS(start, end))
    ws.write("G2", "Bank holidays 2024 (spills):")
    sheet.formula(
        "G3",
        '=SGT_HOLIDAYS("2024-01-01","2024-12-31")',
        excel.SGT_HOLIDAYS("2024-01-01", "2024-12-31"),
    )
    ws.write("A9", "Whole column at once (spills):")
    column = [[start] for start, _, _ in PAIRS]
    sheet.formula("A10", "=SGT_WORKDAY(A3:A6,45)", excel.SGT_WORKDAY(column, 45))
    ws.set_column("A:E", 14)
    ws.set_column("G:G", 14)
    ws.set_column("H:H", 30)


def _rules(sheet: _Sheet) -> None:
    sheet.ws.write("A1", "Rules in force on:")
    sheet.value("B1", RULES_ON)
    sheet.formula("A3", "=SGT_RULES(B1)", excel.SGT_RULES(RULES_ON))


def build(path: Path = OUT) -> Path:
    """Write the example workbook to ``path`` and return it."""
    wb = xlsxwriter.Workbook(str(path))
    # No full recalculation on opening: a viewer without the functions keeps the saved values
    # (xlsxwriter asks for one by default, which would show #NAME? everywhere).
    wb.calc_on_load = False
    date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
    bold = wb.add_format({"bold": True})
    blank = wb.add_format({})
    for name, fill in (("Cases", _cases), ("Calendar", _calendar), ("Rules", _rules)):
        fill(_Sheet(wb.add_worksheet(name), date_format, bold, blank))
    wb.close()
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
