"""The engine's chunked column loops (private).

Each loop reads its input columns in chunks of :data:`CHUNK` rows, so every temporary
stays in the CPU cache, and writes straight into preallocated output arrays.  A chunk whose
start days all fall in one run of the rule plan (one unit, one amount, everything
computable) and whose end days are all present and in range takes a fused fast path of a
few gathers and integer operations; any other chunk takes the general path, which checks
every row and records the rows it cannot compute as error codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from safeguard_time._bulk_input import NAT, DayColumn
from safeguard_time._engine.codes import (
    AS_OF_BEFORE_START,
    AS_OF_RANGE,
    DUE_OUT_OF_RANGE,
    END_BEFORE_START,
    END_RANGE,
    ERROR,
    NEEDS_AS_OF,
    NO_RULE,
    START_MISSING,
    START_RANGE,
)
from safeguard_time._engine.tables import DUE_RANGE, CalTables, RulePlan, Span
from safeguard_time.calendar import Convention

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "CHUNK",
    "AssessOut",
    "DeadlineOut",
    "ErrorCodes",
    "assess_kernel",
    "deadlines_kernel",
    "verdict",
]

#: Rows per chunk: a few MiB of temporaries, inside the L2/L3 caches.
CHUNK = 1 << 16

# np.take modes: "wrap" is the fastest, but only for indexes known to be inside the table
# (a NaT index would make it loop for ages); "clip" for anything that may hold NaT.

I8 = np.int8


class ErrorCodes:
    """Row numbers and error codes collected chunk by chunk."""

    __slots__ = ("_codes", "_rows")

    def __init__(self) -> None:
        self._rows: list[npt.NDArray[np.int64]] = []
        self._codes: list[npt.NDArray[np.int8]] = []

    def add(self, lo: int, code: npt.NDArray[np.int8]) -> None:
        """Record the nonzero codes of a chunk starting at row ``lo``."""
        bad = np.flatnonzero(code)
        if len(bad):
            self._rows.append(bad + lo)
            self._codes.append(code[bad])

    def set(self, rows: npt.NDArray[np.int64], code: int) -> None:
        """Give ``rows`` the error ``code``, replacing any earlier one."""
        if len(rows):
            self._rows.append(rows.astype(np.int64))
            self._codes.append(np.full(len(rows), code, dtype=np.int8))

    def set_codes(self, rows: npt.NDArray[np.int64], codes: npt.NDArray[np.int8]) -> None:
        """Give each of ``rows`` its own error code."""
        if len(rows):
            self._rows.append(rows.astype(np.int64))
            self._codes.append(codes.astype(np.int8))

    def arrays(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int8]]:
        """Sorted unique rows and their code (the latest recorded wins)."""
        if not self._rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int8)
        rows = np.concatenate(self._rows)
        codes = np.concatenate(self._codes)
        if len(rows) < 2 or bool(np.all(rows[1:] > rows[:-1])):
            return rows, codes  # recorded in order, once each: the usual case
        # Later records win: reverse, take the first of each row, then sort by row.
        rev_rows = rows[::-1]
        uniq, first = np.unique(rev_rows, return_index=True)
        return uniq, codes[::-1][first]


class DeadlineOut:
    """Output arrays of :func:`deadlines_kernel`."""

    __slots__ = ("due", "errors", "last_working_day", "provisional", "rule")

    def __init__(self, n: int, plan: RulePlan) -> None:
        self.due = np.empty(n, dtype="datetime64[D]")
        self.last_working_day = np.empty(n, dtype="datetime64[D]")
        self.rule = np.empty(n, dtype=plan.rule_at.dtype)
        self.provisional = np.zeros(n, dtype=np.bool_)
        self.errors = ErrorCodes()


class AssessOut:
    """Output arrays of :func:`assess_kernel`."""

    __slots__ = ("due", "elapsed", "errors", "late", "provisional", "rule", "status")

    def __init__(self, n: int, plan: RulePlan) -> None:
        self.due = np.empty(n, dtype="datetime64[D]")
        self.elapsed = np.empty(n, dtype=np.int32)
        self.status = np.empty(n, dtype=np.int8)
        self.late = np.empty(n, dtype=np.int32)
        self.rule = np.empty(n, dtype=plan.rule_at.dtype)
        self.provisional = np.zeros(n, dtype=np.bool_)
        self.errors = ErrorCodes()


def start_codes(
    plan: RulePlan, s: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per row: the start's error code, a safe table index, and whether the start is usable."""
    t = plan.tables
    s_in = (s >= t.first) & (s <= t.last)
    si = np.where(s_in, s, t.first) - t.base
    plan_err = plan.err_at[si]
    code = np.where(
        s_in,
        np.where(plan_err == DUE_RANGE, I8(DUE_OUT_OF_RANGE), np.where(plan_err, I8(NO_RULE), 0)),
        np.where(s == NAT, I8(START_MISSING), I8(START_RANGE)),
    ).astype(np.int8)
    return code, si, s_in


# --- deadlines ----------------------------------------------------------------------------


def deadlines_kernel(plan: RulePlan, starts: DayColumn) -> DeadlineOut:
    """Due dates, last working days, rule codes and provisional flags, chunk by chunk."""
    n = len(starts)
    out = DeadlineOut(n, plan)
    for lo in range(0, n, CHUNK):
        hi = min(lo + CHUNK, n)
        s = starts.chunk(lo, hi)
        if not _deadlines_fast(plan, out, lo, hi, s):
            _deadlines_rows(plan, out, slice(lo, hi), lo, s)
    return out


def _deadlines_fast(
    plan: RulePlan, out: DeadlineOut, lo: int, hi: int, s: npt.NDArray[np.int64]
) -> bool:
    """Compute a chunk assuming every row is good, then redo the suspect rows exactly."""
    t = plan.tables
    si, suspect, span, smax = _start_span(plan, s)
    if span is None or span.counts_wd is None:
        return False
    rule = out.rule[lo:hi]
    if span.single_rule >= 0:
        rule.fill(span.single_rule)
    else:
        np.take(plan.rule_at, si, out=rule, mode="clip")
    bad = _plan_suspects(plan, span, si, rule)
    due = out.due[lo:hi].view(np.int64)
    np.take(plan.due_at, si, out=due, mode="wrap")
    lwd = out.last_working_day[lo:hi].view(np.int64)
    if span.counts_wd:
        lwd[:] = due
    else:
        np.take(plan.lwd_at, si, out=lwd, mode="wrap")
    if int(plan.due_max_upto[smax - t.base]) > t.verified_last:
        np.greater(due, t.verified_last, out=out.provisional[lo:hi])
    rows = _union(suspect, bad)
    if len(rows):
        _deadlines_rows(plan, out, rows + lo, lo, s[rows])
    return True


def _deadlines_rows(
    plan: RulePlan,
    out: DeadlineOut,
    where: slice | npt.NDArray[np.int64],
    lo: int,
    s: npt.NDArray[np.int64],
) -> None:
    """Every check, for a slice of rows or a set of rows (vectorised)."""
    t = plan.tables
    code, si, s_in = start_codes(plan, s)
    ok = code == 0
    out.rule[where] = np.where(s_in, plan.rule_at[si], -1)
    due = np.where(ok, plan.due_at[si], NAT)
    out.due.view(np.int64)[where] = due
    out.last_working_day.view(np.int64)[where] = np.where(ok, plan.lwd_at[si], NAT)
    out.provisional[where] = ok & (due > t.verified_last)
    _record(out.errors, where, lo, code)


# --- shared by the fast paths -------------------------------------------------------------


def _start_span(
    plan: RulePlan, s: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_] | None, Span | None, int]:
    """Safe table indexes of a chunk's starts, rows outside the calendar, their span.

    The last item is the latest start inside the calendar (it bounds the chunk's due dates).
    """
    t = plan.tables
    smin, smax = int(s.min()), int(s.max())
    if smin >= t.first and smax <= t.last:
        return t.index(s), None, plan.span(smin, smax), smax
    s_in = (s >= t.first) & (s <= t.last)
    if not s_in.any():
        return s, None, None, smax
    inside = s[s_in]
    si = np.where(s_in, s, int(inside[0])) - t.base
    last_in = int(inside.max())
    return si, ~s_in, plan.span(int(inside.min()), last_in), last_in


def _plan_suspects(
    plan: RulePlan,
    span: Span,
    si: npt.NDArray[np.int64],
    rule: npt.NDArray[np.integer[Any]],
) -> npt.NDArray[np.bool_] | None:
    """Rows whose start day has no rule, or a result outside the calendar."""
    if not span.invalid:
        return None
    if span.due_range:
        return np.not_equal(np.take(plan.err_at, si, mode="clip"), 0)
    return np.less(rule, 0) if int(rule.min()) < 0 else None


def _union(*masks: npt.NDArray[np.bool_] | None) -> npt.NDArray[np.int64]:
    """Sorted positions of the rows flagged by any of the masks."""
    found = [m for m in masks if m is not None]
    if not found:
        return np.zeros(0, dtype=np.int64)
    union = found[0]
    for m in found[1:]:
        union = union | m
    return np.flatnonzero(union)


def _record(
    errors: ErrorCodes,
    where: slice | npt.NDArray[np.int64],
    lo: int,
    code: npt.NDArray[np.int8],
) -> None:
    if isinstance(where, slice):
        errors.add(lo, code)
    else:
        bad = code != 0
        errors.set_codes(where[bad], code[bad])


# --- assess -------------------------------------------------------------------------------


def verdict(cum: Any, cum0: Any, cum_next: Any, s: Any, m: Any, d: Any, open_: Any) -> Any:
    """Elapsed, status code and working days late: the one statement of the status rules.

    The arguments are table indexes (days since 1970-01-01 less the tables' base) of the
    start ``s``, the end or as-of day ``m`` and the due date ``d``, and whether the case is
    open; the tables are the calendar's running count of working days (``cum``), the count
    of day 0 under the convention (``cum0``) and the count of the next working day
    (``cum_next``).  They are numpy arrays for a column of rows, or Python lists and ints for
    one case: the same expressions serve both.

    - elapsed working days: days ``x`` with day 0 < x <= m, a duration;
    - the status is judged against the due date: met (0) when ``m <= d``, missed (1) after;
      an open case is 2 or 3 the same way;
    - working days late: the working days after the due date up to ``m``, where an ``m``
      on a non-working day counts as the next working day, so a late case is at least 1
      working day late.
    """
    over = m > d
    elapsed = cum[m] - cum0[s]
    late = (cum_next[m] - cum[d]) * over
    return elapsed, over + 2 * open_, late


def assess_kernel(
    plan: RulePlan,
    starts: DayColumn,
    ends: DayColumn | None,
    as_of: int,
    as_of_col: DayColumn | None,
) -> AssessOut:
    """Timeliness of every row: due, elapsed, status, late, rule, provisional, errors.

    ``as_of`` is a day (or NAT for none); ``as_of_col`` a per-row column instead.
    """
    n = len(starts)
    out = AssessOut(n, plan)
    scratch = _Scratch(min(n, CHUNK))
    for lo in range(0, n, CHUNK):
        hi = min(lo + CHUNK, n)
        s = starts.chunk(lo, hi)
        e = ends.chunk(lo, hi) if ends is not None else None
        if as_of_col is None and _assess_fast(plan, out, scratch, lo, hi, s, e, as_of):
            continue
        a = as_of_col.chunk(lo, hi) if as_of_col is not None else as_of
        _assess_rows(plan, out, slice(lo, hi), lo, s, e, a)
    return out


class _Scratch:
    """Working buffers of one chunk, reused from chunk to chunk."""

    __slots__ = ("cm", "cs", "flag")

    def __init__(self, n: int) -> None:
        self.cs = np.empty(n, dtype=np.int32)
        self.cm = np.empty(n, dtype=np.int32)
        self.flag = np.empty(n, dtype=np.bool_)


def _assess_fast(
    plan: RulePlan,
    out: AssessOut,
    scratch: _Scratch,
    lo: int,
    hi: int,
    s: npt.NDArray[np.int64],
    e: npt.NDArray[np.int64] | None,
    as_of: int,
) -> bool:
    """Compute a chunk assuming every row is good, then redo the suspect rows exactly.

    Suspect rows (a start or end missing or outside the calendar, no rule, an end before
    its start) are found with reductions and cheap masks, and recomputed by
    :func:`_assess_rows`; returns False when the chunk is better done wholly that way.
    """
    if plan.has_zero_wd:
        return False  # "0 working days" from a non-working day: the general rows only
    if (
        plan.uniform_wd is not None
        and e is not None
        and _assess_uniform(plan, plan.uniform_wd, out, scratch, lo, hi, s, e, as_of)
    ):
        return True
    t = plan.tables
    si, s_suspect, span, smax = _start_span(plan, s)
    if span is None or span.counts_wd is None:
        return False
    k = hi - lo
    open_: npt.NDArray[np.bool_] | None = None
    m_suspect: npt.NDArray[np.bool_] | None = None
    if e is None:
        if as_of == NAT:
            return False
        m = np.full(k, as_of, dtype=np.int64)
        open_ = np.ones(k, dtype=np.bool_)
        mmax = as_of
    else:
        m = e
        mmin, mmax = int(e.min()), int(e.max())
        if mmin == NAT:
            open_ = e == NAT
            if as_of == NAT:
                m_suspect = open_
            else:
                m = np.where(open_, np.int64(as_of), e)
                mmin, mmax = int(m.min()), max(mmax, as_of)
        if mmin < t.first or mmax > t.last:
            m_in = (m >= t.first) & (m <= t.last)
            m_suspect = ~m_in if m_suspect is None else m_suspect | ~m_in
            m = np.where(m_in, m, t.first)
            mmax = min(mmax, t.last)
    mi = t.index(m)
    rule = out.rule[lo:hi]
    if span.single_rule >= 0:
        rule.fill(span.single_rule)
    else:
        np.take(plan.rule_at, si, out=rule, mode="clip")
    p_suspect = _plan_suspects(plan, span, si, rule)
    cs = np.take(t.cum_zero(plan.convention), si, out=scratch.cs[:k], mode="wrap")
    cm = np.take(t.cum, mi, out=scratch.cm[:k], mode="wrap")
    elapsed = out.elapsed[lo:hi]
    np.subtract(cm, cs, out=elapsed)
    # Ends (or as-of dates of open rows) before their start: most chunks have none at all.
    before = np.less(m, s, out=scratch.flag[:k])
    if m_suspect is not None:
        before &= ~m_suspect
    order: npt.NDArray[np.bool_] | None = before if before.any() else None
    due = out.due[lo:hi].view(np.int64)
    np.take(plan.due_at, si, out=due, mode="wrap")
    late = out.late[lo:hi]
    status = out.status[lo:hi]
    # Judged against the due date (see verdict): an end on a non-working day counts as the
    # next working day, whose running count is cum_next.
    cn = np.take(t.cum_next, mi, mode="wrap")
    if span.counts_wd:
        # The due date is the working day whose count is cs + N, so the working days late
        # are cum_next[end] - cs - N when positive, and missed exactly when that is.
        np.subtract(cn, cs, out=late)
        if span.amount is not None:
            np.subtract(late, span.amount, out=late)
        else:
            np.subtract(late, np.take(plan.amount_at, si, mode="wrap"), out=late)
        np.greater(late, 0, out=status.view(np.bool_))
        np.maximum(late, np.int32(0), out=late)
    else:
        over = np.greater(m, due, out=status.view(np.bool_))
        np.subtract(cn, np.take(t.cum, t.index(due), mode="clip"), out=late)
        np.multiply(late, over, out=late)
    if open_ is not None:
        status += open_.view(np.int8) << 1  # met/missed -> open_in_time/open_overdue
    if max(int(plan.due_max_upto[smax - t.base]), mmax) > t.verified_last:
        np.greater(np.maximum(due, m), t.verified_last, out=out.provisional[lo:hi])
    # Rows whose start cannot be used are error rows whatever their end: patch them simply.
    start_bad = _union(s_suspect, p_suspect)
    if len(start_bad) and s_suspect is None and not span.due_range:
        # Start days with no rule in force: rule (-1) and due (NaT) are already right.
        where = start_bad + lo
        out.status[where] = ERROR
        out.elapsed[where] = 0
        out.late[where] = 0
        out.provisional[where] = False
        out.errors.set(where, NO_RULE)
    elif len(start_bad):
        code, si_bad, s_in = start_codes(plan, s[start_bad])
        where = start_bad + lo
        out.status[where] = ERROR
        out.elapsed[where] = 0
        out.late[where] = 0
        out.provisional[where] = False
        out.due.view(np.int64)[where] = NAT
        out.rule[where] = np.where(s_in, plan.rule_at[si_bad], -1)
        out.errors.set_codes(where, code)
    rows = _union(m_suspect, order)
    if len(rows):
        if len(start_bad):
            rows = np.setdiff1d(rows, start_bad, assume_unique=True)
        ec = e[rows] if e is not None else None
        _assess_rows(plan, out, rows + lo, lo, s[rows], ec, as_of)
    return True


def _assess_uniform(
    plan: RulePlan,
    amount: int,
    out: AssessOut,
    scratch: _Scratch,
    lo: int,
    hi: int,
    s: npt.NDArray[np.int64],
    e: npt.NDArray[np.int64],
    as_of: int,
) -> bool:
    """The fast path of a plan whose every rule counts ``amount`` working days.

    The only check made before computing is one reduction, the latest end: every good row
    has ``first <= start <= end <= latest end``.  The gathers clip, and the extended tables
    give any start that cannot be used (missing, outside the calendar, no rule in force)
    the rule -1, a NaT due date and its error code, so those rows are the negative rule
    codes; one comparison finds the ends before their start, missing ends included.  A
    chunk whose latest end is after the calendar, or late enough for a start to have its
    due date after the calendar, goes to the general fast path (returns False, having
    written nothing).
    """
    t = plan.tables
    emax = int(e.max())
    if emax >= plan.due_range_from:
        return False
    k = hi - lo
    # ndarray.take rather than np.take: one Python call less per pass.
    rule = out.rule[lo:hi]
    plan.rule_at_ext.take(s, out=rule, mode="clip")
    elapsed = out.elapsed[lo:hi]
    t.cum.take(e, out=elapsed, mode="clip")
    cs = t.cum_zero(plan.convention).take(s, out=scratch.cs[:k], mode="clip")
    np.subtract(elapsed, cs, out=elapsed)
    due = out.due[lo:hi].view(np.int64)
    plan.due_at_ext.take(s, out=due, mode="clip")
    # Judged against the due date (see verdict): the due date is the working day whose
    # count is cs + amount, so the working days late are cum_next[end] - cs - amount when
    # positive (an end on a non-working day counts as the next working day), and the case
    # was missed exactly when that is positive.
    late = out.late[lo:hi]
    t.cum_next.take(e, out=late, mode="clip")
    np.subtract(late, cs, out=late)
    np.subtract(late, amount, out=late)
    np.greater(late, 0, out=out.status[lo:hi].view(np.bool_))
    np.maximum(late, np.int32(0), out=late)
    # due_max_upto grows with the start day, so its value at the latest end bounds the
    # due date of every good row.
    if emax >= t.first and max(int(plan.due_max_upto[emax]), emax) > t.verified_last:
        np.greater(np.maximum(due, e), t.verified_last, out=out.provisional[lo:hi])
    order = np.less(e, s, out=scratch.flag[:k])
    start_bad = np.flatnonzero(rule < 0) if int(rule.min()) < 0 else None
    if start_bad is not None:
        where = start_bad + lo
        out.status[where] = ERROR
        out.elapsed[where] = 0
        out.late[where] = 0
        out.provisional[where] = False
        s_bad = s[start_bad]
        code = plan.code_at_ext.take(s_bad, mode="clip")
        code[s_bad == NAT] = START_MISSING
        out.errors.set_codes(where, code)
    if order.any():
        # Missing ends (open cases) and ends before their start: every check, row by row.
        if start_bad is not None:
            order[start_bad] = False
        rows = np.flatnonzero(order)
        if len(rows):
            _assess_rows(plan, out, rows + lo, lo, s[rows], e[rows], as_of)
    return True


def _assess_rows(
    plan: RulePlan,
    out: AssessOut,
    where: slice | npt.NDArray[np.int64],
    lo: int,
    s: npt.NDArray[np.int64],
    e: npt.NDArray[np.int64] | None,
    a: int | npt.NDArray[np.int64],
) -> None:
    """Every check, for a slice of rows or a set of rows (vectorised)."""
    t = plan.tables
    k = len(s)
    code, si, s_in = start_codes(plan, s)
    start_ok = code == 0
    open_ = np.ones(k, dtype=np.bool_) if e is None else e == NAT
    a_arr = np.broadcast_to(np.asarray(a, dtype=np.int64), (k,))
    m = a_arr.copy() if e is None else np.where(open_, a_arr, e)
    m_in = (m >= t.first) & (m <= t.last)
    a_missing = a_arr == NAT
    end_code = np.where(
        open_,
        np.where(
            a_missing,
            I8(NEEDS_AS_OF),
            np.where(m_in, np.where(m < s, I8(AS_OF_BEFORE_START), 0), I8(AS_OF_RANGE)),
        ),
        np.where(m_in, np.where(m < s, I8(END_BEFORE_START), 0), I8(END_RANGE)),
    ).astype(np.int8)
    code = np.where(start_ok, end_code, code).astype(np.int8)
    ok = code == 0
    mi = np.where(m_in, m, t.first) - t.base
    due = np.where(start_ok, plan.due_at[si], NAT)
    di = np.where(start_ok, due, t.first) - t.base
    elapsed_, status_, late_ = verdict(
        t.cum, t.cum_zero(plan.convention), t.cum_next, si, mi, di, open_
    )
    elapsed = elapsed_.astype(np.int32)
    late = late_.astype(np.int32)
    status = status_.astype(np.int8)
    status[~ok] = ERROR
    elapsed[~ok] = 0
    late[~ok] = 0
    out.status[where] = status
    out.elapsed[where] = elapsed
    out.late[where] = late
    out.due.view(np.int64)[where] = due
    out.rule[where] = np.where(s_in, plan.rule_at[si], -1)
    out.provisional[where] = start_ok & ((due > t.verified_last) | (ok & (m > t.verified_last)))
    _record(out.errors, where, lo, code)


# --- the calendar functions ---------------------------------------------------------------


def in_range(t: CalTables, d: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which days are inside the calendar (NaT is not)."""
    return (d >= t.first) & (d <= t.last)


def add_chunk(
    t: CalTables,
    s: npt.NDArray[np.int64],
    n: int | npt.NDArray[np.int64],
    convention: Convention,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """``n`` working days after each day: (result days, missing rows, out-of-range rows)."""
    missing = s == NAT
    s_in = in_range(t, s)
    si = np.where(s_in, s, t.first) - t.base
    pos, same = t.add_index(si, n, convention)
    ok = s_in & (pos >= 0) & (pos < t.n_working)
    if convention is Convention.NEXT_WORKING_DAY_ZERO:
        ok &= t.cum_next[si] <= t.n_working
    result = t.wd[np.clip(pos, 0, t.n_working - 1)]
    if same is not None:
        result = np.where(same, s, result)
        ok |= same & s_in
    bad = ~ok & ~missing
    return np.where(ok, result, NAT), missing, bad


def between_chunk(
    t: CalTables,
    s: npt.NDArray[np.int64],
    e: npt.NDArray[np.int64],
    convention: Convention,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Working days from each start to each end: (counts, missing rows, out-of-range rows)."""
    missing = (s == NAT) | (e == NAT)
    s_in = in_range(t, s)
    e_in = in_range(t, e)
    si = np.where(s_in, s, t.first) - t.base
    ei = np.where(e_in, e, t.first) - t.base
    cs = t.cum_zero(convention)[si]
    ok = s_in & e_in
    if convention is Convention.NEXT_WORKING_DAY_ZERO:
        ok &= cs <= t.n_working
    counts = np.where(ok, t.cum[ei] - cs, 0).astype(np.int32)
    return counts, missing, ~ok & ~missing
