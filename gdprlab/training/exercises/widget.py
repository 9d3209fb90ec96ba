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
from gdprlab.training import theme
from gdprlab.training.exercises.model import Exercise, Feedback, build, check
from gdprlab.training.exercises.organisation import deadline_examples

__all__ = ["exercise_widget", "feedback_html", "hash_calculator", "show", "show_deadline_examples",
           "table_html"]

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
    """The exercise as a box: question (and table), one tick box per item, a Check button, the feedback.

    The tick box carries the item's short label (widget labels do not wrap); its text stands beside it.
    The parts are reachable as ``box.exercise``, ``box.boxes`` (by item key), ``box.button`` and
    ``box.output``, for tests and keyboard-driven use.
    """
    header = (f"<h4>{html.escape(exercise.title)} (Art. {html.escape(exercise.articles)})</h4>"
              f"<p><b>{html.escape(exercise.prompt)}</b></p>")
    if exercise.table is not None:
        header += table_html(exercise.table)
    boxes, rows = {}, []
    for item in exercise.items:
        tip = f"{item.label}: {item.text}" if item.text else item.label
        box = widgets.Checkbox(value=False, description=item.label, indent=False, tooltip=tip,
                               layout=widgets.Layout(width="auto", flex="0 0 auto", margin="0 1em 0 0"))
        boxes[item.key] = box
        text = f"<span style='overflow-wrap: anywhere'>{html.escape(item.text)}</span>"
        rows.append(widgets.HBox([box, widgets.HTML(text)]))
    button = widgets.Button(description="Check my answer", button_style="primary", icon="check")
    out = widgets.HTML()

    def on_click(_button=None) -> None:
        out.value = feedback_html(check(exercise, [key for key, box in boxes.items() if box.value]))

    button.on_click(on_click)
    box = widgets.VBox([widgets.HTML(header), *rows, button, out])
    box.exercise, box.boxes, box.button, box.output = exercise, boxes, button, out
    return box


def show(name: str, **options) -> widgets.VBox:
    """Display the exercise ``name`` (options as for its builder, e.g. ``seed=2``) and return its widget."""
    box = exercise_widget(build(name, **options))
    display(box)
    return box


def hash_calculator() -> widgets.VBox:
    """Type an e-mail address, see its unsalted MD5, SHA-1 and SHA-256 (what an attacker would compute)."""
    text = widgets.Text(description="E-mail", placeholder="paste an e-mail address",
                        layout=widgets.Layout(width="40em"))
    out = widgets.HTML()

    def update(change=None) -> None:
        email = text.value
        out.value = "" if not email.strip() else "<br>".join(
            f"{name}: <code>{protect.weak_pseudonym(email, name.lower().replace('-', ''))}</code>"
            for name in ("MD5", "SHA-1", "SHA-256"))

    text.observe(update, names="value")
    box = widgets.VBox([text, out])
    box.text, box.output = text, out
    display(box)
    return box


def show_deadline_examples() -> None:
    """Display :func:`gdprlab.training.exercises.organisation.deadline_examples` as a table."""
    display(deadline_examples().style.hide(axis="index"))
