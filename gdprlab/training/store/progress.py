"""The record of quiz attempts: an append-only, hash-chained table in any SQLAlchemy database.

Where
-----
By default a SQLite file, ``~/.local/share/gdprlab/progress.sqlite`` (``$XDG_DATA_HOME/gdprlab/…`` when
that variable is set), created with its folder on first use.  The ``GDPRLAB_DB_URL`` environment
variable or the ``url`` argument of :class:`ProgressStore` selects any other SQLAlchemy URL, e.g. a
shared PostgreSQL database ``postgresql+psycopg://@127.0.0.1:5432/test``; ``schema`` puts the tables
in a PostgreSQL schema.

Tables
------
``attempts``
    one row per submitted quiz: ``id``, ``attempt_uuid`` (client-generated, unique), ``learner``,
    ``lesson``, ``quiz``, ``bank_version``, ``answers`` (canonical JSON text), ``score``,
    ``max_score``, ``passed``, ``submitted_at`` (UTC), ``previous_hash`` and ``record_hash``.
``schema_version``
    one row per applied migration (``version``, ``description``, ``applied_at``).  Migrations are
    the table :data:`MIGRATIONS`; opening a database applies the missing ones, and a database whose
    version is newer than :data:`SCHEMA_VERSION` gives a :class:`SchemaVersionError`.

Integrity
---------
Rows are only ever inserted through this module (no update, no delete).  Each row's
``record_hash`` is the SHA-256 of its canonical content plus ``previous_hash``, the ``record_hash``
of the same learner's previous row (:data:`GENESIS_HASH` for the first), so editing, inserting or
deleting a row in the middle of a learner's history breaks the chain; :meth:`ProgressStore.verify_chain`
lists such problems.  The hash is not keyed: it detects edits made without this module's help, not a
database administrator who recomputes every later hash, and removing a learner's *latest* rows
leaves a valid (shorter) chain.  A unique constraint on ``(learner, previous_hash)`` makes a forked
chain impossible even if two writers race.

Writes
------
One transaction per attempt.  The previous hash is read inside the transaction after taking a lock:
``BEGIN IMMEDIATE`` on SQLite (which also runs in WAL mode with a busy timeout), an advisory
transaction lock per learner and ``SELECT … FOR UPDATE`` on PostgreSQL.  When the database is locked,
unreachable or of an unknown version, :meth:`ProgressStore.record` returns one clear message and keeps
the attempt in a local outbox (``outbox.jsonl`` in the data folder, or ``GDPRLAB_OUTBOX_DIR`` /
``outbox_dir``), which is sent on the next ``record()`` or :meth:`ProgressStore.flush_outbox`.  The
attempt's UUID is unique in the table, so a retry after an ambiguous failure (e.g. the connection
dropped during COMMIT) never stores it twice.

Personal data
-------------
This store holds personal data about staff (who did which quiz, when, with which answers and score).
Only the learner id is kept as identifier (see :mod:`gdprlab.training.learner`: no names, no e-mail
addresses).
The SQLite file and the outbox are created readable by their owner only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import math
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine

from gdprlab.training.learner import InvalidLearnerId, validate_learner_id

__all__ = [
    "DB_URL_ENV",
    "GENESIS_HASH",
    "MIGRATIONS",
    "OUTBOX_DIR_ENV",
    "SCHEMA_VERSION",
    "Attempt",
    "ChainProblem",
    "FlushResult",
    "Migration",
    "OutboxError",
    "ProgressStore",
    "RecordResult",
    "SchemaVersionError",
    "StoredAttempt",
    "default_data_dir",
    "default_db_url",
    "record_hash",
]

log = logging.getLogger(__name__)

#: Environment variable with the SQLAlchemy URL of the progress database.
DB_URL_ENV = "GDPRLAB_DB_URL"
#: Environment variable with the folder of the outbox.
OUTBOX_DIR_ENV = "GDPRLAB_OUTBOX_DIR"
#: ``previous_hash`` of a learner's first record.
GENESIS_HASH = "0" * 64
#: Text column sizes (validated before writing, so PostgreSQL never truncates or refuses).
MAX_TEXT = {"lesson": 200, "quiz": 200, "bank_version": 64}

UTC = dt.UTC


# --------------------------------------------------------------------------------------------------
# Locations


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


# --------------------------------------------------------------------------------------------------
# Records


def _utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def _new_uuid() -> str:
    return str(uuid.uuid4())


def _as_utc(value: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValueError(f"submitted_at must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("submitted_at must be timezone-aware (e.g. datetime.now(datetime.UTC))")
    return value.astimezone(UTC)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys: the form answers are stored and hashed in."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class Attempt:
    """One submitted quiz.  ``answers`` is anything JSON can hold; scores are numbers, 0 ≤ score ≤ max."""

    learner: str
    lesson: str
    quiz: str
    bank_version: str
    answers: Any
    score: float
    max_score: float
    passed: bool
    submitted_at: dt.datetime = field(default_factory=_utcnow)
    attempt_id: str = field(default_factory=_new_uuid)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "learner", validate_learner_id(self.learner))
        except InvalidLearnerId as error:
            raise ValueError(str(error)) from error
        for name, limit in MAX_TEXT.items():
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be non-empty text")
            if len(value) > limit:
                raise ValueError(f"{name} is longer than {limit} characters")
        for name in ("score", "max_score"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, not {value!r}")
            object.__setattr__(self, name, float(value))
        if self.max_score <= 0 or not 0 <= self.score <= self.max_score:
            raise ValueError(f"score must lie in [0, max_score], got {self.score} of {self.max_score}")
        if not isinstance(self.passed, bool):
            raise ValueError(f"passed must be True or False, not {self.passed!r}")
        object.__setattr__(self, "submitted_at", _as_utc(self.submitted_at))
        try:
            object.__setattr__(self, "attempt_id", str(uuid.UUID(str(self.attempt_id))))
        except ValueError as error:
            raise ValueError(f"attempt_id must be a UUID, not {self.attempt_id!r}") from error
        try:
            canonical_json(self.answers)
        except (TypeError, ValueError) as error:
            raise ValueError(f"answers must be JSON-serialisable: {error}") from error

    @property
    def answers_json(self) -> str:
        return canonical_json(self.answers)

    def to_json_dict(self) -> dict[str, Any]:
        """A plain dict (for the outbox); :meth:`from_json_dict` reverses it."""
        return {
            "attempt_id": self.attempt_id,
            "learner": self.learner,
            "lesson": self.lesson,
            "quiz": self.quiz,
            "bank_version": self.bank_version,
            "answers": self.answers,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "submitted_at": _iso(self.submitted_at),
        }

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> Attempt:
        fields = dict(data)
        fields["submitted_at"] = dt.datetime.fromisoformat(fields["submitted_at"].replace("Z", "+00:00"))
        return cls(**fields)


@dataclass(frozen=True, kw_only=True)
class StoredAttempt(Attempt):
    """An attempt as read back from the database, with its row id and chain hashes."""

    id: int
    previous_hash: str
    record_hash: str


@dataclass(frozen=True)
class RecordResult:
    """What :meth:`ProgressStore.record` did: ``stored`` is True when the attempt is in the database."""

    stored: bool
    message: str
    attempt_id: str = ""
    pending: int = 0  # attempts of this database still waiting in the outbox


@dataclass(frozen=True)
class FlushResult:
    stored: int  # sent from the outbox to the database now
    already: int  # were in the database already (an earlier ambiguous failure); dropped from the outbox
    remaining: int  # still waiting
    message: str


@dataclass(frozen=True)
class ChainProblem:
    """A break in a learner's hash chain. ``kind`` is ``"edited"``, ``"broken_link"`` or ``"unreadable"``."""

    learner: str
    row_id: int
    attempt_id: str
    kind: str
    detail: str


def record_hash(
    *,
    attempt_uuid: str,
    learner: str,
    lesson: str,
    quiz: str,
    bank_version: str,
    answers: str,
    score: float,
    max_score: float,
    passed: bool,
    submitted_at: dt.datetime,
    previous_hash: str,
) -> str:
    """SHA-256 (hex) of a record's canonical content; ``answers`` is the stored JSON text."""
    payload = {
        "v": 1,
        "attempt_uuid": attempt_uuid,
        "learner": learner,
        "lesson": lesson,
        "quiz": quiz,
        "bank_version": bank_version,
        "answers": answers,
        "score": float(score),
        "max_score": float(max_score),
        "passed": bool(passed),
        "submitted_at": _iso(submitted_at),
        "previous_hash": previous_hash,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------------
# Schema


class SchemaVersionError(RuntimeError):
    """The database was created by a newer gdprlab (or is not a gdprlab progress database)."""


class OutboxError(RuntimeError):
    """An attempt could be stored neither in the database nor in the outbox."""


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive UTC text)."""

    impl = sa.DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = _as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class _Tables:
    metadata: sa.MetaData
    schema_version: sa.Table
    attempts: sa.Table


def _tables(schema: str | None) -> _Tables:
    metadata = sa.MetaData(schema=schema)
    schema_version = sa.Table(
        "schema_version",
        metadata,
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=False),
    )
    attempts = sa.Table(
        "attempts",
        metadata,
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
    return _Tables(metadata, schema_version, attempts)


@dataclass(frozen=True)
class Migration:
    """Brings a database from ``version - 1`` to ``version``; runs inside the migrating transaction."""

    version: int
    description: str
    apply: Callable[[Connection, _Tables], None]


def _create_attempts(conn: Connection, tables: _Tables) -> None:
    tables.attempts.create(conn, checkfirst=True)


#: Every schema change, in order.  Add a row (never edit an applied one) and raise SCHEMA_VERSION.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "attempts table with per-learner hash chain", _create_attempts),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


# --------------------------------------------------------------------------------------------------
# Outbox


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (fcntl on POSIX, msvcrt on Windows)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class _Outbox:
    """Attempts waiting for the database: one JSON object per line, appended and rewritten under a lock."""

    def __init__(self, folder: Path, target: str) -> None:
        self.folder = folder
        self.path = folder / "outbox.jsonl"
        self.target = target

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _file_lock(self.folder / "outbox.lock"):
            yield

    def append(self, attempt: Attempt, reason: str) -> None:
        """Append one line and fsync it (call with :meth:`locked` held)."""
        entry = {
            "target": self.target,
            "queued_at": _iso(_utcnow()),
            "reason": reason,
            "attempt": attempt.to_json_dict(),
        }
        data = (canonical_json(entry) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size:  # a line cut short by a crash must not swallow this one
                with open(self.path, "rb") as handle:
                    handle.seek(size - 1)
                    if handle.read(1) != b"\n":
                        data = b"\n" + data
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def lines(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def mine(self, lines: list[str]) -> list[tuple[int, Attempt | None]]:
        """(line index, attempt) for this target's lines; attempt None when the line cannot be read."""
        found = []
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                found.append((index, None))
                continue
            if not isinstance(entry, dict) or entry.get("target") != self.target:
                continue
            try:
                found.append((index, Attempt.from_json_dict(entry["attempt"])))
            except (KeyError, TypeError, ValueError, AttributeError):
                found.append((index, None))
        return found

    def rewrite(self, lines: list[str]) -> None:
        """Replace the file atomically (call with :meth:`locked` held)."""
        kept = [line for line in lines if line.strip()]
        if not kept:
            self.path.unlink(missing_ok=True)
            return
        fd, tmp = tempfile.mkstemp(prefix=".outbox-", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("\n".join(kept) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


# --------------------------------------------------------------------------------------------------
# The store

#: Failures that mean "the database cannot take this attempt now": keep it in the outbox.
_UNAVAILABLE = (sa_exc.SQLAlchemyError, OSError, SchemaVersionError)


def _reason(error: BaseException) -> str:
    """A one-line explanation of a database failure (no traceback, no SQL, no password)."""
    if isinstance(error, SchemaVersionError):
        return str(error)
    original = getattr(error, "orig", None) or error
    text = " ".join(str(original).split("\n")[0].split()) or type(original).__name__
    return text[:300]


class _ChainConflict(RuntimeError):
    pass


class ProgressStore:
    """Quiz attempts in a SQL database, with an outbox for when the database cannot be reached.

    ``url``: a SQLAlchemy URL (default :func:`default_db_url`); ``schema``: PostgreSQL schema for the
    tables; ``outbox_dir``: folder of ``outbox.jsonl`` (default ``GDPRLAB_OUTBOX_DIR`` or
    :func:`default_data_dir`); ``busy_timeout``: seconds to wait for a locked SQLite database;
    ``connect_timeout``: seconds to wait for a database server.
    """

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        schema: str | None = None,
        outbox_dir: str | os.PathLike[str] | None = None,
        busy_timeout: float = 10.0,
        connect_timeout: float = 5.0,
    ) -> None:
        self.url = _absolute_sqlite(sa.make_url(url if url is not None else default_db_url()))
        self.schema = schema
        self.backend = self.url.get_backend_name()
        self.busy_timeout = busy_timeout
        if outbox_dir is None:
            outbox_dir = os.environ.get(OUTBOX_DIR_ENV) or default_data_dir()
        target = self.url.render_as_string(hide_password=True) + (f"#schema={schema}" if schema else "")
        self._outbox = _Outbox(Path(outbox_dir).expanduser().absolute(), target)
        self._tables = _tables(schema)
        self._engine = self._make_engine(busy_timeout, connect_timeout)
        self._ready = False

    # -- plumbing ----------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"ProgressStore({self._outbox.target!r})"

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    @property
    def outbox_path(self) -> Path:
        return self._outbox.path

    @property
    def sqlite_path(self) -> Path | None:
        """The database file for a file-based SQLite URL, else None."""
        if self.backend == "sqlite" and self.url.database and self.url.database != ":memory:":
            return Path(self.url.database)
        return None

    def _make_engine(self, busy_timeout: float, connect_timeout: float) -> Engine:
        if self.backend == "sqlite":
            engine = sa.create_engine(self.url, connect_args={"timeout": busy_timeout})

            @event.listens_for(engine, "connect")
            def _sqlite_connect(dbapi_connection, _record):
                # Let SQLAlchemy, not the sqlite3 module, emit BEGIN (see _sqlite_begin).
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

            return engine
        connect_args: dict[str, Any] = {}
        if self.backend == "postgresql" and "connect_timeout" not in self.url.query:
            connect_args["connect_timeout"] = max(1, round(connect_timeout))
        return sa.create_engine(self.url, connect_args=connect_args, pool_pre_ping=True)

    @contextlib.contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            if write and self.backend == "sqlite":
                conn = conn.execution_options(gdprlab_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def _lock_key(self, name: str) -> int:
        digest = hashlib.sha256(f"gdprlab:{self.schema or ''}:{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    # -- schema ------------------------------------------------------------------------------------

    def _read_version(self, conn: Connection) -> int | None:
        """The database's schema version; None when it has no schema_version table yet."""
        if not sa.inspect(conn).has_table("schema_version", schema=self.schema):
            return None
        table = self._tables.schema_version
        return conn.execute(sa.select(sa.func.max(table.c.version))).scalar() or 0

    def _check_version(self, version: int | None) -> None:
        if version is not None and version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"the progress database {self._outbox.target} has schema version {version}, newer than "
                f"this gdprlab understands ({SCHEMA_VERSION}); upgrade gdprlab to use it"
            )

    def _ensure_schema(self) -> None:
        """Create or migrate the tables on first use; raise SchemaVersionError for a newer database."""
        if self._ready:
            return
        path = self.sqlite_path
        if path is not None and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.touch(mode=0o600, exist_ok=True)
        with self._transaction(write=False) as conn:
            version = self._read_version(conn)
        self._check_version(version)
        if version != SCHEMA_VERSION:
            with self._transaction(write=True) as conn:
                if self.backend == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(self._lock_key("schema"))))
                version = self._read_version(conn)  # again, now that we hold the lock
                self._check_version(version)
                if version is None:
                    self._tables.schema_version.create(conn, checkfirst=True)
                    version = 0
                for migration in MIGRATIONS:
                    if migration.version > version:
                        migration.apply(conn, self._tables)
                        conn.execute(
                            self._tables.schema_version.insert().values(
                                version=migration.version,
                                description=migration.description,
                                applied_at=_utcnow(),
                            )
                        )
                        log.info("progress database migrated to version %d", migration.version)
        self._ready = True

    def schema_version(self) -> int:
        """The database's schema version, creating or migrating it if needed."""
        self._ensure_schema()
        with self._transaction(write=False) as conn:
            return self._read_version(conn) or 0

    # -- writing -----------------------------------------------------------------------------------

    def _insert(self, conn: Connection, attempt: Attempt) -> str:
        table = self._tables.attempts
        if self.backend == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(self._lock_key(attempt.learner))))
        exists = conn.execute(sa.select(table.c.id).where(table.c.attempt_uuid == attempt.attempt_id)).first()
        if exists:
            return "already"
        last = (
            sa.select(table.c.record_hash)
            .where(table.c.learner == attempt.learner)
            .order_by(table.c.id.desc())
            .limit(1)
        )
        if self.backend != "sqlite":  # SQLite: BEGIN IMMEDIATE already excludes other writers
            last = last.with_for_update()
        previous = conn.execute(last).scalar() or GENESIS_HASH
        values = {
            "attempt_uuid": attempt.attempt_id,
            "learner": attempt.learner,
            "lesson": attempt.lesson,
            "quiz": attempt.quiz,
            "bank_version": attempt.bank_version,
            "answers": attempt.answers_json,
            "score": attempt.score,
            "max_score": attempt.max_score,
            "passed": attempt.passed,
            "submitted_at": attempt.submitted_at,
            "previous_hash": previous,
        }
        conn.execute(table.insert().values(**values, record_hash=record_hash(**values)))
        return "stored"

    def _uuid_stored(self, attempt_id: str) -> bool:
        table = self._tables.attempts
        with self._transaction(write=False) as conn:
            query = sa.select(table.c.id).where(table.c.attempt_uuid == attempt_id)
            return conn.execute(query).first() is not None

    def _store(self, attempt: Attempt, tries: int = 5) -> str:
        """Insert, retrying a transient SQLite lock within the busy timeout; other errors propagate.

        SQLite reports some lock conflicts (e.g. two connections switching a new file to WAL at once)
        at once instead of waiting for the busy timeout; such a conflict is over in milliseconds and must
        not send the attempt to the outbox.
        """
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.02
        while True:
            try:
                return self._store_once(attempt, tries)
            except sa_exc.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _store_once(self, attempt: Attempt, tries: int) -> str:
        """Insert in one transaction: ``"stored"`` or ``"already"``; database errors propagate."""
        self._ensure_schema()
        for _ in range(tries):
            try:
                with self._transaction(write=True) as conn:
                    return self._insert(conn, attempt)
            except sa_exc.IntegrityError:
                # Either the UUID arrived meanwhile, or a concurrent writer took the same chain link.
                if self._uuid_stored(attempt.attempt_id):
                    return "already"
        raise _ChainConflict(f"could not append to the chain of {attempt.learner!r} after {tries} tries")

    def _flush(self) -> tuple[FlushResult, BaseException | None]:
        stored = already = 0
        error: BaseException | None = None
        with self._outbox.locked():
            lines = self._outbox.lines()
            waiting = self._outbox.mine(lines)
            done: set[int] = set()
            unreadable = 0
            for index, attempt in waiting:
                if attempt is None:
                    unreadable += 1
                    continue
                try:
                    outcome = self._store(attempt)
                except (*_UNAVAILABLE, _ChainConflict) as caught:
                    error = caught
                    break
                done.add(index)
                if outcome == "stored":
                    stored += 1
                else:
                    already += 1
            if done:
                self._outbox.rewrite([line for index, line in enumerate(lines) if index not in done])
        remaining = len(waiting) - len(done)
        parts = []
        if stored:
            parts.append(f"{stored} attempt(s) sent from the outbox")
        if already:
            parts.append(f"{already} were already recorded")
        if remaining:
            parts.append(f"{remaining} still waiting in {self._outbox.path}")
        if unreadable:
            parts.append(f"{unreadable} unreadable line(s) left in place for inspection")
        if error is not None:
            parts.append(f"database unavailable: {_reason(error)}")
        message = "; ".join(parts) + "." if parts else "The outbox is empty."
        return FlushResult(stored, already, remaining, message[0].upper() + message[1:]), error

    def flush_outbox(self) -> FlushResult:
        """Send the attempts waiting in the outbox for this database; each is stored at most once."""
        return self._flush()[0]

    def record(self, attempt: Attempt) -> RecordResult:
        """Store one attempt (after any waiting in the outbox); on failure keep it in the outbox.

        Never raises for an unavailable database: the result's message says what happened.  Raises
        :class:`OutboxError` only when the attempt could be saved neither in the database nor in
        the outbox.
        """
        if not isinstance(attempt, Attempt):
            raise TypeError(f"record() takes an Attempt, not {type(attempt).__name__}")
        flushed, error, note = FlushResult(0, 0, 0, ""), None, ""
        try:
            flushed, error = self._flush()
        except OSError as caught:  # the outbox itself is unusable: still try the database
            note = f" (The outbox {self._outbox.path} could not be read: {caught}.)"
        if error is None:
            try:
                outcome = self._store(attempt)
            except (*_UNAVAILABLE, _ChainConflict) as caught:
                error = caught
            else:
                if outcome == "already":
                    message = "This attempt was already recorded; it was not stored again."
                else:
                    message = "Attempt recorded."
                if flushed.stored:
                    message += f" {flushed.stored} earlier attempt(s) from the outbox were recorded too."
                return RecordResult(True, message + note, attempt.attempt_id, flushed.remaining)
        log.debug("progress database unavailable", exc_info=error)
        reason = _reason(error)
        try:
            with self._outbox.locked():
                self._outbox.append(attempt, reason)
                pending = len(self._outbox.mine(self._outbox.lines()))
        except OSError as caught:
            raise OutboxError(
                f"Could not record the attempt ({reason}) nor keep it in the outbox {self._outbox.path} "
                f"({caught}); please note your answers and tell your trainer."
            ) from caught
        message = (
            f"Progress not saved to the database ({reason}). Your attempt is kept in {self._outbox.path} "
            f"({pending} waiting) and will be sent with the next record() or flush_outbox()."
        )
        return RecordResult(False, message, attempt.attempt_id, pending)

    def pending(self) -> list[Attempt]:
        """The attempts for this database still waiting in the outbox (readable lines only)."""
        with self._outbox.locked():
            return [attempt for _, attempt in self._outbox.mine(self._outbox.lines()) if attempt]

    # -- reading -----------------------------------------------------------------------------------

    def attempts(self, learner: str | None = None, lesson: str | None = None) -> list[StoredAttempt]:
        """Stored attempts in the order they were stored, optionally of one learner and/or lesson."""
        self._ensure_schema()
        table = self._tables.attempts
        query = sa.select(table).order_by(table.c.id)
        if learner is not None:
            query = query.where(table.c.learner == learner.strip())
        if lesson is not None:
            query = query.where(table.c.lesson == lesson)
        with self._transaction(write=False) as conn:
            rows = conn.execute(query).mappings().all()
        return [
            StoredAttempt(
                id=row["id"],
                attempt_id=row["attempt_uuid"],
                learner=row["learner"],
                lesson=row["lesson"],
                quiz=row["quiz"],
                bank_version=row["bank_version"],
                answers=json.loads(row["answers"]),
                score=row["score"],
                max_score=row["max_score"],
                passed=bool(row["passed"]),
                submitted_at=row["submitted_at"],
                previous_hash=row["previous_hash"],
                record_hash=row["record_hash"],
            )
            for row in rows
        ]

    def attempts_frame(self, learner: str | None = None, lesson: str | None = None) -> pd.DataFrame:
        """:meth:`attempts` as a DataFrame (one row per attempt, answers as JSON text)."""
        columns = [
            "id",
            "attempt_id",
            "learner",
            "lesson",
            "quiz",
            "bank_version",
            "answers",
            "score",
            "max_score",
            "passed",
            "submitted_at",
        ]
        rows = [
            {name: getattr(a, name) for name in columns} | {"answers": a.answers_json}
            for a in self.attempts(learner, lesson)
        ]
        return pd.DataFrame(rows, columns=columns)

    def progress(self, learner: str) -> pd.DataFrame:
        """One row per lesson the learner attempted: attempts, best score, passed, last attempt.

        Columns: ``lesson``, ``attempts``, ``best_score``, ``max_score`` (of the best attempt),
        ``best_percent``, ``passed`` (any attempt passed), ``last_attempt`` (UTC); sorted by lesson.
        """
        columns = ["lesson", "attempts", "best_score", "max_score", "best_percent", "passed", "last_attempt"]
        frame = pd.DataFrame(
            [
                {
                    "lesson": a.lesson,
                    "score": a.score,
                    "max_score": a.max_score,
                    "passed": a.passed,
                    "submitted_at": a.submitted_at,
                    "percent": 100.0 * a.score / a.max_score,
                }
                for a in self.attempts(learner=learner)
            ]
        )
        if frame.empty:
            return pd.DataFrame(columns=columns)
        best = (
            frame.sort_values(["percent", "submitted_at"], ascending=[False, True]).groupby("lesson").head(1)
        )
        best = best.set_index("lesson")
        grouped = frame.groupby("lesson")
        result = pd.DataFrame(
            {
                "attempts": grouped.size(),
                "best_score": best["score"],
                "max_score": best["max_score"],
                "best_percent": best["percent"].round(1),
                "passed": grouped["passed"].any(),
                "last_attempt": grouped["submitted_at"].max(),
            }
        )
        return result.rename_axis("lesson").reset_index()[columns].sort_values("lesson", ignore_index=True)

    # -- verification ------------------------------------------------------------------------------

    def verify_chain(self, learner: str | None = None) -> list[ChainProblem]:
        """Check every learner's (or one learner's) hash chain; an empty list means no problem found."""
        self._ensure_schema()
        table = self._tables.attempts
        submitted = table.c.submitted_at
        if self.backend == "sqlite":  # read the raw text, so that an edited value cannot stop the check
            submitted = sa.type_coerce(submitted, sa.String)
        query = sa.select(*[c for c in table.c if c.name != "submitted_at"], submitted.label("submitted_at"))
        query = query.order_by(table.c.learner, table.c.id)
        if learner is not None:
            query = query.where(table.c.learner == learner.strip())
        with self._transaction(write=False) as conn:
            rows = conn.execute(query).mappings().all()
        problems: list[ChainProblem] = []
        expected: dict[str, str] = {}
        for row in rows:
            who = row["learner"]
            previous = expected.get(who, GENESIS_HASH)
            if row["previous_hash"] != previous:
                problems.append(
                    ChainProblem(
                        who,
                        row["id"],
                        row["attempt_uuid"],
                        "broken_link",
                        "previous_hash does not match the learner's record before it "
                        "(a record was deleted, inserted or reordered)",
                    )
                )
            try:
                recomputed = record_hash(
                    attempt_uuid=row["attempt_uuid"],
                    learner=who,
                    lesson=row["lesson"],
                    quiz=row["quiz"],
                    bank_version=row["bank_version"],
                    answers=row["answers"],
                    score=float(row["score"]),
                    max_score=float(row["max_score"]),
                    passed=bool(row["passed"]),
                    submitted_at=UTCDateTime().process_result_value(row["submitted_at"], None),
                    previous_hash=row["previous_hash"],
                )
            except (TypeError, ValueError) as error:
                problems.append(ChainProblem(who, row["id"], row["attempt_uuid"], "unreadable", str(error)))
            else:
                if recomputed != row["record_hash"]:
                    problems.append(
                        ChainProblem(
                            who,
                            row["id"],
                            row["attempt_uuid"],
                            "edited",
                            "the record's content does not match its record_hash (changed after storing)",
                        )
                    )
            expected[who] = row["record_hash"]
        return problems


def _absolute_sqlite(url: URL) -> URL:
    """Make a relative SQLite file path absolute, so the outbox knows which file it belongs to."""
    database = url.database or ""
    if (
        url.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and not database.startswith("file:")
    ):
        return url.set(database=str(Path(url.database).expanduser().absolute()))
    return url
