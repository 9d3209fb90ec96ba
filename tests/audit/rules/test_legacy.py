"""Each rule on a tiny hand-made table: one record violates, its near miss does not.

Read as a specification of the rule definitions in gdprlab.regulation.catalogue. The as-of date is Tuesday 30
June 2026;
the default policy keeps leads 24 months, refreshes training and reviews policies every 12 months.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from faker import Faker
from helpers import table

from gdprlab.audit.discovery.special_terms import reveals_special_category
from gdprlab.audit.rules.legacy import FINDERS, find_violations
from gdprlab.crm import protect
from gdprlab.crm.schema import TABLES
from gdprlab.generator import notes
from gdprlab.generator.config import LOCALES
from gdprlab.regulation.catalogue import RULES
from gdprlab.regulation.policy import Policy

AS_OF = dt.date(2026, 6, 30)
POLICY = Policy()




def found(rule_id: str, policy: Policy = POLICY, as_of: dt.date = AS_OF, **tables: pd.DataFrame) -> list[str]:
    return FINDERS[rule_id](tables, policy, as_of).tolist()


def ropa(*rows: dict) -> pd.DataFrame:
    return table("record_of_processing", *rows, table_name="contacts", purpose="crm",
                 requires_encryption=False)


# ---------------------------------------------------------------------------------------------------------
# classification
# ---------------------------------------------------------------------------------------------------------

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


def test_undeclared_personal_data_is_a_contact_column_missing_from_the_record():
    contacts = table("contacts", {"contact_id": "C1", "email": "a@b.de", "linkedin_url": "https://x"})
    declared = ropa(*({"column_name": c} for c in TABLES["contacts"].column_names if c != "contact_id"))
    undeclared = found("undeclared_personal_data", contacts=contacts, record_of_processing=declared)
    assert undeclared == ["linkedin_url"]
    partial = ropa({"column_name": "email"}, {"column_name": "linkedin_url"})
    missing = found("undeclared_personal_data", contacts=contacts, record_of_processing=partial)
    assert "contact_id" not in missing and "email" not in missing and "first_name" in missing


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


# ---------------------------------------------------------------------------------------------------------
# permission
# ---------------------------------------------------------------------------------------------------------

def send(activity_id: str, at: str, purpose: str = "newsletter", basis: str | None = "6(1)(a)",
         contact_id: str = "C1") -> dict:
    return {"activity_id": activity_id, "contact_id": contact_id, "type": "marketing_email",
            "purpose": purpose, "lawful_basis": basis, "occurred_at": at}


def consent(consent_id: str, given: str | None, withdrawn: str | None = None, purpose: str = "newsletter",
            contact_id: str = "C1", **kw) -> dict:
    return {"consent_id": consent_id, "contact_id": contact_id, "purpose": purpose, "given_at": given,
            "withdrawn_at": withdrawn, "source": "web_form", "wording_version": "NEWS-2026.1",
            "method": "double_opt_in", "parental_authorisation": False, **kw}


def test_marketing_needs_a_consent_given_at_or_before_the_send():
    consents = table("consents", consent("K1", "2026-01-01T10:00:00Z"))
    activities = table(
        "activities",
        send("E1", "2026-01-01T10:00:00Z"),  # the very second of consent: fine
        send("E2", "2026-01-01T09:59:59Z"),  # one second early
        send("E3", "2026-02-01T10:00:00Z", purpose="product_offers"),  # never consented to
        send("E4", "2026-02-01T10:00:00Z", purpose="product_offers", basis=None),  # no basis named
        send("E5", "2026-02-01T10:00:00Z", purpose="product_offers", basis="6(1)(f)"),  # another basis
        {"activity_id": "E6", "contact_id": "C1", "type": "call", "occurred_at": "2025-01-01T00:00:00Z"},
    )
    assert found("marketing_without_basis", activities=activities, consents=consents) == ["E2", "E3", "E4"]


def test_marketing_after_a_withdrawal_is_not_marketing_without_basis():
    consents = table("consents", consent("K1", "2026-01-01T10:00:00Z", "2026-02-01T12:00:00Z"))
    activities = table("activities", send("E1", "2026-03-01T00:00:00Z"))
    assert found("marketing_without_basis", activities=activities, consents=consents) == []
    assert found("processing_after_withdrawal", activities=activities, consents=consents) == ["E1"]


def test_processing_after_withdrawal_starts_at_the_withdrawal_and_ends_with_a_new_consent():
    consents = table(
        "consents",
        consent("K1", "2026-01-01T10:00:00Z", "2026-02-01T12:00:00Z"),
        consent("K2", "2026-03-01T00:00:00Z"),  # consent given again
        consent("K3", "2026-01-01T10:00:00Z", "2026-02-01T12:00:00Z", purpose="event_invitations"),
    )
    activities = table(
        "activities",
        send("E1", "2026-02-01T11:59:59Z"),  # withdrawn one second after the send: fine
        send("E2", "2026-02-01T12:00:00Z"),  # at the withdrawal
        send("E3", "2026-02-15T00:00:00Z", basis="6(1)(f)"),  # whatever the basis
        send("E4", "2026-03-02T00:00:00Z"),  # after the new consent: fine
        send("E5", "2026-03-02T00:00:00Z", purpose="event_invitations"),  # that purpose stays withdrawn
    )
    found_ids = found("processing_after_withdrawal", activities=activities, consents=consents)
    assert found_ids == ["E2", "E3", "E5"]


def test_processing_after_an_objection_starts_on_the_day_it_was_received():
    requests = table("requests", {"request_id": "R1", "contact_id": "C1", "type": "objection",
                                  "received_on": "2026-04-10", "status": "open"},
                     {"request_id": "R2", "contact_id": "C2", "type": "access", "received_on": "2026-04-01"})
    activities = table(
        "activities",
        send("E1", "2026-04-09T23:59:59Z"),
        send("E2", "2026-04-10T00:00:00Z"),
        send("E3", "2026-04-20T00:00:00Z", basis="6(1)(f)"),
        send("E4", "2026-04-20T00:00:00Z", contact_id="C2"),  # no objection, just an access request
    )
    assert found("processing_after_withdrawal", activities=activities, requests=requests) == ["E2", "E3"]


def test_consent_without_proof_lacks_time_source_or_wording():
    consents = table(
        "consents",
        consent("K1", "2026-01-01T10:00:00Z"),
        consent("K2", None),
        consent("K3", "2026-01-01T10:00:00Z", source=None),
        consent("K4", "2026-01-01T10:00:00Z", wording_version=""),
    )
    assert found("consent_without_proof", consents=consents) == ["K2", "K3", "K4"]


def test_child_consent_follows_the_art8_age_of_the_country():
    contacts = table("contacts", {"contact_id": "FR1", "country": "FR", "birth_date": "2010-06-01"},
                     {"contact_id": "DE1", "country": "DE", "birth_date": "2010-06-01"},
                     {"contact_id": "X1", "country": "FR"})  # birth date unknown
    consents = table(
        "consents",
        consent("K1", "2025-06-01T00:00:00Z", contact_id="FR1"),  # 15 in France (age 15): fine
        consent("K2", "2025-05-31T23:59:59Z", contact_id="FR1"),  # still 14
        consent("K3", "2025-06-01T00:00:00Z", contact_id="DE1"),  # 15 in Germany (age 16)
        consent("K4", "2025-05-31T00:00:00Z", contact_id="FR1", source="paper_form"),  # not online
        consent("K5", "2025-05-31T00:00:00Z", contact_id="FR1", parental_authorisation=True),
        consent("K6", "2025-05-31T00:00:00Z", contact_id="X1"),
        consent("K7", "2025-05-31T00:00:00Z", contact_id="DE1", source="mobile_app"),
    )
    assert found("child_consent_without_authorisation", consents=consents, contacts=contacts) == [
        "K2", "K3", "K7"]


def test_child_consents_are_the_same_whether_contact_ids_are_sorted_or_not(typical_dir):
    """Sorted (unique) contact ids let the rule search only contacts young enough; shuffled ones do not."""
    from gdprlab.crm.io import read_dataset
    t = {name: df for name, df in read_dataset(typical_dir).items() if name in ("contacts", "consents")}
    expected = found("child_consent_without_authorisation", **t)
    assert len(expected) > 10
    shuffled = t["contacts"].sample(frac=1.0, random_state=1).reset_index(drop=True)
    assert found("child_consent_without_authorisation", consents=t["consents"], contacts=shuffled) == expected


def test_child_consent_reads_the_first_record_of_a_contact_id():
    online = {"contact_id": "C1", "country": "DE"}
    child, adult = {**online, "birth_date": "2012-01-01"}, {**online, "birth_date": "1980-01-01"}
    consents = table("consents", consent("K1", "2025-06-01T00:00:00Z", contact_id="C1"))
    for first, second, flagged in ((adult, child, []), (child, adult, ["K1"])):
        contacts = table("contacts", first, second, {"contact_id": "C2", "birth_date": "2011-01-01"})
        assert found("child_consent_without_authorisation", consents=consents, contacts=contacts) == flagged


def test_invalid_consent_form_is_pre_ticked_or_bundled():
    consents = table("consents", consent("K1", "2026-01-01T00:00:00Z", method="pre_ticked_box"),
                     consent("K2", "2026-01-01T00:00:00Z", method="bundled_with_terms"),
                     consent("K3", "2026-01-01T00:00:00Z", method="unticked_checkbox"))
    assert found("invalid_consent_form", consents=consents) == ["K1", "K2"]


# ---------------------------------------------------------------------------------------------------------
# minimisation
# ---------------------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------------------
# encryption
# ---------------------------------------------------------------------------------------------------------

def test_plaintext_sensitive_field_is_a_non_token_value_in_a_column_to_encrypt():
    token = protect.encrypt(["DE89370400440532013000"], protect.synthetic_key(0), np.random.default_rng(0))[0]
    contacts = table("contacts", {"contact_id": "C1", "iban": "DE89370400440532013000"},
                     {"contact_id": "C2", "iban": token},
                     {"contact_id": "C3", "pseudonym": "plain"},  # pseudonym needs no encryption
                     {"contact_id": "C4"})
    record = ropa({"column_name": "iban", "requires_encryption": True},
                  {"column_name": "pseudonym", "requires_encryption": False})
    assert found("plaintext_sensitive_field", contacts=contacts, record_of_processing=record) == ["C1"]


def test_weak_pseudonym_is_an_unsalted_digest_of_the_normalised_email():
    email = "anna@web.de"
    contacts = table(
        "contacts",
        {"contact_id": "C1", "email": " Anna@Web.de ", "pseudonym": hashlib.md5(email.encode()).hexdigest()},
        {"contact_id": "C2", "email": email, "pseudonym": hashlib.sha1(email.encode()).hexdigest()},
        {"contact_id": "C3", "email": email, "pseudonym": hashlib.sha256(email.encode()).hexdigest()},
        {"contact_id": "C4", "email": email, "pseudonym": hashlib.sha256(b"s" + email.encode()).hexdigest()},
        {"contact_id": "C5", "email": email, "pseudonym": "5f1d7a0c9b2e4d6f8a1c3e5b7d9f0a2c"},
    )
    assert found("weak_pseudonymisation", contacts=contacts) == ["C1", "C2", "C3"]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_weak_pseudonyms_match_protect_for_padded_upper_case_and_non_ascii_addresses(dtype):
    """The bulk path (ASCII, nothing to strip) and the per-value path agree with protect.weak_pseudonym."""
    emails = [" Zoë@GMX.de\t", "O'Brien@Example.IE", "a\x1c@b.de\x1c", "\u00a0x@y.de", "ÅSA@telia.se"]
    rows = [{"contact_id": f"C{i}{a}", "email": e, "pseudonym": protect.weak_pseudonym(e, a).upper()}
            for i, e in enumerate(emails) for a in protect.WEAK_HASHES]
    contacts = table("contacts", *rows, {"contact_id": "CX", "email": "x@y.de", "pseudonym": " A "})
    contacts = contacts.astype({"email": dtype, "pseudonym": dtype})
    assert found("weak_pseudonymisation", contacts=contacts) == sorted(r["contact_id"] for r in rows)


@pytest.mark.parametrize("dtype", [object, "str"])
def test_a_padded_pseudonym_of_a_longer_digests_size_is_stripped_before_it_is_compared(dtype):
    """64 bytes, as long as a SHA-256 hex digest, but an MD5 digest inside Unicode and ASCII spaces."""
    md5 = protect.weak_pseudonym("x@y.de", "md5")
    padded = {"C1": "\u3000" + md5 + " " * 29, "C2": "\t" + md5 + " " * 31,
              "C3": "\u3000" + md5[:-1] + "g" + " " * 29}
    assert {len(p.encode()) for p in padded.values()} == {64}
    rows = ({"contact_id": i, "email": "x@y.de", "pseudonym": p} for i, p in padded.items())
    contacts = table("contacts", *rows)
    contacts = contacts.astype({"email": dtype, "pseudonym": dtype})
    assert found("weak_pseudonymisation", contacts=contacts) == ["C1", "C2"]


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


def test_excessive_access_is_full_access_outside_the_allowed_roles():
    staff = table("staff", {"staff_id": "S1", "role": "sales_rep", "crm_access": "full"},
                  {"staff_id": "S2", "role": "data_protection_officer", "crm_access": "full"},
                  {"staff_id": "S3", "role": "sales_rep", "crm_access": "standard"})
    assert found("excessive_access", staff=staff) == ["S1"]
    assert found("excessive_access", Policy(special_category_roles=("sales_rep",)), staff=staff) == ["S2"]


# ---------------------------------------------------------------------------------------------------------
# rights
# ---------------------------------------------------------------------------------------------------------

def request(request_id: str, received: str, responded: str | None = None, notice: str | None = None,
            **kw) -> dict:
    return {"request_id": request_id, "contact_id": "C1", "type": "access", "received_on": received,
            "responded_on": responded, "extension_notified_on": notice,
            "status": "completed" if responded else "open", **kw}


def test_a_reply_on_the_deadline_day_is_on_time():
    requests = table("requests", request("R1", "2026-03-10", "2026-04-10"),  # Tuesday -> Friday 10 April
                     request("R2", "2026-03-10", "2026-04-13"))
    assert found("request_overdue", requests=requests) == ["R2"]


def test_a_deadline_on_a_weekend_runs_to_monday():
    requests = table("requests", request("R1", "2026-02-14", "2026-03-16"),  # due Sat 14 March -> Mon 16
                     request("R2", "2026-02-14", "2026-03-17"))
    assert found("request_overdue", requests=requests) == ["R2"]


def test_31_january_plus_one_month_is_the_end_of_february():
    # 28 February 2026 is a Saturday, so the deadline is Monday 2 March
    requests = table("requests", request("R1", "2026-01-31", "2026-03-02"),
                     request("R2", "2026-01-31", "2026-03-03"))
    assert found("request_overdue", requests=requests) == ["R2"]


def test_an_open_request_is_judged_at_the_as_of_date():
    requests = table("requests", request("R1", "2026-05-30"),  # due Tuesday 30 June: not yet late
                     request("R2", "2026-05-29"))  # due Monday 29 June
    assert found("request_overdue", requests=requests) == ["R2"]


def test_a_timely_extension_gives_three_months():
    requests = table(
        "requests",
        request("R1", "2026-01-15", "2026-04-15", notice="2026-02-16"),  # notice on the 1-month deadline
        request("R2", "2026-01-15", "2026-04-16", notice="2026-02-16"),  # after the 3 months
    )
    assert found("request_overdue", requests=requests) == ["R2"]
    assert found("extension_not_notified", requests=requests) == []


def test_a_late_extension_notice_alone_is_extension_not_notified():
    requests = table(
        "requests",
        request("R1", "2026-01-15", "2026-03-20", notice="2026-02-17"),  # late notice, reply within 3 months
        request("R2", "2026-01-15", "2026-04-16", notice="2026-02-17"),  # late notice and too late anyway
        request("R3", "2026-01-15", "2026-02-16", notice="2026-02-17"),  # replied within the month
        request("R4", "2026-04-20", None, notice="2026-05-25"),  # open, as-of within 3 months
    )
    assert found("extension_not_notified", requests=requests) == ["R1", "R4"]
    assert found("request_overdue", requests=requests) == ["R2"]


def test_erasure_incomplete_leaves_contact_details_or_notes():
    contacts = table("contacts", {"contact_id": "C1", "email": "a@b.de", "status": "erased"},
                     {"contact_id": "C2", "status": "erased"}, {"contact_id": "C3", "status": "erased"},
                     {"contact_id": "C4", "email": "d@b.de"})
    activities = table("activities",
                       {"activity_id": "E1", "contact_id": "C2", "note": "Anruf wegen Angebot."},
                       {"activity_id": "E2", "contact_id": "C3", "type": "marketing_email"})
    erasures = [request(f"R{i}", "2026-01-05", "2026-01-20", contact_id=f"C{i}", type="erasure")
                for i in (1, 2, 3)]
    open_erasure = request("R4", "2026-06-25", contact_id="C4", type="erasure")
    requests = table("requests", *erasures, open_erasure)
    assert found("erasure_incomplete", requests=requests, contacts=contacts, activities=activities) == [
        "R1", "R2"]


# ---------------------------------------------------------------------------------------------------------
# people
# ---------------------------------------------------------------------------------------------------------

def test_untrained_crm_user_has_no_current_pass():
    staff = table("staff", *({"staff_id": f"S{i}", "crm_access": "standard"} for i in range(1, 6)),
                  {"staff_id": "S6", "crm_access": "none"})
    training = table(
        "training",
        {"training_id": "T1", "staff_id": "S1", "completed_on": "2025-06-30", "passed": True},  # refresh due
        {"training_id": "T2", "staff_id": "S2", "completed_on": "2025-06-29", "passed": True},  # lapsed
        {"training_id": "T3", "staff_id": "S3", "completed_on": "2026-01-10", "passed": False},  # failed
        {"training_id": "T4", "staff_id": "S4", "completed_on": "2020-01-01", "passed": True},
        {"training_id": "T5", "staff_id": "S4", "completed_on": "2026-01-01", "passed": True},  # latest
        course="gdpr_essentials",
    )  # S5 never trained; S6 has no CRM access
    assert found("untrained_crm_user", staff=staff, training=training) == ["S2", "S3", "S5"]


def test_only_the_policy_course_counts_as_training():
    staff = table("staff", {"staff_id": "S1", "crm_access": "full", "role": "data_protection_officer"})
    training = table("training", {"training_id": "T1", "staff_id": "S1", "course": "excel_basics",
                                  "completed_on": "2026-06-01", "passed": True})
    assert found("untrained_crm_user", staff=staff, training=training) == ["S1"]


# ---------------------------------------------------------------------------------------------------------
# security plans
# ---------------------------------------------------------------------------------------------------------

def breach(breach_id: str, aware: str = "2026-01-01T00:00:00Z", **kw) -> dict:
    return {"breach_id": breach_id, "aware_at": aware, "description": "Laptop stolen.",
            "consequences": "Phishing.", "measures": "Remote wipe.", "risk": "risk", **kw}


def test_breach_notified_at_exactly_72_hours_is_on_time():
    breaches = table(
        "breaches",
        breach("B1", notified_authority_at="2026-01-04T00:00:00Z"),
        breach("B2", notified_authority_at="2026-01-04T00:00:01Z"),
        breach("B3", notified_authority_at="2026-01-09T00:00:00Z", delay_reason="Forensics needed first."),
    )
    assert found("breach_notified_late", breaches=breaches) == ["B2"]


def test_breach_not_notified_unless_unlikely_to_harm():
    breaches = table(
        "breaches",
        breach("B1", risk="high"),
        breach("B2", risk="unlikely"),
        breach("B3", risk="risk", notified_authority_at="2026-01-02T00:00:00Z"),
        breach("B4", aware="2026-06-27T00:00:00Z"),  # exactly 72 hours before the as-of midnight
        breach("B5", aware="2026-06-26T23:59:59Z"),
        breach("B6", risk=None),  # never assessed: not assessed as unlikely
    )
    assert found("breach_not_notified", breaches=breaches) == ["B1", "B5", "B6"]


def test_high_risk_breach_must_be_communicated_or_excepted():
    breaches = table(
        "breaches",
        breach("B1", risk="high"),
        breach("B2", risk="high", subjects_informed_at="2026-01-02T00:00:00Z"),
        breach("B3", risk="high", art34_exception="34(3)(a)"),
        breach("B4", risk="risk"),
        breach("B5", risk="high", aware="2026-06-28T00:00:00Z"),  # 48 hours at as-of
    )
    assert found("subjects_not_informed", breaches=breaches) == ["B1"]


def test_breach_record_needs_facts_effects_and_measures():
    breaches = table("breaches", breach("B1"), breach("B2", description=None), breach("B3", consequences=" "),
                     breach("B4", measures=""))
    assert found("breach_record_incomplete", breaches=breaches) == ["B2", "B3", "B4"]


# ---------------------------------------------------------------------------------------------------------
# education
# ---------------------------------------------------------------------------------------------------------

def test_policy_review_is_due_after_its_interval():
    policies = table("policies",
                     {"policy_id": "P1", "kind": "privacy_notice", "last_reviewed_on": "2025-06-30"},
                     {"policy_id": "P2", "kind": "privacy_notice", "last_reviewed_on": "2025-06-29"},
                     {"policy_id": "P3", "kind": "retention_policy"})  # never reviewed
    assert found("policy_review_overdue", policies=policies) == ["P2", "P3"]
    quarterly = Policy(review_interval_months={"privacy_notice": 3})
    assert found("policy_review_overdue", quarterly, policies=policies) == ["P1", "P2", "P3"]


# ---------------------------------------------------------------------------------------------------------
# all rules
# ---------------------------------------------------------------------------------------------------------

def test_every_rule_has_a_finder():
    assert set(FINDERS) == {r.id for r in RULES}


def test_find_violations_sorts_like_a_ground_truth_and_skips_missing_tables():
    tables = {
        "breaches": table("breaches", breach("B2", description=None, risk="unlikely"),
                          breach("B1", measures=None, risk="unlikely")),
        "policies": table("policies", {"policy_id": "P1", "kind": "privacy_notice"}),
        "activities": table("activities", send("E1", "2026-01-01T00:00:00Z")),  # no consents: not judged
    }
    out = find_violations(tables, POLICY, AS_OF)
    assert list(out.columns) == ["rule_id", "table", "record_id"]
    assert out.values.tolist() == [
        ["breach_record_incomplete", "breaches", "B1"],
        ["breach_record_incomplete", "breaches", "B2"],
        ["policy_review_overdue", "policies", "P1"],
    ]


# ---------------------------------------------------------------------------------------------------------
# the special-category lexicon
# ---------------------------------------------------------------------------------------------------------

def _template_notes(language: str, kind: str) -> pd.Series:
    """Every template of a (language, kind), filled in with plain names, 50 draws of the other values."""
    n = 50 * len(notes.TEMPLATES[language][kind])
    text, _ = notes.compose_notes(np.full(n, language), np.full(n, kind), np.full(n, "Anna"),
                                  np.full(n, "Meier"), np.full(n, "Jan Kowalski"), np.random.default_rng(0))
    return pd.Series(text)


@pytest.mark.parametrize("language", notes.LANGUAGES)
def test_lexicon_finds_every_special_category_template(language):
    for kind in notes.SPECIAL_CATEGORIES:
        text = _template_notes(language, kind)
        assert reveals_special_category(text).all(), text[~reveals_special_category(text)].iloc[0]


@pytest.mark.parametrize("language", notes.LANGUAGES)
def test_lexicon_ignores_neutral_and_criminal_record_templates(language):
    for kind in ("neutral", "criminal"):  # criminal records are Art. 10 data, not Art. 9
        text = _template_notes(language, kind)
        assert not reveals_special_category(text).any(), text[reveals_special_category(text)].iloc[0]


def test_notes_held_by_arrow_in_chunks_are_judged_as_one_column():
    texts = ["Hat Diabetes.", None, "Rückruf am Montag.", "Ist im Betriebsrat.", "", "diabetisch"] * 3
    chunks = [pa.array(texts[i:i + 4], type=pa.large_string()) for i in range(0, len(texts), 4)]
    column = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks)))
    assert pa.array(column, from_pandas=True).num_chunks == 5
    assert reveals_special_category(column).tolist() == [True, False, False, True, False, True] * 3


def test_lexicon_ignores_the_names_faker_gives_contacts():
    names = set()
    for locale in LOCALES:
        person = next(p for p in Faker(locale).get_providers() if p.__provider__ == "faker.providers.person")
        for attr in dir(person):
            value = getattr(person, attr) if "name" in attr and "language" not in attr else None
            if isinstance(value, dict | tuple | list):
                names.update(map(str, value))
    names = pd.Series(sorted(names))
    assert len(names) > 5000
    assert names[reveals_special_category(names)].tolist() == []  # e.g. 'Gay' (fr), 'Kurda' (pl)


# ----------------------------------------------------------------------------------------------------------
# vectorised helpers: the fast paths give what the plain pandas expressions give
# ----------------------------------------------------------------------------------------------------------

_AWKWARD_TEXT = ["", " ", "\u00a0", "\u2003x", "x ", "\u200b", "\u3000", "\x1c", "\x85", None, "\t\n",
                 "\u2028", "\x0b", "\ufeff", "a"]


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "string[python]", object])
def test_blank_is_missing_or_only_whitespace_as_str_strip_sees_it(dtype):
    from gdprlab.audit.rules.legacy import _blank
    expected = [v is None or v.strip() == "" for v in _AWKWARD_TEXT]
    assert _blank(pd.Series(_AWKWARD_TEXT, dtype=dtype)).tolist() == expected


def _chunked_text(values: list) -> pd.Series:
    """A pandas column whose pyarrow text lies in several chunks (of 3 values), as parquet gives it."""
    import pyarrow as pa
    chunks = [pa.array(values[i:i + 3], type=pa.large_string()) for i in range(0, len(values), 3)]
    return pa.table({"t": pa.chunked_array(chunks, type=pa.large_string())}).to_pandas()["t"]


def test_blank_reads_chunked_text_too():
    from gdprlab.audit.rules.legacy import _blank
    expected = [v is None or v.strip() == "" for v in _AWKWARD_TEXT]
    assert _blank(_chunked_text(_AWKWARD_TEXT)).tolist() == expected


@pytest.mark.parametrize("chunked", [False, True])
def test_tokens_are_what_is_token_says_whatever_the_bytes_per_character(chunked):
    from gdprlab.audit.rules.legacy import _tokens
    from gdprlab.crm.protect import PREFIX, TOKEN_LENGTH, is_token
    rest = TOKEN_LENGTH - len(PREFIX)
    values = [PREFIX + "a" * rest, PREFIX + "é" * rest, PREFIX + "€" * rest, PREFIX + "a" * (rest + 1),
              PREFIX + "é" * (rest - 1), "x" * TOKEN_LENGTH, None, "", *_AWKWARD_TEXT]
    series = _chunked_text(values) if chunked else pd.Series(values, dtype="str")
    assert _tokens(series).tolist() == [is_token(v) for v in values]
    assert _tokens(pd.Series(values, dtype=object)).tolist() == [is_token(v) for v in values]


def test_rows_at_equals_iloc_for_chunked_text_dates_and_few_or_many_rows():
    import pyarrow as pa

    from gdprlab.audit.rules.legacy import rows_at
    n = 2_500  # more than rows_at reads value by value
    text = pa.chunked_array([pa.array([f"v{i}" if i % 7 else None for i in range(s, s + 100)],
                                      type=pa.large_string()) for s in range(0, n, 100)])
    df = pa.table({"t": text}).to_pandas()  # text in five pyarrow chunks, as parquet gives it
    assert isinstance(pa.array(df["t"], from_pandas=True), pa.ChunkedArray)
    df["d"] = pd.date_range("2020-01-01", periods=n, freq="D")
    df["b"] = pd.array([True, False, None, True, False] * (n // 5), dtype="boolean")
    df.index = pd.RangeIndex(10, 10 + n)
    for positions in ([], [3], [0, 99, 100, 499], list(range(0, n, 3)), list(range(n - 1, -1, -5)),
                      list(range(n)), [7, 2_400, 7, 150]):
        pos = np.asarray(positions, dtype=np.int64)
        pd.testing.assert_frame_equal(rows_at(df, pos), df.iloc[pos])


def test_positions_finds_the_first_occurrence_with_few_or_many_keys():
    from gdprlab.audit.rules.legacy import _positions
    table = pd.Series(["a", "b", "a", None, "c", "b"] * 10, dtype="str")
    for keys in (["b", "z", None, "c"], ["a", "b", "c", "z", None] * 30):
        got = _positions(pd.Series(keys, dtype="str"), table)
        first = {v: i for i, v in reversed(list(enumerate(table))) if isinstance(v, str)}
        assert got.tolist() == [first.get(k, -1) if isinstance(k, str) else -1 for k in keys]


def test_group_codes_equal_exactly_for_equal_combinations():
    from gdprlab.audit.rules.legacy import _group_codes
    rng = np.random.default_rng(3)
    codes = [rng.integers(-1, k, 2000) for k in (5, 1 << 22, 1 << 22, 3)]  # forces a renumbering
    got = _group_codes(*codes)
    combos = list(zip(*[c.tolist() for c in codes], strict=True))
    missing = np.any([c < 0 for c in codes], axis=0)
    assert (got[missing] == -1).all() and (got[~missing] >= 0).all()
    seen: dict = {}
    for g, combo, miss in zip(got.tolist(), combos, missing.tolist(), strict=True):
        if not miss:
            assert seen.setdefault(combo, g) == g
    assert len(set(seen.values())) == len(seen)


@pytest.mark.parametrize("spread", [1, 10**6])  # dense codes are counted, sparse ones binary-searched
def test_same_key_pairs_lists_every_pair_grouped_by_row_in_event_order(spread):
    from gdprlab.audit.rules.legacy import _same_key_pairs
    rng = np.random.default_rng(spread)
    for _ in range(100):
        key = rng.integers(-1, 20, size=int(rng.integers(0, 30)))
        event = rng.integers(-1, 20, size=int(rng.integers(0, 30)))
        key, event = np.where(key < 0, -1, key * spread), np.where(event < 0, -1, event * spread)
        expected = [(r, e) for r in range(len(key)) for e in range(len(event))
                    if key[r] >= 0 and key[r] == event[e]]
        row, ev = _same_key_pairs(key, event)
        assert list(zip(row.tolist(), ev.tolist(), strict=True)) == expected


def test_weak_md5_pseudonyms_are_found_whether_the_address_fits_one_md5_block_or_not():
    """Addresses of up to 55 bytes are hashed in bulk (md5_batch), longer ones by hashlib."""
    emails = {"C1": "a" * 43 + "@example.org", "C2": "a" * 44 + "@example.org", "C3": "x@y.de"}
    assert [len(e) for e in emails.values()] == [55, 56, 6]
    rows = [{"contact_id": i, "email": e, "pseudonym": protect.weak_pseudonym(e, "md5")}
            for i, e in emails.items()]
    rows += [{"contact_id": i + "x", "email": e, "pseudonym": protect.weak_pseudonym(e + "x", "md5")}
             for i, e in emails.items()]
    assert found("weak_pseudonymisation", contacts=table("contacts", *rows)) == ["C1", "C2", "C3"]


def test_may_repeat_marks_every_code_that_occurs_more_than_once_and_few_others():
    """Sparse 64-bit codes (as mixed-radix group codes are): 500 pairs among 40,000 unique ones."""
    from gdprlab.audit.rules.legacy import _may_repeat
    rng = np.random.default_rng(4)
    codes = np.concatenate([rng.choice(10**12, 40_000, replace=False), np.repeat(rng.choice(10**12, 500), 2)])
    repeated = pd.Series(codes).duplicated(keep=False).to_numpy()
    marked = _may_repeat(codes)
    assert repeated.sum() == 1000 and marked[repeated].all()
    assert (marked & ~repeated).sum() < 0.25 * (~repeated).sum()  # four or more buckets a code: ~1 in 7


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


@pytest.mark.parametrize("dtype", [object, "str", "string[pyarrow]"])
def test_is_matches_exact_values_and_never_a_missing_one(dtype):
    from gdprlab.audit.rules.legacy import _is
    s = pd.Series(["erased", None, "Erased", "active", "erased "], dtype=dtype)
    assert _is(s, "erased").tolist() == [True, False, False, False, False]
    assert _is(s, "erased", "active").tolist() == [True, False, False, True, False]


@pytest.mark.parametrize("rows", [0, 2])
def test_every_finder_runs_on_empty_tables_and_on_rows_with_every_value_missing(rows):
    """Nothing to judge is no finding (and no crash), except columns the empty record of processing omits."""
    tables = {name: table(name, *({} for _ in range(rows))) for name in TABLES}
    found = {rule: list(finder(dict(tables), POLICY, AS_OF)) for rule, finder in FINDERS.items()}
    assert {rule: ids for rule, ids in found.items() if ids} == {
        "undeclared_personal_data": sorted(c for c in TABLES["contacts"].column_names if c != "contact_id")}
