"""Classification rules on tiny hand-made tables: one record violates, its near miss does not.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

import numpy as np
import pandas as pd
from helpers import table
from rule_cases import AS_OF, POLICY, found, ropa

from gdprlab.audit.engine import run_checks
from gdprlab.crm import protect
from gdprlab.crm.schema import TABLES


def test_special_category_needs_an_art9_condition():
    contacts = table(
        "contacts",
        {"contact_id": "C1", "accessibility_needs": "wheelchair user"},  # health data, no condition
        {"contact_id": "C2", "accessibility_needs": "wheelchair user", "art9_condition": "9(2)(a)"},
        {"contact_id": "C3"},  # revealed in a note
        {"contact_id": "C4"},  # only neutral notes
        {"contact_id": "C5", "art9_condition": "9(2)(a)"},  # revealed in a note, with a condition
    )
    activities = table(
        "activities",
        {"activity_id": "E1", "contact_id": "C3", "note": "Keine Termine donnerstags: Anna hat Diabetes."},
        {"activity_id": "E2", "contact_id": "C4", "note": "Angebot für SmartOffice Pro geschickt."},
        {"activity_id": "E3", "contact_id": "C5", "note": "Anna est en arrêt maladie pour burn-out."},
        type="note",
    )
    found_ids = found("special_category_without_condition", contacts=contacts, activities=activities)
    assert found_ids == ["C1", "C3"]


def test_special_category_counts_an_encrypted_value_as_held():
    token = protect.encrypt(["wheelchair user"], protect.synthetic_key(0), np.random.default_rng(0))[0]
    contacts = table("contacts", {"contact_id": "C1", "accessibility_needs": token})
    assert found("special_category_without_condition", contacts=contacts) == ["C1"]


SPECIAL = "special_category_without_condition"
UNION = "Anna sitzt im Betriebsrat und ist bei ver.di."
PARTY = "Anna ist seit Jahren CDU-Mitglied."
DIABETES = "Anna hat Diabetes, Meetings nicht über Mittag."


def _notes(*notes: str):
    """One note a contact: the i-th (from 1) about C<i>."""
    return table("activities", *({"activity_id": f"E{i}", "contact_id": f"C{i}", "note": note}
                                 for i, note in enumerate(notes, start=1)), type="note")


def test_a_condition_recorded_for_health_does_not_cover_a_note_revealing_union_membership_or_politics():
    contacts = table(
        "contacts",
        *({"contact_id": f"C{i}", "accessibility_needs": "wheelchair user", "art9_condition": "9(2)(a)",
           "art9_categories": "health"} for i in (1, 2, 3)),
    )
    assert found(SPECIAL, contacts=contacts, activities=_notes(UNION, PARTY, DIABETES)) == ["C1", "C2"]


def test_a_condition_covers_the_categories_it_names_in_any_case_and_with_any_separator():
    contacts = table(
        "contacts",
        {"contact_id": "C1", "art9_condition": "9(2)(a)", "art9_categories": "Trade_Union"},
        {"contact_id": "C2", "art9_condition": "9(2)(e)", "art9_categories": "health,political_opinion"},
        {"contact_id": "C3", "art9_condition": "9(2)(a)", "art9_categories": "trade_union;\u3000religion"},
        {"contact_id": "C4", "art9_condition": "9(2)(a)", "art9_categories": "trade union"},  # not a category
        {"contact_id": "C5", "art9_condition": " ", "art9_categories": "trade_union"},  # no condition
        {"contact_id": "C6", "art9_condition": "9(2)(a)", "art9_categories": "trade_unionist"},  # other
    )
    notes = _notes(UNION, PARTY, DIABETES, UNION, UNION, UNION)
    assert found(SPECIAL, contacts=contacts, activities=notes) == ["C3", "C4", "C5", "C6"]


def test_accessibility_needs_are_health_data_which_a_condition_for_other_categories_does_not_cover():
    contacts = table(
        "contacts",
        {"contact_id": "C1", "accessibility_needs": "wheelchair user", "art9_condition": "9(2)(a)",
         "art9_categories": "trade_union"},
        {"contact_id": "C2", "accessibility_needs": "wheelchair user", "art9_condition": "9(2)(a)",
         "art9_categories": "trade_union HEALTH"},
    )
    assert found(SPECIAL, contacts=contacts) == ["C1"]


def test_a_condition_recorded_without_categories_covers_health_only():
    contacts = table(
        "contacts",
        *({"contact_id": f"C{i}", "accessibility_needs": "wheelchair user", "art9_condition": "9(2)(a)",
           "art9_categories": "\t"} for i in (1, 2, 3)),
    )
    assert found(SPECIAL, contacts=contacts, activities=_notes(UNION, PARTY, DIABETES)) == ["C1", "C2"]


def test_an_export_without_the_categories_column_reads_every_condition_as_covering_health_with_a_caveat():
    contacts = table(
        "contacts",
        *({"contact_id": f"C{i}", "accessibility_needs": "wheelchair user", "art9_condition": "9(2)(a)"}
          for i in (1, 2, 3)),
    ).drop(columns=["art9_categories"])
    assert found(SPECIAL, contacts=contacts, activities=_notes(UNION, PARTY, DIABETES)) == ["C1", "C2"]
    result = run_checks({"contacts": contacts, "activities": _notes(UNION, PARTY, DIABETES)}, POLICY, AS_OF,
                        rules=[SPECIAL]).result(SPECIAL)
    assert result.caveats == ("no contacts.art9_categories column: a recorded Art. 9(2) condition is taken "
                              "to cover health data only (the accessibility needs); a note revealing another "
                              "category is a finding",)


def test_special_category_evidence_names_the_categories_revealed_and_covered_never_the_note():
    contacts = table("contacts", {"contact_id": "C1", "first_name": "Anna", "last_name": "Braun",
                                  "accessibility_needs": "wheelchair user", "art9_condition": "9(2)(a)",
                                  "art9_categories": "health"})
    result = run_checks({"contacts": contacts, "activities": _notes(UNION)}, POLICY, AS_OF,
                        rules=[SPECIAL]).result(SPECIAL)
    (evidence,) = result.evidence
    assert evidence["note_reveals"] == "trade_union" and evidence["condition_covers"] == "health"
    assert evidence["held_in"] == "accessibility_needs, activity note"
    shown = " ".join(str(v) for v in evidence.values())
    assert "Betriebsrat" not in shown and "ver.di" not in shown and "wheelchair" not in shown


RULE = "criminal_data_without_authorisation"


def _criminal_notes():
    return table(
        "activities",
        {"activity_id": "E1", "contact_id": "C1", "note": "Achtung: Herr Braun ist vorbestraft (Betrug)."},
        {"activity_id": "E2", "contact_id": "C2", "note": "A un casier judiciaire, condamné en 2019."},
        {"activity_id": "E3", "contact_id": "C3", "note": "Angebot für SmartOffice Pro geschickt."},
        {"activity_id": "E4", "contact_id": "C4", "note": "Keine Termine donnerstags: hat Diabetes."},
        {"activity_id": "E5", "contact_id": "C5", "note": "Der Vertrag ist unterschrieben."},
        type="note",
    )


def test_criminal_offence_data_needs_a_recorded_art10_authorisation():
    contacts = table(
        "contacts",
        {"contact_id": "C1", "art10_authorisation": " "},  # a conviction in a note, blank authorisation
        {"contact_id": "C2", "art10_authorisation": "§ 4 Abs. 2 Bewachungsverordnung"},  # authorised: lawful
        {"contact_id": "C3"},  # a neutral note
        {"contact_id": "C4"},  # health data (Art. 9), not criminal-offence data
        {"contact_id": "C5"},  # "unterschrieben" holds no term at a word start
    )
    assert found("criminal_data_without_authorisation", contacts=contacts,
                 activities=_criminal_notes()) == ["C1"]


def test_criminal_offence_data_without_an_authorisation_column_is_a_finding_with_a_caveat():
    contacts = table("contacts", *({"contact_id": f"C{i}"} for i in range(1, 6))).drop(
        columns=["art10_authorisation"])  # an export that records no authorisation at all
    assert found("criminal_data_without_authorisation", contacts=contacts,
                 activities=_criminal_notes()) == ["C1", "C2"]
    result = run_checks({"contacts": contacts, "activities": _criminal_notes()}, POLICY, AS_OF,
                        rules=[RULE]).result(RULE)
    assert result.caveats == ("no contacts.art10_authorisation column: no authorisation is recorded, so "
                              "every contact with such a note is a finding",)


def test_criminal_offence_evidence_names_the_category_never_the_note():
    contacts = table("contacts", {"contact_id": "C1", "first_name": "Jan", "last_name": "Braun"})
    result = run_checks({"contacts": contacts, "activities": _criminal_notes()}, POLICY, AS_OF,
                        rules=[RULE]).result(RULE)
    (evidence,) = result.evidence
    assert evidence["note_reveals"] == "criminal" and evidence["held_in"] == "activity note"
    shown = " ".join(str(v) for v in evidence.values())
    assert "vorbestraft" not in shown and "Betrug" not in shown and "Braun" not in shown


def test_undeclared_personal_data_is_a_contact_column_missing_from_the_record():
    contacts = table("contacts", {"contact_id": "C1", "email": "a@b.de", "nationality": "German"})
    declared = ropa(*({"column_name": c, "category": TABLES["contacts"].column(c).category}
                      for c in TABLES["contacts"].column_names if c != "contact_id"))
    undeclared = found("undeclared_personal_data", contacts=contacts, record_of_processing=declared)
    assert undeclared == ["nationality"]
    partial = ropa({"column_name": "email", "category": "email"}, {"column_name": "nationality",
                                                                   "category": "nationality"})
    missing = found("undeclared_personal_data", contacts=contacts, record_of_processing=partial)
    assert "contact_id" not in missing and "email" not in missing and "first_name" in missing


def test_a_column_is_declared_when_its_category_of_personal_data_is():
    """Art. 30(1)(c) asks for the categories of personal data, not for every column: a private mobile number
    is a phone number and a profile address an online identifier, categories the record declares; a
    nationality is a category it does not, and a header read as nothing known has no category to declare."""
    contacts = table("contacts", {"contact_id": "C1", "private_mobile": "+49 30 1234567",
                                  "linkedin_url": "https://www.linkedin.com/in/x", "nationality": "German",
                                  "favourite_colour": "blue"})
    record = ropa(*({"column_name": c, "category": TABLES["contacts"].column(c).category}
                    for c in TABLES["contacts"].column_names if c != "contact_id"))
    assert found("undeclared_personal_data", contacts=contacts, record_of_processing=record) == [
        "favourite_colour", "nationality"]


def test_the_record_declares_a_category_for_contacts_in_its_own_words_or_by_the_columns_row():
    """A row for the column gives its category (any wording); categories are compared without case or
    surrounding blanks; a category declared for staff does not declare it for contacts; a row without a
    category leaves the column to what its header reads as."""
    contacts = table("contacts", {"contact_id": "C1", "email": "a@b.de", "hobby_notes": "golf",
                                  "nationality": "German", "signup_ip": "198.51.100.7"})
    record = pd.concat([
        ropa({"column_name": "work_email", "category": " Email "},
             {"column_name": "hobby_notes", "category": "leisure interests"},
             {"column_name": "signup_ip", "category": None}),
        table("record_of_processing", {"table_name": "staff", "column_name": "citizenship",
                                       "category": "nationality"}),
    ], ignore_index=True)
    found_ids = found("undeclared_personal_data", contacts=contacts[["contact_id", "email", "hobby_notes",
                                                                     "nationality", "signup_ip"]],
                      record_of_processing=record)
    assert found_ids == ["nationality", "signup_ip"]
