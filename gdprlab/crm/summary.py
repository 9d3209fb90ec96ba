"""A plain-text overview of a dataset folder: what it holds and, for generated ones, what was planted.

It shows counts only, never values, so it is safe to print for a real export.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from gdprlab.regulation.catalogue import RULES

_READERS = {".csv": lambda p: pd.read_csv(p, dtype=str, keep_default_na=False), ".parquet": pd.read_parquet}


def _table_files(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix in _READERS and p.stem != "ground_truth"}


def summarise(folder: Path) -> str:
    """Tables with row and column counts, then planted violations per rule when ground truth exists."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such dataset folder; run 'gdprlab generate {folder}' first")
    files = _table_files(folder)
    if not files:
        raise FileNotFoundError(f"{folder}: holds no .csv or .parquet tables")
    lines = [f"Dataset {folder}"]
    manifest = folder / "manifest.json"
    if manifest.exists():
        params = json.loads(manifest.read_text(encoding="utf-8"))["parameters"]
        lines.append(
            "  generated: "
            + ", ".join(f"{k}={params[k]}" for k in ("contacts", "seed", "profile", "as_of", "format"))
        )
    lines.append(f"\n  {'table':<22}{'rows':>10}{'columns':>9}")
    for name, path in files.items():
        df = _READERS[path.suffix](path)
        lines.append(f"  {name:<22}{len(df):>10,}{df.shape[1]:>9}")
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
    return "\n".join(lines)
