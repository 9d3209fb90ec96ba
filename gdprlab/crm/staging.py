"""gdprlab's tables as typed relations on the engine that checks them, read there rather than into pandas.

Reading a dataset into pandas before checking it costs about 1.7 GB per million contacts, and loading pandas
frames into DuckDB afterwards was the slowest and largest way measured (shared/design/engine.md): here the
engine reads the data itself.

* `stage_dataset(folder, backend)`: the files of a dataset folder (`<table>.csv` or `<table>.parquet`)
  read by DuckDB or PySpark, converted exactly as `gdprlab.crm.io.read_dataset` converts them, so both
  give the same values. Parquet files stay files the queries read (their columns are typed, and read where
  a query needs them); DuckDB parses and converts a CSV once, into a temporary table of the connection
  (which its memory limit lets it spill), instead of once in every query that reads it. CSV is read as
  text; missing values and empty text are NULL; timestamps are naive UTC from ISO 8601 text with `Z` or an
  offset; dates, booleans (True/False/true/false), whole numbers; columns outside the schema stay text. A
  value that does not convert, a missing schema column or a file the engine cannot read fails with
  read_dataset's own DatasetError for that file (read_table produces it), so the engine never loads values
  the pandas reader would have refused.
* `stage_fivetran(backend, connector)`: the tables the Fivetran Salesforce and HubSpot connectors write into a
  warehouse, mapped onto gdprlab's tables. Rows deleted in the CRM (`_fivetran_deleted`, Salesforce
  `is_deleted`) and past versions kept by Fivetran's history mode (`_fivetran_active` false) are left out;
  timestamps become naive UTC. Columns are recognised by the CRM header conventions of
  `gdprlab.crm.conventions` (Fivetran writes Salesforce API names in snake case, `mailing_country` for
  MailingCountry, and HubSpot properties as `property_<internal name>`), and the connectors' activity and
  user tables by the mappings below. A canonical column that no source table has is left out rather than
  filled with NULLs: the checks then report it as not assessed instead of judging empty values.
  Table and column names are those of Fivetran's schemas as documented by its dbt source packages (their
  October 2025 versions): fivetran/dbt_salesforce_source (models/salesforce/src_salesforce.yml,
  macros/get_*_columns.sql) and fivetran/dbt_hubspot_source (models/src_hubspot.yml,
  macros/get_*_columns.sql), whose staging models filter `is_deleted`, `_fivetran_deleted` and
  `_fivetran_active` as done here.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq
from ibis.common.exceptions import TableNotFound

from gdprlab.crm import conventions
from gdprlab.crm.backends import EngineError, quoted
from gdprlab.crm.io import DatasetError, read_table, table_file
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
        path = table_file(folder, name)
        if path is not None:
            staged[name] = _stage_file(backend, path, table, options)
    return staged


def _stage_file(backend: Any, path: Path, table: Table, csv_options: Mapping[str, Any]) -> ir.Table:
    types = {c.name: c.dtype for c in table.columns}
    with _reader_errors(path, table):
        raw = (backend.read_csv(str(path), **csv_options) if path.suffix == ".csv"
               else backend.read_parquet(str(path)))
    if not set(table.required_names) <= set(raw.columns):
        _refuse(path, table, "a missing column")
    checked = [c for c in raw.columns if types.get(c, "str") != "str"]
    if path.suffix == ".csv" and backend.name == "duckdb":
        return _parsed_once(backend, path, table, raw, types, checked)
    no_empty = _without_empty_text(path) if path.suffix == ".parquet" else set()
    texts = [c for c in raw.columns if types.get(c, "str") == "str" and raw[c].type().is_string()
             and c not in no_empty]
    with _reader_errors(path, table):  # a full read: the engine parses every row of a CSV here
        found = backend.execute(raw.aggregate(
            rows=raw.count(), **{c: raw.count(where=unconvertible(raw[c], types[c])) for c in checked},
            **{f"empty_text_{i}": raw.count(where=(raw[c] == "").fill_null(False))
               for i, c in enumerate(texts)}))
    for column in checked:
        if count := int(found[column].iloc[0]):
            _refuse(path, table, f"{count} value(s) of column {column!r} not {_EXPECTED[types[column]]}")
    no_empty |= {c for i, c in enumerate(texts) if not int(found[f"empty_text_{i}"].iloc[0])}
    return raw.select(**{c: _as_read(raw[c], types.get(c, "str"), c in no_empty) for c in raw.columns})


def _parsed_once(backend: Any, path: Path, table: Table, raw: ir.Table, types: Mapping[str, str],
                 checked: list[str]) -> ir.Table:
    """A CSV file parsed and converted by DuckDB once, into a temporary table of the connection, with a
    flag per converted column for a value that does not convert; the flags counted there (a refusal drops
    the table), then dropped. A view of the file would parse and convert it again in every query."""
    name = f"gdprlab_staged_{table.name}_{uuid.uuid4().hex}"  # a dataset may be staged more than once
    # the flags are named after the table (a random name): no column of the file has their names
    flags = {f"{name}_{i}": unconvertible(raw[c], types[c]) for i, c in enumerate(checked)}
    with _reader_errors(path, table):  # the one full read: the engine parses every row here
        kept = backend.create_table(name, raw.select(
            **{c: convert(raw[c], types.get(c, "str")) for c in raw.columns}, **flags), temp=True)
    if flags:
        found = backend.execute(kept.aggregate(**{f: kept.count(where=kept[f]) for f in flags}))
        for flag, column in zip(flags, checked, strict=True):
            if count := int(found[flag].iloc[0]):
                backend.raw_sql(f"DROP TABLE {quoted(name)}")
                _refuse(path, table, f"{count} value(s) of column {column!r} not {_EXPECTED[types[column]]}")
        for flag in flags:
            backend.raw_sql(f"ALTER TABLE {quoted(name)} DROP COLUMN {quoted(flag)}")
    return backend.table(name)


def _as_read(value: ir.Value, dtype: str, no_empty: bool) -> ir.Value:
    """convert(value, dtype), or the column itself where that is what it gives: a column of the type
    already, text holding no empty value. A bare column lets the engine push the checks' filters down into
    its reader (Parquet's statistics skip row groups, a filter is read before the other columns)."""
    source = value.type()
    if source == _TYPES[dtype] and (not source.is_string() or no_empty):
        return value
    return convert(value, dtype)


def _without_empty_text(path: Path) -> set[str]:
    """The text columns of a Parquet file that its statistics prove hold no empty text: every row group
    holds only missing values in it or has a least value that is not empty ('' sorts first)."""
    try:
        meta = pq.ParquetFile(path).metadata
    except (OSError, pa.ArrowException):
        return set()  # the engine's reader says what is wrong with the file
    out = set()
    for j in range(meta.num_columns):
        column = meta.schema.column(j)
        if column.physical_type != "BYTE_ARRAY" or column.max_definition_level > 1:
            continue  # not text, or nested
        for i in range(meta.num_row_groups):
            stats = meta.row_group(i).column(j).statistics
            if stats is None:
                break
            all_missing = stats.has_null_count and stats.null_count == meta.row_group(i).num_rows
            if not all_missing and not (stats.has_min_max and stats.min not in ("", b"")):
                break
        else:
            out.add(column.name)
    return out


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


# ----------------------------------------------------------------------------------------------------------
# Fivetran connectors
# ----------------------------------------------------------------------------------------------------------

#: the connectors' flags of a row deleted in the CRM
_DELETED = ("_fivetran_deleted", "is_deleted")


class _Source:
    """One connector table without the rows deleted in the CRM or superseded in history mode; its columns are
    looked up in any case (warehouses such as Snowflake report unquoted names in upper case)."""

    def __init__(self, table: ir.Table):
        self._names = {c.lower(): c for c in table.columns}
        flags = [table[self._names[c]].fill_null(False) for c in _DELETED if c in self]
        #: the rows deleted in the CRM, when the table says which
        self.deleted = table.filter(ibis.or_(*flags)) if flags else None
        live = [~flag for flag in flags]
        if "_fivetran_active" in self:
            live.append(table[self._names["_fivetran_active"]].fill_null(True))
        self.table = table.filter(*live) if live else table

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._names

    def get(self, name: str, table: ir.Table | None = None) -> ir.Column | None:
        """The column `name` of the live rows (or of `table`, one of this source's relations)."""
        return (self.table if table is None else table)[self._names[name.lower()]] if name in self else None

    def first(self, *names: str, dtype: str) -> ir.Value | None:
        """The first of these columns that is present and not NULL, as `dtype`; None when none is present."""
        values = [convert(self.get(n), dtype) for n in names if n in self]
        return ibis.coalesce(*values) if len(values) > 1 else next(iter(values), None)

    def by_convention(self, table: str, prefix: str = "") -> dict[str, ir.Value]:
        """Canonical column -> value, recognised by the export header conventions once `prefix` is removed."""
        headers = {(c[len(prefix):] if c.lower().startswith(prefix) else c): c
                   for c in self.table.columns if not c.lower().startswith("_fivetran")}
        return {column: self.table[headers[header]]
                for header, column in conventions.column_map(table, list(headers)).items()}

    def select(self, values: Mapping[str, ir.Value | None], where: ir.BooleanValue | None = None) -> ir.Table:
        """The rows (where `where` holds) as canonical columns; a value None is a column the source lacks."""
        rows = self.table if where is None else self.table.filter(where.fill_null(False))
        return rows.select(**{name: value for name, value in values.items() if value is not None})


Lookup = Callable[[str], "_Source | None"]


def _salesforce(get: Lookup) -> dict[str, list[ir.Table]]:
    """contact and lead -> contacts, account -> accounts, task and event -> activities, user -> staff."""
    out: dict[str, list[ir.Table]] = {}
    if contact := get("contact"):
        out.setdefault("contacts", []).append(contact.select(contact.by_convention("contacts")))
    if lead := get("lead"):  # a converted lead lives on as the contact it became
        converted = lead.get("is_converted")
        out.setdefault("contacts", []).append(lead.select(
            {**lead.by_convention("contacts"), "status": ibis.literal("lead")},
            where=None if converted is None else ~converted.fill_null(False)))
    if account := get("account"):
        out["accounts"] = [account.select(account.by_convention("accounts"))]
    for name, when in (("task", ("completed_date_time", "activity_date", "created_date")),
                       ("event", ("start_date_time", "activity_date_time", "activity_date", "created_date"))):
        if activity := get(name):
            kind = _kind(activity.first("task_subtype", "type", dtype="str"), "task") if name == "task" \
                else ibis.literal("meeting")
            out.setdefault("activities", []).append(activity.select({
                "activity_id": activity.get("id"), "contact_id": activity.get("who_id"),
                "staff_id": activity.get("owner_id"), "type": kind,
                "occurred_at": activity.first(*when, dtype="datetime"), "note": activity.get("description")}))
    if user := get("user"):
        out["staff"] = [user.select({"staff_id": user.get("id"), "name": user.get("name"),
                                     "email": user.get("email"), "department": user.get("department")})]
    return out


#: HubSpot's tables of engagement details, which carry the deletion flag of their engagement
_ENGAGEMENT_DETAILS = ("engagement_call", "engagement_email", "engagement_meeting", "engagement_note",
                       "engagement_task")


def _hubspot(get: Lookup) -> dict[str, list[ir.Table]]:
    """contact -> contacts, company -> accounts, engagement (with its contacts and notes) -> activities,
    owner -> staff."""
    out: dict[str, list[ir.Table]] = {}
    if contact := get("contact"):
        out["contacts"] = [contact.select(contact.by_convention("contacts", "property_"))]
    if company := get("company"):
        out["accounts"] = [company.select(company.by_convention("accounts", "property_"))]
    if engagement := get("engagement"):
        out["activities"] = [_hubspot_activities(engagement, get)]
    if owner := get("owner"):
        names = [owner.get(n).fill_null("") for n in ("first_name", "last_name") if n in owner]
        name = ibis.literal(" ").join(names).strip().nullif("") if names else None
        out["staff"] = [owner.select({"staff_id": owner.first("owner_id", "id", dtype="str"), "name": name,
                                      "email": owner.get("email")})]
    return out


def _hubspot_activities(engagement: _Source, get: Lookup) -> ir.Table:
    """One activity per engagement and contact it is associated with (its id then `<engagement>:<contact>`);
    engagements whose details were deleted are left out."""
    rows = engagement.select({"engagement_id": engagement.get("id"), "staff_id": engagement.get("owner_id"),
                              "type": _kind(engagement.first("type", dtype="str"), "engagement"),
                              "occurred_at": engagement.first("timestamp", "created_at", dtype="datetime")})
    for detail in filter(None, map(get, _ENGAGEMENT_DETAILS)):
        if detail.deleted is not None:
            deleted = detail.get("engagement_id", detail.deleted)
            rows = rows.anti_join(detail.deleted, rows.engagement_id == deleted)
    if links := get("engagement_contact"):
        linked = links.select({"linked": links.get("engagement_id"), "contact_id": links.get("contact_id")})
        rows = rows.left_join(linked, rows.engagement_id == linked.linked).drop("linked")
    notes = get("engagement_note")
    text = notes and notes.first("property_hs_note_body", "body", dtype="str")
    if text is not None:
        bodies = notes.select({"noted": notes.get("engagement_id"), "note": text})
        rows = rows.left_join(bodies, rows.engagement_id == bodies.noted).drop("noted")
    engagement_id = rows.engagement_id.cast(dt.string)
    activity_id = (engagement_id if "contact_id" not in rows.columns else
                   ibis.ifelse(rows.contact_id.isnull(), engagement_id,
                               engagement_id.concat(":", rows.contact_id.cast(dt.string))))
    return rows.mutate(activity_id=activity_id).drop("engagement_id")


def _kind(value: ir.StringValue | None, default: str) -> ir.StringValue:
    """An activity type in lower case (Call -> call), `default` where the source has none."""
    return ibis.literal(default) if value is None else value.lower().fill_null(default)


CONNECTORS: dict[str, Callable[[Lookup], dict[str, list[ir.Table]]]] = {
    "salesforce": _salesforce, "hubspot": _hubspot}


def stage_fivetran(backend: Any, connector: str, database: str | None = None) -> dict[str, ir.Table]:
    """gdprlab's tables from the tables a Fivetran connector ("salesforce" or "hubspot") keeps in `database`
    (a schema, or (catalog, schema), as the backend takes it); tables without a source are left out."""
    if connector not in CONNECTORS:
        raise ValueError(f"unknown connector {connector!r}: use {' or '.join(CONNECTORS)}")

    def get(name: str) -> _Source | None:
        for spelling in (name, name.upper()):  # Snowflake keeps unquoted names in upper case
            with contextlib.suppress(TableNotFound):
                return _Source(backend.table(spelling, database=database))
        return None

    parts = CONNECTORS[connector](get)
    return {name: _canonical(name, parts[name]) for name in TABLES if parts.get(name)}


def _canonical(name: str, parts: list[ir.Table]) -> ir.Table:
    """The parts as one table: schema columns typed and in schema order, then the others; a column that only
    some parts have is NULL in the rest."""
    types = {c.name: c.dtype for c in TABLES[name].columns}
    typed = [p.select(**{c: convert(p[c], types[c]) if c in types else p[c] for c in p.columns})
             for p in parts]
    found = dict.fromkeys(c for p in typed for c in p.columns)
    columns = [c for c in types if c in found] + [c for c in found if c not in types]
    kinds = {c: next(p[c].type() for p in typed if c in p.columns) for c in columns}
    aligned = [p.select(**{c: p[c].cast(kinds[c]) if c in p.columns else ibis.null(kinds[c])
                           for c in columns}) for p in typed]
    return ibis.union(*aligned, distinct=False) if len(aligned) > 1 else aligned[0]
