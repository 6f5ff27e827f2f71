"""``safeguard_time.dask.assess`` on a real cluster: two worker processes, a Parquet dataset.

The workers are separate Python processes (``processes=True``) started by
``distributed.LocalCluster``; they import the package as installed, nothing from the
checkout's tests or examples.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import distributed
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.dataset as pds  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pytest

import safeguard_time
from safeguard_time import dask as sgt_dask
from safeguard_time import england_and_wales
from safeguard_time.errors import ProvisionalCalendarWarning, UnknownTimescaleError
from safeguard_time.tables import assess_table
from tests.engine_cases import AS_OF, CHECKS, cases

# dask and distributed are untyped.
from_pandas: Any = dd.from_pandas
local_cluster: Any = distributed.LocalCluster
new_client: Any = distributed.Client


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        local_cluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        new_client(cluster) as c,
    ):
        yield c


def test_two_worker_processes_give_the_whole_table_answer(client: Any, tmp_path: Path) -> None:
    table = cases(6_000, seed=11)
    # A dataset of several files, written here: each file is one or more partitions.
    pds.write_dataset(
        table, tmp_path / "cases", format="parquet", max_rows_per_file=1_000, max_rows_per_group=500
    )
    ddf = dd.read_parquet(tmp_path / "cases")
    assert ddf.npartitions >= 6
    lazy = sgt_dask.assess(ddf, CHECKS, as_of=AS_OF, error_column="errors")
    # Nothing computed yet; the meta already has the added columns' dtypes.
    assert lazy.dtypes["assessment_due"] == pd.ArrowDtype(pa.date32())
    assert lazy.dtypes["assessment_elapsed"] == pd.Int32Dtype()
    assert lazy.dtypes["referral_decision_status"] == pd.StringDtype("pyarrow")
    out = client.compute(lazy).result()

    expected = assess_table(table, CHECKS, as_of=AS_OF, error_column="errors").table
    got = pa.Table.from_pandas(out, preserve_index=False)
    assert got.num_rows == table.num_rows
    assert got.column("case").to_pylist() == list(range(table.num_rows))  # order kept
    for name in expected.schema.names[len(table.schema) :]:
        assert got.column(name).to_pylist() == expected.column(name).to_pylist(), name
    statuses = set(got.column("assessment_status").to_pylist())
    assert statuses >= {"met", "missed", "open_overdue", "error", "not_applicable"}
    # The result's dtypes are its meta's.
    assert dict(out.dtypes) == dict(lazy.dtypes)


def test_workers_import_the_installed_package(client: Any) -> None:
    def where() -> dict[str, Any]:  # a closure: sent by value, needs nothing from tests/
        import os  # noqa: PLC0415 - imported on the worker
        import sys  # noqa: PLC0415

        import safeguard_time as s  # noqa: PLC0415

        return {
            "file": s.__file__,
            "pid": os.getpid(),
            "borrowed": sorted(m for m in sys.modules if m.split(".")[0] in ("tests", "examples")),
        }

    ddf = from_pandas(pd.DataFrame({"r": ["2024-03-08"] * 4}), npartitions=2)
    client.compute(sgt_dask.assess(ddf, "referral_decision=r", as_of=AS_OF)).result()
    reports = client.run(where)
    assert len(reports) == 2
    for report in reports.values():
        assert report["file"] == safeguard_time.__file__
        assert report["pid"] != os.getpid()
        assert report["borrowed"] == []


def test_lazy_and_caller_errors_raise_at_once(client: Any) -> None:
    ddf = from_pandas(pd.DataFrame({"r": ["2024-03-08"] * 4}), npartitions=2)
    with pytest.raises(UnknownTimescaleError):
        sgt_dask.assess(ddf, "asessment=r")
    out = client.compute(sgt_dask.assess(ddf, {"referral_decision": "r"}, as_of=AS_OF)).result()
    assert out.index.tolist() == [0, 1, 2, 3]
    assert out["referral_decision_due"].tolist() == [dt.date(2024, 3, 11)] * 4


def test_importing_the_module_imports_neither_dask_nor_pandas() -> None:
    code = (
        "import sys, safeguard_time.dask; "
        "print(sorted(m for m in ('dask', 'pandas', 'pyarrow') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_council_calendar_reaches_the_workers(client: Any) -> None:
    # A closure day and a projected year: the calendar is pickled to the worker processes.
    local = england_and_wales().with_closures([dt.date(2024, 12, 27)], label="Shutdown")
    frame = pd.DataFrame({"r": ["2024-12-24", "2030-04-18"] * 2})
    ddf = from_pandas(frame, npartitions=2)
    lazy = sgt_dask.assess(ddf, "referral_decision=r", as_of=dt.date(2030, 6, 3), calendar=local)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        out = client.compute(lazy).result()
    # Tue 24 Dec 2024 + 1: 25, 26 bank holidays, 27 the closure, Mon 30.  Thu 18 April 2030
    # + 1: Good Friday 19 and Easter Monday 22 (projected), Tue 23.
    assert (
        out["referral_decision_due"].tolist() == [dt.date(2024, 12, 30), dt.date(2030, 4, 23)] * 2
    )
