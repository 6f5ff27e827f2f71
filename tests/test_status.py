"""Status against the due date (the brief's section 2, revised): hand-worked tables.

Every expected value is worked out by hand from the official calendar in the comments: the
engine's numbers are not used to make them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from safeguard_time import Convention, Status, assess, bulk, deadline
from safeguard_time.errors import AsOfBeforeStartError, MissingAsOfError, NoRuleInForceError

D = dt.date

# Referral Thu 25 Jan 2024, 45 working days (WT 2023).  Working days from Fri 26 Jan: January
# 26, 29-31 (4); February: 21 weekdays (25); March 1-28: 20 weekdays (45) -> due Thu 28 Mar.
# Fri 29 Mar is Good Friday, Mon 1 Apr Easter Monday; Tue 2 Apr is working day 46.
EASTER = [
    # (end, elapsed, status, late)
    (D(2024, 3, 27), 44, Status.MET, 0),
    (D(2024, 3, 28), 45, Status.MET, 0),
    (D(2024, 3, 29), 45, Status.MISSED, 1),  # Good Friday counts as Tue 2 Apr for lateness
    (D(2024, 3, 30), 45, Status.MISSED, 1),
    (D(2024, 4, 1), 45, Status.MISSED, 1),  # Easter Monday: 45 elapsed, yet after the due date
    (D(2024, 4, 2), 46, Status.MISSED, 1),
    (D(2024, 4, 3), 47, Status.MISSED, 2),
]


@pytest.mark.parametrize(("end", "elapsed", "status", "late"), EASTER)
def test_completed_cases_across_easter(
    end: dt.date, elapsed: int, status: Status, late: int
) -> None:
    d = deadline("assessment", D(2024, 1, 25))
    assert d.due == D(2024, 3, 28)
    got = d.assess(end)
    assert (got.elapsed, got.status, got.late) == (elapsed, status, late)
    # The column engine says the same for the same row.
    col = bulk.assess("assessment", np.array([D(2024, 1, 25)], "M8[D]"), np.array([end], "M8[D]"))
    assert (col.elapsed.tolist(), col.status.tolist(), col.late.tolist()) == (
        [elapsed],
        [status.code],
        [late],
    )


@pytest.mark.parametrize(("end", "elapsed", "status", "late"), EASTER)
def test_open_cases_across_easter(end: dt.date, elapsed: int, status: Status, late: int) -> None:
    got = deadline("assessment", D(2024, 1, 25)).assess(as_of=end)
    want = Status.OPEN_IN_TIME if status is Status.MET else Status.OPEN_OVERDUE
    assert (got.elapsed, got.status, got.late) == (elapsed, want, late)


def test_calendar_period_due_on_a_sunday() -> None:
    # First CP review: 3 months after Sat 30 Mar 2024 is Sun 30 Jun 2024; the last working
    # day on or before it is Fri 28 Jun.  Done Sun 30 Jun: met.  Done Mon 1 Jul: missed, 1
    # working day late (Mon 1 Jul is the first working day after the due date).  Done Sat
    # 6 Jul: counts as Mon 8 Jul, the 6th working day after Sun 30 Jun.
    d = deadline("first_cp_review", D(2024, 3, 30))
    assert (d.due, d.last_working_day) == (D(2024, 6, 30), D(2024, 6, 28))
    assert d.assess(D(2024, 6, 30)).status is Status.MET
    missed = d.assess(D(2024, 7, 1))
    assert (missed.status, missed.late) == (Status.MISSED, 1)
    assert d.assess(D(2024, 7, 6)).late == 6


def test_a_weekend_case_under_the_next_working_day_convention() -> None:
    # Referral Sat 9 Mar 2024, decided Sun 10 Mar.  Day 0 is Mon 11 Mar, so the decision came
    # before day 0: elapsed -1, met, and it goes in the first duration bin.
    d = deadline("referral_decision", D(2024, 3, 9), convention=Convention.NEXT_WORKING_DAY_ZERO)
    assert d.due == D(2024, 3, 12)
    got = d.assess(D(2024, 3, 10))
    assert (got.elapsed, got.status, got.late) == (-1, Status.MET, 0)
    s = np.array([D(2024, 3, 9)], "M8[D]")
    col = bulk.assess(
        "assessment", s, np.array([D(2024, 3, 10)], "M8[D]"), convention="next_working_day_zero"
    )
    assert col.elapsed.tolist() == [-1]
    assert col.bins().counts.tolist()[0] == 1


def test_as_of_before_the_start_is_an_error_everywhere() -> None:
    with pytest.raises(AsOfBeforeStartError, match="as_of 2024-03-01 is before the start") as one:
        deadline("assessment", D(2024, 3, 8)).assess(as_of=D(2024, 3, 1))
    col = bulk.assess("assessment", np.array([D(2024, 3, 8)], "M8[D]"), as_of=D(2024, 3, 1))
    assert col.status.tolist() == [Status.ERROR.code]
    [row] = col.errors
    assert (row.reason, row.code, row.column) == (str(one.value), "as_of_before_start", "as_of")
    # The start day itself is a valid as-of date (day 0).
    assert deadline("assessment", D(2024, 3, 8)).assess(as_of=D(2024, 3, 8)).elapsed == 0


def test_not_applicable_and_missing_as_of() -> None:
    # 2011: no single assessment yet (initial + core assessments applied).
    na = assess("assessment", D(2011, 6, 1), as_of=D(2012, 1, 9))
    assert (na.status, na.deadline, na.elapsed, na.late) == (
        Status.NOT_APPLICABLE,
        None,
        None,
        None,
    )
    # With an end event recorded it is an error, in both faces.
    with pytest.raises(NoRuleInForceError):
        assess("assessment", D(2011, 6, 1), D(2011, 8, 1))
    assert assess("assessment", None).status is Status.NOT_APPLICABLE
    with pytest.raises(MissingAsOfError):
        assess("assessment", D(2024, 3, 8))
    # A missing completion (NaT) is an open case, as in bulk.
    open_ = deadline("assessment", D(2024, 3, 8)).assess(np.datetime64("NaT"), as_of=D(2024, 3, 11))
    assert (open_.status, open_.elapsed) == (Status.OPEN_IN_TIME, 1)
