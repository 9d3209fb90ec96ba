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
``attempt_heads``
    each learner's latest ``record_hash`` (``learner``, ``head_hash``, ``attempts`` in the chain then,
    ``updated_at``), written in the same transaction as the attempt: a checkpoint of every chain outside the
    attempts table, so that deleting a learner's latest rows, the learner or the whole table is detected
    (:mod:`gdprlab.training.store.checkpoint`). It carries no version of its own: a database without it (an
    older gdprlab wrote it) gets it on the next write, seeded with the chains as they are then.
``roster_staff``, ``roster_schema_version``
    the staff roster (:mod:`gdprlab.training.store.roster`) and its own version, so that a trainer's
    roster import never migrates the learners' attempts (nor locks out learners on an older gdprlab).

The tables carry no schema name: a store given a PostgreSQL ``schema`` maps them into it when connecting
(:func:`make_engine`).

URLs: ``postgres://`` is read as ``postgresql://`` (with the psycopg driver when psycopg2 is absent), a
relative SQLite file is made absolute; :func:`target_key` is the one spelling of a database (the outbox and
the checkpoints are keyed by it). A URL that cannot be read, an unknown backend or a missing driver is a
:class:`StoreError` (a ValueError: one line, no traceback), as is any database failure met by a command
inside :func:`store_errors`.

Where: by default a SQLite file, ``~/.local/share/gdprlab/progress.sqlite`` (``$XDG_DATA_HOME/gdprlab/…``
when that variable is set), created readable by its owner only on first use. ``GDPRLAB_DB_URL`` selects any
other SQLAlchemy URL, e.g. a shared ``postgresql+psycopg://@127.0.0.1:5432/test``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine

from gdprlab.training.store.records import MAX_TEXT, as_utc, stored_utc

__all__ = ["DB_URL_ENV", "METADATA", "MIGRATIONS", "ROSTER_SCHEMA_VERSION", "SCHEMA_VERSION", "Migration",
           "Database", "SchemaVersionError", "StoreError", "UTCDateTime", "attempt_heads", "attempts",
           "attempts_version", "certificates", "database_url", "default_data_dir", "default_db_url",
           "ensure_certificates", "ensure_heads",
           "ensure_roster", "make_engine", "migrate", "prepare_sqlite_file", "reason", "require_sqlite_file",
           "roster_schema_version", "roster_staff", "schema_version", "shown_url", "store_errors",
           "target_key"]

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


class StoreError(ValueError):
    """The training database cannot be used as asked (missing, unreachable, not a gdprlab database, ...)."""


def shown_url(url: str | URL | None) -> str:
    """A URL as messages show it: the password hidden, and nothing of text that is no URL at all."""
    try:
        return sa.make_url(url if url is not None else default_db_url()).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError, TypeError):
        return "(the given text, which is no database URL)"


def _driver(url: URL) -> URL:
    """``postgres[+driver]://`` read as ``postgresql[+driver]://``; plain ``postgresql://`` gets the psycopg
    (3) driver when psycopg2, SQLAlchemy's default, is not installed."""
    name = url.drivername
    if name == "postgres" or name.startswith("postgres+"):
        name = "postgresql" + name[len("postgres"):]
    if name == "postgresql" and importlib.util.find_spec("psycopg2") is None \
            and importlib.util.find_spec("psycopg") is not None:
        name = "postgresql+psycopg"
    return url.set(drivername=name)


def database_url(url: str | URL | None = None) -> URL:
    """The URL to open (:func:`default_db_url` when None), a relative SQLite file made absolute, so that two
    stores, and the outbox, agree on which database it is; text that is no URL is a :class:`StoreError`."""
    try:
        url = _driver(sa.make_url(url if url is not None else default_db_url()))
    except (sa.exc.ArgumentError, ValueError, TypeError):
        raise StoreError(f"{shown_url(url)} is not a database URL (expected e.g. "
                         "sqlite:////path/progress.sqlite or postgresql://host/database)") from None
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not database.startswith(
            "file:"):
        return url.set(database=str(Path(database).expanduser().absolute()))
    return url


#: the port a backend listens on when a URL gives none
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mssql": 1433, "oracle": 1521}
#: URL query keys that change how to connect, not which database it is
_CONNECTION_ONLY = frozenset({"connect_timeout", "application_name", "sslmode", "sslrootcert", "sslcert",
                              "sslkey", "target_session_attrs", "keepalives", "keepalives_idle"})


def target_key(url: str | URL | None = None, schema: str | None = None) -> str:
    """The one spelling of a database: backend without driver, user, host in lower case, port (the default
    filled in), database, the query keys that select data, and the schema; no password. A SQLite file is
    its real absolute path. Two spellings of one database give one key (e.g. ``postgres://H/db`` and
    ``postgresql+psycopg://h:5432/db``); the key is itself a URL that can be opened (without password)."""
    url = database_url(url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        if database not in ("", ":memory:") and not database.startswith("file:"):
            database = os.path.realpath(database)
        key = f"sqlite:///{database}"
    else:
        port = url.port or _DEFAULT_PORTS.get(backend, "")
        query = "&".join(f"{k}={v}" for k, v in sorted(url.query.items())
                         if k not in _CONNECTION_ONLY)
        key = (f"{backend}://{url.username or ''}@{(url.host or '').lower()}:{port}/{url.database or ''}"
               + (f"?{query}" if query else ""))
    return key + (f"#schema={schema}" if schema else "")


def prepare_sqlite_file(url: URL) -> None:
    """Create a missing SQLite file, and its folder, readable by the owner only (it holds personal data)."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)  # whatever the umask


def require_sqlite_file(url: URL) -> None:
    """A reading command's check: a SQLite file that does not exist is a :class:`StoreError` (reading never
    creates a database, so a mistyped path is never an empty store)."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database.startswith("file:"):
        return
    if database in ("", ":memory:"):
        raise StoreError("an in-memory SQLite database holds no progress to read; give the store's file")
    if not Path(database).is_file():
        raise StoreError(f"no progress database at {database}: check the path (--db or GDPRLAB_DB_URL); "
                         "reading never creates one")


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
#: rows per statement when many are written or named at once (PostgreSQL takes at most 65,535 parameters)
BATCH_ROWS = 5_000

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
attempt_heads = sa.Table(
    "attempt_heads",
    METADATA,
    sa.Column("learner", sa.String(64), primary_key=True),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)
#: certificates issued (gdprlab.training.certificates): created on the first issue, like attempt_heads, so
#: that an older gdprlab still opens the database; the code is what ``progress verify-certificate`` looks up
certificates = sa.Table(
    "certificates",
    METADATA,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("learner", sa.String(64), nullable=False),
    sa.Column("course", sa.String(200), nullable=False),
    sa.Column("completed_on", sa.Date, nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("expires_on", sa.Date, nullable=False),
    sa.Column("attempts", sa.Text, nullable=False),  # JSON list of the certified attempts' UUIDs
    sa.Column("digest", sa.String(64), nullable=False),  # certificates.verification_hash of those records
    sa.Column("issued_at", UTCDateTime(), nullable=False),
    sa.Index("ix_certificates_learner", "learner"),
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


class SchemaVersionError(StoreError):
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


def ensure_heads(conn: Connection, schema: str | None = None) -> None:
    """Create ``attempt_heads`` when missing, seeded with every learner's chain as it is now (call it with
    the writers' lock held)."""
    if sa.inspect(conn).has_table(attempt_heads.name, schema=schema):
        return
    attempt_heads.create(conn, checkfirst=True)
    a = attempts
    counts = sa.select(a.c.learner, sa.func.count().label("n"), sa.func.max(a.c.id).label("last")) \
        .group_by(a.c.learner).subquery()
    heads = sa.select(a.c.learner, a.c.record_hash, counts.c.n).join(
        counts, sa.and_(a.c.learner == counts.c.learner, a.c.id == counts.c.last))
    now = dt.datetime.now(dt.UTC)
    rows = [{"learner": learner, "head_hash": head, "attempts": n, "updated_at": now}
            for learner, head, n in conn.execute(heads)]
    for start in range(0, len(rows), BATCH_ROWS):
        conn.execute(attempt_heads.insert(), rows[start:start + BATCH_ROWS])


def ensure_certificates(conn: Connection, schema: str | None = None) -> None:
    """Create the ``certificates`` table when missing."""
    if not sa.inspect(conn).has_table(certificates.name, schema=schema):
        certificates.create(conn, checkfirst=True)


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


def _switch_to_wal(cursor: sqlite3.Cursor, busy_timeout: float) -> None:
    """PRAGMA journal_mode = WAL, tried again for up to ``busy_timeout`` seconds while SQLite says the
    database is locked: connections opening a new file at once each switch it, and SQLite refuses the
    switch at once, without its busy handler, while another holds the lock (over in milliseconds)."""
    deadline, delay = time.monotonic() + busy_timeout, 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


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
                _switch_to_wal(cursor, busy_timeout)
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


def reason(error: BaseException) -> str:
    """A one-line explanation of a database failure (no traceback, no SQL, no password)."""
    if isinstance(error, StoreError):
        return str(error)
    original = getattr(error, "orig", None) or error
    text = " ".join(str(original).split("\n")[0].split()) or type(original).__name__
    return text[:300]


@contextlib.contextmanager
def store_errors(url: str | URL | None = None) -> Iterator[None]:
    """Turn a database failure inside the block into one :class:`StoreError` naming the database (for
    commands: a message, never a traceback)."""
    try:
        yield
    except StoreError:
        raise
    except sa.exc.SQLAlchemyError as error:
        raise StoreError(f"the progress database {shown_url(url)} cannot be used: {reason(error)}") from error


class Database:
    """One training database opened by a store: its URL, backend, PostgreSQL schema and engine.

    A context manager: leaving it releases the connections (as :meth:`close` does). ``url`` defaults to
    :func:`default_db_url`; the timeouts are those of :func:`make_engine`. ``create``: whether the
    store may create the database and its tables (writers); a reader (``create=False``) finds a missing
    SQLite file or missing tables a :class:`StoreError`.
    """

    def __init__(self, url: str | URL | None = None, *, schema: str | None = None, busy_timeout: float = 10.0,
                 connect_timeout: float = 5.0, create: bool = True) -> None:
        self.url = database_url(url)
        self.backend = self.url.get_backend_name()
        self.schema = schema
        self.create = create
        try:
            self.engine = make_engine(self.url, schema=schema, busy_timeout=busy_timeout,
                                      connect_timeout=connect_timeout)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as error:
            raise StoreError(f"cannot open {shown_url(self.url)}: {reason(error)} (unknown database "
                             "backend, or its driver is not installed)") from None

    def prepare(self) -> None:
        """Before the first connection: a writer creates a missing SQLite file (owner-only), a reader
        refuses it."""
        if self.create:
            prepare_sqlite_file(self.url)
        else:
            require_sqlite_file(self.url)

    @contextlib.contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        """A transaction; on SQLite a writer's is ``BEGIN IMMEDIATE``, which waits for the busy timeout to
        take the write lock first. A deferred one that reads, then writes after another writer, is refused
        at once ("database is locked"): its snapshot is stale, so SQLite does not wait."""
        with self.engine.connect() as conn:
            if write and self.backend == "sqlite":
                conn = conn.execution_options(gdprlab_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def _lock(self, conn: Connection, name: str) -> None:
        """On PostgreSQL, an advisory lock on ``name`` to the end of the transaction (SQLite: BEGIN IMMEDIATE
        already excludes other writers)."""
        if self.backend == "postgresql":
            digest = hashlib.sha256(f"gdprlab:{self.schema or ''}:{name}".encode()).digest()
            key = int.from_bytes(digest[:8], "big", signed=True)
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
