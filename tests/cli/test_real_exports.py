"""Real export folders through `gdprlab scan` and `check`: every bad input is one clear message on standard
error naming the file (and row, column or mapping line), never a traceback; a folder is assessed file by
file."""

from __future__ import annotations

import json
import re

import pytest

from gdprlab.cli.main import main

CONTACTS = (
    "Id;FirstName;LastName;Email;Birthdate;CreatedDate\r\n"
    "1;Anna;Muster;anna@example.de;29.03.1982;01.02.2026 10:00:00\r\n"
    "2;Ben;Beispiel;ben@example.de;13.11.1975;15.03.2026 09:30:00\r\n"
)


def _folder(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Contact.csv").write_bytes(b"\xef\xbb\xbf" + CONTACTS.encode("utf-8"))
    return folder


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_check_json_lists_every_file_with_what_was_detected(tmp_path, capsys):
    folder = _folder(tmp_path)
    (folder / "~$Contact.xlsx").write_bytes(b"\x00")
    (folder / "contactless_payment_vendors.csv").write_text("vendor,fee\nAcme,1\n")
    code, out, err = _run(capsys, "check", folder, "--format", "json", "--as-of", "2026-06-30")
    assert code == 0
    files = {f["file"]: f for f in json.loads(out)["files"]}
    assert files["Contact.csv"]["status"] == "read"
    assert (files["Contact.csv"]["delimiter"], files["Contact.csv"]["encoding"]) == (
        "semicolon",
        "UTF-8 with BOM",
    )
    assert files["Contact.csv"]["rows"] == 2 and files["Contact.csv"]["timezone"] == "UTC"
    assert files["~$Contact.xlsx"]["status"] == "skipped"
    assert files["contactless_payment_vendors.csv"]["status"] == "ignored"
    assert "contactless_payment_vendors.csv matches no table" in err


def test_an_unreadable_file_is_listed_the_others_assessed_and_the_exit_is_2(tmp_path, capsys):
    folder = _folder(tmp_path)
    (folder / "Account.xlsx").write_bytes(b"PK\x03\x04 cut off")
    out_file = tmp_path / "findings.json"
    code, _, err = _run(
        capsys, "check", folder, "--format", "json", "--out", out_file, "--as-of", "2026-06-30"
    )
    assert code == 2
    assert "Account.xlsx: cannot be read as an Excel workbook" in err
    findings = json.loads(out_file.read_text())  # the output is written before the exit
    assert [f["status"] for f in findings["files"] if f["file"] == "Account.xlsx"] == ["failed"]
    code, _, _ = _run(capsys, "check", folder, "--keep-going", "--as-of", "2026-06-30")
    assert code == 0


def test_scan_reads_a_tsv_and_refuses_a_yaml_file_in_one_line(tmp_path, capsys):
    (tmp_path / "Contact.tsv").write_text("Id\tGivenName\tSurname\n1\tAnna\tMuster\n")
    code, out, _ = _run(capsys, "scan", tmp_path / "Contact.tsv", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["files"][0]["delimiter"] == "tab"
    assert {c["column"] for c in result["columns"]} == {"Id", "GivenName", "Surname"}
    (tmp_path / "settings.yml").write_text("a: 1\n")
    code, _, err = _run(capsys, "scan", tmp_path / "settings.yml")
    assert code == 2 and "settings.yml: not a table file" in err and len(err.strip().splitlines()) == 1


def test_a_file_with_both_an_export_id_and_the_canonical_key_is_read(tmp_path, capsys):
    (tmp_path / "Contact.csv").write_text("Id,contact_id,Email,email\nX1,1,a@example.com,b@example.com\n")
    code, _, _ = _run(capsys, "check", tmp_path, "--as-of", "2026-06-30")
    assert code == 0


def test_every_personal_column_scan_names_is_mapped_by_check(tmp_path, capsys):
    (tmp_path / "Contact.csv").write_text(
        "Id,GivenName,Surname,TelephoneNumber,Birthday,Email 1\n1,Anna,Muster,+49 30 1234567,1982-03-29,"
        "a@example.com\n"
    )
    from gdprlab.crm.exports import load_export

    _, report = load_export(tmp_path)
    assert set(report.mapped["contacts"].values()) == {
        "contact_id",
        "first_name",
        "last_name",
        "phone",
        "birth_date",
        "email",
    }


@pytest.mark.parametrize(
    "text, message",
    [
        ('Id,Note\n1,"fine"\n2,"cut off inside a quoted', r"Contact\.csv: .*ends inside a quoted field"),
        (
            "Id,Birthdate\n1,03/04/1982\n2,01/02/1990\n",
            r"Contact\.csv: column 'birth_date' has dates that read both day-first and month-first"
            r".*--date-order",
        ),
        (
            "Id,Birthdate\n1,29.03.82\n",
            r"Contact\.csv: column 'birth_date' has 1 date\(s\) with a two-digit year",
        ),
        (
            "Id,Birthdate\n1,29.03.1982\n2,next week\n",
            r"Contact\.csv: column 'birth_date' .* at data row\(s\) 2",
        ),
        ("Id,Email\n1,a@example.com\n1,b@example.com\n", r"key 'contact_id' repeats at data row\(s\) 2"),
    ],
)
def test_a_bad_export_file_is_one_clear_error(tmp_path, capsys, text, message):
    (tmp_path / "Contact.csv").write_text(text)
    code, _, err = _run(capsys, "check", tmp_path, "--as-of", "2026-06-30")
    assert code == 2
    assert re.search(message, err), err
    assert "Anna" not in err and "example.com" not in err and "next week" not in err


def test_the_date_order_option_settles_an_ambiguous_column(tmp_path, capsys):
    (tmp_path / "Contact.csv").write_text("Id,Birthdate\n1,03/04/1982\n")
    code, out, _ = _run(
        capsys, "check", tmp_path, "--as-of", "2026-06-30", "--date-order", "dmy", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["files"][0]["dates"] == {"birth_date": "DD/MM/YYYY (as --date-order says)"}


MAPPINGS = [
    (
        "files:\n  Contact.csv: {table: contacts}\n  Kunden.csv:\n    columns: {contact_id: Nr}\n",
        "line 3: Kunden.csv matches no table by its name; say which with table:",
    ),
    (
        "files:\n  Contact.csv:\n    table: contacts\n    columns:\n      first_name: [FirstName, Vorname]\n",
        "line 5: files.Contact.csv.columns.first_name must be one header",
    ),
    ("files:\n  Contact.csv:\n    table: contacts\n    colums: {}\n", "line 4: unknown key 'colums'"),
    ("files:\n  Lead.csv: {table: contacts}\n", "line 2: file 'Lead.csv' is not in"),
    (
        "files:\n  Contact.csv:\n    table: contacts\n    columns:\n      first_name: FirstName\n"
        "      last_name: FirstName\n",
        "line 6: header 'FirstName' is mapped to both 'first_name' and 'last_name'",
    ),
    (
        "files:\n  Contact.csv:\n    table: contacts\n    columns:\n      first_name: FirstName\n"
        "      first_name: LastName\n",
        "line 6: 'first_name' is given twice",
    ),
    ("files:\n  Contact.csv: {table: customers}\n", "line 2: unknown table 'customers'"),
    (
        "files:\n  Contact.csv: {table: contacts, columns: {mail: Email}}\n",
        "line 2: files.Contact.csv.columns: unknown column 'mail'",
    ),
    ("date_order: ymd\nfiles: {}\n", "line 1: date_order must be dmy"),
    ("files: [Contact.csv]\n", "line 1: files must be a mapping"),
    ("files:\n  Contact.csv: {table: contacts\n", "not valid YAML"),
]


@pytest.mark.parametrize("yaml_text, message", MAPPINGS)
def test_a_broken_mapping_names_its_line(tmp_path, capsys, yaml_text, message):
    folder = _folder(tmp_path)
    (folder / "Kunden.csv").write_text("Nr\nK1\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(yaml_text)
    code, _, err = _run(capsys, "check", folder, "--mapping", mapping, "--as-of", "2026-06-30")
    assert code == 2
    assert message in err, err


def test_a_mapping_keyed_by_file_feeds_one_table_from_several_files(tmp_path, capsys):
    folder = _folder(tmp_path)
    (folder / "Interessenten.csv").write_text("Nr,Vorname\nL1,Carla\nL2,Dora\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "files:\n  Contact.csv: {table: contacts}\n"
        "  Interessenten.csv:\n    table: contacts\n    columns: {contact_id: Nr}\n"
    )
    from gdprlab.crm.exports import load_export

    tables, report = load_export(folder, mapping)
    assert list(tables["contacts"]["contact_id"]) == ["1", "2", "L1", "L2"]
    assert report.source_of("contacts", ["2", "L1"]) == {
        "2": "Contact.csv",
        "L1": "Interessenten.csv",
    }


def test_an_unknown_time_zone_is_one_error(tmp_path, capsys):
    code, _, err = _run(capsys, "check", _folder(tmp_path), "--timezone", "Mars/Olympus")
    assert code == 2 and "unknown time zone 'Mars/Olympus'" in err


def test_findings_and_evidence_name_the_file_their_records_came_from(tmp_path, capsys):
    import datetime as dt

    from gdprlab.generator import GeneratorConfig, generate

    contacts = generate(GeneratorConfig(contacts=200, seed=5, as_of=dt.date(2026, 6, 30))).tables["contacts"]
    folder = tmp_path / "export"
    folder.mkdir()
    contacts.iloc[:120].to_csv(folder / "Contact.csv", index=False)
    contacts.iloc[120:].to_csv(folder / "contacts_2.csv", index=False)
    second = set(contacts.iloc[120:]["contact_id"])
    code, out, _ = _run(capsys, "check", folder, "--format", "json", "--as-of", "2026-06-30")
    assert code == 0
    findings = [f for f in json.loads(out)["findings"] if f["table"] == "contacts" and f["evidence"]]
    assert findings
    for finding in findings:
        assert set(finding["source_files"]) <= {"Contact.csv", "contacts_2.csv"}
        for record in finding["evidence"]:
            expected = "contacts_2.csv" if record["record_id"] in second else "Contact.csv"
            assert record["source_file"] == expected


def test_the_mapping_settles_date_order_per_file_and_the_time_zone(tmp_path):
    from gdprlab.crm.exports import load_export

    (tmp_path / "Contact.csv").write_text("Id,Birthdate,CreatedDate\n1,03/04/1982,03/04/2026 10:00\n")
    (tmp_path / "Lead.csv").write_text("Id,Birthdate\nL1,03/04/1982\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "timezone: Europe/Berlin\nfiles:\n  Contact.csv: {date_order: mdy}\n"
        "  Lead.csv: {table: contacts, date_order: dmy}\n"
    )
    tables, report = load_export(tmp_path, mapping)
    contacts = tables["contacts"].set_index("contact_id")
    assert str(contacts.loc["1", "birth_date"].date()) == "1982-03-04"
    assert str(contacts.loc["L1", "birth_date"].date()) == "1982-04-03"
    assert str(contacts.loc["1", "created_at"]) == "2026-03-04 09:00:00"  # 10:00 in Berlin is 09:00 UTC
    assert {d.name: d.timezone for d in report.read}["Contact.csv"] == "Europe/Berlin"
