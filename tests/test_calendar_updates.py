"""Bank holidays updated from a GOV.UK file: the file wins for its years, and says so."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from safeguard_time import WorkingCalendar, deadline, england_and_wales
from safeguard_time.calendar import BANK_HOLIDAYS_ENV, CalendarUpdate, Holiday
from safeguard_time.cli import main
from safeguard_time.errors import (
    BankHolidayFileError,
    ProvisionalCalendarWarning,
    SafeguardTimeError,
    StaleBankHolidaysWarning,
)

from .conftest import DATA

D = dt.date
SRC = Path(__file__).resolve().parent.parent / "src"

INVENTED_2027 = ("2027-06-07", "Invented jubilee")  # a Monday: 2027-01-01 is a Friday, +157 days

# Invented years, worked out by hand.  1 Jan 2029 is a Monday (1 Jan 2028 is a Saturday and
# 2028 is a leap year), 2030 a Tuesday, 2031 a Wednesday.  Easter Sunday is 1 April 2029,
# 21 April 2030 and 13 April 2031, so Good Friday is two days before and Easter Monday the day
# after.  1 May is a Tuesday (2029), Wednesday (2030), Thursday (2031): the early May holiday
# (first Monday) is the 7th, 6th, 5th, and the spring holiday (last Monday) the 28th, 27th,
# 26th.  1 August is 92 days after 1 May: a Wednesday, Thursday, Friday, so the summer holiday
# (last Monday of August) is the 27th, 26th, 25th.  25 December is 358 days after 1 January:
# a Tuesday, Wednesday, Thursday; no holiday of these years falls on a weekend, so there are
# no substitute days.
INVENTED_YEARS = [
    ("2029-01-01", "New Year's Day"),
    ("2029-03-30", "Good Friday"),
    ("2029-04-02", "Easter Monday"),
    ("2029-05-07", "Early May bank holiday"),
    ("2029-05-28", "Spring bank holiday"),
    ("2029-08-27", "Summer bank holiday"),
    ("2029-12-25", "Christmas Day"),
    ("2029-12-26", "Boxing Day"),
    ("2030-01-01", "New Year's Day"),
    ("2030-04-19", "Good Friday"),
    ("2030-04-22", "Easter Monday"),
    ("2030-05-06", "Early May bank holiday"),
    ("2030-05-27", "Spring bank holiday"),
    ("2030-08-26", "Summer bank holiday"),
    ("2030-12-25", "Christmas Day"),
    ("2030-12-26", "Boxing Day"),
    ("2031-01-01", "New Year's Day"),
    ("2031-04-11", "Good Friday"),
    ("2031-04-14", "Easter Monday"),
    ("2031-05-05", "Early May bank holiday"),
    ("2031-05-26", "Spring bank holiday"),
    ("2031-08-25", "Summer bank holiday"),
    ("2031-12-25", "Christmas Day"),
    ("2031-12-26", "Boxing Day"),
]


def _event(day: str, title: str) -> dict[str, Any]:
    return {"title": title, "date": day, "notes": "", "bunting": True}


def govuk_file() -> dict[str, Any]:
    """The official 2019-2028 download, plus the invented 2027 day and 2029-2031."""
    data: dict[str, Any] = json.loads(
        (DATA / "govuk-bank-holidays-2019-2028.json").read_text("utf-8")
    )
    events = data["england-and-wales"]["events"]
    events.append(_event(*INVENTED_2027))
    events.extend(_event(d, t) for d, t in INVENTED_YEARS)
    events.sort(key=lambda e: e["date"])
    return data


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("govuk") / "bank-holidays.json"
    out.write_text(json.dumps(govuk_file()), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def updated(path: Path) -> WorkingCalendar:
    return WorkingCalendar.from_govuk(path)


def test_the_file_wins_for_its_years(updated: WorkingCalendar) -> None:
    friday = D(2027, 6, 4)
    # Friday + 1 working day: Monday 7 June when it is a working day, Tuesday 8 June if not.
    assert england_and_wales().add_working_days(friday, 1) == D(2027, 6, 7)
    assert updated.add_working_days(friday, 1) == D(2027, 6, 8)
    assert deadline("referral_decision", friday).due == D(2027, 6, 7)
    d = deadline("referral_decision", friday, calendar=updated)
    assert d.due == D(2027, 6, 8)
    assert "Bank holidays of 2019-2031 from" in d.explain()
    assert "Bank holidays of" not in deadline("referral_decision", friday).explain()


def test_the_files_years_are_verified(updated: WorkingCalendar) -> None:
    assert updated.verified_through == 2031
    assert updated.verified_until == D(2031, 12, 31)
    # 24 Dec 2031 is a Wednesday; 25 and 26 are holidays, 27 and 28 a weekend.  No warning
    # (warnings are errors in the suite).
    assert updated.add_working_days(D(2031, 12, 24), 1) == D(2031, 12, 29)
    assert not updated.is_provisional(D(2029, 1, 2), D(2031, 12, 31))
    assert updated.is_provisional(D(2032, 1, 2))
    with pytest.warns(ProvisionalCalendarWarning):
        updated.add_working_days(D(2031, 12, 31), 1)


def test_the_update_lists_exactly_the_invented_day(updated: WorkingCalendar) -> None:
    update = updated.update
    assert isinstance(update, CalendarUpdate)
    assert update.added == (Holiday(D(2027, 6, 7), "Invented jubilee"),)
    assert update.removed == () and update.moved == ()
    assert (update.first_year, update.last_year) == (2019, 2031)
    assert england_and_wales().update is None


def test_bytes_dict_and_path_agree(path: Path, updated: WorkingCalendar) -> None:
    assert WorkingCalendar.from_govuk(path.read_bytes()) == updated
    assert WorkingCalendar.from_govuk(govuk_file()) == updated
    assert WorkingCalendar.from_govuk(str(path)) == updated


def test_a_moved_day_is_reported_as_moved() -> None:
    data = govuk_file()
    for e in data["england-and-wales"]["events"]:
        if e["date"] == "2030-05-06":
            e["date"] = "2030-05-10"  # the early May holiday moved to a Friday
    update = WorkingCalendar.from_govuk(data).update
    assert update is not None
    assert [(a.date, b.date) for a, b in update.moved] == [(D(2030, 5, 6), D(2030, 5, 10))]


def test_the_environment_variable_gives_the_same_answers(path: Path) -> None:
    code = (
        "import datetime as dt, safeguard_time as s; c = s.england_and_wales(); "
        "print(c.verified_through, c.add_working_days(dt.date(2027, 6, 4), 1), "
        "s.deadline('referral_decision', dt.date(2027, 6, 4)).due)"
    )
    env = {**os.environ, BANK_HOLIDAYS_ENV: str(path), "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.split() == ["2031", "2027-06-08", "2027-06-08"]


def test_the_command_line_flag_gives_the_same_answers(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["add", "2027-06-04", "1", "--bank-holidays", str(path)]) == 0
    assert capsys.readouterr().out.startswith("2027-06-08")
    assert main(["due", "referral_decision", "2027-06-04", "--bank-holidays", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2027-06-08") and "Bank holidays of 2019-2031" in out
    assert main(["between", "2027-06-04", "2027-06-08", "--bank-holidays", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "1"
    assert main(["holidays", "--from", "2027-06-01", "--to", "2027-06-30",
                 "--bank-holidays", str(path)]) == 0  # fmt: skip
    assert "Invented jubilee" in capsys.readouterr().out


def test_scan_honours_the_flag(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "cases.csv"
    src.write_text("id,referral\n1,2027-06-04\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    args = ["scan", str(src), "--check", "referral_decision=referral", "-o", str(out),
            "--as-of", "2027-06-04", "--bank-holidays", str(path)]  # fmt: skip
    assert main(args) == 0
    assert "2027-06-08" in out.read_text("utf-8")
    assert "bank holidays: updated for 2019-2031 from" in capsys.readouterr().err


def test_calendar_check(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "--check", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == ["2027: added 2027-06-07 Mon Invented jubilee"]
    official = str(DATA / "govuk-bank-holidays-2019-2028.json")
    assert main(["calendar", "--check", official]) == 0
    assert capsys.readouterr().out == ""
    # Checked against the updated calendar, the file has nothing new.
    assert main(["calendar", "--check", str(path), "--bank-holidays", str(path)]) == 0


def test_calendar_export_still_needs_its_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "--from", "2024-01-01", "--to", "2024-01-02"]) == 2
    assert "--output required" in capsys.readouterr().err


# --- refusals ----------------------------------------------------------------------------


def _refused(source: object, words: str) -> None:
    with pytest.raises(BankHolidayFileError, match=words) as caught:
        WorkingCalendar.from_govuk(source)
    assert isinstance(caught.value, SafeguardTimeError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == "bad_bank_holidays"


def test_not_json_is_refused() -> None:
    _refused(b"<html>Service unavailable</html>", "not JSON")


def test_truncated_json_is_refused(path: Path) -> None:
    _refused(path.read_bytes()[:500], "truncated")


def test_a_file_without_the_division_is_refused() -> None:
    _refused({"scotland": {"division": "scotland", "events": []}}, "no 'england-and-wales'")


def test_a_division_without_events_is_refused() -> None:
    _refused({"england-and-wales": {"division": "england-and-wales", "events": []}}, "no events")


def test_a_bad_date_is_refused() -> None:
    _refused({"england-and-wales": {"events": [_event("25/12/2029", "Christmas Day")]}}, "25/12")
    _refused({"england-and-wales": {"events": [_event("2029-02-30", "Nonsense")]}}, "2029-02-30")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path / "nothing.json", "cannot read")


def test_an_older_file_is_ignored_with_a_warning() -> None:
    old = DATA / "govuk-bank-holidays-2012-2020.json"
    with pytest.warns(StaleBankHolidaysWarning, match="ignored: it covers 2012-2020"):
        cal = WorkingCalendar.from_govuk(old)
    assert cal == england_and_wales() and cal.update is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleBankHolidaysWarning)
        # 8 May 2020 (VE day) stays a holiday: the old file's 4 May is ignored.
        assert not WorkingCalendar.from_govuk(old).is_working_day(D(2020, 5, 8))


# --- projections: the years after the verified horizon, from the installed holidays --------


def test_a_newer_holidays_package_improves_the_projection() -> None:
    # A process whose installed holidays is a later release (patched in, before the package
    # is first read): one more day in 2031, and a new version number.
    code = (
        "import datetime as dt, warnings\n"
        "import holidays\n"
        "real = holidays.country_holidays\n"
        "def newer(*args, **kwargs):\n"
        "    found = real(*args, **kwargs)\n"
        "    if 2031 in found.years:\n"
        "        found[dt.date(2031, 6, 20)] = 'Invented Jubilee'  # a Friday\n"
        "    return found\n"
        "holidays.country_holidays = newer\n"
        "holidays.__version__ = '99.1'\n"
        "import safeguard_time as s\n"
        "from safeguard_time import bulk\n"
        "cal = s.england_and_wales()\n"
        "warnings.simplefilter('error')\n"
        "try:\n"
        "    s.deadline('initial_cp_conference', dt.date(2031, 6, 2))\n"
        "except s.errors.ProvisionalCalendarWarning as w:\n"
        "    assert 'holidays 99.1' in str(w), w\n"
        "warnings.simplefilter('ignore')\n"
        # Mon 2 June 2031 + 15 working days.  Without the extra day: 3-6 June (4), 9-13 (9),
        # 16-20 (14), Mon 23 (15).  With Fri 20 June off: Mon 23 is the 14th, Tue 24 the 15th.
        "print(s.deadline('initial_cp_conference', dt.date(2031, 6, 2)).due)\n"
        "print(bulk.deadlines('initial_cp_conference', [dt.date(2031, 6, 2)]).due[0])\n"
        "print(cal.add_working_days(dt.date(2031, 6, 19), 1))\n"
        "print(cal.bank_holidays[dt.date(2031, 6, 20)])\n"
        "print(cal.projection)\n"
        "print(cal.is_working_day(dt.date(2024, 6, 21)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "2031-06-24",
        "2031-06-24",
        "2031-06-23",
        "Invented Jubilee",
        "holidays 99.1, country GB, subdivision ENG",
        "True",  # verified years are the shipped table's, whatever the package says
    ]


def test_projected_days_are_read_only_when_a_result_needs_them() -> None:
    code = (
        "import datetime as dt, sys, warnings\n"
        "import safeguard_time as s\n"
        "from safeguard_time import bulk\n"
        "d = s.deadline('assessment', dt.date(2024, 3, 8))\n"
        "assert d.due == dt.date(2024, 5, 15) and not d.provisional\n"
        "assert d.assess(dt.date(2024, 5, 15)).status.value == 'met'\n"
        "assert bulk.assess('assessment', [dt.date(2024, 3, 8)], [None],"
        " as_of=dt.date(2026, 1, 5)).status_names().tolist() == ['open_overdue']\n"
        "cal = s.england_and_wales()\n"
        "assert cal.bank_holidays[dt.date(2028, 12, 26)] == 'Boxing Day'\n"
        "assert 'holidays' not in sys.modules, 'imported before a projected year was asked for'\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        # Thu 18 April 2030 + 1: Good Friday 19 and Easter Monday 22 are projected holidays.
        "    assert s.deadline('referral_decision', dt.date(2030, 4, 18)).due == dt.date(2030, 4, 23)\n"
        "assert 'holidays' in sys.modules\n"
        "assert 'projections (holidays ' in str(caught[0].message), caught[0].message\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert done.returncode == 0, done.stderr


def test_a_result_before_the_horizon_is_the_same_with_or_without_the_projection() -> None:
    # A deadline made before any projected year was read, judged later against an end in a
    # projected year: the judgement reads the projection (Easter 2030) and is provisional.
    d = deadline("assessment", D(2024, 3, 8))
    with pytest.warns(ProvisionalCalendarWarning):
        late = d.assess(D(2030, 4, 23))
    full = england_and_wales().complete()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        assert late.elapsed == full.working_days_between(D(2024, 3, 8), D(2030, 4, 23))
        assert late.late == full.working_days_between(D(2024, 5, 15), D(2030, 4, 23))
    assert late.provisional and not d.provisional


def test_calendars_pickle_for_workers_projected_years_read_or_not() -> None:
    # Dask and Spark send a council's calendar to their workers.
    local = england_and_wales().with_closures([D(2024, 12, 27)], label="Shutdown")
    again = pickle.loads(pickle.dumps(local))
    assert again == local
    assert again.add_working_days(D(2024, 12, 24), 1) == D(2024, 12, 30)  # 27th closed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        # Thu 18 April 2030 + 1: Good Friday and Easter Monday (projected) are skipped.
        assert again.add_working_days(D(2030, 4, 18), 1) == D(2030, 4, 23)
        full = pickle.loads(pickle.dumps(local.complete()))
        assert full == local.complete() and full.projection == local.projection
        assert full.add_working_days(D(2030, 4, 18), 1) == D(2030, 4, 23)
