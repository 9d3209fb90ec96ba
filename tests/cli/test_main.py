"""The command line: one entry point, every subcommand documented with an example."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import gdprlab
from gdprlab.cli.main import EXAMPLES, build_parser, main

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert gdprlab.__version__ in capsys.readouterr().out


@pytest.mark.parametrize("command", sorted(EXAMPLES))
def test_every_subcommand_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "example:" in out and EXAMPLES[command] in out


def test_every_subcommand_has_an_example():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(EXAMPLES)


def test_python_dash_m_runs_the_same_command():
    out = subprocess.run(
        [sys.executable, "-m", "gdprlab", "--version"], capture_output=True, text=True, check=True
    )
    assert gdprlab.__version__ in out.stdout


def test_generate_then_summary(tmp_path, capsys):
    out = tmp_path / "ds"
    assert (
        main(
            [
                "generate",
                str(out),
                "--contacts",
                "300",
                "--seed",
                "4",
                "--as-of",
                "2026-06-30",
                "--rate",
                "retention_exceeded=0.1",
                "--quiet",
            ]
        )
        == 0
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["rates"]["retention_exceeded"] == 0.1
    assert main(["summary", str(out)]) == 0
    text = capsys.readouterr().out
    assert "contacts" in text and "retention_exceeded" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--contacts", "-3"], "--contacts"),
        (["--locales", "de_DE,xx_XX"], "xx_XX"),
        (["--rate", "retention_exceeded=2"], "between 0 and 1"),
        (["--rate", "retention_exceeded"], "RULE=RATE"),
    ],
)
def test_bad_options_exit_2_with_one_clear_line(tmp_path, capsys, args, message):
    assert main(["generate", str(tmp_path / "ds"), "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "ds").exists()


def test_a_bad_date_is_refused_by_the_parser(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["generate", str(tmp_path / "ds"), "--as-of", "31/12/2026"])
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_an_existing_dataset_is_not_overwritten_without_force(tmp_path, capsys):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "x.csv").write_text("a\n1\n")
    assert main(["generate", str(out), "--contacts", "20", "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err


def test_rules_lists_the_catalogue_as_json(capsys):
    assert main(["rules", "--format", "json", "--concern", "rights"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rules} == {"request_overdue", "extension_not_notified", "erasure_incomplete"}


def test_summary_of_a_missing_folder_says_what_to_do(tmp_path, capsys):
    assert main(["summary", str(tmp_path / "nope")]) == 2
    assert "gdprlab generate" in capsys.readouterr().err


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


def test_scan_of_a_missing_path_is_one_clear_error(tmp_path, capsys):
    assert main(["scan", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
