"""The catalogue of GDPR rules that gdprlab plants, checks, reports and teaches.

One place for every rule: the generator plants violations under these ids, the checks report findings
under them, reports and lessons quote their titles, articles and remediation. Each definition is precise
enough to test: it names the table whose records are labelled and the exact condition. Thresholds chosen
by the organisation (retention periods, refresh and review intervals, roles) come from the policy file
(`gdprlab.regulation.policy`); thresholds fixed by the Regulation come from `gdprlab.regulation.law`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONCERNS: tuple[str, ...] = (
    "classification",
    "permission",
    "minimisation",
    "encryption",
    "rights",
    "people",
    "security_plans",
    "education",
)
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
_ARTICLE = re.compile(r"^(\d{1,2})(?:\((\d{1,2})\))?(?:\(([a-z])\))?$")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    articles: tuple[str, ...]  # e.g. "5(1)(e)": article, paragraph, point
    concern: str
    severity: str
    table: str  # table whose records (or columns, when unit == "column") violate the rule
    definition: str
    remediation: str
    unit: str = "record"  # "record": record_id is the table's key; "column": record_id is a column name


RULES: tuple[Rule, ...] = (
    Rule(
        "special_category_without_condition",
        "Special-category data without an Art. 9(2) condition",
        ("9(1)", "9(2)"),
        "classification",
        "critical",
        "contacts",
        "A contact about whom special-category data (racial or ethnic origin, political opinions, religious "
        "or philosophical beliefs, trade-union membership, genetic or biometric data, health, sex life or "
        "sexual orientation) is held - a non-empty contacts.accessibility_needs, or an activity note that "
        "reveals such data - while contacts.art9_condition is empty.",
        "Record the Art. 9(2) condition relied on (usually explicit consent, 9(2)(a)) or delete the data; "
        "tell staff not to write such details into notes.",
    ),
    Rule(
        "undeclared_personal_data",
        "Personal data missing from the record of processing",
        ("30(1)(c)",),
        "classification",
        "medium",
        "contacts",
        "A column of the contacts table other than its key (every such column describes a natural person) "
        "that has no row in the record of processing.",
        "Add the column to the record of processing with its purpose, lawful basis and retention, or stop "
        "collecting it.",
        unit="column",
    ),
    Rule(
        "marketing_without_basis",
        "Marketing sent without consent or another lawful basis",
        ("6(1)",),
        "permission",
        "high",
        "activities",
        "A marketing_email whose lawful_basis is empty or 6(1)(a) (consent), sent to a contact who had "
        "given no consent for that purpose at or before the send time. A consent's form and proof are judged "
        "by their own rules; a send after a withdrawal is processing_after_withdrawal.",
        "Stop sends for purposes the contact never agreed to; gate campaigns on a consent valid at send "
        "time, or document another Art. 6(1) basis before relying on it.",
    ),
    Rule(
        "consent_without_proof",
        "Consent that cannot be demonstrated",
        ("7(1)",),
        "permission",
        "high",
        "consents",
        "A consent record lacking its capture time (given_at), its source channel or the version of the "
        "wording shown (wording_version).",
        "Keep, for every consent, when and where it was captured and the exact wording shown; re-collect "
        "consents that cannot be proven.",
    ),
    Rule(
        "processing_after_withdrawal",
        "Marketing after consent was withdrawn or the contact objected",
        ("7(3)", "21(3)"),
        "permission",
        "critical",
        "activities",
        "A marketing_email sent, whatever its lawful basis, at or after the withdrawal of the contact's "
        "consent for that purpose with no new consent for it given in between, or on or after the day an "
        "objection request of that contact was received.",
        "Honour withdrawals and objections at once across every sending tool; suppress the contact for "
        "that purpose (or all direct marketing after an objection).",
    ),
    Rule(
        "child_consent_without_authorisation",
        "Child's consent without parental authorisation",
        ("8(1)",),
        "permission",
        "high",
        "consents",
        "A consent captured online (source web_form or mobile_app, i.e. for an information society "
        "service) from a contact younger at given_at than the Art. 8 age of their country (16 unless the "
        "Member State chose 13, 14 or 15), with parental_authorisation false.",
        "Verify age at sign-up; obtain and record the authorisation of the holder of parental "
        "responsibility, or stop processing on that consent.",
    ),
    Rule(
        "invalid_consent_form",
        "Consent by pre-ticked box or bundled with terms",
        ("4(11)", "7(2)", "7(4)"),
        "permission",
        "high",
        "consents",
        "A consent record whose method is pre_ticked_box (no affirmative action, Art. 4(11)) or "
        "bundled_with_terms (not distinguishable from other matters, Art. 7(2), nor freely given, "
        "Art. 7(4)).",
        "Replace pre-ticked and bundled consents with a separate, unticked opt-in and re-collect consent.",
    ),
    Rule(
        "field_without_purpose",
        "Personal-data field without a purpose",
        ("5(1)(b)", "5(1)(c)"),
        "minimisation",
        "medium",
        "contacts",
        "A column of the contacts table listed in the record of processing with an empty purpose.",
        "Name the purpose of the field or delete it and stop collecting it.",
        unit="column",
    ),
    Rule(
        "retention_exceeded",
        "Contact kept past its retention period",
        ("5(1)(e)",),
        "minimisation",
        "medium",
        "contacts",
        "A contact (not erased) whose last_activity_at plus the retention period in calendar months set "
        "for its status in the organisation's policy is before the as-of date.",
        "Delete or anonymise contacts past retention; schedule the deletion job.",
    ),
    Rule(
        "inaccurate_data",
        "Invalid contact details or duplicate records",
        ("5(1)(d)",),
        "minimisation",
        "low",
        "contacts",
        "A contact (not erased) whose email is not a syntactically valid address, or whose phone is not a "
        "valid number for its country, or that duplicates an earlier-created contact with the same first "
        "name, last name and birth date (compared case-insensitively; the later one is labelled).",
        "Validate contact details at entry, fix or delete invalid ones and merge duplicates.",
    ),
    Rule(
        "plaintext_sensitive_field",
        "Sensitive field stored in plaintext",
        ("32(1)(a)",),
        "encryption",
        "high",
        "contacts",
        "A contact with a non-empty value in a column that the record of processing marks as requiring "
        "encryption (national_id, iban, accessibility_needs) that is not an encrypted token "
        "(the 'enc:v1:' prefix).",
        "Encrypt the column at rest with a managed key and re-encrypt legacy plaintext values.",
    ),
    Rule(
        "weak_pseudonymisation",
        "Pseudonym reversible by hashing known values",
        ("4(5)", "32(1)(a)"),
        "encryption",
        "high",
        "contacts",
        "A contact whose pseudonym equals the unsalted MD5, SHA-1 or SHA-256 hex digest of its e-mail "
        "address (trimmed, lower-case), so anyone holding a list of addresses can re-identify it.",
        "Use a keyed hash (HMAC) or tokenisation with the key kept separately, and rotate the pseudonyms.",
    ),
    Rule(
        "excessive_access",
        "Special-category access without need",
        ("25(2)", "32(4)"),
        "encryption",
        "high",
        "staff",
        "A staff member with crm_access 'full' (which includes special-category fields) whose role is not "
        "among the roles the policy allows such access.",
        "Reduce the role's access to 'standard'; grant special-category access only to roles that need it.",
    ),
    Rule(
        "request_overdue",
        "Data-subject request answered late",
        ("12(3)",),
        "rights",
        "high",
        "requests",
        "A request whose reply (or, while open, the as-of date) falls after its deadline: one calendar month "
        "from receipt, or three months when an extension was notified within the first month; a deadline "
        "on a weekend runs to the next Monday. A request whose only fault is a late extension notice is "
        "reported as extension_not_notified instead.",
        "Answer open requests now; track deadlines from the day of receipt and escalate before they pass.",
    ),
    Rule(
        "extension_not_notified",
        "Extension notified too late",
        ("12(3)",),
        "rights",
        "medium",
        "requests",
        "A request whose extension notice (extension_notified_on) came after the one-month deadline while "
        "the reply (or the as-of date, while open) falls after one month but within three.",
        "Tell the data subject of any extension, with reasons, within one month of receipt.",
    ),
    Rule(
        "erasure_incomplete",
        "Erasure marked done but data remains",
        ("17(1)",),
        "rights",
        "critical",
        "requests",
        "A completed erasure request whose contact still has a first name, last name, email or phone in "
        "contacts, or still has an activity with a non-empty note.",
        "Erase the subject's data from every table and system, including free-text notes, and verify.",
    ),
    Rule(
        "untrained_crm_user",
        "CRM user without current training",
        ("39(1)(b)", "32(4)"),
        "people",
        "medium",
        "staff",
        "A staff member with crm_access other than 'none' who has no passed training, or whose latest "
        "passed training plus the policy's refresh interval in calendar months is before the as-of date.",
        "Enrol the person in the data-protection lessons now and remove CRM access until they pass.",
    ),
    Rule(
        "breach_notified_late",
        "Breach notified after 72 hours without reasons",
        ("33(1)",),
        "security_plans",
        "high",
        "breaches",
        "A breach notified to the supervisory authority more than 72 hours after aware_at with no "
        "delay_reason recorded.",
        "Notify within 72 hours of awareness; when late, record and send the reasons for the delay.",
    ),
    Rule(
        "breach_not_notified",
        "Breach never notified",
        ("33(1)",),
        "security_plans",
        "critical",
        "breaches",
        "A breach whose risk is not assessed as unlikely (risk or high), with no notified_authority_at, "
        "more than 72 hours after aware_at at the as-of date.",
        "Notify the supervisory authority now, with reasons for the delay, or document why the breach is "
        "unlikely to result in a risk.",
    ),
    Rule(
        "subjects_not_informed",
        "High-risk breach not communicated to the data subjects",
        ("34(1)",),
        "security_plans",
        "critical",
        "breaches",
        "A breach with risk 'high', no subjects_informed_at and no Art. 34(3) exception recorded, more than "
        "72 hours after aware_at at the as-of date (the point past which gdprlab treats 'without undue "
        "delay' as missed).",
        "Tell the affected people in clear language what happened and what they can do, or record the "
        "Art. 34(3) exception that applies.",
    ),
    Rule(
        "breach_record_incomplete",
        "Breach register entry incomplete",
        ("33(5)",),
        "security_plans",
        "medium",
        "breaches",
        "A breach record missing its facts (description), its effects (consequences) or the remedial "
        "action taken (measures).",
        "Complete the register entry: facts, effects and remedial action, for every breach, notified or not.",
    ),
    Rule(
        "policy_review_overdue",
        "Policy not reviewed within its interval",
        ("24(1)", "5(2)"),
        "education",
        "low",
        "policies",
        "A policy whose last_reviewed_on plus the review interval (calendar months) set for its kind in the "
        "organisation's policy is before the as-of date, or that was never reviewed.",
        "Review the policy, record the review date and owner, and plan the next review.",
    ),
)

RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def get_rule(rule_id: str) -> Rule:
    """The rule with this id; a clear error lists the known ids otherwise."""
    try:
        return RULES_BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule {rule_id!r}; known rules: {', '.join(RULES_BY_ID)}") from None


def parse_article(ref: str) -> tuple[int, int | None, str | None]:
    """Split '5(1)(e)' into (5, 1, 'e'); raises ValueError on anything else."""
    m = _ARTICLE.match(ref)
    if not m:
        raise ValueError(f"not an article reference: {ref!r} (expected e.g. '5(1)(e)')")
    art, para, point = m.groups()
    return int(art), int(para) if para else None, point


def rules_for(concern: str) -> list[Rule]:
    """Rules of one concern, in catalogue order."""
    if concern not in CONCERNS:
        raise ValueError(f"unknown concern {concern!r}; concerns: {', '.join(CONCERNS)}")
    return [r for r in RULES if r.concern == concern]
