"""The course: the nine lessons in order, how long each takes, and where one learner stands.

Lesson 00 (``lessons/00_start_here.ipynb``) shows :func:`learner_path`: every lesson with its estimated
minutes and this learner's status, and :func:`resume_at` names the lesson to continue with (the first one,
in course order, whose quiz is not passed). The quiz links to :func:`next_lesson`. Pure functions over the
lesson notebooks, the question banks and the learner's attempts; drawing is
:mod:`gdprlab.training.quiz_widget`'s job.

Estimated minutes (:func:`estimate_minutes`) are computed from the notebook rather than typed, so they follow
the lessons when they change: reading the text at :data:`WORDS_PER_MINUTE`, plus :data:`EXERCISE_MINUTES` per
exercise and :data:`QUESTION_MINUTES` per quiz question, rounded up to whole 5 minutes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gdprlab.training import quiz

__all__ = ["COURSE_START", "STATUS_TEXT", "Lesson", "course", "estimate_minutes", "learner_path",
           "lesson_number", "next_lesson", "resume_at"]

#: the course's first lesson (no quiz): the path, the learner id, what is recorded
COURSE_START = "00_start_here"
START_TITLE = "Start here: how the course works and what is recorded"
#: reading speed assumed for the lessons' text (words per minute; slow, careful reading of legal text)
WORDS_PER_MINUTE = 150
EXERCISE_MINUTES = 4
QUESTION_MINUTES = 1
#: what each status says to the learner
STATUS_TEXT = {
    "passed": "Passed",
    "refresher_due": "Passed, refresher due",
    "started": "Started, not passed yet",
    "not_started": "Not started",
    "no_quiz": "No quiz",
}

_WORD = re.compile(r"\w+")
_EXERCISE_CALL = re.compile(r"^\s*show(?:_\w+)?\(|^\s*hash_calculator\(", re.MULTILINE)


@dataclass(frozen=True)
class Lesson:
    id: str  # the notebook's stem, e.g. "05_rights"
    title: str
    minutes: int | None  # None: the notebook was not found
    has_quiz: bool

    @property
    def number(self) -> str:
        return lesson_number(self.id)

    @property
    def notebook(self) -> str:
        return f"{self.id}.ipynb"


def lesson_number(lesson_id: str) -> str:
    """"05" for "05_rights"."""
    return lesson_id.split("_", 1)[0]


def estimate_minutes(notebook: Mapping, questions: int = 0) -> int:
    """Minutes a learner needs for a lesson notebook (nbformat JSON as a dict) with ``questions`` quiz
    questions: its markdown read at :data:`WORDS_PER_MINUTE`, :data:`EXERCISE_MINUTES` per exercise cell,
    :data:`QUESTION_MINUTES` per question; rounded up to whole 5 minutes (at least 5)."""
    words = exercises = 0
    for cell in notebook.get("cells", ()):
        source = "".join(cell.get("source", ()))
        if cell.get("cell_type") == "markdown":
            words += len(_WORD.findall(source))
        elif cell.get("cell_type") == "code":
            exercises += len([m for m in _EXERCISE_CALL.findall(source) if "show_quiz" not in m])
    minutes = words / WORDS_PER_MINUTE + exercises * EXERCISE_MINUTES + questions * QUESTION_MINUTES
    return max(5, 5 * math.ceil(minutes / 5))


def course(lessons_dir: str | Path | None = None, banks: Mapping[str, quiz.Bank] | None = None
           ) -> tuple[Lesson, ...]:
    """The lessons in course order: 00 first, then one per question bank (sorted by id)."""
    from gdprlab.training.serve import default_lessons_dir

    banks = quiz.load_banks() if banks is None else banks
    folder = default_lessons_dir() if lessons_dir is None else Path(lessons_dir)

    def minutes(stem: str, questions: int) -> int | None:
        try:
            notebook = json.loads((folder / f"{stem}.ipynb").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return estimate_minutes(notebook, questions)

    lessons = [Lesson(COURSE_START, START_TITLE, minutes(COURSE_START, 0), False)]
    lessons += [Lesson(stem, bank.title, minutes(stem, bank.questions_per_attempt), True)
                for stem, bank in sorted(banks.items())]
    return tuple(lessons)


def next_lesson(lessons: tuple[Lesson, ...], lesson_id: str) -> Lesson | None:
    """The lesson after ``lesson_id`` in the course, None after the last one (or for an unknown id)."""
    ids = [lesson.id for lesson in lessons]
    if lesson_id not in ids or ids.index(lesson_id) + 1 >= len(ids):
        return None
    return lessons[ids.index(lesson_id) + 1]


def learner_path(lessons: tuple[Lesson, ...], attempts: pd.DataFrame, *, refresh_months: int = 12,
                 today: dt.date | None = None) -> pd.DataFrame:
    """One row per lesson, in course order: ``lesson``, ``title``, ``minutes``, ``status`` (a key of
    :data:`STATUS_TEXT`), ``attempts``, ``best_percent`` (NaN without an attempt).

    ``attempts`` holds the learner's attempts (columns ``lesson``, ``score``, ``max_score``, ``passed``,
    ``submitted_at``, as :meth:`~gdprlab.training.store.progress.ProgressStore.attempts_frame` gives). A
    lesson whose latest pass is older than ``refresh_months`` calendar months is ``refresher_due`` (the rule
    of :mod:`gdprlab.training.status`).
    """
    from gdprlab.training.status import due_dates

    today = dt.datetime.now(dt.UTC).date() if today is None else today
    rows = []
    for lesson in lessons:
        mine = attempts[attempts["lesson"] == lesson.id] if len(attempts) else attempts
        count = len(mine)
        best = (100.0 * (mine["score"].astype(float) / mine["max_score"].astype(float))).max() if count \
            else math.nan
        passes = mine[mine["passed"].astype(bool)] if count else mine
        if not lesson.has_quiz:
            status = "no_quiz"
        elif count == 0:
            status = "not_started"
        elif passes.empty:
            status = "started"
        else:
            last = pd.to_datetime(passes["submitted_at"], utc=True).max().tz_localize(None).floor("D")
            due = pd.Timestamp(due_dates(pd.Series([last]), refresh_months)[0]).date()
            status = "passed" if due >= today else "refresher_due"
        rows.append({"lesson": lesson.id, "title": lesson.title, "minutes": lesson.minutes,
                     "status": status, "attempts": count, "best_percent": round(float(best), 1)})
    return pd.DataFrame(rows, columns=["lesson", "title", "minutes", "status", "attempts", "best_percent"])


def resume_at(path: pd.DataFrame) -> str | None:
    """Where the learner continues: the first lesson with a quiz, in course order, that is not passed (or
    whose refresher is due); None when every quiz is passed."""
    todo = path[path["status"].isin(["not_started", "started", "refresher_due"])]
    return None if todo.empty else str(todo["lesson"].iloc[0])
