"""Deadlines: when a timescale falls due for one case, why, and whether it was met.

A face over the engine (``safeguard_time._engine``): :func:`deadline` and :func:`assess`
parse their arguments, ask the engine, and wrap the answer in immutable values that explain
themselves.  Columns of cases get the same answers from :mod:`safeguard_time.bulk`.

>>> import datetime as dt
>>> d = deadline("assessment", dt.date(2024, 3, 8))
>>> d
Deadline(assessment, start=2024-03-08, due=2024-05-15, rule=assessment.wt2023)
>>> d.assess(dt.date(2024, 5, 16)).status
<Status.MISSED: 'missed'>
"""

from __future__ import annotations

import datetime as _dt
import warnings
from typing import TYPE_CHECKING

import attrs
import numpy as np

from safeguard_time import _engine as engine
from safeguard_time._dates import DateLike, london_date
from safeguard_time._engine.codes import NO_RULE, Status
from safeguard_time.calendar import Convention, Holiday, WorkingCalendar
from safeguard_time.errors import (
    MissingDateError,
    ProvisionalCalendarWarning,
    SafeguardTimeError,
)
from safeguard_time.rules import Policy, Rule, rulebook

if TYPE_CHECKING:
    from safeguard_time._engine.tables import RulePlan

__all__ = ["Deadline", "Status", "Timeliness", "assess", "deadline"]

_date = _dt.date
_fromordinal = _dt.date.fromordinal
_EPOCH_ORD = _dt.date(1970, 1, 1).toordinal()
_EVENT_DAY_ZERO = Convention.EVENT_DAY_ZERO
_plans = engine.PLANS
# Values are built field by field, as attrs' own __init__ does, without the keyword call:
# one case at a time is the hot path of case-management systems.
_new = object.__new__
_set = object.__setattr__


def _fmt(day: _dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _short(day: _dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _day(value: DateLike | None) -> _dt.date | None:
    """A London date, or None for a missing value (None, NaT, a blank text)."""
    if type(value) is _date:
        return value
    if value is None or (isinstance(value, np.datetime64) and np.isnat(value)):
        return None
    try:
        return london_date(value)
    except MissingDateError:
        return None


def _warn(cal: WorkingCalendar) -> None:
    warnings.warn(cal.provisional_words(), ProvisionalCalendarWarning, stacklevel=3)


@attrs.frozen(repr=False)
class Deadline:
    """When a timescale falls due for one case, and the rule behind it.

    Build one with :func:`deadline`.  Its values are read from the engine's tables on
    access.

    Attributes:
        start: the London date of the start event (day 0).
    """

    _plan: RulePlan = attrs.field(alias="_plan")
    start: _dt.date
    _index: int = attrs.field(alias="_index")

    @property
    def timescale(self) -> str:
        """The timescale id.

        >>> import datetime as dt
        >>> deadline("assessment", dt.date(2024, 3, 8)).timescale
        'assessment'
        """
        return self._plan.timescale

    @property
    def due(self) -> _dt.date:
        """The statutory due date.

        >>> import datetime as dt
        >>> deadline("first_cp_review", dt.date(2023, 11, 30)).due   # 3 months: 29 Feb 2024
        datetime.date(2024, 2, 29)
        """
        return _fromordinal(self._plan.due_list[self._index] + _EPOCH_ORD)

    @property
    def last_working_day(self) -> _dt.date:
        """``due``, or the last working day before it when ``due`` is not a working day.

        Only calendar-period rules (weeks, months) can fall due on a non-working day.

        >>> import datetime as dt
        >>> d = deadline("lac_first_visit", dt.date(2024, 3, 2))    # 1 week: Sat 9 Mar
        >>> d.due, d.last_working_day
        (datetime.date(2024, 3, 9), datetime.date(2024, 3, 8))
        """
        return _fromordinal(self._plan.lwd_list[self._index] + _EPOCH_ORD)

    @property
    def rule(self) -> Rule:
        """The rule in force on ``start`` (edition, citation, source status).

        >>> import datetime as dt
        >>> r = deadline("initial_assessment", dt.date(2011, 4, 26)).rule
        >>> r.id, r.amount, r.unit
        ('initial_assessment.wt2010', 10, 'working_days')
        """
        return self._plan.rule_of(self._index)

    @property
    def convention(self) -> Convention:
        """How working days were counted.

        >>> import datetime as dt
        >>> deadline("assessment", dt.date(2024, 3, 9), convention="next_working_day_zero").convention
        <Convention.NEXT_WORKING_DAY_ZERO: 'next_working_day_zero'>
        """
        return self._plan.convention

    @property
    def policy(self) -> Policy:
        """The council policy used (the statutory defaults when none was given).

        >>> import datetime as dt
        >>> deadline("assessment", dt.date(2024, 3, 8)).policy.name
        'statutory defaults'
        """
        return self._plan.policy or Policy()

    @property
    def phase(self) -> str | None:
        """The phase of a repeating rule, where it has phases.

        >>> import datetime as dt
        >>> deadline("lac_visit", dt.date(2024, 3, 8), phase="first_year").phase
        'first_year'
        """
        return self._plan.phase

    @property
    def extensions(self) -> int:
        """How many of the rule's extensions were applied.

        >>> import datetime as dt
        >>> deadline("care_proceedings", dt.date(2024, 3, 8), extensions=1).extensions
        1
        """
        return self._plan.extensions

    @property
    def calendar(self) -> WorkingCalendar:
        """The working-day calendar used.

        >>> import datetime as dt
        >>> deadline("assessment", dt.date(2024, 3, 8)).calendar.name
        'England & Wales'
        """
        return self._plan.tables.calendar

    @property
    def provisional(self) -> bool:
        """Whether the due date depends on bank holidays past the verified horizon.

        >>> import datetime as dt, warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     deadline("assessment", dt.date(2028, 12, 1)).provisional
        True
        """
        p = self._plan
        return max(self._index, p.due_list[self._index] - p.tables.base) > p.verified_index

    @property
    def length(self) -> int:
        """The rule's length including extensions, in the rule's unit.

        >>> import datetime as dt
        >>> deadline("complaint_stage2", dt.date(2024, 3, 8), extensions=1).length
        65
        """
        return engine.length(self.rule, self.extensions)

    @property
    def closures(self) -> tuple[Holiday, ...]:
        """The local closure days that moved this due date (or its last working day).

        A working-day rule's due date moves for each closure on a weekday after the start,
        up to the due date; a calendar-period rule's last working day moves for a closure
        between it and the due date.

        >>> import datetime as dt
        >>> from safeguard_time import england_and_wales
        >>> days = [dt.date(2024, 3, 11), dt.date(2024, 6, 3)]
        >>> cal = england_and_wales().with_closures(days, label="Shutdown")
        >>> d = deadline("referral_decision", dt.date(2024, 3, 8), calendar=cal)
        >>> d.due, [c.date.isoformat() for c in d.closures]
        (datetime.date(2024, 3, 12), ['2024-03-11'])
        """
        cal = self.calendar
        if not cal.closures:
            return ()
        if self.rule.is_working_days:
            lo, hi = self.start + _dt.timedelta(days=1), self.due
        else:
            lo, hi = self.last_working_day + _dt.timedelta(days=1), self.due
        if hi < lo:
            return ()
        return cal.closures_between(lo, hi)

    def __repr__(self) -> str:
        return (
            f"Deadline({self.timescale}, start={self.start.isoformat()}, "
            f"due={self.due.isoformat()}, rule={self.rule.id})"
        )

    def explain(self) -> str:
        """One readable paragraph: the timescale, rule, edition, citation, days and caveats.

        >>> import datetime as dt
        >>> print(deadline("referral_decision", dt.date(2022, 9, 16)).explain())
        Decision on a referral (referral_decision) is due on Tuesday 20 September 2022: 1 working day after the referral received on Friday 16 September 2022, the day of the event being day 0. Rule referral_decision.wt2018 of Working Together to Safeguard Children (2018), chapter 1... Non-working weekdays skipped: Mon 19 Sep 2022 (State Funeral of Queen Elizabeth II). Source status: secondary...
        """
        rule = self.rule
        cal = self.calendar
        ts = rulebook().timescales[self.timescale]
        head = f"{ts.title} ({self.timescale}) is due on {_fmt(self.due)}: "
        parts = [f"{head}{rule.describe_period(self.extensions)} on {_fmt(self.start)}"]
        if rule.unit == "weeks_beginning_with":
            parts[0] = (
                f"{head}{rule.describe_period(self.extensions)} ({_fmt(self.start)}, which is "
                "day 1)."
            )
        elif rule.is_working_days:
            if self.convention is Convention.EVENT_DAY_ZERO:
                parts[0] += ", the day of the event being day 0."
            else:
                parts[0] += ", counted from the first working day on or after it (day 0)."
        else:
            parts[0] += "."
        phase = f", phase {self.phase!r}" if self.phase else ""
        parts.append(
            f"Rule {rule.id}{phase} of {rule.edition.title}, {rule.citation.location}"
            + (f" ({rule.citation.url})" if rule.citation.url else "")
            + "."
        )
        if rule.is_working_days:
            skipped: tuple[Holiday, ...] = ()
            if self.due > self.start:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ProvisionalCalendarWarning)
                    skipped = cal.holidays(self.start + _dt.timedelta(days=1), self.due)
            if skipped:
                listed = ", ".join(f"{_short(h.date)} ({h.name})" for h in skipped)
                parts.append(f"Non-working weekdays skipped: {listed}.")
            else:
                parts.append("No bank holiday or closure fell in the period; weekends skipped.")
        elif self.last_working_day != self.due:
            parts.append(
                f"The due date is not a working day; the last working day on or before it is "
                f"{_fmt(self.last_working_day)}."
            )
        if self.closures:
            labels = sorted({c.name for c in self.closures})
            parts.append(f"Local closures that moved it: {', '.join(labels)}.")
        if self.extensions:
            parts.append(f"Includes {self.extensions} extension(s).")
        caveats = rule.caveats_under(self.policy)
        if caveats:
            parts.append(f"Caveats (check before relying on it): {'; '.join(caveats)}.")
        if rule.status == "secondary":
            parts.append(
                "Source status: secondary (the figure is well attested, but the paragraph of "
                "the source itself was not read)."
            )
        differences = self.policy.differences()
        if differences:
            parts.append(f"Council policy ({self.policy.name}): {'; '.join(differences)}.")
        if cal.update and cal.update.first_year <= self.due.year and self.start.year <= cal.update.last_year:  # fmt: skip
            parts.append(f"Bank holidays of {cal.update.first_year}-{cal.update.last_year} from {cal.update.source}.")  # fmt: skip
        if self.provisional:
            parts.append(
                f"Provisional: depends on bank holidays after {cal.verified_through}, which are "
                f"projections ({cal.projection})."
            )
        return " ".join(parts)

    def assess(self, end: DateLike | None = None, *, as_of: DateLike | None = None) -> Timeliness:
        """Whether the timescale was met, judged against the due date.

        ``met`` when the end event is on or before the due date, ``missed`` after it; with
        no end (``None``, ``NaT``, a blank text) the case is open and is judged ``as_of``
        (there is no hidden "today"): ``open_in_time``, or ``open_overdue`` when ``as_of``
        is after the due date.  Working days late count an end on a non-working day as the
        next working day, so a late case is at least 1 working day late.

        >>> import datetime as dt
        >>> d = deadline("initial_cp_conference", dt.date(2024, 1, 10))
        >>> d.due
        datetime.date(2024, 1, 31)
        >>> a = d.assess(as_of=dt.date(2024, 2, 2))
        >>> a.status.value, a.elapsed, a.late
        ('open_overdue', 17, 2)
        >>> late = deadline("assessment", dt.date(2024, 1, 25)).assess(dt.date(2024, 4, 1))
        >>> late.status.value, late.elapsed, late.late     # Easter Monday, after Thu 28 Mar
        ('missed', 45, 1)
        """
        end_day = end if type(end) is _date else _day(end)
        as_of_day = None if end_day is not None else _day(as_of)
        p = self._plan
        elapsed, code, late, m = engine.judge(p, self._index, end_day, as_of_day)
        if m > p.verified_index:
            full = engine.projected(p)
            if full is not None:  # the projected years are read, and the case judged again
                p = full
                elapsed, code, late, m = engine.judge(p, self._index, end_day, as_of_day)
            _warn(p.tables.calendar)
        t = _new(Timeliness)
        _set(t, "timescale", p.timescale)
        _set(t, "start", self.start)
        _set(t, "deadline", self)
        _set(t, "status", _STATUS[code])
        _set(t, "end", end_day)
        _set(t, "as_of", as_of_day)
        _set(t, "elapsed", elapsed)
        _set(t, "late", late)
        return t


_STATUS = {s.code: s for s in Status}


@attrs.frozen(repr=False)
class Timeliness:
    """The timeliness of one case: the status, as of its end or as of a date.

    The column result (:class:`safeguard_time.bulk.BulkAssessment`) has the same fields
    with the same meanings, one value per row.

    Attributes:
        timescale: the timescale id.
        start: the start event's date (``None`` when missing: not applicable).
        deadline: the deadline judged (``None`` when the status is ``not_applicable``).
        status: met / missed / open_in_time / open_overdue / not_applicable.
        end: the end event's date (``None`` for an open case).
        as_of: the date an open case was judged on (``None`` when it has ended).
        elapsed: working days from the start to the end (or ``as_of``): a duration, which
            the DfE duration bins count (``None`` when not applicable).
        late: working days after the due date (0 when in time; ``None`` when not
            applicable).
    """

    timescale: str
    start: _dt.date | None
    deadline: Deadline | None
    status: Status
    end: _dt.date | None
    as_of: _dt.date | None
    elapsed: int | None
    late: int | None

    @property
    def due(self) -> _dt.date | None:
        """The due date (``None`` when not applicable).

        >>> import datetime as dt
        >>> assess("assessment", dt.date(2024, 3, 8), as_of=dt.date(2024, 4, 1)).due
        datetime.date(2024, 5, 15)
        """
        return self.deadline.due if self.deadline is not None else None

    @property
    def rule(self) -> Rule | None:
        """The rule judged by (``None`` when not applicable).

        >>> import datetime as dt
        >>> assess("assessment", dt.date(2011, 6, 1), as_of=dt.date(2012, 1, 9)).rule is None
        True
        """
        return self.deadline.rule if self.deadline is not None else None

    @property
    def provisional(self) -> bool:
        """Whether the answer depends on bank holidays past the verified horizon.

        >>> import datetime as dt
        >>> assess("assessment", dt.date(2024, 3, 8), dt.date(2024, 5, 1)).provisional
        False
        """
        if self.deadline is None:
            return False
        when = self.end or self.as_of
        cal = self.deadline.calendar
        return self.deadline.provisional or (when is not None and when.year > cal.verified_through)

    @property
    def met(self) -> bool:
        """Whether the timescale was (or is so far) kept.

        >>> import datetime as dt
        >>> deadline("referral_decision", dt.date(2024, 3, 8)).assess(as_of=dt.date(2024, 3, 11)).met
        True
        """
        return self.status in (Status.MET, Status.OPEN_IN_TIME)

    def __repr__(self) -> str:
        when = f"end={self.end.isoformat()}" if self.end else f"as_of={_iso(self.as_of)}"
        return (
            f"Timeliness({self.timescale}, start={_iso(self.start)}, {when}, "
            f"status={self.status.value}, elapsed={self.elapsed}, late={self.late})"
        )

    def explain(self) -> str:
        """The deadline's explanation followed by the verdict.

        >>> import datetime as dt
        >>> a = deadline("referral_decision", dt.date(2024, 3, 8)).assess(dt.date(2024, 3, 12))
        >>> a.explain()
        'Decision on a referral (referral_decision) is due on Monday 11 March 2024: ... Outcome: completed on Tuesday 12 March 2024, 2 working days after the start: missed, 1 working day late.'
        """
        if self.deadline is None:
            if self.start is None:
                return (
                    f"No start or end event for {self.timescale!r}: the timescale does not "
                    "apply (not_applicable)."
                )
            return (
                f"No rule of {self.timescale!r} was in force on {_fmt(self.start)} and there "
                "is no end event: the timescale does not apply (not_applicable)."
            )
        when = (
            f"completed on {_fmt(self.end)}"
            if self.end is not None
            else f"still open on {_fmt(self.as_of)}"  # type: ignore[arg-type]
        )
        late = f", {_days(self.late or 0)} late" if self.late else ""
        return (
            f"{self.deadline.explain()} Outcome: {when}, {_days(self.elapsed or 0)} after the "
            f"start: {self.status.words}{late}."
        )


def _days(n: int) -> str:
    return f"{n} working day" if n in (1, -1) else f"{n} working days"


def _iso(day: _dt.date | None) -> str:
    return day.isoformat() if day is not None else "None"


def deadline(
    timescale: str,
    start: DateLike,
    *,
    calendar: WorkingCalendar | None = None,
    convention: Convention | str = _EVENT_DAY_ZERO,
    policy: Policy | None = None,
    phase: str | None = None,
    extensions: int = 0,
) -> Deadline:
    """The deadline of ``timescale`` for a case whose start event happened on ``start``.

    The rule in force on the start date applies, under the council's ``policy`` (switch
    dates).  ``start`` may be a date, a datetime (aware ones become London dates), a
    ``numpy.datetime64`` or text in the one date grammar (``"2024-03-08"``,
    ``"08/03/2024"``).  ``phase`` picks the interval of a repeating rule whose length depends
    on context (``lac_visit``, ``private_fostering_visit``; :func:`schedule` picks it for
    you); ``extensions`` applies that many of the rule's extensions (complaints, care
    proceedings).

    Args:
        timescale: a timescale id (``assessment``, ``initial_cp_conference``; see
            :func:`timescales`).
        start: the day of the start event (day 0): a date, a datetime (aware ones become London
            dates), a ``numpy.datetime64`` or text in the one date grammar.
        calendar: the working-day calendar (default: :func:`~safeguard_time.england_and_wales`).
        convention: how day 0 is counted: ``EVENT_DAY_ZERO`` (the default, Excel's ``WORKDAY``) or
            ``NEXT_WORKING_DAY_ZERO``, or its name.
        policy: the council's switch dates (default: the statutory ones).
        phase: the phase of a rule that has phases (``first_year`` of a ``lac_visit``).
        extensions: how many of the rule's extensions to apply (default 0).

    Returns:
        The case's deadline, with its due date, rule and explanation.

    Raises:
        UnknownTimescaleError: ``timescale`` is not a timescale id (the message suggests one).
        NoRuleInForceError: no rule of the timescale was in force on ``start``.
        CalendarRangeError: ``start`` or the due date is outside the calendar (1990-2099).
        NotADateError: ``start`` is text that is not a date.

    >>> import datetime as dt
    >>> deadline("first_cp_review", dt.date(2023, 11, 30)).due      # 3 months: 29 Feb 2024
    datetime.date(2024, 2, 29)
    >>> deadline("complaint_stage1", dt.date(2024, 3, 8), extensions=1).due
    datetime.date(2024, 4, 9)
    """
    p = _plans.get((timescale, calendar, policy, phase, convention, extensions))
    if p is None:
        p = engine.plan(timescale, calendar, policy, phase, convention, extensions)
    day = start if type(start) is _date else _day(start)
    if day is None:
        raise MissingDateError.of("start")
    # engine.start, inlined for the hot path: one case at a time is what case systems call.
    i = day.toordinal() - p.ord_base
    if not (p.first_index <= i <= p.last_index and not p.code_list[i]):
        i = engine.start(p, day)  # raises: out of range, no rule, due date out of range
    if i > p.verified_index or p.due_list[i] - p.tables.base > p.verified_index:
        full = engine.projected(p)
        if full is not None:  # the projected years are read, and the deadline is computed again
            p, i = full, engine.start(full, day)
        _warn(p.tables.calendar)
    d = _new(Deadline)
    _set(d, "_plan", p)
    _set(d, "start", day)
    _set(d, "_index", i)
    return d


def assess(
    timescale: str,
    start: DateLike | None,
    end: DateLike | None = None,
    *,
    as_of: DateLike | None = None,
    calendar: WorkingCalendar | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    policy: Policy | None = None,
    phase: str | None = None,
    extensions: int = 0,
) -> Timeliness:
    """The timeliness of one case: ``bulk.assess`` for a single row.

    The same as ``deadline(timescale, start, ...).assess(end, as_of=as_of)``, except that a
    case with no end event whose start is missing, or has no rule in force (a 2011 referral
    has no single assessment), is ``not_applicable`` instead of an error, as it is in bulk.

    Args:
        timescale: a timescale id, as for :func:`deadline`.
        start: the day of the start event: a date, a datetime (aware ones become London dates), a
            ``numpy.datetime64`` or text in the one date grammar; ``None`` for none.
        end: the day of the end event; ``None`` for an open case.
        as_of: the day an open case is judged on (required for an open case: there is no
            hidden "today").
        calendar: the working-day calendar (default: England & Wales).
        convention: how day 0 is counted: ``EVENT_DAY_ZERO`` (the default, Excel's ``WORKDAY``) or
            ``NEXT_WORKING_DAY_ZERO``, or its name.
        policy: the council's switch dates.
        phase: the phase of a rule that has phases.
        extensions: how many of the rule's extensions to apply.

    Returns:
        The case's timeliness, with its status, due date, working days elapsed and late.

    >>> import datetime as dt
    >>> assess("assessment", dt.date(2011, 6, 1), as_of=dt.date(2012, 1, 9)).status.value
    'not_applicable'
    >>> assess("assessment", dt.date(2024, 3, 8), dt.date(2024, 5, 15)).status.value
    'met'
    """
    p = engine.plan(timescale, calendar, policy, phase, convention, extensions)
    # The start's problems come first, then the end's, as in bulk.
    day = _day(start)
    end_error: SafeguardTimeError | None = None
    try:
        end_day = _day(end)
    except SafeguardTimeError as exc:
        end_day, end_error = None, exc
    no_end = end_day is None and end_error is None
    if day is None:
        if no_end:
            return _not_applicable(p, None, as_of)
        raise MissingDateError.of("start")
    _, code = engine.start_code(p, day)
    if code:
        if code == NO_RULE and no_end:
            return _not_applicable(p, day, as_of)
        raise engine.row_error(p, code, day)
    if end_error is not None:
        raise end_error
    return deadline(
        timescale,
        day,
        calendar=calendar,
        convention=convention,
        policy=policy,
        phase=phase,
        extensions=extensions,
    ).assess(end_day, as_of=as_of)


def _not_applicable(p: RulePlan, day: _dt.date | None, as_of: DateLike | None) -> Timeliness:
    return Timeliness(
        timescale=p.timescale,
        start=day,
        deadline=None,
        status=Status.NOT_APPLICABLE,
        end=None,
        as_of=_day(as_of),
        elapsed=None,
        late=None,
    )
