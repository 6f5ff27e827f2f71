"""The command line: every subcommand, its output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from safeguard_time.cli import main


def test_add_and_between(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", "2024-03-08", "45"]) == 0
    assert capsys.readouterr().out == "2024-05-15 (Wednesday)\n"
    assert main(["add", "2024-03-09", "1", "--convention", "next_working_day_zero"]) == 0
    assert capsys.readouterr().out.startswith("2024-03-12")
    assert main(["add", "2024-03-08", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["result"] == "2024-03-11"
    assert main(["between", "2024-03-08", "2024-05-15"]) == 0
    assert capsys.readouterr().out == "45\n"


def test_holidays_lists_names_and_horizon(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["holidays", "--from", "2022-09-01", "--to", "2022-09-30"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "2022-09-19  Mon  State Funeral of Queen Elizabeth II\n"
    assert "verified through 2028" in captured.err
    assert main(["holidays", "--from", "2029-12-20", "--to", "2029-12-31"]) == 0
    assert "(provisional)" in capsys.readouterr().out


def test_due_prints_date_and_explanation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due", "assessment", "2024-03-08"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2024-05-15 (Wednesday)\n")
    assert "assessment.wt2023" in out and "Good Friday" in out
    assert main(["due", "assessment", "2024-03-08", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["due"] == "2024-05-15"
    assert data["rule"]["id"] == "assessment.wt2023"
    assert data["rule"]["status"] == "secondary"


def test_rules_on_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--on", "2012-01-09"]) == 0
    out = capsys.readouterr().out
    assert "initial_assessment" in out and "10 working days" in out
    assert "\nassessment " not in out


def test_errors_exit_2_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due", "initial_assessment", "2014-01-06"]) == 2
    err = capsys.readouterr().err
    assert "the rule that applied then was 'assessment'" in err
    assert "Traceback" not in err
    assert main(["add", "1980-01-01", "3"]) == 2
    assert "outside the supported calendar range" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["add", "03/25/2024", "3"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "there is no month 25: dates are read day-first (DD/MM/YYYY)" in err
    assert "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["due", "assessment", "n/a"])
    assert "'n/a' is not a date" in capsys.readouterr().err


def test_dates_are_read_by_the_date_grammar(capsys: pytest.CaptureFixture[str]) -> None:
    # Fri 8 March 2024 + 45 working days (Good Friday and Easter Monday skipped): 15 May
    for text in ("08/03/2024", "8/3/2024", "8 Mar 2024", "8th March 2024", "2024/03/08"):
        assert main(["due", "assessment", text]) == 0
        assert capsys.readouterr().out.startswith("2024-05-15 (Wednesday)\n")
    assert main(["add", "16/09/2022", "1"]) == 0  # Mon 19 Sep 2022: the state funeral
    assert capsys.readouterr().out == "2022-09-20 (Tuesday)\n"


def test_python_dash_m_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "safeguard_time", "due", "referral_decision", "2022-09-16"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("2022-09-20 (Tuesday)")


def test_calendar_subcommand_writes_a_table(tmp_path: Path) -> None:
    out = tmp_path / "cal.csv"
    assert (
        main(["calendar", "--from", "2022-09-16", "--to", "2022-09-20", "--output", str(out)]) == 0
    )
    lines = out.read_text("utf-8").splitlines()
    assert lines[0].startswith("date,weekday,is_working_day,working_day_number")
    monday = next(line for line in lines if line.startswith("2022-09-19"))
    assert "State Funeral of Queen Elizabeth II" in monday and ",false," in monday
    assert (
        main(
            [
                "calendar",
                "--from",
                "2022-09-16",
                "--to",
                "2022-09-20",
                "--format",
                "sql",
                "--output",
                str(out),
            ]
        )
        == 2
    )  # sql needs --dialect
