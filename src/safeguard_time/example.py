"""The example caseload: a synthetic, seeded caseload with the mess real extracts have.

The package ships the 400-row example (``safeguard-time example caseload.csv`` writes it;
:func:`bundled_caseload` gives its path) and makes bigger ones on demand
(``safeguard-time example big.csv --rows 1000000 --seed 7``, or :func:`make_caseload` and
:func:`write_csv` from Python).  A policy template is bundled too
(``safeguard-time example policy.toml``; :func:`policy_template`).

One row per referral, 2008 to March 2025, so every edition of the guidance is met: referrals
before 15 April 2013 have an initial assessment (7 working days to 16 March 2010, then 10)
and, for some, a core assessment (35 working days from its start); later referrals have a
single assessment (45 working days).  About one referral in five has a strategy discussion,
most of those an initial child protection conference (15 working days).

Dates are written the ways case-management extracts write them: mostly ISO, some UK
day-first (``05/03/2024``, ``5/3/2024``), some naive datetimes, a few UTC timestamps
(``2023-06-30T23:30:00Z`` is 1 July in London) and Excel serial numbers.  A share of rows
(``damage``, 8% by default) is damaged on purpose, each kind at least once: blanks, ``n/a``,
``unknown``, impossible dates (``31/02/2024``), month-first dates (``03/25/2024``), two-digit
years, an end before its start.  The ``team`` and ``notes`` columns hold text a spreadsheet
would run as a formula (``=HYPERLINK(...)``, ``@SUM``, ``+44 ...``) and notes with commas,
quotes and line breaks.

Everything comes from one ``numpy.random.Generator`` seeded by ``seed``: the same seed gives
the same file, byte for byte, and the defaults give the bundled file.

>>> cols = make_caseload(50, seed=1)
>>> len(cols["case_id"]), list(cols)[:4]
(50, ['case_id', 'child_id', 'team', 'referral_date'])
"""

from __future__ import annotations

import csv
import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from safeguard_time import bulk
from safeguard_time._dates import date_to_serial
from safeguard_time._holiday_data import DATA_DIR

__all__ = [
    "BUNDLED_ROWS",
    "BUNDLED_SEED",
    "COLUMNS",
    "bundled_caseload",
    "make_caseload",
    "policy_template",
    "write_csv",
]

#: The bundled example is ``make_caseload(BUNDLED_ROWS, BUNDLED_SEED)``.
BUNDLED_ROWS = 400
BUNDLED_SEED = 2025

#: The columns of the example caseload, in order.
COLUMNS = (
    "case_id",
    "child_id",
    "team",
    "referral_date",
    "decision_date",
    "initial_assessment_completed",
    "core_assessment_started",
    "core_assessment_completed",
    "assessment_completed",
    "strategy_discussion",
    "icpc_date",
    "notes",
)

TEAMS = (
    "Duty and Assessment North",
    "Duty and Assessment South",
    "Child in Need East",
    "Child Protection West",
    "Front Door (MASH)",
)
# Text a spreadsheet would run: the output must neutralise these.
RISKY_TEAMS = (
    '=HYPERLINK("https://example.invalid/x","open")',
    "@SUM(1+1)",
    "+44 20 7946 0000",
    "-",
)
NOTES = (
    "",
    "",
    "",
    "Referral from school, concerns about neglect",
    'Police notification; "DV incident" at home',
    "Re-referral within 12 months",
    "Health visitor, baby not brought to appointments",
    "Transferred from another authority\nfile requested",
)

FIRST = np.datetime64("2008-01-02", "D")
LAST = np.datetime64("2025-03-28", "D")
SINGLE = np.datetime64("2013-04-15", "D")
AS_OF = np.datetime64("2025-03-31", "D")

Text = np.ndarray[Any, np.dtype[np.object_]]
Days = np.ndarray[Any, np.dtype[np.datetime64]]


def _add(days: Days, n: np.ndarray[Any, np.dtype[np.int64]]) -> Days:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bulk.add_working_days(days, n)


def _formats(days: Days, rng: np.random.Generator) -> Text:
    """Dates written the mixed ways real extracts write them (blank for NaT).

    Each distinct day is formatted once and looked up, so a million rows take a second.
    """
    n = len(days)
    uniq, inverse = np.unique(days.astype("datetime64[D]").astype(np.int64), return_inverse=True)
    epoch = dt.date(1970, 1, 1)
    table = np.empty((5, len(uniq)), dtype=object)
    for j, d in enumerate(uniq.tolist()):
        if d == np.iinfo(np.int64).min:
            table[:, j] = ""
            continue
        day = epoch + dt.timedelta(days=d)
        table[0, j] = day.isoformat()
        table[1, j] = f"{day:%d/%m/%Y}"
        table[2, j] = f"{day.day}/{day.month}/{day.year}"
        table[3, j] = str(date_to_serial(day))
        table[4, j] = day.isoformat()
    form = rng.choice(6, size=n, p=[0.62, 0.18, 0.06, 0.08, 0.04, 0.02])
    # form: 0 ISO, 1 UK, 2 short UK, 3 naive datetime, 4 UTC timestamp, 5 Excel serial
    pick = np.array([0, 1, 2, 0, 4, 3])[form]
    out: Text = table[pick, inverse]
    good = ~np.isnat(days)
    clocks = np.array([f" {h:02d}:{m:02d}:00" for h in range(8, 18) for m in range(60)], object)
    naive = good & (form == 3)
    out[naive] = out[naive] + clocks[rng.integers(0, len(clocks), size=int(naive.sum()))]
    utc = good & (form == 4)
    zulu = np.array(["T09:15:00Z", "T13:45:00Z"], dtype=object)
    out[utc] = out[utc] + zulu[rng.integers(0, 2, size=int(utc.sum()))]
    return out


def make_caseload(rows: int, seed: int = BUNDLED_SEED, *, damage: float = 0.08) -> dict[str, Text]:
    """The caseload as columns of text, one entry per row (see the module docstring).

    >>> make_caseload(30, seed=3)["case_id"][:2].tolist()
    ['R0000001', 'R0000002']
    """
    rng = np.random.default_rng(seed)
    nat = np.datetime64("NaT", "D")
    span = int((LAST - FIRST).astype(np.int64))
    referral = FIRST + rng.integers(0, span + 1, size=rows).astype("timedelta64[D]")
    # Most referrals arrive on a working day; roll most weekend ones to Monday.
    weekday = (referral.astype(np.int64) + 3) % 7
    weekend = weekday >= 5
    keep = rng.random(rows) < 0.1
    referral = np.where(weekend & ~keep, referral + (7 - weekday).astype("m8[D]"), referral)
    referral = referral.astype("datetime64[D]")

    decision = _add(referral, rng.choice(3, size=rows, p=[0.55, 0.35, 0.10]).astype(np.int64))
    old = referral < SINGLE
    ia = np.where(old, _add(referral, rng.integers(1, 15, size=rows)), nat)
    core = old & (rng.random(rows) < 0.5)
    core_start = np.where(core, _add(ia, rng.integers(0, 3, size=rows)), nat)
    core_done = np.where(core, _add(core_start, rng.integers(15, 55, size=rows)), nat)
    single = np.where(~old, _add(referral, rng.integers(2, 75, size=rows)), nat)
    # Recent cases are often still open at the end of March 2025; a few old ones too.
    recent = referral > AS_OF - np.timedelta64(110, "D")
    open_ = (recent & (rng.random(rows) < 0.6)) | (rng.random(rows) < 0.01)
    single = np.where(open_ | (single > AS_OF), nat, single)
    ia = np.where(open_ | (ia > AS_OF), nat, ia)
    core_done = np.where(open_ | (core_done > AS_OF), nat, core_done)

    s47 = rng.random(rows) < 0.2
    strategy = np.where(s47, _add(referral, rng.integers(0, 6, size=rows)), nat)
    icpc = s47 & (rng.random(rows) < 0.8)
    icpc_day = np.where(icpc, _add(strategy, rng.integers(5, 24, size=rows)), nat)
    icpc_day = np.where(open_ | (icpc_day > AS_OF), nat, icpc_day)

    team = np.array(TEAMS, dtype=object)[rng.integers(0, len(TEAMS), size=rows)]
    notes = np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), size=rows)]
    cols: dict[str, Text] = {
        "case_id": np.array([f"R{i:07d}" for i in range(1, rows + 1)], dtype=object),
        "child_id": np.array(
            [f"C{c:06d}" for c in rng.integers(1, max(rows // 2, 2), size=rows)], dtype=object
        ),
        "team": team,
        "referral_date": _formats(referral, rng),
        "decision_date": _formats(decision, rng),
        "initial_assessment_completed": _formats(ia, rng),
        "core_assessment_started": _formats(core_start, rng),
        "core_assessment_completed": _formats(core_done, rng),
        "assessment_completed": _formats(single, rng),
        "strategy_discussion": _formats(strategy, rng),
        "icpc_date": _formats(icpc_day, rng),
        "notes": notes,
    }
    # One referral on Friday 30 June 2023 with its decision logged at 23:30 UTC: Saturday 1
    # July in London, so the decision counts from the next working day.
    if rows > 10:
        cols["referral_date"][10] = "2023-06-30"
        cols["decision_date"][10] = "2023-06-30T23:30:00Z"
        for name in COLUMNS[5:11]:
            cols[name][10] = ""
        cols["assessment_completed"][10] = "2023-08-25"
    if damage > 0:
        _damage(cols, rng, rows, damage)
    return cols


def _damage(cols: dict[str, Text], rng: np.random.Generator, rows: int, share: float) -> None:
    """Break ``share`` of the rows on purpose; every kind at least once if there is room."""
    kinds: list[tuple[str, str]] = [
        ("referral_date", ""),  # a blank start
        ("assessment_completed", "n/a"),
        ("assessment_completed", "31/02/2024"),
        ("icpc_date", "03/25/2024"),
        ("referral_date", "05/03/24"),
        ("initial_assessment_completed", "unknown"),
        ("decision_date", "TBC"),
        ("assessment_completed", "2013-04-01"),  # before any 2013+ referral: end before start
        ("team", ""),  # harmless: a blank text cell
    ]
    n_bad = max(len(kinds), int(rows * share))
    where = rng.choice(
        np.arange(20, max(rows, 21)), size=min(n_bad, max(rows - 20, 0)), replace=False
    )
    for i, row in enumerate(where):
        column, value = kinds[i % len(kinds)]
        cols[column][row] = value
    if rows > 40:
        for k, risky in enumerate(RISKY_TEAMS):
            cols["team"][30 + k] = risky


def write_csv(cols: dict[str, Text], path: Path | str) -> None:
    """Write the columns as a UTF-8 CSV with a header line.

    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> write_csv(make_caseload(12, seed=1), out)
    >>> out.read_text("utf-8").splitlines()[0]
    'case_id,child_id,team,referral_date,decision_date,initial_assessment_completed,core_assessment_started,core_assessment_completed,assessment_completed,strategy_discussion,icpc_date,notes'
    """
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        w.writerows(zip(*cols.values(), strict=True))


def bundled_caseload() -> Path:
    """The path of the bundled 400-row example caseload (inside the installed package).

    >>> bundled_caseload().name
    'example_caseload.csv'
    """
    return Path(DATA_DIR) / "example_caseload.csv"


def policy_template() -> Path:
    """The path of the bundled council policy template (TOML, every setting at its default).

    >>> print(policy_template().read_text("utf-8").splitlines()[0])
    # safeguard_time council policy
    """
    return Path(DATA_DIR) / "policy_template.toml"
