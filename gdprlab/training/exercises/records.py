"""Hands-on exercises for lessons 01-04, on a small synthetic CRM (pure logic plus a widget builder).

Each exercise is a list of items (notes, contacts, pseudonyms) and a question "tick the ones
that ...".  The answer comes from ground truth, never from the checks being taught:

* ``classification`` (lesson 01): activity notes written by :func:`gdprlab.generator.notes.compose_notes`
  with a chosen kind; a note reveals special-category data (Art. 9(1)) when its kind is one of
  :data:`gdprlab.generator.notes.SPECIAL_CATEGORIES`. Criminal-record notes are Art. 10 data, a distractor.
* ``newsletter`` (lesson 02): contacts of a generated dataset with their newsletter consent; one
  may be e-mailed the newsletter on the as-of day when a newsletter consent exists, is not
  withdrawn, and the generator did not plant ``invalid_consent_form``, ``consent_without_proof``
  or ``child_consent_without_authorisation`` on it, and the contact is not erased.
* ``retention`` (lesson 03): contacts the generator planted ``retention_exceeded`` on.
* ``pseudonyms`` (lesson 04): contacts the generator planted ``weak_pseudonymisation`` on (the
  pseudonym is the unsalted MD5/SHA-1/SHA-256 of the e-mail, so anyone can recompute it).

:func:`build` makes an exercise from a name and a seed (same seed, same exercise), :func:`check`
judges a set of ticked item keys, :func:`exercise_widget` / :func:`show_exercise` put it on screen.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
import pandas as pd

from gdprlab.crm import protect
from gdprlab.generator import GeneratorConfig, generate, notes

__all__ = [
    "AS_OF",
    "EXERCISES",
    "Exercise",
    "Feedback",
    "Item",
    "build",
    "check",
    "exercise_widget",
    "feedback_html",
    "hash_calculator",
    "show_exercise",
]

#: The "today" of every exercise, so results do not change with the calendar.
AS_OF = dt.date(2026, 6, 30)


@dataclass(frozen=True)
class Item:
    key: str  # stable id (contact id, note number)
    label: str  # what the learner sees next to the tick box
    expected: bool  # True: should be ticked
    reason: str  # why (shown after checking)


@dataclass(frozen=True)
class Exercise:
    name: str
    prompt: str
    items: tuple[Item, ...]

    @property
    def answer(self) -> frozenset[str]:
        return frozenset(i.key for i in self.items if i.expected)


@dataclass(frozen=True)
class Feedback:
    correct: bool
    right: int  # items judged correctly (ticked or not)
    total: int
    missed: tuple[str, ...]  # should have been ticked
    wrong: tuple[str, ...]  # ticked but should not have been
    message: str


@lru_cache(maxsize=8)
def _dataset(seed: int):
    return generate(GeneratorConfig(contacts=400, seed=seed, as_of=AS_OF, profile="messy"))


def _planted(ds, rule: str) -> set[str]:
    gt = ds.ground_truth
    return set(gt.loc[gt["rule_id"] == rule, "record_id"].astype(str))


def _mix(rng: np.random.Generator, yes: list, no: list, n: int, n_yes: int) -> list:
    n_yes = min(n_yes, len(yes))
    pick_yes = [yes[i] for i in rng.choice(len(yes), size=n_yes, replace=False)] if n_yes else []
    n_no = min(n - n_yes, len(no))
    pick_no = [no[i] for i in rng.choice(len(no), size=n_no, replace=False)] if n_no else []
    out = pick_yes + pick_no
    return [out[i] for i in rng.permutation(len(out))]


def _date(value) -> str:
    return "—" if pd.isna(value) else pd.Timestamp(value).date().isoformat()


# ------------------------------------------------------------------------------------------ lesson 01
#: How Art. 9(1) words each category of gdprlab.generator.notes.
ART9_WORDING = {
    "health": "data concerning health",
    "religion": "religious or philosophical beliefs",
    "ethnic_origin": "racial or ethnic origin",
    "political_opinion": "political opinions",
    "trade_union": "trade-union membership",
    "sex_life": "data concerning a natural person's sex life or sexual orientation",
    "genetic": "genetic data",
    "biometric": "biometric data for the purpose of uniquely identifying a natural person",
}


def build_classification(seed: int = 1, n: int = 8, language: str = "de") -> Exercise:
    """Activity notes, some revealing Art. 9(1) data, one possibly Art. 10 (criminal), the rest neutral."""
    rng = np.random.default_rng(seed)
    n_special = max(2, n * 3 // 8)
    kinds = (["neutral"] * (n - n_special - 1) + ["criminal"]
             + list(rng.choice(notes.SPECIAL_CATEGORIES, size=n_special)))
    kinds = [kinds[i] for i in rng.permutation(n)]
    ds = _dataset(seed)
    c = ds.tables["contacts"].sample(n, random_state=seed)
    colleagues = ds.tables["staff"]["name"].sample(n, replace=True, random_state=seed)
    text, spans = notes.compose_notes(
        np.array([language] * n), np.array(kinds, dtype=object), c["first_name"].to_numpy(),
        c["last_name"].to_numpy(), colleagues.to_numpy(), rng)
    items = []
    for row, (kind, note) in enumerate(zip(kinds, text, strict=True)):
        phrase = spans[(spans["row"] == row) & (spans["kind"] == kind)]["text"]
        quoted = f"“{phrase.iloc[0]}”" if len(phrase) else ""
        if kind in notes.SPECIAL_CATEGORIES:
            reason = f"Reveals {ART9_WORDING.get(kind, kind)}, a special category of Art. 9(1): {quoted}"
        elif kind == "criminal":
            reason = (f"Reveals criminal convictions or offences {quoted}: that is Art. 10 data, "
                      "not a special category of Art. 9(1), but it too needs a legal basis and care.")
        else:
            reason = "An ordinary business note (names are personal data, but not special-category data)."
        items.append(Item(f"note-{row + 1}", f"Note {row + 1}: {note}", kind in notes.SPECIAL_CATEGORIES,
                          reason))
    return Exercise("classification",
                    "Tick every note that reveals special-category data (Art. 9(1)).", tuple(items))


# ------------------------------------------------------------------------------------------ lesson 02
_CONSENT_FAULTS = {
    "invalid_consent_form": "the consent was collected {how}",
    "consent_without_proof": "the consent record lacks its date, source or wording, so it cannot be "
                             "demonstrated (Art. 7(1))",
    "child_consent_without_authorisation": "the contact was below the age of digital consent when "
                                           "consenting online, with no parental authorisation (Art. 8(1))",
}
_INVALID_HOW = {
    "pre_ticked_box": "with a pre-ticked box, which is not a clear affirmative action (Art. 4(11))",
    "bundled_with_terms": "bundled with the terms and conditions, not distinguishable from them and not "
                          "freely given (Art. 7(2), 7(4))",
}


def build_newsletter(seed: int = 1, n: int = 8) -> Exercise:
    """Contacts with their newsletter consent records: who may be sent the newsletter on AS_OF?"""
    rng = np.random.default_rng(seed)
    ds = _dataset(seed)
    contacts = ds.tables["contacts"].set_index("contact_id")
    k = ds.tables["consents"]
    news = k[k["purpose"] == "newsletter"]
    planted = {rule: _planted(ds, rule) for rule in _CONSENT_FAULTS}
    yes, no = [], []
    for contact_id, rows in news.groupby("contact_id"):
        if contact_id not in contacts.index:
            continue
        row = rows.sort_values("given_at").iloc[-1]
        how = _INVALID_HOW.get(str(row["method"]), f"by {row['method']} (not valid consent, Art. 4(11))")
        faults = [msg.format(how=how)
                  for rule, msg in _CONSENT_FAULTS.items() if row["consent_id"] in planted[rule]]
        withdrawn = pd.notna(row["withdrawn_at"]) and pd.Timestamp(row["withdrawn_at"]).date() <= AS_OF
        if withdrawn:
            faults.append("the consent was withdrawn, and withdrawal must be respected (Art. 7(3))")
        if contacts.at[contact_id, "status"] == "erased":
            faults.append("the contact has been erased")
        who = contacts.loc[contact_id]
        label = (f"{contact_id} ({who['first_name']}, {who['country']}): newsletter consent given "
                 f"{_date(row['given_at'])}, method {str(row['method']).replace('_', ' ')}, source "
                 f"{row['source'] if pd.notna(row['source']) else '—'}, wording "
                 f"{row['wording_version'] if pd.notna(row['wording_version']) else '—'}, withdrawn "
                 f"{_date(row['withdrawn_at'])}")
        if faults:
            no.append(Item(contact_id, label, False, "No: " + "; ".join(faults) + "."))
        else:
            yes.append(Item(contact_id, label, True,
                            "Yes: a valid, provable newsletter consent that has not been withdrawn "
                            "(Art. 6(1)(a), 7(1))."))
    faulty = [i for i in no if "withdrawn" in i.reason or "collected" in i.reason]
    rest = [i for i in no if i not in faulty]
    chosen = _mix(rng, yes, faulty, n - 2, n // 2 - 1) + _mix(rng, [], rest, 2, 0)
    chosen = [chosen[i] for i in rng.permutation(len(chosen))]
    return Exercise("newsletter", f"Today is {AS_OF.isoformat()}. Tick every contact who may be sent the "
                    "newsletter today on the basis of their consent.", tuple(chosen))


# ------------------------------------------------------------------------------------------ lesson 03
def build_retention(seed: int = 1, n: int = 8) -> Exercise:
    """Contacts with status and last activity: who is past the retention period of the policy?"""
    rng = np.random.default_rng(seed)
    ds = _dataset(seed)
    months = ds.policy.retention_months
    over = _planted(ds, "retention_exceeded")
    c = ds.tables["contacts"]
    c = c[c["status"].isin(list(months)) & c["last_activity_at"].notna()]
    yes, no = [], []
    for rec in c.itertuples(index=False):
        m, status = months[rec.status], rec.status.replace("_", " ")
        label = (f"{rec.contact_id}: {status}, last activity "
                 f"{_date(rec.last_activity_at)}")
        end = (pd.Timestamp(rec.last_activity_at).normalize() + pd.DateOffset(months=m)).date()
        if rec.contact_id in over:
            yes.append(Item(rec.contact_id, label, True,
                            f"Past retention: {m} months for a {status} ended about {end}; "
                            "erase or anonymise (Art. 5(1)(e))."))
        else:
            no.append(Item(rec.contact_id, label, False,
                           f"Within retention: {m} months for a {status} run until about {end}."))
    return Exercise("retention", f"Today is {AS_OF.isoformat()}. Retention policy: "
                    + ", ".join(f"{s.replace('_', ' ')} {m} months" for s, m in months.items())
                    + " after the last activity. Tick every contact kept longer than the policy allows.",
                    tuple(_mix(rng, yes, no, n, n * 3 // 8)))


# ------------------------------------------------------------------------------------------ lesson 04
def _hash_name(email: str, pseudonym: str) -> str | None:
    for algorithm in ("md5", "sha1", "sha256"):
        if protect.weak_pseudonym(email, algorithm) == str(pseudonym).strip().lower():
            return algorithm.upper().replace("SHA", "SHA-")
    return None


def build_pseudonyms(seed: int = 1, n: int = 8) -> Exercise:
    """E-mail and pseudonym pairs: which pseudonyms are unsalted hashes anyone can recompute?"""
    rng = np.random.default_rng(seed)
    ds = _dataset(seed)
    weak = _planted(ds, "weak_pseudonymisation")
    c = ds.tables["contacts"]
    c = c[c["email"].notna() & c["pseudonym"].notna()]
    yes, no = [], []
    for rec in c.itertuples(index=False):
        label = f"{rec.contact_id}: e-mail {rec.email} → pseudonym {rec.pseudonym}"
        if rec.contact_id in weak:
            algo = _hash_name(rec.email, rec.pseudonym) or "a known hash"
            yes.append(Item(rec.contact_id, label, True,
                            f"Reversible: it is the unsalted {algo} of the e-mail; anyone with a list of "
                            "e-mail addresses can recompute it, so it is not pseudonymisation (Art. 4(5))."))
        else:
            no.append(Item(rec.contact_id, label, False,
                           "Not derivable from the e-mail: a random value whose link to the person is "
                           "kept separately (Art. 4(5))."))
    return Exercise("pseudonyms", "Tick every pseudonym that is just a hash of the e-mail address "
                    "(so anyone can recompute it and link it back to the person).",
                    tuple(_mix(rng, yes, no, n, n * 3 // 8)))


EXERCISES = {
    "classification": build_classification,
    "newsletter": build_newsletter,
    "retention": build_retention,
    "pseudonyms": build_pseudonyms,
}


def build(name: str, seed: int = 1, **options) -> Exercise:
    """The exercise ``name`` (see :data:`EXERCISES`) made from ``seed``."""
    if name not in EXERCISES:
        raise KeyError(f"no exercise {name!r}; known: {', '.join(EXERCISES)}")
    return EXERCISES[name](seed, **options)


def check(exercise: Exercise, ticked: Iterable[str]) -> Feedback:
    """Judge the ticked item keys against the exercise's answer."""
    ticked = set(ticked)
    keys = {i.key for i in exercise.items}
    unknown = ticked - keys
    if unknown:
        raise ValueError(f"not items of this exercise: {', '.join(sorted(unknown))}")
    missed = tuple(i.key for i in exercise.items if i.expected and i.key not in ticked)
    wrong = tuple(i.key for i in exercise.items if not i.expected and i.key in ticked)
    right = len(exercise.items) - len(missed) - len(wrong)
    if not missed and not wrong:
        message = f"All {right} right. Well done!"
    else:
        message = (f"{right} of {len(exercise.items)} right: {len(missed)} should have been ticked, "
                   f"{len(wrong)} should not have been. See the explanations below and try again.")
    return Feedback(not missed and not wrong, right, len(exercise.items), missed, wrong, message)


def feedback_html(exercise: Exercise, feedback: Feedback) -> str:
    """The feedback as HTML: the message, then every item with ✔/✘ and its reason."""
    bad = set(feedback.missed) | set(feedback.wrong)
    rows = "".join(
        f"<li>{'✘' if i.key in bad else '✔'} <b>{html.escape(i.key)}</b>: {html.escape(i.reason)}</li>"
        for i in exercise.items)
    return f"<p><b>{html.escape(feedback.message)}</b></p><ul>{rows}</ul>"


def exercise_widget(exercise: Exercise) -> widgets.VBox:
    """Tick boxes (one per item), a Check button and the feedback area, in keyboard order."""
    # A short tick-box label ("Note 3", "C0000042") and the full text beside it: widget labels do not wrap.
    boxes, rows = [], []
    for item in exercise.items:
        short, _, rest = item.label.partition(": ")
        box = widgets.Checkbox(value=False, description=short, indent=False, tooltip=item.label,
                               layout=widgets.Layout(width="auto", flex="0 0 auto", margin="0 1em 0 0"))
        boxes.append(box)
        text = f"<span style='overflow-wrap: anywhere'>{html.escape(rest)}</span>"
        rows.append(widgets.HBox([box, widgets.HTML(text)]))
    button = widgets.Button(description="Check my answer", button_style="primary", icon="check")
    out = widgets.HTML()

    def on_click(_button=None) -> None:
        ticked = [i.key for i, box in zip(exercise.items, boxes, strict=True) if box.value]
        out.value = feedback_html(exercise, check(exercise, ticked))

    button.on_click(on_click)
    box = widgets.VBox([widgets.HTML(f"<p><b>{html.escape(exercise.prompt)}</b></p>"), *rows, button, out])
    box.exercise, box.boxes, box.button, box.output = exercise, boxes, button, out
    return box


def show_exercise(name: str, seed: int = 1, **options) -> widgets.VBox:
    """Display the exercise ``name`` and return its widget."""
    from IPython.display import display

    box = exercise_widget(build(name, seed, **options))
    display(box)
    return box


def hash_calculator() -> widgets.VBox:
    """Type an e-mail address, see its unsalted MD5, SHA-1 and SHA-256 (what an attacker would compute)."""
    from IPython.display import display

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
