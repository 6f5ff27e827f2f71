"""Caseload scan speed: ``safeguard-time scan`` against pyarrow reading and writing the file.

    python benchmarks/scan_bench.py             # 1e6 rows
    python benchmarks/scan_bench.py --smoke     # 20,000 rows; checks the script still works
    python benchmarks/scan_bench.py --rows 200000 --repeats 5

The caseload comes from ``safeguard_time.example`` (``make_caseload``) (seeded; dates in mixed forms, a share
of rows damaged on purpose).  The reference is the least a scan must do: pyarrow's CSV reader
reading the same file (every column inferred; multi-threaded) and its CSV writer writing the
table back out.  The scan runs the README's main-job command end to end (parse dates cell by
cell, four checks across every edition, errors report, CSV output) in this process.

Goal (issue: command line): at most 3x.  The ratio is printed, never asserted: machines here
are shared and noisy.  Each side runs ``--repeats`` times, interleaved; the best times give the
headline ratio, and each repeat's own ratio (scan over the reference run just before it) is
printed with their median, since on a busy machine one lucky run says little.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.csv as pcsv  # type: ignore[import-untyped,import-not-found,unused-ignore]

from safeguard_time.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]
CHECKS = (
    "initial_assessment=referral_date:initial_assessment_completed",
    "core_assessment=core_assessment_started:core_assessment_completed",
    "assessment=referral_date:assessment_completed",
    "initial_cp_conference=strategy_discussion:icpc_date",
)


def _generator() -> Any:
    from safeguard_time import example  # noqa: PLC0415

    return example


def reference(src: Path, out: Path) -> None:
    """pyarrow reads the file and writes it back: the floor for any scan."""
    table = pcsv.read_csv(src, parse_options=pcsv.ParseOptions(newlines_in_values=True))
    pcsv.write_csv(table, out)


def ours(src: Path, out: Path, errors: Path) -> None:
    """The README's main-job scan, in process (no report: that is one page at the end)."""
    argv = ["scan", str(src), "--as-of", "2025-03-31", "--output", str(out)]
    argv += ["--errors", str(errors), "--quiet"]
    for check in CHECKS:
        argv += ["--check", check]
    code = cli_main(argv)
    if code != 0:
        raise SystemExit(f"scan failed with exit status {code}")


def _best(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="20,000 rows, one repeat")
    args = parser.parse_args(argv)
    rows, repeats = (20_000, 1) if args.smoke else (args.rows, args.repeats)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "caseload.csv"
        make = _generator()
        start = time.perf_counter()
        make.write_csv(make.make_caseload(rows, seed=7, damage=0.02), src)
        size = os.path.getsize(src)
        print(
            f"caseload: {rows:,} rows, {size / 1e6:.0f} MB, 2% of rows damaged "
            f"(made in {time.perf_counter() - start:.1f} s)"
        )
        ref_times: list[float] = []
        our_times: list[float] = []
        for _ in range(repeats):
            ref_times.append(_best(lambda: reference(src, folder / "ref.csv")))
            our_times.append(
                _best(lambda: ours(src, folder / "scanned.csv", folder / "errors.csv"))
            )
        ref, us = min(ref_times), min(our_times)
        out_size = os.path.getsize(folder / "scanned.csv")
        rows_read = pa.csv.read_csv(
            folder / "scanned.csv", parse_options=pcsv.ParseOptions(newlines_in_values=True)
        ).num_rows
    print(f"pyarrow read + write:  {ref:7.3f} s")
    print(
        f"safeguard-time scan:   {us:7.3f} s  ({len(CHECKS)} checks; output {out_size / 1e6:.0f} MB, "
        f"{rows_read:,} rows)"
    )
    print(
        f"ratio: {us / ref:.2f}x (goal: at most 3x at 1e6 rows"
        + ("; a smoke run is too small to judge)" if args.smoke else ")")
    )
    pairs = sorted(o / r for o, r in zip(our_times, ref_times, strict=True))
    print(
        f"ratio per repeat: {', '.join(f'{x:.2f}' for x in pairs)} "
        f"(median {pairs[len(pairs) // 2]:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
