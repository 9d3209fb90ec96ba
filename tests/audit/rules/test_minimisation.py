"""Minimisation rules on tiny hand-made tables: purpose, retention, accuracy.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import table
from rule_cases import AS_OF, POLICY, found, ropa

from gdprlab.audit.engine import run_checks
from gdprlab.audit.validate import phone_assessable
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


def _lead(contact_id: str, **kw) -> dict:
    return {"contact_id": contact_id, "status": "lead", "created_at": "2020-01-01T00:00:00Z",
            "last_activity_at": "2026-06-01T00:00:00Z", **kw}


def _did(contact_id: str, kind: str, at: str, n: int = 1) -> dict:
    return {"activity_id": f"{contact_id}-{kind}-{n}", "contact_id": contact_id, "type": kind,
            "occurred_at": at}


OLD, RECENT = "2024-06-29T12:00:00Z", "2026-06-01T00:00:00Z"  # 24 months ended on 29 June 2026, or not yet


KINDS = ("call", "meeting", "email", "purchase", "form_submission", "marketing_email", "note")


def test_retention_runs_from_the_last_interaction_not_from_marketing_sends_or_notes():
    contacts = table("contacts", *(_lead(f"C-{kind}") for kind in KINDS))
    activities = table("activities", *(_did(f"C-{kind}", "call", OLD) for kind in KINDS),
                       *(_did(f"C-{kind}", kind, RECENT, 2) for kind in KINDS))
    assert found("retention_exceeded", contacts=contacts, activities=activities) == [
        "C-marketing_email", "C-note"]


def test_a_contact_without_interactions_is_kept_from_its_creation():
    contacts = table("contacts", _lead("C-old", created_at="2024-06-29T00:00:00Z"),
                     _lead("C-new", created_at="2024-06-30T00:00:00Z"))
    activities = table("activities", _did("C-old", "marketing_email", RECENT), _did("C-new", "note", RECENT))
    assert found("retention_exceeded", contacts=contacts, activities=activities) == ["C-old"]


def test_retention_runs_from_the_end_of_the_contract_when_it_is_later():
    ends = {"C-ended-late": "2024-06-30", "C-ended-early": "2023-01-01", "C-no-end": None}
    contacts = table("contacts", *(_lead(i, status="former_customer", contract_ended_on=end)
                                   for i, end in ends.items()))
    activities = table("activities", *(_did(i, "call", OLD) for i in ends))
    two_years = Policy(retention_months={"former_customer": 24})
    assert found("retention_exceeded", two_years, contacts=contacts, activities=activities) == [
        "C-ended-early", "C-no-end"]


def test_a_contact_kept_under_an_art_17_3_hold_in_force_is_not_past_retention():
    hold = {"retention_ground": "17(3)(e) legal claims"}
    contacts = table("contacts", _lead("C-held", **hold, retention_until="2026-06-30"),
                     _lead("C-ended", **hold, retention_until="2026-06-29"),
                     _lead("C-no-ground", retention_until="2030-01-01"))
    activities = table("activities", *(_did(i, "call", OLD) for i in contacts["contact_id"]))
    assert found("retention_exceeded", contacts=contacts, activities=activities) == ["C-ended", "C-no-ground"]


def test_without_activities_retention_runs_from_the_last_activity_and_says_so():
    contacts = table("contacts", _lead("C1", last_activity_at=OLD), _lead("C2"))
    result = run_checks({"contacts": contacts}, POLICY, AS_OF, rules=["retention_exceeded"]).result(
        "retention_exceeded")
    assert result.record_ids == ("C1",)
    assert any("last_activity_at" in caveat for caveat in result.caveats)


def test_the_evidence_of_retention_says_from_which_day_it_ran():
    contacts = table("contacts", _lead("C1"))
    activities = table("activities", _did("C1", "call", OLD), _did("C1", "marketing_email", RECENT, 2))
    result = run_checks({"contacts": contacts, "activities": activities}, POLICY, AS_OF,
                        rules=["retention_exceeded"]).result("retention_exceeded")
    assert result.evidence[0]["counted_from"] == "2024-06-29 (last interaction)"


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


def test_a_national_phone_is_judged_only_with_a_country_phonenumbers_knows_as_it_is_written():
    """The engine's test of the country (one search among the known regions) agrees with
    gdprlab.audit.validate.phone_assessable: a known code exactly, never a list or a piece of codes."""
    countries = ["DE", "GB", "de", " DE", "DE ", "AD;AE", "D;", ";DE;", "E;A", "XX", "", None]
    contacts = table("contacts", *({"contact_id": f"C{i}", "phone": "030 1234567", "status": "lead",
                                    "country": country} for i, country in enumerate(countries)))
    result = run_checks({"contacts": contacts}, POLICY, AS_OF).result("inaccurate_data")
    expected = phone_assessable(contacts["phone"], contacts["country"])
    assert expected.tolist() == [True, True] + [False] * 10
    assessed = [i for i, ok in enumerate(expected) if ok]  # the rest are counted, never judged
    assert f"{len(countries) - len(assessed)} phone numbers not assessable" in " ".join(result.caveats)
    # 030 1234567 is a valid Berlin number, and not a British one
    assert result.record_ids == ("C1",)


@pytest.mark.parametrize("email", ["anna", "anna@@web.de", "anna@web", "an na@web.de", "anna@web..de"])
def test_inaccurate_email_forms(email):
    contacts = table("contacts", {"contact_id": "C1", "email": email, "status": "lead"})
    assert found("inaccurate_data", contacts=contacts) == ["C1"]


def test_duplicates_compare_names_by_casefolding():
    names = [("Jörg", "Strauß"), ("JÖRG", "STRAUSS"), ("Jorg", "Strauss"), (None, "Strauß")]
    contacts = table("contacts", *({"contact_id": f"C{i}", "first_name": first, "last_name": last,
                                    "birth_date": "1980-05-01", "created_at": f"2024-01-0{i}T00:00:00Z",
                                    "email": f"c{i}@web.de", "phone": "+4915112345678", "status": "lead"}
                                   for i, (first, last) in enumerate(names, 1)))
    assert found("inaccurate_data", contacts=contacts) == ["C2"]


def test_a_duplicate_without_a_creation_time_is_neither_earliest_nor_later():
    twin = {"first_name": "Ana", "last_name": "Sousa", "birth_date": "1990-02-03", "status": "lead",
            "phone": "+351912345678"}
    rows = [("C1", None), ("C2", "2024-03-01T00:00:00Z"), ("C3", "2024-01-01T00:00:00Z"), ("C4", None)]
    contacts = table("contacts", *({**twin, "contact_id": i, "created_at": at, "email": f"{i}@web.de"}
                                   for i, at in rows),
                     *({**twin, "first_name": "Rui", "contact_id": f"D{i}", "created_at": None}
                       for i in (1, 2)))
    assert found("inaccurate_data", contacts=contacts) == ["C2"]


def test_later_duplicates_agree_with_a_plain_groupby_on_many_contacts():
    """Names, birth dates and phones drawn from few values, so that groups of every size occur."""
    rng = np.random.default_rng(5)
    n = 5000
    first, last = rng.choice(["Anna", "ANNA", "Ben", None], n), rng.choice(["Kowalski", "Nowak", "Łoś"], n)
    birth = rng.choice(pd.date_range("1970-01-01", periods=400, freq="D").strftime("%Y-%m-%d"), n)
    phone = rng.choice(["+48 601 234 567", "+48601234567", "+48 602 000 111"], n)
    created = pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 100_000, n), unit="min")
    rows = zip(first, last, birth, phone, created, strict=True)
    contacts = table("contacts", *({"contact_id": f"C{i:05d}", "first_name": f, "last_name": la,
                                    "birth_date": b, "created_at": t.isoformat(), "email": None,
                                    "phone": p} for i, (f, la, b, p, t) in enumerate(rows)))
    frame = pd.DataFrame({"id": contacts["contact_id"], "first": contacts["first_name"].str.casefold(),
                          "last": contacts["last_name"].str.casefold(), "birth": birth,
                          "phone": [p.replace(" ", "") for p in phone], "created": created})
    earliest = frame.groupby(["first", "last", "birth", "phone"])["created"].transform("min")
    want = sorted(frame.loc[frame["first"].notna() & (frame["created"] > earliest), "id"])
    assert len(want) > 100
    assert found("inaccurate_data", contacts=contacts) == want


def test_a_phone_number_shared_by_contacts_is_judged_for_each_of_them():
    """The numbers go to the phone library as they are (not made distinct first): a repeated invalid number
    is found on every contact holding it (in international form whatever the country, in national form
    with its country), each once; a repeated valid one on none, nor one that cannot be judged (C6)."""
    rows = [("C1", "+4912345", "DE"), ("C2", "+4912345", "DE"), ("C3", "+4912345", None),
            ("C4", "+4915112345678", "DE"), ("C5", "+4915112345678", "DE"),
            ("C6", "030 1234", None), ("C7", "030 1234", "FR"), ("C8", "030 1234", "FR")]
    contacts = table("contacts", *({"contact_id": i, "phone": phone, "country": country, "status": "lead"}
                                   for i, phone, country in rows))
    result = run_checks({"contacts": contacts}, POLICY, AS_OF, rules=["inaccurate_data"]).result(
        "inaccurate_data")
    assert result.record_ids == ("C1", "C2", "C3", "C7", "C8") and result.count == 5


def test_a_hash_shared_by_different_names_makes_no_duplicate(monkeypatch):
    """The namesakes are first grouped by a hash of their names and birth date: were every hash the same,
    the later grouping by the names themselves still finds only the duplicate."""
    import ibis

    from gdprlab.audit.rules import minimisation

    contacts = table("contacts", *({"contact_id": f"C{i}", "first_name": first, "last_name": "Nowak",
                                    "birth_date": birth, "created_at": f"2024-01-0{i}T00:00:00Z",
                                    "phone": "+48601234567", "status": "lead"}
                                   for i, (first, birth) in enumerate([("Anna", "1980-05-01"),
                                                                       ("Ben", "1980-05-01"),
                                                                       ("Anna", "1981-05-01"),
                                                                       ("ANNA", "1980-05-01")], 1)))
    assert found("inaccurate_data", contacts=contacts) == ["C4"]
    monkeypatch.setattr(minimisation, "hashed", lambda t, rows, key: ibis.literal(7, "int64"))
    assert found("inaccurate_data", contacts=contacts) == ["C4"]


NAMESAKE = {"first_name": "Maria", "last_name": "García", "birth_date": "1985-04-12", "country": "ES",
            "status": "lead"}
FIRST, SECOND = "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"


def test_namesakes_born_on_the_same_day_without_another_identifier_in_common_are_two_people():
    contacts = table("contacts",
                     {**NAMESAKE, "contact_id": "C1", "email": "maria@uno.es", "phone": "+34612345678",
                      "street": "Calle Mayor 1", "postal_code": "28013", "created_at": FIRST},
                     {**NAMESAKE, "contact_id": "C2", "email": "mgarcia@dos.es", "phone": "+34699999999",
                      "street": "Calle Mayor 1", "postal_code": "08001",  # the same street in another town
                      "created_at": SECOND})
    assert found("inaccurate_data", contacts=contacts) == []


@pytest.mark.parametrize("first, later", [
    ({"email": "Maria@Uno.es"}, {"email": "maria@uno.ES"}),  # e-mail, case-insensitively
    ({"phone": "+34 612 345 678"}, {"phone": "+34612345678"}),  # phone, by its digits and '+'
    ({"national_id": "12345678Z"}, {"national_id": "12345678Z"}),
    ({"street": "Calle Mayor 1", "postal_code": "28013"},
     {"street": "CALLE MAYOR 1", "postal_code": "28013"}),  # street and postal code, case-insensitively
], ids=["email", "phone", "national-id", "address"])
def test_a_duplicate_shares_names_birth_date_and_one_more_identifier(first, later):
    contacts = table("contacts", {**NAMESAKE, **first, "contact_id": "C1", "created_at": FIRST},
                     {**NAMESAKE, **later, "contact_id": "C2", "created_at": SECOND},
                     {**NAMESAKE, **later, "contact_id": "C3", "first_name": "Marta",
                      "created_at": SECOND})  # another name: no duplicate
    assert found("inaccurate_data", contacts=contacts) == ["C2"]


def test_a_blank_identifier_is_not_shared():
    contacts = table("contacts", *({**NAMESAKE, "contact_id": f"C{i}", "email": "\u3000", "national_id": " ",
                                    "street": "", "postal_code": "\t", "created_at": at}
                                   for i, at in ((1, FIRST), (2, SECOND))))
    assert found("inaccurate_data", contacts=contacts) == []


def test_the_evidence_of_a_duplicate_names_the_earlier_contact_and_what_they_share():
    contacts = table("contacts",
                     {**NAMESAKE, "contact_id": "C1", "phone": "+34 612 345 678", "created_at": FIRST},
                     {**NAMESAKE, "contact_id": "C9", "phone": "+34699999999", "created_at": "2024-06-01"},
                     {**NAMESAKE, "contact_id": "C2", "phone": "+34612345678", "created_at": SECOND})
    checked = run_checks({"contacts": contacts}, POLICY, AS_OF, rules=["inaccurate_data"])
    result = checked.result("inaccurate_data")
    assert result.record_ids == ("C2",)
    assert result.evidence[0]["why"] == "duplicate of C1 (phone)"


def test_the_evidence_names_the_earlier_twins_in_the_order_they_were_created_whatever_their_case():
    """Twins are found among the namesakes kept for the run: names compared casefolded (ß as ss), the
    earliest first, each with what it shares."""
    contacts = table("contacts",
                     {**NAMESAKE, "contact_id": "C7", "phone": "+34 612 345 678", "created_at": "2024-03-01"},
                     {**NAMESAKE, "contact_id": "C3", "last_name": "GARCÍA", "email": "maria@uno.es",
                      "created_at": FIRST},
                     {**NAMESAKE, "contact_id": "C2", "email": "Maria@Uno.es", "phone": "+34612345678",
                      "created_at": SECOND})
    result = run_checks({"contacts": contacts}, POLICY, AS_OF, rules=["inaccurate_data"]).result(
        "inaccurate_data")
    why = {e["record_id"]: e["why"] for e in result.evidence}
    assert why["C2"] == "duplicate of C3 (e-mail), C7 (phone)"


def test_a_contact_without_a_first_name_is_shown_with_no_twin():
    """Only contacts with names, a birth date and a creation time are namesakes: one without a first name
    is inaccurate for its e-mail alone, never the twin of a contact whose first name is spelt 'None'."""
    contacts = table("contacts",
                     {**NAMESAKE, "first_name": "None", "contact_id": "C1", "phone": "+34612345678",
                      "created_at": FIRST},
                     {**NAMESAKE, "first_name": None, "contact_id": "C2", "phone": "+34612345678",
                      "email": "not an address", "created_at": SECOND})
    result = run_checks({"contacts": contacts}, POLICY, AS_OF, rules=["inaccurate_data"]).result(
        "inaccurate_data")
    assert result.record_ids == ("C2",)
    assert result.evidence[0]["why"] == "invalid email"
