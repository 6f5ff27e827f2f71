"""Dask and Spark partitions: the same bulk functions, one partition at a time.

``bulk.assess`` works on one in-memory column at a time; Dask splits a larger-than-memory
table into pandas partitions and calls it on each (``map_partitions``).  Row order and
the index are kept, so the result lines up with the input; error rows carry their reason
in the ``error`` column instead of a row number (row numbers restart in each partition).

This module ships inside the package, so worker processes that have ``safeguard-time``
installed (and nothing else) can run it.  pandas is needed (``pip install
"safeguard-time[dask]"``); dask itself is imported by the caller, not here.

The same :func:`assess_partition` serves Spark's ``mapInPandas`` (see the caseload guide).

>>> import pandas as pd
>>> frame = pd.DataFrame({"referral": pd.to_datetime(["2024-03-08"]),
...                       "completed": pd.to_datetime(["2024-05-16"])})
>>> assess_partition(frame, timescale="assessment", start="referral",
...                  end="completed")["status"].tolist()
['missed']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from safeguard_time import bulk
from safeguard_time.calendar import Convention
from safeguard_time.rules import Policy

__all__ = ["assess_dask", "assess_partition"]


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
    """Assess one pandas partition: the input columns plus the bulk result columns.

    >>> import datetime as dt, pandas as pd
    >>> f = pd.DataFrame({"r": pd.to_datetime(["2024-03-08", "2024-06-04"])})
    >>> out = assess_partition(f, timescale="assessment", start="r", as_of=dt.date(2024, 6, 3))
    >>> out["status"].tolist(), out["error"].tolist()[1]
    (['open_overdue', 'error'], 'as_of 2024-06-03 is before the start 2024-06-04: the case had not started on that date')
    """
    ends = frame[end] if end is not None else None
    result = bulk.assess(
        timescale, frame[start], ends, as_of=as_of, policy=policy, convention=convention
    )
    return pd.concat([frame, result.to_pandas(index=frame.index)], axis=1)


def assess_dask(ddf: Any, **options: Any) -> Any:
    """``assess_partition`` over every partition of a Dask DataFrame (lazy).

    >>> import datetime as dt, dask.dataframe as dd, pandas as pd
    >>> f = pd.DataFrame({"r": pd.to_datetime(["2024-03-08"] * 4)})
    >>> lazy = assess_dask(dd.from_pandas(f, npartitions=2), timescale="assessment", start="r",
    ...                    as_of=dt.date(2024, 4, 1))
    >>> lazy.compute(scheduler="synchronous")["status"].tolist()
    ['open_in_time', 'open_in_time', 'open_in_time', 'open_in_time']
    """
    meta = assess_partition(ddf._meta, **options)  # an empty frame with the result's dtypes
    return ddf.map_partitions(assess_partition, meta=meta, **options)
