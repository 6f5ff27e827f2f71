"""Timeliness from the events of returns: one long table, judged by the engine."""

from __future__ import annotations

import csv
import datetime as _dt
import os
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np

from safeguard_time import bulk
from safeguard_time._bulk_input import NAT, DayColumn
from safeguard_time._dates import london_date
from safeguard_time.calendar import Convention, WorkingCalendar
from safeguard_time.errors import NotADateError, ProvisionalCalendarWarning
from safeguard_time.io.scan import neutralise_text
from safeguard_time.returns._model import Cell, Event, Problem, Refused, ReturnData, replacing
from safeguard_time.rules import Policy, resolved_rules

__all__ = ["COLUMNS", "LongTable", "Row", "timeliness"]

#: The columns of the long table, in order.
COLUMNS = (
    "child_id",
    "measure",
    "start",
    "end",
    "due",
    "elapsed",
    "status",
    "late",
    "rule",
    "source",
    "provisional",
)

#: Measures whose timescale is chosen by the edition in force on the start date: before the
#: single assessment (the council's switch), an assessment from referral is an initial one.
_EDITION_SWITCHED = {"assessment": "initial_assessment"}
_FROM_START = "_from_start"

_EPOCH = _dt.date(1970, 1, 1)


@attrs.frozen
class Row:
    """One measured event: a row of the long table (:data:`COLUMNS`).

    ``measure`` is the timescale id judged (``initial_assessment`` for an assessment whose
    referral came before the single assessment), with ``_from_start`` added for the census's
    own duration of an assessment; ``status`` is the library's vocabulary (``met``,
    ``missed``, ``open_in_time``, ``open_overdue``, ``not_applicable``, ``error``);
    ``provisional`` says the answer depends on bank holidays after the calendar's verified
    years (projections, which a one-off holiday can change), as the engine's flag does.
    """

    child_id: str
    measure: str
    start: _dt.date | None
    end: _dt.date | None
    due: _dt.date | None
    elapsed: int | None
    status: str
    late: int | None
    rule: str | None
    source: str
    provisional: bool = False

    def cells(self) -> tuple[str, ...]:
        """The row as text, in :data:`COLUMNS` order (blank where there is no value).

        Dates are ISO dates; ``provisional`` is ``true`` or ``false``.

        >>> row = Row("A1", "assessment", _dt.date(2024, 1, 25), None, _dt.date(2024, 3, 28),
        ...           45, "open_in_time", 0, "assessment.wt2023", "cin.xml:/Message")
        >>> row.cells()[:6], row.cells()[-1]
        (('A1', 'assessment', '2024-01-25', '', '2024-03-28', '45'), 'false')
        """
        return tuple(_cell(v) for v in attrs.astuple(self))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


@attrs.frozen
class LongTable:
    """Timeliness from returns: the rows, and every problem met on the way.

    Attributes:
        rows: one :class:`Row` per measured event, in the order of the returns.
        problems: the readers' problems and findings, then the engine's: rows it could not
            judge and recorded due dates that are not the statutory one.
        as_of: the date outstanding events were judged at where the return gave none.
        convention: how working days were counted.
        policy: the council policy used (``None``: the defaults).
    """

    rows: tuple[Row, ...]
    problems: tuple[Problem, ...]
    as_of: _dt.date | None
    convention: Convention
    policy: Policy | None = None

    def column(self, name: str) -> list[Any]:
        """One column of the table as a list.

        >>> t = LongTable((), (), None, Convention.EVENT_DAY_ZERO)
        >>> t.column("status")
        []
        """
        if name not in COLUMNS:
            raise KeyError(f"{name!r} is not a column; the columns are {', '.join(COLUMNS)}")
        return [getattr(r, name) for r in self.rows]

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame with exactly :data:`COLUMNS` (pandas imported here).

        >>> LongTable((), (), None, Convention.EVENT_DAY_ZERO).to_pandas().columns.tolist()[:4]
        ['child_id', 'measure', 'start', 'end']
        """
        import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        return pd.DataFrame({name: self.column(name) for name in COLUMNS}, columns=list(COLUMNS))

    def write_csv(self, path: str | os.PathLike[str], *, neutralise: bool = True) -> None:
        r"""Write the table as CSV, a header of :data:`COLUMNS` and one line per row.

        Text a spreadsheet would run as a formula (a child id or a path starting with ``=``,
        ``+``, ``-``, ``@``) gets a leading ``'``, as the scan's output does, unless
        ``neutralise=False``.

        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as d:
        ...     LongTable((), (), None, Convention.EVENT_DAY_ZERO).write_csv(pathlib.Path(d, "t.csv"))
        ...     pathlib.Path(d, "t.csv").read_text()
        'child_id,measure,start,end,due,elapsed,status,late,rule,source,provisional\n'
        """
        with replacing(path) as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(COLUMNS)
            for r in self.rows:
                cells = r.cells()
                out.writerow([neutralise_text(c) for c in cells] if neutralise else cells)


def _day(cell: Cell) -> int:
    return (cell - _EPOCH).days if isinstance(cell, _dt.date) else NAT


def _column(cells: Sequence[Cell]) -> DayColumn:
    days = np.array([_day(c) for c in cells], dtype=np.int64)
    bad: dict[int, object] = {}
    errors: dict[int, NotADateError] = {}
    for i, c in enumerate(cells):
        if isinstance(c, Refused):
            bad[i] = c.text
            errors[i] = NotADateError(c.reason, value=c.text)
    return DayColumn(days, bad=bad, errors=errors)


def _date(day: object) -> _dt.date | None:
    if isinstance(day, _dt.date):
        return day
    return None


def _switch_day(measure: str, policy: Policy | None) -> _dt.date | None:
    """The first day of the measure's own timescale under the policy (before it: the older one)."""
    base = measure.removesuffix(_FROM_START)
    if base not in _EDITION_SWITCHED:
        return None
    return min(r.start for r in resolved_rules(base, policy))


def _timescale(event: Event, switch: _dt.date | None) -> tuple[str, str]:
    """(timescale judged, measure named) for one event."""
    base = event.measure.removesuffix(_FROM_START)
    suffix = event.measure[len(base) :]
    timescale = base
    if switch is not None and isinstance(event.start, _dt.date) and event.start < switch:
        timescale = _EDITION_SWITCHED[base]
    return timescale, timescale + suffix


def timeliness(
    returns: ReturnData | Iterable[ReturnData],
    *,
    as_of: Any = None,
    policy: Policy | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    calendar: WorkingCalendar | None = None,
) -> LongTable:
    """Judge every event of one or more returns: the long table of :data:`COLUMNS`.

    Each event is judged by :func:`safeguard_time.bulk.assess` under the rule in force on its
    own start date (a 2012 referral gets the 2010 initial assessment, a 2014 one the single
    assessment); outstanding events are judged as of the return's reference date (the CIN
    census), else ``as_of``; an outstanding review of a plan or period of care that had
    ended is judged as of the day it ended, and is no row at all if it was not yet due then.
    The rows the engine cannot judge are kept (status ``error``) and listed in ``problems``
    with the engine's reason; so are recorded ICPC targets that are not the statutory due
    date or not a working day.

    >>> from safeguard_time.returns import Event, ReturnData
    >>> import datetime as dt
    >>> e = Event("A1", "assessment", dt.date(2024, 1, 25), dt.date(2024, 4, 1), "f.xml", "", "")
    >>> t = timeliness(ReturnData("cin", ("f.xml",), None, (e,), ()))
    >>> r = t.rows[0]
    >>> r.due, r.elapsed, r.status, r.late, r.rule
    (datetime.date(2024, 3, 28), 45, 'missed', 1, 'assessment.wt2023')
    """
    data = [returns] if isinstance(returns, ReturnData) else list(returns)
    fallback = None if as_of is None else london_date(as_of)
    events = [e for d in data for e in d.events]
    problems: list[Problem] = [p for d in data for p in d.problems]
    switches = {m: _switch_day(m, policy) for m in {e.measure for e in events}}
    named = [_timescale(e, switches[e.measure]) for e in events]
    groups: dict[str, list[int]] = {}
    for i, (timescale, _) in enumerate(named):
        groups.setdefault(timescale, []).append(i)

    rows: list[Row | None] = [None] * len(events)
    for timescale, idx in groups.items():
        chosen = [events[i] for i in idx]
        judged_at = []
        for e in chosen:
            at = e.as_of if e.as_of is not None else fallback
            if e.ended is not None and e.end is None:
                at = e.ended if at is None else min(at, e.ended)
            judged_at.append(at)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ProvisionalCalendarWarning)
            res = bulk.assess(
                timescale,
                _column([e.start for e in chosen]),
                _column([e.end for e in chosen]),
                as_of=_column(judged_at),
                policy=policy,
                convention=convention,
                calendar=calendar,
            )
        status = res.status_names()
        rule = res.rule_names()
        elapsed = res.elapsed.tolist()
        late = res.late.tolist()
        due = res.due.tolist()
        provisional = res.provisional.tolist()
        errors = {err.row: err for err in res.errors}
        for j, (i, e) in enumerate(zip(idx, chosen, strict=True)):
            if (
                e.ended is not None
                and e.end is None
                and status[j] == "open_in_time"
                and judged_at[j] == e.ended
            ):
                continue  # the plan or period ended before this review was due: no event
            rows[i] = Row(
                e.child_id,
                named[i][1],
                _date(e.start),
                _date(e.end),
                due[j],
                elapsed[j],
                str(status[j]),
                late[j],
                rule[j],
                e.source,
                # A row the timescale does not apply to has no answer to depend on holidays
                # (the scan's count of provisional rows leaves such rows out too).
                bool(provisional[j]) and status[j] != "not_applicable",
            )
            err = errors.get(j)
            if err is not None and err.code != "not_a_date":  # those the reader reported
                place = e.end_place if err.column == "end" else e.start_place
                value = "" if err.value is None else str(err.value)
                problems.append(Problem("error", err.code, e.child_id, place, value, err.reason))
            if e.recorded_due is not None and due[j] is not None:
                problems.extend(_target_findings(e, due[j], rule[j], calendar))
    return LongTable(
        tuple(r for r in rows if r is not None),
        tuple(problems),
        fallback,
        Convention.parse(convention) if isinstance(convention, str) else convention,
        policy,
    )


def _target_findings(
    e: Event, due: _dt.date, rule: str | None, calendar: WorkingCalendar | None
) -> list[Problem]:
    target = e.recorded_due
    assert target is not None
    place = e.recorded_due_place or e.source
    found: list[Problem] = []
    if target != due:
        found.append(
            Problem(
                "finding",
                "icpc_target_differs",
                e.child_id,
                place,
                target.isoformat(),
                f"the recorded target {target.isoformat()} is not the statutory due date "
                f"{due.isoformat()} ({rule}, from {_iso(e.start)})",
            )
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        working = bulk.is_working_day(
            np.array([target], dtype="datetime64[D]"), calendar=calendar, errors="coerce"
        )
    if not np.ma.getmaskarray(working)[0] and not bool(working[0]):
        found.append(
            Problem(
                "finding",
                "icpc_target_not_working_day",
                e.child_id,
                place,
                target.isoformat(),
                f"the recorded target {target.isoformat()} ({target:%A}) is not a working day; "
                "the census expects a working day",
            )
        )
    return found


def _iso(cell: Cell) -> str:
    return cell.isoformat() if isinstance(cell, _dt.date) else str(cell)
