"""The quiz at the end of each lesson and the course panel of lesson 00: a thin ipywidgets layer over
:mod:`gdprlab.training.quiz` and :mod:`gdprlab.training.course`.

``show_quiz("02_permission")`` draws the learner's attempt from the lesson's question bank and shows each
question with its options as large controls carrying the option's full text (radio buttons for
single-answer, true/false and scenario questions, check boxes for multiple-answer ones): the text is the
control's label, so clicking or touching it chooses the option and a screen reader reads it. Each question's
options are one group named by the question (:data:`GROUPS_SCRIPT`): Tab stops once at a radio group, Space
and the arrow keys choose in it; Tab reaches each check box and Space ticks it. Submit refuses while a
question is unanswered (and says which). After a submission each question says, in colour *and* in words,
whether it was right, with the feedback of the option(s) chosen; the correct answers of the questions
answered wrongly are shown only after a pass or after the last allowed attempt
(:func:`gdprlab.training.quiz.attempts_allowed`). "Try again" draws the next attempt in place (no reload);
"Next lesson" and "Back to the course" are links. Every attempt is recorded through
:mod:`gdprlab.training.store.progress` and the store's message is shown; a course panel in the same kernel
is told at once, one in another page notices within seconds (:func:`course_panel`).

The learner id comes from :mod:`gdprlab.training.learner` (``JUPYTERHUB_USER`` or the id remembered in
lesson 00). Nothing here ever waits for typed input: when no learner is known (e.g. a notebook run by nbval
or papermill) the quiz is shown as ``anonymous-preview`` and the attempt is *not* recorded, which the widget
says.

Colours and sizes come from :mod:`gdprlab.training.theme` (WCAG 2.1 AA, checked there); :data:`STYLE` applies
them to the widgets inside a box with the ``gdprlab-ui`` class only.
"""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import pandas as pd
from sqlalchemy import exc as sa_exc

from gdprlab.training import course, hub, quiz, theme
from gdprlab.training.learner import LearnerUnknown, current_learner, validate_learner_id
from gdprlab.training.store import records
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.schema import SchemaVersionError

__all__ = [
    "PREVIEW_LEARNER",
    "STYLE",
    "MissingBank",
    "QuizWidget",
    "answers_from_values",
    "attempt_history",
    "build_quiz",
    "course_panel",
    "format_result",
    "learner_panel",
    "my_progress",
    "next_attempt_number",
    "path_html",
    "previous_attempts",
    "question_feedback_html",
    "resolve_learner_or_preview",
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
#: errors reading the progress database that leave the page usable
STORE_ERRORS = (sa_exc.SQLAlchemyError, OSError, SchemaVersionError)

_P = theme.PALETTE
_B = theme.BORDER_PAIRS
#: The stylesheet of every gdprlab box (scoped to ``.gdprlab-ui``): 16 px text, options as large
#: full-width controls (at least 44 px high, a touch target), a visible focus ring, AA colours. On a Voilà
#: page it also lifts the lesson text's tables and outputs to 14 px and lets them wrap
#: (:data:`gdprlab.training.theme.PAGE_CSS`).
STYLE = f"""
.gdprlab-ui {{ --jp-widgets-font-size: {theme.FONT_SIZE_PX}px; --jp-widgets-label-color: {_P['text'][0]};
  --jp-widgets-inline-height: 36px; font-size: {theme.FONT_SIZE_PX}px; color: {_P['text'][0]}; }}
.gdprlab-ui .widget-html-content {{ font-size: {theme.FONT_SIZE_PX}px; line-height: 1.5; }}
.gdprlab-ui .widget-html-content, .gdprlab-ui .widget-html {{ white-space: normal; }}
.gdprlab-ui .widget-label, .gdprlab-ui .widget-label-basic, .gdprlab-ui input,
.gdprlab-ui button {{ font-size: {theme.FONT_SIZE_PX}px; }}
.gdprlab-options {{ width: 100%; }}
.gdprlab-options .widget-radio-box {{ width: 100%; }}
.gdprlab-options .widget-radio-box label, .gdprlab-options label.widget-label-basic {{
  display: flex; align-items: flex-start; gap: 0.7em; box-sizing: border-box; width: 100%;
  height: auto; min-height: 44px; line-height: 1.45; white-space: normal; overflow: visible;
  overflow-wrap: anywhere;
  text-overflow: clip; padding: 0.55em 0.8em; margin: 0.3em 0; cursor: pointer;
  border: 2px solid {_B['option'][0]}; border-radius: 6px; background: #ffffff; color: {_P['text'][0]}; }}
.gdprlab-options label > span {{ min-width: 0; overflow-wrap: anywhere; }}
.gdprlab-options .widget-radio-box input, .gdprlab-options input[type=checkbox] {{
  order: -1; flex: 0 0 auto; float: none; width: 20px; height: 20px; margin: 0.15em 0 0 0; }}
.gdprlab-options .widget-checkbox {{ width: 100%; height: auto; }}
.gdprlab-options label:has(input:checked) {{ border-color: {_P['selected'][0]};
  background: {_P['selected'][1]}; color: {_P['selected'][0]}; }}
.gdprlab-ui :focus-visible, .gdprlab-options label:focus-within {{ outline: 3px solid {_B['focus'][0]};
  outline-offset: 2px; }}
.gdprlab-ui .mod-disabled, .gdprlab-ui :disabled, .gdprlab-ui label:has(input:disabled) {{ opacity: 1; }}
.gdprlab-ui button.jupyter-button {{ height: auto; min-height: 44px; width: auto; padding: 0.4em 1.1em;
  border-radius: 6px; }}
.gdprlab-ui button.jupyter-button.mod-primary {{ background: {_P['button'][1]}; color: {_P['button'][0]}; }}
.gdprlab-question {{ border-left: 6px solid transparent; padding: 0.2em 0 0.4em 0.8em; margin: 0.6em 0;
  width: 100%; box-sizing: border-box; }}
.gdprlab-question.gdprlab-right {{ border-left-color: {_B['right'][0]}; }}
.gdprlab-question.gdprlab-wrong {{ border-left-color: {_B['wrong'][0]}; }}
.gdprlab-verdict {{ padding: 0.5em 0.8em; border-radius: 6px; margin: 0.3em 0; }}
.gdprlab-verdict.right {{ color: {_P['right'][0]}; background: {_P['right'][1]}; }}
.gdprlab-verdict.wrong {{ color: {_P['wrong'][0]}; background: {_P['wrong'][1]}; }}
.gdprlab-verdict.pending {{ color: {_P['pending'][0]}; background: {_P['pending'][1]}; }}
.gdprlab-ui a {{ color: {_P['link'][0]}; text-decoration: underline; }}
.gdprlab-ui a.gdprlab-button-link {{ display: inline-block; min-height: 44px; box-sizing: border-box;
  padding: 0.55em 1.1em; margin: 0.3em 0.6em 0.3em 0; border-radius: 6px; text-decoration: none;
  background: {_P['button'][1]}; color: {_P['button'][0]}; font-weight: bold; }}
.gdprlab-ui a.gdprlab-secondary-link {{ display: inline-block; min-height: 44px; box-sizing: border-box;
  padding: 0.55em 1.1em; margin: 0.3em 0.6em 0.3em 0; border-radius: 6px;
  border: 2px solid {_P['link'][0]}; }}
.gdprlab-ui .gdprlab-scroll {{ overflow-x: auto; max-width: 100%; }}
.gdprlab-path td:nth-child(3) {{ white-space: nowrap; }}
{theme.PAGE_CSS}
.gdprlab-ui, .gdprlab-ui .widget-html, .gdprlab-ui .widget-html-content, .gdprlab-ui .widget-box,
.gdprlab-ui .widget-text, .gdprlab-ui .widget-text input {{ min-width: 0; max-width: 100%;
  box-sizing: border-box; }}
.gdprlab-path .gdprlab-verdict {{ display: inline-block; padding: 0.1em 0.5em; margin: 0; }}
.gdprlab-ui table {{ border-collapse: collapse; font-size: {theme.FONT_SIZE_PX}px; }}
.gdprlab-ui th, .gdprlab-ui td {{ padding: 0.3em 0.7em; border-bottom: 1px solid #8a8a8a;
  text-align: left; vertical-align: top; }}
"""

#: Makes each question's options one group as browsers and screen readers know it: ipywidgets gives radio
#: buttons no common name, so each would be a group of one (a Tab stop per option, arrow keys doing nothing,
#: "1 of 1" read out). This gives the radio buttons of a question one name and the role radiogroup, the check
#: boxes of a question the role group, both named by the question's text: Tab stops once per single-answer
#: question (and at each check box), the arrow keys move between its options and choose, as everywhere
#: else. Run once per page (a MutationObserver applies it again when "Try again" draws new controls).
GROUPS_SCRIPT = """
(() => {
  const page = window.document;  // Voilà may evaluate outputs with a document of their own
  if (window.gdprlabGroups) { window.gdprlabGroups(); return; }
  let count = 0;
  const apply = () => page.querySelectorAll('.gdprlab-question').forEach(question => {
    const options = question.querySelector('.gdprlab-options');
    const text = question.querySelector('.widget-html-content');
    if (!options || !text) return;
    const radios = options.querySelector('.widget-radio-box');
    const group = radios || options;
    if (!group.dataset.gdprlabGroup) {
      group.dataset.gdprlabGroup = 'gdprlab-question-' + (++count);
      text.id = group.dataset.gdprlabGroup + '-text';
      group.setAttribute('role', radios ? 'radiogroup' : 'group');
      group.setAttribute('aria-labelledby', text.id);
    }
    if (radios) radios.querySelectorAll('input[type=radio]').forEach(input => {
      input.name = group.dataset.gdprlabGroup;
    });
  });
  window.gdprlabGroups = apply;
  // widgets get their classes after they are added: watch classes too (apply changes none)
  new MutationObserver(apply).observe(page.body, {childList: true, subtree: true, attributes: true,
                                                  attributeFilter: ['class']});
  apply();
})();
"""

#: called with the learner id after each attempt recorded in this kernel (the course panel listens)
_RECORDED: list[Callable[[str], None]] = []


def style() -> widgets.HTML:
    """The stylesheet as a widget, put first in every gdprlab box."""
    return widgets.HTML(f"<style>{STYLE}</style>", layout=widgets.Layout(display="none"))


def ui_box(children: Sequence[widgets.Widget], *classes: str) -> widgets.VBox:
    """A VBox styled by :data:`STYLE` (its first child is the stylesheet)."""
    box = widgets.VBox([style(), *children], layout=widgets.Layout(width="100%", max_width="60em"))
    for name in ("gdprlab-ui", *classes):
        box.add_class(name)
    return box


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


def attempt_history(store: Any, learner: str, lesson: str) -> tuple[int, int]:
    """``(attempts, since_pass)``: how many attempts ``learner`` has made at ``lesson`` in ``store``
    (recorded in the database plus those still waiting in the store's outbox), and how many of them came
    after the latest pass (all of them without a pass). ``(0, 0)`` without a store."""
    if store is None:
        return 0, 0
    waiting = [a for a in store.pending() if a.learner == learner and a.lesson == lesson]
    passed = [a.passed for a in store.attempts(learner=learner, lesson=lesson)] + [a.passed for a in waiting]
    since = len(passed) - 1 - max((i for i, p in enumerate(passed) if p), default=-1)
    return len(passed), since


def previous_attempts(store: Any, learner: str, lesson: str) -> int:
    """How many attempts ``learner`` has made at ``lesson`` in ``store`` (0 without a store): those
    recorded in the database plus those still waiting in the store's outbox."""
    return attempt_history(store, learner, lesson)[0]


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


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def _option_label(drawn: quiz.DrawnQuestion, original: int) -> str:
    shown = drawn.order.index(original)
    return f"{_letter(shown)} “{drawn.question.options[original].text}”"


def question_feedback_html(drawn: quiz.DrawnQuestion, r: quiz.QuestionResult, number: int,
                           reveal: bool) -> str:
    """One question's feedback: right or wrong in words (and colour, by class), the feedback of each option
    chosen, and, when right or ``reveal``, the correct answer and the question's explanation."""
    if r.correct:
        head, kind = f"✔ Question {number}: correct.", "right"
    elif r.answered:
        head, kind = f"✘ Question {number}: not correct.", "wrong"
    else:
        head, kind = f"✘ Question {number}: not answered.", "wrong"
    parts = [f"<div class='gdprlab-verdict {kind}' role='status'><p><strong>{html.escape(head)}</strong>"
             "</p><ul>"]
    for index, feedback in zip(r.selected, r.feedback, strict=True):
        chose = _option_label(drawn, index)
        parts.append(f"<li>You chose {html.escape(chose)}: {html.escape(feedback)}</li>")
    if not r.correct and reveal:
        right = "; ".join(_option_label(drawn, i) for i in sorted(r.correct_options, key=drawn.order.index))
        parts.append(f"<li>Correct answer: {html.escape(right)}</li>")
    if r.correct or reveal:
        cited = ", ".join(f"Art. {a}" for a in r.articles)
        parts.append(f"<li><i>Why</i> ({html.escape(cited)}): {html.escape(r.explanation)}</li>")
    elif r.answered:
        parts.append("<li>The correct answer is shown after a pass"
                     " or after your last allowed attempt; the lesson's text above explains it.</li>")
    parts.append("</ul></div>")
    return "".join(parts)


def format_result(attempt: quiz.Attempt, result: quiz.AttemptResult, *, reveal: bool = True) -> str:
    """HTML for a scored attempt: the score and pass/fail, then every question's feedback
    (:func:`question_feedback_html`)."""
    parts = [_summary_html(result)]
    by_id = {r.question_id: r for r in result.results}
    for number, drawn in enumerate(attempt.questions, start=1):
        parts.append(question_feedback_html(drawn, by_id[drawn.id], number, reveal))
    return "".join(parts)


def _summary_html(result: quiz.AttemptResult) -> str:
    verdict = "Passed" if result.passed else "Not passed yet"
    kind = "right" if result.passed else "wrong"
    wrong = sum(not r.correct for r in result.results)
    detail = " Well done!" if result.passed and not wrong else (
        f" {wrong} question{'s' if wrong != 1 else ''} not right: see the feedback under each."
        if wrong else "")
    return (f"<div class='gdprlab-verdict {kind}' role='status'><h4>{verdict}: {result.points:g} of "
            f"{result.max_points:g} points ({result.share:.0%}; pass mark {result.pass_mark:.0%}).</h4>"
            f"<p>{html.escape(detail.strip())}</p></div>")


def _nav_html(lessons: tuple[course.Lesson, ...], lesson: str, *, passed: bool) -> str:
    """"Next lesson" and "Back to the course" links (relative: they work in Voilà and in JupyterLab)."""
    after = course.next_lesson(lessons, lesson)
    links = []
    if after is not None:
        cls = "gdprlab-button-link" if passed else "gdprlab-secondary-link"
        links.append(f"<a class='{cls}' href='{html.escape(after.notebook)}'>Next lesson: "
                     f"{html.escape(after.number)} · {html.escape(after.title)}</a>")
    links.append(f"<a class='gdprlab-secondary-link' href='{course.COURSE_START}.ipynb'>"
                 "Back to the course</a>")
    return f"<nav aria-label='Course navigation'>{''.join(links)}</nav>"


def _question_control(drawn: quiz.DrawnQuestion, number: int) -> widgets.Widget:
    """The options of a question as large controls, each labelled with its letter and full text: radio
    buttons (one answer) or check boxes (several)."""
    labels = [f"{_letter(i)}. {option.text}" for i, option in enumerate(drawn.options)]
    if drawn.question.type == "multiple":
        control = widgets.VBox([
            widgets.Checkbox(value=False, description=label, indent=False,
                             layout=widgets.Layout(width="100%", height="auto"))
            for label in labels
        ], layout=widgets.Layout(width="100%"))
    else:
        control = widgets.RadioButtons(options=[(label, i) for i, label in enumerate(labels)], value=None,
                                       layout=widgets.Layout(width="100%"))
    control.add_class("gdprlab-options")
    return control


def _question_html(drawn: quiz.DrawnQuestion, number: int, total: int) -> str:
    q = drawn.question
    scenario = f"<p><i>{html.escape(q.scenario)}</i></p>" if q.scenario else ""
    asks = "all that apply" in q.question.lower()
    hint = " <i>(tick all that apply)</i>" if q.type == "multiple" and not asks else ""
    return (f"<h4>Question {number} of {total}</h4>{scenario}<p><b>{html.escape(q.question)}</b>{hint}</p>")


@dataclass(eq=False)
class QuizWidget:
    """The built quiz; its parts are exposed so tests (and keyboard users) can drive it.

    ``box`` stays the same widget for the whole session: "Try again" replaces its content with the next
    attempt.
    """

    lesson: str
    learner: str
    preview: bool
    bank: quiz.Bank
    store: Any
    lessons: tuple[course.Lesson, ...]
    allowed: int | None = None
    attempt: quiz.Attempt | None = None
    round_number: int = 1  # attempts since the learner's last pass, this one included
    note: str = ""
    inputs: list[widgets.Widget] = field(default_factory=list)
    questions: list[widgets.VBox] = field(default_factory=list)
    feedback: list[widgets.HTML] = field(default_factory=list)
    header: widgets.HTML = field(default_factory=widgets.HTML)
    submit: widgets.Button = field(default_factory=lambda: widgets.Button(
        description="Submit answers", button_style="primary", icon="check",
        tooltip="Submit your answers and see the feedback"))
    try_again: widgets.Button = field(default_factory=lambda: widgets.Button(
        description="Try again", button_style="primary", icon="refresh",
        tooltip="A new set of questions, here on this page", layout=widgets.Layout(display="none")))
    message: widgets.HTML = field(default_factory=widgets.HTML)
    result_html: widgets.HTML = field(default_factory=widgets.HTML)
    status: widgets.HTML = field(default_factory=widgets.HTML)
    nav: widgets.HTML = field(default_factory=widgets.HTML)
    box: widgets.VBox | None = None
    result: quiz.AttemptResult | None = None
    answers: dict[str, list[int]] | None = None
    record_message: str | None = None
    revealed: bool = False

    def __post_init__(self) -> None:
        self.submit.on_click(self.on_submit)
        self.try_again.on_click(self.on_try_again)
        self.box = ui_box([], "gdprlab-quiz")

    # -- an attempt ---------------------------------------------------------------------------------
    def start(self, number: int, round_number: int) -> None:
        """Show attempt ``number`` (fresh controls, nothing chosen) in :attr:`box`."""
        self.attempt = quiz.draw(self.bank, self.learner, number)
        self.round_number = round_number
        self.result = self.answers = self.record_message = None
        self.revealed = False
        who = f"{self.learner} (preview: not recorded)" if self.preview else self.learner
        limit = f" (try {round_number} of the {self.allowed} allowed)" if self.allowed else ""
        self.header.value = (
            f"<h3>Quiz: {html.escape(self.bank.title)}</h3><p>Learner <code>{html.escape(who)}</code>, "
            f"attempt {number}{limit}; {len(self.attempt.questions)} questions, pass mark "
            f"{self.bank.pass_mark:.0%}. Choose an answer for every question, then press "
            f"<b>Submit answers</b>.{html.escape(self.note)}</p>")
        self.inputs, self.questions, self.feedback = [], [], []
        total = len(self.attempt.questions)
        for n, drawn in enumerate(self.attempt.questions, start=1):
            control = _question_control(drawn, n)
            feedback = widgets.HTML()
            box = widgets.VBox([widgets.HTML(_question_html(drawn, n, total)), control, feedback])
            box.add_class("gdprlab-question")
            self.inputs.append(control)
            self.feedback.append(feedback)
            self.questions.append(box)
        self.message.value = self.result_html.value = self.status.value = ""
        self.submit.disabled = False
        self.submit.layout.display = None
        self.try_again.layout.display = "none"
        self.nav.value = _nav_html(self.lessons, self.lesson, passed=False)
        self.box.children = [self.box.children[0] if self.box.children else style(), self.header,
                             *self.questions, self.message, self.submit, self.result_html, self.status,
                             self.try_again, self.nav]

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
        answers = answers_from_values(self.attempt.questions, self.values())
        missing = quiz.unanswered(self.attempt, answers)
        if missing:
            which = ", ".join(str(n) for n in missing)
            self.message.value = (
                f"<div class='gdprlab-verdict wrong' role='alert'><p><strong>Not submitted yet:</strong> "
                f"question{'s' if len(missing) > 1 else ''} {which} "
                f"{'have' if len(missing) > 1 else 'has'} no answer. Choose an answer for every question, "
                "then press Submit answers again.</p></div>")
            for n, feedback in enumerate(self.feedback, start=1):
                feedback.value = ("<div class='gdprlab-verdict pending'><p><strong>This question has no "
                                  "answer yet.</strong></p></div>") if n in missing else ""
            _focus(self.inputs[missing[0] - 1])
            return
        self.message.value = ""
        self.answers = answers
        self.result = quiz.score(self.attempt, answers)
        self.revealed = quiz.reveals_answers(self.result.passed, self.round_number, self.allowed)
        by_id = {r.question_id: r for r in self.result.results}
        for n, (drawn, box, feedback) in enumerate(zip(self.attempt.questions, self.questions, self.feedback,
                                                       strict=True), start=1):
            r = by_id[drawn.id]
            feedback.value = question_feedback_html(drawn, r, n, self.revealed)
            box.add_class("gdprlab-right" if r.correct else "gdprlab-wrong")
        self.record_message = self._record()
        again = quiz.may_try_again(self.result.passed, self.round_number, self.allowed)
        ending = ""
        if not self.result.passed and not again:
            ending = (f"<p>This was your last allowed attempt ({self.allowed}); the correct answers are "
                      "shown "
                      "under each question. Please talk to your trainer about the next step.</p>")
        self.result_html.value = _summary_html(self.result) + ending
        self.status.value = f"<p><b>Progress:</b> {html.escape(self.record_message)}</p>"
        self.submit.disabled = True
        self.submit.layout.display = "none"
        for control in self.inputs:
            control.disabled = True
            for child in getattr(control, "children", ()):
                child.disabled = True
        self.try_again.layout.display = None if again else "none"
        self.nav.value = _nav_html(self.lessons, self.lesson, passed=self.result.passed)
        _focus(self.try_again if again else None)

    def on_try_again(self, _button: Any = None) -> None:
        """The next attempt, in place."""
        number = self.attempt.number + 1
        round_number = self.round_number + 1
        if not self.preview and self.store is not None:
            try:  # another page may have recorded attempts meanwhile
                previous, since_pass = attempt_history(self.store, self.learner, self.lesson)
                number, round_number = max(number, previous + 1), since_pass + 1
            except STORE_ERRORS:
                pass
        self.start(number, round_number)
        _focus(self.inputs[0] if self.inputs else None)

    def _record(self) -> str:
        if self.preview:
            return PREVIEW_MESSAGE
        if self.store is None:
            return "No progress store is available: this attempt was not recorded."
        outcome = self.store.record(store_attempt(self.attempt, self.result, self.answers or {}))
        _tell(self.learner)
        return outcome.message


def _tell(learner: str) -> None:
    """Tell the course panels of this kernel that ``learner``'s progress (or the learner) changed."""
    for listener in list(_RECORDED):
        try:
            listener(learner)
        except Exception:  # noqa: BLE001 - a broken panel must not break the quiz
            _RECORDED.remove(listener)


def _focus(widget: widgets.Widget | None) -> None:
    """Move the keyboard focus to ``widget`` (ipywidgets 8), so that a keyboard user continues there."""
    focus = getattr(widget, "focus", None)
    if callable(focus):
        focus()


def build_quiz(
    lesson: str,
    *,
    learner: str | None = None,
    store: Any = None,
    attempt: int | None = None,
    banks: Mapping[str, quiz.Bank] | None = None,
    allowed: int | None | str = "env",
) -> QuizWidget:
    """Build (but do not display) the quiz for ``lesson``.

    ``allowed``: attempts before the correct answers are shown and no more are offered (None: unlimited;
    default: :func:`gdprlab.training.quiz.attempts_allowed` from the environment).
    """
    learner_id, preview = resolve_learner_or_preview(learner)
    if store is None and not preview:
        store = _default_store()
    banks = quiz.load_banks() if banks is None else banks
    if lesson not in banks:
        raise MissingBank(f"no question bank for lesson {lesson!r}; known: {', '.join(sorted(banks))}")
    note = ""
    previous = since_pass = 0
    if not preview:
        try:
            previous, since_pass = attempt_history(store, learner_id, lesson)
        except STORE_ERRORS as error:
            note = (f" The progress database could not be read ({type(error).__name__}), so this is "
                    "shown as attempt 1; your answers will still be kept.")
    number = next_attempt_number(previous) if attempt is None else attempt
    qw = QuizWidget(lesson=lesson, learner=learner_id, preview=preview, bank=banks[lesson], store=store,
                    lessons=course.course(banks=banks),
                    allowed=quiz.attempts_allowed() if allowed == "env" else allowed, note=note)
    qw.start(number, since_pass + 1)
    return qw


def _default_store() -> ProgressStore | hub.GradingClient:
    """The grading service on a hub (GDPRLAB_GRADING_URL set), else the local store."""
    return hub.learner_store()


def show_quiz(
    lesson: str, *, learner: str | None = None, store: Any = None, attempt: int | None = None
) -> widgets.Widget:
    """Display the quiz for ``lesson`` (e.g. ``"02_permission"``) and return its widget."""
    from IPython.display import Javascript, display

    try:
        qw = build_quiz(lesson, learner=learner, store=store, attempt=attempt)
    except MissingBank as error:
        note = widgets.HTML(f"<p><b>The quiz is not available yet:</b> {html.escape(str(error))}</p>")
        display(note)
        return note
    qw.box.quiz = qw  # the driver, reachable from the returned widget
    display(qw.box)
    display(Javascript(GROUPS_SCRIPT))
    return qw.box
def learner_panel(*, env: Mapping[str, str] | None = None, config_file: Any = None) -> widgets.VBox:
    """Show who you are for the quizzes and let you set (or change) the remembered learner id.

    Never waits for input: it shows a text box and a button; nothing happens until you click.
    """
    from IPython.display import display

    from gdprlab.training.learner import InvalidLearnerId, forget_learner, hub_learner

    status = widgets.HTML()
    text = widgets.Text(description="Learner id", placeholder="login or staff number, not your name",
                        layout=widgets.Layout(width="auto", max_width="36em"),
                        style={"description_width": "initial"})
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
        hub = hub_learner(environ) is not None
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
        _tell(learner)

    def drop(_button: Any = None) -> None:
        forget_learner(env=environ, config_file=config_file)
        refresh()
        _tell(PREVIEW_LEARNER)

    button.on_click(remember)
    forget.on_click(drop)
    refresh()
    buttons = widgets.HBox([button, forget], layout=widgets.Layout(flex_flow="row wrap"))
    box = ui_box([status, text, buttons], "gdprlab-learner")
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


# ------------------------------------------------------------------------------------------ the course
def _learner_attempts(store: Any, learner: str) -> pd.DataFrame:
    """The learner's attempts, recorded and waiting in the outbox, as course.learner_path reads them."""
    columns = ["lesson", "score", "max_score", "passed", "submitted_at"]
    rows = [{c: getattr(a, c) for c in columns} for a in store.attempts(learner=learner)]
    rows += [{c: getattr(a, c) for c in columns} for a in store.pending() if a.learner == learner]
    return pd.DataFrame(rows, columns=columns)


def path_html(path: pd.DataFrame, *, learner: str | None, resume: str | None) -> str:
    """The course path as HTML: the lesson to continue with, then a table of every lesson (link, minutes,
    this learner's status in words and colour). ``learner`` None: nobody known, statuses not shown."""
    total = int(path["minutes"].fillna(0).sum())
    parts = []
    if learner is None:
        parts.append("<p>Set your learner id above to see your progress and continue where you stopped.</p>")
    elif resume is None:
        parts.append("<div class='gdprlab-verdict right' role='status'><p><strong>You have passed every "
                     "lesson of the course.</strong> Well done!</p></div>")
    else:
        row = path[path["lesson"] == resume].iloc[0]
        begun = path["status"].isin(["started", "passed", "refresher_due"]).any()
        verb = "Continue" if begun else "Start"
        parts.append(f"<p><a class='gdprlab-button-link' href='{html.escape(resume)}.ipynb'>{verb} with "
                     "lesson "
                     f"{html.escape(course.lesson_number(resume))}: {html.escape(str(row['title']))}</a></p>")
    rows = []
    for row in path.to_dict("records"):
        minutes = "—" if pd.isna(row["minutes"]) else f"{int(row['minutes'])} min"
        if learner is None:
            status = "—"
        else:
            kind = {"passed": "right", "started": "pending",
                    "refresher_due": "pending"}.get(row["status"], "")
            status = html.escape(course.STATUS_TEXT[row["status"]])
            if row["attempts"]:
                status += (f" ({row['attempts']} attempt{'s' if row['attempts'] != 1 else ''}, best "
                           f"{row['best_percent']:.0f} %)")
            if kind:
                status = f"<span class='gdprlab-verdict {kind}'>{status}</span>"
        here = " aria-current='step'" if row["lesson"] == resume else ""
        rows.append(f"<tr{here}><td>{html.escape(course.lesson_number(row['lesson']))}</td>"
                    f"<td><a href='{html.escape(row['lesson'])}.ipynb'>"
                    f"{html.escape(str(row['title']))}</a></td>"
                    f"<td>{minutes}</td><td>{status}</td></tr>")
    parts.append(theme.scroll_box(
        "<table class='gdprlab-path'><caption>The course: "
        f"{len(path)} lessons, about {total} minutes in all</caption><thead><tr><th scope='col'>#</th>"
        "<th scope='col'>Lesson</th><th scope='col'>Time</th><th scope='col'>Your status</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>", "The course path"))
    return "".join(parts)


@dataclass(eq=False)
class CoursePanel:
    """Lesson 00's view of the course for the current learner; :meth:`refresh` reads the store again."""

    store: Any
    learner: str | None
    lessons: tuple[course.Lesson, ...]
    view: widgets.HTML = field(default_factory=widgets.HTML)
    refresh_button: widgets.Button = field(default_factory=lambda: widgets.Button(
        description="Refresh my progress", icon="refresh"))
    box: widgets.VBox | None = None
    path: pd.DataFrame | None = None
    signature: tuple | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def _who(self, hint: str | None = None) -> str | None:
        if self.learner is not None:
            return self.learner
        who, preview = resolve_learner_or_preview(None if hint in (None, PREVIEW_LEARNER) else hint)
        return None if preview else who

    def _read(self, who: str | None) -> tuple[pd.DataFrame, tuple]:
        empty = pd.DataFrame(columns=["lesson", "score", "max_score", "passed", "submitted_at"])
        if who is None:
            return empty, (None,)
        if self.store is None:
            self.store = _default_store()
        attempts = _learner_attempts(self.store, who)
        passes = int(attempts["passed"].astype(bool).sum()) if len(attempts) else 0
        return attempts, (who, len(attempts), passes)

    def refresh(self, hint: str | None = None) -> None:
        who = self._who(hint)
        try:
            attempts, self.signature = self._read(who)
        except STORE_ERRORS as error:
            self.view.value = (f"<p>Your progress could not be read ({html.escape(type(error).__name__)}); "
                               "the lessons still work. Try again later.</p>")
            return
        self.path = course.learner_path(self.lessons, attempts)
        resume = course.resume_at(self.path) if who is not None else None
        self.view.value = path_html(self.path, learner=who, resume=resume)

    def changed(self) -> bool:
        """Whether the store holds other attempts (or another learner is set) than when last shown."""
        try:
            return self._read(self._who())[1] != self.signature
        except STORE_ERRORS:
            return False

    def watch(self, every: float) -> threading.Thread:
        """Refresh whenever the store changes (checked every ``every`` seconds, in a daemon thread), so
        that a quiz passed in another page shows here; :meth:`close` stops it."""
        def loop() -> None:
            while not self._stop.wait(every):
                if self.changed():
                    self.refresh()

        thread = threading.Thread(target=loop, name="gdprlab-course-panel", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self._stop.set()
        if self.refresh in _RECORDED:
            _RECORDED.remove(self.refresh)


#: seconds between two looks at the store by a displayed course panel
#: (the GDPRLAB_COURSE_POLL environment variable overrides it; 0: never)
POLL_SECONDS = 5.0


def course_panel(store: Any = None, *, learner: str | None = None,
                 banks: Mapping[str, quiz.Bank] | None = None, lessons_dir: Any = None,
                 poll: float | None = None, display_it: bool = True) -> widgets.VBox:
    """Show the course path (lesson 00): the lesson to continue with, then every lesson with its estimated
    minutes and this learner's status. It refreshes at once after a quiz or a new learner id in this kernel,
    and within ``poll`` seconds after a quiz in another page (default :data:`POLL_SECONDS`)."""
    panel = CoursePanel(store=store, learner=learner, lessons=course.course(lessons_dir, banks))
    panel.refresh_button.on_click(lambda _b: panel.refresh())
    panel.refresh()
    _RECORDED.append(panel.refresh)
    box = ui_box([panel.view, panel.refresh_button], "gdprlab-course")
    box.panel = panel
    panel.box = box
    if poll is None:
        poll = float(os.environ.get("GDPRLAB_COURSE_POLL", POLL_SECONDS) or 0)
    if poll > 0 and display_it:
        panel.watch(poll)
    if display_it:
        from IPython.display import display

        display(box)
    return box
