"""Bulk caseload scans: ``bulk.assess`` against numpy's business-day functions and a copy.

    python benchmarks/bulk_bench.py            # 1e5, 1e6 and 1e7 rows (about a minute)
    python benchmarks/bulk_bench.py --smoke    # tiny sizes; checks the script still works

Rows are random referral dates 2013-2027 with completions 0-120 days later, as in the issue
(about 2% fall before the single assessment existed, 15 April 2013: error rows, as they
would be in real data).  Contenders, timed in one process, interleaved, median of the
repeats:

- ``bulk.assess("assessment", starts, ends)``: due, elapsed, status, late, rule, provisional
  and errors for every row;
- numpy: ``busday_offset(starts, 45, roll="forward")`` + ``busday_count(starts, ends)`` +
  ``<= 45``, with the same bank holidays as a ``busdaycalendar``;
- ``numpy.copy`` of the start column (memory bandwidth).

Goals (issue 4) at 1e7 rows: at most 0.066x numpy, at most 8x the copy, peak extra memory
no more than the outputs plus one working chunk.  Ratios are printed, never asserted:
machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np

from safeguard_time import bulk, england_and_wales
from safeguard_time._engine.kernels import CHUNK
from safeguard_time.errors import ProvisionalCalendarWarning

AMOUNT = 45  # the numpy contender's fixed length; bulk.assess reads the rule data itself


def make_rows(n: int, seed: int = 2024) -> tuple[np.ndarray, np.ndarray]:
    """Random starts 2013-2027 and ends 0-120 days later, as datetime64[D]."""
    rng = np.random.default_rng(seed)
    lo = np.datetime64("2013-01-01", "D").astype(np.int64)
    hi = np.datetime64("2027-12-31", "D").astype(np.int64)
    starts = rng.integers(lo, hi, n).astype("datetime64[D]")
    ends = starts + rng.integers(0, 121, n).astype("timedelta64[D]")
    return starts, ends


def numpy_calendar() -> np.busdaycalendar:
    """numpy's calendar with the same bank holidays (weekdays only)."""
    cal = england_and_wales()
    days = sorted(d for d in cal.bank_holidays if d.weekday() < 5)
    return np.busdaycalendar(holidays=np.array(days, dtype="datetime64[D]"))


def timed(fn: Callable[[], object]) -> float:
    """Seconds for one call."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(n: int, repeats: int, bdc: np.busdaycalendar) -> dict[str, float]:
    """Median seconds per call of each contender, interleaved."""
    starts, ends = make_rows(n)

    def ours() -> object:
        return bulk.assess("assessment", starts, ends)

    def numpy_pair() -> object:
        due = np.busday_offset(starts, AMOUNT, roll="forward", busdaycal=bdc)
        elapsed = np.busday_count(starts, ends, busdaycal=bdc)
        return due, elapsed <= AMOUNT

    def copy() -> object:
        return np.copy(starts)

    contenders = {"bulk.assess": ours, "numpy pair": numpy_pair, "np.copy": copy}
    for fn in contenders.values():  # warm up: tables built, code paths loaded
        fn()
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(repeats):
        for key, fn in contenders.items():
            gc.collect()
            times[key].append(timed(fn))
    return {k: statistics.median(v) for k, v in times.items()}


def peak_memory(n: int) -> tuple[int, int, int]:
    """(peak bytes allocated during bulk.assess, bytes of its outputs, input bytes)."""
    starts, ends = make_rows(n)
    bulk.assess("assessment", starts[:10], ends[:10])
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    result = bulk.assess("assessment", starts, ends)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    outputs = sum(
        a.nbytes
        for a in (
            result.due,
            result.elapsed,
            result.status,
            result.late,
            result.rule,
            result.provisional,
            result.errors.rows,
        )
    )
    outputs += result.errors._codes.nbytes
    return peak, outputs, starts.nbytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check it runs")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    sizes = (1_000, 10_000) if args.smoke else (100_000, 1_000_000, 10_000_000)
    repeats = 3 if args.smoke else max(args.repeats, 5)
    warnings.simplefilter("ignore", ProvisionalCalendarWarning)  # rows reach 2028
    bdc = numpy_calendar()

    print(f"bulk.assess('assessment', starts, ends): median of {repeats} interleaved repeats")
    print(
        f"{'rows':>10}  {'bulk ns/row':>11}  {'numpy ns/row':>12}  {'copy ns/row':>11}  "
        f"{'vs numpy':>8}  {'vs copy':>7}"
    )
    for n in sizes:
        m = measure(n, repeats, bdc)
        ours, ref, cp = m["bulk.assess"], m["numpy pair"], m["np.copy"]
        print(
            f"{n:>10}  {ours / n * 1e9:>11.2f}  {ref / n * 1e9:>12.2f}  {cp / n * 1e9:>11.2f}  "
            f"{ours / ref:>8.4f}  {ours / cp:>7.2f}"
        )
    n = sizes[-1]
    ratio_numpy, ratio_copy = ours / ref, ours / cp
    if args.smoke:
        print("smoke run: sizes too small to judge the goals (run without --smoke)")
    else:
        print(
            f"goal at the largest size: <= 0.066x numpy {_verdict(ratio_numpy <= 0.066)}, "
            f"<= 8x copy {_verdict(ratio_copy <= 8)}"
        )

    peak, outputs, inputs = peak_memory(n)
    chunk_mb = CHUNK * 8 * 12 / 2**20  # a dozen 8-byte temporaries of one chunk
    print(
        f"peak extra memory at {n} rows: {peak / 2**20:.1f} MiB; outputs {outputs / 2**20:.1f} "
        f"MiB; beyond the outputs {(peak - outputs) / 2**20:.1f} MiB "
        f"(one chunk of {CHUNK} rows ~ {chunk_mb:.1f} MiB; one input column "
        f"{inputs / 2**20:.1f} MiB)"
    )
    return 0


def _verdict(ok: bool) -> str:
    return "(meets goal)" if ok else "(MISSES goal)"


if __name__ == "__main__":
    raise SystemExit(main())
