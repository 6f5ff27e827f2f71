"""Repeating timescales: reviews and visits that fall due one after another.

Child protection reviews, looked-after reviews and visits, and private fostering visits.  A plan (in ``_data/schedules.toml``) says which timescales follow an anchor event in order and
which one then repeats.  Each due date counts from the previous event actually held, or, when
it has not been held yet, from the previous due date (a projection).

>>> import datetime as dt
>>> s = schedule("cp_reviews", dt.date(2023, 11, 30), held=[dt.date(2024, 2, 20)])
>>> [(i.timescale, i.deadline.due.isoformat()) for i in s.items]
[('first_cp_review', '2024-02-29'), ('cp_review', '2024-08-20')]
>>> s.next_due.due
datetime.date(2024, 8, 20)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from safeguard_time._dates import london_date
from safeguard_time.calendar import Convention, WorkingCalendar
from safeguard_time.deadlines import Deadline, Timeliness, deadline
from safeguard_time.errors import EventOrderError, InvalidOptionError
from safeguard_time.rules import Plan, Policy, rulebook

__all__ = ["Schedule", "ScheduleItem", "schedule"]

#: A hard stop for schedules asked to run "until" a date far away.
_MAX_ITEMS = 2000


@attrs.frozen(repr=False)
class ScheduleItem:
    """One review or visit of a schedule: its deadline, and when it was held (if it was).

    Attributes:
        number: the item's place in the schedule, from 1.
        timescale: the timescale of this item (``first_cp_review``, ``cp_review``, ...).
        deadline: its :class:`~safeguard_time.Deadline`, from the previous item (held or due)
            or from the anchor.
        held: the day it was held, or ``None`` for a projected item.
    """

    number: int
    timescale: str
    deadline: Deadline
    held: _dt.date | None

    def __repr__(self) -> str:
        held = f", held={self.held.isoformat()}" if self.held else ""
        return f"ScheduleItem({self.number}, {self.timescale}, due={self.deadline.due}{held})"

    def assess(self, *, as_of: Any = None) -> Timeliness:
        """Met / missed for a held item; open_in_time / open_overdue as of a date otherwise.

        >>> import datetime as dt
        >>> item = schedule("cp_reviews", dt.date(2023, 11, 30)).items[0]
        >>> item.assess(as_of=dt.date(2024, 3, 1)).status.value
        'open_overdue'
        """
        return self.deadline.assess(self.held, as_of=None if self.held else as_of)


@attrs.frozen(repr=False)
class Schedule:
    """A case's schedule: the held items, then projected due dates.

    Iterating gives the items in order; ``len()`` counts them.

    Attributes:
        plan: the repeating plan (its steps and the step that repeats).
        anchor: the day the schedule counts from (the conference, the start of care).
        items: the held items, then the projected ones.
    """

    plan: Plan
    anchor: _dt.date
    items: tuple[ScheduleItem, ...]

    def __repr__(self) -> str:
        """Short: the plan, the anchor and the items' due dates.

        >>> import datetime as dt
        >>> schedule("cp_reviews", dt.date(2023, 11, 30), held=[dt.date(2024, 2, 20)])
        Schedule(cp_reviews from 2023-11-30: 1 first_cp_review 2024-02-29 (held 2024-02-20), 2 cp_review 2024-08-20)
        """
        items = ", ".join(
            f"{i.number} {i.timescale} {i.deadline.due.isoformat()}"
            + (f" (held {i.held.isoformat()})" if i.held else "")
            for i in self.items
        )
        return f"Schedule({self.plan.id} from {self.anchor.isoformat()}: {items})"

    def __iter__(self) -> Iterator[ScheduleItem]:
        """The items, in order.

        >>> import datetime as dt
        >>> [i.timescale for i in schedule("lac_reviews", dt.date(2024, 1, 8), count=3)]
        ['first_lac_review', 'second_lac_review', 'lac_review']
        """
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def explain(self) -> str:
        """Each item's explanation, numbered, one paragraph each.

        >>> import datetime as dt
        >>> print(schedule("cp_reviews", dt.date(2023, 11, 30)).explain()[:61])
        1. First child protection review conference (first_cp_review)
        """
        return "\n".join(
            f"{i.number}. {i.deadline.explain()}"
            + (f" Held on {i.held.isoformat()}." if i.held else " Not held yet.")
            for i in self.items
        )

    @property
    def next_due(self) -> Deadline:
        """The first item not yet held.

        >>> import datetime as dt
        >>> schedule("lac_reviews", dt.date(2024, 1, 8)).next_due.due
        datetime.date(2024, 2, 5)
        """
        for item in self.items:
            if item.held is None:
                return item.deadline
        raise LookupError("every item of this schedule is held; ask for more with count=")

    def assess(self, *, as_of: Any) -> tuple[Timeliness, ...]:
        """Every item's timeliness as of a date (open items only up to the first unheld).

        >>> import datetime as dt
        >>> s = schedule("cp_reviews", dt.date(2023, 11, 30), held=[dt.date(2024, 3, 4)])
        >>> [a.status.value for a in s.assess(as_of=dt.date(2024, 6, 3))]
        ['missed', 'open_in_time']
        """
        out = []
        for item in self.items:
            out.append(item.assess(as_of=as_of))
            if item.held is None:
                break
        return tuple(out)


def _phase_for(
    timescale: str, previous: _dt.date, anchor: _dt.date, intended_until_18: bool | None
) -> str | None:
    ts = rulebook().timescales[timescale]
    if not ts.phases:
        return None
    facts = {"within_first_year": previous < anchor + relativedelta(years=1)}
    if intended_until_18 is not None:
        facts["intended_until_18"] = intended_until_18
    for rule in ts.rules:
        when = dict(rule.when)
        if all(key in facts and facts[key] == value for key, value in when.items()):
            return rule.phase
    needs = sorted({key for rule in ts.rules for key, _ in rule.when} - set(facts))
    raise InvalidOptionError(
        "intended_until_18", None, f"{timescale!r} needs {', '.join(needs)}= to choose its interval"
    )


def schedule(
    plan: str,
    anchor: Any,
    *,
    held: Iterable[Any] = (),
    until: Any = None,
    count: int | None = None,
    intended_until_18: bool | None = None,
    calendar: WorkingCalendar | None = None,
    convention: Convention = Convention.EVENT_DAY_ZERO,
    policy: Policy | None = None,
) -> Schedule:
    """The schedule of a repeating plan from its anchor event.

    Plans: ``cp_reviews`` (anchor: the initial child protection conference), ``lac_reviews``
    (the child becomes looked after), ``lac_visits`` (start of placement; pass
    ``intended_until_18``), ``private_fostering_visits`` (the council is notified).

    ``held`` lists the dates the reviews or visits actually took place, in order.  Without
    ``until`` or ``count`` the schedule runs to the first item not yet held (the next due);
    with ``until`` it projects every due date up to that date; ``count`` fixes the number.

    The interval of a phased rule is the one in force on the previous event: a looked-after
    child's visit interval is 6 weeks while the previous visit fell in the placement's first
    year, then 3 months if the placement is intended to last until 18, else 6 weeks.  This is
    the library's reading of CPPCR 2010 reg 28(2) and PF regs 2005 reg 8.

    Args:
        plan: the plan's id: ``cp_reviews``, ``lac_reviews``, ``lac_visits`` or
            ``private_fostering_visits``.
        anchor: the day of the anchor event (any date form the calendar reads).
        held: the days the reviews or visits took place, in order.
        until: project the due dates up to this day.
        count: the number of items, held and projected.
        intended_until_18: for ``lac_visits``: whether the placement is intended to last until
            the child is 18.
        calendar: the working-day calendar (default: England & Wales).
        convention: how day 0 is counted.
        policy: the council's switch dates.

    >>> import datetime as dt
    >>> s = schedule("lac_visits", dt.date(2024, 1, 8), count=3, intended_until_18=True)
    >>> [i.deadline.due.isoformat() for i in s.items]
    ['2024-01-15', '2024-02-26', '2024-04-08']
    """
    book = rulebook()
    try:
        the_plan = book.plans[plan]
    except KeyError:
        raise InvalidOptionError(
            "plan", plan, f"unknown plan {plan!r}; plans are {', '.join(book.plans)}"
        ) from None
    start = london_date(anchor)
    held_days = [london_date(h) for h in held]
    stop = london_date(until) if until is not None else None
    if count is not None and count < 1:
        raise InvalidOptionError("count", count, f"count must be at least 1, got {count}")
    items: list[ScheduleItem] = []
    previous = start
    while len(items) < _MAX_ITEMS:
        k = len(items)
        if count is not None and k >= count:
            break
        timescale = the_plan.steps[k] if k < len(the_plan.steps) else the_plan.repeat
        phase = _phase_for(timescale, previous, start, intended_until_18)
        due = deadline(
            timescale,
            previous,
            calendar=calendar,
            convention=convention,
            policy=policy,
            phase=phase,
        )
        done = held_days[k] if k < len(held_days) else None
        if done is not None and done < previous:
            raise EventOrderError(
                f"{the_plan.id}: item {k + 1} held on {done.isoformat()}, before the previous "
                f"event on {previous.isoformat()}",
                value=done,
            )
        if count is None and done is None:
            # Without until: stop after the first item not yet held (the next due).
            # With until: stop at the first unheld item due after it.
            projected = any(i.held is None for i in items)
            if (stop is None and projected) or (stop is not None and due.due > stop):
                break
        items.append(ScheduleItem(k + 1, timescale, due, done))
        previous = done if done is not None else due.due
    if len(held_days) > len(items):
        raise InvalidOptionError(
            "held",
            len(held_days),
            f"{len(held_days)} held dates given but the schedule has {len(items)} items; "
            "pass count= to cover them",
        )
    return Schedule(the_plan, start, tuple(items))
