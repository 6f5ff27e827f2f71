"""The Dask recipe (examples/dask_recipe.py) on a small frame, with the local scheduler."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from safeguard_time import bulk

RECIPE = Path(__file__).resolve().parents[1] / "examples" / "dask_recipe.py"


def load_recipe() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dask_recipe", RECIPE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dask_partitions_give_the_single_machine_answer() -> None:
    recipe = load_recipe()
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
    lazy = recipe.assess_dask(from_pandas(frame, npartitions=5), **options)
    with dask.config.set(scheduler="synchronous"):
        out = lazy.compute()
    whole = bulk.assess(
        "assessment", frame["referral"], frame["completed"], as_of=dt.date(2024, 3, 31)
    ).to_pandas(index=frame.index)
    assert out.index.equals(frame.index)
    assert out["case"].tolist() == frame["case"].tolist()
    pd.testing.assert_frame_equal(out[list(whole.columns)], whole)
    assert set(out["status"]) >= {"met", "missed", "open_overdue", "error"}
    assert out.loc[out["status"] == "error", "error"].notna().all()
