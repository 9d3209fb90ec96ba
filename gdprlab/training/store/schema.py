"""The training database in one place: where it lives, its tables, their versions and how to connect.

One SQLAlchemy :data:`METADATA` declares every table, with the names and columns earlier versions wrote,
so existing databases open unchanged:

``attempts``
    one row per submitted quiz: ``id``, ``attempt_uuid`` (client-generated, unique), ``learner``,
    ``lesson``, ``quiz``, ``bank_version``, ``answers`` (canonical JSON text), ``score``, ``max_score``,
    ``passed``, ``submitted_at`` (UTC), ``previous_hash`` and ``record_hash``
    (:mod:`gdprlab.training.store.records`); written by
    :class:`~gdprlab.training.store.progress.ProgressStore`.
``schema_version``
    one row per applied migration of the attempts (``version``, ``description``, ``applied_at``).
    Migrations are :data:`MIGRATIONS`; opening a database applies the missing ones, and a database whose
    version is newer than :data:`SCHEMA_VERSION` gives a :class:`SchemaVersionError`.
``roster_staff``, ``roster_schema_version``
    the staff roster (:mod:`gdprlab.training.store.roster`) and its own version, so that a trainer's
    roster import never migrates the learners' attempts (nor locks out learners on an older gdprlab).

The tables carry no schema name: a store given a PostgreSQL ``schema`` maps them into it when connecting
(:func:`make_engine`).

Where: by default a SQLite file, ``~/.local/share/gdprlab/progress.sqlite`` (``$XDG_DATA_HOME/gdprlab/…``
when that variable is set), created readable by its owner only on first use. ``GDPRLAB_DB_URL`` selects any
other SQLAlchemy URL, e.g. a shared ``postgresql+psycopg://@127.0.0.1:5432/test``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine

from gdprlab.training.store.records import MAX_TEXT, as_utc, stored_utc

__all__ = ["DB_URL_ENV", "METADATA", "MIGRATIONS", "ROSTER_SCHEMA_VERSION", "SCHEMA_VERSION", "Migration",
           "Database", "SchemaVersionError", "UTCDateTime", "attempts", "attempts_version", "database_url",
           "default_data_dir", "default_db_url", "ensure_roster", "make_engine", "migrate",
           "prepare_sqlite_file", "roster_schema_version", "roster_staff", "schema_version"]

log = logging.getLogger(__name__)

#: Environment variable with the SQLAlchemy URL of the training database.
DB_URL_ENV = "GDPRLAB_DB_URL"


# --------------------------------------------------------------------------------------------------
# Where


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/gdprlab``, i.e. ``~/.local/share/gdprlab`` by default."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "gdprlab"


def default_db_url(env: Mapping[str, str] | None = None) -> str:
    """``GDPRLAB_DB_URL`` when set, else the SQLite file ``progress.sqlite`` in :func:`default_data_dir`."""
    env = os.environ if env is None else env
    if env.get(DB_URL_ENV):
        return env[DB_URL_ENV]
    return f"sqlite:///{default_data_dir(env) / 'progress.sqlite'}"


def database_url(url: str | URL | None = None) -> URL:
    """The URL to open (:func:`default_db_url` when None), a relative SQLite file made absolute, so that two
    stores, and the outbox, agree on which database it is."""
    url = sa.make_url(url if url is not None else default_db_url())
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not database.startswith(
            "file:"):
        return url.set(database=str(Path(database).expanduser().absolute()))
    return url


def prepare_sqlite_file(url: URL) -> None:
    """Create a missing SQLite file, and its folder, readable by the owner only (it holds personal data)."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600, exist_ok=True)


# --------------------------------------------------------------------------------------------------
# Tables


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive UTC text)."""

    impl = sa.DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return None if value is None else stored_utc(value)


METADATA = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    METADATA,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", UTCDateTime(), nullable=False),
)
attempts = sa.Table(
    "attempts",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("attempt_uuid", sa.String(36), nullable=False),
    sa.Column("learner", sa.String(64), nullable=False),
    sa.Column("lesson", sa.String(MAX_TEXT["lesson"]), nullable=False),
    sa.Column("quiz", sa.String(MAX_TEXT["quiz"]), nullable=False),
    sa.Column("bank_version", sa.String(MAX_TEXT["bank_version"]), nullable=False),
    sa.Column("answers", sa.Text, nullable=False),
    sa.Column("score", sa.Double, nullable=False),
    sa.Column("max_score", sa.Double, nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("submitted_at", UTCDateTime(), nullable=False),
    sa.Column("previous_hash", sa.String(64), nullable=False),
    sa.Column("record_hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("attempt_uuid", name="uq_attempts_uuid"),
    sa.UniqueConstraint("learner", "previous_hash", name="uq_attempts_chain"),
    sa.Index("ix_attempts_learner_id", "learner", "id"),
    sa.Index("ix_attempts_lesson", "lesson"),
)
roster_schema_version = sa.Table(
    "roster_schema_version",
    METADATA,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
)
roster_staff = sa.Table(
    "roster_staff",
    METADATA,
    sa.Column("staff_id", sa.String(64), primary_key=True),
    sa.Column("learner_id", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("department", sa.String(200), nullable=False),
    sa.Column("role", sa.String(200), nullable=False),
    sa.Column("crm_access", sa.String(16), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
)


# --------------------------------------------------------------------------------------------------
# Versions


class SchemaVersionError(RuntimeError):
    """The database was created by a newer gdprlab (or is not a gdprlab progress database)."""


@dataclass(frozen=True)
class Migration:
    """Brings a database from ``version - 1`` to ``version``; runs inside the migrating transaction."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_attempts(conn: Connection) -> None:
    attempts.create(conn, checkfirst=True)


#: Every change of the attempts tables, in order.  Add a row (never edit an applied one) and raise
#: SCHEMA_VERSION; older gdprlab versions then refuse the database (:class:`SchemaVersionError`).
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "attempts table with per-learner hash chain", _create_attempts),
)
SCHEMA_VERSION = MIGRATIONS[-1].version
ROSTER_SCHEMA_VERSION = 1


def attempts_version(conn: Connection, schema: str | None = None) -> int | None:
    """The attempts tables' version; None when the database has no ``schema_version`` table yet."""
    if not sa.inspect(conn).has_table(schema_version.name, schema=schema):
        return None
    return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0


def migrate(conn: Connection, version: int | None) -> None:
    """Apply every migration after ``version`` (None: a database without the version table)."""
    if version is None:
        schema_version.create(conn, checkfirst=True)
        version = 0
    for migration in MIGRATIONS:
        if migration.version > version:
            migration.apply(conn)
            conn.execute(schema_version.insert().values(version=migration.version,
                                                        description=migration.description,
                                                        applied_at=dt.datetime.now(dt.UTC)))
            log.info("progress database migrated to version %d", migration.version)


def ensure_roster(conn: Connection) -> None:
    """Create the roster tables when missing; a roster newer than this gdprlab is a SchemaVersionError."""
    METADATA.create_all(conn, tables=[roster_schema_version, roster_staff], checkfirst=True)
    version = conn.execute(sa.select(sa.func.max(roster_schema_version.c.version))).scalar()
    if version is None:
        conn.execute(roster_schema_version.insert().values(version=ROSTER_SCHEMA_VERSION,
                                                           description="roster_staff table"))
    elif version > ROSTER_SCHEMA_VERSION:
        raise SchemaVersionError(f"roster schema version {version} is newer than this gdprlab "
                                 f"({ROSTER_SCHEMA_VERSION})")


# --------------------------------------------------------------------------------------------------
# Connecting


def make_engine(url: URL, *, schema: str | None = None, busy_timeout: float = 10.0,
                connect_timeout: float = 5.0) -> Engine:
    """An engine for ``url`` with the tables mapped into ``schema`` (PostgreSQL) when given.

    SQLite runs in WAL mode and waits ``busy_timeout`` seconds for a lock; SQLAlchemy, not the sqlite3
    module, emits BEGIN, with the mode a connection's ``gdprlab_begin`` execution option asks for (e.g.
    ``IMMEDIATE`` to take the write lock at once). A server gets ``connect_timeout`` seconds to answer.
    """
    backend = url.get_backend_name()
    if backend == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
                cursor.execute("PRAGMA journal_mode = WAL")
            finally:
                cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            mode = conn.get_execution_options().get("gdprlab_begin", "")
            conn.exec_driver_sql(f"BEGIN {mode}".strip())

    else:
        connect_args: dict[str, Any] = {}
        if backend == "postgresql" and "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = max(1, round(connect_timeout))
        engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    if schema is not None:
        engine = engine.execution_options(schema_translate_map={None: schema})
    return engine


class Database:
    """One training database opened by a store: its URL, backend, PostgreSQL schema and engine.

    A context manager: leaving it releases the connections (as :meth:`close` does). ``url`` defaults to
    :func:`default_db_url`; the timeouts are those of :func:`make_engine`.
    """

    def __init__(self, url: str | URL | None = None, *, schema: str | None = None, busy_timeout: float = 10.0,
                 connect_timeout: float = 5.0) -> None:
        self.url = database_url(url)
        self.backend = self.url.get_backend_name()
        self.schema = schema
        self.engine = make_engine(self.url, schema=schema, busy_timeout=busy_timeout,
                                  connect_timeout=connect_timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
