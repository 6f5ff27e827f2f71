"""Spark: the scan's columns added to a Spark DataFrame, batch by batch through Arrow.

:func:`assess` returns a new Spark DataFrame (lazy, like every Spark transformation): the
input's rows with, for each check, the five columns of
:func:`safeguard_time.tables.assess_table`.  It runs through ``DataFrame.mapInArrow``:
Spark hands each Python worker Arrow record batches, ``assess_table`` adds the columns to
each batch (the date columns read in place, no pandas), and the result's Spark schema is
derived from :func:`safeguard_time.tables.output_schema`: ``DateType`` for the due date,
``IntegerType`` for elapsed and late, ``StringType`` for status and rule.

This module ships inside the package: executors need ``safeguard-time`` installed and
nothing else (see the "Beyond one machine" guide for Databricks and plain clusters).
pyspark is imported only when :func:`assess` is called (the ``spark`` extra).

Row problems cannot be listed beside a distributed result: pass ``error_column="errors"``
to keep each row's reasons in a column.

>>> import datetime as dt, os, sys
>>> from pyspark.sql import SparkSession
>>> os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local mode: this Python
'...'
>>> spark = (SparkSession.builder.master("local[1]")
...          .config("spark.ui.enabled", "false").getOrCreate())
>>> cases = spark.createDataFrame([(dt.date(2024, 3, 8), dt.date(2024, 5, 16))],
...                               "referral date, completed date")
>>> out = assess(cases, "assessment=referral:completed", as_of=dt.date(2024, 6, 3))
>>> out.select("assessment_due", "assessment_status", "assessment_late").collect()
[Row(assessment_due=datetime.date(2024, 5, 15), assessment_status='missed', assessment_late=1)]
>>> spark.stop()
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from safeguard_time.calendar import Convention, WorkingCalendar
from safeguard_time.rules import Policy
from safeguard_time.tables import Check, ChecksLike, assess_table, output_schema, parse_checks

__all__ = ["assess", "spark_schema"]


def _assess_batches(
    batches: Iterable[Any], *, checks: tuple[Check, ...], options: dict[str, Any]
) -> Iterator[Any]:
    """What every Python worker runs: each Arrow record batch, assessed."""
    for batch in batches:
        yield assess_table(batch, checks, **options).table


def _arrow_probe(schema: Any, checks: tuple[Check, ...]) -> Any:
    """An Arrow schema with the Spark schema's names and the date columns' Arrow types.

    Only the columns the checks read are converted (by pyspark's own mapping), so that a
    column of a type Arrow cannot carry elsewhere in the table is no obstacle.
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
    from pyspark.sql.pandas.types import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
        to_arrow_type,
    )

    named = {c for ch in checks for c in (ch.start, ch.end) if c}
    return pa.schema(
        [
            pa.field(f.name, to_arrow_type(f.dataType) if f.name in named else pa.null())
            for f in schema.fields
        ]
    )


def spark_schema(schema: Any, checks: ChecksLike, *, error_column: str | None = None) -> Any:
    """The Spark schema of :func:`assess`'s result for an input of Spark ``schema``.

    The input's fields as they are, then those that :func:`~safeguard_time.tables.output_schema`
    adds, converted by pyspark's own Arrow type mapping.

    >>> from pyspark.sql.types import DateType, StructField, StructType
    >>> s = spark_schema(StructType([StructField("referral", DateType())]),
    ...                  "referral_decision=referral")
    >>> [(f.name, f.dataType.simpleString()) for f in s.fields][1:4]
    [('referral_decision_due', 'date'), ('referral_decision_elapsed', 'int'), ('referral_decision_status', 'string')]
    """
    from pyspark.sql.pandas.types import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
        from_arrow_type,
    )
    from pyspark.sql.types import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
        StructField,
        StructType,
    )

    parsed = parse_checks(checks)
    probe = _arrow_probe(schema, parsed)
    arrow_out = output_schema(probe, parsed, error_column=error_column)
    added = [
        StructField(f.name, from_arrow_type(f.type), nullable=True)
        for f in list(arrow_out)[len(probe) :]
    ]
    return StructType([*schema.fields, *added])


def assess(
    df: Any,
    checks: ChecksLike,
    *,
    as_of: Any = None,
    policy: Policy | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    calendar: WorkingCalendar | None = None,
    error_column: str | None = None,
) -> Any:
    """The checks over a Spark DataFrame, through ``mapInArrow``: a Spark DataFrame back.

    Batch by batch the answer of :func:`safeguard_time.tables.assess_table` (the options
    mean the same); the input's columns pass through untouched.  Caller errors (an unknown
    timescale, a column that is not there or cannot hold dates, a bad option) raise here,
    on the driver, before any job runs.  Keep ``as_of`` fixed: every executor judges its
    open cases on that day.

    Args:
        df: a Spark DataFrame.
        checks: ``TIMESCALE=START_COLUMN[:END_COLUMN]`` text, several,
            :class:`~safeguard_time.tables.Check` values, or a mapping ``{timescale: start}``
            / ``{timescale: (start, end)}``.
        as_of: the day open cases are judged on, the same for every executor.
        policy: the council's switch dates.
        convention: how day 0 is counted.
        calendar: the working-day calendar (default: England & Wales).
        error_column: a column to write each row's reasons into, or ``None``.

    >>> import datetime as dt, os, sys
    >>> from pyspark.sql import SparkSession
    >>> os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    '...'
    >>> spark = SparkSession.builder.master("local[1]").getOrCreate()
    >>> cases = spark.createDataFrame([("08/03/2024",), ("soon",)], "referral string")
    >>> out = assess(cases, {"referral_decision": "referral"}, as_of="2024-03-20",
    ...              error_column="errors")
    >>> [r.referral_decision_status for r in out.collect()]
    ['open_overdue', 'error']
    >>> spark.stop()
    """
    parsed = parse_checks(checks)
    schema = spark_schema(df.schema, parsed, error_column=error_column)
    options: dict[str, Any] = {
        "as_of": as_of,
        "policy": policy,
        "convention": convention,
        "calendar": calendar,
        "error_column": error_column,
    }
    # Every option checked now, on the driver, on an empty batch of the date columns' types.
    assess_table(_arrow_probe(df.schema, parsed).empty_table(), parsed, **options)
    run = functools.partial(_assess_batches, checks=parsed, options=options)
    with warnings.catch_warnings():
        # pyspark checks the pandas version for every batch function; this one never
        # converts to pandas (Arrow batches in and out), so that warning does not apply.
        warnings.filterwarnings(
            "ignore", "PySpark does not yet fully support pandas", FutureWarning
        )
        return df.mapInArrow(run, schema)
