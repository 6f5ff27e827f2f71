"""The values the return readers produce: events to measure, problems found, a read return."""

from __future__ import annotations

import datetime as _dt
from typing import Literal

import attrs

from safeguard_time._dates import parse_date
from safeguard_time.errors import NotADateError
from safeguard_time.io._replace import replacing

__all__ = ["Event", "Problem", "Refused", "ReturnData", "read_cell", "replacing"]

#: The returns the package reads.
Kind = Literal["cin", "ssda903", "annex_a"]


@attrs.frozen
class Refused:
    """A cell that holds text the date grammar refused: the text and the grammar's reason."""

    text: str
    reason: str


#: A date as a return gives it: a date, ``None`` (blank or absent), or refused text.
Cell = _dt.date | Refused | None


def read_cell(text: str | None) -> Cell:
    """Read one date cell with the library's one grammar (:func:`~safeguard_time.parse_date`).

    >>> read_cell("2024-03-08"), read_cell(None), read_cell("  ")
    (datetime.date(2024, 3, 8), None, None)
    >>> read_cell("31/02/2024")
    Refused(text='31/02/2024', reason="'31/02/2024' is not a date: February 2024 has 29 days, not 31")
    """
    if text is None:
        return None
    try:
        return parse_date(text)
    except NotADateError as exc:
        return Refused(text, str(exc))


@attrs.frozen
class Event:
    """One event to measure, as a reader placed it: what, from when to when, and where from.

    Attributes:
        child_id: the child's identifier in the return (``LAchildID``, ``CHILD``, ...).
        measure: what is measured: a timescale id (``"assessment"``, ``"first_cp_review"``,
            ...), or ``"assessment_from_start"`` for the census's own duration of an
            assessment (from its start, not from the referral).
        start: the date of the start event (day 0).
        end: the date of the end event; ``None`` while the event is outstanding.
        source: the file and element (or line, or cell) the event came from.
        start_place: where the start date is, for a problem with it.
        end_place: where the end date is (or would be), for a problem with it.
        as_of: the date an outstanding event is judged at when the return says so (the
            census reference date); ``None`` to use the caller's ``as_of``.
        ended: the day the plan or period of care ended, if it did: an outstanding review is
            judged as of that day, and is no event at all if it was not yet due then.
        recorded_due: a due date the return itself records (the census ``InitialCPCtarget``).
        recorded_due_place: where that recorded due date is.
    """

    child_id: str
    measure: str
    start: Cell
    end: Cell
    source: str
    start_place: str
    end_place: str
    as_of: _dt.date | None = None
    ended: _dt.date | None = None
    recorded_due: _dt.date | None = None
    recorded_due_place: str | None = None


@attrs.frozen
class Problem:
    """Something in a return that could not be read or measured, or looks wrong.

    Attributes:
        kind: ``"error"`` when an element could not be read or an event could not be
            measured (the reason is the library's own), ``"finding"`` when the return was
            read but its data invite a question (a recorded target that is not the
            statutory due date, dates out of order, a review before the plan started).
        code: a stable reason code: an engine code (``"not_a_date"``, ``"end_before_start"``,
            ...) or a return code (``"icpc_target_differs"``, ``"dates_out_of_order"``, ...).
        child_id: the child concerned (``""`` when none can be named).
        place: where: the file and XML path, or file, line and column.
        value: the value found there, as text (``""`` when absent).
        reason: what is wrong, in words.
    """

    kind: Literal["error", "finding"]
    code: str
    child_id: str
    place: str
    value: str
    reason: str


@attrs.frozen
class ReturnData:
    """A return as read: its kind, files, reference date, events and problems.

    Attributes:
        kind: ``"cin"``, ``"ssda903"`` or ``"annex_a"``.
        paths: the files read.
        reference_date: the census reference date (``None`` when the return has none).
        events: every event the reader placed, in the order of the return.
        problems: what could not be read and what the reader found, in order.
    """

    kind: Kind
    paths: tuple[str, ...]
    reference_date: _dt.date | None
    events: tuple[Event, ...]
    problems: tuple[Problem, ...]
