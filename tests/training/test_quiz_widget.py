"""The quiz widget, driven without a browser: set values, click Submit, look at the result and the store."""

from __future__ import annotations

import html

import ipywidgets as widgets
import pytest

from gdprlab.training import quiz
from gdprlab.training.grading import regrade
from gdprlab.training.quiz_widget import (
    PREVIEW_LEARNER,
    MissingBank,
    answers_from_values,
    build_quiz,
    format_result,
    learner_panel,
    my_progress,
    next_attempt_number,
    previous_attempts,
    resolve_learner_or_preview,
    show_quiz,
    stored_answers,
)
from gdprlab.training.store.progress import ProgressStore

BANK = """\
schema: gdprlab-quiz/1
lesson: 99_test
title: "Test bank"
pass_mark: 0.5
questions_per_attempt: 3
questions:
  - id: t-1
    type: single
    question: "Which article sets the storage limitation principle?"
    articles: ["5(1)(e)"]
    explanation: "Art. 5(1)(e): kept no longer than is necessary."
    options:
      - {text: "Art. 5(1)(e)", correct: true, feedback: "Right."}
      - {text: "Art. 33(1)", correct: false, feedback: "That is breach notification."}
  - id: t-2
    type: multiple
    question: "Which are special categories under Art. 9(1)?"
    articles: ["9(1)"]
    explanation: "Art. 9(1) lists health and religious beliefs among others."
    options:
      - {text: "Health", correct: true, feedback: "Yes, data concerning health."}
      - {text: "Religious beliefs", correct: true, feedback: "Yes."}
      - {text: "Postal address", correct: false, feedback: "Personal, not special."}
  - id: t-3
    type: true_false
    question: "Consent may be withdrawn at any time."
    articles: ["7(3)"]
    explanation: "Art. 7(3)."
    options:
      - {text: "True", correct: true, feedback: "Right."}
      - {text: "False", correct: false, feedback: "Art. 7(3) says at any time."}
  - id: t-4
    type: scenario
    scenario: "A customer asks you to stop sending offers."
    question: "What do you do?"
    articles: ["21(3)"]
    explanation: "Art. 21(3): no longer processed for such purposes."
    options:
      - {text: "Stop the marketing", correct: true, feedback: "Right."}
      - {text: "Send one more", correct: false, feedback: "No."}
"""


@pytest.fixture()
def banks(tmp_path):
    path = tmp_path / "99_test.yaml"
    path.write_text(BANK, encoding="utf-8")
    return {"99_test": quiz.load_bank(path)}


def grader_of(banks):
    """A store's grader that knows the test bank: the widget's records must re-grade against it."""
    known = {quiz.bank_version(bank): bank for bank in banks.values()}
    return lambda attempt: regrade(attempt, known)


@pytest.fixture()
def store(tmp_path, banks):
    with ProgressStore(f"sqlite:///{tmp_path / 'progress.sqlite'}", outbox_dir=tmp_path / "outbox",
                       grader=grader_of(banks)) as s:
        yield s


@pytest.fixture(autouse=True)
def no_learner(monkeypatch, tmp_path):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv("GDPRLAB_LEARNER_FILE", str(tmp_path / "no-such-learner"))


def _answer_all(qw, right: bool) -> None:
    for i, drawn in enumerate(qw.attempt.questions):
        shown = [j for j, option in enumerate(drawn.options) if option.correct == right]
        qw.set_answer(i, shown if drawn.question.type == "multiple" else shown[0])


def test_answers_from_values_pure():
    bank_questions = [type("Q", (), {"id": key})() for key in "abc"]
    assert answers_from_values(bank_questions, [1, (2, 0), None]) == {"a": [1], "b": [0, 2]}
    assert answers_from_values(bank_questions, [0, (), None]) == {"a": [0]}
    with pytest.raises(ValueError):
        answers_from_values(bank_questions, [0])


def test_next_attempt_number():
    assert next_attempt_number(None) == 1
    assert next_attempt_number(0) == 1
    assert next_attempt_number(2) == 3


def test_widgets_match_question_types(banks):
    qw = build_quiz("99_test", learner="u1234", banks=banks, store=None)
    assert len(qw.inputs) == 3
    for drawn, control in zip(qw.attempt.questions, qw.inputs, strict=True):
        if drawn.question.type == "multiple":
            assert isinstance(control, widgets.Box)
            assert all(isinstance(c, widgets.Checkbox) for c in control.children)
            labels = [c.description for c in control.children]
        else:
            assert isinstance(control, widgets.RadioButtons)
            assert control.value is None  # nothing pre-selected
            labels = [label for label, _ in control.options]
        # short letters as labels (widget labels do not wrap); the texts are in the question's HTML
        assert labels == [chr(ord("A") + i) for i in range(len(drawn.options))]
        html_text = "".join(getattr(w, "value", "") for w in qw.box.children if isinstance(w, widgets.HTML))
        for option in drawn.options:
            assert html.escape(option.text) in html_text
    assert isinstance(qw.box, widgets.VBox) and qw.submit in qw.box.children


def test_submit_all_right_records_attempt(banks, store):
    qw = build_quiz("99_test", learner="u1234", banks=banks, store=store)
    assert qw.attempt.number == 1
    _answer_all(qw, right=True)
    qw.submit.click()
    assert qw.result.passed and qw.result.share == 1.0
    assert "Passed" in qw.result_html.value and "Art. " in qw.result_html.value
    assert qw.record_message == "Attempt recorded."
    assert qw.submit.disabled
    rows = store.attempts(learner="u1234")
    assert len(rows) == 1
    row = rows[0]
    assert (row.lesson, row.quiz, row.passed, row.score) == ("99_test", "99_test", True, 3.0)
    assert row.bank_version == quiz.bank_version(banks["99_test"])
    # stored answers index the bank's options, so they are the correct ones whatever the shown order
    for drawn in qw.attempt.questions:
        assert row.answers[drawn.id] == list(drawn.question.correct_indices)
    # the next quiz is attempt 2 and brings other questions
    again = build_quiz("99_test", learner="u1234", banks=banks, store=store)
    assert again.attempt.number == 2
    assert previous_attempts(store, "u1234", "99_test") == 1


def test_submit_wrong_and_unanswered(banks, store):
    qw = build_quiz("99_test", learner="u1234", banks=banks, store=store)
    _answer_all(qw, right=False)
    qw.set_answer(0, None)
    qw.submit.click()
    assert not qw.result.passed and qw.result.points == 0
    assert "Not passed yet" in qw.result_html.value
    assert "not answered" in qw.result_html.value
    assert "Correct answer" in qw.result_html.value
    assert store.attempts(learner="u1234")[0].passed is False


def test_preview_without_learner_does_not_record(banks, store):
    assert resolve_learner_or_preview(None) == (PREVIEW_LEARNER, True)
    qw = build_quiz("99_test", banks=banks, store=store)
    assert qw.preview and qw.learner == PREVIEW_LEARNER
    _answer_all(qw, right=True)
    qw.submit.click()
    assert "not recorded" in qw.record_message
    assert "not recorded" in qw.status.value
    assert store.attempts() == []


def test_hub_user_is_the_learner(banks, store, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-user")
    qw = build_quiz("99_test", banks=banks, store=store)
    assert (qw.learner, qw.preview) == ("hub-user", False)


def test_unavailable_store_keeps_attempt_locally(banks, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    bad = ProgressStore(f"sqlite:///{blocker / 'p.sqlite'}", outbox_dir=tmp_path / "ob",
                        grader=grader_of(banks))
    qw = build_quiz("99_test", learner="u1234", banks=banks, store=bad)
    assert qw.attempt.number == 1
    assert "could not be read" in qw.box.children[0].value
    _answer_all(qw, right=True)
    qw.submit.click()
    assert qw.result.passed
    assert qw.record_message.startswith("Progress not saved")
    assert html.escape(qw.record_message) in qw.status.value
    assert len(bad.pending()) == 1
    # the attempt kept locally counts: the next draw is attempt 2 once the database is back
    blocker.unlink()
    blocker.mkdir()
    good = ProgressStore(f"sqlite:///{blocker / 'p.sqlite'}", outbox_dir=tmp_path / "ob",
                         grader=grader_of(banks))
    assert build_quiz("99_test", learner="u1234", banks=banks, store=good).attempt.number == 2


def test_format_result_escapes_html(banks):
    qw = build_quiz("99_test", learner="u1234", banks=banks)
    result = quiz.score(qw.attempt, {})
    text = format_result(qw.attempt, result)
    assert text.count("not answered") == 3
    assert stored_answers(qw.attempt, {}) == {q.id: [] for q in qw.attempt.questions}


def test_unknown_lesson(banks):
    with pytest.raises(KeyError, match="no question bank"):
        build_quiz("00_nope", learner="u1234", banks=banks)
    assert issubclass(MissingBank, KeyError)


def test_show_quiz_returns_the_displayed_widget(monkeypatch):
    banks = quiz.load_banks()
    lesson = sorted(banks)[0]
    box = show_quiz(lesson, learner=PREVIEW_LEARNER)
    assert isinstance(box, widgets.Widget)
    assert box.quiz.preview and box.quiz.lesson == lesson


def test_show_quiz_without_bank_says_so():
    box = show_quiz("00_no_such_lesson", learner=PREVIEW_LEARNER)
    assert "not available yet" in box.value


def test_learner_panel_remembers_and_forgets(tmp_path):
    config = tmp_path / "learner"
    panel = learner_panel(env={}, config_file=config)
    assert PREVIEW_LEARNER in panel.status.value
    panel.text.value = "   "
    panel.button.click()
    assert "Not saved" in panel.status.value and not config.exists()
    panel.text.value = "staff-0042"
    panel.button.click()
    assert "staff-0042" in panel.status.value
    assert config.read_text(encoding="utf-8").strip() == "staff-0042"
    panel.forget.click()
    assert not config.exists() and PREVIEW_LEARNER in panel.status.value


def test_my_progress(banks, store):
    assert isinstance(my_progress(store), widgets.HTML)  # no learner: nothing recorded
    qw = build_quiz("99_test", learner="u1234", banks=banks, store=store)
    _answer_all(qw, right=True)
    qw.submit.click()
    frame = my_progress(store, learner="u1234")
    assert frame["lesson"].tolist() == ["99_test"] and frame["passed"].tolist() == [True]


def test_learner_panel_on_jupyterhub(tmp_path):
    panel = learner_panel(env={"JUPYTERHUB_USER": "hubby"}, config_file=tmp_path / "learner")
    assert "hubby" in panel.status.value and "JupyterHub" in panel.status.value
    assert panel.text.disabled and panel.button.disabled
