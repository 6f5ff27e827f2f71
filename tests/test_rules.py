"""Statutory timescales: the rule data, deadlines for every timescale, status, policy."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safeguard_time.rules as rules_mod
from safeguard_time import (
    Convention,
    EventOrderError,
    NoRuleInForceError,
    Policy,
    PolicyError,
    RuleDataError,
    Status,
    UnknownTimescaleError,
    _holiday_data,
    deadline,
    england_and_wales,
    rule_for,
    timescales,
)
from safeguard_time._holiday_data import DATA_DIR
from safeguard_time.errors import InvalidOptionError
from safeguard_time.rules import rulebook

D = dt.date
CAL = england_and_wales()
NEXT = Convention.NEXT_WORKING_DAY_ZERO

BRIEF_IDS = {
    "referral_decision", "initial_assessment", "core_assessment", "assessment",
    "initial_cp_conference", "transfer_in_conference", "first_core_group", "first_cp_review",
    "cp_review", "first_lac_review", "second_lac_review", "lac_review", "lac_first_visit",
    "lac_visit", "private_fostering_first_visit", "private_fostering_visit", "complaint_stage1",
    "complaint_stage2", "complaint_review_panel", "scr_completion",
    "serious_incident_notification", "rapid_review", "cspr_publication", "care_proceedings",
}  # fmt: skip


# --- the data -------------------------------------------------------------------------


def test_every_timescale_of_the_brief_is_in_the_data() -> None:
    assert set(rulebook().timescales) == BRIEF_IDS
    assert {t.id for t in timescales()} == BRIEF_IDS


def test_every_rule_is_cited_and_has_a_status() -> None:
    for ts in timescales():
        for rule in ts.rules:
            assert rule.citation.document and rule.citation.location, rule.id
            assert rule.status in {"confirmed", "secondary", "unconfirmed"}
            assert rule.edition.title


def test_unconfirmed_rules_are_flagged_as_the_brief_says() -> None:
    book = rulebook()
    assert {r.status for r in book.timescales["transfer_in_conference"].rules} == {"unconfirmed"}
    first_1991 = rule_for("first_lac_review", D(2005, 6, 1))
    assert (first_1991.amount, first_1991.unit, first_1991.status) == (4, "weeks", "unconfirmed")
    explained = deadline("transfer_in_conference", D(2024, 3, 9)).explain()
    assert "UNCONFIRMED" in explained


def test_rules_in_force_on_a_date() -> None:
    on_2012 = {t.id: [r.id for r in t.rules] for t in timescales(on=D(2012, 1, 9))}
    assert on_2012["initial_assessment"] == ["initial_assessment.wt2010"]
    assert on_2012["core_assessment"] == ["core_assessment.fw2000"]
    assert "assessment" not in on_2012
    assert "rapid_review" not in on_2012
    on_2024 = {t.id for t in timescales(on=D(2024, 1, 9))}
    assert "assessment" in on_2024
    assert "initial_assessment" not in on_2024
    assert "scr_completion" not in on_2024


def test_the_rule_book_is_read_only() -> None:
    book = rulebook()
    with pytest.raises(TypeError):
        book.timescales["assessment"] = book.timescales["core_assessment"]  # type: ignore[index]
    with pytest.raises(TypeError):
        del book.switches["single_assessment"]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        book.editions["wt2013"] = book.editions["wt2015"]  # type: ignore[index]
    with pytest.raises(TypeError):
        book.plans["cp_reviews"] = book.plans["lac_reviews"]  # type: ignore[index]
    assert isinstance(book.timescales["lac_visit"].phases, tuple)


def test_resolved_rule_last_day_is_inclusive() -> None:
    fw2000, wt2010 = rules_mod.resolved_rules("initial_assessment")
    # fw2000 ends (exclusive) on 17 Mar 2010, the 10-day switch: its last day is the 16th.
    assert (fw2000.end, fw2000.last_day) == (D(2010, 3, 17), D(2010, 3, 16))
    assert rule_for("initial_assessment", fw2000.last_day).id == fw2000.rule.id
    assert wt2010.last_day == D(2013, 4, 14)  # clipped by the single-assessment switch
    assert rules_mod.resolved_rules("assessment")[-1].last_day is None


# --- hand-worked deadlines, one or more per timescale -----------------------------------
# (timescale, start, due, rule id).  Derivations in the comments; EVENT_DAY_ZERO.
CASES = [
    # Fri 16 Sep 2022 + 1 WD: Mon 19 is the state funeral, so Tue 20.
    ("referral_decision", D(2022, 9, 16), D(2022, 9, 20), "referral_decision.wt2018"),
    ("referral_decision", D(2024, 3, 28), D(2024, 4, 2), "referral_decision.wt2023"),
    # Mon 1 Jun 2009 + 7 WD: 2-5 Jun (4), 8, 9, 10 (7).
    ("initial_assessment", D(2009, 6, 1), D(2009, 6, 10), "initial_assessment.fw2000"),
    # Tue 26 Apr 2011 + 10 WD: 27, 28 (2), royal wedding Fri 29 and May Day Mon 2 May off,
    # 3-6 May (6), 9-12 May (10).
    ("initial_assessment", D(2011, 4, 26), D(2011, 5, 12), "initial_assessment.wt2010"),
    # Fri 12 Apr 2013, the last day before the single assessment: 15-19 (5), 22-26 (10).
    ("initial_assessment", D(2013, 4, 12), D(2013, 4, 26), "initial_assessment.wt2010"),
    # Tue 1 May 2012 + 35 WD: 2-4 (3), May Day 7 off, 8-11 (7), 14-18 (12), 21-25 (17),
    # 28 May-1 Jun (22), 4 and 5 Jun off (moved spring holiday, diamond jubilee),
    # 6-8 (25), 11-15 (30), 18-22 (35).
    ("core_assessment", D(2012, 5, 1), D(2012, 6, 22), "core_assessment.fw2000"),
    # Mon 15 Apr 2013 + 45 WD: 16-19 (4), 22-26 (9), 29 Apr-3 May (14), May Day 6 off,
    # 7-10 (18), 13-17 (23), 20-24 (28), spring 27 off, 28-31 (32), 3-7 Jun (37),
    # 10-14 (42), 17, 18, 19 (45).
    ("assessment", D(2013, 4, 15), D(2013, 6, 19), "assessment.wt2013"),
    # Fri 8 Mar 2024 + 45 WD (Easter and May Day skipped): 15 May.
    ("assessment", D(2024, 3, 8), D(2024, 5, 15), "assessment.wt2023"),
    # Wed 10 Jan 2024 + 15 WD: 11, 12 (2), 15-19 (7), 22-26 (12), 29, 30, 31 (15).
    ("initial_cp_conference", D(2024, 1, 10), D(2024, 1, 31), "initial_cp_conference.wt2023"),
    ("initial_cp_conference", D(2008, 1, 10), D(2008, 1, 31), "initial_cp_conference.wt2006"),
    # Sat 9 Mar 2024 + 15 WD: 11-15 (5), 18-22 (10), 25-28 (14), Easter off, Tue 2 Apr (15).
    ("transfer_in_conference", D(2024, 3, 9), D(2024, 4, 2), "transfer_in_conference.wt2023"),
    # Fri 27 May 2022 + 10 WD: 30, 31 May, 1 Jun (3), 2 and 3 Jun off, 6-10 (8), 13, 14 (10).
    ("first_core_group", D(2022, 5, 27), D(2022, 6, 14), "first_core_group.wt2018"),
    # 30 Nov + 3 months: no 30 Feb, so the last day of February (Dodds v Walker).
    ("first_cp_review", D(2023, 11, 30), D(2024, 2, 29), "first_cp_review.wt2018"),
    ("first_cp_review", D(2022, 11, 30), D(2023, 2, 28), "first_cp_review.wt2018"),
    ("cp_review", D(2024, 3, 31), D(2024, 9, 30), "cp_review.wt2023"),
    ("cp_review", D(2023, 8, 31), D(2024, 2, 29), "cp_review.wt2018"),
    # Fri 20 Dec 2024 + 20 WD: 23, 24 (2), 27 (3), 30, 31 (5), 2, 3 Jan (7), 6-10 (12),
    # 13-17 (17), 20, 21, 22 (20).
    ("first_lac_review", D(2024, 12, 20), D(2025, 1, 22), "first_lac_review.cppcr2010"),
    # 1991 regulations: 4 weeks.
    ("first_lac_review", D(2005, 6, 1), D(2005, 6, 29), "first_lac_review.rccr1991"),
    ("second_lac_review", D(2024, 1, 31), D(2024, 4, 30), "second_lac_review.cppcr2010"),
    ("lac_review", D(2024, 8, 31), D(2025, 2, 28), "lac_review.cppcr2010"),
    ("lac_review", D(2010, 8, 31), D(2011, 2, 28), "lac_review.rccr1991"),
    ("lac_first_visit", D(2024, 1, 8), D(2024, 1, 15), "lac_first_visit.cppcr2010"),
    # Fri 20 Dec 2024 + 7 WD: 23, 24 (2), 27 (3), 30, 31 (5), 2, 3 Jan (7).
    (
        "private_fostering_first_visit",
        D(2024, 12, 20),
        D(2025, 1, 3),
        "private_fostering_first_visit.pfr2005",
    ),
    # Fri 8 Mar 2024 + 10 WD: 11-15 (5), 18-22 (10).
    ("complaint_stage1", D(2024, 3, 8), D(2024, 3, 22), "complaint_stage1.rpr2006"),
    # + 25 WD: ... 25-28 (14), 2-5 Apr (18), 8-12 (23), 15, 16 (25).
    ("complaint_stage2", D(2024, 3, 8), D(2024, 4, 16), "complaint_stage2.rpr2006"),
    # + 30 WD: 17, 18, 19 (28), 22, 23 (30).
    ("complaint_review_panel", D(2024, 3, 8), D(2024, 4, 23), "complaint_review_panel.rpr2006"),
    ("scr_completion", D(2012, 8, 31), D(2013, 2, 28), "scr_completion.wt2010"),
    ("scr_completion", D(2018, 6, 28), D(2018, 12, 28), "scr_completion.wt2015"),
    # Mon 12 Sep 2022 + 5 WD: 13-16 (4), state funeral 19 off, Tue 20 (5).
    (
        "serious_incident_notification",
        D(2022, 9, 12),
        D(2022, 9, 20),
        "serious_incident_notification.wt2018",
    ),
    # Fri 8 Mar 2024 + 15 WD: 11-15 (5), 18-22 (10), 25-28 (14), Tue 2 Apr (15).
    ("rapid_review", D(2024, 3, 8), D(2024, 4, 2), "rapid_review.wt2023"),
    ("cspr_publication", D(2019, 8, 31), D(2020, 2, 29), "cspr_publication.wt2018"),
    # 26 weeks beginning with Mon 1 Jan 2024: the last day is 1 Jan + 182 - 1 = Sun 30 Jun.
    ("care_proceedings", D(2024, 1, 1), D(2024, 6, 30), "care_proceedings.ca1989s32"),
]


@pytest.mark.parametrize(("timescale", "start", "due", "rule_id"), CASES)
def test_hand_worked_deadlines(timescale: str, start: dt.date, due: dt.date, rule_id: str) -> None:
    d = deadline(timescale, start)
    assert d.due == due
    assert d.rule.id == rule_id
    assert d.timescale == timescale and d.start == start
    assert d.convention is Convention.EVENT_DAY_ZERO
    assert not d.provisional and d.closures == ()
    assert d.last_working_day == CAL.roll(due, "backward")
    assert timescale in d.explain() and rule_id in d.explain()


def test_every_timescale_has_a_hand_worked_case() -> None:
    phased = {"lac_visit", "private_fostering_visit"}  # covered by the phase tests below
    assert {c[0] for c in CASES} | phased == BRIEF_IDS


def test_phased_visits() -> None:
    # lac_visit: 6 weeks in the first year, 3 months when intended to last until 18, else 6 weeks.
    assert deadline("lac_visit", D(2024, 2, 1), phase="first_year").due == D(2024, 3, 14)
    assert deadline("lac_visit", D(2024, 11, 30), phase="until_18").due == D(2025, 2, 28)
    assert deadline("lac_visit", D(2024, 11, 30), phase="other").due == D(2025, 1, 11)
    # private fostering: 6 weeks in year 1, then 12 weeks.  5 Jan 2024 + 12 weeks is Good
    # Friday 29 Mar 2024, so the last working day on or before it is Thu 28 Mar.
    d = deadline("private_fostering_visit", D(2024, 1, 5), phase="after_first_year")
    assert (d.due, d.last_working_day) == (D(2024, 3, 29), D(2024, 3, 28))
    assert deadline("private_fostering_visit", D(2024, 1, 5), phase="first_year").due == D(
        2024, 2, 16
    )
    with pytest.raises(ValueError, match="needs phase"):
        deadline("lac_visit", D(2024, 2, 1))
    with pytest.raises(ValueError, match="has no phases"):
        deadline("assessment", D(2024, 2, 1), phase="first_year")
    with pytest.raises(InvalidOptionError, match="needs phase") as info:
        rule_for("lac_visit", D(2024, 2, 1), phase="second_year")
    assert (info.value.option, info.value.value) == ("phase", "second_year")


def test_calendar_period_due_on_a_weekend_keeps_the_statutory_date() -> None:
    d = deadline("care_proceedings", D(2024, 1, 1))
    assert d.due == D(2024, 6, 30)  # a Sunday: the statutory date is kept
    assert d.last_working_day == D(2024, 6, 28)
    assert "last working day on or before it is Friday 28 June 2024" in d.explain()


def test_extensions() -> None:
    # Complaint stage 1: 10 WD, extendable once by 10 to 20: 8 Mar 2024 -> 9 Apr (see calendar).
    assert deadline("complaint_stage1", D(2024, 3, 8), extensions=1).due == D(2024, 4, 9)
    with pytest.raises(ValueError, match="at most 1"):
        deadline("complaint_stage1", D(2024, 3, 8), extensions=2)
    # Stage 2: 25 extendable to 65.  65 WD from Fri 8 Mar 2024: 45 WD is 15 May; then 16, 17
    # (47), 20-24 (52), Mon 27 May off, 28-31 (56), 3-7 Jun (61), 10-13 Jun (65).
    assert deadline("complaint_stage2", D(2024, 3, 8), extensions=1).due == D(2024, 6, 13)
    # Care proceedings: 26 weeks + 8 weeks, beginning with the day: 1 Jan + 238 - 1 = 25 Aug.
    assert deadline("care_proceedings", D(2024, 1, 1), extensions=1).due == D(2024, 8, 25)
    with pytest.raises(ValueError, match="no extension"):
        deadline("assessment", D(2024, 3, 8), extensions=1)


# --- editions and boundaries -------------------------------------------------------------


def test_2013_switch_both_sides() -> None:
    friday, monday = D(2013, 4, 12), D(2013, 4, 15)
    assert deadline("initial_assessment", friday).rule.amount == 10
    assert deadline("core_assessment", friday).rule.amount == 35
    with pytest.raises(NoRuleInForceError) as info:
        deadline("assessment", friday)
    assert info.value.instead == ("initial_assessment", "core_assessment")
    assert deadline("assessment", monday).rule.amount == 45
    with pytest.raises(NoRuleInForceError, match="'assessment'") as info2:
        deadline("initial_assessment", monday)
    assert info2.value.timescale == "initial_assessment"
    assert info2.value.on == monday
    assert isinstance(info2.value, LookupError)


def test_2010_switch_both_sides() -> None:
    assert rule_for("initial_assessment", D(2010, 3, 16)).amount == 7
    assert rule_for("initial_assessment", D(2010, 3, 17)).amount == 10


def test_initial_assessment_in_2014_names_the_rule_that_applied() -> None:
    with pytest.raises(NoRuleInForceError) as info:
        deadline("initial_assessment", D(2014, 2, 3))
    assert "initial_assessment" in str(info.value)
    assert "2014-02-03" in str(info.value)
    assert "'assessment'" in str(info.value)


def test_rules_that_ended_or_had_not_begun() -> None:
    with pytest.raises(NoRuleInForceError, match="2018-06-29"):
        deadline("scr_completion", D(2018, 6, 29))
    with pytest.raises(NoRuleInForceError, match="its rules apply from 2015-03-26"):
        deadline("serious_incident_notification", D(2015, 3, 25))
    with pytest.raises(NoRuleInForceError, match="2014-04-21"):
        deadline("care_proceedings", D(2014, 4, 21))
    assert deadline("care_proceedings", D(2014, 4, 22)).due == D(2014, 10, 20)


def test_unknown_timescale_lists_valid_ids() -> None:
    with pytest.raises(UnknownTimescaleError, match="valid ids are: assessment, ") as info:
        deadline("asessment", D(2024, 3, 8))
    assert set(info.value.valid) == BRIEF_IDS
    assert isinstance(info.value, LookupError)


# --- the next-working-day convention ------------------------------------------------------


def test_next_working_day_convention_on_a_weekend_start() -> None:
    saturday = D(2024, 3, 9)
    # Event day zero: day 1 is Mon 11, so 45 WD is 15 May, the same as from Fri 8.
    assert deadline("assessment", saturday).due == D(2024, 5, 15)
    # Next working day zero: Mon 11 is day 0, so one day later.
    d = deadline("assessment", saturday, convention=NEXT)
    assert d.due == D(2024, 5, 16)
    assert d.convention is NEXT
    assert "first working day on or after it" in d.explain()
    # On a working day the two agree.
    assert deadline("assessment", D(2024, 3, 8), convention=NEXT).due == D(2024, 5, 15)
    # Calendar periods are not counted in working days: the convention does not move them.
    assert deadline("cp_review", saturday, convention=NEXT).due == D(2024, 9, 9)


# --- status ------------------------------------------------------------------------------


def test_working_day_status_flips_at_the_due_date() -> None:
    d = deadline("assessment", D(2024, 3, 8))  # due Wed 15 May 2024
    on_time = d.assess(D(2024, 5, 15))
    assert (on_time.status, on_time.elapsed, on_time.late) == (Status.MET, 45, 0)
    late = d.assess(D(2024, 5, 16))
    assert (late.status, late.elapsed, late.late) == (Status.MISSED, 46, 1)
    # Completed on Saturday 18 May: Thu 16, Fri 17 are elapsed days 46, 47; a Saturday end
    # counts as Monday 20 May for lateness, so Thu 16, Fri 17, Mon 20 are 3 days late.
    weekend = d.assess(D(2024, 5, 18))
    assert (weekend.status, weekend.elapsed, weekend.late) == (Status.MISSED, 47, 3)
    assert d.assess(D(2024, 3, 8)).status is Status.MET  # same day


def test_calendar_rule_status_and_lateness() -> None:
    d = deadline("first_cp_review", D(2024, 3, 30))  # due Sun 30 Jun 2024
    assert d.assess(D(2024, 6, 30)).status is Status.MET
    assert d.assess(D(2024, 6, 28)).status is Status.MET
    late = d.assess(D(2024, 7, 1))
    assert (late.status, late.late) == (Status.MISSED, 1)


def test_open_cases_need_as_of() -> None:
    d = deadline("initial_cp_conference", D(2024, 1, 10))  # due Wed 31 Jan
    with pytest.raises(ValueError, match="as_of"):
        d.assess()
    assert d.assess(as_of=D(2024, 1, 31)).status is Status.OPEN_IN_TIME
    over = d.assess(as_of=D(2024, 2, 2))
    assert (over.status, over.elapsed, over.late) == (Status.OPEN_OVERDUE, 17, 2)
    assert over.as_of == D(2024, 2, 2) and over.end is None
    assert not over.met
    assert "open and overdue" in over.explain()


def test_completed_before_start_is_an_error() -> None:
    d = deadline("assessment", D(2024, 3, 8))
    with pytest.raises(EventOrderError, match="before the start"):
        d.assess(D(2024, 3, 7))


def test_aware_timestamp_start_is_a_london_date() -> None:
    # 23:30 UTC on Fri 30 Jun 2023 is Sat 1 Jul in London: day 1 is Mon 3 Jul.
    d = deadline("referral_decision", dt.datetime(2023, 6, 30, 23, 30, tzinfo=dt.UTC))
    assert d.start == D(2023, 7, 1)
    assert d.due == D(2023, 7, 3)


# --- policy -------------------------------------------------------------------------------


def test_policy_single_assessment_switch_late() -> None:
    herefordshire = Policy(single_assessment=D(2016, 9, 1), name="Herefordshire")
    d = deadline("initial_assessment", D(2015, 6, 1), policy=herefordshire)
    assert (d.rule.id, d.due) == ("initial_assessment.wt2010", D(2015, 6, 15))
    assert "Herefordshire" in d.explain() and "2016-09-01" in d.explain()
    with pytest.raises(NoRuleInForceError) as info:
        deadline("assessment", D(2015, 6, 1), policy=herefordshire)
    assert info.value.instead == ("initial_assessment", "core_assessment")
    assert deadline("assessment", D(2016, 9, 1), policy=herefordshire).rule.id == (
        "assessment.wt2015"
    )
    # The statutory default is untouched.
    assert deadline("assessment", D(2015, 6, 1)).rule.id == "assessment.wt2015"


def test_policy_initial_assessment_switch_late() -> None:
    coventry = Policy(initial_assessment_10_day=D(2011, 1, 4))
    assert rule_for("initial_assessment", D(2010, 6, 1), policy=coventry).amount == 7
    assert rule_for("initial_assessment", D(2011, 1, 4), policy=coventry).amount == 10


def test_policy_is_validated_and_frozen() -> None:
    with pytest.raises(PolicyError, match="must not be after"):
        Policy(initial_assessment_10_day=D(2014, 1, 1), single_assessment=D(2013, 4, 15))
    with pytest.raises(PolicyError, match="unknown policy setting 'rapid_review_clock'"):
        Policy(rapid_review_clock="became_aware")
    policy = Policy()
    with pytest.raises(AttributeError):
        policy.single_assessment = D(2020, 1, 1)  # type: ignore[attr-defined]
    assert Policy() == Policy()


def test_rapid_review_counts_from_the_date_given() -> None:
    # No clock option: the 15 WD run from whichever date is passed.  Notification sent Fri 8
    # Mar 2024: 11-15 (5), 18-22 (10), 25-28 (14), Easter off, Tue 2 Apr (15).  A council
    # counting from becoming aware on Wed 6 Mar passes that date: 7, 8 (2), 11-15 (7),
    # 18-22 (12), 25, 26, 27 (15).
    notified = deadline("rapid_review", D(2024, 3, 8))
    assert notified.due == D(2024, 4, 2)
    assert "notification" in notified.explain()
    assert deadline("rapid_review", D(2024, 3, 6)).due == D(2024, 3, 27)
    assert "start_options" not in attrs.fields_dict(rules_mod.Timescale)
    assert not hasattr(Policy(), "clock_start")


def test_safeguarding_partners_switch_at_its_default() -> None:
    # Thu 28 Jun 2018 is the last day of serious case reviews; 6 months on is Fri 28 Dec.
    scr = deadline("scr_completion", D(2018, 6, 28))
    assert (scr.rule.id, scr.due) == ("scr_completion.wt2015", D(2018, 12, 28))
    with pytest.raises(NoRuleInForceError) as info:
        deadline("scr_completion", D(2018, 6, 29))
    assert info.value.instead == ("cspr_publication",)
    # Fri 29 Jun 2018, the first day of practice reviews: 6 months on is Sat 29 Dec 2018.
    cspr = deadline("cspr_publication", D(2018, 6, 29))
    assert (cspr.rule.id, cspr.due) == ("cspr_publication.wt2018", D(2018, 12, 29))
    assert cspr.last_working_day == D(2018, 12, 28)
    with pytest.raises(NoRuleInForceError) as info2:
        deadline("cspr_publication", D(2018, 6, 28))
    assert info2.value.instead == ("scr_completion",)


def test_safeguarding_partners_switch_for_an_area_that_moved_late() -> None:
    late = Policy(safeguarding_partners=D(2019, 9, 29), name="Late area")
    # The area's last SCR decision is Sat 28 Sep 2019: 6 months on is Sat 28 Mar 2020.
    scr = deadline("scr_completion", D(2019, 9, 28), policy=late)
    assert (scr.rule.id, scr.due) == ("scr_completion.wt2015", D(2020, 3, 28))
    # Its first practice review decision is Sun 29 Sep 2019: due Sun 29 Mar 2020.
    cspr = deadline("cspr_publication", D(2019, 9, 29), policy=late)
    assert (cspr.rule.id, cspr.due) == ("cspr_publication.wt2018", D(2020, 3, 29))
    with pytest.raises(NoRuleInForceError) as info:
        deadline("scr_completion", D(2019, 9, 29), policy=late)
    assert info.value.instead == ("cspr_publication",)
    with pytest.raises(NoRuleInForceError) as info2:
        deadline("cspr_publication", D(2019, 9, 28), policy=late)
    assert info2.value.instead == ("scr_completion",)
    # On the national default date the area still held serious case reviews: Fri 29 Jun 2018
    # + 6 months is Sat 29 Dec 2018.
    assert deadline("scr_completion", D(2018, 6, 29), policy=late).due == D(2018, 12, 29)
    with pytest.raises(NoRuleInForceError):
        deadline("cspr_publication", D(2018, 6, 29), policy=late)
    # The ranges move; the 2023 edition's rule does not.
    assert scr.rule.in_force(late) == (D(2015, 3, 26), D(2019, 9, 29))
    assert cspr.rule.in_force(late) == (D(2019, 9, 29), D(2023, 12, 15))
    assert rule_for("cspr_publication", D(2024, 1, 8), policy=late).id == (
        "cspr_publication.wt2023"
    )
    assert "Late area" in cspr.explain() and "2019-09-29" in cspr.explain()
    # Other timescales are untouched.
    assert deadline("rapid_review", D(2018, 6, 29), policy=late).rule.id == "rapid_review.wt2018"


def test_safeguarding_partners_switch_dates() -> None:
    assert Policy().safeguarding_partners == D(2018, 6, 29)
    with pytest.raises(PolicyError, match="before 2018-06-29, the earliest date"):
        Policy(safeguarding_partners=D(2018, 6, 28))
    # After September 2019 is unusual but not refused.
    assert Policy(safeguarding_partners=D(2020, 1, 6)).safeguarding_partners == D(2020, 1, 6)


# --- horizon and closures -----------------------------------------------------------------


def test_provisional_and_closures_are_recorded() -> None:
    with pytest.warns(Warning, match="after 2028"):
        d = deadline("assessment", D(2029, 3, 1))
    assert d.provisional
    assert "Provisional" in d.explain()
    local = CAL.with_closures([D(2024, 3, 12)], label="Office move")
    d2 = deadline("referral_decision", D(2024, 3, 11), calendar=local)
    assert d2.due == D(2024, 3, 13)
    assert [c.name for c in d2.closures] == ["Office move"]
    assert "Office move" in d2.explain()


# --- the loader refuses bad data -------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    target = tmp_path / "_data"
    shutil.copytree(DATA_DIR, target)
    monkeypatch.setattr(rules_mod, "DATA_DIR", str(target))
    rulebook.cache_clear()

    def edit(relative: str, old: str, new: str) -> None:
        path = target / relative
        text = path.read_text("utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), "utf-8")

    yield edit
    monkeypatch.undo()
    rulebook.cache_clear()
    rules_mod.resolved_rules.cache_clear()


def test_loader_rejects_unknown_unit(data_copy: Callable[..., None]) -> None:
    data_copy("rules/working_together_2013.toml", 'unit = "working_days"', 'unit = "fortnights"')
    with pytest.raises(RuleDataError, match=r"working_together_2013.toml, rule .*fortnights"):
        rulebook()


def test_loader_rejects_a_gap(data_copy: Callable[..., None]) -> None:
    data_copy("rules/working_together_2013.toml", "until = 2015-03-26", "until = 2015-03-20")
    with pytest.raises(RuleDataError, match="leaves a gap before"):
        rulebook()


def test_loader_rejects_an_overlap(data_copy: Callable[..., None]) -> None:
    data_copy("rules/working_together_2013.toml", "until = 2015-03-26", "until = 2015-04-20")
    with pytest.raises(RuleDataError, match="overlaps"):
        rulebook()


def test_loader_rejects_an_uncited_rule(data_copy: Callable[..., None]) -> None:
    data_copy("rules/children_act_1989_s32.toml", "[rule.citation]", "[rule.source]")
    with pytest.raises(RuleDataError, match=r"children_act_1989_s32.toml, rule 'care_proceedings"):
        rulebook()


def test_loader_rejects_unknown_switch(data_copy: Callable[..., None]) -> None:
    data_copy(
        "rules/working_together_2013.toml",
        'from = "switch:single_assessment"',
        'from = "switch:single_assesment"',
    )
    with pytest.raises(RuleDataError, match="unknown switch"):
        rulebook()


def test_loader_needs_start_note_for_an_unconfirmed_edition(
    data_copy: Callable[..., None],
) -> None:
    data_copy(
        "rules/working_together_2023.toml",
        'start_status = "confirmed"',
        'start_status = "unconfirmed"',
    )
    with pytest.raises(
        RuleDataError, match=r"working_together_2023.toml \[edition\]: .*start_note"
    ):
        rulebook()


def test_loader_needs_a_note_for_an_unconfirmed_rule(data_copy: Callable[..., None]) -> None:
    data_copy(
        "rules/working_together_2023.toml",
        'note = "UNCONFIRMED: neither the 15 working days nor the start event has been attested by a source."\n',
        "",
    )
    with pytest.raises(RuleDataError, match=r"transfer_in_conference\.wt2023.*needs a note"):
        rulebook()


def test_loader_needs_status_note_for_an_unconfirmed_switch(
    data_copy: Callable[..., None],
) -> None:
    data_copy(
        "timescales.toml",
        'status = "secondary"\nstatus_note',
        'status = "unconfirmed"\n# status_note',
    )
    with pytest.raises(RuleDataError, match=r"switch 'safeguarding_partners': .*status_note"):
        rulebook()


def test_loader_rejects_a_default_before_its_earliest(data_copy: Callable[..., None]) -> None:
    data_copy("timescales.toml", "earliest = 2018-06-29", "earliest = 2018-07-01")
    with pytest.raises(RuleDataError, match="default 2018-06-29 is before earliest 2018-07-01"):
        rulebook()


def test_loader_rejects_defaults_out_of_order(data_copy: Callable[..., None]) -> None:
    data_copy(
        "timescales.toml", 'not_after = "single_assessment"', 'not_after = "safeguarding_partnrs"'
    )
    with pytest.raises(RuleDataError, match="not_after names no other switch"):
        rulebook()


def test_loader_rejects_a_switch_named_like_a_policy_attribute(
    data_copy: Callable[..., None],
) -> None:
    data_copy("timescales.toml", "[switches.safeguarding_partners]", "[switches.differences]")
    with pytest.raises(RuleDataError, match="switch 'differences': a switch name must"):
        rulebook()


def test_loader_rejects_a_switch_no_rule_uses(data_copy: Callable[..., None]) -> None:
    # Point both timescales' bounds away from the switch: it would change no result.
    data_copy(
        "timescales.toml",
        'available_until = "switch:safeguarding_partners"',
        "available_until = 2018-06-29",
    )
    data_copy(
        "timescales.toml",
        'available_from = "switch:safeguarding_partners"',
        "available_from = 2018-06-29",
    )
    data_copy(
        "rules/working_together_2018.toml",
        'from = "switch:safeguarding_partners"',
        "from = 2018-06-29",
    )
    with pytest.raises(
        RuleDataError, match="switch 'safeguarding_partners': no rule or timescale uses it"
    ):
        rulebook()


# --- properties ---------------------------------------------------------------------------

WD_TIMESCALES = sorted(t.id for t in timescales() if all(r.unit == "working_days" for r in t.rules))
CALENDAR_TIMESCALES = sorted(
    t.id for t in timescales() if all(r.unit != "working_days" for r in t.rules) and not t.phases
)
starts = st.dates(min_value=D(2000, 4, 1), max_value=D(2028, 6, 30))


def _deadline_or_none(timescale: str, start: dt.date, convention: Convention) -> object:
    try:
        return deadline(timescale, start, convention=convention)
    except NoRuleInForceError:
        return None


@given(
    timescale=st.sampled_from(WD_TIMESCALES),
    start=starts,
    convention=st.sampled_from(list(Convention)),
)
def test_working_day_rule_properties(
    timescale: str, start: dt.date, convention: Convention
) -> None:
    d = _deadline_or_none(timescale, start, convention)
    if d is None:
        return
    assert isinstance(d, rules_mod.Rule) is False
    from safeguard_time import Deadline  # noqa: PLC0415

    assert isinstance(d, Deadline)
    assert CAL.is_working_day(d.due)
    assert CAL.working_days_between(start, d.due, convention=convention) == d.rule.amount
    assert d.assess(d.due).status is Status.MET
    after = CAL.add_working_days(d.due, 1)
    assert d.assess(after).status is Status.MISSED
    assert d.assess(after).late == 1


@given(timescale=st.sampled_from(CALENDAR_TIMESCALES), start=starts)
def test_calendar_rule_properties(timescale: str, start: dt.date) -> None:
    d = _deadline_or_none(timescale, start, Convention.EVENT_DAY_ZERO)
    if d is None:
        return
    from safeguard_time import Deadline  # noqa: PLC0415

    assert isinstance(d, Deadline)
    assert d.due > start
    assert d.last_working_day <= d.due and CAL.is_working_day(d.last_working_day)
    assert d.assess(d.due).status is Status.MET
    assert d.assess(d.due + dt.timedelta(days=1)).status is Status.MISSED


def test_care_proceedings_period_begins_with_the_day() -> None:
    rule = rule_for("care_proceedings", D(2024, 1, 1))
    assert rule.describe_period() == (
        "26 weeks beginning with the day on which the application was issued"
    )
    assert "day after" not in rule.describe_period(extensions=2)
    assert rule.describe_period(extensions=2) == (
        "42 weeks beginning with the day on which the application was issued"
    )
    # Day 1 is the issue day, so the due date is 26 * 7 - 1 days on.
    assert deadline("care_proceedings", D(2024, 1, 1)).due == D(2024, 1, 1) + dt.timedelta(181)
    assert rule_for("referral_decision", D(2024, 1, 8)).describe_period() == (
        "1 working day after the referral received"
    )


def test_loader_rejects_a_weeks_beginning_with_rule_without_a_day(
    data_copy: Callable[..., None],
) -> None:
    data_copy(
        "rules/children_act_1989_s32.toml",
        'start_event = "day on which the application was issued"',
        'start_event = "application issued"',
    )
    with pytest.raises(RuleDataError, match="weeks_beginning_with rule's start_event"):
        rulebook()


def test_the_parsed_copy_of_the_rule_data_is_current() -> None:
    rules = rules_mod
    with open(os.path.join(_holiday_data.DATA_DIR, rules.PARSED_FILE), encoding="utf-8") as fh:
        shipped = fh.read()
    assert shipped == rules.render_parsed() + "\n", (
        "the rule data changed: remake its parsed copy with python -m safeguard_time.rules"
    )


def test_a_stale_parsed_copy_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = rules_mod
    name = "rules/working_together_2023.toml"
    truth = rules._read_toml(*name.split("/"))
    # A parsed copy whose checksum no longer matches its TOML file (an edit not yet remade):
    # the file itself is parsed.
    stale = {name: (0, {"edition": {"id": "not this"}})}
    monkeypatch.setattr(rules, "_parsed", lambda: stale)
    with open(os.path.join(_holiday_data.DATA_DIR, *name.split("/")), "rb") as fh:
        assert rules._read_toml(*name.split("/")) == tomllib.load(fh) == truth
