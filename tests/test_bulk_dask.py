"""The deprecated Dask helpers (safeguard_time.dask) on a small frame, with the local scheduler.

``safeguard_time.dask.assess`` (the scan's columns) is tested in test_dask.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from safeguard_time import bulk
from safeguard_time import dask as recipe


def test_dask_partitions_give_the_single_machine_answer() -> None:
    rng = np.random.default_rng(3)
    n = 2_000
    referral = np.datetime64("2012-10-01") + rng.integers(0, 4000, n).astype("m8[D]")
    completed = referral + rng.integers(-3, 90, n).astype("m8[D]")
    completed[rng.random(n) < 0.1] = np.datetime64("NaT")
    frame = pd.DataFrame(
        {"case": np.arange(n), "referral": referral, "completed": completed},
        index=pd.RangeIndex(100, 100 + n),
    )
    options = {
        "timescale": "assessment",
        "start": "referral",
        "end": "completed",
        "as_of": dt.date(2024, 3, 31),
    }
    from_pandas: Any = dd.from_pandas  # untyped in dask
    # Keep dask from turning text columns into pyarrow strings, so dtypes compare as they are.
    with dask.config.set({"scheduler": "synchronous", "dataframe.convert-string": False}):
        with pytest.warns(DeprecationWarning, match=r"use safeguard_time\.dask\.assess"):
            lazy = recipe.assess_dask(from_pandas(frame, npartitions=5), **options)
        out = lazy.compute()
    whole = bulk.assess(
        "assessment", frame["referral"], frame["completed"], as_of=dt.date(2024, 3, 31)
    ).to_pandas(index=frame.index)
    assert out.index.equals(frame.index)
    assert out["case"].tolist() == frame["case"].tolist()
    pd.testing.assert_frame_equal(out[list(whole.columns)], whole)
    assert set(out["status"]) >= {"met", "missed", "open_overdue", "error"}
    assert out.loc[out["status"] == "error", "error"].notna().all()
