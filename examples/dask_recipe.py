"""Scanning a caseload with Dask: the same bulk functions, one partition at a time.

    pip install "safeguard-time[dask]"
    python examples/dask_recipe.py

``bulk.assess`` works on one in-memory column at a time; Dask splits a larger-than-memory
table into pandas partitions and calls it on each (``map_partitions``).  Row order and
the index are kept, so the result lines up with the input; error rows carry their reason
in the ``error`` column instead of a row number (row numbers restart in each partition).

The same function serves Spark: ``df.mapInPandas(lambda frames: (assess_partition(f, ...)
for f in frames), schema)`` (see docs/caseload.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from safeguard_time import Convention, Policy, bulk


def assess_partition(
    frame: pd.DataFrame,
    *,
    timescale: str,
    start: str,
    end: str | None = None,
    as_of: Any = None,
    policy: Policy | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
) -> pd.DataFrame:
    """Assess one pandas partition: the input columns plus the bulk result columns."""
    ends = frame[end] if end is not None else None
    result = bulk.assess(
        timescale, frame[start], ends, as_of=as_of, policy=policy, convention=convention
    )
    return pd.concat([frame, result.to_pandas(index=frame.index)], axis=1)


def assess_dask(ddf: Any, **options: Any) -> Any:
    """``assess_partition`` over every partition of a Dask DataFrame (lazy)."""
    meta = assess_partition(ddf._meta, **options)  # an empty frame with the result's dtypes
    return ddf.map_partitions(assess_partition, meta=meta, **options)


def main() -> None:
    import dask  # noqa: PLC0415 - an optional dependency
    import dask.dataframe as dd  # noqa: PLC0415

    rng = np.random.default_rng(1)
    referral = np.datetime64("2013-01-01") + rng.integers(0, 4000, 10_000).astype("m8[D]")
    completed = referral + rng.integers(0, 90, 10_000).astype("m8[D]")
    completed[rng.random(10_000) < 0.1] = np.datetime64("NaT")  # still open
    frame = pd.DataFrame({"referral": referral, "completed": completed})
    ddf = dd.from_pandas(frame, npartitions=4)
    lazy = assess_dask(
        ddf,
        timescale="assessment",
        start="referral",
        end="completed",
        as_of=dt.date(2024, 3, 31),
    )
    with dask.config.set(scheduler="synchronous"):  # local, single-threaded
        out = lazy.compute()
    print(out["status"].value_counts().sort_index())
    print(out.loc[out["status"] == "error", "error"].value_counts().head())


if __name__ == "__main__":
    main()
