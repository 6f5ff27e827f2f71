"""Documentation generated from the rule data (so the docs cannot drift from it)."""

from __future__ import annotations

import datetime as _dt

from safeguard_time.rules import length_words, resolved_rules, rulebook

__all__ = ["render_rules_reference"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _day(day: _dt.date) -> str:
    """A date that the page never breaks across lines (the ``sgt-date`` class: no wrapping)."""
    return f"[{day.isoformat()}]{{.sgt-date}}"


def render_rules_reference() -> str:
    """The rules reference page (MyST markdown), from the rule data.

    Each timescale gets a narrow table (rule, days in force, length, status) and, under it,
    one line per rule with its citation, notes and caveats, so the page reads at a normal
    width; dates are marked so that they never wrap.

    >>> page = render_rules_reference()
    >>> "| `assessment.wt2013` | [2013-04-15]{.sgt-date} to" in page
    True
    >>> "| 45 working days | secondary |" in page
    True
    >>> "- **`safeguarding_partners`**: default [2018-06-29]{.sgt-date}" in page
    True
    """
    book = rulebook()
    lines = [
        "# Rules reference",
        "",
        "Generated from the rule data in `src/safeguard_time/_data/` at every docs build.",
        "Ranges are inclusive (*from* the first day *to* the last day the rule applies) and",
        "shown under the statutory defaults; a council policy can move the switch dates below.",
        "Source status: **confirmed** (read in the text itself), **secondary** (well attested,",
        "paragraph not read), **unconfirmed** (believed correct, not yet attested: results that",
        "rest on it say so, and the caveats below are what they say under the defaults).",
        "",
        "## Switch dates a council may override",
        "",
        "Each switch is a setting of a council's `Policy` (see {doc}`/policy`).",
        "",
    ]
    for sw in book.switches.values():
        facts = f"default {_day(sw.default)}"
        if sw.earliest:
            facts += f", earliest {_day(sw.earliest)}"
        if sw.not_after:
            facts += f", not after `{sw.not_after}`"
        facts += f"; source status: {sw.status}"
        lines.append(f"- **`{sw.name}`**: {facts}.")
        lines.append(f"  **{_cell(sw.title)}.** {_cell(sw.description)}")
        if sw.status_note:
            lines.append(f"  Status of the default: {_cell(sw.status_note)}.")
    lines += ["", "## Timescales", ""]
    for ts in book.timescales.values():
        lines += [
            f"### `{ts.id}`: {ts.title}",
            "",
            f"From **{ts.start_event}** (day 0) to **{ts.end_event}**.",
        ]
        if ts.note:
            lines.append(f"{ts.note}")
        lines += [
            "",
            "| rule | in force | length | status |",
            "|---|---|---|---|",
        ]
        sources = []
        for r in resolved_rules(ts.id):
            rule = r.rule
            last = f"{_day(r.last_day)}" if r.last_day else "now"
            length = length_words(rule.amount, rule.unit)
            if rule.extension:
                ext = length_words(rule.extension.amount, rule.extension.unit)
                times = (
                    "once"
                    if rule.extension.max_times == 1
                    else "repeatedly"
                    if rule.extension.max_times is None
                    else f"up to {rule.extension.max_times} times"
                )
                length += f" (extendable by {ext}, {times})"
            if rule.phase:
                length += f"; phase `{rule.phase}`"
            if r.rests_on:
                last += " (switch " + ", ".join(f"`{name}`" for name in r.rests_on) + ")"
            lines.append(f"| `{rule.id}` | {_day(r.start)} to {last} | {length} | {rule.status} |")
            cite = f"{rule.citation.document}, {rule.citation.location}"
            if rule.citation.url:
                cite = f"[{cite}]({rule.citation.url})"
            source = f"- `{rule.id}`: {_cell(cite)}."
            if rule.edition.title not in rule.citation.document:
                source += f" Edition: {_cell(rule.edition.title)}."
            if rule.note:
                source += f" {_cell(rule.note)}"
            if rule.caveats:
                said = "; ".join(c.rstrip(".") for c in rule.caveats)
                source += f" *Caveat under the statutory defaults:* {_cell(said)}."
            sources.append(source)
        lines += ["", "Sources:", "", *sources, ""]
    lines += [
        "## Editions",
        "",
        "| edition | in force from | status of that date | file |",
        "|---|---|---|---|",
    ]
    for ed in sorted(book.editions.values(), key=lambda e: e.in_force_from):
        title = f"[{_cell(ed.title)}]({ed.url})" if ed.url else _cell(ed.title)
        status = ed.start_status + (f": {_cell(ed.start_note)}" if ed.start_note else "")
        lines.append(f"| {title} | {_day(ed.in_force_from)} | {status} | `{ed.file}` |")
    lines.append("")
    return "\n".join(lines)
