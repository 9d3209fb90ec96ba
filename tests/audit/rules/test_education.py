"""Education rules on tiny hand-made tables: policy reviews within their interval, transfers outside the EEA.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

import datetime as dt

from helpers import table
from rule_cases import found

from gdprlab.audit.engine import run_checks
from gdprlab.regulation.policy import Policy


def test_policy_review_is_due_after_its_interval():
    policies = table("policies",
                     {"policy_id": "P1", "kind": "privacy_notice", "last_reviewed_on": "2025-06-30"},
                     {"policy_id": "P2", "kind": "privacy_notice", "last_reviewed_on": "2025-06-29"},
                     {"policy_id": "P3", "kind": "retention_policy"})  # never reviewed
    assert found("policy_review_overdue", policies=policies) == ["P2", "P3"]
    quarterly = Policy(review_interval_months={"privacy_notice": 3})
    assert found("policy_review_overdue", quarterly, policies=policies) == ["P1", "P2", "P3"]


def _recipient(recipient_id: str, country: str | None, safeguard: str | None = None) -> dict:
    return {"recipient_id": recipient_id, "name": recipient_id, "kind": "processor", "country": country,
            "safeguard": safeguard, "art28_contract": "DPA"}


def test_a_transfer_outside_the_eea_needs_an_adequacy_decision_a_safeguard_or_a_derogation():
    recipients = table(
        "recipients",
        _recipient("RC-ie", "IE"), _recipient("RC-is", "IS"),  # the EEA
        _recipient("RC-jp", "JP"),  # adequacy for the whole country: lawful with nothing recorded
        _recipient("RC-us", "US"),  # the Data Privacy Framework covers certified organisations only
        _recipient("RC-us-dpf", "US", "45 EU-US Data Privacy Framework"),
        _recipient("RC-in-scc", "IN", "46(2)(c) standard contractual clauses"),
        _recipient("RC-in-bcr", "IN", "47 binding corporate rules"),
        _recipient("RC-in-consent", "IN", "49(1)(a) explicit consent after being told of the risks"),
        _recipient("RC-in-claimed", "IN", "45"),  # no adequacy decision for India
        _recipient("RC-br", "BR"),  # no decision adopted when the list was checked
        _recipient("RC-nowhere", None))
    result = run_checks({"recipients": recipients}, Policy(), dt.date(2026, 6, 30),
                        rules=["transfer_without_safeguard"]).result("transfer_without_safeguard")
    assert result.record_ids == ("RC-br", "RC-in-claimed", "RC-us")
    assert result.population == 8  # recipients with a country outside the EEA
    assert result.caveats == ("1 recipient without a country: transfers not judged",)
