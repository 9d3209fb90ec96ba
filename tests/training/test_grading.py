"""Grading learners cannot forge (single-user mode): the store re-grades every attempt from its answers and
refuses one whose score does not follow from them; `progress verify` re-grades every stored record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from helpers import graded_attempt

from gdprlab.cli.main import main
from gdprlab.training.grading import GradeError, answers_with, default_grader, grade, regrade
from gdprlab.training.quiz import bank_version, draw, load_banks
from gdprlab.training.store.outbox import Outbox
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import Attempt

LESSON = "02_permission"


pytestmark = pytest.mark.usefixtures("private_home")


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'progress.sqlite'}"


@pytest.fixture
def store(url, tmp_path):
    with ProgressStore(url, outbox_dir=tmp_path / "outbox") as s:
        yield s


def test_a_passing_attempt_written_from_a_cell_without_answers_is_refused(store):
    """The issue's scenario: bank_version='x', no answers, a pass claimed."""
    cell = Attempt(learner="S1", lesson=LESSON, quiz=LESSON, bank_version="x", answers={}, score=8,
                   max_score=8, passed=True)
    result = store.record(cell)
    assert not result.stored and result.refused and result.pending == 0
    assert result.message.startswith("Attempt refused") and "'x'" in result.message
    assert "Traceback" not in result.message
    assert store.attempts() == [] and store.pending() == []
    # the right bank version, still no answers: refused too
    cell = dataclasses.replace(cell, bank_version=bank_version(load_banks()[LESSON]))
    result = store.record(cell)
    assert result.refused and "no answers" in result.message and store.attempts() == []


def test_a_forged_score_is_refused_and_the_true_one_is_stored(store):
    honest = graded_attempt("S1", LESSON, right=3)  # 3 of 8: not passed
    assert (honest.score, honest.max_score, honest.passed) == (3.0, 8.0, False)
    forged = dataclasses.replace(honest, score=8.0, passed=True)
    result = store.record(forged)
    assert result.refused and "does not follow from its answers (3 of 8, not passed)" in result.message
    passed_but_low = dataclasses.replace(honest, passed=True)  # the verdict alone forged
    assert store.record(passed_but_low).refused
    assert store.record(honest).stored
    assert [(a.score, a.passed) for a in store.attempts()] == [(3.0, False)]


def test_answers_to_hand_picked_questions_are_refused(store):
    """Answering the eight questions one knows is not an attempt: the questions must be one of the
    learner's draws."""
    bank = load_banks()[LESSON]
    drawn = {q.id for q in draw(bank, "S1", 1).questions}
    others = [q for q in bank.questions if q.id not in drawn][: bank.questions_per_attempt]
    answers = {q.id: list(q.correct_indices) for q in others}
    picked = Attempt(learner="S1", lesson=LESSON, quiz=LESSON, bank_version=bank_version(bank),
                     answers=answers, score=8, max_score=8, passed=True)
    result = store.record(picked)
    assert result.refused and "not one of the learner's draws" in result.message
    # another learner's draw is not this learner's either
    theirs = graded_attempt("S2", LESSON)
    assert store.record(dataclasses.replace(theirs, learner="S1")).refused


def test_every_draw_of_the_learner_re_grades():
    bank = load_banks()[LESSON]
    for number in (1, 2, 5, len(bank.questions) + 3):
        answers = answers_with(bank, "S1", number, right=6)
        assert grade(bank, "S1", answers).score == 6.0


def test_an_unknown_lesson_or_a_bank_of_another_lesson_is_refused():
    grader = default_grader()
    honest = graded_attempt("S1", LESSON)
    grader(honest)
    with pytest.raises(GradeError, match="is the bank of lesson '02_permission'"):
        grader(dataclasses.replace(honest, lesson="05_rights", quiz="05_rights"))


def test_an_earlier_bank_version_re_grades_when_the_grader_knows_it():
    bank = load_banks()[LESSON]
    earlier = dataclasses.replace(bank, pass_mark=0.5)  # e.g. the version before a change of pass mark
    answers = answers_with(earlier, "S1", 1, right=4)
    attempt = Attempt(learner="S1", lesson=LESSON, quiz=LESSON, bank_version=bank_version(earlier),
                      answers=answers, score=4, max_score=8, passed=True)
    assert regrade(attempt, {bank_version(earlier): earlier}).passed
    with pytest.raises(GradeError, match="not one this gdprlab knows"):
        default_grader()(attempt)


def test_a_forged_line_in_the_outbox_is_not_delivered(store, tmp_path):
    outbox = Outbox(tmp_path / "outbox", store.outbox.target, store.key)
    forged = dataclasses.replace(graded_attempt("S1", LESSON, right=1), score=8.0, passed=True)
    with outbox.locked():
        outbox.append(forged, "written by hand")
    result = store.flush_outbox()
    assert result.stored == 0 and "1 line(s) refused" in result.message
    assert store.attempts() == [] and len(store.pending()) == 1  # left in place for inspection
    assert store.record(graded_attempt("S1", LESSON)).stored  # an honest attempt still goes through


def test_verify_reports_a_record_that_does_not_re_grade(url, tmp_path, capsys):
    with ProgressStore(url, outbox_dir=tmp_path / "outbox") as store:
        assert store.record(graded_attempt("S1", LESSON)).stored
    assert main(["progress", "verify", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "1 record(s) re-graded from their answers: every score follows from them" in out
    # a writer that does not grade (or sqlite3 straight into the file) gets a forged record in; its
    # chain is intact, yet verify reports it
    with ProgressStore(url, outbox_dir=tmp_path / "outbox", grader=None) as trusting:
        cell = Attempt(learner="S2", lesson=LESSON, quiz=LESSON, bank_version="x", answers={}, score=8,
                       max_score=8, passed=True, submitted_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
        assert trusting.record(cell).stored
        assert trusting.verify_chain() == []
    assert main(["progress", "verify", "--db", url]) == 1
    out = capsys.readouterr().out
    assert "history intact" in out
    assert "S2: record 2: not_regraded: bank version 'x' is not one this gdprlab knows" in out
    assert "1 of 2 record(s) do not re-grade" in out and "S1:" not in out


def test_stored_answers_of_a_record_are_plain_json(store):
    """What verify re-grades is what the store keeps: answers survive the round trip as lists."""
    honest = graded_attempt("S1", LESSON, right=5)
    store.record(honest)
    (stored,) = store.attempts()
    assert json.loads(stored.answers_json) == honest.answers
    assert store.grade_problems() == (1, [])


def test_summary_warns_about_records_that_do_not_re_grade(url, tmp_path, capsys):
    with ProgressStore(url, outbox_dir=tmp_path / "outbox", grader=None) as trusting:
        assert trusting.record(graded_attempt("S1", LESSON)).stored
        assert trusting.record(dataclasses.replace(graded_attempt("S2", LESSON, 1), score=8.0,
                                                   passed=True)).stored
    (tmp_path / "staff.csv").write_text("staff_id,name,email,department,role,crm_access,start_date\n"
                                        "S1,Anna,a@example.com,sales,rep,standard,2020-01-01\n")
    assert main(["progress", "import", str(tmp_path / "staff.csv"), "--db", url]) == 0
    capsys.readouterr()
    assert main(["progress", "summary", "--db", url]) == 0
    err = capsys.readouterr().err
    assert "warning: 1 of 2 stored record(s) do not re-grade" in err and "progress verify" in err
