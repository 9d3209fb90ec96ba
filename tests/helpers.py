"""Small builders shared by the tests (pytest puts this folder on sys.path)."""

from __future__ import annotations

import pandas as pd

from gdprlab.schema import TABLES


def table(name: str, /, *rows: dict, **defaults) -> pd.DataFrame:
    """A table with every schema column (extra keys become extra columns); dates given as ISO text."""
    columns = TABLES[name].column_names
    extra = [k for row in rows for k in row if k not in columns]
    df = pd.DataFrame([{**defaults, **row} for row in rows], columns=columns + list(dict.fromkeys(extra)))
    df = df.astype(object).where(df.notna(), None)
    for col in TABLES[name].columns:
        if col.dtype in ("date", "datetime"):
            df[col.name] = pd.to_datetime(df[col.name], format="ISO8601", utc=True).dt.tz_localize(None)
    return df
