"""The same CRM data exported the way real tools export it gives the same verdicts as gdprlab's clean CSV.

One small generated dataset (fixed seed, Western-European locales so Windows-1252 can hold it) is written
in each style of gdprlab.generator.export_styles, into a folder that also holds what real export folders
hold: spreadsheet lock files, a hidden file, a corrupt workbook and unrelated CSVs. Every rule's status and
count must equal those on the clean dataset.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gdprlab.audit.engine import run_checks
from gdprlab.crm.exports import load_export
from gdprlab.crm.io import read_dataset
from gdprlab.generator import GeneratorConfig, generate, write_dataset
from gdprlab.generator.export_styles import STYLES, write_export

AS_OF = dt.date(2026, 6, 30)
WESTERN = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pt_PT")


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    folder = write_dataset(
        generate(GeneratorConfig(contacts=300, seed=3, as_of=AS_OF, locales=WESTERN)), root / "clean"
    )
    tables = read_dataset(folder)
    verdicts = {r.rule_id: (r.status, r.count) for r in run_checks(tables, None, AS_OF).results}
    return root, tables, verdicts


def _clutter(folder):
    (folder / "~$contacts_2026.xlsx").write_bytes(b"\x00locked by anna")
    (folder / ".~lock.accounts_2026.csv#").write_text("anna,host,2026-10-01", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "Leads_old.xlsx").write_bytes(b"PK\x03\x04 this workbook was cut off")
    (folder / "contactless_payment_vendors.csv").write_text("vendor,fee\nAcme Pay,0.3\n", encoding="utf-8")
    (folder / "user_statistics.csv").write_text("month,logins\n2026-09,120\n", encoding="utf-8")
    (folder / "README.yml").write_text("owner: crm team\n", encoding="utf-8")


@pytest.mark.parametrize("style", list(STYLES))
def test_every_export_style_gives_the_clean_csvs_verdicts_rule_by_rule(clean, style):
    root, tables, verdicts = clean
    folder = root / style
    write_export(tables, folder, style)
    _clutter(folder)
    got, report = load_export(folder)  # no --date-order: each file's dates show their order
    assert {r.rule_id: (r.status, r.count) for r in run_checks(got, None, AS_OF).results} == verdicts
    assert sorted(got) == sorted(tables)
    assert {len(got[t]) for t in tables} == {len(tables[t]) for t in tables}
    # what real export folders hold besides the tables is listed, never read as a table
    assert dict(report.skipped) == {
        "~$contacts_2026.xlsx": "a lock file of an open spreadsheet",
        ".~lock.accounts_2026.csv#": "a lock file of an open spreadsheet",
        ".DS_Store": "a hidden file",
        "README.yml": "not a table file (reads .csv, .tsv, .txt, .xlsx, .xlsm, .xls, .parquet)",
    }
    assert [f for f, _ in report.failed] == ["Leads_old.xlsx"]
    assert "cannot be read as an Excel workbook" in report.failed[0][1]
    assert sorted(report.ignored) == ["contactless_payment_vendors.csv", "user_statistics.csv"]


def test_what_was_detected_is_reported_per_file(clean):
    root, tables, _ = clean
    write_export({"contacts": tables["contacts"]}, root / "german", "german_excel")
    write_export({"contacts": tables["contacts"]}, root / "text", "utf16_text")
    write_export({"contacts": tables["contacts"]}, root / "cp", "windows_1252")
    (german,) = load_export(root / "german")[1].file_records()
    assert (german["file"], german["encoding"], german["delimiter"], german["rows"], german["table"]) == (
        "Kontakte_export.csv",
        "UTF-8 with BOM",
        "semicolon",
        300,
        "contacts",
    )
    assert german["timezone"] == "UTC"
    (text,) = load_export(root / "text")[1].file_records()
    assert (text["encoding"], text["delimiter"]) == ("UTF-16", "tab")
    assert text["dates"]["birth_date"] == "DD/MM/YYYY (from its values)"
    (cp,) = load_export(root / "cp")[1].file_records()
    assert cp["encoding"] == "Windows-1252" and "not UTF-8" in cp["warnings"][0]
