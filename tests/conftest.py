"""Shared fixtures: the official reference data lives beside the project, in ../shared/data."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path

import pytest

SHARED = Path(
    os.environ.get("SAFEGUARD_TIME_SHARED", Path(__file__).resolve().parents[2] / "shared")
)
DATA = SHARED / "data"


def _require(path: Path) -> Path:
    if not path.exists():
        # Fail, never skip: without the official list the calendar is unchecked.
        pytest.fail(
            f"reference data not found at {path}; put shared/ beside the checkout "
            "or set SAFEGUARD_TIME_SHARED"
        )
    return path


def official_2019_2028() -> dict[dt.date, str]:
    """GOV.UK england-and-wales events, verbatim download (right for 2019-2028)."""
    raw = json.loads(_require(DATA / "govuk-bank-holidays-2019-2028.json").read_text("utf-8"))
    return {
        dt.date.fromisoformat(e["date"]): e["title"] for e in raw["england-and-wales"]["events"]
    }


def official_source_2012_2021() -> dict[dt.date, str]:
    """GOV.UK's own source file (alphagov/calendars), dd/mm/yyyy dates, right for 2012-2021."""
    raw = json.loads(
        _require(DATA / "govuk-source-alphagov-calendars-2012-2021.json").read_text("utf-8")
    )
    out: dict[dt.date, str] = {}
    for year, events in raw["divisions"]["england-and-wales"].items():
        if not year.isdigit():
            continue
        for e in events:
            out[dt.datetime.strptime(e["date"], "%d/%m/%Y").date()] = e["title"]
    return out


def derived_1990_2011() -> dict[dt.date, str]:
    with _require(DATA / "ew-bank-holidays-1990-2011.derived.csv").open(encoding="utf-8") as fh:
        return {dt.date.fromisoformat(r["date"]): r["title"] for r in csv.DictReader(fh)}


def reference_holidays() -> dict[dt.date, str]:
    """The independent reference: official 2012-2028, derived 1990-2011."""
    ref = {d: n for d, n in derived_1990_2011().items() if d.year <= 2011}
    ref.update({d: n for d, n in official_source_2012_2021().items() if d.year <= 2018})
    ref.update(official_2019_2028())
    return ref


@pytest.fixture(scope="session")
def reference() -> dict[dt.date, str]:
    return reference_holidays()
