"""The check engine: one Check per rule of the catalogue, run over a dataset's tables into an Assessment.

A Check carries what an auditor needs to read a finding (title, articles, concern, severity, the rule's
definition, remediation) and what it needs to run (its tables and the vectorised finder of
gdprlab.audit.rules.legacy). `check.run(tables, policy, as_of)` gives a CheckResult:

* status "passed" (no violating record), "failed", or "not_assessed" with the reason
  ("table requests missing") - a missing table never raises;
* the violating record ids (column names for column rules), their count and the population (how many
  records the rule examined, so that count / population is a meaningful rate);
* masked evidence (gdprlab.audit.mask) for a bounded, seeded sample of the violating records: the fields that
  show why each one violates the rule, never raw personal data.

`run_checks(tables, policy, as_of)` runs every check and scores the results (gdprlab.audit.scoring).

    >>> from gdprlab.crm.io import read_dataset, read_policy, read_as_of
    >>> folder = "datasets/sample"
    >>> a = run_checks(read_dataset(folder), read_policy(folder), read_as_of(folder), dataset=folder)
    >>> a.scores.overall, [f["rule_id"] for f in a.findings][:2]
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import gdprlab
from gdprlab.audit.mask import mask_date_of_birth, mask_free_text, mask_value
from gdprlab.audit.rules.legacy import (
    DUPLICATE_KEY,
    FINDERS,
    INVALID_METHODS,
    ONLINE_SOURCES,
    PERSONAL_FIELDS,
    REQUIRES,
    ROW,
    Finder,
    erased_remains,
    marketing_sends,
    revealing_notes,
    rows_at,
    rows_where,
    sharing,
)
from gdprlab.audit.scoring import Scores, score
from gdprlab.audit.validate import valid_email, valid_phone
from gdprlab.crm.protect import WEAK_HASHES, weak_pseudonym
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.catalogue import RULES, SEVERITIES, Rule
from gdprlab.regulation.policy import Policy

Tables = Mapping[str, pd.DataFrame]
Evidence = dict[str, str | None]
STATUSES = ("passed", "failed", "not_assessed")
DEFAULT_EVIDENCE = 5
#: threads running checks at once (1: one after another)
WORKERS = min(4, os.cpu_count() or 1)
#: the slowest checks on a large dataset (benchmarks/check_speed.py), started first so that none is left
#: running alone at the end (longest-first measured no better on two cores)
SLOW_FIRST = ("special_category_without_condition", "weak_pseudonymisation", "marketing_without_basis",
              "inaccurate_data", "child_consent_without_authorisation", "erasure_incomplete",
              "plaintext_sensitive_field", "retention_exceeded")
NOTE_LENGTH = 160  # a note is shown longer than other free text: the revealing words may come late

#: tables of which a rule needs at least one (beyond its own), each widening what it can see
ANY_OF: dict[str, tuple[str, ...]] = {
    "processing_after_withdrawal": ("consents", "requests"),
    "erasure_incomplete": ("contacts", "activities"),
}
#: tables a rule uses when present; without them it still runs, on less, and says so
OPTIONAL: dict[str, tuple[str, ...]] = {
    "special_category_without_condition": ("activities",),
    **ANY_OF,
}
_CAVEAT = {
    ("special_category_without_condition", "activities"): "activity notes not searched",
    ("processing_after_withdrawal", "consents"): "withdrawals of consent not checked",
    ("processing_after_withdrawal", "requests"): "objections not checked",
    ("erasure_incomplete", "contacts"): "remaining contact details not checked",
    ("erasure_incomplete", "activities"): "remaining notes not checked",
}

#: columns of its own table a rule uses when present, and what it cannot see without them
OPTIONAL_COLUMNS: dict[str, dict[str, str]] = {
    "inaccurate_data": {
        "email": "e-mail addresses not checked",
        "phone": "phone numbers not checked",
        "country": "phone numbers judged without the contact's country",
        "status": "erased contacts not told apart",
        **{col: "duplicates not checked" for col in DUPLICATE_KEY},
    },
}


def _column_caveats(rule_id: str, df: pd.DataFrame) -> tuple[str, ...]:
    wanted = OPTIONAL_COLUMNS.get(rule_id, {})
    return tuple(dict.fromkeys(text for col, text in wanted.items() if col not in df.columns))


#: the fields of the rule's table shown (masked) as evidence for each violating record
EVIDENCE_FIELDS: dict[str, tuple[str, ...]] = {
    "special_category_without_condition": ("first_name", "last_name", "accessibility_needs",
                                           "art9_condition"),
    "marketing_without_basis": ("contact_id", "purpose", "lawful_basis", "occurred_at"),
    "consent_without_proof": ("contact_id", "purpose", "given_at", "source", "wording_version"),
    "processing_after_withdrawal": ("contact_id", "purpose", "lawful_basis", "occurred_at"),
    "child_consent_without_authorisation": ("contact_id", "given_at", "source", "parental_authorisation"),
    "invalid_consent_form": ("contact_id", "purpose", "method", "source"),
    "retention_exceeded": ("first_name", "last_name", "status", "last_activity_at"),
    "inaccurate_data": ("first_name", "last_name", "birth_date", "email", "phone", "country", "created_at"),
    "plaintext_sensitive_field": ("national_id", "iban", "accessibility_needs"),
    "weak_pseudonymisation": ("email", "pseudonym"),
    "excessive_access": ("name", "role", "crm_access"),
    "request_overdue": ("contact_id", "type", "received_on", "extension_notified_on", "responded_on",
                        "status"),
    "extension_not_notified": ("contact_id", "type", "received_on", "extension_notified_on", "responded_on",
                               "status"),
    "erasure_incomplete": ("contact_id", "type", "status", "responded_on"),
    "untrained_crm_user": ("name", "role", "crm_access"),
    "breach_notified_late": ("aware_at", "notified_authority_at", "delay_reason", "risk"),
    "breach_not_notified": ("aware_at", "risk", "notified_authority_at"),
    "subjects_not_informed": ("aware_at", "risk", "subjects_informed_at", "art34_exception"),
    "breach_record_incomplete": ("aware_at", "description", "consequences", "measures"),
    "policy_review_overdue": ("kind", "title", "owner", "last_reviewed_on"),
}
#: masking category for fields whose schema category would hide what identifies no one on its own
_CATEGORY_OVERRIDES: dict[tuple[str, str], str | None] = {
    ("contacts", "country"): None,
    ("contacts", "gender"): None,
}


# ----------------------------------------------------------------------------------------------------------
# populations: how many records (or columns) each rule examines
# ----------------------------------------------------------------------------------------------------------

def _n_where(df: pd.DataFrame, column: str, *values: str) -> int:
    return int(df[column].isin(values).sum())


def _marketing_sends(t: Tables) -> int:
    return len(marketing_sends(t))  # the finders' own selection, computed once inside sharing()


def _not_erased(t: Tables) -> int:
    c = t["contacts"]
    return len(c) if "status" not in c.columns else int((~c["status"].isin(["erased"])).sum())


def _contact_columns(t: Tables) -> int:
    return len([c for c in t["contacts"].columns if c != TABLES["contacts"].key])


def _listed_contact_columns(t: Tables) -> int:
    ropa = t["record_of_processing"]
    listed = set(ropa.loc[ropa["table_name"].isin(["contacts"]), "column_name"].dropna())
    return len(listed & set(t["contacts"].columns))


def _contacts_with_encrypted_field(t: Tables) -> int:
    ropa = t["record_of_processing"]
    wanted = ropa.loc[ropa["table_name"].isin(["contacts"])
                      & (ropa["requires_encryption"] == True).fillna(False), "column_name"]  # noqa: E712
    cols = [c for c in dict.fromkeys(wanted.dropna()) if c in t["contacts"].columns]
    if not cols:
        return 0
    return int(t["contacts"][cols].notna().any(axis=1).sum())


def _contacts_with_pseudonym(t: Tables) -> int:
    c = t["contacts"]
    return int((c["pseudonym"].notna() & c["email"].notna()).sum())


def _judged_requests(t: Tables) -> int:
    return int(t["requests"]["received_on"].notna().sum())


def _completed_erasures(t: Tables) -> int:
    r = t["requests"]
    return int((r["type"].isin(["erasure"]) & r["status"].isin(["completed"])).sum())


def _crm_users(t: Tables) -> int:
    s = t["staff"]
    return int((s["crm_access"].notna() & ~s["crm_access"].isin(["none"])).sum())


def _online_consents(t: Tables) -> int:
    return _n_where(t["consents"], "source", *ONLINE_SOURCES)


POPULATIONS: dict[str, tuple[str, Callable[[Tables], int]]] = {
    "special_category_without_condition": ("contacts", lambda t: len(t["contacts"])),
    "undeclared_personal_data": ("columns of contacts other than its key", _contact_columns),
    "marketing_without_basis": ("marketing sends", _marketing_sends),
    "consent_without_proof": ("consents", lambda t: len(t["consents"])),
    "processing_after_withdrawal": ("marketing sends", _marketing_sends),
    "child_consent_without_authorisation": ("consents captured online", _online_consents),
    "invalid_consent_form": ("consents", lambda t: len(t["consents"])),
    "field_without_purpose": ("contact columns in the record of processing", _listed_contact_columns),
    "retention_exceeded": ("contacts not erased", _not_erased),
    "inaccurate_data": ("contacts not erased", _not_erased),
    "plaintext_sensitive_field": ("contacts with a value in a column to encrypt",
                                  _contacts_with_encrypted_field),
    "weak_pseudonymisation": ("contacts with a pseudonym and an e-mail", _contacts_with_pseudonym),
    "excessive_access": ("staff with full CRM access", lambda t: _n_where(t["staff"], "crm_access", "full")),
    "request_overdue": ("requests with a receipt date", _judged_requests),
    "extension_not_notified": ("requests with a receipt date", _judged_requests),
    "erasure_incomplete": ("completed erasure requests", _completed_erasures),
    "untrained_crm_user": ("staff with CRM access", _crm_users),
    "breach_notified_late": ("breaches", lambda t: len(t["breaches"])),
    "breach_not_notified": ("breaches", lambda t: len(t["breaches"])),
    "subjects_not_informed": ("high-risk breaches", lambda t: _n_where(t["breaches"], "risk", "high")),
    "breach_record_incomplete": ("breaches", lambda t: len(t["breaches"])),
    "policy_review_overdue": ("policies", lambda t: len(t["policies"])),
}


# ----------------------------------------------------------------------------------------------------------
# evidence
# ----------------------------------------------------------------------------------------------------------

def _category(table: str, column: str) -> str | None:
    if (table, column) in _CATEGORY_OVERRIDES:
        return _CATEGORY_OVERRIDES[(table, column)]
    schema = TABLES.get(table)
    if schema is None or column not in schema.column_names:
        return "free_text"  # a column the schema does not know: assume it may identify someone
    return schema.column(column).category


def show(value: object, table: str, column: str) -> str | None:
    """One field of a record as evidence: dates as ISO text, then masked by the column's category."""
    category = _category(table, column)
    if isinstance(value, pd.Timestamp | np.datetime64 | dt.date) and not pd.isna(value):
        if category == "date_of_birth":
            return mask_date_of_birth(value)
        stamp = pd.Timestamp(value)
        schema = TABLES.get(table)
        is_date = (schema is not None and column in schema.column_names
                   and schema.column(column).dtype == "date")
        value = stamp.strftime("%Y-%m-%d") if is_date else stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(value, bool | np.bool_):
        value = str(bool(value))
    return mask_value(value, category)


def _rows(df: pd.DataFrame, key: str, ids: list[str]) -> pd.DataFrame:
    """The rows of `ids`, in that order (first row per key)."""
    return rows_where(df, df[key].isin(ids)).drop_duplicates(key).set_index(key).reindex(ids)


def _sampled_rows(df: pd.DataFrame, positions: np.ndarray, ids: list[str], key: str) -> pd.DataFrame:
    """The few sampled rows at their positions, indexed by id: read value by value, as Python objects
    (evidence only reads and masks them, and typed columns cost more to build than the values)."""
    data = {col: [df[col].iat[p] for p in positions] for col in df.columns if col != key}
    return pd.DataFrame(data, index=pd.Index(ids, name=key), columns=list(data), dtype=object)


def _special_extra(t: Tables, ids: list[str], c: pd.DataFrame) -> dict[str, Evidence]:
    out: dict[str, Evidence] = {i: {"held_in": "accessibility_needs"} for i in ids}
    if "activities" in t:
        a = rows_at(t["activities"], revealing_notes(t), ["contact_id", "note"])
        a = a[a["contact_id"].isin(ids)].drop_duplicates("contact_id").set_index("contact_id")
        for i in ids:
            if i in a.index:
                needs = pd.notna(c.at[i, "accessibility_needs"])
                out[i] = {"held_in": "accessibility_needs, activity note" if needs else "activity note",
                          "note": mask_free_text(a.at[i, "note"], NOTE_LENGTH)}
    return out


def _child_extra(t: Tables, ids: list[str], k: pd.DataFrame) -> dict[str, Evidence]:
    c = _rows(t["contacts"], "contact_id", list(dict.fromkeys(k["contact_id"].dropna())))
    out = {}
    for i in ids:
        contact = k.at[i, "contact_id"]
        known = pd.notna(contact) and contact in c.index
        out[i] = {"birth_date": mask_date_of_birth(c.at[contact, "birth_date"]) if known else None,
                  "country": show(c.at[contact, "country"], "contacts", "country") if known else None}
    return out


def _weak_extra(t: Tables, ids: list[str], c: pd.DataFrame) -> dict[str, Evidence]:
    out = {}
    for i in ids:
        email, pseudonym = c.at[i, "email"], c.at[i, "pseudonym"]
        found = [a for a in WEAK_HASHES if pd.notna(email) and pd.notna(pseudonym)
                 and weak_pseudonym(email, a) == str(pseudonym).strip().lower()]
        out[i] = {"pseudonym_is": f"{found[0]}(email)" if found else None}
    return out


def _erasure_extra(t: Tables, ids: list[str], r: pd.DataFrame) -> dict[str, Evidence]:
    left = erased_remains(t)
    contacts = left.contacts[left.contacts["contact_id"].isin(r["contact_id"].dropna())]
    kept: dict[str, list[str]] = {}
    for row in contacts.drop_duplicates("contact_id").itertuples(index=False):
        kept[row.contact_id] = [f for f in PERSONAL_FIELDS if getattr(row, f)]
    notes = left.notes[left.notes.isin(r["contact_id"].dropna())].value_counts()
    for cid, n in notes.items():
        kept.setdefault(cid, []).append(f"{n} note{'s' if n != 1 else ''}")
    return {i: {"remaining": ", ".join(kept.get(r.at[i, "contact_id"], [])) or None} for i in ids}


def _inaccurate_extra(t: Tables, ids: list[str], rows: pd.DataFrame) -> dict[str, Evidence]:
    c = t["contacts"]
    rows = rows.reindex(columns=["email", "phone", "country", *DUPLICATE_KEY])
    email_ok = valid_email(rows["email"]).to_numpy(dtype=bool) | rows["email"].isna().to_numpy()
    has_phone = rows["phone"].notna().to_numpy()
    phone_ok = np.ones(len(rows), dtype=bool)
    phone_ok[has_phone] = valid_phone(rows["phone"][has_phone], rows["country"][has_phone])
    twins = _earlier_twins(c, rows) if set(DUPLICATE_KEY) <= set(c.columns) else {}
    out = {}
    for n, i in enumerate(ids):
        why = [w for w, bad in (("invalid email", not email_ok[n]), ("invalid phone", not phone_ok[n]),
                                ("duplicate of " + ", ".join(twins.get(i, [])), bool(twins.get(i))))
               if bad]
        out[i] = {"why": "; ".join(why) or None}
    return out


def _earlier_twins(c: pd.DataFrame, rows: pd.DataFrame) -> dict[str, list[str]]:
    """Per sampled contact, up to three earlier contacts with its names (any case) and birth date."""
    same = rows_where(c, c["birth_date"].isin(rows["birth_date"].dropna()), ["contact_id", *DUPLICATE_KEY])
    out = {}
    for i in rows.index:
        first, last = rows.at[i, "first_name"], rows.at[i, "last_name"]
        twins = same[(same["birth_date"] == rows.at[i, "birth_date"])
                     & (same["first_name"].str.casefold() == str(first).casefold())
                     & (same["last_name"].str.casefold() == str(last).casefold())
                     & (same["created_at"] < rows.at[i, "created_at"])]
        out[i] = list(twins["contact_id"].head(3))
    return out


def _training_extra(t: Tables, ids: list[str], rows: pd.DataFrame) -> dict[str, Evidence]:
    tr = t["training"]
    tr = tr[tr["staff_id"].isin(ids) & (tr["passed"] == True).fillna(False)]  # noqa: E712
    latest = tr.groupby("staff_id")["completed_on"].max()
    return {i: {"last_passed": show(latest.get(i), "training", "completed_on")} for i in ids}


def _consent_method_extra(t: Tables, ids: list[str], k: pd.DataFrame) -> dict[str, Evidence]:
    return {i: {"why": "pre-ticked box" if k.at[i, "method"] == INVALID_METHODS[0] else "bundled with terms"}
            for i in ids}


#: evidence beyond the rule's own fields, computed for the sampled records only, from the tables, their
#: ids and their rows of the rule's table (indexed by id)
EXTRA_EVIDENCE: dict[str, Callable[[Tables, list[str], pd.DataFrame], dict[str, Evidence]]] = {
    "special_category_without_condition": _special_extra,
    "child_consent_without_authorisation": _child_extra,
    "weak_pseudonymisation": _weak_extra,
    "erasure_incomplete": _erasure_extra,
    "untrained_crm_user": _training_extra,
    "inaccurate_data": _inaccurate_extra,
    "invalid_consent_form": _consent_method_extra,
}


def _column_evidence(check: Check, t: Tables, columns: list[str]) -> list[Evidence]:
    contacts = t["contacts"]
    ropa = t["record_of_processing"]
    ropa = ropa[ropa["table_name"].isin(["contacts"])].drop_duplicates("column_name").set_index("column_name")
    out = []
    for col in columns:
        filled = contacts[col].notna().to_numpy() if col in contacts.columns else np.zeros(0, dtype=bool)
        example = contacts[col].iat[int(filled.argmax())] if filled.any() else None
        item: Evidence = {"record_id": col, "non_empty_values": str(int(filled.sum())),
                          "example": show(example, "contacts", col) if filled.any() else None}
        if col in ropa.index:
            item["purpose"] = show(ropa.at[col, "purpose"], "record_of_processing", "purpose")
        else:
            item["in_record_of_processing"] = "no"
        out.append(item)
    return out


def sample_ids(ids: list[str] | tuple[str, ...], n: int, seed: int | Iterable[int] = 0) -> list[str]:
    """A seeded sample of at most n ids, in their original (sorted) order."""
    return [ids[i] for i in _picks(len(ids), n, seed)]


def _picks(count: int, n: int, seed: int | Iterable[int]) -> np.ndarray:
    """Sorted positions of sample_ids' sample among `count` ids."""
    if n <= 0 or not count:
        return np.zeros(0, dtype=np.int64)
    if count <= n:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, size=n, replace=False))


# ----------------------------------------------------------------------------------------------------------
# checks and their results
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one dataset."""

    check: Check = field(repr=False)
    status: str
    record_ids: tuple[str, ...] = ()
    population: int | None = None
    evidence: tuple[Evidence, ...] = ()
    reason: str | None = None  # why the rule was not assessed
    caveats: tuple[str, ...] = ()  # what a rule run on fewer tables could not see
    seconds: float = 0.0

    @property
    def rule_id(self) -> str:
        return self.check.id

    @property
    def count(self) -> int:
        return len(self.record_ids)

    @property
    def rate(self) -> float | None:
        """Violating share of the population (None when not assessed or nothing was examined)."""
        if self.status == "not_assessed" or not self.population:
            return None
        return self.count / self.population

    def to_dict(self) -> dict:
        """The result as a finding: everything an auditor reads, evidence masked, JSON-ready."""
        c = self.check
        return {
            "rule_id": c.id,
            "title": c.title,
            "status": self.status,
            "concern": c.concern,
            "severity": c.severity,
            "articles": list(c.articles),
            "table": c.table,
            "unit": c.unit,
            "count": self.count,
            "population": self.population,
            "population_of": c.population_of,
            "rate": None if self.rate is None else round(self.rate, 6),
            "record_ids": list(self.record_ids),
            "evidence": [dict(e) for e in self.evidence],
            "description": c.description,
            "remediation": c.remediation,
            "reason": self.reason,
            "caveats": list(self.caveats),
        }


@dataclass(frozen=True)
class Check:
    """One rule of the catalogue, runnable: `check.run(tables, policy, as_of) -> CheckResult`."""

    id: str
    title: str
    articles: tuple[str, ...]
    concern: str
    severity: str
    description: str
    remediation: str
    table: str
    unit: str
    requires: tuple[str, ...]  # every one must be present: the rule's table first
    any_of: tuple[str, ...]  # at least one must be present (empty: no such condition)
    optional: tuple[str, ...]  # used when present
    finder: Finder = field(repr=False)
    population_of: str = ""
    count_population: Callable[[Tables], int] = field(repr=False, default=lambda t: 0)
    evidence_fields: tuple[str, ...] = ()

    @classmethod
    def from_rule(cls, rule: Rule) -> Check:
        what, count = POPULATIONS[rule.id]
        return cls(
            id=rule.id, title=rule.title, articles=rule.articles, concern=rule.concern,
            severity=rule.severity, description=rule.definition, remediation=rule.remediation,
            table=rule.table, unit=rule.unit, requires=(rule.table, *REQUIRES.get(rule.id, ())),
            any_of=ANY_OF.get(rule.id, ()), optional=OPTIONAL.get(rule.id, ()), finder=FINDERS[rule.id],
            population_of=what, count_population=count, evidence_fields=EVIDENCE_FIELDS.get(rule.id, ()),
        )

    def missing(self, tables: Tables) -> str | None:
        """Why the check cannot run on these tables, or None when it can."""
        absent = [name for name in self.requires if name not in tables]
        if absent:
            return f"table{'s' if len(absent) > 1 else ''} {', '.join(absent)} missing"
        if self.any_of and not any(name in tables for name in self.any_of):
            return f"tables {' and '.join(self.any_of)} both missing (at least one is needed)"
        return None

    def run(self, tables: Tables, policy: Policy | None, as_of: dt.date, evidence: int = DEFAULT_EVIDENCE,
            seed: int = 0) -> CheckResult:
        """Find the violating records, count the population and mask evidence for a sample of them."""
        start = time.perf_counter()
        reason = self.missing(tables)
        if reason is not None:
            return CheckResult(self, "not_assessed", reason=reason)
        policy = policy or Policy()
        try:
            with sharing():  # the evidence reuses what the finder computed
                return self._run(tables, policy, as_of, evidence, seed, start)
        except KeyError as exc:
            reason = _missing_column(exc, tables, (*self.requires, *self.optional))
            if reason is None:
                raise
            return CheckResult(self, "not_assessed", reason=reason)

    def _run(self, tables: Tables, policy: Policy, as_of: dt.date, evidence: int, seed: int,
             start: float) -> CheckResult:
        found = self.finder(dict(tables), policy, as_of)
        ids = tuple(map(str, found.tolist()))
        population = int(self.count_population(tables))
        picks = _picks(len(ids), evidence, [seed, _INDEX[self.id]])
        rows = found.index.to_numpy()[picks] if found.index.name == ROW else None
        shown = self._evidence(tables, [ids[i] for i in picks], rows)
        caveats = tuple(_CAVEAT[(self.id, name)] for name in self.optional if name not in tables)
        caveats += _column_caveats(self.id, tables[self.table])
        return CheckResult(self, "failed" if ids else "passed", ids, population, tuple(shown),
                           caveats=caveats, seconds=time.perf_counter() - start)

    def _evidence(self, tables: Tables, sample: list[str],
                  positions: np.ndarray | None = None) -> list[Evidence]:
        """Masked fields of the sampled records, read at their row `positions` when the finder gave them."""
        if not sample:
            return []
        if self.unit == "column":
            return _column_evidence(self, tables, sample)
        df = tables[self.table]
        key = TABLES[self.table].key
        rows = _rows(df, key, sample) if positions is None else _sampled_rows(df, positions, sample, key)
        extra = EXTRA_EVIDENCE[self.id](tables, sample, rows) if self.id in EXTRA_EVIDENCE else {}
        out = []
        for record_id in sample:
            item: Evidence = {"record_id": record_id}
            for col in self.evidence_fields:
                if col in rows.columns:
                    item[col] = show(rows.at[record_id, col], self.table, col)
            item.update(extra.get(record_id, {}))
            out.append(item)
        return out


def _missing_column(exc: KeyError, tables: Tables, names: Iterable[str]) -> str | None:
    """'column X missing from table T' when the KeyError names a schema column absent from a table used.

    pandas names a missing column alone (KeyError('x')) or in a list ("['x'] not in index").
    """
    text = exc.args[0] if exc.args else None
    if not isinstance(text, str):
        return None
    for name in dict.fromkeys(names):
        if name in tables and name in TABLES:
            absent = [c for c in TABLES[name].column_names if c not in tables[name].columns]
            named = [c for c in absent if c == text or f"'{c}'" in text]
            if named:
                return f"column {named[0]} missing from table {name}"
    return None


CHECKS: tuple[Check, ...] = tuple(Check.from_rule(rule) for rule in RULES)
CHECKS_BY_ID: dict[str, Check] = {c.id: c for c in CHECKS}
_INDEX = {c.id: i for i, c in enumerate(CHECKS)}


def get_check(rule_id: str) -> Check:
    """The check of a rule id; the error lists the known ids."""
    try:
        return CHECKS_BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule {rule_id!r}; known rules: {', '.join(CHECKS_BY_ID)}") from None


def catalogue_version() -> str:
    """gdprlab's version and a digest of the catalogue: changes whenever a rule does."""
    text = json.dumps([r.__dict__ for r in RULES], sort_keys=True, ensure_ascii=False)
    return f"{gdprlab.__version__}+{hashlib.sha256(text.encode()).hexdigest()[:12]}"


# ----------------------------------------------------------------------------------------------------------
# assessment
# ----------------------------------------------------------------------------------------------------------

_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Assessment:
    """Every check's result on one dataset, with scores and what the report needs to say about it."""

    results: tuple[CheckResult, ...]
    scores: Scores
    as_of: dt.date
    dataset: str | None = None
    catalogue_version: str = field(default_factory=catalogue_version)
    evidence_limit: int = DEFAULT_EVIDENCE
    policy: Policy = field(default_factory=Policy, repr=False)

    def result(self, rule_id: str) -> CheckResult:
        for r in self.results:
            if r.rule_id == rule_id:
                return r
        raise KeyError(f"rule {rule_id!r} was not part of this assessment")

    @property
    def failed(self) -> list[CheckResult]:
        """Failed results, most severe first, then by count (descending) and catalogue order."""
        failed = [r for r in self.results if r.status == "failed"]
        return sorted(failed, key=lambda r: (-_RANK[r.check.severity], -r.count))

    @property
    def findings(self) -> list[dict]:
        """One dict per failed rule (see CheckResult.to_dict), most severe first."""
        return [r.to_dict() for r in self.failed]

    @property
    def passed(self) -> list[str]:
        return [r.rule_id for r in self.results if r.status == "passed"]

    @property
    def not_assessed(self) -> list[dict]:
        return [{"rule_id": r.rule_id, "title": r.check.title, "reason": r.reason}
                for r in self.results if r.status == "not_assessed"]

    @property
    def metadata(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "dataset": self.dataset,
                "rule_catalogue_version": self.catalogue_version, "gdprlab_version": gdprlab.__version__,
                "evidence_per_finding": self.evidence_limit,
                "rules_assessed": sum(r.status != "not_assessed" for r in self.results),
                "rules_total": len(self.results)}

    def violations(self) -> pd.DataFrame:
        """All violating records as (rule_id, table, record_id), like a dataset's ground_truth.csv."""
        parts = [pd.DataFrame({"rule_id": r.rule_id, "table": r.check.table, "record_id": list(r.record_ids)},
                              dtype=object) for r in self.results if r.count]
        if not parts:
            return pd.DataFrame({"rule_id": [], "table": [], "record_id": []}, dtype=object)
        return pd.concat(parts, ignore_index=True)


def _run_all(tables: Tables, policy: Policy | None, as_of: dt.date, evidence: int, seed: int,
             selected: set[str]) -> tuple[CheckResult, ...]:
    """Every check's result in catalogue order, the selected ones run in a thread pool.

    The heavy work (pyarrow compute, numpy sorting) releases the GIL, so checks overlap on several cores;
    each check's result depends only on the tables, so the outcome is the same as run one by one.
    """
    def run(check: Check) -> CheckResult:
        if check.id not in selected:
            return CheckResult(check, "not_assessed", reason="not selected")
        return check.run(tables, policy, as_of, evidence, seed)

    if WORKERS <= 1:
        return tuple(map(run, CHECKS))
    context = contextvars.copy_context()  # the threads share the enclosing sharing() block
    with ThreadPoolExecutor(WORKERS) as pool:  # the slowest start first, so none is left running alone
        order = sorted(CHECKS, key=lambda c: (c.id not in SLOW_FIRST, SLOW_FIRST.index(c.id)
                                              if c.id in SLOW_FIRST else 0))
        futures = {check.id: pool.submit(context.copy().run, run, check) for check in order}
        return tuple(futures[check.id].result() for check in CHECKS)


def run_checks(tables: Tables, policy: Policy | None, as_of: dt.date, evidence: int = DEFAULT_EVIDENCE, *,
               dataset: str | None = None, rules: Iterable[str] | None = None, seed: int = 0) -> Assessment:
    """Run every check (or only `rules`) and score the results.

    Rules left out by `rules` are reported as not assessed ("not selected"). `evidence` bounds the masked
    records shown per finding; `seed` picks them (the same seed gives the same sample).
    """
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if not isinstance(as_of, dt.date):
        raise TypeError(f"as_of must be a date, got {as_of!r}")
    selected = set(CHECKS_BY_ID if rules is None else [get_check(r).id for r in rules])
    with sharing():
        results = _run_all(tables, policy, as_of, evidence, seed, selected)
    return Assessment(results, score(results), as_of, dataset, catalogue_version(), evidence,
                      policy or Policy())

