"""Repeating timescales: schedules of reviews and visits."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguard_time import EventOrderError, Status, schedule

D = dt.date


def _dues(s: object) -> list[tuple[str, dt.date]]:
    return [(i.timescale, i.deadline.due) for i in s.items]  # type: ignore[attr-defined]


def test_cp_reviews_first_three_months_then_six() -> None:
    # ICPC Thu 30 Nov 2023: first review by 29 Feb 2024 (no 30 Feb); held 20 Feb, so the next
    # is 6 months after the review actually held: 20 Aug 2024.
    s = schedule("cp_reviews", D(2023, 11, 30), held=[D(2024, 2, 20)])
    assert _dues(s) == [("first_cp_review", D(2024, 2, 29)), ("cp_review", D(2024, 8, 20))]
    assert s.items[0].held == D(2024, 2, 20)
    assert s.items[1].held is None
    assert s.next_due.due == D(2024, 8, 20)


def test_lac_reviews_twenty_working_days_three_months_six_months() -> None:
    # Looked after from Mon 8 Jan 2024: 20 WD = 9-12 (4), 15-19 (9), 22-26 (14),
    # 29 Jan-2 Feb (19), Mon 5 Feb (20); then 3 months (5 May, a Sunday), then 6 months.
    s = schedule("lac_reviews", D(2024, 1, 8), count=3)
    assert _dues(s) == [
        ("first_lac_review", D(2024, 2, 5)),
        ("second_lac_review", D(2024, 5, 5)),
        ("lac_review", D(2024, 11, 5)),
    ]
    assert s.items[1].deadline.last_working_day == D(2024, 5, 3)


def test_lac_visits_change_interval_after_the_first_year() -> None:
    held = [D(2023, 1, 9), D(2023, 12, 20)]
    # Placement from Mon 2 Jan 2023; first visit within a week (9 Jan); then 6 weeks while the
    # previous visit is in the placement's first year: 9 Jan + 6 weeks = 20 Feb; the visit held
    # on 20 Dec 2023 is still in the first year, so 6 weeks again: 31 Jan 2024; the previous
    # event (31 Jan 2024) is after the first year: 3 months (until 18) or 6 weeks (other).
    long_term = schedule("lac_visits", D(2023, 1, 2), held=held, count=4, intended_until_18=True)
    assert _dues(long_term) == [
        ("lac_first_visit", D(2023, 1, 9)),
        ("lac_visit", D(2023, 2, 20)),
        ("lac_visit", D(2024, 1, 31)),
        ("lac_visit", D(2024, 4, 30)),
    ]
    assert [i.deadline.phase for i in long_term.items] == [
        None,
        "first_year",
        "first_year",
        "until_18",
    ]
    other = schedule("lac_visits", D(2023, 1, 2), held=held, count=4, intended_until_18=False)
    assert other.items[3].deadline.due == D(2024, 3, 13)
    with pytest.raises(ValueError, match="intended_until_18"):
        schedule("lac_visits", D(2023, 1, 2), held=held, count=4)


def test_private_fostering_visits() -> None:
    # Notified Fri 5 Jan 2024: first visit 7 WD = 8-12 (5), 15, 16 (7); then every 6 weeks in
    # the first year of the arrangement.
    s = schedule("private_fostering_visits", D(2024, 1, 5), count=3)
    assert _dues(s) == [
        ("private_fostering_first_visit", D(2024, 1, 16)),
        ("private_fostering_visit", D(2024, 2, 27)),
        ("private_fostering_visit", D(2024, 4, 9)),
    ]
    # A visit held after the first year: the next is 12 weeks later.
    late = schedule(
        "private_fostering_visits", D(2024, 1, 5), held=[D(2024, 1, 16), D(2025, 1, 10)]
    )
    assert late.next_due.due == D(2025, 4, 4)
    assert late.next_due.phase == "after_first_year"


def test_until_projects_every_due_date() -> None:
    s = schedule("cp_reviews", D(2023, 11, 30), until=D(2025, 12, 31))
    assert [i.deadline.due for i in s.items] == [
        D(2024, 2, 29),
        D(2024, 8, 29),
        D(2025, 2, 28),  # 29 Aug + 6 months: no 29 Feb in 2025
        D(2025, 8, 28),
    ]


def test_schedule_assess() -> None:
    s = schedule("cp_reviews", D(2023, 11, 30), held=[D(2024, 3, 4)])
    first, second = s.assess(as_of=D(2024, 9, 10))
    assert first.status is Status.MISSED  # due 29 Feb, held 4 Mar
    assert first.late == 2  # Fri 1, Mon 4 Mar
    assert second.status is Status.OPEN_OVERDUE  # due 4 Sep 2024


def test_bad_schedules() -> None:
    with pytest.raises(ValueError, match="unknown plan"):
        schedule("reviews", D(2024, 1, 1))
    with pytest.raises(EventOrderError, match="before the previous event"):
        schedule("cp_reviews", D(2024, 1, 1), held=[D(2023, 12, 1)])
    with pytest.raises(ValueError, match="count must be"):
        schedule("cp_reviews", D(2024, 1, 1), count=0)
    with pytest.raises(ValueError, match="held dates given"):
        schedule("cp_reviews", D(2024, 1, 1), held=[D(2024, 3, 1), D(2024, 8, 1)], count=1)
