"""The training database: one set of tables, the same as earlier versions wrote, found where expected."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers import PG_URL

from gdprlab.training.store import schema
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import Attempt
from gdprlab.training.store.roster import RosterStore

#: a database as gdprlab wrote it before the store was split (attempts of s1 and s2, a roster row)
BEFORE = Path(__file__).parent / "data" / "progress_v1.sql"


def ddl(path: Path) -> dict[str, str]:
    """Each table's and index's CREATE statement, whitespace normalised."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    finally:
        con.close()
    return {name: re.sub(r"\s+", " ", sql) for name, sql in rows}


@pytest.fixture
def before(tmp_path) -> Path:
    path = tmp_path / "before.sqlite"
    con = sqlite3.connect(path)
    con.executescript(BEFORE.read_text(encoding="utf-8"))
    con.close()
    return path


def test_one_metadata_holds_the_attempts_their_heads_the_roster_and_their_versions():
    tables = {"attempts", "attempt_heads", "schema_version", "roster_staff", "roster_schema_version",
              "certificates"}
    assert set(schema.METADATA.tables) == tables
    assert all(table.schema is None for table in schema.METADATA.tables.values())


def test_the_tables_are_created_exactly_as_earlier_versions_created_them_plus_the_heads(before, tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    with ProgressStore(url, outbox_dir=tmp_path, grader=None) as store:
        store.attempts()
    with RosterStore(url) as roster:
        roster.frame()
    created = ddl(tmp_path / "new.sqlite")
    assert created.pop("attempt_heads").startswith("CREATE TABLE attempt_heads ( learner VARCHAR(64)")
    assert {k: v for k, v in created.items() if "attempt_heads" not in k} == ddl(before)


def test_a_database_written_before_opens_reads_and_extends_its_chains(before, tmp_path):
    url, tables = f"sqlite:///{before}", ddl(before)
    with ProgressStore(url, outbox_dir=tmp_path, grader=None) as store:
        assert [(a.learner, a.lesson, a.score) for a in store.attempts()] == [
            ("s1", "01_classification", 8.0), ("s2", "01_classification", 5.0), ("s1", "02_permission", 9.0)]
        assert store.attempts()[0].submitted_at == dt.datetime(2025, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)
        assert store.verify_chain() == [] and store.schema_version() == 1
        assert store.record(Attempt(learner="s1", lesson="03_minimisation", quiz="q", bank_version="2025.1",
                                    answers={}, score=1, max_score=2, passed=False)).stored
        last = store.attempts(learner="s1")
        assert last[-1].previous_hash == last[-2].record_hash and store.verify_chain() == []
    with RosterStore(url) as roster:
        assert roster.frame().to_dict("records") == [
            {"staff_id": "S1", "learner_id": "s1", "name": "Ann", "department": "Sales", "role": "rep",
             "crm_access": "standard", "start_date": dt.date(2024, 1, 15)}]
    # nothing migrated; only the heads table is added, seeded with the chains as they were
    assert {k: v for k, v in ddl(before).items() if "attempt_heads" not in k} == tables
    with ProgressStore(url, outbox_dir=tmp_path, grader=None) as store:
        assert set(store.heads()) == {"s1", "s2"} and store.heads()["s1"][1] == 3


def test_the_default_database_is_a_file_in_the_users_data_folder(tmp_path):
    assert schema.default_data_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "gdprlab"
    assert schema.default_data_dir({}) == Path.home() / ".local" / "share" / "gdprlab"
    expected = f"sqlite:///{tmp_path}/gdprlab/progress.sqlite"
    assert schema.default_db_url({"XDG_DATA_HOME": str(tmp_path)}) == expected
    assert schema.default_db_url({"GDPRLAB_DB_URL": "postgresql://db/x"}) == "postgresql://db/x"


def test_a_relative_sqlite_file_is_made_absolute_so_that_all_stores_mean_the_same_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert schema.database_url("sqlite:///rel.sqlite").database == str(tmp_path / "rel.sqlite")
    assert schema.database_url("sqlite://").database is None
    assert schema.database_url("postgresql://db/x").database == "x"
    monkeypatch.setenv("GDPRLAB_DB_URL", "sqlite:///env.sqlite")
    assert schema.database_url().database == str(tmp_path / "env.sqlite")


class _Cursor:
    """A cursor whose PRAGMA journal_mode fails with `errors` first."""

    def __init__(self, *errors: str) -> None:
        self.errors, self.calls = list(errors), 0

    def execute(self, sql: str) -> None:
        self.calls += 1
        if self.errors:
            raise sqlite3.OperationalError(self.errors.pop(0))


def test_the_switch_to_wal_waits_while_another_connection_holds_the_new_file():
    """Connections opening a new SQLite file at once each switch it to WAL; SQLite refuses the switch at
    once while another holds the lock, so it is tried again within the busy timeout, and only then fails."""
    cursor = _Cursor("database is locked", "database is locked")
    schema._switch_to_wal(cursor, busy_timeout=5)
    assert cursor.calls == 3
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        schema._switch_to_wal(_Cursor(*["database is locked"] * 100), busy_timeout=0.05)
    other = _Cursor("disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk"):
        schema._switch_to_wal(other, busy_timeout=5)
    assert other.calls == 1  # anything but a lock is not tried again


def test_a_new_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    url = schema.database_url(f"sqlite:///{tmp_path / 'new' / 'db.sqlite'}")
    schema.prepare_sqlite_file(url)
    assert stat.S_IMODE((tmp_path / "new" / "db.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    schema.prepare_sqlite_file(schema.database_url("postgresql://db/x"))  # nothing to create


def test_migrating_a_blank_database_creates_the_attempts_and_records_every_version(tmp_path):
    engine = schema.make_engine(schema.database_url(f"sqlite:///{tmp_path / 'm.sqlite'}"))
    with engine.begin() as conn:
        assert schema.attempts_version(conn) is None
        schema.migrate(conn, None)
        assert schema.attempts_version(conn) == schema.SCHEMA_VERSION == len(schema.MIGRATIONS)
        assert set(sa.inspect(conn).get_table_names()) == {"attempts", "schema_version"}
        schema.migrate(conn, schema.SCHEMA_VERSION)  # nothing left to apply
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.schema_version)).scalar() == 1
    engine.dispose()


def test_the_roster_has_its_own_version_and_refuses_a_newer_one(tmp_path):
    engine = schema.make_engine(schema.database_url(f"sqlite:///{tmp_path / 'r.sqlite'}"))
    with engine.begin() as conn:
        schema.ensure_roster(conn)
        schema.ensure_roster(conn)
        assert set(sa.inspect(conn).get_table_names()) == {"roster_staff", "roster_schema_version"}
        conn.execute(schema.roster_schema_version.insert().values(version=2, description="future"))
        with pytest.raises(schema.SchemaVersionError, match="roster schema version 2 is newer"):
            schema.ensure_roster(conn)
    engine.dispose()


def test_sqlite_runs_in_wal_mode_and_begins_as_a_connection_asks(tmp_path):
    engine = schema.make_engine(schema.database_url(f"sqlite:///{tmp_path / 'w.sqlite'}"), busy_timeout=2.5)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with engine.connect() as conn, conn.execution_options(gdprlab_begin="IMMEDIATE").begin():
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2500
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT 1")
    engine.dispose()
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN"]


def test_a_postgresql_schema_receives_the_tables(pg_engine, pg_schema):
    engine = schema.make_engine(sa.make_url(PG_URL), schema=pg_schema)
    with engine.begin() as conn:
        schema.migrate(conn, schema.attempts_version(conn, pg_schema))
        schema.ensure_heads(conn, pg_schema)
        schema.ensure_roster(conn)
        schema.ensure_certificates(conn, pg_schema)
    engine.dispose()
    assert set(sa.inspect(pg_engine).get_table_names(schema=pg_schema)) == set(schema.METADATA.tables)
