"""How real CRM exports name things, mapped to gdprlab's tables and columns.

Salesforce exports use API names (`MailingStreet`, `Birthdate`), HubSpot's API uses internal names
(`email`, `hs_legal_basis`) while its UI exports use labels ("Email", "Phone Number"), and Dynamics 365
uses logical names (`emailaddress1`, `donotbulkemail`). Headers are compared after normalisation
(lower case, no spaces, underscores, hyphens or dots), so "Phone Number", "phone_number" and
"PhoneNumber" are one key. Columns without a canonical equivalent keep their own names.
"""

from __future__ import annotations

import re
import unicodedata

#: file names (normalised stems, or a word they contain) -> canonical table
TABLE_NAMES: dict[str, tuple[str, ...]] = {
    "contacts": (
        "contacts",
        "contact",
        "lead",
        "leads",
        "people",
        "persons",
        "customers",
        "kontakte",
        "allcontacts",
    ),
    "accounts": ("accounts", "account", "companies", "company", "organisations", "organizations", "firmen"),
    "consents": ("consents", "consent", "subscriptions", "communicationpreferences", "individual"),
    "activities": ("activities", "activity", "tasks", "task", "events", "engagements", "notes", "calls"),
    "requests": ("requests", "datasubjectrequests", "dsr", "privacyrequests"),
    "breaches": ("breaches", "breachregister", "incidents"),
    "staff": ("staff", "users", "user", "employees", "systemusers"),
    "training": ("training", "trainings", "completions"),
    "record_of_processing": ("recordofprocessing", "ropa", "processingrecord"),
    "policies": ("policies", "policyregister"),
}

#: canonical table -> canonical column -> header spellings seen in exports
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "contacts": {
        "contact_id": (
            "Id",
            "Contact ID",
            "Lead ID",
            "Record ID",
            "hs_object_id",
            "contactid",
            "leadid",
            "Customer Id",
            "User Id",
        ),
        "account_id": ("AccountId", "associatedcompanyid", "Associated Company ID", "parentcustomerid"),
        "first_name": ("FirstName", "firstname", "First Name", "Vorname", "Prénom", "Nome", "Nombre"),
        "last_name": ("LastName", "lastname", "Last Name", "Nachname", "Nom", "Cognome", "Apellidos"),
        "email": ("Email", "email", "E-Mail", "Email Address", "emailaddress1", "PersonEmail"),
        "phone": ("Phone", "phone", "Phone Number", "telephone1", "Phone 1", "Telefon", "Téléphone"),
        "street": ("MailingStreet", "Street", "address", "Street Address", "address1_line1", "Straße"),
        "postal_code": (
            "MailingPostalCode",
            "PostalCode",
            "zip",
            "Postal Code",
            "address1_postalcode",
            "PLZ",
        ),
        "city": ("MailingCity", "City", "city", "address1_city", "Ort", "Ville"),
        "country": ("MailingCountry", "Country", "country", "Country/Region", "address1_country", "Land"),
        "birth_date": ("Birthdate", "birthdate", "Date of birth", "date_of_birth", "Geburtsdatum"),
        "gender": ("GenderIdentity", "gender", "gendercode", "Sex", "Gender", "Geschlecht"),
        "created_at": ("CreatedDate", "createdate", "Create Date", "createdon", "Subscription Date"),
        "last_activity_at": (
            "LastActivityDate",
            "notes_last_contacted",
            "Last Activity Date",
            "hs_last_sales_activity_timestamp",
            "lastusedincampaign",
        ),
        "language": ("hs_language", "Preferred language", "preferredlanguagecode"),
    },
    "accounts": {
        "account_id": ("Id", "Account ID", "Company ID", "Record ID", "hs_object_id", "accountid"),
        "name": ("Name", "Company name", "Account Name", "name"),
        "vat_number": ("VAT", "VAT Number", "VatNumber", "vat_id", "USt-IdNr"),
        "country": ("BillingCountry", "Country", "country", "Country/Region", "address1_country"),
        "industry": ("Industry", "industry", "industrycode"),
        "website": ("Website", "website", "Website URL", "domain", "websiteurl"),
        "created_at": ("CreatedDate", "createdate", "Create Date", "createdon"),
    },
}

#: consent-relevant flags that stay as extra contact columns under these names
EXTRA_CONTACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "email_opt_out": (
        "HasOptedOutOfEmail",
        "hs_email_optout",
        "Unsubscribed from all email",
        "donotbulkemail",
        "donotemail",
    ),
    "lawful_basis": ("hs_legal_basis", "Legal basis for processing contact's data"),
    "individual_id": ("IndividualId",),
}


def normalise(header: str) -> str:
    """'Phone Number', 'phone_number' and 'PhoneNumber' all become 'phonenumber' (accents dropped)."""
    plain = unicodedata.normalize("NFKD", str(header)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def table_for(stem: str) -> str | None:
    """The canonical table a file name stands for, e.g. 'Contact', 'hubspot-crm-exports-all-contacts-2024'."""
    key = normalise(stem)
    for table, names in TABLE_NAMES.items():
        if key in names:
            return table
    for table, names in TABLE_NAMES.items():
        if any(len(n) > 4 and n in key for n in names):
            return table
    return None


def column_map(table: str, headers: list[str]) -> dict[str, str]:
    """Export header -> canonical column for one table; the first header found for a column wins."""
    known = {**COLUMNS.get(table, {}), **(EXTRA_CONTACT_COLUMNS if table == "contacts" else {})}
    canonical = {normalise(c): c for c in known}
    lookup = {normalise(s): col for col, spellings in known.items() for s in spellings}
    out: dict[str, str] = {}
    for header in headers:
        key = normalise(header)
        col = canonical.get(key) or lookup.get(key)
        if col and col not in out.values():
            out[header] = col
    return out
