"""The report's first screen (gdprlab.audit.summary): scope, score band, heat map, the actions that matter
most; every value from the data escaped."""

from __future__ import annotations

import datetime as dt

from helpers import table

from gdprlab.audit.actions import track
from gdprlab.audit.engine import run_checks
from gdprlab.audit.summary import Scope, heat_counts, signoff_html, summary_html
from gdprlab.regulation.policy import Policy

AS_OF = dt.date(2026, 7, 1)
POLICIES = table("policies", {"policy_id": "P1", "kind": "privacy_notice", "last_reviewed_on": "2024-01-01"})


def _scope(**changes) -> Scope:
    values = {"organisation": "<b>Evil</b> & Co", "dataset": "hr<script>", "files": 3, "rows": 1200,
              "first": dt.date(2020, 1, 5), "last": dt.date(2026, 6, 30), "as_of": AS_OF,
              "as_of_source": "manifest.json", "previous": None}
    return Scope(**{**values, **changes})


def test_the_first_screen_names_scope_score_band_and_actions_with_owner_and_due_date() -> None:
    a = run_checks({"policies": POLICIES}, Policy(), AS_OF, dataset="hr")
    page = summary_html(_scope(), a, track(a, "hr"))
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in page and "hr&lt;script&gt;" in page and "<script" not in page
    assert "3 file(s), 1,200 rows, records dated 5 January 2020 to 30 June 2026" in page
    assert "as of <strong>1 July 2026</strong>" in page
    assert "First assessment of this dataset" in page
    assert "Policy review overdue" in page or "policy_review_overdue" in page
    assert "data protection officer" in page and "28 December 2026" in page  # low: 180 days


def test_concerns_not_assessed_are_said_so_in_the_heat_map_never_zero() -> None:
    a = run_checks({"policies": POLICIES}, Policy(), AS_OF, dataset="hr")
    counts = heat_counts(a)
    assert counts["education"] == {"critical": 0, "high": 0, "medium": 0, "low": 1}
    assert counts["permission"] is None
    assert "not assessed" in summary_html(_scope(), a, [])


def test_without_open_findings_there_is_nothing_to_do_and_changes_are_counted() -> None:
    a = run_checks({"policies": POLICIES}, Policy(), AS_OF, dataset="hr")
    actions = track(a, "hr")
    page = summary_html(_scope(previous=dt.date(2026, 6, 1)), a, [])
    assert "No open finding" in page
    assert "Since the previous assessment (as of 1 June 2026): 1 new" in summary_html(
        _scope(previous=dt.date(2026, 6, 1)), a, actions)


def test_the_sign_off_holds_reviewer_date_and_hash(tmp_path) -> None:
    import hashlib

    file = tmp_path / "findings.json"
    file.write_text("{}", encoding="utf-8")
    block = signoff_html(file, "<A. Auditor>", dt.date(2026, 7, 2))
    assert "Reviewer: &lt;A. Auditor&gt;" in block and "2 July 2026" in block
    assert hashlib.sha256(b"{}").hexdigest() in block
    assert "not named" in signoff_html(file, "")
