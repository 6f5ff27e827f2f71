"""The scan under drawn input: no traceback, no row lost, every line number right.

Each drawn CSV is built record by record, so the test knows, independently of the scan,
where every record starts (its physical line) and what each cell holds.  Then:

- the scan ends with exit 0 (read) or 2 (refused, with a message), never 3 or a traceback;
- when it reads the file, rows written = records in the file (a line holding only spaces
  is no record: the scan skips it and says so), in order;
- every line the errors file names is the first physical line of a record whose cell in
  the named column holds the reported value (as neutralised for spreadsheets).

Random bytes and random Parquet tables are drawn as well.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import tempfile
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard_time.cli import main
from safeguard_time.io.scan import neutralise_text

from .strategies import date_text_cells

#: 60 drawn inputs a test in CI; more for a longer hunt (SAFEGUARD_TIME_FUZZ_EXAMPLES=2000).
FUZZ = settings(
    max_examples=int(os.environ.get("SAFEGUARD_TIME_FUZZ_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow],
)

_awkward_text = st.one_of(
    date_text_cells,
    st.sampled_from(
        [
            *("=1+1", "+SUM(A1)", "-2", "@cmd", "\x00=1", "\t=1", "\r=1", "a,b", 'say "hi"'),
            *('"', '""', "line\nbreak", "cr\rinside", "crlf\r\nin", " ", "", "\x1b[31mred"),
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
)


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@st.composite
def _csv_files(draw: st.DrawFn) -> tuple[bytes, list[tuple[int, dict[str, str]]], int]:
    """A CSV file, its records with their first physical lines, and its lines of spaces."""
    names = ["ref", "done", "note"]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    quoting: Literal[0, 1, 2] = draw(
        st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])
    )
    rows = draw(st.lists(st.tuples(_awkward_text, _awkward_text, _awkward_text), max_size=25))
    if quoting == csv.QUOTE_MINIMAL and any("\r" in c for row in rows for c in row):
        # csv.writer leaves a lone carriage return unquoted when lines end with "\n" alone,
        # and such a file has no one reading; quoted, the return is plainly in its cell.
        quoting = csv.QUOTE_ALL
    spaces = 0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline, quoting=quoting)
    writer.writerow(names)
    line = 2
    records: list[tuple[int, dict[str, str]]] = []
    for cells in rows:
        if draw(st.integers(0, 9)) == 0:
            out.write(draw(st.sampled_from([" ", "\t", "  \t "])) + newline)
            line += 1
            spaces += 1
        start = out.tell()
        writer.writerow(cells)
        written = out.getvalue()[start:]
        records.append((line, dict(zip(names, cells, strict=True))))
        line += written.count("\n")  # physical lines end with a line feed
    return out.getvalue().encode("utf-8"), records, spaces


@FUZZ
@given(_csv_files())
def test_drawn_csv_files_lose_no_row_and_name_the_right_lines(
    drawn: tuple[bytes, list[tuple[int, dict[str, str]]], int],
) -> None:
    content, records, spaces = drawn
    with tempfile.TemporaryDirectory() as tmp:
        src, out, errors = Path(tmp, "in.csv"), Path(tmp, "out.csv"), Path(tmp, "errors.csv")
        src.write_bytes(content)
        argv = ["scan", str(src), "--check", "assessment=ref:done", "--as-of", "2025-03-31"]
        code, err = _run([*argv, "-o", str(out), "--errors", str(errors), "--block-size", "64"])
        assert "Traceback" not in err and "internal error" not in err, err
        if code == 2:  # refused whole: it must say where and why, and write nothing
            assert "line " in err, err
            assert not out.exists() and not errors.exists()
            return
        assert code == 0, err
        written = _read(out)
        assert len(written) == len(records)
        by_line = dict(records)
        for problem in _read(errors):
            record = by_line[int(problem["line"])]
            assert problem["column"] in ("ref", "done")
            assert problem["value"] == neutralise_text(record[problem["column"]]), problem
        if spaces:
            words = (
                "line holding only spaces was" if spaces == 1 else "lines holding only spaces were"
            )
            assert f"{spaces:,} {words} skipped" in err


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_drawn_bytes_are_read_or_refused_never_a_traceback(content: bytes, encoding: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp, "in.csv"), Path(tmp, "out.csv")
        src.write_bytes(b"ref,done\n" + content)
        argv = ["scan", str(src), "--check", "assessment=ref:done", "-o", str(out)]
        code, err = _run([*argv, "--encoding", encoding, "--errors", str(Path(tmp, "e.csv"))])
        assert code in (0, 2), err
        assert "Traceback" not in err and "internal error" not in err, err
        if code == 2:
            assert err.startswith("safeguard-time: error: "), err
            assert sorted(p.name for p in Path(tmp).iterdir()) == ["in.csv"]


_day_numbers = st.integers(-(2**31), 2**31 - 1)
_stamps = st.integers(-(2**63) + 1, 2**63 - 1)


@st.composite
def _parquet_columns(draw: st.DrawFn, n: int) -> object:
    import pyarrow as pa  # noqa: PLC0415

    kind = draw(st.sampled_from(["date32", "ts", "tz", "string", "large", "dict", "int"]))
    nulls = st.none() if draw(st.booleans()) else st.nothing()
    if kind == "date32":
        near = st.dates(dt.date(1985, 1, 1), dt.date(2105, 1, 1)).map(
            lambda d: (d - dt.date(1970, 1, 1)).days
        )
        values = draw(st.lists(near | _day_numbers | nulls, min_size=n, max_size=n))
        return pa.array(values, pa.date32())
    if kind in ("ts", "tz"):
        unit = draw(st.sampled_from(["s", "ms", "us", "ns"]))
        # Parquet keeps seconds as milliseconds: seconds beyond int64 / 1000 cannot be stored.
        stamps = st.integers(-(2**53), 2**53) if unit == "s" else _stamps
        values = draw(st.lists(stamps | nulls, min_size=n, max_size=n))
        return pa.array(values, pa.int64()).cast(
            pa.timestamp(unit, "UTC" if kind == "tz" else None)
        )
    if kind == "int":
        return pa.array(draw(st.lists(_stamps | nulls, min_size=n, max_size=n)), pa.int64())
    texts = draw(st.lists(_awkward_text | nulls, min_size=n, max_size=n))
    if kind == "large":
        return pa.array(texts, pa.large_string())
    if kind == "dict":
        return pa.array(texts, pa.string()).dictionary_encode()
    return pa.array(texts, pa.string())


@st.composite
def _parquet_tables(draw: st.DrawFn) -> object:
    import pyarrow as pa  # noqa: PLC0415

    n = draw(st.integers(0, 20))
    return pa.table({"ref": draw(_parquet_columns(n)), "done": draw(_parquet_columns(n))})


@FUZZ
@given(_parquet_tables())
def test_drawn_parquet_tables_lose_no_row(table: object) -> None:
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    assert isinstance(table, pa.Table)
    with tempfile.TemporaryDirectory() as tmp:
        src, out, errors = Path(tmp, "in.parquet"), Path(tmp, "out.csv"), Path(tmp, "e.csv")
        pq.write_table(table, src)
        argv = ["scan", str(src), "--check", "assessment=ref:done", "--as-of", "2025-03-31"]
        code, err = _run([*argv, "-o", str(out), "--errors", str(errors)])
        assert "Traceback" not in err and "internal error" not in err, err
        if code == 2:  # a column of a type that holds no dates: refused, naming it
            assert "ref" in err or "done" in err, err
            return
        assert code == 0, err
        assert len(_read(out)) == table.num_rows
        for problem in _read(errors):
            row = int(problem["line"]) - 2  # row 2 is the first under the header
            assert 0 <= row < table.num_rows
            assert table.column(problem["column"])[row].is_valid or problem["value"] == ""


@pytest.mark.parametrize("rows", [0, 1])
def test_an_empty_or_one_row_parquet_file_reads(tmp_path: Path, rows: int) -> None:
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    src, out = tmp_path / "in.parquet", tmp_path / "out.csv"
    days = pa.array([19790] * rows, pa.date32())  # 8 March 2024
    pq.write_table(pa.table({"ref": days, "done": days}), src)
    code, err = _run(["scan", str(src), "--check", "assessment=ref:done", "-o", str(out)])
    assert code == 0, err
    assert [r["assessment_status"] for r in _read(out)] == ["met"] * rows
