"""Small builders shared by the tests (pytest puts this folder on sys.path)."""

from __future__ import annotations

import os

import pandas as pd

from gdprlab.crm.schema import TABLES

#: the PostgreSQL server of tests that need one (trust authentication); they skip, saying why, without it
PG_URL = os.environ.get("GDPRLAB_TEST_PG_URL", "postgresql+psycopg://@127.0.0.1:5432/test")
#: the Java options of the test session's Spark (tests/conftest.py), whose Java process runs a few minutes
#: of small queries: the client compiler only and one garbage-collector thread. The optimising compiler's
#: and the parallel collector's threads, which pay off on real data over hours (gdprlab's own sessions keep
#: them), took over a third of its processor time (133 s against 84 s of CPU for
#: tests/audit/rules/test_conformance_generated.py run alone, in the same wall time), which the other test
#: workers of a two-core machine are then short of
SPARK_TEST_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


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


def pdf_pages_text(path) -> list[str]:
    """The text of each page of a PDF, as pypdf extracts it, ligatures written out (NFKC: the font's "ﬁ"
    becomes "fi")."""
    import unicodedata

    from pypdf import PdfReader

    return [unicodedata.normalize("NFKC", page.extract_text()) for page in PdfReader(path).pages]


def pdf_contents_check(pages: list[str], headings: list[str]) -> tuple[list[int], list[int]]:
    """(the page number the table of contents shows for each heading, the page the heading is on), read from
    the pages' text alone: a contents line is the heading's text then its number; the heading itself is the
    first line that is its text and nothing else."""
    import re

    shown, found = [], []
    for heading in headings:
        entry = re.compile(rf"^\s*{re.escape(heading)}\s+(\d+)\s*$", re.M)
        shown.append(next((int(m[1]) for text in pages if (m := entry.search(text))), None))
        alone = re.compile(rf"^\s*{re.escape(heading)}\s*$", re.M)
        found.append(next((n for n, text in enumerate(pages, 1) if alone.search(text)), None))
    return shown, found


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
