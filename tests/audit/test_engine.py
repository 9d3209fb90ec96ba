"""The check engine: one Check per rule, run on tiny hand-made tables and on a generated dataset.

Each rule has a violating case (one record violates, one does not) and a compliant case (nothing
violates). A check never crashes on a missing table: it is reported as not assessed, with the reason.
As-of is Tuesday 30 June 2026 and the policy is gdprlab's default.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest
from helpers import table

from gdprlab.audit.engine import (
    CHECKS,
    CHECKS_BY_ID,
    STATUSES,
    catalogue_version,
    get_check,
    open_tables,
    run_checks,
    show,
)
from gdprlab.crm.io import read_as_of, read_dataset, read_policy
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.catalogue import RULES
from gdprlab.regulation.policy import Policy

AS_OF = dt.date(2026, 6, 30)
POLICY = Policy()
FINDING_KEYS = {"rule_id", "title", "table", "record_ids", "count", "population", "articles", "severity",
                "concern", "evidence", "remediation"}




PERSON = {"first_name": "Anna", "last_name": "Müller", "birth_date": "1980-05-01", "country": "DE",
          "email": "anna.mueller@web.de", "phone": "+4915112345678", "status": "customer",
          "created_at": "2024-01-01T00:00:00Z", "last_activity_at": "2026-06-01T00:00:00Z"}


#: an erased contact: every personal column emptied but the erasure's record
ERASED = {**dict.fromkeys(TABLES["contacts"].erasable_names), "status": "erased"}


def contacts(*rows: dict) -> pd.DataFrame:
    return table("contacts", *({**PERSON, "email": f"{r['contact_id'].lower()}@web.de", **r} for r in rows))


def ropa(*rows: dict) -> pd.DataFrame:
    return table("record_of_processing", *rows, table_name="contacts", purpose="crm",
                 requires_encryption=False)


def full_ropa(**changes: dict) -> pd.DataFrame:
    """Every contact column declared with its category and a purpose; `changes` overrides single columns."""
    cols = [c for c in TABLES["contacts"].column_names if c != "contact_id"]
    return ropa(*({"column_name": c, "category": TABLES["contacts"].column(c).category, **changes.get(c, {})}
                  for c in cols))


def send(activity_id: str, at: str, purpose: str = "newsletter", basis: str | None = "6(1)(a)") -> dict:
    return {"activity_id": activity_id, "contact_id": "C1", "type": "marketing_email", "purpose": purpose,
            "lawful_basis": basis, "occurred_at": at}


def consent(consent_id: str, given: str | None = "2026-01-01T00:00:00Z", **kw) -> dict:
    return {"consent_id": consent_id, "contact_id": "C1", "purpose": "newsletter", "given_at": given,
            "source": "web_form", "wording_version": "NEWS-2026.1", "method": "double_opt_in",
            "parental_authorisation": False, **kw}


def request(request_id: str, received: str, responded: str | None = None, **kw) -> dict:
    return {"request_id": request_id, "contact_id": "C1", "type": "access", "received_on": received,
            "responded_on": responded, "status": "completed" if responded else "open", **kw}


def breach(breach_id: str, **kw) -> dict:
    return {"breach_id": breach_id, "aware_at": "2026-01-01T00:00:00Z", "description": "Laptop stolen.",
            "consequences": "Phishing.", "measures": "Remote wipe.", "risk": "risk",
            "notified_authority_at": "2026-01-02T00:00:00Z", **kw}


def staff(*rows: dict) -> pd.DataFrame:
    return table("staff", *rows, role="sales_rep", crm_access="standard", name="Jan Kowalski")


def trained(*staff_ids: str) -> pd.DataFrame:
    return table("training", *({"training_id": f"T{s}", "staff_id": s, "completed_on": "2026-01-01",
                                "passed": True, "course": "gdpr_essentials"} for s in staff_ids))


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


#: notes about C1 and C2 revealing a criminal record (Art. 10)
CONVICTED = tuple({"activity_id": f"E{i}", "contact_id": f"C{i}", "note": "ist vorbestraft"} for i in (1, 2))


#: what a marketing e-mail records of the soft opt-in (Dir. 2002/58 Art. 13(2))
SOFT_OPT_IN = {"unsubscribe_link": True, "own_similar_product": True}
#: notes pasted with a valid IBAN (E1) and a mistyped one (E2)
PASTED = ({"activity_id": "E1", "contact_id": "C1", "note": "IBAN DE89370400440532013000"},
          {"activity_id": "E2", "contact_id": "C1", "note": "IBAN DE88370400440532013000"})
#: calls to C1 the day after an erasure completed on 20 January 2026 (E1) and on that day (E2)
CALLED = tuple({"activity_id": i, "contact_id": "C1", "type": "call", "occurred_at": at}
               for i, at in (("E1", "2026-01-21T09:00:00Z"), ("E2", "2026-01-20T09:00:00Z")))


#: per rule: (tables with one violating and one compliant record, the violating id, compliant tables)
CASES: dict[str, tuple[dict, str, dict]] = {
    "special_category_without_condition": (
        {"contacts": contacts({"contact_id": "C1", "accessibility_needs": "wheelchair user"},
                              {"contact_id": "C2", "accessibility_needs": "wheelchair user",
                               "art9_condition": "9(2)(a)"})},
        "C1",
        {"contacts": contacts({"contact_id": "C2", "accessibility_needs": "wheelchair user",
                               "art9_condition": "9(2)(a)"}, {"contact_id": "C3"})},
    ),
    "criminal_data_without_authorisation": (
        {"contacts": contacts({"contact_id": "C1"}, {"contact_id": "C2", "art10_authorisation": "§ 1 Law"}),
         "activities": table("activities", *CONVICTED, type="note")},
        "C1",
        {"contacts": contacts({"contact_id": "C2", "art10_authorisation": "§ 1 Law"}),
         "activities": table("activities", CONVICTED[1], type="note")},
    ),
    "identifier_in_free_text": (
        {"activities": table("activities", *PASTED, type="note")},
        "E1",
        {"activities": table("activities", PASTED[1], type="note")},
    ),
    "undeclared_personal_data": (
        {"contacts": contacts({"contact_id": "C1", "hobbies": "golf"}), "record_of_processing": full_ropa()},
        "hobbies",
        {"contacts": contacts({"contact_id": "C1"}), "record_of_processing": full_ropa()},
    ),
    "marketing_without_basis": (
        {"activities": table("activities", send("E1", "2025-12-31T23:59:59Z"),
                             send("E2", "2026-02-01T00:00:00Z")),
         "consents": table("consents", consent("K1"))},
        "E1",
        {"activities": table("activities", send("E2", "2026-02-01T00:00:00Z")),
         "consents": table("consents", consent("K1"))},
    ),
    "electronic_marketing_without_consent": (
        {"activities": table("activities", send("E1", "2026-02-01T00:00:00Z", basis="6(1)(f)"),
                             send("E2", "2026-02-01T00:00:00Z", basis="6(1)(f)") | SOFT_OPT_IN),
         "consents": table("consents"),
         "contacts": contacts({"contact_id": "C1", "customer_since": "2025-01-01",
                               "opt_out_offered_at_collection": True})},
        "E1",
        {"activities": table("activities", send("E2", "2026-02-01T00:00:00Z", basis="6(1)(f)") | SOFT_OPT_IN),
         "consents": table("consents"),
         "contacts": contacts({"contact_id": "C1", "customer_since": "2025-01-01",
                               "opt_out_offered_at_collection": True})},
    ),
    "consent_without_proof": (
        {"consents": table("consents", consent("K1", wording_version=None), consent("K2"))},
        "K1",
        {"consents": table("consents", consent("K2"))},
    ),
    "processing_after_withdrawal": (
        {"activities": table("activities", send("E1", "2026-03-01T00:00:00Z"),
                             send("E2", "2026-01-15T00:00:00Z")),
         "consents": table("consents", consent("K1", withdrawn_at="2026-02-01T00:00:00Z"))},
        "E1",
        {"activities": table("activities", send("E2", "2026-01-15T00:00:00Z")),
         "consents": table("consents", consent("K1", withdrawn_at="2026-02-01T00:00:00Z"))},
    ),
    "child_consent_without_authorisation": (
        {"consents": table("consents", consent("K1", "2025-05-31T00:00:00Z"),
                           consent("K2", "2025-05-31T00:00:00Z", parental_authorisation=True)),
         "contacts": contacts({"contact_id": "C1", "birth_date": "2010-06-01"})},
        "K1",
        {"consents": table("consents", consent("K2", "2025-05-31T00:00:00Z", parental_authorisation=True)),
         "contacts": contacts({"contact_id": "C1", "birth_date": "2010-06-01"})},
    ),
    "invalid_consent_form": (
        {"consents": table("consents", consent("K1", method="pre_ticked_box"), consent("K2"))},
        "K1",
        {"consents": table("consents", consent("K2"))},
    ),
    "field_without_purpose": (
        {"contacts": contacts({"contact_id": "C1"}),
         "record_of_processing": full_ropa(city={"purpose": None})},
        "city",
        {"contacts": contacts({"contact_id": "C1"}), "record_of_processing": full_ropa()},
    ),
    "retention_exceeded": (
        {"contacts": contacts({"contact_id": "C1", "status": "lead",
                               "last_activity_at": "2024-06-29T00:00:00Z"},
                              {"contact_id": "C2", "status": "customer",
                               "last_activity_at": "2024-06-29T00:00:00Z"})},
        "C1",
        {"contacts": contacts({"contact_id": "C2", "status": "customer",
                               "last_activity_at": "2024-06-29T00:00:00Z"})},
    ),
    "inaccurate_data": (
        {"contacts": contacts({"contact_id": "C1", "email": "anna.web.de"}, {"contact_id": "C2",
                                                                             "first_name": "Bea"})},
        "C1",
        {"contacts": contacts({"contact_id": "C2", "first_name": "Bea"})},
    ),
    "plaintext_sensitive_field": (
        {"contacts": contacts({"contact_id": "C1", "iban": "DE89370400440532013000"}, {"contact_id": "C2"}),
         "record_of_processing": ropa({"column_name": "iban", "requires_encryption": True})},
        "C1",
        {"contacts": contacts({"contact_id": "C2"}),
         "record_of_processing": ropa({"column_name": "iban", "requires_encryption": True})},
    ),
    "weak_pseudonymisation": (
        {"contacts": contacts({"contact_id": "C1", "email": "anna@web.de", "pseudonym": md5("anna@web.de")},
                              {"contact_id": "C2", "email": "bea@web.de", "pseudonym": md5("salt")})},
        "C1",
        {"contacts": contacts({"contact_id": "C2", "email": "bea@web.de", "pseudonym": md5("salt")})},
    ),
    "excessive_access": (
        {"staff": staff({"staff_id": "S1", "crm_access": "full"},
                        {"staff_id": "S2", "crm_access": "full", "role": "data_protection_officer"})},
        "S1",
        {"staff": staff({"staff_id": "S2", "crm_access": "full", "role": "data_protection_officer"})},
    ),
    "request_overdue": (
        {"requests": table("requests", request("R1", "2026-03-10", "2026-04-13"),
                           request("R2", "2026-03-10", "2026-04-10"))},
        "R1",
        {"requests": table("requests", request("R2", "2026-03-10", "2026-04-10"))},
    ),
    "extension_not_notified": (
        {"requests": table("requests",
                           request("R1", "2026-01-15", "2026-03-20", extension_notified_on="2026-02-17"),
                           request("R2", "2026-01-15", "2026-03-20", extension_notified_on="2026-02-16"))},
        "R1",
        {"requests": table("requests", request("R2", "2026-01-15", "2026-03-20",
                                               extension_notified_on="2026-02-16"))},
    ),
    "erasure_incomplete": (
        {"requests": table("requests", request("R1", "2026-01-05", "2026-01-20", type="erasure"),
                           request("R2", "2026-01-05", "2026-01-20", type="erasure", contact_id="C2")),
         "contacts": contacts({"contact_id": "C1"}, {**ERASED, "contact_id": "C2"})},
        "R1",
        {"requests": table("requests", request("R2", "2026-01-05", "2026-01-20", type="erasure",
                                               contact_id="C2")),
         "contacts": contacts({**ERASED, "contact_id": "C2"})},
    ),
    "processing_after_erasure_or_restriction": (
        {"requests": table("requests", request("R1", "2026-01-05", "2026-01-20", type="erasure")),
         "activities": table("activities", CALLED[0], CALLED[1])},
        "E1",
        {"requests": table("requests", request("R1", "2026-01-05", "2026-01-20", type="erasure")),
         "activities": table("activities", CALLED[1])},
    ),
    "untrained_crm_user": (
        {"staff": staff({"staff_id": "S1"}, {"staff_id": "S2"}), "training": trained("S2")},
        "S1",
        {"staff": staff({"staff_id": "S2"}), "training": trained("S2")},
    ),
    "breach_notified_late": (
        {"breaches": table("breaches", breach("B1", notified_authority_at="2026-01-05T00:00:00Z"),
                           breach("B2"))},
        "B1",
        {"breaches": table("breaches", breach("B2"))},
    ),
    "breach_not_notified": (
        {"breaches": table("breaches", breach("B1", notified_authority_at=None), breach("B2"))},
        "B1",
        {"breaches": table("breaches", breach("B2"))},
    ),
    "subjects_not_informed": (
        {"breaches": table("breaches", breach("B1", risk="high"),
                           breach("B2", risk="high", subjects_informed_at="2026-01-02T00:00:00Z"))},
        "B1",
        {"breaches": table("breaches",
                           breach("B2", risk="high", subjects_informed_at="2026-01-02T00:00:00Z"))},
    ),
    "breach_record_incomplete": (
        {"breaches": table("breaches", breach("B1", measures=" "), breach("B2"))},
        "B1",
        {"breaches": table("breaches", breach("B2"))},
    ),
    "third_party_data_without_notice": (
        {"contacts": contacts(*({"contact_id": c, "obtained_from": "purchased_list",
                                 "created_at": "2026-05-04T09:00:00", "art14_notice_on": notice}
                                for c, notice in (("C1", "2026-06-05"), ("C2", "2026-06-04"))))},
        "C1",  # told the day after the month ended on Thursday 4 June
        {"contacts": contacts({"contact_id": "C2", "obtained_from": "purchased_list",
                               "created_at": "2026-05-04T09:00:00", "art14_notice_on": "2026-06-04"})},
    ),
    "automated_decision_without_exception": (
        {"decisions": table("decisions", *({"decision_id": d, "contact_id": "C1", "significant_effect": True,
                                            "human_review": review} for d, review in (("D1", False),
                                                                                      ("D2", True))))},
        "D1",
        {"decisions": table("decisions", {"decision_id": "D2", "contact_id": "C1", "significant_effect": True,
                                          "human_review": True})},
    ),
    "processor_without_contract": (
        {"recipients": table("recipients", {"recipient_id": "RC1", "kind": "processor"},
                             {"recipient_id": "RC2", "kind": "processor", "art28_contract": "DPA"})},
        "RC1",
        {"recipients": table("recipients", {"recipient_id": "RC2", "kind": "processor",
                                            "art28_contract": "DPA"})},
    ),
    "transfer_without_safeguard": (
        {"recipients": table("recipients", {"recipient_id": "RC1", "country": "IN"},
                             {"recipient_id": "RC2", "country": "IN", "safeguard": "46(2)(c) SCC"})},
        "RC1",
        {"recipients": table("recipients", {"recipient_id": "RC2", "country": "IN",
                                            "safeguard": "46(2)(c) SCC"})},
    ),
    "policy_review_overdue": (
        {"policies": table("policies",
                           {"policy_id": "P1", "kind": "privacy_notice", "last_reviewed_on": "2025-06-29"},
                           {"policy_id": "P2", "kind": "privacy_notice", "last_reviewed_on": "2025-06-30"})},
        "P1",
        {"policies": table("policies", {"policy_id": "P2", "kind": "privacy_notice",
                                        "last_reviewed_on": "2025-06-30"})},
    ),
}


# ---------------------------------------------------------------------------------------------------------
# one check per rule
# ---------------------------------------------------------------------------------------------------------

def test_every_rule_has_a_check_and_every_check_a_case():
    assert [c.id for c in CHECKS] == [r.id for r in RULES]
    assert set(CASES) == set(CHECKS_BY_ID)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_a_check_carries_its_rule(rule):
    check = get_check(rule.id)
    assert (check.title, check.articles, check.concern, check.severity) == (
        rule.title, rule.articles, rule.concern, rule.severity)
    assert check.description == rule.definition and check.remediation == rule.remediation
    assert check.requires[0] == rule.table and check.unit == rule.unit


def test_unknown_rule_lists_the_known_ones():
    with pytest.raises(KeyError, match="retention_exceeded"):
        get_check("no_such_rule")


@pytest.mark.parametrize("rule_id", list(CASES))
def test_check_fails_on_the_violating_record_only(rule_id):
    tables, violator, _ = CASES[rule_id]
    result = get_check(rule_id).run(tables, POLICY, AS_OF)
    assert result.status == "failed"
    assert result.record_ids == (violator,)
    assert result.count == 1 and result.population >= 1 and 0 < result.rate <= 1
    assert [e["record_id"] for e in result.evidence] == [violator]


@pytest.mark.parametrize("rule_id", list(CASES))
def test_check_passes_compliant_data(rule_id):
    _, _, tables = CASES[rule_id]
    result = get_check(rule_id).run(tables, POLICY, AS_OF)
    assert result.status == "passed", result.record_ids
    assert result.count == 0 and result.evidence == () and result.reason is None


@pytest.mark.parametrize("rule_id", list(CASES))
def test_check_without_its_table_is_not_assessed(rule_id):
    check = get_check(rule_id)
    tables = dict(CASES[rule_id][0])
    del tables[check.table]
    result = check.run(tables, POLICY, AS_OF)
    assert result.status == "not_assessed"
    assert result.reason == f"table {check.table} missing"
    assert result.count == 0 and result.population is None and result.rate is None


def test_a_missing_required_table_is_named():
    result = get_check("untrained_crm_user").run({"staff": staff({"staff_id": "S1"})}, POLICY, AS_OF)
    assert (result.status, result.reason) == ("not_assessed", "table training missing")


def test_a_rule_needing_one_of_two_tables_runs_on_either_and_says_what_it_could_not_see():
    activities = table("activities", send("E1", "2026-03-01T00:00:00Z"))
    check = get_check("processing_after_withdrawal")
    alone = check.run({"activities": activities}, POLICY, AS_OF)
    assert alone.status == "not_assessed" and "consents and requests" in alone.reason
    objected = table("requests", request("R1", "2026-02-01", type="objection"))
    partial = check.run({"activities": activities, "requests": objected}, POLICY, AS_OF)
    assert partial.record_ids == ("E1",) and partial.caveats == (
        "withdrawals of consent, and consents given again after an objection, not checked",)


def test_a_missing_column_is_not_assessed_with_its_name():
    tables = {"breaches": table("breaches", breach("B1")).drop(columns=["measures"])}
    result = get_check("breach_record_incomplete").run(tables, POLICY, AS_OF)
    assert result.status == "not_assessed" and result.reason == "column measures missing from table breaches"


@pytest.mark.slow
@pytest.mark.parametrize("rule_id", list(CASES))
def test_a_check_never_raises_on_any_missing_column(rule_id):
    """Real exports lack many canonical columns: each one dropped gives a result or a named reason."""
    check = get_check(rule_id)
    tables = CASES[rule_id][0]
    for name, df in tables.items():
        for column in df.columns:
            result = check.run({**tables, name: df.drop(columns=[column])}, POLICY, AS_OF)
            if result.status == "not_assessed":
                assert result.reason.startswith("column ") and f"missing from table {name}" in result.reason


def test_a_contacts_export_with_only_email_and_phone_is_judged_on_accuracy_alone():
    contacts = pd.DataFrame({"contact_id": ["C1", "C2", "C3"],
                             "email": ["anna@web.de", "anna(at)web.de", None],
                             "phone": ["+4915112345678", "+49151", "0151 12345678"]})
    a = run_checks({"contacts": contacts}, POLICY, AS_OF)
    accuracy = a.result("inaccurate_data")
    # no country: "+49151" is judged (international form) and too short; "0151 12345678" cannot be judged
    assert accuracy.status == "failed" and accuracy.record_ids == ("C2",)
    assert accuracy.population == 3
    assert "phones judged in international form only: no country" in accuracy.caveats
    assert any(c.startswith("1 phone number not assessable") for c in accuracy.caveats)
    for r in a.results:
        if r.rule_id not in ("inaccurate_data", "undeclared_personal_data", "field_without_purpose"):
            assert r.status == "not_assessed" and r.reason, r.rule_id
    assert a.result("special_category_without_condition").reason == \
        "column accessibility_needs missing from table contacts"
    assert a.result("retention_exceeded").reason.startswith("column ")


def test_a_us_export_without_country_never_calls_national_numbers_inaccurate():
    """A US lead export without a country column: national-form numbers are not assessable (counted in a
    caveat on the passed rule), international ones are judged."""
    contacts = pd.DataFrame({"contact_id": [f"L{i}" for i in range(5)],
                             "email": ["a@example.com"] * 5,
                             "phone": ["(212) 555-0199", "415-555-0132", "+1 212 555 0199", "+1 650 253 0000",
                                       "  (202) 456-1111"]})
    accuracy = run_checks({"contacts": contacts}, POLICY, AS_OF).result("inaccurate_data")
    assert accuracy.status == "passed" and accuracy.count == 0
    assert "phones judged in international form only: no country" in accuracy.caveats
    assert accuracy.caveats[-1] == ("3 phone numbers not assessable: national form without a known country "
                                    "(neither valid nor inaccurate)")


def test_a_national_number_is_judged_with_its_country_and_not_assessable_with_an_unknown_one():
    contacts = pd.DataFrame({"contact_id": ["C1", "C2", "C3", "C4"],
                             "email": ["a@example.com"] * 4,
                             "phone": ["030 1234567", "030 12", "030 12", "+49 30 12"],
                             "country": ["DE", "DE", None, None]})
    accuracy = run_checks({"contacts": contacts}, POLICY, AS_OF).result("inaccurate_data")
    assert accuracy.record_ids == ("C2", "C4")  # C3 has no country: not assessable
    assert accuracy.caveats[-1] == ("1 phone number not assessable: national form without a known country "
                                    "(neither valid nor inaccurate)")
    why = {e["record_id"]: e["why"] for e in accuracy.evidence}
    assert why == {"C2": "invalid phone", "C4": "invalid phone"}


def test_a_passed_rule_still_says_what_it_could_not_see():
    contacts = pd.DataFrame({"contact_id": ["C1"], "email": ["anna@web.de"], "phone": ["+4915112345678"]})
    accuracy = run_checks({"contacts": contacts}, POLICY, AS_OF).result("inaccurate_data")
    assert accuracy.status == "passed"
    assert {"duplicates not checked", "erased contacts not told apart"} <= set(accuracy.caveats)
    assert accuracy.to_dict()["caveats"] == list(accuracy.caveats)


def test_run_checks_on_no_tables_assesses_nothing_and_does_not_crash():
    a = run_checks({}, POLICY, AS_OF)
    assert {r.status for r in a.results} == {"not_assessed"}
    assert a.findings == [] and a.scores.overall is None and len(a.not_assessed) == len(RULES)


def test_run_checks_can_select_rules():
    a = run_checks(CASES["breach_not_notified"][0], POLICY, AS_OF, rules=["breach_not_notified"])
    assert [f["rule_id"] for f in a.findings] == ["breach_not_notified"]
    assert {n["reason"] for n in a.not_assessed} == {"not selected"}


# ---------------------------------------------------------------------------------------------------------
# evidence
# ---------------------------------------------------------------------------------------------------------

def test_evidence_shows_the_relevant_fields_masked():
    tables, _, _ = CASES["plaintext_sensitive_field"]
    (evidence,) = get_check("plaintext_sensitive_field").run(tables, POLICY, AS_OF).evidence
    assert evidence == {"record_id": "C1", "national_id": None, "iban": "DE*** 3000",
                        "accessibility_needs": None}


def test_weak_pseudonym_evidence_names_the_hash_without_showing_it():
    tables, _, _ = CASES["weak_pseudonymisation"]
    (evidence,) = get_check("weak_pseudonymisation").run(tables, POLICY, AS_OF).evidence
    assert evidence == {"record_id": "C1", "email": "a***@w***.de", "pseudonym": "***(32)",
                        "pseudonym_is": "md5(email)"}


def test_erasure_evidence_names_what_remains_as_the_rule_judges_it():
    """Filled personal fields and the notes that are not blank (a note of spaces is no remains)."""
    requests = table("requests", request("R1", "2026-01-05", "2026-01-20", type="erasure"),
                     request("R2", "2026-01-05", "2026-01-20", type="erasure", contact_id="C2"))
    gone = ERASED
    people = contacts({**gone, "contact_id": "C1", "last_name": " ", "email": "a@b.de"},
                      {**gone, "contact_id": "C2"})
    notes = table("activities", *({"activity_id": f"E{i}", "contact_id": c, "type": "note", "note": n}
                                  for i, (c, n) in enumerate([("C1", "Rang."), ("C1", "Moved."), ("C1", "  "),
                                                              ("C2", " "), ("C2", None)])))
    result = get_check("erasure_incomplete").run({"requests": requests, "contacts": people,
                                                  "activities": notes}, POLICY, AS_OF)
    assert result.record_ids == ("R1",)
    assert result.evidence[0]["remaining"] == "email, 2 notes"


def test_column_rule_evidence_describes_the_column():
    tables, _, _ = CASES["undeclared_personal_data"]
    (evidence,) = get_check("undeclared_personal_data").run(tables, POLICY, AS_OF).evidence
    assert evidence == {"record_id": "hobbies", "non_empty_values": "1", "example": "golf",
                        "in_record_of_processing": "no"}


# ---------------------------------------------------------------------------------------------------------
# a generated dataset
# ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def assessment(typical_dir):
    return run_checks(read_dataset(typical_dir), read_policy(typical_dir), read_as_of(typical_dir),
                      dataset=str(typical_dir))


def test_every_rule_is_assessed_on_a_complete_dataset(assessment):
    assert all(r.status in STATUSES and r.status != "not_assessed" for r in assessment.results)
    assert assessment.scores.coverage == 1.0


def test_a_finding_never_counts_more_records_than_its_population(assessment):
    for r in assessment.results:
        assert 0 <= r.count <= r.population, r.rule_id


def test_findings_carry_what_an_auditor_needs(assessment):
    assert assessment.findings
    for f in assessment.findings:
        assert set(f) >= FINDING_KEYS, f["rule_id"]
        assert f["count"] == len(f["record_ids"]) > 0
        assert 0 < len(f["evidence"]) <= 5
        assert {e["record_id"] for e in f["evidence"]} <= set(f["record_ids"])


def test_evidence_shows_the_fields_of_the_very_record_it_names(typical_dir, assessment):
    """Each shown field is the masked value of that record's own field (looked up by its id), whichever
    selection of the table the finder worked on (marketing sends, online consents)."""
    tables = read_dataset(typical_dir)
    for result in assessment.results:
        check = result.check
        if check.unit == "column" or not result.evidence:
            continue
        key = TABLES[check.table].key
        records = tables[check.table].drop_duplicates(key).set_index(key)
        for item in result.evidence:
            for col in check.evidence_fields:
                if col in records.columns:
                    expected = show(records.at[item["record_id"], col], check.table, col)
                    assert item[col] == expected, (check.id, item["record_id"], col)


def test_every_extra_evidence_says_which_columns_it_reads():
    """So that the engine reads only those columns of the sampled rows, never every column of a table."""
    undeclared = [c.id for c in CHECKS if c.implementation.evidence_reads is None]
    assert undeclared == []


#: a Salesforce Contact report as the CRM exports it: API names, a custom field, day-first dates as a
#: German user's export writes them, a namesake sharing only a phone written otherwise, a bad address
SALESFORCE_CONTACTS = (
    "Id,FirstName,LastName,Email,Phone,MailingCountry,Birthdate,CreatedDate,Hobbies__c\n"
    "0035g00000AbCdE,Jörg,Strauß,joerg@example.de,+49 151 12345678,DE,01.05.1980,2024-01-02T09:00:00.000Z,"
    "golf\n"
    "0035g00000AbCdF,JÖRG,STRAUSS,j.strauss@,+4915112345678,DE,01.05.1980,2024-03-04T10:30:00.000Z,\n"
    "0035g00000AbCdG,Ana,Sousa,ana@example.pt,+351 912 345 678,PT,03.02.1990,2024-05-06T11:00:00.000Z,\n"
    "0035g00000AbCdH,Ana,Sousa,ana.sousa@example.pt,+351912345678,PT,03.02.1990,2024-07-08T12:00:00.000Z,\n"
    "0035g00000AbCdI,=cmd|' /C calc'!A0,Nobody,not an address,12,DE,,2024-09-10T13:00:00.000Z,\n"
)


def _evidence_inputs(profile: str, request, tmp_path):
    """(tables, policy, as-of) of a generated dataset, the hand-made boundary dataset, or an export."""
    if profile == "boundary":
        from audit.rules.boundary import tables
        return tables(), POLICY, AS_OF
    if profile == "salesforce":
        from gdprlab.crm.exports import load_export
        (tmp_path / "Contact.csv").write_text(SALESFORCE_CONTACTS, encoding="utf-8")
        return load_export(tmp_path)[0], POLICY, AS_OF
    folder = request.getfixturevalue("typical_dir" if profile == "typical" else "messy_parquet_dir")
    return read_dataset(folder), read_policy(folder), read_as_of(folder)


@pytest.mark.parametrize("profile", ["typical", "messy", "boundary", "salesforce"])
def test_evidence_from_the_columns_declared_is_the_evidence_from_every_column(profile, request, tmp_path,
                                                                                 monkeypatch):
    """What each rule's evidence reads of the sampled rows is all it needs: given every column instead,
    every finding shows the same evidence, on generated data, hand-made boundary cases and an export."""
    tables, policy, as_of = _evidence_inputs(profile, request, tmp_path)

    def checked() -> list:
        found = run_checks(tables, policy, as_of)
        return [(r.rule_id, r.evidence) for r in found.results]

    declared = checked()
    monkeypatch.setattr(type(CHECKS[0].implementation), "evidence_reads", property(lambda self: None))
    assert checked() == declared
    assert sum(len(evidence) for _, evidence in declared) >= (50 if profile in ("typical", "messy") else 3)


def test_an_exports_duplicate_is_shown_with_its_earlier_twin_and_no_raw_value():
    """On a Salesforce export: the later Strauss (ß and SS alike) is a duplicate of the earlier one, by
    phone; its evidence names the twin by id and shows nothing of the export unmasked."""
    import tempfile
    from pathlib import Path

    from gdprlab.crm.exports import load_export

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "Contact.csv").write_text(SALESFORCE_CONTACTS, encoding="utf-8")
        tables = load_export(tmp)[0]
    result = run_checks(tables, POLICY, AS_OF, rules=["inaccurate_data"]).result("inaccurate_data")
    why = {e["record_id"]: e["why"] for e in result.evidence}
    assert why["0035g00000AbCdF"] == "invalid email; duplicate of 0035g00000AbCdE (phone)"
    assert why["0035g00000AbCdH"] == "duplicate of 0035g00000AbCdG (phone)"
    shown = repr(result.evidence)
    assert "j.strauss@" not in shown and "calc" not in shown and "STRAUSS" not in shown


def test_findings_come_most_severe_first(assessment):
    order = ["critical", "high", "medium", "low"]
    ranks = [order.index(f["severity"]) for f in assessment.findings]
    assert ranks == sorted(ranks)


def test_the_same_run_gives_the_same_evidence(typical_dir, assessment):
    again = run_checks(read_dataset(typical_dir), read_policy(typical_dir), read_as_of(typical_dir),
                       dataset=str(typical_dir))
    assert again.findings == assessment.findings


def test_metadata_names_date_dataset_and_catalogue(assessment, typical_dir):
    meta = assessment.metadata
    assert meta["as_of"] == "2026-06-30" and meta["dataset"] == str(typical_dir)
    assert meta["rule_catalogue_version"] == catalogue_version()


def test_with_a_findings_table_the_ids_stay_in_the_engine_under_the_run_id(typical_dir, tmp_path):
    """Counts, rates and evidence as without it; the ids are rows of (run_id, rule_id, record_id)."""
    import ibis

    con = ibis.duckdb.connect(tmp_path / "findings.duckdb")
    frames, policy, as_of = read_dataset(typical_dir), read_policy(typical_dir), read_as_of(typical_dir)
    kept = run_checks(frames, policy, as_of, backend=con, findings_table="findings")
    plain = run_checks(frames, policy, as_of)
    stored = con.table("findings").execute()
    assert set(stored["run_id"]) == {kept.run_id}
    for mine, other in zip(kept.results, plain.results, strict=True):
        assert mine.record_ids == () and mine.count == other.count and mine.evidence == other.evidence
        assert sorted(stored.loc[stored["rule_id"] == mine.rule_id, "record_id"]) == list(other.record_ids)
    assert kept.findings[0]["record_ids_in"] == "findings"
    again = run_checks(frames, policy, as_of, backend=con, findings_table="findings")
    assert len(con.table("findings").execute()) == 2 * len(stored) and again.run_id != kept.run_id


def test_a_rules_ids_are_dropped_from_the_engine_once_stored_in_the_findings_table(typical_dir):
    """Kept while the rule counts, stores and samples them, then given back: not held until the run ends."""
    import ibis

    con = ibis.duckdb.connect()
    t, _ = open_tables(read_dataset(typical_dir), con)
    check = get_check("consent_without_proof")  # as run_checks runs it, before the run's end releases all
    found = check._find(t, read_policy(typical_dir), read_as_of(typical_dir), 3, 0, "findings", "run")
    temporary = con.con.sql("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchnumpy()
    assert found.result.count > 0 and len(found.sample) == 3
    assert not [name for name in temporary["table_name"] if "_ids_" in name]


def test_the_engine_picks_as_evidence_the_ids_whose_seeded_md5_sorts_first(typical_dir, assessment):
    """Bounded, seeded, sorted: the ids with the smallest md5("seed:rule:id"), the same on every engine."""
    import hashlib

    def expected(ids: tuple[str, ...], rule_id: str, seed: int) -> list[str]:
        def pick(i: str) -> str:
            return hashlib.md5(f"{seed}:{rule_id}:{i}".encode()).hexdigest()
        return sorted(sorted(ids, key=pick)[:5])

    other = run_checks(read_dataset(typical_dir), read_policy(typical_dir), read_as_of(typical_dir), seed=1)
    many = [r for r in assessment.results if r.count > 5]
    assert many
    for r, again in zip(assessment.results, other.results, strict=True):
        shown = [e["record_id"] for e in r.evidence]
        assert shown == expected(r.record_ids, r.rule_id, 0), r.rule_id
        assert [e["record_id"] for e in again.evidence] == expected(r.record_ids, r.rule_id, 1), r.rule_id
    assert any([e["record_id"] for e in r.evidence] != [e["record_id"] for e in o.evidence]
               for r, o in zip(assessment.results, other.results, strict=True) if r.count > 5)


# ---------------------------------------------------------------------------------------------------------
# work in the background
# ---------------------------------------------------------------------------------------------------------

def _deferred(monkeypatch) -> list[str]:
    """One entry for each finder that sent its work to the background during the test."""
    from gdprlab.audit.rules.base import Tables

    sent: list[str] = []
    later = Tables.later

    def spy(self, work):
        if self.deferring:
            sent.append("later")
        return later(self, work)
    monkeypatch.setattr(Tables, "later", spy)
    return sent


def test_a_finder_working_in_the_background_gives_what_it_gives_at_once(typical_dir, monkeypatch):
    """identifier_in_free_text checks its notes in Python while the engine runs the next rules; the result
    stays in catalogue order and is the one the rule gives when run alone, which works at once."""
    sent = _deferred(monkeypatch)
    tables, policy, as_of = read_dataset(typical_dir), read_policy(typical_dir), read_as_of(typical_dir)
    together = run_checks(tables, policy, as_of, dataset=str(typical_dir))
    assert sent == ["later"]
    assert [r.rule_id for r in together.results] == [c.id for c in CHECKS]
    got = together.result("identifier_in_free_text")
    alone = get_check("identifier_in_free_text").run(tables, policy, as_of)
    assert sent == ["later"]  # alone, nothing is deferred
    assert got.status == "failed" and got.seconds > 0
    assert (got.record_ids, got.population, got.evidence) == \
        (alone.record_ids, alone.population, alone.evidence)


def test_notes_too_many_to_keep_are_checked_as_they_come(typical_dir, monkeypatch):
    import gdprlab.audit.rules.encryption as encryption

    tables, policy, as_of = read_dataset(typical_dir), read_policy(typical_dir), read_as_of(typical_dir)
    kept = run_checks(tables, policy, as_of, rules=["identifier_in_free_text"])
    sent = _deferred(monkeypatch)
    monkeypatch.setattr(encryption, "NOTE_BATCH", 3)
    monkeypatch.setattr(encryption, "NOTES_KEPT", 5)
    streamed = run_checks(tables, policy, as_of, rules=["identifier_in_free_text"])
    assert sent == []
    rule = "identifier_in_free_text"
    assert streamed.result(rule).record_ids == kept.result(rule).record_ids
    assert kept.result(rule).count > 5


@pytest.mark.parametrize("together", [True, False], ids=["in the background", "at once"])
def test_an_error_of_work_in_the_background_is_the_rules_as_it_is_at_once(typical_dir, monkeypatch, together):
    import gdprlab.audit.rules.encryption as encryption
    from gdprlab.audit.rules.base import NotPortable

    tables, policy, as_of = read_dataset(typical_dir), read_policy(typical_dir), read_as_of(typical_dir)

    def run():
        if together:
            return run_checks(tables, policy, as_of).result("identifier_in_free_text")
        return get_check("identifier_in_free_text").run(tables, policy, as_of)

    def not_here(notes):
        raise NotPortable("no text scanner here")
    monkeypatch.setattr(encryption, "pasted_identifiers", not_here)
    result = run()
    assert (result.status, result.reason) == ("not_assessed", "no text scanner here")

    def broken(notes):
        raise RuntimeError("scanner broke")
    monkeypatch.setattr(encryption, "pasted_identifiers", broken)
    with pytest.raises(RuntimeError, match="scanner broke"):
        run()
