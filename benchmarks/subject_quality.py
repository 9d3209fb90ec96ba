"""Benchmark: how well one data subject is found on generated datasets: every row of theirs, every note of
another record that mentions them, and nothing of anybody else in the access package.

Run:  .venv/bin/python benchmarks/subject_quality.py [--contacts 3000] [--seeds 1 2] [--people 40]
          [--out benchmarks/out/subject_quality.json]

Each dataset is generated (profile typical), written to a temporary folder and read back on DuckDB, as a
DPO's run would. Its people are every contact the generator mentioned in another contact's note
(ground_truth_mentions.csv), then others, up to --people per dataset; each is looked up by one identifier
in turn (e-mail, phone, record id, name with date of birth: gdprlab.subjects.find) and answered
(gdprlab.subjects.access: the rows and mentions of the portability package).

What the generator knows (the truth):

* a person is the contacts of one first name, last name and date of birth (the generator never gives two
  people all three; a re-registration under another address is the same person); their rows are those
  contacts and the consents, activities and requests with their contact_id. The generator makes no member
  of staff who is also a customer and no sole trader (tests/subjects covers both), so a staff, training or
  account row in an answer is somebody else's;
* the notes of other contacts that mention them: ground_truth_mentions.csv, by e-mail, phone, record id or
  name.

Figures: recall of the person's rows; rows of other people in the access package (their contacts, consents,
activities, requests, and notes in its mentions that do not mention the person); other people mentioned in the
person's own notes and still readable in the package (Art. 15(4), by kind); recall and precision of identifier
mentions (a note matched by e-mail, phone or record id); precision and recall of name-only mentions (matched
by name alone: a namesake's own notes name them too, so these are reported, not targets). Targets (issue 17):
recall 1.0 of rows and of identifier mentions, 0 rows of other people in the access package, and no other
person's e-mail, phone or record id left readable in it. A query that matches several people (two people with
one phone number) is refused by the access answer, as it should be: counted, and left out of the package
figures. Prints one JSON object (the machine and date with the figures; also written to --out) and exits 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import re
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd

from gdprlab.crm.exports import MENTIONS_TRUTH
from gdprlab.generator import GeneratorConfig, generate, write_dataset
from gdprlab.subjects.access import answer_access
from gdprlab.subjects.find import Query, SubjectError, find_subject, open_dataset

AS_OF = dt.date(2026, 11, 1)
PERSON_TABLES = ("consents", "activities", "requests")  # rows of a contact through contact_id
NOBODYS = ("accounts", "staff", "training")  # no generated person has rows there
IDENTIFIERS = ("email", "phone", "id")
KEYS = {"contacts": "contact_id", "consents": "consent_id", "activities": "activity_id",
        "requests": "request_id", "accounts": "account_id", "staff": "staff_id", "training": "training_id"}


def people_of(contacts: pd.DataFrame, activities: pd.DataFrame, mentions: pd.DataFrame, limit: int,
              seed: int) -> list[pd.Series]:
    """One contact row per person to look up, `limit` at most: those mentioned in another's note and those
    in whose notes another is mentioned, in turn, then others."""
    known = contacts[["first_name", "last_name", "email", "phone", "birth_date"]].notna().all(axis=1)
    usable = contacts[(contacts["status"] != "erased") & known]
    hosts = activities.loc[activities["activity_id"].isin(mentions["activity_id"]), "contact_id"]
    mentioned = usable[usable["contact_id"].isin(mentions["contact_id"])]
    hosting = usable[usable["contact_id"].isin(hosts) & ~usable.index.isin(mentioned.index)]
    both = pd.concat([mentioned.assign(_turn=range(0, 2 * len(mentioned), 2)),
                      hosting.assign(_turn=range(1, 2 * len(hosting), 2))]).sort_values("_turn")
    others = usable.drop(both.index).sample(frac=1.0, random_state=seed)
    chosen = pd.concat([both.drop(columns="_turn"), others])
    chosen = chosen.drop_duplicates(["first_name", "last_name", "birth_date"])
    return [row for _, row in chosen.head(limit).iterrows()]


def query_for(row: pd.Series, turn: int) -> Query:
    kind = ("email", "phone", "id", "name")[turn % 4]
    if kind == "email":
        return Query(email=row["email"])
    if kind == "phone":
        return Query(phone=row["phone"])
    if kind == "id":
        return Query(id=row["contact_id"])
    return Query(name=f"{row['first_name']} {row['last_name']}",
                 birth_date=pd.Timestamp(row["birth_date"]).date())


def package_tables(answer) -> dict[str, list[dict]]:
    with zipfile.ZipFile(io.BytesIO(answer.portability)) as z:
        return json.loads(z.read("data.json"))


def one_dataset(seed: int, contacts: int, people: int, root: Path, tally: Counter) -> None:
    folder = write_dataset(generate(GeneratorConfig(contacts=contacts, seed=seed, as_of=AS_OF)),
                           root / f"seed-{seed}")
    read = {name: pd.read_csv(folder / f"{name}.csv", dtype=str) for name in ("contacts", *PERSON_TABLES)}
    c = read["contacts"]
    truth_mentions = pd.read_csv(folder / f"{MENTIONS_TRUTH}.csv", dtype=str)
    person_of = c["first_name"].fillna("") + "\x1f" + c["last_name"].fillna("") + "\x1f" + c["birth_date"]
    with open_dataset(folder) as (t, given):
        for turn, row in enumerate(people_of(c, read["activities"], truth_mentions, people, seed)):
            same = set(c.loc[person_of == person_of[row.name], "contact_id"])
            mine = {name: set(df.loc[df["contact_id"].isin(same), KEYS[name]]) for name, df in read.items()
                    if name != "contacts"}
            mine["contacts"] = same
            planted = truth_mentions[truth_mentions["contact_id"].isin(same)]
            subject = find_subject(t, query_for(row, turn))
            tally["people"] += 1
            for name, keys in mine.items():
                found = set(subject.rows[name][KEYS[name]].astype(str)) if name in subject.rows else set()
                tally["rows"] += len(keys)
                tally["rows_found"] += len(keys & found)
            tally["rows_of_others_found"] += sum(
                len(set(subject.rows[name][KEYS[name]].astype(str)) - mine[name])
                for name in mine if name in subject.rows)
            tally["rows_of_others_found"] += sum(len(subject.rows[name]) for name in NOBODYS
                                                 if name in subject.rows)
            _mentions(subject.mentions, planted, tally)
            try:
                answer = answer_access(t, subject, given.policy, given.as_of)
            except SubjectError:
                tally["refused_ambiguous"] += 1
                continue
            package = package_tables(answer)
            _others_in_own_notes(package.get("activities", []), truth_mentions, c, tally)
            for name, records in package.items():
                if name == "mentions":
                    ids = {r["activity_id"] for r in records}
                    tally["package_mention_notes"] += len(ids)
                    tally["package_rows_of_others"] += len(ids - set(planted["activity_id"]))
                    continue
                tally["package_rows"] += len(records)
                if name in NOBODYS:
                    tally["package_rows_of_others"] += len(records)
                else:
                    theirs = mine[name]
                    tally["package_rows_of_others"] += sum(str(r[KEYS[name]]) not in theirs for r in records)


def _mentions(found: pd.DataFrame, planted: pd.DataFrame, tally: Counter) -> None:
    kinds = found.groupby("activity_id")["matched"].agg(set) if not found.empty else pd.Series(dtype=object)
    by_identifier = {a for a, k in kinds.items() if k & set(IDENTIFIERS)}
    by_name_only = {a for a, k in kinds.items() if k == {"name"}}
    true = set(planted["activity_id"])
    planted_ids = set(planted.loc[planted["kind"].isin(IDENTIFIERS), "activity_id"])
    planted_names = set(planted.loc[planted["kind"] == "name", "activity_id"])
    tally["identifier_planted"] += len(planted_ids)
    tally["identifier_planted_found"] += len(planted_ids & by_identifier)
    tally["identifier_found"] += len(by_identifier)
    tally["identifier_found_true"] += len(by_identifier & true)
    tally["name_planted"] += len(planted_names)
    tally["name_planted_found"] += len(planted_names & set(kinds.index))
    tally["name_only_found"] += len(by_name_only)
    tally["name_only_found_true"] += len(by_name_only & true)


def _others_in_own_notes(activities: list[dict], truth: pd.DataFrame, contacts: pd.DataFrame,
                         tally: Counter) -> None:
    """Count the mentions of other people in the person's own notes (Art. 15(4): redacted in the answer)
    and those still readable in the access package, by kind."""
    notes = {r["activity_id"]: r.get("note") or "" for r in activities}
    by_id = contacts.set_index("contact_id")
    for activity, other, kind in truth[truth["activity_id"].isin(notes)].itertuples(index=False):
        note, who = notes[activity], by_id.loc[other]
        tally[f"own_notes_{kind}"] += 1
        if kind == "email":
            left = who["email"].lower() in note.lower()
        elif kind == "phone":
            left = re.sub(r"\D", "", who["phone"])[-9:] in re.sub(r"\D", "", note)
        elif kind == "id":
            left = re.search(rf"\b{re.escape(other)}\b", note) is not None
        else:
            left = f"{who['first_name']} {who['last_name']}" in note
        tally[f"own_notes_{kind}_left"] += left


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=3000)
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    p.add_argument("--people", type=int, default=40, help="people looked up per dataset")
    p.add_argument("--out", type=Path, help="also write the JSON here")
    args = p.parse_args(argv)
    tally: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            one_dataset(seed, args.contacts, args.people, Path(tmp), tally)
    result = {
        "benchmark": "subject_quality", "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "contacts": args.contacts, "seeds": args.seeds, "people": tally["people"],
        "refused_ambiguous": tally["refused_ambiguous"],
        "rows": {"of_the_people": tally["rows"], "found": tally["rows_found"],
                 "recall": ratio(tally["rows_found"], tally["rows"]),
                 "of_others_found": tally["rows_of_others_found"]},
        "access_package": {"rows": tally["package_rows"], "mention_notes": tally["package_mention_notes"],
                           "rows_of_others": tally["package_rows_of_others"]},
        "others_in_own_notes": {kind: {"mentions": tally[f"own_notes_{kind}"],
                                       "left_in_package": tally[f"own_notes_{kind}_left"]}
                                for kind in (*IDENTIFIERS, "name")},
        "identifier_mentions": {
            "planted": tally["identifier_planted"], "found": tally["identifier_found"],
            "recall": ratio(tally["identifier_planted_found"], tally["identifier_planted"]),
            "precision": ratio(tally["identifier_found_true"], tally["identifier_found"])},
        "name_only_mentions": {
            "planted": tally["name_planted"], "found": tally["name_only_found"],
            "recall": ratio(tally["name_planted_found"], tally["name_planted"]),
            "precision": ratio(tally["name_only_found_true"], tally["name_only_found"])},
        "targets": {"rows_recall": 1.0, "identifier_mentions_recall": 1.0,
                    "access_package_rows_of_others": 0, "others_identifiers_left_in_package": 0},
    }
    left = sum(result["others_in_own_notes"][kind]["left_in_package"] for kind in IDENTIFIERS)
    result["met"] = (result["rows"]["recall"] == 1.0 and result["identifier_mentions"]["recall"] == 1.0
                     and result["access_package"]["rows_of_others"] == 0 and left == 0)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
