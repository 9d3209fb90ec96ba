"""Minimisation rules on tiny hand-made tables: purpose, retention, accuracy.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import table
from rule_cases import found, ropa

from gdprlab.regulation.policy import Policy


def test_field_without_purpose_is_a_listed_contact_column_with_an_empty_purpose():
    contacts = table("contacts", {"contact_id": "C1", "hobbies": "golf", "marital_status": "single"})
    record = ropa(
        {"column_name": "hobbies", "purpose": None},
        {"column_name": "marital_status", "purpose": "   "},  # whitespace is no purpose either
        {"column_name": "email"},
        {"column_name": "shoe_size", "purpose": None},  # not a column of contacts
        {"table_name": "staff", "column_name": "name", "purpose": None},  # another table
    )
    found_ids = found("field_without_purpose", contacts=contacts, record_of_processing=record)
    assert found_ids == ["hobbies", "marital_status"]


def test_retention_is_calendar_months_per_status_from_the_last_activity():
    contacts = table(
        "contacts",
        {"contact_id": "C1", "status": "lead", "last_activity_at": "2024-06-29T23:00:00Z"},  # ended 29 June
        {"contact_id": "C2", "status": "lead", "last_activity_at": "2024-06-30T08:00:00Z"},  # ends on as-of
        {"contact_id": "C3", "status": "customer", "last_activity_at": "2024-06-29T23:00:00Z"},  # 36 months
        {"contact_id": "C4", "status": "erased", "last_activity_at": "2010-01-01T00:00:00Z"},
    )
    assert found("retention_exceeded", contacts=contacts) == ["C1"]
    short = Policy(retention_months={"lead": 24, "customer": 12})
    assert found("retention_exceeded", short, contacts=contacts) == ["C1", "C3"]


def test_inaccurate_data_is_an_invalid_email_or_phone_or_a_later_duplicate():
    person = {"first_name": "Anna", "last_name": "Müller", "birth_date": "1980-05-01", "country": "DE",
              "phone": "+4915112345678", "status": "lead"}
    contacts = table(
        "contacts",
        {**person, "contact_id": "C1", "email": "anna@web.de", "created_at": "2024-01-01T00:00:00Z"},
        {**person, "contact_id": "C2", "email": "anna.de", "first_name": "Bea"},  # no @
        {**person, "contact_id": "C3", "email": "bo@web.de", "first_name": "Bo", "phone": "+4912345"},
        {**person, "contact_id": "C4", "email": "anna2@gmail.com", "first_name": "ANNA",
         "created_at": "2025-01-01T00:00:00Z"},  # re-registration of C1
        {**person, "contact_id": "C5", "email": "cy@web.de", "first_name": "Cy", "phone": "0151 12345678"},
        {**person, "contact_id": "C6", "email": None, "phone": None, "first_name": "Di"},  # absent, not wrong
        {**person, "contact_id": "C7", "email": "x@@web.de", "first_name": "Ed", "status": "erased"},
    )
    assert found("inaccurate_data", contacts=contacts) == ["C2", "C3", "C4"]


@pytest.mark.parametrize("email", ["anna", "anna@@web.de", "anna@web", "an na@web.de", "anna@web..de"])
def test_inaccurate_email_forms(email):
    contacts = table("contacts", {"contact_id": "C1", "email": email, "status": "lead"})
    assert found("inaccurate_data", contacts=contacts) == ["C1"]


def test_duplicates_compare_names_by_casefolding():
    names = [("Jörg", "Strauß"), ("JÖRG", "STRAUSS"), ("Jorg", "Strauss"), (None, "Strauß")]
    contacts = table("contacts", *({"contact_id": f"C{i}", "first_name": first, "last_name": last,
                                    "birth_date": "1980-05-01", "created_at": f"2024-01-0{i}T00:00:00Z",
                                    "email": f"c{i}@web.de", "status": "lead"}
                                   for i, (first, last) in enumerate(names, 1)))
    assert found("inaccurate_data", contacts=contacts) == ["C2"]


def test_a_duplicate_without_a_creation_time_is_neither_earliest_nor_later():
    twin = {"first_name": "Ana", "last_name": "Sousa", "birth_date": "1990-02-03", "status": "lead"}
    rows = [("C1", None), ("C2", "2024-03-01T00:00:00Z"), ("C3", "2024-01-01T00:00:00Z"), ("C4", None)]
    contacts = table("contacts", *({**twin, "contact_id": i, "created_at": at, "email": f"{i}@web.de"}
                                   for i, at in rows),
                     *({**twin, "first_name": "Rui", "contact_id": f"D{i}", "created_at": None}
                       for i in (1, 2)))
    assert found("inaccurate_data", contacts=contacts) == ["C2"]


def test_later_duplicates_agree_with_a_plain_groupby_on_many_contacts():
    """Names and birth dates drawn from few values, so that groups of every size occur."""
    rng = np.random.default_rng(5)
    n = 5000
    first, last = rng.choice(["Anna", "ANNA", "Ben", None], n), rng.choice(["Kowalski", "Nowak", "Łoś"], n)
    birth = rng.choice(pd.date_range("1970-01-01", periods=400, freq="D").strftime("%Y-%m-%d"), n)
    created = pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 100_000, n), unit="min")
    rows = zip(first, last, birth, created, strict=True)
    contacts = table("contacts", *({"contact_id": f"C{i:05d}", "first_name": f, "last_name": la,
                                    "birth_date": b, "created_at": t.isoformat(), "email": None,
                                    "phone": None} for i, (f, la, b, t) in enumerate(rows)))
    frame = pd.DataFrame({"id": contacts["contact_id"], "first": contacts["first_name"].str.casefold(),
                          "last": contacts["last_name"].str.casefold(), "birth": birth, "created": created})
    earliest = frame.groupby(["first", "last", "birth"])["created"].transform("min")
    want = sorted(frame.loc[frame["first"].notna() & (frame["created"] > earliest), "id"])
    assert len(want) > 100
    assert found("inaccurate_data", contacts=contacts) == want
