"""Content versions: each lesson's changelog names its bank, a material change makes earlier passes due again
(`progress overdue` says "content updated"), superseded banks are archived so they still re-grade."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from helpers import graded_attempt

from gdprlab.cli.main import main
from gdprlab.training import versions
from gdprlab.training.grading import regrade
from gdprlab.training.quiz import bank_version, load_banks
from gdprlab.training.status import Requirements, lesson_status, overdue
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.roster import validate_rows
from gdprlab.training.versions import Change, Changelog, ChangelogError, load_changelog

LESSON = "02_permission"


def test_every_bank_has_a_changelog_whose_current_version_is_the_packaged_bank():
    """Editing a bank without a changelog entry fails here: archive the old bank
    (versions.archive_bank) and add a version saying what changed and whether it is material."""
    log = load_changelog()
    for lesson, bank in load_banks().items():
        current = log.current(lesson)
        assert current is not None, f"{lesson} has no changelog"
        assert current.bank_version == bank_version(bank), (
            f"{lesson}: the bank is version {bank_version(bank)}, the changelog's current version names "
            f"{current.bank_version}: add an entry to gdprlab/training/content/changelog.yaml")
        assert current.changes.strip()


def test_the_grader_knows_every_version_the_changelog_lists_and_no_other():
    log = load_changelog()
    listed = {c.bank_version for changes in log.lessons.values() for c in changes}
    assert set(versions.known_banks()) == listed
    for version, bank in versions.known_banks().items():
        assert bank_version(bank) == version and log.version_of(bank.lesson, version) is not None


def test_an_archived_bank_is_known_by_its_content_and_cannot_be_edited(tmp_path):
    bank = dataclasses.replace(load_banks()[LESSON], pass_mark=0.75)
    path = versions.archive_bank(bank, tmp_path)
    archived = versions.archived_banks(tmp_path)
    assert list(archived) == [bank_version(bank)] and archived[bank_version(bank)].pass_mark == 0.75
    attempt = graded_attempt("S1", LESSON, right=6)  # 6 of 8 passes at 0.75, not at 0.8
    earlier = dataclasses.replace(attempt, bank_version=bank_version(bank), passed=True)
    assert regrade(earlier, archived).passed
    path.write_text(path.read_text(encoding="utf-8").replace("pass_mark: 0.75", "pass_mark: 0.5"),
                    encoding="utf-8")
    with pytest.raises(ChangelogError, match="archived banks are never edited"):
        versions.archived_banks(tmp_path)


@pytest.mark.parametrize(("entry", "message"), [
    ({"version": 2, "date": dt.date(2026, 1, 1), "bank_version": "a", "material": False, "changes": "x"},
     "version must be 1"),
    ({"version": 1, "date": "soon", "bank_version": "a", "material": False, "changes": "x"}, "date"),
    ({"version": 1, "date": dt.date(2026, 1, 1), "bank_version": "a", "changes": "x"}, "missing material"),
    ({"version": 1, "date": dt.date(2026, 1, 1), "bank_version": "a", "material": "yes", "changes": "x"},
     "material must be true or false"),
    ({"version": 1, "date": dt.date(2026, 1, 1), "bank_version": "a", "material": False, "changes": " "},
     "changes must say what changed"),
])
def test_a_broken_changelog_is_one_clear_error(tmp_path, entry, message):
    import yaml

    path = tmp_path / "changelog.yaml"
    data = {"schema": versions.SCHEMA, "lessons": {LESSON: [entry]}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ChangelogError, match=message):
        load_changelog(path)


# --------------------------------------------------------------------------- material changes
V1, V2, V3 = "aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"
LOG = Changelog({LESSON: (
    Change(LESSON, 1, dt.date(2026, 1, 10), V1, False, "First version."),
    Change(LESSON, 2, dt.date(2026, 9, 1), V2, True, "ePrivacy soft opt-in (Dir. 2002/58 Art. 13(2))."),
    Change(LESSON, 3, dt.date(2026, 10, 1), V3, False, "Typo in perm-04."),
)})
REQ = Requirements(default=(LESSON,))


def people(*ids):
    return validate_rows([{"staff_id": i, "name": f"P {i}", "department": "Sales", "role": "rep",
                           "crm_access": "standard", "start_date": "2020-01-01"} for i in ids])


def passes(*rows):
    return pd.DataFrame([{"learner": learner, "lesson": LESSON, "quiz": LESSON, "bank_version": bank,
                          "score": 8.0, "max_score": 8.0, "passed": True,
                          "submitted_at": pd.Timestamp(f"{day}T10:00Z")} for learner, bank, day in rows])


def row(status, staff_id):
    return status[status["staff_id"] == staff_id].iloc[0]


def test_a_material_change_makes_who_passed_an_earlier_version_due_again():
    a = passes(("S1", V1, "2026-03-01"), ("S2", V2, "2026-09-05"), ("S3", V3, "2026-10-02"),
               ("S4", "unversioned", "2026-02-01"), ("S5", "unversioned", "2026-09-10"))
    within = lesson_status(people("S1", "S2", "S3", "S4", "S5"), a, REQ, dt.date(2026, 10, 1), LOG)
    s1 = row(within, "S1")
    assert s1["status"] == "passed_current" and s1["due_date"] == pd.Timestamp("2026-10-01")  # 30 days
    assert s1["reason"].startswith("content updated: version 2 of 2026-09-01")
    later = lesson_status(people("S1", "S2", "S3", "S4", "S5"), a, REQ, dt.date(2026, 10, 2), LOG)
    due = overdue(later)
    assert list(due["staff_id"]) == ["S1", "S4"]  # a pass of v1, and one before versions made before v2
    assert all(r.startswith("content updated: version 2") and "soft opt-in" in r for r in due["reason"])
    for staff_id in ("S2", "S3", "S5"):  # v2, v3 (not material) and an unknown version after the change
        assert row(later, staff_id)["status"] == "passed_current" and row(later, staff_id)["reason"] == ""
    assert row(later, "S2")["due_date"] == pd.Timestamp("2027-09-05")  # the refresher again


def test_a_change_not_yet_published_on_the_as_of_day_does_not_count_and_no_change_is_the_refresher():
    a = passes(("S1", V1, "2026-03-01"))
    assert row(lesson_status(people("S1"), a, REQ, dt.date(2026, 8, 31), LOG), "S1")["reason"] == ""
    lapsed = row(lesson_status(people("S1"), a, REQ, dt.date(2027, 3, 2), None), "S1")
    assert lapsed["status"] == "overdue" and lapsed["reason"] == "refresher due"
    retaken = passes(("S1", V1, "2026-03-01"), ("S1", V2, "2026-10-20"))
    assert row(lesson_status(people("S1"), retaken, REQ, dt.date(2026, 11, 1), LOG), "S1")["status"] \
        == "passed_current"


def test_what_changed_since_a_version():
    assert [c.version for c in LOG.since(LESSON, V1)] == [2, 3]
    assert [c.version for c in LOG.since(LESSON, V3)] == []
    assert [c.version for c in LOG.since(LESSON, "unversioned")] == [1, 2, 3]


def test_progress_overdue_says_content_updated(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    bank = load_banks()[LESSON]
    current = versions.packaged_changelog().current(LESSON)
    change = Change(LESSON, current.version + 1, dt.date(2026, 9, 1), "dddddddddddd", True,
                    "Soft opt-in under Art. 13(2) ePrivacy Directive.")
    log = Changelog({LESSON: (dataclasses.replace(current, date=dt.date(2026, 1, 1)), change)})
    monkeypatch.setattr(versions, "packaged_changelog", lambda: log)
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    (tmp_path / "staff.csv").write_text("staff_id,name,email,department,role,crm_access,start_date\n"
                                        "S1,Anna,a@example.com,sales,rep,standard,2020-01-01\n")
    assert main(["progress", "import", str(tmp_path / "staff.csv"), "--db", url]) == 0
    with ProgressStore(url, outbox_dir=tmp_path / "outbox",
                       grader=lambda a: regrade(a, {bank_version(bank): bank})) as store:
        when = dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)
        assert store.record(graded_attempt("S1", LESSON, submitted_at=when)).stored
    (tmp_path / "req.yaml").write_text(f"default: [{LESSON}]\ncontent_update_days: 14\n")
    capsys.readouterr()
    assert main(["progress", "overdue", "--db", url, "--as-of", "2026-09-16", "--requirements",
                 str(tmp_path / "req.yaml")]) == 0
    out = capsys.readouterr().out
    assert "S1" in out and "content updated: version 2 of 2026-09-01" in out and "1 overdue" in out


def test_a_lesson_shows_what_changed_since_the_learners_pass():
    from gdprlab.crm.shown import md

    note = versions.what_changed(LESSON, V1, LOG)
    assert note.splitlines() == [
        "**Version 3** of this lesson (2026-10-01). What changed since you last passed it:",
        f"- version 2 (2026-09-01) **material: take the quiz again**: {md(LOG.lessons[LESSON][1].changes)}",
        f"- version 3 (2026-10-01): {md('Typo in perm-04.')}"]
    assert versions.what_changed(LESSON, V3, LOG) == "**Version 3** of this lesson (2026-10-01)."
    assert versions.what_changed("99_unknown", None, LOG) == ""
    assert versions.what_changed(LESSON, None).startswith("**Version 1** of this lesson")
