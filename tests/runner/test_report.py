"""The report an auditor hands over (issue 16): it opens with the summary, carries no notebook instructions,
parameters or code, tracks findings as actions across runs of one dataset, and shows special-category
evidence as record ids and categories only."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from gdprlab.generator import GeneratorConfig, generate, write_dataset
from gdprlab.runner.batch import run_batch

AS_OF = dt.date(2026, 3, 16)
FIXED = "policy_review_overdue"
ART9_10 = ("special_category_without_condition", "criminal_data_without_authorisation")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, list]:
    """Two assessments of one dataset, every policy reviewed in between (the fix)."""
    tmp = tmp_path_factory.mktemp("report")
    dataset = write_dataset(generate(GeneratorConfig(contacts=400, seed=5, as_of=AS_OF, profile="typical")),
                            tmp / "crm")
    out = tmp / "out"
    first = run_batch([dataset], out=out, progress=False, parameters={"organisation": "Müller & <Söhne>"})
    policies = pd.read_csv(dataset / "policies.csv", dtype=str, keep_default_na=False)
    policies["last_reviewed_on"] = (AS_OF - dt.timedelta(days=1)).isoformat()
    policies.to_csv(dataset / "policies.csv", index=False)
    second = run_batch([dataset], out=out, progress=False, parameters={"reviewer": "A. Auditor"})
    return out, [first.runs[0], second.runs[0]]


def _findings(run) -> dict:
    return json.loads((run.folder / "findings.json").read_text(encoding="utf-8"))


def test_the_report_opens_with_the_summary_and_shows_no_instructions_parameters_or_code(runs) -> None:
    _, (first, _) = runs
    page = first.report.read_text(encoding="utf-8")
    body = page[page.index("<body"):]
    assert re.search(r"<h1[^>]*>Data-protection assessment: Müller &amp; &lt;Söhne&gt;", body)  # escaped
    assert body.index("Data-protection assessment") < body.index("Scope: what was assessed")
    for hidden in ("papermill", "AuditParams", "PosixPath", "Run it", "--help-notebook", "audit.validate"):
        assert hidden not in body, hidden
    assert "Overall score" in body and "actions that matter most" in body


def test_the_scope_says_where_the_date_and_policy_came_from(runs) -> None:
    _, (first, _) = runs
    page = first.report.read_text(encoding="utf-8")
    scope = page[page.index("Scope: what was assessed"):]
    assert "the dataset's manifest.json" in scope and "the dataset's policy.yaml" in scope


def test_a_fixed_rule_is_marked_resolved_in_the_next_run(runs) -> None:
    _, (first, second) = runs
    before = {a["rule"]: a for a in _findings(first)["actions"]}
    assert before[FIXED]["status"] == "new"
    after = {a["rule"]: a for a in _findings(second)["actions"]}
    assert after[FIXED]["status"] == "resolved" and after[FIXED]["due"] is None
    assert {a["status"] for r, a in after.items() if r != FIXED} == {"open"}
    assert all(after[r]["due"] == before[r]["due"] for r in after if r != FIXED)  # due dates are kept
    page = second.report.read_text(encoding="utf-8")
    assert "1 resolved" in page and "Since the previous assessment" in page
    rows = list(csv.DictReader((second.folder / "findings.csv").open(encoding="utf-8")))
    assert {r["id"]: r["status"] for r in rows}[f"crm:{FIXED}"] == "resolved"
    tracker = {"id", "rule", "articles", "severity", "owner", "due", "status", "count", "population"}
    assert tracker <= set(rows[0])


def test_the_sign_off_names_the_reviewer_and_the_findings_files_hash(runs) -> None:
    import hashlib

    _, (_, second) = runs
    digest = hashlib.sha256((second.folder / "findings.json").read_bytes()).hexdigest()
    page = second.report.read_text(encoding="utf-8")
    assert "Reviewer: A. Auditor" in page and digest in page


def test_special_category_and_criminal_evidence_shows_record_and_category_only(runs) -> None:
    _, (first, _) = runs
    findings = {f["rule_id"]: f for f in _findings(first)["findings"]}
    assert set(ART9_10) <= set(findings)
    allowed = {"record_id", "held_in", "category", "note_reveals", "art9_condition", "art10_authorisation",
               "condition_covers"}  # the Art. 9(1) categories a recorded condition covers
    for rule in ART9_10:
        for record in findings[rule]["evidence"]:
            assert set(record) <= allowed, (rule, set(record) - allowed)
            assert record.get("category") or record.get("note_reveals")
    page = first.report.read_text(encoding="utf-8")
    for rule in ART9_10:  # the finding's paragraph and its evidence table, up to the next finding
        start = page.index(f"(<code>{rule}</code>, Art.")
        shown = page[start:page.index("<strong>", start + 1)]
        assert "held_in" in shown and "first_name" not in shown and "last_name" not in shown


def test_the_report_is_self_contained_and_every_chart_states_its_message(runs) -> None:
    _, (first, _) = runs
    page = first.report.read_text(encoding="utf-8")
    assert not re.search(r"<script|<link\b|@import|src=\"http|url\(http", page)
    images = re.findall(r"<img\b[^>]*>", page)
    assert len(images) == 4 and all('src="data:image/png;base64,' in img for img in images)
    alts = [re.search(r'alt="([^"]+)"', img).group(1) for img in images]
    assert all(re.search(r"\d+ of [\d,]+|\d+ rules failed", alt) for alt in alts), alts


def test_the_index_shows_each_datasets_trend_and_its_runs_newest_first(runs) -> None:
    import hashlib

    out, (first, second) = runs
    page = sorted(out.glob("index-*.html"))[-1].read_text(encoding="utf-8")
    svg = re.search(r"<svg [^>]*role=\"img\"[^>]*>\s*<title id=\"[^\"]+\">([^<]+)</title>", page)
    assert svg and svg.group(1).startswith("crm: overall score rose from ")  # a fix raised the score
    assert page.index(f'href="{second.folder.name}/report.html"') < page.index(
        f'href="{first.folder.name}/report.html"')  # newest first
    for run in (first, second):
        assert hashlib.sha256((run.folder / "findings.json").read_bytes()).hexdigest() in page
    assert "<script" not in page
