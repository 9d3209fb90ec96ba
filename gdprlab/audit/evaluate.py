"""Measure an assessment against a ground truth: precision, recall, TP, FP and FN per rule.

Matching is record-level: a finding is a true positive when the ground truth has the same rule_id, table
and record_id (for column rules the record id is the column name, so columns match by name). A dataset's
`ground_truth.csv` (rule_id, table, record_id) is the usual ground truth.

Precision is TP / (TP + FP) and recall TP / (TP + FN); either is NaN when its denominator is 0 (nothing
found, or nothing to find), which `format_evaluation` prints as "-". A rule that was not assessed finds
nothing: its planted records count as false negatives and its status says why. The last row, "(all)",
adds up the assessed rules (micro-average).
"""

from __future__ import annotations

import math

import pandas as pd

from gdprlab.audit.engine import Assessment

COLUMNS = ["rule_id", "status", "tp", "fp", "fn", "precision", "recall"]
KEY = ["rule_id", "table", "record_id"]
TOTAL = "(all)"


def _ratio(num: int, den: int) -> float:
    return num / den if den else math.nan


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in KEY if c not in frame.columns]
    if missing:
        raise ValueError(f"ground truth lacks column(s) {', '.join(missing)}; expected {', '.join(KEY)}")
    return frame[KEY].astype(str).drop_duplicates()


def evaluate(assessment: Assessment, ground_truth: pd.DataFrame) -> pd.DataFrame:
    """One row per rule of the assessment (catalogue order), plus rules only in the ground truth, and a
    final "(all)" row over the assessed rules. Columns: rule_id, status, tp, fp, fn, precision, recall."""
    found = _keys(assessment.violations())
    truth = _keys(ground_truth)
    both = found.merge(truth, on=KEY, how="outer", indicator=True)
    counts = both.groupby(["rule_id", "_merge"], observed=False).size().unstack(fill_value=0)
    status = {r.rule_id: r.status for r in assessment.results}
    rule_ids = list(status) + sorted(set(truth["rule_id"]) - set(status))
    rows = []
    for rid in rule_ids:
        c = counts.loc[rid] if rid in counts.index else {}
        tp, fp, fn = (int(c.get(k, 0)) for k in ("both", "left_only", "right_only"))
        rows.append([rid, status.get(rid, "unknown_rule"), tp, fp, fn,
                     _ratio(tp, tp + fp), _ratio(tp, tp + fn)])
    out = pd.DataFrame(rows, columns=COLUMNS)
    assessed = out[out["status"].isin(["passed", "failed"])]
    tp, fp, fn = (int(assessed[k].sum()) for k in ("tp", "fp", "fn"))
    total = pd.DataFrame([[TOTAL, "", tp, fp, fn, _ratio(tp, tp + fp), _ratio(tp, tp + fn)]], columns=COLUMNS)
    return pd.concat([out, total], ignore_index=True)


def format_evaluation(frame: pd.DataFrame) -> str:
    """The evaluation as an aligned text table; undefined precision or recall shows as "-"."""
    def fmt(value: float) -> str:
        return "-" if pd.isna(value) else f"{value:.3f}"

    header = ["RULE", "STATUS", "TP", "FP", "FN", "PRECISION", "RECALL"]
    rows = [header] + [[r.rule_id, r.status, f"{r.tp:,}", f"{r.fp:,}", f"{r.fn:,}", fmt(r.precision),
                        fmt(r.recall)] for r in frame.itertuples(index=False)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in
                       enumerate(zip(row, widths, strict=True))).rstrip() for row in rows]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]]) + "\n"
