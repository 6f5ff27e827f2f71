"""Shared fixtures and the ``external`` marker.

The official reference lists live in ``tests/data`` (see its README for their provenance).

Tests that need a program outside Python (LibreOffice; Java, for Spark; Chromium, for the
HTML report in a browser) carry
``@pytest.mark.external``, and so do the examples in ``safeguard_time/spark.py``.
A plain ``python -m pytest`` deselects them and says how many it left out; select them with
``python -m pytest -m external`` (``.ci/run`` does, after installing the programs).  Selected
and without their program, they fail with the install command: they never skip.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import settings

DATA = Path(__file__).resolve().parent / "data"

#: The bundled example caseload, and the README's main job over it: its four checks, as
#: ``--check`` values (``TIMESCALE=START:END``).
EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "safeguard_time"
    / "_data"
    / "example_caseload.csv"
)
README_CHECKS = (
    "initial_assessment=referral_date:initial_assessment_completed",
    "core_assessment=core_assessment_started:core_assessment_completed",
    "assessment=referral_date:assessment_completed",
    "initial_cp_conference=strategy_discussion:icpc_date",
)
#: The same checks as command-line words: ``--check A --check B ...``.
README_CHECK_ARGS = [word for check in README_CHECKS for word in ("--check", check)]

# No time limits on single examples: a drawn council policy builds a fresh rule plan (tens of
# milliseconds, more on a loaded machine or old dependency versions), and speed is measured
# in benchmarks/, never in the tests.
settings.register_profile("safeguard_time", deadline=None)
settings.load_profile("safeguard_time")

_EXTERNAL_DESELECTED = pytest.StashKey[int]()


#: Modules whose doctests need a program outside Python (Spark needs Java and pyspark).
_EXTERNAL_MODULES = ("safeguard_time/spark.py",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the external-program tests unless a ``-m`` expression was given."""
    for item in items:
        if item.path.as_posix().endswith(_EXTERNAL_MODULES):
            item.add_marker(pytest.mark.external)
    if config.option.markexpr:
        return  # the caller chose (for example ``-m external`` or ``-m "external or not external"``)
    external = [item for item in items if item.get_closest_marker("external") is not None]
    if external:
        config.hook.pytest_deselected(items=external)
        items[:] = [item for item in items if item.get_closest_marker("external") is None]
    config.stash[_EXTERNAL_DESELECTED] = len(external)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many external-program tests were left out, and how to run them."""
    count = terminalreporter.config.stash.get(_EXTERNAL_DESELECTED, 0)
    if count:
        terminalreporter.write_line(
            f"{count} test(s) that need programs outside Python (LibreOffice, Java, "
            "Chromium) were deselected; "
            'run them with: python -m pytest -m external (or -m "external or not external" '
            "for everything)"
        )


def _require(path: Path) -> Path:
    if not path.exists():
        # Fail, never skip: without the official list the calendar is unchecked.
        pytest.fail(f"reference data not found at {path}; tests/data is part of the checkout")
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
