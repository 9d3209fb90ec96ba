"""Certificates: only on completion of every required lesson, with course, dates, expiry and a code that the
store verifies (valid, expired, forged, erased); self-contained, escaped HTML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sqlite3

import pandas as pd
import pytest
from helpers import graded_attempt

from gdprlab.cli.main import main
from gdprlab.training.certificates import (
    Certificate,
    certificate_html,
    eligible,
    issue_certificates,
    store_records,
    verification_hash,
    verify_code,
)
from gdprlab.training.status import Requirements
from gdprlab.training.store.progress import ProgressStore, normal_code
from gdprlab.training.store.records import HASHED_COLUMNS, Attempt, record_hash
from gdprlab.training.store.roster import RosterStore, validate_rows

LESSONS = ("01_classification", "02_permission")
REQ = Requirements(default=LESSONS, course_title="GDPR for CRM users")
ISSUED = dt.date(2026, 6, 30)
CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


pytestmark = pytest.mark.usefixtures("private_home")


def when(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00:00+00:00")


ROSTER = validate_rows([
    {"staff_id": "S1", "name": "Anna <Muster>", "department": "Sales", "role": "rep",
     "crm_access": "standard", "start_date": "2020-01-01"},
    {"staff_id": "S2", "name": "Bert", "department": "Sales", "role": "rep", "crm_access": "standard",
     "start_date": "2020-01-01"},
    {"staff_id": "S3", "name": "Cleo", "department": "HR", "role": "clerk", "crm_access": "none",
     "start_date": "2020-01-01"},
])


@pytest.fixture
def url(tmp_path):
    """S1 passed both required lessons (02 on 2025-08-01, so it is due on 2026-08-01); S2 passed one and
    failed the other; S3 has no CRM access and passed 01 (nothing is required of S3)."""
    url = f"sqlite:///{tmp_path / 'progress.sqlite'}"
    RosterStore(url).replace(ROSTER)
    with ProgressStore(url, outbox_dir=tmp_path / "outbox") as store:
        for attempt in (graded_attempt("S1", "01_classification", submitted_at=when("2026-03-01")),
                        graded_attempt("S1", "02_permission", 7, submitted_at=when("2025-08-01")),
                        graded_attempt("S2", "01_classification", submitted_at=when("2026-03-01")),
                        graded_attempt("S2", "02_permission", 2, submitted_at=when("2026-03-02")),
                        graded_attempt("S3", "01_classification", submitted_at=when("2026-03-01"))):
            assert store.record(attempt).stored
    return url


def issue(url, tmp_path, as_of=ISSUED):
    with ProgressStore(url, outbox_dir=tmp_path / "outbox") as store:
        return issue_certificates(store, ROSTER, REQ, as_of)


def test_only_a_learner_who_passed_every_required_lesson_gets_a_certificate(url, tmp_path):
    issued, missing = issue(url, tmp_path)
    assert [c.learner for c in issued] == ["S1"] and missing == ["S2"]  # S3: nothing required, none
    (c,) = issued
    assert c.name == "Anna <Muster>" and c.course == "GDPR for CRM users"
    assert sorted(c.records["lesson"]) == list(LESSONS)
    assert c.completed_on == dt.date(2026, 3, 1) and c.issued_on == ISSUED
    assert c.expires_on == dt.date(2026, 8, 1)  # the first refresher due: 02_permission, 12 months after
    assert CODE.match(c.code)
    # after 02_permission lapses, S1 is no longer complete: no new certificate
    assert issue(url, tmp_path, dt.date(2026, 8, 2)) == ([], ["S1", "S2"])


def test_issuing_again_gives_the_same_code_and_a_learner_without_passes_none(url, tmp_path):
    first, _ = issue(url, tmp_path)
    again, _ = issue(url, tmp_path)
    assert first[0].code == again[0].code
    with ProgressStore(url, create=False) as store:
        assert eligible(ROSTER, store_records(store).iloc[:0], REQ, ISSUED) == ([], ["S1", "S2"])


def test_a_forged_pass_does_not_earn_a_certificate(url, tmp_path):
    with ProgressStore(url, outbox_dir=tmp_path / "outbox", grader=None) as trusting:
        for lesson in LESSONS:
            assert trusting.record(Attempt(learner="S2", lesson=lesson, quiz=lesson, bank_version="x",
                                           answers={}, score=8, max_score=8, passed=True,
                                           submitted_at=when("2026-04-01"))).stored
    issued, missing = issue(url, tmp_path)
    assert [c.learner for c in issued] == ["S1"] and missing == ["S2"]


def test_the_code_verifies_as_valid_then_expired(url, tmp_path):
    (c,), _ = issue(url, tmp_path)
    with ProgressStore(url, create=False) as store:
        valid = verify_code(store, c.code, ISSUED)
        assert valid.state == "valid" and valid.learner == "S1"
        assert "course 'GDPR for CRM users'" in valid.message and "valid until 2026-08-01" in valid.message
        assert verify_code(store, c.code.lower().replace("-", " "), ISSUED).valid  # as typed
        assert verify_code(store, c.code, dt.date(2026, 8, 1)).valid  # the expiry day itself
        expired = verify_code(store, c.code, dt.date(2026, 8, 2))
        assert expired.state == "expired" and "expired on 2026-08-01" in expired.message


def test_an_unknown_code_or_changed_records_are_forged(url, tmp_path):
    (c,), _ = issue(url, tmp_path)
    with ProgressStore(url, create=False) as store:
        other = "0000-0000-0000-0000" if c.code != "0000-0000-0000-0000" else "1111-1111-1111-1111"
        assert verify_code(store, other, ISSUED).state == "forged"
        assert verify_code(store, "not a code", ISSUED).state == "forged"
    # raise the 02_permission score to 8 of 8 and recompute its hash (and the chain stays linked: it is
    # the learner's last record): the digest kept with the certificate no longer matches
    db = url.removeprefix("sqlite:///")
    con = sqlite3.connect(db)
    row = con.execute("SELECT * FROM attempts WHERE learner='S1' AND lesson='02_permission'").fetchone()
    names = [d[0] for d in con.execute("SELECT * FROM attempts LIMIT 0").description]
    values = dict(zip(names, row, strict=True)) | {"score": 8.0}
    values["submitted_at"] = dt.datetime.fromisoformat(values["submitted_at"]).replace(tzinfo=dt.UTC)
    digest = record_hash(**{k: values[k] for k in HASHED_COLUMNS})
    con.execute("UPDATE attempts SET score=8.0, record_hash=? WHERE id=?", (digest, values["id"]))
    con.commit()
    con.close()
    with ProgressStore(url, create=False) as store:
        forged = verify_code(store, c.code, ISSUED)
    assert forged.state == "forged" and "changed after it was issued" in forged.message


def test_erasure_takes_the_certificate_with_it_and_purged_records_make_it_erased(url, tmp_path):
    (c,), _ = issue(url, tmp_path)
    with ProgressStore(url, outbox_dir=tmp_path / "outbox") as store:
        store.purge(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # 02_permission of 2025-08-01 goes
        assert verify_code(store, c.code, ISSUED).state == "erased"
        store.erase_learner("S1")
        assert store.certificate(c.code) is None
        assert verify_code(store, c.code, ISSUED).state == "forged"


def test_codes_are_normalised_as_typed():
    assert normal_code("abcd-efgh-jkmn-pqrs") == "ABCD-EFGH-JKMN-PQRS"
    assert normal_code("0o1i l234 5678 9abc") == "0011-1234-5678-9ABC"
    assert normal_code("ABCD-EFGH") == "" and normal_code("UUUU-UUUU-UUUU-UUUU") == ""


# --------------------------------------------------------------------------- the page
def certificate(**changes) -> Certificate:
    records = pd.DataFrame([
        {"attempt_id": "a2", "learner": "S1", "lesson": "01_a", "bank_version": "v<1>", "score": 9.0,
         "max_score": 10.0, "passed": True, "submitted_at": pd.Timestamp("2026-01-02T09:00", tz="UTC")},
        {"attempt_id": "a3", "learner": "S1", "lesson": "02_b", "bank_version": "v2", "score": 8.0,
         "max_score": 10.0, "passed": True, "submitted_at": pd.Timestamp("2026-02-03T09:00", tz="UTC")}])
    fields = {"learner": "S1", "staff_id": "S1", "name": "Anna", "course": "GDPR for CRM users",
              "records": records, "completed_on": dt.date(2026, 2, 3), "issued_on": dt.date(2026, 3, 1),
              "expires_on": dt.date(2027, 1, 2), "code": "ABCD-EFGH-JKMN-PQRS"}
    return Certificate(**(fields | changes))


def test_the_page_names_person_course_dates_expiry_and_code():
    page = certificate_html(certificate(), titles={"01_a": "Classification"})
    assert page.startswith("<!DOCTYPE html>")
    assert "Anna (S1)" in page and '<h2 class="course">GDPR for CRM users</h2>' in page
    assert "Classification" in page and "90%" in page and "80%" in page and "2026-01-02" in page
    assert '<strong class="completed">2026-02-03</strong>' in page
    assert '<strong class="issued">2026-03-01</strong>' in page
    assert '<strong class="expires">2027-01-02</strong>' in page
    assert "ABCD-EFGH-JKMN-PQRS" in page and "gdprlab progress verify-certificate ABCD-EFGH-JKMN-PQRS" in page
    assert verification_hash(certificate().records) in page
    assert "<script" not in page and "http:" not in page and "https:" not in page  # self-contained
    assert "script-src 'none'" in page  # and no script may run in it


def test_every_value_is_html_escaped():
    page = certificate_html(certificate(name="<script>alert('x')</script>", course="A & B"),
                            titles={"01_a": "<b>bold</b>"}, organisation="C & D")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "A &amp; B" in page and "v&lt;1&gt;" in page


def test_the_digest_ignores_order_and_changes_with_any_record():
    records = certificate().records
    same = verification_hash(records.iloc[::-1].reset_index(drop=True))
    assert verification_hash(records) == same
    assert verification_hash(records.assign(score=[9.0, 7.0])) != same


def test_a_course_title_is_required():
    with pytest.raises(ValueError, match="course title"):
        eligible(ROSTER, pd.DataFrame(), dataclasses.replace(REQ, course_title=" "), ISSUED)


# --------------------------------------------------------------------------- the commands
def test_export_then_verify_certificate_on_the_command_line(url, tmp_path, capsys):
    (tmp_path / "req.yaml").write_text("default: [01_classification, 02_permission]\n"
                                       "course_title: GDPR for CRM users\n")
    certs = tmp_path / "certs"
    assert main(["progress", "export", "--db", url, "--as-of", "2026-06-30", "--requirements",
                 str(tmp_path / "req.yaml"), "--certificates", str(certs)]) == 0
    out = capsys.readouterr().out
    assert "1 certificate(s) issued as of 2026-06-30; 1 member(s) of staff without one" in out
    assert sorted(p.name for p in certs.glob("*.html")) == ["S1.html"]
    page = (certs / "S1.html").read_text(encoding="utf-8")
    code = re.search(r'<span class="code">([^<]+)</span>', page).group(1)
    assert main(["progress", "verify-certificate", code, "--db", url, "--as-of", "2026-07-01"]) == 0
    assert capsys.readouterr().out.startswith("valid: certificate of learner S1")
    assert main(["progress", "verify-certificate", code, "--db", url, "--as-of", "2026-08-02"]) == 1
    assert capsys.readouterr().out.startswith("expired: ")
    assert main(["progress", "verify-certificate", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "--db", url]) == 1
    out = capsys.readouterr().out
    assert out.startswith("forged: ") and "Traceback" not in out and "Anna" not in out
