"""The engine's lookup tables, indexed directly by days since 1970-01-01.

Two kinds, both built once and cached:

- :class:`CalTables`, per calendar: the calendar's own table
  (:meth:`~safeguard_time.WorkingCalendar.table_arrays`) re-indexed by the day number
  numpy uses for ``datetime64[D]``, so a column of dates indexes it with no arithmetic.
- :class:`RulePlan`, per (calendar, timescale, policy, phase, convention, extensions): for
  every start day of the calendar, the rule in force, its due date, its last working day,
  and whether the row can be computed at all.  Rule resolution and period arithmetic
  (working days, weeks, Dodds v Walker months) happen here, once, for every day; a per-row
  change of edition is then one more array look-up, and the due date of any rule is a single
  gather.  One case reads the same tables as Python lists.

Both are about 45,000 entries per array: they stay in the L2 cache while a column streams
past.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import functools
from typing import TYPE_CHECKING

import attrs
import numpy as np

from safeguard_time._bulk_input import NAT
from safeguard_time._engine.codes import DUE_OUT_OF_RANGE, NO_RULE, START_RANGE
from safeguard_time.calendar import Convention, WorkingCalendar
from safeguard_time.errors import InvalidOptionError, NoRuleInForceError, did_you_mean
from safeguard_time.rules import Policy, Rule, resolved_rules, rule_bounds, rule_for, rulebook

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "DUE_RANGE",
    "PLAN_NO_RULE",
    "CalTables",
    "RulePlan",
    "Span",
    "cal_tables",
    "epoch_day",
    "rule_plan",
]

_EPOCH_ORD = _dt.date(1970, 1, 1).toordinal()

#: Per-start-day error codes of a :class:`RulePlan` (0: the row can be computed).
PLAN_NO_RULE = 1
DUE_RANGE = 2


def epoch_day(day: _dt.date) -> int:
    """Days since 1970-01-01 (numpy's ``datetime64[D]`` value) of a date."""
    return day.toordinal() - _EPOCH_ORD


class ScalarTables:
    """The running counts of :class:`CalTables` as Python lists, for one case at a time."""

    __slots__ = ("cum", "cum_next")

    def __init__(self, cum: npt.NDArray[np.int32], cum_next: npt.NDArray[np.int32]) -> None:
        self.cum: list[int] = cum.tolist()
        self.cum_next: list[int] = cum_next.tolist()


class CalTables:
    """A calendar's working-day table, indexed by ``epoch day - base``."""

    __slots__ = (
        "_lists",
        "base",
        "calendar",
        "cum",
        "cum_before",
        "cum_next",
        "first",
        "last",
        "n_working",
        "verified_last",
        "wd",
        "working",
    )

    def __init__(self, cal: WorkingCalendar) -> None:
        working, cum, wdays = cal.table_arrays()
        self.calendar = cal
        self.first = epoch_day(cal.first)
        self.last = epoch_day(cal.last)
        self.verified_last = epoch_day(cal.verified_until)
        # Index 0 is 1970-01-01 whenever the calendar starts later, so a datetime64[D] value
        # is itself the index; the entries before ``first`` are never read.
        self.base = min(self.first, 0)
        pad = self.first - self.base
        n = self.last - self.base + 1
        w = np.zeros(n, dtype=np.bool_)
        w[pad:] = working
        c = np.zeros(n, dtype=np.int32)
        c[pad:] = cum
        self.working = w
        self.cum = c
        w32 = w.astype(np.int32)
        #: Working days strictly before the day.
        self.cum_before = c - w32
        #: ``cum`` of day 0 under NEXT_WORKING_DAY_ZERO (the next working day's count).
        self.cum_next = c + 1 - w32
        self.wd = wdays.astype(np.int64) + self.first
        self.n_working = len(wdays)
        for arr in (self.working, self.cum, self.cum_before, self.cum_next, self.wd):
            arr.setflags(write=False)
        self._lists: ScalarTables | None = None

    def lists(self) -> ScalarTables:
        """The running counts as Python lists (built on first use)."""
        if self._lists is None:
            self._lists = ScalarTables(self.cum, self.cum_next)
        return self._lists

    def cum_zero(self, convention: Convention) -> npt.NDArray[np.int32]:
        """Working-day count of day 0 under ``convention``: elapsed = cum[end] - this[start]."""
        return self.cum if convention is Convention.EVENT_DAY_ZERO else self.cum_next

    def index(self, days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Table indexes of in-range days (the days themselves when ``base`` is 0)."""
        return days if self.base == 0 else days - self.base

    def add_index(
        self, idx: npt.NDArray[np.int64], n: int | npt.NDArray[np.int64], convention: Convention
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_] | None]:
        """Positions in ``wd`` of "n working days after" each day, and which are the day itself.

        The second array (None if no row) marks rows whose answer is the day itself
        (``n == 0`` under EVENT_DAY_ZERO), for which the first array is meaningless.
        """
        if convention is Convention.NEXT_WORKING_DAY_ZERO:
            # Day 0 is the next working day w (cum[w] = cum_next[day]), so the answer is the
            # working day at position cum_next + n - 1 whatever the sign of n.
            return self.cum_next[idx].astype(np.int64) + (np.asarray(n) - 1), None
        if isinstance(n, int):
            if n > 0:
                return self.cum[idx].astype(np.int64) + (n - 1), None
            if n < 0:
                return self.cum_before[idx].astype(np.int64) + n, None
            return np.zeros(len(idx), dtype=np.int64), np.ones(len(idx), dtype=np.bool_)
        pos = np.where(n > 0, self.cum[idx].astype(np.int64) - 1, self.cum_before[idx]) + n
        zero = n == 0
        return pos, zero if zero.any() else None


@functools.lru_cache(maxsize=16)
def cal_tables(cal: WorkingCalendar) -> CalTables:
    """The (cached) bulk tables of a calendar."""
    return CalTables(cal)


def add_months(days: npt.NDArray[np.int64], months: int) -> npt.NDArray[np.int64]:
    """``days + months`` calendar months, clipped to the month's last day (Dodds v Walker)."""
    d = days.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.timedelta64(months, "M")
    start = target.astype("datetime64[D]").astype(np.int64)
    length = (target + np.timedelta64(1, "M")).astype("datetime64[D]").astype(np.int64) - start
    return np.asarray(start + np.minimum(day_of_month, length - 1), dtype=np.int64)


def length(rule: Rule, extensions: int = 0) -> int:
    """The rule's length with ``extensions`` of its extensions, in the rule's unit."""
    return rule.amount + (rule.extension.amount * extensions if rule.extension else 0)


def period_due(rule: Rule, days: npt.NDArray[np.int64], amount: int) -> npt.NDArray[np.int64]:
    """Statutory due dates (epoch days) of a calendar-period rule of ``amount`` from start days.

    Months follow Dodds v Walker: the same day-number N months later, or the month's last
    day when there is none (30 Nov + 3 months = 28/29 Feb).
    """
    a = amount
    if rule.unit == "months":
        return add_months(days, a)
    if rule.unit == "weeks":
        return days + 7 * a
    if rule.unit == "weeks_beginning_with":
        # "N weeks beginning with the day X": X is day 1, so the last day is X + 7N - 1.
        return days + (7 * a - 1)
    if rule.unit == "calendar_days":
        return days + a
    raise ValueError(f"rule {rule.id!r}: unit {rule.unit!r} is not a calendar period")


class RulePlan:
    """Per start day: the rule in force, the due date, and whether the row is computable.

    ``runs_*`` split the calendar into maximal runs of start days whose rules share a unit
    and an amount and can all be computed; within one run, every row is one formula.
    """

    __slots__ = (
        "_no_rule",
        "_run_starts",
        "_scalar",
        "_spans",
        "amount_at",
        "calendar_unit_at",
        "classes",
        "code_at_ext",
        "code_list",
        "convention",
        "described",
        "due_at",
        "due_at_ext",
        "due_list",
        "due_max_upto",
        "due_range_from",
        "err_at",
        "extensions",
        "first_index",
        "has_calendar_units",
        "has_zero_wd",
        "key",
        "last_index",
        "lwd_at",
        "lwd_list",
        "ord_base",
        "phase",
        "policy",
        "rule_at",
        "rule_at_ext",
        "rule_ids",
        "rule_list",
        "rules",
        "runs_class",
        "runs_due_range",
        "runs_end",
        "runs_rule",
        "runs_start",
        "tables",
        "timescale",
        "uniform_wd",
        "verified_index",
    )

    def __init__(
        self,
        tables: CalTables,
        timescale: str,
        policy: Policy | None,
        phase: str | None,
        convention: Convention,
        extensions: int = 0,
    ) -> None:
        resolved = resolved_rules(timescale, policy)  # raises UnknownTimescaleError
        check_phase(timescale, phase)
        resolved = tuple(r for r in resolved if r.rule.phase == phase)
        check_extensions(timescale, extensions, tuple(r.rule for r in resolved))
        self.key = (tables.calendar, timescale, policy, phase, convention, extensions)
        #: Reasons of row errors described so far (kept by ``bulk``: see its ``_Describer``).
        self.described: dict[tuple[int, ...], tuple[str, object, str, str]] = {}
        self.tables = tables
        self.timescale = timescale
        self.policy = policy
        self.phase = phase
        self.convention = convention
        self.extensions = extensions
        rules: dict[str, Rule] = {}
        for r in resolved:
            rules.setdefault(r.rule.id, r.rule)
        self.rules = tuple(rules.values())
        self.rule_ids = tuple(rules)
        codes = {rid: i for i, rid in enumerate(self.rule_ids)}
        t = tables
        n = len(t.cum)
        code_type = np.int8 if len(self.rules) < 127 else np.int16
        rule_at = np.full(n, -1, dtype=code_type)
        due_at = np.full(n, NAT, dtype=np.int64)
        err_at = np.full(n, PLAN_NO_RULE, dtype=np.int8)
        amount_at = np.zeros(n, dtype=np.int32)
        calendar_unit_at = np.zeros(n, dtype=np.bool_)
        cum0 = t.cum_zero(convention)
        classes: dict[tuple[bool, int], int] = {}
        class_at = np.full(n, -1, dtype=np.int32)
        for r in resolved:
            lo = max(epoch_day(r.start), t.first)
            hi = min(epoch_day(r.end) - 1, t.last) if r.end is not None else t.last
            if hi < lo:
                continue
            days = np.arange(lo, hi + 1, dtype=np.int64)
            idx = days - t.base
            rule = r.rule
            amount = length(rule, extensions)
            if rule.is_working_days:
                pos, same = t.add_index(idx, amount, convention)
                ok = (pos >= 0) & (pos < t.n_working)
                due = np.where(ok, t.wd[np.clip(pos, 0, t.n_working - 1)], NAT)
                if same is not None:
                    ok = np.ones(len(days), dtype=np.bool_)
                    due = days.copy()
            else:
                due = period_due(rule, days, amount)
                ok = (due >= t.first) & (due <= t.last)
                due = np.where(ok, due, NAT)
            if convention is Convention.NEXT_WORKING_DAY_ZERO:
                ok &= cum0[idx] <= t.n_working  # day 0 (the next working day) must exist
                due = np.where(ok, due, NAT)
            rule_at[idx] = codes[rule.id]
            due_at[idx] = due
            err_at[idx] = np.where(ok, 0, DUE_RANGE)
            amount_at[idx] = amount
            calendar_unit_at[idx] = not rule.is_working_days
            k = classes.setdefault((rule.is_working_days, amount), len(classes))
            class_at[idx] = np.where(ok, k, -1)
        self.rule_at = rule_at
        self.due_at = due_at
        self.err_at = err_at
        self.amount_at = amount_at
        self.calendar_unit_at = calendar_unit_at
        self.has_calendar_units = bool(calendar_unit_at.any())
        self.classes = tuple(classes)
        # Runs of equal class over the calendar's days, and the rule code if only one.
        span = class_at[t.first - t.base :]
        rules_span = rule_at[t.first - t.base :].astype(np.int32)
        cut = np.flatnonzero(np.diff(span) != 0) + 1
        starts = np.concatenate(([0], cut))
        ends = np.concatenate((cut - 1, [len(span) - 1]))
        self.runs_start = starts.astype(np.int64) + t.first
        self.runs_end = ends.astype(np.int64) + t.first
        self.runs_class = span[starts]
        # A run has one rule when no rule change falls inside it.
        changes = np.flatnonzero(np.diff(rules_span) != 0) + 1
        inside = np.searchsorted(changes, ends, side="right") - np.searchsorted(
            changes, starts, side="right"
        )
        self.runs_rule = np.where(inside == 0, rules_span[starts], -1)
        err_span = err_at[t.first - t.base :]
        self.runs_due_range = np.array(
            [
                bool(np.any(err_span[a : b + 1] == DUE_RANGE))
                for a, b in zip(starts, ends, strict=True)
            ],
            dtype=np.bool_,
        )
        #: For one case: a date's index is ``date.toordinal() - ord_base``; indexes from
        #: ``first_index`` to ``last_index`` are in the calendar; after ``verified_index``
        #: they are provisional.
        self.ord_base = _EPOCH_ORD + t.base
        self.first_index = t.first - t.base
        self.last_index = t.last - t.base
        self.verified_index = t.verified_last - t.base
        self._scalar: tuple[list[int], list[int], list[int]] | None = None
        self._run_starts: list[int] = self.runs_start.tolist()
        self._no_rule: dict[int, NoRuleInForceError] = {}
        self._spans: dict[tuple[int, int], Span] = {}
        #: The latest due date of any start day up to this one (bounds a chunk's due dates).
        self.due_max_upto = np.maximum.accumulate(due_at)
        # The uniform fast path (see kernels._assess_uniform): the tables of the start
        # days again, with one more entry after the calendar's last day, gathered with
        # mode="clip" so that any day at all (NaT, before 1970, after the calendar) reads
        # "no rule": rule -1, due NaT, and its error code (NaT itself is told apart later).
        self.rule_at_ext = np.append(rule_at, -1).astype(code_type)
        self.due_at_ext = np.append(due_at, NAT)
        start_code = np.where(
            err_at == DUE_RANGE, DUE_OUT_OF_RANGE, np.where(err_at != 0, NO_RULE, 0)
        )
        start_code[: t.first - t.base] = START_RANGE
        self.code_at_ext = np.append(start_code, START_RANGE).astype(np.int8)
        #: The amount when every rule of the plan counts that many working days, else None:
        #: the whole column is then one formula, and a chunk needs no span.
        self.uniform_wd: int | None = None
        #: The first start day whose due date falls outside the calendar (or after it).
        self.due_range_from = t.last + 1
        bad_due = np.flatnonzero(err_at == DUE_RANGE)
        if len(bad_due):
            self.due_range_from = int(bad_due[0]) + t.base
        #: Whether a rule counts 0 working days (its due date may be a non-working start):
        #: the fast paths assume every working-day due date is a working day.
        self.has_zero_wd = any(wd and amount == 0 for wd, amount in self.classes)
        if (
            len(self.classes) == 1
            and self.classes[0][0]
            and self.classes[0][1] > 0
            and t.base == 0
            and t.first > 0
        ):
            self.uniform_wd = self.classes[0][1]
        # The last working day on or before each due date (the due date itself for
        # working-day rules, whose due date is a working day or the start itself).
        di = np.where(due_at == NAT, t.first, due_at) - t.base
        back = t.wd[np.maximum(t.cum[di] - 1, 0)]
        lwd_at = np.where((due_at != NAT) & calendar_unit_at, back, due_at)
        self.lwd_at = lwd_at
        # The same tables for one case at a time: the two every deadline reads as Python
        # lists (a list index is several times faster than a numpy scalar index from
        # Python), the others as memoryviews of the arrays (free to make, a little slower to
        # read), so that the first deadline of a session stays quick.
        self.due_list: list[int] = due_at.tolist()
        self.code_list: list[int] = self.code_at_ext.tolist()
        self.lwd_list: memoryview = lwd_at.data
        self.rule_list: memoryview = rule_at.data
        for arr in (
            lwd_at,
            rule_at,
            due_at,
            err_at,
            amount_at,
            calendar_unit_at,
            self.due_max_upto,
            self.rule_at_ext,
            self.due_at_ext,
            self.code_at_ext,
        ):
            arr.setflags(write=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RulePlan):
            return NotImplemented
        return self is other or self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def scalar(self) -> tuple[list[int], list[int], list[int]]:
        """``(cum, cum0, cum_next)`` as Python lists, for one case (built on first use)."""
        if self._scalar is None:
            lists = self.tables.lists()
            cum0 = (
                lists.cum_next if self.convention is Convention.NEXT_WORKING_DAY_ZERO else lists.cum
            )
            self._scalar = (lists.cum, cum0, lists.cum_next)
        return self._scalar

    def rule_of(self, index: int) -> Rule:
        """The rule in force on the start day at a table index (which has one)."""
        return self.rules[self.rule_list[index]]

    def no_rule_error(self, day: _dt.date) -> NoRuleInForceError:
        """The error of a start day with no rule in force (its text names what applied)."""
        # Days between the same two of rule_bounds' days have the same reason but their own
        # date: rule_for is asked once per run of days, and the date put in.
        run = bisect.bisect_right(rule_bounds(self.timescale, self.policy), day)
        found = self._no_rule.get(run)
        if found is None:
            try:
                rule_for(self.timescale, day, policy=self.policy, phase=self.phase)
            except NoRuleInForceError as exc:
                found = exc
            else:  # pragma: no cover - the plan and rule_for read the same resolved rules
                found = NoRuleInForceError(self.timescale, day, ())
            self._no_rule[run] = found
        return NoRuleInForceError(found.timescale, day, found.instead, found.detail)

    def span(self, lo: int, hi: int) -> Span:
        """What the start days ``[lo, hi]`` (inside the calendar) hold: see :class:`Span`."""
        i0 = bisect.bisect_right(self._run_starts, lo) - 1
        i1 = bisect.bisect_right(self._run_starts, hi) - 1
        found = self._spans.get((i0, i1))
        if found is None:
            found = self._spans[i0, i1] = self._span(i0, i1)
        return found

    def _span(self, i0: int, i1: int) -> Span:
        cls = self.runs_class[i0 : i1 + 1]
        valid = sorted({int(c) for c in cls if c >= 0})
        invalid = bool(np.any(cls < 0))
        due_range = bool(np.any(self.runs_due_range[i0 : i1 + 1]))
        single = int(self.runs_rule[i0]) if i0 == i1 and not invalid else -1
        kinds = {self.classes[c][0] for c in valid}
        amount = self.classes[valid[0]][1] if len(valid) == 1 else None
        return Span(
            n_classes=len(valid),
            counts_wd=kinds.pop() if len(kinds) == 1 else None,
            amount=amount,
            invalid=invalid,
            due_range=due_range,
            single_rule=single,
        )

    def run_of(self, lo: int, hi: int) -> int:
        """The run holding every start day in ``[lo, hi]`` with a computable class, or -1."""
        if lo < self.tables.first or hi > self.tables.last:
            return -1
        i = int(np.searchsorted(self.runs_start, lo, side="right")) - 1
        if hi > self.runs_end[i] or self.runs_class[i] < 0:
            return -1
        return i

    def rule_class(self, run: int) -> tuple[bool, int]:
        """``(counts working days, amount)`` of a run."""
        return self.classes[int(self.runs_class[run])]


@attrs.frozen
class Span:
    """The rules met by a range of start days.

    Attributes:
        n_classes: how many distinct (unit, amount) classes of computable rows.
        counts_wd: True if all count working days, False if all count calendar periods,
            None if both kinds occur (or none).
        amount: the one amount, when there is one class.
        invalid: whether some days cannot be computed (no rule, or result out of range).
        due_range: whether some days have a rule whose result falls outside the calendar.
        single_rule: the rule code when every day has this one rule, else -1.
    """

    n_classes: int
    counts_wd: bool | None
    amount: int | None
    invalid: bool
    due_range: bool
    single_rule: int


def check_phase(timescale: str, phase: str | None) -> None:
    """Refuse a phase the timescale does not have, or a missing phase it needs."""
    phases = rulebook().timescales[timescale].phases
    if phases and phase not in phases:
        raise InvalidOptionError(
            "phase",
            phase,
            f"{timescale!r} needs phase= one of {', '.join(phases)}, got {phase!r}"
            + did_you_mean(phase, phases),
        )
    if not phases and phase is not None:
        raise InvalidOptionError(
            "phase", phase, f"{timescale!r} has no phases, got phase={phase!r}"
        )


def check_extensions(timescale: str, extensions: object, rules: tuple[Rule, ...]) -> None:
    """Refuse extensions that are not a count, or that the timescale's rules do not allow."""
    if type(extensions) is not int or extensions < 0:
        raise InvalidOptionError(
            "extensions",
            extensions,
            f"extensions must be a whole number 0 or more, got {extensions!r}",
        )
    if not extensions:
        return
    for rule in rules:
        if rule.extension is None:
            raise InvalidOptionError(
                "extensions", extensions, f"rule {rule.id!r} of {timescale!r} has no extension"
            )
        most = rule.extension.max_times
        if most is not None and extensions > most:
            raise InvalidOptionError(
                "extensions",
                extensions,
                f"rule {rule.id!r} may be extended at most {most} time(s), got {extensions}",
            )


@functools.lru_cache(maxsize=256)
def rule_plan(
    cal: WorkingCalendar,
    timescale: str,
    policy: Policy | None,
    phase: str | None,
    convention: Convention,
    extensions: int = 0,
) -> RulePlan:
    """The rule plan of a timescale on a calendar (cached: calendars and policies are frozen)."""
    return RulePlan(cal_tables(cal), timescale, policy, phase, convention, extensions)
