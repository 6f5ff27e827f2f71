"""numpy arrays to Arrow and back as buffers, without ``pyarrow.array`` or ``to_numpy``.

Both of pyarrow's ways first ask whether pandas is involved, and to ask, they import pandas
whenever it is installed: about 0.2 s of a command-line scan that never needs pandas
(pyarrow 26).  The table path's arrays are plain ones (days, counts, codes, row numbers,
flags, none of them null), so they cross as buffers instead, as pyarrow's own functions
would: numbers are not copied, flags are packed into bits or unpacked from them.

>>> import numpy as np
>>> import pyarrow as pa
>>> from_numpy(np.array([19787, 0], np.int32), pa.date32(), mask=np.array([False, True]))
<pyarrow.lib.Date32Array object at ...>
[
  2024-03-05,
  null
]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["from_numpy", "string_buffers", "strings", "to_numpy", "validity"]


def from_numpy(
    values: npt.NDArray[Any], type: Any = None, *, mask: npt.NDArray[np.bool_] | None = None
) -> Any:
    """``values`` as an Arrow array of ``type`` (by default numpy's), null where ``mask``.

    ``type`` must store values of the array's width (``date32`` for ``int32`` days); a
    boolean array becomes Arrow booleans.  ``pyarrow.array(values, type, mask=mask)``
    gives the same array.

    >>> import numpy as np
    >>> from_numpy(np.array([True, False])).to_pylist(), from_numpy(np.arange(3)).type
    ([True, False], DataType(int64))
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    values = np.ascontiguousarray(values)
    if values.ndim != 1:
        raise ValueError(f"expected a one-dimensional array, got {values.ndim} dimensions")
    if values.dtype == np.bool_:
        arrow_type = pa.bool_() if type is None else type
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
    else:
        arrow_type = pa.from_numpy_dtype(values.dtype) if type is None else type
        if arrow_type.bit_width != values.dtype.itemsize * 8:
            raise TypeError(f"{values.dtype} values cannot be stored as {arrow_type}")
        data = pa.py_buffer(values)
    bitmap, nulls = None, 0
    if mask is not None:
        mask = np.asarray(mask, dtype=np.bool_)
        if mask.shape != values.shape:
            raise ValueError(f"the mask has {mask.size} flags for {values.size} values")
        bitmap, nulls = validity(mask)
    return pa.Array.from_buffers(arrow_type, len(values), [bitmap, data], null_count=nulls)


def validity(missing: npt.NDArray[np.bool_]) -> tuple[Any, int]:
    """Arrow's validity bitmap of the rows not ``missing`` (``None`` if none is), and the count.

    >>> bitmap, nulls = validity(np.array([False, True, False]))
    >>> np.unpackbits(np.frombuffer(bitmap, np.uint8), bitorder="little")[:3].tolist(), nulls
    ([1, 0, 1], 1)
    >>> validity(np.zeros(2, bool))
    (None, 0)
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    nulls = int(np.count_nonzero(missing))
    if not nulls:
        return None, 0
    return pa.py_buffer(np.packbits(~missing, bitorder="little")), nulls


def strings(texts: Sequence[str | None]) -> Any:
    """Python text as an Arrow string array, null where ``None``.

    ``pyarrow.array(texts, pyarrow.string())`` gives the same array.

    >>> strings(["met", None, "£5"]).to_pylist()
    ['met', None, '£5']
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    encoded = [b"" if t is None else t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    if offsets[-1] >= 2**31:
        raise ValueError(f"{offsets[-1]:,} bytes of text are more than a string array holds")
    bitmap, nulls = validity(np.array([t is None for t in texts], dtype=np.bool_))
    return pa.Array.from_buffers(
        pa.string(),
        len(encoded),
        [bitmap, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(b"".join(encoded))],
        null_count=nulls,
    )


def to_numpy(arr: Any) -> npt.NDArray[Any]:
    """An Arrow array of numbers or booleans with no nulls, as numpy (numbers not copied).

    ``arr.to_numpy(zero_copy_only=False)`` gives the same values.  A null, or a type other
    than integers, floats and booleans, is refused.

    >>> import pyarrow as pa
    >>> to_numpy(pa.array([True, False, True]).slice(1)), to_numpy(pa.array([3, 4], pa.int8()))
    (array([False,  True]), array([3, 4], dtype=int8))
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.null_count:
        raise ValueError(f"{arr.null_count} nulls in an array read as numpy without nulls")
    t = arr.type
    n, offset = len(arr), arr.offset
    data = arr.buffers()[1]
    if pa.types.is_boolean(t):
        if n == 0:
            return np.zeros(0, dtype=np.bool_)
        bits = np.frombuffer(data, dtype=np.uint8)
        return np.unpackbits(bits, count=offset + n, bitorder="little")[offset:].view(np.bool_)
    if pa.types.is_signed_integer(t):
        kind = "i"
    elif pa.types.is_unsigned_integer(t):
        kind = "u"
    elif pa.types.is_floating(t):
        kind = "f"
    else:
        raise TypeError(f"expected an Arrow array of numbers or booleans, got {t}")
    dtype = np.dtype(f"{kind}{t.bit_width // 8}")
    if n == 0:
        return np.zeros(0, dtype=dtype)
    return np.frombuffer(data, dtype=dtype, count=n, offset=offset * dtype.itemsize)


def string_buffers(arr: Any) -> tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.uint8]]:
    """The offsets (``len(arr) + 1``, into the bytes) and bytes of an Arrow string array.

    Neither is copied: the offsets are ``int32`` (``int64`` for ``large_string``) as Arrow
    holds them, with a slice's own start, and the bytes are the whole data buffer (empty
    if there is none).  Cell ``i`` is ``data[offsets[i]:offsets[i + 1]]``.  Other types are
    refused.

    >>> import pyarrow as pa
    >>> offsets, data = string_buffers(pa.array(["ab", "", "cde"]).slice(1))
    >>> offsets.tolist(), data[offsets[0] : offsets[-1]].tobytes()
    ([2, 2, 5], b'cde')
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

    t = arr.type
    if pa.types.is_large_string(t):
        width: type[np.signedinteger[Any]] = np.int64
    elif pa.types.is_string(t):
        width = np.int32
    else:
        raise TypeError(f"expected an Arrow string array, got {t}")
    _, offsets_buf, data_buf = arr.buffers()
    n = len(arr)
    offsets = (
        np.frombuffer(
            offsets_buf, dtype=width, count=n + 1, offset=arr.offset * np.dtype(width).itemsize
        )
        if offsets_buf is not None and n
        else np.zeros(n + 1, dtype=width)  # no buffer, or an empty one: no cells
    )
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    )
    return offsets, data
