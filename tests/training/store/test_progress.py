"""The progress store: recording and reading attempts, chains checked in the database, schema versions,
the outbox when the database is locked or gone, concurrent writers.

SQLite tests run in tmp_path.  PostgreSQL tests use ``GDPRLAB_TEST_PG_URL`` (default
``postgresql+psycopg://@127.0.0.1:5432/test``, trust authentication), each in a schema of its own that
is dropped afterwards; they are skipped, with the reason, when psycopg or the server is absent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from helpers import PG_URL

from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import GENESIS_HASH, Attempt
from gdprlab.training.store.schema import SCHEMA_VERSION, SchemaVersionError, default_db_url

T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


pytestmark = pytest.mark.usefixtures("private_home")


def make_attempt(learner="alice", lesson="lesson-1", score=2.0, max_score=4.0, minutes=0, **changes):
    fields = {
        "learner": learner,
        "lesson": lesson,
        "quiz": "quiz-a",
        "bank_version": "2026.1",
        "answers": {"q1": "b", "q2": ["a", "c"], "q3": 1.5},
        "score": score,
        "max_score": max_score,
        "passed": score / max_score >= 0.75,
        "submitted_at": T0 + dt.timedelta(minutes=minutes),
    }
    return Attempt(**(fields | changes))


@pytest.fixture
def db_file(tmp_path):
    return tmp_path / "db" / "progress.sqlite"


@pytest.fixture
def store(db_file, tmp_path):
    with ProgressStore(f"sqlite:///{db_file}", outbox_dir=tmp_path / "outbox", busy_timeout=0.3,
                       grader=None) as s:
        yield s


def raw_sql(db_file, *statements):
    con = sqlite3.connect(db_file)
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


def count_rows(db_file):
    con = sqlite3.connect(db_file)
    try:
        return con.execute("SELECT count(*) FROM attempts").fetchone()[0]
    finally:
        con.close()


# --- records ----------------------------------------------------------------------------------------


def test_record_and_read_back(store, db_file):
    attempt = make_attempt(
        submitted_at=dt.datetime(2026, 3, 2, 10, 30, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    )
    result = store.record(attempt)
    assert result.stored and result.message == "Attempt recorded." and result.attempt_id == attempt.attempt_id
    [stored] = store.attempts()
    assert stored.attempt_id == attempt.attempt_id
    assert stored.answers == attempt.answers
    assert (stored.score, stored.max_score, stored.passed) == (2.0, 4.0, False)
    assert stored.submitted_at == T0.replace(microsecond=123456)
    assert stored.submitted_at.tzinfo == dt.UTC
    assert stored.previous_hash == GENESIS_HASH and len(stored.record_hash) == 64
    assert store.schema_version() == SCHEMA_VERSION
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600
    con = sqlite3.connect(db_file)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_attempts_filter_and_frame(store):
    for learner, lesson in [("alice", "l1"), ("bob", "l1"), ("alice", "l2")]:
        store.record(make_attempt(learner=learner, lesson=lesson))
    assert [(a.learner, a.lesson) for a in store.attempts(learner="alice")] == [
        ("alice", "l1"),
        ("alice", "l2"),
    ]
    assert [a.learner for a in store.attempts(lesson="l1")] == ["alice", "bob"]
    assert store.attempts(learner="alice", lesson="l2")[0].lesson == "l2"
    frame = store.attempts_frame(learner="bob")
    assert list(frame["learner"]) == ["bob"] and json.loads(frame.loc[0, "answers"])["q1"] == "b"


def test_progress_per_lesson(store):
    store.record(make_attempt(lesson="l2-cookies", score=1, minutes=0))
    store.record(make_attempt(lesson="l1-basics", score=2, minutes=1))
    store.record(make_attempt(lesson="l1-basics", score=4, minutes=2))
    store.record(make_attempt(lesson="l1-basics", score=3, minutes=3))
    store.record(make_attempt(learner="bob", lesson="l3", score=4))
    progress = store.progress("alice")
    assert list(progress.columns) == [
        "lesson",
        "attempts",
        "best_score",
        "max_score",
        "best_percent",
        "passed",
        "last_attempt",
    ]
    assert progress.to_dict("records") == [
        {
            "lesson": "l1-basics",
            "attempts": 3,
            "best_score": 4.0,
            "max_score": 4.0,
            "best_percent": 100.0,
            "passed": True,
            "last_attempt": pd.Timestamp(T0 + dt.timedelta(minutes=3)),
        },
        {
            "lesson": "l2-cookies",
            "attempts": 1,
            "best_score": 1.0,
            "max_score": 4.0,
            "best_percent": 25.0,
            "passed": False,
            "last_attempt": pd.Timestamp(T0),
        },
    ]
    empty = store.progress("nobody")
    assert empty.empty and list(empty.columns) == list(progress.columns)


def test_default_location_is_created_on_first_use(tmp_path, monkeypatch):
    expected = tmp_path / "home" / "data" / "gdprlab" / "progress.sqlite"
    assert default_db_url() == f"sqlite:///{expected}"
    with ProgressStore(grader=None) as default:
        assert not expected.exists()
        assert default.record(make_attempt()).stored
    assert expected.exists()
    assert default.outbox.path == expected.parent / "outbox.jsonl"
    monkeypatch.setenv("GDPRLAB_DB_URL", f"sqlite:///{tmp_path / 'other.sqlite'}")
    with ProgressStore(grader=None) as other:
        assert other.url.database == str(tmp_path / "other.sqlite")
        assert other.attempts() == []


# --- hash chain -------------------------------------------------------------------------------------


@pytest.fixture
def chained(store):
    for i in range(4):
        store.record(make_attempt(learner="alice", score=i, minutes=i))
        store.record(make_attempt(learner="bob", score=i, minutes=i))
    return store


def test_chain_links_each_learners_records(chained):
    assert chained.verify_chain() == []
    for learner in ("alice", "bob"):
        rows = chained.attempts(learner=learner)
        assert rows[0].previous_hash == GENESIS_HASH
        assert [r.previous_hash for r in rows[1:]] == [r.record_hash for r in rows[:-1]]


def test_chain_detects_an_edited_record(chained, db_file):
    target = chained.attempts(learner="alice")[1]
    raw_sql(db_file, f"UPDATE attempts SET score = 3.0, passed = 1 WHERE id = {target.id}")
    problems = chained.verify_chain()
    assert [(p.learner, p.row_id, p.kind) for p in problems] == [("alice", target.id, "edited")]
    assert problems[0].attempt_id == target.attempt_id
    assert chained.verify_chain(learner="bob") == []


def test_chain_detects_edit_with_recomputed_hash_and_deletion(chained, db_file):
    alice = chained.attempts(learner="alice")
    raw_sql(db_file, f"UPDATE attempts SET record_hash = '{'f' * 64}' WHERE id = {alice[1].id}")
    problems = chained.verify_chain(learner="alice")
    assert [(p.row_id, p.kind) for p in problems] == [(alice[1].id, "edited"), (alice[2].id, "broken_link")]
    bob = chained.attempts(learner="bob")
    raw_sql(db_file, f"DELETE FROM attempts WHERE id = {bob[1].id}")
    assert [(p.row_id, p.kind) for p in chained.verify_chain(learner="bob")] == [(bob[2].id, "broken_link")]


def test_chain_reports_unreadable_values(chained, db_file):
    target = chained.attempts(learner="bob")[0]
    raw_sql(db_file, f"UPDATE attempts SET submitted_at = 'yesterday' WHERE id = {target.id}")
    assert [(p.row_id, p.kind) for p in chained.verify_chain()] == [(target.id, "unreadable")]


# --- erasure (Art. 17) and retention (Art. 5(1)(e)) ------------------------------------------------


def raw_rows(db_file):
    con = sqlite3.connect(db_file)
    try:
        query = "SELECT learner, lesson, answers, record_hash FROM attempts ORDER BY id"
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_erasing_a_learner_leaves_tombstones_that_keep_every_chain_verifiable(chained, db_file):
    alice = chained.attempts(learner="alice")
    old_head = chained.heads()["alice"]
    erased = chained.erase_learner("alice")
    assert (erased.records, erased.learners) == (4, 1)
    assert chained.attempts(learner="alice") == [] and {a.learner for a in chained.attempts()} == {"bob"}
    rows = raw_rows(db_file)
    assert not any("alice" in str(value) or '"q1"' in str(value) for row in rows for value in row[:3]
                   if row[1] == "(erased)")  # neither the id nor the answers are left
    assert {row[3] for row in rows if row[1] == "(erased)"} == {a.record_hash for a in alice}
    assert chained.tombstones() == 4
    assert chained.verify_chain() == []
    # a checkpoint taken before the erasure still names alice's head: accounted for, not a deletion
    assert chained.verify_chain(checkpoints={"the file": {"alice": old_head}}) == []


def test_tombstones_do_not_hide_a_deleted_or_edited_record(chained, db_file):
    chained.purge(T0 + dt.timedelta(minutes=2))  # alice's and bob's first two records
    alice = chained.attempts(learner="alice")
    assert len(alice) == 2
    raw_sql(db_file, f"UPDATE attempts SET score = 4.0 WHERE id = {alice[0].id}")
    assert [(p.row_id, p.kind) for p in chained.verify_chain(learner="alice")] == [(alice[0].id, "edited")]
    first = next(i for (i,) in sqlite3.connect(db_file).execute(
        "SELECT id FROM attempts WHERE learner = 'bob' ORDER BY id LIMIT 1"))
    raw_sql(db_file, f"DELETE FROM attempts WHERE id = {first}")
    assert [p.kind for p in chained.verify_chain(learner="bob")] == ["broken_link"]


def test_purge_erases_only_records_older_than_the_retention_period(store):
    for minutes in (0, 60 * 24 * 400):
        store.record(make_attempt(learner="alice", minutes=minutes))
    store.record(make_attempt(learner="bob"))
    erased = store.purge(T0 + dt.timedelta(days=365))
    assert (erased.records, erased.learners) == (2, 1)  # bob kept nothing, so his id went too
    assert [a.submitted_at for a in store.attempts()] == [T0 + dt.timedelta(days=400)]
    assert store.verify_chain() == []
    assert store.record(make_attempt(learner="alice", minutes=60 * 24 * 500)).stored  # the chain goes on
    assert store.verify_chain() == [] and store.purge(T0 + dt.timedelta(days=365)).records == 0


def test_erasure_also_removes_waiting_attempts_and_the_roster_row(store, tmp_path):
    from gdprlab.training.store.roster import RosterStore

    csv = tmp_path / "staff.csv"
    csv.write_text("staff_id,name,email,department,role,crm_access,start_date\n"
                   "alice,Alice Muster,a@example.com,sales,sales_rep,standard,2020-01-01\n"
                   "bob,Bob Beispiel,b@example.com,sales,sales_rep,standard,2020-01-01\n")
    with RosterStore(store.url) as roster:
        roster.import_csv(csv)
    store.record(make_attempt(learner="alice"))
    with store.outbox.locked():
        store.outbox.append(make_attempt(learner="alice", minutes=1), "locked")
        store.outbox.append(make_attempt(learner="bob", minutes=1), "locked")
    erased = store.erase_learner("alice")
    assert (erased.records, erased.learners, erased.outbox) == (1, 1, 1)
    assert [a.learner for a in store.pending()] == ["bob"]
    with RosterStore(store.url) as roster:
        assert list(roster.frame()["staff_id"]) == ["bob"]


# --- schema version ---------------------------------------------------------------------------------


def test_newer_schema_version_is_a_clear_error(store, db_file, tmp_path):
    store.record(make_attempt())
    raw_sql(db_file, "INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01 00:00:00')")
    newer = ProgressStore(f"sqlite:///{db_file}", outbox_dir=tmp_path / "outbox", grader=None)
    with pytest.raises(
        SchemaVersionError, match=r"schema version 99, newer than this gdprlab understands \(1\)"
    ):
        newer.attempts()
    with pytest.raises(SchemaVersionError):
        newer.progress("alice")
    result = newer.record(make_attempt(minutes=5))
    assert not result.stored and "upgrade gdprlab" in result.message and result.pending == 1
    assert len(newer.pending()) == 1 and count_rows(db_file) == 1
    newer.close()


def test_schema_version_table_records_migrations(store, db_file):
    store.attempts()
    con = sqlite3.connect(db_file)
    rows = con.execute("SELECT version, description FROM schema_version").fetchall()
    con.close()
    assert [version for version, _ in rows] == list(range(1, SCHEMA_VERSION + 1))


# --- outbox -----------------------------------------------------------------------------------------


def test_locked_database_goes_to_outbox_then_flush_stores_exactly_once(store, db_file):
    first = make_attempt(minutes=0)
    assert store.record(first).stored
    locker = sqlite3.connect(db_file, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        second = store.record(make_attempt(minutes=1))
        third = store.record(make_attempt(minutes=2))
        elapsed = time.monotonic() - started
    finally:
        locker.rollback()
        locker.close()
    assert not second.stored and not third.stored
    assert "database is locked" in second.message and "\n" not in second.message
    assert str(store.outbox.path) in second.message
    assert (second.pending, third.pending) == (1, 2)
    assert elapsed < 2.0  # one busy timeout per record(), not one per waiting attempt and another
    assert [a.attempt_id for a in store.pending()] == [second.attempt_id, third.attempt_id]
    assert stat.S_IMODE(store.outbox.path.stat().st_mode) == 0o600

    flushed = store.flush_outbox()
    assert (flushed.stored, flushed.already, flushed.remaining) == (2, 0, 0)
    assert store.flush_outbox().stored == 0
    assert [a.attempt_id for a in store.attempts()] == [first.attempt_id, second.attempt_id, third.attempt_id]
    assert store.pending() == [] and not store.outbox.path.exists()
    assert store.verify_chain() == []


def test_next_record_sends_the_outbox_first(store, db_file):
    store.record(make_attempt())
    locker = sqlite3.connect(db_file, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    queued = store.record(make_attempt(minutes=1))
    locker.rollback()
    locker.close()
    assert not queued.stored
    result = store.record(make_attempt(minutes=2))
    assert result.stored and "1 earlier attempt(s) from the outbox" in result.message
    assert [a.submitted_at.minute for a in store.attempts()] == [30, 31, 32]


def test_unreachable_sqlite_goes_to_outbox(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    outbox = tmp_path / "outbox"
    broken = ProgressStore(f"sqlite:///{blocker / 'progress.sqlite'}", outbox_dir=outbox, grader=None)
    result = broken.record(make_attempt())
    assert not result.stored and result.pending == 1
    assert result.message.startswith("Progress not saved to the database (") and "\n" not in result.message
    assert (outbox / "outbox.jsonl").exists()
    # once the database can be reached, the attempt goes in
    blocker.unlink()
    assert broken.flush_outbox().stored == 1
    assert len(broken.attempts()) == 1


def test_unreachable_server_goes_to_outbox(tmp_path):
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    down = ProgressStore("postgresql+psycopg://@127.0.0.1:1/test", outbox_dir=tmp_path, connect_timeout=2,
                         grader=None)
    result = down.record(make_attempt())
    assert not result.stored and result.pending == 1
    assert "127.0.0.1" in result.message and "\n" not in result.message
    assert len(down.pending()) == 1


def test_duplicate_uuid_is_not_stored_twice(store, db_file):
    attempt = make_attempt()
    assert store.record(attempt).stored
    again = store.record(attempt)
    assert again.stored and "already recorded" in again.message
    assert count_rows(db_file) == 1


def test_retry_after_ambiguous_failure_does_not_duplicate(store, db_file):
    """The commit went through but the client saw an error: the attempt is in the table and the outbox."""
    attempt = make_attempt()
    store.record(attempt)
    with store.outbox.locked():
        store.outbox.append(attempt, "connection lost during COMMIT")
    flushed = store.flush_outbox()
    assert (flushed.stored, flushed.already, flushed.remaining) == (0, 1, 0)
    assert count_rows(db_file) == 1 and store.pending() == []


def test_raw_duplicate_uuid_is_refused_by_the_table(store, db_file):
    store.record(make_attempt())
    with pytest.raises(sqlite3.IntegrityError, match="attempt_uuid"):
        raw_sql(
            db_file,
            "INSERT INTO attempts SELECT NULL, attempt_uuid, learner, lesson, quiz, bank_version, "
            "answers, score, max_score, passed, submitted_at, 'x', 'y' FROM attempts",
        )


def test_outbox_of_another_database_is_left_alone(tmp_path):
    outbox = tmp_path / "outbox"
    one = ProgressStore(f"sqlite:///{tmp_path / 'one.sqlite'}", outbox_dir=outbox, grader=None)
    two = ProgressStore(f"sqlite:///{tmp_path / 'two.sqlite'}", outbox_dir=outbox, grader=None)
    with one.outbox.locked():
        one.outbox.append(make_attempt(), "test")
    assert two.flush_outbox().stored == 0 and two.attempts() == []
    assert two.record(make_attempt(minutes=1)).stored
    assert len(one.pending()) == 1 and len(two.attempts()) == 1
    assert one.flush_outbox().stored == 1


def test_damaged_outbox_line_is_kept_and_does_not_swallow_the_next(store):
    store.outbox.path.parent.mkdir(parents=True)
    store.outbox.path.write_text('{"target": "cut short by a cra')
    with store.outbox.locked():
        store.outbox.append(make_attempt(), "test")
    flushed = store.flush_outbox()
    assert flushed.stored == 1 and flushed.remaining == 1 and "unreadable" in flushed.message
    assert store.outbox.path.read_text() == '{"target": "cut short by a cra\n'


# --- concurrency ------------------------------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from gdprlab.training.store.progress import ProgressStore
    from gdprlab.training.store.records import Attempt

    url, schema, outbox, worker, go = sys.argv[1:6]
    store = ProgressStore(url, schema=schema or None, outbox_dir=outbox, busy_timeout=60, grader=None)
    while not Path(go).exists():
        time.sleep(0.005)
    for i in range(10):
        result = store.record(Attempt(
            learner="shared" if i % 2 else f"worker-{worker}", lesson=f"lesson-{i % 3}", quiz="q",
            bank_version="1", answers={"worker": worker, "i": i}, score=i % 5, max_score=4,
            passed=i % 5 >= 3,
        ))
        if not result.stored:
            sys.exit("not stored: " + result.message)
    store.close()
    """
)


def run_writers(tmp_path, url, schema="", processes=4):
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[3]))
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, schema, str(tmp_path / "outbox"), str(n), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    time.sleep(0.5)
    go.touch()
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-2000:]


def test_concurrent_writers_on_sqlite(tmp_path):
    db_file = tmp_path / "shared.sqlite"
    run_writers(tmp_path, f"sqlite:///{db_file}")
    with ProgressStore(f"sqlite:///{db_file}", outbox_dir=tmp_path / "outbox", grader=None) as store:
        rows = store.attempts()
        assert len(rows) == 40 and len({r.attempt_id for r in rows}) == 40
        assert len(store.attempts(learner="shared")) == 20
        assert store.verify_chain() == []
        assert store.pending() == []


# --- PostgreSQL -------------------------------------------------------------------------------------


@pytest.fixture
def pg_store(pg_schema, tmp_path):
    with ProgressStore(PG_URL, schema=pg_schema, outbox_dir=tmp_path / "outbox", grader=None) as s:
        yield s


def test_postgres_record_progress_and_chain(pg_store, pg_engine, pg_schema):
    for i in range(3):
        assert pg_store.record(make_attempt(score=i + 2, minutes=i)).stored
    assert pg_store.record(make_attempt(learner="bob", lesson="l9")).stored
    progress = pg_store.progress("alice")
    assert progress.loc[0, ["attempts", "best_score", "passed"]].tolist() == [3, 4.0, True]
    assert progress.loc[0, "last_attempt"] == pd.Timestamp(T0 + dt.timedelta(minutes=2))
    assert pg_store.verify_chain() == []
    assert pg_store.schema_version() == SCHEMA_VERSION
    target = pg_store.attempts(learner="alice")[1]
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE \"{pg_schema}\".attempts SET answers = '{{}}' WHERE id = {target.id}"))
    assert [(p.row_id, p.kind) for p in pg_store.verify_chain()] == [(target.id, "edited")]


def test_postgres_duplicate_uuid_and_outbox_retry(pg_store):
    attempt = make_attempt()
    assert pg_store.record(attempt).stored
    with pg_store.outbox.locked():
        pg_store.outbox.append(attempt, "ambiguous")
    assert pg_store.flush_outbox().already == 1
    assert "already recorded" in pg_store.record(attempt).message
    assert len(pg_store.attempts()) == 1


def test_postgres_newer_schema_version(pg_store, pg_engine, pg_schema, tmp_path):
    pg_store.attempts()
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO \"{pg_schema}\".schema_version VALUES (7, 'future', now())"))
    with (
        ProgressStore(PG_URL, schema=pg_schema, outbox_dir=tmp_path, grader=None) as newer,
        pytest.raises(SchemaVersionError, match="version 7"),
    ):
        newer.verify_chain()


def test_postgres_concurrent_writers(pg_schema, tmp_path):
    run_writers(tmp_path, PG_URL, pg_schema)
    with ProgressStore(PG_URL, schema=pg_schema, outbox_dir=tmp_path / "outbox", grader=None) as store:
        assert len(store.attempts()) == 40
        assert store.verify_chain() == []
        assert store.pending() == []


def test_postgres_erasure_and_purge_keep_the_chain_verifiable(pg_store):
    for i in range(3):
        assert pg_store.record(make_attempt(learner="alice", minutes=i)).stored
        assert pg_store.record(make_attempt(learner="bob", minutes=i)).stored
    assert pg_store.erase_learner("alice").records == 3
    assert pg_store.purge(T0 + dt.timedelta(minutes=1)).records == 1
    assert [a.learner for a in pg_store.attempts()] == ["bob", "bob"]
    assert pg_store.tombstones() == 4 and pg_store.verify_chain() == []
