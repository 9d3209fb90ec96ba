"""The staff roster: validated CSV import, upsert into the progress database, unknown learners reported."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import sqlalchemy as sa
from helpers import PG_URL

from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import Attempt
from gdprlab.training.store.roster import (
    RosterError,
    RosterStore,
    read_roster_csv,
    staff_table,
    unknown_learners,
)

HEADER = "staff_id,name,email,department,role,crm_access,start_date"
ROWS = [
    "S1,Anna Müller,anna@example.com,Sales,sales_rep,standard,2024-01-15",
    "S2,Jan Kowalski,jan@example.com,Support,agent,full,2023-05-01",
    "S3,Eva Novak,eva@example.com,Finance,clerk,none,2022-02-28",
]


def write(tmp_path, *lines, name="staff.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def db(tmp_path):
    return f"sqlite:///{tmp_path / 'progress.sqlite'}"


def test_a_valid_roster_is_read_with_learner_id_defaulting_to_staff_id(tmp_path):
    roster = read_roster_csv(write(tmp_path, HEADER, *ROWS))
    assert list(roster["staff_id"]) == ["S1", "S2", "S3"]
    assert list(roster["learner_id"]) == ["S1", "S2", "S3"]
    assert roster.loc[0, "start_date"] == dt.date(2024, 1, 15)
    assert "email" not in roster.columns  # read, never kept


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
def test_a_roster_saved_by_excel_with_semicolons_or_tabs_is_read_as_with_commas(tmp_path, delimiter):
    """Excel writes CSV with ';' where the decimal mark is a comma (most of the EU), with a byte-order mark
    and CRLF line ends, and 'Unicode text' with tabs; a name may hold a comma or a semicolon."""
    rows = [*ROWS, 'S4,"Nowak; Anna",anna@example.com,Sales,sales_rep,standard,2024-01-15']
    text = "\r\n".join([HEADER, *rows]).replace(",", delimiter)
    path = tmp_path / "staff.csv"
    path.write_bytes(("\ufeff" + text + "\r\n").encode("utf-8"))
    roster = read_roster_csv(path)
    assert list(roster["staff_id"]) == ["S1", "S2", "S3", "S4"]
    assert roster.loc[3, "name"] == "Nowak; Anna" and roster.loc[1, "crm_access"] == "full"
    assert roster.loc[2, "start_date"] == dt.date(2022, 2, 28)


def test_an_explicit_learner_id_column_is_used(tmp_path):
    roster = read_roster_csv(write(tmp_path, HEADER + ",learner_id", ROWS[0] + ",anna.m", ROWS[1] + ","))
    assert list(roster["learner_id"]) == ["anna.m", "S2"]


@pytest.mark.parametrize(
    ("lines", "row", "field", "words"),
    [
        (["staff_id,name,email,department,role,start_date", "S1,A,a@x,Sales,rep,2024-01-01"], None,
         "crm_access", "missing column"),
        ([HEADER, ROWS[0], "S2,B,b@x,Sales,rep,standard,2024-02-30"], 2, "start_date", "bad date"),
        ([HEADER, "S1,A,a@x,Sales,rep,admin,2024-01-01"], 1, "crm_access", "unknown access level"),
        ([HEADER, ROWS[0], ROWS[1], "S1,C,c@x,Sales,rep,none,2024-01-01"], 3, "staff_id", "duplicate"),
        ([HEADER, ROWS[0], " ,B,b@x,Sales,rep,none,2024-01-01"], 2, "staff_id", "empty staff id"),
    ],
    ids=["missing column", "bad date", "unknown access", "duplicate id", "empty id"],
)
def test_each_kind_of_bad_roster_gives_one_error_naming_file_row_and_field(tmp_path, lines, row, field,
                                                                           words):
    path = write(tmp_path, *lines)
    with pytest.raises(RosterError) as caught:
        read_roster_csv(path)
    error = caught.value
    assert (error.row, error.field) == (row, field)
    message = str(error)
    assert str(path) in message and repr(field) in message and words in message
    if row is not None:
        assert f"row {row}" in message


@pytest.mark.parametrize(
    ("line", "raw"),
    [("anna.kowalska.firma,C,c@x,Sales,rep,none,2024-01-01", "anna.kowalska.firma"),
     ("S9,C,c@x,Sales,rep,Krystyna Wiśniewska,2024-01-01", "Krystyna Wiśniewska"),
     ("S9,C,c@x,Sales,rep,none,born 1982-03-29", "born 1982-03-29")],
    ids=["duplicate id", "access level", "date"],
)
def test_a_roster_error_shows_how_the_bad_value_is_written_never_the_value(tmp_path, line, raw):
    first = line.split(",")[0] + ",A,a@x,Sales,rep,none,2024-01-01"
    lines = [HEADER, first, line] if line.startswith("anna") else [HEADER, line]
    with pytest.raises(RosterError) as caught:
        read_roster_csv(write(tmp_path, *lines))
    message = str(caught.value)
    assert raw not in message and raw.split()[0] not in message
    assert "X" in message or "x" in message  # the value's shape, e.g. 'xxxx.xxxxxxxx@xxxxx.xx'


def test_a_roster_cut_off_inside_a_quoted_value_is_refused_as_such(tmp_path):
    path = write(tmp_path, HEADER, ROWS[0], 'S2,"Brzęczyszczykiewicz, Zbig')
    with pytest.raises(RosterError, match="ends inside a quoted value") as caught:
        read_roster_csv(path)
    assert caught.value.row == 2 and "Brzęczyszczykiewicz" not in str(caught.value)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"],
                         ids=["empty", "bom only", "blank lines"])
def test_an_empty_roster_file_is_named_as_such(tmp_path, content):
    path = tmp_path / "staff.csv"
    path.write_bytes(content)
    with pytest.raises(RosterError, match="the file is empty") as caught:
        read_roster_csv(path)
    assert str(path) in str(caught.value)


def test_a_row_with_more_fields_than_the_header_is_refused(tmp_path):
    path = write(tmp_path, HEADER, ROWS[0], "S2,Müller, Jürgen,j@x,Sales,rep,none,2024-01-01")
    with pytest.raises(RosterError, match="8 fields where the header has 7") as caught:
        read_roster_csv(path)
    assert caught.value.row == 2 and "Jürgen" not in str(caught.value)


def test_reimport_upserts_without_duplicating_and_reports_what_changed(tmp_path):
    store = RosterStore(db(tmp_path))
    first = store.import_csv(write(tmp_path, HEADER, *ROWS))
    assert first.added == ("S1", "S2", "S3") and not (first.updated or first.unchanged or first.left)

    changed = ROWS[1].replace("Support", "Sales")
    second = store.import_csv(write(tmp_path, HEADER, ROWS[0], changed, "S4,Ola,o@x,IT,dev,full,2025-01-01",
                                    name="staff2.csv"), replace=True)
    assert second.added == ("S4",)
    assert second.updated == ("S2",)
    assert second.unchanged == ("S1",)
    assert second.left == ("S3",)
    frame = store.frame()
    assert list(frame["staff_id"]) == ["S1", "S2", "S4"]
    assert frame.set_index("staff_id").loc["S2", "department"] == "Sales"
    again = store.import_csv(tmp_path / "staff2.csv")
    assert again.counts() == {"added": 0, "updated": 0, "unchanged": 3, "left": 0}


def test_a_bad_file_changes_nothing(tmp_path):
    store = RosterStore(db(tmp_path))
    store.import_csv(write(tmp_path, HEADER, *ROWS))
    with pytest.raises(RosterError):
        store.import_csv(write(tmp_path, HEADER, "S1,A,a@x,Sales,rep,boss,2024-01-01", name="bad.csv"))
    assert len(store.frame()) == 3


def test_roster_tables_share_the_database_with_attempts_under_their_own_prefix(tmp_path):
    url = db(tmp_path)
    progress = ProgressStore(url, outbox_dir=tmp_path / "outbox", grader=None)
    progress.record(Attempt(learner="S1", lesson="01_classification", quiz="q", bank_version="v1", answers={},
                            score=8, max_score=10, passed=True))
    RosterStore(url).import_csv(write(tmp_path, HEADER, *ROWS))
    names = set(sa.inspect(sa.create_engine(url)).get_table_names())
    assert {"roster_staff", "roster_schema_version"} <= names
    assert len(progress.attempts()) == 1
    columns = {c["name"] for c in sa.inspect(sa.create_engine(url)).get_columns("roster_staff")}
    assert "email" not in columns  # minimisation: nothing needs the e-mail address


def test_learners_with_attempts_but_not_on_the_roster_are_reported(tmp_path):
    roster = read_roster_csv(write(tmp_path, HEADER, *ROWS))
    attempts = pd.DataFrame({"learner": ["S1", "ghost", "S2", "ghost", "intern7"], "lesson": ["x"] * 5})
    assert unknown_learners(roster, attempts) == ["ghost", "intern7"]


def test_staff_table_has_the_dataset_shape(tmp_path):
    table = staff_table(read_roster_csv(write(tmp_path, HEADER, *ROWS)))
    assert list(table.columns) == ["staff_id", "name", "email", "department", "role", "crm_access",
                                   "start_date"]
    assert table["email"].isna().all()


def test_a_schema_needs_postgresql(tmp_path):
    with pytest.raises(ValueError, match="PostgreSQL"):
        RosterStore(db(tmp_path), schema="training")


def test_the_roster_can_live_in_a_postgresql_schema_beside_the_attempts(tmp_path, pg_engine, pg_schema):
    engine, schema = pg_engine, pg_schema
    with RosterStore(PG_URL, schema=schema) as store:
        report = store.import_csv(write(tmp_path, HEADER, *ROWS))
        assert report.added == ("S1", "S2", "S3")
        assert list(store.frame()["staff_id"]) == ["S1", "S2", "S3"]
    inspector = sa.inspect(engine)
    assert {"roster_staff", "roster_schema_version"} <= set(inspector.get_table_names(schema=schema))
    with engine.connect() as conn:
        count = conn.execute(sa.text(f'SELECT count(*) FROM "{schema}".roster_staff')).scalar()
    assert count == 3


def _import_at_once(tmp_path, url, schema=None, importers=8):
    """``importers`` imports of the same roster into one new database, all started together."""
    path = write(tmp_path, HEADER, *ROWS)

    def one(_):
        with RosterStore(url, schema=schema) as store:
            return store.import_csv(path)

    with ThreadPoolExecutor(importers) as pool:
        return list(pool.map(one, range(importers)))


def test_imports_at_once_into_a_new_sqlite_file_wait_for_each_other(tmp_path):
    """Each import takes the write lock before it reads (BEGIN IMMEDIATE, which waits for the busy
    timeout): one that read, then wrote after another, would be refused at once ('database is locked')."""
    reports = _import_at_once(tmp_path, db(tmp_path))
    assert sorted(len(r.added) for r in reports) == [0] * 7 + [3]
    with RosterStore(db(tmp_path), create=False) as store:
        assert list(store.frame()["staff_id"]) == ["S1", "S2", "S3"]


def test_imports_at_once_into_a_new_postgresql_schema_wait_for_each_other(tmp_path, pg_engine, pg_schema):
    reports = _import_at_once(tmp_path, PG_URL, pg_schema)
    assert sorted(len(r.added) for r in reports) == [0] * 7 + [3]
