"""What an exercise is and how an answer is judged: the same for every lesson."""

from __future__ import annotations

import datetime as dt
import importlib

import numpy as np
import pandas as pd
import pytest

from gdprlab.regulation import articles
from gdprlab.training.exercises import model, records
from gdprlab.training.exercises.model import Exercise, Item, build, check, day, pick


def toy(table: pd.DataFrame | None = None) -> Exercise:
    items = (Item(key="a", label="A", expected=True, reason="breaks it"),
             Item(key="b", label="B", expected=False, reason="fine"),
             Item(key="c", label="C", expected=True, reason="breaks it too", text="details of C"))
    return Exercise(name="toy", title="Toy", prompt="Tick the bad ones.", articles="5(1)", items=items,
                    table=table)


def test_the_answer_is_the_items_to_tick_in_order():
    e = toy()
    assert e.keys == ["a", "b", "c"] and e.answer == {"a", "c"}


def test_a_right_answer_says_so_cites_the_articles_and_explains_every_item():
    fb = check(toy(), ["c", "a"])
    assert fb.correct and (fb.right, fb.total, fb.missed, fb.wrong) == (3, 3, (), ())
    assert fb.message.split("\n") == ["All 3 right (Art. 5(1)). Well done!",
                                      "✔ A: breaks it", "✔ B: fine", "✔ C: breaks it too"]


def test_a_wrong_answer_counts_and_names_what_was_missed_and_what_was_ticked_wrongly():
    fb = check(toy(), ["b", "c"])
    assert not fb.correct and (fb.right, fb.missed, fb.wrong) == (1, ("a",), ("b",))
    verdict, *lines = fb.message.split("\n")
    assert verdict.startswith("1 of 3 right: 1 should have been ticked, 1 should not have been.")
    assert lines == ["✘ Missed A: breaks it", "✘ Wrongly ticked B: fine", "✔ C: breaks it too"]


def test_nothing_ticked_misses_the_whole_answer():
    fb = check(toy(), [])
    assert set(fb.missed) == toy().answer and fb.wrong == () and fb.right == 1


def test_ticking_something_that_is_not_an_item_is_an_error():
    with pytest.raises(ValueError, match="not items of this exercise: zz"):
        check(toy(), ["a", "zz"])


def test_items_must_have_unique_keys_and_a_table_must_show_exactly_the_items():
    e = toy()
    with pytest.raises(ValueError, match="unique"):
        Exercise(name="x", title="X", prompt="?", articles="5", items=e.items + e.items[:1])
    with pytest.raises(ValueError, match="same order"):
        toy(pd.DataFrame({"v": [1, 2, 3]}, index=["a", "c", "b"]))
    assert toy(pd.DataFrame({"v": [1, 2, 3]}, index=["a", "b", "c"])).table is not None


def test_exercises_compare_by_their_items_not_their_table():
    assert toy(pd.DataFrame({"v": [1, 2, 3]}, index=["a", "b", "c"])) == toy()


def test_every_lesson_exercise_is_registered_under_one_name():
    build("retention")  # loads the concern modules
    assert set(model.EXERCISES) == {
        "classification", "newsletter", "retention", "pseudonyms",  # lessons 01-04
        "overdue_requests", "untrained_staff", "excessive_access", "late_breaches",  # lessons 05-07
        "breaches_to_communicate", "overdue_policies",  # lessons 07-08
    }
    with pytest.raises(ValueError, match="twice"):
        model.exercise("retention")(lambda: toy())


def test_reloading_a_concern_module_registers_its_builders_again():
    build("retention")
    importlib.reload(records)
    assert model.EXERCISES["retention"] is records.build_retention


def test_build_passes_the_options_to_the_builder_and_refuses_an_unknown_name():
    assert build("retention", seed=2) == build("retention", seed=2) != build("retention", seed=3)
    assert len(build("retention", seed=2, n=5).items) == 5
    with pytest.raises(KeyError, match="no exercise 'nope'; known: .*retention"):
        build("nope")


@pytest.mark.parametrize("name", ["classification", "newsletter", "retention", "pseudonyms",
                                  "overdue_requests", "untrained_staff", "excessive_access", "late_breaches",
                                  "breaches_to_communicate", "overdue_policies"])
def test_every_exercise_has_a_title_cites_existing_articles_and_has_something_to_tick_and_to_leave(name):
    e = build(name)
    assert e.title and e.prompt and e.name == name
    assert all(articles.exists(ref) for ref in e.articles.split(", ")), e.articles
    assert 1 <= len(e.answer) < len(e.items) and all(i.reason for i in e.items)


def test_pick_takes_the_wanted_share_of_yes_then_fills_up_from_no():
    yes, no = [f"y{i}" for i in range(10)], [f"n{i}" for i in range(10)]
    chosen = pick(np.random.default_rng(3), yes, no, 8, 3)
    assert len(chosen) == 8 and len(set(chosen)) == 8
    assert [c[0] for c in chosen] == ["y"] * 3 + ["n"] * 5  # yes first, in the order drawn
    assert chosen == pick(np.random.default_rng(3), yes, no, 8, 3)
    short = pick(np.random.default_rng(3), yes, no[:2], 8, 3)
    assert sorted(c[0] for c in short) == ["n"] * 2 + ["y"] * 6  # too few "no": more "yes"
    assert pick(np.random.default_rng(3), [], no[:1], 8, 3) == ["n0"]


def test_day_shows_a_date_or_a_dash():
    assert day(pd.Timestamp("2026-03-02 17:45")) == "2026-03-02"
    assert day(dt.date(2026, 1, 31)) == "2026-01-31"
    assert day(pd.NaT) == day(None) == "—"


def test_the_exercise_dataset_is_made_once_per_seed_and_date():
    one = model.dataset(5, dt.date(2026, 6, 30))
    assert model.dataset(5, dt.date(2026, 6, 30)) is one
    assert len(one.tables["contacts"]) == model.CONTACTS
