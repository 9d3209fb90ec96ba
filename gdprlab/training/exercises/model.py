"""What a lesson exercise is and how an answer is judged, for every lesson alike.

Every exercise asks the learner to tick the items (notes, contacts, requests, breaches …) that break a
rule, and every item carries the reason why it does or does not. The lessons' concern modules
(:mod:`~gdprlab.training.exercises.records` for lessons 01-04, :mod:`~gdprlab.training.exercises.organisation`
for 05-08) build :class:`Exercise` values from a small synthetic CRM and register each builder with
:func:`exercise`; :func:`build` makes any of them by name and :func:`check` judges a set of ticked items,
the same way for all. Drawing it on screen is :mod:`gdprlab.training.exercises.widget`'s job.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TypeVar

import numpy as np
import pandas as pd

from gdprlab.generator import Dataset, GeneratorConfig, generate

__all__ = ["CONTACTS", "EXERCISES", "Exercise", "Feedback", "Item", "build", "check", "dataset", "day",
           "exercise", "pick"]

#: contacts in an exercise dataset: small enough to generate in well under a second
CONTACTS = 400
#: the modules whose builders :func:`build` knows (each registers its own with :func:`exercise`)
CONCERN_MODULES = ("gdprlab.training.exercises.records", "gdprlab.training.exercises.organisation")


@dataclass(frozen=True)
class Item:
    """One thing to tick or leave: ``label`` stands beside the tick box, ``text`` (if any) after it."""

    key: str  # stable id (record id, note number), what an answer names
    label: str  # short: a record id or "Note 3"
    expected: bool  # True: should be ticked
    reason: str  # why (shown after checking)
    text: str = ""  # the item's details, when no table shows them


@dataclass(frozen=True)
class Exercise:
    """A "tick the items that …" exercise; ``table`` (optional) shows the items' records, one row each."""

    name: str
    title: str
    prompt: str
    articles: str  # the articles the rule comes from, e.g. "12(3)"
    items: tuple[Item, ...]
    table: pd.DataFrame | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if len(set(self.keys)) != len(self.items):
            raise ValueError(f"{self.name}: item keys must be unique")
        if self.table is not None and list(self.table.index) != self.keys:
            raise ValueError(f"{self.name}: the table's rows must be the items, in the same order")

    @property
    def keys(self) -> list[str]:
        return [i.key for i in self.items]

    @property
    def answer(self) -> frozenset[str]:
        return frozenset(i.key for i in self.items if i.expected)


@dataclass(frozen=True)
class Feedback:
    correct: bool
    right: int  # items judged correctly (ticked or not)
    total: int
    missed: tuple[str, ...]  # keys that should have been ticked
    wrong: tuple[str, ...]  # keys ticked that should not have been
    message: str  # plain text: the verdict, then one line per item with its reason


def check(exercise: Exercise, ticked: Iterable[str]) -> Feedback:
    """Judge the ticked item keys; every item's reason is in the message, mistakes marked as such."""
    ticked = set(ticked)
    unknown = ticked - set(exercise.keys)
    if unknown:
        raise ValueError(f"not items of this exercise: {', '.join(sorted(unknown))}")
    missed = tuple(i.key for i in exercise.items if i.expected and i.key not in ticked)
    wrong = tuple(i.key for i in exercise.items if not i.expected and i.key in ticked)
    total = len(exercise.items)
    right = total - len(missed) - len(wrong)
    if not missed and not wrong:
        verdict = f"All {total} right (Art. {exercise.articles}). Well done!"
    else:
        verdict = (f"{right} of {total} right: {len(missed)} should have been ticked, {len(wrong)} should "
                   "not have been. See the explanations below and try again.")
    lines = [verdict]
    for item in exercise.items:
        mark = ("✘ Missed " if item.key in missed else "✘ Wrongly ticked " if item.key in wrong else "✔ ")
        lines.append(f"{mark}{item.label}: {item.reason}")
    return Feedback(correct=not missed and not wrong, right=right, total=total, missed=missed, wrong=wrong,
                    message="\n".join(lines))


# ------------------------------------------------------------------------------------------ registry
#: every exercise builder by name (filled by :func:`exercise`; :func:`build` loads the concern modules)
EXERCISES: dict[str, Callable[..., Exercise]] = {}
Builder = TypeVar("Builder", bound=Callable[..., Exercise])


def exercise(name: str) -> Callable[[Builder], Builder]:
    """Register the decorated builder as exercise ``name`` (again when its module is reloaded)."""
    def register(builder: Builder) -> Builder:
        known = EXERCISES.get(name)
        if known is not None and (known.__module__, known.__qualname__) != (builder.__module__,
                                                                            builder.__qualname__):
            raise ValueError(f"exercise {name!r} is registered twice")
        EXERCISES[name] = builder
        return builder

    return register


@cache
def _load_concern_modules() -> None:
    for module in CONCERN_MODULES:
        importlib.import_module(module)


def build(name: str, **options) -> Exercise:
    """The exercise ``name`` (see :data:`EXERCISES`), e.g. ``build("retention", seed=2)``."""
    _load_concern_modules()
    if name not in EXERCISES:
        raise KeyError(f"no exercise {name!r}; known: {', '.join(EXERCISES)}")
    return EXERCISES[name](**options)


# ------------------------------------------------------------------------------------------ for builders
@lru_cache(maxsize=8)
def dataset(seed: int, as_of: dt.date) -> Dataset:
    """The small, messy synthetic CRM an exercise draws on (cached: its tables must not be changed)."""
    return generate(GeneratorConfig(contacts=CONTACTS, seed=seed, as_of=as_of, profile="messy"), workers=1)


T = TypeVar("T")


def pick(rng: np.random.Generator, yes: Sequence[T], no: Sequence[T], n: int, n_yes: int) -> list[T]:
    """Up to ``n`` of ``yes`` and ``no``: ``n_yes`` from ``yes`` (more when ``no`` runs short), the rest from
    ``no``, in the order drawn (``yes`` first)."""
    k_yes = min(len(yes), max(n_yes, n - len(no)))
    k_no = min(len(no), n - k_yes)
    return _sample(rng, yes, k_yes) + _sample(rng, no, k_no)


def _sample(rng: np.random.Generator, pool: Sequence[T], k: int) -> list[T]:
    return [pool[i] for i in rng.choice(len(pool), k, replace=False)] if k else []


def day(value: object) -> str:
    """A date as YYYY-MM-DD, a missing one as a dash."""
    return "—" if pd.isna(value) else pd.Timestamp(value).date().isoformat()
