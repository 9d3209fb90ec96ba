"""The auditor's commands end to end: scan, check, evaluate and rules (assess: tests/runner/test_batch.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from gdprlab.cli.main import main
from gdprlab.regulation.catalogue import RULES

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


def test_rules_lists_the_catalogue_as_json(capsys):
    assert main(["rules", "--format", "json", "--concern", "rights"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rules} == {"request_overdue", "extension_not_notified", "erasure_incomplete",
                                        "processing_after_erasure_or_restriction",
                                        "third_party_data_without_notice",
                                        "automated_decision_without_exception"}


def test_rules_prints_a_card_per_rule_in_markdown(capsys):
    assert main(["rules", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n## ") == len(RULES)
    card = out[out.index("`consent_without_proof`"):]
    card = card[:card.index("\n## ")]
    for part in ("concern: permission", "severity: high", "table: `consents`",
                 "- Art. 7(1) (Conditions for consent)", "**Definition.**", "**Not a violation.**",
                 "**Remediation.**", "**Sources**", "- Recital 42"):
        assert part in card, part


def test_rules_picks_rules_by_id_and_refuses_an_unknown_one(capsys):
    assert main(["rules", "breach_notified_late", "request_overdue", "--format", "json"]) == 0
    picked = [r["id"] for r in json.loads(capsys.readouterr().out)]
    assert picked == ["request_overdue", "breach_notified_late"]  # in catalogue order
    assert main(["rules", "breach_notified_later"]) == 2
    assert "unknown rule 'breach_notified_later'" in capsys.readouterr().err


def test_docs_rules_md_is_the_commands_output(capsys):
    """The cards the README links to are current (after a change to rules.yaml:
    gdprlab rules --format markdown > docs/rules.md)."""
    assert main(["rules", "--format", "markdown"]) == 0
    committed = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == capsys.readouterr().out


def _sample(tmp_path):
    out = tmp_path / "ds"
    assert (
        main(["generate", str(out), "--contacts", "600", "--seed", "8", "--as-of", "2026-06-30", "--quiet"])
        == 0
    )
    return out


def test_check_writes_json_findings_with_masked_evidence(tmp_path, capsys):
    ds = _sample(tmp_path)
    out = tmp_path / "output" / "findings.json"
    assert main(["check", str(ds), "--format", "json", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    finding = report["findings"][0]
    assert {"rule_id", "table", "record_ids", "count", "articles", "severity", "evidence"} <= set(finding)
    assert set(report["scores"]) >= {"overall", "by_concern"}
    import pandas as pd

    emails = pd.read_csv(ds / "contacts.csv", dtype=str)["email"].dropna()
    text = out.read_text()
    assert not any(e in text for e in emails)


def test_check_fails_the_pipeline_on_a_severity_threshold(tmp_path, capsys):
    ds = _sample(tmp_path)
    assert main(["check", str(ds), "--fail-on", "critical"]) == 1
    clean = tmp_path / "clean"
    assert (
        main(
            [
                "generate",
                str(clean),
                "--contacts",
                "300",
                "--profile",
                "clean",
                "--as-of",
                "2026-06-30",
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["check", str(clean), "--fail-on", "low"]) == 0


def test_evaluate_prints_precision_and_recall_per_rule(tmp_path, capsys):
    ds = _sample(tmp_path)
    capsys.readouterr()
    assert main(["evaluate", str(ds)]) == 0
    out = capsys.readouterr().out
    assert "retention_exceeded" in out and "precision" in out.lower()


def test_check_of_a_real_export_reports_rules_it_cannot_assess(tmp_path, capsys):
    (tmp_path / "Contact.csv").write_text(
        "Id,Email,Phone,MailingCountry\n003A,a@example.de,+4915112345678,DE\n003B,not-an-email,+491,DE\n"
    )
    assert main(["check", str(tmp_path), "--as-of", "2026-06-30", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [f["rule_id"] for f in report["findings"]] == ["inaccurate_data"]
    assert any("missing" in n["reason"] for n in report["not_assessed"])


def test_check_of_a_small_export_says_its_coverage_is_insufficient_and_fails_the_pipeline(tmp_path, capsys):
    (tmp_path / "Contact.csv").write_text("Id,Email,Phone\n003A,a@example.de,(212) 555-0199\n")
    assert main(["check", str(tmp_path), "--as-of", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    assert "overall insufficient coverage: " in out and f" of {len(RULES)} rules (" in out
    assert "inaccurate_data (passed): 1 phone number not assessable" in out
    assert main(["check", str(tmp_path), "--as-of", "2026-06-30", "--fail-on", "critical"]) == 1
    assert "below the minimum of 50 %" in capsys.readouterr().err
    assert main(["check", str(tmp_path), "--as-of", "2026-06-30", "--fail-on", "critical",
                 "--min-coverage", "0"]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path), "--as-of", "2026-06-30", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scores"]["overall"] is None and doc["scores"]["headline"].startswith("insufficient coverage")
    assert {"rule_id": "inaccurate_data", "status": "passed"}.items() <= doc["caveats"][0].items()


def test_check_of_a_folder_that_matches_no_table_is_an_error(tmp_path, capsys):
    (tmp_path / "weather_2026.csv").write_text("day,rain_mm\n2026-01-01,3\n")
    assert main(["check", str(tmp_path), "--fail-on", "low"]) == 2
    err = capsys.readouterr().err
    assert "no file matches a gdprlab table" in err and "Traceback" not in err


def test_a_min_coverage_outside_0_to_1_is_refused(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["check", str(SAMPLE), "--min-coverage", "50"])
    assert "is not a share from 0 to 1" in capsys.readouterr().err


def test_a_count_below_its_least_is_refused_before_anything_runs(capsys):
    import pytest

    for args in (["check", str(SAMPLE), "--evidence", "-3"], ["scan", str(SAMPLE), "--sample", "0"],
                 ["check", str(SAMPLE), "--evidence", "five"]):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        assert exit_.value.code == 2
        flag, value = args[2], args[3]
        assert f"argument {flag}: {value!r} is not a whole number of at least" in capsys.readouterr().err


def test_check_of_one_file_of_a_dataset_uses_the_datasets_as_of_date_unless_given(capsys):
    assert main(["check", str(SAMPLE / "training.csv"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["metadata"]["as_of"] == "2026-11-01"  # its manifest's
    assert main(["check", str(SAMPLE / "training.csv"), "--format", "json", "--as-of", "2026-01-31"]) == 0
    assert json.loads(capsys.readouterr().out)["metadata"]["as_of"] == "2026-01-31"


def test_check_of_a_missing_dataset_or_mapping_is_one_clear_error(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope")]) == 2
    assert f"{tmp_path / 'nope'}: no such file or folder" in capsys.readouterr().err
    assert main(["check", str(SAMPLE), "--mapping", str(tmp_path / "map.yaml")]) == 2
    assert f"{tmp_path / 'map.yaml'}: mapping file not found" in capsys.readouterr().err


def test_scan_classifies_columns_and_never_prints_values(tmp_path, capsys):
    ds = _sample(tmp_path)
    capsys.readouterr()
    ropa = tmp_path / "ropa.csv"
    assert main(["scan", str(ds / "contacts.csv"), "--format", "json", "--ropa", str(ropa)]) == 0
    text = capsys.readouterr().out
    result = json.loads(text)
    by_column = {c["column"]: c for c in result["columns"]}
    assert by_column["email"]["category"] == "email" and by_column["email"]["personal"]
    import pandas as pd

    contacts = pd.read_csv(ds / "contacts.csv", dtype=str)
    assert not any(v in text for v in contacts["email"].dropna())
    draft = pd.read_csv(ropa)
    assert {"table", "column", "purpose", "lawful_basis", "retention"} <= set(draft.columns)


def test_scan_counts_special_category_terms_in_notes(tmp_path, capsys):
    ds = _sample(tmp_path)
    capsys.readouterr()
    assert main(["scan", str(ds / "activities.csv")]) == 0
    out = capsys.readouterr().out
    assert "activities.note: person_name" in out


def test_scan_marks_a_notes_column_that_reveals_art_9_and_art_10_data(tmp_path, capsys):
    notes = ["Asked for the price list and a demo next week."] * 8 + ["Hat Diabetes, Termin verschieben."] \
        + ["Er ist vorbestraft, bitte prüfen."]
    contacts = pd.DataFrame({"Id": [f"003{i}" for i in range(10)], "Description": notes})
    contacts.to_csv(tmp_path / "Contact.csv", index=False)
    ropa = tmp_path / "ropa.csv"
    assert main(["scan", str(tmp_path / "Contact.csv"), "--ropa", str(ropa)]) == 0
    out = capsys.readouterr().out
    assert "Art. 9 (10%) + Art. 10 (10%)" in out and "Diabetes" not in out
    assert main(["scan", str(tmp_path / "Contact.csv"), "--format", "json"]) == 0
    column = {c["column"]: c for c in json.loads(capsys.readouterr().out)["columns"]}["Description"]
    assert column["special"] and column["special_share"] == 0.1 and column["criminal_share"] == 0.1
    draft = pd.read_csv(ropa).set_index("column")
    assert draft.loc["Description", "special_category_share"] == 0.1


def test_scan_finds_national_phone_numbers_in_notes_by_the_rows_country(tmp_path, capsys):
    leads = pd.DataFrame({"Id": [f"00Q{i}" for i in range(6)], "Country": ["US"] * 5 + ["DE"],
                          "Description": ["Call back at (212) 555-0199 after 5pm, asked for a demo."] * 5
                          + ["Rückruf unter 030 1234567 erbeten, Demo gewünscht."]})
    leads.to_csv(tmp_path / "Lead.csv", index=False)
    assert main(["scan", str(tmp_path / "Lead.csv"), "--format", "json"]) == 0
    text = capsys.readouterr().out
    found = {(r["column"], r["kind"]): r["rows_with_kind"] for r in json.loads(text)["free_text"]}
    assert found[("Description", "phone")] == 6 and "555-0199" not in text


def test_scan_of_a_missing_path_is_one_clear_error(tmp_path, capsys):
    assert main(["scan", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_check_on_a_duckdb_file_keeps_the_ids_in_its_findings_table(tmp_path, capsys):
    """The output carries counts and evidence; the ids are rows of the engine's table, one run per check."""
    import duckdb

    database = tmp_path / "engine.duckdb"
    out = tmp_path / "findings.json"
    args = ["check", str(SAMPLE), "--engine", f"duckdb://{database}", "--findings-table", "findings",
            "--format", "json", "--out", str(out)]
    assert main(args) == 0
    report = json.loads(out.read_text())
    with duckdb.connect(str(database)) as con:
        stored = dict(con.sql("SELECT rule_id, count(*) FROM findings GROUP BY rule_id").fetchall())
    assert stored == {f["rule_id"]: f["count"] for f in report["findings"]}
    assert all(f["record_ids"] == [] and f["record_ids_in"] == "findings" for f in report["findings"])
    truth = pd.read_csv(SAMPLE / "ground_truth.csv", dtype=str)
    assert stored == truth.groupby("rule_id").size().to_dict()


def test_a_findings_table_in_an_engine_that_forgets_it_is_refused(capsys):
    assert main(["check", str(SAMPLE), "--findings-table", "findings"]) == 2
    assert "duckdb://" in capsys.readouterr().err


def test_check_reads_a_fivetran_salesforce_schema_in_the_engine(tmp_path, capsys):
    """Contacts synced by Fivetran into a DuckDB file, checked where they are; soft-deleted rows ignored."""
    import duckdb

    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("""
        CREATE SCHEMA salesforce;
        CREATE TABLE salesforce.contact (id VARCHAR, first_name VARCHAR, last_name VARCHAR, email VARCHAR,
          phone VARCHAR, mailing_country VARCHAR, birthdate DATE, created_date TIMESTAMPTZ,
          last_activity_date DATE, is_deleted BOOLEAN, _fivetran_deleted BOOLEAN);
        INSERT INTO salesforce.contact VALUES
          ('003A', 'Anna', 'Schmidt', 'anna@example', NULL, 'DE', '1980-02-29', '2024-03-01 10:00:00+01',
           '2025-01-02', false, false),
          ('003B', 'Bo', 'Berg', 'bo@example.se', NULL, 'SE', NULL, '2024-03-01 10:00:00+01', NULL, false,
           false),
          ('003D', 'Gone', 'Person', 'not-an-address', NULL, NULL, NULL, NULL, NULL, true, false);
        """)
    out = tmp_path / "findings.json"
    assert main(["check", "salesforce", "--fivetran", "salesforce", "--engine", f"duckdb://{database}",
                 "--as-of", "2026-06-30", "--format", "json", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    inaccurate = {f["rule_id"]: f for f in report["findings"]}["inaccurate_data"]
    assert inaccurate["record_ids"] == ["003A"] and inaccurate["population"] == 2
    assert report["metadata"]["as_of"] == "2026-06-30"
    assert any(n["rule_id"] == "breach_not_notified" for n in report["not_assessed"])
