"""Excel workbooks for ``safeguard-time scan``: a sheet read in, a workbook written out.

Reading uses python-calamine (Rust; about ten times faster than openpyxl's read-only mode on
a 100,000-row sheet, see ``docs/performance.md``); writing uses xlsxwriter (streamed row by
row in its constant-memory mode; text is always written as text, never as a formula).  Both
come with the ``xlsx`` extra and are imported only when a workbook is read or written.

How cells are read:

- a date cell is a date and a date-time cell a timestamp (the workbook's 1900 or 1904
  system is applied by the reader);
- a column of numbers stays numbers, and a number in a date column is an Excel serial in
  the workbook's date system (read by the one date grammar,
  :mod:`safeguard_time._dates`);
- text is text, read by the same grammar when it is in a date column;
- a column mixing kinds is text, each cell as the grammar reads it: a date cell as
  ``2024-03-05``, a number as ``45356``;
- an error cell (``#N/A``, ``#REF!``) is the text of the error, so a date column reports it
  as not a date rather than as a blank;
- empty rows are not rows; rows keep their spreadsheet numbers, and problems are placed as
  Excel shows them (``Cases!D17``).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import gc
import math
import operator
import os
import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

import attrs
import numpy as np

from safeguard_time._arrow import string_buffers, to_numpy, validity
from safeguard_time._dates import days_serial
from safeguard_time.errors import extra_needed
from safeguard_time.io.scan import (
    ScanError,
    _pyarrow,
    _Sink,
    _Source,
    neutralise_text,
)

if TYPE_CHECKING:
    import numpy.typing as npt

    from safeguard_time.io.scan import _Problems

__all__ = [
    "WORKBOOK_SUFFIXES",
    "ReaderMissing",
    "SheetReader",
    "WorkbookErrors",
    "WorkbookSource",
    "WorkbookWriter",
    "cell_place",
    "cell_text",
    "column_letter",
    "is_workbook",
]

#: File name endings read (and, ``.xlsx`` only, written) as Excel workbooks.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: Spreadsheet formats the scan neither reads nor writes (save them as .xlsx).
OTHER_SPREADSHEETS = (".xls", ".xlsb", ".ods", ".numbers")
#: The rows of one worksheet, its header row included (Excel's limit).
MAX_ROWS = 1_048_576
#: The most characters a workbook cell holds.
MAX_CELL_TEXT = 32_767
_EPOCH_ORD = _dt.date(1970, 1, 1).toordinal()
_DAY = _dt.timedelta(days=1)
_MIDNIGHT = _dt.time()


def is_workbook(path: str) -> bool:
    """Whether ``path`` names an Excel workbook the scan reads (by its ending).

    >>> is_workbook("caseload.xlsx"), is_workbook("CASES.XLSM"), is_workbook("cases.csv")
    (True, True, False)
    """
    return path != "-" and path.lower().endswith(WORKBOOK_SUFFIXES)


def column_letter(index: int) -> str:
    """The letters of a column as Excel shows them, from its 0-based index.

    >>> column_letter(0), column_letter(3), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'D', 'Z', 'AA', 'ZZ')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_place(sheet: str, column: int, row: int) -> str:
    """A cell's place as Excel writes it in a formula: ``Cases!D17``, ``'Q1 cases'!D17``.

    ``column`` is 0-based, ``row`` is the spreadsheet row number (1 is the first).

    >>> cell_place("Cases", 3, 17), cell_place("Q1 cases", 0, 2), cell_place("Tom's", 1, 5)
    ('Cases!D17', "'Q1 cases'!A2", "'Tom''s'!B5")
    """
    name = sheet
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        name = "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{column_letter(column)}{row}"


class ReaderMissing(ScanError):
    """python-calamine, which reads workbooks, is not installed (an install's fault, not a file's)."""


def _calamine() -> Any:
    try:
        import python_calamine  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    except ImportError:
        raise ReaderMissing(
            extra_needed("reading an Excel workbook", "python-calamine", "xlsx")
        ) from None
    return python_calamine


def _xlsxwriter() -> Any:
    try:
        import xlsxwriter  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: PLC0415
    except ImportError:
        raise ScanError(extra_needed("writing an Excel workbook", "xlsxwriter", "xlsx")) from None
    return xlsxwriter


# --- reading ------------------------------------------------------------------------------

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def _letters_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - ord("A") + 1
    return index - 1


class _Package:
    """What calamine does not say about an .xlsx: its date system and its error cells."""

    def __init__(self, path: str) -> None:
        self.date_system = 1900
        self._zip: zipfile.ZipFile | None = None
        self._targets: dict[str, str] = {}
        try:
            self._zip = zipfile.ZipFile(path)
            book = ET.fromstring(self._zip.read("xl/workbook.xml"))
            pr = book.find(f"{_MAIN_NS}workbookPr")
            if pr is not None and pr.get("date1904", "").lower() in ("1", "true"):
                self.date_system = 1904
            rels = ET.fromstring(self._zip.read("xl/_rels/workbook.xml.rels"))
            by_id = {r.get("Id", ""): r.get("Target", "") for r in rels}
            sheets = book.find(f"{_MAIN_NS}sheets")
            for sheet in sheets if sheets is not None else ():
                target = by_id.get(sheet.get(_REL_ID, ""), "")
                target = target[1:] if target.startswith("/") else f"xl/{target}"
                self._targets[sheet.get("name", "")] = target
        except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError):
            pass  # calamine has read it, or says why not

    def error_cells(self, sheet: str) -> dict[tuple[int, int], str]:
        """``(row, column)`` (0-based) of each error cell of ``sheet``, with its text."""
        target = self._targets.get(sheet)
        if self._zip is None or target is None:
            return {}
        found: dict[tuple[int, int], str] = {}
        carry = b""
        try:
            with self._zip.open(target) as fh:
                while chunk := fh.read(1 << 22):
                    data = carry + chunk
                    cut = data.rfind(b"</c>") + 4  # whole cells only; the rest waits
                    if cut < 4:
                        carry = data
                        continue
                    carry = data[cut:]
                    if b't="e"' in data[:cut]:
                        self._errors_in(data[:cut], found)
        except (OSError, KeyError, zipfile.BadZipFile):
            return found
        return found

    @staticmethod
    def _errors_in(data: bytes, found: dict[tuple[int, int], str]) -> None:
        for m in _ERROR_CELL.finditer(data):
            ref = _REF.search(m.group(1))
            value = _VALUE.search(m.group(2) or b"")
            if ref is None:
                continue
            text = value.group(1).decode("utf-8", "replace") if value else "#VALUE!"
            row, col = int(ref.group(2)) - 1, _letters_index(ref.group(1).decode())
            found[(row, col)] = text

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


class SheetReader:
    """An .xlsx/.xlsm workbook open for reading its sheets' cells, with python-calamine.

    The one reader of workbooks: the scan's input and Ofsted's Annex A
    (:mod:`safeguard_time.returns`).  A cell is what calamine makes of it: a date cell a
    date (a date-time cell a datetime) in the workbook's 1900 or 1904 system, a number a
    float, text a str, a blank ``""``; an error cell (``#N/A``) is the text of the error.
    A file that is not a readable workbook raises :class:`ScanError` saying so; without
    python-calamine, :class:`ReaderMissing` (a ScanError) names the extra that brings it.

    >>> import tempfile, pathlib, datetime as dt, xlsxwriter
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = str(pathlib.Path(d, "cases.xlsx"))
    ...     book = xlsxwriter.Workbook(p)
    ...     sheet = book.add_worksheet("Cases")
    ...     _ = sheet.write_row(0, 0, ["id", "referral"])
    ...     _ = sheet.write_datetime(1, 1, dt.datetime(2024, 3, 8), book.add_format({"num_format": "d/m/yy"}))
    ...     _ = sheet.write_formula(2, 1, "=NA()", None, "#N/A")
    ...     book.close()
    ...     with SheetReader(p) as reader:
    ...         reader.sheet_names, reader.date_system, reader.cells("Cases")
    (['Cases'], 1900, [['id', 'referral'], ['', datetime.date(2024, 3, 8)], ['', '#N/A']])
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._calamine = _calamine()
        if os.path.isdir(path):
            raise ScanError(f"{path}: is a directory, not a file")
        if not os.path.exists(path):
            raise ScanError(f"{path}: cannot read: No such file or directory")
        try:
            self._book = self._calamine.CalamineWorkbook.from_path(path)
        except (OSError, self._calamine.CalamineError, ValueError) as exc:
            raise ScanError(f"{path}: not a readable Excel workbook (.xlsx): {exc}") from None
        self._package = _Package(path)
        #: The sheets' names, in the workbook's order.
        self.sheet_names: list[str] = list(self._book.sheet_names)
        #: How the workbook counts days: 1900 or 1904.
        self.date_system = self._package.date_system

    def cells(self, sheet: str) -> list[list[Any]]:
        """The rows of ``sheet`` from its cell A1, each a list of its cells, one width."""
        # The error cells are looked for in the sheet's XML while calamine reads it (both
        # leave the GIL: zlib inflating, calamine in Rust).
        errors: dict[tuple[int, int], str] = {}
        finder = threading.Thread(
            target=lambda: errors.update(self._package.error_cells(sheet)),
            name="workbook-errors",
            daemon=True,
        )
        finder.start()
        try:
            grid: list[list[Any]] = self._book.get_sheet_by_name(sheet).to_python(
                skip_empty_area=False
            )
        except (self._calamine.CalamineError, ValueError) as exc:
            raise ScanError(f"{self.path}, sheet {sheet}: cannot read: {exc}") from None
        finally:
            finder.join()
        for (r, c), text in errors.items():
            if r < len(grid) and c < len(grid[r]):
                grid[r][c] = text
        return grid

    def close(self) -> None:
        """Close the workbook's file."""
        self._book.close()
        self._package.close()

    def __enter__(self) -> SheetReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _choose(path: str, names: Sequence[str], sheet: str | None) -> str:
    """The sheet named or numbered by ``sheet`` (the first if ``None``), else ScanError."""
    if not names:
        raise ScanError(f"{path}: the workbook has no sheets")
    if sheet is None:
        return names[0]
    if sheet in names:
        return sheet
    if sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1]
    listed = ", ".join(f"{i} {n!r}" for i, n in enumerate(names, start=1))
    raise ScanError(f"{path}: no sheet {sheet!r}; the sheets are: {listed}")


class WorkbookSource(_Source):
    """One sheet of an .xlsx/.xlsm workbook, read whole, handed out as Arrow blocks.

    ``sheet`` is a sheet's name or its position (``"1"`` is the first sheet; a sheet whose
    name is the text wins); ``header_row`` is the spreadsheet row of the column names, and
    the rows under it are the caseload.  Each row carries its spreadsheet row number.
    ``keep_cells``: keep the cells of columns mixing kinds for :meth:`raw_cells` (a workbook
    written from this one).
    """

    def __init__(
        self,
        path: str,
        *,
        sheet: str | None = None,
        header_row: int = 1,
        block_rows: int,
        keep_cells: bool = True,
    ) -> None:
        self.path = path
        self._rows_per_block = max(block_rows, 1)
        self._keep_cells = keep_cells
        with SheetReader(path) as reader:
            self.sheet = _choose(path, reader.sheet_names, sheet)
            self.name = f"{path}, sheet {self.sheet}"
            self.date_system = reader.date_system
            # The collector is off from the first cell made to the last let go: the cells
            # are over a million objects, none in a cycle, and are gone before it runs.
            with _collector_paused():
                grid = reader.cells(self.sheet)
                self._build(grid, header_row)
                del grid

    def _build(self, grid: list[list[Any]], header_row: int) -> None:
        pa = _pyarrow()
        if header_row < 1:
            raise ScanError(f"--header-row must be 1 or more (a spreadsheet row), got {header_row}")
        self.header_at = f"row {header_row}"
        if header_row > len(grid) or grid[header_row - 1].count("") == len(grid[header_row - 1]):
            raise ScanError(
                f"{self.name}: row {header_row} is empty: expected the column names there "
                "(give --header-row N for a header lower down)"
            )
        widths = set(map(len, grid))
        width = max(widths)
        if len(widths) > 1:  # calamine's rows are of one width
            grid = [row + [""] * (width - len(row)) for row in grid]
        header = grid[header_row - 1]
        body = grid[header_row:]
        # Empty rows (trailing ones included) are not rows.  A row with a true cell (most
        # rows: their first) is not empty; only the others are read cell by cell.
        true = list(map(any, body))
        if all(true):
            rows = body
            self._lines = np.arange(len(body), dtype=np.int64) + header_row + 1
        else:
            keep = [
                i
                for i, (t, row) in enumerate(zip(true, body, strict=True))
                if t or row.count("") != len(row)
            ]
            rows = [body[i] for i in keep]
            self._lines = np.array(keep, dtype=np.int64) + header_row + 1
        read = _read_columns(rows, len(header))
        # Columns with no name that hold nothing (beside the table, under a merged title)
        # are not columns; the others keep their place in the sheet for naming cells.
        self._sheet_columns = [
            c for c, name in enumerate(header) if name != "" or not read[c][0].blank
        ]
        self.names = [cell_text(header[c]) or "" for c in self._sheet_columns]
        kept = [read[c] for c in self._sheet_columns]
        # Columns mixing kinds are text for the scan; their cells are kept as they were,
        # for a workbook written from this one (raw_cells), by position in the table.
        self._mixed = {
            i: [row[c] for row in rows]
            for i, (c, (facts, _)) in enumerate(zip(self._sheet_columns, kept, strict=True))
            if facts.kind == "mixed" and self._keep_cells
        }
        self.schema = pa.schema(
            [pa.field(n, array.type) for n, (_, array) in zip(self.names, kept, strict=True)]
        )
        arrays = [array for _, array in kept]
        self._table = pa.Table.from_arrays(arrays, schema=self.schema) if arrays else None
        self.size = len(rows)

    has_cells = True

    def raw_cells(self, column: int, lo: int, hi: int) -> list[Any] | None:
        """Cells ``lo:hi`` (row positions) of a column mixing kinds, as read; else ``None``.

        A blank is ``None``; dates, numbers and text are as the sheet has them.
        """
        cells = self._mixed.get(column)
        if cells is None:
            return None
        return [None if v == "" else v for v in cells[lo:hi]]

    def place(self, line: int, column: str) -> str | None:
        """The cell of ``column`` in spreadsheet row ``line``: ``Cases!D17``."""
        return cell_place(self.sheet, self._sheet_columns[self.names.index(column)], line)

    def batches(self) -> Generator[tuple[Any, npt.NDArray[np.int64]], None, None]:
        """Yield (record batch, spreadsheet row number of each row)."""
        if self._table is None:
            return
        n, step = self._table.num_rows, self._rows_per_block
        for lo in range(0, n, step):
            part = self._table.slice(lo, step)
            for batch in part.to_batches(max_chunksize=step):
                self.done += batch.num_rows
                yield batch, self._lines[lo : lo + batch.num_rows]
                lo += batch.num_rows  # noqa: PLW2901 - a slice may come as several batches

    def close(self) -> None:
        """Let the sheet's cells go (the file was closed once read)."""
        self._table = None


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a sheet's cells become Python values and columns.

    A sheet of 1e5 rows and a dozen columns is over a million new objects, none of them in
    a reference cycle; the collector, set off by the count of new objects, walks them again
    and again: a third of the time of turning the cells into columns, measured
    (benchmarks/scan_bench.py).  It is switched back on (if it was on) when the block ends,
    and the objects are collected as usual from then on.  The cells are let go inside the
    block: those still held when it ends are walked by the first collection after it
    (the 100,000 rows of a sheet: about 15 ms a time, measured).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def cell_text(value: object) -> str | None:  # noqa: PLR0911 - one return per kind of cell
    """A cell as text, as the date grammar reads it (``None`` for an empty cell).

    >>> import datetime as dt
    >>> cell_text(45356.0), cell_text(1.5), cell_text(True), cell_text(dt.datetime(2024, 3, 5))
    ('45356', '1.5', 'TRUE', '2024-03-05')
    >>> cell_text(""), cell_text("n/a")
    (None, 'n/a')
    """
    if value == "" or value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ") if value.time() != _dt.time() else value.date().isoformat()
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    return str(value)


#: Rows of a sheet made into columns at a time.  A chunk's cells stay in the processor's
#: caches while each of its columns is read: the cells of one row lie side by side in
#: memory, those of one column a row apart (the benchmark's 1e5-row sheet, 12 columns:
#: 133-164 ms in chunks of 8,192 rows against 219-232 ms column by column, fresh grids).
CHUNK_ROWS = 8192


@attrs.frozen
class _Facts:
    """What a column's kind is decided from, gathered from its cells (or some of them).

    ``kinds``: the kinds of its cells; ``text``: a text cell that is not blank; ``timed``: a
    date-time with a time of day; ``fraction``: a number that is not a whole number (or too
    large to be one exactly).  Facts of two parts of a column add up (``|``).
    """

    kinds: frozenset[type]
    text: bool = False
    timed: bool = False
    fraction: bool = False

    def __or__(self, other: _Facts) -> _Facts:
        return _Facts(
            self.kinds | other.kinds,
            self.text or other.text,
            self.timed or other.timed,
            self.fraction or other.fraction,
        )

    @property
    def blank(self) -> bool:
        """Whether every cell is blank (or there are none)."""
        return self.kinds <= {str} and not self.text

    @property
    def kind(self) -> str:
        """The column's kind: text, date, timestamp, int, float, bool, or mixed (text)."""
        kinds = set(self.kinds)
        if kinds <= {str}:  # text, blanks, or no cells at all
            return "text"
        if not self.text:
            kinds.discard(str)  # its text cells are the blanks
        if kinds <= {_dt.date, _dt.datetime}:
            return "timestamp" if self.timed else "date"
        if kinds <= {float, int}:
            return "float" if self.fraction else "int"
        if kinds == {bool}:
            return "bool"
        return "mixed"


def _read_chunk(values: Sequence[Any], types: Sequence[type]) -> tuple[_Facts, Any]:
    """Some cells of a column (``types``: each cell's kind): their facts, and their array."""
    kinds = frozenset(types)
    facts = _Facts(kinds, str in kinds and values.count("") != types.count(str))
    kind = facts.kind
    if kind == "date" and _dt.datetime in kinds:
        timed = any(
            v.time() != _MIDNIGHT for v, t in zip(values, types, strict=True) if t is _dt.datetime
        )
        facts = attrs.evolve(facts, timed=timed)
    elif kind == "int":
        floats, whole = _numbers(values)
        facts = attrs.evolve(facts, fraction=not whole)
        return facts, floats.cast(_pyarrow().int64()) if whole else floats
    return facts, _convert(values, types, facts.kind)


def _numbers(values: Sequence[Any]) -> tuple[Any, bool]:
    """Cells of numbers (and blanks) as Arrow floats, and whether all are whole numbers."""
    pa = _pyarrow()
    nums = np.array([None if v == "" else v for v in values], dtype=np.float64)
    whole = np.isnan(nums) | ((nums == np.floor(nums)) & (np.abs(nums) < 2**53))
    return pa.array(nums, type=pa.float64(), from_pandas=True), bool(whole.all())  # NaN: a blank


def _convert(values: Sequence[Any], types: Sequence[type], kind: str) -> Any:
    """Cells of a column as an Arrow array of ``kind`` (a kind their column's facts give).

    The work is done by Arrow where it can be: Python only sorts the cells by kind.  A
    sheet's cells are a million objects scattered in memory, and each pass that looks at
    them costs more than the work it does: their kinds are read once, and the passes after
    that read the kinds, not the cells, wherever they can.
    """
    pa = _pyarrow()
    if kind == "text":
        return _texts(values)
    if kind == "date":  # a date is never false; a blank is ""
        return pa.array([v or None for v in values], type=pa.date32())
    if kind == "timestamp":
        timed = [_as_datetime(v) if v else None for v in values]
        return pa.array(timed, type=pa.timestamp("us"))
    if kind in ("int", "float"):
        floats, _ = _numbers(values)
        return floats.cast(pa.int64()) if kind == "int" else floats
    if kind == "bool":
        return pa.array([None if v == "" else v for v in values], type=pa.bool_())
    return _mixed_text(values, types, set(types))


def _arrow_type(kind: str) -> Any:
    """The Arrow type of a column of ``kind`` (see :attr:`_Facts.kind`)."""
    pa = _pyarrow()
    types = {"date": pa.date32(), "timestamp": pa.timestamp("us"), "int": pa.int64()}
    types |= {"float": pa.float64(), "bool": pa.bool_()}
    return types.get(kind, pa.string())


def _read_columns(
    rows: Sequence[Sequence[Any]], width: int, chunk: int = CHUNK_ROWS
) -> list[tuple[_Facts, Any]]:
    """Each column of ``rows``: its facts, and its cells as one (chunked) Arrow array.

    The rows are read ``chunk`` at a time, each chunk's columns by the kind of their own
    cells.  A column's kind is then that of all its chunks' facts; a chunk read as another
    kind is read again as the column's (its text is already the column's text if the
    column mixes kinds).  Gives what one chunk of all the rows gives.

    >>> import datetime as dt
    >>> rows = [["a", dt.date(2024, 3, 5)], ["b", dt.date(2024, 3, 6)], ["c", "7/3/2024"]]
    >>> [(facts.kind, array.to_pylist()) for facts, array in _read_columns(rows, 2, chunk=2)]
    [('text', ['a', 'b', 'c']), ('mixed', ['2024-03-05', '2024-03-06', '7/3/2024'])]
    """
    pa = _pyarrow()
    parts: list[list[tuple[_Facts, Any]]] = [[] for _ in range(width)]
    for lo in range(0, len(rows), chunk):
        for c, values in enumerate(zip(*rows[lo : lo + chunk], strict=True)):
            parts[c].append(_read_chunk(values, list(map(type, values))))
    read = []
    for c, column in enumerate(parts):
        facts = functools.reduce(operator.or_, (f for f, _ in column), _Facts(frozenset()))
        kind = facts.kind
        arrays = []
        for i, (part, array) in enumerate(column):
            if part.kind != kind and not (part.kind == "text" and kind == "mixed"):
                cells = [row[c] for row in rows[i * chunk : (i + 1) * chunk]]
                array = _convert(cells, list(map(type, cells)), kind)  # noqa: PLW2901
            arrays.append(array)
        read.append((facts, pa.chunked_array(arrays, type=_arrow_type(kind))))
    return read


def _texts(values: Sequence[Any], taken: npt.NDArray[np.bool_] | None = None) -> Any:
    """Text cells as an Arrow string array, a blank (``""``) as null.

    ``taken``: cells that are not text (read as other parts of the column), null here;
    Arrow does not look at them.

    >>> _texts(["a", "", "b"]).to_pylist(), _texts(["a", 5, "b"], np.array([0, 1, 0], bool)).to_pylist()
    (['a', None, 'b'], ['a', None, 'b'])
    """
    pa = _pyarrow()
    texts = pa.array(values, type=pa.string(), mask=taken)
    offsets, _ = string_buffers(texts)
    blank = offsets[1:] == offsets[:-1]
    if texts.null_count:
        blank |= ~to_numpy(texts.is_valid())
    bitmap, nulls = validity(blank)
    if not nulls:
        return texts
    return pa.Array.from_buffers(
        pa.string(), len(texts), [bitmap, *texts.buffers()[1:]], null_count=nulls
    )


def _mixed_text(values: Sequence[Any], types: Sequence[type], kinds: set[type]) -> Any:
    """A column of cells of several kinds as text, each cell as the date grammar reads it.

    ``types`` is each cell's kind, ``kinds`` the kinds to read.  Each kind but text is
    picked out of the cells by Python; the text cells are the rest, which Arrow reads with
    the others masked (one pass over the cells fewer: they are the most, as a rule).

    >>> import datetime as dt
    >>> cells = ["5/3/2024", dt.date(2024, 3, 5), "", 45356.0]
    >>> _mixed_text(cells, [type(v) for v in cells], {str, dt.date, float}).to_pylist()
    ['5/3/2024', '2024-03-05', None, '45356']
    """
    pa = _pyarrow()
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    parts = []
    taken: npt.NDArray[np.bool_] | None = None
    for kind in kinds - {str}:
        if kind is _dt.date:  # Arrow writes a date as ISO text, as cell_text does
            days = [v if t is _dt.date else None for v, t in zip(values, types, strict=True)]
            part = pa.array(days, type=pa.date32()).cast(pa.string())
        else:
            cells = [
                cell_text(v) if t is kind else None for v, t in zip(values, types, strict=True)
            ]
            part = pa.array(cells, type=pa.string())
        parts.append(part)
        present = to_numpy(part.is_valid())
        taken = present if taken is None else taken | present
    parts.append(_texts(values, taken))  # the text cells and the blanks: the rest
    return pc.coalesce(*parts) if len(parts) > 1 else parts[0]


def _as_datetime(value: _dt.date) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value
    return _dt.datetime(value.year, value.month, value.day)  # naive, as Excel keeps times


# --- writing ------------------------------------------------------------------------------

_RISKY_FIRST = frozenset("=+-@\x7f" + "".join(chr(i) for i in range(0x20)))
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
#: Status values that stand out in the workbook: (fill, font colour), Excel's own styles.
_STATUS_COLOURS = {
    "missed": ("#FFC7CE", "#9C0006"),  # light red fill, dark red text
    "open_overdue": ("#FFEB9C", "#9C5700"),  # yellow fill, dark yellow text
    "error": ("#D9D9D9", "#3F3F3F"),  # grey
}
_WIDTH_SAMPLE = 2000  # rows of the first block measured for the column widths


class _Book:
    """An .xlsx file of one sheet, streamed row by row beside its final name.

    xlsxwriter's constant-memory mode keeps one row in memory; its temporary files go to a
    folder of their own, removed whatever happens.  Text is always a text cell.
    """

    def __init__(self, path: str, sheet: str, *, neutralise: bool) -> None:
        xlsxwriter = _xlsxwriter()
        self.neutralise = neutralise
        self._sink = _Sink(path)
        self._fh = self._sink.open("wb")
        self._tmp = tempfile.mkdtemp(prefix="safeguard-time-xlsx-")
        try:
            self._book = xlsxwriter.Workbook(
                self._fh,
                {
                    "constant_memory": True,
                    "tmpdir": self._tmp,
                    "strings_to_formulas": False,
                    "strings_to_numbers": False,
                    "strings_to_urls": False,
                    "nan_inf_to_errors": False,  # never a formula: such numbers are text
                },
            )
            self._sheet = self._book.add_worksheet(sheet)
        except BaseException:
            self.discard()
            raise
        b = self._book
        self._fmt_quoted = b.add_format({"quote_prefix": True})
        self._fmt_header = b.add_format({"bold": True, "bottom": 1})
        self._fmt_header_quoted = b.add_format({"bold": True, "bottom": 1, "quote_prefix": True})

    def _risky(self, text: str) -> bool:
        return self.neutralise and text[:1] in _RISKY_FIRST and neutralise_text(text) != text

    def _header(self, names: Sequence[str]) -> None:
        for c, name in enumerate(names):
            fmt = self._fmt_header_quoted if self._risky(name) else self._fmt_header
            self._sheet.write_string(0, c, name, fmt)

    def _write_text(self, r: int, c: int, text: str, fmt: Any) -> None:
        """A text cell: never a formula; quote-prefixed if a spreadsheet could run it."""
        if len(text) > MAX_CELL_TEXT:
            raise ScanError(
                f"{self._sink.path}: row {r + 1}, column {column_letter(c)}: "
                f"a text of {len(text):,} characters is longer than a workbook cell "
                f"holds ({MAX_CELL_TEXT:,}): write .csv or .parquet instead"
            )
        self._sheet.write_string(r, c, text, self._fmt_quoted if self._risky(text) else fmt)

    def _finish(self, rows: int, columns: int) -> None:
        """Freeze and filter the header, then move the workbook into place."""
        self._sheet.freeze_panes(1, 0)
        self._sheet.autofilter(0, 0, max(rows, 1) - 1, columns - 1)
        try:
            self._book.close()
            self._fh.close()
        except OSError as exc:
            raise ScanError(f"{self._sink.path}: cannot write: {exc.strerror or exc}") from None
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)
        self._sink.commit()

    def discard(self) -> None:
        """Remove the partial workbook and xlsxwriter's temporary files."""
        try:
            book = getattr(self, "_book", None)
            for sheet in book.worksheets() if book is not None else ():
                row_data = getattr(sheet, "row_data_fh", None)  # constant-memory rows
                if row_data is not None:
                    row_data.close()
            self._fh.close()
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._sink.discard()


class WorkbookErrors(_Book):
    """The errors report as an .xlsx workbook: one sheet, ``Errors``, a row per problem.

    The same columns as the CSV report (``line`` a number, the rest text), with the same
    text neutralised by a quote prefix; at most a worksheet's rows are listed (``limit``),
    the rest counted in the summary.
    """

    HEADER = ("line", "column", "value", "reason", "check")
    limit = MAX_ROWS - 1

    def __init__(self, path: str, *, neutralise: bool, cells: bool = False) -> None:
        super().__init__(path, "Errors", neutralise=neutralise)
        self.cells = cells
        self._names = (*self.HEADER, "cell") if cells else self.HEADER
        self._header(self._names)
        self._row = 1

    def write(self, problems: _Problems) -> None:
        """Write the scan's problems (``(line, column, value, reason, check[, cell])``), a row each."""
        sheet = self._sheet
        for record in problems.records():
            r = self._row
            sheet.write_number(r, 0, record[0])
            for c, text in enumerate(record[1:], start=1):
                if text:
                    self._write_text(r, c, str(text), None)
            self._row += 1

    def close(self) -> None:
        """Size the columns, freeze and filter the header, move the file into place."""
        for c, width in enumerate((8, 24, 24, 80, 24, 16)[: len(self._names)]):
            self._sheet.set_column(c, c, width)
        self._finish(self._row, len(self._names))


class WorkbookWriter(_Book):
    """The scanned caseload as an .xlsx workbook, one sheet, streamed row by row.

    Text cells are text (xlsxwriter's ``write_string``: never a formula, whatever they
    start with); text a spreadsheet could take for a formula once edited gets Excel's quote
    prefix (the ``'`` that is shown nowhere and keeps the cell text), unless ``neutralise``
    is false.  Dates are date cells, counts numbers.  The header row is frozen and filtered,
    the columns fitted to their contents, and each ``<timescale>_status`` column coloured:
    missed red, open_overdue yellow, error grey.
    """

    def __init__(
        self,
        path: str,
        schema: Any,
        *,
        status_columns: Sequence[str],
        neutralise: bool,
        raw: Callable[[int, int, int], list[Any] | None] | None = None,
    ) -> None:
        super().__init__(path, "Caseload", neutralise=neutralise)
        self.schema = schema
        self._raw = raw
        self._row = 1
        self._widths = [min(max(len(n), 6), 50) for n in schema.names]
        self._measured = False
        b = self._book
        self._fmt_date = b.add_format({"num_format": _DATE_FORMAT})
        self._fmt_datetime = b.add_format({"num_format": _DATETIME_FORMAT})
        self._header(schema.names)
        self._status = [schema.names.index(n) for n in status_columns if n in schema.names]

    def write(self, batch: Any, added: Sequence[Any]) -> None:
        """Write one block: its own columns, then each check's five."""
        pa = _pyarrow()
        columns = list(batch.columns)
        columns += list(added)  # the checks' columns, from tables.assess_table
        n = batch.num_rows
        if self._row + n > MAX_ROWS:
            raise ScanError(
                f"{self._sink.path}: more rows than a worksheet holds ({MAX_ROWS - 1:,} under "
                "the header): write .csv or .parquet instead"
            )
        prepared = [self._prepare(pa, col) for col in columns]
        if self._raw is not None:  # a workbook's mixed columns: each cell as it was
            lo = self._row - 1
            for c in range(batch.num_columns):
                cells = self._raw(c, lo, lo + n)
                if cells is not None:
                    prepared[c] = (cells, self._write_cell, None)
        if not self._measured:
            self._measure(prepared)
        row = self._row
        for i in range(n):
            r = row + i
            for c, (values, method, fmt) in enumerate(prepared):
                v = values[i]
                if v is not None:
                    method(r, c, v, fmt)
        self._row += n

    def _write_float(self, r: int, c: int, value: float, fmt: Any) -> None:
        """A number; one a workbook cannot hold (infinite, not a number) as its text."""
        if math.isfinite(value):
            self._sheet.write_number(r, c, value, fmt)
        else:
            self._write_text(r, c, str(value), fmt)

    def _write_cell(self, r: int, c: int, value: Any, fmt: Any) -> None:
        """An input workbook's cell as it was: a date, a number, a truth value or text."""
        t = type(value)
        if t is str:
            if value:
                self._write_text(r, c, value, None)
        elif t is float:
            self._write_float(r, c, value, None)
        elif t is int:
            self._sheet.write_number(r, c, value)
        elif t is bool:
            self._sheet.write_boolean(r, c, value)
        elif t is _dt.date or t is _dt.datetime:
            day = value.toordinal() - _EPOCH_ORD
            serial = float(days_serial(day, 1900))
            if t is _dt.datetime:
                serial += (value - _dt.datetime.combine(value.date(), _dt.time())) / _DAY
            if serial >= 1:
                timed = t is _dt.datetime and value.time() != _dt.time()
                self._sheet.write_number(
                    r, c, serial, self._fmt_datetime if timed else self._fmt_date
                )
            else:  # before 1900: no serial, the date as text
                self._write_text(r, c, value.isoformat(), None)
        else:
            self._write_text(r, c, cell_text(value) or "", None)

    def _prepare(self, pa: Any, col: Any) -> tuple[list[Any], Any, Any]:  # noqa: PLR0911 - by kind
        """A column's cells as Python values, the sheet method that writes them, a format."""
        sheet, t = self._sheet, col.type
        if pa.types.is_dictionary(t):
            col = col.dictionary_decode()
            t = col.type
        if pa.types.is_date(t):
            days = col.cast(pa.date32()).cast(pa.int32()).fill_null(0).to_numpy()
            return self._serials(days.astype(np.float64), col), sheet.write_number, self._fmt_date
        if pa.types.is_timestamp(t):
            micros = col.cast(pa.timestamp("us", tz=t.tz)).cast(pa.int64()).fill_null(0)
            days = micros.to_numpy().astype(np.float64) / 86_400e6
            return self._serials(days, col), sheet.write_number, self._fmt_datetime
        if pa.types.is_boolean(t):
            return col.to_pylist(), sheet.write_boolean, None
        if pa.types.is_integer(t):
            return col.to_pylist(), sheet.write_number, None
        if pa.types.is_floating(t):
            return col.to_pylist(), self._write_float, None
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return col.to_pylist(), self._write_text, None
        values = [
            None if v is None else v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
            for v in col.to_pylist()
        ]
        return values, self._write_text, None

    @staticmethod
    def _serials(days: npt.NDArray[np.float64], col: Any) -> list[Any]:
        """Days since 1970 (a fraction for the time) as 1900-system serials; before 1900: None."""
        whole = np.floor(days)
        serial = days_serial(whole.astype(np.int64), 1900) + (days - whole)
        valid = col.is_valid().to_numpy(zero_copy_only=False) & (serial >= 1)
        return [s if ok else None for s, ok in zip(serial.tolist(), valid.tolist(), strict=True)]

    def _measure(self, prepared: list[tuple[list[Any], Any, Any]]) -> None:
        self._measured = True
        for c, (values, _method, fmt) in enumerate(prepared):
            if fmt is self._fmt_date:
                longest = 10
            elif fmt is self._fmt_datetime:
                longest = 19
            else:
                texts = [v for v in values[:_WIDTH_SAMPLE] if v is not None]
                longest = max(
                    (len(v) if isinstance(v, str) else len(str(v)) for v in texts), default=0
                )
                longest = max(
                    (len(line) for v in texts if isinstance(v, str) for line in v.splitlines()),
                    default=longest,
                )
            self._widths[c] = min(max(self._widths[c], longest), 50)

    def close(self) -> None:
        """Finish the sheet (widths, filter, colours) and move the workbook into place."""
        sheet, b = self._sheet, self._book
        last_row = max(self._row - 1, 1)
        for c, width in enumerate(self._widths):
            sheet.set_column(c, c, width + 2)
        for c in self._status:
            for label, (fill, font) in _STATUS_COLOURS.items():
                sheet.conditional_format(
                    1,
                    c,
                    last_row,
                    c,
                    {
                        "type": "cell",
                        "criteria": "==",
                        "value": f'"{label}"',
                        "format": b.add_format({"bg_color": fill, "font_color": font}),
                    },
                )
        self._finish(self._row, len(self.schema.names))
