"""The HTML report of a caseload scan: one self-contained page (inline CSS and SVG, no assets).

It shows the summary table, the DfE-style duration bins, a histogram of working days to
completion with the statutory line, and the on-time percentage by month of completion, all
from the same :class:`~safeguard_time.io.scan.ScanSummary` the stderr summary prints.  Every
number a test or a reader may want to check carries a ``data-`` attribute naming it.
"""

from __future__ import annotations

import html
import os
from typing import TYPE_CHECKING

from safeguard_time.io._replace import replacing
from safeguard_time.io.scan import HISTOGRAM_CAP, STATUS_LABELS, CheckSummary, ScanSummary

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["render_report", "write_report"]

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24;
       max-width: 980px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; font-size: 1.25rem; }
h3 { font-size: 1rem; margin: 1.4rem 0 .4rem; color: #444; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { padding: .25rem .7rem; border-bottom: 1px solid #dde1e6; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #8c959f; font-weight: 600; }
td.err { color: #b42318; font-weight: 600; }
code { font-size: .92em; background: #f3f4f6; padding: 0 .25em; border-radius: 3px; }
svg { display: block; margin: .3rem 0 1rem; }
svg text { font: 11px system-ui, sans-serif; fill: #444; }
.note { color: #555; font-size: .92em; }
footer { margin-top: 3rem; color: #777; font-size: .85em; }
"""

_BAR = "#4472c4"
_LATE = "#e07b39"
_LINE = "#b42318"
_HALO = "paint-order:stroke;stroke:#fff;stroke-width:3px;"  # keeps labels legible over bars


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def render_report(summary: ScanSummary, *, title: str | None = None) -> str:
    """The report as one HTML document.

    >>> from safeguard_time.io.scan import Check, CheckSummary, ScanSummary
    >>> from safeguard_time import Convention
    >>> s = ScanSummary("in.csv", "out.csv", None, None, Convention.EVENT_DAY_ZERO, "defaults",
    ...                 [CheckSummary(Check("assessment", "referral", "done"))], rows=3)
    >>> page = render_report(s)
    >>> page.startswith("<!DOCTYPE html>"), '<td data-key="rows">3</td>' in page
    (True, True)
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
    from safeguard_time import __version__  # noqa: PLC0415

    parts.append(
        f"<footer>Made by safeguard_time {_e(__version__)}. Statuses: met and missed are completed cases; "
        "open_in_time and open_overdue are judged as of the date above; not_applicable rows "
        "have no event for the check (or the timescale was not in force on their start "
        "date); error rows are listed in the errors report.</footer>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(path: str, summary: ScanSummary, *, title: str | None = None) -> None:
    """Write the report to ``path`` (replaced whole, never left half-written).

    ``title`` heads the page (default: the scan's own).  ``OSError`` names ``path`` when
    the file cannot be written.
    """
    with replacing(path) as fh:
        fh.write(render_report(summary, title=title))


def _summary_table(summary: ScanSummary) -> str:
    rows = [
        ("Rows read", "rows", summary.rows),
        ("Rows with errors", "rows_with_errors", summary.rows_with_errors),
        ("Problems in the errors report", "problems", summary.problems),
    ]
    body = "".join(
        f'<tr><th scope="row">{_e(label)}</th><td data-key="{key}">{value}</td></tr>'
        for label, key, value in rows
    )
    return f'<table id="summary">{body}</table>'


def _checks_table(checks: Iterable[CheckSummary]) -> str:
    head = "".join(f"<th>{_e(label)}</th>" for label in STATUS_LABELS)
    rows = []
    for cs in checks:
        counts = cs.status_counts()
        cells = "".join(
            f'<td data-status="{label}"{" class=err" if label == "error" and n else ""}>{n}</td>'
            for label, n in counts.items()
        )
        end = cs.check.end or "-"
        rows.append(
            f'<tr data-check="{_e(cs.timescale)}"><td><b>{_e(cs.timescale)}</b><br>'
            f"<small><code>{_e(cs.check.start)}</code> &rarr; <code>{_e(end)}</code></small></td>"
            f'{cells}<td data-key="on_time">{_pct(cs.on_time_percent())}</td></tr>'
        )
    return (
        '<table id="checks"><thead><tr><th>Check</th>'
        f"{head}<th>on time</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _check_section(cs: CheckSummary) -> str:
    parts = [f'<section id="check-{_e(cs.timescale)}">', f"<h2>{_e(cs.timescale)}</h2>"]
    if cs.bins is not None:
        parts.append(f"<h3>{_e(cs.bins.title)}</h3>")
        parts.append(_bins_table(cs))
        parts.append(f'<p class="note">Bins: {_e(cs.bins.source)}.</p>')
    if cs.completed:
        parts.append("<h3>Working days to completion</h3>")
        parts.append(_histogram(cs))
        parts.append("<h3>On time, by month of completion</h3>")
        parts.append(_by_month(cs))
    else:
        parts.append('<p class="note">No completed cases to chart.</p>')
    parts.append("</section>")
    return "".join(parts)


def _bins_table(cs: CheckSummary) -> str:
    assert cs.bins is not None
    rows = "".join(
        f'<tr data-bin="{_e(label)}"><td>{_e(label)}</td><td data-key="count">{count}</td>'
        f"<td>{pct:.1f}%</td></tr>"
        for label, count, pct in cs.bins.rows()
    )
    total = cs.bins.total
    return (
        f'<table class="bins" data-check="{_e(cs.timescale)}"><thead><tr><th>working days</th>'
        f"<th>cases</th><th>percent</th></tr></thead><tbody>{rows}</tbody>"
        f'<tfoot><tr><th>total</th><td data-key="total">{total}</td>'
        f"<td>{'100.0%' if total else '-'}</td></tr></tfoot></table>"
    )


def _histogram(cs: CheckSummary) -> str:
    counts = cs.histogram
    lines = cs.statutory_lines()
    used = [i for i, c in enumerate(counts.tolist()) if c]
    top = max([*used, *(amount + 5 for amount, _ in lines), 20])
    top = min(top, HISTOGRAM_CAP)
    width, height, left, bottom, right, up = 760, 250, 46, 34, 12, 16
    plot_w, plot_h = width - left - right, height - bottom - up
    step = plot_w / (top + 1)
    peak = max(int(counts.max()), 1)
    limit = max((amount for amount, _ in lines), default=None)
    out = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Histogram of working days to completion for {_e(cs.timescale)}">'
    ]
    out.append(_axes(left, up, plot_w, plot_h, peak))
    for i in range(top + 1):
        c = int(counts[i]) if i < top else int(counts[top:].sum())
        if not c:
            continue
        h = plot_h * c / peak
        x = left + i * step
        colour = _LATE if limit is not None and i > limit else _BAR
        label = f"{i}+" if i == top and top == HISTOGRAM_CAP else str(i)
        out.append(
            f'<rect x="{x:.1f}" y="{up + plot_h - h:.1f}" width="{max(step - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="{colour}"><title>{label} working days: {c}</title></rect>'
        )
    tick = 5 if top <= 60 else 10
    for i in range(0, top + 1, tick):
        label = f"{i}+" if i == top == HISTOGRAM_CAP else str(i)
        out.append(
            f'<text x="{left + (i + 0.5) * step:.1f}" y="{up + plot_h + 14}" '
            f'text-anchor="middle">{label}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" text-anchor="middle">'
        "working days from start to completion</text>"
    )
    for k, (amount, rule_ids) in enumerate(lines):
        editions = ", ".join(r.partition(".")[2] for r in rule_ids)
        x = left + (amount + 1) * step
        out.append(
            f'<line x1="{x:.1f}" y1="{up}" x2="{x:.1f}" y2="{up + plot_h}" stroke="{_LINE}" '
            'stroke-width="2" stroke-dasharray="5 3"/>'
        )
        # Labels right of the line, or left of it when the line is far right.
        right = x < left + plot_w * 0.6
        out.append(
            f'<text x="{x + 4 if right else x - 4:.1f}" y="{up + 12 + 13 * k}" '
            f'text-anchor="{"start" if right else "end"}" style="{_HALO}fill:{_LINE}">'
            f"statutory: {amount} working days ({_e(cs.timescale)}: {_e(editions)})</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _axes(left: int, up: int, plot_w: float, plot_h: float, peak: int) -> str:
    return (
        f'<line x1="{left}" y1="{up + plot_h}" x2="{left + plot_w}" y2="{up + plot_h}" '
        'stroke="#8c959f"/>'
        f'<line x1="{left}" y1="{up}" x2="{left}" y2="{up + plot_h}" stroke="#8c959f"/>'
        f'<text x="{left - 6}" y="{up + 4}" text-anchor="end">{peak}</text>'
        f'<text x="{left - 6}" y="{up + plot_h + 4}" text-anchor="end">0</text>'
    )


def _by_month(cs: CheckSummary) -> str:
    months = cs.months()
    if not months:
        return '<p class="note">No completion dates to chart.</p>'
    first_y, first_m = (int(p) for p in months[0][0].split("-"))
    last_y, last_m = (int(p) for p in months[-1][0].split("-"))
    span = (last_y - first_y) * 12 + last_m - first_m + 1
    width, height, left, bottom, right, up = 760, 220, 46, 30, 12, 12
    plot_w, plot_h = width - left - right, height - bottom - up
    step = plot_w / span
    out = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="On-time percentage by month for {_e(cs.timescale)}">'
    ]
    for grid in (0, 50, 100):
        y_grid = up + plot_h * (1 - grid / 100)
        out.append(
            f'<line x1="{left}" y1="{y_grid:.1f}" x2="{left + plot_w}" y2="{y_grid:.1f}" '
            f'stroke="{"#8c959f" if grid == 0 else "#dde1e6"}"/>'
            f'<text x="{left - 6}" y="{y_grid + 4:.1f}" text-anchor="end">{grid}%</text>'
        )
    for label, met, missed in months:
        y, m = (int(p) for p in label.split("-"))
        i = (y - first_y) * 12 + m - first_m
        pct = 100.0 * met / (met + missed)
        h = plot_h * pct / 100
        out.append(
            f'<rect x="{left + i * step:.1f}" y="{up + plot_h - h:.1f}" '
            f'width="{max(step - 0.5, 0.8):.1f}" height="{h:.1f}" fill="{_BAR}">'
            f"<title>{label}: {pct:.0f}% on time ({met} of {met + missed})</title></rect>"
        )
    years = range(first_y + (first_m > 1), last_y + 1)
    every = max(1, len(years) // 12 + (len(years) % 12 > 0))
    for y in list(years)[::every]:
        i = (y - first_y) * 12 + 1 - first_m
        out.append(
            f'<text x="{left + i * step:.1f}" y="{up + plot_h + 14}" text-anchor="middle">{y}</text>'
        )
    overall = cs.on_time_percent()
    if overall is not None:
        y_line = up + plot_h * (1 - overall / 100)
        out.append(
            f'<line x1="{left}" y1="{y_line:.1f}" x2="{left + plot_w}" y2="{y_line:.1f}" '
            f'stroke="{_LINE}" stroke-dasharray="5 3"/>'
            f'<text x="{left + plot_w - 4}" y="{y_line - 4:.1f}" text-anchor="end" '
            f'style="{_HALO}fill:{_LINE}">overall {overall:.1f}%</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _problems_table(summary: ScanSummary) -> str:
    rows = "".join(
        f'<tr><td><code>{_e(col)}</code></td><td data-column="{_e(col)}">{n}</td></tr>'
        for col, n in sorted(summary.errors_by_column.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    where = f" (details in <code>{_e(summary.errors_path)}</code>)" if summary.errors_path else ""
    return (
        f'<p class="note">Problems per column{where}.</p>'
        f'<table id="problems"><thead><tr><th>column</th><th>problems</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
