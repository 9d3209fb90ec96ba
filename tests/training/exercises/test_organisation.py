"""Exercises of lessons 05-08: built from a seed, answers agree with the checks, feedback
explains."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gdprlab.audit.engine import violating_ids
from gdprlab.regulation import articles
from gdprlab.training.exercises import organisation as ex

FINDERS = {
    "overdue_requests": ("request_overdue", "extension_not_notified"),
    "untrained_staff": ("untrained_crm_user",),
    "excessive_access": ("excessive_access",),
    "late_breaches": ("breach_notified_late", "breach_not_notified"),
    "breaches_to_communicate": ("subjects_not_informed",),
    "overdue_policies": ("policy_review_overdue",),
}


def _truth(key: str, seed: int) -> set[str]:
    d = ex.dataset(seed, ex.AS_OF)
    found: set[str] = set()
    for rule in FINDERS[key]:
        found |= set(violating_ids(rule, d.tables, d.policy, ex.AS_OF))
    return found


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("key", list(ex.EXERCISES))
def test_answer_is_what_violations_finds(key: str, seed: int) -> None:
    e = ex.build(key, seed)
    assert e.answer == _truth(key, seed) & set(e.ids)
    assert 3 <= len(e.ids) <= ex.ITEMS
    assert e.answer, "every exercise has something to find"
    assert e.answer != set(e.ids), "and something that is fine"
    assert set(e.reasons) == set(e.ids)
    assert list(e.table.index) == e.ids == sorted(e.ids)


@pytest.mark.parametrize("key", list(ex.EXERCISES))
def test_same_seed_same_exercise(key: str) -> None:
    a, b = ex.build(key, 4), ex.build(key, 4)
    assert a.ids == b.ids and a.answer == b.answer and a.reasons == b.reasons
    pd.testing.assert_frame_equal(a.table, b.table)


def test_check_correct_answer() -> None:
    e = ex.build("overdue_requests", 0)
    fb = ex.check(e, e.answer)
    assert fb.correct and not fb.missed and not fb.wrong
    assert fb.message.startswith("Correct")
    assert "12(3)" in fb.message


def test_check_names_missed_and_wrong_with_reasons() -> None:
    e = ex.build("late_breaches", 0)
    missed = sorted(e.answer)[0]
    wrong = sorted(set(e.ids) - e.answer)[0]
    chosen = (set(e.answer) - {missed}) | {wrong}
    fb = ex.check(e, chosen)
    assert not fb.correct
    assert fb.missed == (missed,) and fb.wrong == (wrong,)
    assert f"Missed {missed}: {e.reasons[missed]}" in fb.message
    assert f"Wrongly ticked {wrong}: {e.reasons[wrong]}" in fb.message


def test_check_rejects_unknown_ids() -> None:
    e = ex.build("overdue_policies", 0)
    with pytest.raises(ValueError, match="not records"):
        ex.check(e, ["nope"])


def test_build_unknown_key() -> None:
    with pytest.raises(KeyError, match="overdue_requests"):
        ex.build("nope")


def test_request_reasons_use_calendar_months() -> None:
    # received 31 Jan 2026: one month ends 28 Feb (a Saturday), so the reply is due Monday 2 March
    row = pd.Series({"received_on": pd.Timestamp("2026-01-31"), "extension_notified_on": pd.NaT,
                     "responded_on": pd.Timestamp("2026-03-02")})
    late, why = ex._request_reason(row, ex.AS_OF)
    assert not late and "2026-03-02" in why
    row["responded_on"] = pd.Timestamp("2026-03-03")
    assert ex._request_reason(row, ex.AS_OF)[0]
    # an extension notified within the month gives three months; one notified later does not count
    row["responded_on"] = pd.Timestamp("2026-04-20")
    row["extension_notified_on"] = pd.Timestamp("2026-02-20")
    late, why = ex._request_reason(row, ex.AS_OF)
    assert not late and "2026-04-30" in why
    row["extension_notified_on"] = pd.Timestamp("2026-03-05")
    late, why = ex._request_reason(row, ex.AS_OF)
    assert late and "does not count" in why
    # still open, month not over on the as-of date
    open_row = pd.Series({"received_on": pd.Timestamp("2026-10-20"), "extension_notified_on": pd.NaT,
                          "responded_on": pd.NaT})
    late, why = ex._request_reason(open_row, dt.date(2026, 11, 2))
    assert not late and "not overdue" in why


def test_deadline_examples_differ_from_thirty_days() -> None:
    t = ex.deadline_examples()
    assert len(t) == 4
    assert (t["30 days later (wrong)"] != t["one month: reply by"]).any()
    row = t[t["received"] == "Tue 10 Feb 2026"].iloc[0]
    assert row["one month: reply by"] == "Tue 10 Mar 2026"
    assert row["extended by two further months: reply by"] == "Mon 11 May 2026"  # 10 May is a Sunday


def test_pick_balances_and_is_deterministic() -> None:
    ids = [f"X{i:02d}" for i in range(20)]
    pos = {"X01", "X03", "X05", "X07", "X09", "X11"}
    a = ex._pick(ids, pos, seed=3)
    assert a == ex._pick(ids, pos, seed=3) and len(a) == ex.ITEMS
    assert len(set(a) & pos) == ex.ITEMS // 2
    assert ex._pick(ids[:3], pos, seed=0) == ["X00", "X01", "X02"]


def test_widget_gives_immediate_feedback() -> None:
    e = ex.build("untrained_staff", 0)
    box = ex.exercise_widget(e)
    assert set(box.checkboxes) == set(e.ids)
    box.button.click()
    assert "Not yet" in box.feedback.value
    for i, cb in box.checkboxes.items():
        cb.value = i in e.answer
    box.button.click()
    assert "Correct" in box.feedback.value


@pytest.mark.parametrize("key", ["overdue_requests", "untrained_staff"])
def test_exercise_tables_have_one_header_row_with_the_record_id_first(key) -> None:
    e = ex.build(key, 0)
    page = ex.table_html(e.table)
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert head.count("<tr") == 1 and e.table.index.name in head.split("</th>")[0]
    assert all(str(i) in page for i in e.ids)


def test_feedback_html_escapes() -> None:
    fb = ex.Feedback(False, (), ("a",), (), "Not yet: <b>\nMissed a: x < y")
    out = ex.feedback_html(fb)
    assert "&lt;b&gt;" in out and "x &lt; y" in out


def test_policy_reasons_agree_with_answer() -> None:
    e = ex.build("overdue_policies", 1)
    for pid in e.ids:
        assert ("overdue" in e.reasons[pid] and "not yet due" not in e.reasons[pid]) == (pid in e.answer)


def test_breach_hours_match_72_hour_limit() -> None:
    e = ex.build("late_breaches", 0)
    b = ex.dataset(0).tables["breaches"].set_index("breach_id")
    for bid in e.ids:
        notified = b.at[bid, "notified_authority_at"]
        if pd.notna(notified) and pd.isna(b.at[bid, "delay_reason"]):
            hours = (notified - b.at[bid, "aware_at"]) / pd.Timedelta(hours=1)
            assert (bid in e.answer) == bool(np.greater(hours, 72))


LESSONS = {"05_rights": {"overdue_requests"}, "06_people": {"untrained_staff", "excessive_access"},
           "07_security_plans": {"late_breaches", "breaches_to_communicate"},
           "08_education": {"overdue_policies"}}
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_lesson_calls_its_exercises_and_quiz(lesson: str) -> None:
    nb = json.loads((ROOT / "lessons" / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    text = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert all(len(c.splitlines()) <= 2 for c in code), "code cells stay one or two lines"
    shown = set(re.findall(r'show\("(\w+)"', "\n".join(code)))
    assert shown == LESSONS[lesson] and shown <= set(ex.EXERCISES)
    assert f'show_quiz("{lesson}")' in code[-1]
    assert "Learning objectives" in text and "## Summary" in text
    refs = re.findall(r"Art\. (\d+(?:\(\d+\))?(?:\([a-z]\))?)", text)
    assert refs and all(articles.exists(r) for r in refs), [r for r in refs if not articles.exists(r)]
