"""Which return a file is, reading several at once, and the outputs of ``safeguard-time returns``.

The summary and the HTML report are the scan's own (:class:`~safeguard_time.io.scan.ScanSummary`,
:func:`~safeguard_time.io.report.write_report`), one check per measure.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from safeguard_time._engine.codes import Status
from safeguard_time.calendar import WorkingCalendar, england_and_wales
from safeguard_time.errors import SafeguardTimeError
from safeguard_time.io.scan import neutralise_text
from safeguard_time.returns._annex_a import read_annex_a
from safeguard_time.returns._cin import read_cin
from safeguard_time.returns._measure import LongTable
from safeguard_time.returns._model import Kind, Problem, ReturnData, replacing
from safeguard_time.returns._ssda903 import read_ssda903, ssda903_tables

NAT_DATE = np.datetime64("NaT", "D")

if TYPE_CHECKING:
    from safeguard_time.io.scan import ScanSummary


__all__ = [
    "KINDS",
    "PROBLEM_COLUMNS",
    "ReturnKindError",
    "detect_kind",
    "read_returns",
    "summarise",
    "write_problems",
    "write_report",
]

#: The kinds of return, as ``--kind`` names them.
KINDS = ("cin", "ssda903", "annex-a")
#: The columns of the problems file.
PROBLEM_COLUMNS = ("kind", "code", "child_id", "place", "value", "reason")

#: The events each measure runs between, for the summary's check names (any return).
_EVENTS = {
    "assessment": ("referral", "authorised"),
    "initial_assessment": ("referral", "authorised"),
    "assessment_from_start": ("assessment_start", "authorised"),
    "initial_assessment_from_start": ("assessment_start", "authorised"),
    "initial_cp_conference": ("s47_start", "icpc"),
    "first_cp_review": ("plan_start", "review"),
    "cp_review": ("review", "review"),
    "first_lac_review": ("looked_after_start", "review"),
    "second_lac_review": ("review", "review"),
    "lac_review": ("review", "review"),
}


class ReturnKindError(SafeguardTimeError, ValueError):
    """An input that is not a return this package reads (or cannot be read as one)."""

    code: ClassVar[str] = "not_a_return"


def detect_kind(path: str | os.PathLike[str]) -> Kind:
    """Which return a file or folder is: ``"cin"``, ``"ssda903"`` or ``"annex_a"``.

    A ``.xml`` file is a census, a ``.csv`` file a 903 table, an ``.xlsx`` workbook Annex A.
    A folder is a 903 return when it holds CSV files, a census when it holds XML files.
    ``ReturnKindError`` says why when it is none of them.

    >>> detect_kind("CIN_Census_2024.xml"), detect_kind("episodes.csv")
    ('cin', 'ssda903')
    """
    p = os.fspath(path)
    lower = p.lower()
    if os.path.isdir(p):
        names = [n.lower() for n in os.listdir(p)]
        if any(n.endswith(".csv") for n in names):
            return "ssda903"
        if any(n.endswith(".xml") for n in names):
            return "cin"
        raise ReturnKindError(f"{p}: a folder with no .csv or .xml files")
    if lower.endswith(".xml"):
        return "cin"
    if lower.endswith(".csv"):
        return "ssda903"
    if lower.endswith((".xlsx", ".xlsm")):
        return "annex_a"
    raise ReturnKindError(
        f"{p}: not a return this command reads (.xml: CIN census; .csv or a folder: SSDA903; "
        ".xlsx: Annex A); give --kind to say which"
    )


def read_returns(
    paths: Sequence[str | os.PathLike[str]], kind: str | None = None
) -> list[ReturnData]:
    """Read every input: each census file on its own, all the 903 tables as one return.

    ``kind`` (``"cin"``, ``"ssda903"``, ``"annex-a"``) forces the kind of every input.

    >>> read_returns([])
    []
    """
    forced = None if kind is None else kind.replace("-", "_")
    cin: list[str] = []
    tables: list[str] = []
    books: list[str] = []
    for p in paths:
        k = forced or detect_kind(p)
        if k == "cin":
            if os.path.isdir(p):
                cin.extend(
                    os.path.join(p, n) for n in sorted(os.listdir(p)) if n.lower().endswith(".xml")
                )
            else:
                cin.append(os.fspath(p))
        elif k == "ssda903":
            tables.append(os.fspath(p))
        elif k == "annex_a":
            books.append(os.fspath(p))
        else:
            raise ReturnKindError(f"{os.fspath(p)}: unknown kind {kind!r}")
    out = [read_cin(p) for p in cin]
    out.extend(read_annex_a(p) for p in books)
    if tables:
        if not ssda903_tables(tables) and forced is None:
            raise ReturnKindError(
                f"{', '.join(tables)}: no SSDA903 episodes or reviews table among these files"
            )
        out.append(read_ssda903(tables))
    return out


def write_problems(
    path: str | os.PathLike[str], problems: Iterable[Problem], *, neutralise: bool = True
) -> None:
    r"""Write the problems as CSV, a header of :data:`PROBLEM_COLUMNS`.

    Text a spreadsheet would run as a formula gets a leading ``'`` (as in the scan's errors
    report), unless ``neutralise=False``.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_problems(pathlib.Path(d, "e.csv"), [])
    ...     pathlib.Path(d, "e.csv").read_text()
    'kind,code,child_id,place,value,reason\n'
    """
    with replacing(path) as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(PROBLEM_COLUMNS)
        for p in problems:
            cells = (p.kind, p.code, p.child_id, p.place, p.value, p.reason)
            out.writerow([neutralise_text(c) for c in cells] if neutralise else cells)


def _element(place: str) -> str:
    """The element or column a place names: its last path step, or its CSV column."""
    if ", column " in place:
        return place.rsplit(", column ", 1)[1]
    tail = place.rsplit("/", 1)[-1] if "/" in place else place
    return tail.split("[", 1)[0]


def summarise(
    table: LongTable,
    *,
    inputs: Sequence[str],
    output: str,
    errors_path: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> ScanSummary:
    """The scan's summary (``safeguard_time.io.scan.ScanSummary``) of a long table.

    One check per measure: the same text on stderr and the same HTML report as the scan.

    >>> from safeguard_time import Convention
    >>> s = summarise(LongTable((), (), None, Convention.EVENT_DAY_ZERO), inputs=["x.xml"],
    ...               output="out.csv")
    >>> s.rows, s.checks
    (0, [])
    """
    from safeguard_time.io import scan  # noqa: PLC0415 - the scan's module loads on demand

    cal = calendar or england_and_wales()
    checks = []
    by_measure: dict[str, list[int]] = {}
    for i, row in enumerate(table.rows):
        by_measure.setdefault(row.measure, []).append(i)
    for measure, idx in by_measure.items():
        timescale = measure.removesuffix("_from_start")
        start, end = _EVENTS.get(measure, ("start", "end"))
        cs = scan.CheckSummary(scan.Check(timescale, start, end))
        rows = [table.rows[i] for i in idx]
        rule_ids = tuple(sorted({r.rule for r in rows if r.rule is not None}))
        status = np.array([Status(r.status).code for r in rows], dtype=np.int8)
        elapsed = np.array([r.elapsed or 0 for r in rows], dtype=np.int32)
        ends = np.array([r.end or NAT_DATE for r in rows], dtype="datetime64[D]")
        rule = np.array(
            [rule_ids.index(r.rule) if r.rule is not None else -1 for r in rows], dtype=np.int64
        )
        provisional = np.array([r.provisional for r in rows], dtype=np.bool_)
        # The same counting as the scan's, block by block: here the measure's rows at once.
        cs.add(status, elapsed, ends.view(np.int64), rule, rule_ids, provisional)
        checks.append(cs)
    errors_by_column: dict[str, int] = {}
    for p in table.problems:
        key = _element(p.place)
        errors_by_column[key] = errors_by_column.get(key, 0) + 1
    return scan.ScanSummary(
        inputs[0] if len(inputs) == 1 else ", ".join(os.path.basename(p) for p in inputs),
        output,
        errors_path,
        table.as_of,
        table.convention,
        table.policy.name if table.policy is not None else "statutory defaults",
        checks,
        rows=len(table.rows),
        rows_with_errors=sum(r.status == "error" for r in table.rows),
        problems=len(table.problems),
        errors_by_column=errors_by_column,
        verified_through=cal.verified_through,
    )


def write_report(path: str | os.PathLike[str], summary: ScanSummary) -> None:
    """Write the scan's HTML report of a returns summary, titled for the returns read.

    The page is the scan report's (``safeguard_time.io.report.render_report``); the file is
    replaced whole.

    >>> import tempfile, pathlib
    >>> from safeguard_time import Convention
    >>> s = summarise(LongTable((), (), None, Convention.EVENT_DAY_ZERO), inputs=["cin.xml"],
    ...               output="out.csv")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_report(pathlib.Path(d, "r.html"), s)
    ...     "<h1>Statutory returns: cin.xml</h1>" in pathlib.Path(d, "r.html").read_text()
    True
    """
    from safeguard_time.io.report import write_report as write  # noqa: PLC0415

    write(os.fspath(path), summary, title=f"Statutory returns: {os.path.basename(summary.input)}")
