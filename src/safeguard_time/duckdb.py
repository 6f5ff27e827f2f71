"""SQL functions in a DuckDB connection: the bulk functions, vectorised through Arrow.

:func:`register` adds five functions to a connection.  DuckDB hands each call a vector of
rows (up to 2048 at a time) as Arrow arrays; the function reads them with the same column
reader as :mod:`safeguard_time.bulk` and answers with the same engine, so every row gets
exactly the answer of the Python API:

- ``sgt_due(timescale, start)`` (``DATE``): :func:`safeguard_time.deadline` ``(...).due``;
- ``sgt_status(timescale, start, end, as_of)`` (``VARCHAR``): the label of
  :func:`safeguard_time.assess` ``(...).status``;
- ``sgt_working_days(a, b)`` (``INTEGER``):
  :meth:`~safeguard_time.WorkingCalendar.working_days_between`;
- ``sgt_add_working_days(d, n)`` (``DATE``):
  :meth:`~safeguard_time.WorkingCalendar.add_working_days`;
- ``sgt_is_working_day(d)`` (``BOOLEAN``): :meth:`~safeguard_time.WorkingCalendar.is_working_day`.

**NULL in gives NULL out.**  A NULL argument gives a NULL answer, with one exception that
is part of the meaning: in ``sgt_status`` a NULL ``end`` is an open case, judged as of
``as_of`` (and ``as_of`` is only read for open cases).  An open case with a NULL ``as_of``
has no status: NULL.

**Errors.**  An unknown timescale raises the library's
:class:`~safeguard_time.errors.UnknownTimescaleError`; DuckDB reports it as an
``InvalidInputException`` whose text carries the library's message (the valid ids and the
nearest one).  A row the Python API refuses (a date outside the calendar, no rule in force,
an end before its start) raises the error the one-case API raises for that row, naming its
values; with ``register(con, errors="coerce")`` such rows give NULL instead (``'error'``
in ``sgt_status``, the status vocabulary's own word).

**Dates.**  Arguments are SQL ``DATE`` values (DuckDB casts ISO text such as
``'2024-03-08'`` itself).  A ``TIMESTAMPTZ`` is a moment, not a day: take its London date
first, ``(ts AT TIME ZONE 'Europe/London')::DATE``.

>>> import duckdb
>>> from safeguard_time.duckdb import register
>>> con = register(duckdb.connect())
>>> con.sql("SELECT sgt_due('assessment', DATE '2024-01-25') AS due").fetchall()
[(datetime.date(2024, 3, 28),)]
>>> con.sql("SELECT sgt_status('assessment', DATE '2024-01-25', DATE '2024-04-01', NULL)").fetchall()
[('missed',)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np

from safeguard_time import bulk
from safeguard_time import deadlines as _one
from safeguard_time._bulk_input import MAX_COUNT, NAT
from safeguard_time._engine import as_convention
from safeguard_time._engine.codes import ERROR, STATUS_LABELS
from safeguard_time.calendar import Convention, WorkingCalendar, england_and_wales
from safeguard_time.errors import InvalidOptionError, SafeguardTimeError, extra_needed
from safeguard_time.rules import Policy

if TYPE_CHECKING:
    import duckdb
    import numpy.typing as npt

__all__ = ["FUNCTIONS", "register"]

#: The names of the SQL functions :func:`register` adds.
FUNCTIONS = (
    "sgt_due",
    "sgt_status",
    "sgt_working_days",
    "sgt_add_working_days",
    "sgt_is_working_day",
)

Errors = Literal["raise", "coerce"]


def register(
    con: duckdb.DuckDBPyConnection,
    *,
    policy: Policy | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    calendar: WorkingCalendar | None = None,
    errors: Literal["raise", "coerce"] = "raise",
) -> duckdb.DuckDBPyConnection:
    """Add the ``sgt_*`` SQL functions to a DuckDB connection, and return the connection.

    The options are fixed when the functions are registered, as they are for a whole
    column in :mod:`safeguard_time.bulk`: ``policy`` (the council's switch dates, for
    ``sgt_due`` and ``sgt_status``), ``convention`` (how a start on a non-working day is
    counted; not read by ``sgt_is_working_day``), ``calendar`` (England & Wales by
    default, or one with local closures), and ``errors`` (``"raise"``: a row the Python
    API refuses fails the query with that error; ``"coerce"``: it gives NULL, or
    ``'error'`` as a status).  To use two policies, register on two connections.  A
    connection that already has the functions raises DuckDB's own error.

    Registering imports ``duckdb`` and ``pyarrow`` (the ``duckdb`` extra); importing this
    module does not.

    Args:
        con: the DuckDB connection.
        policy: the council's switch dates, for ``sgt_due`` and ``sgt_status``.
        convention: how day 0 is counted (``event_day_zero`` or ``next_working_day_zero``).
        calendar: the working-day calendar (default: England & Wales).
        errors: ``"raise"`` (a refused row fails the query) or ``"coerce"`` (it gives NULL).

    >>> import duckdb
    >>> con = register(duckdb.connect())
    >>> con.sql('''
    ...     SELECT sgt_working_days(DATE '2022-09-16', DATE '2022-09-23') AS elapsed,
    ...            sgt_add_working_days(DATE '2022-09-16', 1) AS next_day,
    ...            sgt_is_working_day(DATE '2022-09-19') AS funeral_day_worked,
    ...            sgt_due('assessment', NULL) AS no_start
    ... ''').fetchall()
    [(4, datetime.date(2022, 9, 20), False, None)]
    >>> try:
    ...     con.sql("SELECT sgt_due('asessment', DATE '2024-03-08')").fetchall()
    ... except duckdb.InvalidInputException as exc:
    ...     print(str(exc)[str(exc).index("unknown"):][:68])
    unknown timescale 'asessment'; did you mean 'assessment'? valid ids
    """
    _require_arrow()
    if errors not in ("raise", "coerce"):
        raise InvalidOptionError("errors", errors, f"errors={errors!r}: choose 'raise' or 'coerce'")
    fns = _Functions(
        policy=policy,
        convention=as_convention(convention),
        calendar=calendar if calendar is not None else england_and_wales(),
        errors=errors,
    )
    # Type names as text, and the UDF options as text: the forms every DuckDB since 1.2 reads.
    # The functions see NULLs themselves ("special" null handling): DuckDB's default would
    # refuse a NULL answer (errors="coerce"), and a NULL end in sgt_status is an open case.
    signatures: tuple[tuple[str, Callable[..., Any], list[Any], str], ...] = (
        ("sgt_due", fns.due, ["VARCHAR", "DATE"], "DATE"),
        ("sgt_status", fns.status, ["VARCHAR", "DATE", "DATE", "DATE"], "VARCHAR"),
        ("sgt_working_days", fns.working_days, ["DATE", "DATE"], "INTEGER"),
        ("sgt_add_working_days", fns.add_working_days, ["DATE", "BIGINT"], "DATE"),
        ("sgt_is_working_day", fns.is_working_day, ["DATE"], "BOOLEAN"),
    )
    for name, function, params, returns in signatures:
        options: dict[str, Any] = {"type": "arrow", "null_handling": "special"}
        con.create_function(name, function, params, returns, **options)
    return con


def _require_arrow() -> None:
    try:
        import pyarrow  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401, PLC0415
    except ImportError:  # pragma: no cover - pyarrow is a test dependency
        raise ImportError(extra_needed("safeguard_time.duckdb", "pyarrow", "duckdb")) from None


def _array(x: Any) -> Any:
    """One Arrow array of a UDF argument (DuckDB passes chunked arrays)."""
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    if isinstance(x, pa.ChunkedArray):
        return x.chunk(0) if x.num_chunks == 1 else x.combine_chunks()
    return x


def _dates_out(days: npt.NDArray[Any]) -> Any:
    """``datetime64[D]`` days as an Arrow ``date32`` array, NaT as NULL (built from buffers)."""
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    as_int = days.view(np.int64)
    missing = as_int == NAT
    validity = None
    if missing.any():
        validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
        as_int = np.where(missing, 0, as_int)
    data = pa.py_buffer(as_int.astype(np.int32))
    return pa.Array.from_buffers(pa.date32(), len(days), [validity, data])


def _masked_out(values: np.ma.MaskedArray[Any, Any], arrow_type: Any) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    return pa.array(np.ma.getdata(values), arrow_type, mask=np.ma.getmaskarray(values).copy())


def _timescales(column: Any) -> Iterator[tuple[str | None, npt.NDArray[np.int64] | None]]:
    """``(timescale, rows)`` for each distinct timescale; ``rows`` is None for all rows.

    A NULL timescale is yielded as ``None`` with its rows (its answers stay NULL).
    """
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    single = _single_text(column)
    if single is not None:  # the usual case: one timescale named in the query
        yield single, None
        return
    encoded = pc.dictionary_encode(column)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    labels = encoded.dictionary.to_pylist()
    nulls = _nulls(encoded)
    if len(labels) == 0:
        yield None, None
        return
    for code, name in enumerate(labels):
        yield name, np.flatnonzero((codes == code) & ~nulls)
    if nulls.any():
        yield None, np.flatnonzero(nulls)


def _single_text(column: Any) -> str | None:
    """The one value of a string array whose rows all hold the same text, else None.

    Read from the Arrow buffers with numpy: cheaper than hashing every row per call.
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    n = len(column)
    if n == 0 or column.null_count or column.type != pa.string():
        return None
    bufs = column.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=column.offset * 4)
    first, last = int(offsets[0]), int(offsets[-1])
    width = int(offsets[1]) - first
    if width == 0 or last - first != width * n:
        return None
    if not (np.diff(offsets) == width).all():
        return None
    data = np.frombuffer(bufs[2], dtype=np.uint8, count=last - first, offset=first)
    rows = data.reshape(n, width)
    if not (rows == rows[0]).all():
        return None
    return bytes(rows[0]).decode("utf-8")


@attrs.frozen
class _Functions:
    """The registered functions, closed over the options of :func:`register`."""

    policy: Policy | None
    convention: Convention
    calendar: WorkingCalendar
    errors: Errors

    def _refuse(self, what: str, call: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Raise the one-case API's error for a row that bulk could not compute.

        ``call(*args, **kwargs)`` is the one-case API on that row: it raises the library's
        error, with the row's values in its message.  Nothing is raised under ``coerce``.
        """
        if self.errors == "coerce":
            return
        call(*args, **kwargs)
        raise SafeguardTimeError(f"{what}: no answer, and the one-case API gives no reason")

    def _rule_options(self) -> dict[str, Any]:
        return {"policy": self.policy, "convention": self.convention, "calendar": self.calendar}

    def due(self, timescale: Any, start: Any) -> Any:
        """``sgt_due(timescale, start)``: the statutory due date."""
        timescale, start = _array(timescale), _array(start)
        out = np.full(len(start), NAT, dtype=np.int64).view("datetime64[D]")
        opts = self._rule_options()
        for name, rows in _timescales(timescale):
            if name is None:
                continue
            starts = start if rows is None else start.take(rows)
            got = bulk.deadlines(
                name, starts, policy=self.policy, convention=self.convention, calendar=self.calendar
            )
            refused = got.errors.rows[~_nulls(starts)[got.errors.rows]]  # a NULL start: NULL
            if len(refused):
                value = starts[int(refused[0])].as_py()
                self._refuse(f"sgt_due({name!r}, {value})", _one.deadline, name, value, **opts)
            if rows is None:
                out = got.due
            else:
                out[rows] = got.due
        return _dates_out(out)

    def status(self, timescale: Any, start: Any, end: Any, as_of: Any) -> Any:
        """``sgt_status(timescale, start, end, as_of)``: the status label."""
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        timescale, start, end, as_of = (_array(a) for a in (timescale, start, end, as_of))
        n = len(start)
        # NULL in, NULL out: no start, or an open case with no as-of date, has no status.
        no_answer = _nulls(start) | (_nulls(end) & _nulls(as_of))
        codes = np.full(n, ERROR, dtype=np.int8)
        opts = self._rule_options()
        for name, rows in _timescales(timescale):
            if name is None:  # a NULL timescale: no status
                if rows is None:
                    no_answer[:] = True
                else:
                    no_answer[rows] = True
                continue
            picks = [a if rows is None else a.take(rows) for a in (start, end, as_of)]
            result = bulk.assess(name, picks[0], picks[1], as_of=picks[2], **opts)
            picked = no_answer if rows is None else no_answer[rows]
            for row in result.errors.rows:
                if picked[row]:
                    continue
                i = int(row) if rows is None else int(rows[row])
                one = (start[i].as_py(), end[i].as_py())
                self._refuse(
                    f"sgt_status({name!r}, ...)",
                    _one.assess,
                    name,
                    *one,
                    as_of=as_of[i].as_py(),
                    **opts,
                )
                break
            if rows is None:
                codes = result.status
            else:
                codes[rows] = result.status
        labels = np.array(STATUS_LABELS, dtype=object)[codes]
        return pa.array(labels, pa.string(), mask=no_answer)

    def working_days(self, a: Any, b: Any) -> Any:
        """``sgt_working_days(a, b)``: working days d with a < d <= b."""
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        a, b = _array(a), _array(b)
        got = bulk.working_days_between(
            a, b, calendar=self.calendar, convention=self.convention, errors="coerce"
        )
        for i in _failed(got, a, b):
            self._refuse(
                "sgt_working_days",
                self.calendar.working_days_between,
                a[i].as_py(),
                b[i].as_py(),
                convention=self.convention,
            )
        return _masked_out(got, pa.int32())

    def add_working_days(self, d: Any, n: Any) -> Any:
        """``sgt_add_working_days(d, n)``: the date n working days after d (WORKDAY)."""
        d, n = _array(d), _array(n)
        counts = n.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        huge = np.abs(counts) > MAX_COUNT  # far outside the calendar: a row error, not a wrap
        got = bulk.add_working_days(
            d,
            np.where(huge, 0, counts),
            calendar=self.calendar,
            convention=self.convention,
            errors="coerce",
        )
        got[huge | _nulls(n)] = np.datetime64("NaT")
        for i in _failed(np.ma.MaskedArray(got, mask=np.isnat(got)), d, n):
            self._refuse(
                "sgt_add_working_days",
                self.calendar.add_working_days,
                d[i].as_py(),
                int(counts[i]),
                convention=self.convention,
            )
        return _dates_out(got)

    def is_working_day(self, d: Any) -> Any:
        """``sgt_is_working_day(d)``: not a weekend, bank holiday or closure."""
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        d = _array(d)
        got = bulk.is_working_day(d, calendar=self.calendar, errors="coerce")
        for i in _failed(got, d):
            self._refuse("sgt_is_working_day", self.calendar.is_working_day, d[i].as_py())
        return _masked_out(got, pa.bool_())


def _nulls(x: Any) -> npt.NDArray[np.bool_]:
    """Which rows of an Arrow array are NULL."""
    if not x.null_count:
        return np.zeros(len(x), dtype=np.bool_)
    return np.asarray(x.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_)


def _failed(result: np.ma.MaskedArray[Any, Any], *inputs: Any) -> list[int]:
    """The first row (as a list of at most one) with every input present and no answer.

    A masked answer with no NULL argument is a row the Python API refuses (a date or
    result outside the calendar).
    """
    missing = np.ma.getmaskarray(result).copy()
    for x in inputs:
        missing &= ~_nulls(x)
    found = np.flatnonzero(missing)
    return [int(found[0])] if len(found) else []
