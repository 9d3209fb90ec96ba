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
        _recipient("RC-br", "BR"),  # adequacy since Implementing Decision (EU) 2026/179: lawful
        _recipient("RC-cn", "CN"),  # no decision
        _recipient("RC-nowhere", None)).drop(columns=["derogation", "sa_informed_on"])  # an older export
    result = run_checks({"recipients": recipients}, Policy(), dt.date(2026, 6, 30),
                        rules=["transfer_without_safeguard"]).result("transfer_without_safeguard")
    assert result.record_ids == ("RC-cn", "RC-in-claimed", "RC-us")
    assert result.population == 9  # recipients with a country outside the EEA
    assert result.caveats == (
        "no recipients.derogation or sa_informed_on column: Art. 49 derogations read from safeguard, none on "
        "compelling legitimate interests with the authority informed",
        "1 recipient without a country: transfers not judged",
        "1 recipient outside the EEA on an Art. 49 derogation: whether the transfers are occasional "
        "(Recital 111) and, on compelling legitimate interests, not repetitive, of a limited number of "
        "people and used only where no safeguard or other derogation could apply (Art. 49(1), second "
        "subparagraph) is not judged")


def test_an_art_49_derogation_is_a_ground_and_compelling_interests_need_the_authority_informed():
    """Art. 49(1)(a)-(g) recorded: lawful (merits not judged). The second subparagraph (compelling legitimate
    interests): 'The controller shall inform the supervisory authority of the transfer'; without that, or
    informed only after as-of, no ground. An Art. 46 safeguard needs no derogation at all."""
    compelling = "49(1) second subparagraph: compelling legitimate interests"

    def row(recipient_id, safeguard=None, derogation=None, informed=None, country="IN"):
        return _recipient(recipient_id, country, safeguard) | {"derogation": derogation,
                                                                "sa_informed_on": informed}
    recipients = table(
        "recipients",
        *(row(f"RC-49-{point}", derogation=f"49(1)({point})") for point in "abcdefg"),
        row("RC-us-contract", derogation="49(1)(b) contract with the person", country="US"),
        row("RC-informed", derogation=compelling, informed="2026-05-04"),
        row("RC-informed-on-as-of", derogation=compelling, informed="2026-06-30"),
        row("RC-not-informed", derogation=compelling),  # found
        row("RC-informed-later", derogation=compelling, informed="2026-07-01"),  # after as-of: found
        row("RC-compelling-as-safeguard", safeguard="Compelling legitimate interests (49)"),  # found
        row("RC-scc-and-compelling", safeguard="46(2)(c) SCC", derogation=compelling),  # Art. 46: lawful
        row("RC-derogation-blank", derogation="\u3000"),  # found
        row("RC-jp-compelling", derogation=compelling, country="JP"))  # adequacy: no ground needed
    result = run_checks({"recipients": recipients}, Policy(), dt.date(2026, 6, 30),
                        rules=["transfer_without_safeguard"]).result("transfer_without_safeguard")
    assert result.record_ids == ("RC-compelling-as-safeguard", "RC-derogation-blank", "RC-informed-later",
                                 "RC-not-informed")
    assert result.caveats == (
        "13 recipients outside the EEA on an Art. 49 derogation: whether the transfers are occasional "
        "(Recital 111) and, on compelling legitimate interests, not repetitive, of a limited number of "
        "people and used only where no safeguard or other derogation could apply (Art. 49(1), second "
        "subparagraph) is not judged",)
