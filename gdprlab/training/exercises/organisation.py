"""Hands-on exercises for lessons 05-08: rights, people, security plans and education.

Each exercise is built from a small synthetic CRM dataset (`gdprlab.generator`, seeded, so the same seed
always gives the same exercise) and asks the learner to tick the records that break a rule. The correct
answer is what the rule's check (gdprlab.audit.engine) finds, and every record carries a one-line reason
computed here from the Regulation's deadlines (`gdprlab.regulation.law`) and the organisation's policy, so the
feedback explains each record the learner got wrong.

`build(key, seed)` makes an exercise, `check(exercise, chosen)` judges an answer; both are pure.
`exercise_widget(exercise)` and `show(key)` give the clickable version (ipywidgets) for the lessons.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from gdprlab.audit.engine import violating_ids
from gdprlab.generator import Dataset, GeneratorConfig, generate
from gdprlab.regulation.law import (
    BREACH_NOTIFICATION_HOURS,
    EXTENDED_RESPONSE_MONTHS,
    RESPONSE_MONTHS,
    add_months,
    month_deadline,
)

#: the date the exercises are judged on (a Monday), unless another is given
AS_OF = dt.date(2026, 11, 2)
#: contacts in the exercise dataset: small enough to generate in well under a second
CONTACTS = 400
#: records shown per exercise at most
ITEMS = 8


@dataclass(frozen=True)
class Exercise:
    """One "tick the records that break the rule" exercise."""

    key: str
    title: str
    question: str
    articles: str  # the articles the rule comes from, e.g. "12(3)"
    as_of: dt.date
    table: pd.DataFrame  # the records as shown, one row per record, indexed by record id
    answer: frozenset[str]  # ids of the records that break the rule
    reasons: dict[str, str]  # per record id: why it does or does not break the rule

    @property
    def ids(self) -> list[str]:
        return list(self.table.index)


@dataclass(frozen=True)
class Feedback:
    correct: bool
    found: tuple[str, ...]  # rightly ticked
    missed: tuple[str, ...]  # should have been ticked
    wrong: tuple[str, ...]  # ticked but fine
    message: str  # plain text: verdict, then the reason for each record missed or wrongly ticked


def check(exercise: Exercise, chosen: Iterable[str]) -> Feedback:
    """Judge the ids a learner ticked; an id that is not in the exercise is an error."""
    picked = set(chosen)
    unknown = picked - set(exercise.ids)
    if unknown:
        raise ValueError(f"not records of this exercise: {', '.join(sorted(unknown))}")
    found = tuple(sorted(picked & exercise.answer))
    missed = tuple(sorted(exercise.answer - picked))
    wrong = tuple(sorted(picked - exercise.answer))
    correct = not missed and not wrong
    if correct:
        lines = [f"Correct: {_count(len(exercise.answer))} of {len(exercise.ids)} break the rule "
                 f"(Art. {exercise.articles})."]
        lines += [f"{i}: {exercise.reasons[i]}" for i in sorted(exercise.answer)]
    else:
        lines = [f"Not yet: {len(found)} right, {len(missed)} missed, {len(wrong)} ticked wrongly."]
        lines += [f"Missed {i}: {exercise.reasons[i]}" for i in missed]
        lines += [f"Wrongly ticked {i}: {exercise.reasons[i]}" for i in wrong]
    return Feedback(correct, found, missed, wrong, "\n".join(lines))


def _count(n: int) -> str:
    return "none" if n == 0 else ("1 record" if n == 1 else f"{n} records")


# ----------------------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def dataset(seed: int = 0, as_of: dt.date = AS_OF) -> Dataset:
    """The small, messy synthetic dataset the exercises draw on (cached: the tables must not be changed)."""
    return generate(GeneratorConfig(contacts=CONTACTS, seed=seed, as_of=as_of, profile="messy"), workers=1)


def _pick(all_ids: Iterable[str], positives: set[str], seed: int, n: int = ITEMS) -> list[str]:
    """Up to n ids, about half breaking the rule when there are enough, chosen by the seed, sorted."""
    rng = np.random.default_rng(seed)
    pool = sorted(set(all_ids))
    pos = [i for i in pool if i in positives]
    neg = [i for i in pool if i not in positives]
    k_pos = min(len(pos), max(n // 2, n - len(neg)))
    k_neg = min(len(neg), n - k_pos)
    chosen = list(rng.choice(pos, k_pos, replace=False)) if k_pos else []
    chosen += list(rng.choice(neg, k_neg, replace=False)) if k_neg else []
    return sorted(str(i) for i in chosen)


def _day(value: object) -> str:
    return "—" if pd.isna(value) else pd.Timestamp(value).date().isoformat()


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


def _request_reason(row: pd.Series, as_of: dt.date) -> tuple[bool, str]:
    received = np.datetime64(pd.Timestamp(row["received_on"]).date(), "D")
    d1 = month_deadline(np.array([received]), RESPONSE_MONTHS)[0]
    d3 = month_deadline(np.array([received]), EXTENDED_RESPONSE_MONTHS)[0]
    replied = pd.notna(row["responded_on"])
    day = np.datetime64(pd.Timestamp(row["responded_on"]).date() if replied else as_of, "D")
    when = f"replied on {_d(day)}" if replied else f"still open on {as_of}"
    start = f"Received {_d(received)}, one month ends {_d(d1)}"
    notice = row["extension_notified_on"]
    if pd.notna(notice):
        n = np.datetime64(pd.Timestamp(notice).date(), "D")
        if n <= d1:
            late = bool(day > d3)
            return late, (f"{start}; extension notified on {_d(n)}, within that month, so the reply is "
                          f"due by {_d(d3)}; {when}: {'late' if late else 'on time'}.")
        late = bool(day > d1)
        return late, (f"{start}; the extension was notified on {_d(n)}, after that month, so it does "
                      f"not count (Art. 12(3) third sentence); {when}: {'late' if late else 'on time'}.")
    late = bool(day > d1)
    if not replied and not late:
        return False, f"{start}; {when}: the month has not run out yet, so it is not overdue."
    return late, f"{start}; no extension; {when}: {'late' if late else 'on time'}."


def overdue_requests(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which requests were answered after the Art. 12(3) deadline, or are open past it on the as-of date."""
    d = dataset(seed, as_of)
    r = d.tables["requests"]
    found = violating_ids("request_overdue", d.tables, d.policy, as_of)
    found = set(found) | set(violating_ids("extension_not_notified", d.tables, d.policy, as_of))
    judged = r[r["received_on"].notna()].set_index("request_id", drop=False)
    ids = _pick(judged.index, found, seed)
    rows = judged.loc[ids]
    reasons, answer = {}, set()
    for rid, row in rows.iterrows():
        late, reasons[rid] = _request_reason(row, as_of)
        if late:
            answer.add(rid)
    table = pd.DataFrame({
        "request": rows["type"].astype(str),
        "received on": rows["received_on"].map(_day),
        "extension notified on": rows["extension_notified_on"].map(_day),
        "replied on": rows["responded_on"].map(_day),
    }, index=pd.Index(ids, name="request_id"))
    return Exercise(
        "overdue_requests", "Requests answered too late",
        f"Today is {as_of:%A %d %B %Y}. Tick every request that was answered after its deadline, or that is "
        "still open although its deadline has passed (one calendar month from receipt, or three months when "
        "the person was told of an extension within the first month).",
        "12(3)", as_of, table, frozenset(answer), reasons)


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
        "last passed data-protection training": [_day(last.get(i)) for i in ids],
    }, index=pd.Index(ids, name="staff_id"))


def untrained_staff(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which CRM users have no valid data-protection training on the as-of date."""
    d = dataset(seed, as_of)
    s = d.tables["staff"].set_index("staff_id", drop=False)
    found = set(violating_ids("untrained_crm_user", d.tables, d.policy, as_of))
    ids = _pick(s.index, found, seed)
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
    return Exercise(
        "untrained_staff", "Who needs data-protection training?",
        f"Today is {as_of:%A %d %B %Y}. Your organisation's policy: everyone with CRM access passes the "
        f"data-protection course and repeats it every {months} months. Tick every person who needs "
        "training now.",
        "39(1)(b), 32(4)", as_of, _staff_table(d, ids), frozenset(answer), reasons)


def excessive_access_staff(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which staff have full CRM access (incl. special-category data) that their role does not need."""
    d = dataset(seed, as_of)
    s = d.tables["staff"].set_index("staff_id", drop=False)
    found = set(violating_ids("excessive_access", d.tables, d.policy, as_of))
    ids = _pick(s.index, found, seed + 1)
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
    return Exercise(
        "excessive_access", "Whose access is too wide?",
        f"Full CRM access includes special-category data such as health needs. Your policy allows it only "
        f"to: "
        f"{allowed_text}. Tick every person whose access should be reduced.",
        "25(2), 32(4)", as_of, _staff_table(d, ids), frozenset(found & set(ids)), reasons)


# ----------------------------------------------------------------------------------------------------------
# 07 security plans: breaches
# ----------------------------------------------------------------------------------------------------------

_LIMIT = pd.Timedelta(hours=BREACH_NOTIFICATION_HOURS)
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


def late_breaches(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which breaches were notified after 72 hours without reasons, or never although required."""
    d = dataset(seed, as_of)
    b = d.tables["breaches"].set_index("breach_id", drop=False)
    found = set(violating_ids("breach_notified_late", d.tables, d.policy, as_of))
    found |= set(violating_ids("breach_not_notified", d.tables, d.policy, as_of))
    ids = _pick(b.index, found, seed)
    now = pd.Timestamp(as_of)
    reasons, answer = {}, set()
    for bid in ids:
        aware, notified = b.at[bid, "aware_at"], b.at[bid, "notified_authority_at"]
        risk = _RISK.get(b.at[bid, "risk"], "no risk assessment")
        if pd.notna(notified):
            took = notified - aware
            if took <= _LIMIT:
                reasons[bid] = f"Notified {_hours(took)} after becoming aware: within 72 hours."
            elif _text(b.at[bid, "delay_reason"]) != "—":
                reasons[bid] = f"Notified after {_hours(took)}, with reasons for the delay (Art. 33(1))."
            else:
                answer.add(bid)
                reasons[bid] = f"Notified {_hours(took)} after becoming aware (over 72) with no reason given."
        elif b.at[bid, "risk"] == "unlikely":
            reasons[bid] = "Assessed as unlikely to result in a risk: no notification needed."
        elif now - aware > _LIMIT:
            answer.add(bid)
            reasons[bid] = (f"Assessed as {risk}, so a risk is not ruled out, and never notified although "
                            "more than 72 hours have passed since becoming aware.")
        else:
            reasons[bid] = "Not notified yet, but 72 hours have not passed since becoming aware."
    return Exercise(
        "late_breaches", "Breaches notified too late",
        f"Today is {as_of:%A %d %B %Y}. Tick every breach that broke the 72-hour rule: notified more than "
        "72 hours after becoming aware without giving reasons for the delay, or never notified although it "
        "was not assessed as unlikely to result in a risk.",
        "33(1)", as_of, _breach_table(b, ids), frozenset(answer), reasons)


def breaches_to_communicate(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which breaches must still be communicated to the people affected (high risk, no 34(3) exception)."""
    d = dataset(seed, as_of)
    b = d.tables["breaches"].set_index("breach_id", drop=False)
    found = set(violating_ids("subjects_not_informed", d.tables, d.policy, as_of))
    ids = _pick(b.index, found, seed + 1)
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
        elif now - b.at[bid, "aware_at"] <= _LIMIT:
            reasons[bid] = "High risk, not told yet, but the breach is less than 72 hours old: tell them now."
        else:
            answer.add(bid)
            reasons[bid] = "High risk, no Art. 34(3) exception, and the people were never told."
    return Exercise(
        "breaches_to_communicate", "Who must be told?",
        "Tick every breach whose affected people must still be told: high risk, nobody told them, and no "
        "exception of Art. 34(3) (e.g. the data were encrypted) applies.",
        "34(1), 34(3)", as_of, _breach_table(b, ids), frozenset(answer), reasons)


# ----------------------------------------------------------------------------------------------------------
# 08 education: policies due for review
# ----------------------------------------------------------------------------------------------------------

def overdue_policies(seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """Which policies are overdue for review under the organisation's review intervals."""
    d = dataset(seed, as_of)
    p = d.tables["policies"].set_index("policy_id", drop=False)
    found = set(violating_ids("policy_review_overdue", d.tables, d.policy, as_of))
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
        reasons[pid] = f"Last reviewed {_day(last)}; every {months} months means review by {due}: {verdict}."
    table = pd.DataFrame({
        "document": p.loc[ids, "title"].astype(str),
        "owner": p.loc[ids, "owner"].astype(str).str.replace("_", " "),
        "last reviewed": p.loc[ids, "last_reviewed_on"].map(_day),
        "review every (months)": [_text(intervals.get(k)) for k in p.loc[ids, "kind"]],
    }, index=pd.Index(ids, name="policy_id"))
    return Exercise(
        "overdue_policies", "Which policies are overdue for review?",
        f"Today is {as_of:%A %d %B %Y}. Tick every document whose review is overdue (never reviewed, or last "
        "review plus its interval is before today).",
        "24(1), 5(2)", as_of, table, frozenset(found & set(ids)), reasons)


EXERCISES: dict[str, Callable[..., Exercise]] = {
    "overdue_requests": overdue_requests,
    "untrained_staff": untrained_staff,
    "excessive_access": excessive_access_staff,
    "late_breaches": late_breaches,
    "breaches_to_communicate": breaches_to_communicate,
    "overdue_policies": overdue_policies,
}


def build(key: str, seed: int = 0, as_of: dt.date = AS_OF) -> Exercise:
    """The exercise `key` (one of EXERCISES) made from the dataset of `seed`."""
    if key not in EXERCISES:
        raise KeyError(f"unknown exercise {key!r}; choose one of {', '.join(EXERCISES)}")
    return EXERCISES[key](seed, as_of)


# ----------------------------------------------------------------------------------------------------------
# widgets
# ----------------------------------------------------------------------------------------------------------

def feedback_html(fb: Feedback) -> str:
    colour = "#1b7f3b" if fb.correct else "#a33"
    lines = fb.message.split("\n")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines[1:])
    return (f"<div style='color:{colour};font-weight:bold'>{html.escape(lines[0])}</div>"
            + (f"<ul>{items}</ul>" if items else ""))


def table_html(table: pd.DataFrame) -> str:
    """The records as an HTML table with one header row: a named index (the record id) becomes the first
    column, instead of the second, mostly empty header row pandas gives an index name."""
    if table.index.name is not None:
        return table.reset_index().to_html(index=False, escape=True)
    return table.to_html(escape=True)


def exercise_widget(exercise: Exercise):
    """A box with the question, the records (one tick box each), a Check button and the feedback.

    The feedback appears as soon as the button is pressed; the learner can change the ticks and try again.
    """
    import ipywidgets as w

    header = w.HTML(f"<h4>{html.escape(exercise.title)}</h4><p>{html.escape(exercise.question)}</p>"
                    + table_html(exercise.table))
    boxes = {i: w.Checkbox(value=False, description=str(i), indent=False,
                           layout=w.Layout(width="auto")) for i in exercise.ids}
    button = w.Button(description="Check my answer", button_style="primary")
    out = w.HTML()

    def on_click(_=None) -> None:
        out.value = feedback_html(check(exercise, [i for i, b in boxes.items() if b.value]))

    button.on_click(on_click)
    box = w.VBox([header, w.HTML("<b>Tick the records that break the rule:</b>"),
                  w.HBox(list(boxes.values()), layout=w.Layout(flex_flow="row wrap")), button, out])
    box.checkboxes, box.button, box.feedback = boxes, button, out  # for tests and advanced use
    return box


def show(key: str, seed: int = 0, as_of: dt.date = AS_OF):
    """Build exercise `key` and display it (the one line a lesson cell calls)."""
    from IPython.display import display

    box = exercise_widget(build(key, seed, as_of))
    display(box)
    return None


def show_deadline_examples():
    """Display deadline_examples() as a table."""
    from IPython.display import display

    display(deadline_examples().style.hide(axis="index"))
