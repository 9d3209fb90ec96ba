"""The check engine: every rule of the catalogue run where the data is, into an Assessment.

A Check is a rule's implementation (gdprlab.audit.rules) with what an auditor reads of it (title,
articles, concern, severity, definition, remediation). `check.run(tables, policy, as_of)` gives a
CheckResult:

* status "passed" (no violating record), "failed", or "not_assessed" with the reason
  ("table requests missing", "column measures missing from table breaches") - a missing table or column
  never raises;
* caveats, on a passed result as on a failed one: what the rule could not see (an optional table or
  column absent, records it could not judge, e.g. "phone numbers not assessable");
* the violating record ids (column names for column rules), their count and the population (how many
  records the rule examined, so that count / population is a meaningful rate);
* masked evidence (gdprlab.audit.evidence) for a bounded, seeded sample of the violating records: the
  sample is picked by the engine (the records whose md5(seed, rule, id) sort first) and only those rows
  are fetched and masked in Python.

A finder whose remaining work is Python's alone, on rows it has read (the text scanner of
identifier_in_free_text), may hand that work to a background thread (Tables.later): run_checks goes on
with the next rules meanwhile and finishes that rule once they have run, in its place among the results.

Tables are Ibis tables on one backend (`gdprlab.crm.backends.connect`: DuckDB by default, PySpark or a
warehouse), or pandas DataFrames, which are handed to an embedded DuckDB. With `findings_table`, the
record ids stay in the engine, in a table of (run_id, rule_id, record_id), and results carry counts,
rates and evidence only: the way to run a check of tens of millions of records.

    >>> from gdprlab.crm.io import read_dataset, read_policy, read_as_of
    >>> folder = "datasets/sample"
    >>> a = run_checks(read_dataset(folder), read_policy(folder), read_as_of(folder), dataset=folder)
    >>> a.scores.overall, [f["rule_id"] for f in a.findings][:2]
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import ibis
import ibis.common.exceptions as ibis_errors
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow.compute as pc

import gdprlab
from gdprlab.audit.evidence import DEFAULT_EVIDENCE, NAME_FIELDS, Evidence, show
from gdprlab.audit.rules.base import DoesNotApply, Implementation, Later, NotPortable, Tables, key_in, key_of
from gdprlab.audit.rules.registry import IMPLEMENTED
from gdprlab.audit.scoring import Scores, score
from gdprlab.crm.backends import connect
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.catalogue import RULES, SEVERITIES
from gdprlab.regulation.policy import Policy

STATUSES = ("passed", "failed", "not_assessed")
_MISSING = (KeyError, AttributeError, ibis_errors.IbisTypeError, ibis_errors.IbisError)

__all__ = ["CHECKS", "CHECKS_BY_ID", "DEFAULT_EVIDENCE", "STATUSES", "Assessment", "Check", "CheckResult",
           "catalogue_version", "find_violations", "get_check", "open_tables", "run_checks", "show",
           "violating_ids"]


# ----------------------------------------------------------------------------------------------------------
# the tables a run works on
# ----------------------------------------------------------------------------------------------------------

def open_tables(tables: Mapping[str, Any] | Tables, backend: Any = None) -> tuple[Tables, bool]:
    """`tables` as a Tables of one backend, and whether this call opened that backend (and must close it).

    pandas DataFrames are given to an embedded DuckDB (or to `backend`) as in-memory tables; Ibis tables
    are used where they are.
    """
    if isinstance(tables, Tables):
        return tables, False
    frames = {name: df for name, df in tables.items() if isinstance(df, pd.DataFrame)}
    exprs = {name: df for name, df in tables.items() if isinstance(df, ir.Table)}
    opened = False
    if backend is None and exprs:
        backend = next(iter(exprs.values()))._find_backend(use_default=True)
    if backend is None:
        backend, opened = connect("duckdb"), True
    exprs.update({name: ibis.memtable(_typed(df, name)) for name, df in frames.items()})
    return Tables(exprs, backend), opened


#: pandas dtypes for a column of nothing but missing values, which Ibis cannot type by itself
_EMPTY_DTYPES = {"str": "string", "int": "Int64", "bool": "boolean", "date": "datetime64[us]",
                 "datetime": "datetime64[us]"}


def _typed(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """df with each all-missing untyped column typed by the schema (text when the schema does not know it)."""
    schema = TABLES.get(name)
    known = {c.name: c.dtype for c in schema.columns} if schema else {}
    empty = [col for col in df.columns if df[col].dtype == object and df[col].isna().all()]
    if not empty:
        return df
    return df.assign(**{col: df[col].astype(_EMPTY_DTYPES[known.get(col, "str")]) for col in empty})


def _close(t: Tables, opened: bool) -> None:
    t.release()
    if opened:
        t.backend.disconnect()


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
    caveats: tuple[str, ...] = ()  # what a rule run on fewer tables or columns could not see
    seconds: float = 0.0
    found: int | None = None  # the count, when the ids stayed in the engine's findings table
    findings_table: str | None = None

    @property
    def rule_id(self) -> str:
        return self.check.id

    @property
    def count(self) -> int:
        return len(self.record_ids) if self.found is None else self.found

    @property
    def rate(self) -> float | None:
        """Violating share of the population (None when not assessed or nothing was examined)."""
        if self.status == "not_assessed" or not self.population:
            return None
        return self.count / self.population

    def to_dict(self) -> dict:
        """The result as a finding: everything an auditor reads, evidence masked, JSON-ready."""
        c = self.check
        out = {
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
        if self.findings_table:
            out["record_ids_in"] = self.findings_table
        return out


@dataclass(frozen=True)
class Check:
    """One rule of the catalogue, runnable: `check.run(tables, policy, as_of) -> CheckResult`."""

    implementation: Implementation = field(repr=False)

    id = property(lambda self: self.implementation.rule.id)
    title = property(lambda self: self.implementation.rule.title)
    articles = property(lambda self: self.implementation.rule.articles)
    concern = property(lambda self: self.implementation.rule.concern)
    severity = property(lambda self: self.implementation.rule.severity)
    description = property(lambda self: self.implementation.rule.definition)
    remediation = property(lambda self: self.implementation.rule.remediation)
    table = property(lambda self: self.implementation.rule.table)
    unit = property(lambda self: self.implementation.rule.unit)
    requires = property(lambda self: self.implementation.tables)
    any_of = property(lambda self: self.implementation.any_of)
    optional = property(lambda self: tuple(self.implementation.optional))
    population_of = property(lambda self: self.implementation.population_of)
    evidence_fields = property(lambda self: self.implementation.evidence)

    def missing(self, tables: Mapping[str, Any]) -> str | None:
        """Why the check cannot run on these tables, or None when it can."""
        absent = [name for name in self.requires if name not in tables]
        if absent:
            return f"table{'s' if len(absent) > 1 else ''} {', '.join(absent)} missing"
        if self.any_of and not any(name in tables for name in self.any_of):
            return f"tables {' and '.join(self.any_of)} both missing (at least one is needed)"
        return None

    def run(self, tables: Mapping[str, Any] | Tables, policy: Policy | None, as_of: dt.date,
            evidence: int = DEFAULT_EVIDENCE, seed: int = 0, *, findings_table: str | None = None,
            run_id: str | None = None) -> CheckResult:
        """Find the violating records, count the population and mask evidence for a sample of them."""
        reason = self.missing(tables)
        if reason is not None:
            return CheckResult(self, "not_assessed", reason=reason)
        t, opened = open_tables(tables)
        try:
            found = self._find(t, policy or Policy(), as_of, evidence, seed, findings_table, run_id)
            if isinstance(found, _Pending):
                found = found.resolve(self, t)
            return found.shown(self._evidence(t, found.sample)) if isinstance(found, _Found) else found
        finally:
            _close(t, opened)

    def _find(self, t: Tables, policy: Policy, as_of: dt.date, evidence: int, seed: int,
              findings_table: str | None, run_id: str | None) -> _Found | CheckResult | _Pending:
        """The result without its evidence, and the ids to show it for; or the not-assessed result; or,
        for a finder whose work goes on in the background (Tables.later), what to finish once it is over."""
        start = time.perf_counter()
        impl = self.implementation
        begun = self._assessed(t, lambda: (impl.finder(t, policy, as_of),
                                           _population(t, impl.count_population(t))))
        if isinstance(begun, CheckResult):
            return begun
        ids, population = begun
        finish = functools.partial(self._found, t, population=population, evidence=evidence, seed=seed,
                                   findings_table=findings_table, run_id=run_id)
        if isinstance(ids, Later):
            return _Pending(ids, finish, time.perf_counter() - start)
        return finish(ids, start=start)

    def _found(self, t: Tables, ids: ir.Table, *, population: int, evidence: int, seed: int,
               findings_table: str | None, run_id: str | None, start: float,
               elsewhere: float = 0.0) -> _Found | CheckResult:
        """_find's result from the finder's ids: `elsewhere`, seconds of the rule's work not timed from
        `start` (done in the background)."""
        impl = self.implementation

        def counted() -> tuple[tuple[str, ...], list[str], int | None, tuple[str, ...]]:
            if findings_table:
                kept = t.materialise(ids, f"ids_{self.id}")  # computed once, read thrice
                found = _store(t, kept, findings_table, run_id or "", self.id)
                sample = _sample(t, kept, found, evidence, seed, self.id)
                t.drop(kept)  # stored: its memory is given back now, not at the end of the run
                record_ids: tuple[str, ...] = ()
            else:  # the ids are read anyway: with their sampling key, the sample needs no query of its own
                record_ids, sample = _ids_and_sample(t, ids, evidence, seed, self.id)
                found = None
            return record_ids, sample, found, tuple(impl.caveats(t)) if impl.caveats is not None else ()

        done = self._assessed(t, counted)
        if isinstance(done, CheckResult):
            return done
        record_ids, sample, found, found_caveats = done
        count = len(record_ids) if found is None else found
        caveats = tuple(text for name, text in impl.optional.items() if name not in t)
        columns = set(t.columns(self.table))
        caveats += tuple(dict.fromkeys(text for col, text in impl.optional_columns.items()
                                       if col not in columns))
        caveats += found_caveats
        result = CheckResult(self, "failed" if count else "passed", record_ids, population, (),
                             caveats=caveats, seconds=time.perf_counter() - start + elsewhere, found=found,
                             findings_table=findings_table)
        return _Found(result, sample)

    def _assessed(self, t: Tables, work: Callable[[], Any]) -> Any:
        """work(), or the not-assessed result it leads to: a rule this engine cannot run, one whose article
        the policy puts the organisation outside of, a table or column missing."""
        try:
            return work()
        except (NotPortable, DoesNotApply) as exc:
            return CheckResult(self, "not_assessed", reason=str(exc))
        except _MISSING as exc:
            reason = _missing_column(exc, t, (*self.requires, *self.implementation.optional))
            if reason is None:
                raise
            return CheckResult(self, "not_assessed", reason=reason)

    def _evidence(self, t: Tables, sample: list[str], rows: pd.DataFrame | None = None) -> list[Evidence]:
        """Masked fields of the sampled records (only their rows are read from the engine, unless `rows`,
        indexed by the table's key as text, holds them already)."""
        if not sample:
            return []
        if self.unit == "column":
            return _column_evidence(t, sample)
        if rows is None:
            rows = _rows(t, self.table, sample, self.implementation.evidence_reads)
        rows = rows.reindex(sample)
        extra = self.implementation.extra_evidence
        more = extra(t, rows) if extra is not None else {}
        out = []
        name_fields = [c for c in NAME_FIELDS if c in rows.columns]
        for record_id in sample:
            item: Evidence = {"record_id": record_id}
            names = [rows.at[record_id, c] for c in name_fields]
            for col in self.evidence_fields:
                if col in rows.columns:
                    item[col] = show(rows.at[record_id, col], self.table, col, names)
            item.update(more.get(record_id, {}))
            out.append(item)
        return out


@dataclass(frozen=True)
class _Pending:
    """A check whose finder's work goes on in the background: finish(ids, start=..., elsewhere=...) once the
    work is over gives its _Found or CheckResult."""

    later: Later
    finish: Callable[..., _Found | CheckResult]
    seconds: float  # the rule's time before the work went to the background

    def resolve(self, check: Check, t: Tables) -> _Found | CheckResult:
        start = time.perf_counter()
        done = check._assessed(t, self.later.result)
        if isinstance(done, CheckResult):
            return done
        ids, worked = done
        return self.finish(ids, start=start, elsewhere=self.seconds + worked)


@dataclass(frozen=True)
class _Found:
    """A check's result before its evidence, and the sampled ids the evidence is shown for."""

    result: CheckResult
    sample: list[str]

    def shown(self, evidence: list[Evidence]) -> CheckResult:
        return replace(self.result, evidence=tuple(evidence))


def _rows(t: Tables, name: str, ids: Iterable[str], columns: Iterable[str] | None = None) -> pd.DataFrame:
    """The rows of table `name` whose key is one of `ids`, indexed by the key as text (one read): their
    key, names and `columns` (those the table has), or every column when `columns` is None."""
    table = t[name]
    key = key_of(name)
    if columns is not None:
        wanted = {key, *NAME_FIELDS, *columns}
        table = table.select(*(c for c in table.columns if c in wanted))
    rows = t.fetch(table.filter(key_in(table[key], sorted(set(ids)))))
    return rows.assign(**{key: rows[key].astype(str)}).drop_duplicates(key).set_index(key)


def _with_evidence(t: Tables, found: list[_Found | CheckResult]) -> list[CheckResult]:
    """Each result with its masked evidence; the sampled rows of each table are read once for all rules,
    only the columns their evidence reads."""
    wanted: dict[str, set[str]] = {}
    columns: dict[str, set[str] | None] = {}
    for f in found:
        if isinstance(f, _Found) and f.sample and f.result.check.unit != "column":
            table, reads = f.result.check.table, f.result.check.implementation.evidence_reads
            wanted.setdefault(table, set()).update(f.sample)
            known = columns.setdefault(table, set())
            columns[table] = None if known is None or reads is None else known | reads
    rows = {name: _rows(t, name, ids, columns[name]) for name, ids in wanted.items()}
    out = []
    for f in found:
        if not isinstance(f, _Found):
            out.append(f)
            continue
        start = time.perf_counter()
        check = f.result.check
        shown = f.shown(check._evidence(t, f.sample, rows.get(check.table)))
        out.append(replace(shown, seconds=shown.seconds + time.perf_counter() - start))
    return out


def _population(t: Tables, count: Any) -> int:
    """A rule's population, counted once per run for every rule whose count is the same expression (the
    marketing rules share the sends they judge)."""
    if isinstance(count, int | np.integer):
        return int(count)
    return t.shared(("population", count.op()), lambda: _value(t, count))  # an expression's node: its key


def _value(t: Tables, count: Any) -> int:
    return int(count if isinstance(count, int | np.integer) else t.fetch(count))


def _store(t: Tables, ids: ir.Table, table: str, run_id: str, rule_id: str) -> int:
    """Append the rule's ids to the engine's findings table (created on first use); their count."""
    rows = ids.select(run_id=ibis.literal(run_id), rule_id=ibis.literal(rule_id), record_id=ids["record_id"])
    try:
        stored = t.backend.table(table)
    except ibis_errors.TableNotFound:
        stored = t.backend.create_table(table, rows)
    else:
        t.backend.insert(table, rows)
    return _value(t, stored.filter((stored["run_id"] == run_id) & (stored["rule_id"] == rule_id)).count())


def _pick(ids: ir.Table, seed: int, rule_id: str) -> ir.StringValue:
    """The key that picks the evidence sample: md5(seed:rule:id), computed by the engine."""
    return (ibis.literal(f"{seed}:{rule_id}:") + ids["record_id"]).hexdigest("md5")


def _ids_and_sample(t: Tables, ids: ir.Table, n: int, seed: int,
                    rule_id: str) -> tuple[tuple[str, ...], list[str]]:
    """Every id, sorted, and the sample _sample would pick, from one read of the ids with their key.

    Sorted in Arrow (UTF-8 bytes sort as Python sorts code points) and turned into Python text once: a
    rule may find hundreds of thousands of records.
    """
    picks = t.arrow(ids.select(record_id=ids["record_id"].cast("string"), _pick=_pick(ids, seed, rule_id)))
    record_ids = tuple(picks["record_id"].take(pc.sort_indices(picks["record_id"])).to_pylist())
    first = picks.take(pc.sort_indices(picks, [("_pick", "ascending"), ("record_id", "ascending")]))
    return record_ids, sorted(first["record_id"].slice(0, max(n, 0)).to_pylist())


def _sample(t: Tables, ids: ir.Table, count: int, n: int, seed: int, rule_id: str) -> list[str]:
    """At most n ids, picked by the engine: those whose _pick sorts first (then by id); returned sorted."""
    if n <= 0 or not count:
        return []
    picked = ids.mutate(_pick=_pick(ids, seed, rule_id)).order_by(["_pick", "record_id"]).limit(n)
    return sorted(map(str, t.fetch(picked.select("record_id"))["record_id"]))


def _column_evidence(t: Tables, columns: list[str]) -> list[Evidence]:
    contacts = t["contacts"]
    ropa = t["record_of_processing"]
    ropa = t.fetch(ropa.filter(ropa["table_name"] == "contacts")).drop_duplicates("column_name")
    ropa = ropa.set_index("column_name")
    present = [col for col in columns if col in t.columns("contacts")]
    # one scan for every column: how many values it holds, and its least value as the example
    stats = t.fetch(contacts.aggregate(**{f"n{i}": contacts[col].count() for i, col in enumerate(present)},
                                       **{f"e{i}": contacts[col].min() for i, col in enumerate(present)})
                    ) if present else None
    out = []
    for col in columns:
        filled, example = 0, None
        if col in present:
            i = present.index(col)
            filled, example = int(stats[f"n{i}"].iloc[0]), stats[f"e{i}"].iloc[0]
        item: Evidence = {"record_id": col, "non_empty_values": str(filled),
                          "example": show(example, "contacts", col) if filled else None}
        if col in ropa.index:
            item["purpose"] = show(ropa.at[col, "purpose"], "record_of_processing", "purpose")
        else:
            item["in_record_of_processing"] = "no"
        out.append(item)
    return out


def _missing_column(exc: Exception, t: Tables, names: Iterable[str]) -> str | None:
    """'column X missing from table T' when the error names a schema column absent from a table used."""
    text = str(exc.args[0]) if exc.args else str(exc)
    for name in dict.fromkeys(names):
        if name in t and name in TABLES:
            present = set(t.columns(name))
            absent = [c for c in TABLES[name].column_names if c not in present]
            named = [c for c in absent if c == text or f"'{c}'" in text or f"{c!r}" in text
                     or f"`{c}`" in text or f" {c} " in f" {text} "]
            if named:
                return f"column {named[0]} missing from table {name}"
    return None


CHECKS: tuple[Check, ...] = tuple(Check(impl) for impl in IMPLEMENTED)
CHECKS_BY_ID: dict[str, Check] = {c.id: c for c in CHECKS}


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


def violating_ids(rule_id: str, tables: Mapping[str, Any], policy: Policy | None,
                  as_of: dt.date) -> list[str]:
    """The ids of the records violating one rule, sorted (for exercises and tests): no evidence, no count."""
    check = get_check(rule_id)
    t, opened = open_tables(tables)
    try:
        ids = check.implementation.finder(t, policy or Policy(), as_of)
        return sorted(map(str, t.fetch(ids.select("record_id"))["record_id"]))
    finally:
        _close(t, opened)


def find_violations(tables: Mapping[str, Any], policy: Policy | None, as_of: dt.date) -> pd.DataFrame:
    """All findings as (rule_id, table, record_id), sorted like a ground truth; skips rules lacking tables."""
    found = run_checks(tables, policy, as_of, evidence=0).violations()
    return found.sort_values(["rule_id", "table", "record_id"], kind="stable").reset_index(drop=True)


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
    engine: str = "duckdb"
    run_id: str | None = None

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
        out = {"as_of": self.as_of.isoformat(), "dataset": self.dataset,
               "rule_catalogue_version": self.catalogue_version, "gdprlab_version": gdprlab.__version__,
               "evidence_per_finding": self.evidence_limit,
               "rules_assessed": sum(r.status != "not_assessed" for r in self.results),
               "rules_total": len(self.results), "engine": self.engine}
        if self.run_id:
            out["run_id"] = self.run_id
        return out

    def violations(self) -> pd.DataFrame:
        """All violating records as (rule_id, table, record_id), like a dataset's ground_truth.csv."""
        parts = [pd.DataFrame({"rule_id": r.rule_id, "table": r.check.table, "record_id": list(r.record_ids)},
                              dtype=object) for r in self.results if r.record_ids]
        if not parts:
            return pd.DataFrame({"rule_id": [], "table": [], "record_id": []}, dtype=object)
        return pd.concat(parts, ignore_index=True)


def run_checks(tables: Mapping[str, Any] | Tables, policy: Policy | None, as_of: dt.date,
               evidence: int = DEFAULT_EVIDENCE, *, dataset: str | None = None,
               rules: Iterable[str] | None = None, seed: int = 0, backend: Any = None,
               findings_table: str | None = None) -> Assessment:
    """Run every check (or only `rules`) and score the results.

    Rules left out by `rules` are reported as not assessed ("not selected"). `evidence` bounds the masked
    records shown per finding; `seed` picks them (the same seed gives the same sample). With
    `findings_table`, record ids are written to that table of the engine under a new run id instead of
    being returned.
    """
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if not isinstance(as_of, dt.date):
        raise TypeError(f"as_of must be a date, got {as_of!r}")
    selected = set(CHECKS_BY_ID if rules is None else [get_check(r).id for r in rules])
    policy = policy or Policy()
    run_id = uuid.uuid4().hex if findings_table else None
    t, opened = open_tables(tables, backend)
    deferring, t.deferring = t.deferring, True  # finders may work in the background (Tables.later)
    try:
        results = []
        remaining = [c.id for c in CHECKS if c.id in selected]
        pending: list[str] = []  # rules finished after the others: what their finders shared is kept
        for check in CHECKS:
            if check.id not in selected:
                results.append(CheckResult(check, "not_assessed", reason="not selected"))
                continue
            remaining.remove(check.id)
            reason = check.missing(t)
            if reason is not None:
                results.append(CheckResult(check, "not_assessed", reason=reason))
                continue
            results.append(check._find(t, policy, as_of, evidence, seed, findings_table, run_id))
            if isinstance(results[-1], _Pending):
                pending.append(check.id)
            t.finished(remaining + pending)  # what only the rules run so far read is given back
        results = [r.resolve(check, t) if isinstance(r, _Pending) else r
                   for check, r in zip(CHECKS, results, strict=True)]
        results = _with_evidence(t, results)
        engine = t.backend_name
    finally:
        t.deferring = deferring
        _close(t, opened)
    return Assessment(tuple(results), score(results), as_of, dataset, catalogue_version(), evidence, policy,
                      engine, run_id)
