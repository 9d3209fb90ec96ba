"""What one quiz attempt is, and the hash chain that makes editing a learner's history detectable.

An :class:`Attempt` is validated when made, so nothing invalid reaches the database or the outbox. Each
stored row's ``record_hash`` is the SHA-256 of its canonical content plus ``previous_hash``, the
``record_hash`` of the same learner's previous row (:data:`GENESIS_HASH` for the first), so editing,
inserting or deleting a row in the middle of a learner's history breaks the chain; :func:`chain_problems`
lists such breaks. The hash is not keyed: it detects edits made without gdprlab's help, not a database
administrator who recomputes every later hash. Removing a learner's *latest* rows leaves a valid (shorter)
chain, so each learner's head (latest ``record_hash``) is also kept outside the attempts table and
:func:`missing_heads` reports a head no longer in its chain (what that catches, and what not:
:mod:`gdprlab.training.store.checkpoint`). Everything here is pure: the database is
:mod:`gdprlab.training.store.progress`'s.

Erasure (Art. 17) and retention (Art. 5(1)(e)) keep the chains verifiable: an erased record becomes a
*tombstone* (:func:`tombstone`): its personal payload (lesson, quiz, bank version, answers, score, time) is
replaced by :data:`ERASED` values, while its ``previous_hash`` and ``record_hash`` stay, so the links
before and after it still check. A tombstone's own content can no longer be checked against its hash (it
is gone); :func:`chain_problems` checks its links only, and ``progress verify`` counts the tombstones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gdprlab.training.learner import InvalidLearnerId, validate_learner_id

__all__ = ["ERASED", "GENESIS_HASH", "HASHED_COLUMNS", "MAX_TEXT", "Attempt", "ChainProblem", "StoredAttempt",
           "as_utc", "canonical_json", "chain_problems", "is_tombstone", "missing_heads", "iso_utc",
           "record_hash", "stored_utc", "tombstone"]

#: ``previous_hash`` of a learner's first record.
GENESIS_HASH = "0" * 64
#: lesson, quiz and bank version of a tombstone (no lesson id has this form)
ERASED = "(erased)"
#: Longest text of these fields (validated before writing, so PostgreSQL never truncates or refuses).
MAX_TEXT = {"lesson": 200, "quiz": 200, "bank_version": 64}

UTC = dt.UTC


def as_utc(value: dt.datetime) -> dt.datetime:
    """A timezone-aware datetime in UTC; a naive one or anything else is a ValueError."""
    if not isinstance(value, dt.datetime):
        raise ValueError(f"submitted_at must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("submitted_at must be timezone-aware (e.g. datetime.now(datetime.UTC))")
    return value.astimezone(UTC)


def stored_utc(value: dt.datetime | str) -> dt.datetime:
    """A time as a database gives it back (ISO text or a datetime, naive meaning UTC), in UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso_utc(value: dt.datetime) -> str:
    """``2026-03-02T09:30:00.000000Z``: the form times are hashed and queued in."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys: the form answers are stored and hashed in."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def _new_uuid() -> str:
    return str(uuid.uuid4())


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
        object.__setattr__(self, "submitted_at", as_utc(self.submitted_at))
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
            "submitted_at": iso_utc(self.submitted_at),
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


#: the columns of an attempts-table row that its ``record_hash`` covers
HASHED_COLUMNS = ("attempt_uuid", "learner", "lesson", "quiz", "bank_version", "answers", "score",
                  "max_score", "passed", "submitted_at", "previous_hash")


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
        "submitted_at": iso_utc(submitted_at),
        "previous_hash": previous_hash,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """A break in a learner's hash chain. ``kind`` is ``"edited"``, ``"broken_link"`` or ``"unreadable"``
    (of row ``row_id``), or ``"deleted_latest"`` or ``"deleted_learner"`` (rows gone: ``row_id`` None)."""

    learner: str
    row_id: int | None
    attempt_id: str
    kind: str
    detail: str


def tombstone(why: str, at: dt.datetime) -> dict[str, Any]:
    """The column values that replace an erased record's personal payload; ``why`` is ``"erasure"`` (a
    request, Art. 17) or ``"retention"`` (the retention period ended, Art. 5(1)(e)); ``at`` is when."""
    return {"lesson": ERASED, "quiz": ERASED, "bank_version": ERASED,
            "answers": canonical_json({"erased": why, "at": iso_utc(at)}), "score": 0.0, "max_score": 1.0,
            "passed": False, "submitted_at": at}


def is_tombstone(row: Mapping[str, Any]) -> bool:
    """Whether an attempts-table row is an erased record's tombstone."""
    return row["lesson"] == ERASED


def chain_problems(rows: Iterable[Mapping[str, Any]]) -> list[ChainProblem]:
    """Every break in the chains of ``rows`` (attempts table rows, in stored order within each learner;
    ``submitted_at`` may be the raw stored text). An empty list means no problem found. A tombstone's links
    are checked, not its (erased) content."""
    problems: list[ChainProblem] = []
    expected: dict[str, str] = {}
    for row in rows:
        if row["previous_hash"] != expected.get(row["learner"], GENESIS_HASH):
            problems.append(_problem(row, "broken_link", "previous_hash does not match the learner's record "
                                     "before it (a record was deleted, inserted or reordered)"))
        if is_tombstone(row):
            expected[row["learner"]] = row["record_hash"]
            continue
        try:
            recomputed = record_hash(**{name: row[name] for name in HASHED_COLUMNS}
                                     | {"submitted_at": stored_utc(row["submitted_at"])})
        except (TypeError, ValueError) as error:
            problems.append(_problem(row, "unreadable", str(error)))
        else:
            if recomputed != row["record_hash"]:
                problems.append(_problem(row, "edited", "the record's content does not match its "
                                         "record_hash (changed after storing)"))
        expected[row["learner"]] = row["record_hash"]
    return problems


def _problem(row: Mapping[str, Any], kind: str, detail: str) -> ChainProblem:
    return ChainProblem(learner=row["learner"], row_id=row["id"], attempt_id=row["attempt_uuid"], kind=kind,
                        detail=detail)


def missing_heads(rows: Iterable[Mapping[str, Any]], heads: Mapping[str, tuple[str, int]],
                  source: str) -> list[ChainProblem]:
    """Learners whose checkpointed head (``heads``: learner -> (record_hash, records in the chain then),
    read from ``source``) is no longer in their chain among ``rows``: their latest records, or all of
    them, were deleted. A chain that grew beyond its head is fine, and so is a head that is now a tombstone
    (the learner's records were erased, and the learner's id with them)."""
    chains: dict[str, set[str]] = {}
    erased = set()
    for row in rows:
        chains.setdefault(row["learner"], set()).add(row["record_hash"])
        if is_tombstone(row):
            erased.add(row["record_hash"])
    problems = []
    for learner, (head, count) in sorted(heads.items()):
        chain = chains.get(learner)
        if head in erased:
            continue
        if not chain:
            problems.append(ChainProblem(learner, None, "", "deleted_learner", f"all records of the learner "
                                         f"are gone ({source} lists {count} record(s))"))
        elif head not in chain:
            problems.append(ChainProblem(learner, None, "", "deleted_latest",
                                         f"the learner's latest record(s) are gone: the head in {source} "
                                         f"(record {count}, hash {head[:12]}…) is not in the chain, which "
                                         f"now has {len(chain)} record(s)"))
    return problems
