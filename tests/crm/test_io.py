"""Reading a dataset folder: typed tables from CSV or parquet, and one clear error for a bad file; and the
one resolver of a dataset's as-of date, policy and mapping file: given, else the dataset's own, else the
defaults."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from gdprlab.crm.io import (
    DEFAULT_POLICY,
    DatasetError,
    parse_date,
    read_as_of,
    read_dataset,
    read_policy,
    read_table,
    resolve_inputs,
)
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.policy import Policy, PolicyError

TODAY = dt.date(2026, 7, 15)

REQUESTS = """request_id,contact_id,type,received_on,extension_notified_on,responded_on,status
R1,C1,access,2026-01-31,,2026-02-20,completed
R2,C2,erasure,2026-03-01,2026-03-20,,open
"""
BREACHES = """breach_id,aware_at,description,data_categories,subjects_affected,consequences,measures,risk,\
notified_authority_at,delay_reason,subjects_informed_at,art34_exception
B1,2026-01-01T10:00:00Z,Laptop stolen,names,120,Phishing,Wipe,high,2026-01-03T12:00:00+02:00,,,
B2,2026-02-01T00:00:00Z,,e-mails,,,,unlikely,,,,
"""
TRAINING = """training_id,staff_id,course,completed_on,score,passed
T1,S1,gdpr_essentials,2026-01-10,90,True
T2,S2,gdpr_essentials,2026-01-11,40,false
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_columns_get_their_schema_types(tmp_path):
    write(tmp_path, "requests", REQUESTS)
    write(tmp_path, "breaches", BREACHES)
    t = read_dataset(tmp_path)
    r, b = t["requests"], t["breaches"]
    assert r["received_on"].tolist() == [pd.Timestamp("2026-01-31"), pd.Timestamp("2026-03-01")]
    assert r["responded_on"].isna().tolist() == [False, True]  # an empty cell is missing
    assert r["extension_notified_on"].dtype.kind == "M"
    assert b["aware_at"][0] == pd.Timestamp("2026-01-01 10:00:00")  # naive UTC
    assert b["notified_authority_at"][0] == pd.Timestamp("2026-01-03 10:00:00")  # +02:00 converted to UTC
    assert b["subjects_affected"].dtype == "Int64" and b["subjects_affected"].isna().tolist() == [False, True]
    assert b["description"].isna().tolist() == [False, True]


def test_bools_read_from_true_false_in_either_case(tmp_path):
    write(tmp_path, "training", TRAINING)
    passed = read_dataset(tmp_path)["training"]["passed"]
    assert passed.dtype == bool and passed.tolist() == [True, False]


def test_a_bool_column_with_gaps_is_nullable(tmp_path):
    write(tmp_path, "training", TRAINING.replace(",True\n", ",\n"))
    passed = read_dataset(tmp_path)["training"]["passed"]
    assert str(passed.dtype) == "boolean" and passed.isna().tolist() == [True, False]


def test_text_stays_as_written(tmp_path):
    write(tmp_path, "staff", "staff_id,name,email,department,role,crm_access,start_date\n"
                             "S1,NA,null,0049,sales_rep,none,2020-01-01\n")
    staff = read_dataset(tmp_path)["staff"].iloc[0]
    assert (staff["name"], staff["email"], staff["department"]) == ("NA", "null", "0049")


def test_missing_tables_are_left_out(tmp_path):
    write(tmp_path, "training", TRAINING)
    assert set(read_dataset(tmp_path)) == {"training"}


def test_contacts_keep_columns_beyond_the_schema(tmp_path):
    columns = [*TABLES["contacts"].column_names, "hobbies"]
    row = ["C1"] + [""] * (len(columns) - 2) + ["golf"]
    write(tmp_path, "contacts", ",".join(columns) + "\n" + ",".join(row) + "\n")
    contacts = read_dataset(tmp_path)["contacts"]
    assert contacts["hobbies"].tolist() == ["golf"] and contacts["birth_date"].dtype.kind == "M"


def test_a_malformed_date_names_file_column_and_rows(tmp_path):
    bad = REQUESTS + "R3,C3,access,31.01.2026,,,open\nR4,C4,access,2026-02-30,,,open\n"
    path = write(tmp_path, "requests", bad)
    with pytest.raises(DatasetError) as err:
        read_dataset(tmp_path)
    message = str(err.value)
    assert str(path) in message and "'received_on'" in message
    assert "2 value(s)" in message and "data row(s) 3, 4" in message
    assert "'99.99.9999'" in message and "31.01" not in message  # how it is written, not what it says
    assert "YYYY-MM-DD" in message


def test_a_malformed_timestamp_bool_or_number_is_reported(tmp_path):
    cases = [
        ("breaches", BREACHES.replace("2026-02-01T00:00:00Z", "yesterday"), "'aware_at'"),
        ("training", TRAINING.replace(",false", ",no"), "'passed'"),
        ("training", TRAINING.replace(",90,", ",ninety,"), "'score'"),
    ]
    for name, text, column in cases:
        for old in tmp_path.iterdir():
            old.unlink()
        write(tmp_path, name, text)
        with pytest.raises(DatasetError, match=column):
            read_dataset(tmp_path)


def test_a_missing_column_is_named(tmp_path):
    without_passed = TRAINING.replace(",passed", "").replace(",True", "").replace(",false", "")
    path = write(tmp_path, "training", without_passed)
    with pytest.raises(DatasetError) as err:
        read_dataset(tmp_path)
    assert str(path) in str(err.value) and "missing column(s) passed" in str(err.value)


def test_parquet_round_trip_gives_the_same_tables(tmp_path):
    csv_dir, pq_dir = tmp_path / "csv", tmp_path / "parquet"
    csv_dir.mkdir()
    pq_dir.mkdir()
    for name, text in (("requests", REQUESTS), ("breaches", BREACHES), ("training", TRAINING)):
        write(csv_dir, name, text)
    from_csv = read_dataset(csv_dir)
    for name, df in from_csv.items():
        df.to_parquet(pq_dir / f"{name}.parquet", index=False)
    from_parquet = read_dataset(pq_dir)
    for name, df in from_csv.items():
        pd.testing.assert_frame_equal(from_parquet[name], df, check_dtype=False)
        assert list(from_parquet[name].dtypes.map(lambda d: d.kind)) == list(df.dtypes.map(lambda d: d.kind))


def test_parquet_with_text_values_is_converted_like_csv(tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(TRAINING), dtype=str, keep_default_na=False)
    frame.to_parquet(tmp_path / "training.parquet", index=False)
    training = read_dataset(tmp_path)["training"]
    assert training["completed_on"].dtype.kind == "M" and training["passed"].tolist() == [True, False]


def test_a_table_in_both_formats_is_ambiguous(tmp_path):
    write(tmp_path, "training", TRAINING)
    (tmp_path / "training.parquet").write_bytes(b"")
    with pytest.raises(DatasetError, match="keep only one"):
        read_dataset(tmp_path)


def test_as_of_and_policy_come_from_the_folder(tmp_path):
    assert read_as_of(tmp_path) is None
    assert read_policy(tmp_path) == Policy()
    (tmp_path / "manifest.json").write_text(json.dumps({"parameters": {"as_of": "2026-06-30"}}))
    (tmp_path / "policy.yaml").write_text("training_refresh_months: 6\n")
    assert read_as_of(tmp_path) == dt.date(2026, 6, 30)
    assert read_policy(tmp_path).training_refresh_months == 6
    (tmp_path / "manifest.json").write_text(json.dumps({"parameters": {"as_of": "30/06/2026"}}))
    with pytest.raises(DatasetError, match="as_of"):
        read_as_of(tmp_path)


def own_dataset(folder: Path) -> Path:
    """A dataset folder with its own manifest (as of 2026-06-30), policy (6-month refreshers) and a table."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"parameters": {"as_of": "2026-06-30"}}))
    (folder / "policy.yaml").write_text("training_refresh_months: 6\n")
    write(folder, "training", TRAINING)
    return folder


def test_given_inputs_come_first(tmp_path):
    ds = own_dataset(tmp_path / "ds")
    policy = tmp_path / "ours.yaml"
    policy.write_text("training_refresh_months: 3\n")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("tables: {}\n")
    given = resolve_inputs(ds, "2026-01-31", policy, mapping)
    assert (given.as_of, given.as_of_source) == (dt.date(2026, 1, 31), "given")
    assert (given.policy.training_refresh_months, given.policy_source) == (3, str(policy))
    assert given.mapping == mapping
    assert resolve_inputs(ds, dt.date(2026, 2, 1)).as_of == dt.date(2026, 2, 1)


@pytest.mark.parametrize("where", ["the folder", "a file in it"])
def test_then_the_datasets_own_manifest_and_policy(tmp_path, where):
    ds = own_dataset(tmp_path / "ds")
    given = resolve_inputs(ds if where == "the folder" else ds / "training.csv", as_of="", policy="",
                           mapping="")
    assert (given.as_of, given.as_of_source) == (dt.date(2026, 6, 30), "the dataset's manifest.json")
    assert (given.policy.training_refresh_months, given.policy_source) == (6, "the dataset's policy.yaml")
    assert given.mapping is None


def test_then_the_defaults(tmp_path):
    export = write(tmp_path, "Contact", "Id,Email\n003A,a@example.de\n")
    for dataset in (tmp_path, export):
        given = resolve_inputs(dataset, today=TODAY)
        assert (given.as_of, given.as_of_source) == (TODAY, "today (no as-of date given or recorded)")
        assert (given.policy, given.policy_source, given.mapping) == (Policy(), DEFAULT_POLICY, None)
    assert resolve_inputs(tmp_path).as_of == dt.date.today()


def test_each_missing_or_broken_input_is_one_error_naming_it(tmp_path):
    ds = own_dataset(tmp_path / "ds")
    with pytest.raises(DatasetError, match=re.escape(f"{tmp_path / 'nowhere'}: no such file or folder")):
        resolve_inputs(tmp_path / "nowhere")
    with pytest.raises(DatasetError, match=re.escape(f"{tmp_path / 'no.yaml'}: mapping file not found")):
        resolve_inputs(ds, mapping=tmp_path / "no.yaml")
    with pytest.raises(PolicyError, match=re.escape(f"{tmp_path / 'no.yaml'}: policy file not found")):
        resolve_inputs(ds, policy=tmp_path / "no.yaml")
    with pytest.raises(ValueError, match="as_of: '31/01/2026' is not a date written YYYY-MM-DD"):
        resolve_inputs(ds, as_of="31/01/2026")
    (ds / "manifest.json").write_text(json.dumps({"parameters": {"as_of": "30/06/2026"}}))
    with pytest.raises(DatasetError, match="manifest.json: cannot read parameters.as_of"):
        resolve_inputs(ds / "training.csv")


@pytest.mark.parametrize(("text", "problem"), [
    ("2026-02-30", "is not a calendar date"),
    ("2026-13-01", "is not a calendar date"),
    ("30.06.2026", "is not a date written YYYY-MM-DD"),
    ("20260630", "is not a date written YYYY-MM-DD"),
    ("2026-06-30T00:00", "is not a date written YYYY-MM-DD"),
])
def test_dates_are_written_yyyy_mm_dd_and_are_real(text, problem):
    with pytest.raises(ValueError, match=re.escape(f"{text!r} {problem}")):
        parse_date(text)
    assert parse_date(" 2024-02-29 ") == dt.date(2024, 2, 29)


@pytest.mark.parametrize("dtype, values", [
    ("date", ["2026-01-31", "2024-02-29", "0001-01-01", "9999-12-31", "2026-1-5", "2026-02-30", "2023-02-29",
              "2026-04-31", "2026-13-01", "2026-00-10", "31.01.2026", "", None]),
    ("datetime", ["2026-01-31T23:59:59Z", "2024-02-29T00:00:00Z", "2026-01-31T24:00:00Z",
                  "2026-01-31T23:59:60Z", "2026-01-31T12:60:00Z", "2026-02-30T10:00:00Z",
                  "2026-01-31T12:00:00+02:00", "2026-01-31T12:00:00.250Z", "2026-01-31T12:00:00",
                  "2026-01-31 12:00:00Z", "yesterday", "", None]),
])
def test_dates_and_timestamps_read_as_pandas_reads_them(dtype, values):
    """Plain spellings are read from fixed positions, the rest by pandas: together exactly pandas' reading,
    and the values pandas cannot read (impossible dates, 24:00, leap seconds) are the ones reported."""
    from gdprlab.crm.io import _plain_iso, _text, _to_datetime

    text = _text(pd.Series(values, dtype="str"))
    if dtype == "date":
        expected = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    else:
        expected = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce").dt.tz_localize(None)
    fast = _plain_iso(text, dtype)
    assert (~pd.isna(fast)).sum() >= 2  # the plain spellings are read here
    chunked = pa.chunked_array([pa.array(part, pa.large_string()) for part in (values[:5], values[5:])])
    assert (_plain_iso(_text(chunked.to_pandas()), dtype).astype("int64") == fast.astype("int64")).all()
    readable = text.where(expected.notna())
    pd.testing.assert_series_equal(_to_datetime(readable, dtype, Path("t.csv"), "c"),
                                   expected.astype("datetime64[us]"), check_names=False)
    bad = [i + 1 for i, (t, e) in enumerate(zip(text, expected, strict=True)) if pd.notna(t) and pd.isna(e)]
    with pytest.raises(DatasetError, match=rf"{len(bad)} value\(s\)"):
        _to_datetime(text, dtype, Path("t.csv"), "c")


def test_csv_with_a_byte_order_mark_quoted_newlines_and_quoted_empties(tmp_path):
    text = ("\ufeff" + TRAINING.replace("T2,S2,gdpr_essentials", 'T2,"S2",""')
            .replace("T1,S1,gdpr_essentials", 'T1,S1,"gdpr\nessentials"'))
    write(tmp_path, "training", text)
    training = read_dataset(tmp_path)["training"]
    assert list(training.columns) == TABLES["training"].column_names
    assert training["course"].tolist()[0] == "gdpr\nessentials" and pd.isna(training["course"].iloc[1])
    assert training["staff_id"].tolist() == ["S1", "S2"]


def test_a_ragged_csv_names_the_file_and_line_without_quoting_the_row(tmp_path):
    path = write(tmp_path, "training", TRAINING + "T3,S3,secret-name@example.org,2026-01-12,70,True,extra\n")
    with pytest.raises(DatasetError) as err:
        read_dataset(tmp_path)
    message = str(err.value)
    assert str(path) in message and "line 4" in message and "secret-name" not in message


def test_repeated_headers_are_read_as_pandas_reads_them(tmp_path):
    text = TRAINING.replace(",passed\n", ",passed,score\n")
    write(tmp_path, "training", text.replace(",True\n", ",True,1\n").replace(",false\n", ",false,2\n"))
    training = read_dataset(tmp_path)["training"]
    assert "score.1" in training.columns and training["score"].tolist() == [90, 40]


def test_a_csv_not_in_utf8_names_the_file_and_what_to_do(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes("staff_id,name,email,department,role,crm_access,start_date\n"
                     "S1,Jürgen,,Sales,sales_rep,none,2020-01-01\n".encode("cp1252"))
    with pytest.raises(DatasetError, match=r"staff\.csv: cannot be read as csv .*regenerate or repair it"):
        read_dataset(tmp_path)


def test_an_export_without_the_optional_columns_is_read_but_not_without_a_required_one(tmp_path):
    contacts = TABLES["contacts"]
    optional = set(contacts.column_names) - set(contacts.required_names)
    assert {"retention_ground", "retention_until", "art9_categories", "customer_since",
            "opt_out_offered_at_collection"} <= optional
    activities = TABLES["activities"]
    assert {"unsubscribe_link", "own_similar_product"} <= set(activities.column_names) - set(
        activities.required_names)  # the soft opt-in's marks: real exports rarely have them
    path = tmp_path / "contacts.csv"
    row = {**dict.fromkeys(contacts.required_names, ""), "contact_id": "C1"}
    pd.DataFrame([row]).to_csv(path, index=False)
    read = read_table(path, contacts)
    assert list(read["contact_id"]) == ["C1"]
    assert not {"retention_until", "art9_categories"} & set(read.columns)
    pd.read_csv(path).drop(columns=["email"]).to_csv(path, index=False)
    with pytest.raises(DatasetError, match="missing column\\(s\\) email"):
        read_table(path, contacts)
