"""gdprlab's tables as typed relations on the engine that checks them, read there rather than into pandas.

Reading a dataset into pandas before checking it costs about 1.7 GB per million contacts, and loading pandas
frames into DuckDB afterwards was the slowest and largest way measured (shared/design/engine.md): here the
engine reads the data itself.

* `stage_dataset(folder, backend)`: the files of a dataset folder (`<table>.csv` or `<table>.parquet`)
  read by DuckDB or PySpark, converted exactly as `gdprlab.crm.io.read_dataset` converts them, so both
  give the same values. CSV is read as text; missing values and empty text are NULL; timestamps are naive
  UTC from ISO 8601 text with `Z` or an offset; dates, booleans (True/False/true/false), whole numbers;
  columns outside the schema stay text. A value that does not convert, a missing schema column or a file
  the engine cannot read fails with read_dataset's own DatasetError for that file (read_table produces it),
  so the engine never loads values the pandas reader would have refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from gdprlab.crm.backends import EngineError
from gdprlab.crm.io import FORMATS, DatasetError, read_table
from gdprlab.crm.schema import TABLES, Table

#: options that make each engine read a CSV as read_csv_text does: RFC 4180 quoting, every value as text
_CSV_OPTIONS: dict[str, dict[str, Any]] = {
    "duckdb": dict(all_varchar=True, header=True, delim=",", quote='"', escape='"'),
    "pyspark": dict(header=True, inferSchema=False, multiLine=True, quote='"', escape='"', mode="FAILFAST"),
}
#: the text read_dataset accepts for each type (pandas accepts these spellings; the engine's cast may accept
#: more, such as hour 24 or a trailing 'UTC', and must not)
_PATTERNS = {
    "int": r"^[+-]?[0-9]+$",
    "date": r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$",
    "datetime": (r"^ *[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
                 r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?)?"
                 r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"),
}
_BOOLS = {"True": True, "true": True, "False": False, "false": False}
_EXPECTED = {"int": "whole numbers", "bool": "True or False", "date": "dates written YYYY-MM-DD",
             "datetime": "ISO 8601 timestamps like 2024-05-03T14:22:05Z"}
_TYPES = {"str": dt.string, "int": dt.int64, "bool": dt.boolean, "date": dt.date, "datetime": dt.timestamp}


# ----------------------------------------------------------------------------------------------------------
# values
# ----------------------------------------------------------------------------------------------------------

def convert(value: ir.Value, dtype: str) -> ir.Value:
    """`value` as schema type `dtype` (str, int, bool, date or datetime); NULL where it does not convert.

    Typed values keep their value (a timestamp with a time zone becomes naive UTC: the engines gdprlab
    connects to run in UTC); text is converted as read_dataset converts it, empty text being missing.
    """
    source = value.type()
    if dtype == "datetime" and (source.is_timestamp() or source.is_date()):
        return value.cast(dt.timestamp)
    if dtype == "date" and (source.is_timestamp() or source.is_date()):
        return value.cast(dt.date)
    if dtype == "bool" and source.is_boolean():
        return value
    if dtype == "int" and source.is_integer():
        return value.cast(dt.int64)
    if dtype == "int" and source.is_floating():  # parquet ints with gaps may come as float
        return ibis.ifelse(value.floor() == value, value.cast(dt.int64), ibis.null(dt.int64))
    text = _text(value)
    if dtype == "bool":
        return ibis.cases(*((text == word, flag) for word, flag in _BOOLS.items()),
                          else_=ibis.null(dt.boolean))
    if dtype == "str":
        return text
    target = dt.Timestamp(timezone="UTC") if dtype == "datetime" else _TYPES[dtype]
    valid = text.re_search(_PATTERNS[dtype]).fill_null(False)
    return ibis.ifelse(valid, text.try_cast(target), ibis.null(target)).cast(_TYPES[dtype])


def _text(value: ir.Value) -> ir.StringValue:
    """Text as read_dataset reads it: empty text is missing, booleans are True/False (Python's spelling)."""
    if value.type().is_boolean():
        return ibis.ifelse(value, "True", "False")
    return value.cast(dt.string).nullif("")


def unconvertible(value: ir.Value, dtype: str) -> ir.BooleanValue:
    """Rows whose value is present but not a value of `dtype`."""
    present = _text(value).notnull() if value.type().is_string() else value.notnull()
    return present & convert(value, dtype).isnull()


# ----------------------------------------------------------------------------------------------------------
# a dataset folder
# ----------------------------------------------------------------------------------------------------------

def stage_dataset(folder: str | Path, backend: Any) -> dict[str, ir.Table]:
    """Every table of the schema present in `folder`, read and typed by `backend` (DuckDB or PySpark).

    Executed, each equals read_dataset(folder)'s table. Each file is read once here, to find values that do
    not convert; nothing is written into the folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such folder; pass the folder a dataset was generated into")
    options = _CSV_OPTIONS.get(backend.name)
    if options is None:
        raise EngineError(f"the {backend.name} engine cannot read dataset files; use duckdb or spark, or "
                          "load the tables into the warehouse and stage them there")
    staged = {}
    for name, table in TABLES.items():
        path = _table_file(folder, name)
        if path is not None:
            staged[name] = _stage_file(backend, path, table, options)
    return staged


def _table_file(folder: Path, name: str) -> Path | None:
    """`<name>.csv` or `<name>.parquet`, as read_dataset finds it (both is an error)."""
    found = [folder / f"{name}.{ext}" for ext in FORMATS if (folder / f"{name}.{ext}").is_file()]
    if len(found) > 1:
        raise DatasetError(f"{folder}: both {found[0].name} and {found[1].name} exist; keep only one of them")
    return found[0] if found else None


def _stage_file(backend: Any, path: Path, table: Table, csv_options: Mapping[str, Any]) -> ir.Table:
    types = {c.name: c.dtype for c in table.columns}
    with _reader_errors(path, table):
        raw = (backend.read_csv(str(path), **csv_options) if path.suffix == ".csv"
               else backend.read_parquet(str(path)))
    if not set(types) <= set(raw.columns):
        _refuse(path, table, "a missing column")
    checked = [c for c in raw.columns if types.get(c, "str") != "str"]
    with _reader_errors(path, table):  # a full read: the engine parses every row of a CSV here
        bad = backend.execute(raw.aggregate(rows=raw.count(), **{
            c: raw.count(where=unconvertible(raw[c], types[c])) for c in checked}))
    for column in checked:
        if count := int(bad[column].iloc[0]):
            _refuse(path, table, f"{count} value(s) of column {column!r} not {_EXPECTED[types[column]]}")
    return raw.select(**{c: convert(raw[c], types.get(c, "str")) for c in raw.columns})


@contextlib.contextmanager
def _reader_errors(path: Path, table: Table) -> Iterator[None]:
    """An error of the engine's reader or parser (whose message may quote the file's content) refused."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - any engine's error: read_dataset says what is wrong
        _refuse(path, table, f"an error of its reader ({type(exc).__name__})")


def _refuse(path: Path, table: Table, what: str) -> None:
    """Raise read_dataset's error for this file; the engine's own account of `what` when pandas reads it.

    The pandas reader gives the message auditors know (the rows at fault, what to do); it reads the whole
    file, which is acceptable only here, on the way to an error.
    """
    read_table(path, table)
    raise DatasetError(f"{path}: the engine found {what} where the pandas reader found none; correct or "
                       "empty these values (or report this difference between the readers)")
