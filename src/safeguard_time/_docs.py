"""Documentation generated from the rule data (so the docs cannot drift from it)."""

from __future__ import annotations

from safeguard_time.rules import length_words, resolved_rules, rulebook

__all__ = ["render_rules_reference"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_rules_reference() -> str:
    """The rules reference page (MyST markdown), from the rule data.

    >>> page = render_rules_reference()
    >>> "assessment.wt2013" in page and "| 45 working days |" in page
    True
    >>> "| `safeguarding_partners` | 2018-06-29 | 2018-06-29 | secondary |" in page
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
        "| switch | default | earliest | status | what it is |",
        "|---|---|---|---|---|",
    ]
    for sw in book.switches.values():
        earliest = sw.earliest.isoformat() if sw.earliest else "-"
        what = f"{_cell(sw.title)}: {_cell(sw.description)}"
        if sw.not_after:
            what += f" Not after `{sw.not_after}`."
        if sw.status_note:
            what += f" Status of the default: {_cell(sw.status_note)}."
        lines.append(
            f"| `{sw.name}` | {sw.default.isoformat()} | {earliest} | {sw.status} | {what} |"
        )
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
            "| rule | in force | length | status | edition | citation |",
            "|---|---|---|---|---|---|",
        ]
        for r in resolved_rules(ts.id):
            rule = r.rule
            last = r.last_day.isoformat() if r.last_day else "now"
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
            cite = f"{rule.citation.document}, {rule.citation.location}"
            if rule.citation.url:
                cite = f"[{cite}]({rule.citation.url})"
            lines.append(
                f"| `{rule.id}` | {r.start.isoformat()} to {last} | {length} | {rule.status} | "
                f"{_cell(rule.edition.title)} | {_cell(cite)} |"
            )
        notes = [(r.rule.id, r.rule.note) for r in resolved_rules(ts.id) if r.rule.note]
        if notes:
            lines.append("")
            for rid, note in notes:
                lines.append(f"- `{rid}`: {_cell(note or '')}")
        caveats = [(r.rule.id, r.rule.caveats) for r in resolved_rules(ts.id) if r.rule.caveats]
        if caveats:
            lines += ["", "Caveats under the statutory defaults:", ""]
            for rid, said in caveats:
                text = "; ".join(c.rstrip(".") for c in said)
                lines.append(f"- `{rid}`: {_cell(text)}.")
        lines.append("")
    lines += [
        "## Editions",
        "",
        "| edition | in force from | status of that date | file |",
        "|---|---|---|---|",
    ]
    for ed in sorted(book.editions.values(), key=lambda e: e.in_force_from):
        title = f"[{_cell(ed.title)}]({ed.url})" if ed.url else _cell(ed.title)
        status = ed.start_status + (f": {_cell(ed.start_note)}" if ed.start_note else "")
        lines.append(f"| {title} | {ed.in_force_from.isoformat()} | {status} | `{ed.file}` |")
    lines.append("")
    return "\n".join(lines)
