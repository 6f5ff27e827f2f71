"""The SSDA903 return (looked-after children): the episodes and reviews tables, as CSV files.

The tables are the DfE's: ``episodes`` (``CHILD``, ``DECOM``, ``RNE``, ``LS``, ``PLACE``,
``DEC``, ``REC``, ...), ``reviews`` (``CHILD``, ``DOB``, ``REVIEW``, ``REVIEW_CODE``) and
``header`` (``CHILD``, ``SEX``, ``DOB``, ...).  A table is known by its columns, not by its
file name.  A period of care starts with an episode whose reason for new episode (``RNE``) is
``S`` (started to be looked after) and ends with an episode whose reason for ending (``REC``)
is anything but ``X1`` (an episode ending with a new one the same day).
"""

from __future__ import annotations

import csv
import datetime as _dt
import os
from collections.abc import Iterable, Sequence

import attrs

from safeguard_time.returns._model import Cell, Event, Problem, Refused, ReturnData, read_cell

__all__ = ["read_ssda903", "ssda903_tables"]

_EPISODES = ("CHILD", "DECOM", "RNE", "DEC", "REC")
_REVIEWS = ("CHILD", "REVIEW")
_STARTED = "S"
_CONTINUES = "X1"


@attrs.frozen
class _Episode:
    child: str
    start: _dt.date
    rne: str
    end: Cell
    rec: str
    place: str  # file: line n


@attrs.frozen
class _Review:
    child: str
    day: _dt.date
    place: str


def ssda903_tables(paths: Iterable[str | os.PathLike[str]]) -> dict[str, str]:
    r"""Which of the CSV files (or the CSV files in a folder) is which 903 table, by its columns.

    ``{"episodes": path, "reviews": path, "header": path}`` for the tables found.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = pathlib.Path(d, "a.csv").write_text("CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n")
    ...     _ = pathlib.Path(d, "b.csv").write_text("CHILD,DOB,REVIEW,REVIEW_CODE\n")
    ...     sorted(ssda903_tables([d]))
    ['episodes', 'reviews']
    """
    found: dict[str, str] = {}
    for path in _csv_files(paths):
        columns = set(_header(path))
        if set(_EPISODES) <= columns:
            found.setdefault("episodes", path)
        elif set(_REVIEWS) <= columns:
            found.setdefault("reviews", path)
        elif {"CHILD", "SEX", "DOB"} <= columns:
            found.setdefault("header", path)
    return found


def _csv_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    out: list[str] = []
    for given in paths:
        p = os.fspath(given)
        if os.path.isdir(p):
            out.extend(
                os.path.join(p, name)
                for name in sorted(os.listdir(p))
                if name.lower().endswith(".csv")
            )
        else:
            out.append(p)
    return out


def _header(path: str) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        first = next(csv.reader(fh), [])
    return [c.strip() for c in first]


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, kind: str, code: str, child: str, place: str, value: str, why: str) -> None:
        self.problems.append(Problem(kind, code, child, place, value, why))  # type: ignore[arg-type]

    def table(self, path: str, needed: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
        """The rows of a table with its line numbers; a missing column stops the table."""
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            head = [c.strip() for c in next(reader, [])]
            missing = [c for c in needed if c not in head]
            if missing:
                self.problem(
                    "error", "missing_column", "", f"{path}: line 1", ",".join(head),
                    f"no {', '.join(missing)} column: the table is not read",
                )  # fmt: skip
                return
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(head):
                    self.problem(
                        "error", "wrong_field_count", "", f"{path}: line {line}",
                        ",".join(cells),
                        f"{len(cells)} fields where the header has {len(head)}: the line is "
                        "not read",
                    )  # fmt: skip
                    continue
                yield line, {h: c.strip() for h, c in zip(head, cells, strict=True)}

    def date(self, row: dict[str, str], column: str, where: str, child: str) -> Cell:
        cell = read_cell(row[column] or None)
        if isinstance(cell, Refused):
            self.problem(
                "error", "not_a_date", child, f"{where}, column {column}", cell.text, cell.reason
            )
        return cell


def read_ssda903(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> ReturnData:
    r"""Read an SSDA903 return (its CSV tables, or a folder of them) into the events to measure.

    Per period of care: ``first_lac_review`` from the day the child started to be looked
    after (``DECOM`` of the ``RNE`` = ``S`` episode) to the first ``REVIEW``,
    ``second_lac_review`` from the first review to the second, ``lac_review`` between later
    ones, and the next review outstanding (judged as of the caller's ``as_of``, or as of the
    day the period ended).  A review outside every period of care, and a period whose start
    is not in the return, are findings and are not measured.  Unreadable cells are in
    ``problems`` with their file, line and column; every other line is still read.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = pathlib.Path(d, "episodes.csv").write_text(
    ...         "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n1,08/03/2024,S,C2,U1,,\n")
    ...     _ = pathlib.Path(d, "reviews.csv").write_text(
    ...         "CHILD,DOB,REVIEW,REVIEW_CODE\n1,01/01/2015,05/04/2024,PN1\n")
    ...     data = read_ssda903(d)
    >>> [(e.measure, e.start, e.end) for e in data.events]
    [('first_lac_review', datetime.date(2024, 3, 8), datetime.date(2024, 4, 5)), ('second_lac_review', datetime.date(2024, 4, 5), None)]
    """
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    files = [os.fspath(p) for p in given]
    tables = ssda903_tables(files)
    r = _Reader()
    if "episodes" not in tables:
        r.problem(
            "error", "missing_table", "", ", ".join(files), "",
            "no episodes table (a CSV file with CHILD, DECOM, RNE, DEC and REC columns)",
        )  # fmt: skip
    if "reviews" not in tables:
        r.problem(
            "error", "missing_table", "", ", ".join(files), "",
            "no reviews table (a CSV file with CHILD and REVIEW columns): reviews not measured",
        )  # fmt: skip
    episodes: dict[str, list[_Episode]] = {}
    if "episodes" in tables:
        path = tables["episodes"]
        for line, row in r.table(path, _EPISODES):
            child = row["CHILD"]
            where = f"{path}: line {line}"
            start = r.date(row, "DECOM", where, child)
            end = r.date(row, "DEC", where, child)
            if not isinstance(start, _dt.date):
                if start is None:
                    r.problem(
                        "error", "missing", child, f"{where}, column DECOM", "",
                        "no DECOM: the episode is not used",
                    )  # fmt: skip
                continue
            if isinstance(end, _dt.date) and end < start:
                r.problem(
                    "finding", "dates_out_of_order", child, f"{where}, column DEC",
                    end.isoformat(),
                    f"the episode ended ({end.isoformat()}) before it began ({start.isoformat()})",
                )  # fmt: skip
            episodes.setdefault(child, []).append(
                _Episode(child, start, row["RNE"].upper(), end, row["REC"].upper(), where)
            )
    reviews: dict[str, list[_Review]] = {}
    if "reviews" in tables:
        path = tables["reviews"]
        for line, row in r.table(path, _REVIEWS):
            child = row["CHILD"]
            where = f"{path}: line {line}"
            day = r.date(row, "REVIEW", where, child)
            if isinstance(day, _dt.date):
                reviews.setdefault(child, []).append(_Review(child, day, f"{where}, column REVIEW"))
            elif day is None:
                r.problem(
                    "error", "missing", child, f"{where}, column REVIEW", "", "no REVIEW date"
                )  # fmt: skip
    events: list[Event] = []
    for child in dict.fromkeys([*episodes, *reviews]):
        events.extend(_child_events(r, child, episodes.get(child, []), reviews.get(child, [])))
    return ReturnData("ssda903", tuple(files), None, tuple(events), tuple(r.problems))


@attrs.frozen
class _Period:
    start: _dt.date | None  # None: began before the return
    place: str
    end: _dt.date | None = None


def _periods(r: _Reader, child: str, episodes: list[_Episode]) -> list[_Period]:
    periods: list[_Period] = []
    open_: _Period | None = None
    for ep in sorted(episodes, key=lambda e: e.start):
        if ep.rne == _STARTED:
            if open_ is not None:
                periods.append(attrs.evolve(open_, end=ep.start))
            open_ = _Period(ep.start, f"{ep.place}, column DECOM")
        elif open_ is None:
            r.problem(
                "finding", "period_start_not_in_return", child, f"{ep.place}, column RNE",
                ep.rne,
                "the first episode of this period of care does not start it (RNE is not S): "
                "the day the child started to be looked after is not in the return, so its "
                "reviews are not measured",
            )  # fmt: skip
            open_ = _Period(None, ep.place)
        if ep.rec and ep.rec != _CONTINUES and isinstance(ep.end, _dt.date):
            periods.append(attrs.evolve(open_, end=ep.end))
            open_ = None
    if open_ is not None:
        periods.append(open_)
    return periods


def _child_events(
    r: _Reader, child: str, episodes: list[_Episode], reviews: list[_Review]
) -> list[Event]:
    periods = _periods(r, child, episodes)
    events: list[Event] = []
    placed: dict[int, list[_Review]] = {}
    for rv in sorted(reviews, key=lambda x: x.day):
        home = next(
            (
                i
                for i, p in enumerate(periods)
                if (p.start is None or p.start <= rv.day) and (p.end is None or rv.day <= p.end)
            ),
            None,
        )
        if home is None:
            r.problem(
                "finding", "review_outside_care", child, rv.place, rv.day.isoformat(),
                f"a review on {rv.day.isoformat()}, when the episodes show no period of care: "
                "not measured",
            )  # fmt: skip
        else:
            placed.setdefault(home, []).append(rv)
    for i, period in enumerate(periods):
        if period.start is None:
            continue
        previous: Cell = period.start
        previous_place = period.place
        done = placed.get(i, [])
        for k, rv in enumerate(done):
            measure = ("first_lac_review", "second_lac_review")[k] if k < 2 else "lac_review"
            events.append(
                Event(child, measure, previous, rv.day, rv.place, previous_place, rv.place)
            )
            previous, previous_place = rv.day, rv.place
        measure = (
            ("first_lac_review", "second_lac_review")[len(done)] if len(done) < 2 else "lac_review"
        )
        events.append(
            Event(
                child,
                measure,
                previous,
                None,
                period.place,
                previous_place,
                period.place,
                ended=period.end,
            )
        )
    return events
