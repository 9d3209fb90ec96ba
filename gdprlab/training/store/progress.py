"""The record of quiz attempts: learners append to it, trainers read it, and nothing is ever lost.

:class:`ProgressStore` writes :class:`~gdprlab.training.store.records.Attempt` rows to the ``attempts``
table of the training database (:mod:`gdprlab.training.store.schema`: where it is, its tables and
versions) and reads them back as attempts, frames and per-lesson progress.

Writes
------
Rows are only ever inserted through this module (no update, no delete), each chained to the learner's
previous row by hash (:mod:`gdprlab.training.store.records`); a unique constraint on
``(learner, previous_hash)`` makes a forked chain impossible even if two writers race. One transaction
per attempt. The previous hash is read inside the transaction after taking a lock: ``BEGIN IMMEDIATE`` on
SQLite (which also runs in WAL mode with a busy timeout), an advisory transaction lock per learner and
``SELECT … FOR UPDATE`` on PostgreSQL. When the database is locked, unreachable or of an unknown
version, :meth:`ProgressStore.record` returns one clear message and keeps the attempt in the local
outbox (:mod:`gdprlab.training.store.outbox`; ``outbox.jsonl`` in the data folder, or
``GDPRLAB_OUTBOX_DIR`` / ``outbox_dir``), which is sent on the next ``record()`` or
:meth:`ProgressStore.flush_outbox`. The attempt's UUID is unique in the table, so a retry after an
ambiguous failure (e.g. the connection dropped during COMMIT) never stores it twice. The same
transaction moves the learner's head in ``attempt_heads``, so that :meth:`ProgressStore.verify_chain` also
notices deleted latest records, learners or tables (:mod:`gdprlab.training.store.checkpoint`).

Reads
-----
A store opened with ``create=False`` (every trainer's command) never creates anything: a missing SQLite
file, a database without gdprlab's tables or a dropped attempts table is a
:class:`~gdprlab.training.store.schema.StoreError` saying so.

Personal data
-------------
This store holds personal data about staff (who did which quiz, when, with which answers and score).
Only the learner id is kept as identifier (see :mod:`gdprlab.training.learner`: no names, no e-mail
addresses). The SQLite file and the outbox are created readable by their owner only.

Erasure and retention are the one exception to "never updated": :meth:`ProgressStore.erase_learner`
(Art. 17) turns every record of a learner into a tombstone (:func:`~gdprlab.training.store.records.tombstone`)
under a random label instead of the learner id, removes the learner's roster row and outbox lines;
:meth:`ProgressStore.purge` (Art. 5(1)(e)) does the same for records older than the retention period,
keeping the learner id on the tombstones of a learner who still has newer records. Record hashes stay, so
:meth:`ProgressStore.verify_chain` still finds every chain intact; readers never see tombstones.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection

from gdprlab.crm.io import shape
from gdprlab.training.grading import GradeError, Grader, default_grader
from gdprlab.training.store.outbox import OUTBOX_DIR_ENV, Outbox, OutboxError
from gdprlab.training.store.records import (
    ERASED,
    GENESIS_HASH,
    Attempt,
    ChainProblem,
    StoredAttempt,
    chain_problems,
    missing_heads,
    record_hash,
    tombstone,
)
from gdprlab.training.store.schema import (
    SCHEMA_VERSION,
    Database,
    SchemaVersionError,
    StoreError,
    attempt_heads,
    attempts_version,
    certificates,
    default_data_dir,
    ensure_certificates,
    ensure_heads,
    migrate,
    reason,
    roster_staff,
    target_key,
)
from gdprlab.training.store.schema import attempts as attempts_table

__all__ = ["Erased", "FlushResult", "ProgressStore", "RecordResult", "new_code", "normal_code"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordResult:
    """What :meth:`ProgressStore.record` did: ``stored`` is True when the attempt is in the database."""

    stored: bool
    message: str
    attempt_id: str = ""
    pending: int = 0  # attempts of this database still waiting in the outbox
    refused: bool = False  # the attempt does not re-grade (gdprlab.training.grading): neither stored nor kept


@dataclass(frozen=True)
class FlushResult:
    stored: int  # sent from the outbox to the database now
    already: int  # were in the database already (an earlier ambiguous failure); dropped from the outbox
    remaining: int  # still waiting
    message: str


@dataclass(frozen=True)
class Erased:
    """What an erasure or a purge did: records turned into tombstones, learners whose id went with them
    (every record erased), and attempts dropped from the outbox."""

    records: int
    learners: int
    outbox: int = 0


#: Failures that mean "the database cannot take this attempt now": keep it in the outbox.
_UNAVAILABLE = (sa_exc.SQLAlchemyError, OSError, SchemaVersionError)


class _ChainConflict(RuntimeError):
    pass


#: the letters of a certificate's code (Crockford's base 32: no I, L, O, U to misread)
_CODE_LETTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code() -> str:
    """A certificate's verification code: 80 random bits as ``XXXX-XXXX-XXXX-XXXX`` (16 letters)."""
    value = secrets.randbits(80)
    letters = "".join(_CODE_LETTERS[(value >> (5 * i)) & 31] for i in range(16))
    return "-".join(letters[i:i + 4] for i in range(0, 16, 4))


def normal_code(code: str) -> str:
    """A code as typed, in the form it is kept (upper case, O read as 0, I and L as 1, grouped by 4)."""
    letters = "".join(code.upper().split()).replace("-", "").translate(str.maketrans("OIL", "011"))
    if len(letters) != 16 or any(c not in _CODE_LETTERS for c in letters):
        return ""
    return "-".join(letters[i:i + 4] for i in range(0, 16, 4))


class ProgressStore(Database):
    """Quiz attempts in a SQL database, with an outbox for when the database cannot be reached.

    ``url``: a SQLAlchemy URL (default :func:`~gdprlab.training.store.schema.default_db_url`); ``schema``:
    PostgreSQL schema for the tables; ``outbox_dir``: folder of ``outbox.jsonl`` (default
    ``GDPRLAB_OUTBOX_DIR`` or :func:`~gdprlab.training.store.schema.default_data_dir`); ``busy_timeout``:
    seconds to wait for a locked SQLite database; ``connect_timeout``: seconds to wait for a database server;
    ``create``: False for a reader, which never creates the database nor its tables. ``grader``: what
    judges an attempt before it is stored (:mod:`gdprlab.training.grading`; default: the packaged banks
    and changelog); None stores without grading (trusted writers such as tests and benchmarks of the
    storage itself; ``gdprlab progress verify`` still re-grades every record).
    """

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        schema: str | None = None,
        outbox_dir: str | os.PathLike[str] | None = None,
        busy_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        create: bool = True,
        grader: Grader | None | str = "packaged",
    ) -> None:
        super().__init__(url, schema=schema, busy_timeout=busy_timeout, connect_timeout=connect_timeout,
                         create=create)
        self._grader = grader
        self.busy_timeout = busy_timeout
        if outbox_dir is None:
            outbox_dir = os.environ.get(OUTBOX_DIR_ENV) or default_data_dir()
        target = self.url.render_as_string(hide_password=True) + (f"#schema={schema}" if schema else "")
        self.key = target_key(self.url, schema)
        self.outbox = Outbox(Path(outbox_dir).expanduser().absolute(), target, self.key)
        self._ready = False
        self._no_attempts = False  # a reader of a database where only a roster was ever imported

    # -- plumbing ----------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"ProgressStore({self.outbox.target!r})"

    # -- schema ------------------------------------------------------------------------------------

    def _version(self, conn: Connection) -> int | None:
        """The database's attempts version (None: no version table yet); newer than this gdprlab: an error."""
        version = attempts_version(conn, self.schema)
        if version is not None and version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"the progress database {self.outbox.target} has schema version {version}, newer than "
                f"this gdprlab understands ({SCHEMA_VERSION}); upgrade gdprlab to use it"
            )
        return version

    def _ensure_schema(self) -> None:
        """Create or migrate the tables on first use; raise SchemaVersionError for a newer database."""
        if self._ready:
            return
        self.prepare()
        with self._transaction(write=False) as conn:
            version = self._version(conn)
            tables = set(sa.inspect(conn).get_table_names(schema=self.schema))
        if not self.create:
            self._check_readable(version, tables)
        elif version != SCHEMA_VERSION or attempt_heads.name not in tables:
            with self._transaction(write=True) as conn:
                self._lock(conn, "schema")
                migrate(conn, self._version(conn))  # read again, now that we hold the lock
                ensure_heads(conn, self.schema)
        self._ready = True

    def _check_readable(self, version: int | None, tables: set[str]) -> None:
        where = self.url.render_as_string(hide_password=True)
        if version is None and "roster_staff" in tables:  # only a roster was imported (by an older gdprlab)
            self._no_attempts = True
            return
        if version is None:
            raise StoreError(f"{where} is not a gdprlab progress database (it has no schema_version table); "
                             "check --db or GDPRLAB_DB_URL")
        if attempts_table.name not in tables:
            raise StoreError(f"the progress database {where} has no attempts table although its "
                             "schema_version says it should (the table was dropped?); restore it from a "
                             "backup")

    def schema_version(self) -> int:
        """The database's schema version, creating or migrating it if needed."""
        self._ensure_schema()
        with self._transaction(write=False) as conn:
            return self._version(conn) or 0

    # -- grading -----------------------------------------------------------------------------------

    def grader(self) -> Grader | None:
        """The store's grader (the packaged one is built on first use)."""
        if self._grader == "packaged":
            self._grader = default_grader()
        return self._grader  # type: ignore[return-value]

    def refusal(self, attempt: Attempt) -> str | None:
        """Why ``attempt`` is refused (it does not re-grade), or None when it may be stored."""
        grader = self.grader()
        if grader is None:
            return None
        try:
            grader(attempt)
        except GradeError as error:
            return str(error)
        return None

    def grade_problems(self, grader: Grader | None = None) -> tuple[int, list[ChainProblem]]:
        """How many stored records were re-graded, and every one that does not re-grade (``grader``: default
        the store's, else the packaged one), as problems of kind ``"not_regraded"``."""
        grader = grader or self.grader() or default_grader()
        problems = []
        stored = self.attempts()
        for a in stored:
            try:
                grader(a)
            except GradeError as error:
                problems.append(ChainProblem(a.learner, a.id, a.attempt_id, "not_regraded", str(error)))
        return len(stored), problems

    # -- writing -----------------------------------------------------------------------------------

    def _insert(self, conn: Connection, attempt: Attempt) -> str:
        table = attempts_table
        self._lock(conn, attempt.learner)
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
        digest = record_hash(**values)
        conn.execute(table.insert().values(**values, record_hash=digest))
        self._move_head(conn, attempt.learner, digest)
        return "stored"

    def _move_head(self, conn: Connection, learner: str, head: str) -> None:
        """Point the learner's row of ``attempt_heads`` at the new record (inside the insert's lock)."""
        count = conn.execute(sa.select(sa.func.count()).where(attempts_table.c.learner == learner)).scalar()
        values = {"head_hash": head, "attempts": count, "updated_at": dt.datetime.now(dt.UTC)}
        mine = attempt_heads.c.learner == learner
        moved = conn.execute(attempt_heads.update().where(mine).values(**values))
        if moved.rowcount == 0:
            conn.execute(attempt_heads.insert().values(learner=learner, **values))

    def _uuid_stored(self, attempt_id: str) -> bool:
        table = attempts_table
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
        raise _ChainConflict(f"could not append to the chain of {shape(attempt.learner)!r} "
                             f"after {tries} tries")

    def _flush(self) -> tuple[FlushResult, BaseException | None]:
        stored = already = 0
        error: BaseException | None = None
        with self.outbox.locked():
            lines = self.outbox.lines()
            waiting = self.outbox.mine(lines)
            done: set[int] = set()
            unreadable = refused = 0
            for index, attempt in waiting:
                if attempt is None:
                    unreadable += 1
                    continue
                if self.refusal(attempt) is not None:  # e.g. a line written into the file by hand
                    refused += 1
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
                self.outbox.rewrite([line for index, line in enumerate(lines) if index not in done])
        remaining = len(waiting) - len(done)
        parts = []
        if stored:
            parts.append(f"{stored} attempt(s) sent from the outbox")
        if already:
            parts.append(f"{already} were already recorded")
        if remaining:
            parts.append(f"{remaining} still waiting in {self.outbox.path}")
        if unreadable:
            parts.append(f"{unreadable} unreadable line(s) left in place for inspection")
        if refused:
            parts.append(f"{refused} line(s) refused (the score does not follow from the answers, or the "
                         "bank version is unknown), left in place for inspection")
        if error is not None:
            parts.append(f"database unavailable: {reason(error)}")
        message = "; ".join(parts) + "." if parts else "The outbox is empty."
        return FlushResult(stored, already, remaining, message[0].upper() + message[1:]), error

    def flush_outbox(self) -> FlushResult:
        """Send the attempts waiting in the outbox for this database; each is stored at most once."""
        return self._flush()[0]

    def record(self, attempt: Attempt) -> RecordResult:
        """Store one attempt (after any waiting in the outbox); on failure keep it in the outbox.

        Never raises for an unavailable database: the result's message says what happened.  Raises
        :class:`OutboxError` only when the attempt could be saved neither in the database nor in
        the outbox. An attempt that does not re-grade (:mod:`gdprlab.training.grading`: unknown bank
        version, no answers, a score that does not follow from them) is refused: neither stored nor kept,
        ``refused`` set and the message saying why.
        """
        if not isinstance(attempt, Attempt):
            raise TypeError(f"record() takes an Attempt, not {type(attempt).__name__}")
        why_not = self.refusal(attempt)
        if why_not is not None:
            log.warning("attempt refused: %s", why_not)
            return RecordResult(False, f"Attempt refused, not recorded: {why_not}.", attempt.attempt_id,
                                refused=True)
        flushed, error, note = FlushResult(0, 0, 0, ""), None, ""
        try:
            flushed, error = self._flush()
        except OSError as caught:  # the outbox itself is unusable: still try the database
            note = f" (The outbox {self.outbox.path} could not be read: {caught}.)"
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
        why = reason(error)
        try:
            with self.outbox.locked():
                self.outbox.append(attempt, why)
                pending = len(self.outbox.mine(self.outbox.lines()))
        except OSError as caught:
            raise OutboxError(
                f"Could not record the attempt ({why}) nor keep it in the outbox {self.outbox.path} "
                f"({caught}); please note your answers and tell your trainer."
            ) from caught
        message = (
            f"Progress not saved to the database ({why}). Your attempt is kept in {self.outbox.path} "
            f"({pending} waiting) and will be sent with the next record() or flush_outbox()."
        )
        return RecordResult(False, message, attempt.attempt_id, pending)

    def pending(self) -> list[Attempt]:
        """The attempts for this database still waiting in the outbox (readable lines only)."""
        with self.outbox.locked():
            return [attempt for _, attempt in self.outbox.mine(self.outbox.lines()) if attempt]

    # -- reading -----------------------------------------------------------------------------------

    def attempts(self, learner: str | None = None, lesson: str | None = None) -> list[StoredAttempt]:
        """Stored attempts in the order they were stored, optionally of one learner and/or lesson."""
        self._ensure_schema()
        if self._no_attempts:
            return []
        table = attempts_table
        query = sa.select(table).where(table.c.lesson != ERASED).order_by(table.c.id)
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

    # -- erasure and retention -----------------------------------------------------------------------

    def _tombstone(self, conn: Connection, learner: str, ids: list[int] | None, why: str) -> tuple[int, bool]:
        """Turn the learner's live records ``ids`` (None: all) into tombstones; when none of the learner's
        records stays live, the learner id is replaced by a random label in the chain, the heads table and
        the roster row is deleted. Returns (records erased, whether the id went)."""
        table = attempts_table
        mine = table.c.learner == learner
        live = [i for (i,) in conn.execute(sa.select(table.c.id).where(mine & (table.c.lesson != ERASED)))]
        chosen = live if ids is None else [i for i in live if i in set(ids)]
        if not live:
            return 0, False
        values = tombstone(why, dt.datetime.now(dt.UTC))
        for start in range(0, len(chosen), 1000):
            conn.execute(table.update().where(table.c.id.in_(chosen[start:start + 1000])).values(**values))
        if len(chosen) < len(live):
            return len(chosen), False
        label = f"erased-{secrets.token_hex(8)}"
        conn.execute(table.update().where(mine).values(learner=label))
        conn.execute(attempt_heads.update().where(attempt_heads.c.learner == learner).values(learner=label))
        if sa.inspect(conn).has_table(roster_staff.name, schema=self.schema):
            conn.execute(roster_staff.delete().where(roster_staff.c.learner_id == learner))
        return len(chosen), True

    def _drop_from_outbox(self, keep) -> int:
        """Remove this database's outbox attempts for which ``keep(attempt)`` is False; how many went."""
        with self.outbox.locked():
            lines = self.outbox.lines()
            gone = {index for index, attempt in self.outbox.mine(lines) if attempt and not keep(attempt)}
            if gone:
                self.outbox.rewrite([line for index, line in enumerate(lines) if index not in gone])
        return len(gone)

    def erase_learner(self, learner: str) -> Erased:
        """Erase every record of ``learner`` (Art. 17): tombstones under a random label, the roster row and
        the learner's attempts waiting in the outbox removed; the chains stay verifiable."""
        learner = learner.strip()
        self._ensure_schema()
        with self._transaction(write=True) as conn:
            self._lock(conn, learner)
            records, gone = self._tombstone(conn, learner, None, "erasure")
            if not gone and sa.inspect(conn).has_table(roster_staff.name, schema=self.schema):
                conn.execute(roster_staff.delete().where(roster_staff.c.learner_id == learner))
            if sa.inspect(conn).has_table(certificates.name, schema=self.schema):
                conn.execute(certificates.delete().where(certificates.c.learner == learner))
        outbox = self._drop_from_outbox(lambda a: a.learner != learner)
        return Erased(records, int(gone), outbox)

    def purge(self, before: dt.datetime) -> Erased:
        """Erase the records submitted before ``before`` (the end of the retention period, Art. 5(1)(e));
        a learner left with no record loses the id too, as in :meth:`erase_learner` (the roster row goes
        only with an erasure: it is the trainer's list of staff, kept by ``progress import``)."""
        table = attempts_table
        self._ensure_schema()
        with self._transaction(write=False) as conn:
            old = conn.execute(sa.select(table.c.learner, table.c.id).where(
                (table.c.lesson != ERASED) & (table.c.submitted_at < before))).all()
        by_learner: dict[str, list[int]] = {}
        for learner, row_id in old:
            by_learner.setdefault(learner, []).append(row_id)
        records = learners = 0
        for learner, ids in sorted(by_learner.items()):
            with self._transaction(write=True) as conn:
                self._lock(conn, learner)
                erased, gone = self._tombstone(conn, learner, ids, "retention")
            records += erased
            learners += gone
        with self._transaction(write=True) as conn:  # certificates that ended before the period too
            if sa.inspect(conn).has_table(certificates.name, schema=self.schema):
                conn.execute(certificates.delete().where(certificates.c.expires_on < before.date()))
        outbox = self._drop_from_outbox(lambda a: a.submitted_at >= before)
        return Erased(records, learners, outbox)

    # -- certificates --------------------------------------------------------------------------------

    def issue_certificate(self, learner: str, course: str, completed_on: dt.date, issued_on: dt.date,
                          expires_on: dt.date, attempt_ids: list[str], digest: str) -> str:
        """Keep a certificate and return its verification code: a new random one, or the code of the same
        certificate issued before (same learner, course, expiry and certified records)."""
        self._ensure_schema()
        table = certificates
        with self._transaction(write=True) as conn:
            self._lock(conn, "certificates")
            ensure_certificates(conn, self.schema)
            same = conn.execute(sa.select(table.c.code).where(
                (table.c.learner == learner) & (table.c.course == course) & (table.c.digest == digest)
                & (table.c.expires_on == expires_on))).scalar()
            if same:
                return same
            code = new_code()
            conn.execute(table.insert().values(
                code=code, learner=learner, course=course, completed_on=completed_on, issued_on=issued_on,
                expires_on=expires_on, attempts=json.dumps(sorted(attempt_ids)), digest=digest,
                issued_at=dt.datetime.now(dt.UTC)))
            return code

    def certificate(self, code: str) -> dict | None:
        """The certificate kept under ``code`` (any spelling: case, dashes and spaces do not matter) as a
        dict of the table's columns (``attempts`` a list); None when there is none."""
        self._ensure_schema()
        wanted = normal_code(code)
        with self._transaction(write=False) as conn:
            if not wanted or not sa.inspect(conn).has_table(certificates.name, schema=self.schema):
                return None
            query = sa.select(certificates).where(certificates.c.code == wanted)
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return dict(row) | {"attempts": json.loads(row["attempts"])}

    def records(self, attempt_ids: list[str]) -> dict[str, dict]:
        """The attempts-table rows of ``attempt_ids`` (tombstones included: ``lesson`` is ``(erased)``),
        by attempt UUID; ids not in the table are left out."""
        self._ensure_schema()
        table = attempts_table
        found: dict[str, dict] = {}
        with self._transaction(write=False) as conn:
            for start in range(0, len(attempt_ids), 1000):
                chunk = attempt_ids[start:start + 1000]
                for row in conn.execute(sa.select(table).where(table.c.attempt_uuid.in_(chunk))).mappings():
                    found[row["attempt_uuid"]] = dict(row)
        return found

    def tombstones(self) -> int:
        """How many erased records the attempts table holds."""
        self._ensure_schema()
        if self._no_attempts:
            return 0
        with self._transaction(write=False) as conn:
            return conn.execute(sa.select(sa.func.count()).where(attempts_table.c.lesson == ERASED)).scalar()

    # -- verification ------------------------------------------------------------------------------

    def heads(self) -> dict[str, tuple[str, int]]:
        """Every learner's head as ``attempt_heads`` keeps it: learner -> (record_hash, records); empty when
        the table does not exist (yet)."""
        self._ensure_schema()
        with self._transaction(write=False) as conn:
            if not sa.inspect(conn).has_table(attempt_heads.name, schema=self.schema):
                return {}
            rows = conn.execute(sa.select(attempt_heads.c.learner, attempt_heads.c.head_hash,
                                          attempt_heads.c.attempts))
            return {learner: (head, count) for learner, head, count in rows}

    def chain_heads(self) -> dict[str, tuple[str, int]]:
        """Every learner's head as the attempts table gives it now (for a checkpoint)."""
        heads: dict[str, tuple[str, int]] = {}
        for a in self.attempts():
            heads[a.learner] = (a.record_hash, heads.get(a.learner, ("", 0))[1] + 1)
        return heads

    def verify_chain(self, learner: str | None = None,
                     checkpoints: dict[str, dict[str, tuple[str, int]]] | None = None) -> list[ChainProblem]:
        """Check every learner's (or one learner's) hash chain, and that each head kept in ``attempt_heads``
        and in ``checkpoints`` (source name -> heads, :mod:`gdprlab.training.store.checkpoint`) is still in
        its chain; an empty list means no problem found."""
        self._ensure_schema()
        sources = {"the attempt_heads table": self.heads(), **(checkpoints or {})}
        submitted = attempts_table.c.submitted_at
        if self.backend == "sqlite":  # read the raw text, so that an edited value cannot stop the check
            submitted = sa.type_coerce(submitted, sa.String)
        others = [c for c in attempts_table.c if c.name != "submitted_at"]
        query = sa.select(*others, submitted.label("submitted_at"))
        query = query.order_by(attempts_table.c.learner, attempts_table.c.id)
        if learner is not None:
            query = query.where(attempts_table.c.learner == learner.strip())
        with self._transaction(write=False) as conn:
            rows = [] if self._no_attempts else conn.execute(query).mappings().all()
        problems = chain_problems(rows)
        reported = set()
        for source, heads in sources.items():
            if learner is not None:
                heads = {k: v for k, v in heads.items() if k == learner.strip()}
            for problem in missing_heads(rows, heads, source):
                if problem.learner not in reported:
                    reported.add(problem.learner)
                    problems.append(problem)
        return problems
