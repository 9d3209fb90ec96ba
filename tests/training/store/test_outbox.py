"""The outbox: attempts waiting for their database, one JSON line each, shared safely between processes."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import stat
import uuid

import pytest

from gdprlab.training.store.outbox import Outbox
from gdprlab.training.store.records import Attempt

T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def attempt(n: int = 0, learner: str = "alice") -> Attempt:
    return Attempt(learner=learner, lesson="l1", quiz="q", bank_version="1", answers={"n": n}, score=1,
                   max_score=2, passed=False, submitted_at=T0 + dt.timedelta(minutes=n),
                   attempt_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{learner}/{n}")))


@pytest.fixture
def outbox(tmp_path) -> Outbox:
    return Outbox(tmp_path / "box", "sqlite:////data/progress.sqlite")


def test_an_appended_attempt_is_one_line_naming_its_database_and_why_it_waits(outbox):
    with outbox.locked():
        outbox.append(attempt(), "database is locked")
        [line] = outbox.lines()
    entry = json.loads(line)
    assert entry["target"] == outbox.target and entry["reason"] == "database is locked"
    assert entry["queued_at"].endswith("Z") and entry["attempt"] == attempt().to_json_dict()
    assert outbox.mine(outbox.lines()) == [(0, attempt())]


def test_the_outbox_is_private_to_its_owner(outbox):
    with outbox.locked():
        outbox.append(attempt(), "test")
    assert stat.S_IMODE(outbox.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(outbox.path.stat().st_mode) == 0o600
    with outbox.locked():
        outbox.rewrite(outbox.lines() * 2)
    assert stat.S_IMODE(outbox.path.stat().st_mode) == 0o600


def test_lines_of_another_database_are_not_mine_but_are_kept(outbox):
    other = Outbox(outbox.folder, "postgresql://db/test")
    with outbox.locked():
        outbox.append(attempt(1), "test")
        other.append(attempt(2), "test")
        lines = outbox.lines()
    assert [a.answers for _, a in outbox.mine(lines)] == [{"n": 1}]
    assert [(i, a.answers) for i, a in other.mine(lines)] == [(1, {"n": 2})]


def test_an_unreadable_line_is_reported_as_none_and_never_swallows_the_next(outbox):
    outbox.folder.mkdir()
    outbox.path.write_text('{"target": "cut short by a cra')
    with outbox.locked():
        outbox.append(attempt(), "test")
        lines = outbox.lines()
    assert lines[0] == '{"target": "cut short by a cra'
    bad_attempt = json.dumps({"target": outbox.target, "attempt": {"learner": ""}})
    assert outbox.mine([*lines, "", bad_attempt]) == [(0, None), (1, attempt()), (3, None)]


def test_a_rewrite_keeps_the_given_lines_and_removes_an_empty_outbox(outbox):
    with outbox.locked():
        for n in range(3):
            outbox.append(attempt(n), "test")
        lines = outbox.lines()
        outbox.rewrite([lines[0], "", lines[2]])
        assert [a.answers for _, a in outbox.mine(outbox.lines())] == [{"n": 0}, {"n": 2}]
        outbox.rewrite([""])
    assert not outbox.path.exists() and outbox.lines() == []


def _append_many(folder, target, worker: int) -> None:
    box = Outbox(folder, target)
    for n in range(25):
        with box.locked():
            box.append(attempt(n, learner=f"w{worker}"), "test")
            lines = box.lines()
            box.rewrite(lines)  # a read-modify-write racing the other processes' appends


def test_processes_sharing_the_outbox_lose_no_line(outbox):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(outbox.folder, outbox.target, n)) for n in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    found = [(a.learner, a.answers["n"]) for _, a in outbox.mine(outbox.lines())]
    assert sorted(found) == sorted((f"w{w}", n) for w in range(3) for n in range(25))
