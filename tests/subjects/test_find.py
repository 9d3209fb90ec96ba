"""Finding one person: every row of theirs in every table, mentions in others' notes, masked output."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pandas as pd
import pytest
from subjects.subject_data import activity_of

from gdprlab.subjects.find import (
    Query,
    SubjectError,
    find_subject,
    open_dataset,
    summary_lines,
    write_extract,
)


def find(folder, **query):
    with open_dataset(folder) as (t, _):
        return find_subject(t, Query(**query))


def test_an_email_finds_the_contact_and_all_its_rows(people):
    s = find(people, email="Krystyna.Cis@wp.pl ")
    assert s.contact_ids == ["C0000001"] and s.people == 1 and s.found_by["C0000001"] == "e-mail"
    for name in ("consents", "activities"):
        table = pd.read_csv(people / f"{name}.csv", dtype=str)
        theirs = table.loc[table["contact_id"] == "C0000001"].iloc[:, 0]
        assert sorted(s.rows[name].iloc[:, 0]) == sorted(theirs) and len(theirs)


def test_a_person_who_is_also_staff_is_found_in_staff_and_training(people):
    by_email = find(people, email="krystyna.cis@wp.pl")
    assert by_email.staff_ids == ["S09999"]
    by_staff_id = find(people, id="S09999")
    assert by_staff_id.contact_ids == ["C0000001"] and by_staff_id.staff_ids == ["S09999"]
    assert by_staff_id.found_by["C0000001"] == "e-mail of the staff record"


def test_a_name_shared_by_two_people_is_ambiguous_until_the_birth_date_tells_them_apart(people):
    both = find(people, name="Börje Andersson")
    assert sorted(both.contact_ids) == ["C0000179", "C0001746"] and both.people == 2
    with pytest.raises(SubjectError, match="2 different people"):
        both.one_person()
    one = find(people, name="borje  ANDERSSON", birth_date=dt.date(1961, 6, 10))
    assert one.contact_ids == ["C0000179"] and one.people == 1
    assert "C0001746" not in set(one.rows["activities"]["contact_id"])


def test_a_staff_namesake_is_only_listed_as_possible(people):
    s = find(people, name="Börje Andersson", birth_date=dt.date(1961, 6, 10))
    assert s.staff_ids == [] and s.possible_staff == ["S09998"]


def test_a_re_registration_with_the_same_name_and_birth_date_is_the_same_person():
    """The sample's C0001996 repeats C0001574's name, birth date and phone under another address."""
    s = find("datasets/sample", email="carlos.baptista@outlook.pt")
    assert s.contact_ids == ["C0001574", "C0001996"] and s.people == 1
    assert s.found_by["C0001996"] == "same name and date of birth"


def test_a_phone_in_national_form_finds_the_international_number(people):
    assert find(people, phone="0452 470 456").contact_ids == ["C0000001"]
    assert find(people, phone="+48 452-470-456").contact_ids == ["C0000001"]


def test_a_sole_traders_account_is_the_persons_and_a_company_account_is_not(people):
    trader = find(people, id="C0000002")
    assert list(trader.rows["accounts"]["account_id"]) == ["A000017"]
    colleague = find(people, id="C0000481")  # works for the same account, whose name is not hers
    assert colleague.rows["accounts"].empty


def test_a_person_under_a_legal_hold_is_found_with_the_hold(people):
    s = find(people, id="C0000799")
    row = s.rows["contacts"].iloc[0]
    assert row["retention_ground"].startswith("17(3)(b)") and "erasure" in set(s.rows["requests"]["type"])


def test_mentions_in_other_records_notes_by_email_phone_and_name(people):
    s = find(people, email="krystyna.cis@wp.pl")
    m = s.mentions[s.mentions["activity_id"] == activity_of(people, "C0000002")]
    assert set(m["matched"]) == {"email", "phone"} and set(m["confidence"]) == {1.0}
    assert "C0000001" not in set(s.mentions["contact_id"])  # her own notes are her rows, not mentions


def test_a_name_mention_states_how_many_people_bear_the_name(people):
    s = find(people, name="Börje Andersson", birth_date=dt.date(1961, 6, 10))
    m = s.mentions.set_index("activity_id").loc[activity_of(people, "C0001746")]
    # the other Börje Andersson's own note: two customers and one member of staff bear the name
    assert m["matched"] == "name" and m["confidence"] == pytest.approx(1 / 3, abs=1e-3)


def test_the_terminal_shows_masked_values_only(people):
    s = find(people, email="krystyna.cis@wp.pl")
    text = "\n".join(summary_lines(s))
    for raw in ("krystyna", "Krystyna", "Cis ", "452470456", "1992-09-29"):
        assert raw not in text
    assert "C0000001" in text and "S09999" in text


def test_the_full_extract_is_written_owner_only(people, tmp_path):
    s = find(people, email="krystyna.cis@wp.pl")
    path = write_extract(s, tmp_path / "extract.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["tables"]["contacts"][0]["email"] == "krystyna.cis@wp.pl"


def test_no_match_and_no_identifier():
    assert not find("datasets/sample", email="nobody@example.invalid").found
    with pytest.raises(SubjectError, match="name the person"):
        Query(birth_date=dt.date(2000, 1, 1))


def test_the_same_person_is_found_on_pyspark(people, spark_backend):
    """The finder is Ibis throughout: on Spark it finds the same rows and mentions as on DuckDB."""
    from gdprlab.audit.engine import open_tables
    from gdprlab.crm.staging import stage_dataset
    from gdprlab.subjects.find import searchable

    t, _ = open_tables(stage_dataset(people, spark_backend), spark_backend)
    on_spark = find_subject(searchable(t), Query(email="krystyna.cis@wp.pl"))
    on_duckdb = find(people, email="krystyna.cis@wp.pl")
    assert on_spark.contact_ids == on_duckdb.contact_ids and on_spark.staff_ids == on_duckdb.staff_ids
    for name in ("consents", "activities"):
        assert sorted(on_spark.rows[name].iloc[:, 0]) == sorted(on_duckdb.rows[name].iloc[:, 0])
    assert sorted(map(tuple, on_spark.mentions.values.tolist())) == sorted(
        map(tuple, on_duckdb.mentions.values.tolist()))


def test_every_row_of_a_person_and_no_other_on_generated_data(people):
    """Recall and precision 1.0 of a person's rows: for 25 contacts found by e-mail, exactly the rows of the
    contacts that share their name and date of birth (the generator's one person)."""
    import pandas as pd

    contacts = pd.read_csv(people / "contacts.csv", dtype=str)
    tables = {name: pd.read_csv(people / f"{name}.csv", dtype=str) for name in ("consents", "activities",
                                                                                "requests")}
    sample = contacts.dropna(subset=["email", "birth_date"]).sample(25, random_state=1)
    with open_dataset(people) as (t, _):
        for row in sample.itertuples():
            person = ((contacts["first_name"] == row.first_name) & (contacts["last_name"] == row.last_name)
                      & (contacts["birth_date"] == row.birth_date))
            same = contacts.loc[person, "contact_id"]
            found = find_subject(t, Query(email=row.email), mentions=False)
            assert sorted(found.contact_ids) == sorted(same)
            for name, df in tables.items():
                key = df.columns[0]
                assert sorted(found.rows[name][key]) == sorted(df.loc[df["contact_id"].isin(same), key]), name
