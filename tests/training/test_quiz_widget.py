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
    attempt_history,
    build_quiz,
    course_panel,
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
    """A store's grader that knows the packaged banks and the test bank: the widget's records must re-grade
    against them."""
    known = {quiz.bank_version(bank): bank for bank in [*quiz.load_banks().values(), *banks.values()]}
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
        # each option is one control whose label is its letter and full text (what a screen reader reads
        # and what a click or touch on the text selects)
        assert labels == [f"{chr(ord('A') + i)}. {o.text}" for i, o in enumerate(drawn.options)]
        assert "gdprlab-options" in control._dom_classes
    assert isinstance(qw.box, widgets.VBox) and qw.submit in qw.box.children
    assert "gdprlab-ui" in qw.box._dom_classes and "<style>" in qw.box.children[0].value


def test_submit_all_right_records_attempt(banks, store):
    qw = build_quiz("99_test", learner="u1234", banks=banks, store=store)
    assert qw.attempt.number == 1
    _answer_all(qw, right=True)
    qw.submit.click()
    assert qw.result.passed and qw.result.share == 1.0
    assert "Passed" in qw.result_html.value
    assert all("✔" in f.value and "correct." in f.value and "Art. " in f.value for f in qw.feedback)
    assert all("gdprlab-right" in box._dom_classes for box in qw.questions)
    assert qw.record_message == "Attempt recorded."
    assert qw.submit.disabled and qw.submit.layout.display == "none"
    assert qw.try_again.layout.display == "none"  # passed: nothing to try again
    assert "Next lesson" not in qw.nav.value  # 99_test is the last lesson of this course
    assert "Back to the course" in qw.nav.value and "00_start_here.ipynb" in qw.nav.value
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


def test_unanswered_questions_block_the_submission(banks, store):
    qw = build_quiz("99_test", learner="u1234", banks=banks, store=store)
    qw.submit.click()
    assert qw.result is None and store.attempts() == []
    assert "Not submitted yet" in qw.message.value and "questions 1, 2, 3 have no answer" in qw.message.value
    assert "role='alert'" in qw.message.value
    _answer_all(qw, right=True)
    qw.set_answer(1, None if qw.attempt.questions[1].question.type != "multiple" else ())
    qw.submit.click()
    assert qw.result is None and "question 2 has no answer" in qw.message.value
    assert "no answer yet" in qw.feedback[1].value and qw.feedback[0].value == ""
    assert "Correct answer" not in "".join(f.value for f in qw.feedback)  # nothing revealed
    _answer_all(qw, right=True)
    qw.submit.click()
    assert qw.result.passed and qw.message.value == ""


def test_wrong_answers_say_so_without_revealing_the_right_ones_until_a_pass(banks, store):
    qw = build_quiz("99_test", learner="u1234", banks=banks, store=store, allowed=None)
    _answer_all(qw, right=False)
    qw.submit.click()
    assert not qw.result.passed and qw.result.points == 0
    assert "Not passed yet" in qw.result_html.value
    for drawn, feedback, box in zip(qw.attempt.questions, qw.feedback, qw.questions, strict=True):
        assert "✘" in feedback.value and "not correct." in feedback.value
        assert "gdprlab-verdict wrong" in feedback.value and "gdprlab-wrong" in box._dom_classes
        chosen = [o for o in drawn.options if not o.correct]
        assert html.escape(chosen[0].feedback) in feedback.value  # the explanation of the chosen option
        assert "Correct answer" not in feedback.value
        assert html.escape(drawn.question.explanation) not in feedback.value
    assert not qw.revealed and store.attempts(learner="u1234")[0].passed is False
    # Try again: the next attempt, new questions, in the same box (no reload)
    assert qw.try_again.layout.display is None
    box, first = qw.box, {d.id for d in qw.attempt.questions}
    qw.try_again.click()
    assert qw.box is box and qw.attempt.number == 2 and qw.round_number == 2
    assert {d.id for d in qw.attempt.questions} != first
    assert qw.values() == [None if isinstance(c, widgets.RadioButtons) else () for c in qw.inputs]
    assert all(f.value == "" for f in qw.feedback) and qw.result_html.value == ""
    assert not qw.submit.disabled and qw.try_again.layout.display == "none"
    assert set(qw.questions) <= set(qw.box.children)
    _answer_all(qw, right=True)
    qw.set_answer(0, [j for j, o in enumerate(qw.attempt.questions[0].options) if not o.correct][:1]
                  if qw.attempt.questions[0].question.type == "multiple" else
                  [j for j, o in enumerate(qw.attempt.questions[0].options) if not o.correct][0])
    qw.submit.click()
    assert qw.result.passed and qw.revealed  # 2 of 3 passes; now the right answer of question 1 shows
    assert "Correct answer" in qw.feedback[0].value and "Correct answer" not in qw.feedback[1].value
    assert len(store.attempts(learner="u1234")) == 2


def test_the_last_allowed_attempt_reveals_the_answers_and_offers_no_other(banks, store):
    qw = build_quiz("99_test", learner="u1234", banks=banks, store=store, allowed=2)
    assert "attempt 1 (try 1 of the 2 allowed)" in qw.header.value
    _answer_all(qw, right=False)
    qw.submit.click()
    assert not qw.revealed and "Correct answer" not in qw.feedback[0].value
    qw.try_again.click()
    assert "attempt 2 (try 2 of the 2 allowed)" in qw.header.value
    _answer_all(qw, right=False)
    qw.submit.click()
    assert qw.revealed and all("Correct answer" in f.value for f in qw.feedback)
    assert qw.try_again.layout.display == "none" and "last allowed attempt" in qw.result_html.value
    # a pass starts a new round: the refresher a year later has its allowed attempts again
    assert attempt_history(store, "u1234", "99_test") == (2, 2)


def test_next_lesson_link_follows_the_course_order():
    qw = build_quiz("02_permission", learner=PREVIEW_LEARNER)
    assert "href='03_minimisation.ipynb'>Next lesson: 03" in qw.nav.value
    assert "href='00_start_here.ipynb'>Back to the course" in qw.nav.value
    last = build_quiz("08_education", learner=PREVIEW_LEARNER)
    assert "Next lesson" not in last.nav.value


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
    assert "could not be read" in qw.header.value
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


def test_course_panel_shows_the_path_and_refreshes_after_a_quiz(store, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "u1234")
    box = course_panel(store, poll=0, display_it=False)
    panel = box.panel
    text = panel.view.value
    assert "9 lessons" in text and text.count("<tr") == 10  # header + nine lessons
    assert "Start with lesson 01" in text and "href='01_classification.ipynb'" in text
    assert "Not started" in text and " min</td>" in text
    # a quiz in this kernel: the panel is told at once
    qw = build_quiz("01_classification", store=store)
    _answer_all(qw, right=True)
    qw.submit.click()
    assert "Continue with lesson 02" in panel.view.value
    assert "Passed (1 attempt, best 100 %)" in panel.view.value
    # a quiz in another page (another kernel) writes to the store: the panel notices on its next look
    other = build_quiz("02_permission", store=store)
    from gdprlab.training import quiz_widget

    monkeypatch.setattr(quiz_widget, "_RECORDED", [])
    _answer_all(other, right=False)
    other.submit.click()
    assert "Continue with lesson 02" in panel.view.value and panel.changed()
    panel.refresh()
    assert "Started, not passed yet (1 attempt, best 0 %)" in panel.view.value and not panel.changed()
    panel.close()


def test_the_course_path_scrolls_in_a_named_region_reached_with_tab(store):
    """On a narrow screen the table scrolls sideways; a keyboard user reaches the box with Tab to scroll it
    (WCAG 2.1.1, axe-core's scrollable-region-focusable)."""
    text = course_panel(store, poll=0, display_it=False).panel.view.value
    box = text[text.index("<div class='gdprlab-scroll'"):text.index("<table class='gdprlab-path'")]
    assert "role='region'" in box and "tabindex='0'" in box and "aria-label='The course path'" in box


def test_course_panel_without_a_learner_asks_for_the_id(store):
    box = course_panel(store, poll=0, display_it=False)
    assert "Set your learner id" in box.panel.view.value and "Your status" in box.panel.view.value
    assert store.attempts() == []


def test_course_panel_watch_refreshes_from_another_writer(store, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "u1234")
    from gdprlab.training import quiz_widget

    monkeypatch.setattr(quiz_widget, "_RECORDED", [])
    panel = course_panel(store, poll=0, display_it=False).panel
    quiz_widget._RECORDED.clear()  # as if the quiz ran in another kernel
    thread = panel.watch(0.05)
    qw = build_quiz("01_classification", store=store)
    _answer_all(qw, right=True)
    qw.submit.click()
    import time

    deadline = time.monotonic() + 10
    while "Continue with lesson 02" not in panel.view.value and time.monotonic() < deadline:
        time.sleep(0.05)
    panel.close()
    thread.join(5)
    assert "Continue with lesson 02" in panel.view.value and not thread.is_alive()


def test_the_correct_answers_are_listed_in_the_order_shown(banks):
    qw = build_quiz("99_test", learner="u1234", banks=banks, allowed=1)
    multiple = next(i for i, d in enumerate(qw.attempt.questions) if d.question.type == "multiple")
    _answer_all(qw, right=False)
    qw.submit.click()
    drawn = qw.attempt.questions[multiple]
    letters = [chr(ord("A") + i) for i, o in enumerate(drawn.options) if o.correct]
    said = qw.feedback[multiple].value.split("Correct answer: ")[1].split("</li>")[0]
    assert [part.split(" ")[0] for part in said.split("; ")] == letters


def test_a_pass_starts_a_new_round_of_allowed_tries(banks, store):
    first = build_quiz("99_test", learner="u1234", banks=banks, store=store, allowed=2)
    _answer_all(first, right=True)
    first.submit.click()
    assert attempt_history(store, "u1234", "99_test") == (1, 0)
    later = build_quiz("99_test", learner="u1234", banks=banks, store=store, allowed=2)  # the refresher
    assert later.attempt.number == 2 and later.round_number == 1
    assert "(try 1 of the 2 allowed)" in later.header.value
    _answer_all(later, right=False)
    later.submit.click()
    assert attempt_history(store, "u1234", "99_test") == (2, 1) and not later.revealed
