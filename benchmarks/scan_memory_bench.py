"""Peak memory of a whole-caseload scan: it streams, so memory does not grow with the file.

    python benchmarks/scan_memory_bench.py             # 1e7 rows (about 1.2 GB of CSV)
    python benchmarks/scan_memory_bench.py --smoke     # 100,000 rows; checks the script works
    python benchmarks/scan_memory_bench.py --rows 3000000

The caseload is the example generator's (``safeguard_time.example``, seeded, dates in mixed
forms, a share of cells damaged on purpose): one million rows are generated and repeated to
the size asked for.  The scan is the README's main job (four checks, errors file, HTML
report), run as a separate process; its peak resident set size is read from the kernel
(``getrusage`` of the finished child; this process stays small, since Linux
children inherit their parent's peak).  Beside it, as the floor, the peak of a process that
only imports what the scan imports (Python, numpy, pyarrow, the package).

Goal (issue: hardened scan): peak under 512 MB for 1e7 rows.  This is printed, never asserted
in tests; the figure depends little on the machine, since it is set by the block size and
the number of blocks in flight (reader, engine and writer each hold a few).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKS = (
    "initial_assessment=referral_date:initial_assessment_completed",
    "core_assessment=core_assessment_started:core_assessment_completed",
    "assessment=referral_date:assessment_completed",
    "initial_cp_conference=strategy_discussion:icpc_date",
)
GOAL_MB = 512
CHUNK = 1_000_000


def _body(rows: int, path: Path) -> tuple[bytes, bytes]:
    """The header line and the data lines of ``rows`` example rows."""
    from safeguard_time import example  # noqa: PLC0415

    example.write_csv(example.make_caseload(rows, seed=7), path)
    data = path.read_bytes()
    path.unlink()
    header_end = data.index(b"\n") + 1
    return data[:header_end], data[header_end:]


def make_file(rows: int, path: Path) -> None:
    """``rows`` rows of the example caseload: one chunk generated, then repeated."""
    scratch = path.with_suffix(".chunk.csv")
    header, body = _body(min(rows, CHUNK), scratch)
    with path.open("wb") as out:
        out.write(header)
        for _ in range(rows // CHUNK if rows >= CHUNK else 1):
            out.write(body)
        if rows > CHUNK and rows % CHUNK:
            out.write(_body(rows % CHUNK, scratch)[1])


def peak_of(argv: list[str]) -> tuple[float, float]:
    """Run ``argv``; its peak resident set size in MB and its wall time in seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{argv[3:5]} failed with exit {proc.returncode}:\n{err}")
    # Linux reports ru_maxrss in kilobytes.
    return usage.ru_maxrss / 1024, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--smoke", action="store_true", help="100,000 rows")
    args = parser.parse_args(argv)
    rows = 100_000 if args.smoke else args.rows
    if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss == 0:
        print("this system does not report peak memory (ru_maxrss)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "caseload.csv")
        # Made by a child process: on Linux a process's peak memory is inherited by the
        # children it starts (and kept across exec), so this one must stay small.
        code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        code += f"import scan_memory_bench as b; b.make_file({rows}, b.Path({str(src)!r}))"
        subprocess.run([sys.executable, "-c", code], check=True)
        size_mb = src.stat().st_size / 1e6
        py = sys.executable
        floor, _ = peak_of(
            [py, "-c", "import numpy, pyarrow.csv, safeguard_time.io.scan, safeguard_time.cli"]
        )
        scan = [py, "-m", "safeguard_time", "scan", str(src), "--as-of", "2025-03-31"]
        for check in CHECKS:
            scan += ["--check", check]
        scan += ["-o", str(Path(tmp, "out.csv")), "--errors", str(Path(tmp, "errors.csv"))]
        scan += ["--report", str(Path(tmp, "report.html")), "--quiet"]
        peak, seconds = peak_of(scan)
        out_mb = Path(tmp, "out.csv").stat().st_size / 1e6
        errors_mb = Path(tmp, "errors.csv").stat().st_size / 1e6
    print(
        f"rows: {rows:,}; input {size_mb:,.0f} MB; output {out_mb:,.0f} MB; errors {errors_mb:,.0f} MB"
    )
    print(f"imports alone: peak {floor:,.0f} MB")
    print(f"scan, four checks, errors file and report: peak {peak:,.0f} MB in {seconds:,.1f} s")
    print(f"goal: under {GOAL_MB} MB ({'met' if peak < GOAL_MB else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
