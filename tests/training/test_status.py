"""Training status: who passed what, who is overdue (calendar months), completion, the HR export, the
audit link to untrained_crm_user."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest

from gdprlab.audit.engine import run_checks
from gdprlab.regulation.policy import Policy
from gdprlab.training.quiz import load_banks
from gdprlab.training.status import (
    Requirements,
    RequirementsError,
    completion,
    completion_percent,
    default_requirements,
    fail_under_exit_code,
    hr_csv,
    lesson_status,
    load_requirements,
    load_status,
    overdue,
    pass_rates,
    score_distribution,
    summary,
    training_table_from_store,
)
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import Attempt
from gdprlab.training.store.roster import RosterStore, staff_table, validate_rows

LESSONS = ("01_a", "02_b")
REQ = Requirements(default=LESSONS)


def person(staff_id, department="Sales", role="rep", crm_access="standard", name=None):
    return {"staff_id": staff_id, "name": name or f"Person {staff_id}", "department": department,
            "role": role, "crm_access": crm_access, "start_date": "2020-01-01"}


def roster(*people):
    return validate_rows(people)


def attempt(learner, lesson, day, passed=True, score=8, max_score=10):
    return {"learner": learner, "lesson": lesson, "quiz": lesson, "bank_version": "abc123", "score": score,
            "max_score": max_score, "passed": passed,
            "submitted_at": pd.Timestamp(day + "T10:00:00", tz="UTC")}


def attempts(*rows):
    return pd.DataFrame(list(rows))


def status_of(frame, staff_id, lesson):
    row = frame[(frame["staff_id"] == staff_id) & (frame["lesson"] == lesson)]
    assert len(row) == 1
    return row.iloc[0]


# --------------------------------------------------------------------------- requirements
def test_by_default_every_crm_user_takes_every_lesson_bank_refreshed_every_12_months():
    req = default_requirements()
    assert req.refresh_months == 12
    assert req.lessons_for("anyone", "standard") == tuple(load_banks())
    assert req.lessons_for("anyone", "none") == ()


def test_attempts_are_kept_36_months_by_default_and_never_less_than_a_refresh_cycle(tmp_path):
    assert default_requirements().retention_months == 36
    path = tmp_path / "req.yaml"
    path.write_text("refresh_months: 48\n", encoding="utf-8")
    assert load_requirements(path, lessons=LESSONS).retention_months == 48
    path.write_text("refresh_months: 12\nretention_months: 11\n", encoding="utf-8")
    with pytest.raises(RequirementsError, match="retention_months"):
        load_requirements(path, lessons=LESSONS)


def test_requirements_per_role_come_from_yaml(tmp_path):
    path = tmp_path / "req.yaml"
    path.write_text("refresh_months: 6\nroles:\n  dpo: all\n  sales_rep: [02_b]\n", encoding="utf-8")
    req = load_requirements(path, lessons=LESSONS)
    assert req.refresh_months == 6
    assert req.lessons_for("sales_rep", "full") == ("02_b",)
    assert req.lessons_for("dpo", "standard") == LESSONS
    assert req.lessons_for("clerk", "standard") == LESSONS


def test_a_requirements_file_naming_an_unknown_lesson_is_refused(tmp_path):
    path = tmp_path / "req.yaml"
    path.write_text("default: [99_nope]\n", encoding="utf-8")
    with pytest.raises(RequirementsError, match="99_nope"):
        load_requirements(path, lessons=LESSONS)


# --------------------------------------------------------------------------- statuses
def test_each_status_is_assigned():
    r = roster(person("S1"), person("S2"), person("S3", crm_access="none"))
    a = attempts(attempt("S1", "01_a", "2026-03-01"),
                 attempt("S1", "02_b", "2025-01-10"),
                 attempt("S2", "01_a", "2026-03-01", passed=False, score=3),
                 attempt("S3", "01_a", "2026-03-01"))
    s = lesson_status(r, a, REQ, dt.date(2026, 6, 30))
    assert status_of(s, "S1", "01_a")["status"] == "passed_current"
    assert status_of(s, "S1", "02_b")["status"] == "overdue"
    assert status_of(s, "S2", "01_a")["status"] == "failed_only"
    assert status_of(s, "S2", "02_b")["status"] == "never_started"
    assert status_of(s, "S3", "01_a")["status"] == "not_required"
    assert "02_b" not in set(s[s["staff_id"] == "S3"]["lesson"])  # not required and never attempted


def test_last_pass_and_best_score_are_reported():
    r = roster(person("S1"))
    a = attempts(attempt("S1", "01_a", "2026-01-01", passed=False, score=4),
                 attempt("S1", "01_a", "2026-02-01", score=9),
                 attempt("S1", "01_a", "2026-03-01", score=7))
    row = status_of(lesson_status(r, a, REQ, dt.date(2026, 6, 30)), "S1", "01_a")
    assert row["best_percent"] == 90.0
    assert row["last_pass"] == pd.Timestamp("2026-03-01")
    assert row["due_date"] == pd.Timestamp("2027-03-01")
    assert row["attempts"] == 3


@pytest.mark.parametrize(
    ("passed_on", "due", "months"),
    [
        ("2026-01-31", "2027-01-31", 12),  # same date next year
        ("2028-02-29", "2029-02-28", 12),  # leap day: no 29 Feb, the month's last day
        ("2028-02-29", "2032-02-29", 48),  # ... unless the later year has one
        ("2026-08-31", "2027-02-28", 6),   # month end into a shorter month
        ("2027-08-31", "2028-02-29", 6),   # ... into a leap February
    ],
)
def test_refresher_due_dates_are_calendar_correct(passed_on, due, months):
    r = roster(person("S1"))
    req = Requirements(default=("01_a",), refresh_months=months)
    a = attempts(attempt("S1", "01_a", passed_on))
    due_day = dt.date.fromisoformat(due)
    on_due = status_of(lesson_status(r, a, req, due_day), "S1", "01_a")
    assert on_due["due_date"] == pd.Timestamp(due_day)
    assert on_due["status"] == "passed_current"  # the due date itself is still on time
    after = status_of(lesson_status(r, a, req, due_day + dt.timedelta(days=1)), "S1", "01_a")
    assert after["status"] == "overdue"
    assert list(overdue(lesson_status(r, a, req, due_day + dt.timedelta(days=1)))["staff_id"]) == ["S1"]


def test_attempts_after_as_of_are_ignored():
    r = roster(person("S1"))
    a = attempts(attempt("S1", "01_a", "2026-07-01"))
    status = lesson_status(r, a, REQ, dt.date(2026, 6, 30))
    assert status_of(status, "S1", "01_a")["status"] == "never_started"


# --------------------------------------------------------------------------- aggregates
def test_completion_per_department_and_overall():
    r = roster(person("S1", "Sales"), person("S2", "Sales"), person("S3", "Support"))
    a = attempts(attempt("S1", "01_a", "2026-03-01"), attempt("S1", "02_b", "2026-03-01"),
                 attempt("S2", "01_a", "2026-03-01"), attempt("S3", "01_a", "2026-03-01", passed=False))
    s = lesson_status(r, a, REQ, dt.date(2026, 6, 30))
    by_dept = completion(s, "department").set_index("department")
    assert by_dept.loc["Sales", "required"] == 4 and by_dept.loc["Sales", "passed_current"] == 3
    assert by_dept.loc["Sales", "percent"] == 75.0
    assert by_dept.loc["Support", "percent"] == 0.0
    by_lesson = completion(s).set_index("lesson")
    assert by_lesson.loc["01_a", "passed_current"] == 2 and by_lesson.loc["02_b", "never_started"] == 2
    assert completion_percent(s) == 50.0
    total = summary(s)
    assert total["completion_percent"] == 50.0 and total["fully_trained_staff"] == 1
    assert {d["department"] for d in total["departments"]} == {"Sales", "Support"}


def test_fail_under_sets_the_exit_status():
    r = roster(person("S1"), person("S2"))
    s = lesson_status(r, attempts(attempt("S1", "01_a", "2026-03-01")), REQ, dt.date(2026, 6, 30))
    assert completion_percent(s) == 25.0
    assert fail_under_exit_code(s, 30) == 1
    assert fail_under_exit_code(s, 25) == 0
    assert fail_under_exit_code(s, None) == 0


def test_pass_rates_and_score_distribution():
    a = attempts(attempt("S1", "01_a", "2026-03-01", passed=False, score=4),
                 attempt("S1", "01_a", "2026-03-02", score=9), attempt("S2", "01_a", "2026-03-02", score=10))
    rates = pass_rates(a).set_index("lesson")
    assert rates.loc["01_a", "attempts"] == 3 and rates.loc["01_a", "rate"] == pytest.approx(66.7)
    assert rates.loc["01_a", "learners_passed"] == 2
    dist = score_distribution(a).set_index("lesson")
    assert list(dist.loc["01_a"]) == [1, 0, 0, 0, 1, 1]  # bands 0-50 ... 90-100, closed on the right


# --------------------------------------------------------------------------- HR export
def test_hr_csv_neutralises_formulas():
    r = roster(person("=HYPERLINK(\"http://x\")", department="+cmd|' /C calc'!A0"))
    s = lesson_status(r, attempts(), REQ, dt.date(2026, 6, 30))
    rows = list(csv.reader(io.StringIO(hr_csv(s))))
    assert rows[0] == ["staff_id", "learner_id", "department", "role", "lesson", "required", "status",
                       "reason", "last_pass", "due_date", "best_score"]
    assert len(rows) == 3
    for row in rows[1:]:
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row)
        assert row[0].startswith("'=") and row[1].startswith("'=") and row[2].startswith("'+")


def test_hr_csv_identifies_people_by_staff_and_learner_id_never_by_name():
    r = roster(person("S1", name="Krystyna Wiśniewska"), person("S2", name="Jürgen Müller"))
    text = hr_csv(lesson_status(r, attempts(), REQ, dt.date(2026, 6, 30)))
    assert "Wiśniewska" not in text and "Müller" not in text and "name" not in text.splitlines()[0]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(row["staff_id"], row["learner_id"], row["role"]) for row in rows} == {("S1", "S1", "rep"),
                                                                                 ("S2", "S2", "rep")}


# --------------------------------------------------------------------------- audit link
def test_store_training_table_feeds_untrained_crm_user(tmp_path):
    url = f"sqlite:///{tmp_path / 'progress.sqlite'}"
    csv_path = tmp_path / "staff.csv"
    csv_path.write_text(
        "staff_id,name,email,department,role,crm_access,start_date\n"
        "S1,Anna,a@x,Sales,rep,standard,2020-01-01\n"   # both lessons passed, current -> trained
        "S2,Ben,b@x,Sales,rep,full,2020-01-01\n"        # one lesson only -> untrained
        "S3,Cleo,c@x,Sales,rep,standard,2020-01-01\n"   # both passed, one lapsed -> untrained
        "S4,Dan,d@x,Finance,clerk,none,2020-01-01\n",   # no CRM access -> not concerned
        encoding="utf-8")
    rosters = RosterStore(url)
    rosters.import_csv(csv_path)
    store = ProgressStore(url, outbox_dir=tmp_path / "outbox", grader=None)  # made-up lessons 01_a, 02_b
    when = {"S1": ("2026-03-01", "2026-04-01"), "S2": ("2026-03-01", None),
            "S3": ("2025-05-01", "2026-04-01")}
    for learner, days in when.items():
        for lesson, day in zip(LESSONS, days, strict=True):
            if day:
                store.record(Attempt(learner=learner, lesson=lesson, quiz=lesson, bank_version="v1",
                                     answers={}, score=9, max_score=10, passed=True,
                                     submitted_at=dt.datetime.fromisoformat(day + "T09:00:00+00:00")))
    as_of = dt.date(2026, 6, 30)
    frame, people = store.attempts_frame(), rosters.frame()
    training = training_table_from_store(people, frame, REQ, Policy().training_course, as_of)
    assert list(training["staff_id"]) == ["S1", "S3"]
    assert training.set_index("staff_id").loc["S3", "completed_on"] == pd.Timestamp("2025-05-01")

    result = run_checks({"staff": staff_table(people), "training": training}, Policy(), as_of,
                        rules=["untrained_crm_user"]).result("untrained_crm_user")
    assert result.status == "failed"
    assert result.record_ids == ("S2", "S3")
    status = lesson_status(people, frame, REQ, as_of)
    not_current = status[status["required"] & (status["status"] != "passed_current")]
    assert tuple(sorted(set(not_current["staff_id"]))) == result.record_ids


def test_attempts_count_for_the_roster_learner_id_not_the_staff_id():
    r = validate_rows([{**person("S1"), "learner_id": "anna.m"}])
    a = attempts(attempt("anna.m", "01_a", "2026-03-01"), attempt("S1", "02_b", "2026-03-01"))
    s = lesson_status(r, a, REQ, dt.date(2026, 6, 30))
    assert status_of(s, "S1", "01_a")["status"] == "passed_current"
    assert status_of(s, "S1", "02_b")["status"] == "never_started"


def test_an_empty_roster_gives_empty_tables_and_no_data_never_full_completion():
    s = lesson_status(validate_rows([]), attempts(), REQ, dt.date(2026, 6, 30))
    assert s.empty and completion(s, "department").empty and overdue(s).empty
    assert completion_percent(s) is None and summary(s)["required"] == 0
    assert summary(s)["completion_percent"] is None and fail_under_exit_code(s, 0) == 1
    assert training_table_from_store(validate_rows([]), attempts(), REQ, "gdpr_essentials").empty


def test_load_status_reads_both_stores_and_reports_unknown_learners(tmp_path):
    url = f"sqlite:///{tmp_path / 'progress.sqlite'}"
    RosterStore(url).replace(roster(person("S1")))
    store = ProgressStore(url, outbox_dir=tmp_path / "outbox", grader=None)  # made-up lessons 01_a, 02_b
    day = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    for learner in ("S1", "visitor"):
        store.record(Attempt(learner=learner, lesson="01_a", quiz="01_a", bank_version="v1", answers={},
                             score=9, max_score=10, passed=True, submitted_at=day))
    report = load_status(url, REQ, dt.date(2026, 6, 30))
    assert report.unknown_learners == ["visitor"]
    assert len(report.attempts) == 2  # reported, not dropped
    assert status_of(report.status, "S1", "01_a")["status"] == "passed_current"
