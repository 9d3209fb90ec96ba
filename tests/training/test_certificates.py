"""Completion certificates: self-contained HTML, escaped, with a verification hash of the records."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from gdprlab.training.certificates import (
    certificate_html,
    passed_records,
    store_records,
    verification_hash,
    verify_certificate,
    write_certificate,
)
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import Attempt


def attempts():
    return pd.DataFrame([
        {"attempt_id": "a1", "learner": "S1", "lesson": "01_a", "bank_version": "v<1>", "score": 4.0,
         "max_score": 10.0, "passed": False, "submitted_at": pd.Timestamp("2026-01-01T09:00", tz="UTC")},
        {"attempt_id": "a2", "learner": "S1", "lesson": "01_a", "bank_version": "v<1>", "score": 9.0,
         "max_score": 10.0, "passed": True, "submitted_at": pd.Timestamp("2026-01-02T09:00", tz="UTC")},
        {"attempt_id": "a3", "learner": "S1", "lesson": "02_b", "bank_version": "v2", "score": 8.0,
         "max_score": 10.0, "passed": True, "submitted_at": pd.Timestamp("2026-02-03T09:00", tz="UTC")},
        {"attempt_id": "a4", "learner": "S2", "lesson": "01_a", "bank_version": "v1", "score": 10.0,
         "max_score": 10.0, "passed": True, "submitted_at": pd.Timestamp("2026-02-03T09:00", tz="UTC")},
    ])


def test_certificate_lists_passed_lessons_with_dates_scores_and_bank_versions():
    page = certificate_html("S1", attempts(), name="Anna", issued_on=dt.date(2026, 3, 1))
    assert page.startswith("<!DOCTYPE html>")
    assert "2026-01-02" in page and "90%" in page and "2026-02-03" in page and "80%" in page
    assert "v2" in page and "2026-01-01" not in page  # the failed attempt is not certified
    assert verification_hash(passed_records(attempts(), "S1")) in page
    assert "<script" not in page and "http:" not in page and "https:" not in page  # self-contained
    assert "script-src 'none'" in page  # and no script may run in it


def test_every_value_is_html_escaped():
    page = certificate_html("S1", attempts(), name="<script>alert('x')</script>", organisation="A & B",
                            titles={"01_a": "<b>bold</b>"})
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "A &amp; B" in page and "v&lt;1&gt;" in page


def test_the_hash_changes_when_a_record_changes():
    records = passed_records(attempts(), "S1")
    same = verification_hash(records.iloc[::-1].reset_index(drop=True))
    assert verification_hash(records) == same  # order does not matter
    assert verification_hash(records.assign(score=[9.0, 7.0])) != same


def test_a_learner_without_passes_gets_a_certificate_saying_so(tmp_path):
    path = write_certificate(tmp_path / "c.html", "S9", attempts())
    assert "No lesson passed yet." in path.read_text(encoding="utf-8")


def test_a_certificate_from_the_store_binds_the_hash_chain_and_can_be_verified(tmp_path):
    store = ProgressStore(f"sqlite:///{tmp_path / 'p.sqlite'}", outbox_dir=tmp_path / "outbox")
    store.record(Attempt(learner="S1", lesson="01_classification", quiz="q", bank_version="v1", answers={},
                         score=9, max_score=10, passed=True))
    records = store_records(store)
    assert records["record_hash"].str.len().eq(64).all()
    page = certificate_html("S1", records)
    assert verify_certificate(page, "S1", records)
    tampered = records.assign(record_hash="0" * 64)
    assert not verify_certificate(page, "S1", tampered)
