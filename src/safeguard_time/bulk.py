"""Whole columns at once: the array path over the same calendar and rule data.

Every function here gives, row by row, exactly the answer of the scalar API
(:meth:`~safeguard_time.WorkingCalendar.add_working_days`,
:func:`~safeguard_time.deadline`, :meth:`~safeguard_time.Deadline.assess`), at close to the
speed of copying the column: the calendar and the rules are precomputed as lookup tables
indexed by day, and columns are processed in cache-sized chunks.

**Inputs.** A column of dates may be a numpy ``datetime64`` array of any unit, a sequence of
``datetime.date`` / ``datetime.datetime`` / ``numpy.datetime64`` / ``None``, a pandas
Series or Index, a polars Series, or a pyarrow Array or ChunkedArray.  Numpy and Arrow
buffers are read in place, not copied.  pandas, polars and pyarrow are imported only when
such a column is given.

**Outputs follow the input.**  numpy (and lists, and Arrow) in gives numpy out: ``datetime64[D]``
dates, masked ``int32`` counts, masked ``bool`` flags.  A pandas Series in gives a Series out
with the same index (and the name every input shares): dates as ``datetime64`` in the input's
unit, counts as nullable ``Int32``, flags as nullable ``boolean``; a polars Series gives a
polars ``Date`` / ``Int32`` / ``Boolean`` Series, nulls where the answer is missing.
:func:`assess` and :func:`deadlines` return result objects of numpy arrays whose
``to_pandas()`` lines up with a pandas input's index and whose ``to_polars()`` gives a polars
frame.

**Dates are London dates.**  A naive timestamp (numpy ``datetime64`` of any unit, a naive
``datetime``, a pandas/polars/Arrow timestamp without a time zone) is London wall time and
is floored to its day: ``2024-03-08T23:59`` is 8 March.  A timestamp with a time zone is
converted to Europe/London first: ``2023-06-30T23:30Z`` is 1 July.

**Missing and bad values.**

- :func:`assess` and :func:`deadlines` never raise for a row: a missing start (``NaT``,
  ``None``, ``NaN``, null), a start or end outside the calendar, a start with no rule in
  force, or an end before its start makes that row an *error row*, listed in ``errors``
  with its row number, column, value and reason; every other row is returned.  A missing
  end is an open case, judged ``as_of``.  Only caller errors raise: an unknown timescale,
  columns of different lengths, a column that holds no dates at all.
- The calendar functions (:func:`add_working_days`, :func:`working_days_between`,
  :func:`is_working_day`) give a missing answer for a missing input (``NaT`` in a date
  result; a masked entry in a count or a flag), and by default raise
  :class:`~safeguard_time.errors.CalendarRangeError` naming the first row whose date or
  result is outside the calendar, like the scalar API.  With ``errors="coerce"`` such rows
  become missing answers instead.

**Provisional answers.**  A row that reads the calendar after its verified horizon is
flagged ``provisional``; each call emits at most one
:class:`~safeguard_time.errors.ProvisionalCalendarWarning`.

>>> import numpy as np
>>> from safeguard_time import bulk
>>> starts = np.array(["2013-04-12", "2013-04-15", "2024-03-08"], dtype="datetime64[D]")
>>> bulk.add_working_days(starts, 45)
array(['2013-06-18', '2013-06-19', '2024-05-15'], dtype='datetime64[D]')
>>> r = bulk.assess("assessment", starts, starts + 50)
>>> r.status_names().tolist(), r.elapsed.tolist()
(['error', 'met', 'met'], [None, 34, 33])
>>> print(r.errors[0].reason)
no rule for 'assessment' was in force on 2013-04-12; the rule that applied then was 'initial...
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import tomllib
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs
import numpy as np

from safeguard_time import _engine as engine
from safeguard_time._bulk_input import NAT, DayColumn, day_scalar, day_value, int_column, to_days
from safeguard_time._bulk_output import (
    NUMPY,
    Shape,
    pandas_counts,
    polars_codes,
    polars_dates,
    polars_masked,
    shape_of,
)
from safeguard_time._engine import kernels as _k
from safeguard_time._engine.codes import (
    ERROR,
    MISSED,
    NOT_APPLICABLE,
    REASON,
    STATUS_LABELS,
    Status,
)
from safeguard_time._engine.tables import CalTables, cal_tables
from safeguard_time._holiday_data import DATA_DIR
from safeguard_time.calendar import Convention, WorkingCalendar, england_and_wales
from safeguard_time.errors import (
    CalendarRangeError,
    InvalidOptionError,
    ProvisionalCalendarWarning,
    RuleDataError,
    SafeguardTimeError,
)
from safeguard_time.rules import Policy

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import polars as pl  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "STATUS_LABELS",
    "BulkAssessment",
    "BulkDeadlines",
    "DurationBins",
    "RowError",
    "RowErrors",
    "Status",
    "add_working_days",
    "assess",
    "bin_schemes",
    "deadlines",
    "duration_bins",
    "is_working_day",
    "working_days_between",
]

Errors = Literal["raise", "coerce"]


@attrs.frozen
class RowError:
    """A row that could not be computed: where, what value, and why.

    ``reason`` is ``str()`` of the error the one-case API raises for the same input, and
    ``code`` that error's stable reason code (see :data:`safeguard_time.errors.REASON_CODES`):
    adapters branch on the code, never on the words.

    Attributes:
        row: the row's position in the input (0-based).
        column: ``"start"``, ``"end"`` or ``"as_of"``.
        value: the value found there (a ``datetime.date`` where possible, ``None`` if missing).
        reason: what went wrong, in words.
        code: the reason code, e.g. ``"no_rule"``, ``"not_a_date"``, ``"end_before_start"``.
    """

    row: int
    column: str
    value: object
    reason: str
    code: str

    @classmethod
    def of(cls, error: SafeguardTimeError) -> RowError:
        """The record of an error placed at a row and column (see ``SafeguardTimeError.at``).

        >>> from safeguard_time.errors import MissingDateError
        >>> RowError.of(MissingDateError.of("start").at(row=4, column="start"))
        RowError(row=4, column='start', value=None, reason='missing start', code='missing')
        """
        assert error.row is not None
        assert error.column is not None
        return cls(error.row, error.column, error.value, str(error), error.code)


class RowErrors(Sequence[RowError]):
    """The error rows of a bulk result, as a read-only sequence of :class:`RowError`.

    Records are built on access, so a column with a million bad rows costs two arrays until
    it is read.  ``rows`` gives the row numbers as an array; :meth:`grouped` describes each
    shared reason once, for a caller that lists many rows.
    """

    __slots__ = ("_codes", "_describe", "_rows")

    def __init__(
        self,
        rows: npt.NDArray[np.int64],
        codes: npt.NDArray[np.int8],
        describe: _Describer,
    ) -> None:
        self._rows = rows
        self._codes = codes
        self._describe = describe
        rows.setflags(write=False)
        codes.setflags(write=False)

    @property
    def rows(self) -> npt.NDArray[np.int64]:
        """The row numbers of the error rows, ascending.

        >>> import numpy as np
        >>> deadlines("assessment", np.array(["NaT", "2024-01-02", "NaT"], "M8[D]")).errors.rows
        array([0, 2])
        """
        return self._rows

    @property
    def codes(self) -> npt.NDArray[np.int8]:
        """The engine's row error code of each error row (see ``_engine.codes``), read-only.

        Each stands for a row's ``code`` (``missing``, ``out_of_range``, ...), as a small
        integer: one array for a million bad rows.

        >>> import numpy as np
        >>> errors = deadlines("assessment", np.array(["NaT", "2024-01-02", "1989-12-29"], "M8[D]")).errors
        >>> len(errors.codes) == len(errors.rows), [e.code for e in errors]
        (True, ['missing', 'out_of_range'])
        """
        return self._codes

    def where(self, keep: npt.NDArray[np.bool_]) -> RowErrors:
        """The error rows where ``keep`` (one flag per error row) is true.

        >>> import numpy as np
        >>> errors = deadlines("assessment", np.array(["NaT", "1989-12-29"], "M8[D]")).errors
        >>> [e.code for e in errors.where(np.array([False, True]))]
        ['out_of_range']
        """
        keep = np.asarray(keep, dtype=np.bool_)
        if keep.shape != self._rows.shape:
            raise ValueError(f"keep has {keep.size} flags for {len(self._rows)} error rows")
        return RowErrors(self._rows[keep], self._codes[keep], self._describe)

    def grouped(self) -> tuple[npt.NDArray[np.int64], list[RowError]]:
        """The error rows by shared reason: each row's group, and each group's error.

        Rows whose errors are made from the same code and days (a thousand blank starts)
        are one group, described once; ``errors[group[j]]`` is row ``j``'s error but for
        its ``row``.  A value that is not a date is a group of its own.  The groups' errors
        are those of their first rows.

        >>> import numpy as np
        >>> starts = np.array(["NaT", "2012-05-01", "NaT"], "M8[D]")
        >>> group, errors = deadlines("assessment", starts).errors.grouped()
        >>> group.tolist(), [(e.row, e.code) for e in errors]
        ([0, 1, 0], [(0, 'missing'), (1, 'no_rule')])
        """
        return self._describe.groups(self._rows, self._codes)

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> RowError: ...
    @overload
    def __getitem__(self, i: slice) -> list[RowError]: ...
    def __getitem__(self, i: int | slice) -> RowError | list[RowError]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        j = range(len(self))[i]
        return self._describe.error(int(self._rows[j]), int(self._codes[j]))

    def __iter__(self) -> Iterator[RowError]:
        group, errors = self.grouped()
        for row, g in zip(self._rows.tolist(), group.tolist(), strict=True):
            e = errors[g]
            yield e if e.row == row else RowError(row, e.column, e.value, e.reason, e.code)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(repr(e) for e in self[:3])
        more = f", ... ({len(self)} in all)" if len(self) > 3 else ""
        return f"RowErrors([{shown}{more}])"


def _labels(codes: npt.NDArray[Any], names: Sequence[str | None]) -> npt.NDArray[np.object_]:
    table = np.array([*names, None], dtype=object)
    return table[np.where(codes < 0, len(names), codes)]


@attrs.frozen(eq=False)
class BulkDeadlines:
    """Due dates of one timescale for a column of start dates (see :func:`deadlines`).

    Attributes:
        timescale: the timescale id.
        convention: how working days were counted.
        due: the statutory due dates (``NaT`` on error rows).
        last_working_day: ``due``, or the last working day before it for calendar-period
            rules (a due date may be a weekend; the working day is when to act by).
        rule: per row, the code of the rule in force on the start date (-1: none).
        rule_ids: the rule id of each code: ``rule_ids[code]``.
        provisional: per row, whether the due date depends on unverified bank holidays.
        errors: the rows that could not be computed.

    The attributes are the engine's numpy arrays whatever the input;
    :meth:`to_pandas` and :meth:`to_polars` give the result as a frame, lined up with a
    pandas input's index.
    """

    timescale: str
    convention: Convention
    due: npt.NDArray[np.datetime64]
    last_working_day: npt.NDArray[np.datetime64]
    rule: npt.NDArray[np.integer[Any]]
    rule_ids: tuple[str, ...]
    provisional: npt.NDArray[np.bool]
    errors: RowErrors
    _shape: Shape = attrs.field(default=NUMPY, kw_only=True, repr=False)

    def __len__(self) -> int:
        return len(self.due)

    def to_pandas(self, index: Any = None) -> pd.DataFrame:
        """The result as a pandas DataFrame (pandas is imported here, not before).

        Columns: ``due`` and ``last_working_day`` (the input's date type, see
        :ref:`bulk-types`; ``NaT`` on error rows), ``rule`` (a categorical),
        ``provisional``, and ``error`` (the reason on error rows).  The index is ``index``,
        else the input Series' own index.

        >>> import pandas as pd
        >>> s = pd.Series(pd.to_datetime(["2024-03-08", None]), index=[10, 20])
        >>> deadlines("first_cp_review", s).to_pandas()[["due", "last_working_day", "error"]]
                  due last_working_day          error
        10 2024-06-08       2024-06-07           <NA>
        20        NaT              NaT  missing start
        """
        import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        shape = self._shape
        return pd.DataFrame(
            {
                "due": shape.pandas_dates(self.due),
                "last_working_day": shape.pandas_dates(self.last_working_day),
                "rule": _pandas_codes(self.rule, self.rule_ids),
                "provisional": self.provisional,
                "error": pd.array(_error_texts(self.errors, len(self)), dtype="string"),
            },
            index=shape.frame_index(index),
        )

    def to_polars(self) -> pl.DataFrame:
        """The result as a polars DataFrame (polars is imported here, not before).

        The columns of :meth:`to_pandas`: ``due`` and ``last_working_day`` as ``Date``,
        ``rule`` as an ``Enum`` of the rule ids, ``provisional``, ``error`` (``String``);
        missing values are nulls.

        >>> import datetime as dt, polars as pl
        >>> d = deadlines("assessment", pl.Series([dt.date(2024, 1, 25), None]))
        >>> d.to_polars()["due"].to_list(), d.to_polars()["error"].to_list()
        ([datetime.date(2024, 3, 28), None], [None, 'missing start'])
        """
        import polars as pl  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

        return pl.DataFrame(
            [
                polars_dates("due", self.due),
                polars_dates("last_working_day", self.last_working_day),
                polars_codes("rule", self.rule, self.rule_ids),
                pl.Series("provisional", self.provisional, dtype=pl.Boolean),
                pl.Series("error", _error_texts(self.errors, len(self)).tolist(), dtype=pl.String),
            ]
        )

    def rule_names(self) -> npt.NDArray[np.object_]:
        """The rule id of each row (``None`` where no rule applied).

        >>> import numpy as np
        >>> d = deadlines("initial_assessment", np.array(["2009-06-01", "2011-06-01"], "M8[D]"))
        >>> d.rule_names().tolist(), d.due.tolist()
        (['initial_assessment.fw2000', 'initial_assessment.wt2010'], [datetime.date(2009, 6, 10), datetime.date(2011, 6, 15)])
        """
        return _labels(self.rule, self.rule_ids)


@attrs.frozen(eq=False)
class BulkAssessment:
    """Timeliness of one timescale for a column of cases (see :func:`assess`).

    Attributes:
        timescale: the timescale id.
        convention: how working days were counted.
        due: the due dates (``NaT`` where the start could not be used).
        elapsed: working days from the start to the end, or to ``as_of`` for an open case:
            a masked ``int32`` array, masked on error and not_applicable rows.
        status: status codes (``int8``, :attr:`safeguard_time.Status.code`): met 0, missed 1,
            open_in_time 2, open_overdue 3, not_applicable 4, error -1.
        late: working days after the due date (0 when in time), masked like ``elapsed``.
        rule: per row, the code of the rule in force on the start date (-1: none).
        rule_ids: the rule id of each code: ``rule_ids[code]``.
        provisional: per row, whether the answer depends on unverified bank holidays.
        errors: the rows that could not be computed, with the reason.

    The attributes are the engine's numpy arrays whatever the input (counts as masked
    arrays); :meth:`to_pandas` and :meth:`to_polars` give the result as a frame with
    nullable counts, lined up with a pandas input's index.
    """

    timescale: str
    convention: Convention
    due: npt.NDArray[np.datetime64]
    elapsed: np.ma.MaskedArray[tuple[int], np.dtype[np.int32]]
    status: npt.NDArray[np.int8]
    late: np.ma.MaskedArray[tuple[int], np.dtype[np.int32]]
    rule: npt.NDArray[np.integer[Any]]
    rule_ids: tuple[str, ...]
    provisional: npt.NDArray[np.bool]
    errors: RowErrors
    _shape: Shape = attrs.field(default=NUMPY, kw_only=True, repr=False)

    def __len__(self) -> int:
        return len(self.status)

    @property
    def ok(self) -> npt.NDArray[np.bool_]:
        """Which rows were computed (status is not error; not_applicable rows are ok).

        >>> import numpy as np
        >>> s = np.array(["2024-03-08", "2024-03-08"], dtype="datetime64[D]")
        >>> assess("assessment", s, s + np.array([10, -1])).ok
        array([ True, False])
        """
        return np.asarray(self.status != ERROR, dtype=np.bool_)

    def status_names(self) -> npt.NDArray[np.object_]:
        """The status of each row as its label (``"met"``, ..., ``"not_applicable"``, ``"error"``).

        >>> import numpy as np
        >>> s = np.array(["2024-03-08", "2024-03-08"], dtype="datetime64[D]")
        >>> assess("assessment", s, s + np.array([30, 90])).status_names()
        array(['met', 'missed'], dtype=object)
        """
        return np.array(STATUS_LABELS, dtype=object)[self.status]

    def rule_names(self) -> npt.NDArray[np.object_]:
        """The rule id of each row (``None`` where no rule applied).

        >>> import numpy as np
        >>> s = np.array(["2013-04-15", "2024-03-08"], dtype="datetime64[D]")
        >>> assess("assessment", s, s + 10).rule_names().tolist()
        ['assessment.wt2013', 'assessment.wt2023']
        """
        return _labels(self.rule, self.rule_ids)

    def counts(self) -> dict[str, int]:
        """How many rows have each status.

        >>> import numpy as np
        >>> s = np.array(["2024-03-08", "2024-03-08", "NaT", "2024-03-08"], dtype="datetime64[D]")
        >>> assess("assessment", s, s + np.array([10, 90, 0, -1])).counts()
        {'met': 1, 'missed': 1, 'open_in_time': 0, 'open_overdue': 0, 'not_applicable': 1, 'error': 1}
        """
        n = len(STATUS_LABELS)
        found = np.bincount(self.status.astype(np.int64) + 1, minlength=n)
        return {label: int(found[(i + 1) % n]) for i, label in enumerate(STATUS_LABELS)}

    def bins(self, scheme: str | None = None) -> DurationBins:
        """DfE-style duration bins of the completed rows (see :func:`duration_bins`).

        >>> import numpy as np
        >>> s = np.array(["2024-03-08", "2024-03-08", "2024-03-08", "NaT"], dtype="datetime64[D]")
        >>> b = assess("assessment", s, s + np.array([0, 14, 80, 0])).bins()
        >>> b.counts.tolist(), b.excluded
        ([1, 1, 0, 0, 0, 0, 0, 1, 0], 1)
        """
        return duration_bins(self, scheme)

    def to_pandas(self, index: Any = None) -> pd.DataFrame:
        """The result as a pandas DataFrame (pandas is imported here, not before).

        Columns: ``due`` (the input's date type, see :ref:`bulk-types`), ``elapsed`` and
        ``late`` (nullable ``Int32``, missing on error and not_applicable rows), ``status``
        and ``rule`` (categoricals), ``provisional``, and ``error`` (the reason on error
        rows).  The index is ``index``, else the input Series' own index, so the result
        lines up with the frame the columns came from.

        >>> import numpy as np
        >>> s = np.array(["2024-03-08", "NaT", "2011-06-01"], dtype="datetime64[D]")
        >>> e = np.array(["2024-03-18", "2024-03-18", "NaT"], dtype="datetime64[D]")
        >>> assess("assessment", s, e, as_of=np.datetime64("2012-01-09")).to_pandas()[
        ...     ["status", "elapsed", "error"]]
                   status  elapsed          error
        0             met        6           <NA>
        1           error     <NA>  missing start
        2  not_applicable     <NA>           <NA>
        >>> import pandas as pd
        >>> cases = pd.DataFrame({"referral": pd.to_datetime(["2024-01-25", "2024-01-25"]),
        ...                       "done": pd.to_datetime(["2024-04-01", None])}, index=[4, 9])
        >>> assess("assessment", cases.referral, cases.done, as_of="2024-03-31").to_pandas()[
        ...     ["due", "status", "late"]]
                 due        status  late
        4 2024-03-28        missed     1
        9 2024-03-28  open_overdue     1
        """
        import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        shape = self._shape
        return pd.DataFrame(
            {
                "due": shape.pandas_dates(self.due),
                "elapsed": pandas_counts(self.elapsed),
                "status": pd.Categorical.from_codes(
                    np.where(self.status < 0, len(STATUS_LABELS) - 1, self.status).astype(np.int64),
                    dtype=pd.CategoricalDtype(list(STATUS_LABELS)),
                ),
                "late": pandas_counts(self.late),
                "rule": _pandas_codes(self.rule, self.rule_ids),
                "provisional": self.provisional,
                "error": pd.array(_error_texts(self.errors, len(self)), dtype="string"),
            },
            index=shape.frame_index(index),
        )

    def to_polars(self) -> pl.DataFrame:
        """The result as a polars DataFrame (polars is imported here, not before).

        The columns of :meth:`to_pandas`: ``due`` as ``Date``, ``elapsed`` and ``late`` as
        ``Int32`` (null on error and not_applicable rows), ``status`` as an ``Enum`` of the
        status labels, ``rule`` as an ``Enum`` of the rule ids, ``provisional``, ``error``.

        >>> import datetime as dt, polars as pl
        >>> s = pl.Series([dt.date(2024, 1, 25), dt.date(2024, 1, 25)])
        >>> e = pl.Series([dt.date(2024, 4, 1), dt.date(2024, 1, 1)])
        >>> assess("assessment", s, e).to_polars().select("status", "late").rows()
        [('missed', 1), ('error', None)]
        """
        import polars as pl  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

        return pl.DataFrame(
            [
                polars_dates("due", self.due),
                polars_masked("elapsed", self.elapsed, "Int32"),
                polars_codes("status", self.status % len(STATUS_LABELS), STATUS_LABELS),
                polars_masked("late", self.late, "Int32"),
                polars_codes("rule", self.rule, self.rule_ids),
                pl.Series("provisional", self.provisional, dtype=pl.Boolean),
                pl.Series("error", _error_texts(self.errors, len(self)).tolist(), dtype=pl.String),
            ]
        )


def _error_texts(errors: RowErrors, n: int) -> npt.NDArray[np.object_]:
    """The reason of each error row, ``None`` on the others."""
    out = np.full(n, None, dtype=object)
    for e in errors:
        out[e.row] = e.reason
    return out


def _pandas_codes(codes: npt.NDArray[Any], labels: Sequence[str]) -> Any:
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    return pd.Categorical.from_codes(
        codes.astype(np.int64), dtype=pd.CategoricalDtype(list(labels))
    )


# --- common plumbing ----------------------------------------------------------------------


def _calendar(calendar: WorkingCalendar | None) -> WorkingCalendar:
    return calendar if calendar is not None else england_and_wales()


def _convention(value: Convention | str) -> Convention:
    return engine.as_convention(value)  # one parser for the scalar and bulk paths


def _same_length(a: DayColumn, b: DayColumn, names: str) -> None:
    if len(a) != len(b):
        raise InvalidOptionError(
            "columns",
            (len(a), len(b)),
            f"{names} have different lengths: {len(a)} and {len(b)} rows",
        )


def _warn_provisional(cal: WorkingCalendar, count: int, total: int) -> None:
    source = f" ({cal.projection})" if cal.projection else ""
    warnings.warn(
        f"{count} of {total} results depend on {cal.name} bank holidays after "
        f"{cal.verified_through}, which are projections{source}, not the verified list "
        "(see the provisional flags)",
        ProvisionalCalendarWarning,
        stacklevel=3,
    )


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, _dt.date) else str(value)


def _range_text(cal: WorkingCalendar) -> str:
    return f"the supported calendar range {cal.first.isoformat()} to {cal.last.isoformat()}"


def _range_error(
    cal: WorkingCalendar, row: int | None, what: str, value: object
) -> CalendarRangeError:
    where = what if row is None else f"row {row}: {what}"
    anchor = value if isinstance(value, _dt.date) else cal.last
    err = CalendarRangeError(anchor, cal.first, cal.last, what=where)
    if not isinstance(value, _dt.date):
        err.args = (f"{where} {_iso(value)} is outside {_range_text(cal)}",)
    return err


def _check_bad(col: DayColumn, what: str, errors: Errors) -> None:
    if col.bad and errors == "raise":
        row = min(col.bad)
        err = col.error(row)
        raise type(err)(f"row {row}: {what}: {err}", value=col.bad[row]).at(row=row, column=what)


# --- the calendar functions ---------------------------------------------------------------


@overload
def add_working_days(
    starts: npt.NDArray[Any] | Sequence[Any],
    n: Any,
    *,
    calendar: WorkingCalendar | None = None,
    convention: Convention | str = ...,
    errors: Literal["raise", "coerce"] = "raise",
) -> npt.NDArray[np.datetime64]: ...
@overload
def add_working_days(
    starts: Any,
    n: Any,
    *,
    calendar: WorkingCalendar | None = None,
    convention: Convention | str = ...,
    errors: Literal["raise", "coerce"] = "raise",
) -> Any: ...
def add_working_days(
    starts: Any,
    n: Any,
    *,
    calendar: WorkingCalendar | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    errors: Literal["raise", "coerce"] = "raise",
) -> Any:
    """The date ``n`` working days after each start: Excel's ``WORKDAY``, column-wise.

    The same answer as :meth:`~safeguard_time.WorkingCalendar.add_working_days` on every row; ``n`` is an
    int or an integer column.  A missing start gives ``NaT``.  A start or result outside
    the calendar raises :class:`~safeguard_time.errors.CalendarRangeError` naming the row,
    or gives ``NaT`` with ``errors="coerce"``.

    >>> import numpy as np
    >>> s = np.array(["2022-09-16", "2024-03-09", "NaT"], dtype="datetime64[D]")
    >>> add_working_days(s, 1)                      # Mon 19 Sep 2022: state funeral
    array(['2022-09-20', '2024-03-11',        'NaT'], dtype='datetime64[D]')
    >>> add_working_days(s, [1, 1, 1], convention="next_working_day_zero")
    array(['2022-09-20', '2024-03-12',        'NaT'], dtype='datetime64[D]')
    >>> add_working_days(np.array(["1989-12-29"], dtype="datetime64[D]"), 5, errors="coerce")
    array(['NaT'], dtype='datetime64[D]')

    A pandas Series in gives a Series out, with its index and name (a polars Series: a
    polars ``Date`` Series; see :ref:`bulk-types`):

    >>> import pandas as pd
    >>> s = pd.Series(pd.to_datetime(["2022-09-16", None]), index=[7, 3], name="referral")
    >>> add_working_days(s, 1)
    7   2022-09-20
    3          NaT
    Name: referral, dtype: datetime64[...]
    """
    shape = shape_of(starts, n, names=("starts", "n"))
    cal = _calendar(calendar)
    conv = _convention(convention)
    col = to_days(starts, "starts")
    _check_bad(col, "start", errors)
    scalar_n, n_arr = int_column(n, len(col), "n")
    t = cal_tables(cal)
    out = np.empty(len(col), dtype="datetime64[D]")
    out_i = out.view(np.int64)
    provisional = 0
    for lo in range(0, len(col), _k.CHUNK):
        hi = min(lo + _k.CHUNK, len(col))
        s = col.chunk(lo, hi)
        n_chunk: int | npt.NDArray[np.int64] = scalar_n if scalar_n is not None else n_arr[lo:hi]
        result, _missing, bad = _k.add_chunk(t, s, n_chunk, conv)
        if bad.any() and errors == "raise":
            row = int(np.flatnonzero(bad)[0])
            _raise_add(cal, t, col, lo + row, s[row], n_chunk, conv)
        out_i[lo:hi] = result
        provisional += int(
            np.count_nonzero((result != NAT) & (np.maximum(result, s) > t.verified_last))
        )
    if provisional:
        if cal._projection is not None:  # read the projected years, then count again
            again = scalar_n if scalar_n is not None else n_arr
            return add_working_days(
                col, again, calendar=cal._projected(), convention=conv, errors=errors
            )
        _warn_provisional(cal, provisional, len(col))
    return shape.dates(out)


def _raise_add(
    cal: WorkingCalendar,
    t: CalTables,
    col: DayColumn,
    row: int,
    day: np.int64,
    n: int | npt.NDArray[np.int64],
    conv: Convention,
) -> None:
    value = col.value(row)
    if not t.first <= int(day) <= t.last:
        raise _range_error(cal, row, "start", value)
    raise CalendarRangeError(
        cal.last,
        cal.first,
        cal.last,
        result_of=f"row {row}: counting from {_iso(value)}",
    )


@overload
def working_days_between(
    starts: npt.NDArray[Any] | Sequence[Any],
    ends: npt.NDArray[Any] | Sequence[Any],
    *,
    calendar: WorkingCalendar | None = None,
    convention: Convention | str = ...,
    errors: Literal["raise", "coerce"] = "raise",
) -> np.ma.MaskedArray[tuple[int], np.dtype[np.int32]]: ...
@overload
def working_days_between(
    starts: Any,
    ends: Any,
    *,
    calendar: WorkingCalendar | None = None,
    convention: Convention | str = ...,
    errors: Literal["raise", "coerce"] = "raise",
) -> Any: ...
def working_days_between(
    starts: Any,
    ends: Any,
    *,
    calendar: WorkingCalendar | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    errors: Literal["raise", "coerce"] = "raise",
) -> Any:
    """Working days elapsed from each start to each end: days d with start < d <= end.

    The same answer as :meth:`~safeguard_time.WorkingCalendar.working_days_between` on every row
    (negative when the end is before the start).  The result is a masked ``int32`` array:
    a row with a missing start or end is masked.  A date outside the calendar raises
    :class:`~safeguard_time.errors.CalendarRangeError` naming the row, or is masked with
    ``errors="coerce"``.

    >>> import numpy as np
    >>> s = np.array(["2024-03-08", "2024-03-09", "2024-03-08"], dtype="datetime64[D]")
    >>> e = np.array(["2024-05-15", "2024-03-12", "NaT"], dtype="datetime64[D]")
    >>> working_days_between(s, e).tolist()          # masked: None in a list
    [45, 2, None]
    >>> working_days_between(s, e, convention="next_working_day_zero").filled(-1)
    array([45,  1, -1], dtype=int32)

    pandas in, pandas out: a nullable ``Int32`` Series with the starts' index (polars: an
    ``Int32`` Series with nulls; see :ref:`bulk-types`):

    >>> import pandas as pd
    >>> a = pd.Series(pd.to_datetime(["2024-03-08", "2024-03-09"]), index=["x", "y"])
    >>> working_days_between(a, pd.Series([pd.Timestamp("2024-05-15"), None], index=["x", "y"]))
    x      45
    y    <NA>
    dtype: Int32
    """
    shape = shape_of(starts, ends, names=("starts", "ends"))
    cal = _calendar(calendar)
    conv = _convention(convention)
    a = to_days(starts, "starts")
    b = to_days(ends, "ends")
    _same_length(a, b, "starts and ends")
    _check_bad(a, "start", errors)
    _check_bad(b, "end", errors)
    t = cal_tables(cal)
    n = len(a)
    data = np.empty(n, dtype=np.int32)
    mask = np.empty(n, dtype=np.bool_)
    provisional = 0
    for lo in range(0, n, _k.CHUNK):
        hi = min(lo + _k.CHUNK, n)
        s, e = a.chunk(lo, hi), b.chunk(lo, hi)
        counts, missing, bad = _k.between_chunk(t, s, e, conv)
        if bad.any() and errors == "raise":
            row = int(np.flatnonzero(bad)[0])
            for col, what, day in ((a, "start", s[row]), (b, "end", e[row])):
                if not t.first <= int(day) <= t.last:
                    raise _range_error(cal, lo + row, what, col.value(lo + row))
            raise CalendarRangeError(
                cal.last,
                cal.first,
                cal.last,
                result_of=f"row {lo + row}: counting from {_iso(a.value(lo + row))}",
            )
        data[lo:hi] = counts
        mask[lo:hi] = missing | bad
        good = ~mask[lo:hi]
        provisional += int(np.count_nonzero(good & (np.maximum(s, e) > t.verified_last)))
    if provisional:
        if cal._projection is not None:  # read the projected years, then count again
            return working_days_between(
                a, b, calendar=cal._projected(), convention=conv, errors=errors
            )
        _warn_provisional(cal, provisional, n)
    return shape.counts(np.ma.MaskedArray(data, mask=mask))


@overload
def is_working_day(
    dates: npt.NDArray[Any] | Sequence[Any],
    *,
    calendar: WorkingCalendar | None = None,
    errors: Literal["raise", "coerce"] = "raise",
) -> np.ma.MaskedArray[tuple[int], np.dtype[np.bool_]]: ...
@overload
def is_working_day(
    dates: Any,
    *,
    calendar: WorkingCalendar | None = None,
    errors: Literal["raise", "coerce"] = "raise",
) -> Any: ...
def is_working_day(
    dates: Any,
    *,
    calendar: WorkingCalendar | None = None,
    errors: Literal["raise", "coerce"] = "raise",
) -> Any:
    """Whether each date is a working day (not a weekend, bank holiday or closure).

    A masked ``bool`` array: a missing date is masked.  A date outside the calendar raises
    :class:`~safeguard_time.errors.CalendarRangeError` naming the row, or is masked with
    ``errors="coerce"``.

    >>> import numpy as np
    >>> is_working_day(np.array(["2023-05-08", "2020-05-04", "NaT"], "M8[D]")).tolist()
    [False, True, None]

    A polars Series in gives a polars ``Boolean`` Series out, with nulls where the date is
    missing (pandas: a nullable ``boolean`` Series; see :ref:`bulk-types`):

    >>> import datetime as dt, polars as pl
    >>> is_working_day(pl.Series("day", [dt.date(2023, 5, 8), None])).to_list()
    [False, None]
    """
    shape = shape_of(dates)
    cal = _calendar(calendar)
    col = to_days(dates, "dates")
    _check_bad(col, "date", errors)
    t = cal_tables(cal)
    n = len(col)
    data = np.empty(n, dtype=np.bool_)
    mask = np.empty(n, dtype=np.bool_)
    provisional = 0
    for lo in range(0, n, _k.CHUNK):
        hi = min(lo + _k.CHUNK, n)
        d = col.chunk(lo, hi)
        inside = _k.in_range(t, d)
        missing = d == NAT
        bad = ~inside & ~missing
        if bad.any() and errors == "raise":
            row = lo + int(np.flatnonzero(bad)[0])
            raise _range_error(cal, row, "date", col.value(row))
        data[lo:hi] = t.working[np.where(inside, d, t.first) - t.base]
        mask[lo:hi] = ~inside
        provisional += int(np.count_nonzero(inside & (d > t.verified_last)))
    if provisional:
        if cal._projection is not None:  # read the projected years, then look again
            return is_working_day(col, calendar=cal._projected(), errors=errors)
        _warn_provisional(cal, provisional, n)
    return shape.flags(np.ma.MaskedArray(data, mask=mask))


# --- deadlines and assess -----------------------------------------------------------------


@attrs.define(eq=False)
class _Describer:
    """The errors of a bulk result's error rows, described once per shared reason.

    Rows with the same code and the same days of those its error is made from
    (``engine.ROW_ERROR_READS``) share one reason: a million rows blank in the same column,
    or a thousand cases from the same day with no rule in force, are described once each.
    A value that is not a date has its own reason (and code), and is always its own.
    :meth:`keys` is that rule, for one row (a lookup) or all of them (a grouping).  A
    shared reason is described once for every result of the same plan (``plan.described``).
    """

    plan: engine.RulePlan
    starts: DayColumn
    ends: DayColumn | None = None
    as_of_col: DayColumn | None = None
    as_of: int = NAT
    _days: tuple[npt.NDArray[np.int64] | None, ...] | None = attrs.field(init=False, default=None)

    def keys(self, rows: npt.NDArray[np.int64], codes: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
        """Per error row, the key of its reason: ``(code, start, end, as_of, own)``.

        Days an error is not made from are NaT; ``own`` is the row for a code whose reason
        is the cell's own, else -1.
        """
        if self._days is None:
            self._days = tuple(
                col.chunk(0, len(col)) if col is not None else None
                for col in (self.starts, self.ends, self.as_of_col)
            )
        out = np.full((len(rows), 5), NAT, dtype=np.int64)
        out[:, 0] = codes
        for k, days in enumerate(self._days):
            uses = _USES[codes, k]
            if days is not None:
                out[uses, k + 1] = days[rows[uses]]
        if self.as_of_col is None:  # one as-of day for every row
            out[_USES[codes, 2], 3] = self.as_of
        out[:, 4] = np.where(_OWN[codes], rows, -1)
        return out

    def error(self, row: int, code: int) -> RowError:
        """The error at one row (described, or the shared reason of its key)."""
        key = self.keys(np.array([row]), np.array([code]))[0]
        return self._error(row, code, key)

    def _error(self, row: int, code: int, key: npt.NDArray[np.int64]) -> RowError:
        source = engine.reason_source(code, self.starts, self.ends, self.as_of_col)
        if _OWN[code] or (source is not None and row in source.bad):
            return self._described(row, code)  # the reason quotes the cell's own value
        shared = tuple(key[:4].tolist())
        memo = self.plan.described
        found = memo.get(shared)
        if found is None:
            err = self._described(row, code)
            if len(memo) >= _DESCRIBED_MAX:
                memo.clear()
            memo[shared] = (err.column, err.value, err.reason, err.code)
            return err
        column_name, value, reason, name = found
        return RowError(row, column_name, value, reason, name)

    def _described(self, row: int, code: int) -> RowError:
        return RowError.of(
            engine.column_row_error(
                self.plan, code, row, self.starts, self.ends, self.as_of_col, self.as_of
            )
        )

    def groups(
        self, rows: npt.NDArray[np.int64], codes: npt.NDArray[Any]
    ) -> tuple[npt.NDArray[np.int64], list[RowError]]:
        """The rows grouped by their reason's key: each row's group, each group's error.

        A group's error is the error at its first row.
        """
        if not len(rows):
            return np.zeros(0, dtype=np.int64), []
        keys = self.keys(rows, codes)
        _, first, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        errors = [self._error(int(rows[j]), int(codes[j]), keys[j]) for j in first.tolist()]
        return group.reshape(-1).astype(np.int64, copy=False), errors


#: The most reasons a plan keeps described (``RulePlan.described``: the blocks of a scan, or
#: a notebook's calls, describe each shared reason once, by its key in
#: :meth:`_Describer.keys` but for ``own``); past it, the plan's memo is emptied.  A value
#: that is not a date is never kept: its reason is its own.
_DESCRIBED_MAX = 1 << 14


#: Row error codes whose reason is the cell's own (a value that is not a date).
_OWN = np.zeros(max(REASON) + 1, dtype=np.bool_)
_OWN[[code for code, (name, _) in REASON.items() if name == "not_a_date"]] = True
#: Per row error code, whether its error is made from the start, the end, the as-of day.
_USES = np.array(
    [
        [name in engine.ROW_ERROR_READS.get(code, ()) for name in ("start", "end", "as_of")]
        for code in range(max(REASON) + 1)
    ],
    dtype=np.bool_,
)


def deadlines(
    timescale: str,
    starts: Any,
    *,
    policy: Policy | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    calendar: WorkingCalendar | None = None,
    phase: str | None = None,
    extensions: int = 0,
) -> BulkDeadlines:
    """Due dates of ``timescale`` for a column of start dates, the rule chosen per row.

    Each row gets the rule in force on its own start date under ``policy``, as
    :func:`~safeguard_time.deadline` would: a column of 2008-2014 referrals gets 7, 10 or
    45 working days as the editions say.  Rows that cannot be computed (missing start,
    outside the calendar, no rule in force) are listed in ``errors``; every other row is
    returned.  An unknown timescale raises
    :class:`~safeguard_time.errors.UnknownTimescaleError`.

    Args:
        timescale: a timescale id (``assessment``).
        starts: the start events' dates: a numpy array, a pandas, polars or Arrow column, or a
            sequence.
        policy: the council's switch dates.
        convention: how day 0 is counted (``event_day_zero`` or ``next_working_day_zero``).
        calendar: the working-day calendar (default: England & Wales).
        phase: the phase of a rule that has phases.
        extensions: how many of the rule's extensions to apply.

    Returns:
        The due dates, the last working day on or before each, the rules and the error rows.

    >>> import numpy as np
    >>> s = np.array(["2013-04-12", "2013-04-15", "NaT"], dtype="datetime64[D]")
    >>> d = deadlines("initial_assessment", s)
    >>> d.due, d.rule_names().tolist()
    (array(['2013-04-26',        'NaT',        'NaT'], dtype='datetime64[D]'), ['initial_assessment.wt2010', None, None])
    >>> [(e.row, e.code, e.reason) for e in d.errors]  # doctest: +NORMALIZE_WHITESPACE
    [(1, 'no_rule', "no rule for 'initial_assessment' was in force on 2013-04-15; the rule that applied then was 'assessment'"),
     (2, 'missing', 'missing start')]
    """
    shape = shape_of(starts, names=("starts",))
    plan = engine.plan(timescale, calendar, policy, phase, convention, extensions)
    col = to_days(starts, "starts")
    out = engine.deadline_columns(plan, col)
    plan = out.plan  # the projected calendar's, when a row needed it
    _warn_rows(plan, out.provisional)
    return BulkDeadlines(
        timescale=timescale,
        convention=plan.convention,
        due=out.due,
        last_working_day=out.last_working_day,
        rule=out.rule,
        rule_ids=plan.rule_ids,
        provisional=out.provisional,
        errors=RowErrors(out.error_rows, out.error_codes, _Describer(plan, col)),
        shape=shape,
    )


def assess(
    timescale: str,
    starts: Any,
    ends: Any = None,
    *,
    as_of: Any = None,
    policy: Policy | None = None,
    convention: Convention | str = Convention.EVENT_DAY_ZERO,
    calendar: WorkingCalendar | None = None,
    phase: str | None = None,
    extensions: int = 0,
) -> BulkAssessment:
    """Timeliness of ``timescale`` for a whole caseload in one pass.

    Row by row the same answer as :func:`safeguard_time.assess` (and so as
    ``deadline(timescale, start).assess(end, as_of=as_of)``): the due date under the rule in
    force on the row's start date, working days elapsed, the status judged against the due
    date, and working days late.

    ``ends`` holds the end events' dates; a missing end (or ``ends=None``: every case open)
    is an open case judged as of ``as_of``, a date or a column of dates.  A row whose start
    has no rule in force and no end is ``not_applicable``.  Rows that cannot be computed (a
    missing start, a date outside the calendar, no rule in force with an end, an end or
    as-of date before the start, an open case with no ``as_of``) are error rows, listed in
    ``errors`` with the reason and code of the error the one-case API raises for the same
    input; every other row is returned.  Only caller errors raise (an unknown timescale,
    columns of different lengths, an ``as_of`` date outside the calendar).

    Args:
        timescale: a timescale id (``assessment``).
        starts: the start events' dates: a numpy array, a pandas, polars or Arrow column, or a
            sequence; missing values are missing starts.
        ends: the end events' dates, as long as ``starts`` (missing: open), or ``None``.
        as_of: the day open cases are judged on: one date, or a column of dates.
        policy: the council's switch dates.
        convention: how day 0 is counted (``event_day_zero`` or ``next_working_day_zero``).
        calendar: the working-day calendar (default: England & Wales).
        phase: the phase of a rule that has phases.
        extensions: how many of the rule's extensions to apply.

    Returns:
        One array per answer, and the error rows.

    >>> import numpy as np
    >>> s = np.array(["2024-03-08", "2024-03-08", "2024-03-08", "2024-03-08"], "M8[D]")
    >>> e = np.array(["2024-05-15", "2024-05-16", "NaT", "2024-03-01"], "M8[D]")
    >>> r = assess("assessment", s, e, as_of=np.datetime64("2024-06-03"))
    >>> r.status_names().tolist()
    ['met', 'missed', 'open_overdue', 'error']
    >>> r.elapsed.tolist(), r.late.tolist()
    ([45, 46, 57, None], [0, 1, 12, None])
    >>> r.errors[0]
    RowError(row=3, column='end', value=datetime.date(2024, 3, 1), reason='end 2024-03-01 is before the start 2024-03-08', code='end_before_start')
    """
    shape = shape_of(
        starts,
        ends,
        as_of if _is_column(as_of) else None,
        names=("starts", "ends", "as_of"),
    )
    plan = engine.plan(timescale, calendar, policy, phase, convention, extensions)
    start_col = to_days(starts, "starts")
    end_col = to_days(ends, "ends") if ends is not None else None
    if end_col is not None:
        _same_length(start_col, end_col, "starts and ends")
    as_of_day = NAT
    as_of_col: DayColumn | None = None
    if _is_column(as_of):
        as_of_col = to_days(as_of, "as_of")
        _same_length(start_col, as_of_col, "starts and as_of")
    elif as_of is not None:
        as_of_day = day_scalar(as_of, "as_of")
        t = plan.tables
        if as_of_day != NAT and not t.first <= as_of_day <= t.last:
            raise _range_error(plan.tables.calendar, None, "as_of", day_value(as_of_day))
    out = engine.assess_columns(plan, start_col, end_col, as_of_day, as_of_col)
    plan = out.plan  # the projected calendar's, when a row needed it
    _warn_rows(plan, out.provisional)
    # One missing-value convention: counts are masked where there is no count.
    # (The mask is shared by both counts, so it is read-only.)
    missing = out.status.view(np.uint8) >= NOT_APPLICABLE  # not_applicable 4, error -1
    missing.setflags(write=False)
    return BulkAssessment(
        timescale=timescale,
        convention=plan.convention,
        due=out.due,
        elapsed=np.ma.MaskedArray(out.elapsed, mask=missing, copy=False),
        status=out.status,
        late=np.ma.MaskedArray(out.late, mask=missing, copy=False),
        rule=out.rule,
        rule_ids=plan.rule_ids,
        provisional=out.provisional,
        errors=RowErrors(
            out.error_rows,
            out.error_codes,
            _Describer(plan, start_col, end_col, as_of_col, as_of_day),
        ),
        shape=shape,
    )


def _warn_rows(plan: engine.RulePlan, provisional: npt.NDArray[np.bool_]) -> None:
    count = int(np.count_nonzero(provisional))
    if count:
        _warn_provisional(plan.tables.calendar, count, len(provisional))


def _is_column(x: object) -> bool:
    if x is None or isinstance(x, (str, bytes, _dt.date, np.datetime64)):
        return False
    if isinstance(x, np.ndarray):
        return x.ndim == 1
    return hasattr(x, "__len__") or hasattr(x, "__arrow_c_array__")


# --- duration bins ------------------------------------------------------------------------


@attrs.frozen
class _Scheme:
    id: str
    title: str
    source: str
    status: str
    labels: tuple[str, ...]
    lows: tuple[int, ...]
    highs: tuple[int | None, ...]


@functools.cache
def _schemes() -> dict[str, _Scheme]:
    path = os.path.join(DATA_DIR, "bins.toml")
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    out: dict[str, _Scheme] = {}
    for sid, table in raw.get("schemes", {}).items():
        where = f"bins.toml, scheme {sid!r}"
        bins = table.get("bins", [])
        labels, lows, highs = [], [], []
        expect = 0
        for i, b in enumerate(bins):
            lo, hi = b.get("min"), b.get("max")
            if lo != expect:
                raise RuleDataError(f"{where}: bin {i} starts at {lo}, expected {expect}")
            last = i == len(bins) - 1
            if (hi is None) is not last:
                raise RuleDataError(f"{where}: only the last bin is open-ended (no 'max')")
            if hi is not None and hi < lo:
                raise RuleDataError(f"{where}: bin {i} ends before it starts")
            labels.append(str(b["label"]))
            lows.append(int(lo))
            highs.append(None if hi is None else int(hi))
            expect = (hi or 0) + 1
        if not bins:
            raise RuleDataError(f"{where}: no bins")
        out[sid] = _Scheme(
            sid,
            str(table["title"]),
            str(table["source"]),
            str(table["status"]),
            tuple(labels),
            tuple(lows),
            tuple(highs),
        )
    return out


def bin_schemes() -> tuple[str, ...]:
    """The ids of the duration-bin schemes (each is the timescale it bins).

    >>> bin_schemes()
    ('assessment', 'initial_cp_conference')
    """
    return tuple(_schemes())


@attrs.frozen(eq=False)
class DurationBins:
    """Counts and percentages of completed cases by working days elapsed (DfE-style bins).

    ``str()`` gives a plain table; ``rows()`` the same as tuples.

    Attributes:
        scheme: the scheme id.
        title: what the bins count.
        source: where the bin edges come from.
        labels: the bins' labels, e.g. ``"same day"``, ``"1-10"``, ..., ``"61+"``.
        counts: cases per bin.
        percentages: percent of ``total`` per bin (``nan`` when ``total`` is 0).
        total: completed cases counted.
        excluded: rows left out (open cases and error rows).
    """

    scheme: str
    title: str
    source: str
    labels: tuple[str, ...]
    counts: npt.NDArray[np.int64]
    percentages: npt.NDArray[np.float64]
    total: int
    excluded: int

    def rows(self) -> list[tuple[str, int, float]]:
        """``(label, count, percent)`` for each bin.

        >>> duration_bins([0, 12, 30, 30], "initial_cp_conference").rows()
        [('0-10', 1, 25.0), ('11-15', 1, 25.0), ('16-20', 0, 0.0), ('21+', 2, 50.0)]
        """
        return [
            (label, int(c), float(p))
            for label, c, p in zip(self.labels, self.counts, self.percentages, strict=True)
        ]

    def __str__(self) -> str:
        width = max(len("working days"), *(len(lab) for lab in self.labels))
        lines = [self.title, f"{'working days':<{width}}  {'count':>9}  {'percent':>7}"]
        # No completed case: a percentage of nothing is shown as "-", not "nan".
        lines += [
            f"{lab:<{width}}  {c:>9}  {f'{p:.1f}' if self.total else '-':>7}"
            for lab, c, p in self.rows()
        ]
        total_pct = "100.0" if self.total else "-"
        lines.append(f"{'total':<{width}}  {self.total:>9}  {total_pct:>7}")
        if self.excluded:
            lines.append(f"(not counted: {self.excluded} open or error rows)")
        return "\n".join(lines)


def _masked_counts(data: Any) -> np.ma.MaskedArray[Any, Any]:
    """A column of counts as a masked array: pandas ``<NA>`` and polars nulls are masked."""
    module = type(data).__module__.split(".")[0]
    if module == "pandas" and getattr(data.dtype, "kind", "O") in "iu":
        # pandas before 2.2 gives nullable integers to numpy as objects: ask for int64.
        missing = np.asarray(data.isna(), dtype=bool)
        values = np.asarray(data.to_numpy(dtype="int64", na_value=0))
        return np.ma.MaskedArray(values, mask=missing) if missing.any() else np.ma.asarray(values)
    if module in ("pandas", "polars") and hasattr(data, "to_numpy"):
        missing = np.asarray(data.isna() if module == "pandas" else data.is_null(), dtype=bool)
        if missing.any():
            filled = data.fillna(0) if module == "pandas" else data.fill_null(0)
            return np.ma.MaskedArray(np.asarray(filled.to_numpy()), mask=missing)
        return np.ma.asarray(np.asarray(data.to_numpy()))
    return np.ma.asarray(data.to_numpy() if hasattr(data, "to_numpy") else data)


def duration_bins(
    data: BulkAssessment | Any, scheme: str | None = None, *, weights: Any = None
) -> DurationBins:
    """DfE-style duration bins: how many completed cases took how many working days.

    ``data`` is a :class:`BulkAssessment` (its completed rows are counted: met or missed)
    or a column of elapsed working days (masked entries, pandas ``<NA>`` and polars nulls
    are left out).  ``scheme`` names
    the bins (:func:`bin_schemes`); a :class:`BulkAssessment` picks the scheme of its own
    timescale.  The bin edges are data, in ``_data/bins.toml``.  ``weights``, beside a
    column of days, is how many cases each entry stands for (a histogram: the days, and the
    cases that took each); by default one each.

    >>> import numpy as np
    >>> print(duration_bins(np.array([0, 3, 10, 11, 44, 45, 46, 59, 61, 200]), "assessment"))
    Duration of assessments (working days from referral to completion)
    working days      count  percent
    same day              1     10.0
    1-10                  2     20.0
    11-20                 1     10.0
    21-30                 0      0.0
    31-40                 0      0.0
    41-45                 2     20.0
    46-50                 1     10.0
    51-60                 1     10.0
    61+                   2     20.0
    total                10    100.0
    >>> days, cases = np.arange(4), np.array([5, 0, 1, 2])  # 5 cases took 0 days, ...
    >>> duration_bins(days, "initial_cp_conference", weights=cases).counts.tolist()
    [8, 0, 0, 0]
    """
    excluded = 0
    each: npt.NDArray[np.int64] | None = None
    if isinstance(data, BulkAssessment):
        if weights is not None:
            raise TypeError("weights go with a column of days, not with a BulkAssessment")
        scheme = scheme if scheme is not None else data.timescale
        done = data.status <= MISSED
        done &= data.status >= 0
        values = np.asarray(data.elapsed.data[done], dtype=np.int64)
        excluded = len(data) - len(values)
    else:
        arr = _masked_counts(data)
        if arr.dtype.kind not in "iu":
            raise TypeError(f"expected working-day counts (integers), got {arr.dtype}")
        values = np.asarray(arr.compressed(), dtype=np.int64)
        excluded = len(arr) - len(values)
        if weights is not None:
            w = np.asarray(weights)
            if w.shape != arr.shape or w.dtype.kind not in "iu" or (w < 0).any():
                raise ValueError(
                    f"weights must be {len(arr)} whole numbers of cases, none negative, one per "
                    f"entry of the days; got {w.dtype} of shape {w.shape}"
                )
            w = w.astype(np.int64)
            kept = ~np.ma.getmaskarray(arr)
            each = w[kept]
            excluded = int(w[~kept].sum())
    schemes = _schemes()
    if scheme not in schemes:
        raise ValueError(f"no duration-bin scheme {scheme!r}; choose one of: {', '.join(schemes)}")
    sch = schemes[scheme]
    # A negative duration (an end before day 0 under the next-working-day convention, such as
    # a Saturday referral closed that weekend) belongs in the first bin.
    which = np.maximum(np.searchsorted(np.array(sch.lows), values, side="right") - 1, 0)
    counts = np.bincount(which, weights=each, minlength=len(sch.labels)).astype(np.int64)
    total = int(counts.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = counts * 100.0 / total if total else np.full(len(counts), np.nan)
    return DurationBins(
        scheme=sch.id,
        title=sch.title,
        source=sch.source,
        labels=sch.labels,
        counts=counts,
        percentages=np.asarray(pct, dtype=np.float64),
        total=total,
        excluded=excluded,
    )
