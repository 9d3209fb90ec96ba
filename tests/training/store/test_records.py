"""A quiz attempt and the hash chain, without a database: what is refused, what is hashed, what is a break."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from gdprlab.training.store.records import (
    GENESIS_HASH,
    Attempt,
    StoredAttempt,
    canonical_json,
    chain_problems,
    iso_utc,
    record_hash,
    stored_utc,
)

T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def make_attempt(**changes) -> Attempt:
    fields = {"learner": "alice", "lesson": "l1", "quiz": "q", "bank_version": "2026.1",
              "answers": {"q1": [0, 2]}, "score": 3, "max_score": 4, "passed": True, "submitted_at": T0,
              "attempt_id": "00000000-0000-4000-8000-000000000001"}
    return Attempt(**(fields | changes))


@pytest.mark.parametrize(("change", "words"), [
    ({"learner": " "}, "empty"),
    ({"learner": "a" * 65}, "at most 64"),
    ({"lesson": ""}, "lesson must be non-empty"),
    ({"bank_version": "v" * 65}, "longer than 64"),
    ({"score": 5}, "score must lie in"),
    ({"max_score": 0}, "score must lie in"),
    ({"score": float("nan")}, "finite number"),
    ({"score": True}, "finite number"),
    ({"passed": 1}, "passed must be True or False"),
    ({"submitted_at": dt.datetime(2026, 1, 1)}, "timezone-aware"),
    ({"submitted_at": "2026-01-01"}, "must be a datetime"),
    ({"attempt_id": "42"}, "UUID"),
    ({"answers": {"q": {1, 2}}}, "JSON"),
])
def test_an_invalid_attempt_is_refused_when_made(change, words):
    with pytest.raises(ValueError, match=words):
        make_attempt(**change)


def test_an_attempt_is_normalised_trimmed_learner_float_scores_utc_time():
    attempt = make_attempt(learner=" alice ", score=3, submitted_at=T0.astimezone(dt.timezone.max))
    assert attempt.learner == "alice" and attempt.score == 3.0 and isinstance(attempt.score, float)
    assert attempt.submitted_at == T0 and attempt.submitted_at.tzinfo == dt.UTC


def test_each_new_attempt_gets_its_own_uuid_and_the_time_it_was_made():
    fields = {"learner": "bob", "lesson": "l", "quiz": "q", "bank_version": "v", "answers": {}, "score": 1,
              "max_score": 2, "passed": False}
    before = dt.datetime.now(dt.UTC)
    one, two = Attempt(**fields), Attempt(**fields)
    assert one.attempt_id != two.attempt_id and before <= one.submitted_at <= dt.datetime.now(dt.UTC)


def test_an_attempt_survives_the_json_round_trip_of_the_outbox():
    attempt = make_attempt(submitted_at=T0.replace(microsecond=5))
    data = attempt.to_json_dict()
    assert data["submitted_at"] == "2026-03-02T09:30:00.000005Z"
    assert Attempt.from_json_dict(data) == attempt


def test_answers_are_stored_as_compact_sorted_json():
    assert make_attempt(answers={"b": 1, "a": "ä"}).answers_json == '{"a":"ä","b":1}'
    with pytest.raises(ValueError):
        canonical_json(float("inf"))


def test_times_are_written_and_read_back_as_utc():
    assert iso_utc(dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))) == (
        "2026-03-02T09:30:00.000000Z")
    assert stored_utc("2026-03-02 09:30:00.000001") == T0.replace(microsecond=1)
    assert stored_utc(dt.datetime(2026, 3, 2, 9, 30)) == T0
    assert stored_utc(T0.astimezone(dt.timezone(dt.timedelta(hours=-5)))).tzinfo == dt.UTC


def row(attempt: Attempt, row_id: int, previous: str) -> dict:
    """The attempts-table row of ``attempt`` as the store writes it."""
    values = {"attempt_uuid": attempt.attempt_id, "learner": attempt.learner, "lesson": attempt.lesson,
              "quiz": attempt.quiz, "bank_version": attempt.bank_version, "answers": attempt.answers_json,
              "score": attempt.score, "max_score": attempt.max_score, "passed": attempt.passed,
              "submitted_at": attempt.submitted_at, "previous_hash": previous}
    return values | {"id": row_id, "record_hash": record_hash(**values)}


def chain(*learners: str) -> list[dict]:
    """One row per learner given, each chained to that learner's previous row."""
    rows, last = [], {}
    for n, learner in enumerate(learners, start=1):
        attempt = make_attempt(learner=learner, attempt_id=f"00000000-0000-4000-8000-{n:012d}",
                               submitted_at=T0 + dt.timedelta(minutes=n))
        rows.append(row(attempt, n, last.get(learner, GENESIS_HASH)))
        last[learner] = rows[-1]["record_hash"]
    return rows


def test_the_hash_covers_every_field_and_the_link_to_the_previous_record():
    values = {k: v for k, v in chain("alice")[0].items() if k not in ("id", "record_hash")}
    first = record_hash(**values)
    assert len(first) == 64 and first == record_hash(**values)
    for name, other in [("answers", '{"q1":[0]}'), ("score", 2.0), ("passed", False), ("lesson", "l2"),
                        ("submitted_at", T0 + dt.timedelta(microseconds=1)), ("previous_hash", "f" * 64)]:
        assert record_hash(**(values | {name: other})) != first, name


def test_an_intact_chain_has_no_problem():
    assert chain_problems(chain("alice", "bob", "alice", "alice", "bob")) == []


def test_an_edited_record_breaks_its_own_hash_only():
    rows = chain("alice", "alice", "alice")
    rows[1]["score"] = 4.0
    assert [(p.row_id, p.kind, p.learner) for p in chain_problems(rows)] == [(2, "edited", "alice")]
    assert chain_problems(rows)[0].attempt_id == rows[1]["attempt_uuid"]


def test_a_deleted_record_breaks_the_link_of_the_next():
    rows = chain("alice", "bob", "alice", "alice")
    del rows[2]
    assert [(p.row_id, p.kind) for p in chain_problems(rows)] == [(4, "broken_link")]


def test_a_rehashed_edit_is_caught_by_the_next_link():
    rows = chain("alice", "alice", "alice")
    rows[1]["record_hash"] = "f" * 64
    assert [(p.row_id, p.kind) for p in chain_problems(rows)] == [(2, "edited"), (3, "broken_link")]


def test_a_value_that_cannot_be_read_is_reported_not_raised():
    rows = chain("alice", "alice")
    rows[0]["submitted_at"] = "yesterday"
    problems = chain_problems(rows)
    assert [(p.row_id, p.kind) for p in problems] == [(1, "unreadable")] and "yesterday" in problems[0].detail


def test_removing_the_latest_records_leaves_a_valid_shorter_chain():
    assert chain_problems(chain("alice", "alice", "alice")[:2]) == []


def test_a_stored_attempt_is_a_validated_attempt_with_its_row_id_and_hashes():
    fields = dataclasses.asdict(make_attempt())
    stored = StoredAttempt(**fields, id=7, previous_hash=GENESIS_HASH, record_hash="a" * 64)
    assert isinstance(stored, Attempt) and stored.id == 7 and stored.answers == {"q1": [0, 2]}
    with pytest.raises(ValueError, match="score"):
        StoredAttempt(**(fields | {"score": 9}), id=7, previous_hash=GENESIS_HASH, record_hash="a" * 64)
