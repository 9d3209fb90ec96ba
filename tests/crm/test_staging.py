"""Staging: gdprlab's tables as relations the engine reads itself, from a dataset folder.

A staged dataset must hold exactly what read_dataset gives (the checks were measured on that), and fail where
read_dataset fails, with its message.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest

from gdprlab.audit.engine import run_checks
from gdprlab.crm.backends import EngineError, connect
from gdprlab.crm.io import DatasetError, read_as_of, read_dataset, read_policy
from gdprlab.crm.schema import TABLES
from gdprlab.crm.staging import stage_dataset

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
    expected = {"str": "string", "date": "date", "datetime": "timestamp"}
    assert {c: str(contacts[c].type()) for c in types} == {c: expected[t] for c, t in types.items()}
    assert str(contacts["spouse_name"].type()) == "string"


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


@pytest.mark.xfail(strict=True, reason="read_dataset's error quotes the first bad value (crm/io.py _check)")
def test_an_error_never_shows_the_value(duckdb, tmp_path):
    write(tmp_path, "contacts", {"contact_id": "C1", "birth_date": "Geheim-1990"})
    assert "Geheim" not in staged_error(duckdb, tmp_path)


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
