"""Importing the package is light and never touches the network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import socket, sys

def refuse(*args, **kwargs):
    raise AssertionError("network use during import")

socket.socket = refuse
socket.create_connection = refuse
import datetime
import safeguard_time
cal = safeguard_time.england_and_wales()
assert cal.add_working_days(datetime.date(2022, 9, 16), 1) == datetime.date(2022, 9, 20)
heavy = sorted(m for m in ("holidays", "pandas", "polars", "pyarrow", "xlwings", "dateutil",
                           "safeguard_time.rules") if m in sys.modules)
print(",".join(heavy))
"""


def test_import_is_offline_and_light() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    # The calendar needs none of these; the rules layer loads on first use.
    assert done.stdout.strip() == ""


def test_rules_layer_loads_on_first_use() -> None:
    code = (
        "import datetime, safeguard_time as s; "
        "print(s.deadline('assessment', datetime.date(2024, 3, 8)).due)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "2024-05-15"


def test_a_first_deadline_does_not_import_holidays() -> None:
    code = (
        "import datetime, sys, safeguard_time as s; "
        "s.deadline('assessment', datetime.date(2024, 3, 8)); print('holidays' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_csv_scan_imports_neither_pandas_nor_polars(tmp_path: Path) -> None:
    """pyarrow's own conversions import pandas when it is installed (0.2 s a run): the
    scan's path crosses to Arrow as buffers, so a CSV scan never loads either library."""
    code = (
        "import sys; from safeguard_time.cli import main; "
        "main(['example', 'cases.csv']); "
        "main(['scan', 'cases.csv', '--check', 'assessment=referral_date:assessment_completed',"
        " '--as-of', '2025-03-31', '--output', 'out.csv', '--errors', 'errors.csv',"
        " '--report', 'report.html', '--quiet']); "
        "print(sorted(m for m in ('pandas', 'polars') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out.csv").stat().st_size > 0
