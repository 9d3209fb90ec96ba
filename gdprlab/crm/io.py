"""Read a dataset folder into typed tables, failing once, clearly, on anything the checks cannot trust; and
resolve what an assessment of a dataset reads besides its tables (as-of date, policy, mapping file).

A CSV is read as text (so '0049…' or 'NA' stay as written) and each column is then converted by its
schema type; parquet files are converted the same way, so both formats give the same values (parquet
timestamps keep the file's unit, milliseconds for generated data; text gives microseconds). Missing
values are NA/NaT; timestamps are naive UTC datetime64 and dates are datetime64 at midnight.

`resolve_inputs` is the one place that settles a dataset's as-of date, policy and mapping file for every
way of assessing it (`gdprlab check`, `gdprlab assess`, the audit and self-assessment notebooks). Each
comes from, in this order: the value given (argument, flag or notebook parameter); the dataset's own
files, `manifest.json` (parameters.as_of) and `policy.yaml`, found in the dataset folder or, for a single
export file, in the folder holding it; then the defaults (today; gdprlab's default policy; no mapping
file, so tables and columns are recognised by their names). A file that is named but missing or broken
is one error naming it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from gdprlab.crm import dates
from gdprlab.crm.arrowtext import text_buffers
from gdprlab.crm.schema import TABLES, Table
from gdprlab.regulation.policy import Policy, load_policy

FORMATS = ("csv", "parquet")
_BOOLS = {"True": True, "False": False, "true": True, "false": False}
#: what CRM exports and spreadsheets write for a checkbox (Dynamics 1/0, Excel TRUE/WAHR/VRAI, UI Yes/No)
_EXPORT_BOOLS = {**_BOOLS, "TRUE": True, "FALSE": False, "1": True, "0": False, "Yes": True, "No": False,
                 "yes": True, "no": False, "WAHR": True, "FALSCH": False, "VRAI": True, "FAUX": False}
_SHOWN_ROWS = 5
#: bytes of CSV parsed per block (and per chunk of each column): pyarrow's default 1 MB gives hundreds of
#: chunks per column of a large file, and every later pyarrow kernel pays per chunk
_CSV_BLOCK = 16 << 20


class DatasetError(ValueError):
    """A dataset file that cannot be used; the message names the file, the column and what to do."""


def read_dataset(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Every table of the schema present in `folder`, typed; absent tables are left out."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such folder; pass the folder a dataset was generated into")
    tables = {}
    for name, table in TABLES.items():
        path = table_file(folder, name)
        if path is not None:
            tables[name] = read_table(path, table)
    return tables


def table_file(folder: Path, name: str) -> Path | None:
    """`<name>.csv` or `<name>.parquet` in the folder, or None; both is an error."""
    found = [folder / f"{name}.{ext}" for ext in FORMATS if (folder / f"{name}.{ext}").is_file()]
    if len(found) > 1:
        raise DatasetError(f"{folder}: both {found[0].name} and {found[1].name} exist; keep only one of them")
    return found[0] if found else None


def read_table(path: Path, table: Table) -> pd.DataFrame:
    """One table file, with every required schema column present (optional ones may be absent) and
    converted to its type."""
    raw = _read_raw(path)
    missing = [c for c in table.required_names if c not in raw.columns]
    if missing:
        raise DatasetError(
            f"{path}: missing column(s) {', '.join(missing)} of table {table.name!r} (expected "
            f"{', '.join(table.required_names)}); add them (values may be empty) or regenerate the dataset")
    types = {c.name: c.dtype for c in table.columns}
    return pd.DataFrame({col: convert(raw[col], types.get(col, "str"), path, col) for col in raw.columns})


def _read_raw(path: Path) -> pd.DataFrame:
    try:
        if path.suffix == ".csv":
            return read_csv_text(path)
        return pd.read_parquet(path)
    except (ValueError, OSError) as exc:
        what = path.suffix[1:]
        raise DatasetError(f"{path}: cannot be read as {what} ({exc}); regenerate or repair it") from None


def read_csv_text(path: Path) -> pd.DataFrame:
    """Every value as written (text; empty stays empty), read by pyarrow's parallel CSV reader.

    A file pyarrow will not read (bad quoting, ragged rows, invalid UTF-8, repeated headers) is read by
    pandas instead, whose error names the line and, unlike pyarrow's, does not quote the row's content.
    """
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        header = next(csv.reader(f), [])
    if header and len(set(header)) == len(header):
        try:
            table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK),
                                   parse_options=pacsv.ParseOptions(newlines_in_values=True),
                                   convert_options=pacsv.ConvertOptions(
                                       column_types=dict.fromkeys(header, pa.string()),
                                       strings_can_be_null=False, quoted_strings_can_be_null=False))
        except pa.ArrowInvalid:
            pass
        else:
            if table.column_names == header:
                return table.to_pandas()
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class ExportValues:
    """How an export's values are read beyond a generated dataset's spellings (gdprlab.crm.dates): the
    day-month order of each date column that needs one, and the zone of times written without an offset."""

    date_orders: dict[str, str | None]
    timezone: str = "UTC"


def convert(values: pd.Series, dtype: str, path: Path, column: str,
            export: ExportValues | None = None) -> pd.Series:
    """A column converted to its schema type; one DatasetError lists the rows that do not convert.
    `export`: read the spellings of real exports too (dates of gdprlab.crm.dates, checkbox words)."""
    if dtype in ("date", "datetime"):
        return _to_datetime(values, dtype, path, column, export)
    if dtype == "bool":
        return _to_bool(values, path, column, _EXPORT_BOOLS if export else _BOOLS)
    if dtype == "int":
        return _to_int(values, path, column, export is not None)
    return _text(values)


def _text(values: pd.Series) -> pd.Series:
    """As str (parquet objects such as dates or bools by their str form), empty strings as missing."""
    text = values.astype("str")
    if isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow":
        empty = pc.equal(pc.binary_length(pa.array(text, from_pandas=True)), 0)
        if not pc.any(empty).as_py():  # nothing to blank (the usual case): no copy of the column
            return text
    return text.where(text != "")


def _to_datetime(values: pd.Series, dtype: str, path: Path, column: str,
                 export: ExportValues | None = None) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        if export is not None and export.timezone != "UTC" and dtype == "datetime":
            return values.dt.tz_localize(export.timezone, ambiguous="NaT", nonexistent="shift_forward"
                                         ).dt.tz_convert("UTC").dt.tz_localize(None)
        return values
    text = _text(values)
    out = _plain_iso(text, dtype)
    slow = np.flatnonzero(text.notna().to_numpy(dtype=bool) & np.isnat(out))
    if len(slow) and export is not None:
        parsed, two_digit = dates.parse(text.iloc[slow], dtype, export.date_orders.get(column),
                                        export.timezone)
        out[slow] = parsed
        if two_digit.any():
            rows = slow[two_digit]
            shown = ", ".join(str(r + 1) for r in rows[:_SHOWN_ROWS])
            shown += ", …" if len(rows) > _SHOWN_ROWS else ""
            raise DatasetError(
                f"{path}: column {column!r} has {len(rows)} date(s) with a two-digit year, at data row(s) "
                f"{shown} "
                f"(the first written like {shape(values.iloc[rows[0]])!r}); a two-digit year has no single "
                "reading: export the dates with four-digit years")
        result = pd.Series(out, index=values.index)
        _check(text.notna() & result.isna(), values, path, column,
               "dates or times in a form gdprlab reads (ISO 8601, DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY, "
               "Excel serial numbers)", advice="correct or empty these values")
        return result
    if len(slow):  # other spellings (offsets, fractions of a second, 1-digit months) and errors
        rest = text.iloc[slow]
        if dtype == "date":
            parsed = pd.to_datetime(rest, format="%Y-%m-%d", errors="coerce")
        else:
            parsed = pd.to_datetime(rest, format="ISO8601", utc=True, errors="coerce").dt.tz_localize(None)
        out[slow] = parsed.to_numpy().astype(out.dtype)
    result = pd.Series(out, index=values.index)
    expected = ("dates written YYYY-MM-DD" if dtype == "date"
                else "ISO 8601 timestamps like 2024-05-03T14:22:05Z")
    _check(text.notna() & result.isna(), values, path, column, expected)
    return result


#: days from 1970-01-01 to the first of each month from January of year 0 to January of year 10000
_MONTH_DAYS = (np.arange(-1970 * 12, (10_000 - 1970) * 12 + 1).astype("datetime64[M]")
               .astype("datetime64[D]").astype(np.int64))
#: the spellings the generator writes, read from fixed character positions
_PLAIN = {"date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
          "datetime": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"}


def _plain_iso(text: pd.Series, dtype: str) -> np.ndarray:
    """The values written exactly YYYY-MM-DD (dates) or YYYY-MM-DDThh:mm:ssZ (UTC), as datetime64[us].

    Others, and impossible dates or times (31 April, 24:00:00, a leap second), are NaT: pandas, which
    reads them one by one, judges those. Parsing millions of plain values here takes a tenth of the time.
    """
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN[dtype]), False)
    rows = np.flatnonzero(plain.to_numpy(zero_copy_only=False))
    if not len(rows):
        return out
    taken = arr.take(pa.array(rows))
    if isinstance(taken, pa.ChunkedArray):  # a column read in blocks
        taken = taken.combine_chunks()
    chars = text_buffers(taken)[1].reshape(len(rows), 10 if dtype == "date" else 20)  # the plain widths

    def number(first: int, last: int) -> np.ndarray:
        value = chars[:, first].astype(np.int64) - 48  # "0" is 48
        for i in range(first + 1, last):
            value = value * 10 + chars[:, i] - 48
        return value

    year, month, day = number(0, 4), number(5, 7), number(8, 10)
    index = np.clip(year * 12 + month - 1, 0, len(_MONTH_DAYS) - 2)  # months since January of year 0
    length = _MONTH_DAYS[index + 1] - _MONTH_DAYS[index]
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= length)
    seconds = (_MONTH_DAYS[index] + day - 1) * 86_400
    if dtype == "datetime":
        hour, minute, second = number(11, 13), number(14, 16), number(17, 19)
        ok &= (hour < 24) & (minute < 60) & (second < 60)
        seconds += (hour * 60 + minute) * 60 + second
    stamp = (seconds * 1_000_000).view("datetime64[us]")
    out[rows[ok]] = stamp[ok]
    return out


def _to_bool(values: pd.Series, path: Path, column: str, words: dict[str, bool] = _BOOLS) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values
    text = _text(values)
    out = text.map(words)
    _check(text.notna() & out.isna(), values, path, column, "True or False")
    return out.astype(bool) if out.notna().all() else out.astype("boolean")


def _to_int(values: pd.Series, path: Path, column: str, export: bool = False) -> pd.Series:
    if pd.api.types.is_integer_dtype(values.dtype):
        return values.astype("Int64")
    if pd.api.types.is_float_dtype(values.dtype) and (values.dropna() % 1 == 0).all():
        return values.astype("Int64")  # parquet ints with gaps may come as float
    text = _text(values)
    if export:  # a spreadsheet's whole number written with a decimal point or comma: 12.0, 12,0
        text = text.str.replace(r"^([+-]?[0-9]+)[.,]0+$", r"\1", regex=True)
    whole = text.str.fullmatch(r"[+-]?[0-9]+").fillna(False).astype(bool)
    _check(text.notna() & ~whole, values, path, column, "whole numbers")
    return pd.to_numeric(text.where(whole)).astype("Int64")


def _check(bad: pd.Series, values: pd.Series, path: Path, column: str, expected: str,
           advice: str = "correct or empty these values, or regenerate the dataset") -> None:
    """Raise one error naming the first offending data rows (1-based, header not counted)."""
    rows = np.flatnonzero(bad.to_numpy(dtype=bool))
    if not len(rows):
        return
    shown = ", ".join(str(r + 1) for r in rows[:_SHOWN_ROWS]) + (", …" if len(rows) > _SHOWN_ROWS else "")
    raise DatasetError(
        f"{path}: column {column!r} has {len(rows)} value(s) that are not {expected}, at data row(s) {shown} "
        f"(the first written like {shape(values.iloc[rows[0]])!r}); {advice}")


def shape(value: object, limit: int = 24) -> str:
    """How a value is written, without what it says: letters as x/X, digits as 9, the rest kept ('29.03.1982'
    -> '99.99.9999', 'Anna' -> 'Xxxx'), cut at `limit` characters. Enough to see a wrong format, not whose."""
    text = str(value)
    masked = "".join("9" if ch.isdigit() else ("X" if ch.isupper() else "x") if ch.isalpha() else ch
                     for ch in text[:limit])
    return masked + ("…" if len(text) > limit else "")


# ----------------------------------------------------------------------------------------------------------
# as-of date, policy and mapping file: the one resolver
# ----------------------------------------------------------------------------------------------------------

DEFAULT_POLICY = "gdprlab defaults (gdprlab/regulation/policy.py)"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str) -> dt.date:
    """A real calendar date written YYYY-MM-DD, else ValueError saying which of the two it is not."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD, e.g. 2026-06-30")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a calendar date ({exc})") from None


def dataset_folder(dataset: str | Path) -> Path:
    """Where a dataset's manifest.json and policy.yaml are: the dataset folder, or a single file's folder."""
    path = Path(dataset)
    return path if path.is_dir() else path.parent


def resolve_as_of(dataset: str | Path, as_of: dt.date | str | None = None, *,
                  today: dt.date | None = None, recorded: bool = True) -> tuple[dt.date, str]:
    """The as-of date and where it came from: `as_of` (a date or YYYY-MM-DD; empty text counts as not
    given), else the dataset's manifest.json (unless `recorded` is false), else today."""
    if isinstance(as_of, dt.date):
        return as_of, "given"
    if as_of is not None and str(as_of).strip():
        try:
            return parse_date(str(as_of)), "given"
        except ValueError as exc:
            raise ValueError(f"as_of: {exc}") from None
    found = read_as_of(dataset_folder(dataset)) if recorded else None
    if found is not None:
        return found, "the dataset's manifest.json"
    return today or dt.date.today(), "today (no as-of date given or recorded)"


def resolve_policy(dataset: str | Path, policy: str | Path | None = None) -> tuple[Policy, str]:
    """The policy and where it came from: the `policy` file, else the dataset's policy.yaml, else the
    defaults."""
    if policy is not None and str(policy).strip():
        return load_policy(policy), str(policy)
    own = dataset_folder(dataset) / "policy.yaml"
    if own.is_file():  # named so, not by its path: reports travel, the auditor's folders need not
        return load_policy(own), "the dataset's policy.yaml"
    return Policy(), DEFAULT_POLICY


@dataclass(frozen=True)
class DatasetInputs:
    """What an assessment of a dataset reads besides its tables, and where each came from (for the user)."""

    dataset: Path
    as_of: dt.date
    as_of_source: str
    policy: Policy
    policy_source: str
    mapping: Path | None  # None: tables and columns recognised by their names


def resolve_inputs(dataset: str | Path, as_of: dt.date | str | None = None, policy: str | Path | None = None,
                   mapping: str | Path | None = None, *, today: dt.date | None = None,
                   in_engine: bool = False) -> DatasetInputs:
    """The as-of date, policy and mapping file of an assessment of `dataset` (see the module docstring).

    `in_engine`: the dataset is a schema in a database or warehouse, not a file: there is no manifest or
    policy file beside it, so the as-of date is the one given or today and the policy the one given or the
    defaults.

    Raises DatasetError when the dataset or a mapping file given is missing, or the manifest is broken;
    PolicyError (gdprlab.regulation.policy) for a policy file that is missing or wrong; ValueError for an
    `as_of` that is not a date written YYYY-MM-DD.
    """
    path = Path(dataset)
    if in_engine:
        day, day_source = resolve_as_of(path, as_of, today=today, recorded=False)
        rules, rules_source = (load_policy(policy), str(policy)) if policy else (Policy(), DEFAULT_POLICY)
        return DatasetInputs(dataset=path, as_of=day, as_of_source=day_source, policy=rules,
                             policy_source=rules_source, mapping=None)
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder; pass a dataset folder, or a CRM export file or "
                           "a folder of them")
    if mapping is not None and str(mapping).strip():
        mapping = Path(mapping)
        if not mapping.is_file():
            raise DatasetError(f"{mapping}: mapping file not found; pass an existing YAML file or omit it")
    else:
        mapping = None
    day, day_source = resolve_as_of(path, as_of, today=today)
    rules, rules_source = resolve_policy(path, policy)
    return DatasetInputs(dataset=path, as_of=day, as_of_source=day_source, policy=rules,
                         policy_source=rules_source, mapping=mapping)


def read_as_of(folder: str | Path) -> dt.date | None:
    """The as-of date the dataset was generated for (manifest.json parameters.as_of), if recorded."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("parameters", {}).get("as_of")
        return None if value is None else dt.date.fromisoformat(value)
    except (ValueError, TypeError, AttributeError) as exc:
        raise DatasetError(
            f"{path}: cannot read parameters.as_of ({exc}); it must be a date like 2026-06-30") from None


def read_policy(folder: str | Path) -> Policy:
    """The dataset's policy.yaml, or the default policy when the folder has none."""
    path = Path(folder) / "policy.yaml"
    return load_policy(path if path.is_file() else None)
