"""What an installed copy needs: its version, the bundled example, a time zone database."""

from __future__ import annotations

import filecmp
import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

import safeguard_time
from safeguard_time import example
from safeguard_time.cli import main
from safeguard_time.io.scan import load_policy
from safeguard_time.rules import Policy


def test_the_three_versions_agree_with_the_package_metadata(
    capsys: pytest.CaptureFixture[str],
) -> None:
    meta = importlib.metadata.version("safeguard-time")
    assert safeguard_time.__version__ == meta
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"safeguard-time {meta}\n"
    done = subprocess.run(
        [sys.executable, "-m", "safeguard_time", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == f"safeguard-time {meta}\n"


def test_example_writes_the_bundled_caseload(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "caseload.csv"
    assert main(["example", str(out)]) == 0
    assert filecmp.cmp(out, example.bundled_caseload(), shallow=False)
    assert "400 rows" in capsys.readouterr().err


def test_the_bundled_caseload_is_what_the_generator_makes(tmp_path: Path) -> None:
    made = tmp_path / "made.csv"
    example.write_csv(example.make_caseload(example.BUNDLED_ROWS, example.BUNDLED_SEED), made)
    assert made.read_bytes() == example.bundled_caseload().read_bytes()


def test_example_makes_bigger_caseloads_on_demand(tmp_path: Path) -> None:
    out = tmp_path / "big.csv"
    assert main(["example", str(out), "--rows", "1200", "--seed", "7"]) == 0
    lines = out.read_text("utf-8").splitlines()
    assert lines[0].split(",") == list(example.COLUMNS)
    # 1,200 rows; a few notes hold line breaks inside quotes, so count records, not lines.
    import csv  # noqa: PLC0415

    with out.open(encoding="utf-8", newline="") as fh:
        assert sum(1 for _ in csv.reader(fh)) == 1201


def test_example_policy_template_loads_as_the_default_policy(tmp_path: Path) -> None:
    out = tmp_path / "policy.toml"
    assert main(["example", str(out)]) == 0
    assert load_policy(str(out)) == Policy()
    # Every setting a council can change is in the template.
    text = out.read_text("utf-8")
    for field in ("initial_assessment_10_day", "single_assessment", "safeguarding_partners"):
        assert f"\n{field} = " in text


def test_example_refuses_rows_for_the_policy_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["example", str(tmp_path / "p.toml"), "--rows", "5"]) == 2
    assert "--rows and --seed apply to the caseload" in capsys.readouterr().err


LONDON_WITHOUT_SYSTEM_TZ = """
import datetime as dt, zoneinfo
zoneinfo.reset_tzpath([])  # no system database: as on Windows and Pyodide
from safeguard_time import london_date
print(london_date(dt.datetime(2023, 6, 30, 23, 30, tzinfo=dt.timezone.utc)))
print(london_date(dt.datetime(2024, 1, 15, 23, 30, tzinfo=dt.timezone.utc)))
print(zoneinfo.TZPATH)
"""


def test_london_dates_without_the_system_time_zone_database() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LONDON_WITHOUT_SYSTEM_TZ],
        capture_output=True,
        text=True,
        check=True,
    )
    # 23:30 UTC in summer is 00:30 BST the next day; in winter it is the same day (GMT).
    assert done.stdout.splitlines() == ["2023-07-01", "2024-01-15", "()"]
