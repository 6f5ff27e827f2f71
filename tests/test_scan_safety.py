"""The scan never writes over what it read, leaves no partial file, and exits by a documented code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.csv"
    example.write_csv(example.make_caseload(400_000, seed=3), path)
    return path


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_removes_every_partial_file_and_says_what_was_replaced(
    tmp_path: Path, big: Path, signum: int, status: int
) -> None:
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
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert "interrupted; no output written (nothing was replaced)" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


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


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)]
)
def test_a_signal_that_breaks_a_lock_is_still_an_interruption(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], signum: int, status: int
) -> None:
    """A signal landing in a lock's wait leaves the lock released (seen once in the test
    above: the scan's main thread waits on the writer's queue); the ``with`` around it then
    raises ``RuntimeError: release unlocked lock``.  That is the signal, not a bug."""

    def waiting(_args: object) -> object:
        lock = threading.Lock()
        with lock:
            lock.release()  # as Condition.wait has it, between releasing and waiting
            signal.raise_signal(signum)  # the handler raises here; __exit__ then fails
        raise AssertionError("the signal did not stop the command")

    monkeypatch.setattr(cli, "_calendar", waiting)
    assert main(["add", "2024-03-08", "45"]) == status
    err = capsys.readouterr().err
    assert err.startswith("safeguard-time: interrupted; ")
    assert "internal error" not in err


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


#: Cells that start like formulas, numbers or neither (a spreadsheet's view of a cell).
_cells = st.one_of(
    st.text(max_size=6),
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(
                ["=", "+", "-", "@", "\x00", "\t", "\x7f", "-5", "1.5e3", ".", "a", "é"]
            ),
            max_size=4,
        ),
    ),
)


@given(
    st.lists(_cells, max_size=30),
    st.none() | st.sets(st.integers(0, 29)),
    st.integers(0, 4),
    st.integers(0, 4),
)
@hypothesis.example(
    ["-5", "", "=b", "+1.5e3", "c", "@"], None, 0, 0
)  # numbers, an empty cell, no nulls
@hypothesis.example(["x", "-5", "=b", "", "\t"], {0}, 1, 0)
@hypothesis.example(["=a", "b", "", "@c"] * 40, None, 3, 2)  # more cells to prefix than a few
def test_the_vectorised_neutralising_prefixes_the_cells_neutralise_text_does(
    texts: list[str], nulls: set[int] | None, lo: int, cut: int
) -> None:
    import pyarrow as pa  # noqa: PLC0415

    from safeguard_time.io.scan import _neutralise_column, neutralise_text  # noqa: PLC0415

    # Nulls in some columns only: a column with none takes the byte arithmetic.
    cells = [None if i in (nulls or ()) else t for i, t in enumerate(texts)]
    arr = pa.array(cells, pa.string())
    part = arr.slice(min(lo, len(arr)), max(len(arr) - lo - cut, 0))  # an offset into buffers
    want = [None if c is None else neutralise_text(c) for c in part.to_pylist()]
    got = _neutralise_column(part)
    got.validate(full=True)
    assert got.to_pylist() == want
    # Other text types are read as plain strings first.
    assert _neutralise_column(part.cast(pa.large_string())).to_pylist() == want


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


def _errors_rows(path: Path) -> list[dict[str, str]]:
    import csv  # noqa: PLC0415

    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("block_size", [64, 1 << 20])
def test_line_numbers_stay_physical_after_lines_of_spaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], block_size: int
) -> None:
    # Every third row is bad; lines of spaces and tabs, empty lines and cells holding line
    # breaks fall between them.  The bad rows' physical lines are counted here as the file
    # is written, independently of the scan.
    lines = ["ref,done,note"]
    bad_lines = []
    for i in range(300):
        if i % 7 == 3:
            lines.append("   ")
        if i % 11 == 5:
            lines.append("\t")
        if i % 13 == 0:
            lines.append("")  # an empty line is an empty row (kept)
        note = '"two\nlines"' if i % 5 == 0 else "plain"
        if i % 3 == 0:
            bad_lines.append(1 + sum(entry.count("\n") + 1 for entry in lines))
            lines.append(f"31/02/2024,2024-05-15,{note}")
        else:
            lines.append(f"2024-03-08,2024-05-15,{note}")
    src, out, errors = tmp_path / "cases.csv", tmp_path / "o.csv", tmp_path / "e.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    argv = ["scan", str(src), "--check", "assessment=ref:done", "-o", str(out)]
    assert main([*argv, "--errors", str(errors), "--block-size", str(block_size)]) == 0
    err = capsys.readouterr().err
    assert [int(r["line"]) for r in _errors_rows(errors)] == bad_lines
    assert "lines holding only spaces were skipped" in err
    assert "one short" not in err
    assert len(_errors_rows(out)) == 300 + len(range(0, 300, 13))


def test_parquet_dates_outside_the_years_1_to_9999_are_row_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    # Nanoseconds stored as microseconds (year 55840), and date32 days a billion out.
    stamps = pa.array(np.array([1_700_000_000_000_000_000, 1_709_856_000_000_000], "int64"))
    table = pa.table(
        {
            "ref": stamps.cast(pa.timestamp("us")),
            "day": pa.array([-(10**9), 19790], pa.date32()),  # 19790: 8 March 2024
            "done": pa.array([19858, 19858], pa.date32()),  # 15 May 2024
        }
    )
    src, errors = tmp_path / "cases.parquet", tmp_path / "e.csv"
    pq.write_table(table, src)
    argv = ["scan", str(src), "-o", str(tmp_path / "o.csv"), "--errors", str(errors)]
    assert main([*argv, "--check", "assessment=ref:done", "--quiet"]) == 0, capsys.readouterr().err
    [problem] = _errors_rows(errors)
    assert problem["line"] == "2"
    assert (
        problem["value"] == "1700000000000000000 (stored timestamp[us]: outside the years 1-9999)"
    )
    assert "outside the supported calendar range" in problem["reason"]
    day = ["--check", "assessment=day:done", "--quiet"]
    assert main([*argv, *day]) == 0, capsys.readouterr().err
    [problem] = _errors_rows(errors)
    # Neutralised: a leading "-" could start a formula in a spreadsheet.
    assert problem["value"] == "'-1000000000 (stored date32[day]: outside the years 1-9999)"


def test_a_closed_standard_output_never_leaves_a_file_output_unwritten(
    tmp_path: Path, caseload: Path
) -> None:
    out = tmp_path / "out.csv"
    # The errors listing goes to a pipe whose reader stops after one line (as `| head -1`).
    big = tmp_path / "big.csv"
    example.write_csv(example.make_caseload(50_000, seed=5), big)
    scan = [sys.executable, "-m", "safeguard_time", "scan", str(big), *CHECK]
    proc = subprocess.Popen(
        [*scan, "--errors", "-", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == 0, err
    assert "standard output was closed by its reader" in err
    assert "Traceback" not in err
    assert len(_errors_rows(out)) == 50_000
    # With standard output the only output, the scan stops quietly, as Unix tools do.
    proc = subprocess.Popen([*scan, "-o", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == 0, err
    assert err == ""


@pytest.mark.parametrize(
    ("content", "words"),
    [
        # The quote opens on line 2: lines 3 and 4 would become part of its cell.
        (
            b'ref,done\n2024-03-08,"2024-05-15\n2024-03-08,2024-05-15\n2024-03-08,x\n',
            "line 2: a quote opened in column 'done' never closes: the 2 lines after it",
        ),
        (b'ref,done\r\n2024-03-08,"2024-05-15\r\n2024-03-08,x\r\n', "the 1 line after it"),
        # On the last line, without a line end: the cell would read as a good date.
        (b'ref,done\n2024-03-08,2024-05-15\n2024-03-08,"2024-05-15', "line 3: a quote"),
        # A cell with a line break before it on the same row: the quote's own line is named.
        (b'ref,note,done\n2024-03-08,"a\nb","2024-05-15\n', "line 3: a quote opened in"),
    ],
)
def test_a_quote_that_never_closes_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, words: str
) -> None:
    src, out = tmp_path / "cases.csv", tmp_path / "o.csv"
    src.write_bytes(content)
    argv = ["scan", str(src), "--check", "assessment=ref:done", "-o", str(out), "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv"]  # nothing written


@pytest.mark.parametrize(
    "content",
    [
        b'ref,done\n2024-03-08,"2024-05-15"\n',
        b'ref,done\n2024-03-08,"2024-05-15"',
        b'ref,note,done\n2024-03-08,x,"a\n""b"""\n',  # a closed cell ending in a quote
        b'ref,done\n2024-03-08,"2024-05-15"\r\n',
    ],
)
def test_closed_quotes_at_the_end_of_the_file_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    src, out = tmp_path / "cases.csv", tmp_path / "o.csv"
    src.write_bytes(content)
    argv = ["scan", str(src), "--check", "assessment=ref:done", "-o", str(out), "--quiet"]
    assert main(argv) == 0, capsys.readouterr().err
    assert len(_errors_rows(out)) == 1


def test_a_row_longer_than_a_block_is_read_by_scanning_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A 3 MB cell of notes (pasted case notes) is longer than the reader's 1 MiB block.
    notes = "x" * 3_000_000
    src, out = tmp_path / "cases.csv", tmp_path / "o.csv"
    src.write_text(
        "ref,done,note\n2024-03-08,2024-05-15,ok\n"
        f'2024-03-08,2024-05-16,"{notes}"\n31/02/2024,2024-05-15,ok\n',
        encoding="utf-8",
    )
    argv = ["scan", str(src), "--check", "assessment=ref:done", "--as-of", "2024-06-03"]
    errors = tmp_path / "e.csv"
    assert main([*argv, "-o", str(out), "--errors", str(errors), "--quiet"]) == 0
    import csv  # noqa: PLC0415

    limit = csv.field_size_limit(10_000_000)
    try:
        rows = _errors_rows(out)
    finally:
        csv.field_size_limit(limit)
    assert [r["assessment_status"] for r in rows] == ["met", "missed", "error"]
    assert rows[1]["note"] == notes
    assert [p["line"] for p in _errors_rows(errors)] == ["4"]
    # From standard input the file cannot be read a second time: refused, saying why.
    with src.open("rb") as fh:
        done = subprocess.run(
            [sys.executable, "-m", "safeguard_time", "scan", "-", *argv[2:], "-o", str(out)],
            stdin=fh,
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 2
    assert "line 3 or a later one holds a row longer than the reader's block" in done.stderr
    assert "scan a file instead" in done.stderr


@pytest.mark.parametrize("block_size", [60, 62, 64, 96, 1 << 20])
def test_a_crlf_inside_a_quoted_cell_survives_every_block_boundary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], block_size: int
) -> None:
    # Arrow drops the LF of a CR LF in a quoted cell when a read ends between the two
    # (apache/arrow#51368); with blocks of 64 and 96 bytes this file puts a boundary there.
    content = (
        b'"ref","done","note"\n \n"30-01-0001 14:30:59","00000","0.00"\n'
        b'"10.01.0000","05/03/24","0000-01-01"\n"0st Sept, 124","5-Feb-2024","=1+1"\n'
        b'"1048833","1899-0-0","\x00=1"\n"00257","","\xc2\x80"\n'
        b'"0.00","1\xc3\x97\xc2\xa6","0 Jan 1899"\n'
        b'"","crlf\r\nin","0"\n'
    )
    src, out, errors = tmp_path / "cases.csv", tmp_path / "o.csv", tmp_path / "e.csv"
    src.write_bytes(content)
    argv = ["scan", str(src), "--check", "assessment=ref:done", "--as-of", "2025-03-31"]
    argv += ["-o", str(out), "--errors", str(errors), "--block-size", str(block_size)]
    import pyarrow as pa  # noqa: PLC0415

    code = main([*argv, "--quiet"])
    err = capsys.readouterr().err
    if code == 2 and int(pa.__version__.split(".")[0]) < 26:
        # Before pyarrow 26 a read that ends just before a CR can make Arrow's chunker
        # misplace a row: refused with a message, never read with a damaged cell.
        assert err.startswith("safeguard-time: error: "), err
        assert not out.exists()
        return
    assert code == 0, err
    assert _errors_rows(out)[-1]["done"] == "crlf\r\nin"
    assert _errors_rows(errors)[-1]["value"] == "crlf\r\nin"


def test_a_refused_file_leaves_no_file_open_and_no_hook_installed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "cases.csv"
    src.write_bytes(b"ref,done\n2024-03-08,2024-05-15\n6,7,8\n")
    argv = ["scan", str(src), "--check", "assessment=ref:done", "-o", str(tmp_path / "o.csv")]
    hook = sys.unraisablehook
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        assert main(argv) == 2
    assert "line 3: expected 2 fields, found 3" in capsys.readouterr().err
    assert len(os.listdir("/proc/self/fd")) == before
    assert sys.unraisablehook is hook
