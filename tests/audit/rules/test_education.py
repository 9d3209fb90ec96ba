"""Education rules on tiny hand-made tables: policy reviews within their interval.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

from helpers import table
from rule_cases import found

from gdprlab.regulation.policy import Policy


def test_policy_review_is_due_after_its_interval():
    policies = table("policies",
                     {"policy_id": "P1", "kind": "privacy_notice", "last_reviewed_on": "2025-06-30"},
                     {"policy_id": "P2", "kind": "privacy_notice", "last_reviewed_on": "2025-06-29"},
                     {"policy_id": "P3", "kind": "retention_policy"})  # never reviewed
    assert found("policy_review_overdue", policies=policies) == ["P2", "P3"]
    quarterly = Policy(review_interval_months={"privacy_notice": 3})
    assert found("policy_review_overdue", quarterly, policies=policies) == ["P1", "P2", "P3"]
