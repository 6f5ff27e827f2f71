"""The Children in Need census (XML): children, episodes of need, and the events to measure.

The structure read is the DfE's (``Message/Header/CollectionDetails/ReferenceDate``; per
``Message/Children/Child``: ``ChildIdentifiers/LAchildID`` and its ``CINdetails``).  Each
date goes through the library's one grammar; a date the grammar refuses is reported with its
XML path and the child's id, and everything else in the file is still read.
"""

from __future__ import annotations

import datetime as _dt
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from safeguard_time.returns._model import Cell, Event, Problem, Refused, ReturnData, read_cell

__all__ = ["read_cin"]

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kids(elem: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in elem if _local(c.tag) == name]


class _Child:
    """Reads one ``Child`` element into events and problems."""

    def __init__(self, path: str, elem: ET.Element, n: int, reference: _dt.date | None) -> None:
        self.path = path
        self.base = f"/Message/Children/Child[{n}]"
        self.reference = reference
        self.events: list[Event] = []
        self.problems: list[Problem] = []
        ident = _kids(elem, "ChildIdentifiers")
        found = _kids(ident[0], "LAchildID") if ident else []
        self.child_id = (found[0].text or "").strip() if found else ""
        if not self.child_id:
            self._problem(
                "error",
                "missing_child_id",
                f"{self.base}/ChildIdentifiers/LAchildID",
                "",
                "no LAchildID: the child's events are listed under its position in the file",
            )
        for j, details in enumerate(_kids(elem, "CINdetails"), start=1):
            self._details(details, f"{self.base}/CINdetails[{j}]")

    def _place(self, xpath: str) -> str:
        return f"{self.path}:{xpath}"

    def _problem(self, kind: str, code: str, xpath: str, value: str, reason: str) -> None:
        assert kind in ("error", "finding")
        self.problems.append(
            Problem(kind, code, self.child_id, self._place(xpath), value, reason)  # type: ignore[arg-type]
        )

    def _text(self, elem: ET.Element, name: str, xpath: str) -> str | None:
        found = _kids(elem, name)
        if len(found) > 1:
            self._problem(
                "error",
                "repeated_element",
                f"{xpath}/{name}",
                "",
                f"{name} appears {len(found)} times; the first is used",
            )
        if not found:
            return None
        text = (found[0].text or "").strip()
        return text or None

    def _date(self, elem: ET.Element, name: str, xpath: str) -> Cell:
        cell = read_cell(self._text(elem, name, xpath))
        if isinstance(cell, Refused):
            self._problem("error", "not_a_date", f"{xpath}/{name}", cell.text, cell.reason)
        return cell

    def _flag(self, elem: ET.Element, name: str, xpath: str) -> bool | None:
        text = self._text(elem, name, xpath)
        if text is None:
            return None
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        self._problem(
            "error",
            "not_a_flag",
            f"{xpath}/{name}",
            text,
            f"{text!r} is not true, false, 1 or 0; the section 47 enquiry is measured as if "
            "a conference was required",
        )
        return None

    def _order(self, first: Cell, second: Cell, xpath: str, words: str) -> None:
        """A finding when ``second`` is before ``first`` (both read)."""
        if isinstance(first, _dt.date) and isinstance(second, _dt.date) and second < first:
            self._problem(
                "finding",
                "dates_out_of_order",
                xpath,
                f"{first.isoformat()} / {second.isoformat()}",
                f"{words} ({second.isoformat()} is before {first.isoformat()})",
            )

    def _event(self, measure: str, start: Cell, end: Cell, xpath: str, **kw: object) -> None:
        self.events.append(
            Event(
                self.child_id,
                measure,
                start,
                end,
                self._place(xpath),
                kw.pop("start_place"),  # type: ignore[arg-type]
                kw.pop("end_place"),  # type: ignore[arg-type]
                as_of=self.reference,
                **kw,  # type: ignore[arg-type]
            )
        )

    def _details(self, details: ET.Element, x: str) -> None:
        referral = self._date(details, "CINreferralDate", x)
        closure = self._date(details, "CINclosureDate", x)
        self._date(details, "DateOfInitialCPC", x)  # read, so that a bad one is reported
        self._order(
            referral, closure, f"{x}/CINclosureDate", "the episode closed before its referral"
        )
        self._assessments(details, x, referral)
        for m, s47 in enumerate(_kids(details, "Section47"), start=1):
            self._section47(s47, f"{x}/Section47[{m}]")
        for p, plan in enumerate(_kids(details, "ChildProtectionPlans"), start=1):
            self._plan(plan, f"{x}/ChildProtectionPlans[{p}]")

    def _assessments(self, details: ET.Element, x: str, referral: Cell) -> None:
        read = []
        for k, a in enumerate(_kids(details, "Assessments"), start=1):
            ax = f"{x}/Assessments[{k}]"
            start = self._date(a, "AssessmentActualStartDate", ax)
            done = self._date(a, "AssessmentAuthorisationDate", ax)
            self._order(
                referral, start, f"{ax}/AssessmentActualStartDate",
                "the assessment started before the referral",
            )  # fmt: skip
            self._event(
                "assessment_from_start", start, done, ax,
                start_place=self._place(f"{ax}/AssessmentActualStartDate"),
                end_place=self._place(f"{ax}/AssessmentAuthorisationDate"),
            )  # fmt: skip
            read.append((start, done, ax))
        if not read:
            return
        # The statutory reading: the episode's first assessment, from the point of referral.
        dated = [r for r in read if isinstance(r[0], _dt.date)]
        first = min(dated, key=lambda r: r[0]) if dated else read[0]  # type: ignore[arg-type,return-value]
        _, done, ax = first
        self._event(
            "assessment", referral, done, ax,
            start_place=self._place(f"{x}/CINreferralDate"),
            end_place=self._place(f"{ax}/AssessmentAuthorisationDate"),
        )  # fmt: skip

    def _section47(self, s47: ET.Element, sx: str) -> None:
        start = self._date(s47, "S47ActualStartDate", sx)
        target = self._date(s47, "InitialCPCtarget", sx)
        held = self._date(s47, "DateOfInitialCPC", sx)
        not_required = self._flag(s47, "ICPCnotRequired", sx)
        self._order(
            start,
            target,
            f"{sx}/InitialCPCtarget",
            "the conference target is before the enquiry started",
        )
        if not_required:
            return
        self._event(
            "initial_cp_conference", start, held, sx,
            start_place=self._place(f"{sx}/S47ActualStartDate"),
            end_place=self._place(f"{sx}/DateOfInitialCPC"),
            recorded_due=target if isinstance(target, _dt.date) else None,
            recorded_due_place=self._place(f"{sx}/InitialCPCtarget"),
        )  # fmt: skip

    def _plan(self, plan: ET.Element, px: str) -> None:
        start = self._date(plan, "CPPstartDate", px)
        end = self._date(plan, "CPPendDate", px)
        self._order(start, end, f"{px}/CPPendDate", "the plan ended before it started")
        reviews: list[tuple[_dt.date, str]] = []
        for r, group in enumerate(_kids(plan, "Reviews"), start=1):
            for q, elem in enumerate(_kids(group, "CPPreviewDate"), start=1):
                rx = f"{px}/Reviews[{r}]/CPPreviewDate[{q}]"
                cell = read_cell((elem.text or "").strip() or None)
                if isinstance(cell, Refused):
                    self._problem("error", "not_a_date", rx, cell.text, cell.reason)
                elif cell is None:
                    self._problem("error", "missing", rx, "", "an empty CPPreviewDate")
                elif isinstance(start, _dt.date) and cell < start:
                    self._problem(
                        "finding", "review_before_plan_start", rx, cell.isoformat(),
                        f"a review on {cell.isoformat()}, before the plan started on "
                        f"{start.isoformat()}: not measured",
                    )  # fmt: skip
                elif isinstance(end, _dt.date) and cell > end:
                    self._problem(
                        "finding", "review_after_plan_end", rx, cell.isoformat(),
                        f"a review on {cell.isoformat()}, after the plan ended on "
                        f"{end.isoformat()}: not measured",
                    )  # fmt: skip
                else:
                    reviews.append((cell, rx))
        reviews.sort(key=lambda r: r[0])
        ended = end if isinstance(end, _dt.date) else None
        previous: Cell = start
        previous_place = self._place(f"{px}/CPPstartDate")
        for i, (day, rx) in enumerate(reviews):
            self._event(
                "first_cp_review" if i == 0 else "cp_review", previous, day, px,
                start_place=previous_place, end_place=self._place(rx),
            )  # fmt: skip
            previous, previous_place = day, self._place(rx)
        # The next review: outstanding at the reference date, or when the plan ended.
        self._event(
            "cp_review" if reviews else "first_cp_review", previous, None, px,
            start_place=previous_place, end_place=self._place(f"{px}/Reviews"), ended=ended,
        )  # fmt: skip


def _iterate(path: str, problems: list[Problem]) -> Iterator[tuple[str, ET.Element]]:
    try:
        for _, elem in ET.iterparse(path, events=("end",)):
            yield _local(elem.tag), elem
    except ET.ParseError as exc:
        line, column = exc.position
        problems.append(
            Problem(
                "error",
                "unreadable_xml",
                "",
                f"{path}: line {line}, column {column + 1}",
                "",
                f"the file is not well-formed XML ({str(exc).split(': line')[0]}); the "
                "children before this point were read",
            )
        )


def read_cin(path: str | os.PathLike[str]) -> ReturnData:
    """Read a Children in Need census XML file into the events to measure.

    Per ``CINdetails`` episode: ``assessment`` from ``CINreferralDate`` to the first
    assessment's ``AssessmentAuthorisationDate`` (the statutory reading), and
    ``assessment_from_start`` for every assessment, from ``AssessmentActualStartDate`` (the
    census's own duration); per ``Section47``: ``initial_cp_conference`` from
    ``S47ActualStartDate`` to ``DateOfInitialCPC`` unless ``ICPCnotRequired``, with the
    recorded ``InitialCPCtarget``; per ``ChildProtectionPlans``: ``first_cp_review`` from
    ``CPPstartDate`` to the first ``CPPreviewDate``, ``cp_review`` between reviews, and the
    next review outstanding at the reference date (or at ``CPPendDate``).  Outstanding events
    are judged as of the header's ``ReferenceDate``.  Unreadable elements are in
    ``problems`` with their XML path; everything else is still read.

    >>> import tempfile, pathlib
    >>> xml = '''<Message><Header><CollectionDetails><ReferenceDate>2024-03-31</ReferenceDate>
    ... </CollectionDetails></Header><Children><Child>
    ... <ChildIdentifiers><LAchildID>A1</LAchildID></ChildIdentifiers>
    ... <CINdetails><CINreferralDate>2024-01-25</CINreferralDate>
    ... <Assessments><AssessmentActualStartDate>2024-01-26</AssessmentActualStartDate>
    ... <AssessmentAuthorisationDate>2024-04-01</AssessmentAuthorisationDate></Assessments>
    ... </CINdetails></Child></Children></Message>'''
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "cin.xml")
    ...     _ = p.write_text(xml)
    ...     data = read_cin(p)
    >>> data.reference_date, [(e.measure, e.start, e.end) for e in data.events]
    (datetime.date(2024, 3, 31), [('assessment_from_start', datetime.date(2024, 1, 26), datetime.date(2024, 4, 1)), ('assessment', datetime.date(2024, 1, 25), datetime.date(2024, 4, 1))])
    """
    path = os.fspath(path)
    problems: list[Problem] = []
    events: list[Event] = []
    reference: _dt.date | None = None
    seen_header = False
    n = 0
    root_checked = False
    for name, elem in _iterate(path, problems):
        if name == "ReferenceDate" and not seen_header:
            cell = read_cell((elem.text or "").strip() or None)
            where = f"{path}:/Message/Header/CollectionDetails/ReferenceDate"
            if isinstance(cell, Refused):
                problems.append(Problem("error", "not_a_date", "", where, cell.text, cell.reason))
            elif cell is not None:
                reference = cell
        elif name == "Header":
            seen_header = True
        elif name == "Child":
            n += 1
            child = _Child(path, elem, n, reference)
            events.extend(child.events)
            problems.extend(child.problems)
            elem.clear()
        elif name == "Message":
            root_checked = True
    if not root_checked and not any(p.code == "unreadable_xml" for p in problems):
        problems.append(
            Problem("error", "not_a_census", "", path, "", "the file has no Message element")
        )
    if reference is None:
        problems.append(
            Problem(
                "error",
                "missing_reference_date",
                "",
                f"{path}:/Message/Header/CollectionDetails/ReferenceDate",
                "",
                "no ReferenceDate: outstanding events are judged as of the as_of date given",
            )
        )
    return ReturnData("cin", (path,), reference, tuple(events), tuple(problems))
