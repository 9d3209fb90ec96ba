"""Evidence: the fields of a violating record as an auditor may see them, masked by what they hold.

`show(value, table, column)` renders one field (dates as ISO text) and masks it by the column's category
in gdprlab.crm.schema (gdprlab.audit.mask); a column the schema does not know is masked as free text, since
it may identify someone. Never a raw personal value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from gdprlab.audit.mask import mask_date_of_birth, mask_value
from gdprlab.crm.schema import TABLES

Evidence = dict[str, str | None]
DEFAULT_EVIDENCE = 5

#: masking category for fields whose schema category would hide what identifies no one on its own
_CATEGORY_OVERRIDES: dict[tuple[str, str], str | None] = {
    ("contacts", "country"): None,
    ("contacts", "gender"): None,
    # and the breach register's texts, which the schema declares as no personal data but which tell of the
    # people a breach touched in the staff's own words
    **{("breaches", column): "free_text" for column in ("description", "consequences", "measures",
                                                         "delay_reason")},
}
#: the fields of a record that name its person: free text of the record is masked wherever it names them
NAME_FIELDS = ("first_name", "last_name", "name")


def _category(table: str, column: str) -> str | None:
    if (table, column) in _CATEGORY_OVERRIDES:
        return _CATEGORY_OVERRIDES[(table, column)]
    schema = TABLES.get(table)
    if schema is None or column not in schema.column_names:
        return "free_text"  # a column the schema does not know: assume it may identify someone
    return schema.column(column).category


def show(value: object, table: str, column: str, names: Iterable[object] = ()) -> str | None:
    """One field of a record as evidence: dates as ISO text, then masked by the column's category; `names`
    (the record's NAME_FIELDS) are masked wherever free text mentions them, in any case."""
    category = _category(table, column)
    if isinstance(value, pd.Timestamp | np.datetime64 | dt.date) and not pd.isna(value):
        if category == "date_of_birth":
            return mask_date_of_birth(value)
        stamp = pd.Timestamp(value)
        schema = TABLES.get(table)
        is_date = (schema is not None and column in schema.column_names
                   and schema.column(column).dtype == "date")
        value = stamp.strftime("%Y-%m-%d") if is_date else stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(value, bool | np.bool_):
        value = str(bool(value))
    return mask_value(value, category, names)
