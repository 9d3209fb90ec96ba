"""Where an attempt waits when the database cannot take it, so that no learner's answers are ever lost.

The outbox is a file of one JSON object per line (``outbox.jsonl``): the target database, when and why
the attempt was queued, and the attempt itself. Several processes (notebook kernels, the CLI) share it, so
every read-modify-write happens under an exclusive lock on ``outbox.lock`` beside it; a line is appended and
flushed to disk at once, and a rewrite replaces the whole file atomically. One outbox serves several
databases: each store reads and removes only the lines of its own target, compared by
:func:`~gdprlab.training.store.schema.target_key` (so a line queued under another spelling of the same
database, e.g. ``postgres://`` and ``postgresql+psycopg://``, is still delivered), and :func:`waiting`
lists what waits for every database (``gdprlab progress outbox``). A line that cannot be read is left in
place for inspection. The folder and the files are readable by their owner only (they hold
personal data, see :mod:`gdprlab.training.learner`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gdprlab.crm.files import write_atomic
from gdprlab.training.store.records import Attempt, canonical_json, iso_utc
from gdprlab.training.store.schema import StoreError, target_key

__all__ = ["OUTBOX_DIR_ENV", "Outbox", "OutboxError", "Waiting", "split_target", "waiting"]

#: Environment variable with the folder of the outbox.
OUTBOX_DIR_ENV = "GDPRLAB_OUTBOX_DIR"


class OutboxError(RuntimeError):
    """An attempt could be stored neither in the database nor in the outbox."""


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


def split_target(target: str) -> tuple[str, str | None]:
    """A line's target as (URL, PostgreSQL schema or None)."""
    url, _, schema = target.partition("#schema=")
    return url, schema or None


def _key(target: object) -> str | None:
    """The :func:`target_key` of a line's target; None when it is no database URL."""
    if not isinstance(target, str) or not target:
        return None
    try:
        return target_key(*split_target(target))
    except StoreError:
        return None


class Outbox:
    """The attempts waiting for database ``target`` in ``folder``/outbox.jsonl.

    ``target`` is written in the lines (password hidden); ``key`` (default: ``target``'s
    :func:`target_key`) decides which lines are this database's. Call :meth:`append`, :meth:`lines` and
    :meth:`rewrite` with :meth:`locked` held.
    """

    def __init__(self, folder: Path, target: str, key: str | None = None) -> None:
        self.folder = folder
        self.path = folder / "outbox.jsonl"
        self.target = target
        self.key = key if key is not None else _key(target)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _file_lock(self.folder / "outbox.lock"):
            yield

    def append(self, attempt: Attempt, reason: str) -> None:
        """Append one line and fsync it."""
        entry = {
            "target": self.target,
            "queued_at": iso_utc(dt.datetime.now(dt.UTC)),
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
        """Every line of the file (of any target)."""
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
            if not isinstance(entry, dict) or (entry.get("target") != self.target
                                               and _key(entry.get("target")) != self.key):
                continue
            try:
                found.append((index, Attempt.from_json_dict(entry["attempt"])))
            except (KeyError, TypeError, ValueError, AttributeError):
                found.append((index, None))
        return found

    def rewrite(self, lines: list[str]) -> None:
        """Replace the file atomically by ``lines`` (blank ones dropped; none left: the file goes)."""
        kept = [line for line in lines if line.strip()]
        if not kept:
            self.path.unlink(missing_ok=True)
            return
        write_atomic(self.path, "\n".join(kept) + "\n", fsync=True, mode=0o600)


@dataclass(frozen=True)
class Waiting:
    """What waits in an outbox for one database: its target as written (password hidden), how many
    attempts, the oldest queue time and the last reason; ``target`` is ``""`` for unreadable lines."""

    target: str
    attempts: int
    oldest: str
    reason: str


def waiting(folder: Path) -> list[Waiting]:
    """Every database with attempts waiting in ``folder``/outbox.jsonl (one row per :func:`target_key`),
    and a row with target ``""`` counting the lines that cannot be read."""
    outbox = Outbox(folder, "")
    with outbox.locked():
        lines = outbox.lines()
    found: dict[str, list[dict]] = {}
    unreadable = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            key = _key(entry.get("target"))
        except (json.JSONDecodeError, AttributeError):
            key = None
        if key is None:
            unreadable += 1
            continue
        found.setdefault(key, []).append(entry)
    rows = [Waiting(entries[0]["target"], len(entries), min(str(e.get("queued_at", "")) for e in entries),
                    str(entries[-1].get("reason", ""))) for _key_, entries in sorted(found.items())]
    if unreadable:
        rows.append(Waiting("", unreadable, "", "unreadable line(s), left in place for inspection"))
    return rows
