"""Classification: special-category data held without an Art. 9(2) condition, criminal-offence data without an
Art. 10 authorisation; personal data undeclared."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from gdprlab.audit.discovery import special_terms
from gdprlab.audit.discovery.classify import classify_fields
from gdprlab.audit.discovery.special_terms import CATEGORY_PATTERNS, CRIMINAL_PATTERN, PATTERN
from gdprlab.audit.discovery.textscan import scan_texts
from gdprlab.audit.evidence import Evidence
from gdprlab.audit.rules.base import (
    WHITESPACE,
    Tables,
    blank,
    blank_values,
    char_class,
    count_rows,
    filled,
    in_python,
    key_in,
    key_of,
    lower,
    names,
    reads,
    record_ids,
    ropa_contacts,
    rule,
)
from gdprlab.audit.rules.notes import candidate_notes
from gdprlab.regulation.policy import Policy


def reveals_special_category(t: Tables, note: ir.StringValue) -> ir.BooleanValue:
    """A note containing a special-category term (gdprlab.audit.discovery.special_terms), any case.

    The terms are an RE2 pattern: DuckDB matches it itself. Other engines' regular expressions read it
    otherwise (Java's (?i) folds ASCII only, its $ also matches before a final line break, its \\s takes
    \\v), so there the notes are matched by special_terms itself, in Python.
    """
    return _matches(t, note, PATTERN, special_terms.reveals_special_category)


def _matches(t: Tables, note: ir.StringValue, pattern: str, in_text: Any) -> ir.BooleanValue:
    """Whether the note holds a term of `pattern`, any case: by RE2 on DuckDB, else by `in_text` in Python."""
    if t.backend_name == "duckdb":
        return note.re_search("(?i)" + pattern)
    return in_python(t, in_text, note, output="boolean")


def revealing_notes(t: Tables) -> ir.Table:
    """(contact_id, note) of the activities whose note reveals special-category data, once per run."""
    def build() -> ir.Table:
        a = candidate_notes(t)
        return a.filter(reveals_special_category(t, a["note"]).fill_null(False)).select("contact_id", "note")
    return t.shared("revealing_notes", build)


#: the column naming the Art. 9(1) categories the recorded condition covers (optional: older exports lack it)
CATEGORIES_COVERED = "art9_categories"
#: the category a condition recorded without categories covers: health, the accessibility needs the
#: condition column was kept for (gdprlab.crm.schema)
UNCATEGORISED = "health"
_LISTED_APART = char_class([*WHITESPACE, ",", ";"])  # what separates the categories named


def note_categories(t: Tables) -> ir.Table:
    """(contact_id, one boolean column per Art. 9(1) category: a note about the contact reveals it), once
    per run; only the contacts with a revealing note have a row.

    DuckDB matches each category's RE2 pattern; other engines get the categories in Python
    (special_terms.revealed_categories), on the few revealing notes only.
    """
    def build() -> ir.Table:
        notes = revealing_notes(t)
        if t.backend_name == "duckdb":
            flags = {c: notes["note"].re_search("(?i)" + p) for c, p in CATEGORY_PATTERNS.items()}
        else:
            found = in_python(t, special_terms.revealed_categories, notes["note"], output="string")
            flags = {c: (";" + found + ";").contains(f";{c};") for c in CATEGORY_PATTERNS}
        notes = notes.mutate(**{f"_reveals_{c}": f.fill_null(False) for c, f in flags.items()})
        return notes.group_by("contact_id").aggregate(
            **{f"reveals_{c}": notes[f"_reveals_{c}"].any() for c in CATEGORY_PATTERNS})
    return t.shared("note_categories", build)


def covers(t: Tables, c: ir.Table, category: str) -> ir.BooleanValue:
    """Whether the contact's recorded Art. 9(2) condition covers `category`: a condition is recorded and
    art9_categories names the category (any case, names apart by whitespace, ',' or ';'), or names none
    (empty, or no such column) and the category is health."""
    condition = filled(c["art9_condition"].cast("string"))
    uncategorised = ibis.literal(category == UNCATEGORISED)
    if CATEGORIES_COVERED not in c.columns:
        return condition & uncategorised
    listed = c[CATEGORIES_COVERED].cast("string")
    named = (";" + lower(t, listed).re_replace(_LISTED_APART, ";") + ";").contains(f";{category};")
    return condition & ibis.ifelse(blank(listed), uncategorised, named.fill_null(False))


def _named(listed: Any) -> list[str]:
    """The categories an art9_categories value names (as covers() reads it): health when it names none."""
    words = re.split(r"[\s,;]+", str(listed).lower()) if pd.notna(listed) else []
    return sorted({w for w in words if w}) or [UNCATEGORISED]


@reads(CATEGORIES_COVERED, "art9_condition", "accessibility_needs")
def _special_extra(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    """Where the special-category data is held, which categories a note reveals (Art. 9(1): "health",
    "religion" …) and which the recorded condition covers: never the note's text, which would show the very
    data, nor a name."""
    listed = rows[CATEGORIES_COVERED] if CATEGORIES_COVERED in rows else pd.Series(None, index=rows.index)
    recorded = ~blank_values(rows["art9_condition"])
    out: dict[str, Evidence] = {}
    for i, named, condition in zip(rows.index, listed.map(_named), recorded, strict=True):
        out[i] = {"held_in": "accessibility_needs", "category": "health",  # health (Art. 4(15))
                  "condition_covers": ", ".join(named) if condition else "nothing: no condition recorded"}
    if "activities" in t:
        notes = revealing_notes(t)
        notes = t.fetch(notes.filter(key_in(notes["contact_id"], list(rows.index))))
        notes = notes.assign(contact_id=notes["contact_id"].astype(str)).reset_index(drop=True)
        found = scan_texts(notes["note"], kinds=("special",))
        categories = found.groupby("row", observed=True)["kind"].agg(lambda k: sorted(set(map(str, k))))
        for contact, group in notes.groupby("contact_id", sort=False):
            needs = pd.notna(rows.at[contact, "accessibility_needs"])
            kinds = sorted({k for row in group.index for k in categories.get(row, [])})
            covers = out[contact]["condition_covers"]
            out[contact] = {"held_in": "accessibility_needs, activity note" if needs else "activity note",
                            **({"category": "health"} if needs else {}),
                            "note_reveals": ", ".join(kinds) or "special-category term",
                            "condition_covers": covers}
    return out


@rule("special_category_without_condition", population=("contacts", count_rows("contacts")),
      evidence=("art9_condition",),  # the record id and the categories, never the data or a name
      optional={"activities": "activity notes not searched"},
      optional_columns={CATEGORIES_COVERED: f"no contacts.{CATEGORIES_COVERED} column: a recorded Art. 9(2) "
                                            "condition is taken to cover health data only (the accessibility "
                                            "needs); a note revealing another category is a finding"},
      extra_evidence=_special_extra)
def special_category_without_condition(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Accessibility needs (health), or a note revealing data of an Art. 9(1) category, without an Art. 9(2)
    condition recorded for that category (covers)."""
    c = t["contacts"]
    if "activities" in t:
        revealed = note_categories(t).rename(_revealed_id="contact_id")
        c = c.left_join(revealed, c["contact_id"] == revealed["_revealed_id"])
    bad = filled(c["accessibility_needs"].cast("string")) & ~covers(t, c, "health")
    for category in CATEGORY_PATTERNS if "activities" in t else ():
        bad = bad | (c[f"reveals_{category}"].fill_null(False) & ~covers(t, c, category))
    return record_ids(c, "contacts", bad)


AUTHORISATION = "art10_authorisation"


def reveals_criminal_offence(t: Tables, note: ir.StringValue) -> ir.BooleanValue:
    """A note containing an Art. 10 term (criminal_terms.yaml), any case: as reveals_special_category."""
    return _matches(t, note, CRIMINAL_PATTERN, special_terms.reveals_criminal_offence)


def criminal_notes(t: Tables) -> ir.Table:
    """(contact_id) of the contacts with an activity note revealing criminal-offence data, once per run."""
    def build() -> ir.Table:
        a = candidate_notes(t)
        found = a.filter(reveals_criminal_offence(t, a["note"]).fill_null(False))
        return found.select("contact_id").distinct()
    return t.shared("criminal_notes", build)


@reads()
def _criminal_extra(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    """Where the data is held and what it is about: never the note's text, which would show the very data."""
    return {i: {"held_in": "activity note", "note_reveals": "criminal"} for i in rows.index}


@rule("criminal_data_without_authorisation", population=("contacts", count_rows("contacts")),
      evidence=(AUTHORISATION,), requires=("activities",),  # the record id and the category only
      optional_columns={AUTHORISATION: f"no contacts.{AUTHORISATION} column: no authorisation is recorded, "
                                       "so every contact with such a note is a finding"},
      extra_evidence=_criminal_extra)
def criminal_data_without_authorisation(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Contacts with an activity note revealing criminal-offence data and no Art. 10 authorisation recorded
    (an export without the column records none)."""
    c = t["contacts"]
    held = c["contact_id"].isin(criminal_notes(t)["contact_id"]).fill_null(False)
    if AUTHORISATION in c.columns:
        held = held & blank(c[AUTHORISATION].cast("string"))
    return record_ids(c, "contacts", held)


def _contact_columns(t: Tables) -> list[str]:
    return [c for c in t.columns("contacts") if c != key_of("contacts")]


#: what the classifier calls a column it does not recognise: no category a record could declare
UNKNOWN_CATEGORIES = ("attribute",)


def _category(text: object) -> str | None:
    """A category as the record writes it, compared without case or surrounding blanks; None when blank."""
    return (text.strip().casefold() or None) if isinstance(text, str) else None


@rule("undeclared_personal_data",
      population=("columns of contacts other than its key", lambda t: len(_contact_columns(t))),
      requires=("record_of_processing",))
def undeclared_personal_data(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Contact columns (all but the key) whose category of personal data the record of processing does not
    declare for contacts (Art. 30(1)(c) asks for categories, not for every column).

    A column's category is the one the record gives its row, else the one its header reads as (the
    classifier of `gdprlab scan`, in the record's terms); a header read as nothing known has no category,
    which no declaration can cover.
    """
    ropa = ropa_contacts(t)
    given = {name: _category(category) for name, category in zip(ropa["column_name"], ropa["category"],
                                                                 strict=True) if isinstance(name, str)}
    declared = {category for category in given.values() if category}
    columns = _contact_columns(t)
    read = {c.column: c.record_category for c in classify_fields(pd.DataFrame({"name": columns}), "contacts")
            if c.category not in UNKNOWN_CATEGORIES}
    return names(c for c in columns if (given.get(c) or read.get(c)) not in declared)
