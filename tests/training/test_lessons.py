"""The lesson notebooks: thin (cells of one or two lines), without outputs, citing existing articles, each
concern lesson with its exercise(s) and its own quiz, and teaching every article its quiz tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gdprlab.regulation import articles
from gdprlab.regulation.catalogue import parse_article
from gdprlab.training import quiz
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
#: a citation of GDPR articles in any of the forms lessons use: "Art. 33(1)", "**Art. 6(1)(a)**",
#: "Article 6(1)", "Arts. 13 and 14", "Art. 7(2), 7(4)", "Art. 24(1), 29 or 32(4)"
GDPR_CITATION = re.compile(r"\bArt(?:icles?\b|s?\.)\s*"
                           r"(\d{1,2}(?:\(\w+\))*(?:(?:,\s*|\s+and\s+|\s+or\s+)\d{1,2}\b(?:\(\w+\))*)*)")
#: articles of another act, which do not teach the GDPR's article of the same number
OTHER_ACT = re.compile(r"(?:Directive 2002/58|ePrivacy Directive),? Arts?\.\s*\d+(?:\(\w+\))*"
                       r"|\bArts?\.\s*\d+(?:\(\w+\))*,? of (?:the )?(?:Directive|ePrivacy|Regulation \(EEC)")


def cells(stem: str, kind: str) -> list[str]:
    notebook = json.loads((LESSONS / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == kind]


def taught_articles(markdown: str) -> set[int]:
    """The GDPR articles a lesson's text cites, by number. A range ("Art. 15–22") names none in
    particular, so it counts for neither end."""
    text = OTHER_ACT.sub("", markdown)
    taught = set()
    for m in GDPR_CITATION.finditer(text):
        numbers = re.findall(r"(?:^|,\s*|\s+and\s+|\s+or\s+)(\d{1,2})", m.group(1))
        in_range = re.match(r"\s*[–-]\s*\d", text[m.end():])
        taught |= {int(n) for n in (numbers[:-1] if in_range else numbers)}
    return taught


def test_taught_articles_reads_every_citation_form_but_not_other_acts_or_ranges():
    text = ("Art. 33(1) and **Art. 34(3)(a)**; point (a) of Article 6(1); Arts. 13 and 14; Art. 7(2), 7(4); "
            "Art. 24(1), 29 or 32(4). Directive 2002/58 Art. 13(2) and Art. 95; Art. 12 of Directive "
            "2002/58 (no: 12); Art. 15–22; 72 hours")
    assert taught_articles(text) == {33, 34, 6, 13, 14, 7, 24, 29, 32, 95}
    assert taught_articles("Directive 2002/58 Art. 13(2)") == set()


@pytest.mark.parametrize("stem", list(EXERCISES))
def test_a_lesson_teaches_every_article_its_quiz_tests(stem):
    """A learner who read the lesson has met each article a question of its quiz cites."""
    taught = taught_articles("\n".join(cells(stem, "markdown")))
    untaught = {q.id: refs for q in quiz.load_banks()[stem].questions
                if (refs := [ref for ref in q.articles if parse_article(ref)[0] not in taught])}
    assert not untaught, f"{stem} never cites the articles these questions test: {untaught}"


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


@pytest.mark.parametrize("stem", ["00_start_here", *EXERCISES])
def test_the_72_hours_are_taught_with_where_feasible_and_the_unlikely_risk_exemption(stem):
    """Art. 33(1): 'without undue delay and, where feasible, not later than 72 hours', 'unless the personal
    data breach is unlikely to result in a risk'; a bare '72 hours' would teach a rule the GDPR does not
    set."""
    for cell in cells(stem, "markdown"):
        text = " ".join(cell.split())
        if re.search(r"72[ -]hours?", text):
            assert "where feasible" in text and "unlikely to result in a risk" in text, text[:300]


def test_the_training_duty_rests_on_the_controller_not_on_the_dpo():
    training = next(c for c in cells("06_people", "markdown") if c.startswith("## 2. Training"))
    assert {"24", "29", "32", "5"} <= {str(n) for n in taught_articles(training)}
    assert "monitor" in training  # Art. 39(1)(b): the DPO monitors


def test_the_permission_lesson_teaches_the_eprivacy_rules_for_email_and_calls():
    text = " ".join("\n".join(cells("02_permission", "markdown")).split())
    for rule in ("Directive 2002/58 Art. 13(1)", "Directive 2002/58 Art. 13(2)",
                 "Directive 2002/58 Art. 13(3)", "Art. 95", "do-not-call register",
                 "its own similar products or services"):
        assert rule in text, rule
