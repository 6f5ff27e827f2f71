"""Deadlines: when a timescale falls due, why, and whether it was met.

>>> import datetime as dt
>>> d = deadline("assessment", dt.date(2024, 3, 8))
>>> d.due, d.rule.id
(datetime.date(2024, 5, 15), 'assessment.wt2023')
>>> d.assess(dt.date(2024, 5, 16)).status
<Status.MISSED: 'missed'>
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from safeguard_time._dates import london_date
from safeguard_time.calendar import Convention, Holiday, WorkingCalendar, england_and_wales
from safeguard_time.errors import CalendarRangeError, EventOrderError
from safeguard_time.rules import Policy, Rule, _default_policy, rule_for, rulebook

__all__ = ["Assessment", "Deadline", "Status", "deadline"]


class Status(enum.StrEnum):
    """Timeliness of one timescale for one case."""

    MET = "met"
    MISSED = "missed"
    OPEN_IN_TIME = "open_in_time"
    OPEN_OVERDUE = "open_overdue"


def _fmt(day: _dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _short(day: _dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def add_period(rule: Rule, start: _dt.date, extensions: int = 0) -> _dt.date:
    """The statutory date of a calendar-period rule (not working days) from ``start``.

    Months follow Dodds v Walker: the same day-number N months later, or the month's last
    day when there is none (30 Nov + 3 months = 28/29 Feb).
    """
    extra = rule.extension.amount * extensions if rule.extension else 0
    if rule.unit == "months":
        return start + relativedelta(months=rule.amount + extra)
    if rule.unit == "weeks":
        return start + _dt.timedelta(weeks=rule.amount + extra)
    if rule.unit == "weeks_beginning_with":
        # "N weeks beginning with the day X": X is day 1, so the last day is X + 7N - 1.
        return start + _dt.timedelta(weeks=rule.amount + extra, days=-1)
    if rule.unit == "calendar_days":
        return start + _dt.timedelta(days=rule.amount + extra)
    raise ValueError(f"rule {rule.id!r} counts working days, not a calendar period")


@attrs.frozen
class Deadline:
    """When a timescale falls due for one case, and the rule behind it.

    Attributes:
        timescale: the timescale id, e.g. ``"assessment"``.
        start: the London date of the start event (day 0).
        due: the statutory due date.
        last_working_day: ``due``, or the last working day before it when ``due`` is not a
            working day (calendar-period rules only).
        rule: the rule in force on ``start`` (edition, citation, source status).
        convention: how working days were counted.
        provisional: whether the answer depends on bank holidays past the verified horizon.
        closures: local closure days that moved the answer.
        policy: the council policy used.
        phase: the phase of a repeating rule, where it has phases.
        extensions: how many extensions were applied.
    """

    timescale: str
    start: _dt.date
    due: _dt.date
    last_working_day: _dt.date
    rule: Rule
    convention: Convention
    provisional: bool
    closures: tuple[Holiday, ...]
    policy: Policy
    calendar: WorkingCalendar = attrs.field(repr=False)
    phase: str | None = None
    extensions: int = 0

    @property
    def length(self) -> int:
        """The rule's length including extensions, in the rule's unit.

        >>> import datetime as dt
        >>> deadline("complaint_stage2", dt.date(2024, 3, 8), extensions=1).length
        65
        """
        extra = self.rule.extension.amount * self.extensions if self.rule.extension else 0
        return self.rule.amount + extra

    def explain(self) -> str:
        """One readable paragraph: the timescale, rule, edition, citation, days and caveats.

        >>> import datetime as dt
        >>> print(deadline("referral_decision", dt.date(2022, 9, 16)).explain())
        Decision on a referral (referral_decision) is due on Tuesday 20 September 2022: 1 working day after the referral received on Friday 16 September 2022, the day of the event being day 0. Rule referral_decision.wt2018 of Working Together to Safeguard Children (2018), chapter 1... Non-working weekdays skipped: Mon 19 Sep 2022 (State Funeral of Queen Elizabeth II). Source status: secondary...
        """
        rule = self.rule
        cal = self.calendar
        ts = rulebook().timescales[self.timescale]
        start_event = rule.start_event
        parts = [
            f"{ts.title} ({self.timescale}) is due on {_fmt(self.due)}: "
            f"{rule.describe_length(self.extensions)} after the {start_event} "
            f"on {_fmt(self.start)}"
        ]
        if rule.is_working_days:
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
            s, d = cal._offset(self.start), cal._offset(self.due)
            skipped = cal._holidays_in(s + 1, d) if s < d else ()
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
            parts.append(f"Local closures used: {', '.join(labels)}.")
        if self.extensions:
            parts.append(f"Includes {self.extensions} extension(s).")
        if rule.status == "unconfirmed":
            parts.append(
                "Caveat: this rule's source is UNCONFIRMED"
                + (f" ({rule.note.removeprefix('UNCONFIRMED: ')})" if rule.note else "")
                + "; check it before relying on it."
            )
        elif rule.status == "secondary":
            parts.append(
                "Source status: secondary (the figure is well attested, but the paragraph of "
                "the source itself was not read)."
            )
        differences = self.policy.differences()
        if differences:
            parts.append(f"Council policy ({self.policy.name}): {'; '.join(differences)}.")
        if self.provisional:
            parts.append(
                f"Provisional: depends on bank holidays after {cal.verified_through}, which are "
                "projections."
            )
        return " ".join(parts)

    def assess(self, completed: Any = None, *, as_of: Any = None) -> Assessment:
        """Whether the timescale was met: ``met``, ``missed``, ``open_in_time``, ``open_overdue``.

        A working-day rule is met when the working days elapsed from the start to completion
        are at most its length; a calendar-period rule when completion is on or before the
        due date.  An open case (``completed=None``) needs ``as_of``: there is no hidden
        "today".

        >>> import datetime as dt
        >>> d = deadline("initial_cp_conference", dt.date(2024, 1, 10))
        >>> d.due
        datetime.date(2024, 1, 31)
        >>> a = d.assess(as_of=dt.date(2024, 2, 2))
        >>> a.status.value, a.elapsed, a.working_days_late
        ('open_overdue', 17, 2)
        """
        cal = self.calendar
        s = cal._offset(self.start, "start")
        if completed is not None:
            end = london_date(completed)
            if end < self.start:
                raise EventOrderError(
                    f"{self.timescale}: completed {end.isoformat()} is before the start "
                    f"{self.start.isoformat()}"
                )
        elif as_of is None:
            raise ValueError(
                f"{self.timescale}: an open case needs as_of= (the date to judge it on)"
            )
        else:
            end = london_date(as_of)
        e = cal._offset(end, "completed" if completed is not None else "as_of")
        d = cal._offset(self.due, "due")
        elapsed = cal._between(s, e, self.convention)
        # Working-day rules: met when elapsed <= N.  Calendar rules: on or before the due date.
        in_time = elapsed <= self.length if self.rule.is_working_days else end <= self.due
        if completed is not None:
            status = Status.MET if in_time else Status.MISSED
        else:
            status = Status.OPEN_IN_TIME if in_time else Status.OPEN_OVERDUE
        late = 0 if in_time else max(0, cal._between(d, e, Convention.EVENT_DAY_ZERO))
        days_late = 0 if in_time else (end - self.due).days
        if cal._is_provisional(e):
            cal._warn_provisional(e)
        return Assessment(
            deadline=self,
            status=status,
            completed=end if completed is not None else None,
            as_of=None if completed is not None else end,
            elapsed=elapsed,
            working_days_late=late,
            days_late=days_late,
        )


@attrs.frozen
class Assessment:
    """The timeliness of one deadline, as of completion or as of a date.

    Attributes:
        deadline: the deadline judged.
        status: met / missed / open_in_time / open_overdue.
        completed: the completion date (None for an open case).
        as_of: the date an open case was judged on (None when completed).
        elapsed: working days from the start to completion (or ``as_of``).
        working_days_late: working days after the due date (0 when in time).
        days_late: calendar days after the due date (0 when in time).
    """

    deadline: Deadline
    status: Status
    completed: _dt.date | None
    as_of: _dt.date | None
    elapsed: int
    working_days_late: int
    days_late: int

    @property
    def met(self) -> bool:
        """Whether the timescale was (or is so far) kept.

        >>> import datetime as dt
        >>> deadline("referral_decision", dt.date(2024, 3, 8)).assess(as_of=dt.date(2024, 3, 11)).met
        True
        """
        return self.status in (Status.MET, Status.OPEN_IN_TIME)

    def explain(self) -> str:
        """The deadline's explanation followed by the verdict.

        >>> import datetime as dt
        >>> a = deadline("referral_decision", dt.date(2024, 3, 8)).assess(dt.date(2024, 3, 12))
        >>> a.explain()
        'Decision on a referral (referral_decision) is due on Monday 11 March 2024: ... Outcome: completed on Tuesday 12 March 2024, 2 working day(s) after the start: missed, 1 working day(s) late.'
        """
        when = (
            f"completed on {_fmt(self.completed)}"
            if self.completed is not None
            else f"still open on {_fmt(self.as_of)}"  # type: ignore[arg-type]
        )
        verdict = {
            Status.MET: "met",
            Status.MISSED: "missed",
            Status.OPEN_IN_TIME: "open and in time",
            Status.OPEN_OVERDUE: "open and overdue",
        }[self.status]
        late = f", {self.working_days_late} working day(s) late" if self.working_days_late else ""
        return (
            f"{self.deadline.explain()} Outcome: {when}, {self.elapsed} working day(s) after the "
            f"start: {verdict}{late}."
        )


def deadline(
    timescale: str,
    start: Any,
    *,
    calendar: WorkingCalendar | None = None,
    convention: Convention = Convention.EVENT_DAY_ZERO,
    policy: Policy | None = None,
    phase: str | None = None,
    extensions: int = 0,
) -> Deadline:
    """The deadline of ``timescale`` for a case whose start event happened on ``start``.

    The rule in force on the start date applies, under the council's ``policy`` (switch dates,
    clock starts).  ``start`` may be a date, a datetime (aware ones become London dates) or a
    ``numpy.datetime64``.  ``phase`` picks the interval of a repeating rule whose length
    depends on context (``lac_visit``, ``private_fostering_visit``; :func:`schedule` picks it
    for you); ``extensions`` applies that many of the rule's extensions (complaints, care
    proceedings).

    >>> import datetime as dt
    >>> deadline("first_cp_review", dt.date(2023, 11, 30)).due      # 3 months: 29 Feb 2024
    datetime.date(2024, 2, 29)
    >>> deadline("complaint_stage1", dt.date(2024, 3, 8), extensions=1).due
    datetime.date(2024, 4, 9)
    """
    cal = calendar if calendar is not None else england_and_wales()
    convention = Convention(convention)  # also accepts the value string
    policy = policy if policy is not None else _default_policy()
    day = london_date(start)
    s = cal._offset(day, "start")
    rule = rule_for(timescale, day, policy=policy, phase=phase)
    if extensions < 0:
        raise ValueError(f"extensions must be 0 or more, got {extensions}")
    if extensions:
        if rule.extension is None:
            raise ValueError(f"rule {rule.id!r} has no extension")
        if rule.extension.max_times is not None and extensions > rule.extension.max_times:
            raise ValueError(
                f"rule {rule.id!r} may be extended at most {rule.extension.max_times} time(s)"
            )
    if rule.is_working_days:
        extra = rule.extension.amount * extensions if rule.extension else 0
        d = cal._add(s, rule.amount + extra, convention)
        due = cal._day(d)
        last = due
    else:
        due = add_period(rule, day, extensions)
        if not cal.first <= due <= cal.last:
            raise CalendarRangeError(
                due, cal.first, cal.last, result_of=f"{timescale} from {day.isoformat()}"
            )
        d = cal._offset(due, "due")
        last = cal._day(cal._roll_back(d))
    provisional = cal._is_provisional(s, d)
    if provisional:
        cal._warn_provisional(s, d)
    return Deadline(
        timescale=timescale,
        start=day,
        due=due,
        last_working_day=last,
        rule=rule,
        convention=convention,
        provisional=provisional,
        closures=cal._closures_in(s, d),
        policy=policy,
        calendar=cal,
        phase=phase,
        extensions=extensions,
    )
