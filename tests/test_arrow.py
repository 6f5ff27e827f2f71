"""``safeguard_time._arrow``: numpy and Arrow arrays crossed as buffers, as pyarrow would."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from safeguard_time._arrow import from_numpy, string_buffers, strings, to_numpy

dtypes = st.sampled_from([np.bool_, np.int8, np.int32, np.int64, np.uint16, np.float64])
arrays = dtypes.flatmap(lambda d: hnp.arrays(d, st.integers(0, 70)))


@given(arrays, st.data())
def test_from_numpy_is_pyarrows_array(values: np.ndarray, data: st.DataObject) -> None:
    mask = data.draw(st.none() | hnp.arrays(np.bool_, len(values)))
    got = from_numpy(values, mask=mask)
    expected = pa.array(values, mask=mask)
    assert got.type == expected.type
    assert got.is_null().equals(expected.is_null())
    # The same values (a NaN, which equals() never finds equal, counted as equal).
    np.testing.assert_array_equal(
        got.to_numpy(zero_copy_only=False), expected.to_numpy(zero_copy_only=False)
    )


def test_from_numpy_stores_days_as_dates_and_refuses_a_wrong_width() -> None:
    days = np.array([19787, 0, -1], dtype=np.int32)  # 2024-03-05, 1970-01-01, 1969-12-31
    got = from_numpy(days, pa.date32(), mask=np.array([False, False, True]))
    assert got.to_pylist() == [dt.date(2024, 3, 5), dt.date(1970, 1, 1), None]
    with pytest.raises(TypeError, match="int64 values cannot be stored as date32"):
        from_numpy(days.astype(np.int64), pa.date32())
    with pytest.raises(ValueError, match="2 flags for 3 values"):
        from_numpy(days, mask=np.array([True, False]))


@given(arrays, st.integers(0, 9), st.integers(0, 9))
def test_to_numpy_is_pyarrows_to_numpy(values: np.ndarray, lo: int, cut: int) -> None:
    arr = pa.array(values)
    part = arr.slice(min(lo, len(arr)), max(len(arr) - lo - cut, 0))  # an offset into buffers
    got = to_numpy(part)
    expected = part.to_numpy(zero_copy_only=False)
    assert got.dtype == expected.dtype
    assert np.array_equal(got, expected, equal_nan=got.dtype.kind == "f")


def test_to_numpy_refuses_nulls_and_text() -> None:
    with pytest.raises(ValueError, match="1 nulls"):
        to_numpy(pa.array([1, None]))
    with pytest.raises(TypeError, match="numbers or booleans, got string"):
        to_numpy(pa.array(["a"]))
    assert to_numpy(pa.chunked_array([[1, 2], [3]])).tolist() == [1, 2, 3]


@given(st.lists(st.none() | st.text(max_size=8)))
def test_strings_is_pyarrows_string_array(texts: list[str | None]) -> None:
    got = strings(texts)
    expected = pa.array(texts, pa.string())
    assert got.equals(expected)
    assert got.to_pylist() == texts


@given(
    st.lists(st.none() | st.text(max_size=8)),
    st.sampled_from([pa.string(), pa.large_string()]),
    st.integers(0, 9),
    st.integers(0, 9),
)
def test_string_buffers_hold_each_cells_bytes(
    texts: list[str | None], kind: object, lo: int, cut: int
) -> None:
    arr = pa.array(texts, kind)
    part = arr.slice(min(lo, len(arr)), max(len(arr) - lo - cut, 0))  # an offset into buffers
    offsets, data = string_buffers(part)
    assert offsets.dtype == (np.int64 if kind == pa.large_string() else np.int32)
    assert len(offsets) == len(part) + 1
    cells = [data[a:b].tobytes().decode("utf-8") for a, b in itertools.pairwise(offsets)]
    assert cells == [t or "" for t in part.to_pylist()]  # a null's cell is empty


def test_string_buffers_of_an_empty_array_with_empty_buffers() -> None:
    empty = pa.Array.from_buffers(pa.string(), 0, [None, pa.py_buffer(b""), pa.py_buffer(b"")])
    offsets, data = string_buffers(empty)
    assert offsets.tolist() == [0]
    assert len(data) == 0


def test_string_buffers_refuse_other_types() -> None:
    with pytest.raises(TypeError, match="string array, got int64"):
        string_buffers(pa.array([1]))
