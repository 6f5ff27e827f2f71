"""The caseload the engine tests (Dask, Spark) assess, and the checks they run on it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]

CHECKS = ["assessment=referral:completed", "referral_decision=referral:decided"]
AS_OF = dt.date(2024, 3, 31)


def cases(n: int, seed: int) -> pa.Table:
    """Referrals 2013-2024 (two editions of the assessment rule), ends, gaps, bad text."""
    rng = np.random.default_rng(seed)
    referral = np.datetime64("2013-01-01") + rng.integers(0, 4200, n).astype("m8[D]")
    completed = referral + rng.integers(-3, 90, n).astype("m8[D]")
    completed[rng.random(n) < 0.15] = np.datetime64("NaT")
    decided = np.datetime_as_string(referral + rng.integers(0, 4, n).astype("m8[D]"))
    decided = decided.astype(object)
    decided[rng.random(n) < 0.05] = "not known"
    decided[rng.random(n) < 0.05] = ""
    return pa.table(
        {
            "case": pa.array(np.arange(n)),
            "referral": pa.array(referral, pa.date32()),
            "completed": pa.array(completed, pa.date32()),
            "decided": pa.array(decided.tolist(), pa.string()),
        }
    )
