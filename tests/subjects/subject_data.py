"""A copy of the sample dataset with the people the subject tests need: a member of staff who is also a
customer, a sole trader, a staff namesake of a customer, mentions of a customer in another record's note
and a third party in the customer's own note. The sample already has a name shared by two people (Börje
Andersson, born 1961 and 1986); the holds are set here (HOLDS)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from gdprlab.crm.files import write_csv

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"
#: Krystyna Cis (C0000001): a customer who is also on the staff list (S09999), with her private address
STAFF_CUSTOMER = {
    "staff_id": "S09999",
    "name": "Krystyna Cis",
    "email": "krystyna.cis@wp.pl",
    "department": "sales",
    "role": "sales_rep",
    "crm_access": "standard",
    "start_date": "2025-01-01",
}
#: a member of staff named like the customer Börje Andersson, but not linked to him by any identifier
STAFF_NAMESAKE = {
    "staff_id": "S09998",
    "name": "Börje Andersson",
    "email": "borje.andersson@staff.example.com",
    "department": "it",
    "role": "it_admin",
    "crm_access": "none",
    "start_date": "2024-01-01",
}
#: holds set whatever the sample says: Krystyna has none, Tamara Ferrer (C0000799, erased) one under tax law
HOLDS = {"C0000001": ("", ""), "C0000799": ("17(3)(b) tax law: invoices", "2034-11-01")}
#: notes planted on the first activity of a contact (activity ids shift when the sample is regenerated):
#: contact -> note
NOTES = {
    # another customer's note naming Krystyna Cis by e-mail and by phone (national form, spaced)
    "C0000002": "Polecenie od krystyna.cis@wp.pl, tel. 452 470 456: oddzwonić.",
    # Krystyna's own note naming a colleague (a third party, Art. 15(4))
    "C0000001": "Krystyna Cis nie chce już otrzymywać newslettera. Sprawę prowadzi Gislinde Hartung.",
    # a note of the contact under the legal hold
    "C0000799": "Tamara Ferrer: invoice questions, see tax file.",
    # the younger Börje Andersson's own note, naming himself: a mention of the elder's name too
    "C0001746": "Återuppringning: Börje Andersson vill bli uppringd på fredag efter kl. 9.",
}


def build(folder: Path) -> Path:
    shutil.copytree(SAMPLE, folder)
    staff = pd.read_csv(folder / "staff.csv", dtype=str, keep_default_na=False)
    write_csv(pd.concat([staff, pd.DataFrame([STAFF_CUSTOMER, STAFF_NAMESAKE])], ignore_index=True),
              folder / "staff.csv")
    accounts = pd.read_csv(folder / "accounts.csv", dtype=str, keep_default_na=False)
    accounts.loc[accounts["account_id"] == "A000017", "name"] = "Stanislaw Wähner Handel"
    write_csv(accounts, folder / "accounts.csv")
    contacts = pd.read_csv(folder / "contacts.csv", dtype=str, keep_default_na=False)
    for contact, (ground, until) in HOLDS.items():
        row = contacts["contact_id"] == contact
        contacts.loc[row, "retention_ground"], contacts.loc[row, "retention_until"] = ground, until
    write_csv(contacts, folder / "contacts.csv")
    activities = pd.read_csv(folder / "activities.csv", dtype=str, keep_default_na=False)
    for contact, note in NOTES.items():
        activities.loc[activities["activity_id"] == activity_of(folder, contact), "note"] = note
    write_csv(activities, folder / "activities.csv")
    return folder


def activity_of(folder: Path, contact_id: str) -> str:
    """The id of `contact_id`'s first activity (the one a planted note is on)."""
    a = pd.read_csv(folder / "activities.csv", dtype=str)
    return a.loc[a["contact_id"] == contact_id, "activity_id"].iloc[0]


def request_of(folder: Path, contact_id: str, kind: str) -> str:
    """The id of `contact_id`'s request of type `kind` (ids shift when the sample is regenerated)."""
    r = pd.read_csv(folder / "requests.csv", dtype=str)
    return r.loc[(r["contact_id"] == contact_id) & (r["type"] == kind), "request_id"].iloc[0]


def contact_of(folder: Path, request_id: str) -> str:
    r = pd.read_csv(folder / "requests.csv", dtype=str)
    return r.loc[r["request_id"] == request_id, "contact_id"].iloc[0]
