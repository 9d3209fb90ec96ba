"""Education: policies reviewed within the interval the organisation set for their kind (Art. 24(1), 5(2));
the record of processing kept current with a ground for every transfer outside the EEA (Art. 30(1)(e),
44-49)."""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from gdprlab.audit.rules.base import (
    WHITESPACE,
    Tables,
    add_months,
    as_date,
    blank,
    count_rows,
    is_in,
    per_value,
    record_ids,
    rule,
)
from gdprlab.regulation.policy import Policy
from gdprlab.regulation.transfers import transfer_lists


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


#: a ground that names an adequacy decision: it starts with 45, Art. 45 or Article 45, or with "adequacy"
#: (ASCII case-insensitive, alike in RE2 and Java)
CITES_ADEQUACY = r"(?i)^ *((art(icle)?[ .]*)?45([^0-9]|$)|adequa)"


def country_code(r: ir.Table) -> ir.StringValue:
    """The recipient's country without blanks (Python's whitespace), upper-cased (ISO codes are ASCII)."""
    return r["country"].cast("string").translate(WHITESPACE, "").upper()


def _country_known(r: ir.Table) -> ir.BooleanValue:
    return ~blank(r["country"].cast("string"))


def _outside_eea(r: ir.Table) -> ir.BooleanValue:
    return _country_known(r) & ~is_in(country_code(r), sorted(transfer_lists().eea))


def _no_country(t: Tables) -> list[str]:
    """Recipients whose country is not recorded: whether their data leaves the EEA is not known."""
    r = t["recipients"]
    n = int(t.fetch(r.filter(~_country_known(r)).count()))
    return [f"{n} recipient{'s' if n != 1 else ''} without a country: transfers not judged"] if n else []


@rule("transfer_without_safeguard",
      population=("recipients outside the EEA", count_rows("recipients", _outside_eea)),
      evidence=("name", "kind", "country", "safeguard"), caveats=_no_country)
def transfer_without_safeguard(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Recipients outside the EEA in a country that no adequacy decision covers as a whole, whose recorded
    ground is blank, or names only an adequacy decision where the country has none (transfers.yaml)."""
    r = t["recipients"]
    lists = transfer_lists()
    code = country_code(r)
    ground = r["safeguard"].cast("string")
    cites_adequacy = ground.re_search(CITES_ADEQUACY).fill_null(False)
    none = blank(ground) | (cites_adequacy & ~is_in(code, sorted(lists.adequacy)))
    return record_ids(r, "recipients", _outside_eea(r) & ~is_in(code, lists.whole_adequacy()) & none)
