"""The exercises of lessons 05-08 (rights, people, security plans, education), judged by the audit rules.

Each exercise is built from a small synthetic CRM (:func:`gdprlab.training.exercises.model.dataset`,
seeded, so the same seed always gives the same exercise) and asks the learner to tick the records that
break a rule. The correct answer is what the audit finds for that rule (every finder is reached through
:func:`_violating`, the one place that knows which audit engine runs), and every record carries a
one-line reason computed here from the Regulation's deadlines (:mod:`gdprlab.regulation.law`) and the
organisation's policy, so the feedback explains each record the learner got wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from gdprlab.audit.engine import violating_ids
from gdprlab.generator import Dataset
from gdprlab.regulation.law import (
    EXTENDED_RESPONSE_MONTHS,
    RESPONSE_MONTHS,
    add_months,
    breach_notification_deadline,
    month_deadline,
)
from gdprlab.regulation.policy import Policy
from gdprlab.training.exercises.model import Exercise, Item, dataset, day, exercise, pick

__all__ = ["AS_OF", "ITEMS", "breaches_to_communicate", "deadline_examples", "excessive_access_staff",
           "judge_request", "late_breaches", "overdue_policies", "overdue_requests", "pick_records",
           "untrained_staff"]

#: the date the exercises are judged on (a Monday), unless another is given
AS_OF = dt.date(2026, 11, 2)
#: records shown per exercise at most
ITEMS = 8


def _violating(rule_id: str, tables: dict[str, pd.DataFrame], policy: Policy, as_of: dt.date) -> set[str]:
    """The ids of the records that break rule ``rule_id``, as the audit's check finds them."""
    return set(violating_ids(rule_id, tables, policy, as_of))


def _found(d: Dataset, as_of: dt.date, *rules: str) -> set[str]:
    """The records of dataset ``d`` that break any of ``rules`` on ``as_of``."""
    return set().union(*(_violating(rule, d.tables, d.policy, as_of) for rule in rules))


def _items(table: pd.DataFrame, answer: Iterable[str], reasons: dict[str, str]) -> tuple[Item, ...]:
    """One item per row of ``table`` (the records as shown), labelled by its record id."""
    answer = set(answer)
    return tuple(Item(key=i, label=i, expected=i in answer, reason=reasons[i]) for i in table.index)


def pick_records(all_ids: Iterable[str], positives: set[str], seed: int, n: int = ITEMS) -> list[str]:
    """Up to n ids, about half breaking the rule when there are enough, chosen by the seed, sorted."""
    pool = sorted(set(all_ids))
    pos = [i for i in pool if i in positives]
    neg = [i for i in pool if i not in positives]
    return sorted(str(i) for i in pick(np.random.default_rng(seed), pos, neg, n, n // 2))


def _moment(value: object) -> str:
    return "—" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _text(value: object) -> str:
    return "—" if value is None or pd.isna(value) or not str(value).strip() else str(value)


def _d(value: np.datetime64) -> dt.date:
    return pd.Timestamp(value).date()


# ----------------------------------------------------------------------------------------------------------
# 05 rights: requests answered late
# ----------------------------------------------------------------------------------------------------------

def deadline_examples() -> pd.DataFrame:
    """Why "one month" is not "30 days": a few receipt dates, their deadlines and 30 days later."""
    received = np.array(["2026-01-31", "2026-02-10", "2026-03-31", "2026-07-01"], dtype="datetime64[D]")
    one = month_deadline(received, RESPONSE_MONTHS)
    three = month_deadline(received, EXTENDED_RESPONSE_MONTHS)
    return pd.DataFrame({
        "received": [_d(d).strftime("%a %d %b %Y") for d in received],
        "30 days later (wrong)": [_d(d + 30).strftime("%a %d %b %Y") for d in received],
        "one month: reply by": [_d(d).strftime("%a %d %b %Y") for d in one],
        "extended by two further months: reply by": [_d(d).strftime("%a %d %b %Y") for d in three],
    })


def judge_request(row: pd.Series, as_of: dt.date) -> tuple[bool, str]:
    """Whether a request (``received_on``, ``extension_notified_on``, ``responded_on``) was answered or is
    open past its Art. 12(3) deadline on ``as_of`` (calendar months), and why, in one sentence."""
    received = np.datetime64(pd.Timestamp(row["received_on"]).date(), "D")
    d1 = month_deadline(np.array([received]), RESPONSE_MONTHS)[0]
    d3 = month_deadline(np.array([received]), EXTENDED_RESPONSE_MONTHS)[0]
    replied = pd.notna(row["responded_on"])
    on = np.datetime64(pd.Timestamp(row["responded_on"]).date() if replied else as_of, "D")
    when = f"replied on {_d(on)}" if replied else f"still open on {as_of}"
    start = f"Received {_d(received)}, one month ends {_d(d1)}"
    notice = row["extension_notified_on"]
    if pd.notna(notice):
        n = np.datetime64(pd.Timestamp(notice).date(), "D")
        if n <= d1:
            late = bool(on > d3)
            return late, (f"{start}; extension notified on {_d(n)}, within that month, so the reply is "
                          f"due by {_d(d3)}; {when}: {'late' if late else 'on time'}.")
        late = bool(on > d1)
        return late, (f"{start}; the extension was notified on {_d(n)}, after that month, so it does "
                      f"not count (Art. 12(3) third sentence); {when}: {'late' if late else 'on time'}.")
    late = bool(on > d1)
    if not replied and not late:
        return False, f"{start}; {when}: the month has not run out yet, so it is not overdue."
    return late, f"{start}; no extension; {when}: {'late' if late else 'on time'}."


@exercise("overdue_requests")
def overdue_requests(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which requests were answered after the Art. 12(3) deadline, or are open past it on the as-of date."""
    d = dataset(seed, as_of)
    r = d.tables["requests"]
    found = _found(d, as_of, "request_overdue", "extension_not_notified")
    judged = r[r["received_on"].notna()].set_index("request_id", drop=False)
    ids = pick_records(judged.index, found, seed)
    rows = judged.loc[ids]
    reasons, answer = {}, set()
    for rid, row in rows.iterrows():
        late, reasons[rid] = judge_request(row, as_of)
        if late:
            answer.add(rid)
    table = pd.DataFrame({
        "request": rows["type"].astype(str),
        "received on": rows["received_on"].map(day),
        "extension notified on": rows["extension_notified_on"].map(day),
        "replied on": rows["responded_on"].map(day),
    }, index=pd.Index(ids, name="request_id"))
    return Exercise(
        name="overdue_requests", title="Requests answered too late", articles="12(3)", table=table,
        items=_items(table, answer, reasons),
        prompt=f"Today is {as_of:%A %d %B %Y}. Tick every request that was answered after its deadline, or "
               "that is still open although its deadline has passed (one calendar month from receipt, or "
               "three months when the person was told of an extension within the first month).")


# ----------------------------------------------------------------------------------------------------------
# 06 people: untrained CRM users and too-wide access
# ----------------------------------------------------------------------------------------------------------

def _last_pass(d: Dataset) -> pd.Series:
    tr = d.tables["training"]
    passed = tr[tr["passed"].fillna(False).astype(bool) & (tr["course"] == d.policy.training_course)]
    return pd.to_datetime(passed["completed_on"]).groupby(passed["staff_id"]).max()


def _staff_table(d: Dataset, ids: list[str]) -> pd.DataFrame:
    s = d.tables["staff"].set_index("staff_id", drop=False).loc[ids]
    last = _last_pass(d)
    return pd.DataFrame({
        "name": s["name"].astype(str),
        "role": s["role"].astype(str).str.replace("_", " "),
        "CRM access": s["crm_access"].map(_text),
        "last passed data-protection training": [day(last.get(i)) for i in ids],
    }, index=pd.Index(ids, name="staff_id"))


@exercise("untrained_staff")
def untrained_staff(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which CRM users have no valid data-protection training on the as-of date."""
    d = dataset(seed, as_of)
    s = d.tables["staff"].set_index("staff_id", drop=False)
    ids = pick_records(s.index, _found(d, as_of, "untrained_crm_user"), seed)
    last = _last_pass(d)
    months = d.policy.training_refresh_months
    reasons, answer = {}, set()
    for sid in ids:
        access = _text(s.at[sid, "crm_access"])
        if access in ("—", "none"):
            reasons[sid] = "No CRM access, so no CRM data to handle: this rule asks no training."
            continue
        if sid not in last.index:
            answer.add(sid)
            reasons[sid] = f"Uses the CRM ({access} access) but has never passed the data-protection course."
            continue
        passed = np.datetime64(last[sid].date(), "D")
        due = _d(add_months(np.array([passed]), months)[0])
        if due < as_of:
            answer.add(sid)
            reasons[sid] = (f"Uses the CRM; last passed on {_d(passed)}, refresh due after {months} months "
                            f"({due}), before {as_of}: needs training.")
        else:
            reasons[sid] = f"Uses the CRM; passed on {_d(passed)}, valid until {due}: fine."
    table = _staff_table(d, ids)
    return Exercise(
        name="untrained_staff", title="Who needs data-protection training?", articles="24(1), 29, 32(4)",
        table=table, items=_items(table, answer, reasons),
        prompt=f"Today is {as_of:%A %d %B %Y}. Your organisation's policy: everyone with CRM access passes "
               f"the data-protection course and repeats it every {months} months. Tick every person who "
               "needs training now.")


@exercise("excessive_access")
def excessive_access_staff(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which staff have full CRM access (incl. special-category data) that their role does not need."""
    d = dataset(seed, as_of)
    s = d.tables["staff"].set_index("staff_id", drop=False)
    found = _found(d, as_of, "excessive_access")
    ids = pick_records(s.index, found, seed + 1)
    allowed = d.policy.special_category_roles
    allowed_text = " and ".join(r.replace("_", " ") for r in allowed)
    reasons = {}
    for sid in ids:
        role, access = str(s.at[sid, "role"]).replace("_", " "), _text(s.at[sid, "crm_access"])
        if access != "full":
            reasons[sid] = f"{access} access: does not see special-category data, fine."
        elif s.at[sid, "role"] in allowed:
            reasons[sid] = f"Full access, and a {role} is one of the roles allowed it ({allowed_text}): fine."
        else:
            reasons[sid] = (f"Full access, but a {role} is not one of the roles allowed it ({allowed_text}): "
                            "reduce to standard access.")
    table = _staff_table(d, ids)
    return Exercise(
        name="excessive_access", title="Whose access is too wide?", articles="25(2), 32(4)", table=table,
        items=_items(table, found, reasons),
        prompt="Full CRM access includes special-category data such as health needs. Your policy allows it "
               f"only to: {allowed_text}. Tick every person whose access should be reduced.")


# ----------------------------------------------------------------------------------------------------------
# 07 security plans: breaches
# ----------------------------------------------------------------------------------------------------------

#: the breach register's risk values, in words
_RISK = {"unlikely": "unlikely to result in a risk", "risk": "a risk (not high)", "high": "a high risk"}


def _breach_table(b: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    rows = b.loc[ids]
    return pd.DataFrame({
        "what happened": rows["description"].map(_text),
        "became aware": rows["aware_at"].map(_moment),
        "risk assessed": rows["risk"].map(lambda v: _RISK.get(v, "—")),
        "authority notified": rows["notified_authority_at"].map(_moment),
        "reason for delay": rows["delay_reason"].map(_text),
        "people told": rows["subjects_informed_at"].map(_moment),
        "Art. 34(3) exception": rows["art34_exception"].map(_text),
    }, index=pd.Index(ids, name="breach_id"))


def _hours(delta: pd.Timedelta) -> str:
    return f"{delta / pd.Timedelta(hours=1):.0f} hours"


@exercise("late_breaches")
def late_breaches(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which breaches were notified after 72 hours without reasons, or never although required."""
    d = dataset(seed, as_of)
    b = d.tables["breaches"].set_index("breach_id", drop=False)
    ids = pick_records(b.index, _found(d, as_of, "breach_notified_late", "breach_not_notified"), seed)
    now = pd.Timestamp(as_of)
    reasons, answer = {}, set()
    for bid in ids:
        aware, notified = b.at[bid, "aware_at"], b.at[bid, "notified_authority_at"]
        risk = _RISK.get(b.at[bid, "risk"], "no risk assessment")
        if pd.notna(notified):
            took = notified - aware
            if notified <= breach_notification_deadline(aware):
                reasons[bid] = f"Notified {_hours(took)} after becoming aware: within 72 hours."
            elif _text(b.at[bid, "delay_reason"]) != "—":
                reasons[bid] = f"Notified after {_hours(took)}, with reasons for the delay (Art. 33(1))."
            else:
                answer.add(bid)
                reasons[bid] = f"Notified {_hours(took)} after becoming aware (over 72) with no reason given."
        elif b.at[bid, "risk"] == "unlikely":
            reasons[bid] = "Assessed as unlikely to result in a risk: no notification needed."
        elif now > breach_notification_deadline(aware):
            answer.add(bid)
            reasons[bid] = (f"Assessed as {risk}, so a risk is not ruled out, and never notified although "
                            "more than 72 hours have passed since becoming aware.")
        else:
            reasons[bid] = "Not notified yet, but 72 hours have not passed since becoming aware."
    table = _breach_table(b, ids)
    return Exercise(
        name="late_breaches", title="Breaches notified too late", articles="33(1)", table=table,
        items=_items(table, answer, reasons),
        prompt=f"Today is {as_of:%A %d %B %Y}. Tick every breach that broke the 72-hour rule: notified more "
               "than 72 hours after becoming aware without giving reasons for the delay, or never notified "
               "although it was not assessed as unlikely to result in a risk.")


@exercise("breaches_to_communicate")
def breaches_to_communicate(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which breaches must still be communicated to the people affected (high risk, no 34(3) exception)."""
    d = dataset(seed, as_of)
    b = d.tables["breaches"].set_index("breach_id", drop=False)
    ids = pick_records(b.index, _found(d, as_of, "subjects_not_informed"), seed + 1)
    now = pd.Timestamp(as_of)
    reasons, answer = {}, set()
    for bid in ids:
        risk, exception = b.at[bid, "risk"], _text(b.at[bid, "art34_exception"])
        if risk != "high":
            reasons[bid] = (f"Assessed as {_RISK.get(risk, 'no risk assessment')}, not a high risk: "
                            "Art. 34(1) does not require telling the people.")
        elif pd.notna(b.at[bid, "subjects_informed_at"]):
            told = _moment(b.at[bid, "subjects_informed_at"])
            reasons[bid] = f"High risk, and the people were told on {told}."
        elif exception != "—":
            reasons[bid] = f"High risk, but the exception of Art. {exception} applies: no need to tell them."
        elif now <= breach_notification_deadline(b.at[bid, "aware_at"]):
            reasons[bid] = "High risk, not told yet, but the breach is less than 72 hours old: tell them now."
        else:
            answer.add(bid)
            reasons[bid] = "High risk, no Art. 34(3) exception, and the people were never told."
    table = _breach_table(b, ids)
    return Exercise(
        name="breaches_to_communicate", title="Who must be told?", articles="34(1), 34(3)", table=table,
        items=_items(table, answer, reasons),
        prompt="Tick every breach whose affected people must still be told: high risk, nobody told them, and "
               "no exception of Art. 34(3) (e.g. the data were encrypted) applies.")


# ----------------------------------------------------------------------------------------------------------
# 08 education: policies due for review
# ----------------------------------------------------------------------------------------------------------

@exercise("overdue_policies")
def overdue_policies(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which policies are overdue for review under the organisation's review intervals."""
    d = dataset(seed, as_of)
    p = d.tables["policies"].set_index("policy_id", drop=False)
    found = _found(d, as_of, "policy_review_overdue")
    ids = sorted(p.index)
    intervals = d.policy.review_interval_months
    reasons = {}
    for pid in ids:
        last, months = p.at[pid, "last_reviewed_on"], intervals.get(p.at[pid, "kind"])
        if pd.isna(last):
            reasons[pid] = "Never reviewed: overdue."
            continue
        if months is None:
            reasons[pid] = "The policy sets no review interval for this kind of document."
            continue
        due = _d(add_months(np.array([np.datetime64(pd.Timestamp(last).date(), "D")]), int(months))[0])
        verdict = "overdue" if due < as_of else "not yet due"
        reasons[pid] = f"Last reviewed {day(last)}; every {months} months means review by {due}: {verdict}."
    table = pd.DataFrame({
        "document": p.loc[ids, "title"].astype(str),
        "owner": p.loc[ids, "owner"].astype(str).str.replace("_", " "),
        "last reviewed": p.loc[ids, "last_reviewed_on"].map(day),
        "review every (months)": [_text(intervals.get(k)) for k in p.loc[ids, "kind"]],
    }, index=pd.Index(ids, name="policy_id"))
    return Exercise(
        name="overdue_policies", title="Which policies are overdue for review?", articles="24(1), 5(2)",
        table=table, items=_items(table, found, reasons),
        prompt=f"Today is {as_of:%A %d %B %Y}. Tick every document whose review is overdue (never reviewed, "
               "or last review plus its interval is before today).")
