"""Erasure (Art. 17) and rectification (Art. 16): a plan, a copy changed, the request completed, an audit
record of counts and hashes, and `check` passing erasure_incomplete afterwards."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pandas as pd
import pytest
from subjects.subject_data import activity_of, contact_of, request_of

from gdprlab.audit.engine import violating_ids
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.policy import Policy, Recipient
from gdprlab.subjects.erase import apply_plan, cleared_columns, erasure_plan, rectify
from gdprlab.subjects.find import Query, SubjectError, find_subject, open_dataset

POLICY = Policy(recipients=(Recipient("MailCo"),))


def erase(folder, out, request, **query):
    with open_dataset(folder) as (t, given):
        subject = find_subject(t, Query(**query))
        plan = erasure_plan(subject, request, given.as_of)
        return apply_plan(folder, subject, plan, out, as_of=given.as_of, policy=POLICY, operator="dpo")


def erasure_findings(folder) -> list[str]:
    with open_dataset(folder) as (t, given):
        return violating_ids("erasure_incomplete", t, given.policy, given.as_of)


def read(folder, table) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def test_erasing_a_refused_request_anonymises_the_person_and_completes_it(people, tmp_path):
    """Irene (C0001590, whose erasure request was refused) erased now: the copy passes erasure_incomplete."""
    request = request_of(people, "C0001590", "erasure")
    outcome = erase(people, tmp_path / "out", request, id="C0001590")
    copy = outcome.folder
    contact = read(copy, "contacts").set_index("contact_id").loc["C0001590"]
    assert contact["status"] == "erased" and contact["first_name"] == contact["email"] == ""
    assert (contact[cleared_columns(contact.index)] == "").all()
    assert contact["created_at"] and contact["locale"]  # the erasure's record stays
    row = read(copy, "requests").set_index("request_id").loc[request]
    assert row["status"] == "completed" and row["responded_on"]
    notes = read(copy, "activities")
    assert (notes.loc[notes["contact_id"] == "C0001590", "note"] == "").all()
    assert request not in erasure_findings(copy)
    assert read(people, "contacts").set_index("contact_id").loc["C0001590", "first_name"]  # source untouched


def test_a_completed_erasure_with_remains_is_fixed(people, tmp_path):
    request = erasure_findings(people)[0]
    outcome = erase(people, tmp_path / "out", request, id=contact_of(people, request))
    assert request not in erasure_findings(outcome.folder)


def test_a_legal_hold_is_kept_with_its_ground_and_end(people, tmp_path):
    with open_dataset(people) as (t, given):
        plan = erasure_plan(find_subject(t, Query(id="C0000799")), request_of(people, "C0000799", "erasure"),
                            given.as_of)
    kept = plan[plan["table"].isin(["contacts", "activities"])]
    assert set(kept["action"]) == {"keep"}
    assert kept["ground"].str.startswith("17(3)(b)").all() and set(kept["until"]) == {"2034-11-01"}
    request = request_of(people, "C0000799", "erasure")
    outcome = erase(people, tmp_path / "out", request, id="C0000799")
    assert read(outcome.folder, "contacts").set_index("contact_id").loc["C0000799", "first_name"] == "Tamara"
    assert request not in erasure_findings(outcome.folder)


def test_mentions_in_other_records_are_replaced_and_staff_is_left_for_review(people, tmp_path):
    with open_dataset(people) as (t, given):
        subject = find_subject(t, Query(email="krystyna.cis@wp.pl"))
        subject.rows["requests"] = pd.DataFrame(
            [{"request_id": "R1", "contact_id": "C0000001", "type": "erasure", "status": "open"}]
        )
        plan = erasure_plan(subject, "R1", given.as_of)
        assert plan.set_index("table").loc["staff", "action"] == "review"
        outcome = apply_plan(people, subject, plan, tmp_path / "out", as_of=given.as_of, policy=POLICY)
    notes = read(outcome.folder, "activities").set_index("activity_id")["note"]
    note = notes.loc[activity_of(people, "C0000002")]
    assert "krystyna" not in note.lower() and "452 470 456" not in note and note.count("[…]") == 2
    assert read(outcome.folder, "staff").set_index("staff_id").loc["S09999", "email"] == "krystyna.cis@wp.pl"
    before = read(people, "contacts").set_index("contact_id").loc["C0000001"]
    after = read(outcome.folder, "contacts").set_index("contact_id").loc["C0000001"]
    unknown = [c for c in before.index if c not in TABLES["contacts"].column_names and before[c]]
    assert unknown and (after[unknown] == "").all()  # columns the schema does not know are emptied too


def test_a_sole_traders_account_is_anonymised(people, tmp_path):
    with open_dataset(people) as (t, given):
        subject = find_subject(t, Query(id="C0000002"))
        subject.rows["requests"] = pd.DataFrame(
            [{"request_id": "R1", "contact_id": "C0000002", "type": "erasure", "status": "open"}]
        )
        outcome = apply_plan(
            people,
            subject,
            erasure_plan(subject, "R1", given.as_of),
            tmp_path / "out",
            as_of=given.as_of,
            policy=POLICY,
        )
    account = read(outcome.folder, "accounts").set_index("account_id").loc["A000017"]
    assert account["name"] == account["vat_number"] == "" and account["country"] == "DE"


def test_the_audit_record_holds_counts_and_hashes_never_values(people, tmp_path):
    request = request_of(people, "C0001590", "erasure")
    outcome = erase(people, tmp_path / "out", request, id="C0001590")
    path = tmp_path / "out" / "audit.json"
    text = path.read_text()
    audit = json.loads(text)
    assert audit["who"] == "dpo" and audit["request"] == request and audit["removed_values"] > 0
    assert audit["changed"]["contacts"]["rows"] == 1 and len(audit["removed_sha256"]) == 64
    assert audit["files_sha256"]["contacts"]["before"] != audit["files_sha256"]["contacts"]["after"]
    names = read(people, "recipients")["name"].tolist()  # the dataset's record, not the policy's list
    assert audit["notify_recipients (Art. 19)"] == names and "MailCo" not in names
    assert "not used" in audit["recipients_note"]
    irene = read(people, "contacts").set_index("contact_id").loc["C0001590"]
    for value in (irene["first_name"], irene["last_name"], irene["email"], irene["phone"]):
        assert value not in text and value not in (tmp_path / "out" / "erasure_plan.csv").read_text()
    for written in (
        path,
        tmp_path / "out" / "erasure_plan.csv",
        outcome.folder / "contacts.csv",
        outcome.folder / "staff.csv",
    ):
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert [p.name for p in outcome.folder.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_in_place_needs_a_backup_and_makes_it_first(people, tmp_path):
    import shutil

    folder = tmp_path / "ds"
    shutil.copytree(people, folder)
    with open_dataset(folder) as (t, given):
        subject = find_subject(t, Query(id="C0001590"))
        plan = erasure_plan(subject, request_of(people, "C0001590", "erasure"), given.as_of)
        with pytest.raises(SubjectError, match="--backup"):
            apply_plan(
                folder, subject, plan, tmp_path / "out", as_of=given.as_of, policy=POLICY, in_place=True
            )
        apply_plan(
            folder,
            subject,
            plan,
            tmp_path / "out",
            as_of=given.as_of,
            policy=POLICY,
            in_place=True,
            backup=tmp_path / "backup",
        )
    assert read(folder, "contacts").set_index("contact_id").loc["C0001590", "status"] == "erased"
    assert read(tmp_path / "backup", "contacts").set_index("contact_id").loc["C0001590", "first_name"]


def test_only_the_persons_erasure_request_is_accepted(people):
    with open_dataset(people) as (t, given):
        subject = find_subject(t, Query(id="C0001590"))
        with pytest.raises(SubjectError, match="not one of this person's requests"):
            erasure_plan(subject, request_of(people, "C0000799", "erasure"), given.as_of)


def test_rectification_changes_the_columns_and_lists_recipients(people, tmp_path):
    with open_dataset(people) as (t, given):
        subject = find_subject(t, Query(id="C0000726"))  # who asked for a rectification
        outcome = rectify(
            people,
            subject,
            {"city": "Neustadt"},
            tmp_path / "out",
            request_id=request_of(people, "C0000726", "rectification"),
            as_of=given.as_of,
            policy=POLICY,
        )
    assert read(outcome.folder, "contacts").set_index("contact_id").loc["C0000726", "city"] == "Neustadt"
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    recipients = read(people, "recipients")
    assert audit["notify_recipients (Art. 19)"] == recipients[["name", "kind"]].to_dict("records")
    assert "Neustadt" not in json.dumps(audit)
    with open_dataset(people) as (t, given), pytest.raises(SubjectError, match="cannot rectify contact_id"):
        rectify(
            people,
            find_subject(t, Query(id="C0000726")),
            {"contact_id": "X"},
            tmp_path / "o2",
            request_id=None,
            as_of=given.as_of,
            policy=POLICY,
        )


def test_an_erasure_on_parquet_files_keeps_their_types_and_passes_the_check(messy_parquet_dir, tmp_path):
    """The messy dataset's first erasure with remains (a finding of erasure_incomplete) erased anew."""
    remains = erasure_findings(messy_parquet_dir)
    requests = pd.read_parquet(messy_parquet_dir / "requests.parquet").set_index("request_id")
    request = remains[0]
    outcome = erase(messy_parquet_dir, tmp_path / "out", request, id=requests.loc[request, "contact_id"])
    assert request not in erasure_findings(outcome.folder)
    kinds = [pd.read_parquet(folder / "requests.parquet").dtypes.map(lambda d: d.kind).tolist()
             for folder in (messy_parquet_dir, outcome.folder)]
    assert kinds[0] == kinds[1]  # dates stay dates, text stays text


def test_erasing_one_of_two_namesakes_leaves_the_other_whole(people, tmp_path):
    """Two customers are named Börje Andersson (C0000179, born 1961; C0001746, born 1986): a name alone
    erases nobody, and erasing the elder changes nothing of the younger, not even his own note that names
    himself (a name mention another person bears, left for review)."""
    with open_dataset(people) as (t, given):
        with pytest.raises(SubjectError, match="2 different people"):
            erasure_plan(find_subject(t, Query(name="Börje Andersson")), "R1", given.as_of)
        subject = find_subject(t, Query(name="Börje Andersson", birth_date=dt.date(1961, 6, 10)))
        subject.rows["requests"] = pd.DataFrame(
            [{"request_id": "R1", "contact_id": "C0000179", "type": "erasure", "status": "open"}]
        )
        plan = erasure_plan(subject, "R1", given.as_of)
        outcome = apply_plan(people, subject, plan, tmp_path / "out", as_of=given.as_of, policy=POLICY)
    younger_note = activity_of(people, "C0001746")
    assert plan.set_index("record_id").loc[younger_note, "action"] == "review"
    contacts = {name: read(folder, "contacts").set_index("contact_id") for name, folder in
                (("before", people), ("after", outcome.folder))}
    assert contacts["after"].loc["C0000179", "first_name"] == ""
    assert contacts["after"].loc["C0001746"].equals(contacts["before"].loc["C0001746"])
    activities = {name: read(folder, "activities") for name, folder in (("before", people),
                                                                      ("after", outcome.folder))}
    his = {name: a[a["contact_id"] == "C0001746"].reset_index(drop=True) for name, a in activities.items()}
    assert len(his["before"]) and his["after"].equals(his["before"])
