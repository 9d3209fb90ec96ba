"""Where an attempt waits when the database cannot take it, so that no learner's answers are ever lost.

The outbox is a file of one JSON object per line (``outbox.jsonl``): the target database, when and why
the attempt was queued, and the attempt itself. Several processes (notebook kernels, the CLI) share it, so
every read-modify-write happens under an exclusive lock on ``outbox.lock`` beside it; a line is appended and
flushed to disk at once, and a rewrite replaces the whole file atomically. One outbox serves several
databases: each store reads and removes only the lines of its own target. A line that cannot be read is
left in place for inspection. The folder and the files are readable by their owner only (they hold
personal data, see :mod:`gdprlab.training.learner`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

from gdprlab.crm.files import write_atomic
from gdprlab.training.store.records import Attempt, canonical_json, iso_utc

__all__ = ["OUTBOX_DIR_ENV", "Outbox", "OutboxError"]

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


class Outbox:
    """The attempts waiting for database ``target`` in ``folder``/outbox.jsonl.

    Call :meth:`append`, :meth:`lines` and :meth:`rewrite` with :meth:`locked` held.
    """

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
            if not isinstance(entry, dict) or entry.get("target") != self.target:
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
