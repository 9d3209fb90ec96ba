"""Education: policies reviewed within the interval the organisation set for their kind (Art. 24(1), 5(2))."""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from gdprlab.audit.rules.base import Tables, add_months, as_date, count_rows, per_value, record_ids, rule
from gdprlab.regulation.policy import Policy


@rule("policy_review_overdue", population=("policies", count_rows("policies")),
      evidence=("kind", "title", "owner", "last_reviewed_on"))
def policy_review_overdue(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Policies never reviewed, or whose last review plus their kind's interval is before as-of.

    A kind the organisation's policy sets no interval for is only judged on never having been reviewed.
    """
    p = t["policies"]
    reviewed = as_date(p["last_reviewed_on"])
    due = add_months(reviewed, per_value(p["kind"], policy.review_interval_months))
    return record_ids(p, "policies", reviewed.isnull() | (due < ibis.date(as_of)).fill_null(False))
