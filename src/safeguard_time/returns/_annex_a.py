"""Ofsted's Annex A: the lists of the inspection workbook, found by their column headings.

A sheet is a list when its heading row holds the list's headings (the sheet's name does not
matter): the referrals list (``Date of referral``), the assessments list (``Continuous
Assessment Start Date``, ``Continuous Assessment Date of Authorisation``), the section 47 list
(``Strategy discussion initiating Section 47 Enquiry Start Date``, ``Date of Initial Child
Protection Conference``), the child protection list (``Child Protection Plan Start Date``,
``Date of latest review conference``) and the children in care list (``Date Started to be
Looked After``, ``Date of Latest Statutory Review``).  The workbook is read by the scan's
reader (:class:`~safeguard_time.io.workbook.SheetReader`, python-calamine), imported when a
workbook is read: its cells, its 1900 or 1904 system and its error cells as the scan has them.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterator, Sequence

import attrs

from safeguard_time._dates import parse_date
from safeguard_time.errors import NotADateError
from safeguard_time.io.workbook import cell_text, column_letter
from safeguard_time.returns._model import Cell, Event, Problem, Refused, ReturnData

__all__ = ["ANNEX_A_LISTS", "read_annex_a"]

_CHILD = "child unique id"

#: The lists read, with the headings each needs (the headings of the current Annex A
#: guidance, which the 2020 version shares for these columns).
ANNEX_A_LISTS: dict[str, tuple[str, ...]] = {
    "referrals": ("Date of referral",),
    "assessments": (
        "Continuous Assessment Start Date",
        "Continuous Assessment Date of Authorisation",
    ),
    "section_47": (
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Date of Initial Child Protection Conference",
    ),
    "child_protection": ("Child Protection Plan Start Date", "Date of latest review conference"),
    "children_in_care": ("Date Started to be Looked After", "Date of Latest Statutory Review"),
}
_OPTIONAL = {
    "section_47": ("Was an Initial Child Protection Conference deemed unnecessary?",),
    "child_protection": ("Child Protection Plan End Date",),
    "children_in_care": ("Date Ceased to be Looked After",),
}
_HEADER_ROWS = 10


def _key(text: object) -> str:
    """A heading as compared: lower case, single spaces, no punctuation at the ends."""
    return re.sub(r"\s+", " ", str(text or "")).strip().strip("?:*").strip().lower()


def _is_child_id(key: str) -> bool:
    return key == _CHILD or ("child" in key and key.endswith("id"))


def _value(cell: object) -> object:
    """A cell as the lists read it: ``None`` for a blank, a whole number as an ``int``.

    The reader gives every number as a float; a whole one is written as Excel shows it
    (``45231``, not ``45231.0``) in the problems, as the scan does in a column of numbers.

    >>> _value(""), _value(45231.0), _value(1.5), _value("n/a")
    (None, 45231, 1.5, 'n/a')
    """
    if cell == "":
        return None
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 2**53:
        return int(cell)
    return cell


@attrs.frozen
class _Row:
    child: str
    cells: dict[str, tuple[object, str]]  # heading key -> (value, place)
    place: str


class _Book:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.lists: dict[str, list[_Row]] = {}
        self.date_system = 1900

    def problem(self, kind: str, code: str, child: str, place: str, value: str, why: str) -> None:
        self.problems.append(Problem(kind, code, child, place, value, why))  # type: ignore[arg-type]

    def read(self) -> None:
        from safeguard_time.io.scan import ScanError  # noqa: PLC0415
        from safeguard_time.io.workbook import ReaderMissing, SheetReader  # noqa: PLC0415

        try:
            reader = SheetReader(self.path)
        except ReaderMissing:
            raise  # the install's fault: no problem of the workbook's
        except ScanError as exc:
            self.problem(
                "error", "unreadable_workbook", "", self.path, "", f"not a workbook ({exc})"
            )
            return
        with reader:
            self.date_system = reader.date_system
            for title in reader.sheet_names:
                try:
                    grid = reader.cells(title)
                except ScanError as exc:  # a chart sheet, or a broken one
                    self.problem("error", "unreadable_workbook", "", self.path, "", str(exc))
                    continue
                self._sheet(title, [list(map(_value, row)) for row in grid])

    def _sheet(self, title: str, grid: Sequence[Sequence[object]]) -> None:
        rows = iter(grid)
        header: dict[str, int] | None = None
        for n, values in enumerate(rows, start=1):
            keys = {_key(v): i for i, v in enumerate(values) if v is not None}
            if any(_is_child_id(k) for k in keys):
                header = keys
                break
            if n >= _HEADER_ROWS:
                return
        if header is None:
            return
        kind = self._kind(header)
        if kind is None:
            return
        self.lists.setdefault(kind, [])
        for m, values in enumerate(rows, start=n + 1):
            self._row(title, kind, header, m, values)

    @staticmethod
    def _kind(header: dict[str, int]) -> str | None:
        for kind, needed in ANNEX_A_LISTS.items():
            if all(_key(h) in header for h in needed):
                return kind
        return None

    def _row(
        self, title: str, kind: str, header: dict[str, int], n: int, values: Sequence[object]
    ) -> None:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            return
        child_col = header.get(_CHILD)
        if child_col is None:
            child_col = next(i for k, i in header.items() if _is_child_id(k))
        child = (cell_text(values[child_col]) or "").strip() if child_col < len(values) else ""
        where = f"{self.path}: sheet {title!r}, row {n}"
        if not child:
            self.problem(
                "error",
                "missing_child_id",
                "",
                f"{self.path}: sheet {title!r}, cell {column_letter(child_col)}{n}",
                "",
                "no child id: the row is listed under its row number",
            )
        cells: dict[str, tuple[object, str]] = {}
        for heading in (*ANNEX_A_LISTS[kind], *_OPTIONAL.get(kind, ())):
            col = header.get(_key(heading))
            if col is None:
                continue
            value = values[col] if col < len(values) else None
            cells[_key(heading)] = (
                value,
                f"{self.path}: sheet {title!r}, cell {column_letter(col)}{n}",
            )
        self.lists[kind].append(_Row(child, cells, where))

    def date(self, row: _Row, heading: str) -> Cell:
        value, place = row.cells.get(_key(heading), (None, row.place))
        if isinstance(value, str) and not value.strip():
            return None
        try:
            day = parse_date(value, date_system=self.date_system)
        except NotADateError as exc:
            text = str(value)
            self.problem("error", "not_a_date", row.child, place, text, str(exc))
            return Refused(text, str(exc))
        return day

    def place(self, row: _Row, heading: str) -> str:
        return row.cells.get(_key(heading), (None, row.place))[1]

    def flag(self, row: _Row, heading: str) -> bool | None:
        value, _ = row.cells.get(_key(heading), (None, row.place))
        text = str(value or "").strip().lower()
        if text.startswith(("a)", "y")):
            return True
        if text.startswith(("b)", "n")):
            return False
        return None


def _events(book: _Book) -> Iterator[Event]:
    referrals: dict[str, list[_dt.date]] = {}
    for row in book.lists.get("referrals", []):
        day = book.date(row, "Date of referral")
        if isinstance(day, _dt.date):
            referrals.setdefault(row.child, []).append(day)
    for row in book.lists.get("assessments", []):
        start = book.date(row, "Continuous Assessment Start Date")
        done = book.date(row, "Continuous Assessment Date of Authorisation")
        start_place = book.place(row, "Continuous Assessment Start Date")
        end_place = book.place(row, "Continuous Assessment Date of Authorisation")
        yield Event(
            row.child, "assessment_from_start", start, done, row.place, start_place, end_place
        )
        if not isinstance(start, _dt.date):
            continue
        before = [d for d in referrals.get(row.child, []) if d <= start]
        if not before:
            book.problem(
                "finding", "no_referral_for_assessment", row.child, start_place, start.isoformat(),
                "no referral on or before the assessment's start in the referrals list: the "
                "assessment is not measured from a referral",
            )  # fmt: skip
            continue
        yield Event(row.child, "assessment", max(before), done, row.place, start_place, end_place)
    for row in book.lists.get("section_47", []):
        heading = "Strategy discussion initiating Section 47 Enquiry Start Date"
        if book.flag(row, "Was an Initial Child Protection Conference deemed unnecessary?"):
            book.date(row, heading)  # still read, so that a bad one is reported
            continue
        yield Event(
            row.child, "initial_cp_conference", book.date(row, heading),
            book.date(row, "Date of Initial Child Protection Conference"), row.place,
            book.place(row, heading), book.place(row, "Date of Initial Child Protection Conference"),
        )  # fmt: skip
    for kind, start_h, review_h, end_h, first, repeat in (
        ("child_protection", "Child Protection Plan Start Date", "Date of latest review conference",
         "Child Protection Plan End Date", "first_cp_review", "cp_review"),
        ("children_in_care", "Date Started to be Looked After", "Date of Latest Statutory Review",
         "Date Ceased to be Looked After", "first_lac_review", None),
    ):  # fmt: skip
        for row in book.lists.get(kind, []):
            start = book.date(row, start_h)
            latest = book.date(row, review_h)
            end = book.date(row, end_h)
            ended = end if isinstance(end, _dt.date) else None
            if isinstance(latest, _dt.date) and isinstance(start, _dt.date) and latest < start:
                book.problem(
                    "finding", "review_before_plan_start", row.child, book.place(row, review_h),
                    latest.isoformat(),
                    f"the latest review ({latest.isoformat()}) is before the start "
                    f"({start.isoformat()}): not measured",
                )  # fmt: skip
                continue
            if latest is None:
                yield Event(
                    row.child, first, start, None, row.place, book.place(row, start_h),
                    book.place(row, review_h), ended=ended,
                )  # fmt: skip
            elif isinstance(latest, _dt.date) and repeat is not None:
                # After any review conference the next is due within six months.
                yield Event(
                    row.child, repeat, latest, None, row.place, book.place(row, review_h),
                    book.place(row, review_h), ended=ended,
                )  # fmt: skip


def read_annex_a(path: str | os.PathLike[str]) -> ReturnData:
    """Read an Annex A workbook into the events to measure (python-calamine is imported here).

    From the assessments list: ``assessment_from_start`` for every assessment, and
    ``assessment`` from the child's latest referral (referrals list) on or before its start;
    from the section 47 list: ``initial_cp_conference`` unless a conference was deemed
    unnecessary; from the child protection list: the next review outstanding
    (``first_cp_review`` from the plan's start when no review is recorded, else
    ``cp_review`` from the latest review); from the children in care list: the first review
    outstanding when none is recorded.  Outstanding events are judged as of the caller's
    ``as_of``, or as of the day the plan or care ended.  Unreadable cells are in ``problems``
    with their sheet and cell.

    >>> import tempfile, pathlib, datetime as dt, openpyxl
    >>> book = openpyxl.Workbook()
    >>> sheet = book.active
    >>> sheet.append(["Child Unique ID", "Continuous Assessment Start Date",
    ...               "Continuous Assessment Date of Authorisation"])
    >>> sheet.append(["A1", dt.datetime(2024, 1, 26), "01/04/2024"])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "annex_a.xlsx")
    ...     book.save(p)
    ...     data = read_annex_a(p)
    >>> [(e.measure, e.start, e.end) for e in data.events]
    [('assessment_from_start', datetime.date(2024, 1, 26), datetime.date(2024, 4, 1))]
    """
    book = _Book(os.fspath(path))
    book.read()
    found = set(book.lists)
    if not found and not book.problems:
        book.problem(
            "error", "no_annex_a_lists", "", book.path, "",
            "no sheet has the headings of an Annex A list this reader uses",
        )  # fmt: skip
    events = tuple(_events(book))
    return ReturnData("annex_a", (book.path,), None, events, tuple(book.problems))
