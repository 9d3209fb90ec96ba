"""An assessment as an aligned text table (default), JSON or CSV, and the `--fail-on SEVERITY` test.

* `to_table(a)`: one line per finding, most severe first, then the scores and what was not assessed;
  `evidence=True` adds the masked evidence under each finding.
* `to_json(a)`: an object with `metadata` (as-of date, dataset, rule catalogue version, …), `scores`,
  `findings` (failed rules, each with its record ids and masked evidence), `passed`, `not_assessed` and
  `caveats` (what each assessed rule, passed or failed, could not see); `with_files` adds the files of
  a CRM export (`files`) and the file each finding's records came from.
* `to_csv(a)`: one row per rule (`detail="findings"`, with its status, counts and masked evidence as JSON
  text) or one row per violating record (`detail="records"`). Every text cell that a spreadsheet could
  take for a formula is prefixed with a single quote (gdprlab.crm.files.safe_cell), and every cell is
  quoted, as OWASP recommends against CSV injection.

Only masked evidence ever reaches these outputs: the raw tables are not read here.
"""

from __future__ import annotations

import json

from gdprlab.audit.engine import Assessment, CheckResult
from gdprlab.audit.scoring import MIN_COVERAGE
from gdprlab.crm.exports import LoadReport
from gdprlab.crm.files import csv_text
from gdprlab.regulation.catalogue import CONCERNS, SEVERITIES

FORMATS = ("table", "json", "csv")
CSV_DETAILS = ("findings", "records")


# ----------------------------------------------------------------------------------------------------------
# fail-on
# ----------------------------------------------------------------------------------------------------------

def severity_rank(severity: str) -> int:
    """Index of a severity in gdprlab.regulation.catalogue.SEVERITIES (low 0 … critical 3); ValueError
    otherwise."""
    key = severity.strip().lower() if isinstance(severity, str) else severity
    if key not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}; choose one of {', '.join(SEVERITIES)}")
    return SEVERITIES.index(key)


def fail_on(assessment: Assessment, severity: str) -> bool:
    """True when a rule of at least `severity` failed: what `--fail-on SEVERITY` turns into exit code 1.

    Rules that were not assessed do not fail the run (they are reported as not assessed; see
    under_covered for a run that assessed too little).
    """
    threshold = severity_rank(severity)
    return any(severity_rank(r.check.severity) >= threshold for r in assessment.failed)


def under_covered(assessment: Assessment, min_coverage: float = MIN_COVERAGE) -> str | None:
    """Why the run assessed too little of the catalogue to pass `--fail-on` (None when it did not):
    less than `min_coverage` of the catalogue's weight was assessed."""
    s = assessment.scores
    if s.coverage >= min_coverage:
        return None
    return (f"coverage {100 * s.coverage:.0f} % of the catalogue's weight ({s.rules_assessed} of "
            f"{s.rules_total} rules assessed) is below the minimum of {100 * min_coverage:.0f} %")


def caveats(assessment: Assessment) -> list[dict]:
    """What each assessed rule, passed or failed, could not see: {rule_id, status, caveats}."""
    return [{"rule_id": r.rule_id, "status": r.status, "caveats": list(r.caveats)}
            for r in assessment.results if r.status != "not_assessed" and r.caveats]


# ----------------------------------------------------------------------------------------------------------
# text table
# ----------------------------------------------------------------------------------------------------------

def _rate(result: CheckResult) -> str:
    return "-" if result.rate is None else f"{100 * result.rate:.2f}%"


def _align(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in
                      enumerate(zip(row, widths, strict=True))).rstrip() for row in rows]


def _score(value: float | None) -> str:
    return "not assessed" if value is None else f"{value:.1f}"


def to_table(assessment: Assessment, evidence: bool = False) -> str:
    """Findings as an aligned text table, then scores and the rules not assessed."""
    a = assessment
    meta = a.metadata
    lines = [f"gdprlab assessment of {meta['dataset'] or '(tables)'} as of {meta['as_of']} "
             f"(rule catalogue {meta['rule_catalogue_version']}): {len(a.failed)} rule(s) failed, "
             f"{len(a.passed)} passed, {len(a.not_assessed)} not assessed", ""]
    if a.failed:
        header = ["SEVERITY", "RULE", "TABLE", "COUNT", "POPULATION", "RATE", "ARTICLES"]
        rows = [header] + [[r.check.severity, r.rule_id, r.check.table, f"{r.count:,}",
                            f"{r.population:,}" if r.population is not None else "-", _rate(r),
                            ", ".join(r.check.articles)] for r in a.failed]
        table = _align(rows, right={3, 4, 5})
        lines += table[:1] + ["-" * len(max(table, key=len))]
        for line, r in zip(table[1:], a.failed, strict=True):
            lines.append(line)
            if evidence:
                lines += [f"    {r.check.title}. {r.check.remediation}"]
                lines += ["    - " + ", ".join(f"{k}={v}" for k, v in e.items() if v is not None)
                          for e in r.evidence]
                lines += [f"    (caveat: {c})" for c in r.caveats]
    else:
        lines.append("No violations found in the rules assessed.")
    s = a.scores
    lines += ["", f"Scores (0-100, coverage {100 * s.coverage:.0f}% of the catalogue's weight): "
                  f"overall {s.headline}"]
    lines += _align([[f"  {c}", _score(s.by_concern.get(c))] for c in CONCERNS], right={1})
    noted = caveats(a)
    if noted:
        lines += ["", "Caveats (what an assessed rule could not see):"]
        lines += [f"  {n['rule_id']} ({n['status']}): {c}" for n in noted for c in n["caveats"]]
    if a.not_assessed:
        lines += ["", "Not assessed:"] + [f"  {n['rule_id']}: {n['reason']}" for n in a.not_assessed]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------------
# JSON
# ----------------------------------------------------------------------------------------------------------

def to_dict(assessment: Assessment) -> dict:
    """The JSON document as a dict: metadata, scores, findings, passed, not_assessed, caveats."""
    return {
        "metadata": assessment.metadata,
        "scores": assessment.scores.to_dict(),
        "findings": assessment.findings,
        "passed": assessment.passed,
        "not_assessed": assessment.not_assessed,
        "caveats": caveats(assessment),
    }


def to_json(assessment: Assessment, indent: int | None = 2) -> str:
    return json.dumps(to_dict(assessment), indent=indent, ensure_ascii=False) + "\n"


def with_files(text: str, load_report: LoadReport) -> str:
    """The JSON findings with the export's `files` (read, ignored, skipped or failed, with what was
    detected) and, on each finding and evidence record, the file its records came from."""
    data = json.loads(text)
    data["files"] = load_report.file_records()
    for finding in data.get("findings", []):
        sources = load_report.source_of(finding.get("table"), finding.get("record_ids") or [])
        if not sources:
            continue
        counts: dict[str, int] = {}
        for name in sources.values():
            counts[name] = counts.get(name, 0) + 1
        finding["source_files"] = counts
        for record in finding.get("evidence") or []:
            if record.get("record_id") in sources:
                record["source_file"] = sources[record["record_id"]]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------------------------------------------
# CSV
# ----------------------------------------------------------------------------------------------------------

def _write(header: list[str], rows: list[list[object]]) -> str:
    return csv_text(header, rows, quote_all=True)


FINDING_COLUMNS = ["rule_id", "title", "status", "severity", "concern", "articles", "table", "unit", "count",
                   "population", "rate", "evidence", "remediation", "reason"]
RECORD_COLUMNS = ["rule_id", "severity", "concern", "articles", "table", "record_id", "evidence"]


def to_csv(assessment: Assessment, detail: str = "findings") -> str:
    """One row per rule ("findings") or per violating record ("records"), injection-safe."""
    if detail not in CSV_DETAILS:
        raise ValueError(f"unknown CSV detail {detail!r}; choose one of {', '.join(CSV_DETAILS)}")
    results = assessment.failed + [r for r in assessment.results if r.status != "failed"]
    if detail == "findings":
        rows = [[r.rule_id, r.check.title, r.status, r.check.severity, r.check.concern,
                 "; ".join(r.check.articles), r.check.table, r.check.unit, r.count, r.population,
                 None if r.rate is None else round(r.rate, 6),
                 json.dumps(list(r.evidence), ensure_ascii=False) if r.evidence else None,
                 r.check.remediation, r.reason or "; ".join(r.caveats) or None] for r in results]
        return _write(FINDING_COLUMNS, rows)
    rows = []
    for r in assessment.failed:
        shown = {e["record_id"]: e for e in r.evidence}
        common = [r.rule_id, r.check.severity, r.check.concern, "; ".join(r.check.articles), r.check.table]
        for record_id in r.record_ids:
            e = shown.get(record_id)
            rows.append([*common, record_id, json.dumps(e, ensure_ascii=False) if e else None])
    return _write(RECORD_COLUMNS, rows)


def render(assessment: Assessment, fmt: str = "table", **options: object) -> str:
    """The assessment in one of FORMATS; options go to to_table (evidence) or to_csv (detail)."""
    if fmt == "table":
        return to_table(assessment, **options)  # type: ignore[arg-type]
    if fmt == "json":
        return to_json(assessment, **options)  # type: ignore[arg-type]
    if fmt == "csv":
        return to_csv(assessment, **options)  # type: ignore[arg-type]
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
