"""Reports: aligned text, JSON with a fixed top-level schema, injection-safe CSV; and --fail-on."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pandas as pd
import pytest
from helpers import table

from gdprlab.audit.engine import run_checks
from gdprlab.audit.report import (
    fail_on,
    render,
    to_csv,
    to_dict,
    to_json,
    to_table,
)
from gdprlab.crm import protect
from gdprlab.crm.files import FORMULA_STARTS
from gdprlab.crm.io import read_as_of, read_dataset, read_policy
from gdprlab.regulation.catalogue import CONCERNS
from gdprlab.regulation.policy import Policy

AS_OF = dt.date(2026, 6, 30)




def assess(**tables: pd.DataFrame):
    return run_checks(tables, Policy(), AS_OF, dataset="hand-made")


def breaches(*risks: str) -> pd.DataFrame:
    """Breaches never notified (critical when risk is not 'unlikely'), complete otherwise."""
    return table("breaches", *({"breach_id": f"B{i}", "aware_at": "2026-01-01T00:00:00Z", "description": "x",
                                "consequences": "y", "measures": "z", "risk": r}
                               for i, r in enumerate(risks)))


POLICIES = table("policies", {"policy_id": "P1", "kind": "privacy_notice", "last_reviewed_on": "2026-01-01"})
STALE = table("policies", {"policy_id": "=HYPERLINK(\"http://evil\")", "kind": "privacy_notice",
                           "title": "@SUM(1+1)", "owner": "-2+3", "last_reviewed_on": "2020-01-01"})


# ---------------------------------------------------------------------------------------------------------
# fail-on
# ---------------------------------------------------------------------------------------------------------

def test_fail_on_is_true_when_a_rule_of_that_severity_or_worse_failed():
    low_only = assess(policies=STALE)  # policy_review_overdue is low
    assert fail_on(low_only, "low")
    assert not fail_on(low_only, "medium") and not fail_on(low_only, "critical")
    critical = assess(breaches=breaches("risk"))
    assert all(fail_on(critical, s) for s in ("low", "medium", "high", "critical", "CRITICAL"))


def test_fail_on_ignores_rules_not_assessed_and_passed():
    a = assess(policies=POLICIES)
    assert a.failed == [] and not fail_on(a, "low")


def test_fail_on_rejects_an_unknown_severity():
    with pytest.raises(ValueError, match="low, medium, high, critical"):
        fail_on(assess(), "severe")


# ---------------------------------------------------------------------------------------------------------
# formats
# ---------------------------------------------------------------------------------------------------------

def test_json_has_findings_scores_not_assessed_and_metadata():
    doc = json.loads(to_json(assess(breaches=breaches("risk", "unlikely"), policies=POLICIES)))
    assert set(doc) == {"metadata", "findings", "scores", "passed", "not_assessed", "caveats"}
    assert {"as_of", "dataset", "rule_catalogue_version"} <= set(doc["metadata"])
    assert doc["metadata"]["as_of"] == "2026-06-30" and doc["metadata"]["dataset"] == "hand-made"
    assert set(doc["scores"]["by_concern"]) == set(CONCERNS) and "overall" in doc["scores"]
    (finding,) = doc["findings"]
    assert finding["rule_id"] == "breach_not_notified" and finding["record_ids"] == ["B0"]
    assert finding["count"] == 1 and finding["population"] == 2 and finding["articles"] == ["33(1)"]
    assert {"rule_id": "request_overdue", "title": "Data-subject request answered late",
            "reason": "table requests missing"} in doc["not_assessed"]
    assert "policy_review_overdue" in doc["passed"]


def test_table_lists_findings_aligned_then_scores_and_what_was_not_assessed():
    text = to_table(assess(breaches=breaches("risk", "risk"), policies=STALE))
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("SEVERITY"))
    rows = [line for line in lines if line.startswith(("critical ", "low "))]
    assert [r.split()[1] for r in rows] == ["breach_not_notified", "policy_review_overdue"]
    assert {r.index(r.split()[1]) for r in rows} == {header.index("RULE")}  # columns line up
    assert "overall" in text and "rights" in text and "not assessed" in text
    assert "request_overdue: table requests missing" in text


def test_table_with_evidence_shows_masked_evidence_and_remediation():
    text = to_table(assess(breaches=breaches("risk")), evidence=True)
    assert "record_id=B0" in text and "Notify the supervisory authority" in text


def test_render_dispatches_and_rejects_unknown_formats():
    a = assess(policies=POLICIES)
    assert render(a) == to_table(a) and render(a, "json") == to_json(a) and render(a, "csv") == to_csv(a)
    with pytest.raises(ValueError, match="table, json, csv"):
        render(a, "xml")


# ---------------------------------------------------------------------------------------------------------
# CSV injection
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("detail", ["findings", "records"])
def test_no_csv_cell_starts_like_a_formula(detail):
    out = to_csv(assess(policies=STALE, breaches=breaches("risk")), detail)
    cells = [cell for row in csv.reader(io.StringIO(out)) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert "'=HYPERLINK(\"http://evil\")" in cells or detail == "findings"


def test_csv_findings_has_a_row_per_rule_and_records_a_row_per_violation():
    a = assess(breaches=breaches("risk", "risk"), policies=POLICIES)
    findings = list(csv.DictReader(io.StringIO(to_csv(a, "findings"))))
    assert len(findings) == len(a.results) and findings[0]["rule_id"] == "breach_not_notified"
    assert {f["status"] for f in findings} == {"failed", "passed", "not_assessed"}
    records = list(csv.DictReader(io.StringIO(to_csv(a, "records"))))
    assert [(r["rule_id"], r["record_id"]) for r in records] == [("breach_not_notified", "B0"),
                                                                 ("breach_not_notified", "B1")]
    with pytest.raises(ValueError):
        to_csv(a, "cells")


# ---------------------------------------------------------------------------------------------------------
# no raw personal data in any output
# ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def outputs(typical, typical_dir) -> str:
    a = run_checks(read_dataset(typical_dir), read_policy(typical_dir), read_as_of(typical_dir), evidence=50,
                   dataset=str(typical_dir))
    assert sum(len(f["evidence"]) for f in to_dict(a)["findings"]) > 300
    return "\n".join([to_json(a), to_csv(a, "findings"), to_csv(a, "records"), to_table(a, evidence=True)])


def test_outputs_never_contain_a_contacts_email_phone_iban_or_national_id(typical, outputs):
    c = typical.tables["contacts"]
    key = protect.synthetic_key(typical.config.seed)
    secrets = set(c["email"].dropna()) | set(c["phone"].dropna())
    for col in ("iban", "national_id"):
        values = c[col].dropna().tolist()
        secrets |= {v for v in protect.decrypt(values, key) if v}  # tokens decrypted, plaintext kept
    assert len(secrets) > 8000
    leaked = sorted(s for s in secrets if s in outputs)
    assert leaked == []


def test_outputs_never_contain_a_contacts_full_name(typical, outputs):
    c = typical.tables["contacts"].dropna(subset=["first_name", "last_name"])
    names = set(c["first_name"] + " " + c["last_name"])
    assert [n for n in names if n in outputs] == []
