"""Classification: special-category data held without an Art. 9(2) condition, criminal-offence data without an
Art. 10 authorisation; personal data undeclared."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from gdprlab.audit.discovery import special_terms
from gdprlab.audit.discovery.special_terms import CRIMINAL_PATTERN, PATTERN
from gdprlab.audit.discovery.textscan import scan_texts
from gdprlab.audit.evidence import Evidence
from gdprlab.audit.rules.base import (
    Tables,
    blank,
    count_rows,
    filled,
    in_python,
    key_in,
    key_of,
    names,
    record_ids,
    ropa_contacts,
    rule,
)
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
        a = t["activities"]
        return a.filter(reveals_special_category(t, a["note"]).fill_null(False)).select("contact_id", "note")
    return t.shared("revealing_notes", build)


def _special_extra(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    """Where the special-category data is held and which categories a note reveals (Art. 9(1): "health",
    "religion" …, or Art. 10 "criminal"): never the note's text, which would show the very data."""
    needs: Evidence = {"held_in": "accessibility_needs", "category": "health"}  # health (Art. 4(15))
    out: dict[str, Evidence] = {i: dict(needs) for i in rows.index}
    if "activities" in t:
        notes = revealing_notes(t)
        notes = t.fetch(notes.filter(key_in(notes["contact_id"], list(rows.index))))
        notes = notes.assign(contact_id=notes["contact_id"].astype(str)).reset_index(drop=True)
        found = scan_texts(notes["note"], kinds=("special",))
        categories = found.groupby("row", observed=True)["kind"].agg(lambda k: sorted(set(map(str, k))))
        for contact, group in notes.groupby("contact_id", sort=False):
            needs = pd.notna(rows.at[contact, "accessibility_needs"])
            kinds = sorted({k for row in group.index for k in categories.get(row, [])})
            out[contact] = {"held_in": "accessibility_needs, activity note" if needs else "activity note",
                            **({"category": "health"} if needs else {}),
                            "note_reveals": ", ".join(kinds) or "special-category term"}
    return out


@rule("special_category_without_condition", population=("contacts", count_rows("contacts")),
      evidence=("art9_condition",),  # the record id and the category, never the data or a name
      optional={"activities": "activity notes not searched"}, extra_evidence=_special_extra)
def special_category_without_condition(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Accessibility needs (health) or a note revealing special-category data, and no Art. 9(2) condition."""
    c = t["contacts"]
    held = filled(c["accessibility_needs"].cast("string"))
    if "activities" in t:
        held = held | c["contact_id"].isin(revealing_notes(t)["contact_id"]).fill_null(False)
    return record_ids(c, "contacts", held & blank(c["art9_condition"]))


AUTHORISATION = "art10_authorisation"


def reveals_criminal_offence(t: Tables, note: ir.StringValue) -> ir.BooleanValue:
    """A note containing an Art. 10 term (criminal_terms.yaml), any case: as reveals_special_category."""
    return _matches(t, note, CRIMINAL_PATTERN, special_terms.reveals_criminal_offence)


def criminal_notes(t: Tables) -> ir.Table:
    """(contact_id) of the contacts with an activity note revealing criminal-offence data, once per run."""
    def build() -> ir.Table:
        a = t["activities"]
        found = a.filter(reveals_criminal_offence(t, a["note"]).fill_null(False))
        return found.select("contact_id").distinct()
    return t.shared("criminal_notes", build)


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


@rule("undeclared_personal_data",
      population=("columns of contacts other than its key", lambda t: len(_contact_columns(t))),
      requires=("record_of_processing",))
def undeclared_personal_data(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Contact columns (all but the key) that the record of processing has no row for."""
    declared = set(ropa_contacts(t)["column_name"].dropna())
    return names(c for c in _contact_columns(t) if c not in declared)
