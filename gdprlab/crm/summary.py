"""A plain-text overview of a dataset folder: what it holds and, for generated ones, what was planted.

It shows counts only, never values, so it is safe to print for a real export.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from gdprlab.crm.exports import ANSWER_KEYS, MENTIONS_TRUTH, LoadReport, export_files
from gdprlab.crm.io import DatasetError
from gdprlab.crm.reader import Sheet, read_file
from gdprlab.regulation.catalogue import RULES


def summarise(folder: Path) -> str:
    """Tables with row and column counts, then planted violations per rule when ground truth exists; for
    one export file, its sheets."""
    if folder.is_file():  # one export file: one that cannot be read is the command's error
        return "\n".join([f"Export file {folder}", f"\n  {'table':<22}{'rows':>10}{'columns':>9}",
                          *(_count(sheet) for sheet in read_file(folder))])
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such dataset folder or export file; run 'gdprlab generate "
                                f"{folder}' to make a dataset there")
    skipped = LoadReport()
    files = [p for p in export_files(folder, skipped) if p.stem not in ANSWER_KEYS]
    lines = [f"Dataset {folder}"]
    manifest = folder / "manifest.json"
    if manifest.exists():
        params = json.loads(manifest.read_text(encoding="utf-8"))["parameters"]
        lines.append(
            "  generated: "
            + ", ".join(f"{k}={params[k]}" for k in ("contacts", "seed", "profile", "as_of", "format"))
        )
    lines.append(f"\n  {'table':<22}{'rows':>10}{'columns':>9}")
    for path in files:
        lines += _counts(path)
    truth = folder / "ground_truth.csv"
    if truth.exists():
        counts = pd.read_csv(truth, dtype=str)["rule_id"].value_counts()
        lines.append(f"\n  {'planted violations':<40}{'records':>8}  concern / article")
        for rule in RULES:
            lines.append(
                f"  {rule.id:<40}{int(counts.get(rule.id, 0)):>8}  "
                f"{rule.concern} / Art. {', '.join(rule.articles)}"
            )
        lines.append(f"  {'total':<40}{int(counts.sum()):>8}")
    mentions = folder / f"{MENTIONS_TRUTH}.csv"
    if mentions.exists():
        kinds = pd.read_csv(mentions, dtype=str)["kind"].value_counts()
        lines.append(f"\n  contacts mentioned in other contacts' notes: {int(kinds.sum())} ("
                     + ", ".join(f"by {kind} {n}" for kind, n in sorted(kinds.items())) + ")")
    return "\n".join(lines)


def _counts(path: Path) -> list[str]:
    """One line per sheet of the file: its rows and columns (or why it was not read)."""
    try:
        return [_count(sheet) for sheet in read_file(path)]
    except DatasetError as exc:
        return [f"  {path.name}: NOT READ: {exc}"]


def _count(sheet: Sheet) -> str:
    return f"  {sheet.name:<22}{len(sheet.frame):>10,}{sheet.frame.shape[1]:>9}"
