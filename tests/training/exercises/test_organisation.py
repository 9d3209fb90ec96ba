"""Exercises of lessons 05-08: built from a seed, answers agree with the audit rules, feedback explains."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from gdprlab.audit.engine import violating_ids
from gdprlab.training.exercises import organisation as ex
from gdprlab.training.exercises.model import build, dataset

RULES = {
    "overdue_requests": ("request_overdue", "extension_not_notified"),
    "untrained_staff": ("untrained_crm_user",),
    "excessive_access": ("excessive_access",),
    "late_breaches": ("breach_notified_late", "breach_not_notified"),
    "breaches_to_communicate": ("subjects_not_informed",),
    "overdue_policies": ("policy_review_overdue",),
}


def audit_finds(name: str, seed: int) -> set[str]:
    """What the audit's checks report for the exercise's rules (the independent oracle)."""
    d = dataset(seed, ex.AS_OF)
    return set().union(*(violating_ids(rule, d.tables, d.policy, ex.AS_OF) for rule in RULES[name]))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", list(RULES))
def test_the_answer_is_what_the_audit_finds(name: str, seed: int) -> None:
    e = build(name, seed=seed)
    assert e.answer == audit_finds(name, seed) & set(e.keys)
    assert 3 <= len(e.items) <= ex.ITEMS
    assert e.answer, "every exercise has something to find"
    assert e.answer != set(e.keys), "and something that is fine"
    assert list(e.table.index) == e.keys == sorted(e.keys)
    assert [i.label for i in e.items] == e.keys


@pytest.mark.parametrize("name", list(RULES))
def test_same_seed_same_exercise(name: str) -> None:
    a, b = build(name, seed=4), build(name, seed=4)
    assert a == b
    pd.testing.assert_frame_equal(a.table, b.table)


def test_the_as_of_date_is_an_option() -> None:
    later = dt.date(2027, 3, 1)
    e = build("overdue_requests", seed=0, as_of=later)
    assert "Monday 01 March 2027" in e.prompt


def test_request_deadlines_are_calendar_months() -> None:
    # received 31 Jan 2026: one month ends 28 Feb (a Saturday), so the reply is due Monday 2 March
    row = pd.Series({"received_on": pd.Timestamp("2026-01-31"), "extension_notified_on": pd.NaT,
                     "responded_on": pd.Timestamp("2026-03-02")})
    late, why = ex.judge_request(row, ex.AS_OF)
    assert not late and "2026-03-02" in why
    row["responded_on"] = pd.Timestamp("2026-03-03")
    assert ex.judge_request(row, ex.AS_OF)[0]
    # an extension notified within the month gives three months; one notified later does not count
    row["responded_on"] = pd.Timestamp("2026-04-20")
    row["extension_notified_on"] = pd.Timestamp("2026-02-20")
    late, why = ex.judge_request(row, ex.AS_OF)
    assert not late and "2026-04-30" in why
    row["extension_notified_on"] = pd.Timestamp("2026-03-05")
    late, why = ex.judge_request(row, ex.AS_OF)
    assert late and "does not count" in why
    # still open, month not over on the as-of date
    open_row = pd.Series({"received_on": pd.Timestamp("2026-10-20"), "extension_notified_on": pd.NaT,
                          "responded_on": pd.NaT})
    late, why = ex.judge_request(open_row, dt.date(2026, 11, 2))
    assert not late and "not overdue" in why


def test_deadline_examples_differ_from_thirty_days() -> None:
    t = ex.deadline_examples()
    assert len(t) == 4
    assert (t["30 days later (wrong)"] != t["one month: reply by"]).any()
    row = t[t["received"] == "Tue 10 Feb 2026"].iloc[0]
    assert row["one month: reply by"] == "Tue 10 Mar 2026"
    assert row["extended by two further months: reply by"] == "Mon 11 May 2026"  # 10 May is a Sunday


def test_pick_records_balances_and_is_deterministic() -> None:
    ids = [f"X{i:02d}" for i in range(20)]
    pos = {"X01", "X03", "X05", "X07", "X09", "X11"}
    a = ex.pick_records(ids, pos, seed=3)
    assert a == ex.pick_records(ids, pos, seed=3) == sorted(a) and len(a) == ex.ITEMS
    assert len(set(a) & pos) == ex.ITEMS // 2
    assert ex.pick_records(ids[:3], pos, seed=0) == ["X00", "X01", "X02"]


def test_policy_reasons_agree_with_answer() -> None:
    e = build("overdue_policies", seed=1)
    for item in e.items:
        assert ("overdue" in item.reason and "not yet due" not in item.reason) == item.expected


def test_breach_hours_match_72_hour_limit() -> None:
    e = build("late_breaches", seed=0)
    b = dataset(0, ex.AS_OF).tables["breaches"].set_index("breach_id")
    for bid in e.keys:
        notified = b.at[bid, "notified_authority_at"]
        if pd.notna(notified) and pd.isna(b.at[bid, "delay_reason"]):
            hours = (notified - b.at[bid, "aware_at"]) / pd.Timedelta(hours=1)
            assert (bid in e.answer) == bool(np.greater(hours, 72))
