"""Statutory returns in, timeliness out: the CIN census, the SSDA903 return and Ofsted's Annex A.

Each reader parses a return into the events it records (:class:`Event`), every date read by
the library's one grammar, and lists what it could not read with its place
(:class:`Problem`): the XML path and the child's id, or the file, line and column.
:func:`timeliness` judges the events with the engine (:func:`safeguard_time.bulk.assess`)
into one long table with exactly the columns :data:`COLUMNS`.

>>> from safeguard_time import returns
>>> returns.COLUMNS
('child_id', 'measure', 'start', 'end', 'due', 'elapsed', 'status', 'late', 'rule', 'source', 'provisional')
"""

from __future__ import annotations

from safeguard_time.returns._annex_a import ANNEX_A_LISTS, read_annex_a
from safeguard_time.returns._cin import read_cin
from safeguard_time.returns._command import (
    KINDS,
    PROBLEM_COLUMNS,
    ReturnKindError,
    detect_kind,
    read_returns,
    summarise,
    write_problems,
    write_report,
)
from safeguard_time.returns._measure import COLUMNS, LongTable, Row, timeliness
from safeguard_time.returns._model import Event, Problem, Refused, ReturnData, read_cell
from safeguard_time.returns._ssda903 import read_ssda903, ssda903_tables

__all__ = [
    "ANNEX_A_LISTS",
    "COLUMNS",
    "KINDS",
    "PROBLEM_COLUMNS",
    "Event",
    "LongTable",
    "Problem",
    "Refused",
    "ReturnData",
    "ReturnKindError",
    "Row",
    "detect_kind",
    "read_annex_a",
    "read_cell",
    "read_cin",
    "read_returns",
    "read_ssda903",
    "ssda903_tables",
    "summarise",
    "timeliness",
    "write_problems",
    "write_report",
]
