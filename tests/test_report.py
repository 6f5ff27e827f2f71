"""The HTML report: one self-contained page whose numbers are the summary's."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from safeguard_time import Convention
from safeguard_time.cli import main
from safeguard_time.io.report import render_report
from safeguard_time.io.scan import Check, CheckSummary, ScanOptions, ScanSummary, scan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "safeguard_time" / "_data" / "example_caseload.csv"
CHECKS = (
    Check("initial_assessment", "referral_date", "initial_assessment_completed"),
    Check("core_assessment", "core_assessment_started", "core_assessment_completed"),
    Check("assessment", "referral_date", "assessment_completed"),
    Check("initial_cp_conference", "strategy_discussion", "icpc_date"),
)


class _Cells(HTMLParser):
    """Collects the text of elements carrying data- attributes, with their context."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[dict[str, str]] = []
        self.context: dict[str, str] = {}
        self.found: list[tuple[dict[str, str], str]] = []
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        ctx = dict(self.stack[-1]) if self.stack else {}
        for key in ("data-check", "data-bin"):
            if key in a:
                ctx[key] = a[key]
        ctx.update({k: v for k, v in a.items() if k in {"data-key", "data-status", "data-column"}})
        if tag in {"br", "meta", "line", "rect"}:
            return
        self.stack.append(ctx)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "meta", "line", "rect"}:
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and data.strip():
            ctx = self.stack[-1]
            if any(k in ctx for k in ("data-key", "data-status", "data-column")):
                self.found.append((ctx, data.strip()))


def _parse(page: str) -> _Cells:
    cells = _Cells()
    cells.feed(page)
    return cells


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[ScanSummary, str]:
    folder = tmp_path_factory.mktemp("report")
    opts = ScanOptions(
        input=str(EXAMPLE),
        output=str(folder / "scanned.csv"),
        errors=str(folder / "errors.csv"),
        checks=CHECKS,
        as_of=dt.date(2025, 3, 31),
    )
    summary = scan(opts)
    return summary, render_report(summary)


def test_report_numbers_match_the_summary(scanned: tuple[ScanSummary, str]) -> None:
    summary, page = scanned
    cells = _parse(page)

    def value(**want: str) -> str:
        hits = [
            text
            for ctx, text in cells.found
            if all(ctx.get(f"data-{k.replace('_', '-')}") == v for k, v in want.items())
        ]
        assert len(hits) == 1, (want, hits)
        return hits[0]

    assert value(key="rows") == str(summary.rows) == "400"
    assert value(key="rows_with_errors") == str(summary.rows_with_errors)
    assert value(key="problems") == str(summary.problems)
    for cs in summary.checks:
        for status, count in cs.status_counts().items():
            assert value(check=cs.timescale, status=status) == str(count)
        pct = cs.on_time_percent()
        want = "-" if pct is None else f"{pct:.1f}%"
        assert value(check=cs.timescale, key="on_time") == want
        if cs.bins is not None:
            for label, count, _ in cs.bins.rows():
                assert value(check=cs.timescale, bin=label, key="count") == str(count)
            assert value(check=cs.timescale, key="total") == str(cs.bins.total)
            assert cs.bins.total == cs.completed
    for column, n in summary.errors_by_column.items():
        assert value(column=column) == str(n)
    assert sum(summary.errors_by_column.values()) == summary.problems


def test_report_is_self_contained(scanned: tuple[ScanSummary, str]) -> None:
    _, page = scanned
    cells = _parse(page)
    for tag, attrs in cells.tags:
        assert tag not in {"script", "link", "img", "iframe"}, tag
        for name in ("src", "href"):
            assert name not in attrs, (tag, attrs)
    assert "url(" not in page
    # A histogram and a by-month chart for each check with completed cases.
    assert page.count("<svg") == 2 * sum(1 for cs in scanned[0].checks if cs.completed) == 8
    assert page.count("<h2>") >= 5


def test_report_charts_show_the_statutory_lines(scanned: tuple[ScanSummary, str]) -> None:
    summary, page = scanned
    # Every edition meets in one file: 7 then 10 working days, 35, 45, and 15.
    for words in (
        "statutory: 7 working days (initial_assessment: fw2000)",
        "statutory: 10 working days (initial_assessment: wt2010)",
        "statutory: 35 working days (core_assessment: fw2000)",
        "statutory: 45 working days (assessment: wt2013, wt2015, wt2018, wt2023)",
        "statutory: 15 working days (initial_cp_conference: ",
    ):
        assert words in page
    # The histogram's bars add up to the completed cases.
    bars = re.findall(r"<title>(\d+)\+? working days: (\d+)</title>", page)
    assert sum(int(n) for _, n in bars) == sum(cs.completed for cs in summary.checks)
    # The by-month bars too.
    months = re.findall(r"<title>\d{4}-\d{2}: \d+% on time \((\d+) of (\d+)\)</title>", page)
    assert sum(int(total) for _, total in months) == sum(cs.completed for cs in summary.checks)
    assert sum(int(met) for met, _ in months) == sum(
        cs.status_counts()["met"] for cs in summary.checks
    )


def test_report_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.html"
    argv = ["scan", str(EXAMPLE), "--as-of", "2025-03-31", "-o", str(tmp_path / "o.csv")]
    for c in CHECKS:
        argv += ["--check", str(c)]
    assert main([*argv, "--report", str(report)]) == 0
    err = capsys.readouterr().err
    page = report.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    rows_with_errors = re.search(r"rows with errors: (\d+)", err)
    assert rows_with_errors is not None
    assert f'<td data-key="rows_with_errors">{rows_with_errors[1]}</td>' in page
    # An unwritable report is a usage error, reported without a traceback.
    code = main([*argv, "--report", str(tmp_path / "missing" / "r.html")])
    assert code == 2
    err = capsys.readouterr().err
    assert "missing/r.html: cannot write: no such folder" in err
    assert "Traceback" not in err
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "r.html").mkdir()  # a folder where the file should go
    code = main([*argv, "--report", str(tmp_path / "locked" / "r.html")])
    assert code == 2
    err = capsys.readouterr().err
    assert "locked/r.html: " in err
    assert "Traceback" not in err


def test_report_with_nothing_completed() -> None:
    summary = ScanSummary(
        input="empty.csv",
        output="out.csv",
        errors_path=None,
        as_of=None,
        convention=Convention.EVENT_DAY_ZERO,
        policy="statutory defaults",
        checks=[CheckSummary(Check("referral_decision", "referral"))],
    )
    page = render_report(summary)
    assert "No completed cases to chart." in page
    assert "as of not given" in page
    assert "<svg" not in page
