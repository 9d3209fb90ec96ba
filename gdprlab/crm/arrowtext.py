"""Arrow arrays read in numpy: a string array's offsets and bytes, a boolean array's values.

Arrow keeps a string array as one buffer of UTF-8 bytes and one of offsets into it; a sliced array (or one
taken from a larger one) starts at an offset other than zero. Reading them here, once, keeps that
bookkeeping out of the callers.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


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
    """A boolean array (or chunked array, of any slice) as numpy, missing values as False."""
    if arr.type == pa.null():  # all missing, and no values to fill
        return np.zeros(len(arr), dtype=bool)
    if arr.type != pa.bool_():
        raise TypeError(f"bools takes a boolean array, got {arr.type}")
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)
