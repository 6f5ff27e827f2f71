"""The HTML report: one self-contained page whose numbers are the summary's."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import re
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path

import attrs
import numpy as np
import pytest

from safeguard_time import Convention, bulk
from safeguard_time.cli import main
from safeguard_time.io.report import render_report
from safeguard_time.io.scan import (
    HISTOGRAM_CAP,
    Check,
    CheckSummary,
    ScanOptions,
    ScanSummary,
    scan,
)
from tests.conftest import EXAMPLE, README_CHECKS

CHECKS = tuple(Check.parse(c) for c in README_CHECKS)


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
    for tag, attributes in cells.tags:
        assert tag not in {"script", "link", "img", "iframe"}, tag
        for name in ("src", "href"):
            assert name not in attributes, (tag, attributes)
    assert "url(" not in page
    # A histogram and a by-month chart for each check with completed cases.
    assert page.count("<svg") == 2 * sum(1 for cs in scanned[0].checks if cs.completed) == 8
    assert page.count("<h2>") >= 5


def _completed_rows(folder: Path, timescale: str) -> list[dict[str, str]]:
    """The scanned file's completed rows of one check, read back as text."""
    with (folder / "scanned.csv").open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r[f"{timescale}_status"] in {"met", "missed"}]


def test_the_duration_bins_are_those_of_every_completed_case(
    scanned: tuple[ScanSummary, str],
) -> None:
    """The bins come from the summary's histogram; here from each case's own days, re-read."""
    summary, _ = scanned
    folder = Path(summary.output).parent
    checked = 0
    for cs in summary.checks:
        if cs.bins is None:
            continue
        days = [int(r[f"{cs.timescale}_elapsed"]) for r in _completed_rows(folder, cs.timescale)]
        want = bulk.duration_bins(np.array(days), cs.timescale)
        assert cs.bins.counts.tolist() == want.counts.tolist(), cs.timescale
        assert cs.bins.total == want.total == cs.completed
        assert cs.bins.excluded == summary.rows - cs.completed
        checked += 1
    assert checked == 2  # the assessment and the initial conference


def test_bins_the_histogram_cannot_give_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The histogram's last bar is "HISTOGRAM_CAP days or more": it must be in one bin."""
    from safeguard_time.errors import RuleDataError  # noqa: PLC0415
    from safeguard_time.io import scan as scan_module  # noqa: PLC0415

    for scheme in bulk.bin_schemes():  # the shipped schemes fit
        scan_module._check_histogram_bins.__wrapped__(scheme)
    monkeypatch.setattr(scan_module, "HISTOGRAM_CAP", 50)  # the assessment's 61+ starts later
    with pytest.raises(RuleDataError, match="'assessment': its last bin starts after 50"):
        scan_module._check_histogram_bins.__wrapped__("assessment")


def test_each_case_is_coloured_by_its_own_rule(scanned: tuple[ScanSummary, str]) -> None:
    summary, page = scanned
    folder = Path(summary.output).parent
    for cs in summary.checks:
        # From the scanned file: completed cases by rule, status and working days.
        want: collections.Counter[tuple[str, str, int]] = collections.Counter()
        for r in _completed_rows(folder, cs.timescale):
            days = min(max(int(r[f"{cs.timescale}_elapsed"]), 0), HISTOGRAM_CAP)
            want[r[f"{cs.timescale}_rule"], r[f"{cs.timescale}_status"], days] += 1
        got = collections.Counter(
            {
                (cs.rule_ids[rule], ("met", "missed")[late], days): int(n)
                for (rule, late, days), n in np.ndenumerate(cs.rule_histogram)
                if n
            }
        )
        assert got == want, cs.timescale
        assert cs.rule_histogram.sum(axis=(0, 1)).tolist() == cs.histogram.tolist()
        # The edition table: each rule's completed cases, met and missed.
        section = page[page.index(f'<section id="check-{cs.timescale}"') :]
        section = section[: section.index("</section>")]
        for rule_id, met, missed in cs.by_rule():
            assert met == sum(n for (r, s, _), n in want.items() if r == rule_id and s == "met")
            assert missed == sum(
                n for (r, s, _), n in want.items() if r == rule_id and s == "missed"
            )
            row = re.search(
                rf'<tr data-rule="{re.escape(rule_id)}">.*?data-key="completed">(\d+)</td>'
                r'<td data-key="met">(\d+)</td><td data-key="missed">(\d+)</td>',
                section,
            )
            assert row is not None, rule_id
            assert row.groups() == (str(met + missed), str(met), str(missed))
        # The histogram's bars, by status, add up to the same cases.
        bars = collections.Counter[tuple[int, str]]()
        for days, n, status in re.findall(
            r"<title>(\d+)\+? working days: (\d+) (met|missed)</title>", section
        ):
            bars[int(days), status] += int(n)
        by_day = collections.Counter[tuple[int, str]]()
        for (_, status, days), n in want.items():
            by_day[days, status] += n
        assert bars == by_day, cs.timescale
    # Framework 2000's 7 days and Working Together 2010's 10 days in one chart: a case of 8
    # to 10 working days is missed under the first and met under the second, so those bars
    # are drawn in both colours, and each limit is drawn and named.
    ia = next(cs for cs in summary.checks if cs.timescale == "initial_assessment")
    fw2000, wt2010 = (
        ia.rule_ids.index("initial_assessment.fw2000"),
        ia.rule_ids.index("initial_assessment.wt2010"),
    )
    assert ia.rule_histogram[fw2000, 0, 8:11].sum() == 0  # no fw2000 case of 8-10 days met
    assert ia.rule_histogram[fw2000, 1, 8:11].sum() > 0
    assert ia.rule_histogram[wt2010, 0, 8:11].sum() > 0
    assert ia.rule_histogram[wt2010, 1, :11].sum() == 0  # no wt2010 case within 10 days missed
    assert 'data-limit="7">7 days</text>' in page
    assert 'data-limit="10">10 days</text>' in page
    for words in (
        "limit 7 working days: Framework for the Assessment of Children in Need and their "
        "Families (2000)",
        "limit 10 working days: Working Together to Safeguard Children (2010)",
        "limit 35 working days: Framework for the Assessment of Children in Need and their "
        "Families (2000)",
        "limit 45 working days: every edition in the table above (4)",
        "limit 15 working days: every edition in the table above (6)",
    ):
        assert words in page, words


def _end_date(text: str) -> dt.date:
    """A completion date as the example writes them (worked out here, not by the library)."""
    if text.isdigit():  # an Excel serial, 1900 system
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(text))
    if "/" in text:  # UK day first
        day, month, year = (int(p) for p in text.split("/"))
        return dt.date(year, month, day)
    if text.endswith("Z"):  # a UTC instant: the London date of it
        instant = dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.UTC)
        return instant.astimezone(zoneinfo.ZoneInfo("Europe/London")).date()
    return dt.date.fromisoformat(text[:10])


def _period(text: str, size: str) -> str:
    date = _end_date(text)
    return f"{date.year} Q{(date.month - 1) // 3 + 1}" if size == "quarter" else str(date.year)


def test_the_share_met_by_period_has_gaps_and_n(scanned: tuple[ScanSummary, str]) -> None:
    summary, page = scanned
    folder = Path(summary.output).parent
    ends = {cs.timescale: cs.check.end for cs in summary.checks}
    for timescale, size in (
        ("initial_assessment", "quarter"),  # 2008-01 to 2013-04: 65 months
        ("core_assessment", "quarter"),
        ("assessment", "year"),  # 2013-06 to 2025-02
        ("initial_cp_conference", "year"),
    ):
        section = page[page.index(f'<section id="check-{timescale}"') :]
        section = section[: section.index("</section>")]
        assert f"<h3>Met, by {size} of completion</h3>" in section
        # From the scanned file: completed cases and met by quarter or year of completion.
        want: dict[str, list[int]] = {}
        for r in _completed_rows(folder, timescale):
            end = r[ends[timescale] or ""]
            key = _period(end, size)
            counts = want.setdefault(key, [0, 0])
            counts[0] += r[f"{timescale}_status"] == "met"
            counts[1] += 1
        got = {
            label: [int(met), int(done)]
            for label, met, done in re.findall(
                r'<g data-period="([^"]+)" data-met="(\d+)" data-completed="(\d+)">', section
            )
        }
        assert got == want, timescale
        # Every period from the first to the last has its n printed under it; a period
        # with no completions has no bar (a gap) and a dash for n.
        if size == "quarter":
            first, last = min(want), max(want)
            periods = [
                f"{y} Q{q}"
                for y in range(int(first[:4]), int(last[:4]) + 1)
                for q in range(1, 5)
                if first <= f"{y} Q{q}" <= last
            ]
        else:
            periods = [str(y) for y in range(int(min(want)), int(max(want)) + 1)]
        n_row = re.findall(r'text-anchor="middle" class="small">([^<]+)</text>', section)
        assert n_row == [str(want[p][1]) if p in want else "&#8211;" for p in periods]
    # Getting better?  The latest twelve months of completions against the twelve before,
    # counted here from the scanned file: single assessments to February 2025.
    windows = {"now": [0, 0], "before": [0, 0]}
    for r in _completed_rows(folder, "assessment"):
        done_on = _end_date(r["assessment_completed"])
        key = (
            "now"
            if done_on >= dt.date(2024, 3, 1)
            else "before"
            if done_on >= dt.date(2023, 3, 1)
            else ""
        )
        if key:
            windows[key][0] += r["assessment_status"] == "met"
            windows[key][1] += 1
    (met, done), (met0, done0) = windows["now"], windows["before"]
    assert (
        f"Latest twelve months (Mar 2024 to Feb 2025): {met} of {done} met "
        f"({100 * met / done:.1f}%); the twelve before (Mar 2023 to Feb 2024): {met0} of "
        f"{done0} ({100 * met0 / done0:.1f}%)."
    ) in page
    core = page[page.index('<section id="check-core_assessment"') :]
    assert "&#8211;" in core[: core.index("</section>")]  # 2008 Q3: no completions


def test_names_are_plain_english_with_the_id_in_small_type(
    scanned: tuple[ScanSummary, str],
) -> None:
    _, page = scanned
    for title, ts in (
        ("Initial assessment", "initial_assessment"),
        ("Core assessment", "core_assessment"),
        ("Single assessment", "assessment"),
        ("Initial child protection conference", "initial_cp_conference"),
    ):
        assert f"<h2>{title} <small><code>{ts}</code></small></h2>" in page
    # The status columns: Status's words, with the label in small type where they differ.
    assert "<th>open and overdue<br><small><code>open_overdue</code></small></th>" in page
    assert "<th>not applicable<br><small><code>not_applicable</code></small></th>" in page
    assert "<th>met</th><th>missed</th>" in page
    assert "nan" not in page
    assert "errors.csv" in page.split("<footer>")[1]


def test_no_nan_and_a_footer_true_to_what_was_written() -> None:
    # An assessment check whose every row is open: duration bins with nothing in them.
    cs = CheckSummary(Check("assessment", "referral", "done"))
    ids = ("assessment.wt2023",)
    n = 3
    cs.add(
        np.full(n, 2, np.int8),  # open_in_time
        np.zeros(n, np.int32),
        np.full(n, np.iinfo(np.int64).min),
        np.zeros(n, np.int64),
        ids,
        np.zeros(n, bool),
    )
    assert cs.bins is not None and cs.bins.total == 0
    summary = ScanSummary(
        "in.csv", "out.csv", None, dt.date(2025, 3, 31), Convention.EVENT_DAY_ZERO, "defaults", [cs]
    )
    page = render_report(summary)
    assert "nan" not in page
    assert '<td data-key="total">0</td><td>-</td>' in page
    assert page.count("<td>-</td>") == len(cs.bins.labels) + 1
    assert "No completed cases." in page and "Still open: 3 open and in time." in page
    footer = page.split("<footer>")[1]
    assert "errors report" not in page and "listed in" not in footer
    assert "Read <code>in.csv</code>; results written to <code>out.csv</code>." in footer
    assert "Problems found (not listed)" in page
    # With an errors file, the footer names it and says how many problems it lists.
    summary = attrs.evolve(summary, errors_path="errs.csv", problems=5, problems_not_listed=2)
    footer = render_report(summary).split("<footer>")[1]
    assert "3 problems listed in <code>errs.csv</code> (2 more not listed)." in footer


def test_every_text_from_the_input_is_escaped() -> None:
    evil = '<script>alert("x")</script>'
    cs = CheckSummary(Check("initial_assessment", f"start{evil}", 'end"><img src=x>'))
    ids = ("initial_assessment.wt2010",)
    cs.add(
        np.array([0, 1], np.int8),
        np.array([3, 12], np.int32),
        np.array([15000, 15040]),
        np.array([0, 0]),
        ids,
        np.zeros(2, bool),
    )
    summary = ScanSummary(
        f"cases{evil}.csv",
        f"out{evil}.csv",
        f"errors{evil}.csv",
        None,
        Convention.EVENT_DAY_ZERO,
        f"policy {evil}",
        [cs],
        errors_by_column={f"col{evil}": 1},
        problems=1,
    )
    page = render_report(summary, title=f"Team {evil}")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # <title> and <h1>; the input in the header line and the footer; the output and the errors
    # file in the footer, the errors file again over the problems; the policy; the start
    # column; the problem column's name and its data- attribute.
    assert page.count("&lt;script&gt;") == 2 + 2 + 1 + 2 + 1 + 1 + 2
    # An unknown timescale (a returns measure, say) is shown by its id.
    other = CheckSummary(Check(f"measure{evil}", "a", "b"))
    page = render_report(attrs.evolve(summary, checks=[other]))
    assert "<script" not in page
    assert "<h2>measure&lt;script&gt;" in page


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


def test_a_short_span_is_charted_by_month_with_its_gaps() -> None:
    def day(text: str) -> int:
        return (dt.date.fromisoformat(text) - dt.date(1970, 1, 1)).days

    cs = CheckSummary(Check("initial_assessment", "referral", "done"))
    cs.add(
        np.array([0, 0, 1, 0], np.int8),  # met, met, missed, met
        np.array([3, 5, 130, 2], np.int32),
        np.array([day("2024-01-15"), day("2024-01-31"), day("2024-03-01"), day("2024-06-03")]),
        np.zeros(4, np.int64),
        ("initial_assessment.wt2010",),
        np.zeros(4, bool),
    )
    summary = ScanSummary("in.csv", "out.csv", None, None, Convention.EVENT_DAY_ZERO, "p", [cs])
    page = render_report(summary)
    assert "<h3>Met, by month of completion</h3>" in page
    bars = re.findall(r'<g data-period="([^"]+)" data-met="(\d+)" data-completed="(\d+)">', page)
    assert bars == [("2024-01", "2", "2"), ("2024-03", "0", "1"), ("2024-06", "1", "1")]
    # January to June: n under every month, a dash for the three with nothing completed.
    n_row = re.findall(r'text-anchor="middle" class="small">([^<]+)</text>', page)
    assert n_row == ["2", "&#8211;", "1", "&#8211;", "&#8211;", "1"]
    assert (
        "Latest twelve months (Jul 2023 to Jun 2024): 3 of 4 met (75.0%); the twelve before "
        "(Jul 2022 to Jun 2023): none completed."
    ) in page
    # The 130-day case shares the histogram's last bar, labelled "120+" on the axis.
    assert f"<title>{HISTOGRAM_CAP}+ working days: 1 missed</title>" in page
    assert f">{HISTOGRAM_CAP}+</text>" in page
