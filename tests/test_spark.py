"""``safeguard_time.spark.assess`` in a real Spark (``local[2]``, Java), through mapInArrow.

Marked ``external``: it needs Java and pyspark, which ``.ci/run`` installs before
``pytest -m external``.  Selected without them, it fails saying what to install.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import safeguard_time
from safeguard_time.errors import InvalidOptionError
from safeguard_time.tables import assess_table
from tests.engine_cases import AS_OF, CHECKS, cases

pytestmark = [
    pytest.mark.external,
    # createDataFrame from pandas: pyspark warns about pandas 3 (nothing here depends on it).
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.fail("Spark needs Java: apt-get install openjdk-17-jre-headless")
    try:
        from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    except ImportError:
        pytest.fail("the Spark test needs pyspark: pip install 'safeguard-time[spark]'")
    # The workers are this test environment's Python, with the package as installed here.
    saved = {k: os.environ.get(k) for k in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ.update(dict.fromkeys(saved, sys.executable))
    session = (
        SparkSession.builder.master("local[2]")
        .appName("safeguard_time tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_map_in_arrow_gives_the_whole_table_answer(spark: Any) -> None:
    from safeguard_time import spark as sgt_spark  # noqa: PLC0415

    table = cases(4_000, seed=5)
    df = spark.createDataFrame(table.to_pandas()).repartition(4)
    assert df.rdd.getNumPartitions() == 4
    out = sgt_spark.assess(df, CHECKS, as_of=AS_OF, error_column="errors")
    types = {f.name: f.dataType.simpleString() for f in out.schema.fields}
    assert types["assessment_due"] == "date"
    assert types["assessment_elapsed"] == "int"
    assert types["assessment_status"] == "string"
    assert types["errors"] == "string"
    rows = sorted(out.collect(), key=lambda r: r["case"])
    expected = assess_table(table, CHECKS, as_of=AS_OF, error_column="errors").table
    assert len(rows) == table.num_rows
    for name in expected.schema.names[len(table.schema) :]:
        assert [r[name] for r in rows] == expected.column(name).to_pylist(), name
    statuses = {r["assessment_status"] for r in rows}
    assert statuses >= {"met", "missed", "open_overdue", "error", "not_applicable"}


def test_workers_run_this_python_and_the_installed_package(spark: Any) -> None:
    def where(_: Any) -> Iterator[tuple[str, str, int]]:
        import safeguard_time as s  # noqa: PLC0415

        yield sys.executable, s.__file__ or "", os.getpid()

    reports = set(spark.sparkContext.parallelize(range(4), 2).mapPartitions(where).collect())
    assert {(exe, file) for exe, file, _ in reports} == {(sys.executable, safeguard_time.__file__)}
    assert all(pid != os.getpid() for _, _, pid in reports)


def test_caller_errors_raise_on_the_driver(spark: Any) -> None:
    from safeguard_time import spark as sgt_spark  # noqa: PLC0415

    df = spark.createDataFrame([("2024-03-08",)], "referral string")
    with pytest.raises(InvalidOptionError, match="no column 'referal'"):
        sgt_spark.assess(df, "assessment=referal")
    with pytest.raises(ValueError, match="convention"):
        sgt_spark.assess(df, "assessment=referral", convention="sideways")
