"""``sgt_due`` in DuckDB against DuckDB's own date arithmetic on the exported calendar table.

    python benchmarks/duckdb_bench.py                 # 1e5 rows: a quick check that it runs
    python benchmarks/duckdb_bench.py --rows 10000000 # the figure in docs/duckdb.md

A table ``t(referral_date DATE)`` of random referrals 2014-2027 (every one under a 45
working-day assessment rule) is made in DuckDB.  Contenders, timed in one process,
interleaved, median of the repeats, each reading the whole result (``min``, ``max`` and
``count`` of the due dates, so nothing is skipped):

- ``sgt_due``: ``SELECT sgt_due('assessment', referral_date) FROM t`` after
  :func:`safeguard_time.duckdb.register` (the rule chosen per row from the rule data);
- ``calendar join``: the exported calendar table (``safeguard-time calendar --format sql
  --dialect duckdb``, loaded by running its script) joined twice, the documented
  ``due_date`` query of :data:`safeguard_time.export.QUERIES` with ``n = 45``: DuckDB's own
  vectorised hash joins, no Python;
- ``bulk.deadlines``: the same column already in numpy, through the Python API (what the
  SQL function costs beyond the engine).

The two SQL answers are compared row by row once (not timed).  Ratios are printed, never
asserted: machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from safeguard_time import bulk
from safeguard_time.duckdb import register
from safeguard_time.errors import ProvisionalCalendarWarning
from safeguard_time.export import write_sql

OURS = "SELECT sgt_due('assessment', referral_date) AS due FROM t"
JOIN = """SELECT due.date AS due
FROM t
JOIN working_calendar AS x ON x.date = t.referral_date
JOIN working_calendar AS due
  ON due.working_day_number = x.working_day_number + 45 AND due.is_working_day"""


def build(rows: int, threads: int) -> tuple[duckdb.DuckDBPyConnection, np.ndarray]:
    """A connection with ``t``, the calendar table and the functions; and the numpy column."""
    con = register(duckdb.connect())
    con.execute(f"SET threads = {threads}")
    rng = np.random.default_rng(15)
    lo = np.datetime64("2014-01-01", "D").astype(np.int64)
    hi = np.datetime64("2027-12-31", "D").astype(np.int64)
    starts = rng.integers(lo, hi, rows).astype("datetime64[D]")
    table = pa.table({"referral_date": pa.array(starts.astype(np.int32), pa.date32())})
    con.register("starts_arrow", table)
    con.execute("CREATE TABLE t AS SELECT * FROM starts_arrow")
    con.unregister("starts_arrow")
    with tempfile.TemporaryDirectory() as tmp:
        script = write_sql(
            Path(tmp) / "calendar.sql", dt.date(2013, 1, 1), dt.date(2028, 12, 31), dialect="duckdb"
        )
        con.execute(script.read_text(encoding="utf-8"))
    return con, starts


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ProvisionalCalendarWarning)
    rows = args.rows
    con, starts = build(rows, args.threads)

    def whole(query: str) -> Callable[[], object]:
        return lambda: con.sql(f"SELECT min(due), max(due), count(due) FROM ({query})").fetchall()

    contenders: dict[str, Callable[[], object]] = {
        "sgt_due": whole(OURS),
        "calendar join": whole(JOIN),
        "bulk.deadlines": lambda: bulk.deadlines("assessment", starts).due,
    }
    both = JOIN.replace(
        "SELECT due.date AS due",
        "SELECT sgt_due('assessment', t.referral_date) AS a, due.date AS b",
    )
    differ = con.sql(f"SELECT count(*) FROM ({both}) WHERE a IS DISTINCT FROM b").fetchall()[0][0]
    joined = con.sql(f"SELECT count(*) FROM ({both})").fetchall()[0][0]
    if differ or joined != rows:
        raise SystemExit(f"the answers differ: {differ} rows differ, {joined} of {rows} joined")
    for fn in contenders.values():  # warm up
        fn()
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(args.repeats):
        for key, fn in contenders.items():
            gc.collect()
            times[key].append(timed(fn))
    med = {k: statistics.median(v) for k, v in times.items()}
    n = args.rows
    print(
        f"{n} rows, DuckDB {duckdb.__version__}, threads={args.threads}, "
        f"median of {args.repeats} interleaved repeats"
    )
    print(f"sgt_due and the calendar join agree on all {rows} rows")
    print(f"{'contender':<16} {'seconds':>9} {'ns/row':>8} {'vs join':>8}")
    for key, t in med.items():
        print(f"{key:<16} {t:>9.3f} {t / n * 1e9:>8.1f} {t / med['calendar join']:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
