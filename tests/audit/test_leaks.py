"""Leaks of personal data: no output, log or error of gdprlab shows a raw personal value (issue 14).

Masking of free text (notes, the breach register, columns the schema does not know), evidence of
special-category data (the categories found, never the note) and, end to end, every file `check`, `scan
--ropa` and `assess` write on a dataset seeded with personal and hostile values: none holds any of them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from gdprlab.audit.evidence import show
from gdprlab.audit.mask import mask_free_text, mask_value
from gdprlab.cli.main import main
from gdprlab.generator import GeneratorConfig, generate, write_dataset

NOTE = ("frau stanislaw wähner ist schwanger, privat: stanislaw.waehner(at)gmx.de, "
        "instagram @stani.waehner92, tel 0151 23456789, iban DE89 3704 0044 0532 0130 00, "
        "steuer-id 12345678903, https://facebook.com/stanislaw.waehner")
#: what no output may contain, compared without regard to case (the words of NOTE that identify or reveal)
RAW = ("stanislaw", "wähner", "waehner", "stani.waehner92", "gmx", "schwanger", "23456789", "0532 0130",
       "DE89370400440532013000", "12345678903", "facebook.com/stan")


def _leaks(text: str, raw: tuple[str, ...] = RAW) -> list[str]:
    folded = text.lower()
    return [value for value in raw if value.lower() in folded]


# ----------------------------------------------------------------------------------------------------------
# free text
# ----------------------------------------------------------------------------------------------------------

def test_the_note_of_issue_14_leaks_nothing_when_masked() -> None:
    masked = mask_free_text(NOTE, length=1000)
    assert _leaks(masked) == [], masked
    assert "[health]" in masked  # the special-category word is replaced by its category
    assert "s***@g***.de" in masked  # the obfuscated e-mail is masked as an e-mail


@pytest.mark.parametrize("address", [
    "anna.berg(at)example.de", "anna.berg [at] example.de", "anna.berg at example dot de",
    "anna.berg(at)example(dot)de", "anna.berg{at}example[dot]de", "anna.berg @ example . de",
])
def test_obfuscated_e_mails_are_masked(address: str) -> None:
    masked = mask_free_text(f"mail an {address} bitte", length=200)
    assert "berg" not in masked and "example" not in masked, masked
    assert "a***@e***.de" in masked


@pytest.mark.parametrize(("text", "raw"), [
    ("folgt @stani.waehner92 auf instagram", "stani"),
    ("profil https://www.linkedin.com/in/anna-kowalska-123 ansehen", "kowalska"),
    ("siehe www.kowalska-design.pl/kontakt", "kowalska"),
    ("rückruf an 0151 23456789", "23456789"),
    ("überweisung von DE89 3704 0044 0532 0130 00", "3704"),
    ("karte 4111 1111 1111 1111 gesperrt", "1111 1111"),
    ("zugriff von 192.168.17.204", "192.168"),
    ("pesel 44051401359 liegt vor", "44051401359"),
    ("rozmowa z panem tomasz nowak", "nowak"),
    ("anruf von jürgen müller", "müller"),
])
def test_every_kind_of_personal_data_in_free_text_is_masked(text: str, raw: str) -> None:
    assert raw.lower() not in mask_free_text(text, length=200).lower()


def test_lower_case_names_are_masked_by_the_lexicon_and_by_the_records_own_names() -> None:
    assert "kowalski" not in mask_free_text("bitte kowalski zurückrufen")
    # a surname no lexicon lists is still masked when it is the record's own name, in any case
    masked = mask_free_text("rückruf bei herrn zbigniewski-o'hara", names=["Zbigniewski-O'Hara"])
    assert "zbigniewski" not in masked.lower() and "hara" not in masked.lower()
    assert mask_value("frau xyqwert anrufen", "free_text", names=["Xyqwert"]) == "frau x*** anrufen"


def test_ordinary_lower_case_words_stay_readable() -> None:
    assert mask_free_text("fragt nach rabatt auf das produkt") == "fragt nach rabatt auf das produkt"


@pytest.mark.parametrize("column", ["description", "consequences", "measures", "delay_reason"])
def test_the_breach_registers_texts_are_masked(column: str) -> None:
    shown = show("Laptop von Stanislaw Wähner gestohlen, iban DE89370400440532013000", "breaches", column)
    assert _leaks(shown) == [], shown


# ----------------------------------------------------------------------------------------------------------
# special-category evidence
# ----------------------------------------------------------------------------------------------------------

def test_special_category_evidence_names_the_category_never_the_note() -> None:
    from helpers import table

    from gdprlab.audit.engine import run_checks
    from gdprlab.regulation.policy import Policy

    contacts = table("contacts", {"contact_id": "C1", "first_name": "Stanislaw", "last_name": "Wähner",
                                  "created_at": "2025-01-01", "status": "customer"})
    activities = table("activities", {"activity_id": "A1", "contact_id": "C1", "occurred_at": "2025-02-01",
                                      "type": "call", "note": NOTE})
    a = run_checks({"contacts": contacts, "activities": activities}, Policy(), dt.date(2026, 6, 30),
                   rules=["special_category_without_condition"])
    (result,) = a.failed
    (evidence,) = result.evidence
    assert evidence["record_id"] == "C1"
    assert evidence["held_in"] == "activity note"
    assert evidence["note_reveals"] == "health"
    assert "note" not in evidence
    assert _leaks(json.dumps(evidence, ensure_ascii=False)) == [], evidence


# ----------------------------------------------------------------------------------------------------------
# end to end: every output file of check, scan --ropa and assess
# ----------------------------------------------------------------------------------------------------------

CUSTOM = "<img src=x onerror=alert(1)>"
PERSON = {"first_name": "Stanislaw", "last_name": "Wähner", "email": "stanislaw.waehner@gmx.de",
          "phone": "+4915123456789", "iban": "DE89370400440532013000", "national_id": "12345678903",
          "street": "Kowalskistraße 17", "city": "Quedlinburg", "birth_date": "1987-04-13"}
PERSON_RAW = (*RAW, "Kowalskistraße", "Quedlinburg", "1987-04-13", "4915123456789")


@pytest.fixture(scope="module")
def hostile_dataset(tmp_path_factory) -> Path:
    """A small generated dataset whose first contact is PERSON, with NOTE among its activities, a breach
    describing them, and a custom column named like HTML whose values are personal."""
    data = generate(GeneratorConfig(contacts=60, seed=3, as_of=dt.date(2026, 6, 30), profile="typical"))
    folder = write_dataset(data, tmp_path_factory.mktemp("hostile") / "ds")
    contacts = pd.read_csv(folder / "contacts.csv", dtype=str, keep_default_na=False)
    for column, value in PERSON.items():
        contacts.loc[0, column] = value
    contacts.loc[0, "art9_condition"] = ""
    contacts[CUSTOM] = ""
    contacts.loc[0, CUSTOM] = "privat: stanislaw.waehner(at)gmx.de"
    contacts.to_csv(folder / "contacts.csv", index=False)
    activities = pd.read_csv(folder / "activities.csv", dtype=str, keep_default_na=False)
    activities.loc[0, ["contact_id", "note"]] = [contacts.loc[0, "contact_id"], NOTE]
    activities.to_csv(folder / "activities.csv", index=False)
    breaches = pd.read_csv(folder / "breaches.csv", dtype=str, keep_default_na=False)
    for column in ("description", "consequences", "measures"):
        breaches.loc[:, column] = "Laptop von Stanislaw Wähner (stanislaw.waehner@gmx.de) gestohlen"
    breaches.loc[:, "measures"] = ""  # every breach fails a rule that shows these fields
    breaches.to_csv(folder / "breaches.csv", index=False)
    return folder


#: embedded images and fonts (base64), where short raw values like "gmx" occur by chance
_BASE64 = re.compile(r"[A-Za-z0-9+/=]{60,}")


def _outputs(folder: Path) -> dict[Path, str]:
    """Every file under `folder` as text, without its base64 runs."""
    return {p: _BASE64.sub("", p.read_text(encoding="utf-8", errors="replace"))
            for p in folder.rglob("*") if p.is_file()}


def test_check_and_scan_outputs_hold_no_raw_value(hostile_dataset: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    for fmt in ("json", "csv", "table"):
        assert main(["check", str(hostile_dataset), "--format", fmt, "--out", str(out / f"check.{fmt}")]) == 0
    assert main(["scan", str(hostile_dataset), "--format", "json", "--out", str(out / "scan.json"),
                 "--ropa", str(out / "ropa.csv")]) == 0
    assert main(["check", str(hostile_dataset), "--format", "table"]) == 0  # to the terminal
    printed = capsys.readouterr()
    files = _outputs(out)
    assert len(files) == 5
    findings = json.loads(files[out / "check.json"])
    shown = {f["rule_id"] for f in findings["findings"] if f["evidence"]}
    assert {"special_category_without_condition", "breach_record_incomplete"} <= shown  # evidence was shown
    for path, text in [*files.items(), ("stdout", printed.out), ("stderr", printed.err)]:
        assert _leaks(text, PERSON_RAW) == [], path


def _bad_export(hostile_dataset: Path, folder: Path) -> Path:
    """An export (no manifest) of the hostile contacts whose first birth date is an e-mail address."""
    folder.mkdir()
    contacts = pd.read_csv(hostile_dataset / "contacts.csv", dtype=str, keep_default_na=False)
    contacts.loc[0, "birth_date"] = "stanislaw.waehner@gmx.de"  # a value that is no date
    contacts.to_csv(folder / "contacts.csv", index=False)
    return folder


def test_error_messages_show_values_masked(hostile_dataset: Path, tmp_path: Path, capsys) -> None:
    export = _bad_export(hostile_dataset, tmp_path / "export")
    assert main(["check", str(export)]) == 2
    err = capsys.readouterr().err
    assert "birth_date" in err and "row" in err
    assert _leaks(err, PERSON_RAW) == [], err


def test_assess_writes_no_raw_value_to_any_file(hostile_dataset: Path, tmp_path: Path) -> None:
    """One batch: a real run of the assessment notebook and a run that fails on a bad value. Their run.json,
    the index, the executed notebooks, report.html and findings hold no raw value; the custom column's HTML
    name is escaped, never markup."""
    out = tmp_path / "assessed"
    export = _bad_export(hostile_dataset, tmp_path / "export")
    main(["assess", str(hostile_dataset), str(export), "--out", str(out), "--quiet", "-p", "evidence", "5"])
    files = _outputs(out)
    names = {p.name for p in files}
    expected = {"run.json", "report.html", "findings.json", "findings.csv", "crm_assessment.ipynb"}
    assert expected <= names, names
    assert any(n.startswith("index-") and n.endswith(".html") for n in names)
    runs = {json.loads(t)["name"]: json.loads(t) for p, t in files.items() if p.name == "run.json"}
    assert runs["ds"]["status"] == "ok", runs["ds"]
    assert runs["export"]["status"] == "failed" and "birth_date" in runs["export"]["error"], runs["export"]
    for path, text in files.items():
        assert _leaks(text, PERSON_RAW) == [], path
    report = next(t for p, t in files.items() if p.name == "report.html")
    assert "&lt;img src=x onerror=alert(1)&gt;" in report
    assert not re.search(r"<img[^>]*onerror", report)
