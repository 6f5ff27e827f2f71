"""Dask: the scan's columns added to every partition of a Dask DataFrame, lazily.

:func:`assess` returns a new Dask DataFrame whose partitions are the input's with, for each
check, the five columns of :func:`safeguard_time.tables.assess_table` (``{timescale}_due``,
``_elapsed``, ``_status``, ``_late``, ``_rule``); nothing is computed until the caller asks.
Its ``meta`` is the result of ``assess_table`` on the input's (empty) meta, so the dtypes
are exactly those of every computed partition: ``date32[day][pyarrow]``, ``Int32`` and
``string[pyarrow]``.

This module ships inside the package: worker processes that have ``safeguard-time``
installed (and nothing else) run it.  Neither dask nor pandas is imported until
:func:`assess` is called (the ``dask`` extra).

Row problems cannot be listed beside a distributed result (row numbers restart in every
partition): pass ``error_column="errors"`` to keep each row's reasons in a column.

>>> import datetime as dt, dask.dataframe as dd, pandas as pd
>>> frame = pd.DataFrame({"referral": pd.to_datetime(["2024-03-08", "2024-03-08", None]),
...                       "completed": pd.to_datetime(["2024-05-15", None, None])})
>>> lazy = assess(dd.from_pandas(frame, npartitions=2), "assessment=referral:completed",
...               as_of=dt.date(2024, 6, 3))
>>> lazy.compute(scheduler="synchronous")["assessment_status"].tolist()
['met', 'open_overdue', 'not_applicable']

The older helpers :func:`assess_partition` and :func:`assess_dask` (one check, the bulk
result's columns) still work and are deprecated.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from safeguard_time.calendar import Convention, WorkingCalendar
from safeguard_time.rules import Policy
from safeguard_time.tables import Check, ChecksLike, assess_table, parse_checks

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]

__all__ = ["assess", "assess_dask", "assess_partition"]


def _assess_partition(
    frame: pd.DataFrame, checks: tuple[Check, ...], options: dict[str, Any]
) -> pd.DataFrame:
    """One partition (a pandas DataFrame), assessed: what every worker runs."""
    out: pd.DataFrame = assess_table(frame, checks, **options).table
    return out


def assess(
    ddf: Any,
    checks: ChecksLike,
    *,
    as_of: Any = None,
    policy: Policy | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    calendar: WorkingCalendar | None = None,
    error_column: str | None = None,
) -> Any:
    """The checks over every partition of a Dask DataFrame: a lazy Dask DataFrame back.

    Partition by partition the answer of :func:`safeguard_time.tables.assess_table` (the
    options mean the same), index and row order kept; the result's ``meta`` holds the
    added columns' dtypes.  Caller errors (an unknown timescale, a column that is not there,
    a bad option) raise here, before anything is computed.  Keep ``as_of`` fixed: every
    partition judges its open cases on that day.

    Args:
        ddf: a Dask DataFrame.
        checks: ``TIMESCALE=START_COLUMN[:END_COLUMN]`` text, several,
            :class:`~safeguard_time.tables.Check` values, or a mapping ``{timescale: start}``
            / ``{timescale: (start, end)}``.
        as_of: the day open cases are judged on, the same for every partition.
        policy: the council's switch dates.
        convention: how day 0 is counted.
        calendar: the working-day calendar (default: England & Wales).
        error_column: a column to write each row's reasons into, or ``None``.

    >>> import datetime as dt, dask.dataframe as dd, pandas as pd
    >>> f = pd.DataFrame({"r": ["2024-03-08", "soon", ""] * 2})
    >>> out = assess(dd.from_pandas(f, npartitions=3), {"referral_decision": "r"},
    ...              as_of=dt.date(2024, 3, 20), error_column="errors")
    >>> out.dtypes["referral_decision_elapsed"], out["errors"].compute(scheduler="synchronous").tolist()[1]
    (Int32Dtype(), "r: 'soon' is not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number")
    """
    parsed = parse_checks(checks)
    options: dict[str, Any] = {
        "as_of": as_of,
        "policy": policy,
        "convention": convention,
        "calendar": calendar,
        "error_column": error_column,
    }
    meta = _assess_partition(ddf._meta, parsed, options)  # checks every option, eagerly
    return ddf.map_partitions(_assess_partition, parsed, options, meta=meta)


# --- the older helpers ----------------------------------------------------------------------


def _deprecated(old: str) -> None:
    warnings.warn(
        f"safeguard_time.dask.{old} is deprecated: use safeguard_time.dask.assess (Dask) or "
        "safeguard_time.tables.assess_table (one table), which add the scan's columns for "
        "several checks at once",
        DeprecationWarning,
        stacklevel=3,
    )


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
    """Deprecated: one pandas partition with the bulk result's columns (``status`` ...).

    Use :func:`safeguard_time.tables.assess_table`.

    >>> import datetime as dt, warnings, pandas as pd
    >>> f = pd.DataFrame({"r": pd.to_datetime(["2024-03-08", "2024-06-04"])})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     out = assess_partition(f, timescale="assessment", start="r", as_of=dt.date(2024, 6, 3))
    >>> out["status"].tolist()
    ['open_overdue', 'error']
    """
    _deprecated("assess_partition")
    return _old_partition(frame, timescale, start, end, as_of, policy, convention)


def _old_partition(
    frame: pd.DataFrame,
    timescale: str,
    start: str,
    end: str | None,
    as_of: Any,
    policy: Policy | None,
    convention: Convention | str,
) -> pd.DataFrame:
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    from safeguard_time import bulk  # noqa: PLC0415

    ends = frame[end] if end is not None else None
    result = bulk.assess(
        timescale, frame[start], ends, as_of=as_of, policy=policy, convention=convention
    )
    return pd.concat([frame, result.to_pandas(index=frame.index)], axis=1)


def _old_partition_options(frame: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    return _old_partition(
        frame,
        options["timescale"],
        options["start"],
        options.get("end"),
        options.get("as_of"),
        options.get("policy"),
        options.get("convention", Convention.EVENT_DAY_ZERO),
    )


def assess_dask(ddf: Any, **options: Any) -> Any:
    """Deprecated: :func:`assess_partition` over every partition (lazy); use :func:`assess`.

    >>> import datetime as dt, warnings, dask.dataframe as dd, pandas as pd
    >>> f = pd.DataFrame({"r": pd.to_datetime(["2024-03-08"] * 4)})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     lazy = assess_dask(dd.from_pandas(f, npartitions=2), timescale="assessment",
    ...                        start="r", as_of=dt.date(2024, 4, 1))
    >>> lazy.compute(scheduler="synchronous")["status"].tolist()
    ['open_in_time', 'open_in_time', 'open_in_time', 'open_in_time']
    """
    _deprecated("assess_dask")
    meta = _old_partition_options(ddf._meta, options)
    return ddf.map_partitions(_old_partition_options, options, meta=meta)
