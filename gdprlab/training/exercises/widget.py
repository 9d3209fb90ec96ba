"""The exercises on screen: the one module of the exercises that draws (ipywidgets, IPython.display).

:func:`show` is what a lesson cell calls: it builds the exercise by name
(:func:`gdprlab.training.exercises.model.build`) and displays :func:`exercise_widget`: the title and
question, the records' table when the exercise has one, a tick box per item in keyboard order, a Check
button and the feedback, which appears at once and explains every item; the learner may change the ticks and
try again. :func:`hash_calculator` (lesson 04) and :func:`show_deadline_examples` (lesson 05) are the
lessons' two other interactive pieces.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from gdprlab.crm import protect
from gdprlab.generator import notes
from gdprlab.training import theme
from gdprlab.training.exercises.model import Exercise, Feedback, build, check
from gdprlab.training.exercises.organisation import deadline_examples
from gdprlab.training.quiz_widget import ui_box

__all__ = ["LANGUAGE_NAMES", "exercise_widget", "feedback_html", "hash_calculator", "language_exercise",
           "show", "show_deadline_examples", "table_html"]

#: colour of the verdict line: right, not yet right (WCAG AA contrast, gdprlab.training.theme)
VERDICT_COLOURS = {True: theme.PALETTE["right"][0], False: theme.PALETTE["wrong"][0]}


def feedback_html(feedback: Feedback) -> str:
    """The feedback as HTML: the verdict in bold (green or red), then every item with its reason."""
    verdict, *lines = feedback.message.split("\n")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (f"<div style='color:{VERDICT_COLOURS[feedback.correct]};font-weight:bold'>{html.escape(verdict)}"
            "</div>" + (f"<ul>{items}</ul>" if items else ""))


def table_html(table: pd.DataFrame) -> str:
    """The records as an HTML table with one header row: a named index (the record id) becomes the first
    column, instead of the second, mostly empty header row pandas gives an index name."""
    if table.index.name is not None:
        return table.reset_index().to_html(index=False, escape=True)
    return table.to_html(escape=True)


def exercise_widget(exercise: Exercise) -> widgets.VBox:
    """The exercise as a box: question (and the records' table), one tick box per item, a Check button, the
    feedback.

    Each tick box is one large control labelled with the item's id and its details (the data it is judged
    on), so the id can never drift away from its box. The parts are reachable as ``box.exercise``,
    ``box.header``, ``box.boxes`` (by item key), ``box.button`` and ``box.output``, for tests and
    keyboard-driven use.
    """
    header = (f"<h4>{html.escape(exercise.title)} (Art. {html.escape(exercise.articles)})</h4>"
              f"<p><b>{html.escape(exercise.prompt)}</b></p>")
    if exercise.table is not None:
        header += theme.scroll_box(table_html(exercise.table), f"The records of: {exercise.title}")
    boxes = {}
    for item in exercise.items:
        text = f"{item.label}: {item.text}" if item.text else item.label
        boxes[item.key] = widgets.Checkbox(value=False, description=text, indent=False,
                                           layout=widgets.Layout(width="100%", height="auto"))
    ticks = widgets.VBox(list(boxes.values()), layout=widgets.Layout(width="100%"))
    ticks.add_class("gdprlab-options")
    button = widgets.Button(description="Check my answer", button_style="primary", icon="check")
    out = widgets.HTML()

    def on_click(_button=None) -> None:
        out.value = feedback_html(check(exercise, [key for key, box in boxes.items() if box.value]))

    button.on_click(on_click)
    head = widgets.HTML(header)
    box = ui_box([head, ticks, button, out], "gdprlab-exercise")
    box.exercise, box.header, box.boxes, box.button, box.output = exercise, head, boxes, button, out
    return box


#: the languages the synthetic notes are written in, by their own names, English first
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "it": "Italiano", "es": "Español",
                  "nl": "Nederlands", "pl": "Polski", "sv": "Svenska", "pt": "Português"}


def language_exercise(name: str, **options) -> widgets.VBox:
    """The exercise ``name`` with a list to choose the language its texts are written in: choosing one
    draws the same exercise in that language, in place (no code to edit). The current exercise's parts
    are reachable as on :func:`exercise_widget` (``box.exercise``, ``box.boxes`` …)."""
    choices = [(LANGUAGE_NAMES.get(code, code), code)
               for code in sorted(notes.NOTE_LANGUAGES, key=list(LANGUAGE_NAMES).index)]
    chooser = widgets.Dropdown(options=choices, value=options.get("language", "en"),
                               description="Language of the notes", style={"description_width": "initial"})
    holder = ui_box([chooser], "gdprlab-exercise-language")

    def draw(_change=None) -> None:
        inner = exercise_widget(build(name, **{**options, "language": chooser.value}))
        holder.children = [holder.children[0], chooser, inner]
        holder.exercise, holder.header, holder.boxes = inner.exercise, inner.header, inner.boxes
        holder.button, holder.output = inner.button, inner.output

    chooser.observe(draw, names="value")
    draw()
    holder.chooser = chooser
    return holder


def show(name: str, **options) -> widgets.VBox:
    """Display the exercise ``name`` (options as for its builder, e.g. ``seed=2``) and return its widget;
    with a ``language`` option the learner may switch the language (:func:`language_exercise`)."""
    if "language" in options:
        box = language_exercise(name, **options)
    else:
        box = exercise_widget(build(name, **options))
    display(box)
    return box


def hash_calculator() -> widgets.VBox:
    """Type an e-mail address, see its unsalted MD5, SHA-1 and SHA-256 (what an attacker would compute)."""
    text = widgets.Text(description="E-mail", placeholder="paste an e-mail address",
                        layout=widgets.Layout(width="auto", max_width="40em"))
    out = widgets.HTML()

    def update(change=None) -> None:
        email = text.value
        out.value = "" if not email.strip() else "<br>".join(
            f"{name}: <code>{protect.weak_pseudonym(email, name.lower().replace('-', ''))}</code>"
            for name in ("MD5", "SHA-1", "SHA-256"))

    text.observe(update, names="value")
    box = ui_box([text, out], "gdprlab-hash-calculator")
    box.text, box.output = text, out
    display(box)
    return box


def show_deadline_examples() -> None:
    """Display :func:`gdprlab.training.exercises.organisation.deadline_examples` as a table."""
    table = deadline_examples().style.hide(axis="index").to_html()
    display(ui_box([widgets.HTML(theme.scroll_box(table, "Examples of answer deadlines"))], "gdprlab-table"))
