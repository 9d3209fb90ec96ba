"""The quiz at the end of each lesson: a thin ipywidgets layer over :mod:`gdprlab.training.quiz`.

``show_quiz("02_permission")`` draws the learner's attempt from the lesson's question bank, shows
every question with native widgets (radio buttons for single-answer, true/false and scenario
questions, check boxes for multiple-answer ones; all reachable with Tab, Space and the arrow keys,
in reading order) and a Submit button.  After Submit it shows the score, pass or fail, and for every
question the feedback of the options chosen and the explanation citing the article; the attempt is
recorded through :mod:`gdprlab.training.store.progress` and the store's message (e.g. "saved" or "kept
locally, will retry") is shown.

The learner id comes from :mod:`gdprlab.training.learner` (``JUPYTERHUB_USER`` or the id remembered in
lesson 00).  Nothing here ever waits for typed input: when no learner is known (e.g. a notebook run
by nbval or papermill) the quiz is shown as ``anonymous-preview`` and the attempt is *not* recorded,
which the widget says.

The pure parts (answers from widget values, formatting a result, the attempt number) are plain
functions, tested without a browser.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
from sqlalchemy import exc as sa_exc

from gdprlab.training import quiz
from gdprlab.training.learner import LearnerUnknown, current_learner, validate_learner_id
from gdprlab.training.store import records
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.schema import SchemaVersionError

__all__ = [
    "PREVIEW_LEARNER",
    "MissingBank",
    "learner_panel",
    "my_progress",
    "QuizWidget",
    "answers_from_values",
    "build_quiz",
    "format_result",
    "next_attempt_number",
    "resolve_learner_or_preview",
    "previous_attempts",
    "show_quiz",
    "store_attempt",
    "stored_answers",
]

#: Learner id used when nobody is known; such attempts are never recorded.
PREVIEW_LEARNER = "anonymous-preview"
PREVIEW_MESSAGE = (
    f"Preview as {PREVIEW_LEARNER}: this attempt was not recorded. "
    "Set your learner id in lesson 00 to record your progress."
)


class MissingBank(KeyError):
    """There is no question bank for the lesson."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no question bank"


def resolve_learner_or_preview(learner: str | None = None) -> tuple[str, bool]:
    """``(learner id, is_preview)``: the given id, else the known one, else the preview id.

    Never asks for input, so notebooks run unattended do not block.
    """
    if learner is not None:
        learner = validate_learner_id(learner)
        return learner, learner == PREVIEW_LEARNER
    try:
        return current_learner(ask=None), False
    except LearnerUnknown:
        return PREVIEW_LEARNER, True


def answers_from_values(
    questions: Sequence[quiz.DrawnQuestion], values: Sequence[Any]
) -> dict[str, list[int]]:
    """The answer structure for :func:`gdprlab.training.quiz.score` from the widgets' values.

    ``values[i]`` is the chosen option index (as shown) or None for a single-answer question, or the
    collection of ticked indices for a multiple-choice one.  Unanswered questions are left out
    (:func:`gdprlab.training.quiz.score` counts them as unanswered).
    """
    if len(questions) != len(values):
        raise ValueError(f"{len(values)} values for {len(questions)} questions")
    answers: dict[str, list[int]] = {}
    for question, value in zip(questions, values, strict=True):
        if value is None:
            continue
        chosen = [value] if isinstance(value, int) else sorted(int(v) for v in value)
        if chosen:
            answers[question.id] = chosen
    return answers


def next_attempt_number(previous: int | None) -> int:
    """Attempt number from the count of the learner's previous attempts (unknown: 1)."""
    return 1 if not previous else int(previous) + 1


def previous_attempts(store: Any, learner: str, lesson: str) -> int:
    """How many attempts ``learner`` has made at ``lesson`` in ``store`` (0 without a store): those
    recorded in the database plus those still waiting in the store's outbox."""
    if store is None:
        return 0
    waiting = sum(1 for a in store.pending() if a.learner == learner and a.lesson == lesson)
    progress = store.progress(learner)
    rows = progress[progress["lesson"] == lesson]
    return waiting + (int(rows["attempts"].sum()) if len(rows) else 0)


def stored_answers(attempt: quiz.Attempt, answers: Mapping[str, Sequence[int]]) -> dict[str, list[int]]:
    """Answers for the record: question id -> indices into the bank's options (independent of the
    order they were shown in), every question of the attempt present ([] = unanswered)."""
    return {q.id: sorted(q.to_original(answers.get(q.id, ()))) for q in attempt.questions}


def store_attempt(attempt: quiz.Attempt, result: quiz.AttemptResult,
                  answers: Mapping[str, Sequence[int]]) -> records.Attempt:
    """The progress-store record of a scored attempt."""
    return records.Attempt(
        learner=attempt.learner, lesson=attempt.lesson, quiz=attempt.lesson,
        bank_version=attempt.bank_version, answers=stored_answers(attempt, answers),
        score=result.points, max_score=result.max_points, passed=result.passed,
    )


def format_result(attempt: quiz.Attempt, result: quiz.AttemptResult) -> str:
    """HTML for a scored attempt: score, pass/fail, then per question feedback and explanation."""
    verdict = "Passed" if result.passed else "Not passed yet"
    parts = [
        f"<h4>{verdict}: {result.points:g} of {result.max_points:g} points ({result.share:.0%}; "
        f"pass mark {result.pass_mark:.0%})</h4>"
    ]
    by_id = {r.question_id: r for r in result.results}
    for number, drawn in enumerate(attempt.questions, start=1):
        r = by_id[drawn.id]
        mark = "correct" if r.correct else ("not correct" if r.answered else "not answered")
        parts.append(f"<p><b>Question {number}: {mark}.</b></p><ul>")
        for index, feedback in zip(r.selected, r.feedback, strict=True):
            text = drawn.question.options[index].text
            parts.append(f"<li>You chose {_letter(drawn.order.index(index))} “{html.escape(text)}”: "
                         f"{html.escape(feedback)}</li>")
        if not r.correct:
            right = "; ".join(f"{_letter(drawn.order.index(i))} “{drawn.question.options[i].text}”"
                              for i in r.correct_options)
            parts.append(f"<li>Correct answer: {html.escape(right)}</li>")
        cited = ", ".join(f"Art. {a}" for a in r.articles)
        parts.append(f"<li><i>Why</i> ({html.escape(cited)}): {html.escape(r.explanation)}</li></ul>")
    return "".join(parts)


@dataclass(eq=False)
class QuizWidget:
    """The built quiz; its parts are exposed so tests (and keyboard users) can drive it."""

    lesson: str
    learner: str
    preview: bool
    attempt: quiz.Attempt
    store: Any
    inputs: list[widgets.Widget] = field(default_factory=list)
    submit: widgets.Button = field(default_factory=lambda: widgets.Button(
        description="Submit answers", button_style="primary", icon="check",
        tooltip="Submit your answers and see the feedback"))
    result_html: widgets.HTML = field(default_factory=widgets.HTML)
    status: widgets.HTML = field(default_factory=widgets.HTML)
    box: widgets.VBox | None = None
    result: quiz.AttemptResult | None = None
    answers: dict[str, list[int]] | None = None
    record_message: str | None = None

    def values(self) -> list[Any]:
        """Current widget values, one per question (an index, None, or a tuple of indices)."""
        out: list[Any] = []
        for control in self.inputs:
            if isinstance(control, widgets.RadioButtons):
                out.append(control.value)
            else:
                out.append(tuple(i for i, cb in enumerate(control.children) if cb.value))
        return out

    def set_answer(self, index: int, value: int | Sequence[int] | None) -> None:
        """Choose the option(s) (indices as shown) of question ``index`` programmatically."""
        control = self.inputs[index]
        if isinstance(control, widgets.RadioButtons):
            control.value = value
        else:
            chosen = {value} if isinstance(value, int) else set(value or ())
            for i, cb in enumerate(control.children):
                cb.value = i in chosen

    def on_submit(self, _button: Any = None) -> None:
        self.answers = answers_from_values(self.attempt.questions, self.values())
        self.result = quiz.score(self.attempt, self.answers)
        self.result_html.value = format_result(self.attempt, self.result)
        self.record_message = self._record()
        self.status.value = f"<p><b>Progress:</b> {html.escape(self.record_message)}</p>"
        self.submit.disabled = True
        for control in self.inputs:
            control.disabled = True
            for child in getattr(control, "children", ()):
                child.disabled = True

    def _record(self) -> str:
        if self.preview:
            return PREVIEW_MESSAGE
        if self.store is None:
            return "No progress store is available: this attempt was not recorded."
        outcome = self.store.record(store_attempt(self.attempt, self.result, self.answers or {}))
        return outcome.message


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def _question_control(drawn: quiz.DrawnQuestion, number: int) -> widgets.Widget:
    """Radio buttons (or check boxes for multiple choice) labelled A, B, C … in reading order.

    The option texts are in the question's HTML just above: long texts in widget labels would be cut
    off (ipywidgets labels do not wrap), short letters never are.
    """
    letters = [_letter(i) for i in range(len(drawn.options))]
    if drawn.question.type == "multiple":
        return widgets.HBox([
            widgets.Checkbox(value=False, description=letter, indent=False,
                             tooltip=f"Question {number}, option {letter}",
                             layout=widgets.Layout(width="auto", margin="0 1.5em 0 0"))
            for letter in letters
        ])
    return widgets.RadioButtons(options=[(letter, i) for i, letter in enumerate(letters)], value=None,
                                orientation="horizontal", tooltip=f"Question {number}",
                                layout=widgets.Layout(width="auto"))


def _question_html(drawn: quiz.DrawnQuestion, number: int) -> str:
    q = drawn.question
    scenario = f"<p><i>{html.escape(q.scenario)}</i></p>" if q.scenario else ""
    asks = "all that apply" in q.question.lower()
    hint = " <i>(tick all that apply)</i>" if q.type == "multiple" and not asks else ""
    options = "".join(f"<li><b>{_letter(i)}.</b> {html.escape(option.text)}</li>"
                      for i, option in enumerate(drawn.options))
    return (f"{scenario}<p><b>{number}. {html.escape(q.question)}</b>{hint}</p>"
            f"<ul style='list-style: none'>{options}</ul>")


def build_quiz(
    lesson: str,
    *,
    learner: str | None = None,
    store: Any = None,
    attempt: int | None = None,
    banks: Mapping[str, quiz.Bank] | None = None,
) -> QuizWidget:
    """Build (but do not display) the quiz for ``lesson``."""
    learner_id, preview = resolve_learner_or_preview(learner)
    if store is None and not preview:
        store = _default_store()
    banks = quiz.load_banks() if banks is None else banks
    if lesson not in banks:
        raise MissingBank(f"no question bank for lesson {lesson!r}; known: {', '.join(sorted(banks))}")
    bank = banks[lesson]
    note = ""
    if attempt is None:
        try:
            previous = 0 if preview else previous_attempts(store, learner_id, lesson)
        except (sa_exc.SQLAlchemyError, OSError, SchemaVersionError) as error:
            previous = 0
            note = (f" The progress database could not be read ({type(error).__name__}), so this is "
                    "shown as attempt 1; your answers will still be kept.")
        attempt = next_attempt_number(previous)
    drawn = quiz.draw(bank, learner_id, attempt)
    qw = QuizWidget(lesson=lesson, learner=learner_id, preview=preview, attempt=drawn, store=store)
    who = f"{learner_id} (preview: not recorded)" if preview else learner_id
    rows: list[widgets.Widget] = [widgets.HTML(
        f"<h3>Quiz: {html.escape(bank.title)}</h3><p>Learner <code>{html.escape(who)}</code>, attempt "
        f"{attempt}; {len(drawn.questions)} questions, pass mark {bank.pass_mark:.0%}."
        f"{html.escape(note)}</p>")]
    for number, question in enumerate(drawn.questions, start=1):
        control = _question_control(question, number)
        qw.inputs.append(control)
        rows.extend([widgets.HTML(_question_html(question, number)), control])
    qw.submit.on_click(qw.on_submit)
    rows.extend([qw.submit, qw.result_html, qw.status])
    qw.box = widgets.VBox(rows)
    return qw


def _default_store() -> ProgressStore:
    return ProgressStore()


def show_quiz(
    lesson: str, *, learner: str | None = None, store: Any = None, attempt: int | None = None
) -> widgets.Widget:
    """Display the quiz for ``lesson`` (e.g. ``"02_permission"``) and return its widget."""
    from IPython.display import display

    try:
        qw = build_quiz(lesson, learner=learner, store=store, attempt=attempt)
    except MissingBank as error:
        note = widgets.HTML(f"<p><b>The quiz is not available yet:</b> {html.escape(str(error))}</p>")
        display(note)
        return note
    qw.box.quiz = qw  # the driver, reachable from the returned widget
    display(qw.box)
    return qw.box


def learner_panel(*, env: Mapping[str, str] | None = None, config_file: Any = None) -> widgets.VBox:
    """Show who you are for the quizzes and let you set (or change) the remembered learner id.

    Never waits for input: it shows a text box and a button; nothing happens until you click.
    """
    from IPython.display import display

    from gdprlab.training.learner import HUB_USER_ENV, InvalidLearnerId, forget_learner

    status = widgets.HTML()
    text = widgets.Text(description="Learner id", placeholder="login or staff number, not your name",
                        layout=widgets.Layout(width="36em"))
    button = widgets.Button(description="Remember this id", icon="save")
    forget = widgets.Button(description="Forget my id", icon="trash",
                            tooltip="Delete the remembered id (e.g. on a shared computer)")
    environ = os.environ if env is None else env

    def refresh() -> None:
        try:
            who = current_learner(ask=None, env=environ, config_file=config_file)
        except LearnerUnknown:
            status.value = (f"<p>No learner id yet: quizzes run as <code>{PREVIEW_LEARNER}</code> and are "
                            "<b>not recorded</b>. Type your id and click the button.</p>")
            return
        hub = bool(environ.get(HUB_USER_ENV, "").strip())
        source = "your JupyterHub login; nothing to set" if hub else "remembered on this computer"
        status.value = f"<p>You are <code>{html.escape(who)}</code> ({source}).</p>"
        text.disabled = button.disabled = forget.disabled = hub

    def remember(_button: Any = None) -> None:
        try:
            learner = validate_learner_id(text.value)
        except InvalidLearnerId as error:
            status.value = f"<p><b>Not saved:</b> {html.escape(str(error))}.</p>"
            return
        forget_learner(env=environ, config_file=config_file)
        current_learner(ask=lambda _prompt: learner, env=environ, config_file=config_file)
        refresh()

    def drop(_button: Any = None) -> None:
        forget_learner(env=environ, config_file=config_file)
        refresh()

    button.on_click(remember)
    forget.on_click(drop)
    refresh()
    box = widgets.VBox([status, text, widgets.HBox([button, forget])])
    box.status, box.text, box.button, box.forget = status, text, button, forget
    display(box)
    return box


def my_progress(store: Any = None, *, learner: str | None = None) -> Any:
    """Your recorded progress (one row per lesson), or a note when nothing can be recorded for you."""
    learner_id, preview = resolve_learner_or_preview(learner)
    if preview:
        return widgets.HTML(f"<p>No learner id set: nothing is recorded for <code>{PREVIEW_LEARNER}</code>."
                            "</p>")
    store = _default_store() if store is None else store
    return store.progress(learner_id)
