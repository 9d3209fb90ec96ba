"""Quiz attempts as xAPI 1.0.3 statements."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from helpers import graded_attempt

from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.xapi import REQUIRED_KEYS, VERBS, problems, to_statements


def frame():
    return pd.DataFrame([
        {"attempt_id": "0b7a1c2e-4f56-4a1b-9c3d-2e4f5a6b7c8d", "learner": "S1", "lesson": "02_permission",
         "quiz": "02_permission", "bank_version": "abc123def456", "score": 8.0, "max_score": 10.0,
         "passed": True, "submitted_at": pd.Timestamp("2026-03-01T09:30:00", tz="UTC")},
        {"attempt_id": "1b7a1c2e-4f56-4a1b-9c3d-2e4f5a6b7c8d", "learner": "S2", "lesson": "05_rights",
         "quiz": "05_rights", "bank_version": "fff000111222", "score": 3.0, "max_score": 10.0,
         "passed": False, "submitted_at": pd.Timestamp("2026-03-02T10:00:00", tz="UTC")},
    ])


def test_every_statement_has_the_required_xapi_structure():
    statements = to_statements(frame())
    assert len(statements) == 2
    for s in statements:
        assert set(REQUIRED_KEYS) <= set(s)
        assert problems(s) == []
        assert s["version"] == "1.0.3"
        json.dumps(s)  # plain JSON


def test_actor_is_an_account_with_the_learner_id_and_no_email():
    actor = to_statements(frame(), home_page="https://lms.example.org")[0]["actor"]
    assert actor == {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "S1"}}
    assert "mbox" not in json.dumps(actor)


def test_verb_object_result_timestamp_and_context():
    passed, failed = to_statements(frame(), base="https://academy.example.com/")
    assert passed["verb"]["id"] == VERBS["passed"] == "http://adlnet.gov/expapi/verbs/passed"
    assert failed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert passed["object"]["id"] == "https://academy.example.com/lessons/02_permission"
    assert passed["object"]["objectType"] == "Activity"
    assert passed["result"] == {"score": {"scaled": 0.8, "raw": 8.0, "min": 0.0, "max": 10.0},
                                "success": True, "completion": True}
    assert failed["result"]["success"] is False
    assert passed["timestamp"] == "2026-03-01T09:30:00.000Z"
    assert dt.datetime.fromisoformat(passed["timestamp"].replace("Z", "+00:00")).tzinfo is not None
    extensions = passed["context"]["extensions"]
    assert extensions["https://academy.example.com/xapi/extensions/bank-version"] == "abc123def456"
    assert passed["id"] == "0b7a1c2e-4f56-4a1b-9c3d-2e4f5a6b7c8d"


def test_an_attempt_without_outcome_is_completed():
    row = frame().iloc[:1].assign(passed=None)
    s = to_statements(row)[0]
    assert s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed" and "success" not in s["result"]


def test_statements_from_the_store(tmp_path):
    store = ProgressStore(f"sqlite:///{tmp_path / 'p.sqlite'}", outbox_dir=tmp_path / "outbox")
    assert store.record(graded_attempt("S1", "01_classification")).stored
    (s,) = to_statements(store.attempts_frame())
    assert problems(s) == [] and s["actor"]["account"]["name"] == "S1"
    assert to_statements(store.attempts())[0]["id"] == s["id"]


def test_problems_spots_a_broken_statement():
    s = to_statements(frame())[0]
    broken = {**s, "verb": {"id": "passed"}, "timestamp": "yesterday"}
    del broken["actor"]
    found = problems(broken)
    assert {"missing actor", "verb id must be an IRI", "timestamp is not ISO 8601"} <= set(found)
