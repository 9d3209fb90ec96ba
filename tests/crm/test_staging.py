"""Staging: gdprlab's tables as relations the engine reads itself, from a dataset folder or Fivetran's tables.

A staged dataset must hold exactly what read_dataset gives (the checks were measured on that), and fail where
read_dataset fails, with its message. Fivetran's Salesforce and HubSpot tables are built here in DuckDB in the
shape the connectors write them (documented by Fivetran's dbt source packages), soft-deleted rows included.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gdprlab.audit.engine import run_checks
from gdprlab.crm.backends import EngineError, connect
from gdprlab.crm.io import DatasetError, read_as_of, read_dataset, read_policy
from gdprlab.crm.schema import TABLES
from gdprlab.crm.staging import stage_dataset, stage_fivetran

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


@pytest.fixture
def duckdb():
    return connect("duckdb", threads=1)


def records(df: pd.DataFrame, key: str) -> list[dict]:
    """Rows sorted by key, with every kind of missing value as None and dates as Timestamps, so frames
    that differ only in dtypes (datetime units, Int64 or int64, date objects) compare equal."""
    def plain(value):
        if pd.api.types.is_scalar(value) and pd.isna(value):
            return None
        if isinstance(value, dt.date):
            return pd.Timestamp(value)
        return value.item() if hasattr(value, "item") else value
    return [{c: plain(v) for c, v in row.items()} for row in df.sort_values(key).to_dict("records")]


def staged_records(backend, folder: Path) -> dict[str, list[dict]]:
    return {name: records(backend.execute(view), TABLES[name].key)
            for name, view in stage_dataset(folder, backend).items()}


def read_records(folder: Path) -> dict[str, list[dict]]:
    return {name: records(df, TABLES[name].key) for name, df in read_dataset(folder).items()}


def write(folder: Path, name: str, *rows: dict[str, str]) -> Path:
    """`<name>.csv` with every schema column (empty unless given) and any extra ones the rows name."""
    columns = list(dict.fromkeys([*TABLES[name].column_names, *(c for row in rows for c in row)]))
    path = folder / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(columns)
        out.writerows([row.get(c, "") for c in columns] for row in rows)
    return path


def staged_error(backend, folder: Path) -> str:
    with pytest.raises(DatasetError) as staged:
        stage_dataset(folder, backend)
    return str(staged.value)


def read_error(folder: Path) -> str:
    with pytest.raises(DatasetError) as read:
        read_dataset(folder)
    return str(read.value)


# ---------------------------------------------------------------------------------------------------------
# a dataset folder: the same values as read_dataset
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("folder", ["sample", "typical_dir", "messy_parquet_dir"])
def test_staged_tables_equal_read_dataset(duckdb, request, folder):
    folder = SAMPLE if folder == "sample" else request.getfixturevalue(folder)
    staged, read = staged_records(duckdb, folder), read_records(folder)
    assert list(staged) == list(read)
    for name in read:
        assert staged[name] == read[name], name


def test_duckdb_parses_a_csv_once_when_staging_not_again_in_every_query(duckdb, tmp_path):
    path = write(tmp_path, "contacts", {"contact_id": "C1", "created_at": "2026-01-01T10:00:00Z"})
    contacts = stage_dataset(tmp_path, duckdb)["contacts"]
    path.write_text("not,the,file\nthat,was,staged\n", encoding="utf-8")  # a view of the file reads this
    assert duckdb.execute(contacts.select("contact_id", "created_at")).to_dict("records") == [
        {"contact_id": "C1", "created_at": pd.Timestamp("2026-01-01 10:00:00")}]
    path.unlink()
    assert duckdb.execute(contacts.count()) == 1
    assert [c for c in contacts.columns if c.startswith("_")] == []  # the flags of unconverted values


def test_a_csv_column_may_have_any_name_the_staging_uses_for_itself(duckdb, tmp_path):
    write(tmp_path, "contacts", {"contact_id": "C1", "created_at": "2026-01-01", "_unconverted_0": "x",
                                 "gdprlab_staged_contacts": "y", 'a "quoted" name': "z", "=HYPERLINK()": "w"})
    [row] = staged_records(duckdb, tmp_path)["contacts"]
    assert (row["_unconverted_0"], row["gdprlab_staged_contacts"]) == ("x", "y")
    assert (row['a "quoted" name'], row["=HYPERLINK()"]) == ("z", "w")
    assert staged_records(duckdb, tmp_path) == read_records(tmp_path)


def test_a_csv_refused_leaves_no_table_in_the_engine(duckdb, tmp_path):
    write(tmp_path, "contacts", {"contact_id": "C1", "created_at": "yesterday"})
    assert "not ISO 8601 timestamps" in staged_error(duckdb, tmp_path)
    assert duckdb.con.sql("SELECT table_name FROM duckdb_tables()").fetchall() == []


def test_the_checks_find_the_samples_planted_violations_in_its_staged_tables(duckdb):
    staged = stage_dataset(SAMPLE, duckdb)
    assessment = run_checks(staged, read_policy(SAMPLE), read_as_of(SAMPLE), backend=duckdb)
    truth = pd.read_csv(SAMPLE / "ground_truth.csv", dtype=str, keep_default_na=False)
    found = assessment.violations()
    assert sorted(map(tuple, found.to_numpy().tolist())) == sorted(map(tuple, truth.to_numpy().tolist()))
    assert assessment.not_assessed == []


def test_staged_columns_have_schema_types_and_extra_columns_stay_text(duckdb):
    contacts = stage_dataset(SAMPLE, duckdb)["contacts"]
    types = {c.name: c.dtype for c in TABLES["contacts"].columns}
    expected = {"str": "string", "date": "date", "datetime": "timestamp", "bool": "boolean"}
    # a timestamp kept in a DuckDB table says its precision, microseconds: "timestamp(6)"
    assert {c: str(contacts[c].type()).removesuffix("(6)") for c in types} == {
        c: expected[t] for c, t in types.items()}
    assert str(contacts["annual_income"].type()) == "string"


def test_text_stays_as_written_and_empty_is_missing(duckdb, tmp_path):
    write(tmp_path, "contacts", {"contact_id": "C1", "phone": "004930123456", "postal_code": "01067",
                                 "last_name": "NA", "first_name": 'Anna, "Anni"', "street": "Line 1\nLine 2",
                                 "hobbies": " "})
    [row] = staged_records(duckdb, tmp_path)["contacts"]
    assert (row["phone"], row["postal_code"], row["last_name"]) == ("004930123456", "01067", "NA")
    assert (row["first_name"], row["street"], row["hobbies"]) == ('Anna, "Anni"', "Line 1\nLine 2", " ")
    assert row["email"] is None and row["birth_date"] is None
    assert staged_records(duckdb, tmp_path) == read_records(tmp_path)


def test_timestamps_become_naive_utc_and_dates_booleans_numbers_convert(duckdb, tmp_path):
    write(tmp_path, "breaches",
          {"breach_id": "B1", "aware_at": "2026-01-01T10:00:00Z", "subjects_affected": "120",
           "notified_authority_at": "2026-01-03T12:00:00+02:00"},
          {"breach_id": "B2", "aware_at": "2026-02-01 08:30:00.250", "subjects_affected": "-3",
           "notified_authority_at": "2026-02-01T23:30:00-01:30"},
          {"breach_id": "B3", "aware_at": "2026-3-1", "subjects_affected": "+7"})
    write(tmp_path, "training",
          {"training_id": "T1", "completed_on": "2026-01-10", "score": "90", "passed": "True"},
          {"training_id": "T2", "completed_on": "2026-1-9", "score": "007", "passed": "false"},
          {"training_id": "T3"})
    staged = staged_records(duckdb, tmp_path)
    breaches = staged["breaches"]
    assert [(r["aware_at"], r["notified_authority_at"], r["subjects_affected"]) for r in breaches] == [
        (pd.Timestamp("2026-01-01 10:00"), pd.Timestamp("2026-01-03 10:00"), 120),
        (pd.Timestamp("2026-02-01 08:30:00.25"), pd.Timestamp("2026-02-02 01:00"), -3),
        (pd.Timestamp("2026-03-01"), None, 7)]
    assert [(r["completed_on"], r["score"], r["passed"]) for r in staged["training"]] == [
        (pd.Timestamp("2026-01-10"), 90, True), (pd.Timestamp("2026-01-09"), 7, False), (None, None, None)]
    assert staged == read_records(tmp_path)


def test_parquet_booleans_in_a_text_column_read_as_python_writes_them(duckdb, tmp_path):
    frame = pd.DataFrame({name: [None] for name in TABLES["training"].column_names})
    frame = frame.assign(training_id=["T1"], email_opt_out=[True]).astype({"training_id": "str"})
    frame.to_parquet(tmp_path / "training.parquet")
    assert staged_records(duckdb, tmp_path)["training"][0]["email_opt_out"] == "True"
    assert staged_records(duckdb, tmp_path) == read_records(tmp_path)


@pytest.mark.parametrize("row_group_size", [2, 10])
def test_empty_text_in_parquet_is_missing_and_other_columns_are_read_bare(duckdb, tmp_path, row_group_size):
    """Parquet text with no empty value (its statistics prove it) is staged as the file's column itself, so
    that the engine pushes the checks' filters into its reader; a column holding '' (here in the last row
    group only) still reads it as missing, as read_dataset does."""
    frame = pd.DataFrame({name: [None] * 4 for name in TABLES["contacts"].column_names}).astype(object)
    frame = frame.assign(contact_id=["C1", "C2", "C3", "C4"], email=["a@x.eu", None, "b@x.eu", ""],
                         phone=[None, "+4930123456", None, "+4930654321"])
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "contacts.parquet",
                   row_group_size=row_group_size)
    contacts = stage_dataset(tmp_path, duckdb)["contacts"]
    sql = ibis.to_sql(contacts.filter(contacts["phone"] == "x"), dialect="duckdb")
    assert 'NULLIF("t0"."email"' in sql and 'NULLIF("t0"."phone"' not in sql
    assert 'NULLIF("t0"."contact_id"' not in sql
    emails = [r["email"] for r in staged_records(duckdb, tmp_path)["contacts"]]
    assert emails == ["a@x.eu", None, "b@x.eu", None]
    assert staged_records(duckdb, tmp_path) == read_records(tmp_path)


def test_text_columns_of_a_parquet_file_without_statistics_are_checked_for_empty_text(duckdb, tmp_path):
    frame = pd.DataFrame({name: [None] * 2 for name in TABLES["staff"].column_names}).astype(object)
    frame = frame.assign(staff_id=["S1", "S2"], name=["", "Ann Lee"])
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "staff.parquet",
                   write_statistics=False)
    assert [r["name"] for r in staged_records(duckdb, tmp_path)["staff"]] == [None, "Ann Lee"]
    assert staged_records(duckdb, tmp_path) == read_records(tmp_path)


# ---------------------------------------------------------------------------------------------------------
# a dataset folder: read_dataset's errors
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("column", "value"), [
    ("birth_date", "31.12.1990"),         # not YYYY-MM-DD
    ("birth_date", "1990-12-31T00:00:00"),  # a timestamp is no date (the engine's cast would take it)
    ("birth_date", "1990-02-30"),
    ("created_at", "2024-05-03T24:00:00Z"),  # the engine's cast would read the next day
    ("created_at", "2024-05-03T14:22:05 UTC"),
    ("created_at", "yesterday"),
])
def test_a_value_that_does_not_convert_fails_with_read_datasets_error(duckdb, tmp_path, column, value):
    write(tmp_path, "contacts", {"contact_id": "C1", column: value})
    message = staged_error(duckdb, tmp_path)
    assert message == read_error(tmp_path)
    assert f"{tmp_path / 'contacts.csv'}: column {column!r} has 1 value(s)" in message
    assert "data row(s) 1 " in message


@pytest.mark.parametrize(("column", "value"), [("score", "1.0"), ("score", " 4"), ("passed", "TRUE"),
                                               ("passed", "1"), ("passed", "yes")])
def test_numbers_and_booleans_are_as_strict_as_read_dataset(duckdb, tmp_path, column, value):
    write(tmp_path, "training", {"training_id": "T1", column: value})
    assert staged_error(duckdb, tmp_path) == read_error(tmp_path)


def test_an_error_never_shows_the_value_only_how_it_is_written(duckdb, tmp_path):
    write(tmp_path, "contacts", {"contact_id": "C1", "birth_date": "Geheim-1990"})
    error = staged_error(duckdb, tmp_path)
    assert "Geheim" not in error and "1990" not in error and "'Xxxxxx-9999'" in error


def test_a_spelling_only_the_pandas_reader_takes_fails_without_showing_it(duckdb, tmp_path):
    write(tmp_path, "contacts", {"contact_id": "C1", "created_at": "20240503T142205Z"})  # ISO basic format
    assert read_dataset(tmp_path)["contacts"]["created_at"].iloc[0] == pd.Timestamp("2024-05-03 14:22:05")
    message = staged_error(duckdb, tmp_path)
    assert "contacts.csv" in message and "'created_at'" in message and "ISO 8601" in message
    assert "20240503" not in message


def test_a_missing_schema_column_fails_with_read_datasets_error(duckdb, tmp_path):
    (tmp_path / "requests.csv").write_text("request_id,contact_id,type\nR1,C1,access\n", encoding="utf-8")
    message = staged_error(duckdb, tmp_path)
    assert message == read_error(tmp_path)
    assert "missing column(s) received_on" in message


POLICIES = ",".join(TABLES["policies"].column_names) + "\n"


@pytest.mark.parametrize("row", ['P1,"unclosed,,,', "P1,a,b,c,2026-01-01,more,fields"])
def test_a_file_the_engine_cannot_parse_fails_with_read_datasets_error(duckdb, tmp_path, row):
    (tmp_path / "policies.csv").write_text(POLICIES + row + "\n", encoding="utf-8")
    assert staged_error(duckdb, tmp_path) == read_error(tmp_path)


def test_a_row_shorter_than_the_header_is_refused_though_pandas_would_pad_it(duckdb, tmp_path):
    (tmp_path / "policies.csv").write_text(POLICIES + "P1,privacy_notice\n", encoding="utf-8")
    assert len(read_dataset(tmp_path)["policies"]) == 1
    message = staged_error(duckdb, tmp_path)
    assert message.startswith(f"{tmp_path / 'policies.csv'}: the engine found an error of its reader")
    assert "privacy_notice" not in message


def test_a_table_in_two_formats_or_a_missing_folder_fails_as_read_dataset_does(duckdb, tmp_path):
    write(tmp_path, "policies", {"policy_id": "P1"})
    pd.DataFrame({"policy_id": ["P1"]}).to_parquet(tmp_path / "policies.parquet")
    assert staged_error(duckdb, tmp_path) == read_error(tmp_path)
    assert staged_error(duckdb, tmp_path / "nowhere") == read_error(tmp_path / "nowhere")


def test_staging_and_running_write_nothing_into_the_folder(duckdb, typical_dir):
    def listing():
        return {(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in os.scandir(typical_dir)}
    before = listing()
    for view in stage_dataset(typical_dir, duckdb).values():
        duckdb.execute(view.count())
    assert listing() == before


def test_only_duckdb_and_spark_read_dataset_files():
    class Warehouse:
        name = "snowflake"
    with pytest.raises(EngineError, match="snowflake engine cannot read dataset files"):
        stage_dataset(SAMPLE, Warehouse())


def test_pyspark_stages_the_sample_as_duckdb_does(spark_backend, duckdb):
    assert staged_records(spark_backend, SAMPLE) == staged_records(duckdb, SAMPLE)


# ---------------------------------------------------------------------------------------------------------
# Fivetran: Salesforce
# ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def salesforce(duckdb):
    """Fivetran's Salesforce schema: snake-case API names; is_deleted, _fivetran_deleted, _fivetran_active."""
    duckdb.raw_sql("""
    CREATE SCHEMA salesforce;
    CREATE TABLE salesforce.contact (id VARCHAR, account_id VARCHAR, first_name VARCHAR, last_name VARCHAR,
      email VARCHAR, phone VARCHAR, mailing_street VARCHAR, mailing_city VARCHAR, mailing_country VARCHAR,
      birthdate DATE, has_opted_out_of_email BOOLEAN, created_date TIMESTAMPTZ, last_activity_date DATE,
      title VARCHAR, is_deleted BOOLEAN, _fivetran_active BOOLEAN, _fivetran_deleted BOOLEAN,
      _fivetran_synced TIMESTAMPTZ);
    INSERT INTO salesforce.contact VALUES
      ('003A', '001A', 'Anna', 'Schmidt', 'anna@example.de', '+4930123456', 'Hauptstr. 1', 'Berlin',
       'Germany', '1980-02-29', true, '2024-03-01 10:00:00+01:00', '2025-01-02', 'CFO', false, true, false,
       now()),
      ('003B', NULL, 'Bo', 'Berg', NULL, NULL, NULL, NULL, 'Sweden', NULL, NULL, '2024-03-01 10:00:00-05:00',
       NULL, NULL, NULL, NULL, NULL, now()),
      ('003D', NULL, 'Deleted', 'InSalesforce', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       true, true, false, now()),
      ('003F', NULL, 'Deleted', 'ByFivetran', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       false, true, true, now()),
      ('003A', '001A', 'Anna', 'Old-Version', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       false, false, false, now());
    CREATE TABLE salesforce.lead (id VARCHAR, first_name VARCHAR, last_name VARCHAR, email VARCHAR,
      country VARCHAR, status VARCHAR, has_opted_out_of_email BOOLEAN, is_converted BOOLEAN,
      is_deleted BOOLEAN, created_date TIMESTAMPTZ, _fivetran_deleted BOOLEAN);
    INSERT INTO salesforce.lead VALUES
      ('00QA', 'Dee', 'Lo', 'dee@example.it', 'Italy', 'Open - Not Contacted', false, false, false,
       '2023-12-31 23:30:00-01:00', NULL),
      ('00QC', 'Anna', 'Schmidt', 'anna@example.de', 'Germany', 'Qualified', false, true, false,
       '2023-01-01 00:00:00+00:00', false);
    CREATE TABLE salesforce.account (id VARCHAR, name VARCHAR, billing_country VARCHAR, industry VARCHAR,
      website VARCHAR, created_date TIMESTAMPTZ, is_deleted BOOLEAN);
    INSERT INTO salesforce.account VALUES ('001A', 'Acme GmbH', 'Germany', 'Retail', 'acme.example',
      '2020-06-30 22:00:00-02:00', false), ('001Z', 'Gone AG', NULL, NULL, NULL, NULL, true);
    CREATE TABLE salesforce.task (id VARCHAR, who_id VARCHAR, owner_id VARCHAR, task_subtype VARCHAR,
      type VARCHAR, activity_date DATE, completed_date_time TIMESTAMPTZ, created_date TIMESTAMPTZ,
      description VARCHAR, is_deleted BOOLEAN);
    INSERT INTO salesforce.task VALUES
      ('00TA', '003A', '005A', 'Call', 'Call', '2025-01-02', '2025-01-02 09:30:00+01:00',
       '2025-01-01 00:00:00+00:00', 'Rückruf wegen Angebot', false),
      ('00TB', '00QA', '005A', NULL, NULL, '2025-01-03', NULL, '2025-01-01 00:00:00+00:00', NULL, false),
      ('00TD', '003A', '005A', 'Email', NULL, NULL, NULL, '2025-01-01 00:00:00+00:00', NULL, true);
    CREATE TABLE salesforce.event (id VARCHAR, who_id VARCHAR, owner_id VARCHAR, start_date_time TIMESTAMPTZ,
      description VARCHAR, is_deleted BOOLEAN);
    INSERT INTO salesforce.event VALUES ('00UA', '003A', '005A', '2025-02-01 15:00:00+01:00', 'Demo', false);
    CREATE TABLE salesforce.user (id VARCHAR, name VARCHAR, email VARCHAR, department VARCHAR,
      is_active BOOLEAN, _fivetran_deleted BOOLEAN);
    INSERT INTO salesforce.user VALUES ('005A', 'Ute Vogel', 'ute@corp.example', 'Sales', true, false),
      ('005D', 'Ex User', NULL, NULL, false, true);
    """)
    return stage_fivetran(duckdb, "salesforce", database="salesforce")


def rows_of(backend, table: ir.Table) -> list[dict]:
    return records(backend.execute(table), table.columns[0])


def test_salesforce_contacts_come_from_contacts_and_unconverted_leads(duckdb, salesforce):
    contacts = salesforce["contacts"]
    assert contacts.columns == ("contact_id", "account_id", "country", "first_name", "last_name", "email",
                                "phone", "street", "city", "birth_date", "status", "created_at",
                                "last_activity_at", "email_opt_out")
    assert rows_of(duckdb, contacts) == [
        {"contact_id": "003A", "account_id": "001A", "country": "Germany", "first_name": "Anna",
         "last_name": "Schmidt", "email": "anna@example.de", "phone": "+4930123456", "street": "Hauptstr. 1",
         "city": "Berlin", "birth_date": pd.Timestamp("1980-02-29"), "status": None,
         "created_at": pd.Timestamp("2024-03-01 09:00"), "last_activity_at": pd.Timestamp("2025-01-02"),
         "email_opt_out": True},
        {"contact_id": "003B", "account_id": None, "country": "Sweden", "first_name": "Bo",
         "last_name": "Berg", "email": None, "phone": None, "street": None, "city": None, "birth_date": None,
         "status": None, "created_at": pd.Timestamp("2024-03-01 15:00"), "last_activity_at": None,
         "email_opt_out": None},
        {"contact_id": "00QA", "account_id": None, "country": "Italy", "first_name": "Dee", "last_name": "Lo",
         "email": "dee@example.it", "phone": None, "street": None, "city": None, "birth_date": None,
         "status": "lead", "created_at": pd.Timestamp("2024-01-01 00:30"), "last_activity_at": None,
         "email_opt_out": False},
    ]


def test_salesforce_columns_no_table_has_are_left_out_so_checks_report_them(salesforce):
    absent = {"national_id", "iban", "accessibility_needs", "postal_code"}
    assert absent.isdisjoint(salesforce["contacts"].columns)
    assert "title" not in salesforce["contacts"].columns  # nor are connector columns of no canonical meaning


def test_salesforce_accounts_activities_and_staff(duckdb, salesforce):
    assert rows_of(duckdb, salesforce["accounts"]) == [
        {"account_id": "001A", "name": "Acme GmbH", "country": "Germany", "industry": "Retail",
         "website": "acme.example", "created_at": pd.Timestamp("2020-07-01 00:00")}]
    assert rows_of(duckdb, salesforce["activities"]) == [
        {"activity_id": "00TA", "contact_id": "003A", "staff_id": "005A", "type": "call",
         "occurred_at": pd.Timestamp("2025-01-02 08:30"), "note": "Rückruf wegen Angebot"},
        {"activity_id": "00TB", "contact_id": "00QA", "staff_id": "005A", "type": "task",
         "occurred_at": pd.Timestamp("2025-01-03"), "note": None},
        {"activity_id": "00UA", "contact_id": "003A", "staff_id": "005A", "type": "meeting",
         "occurred_at": pd.Timestamp("2025-02-01 14:00"), "note": "Demo"}]
    assert rows_of(duckdb, salesforce["staff"]) == [
        {"staff_id": "005A", "name": "Ute Vogel", "email": "ute@corp.example", "department": "Sales"}]
    assert set(salesforce) == {"contacts", "accounts", "activities", "staff"}


# ---------------------------------------------------------------------------------------------------------
# Fivetran: HubSpot
# ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def hubspot(duckdb):
    """Fivetran's HubSpot schema: properties as property_<name>, engagements with their details."""
    duckdb.raw_sql("""
    CREATE TABLE contact (id BIGINT, property_email VARCHAR, property_firstname VARCHAR,
      property_lastname VARCHAR, property_phone VARCHAR, property_country VARCHAR,
      property_hs_legal_basis VARCHAR, property_createdate TIMESTAMPTZ, property_lastmodifieddate TIMESTAMPTZ,
      _fivetran_deleted BOOLEAN, _fivetran_synced TIMESTAMPTZ);
    INSERT INTO contact VALUES
      (501, 'eva@example.nl', 'Eva', 'Jansen', '+31612345678', 'NL', 'Freely given consent from contact',
       '2024-05-03 14:22:05+02:00', '2025-01-01 00:00:00+00:00', false, now()),
      (502, 'gone@example.nl', 'Gone', 'Away', NULL, NULL, NULL, NULL, NULL, true, now());
    CREATE TABLE company (id BIGINT, is_deleted BOOLEAN, property_name VARCHAR, property_country VARCHAR,
      property_createdate TIMESTAMPTZ, _fivetran_synced TIMESTAMPTZ);
    INSERT INTO company VALUES (9, false, 'Acme BV', 'NL', '2020-01-01 00:00:00+00:00', now()),
      (10, true, 'Gone BV', NULL, NULL, now());
    CREATE TABLE engagement (id BIGINT, type VARCHAR, "timestamp" TIMESTAMPTZ, owner_id BIGINT,
      created_at TIMESTAMPTZ, _fivetran_synced TIMESTAMPTZ);
    INSERT INTO engagement VALUES (1, 'NOTE', '2025-01-01 12:00:00+01:00', 77, NULL, now()),
      (2, 'EMAIL', '2025-01-02 08:00:00+00:00', 77, NULL, now()),
      (3, 'CALL', NULL, NULL, '2025-01-03 00:00:00+00:00', now());
    CREATE TABLE engagement_contact (contact_id BIGINT, engagement_id BIGINT, category VARCHAR,
      _fivetran_synced TIMESTAMPTZ);
    INSERT INTO engagement_contact VALUES (501, 1, 'HUBSPOT_DEFINED', now()),
      (503, 1, 'HUBSPOT_DEFINED', now()), (501, 2, 'HUBSPOT_DEFINED', now());
    CREATE TABLE engagement_email (engagement_id BIGINT, _fivetran_deleted BOOLEAN,
      property_hs_timestamp TIMESTAMPTZ, type VARCHAR);
    INSERT INTO engagement_email VALUES (2, true, NULL, 'EMAIL');
    CREATE TABLE engagement_note (engagement_id BIGINT, _fivetran_deleted BOOLEAN,
      property_hs_note_body VARCHAR, type VARCHAR);
    INSERT INTO engagement_note VALUES (1, false, 'Eva fragt nach Rabatt', 'NOTE');
    CREATE TABLE owner (owner_id BIGINT, email VARCHAR, first_name VARCHAR, last_name VARCHAR,
      _fivetran_synced TIMESTAMPTZ);
    INSERT INTO owner VALUES (77, 'olga@corp.example', 'Olga', NULL, now());
    """)
    return stage_fivetran(duckdb, "hubspot")


def test_hubspot_contacts_from_properties_without_deleted_ones(duckdb, hubspot):
    assert rows_of(duckdb, hubspot["contacts"]) == [
        {"contact_id": "501", "country": "NL", "first_name": "Eva", "last_name": "Jansen",
         "email": "eva@example.nl", "phone": "+31612345678",
         "created_at": pd.Timestamp("2024-05-03 12:22:05"),
         "lawful_basis": "Freely given consent from contact"}]
    assert rows_of(duckdb, hubspot["accounts"]) == [
        {"account_id": "9", "name": "Acme BV", "country": "NL", "created_at": pd.Timestamp("2020-01-01")}]


def test_hubspot_activities_one_per_engagement_and_contact_without_deleted_engagements(duckdb, hubspot):
    assert rows_of(duckdb, hubspot["activities"]) == [
        {"activity_id": "1:501", "contact_id": "501", "staff_id": "77", "type": "note",
         "occurred_at": pd.Timestamp("2025-01-01 11:00"), "note": "Eva fragt nach Rabatt"},
        {"activity_id": "1:503", "contact_id": "503", "staff_id": "77", "type": "note",
         "occurred_at": pd.Timestamp("2025-01-01 11:00"), "note": "Eva fragt nach Rabatt"},
        {"activity_id": "3", "contact_id": None, "staff_id": None, "type": "call",
         "occurred_at": pd.Timestamp("2025-01-03"), "note": None}]
    assert rows_of(duckdb, hubspot["staff"]) == [
        {"staff_id": "77", "name": "Olga", "email": "olga@corp.example"}]


def test_a_connector_table_that_is_not_synced_leaves_its_canonical_table_out(duckdb):
    duckdb.raw_sql("CREATE TABLE contact (id BIGINT, property_email VARCHAR)")
    assert list(stage_fivetran(duckdb, "hubspot")) == ["contacts"]
    with pytest.raises(ValueError, match="unknown connector 'pipedrive': use salesforce or hubspot"):
        stage_fivetran(duckdb, "pipedrive")
