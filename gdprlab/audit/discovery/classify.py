"""Which columns of a CRM table hold personal data, of which category, and why (issue 3 §2).

`classify_table(df, table)` returns one `ColumnClass` per column: personal or not, a category, the
Art. 9(1) `special` and Art. 10 `criminal` flags, a confidence in [0, 1] and the reasons. Three kinds
of evidence are combined:

1. The header (and, for a Salesforce describe, the field label): matched against the header lexicon,
   gdprlab/crm/header_lexicon.yaml (seven languages; Salesforce, HubSpot and Dynamics 365 names), through
   gdprlab.crm.conventions.header_words, the normaliser the export reader uses too. A header whose last
   word is "id"/"key" is a key or a reference ("Created By ID", "contact_id") unless a lexicon entry ends
   with that word ("National ID", "Account ID"); a table's own key ("account_id" in accounts) is a key.
2. The values: a deterministic seeded sample (`sample_size` rows, the same rows for every column of a
   table) is checked with real validators: e-mail syntax and phone numbers (gdprlab.audit.validate, with the
   table's ISO country column as default region when it has one), IBAN, EU VAT and the national ids of
   gdprlab.generator.identifiers.NATIONAL_ID_MODULES (python-stdnum), card numbers (13-19 digits, an issuer
   prefix,
   Luhn), IP addresses, dates plausible as birth dates, social-profile URLs. When at least 80 % of the
   sampled values validate as one of these, the values decide against a silent or misleading header
   ("notes" full of e-mail addresses is an e-mail column), unless the header names a checkable
   category that its own values bear out. Encrypted tokens (enc:v1:...) leave the decision to the header.
3. The table's context, from its name ("contacts", "Lead", "accounts", "staff", ...; see table_contexts
   in the header lexicon) or, for an unnamed table, from its headers (two or more of first/last name,
   birth date, gender, salutation make it a table of persons):
   - person (data subjects: contacts, leads, customers): every row is about a natural person. A company
     name or account reference there is the person's employer (personal); a status, created date, lead
     source or rating is part of the person's relationship with the organisation (personal); a
     description is free text about the person; a column nothing recognises is still information about
     the person (category "attribute", low confidence) and free text found only by its values is
     "free_text". Company attributes (industry, revenue, number of employees, website, D-U-N-S) stay
     non-personal even in a lead table: they describe the lead's company, not the lead.
   - company (accounts): contact details are the company's (its switchboard phone, billing address,
     website: not personal data; a contact's direct line in a contacts table is). Fields prefixed
     "Person" (Salesforce person accounts: PersonEmail, PersonBirthdate) are a person's, whatever the
     object.
   - workforce (staff, users): names and contact details are personal; the department (the
     organisation's own structure, used for access rights) is not recorded as personal, in line with
     the project's record of processing (gdprlab/crm/schema.py), though strictly it relates to the employee.
   - other (consents, activities, requests, registers): only columns that identify or describe a person
     by themselves (names, e-mails, notes, ...) are personal; keys and references to persons are
     "technical_id" (they are pseudonymous links; the record of processing declares the attributes they
     link to, not the keys), statuses and dates are "metadata".

Categories that real exports need: online identifiers (Facebook / LinkedIn / X ids, handles, profile
URLs) are personal; an account or company reference on a person (AccountId, parentcustomerid) is an
"account_reference" (personal: it links the person to their employer; "employer" in the record of
processing), the employer's name "employer"; e-mail status flags (bounced, quarantined, invalid) are
"email_status", not addresses; credentials (password, CVV, security answer, token) are "credential",
for which the draft suggests protection; a title column of salutations (Mrs., Dr.) is "salutation"; a
record owner ("Lead Owner", "Contact owner") is "record_owner", staff personal data (a policy's owner
in a register is a role: metadata); a company table flagged as holding person accounts (IsPersonAccount,
sole traders) is read as a table of persons, and an account name column of person names is "name".
A free-text column whose sampled rows hold Art. 9 or Art. 10 terms (special_terms.yaml,
criminal_terms.yaml) is flagged `special` / `criminal`, with the share of rows (`special_share`,
`criminal_share`).

Categories are finer than the record of processing's: `ColumnClass.record_category` maps them to the
categories of gdprlab/crm/schema.py (first_name, last_name, salutation and gender -> "name"; street, postal
code, city, region and country -> "postal_address"; communication preferences -> "preference").
Non-personal columns get "company", "technical_id", "metadata" or "other".

`ropa_draft(classes)` turns the personal columns into a record-of-processing draft for an auditor.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import import_module

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.eu import vat as std_vat

from gdprlab.audit.discovery.name_lexicon import dictionary_names
from gdprlab.audit.discovery.special_terms import reveals_criminal_offence, reveals_special_category
from gdprlab.audit.discovery.textscan import TITLES
from gdprlab.audit.validate import valid_email, valid_phone
from gdprlab.crm.arrowtext import bools
from gdprlab.crm.conventions import (
    ID_STEMS,
    ID_WORDS,
    LEXICON,
    PERSON_PREFIXES,
    PERSON_WORDS,
    SOURCE_NAMES,
    TABLE_CONTEXTS,
    header_words,
    normalise,
)
from gdprlab.generator.identifiers import NATIONAL_ID_MODULES

SPECIAL_CATEGORIES = frozenset({
    "health", "racial_or_ethnic_origin", "political_opinions", "religious_beliefs",
    "trade_union_membership", "genetic", "biometric", "sex_life_or_orientation",
})
CRIMINAL_CATEGORIES = frozenset({"criminal"})
NOT_PERSONAL = frozenset({"company", "technical_id", "metadata", "other"})

#: fine category -> category of the record of processing (gdprlab/crm/schema.py); others map to themselves
RECORD_CATEGORY: dict[str, str] = {
    "first_name": "name", "last_name": "name", "salutation": "name",
    "gender": "name",  # the schema records gender under "name": it is used for the salutation
    "postal_code": "postal_address", "city": "postal_address", "region": "postal_address",
    "country": "postal_address", "communication_preference": "preference",
    "account_reference": "employer",  # the link to the employer's record: the employer, for the record
}

#: categories for which the draft record of processing suggests encryption at rest (Art. 32(1)(a));
#: credentials (passwords, CVVs, security answers, tokens) are better not kept at all, or only hashed
ENCRYPT_SUGGESTED = frozenset({"national_id", "tax_id", "bank_account", "card_number", "income", "credential"}
                              | SPECIAL_CATEGORIES | CRIMINAL_CATEGORIES)

STRONG_SHARE = 0.8  # share of sampled values that must validate for the values to decide
_PERSON_ACCOUNT_SHARE = 0.3  # share of an account name column that, as person names, makes it personal
_MIN_VALUES = 5
_STDNUM_CAP = 300  # distinct values checked with python-stdnum per column (they are a random sample)
_COMPOUND_MIN = 7  # aliases at least this long are also found inside compound words
_CHECKABLE = ("email", "phone", "bank_account", "card_number", "tax_id", "national_id", "ip_address",
              "date_of_birth")
_COMPATIBLE = {"national_id": {"tax_id"}, "tax_id": {"national_id"}}
_SILENT = {None, "other", "technical_id", "named_thing", "metadata"}


@dataclass(frozen=True)
class ColumnClass:
    """What one column holds."""

    table: str
    column: str
    category: str
    personal: bool
    special: bool = False  # Art. 9(1)
    criminal: bool = False  # Art. 10
    confidence: float = 0.0
    reasons: tuple[str, ...] = ()
    special_share: float | None = None  # free text: share of sampled rows with Art. 9 terms
    criminal_share: float | None = None  # free text: share of sampled rows with Art. 10 terms

    @property
    def flag(self) -> str:
        """'Art. 9', 'Art. 10', or with free text the share of rows: 'Art. 9 (15%) + Art. 10 (5%)'."""
        return " + ".join(f"Art. {art}" + (f" ({share:.0%})" if share else "")
                          for art, held, share in (("9", self.special, self.special_share),
                                                   ("10", self.criminal, self.criminal_share)) if held)

    @property
    def record_category(self) -> str | None:
        """Category in the record of processing's terms (gdprlab/crm/schema.py); None when not personal."""
        return RECORD_CATEGORY.get(self.category, self.category) if self.personal else None

    def to_dict(self) -> dict:
        return {"table": self.table, "column": self.column, "category": self.category,
                "record_category": self.record_category, "personal": self.personal,
                "special": self.special, "criminal": self.criminal, "special_share": self.special_share,
                "criminal_share": self.criminal_share, "confidence": self.confidence,
                "reasons": list(self.reasons)}


# --------------------------------------------------------------------------- headers

@dataclass(frozen=True)
class HeaderMatch:
    category: str
    alias: str  # the lexicon entry as written
    sources: tuple[str, ...]
    kind: str  # exact, words, compound, id
    start: int
    end: int  # word span of the match in the header (end exclusive)
    n_words: int

    def describe(self, header: str, what: str = "header") -> str:
        if self.kind == "id":
            return f"{what} {header!r} ends with {self.alias!r}: a key or a reference to another record"
        src = ", ".join(SOURCE_NAMES.get(s, s) for s in self.sources)
        how = {"exact": "is", "words": "contains", "compound": "contains (in a compound word)"}[self.kind]
        return f"{what} {header!r} {how} lexicon entry {self.alias!r} ({src}) -> {self.category}"


@cache
def _index() -> tuple[dict[str, tuple[str, str, tuple[str, ...]]], list[str]]:
    """compact alias -> (category, alias, sources); and the aliases long enough for compound matching."""
    found: dict[str, dict[str, list]] = {}
    for category, by_source in LEXICON.items():
        for source, aliases in by_source.items():
            for alias in aliases:
                compact = normalise(alias)
                entry = found.setdefault(compact, {})
                entry.setdefault(category, [alias, []])[1].append(source)
    index = {}
    for compact, by_cat in found.items():
        if len(by_cat) > 1:
            raise ValueError(f"lexicon alias {compact!r} is in several categories: {sorted(by_cat)}")
        ((category, (alias, sources)),) = by_cat.items()
        index[compact] = (category, alias, tuple(dict.fromkeys(sources)))
    return index, sorted((c for c in index if len(c) >= _COMPOUND_MIN), key=len, reverse=True)


def lexicon_conflicts() -> list[str]:
    """Empty when every normalised alias belongs to one category (tests call it)."""
    try:
        _index.cache_clear()
        _index()
    except ValueError as e:
        return [str(e)]
    return []


def _compound_part(alias: str, word: str) -> bool:
    """The alias is a part of a compound word: its head ("rechnungsadresse") or a modifier followed by
    another word ("telefonnummer"), not a stem with a suffix ("pseudonymised", "telefonisch")."""
    at = word.find(alias)
    return at >= 0 and (word.endswith(alias) or len(word) - at - len(alias) >= 5)


@lru_cache(maxsize=8192)
def match_header(header: str) -> HeaderMatch | None:
    """Best lexicon match of a header: whole header, else the longest run of words, else a compound part."""
    words = header_words(header)
    if not words:
        return None
    index, compounds = _index()
    n = len(words)
    compact = "".join(words)
    hit = None
    if compact in index:
        hit = HeaderMatch(*index[compact], "exact", 0, n, n)
    else:
        best = None
        for i in range(n):
            for j in range(i + 1, n + 1):
                run = "".join(words[i:j])
                if run in index and (best is None or (len(run), j) > best[0]):
                    best = ((len(run), j), HeaderMatch(*index[run], "words", i, j, n))
        if best:
            hit = best[1]
        else:
            for alias in compounds:
                pos = next((i for i, w in enumerate(words) if _compound_part(alias, w)), None)
                if pos is not None:
                    hit = HeaderMatch(*index[alias], "compound", pos, pos + 1, n)
                    break
    if hit and hit.category == "name" and normalise(hit.alias) == "name" and hit.start > 0:
        qualifier = words[hit.start - 1]
        if qualifier not in PERSON_WORDS:  # "table name", "program name": the name of something
            category = "employer" if qualifier in ("company", "account", "firm", "organisation",
                                                   "organization", "business") else "named_thing"
            hit = HeaderMatch(category, f"{qualifier} name", hit.sources, hit.kind, hit.start - 1,
                              hit.end, n)
    id_word = words[-1] in ID_WORDS or (n == 1 and words[0].endswith("id") and words[0][:-2] in ID_STEMS)
    if id_word and (hit is None or (hit.end < n and hit.category != "technical_id")):
        hit = HeaderMatch("technical_id", words[-1], (), "id", n - 1, n, n)
    return hit


# --------------------------------------------------------------------------- table context

_PERSON_ONLY = ("first_name", "last_name", "date_of_birth", "gender", "salutation")


def _context_named(table: str) -> str | None:
    """The context named by the table's name, if a word of it is in TABLE_CONTEXTS."""
    for word in reversed(header_words(table or "")):
        for context, names in TABLE_CONTEXTS.items():
            if word in names:
                return context
    return None


def table_context(table: str, columns: Iterable[str] = ()) -> tuple[str, str]:
    """('person' | 'workforce' | 'company' | 'other', reason) for a table, from its name or headers.

    classify_table also treats an unnamed table as one of persons when the values of two or more
    columns are person-only (given names, surnames, birth dates, gender codes)."""
    named = _context_named(table)
    if named:
        return named, f"table {table!r} describes {_CONTEXT_TEXT[named]}"
    cats = [m.category for m in map(match_header, map(str, columns)) if m]
    person = sum(c in _PERSON_ONLY for c in cats)
    if person >= 2:
        return "person", f"table {table!r} has {person} person-only columns (names, birth date, gender)"
    if cats.count("company") >= 2 and not person:
        return "company", f"table {table!r} has company columns (industry, revenue, website) only"
    return "other", f"table {table!r} is neither a table of persons nor of companies"


_CONTEXT_TEXT = {
    "person": "natural persons (data subjects)",
    "workforce": "the organisation's own staff",
    "company": "companies (legal persons)",
}
_CONTACT_DETAILS = {"name", "first_name", "last_name", "salutation", "email", "phone", "postal_address",
                    "postal_code", "city", "region", "country", "location", "photo", "preference"}


def resolve(category: str, context: str, *, id_form: bool = False) -> tuple[str, str | None]:
    """Final category of a lexicon category in a table context, and why when the context changed it."""
    people = context in ("person", "workforce")
    if category == "named_thing":
        return ("company", "the name of something in a company table") if context == "company" else \
            ("other", "the name of a thing, not of a person")
    if category == "description":
        if people:
            return "free_text", "a description of a person is free text about them"
        return ("company", "describes the company") if context == "company" else \
            ("other", "describes a record that is not a person")
    if category == "relationship":
        if context == "person":
            return category, "part of the data subject's relationship with the organisation"
        return "metadata", "a status or date of a record that is not a data subject"
    if category in ("communication_preference", "processing_condition", "email_status"):
        return (category, None) if people else ("metadata", "a property of a record that is not a person")
    if category == "record_owner":
        if context == "other":
            return "metadata", "the role or person responsible for a record that is not about a person"
        return category, "the member of staff who owns the record: personal data of an employee"
    if category == "employer":
        if id_form and people:
            return "account_reference", ("a reference to the person's company or account record (a link to "
                                         "their employer, not a name or a job title)")
        if id_form:
            return "technical_id", "a reference to a company record"
        if people:
            return category, "in a table of persons, a company or account is the person's employer"
        return "company", "a company name, not personal data"
    if category == "department":
        if context == "person":
            return category, None
        if context == "workforce":
            return "other", "the organisation's own department structure (used for access rights)"
        return ("company", None) if context == "company" else ("other", None)
    if category == "job_title" and not people:
        return ("company", None) if context == "company" else ("other", "a title of a record, not a job")
    if category == "free_text" and context == "company":
        return "company", "notes about a company"
    if category == "tax_id" and context == "company":
        return "company", "a company's tax or VAT number is not personal data"
    if category in _CONTACT_DETAILS and context == "company":
        return "company", "a company's own contact details (e.g. its switchboard), not a person's"
    if category == "preference" and context == "other":
        return "metadata", "a setting of a record that is not a person"
    return category, None


# --------------------------------------------------------------------------- values

_PHONE_SHAPE = re.compile(r"^\+?[\d\s().\-/]{6,24}(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?$")
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$")
_VAT_SHAPE = re.compile(r"^[A-Z]{2}[0-9A-Z+*]{2,13}$")
_ID_SHAPE = re.compile(r"^[0-9A-Z][0-9A-Z \-./]{6,16}[0-9A-Z]$")
_CARD_IIN = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|6011|65|64[4-9]|35|30[0-5]|36|38)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]00:00(?::00)?(?:\.0+)?Z?)?$")
_DMY_DATE = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{4}$")
_URL = re.compile(r"^(?:https?://)?(?:www\.)?[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}(?:[/?#]\S*)?$", re.I)
_SOCIAL = re.compile(r"(?:linkedin\.com/(?:in|pub)/|facebook\.com/|twitter\.com/|x\.com/|instagram\.com/"
                     r"|xing\.com/profile/|github\.com/)", re.I)
_LOCALE = re.compile(r"^[a-z]{2,3}[_-][A-Z]{2}$")
_HEX_TOKEN = re.compile(r"^(?:[0-9a-f]{16,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
                        re.I)
_GENDER_VALUES = {"f", "m", "w", "d", "x", "u", "male", "female", "man", "woman", "divers", "diverse",
                  "other", "non-binary", "nonbinary", "unknown", "homme", "femme", "mann", "frau",
                  "maschio", "femmina", "hombre", "mujer", "vrouw", "mezczyzna", "kobieta", "männlich",
                  "weiblich", "masculin", "féminin", "maschile", "femminile", "masculino", "femenino"}
_ISO2 = re.compile(r"^[A-Z]{2}$")
_SALUTATIONS = frozenset(t.casefold() for t in TITLES) | {"mx", "dott.ssa", "sig.ra", "m", "mag", "ing"}


def _is_salutation(value: str) -> bool:
    """'Mrs.', 'Dr.', 'Prof. Dr.', 'Frau Dr.': every word a form of address or academic title."""
    words = value.replace(".", " ").split()
    return bool(words) and len(words) <= 3 and all(w.casefold() in _SALUTATIONS for w in words)



@cache
def _national_id_validators() -> dict[str, object]:
    return {country: import_module(name) for country, name in NATIONAL_ID_MODULES.items()}


def _name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames), lower-case, from Faker's person providers of ten locales (Faker is a
    dependency), shipped precomputed: gdprlab.audit.discovery.name_lexicon.dictionary_names."""
    return dictionary_names()


class _Values:
    """Evidence from one column's sampled values, computed on demand."""

    def __init__(self, values: np.ndarray, countries: np.ndarray | None):
        self.values = values  # str, stripped, non-empty
        self.n = len(values)
        self.countries = countries
        codes, uniques = pd.factorize(values)
        self.codes, self.uniques = codes, np.asarray(uniques, dtype=object)
        self._cache: dict[str, tuple[float, str]] = {}
        self._arrow: pa.Array | None = None

    def screen(self, patterns: tuple[str, ...]) -> float:
        """Share of sampled values matching all the RE2 patterns (vectorised, over distinct values)."""
        if self._arrow is None:
            self._arrow = pa.array(self.uniques, type=pa.string())
        ok = np.ones(len(self.uniques), dtype=bool)
        for pattern in patterns:
            ok &= bools(pc.match_substring_regex(self._arrow, pattern))
        return self._share_unique(ok)

    def _share_unique(self, ok_unique: np.ndarray, limit: int | None = None) -> float:
        """Share of sampled rows whose value is OK, judging only the first `limit` distinct values."""
        if limit is not None and len(self.uniques) > limit:
            rows = self.codes < limit
            return float(ok_unique[self.codes[rows]].mean()) if rows.any() else 0.0
        return float(ok_unique[self.codes].mean()) if self.n else 0.0

    def _stdnum(self, shape: re.Pattern, check, compact=lambda v: v) -> float:
        cand = self.uniques[:_STDNUM_CAP]
        ok = np.fromiter((bool(shape.match(compact(v))) and bool(check(v)) for v in cand), bool, len(cand))
        return self._share_unique(ok, _STDNUM_CAP)

    def get(self, what: str) -> tuple[float, str]:
        if what not in self._cache:
            self._cache[what] = getattr(self, "_" + what)()
        return self._cache[what]

    def _encrypted(self):
        ok = np.fromiter((v.startswith("enc:") for v in self.uniques), bool, len(self.uniques))
        return self._share_unique(ok), "are encrypted tokens (enc:...)"

    def _email(self):
        return float(valid_email(pd.Series(self.values, dtype=object)).mean()), "are valid e-mail addresses"

    def _phone(self):
        shape = np.fromiter((bool(_PHONE_SHAPE.match(v)) and sum(c.isdigit() for c in v) >= 7
                             for v in self.uniques), bool, len(self.uniques))[self.codes]
        if not shape.any():
            return 0.0, "are valid phone numbers (phonenumbers)"
        cty = self.countries[shape] if self.countries is not None else np.full(int(shape.sum()), None)
        ok = valid_phone(self.values[shape], cty)
        region = "their row's country as region" if self.countries is not None else "no default region"
        return float(ok.sum()) / self.n, f"are valid phone numbers (phonenumbers, {region})"

    def _phone_shape(self):
        ok = np.fromiter((bool(_PHONE_SHAPE.match(v)) and sum(c.isdigit() for c in v) >= 7
                          and not _ISO_DATE.match(v) and not _DMY_DATE.match(v)
                          for v in self.uniques), bool, len(self.uniques))
        return self._share_unique(ok), "look like phone numbers (digits and separators)"

    def _bank_account(self):
        return self._stdnum(_IBAN_SHAPE, std_iban.is_valid, lambda v: v.replace(" ", "").upper()), \
            "are valid IBANs (stdnum.iban)"

    def _tax_id(self):
        return self._stdnum(_VAT_SHAPE, std_vat.is_valid, lambda v: v.replace(" ", "").upper()), \
            "are valid EU VAT numbers (stdnum.eu.vat)"

    def _national_id(self):
        cand = self.uniques[:_STDNUM_CAP]
        shaped = np.fromiter((bool(_ID_SHAPE.match(v.upper())) and sum(c.isdigit() for c in v) >= 6
                              and not _ISO_DATE.match(v) for v in cand), bool, len(cand))
        best, best_country = 0.0, ""
        if shaped.any():
            for country, module in _national_id_validators().items():
                ok = shaped.copy()
                ok[shaped] = [bool(module.is_valid(v)) for v in cand[shaped]]
                share = self._share_unique(ok, _STDNUM_CAP)
                if share > best:
                    best, best_country = share, country
        name = NATIONAL_ID_MODULES.get(best_country, "")
        return best, f"are valid national ids of {best_country or '?'} ({name})"

    def _card_number(self):
        def check(v: str) -> bool:
            digits = re.sub(r"[ \-]", "", v)
            return digits.isdigit() and 13 <= len(digits) <= 19 and bool(_CARD_IIN.match(digits)) \
                and luhn.is_valid(digits)
        ok = np.fromiter((check(v) for v in self.uniques), bool, len(self.uniques))
        return self._share_unique(ok), "are card numbers (13-19 digits, issuer prefix, Luhn check)"

    def _ip_address(self):
        def check(v: str) -> bool:
            if not (("." in v and v[0].isdigit()) or ":" in v) or len(v) > 45:
                return False
            try:
                ipaddress.ip_address(v)
            except ValueError:
                return False
            return True
        ok = np.fromiter((check(v) for v in self.uniques), bool, len(self.uniques))
        return self._share_unique(ok), "are IP addresses"

    def _date_of_birth(self):
        iso = np.fromiter((bool(_ISO_DATE.match(v)) for v in self.uniques), bool, len(self.uniques))
        dmy = np.fromiter((bool(_DMY_DATE.match(v)) for v in self.uniques), bool, len(self.uniques))
        dates = pd.Series(pd.NaT, index=range(len(self.uniques)), dtype="datetime64[s]")
        if iso.any():
            dates[iso] = pd.to_datetime(pd.Series(self.uniques[iso]).str.slice(0, 10), format="%Y-%m-%d",
                                        errors="coerce").to_numpy()
        if dmy.any():
            dates[dmy] = pd.to_datetime(pd.Series(self.uniques[dmy]).str.replace("/", "."),
                                        format="%d.%m.%Y", errors="coerce").to_numpy()
        rows = dates.to_numpy()[self.codes]
        parsed = ~np.isnat(rows)
        if parsed.mean() < 0.9:
            return 0.0, "are dates"
        years = rows[parsed].astype("datetime64[Y]").astype(int) + 1970
        today = dt.date.today().year
        age = today - years
        plausible = (years >= 1900) & (age >= 0)
        span = np.percentile(years, 90) - np.percentile(years, 10)
        median_age = float(np.median(age))
        if plausible.mean() < 0.95 or not 14 <= median_age <= 90 or span < 15:
            return 0.0, (f"are dates but not birth dates (median age {median_age:.0f}, "
                         f"years spread over {span:.0f})")
        return float(parsed.mean() * plausible.mean()), (
            f"are dates plausible as birth dates (median age {median_age:.0f}, "
            f"10th-90th percentile over {span:.0f} years)")

    def _online_identifier(self):
        ok = np.fromiter((bool(_SOCIAL.search(v)) for v in self.uniques), bool, len(self.uniques))
        return self._share_unique(ok), "are social-network profile URLs"

    def _website(self):
        ok = np.fromiter((bool(_URL.match(v)) and "@" not in v for v in self.uniques), bool,
                         len(self.uniques))
        return self._share_unique(ok), "are web addresses"

    def _gender(self):
        ok = np.fromiter((v.lower() in _GENDER_VALUES for v in self.uniques), bool, len(self.uniques))
        few = len(self.uniques) <= 6
        return (self._share_unique(ok) if few else 0.0), "are gender codes (F/M/...)"

    def _phone_weak(self):
        shape, _ = self.get("phone_shape")
        sep = np.fromiter((("+" in v or any(c in v for c in " .-()/")) for v in self.uniques), bool,
                          len(self.uniques))
        return (shape if self._share_unique(sep) >= 0.5 else 0.0), \
            "look like phone numbers (digits with separators; not validated: no country known)"

    def _names(self, which: int) -> float:
        names = _name_lists()[which]
        ok = np.fromiter((v.lower() in names for v in self.uniques), bool, len(self.uniques))
        return self._share_unique(ok)

    def _first_name(self):
        return self._names(0), "are given names (Faker's name lists of ten locales)"

    def _last_name(self):
        return self._names(1), "are surnames (Faker's name lists of ten locales)"

    def _name(self):
        first, _ = _name_lists()
        ok = np.fromiter((2 <= len(v.split()) <= 4 and v.split()[0].lower() in first and v[0].isupper()
                          for v in self.uniques), bool, len(self.uniques))
        return self._share_unique(ok), "are full names (a given name, then more words)"

    def _salutation(self):
        ok = np.fromiter((_is_salutation(v) for v in self.uniques), bool, len(self.uniques))
        return self._share_unique(ok), "are salutations (Mr, Mrs, Dr, Frau, Mme, ...)"

    def _preference(self):
        ok = np.fromiter((bool(_LOCALE.match(v)) for v in self.uniques), bool, len(self.uniques))
        return self._share_unique(ok), "are locales (language_COUNTRY)"

    def _token(self):
        ok = np.fromiter((bool(_HEX_TOKEN.match(v)) for v in self.uniques), bool, len(self.uniques))
        return self._share_unique(ok), "are opaque hexadecimal tokens or UUIDs"

    def _free_text(self):
        lengths = np.fromiter((len(v) for v in self.uniques), np.int64, len(self.uniques))[self.codes]
        words = np.fromiter((v.count(" ") + 1 for v in self.uniques), np.int64, len(self.uniques))[self.codes]
        ok = (lengths >= 25) & (words >= 4)
        return float(ok.mean()), "are sentences (free text)"

    def _special_terms(self):
        hits = reveals_special_category(pd.Series(self.uniques, dtype=object))
        return self._share_unique(hits), "contain special-category terms (discovery/special_terms.yaml)"

    def _criminal_terms(self):
        hits = reveals_criminal_offence(pd.Series(self.uniques, dtype=object))
        return self._share_unique(hits), "contain criminal-offence terms (discovery/criminal_terms.yaml)"


#: value checks that may decide a column's category, in order of precedence
_STRONG_VALUE_CHECKS = ("email", "bank_account", "card_number", "tax_id", "national_id", "ip_address",
                        "phone", "online_identifier", "date_of_birth")
#: value checks that only speak when the header is silent
_WEAK_VALUE_CHECKS = ("gender", "preference", "token", "website", "phone_weak", "first_name", "last_name",
                      "name", "free_text")
#: share of sampled values a weak check needs (names: many real names are in no list)
_WEAK_SHARE = {"free_text": 0.5, "first_name": 0.5, "last_name": 0.5, "name": 0.5}
#: found only by its values, free text is about a person only in a table of persons (see resolve)
_WEAK_CATEGORY = {"token": "technical_id", "website": "company", "free_text": "description",
                  "phone_weak": "phone"}


#: cheap RE2 screens (pyarrow): a check runs only when enough values pass its screen(s)
_GATES: dict[str, tuple[str, ...]] = {
    "email": ("@",),
    "bank_account": (r"^[A-Za-z]{2}[0-9]{2}",),
    "tax_id": (r"^[A-Za-z]{2}\s?[0-9A-Za-z+*]{0,2}[0-9]",),
    "card_number": (r"^[0-9][0-9 \-]{11,}[0-9]$",),
    "national_id": (r"^[0-9A-Za-z][0-9A-Za-z \-./]{6,16}[0-9A-Za-z]$", r"^(?:[^0-9]*[0-9]){6}"),
    "ip_address": (r"^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$|^[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}$",),
    "phone": (r"^\+?[0-9\s().\-/]{6,}",),
    "online_identifier": (r"(?i)linkedin|facebook|twitter|x\.com|instagram|xing|github",),
    "date_of_birth": (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}|^[0-9]{1,2}[./][0-9]{1,2}[./][0-9]{4}$",),
}


def _strong_evidence(vals: _Values) -> tuple[str, float, str] | None:
    for check in _STRONG_VALUE_CHECKS:
        if vals.screen(_GATES[check]) < STRONG_SHARE:
            continue
        share, text = vals.get(check)
        if share >= STRONG_SHARE:
            return check, share, text
    return None


# --------------------------------------------------------------------------- sampling

def _rng(seed: int, *keys: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(zlib.crc32(k.encode()) for k in keys)])


def sample_positions(n: int, sample_size: int, seed: int = 0, table: str = "") -> np.ndarray:
    """Sorted row positions sampled for a table: all rows when it has at most `sample_size`."""
    if n <= sample_size:
        return np.arange(n)
    return np.sort(_rng(seed, table).choice(n, size=sample_size, replace=False))


def _as_text(values: pd.Series) -> np.ndarray:
    """Sampled non-missing values as stripped, non-empty str (dates as ISO text)."""
    values = values[values.notna()]
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        ts = pd.to_datetime(values)
        midnight = (ts.dt.normalize() == ts).all()
        text = ts.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%dT%H:%M:%S")
    elif pd.api.types.is_bool_dtype(values.dtype):
        text = values.astype(str)
    else:
        text = values.astype(str).str.strip()
    arr = text.to_numpy(dtype=object)
    return arr[arr != ""]


# --------------------------------------------------------------------------- classification

def classify_table(df: pd.DataFrame, table: str = "", sample_size: int = 10_000, seed: int = 0, *,
                   labels: Mapping[str, str] | None = None,
                   types: Mapping[str, str] | None = None,
                   _context: tuple[str, str] | None = None) -> list[ColumnClass]:
    """Classify every column of a table (see the module docstring for how).

    `labels` maps a column to a display label (e.g. a Salesforce field label) read as a second header;
    `types` maps a column to a declared field type (Salesforce describe types: id, reference, email,
    phone, address, textarea, url, ...). Sampling is deterministic for (seed, table, column).
    """
    labels, types = labels or {}, types or {}
    columns = [str(c) for c in df.columns]
    context, context_reason = table_context(table, columns + [labels[c] for c in columns if c in labels])
    if _context is not None:
        context, context_reason = _context
    positions = sample_positions(len(df), sample_size, seed, table)
    whole = len(positions) == len(df)
    countries = _country_codes(df, positions, whole)
    key = _table_key(table)
    out = []
    for i, col in enumerate(df.columns):
        series = df.iloc[:, i]
        sample = series if whole else series.iloc[positions]
        text = _as_text(sample)
        row_countries = countries
        if len(text) < 50 and not whole:  # sparse column: sample among its filled rows instead
            filled = np.flatnonzero(series.notna().to_numpy())
            if len(filled) > len(text):
                take = _rng(seed, table, str(col)).choice(filled, size=min(sample_size, len(filled)),
                                                          replace=False)
                text = _as_text(series.iloc[np.sort(take)])
                row_countries = None
        if row_countries is not None:
            row_countries = row_countries[sample.notna().to_numpy()]
            if len(row_countries) != len(text):
                row_countries = None
        numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
        out.append(_classify_column(
            table, str(col), labels.get(col), types.get(col), text, row_countries, numeric, context,
            context_reason, key))
    if _context is None and context == "other" and _context_named(table) is None \
            and sum(c.category in _PERSON_ONLY for c in out) >= 2:
        return classify_table(df, table, sample_size, seed, labels=labels, types=types, _context=(
            "person", f"table {table!r} has person-only columns (found by their values)"))
    persons = _person_accounts(df, out) if _context is None and context == "company" else 0.0
    if persons:
        return classify_table(df, table, sample_size, seed, labels=labels, types=types, _context=(
            "person", f"table {table!r} holds person accounts ({persons:.0%} of its rows are natural "
                      "persons): their names and contact details are personal data"))
    return out


_TRUE = frozenset({"true", "1", "yes", "y", "t", "wahr", "ja", "vrai", "oui", "sí", "si", "x"})


def _person_accounts(df: pd.DataFrame, classes: list[ColumnClass]) -> float:
    """Share of a company table's rows flagged as natural persons (IsPersonAccount, sole trader)."""
    for i, c in enumerate(classes):
        if c.category == "person_account":
            values = df.iloc[:, i].dropna()
            if len(values):
                return float(values.astype(str).str.strip().str.casefold().isin(_TRUE).mean())
    return 0.0


def classify_columns(tables: Mapping[str, pd.DataFrame], sample_size: int = 10_000,
                     seed: int = 0) -> list[ColumnClass]:
    """Classify every column of every table of a dataset, table by table."""
    return [c for name, df in tables.items() for c in classify_table(df, name, sample_size, seed)]


def classify_fields(fields: pd.DataFrame, table: str) -> list[ColumnClass]:
    """Classify an object's fields from their description alone (no values), e.g. a Salesforce describe:
    a frame with columns `name`, optional `label` and `type`."""
    names = fields["name"].astype(str).tolist()
    labels = dict(zip(names, fields["label"].astype(str), strict=True)) if "label" in fields else None
    types = dict(zip(names, fields["type"].astype(str), strict=True)) if "type" in fields else None
    return classify_table(pd.DataFrame(columns=names), table, labels=labels, types=types)


def _table_key(table: str) -> str:
    words = header_words(table or "")
    if not words:
        return ""
    last = words[-1]
    singular = last[:-3] + "y" if last.endswith("ies") else last[:-1] if last.endswith("s") else last
    return singular + "id"


def country_codes(df: pd.DataFrame) -> np.ndarray | None:
    """Each row's ISO 3166 alpha-2 country from the table's country column (None where it has none), or
    None when the table has no such column."""
    return _country_codes(df, np.arange(len(df)), True)


def _country_codes(df: pd.DataFrame, positions: np.ndarray, whole: bool) -> np.ndarray | None:
    """ISO 3166 alpha-2 codes of the sampled rows from the table's country column, if it has one."""
    for i, col in enumerate(df.columns):
        m = match_header(str(col))
        if m and m.category == "country":
            series = df.iloc[:, i] if whole else df.iloc[positions, i]
            values = np.array(series.astype(object).where(series.notna(), None).to_numpy(dtype=object))
            ok = np.fromiter((isinstance(v, str) and bool(_ISO2.match(v)) for v in values), bool, len(values))
            if len(values) and ok.mean() >= 0.8:
                values[~ok] = None
                return values
    return None


def _classify_column(table: str, column: str, label: str | None, ftype: str | None, text: np.ndarray,
                     countries: np.ndarray | None, numeric: bool, context: str, context_reason: str,
                     key: str) -> ColumnClass:
    reasons: list[str] = []
    # 1. header and label
    hit, shown, what = match_header(column), column, "header"
    if label:
        lab = match_header(label)
        if lab and (hit is None or _rank(lab) > _rank(hit)):
            hit, shown, what = lab, label, "label"
    words = header_words(column)
    person_prefix = len(words) > 1 and words[0] in PERSON_PREFIXES
    id_form = bool(words) and (words[-1] in ID_WORDS or (ftype or "") in ("id", "reference")
                               or (len(words) == 1 and words[0].endswith("id")))
    category: str | None = hit.category if hit else None
    confidence = {"exact": 0.9, "words": 0.8, "compound": 0.65, "id": 0.8}[hit.kind] if hit else 0.0
    if hit:
        reasons.append(hit.describe(shown, what))
    if key and "".join(words) == key or (words == ("id",)):
        category, confidence = "technical_id", 0.95
        reasons.append(f"{column!r} is the key of table {table!r}")
    # 2. declared type
    if ftype:
        ftype = ftype.lower()
        if ftype == "id" or (ftype == "reference" and category != "employer"):
            if category != "technical_id":
                reasons.append(f"declared type {ftype!r}: a key or a reference to another record")
            category, confidence = "technical_id", max(confidence, 0.85)
        elif ftype in ("email", "phone", "address", "textarea"):
            typed = {"email": "email", "phone": "phone", "address": "postal_address",
                     "textarea": "description"}[ftype]
            if category is None:
                category, confidence = typed, 0.7
                reasons.append(f"declared type {ftype!r} -> {typed}")
            elif category == typed or (typed == "description" and category == "free_text"):
                confidence = min(0.99, confidence + 0.05)
                reasons.append(f"declared type {ftype!r} agrees")
    # 3. values
    n = len(text)
    vals = _Values(text, countries) if n else None
    if vals is not None:
        category, confidence = _weigh_values(vals, category, confidence, numeric, reasons, n)
    elif not ftype:
        reasons.append("no values to check (empty column)")
    if category == "job_title" and vals is not None and n >= _MIN_VALUES:
        share, what = vals.get("salutation")
        if share >= STRONG_SHARE:
            reasons.append(f"{share:.0%} of {n:,} sampled values {what}: a salutation, not a job title")
            category = "salutation"
    if context == "company" and category in ("name", "employer", "named_thing") and not id_form \
            and vals is not None and n >= _MIN_VALUES:
        share, what = vals.get("name")
        if share >= _PERSON_ACCOUNT_SHARE:
            reasons.append(f"{share:.0%} of {n:,} sampled values {what}: person accounts or sole traders, "
                           "whose names are personal data")
            category, context = "name", "person"
    # 4. context
    if category is None:
        if context == "person":
            category, confidence = "attribute", 0.35
            reasons.append("nothing recognised, but every column of a table of persons relates to them")
        else:
            category, confidence = "other", 0.5
            reasons.append("nothing identifies personal data")
        reasons.append(context_reason)
    else:
        final, why = resolve(category, "person" if person_prefix else context, id_form=id_form)
        if final != category or why:
            reasons.append(context_reason + (f": {why}" if why else ""))
            if person_prefix and context != "person":
                reasons.append(f"{column!r} is a person's field on a {context} record")
        category = final
    personal = category not in NOT_PERSONAL
    special_share = criminal_share = None
    if category == "free_text" and vals is not None and n >= _MIN_VALUES:
        special_share, criminal_share = _revealed(vals, n, reasons)
    return ColumnClass(table, column, category, personal,
                       category in SPECIAL_CATEGORIES or bool(special_share),
                       category in CRIMINAL_CATEGORIES or bool(criminal_share), round(float(confidence), 3),
                       tuple(reasons), special_share, criminal_share)


def _revealed(vals: _Values, n: int, reasons: list[str]) -> tuple[float, float]:
    """Shares of a free-text column's sampled rows that reveal Art. 9 and Art. 10 data (with reasons)."""
    shares = []
    for check, article in (("special_terms", "Art. 9(1) special-category"), ("criminal_terms",
                                                                              "Art. 10 criminal-offence")):
        share, text = vals.get(check)
        if share > 0:
            reasons.append(f"{share:.1%} of {n:,} sampled rows {text}: the column holds {article} data; "
                           "review these records")
        shares.append(round(share, 4))
    return shares[0], shares[1]


def _rank(m: HeaderMatch) -> tuple[int, int]:
    kind = {"exact": 3, "words": 2, "id": 2, "compound": 1}[m.kind]
    return kind, m.end - m.start


def _weigh_values(vals: _Values, category: str | None, confidence: float, numeric: bool,
                  reasons: list[str], n: int) -> tuple[str | None, float]:
    def say(share: float, text: str) -> str:
        return f"{share:.0%} of {n:,} sampled values {text}"

    enc, enc_text = vals.get("encrypted")
    if enc >= STRONG_SHARE:
        reasons.append(say(enc, enc_text) + ": the header decides")
        return category, confidence
    if n < _MIN_VALUES:
        reasons.append(f"only {n} sampled value(s): too few to judge")
        return category, confidence
    strong = None if numeric else _strong_evidence(vals)
    own = None
    if category in _CHECKABLE and not numeric:
        own = vals.get(category)
    if strong:
        v_cat, v_share, v_text = strong
        agrees = v_cat == category or v_cat in _COMPATIBLE.get(category or "", ())
        if agrees:
            reasons.append(say(v_share, v_text))
            return category, min(0.99, max(confidence, 0.6 + 0.39 * v_share) + 0.05)
        if own and own[0] >= 0.5:
            reasons.append(say(*own))
            return category, confidence
        if v_cat == "date_of_birth" and category not in _SILENT:
            pass  # birth-like dates do not overrule a header naming another kind of date
        else:
            if category is None:
                reasons.append(say(v_share, v_text))
                return v_cat, 0.45 + 0.45 * v_share
            reasons.append(say(v_share, v_text) + f": the values overrule the header ({category})")
            return v_cat, 0.5 + 0.4 * v_share
    if own is not None:
        share, text = own
        if category == "phone" and share < 0.5:
            shape, shape_text = vals.get("phone_shape")
            reasons.append(say(share, text) + "; " + f"{shape:.0%} {shape_text}")
            return category, confidence * (1.0 if shape >= STRONG_SHARE else 0.8)
        reasons.append(say(share, text))
        return category, confidence * (1.0 if share >= 0.5 else 0.75)
    if category is None and not numeric:
        for check in _WEAK_VALUE_CHECKS:
            share, text = vals.get(check)
            if share >= _WEAK_SHARE.get(check, STRONG_SHARE):
                reasons.append(say(share, text))
                return _WEAK_CATEGORY.get(check, check), 0.4 + 0.4 * share
    return category, confidence


# --------------------------------------------------------------------------- record of processing

def ropa_draft(classes: Iterable[ColumnClass]) -> pd.DataFrame:
    """A record-of-processing draft (Art. 30(1)), one row per personal-data column, for an auditor to
    complete: purpose, lawful basis and retention are left empty; encryption at rest is suggested for
    special-category, criminal-offence, identity-number, financial data and credentials. A free-text
    column whose notes reveal Art. 9 or Art. 10 data is marked so, with the share of its sampled rows."""
    rows = [
        {"table": c.table, "column": c.column, "category": c.category,
         "record_category": c.record_category, "special_category": c.special,
         "special_category_share": c.special_share, "criminal_offence_data": c.criminal,
         "criminal_offence_share": c.criminal_share, "purpose": "", "lawful_basis": "", "retention": "",
         "requires_encryption": c.category in ENCRYPT_SUGGESTED or c.special or c.criminal,
         "confidence": c.confidence, "evidence": "; ".join(c.reasons)}
        for c in classes if c.personal
    ]
    columns = ["table", "column", "category", "record_category", "special_category", "special_category_share",
               "criminal_offence_data", "criminal_offence_share", "purpose", "lawful_basis", "retention",
               "requires_encryption", "confidence", "evidence"]
    return pd.DataFrame(rows, columns=columns)
