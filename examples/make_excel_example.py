"""Build examples/safeguard_time_example.xlsx: a small case list using the SGT_ functions.

Run ``python examples/make_excel_example.py`` (needs openpyxl).  The workbook holds formulas
only; they calculate once the functions are loaded through xlwings Lite or the classic
xlwings add-in (see docs/excel.md) and show ``#NAME?`` until then.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

OUT = Path(__file__).with_name("safeguard_time_example.xlsx")

CASES = [
    # case, timescale, start, completed (None = still open)
    ("C001", "assessment", dt.date(2024, 3, 8), dt.date(2024, 5, 15)),
    ("C002", "assessment", dt.date(2024, 3, 8), dt.date(2024, 5, 16)),
    ("C003", "initial_cp_conference", dt.date(2024, 1, 10), None),
    ("C004", "referral_decision", dt.date(2022, 9, 16), dt.date(2022, 9, 20)),
    ("C005", "initial_assessment", dt.date(2014, 2, 3), None),  # no rule then: #N/A cell
]


def build(path: Path = OUT) -> Path:
    """Write the example workbook to ``path`` and return it."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    ws["A1"], ws["B1"] = "As of", dt.date(2024, 5, 20)
    ws["B1"].number_format = "dd/mm/yyyy"
    headers = ["Case", "Timescale", "Start", "Completed", "Due", "Status", "Working days late"]
    headers.append("Explanation")
    ws.append([])
    ws.append(headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for i, (case, timescale, start, completed) in enumerate(CASES, start=4):
        ws.append(
            [
                case,
                timescale,
                start,
                completed,
                f"=SGT_DUE(B{i},C{i})",
                f"=SGT_STATUS(B{i},C{i},D{i},$B$1)",
                f"=SGT_LATE(B{i},C{i},D{i},$B$1)",
                f"=SGT_EXPLAIN(B{i},C{i})",
            ]
        )
        for col in "CDE":
            ws[f"{col}{i}"].number_format = "dd/mm/yyyy"

    calc = wb.create_sheet("Calendar")
    calc.append(["Excel's WORKDAY/NETWORKDAYS with the bank holidays built in"])
    calc.append(["Start", "Days", "SGT_WORKDAY", "End", "SGT_NETWORKDAYS"])
    pairs = [
        (dt.date(2022, 12, 23), 1, dt.date(2022, 12, 30)),
        (dt.date(2024, 3, 9), 0, dt.date(2024, 3, 11)),
        (dt.date(2024, 3, 9), -1, dt.date(2024, 3, 1)),
        (dt.date(2024, 3, 29), 1, dt.date(2024, 4, 5)),
    ]
    for i, (start, days, end) in enumerate(pairs, start=3):
        calc.append([start, days, f"=SGT_WORKDAY(A{i},B{i})", end, f"=SGT_NETWORKDAYS(A{i},D{i})"])
        for col in "ACD":
            calc[f"{col}{i}"].number_format = "dd/mm/yyyy"
    calc["G2"] = "Bank holidays 2024 (spills):"
    calc["G3"] = '=SGT_HOLIDAYS("2024-01-01","2024-12-31")'
    calc["A9"] = "Whole column at once (spills):"
    calc["A10"] = "=SGT_WORKDAY(A3:A6,45)"

    rules = wb.create_sheet("Rules")
    rules["A1"] = "Rules in force on:"
    rules["B1"] = dt.date(2024, 3, 8)
    rules["B1"].number_format = "dd/mm/yyyy"
    rules["A3"] = "=SGT_RULES(B1)"

    wb.save(path)
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
