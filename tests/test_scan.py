"""``safeguard-time scan``: every row out with its checks, the errors report, exit codes.

Expected values are worked by hand (see the comments) and checked against the scalar API.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.csv as pcsv  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pytest

from safeguard_time import deadline
from safeguard_time._date_columns import parse_cell
from safeguard_time.cli import main
from safeguard_time.io import scan as scan_module
from safeguard_time.io.scan import Check, ScanOptions, scan
from tests.conftest import EXAMPLE, README_CHECK_ARGS, README_CHECKS

ADDED = ("due", "elapsed", "status", "late", "rule")


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _scan(
    capsys: pytest.CaptureFixture[str], tmp: Path, src: Path, *args: str
) -> tuple[int, list[dict[str, str]], list[dict[str, str]], str]:
    """Scan ``src`` into ``tmp``/out.csv and ``tmp``/errors.csv; return what came out."""
    out, errors = tmp / "out.csv", tmp / "errors.csv"
    for p in (out, errors):
        if p.exists():
            p.unlink()
    code = main(["scan", str(src), "-o", str(out), "--errors", str(errors), *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return (
        code,
        _rows(out) if out.exists() else [],
        _rows(errors) if errors.exists() else [],
        err,
    )


# --- the added columns ----------------------------------------------------------------------

CASES = """\
id,referral,completed
a,2024-03-08,2024-05-15
b,2024-03-08,2024-05-16
c,2024-03-08,
d,2024-05-01,
e,,
f,2011-06-01,
g,2024-03-08,2024-03-01
h,2011-06-01,2011-07-01
"""


def test_added_columns_hand_worked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path / "cases.csv", CASES)
    code, rows, errors, _ = _scan(
        capsys, tmp_path, src, "--check", "assessment=referral:completed", "--as-of", "2024-06-03"
    )
    assert code == 0
    got = {r["id"]: tuple(r[f"assessment_{k}"] for k in ADDED) for r in rows}
    # Fri 8 Mar 2024 + 45 working days (Good Friday, Easter Monday, 6 May skipped) = 15 May.
    assert got["a"] == ("2024-05-15", "45", "met", "0", "assessment.wt2023")
    assert got["b"] == ("2024-05-15", "46", "missed", "1", "assessment.wt2023")
    # Open on 3 June: 57 working days so far, 12 past the due date.
    assert got["c"] == ("2024-05-15", "57", "open_overdue", "12", "assessment.wt2023")
    # Wed 1 May + 45 = Fri 5 Jul; by Mon 3 June 21 working days: 2+4+5+5+4 in May (6 and
    # 27 May are holidays) and 3 June.
    assert got["d"] == ("2024-07-05", "21", "open_in_time", "0", "assessment.wt2023")
    # No referral and no completion: nothing to judge for this check.
    assert got["e"] == ("", "", "not_applicable", "", "")
    # A 2011 referral had an initial assessment, not a single one: not applicable ...
    assert got["f"] == ("", "", "not_applicable", "", "")
    # ... unless a single-assessment completion is filled in: then it is an error.
    assert got["h"] == ("", "", "error", "", "")
    assert got["g"] == ("2024-05-15", "", "error", "", "assessment.wt2023")
    assert [(e["line"], e["column"], e["value"]) for e in errors] == [
        ("8", "completed", "2024-03-01"),
        ("9", "referral", "2011-06-01"),
    ]
    assert errors[0]["reason"] == "end 2024-03-01 is before the start 2024-03-08"
    assert errors[1]["reason"].startswith("no rule for 'assessment' was in force on 2011-06-01")
    assert "yet completed is filled" in errors[1]["reason"]
    # The same answers as the scalar API.
    for r in rows:
        if r["assessment_status"] in {"met", "missed", "open_in_time", "open_overdue"}:
            end = dt.date.fromisoformat(r["completed"]) if r["completed"] else None
            d = deadline("assessment", dt.date.fromisoformat(r["referral"]))
            a = d.assess(end, as_of=dt.date(2024, 6, 3))
            assert r["assessment_due"] == d.due.isoformat()
            assert r["assessment_status"] == a.status.value


def test_every_row_kept_in_order_with_all_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, rows, _, err = _scan(
        capsys, tmp_path, EXAMPLE, *README_CHECK_ARGS, "--as-of", "2025-03-31", "--no-neutralise"
    )
    assert code == 0
    table = pcsv.read_csv(
        EXAMPLE,
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(_rows(EXAMPLE)[0], pa.string()),
            strings_can_be_null=False,
        ),
    )
    original = table.to_pylist()
    assert len(rows) == len(original) == 400
    for before, after in zip(original, rows, strict=True):
        assert {k: after[k] for k in before} == before
    names = list(rows[0])
    assert names[: len(original[0])] == list(original[0])
    assert names[len(original[0]) :] == [
        f"{c}_{k}"
        for c in ("initial_assessment", "core_assessment", "assessment", "initial_cp_conference")
        for k in ADDED
    ]
    assert {r["assessment_status"] for r in rows} <= {
        "met",
        "missed",
        "open_in_time",
        "open_overdue",
        "error",
        "not_applicable",
    }
    assert "rows read: 400" in err


def test_example_agrees_with_scalar_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every judged row of the bundled caseload, checked against ``deadline().assess()``."""
    _, rows, _, _ = _scan(capsys, tmp_path, EXAMPLE, *README_CHECK_ARGS, "--as-of", "2025-03-31")
    as_of = dt.date(2025, 3, 31)
    checked = 0
    for r in rows:
        for check in README_CHECKS:
            c = Check.parse(check)
            status = r[f"{c.timescale}_status"]
            if status not in {"met", "missed", "open_in_time", "open_overdue"}:
                continue
            start = parse_cell(r[c.start])
            end = parse_cell(r[c.end]) if c.end else None
            assert start is not None
            d = deadline(c.timescale, start)
            a = d.assess(end, as_of=as_of)
            assert (r[f"{c.timescale}_due"], status) == (d.due.isoformat(), a.status.value)
            assert r[f"{c.timescale}_elapsed"] == str(a.elapsed)
            assert r[f"{c.timescale}_rule"] == d.rule.id
            checked += 1
    assert checked > 400


# --- date forms inside a scan -----------------------------------------------------------------


def test_date_forms_in_a_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Every accepted spelling of Friday 8 March 2024 gives the same due date.
    forms = [
        "2024-03-08",
        "8/3/2024",
        "08/03/2024",
        "08-03-2024",
        "2024-03-08T16:00:00",
        "2024-03-08T16:00:00Z",
        "08/03/2024 09:15",
        "45359",
        "8 Mar 2024",
    ]
    text = "referral,done\n" + "".join(f"{f},2024-05-15\n" for f in forms)
    text += "2024-03-07T23:30:00Z,2024-05-15\n"  # GMT in March: still Thursday 7 March
    text += "03/25/2024,\n31/02/2024,\n05/03/24,\nn/a,2024-05-15\n"
    src = _write(tmp_path / "forms.csv", text)
    code, rows, errors, _ = _scan(capsys, tmp_path, src, "--check", "assessment=referral:done")
    assert code == 0
    assert [r["assessment_due"] for r in rows[: len(forms)]] == ["2024-05-15"] * len(forms)
    assert rows[len(forms)]["assessment_due"] == "2024-05-14"
    assert [r["assessment_status"] for r in rows[len(forms) + 1 :]] == ["error"] * 4
    assert [(e["line"], e["value"]) for e in errors] == [
        ("12", "03/25/2024"),
        ("13", "31/02/2024"),
        ("14", "05/03/24"),
        ("15", "n/a"),
    ]
    assert "month-first" in errors[0]["reason"]
    assert "February 2024 has 29 days" in errors[1]["reason"]
    assert "two-digit year" in errors[2]["reason"]
    assert "leave the cell blank" in errors[3]["reason"]


# --- the errors report ----------------------------------------------------------------------


def test_errors_report_lines_columns_values_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "\ufeffcase,referral,decision,note\n"  # Excel's byte-order mark
        'r1,2024-03-08,2024-03-11,"two\nlines"\n'  # a cell over lines 2 and 3
        "r2,n/a,2024-03-11,x\n"  # line 4
        "r3,2024-03-08,31/02/2024,x\n"  # line 5
        "r4,,2024-03-11,x\n"  # line 6: a decision with no referral
        "r5,2024-03-08,,x\n"  # line 7: open, and no --as-of
        "r6,,,x\n"  # line 8: nothing to judge
    )
    src = _write(tmp_path / "cases.csv", text)
    code, rows, errors, err = _scan(
        capsys,
        tmp_path,
        src,
        "--check",
        "referral_decision=referral:decision",
        "--check",
        "assessment=referral",
    )
    assert code == 0
    assert len(rows) == 6
    # Sorted by line, then by column; a bad cell used by two checks is listed once.
    assert [(e["line"], e["column"], e["value"], e["check"]) for e in errors] == [
        ("2", "referral", "2024-03-08", "assessment"),
        ("4", "referral", "n/a", "referral_decision assessment"),
        ("5", "referral", "2024-03-08", "assessment"),
        ("5", "decision", "31/02/2024", "referral_decision"),
        ("6", "referral", "", "referral_decision"),
        ("7", "referral", "2024-03-08", "assessment"),
        ("7", "decision", "", "referral_decision"),
    ]
    assert list(errors[0]) == ["line", "column", "value", "reason", "check"]
    reasons = [e["reason"] for e in errors]
    assert reasons[0] == "open case needs as_of (the date to judge it on): give --as-of DATE"
    assert reasons[1] == "'n/a' is not a date; leave the cell blank when there is no date"
    assert reasons[3] == "'31/02/2024' is not a date: February 2024 has 29 days, not 31"
    assert reasons[4] == "missing start: referral is blank but decision is filled"
    assert reasons[6] == "open case needs as_of (the date to judge it on): give --as-of DATE"
    assert [r["referral_decision_status"] for r in rows] == [
        "met",
        "error",
        "error",
        "error",
        "error",
        "not_applicable",
    ]
    assert rows[0]["note"] == "two\nlines"
    assert "rows with errors: 5" in err


def test_errors_report_for_every_row_of_the_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, rows, errors, err = _scan(
        capsys, tmp_path, EXAMPLE, *README_CHECK_ARGS, "--as-of", "2025-03-31"
    )
    assert code == 0
    raw = EXAMPLE.read_text("utf-8").split("\n")
    for e in errors:
        line = raw[int(e["line"]) - 1]
        assert e["value"].lstrip("'") in line  # the line the report names holds the value
    bad_lines = {int(e["line"]) for e in errors}
    flagged = [r for r in rows if any(r[f"{c}_status"] == "error" for c in _checks())]
    assert len(flagged) == len(bad_lines)
    assert f"rows with errors: {len(flagged)} ({len(errors)} problems" in err


def _checks() -> list[str]:
    return [Check.parse(c).timescale for c in README_CHECKS]


# --- formula neutralising ---------------------------------------------------------------------


def test_formula_cells_are_neutralised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "team,referral,done,=header\n"
        '"=HYPERLINK(""http://x"",""y"")",2024-03-08,2024-05-15,a\n'
        "@SUM(A1),2024-03-08,2024-05-15,+44 20 7946 0000\n"
        '"\tTAB",2024-03-08,2024-05-15,-\n'
        '"\rCR",2024-03-08,2024-05-15,-5\n'
        "+1.5e3,2024-03-08,=1+1,-1+2\n"
    )
    src = _write(tmp_path / "cases.csv", text)
    code, rows, errors, _ = _scan(capsys, tmp_path, src, "--check", "assessment=referral:done")
    assert code == 0
    assert list(rows[0])[3] == "'=header"
    assert [r["team"] for r in rows] == [
        '\'=HYPERLINK("http://x","y")',
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "+1.5e3",  # a plain number: a spreadsheet reads it as a number, not a formula
    ]
    assert [r["'=header"] for r in rows] == ["a", "'+44 20 7946 0000", "'-", "-5", "'-1+2"]
    assert rows[4]["done"] == "'=1+1"
    assert errors[0]["value"] == "'=1+1"  # the errors report is neutralised too
    # Our own columns are dates, counts and words: never formulas.
    assert rows[0]["assessment_due"] == "2024-05-15"

    code, rows, errors, _ = _scan(
        capsys, tmp_path, src, "--check", "assessment=referral:done", "--no-neutralise"
    )
    assert rows[0]["team"] == '=HYPERLINK("http://x","y")'
    assert list(rows[0])[3] == "=header"
    assert errors[0]["value"] == "=1+1"


# --- exit codes and messages ------------------------------------------------------------------


def test_exit_0_with_bad_rows_1_with_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path / "cases.csv", "referral,done\n2024-03-08,2024-05-15\n31/02/2024,\n")
    code, rows, _, _ = _scan(capsys, tmp_path, src, "--check", "assessment=referral:done")
    assert code == 0
    assert len(rows) == 2
    code, rows, _, err = _scan(
        capsys, tmp_path, src, "--check", "assessment=referral:done", "--strict"
    )
    assert code == 1
    assert len(rows) == 2  # the output is still written
    assert f"first: {src}, line 3, column referral:" in err
    clean = _write(tmp_path / "clean.csv", "referral,done\n2024-03-08,2024-05-15\n")
    assert _scan(capsys, tmp_path, clean, "--check", "assessment=referral:done", "--strict")[0] == 0


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, ["--check", "assessment=a:b"], "cases.csv: cannot read: No such file"),
        ("", ["--check", "assessment=a:b"], "cases.csv: line 1: empty file"),
        ("a,b\n1,2\n", ["--check", "assessment=referal:b"], "line 1: no column 'referal'"),
        ("ref,b\n1,2\n", ["--check", "assessment=refs:b"], "did you mean 'ref'?"),
        ("a,b\n1,2\n", ["--check", "asessment=a:b"], "unknown timescale 'asessment'"),
        ("a,b\n1,2\n", ["--check", "assessment=a:b", "--check", "assessment=b"], "twice"),
        ("a,b\n1,2\n3\n4,5\n6,7,8\n", ["--check", "assessment=a:b"], "line 3: expected 2 fields"),
        ("a,b\n1,2\n6,7,8\n", ["--check", "assessment=a:b"], "line 3: expected 2 fields, found 3"),
        ("a,a\n1,2\n", ["--check", "assessment=a"], "column 'a' appears 2 times"),
        ("a,assessment_due\n1,2\n", ["--check", "assessment=a"], "already has a column"),
        ("a,assessment_due\n1,2\n", ["--check", "assessment=a"], "is this file already scanned?"),
        ("a;b\n1;2\n", ["--check", "assessment=a:b"], "Give --delimiter ';'"),
        ("a,b\n1,2\n", ["--check", "lac_visit=a:b"], "--check lac_visit=a:b:"),
        ("a,b\n1,2\n", ["--check", "assessment=a", "--as-of", "1980-01-01"], "calendar range"),
        ("a,b\n1,2\n", ["--check", "assessment=a", "--encoding", "klingon"], "unknown encoding"),
    ],
)
def test_bad_input_exits_2_naming_file_line_column(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    args: list[str],
    message: str,
) -> None:
    src = tmp_path / "cases.csv"
    if content is not None:
        _write(src, content)
    code, rows, _, err = _scan(capsys, tmp_path, src, *args)
    assert code == 2
    assert message in err
    assert err.startswith("safeguard-time: error: ")
    assert rows == []  # nothing half-written
    assert not [p for p in os.listdir(tmp_path) if "partial" in p]


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path / "cases.csv", "a,b\n1,2\n")
    for argv in (
        ["scan", str(src), "-o", "x.csv"],  # no --check
        ["scan", str(src), "--check", "assessment", "-o", "x.csv"],
        ["scan", str(src), "--check", "assessment=a", "-o", "x.csv", "--as-of", "03/31/2025"],
        ["scan", str(src), "--check", "assessment=a"],  # no --output
    ):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert "Traceback" not in capsys.readouterr().err


def test_not_utf8_and_encoding_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "name,referral\nZoë £5,2024-03-08\n"
    src = _write(tmp_path / "cases.csv", text, encoding="cp1252")
    code, _, _, err = _scan(
        capsys, tmp_path, src, "--check", "assessment=referral", "--as-of", "2024-04-01"
    )
    assert code == 2
    assert "--encoding cp1252" in err
    code, rows, _, _ = _scan(
        capsys,
        tmp_path,
        src,
        "--check",
        "assessment=referral",
        "--as-of",
        "2024-04-01",
        "--encoding",
        "cp1252",
    )
    assert code == 0
    assert rows[0]["name"] == "Zoë £5"


def test_output_may_not_overwrite_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path / "cases.csv", "a\n2024-03-08\n")
    code = main(["scan", str(src), "--check", "assessment=a", "-o", str(src)])
    assert code == 2
    assert "is the input" in capsys.readouterr().err
    assert src.read_text() == "a\n2024-03-08\n"


def test_open_cases_need_as_of_and_cannot_start_after_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path / "cases.csv", "referral,done\n2024-03-08,\n2025-06-02,\n")
    code, rows, errors, _ = _scan(
        capsys, tmp_path, src, "--check", "assessment=referral:done", "--as-of", "2025-03-31"
    )
    assert code == 0
    assert [r["assessment_status"] for r in rows] == ["open_overdue", "error"]
    assert errors[0]["reason"] == (
        "as_of 2025-03-31 is before the start 2025-06-02: the case had not started on that date"
    )


# --- policy ---------------------------------------------------------------------------------


def test_policy_file_toml_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Herefordshire kept initial assessments until September 2016.
    src = _write(tmp_path / "cases.csv", "referral,done\n2015-06-01,2015-06-12\n")
    toml = _write(tmp_path / "policy.toml", 'single_assessment = 2016-09-01\nname = "Hfds"\n')
    js = _write(tmp_path / "policy.json", json.dumps({"single_assessment": "2016-09-01"}))
    check = ["--check", "initial_assessment=referral:done"]
    _, rows, _, err = _scan(capsys, tmp_path, src, *check)
    assert rows[0]["initial_assessment_status"] == "error"  # no initial assessments in 2015
    for policy in (toml, js):
        _, rows, _, err = _scan(capsys, tmp_path, src, *check, "--policy", str(policy))
        assert rows[0]["initial_assessment_status"] == "met"
        assert rows[0]["initial_assessment_rule"] == "initial_assessment.wt2010"
    assert "policy: Herefordshire" not in err
    _, _, _, err = _scan(capsys, tmp_path, src, *check, "--policy", str(toml))
    assert "policy: Hfds" in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "p.toml",
            "singel_assessment = 2016-09-01\n",
            "unknown policy setting 'singel_assessment'",
        ),
        ("p.toml", "single_assessment = [\n", "not a valid TOML policy file"),
        ("p.json", "{", "not a valid JSON policy file"),
        ("p.json", '{"single_assessment": "1 Sep 2016"}', "single_assessment: not an ISO date"),
        ("p.json", '{"name": 3}', "name: expected text"),
        ("p.json", "[1]", "expected a table of policy settings"),
        (
            "p.toml",
            "initial_assessment_10_day = 2014-01-01\n",
            "must not be after single_assessment",
        ),
        ("missing.toml", None, "cannot read the policy file"),
    ],
)
def test_bad_policy_file_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | None,
    message: str,
) -> None:
    src = _write(tmp_path / "cases.csv", "referral\n2015-06-01\n")
    policy = tmp_path / name
    if content is not None:
        _write(policy, content)
    code, _, _, err = _scan(
        capsys, tmp_path, src, "--check", "assessment=referral", "--policy", str(policy)
    )
    assert code == 2
    assert f"{policy}: " in err
    assert message in err


# --- streaming, stdin and stdout, Parquet ---------------------------------------------------


def test_streaming_many_blocks_same_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file many blocks long gives the same output and line numbers as one block."""
    text = EXAMPLE.read_text("utf-8")
    header, body = text.split("\n", 1)
    big = _write(tmp_path / "big.csv", header + "\n" + body * 6)  # 2,400 rows, ~280 KB
    args = [*README_CHECK_ARGS, "--as-of", "2025-03-31"]
    _, one, one_errors, _ = _scan(capsys, tmp_path, big, *args)
    code, many, many_errors, err = _scan(capsys, tmp_path, big, *args, "--block-size", "4096")
    assert code == 0
    assert many == one
    assert many_errors == one_errors
    assert len(many) == 2400
    lines = big.read_text("utf-8").split("\n")
    for e in many_errors:
        assert e["value"].lstrip("'") in lines[int(e["line"]) - 1]
    # The library's chunking was really used: read the source in small blocks directly.
    opts = ScanOptions(
        input=str(big),
        output=str(tmp_path / "again.csv"),
        checks=(Check("assessment", "referral_date", "assessment_completed"),),
        as_of=dt.date(2025, 3, 31),
        block_size=4096,
    )
    summary = scan(opts)
    assert summary.rows == 2400
    assert "rows read: 2,400" in err


def test_blocks_gathered_into_groups_same_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks gathered into groups of rows (here 500, cutting through blocks) change nothing.

    The rows' lines are carried with them, so the errors file names the same lines.
    """
    text = EXAMPLE.read_text("utf-8")
    header, body = text.split("\n", 1)
    big = _write(tmp_path / "big.csv", header + "\n" + body * 6)  # 2,400 rows
    args = [*README_CHECK_ARGS, "--as-of", "2025-03-31"]
    _, one, one_errors, _ = _scan(capsys, tmp_path, big, *args)
    monkeypatch.setattr(scan_module, "ASSESS_ROWS", 500)
    code, grouped, grouped_errors, _ = _scan(capsys, tmp_path, big, *args, "--block-size", "4096")
    assert code == 0
    assert grouped == one
    assert grouped_errors == one_errors
    assert len({e["line"] for e in grouped_errors}) > 10  # errors in several groups


def test_gathered_groups_hold_every_row_once() -> None:
    """``_gathered``: groups of at least the rows asked for (the last: the rest), in order."""
    sizes = [7, 0, 5, 12, 1, 3, 9]
    blocks, start = [], 0
    for n in sizes:
        values = list(range(start, start + n))
        blocks.append((pa.record_batch({"v": values}), np.array(values, np.int64) + 2))
        start += n
    advanced: list[int] = []
    groups = list(scan_module._gathered(iter(blocks), 10, 1 << 20, lambda: advanced.append(1)))
    assert [g.num_rows for g, _ in groups] == [12, 12, 13]  # 7+0+5, 12, 1+3+9
    assert [v for g, _ in groups for v in g.column("v").to_pylist()] == list(range(37))
    assert np.concatenate([at for _, at in groups]).tolist() == [v + 2 for v in range(37)]
    assert len(advanced) == len(sizes)  # the progress follows every block read
    # Wide rows end a group by its bytes first: 8 bytes a value, at least 40 bytes a group.
    by_size = list(scan_module._gathered(iter(blocks), 1000, 40, lambda: None))
    assert [g.num_rows for g, _ in by_size] == [7, 5, 12, 13]  # 56, 0+40, 96, 8+24+72 bytes
    assert [v for g, _ in by_size for v in g.column("v").to_pylist()] == list(range(37))
    # Growing groups: the first ends at 4 rows, the next at 8, then 10 (the rows asked for).
    growing = list(scan_module._gathered(iter(blocks), 10, 1 << 20, lambda: None, 4))
    assert [g.num_rows for g, _ in growing] == [7, 17, 13]  # 7, 0+5+12, 1+3+9
    assert [v for g, _ in growing for v in g.column("v").to_pylist()] == list(range(37))
    assert np.concatenate([at for _, at in growing]).tolist() == [v + 2 for v in range(37)]
    # Near the end the groups shrink: one ends once it holds the rows left after it.
    even = [
        (pa.record_batch({"v": list(range(k, k + 4))}), np.arange(k, k + 4))
        for k in range(0, 64, 4)
    ]
    handed: list[int] = []

    def share_left() -> float:  # by rows here (a file's share is by bytes)
        return 1 - 4 * len(handed) / 64

    tapering = list(
        scan_module._gathered(iter(even), 100, 1 << 20, lambda: handed.append(1), None, share_left)
    )
    # 32 rows (32 left), then 16 (16 left), 8, 4 and the last 4: each half what was left.
    assert [g.num_rows for g, _ in tapering] == [32, 16, 8, 4, 4]
    assert [v for g, _ in tapering for v in g.column("v").to_pylist()] == list(range(64))


def test_stdin_to_stdout(tmp_path: Path) -> None:
    text = "referral,done\n2024-03-08,2024-05-15\n2024-03-08,n/a\n"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "safeguard_time", "scan", "-", "-o", "-"),
            *("--check", "assessment=referral:done", "--errors", str(tmp_path / "e.csv")),
        ],
        input=text.encode(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0
    out = list(csv.DictReader(io.StringIO(done.stdout.decode())))
    assert [r["assessment_status"] for r in out] == ["met", "error"]
    assert b"scanned <stdin> -> <stdout>" in done.stderr
    assert _rows(tmp_path / "e.csv")[0]["line"] == "3"


def test_parquet_out_and_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scanned.parquet"
    code = main(["scan", str(EXAMPLE), *README_CHECK_ARGS, "--as-of", "2025-03-31", "-o", str(out)])
    assert code == 0
    table = pq.read_table(out)
    assert table.num_rows == 400
    assert table.schema.field("assessment_due").type == pa.date32()
    assert table.schema.field("assessment_elapsed").type == pa.int32()
    assert table.column("case_id").to_pylist()[:2] == ["R0000001", "R0000002"]
    capsys.readouterr()
    # Typed date columns in, CSV out.
    typed = tmp_path / "typed.parquet"
    pq.write_table(
        pa.table(
            {
                "referral": pa.array([dt.date(2024, 3, 8), None], pa.date32()),
                "done": pa.array(
                    [dt.datetime(2024, 5, 15, 23, 30, tzinfo=dt.UTC), None],
                    pa.timestamp("s", tz="UTC"),
                ),
                "serial": pa.array([45359, None], pa.int64()),
            }
        ),
        typed,
    )
    back = tmp_path / "back.csv"
    code = main(["scan", str(typed), "--check", "assessment=referral:done", "-o", str(back)])
    assert code == 0
    rows = _rows(back)
    assert rows[0]["assessment_status"] == "missed"  # 23:30 UTC in May is the 16th in London
    assert rows[1]["assessment_status"] == "not_applicable"
    code = main(["scan", str(typed), "--check", "referral_decision=serial", "-o", str(back)])
    assert code == 0  # integers in a date column are Excel serials
    capsys.readouterr()
    bad = _write(tmp_path / "bad.parquet", "not parquet")
    assert main(["scan", str(bad), "--check", "assessment=a", "-o", str(back)]) == 2
    assert "not a readable Parquet file" in capsys.readouterr().err


# --- summary and progress -------------------------------------------------------------------


def test_summary_on_stderr_and_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, rows, _, err = _scan(capsys, tmp_path, EXAMPLE, *README_CHECK_ARGS, "--as-of", "2025-03-31")
    assert "rows read: 400" in err
    counts = {
        s: sum(r["assessment_status"] == s for r in rows)
        for s in ("met", "missed", "open_in_time", "open_overdue", "not_applicable", "error")
    }
    line = next(x for x in err.splitlines() if x.startswith("assessment="))
    assert line.startswith(
        "assessment=referral_date:assessment_completed: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    assert "Duration of assessments" in err and "41-45" in err
    assert "Duration to the initial child protection conference" in err and "21+" in err
    _, _, _, err = _scan(
        capsys, tmp_path, EXAMPLE, *README_CHECK_ARGS, "--as-of", "2025-03-31", "--quiet"
    )
    assert err == ""


def test_progress_bar_only_when_asked(tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8")
    src = _write(tmp_path / "cases.csv", text)
    opts = ScanOptions(
        input=str(src),
        output=str(tmp_path / "out.csv"),
        checks=(Check("assessment", "referral_date", "assessment_completed"),),
        as_of=dt.date(2025, 3, 31),
        progress=True,
        block_size=4096,
    )
    stream = io.StringIO()
    assert scan(opts, stderr=stream).rows == 400
    assert "scanning cases.csv" in stream.getvalue()


def test_no_progress_bar_when_not_a_terminal(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "safeguard_time", "scan", str(EXAMPLE), *README_CHECK_ARGS),
            *("--as-of", "2025-03-31", "-o", str(tmp_path / "o.csv")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "scanning" not in done.stderr
    assert "\x1b[" not in done.stderr  # no terminal control codes in a log


def test_blank_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An empty line is an empty row: kept, so every later line number stays right.
    src = _write(tmp_path / "cases.csv", "referral,done\n2024-03-08,2024-05-15\n\n31/02/2024,\n")
    code, rows, errors, err = _scan(capsys, tmp_path, src, "--check", "assessment=referral:done")
    assert code == 0
    assert [r["assessment_status"] for r in rows] == ["met", "not_applicable", "error"]
    assert errors[0]["line"] == "4"
    # A line of spaces holds no fields to keep: skipped, and the summary says so.
    src = _write(tmp_path / "cases.csv", "referral,done\n2024-03-08,2024-05-15\n   \n")
    code, rows, errors, err = _scan(capsys, tmp_path, src, "--check", "assessment=referral:done")
    assert code == 0
    assert len(rows) == 1
    assert "1 line holding only spaces was skipped" in err


def test_crlf_and_quoted_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path / "cases.csv", '"referral, date",done\r\n2024-03-08,2024-05-15\r\n')
    code, rows, _, _ = _scan(capsys, tmp_path, src, "--check", "assessment=referral, date:done")
    assert code == 0
    assert rows[0]["assessment_status"] == "met"


def test_header_only_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path / "cases.csv", "referral,done\n")
    code, rows, errors, err = _scan(capsys, tmp_path, src, "--check", "assessment=referral:done")
    assert code == 0
    assert rows == []
    assert errors == []
    assert "rows read: 0" in err
    assert (tmp_path / "out.csv").read_text().startswith('"referral","done","assessment_due"')


def test_a_negative_duration_never_stops_a_scan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Sat 1 Jan 2005 referral, initial assessment the same day.  Mon 3 Jan 2005 was the
    # New Year substitute bank holiday, so under next_working_day_zero day 0 is Tue 4 Jan;
    # Framework 2000's 7 working days are Wed 5, Thu 6, Fri 7, Mon 10, Tue 11, Wed 12,
    # Thu 13: due Thu 13 Jan.  The end came before day 0: elapsed -1, met.
    src = tmp_path / "weekend.csv"
    src.write_text("start,end\n2005-01-01,2005-01-01\n", encoding="utf-8")
    code, rows, _, err = _scan(
        capsys,
        tmp_path,
        src,
        "--check",
        "initial_assessment=start:end",
        "--convention",
        "next_working_day_zero",
        "--report",
        str(tmp_path / "r.html"),
    )
    assert code == 0, err
    row = rows[0]
    assert row["initial_assessment_elapsed"] == "-1"
    assert row["initial_assessment_status"] == "met"
    assert row["initial_assessment_due"] == "2005-01-13"
    assert (tmp_path / "r.html").exists()


def test_a_carriage_return_in_a_bad_cell_stays_in_its_cell(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "cr.csv"
    src.write_bytes(b'start,end\n"=1+1\r",\n')
    code, _, errors, err = _scan(capsys, tmp_path, src, "--check", "assessment=start:end")
    assert code == 0, err
    assert len(errors) == 1
    assert errors[0]["value"] == "'=1+1\r"  # neutralised, and the CR kept inside the quotes
    assert errors[0]["reason"].startswith("'=1+1")
