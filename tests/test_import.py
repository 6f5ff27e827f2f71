"""Importing the package is light and never touches the network."""

from __future__ import annotations

import subprocess
import sys

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
