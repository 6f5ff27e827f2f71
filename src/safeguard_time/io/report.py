"""The HTML report of a caseload scan: one self-contained page (inline CSS and SVG, no assets).

For each timescale it answers how many cases were on time, how late the others were and
whether it is getting better: the counts by status, the rules that judged the cases (each
edition with its own limit), the DfE-style duration bins, a histogram of working days to
completion coloured by each case's own status, and the share met by period of completion.
Every number comes from the :class:`~safeguard_time.io.scan.ScanSummary` the stderr summary
prints; names and words come from the rule data (:func:`~safeguard_time.rules.rulebook`) and
:class:`~safeguard_time.Status`.  Every number a test or a reader may want to check carries a
``data-`` attribute naming it.

The page has no scripts and no links.  The charts are SVGs drawn in a ``viewBox``, so they
scale with the page; tables scroll inside their own box, so nothing overflows from 400 to
1600 pixels wide.
"""

from __future__ import annotations

import html
import math
import os
from typing import TYPE_CHECKING

import attrs

from safeguard_time._engine.codes import Status
from safeguard_time.io._replace import replacing
from safeguard_time.io.scan import HISTOGRAM_CAP, STATUS_LABELS, CheckSummary, ScanSummary
from safeguard_time.rules import Rule, rulebook

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["render_report", "write_report"]

_CSS = """
*, *::before, *::after { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24;
       max-width: 1180px; margin: 1.5rem auto; padding: 0 .75rem; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { margin: 2.4rem 0 .3rem; font-size: 1.25rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; color: #333; }
h2 small, th small, td small { font-weight: normal; color: #667; }
.meta { color: #555; margin-top: 0; }
.headline { font-size: 1.05rem; margin: .3rem 0 .6rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: .4rem 0 .8rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #dde1e6; text-align: right;
         vertical-align: top; overflow-wrap: normal; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #8c959f; font-weight: 600; }
td.nowrap { white-space: nowrap; }
td.err { color: #b42318; font-weight: 600; }
code { font-size: .9em; background: #f3f4f6; padding: 0 .25em; border-radius: 3px; }
.charts { display: grid; gap: 0 2rem;
          grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); }
figure { margin: .4rem 0 1rem; min-width: 0; }
figure svg { display: block; width: 100%; height: auto; max-width: 580px; }
svg text { font-family: system-ui, sans-serif; font-size: 13px; fill: #333; }
svg text.small { font-size: 11px; fill: #555; }
.legend { list-style: none; padding: 0; margin: .3rem 0 0; font-size: .88em; color: #333; }
.legend li { display: inline-block; margin: 0 1.1rem .2rem 0; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em;
          margin-right: .3em; border-radius: 2px; }
.dash { display: inline-block; width: 1.4em; vertical-align: .25em; margin-right: .3em;
        border-top: 2px dashed #b42318; }
.note { color: #555; font-size: .92em; }
footer { margin-top: 3rem; color: #666; font-size: .85em; border-top: 1px solid #dde1e6;
         padding-top: .6rem; }
"""

_MET = "#4472c4"
_LATE = "#e07b39"
_LINE = "#b42318"
_AXIS = "#8c959f"
_GRID = "#e6e9ed"
_HALO = "paint-order:stroke;stroke:#fff;stroke-width:3px;"  # keeps labels legible over bars

# The charts' drawing box (SVG units): the page scales it to its width.
_W = 460
_LEFT, _RIGHT = 52, 14
_PLOT_W = _W - _LEFT - _RIGHT
_CHAR = 7.0  # the width of one character of 13-unit text, roughly (for spacing labels)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _status_head(status: Status) -> str:
    words = _e(status.words)
    if status.words == status.label:
        return words
    return f"{words}<br><small><code>{_e(status.label)}</code></small>"


def _title(timescale: str) -> str:
    ts = rulebook().timescales.get(timescale)
    return ts.title if ts is not None else timescale


def _rules(cs: CheckSummary) -> dict[str, Rule]:
    ts = rulebook().timescales.get(cs.timescale)
    return {} if ts is None else {r.id: r for r in ts.rules}


def render_report(summary: ScanSummary, *, title: str | None = None) -> str:
    """The report as one HTML document.

    >>> from safeguard_time.io.scan import Check, CheckSummary, ScanSummary
    >>> from safeguard_time import Convention
    >>> s = ScanSummary("in.csv", "out.csv", None, None, Convention.EVENT_DAY_ZERO, "defaults",
    ...                 [CheckSummary(Check("assessment", "referral", "done"))], rows=3)
    >>> page = render_report(s)
    >>> page.startswith("<!DOCTYPE html>"), '<td data-key="rows">3</td>' in page
    (True, True)
    >>> "Single assessment" in page, "errors report" in page
    (True, False)
    """
    name = os.path.basename(summary.input)
    heading = title or f"Caseload scan: {name}"
    as_of = f"{summary.as_of.day} {summary.as_of:%B %Y}" if summary.as_of else "not given"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(heading)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(heading)}</h1>",
        f'<p class="meta">File <code>{_e(summary.input)}</code> &middot; as of {_e(as_of)} '
        f"&middot; counting convention <code>{_e(summary.convention.value)}</code> &middot; "
        f"policy: {_e(summary.policy)}</p>",
        "<h2>Summary</h2>",
        _summary_table(summary),
        _checks_table(summary.checks),
    ]
    for cs in summary.checks:
        parts.append(_check_section(cs))
    if summary.errors_by_column:
        parts.append("<h2>Problems by column</h2>")
        parts.append(_problems_table(summary))
    notes = []
    if any(cs.provisional for cs in summary.checks):
        notes.append(
            f"Some results depend on bank holidays after {summary.verified_through}, which are "
            "projections, not the verified list."
        )
    if summary.blank_lines:
        notes.append(
            f"{summary.blank_lines} lines holding only spaces were skipped; line numbers after "
            "such a line are one short for each."
        )
    for note in notes:
        parts.append(f'<p class="note">{_e(note)}</p>')
    parts.append(_footer(summary))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(path: str, summary: ScanSummary, *, title: str | None = None) -> None:
    """Write the report to ``path`` (replaced whole, never left half-written).

    ``title`` heads the page (default: the scan's own).  ``OSError`` names ``path`` when
    the file cannot be written.

    >>> import pathlib, tempfile
    >>> from safeguard_time.io.scan import ScanSummary
    >>> from safeguard_time import Convention
    >>> s = ScanSummary("in.csv", "out.csv", None, None, Convention.EVENT_DAY_ZERO, "defaults", [])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_report(str(pathlib.Path(d, "r.html")), s, title="Team A")
    ...     "<h1>Team A</h1>" in pathlib.Path(d, "r.html").read_text("utf-8")
    True
    """
    with replacing(path) as fh:
        fh.write(render_report(summary, title=title))


def _footer(summary: ScanSummary) -> str:
    from safeguard_time import __version__  # noqa: PLC0415

    files = f"Read <code>{_e(summary.input)}</code>; results written to <code>{_e(summary.output)}</code>"
    if summary.errors_path:
        listed = summary.problems - summary.problems_not_listed
        files += f"; {listed:,} {'problem' if listed == 1 else 'problems'} listed in <code>{_e(summary.errors_path)}</code>"
        if summary.problems_not_listed:
            files += f" ({summary.problems_not_listed:,} more not listed)"
    files += "."
    words = {s: f"<i>{_e(s.words)}</i>" for s in Status}
    return (
        f"<footer>{files} Statuses: {words[Status.MET]} and {words[Status.MISSED]} are "
        f"completed cases; {words[Status.OPEN_IN_TIME]} and {words[Status.OPEN_OVERDUE]} are "
        f"judged as of the date above; {words[Status.NOT_APPLICABLE]} rows have no event for "
        "the check (or the timescale was not in force on their start date); "
        f"{words[Status.ERROR]} rows could not be assessed. "
        f"Made by safeguard_time {_e(__version__)}.</footer>"
    )


def _summary_table(summary: ScanSummary) -> str:
    problems = (
        "Problems in the errors report" if summary.errors_path else "Problems found (not listed)"
    )
    rows = [
        ("Rows read", "rows", summary.rows),
        ("Rows with errors", "rows_with_errors", summary.rows_with_errors),
        (problems, "problems", summary.problems),
    ]
    body = "".join(
        f'<tr><th scope="row">{_e(label)}</th><td data-key="{key}">{value}</td></tr>'
        for label, key, value in rows
    )
    return f'<div class="scroll"><table id="summary">{body}</table></div>'


def _checks_table(checks: Iterable[CheckSummary]) -> str:
    head = "".join(f"<th>{_status_head(Status(label))}</th>" for label in STATUS_LABELS)
    rows = []
    for cs in checks:
        counts = cs.status_counts()
        cells = "".join(
            f'<td data-status="{label}"{" class=err" if label == "error" and n else ""}>{n}</td>'
            for label, n in counts.items()
        )
        end = cs.check.end or "-"
        rows.append(
            f'<tr data-check="{_e(cs.timescale)}"><td><b>{_e(_title(cs.timescale))}</b> '
            f"<small><code>{_e(cs.timescale)}</code></small><br>"
            f"<small><code>{_e(cs.check.start)}</code> &rarr; <code>{_e(end)}</code></small></td>"
            f'{cells}<td data-key="on_time">{_pct(cs.on_time_percent())}</td></tr>'
        )
    return (
        '<div class="scroll"><table id="checks"><thead><tr><th>Timescale</th>'
        f"{head}<th>on time<br><small>met of completed</small></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _check_section(cs: CheckSummary) -> str:
    ts = _e(cs.timescale)
    parts = [
        f'<section id="check-{ts}" data-check="{ts}">',
        f"<h2>{_e(_title(cs.timescale))} <small><code>{ts}</code></small></h2>",
        _headline(cs),
    ]
    if cs.completed:
        parts.append(_rules_table(cs))
    if cs.bins is not None:
        parts.append(f"<h3>{_e(cs.bins.title)}</h3>")
        parts.append(_bins_table(cs))
        parts.append(f'<p class="note">Bins: {_e(cs.bins.source)}.</p>')
    if cs.completed:
        parts.append('<div class="charts">')
        parts.append(_histogram(cs))
        parts.append(_by_period(cs))
        parts.append("</div>")
    else:
        parts.append('<p class="note">No completed cases to chart.</p>')
    parts.append("</section>")
    return "".join(parts)


def _headline(cs: CheckSummary) -> str:
    counts = cs.status_counts()
    met, missed = counts[Status.MET], counts[Status.MISSED]
    if cs.completed:
        done = (
            f'<b data-key="met">{met:,}</b> of <b data-key="completed">{cs.completed:,}</b> '
            f"completed {'case' if cs.completed == 1 else 'cases'} {Status.MET.words} the "
            f"timescale ({_pct(cs.on_time_percent())}); {missed:,} {Status.MISSED.words} it."
        )
    else:
        done = "No completed cases."
    open_ = [
        f"{counts[s]:,} {_e(s.words)}"
        for s in (Status.OPEN_IN_TIME, Status.OPEN_OVERDUE)
        if counts[s]
    ]
    if open_:
        done += f" Still open: {', '.join(open_)}."
    return f'<p class="headline">{done}</p>'


def _rules_table(cs: CheckSummary) -> str:
    rules = _rules(cs)
    rows = []
    for rule_id, met, missed in cs.by_rule():
        rule = rules.get(rule_id)
        edition = rule.edition.title if rule is not None else rule_id
        limit = rule.describe_length() if rule is not None else "-"
        done = met + missed
        rows.append(
            f'<tr data-rule="{_e(rule_id)}"><td>{_e(edition)}<br>'
            f'<small><code>{_e(rule_id)}</code></small></td><td class="nowrap">{_e(limit)}</td>'
            f'<td data-key="completed">{done}</td><td data-key="met">{met}</td>'
            f'<td data-key="missed">{missed}</td><td>{_pct(100.0 * met / done)}</td></tr>'
        )
    return (
        '<h3>Completed cases by the edition in force</h3><div class="scroll">'
        f'<table class="rules" data-check="{_e(cs.timescale)}"><thead><tr><th>edition</th>'
        f"<th>limit</th><th>completed</th><th>{_e(Status.MET.words)}</th>"
        f"<th>{_e(Status.MISSED.words)}</th><th>on time</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _bins_table(cs: CheckSummary) -> str:
    assert cs.bins is not None
    total = cs.bins.total

    def share(count: int) -> str:
        return f"{100.0 * count / total:.1f}%" if total else "-"

    rows = "".join(
        f'<tr data-bin="{_e(label)}"><td>{_e(label)}</td><td data-key="count">{count}</td>'
        f"<td>{share(count)}</td></tr>"
        for label, count, _ in cs.bins.rows()
    )
    return (
        f'<div class="scroll"><table class="bins" data-check="{_e(cs.timescale)}"><thead><tr>'
        "<th>working days</th><th>cases</th><th>percent</th></tr></thead>"
        f'<tbody>{rows}</tbody><tfoot><tr><th>total</th><td data-key="total">{total}</td>'
        f"<td>{'100.0%' if total else '-'}</td></tr></tfoot></table></div>"
    )


def _nice_step(span: float, most: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... giving at most ``most`` steps over ``span``."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if span / (step * m) <= most:
                return step * m
        step *= 10


def _legend(items: Iterable[str]) -> str:
    return '<ul class="legend">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _swatch(colour: str, words: str) -> str:
    return f'<span class="swatch" style="background:{colour}"></span>{words}'


def _y_axis(top: float, plot_h: float, ticks: list[tuple[float, str]], title: str) -> str:
    out = []
    for frac, label in ticks:
        y = top + plot_h * (1 - frac)
        out.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + _PLOT_W}" y2="{y:.1f}" '
            f'stroke="{_AXIS if frac == 0 else _GRID}"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    mid = top + plot_h / 2
    out.append(
        f'<text x="14" y="{mid:.1f}" text-anchor="middle" transform="rotate(-90 14 {mid:.1f})">'
        f"{_e(title)}</text>"
    )
    return "".join(out)


def _histogram(cs: CheckSummary) -> str:
    by_status = cs.rule_histogram.sum(axis=0)  # [met, missed] x working days
    met_days, late_days = by_status[0].tolist(), by_status[1].tolist()
    totals = [m + n for m, n in zip(met_days, late_days, strict=True)]
    lines = cs.statutory_lines()
    rules = _rules(cs)
    used = [i for i, c in enumerate(totals) if c]
    top = min(max([*used, *(amount + 5 for amount, _ in lines), 20]), HISTOGRAM_CAP)
    # The last bar holds every longer case when the chart stops before the cap.
    met_days = [*met_days[:top], sum(met_days[top:])]
    late_days = [*late_days[:top], sum(late_days[top:])]
    last_open = top == HISTOGRAM_CAP or any(totals[top + 1 :])
    peak = max(m + n for m, n in zip(met_days, late_days, strict=True))
    y_step = _nice_step(peak, 5)
    y_max = math.ceil(peak / y_step) * y_step
    label_rows = len(lines)
    up = 12 + 17 * label_rows
    plot_h = 170
    height = up + plot_h + 44
    step = _PLOT_W / (top + 1)
    base = up + plot_h
    out = [
        f'<figure><svg viewBox="0 0 {_W} {height}" role="img" '
        f'aria-label="Working days to completion, {_e(_title(cs.timescale))}">'
    ]
    out.append(
        _y_axis(
            up,
            plot_h,
            [(v / y_max, str(v)) for v in range(0, y_max + 1, y_step)],
            "completed cases",
        )
    )
    for i in range(top + 1):
        met, late = met_days[i], late_days[i]
        if not met + late:
            continue
        x = _LEFT + i * step
        label = f"{i}+" if i == top and last_open else str(i)
        y = base
        for count, colour, words in (
            (met, _MET, Status.MET.words),
            (late, _LATE, Status.MISSED.words),
        ):
            if not count:
                continue
            h = plot_h * count / y_max
            y -= h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.2f}" width="{max(step - 0.6, 0.8):.2f}" '
                f'height="{h:.2f}" fill="{colour}"><title>{label} working days: {count} '
                f"{words}</title></rect>"
            )
    x_step = _nice_step(top + 1, int(_PLOT_W / (_CHAR * 4 + 10)))
    for i in range(0, top + 1, x_step):
        label = f"{i}+" if i == top and last_open else str(i)
        x = _LEFT + (i + 0.5) * step
        anchor = "middle"
        if x + len(label) * _CHAR / 2 > _W - 2:  # the last label, kept inside the box
            x, anchor = _W - 2, "end"
        out.append(f'<text x="{x:.1f}" y="{base + 17}" text-anchor="{anchor}">{label}</text>')
    out.append(
        f'<text x="{_LEFT + _PLOT_W / 2:.0f}" y="{height - 6}" text-anchor="middle">'
        "working days from start to completion</text>"
    )
    legend = [_swatch(_MET, _e(Status.MET.words)), _swatch(_LATE, _e(Status.MISSED.words))]
    for k, (amount, rule_ids) in enumerate(lines):
        x = _LEFT + (amount + 1) * step
        out.append(
            f'<line x1="{x:.1f}" y1="{up - 4}" x2="{x:.1f}" y2="{base}" stroke="{_LINE}" '
            'stroke-width="2" stroke-dasharray="5 3"/>'
        )
        text = f"{amount} days"
        right = x + 4 + len(text) * _CHAR < _W
        out.append(
            f'<text x="{x + 4 if right else x - 4:.1f}" y="{12 + 17 * k + 4}" '
            f'text-anchor="{"start" if right else "end"}" style="{_HALO}fill:{_LINE}" '
            f'data-limit="{amount}">{text}</text>'
        )
        if len(lines) == 1 and len(rule_ids) > 1:
            editions = f"every edition in the table above ({len(rule_ids)})"
        else:
            editions = ", ".join(rules[r].edition.title if r in rules else r for r in rule_ids)
        legend.append(f'<span class="dash"></span>limit {amount} working days: {_e(editions)}')
    out.append("</svg>")
    return (
        f"<div><h3>Working days to completion</h3>{''.join(out)}"
        f"<figcaption>{_legend(legend)}</figcaption></figure></div>"
    )


@attrs.frozen
class _Period:
    """A stretch of completions charted as one bar: a month, a quarter or a year."""

    label: str  # "2024-03", "2024 Q1", "2024"
    tick: str  # what the axis may show under it ("" for none)
    rank: int  # which ticks win when they would collide: 0 (a year's start) first
    met: int
    missed: int


def _periods(cs: CheckSummary) -> tuple[str, list[_Period]]:
    """The completions by month, quarter or year (whichever gives at most 30 bars)."""
    months = cs.months()
    first_y, first_m = (int(p) for p in months[0][0].split("-"))
    last_y, last_m = (int(p) for p in months[-1][0].split("-"))
    span = (last_y - first_y) * 12 + last_m - first_m + 1
    size = 1 if span <= 30 else 3 if span <= 90 else 12
    kind = {1: "month", 3: "quarter", 12: "year"}[size]
    start = (first_y * 12 + first_m - 1) // size
    stop = (last_y * 12 + last_m - 1) // size
    met = [0] * (stop - start + 1)
    missed = [0] * (stop - start + 1)
    for label, m, n in months:
        y, mo = (int(p) for p in label.split("-"))
        i = (y * 12 + mo - 1) // size - start
        met[i] += m
        missed[i] += n
    out = []
    for i in range(stop - start + 1):
        first = (start + i) * size
        y, m0 = divmod(first, 12)
        label = (
            f"{y:04d}-{m0 + 1:02d}"
            if size == 1
            else f"{y:04d} Q{m0 // 3 + 1}"
            if size == 3
            else f"{y:04d}"
        )
        if m0 == 0 or i == 0:  # a year's start, or the first bar's year
            tick, rank = f"{y:04d}", 0 if m0 == 0 else 1
        elif size == 1 and m0 == 6:
            tick, rank = "Jul", 2
        else:
            tick, rank = "", 3
        out.append(_Period(label, tick, rank, met[i], missed[i]))
    return kind, out


def _by_period(cs: CheckSummary) -> str:
    if not cs.months():
        return '<p class="note">No completion dates to chart.</p>'
    kind, periods = _periods(cs)
    up, plot_h = 14, 150
    base = up + plot_h
    height = base + 72
    step = _PLOT_W / len(periods)
    out = [
        f'<figure><svg viewBox="0 0 {_W} {height}" role="img" '
        f'aria-label="Share met by {kind} of completion, {_e(_title(cs.timescale))}">'
    ]
    out.append(_y_axis(up, plot_h, [(v / 100, f"{v}%") for v in (0, 25, 50, 75, 100)], "met"))
    widest = max(len(str(p.met + p.missed)) for p in periods)
    show_n = step >= widest * 6.5 + 3  # n in 11-unit text, with a little space between
    out.append(f'<text x="{_LEFT - 6}" y="{base + 20}" text-anchor="end" class="small">n</text>')
    for i, p in enumerate(periods):
        x = _LEFT + i * step
        done = p.met + p.missed
        mid = x + step / 2
        if done:
            pct = 100.0 * p.met / done
            h_met = plot_h * p.met / done
            tip = f"{p.label}: {pct:.0f}% {Status.MET.words} ({p.met} of {done})"
            width = max(step - 1.2, 0.8)
            out.append(
                f'<g data-period="{p.label}" data-met="{p.met}" data-completed="{done}">'
                f"<title>{tip}</title>"
                f'<rect x="{x + 0.6:.1f}" y="{base - h_met:.2f}" width="{width:.2f}" '
                f'height="{h_met:.2f}" fill="{_MET}"/>'
                f'<rect x="{x + 0.6:.1f}" y="{up}" width="{width:.2f}" '
                f'height="{plot_h - h_met:.2f}" fill="{_LATE}" fill-opacity="0.35"/></g>'
            )
        if show_n:
            out.append(
                f'<text x="{mid:.1f}" y="{base + 20}" text-anchor="middle" class="small">'
                f"{done if done else '&#8211;'}</text>"
            )
    # Ticks by rank, each kept only when it clears those already kept: a label is at most
    # four characters ("2024", "Jul").
    tick_w = 4 * _CHAR + 8
    kept: list[float] = []
    for i, p in sorted(enumerate(periods), key=lambda ip: (ip[1].rank, ip[0])):
        x = _LEFT + i * step + (step / 2 if kind == "year" else 0)
        if not p.tick or any(abs(x - k) < tick_w for k in kept):
            continue
        kept.append(x)
        if kind == "year":  # the year under its own bar
            out.append(f'<text x="{x:.1f}" y="{base + 38}" text-anchor="middle">{p.tick}</text>')
            continue
        out.append(
            f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 26}" stroke="{_AXIS}"/>'
            f'<text x="{x + 3:.1f}" y="{base + 38}" text-anchor="start">{p.tick}</text>'
        )
    overall = cs.on_time_percent()
    if overall is not None:
        y_line = up + plot_h * (1 - overall / 100)
        out.append(
            f'<line x1="{_LEFT}" y1="{y_line:.1f}" x2="{_LEFT + _PLOT_W}" y2="{y_line:.1f}" '
            f'stroke="{_LINE}" stroke-width="2" stroke-dasharray="5 3"/>'
        )
    out.append(
        f'<text x="{_LEFT + _PLOT_W / 2:.0f}" y="{height - 6}" text-anchor="middle">'
        f"{kind} of completion</text>"
    )
    out.append("</svg>")
    legend = [
        _swatch(_MET, f"{_e(Status.MET.words)} (share of the {kind}'s completed cases)"),
        _swatch(f"{_LATE}5a", _e(Status.MISSED.words)),
        f'<span class="dash"></span>overall {_pct(overall)}',
        f"a gap: no completions that {kind}",
    ]
    if show_n:
        legend.append(f"n: completed cases in the {kind}")
    else:
        legend.append(f"completed cases per {kind}: in each bar's tooltip")
    return (
        f"<div><h3>Met, by {kind} of completion</h3>{''.join(out)}"
        f"<figcaption>{_legend(legend)}</figcaption></figure>{_trend(cs)}</div>"
    )


def _month_words(label: str) -> str:
    year, month = (int(p) for p in label.split("-"))
    return f"{_MONTH_NAMES[month - 1]} {year}"


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _trend(cs: CheckSummary) -> str:
    """The last twelve months of completions against the twelve before, in one sentence."""
    months = cs.months()
    index = {label: (int(label[:4]) * 12 + int(label[5:7]) - 1) for label, _, _ in months}
    last = index[months[-1][0]]
    windows = []
    for lo in (last - 11, last - 23):
        inside = [(m, n) for label, m, n in months if lo <= index[label] <= lo + 11]
        met, done = sum(m for m, _ in inside), sum(m + n for m, n in inside)
        y, m0 = divmod(lo, 12)
        first, end = f"{y:04d}-{m0 + 1:02d}", f"{(lo + 11) // 12:04d}-{(lo + 11) % 12 + 1:02d}"
        windows.append((f"{_month_words(first)} to {_month_words(end)}", met, done))
    (now, met, done), (before, met0, done0) = windows
    text = f"Latest twelve months ({now}): {met:,} of {done:,} {Status.MET.words}"
    text += f" ({_pct(100.0 * met / done)}); the twelve before ({before}): "
    text += f"{met0:,} of {done0:,} ({_pct(100.0 * met0 / done0)})" if done0 else "none completed"
    return f'<p class="note" data-key="trend">{text}.</p>'


def _problems_table(summary: ScanSummary) -> str:
    rows = "".join(
        f'<tr><td><code>{_e(col)}</code></td><td data-column="{_e(col)}">{n}</td></tr>'
        for col, n in sorted(summary.errors_by_column.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    where = f" (details in <code>{_e(summary.errors_path)}</code>)" if summary.errors_path else ""
    return (
        f'<p class="note">Problems per column{where}.</p>'
        f'<div class="scroll"><table id="problems"><thead><tr><th>column</th><th>problems</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )
