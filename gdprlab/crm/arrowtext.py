"""The buffers of Arrow arrays read in numpy: a string array's offsets and bytes, a boolean array's bits.

Arrow keeps a string array as one buffer of UTF-8 bytes and one of offsets into it, and a boolean array
as bits; a sliced array (or one taken from a larger one) starts at an offset other than zero. Reading them
here, once, keeps that bookkeeping out of the callers.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def text_buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of a string array, the offsets counting from its first value's first byte:
    value i is bytes[offsets[i]:offsets[i + 1]] (empty for a missing value)."""
    if not len(text):
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    text = text.cast(pa.large_string())
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + len(text) + 1]
    data = text.buffers()[2]
    chars = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return offsets - offsets[0], chars[offsets[0] : offsets[-1]]


def bools(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean array as numpy, missing values as False.

    Unpacking the value and validity bits costs a tenth of pyarrow's fill_null then to_numpy, which the
    checks would otherwise pay on every mask of a million rows.
    """
    if isinstance(arr, pa.ChunkedArray):
        parts = [bools(chunk) for chunk in arr.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    if arr.type == pa.null() or arr.null_count == len(arr):  # all missing: there may be no value bits
        return np.zeros(len(arr), dtype=bool)
    if arr.type != pa.bool_():
        raise TypeError(f"bools takes a boolean array, got {arr.type}")
    validity, values = arr.buffers()
    out = _bits(values, arr.offset, len(arr))
    if arr.null_count:
        out &= _bits(validity, arr.offset, len(arr))
    return out


def _bits(buffer: pa.Buffer, offset: int, length: int) -> np.ndarray:
    """Bits offset .. offset + length of a bitmap (least significant bit first, as Arrow stores them)."""
    raw = np.frombuffer(buffer, dtype=np.uint8)[offset // 8 : (offset + length + 7) // 8]
    return np.unpackbits(raw, bitorder="little")[offset % 8 : offset % 8 + length].view(bool)
