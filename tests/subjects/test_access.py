"""The answer to an access and portability request (Art. 15, 20): one person only, third parties redacted,
plain language in the person's language, escaped, owner-only."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import shutil
import stat
import zipfile

import pandas as pd
import pytest
from subjects.subject_data import activity_of, request_of

from gdprlab.regulation.policy import Policy, Recipient
from gdprlab.regulation.transfers import transfer_lists
from gdprlab.subjects.access import answer_access, language_of, redact, texts, write_access
from gdprlab.subjects.find import Query, SubjectError, find_subject, open_dataset

POLICY = Policy(
    controller_name="Beispiel <GmbH>",
    controller_contact="datenschutz@example.com",
    recipients=(
        Recipient(
            "MailCo", "processor", "newsletter sending", "US", "standard contractual clauses (Art. 46(2)(c))"
        ),
    ),
)


def answer(folder, policy=POLICY, request=None, **query):
    with open_dataset(folder) as (t, given):
        subject = find_subject(t, Query(**query))
        return subject, answer_access(t, subject, policy, given.as_of, request)


def zipped(a) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(a.portability)) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist()}


def test_every_language_file_has_the_same_sentences():
    english = set(texts("en"))
    for language in ("de", "es", "fr", "it", "nl", "pl", "pt", "sv"):
        assert set(texts(language)) == english, language
    assert texts("fi") == texts("en")


def test_the_answer_covers_article_15_1_in_the_persons_language(people):
    _, a = answer(people, email="krystyna.cis@wp.pl")
    assert a.language == "pl" and '<html lang="pl">' in a.html
    tx = texts("pl")
    for key in (
        "held",
        "retention",
        "recipients",
        "source",
        "rights",
        "automated",
        "right_rectification",
        "right_erasure",
        "right_restriction",
        "right_objection",
        "complaint",
    ):
        assert tx[key] in a.html, key
    assert "Beispiel &lt;GmbH&gt;" in a.html and "<GmbH>" not in a.html  # the controller's name, escaped
    recipients = pd.read_csv(people / "recipients.csv", dtype=str, keep_default_na=False)
    for row in recipients.to_dict("records"):  # the recipients table, with each transfer's ground
        assert html.escape(row["name"]) in a.html
        if row["country"] not in transfer_lists().eea:
            assert html.escape(row["safeguard"] or row.get("derogation") or "-") in a.html
    assert "MailCo" not in a.html and a.notes  # the policy's list is not the record where the table is
    assert "customer relationship management" in a.html and "Art. 6(1)(b)" in a.html  # from the record
    contact = pd.read_csv(people / "contacts.csv", dtype=str).set_index("contact_id").loc["C0000001"]
    months = Policy().retention_months[contact["status"]]
    end = (pd.Timestamp(contact["last_activity_at"]).tz_localize(None) + pd.DateOffset(months=months)).date()
    assert str(end) in a.html  # the retention policy's period after the last activity
    assert "datenschutz@example.com" in a.html


def test_the_policys_recipients_stand_in_only_for_a_missing_recipients_table(people, tmp_path):
    """One record of recipients: the table; the policy's list for an export without it, said in a note."""
    folder = tmp_path / "no-recipients"
    shutil.copytree(people, folder)
    (folder / "recipients.csv").unlink()
    _, a = answer(folder, email="krystyna.cis@wp.pl")
    assert "MailCo" in a.html and "46(2)(c)" in a.html and "Mailwave" not in a.html
    assert len(a.notes) == 1 and "no rule checks" in a.notes[0]
    _, plain = answer(folder, policy=Policy(), email="krystyna.cis@wp.pl")
    assert not plain.notes and texts("pl")["no_recipients"] in plain.html


def test_third_parties_in_notes_are_redacted_and_counted(people):
    _, a = answer(people, email="krystyna.cis@wp.pl")
    assert "Gislinde" not in a.html and "Hartung" not in a.html and "[…]" in a.html
    assert "Krystyna Cis nie chce" in a.html  # her own name stays
    assert a.redacted == 1 and "liczba takich fragmentów to 1." in a.html  # the count, told to the person


def test_redaction_keeps_the_persons_own_identifiers():
    notes, n = redact(
        ["Call Anna Weber, or Jan Kowalski at jan.kowalski@example.com", None], frozenset({"anna", "weber"})
    )
    assert notes[0].startswith("Call Anna Weber") and "Kowalski" not in notes[0] and n == 2
    assert notes[1] is None


def test_namesakes_are_never_mixed(people):
    """Two customers are named Börje Andersson: the answer for one holds nothing of the other."""
    subject, a = answer(people, name="Börje Andersson", birth_date=dt.date(1961, 6, 10))
    files = zipped(a)
    everything = a.html + "".join(files.values())
    assert "C0000179" in everything
    for other in ("C0001746", activity_of(people, "C0001746"), "boerje.andersson@bredband.net", "S09998",
                  "1986-09-12"):
        assert other not in everything, other
    with pytest.raises(SubjectError, match="different people"):
        answer(people, name="Börje Andersson")


def test_portability_has_json_and_one_csv_per_table(people):
    _, a = answer(people, email="krystyna.cis@wp.pl")
    files = zipped(a)
    assert {"data.json", "contacts.csv", "consents.csv", "activities.csv", "staff.csv"} <= set(files)
    data = json.loads(files["data.json"])
    assert data["contacts"][0]["email"] == "krystyna.cis@wp.pl"
    assert data["mentions"][0]["activity_id"] == activity_of(people, "C0000002")  # another's note, certain
    assert set(a.rows) >= {"contacts", "staff", "consents", "activities", "mentions"}


def test_a_request_must_be_the_persons_and_of_the_right_type(people):
    with pytest.raises(SubjectError, match="not one of this person's requests"):
        answer(people, email="krystyna.cis@wp.pl", request=request_of(people, "C0000726", "rectification"))
    with pytest.raises(SubjectError, match="not access or portability"):
        answer(people, id="C0000799", request=request_of(people, "C0000799", "erasure"))


def test_values_from_the_data_are_escaped(people):
    with open_dataset(people) as (t, given):
        subject = find_subject(t, Query(email="krystyna.cis@wp.pl"))
        subject.rows["contacts"].loc[0, "city"] = "<script>alert(1)</script>"
        a = answer_access(t, subject, POLICY, given.as_of)
    assert "<script>alert" not in a.html and "&lt;script&gt;" in a.html


def test_files_are_written_owner_only(people, tmp_path):
    _, a = answer(people, email="krystyna.cis@wp.pl")
    for path in write_access(a, tmp_path / "answer"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_english_for_a_language_without_texts(people):
    with open_dataset(people) as (t, _):
        subject = find_subject(t, Query(id="S00001"))
    assert language_of(subject) == "en"


def test_a_person_under_a_legal_hold_is_told_its_ground_and_end(people):
    """Tamara Ferrero (C0000799, erased) is kept under tax law until 2034-11-01 (subject_data.HOLDS): the
    answer says so instead of the retention policy's period."""
    subject, a = answer(people, id="C0000799")
    kept = texts(a.language)["kept_hold"].format(date="2034-11-01", ground="17(3)(b) tax law: invoices")
    assert a.language == "es" and kept in a.html
    assert "2034-11-01" in a.html and "17(3)(b) tax law: invoices" in a.html
    assert json.loads(zipped(a)["data.json"])["contacts"][0]["contact_id"] == "C0000799"


def test_a_sole_traders_account_is_in_the_answer_and_a_colleagues_company_is_not(people):
    """C0000002 trades as "Stanislaw Wähner Handel" (A000017); C0000481 works for that account too: the
    trading name is the trader's personal data, not the colleague's."""
    _, trader = answer(people, id="C0000002")
    accounts = json.loads(zipped(trader)["data.json"])["accounts"]
    assert [row["account_id"] for row in accounts] == ["A000017"]
    assert accounts[0]["name"] == "Stanislaw Wähner Handel"
    _, colleague = answer(people, id="C0000481")
    files = zipped(colleague)
    assert "accounts.csv" not in files and "accounts" not in json.loads(files["data.json"])
    assert "Wähner Handel" not in colleague.html + "".join(files.values())


def test_a_person_who_is_also_staff_gets_their_staff_and_training_records(people):
    """Krystyna Cis (C0000001) is also on the staff list (S09999): the answer holds both records, and no
    other member of staff."""
    subject, a = answer(people, email="krystyna.cis@wp.pl")
    data = json.loads(zipped(a)["data.json"])
    assert [row["staff_id"] for row in data["staff"]] == ["S09999"]
    assert {row["staff_id"] for row in data.get("training", [])} <= {"S09999"}
    assert [row["contact_id"] for row in data["contacts"]] == ["C0000001"]


def test_record_ids_of_other_people_in_notes_are_redacted_and_the_persons_own_kept(people):
    """A note naming another contact and a member of staff by record id: both ids are looked up in the
    dataset and redacted (Art. 15(4)); the person's own id, and a number that is no record id, stay."""
    with open_dataset(people) as (t, given):
        subject = find_subject(t, Query(email="krystyna.cis@wp.pl"))
        logged = set(subject.rows["activities"]["staff_id"].dropna())
        staff = next(s for s in pd.read_csv(people / "staff.csv", dtype=str)["staff_id"] if s not in logged)
        activities = subject.rows["activities"]
        activities.loc[0, "note"] = "Zgłoszenie C0000001, nr 20261101."
        before = answer_access(t, subject, POLICY, given.as_of).redacted
        activities.loc[0, "note"] = f"Zgłoszenie C0000001 przekazane do C0000002 i {staff}, nr 20261101."
        a = answer_access(t, subject, POLICY, given.as_of)
    everything = a.html + "".join(zipped(a).values())
    assert "C0000002" not in everything and staff not in everything
    assert "Zgłoszenie C0000001 przekazane do […] i […], nr 20261101." in everything
    assert a.redacted == before + 2
