"""The exercises of lessons 01-04 (classification, permission, minimisation, encryption), from ground truth.

Each asks "tick the ones that ..." over a few notes or contacts of a small synthetic CRM
(:func:`gdprlab.training.exercises.model.dataset`). The answer comes from what the generator wrote or
planted, never from the checks being taught, so the exercise also tests those checks' teaching:

* ``classification`` (lesson 01): activity notes written by :func:`gdprlab.generator.notes.compose_notes`
  with a chosen kind, in English or the learner's language; a note reveals special-category data
  (Art. 9(1)) when its kind is one of :data:`gdprlab.generator.notes.SPECIAL_CATEGORIES`. Criminal-record
  notes are Art. 10 data, a distractor.
* ``newsletter`` (lesson 02): contacts of a generated dataset with their newsletter consent; one
  may be e-mailed the newsletter on the as-of day when a newsletter consent exists, is not
  withdrawn, and the generator did not plant ``invalid_consent_form``, ``consent_without_proof``
  or ``child_consent_without_authorisation`` on it, the contact has not objected to direct marketing on
  or before that day (Art. 21(3): an objection ends marketing whatever the basis) and is not erased.
* ``retention`` (lesson 03): contacts the generator planted ``retention_exceeded`` on.
* ``pseudonyms`` (lesson 04): contacts the generator planted ``weak_pseudonymisation`` on (the
  pseudonym is the unsalted MD5/SHA-1/SHA-256 of the e-mail, so anyone can recompute it).

The same seed always gives the same exercise; judging and drawing are :mod:`~gdprlab.training.exercises.model`
and :mod:`~gdprlab.training.exercises.widget`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from gdprlab.crm import protect
from gdprlab.generator import notes
from gdprlab.regulation import law
from gdprlab.training.exercises.model import Exercise, Item, dataset, day, exercise, pick

__all__ = ["ART9_WORDING", "AS_OF", "build_classification", "build_newsletter", "build_pseudonyms",
           "build_retention", "hash_name"]

#: The "today" of every exercise, so results do not change with the calendar.
AS_OF = dt.date(2026, 6, 30)


def _planted(ds, rule: str) -> set[str]:
    gt = ds.ground_truth
    return set(gt.loc[gt["rule_id"] == rule, "record_id"].astype(str))


def _mix(rng: np.random.Generator, yes: list, no: list, n: int, n_yes: int) -> list:
    """:func:`~gdprlab.training.exercises.model.pick`, shuffled."""
    out = pick(rng, yes, no, n, n_yes)
    return [out[i] for i in rng.permutation(len(out))]


# ------------------------------------------------------------------------------------------ lesson 01
#: How Art. 9(1) words each category of gdprlab.generator.notes.
ART9_WORDING = {
    "health": "data concerning health",
    "religion": "religious or philosophical beliefs",
    "ethnic_origin": "racial or ethnic origin",
    "political_opinion": "political opinions",
    "trade_union": "trade-union membership",
    "sex_life": "data concerning a natural person's sex life or sexual orientation",
    "genetic": "genetic data",
    "biometric": "biometric data for the purpose of uniquely identifying a natural person",
}


@exercise("classification")
def build_classification(seed: int = 1, n: int = 8, language: str = "en") -> Exercise:
    """Activity notes, some revealing Art. 9(1) data, one possibly Art. 10 (criminal), the rest neutral;
    written in ``language`` (one of :data:`gdprlab.generator.notes.NOTE_LANGUAGES`: English or a CRM
    locale's language). The same seed gives the same notes, and answer, in every language."""
    rng = np.random.default_rng(seed)
    n_special = max(2, n * 3 // 8)
    kinds = (["neutral"] * (n - n_special - 1) + ["criminal"]
             + list(rng.choice(notes.SPECIAL_CATEGORIES, size=n_special)))
    kinds = [kinds[i] for i in rng.permutation(n)]
    ds = dataset(seed, AS_OF)
    c = ds.tables["contacts"].sample(n, random_state=seed)
    colleagues = ds.tables["staff"]["name"].sample(n, replace=True, random_state=seed)
    text, spans = notes.compose_notes(
        np.array([language] * n), np.array(kinds, dtype=object), c["first_name"].to_numpy(),
        c["last_name"].to_numpy(), colleagues.to_numpy(), rng)
    items = []
    for row, (kind, note) in enumerate(zip(kinds, text, strict=True)):
        phrase = spans[(spans["row"] == row) & (spans["kind"] == kind)]["text"]
        quoted = f"“{phrase.iloc[0]}”" if len(phrase) else ""
        if kind in notes.SPECIAL_CATEGORIES:
            reason = f"Reveals {ART9_WORDING.get(kind, kind)}, a special category of Art. 9(1): {quoted}"
        elif kind == "criminal":
            reason = (f"Reveals criminal convictions or offences {quoted}: that is Art. 10 data, "
                      "not a special category of Art. 9(1), but it too needs a legal basis and care.")
        else:
            reason = "An ordinary business note (names are personal data, but not special-category data)."
        items.append(Item(key=f"note-{row + 1}", label=f"Note {row + 1}", text=note,
                          expected=kind in notes.SPECIAL_CATEGORIES, reason=reason))
    return Exercise(name="classification", title="Which notes reveal special-category data?",
                    prompt="Tick every note that reveals special-category data (Art. 9(1)).", articles="9(1)",
                    items=tuple(items))


# ------------------------------------------------------------------------------------------ lesson 02
_CONSENT_FAULTS = {
    "invalid_consent_form": "the consent was collected {how}",
    "consent_without_proof": "the consent record lacks its date, source or wording, so it cannot be "
                             "demonstrated (Art. 7(1))",
    "child_consent_without_authorisation": "the contact was below the age of digital consent when "
                                           "consenting online, with no parental authorisation (Art. 8(1))",
}
_INVALID_HOW = {
    "pre_ticked_box": "with a pre-ticked box, which is not a clear affirmative action (Art. 4(11))",
    "bundled_with_terms": "bundled with the terms and conditions, not distinguishable from them and not "
                          "freely given (Art. 7(2), 7(4))",
}


def _age_text(contact: pd.Series, consent: pd.Series) -> str:
    """What Art. 8(1) needs to judge a consent: the age when consenting, the country's age of digital
    consent and whether a parent's authorisation is recorded (the data the exercise is graded on)."""
    limit = law.art8_age(str(contact["country"]))
    if pd.isna(contact["birth_date"]) or pd.isna(consent["given_at"]):
        age = "age when consenting unknown"
    else:
        years = law.age_on(np.array([pd.Timestamp(contact["birth_date"]).date()], dtype="datetime64[D]"),
                           np.array([pd.Timestamp(consent["given_at"]).date()], dtype="datetime64[D]"))[0]
        age = f"aged {int(years)} when consenting"
    parent = "yes" if consent["parental_authorisation"] is True or consent["parental_authorisation"] == 1 \
        else "no"
    return (f"{age} (age of digital consent in {contact['country']}: {limit}, Art. 8(1)), parental "
            f"authorisation {parent}")


@exercise("newsletter")
def build_newsletter(seed: int = 1, n: int = 8) -> Exercise:
    """Contacts with their newsletter consent records: who may be sent the newsletter on AS_OF?"""
    rng = np.random.default_rng(seed)
    ds = dataset(seed, AS_OF)
    contacts = ds.tables["contacts"].set_index("contact_id")
    k = ds.tables["consents"]
    news = k[k["purpose"] == "newsletter"]
    planted = {rule: _planted(ds, rule) for rule in _CONSENT_FAULTS}
    r = ds.tables["requests"]
    objections = r[r["type"] == "objection"].groupby("contact_id")["received_on"].min()
    objected = objections[pd.to_datetime(objections).dt.date <= AS_OF]
    yes, no = [], []
    for contact_id, rows in news.groupby("contact_id"):
        if contact_id not in contacts.index:
            continue
        row = rows.sort_values("given_at").iloc[-1]
        how = _INVALID_HOW.get(str(row["method"]), f"by {row['method']} (not valid consent, Art. 4(11))")
        faults = [msg.format(how=how)
                  for rule, msg in _CONSENT_FAULTS.items() if row["consent_id"] in planted[rule]]
        withdrawn = pd.notna(row["withdrawn_at"]) and pd.Timestamp(row["withdrawn_at"]).date() <= AS_OF
        if withdrawn:
            faults.append("the consent was withdrawn, and withdrawal must be respected (Art. 7(3))")
        if contact_id in objected.index:
            faults.append(f"the contact objected to direct marketing on {day(objected[contact_id])}, so the "
                          "data may no longer be used for it (Art. 21(3))")
        if contacts.at[contact_id, "status"] == "erased":
            faults.append("the contact has been erased")
        who = contacts.loc[contact_id]
        label = f"{contact_id} ({who['first_name']}, {who['country']})"
        text = (f"newsletter consent given {day(row['given_at'])}, method "
                f"{str(row['method']).replace('_', ' ')}, source "
                f"{row['source'] if pd.notna(row['source']) else '—'}, wording "
                f"{row['wording_version'] if pd.notna(row['wording_version']) else '—'}, "
                f"{_age_text(who, row)}, withdrawn "
                f"{day(row['withdrawn_at'])}, objected to marketing {day(objected.get(contact_id))}")
        if faults:
            no.append(Item(key=contact_id, label=label, text=text, expected=False,
                           reason="No: " + "; ".join(faults) + "."))
        else:
            yes.append(Item(key=contact_id, label=label, text=text, expected=True,
                            reason="Yes: a valid, provable newsletter consent that has not been withdrawn, "
                                   "and no objection to direct marketing (Art. 6(1)(a), 7(1), 21(3))."))
    faulty = [i for i in no if any(w in i.reason for w in ("withdrawn", "collected", "objected"))]
    rest = [i for i in no if i not in faulty]
    chosen = _mix(rng, yes, faulty, n - 2, n // 2 - 1) + _mix(rng, [], rest, 2, 0)
    chosen = [chosen[i] for i in rng.permutation(len(chosen))]
    return Exercise(name="newsletter", title="Who may get the newsletter?",
                    prompt=f"Today is {AS_OF.isoformat()}. Tick every contact who may be sent the "
                           "newsletter today on the basis of their consent. For a consent given online "
                           "(web form, mobile app), Art. 8(1) sets an age of digital consent.",
                    articles="6(1)(a), 7(1), 7(3), 8(1), 21(3)", items=tuple(chosen))


# ------------------------------------------------------------------------------------------ lesson 03
@exercise("retention")
def build_retention(seed: int = 1, n: int = 8) -> Exercise:
    """Contacts with status and last activity: who is past the retention period of the policy?"""
    rng = np.random.default_rng(seed)
    ds = dataset(seed, AS_OF)
    months = ds.policy.retention_months
    over = _planted(ds, "retention_exceeded")
    c = ds.tables["contacts"]
    c = c[c["status"].isin(list(months)) & c["last_activity_at"].notna()]
    yes, no = [], []
    for rec in c.itertuples(index=False):
        m, status = months[rec.status], rec.status.replace("_", " ")
        text = f"{status}, last activity {day(rec.last_activity_at)}"
        end = (pd.Timestamp(rec.last_activity_at).normalize() + pd.DateOffset(months=m)).date()
        if rec.contact_id in over:
            yes.append(Item(key=rec.contact_id, label=rec.contact_id, text=text, expected=True,
                            reason=f"Past retention: {m} months for a {status} ended about {end}; "
                                   "erase or anonymise (Art. 5(1)(e))."))
        else:
            no.append(Item(key=rec.contact_id, label=rec.contact_id, text=text, expected=False,
                           reason=f"Within retention: {m} months for a {status} run until about {end}."))
    policy = ", ".join(f"{s.replace('_', ' ')} {m} months" for s, m in months.items())
    return Exercise(name="retention", title="Who is kept too long?",
                    prompt=f"Today is {AS_OF.isoformat()}. Retention policy: {policy} after the last "
                           "activity. Tick every contact kept longer than the policy allows.",
                    articles="5(1)(e)", items=tuple(_mix(rng, yes, no, n, n * 3 // 8)))


# ------------------------------------------------------------------------------------------ lesson 04
def hash_name(email: str, pseudonym: str) -> str | None:
    """"MD5", "SHA-1" or "SHA-256" when ``pseudonym`` is that unsalted hash of ``email``, else None."""
    for algorithm in ("md5", "sha1", "sha256"):
        if protect.weak_pseudonym(email, algorithm) == str(pseudonym).strip().lower():
            return algorithm.upper().replace("SHA", "SHA-")
    return None


@exercise("pseudonyms")
def build_pseudonyms(seed: int = 1, n: int = 8) -> Exercise:
    """E-mail and pseudonym pairs: which pseudonyms are unsalted hashes anyone can recompute?"""
    rng = np.random.default_rng(seed)
    ds = dataset(seed, AS_OF)
    weak = _planted(ds, "weak_pseudonymisation")
    c = ds.tables["contacts"]
    c = c[c["email"].notna() & c["pseudonym"].notna()]
    yes, no = [], []
    for rec in c.itertuples(index=False):
        text = f"e-mail {rec.email} → pseudonym {rec.pseudonym}"
        if rec.contact_id in weak:
            algo = hash_name(rec.email, rec.pseudonym) or "a known hash"
            yes.append(Item(key=rec.contact_id, label=rec.contact_id, text=text, expected=True,
                            reason=f"Reversible: it is the unsalted {algo} of the e-mail; anyone with a list "
                                   "of e-mail addresses can recompute it, so it is not pseudonymisation "
                                   "(Art. 4(5))."))
        else:
            no.append(Item(key=rec.contact_id, label=rec.contact_id, text=text, expected=False,
                           reason="Not derivable from the e-mail: a random value whose link to the person is "
                                  "kept separately (Art. 4(5))."))
    return Exercise(name="pseudonyms", title="Which pseudonyms are reversible hashes?",
                    prompt="Tick every pseudonym that is just a hash of the e-mail address (so anyone can "
                           "recompute it and link it back to the person).",
                    articles="4(5), 32(1)(a)", items=tuple(_mix(rng, yes, no, n, n * 3 // 8)))
