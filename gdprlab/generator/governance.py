"""The record of processing (Art. 30), the policy register, and planted undeclared or purposeless fields."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gdprlab.crm.schema import TABLES
from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.frames import arrow_column, arrow_text, take
from gdprlab.generator.labels import Labels, pick
from gdprlab.regulation.law import add_months
from gdprlab.regulation.policy import POLICY_KINDS, Policy

#: extra contact columns a careless CRM admin adds: (column, category). The undeclared ones are of categories
#: of personal data the record of processing does not declare (Art. 30(1)(c) asks for categories: a second
#: phone number would be covered by the declared "phone")
UNDECLARED = (("nationality", "nationality"), ("annual_income", "income"), ("signup_ip", "ip_address"))
_NATIONALITY = {"DE": "German", "FR": "French", "IT": "Italian", "ES": "Spanish", "NL": "Dutch",
                "PL": "Polish", "SE": "Swedish", "PT": "Portuguese"}
PURPOSELESS = (
    ("marital_status", "family_status"),
    ("hobbies", "interests"),
    ("number_of_children", "family_status"),
)
OWNERS = {
    "privacy_notice": "data_protection_officer",
    "retention_policy": "data_protection_officer",
    "incident_response_plan": "it_admin",
    "training_material": "hr_officer",
    "record_of_processing": "data_protection_officer",
    "consent_wording": "marketing_specialist",
    "access_control_policy": "it_admin",
    "dpia_register": "data_protection_officer",
}


def retention_text(policy: Policy, table: str) -> str:
    if table == "contacts":
        parts = ", ".join(f"{s}: {m} months after last activity" for s, m in policy.retention_months.items())
        return f"per retention policy ({parts})"
    return "per retention policy"


def make_ropa(policy: Policy, extra_purposeless: list[str]) -> pd.DataFrame:
    rows = [
        {
            "table_name": t.name,
            "column_name": c.name,
            "category": c.category,
            "special_category": c.special,
            "purpose": c.purpose,
            "lawful_basis": c.lawful_basis,
            "retention": retention_text(policy, t.name),
            "requires_encryption": c.encrypted or c.special,
            "pseudonymised": c.name == "pseudonym",
        }
        for t in TABLES.values()
        for c in t.columns
        if c.category
    ]
    category = dict(PURPOSELESS)
    rows += [
        {
            "table_name": "contacts",
            "column_name": col,
            "category": category[col],
            "special_category": False,
            "purpose": "",
            "lawful_basis": "",
            "retention": retention_text(policy, "contacts"),
            "requires_encryption": False,
            "pseudonymised": False,
        }
        for col in extra_purposeless
    ]
    df = pd.DataFrame(rows)
    df.insert(0, "field", df["table_name"] + "." + df["column_name"])
    return df


def choose_extra_columns(cfg: GeneratorConfig, rng: np.random.Generator, labels: Labels) -> list[str]:
    """Which planted columns contacts get (labelled here, once per dataset); the first ones are undeclared."""
    undeclared = [
        UNDECLARED[i][0] for i in pick(rng, np.ones(3, bool), cfg.rate("undeclared_personal_data"), 3)
    ]
    purposeless = [
        PURPOSELESS[i][0] for i in pick(rng, np.ones(3, bool), cfg.rate("field_without_purpose"), 3)
    ]
    labels.add("undeclared_personal_data", "contacts", undeclared, 3)
    labels.add("field_without_purpose", "contacts", purposeless, 3)
    return undeclared + purposeless


def purposeless_columns(columns: list[str]) -> list[str]:
    """The chosen columns that the record of processing lists (without a purpose)."""
    return [col for col in columns if col in dict(PURPOSELESS)]


def fill_extra_columns(contacts: pd.DataFrame, columns: list[str], rng: np.random.Generator) -> None:
    """Add the chosen planted columns to contacts, filled for 30% of the contacts not erased.

    Every column's random draws are made, whichever are chosen (so a choice never shifts the others' data);
    only the chosen columns' text is built, as Arrow arrays (no Python string per value).
    """
    n = len(contacts)
    filled = (rng.random(n) < 0.3) & (contacts["status"] != "erased").to_numpy()
    number = rng.integers(100, 999, n)
    rng.integers(2**31)  # drawn as before, when a column of spouses' names was made from it
    draws = {"marital_status": rng.integers(4, size=n), "hobbies": rng.integers(5, size=n),
             "number_of_children": rng.integers(0, 4, size=n)}
    choices = {"marital_status": ["single", "married", "divorced", "widowed"],
               "hobbies": ["golf", "sailing", "cycling", "opera", "chess"],
               "number_of_children": ["0", "1", "2", "3"]}
    values: dict[str, Callable[[], pa.Array]] = {
        "nationality": lambda: arrow_text(contacts["country"].map(_NATIONALITY)),
        "annual_income": lambda: arrow_text(pd.Series(number * 100).astype(str)),
        "signup_ip": lambda: arrow_text("198.51.100." + pd.Series(number % 254 + 1).astype(str)),
        **{col: (lambda col=col: take(pa.array(choices[col]), draws[col])) for col in draws},
    }
    for col in columns:
        contacts[col] = arrow_column(pc.if_else(pa.array(filled), values[col](), None))


def make_policies(
    cfg: GeneratorConfig, policy: Policy, rng: np.random.Generator, labels: Labels
) -> pd.DataFrame:
    as_of = np.datetime64(cfg.as_of)
    n = len(POLICY_KINDS)
    interval = np.array([policy.review_interval_months[k] for k in POLICY_KINDS])
    due_from = add_months(np.full(n, as_of), -interval)
    reviewed = due_from + 2 + (rng.random(n) * ((as_of - due_from).astype(int) - 2)).astype(int)
    late = pick(rng, np.ones(n, dtype=bool), cfg.rate("policy_review_overdue"), n)
    reviewed[late] = due_from[late] - 2 - rng.integers(0, 200, size=len(late))
    df = pd.DataFrame(
        {
            "policy_id": [f"P{i + 1:02d}" for i in range(n)],
            "kind": POLICY_KINDS,
            "title": [k.replace("_", " ").capitalize() for k in POLICY_KINDS],
            "owner": [OWNERS[k] for k in POLICY_KINDS],
            "last_reviewed_on": reviewed,
        }
    )
    labels.add("policy_review_overdue", "policies", df["policy_id"].to_numpy()[late], n)
    return df
