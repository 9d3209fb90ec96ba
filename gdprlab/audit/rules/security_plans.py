"""Security plans: breaches notified within 72 hours (or with reasons), people told of high-risk breaches,
every breach documented (Art. 33, 34).

The 72 hours are clock hours, counted from the start of the hour after the one in which the controller became
aware (Reg. 1182/71 Art. 3(1) and 3(2)(a)); Art. 3(4) moves only periods "expressed otherwise than in hours"
off weekends and public holidays, so this deadline is never rolled (gdprlab.regulation.law).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from gdprlab.audit.rules.base import Tables, blank, count_rows, is_in, midnight, record_ids, rule
from gdprlab.regulation.law import BREACH_DEADLINE_FROM_HOUR_OF_AWARENESS
from gdprlab.regulation.policy import Policy

_breaches = ("breaches", count_rows("breaches"))


def deadline(b: ir.Table) -> ir.TimestampValue:
    """When the 72 hours end (gdprlab.regulation.law.breach_notification_deadline, in the engine)."""
    return b["aware_at"].truncate("h") + ibis.interval(hours=BREACH_DEADLINE_FROM_HOUR_OF_AWARENESS)


def overdue_at(b: ir.Table, as_of: dt.date) -> ir.BooleanValue:
    """The 72 hours ended before the as-of date (its midnight UTC)."""
    return (deadline(b) < midnight(as_of)).fill_null(False)


@rule("breach_notified_late", population=_breaches,
      evidence=("aware_at", "notified_authority_at", "delay_reason", "risk"))
def breach_notified_late(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Notified more than 72 hours after awareness, with no delay reason recorded.

    A breach recorded as unlikely to result in a risk need not be notified at all (Art. 33(1)): its
    notification is voluntary, and a voluntary notification is never late. A breach without a risk
    assessment is not recorded as unlikely, so its notification was due.
    """
    b = t["breaches"]
    late = (b["notified_authority_at"] > deadline(b)).fill_null(False)
    return record_ids(b, "breaches", late & blank(b["delay_reason"]) & ~is_in(b["risk"], ["unlikely"]))


@rule("breach_not_notified", population=_breaches, evidence=("aware_at", "risk", "notified_authority_at"))
def breach_not_notified(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Breaches not assessed as unlikely to harm, never notified, aware more than 72 hours before as-of.

    A breach with no risk assessment at all is "not assessed as unlikely" and so must be notified.
    """
    b = t["breaches"]
    silent = ~is_in(b["risk"], ["unlikely"]) & b["notified_authority_at"].isnull()
    return record_ids(b, "breaches", silent & overdue_at(b, as_of))


@rule("subjects_not_informed",
      population=("high-risk breaches", count_rows("breaches", lambda b: is_in(b["risk"], ["high"]))),
      evidence=("aware_at", "risk", "subjects_informed_at", "art34_exception"))
def subjects_not_informed(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """High-risk breaches with subjects never told and no Art. 34(3) exception, past 72 hours at as-of."""
    b = t["breaches"]
    silent = is_in(b["risk"], ["high"]) & b["subjects_informed_at"].isnull() & blank(b["art34_exception"])
    return record_ids(b, "breaches", silent & overdue_at(b, as_of))


@rule("breach_record_incomplete", population=_breaches,
      evidence=("aware_at", "description", "consequences", "measures"))
def breach_record_incomplete(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Register entries missing the facts, the effects or the remedial action."""
    b = t["breaches"]
    gaps = blank(b["description"]) | blank(b["consequences"]) | blank(b["measures"])
    return record_ids(b, "breaches", gaps)
