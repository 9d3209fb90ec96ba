"""Real CRM exports load into gdprlab's tables: conventions recognised, nothing dropped, errors named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gdprlab.crm.conventions import column_map, table_for
from gdprlab.crm.exports import load, load_export
from gdprlab.crm.io import DatasetError

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"


def _realdata(name: str) -> Path:
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} not found (../shared/realdata is absent outside the team's machines)")
    return path


@pytest.mark.parametrize(
    "stem, table",
    [
        ("Contact", "contacts"),
        ("Lead", "contacts"),
        ("hubspot-crm-exports-all-contacts-2024-05-01", "contacts"),
        ("Account", "accounts"),
        ("companies", "accounts"),
        ("contacts", "contacts"),
        ("random_stuff", None),
    ],
)
def test_file_names_are_matched_to_tables(stem, table):
    assert table_for(stem) == table


@pytest.mark.parametrize(
    "headers, expected",
    [
        (
            ["FirstName", "LastName", "MailingStreet", "Birthdate", "HasOptedOutOfEmail"],  # Salesforce
            {
                "FirstName": "first_name",
                "LastName": "last_name",
                "MailingStreet": "street",
                "Birthdate": "birth_date",
                "HasOptedOutOfEmail": "email_opt_out",
            },
        ),
        (
            ["email", "hs_legal_basis", "hs_email_optout"],  # HubSpot API
            {"email": "email", "hs_legal_basis": "lawful_basis", "hs_email_optout": "email_opt_out"},
        ),
        (
            ["Email", "Phone Number", "First Name"],  # HubSpot UI export
            {"Email": "email", "Phone Number": "phone", "First Name": "first_name"},
        ),
        (
            ["emailaddress1", "donotbulkemail", "birthdate", "telephone1"],  # Dynamics 365
            {
                "emailaddress1": "email",
                "donotbulkemail": "email_opt_out",
                "birthdate": "birth_date",
                "telephone1": "phone",
            },
        ),
    ],
)
def test_crm_conventions_map_to_canonical_columns(headers, expected):
    assert column_map("contacts", headers) == expected


def test_salesforce_contact_fields_cover_the_personal_basics():
    fields = pd.read_csv(_realdata("salesforce_Contact_describe_fields.csv"))["name"].tolist()
    mapped = set(column_map("contacts", fields).values())
    assert {
        "contact_id",
        "account_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "street",
        "postal_code",
        "city",
        "country",
        "birth_date",
        "created_at",
        "last_activity_at",
        "individual_id",
    } <= mapped


def test_a_datablist_export_loads_with_every_column_kept(tmp_path):
    src = pd.read_csv(_realdata("datablist_customers-100.csv"), dtype=str)
    src.to_csv(tmp_path / "customers.csv", index=False)
    tables, report = load(tmp_path)
    contacts = tables["contacts"]
    assert len(contacts) == len(src) == 100
    assert {"contact_id", "first_name", "last_name", "email", "phone", "created_at"} <= set(contacts.columns)
    assert {"Company", "Phone 2", "Website", "Index"} <= set(contacts.columns)  # kept, not dropped
    assert pd.api.types.is_datetime64_any_dtype(contacts["created_at"])
    assert "requests" in report.missing_tables()


def test_excel_exports_load_each_sheet_as_its_table(tmp_path):
    with pd.ExcelWriter(tmp_path / "crm.xlsx") as xl:
        pd.DataFrame({"Id": ["003A", "003B"], "Email": ["a@example.com", "b@example.com"]}).to_excel(
            xl, sheet_name="Contact", index=False
        )
        pd.DataFrame({"Id": ["001A"], "Name": ["Acme GmbH"], "Industry": ["retail"]}).to_excel(
            xl, sheet_name="Account", index=False
        )
    tables, _ = load_export(tmp_path)
    assert list(tables["contacts"]["email"]) == ["a@example.com", "b@example.com"]
    assert tables["accounts"].loc[0, "name"] == "Acme GmbH"


def test_a_mapping_file_names_files_and_columns(tmp_path):
    pd.DataFrame({"Kundennr": ["K1"], "Vorname": ["Anna"], "Mail": ["anna@example.de"]}).to_csv(
        tmp_path / "export_2024.csv", index=False
    )
    (tmp_path / "map.yaml").write_text(
        "tables:\n  contacts:\n    file: export_2024.csv\n    columns:\n      contact_id: Kundennr\n"
        "      email: Mail\n"
    )
    tables, report = load(tmp_path, tmp_path / "map.yaml")
    assert list(tables["contacts"].columns) == ["contact_id", "first_name", "email"]
    assert report.mapped["contacts"]["Mail"] == "email"


@pytest.mark.parametrize(
    "yaml_text, message",
    [
        ("tables:\n  customers: {file: a.csv}\n", "unknown table 'customers'"),
        ("tables:\n  contacts: {file: a.csv, columns: {mail: Mail}}\n", "unknown column"),
        ("nothing: here\n", "tables:"),
    ],
)
def test_a_broken_mapping_file_is_named(tmp_path, yaml_text, message):
    (tmp_path / "map.yaml").write_text(yaml_text)
    (tmp_path / "a.csv").write_text("Id\n1\n")
    with pytest.raises(DatasetError, match=message):
        load_export(tmp_path, tmp_path / "map.yaml")


def test_a_bad_date_names_file_column_and_row(tmp_path):
    (tmp_path / "Contact.csv").write_text("Id,Birthdate\n1,1980-01-02\n2,31.02.1981\n")
    with pytest.raises(DatasetError, match=r"Contact\.csv.*birth_date.*row\(s\) 2"):
        load_export(tmp_path)


def test_a_table_without_a_key_says_how_to_map_one(tmp_path):
    (tmp_path / "Contact.csv").write_text("Email\na@example.com\n")
    with pytest.raises(DatasetError, match="mapping file"):
        load_export(tmp_path)


def test_duplicate_keys_are_refused(tmp_path):
    (tmp_path / "Contact.csv").write_text("Id,Email\n1,a@example.com\n1,b@example.com\n")
    with pytest.raises(DatasetError, match="repeats at data row"):
        load_export(tmp_path)


def test_an_export_in_windows_1252_is_read_with_a_warning(tmp_path):
    (tmp_path / "Contact.csv").write_bytes("Id,LastName\n1,Müller\n2,Ørsted €\n".encode("cp1252"))
    tables, report = load_export(tmp_path)
    assert list(tables["contacts"]["last_name"]) == ["Müller", "Ørsted €"]
    assert "Windows-1252" in report.read[0].warnings[0]


def test_a_salesforce_export_with_a_byte_order_mark_keeps_its_first_header(tmp_path):
    text = "\ufeffId,LastName,Email\n1,Müller,a@example.com\n"
    (tmp_path / "Contact.csv").write_text(text, encoding="utf-8")
    contact = load_export(tmp_path)[0]["contacts"].iloc[0]
    assert (contact["contact_id"], contact["last_name"]) == ("1", "Müller")


def test_leads_are_contacts_with_status_lead(tmp_path):
    (tmp_path / "Lead.csv").write_text("Id,Email\n00Q1,a@example.com\n")
    tables, _ = load_export(tmp_path)
    assert tables["contacts"].loc[0, "status"] == "lead"


def test_files_matching_no_table_are_reported_not_guessed(tmp_path):
    (tmp_path / "Contact.csv").write_text("Id\n1\n")
    (tmp_path / "quarterly_numbers.csv").write_text("q,x\n1,2\n")
    _, report = load_export(tmp_path)
    assert report.ignored == ["quarterly_numbers.csv"]


def test_a_generated_dataset_is_read_strictly(tmp_path):
    import datetime as dt

    from gdprlab.generator import GeneratorConfig, generate, write_dataset

    out = write_dataset(
        generate(GeneratorConfig(contacts=50, seed=1, as_of=dt.date(2026, 6, 30))), tmp_path / "d"
    )
    tables, report = load(out)
    assert set(tables) == {
        "accounts",
        "contacts",
        "consents",
        "activities",
        "requests",
        "breaches",
        "staff",
        "training",
        "record_of_processing",
        "policies",
        "recipients",
        "decisions",
    }
    assert report.missing_tables() == []


def test_a_spreadsheets_whole_numbers_and_checkboxes_are_read_in_an_export_only():
    from gdprlab.crm.io import ExportValues, convert

    export = ExportValues({})
    scores = convert(pd.Series(["12,0", "3.00", "7"]), "int", Path("x.csv"), "score", export)
    assert list(scores) == [12, 3, 7]
    assert list(convert(pd.Series(["WAHR", "0", "Yes"]), "bool", Path("x.csv"), "flag", export)) == [
        True, False, True]
    with pytest.raises(DatasetError, match="True or False"):  # a generated dataset is read strictly
        convert(pd.Series(["WAHR"]), "bool", Path("x.csv"), "flag")
