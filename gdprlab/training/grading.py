"""Re-grading a stored attempt from its answers, so that a score is believed only when it follows from them.

A learner's kernel can write anything: ``store.record(Attempt(..., score=8, max_score=8, passed=True))`` from
a notebook cell, or a line in the outbox file. In single-user mode the learner also holds the database, so
the store cannot keep such a record out; what it can do is believe a score only when it follows from the
answers. :func:`regrade` is that judgment, used where an attempt is recorded (:meth:`ProgressStore.record`
refuses a forged one), by ``gdprlab progress verify`` (reports every stored record that does not re-grade)
and before a certificate is issued or verified.

An attempt re-grades when

* its ``bank_version`` is one the grader knows (:func:`gdprlab.training.versions.known_banks`: the versions
  the packaged changelog lists) and that bank is the attempt's lesson;
* its ``answers`` map question ids to option indices (into the bank's options, as the quiz widget stores
  them: :func:`gdprlab.training.quiz_widget.stored_answers`), and the questions are exactly those of one of
  the learner's draws (:func:`gdprlab.training.quiz.is_draw`), so nobody picks the questions they know;
* ``score``, ``max_score`` and ``passed`` are what :func:`gdprlab.training.quiz.check` gives for those
  answers (all-or-nothing multiple choice, the bank's pass mark).

What it cannot tell: who typed the answers, or whether the learner looked the key up (in single-user mode
the banks, keys included, are on the learner's machine).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gdprlab.training.quiz import Bank, check, is_draw

__all__ = ["Grade", "GradeError", "Grader", "answers_with", "default_grader", "grade", "regrade"]

#: how far a stored score may differ from the re-graded one (float rounding only)
TOLERANCE = 1e-6


class GradeError(ValueError):
    """An attempt that does not re-grade; the message says why (no answers, no personal data)."""


@dataclass(frozen=True)
class Grade:
    """The score an attempt's answers give."""

    score: float
    max_score: float
    passed: bool


def _answers(answers: Any) -> dict[str, tuple[int, ...]]:
    if not isinstance(answers, Mapping) or not answers:
        raise GradeError("it has no answers to grade (a score is believed only when it follows from them)")
    out = {}
    for question, chosen in answers.items():
        if not isinstance(chosen, list | tuple) or any(isinstance(i, bool) or not isinstance(i, int)
                                                       for i in chosen):
            raise GradeError(f"the answer to question {str(question)[:40]!r} is not a list of option numbers")
        out[str(question)] = tuple(chosen)
    return out


def grade(bank: Bank, learner: str, answers: Mapping[str, Any]) -> Grade:
    """The grade ``answers`` (question id -> option indices into the bank's options) earn on ``bank``;
    GradeError when they are no answers to one of ``learner``'s draws."""
    chosen = _answers(answers)
    if not is_draw(bank, learner, chosen):
        raise GradeError("the questions answered are not one of the learner's draws of this bank")
    results = []
    for question, indices in chosen.items():
        try:
            results.append(check(bank.question(question), indices))
        except (KeyError, ValueError) as error:
            raise GradeError(f"the answers cannot be graded: {error}") from None
    points = sum(r.points for r in results)
    most = sum(r.max_points for r in results)
    return Grade(float(points), float(most), points / most >= bank.pass_mark - 1e-9)


def regrade(attempt: Any, banks: Mapping[str, Bank]) -> Grade:
    """The grade of ``attempt`` (a :class:`gdprlab.training.store.records.Attempt`) from its answers, against
    ``banks`` (bank version -> bank); GradeError when it does not re-grade: unknown bank version, answers
    that are not a draw, or a score, maximum or verdict that differs from the answers'."""
    bank = banks.get(attempt.bank_version)
    if bank is None:
        raise GradeError(f"bank version {attempt.bank_version!r} is not one this gdprlab knows for lesson "
                         f"{attempt.lesson!r} (see gdprlab/training/content/changelog.yaml)")
    if bank.lesson != attempt.lesson:
        raise GradeError(f"bank version {attempt.bank_version!r} is the bank of lesson {bank.lesson!r}, not "
                         f"of {attempt.lesson!r}")
    earned = grade(bank, attempt.learner, attempt.answers)
    stored = (float(attempt.score), float(attempt.max_score), bool(attempt.passed))
    if not (math.isclose(stored[0], earned.score, abs_tol=TOLERANCE)
            and math.isclose(stored[1], earned.max_score, abs_tol=TOLERANCE) and stored[2] == earned.passed):
        claimed = f"{stored[0]:g} of {stored[1]:g}, {'passed' if stored[2] else 'not passed'}"
        actual = f"{earned.score:g} of {earned.max_score:g}, {'passed' if earned.passed else 'not passed'}"
        raise GradeError(f"its score ({claimed}) does not follow from its answers ({actual})")
    return earned


#: what a store calls to judge an attempt: raises GradeError, or returns
Grader = Callable[[Any], object]


def default_grader() -> Grader:
    """The grader of the packaged banks and changelog (:func:`gdprlab.training.versions.known_banks`)."""
    from gdprlab.training.versions import known_banks

    banks = known_banks()
    return lambda attempt: regrade(attempt, banks)


def answers_with(bank: Bank, learner: str, number: int, right: int) -> dict[str, list[int]]:
    """Answers to the learner's attempt ``number`` on ``bank`` with the first ``right`` questions (in the
    order drawn) answered correctly and the others wrongly, as the quiz widget stores them (indices into
    the bank's options): for demonstration stores and tests, which need attempts that re-grade."""
    from gdprlab.training.quiz import draw

    answers = {}
    for n, drawn in enumerate(draw(bank, learner, number).questions):
        question = drawn.question
        wrong = [i for i in range(len(question.options)) if i not in question.correct_indices]
        answers[question.id] = list(question.correct_indices) if n < right else wrong[:1]
    return answers
