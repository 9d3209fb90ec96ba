"""Checkpoints of every learner's chain head outside the database, so that deleted records are noticed.

A learner's hash chain (:mod:`gdprlab.training.store.records`) shows an edited, inserted or deleted record
*inside* the chain, but not its latest records deleted, nor a learner, nor the whole table: what is left
is still a valid chain. So each learner's head (the latest ``record_hash`` and how many records the chain
had) is kept in two more places:

* the ``attempt_heads`` table (:mod:`gdprlab.training.store.schema`), updated in the transaction that
  stores the attempt, so it is always current;
* checkpoint files (this module): the local one, ``checkpoints/<key>.json`` in the data folder, refreshed by
  every ``gdprlab progress verify`` that finds the history intact and by every ``progress export``; and
  ``chain-heads.json`` written beside every export, to be kept with it (e.g. by HR).

``gdprlab progress verify`` reports a head that is no longer in its learner's chain, from the table, the
local checkpoint or a given ``--checkpoint FILE``.

Detected: an edited record; a record inserted, reordered or deleted inside a chain; a learner's latest
records deleted; a learner deleted; the attempts table emptied or dropped (while ``attempt_heads`` or a
checkpoint remembers the learners); both tables emptied, for the records a checkpoint file knows.

Not detected: someone with write access to the database who rewrites the records *and* recomputes every
later hash and the ``attempt_heads`` rows consistently, for the records stored since the newest checkpoint
file they cannot also change; a learner's records deleted and the learner then recording again (the
table's head moves to the new chain; only a checkpoint file taken before still shows the deletion);
deletions among records no head was taken of yet (stored by an older gdprlab before this one first wrote
to the database); a checkpoint file deleted or replaced together with the database. The hashes carry no
secret key: they make tampering visible, they do not prove authorship. Keep exported ``chain-heads.json``
files where the database's administrators cannot write.

The files hold learner ids (pseudonymous personal data): they are written owner-only (0600, folder 0700).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from gdprlab.crm.files import write_atomic
from gdprlab.training.store.records import iso_utc
from gdprlab.training.store.schema import StoreError, default_data_dir

__all__ = ["EXPORT_NAME", "Heads", "local_checkpoint", "read_checkpoint", "write_checkpoint"]

#: file name of the checkpoint written beside an export
EXPORT_NAME = "chain-heads.json"

#: learner -> (head record_hash, records in the chain at the head)
Heads = Mapping[str, tuple[str, int]]


def local_checkpoint(key: str, folder: Path | None = None) -> Path:
    """The local checkpoint of the database ``key`` (:func:`~gdprlab.training.store.schema.target_key`)."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return (folder or default_data_dir()) / "checkpoints" / f"{digest}.json"


def write_checkpoint(path: str | Path, key: str, heads: Heads) -> Path:
    """Write the heads of database ``key`` to ``path`` (atomically, owner-only)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = {"database": key, "taken_at": iso_utc(dt.datetime.now(dt.UTC)),
            "heads": {learner: {"head": head, "records": count}
                      for learner, (head, count) in sorted(heads.items())}}
    return write_atomic(path, json.dumps(data, indent=1) + "\n", mode=0o600)


def read_checkpoint(path: str | Path, key: str) -> dict[str, tuple[str, int]] | None:
    """The heads of a checkpoint file of database ``key``; None when the file does not exist. A file that
    cannot be read, or of another database, is a StoreError."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StoreError(f"{path}: not a chain-heads checkpoint ({error})") from None
    try:
        if data["database"] != key:
            raise StoreError(f"{path} is the checkpoint of another database ({data['database']}), not {key}")
        return {str(learner): (str(v["head"]), int(v["records"])) for learner, v in data["heads"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise StoreError(f"{path}: not a chain-heads checkpoint (missing or bad {error})") from None
