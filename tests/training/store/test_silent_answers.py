"""Silent wrong answers (issue 14): a mistake of the trainer's is an error or a finding, never a quiet answer.

- Commands that read never create a database: a missing store is an error (exit 2); nobody in scope is
  "no data", never 100 %.
- A roster import that would remove staff shows them (by staff id) and needs --replace; an empty roster
  is an error.
- `progress verify` notices deleted latest records, a deleted learner, an emptied or dropped table.
- The outbox delivers attempts queued under another spelling of the database URL, and `progress outbox`
  lists and flushes them.
- An unreachable database, a bad URL, a newer schema, a dropped table: one line each, no traceback;
  `postgres://` simply works. PostgreSQL: over-long names are refused at entry, and more than 65,535 staff
  may leave in one import.

PostgreSQL tests use the local server (GDPRLAB_TEST_PG_URL, default 127.0.0.1:5432/test), each in a schema
of its own, and skip, saying why, without it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pandas as pd
import pytest
from helpers import PG_URL, graded_attempt

from gdprlab.cli.main import main
from gdprlab.training.store.outbox import Outbox
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import Attempt
from gdprlab.training.store.roster import RosterError, RosterStore, validate_rows
from gdprlab.training.store.schema import StoreError, database_url, target_key

HEADER = "staff_id,name,email,department,role,crm_access,start_date\n"
ROSTER = HEADER + (
    "S1,Anna Muster,anna@example.com,sales,sales_rep,standard,2020-01-01\n"
    "S2,Bert Beispiel,bert@example.com,hr,hr_officer,standard,2021-01-01\n"
    "S3,Carla Probe,carla@example.com,sales,account_manager,standard,2022-01-01\n"
)
T0 = dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    """Never touch the real data folder (the outbox and the local checkpoints live there)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("GDPRLAB_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.delenv("GDPRLAB_DB_URL", raising=False)


def attempt(learner: str, minutes: int = 0, lesson: str = "01_classification") -> Attempt:
    return graded_attempt(learner, lesson, submitted_at=T0 + dt.timedelta(minutes=minutes))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_clear_line(err: str) -> str:
    """The one error line (lines saying how each file was read may come before it)."""
    lines = [line for line in err.strip().splitlines() if not line.startswith("read ")]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


@pytest.fixture
def db(tmp_path):
    """A SQLite store with the roster above and three attempts each for S1 and S2 (none for S3)."""
    url = f"sqlite:///{tmp_path / 'store' / 'progress.sqlite'}"
    (tmp_path / "staff.csv").write_text(ROSTER)
    assert main(["progress", "import", str(tmp_path / "staff.csv"), "--db", url]) == 0
    with ProgressStore(url) as store:
        for minutes in range(3):
            assert store.record(attempt("S1", minutes)).stored and store.record(attempt("S2", minutes)).stored
    return url


def sql(url: str, *statements: str) -> None:
    con = sqlite3.connect(database_url(url).database)
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


# --- reading never creates ----------------------------------------------------------------------------


def test_summary_of_a_missing_store_is_an_error_and_creates_nothing(tmp_path, capsys):
    typo = tmp_path / "typo.sqlite"
    code, out, err = run(capsys, "progress", "summary", "--db", f"sqlite:///{typo}", "--fail-under", "90")
    assert code == 2 and "100" not in out
    assert f"no progress database at {typo}" in one_clear_line(err)
    assert not typo.exists()
    for action in ("overdue", "verify"):
        assert run(capsys, "progress", action, "--db", f"sqlite:///{typo}")[0] == 2
    assert not typo.exists()


def test_check_with_a_mistyped_training_store_is_an_error_not_everyone_untrained(tmp_path, capsys):
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "staff.csv").write_text(ROSTER)
    typo = tmp_path / "typo.sqlite"
    code, out, err = run(capsys, "check", str(tmp_path / "ds"), "--as-of", "2026-06-30", "--format", "json",
                         "--training-store", f"sqlite:///{typo}")
    assert code == 2 and out == "" and "no progress database" in err and not typo.exists()


def test_a_store_without_a_roster_is_no_data_for_check(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'attempts-only.sqlite'}"
    with ProgressStore(url) as store:
        store.record(attempt("S1"))
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "staff.csv").write_text(ROSTER)
    code, _, err = run(capsys, "check", str(tmp_path / "ds"), "--as-of", "2026-06-30",
                       "--training-store", url)
    assert code == 2 and "no roster" in one_clear_line(err)


def test_nobody_in_scope_is_no_data_never_full_completion(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'progress.sqlite'}"
    (tmp_path / "staff.csv").write_text(HEADER + "S9,Nora Nobody,n@example.com,hr,clerk,none,2020-01-01\n")
    assert main(["progress", "import", str(tmp_path / "staff.csv"), "--db", url]) == 0
    code, out, _ = run(capsys, "progress", "summary", "--db", url, "--as-of", "2026-06-30",
                       "--fail-under", "90")
    assert code == 1 and "no data" in out and "100.0 %" not in out
    assert run(capsys, "progress", "summary", "--db", url, "--as-of", "2026-06-30")[0] == 0


def test_a_roster_imported_by_an_older_gdprlab_with_no_attempts_yet_reads_as_never_started(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    with RosterStore(url) as roster:
        roster.replace(validate_rows([{"staff_id": "S1", "name": "Anna", "department": "sales", "role": "rep",
                                       "crm_access": "standard", "start_date": "2020-01-01"}]))
    sql(url, "DROP TABLE attempts", "DROP TABLE attempt_heads", "DROP TABLE schema_version")  # as it wrote
    code, out, _ = run(capsys, "progress", "summary", "--db", url, "--as-of", "2026-06-30")
    assert code == 0 and "completion of required lessons: 0.0 %" in out
    assert run(capsys, "progress", "verify", "--db", url)[:2] == (0, "history intact\n")


# --- roster imports that would remove staff -------------------------------------------------------------


def test_a_header_only_roster_is_an_error_and_removes_nobody(tmp_path, db, capsys):
    (tmp_path / "empty.csv").write_text(HEADER)
    code, _, err = run(capsys, "progress", "import", str(tmp_path / "empty.csv"), "--db", db, "--replace")
    assert code == 2 and "empty.csv" in err and "no staff rows" in one_clear_line(err)
    with RosterStore(db) as roster:
        assert list(roster.frame()["staff_id"]) == ["S1", "S2", "S3"]
        with pytest.raises(ValueError, match="empty roster"):
            roster.replace(validate_rows([]))


def test_a_partial_roster_shows_who_would_leave_and_needs_replace(tmp_path, db, capsys):
    (tmp_path / "partial.csv").write_text(HEADER + ROSTER.splitlines()[1] + "\n")
    code, out, err = run(capsys, "progress", "import", str(tmp_path / "partial.csv"), "--db", db)
    line = one_clear_line(err)
    assert code == 2 and "would remove 2 of the 3 stored staff" in line and "S2, S3" in line
    assert "--replace" in line and "Bert" not in line and "Carla" not in line  # ids, never names
    with RosterStore(db) as roster:
        assert list(roster.frame()["staff_id"]) == ["S1", "S2", "S3"]
    code, out, _ = run(capsys, "progress", "import", str(tmp_path / "partial.csv"), "--db", db, "--replace")
    assert code == 0 and "left 2" in out
    with RosterStore(db) as roster:
        assert list(roster.frame()["staff_id"]) == ["S1"]


# --- verify notices deletions ---------------------------------------------------------------------------


def verify(capsys, db: str, *extra: str) -> tuple[int, str]:
    code, out, _ = run(capsys, "progress", "verify", "--db", db, *extra)
    return code, out


def test_deleting_a_learners_latest_records_is_detected(db, capsys):
    assert verify(capsys, db) == (0, "history intact\n6 record(s) re-graded from their answers: every score "
                                     "follows from them\n")
    sql(db, "DELETE FROM attempts WHERE id = (SELECT max(id) FROM attempts WHERE learner = 'S1')")
    code, out = verify(capsys, db)
    assert code == 1 and "S1: deleted_latest: the learner's latest record(s) are gone" in out
    assert "S2" not in out


def test_deleting_a_whole_learner_or_the_whole_table_is_detected(db, capsys):
    sql(db, "DELETE FROM attempts WHERE learner = 'S2'")
    code, out = verify(capsys, db)
    assert code == 1 and "S2: deleted_learner: all records of the learner are gone" in out
    sql(db, "DELETE FROM attempts")
    code, out = verify(capsys, db)
    assert code == 1 and "S1: deleted_learner" in out and "S2: deleted_learner" in out


def test_emptying_the_heads_too_is_caught_by_the_checkpoint_of_the_last_verify(db, capsys):
    assert verify(capsys, db)[0] == 0  # writes the local checkpoint
    sql(db, "DELETE FROM attempts WHERE learner = 'S1'", "DELETE FROM attempt_heads WHERE learner = 'S1'")
    code, out = verify(capsys, db)
    assert code == 1 and "S1: deleted_learner" in out and "the checkpoint" in out


def test_every_export_carries_the_heads_and_verify_compares_with_them(tmp_path, db, capsys):
    out_dir = tmp_path / "export"
    assert main(["progress", "export", "--db", db, "--as-of", "2026-06-30", "--out",
                 str(out_dir / "hr.csv")]) == 0
    heads = json.loads((out_dir / "chain-heads.json").read_text())
    assert heads["database"] == target_key(db) and heads["heads"]["S1"]["records"] == 3
    sql(db, "DELETE FROM attempts", "DELETE FROM attempt_heads")
    (tmp_path / "home").rename(tmp_path / "home-gone")  # the local checkpoint is gone as well
    code, out = verify(capsys, db, "--checkpoint", str(out_dir / "chain-heads.json"))
    assert code == 1 and "S1: deleted_latest" not in out and "S1: deleted_learner" in out


def test_an_export_after_a_deletion_warns_and_never_hides_it(tmp_path, db, capsys):
    assert verify(capsys, db)[0] == 0
    sql(db, "DELETE FROM attempts WHERE learner = 'S2'", "DELETE FROM attempt_heads WHERE learner = 'S2'")
    code, _, err = run(capsys, "progress", "export", "--db", db, "--as-of", "2026-06-30", "--out",
                       str(tmp_path / "hr.csv"))
    assert code == 0 and "warning: 1 problem(s) in the history" in err
    code, out = verify(capsys, db)
    assert code == 1 and "S2: deleted_learner" in out


def test_a_dropped_attempts_table_is_one_clear_error(db, capsys):
    sql(db, "DROP TABLE attempts")
    for action in ("verify", "summary"):
        code, _, err = run(capsys, "progress", action, "--db", db)
        assert code == 2 and "no attempts table" in one_clear_line(err) and "dropped" in err


# --- the outbox -----------------------------------------------------------------------------------------


def test_one_database_spelled_two_ways_has_one_key():
    assert target_key("postgres://Alice:secret@DB.example.org/crm") == target_key(
        "postgresql+psycopg://Alice@db.example.org:5432/crm?connect_timeout=3")
    assert target_key("postgresql://h/crm") != target_key("postgresql://h/other")
    assert "secret" not in target_key("postgres://Alice:secret@DB.example.org/crm")


def test_attempts_queued_under_another_spelling_are_delivered_and_listed(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    url = f"sqlite:///{tmp_path / 'progress.sqlite'}"
    other_spelling = f"sqlite:///{tmp_path / 'sub' / '..' / 'progress.sqlite'}"
    queued = Outbox(tmp_path / "outbox", other_spelling)
    with queued.locked():
        queued.append(attempt("S1"), "database locked")
        queued.append(attempt("S2"), "database locked")
    code, out, _ = run(capsys, "progress", "outbox")
    assert code == 0 and "2 attempt(s) waiting" in out and "database locked" in out
    code, out, _ = run(capsys, "progress", "outbox", "--db", url, "--flush")
    assert code == 0 and "2 attempt(s) sent from the outbox" in out
    with ProgressStore(url) as store:
        assert sorted(a.learner for a in store.attempts()) == ["S1", "S2"]
    assert "nothing waits" in run(capsys, "progress", "outbox")[1]


def test_a_store_delivers_what_waits_under_another_spelling(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    queued = Outbox(tmp_path / "outbox", f"sqlite:///{tmp_path / 'link' / 'p.sqlite'}")
    with queued.locked():
        queued.append(attempt("S1"), "database locked")
    with ProgressStore(f"sqlite:///{tmp_path / 'real' / 'p.sqlite'}") as store:
        assert len(store.pending()) == 1 and store.flush_outbox().stored == 1


# --- one clear message each ---------------------------------------------------------------------------


@pytest.mark.parametrize("url, words", [
    ("not a url", "is not a database URL"),
    ("nosuchdb://host/x", "unknown database backend"),
    ("postgresql+psycopg://@127.0.0.1:1/test", "cannot be used"),
])
def test_a_bad_or_unreachable_database_is_one_line(url, words, capsys):
    if "psycopg" in url:
        pytest.importorskip("psycopg")
    code, _, err = run(capsys, "progress", "summary", "--db", url)
    assert code == 2 and words in one_clear_line(err)


def test_a_newer_schema_is_one_clear_error(db, capsys):
    sql(db, "INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01 00:00:00')")
    code, _, err = run(capsys, "progress", "verify", "--db", db)
    assert code == 2 and "schema version 99" in one_clear_line(err) and "upgrade gdprlab" in err


def test_a_password_never_reaches_the_message(capsys):
    code, _, err = run(capsys, "progress", "summary", "--db", "nosuchdb://ann:s3cret@host/x")
    assert code == 2 and "s3cret" not in err


def test_over_long_roster_texts_are_refused_at_entry_naming_row_and_field():
    rows = [{"staff_id": "S1", "name": "N" * 201, "email": "", "department": "d", "role": "r",
             "crm_access": "none", "start_date": "2020-01-01"}]
    with pytest.raises(RosterError, match=r"row 1, field 'name': longer than 200 characters"):
        validate_rows(rows, "staff.csv")
    with pytest.raises(RosterError, match="field 'staff_id'"):
        validate_rows([rows[0] | {"name": "N", "staff_id": "S" * 65}], "staff.csv")


# --- PostgreSQL ----------------------------------------------------------------------------------------


@pytest.fixture
def pg_url(pg_engine, pg_schema):
    return f"{PG_URL}?options=-csearch_path%3D{pg_schema}"


def test_postgres_scheme_simply_works(tmp_path, pg_url, capsys):
    spelled = "postgres://" + pg_url.split("://", 1)[1]
    (tmp_path / "staff.csv").write_text(ROSTER)
    assert run(capsys, "progress", "import", str(tmp_path / "staff.csv"), "--db", spelled)[0] == 0
    with ProgressStore(spelled) as store:
        assert store.record(attempt("S1")).stored
    code, out, _ = run(capsys, "progress", "summary", "--db", spelled, "--as-of", "2026-06-30")
    assert code == 0 and "completion of required lessons" in out
    assert run(capsys, "progress", "verify", "--db", pg_url)[0] == 0


def test_postgres_reading_a_database_without_the_tables_is_an_error(pg_url, capsys):
    code, _, err = run(capsys, "progress", "summary", "--db", pg_url)
    assert code == 2 and "no roster" in one_clear_line(err)
    with pytest.raises(StoreError, match="not a gdprlab progress database"):
        ProgressStore(pg_url, create=False).attempts()


def test_postgres_more_than_65535_staff_may_leave_in_one_import(pg_url):
    n = 66_000
    ids = [f"S{i:06d}" for i in range(n)]
    many = pd.DataFrame({"staff_id": ids, "learner_id": ids, "name": "Staff member", "department": "d",
                         "role": "r", "crm_access": "standard", "start_date": dt.date(2020, 1, 1)})
    with RosterStore(pg_url) as roster:
        assert roster.replace(many).counts()["added"] == n
        with pytest.raises(ValueError, match=f"would remove {n - 1} of the {n} stored staff"):
            roster.replace(many.head(1), allow_removal=False)
        report = roster.replace(many.head(1), allow_removal=True)
        assert len(report.left) == n - 1 and len(roster.frame()) == 1


def test_postgres_an_over_long_name_never_reaches_the_database(tmp_path, pg_url, capsys):
    long_name = "N" * 201
    (tmp_path / "staff.csv").write_text(HEADER + f"S1,{long_name},n@x.de,sales,rep,standard,2020-01-01\n")
    code, _, err = run(capsys, "progress", "import", str(tmp_path / "staff.csv"), "--db", pg_url)
    assert code == 2 and "row 1, field 'name'" in one_clear_line(err)
    assert "NNNNNNNNNN" not in err
