"""Giving the bulk functions' answers back in the caller's own column type.

The engine answers in numpy (``datetime64[D]`` days, masked ``int32`` counts, masked
``bool`` flags).  A caller who passed numpy (or a list, or Arrow) gets those arrays; a
caller who passed pandas or polars gets the same values in that library, the missing ones
as its own missing value rather than a float ``NaN``:

========== ========================================= ============== ===================
input      dates                                     counts         flags
========== ========================================= ============== ===================
pandas     ``datetime64`` in the input's unit (``s``  ``Int32``       ``boolean``
           for text or objects), ``date32[pyarrow]``
           for Arrow-backed input
polars     ``Date``                                  ``Int32``      ``Boolean``
========== ========================================= ============== ===================

A pandas Series keeps its index and name, a pandas Index stays an Index (with its name),
a polars Series keeps its name.  The first pandas or polars column among the arguments
decides; two pandas columns with different indexes are refused (the engine pairs rows by
position, pandas by label: which was meant cannot be guessed).

pandas and polars are imported only when such a column was given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np

from safeguard_time.errors import InvalidOptionError

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "NUMPY",
    "Shape",
    "pandas_counts",
    "polars_codes",
    "polars_dates",
    "polars_masked",
    "shape_of",
]

Kind = Literal["numpy", "series", "index", "polars"]


@attrs.frozen(eq=False)
class Shape:
    """How the caller's column looked: its library, and for pandas its index and name.

    ``unit`` is the ``datetime64`` unit for pandas dates; ``arrow`` says the pandas input
    was Arrow-backed.
    """

    kind: Kind
    index: Any = None
    name: Any = None
    unit: str = "s"
    arrow: bool = False

    def dates(self, days: npt.NDArray[np.datetime64]) -> Any:
        """``datetime64[D]`` days (NaT missing) in the caller's type."""
        if self.kind == "numpy":
            return days
        if self.kind == "polars":
            return polars_dates(self.name or "", days)
        return self._pandas(self.pandas_dates(days))

    def counts(self, values: np.ma.MaskedArray[Any, np.dtype[np.int32]]) -> Any:
        """A masked ``int32`` array in the caller's type (masked: its missing value)."""
        if self.kind == "numpy":
            return values
        if self.kind == "polars":
            return polars_masked(self.name or "", values, "Int32")
        return self._pandas(pandas_counts(values))

    def flags(self, values: np.ma.MaskedArray[Any, np.dtype[np.bool_]]) -> Any:
        """A masked ``bool`` array in the caller's type (masked: its missing value)."""
        if self.kind == "numpy":
            return values
        if self.kind == "polars":
            return polars_masked(self.name or "", values, "Boolean")
        import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        data, mask = np.ma.getdata(values), np.ma.getmaskarray(values)
        return self._pandas(pd.arrays.BooleanArray(data.copy(), mask.copy()))

    def pandas_dates(self, days: npt.NDArray[np.datetime64]) -> Any:
        """The dates as the values of a pandas column of this shape's date type."""
        if not self.arrow:
            return days.astype(f"datetime64[{self.unit}]")
        import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        missing = np.isnat(days)
        raw = np.where(missing, 0, days.view(np.int64)).astype(np.int32)
        return pd.array(pa.array(raw, pa.date32(), mask=missing), dtype=pd.ArrowDtype(pa.date32()))

    def frame_index(self, index: Any) -> Any:
        """``index`` if given, else the input Series' index (None: pandas' default)."""
        return index if index is not None else self.index

    def _pandas(self, values: Any) -> Any:
        import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

        if self.kind == "index":
            return pd.Index(values, name=self.name)
        return pd.Series(values, index=self.index, name=self.name)


def pandas_counts(values: np.ma.MaskedArray[Any, np.dtype[np.int32]]) -> Any:
    """A masked ``int32`` array as a pandas ``Int32`` array (masked: ``<NA>``)."""
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    data, mask = np.ma.getdata(values), np.ma.getmaskarray(values)
    return pd.arrays.IntegerArray(data.copy(), mask.copy())


def polars_dates(name: str, days: npt.NDArray[np.datetime64]) -> Any:
    """``datetime64[D]`` days as a polars ``Date`` Series (NaT: null)."""
    import polars as pl  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    return pl.Series(name, days, dtype=pl.Date)


def polars_codes(name: str, codes: npt.NDArray[Any], labels: tuple[str, ...]) -> Any:
    """Codes into ``labels`` as a polars ``Enum`` Series; a negative code is null."""
    import polars as pl  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    categories = pl.Series(name, list(labels), dtype=pl.Enum(list(labels)))
    missing = codes < 0
    index = pl.Series(np.where(missing, 0, codes).astype(np.uint32))
    if missing.any():
        index = index.scatter(np.flatnonzero(missing), None)
    return categories.gather(index)


def polars_masked(name: str, values: np.ma.MaskedArray[Any, Any], dtype: str) -> Any:
    """A masked array as a polars Series of ``dtype`` (``"Int32"``, ``"Boolean"``) with nulls."""
    import polars as pl  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    data, mask = np.ma.getdata(values), np.ma.getmaskarray(values)
    s = pl.Series(name, data, dtype=getattr(pl, dtype))
    return s.scatter(np.flatnonzero(mask), None) if mask.any() else s


NUMPY = Shape("numpy")


def _module(x: object) -> str:
    return type(x).__module__.split(".")[0]


def shape_of(*columns: object, names: tuple[str, ...] = ()) -> Shape:
    """The shape of the first pandas or polars column among ``columns``; else numpy.

    The name is the one every pandas or polars column shares (none if they differ, as in
    pandas' own arithmetic).  ``names`` name the columns in the error raised when two
    pandas Series have different indexes.
    """
    shape = NUMPY
    first: Any = None  # the first pandas Series, whose index the others must have
    first_name = ""
    labels: list[Any] = []
    for i, x in enumerate(columns):
        mod = _module(x)
        what = names[i] if i < len(names) else f"column {i}"
        if mod == "pandas" and _is_series_or_index(x):
            labels.append(x.name)  # type: ignore[attr-defined]
            if shape.kind == "numpy":
                shape = _pandas_shape(x)
            if _is_index(x):
                continue
            if first is None:
                first, first_name = x, what
            elif not first.index.equals(x.index):  # type: ignore[attr-defined]
                raise InvalidOptionError(
                    "index",
                    what,
                    f"{first_name} and {what} have different indexes: the rows are paired by "
                    f"position, so align them first (e.g. {what}.reindex({first_name}.index)) "
                    "or pass their .to_numpy()",
                )
        elif mod == "polars" and type(x).__name__ == "Series":
            labels.append(x.name)  # type: ignore[attr-defined]
            if shape.kind == "numpy":
                shape = Shape("polars")
    if shape.kind == "numpy":
        return shape
    name = labels[0] if all(label == labels[0] for label in labels) else None
    return attrs.evolve(shape, name=name)


def _is_series_or_index(x: Any) -> bool:
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    return isinstance(x, pd.Series | pd.Index)


def _is_index(x: Any) -> bool:
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    return isinstance(x, pd.Index)


def _pandas_shape(x: Any) -> Shape:
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    dtype = x.dtype
    unit = "s"
    arrow = isinstance(dtype, pd.ArrowDtype)
    if isinstance(dtype, pd.DatetimeTZDtype):
        unit = dtype.unit
    elif isinstance(dtype, np.dtype) and dtype.kind == "M":
        unit = np.datetime_data(dtype)[0]
        unit = unit if unit in ("s", "ms", "us", "ns") else "s"
    if isinstance(x, pd.Index):
        return Shape("index", name=x.name, unit=unit, arrow=arrow)
    return Shape("series", index=x.index, name=x.name, unit=unit, arrow=arrow)
