"""Tables built once from numpy columns: pandas' own string inference is the slow part of building them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


def text(values: np.ndarray) -> pd.Series | np.ndarray:
    """An object array of str/None as a pandas `str` column, converted by Arrow in one pass.

    Left to pandas when every value is missing, so that such a column keeps the dtype pandas infers.
    """
    arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    return values if arr.null_count == len(arr) else pd.Series(arr, dtype="str")


def arrow_text(values: pd.Series | np.ndarray) -> pa.Array:
    """A text column as one Arrow string array (a `str` column's strings are not copied)."""
    arr = pa.array(values.array if isinstance(values, pd.Series) else values, from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def arrow_column(values: pa.Array) -> pd.Series | np.ndarray:
    """Arrow strings as a `str` column, or as None objects when all are missing (as `text` does)."""
    if values.null_count == len(values):
        return np.full(len(values), None, dtype=object)
    return pd.Series(values, dtype="str")


def take(values: pa.Array, index: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """values[index] without making Python strings; missing where `missing` is set."""
    return values.take(pa.array(index, mask=missing))


def frame(columns: dict[str, np.ndarray | pa.Array], objects: tuple[str, ...] = ()) -> pd.DataFrame:
    """A DataFrame of the columns: object arrays become `str` columns, except `objects`, kept as object.

    Arrow string arrays become `str` columns as they are (unless all missing, as for object arrays).
    """
    out: dict[str, object] = {}
    for name, values in columns.items():
        if isinstance(values, pa.Array):
            out[name] = arrow_column(values)
        elif name in objects:
            out[name] = pd.Series(values, dtype=object)
        elif isinstance(values, np.ndarray) and values.dtype == object:
            out[name] = text(values)
        else:
            out[name] = values
    return pd.DataFrame(out)
