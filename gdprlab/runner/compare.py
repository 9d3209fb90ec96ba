"""Compare an assessment run with the previous run of the same dataset.

Runs live in folders `out/<dataset name>-<YYYY-MM-DD>` (the as-of date), with `-2`, `-3` … added when
the folder exists already (see `gdprlab.runner.batch`); each successful run holds the `findings.json` its
notebook wrote (keys metadata, scores, findings, passed, not_assessed; see `gdprlab.audit.report.to_dict`).
The previous run of a dataset is the latest earlier folder of the same name, ordered by as-of date and
then suffix, that holds a findings.json (a run that failed before writing it is skipped; one stopped by the
notebook's `fail_on` after writing it is not).

A finding is compared at two levels: the rule (`rule_id`) and the record (`rule_id` + `record_id`).

- **new**: violated now, passed in the previous run (for records: flagged now, not before, under a rule
  that was assessed both times);
- **resolved**: violated before, passed now (for records: flagged before, no longer flagged);
- **persisting**: violated in both runs (for records: flagged in both);
- **not comparable**: violated in one run while the rule was *not assessed* in the other (a table or
  column missing, a rule not selected). A rule that could not be checked is never counted as resolved,
  nor is a finding on a rule checked for the first time counted as new.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from gdprlab.crm.files import csv_text, write_atomic

CHANGES = ("new", "resolved", "persisting", "not_comparable")
FINDINGS_FILE = "findings.json"
RUN_FILE = "run.json"
COMPARISON_JSON = "comparison.json"
COMPARISON_CSV = "comparison.csv"
_DATE = r"(\d{4}-\d{2}-\d{2})"


# ----------------------------------------------------------------------------------------------------------
# run folders
# ----------------------------------------------------------------------------------------------------------

def safe_name(name: str) -> str:
    """A dataset name usable as a folder name: anything but letters, digits, `.`, `_`, `-` becomes `_`."""
    cleaned = re.sub(r"[^\w.-]+", "_", name).strip("._")
    return cleaned or "dataset"


def run_key(folder: str | Path, name: str) -> tuple[dt.date, int] | None:
    """(as-of date, suffix) of a run folder of dataset `name` (suffix 1 when there is none), else None."""
    match = re.fullmatch(re.escape(name) + "-" + _DATE + r"(?:-(\d+))?", Path(folder).name)
    if not match:
        return None
    try:
        day = dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None
    return day, int(match.group(2) or 1)


def runs_of(out: Path, name: str) -> list[Path]:
    """Every run folder of dataset `name` under `out`, oldest first."""
    if not Path(out).is_dir():
        return []
    found = [(key, path) for path in Path(out).iterdir() if path.is_dir() and (key := run_key(path, name))]
    return [path for _, path in sorted(found)]


def _has_findings(folder: Path) -> bool:
    """A run that wrote its findings (a run stopped by `fail_on` after writing them counts)."""
    return (folder / FINDINGS_FILE).is_file()


def previous_run(current: Path, name: str | None = None, out: Path | None = None) -> Path | None:
    """The latest run of the same dataset before `current` (a run folder) that has findings, or None.

    `name` defaults to the dataset name recorded in current/run.json, `out` to current's parent folder.
    """
    current = Path(current)
    out = Path(out) if out is not None else current.parent
    name = name or _recorded_name(current)
    key = run_key(current, name)
    if key is None:
        raise ValueError(f"{current.name!r} is not a run folder of dataset {name!r} (<name>-YYYY-MM-DD[-N])")
    earlier = [p for p in runs_of(out, name) if run_key(p, name) < key and _has_findings(p)]
    return earlier[-1] if earlier else None


def _recorded_name(folder: Path) -> str:
    try:
        return json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))["name"]
    except (OSError, ValueError, KeyError):
        raise ValueError(f"{folder}: no {RUN_FILE} naming the dataset; pass the dataset name") from None


# ----------------------------------------------------------------------------------------------------------
# comparison
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleChange:
    """How one rule's finding changed between two runs, with its records."""

    rule_id: str
    severity: str | None
    change: str
    previous_count: int
    current_count: int
    new_records: tuple[str, ...] = ()
    resolved_records: tuple[str, ...] = ()
    persisting_records: tuple[str, ...] = ()
    not_comparable_records: tuple[str, ...] = ()

    def records(self) -> dict[str, tuple[str, ...]]:
        return {"new": self.new_records, "resolved": self.resolved_records,
                "persisting": self.persisting_records, "not_comparable": self.not_comparable_records}

    def to_dict(self) -> dict:
        records = self.records()
        return {"rule_id": self.rule_id, "severity": self.severity, "change": self.change,
                "previous_count": self.previous_count, "current_count": self.current_count,
                **{f"{k}_records": len(v) for k, v in records.items()},
                **{f"{k}_record_ids": list(v) for k, v in records.items()}}


@dataclass(frozen=True)
class Comparison:
    """The findings of a run compared with those of an earlier run of the same dataset."""

    rules: tuple[RuleChange, ...]
    previous_score: float | None = None
    current_score: float | None = None
    previous_run: str | None = None
    current_run: str | None = None
    previous_as_of: str | None = None
    current_as_of: str | None = None
    notes: tuple[str, ...] = field(default=())

    def rules_with(self, change: str) -> list[str]:
        return [r.rule_id for r in self.rules if r.change == change]

    @property
    def summary(self) -> dict:
        """Counts of rules and of (rule, record) pairs per change, and the overall scores."""
        return {
            "rules": {c: sum(r.change == c for r in self.rules) for c in CHANGES},
            "records": {c: sum(len(r.records()[c]) for r in self.rules) for c in CHANGES},
            "score": {"previous": self.previous_score, "current": self.current_score,
                      "change": (None if (self.previous_score is None or self.current_score is None)
                                 else round(self.current_score - self.previous_score, 6))},
        }

    def to_dict(self) -> dict:
        return {"previous_run": self.previous_run, "current_run": self.current_run,
                "previous_as_of": self.previous_as_of, "current_as_of": self.current_as_of,
                "summary": self.summary, "notes": list(self.notes),
                "rules": [r.to_dict() for r in self.rules]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_csv(self) -> str:
        """One row per (rule, record): rule_id, severity, rule_change, record_id, record_change."""
        return csv_text(["rule_id", "severity", "rule_change", "record_id", "record_change"],
                        ((rule.rule_id, rule.severity, rule.change, record, change) for rule in self.rules
                         for change, ids in rule.records().items() for record in ids))


def _failed(doc: dict) -> dict[str, dict]:
    """rule_id -> finding, for the findings with at least one violating record."""
    found = {}
    for finding in doc.get("findings", []):
        violated = finding.get("count") or finding.get("record_ids")
        if finding.get("status", "failed") == "failed" and violated:
            found[str(finding["rule_id"])] = finding
    return found


def _assessed(doc: dict, failed: dict[str, dict]) -> set[str]:
    passed = {p if isinstance(p, str) else p.get("rule_id") for p in doc.get("passed", [])}
    return set(failed) | {str(p) for p in passed if p}


def _ids(finding: dict | None) -> list[str]:
    return [] if finding is None else [str(r) for r in finding.get("record_ids", [])]


def compare_findings(previous: dict, current: dict) -> Comparison:
    """Compare two findings documents (the `findings.json` of two runs); `previous` is the earlier."""
    old, new = _failed(previous), _failed(current)
    old_assessed, new_assessed = _assessed(previous, old), _assessed(current, new)
    notes = []
    changes = []
    for rule_id in list(new) + [r for r in old if r not in new]:
        before, now = old.get(rule_id), new.get(rule_id)
        ids_before, ids_now = _ids(before), _ids(now)
        severity = (now or before).get("severity")
        count_before = int(before.get("count", len(ids_before))) if before else 0
        count_now = int(now.get("count", len(ids_now))) if now else 0
        if before and now:
            seen = set(ids_before)
            kept = set(ids_now)
            changes.append(RuleChange(
                rule_id, severity, "persisting", count_before, count_now,
                new_records=tuple(r for r in ids_now if r not in seen),
                resolved_records=tuple(r for r in ids_before if r not in kept),
                persisting_records=tuple(r for r in ids_now if r in seen)))
        elif now and rule_id in old_assessed:
            changes.append(RuleChange(rule_id, severity, "new", 0, count_now, new_records=tuple(ids_now)))
        elif now:
            notes.append(f"{rule_id}: violated now but not assessed in the previous run")
            changes.append(RuleChange(rule_id, severity, "not_comparable", 0, count_now,
                                      not_comparable_records=tuple(ids_now)))
        elif rule_id in new_assessed:
            changes.append(RuleChange(rule_id, severity, "resolved", count_before, 0,
                                      resolved_records=tuple(ids_before)))
        else:
            notes.append(f"{rule_id}: violated in the previous run but not assessed now (not resolved)")
            changes.append(RuleChange(rule_id, severity, "not_comparable", count_before, 0,
                                      not_comparable_records=tuple(ids_before)))
    meta_old, meta_new = previous.get("metadata") or {}, current.get("metadata") or {}
    return Comparison(tuple(changes), _overall(previous), _overall(current),
                      previous_as_of=meta_old.get("as_of"), current_as_of=meta_new.get("as_of"),
                      notes=tuple(notes))


def _overall(doc: dict) -> float | None:
    value = (doc.get("scores") or {}).get("overall")
    return None if value is None else float(value)


def read_findings(folder: Path) -> dict:
    return json.loads((Path(folder) / FINDINGS_FILE).read_text(encoding="utf-8"))


def write_comparison(comparison: Comparison, folder: Path) -> tuple[Path, Path]:
    """Write comparison.json and comparison.csv into the run folder; return their paths."""
    folder = Path(folder)
    return (write_atomic(folder / COMPARISON_JSON, comparison.to_json()),
            write_atomic(folder / COMPARISON_CSV, comparison.to_csv()))


def compare_with_previous(current: Path, name: str | None = None, out: Path | None = None,
                          write: bool = True) -> Comparison | None:
    """Compare the run in `current` with the previous run of its dataset; None when there is none.

    Writes comparison.json/.csv into `current` unless `write` is false.
    """
    current = Path(current)
    before = previous_run(current, name, out)
    if before is None:
        return None
    found = compare_findings(read_findings(before), read_findings(current))
    found = Comparison(found.rules, found.previous_score, found.current_score, before.name, current.name,
                       found.previous_as_of, found.current_as_of, found.notes)
    if write:
        write_comparison(found, current)
    return found
