"""The scan never writes over what it read, leaves no partial file, and exits by a documented code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safeguard_time import cli, example
from safeguard_time.cli import main

CHECK = ["--check", "assessment=referral_date:assessment_completed", "--as-of", "2025-03-31"]


@pytest.fixture
def caseload(tmp_path: Path) -> Path:
    path = tmp_path / "cases.csv"
    path.write_bytes(example.bundled_caseload().read_bytes())
    return path


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], words: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err, err


def test_no_output_may_be_an_input_or_another_output(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = caseload.read_bytes()
    scan = ["scan", str(caseload), *CHECK]
    out = str(tmp_path / "out.csv")
    # The errors report or the HTML report pointed at the caseload, through ./ too.
    _refused(capsys, [*scan, "-o", out, "--errors", str(caseload)], "is the input")
    rel = os.path.relpath(caseload)
    _refused(capsys, [*scan, "-o", out, "--report", f"./{rel}"], "is the input")
    # Two outputs with one name; an output that is the policy file.
    _refused(capsys, [*scan, "-o", out, "--errors", out], "are the same file")
    policy = tmp_path / "policy.toml"
    policy.write_bytes(example.policy_template().read_bytes())
    _refused(
        capsys,
        [*scan, "-o", out, "--policy", str(policy), "--report", str(policy)],
        "is the input --policy",
    )
    # A symbolic link and a hard link to the caseload are the caseload.
    link = tmp_path / "link.csv"
    link.symlink_to(caseload)
    _refused(capsys, [*scan, "-o", str(link)], "is the input")
    hard = tmp_path / "hard.csv"
    os.link(caseload, hard)
    _refused(capsys, [*scan, "-o", out, "--errors", str(hard)], "is the input")
    # Nothing was written, nothing was damaged.
    assert caseload.read_bytes() == before
    assert not (tmp_path / "out.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["cases.csv", "policy.toml", "link.csv", "hard.csv"]
    )


def test_an_existing_output_is_replaced_whole(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old\n", encoding="utf-8")
    assert main(["scan", str(caseload), *CHECK, "-o", str(out), "--quiet"]) == 0
    assert out.read_text("utf-8").startswith('"case_id"')
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []


def test_sigterm_removes_every_partial_file_and_says_what_was_replaced(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    example.write_csv(example.make_caseload(400_000, seed=3), big)
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    argv = [sys.executable, "-m", "safeguard_time", "scan", str(big), *CHECK]
    proc = subprocess.Popen(
        [*argv, "-o", str(out), "--errors", str(errors), "--quiet", "--block-size", "65536"],
        stderr=subprocess.PIPE,
        text=True,
    )
    # Wait for the scan to be writing (a partial file exists), then terminate it.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if any(".partial-" in p.name for p in tmp_path.iterdir()):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the scan ended before it could be interrupted"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "interrupted; no output written (nothing was replaced)" in err
    assert "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]


def test_exit_codes_say_what_happened(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["add", "2024-03-08", "45"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as usage:  # argparse refuses the date: bad usage
        main(["add", "31/02/2024", "1"])
    assert usage.value.code == 2
    assert "February 2024 has 29 days" in capsys.readouterr().err

    def broken(_args: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "_calendar", broken)
    assert main(["add", "2024-03-08", "45"]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: a bug" in err
    assert "--debug" in err
    assert "Traceback" not in err
    with pytest.raises(RuntimeError, match="a bug"):
        main(["--debug", "add", "2024-03-08", "45"])
    help_text = cli.build_parser().format_help()
    assert "3    an unexpected internal error" in help_text
    assert "143 terminated" in help_text


def test_every_text_cell_is_neutralised_whatever_its_arrow_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    risky = ["=1+1", "@SUM(A1)", "\x00=HYPERLINK(1)", "+cmd", "plain", "-5"]
    n = len(risky)
    table = pa.table(
        {
            "referral_date": pa.array(["2024-03-08"] * n),
            "assessment_completed": pa.array(["2024-05-15"] * n),
            "as_large": pa.array(risky, type=pa.large_string()),
            "as_dict": pa.array(risky).dictionary_encode(),
            "as_binary": pa.array([r.encode() for r in risky], type=pa.binary()),
        }
    )
    src, out = tmp_path / "cases.parquet", tmp_path / "out.csv"
    pq.write_table(table, src)
    assert main(["scan", str(src), *CHECK, "-o", str(out), "--quiet"]) == 0, capsys.readouterr()
    import csv  # noqa: PLC0415

    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    want = ["'=1+1", "'@SUM(A1)", "'\x00=HYPERLINK(1)", "'+cmd", "plain", "-5"]
    for column in ("as_large", "as_dict", "as_binary"):
        assert [r[column] for r in rows] == want, column
    # Parquet stores no string_view (a reader may still hand one over): the same path.
    from safeguard_time.io.scan import _as_string, _is_textual, _neutralise_column  # noqa: PLC0415

    view = pa.array(risky, type=pa.string_view())
    assert _is_textual(view.type)
    assert _neutralise_column(_as_string(view)).to_pylist() == want


def test_the_errors_file_neutralises_reasons_and_the_terminal_gets_no_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "cases.csv"
    header = "=evil\x1b[31m"
    src.write_text(f"{header},end\n=1+1,\n", encoding="utf-8")
    errors = tmp_path / "errors.csv"
    argv = ["scan", str(src), "--check", f"assessment={header}:end", "-o", str(tmp_path / "o.csv")]
    assert main([*argv, "--errors", str(errors)]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err
    import csv  # noqa: PLC0415

    with errors.open(encoding="utf-8", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["column"].startswith("'=evil")
    assert row["value"] == "'=1+1"
    # The reason quotes the cell; it starts with the quote, so it is no formula either.
    assert row["reason"] == (
        "'=1+1' is not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number"
    )
    # A check naming a column that does not exist: the message echoes it, without escapes.
    assert main(["scan", str(src), "--check", "assessment=\x1b[2Jgone:end", "-o", "x.csv"]) == 2
    assert "\x1b" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'r"ef,done\n2024-03-08,2024-05-15\n', "the header cannot be read as CSV"),
        (b"ref,done\r2024-03-08,2024-05-15\r", "carriage return alone"),
        (b"ref;done\n2024-03-08;2024-05-15\n", "Give --delimiter ';'"),
        (b"ref\tdone\n2024-03-08\t2024-05-15\n", "separated by tabs"),
    ],
)
def test_headers_that_do_not_read_say_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, words: str
) -> None:
    src = tmp_path / "cases.csv"
    src.write_bytes(content)
    argv = ["scan", str(src), "--check", "assessment=ref:done", "-o", str(tmp_path / "o.csv")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err, err
    assert "internal error" not in err


def test_a_semicolon_file_reads_with_its_delimiter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv  # noqa: PLC0415

    src, out = tmp_path / "cases.csv", tmp_path / "o.csv"
    src.write_text("ref;done\n2024-03-08;2024-05-16\n", encoding="utf-8")
    argv = ["scan", str(src), "--check", "assessment=ref:done", "-o", str(out), "--quiet"]
    assert main([*argv, "--delimiter", ";"]) == 0, capsys.readouterr().err
    with out.open(encoding="utf-8", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    # 8 Mar 2024 + 45 working days is Wed 15 May; done Thu 16 May: missed by 1.
    assert (row["assessment_status"], row["assessment_late"]) == ("missed", "1")
    assert main([*argv, "--delimiter", "ab"]) == 2
    assert "--delimiter must be one character" in capsys.readouterr().err


def test_max_errors_caps_the_errors_file_and_the_summary_counts_the_rest(
    tmp_path: Path, caseload: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv  # noqa: PLC0415

    errors = tmp_path / "errors.csv"
    argv = ["scan", str(caseload), *CHECK, "-o", str(tmp_path / "o.csv"), "--errors", str(errors)]
    assert main(argv) == 0
    with errors.open(encoding="utf-8", newline="") as fh:
        every = list(csv.DictReader(fh))
    capsys.readouterr()
    assert main([*argv, "--max-errors", "3"]) == 0
    err = capsys.readouterr().err
    with errors.open(encoding="utf-8", newline="") as fh:
        capped = list(csv.DictReader(fh))
    assert capped == every[:3]
    assert f"3 problems listed in {errors}; {len(every) - 3} more not listed (--max-errors)" in err


def test_a_bad_cell_used_by_two_checks_is_listed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv  # noqa: PLC0415

    # 1989-12-29 is a date, but outside the calendar: both checks meet the same problem.
    src, errors = tmp_path / "cases.csv", tmp_path / "errors.csv"
    src.write_text("ref,a,b\n1989-12-29,,\n", encoding="utf-8")
    argv = ["scan", str(src), "--check", "assessment=ref:a", "--check", "referral_decision=ref:b"]
    assert main([*argv, "-o", str(tmp_path / "o.csv"), "--errors", str(errors)]) == 0
    with errors.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1, rows
    assert rows[0]["check"] == "assessment referral_decision"
    assert "1989-12-29 is outside the supported calendar range" in rows[0]["reason"]


@pytest.mark.parametrize(
    ("codec", "named"),
    [
        ("utf-16", "utf-16"),  # with a byte order mark
        ("utf-16-le", "utf-16"),  # no mark: the byte order is read from the text
        ("utf-16-be", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
    ],
)
def test_utf16_files_read_when_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], codec: str, named: str
) -> None:
    import csv  # noqa: PLC0415

    src, out, errors = tmp_path / "cases.csv", tmp_path / "o.csv", tmp_path / "e.csv"
    src.write_bytes("ref,done\n2024-03-08,2024-05-15\n08/03/2024,n/a\n".encode(codec))
    argv = ["scan", str(src), "--check", "assessment=ref:done", "--encoding", named]
    assert main([*argv, "-o", str(out), "--errors", str(errors), "--quiet"]) == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["assessment_status"] for r in rows] == ["met", "error"]
    with errors.open(encoding="utf-8", newline="") as fh:
        [problem] = list(csv.DictReader(fh))
    assert (problem["line"], problem["value"]) == ("3", "n/a")  # physical line numbers kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv", "e.csv", "o.csv"]


def test_a_utf16_file_read_as_utf8_points_to_utf16(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "cases.csv"
    src.write_bytes("ref,done\n2024-03-08,2024-05-15\n".encode("utf-16"))
    argv = ["scan", str(src), "--check", "assessment=ref:done", "-o", str(tmp_path / "o.csv")]
    assert main(argv) == 2
    assert "--encoding utf-16" in capsys.readouterr().err
