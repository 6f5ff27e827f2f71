"""The engine: the one place where a timescale is worked out, for one case or a column.

Layers below: the calendar (:mod:`safeguard_time.calendar`) and the rules
(:mod:`safeguard_time.rules`).  Faces above: :mod:`safeguard_time.deadlines` (one case),
:mod:`safeguard_time.bulk` (columns) and :mod:`safeguard_time.schedules`.

- :func:`plan` resolves a timescale under a policy, phase, convention and extensions into a
  :class:`~safeguard_time._engine.tables.RulePlan`: per start day, the rule in force, the
  due date and last working day, or why there is none.  Rule resolution, phase and extension
  checks and period arithmetic happen there, once.
- :func:`start` and :func:`judge` answer one case from the plan's tables (Python lists);
  :func:`deadline_columns` and :func:`assess_columns` answer a column (numpy arrays, with
  the fused fast paths of :mod:`~safeguard_time._engine.kernels`).  The status rules are
  :func:`~safeguard_time._engine.kernels.verdict`, used by both.
- :func:`row_error` builds the error of a row error code: one case raises it, bulk reports
  ``str()`` of it with its code, so the two say the same thing.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

import numpy as np

from safeguard_time._bulk_input import NAT, DayColumn, day_value
from safeguard_time._dates import not_a_date_type
from safeguard_time._engine import codes as c
from safeguard_time._engine import kernels as k
from safeguard_time._engine.codes import STATUS_LABELS, Status
from safeguard_time._engine.tables import CalTables, RulePlan, cal_tables, length, rule_plan
from safeguard_time.calendar import Convention, WorkingCalendar, england_and_wales
from safeguard_time.errors import (
    AsOfBeforeStartError,
    CalendarRangeError,
    EventOrderError,
    InvalidOptionError,
    MissingAsOfError,
    MissingDateError,
    SafeguardTimeError,
)
from safeguard_time.rules import Policy

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "PLANS",
    "ROW_ERROR_READS",
    "STATUS_LABELS",
    "CalTables",
    "RulePlan",
    "Status",
    "as_convention",
    "assess_columns",
    "cal_tables",
    "deadline_columns",
    "judge",
    "length",
    "plan",
    "row_error",
    "start",
    "start_code",
]

_EPOCH_ORD = _dt.date(1970, 1, 1).toordinal()
_fromordinal = _dt.date.fromordinal


def as_convention(value: object) -> Convention:
    """A :class:`~safeguard_time.Convention` from itself or its name (``Convention.parse``)."""
    return Convention.parse(value)


#: The rule plans already made, by the arguments of :func:`plan` as given.
PLANS: dict[tuple[object, ...], RulePlan] = {}


def plan(
    timescale: str,
    calendar: WorkingCalendar | None = None,
    policy: Policy | None = None,
    phase: str | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    extensions: int = 0,
) -> RulePlan:
    """The (cached) rule plan of a timescale: everything that does not depend on the row.

    Raises :class:`~safeguard_time.errors.UnknownTimescaleError` and
    :class:`~safeguard_time.errors.InvalidOptionError` (phase, extensions, convention).
    """
    key = (timescale, calendar, policy, phase, convention, extensions)
    try:
        found = PLANS.get(key)
    except TypeError:  # an unhashable argument: let the checks below say which
        found = None
    if found is None:
        cal = calendar if calendar is not None else england_and_wales()
        if not isinstance(cal, WorkingCalendar):
            raise InvalidOptionError(
                "calendar", calendar, f"calendar must be a WorkingCalendar, got {calendar!r}"
            )
        if policy is not None and not isinstance(policy, Policy):
            raise InvalidOptionError(
                "policy", policy, f"policy must be a Policy, got {type(policy).__name__}"
            )
        found = rule_plan(cal, timescale, policy, phase, as_convention(convention), extensions)
        if len(PLANS) > 512:
            PLANS.clear()
        PLANS[key] = found
    return found


def projected(p: RulePlan) -> RulePlan | None:
    """``p`` on its calendar with the projected years read in (``None``: none left to read).

    A plan is made on the calendar as it is; until its projected years are read (from the
    installed ``holidays`` package) they hold weekends only.  Answers that read no day after
    the verified horizon are the same either way (a later holiday cannot move an earlier
    count); the rest are computed again on this plan.
    """
    cal = p.tables.calendar
    if cal._projection is None:
        return None
    return plan(p.timescale, cal._projected(), p.policy, p.phase, p.convention, p.extensions)


# --- errors -------------------------------------------------------------------------------


#: The values each row error code's error is made from, by :func:`row_error` (besides a
#: ``cause``): rows whose code and these values are the same have the same error, so the
#: bulk results describe such rows once (a thousand blank starts are one reason).
ROW_ERROR_READS: dict[int, tuple[str, ...]] = {
    c.START_MISSING: (),
    c.START_NOT_DATE: ("start",),
    c.START_RANGE: ("start",),
    c.NO_RULE: ("start",),
    c.DUE_OUT_OF_RANGE: ("start",),
    c.END_NOT_DATE: ("end",),
    c.END_RANGE: ("end",),
    c.END_BEFORE_START: ("start", "end"),
    c.NEEDS_AS_OF: (),
    c.AS_OF_RANGE: ("as_of",),
    c.AS_OF_NOT_DATE: ("as_of",),
    c.AS_OF_BEFORE_START: ("start", "as_of"),
}


def row_error(  # noqa: PLR0911 - one return per row error code
    p: RulePlan,
    code: int,
    start: object,
    end: object = None,
    as_of: object = None,
    *,
    cause: SafeguardTimeError | None = None,
) -> SafeguardTimeError:
    """The error of a row error code (see :mod:`~safeguard_time._engine.codes`).

    ``start``, ``end`` and ``as_of`` are the values given (dates where they were read);
    ``cause`` is the error already known for the value, such as the date grammar's reason
    for a cell that is not a date.
    """
    cal = p.tables.calendar
    first, last = cal.first, cal.last
    if cause is not None:
        return cause
    if code == c.START_MISSING:
        return MissingDateError.of("start")
    if code == c.START_NOT_DATE:
        return not_a_date_type(start)
    if code == c.START_RANGE:
        return CalendarRangeError(start, first, last, what="start")
    if code == c.NO_RULE:
        assert isinstance(start, _dt.date)
        return p.no_rule_error(start)
    if code == c.DUE_OUT_OF_RANGE:
        when = start.isoformat() if isinstance(start, _dt.date) else str(start)
        return CalendarRangeError(start, first, last, result_of=f"{p.timescale} from {when}")
    if code == c.END_NOT_DATE:
        return not_a_date_type(end)
    if code == c.END_RANGE:
        return CalendarRangeError(end, first, last, what="end")
    if code == c.END_BEFORE_START:
        assert isinstance(end, _dt.date)
        assert isinstance(start, _dt.date)
        return EventOrderError.end_before_start(end, start)
    if code == c.NEEDS_AS_OF:
        return MissingAsOfError.open_case()
    if code == c.AS_OF_NOT_DATE:
        return not_a_date_type(as_of)
    if code == c.AS_OF_RANGE:
        return CalendarRangeError(as_of, first, last, what="as_of")
    if code == c.AS_OF_BEFORE_START:
        assert isinstance(as_of, _dt.date)
        assert isinstance(start, _dt.date)
        return AsOfBeforeStartError.of(as_of, start)
    raise AssertionError(f"unknown row error code {code}")  # pragma: no cover


# --- one case -----------------------------------------------------------------------------


def start_code(p: RulePlan, day: _dt.date) -> tuple[int, int]:
    """A start day's table index and row error code (0: its due date can be computed)."""
    i = day.toordinal() - p.ord_base
    return i, (p.code_list[i] if p.first_index <= i <= p.last_index else c.START_RANGE)


def start(p: RulePlan, day: _dt.date) -> int:
    """The table index of a start day whose due date can be computed; raises otherwise.

    Raises :class:`~safeguard_time.errors.CalendarRangeError` (the start, or its due date,
    outside the calendar) or :class:`~safeguard_time.errors.NoRuleInForceError`.
    """
    i, code = start_code(p, day)
    if code:
        raise row_error(p, code, day)
    return i


def day_of(p: RulePlan, index: int) -> _dt.date:
    """The date of a table index."""
    return _fromordinal(index + p.ord_base)


def judge(
    p: RulePlan, s: int, end: _dt.date | None, as_of: _dt.date | None
) -> tuple[int, int, int, int]:
    """``(elapsed, status code, late, index of the end or as-of day)`` of one case.

    ``s`` is the start's table index (from :func:`start`).  Raises the same errors, with
    the same words, as a bulk row gets for the same input.
    """
    is_open = end is None
    day = as_of if is_open else end
    if day is None:
        raise row_error(p, c.NEEDS_AS_OF, day_of(p, s))
    m = day.toordinal() - p.ord_base
    if not s <= m <= p.last_index:
        if m > p.last_index or m < p.first_index:
            raise row_error(p, c.AS_OF_RANGE if is_open else c.END_RANGE, None, day, day)
        code = c.AS_OF_BEFORE_START if is_open else c.END_BEFORE_START
        raise row_error(p, code, day_of(p, s), day, day)
    cum, cum0, cum_next = p.scalar()
    elapsed, status, late = k.verdict(
        cum, cum0, cum_next, s, m, p.due_list[s] - p.tables.base, is_open
    )
    return elapsed, status, late, m


# --- columns ------------------------------------------------------------------------------


class ColumnResult:
    """The arrays of :func:`assess_columns` or :func:`deadline_columns`, and the error rows."""

    __slots__ = (
        "due",
        "elapsed",
        "error_codes",
        "error_rows",
        "last_working_day",
        "late",
        "plan",
        "provisional",
        "rule",
        "status",
    )

    #: The plan the result was computed on (the projected calendar's, when it needed it).
    plan: RulePlan

    due: npt.NDArray[np.datetime64]
    last_working_day: npt.NDArray[np.datetime64]
    elapsed: npt.NDArray[np.int32]
    status: npt.NDArray[np.int8]
    late: npt.NDArray[np.int32]
    rule: npt.NDArray[np.integer[Any]]
    provisional: npt.NDArray[np.bool_]
    error_rows: npt.NDArray[np.int64]
    error_codes: npt.NDArray[np.int8]


def deadline_columns(p: RulePlan, starts: DayColumn) -> ColumnResult:
    """Due dates, last working days, rule codes and provisional flags of a column of starts."""
    out = k.deadlines_kernel(p, starts)
    if starts.bad:
        out.errors.set(starts.bad_rows, c.START_NOT_DATE)
    if out.provisional.any() and (full := projected(p)) is not None:
        return deadline_columns(full, starts)
    res = ColumnResult()
    res.plan = p
    res.due = out.due
    res.last_working_day = out.last_working_day
    res.rule = out.rule
    res.provisional = out.provisional
    res.error_rows, res.error_codes = out.errors.arrays()
    return res


def _start_ok(p: RulePlan, col: DayColumn, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The rows (of ``rows``, ascending) whose start can be used."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    code, _, _ = k.start_codes(p, col.chunk(0, len(col))[rows])
    keep = code == 0
    if len(col.bad_rows):
        keep &= ~np.isin(rows, col.bad_rows)
    return np.asarray(rows[keep], dtype=np.int64)


def assess_columns(
    p: RulePlan,
    starts: DayColumn,
    ends: DayColumn | None,
    as_of: int,
    as_of_col: DayColumn | None,
) -> ColumnResult:
    """Timeliness of every row: due, elapsed, status, late, rule, provisional, error rows.

    Rows with no end event whose start is missing or has no rule in force are
    ``not_applicable``, not errors.  Cells that were not dates were read as missing; their
    error code says so (the start's problem first, then the end's, then the as-of date's).
    """
    out = k.assess_kernel(p, starts, ends, as_of, as_of_col)
    if out.provisional.any() and (full := projected(p)) is not None:
        return assess_columns(full, starts, ends, as_of, as_of_col)
    if ends is not None and ends.bad:
        rows = _start_ok(p, starts, ends.bad_rows)
        out.errors.set(rows, c.END_NOT_DATE)
        out.status[rows] = c.ERROR
        out.elapsed[rows] = 0
        out.late[rows] = 0
        out.provisional[rows] = out.due[rows].view(np.int64) > p.tables.verified_last
    if as_of_col is not None and as_of_col.bad:
        rows = _start_ok(p, starts, as_of_col.bad_rows)
        if ends is not None:
            open_ = ends.chunk(0, len(ends))[rows] == NAT
            rows = rows[open_ & ~np.isin(rows, ends.bad_rows)]
        out.errors.set(rows, c.AS_OF_NOT_DATE)
    if starts.bad:
        out.errors.set(starts.bad_rows, c.START_NOT_DATE)
    rows, codes = out.errors.arrays()
    # No end event, and no start event or no rule in force on it: the timescale does not
    # apply to the row (a 2011 referral has no single assessment; a case with no strategy
    # discussion has no conference to hold).
    candidate = (codes == c.NO_RULE) | (codes == c.START_MISSING)
    if candidate.any():
        cand = rows[candidate]
        if ends is None:
            na = np.ones(len(cand), dtype=np.bool_)
        else:
            na = (ends.chunk(0, len(ends))[cand] == NAT) & ~np.isin(cand, ends.bad_rows)
        if na.any():
            out.status[cand[na]] = c.NOT_APPLICABLE
            keep = np.ones(len(rows), dtype=np.bool_)
            keep[np.flatnonzero(candidate)[na]] = False
            rows, codes = rows[keep], codes[keep]
    res = ColumnResult()
    res.plan = p
    res.due = out.due
    res.elapsed = out.elapsed
    res.status = out.status
    res.late = out.late
    res.rule = out.rule
    res.provisional = out.provisional
    res.error_rows, res.error_codes = rows, codes
    return res


def column_row_error(
    p: RulePlan,
    code: int,
    row: int,
    starts: DayColumn,
    ends: DayColumn | None,
    as_of_col: DayColumn | None,
    as_of: int,
) -> SafeguardTimeError:
    """The error of one error row of a column result, placed at its row and column."""
    start_v = starts.value(row)
    end_v = ends.value(row) if ends is not None else None
    as_of_v = as_of_col.value(row) if as_of_col is not None else day_value(as_of)
    cause = None
    source = reason_source(code, starts, ends, as_of_col)
    if source is not None and row in source.bad:
        cause = source.error(row)
    err = row_error(p, code, start_v, end_v, as_of_v, cause=cause)
    return err.at(row=row, column=c.REASON[code][1])


def reason_source(
    code: int, starts: DayColumn, ends: DayColumn | None, as_of_col: DayColumn | None
) -> DayColumn | None:
    """The column a row error ``code`` is about; a row bad in it has a reason of its own."""
    return {"start": starts, "end": ends, "as_of": as_of_col}[c.REASON[code][1]]


__all__ += ["ColumnResult", "column_row_error", "day_of", "projected", "reason_source"]
