"""Tiny hand-made CRM records for the rule tests (tests/audit/rules), and the rules' verdicts on them.

The as-of date is Tuesday 30 June 2026 and the policy is gdprlab's default.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from helpers import table

from gdprlab.audit.engine import violating_ids
from gdprlab.regulation.policy import Policy

AS_OF = dt.date(2026, 6, 30)
POLICY = Policy()


def found(rule_id: str, policy: Policy = POLICY, as_of: dt.date = AS_OF, **tables: pd.DataFrame) -> list[str]:
    """The ids of the records violating `rule_id` in these tables, sorted."""
    return violating_ids(rule_id, tables, policy, as_of)


def ropa(*rows: dict) -> pd.DataFrame:
    return table("record_of_processing", *rows, table_name="contacts", purpose="crm",
                 requires_encryption=False)


def send(activity_id: str, at: str, purpose: str = "newsletter", basis: str | None = "6(1)(a)",
         contact_id: str = "C1") -> dict:
    return {"activity_id": activity_id, "contact_id": contact_id, "type": "marketing_email",
            "purpose": purpose, "lawful_basis": basis, "occurred_at": at}


def consent(consent_id: str, given: str | None, withdrawn: str | None = None, purpose: str = "newsletter",
            contact_id: str = "C1", **kw) -> dict:
    return {"consent_id": consent_id, "contact_id": contact_id, "purpose": purpose, "given_at": given,
            "withdrawn_at": withdrawn, "source": "web_form", "wording_version": "NEWS-2026.1",
            "method": "double_opt_in", "parental_authorisation": False, **kw}


def request(request_id: str, received: str, responded: str | None = None, notice: str | None = None,
            **kw) -> dict:
    return {"request_id": request_id, "contact_id": "C1", "type": "access", "received_on": received,
            "responded_on": responded, "extension_notified_on": notice,
            "status": "completed" if responded else "open", **kw}


def breach(breach_id: str, aware: str = "2026-01-01T00:00:00Z", **kw) -> dict:
    return {"breach_id": breach_id, "aware_at": aware, "description": "Laptop stolen.",
            "consequences": "Phishing.", "measures": "Remote wipe.", "risk": "risk", **kw}
