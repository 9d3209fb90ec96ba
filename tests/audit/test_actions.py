"""Findings as actions: stable id, owner from the policy, due date from the severity, status across runs,
accepted risks read from the auditor's YAML with errors naming file, line and field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from helpers import table

from gdprlab.audit import actions
from gdprlab.audit.actions import AcceptedRiskError, load_accepted, track
from gdprlab.audit.engine import run_checks
from gdprlab.audit.report import to_dict
from gdprlab.regulation.policy import Policy

AS_OF = dt.date(2026, 7, 1)
STALE = {"policy_id": "P1", "kind": "privacy_notice", "last_reviewed_on": "2024-01-01"}
FRESH = {"policy_id": "P1", "kind": "privacy_notice", "last_reviewed_on": "2026-06-01"}


def assess(row: dict, as_of: dt.date = AS_OF, policy: Policy | None = None):
    return run_checks({"policies": table("policies", row)}, policy or Policy(), as_of, dataset="hr")


def doc(assessment, acts=()) -> dict:
    """findings.json as a run writes it."""
    return {**to_dict(assessment), "actions": [a.to_dict() for a in acts]}


def test_a_first_finding_is_new_with_owner_and_due_date_from_the_policy() -> None:
    [action] = track(assess(STALE), "hr")
    assert action.id == "hr:policy_review_overdue" and action.status == "new"
    assert action.owner == "data_protection_officer"  # education's default owner
    assert action.due == AS_OF + dt.timedelta(days=180)  # low: 180 days
    mine = Policy(owners={"education": "compliance_lead"}, due_days={"low": 60})
    [action] = track(assess(STALE, policy=mine), "hr")
    assert (action.owner, action.due) == ("compliance_lead", AS_OF + dt.timedelta(days=60))


def test_a_finding_still_failing_is_open_and_keeps_its_first_due_date() -> None:
    first = assess(STALE)
    later = dt.date(2026, 8, 1)
    [action] = track(assess(STALE, later), "hr", [doc(first, track(first, "hr"))])
    assert action.status == "open" and action.first_seen == AS_OF
    assert action.due == AS_OF + dt.timedelta(days=180)


def test_a_fixed_rule_is_resolved_and_failing_again_is_regressed() -> None:
    first = assess(STALE)
    fixed = assess(FRESH)
    [resolved] = track(fixed, "hr", [doc(first)])
    assert resolved.status == "resolved" and resolved.due is None and resolved.count == 0
    [regressed] = track(assess(STALE), "hr", [doc(first), doc(fixed)])
    assert regressed.status == "regressed"


def test_a_rule_not_assessed_now_is_never_resolved() -> None:
    first = assess(STALE)
    nothing = run_checks({}, Policy(), AS_OF, dataset="hr")
    assert track(nothing, "hr", [doc(first)]) == []


def test_an_accepted_risk_carries_reason_and_approver(tmp_path: Path) -> None:
    file = tmp_path / "accepted_risks.yaml"
    file.write_text("- id: hr:policy_review_overdue\n  reason: notice rewritten in Q3\n  approver: CFO\n"
                    "  accepted_on: 2026-06-01\n  until: 2026-09-30\n", encoding="utf-8")
    accepted = load_accepted(file)
    [action] = track(assess(STALE), "hr", accepted=accepted)
    assert action.status == "accepted risk"
    assert (action.accepted_reason, action.approver) == ("notice rewritten in Q3", "CFO")
    [expired] = track(assess(STALE, dt.date(2026, 10, 1)), "hr", accepted=accepted)
    assert expired.status == "new"


@pytest.mark.parametrize(("text", "message"), [
    ("- id: hr:policy_review_overdue\n  approver: CFO\n  accepted_on: 2026-06-01\n", ":1: reason: required"),
    ("- rule: no_such_rule\n  reason: r\n  approver: a\n  accepted_on: 2026-06-01\n",
     ":1: rule: 'no_such_rule' is not a rule id"),
    ("- id: hr:policy_review_overdue\n  reason: r\n  approver: a\n  accepted_on: 1 June\n",
     ":4: accepted_on: expected a date YYYY-MM-DD"),
    ("- id: hr:policy_review_overdue\n  reason: r\n  approver: a\n  accepted_on: 2026-06-01\n  aprover: b\n",
     ":5: aprover: unknown field"),
    ("id: x\n", ":1: expected a list of accepted risks"),
    ("- id: [\n", ": not valid YAML"),
])
def test_a_mistake_in_the_accepted_risks_names_file_line_and_field(tmp_path: Path, text: str,
                                                                   message: str) -> None:
    file = tmp_path / "risks.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(AcceptedRiskError) as info:
        load_accepted(file)
    assert str(info.value).startswith(str(file)) and message in str(info.value)


def test_findings_csv_has_the_trackers_columns_and_neutralises_formulas() -> None:
    [action] = track(assess(STALE), "=cmd|calc")
    text = actions.actions_csv([action])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:10] == ["id", "rule", "title", "articles", "severity", "concern", "owner", "due",
                            "status", "count"] and "population" in rows[0]
    assert rows[1][0] == "cmd_calc:policy_review_overdue"  # ids are safe names
    json.dumps(action.to_dict())  # JSON-ready
    formula = actions.Action(**{**action.__dict__, "owner": "=HYPERLINK(1)"})
    assert "'=HYPERLINK(1)" in actions.actions_csv([formula])
