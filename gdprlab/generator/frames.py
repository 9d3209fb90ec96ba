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


def frame(columns: dict[str, np.ndarray], objects: tuple[str, ...] = ()) -> pd.DataFrame:
    """A DataFrame of the columns: object arrays become `str` columns, except `objects`, kept as object."""
    out: dict[str, object] = {}
    for name, values in columns.items():
        if name in objects:
            out[name] = pd.Series(values, dtype=object)
        elif isinstance(values, np.ndarray) and values.dtype == object:
            out[name] = text(values)
        else:
            out[name] = values
    return pd.DataFrame(out)
