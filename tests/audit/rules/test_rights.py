"""Rights rules on tiny hand-made tables: Art. 12(3) deadlines in calendar months, extensions, erasure.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from helpers import table
from rule_cases import AS_OF, POLICY, found, request

from gdprlab.audit.engine import open_tables, run_checks
from gdprlab.audit.rules.rights import ERASED_COLUMNS, erased_columns

REALDATA = Path(__file__).resolve().parents[4] / "shared" / "realdata"


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


def test_a_late_extension_notice_does_not_extend_the_deadline():
    # Art. 12(3): the extension counts only if notified within one month; a reply after that month with a
    # late notice is overdue, and the late notice is reported too while the reply is within three months
    requests = table(
        "requests",
        request("R1", "2026-01-15", "2026-03-20", notice="2026-02-17"),  # late notice, reply within 3 months
        request("R2", "2026-01-15", "2026-04-16", notice="2026-02-17"),  # late notice and after 3 months
        request("R3", "2026-01-15", "2026-02-16", notice="2026-02-17"),  # replied within the month
        request("R4", "2026-04-20", None, notice="2026-05-25"),  # open after one month, within 3
    )
    assert found("extension_not_notified", requests=requests) == ["R1", "R4"]
    assert found("request_overdue", requests=requests) == ["R1", "R2", "R4"]


GERMANY = replace(POLICY, controller_country="DE")


def test_a_deadline_on_a_public_holiday_of_the_controllers_country_runs_to_the_next_working_day():
    # received 6 March 2026: one month ends on Easter Monday (6 April), a holiday in Germany
    requests = table("requests", request("R1", "2026-03-06", "2026-04-07"),
                     request("R2", "2026-03-06", "2026-04-08"))
    assert found("request_overdue", GERMANY, requests=requests) == ["R2"]
    assert found("request_overdue", requests=requests) == ["R1", "R2"]  # no country: weekends only


def test_a_saturday_deadline_before_a_holiday_monday_runs_to_tuesday_not_monday():
    # one month from 4 March 2026 ends on Saturday 4 April; Easter Monday follows: due Tuesday 7 April
    requests = table("requests", request("R1", "2026-03-04", "2026-04-07"),
                     request("R2", "2026-03-04", "2026-04-08"))
    assert found("request_overdue", GERMANY, requests=requests) == ["R2"]


def test_holidays_move_the_extension_notice_and_the_three_month_deadline_too():
    # received 1 April 2026: one month ends Friday 1 May (Labour Day) -> Monday 4 May, so a notice on 4 May
    # is in time; three months end on Wednesday 1 July, after the as-of date (30 June): not overdue
    requests = table("requests", request("R1", "2026-04-01", None, notice="2026-05-04"),
                     request("R2", "2026-04-01", "2026-05-04"))
    assert found("extension_not_notified", GERMANY, requests=requests) == []
    assert found("request_overdue", GERMANY, requests=requests) == []
    assert found("extension_not_notified", requests=requests) == ["R1"]  # weekends only: due Friday 1 May


def test_a_regional_holiday_counts_for_a_controller_in_that_region():
    # Corpus Christi (4 June 2026) is a holiday in Bavaria, not in Berlin
    requests = table("requests", request("R1", "2026-05-04", "2026-06-05"))
    bavaria, berlin = (replace(GERMANY, controller_subdivision=region) for region in ("BY", "BE"))
    assert found("request_overdue", bavaria, requests=requests) == []
    assert found("request_overdue", berlin, requests=requests) == ["R1"]


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


def _erased(contact_id: str, **kw) -> dict:
    return {"contact_id": contact_id, "status": "erased", "country": "DE", "locale": "de_DE",
            "language": "de", "created_at": "2024-01-01T00:00:00", **kw}


def _erasures(*contact_ids: str):
    return table("requests", *(request(f"R-{c}", "2026-01-05", "2026-01-20", contact_id=c, type="erasure")
                               for c in contact_ids))


TAX = {"retention_ground": "17(3)(b) tax law", "first_name": "Eva", "street": "Hauptstr. 1",
       "iban": "DE89370400440532013000"}


def test_erasure_data_kept_under_a_hold_in_force_is_not_flagged_and_an_ended_or_open_ended_hold_is():
    contacts = table("contacts",
                     _erased("C-held", **TAX, retention_until="2026-06-30"),  # ends on the as-of date
                     _erased("C-claims", retention_ground="17(3)(e) legal claims",
                             retention_until="2027-12-31", email="eva@example.de"),
                     _erased("C-note-held", retention_ground="17(3)(e)", retention_until="2027-12-31"),
                     _erased("C-ended", **TAX, retention_until="2026-06-29"),
                     _erased("C-no-end", **TAX),
                     _erased("C-no-ground", first_name="Eva", retention_until="2030-01-01"))
    activities = table("activities",
                       {"activity_id": "E1", "contact_id": "C-claims", "note": "Streit um Rechnung"},
                       {"activity_id": "E2", "contact_id": "C-note-held", "note": "Klage angedroht"})
    requests = _erasures("C-held", "C-claims", "C-note-held", "C-ended", "C-no-end", "C-no-ground")
    assert found("erasure_incomplete", requests=requests, contacts=contacts, activities=activities) == [
        "R-C-ended", "R-C-no-end", "R-C-no-ground"]


def test_erasure_that_blanks_name_email_and_phone_but_leaves_an_identifier_is_incomplete():
    left = {"iban": "DE89370400440532013000", "national_id": "T22000129", "birth_date": "1980-05-01",
            "street": "Hauptstr. 1", "account_id": "A1", "art9_condition": "9(2)(a)", "pseudonym": "p-1"}
    contacts = table("contacts", *(_erased(f"C-{col}", **{col: value}) for col, value in left.items()),
                     _erased("C-nothing", gender=None))
    requests = _erasures(*(f"C-{col}" for col in left), "C-nothing")
    assert found("erasure_incomplete", requests=requests, contacts=contacts) == sorted(
        f"R-C-{col}" for col in left)


def test_an_extra_column_read_as_personal_data_must_be_erased_too():
    """A column the schema does not know counts when its header reads as personal data (the classifier of
    `gdprlab scan`); one read as a technical id, metadata, nothing known, or a communication preference
    (kept to honour an objection to marketing, Art. 21(3)), a country, or a second column of the erasure's
    own record does not."""
    personal = {"hobbies": "sailing", "nationality": "German", "Description": "VIP, calls on Fridays"}
    kept = {"OwnerId": "005A1", "SystemModstamp": "2026-01-20T10:00:00Z", "gdpr_erased_at": "2026-01-20",
            "consent_status": "opted out", "OtherCountry": "DE", "LastActivityDate": "2026-01-04"}
    rows = [_erased(f"C-{col}") for col in [*personal, *kept]]
    contacts = table("contacts", *rows).assign(**dict.fromkeys([*personal, *kept]))
    for col, value in {**personal, **kept}.items():
        contacts.loc[contacts["contact_id"] == f"C-{col}", col] = value
    requests = _erasures(*(f"C-{col}" for col in [*personal, *kept]))
    assert found("erasure_incomplete", requests=requests, contacts=contacts) == sorted(
        f"R-C-{col}" for col in personal)
    result = run_checks({"requests": requests, "contacts": contacts}, POLICY, AS_OF,
                        rules=["erasure_incomplete"], evidence=10).result("erasure_incomplete")
    assert sorted(e["remaining"] for e in result.evidence) == sorted(personal)


def test_on_salesforces_contact_fields_an_erasure_judges_the_personal_ones_and_no_system_field():
    """Salesforce's own Contact fields (../shared/realdata), as extra columns of an export: what the reader
    does not map is judged when it is personal data of the person, never when it is a system field or a
    part of the erasure's record."""
    fields = REALDATA / "salesforce_Contact_describe_fields.csv"
    if not fields.exists():
        pytest.skip(f"{fields} is not on this machine")
    names = pd.read_csv(fields)["name"].astype(str).tolist()
    contacts = table("contacts", _erased("C1")).assign(**dict.fromkeys(names, "x"))
    judged = set(erased_columns(open_tables({"contacts": contacts})[0])) - set(ERASED_COLUMNS)
    assert {"OtherStreet", "MobilePhone", "HomePhone", "Title", "AssistantName", "Description",
            "PhotoUrl", "MailingLatitude"} <= judged
    assert not judged & {"Id", "IsDeleted", "MasterRecordId", "OwnerId", "CreatedById", "CreatedDate",
                         "LastModifiedDate", "LastModifiedById", "SystemModstamp", "LastViewedDate",
                         "LastActivityDate", "OtherCountry", "MailingCountry", "CleanStatus", "IndividualId"}


def test_erasure_with_nothing_left_but_its_record_passes():
    contacts = table("contacts", _erased("C1", last_activity_at="2026-01-04T00:00:00"))
    activities = table("activities", {"activity_id": "E1", "contact_id": "C1", "type": "call"})
    assert not found("erasure_incomplete", requests=_erasures("C1"), contacts=contacts, activities=activities)


def test_erasure_evidence_names_the_kinds_of_data_left_and_the_hold_masked():
    contacts = table("contacts", _erased("C1", **TAX, retention_until="2025-12-31"))
    activities = table("activities", {"activity_id": "E1", "contact_id": "C1", "note": "Eva Muster rief an"})
    result = run_checks({"requests": _erasures("C1"), "contacts": contacts, "activities": activities}, POLICY,
                        AS_OF, rules=["erasure_incomplete"]).result("erasure_incomplete")
    [shown] = result.evidence
    assert shown["remaining"] == "first_name, street, iban, 1 note"
    assert shown["hold"] == "17(3)(b) until 2025-12-31"  # the ground's point, not its free text
    assert "Eva" not in str(shown) and "DE89" not in str(shown)
    assert result.caveats == ()


def test_erasure_without_hold_columns_still_runs_and_says_holds_are_not_recognised():
    contacts = table("contacts", _erased("C1", **TAX)).drop(columns=["retention_ground", "retention_until"])
    result = run_checks({"requests": _erasures("C1"), "contacts": contacts}, POLICY, AS_OF,
                        rules=["erasure_incomplete"]).result("erasure_incomplete")
    assert result.status == "failed" and result.record_ids == ("R-C1",)
    assert ("no retention_ground/retention_until in contacts: data kept under Art. 17(3) not recognised"
            in result.caveats)


def _activity(activity_id: str, at: str, kind: str = "email", **kw) -> dict:
    return {"activity_id": activity_id, "contact_id": "C1", "type": kind, "occurred_at": at, **kw}


def _after(requests, *activities: dict, **contact) -> list[str]:
    return found("processing_after_erasure_or_restriction", requests=requests,
                 activities=table("activities", *activities),
                 contacts=table("contacts", {"contact_id": "C1", **contact}))


ERASED_ON = request("R1", "2026-03-02", "2026-03-10", type="erasure")


def test_any_processing_on_a_day_after_a_completed_erasure_is_found():
    acts = [_activity("E-before", "2026-03-09T12:00:00"),
            _activity("E-that-day", "2026-03-10T23:59:59", "marketing_email"),  # done later that day, maybe
            _activity("E-call", "2026-03-11T00:00:00", "call"),
            _activity("E-send", "2026-04-01T08:00:00", "marketing_email", lawful_basis="6(1)(f)"),
            _activity("E-note", "2026-04-02T08:00:00", "note"),
            _activity("E-purchase", "2026-04-03T08:00:00", "purchase")]  # the person came back: new
    assert _after(table("requests", ERASED_ON), *acts) == ["E-call", "E-note", "E-send"]


def test_an_open_or_refused_erasure_stops_nothing_yet():
    requests = table("requests", request("R1", "2026-05-02", type="erasure"),
                     request("R2", "2026-03-02", "2026-03-10", type="erasure", status="refused"))
    assert _after(requests, _activity("E1", "2026-06-01T08:00:00")) == []


def test_after_an_erasure_a_hold_in_force_covers_all_but_marketing():
    acts = [_activity("E-claim-mail", "2026-05-01T08:00:00"),
            _activity("E-claim-note", "2026-05-02T08:00:00", "note"),
            _activity("E-send", "2026-05-03T08:00:00", "marketing_email", lawful_basis="6(1)(a)"),
            _activity("E-after-hold", "2026-06-01T08:00:00")]  # the hold ended on 31 May
    held = {"status": "erased", "retention_ground": "17(3)(e) legal claims", "retention_until": "2026-05-31"}
    assert _after(table("requests", ERASED_ON), *acts, **held) == ["E-after-hold", "E-send"]
    no_ground = {**held, "retention_ground": " "}
    assert _after(table("requests", ERASED_ON), *acts, **no_ground) == [
        "E-after-hold", "E-claim-mail", "E-claim-note", "E-send"]


RESTRICTED = request("R1", "2026-03-02", "2026-03-10", type="restriction")


def test_a_restriction_applies_from_the_day_after_its_reply_until_the_day_it_is_lifted():
    acts = [_activity("E-before", "2026-03-10T18:00:00", "marketing_email"),
            _activity("E-during", "2026-03-11T00:00:00", "marketing_email"),
            _activity("E-last-day", "2026-04-30T23:59:59", "call"),
            _activity("E-lifted-day", "2026-05-01T00:00:00", "call")]
    lifted = table("requests", {**RESTRICTED, "lifted_on": "2026-05-01"})
    assert _after(lifted, *acts) == ["E-during", "E-last-day"]
    assert _after(table("requests", RESTRICTED), *acts) == ["E-during", "E-last-day", "E-lifted-day"]
    open_request = table("requests", request("R1", "2026-06-20", type="restriction"))
    assert _after(open_request, *acts) == []


def test_during_a_restriction_storage_and_a_recorded_art_18_2_ground_are_allowed():
    acts = [_activity("E-note", "2026-04-01T08:00:00", "note"),  # filed on the record: storage
            _activity("E-claims", "2026-04-02T08:00:00", lawful_basis="18(2) legal claims"),
            _activity("E-consent", "2026-04-03T08:00:00", "call", lawful_basis="Art. 18 (2) consent"),
            _activity("E-basis", "2026-04-04T08:00:00", "marketing_email", lawful_basis="6(1)(a)"),
            _activity("E-none", "2026-04-05T08:00:00", "meeting")]
    assert _after(table("requests", RESTRICTED), *acts) == ["E-basis", "E-none"]


def test_without_lifted_on_restrictions_are_taken_as_never_lifted_and_said_so():
    requests = table("requests", RESTRICTED).drop(columns=["lifted_on"])
    tables = {"requests": requests, "activities": table("activities", _activity("E1", "2026-06-01"))}
    rule_id = "processing_after_erasure_or_restriction"
    result = run_checks(tables, POLICY, AS_OF, rules=[rule_id]).result(rule_id)
    assert result.record_ids == ("E1",)
    assert "no lifted_on in requests: restrictions taken as never lifted" in result.caveats


# third_party_data_without_notice (as-of Tuesday 30 June 2026, default policy: no holidays, weekends only)

def _bought(contact_id: str, created: str = "2026-05-04T09:00:00", **kw) -> dict:
    return {"contact_id": contact_id, "obtained_from": "purchased_list", "created_at": created, **kw}


def _art14(*contacts: dict, activities=None, rules=("third_party_data_without_notice",)):
    tables = {"contacts": table("contacts", *contacts)}
    if activities is not None:
        tables["activities"] = table("activities", *activities)
    return run_checks(tables, POLICY, AS_OF, rules=list(rules)).result(rules[0])


def test_a_bought_lead_is_told_within_a_calendar_month_or_by_the_first_call_whichever_comes_first():
    result = _art14(
        _bought("C-month-end", art14_notice_on="2026-06-04"),  # 4 May + 1 month: Thursday 4 June
        _bought("C-day-late", art14_notice_on="2026-06-05"),
        _bought("C-never"),  # the month ended before as-of
        _bought("C-recent", "2026-06-10T09:00:00"),  # its month runs to 10 July; not contacted: not yet
        _bought("C-called", "2026-06-10T09:00:00"),  # called on 12 June, told on 15 June: too late
        _bought("C-told-on-the-call", "2026-06-10T09:00:00", art14_notice_on="2026-06-12"),
        activities=[_activity("E1", "2026-06-12T10:00:00", "call", contact_id="C-called"),
                    _activity("E2", "2026-06-12T10:00:00", "call", contact_id="C-told-on-the-call")])
    assert result.record_ids == ("C-called", "C-day-late", "C-never")
    assert result.population == 6


def test_a_lead_from_the_person_an_exemption_or_an_unknown_source_is_not_judged_unknown_ones_counted():
    result = _art14(_bought("C-subject", obtained_from="data_subject"),
                    _bought("C-exempt", art14_exemption="14(5)(a) informed by the partner's notice"),
                    _bought("C-fair", obtained_from="trade_fair"), _bought("C-never"), activities=[])
    assert result.record_ids == ("C-never",)
    assert any(c.startswith("1 contact whose obtained_from is neither data_subject") for c in result.caveats)


def test_without_the_source_column_the_art14_rule_is_not_assessed_and_without_the_notice_none_is_recorded():
    no_source = table("contacts", _bought("C1")).drop(columns=["obtained_from"])
    gone = run_checks({"contacts": no_source}, POLICY, AS_OF, rules=["third_party_data_without_notice"])
    assert gone.result("third_party_data_without_notice").status == "not_assessed"
    assert "obtained_from" in gone.result("third_party_data_without_notice").reason
    no_notice = table("contacts", _bought("C1", art14_notice_on="2026-05-10")).drop(
        columns=["art14_notice_on", "art14_exemption"])
    result = run_checks({"contacts": no_notice}, POLICY, AS_OF,
                        rules=["third_party_data_without_notice"]).result("third_party_data_without_notice")
    assert result.record_ids == ("C1",)
    assert "no contacts.art14_notice_on column: no Art. 14 notice is recorded" in result.caveats
    assert "first communications not checked (Art. 14(3)(b))" in result.caveats


def test_data_passed_to_a_recipient_is_told_by_the_first_disclosure_if_that_comes_first():
    """Art. 14(3)(c): 'if a disclosure to another recipient is envisaged, at the latest when the personal data
    are first disclosed'; the month of 14(3)(a) stays the outer limit."""
    result = _art14(
        _bought("C-shared", "2026-06-10T09:00:00", first_disclosed_on="2026-06-12"),  # not told: found
        _bought("C-told-when-shared", "2026-06-10T09:00:00", first_disclosed_on="2026-06-12",
                art14_notice_on="2026-06-12"),
        _bought("C-told-after-sharing", "2026-06-10T09:00:00", first_disclosed_on="2026-06-12",
                art14_notice_on="2026-06-13"),  # found
        _bought("C-shared-after-as-of", "2026-06-10T09:00:00", first_disclosed_on="2026-07-01"),
        _bought("C-shared-after-the-month", art14_notice_on="2026-06-04", first_disclosed_on="2026-06-20"),
        _bought("C-shared-exempt", "2026-06-10T09:00:00", first_disclosed_on="2026-06-12",
                art14_exemption="14(5)(c) disclosure laid down by law"),
        activities=[])
    assert result.record_ids == ("C-shared", "C-told-after-sharing")
    older = run_checks({"contacts": table("contacts", _bought("C-shared", "2026-06-10T09:00:00")).drop(
        columns=["first_disclosed_on"])}, POLICY, AS_OF, rules=["third_party_data_without_notice"]).result(
        "third_party_data_without_notice")
    assert older.record_ids == ()
    assert "no contacts.first_disclosed_on column: first disclosures not checked (Art. 14(3)(c))" in (
        older.caveats)


# automated_decision_without_exception

def _decision(decision_id: str, **kw) -> dict:
    return {"decision_id": decision_id, "contact_id": "C1", "kind": "payment_terms",
            "made_at": "2026-06-01T10:00:00", "significant_effect": True, "human_review": False, **kw}


def test_a_solely_automated_significant_decision_needs_an_art_22_2_exception():
    decisions = table("decisions", _decision("D-solely"),
                      _decision("D-contract", art22_exception="22(2)(a) necessary for the contract",
                                art22_safeguards=True),
                      _decision("D-consent", art22_exception="22(2)(c) explicit consent",
                                art22_safeguards=True),
                      _decision("D-reviewed", human_review=True),
                      _decision("D-lead-score", kind="lead_score", significant_effect=False))
    assert found("automated_decision_without_exception", decisions=decisions) == ["D-solely"]
    result = run_checks({"decisions": decisions}, POLICY, AS_OF,
                        rules=["automated_decision_without_exception"]).result(
        "automated_decision_without_exception")
    assert result.population == 4
    assert result.evidence[0]["kind"] == "payment_terms" and result.evidence[0]["human_review"] == "False"


def test_contract_and_consent_exceptions_need_the_art_22_3_safeguards_and_special_data_art_9_2_a_or_g():
    """Art. 22(3): 'In the cases referred to in points (a) and (c) of paragraph 2' the controller implements
    at least the right to obtain human intervention, to express one's view and to contest; 22(2)(b) law lays
    down its own measures. Art. 22(4): no special-category data 'unless point (a) or (g) of Article 9(2)
    apply'. A decision a person reviewed is not solely automated: Art. 22 does not apply."""
    decisions = table(
        "decisions",
        _decision("D-contract-bare", art22_exception="22(2)(a) contract", art22_safeguards=False),  # found
        _decision("D-consent-unrecorded", art22_exception="Art. 22(2)(c) explicit consent"),  # found
        _decision("D-law", art22_exception="22(2)(b) Consumer Credit Act", art22_safeguards=False),
        _decision("D-words", art22_exception="explicit consent", art22_safeguards=False),  # point unknown
        _decision("D-reviewed", human_review=True, art22_exception="22(2)(a) contract",
                  art22_safeguards=False),
        _decision("D-health-consent", art22_exception="22(2)(c) consent", art22_safeguards=True,
                  special_categories=True, art9_condition="9(2)(a) explicit consent"),
        _decision("D-health-law", art22_exception="22(2)(b) law", special_categories=True,
                  art9_condition="Art. 9(2)(g) substantial public interest"),
        _decision("D-health-claims", art22_exception="22(2)(b) law", special_categories=True,
                  art9_condition="9(2)(f) legal claims"),  # found
        _decision("D-health-none", art22_exception="22(2)(b) law", special_categories=True),  # found
        _decision("D-health-reviewed", human_review=True, special_categories=True))
    assert found("automated_decision_without_exception", decisions=decisions) == [
        "D-consent-unrecorded", "D-contract-bare", "D-health-claims", "D-health-none"]
    older = table("decisions", _decision("D-contract", art22_exception="22(2)(a) contract",
                                         special_categories=True)).drop(
        columns=["art22_safeguards", "art9_condition"])
    result = run_checks({"decisions": older}, POLICY, AS_OF, rules=["automated_decision_without_exception"]
                        ).result("automated_decision_without_exception")
    assert result.record_ids == ()
    assert set(result.caveats) == {
        "no decisions.art22_safeguards column: Art. 22(3) safeguards not checked",
        "no decisions.special_categories or art9_condition column: Art. 22(4) not checked"}
