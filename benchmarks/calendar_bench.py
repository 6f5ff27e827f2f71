"""Scalar calendar speed and cold start, as ratios against references measured in the same run.

    python benchmarks/calendar_bench.py            # full run
    python benchmarks/calendar_bench.py --smoke    # seconds; checks the script still works

Goals, against one scalar ``numpy.busday_offset`` call measured in the same run:

- ``add_working_days`` at most 0.25x (issue: foundation);
- ``deadline()`` at most 1.0x, and ``deadline().assess(end)`` at most 1.5x (issue: one
  engine): one case is read from the engine's per-day rule plan;
- cold start (a fresh interpreter: import, then the first ``deadline()``) at most 1.5x
  ``python -c "import numpy"``.

Ratios are printed, never asserted: machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable

import numpy as np

import safeguard_time

COLD_OURS = (
    "import datetime, safeguard_time; "
    "safeguard_time.deadline('assessment', datetime.date(2024, 3, 8)).due"
)
COLD_NUMPY = "import numpy"


def _per_call(fn: Callable[[], object], number: int, repeats: int) -> float:
    """Median seconds per call over ``repeats`` timings of ``number`` calls."""
    return statistics.median(t / number for t in timeit.repeat(fn, number=number, repeat=repeats))


def _holidays_loop_add(hols: object, start: dt.date, n: int) -> dt.date:
    """The common hand-written loop over a python-holidays calendar."""
    day = start
    step = dt.timedelta(days=1)
    while n > 0:
        day += step
        if day.weekday() < 5 and day not in hols:  # type: ignore[operator]
            n -= 1
    return day


def scalar(number: int, repeats: int) -> dict[str, float]:
    """Interleaved scalar timings (seconds per call)."""
    import holidays  # noqa: PLC0415

    cal = safeguard_time.england_and_wales()
    rng = random.Random(2024)
    starts = [dt.date(2013, 1, 1) + dt.timedelta(days=rng.randrange(5000)) for _ in range(64)]
    ns = [rng.randrange(1, 46) for _ in range(64)]
    hols = holidays.country_holidays("GB", subdiv="ENG", years=range(2013, 2029))
    bdc = np.busdaycalendar(
        holidays=np.array(sorted(d for d in hols if d.weekday() < 5), dtype="datetime64[D]")
    )
    starts64 = [np.datetime64(d, "D") for d in starts]
    i = iter(range(10**12))

    def ours() -> object:
        k = next(i) & 63
        return cal.add_working_days(starts[k], ns[k])

    def numpy_call() -> object:
        k = next(i) & 63
        return np.busday_offset(starts64[k], ns[k], roll="backward", busdaycal=bdc)

    def numpy_date_call() -> object:
        k = next(i) & 63
        return np.busday_offset(starts[k], ns[k], roll="backward", busdaycal=bdc)

    def loop() -> object:
        k = next(i) & 63
        return _holidays_loop_add(hols, starts[k], ns[k])

    ends = [d + dt.timedelta(days=60) for d in starts]
    deadline = safeguard_time.deadline

    def one_deadline() -> object:
        k = next(i) & 63
        return deadline("assessment", starts[k])

    def one_assess() -> object:
        k = next(i) & 63
        return deadline("assessment", starts[k]).assess(ends[k])

    results: dict[str, list[float]] = {
        "ours": [],
        "numpy": [],
        "numpy_date": [],
        "loop": [],
        "deadline": [],
        "assess": [],
    }
    for _ in range(repeats):  # interleave the contenders
        results["ours"].append(_per_call(ours, number, 1))
        results["deadline"].append(_per_call(one_deadline, number, 1))
        results["assess"].append(_per_call(one_assess, number, 1))
        results["numpy"].append(_per_call(numpy_call, number, 1))
        results["numpy_date"].append(_per_call(numpy_date_call, number, 1))
        results["loop"].append(_per_call(loop, max(number // 20, 1), 1))
    return {k: statistics.median(v) for k, v in results.items()}


def cold(repeats: int) -> dict[str, float]:
    """Median wall time of a fresh interpreter running each snippet, interleaved.

    The package's bytecode is compiled first, as ``pip install`` does for a wheel (numpy's is
    already), so that neither side pays for compiling source: a checkout run with
    ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every module at every start.
    """
    import compileall  # noqa: PLC0415
    import pathlib  # noqa: PLC0415

    compileall.compile_dir(pathlib.Path(safeguard_time.__file__).parent, quiet=1)
    out: dict[str, list[float]] = {"ours": [], "numpy": []}
    for _ in range(repeats):
        for key, code in (("numpy", COLD_NUMPY), ("ours", COLD_OURS)):
            t0 = timeit.default_timer()
            subprocess.run([sys.executable, "-c", code], check=True)
            out[key].append(timeit.default_timer() - t0)
    return {k: statistics.median(v) for k, v in out.items()}


SMOKE = False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check it runs")
    args = parser.parse_args()
    global SMOKE  # noqa: PLW0603 - one flag for the verdicts of a smoke run
    SMOKE = args.smoke
    number, repeats, cold_repeats = (200, 3, 2) if args.smoke else (20000, 7, 15)

    s = scalar(number, repeats)
    print("scalar add_working_days (median of interleaved repeats)")
    print(f"  safeguard_time                  {s['ours'] * 1e9:9.0f} ns/call")
    print(f"  numpy.busday_offset (datetime64) {s['numpy'] * 1e9:8.0f} ns/call")
    print(f"  numpy.busday_offset (date)      {s['numpy_date'] * 1e9:9.0f} ns/call")
    print(f"  python-holidays loop            {s['loop'] * 1e9:9.0f} ns/call")
    ratio = s["ours"] / s["numpy"]
    print(f"  ratio vs numpy (datetime64): {ratio:.3f}  goal <= 0.25  {_verdict(ratio <= 0.25)}")
    print(f"  ratio vs numpy (date):       {s['ours'] / s['numpy_date']:.3f}")
    print(f"  ratio vs holidays loop:      {s['ours'] / s['loop']:.4f}")
    print("one case: deadline() and deadline().assess(end), 2013-2026 starts")
    print(f"  deadline('assessment', start)   {s['deadline'] * 1e9:9.0f} ns/call")
    print(f"  ... .assess(end)                {s['assess'] * 1e9:9.0f} ns/call")
    ratio = s["deadline"] / s["numpy"]
    print(f"  deadline vs numpy: {ratio:.2f}  goal <= 1.0  {_verdict(ratio <= 1.0)}")
    ratio = s["assess"] / s["numpy"]
    print(f"  deadline+assess vs numpy: {ratio:.2f}  goal <= 1.5  {_verdict(ratio <= 1.5)}")

    c = cold(cold_repeats)
    ratio = c["ours"] / c["numpy"]
    print("cold start (fresh interpreter, median)")
    print(f"  python -c 'import numpy'             {c['numpy'] * 1e3:7.1f} ms")
    print(f"  import + first deadline()            {c['ours'] * 1e3:7.1f} ms")
    print(f"  ratio: {ratio:.2f}  goal <= 1.5  {_verdict(ratio <= 1.5)}")
    return 0


def _verdict(ok: bool) -> str:
    if SMOKE:
        return "(smoke run: too small to judge)"
    return "(meets goal)" if ok else "(MISSES goal)"


if __name__ == "__main__":
    raise SystemExit(main())
