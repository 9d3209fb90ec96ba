"""Load a real CRM export (a folder of CSV, Parquet or Excel files) into gdprlab's tables.

Each file is matched to a table by the mapping file or by its name (gdprlab.crm.conventions); its columns are
renamed to canonical names where a convention or the mapping says so, and every other column is kept
under its own name, so nothing in the export is silently dropped. Canonical columns are converted to
their schema types with one clear error per bad column. A generated dataset (with its manifest) is read
strictly instead: every schema column must be there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from gdprlab.crm import conventions
from gdprlab.crm.io import DatasetError, convert, read_csv_text, read_dataset
from gdprlab.crm.schema import TABLES

READERS = {".csv": "csv", ".parquet": "parquet", ".xlsx": "excel", ".xls": "excel"}


@dataclass
class LoadReport:
    """What was read from where, and how columns were mapped: shown to the auditor, never guessed silently."""

    files: dict[str, str] = field(default_factory=dict)  # table -> file(s)
    mapped: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> export header -> column
    kept: dict[str, list[str]] = field(default_factory=dict)  # table -> headers kept as they are
    ignored: list[str] = field(default_factory=list)  # files that match no table

    def missing_tables(self) -> list[str]:
        return [t for t in TABLES if t not in self.files]


def load(path: str | Path, mapping: str | Path | None = None) -> tuple[dict[str, pd.DataFrame], LoadReport]:
    """Tables of a generated dataset or a real export; absent tables are simply not in the result."""
    path = Path(path)
    if path.is_dir() and (path / "manifest.json").is_file() and mapping is None:
        tables = read_dataset(path)
        return tables, LoadReport(
            files={t: f"{t}.*" for t in tables},
            mapped={t: {c: c for c in df.columns} for t, df in tables.items()},
        )
    return load_export(path, mapping)


def load_export(
    path: str | Path, mapping: str | Path | None = None
) -> tuple[dict[str, pd.DataFrame], LoadReport]:
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder; pass a CRM export file or a folder of them")
    rules = read_mapping(mapping) if mapping else {}
    files = sorted(p for p in ([path] if path.is_file() else path.iterdir()) if p.suffix.lower() in READERS)
    if not files:
        raise DatasetError(f"{path}: holds no .csv, .parquet or .xlsx files")
    report = LoadReport()
    parts: dict[str, list[pd.DataFrame]] = {}
    for file in files:
        for stem, raw in read_file(file):
            table = _table_of(stem, file, rules)
            if table is None:
                report.ignored.append(file.name if stem == file.stem else f"{file.name}[{stem}]")
                continue
            parts.setdefault(table, []).append(_canonical(raw, table, file, stem, rules, report))
    tables = {t: pd.concat(p, ignore_index=True) if len(p) > 1 else p[0] for t, p in parts.items()}
    _check_keys(tables, report)
    return tables, report


def read_mapping(path: str | Path) -> dict[str, dict]:
    """A YAML mapping: tables: {contacts: {file: Contact.csv, columns: {first_name: Vorname}}}."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise DatasetError(f"{p}: mapping file not found") from None
    except yaml.YAMLError as exc:
        raise DatasetError(f"{p}: not valid YAML ({exc})") from None
    tables = data.get("tables") if isinstance(data, dict) else None
    if not isinstance(tables, dict):
        raise DatasetError(f"{p}: expected a top-level 'tables:' mapping of table name to file and columns")
    for name, spec in tables.items():
        if name not in TABLES:
            raise DatasetError(f"{p}: unknown table {name!r}; tables: {', '.join(TABLES)}")
        if not isinstance(spec, dict) or not isinstance(spec.get("columns", {}), dict):
            raise DatasetError(f"{p}: tables.{name} must have 'file' and a 'columns' mapping")
        unknown = set(spec.get("columns", {})) - set(TABLES[name].column_names)
        if unknown:
            raise DatasetError(
                f"{p}: tables.{name}.columns: unknown column(s) {sorted(unknown)}; "
                f"columns of {name}: {', '.join(TABLES[name].column_names)}"
            )
    return tables


def read_file(file: Path) -> list[tuple[str, pd.DataFrame]]:
    kind = READERS[file.suffix.lower()]
    try:
        if kind == "csv":
            return [(file.stem, read_csv_text(file))]
        if kind == "parquet":
            return [(file.stem, pd.read_parquet(file))]
        sheets = pd.read_excel(file, sheet_name=None, dtype=str, keep_default_na=False)
        return [(file.stem if len(sheets) == 1 else name, df) for name, df in sheets.items()]
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DatasetError(
            f"{file}: cannot be read as {kind} ({exc}); export it again as UTF-8 {kind}"
        ) from None


def _table_of(stem: str, file: Path, rules: dict[str, dict]) -> str | None:
    for table, spec in rules.items():
        if spec.get("file") in (file.name, f"{file.name}[{stem}]"):
            return table
    return conventions.table_for(stem)


def _canonical(
    raw: pd.DataFrame, table: str, file: Path, stem: str, rules: dict, report: LoadReport
) -> pd.DataFrame:
    given = {v: k for k, v in (rules.get(table, {}).get("columns") or {}).items()}
    missing = [h for h in given if h not in raw.columns]
    if missing:
        raise DatasetError(
            f"{file}: mapped column(s) {missing} not found; its columns are {list(raw.columns)}"
        )
    names = {**conventions.column_map(table, [c for c in raw.columns if c not in given]), **given}
    df = raw.rename(columns=names)
    types = {c.name: c.dtype for c in TABLES[table].columns}
    for col in df.columns:
        if col in types:
            df[col] = convert(df[col], types[col], file, col)
    if (
        table == "contacts"
        and "status" not in df.columns
        and conventions.normalise(stem) in ("lead", "leads")
    ):
        df["status"] = "lead"
    report.files[table] = ", ".join(filter(None, [report.files.get(table), file.name]))
    report.mapped.setdefault(table, {}).update(names)
    report.kept.setdefault(table, []).extend(c for c in raw.columns if c not in names)
    return df


def _check_keys(tables: dict[str, pd.DataFrame], report: LoadReport) -> None:
    """Every table needs its key, unique, so findings can name records."""
    for name, df in tables.items():
        key = TABLES[name].key
        if key not in df.columns:
            raise DatasetError(
                f"{report.files[name]}: no key column for table {name!r} (expected {key!r} or an "
                f"export id such as Id / Record ID); map it in a mapping file (tables.{name}."
                f"columns.{key}: <your header>)"
            )
        dup = df[key].duplicated() & df[key].notna()
        if dup.any():
            rows = ", ".join(str(i + 1) for i in dup.to_numpy().nonzero()[0][:5])
            raise DatasetError(
                f"{report.files[name]}: key {key!r} repeats at data row(s) {rows}; keys must be unique"
            )
