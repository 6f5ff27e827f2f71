"""Tables, Dask and Spark: the scan's columns on a Parquet dataset, against pyarrow alone.

    python benchmarks/engines_bench.py               # 2e6 rows
    python benchmarks/engines_bench.py --smoke       # 20,000 rows; checks the script works
    python benchmarks/engines_bench.py --rows 500000 --repeats 3

The dataset (seeded) is written once as Parquet files of 250,000 rows: a case id, referral
and completion dates (``date32``, 2013-2024, 15% of cases open) and a decision date as text
(ISO, with 2% of cells blank or not dates).  Two checks run on it:
``assessment=referral:completed`` (dates read in place) and
``referral_decision=referral:decided`` (text through the date grammar).

Each engine reads the dataset, adds the ten columns and writes the result as Parquet:

- reference: pyarrow reads the dataset and writes it back, nothing added (the floor);
- tables: the same in this process, with ``safeguard_time.tables.assess_table`` between;
- dask: ``safeguard_time.dask.assess`` on a ``distributed.LocalCluster`` of 2 worker
  processes with 1 thread each (the cluster is started before the clock);
- spark: ``safeguard_time.spark.assess`` (``mapInArrow``) in ``local[2]``, if pyspark is
  installed (the session is started, and a first small job run, before the clock);
- spark-pass: the same Spark job with every batch passed back unchanged: Spark's own cost
  of moving the batches through its Python workers, for comparison.

Times are the best of ``--repeats`` runs; each is printed with its ratio to the reference
measured in the same run.  Ratios are reported, never asserted: the machines are shared.
The machine's cores bound what 2 workers can gain.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.dataset as pds  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]

from safeguard_time.errors import ProvisionalCalendarWarning
from safeguard_time.tables import assess_table

CHECKS = ("assessment=referral:completed", "referral_decision=referral:decided")
AS_OF = dt.date(2024, 12, 31)
FILE_ROWS = 250_000


def make_dataset(rows: int, folder: Path) -> None:
    """The seeded caseload as a Parquet dataset of several files."""
    rng = np.random.default_rng(2026)
    referral = np.datetime64("2013-01-01") + rng.integers(0, 4300, rows).astype("m8[D]")
    completed = referral + rng.integers(-2, 90, rows).astype("m8[D]")
    completed[rng.random(rows) < 0.15] = np.datetime64("NaT")
    decided = np.datetime_as_string(referral + rng.integers(0, 4, rows).astype("m8[D]"))
    decided = decided.astype(object)
    damaged = rng.random(rows)
    decided[damaged < 0.01] = ""
    decided[(damaged >= 0.01) & (damaged < 0.02)] = "not known"
    table = pa.table(
        {
            "case": pa.array(np.arange(rows)),
            "referral": pa.array(referral, pa.date32()),
            "completed": pa.array(completed, pa.date32()),
            "decided": pa.array(decided.tolist(), pa.string()),
        }
    )
    pds.write_dataset(
        table,
        folder,
        format="parquet",
        max_rows_per_file=FILE_ROWS,
        max_rows_per_group=min(FILE_ROWS, 125_000),
    )


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    return path


def reference(src: Path, out: Path) -> None:
    """pyarrow reads the dataset and writes it back: the floor for any engine."""
    pq.write_table(pq.read_table(src), _fresh(out).with_suffix(".parquet"))


def tables(src: Path, out: Path) -> None:
    """One process: read, assess_table, write."""
    got = assess_table(pq.read_table(src), CHECKS, as_of=AS_OF).table
    pq.write_table(got, _fresh(out).with_suffix(".parquet"))


@contextlib.contextmanager
def dask_engine() -> Iterator[Callable[[Path, Path], None]]:
    """A LocalCluster of 2 worker processes; yields the timed job."""
    import dask.dataframe as dd  # noqa: PLC0415
    import distributed  # noqa: PLC0415

    from safeguard_time import dask as sgt_dask  # noqa: PLC0415

    untyped: Any = distributed  # distributed has no type information
    cluster = untyped.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    client = untyped.Client(cluster)

    def run(src: Path, out: Path) -> None:
        read: Any = dd.read_parquet
        lazy = sgt_dask.assess(read(str(src)), CHECKS, as_of=AS_OF)
        lazy.to_parquet(str(_fresh(out)), write_index=False)

    try:
        yield run
    finally:
        client.close()
        cluster.close()


@contextlib.contextmanager
def spark_engine(
    src: Path,
) -> Iterator[tuple[Callable[[Path, Path], None], Callable[[Path, Path], None]]]:
    """A local[2] Spark session (this Python on the workers); yields the timed job."""
    from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    from safeguard_time import spark as sgt_spark  # noqa: PLC0415

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    spark: Any = (
        SparkSession.builder.master("local[2]")
        .appName("engines_bench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")

    def run(source: Path, out: Path) -> None:
        df = spark.read.parquet(str(source))
        sgt_spark.assess(df, CHECKS, as_of=AS_OF).write.mode("overwrite").parquet(str(out))

    def passing(source: Path, out: Path) -> None:
        df = spark.read.parquet(str(source))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pyspark on pandas 3
            passed = df.mapInArrow(_unchanged, df.schema)
        passed.write.mode("overwrite").parquet(str(out))

    try:
        warm = src.parent / "warm"
        make_dataset(2_000, warm)
        run(warm, src.parent / "warm-out")  # the JVM and the Python workers start here
        yield run, passing
    finally:
        spark.stop()


def _unchanged(batches: Iterable[Any]) -> Iterator[Any]:
    """Spark's own cost: every batch through the Python workers and back, unchanged."""
    yield from batches


def _time(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _has_pyspark() -> bool:
    try:
        import pyspark  # type: ignore[import-not-found,unused-ignore]  # noqa: F401, PLC0415
    except ImportError:
        return False
    return shutil.which("java") is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="20,000 rows, one repeat")
    parser.add_argument("--no-spark", action="store_true", help="leave Spark out")
    args = parser.parse_args(argv)
    rows, repeats = (20_000, 1) if args.smoke else (args.rows, args.repeats)
    warnings.simplefilter("ignore", ProvisionalCalendarWarning)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "cases"
        start = time.perf_counter()
        make_dataset(rows, src)
        files = len(list(src.glob("*.parquet")))
        print(
            f"dataset: {rows:,} rows in {files} Parquet files "
            f"(made in {time.perf_counter() - start:.1f} s); checks: {', '.join(CHECKS)}"
        )
        jobs: dict[str, Callable[[Path, Path], None]] = {"reference": reference, "tables": tables}
        times: dict[str, list[float]] = {}
        refs: dict[str, list[float]] = {}
        with contextlib.ExitStack() as stack:
            jobs["dask"] = stack.enter_context(dask_engine())
            if not args.no_spark and _has_pyspark():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", FutureWarning)  # pyspark on pandas 3
                    jobs["spark"], jobs["spark-pass"] = stack.enter_context(spark_engine(src))
            for _ in range(repeats):
                for name, job in jobs.items():
                    if name != "reference":  # each engine's run follows a reference run
                        refs.setdefault(name, []).append(
                            _time(lambda: reference(src, folder / "ref-out"))
                        )
                    times.setdefault(name, []).append(
                        _time(functools.partial(job, src, folder / f"{name}-out"))
                    )
            check = pq.read_table(folder / "tables-out.parquet")
            assert check.num_rows == rows, check.num_rows
    ref = min(times["reference"])
    print(f"{'reference':<10} {ref:8.2f} s   pyarrow: read the dataset, write it back")
    words = {
        "tables": "assess_table in this process",
        "dask": "Dask, LocalCluster of 2 worker processes",
        "spark": "Spark local[2], mapInArrow",
        "spark-pass": "Spark local[2], mapInArrow passing every batch back unchanged",
    }
    for name in ("tables", "dask", "spark", "spark-pass"):
        if name not in times:
            print(f"{name:<10}   (not run: pyspark or java missing)")
            continue
        best = min(times[name])
        pairs = sorted(t / r for t, r in zip(times[name], refs[name], strict=True))
        print(
            f"{name:<10} {best:8.2f} s   {best / ref:5.1f}x the reference   {words[name]} "
            f"(per repeat: {', '.join(f'{p:.1f}x' for p in pairs)})"
        )
    if args.smoke:
        print("(a smoke run is too small to judge)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
