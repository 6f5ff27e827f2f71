"""Every path agrees: one case, bulk, the spreadsheet functions and the scan.

For drawn caseloads (text cells of every accepted and refused form, blanks, ends on weekends and
bank holidays after the due date, as-of dates before the start, both conventions, council
policies), each face must give the same due date, elapsed working days, status, working days
late and reason (code and words) as the one-case API, row by row.  The one-case API is the
reference: ``safeguard_time.assess`` given the cells' text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard_time import Convention, Policy, assess, bulk
from safeguard_time.cli import main
from safeguard_time.errors import (
    ProvisionalCalendarWarning,
    SafeguardTimeError,
    UnreadableColumnWarning,
)
from safeguard_time.excel import SGT_DUE, SGT_ERROR, SGT_LATE, SGT_STATUS

from .strategies import date_text_cells

# Timescales a scan can check (no phases), across the editions.
TIMESCALES = (
    "assessment",
    "initial_assessment",
    "core_assessment",
    "initial_cp_conference",
    "referral_decision",
    "first_cp_review",
    "lac_first_visit",
    "care_proceedings",
    "cspr_publication",
    "scr_completion",
)
FORMS = ("iso", "uk", "named", "serial", "utc", "uk_time")


def _cell(day: dt.date, form: str) -> str:
    if form == "iso":
        return day.isoformat()
    if form == "uk":
        return f"{day:%d/%m/%Y}"
    if form == "named":
        return f"{day.day} {day:%B %Y}"
    if form == "serial":
        return str((day - dt.date(1899, 12, 30)).days)
    if form == "utc":
        return f"{day.isoformat()}T09:15:00Z"
    return f"{day:%d/%m/%Y} 17:45"


@st.composite
def caseloads(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]], dt.date]:
    """A timescale, rows of (start cell, end cell), and an as-of date."""
    ts = draw(st.sampled_from(TIMESCALES))
    base = draw(st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2027, 6, 30)))
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        start = base + dt.timedelta(days=draw(st.integers(-900, 900)))
        kind = draw(st.sampled_from(["near", "near", "near", "far", "before", "blank", "text"]))
        end: str
        if kind == "blank":
            end = draw(st.sampled_from(["", " "]))
        elif kind == "text":
            end = draw(date_text_cells)
        else:
            # Ends around a typical due date (including weekends and holidays after it).
            offset = {
                "near": draw(st.integers(0, 75)),
                "far": draw(st.integers(76, 400)),
                "before": -draw(st.integers(1, 30)),
            }[kind]
            end = _cell(start + dt.timedelta(days=offset), draw(st.sampled_from(FORMS)))
        start_cell = draw(
            st.one_of(
                st.builds(_cell, st.just(start), st.sampled_from(FORMS)),
                st.sampled_from(["", "n/a", "31/02/2024", "03/25/2024"]),
                date_text_cells,
            )
        )
        rows.append((start_cell, end))
    as_of = base + dt.timedelta(days=draw(st.integers(-900, 1000)))
    return ts, rows, as_of


policies = st.one_of(
    st.none(),
    st.builds(
        lambda a, b, c: Policy(
            initial_assessment_10_day=a, single_assessment=b, safeguarding_partners=c, name="drawn"
        ),
        st.dates(dt.date(2009, 6, 1), dt.date(2011, 12, 31)),
        st.dates(dt.date(2012, 1, 1), dt.date(2016, 12, 31)),
        st.dates(dt.date(2018, 6, 29), dt.date(2019, 12, 31)),
    ),
)


def expected(
    ts: str, start: str, end: str, as_of: dt.date, conv: Convention, policy: Policy | None
) -> dict[str, Any]:
    """The one-case answer for a row: its values, or its error's code and words."""
    try:
        got = assess(ts, start, end, as_of=as_of, convention=conv, policy=policy)
    except SafeguardTimeError as exc:
        return {"status": "error", "code": exc.code, "reason": str(exc)}
    return {
        "status": got.status.value,
        "due": got.due,
        "elapsed": got.elapsed,
        "late": got.late,
        "rule": got.rule.id if got.rule else None,
    }


@settings(max_examples=150, deadline=None)
@given(caseloads(), st.sampled_from(list(Convention)), policies)
def test_bulk_and_one_case_agree(
    drawn: tuple[str, list[tuple[str, str]], dt.date], conv: Convention, policy: Policy | None
) -> None:
    ts, rows, as_of = drawn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        # A drawn column may hold no date at all: bulk says so once (one case cannot).
        warnings.simplefilter("ignore", UnreadableColumnWarning)
        want = [expected(ts, s, e, as_of, conv, policy) for s, e in rows]
        got = bulk.assess(
            ts,
            [s for s, _ in rows],
            [e for _, e in rows],
            as_of=as_of,
            convention=conv,
            policy=policy,
        )
    errors = {e.row: e for e in got.errors}
    for i, w in enumerate(want):
        assert got.status_names()[i] == w["status"], (i, rows[i], w)
        if w["status"] == "error":
            assert (errors[i].code, errors[i].reason) == (w["code"], w["reason"]), rows[i]
            continue
        assert i not in errors
        assert got.due.tolist()[i] == w["due"]
        assert got.elapsed.tolist()[i] == w["elapsed"]
        assert got.late.tolist()[i] == w["late"]
        assert got.rule_names()[i] == w["rule"]


@settings(max_examples=100, deadline=None)
@given(caseloads(), st.sampled_from(list(Convention)))
def test_spreadsheet_ranges_and_cells_agree(
    drawn: tuple[str, list[tuple[str, str]], dt.date], conv: Convention
) -> None:
    ts, rows, as_of = drawn
    starts = [[s if s.strip() else None] for s, _ in rows]
    ends = [[e if e.strip() else None] for _, e in rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        want = [expected(ts, s, e, as_of, conv, None) for s, e in rows]
        status = SGT_STATUS(ts, starts, ends, as_of, conv.value)
        reasons = SGT_ERROR("SGT_STATUS", ts, starts, ends, as_of, conv.value)
        late = SGT_LATE(ts, starts, ends, as_of, conv.value)
        due = SGT_DUE(ts, starts, conv.value)
        # One cell at a time gives what the range gives.
        for i in range(len(rows)):
            assert SGT_STATUS(ts, starts[i][0], ends[i][0], as_of, conv.value) == status[i][0]
    for i, w in enumerate(want):
        cell = status[i][0]
        if not rows[i][0].strip():
            # A spreadsheet convention: an empty start cell gives an empty result cell.
            assert cell == ""
            assert w["status"] in ("not_applicable", "error")
            continue
        if rows[i][0].strip().startswith("#"):
            # Another spreadsheet convention: an error value coming in goes out unchanged.
            assert cell == rows[i][0].strip()
            continue
        if w["status"] == "error":
            assert cell in ("#VALUE!", "#N/A", "#NUM!"), (rows[i], cell, w)
            assert reasons[i][0] == w["reason"], (rows[i], reasons[i][0], w)
            continue
        assert cell == w["status"], (rows[i], w)
        assert reasons[i][0] == ""
        assert late[i][0] == ("" if w["late"] is None else w["late"])
        if w["due"] is not None:
            assert due[i][0] == w["due"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(caseloads(), st.sampled_from(list(Convention)))
def test_the_scan_agrees(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    drawn: tuple[str, list[tuple[str, str]], dt.date],
    conv: Convention,
) -> None:
    ts, rows, as_of = drawn
    src, out, errs = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "errors.csv"
    # The errors file names physical lines: a quoted cell may hold line breaks.  Every cell
    # is quoted, so a carriage return inside one is a character, not a line end (a bare one
    # is the hardened scan's business, not this comparison's).
    lines, line = [], 2
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(["start", "end"])
        for row in rows:
            text = io.StringIO()
            csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(row)
            lines.append(line)
            line += text.getvalue().count("\n")
            writer.writerow(row)
    argv = ["scan", str(src), "--check", f"{ts}=start:end", "--as-of", as_of.isoformat()]
    argv += ["--convention", conv.value, "-o", str(out), "--errors", str(errs), "--quiet"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        assert main(argv) == 0, capsys.readouterr().err
        want = [expected(ts, s, e, as_of, conv, None) for s, e in rows]
    capsys.readouterr()
    with out.open(encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    with errs.open(encoding="utf-8", newline="") as fh:
        reported = list(csv.DictReader(fh))
    assert len(got) == len(rows)
    for i, (out_row, w) in enumerate(zip(got, want, strict=True)):
        assert out_row[f"{ts}_status"] == w["status"], (rows[i], w)
        if w["status"] == "error":
            reasons = [r["reason"] for r in reported if r["line"] == str(lines[i])]
            assert any(r.startswith(w["reason"]) for r in reasons), (rows[i], reasons, w)
            continue
        due = w["due"].isoformat() if w["due"] else ""
        assert out_row[f"{ts}_due"] == due
        assert out_row[f"{ts}_elapsed"] == ("" if w["elapsed"] is None else str(w["elapsed"]))
        assert out_row[f"{ts}_late"] == ("" if w["late"] is None else str(w["late"]))
        assert out_row[f"{ts}_rule"] == (w["rule"] or "")


def test_a_worked_row_through_every_face(tmp_path: Path) -> None:
    # Referral Thu 25 Jan 2024 written four ways; done on Easter Monday (1 Apr 2024): due Thu
    # 28 Mar, 45 working days elapsed, missed, 1 working day late.
    cells = ["2024-01-25", "25/01/2024", "25 January 2024", "45316"]
    one = assess("assessment", "2024-01-25", "01/04/2024")
    assert (one.due, one.elapsed, one.status.value, one.late) == (
        dt.date(2024, 3, 28),
        45,
        "missed",
        1,
    )
    col = bulk.assess("assessment", np.array(cells, dtype=object), ["2024-04-01"] * 4)
    assert col.status_names().tolist() == ["missed"] * 4
    assert col.late.tolist() == [1] * 4
    assert SGT_STATUS("assessment", [[c] for c in cells], "2024-04-01", None) == [["missed"]] * 4
