"""Where personal data lives in a file or folder: every column classified, free text scanned.

Files are read as they are (no renaming), one table per file or sheet, so the auditor sees the export's
own headers. Only counts, categories and reasons are reported: never a value from the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gdprlab.audit.discovery.classify import ColumnClass, classify_table, country_codes, ropa_draft
from gdprlab.audit.discovery.textscan import scan_texts
from gdprlab.crm.exports import ANSWER_KEYS, LoadReport, export_files, readable_sheets
from gdprlab.crm.io import DatasetError

FREE_TEXT_SAMPLE = 20_000  # notes scanned per column; counts are reported for the sample
SKIP = ANSWER_KEYS  # a generated dataset's ground truth files


@dataclass
class ScanResult:
    columns: list[ColumnClass]
    free_text: pd.DataFrame  # table, column, rows_scanned, kind, spans, rows_with_kind
    files: LoadReport = field(default_factory=LoadReport)  # what was read from each file, and how

    def to_dict(self) -> dict:
        return {
            "files": self.files.file_records(),
            "columns": [c.to_dict() for c in self.columns],
            "free_text": self.free_text.to_dict(orient="records"),
            "ropa_draft": ropa_draft(self.columns).to_dict(orient="records"),
        }


def _free_text(table: str, column: str, values: pd.Series, seed: int,
               countries: np.ndarray | None = None) -> pd.DataFrame:
    """Kinds of personal data found in a sample of a free-text column; a row's country (when the table
    has one) lets national-form phone numbers of that country be found."""
    text = values.reset_index(drop=True).dropna().astype(str)
    text = text[text.str.strip() != ""]
    if len(text) > FREE_TEXT_SAMPLE:
        text = text.sample(FREE_TEXT_SAMPLE, random_state=seed)
    regions = None if countries is None else pd.Series(countries[text.index.to_numpy()], dtype=object)
    spans = scan_texts(text.reset_index(drop=True), countries=regions)
    if spans.empty:
        return pd.DataFrame()
    out = spans.groupby("kind", observed=True).agg(spans=("row", "size"), rows_with_kind=("row", "nunique"))
    out = out.reset_index()
    out.insert(0, "rows_scanned", len(text))
    out.insert(0, "column", column)
    out.insert(0, "table", table)
    return out


def scan_path(path: str | Path, sample_size: int = 10_000, seed: int = 0) -> ScanResult:
    """Classify every column of every table file under `path` and scan its free-text columns.

    Files are read as gdprlab.crm.exports reads them (skipped and unreadable files are listed in `files`,
    the others scanned); DatasetError when no file could be read."""
    columns: list[ColumnClass] = []
    texts = []
    report = LoadReport()
    for file in export_files(Path(path), report):
        if file.stem in SKIP:
            continue
        for sheet in readable_sheets(file, report):
            report.read.append(sheet.detected)
            stem, df = sheet.name, sheet.frame
            classes = classify_table(df, table=stem, sample_size=sample_size, seed=seed)
            columns += classes
            countries = country_codes(df)
            texts += [_free_text(stem, c.column, df.iloc[:, i], seed, countries)
                      for i, c in enumerate(classes) if c.category == "free_text"]
    texts = [t for t in texts if not t.empty]
    free = (
        pd.concat(texts, ignore_index=True)
        if texts
        else pd.DataFrame(columns=["table", "column", "rows_scanned", "kind", "spans", "rows_with_kind"])
    )
    if not report.read:
        raise DatasetError("; ".join(r for _, r in report.failed) or f"{path}: holds no table file to scan")
    return ScanResult(columns, free, report)


def format_table(result: ScanResult) -> str:
    """Aligned text: the files read (and how), one line per column, then the free-text findings."""
    lines = ["Files:"] + [f"  {d.describe()}" for d in result.files.read]
    lines += [f"  {f}: skipped: {r}" for f, r in result.files.skipped]
    lines += [f"  {f}: NOT READ: {r}" for f, r in result.files.failed]
    lines.append("")
    rows = [("TABLE", "COLUMN", "PERSONAL", "CATEGORY", "ART.9/10", "CONF", "WHY")]
    for c in result.columns:
        rows.append(
            (
                c.table,
                c.column,
                "yes" if c.personal else "no",
                c.category,
                c.flag,
                f"{c.confidence:.2f}",
                (c.reasons[0] if c.reasons else "")[:60],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1] for r in rows]
    personal = sum(c.personal for c in result.columns)
    lines.append(
        f"\n{personal} of {len(result.columns)} columns hold personal data, "
        f"{sum(c.special for c in result.columns)} special-category (Art. 9), "
        f"{sum(c.criminal for c in result.columns)} criminal-offence (Art. 10)."
    )
    if not result.free_text.empty:
        lines.append("\nFree text (spans found in the scanned rows; values are not shown):")
        for r in result.free_text.itertuples():
            lines.append(
                f"  {r.table}.{r.column}: {r.kind:<18} {r.spans:>7} spans in {r.rows_with_kind:>7} "
                f"of {r.rows_scanned} rows"
            )
    return "\n".join(lines)
