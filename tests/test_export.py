"""The exported calendar, checked in real engines: SQLite, DuckDB, Parquet, LibreOffice.

The documented joins (``export.QUERIES``, the very text shown in docs/outside-python.md) are run
over the exported SQL for thousands of seeded random starts and lengths, and compared with
``add_working_days`` and ``working_days_between``.  LibreOffice evaluates ``WORKDAY`` over the
exported ``BankHolidays`` named range.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sqlite3
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import openpyxl  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pytest

import safeguard_time
from safeguard_time import (
    CalendarRangeError,
    Convention,
    ProvisionalCalendarWarning,
    WorkingCalendar,
    england_and_wales,
)
from safeguard_time.cli import main
from safeguard_time.export import (
    COLUMNS,
    LOAD_PARQUET_DUCKDB,
    QUERIES,
    calendar_table,
    export_metadata,
    read_closures,
    write_csv,
    write_parquet,
    write_sql,
    write_xlsx,
)
from tests import libreoffice

D = dt.date
ROOT = Path(__file__).resolve().parents[1]
START, END = D(2015, 1, 1), D(2031, 12, 31)  # past the verified horizon (2028) on purpose
N_CASES = 3000

CLOSURES = {
    D(2024, 12, 27): "Christmas closure",
    D(2024, 12, 30): "Christmas closure",
    D(2024, 12, 31): "Christmas closure",
    D(2025, 12, 25): "Christmas closure",  # Christmas Day already: label kept, nothing changes
    D(2025, 12, 27): "Christmas closure",  # a Saturday: label kept, nothing changes
    D(2025, 12, 29): "Christmas closure",
    D(2025, 12, 30): "Christmas closure",
    D(2025, 12, 31): "Christmas closure",
    D(2026, 7, 24): "Staff development day",
    D(2030, 12, 27): "Christmas closure",  # in a provisional year
    D(2030, 12, 30): "Christmas closure",
}


def with_closures(cal: WorkingCalendar, closures: dict[dt.date, str]) -> WorkingCalendar:
    for label in sorted(set(closures.values())):
        cal = cal.with_closures([d for d, lab in closures.items() if lab == label], label=label)
    return cal


CALENDARS = {
    "statutory": (england_and_wales(), None),
    "closures": (with_closures(england_and_wales(), CLOSURES), CLOSURES),
}


# --- random cases and the library's answers ------------------------------------------------


def random_cases(
    seed: int, n: int, first: dt.date, last: dt.date, max_days: int
) -> list[tuple[int, dt.date, dt.date, int]]:
    """(case_id, start, end, n): starts leave room for max_days working days before ``last``."""
    rng = np.random.default_rng(seed)
    span = (last - first).days - 2 * max_days
    starts = rng.integers(0, span, size=n)
    lengths = rng.integers(1, max_days, size=n, endpoint=True)
    ends = starts + rng.integers(-400, 400, size=n, endpoint=True)
    ends = np.clip(ends, 0, span)
    return [
        (i, first + dt.timedelta(int(s)), first + dt.timedelta(int(e)), int(k))
        for i, (s, e, k) in enumerate(zip(starts, ends, lengths, strict=True))
    ]


@pytest.fixture(scope="module")
def cases() -> list[tuple[int, dt.date, dt.date, int]]:
    out = random_cases(20240308, N_CASES, START, END, 150)
    # Every closure day, and the days around the 2022 state funeral, as starts too.
    extra = sorted(CLOSURES) + [D(2022, 9, d) for d in range(16, 21)]
    out += [(N_CASES + i, d, d + dt.timedelta(30), 1 + i % 20) for i, d in enumerate(extra)]
    return out


def library_answers(
    cal: WorkingCalendar, cases: list[tuple[int, dt.date, dt.date, int]]
) -> dict[str, dict[int, Any]]:
    nwdz = Convention.NEXT_WORKING_DAY_ZERO
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        return {
            "due_date": {i: cal.add_working_days(s, n) for i, s, _, n in cases},
            "elapsed": {i: cal.working_days_between(s, e) for i, s, e, _ in cases},
            "due_date_next_working_day_zero": {
                i: cal.add_working_days(s, n, convention=nwdz) for i, s, _, n in cases
            },
            "elapsed_next_working_day_zero": {
                i: cal.working_days_between(s, e, convention=nwdz) for i, s, e, _ in cases
            },
        }


# --- the exported scripts, loaded twice into real engines ---------------------------------


def export_script(tmp: Path, variant: str, dialect: Any) -> str:
    _, closures = CALENDARS[variant]
    with pytest.warns(ProvisionalCalendarWarning) as record:
        out = write_sql(
            tmp / f"{variant}.{dialect}.sql", START, END, dialect=dialect, closures=closures
        )
    assert len(record) == 1, "one warning per export, not one per provisional row"
    return out.read_text(encoding="utf-8")


def sqlite_db(script: str, cases: list[tuple[int, dt.date, dt.date, int]]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(script)
    db.executescript(script)  # idempotent: safe to run twice
    db.execute("CREATE TABLE cases (case_id INTEGER, start_date TEXT, end_date TEXT, n INTEGER)")
    db.executemany(
        "INSERT INTO cases VALUES (?, ?, ?, ?)",
        [(i, s.isoformat(), e.isoformat(), n) for i, s, e, n in cases],
    )
    return db


def duckdb_db(script: str, cases: list[tuple[int, dt.date, dt.date, int]]) -> Any:
    con = duckdb.connect()
    con.execute(script)
    con.execute(script)  # idempotent: safe to run twice
    arrow_cases = pa.table(
        {
            "case_id": pa.array([c[0] for c in cases], pa.int32()),
            "start_date": pa.array([c[1] for c in cases], pa.date32()),
            "end_date": pa.array([c[2] for c in cases], pa.date32()),
            "n": pa.array([c[3] for c in cases], pa.int32()),
        }
    )
    con.register("arrow_cases", arrow_cases)
    con.execute("CREATE TABLE cases AS SELECT * FROM arrow_cases")
    con.unregister("arrow_cases")
    return con


ENGINES = [
    ("sqlite", "sqlite"),  # (engine, dialect of the script loaded into it)
    ("duckdb", "duckdb"),
    ("duckdb", "postgres"),  # the PostgreSQL script, run by DuckDB's PostgreSQL-style parser
]


@pytest.fixture(
    scope="module",
    params=[(e, d, v) for e, d in ENGINES for v in CALENDARS],
    ids=lambda p: f"{p[0]}-{p[1]}-script-{p[2]}",
)
def loaded(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    cases: list[tuple[int, dt.date, dt.date, int]],
) -> Iterator[tuple[str, str, Any]]:
    engine, dialect, variant = request.param
    script = export_script(tmp_path_factory.mktemp("sql"), variant, dialect)
    db = sqlite_db(script, cases) if engine == "sqlite" else duckdb_db(script, cases)
    yield engine, variant, db
    db.close()


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else D.fromisoformat(value)


def test_documented_joins_give_the_librarys_answers(
    loaded: tuple[str, str, Any], cases: list[tuple[int, dt.date, dt.date, int]]
) -> None:
    _, variant, db = loaded
    expected = library_answers(CALENDARS[variant][0], cases)
    # Every dialect's text runs here: T-SQL's "= 1" form and PostgreSQL/DuckDB's bare boolean.
    for dialect, queries in QUERIES.items():
        for name, sql in queries.items():
            rows = db.execute(sql).fetchall()
            got = {i: (as_date(v) if name.startswith("due") else int(v)) for i, v in rows}
            want = expected[name]
            assert len(rows) == len(got) == len(want), (dialect, name, "one row per case")
            wrong = [(i, got[i], want[i]) for i in want if got[i] != want[i]]
            assert not wrong, (dialect, name, wrong[:5])


def test_loaded_table_is_the_export(loaded: tuple[str, str, Any]) -> None:
    _, variant, db = loaded
    _, closures = CALENDARS[variant]
    with pytest.warns(ProvisionalCalendarWarning):
        table = calendar_table(START, END, closures=closures)
    rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM working_calendar ORDER BY date").fetchall()
    assert len(rows) == len(table["date"]) == (END - START).days + 1  # run twice, no duplicates
    got = [(as_date(r[0]), int(r[1]), bool(r[2]), int(r[3]), r[4], r[5], bool(r[6])) for r in rows]
    want = list(zip(*(table[c].tolist() for c in COLUMNS), strict=True))
    assert got == want


def test_sql_script_replaces_an_earlier_load() -> None:
    db = sqlite3.connect(":memory:")
    for start, end, closures in [
        (D(2024, 1, 1), D(2024, 12, 31), CLOSURES),
        (D(2025, 6, 1), D(2025, 6, 30), None),
    ]:
        script = write_sql_text(start, end, "sqlite", closures)
        db.executescript(script)
    assert db.execute("SELECT min(date), max(date), count(*) FROM working_calendar").fetchone() == (
        "2025-06-01",
        "2025-06-30",
        30,
    )


def write_sql_text(
    start: dt.date, end: dt.date, dialect: Any, closures: dict[dt.date, str] | None, **kw: Any
) -> str:
    import tempfile  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        return write_sql(
            Path(tmp) / "c.sql", start, end, dialect=dialect, closures=closures, **kw
        ).read_text(encoding="utf-8")


def test_tsql_script_shape_and_values() -> None:
    """No T-SQL engine here: check its limits, and run its INSERT rows through SQLite."""
    start, end = D(2020, 1, 1), D(2026, 12, 31)
    script = write_sql_text(start, end, "tsql", CLOSURES)
    assert script.startswith("-- Working-day calendar: England & Wales + closures")
    assert f"safeguard_time {safeguard_time.__version__}" in script.splitlines()[1]
    assert "through 2028" in script.splitlines()[2]
    assert "IF OBJECT_ID(N'working_calendar', N'U') IS NULL\nBEGIN\n    CREATE TABLE" in script
    assert "CREATE TABLE IF NOT EXISTS" not in script
    body = script[script.index("BEGIN TRANSACTION;") :]
    assert body.splitlines()[1] == "DELETE FROM working_calendar;"
    assert body.rstrip().endswith("COMMIT TRANSACTION;")
    inserts = re.findall(r"INSERT INTO working_calendar \(.*?\) VALUES\n(.*?);\n", body, re.S)
    sizes = [len(block.splitlines()) for block in inserts]
    assert max(sizes) == 1000 and sum(sizes) == (end - start).days + 1
    assert "N'New Year''s Day'" in script
    # The same rows, with T-SQL's N'' prefix dropped, load into SQLite and equal the export.
    db = sqlite3.connect(":memory:")
    db.executescript(write_sql_text(start, start, "sqlite", None))
    db.execute("DELETE FROM working_calendar")
    for block in inserts:
        values = re.sub(r"N'", "'", block)
        db.execute(f"INSERT INTO working_calendar ({', '.join(COLUMNS)}) VALUES {values}")
    rows = db.execute("SELECT * FROM working_calendar ORDER BY date").fetchall()
    table = calendar_table(start, end, closures=CLOSURES)
    want = list(zip(*(table[c].tolist() for c in COLUMNS), strict=True))
    assert [(D.fromisoformat(r[0]), *r[1:]) for r in rows] == [
        (w[0], w[1], int(w[2]), w[3], w[4], w[5], int(w[6])) for w in want
    ]


def test_sql_options_are_checked() -> None:
    with pytest.raises(ValueError, match="table name"):
        write_sql_text(D(2024, 1, 1), D(2024, 1, 2), "tsql", None, table="x; DROP TABLE y")
    with pytest.raises(ValueError, match="batch_size"):
        write_sql_text(D(2024, 1, 1), D(2024, 1, 2), "tsql", None, batch_size=1001)
    with pytest.raises(ValueError, match="unknown SQL dialect"):
        write_sql_text(D(2024, 1, 1), D(2024, 1, 2), "oracle", None)
    script = write_sql_text(D(2024, 1, 1), D(2024, 1, 10), "sqlite", None, table="main.cal")
    db = sqlite3.connect(":memory:")
    db.executescript(script)
    db.executescript(script)
    assert db.execute("SELECT count(*) FROM cal").fetchone() == (10,)


# --- the docs show only SQL that these tests run -----------------------------------------


def test_every_sql_block_in_the_docs_is_executed_here() -> None:
    text = (ROOT / "docs" / "outside-python.md").read_text(encoding="utf-8")
    blocks = [b.strip() for b in re.findall(r"```sql\n(.*?)```", text, re.S)]
    executed = {q for queries in QUERIES.values() for q in queries.values()}
    executed.add(LOAD_PARQUET_DUCKDB)
    assert blocks, "docs/outside-python.md shows the joins"
    unknown = [b for b in blocks if b not in executed]
    assert not unknown, f"SQL in the docs that no test runs: {unknown}"
    for dialect in ("tsql", "postgres", "duckdb"):
        assert QUERIES[dialect]["due_date"] in blocks, dialect


# --- Parquet, CSV, the table in Python -----------------------------------------------------


def test_parquet_round_trips_and_loads_in_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.warns(ProvisionalCalendarWarning):
        out = write_parquet(tmp_path / "calendar.parquet", START, END, closures=CLOSURES)
    with pytest.warns(ProvisionalCalendarWarning):
        table = calendar_table(START, END, closures=CLOSURES)
    back = pq.read_table(out)
    assert back.column_names == list(COLUMNS)
    assert [str(t) for t in back.schema.types] == [
        "date32[day]",
        "int8",
        "bool",
        "int32",
        "string",
        "string",
        "bool",
    ]
    for name in COLUMNS:
        assert back.column(name).to_pylist() == table[name].tolist(), name
    meta = {k.decode(): v.decode() for k, v in back.schema.metadata.items()}
    assert meta["safeguard_time.version"] == safeguard_time.__version__
    assert meta["safeguard_time.verified_through"] == "2028"
    assert meta["safeguard_time.provisional_rows"] == str((END - D(2028, 12, 31)).days)
    # The DuckDB statement of the docs, exactly, then the documented join over it.
    monkeypatch.chdir(tmp_path)
    con = duckdb.connect()
    con.execute(LOAD_PARQUET_DUCKDB)
    cases = random_cases(7, 500, START, END, 100)
    con.execute("CREATE TABLE cases (case_id INTEGER, start_date DATE, end_date DATE, n INTEGER)")
    con.executemany("INSERT INTO cases VALUES (?, ?, ?, ?)", cases)
    got = dict(con.execute(QUERIES["duckdb"]["due_date"]).fetchall())
    assert got == library_answers(CALENDARS["closures"][0], cases)["due_date"]


def test_csv_reads_back_with_its_metadata_sidecar(tmp_path: Path) -> None:
    with pytest.warns(ProvisionalCalendarWarning):
        out = write_csv(tmp_path / "calendar.csv", START, END, closures=CLOSURES)
    with pytest.warns(ProvisionalCalendarWarning):
        table = calendar_table(START, END, closures=CLOSURES)
    raw = out.read_bytes()
    assert raw.startswith(b"date,weekday,is_working_day,"), "no comment lines, no BOM"
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(table["date"])
    for i in (0, 3650, len(rows) - 1):
        r = rows[i]
        assert D.fromisoformat(r["date"]) == table["date"][i].item()
        assert int(r["working_day_number"]) == table["working_day_number"][i]
        assert r["is_working_day"] == str(bool(table["is_working_day"][i])).lower()
    labelled = {r["date"]: r["closure_label"] for r in rows if r["closure_label"]}
    assert labelled == {d.isoformat(): label for d, label in CLOSURES.items()}
    meta = json.loads(Path(f"{out}-metadata.json").read_text(encoding="utf-8"))
    assert meta["url"] == "calendar.csv"
    assert meta["dc:creator"] == f"safeguard_time {safeguard_time.__version__}"
    assert "through 2028" in meta["dc:description"]
    assert [c["name"] for c in meta["tableSchema"]["columns"]] == list(COLUMNS)
    # A BI-style reader with no options gets the right types.
    types = duckdb.connect().execute(f"DESCRIBE SELECT * FROM read_csv('{out}')").fetchall()
    assert [(t[0], t[1]) for t in types] == [
        ("date", "DATE"),
        ("weekday", "BIGINT"),
        ("is_working_day", "BOOLEAN"),
        ("working_day_number", "BIGINT"),
        ("holiday_name", "VARCHAR"),
        ("closure_label", "VARCHAR"),
        ("provisional", "BOOLEAN"),
    ]


def test_closures_appear_with_their_labels() -> None:
    t = calendar_table(D(2025, 12, 24), D(2026, 1, 2), closures=CLOSURES)
    rows = {
        d.item(): (wd, working, hol, lab)
        for d, wd, working, hol, lab in zip(
            t["date"], t["weekday"], t["is_working_day"], t["holiday_name"], t["closure_label"],
            strict=True,
        )
    }  # fmt: skip
    assert rows[D(2025, 12, 25)] == (4, False, "Christmas Day", "Christmas closure")
    assert rows[D(2025, 12, 27)] == (6, False, None, "Christmas closure")
    assert rows[D(2025, 12, 29)] == (1, False, None, "Christmas closure")
    assert rows[D(2026, 1, 1)] == (4, False, "New Year's Day", None)
    assert rows[D(2026, 1, 2)] == (5, True, None, None)
    number = dict(zip(t["date"].tolist(), t["working_day_number"].tolist(), strict=True))
    # 24 Dec is the last working day of 2025; 2 Jan 2026 the next.
    assert number[D(2026, 1, 2)] - number[D(2025, 12, 24)] == 1


def test_provisional_rows_are_flagged_once() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = calendar_table(D(2028, 12, 30), D(2029, 1, 2))
    assert [w.category for w in caught] == [ProvisionalCalendarWarning]
    assert "'provisional' column" in str(caught[0].message)
    assert t["provisional"].tolist() == [False, False, True, True]
    calendar_table(D(2028, 1, 1), D(2028, 12, 31))  # no warning: filterwarnings = error


def test_table_kinds() -> None:
    t = calendar_table(D(2024, 12, 24), D(2025, 1, 2), closures={D(2024, 12, 27): "Shutdown"})
    assert list(t) == list(COLUMNS)
    assert [str(t[c].dtype) for c in COLUMNS] == [
        "datetime64[D]",
        "int8",
        "bool",
        "int32",
        "object",
        "object",
        "bool",
    ]
    pdf = calendar_table(D(2024, 12, 24), D(2025, 1, 2), to="pandas")
    assert list(pdf.columns) == list(COLUMNS)
    assert pdf.attrs["verified_through"] == "2028"
    assert pdf["holiday_name"].dropna().tolist() == [
        "Christmas Day",
        "Boxing Day",
        "New Year's Day",
    ]
    plf = calendar_table(D(2024, 12, 24), D(2025, 1, 2), to="polars")
    assert plf.columns == list(COLUMNS)
    assert plf["date"].dtype.is_temporal() and plf["closure_label"].null_count() == 10
    arrow = calendar_table(
        D(2024, 12, 24), D(2025, 1, 2), closures={D(2024, 12, 27): "Shutdown"}, to="arrow"
    )
    assert arrow.column("working_day_number").to_pylist() == t["working_day_number"].tolist()
    with pytest.raises(ValueError, match="unknown table kind"):
        calendar_table(D(2024, 1, 1), D(2024, 1, 2), to="excel")  # type: ignore[call-overload]


def test_range_errors() -> None:
    with pytest.raises(CalendarRangeError, match="start 1989-12-31"):
        calendar_table(D(1989, 12, 31), D(1990, 1, 5))
    with pytest.raises(ValueError, match="before start"):
        calendar_table(D(2024, 1, 5), D(2024, 1, 1))
    with pytest.raises(ValueError, match="needs a non-empty label"):
        calendar_table(D(2024, 1, 1), D(2024, 1, 5), closures={D(2024, 1, 2): " "})
    assert export_metadata(D(2024, 1, 1), D(2024, 1, 5))["closures"] == "none"


# --- the workbook, and LibreOffice -----------------------------------------------------------


def test_xlsx_sheets_and_named_range(tmp_path: Path) -> None:
    start, end = D(2024, 1, 1), D(2026, 12, 31)
    out = write_xlsx(tmp_path / "calendar.xlsx", start, end, closures=CLOSURES)
    with zipfile.ZipFile(out) as z:
        workbook_xml = z.read("xl/workbook.xml").decode()
    holidays = CALENDARS["closures"][0].holidays(start, end)
    ref = f"Holidays!$A$2:$A${len(holidays) + 1}"
    assert f'<definedName name="BankHolidays">{ref}</definedName>' in workbook_xml
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Calendar", "Holidays", "Notes"]
    assert "WorkingCalendar" in wb["Calendar"].tables
    listed = [
        (r[0].date(), r[1], r[2])
        for r in wb["Holidays"].iter_rows(min_row=2, max_col=3, values_only=True)
    ]
    assert listed == [(h.date, h.name, h.kind) for h in holidays]
    cal_rows = list(wb["Calendar"].iter_rows(values_only=True))
    assert cal_rows[0] == COLUMNS and len(cal_rows) == (end - start).days + 2
    notes = dict(wb["Notes"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert notes["version"] == safeguard_time.__version__
    assert notes["verified_through"] == "2028"


def test_xlsx_without_holidays_still_has_the_name(tmp_path: Path) -> None:
    out = write_xlsx(tmp_path / "week.xlsx", D(2024, 3, 4), D(2024, 3, 10))
    wb = openpyxl.load_workbook(out)
    assert wb.defined_names["BankHolidays"].attr_text == "Holidays!$A$2:$A$2"


@pytest.mark.external
def test_libreoffice_workday_over_the_named_range(tmp_path: Path) -> None:
    first, last = D(2017, 1, 1), D(2031, 12, 31)
    with pytest.warns(ProvisionalCalendarWarning):
        src = write_xlsx(tmp_path / "calendar.xlsx", first, last, closures=CLOSURES)
    rng = np.random.default_rng(45)
    starts = [D(2018, 1, 1) + dt.timedelta(int(o)) for o in rng.integers(0, 4700, size=300)]
    starts += sorted(CLOSURES)
    ns = [int(n) for n in rng.integers(-30, 150, size=len(starts), endpoint=True)]
    gaps = rng.integers(1, 300, size=len(starts)).tolist()
    ends = [s + dt.timedelta(k) for s, k in zip(starts, gaps, strict=True)]
    wb = openpyxl.load_workbook(src)
    ws = wb.create_sheet("Check", 0)
    wb.active = 0
    ws.append(["start", "n", "end", "due", "elapsed", "due_next_working_day_zero"])
    for row, (s, n, e) in enumerate(zip(starts, ns, ends, strict=True), start=2):
        # The three formulas of docs/outside-python.md.
        ws.append([
            s, n, e,
            f"=WORKDAY(A{row}, B{row}, BankHolidays)",
            f"=NETWORKDAYS(A{row}+1, C{row}, BankHolidays)",
            f"=WORKDAY(WORKDAY(A{row}-1, 1, BankHolidays), B{row}, BankHolidays)",
        ])  # fmt: skip
    check = tmp_path / "check.xlsx"
    wb.save(check)
    result = libreoffice.as_csv(
        check, tmp_path, checks="checks WORKDAY over the exported BankHolidays range"
    )
    with result.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    assert len(rows) == len(starts)
    cal = CALENDARS["closures"][0]
    epoch = D(1899, 12, 30)  # Excel's and LibreOffice's 1900 date system, after 1 March 1900
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        want = [
            (
                cal.add_working_days(s, n),
                cal.working_days_between(s, e),
                cal.add_working_days(s, n, convention=Convention.NEXT_WORKING_DAY_ZERO),
            )
            for s, n, e in zip(starts, ns, ends, strict=True)
        ]
    got = [
        (
            epoch + dt.timedelta(int(float(r[3]))),
            int(float(r[4])),
            epoch + dt.timedelta(int(float(r[5]))),
        )
        for r in rows
    ]
    checked = zip(starts, ns, ends, got, want, strict=True)
    wrong = [(s, n, e, g, w) for s, n, e, g, w in checked if g != w]
    assert not wrong, wrong[:5]


# --- the command line ------------------------------------------------------------------------


def calendar_command(argv: list[str]) -> int:
    return main(["calendar", *argv])


def test_command_writes_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    closures = tmp_path / "closures.csv"
    closures.write_text(
        "\ufeffDate,Label,notes\n27/12/2024,Christmas closure,\n2024-12-30,Christmas closure,x\n\n",
        encoding="utf-8",
    )
    span = ["--from", "2024-01-01", "--to", "2030-12-31", "--closures", str(closures)]
    for name, extra in [
        ("c.csv", []),
        ("c.parquet", []),
        ("c.xlsx", []),
        ("c.sql", ["--dialect", "duckdb"]),
        ("c.txt", ["--format", "sql", "--dialect", "sqlite", "--table", "cal"]),
    ]:
        assert calendar_command([*span, "--output", str(tmp_path / name), *extra]) == 0
        assert (tmp_path / name).exists()
        err = capsys.readouterr().err
        assert "# wrote 2557 days 2024-01-01..2030-12-31" in err
        assert "730 days after 2028 are provisional" in err
    assert (tmp_path / "c.csv-metadata.json").exists()
    con = duckdb.connect()
    con.execute((tmp_path / "c.sql").read_text(encoding="utf-8"))
    assert con.execute(
        "SELECT closure_label FROM working_calendar WHERE date = DATE '2024-12-27'"
    ).fetchone() == ("Christmas closure",)
    db = sqlite3.connect(":memory:")
    db.executescript((tmp_path / "c.txt").read_text(encoding="utf-8"))
    assert db.execute("SELECT count(*) FROM cal WHERE closure_label IS NOT NULL").fetchone() == (2,)


def test_command_writes_sql_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--from", "2024-05-01", "--to", "2024-05-31", "--format", "sql"]
    assert calendar_command([*argv, "--dialect", "postgres", "--output", "-"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("-- Working-day calendar") and out.out.rstrip().endswith("COMMIT;")
    assert "to standard output" in out.err


def test_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    span = ["--from", "2024-01-01", "--to", "2024-12-31"]
    for extra, message in [
        (["--output", str(tmp_path / "c.sql")], "needs --dialect"),
        (["--output", "c.csv", "--dialect", "tsql"], "--dialect applies to --format sql only"),
        (["--output", "calendar"], "cannot tell it from"),
        (["--output", "-", "--format", "xlsx"], "writes csv or sql only"),
    ]:
        assert calendar_command([*span, *extra]) == 2
        assert message in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("date,label\n2024-12-27,Closure\n2024-13-01,Closure\n", encoding="utf-8")
    assert calendar_command([*span, "--closures", str(bad), "--output", "c.csv"]) == 2
    assert "row 3: there is no month 13 in '2024-13-01'" in capsys.readouterr().err
    missing = tmp_path / "missing.csv"
    argv = [*span, "--closures", str(missing), "--output", str(tmp_path / "c.csv")]
    assert calendar_command(argv) == 2
    assert "missing.csv" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("day,label\n2024-12-27,x\n", "header 'date,label'"),
        ("date,label\n2024-12-27,\n", "row 2: closure 2024-12-27 has no label"),
        ("date,label\n2024-12-27,a\n27/12/2024,b\n", "row 3: 2024-12-27 is listed twice"),
        ("date,label\n12/27/24,a\n", "row 2: '12/27/24' has a two-digit year"),
        ("date,label\n12/27/2024,a\n", "row 2: there is no month 27: dates are read day-first"),
        ("date,label\n,a\n", "row 2: missing date where a date is required"),
        ("date,label\nsoon,a\n", "row 2: 'soon' is not a date"),
    ],
)
def test_closures_file_errors(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "closures.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        read_closures(f)


def test_closures_file_dates_are_read_by_the_date_grammar(tmp_path: Path) -> None:
    f = tmp_path / "closures.csv"
    f.write_text(
        "date,label\n2024-12-23,a\n24/12/2024,b\n27 Dec 2024,c\n2024/12/30,d\n31st Dec 2024,e\n",
        encoding="utf-8",
    )
    assert read_closures(f) == {
        dt.date(2024, 12, 23): "a",
        dt.date(2024, 12, 24): "b",
        dt.date(2024, 12, 27): "c",
        dt.date(2024, 12, 30): "d",
        dt.date(2024, 12, 31): "e",
    }
