"""The logic behind the audit notebook (notebooks/crm_assessment.ipynb): parameters, inputs, summaries,
outputs.

The notebook's cells stay short and readable for an auditor; what they show is computed here, as plain
DataFrames that tests can check on tiny tables. Nothing here returns a raw personal value: scope and scan
summaries are counts and categories, findings carry the checks' masked evidence (gdprlab.audit.mask), and the
timing tables (request ages, breach delays, retention ages) hold record keys, statuses and durations.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gdprlab.audit.actions import (
    ACCEPTED_RISKS_FILE,
    Action,
    actions_csv,
    earlier_findings,
    load_accepted,
    track,
)
from gdprlab.audit.discovery.scan import ScanResult
from gdprlab.audit.engine import Assessment, CheckResult, run_checks
from gdprlab.audit.report import fail_on, render, under_covered, with_files
from gdprlab.audit.rules.minimisation import INTERACTIONS
from gdprlab.audit.summary import Scope, signoff_html, summary_html  # noqa: F401 (the notebook's)
from gdprlab.crm import dates
from gdprlab.crm.exports import LoadReport, load
from gdprlab.crm.files import write_atomic
from gdprlab.crm.io import DatasetInputs, resolve_inputs
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.catalogue import CONCERNS, RULES_BY_ID, SEVERITIES
from gdprlab.regulation.law import (
    EXTENDED_RESPONSE_MONTHS,
    RESPONSE_MONTHS,
    add_months,
    breach_notification_deadline,
    month_deadline,
)
from gdprlab.regulation.policy import Policy
from gdprlab.runner import parameters
from gdprlab.runner.parameters import Param, as_date, as_path, existing_file, existing_path

Tables = dict[str, pd.DataFrame]
OUTPUT_ROOT = Path("..") / "output"  # relative to the notebook's folder; git-ignored
#: the column that dates each table's records, for the period the data covers
TIME_COLUMNS: dict[str, str] = {
    "accounts": "created_at", "contacts": "created_at", "consents": "given_at", "activities": "occurred_at",
    "requests": "received_on", "breaches": "aware_at", "staff": "start_date", "training": "completed_on",
    "policies": "last_reviewed_on",
}
_DAYS_PER_MONTH = 365.25 / 12
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


class FindingsAboveThreshold(RuntimeError):
    """The run found a violation at or above `fail_on`: raised after the outputs are written."""


# ----------------------------------------------------------------------------------------------------------
# parameters (checked by gdprlab.runner.parameters before anything is read)
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditParams:
    """Validated, typed parameters: paths resolved, dates parsed, empty text turned into None."""

    dataset: Path
    organisation: str
    as_of: dt.date | None  # None: the dataset's as-of date, else today
    policy: Path | None  # None: the dataset's policy.yaml, else gdprlab's defaults
    mapping: Path | None
    date_order: str | None  # dmy or mdy for date columns that read both ways; None: such a column fails
    timezone: str  # IANA zone of times written without an offset
    output_dir: Path | None  # None: ../output/<dataset name>-<as-of>
    evidence: int
    top_actions: int
    rules: tuple[str, ...] | None  # None: every rule of the catalogue
    fail_on: str | None  # None: never fail on findings
    accepted_risks: Path | None  # None: accepted_risks.yaml beside the run folders, if there is one
    reviewer: str  # named in the sign-off block; empty: a blank line to sign


def parse_rules(text: str) -> tuple[str, ...] | None:
    """'' gives None (every rule); otherwise known rule ids, in the order given, else ValueError."""
    ids = tuple(dict.fromkeys(r.strip() for r in text.split(",") if r.strip()))
    if not ids:
        return None
    unknown = [r for r in ids if r not in RULES_BY_ID]
    if unknown:
        raise ValueError(f"unknown rule id(s) {', '.join(unknown)}; known: {', '.join(RULES_BY_ID)}")
    return ids


def parse_severity(text: str) -> str | None:
    """'' gives None; otherwise one of gdprlab.regulation.catalogue.SEVERITIES (any case), else ValueError."""
    key = text.strip().lower()
    if not key:
        return None
    if key not in SEVERITIES:
        raise ValueError(f"{text!r} is not a severity; choose one of {', '.join(SEVERITIES)}")
    return key


def parse_date_order(text: str) -> str | None:
    """'' gives None; otherwise dmy or mdy (gdprlab.crm.dates.ORDERS, any case), else ValueError."""
    key = text.strip().lower()
    if key and key not in dates.ORDERS:
        raise ValueError(f"{text!r}: choose dmy (day first) or mdy (month first)")
    return key or None


def _dataset(value: object, base: Path) -> Path:
    if not str(value).strip():
        raise ValueError("empty; pass a dataset folder or a CRM export file or folder")
    return existing_path(value, base)


#: the parameters cell of notebooks/crm_assessment.ipynb (a test keeps the two the same)
SPEC: tuple[Param, ...] = (
    Param("dataset", str, "../datasets/sample", "dataset folder or CRM export (folder or file)",
          convert=_dataset),
    Param("organisation", str, "Example GmbH", "controller named in the report"),
    Param("as_of", str, "", "assessment date YYYY-MM-DD; empty: the dataset's as-of date, else today",
          convert=as_date),
    Param("policy", str, "", "organisation policy YAML; empty: the dataset's policy.yaml, else defaults",
          convert=existing_file),
    Param("mapping", str, "", "export mapping YAML (tables, files, columns); empty: recognise headers",
          convert=existing_file),
    Param("date_order", str, "", "dmy or mdy: how to read dates that read both ways; empty: such a file "
          "is not read", convert=lambda value, base: parse_date_order(str(value))),
    Param("timezone", str, "UTC", "time zone of times written without an offset, e.g. Europe/Berlin",
          convert=lambda value, base: dates.check_timezone(str(value).strip())),
    Param("output_dir", str, "", "folder for findings.json and .csv; empty: ../output/<name>-<as-of>",
          convert=as_path),
    Param("evidence", int, 5, "masked evidence records shown per finding", minimum=0),
    Param("top_actions", int, 5, "number of actions listed in the action plan", minimum=0),
    Param("rules", str, "", "comma-separated rule ids to assess; empty: every rule",
          convert=lambda value, base: parse_rules(str(value))),
    Param("fail_on", str, "", "low, medium, high or critical: fail the run after writing the outputs",
          convert=lambda value, base: parse_severity(str(value))),
    Param("accepted_risks", str, "", "accepted-risks YAML; empty: accepted_risks.yaml beside the run folders",
          convert=existing_file),
    Param("reviewer", str, "", "reviewer named in the sign-off block"),
)


def validate(namespace: Mapping[str, object], names_before: Iterable[str], spec: Iterable[Param] = SPEC,
             base: str | Path | None = None) -> AuditParams:
    """The notebook's parameters as AuditParams, or one ParameterError listing every problem
    (gdprlab.runner.parameters.validate)."""
    return AuditParams(**parameters.validate(namespace, names_before, spec, base))  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------------------
# inputs
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Inputs(DatasetInputs):
    """What one audit run reads: the tables, and the as-of date, policy and mapping with where each came
    from (gdprlab.crm.io.resolve_inputs; shown to the auditor)."""

    tables: Tables
    load_report: LoadReport
    name: str
    output_dir: Path


def dataset_name(path: Path) -> str:
    """Folder name, or file stem for a single export file: names the default output folder."""
    return path.name if path.is_dir() else path.stem


def load_inputs(params: AuditParams, base: Path | None = None, today: dt.date | None = None) -> Inputs:
    """Settle the as-of date, policy and mapping, read the dataset or export, and name the output folder."""
    given = resolve_inputs(params.dataset, params.as_of, params.policy, params.mapping, today=today)
    tables, report = load(params.dataset, given.mapping, date_order=params.date_order,
                          timezone=params.timezone)
    name = dataset_name(params.dataset)
    default_out = (base or Path.cwd()) / OUTPUT_ROOT / f"{name}-{given.as_of.isoformat()}"
    out = params.output_dir or default_out.resolve()
    return Inputs(**vars(given), tables=tables, load_report=report, name=name, output_dir=out)


def assess(inputs: Inputs, params: AuditParams) -> Assessment:
    """Run the selected checks with the run's policy, as-of date and evidence bound."""
    return run_checks(inputs.tables, inputs.policy, inputs.as_of, evidence=params.evidence,
                      dataset=inputs.name, rules=params.rules)


# ----------------------------------------------------------------------------------------------------------
# scope
# ----------------------------------------------------------------------------------------------------------

def _span(df: pd.DataFrame, column: str | None) -> tuple[dt.date | None, dt.date | None]:
    if column is None or column not in df.columns or not pd.api.types.is_datetime64_any_dtype(df[column]):
        return None, None
    values = df[column].dropna()
    return (values.min().date(), values.max().date()) if len(values) else (None, None)


def _blocked(table: str, tables: Tables, assessment: Assessment | None) -> list[str]:
    """Rules not assessed because `table` is missing (required, or the last of its alternatives)."""
    if assessment is None or table in tables:
        return []

    def needs(r: CheckResult) -> bool:
        c = r.check
        return table in c.requires or (table in c.any_of and not any(t in tables for t in c.any_of))

    return [r.rule_id for r in assessment.results
            if r.status == "not_assessed" and r.reason != "not selected" and needs(r)]


def scope_summary(tables: Tables, assessment: Assessment | None = None) -> pd.DataFrame:
    """One row per schema table: present, rows, first and last record date, rules it left unassessed."""
    rows = []
    for name in TABLES:
        df = tables.get(name)
        first, last = _span(df, TIME_COLUMNS.get(name)) if df is not None else (None, None)
        blocked = ", ".join(_blocked(name, tables, assessment))
        rows.append({"table": name, "present": df is not None, "rows": None if df is None else len(df),
                     "first": first, "last": last, "rules not assessed": blocked})
    return pd.DataFrame(rows).set_index("table")


def period_covered(tables: Tables) -> tuple[dt.date | None, dt.date | None]:
    """Earliest and latest record date over every table (by TIME_COLUMNS); None when nothing is dated."""
    spans = [_span(df, TIME_COLUMNS.get(name)) for name, df in tables.items()]
    firsts = [f for f, _ in spans if f is not None]
    lasts = [last for _, last in spans if last is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def scope(params: AuditParams, inputs: Inputs, previous: dt.date | None = None) -> Scope:
    """What the assessment covered, for the report's first screen (gdprlab.audit.summary)."""
    report = inputs.load_report
    first, last = period_covered(inputs.tables)
    return Scope(organisation=params.organisation, dataset=inputs.name,
                 files=len(report.read) or len(report.files) or len(inputs.tables),
                 rows=sum(len(df) for df in inputs.tables.values()), first=first, last=last,
                 as_of=inputs.as_of, as_of_source=inputs.as_of_source, previous=previous)


@dataclass(frozen=True)
class Tracked:
    """The run's actions (gdprlab.audit.actions) and the as-of date of the run they are compared with."""

    actions: list[Action]
    previous: dt.date | None


def track_actions(assessment: Assessment, inputs: Inputs, params: AuditParams) -> Tracked:
    """The findings as actions with owner, due date and status against the earlier runs of the dataset
    (run folders beside the output folder) and the accepted risks (the `accepted_risks` parameter, else
    ACCEPTED_RISKS_FILE beside the run folders, if there is one)."""
    earlier = earlier_findings(inputs.output_dir, inputs.name)
    file = params.accepted_risks or Path(inputs.output_dir).parent / ACCEPTED_RISKS_FILE
    accepted = load_accepted(file) if params.accepted_risks or file.is_file() else {}
    previous = dt.date.fromisoformat(earlier[-1]["metadata"]["as_of"]) if earlier else None
    return Tracked(track(assessment, inputs.name, earlier, accepted, inputs.policy), previous)


def actions_frame(actions: Iterable[Action]) -> pd.DataFrame:
    """Every action as a table: id, what to do, severity, owner, due date, status and records."""
    rows = [{"id": a.id, "action": a.title, "severity": a.severity, "owner": a.owner.replace("_", " "),
             "due": "" if a.due is None else a.due.isoformat(), "status": a.status, "records": a.count,
             "accepted because": a.accepted_reason or "", "approved by": a.approver or ""} for a in actions]
    return pd.DataFrame(rows, columns=["id", "action", "severity", "owner", "due", "status", "records",
                                       "accepted because", "approved by"])


def not_assessed_frame(assessment: Assessment) -> pd.DataFrame:
    """Rules not assessed and why: they neither pass nor fail."""
    return pd.DataFrame(assessment.not_assessed, columns=["rule_id", "title", "reason"])


def caveats_frame(assessment: Assessment) -> pd.DataFrame:
    """One row per caveat of an assessed rule, passed or failed: what it could not see."""
    rows = [{"rule_id": r.rule_id, "status": r.status, "caveat": c}
            for r in assessment.results if r.status != "not_assessed" for c in r.caveats]
    return pd.DataFrame(rows, columns=["rule_id", "status", "caveat"])


# ----------------------------------------------------------------------------------------------------------
# where personal data lives
# ----------------------------------------------------------------------------------------------------------

def personal_columns(scan: ScanResult) -> pd.DataFrame:
    """Personal columns by table: category, Art. 9 / Art. 10 flag, confidence and the first reason."""
    rows = [{"table": c.table, "column": c.column, "category": c.category,
             "special": c.flag,
             "confidence": c.confidence, "why": c.reasons[0] if c.reasons else ""}
            for c in scan.columns if c.personal]
    return pd.DataFrame(rows, columns=["table", "column", "category", "special", "confidence", "why"])


def categories_summary(scan: ScanResult) -> pd.DataFrame:
    """Personal columns per category: how many and in which tables; special categories first."""
    df = personal_columns(scan)
    if df.empty:
        return pd.DataFrame(columns=["category", "special", "columns", "tables"])
    out = df.groupby("category").agg(special=("special", "max"), columns=("column", "size"),
                                      tables=("table", lambda t: ", ".join(sorted(set(t)))))
    return out.reset_index().sort_values(["special", "columns"], ascending=[False, False], ignore_index=True)


def free_text_summary(scan: ScanResult) -> pd.DataFrame:
    """Rows of each free-text column in which each kind of identifier or special-category term was found."""
    ft = scan.free_text
    if ft.empty:
        return pd.DataFrame()
    ft = ft.assign(where=ft["table"] + "." + ft["column"] + " (" + ft["rows_scanned"].map("{:,}".format)
                   + " rows scanned)")
    return ft.pivot_table(index="kind", columns="where", values="rows_with_kind", aggfunc="sum", fill_value=0)


# ----------------------------------------------------------------------------------------------------------
# findings, scores, actions
# ----------------------------------------------------------------------------------------------------------

def articles(result: CheckResult) -> str:
    return "Art. " + ", ".join(result.check.articles)


def findings_frame(assessment: Assessment) -> pd.DataFrame:
    """One row per failed rule, most severe then largest first."""
    rows = [{"severity": r.check.severity, "concern": r.check.concern, "rule": r.rule_id,
             "title": r.check.title, "articles": articles(r), "count": r.count, "population": r.population,
             "rate": r.rate, "remediation": r.check.remediation} for r in assessment.failed]
    return pd.DataFrame(rows, columns=["severity", "concern", "rule", "title", "articles", "count",
                                       "population", "rate", "remediation"])


def evidence_frame(result: CheckResult) -> pd.DataFrame:
    """The masked evidence of one finding, one row per sampled record."""
    return pd.DataFrame([dict(e) for e in result.evidence]).dropna(axis=1, how="all")


def findings_by_concern(assessment: Assessment) -> dict[str, list[CheckResult]]:
    """Failed results grouped by concern, in catalogue order of the concerns."""
    return {c: [r for r in assessment.failed if r.check.concern == c] for c in CONCERNS}


def concern_heading(assessment: Assessment, concern: str) -> str:
    """'Rights: 2 of 3 rules failed' or 'Rights: not assessed', never '0 findings' for unchecked rules."""
    results = [r for r in assessment.results if r.check.concern == concern]
    assessed = [r for r in results if r.status != "not_assessed"]
    name = concern.replace("_", " ").capitalize()
    if not assessed:
        return f"{name}: not assessed ({len(results)} rule(s), see Scope)"
    failed = sum(r.status == "failed" for r in assessed)
    skipped = f", {len(results) - len(assessed)} not assessed" if len(assessed) < len(results) else ""
    return f"{name}: {failed} of {len(assessed)} rule(s) assessed failed{skipped}"


def scores_frame(assessment: Assessment) -> pd.DataFrame:
    """Score per concern (None: not assessed) with rules assessed and failed, then the overall row."""
    s = assessment.scores
    rows = []
    for concern in CONCERNS:
        results = [r for r in assessment.results if r.check.concern == concern]
        rows.append({"concern": concern, "score": s.by_concern.get(concern),
                     "rules assessed": sum(r.status != "not_assessed" for r in results),
                     "rules failed": sum(r.status == "failed" for r in results), "rules": len(results)})
    rows.append({"concern": "overall", "score": s.overall,
                 "rules assessed": sum(r["rules assessed"] for r in rows),
                 "rules failed": sum(r["rules failed"] for r in rows), "rules": len(assessment.results)})
    return pd.DataFrame(rows).set_index("concern")


# ----------------------------------------------------------------------------------------------------------
# timing: requests, breaches, retention
# ----------------------------------------------------------------------------------------------------------

def _days(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy(dtype="datetime64[D]")


def request_ages(requests: pd.DataFrame, as_of: dt.date, policy: Policy | None = None) -> pd.DataFrame:
    """Per request with a receipt date: days taken (to the reply, or to as-of while open) and the outcome.

    The deadline is one calendar month from receipt (Art. 12(3), gdprlab.regulation.law.month_deadline: same
    date next month, moved off weekends and the public holidays of the policy's controller_country), three
    months when an extension was notified within the first month; a later notice does not extend it.
    `days_over` is the reply day minus the one-month deadline (positive: after it). `late` agrees with
    the request_overdue check, `notice_late` with extension_not_notified (a reply that is both is shown as
    "extension notified late").
    """
    place = (policy.controller_country, policy.controller_subdivision) if policy else (None, None)
    r = requests[requests["received_on"].notna()]
    received = _days(r["received_on"])
    replied = _days(r["responded_on"])
    day = np.where(np.isnat(replied), np.datetime64(as_of, "D"), replied)
    d1 = month_deadline(received, RESPONSE_MONTHS, *place)
    d3 = month_deadline(received, EXTENDED_RESPONSE_MONTHS, *place)
    notice = _days(r["extension_notified_on"])
    extended = ~np.isnat(notice) & (notice <= d1)
    notice_late = ~np.isnat(notice) & (notice > d1) & (day > d1) & (day <= d3)
    late = day > np.where(extended, d3, d1)
    is_open = np.isnat(replied)
    outcome = np.select([late & is_open, notice_late, late, is_open],
                        ["open, overdue", "extension notified late", "answered late", "open, in time"],
                        default="answered in time")
    return pd.DataFrame({
        "request_id": r["request_id"].to_numpy(), "type": r["type"].to_numpy(), "open": is_open,
        "days_taken": (day - received).astype(int), "days_allowed": (d1 - received).astype(int),
        "days_over": (day - d1).astype(int), "extended": extended, "late": late, "notice_late": notice_late,
        "outcome": outcome,
    })


def breach_delays(breaches: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Per breach: hours from awareness to notifying the authority (to as-of if never) and the outcome.

    Art. 33(1): within 72 hours of awareness, unless the breach is unlikely to result in a risk; a later
    notification must give the reasons for the delay. The hour of awareness is not counted (Reg. 1182/71
    Art. 3(1)): `late` compares with gdprlab.regulation.law.breach_notification_deadline.
    """
    b = breaches
    aware = pd.to_datetime(b["aware_at"])
    notified = pd.to_datetime(b["notified_authority_at"])
    end = notified.fillna(pd.Timestamp(as_of))
    hours = ((end - aware).dt.total_seconds() / 3600).to_numpy()
    reason = b["delay_reason"].fillna("").astype(str).str.strip().ne("").to_numpy()
    unlikely = b["risk"].eq("unlikely").fillna(False).to_numpy(dtype=bool)
    late = (end > breach_notification_deadline(aware)).to_numpy()
    done = notified.notna().to_numpy()
    outcome = np.select(
        [done & unlikely & late, done & ~late, done & late & reason, done & late, ~done & unlikely,
         ~done & ~late],
        ["notified voluntarily (risk unlikely)", "within 72 h", "late, reasons recorded", "late, no reasons",
         "not notified (risk unlikely)",
         "pending (within 72 h)"], default="not notified")
    return pd.DataFrame({"breach_id": b["breach_id"].to_numpy(), "risk": b["risk"].to_numpy(),
                         "notified": done, "hours": hours, "outcome": outcome})


def retention_ages(contacts: pd.DataFrame, policy: Policy, as_of: dt.date,
                   activities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per contact not erased with a retention period: months since the day its retention runs from, the
    limit, over or not.

    Counted as the retention_exceeded check counts (gdprlab.audit.rules.minimisation): from the later of
    the last interaction in `activities` (the creation without one, last_activity_at without either;
    last_activity_at without `activities`) and the end of the contract; a contact under an Art. 17(3) hold
    in force is not over. `over` uses calendar months (gdprlab.regulation.law.add_months); `months`
    (days / 30.44) is for charts only.
    """
    c = contacts
    if not {"status", "last_activity_at"} <= set(c.columns):  # an export without them: nothing to time
        return pd.DataFrame(columns=["status", "months", "limit_months", "over"])
    order = [c["last_activity_at"], c.get("created_at")]
    if activities is not None and {"contact_id", "type", "occurred_at"} <= set(activities.columns):
        talks = activities[activities["type"].isin(INTERACTIONS)]
        last = pd.Series(_days(talks["occurred_at"]), index=talks["contact_id"].to_numpy())
        last = last.groupby(level=0).max()
        order = [pd.Series(last.reindex(c["contact_id"].to_numpy()).to_numpy(), index=c.index),
                 c.get("created_at"), c["last_activity_at"]]
    since = np.full(len(c), np.datetime64("NaT"), dtype="datetime64[D]")
    for days in order:
        if days is not None:
            since = np.where(np.isnat(since), _days(days), since)
    if "contract_ended_on" in c.columns:
        since = np.fmax(since, _days(c["contract_ended_on"]))  # the later, a missing one ignored
    since = pd.Series(since, index=c.index)
    held = pd.Series(False, index=c.index)
    if {"retention_ground", "retention_until"} <= set(c.columns):
        held = (c["retention_ground"].fillna("").astype(str).str.strip().ne("")
                & (pd.Series(_days(c["retention_until"]), index=c.index) >= np.datetime64(as_of, "D")))
    limit = c["status"].map(policy.retention_months)
    keep = (c["status"] != "erased").fillna(True) & limit.notna() & since.notna()
    c, limit, held = c[keep], limit[keep].astype(int), held[keep].to_numpy(dtype=bool)
    last = since[keep].to_numpy(dtype="datetime64[D]")
    today = np.datetime64(as_of, "D")
    months = (today - last).astype(int) / _DAYS_PER_MONTH
    return pd.DataFrame({"status": c["status"].to_numpy(), "months": months, "limit_months": limit.to_numpy(),
                         "over": (add_months(last, limit.to_numpy(dtype=np.int64)) < today) & ~held})


def timing_summary(frame: pd.DataFrame, by: str, flag: str) -> pd.DataFrame:
    """Counts per group and how many carry `flag` (e.g. late, over): the table beside a chart."""
    if frame.empty:
        return pd.DataFrame(columns=[by, "records", flag, "share"])
    out = frame.groupby(by).agg(records=(flag, "size"), **{flag: (flag, "sum")}).reset_index()
    out["share"] = out[flag] / out["records"]
    return out


# ----------------------------------------------------------------------------------------------------------
# outputs
# ----------------------------------------------------------------------------------------------------------

def write_outputs(assessment: Assessment, folder: Path, files: LoadReport | None = None,
                  actions: Iterable[Action] | None = None) -> dict[str, Path]:
    """findings.json and findings.csv in `folder`, each written atomically.

    findings.json (gdprlab.audit.report.render) lists the export's `files` (read, skipped or failed:
    gdprlab assess exits 2 on a failed one) and the file each finding's records came from, as
    `gdprlab check --format json` does, and the `actions` (id, owner, due, status). findings.csv is one row
    per action, the columns a tracker imports (gdprlab.audit.actions.ACTION_COLUMNS); without actions, one
    row per rule as `gdprlab check --format csv` writes it."""
    text = render(assessment, "json")
    if files is not None and files.file_records():
        text = with_files(text, files)
    table = render(assessment, "csv")
    if actions is not None:
        actions = list(actions)
        data = json.loads(text)
        data["actions"] = [a.to_dict() for a in actions]
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        table = actions_csv(actions)
    return {"json": write_atomic(folder / "findings.json", text),
            "csv": write_atomic(folder / "findings.csv", table)}


def enforce_fail_on(assessment: Assessment, severity: str | None) -> None:
    """Raise FindingsAboveThreshold when a rule of at least `severity` failed, or when too little of the
    catalogue was assessed to tell (gdprlab.audit.report.under_covered): pipelines stop on it."""
    if severity and not fail_on(assessment, severity) and under_covered(assessment):
        raise FindingsAboveThreshold(f"fail_on {severity}: {under_covered(assessment)}")
    if severity and fail_on(assessment, severity):
        worst = [r.rule_id for r in assessment.failed if _RANK[r.check.severity] >= _RANK[severity]]
        raise FindingsAboveThreshold(f"{len(worst)} rule(s) of severity {severity} or higher failed: "
                                     f"{', '.join(worst)}")

