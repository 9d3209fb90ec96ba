"""Education: policies reviewed within the interval the organisation set for their kind (Art. 24(1), 5(2));
the record of processing kept current with a ground for every transfer outside the EEA (Art. 30(1)(e),
44-49)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import ibis
import ibis.expr.types as ir

from gdprlab.audit.rules.base import (
    WHITESPACE,
    Tables,
    add_months,
    as_date,
    blank,
    count_rows,
    filled,
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


#: a ground that names an Art. 49 derogation (older records keep it in safeguard), and one on the second
#: subparagraph of Art. 49(1), compelling legitimate interests (ASCII case-insensitive, alike in RE2 and Java)
CITES_DEROGATION = r"(?i)^ *(art(icle)?[ .]*)?49([^0-9]|$)"
CITES_COMPELLING = r"(?i)compelling +legitimate|second +subparagraph"
DEROGATION, SA_INFORMED = "derogation", "sa_informed_on"


def _text(r: ir.Table, column: str) -> ir.StringValue:
    return r[column].cast("string") if column in r.columns else ibis.null("string")


def _compelling(text: ir.StringValue) -> ir.BooleanValue:
    return text.re_search(CITES_COMPELLING).fill_null(False)


class _Grounds(NamedTuple):
    needed: ir.BooleanValue  # outside the EEA, in a country no adequacy decision covers as a whole
    safeguard: ir.BooleanValue  # an Art. 45 decision that covers the country, or an Art. 46 safeguard
    derogation: ir.BooleanValue  # a point (a)-(g) of Art. 49(1), in either column
    compelling: ir.BooleanValue  # compelling legitimate interests (Art. 49(1) second subparagraph)


def _grounds(r: ir.Table) -> _Grounds:
    lists = transfer_lists()
    code = country_code(r)
    safeguard, derogation = r["safeguard"].cast("string"), _text(r, DEROGATION)
    wrong_adequacy = (safeguard.re_search(CITES_ADEQUACY).fill_null(False)
                      & ~is_in(code, sorted(lists.adequacy)))
    cites_49 = safeguard.re_search(CITES_DEROGATION).fill_null(False)
    compelling = _compelling(safeguard) | _compelling(derogation)
    return _Grounds(
        needed=_outside_eea(r) & ~is_in(code, lists.whole_adequacy()),
        safeguard=filled(safeguard) & ~wrong_adequacy & ~cites_49 & ~_compelling(safeguard),
        derogation=(filled(derogation) & ~_compelling(derogation)) | (cites_49 & ~_compelling(safeguard)),
        compelling=compelling)


def _caveats(t: Tables) -> list[str]:
    """Recipients whose country is not recorded (whether their data leaves the EEA is not known), and those
    whose transfer rests on an Art. 49 derogation (whether its transfers are occasional is not in the data).
    """
    r = t["recipients"]
    g = _grounds(r)
    on_derogation = g.needed & ~g.safeguard & (g.derogation | g.compelling)
    unknown, derogations = (int(n) for n in t.fetch(r.aggregate(
        unknown=(~_country_known(r)).cast("int64").sum(), derogations=on_derogation.cast("int64").sum()
    )).iloc[0].fillna(0))
    out = [f"{unknown} recipient{'s' if unknown != 1 else ''} without a country: transfers not judged"
           ] if unknown else []
    return out + ([f"{derogations} recipient{'s' if derogations != 1 else ''} outside the EEA on an Art. 49 "
                   "derogation: whether the transfers are occasional (Recital 111) and, on compelling "
                   "legitimate interests, not repetitive, of a limited number of people and used only where "
                   "no safeguard or other derogation could apply (Art. 49(1), second subparagraph) is not "
                   "judged"]
                  if derogations else [])


_NO_DEROGATION_COLUMNS = (f"no recipients.{DEROGATION} or {SA_INFORMED} column: Art. 49 derogations read "
                          "from safeguard, none on compelling legitimate interests with the authority "
                          "informed")


@rule("transfer_without_safeguard",
      population=("recipients outside the EEA", count_rows("recipients", _outside_eea)),
      evidence=("name", "kind", "country", "safeguard", DEROGATION, SA_INFORMED), caveats=_caveats,
      optional_columns=dict.fromkeys((DEROGATION, SA_INFORMED), _NO_DEROGATION_COLUMNS))
def transfer_without_safeguard(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Recipients outside the EEA in a country that no adequacy decision covers as a whole, with no ground
    recorded: no safeguard (blank, or naming only an adequacy decision where the country has none) and no
    Art. 49(1) derogation; a derogation on compelling legitimate interests (Art. 49(1) second
    subparagraph, in either column) counts only once the supervisory authority was informed by as-of."""
    r = t["recipients"]
    g = _grounds(r)
    informed = (as_date(r[SA_INFORMED]) <= ibis.date(as_of)).fill_null(False) if SA_INFORMED in r.columns \
        else ibis.literal(False)
    return record_ids(r, "recipients", g.needed & ~(g.safeguard | g.derogation | (g.compelling & informed)))
