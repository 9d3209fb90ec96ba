"""Evaluation against a ground truth: record-level precision, recall, TP, FP and FN per rule."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from gdprlab.audit.engine import run_checks
from gdprlab.audit.evaluate import COLUMNS, TOTAL, evaluate, format_evaluation
from gdprlab.crm.io import read_as_of, read_dataset, read_policy
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.catalogue import RULES
from gdprlab.regulation.policy import Policy

AS_OF = dt.date(2026, 6, 30)


def truth(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["rule_id", "table", "record_id"])


def policies() -> pd.DataFrame:
    """P1 and P2 never reviewed (violations), P3 reviewed recently."""
    df = pd.DataFrame({"policy_id": ["P1", "P2", "P3"], "kind": "privacy_notice", "title": "t",
                       "owner": "dpo", "last_reviewed_on": pd.to_datetime([None, None, "2026-06-01"])})
    return df[TABLES["policies"].column_names]


def row(frame: pd.DataFrame, rule_id: str) -> dict:
    return frame.set_index("rule_id").loc[rule_id].to_dict()


def test_counts_true_and_false_positives_and_negatives_per_record():
    a = run_checks({"policies": policies()}, Policy(), AS_OF)
    gt = truth(("policy_review_overdue", "policies", "P1"), ("policy_review_overdue", "policies", "P3"))
    r = row(evaluate(a, gt), "policy_review_overdue")
    assert (r["tp"], r["fp"], r["fn"]) == (1, 1, 1)  # P1 found, P2 found but not labelled, P3 missed
    assert r["precision"] == 0.5 and r["recall"] == 0.5 and r["status"] == "failed"


def test_the_table_must_match_too():
    a = run_checks({"policies": policies()}, Policy(), AS_OF)
    r = row(evaluate(a, truth(("policy_review_overdue", "staff", "P1"))), "policy_review_overdue")
    assert (r["tp"], r["fp"], r["fn"]) == (0, 2, 1)


def test_a_rule_not_assessed_misses_its_labels_and_says_why():
    a = run_checks({"policies": policies()}, Policy(), AS_OF)
    frame = evaluate(a, truth(("request_overdue", "requests", "R1")))
    r = row(frame, "request_overdue")
    assert (r["status"], r["tp"], r["fp"], r["fn"]) == ("not_assessed", 0, 0, 1)
    assert math.isnan(r["precision"]) and r["recall"] == 0.0
    assert row(frame, TOTAL)["fn"] == 0  # the total adds up assessed rules only


def test_rules_only_in_the_ground_truth_are_listed():
    a = run_checks({}, Policy(), AS_OF)
    frame = evaluate(a, truth(("retired_rule", "contacts", "C1")))
    assert row(frame, "retired_rule")["status"] == "unknown_rule"


def test_a_ground_truth_without_its_columns_is_refused():
    with pytest.raises(ValueError, match="record_id"):
        evaluate(run_checks({}, Policy(), AS_OF), pd.DataFrame({"rule_id": ["x"], "table": ["y"]}))


@pytest.fixture(scope="module")
def typical_evaluation(typical_dir):
    folder = typical_dir
    a = run_checks(read_dataset(folder), read_policy(folder), read_as_of(folder))
    gt = pd.read_csv(folder / "ground_truth.csv", dtype=str, keep_default_na=False)
    return evaluate(a, gt), gt


def test_precision_and_recall_are_1_on_a_generated_typical_dataset(typical_evaluation):
    frame, gt = typical_evaluation
    assert list(frame.columns) == COLUMNS
    assert frame["rule_id"].tolist() == [r.id for r in RULES] + [TOTAL]
    planted = frame[frame["rule_id"].isin(set(gt["rule_id"]))]
    assert len(planted) >= 20  # almost every rule has planted violations in a typical dataset
    assert (planted["precision"] == 1.0).all() and (planted["recall"] == 1.0).all(), frame
    total = row(frame, TOTAL)
    assert (total["fp"], total["fn"], total["tp"]) == (0, 0, len(gt))  # column rules match by column name


def test_the_printed_table_is_aligned_and_shows_undefined_as_a_dash(typical_evaluation):
    frame, _ = typical_evaluation
    text = format_evaluation(frame)
    lines = text.splitlines()
    assert lines[0].split() == ["RULE", "STATUS", "TP", "FP", "FN", "PRECISION", "RECALL"]
    assert len({len(line) for line in lines[2:]}) == 1  # right-aligned numbers end in one column
    empty = run_checks({}, Policy(), AS_OF)
    assert " - " in format_evaluation(evaluate(empty, truth()))
