"""Comparison of a run with the previous run of the same dataset: rules and records."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from gdprlab.runner.compare import (
    Comparison,
    compare_findings,
    compare_with_previous,
    previous_run,
    run_key,
    runs_of,
    safe_name,
)


def finding(rule_id: str, ids: list[str], severity: str = "high") -> dict:
    return {"rule_id": rule_id, "severity": severity, "status": "failed", "count": len(ids),
            "record_ids": ids}


def doc(findings: list[dict], passed: list[str], not_assessed: list[str] = (), overall: float = 0.5,
        as_of: str = "2026-06-30") -> dict:
    return {"metadata": {"as_of": as_of}, "scores": {"overall": overall, "by_concern": {}},
            "findings": findings, "passed": list(passed),
            "not_assessed": [{"rule_id": r, "reason": "missing table"} for r in not_assessed]}


BEFORE = doc([finding("persist", ["c1", "c2", "c3"]), finding("fixed", ["c9"], "critical"),
              finding("unknown_now", ["c5"])],
             passed=["appears"], not_assessed=["first_time"], overall=0.6, as_of="2026-05-31")
AFTER = doc([finding("persist", ["c2", "c3", "c4"]), finding("appears", ["c7", "c8"], "medium"),
             finding("first_time", ["c6"])],
            passed=["fixed"], not_assessed=["unknown_now"], overall=0.7)


def test_rule_level_changes() -> None:
    comparison = compare_findings(BEFORE, AFTER)
    assert comparison.rules_with("new") == ["appears"]
    assert comparison.rules_with("resolved") == ["fixed"]
    assert comparison.rules_with("persisting") == ["persist"]
    # violated on one side, not assessed on the other: neither new nor resolved
    assert sorted(comparison.rules_with("not_comparable")) == ["first_time", "unknown_now"]
    assert comparison.summary["rules"] == {"new": 1, "resolved": 1, "persisting": 1, "not_comparable": 2}
    assert any("unknown_now" in note and "not resolved" in note for note in comparison.notes)


def test_record_level_changes() -> None:
    comparison = compare_findings(BEFORE, AFTER)
    persist = next(r for r in comparison.rules if r.rule_id == "persist")
    assert persist.new_records == ("c4",)
    assert persist.resolved_records == ("c1",)
    assert persist.persisting_records == ("c2", "c3")
    # records of new / resolved rules are new / resolved; same record id under two rules counted twice
    assert comparison.summary["records"] == {"new": 1 + 2, "resolved": 1 + 1, "persisting": 2,
                                             "not_comparable": 2}
    assert comparison.summary["score"] == {"previous": 0.6, "current": 0.7, "change": 0.1}


def test_identical_runs_only_persist() -> None:
    comparison = compare_findings(AFTER, AFTER)
    assert comparison.summary["rules"]["persisting"] == 3
    assert comparison.summary["records"]["new"] == comparison.summary["records"]["resolved"] == 0


def test_csv_and_json_output(tmp_path: Path) -> None:
    comparison = compare_findings(BEFORE, AFTER)
    rows = list(csv.DictReader(io.StringIO(comparison.to_csv())))
    persist = {(r["rule_id"], r["record_id"], r["record_change"]) for r in rows if r["rule_id"] == "persist"}
    assert persist == {
        ("persist", "c4", "new"), ("persist", "c1", "resolved"), ("persist", "c2", "persisting"),
        ("persist", "c3", "persisting")}
    assert {r["rule_change"] for r in rows if r["rule_id"] == "fixed"} == {"resolved"}
    data = json.loads(comparison.to_json())
    assert data["summary"]["rules"]["new"] == 1
    rule = next(r for r in data["rules"] if r["rule_id"] == "persist")
    assert rule["new_record_ids"] == ["c4"] and rule["persisting_records"] == 2


def test_csv_cells_are_formula_safe() -> None:
    comparison = compare_findings(doc([], ["r"]), doc([finding("r", ["=HYPERLINK(1)"])], []))
    assert "'=HYPERLINK(1)" in comparison.to_csv()


# ----------------------------------------------------------------------------------------------------------
# run folders
# ----------------------------------------------------------------------------------------------------------

def test_run_key_parses_folder_names() -> None:
    assert run_key("sales-2026-06-30", "sales") == (dt.date(2026, 6, 30), 1)
    assert run_key("sales-2026-06-30-3", "sales") == (dt.date(2026, 6, 30), 3)
    assert run_key("sales-eu-2026-06-30", "sales") is None
    assert run_key("sales-2026-02-30", "sales") is None
    assert run_key("sales-2025-01-01-2026-06-30", "sales-2025-01-01") == (dt.date(2026, 6, 30), 1)
    assert run_key("sales-2025-01-01-2026-06-30", "sales") is None


def test_safe_name() -> None:
    assert safe_name("Sales EU/2026") == "Sales_EU_2026"
    assert safe_name("...") == "dataset"


def _run(out: Path, folder: str, findings: dict | None, status: str = "ok") -> Path:
    path = out / folder
    path.mkdir(parents=True)
    if findings is not None:
        (path / "findings.json").write_text(json.dumps(findings), encoding="utf-8")
    (path / "run.json").write_text(json.dumps({"name": folder.split("-")[0], "status": status}),
                                   encoding="utf-8")
    return path


def test_previous_run_is_latest_earlier_success(tmp_path: Path) -> None:
    _run(tmp_path, "sales-2026-05-31", BEFORE)
    _run(tmp_path, "sales-2026-06-30", BEFORE)
    _run(tmp_path, "sales-2026-06-30-2", None, status="failed")  # failed: skipped
    _run(tmp_path, "hr-2026-06-30-3", BEFORE)  # another dataset
    current = _run(tmp_path, "sales-2026-06-30-3", AFTER)
    _run(tmp_path, "sales-2026-07-31", BEFORE)  # later: not previous
    assert [p.name for p in runs_of(tmp_path, "sales")] == [
        "sales-2026-05-31", "sales-2026-06-30", "sales-2026-06-30-2", "sales-2026-06-30-3",
        "sales-2026-07-31"]
    assert previous_run(current).name == "sales-2026-06-30"
    assert previous_run(tmp_path / "sales-2026-05-31") is None


def test_compare_with_previous_writes_files(tmp_path: Path) -> None:
    _run(tmp_path, "sales-2026-05-31", BEFORE)
    current = _run(tmp_path, "sales-2026-06-30", AFTER)
    comparison = compare_with_previous(current)
    assert isinstance(comparison, Comparison)
    assert comparison.previous_run == "sales-2026-05-31" and comparison.current_run == "sales-2026-06-30"
    saved = json.loads((current / "comparison.json").read_text(encoding="utf-8"))
    assert saved["previous_run"] == "sales-2026-05-31"
    assert saved["summary"] == json.loads(json.dumps(comparison.summary))
    assert (current / "comparison.csv").read_text(encoding="utf-8").startswith("rule_id,")


def test_first_run_has_nothing_to_compare(tmp_path: Path) -> None:
    current = _run(tmp_path, "sales-2026-06-30", AFTER)
    assert compare_with_previous(current) is None
    assert not (current / "comparison.json").exists()


def test_folder_of_another_name_is_refused(tmp_path: Path) -> None:
    current = _run(tmp_path, "sales-2026-06-30", AFTER)
    with pytest.raises(ValueError, match="not a run folder"):
        previous_run(current, name="hr")
