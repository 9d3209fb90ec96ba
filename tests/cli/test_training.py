"""`gdprlab progress`: a trainer's commands, end to end on a SQLite store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from helpers import graded_attempt

from gdprlab.cli.main import main
from gdprlab.training.store.progress import ProgressStore

ROSTER = (
    "staff_id,name,email,department,role,crm_access,start_date\n"
    "S1,Anna Muster,anna@example.com,sales,sales_rep,standard,2020-01-01\n"
    "S2,Bert Beispiel,bert@example.com,hr,hr_officer,none,2021-01-01\n"
    "S3,=cmd|calc,c@example.com,sales,account_manager,standard,2022-01-01\n"
)


@pytest.fixture()
def db(tmp_path):
    url = f"sqlite:///{tmp_path}/progress.sqlite"
    (tmp_path / "staff.csv").write_text(ROSTER)
    assert main(["progress", "import", str(tmp_path / "staff.csv"), "--db", url]) == 0
    with ProgressStore(url, outbox_dir=tmp_path) as store:
        for lesson in ("01_classification", "02_permission"):
            when = dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC)
            assert store.record(graded_attempt("S1", lesson, submitted_at=when)).stored
    return url


def test_import_reports_added_then_unchanged(tmp_path, db, capsys):
    capsys.readouterr()
    assert main(["progress", "import", str(tmp_path / "staff.csv"), "--db", db]) == 0
    assert "unchanged 3" in capsys.readouterr().out


def test_a_broken_roster_is_one_clear_error(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("staff_id,name\nS1,Anna\n")
    url = f"sqlite:///{tmp_path}/x.sqlite"
    assert main(["progress", "import", str(tmp_path / "bad.csv"), "--db", url]) == 2
    assert "bad.csv" in capsys.readouterr().err


def test_summary_fails_under_a_threshold(db, capsys):
    assert main(["progress", "summary", "--db", db, "--as-of", "2026-06-30", "--fail-under", "99"]) == 1
    out = capsys.readouterr().out
    assert "completion of required lessons" in out and "sales" in out
    assert main(["progress", "summary", "--db", db, "--as-of", "2026-06-30", "--fail-under", "1"]) == 0


def test_overdue_counts_calendar_months(db, capsys):
    # passed on 31 Jan 2026 with a 12-month refresher: current through 31 Jan 2027, overdue on 1 Feb 2027
    def rows(as_of: str) -> list[str]:
        main(["progress", "overdue", "--db", db, "--as-of", as_of])
        return [line for line in capsys.readouterr().out.splitlines() if "01_classification" in line]

    assert not any("overdue" in line for line in rows("2027-01-31"))
    assert any("overdue" in line for line in rows("2027-02-01"))


def test_exports_hr_csv_xapi_and_certificates(tmp_path, db):
    out = tmp_path / "out"
    assert main(["progress", "export", "--db", db, "--as-of", "2026-06-30", "--out", str(out / "hr.csv"),
                 "--xapi", str(out / "xapi.json"), "--certificates", str(out / "certs")]) == 0
    hr = (out / "hr.csv").read_text()
    assert "=cmd" not in hr.replace("'=cmd", "")  # formula injection neutralised
    statements = json.loads((out / "xapi.json").read_text())
    assert len(statements) == 2 and statements[0]["verb"]["id"].endswith("/passed")
    assert not (out / "certs" / "S1.html").exists()  # S1 passed 2 of the 8 required lessons: no certificate


def test_verify_detects_an_edited_record(db, capsys):
    assert main(["progress", "verify", "--db", db]) == 0
    import sqlalchemy as sa

    engine = sa.create_engine(db)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE attempts SET score = 1 WHERE lesson = '01_classification'"))
    assert main(["progress", "verify", "--db", db]) == 1
    assert "problem" in capsys.readouterr().out


def test_the_audit_can_read_training_from_the_progress_store(tmp_path, db, capsys):
    """untrained_crm_user from real completions: S1 passed two lessons only, so S1 and S3 lack training."""
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "staff.csv").write_text(
        "staff_id,name,email,department,role,crm_access,start_date\n"
        "S1,A,a@x.de,sales,sales_rep,standard,2020-01-01\n"
        "S2,B,b@x.de,hr,hr_officer,none,2021-01-01\n"
        "S3,C,c@x.de,sales,account_manager,standard,2022-01-01\n")
    capsys.readouterr()
    assert main(["check", str(tmp_path / "ds"), "--as-of", "2026-06-30", "--format", "json",
                 "--training-store", db]) == 0
    report = json.loads(capsys.readouterr().out)
    finding = next(f for f in report["findings"] if f["rule_id"] == "untrained_crm_user")
    assert sorted(finding["record_ids"]) == ["S1", "S3"]


@pytest.fixture()
def pg_url():
    """A fresh PostgreSQL schema on the local server (127.0.0.1:5432, database test), dropped afterwards."""
    import os
    import uuid

    sa = pytest.importorskip("sqlalchemy")
    base = os.environ.get("GDPRLAB_TEST_PG_URL", "postgresql+psycopg://@127.0.0.1:5432/test")
    schema = f"gdprlab_cli_{uuid.uuid4().hex[:8]}"
    try:
        engine = sa.create_engine(base, connect_args={"connect_timeout": 3})
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means: no server here
        pytest.skip(f"PostgreSQL not reachable at {base}: {exc.__class__.__name__}")
    yield f"{base}?options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_the_trainer_flow_works_on_postgresql(tmp_path, pg_url, capsys):
    (tmp_path / "staff.csv").write_text(ROSTER)
    assert main(["progress", "import", str(tmp_path / "staff.csv"), "--db", pg_url]) == 0
    with ProgressStore(pg_url, outbox_dir=tmp_path) as store:
        result = store.record(graded_attempt("S1", "01_classification"))
    assert result.stored
    assert main(["progress", "summary", "--db", pg_url, "--fail-under", "1"]) == 0
    assert main(["progress", "export", "--db", pg_url, "--out", str(tmp_path / "hr.csv")]) == 0
    import pandas as pd

    hr = pd.read_csv(tmp_path / "hr.csv", dtype=str)
    passed = hr[(hr["staff_id"] == "S1") & (hr["lesson"] == "01_classification")]
    assert list(passed["status"]) == ["passed_current"]
    assert main(["progress", "verify", "--db", pg_url]) == 0


def test_erase_a_learner_then_verify_still_succeeds_and_counts_the_tombstones(db, capsys, tmp_path,
                                                                                monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert main(["progress", "verify", "--db", db]) == 0  # a local checkpoint naming S1
    capsys.readouterr()
    assert main(["progress", "erase", "--learner", "S1", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "2 record(s) erased" in out and "S1" not in out
    assert main(["progress", "verify", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "history intact" in out and "2 erased record(s)" in out
    checkpoints = list((tmp_path / "data" / "gdprlab" / "checkpoints").glob("*.json"))
    assert checkpoints and all('"S1"' not in p.read_text() for p in checkpoints)
    with ProgressStore(db, create=False, outbox_dir=tmp_path) as store:
        assert store.attempts() == []
    assert main(["progress", "erase", "--learner", "S1", "--db", db]) == 0
    assert "no stored records" in capsys.readouterr().out


@pytest.mark.parametrize(("learner", "why"), [
    ("anna.schmidt@example.de", "looks like an e-mail address"),
    ("Anna Schmidt", "contains a space"),
    ("S" * 65, "has 65 characters; at most 64"),
    ("   ", "is empty"),
])
def test_erase_refuses_a_learner_id_the_lessons_would_refuse(db, capsys, learner, why):
    """The id is checked by the lessons' validator before the store is touched: exit 2, one line saying
    what is wrong, the id itself never echoed; nothing is erased."""
    with pytest.raises(SystemExit) as exited:
        main(["progress", "erase", "--learner", learner, "--db", db])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"error: argument --learner: the learner id {why}" in err and "Traceback" not in err
    assert not learner.strip() or learner not in err
    with ProgressStore(db, create=False) as store:
        assert len(store.attempts(learner="S1")) == 2


def test_purge_erases_what_is_past_the_retention_period(db, capsys, tmp_path, monkeypatch):
    """S1 passed on 31 Jan 2026; kept 36 calendar months by default, 12 with retention_months: 12."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert main(["progress", "purge", "--db", db, "--as-of", "2029-01-31"]) == 0
    assert "0 record(s) erased" in capsys.readouterr().out
    (tmp_path / "req.yaml").write_text("refresh_months: 12\nretention_months: 12\n")
    assert main(["progress", "purge", "--db", db, "--as-of", "2027-02-01", "--requirements",
                 str(tmp_path / "req.yaml")]) == 0
    assert "2 record(s) erased" in capsys.readouterr().out
    assert main(["progress", "verify", "--db", db]) == 0


def test_a_retention_shorter_than_the_refresh_is_refused(db, capsys, tmp_path):
    (tmp_path / "req.yaml").write_text("refresh_months: 12\nretention_months: 6\n")
    assert main(["progress", "purge", "--db", db, "--requirements", str(tmp_path / "req.yaml")]) == 2
    assert "retention_months" in capsys.readouterr().err


def test_erasure_on_postgresql(tmp_path, pg_url, capsys, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with ProgressStore(pg_url, outbox_dir=tmp_path) as store:
        for learner in ("S1", "S3"):
            assert store.record(graded_attempt(learner, "01_classification")).stored
    assert main(["progress", "erase", "--learner", "S1", "--db", pg_url]) == 0
    assert main(["progress", "verify", "--db", pg_url]) == 0
    assert "1 erased record(s)" in capsys.readouterr().out


def test_overdue_lists_required_lessons_never_started(db, capsys):
    """S1 passed two of the eight lessons, S3 (CRM access) none; S2 has no CRM access: nothing required."""
    capsys.readouterr()
    assert main(["progress", "overdue", "--db", db, "--as-of", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    assert "nothing is due" not in out
    lines = out.splitlines()
    never = [line for line in lines if "never_started" in line]
    assert len(never) == 6 + 8 and all("never started" in line for line in never)
    assert not any(line.split()[0] == "S2" for line in lines if line.strip())
    assert not any("01_classification" in line and line.startswith("S1") for line in lines)
    assert "0 overdue, 0 failed only, 14 never started (of 16 required lessons)" in out


def test_hr_csv_has_staff_id_role_status_score_dates_and_is_owner_only(db, tmp_path):
    import csv
    import stat

    path = tmp_path / "hr" / "training.csv"
    assert main(["progress", "export", "--db", db, "--as-of", "2026-06-30", "--out", str(path)]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert {"staff_id", "department", "role", "lesson", "status", "best_score", "last_pass",
            "due_date"} <= set(rows[0])
    passed = next(r for r in rows if r["staff_id"] == "S1" and r["lesson"] == "01_classification")
    shown = [passed[k] for k in ("department", "role", "status", "best_score", "last_pass", "due_date")]
    assert shown == ["sales", "sales_rep", "passed_current", "100.0", "2026-01-31", "2027-01-31"]
    injected = [r for r in rows if r["role"] == "account_manager"]
    assert injected and all(r["staff_id"] == "S3" for r in injected)
    assert all(not value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())


def test_certificates_and_re_grading_on_postgresql(tmp_path, pg_url, capsys, monkeypatch):
    """S1 passes the one required lesson: a certificate whose code verifies; a forged record is reported."""
    import re

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "staff.csv").write_text(ROSTER)
    (tmp_path / "req.yaml").write_text("default: [01_classification]\ncourse_title: GDPR basics\n")
    assert main(["progress", "import", str(tmp_path / "staff.csv"), "--db", pg_url]) == 0
    with ProgressStore(pg_url, outbox_dir=tmp_path) as store:
        when = dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)
        assert store.record(graded_attempt("S1", "01_classification", submitted_at=when)).stored
        assert store.record(graded_attempt("S3", "01_classification", 2, submitted_at=when)).stored
    assert main(["progress", "export", "--db", pg_url, "--as-of", "2026-06-30", "--requirements",
                 str(tmp_path / "req.yaml"), "--certificates", str(tmp_path / "certs")]) == 0
    assert "1 certificate(s) issued" in capsys.readouterr().out
    page = (tmp_path / "certs" / "S1.html").read_text(encoding="utf-8")
    code = re.search(r'<span class="code">([^<]+)</span>', page).group(1)
    assert main(["progress", "verify-certificate", code, "--db", pg_url, "--as-of", "2026-07-01"]) == 0
    assert main(["progress", "verify-certificate", code, "--db", pg_url, "--as-of", "2027-03-02"]) == 1
    assert "expired" in capsys.readouterr().out
    with ProgressStore(pg_url, outbox_dir=tmp_path, grader=None) as trusting:
        forged = dataclasses.replace(graded_attempt("S3", "01_classification", 2), score=8.0, passed=True)
        assert trusting.record(forged).stored
    assert main(["progress", "verify", "--db", pg_url]) == 1
    assert "S3: record 3: not_regraded: its score (8 of 8, passed) does not follow" in capsys.readouterr().out
