"""People rules on tiny hand-made tables: current data-protection training for CRM users, processor contracts.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

from helpers import table
from rule_cases import found


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


def test_a_processor_needs_an_art_28_3_contract_and_a_recipient_of_its_own_does_not():
    recipients = table("recipients",
                       {"recipient_id": "RC-none", "name": "MailCo", "kind": "processor", "country": "IE"},
                       {"recipient_id": "RC-dpa", "name": "HostCo", "kind": "processor",
                        "art28_contract": "DPA signed 2025-02-01"},
                       {"recipient_id": "RC-own", "name": "TaxCo", "kind": "recipient"})
    assert found("processor_without_contract", recipients=recipients) == ["RC-none"]
