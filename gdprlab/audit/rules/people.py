"""People: everyone with access to the CRM has passed current data-protection training (the controller's
measures, Art. 24(1), 29, 32(4), 5(1)(f)); every processor acting for the organisation is bound by an
Art. 28(3) contract."""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from gdprlab.audit.evidence import Evidence, show
from gdprlab.audit.rules.base import (
    Tables,
    add_months,
    as_date,
    blank,
    count_rows,
    is_in,
    is_true,
    key_in,
    reads,
    record_ids,
    rule,
)
from gdprlab.regulation.policy import Policy


def crm_users(s: ir.Table) -> ir.BooleanValue:
    return s["crm_access"].notnull() & ~is_in(s["crm_access"], ["none"])


def latest_passes(t: Tables, policy: Policy) -> ir.Table:
    """(staff_id, last_passed): each person's latest passed completion of the policy's course."""
    tr = t["training"]
    passed = tr.filter(is_true(tr["passed"]) & is_in(tr["course"], [policy.training_course]))
    return passed.group_by(p_staff=passed["staff_id"]).aggregate(last_passed=passed["completed_on"].max())


@reads()
def _last_passed(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    tr = t["training"]
    passed = tr.filter(is_true(tr["passed"]) & key_in(tr["staff_id"], list(rows.index)))
    latest = t.fetch(passed.group_by("staff_id").aggregate(last=passed["completed_on"].max()))
    latest = dict(zip(latest["staff_id"].astype(str), latest["last"], strict=True))
    return {i: {"last_passed": show(latest.get(i), "training", "completed_on")} for i in rows.index}


@rule("untrained_crm_user", population=("staff with CRM access", count_rows("staff", crm_users)),
      evidence=("name", "role", "crm_access"), requires=("training",), extra_evidence=_last_passed)
def untrained_crm_user(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """CRM users without a pass of the policy's course, or whose latest pass is past its refresh interval.

    "Passed training" is a passed completion of policy.training_course, the course the organisation
    counts as data-protection training.
    """
    s = t["staff"]
    latest = latest_passes(t, policy)
    s = s.left_join(latest, s["staff_id"] == latest["p_staff"])
    due = add_months(as_date(s["last_passed"]), policy.training_refresh_months)
    lapsed = s["last_passed"].isnull() | (due < ibis.date(as_of)).fill_null(False)
    return record_ids(s, "staff", crm_users(s) & lapsed)


def processors(r: ir.Table) -> ir.BooleanValue:
    return is_in(r["kind"], ["processor"])


@rule("processor_without_contract", population=("processors", count_rows("recipients", processors)),
      evidence=("name", "kind", "purpose", "country", "art28_contract"))
def processor_without_contract(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Recipients of kind processor with no Art. 28(3) contract or other legal act recorded (blank)."""
    r = t["recipients"]
    return record_ids(r, "recipients", processors(r) & blank(r["art28_contract"].cast("string")))
