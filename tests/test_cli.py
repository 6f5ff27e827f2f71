"""The command line: every subcommand, its output and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from safeguard_time.calendar import Convention
from safeguard_time.cli import main
from safeguard_time.io.scan import ScanSummary
from safeguard_time.rules import resolved_rules, timescales


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


# --- due: phases, extensions, policies ------------------------------------------------------


def test_due_answers_phased_timescales(capsys: pytest.CaptureFixture[str]) -> None:
    # Fri 8 Mar 2024 + 6 weeks (42 days) is Fri 19 Apr; + 3 months is Sat 8 Jun 2024.
    assert main(["due", "lac_visit", "2024-03-08", "--phase", "first_year"]) == 0
    assert capsys.readouterr().out.startswith("2024-04-19 (Friday)\n")
    assert main(["due", "lac_visit", "2024-03-08", "--phase", "until_18"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2024-06-08 (Saturday)\n")
    assert "phase 'until_18'" in out
    # Mon 1 Jan 2024 + 6 weeks is Mon 12 Feb; + 12 weeks (84 days) is Mon 25 Mar.
    assert main(["due", "private_fostering_visit", "2024-01-01", "--phase", "first_year"]) == 0
    assert capsys.readouterr().out.startswith("2024-02-12 (Monday)\n")
    argv = ["due", "private_fostering_visit", "2024-01-01", "--phase", "after_first_year"]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["due"], data["phase"]) == ("2024-03-25", "after_first_year")
    assert data["rule"]["id"] == "private_fostering_visit.pfr2005.after_first_year"


def test_due_without_or_with_a_wrong_phase_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due", "lac_visit", "2024-03-08"]) == 2
    err = capsys.readouterr().err
    assert "needs phase= one of first_year, until_18, other" in err
    assert "give --phase (see: safeguard-time rules lac_visit)" in err
    assert main(["due", "lac_visit", "2024-03-08", "--phase", "first_yaer"]) == 2
    assert "did you mean 'first_year'?" in capsys.readouterr().err
    assert main(["due", "assessment", "2024-03-08", "--phase", "first_year"]) == 2
    assert "'assessment' has no phases" in capsys.readouterr().err


def test_due_extensions(capsys: pytest.CaptureFixture[str]) -> None:
    # Fri 8 Mar 2024: 10 working days is Fri 22 Mar; one extension makes 20, Good Friday
    # (29 Mar) and Easter Monday (1 Apr) skipped: Tue 9 Apr.
    assert main(["due", "complaint_stage1", "2024-03-08"]) == 0
    assert capsys.readouterr().out.startswith("2024-03-22 (Friday)\n")
    assert main(["due", "complaint_stage1", "2024-03-08", "--extensions", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["due"], data["extensions"]) == ("2024-04-09", 1)
    assert main(["due", "complaint_stage1", "2024-03-08", "--extensions", "2"]) == 2
    assert "may be extended at most 1 time" in capsys.readouterr().err


def test_due_under_a_council_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('name = "Somewhere"\ninitial_assessment_10_day = 2011-04-01\n', "utf-8")
    # Tue 1 Jun 2010: the statutory default is 10 working days (Tue 15 Jun); a council that
    # kept 7 until April 2011 gives Thu 10 Jun (no bank holiday in between).
    assert main(["due", "initial_assessment", "2010-06-01"]) == 0
    assert capsys.readouterr().out.startswith("2010-06-15 (Tuesday)\n")
    assert main(["due", "initial_assessment", "2010-06-01", "--policy", str(policy)]) == 0
    assert capsys.readouterr().out.startswith("2010-06-10 (Thursday)\n")
    assert main(["due", "initial_assessment", "2010-06-01", "--policy", str(policy), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["due"], data["policy"]) == ("2010-06-10", "Somewhere")
    assert main(["due", "initial_assessment", "2010-06-01", "--policy", str(tmp_path / "no")]) == 2
    assert "cannot read the policy file" in capsys.readouterr().err


def test_every_timescale_can_be_answered(capsys: pytest.CaptureFixture[str]) -> None:
    for ts in timescales():
        first = resolved_rules(ts.id)[0]
        argv = ["due", ts.id, first.start.isoformat()]
        if first.rule.phase is not None:
            argv += ["--phase", first.rule.phase]
        assert main([*argv, "--json"]) == 0, argv
        assert json.loads(capsys.readouterr().out)["rule"]["id"] == first.rule.id


def test_did_you_mean_on_every_subcommand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["due", "asessment", "2024-03-08"]) == 2
    assert "did you mean 'assessment'?" in capsys.readouterr().err
    assert main(["rules", "lac_visti"]) == 2
    assert "did you mean 'lac_visit'?" in capsys.readouterr().err
    src = tmp_path / "cases.csv"
    src.write_text("referral,done\n2024-03-08,2024-05-15\n", "utf-8")
    out = str(tmp_path / "out.csv")
    assert main(["scan", str(src), "--check", "asessment=referral:done", "-o", out]) == 2
    assert "did you mean 'assessment'?" in capsys.readouterr().err


# --- --json: one style, every read-only subcommand -----------------------------------------


@pytest.mark.parametrize(
    ("argv", "keys"),
    [
        (["add", "2024-03-08", "45"], {"start", "n", "result", "convention"}),
        (["between", "2024-03-08", "2024-05-15"], {"start", "end", "working_days", "convention"}),
        (
            ["due", "assessment", "2024-03-08"],
            {
                "timescale",
                "start",
                "due",
                "last_working_day",
                "convention",
                "phase",
                "extensions",
                "policy",
                "provisional",
                "rule",
                "explanation",
            },
        ),
        (
            ["holidays", "--from", "2024-01-01", "--to", "2024-12-31"],
            {"from", "to", "verified_through", "holidays"},
        ),
        (["rules", "--on", "2024-03-08"], None),
    ],
)
def test_json_is_indented_the_same_everywhere(
    argv: list[str], keys: set[str] | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert out == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if keys is not None:
        assert set(data) == keys
    else:
        assert isinstance(data, list)
        assert set(data[0]) == {
            "timescale", "title", "rule", "phase", "length", "amount", "unit", "from", "to",
            "status", "citation", "url",
        }  # fmt: skip


def test_json_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["between", "2024-03-08", "2024-05-15", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["working_days"] == 45
    assert main(["holidays", "--from", "2024-01-01", "--to", "2024-12-31", "--json"]) == 0
    days = json.loads(capsys.readouterr().out)["holidays"]
    # The eight bank holidays of England and Wales in 2024 (tests/data).
    assert [d["date"] for d in days] == [
        "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06",
        "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26",
    ]  # fmt: skip
    assert days[1] == {
        "date": "2024-03-29", "weekday": "Fri", "name": "Good Friday", "provisional": False
    }  # fmt: skip
    assert main(["rules", "referral_decision", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    # Framework 2000 ran until Working Together 2006 took over on 1 April 2006: inclusive end.
    assert (rows[0]["from"], rows[0]["to"]) == ("2000-04-01", "2006-03-31")
    assert rows[-1]["to"] is None


# --- holidays ---------------------------------------------------------------------------------


def test_holidays_as_csv_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["holidays", "--from", "2022-09-01", "--to", "2022-09-30", "--format", "csv"]) == 0
    assert capsys.readouterr().out == (
        "date,weekday,name,provisional\n2022-09-19,Mon,State Funeral of Queen Elizabeth II,false\n"
    )
    assert main(["holidays", "--from", "2029-12-24", "--to", "2029-12-31", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "2029-12-25,Tue,Christmas Day,true",
        "2029-12-26,Wed,Boxing Day,true",
    ]
    assert main(["holidays", "--from", "2022-09-01", "--to", "2022-09-30", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["holidays"][0]["date"] == "2022-09-19"


def test_from_after_to_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["holidays", "--from", "2024-05-01", "--to", "2024-01-01"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        "safeguard-time: error: --from 2024-05-01 is after --to 2024-01-01: give the earlier "
        "date first" in captured.err
    )
    out = str(tmp_path / "cal.csv")
    assert main(["calendar", "--from", "01/03/2024", "--to", "1 Feb 2024", "-o", out]) == 2
    assert "--from 2024-03-01 is after --to 2024-02-01" in capsys.readouterr().err
    assert not (tmp_path / "cal.csv").exists()


# --- outputs that cannot be written -----------------------------------------------------------


def _unwritable_cases(tmp_path: Path) -> list[tuple[list[str], str]]:
    src = tmp_path / "cases.csv"
    src.write_text("referral,done\n2024-03-08,2024-05-15\n", "utf-8")
    scan = [
        "scan", str(src), "--check", "assessment=referral:done", "--as-of", "2024-06-01", "-q",
    ]  # fmt: skip
    ok = str(tmp_path / "ok.csv")
    missing = str(tmp_path / "no_such_folder" / "x.csv")
    return [
        ([*scan, "-o", missing], missing),
        ([*scan, "-o", ok, "--errors", missing], missing),
        ([*scan, "-o", ok, "--report", missing + ".html"], missing + ".html"),
        (
            ["returns", str(src), "--kind", "ssda903", "--as-of", "2024-01-01", "-o", missing],
            missing,
        ),
        (["example", missing], missing),
        (["example", missing + ".toml"], missing + ".toml"),
        (["calendar", "--from", "2024-01-01", "--to", "2024-01-31", "-o", missing], missing),
    ]


def test_one_message_for_a_missing_output_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, path in _unwritable_cases(tmp_path):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err == f"safeguard-time: error: {path}: cannot write: no such folder\n", argv
    assert not (tmp_path / "ok.csv").exists()  # refused before any work


def test_one_message_for_a_file_in_the_way_and_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("", "utf-8")
    inside = str(blocker / "x.csv")
    assert main(["example", inside]) == 2
    assert capsys.readouterr().err == (
        f"safeguard-time: error: {inside}: cannot write: a part of its folder is a file, "
        "not a folder\n"
    )
    assert (
        main(["calendar", "--from", "2024-01-01", "--to", "2024-01-31", "-o", str(tmp_path)]) == 2
    )
    assert (
        capsys.readouterr().err
        == f"safeguard-time: error: {tmp_path}: cannot write: it is a folder\n"
    )


# --- rules ------------------------------------------------------------------------------------


def test_rules_table_has_a_header_phases_and_fits_100_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "timescale: title"
    assert lines[1].split() == ["phase", "length", "from", "to", "(incl.)", "source"]
    assert max(len(line) for line in lines) <= 100
    assert "referral_decision: Decision on a referral" in lines
    # Framework 2000's referral rule ran until 31 March 2006, inclusive; Working Together
    # 2006 from 1 April.
    assert (
        "  -                 1 working day                    2000-04-01  2006-03-31  secondary"
        in lines
    )
    assert main(["rules", "lac_visit"]) == 0
    rows = capsys.readouterr().out.splitlines()[3:]
    assert [row.split()[0] for row in rows] == ["first_year", "other", "until_18"]
    assert [" ".join(row.split()[1:3]) for row in rows] == ["6 weeks", "6 weeks", "3 months"]
    assert all("in force" in row for row in rows)


def test_rules_wide_adds_citations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "lac_visit", "--wide"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[-1] == "citation"
    assert lines[3].endswith("(SI 2010/959), regulation 28(2)(b)")
    assert main(["rules", "lac_visit"]) == 0
    assert "regulation" not in capsys.readouterr().out


# --- the scan's summary -----------------------------------------------------------------------


def test_scan_summary_words_counts_and_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "cases.csv"
    # As of Fri 31 May 2024: met (due Wed 15 May), open, not applicable (no start), error.
    rows = ["2024-03-08,2024-05-15", "2024-05-01,", ",", "31/02/2024,"]
    rows += ["2024-03-08,2024-05-15"] * 1000
    src.write_text("referral,done\n" + "\n".join(rows) + "\n", "utf-8")
    out, errors, report = (str(tmp_path / n) for n in ("out.csv", "errors.csv", "r.html"))
    argv = ["scan", str(src), "--check", "assessment=referral:done", "--as-of", "2024-05-31"]
    assert main([*argv, "-o", out, "--errors", errors, "--report", report]) == 0
    err = capsys.readouterr().err
    assert "rows read: 1,004\n" in err
    assert f"rows with errors: 1 (1 problem listed in {errors})\n" in err
    # Standard error is not a terminal here: the long line is not wrapped.
    assert (
        "\nassessment=referral:done: met 1,001, missed 0, open_in_time 1, open_overdue 0, "
        "not_applicable 1, error 1; on time 100.0% of 1,001 completed\n"
    ) in err
    assert "(not counted: 1 open row, 1 error row, 1 not_applicable row)\n" in err
    assert err.endswith(
        f"wrote: {out} (the rows with their results), {errors} (the errors report), {report} "
        "(the HTML report)\n"
    )
    assert main([*argv, "-o", out]) == 0
    err = capsys.readouterr().err
    assert err.endswith(f"wrote: {out} (the rows with their results)\n")
    assert "rows with errors: 1\n" in err


def test_scan_summary_wraps_at_word_boundaries() -> None:
    summary = ScanSummary(
        "a-caseload-with-a-long-name.csv", "scanned.csv", "errors.csv", dt.date(2025, 3, 31),
        Convention.EVENT_DAY_ZERO, "statutory defaults", [], rows=2_400, rows_with_errors=3,
        problems=5, problems_not_listed=2, report="report.html",
    )  # fmt: skip
    whole = summary.text()
    assert "rows with errors: 3 (3 problems listed in errors.csv; 2 more not listed" in whole
    for width in (30, 45, 80):
        wrapped = summary.text(width)
        # A line is no wider than the terminal, unless it is one word too long to break.
        lines = wrapped.splitlines()
        assert all(len(line) <= width or len(line.split()) == 1 for line in lines), width
        assert max(len(line) for line in lines) <= max(width, 2 + 31)  # indent + the name
        assert wrapped.split() == whole.split()  # only the breaks moved: no word cut
    assert summary.text(200) == whole


def test_scan_summary_on_a_terminal_wraps_to_its_width(tmp_path: Path) -> None:
    src = tmp_path / "cases.csv"
    src.write_text("referral,done\n2024-03-08,2024-05-15\n2024-03-08,\n", "utf-8")
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "50"}
    argv = ["scan", "cases.csv", "--check", "assessment=referral:done", "--as-of", "2024-05-31"]
    done = subprocess.run(
        [sys.executable, "-m", "safeguard_time", *argv, "-o", "out.csv"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower, env=env,
        cwd=tmp_path, check=False, timeout=120,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's far end is closed: all was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 0
    text = b"".join(chunks).decode().replace("\r\n", "\n")
    summary = text.split("\x1b[2K")[-1].splitlines()  # after the progress bar's last clearing
    assert summary[0] == "scanned cases.csv -> out.csv"
    assert max(len(line) for line in summary) <= 50
    # The long status line is broken between words, its continuation indented.
    joined = " ".join(line.strip() for line in summary)
    assert "met 1, missed 0, open_in_time 0, open_overdue 1, not_applicable 0, error 0" in joined
    assert any(line.startswith("  ") and "open_overdue" in line for line in summary)
