"""The lesson notebooks: thin (cells of one or two lines), without outputs, citing existing articles, each
concern lesson with its exercise(s) and its own quiz."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gdprlab.regulation import articles
from gdprlab.training.exercises import model

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
#: each concern lesson and the exercises it shows
EXERCISES = {
    "01_classification": {"classification"},
    "02_permission": {"newsletter"},
    "03_minimisation": {"retention"},
    "04_encryption": {"pseudonyms"},
    "05_rights": {"overdue_requests"},
    "06_people": {"untrained_staff", "excessive_access"},
    "07_security_plans": {"late_breaches", "breaches_to_communicate"},
    "08_education": {"overdue_policies"},
}
CITATION = re.compile(r"Art\. (\d+(?:\(\w+\))*)")


def cells(stem: str, kind: str) -> list[str]:
    notebook = json.loads((LESSONS / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == kind]


def test_every_lesson_is_listed():
    assert sorted(p.stem for p in LESSONS.glob("*.ipynb")) == ["00_start_here", *EXERCISES]


@pytest.mark.parametrize("stem", ["00_start_here", *EXERCISES])
def test_code_cells_are_short_never_wait_for_input_and_are_committed_without_outputs(stem):
    notebook = json.loads((LESSONS / f"{stem}.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            assert len(source.splitlines()) <= 2 and "input(" not in source, source
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("stem", list(EXERCISES))
def test_a_concern_lesson_cites_existing_articles_and_has_objectives_and_a_summary(stem):
    text = "\n".join(cells(stem, "markdown"))
    cited = set(CITATION.findall(text))
    assert len(cited) >= 5
    assert [ref for ref in sorted(cited) if not articles.exists(ref)] == []
    assert "Learning objectives" in text and "## Summary" in text


@pytest.mark.parametrize("stem", list(EXERCISES))
def test_a_concern_lesson_shows_its_exercises_then_ends_with_its_own_quiz(stem):
    code = cells(stem, "code")
    shown = set(re.findall(r'^show\("(\w+)"', "\n".join(code), re.MULTILINE))
    assert shown == EXERCISES[stem]
    model.build(next(iter(shown)))  # loads every exercise module
    assert shown <= set(model.EXERCISES)
    assert "from gdprlab.training.exercises.widget import" in "\n".join(code)
    assert code[-1].endswith(f'show_quiz("{stem}");')
