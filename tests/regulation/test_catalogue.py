"""The rule catalogue: complete, well-formed, and citing paragraphs that exist in the Regulation."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from gdprlab.crm.schema import TABLES
from gdprlab.regulation.catalogue import (
    CONCERNS,
    RULES,
    SEVERITIES,
    Rule,
    get_rule,
    parse_article,
    read_rules,
    rules_for,
)

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
REQUIRED = {
    "special_category_without_condition",
    "identifier_in_free_text",
    "undeclared_personal_data",
    "marketing_without_basis",
    "electronic_marketing_without_consent",
    "consent_without_proof",
    "processing_after_withdrawal",
    "child_consent_without_authorisation",
    "invalid_consent_form",
    "field_without_purpose",
    "retention_exceeded",
    "inaccurate_data",
    "plaintext_sensitive_field",
    "weak_pseudonymisation",
    "excessive_access",
    "request_overdue",
    "extension_not_notified",
    "erasure_incomplete",
    "processing_after_erasure_or_restriction",
    "untrained_crm_user",
    "breach_notified_late",
    "breach_not_notified",
    "subjects_not_informed",
    "breach_record_incomplete",
    "policy_review_overdue",
    # issue 15: rules a CRM audit needs
    "processor_without_contract",
    "transfer_without_safeguard",
    "automated_decision_without_exception",
    "third_party_data_without_notice",
}


#: rules whose card says what is lawful and what it follows (the optional fields, filled rule by rule)
CARDS_FILLED = ("special_category_without_condition", "identifier_in_free_text")


@pytest.mark.parametrize("rule_id", CARDS_FILLED)
def test_these_rule_cards_say_what_is_not_a_violation_and_their_sources(rule_id):
    card = get_rule(rule_id)
    assert len(card.not_a_violation) > 60 and card.sources
    assert all(s.startswith(("Art. ", "Recital ", "EDPB ", "PCI DSS ")) for s in card.sources)


def test_the_identifier_rule_cites_encryption_and_minimisation_and_judges_notes():
    card = get_rule("identifier_in_free_text")
    assert card.articles == ("32(1)(a)", "5(1)(c)") and card.table == "activities"
    assert card.concern == "encryption"


def test_the_catalogue_holds_every_required_rule_once():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert set(ids) >= REQUIRED


def test_every_concern_has_at_least_one_rule():
    assert all(rules_for(c) for c in CONCERNS)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_each_rule_is_complete(rule):
    assert rule.concern in CONCERNS and rule.severity in SEVERITIES
    assert rule.table in TABLES and rule.unit in ("record", "column")
    assert rule.title and len(rule.definition) > 60 and rule.remediation
    assert rule.articles and all(parse_article(a) for a in rule.articles)


def test_each_rule_card_says_what_is_not_a_violation_and_its_sources():
    for rule in RULES:
        assert rule.not_a_violation.strip(), rule.id
        assert rule.sources and all(s.strip() for s in rule.sources), rule.id


def test_the_rules_of_issue_15_say_what_is_not_a_violation_and_follow_their_sources():
    for rule_id in ("retention_exceeded", "inaccurate_data", "processing_after_erasure_or_restriction",
                    "processor_without_contract", "transfer_without_safeguard",
                    "automated_decision_without_exception", "third_party_data_without_notice"):
        rule = get_rule(rule_id)
        assert rule.not_a_violation and rule.sources, rule_id
        assert all(any(f"Art. {a.split('(')[0]}" in source for source in rule.sources) for a in rule.articles)


def test_article_references_parse_into_article_paragraph_point():
    assert parse_article("5(1)(e)") == (5, 1, "e")
    assert parse_article("33(1)") == (33, 1, None)
    with pytest.raises(ValueError, match="article reference"):
        parse_article("Art. 5")


def test_an_unknown_rule_id_names_the_known_ones():
    with pytest.raises(KeyError, match="retention_exceeded"):
        get_rule("nope")


def _regulation() -> dict[int, dict]:
    path = REALDATA / "gdpr_articles_commonaccord.json"
    if not path.exists():
        pytest.skip(
            f"GDPR text not found at {path} (../shared/realdata is absent outside the team's machines)"
        )
    return {a["article"]: a for a in json.loads(path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_cited_paragraph_and_point_exists_in_the_regulation(rule):
    text = _regulation()
    for ref in rule.articles:
        art, para, point = parse_article(ref)
        assert art in text, f"Art. {ref} not found"
        if para is None:  # a whole article (Art. 10 is one paragraph, which the file leaves out)
            continue
        paragraphs = text[art]["paragraphs"]
        key = f"{para}.{ord(point) - ord('a') + 1}" if point else str(para)
        assert key in paragraphs or f"{key}.0" in paragraphs, f"Art. {ref} not found"


#: rules whose rule card says what lawful conduct they leave alone and which sources they follow
CARDS = ("marketing_without_basis", "electronic_marketing_without_consent", "processing_after_withdrawal")


@pytest.mark.parametrize("rule_id", CARDS)
def test_the_marketing_rules_name_the_lawful_conduct_they_do_not_report_and_their_sources(rule_id):
    rule = get_rule(rule_id)
    assert len(rule.not_a_violation) > 40 and rule.sources


def test_the_marketing_rules_follow_the_edpb_and_the_eprivacy_directive():
    """Contract and legal obligation cannot cover marketing (EDPB 2/2019); the basis cannot be swapped after
    the fact (EDPB 05/2020); e-mail marketing needs consent or the soft opt-in (Dir. 2002/58 Art. 13)."""
    basis, email = get_rule("marketing_without_basis"), get_rule("electronic_marketing_without_consent")
    assert "6(1)(b)" in basis.definition and "6(1)(c)" in basis.definition
    assert "document another" not in basis.remediation and "swapped" in basis.remediation
    assert any("2/2019" in s for s in basis.sources) and any("05/2020" in s for s in basis.sources)
    assert any("2002/58" in s and "13(1)" in s for s in email.sources)
    assert "95" in email.articles and "soft opt-in" in email.not_a_violation
    assert "electronic_marketing_without_consent" in basis.definition  # which rule reports what, in both
    assert "marketing_without_basis" in email.definition
    assert "processing_after_withdrawal" in email.definition


def test_a_rule_card_field_of_the_wrong_kind_is_rejected():
    with pytest.raises(ValueError, match="sources must be a list of non-empty texts"):
        read_rules(yaml.safe_dump([{**GOOD, "sources": ["EDPB", ""]}]), "rules.yaml")
    with pytest.raises(ValueError, match="not_a_violation must be a text"):
        read_rules(yaml.safe_dump([{**GOOD, "not_a_violation": ["a list"]}]), "rules.yaml")


def test_the_deadline_rules_quote_the_regulations_numbers():
    text = _regulation()
    assert "within one month of receipt" in text[12]["paragraphs"]["3"]
    assert "two further months" in text[12]["paragraphs"]["3"]
    assert "72 hours" in text[33]["paragraphs"]["1"]
    assert "at least 16 years" in text[8]["paragraphs"]["1"]
    assert "high risk" in text[34]["paragraphs"]["1"]


# --------------------------------------------------------------------------- rules.yaml

GOOD = {"id": "some_rule", "title": "A rule", "articles": ["5(1)(e)"], "concern": "minimisation",
        "severity": "low", "table": "contacts", "definition": "A contact kept too long.",
        "remediation": "Delete."}


def test_the_catalogue_is_the_shipped_rules_yaml_in_its_order():
    text = files("gdprlab.regulation").joinpath("rules.yaml").read_text(encoding="utf-8")
    assert read_rules(text, "rules.yaml") == RULES
    assert [entry["id"] for entry in yaml.safe_load(text)] == [rule.id for rule in RULES]


def test_a_rule_is_read_by_keyword_with_record_as_the_default_unit():
    (rule,) = read_rules(yaml.safe_dump([GOOD]), "rules.yaml")
    assert rule == Rule(id="some_rule", title="A rule", articles=("5(1)(e)",), concern="minimisation",
                        severity="low", table="contacts", definition="A contact kept too long.",
                        remediation="Delete.", unit="record")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"concern": "marketing"}, "unknown concern 'marketing'"),
        ({"severity": "severe"}, "unknown severity 'severe'"),
        ({"unit": "table"}, "unknown unit 'table'"),
        ({"articles": ["5(1)(e)", "Art. 6"]}, "not an article reference: 'Art. 6'"),
        ({"articles": "5(1)(e)"}, "articles must be a non-empty list"),
        ({"articles": [33]}, "not an article reference: 33"),
        ({"title": ""}, "title must be a non-empty text"),
        ({"owner": "DPO"}, "unknown field 'owner'"),
        ({"table": None}, "table must be a non-empty text"),
    ],
)
def test_a_malformed_rule_is_rejected_naming_the_file_and_the_rule(change, message):
    with pytest.raises(ValueError, match=f"^rules.yaml: rule 'some_rule': {re.escape(message)}"):
        read_rules(yaml.safe_dump([{**GOOD, "id": "first"}, {**GOOD, **change}]), "rules.yaml")


def test_a_rule_without_a_field_is_rejected_naming_it():
    entry = {k: v for k, v in GOOD.items() if k != "remediation"}
    with pytest.raises(ValueError, match="^rules.yaml: rule 'some_rule': missing field 'remediation'"):
        read_rules(yaml.safe_dump([entry]), "rules.yaml")


def test_an_id_used_twice_is_rejected_naming_it():
    with pytest.raises(ValueError, match="^rules.yaml: rule 'some_rule' is defined twice"):
        read_rules(yaml.safe_dump([GOOD, {**GOOD, "title": "Another"}]), "rules.yaml")


@pytest.mark.parametrize("text", ["{some_rule: {}}", "- title: no id", "- id: [a, list]"])
def test_a_file_that_is_not_a_list_of_rules_with_ids_is_rejected(text):
    with pytest.raises(ValueError, match="^rules.yaml: expected a list of rules, each with an id"):
        read_rules(text, "rules.yaml")
