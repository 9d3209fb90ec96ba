"""The exercises on screen: tick boxes, the Check button and feedback that explains every item."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd
import pytest

from gdprlab.crm import protect
from gdprlab.generator import notes
from gdprlab.training import theme
from gdprlab.training.exercises import widget
from gdprlab.training.exercises.model import Exercise, Feedback, Item, build, check


@pytest.fixture
def shown(monkeypatch) -> list:
    """What the widget module displays, instead of a notebook."""
    out: list = []
    monkeypatch.setattr(widget, "display", out.append)
    return out


def tick(box: widgets.VBox, keys) -> str:
    for key, check_box in box.boxes.items():
        check_box.value = key in keys
    box.button.click()
    return box.output.value


@pytest.mark.parametrize("name", ["retention", "untrained_staff"])
def test_the_check_button_judges_the_ticks_at_once_and_allows_another_try(name):
    exercise = build(name)
    box = widget.exercise_widget(exercise)
    assert list(box.boxes) == exercise.keys
    assert all(isinstance(b, widgets.Checkbox) and not b.value for b in box.boxes.values())
    right = tick(box, exercise.answer)
    assert f"All {len(exercise.items)} right" in right and theme.PALETTE["right"][0] in right
    first = exercise.keys[0]
    wrong = tick(box, exercise.answer ^ {first})
    assert f"{len(exercise.items) - 1} of {len(exercise.items)} right" in wrong
    assert theme.PALETTE["wrong"][0] in wrong
    mistake = "✘ Missed " if first in exercise.answer else "✘ Wrongly ticked "
    assert mistake + exercise.items[0].label in wrong


def test_each_tick_box_carries_the_item_id_and_its_details_in_one_label():
    """One control per item: the id can never sit next to another item's box, whatever the width."""
    exercise = build("classification", seed=1)
    box = widget.exercise_widget(exercise)
    first = box.boxes[exercise.keys[0]]
    assert first.description == f"Note 1: {exercise.items[0].text}"
    ticks = next(c for c in box.children if isinstance(c, widgets.VBox))
    assert "gdprlab-options" in ticks._dom_classes and list(ticks.children) == list(box.boxes.values())
    assert "gdprlab-ui" in box._dom_classes


def test_the_header_gives_title_articles_question_and_the_records_table():
    exercise = build("overdue_requests", seed=0)
    header = widget.exercise_widget(exercise).header.value
    assert "Requests answered too late (Art. 12(3))" in header and "Tick every request" in header
    assert all(key in header for key in exercise.keys) and "<table" in header
    # a wide table scrolls in a box of its own, which the keyboard can reach
    assert "<div class='gdprlab-scroll' role='region' tabindex='0'" in header
    assert "<table" not in widget.exercise_widget(build("retention")).header.value


def test_the_language_of_the_notes_is_chosen_in_a_list_not_in_code(shown):
    box = widget.show("classification", seed=1, language="en")
    assert shown == [box] and box.chooser.value == "en"
    # English first, then the learner's own language among those of the CRM locales, by its own name
    assert [code for _, code in box.chooser.options] == ["en", *notes.LANGUAGES]
    assert box.chooser.options[0] == ("English", "en") and ("Deutsch", "de") in box.chooser.options
    english = box.exercise
    assert box.boxes["note-1"].description == f"Note 1: {english.items[0].text}"
    box.chooser.value = "de"
    assert box.exercise == build("classification", seed=1, language="de") != english
    assert box.exercise.answer == english.answer
    german = box.exercise
    box.chooser.value = "fr"
    assert box.exercise == build("classification", seed=1, language="fr") and box.exercise != german
    assert box.children[-1].exercise == box.exercise  # drawn in place
    assert box.exercise.answer == german.answer  # the same notes, in another language
    right = tick(box, box.exercise.answer)
    assert "right" in right


def test_feedback_html_escapes_and_lists_every_item():
    items = (Item(key="k", label="<k>", expected=True, reason="x < y"),)
    exercise = Exercise(name="t", title="T", prompt="?", articles="5", items=items)
    page = widget.feedback_html(check(exercise, []))
    assert "&lt;k&gt;" in page and "x &lt; y" in page and page.count("<li>") == 1
    assert widget.feedback_html(Feedback(True, 0, 0, (), (), "All <0> right")) == (
        f"<div style='color:{theme.PALETTE['right'][0]};font-weight:bold'>All &lt;0&gt; right</div>")


def test_a_table_has_one_header_row_with_the_record_id_first():
    table = pd.DataFrame({"received on": ["2026-01-02"]}, index=pd.Index(["R1"], name="request_id"))
    head = widget.table_html(table).split("<thead>")[1].split("</thead>")[0]
    assert head.count("<tr") == 1 and "request_id" in head.split("</th>")[0]
    assert "<th></th>" in widget.table_html(table.rename_axis(None)).split("</thead>")[0]


def test_show_builds_by_name_with_the_builders_options_and_displays(shown):
    box = widget.show("overdue_requests", seed=1)
    assert shown == [box] and box.exercise == build("overdue_requests", seed=1)


def test_the_hash_calculator_shows_the_three_unsalted_hashes(shown):
    box = widget.hash_calculator()
    assert shown == [box] and box.output.value == ""
    box.text.value = " Ana@Example.org "
    for algorithm in ("md5", "sha1", "sha256"):
        assert protect.weak_pseudonym("ana@example.org", algorithm) in box.output.value


def test_the_deadline_examples_are_shown_without_an_index(shown):
    widget.show_deadline_examples()
    [box] = shown
    table = box.children[-1].value
    assert "Tue 10 Mar 2026" in table and "<th class=\"blank" not in table
    assert table.startswith("<div class='gdprlab-scroll' role='region' tabindex='0'")
