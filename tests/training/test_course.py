"""The course path: nine lessons in order, minutes computed from the notebooks, one learner's status and
where they resume."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from gdprlab.training import course

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
COLUMNS = ["lesson", "score", "max_score", "passed", "submitted_at"]


def attempts(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(COLUMNS, row, strict=True)) for row in rows], columns=COLUMNS)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def lessons():
    return course.course(LESSONS)


def test_the_course_is_the_nine_lesson_notebooks_in_order(lessons):
    assert [lesson.notebook for lesson in lessons] == sorted(p.name for p in LESSONS.glob("*.ipynb"))
    assert len(lessons) == 9 and lessons[0].id == course.COURSE_START and not lessons[0].has_quiz
    assert all(lesson.has_quiz for lesson in lessons[1:])
    assert all(lesson.minutes is not None and lesson.minutes % 5 == 0 and lesson.minutes >= 5
               for lesson in lessons)
    assert course.next_lesson(lessons, "00_start_here").id == "01_classification"
    assert course.next_lesson(lessons, "05_rights").id == "06_people"
    assert course.next_lesson(lessons, "08_education") is None


def test_minutes_grow_with_text_exercises_and_questions():
    def notebook(words: int, exercises: int) -> dict:
        return {"cells": [{"cell_type": "markdown", "source": ["word " * words]},
                          *({"cell_type": "code", "source": ['show("retention")']} for _ in range(exercises)),
                          {"cell_type": "code", "source": ['show_quiz("03_minimisation")']}]}

    assert course.estimate_minutes(notebook(0, 0)) == 5
    assert course.estimate_minutes(notebook(course.WORDS_PER_MINUTE * 12, 0)) == 15  # 12 min -> 15
    assert course.estimate_minutes(notebook(course.WORDS_PER_MINUTE * 10, 0)) == 10
    # 10 min of text + 2 exercises x 4 + 8 questions x 1 = 26 min -> 30
    assert course.estimate_minutes(notebook(course.WORDS_PER_MINUTE * 10, 2), questions=8) == 30
    real = json.loads((LESSONS / "05_rights.ipynb").read_text(encoding="utf-8"))
    assert course.estimate_minutes(real, 8) > course.estimate_minutes(real, 0)


def test_status_of_each_lesson_for_one_learner(lessons):
    today = dt.date(2026, 12, 6)
    path = course.learner_path(lessons, attempts(
        ("01_classification", 8, 8, True, utc(2026, 11, 2)),
        ("02_permission", 3, 8, False, utc(2026, 11, 3)),
        ("02_permission", 5, 8, False, utc(2026, 11, 4)),
        ("03_minimisation", 7, 8, True, utc(2025, 12, 5)),  # due 2026-12-05: refresher due on the 6th
        ("04_encryption", 7, 8, True, utc(2025, 12, 6)),  # still current on 2026-12-06
    ), today=today)
    assert path["lesson"].tolist() == [lesson.id for lesson in lessons]
    status = dict(zip(path["lesson"], path["status"], strict=True))
    assert status == {"00_start_here": "no_quiz", "01_classification": "passed", "02_permission": "started",
                      "03_minimisation": "refresher_due", "04_encryption": "passed",
                      "05_rights": "not_started", "06_people": "not_started",
                      "07_security_plans": "not_started", "08_education": "not_started"}
    row = path.set_index("lesson").loc["02_permission"]
    assert (row["attempts"], row["best_percent"]) == (2, 62.5)
    assert course.resume_at(path) == "02_permission"


def test_resume_at_the_first_lesson_not_passed_and_nowhere_when_all_are(lessons):
    nothing = course.learner_path(lessons, attempts())
    assert course.resume_at(nothing) == "01_classification"
    assert set(nothing["status"]) == {"no_quiz", "not_started"}
    everything = course.learner_path(
        lessons, attempts(*((lesson.id, 8, 8, True, utc(2026, 12, 1)) for lesson in lessons[1:])),
        today=dt.date(2026, 12, 6))
    assert course.resume_at(everything) is None
