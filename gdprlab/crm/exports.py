"""Load a real CRM export (a file, or a folder of CSV, text, Excel or Parquet files) into gdprlab's tables.

A folder is read file by file (gdprlab.crm.reader says how each file is written): hidden files, spreadsheet
lock files and files of other kinds are skipped and listed; a file that cannot be read is listed with its
reason and the others are still read (the commands then exit 2 unless told to keep going). Each file, or each
sheet of a workbook, is matched to a table by the mapping file or by the whole words of its name
(gdprlab.crm.conventions.table_for); several files may feed one table, and the LoadReport keeps the file
each row came from (`LoadReport.sources`, `source_of`), beside the table rather than in it, so the checks
see the export's own columns only. Columns are renamed to canonical names where a convention or the mapping
says so, every other column is kept under its own name, so nothing in the export is silently dropped.
Canonical columns are converted to their schema types, reading the date spellings of real exports
(gdprlab.crm.dates), with one clear error per bad column. A generated dataset (with its manifest) is read
strictly instead: every schema column must be there.

The mapping file is keyed by file (see `read_mapping`); each error in it names its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from gdprlab.crm import conventions, dates
from gdprlab.crm.io import DatasetError, ExportValues, convert, read_dataset
from gdprlab.crm.reader import FORMATS, Detected, Sheet, read_file, skip_reason
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.policy import yaml_problem

#: a generated dataset's answer keys (gdprlab.generator.dataset): files beside its tables, none of them
GROUND_TRUTH = "ground_truth"  # the planted violations
MENTIONS_TRUTH = "ground_truth_mentions"  # the contacts mentioned in other contacts' notes
ANSWER_KEYS = frozenset({GROUND_TRUTH, MENTIONS_TRUTH})

_FILE_KEYS = ("table", "columns", "date_order")
_TOP_KEYS = ("files", "tables", "date_order", "timezone")


@dataclass
class LoadReport:
    """What was read from where, and how columns were mapped: shown to the auditor, never guessed silently."""

    files: dict[str, str] = field(default_factory=dict)  # table -> file(s)
    mapped: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> export header -> column
    kept: dict[str, list[str]] = field(default_factory=dict)  # table -> headers kept as they are
    ignored: list[str] = field(default_factory=list)  # files (or sheets) that match no table
    read: list[Detected] = field(default_factory=list)  # how each file or sheet read was written
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file, why it was not read
    failed: list[tuple[str, str]] = field(default_factory=list)  # file, why it could not be read
    sources: dict[str, pd.Series] = field(default_factory=dict)  # table -> file of each row, by its key

    def missing_tables(self) -> list[str]:
        return [t for t in TABLES if t not in self.files]

    def source_of(self, table: str, record_ids) -> dict[str, str]:
        """The file each record (by its key) was read from, for naming it in findings and evidence."""
        files = self.sources.get(table)
        if files is None:
            return {}
        found = files[files.index.isin([str(r) for r in record_ids])]
        return {str(k): str(v) for k, v in found.items()}

    def file_records(self) -> list[dict]:
        """One record per file met: read (with what was detected), ignored, skipped or failed."""
        return (
            [{"status": "read", **d.to_dict()} for d in self.read]
            + [{"status": "ignored", "file": f, "reason": "matches no table"} for f in self.ignored]
            + [{"status": "skipped", "file": f, "reason": r} for f, r in self.skipped]
            + [{"status": "failed", "file": f, "reason": r} for f, r in self.failed]
        )

    def files_frame(self) -> pd.DataFrame:
        """The files of `file_records` as a table, for the report's scope section."""
        columns = [
            "file",
            "status",
            "table",
            "format",
            "encoding",
            "delimiter",
            "rows",
            "dates",
            "timezone",
            "reason",
        ]
        rows = [
            {
                **r,
                "dates": ", ".join(f"{c}: {o}" for c, o in (r.get("dates") or {}).items()),
                "reason": r.get("reason") or "; ".join(r.get("warnings") or []),
            }
            for r in self.file_records()
        ]
        return pd.DataFrame(rows, columns=columns).astype({"rows": "Int64"})

    def notes(self, read: bool = True) -> list[str]:
        """One line per file: how it was read (unless `read` is false), or why not; for standard error."""
        return (
            [f"read {d.describe()}" for d in self.read if read]
            + [f"note: {f} matches no table and was not read" for f in self.ignored]
            + [f"note: {f} skipped: {r}" for f, r in self.skipped]
            + [f"warning: {d.name}: {w}" for d in self.read for w in d.warnings]
            + [f"error: {r}" for _, r in self.failed]
        )


@dataclass
class FileSpec:
    """One file's entry in a mapping file."""

    table: str | None
    columns: dict[str, str]  # canonical column -> export header
    date_order: str | None
    line: int


@dataclass
class Mapping:
    """A mapping file: which file feeds which table, with which headers for which columns."""

    path: Path
    files: dict[str, FileSpec]  # file name, or 'workbook.xlsx[Sheet]' -> its entry
    date_order: str | None = None
    timezone: str | None = None


def load(
    path: str | Path,
    mapping: str | Path | None = None,
    *,
    date_order: str | None = None,
    timezone: str = "UTC",
) -> tuple[dict[str, pd.DataFrame], LoadReport]:
    """Tables of a generated dataset or a real export; absent tables are simply not in the result."""
    path = Path(path)
    if path.is_dir() and (path / "manifest.json").is_file() and mapping is None:
        tables = read_dataset(path)
        return tables, LoadReport(
            files={t: f"{t}.*" for t in tables},
            mapped={t: {c: c for c in df.columns} for t, df in tables.items()},
        )
    return load_export(path, mapping, date_order=date_order, timezone=timezone)


def export_files(path: Path, report: LoadReport) -> list[Path]:
    """The table files of an export file or folder; what is passed over is listed in `report.skipped`."""
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder; pass a CRM export file or a folder of them")
    if path.is_file():
        if path.suffix.lower() not in FORMATS:
            raise DatasetError(
                f"{path}: {skip_reason(path)}; pass a .csv, .tsv, .txt, .xlsx, .xlsm or .parquet "
                "file or a folder of them"
            )
        return [path]
    files = []
    for p in sorted(path.iterdir()):
        reason = "a folder (not read)" if p.is_dir() else skip_reason(p)
        if reason:
            report.skipped.append((p.name, reason))
        else:
            files.append(p)
    if not files:
        raise DatasetError(f"{path}: holds no .csv, .tsv, .txt, .xlsx, .xlsm or .parquet files")
    return files


def readable_sheets(file: Path, report: LoadReport) -> list:
    """The sheets of `file` (gdprlab.crm.reader.read_file), or none when it cannot be read: its reason is
    then listed in `report.failed` and the other files are read."""
    try:
        return read_file(file)
    except DatasetError as exc:
        report.failed.append((file.name, str(exc)))
        return []


def load_export(
    path: str | Path,
    mapping: str | Path | None = None,
    *,
    date_order: str | None = None,
    timezone: str = "UTC",
) -> tuple[dict[str, pd.DataFrame], LoadReport]:
    """The tables of an export file or folder, and what was read from where (see the module docstring).

    `date_order` (dmy or mdy) reads date columns whose values fit both orders; `timezone` is the zone of
    times written without an offset. Both may come from the mapping file too (the arguments win).
    DatasetError when nothing could be read, for a broken mapping, or for a key that repeats."""
    path = Path(path)
    if date_order is not None and date_order not in dates.ORDERS:
        raise DatasetError(f"date order {date_order!r}: choose dmy (day first) or mdy (month first)")
    rules = read_mapping(mapping) if mapping else None
    if rules is not None:
        timezone = timezone if timezone != "UTC" or rules.timezone is None else rules.timezone
        date_order = date_order or rules.date_order
    dates.check_timezone(timezone)
    report = LoadReport()
    files = export_files(path, report)
    if rules is not None:
        _check_mapped_files(rules, files, path)
    parts: dict[str, list[pd.DataFrame]] = {}
    sources: dict[str, list[tuple[str, int]]] = {}
    for file in files:
        for sheet in readable_sheets(file, report):
            spec = _spec_of(sheet, rules)
            table = spec.table if spec is not None and spec.table else _table_of(sheet, file)
            if table is None and spec is not None:
                raise DatasetError(
                    f"{rules.path}, line {spec.line}: {sheet.detected.name} matches no table by its name; "
                    f"say which with table: (one of {', '.join(TABLES)})"
                )
            if table is None:
                report.ignored.append(sheet.detected.name)
                continue
            sheet.detected.table = table
            try:
                frame = _canonical(sheet, table, file, spec, rules, date_order, timezone, report)
            except DatasetError as exc:
                report.failed.append((sheet.detected.name, str(exc)))
                continue
            except (ValueError, TypeError, KeyError, IndexError) as exc:  # never a traceback; never values
                report.failed.append(
                    (
                        sheet.detected.name,
                        f"{file}: its values cannot be read as table "
                        f"{table!r} ({type(exc).__name__}); check its columns' types",
                    )
                )
                continue
            parts.setdefault(table, []).append(frame)
            sources.setdefault(table, []).append((sheet.detected.name, len(frame)))
            report.read.append(sheet.detected)
    if not parts:
        reasons = "; ".join(r for _, r in report.failed)
        raise DatasetError(
            reasons
            or f"{path}: no file matches a gdprlab table (files: "
            f"{', '.join(report.ignored) or 'none'}); name them like the tables "
            f"({', '.join(TABLES)}) or map them in a mapping file"
        )
    tables = {t: pd.concat(p, ignore_index=True) if len(p) > 1 else p[0] for t, p in parts.items()}
    report.sources = {
        t: pd.Series(
            pd.Categorical.from_codes(
                np.repeat(np.arange(len(s)), [k for _, k in s]), categories=[n for n, _ in s]
            ),  # one name per file or sheet
            index=pd.Index(tables[t][TABLES[t].key]),
        )
        for t, s in sources.items()
    }
    _check_keys(tables, report)
    return tables, report


def _table_of(sheet: Sheet, file: Path) -> str | None:
    """A sheet's own name when it names a table, else the file's name (a file, or a workbook's only sheet)."""
    if sheet.sheet is not None:
        by_sheet = conventions.table_for(sheet.sheet)
        if by_sheet or sheet.detected.sheet is not None:
            return by_sheet
    return conventions.table_for(file.stem)


# ------------------------------------------------------------------------------------------------------
# mapping file
# ------------------------------------------------------------------------------------------------------


def read_mapping(path: str | Path) -> Mapping:
    """A YAML mapping keyed by file name (a workbook's sheet as 'crm.xlsx[Contact]')::

        date_order: dmy            # optional: slashed dates that read both ways are day first
        timezone: Europe/Berlin    # optional: the zone of times written without an offset
        files:
          Contact.csv: {table: contacts, columns: {first_name: Vorname, email: Mail}}
          Lead.csv: {table: contacts, date_order: mdy}

    The older form keyed by table (`tables: {contacts: {file: Contact.csv, columns: {…}}}`) is read too.
    Every error names the mapping file and line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"{p}: mapping file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{p}: cannot be read ({type(exc).__name__}); save it as UTF-8 text") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise DatasetError(f"{p}: not valid YAML ({yaml_problem(exc)})") from None
    data = _node(root, p)
    if not isinstance(data, dict) or not ({"files", "tables"} & set(data)):
        raise DatasetError(
            f"{p}: expected a top-level 'files:' mapping of file name to table and columns "
            "(or the older 'tables:' mapping)"
        )
    _only(data, _TOP_KEYS, p, "the top level")
    out = Mapping(p, {})
    if "date_order" in data:
        out.date_order = _order(data["date_order"], p)
    if "timezone" in data:
        value, line = data["timezone"]
        try:
            out.timezone = dates.check_timezone(str(value))
        except ValueError as exc:
            raise DatasetError(f"{p}, line {line}: timezone: {exc}") from None
    if "files" in data:
        for name, (spec, line) in _mapping_of(data["files"], p, "files").items():
            out.files[name] = _file_spec(spec, line, p, f"files.{name}", table=None)
    if "tables" in data:
        for table, (spec, line) in _mapping_of(data["tables"], p, "tables").items():
            if table not in TABLES:
                raise DatasetError(f"{p}, line {line}: unknown table {table!r}; tables: {', '.join(TABLES)}")
            if not isinstance(spec, dict) or "file" not in spec:
                raise DatasetError(f"{p}, line {line}: tables.{table} needs 'file:' naming its export file")
            file, file_line = spec.pop("file")
            if not isinstance(file, str):
                raise DatasetError(f"{p}, line {file_line}: tables.{table}.file must be one file name")
            out.files[file] = _file_spec(spec, line, p, f"tables.{table}", table=table)
    return out


def _node(node, path: Path):
    """A composed YAML node as data: mappings as {key: (value, line)}, duplicate keys refused."""
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = _node(key_node, path)
            line = key_node.start_mark.line + 1
            if isinstance(key, dict | list):
                raise DatasetError(f"{path}, line {line}: a key must be a name")
            if key in out:
                raise DatasetError(
                    f"{path}, line {line}: {key!r} is given twice (first at line {out[key][1]}); keep one"
                )
            out[key] = (_node(value_node, path), line)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_node(v, path) for v in node.value]
    return yaml.SafeLoader("").construct_object(node)


def _mapping_of(entry, path: Path, where: str) -> dict:
    value, line = entry
    if not isinstance(value, dict):
        raise DatasetError(f"{path}, line {line}: {where} must be a mapping")
    return value


def _only(data: dict, keys: tuple[str, ...], path: Path, where: str) -> None:
    for key, (_, line) in data.items():
        if key not in keys:
            raise DatasetError(
                f"{path}, line {line}: unknown key {key!r} in {where}; expected {', '.join(keys)}"
            )


def _order(entry, path: Path) -> str:
    value, line = entry
    if value not in dates.ORDERS:
        raise DatasetError(f"{path}, line {line}: date_order must be dmy (day first) or mdy (month first)")
    return value


def _file_spec(spec, line: int, path: Path, where: str, table: str | None) -> FileSpec:
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise DatasetError(
            f"{path}, line {line}: {where} must be a mapping with table, columns or date_order"
        )
    _only(spec, _FILE_KEYS if table is None else ("columns", "date_order"), path, where)
    if "table" in spec:
        table, table_line = spec["table"]
        if table not in TABLES:
            raise DatasetError(
                f"{path}, line {table_line}: unknown table {table!r}; tables: {', '.join(TABLES)}"
            )
    columns: dict[str, str] = {}
    if "columns" in spec:
        for column, (header, col_line) in _mapping_of(spec["columns"], path, f"{where}.columns").items():
            if table is not None and column not in TABLES[table].column_names:
                raise DatasetError(
                    f"{path}, line {col_line}: {where}.columns: unknown column {column!r}; "
                    f"columns of {table}: {', '.join(TABLES[table].column_names)}"
                )
            if not isinstance(header, str | int) or isinstance(header, bool):
                raise DatasetError(
                    f"{path}, line {col_line}: {where}.columns.{column} must be one header (a "
                    "column gets its values from one header)"
                )
            header = str(header)
            if header in columns.values():
                other = next(c for c, h in columns.items() if h == header)
                raise DatasetError(
                    f"{path}, line {col_line}: header {header!r} is mapped to both {other!r} and "
                    f"{column!r}; map each header to one column"
                )
            columns[column] = header
    order = _order(spec["date_order"], path) if "date_order" in spec else None
    return FileSpec(table, columns, order, line)


def _check_mapped_files(rules: Mapping, files: list[Path], path: Path) -> None:
    names = {f.name for f in files}
    for name, spec in rules.files.items():
        base = name.split("[", 1)[0] if name.endswith("]") else name
        if base not in names:
            raise DatasetError(
                f"{rules.path}, line {spec.line}: file {name!r} is not in {path} (its table files: "
                f"{', '.join(sorted(names)) or 'none'})"
            )


def _spec_of(sheet: Sheet, rules: Mapping | None) -> FileSpec | None:
    if rules is None:
        return None
    d = sheet.detected
    return rules.files.get(f"{d.file}[{sheet.name}]") or rules.files.get(d.name) or rules.files.get(d.file)


# ------------------------------------------------------------------------------------------------------
# columns and values
# ------------------------------------------------------------------------------------------------------


def _canonical(
    sheet: Sheet,
    table: str,
    file: Path,
    spec: FileSpec | None,
    rules: Mapping | None,
    date_order: str | None,
    timezone: str,
    report: LoadReport,
) -> pd.DataFrame:
    raw = sheet.frame
    where = file if sheet.detected.sheet is None else f"{file}[{sheet.detected.sheet}]"
    given = {header: column for column, header in (spec.columns if spec else {}).items()}
    if spec is not None and spec.table is None:  # a table found by name: check the columns now
        unknown = [c for c in given.values() if c not in TABLES[table].column_names]
        if unknown:
            raise DatasetError(
                f"{rules.path}, line {spec.line}: {sheet.detected.name}: unknown column(s) "
                f"{unknown} of {table}; columns of {table}: "
                f"{', '.join(TABLES[table].column_names)}"
            )
    missing = [h for h in given if h not in raw.columns]
    if missing:
        raise DatasetError(
            f"{rules.path}, line {spec.line}: mapped header(s) {missing} not found in "
            f"{sheet.detected.name}; its headers are {list(raw.columns)}"
        )
    names = {
        **conventions.column_map(
            table, [c for c in raw.columns if c not in given], taken=set(given.values())
        ),
        **given,
    }
    df = raw.rename(columns=names)
    key = TABLES[table].key
    if key not in df.columns:
        raise DatasetError(
            f"{where}: no key column for table {table!r} (expected {key!r} or an export id such as Id / "
            f"Record ID); map it in a mapping file (files: {sheet.detected.name}: {{table: {table}, "
            f"columns: {{{key}: <your header>}}}})"
        )
    types = {c.name: c.dtype for c in TABLES[table].columns}
    export = ExportValues(_date_orders(df, types, where, spec, date_order, sheet.detected), timezone)
    for col in df.columns:
        if col in types:
            df[col] = convert(df[col], types[col], where, col, export)
    if any(types.get(c) == "datetime" for c in df.columns):
        sheet.detected.timezone = timezone
    if table == "contacts" and "status" not in df.columns and conventions.is_lead_file(file.stem):
        df["status"] = "lead"
    report.files[table] = ", ".join(filter(None, [report.files.get(table), sheet.detected.name]))
    report.mapped.setdefault(table, {}).update(names)
    report.kept.setdefault(table, []).extend(c for c in raw.columns if c not in names)
    return df


def _date_orders(
    df: pd.DataFrame,
    types: dict[str, str],
    where,
    spec: FileSpec | None,
    date_order: str | None,
    detected: Detected,
) -> dict[str, str | None]:
    """Day-month order of each date column with slashed dates: its values' own, else the mapping's entry
    for the file, else the one the file's other date columns show, else `date_order`; else an error."""
    found = {
        c: dates.infer_order(df[c])
        for c in df.columns
        if types.get(c) in ("date", "datetime") and pd.api.types.is_string_dtype(df[c])
    }
    shown = {c: o for c, o in found.items() if o is not None}
    definite = {o for o in shown.values() if o in dates.ORDERS}
    own = definite.pop() if len(definite) == 1 else None
    out: dict[str, str | None] = {}
    for column, order in shown.items():
        if order in dates.ORDERS:
            out[column], how = order, "from its values"
        elif spec is not None and spec.date_order:
            out[column], how = spec.date_order, "from the mapping file"
        elif own:
            out[column], how = own, "as the file's other date columns"
        elif date_order:
            out[column], how = date_order, "as --date-order says"
        else:
            raise DatasetError(
                f"{where}: column {column!r} has dates that read both day-first and month-first (no day "
                "above 12); say which with --date-order dmy or --date-order mdy, or date_order: in the "
                "mapping file"
            )
        detected.dates[column] = f"{'DD/MM/YYYY' if out[column] == 'dmy' else 'MM/DD/YYYY'} ({how})"
    return out


def _check_keys(tables: dict[str, pd.DataFrame], report: LoadReport) -> None:
    """Every table's key is unique, so findings can name records (each file has it: `_canonical`)."""
    for name, df in tables.items():
        key = TABLES[name].key
        keys = pa.array(df[key], from_pandas=True)
        if pc.count_distinct(keys).as_py() == pc.count(keys).as_py():  # unique, the usual case: no row mask
            continue
        dup = df[key].duplicated() & df[key].notna()
        if dup.any():
            first = dup.to_numpy().nonzero()[0][0]
            source = report.sources[name].iloc[first] if name in report.sources else report.files[name]
            rows = ", ".join(str(i + 1) for i in dup.to_numpy().nonzero()[0][:5])
            raise DatasetError(
                f"{report.files[name]}: key {key!r} repeats at data row(s) {rows} (the first in {source}); "
                "keys must be unique"
            )
