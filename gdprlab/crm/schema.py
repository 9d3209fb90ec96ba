"""The tables of a gdprlab CRM dataset: their columns, types and what personal data each column holds.

One description serves the generator (what to write), the record of processing (what to declare) and
the loaders and checks (what to expect). A column's `category` is None when it holds no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str", "int", "bool", "date" (YYYY-MM-DD) or "datetime" (ISO 8601, UTC)
    description: str
    category: str | None = None  # personal-data category, e.g. "name", "email", "national_id"
    special: bool = False  # Art. 9(1) special category
    encrypted: bool = False  # the record of processing requires encryption at rest (Art. 32(1)(a))
    purpose: str = ""  # purpose declared in the record of processing
    lawful_basis: str = ""  # Art. 6(1) point declared for that purpose
    erasure_record: bool = False  # kept after a completed erasure as its record (no one is identified by it)
    optional: bool = False  # an export may lack the column (readers accept its absence)


@dataclass(frozen=True)
class Table:
    name: str
    key: str
    description: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def erasable_names(self) -> list[str]:
        """The personal columns an erasure empties: all but those kept as the erasure's record."""
        return [c.name for c in self.columns if c.category and not c.erasure_record]

    @property
    def required_names(self) -> list[str]:
        """The columns every file of the table must have (all but the optional ones)."""
        return [c.name for c in self.columns if not c.optional]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, dtype: str, description: str, category: str | None = None, **kw) -> Column:
    return Column(name, dtype, description, category, **kw)


#: the record's lawful basis where no contract with the contact nor a named legal obligation supports the
#: processing (leads, contacts at business customers; birth dates and identity numbers): legitimate
#: interests, relied on only with a documented balancing test (Art. 6(1)(f), recital 47)
LEGITIMATE_INTERESTS = "6(1)(f), balancing test documented in the legitimate interests assessment LIA-{}"
_CONTRACT = dict(purpose="customer relationship management",
                 lawful_basis="6(1)(b) for a contract with the contact or steps at their request before one; "
                 + LEGITIMATE_INTERESTS.format("CRM") + " for leads and contacts at business customers")
_MARKETING = dict(purpose="direct marketing", lawful_basis="6(1)(a)")
_RECORD = dict(erasure_record=True)  # what an erased contact keeps: its key, status, dates and locale
#: an Art. 17(3) hold on data kept after an erasure or past retention: part of the erasure's record, absent
#: from older exports
_HOLD = dict(purpose="accountability for data kept after erasure", lawful_basis="6(1)(c)",
             erasure_record=True, optional=True)

#: where a contact's data came from and the Art. 14 information given about it: absent from older exports
_TRANSPARENCY = dict(purpose="accountability for information to data subjects", lawful_basis="6(1)(c)",
                     optional=True)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "accounts",
            "account_id",
            "Companies the organisation does business with.",
            (
                _c("account_id", "str", "Account key."),
                _c("name", "str", "Company name."),
                _c("vat_number", "str", "EU VAT number of the company."),
                _c("country", "str", "ISO 3166 country code."),
                _c("industry", "str", "Industry sector."),
                _c("website", "str", "Company website."),
                _c("created_at", "datetime", "When the account was created."),
            ),
        ),
        Table(
            "contacts",
            "contact_id",
            "Natural persons: the data subjects.",
            (
                _c("contact_id", "str", "Contact key."),
                _c("account_id", "str", "Company the contact works for, if any.", "employer", **_CONTRACT),
                _c("locale", "str", "Locale of the contact, e.g. de_DE.", "preference", **_CONTRACT,
                   **_RECORD),
                _c("country", "str", "Country of residence (ISO 3166).", "postal_address", **_CONTRACT,
                   **_RECORD),
                _c("language", "str", "Language for communication and notes.", "preference", **_CONTRACT,
                   **_RECORD),
                _c("gender", "str", "F or M, used for salutation.", "name", **_CONTRACT),
                _c("first_name", "str", "Given name.", "name", **_CONTRACT),
                _c("last_name", "str", "Family name.", "name", **_CONTRACT),
                _c("email", "str", "E-mail address.", "email", **_CONTRACT),
                _c("phone", "str", "Phone number (E.164).", "phone", **_CONTRACT),
                _c("street", "str", "Street and number.", "postal_address", **_CONTRACT),
                _c("postal_code", "str", "Postal code.", "postal_address", **_CONTRACT),
                _c("city", "str", "City.", "postal_address", **_CONTRACT),
                _c(
                    "birth_date",
                    "date",
                    "Date of birth.",
                    "date_of_birth",
                    purpose="age verification",
                    lawful_basis=LEGITIMATE_INTERESTS.format("AGE"),
                ),
                _c(
                    "national_id",
                    "str",
                    "National identification number.",
                    "national_id",
                    encrypted=True,
                    purpose="identity verification for contracts",
                    lawful_basis=LEGITIMATE_INTERESTS.format("ID"),
                ),
                _c(
                    "iban",
                    "str",
                    "Bank account for direct debit.",
                    "bank_account",
                    encrypted=True,
                    purpose="billing",
                    lawful_basis="6(1)(b)",
                ),
                _c(
                    "pseudonym",
                    "str",
                    "Keyed pseudonym used in analytics exports.",
                    "online_identifier",
                    purpose="product analytics",
                    lawful_basis="6(1)(f)",
                ),
                _c(
                    "accessibility_needs",
                    "str",
                    "Accessibility needs for events (health data).",
                    "health",
                    special=True,
                    encrypted=True,
                    purpose="event accessibility",
                    lawful_basis="6(1)(a)",
                ),
                _c(
                    "art9_condition",
                    "str",
                    "Art. 9(2) condition for special-category data, e.g. 9(2)(a).",
                    "processing_condition",
                    purpose="accountability for special-category data",
                    lawful_basis="6(1)(c)",
                ),
                _c(
                    "art9_categories",
                    "str",
                    "Art. 9(1) categories that condition covers, e.g. 'health; trade_union' (optional: "
                    "a condition without them covers health, the accessibility needs).",
                    "processing_condition",
                    purpose="accountability for special-category data",
                    lawful_basis="6(1)(c)",
                    optional=True,
                ),
                _c(
                    "art10_authorisation",
                    "str",
                    "Union or Member State law (or official authority) under which criminal-offence data "
                    "about the contact is processed (Art. 10).",
                    "processing_condition",
                    purpose="accountability for criminal-offence data",
                    lawful_basis="6(1)(c)",
                ),
                _c(
                    "status", "str", "lead, customer, former_customer or erased.", "relationship",
                    **_CONTRACT, **_RECORD,
                ),
                _c(
                    "customer_since",
                    "date",
                    "When the contact first bought a product or service of the organisation: the sale in "
                    "whose context their e-mail address may serve its own similar products (Dir. 2002/58 "
                    "Art. 13(2)); empty if never (optional).",
                    "relationship",
                    **_CONTRACT,
                    optional=True,
                ),
                _c(
                    "opt_out_offered_at_collection",
                    "bool",
                    "Whether the contact was clearly offered, free of charge and easily, to refuse e-mail "
                    "marketing when their e-mail address was collected (Dir. 2002/58 Art. 13(2)) (optional).",
                    "preference",
                    purpose="accountability for e-mail marketing",
                    lawful_basis="6(1)(c)",
                    optional=True,
                ),
                _c(
                    "obtained_from",
                    "str",
                    "Where the contact's data was obtained: data_subject (from the person: a form, an event, "
                    "a call) or a third party: purchased_list, partner_referral, public_source or enrichment "
                    "(optional).",
                    "relationship",
                    **_TRANSPARENCY,
                ),
                _c(
                    "art14_notice_on",
                    "date",
                    "When the contact was given the Art. 14 information about data not obtained from them "
                    "(optional).",
                    "relationship",
                    **_TRANSPARENCY,
                ),
                _c(
                    "first_disclosed_on",
                    "date",
                    "When the contact's data was first disclosed to a recipient (Art. 4(9): another "
                    "controller, such as a partner, or a processor), where the organisation records it; the "
                    "Art. 14 information is due by then at the latest (Art. 14(3)(c)) (optional).",
                    "relationship",
                    **_TRANSPARENCY,
                ),
                _c(
                    "art14_exemption",
                    "str",
                    "The Art. 14(5) point relied on for not giving that information, e.g. '14(5)(a) already "
                    "informed by the partner's notice' (optional).",
                    "relationship",
                    **_TRANSPARENCY,
                ),
                _c(
                    "created_at", "datetime", "When the contact entered the CRM.", "relationship",
                    **_CONTRACT, **_RECORD,
                ),
                _c(
                    "last_activity_at",
                    "datetime",
                    "Latest activity of any type with the contact (its creation when none).",
                    "relationship",
                    **_CONTRACT,
                    **_RECORD,
                ),
                _c(
                    "contract_ended_on",
                    "date",
                    "When the contract with the contact ended, where one did (optional): retention runs "
                    "from it or from the last interaction, whichever is later.",
                    "relationship",
                    **_CONTRACT,
                    **_RECORD,
                    optional=True,
                ),
                _c(
                    "retention_ground",
                    "str",
                    "Legal ground for data kept after an erasure or past retention, e.g. '17(3)(b) tax law' "
                    "(optional).",
                    "relationship",
                    **_HOLD,
                ),
                _c("retention_until", "date", "End of that retention (optional).", "relationship", **_HOLD),
            ),
        ),
        Table(
            "consents",
            "consent_id",
            "Consents per contact and purpose.",
            (
                _c("consent_id", "str", "Consent key."),
                _c("contact_id", "str", "Data subject."),
                _c("purpose", "str", "newsletter, event_invitations, product_offers or partner_offers."),
                _c("given_at", "datetime", "When consent was captured."),
                _c("withdrawn_at", "datetime", "When consent was withdrawn, if ever."),
                _c("source", "str", "Channel: web_form, mobile_app, event, phone or paper_form."),
                _c("wording_version", "str", "Version of the consent text shown."),
                _c(
                    "method",
                    "str",
                    "double_opt_in, unticked_checkbox, verbal, signed, pre_ticked_box or bundled_with_terms.",
                ),
                _c(
                    "parental_authorisation",
                    "bool",
                    "Holder of parental responsibility authorised (Art. 8(1)).",
                ),
            ),
        ),
        Table(
            "activities",
            "activity_id",
            "Interactions with contacts, including marketing sends.",
            (
                _c("activity_id", "str", "Activity key."),
                _c("contact_id", "str", "Data subject."),
                _c("staff_id", "str", "Staff member who logged it (empty for automated sends)."),
                _c("type", "str", "call, meeting, email (correspondence with the contact), note (filed by "
                   "staff) or marketing_email."),
                _c("purpose", "str", "For marketing_email: the consent purpose it serves."),
                _c(
                    "lawful_basis", "str", "For marketing_email: the Art. 6(1) basis relied on, e.g. "
                    "6(1)(a); for processing of restricted data: the Art. 18(2) ground, e.g. '18(2) legal "
                    "claims'."
                ),
                _c("occurred_at", "datetime", "When it happened."),
                _c(
                    "unsubscribe_link",
                    "bool",
                    "For marketing_email: whether the message offered a free and easy way to refuse further "
                    "marketing (Dir. 2002/58 Art. 13(2)) (optional).",
                    optional=True,
                ),
                _c(
                    "own_similar_product",
                    "bool",
                    "For marketing_email: whether it promotes the organisation's own products or services "
                    "similar to those the contact bought (Dir. 2002/58 Art. 13(2)) (optional).",
                    optional=True,
                ),
                _c(
                    "note",
                    "str",
                    "Free text written by staff, in the contact's language.",
                    "free_text",
                    **_CONTRACT,
                ),
            ),
        ),
        Table(
            "requests",
            "request_id",
            "Data-subject requests (Art. 15–22).",
            (
                _c("request_id", "str", "Request key."),
                _c("contact_id", "str", "Data subject."),
                _c("type", "str", "access, rectification, erasure, restriction, portability or objection."),
                _c("received_on", "date", "Date of receipt."),
                _c(
                    "extension_notified_on", "date", "When the subject was told of an extension (Art. 12(3))."
                ),
                _c("responded_on", "date", "Date of the reply; empty while open."),
                _c("status", "str", "open, completed or refused."),
                _c("lifted_on", "date", "For a completed restriction: when it was lifted (Art. 18(3)); empty "
                   "while it is in force (optional).", optional=True),
            ),
        ),
        Table(
            "breaches",
            "breach_id",
            "Personal data breaches (Art. 33(5) register).",
            (
                _c("breach_id", "str", "Breach key."),
                _c("aware_at", "datetime", "When the controller became aware."),
                _c("description", "str", "Facts: what happened."),
                _c("data_categories", "str", "Categories of personal data concerned."),
                _c("subjects_affected", "int", "Approximate number of data subjects concerned."),
                _c("consequences", "str", "Likely effects for the data subjects."),
                _c("measures", "str", "Remedial action taken or proposed."),
                _c("risk", "str", "unlikely, risk or high (likelihood of risk to the subjects)."),
                _c("notified_authority_at", "datetime", "When the supervisory authority was notified."),
                _c("delay_reason", "str", "Reasons for a notification later than 72 hours."),
                _c("subjects_informed_at", "datetime", "When the data subjects were told (Art. 34)."),
                _c("art34_exception", "str", "Art. 34(3) point relied on for not telling them, if any."),
            ),
        ),
        Table(
            "staff",
            "staff_id",
            "Employees with or without CRM access.",
            (
                _c("staff_id", "str", "Staff key."),
                _c(
                    "name",
                    "str",
                    "Full name.",
                    "name",
                    purpose="staff administration",
                    lawful_basis="6(1)(b)",
                ),
                _c(
                    "email",
                    "str",
                    "Work e-mail.",
                    "email",
                    purpose="staff administration",
                    lawful_basis="6(1)(b)",
                ),
                _c("department", "str", "Department."),
                _c("role", "str", "Job role."),
                _c("crm_access", "str", "none, standard, or full (full includes special-category fields)."),
                _c("start_date", "date", "Employment start."),
            ),
        ),
        Table(
            "training",
            "training_id",
            "Data-protection training completions.",
            (
                _c("training_id", "str", "Training record key."),
                _c("staff_id", "str", "Staff member."),
                _c("course", "str", "Course id."),
                _c("completed_on", "date", "Completion date."),
                _c("score", "int", "Score in percent."),
                _c("passed", "bool", "Whether the pass mark was reached."),
            ),
        ),
        Table(
            "record_of_processing",
            "field",
            "Art. 30 record of processing, one row per personal-data field.",
            (
                _c("field", "str", "table.column."),
                _c("table_name", "str", "Table."),
                _c("column_name", "str", "Column."),
                _c("category", "str", "Personal-data category."),
                _c("special_category", "bool", "Art. 9(1) data."),
                _c("purpose", "str", "Purpose of processing (Art. 30(1)(b))."),
                _c("lawful_basis", "str", "Art. 6(1) point."),
                _c("retention", "str", "Retention rule (Art. 30(1)(f))."),
                _c("requires_encryption", "bool", "Must be encrypted at rest."),
                _c("pseudonymised", "bool", "Values are pseudonyms, not direct identifiers."),
            ),
        ),
        Table(
            "recipients",
            "recipient_id",
            "Recipients of the contacts' personal data and the processors acting for the organisation (the "
            "record of processing, Art. 30(1)(d), (e)): CRM platform, e-mail, enrichment and call-centre "
            "vendors, partners.",
            (
                _c("recipient_id", "str", "Recipient key."),
                _c("name", "str", "Company name."),
                _c("kind", "str", "processor (processes on the organisation's behalf, Art. 28) or recipient "
                   "(a controller of its own)."),
                _c("purpose", "str", "What it receives the data for."),
                _c("country", "str", "Where it receives or processes the data (ISO 3166)."),
                _c("safeguard", "str", "For a country outside the EEA: the adequacy decision or appropriate "
                   "safeguard the transfer relies on, its article first, e.g. '46(2)(c) standard contractual "
                   "clauses', '45 EU-US Data Privacy Framework'."),
                _c("derogation", "str", "For a transfer with neither: the Art. 49(1) derogation relied on, "
                   "e.g. '49(1)(a) explicit consent', '49(1)(e) legal claims', or '49(1) second subparagraph "
                   "compelling legitimate interests' (optional).", optional=True),
                _c("sa_informed_on", "date", "For a transfer on compelling legitimate interests: when the "
                   "supervisory authority was informed of it (Art. 49(1) second subparagraph) (optional).",
                   optional=True),
                _c("art28_contract", "str", "For a processor: the contract or other legal act binding it "
                   "(Art. 28(3)), e.g. 'DPA of 2024-03-01'; empty if none."),
            ),
        ),
        Table(
            "decisions",
            "decision_id",
            "Decisions about contacts taken by automated processing (lead scoring, credit checks) (Art. 22).",
            (
                _c("decision_id", "str", "Decision key."),
                _c("contact_id", "str", "Data subject."),
                _c("kind", "str", "What was decided, e.g. lead_score, payment_terms, credit_limit."),
                _c("made_at", "datetime", "When the decision was taken."),
                _c("significant_effect", "bool", "Whether it produces legal effects concerning the contact "
                   "or similarly significantly affects them (Art. 22(1)), as the organisation assessed it."),
                _c("human_review", "bool", "Whether a person with the authority and competence to change it "
                   "reviewed the outcome before it took effect."),
                _c("art22_exception", "str", "The Art. 22(2) point relied on, e.g. '22(2)(a) necessary for "
                   "the instalment contract', '22(2)(c) explicit consent'; empty if none."),
                _c("art22_safeguards", "bool", "Whether the person can obtain human intervention, express "
                   "their point of view and contest the decision (Art. 22(3)) (optional).", optional=True),
                _c("special_categories", "bool", "Whether the decision is based on special-category data "
                   "(Art. 9(1)) (optional).", optional=True),
                _c("art9_condition", "str", "For a decision based on special-category data: the Art. 9(2) "
                   "point relied on, e.g. '9(2)(a) explicit consent' (Art. 22(4)) (optional).",
                   optional=True),
            ),
        ),
        Table(
            "policies",
            "policy_id",
            "Register of data-protection policies and their reviews.",
            (
                _c("policy_id", "str", "Policy key."),
                _c(
                    "kind",
                    "str",
                    "privacy_notice, retention_policy, incident_response_plan, training_material, …",
                ),
                _c("title", "str", "Title."),
                _c("owner", "str", "Role responsible."),
                _c("last_reviewed_on", "date", "Date of the last review."),
            ),
        ),
    )
}
