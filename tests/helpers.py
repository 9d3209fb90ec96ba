"""Small builders shared by the tests (pytest puts this folder on sys.path)."""

from __future__ import annotations

import os

import pandas as pd

from gdprlab.crm.schema import TABLES

#: the PostgreSQL server of tests that need one (trust authentication); they skip, saying why, without it
PG_URL = os.environ.get("GDPRLAB_TEST_PG_URL", "postgresql+psycopg://@127.0.0.1:5432/test")


def table(name: str, /, *rows: dict, **defaults) -> pd.DataFrame:
    """A table with every schema column (extra keys become extra columns); dates given as ISO text."""
    columns = TABLES[name].column_names
    extra = [k for row in rows for k in row if k not in columns]
    df = pd.DataFrame([{**defaults, **row} for row in rows], columns=columns + list(dict.fromkeys(extra)))
    df = df.astype(object).where(df.notna(), None)
    for col in TABLES[name].columns:
        if col.dtype in ("date", "datetime"):
            df[col.name] = pd.to_datetime(df[col.name], format="ISO8601", utc=True).dt.tz_localize(None)
    return df



def graded_attempt(learner: str, lesson: str, right: int | None = None, *, number: int = 1, **fields):
    """A quiz attempt that re-grades (gdprlab.training.grading): attempt ``number`` of ``learner`` on the
    packaged bank of ``lesson``, with the first ``right`` questions answered correctly (default: all), its
    score and verdict computed from those answers; ``fields`` (e.g. submitted_at) go to the Attempt."""
    from gdprlab.training.grading import answers_with, grade
    from gdprlab.training.quiz import bank_version, load_banks
    from gdprlab.training.store.records import Attempt

    bank = load_banks()[lesson]
    right = bank.questions_per_attempt if right is None else right
    answers = answers_with(bank, learner, number, right)
    earned = grade(bank, learner, answers)
    values = {"score": earned.score, "max_score": earned.max_score, "passed": earned.passed} | fields
    return Attempt(learner=learner, lesson=lesson, quiz=lesson, bank_version=bank_version(bank),
                   answers=answers, **values)
