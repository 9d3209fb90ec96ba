"""Contacts mentioned in the notes of other contacts' activities, and the ground truth of every mention.

Staff write other customers into a note: who recommended the contact, whom else to inform, whom the
contact named as their contact person. A data subject's request has to find those notes too
(gdprlab.subjects.find searches other records' notes by e-mail, phone, record id and name); this module
plants them, so that a benchmark (benchmarks/subject_quality.py) can measure what the search finds.

`MENTION_SHARE` of the contacts (rounded) are each mentioned once, in a note of an activity of another
contact, by one of four means (`KINDS`):

* `email`: the e-mail address as stored;
* `phone`: the number in international form, as stored ("+48452470456") or, when valid, in groups
  ("+48 452 470 456");
* `id`: the contact's record id ("C0000123");
* `name`: the first and last name alone, which namesakes share.

A sentence of the note's language (mentions.yaml, beside this module) holding the mention is appended to
the note. Who is mentioned: a contact not erased, with a name, an e-mail address and a phone number. Where:
a note that is not blank, of an activity of a contact not erased (an erased contact's notes are
erasure_incomplete's concern) who is not the same person (the generator's person: name and date of birth).

A mention is no violation: no rule judges other people's e-mail addresses, phones or names in a note
(identifier_in_free_text is about bank, card and national id numbers, and a number written with its "+"
country code is read as a phone, never as one of those), and the sentences reveal no special category, so
no other label changes. The ground truth, one row per mention (`COLUMNS`: the note's activity, the contact
mentioned, the kind of mention), is written as ground_truth_mentions.csv beside the tables.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from gdprlab.generator.labels import choose

KINDS = ("email", "phone", "id", "name")
#: contacts mentioned in another contact's note, as a share of all contacts
MENTION_SHARE = 0.02
COLUMNS = ("activity_id", "contact_id", "kind")


@cache
def sentences() -> dict[str, tuple[str, ...]]:
    """Language -> the sentences a mention is written in (each with one {who})."""
    text = files("gdprlab.generator").joinpath("mentions.yaml").read_text(encoding="utf-8")
    return {language: tuple(entries) for language, entries in yaml.safe_load(text).items()}


def plant_mentions(rng: np.random.Generator, contacts: pd.DataFrame,
                   activities: pd.DataFrame) -> pd.DataFrame:
    """Append mentions of some contacts to notes of other contacts' activities (`activities["note"]` is
    replaced), and return the ground truth: one row per mention, sorted by activity."""
    k = int(round(MENTION_SHARE * len(contacts)))
    note = activities["note"].to_numpy(dtype=object, copy=True)
    live = (contacts["status"] != "erased").to_numpy()
    complete = contacts[["first_name", "last_name", "email", "phone"]].notna().all(axis=1).to_numpy()
    host_row = pd.Index(contacts["contact_id"]).get_indexer(activities["contact_id"])
    text = pa.array(note, type=pa.large_string(), from_pandas=True)
    written = pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(text)), 0), False).to_numpy(
        zero_copy_only=False)
    mentioned = rng.permutation(choose(rng, live & complete, k))
    hosts = rng.permutation(choose(rng, written & (host_row >= 0) & live[np.maximum(host_row, 0)], k))
    n = min(len(mentioned), len(hosts))
    mentioned, hosts = mentioned[:n], hosts[:n]
    kind = rng.integers(len(KINDS), size=n)
    grouped = rng.random(n) < 0.5
    pick = rng.integers(1 << 30, size=n)
    person = _people(contacts)
    other = person[mentioned] != person[host_row[hosts]]
    language = contacts["language"].to_numpy()
    by_language = sentences()
    for at, who, how, spaced, choice in zip(hosts[other], mentioned[other], kind[other], grouped[other],
                                            pick[other], strict=True):
        options = by_language.get(language[host_row[at]]) or by_language["de"]
        value = _written(contacts, who, KINDS[how], spaced)
        note[at] = f"{note[at].rstrip()} {options[choice % len(options)].format(who=value)}"
    activities["note"] = pd.Series(note, index=activities.index, dtype=object)
    truth = pd.DataFrame({
        "activity_id": activities["activity_id"].to_numpy(dtype=object)[hosts[other]],
        "contact_id": contacts["contact_id"].to_numpy(dtype=object)[mentioned[other]],
        "kind": np.array(KINDS, dtype=object)[kind[other]],
    }, columns=list(COLUMNS))
    return truth.sort_values("activity_id", kind="stable").reset_index(drop=True)


def _people(contacts: pd.DataFrame) -> np.ndarray:
    """Per contact, the generator's person: first name, last name and date of birth."""
    birth = contacts["birth_date"].astype(str)
    return (contacts["first_name"].astype(str) + "\x1f" + contacts["last_name"].astype(str) + "\x1f"
            + birth).to_numpy(dtype=object)


def _written(contacts: pd.DataFrame, row: int, kind: str, grouped: bool) -> str:
    """How staff write contact `row` into a note, by `kind`."""
    c = contacts.iloc[row]
    if kind == "email":
        return str(c["email"])
    if kind == "id":
        return str(c["contact_id"])
    if kind == "name":
        return f"{c['first_name']} {c['last_name']}"
    phone = str(c["phone"])
    if grouped:  # a valid number only: the groups of a number that is none could pass for another identifier
        try:
            number = phonenumbers.parse(phone)
        except phonenumbers.NumberParseException:
            return phone
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phone
