"""A dataset's tables written the way real tools export them, to prove the export reader on them.

Auditors bring files that went through Excel or a CRM's report builder, not gdprlab's clean UTF-8 CSV. Each
style here writes the same typed tables (as gdprlab.crm.io.read_dataset gives them) in one such form, with
realistic file names; the export reader must read every style back to the same values, so the checks
find the same violations (tests/crm/test_export_corpus.py, benchmarks/read_speed.py):

* `german_excel`: Excel's "CSV (Trennzeichen-getrennt)" in Germany: `;`, UTF-8 with BOM, CRLF,
  `DD.MM.YYYY` dates, `DD.MM.YYYY hh:mm:ss` times, WAHR/FALSCH checkboxes;
* `windows_1252`: a Western-European CRM's CSV in Windows-1252, times as `YYYY-MM-DD hh:mm:ss`;
* `us_report`: a US report export: `MM/DD/YYYY` dates, `MM/DD/YYYY hh:mm:ss AM/PM` times;
* `utf16_text`: Excel's "Unicode text": UTF-16 with BOM, tab-separated, `.txt`, `DD/MM/YYYY` dates;
* `xlsx`: one workbook per table, dates and times as real date cells.

Times without an offset are written in UTC, as the tables hold them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gdprlab.crm.schema import TABLES


@dataclass(frozen=True)
class Style:
    suffix: str
    sep: str = ","
    encoding: str = "utf-8"
    lineterminator: str = "\n"
    date: str = "%Y-%m-%d"
    datetime: str = "%Y-%m-%d %H:%M:%S"
    true_false: tuple[str, str] = ("true", "false")
    contacts_file: str = "contacts"


STYLES: dict[str, Style] = {
    "german_excel": Style(
        ".csv",
        ";",
        "utf-8-sig",
        "\r\n",
        "%d.%m.%Y",
        "%d.%m.%Y %H:%M:%S",
        ("WAHR", "FALSCH"),
        "Kontakte_export",
    ),
    "windows_1252": Style(".csv", ",", "cp1252", "\r\n", contacts_file="Contact"),
    "us_report": Style(
        ".csv",
        ",",
        "utf-8",
        "\n",
        "%m/%d/%Y",
        "%m/%d/%Y %I:%M:%S %p",
        ("TRUE", "FALSE"),
        "hubspot-crm-exports-all-contacts-2026-10-01",
    ),
    "utf16_text": Style(
        ".txt", "\t", "utf-16", "\r\n", "%d/%m/%Y", "%d/%m/%Y %H:%M:%S", ("1", "0"), "contacts_2026"
    ),
    "xlsx": Style(".xlsx", contacts_file="contacts_2026"),
}


def file_name(table: str, style: Style) -> str:
    return (style.contacts_file if table == "contacts" else f"{table}_2026") + style.suffix


def write_export(tables: dict[str, pd.DataFrame], out: str | Path, style: str) -> list[Path]:
    """Write typed tables into folder `out` in one of STYLES; the files written."""
    spec = STYLES[style]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        path = out / file_name(name, spec)
        types = {c.name: c.dtype for c in TABLES[name].columns} if name in TABLES else {}
        if style == "xlsx":
            with pd.ExcelWriter(path, engine="openpyxl") as xl:
                _as_cells(df).to_excel(xl, index=False, sheet_name=name[:31])
        else:
            _as_text(df, types, spec).to_csv(
                path, sep=spec.sep, index=False, encoding=spec.encoding, lineterminator=spec.lineterminator
            )
        written.append(path)
    return written


def _as_text(df: pd.DataFrame, types: dict[str, str], spec: Style) -> pd.DataFrame:
    out = {}
    for col in df.columns:
        values, kind = df[col], types.get(col)
        if kind in ("date", "datetime") and pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime(spec.date if kind == "date" else spec.datetime)
            out[col] = text.where(values.notna(), "")
        elif kind == "bool":
            out[col] = values.map({True: spec.true_false[0], False: spec.true_false[1]}).astype(object)
        else:
            out[col] = values
    return pd.DataFrame(out)


def _as_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Values as Excel cells: text starting with '=' stays text (openpyxl would write a formula)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            text = out[col]
            formula = text.astype("string").str.startswith("=").fillna(False).astype(bool)
            if formula.any():
                raise ValueError(f"{col}: values starting with '=' would be written as formulas")
    return out
