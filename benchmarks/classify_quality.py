"""How well gdprlab.audit.discovery.classify labels columns it has never seen, and how fast.

    .venv/bin/python benchmarks/classify_quality.py [--rows 1000000]

1. Real material nobody on the team wrote (../shared/realdata, beside the project): two datablist CSV
   exports (classified from headers and values) and the Salesforce Contact, Lead and Account describes
   (classified from API name, label and type only). EXPECTED below is our labelling of every column;
   non-obvious decisions carry a comment. Reports the accuracy of the category and of personal/not and
   lists every miss.
2. Generated data: every column of every table of a generated dataset against gdprlab/crm/schema.py's
   `category` (mapped through ColumnClass.record_category; None = not personal), plus the columns the
   generator plants (gdprlab/generator/governance.py).
3. Speed: classifying every column of a generated contacts table of --rows rows (target < 4 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gdprlab.audit.discovery.classify import NOT_PERSONAL, classify_fields, classify_table  # noqa: E402

REALDATA = ROOT.parent / "shared" / "realdata"

# Shared decisions, applied the same way in every object:
# - keys and references (Id, *Id, Jigsaw keys) are technical_id: pseudonymous links, not declared
#   themselves; the exception is a person's account/company reference, which is their employer.
# - record bookkeeping (IsDeleted, LastModifiedDate, SystemModstamp, LastViewedDate, CleanStatus,
#   GeocodeAccuracy) is metadata, not information about the person.
# - in a table of persons, the created date, status, source, rating, last activity, conversion and
#   e-mail bounce fields describe the person's relationship with the organisation: relationship.
# - company attributes (industry, revenue, employees, website, D-U-N-S) are company even on a lead.
_ADDRESS = {"Street": "postal_address", "City": "city", "State": "region", "PostalCode": "postal_code",
            "Country": "country", "Latitude": "location", "Longitude": "location",
            "GeocodeAccuracy": "metadata",  # quality of a geocode, says nothing about the person
            "Address": "postal_address"}


def _address(prefix: str, company: bool = False) -> dict[str, str]:
    return {prefix + k: ("company" if company and v != "metadata" else v) for k, v in _ADDRESS.items()}


EXPECTED: dict[str, dict[str, str]] = {
    "datablist_customers-100.csv": {
        "Index": "technical_id", "Customer Id": "technical_id", "First Name": "first_name",
        "Last Name": "last_name",
        "Company": "employer",  # a customer's company in a table of persons: their employer
        "City": "city", "Country": "country",
        "Phone 1": "phone", "Phone 2": "phone",  # US-style numbers without country: header decides
        "Email": "email",
        "Subscription Date": "relationship",
        "Website": "company",  # the customer's company website, not the person's
    },
    "datablist_people-100.csv": {
        "Index": "technical_id",
        "User Id": "technical_id",  # an internal key of the person's record, like contact_id
        "First Name": "first_name", "Last Name": "last_name", "Sex": "gender", "Email": "email",
        "Phone": "phone", "Date of birth": "date_of_birth", "Job Title": "job_title",
    },
    "salesforce_Contact_describe_fields.csv": {
        "Id": "technical_id", "IsDeleted": "metadata", "MasterRecordId": "technical_id",
        "AccountId": "account_reference",  # a reference to the account record of the contact's employer
        "LastName": "last_name", "FirstName": "first_name", "Salutation": "salutation", "Name": "name",
        **_address("Other"), **_address("Mailing"),
        "Phone": "phone",  # "Business Phone" of a contact: their direct line, personal
        "Fax": "phone", "MobilePhone": "phone", "HomePhone": "phone", "OtherPhone": "phone",
        "AssistantPhone": "phone",  # the assistant is a natural person too
        "ReportsToId": "technical_id",  # a reference to another contact record
        "Email": "email", "Title": "job_title", "Department": "department",
        "AssistantName": "name", "LeadSource": "relationship", "Birthdate": "date_of_birth",
        "Description": "free_text",  # "Contact Description": free text about the person
        "OwnerId": "technical_id", "CreatedDate": "relationship", "CreatedById": "technical_id",
        "LastModifiedDate": "metadata", "LastModifiedById": "technical_id", "SystemModstamp": "metadata",
        "LastActivityDate": "relationship",
        "LastCURequestDate": "relationship",  # stay-in-touch requests are sent to the person
        "LastCUUpdateDate": "relationship",
        "LastViewedDate": "metadata", "LastReferencedDate": "metadata",  # a user's view of the record
        "EmailBouncedReason": "email_status", "EmailBouncedDate": "email_status",  # flags, not addresses
        "IsEmailBounced": "email_status",
        "PhotoUrl": "photo",  # a picture of the person (biometric only if processed as such, Recital 51)
        "Jigsaw": "technical_id", "JigsawContactId": "technical_id", "CleanStatus": "metadata",
        "IndividualId": "technical_id",  # reference to the Individual (privacy preferences) record
    },
    "salesforce_Lead_describe_fields.csv": {
        "Id": "technical_id", "IsDeleted": "metadata", "MasterRecordId": "technical_id",
        "LastName": "last_name", "FirstName": "first_name", "Salutation": "salutation", "Name": "name",
        "Title": "job_title",
        "Company": "employer",  # the lead's company name on a person record: their employer
        **_address(""),
        "Phone": "phone", "MobilePhone": "phone", "Fax": "phone", "Email": "email",
        "Website": "company", "PhotoUrl": "photo", "Description": "free_text",
        "LeadSource": "relationship", "Status": "relationship",
        "Industry": "company",
        "Rating": "relationship",  # hot/warm/cold: an assessment of the person as a prospect
        "AnnualRevenue": "company", "NumberOfEmployees": "company", "OwnerId": "technical_id",
        "IsConverted": "relationship", "ConvertedDate": "relationship",
        "ConvertedAccountId": "account_reference",  # the account the lead became: like AccountId
        "ConvertedContactId": "technical_id", "ConvertedOpportunityId": "technical_id",
        "IsUnreadByOwner": "metadata", "CreatedDate": "relationship", "CreatedById": "technical_id",
        "LastModifiedDate": "metadata", "LastModifiedById": "technical_id", "SystemModstamp": "metadata",
        "LastActivityDate": "relationship", "LastViewedDate": "metadata", "LastReferencedDate": "metadata",
        "Jigsaw": "technical_id", "JigsawContactId": "technical_id", "CleanStatus": "metadata",
        "CompanyDunsNumber": "company", "DandbCompanyId": "technical_id",
        "EmailBouncedReason": "email_status", "EmailBouncedDate": "email_status",
        "IndividualId": "technical_id",
    },
    "salesforce_Account_describe_fields.csv": {
        "Id": "technical_id", "IsDeleted": "metadata", "MasterRecordId": "technical_id",
        "Name": "company", "Type": "company", "RecordTypeId": "technical_id", "ParentId": "technical_id",
        "Primary_Contact__c": "technical_id",  # a reference to a contact: the key, not the contact's data
        **_address("Billing", company=True), **_address("Shipping", company=True),
        "Phone": "company",  # "Account Phone": the company's switchboard, not a person's line
        "Fax": "company", "AccountNumber": "company", "Website": "company",
        "PhotoUrl": "company",  # the company's logo
        "Sic": "company", "Industry": "company", "AnnualRevenue": "company", "NumberOfEmployees": "company",
        "Ownership": "company", "TickerSymbol": "company",
        "Description": "company", "ns__Description__c": "company", "History__c": "company",
        "Rating": "company", "Site": "company", "OwnerId": "technical_id",
        "ns__LinkedAccount__c": "technical_id", "CreatedDate": "metadata", "CreatedById": "technical_id",
        "LastModifiedDate": "metadata", "LastModifiedById": "technical_id", "SystemModstamp": "metadata",
        "LastActivityDate": "metadata",  # activity with a company, not with a person
        "LastViewedDate": "metadata", "LastReferencedDate": "metadata",
        "IsPartner": "company", "IsCustomerPortal": "company", "ChannelProgramName": "company",
        "ChannelProgramLevelName": "company", "Jigsaw": "technical_id", "JigsawCompanyId": "technical_id",
        "CleanStatus": "metadata", "AccountSource": "company", "DunsNumber": "company",
        "Tradestyle": "company", "NaicsCode": "company", "NaicsDesc": "company", "YearStarted": "company",
        "SicDesc": "company", "DandbCompanyId": "technical_id", "OperatingHoursId": "technical_id",
    },
}


def personal(category: str) -> bool:
    return category not in NOT_PERSONAL


def classify_realdata(folder: Path = REALDATA) -> list[dict]:
    """One row per labelled column: file, column, expected and found category, personal flags."""
    rows = []
    for name, expected in EXPECTED.items():
        path = folder / name
        if name.startswith("salesforce_"):
            obj = name.split("_")[1]
            classes = classify_fields(pd.read_csv(path), obj)
        else:
            classes = classify_table(pd.read_csv(path, dtype=str), name.removesuffix(".csv"))
        found = {c.column: c for c in classes}
        missing = set(expected) ^ set(found)
        if missing:
            raise ValueError(f"{name}: labelled and actual columns differ: {sorted(missing)}")
        for col, exp in expected.items():
            c = found[col]
            rows.append({"file": name, "column": col, "expected": exp, "found": c.category,
                         "expected_personal": personal(exp), "found_personal": c.personal,
                         "confidence": c.confidence, "reasons": " | ".join(c.reasons)})
    return rows


def classify_values_only(folder: Path = REALDATA) -> list[dict]:
    """The datablist files with every header replaced by 'c0', 'c1', ...: the values alone decide."""
    rows = []
    for name, expected in EXPECTED.items():
        if name.startswith("salesforce_"):
            continue
        df = pd.read_csv(folder / name, dtype=str)
        blind = df.set_axis([f"c{i}" for i in range(df.shape[1])], axis=1)
        for col, c in zip(df.columns, classify_table(blind, ""), strict=True):
            exp = expected[col]
            rows.append({"file": name, "column": col, "expected": exp, "found": c.category,
                         "expected_personal": personal(exp), "found_personal": c.personal,
                         "confidence": c.confidence, "reasons": " | ".join(c.reasons)})
    return rows


def classify_generated(contacts: int = 3000, seed: int = 5, profile: str = "messy") -> list[dict]:
    """One row per column of a generated dataset, expected = the schema's record category."""
    from gdprlab.audit.discovery.classify import classify_columns
    from gdprlab.crm.schema import TABLES
    from gdprlab.generator import GeneratorConfig, generate
    from gdprlab.generator.governance import PURPOSELESS, UNDECLARED

    ds = generate(GeneratorConfig(contacts=contacts, seed=seed, as_of=dt.date(2026, 6, 30), profile=profile))
    planted = dict(UNDECLARED + PURPOSELESS)
    rows = []
    for c in classify_columns(ds.tables):
        table = TABLES[c.table]
        exp = table.column(c.column).category if c.column in table.column_names else planted[c.column]
        rows.append({"file": c.table, "column": c.column, "expected": exp, "found": c.record_category,
                     "expected_personal": exp is not None, "found_personal": c.personal,
                     "confidence": c.confidence, "reasons": " | ".join(c.reasons)})
    return rows


def score(rows: list[dict]) -> tuple[float, float, list[dict]]:
    """(category accuracy, personal/not accuracy, misses)."""
    frame = pd.DataFrame(rows)
    cat = frame["expected"].fillna("-") == frame["found"].fillna("-")
    pers = frame["expected_personal"] == frame["found_personal"]
    return float(cat.mean()), float(pers.mean()), [r for r, ok in zip(rows, cat, strict=True) if not ok]


def time_contacts(rows: int) -> tuple[float, int]:
    from gdprlab.generator import GeneratorConfig, generate

    contacts = generate(GeneratorConfig(contacts=rows, seed=1, as_of=dt.date(2026, 6, 30))).tables["contacts"]
    start = time.perf_counter()
    classes = classify_table(contacts, "contacts")
    return time.perf_counter() - start, len(classes)


def _report(title: str, rows: list[dict]) -> None:
    cat, pers, misses = score(rows)
    print(f"\n{title}: {len(rows)} columns; category accuracy {cat:.3f}, personal/not accuracy {pers:.3f}")
    for m in misses:
        print(f"  MISS {m['file']}.{m['column']}: expected {m['expected']}, found {m['found']}"
              f" ({m['confidence']:.2f}) -- {m['reasons']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="contacts for the speed run")
    args = parser.parse_args()
    if REALDATA.is_dir():
        rows = classify_realdata()
        _report("Real material (../shared/realdata)", rows)
        for name in EXPECTED:
            _report(f"  {name}", [r for r in rows if r["file"] == name])
        _report("Values only (datablist files, headers removed; informative, no target)",
                classify_values_only())
    else:
        print(f"{REALDATA} is absent: real-material accuracy skipped")
    _report("Generated dataset (messy profile, 3,000 contacts), against gdprlab/crm/schema.py",
            classify_generated())
    seconds, n = time_contacts(args.rows)
    print(f"\nSpeed: {n} columns of a {args.rows:,}-row generated contacts table in {seconds:.2f} s "
          f"(target < 4 s: {'met' if seconds < 4 else 'NOT met'})")


if __name__ == "__main__":
    main()
