"""Findings as actions an auditor tracks: a stable id, an owner, a due date and a status across runs.

* **id**: `<dataset>:<rule>` (the dataset's name as its run folders carry it,
  gdprlab.runner.compare.safe_name), the same in every run of that dataset, so a tracker that imports
  findings.csv updates its ticket.
* **owner**: the role the policy names for the rule's concern (Policy.owners, DEFAULT_OWNERS by default).
* **due**: first seen + the policy's days for the severity (Policy.due_days: critical 7, high 30, …); a
  finding still open keeps the due date it got when it was first seen.
* **status**, against the earlier runs of the same dataset (their findings.json):
  `new` (failing now, never before), `open` (failing now and in the previous run), `regressed` (failing
  now, passed in the previous run, failing in an earlier one), `resolved` (failing in the previous run,
  assessed and passed now) and `accepted risk` (failing now, and listed in the accepted-risks YAML with
  its reason and approver). A rule not assessed now is never resolved.

The accepted-risks file is a YAML list the auditor edits (ACCEPTED_RISKS_FILE beside the run folders, or
the notebook's `accepted_risks` parameter); each entry names an `id` (or a `rule`, for every dataset), a
`reason`, an `approver`, the date `accepted_on` and optionally `until` (after it the risk counts again).
A mistake stops the run with the file, line and field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from gdprlab.crm.files import csv_text
from gdprlab.regulation.catalogue import RULES_BY_ID, SEVERITIES
from gdprlab.regulation.policy import Policy, yaml_problem
from gdprlab.runner.compare import FINDINGS_FILE, run_key, runs_of, safe_name

STATUSES = ("new", "open", "regressed", "accepted risk", "resolved")
ACCEPTED_RISKS_FILE = "accepted_risks.yaml"
#: the columns of findings.csv, the file a tracker imports (one row per action)
ACTION_COLUMNS = ("id", "rule", "title", "articles", "severity", "concern", "owner", "due", "status", "count",
                  "population", "first_seen", "remediation", "accepted_reason", "approver")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_ENTRY_FIELDS = {"id", "rule", "reason", "approver", "accepted_on", "until"}


class AcceptedRiskError(ValueError):
    """An accepted-risks file that cannot be used: the message names the file, line and field."""


@dataclass(frozen=True)
class Acceptance:
    """One accepted risk: who accepted it, when, why and until when."""

    key: str  # an action id, or a rule id for every dataset
    reason: str
    approver: str
    accepted_on: dt.date
    until: dt.date | None = None


@dataclass(frozen=True)
class Action:
    """One finding (or one resolved since the previous run) as a tracker's ticket."""

    id: str
    rule: str
    title: str
    articles: str
    severity: str
    concern: str
    owner: str
    due: dt.date | None  # None once resolved
    status: str
    count: int
    population: int | None
    first_seen: dt.date
    remediation: str
    accepted_reason: str | None = None
    approver: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["due"] = None if self.due is None else self.due.isoformat()
        data["first_seen"] = self.first_seen.isoformat()
        return data


def action_id(dataset: str, rule_id: str) -> str:
    return f"{safe_name(dataset)}:{rule_id}"


# ----------------------------------------------------------------------------------------------------------
# accepted risks
# ----------------------------------------------------------------------------------------------------------

def _date(node: yaml.Node, where: str) -> dt.date:
    value = node.value if isinstance(node, yaml.ScalarNode) else None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise AcceptedRiskError(f"{where}: expected a date YYYY-MM-DD, got {value!r}") from None


def load_accepted(path: str | Path) -> dict[str, Acceptance]:
    """The accepted risks of a YAML file by id (or rule), or AcceptedRiskError naming file, line and field."""
    path = Path(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AcceptedRiskError(f"{path}: accepted-risks file not found") from None
    except yaml.YAMLError as exc:
        raise AcceptedRiskError(f"{path}: not valid YAML ({yaml_problem(exc)})") from None
    if root is None:
        return {}
    if not isinstance(root, yaml.SequenceNode):
        raise AcceptedRiskError(f"{path}:{root.start_mark.line + 1}: expected a list of accepted risks "
                                "(- id: …, reason: …, approver: …, accepted_on: YYYY-MM-DD)")
    found: dict[str, Acceptance] = {}
    for entry in root.value:
        line = f"{path}:{entry.start_mark.line + 1}"
        if not isinstance(entry, yaml.MappingNode):
            raise AcceptedRiskError(f"{line}: expected a mapping with id, reason, approver, accepted_on")
        nodes = {k.value: (v, f"{path}:{k.start_mark.line + 1}: {k.value}") for k, v in entry.value}
        unknown = sorted(set(nodes) - _ENTRY_FIELDS)
        if unknown:
            raise AcceptedRiskError(f"{nodes[unknown[0]][1]}: unknown field; fields: "
                                    f"{', '.join(sorted(_ENTRY_FIELDS))}")
        if ("id" in nodes) == ("rule" in nodes):
            raise AcceptedRiskError(f"{line}: give either id (dataset:rule) or rule (every dataset), "
                                    "one of them")
        key_field = "id" if "id" in nodes else "rule"
        key = str(nodes[key_field][0].value).strip()
        rule = key.rsplit(":", 1)[-1]
        if rule not in RULES_BY_ID:
            raise AcceptedRiskError(f"{nodes[key_field][1]}: {rule!r} is not a rule id (gdprlab rules)")
        text = {}
        for name in ("reason", "approver"):
            node = nodes.get(name, (None, f"{line}: {name}"))[0]
            value = node.value if isinstance(node, yaml.ScalarNode) else None
            if not isinstance(value, str) or not value.strip():
                raise AcceptedRiskError(f"{nodes.get(name, (None, f'{line}: {name}'))[1]}: required, as text")
            text[name] = value.strip()
        if "accepted_on" not in nodes:
            raise AcceptedRiskError(f"{line}: accepted_on: required, a date YYYY-MM-DD")
        accepted_on = _date(*nodes["accepted_on"])
        until = _date(*nodes["until"]) if "until" in nodes else None
        if key in found:
            raise AcceptedRiskError(f"{nodes[key_field][1]}: {key!r} is accepted twice")
        found[key] = Acceptance(key, text["reason"], text["approver"], accepted_on, until)
    return found


def accepted_for(accepted: dict[str, Acceptance], ident: str, rule: str, as_of: dt.date) -> Acceptance | None:
    """The acceptance in force on `as_of` for an action (by id, else by rule), if any."""
    found = accepted.get(ident) or accepted.get(rule)
    if found is None or found.accepted_on > as_of or (found.until is not None and found.until < as_of):
        return None
    return found


# ----------------------------------------------------------------------------------------------------------
# earlier runs
# ----------------------------------------------------------------------------------------------------------

def earlier_findings(folder: str | Path, name: str) -> list[dict]:
    """The findings.json documents of the runs of dataset `name` before run folder `folder` (beside it),
    oldest first; a run without findings is skipped."""
    folder = Path(folder)
    mine = run_key(folder, safe_name(name))
    docs = []
    for run in runs_of(folder.parent, safe_name(name)):
        if run.resolve() == folder.resolve() or (mine is not None and run_key(run, safe_name(name)) >= mine):
            continue
        file = run / FINDINGS_FILE
        if file.is_file():
            docs.append(json.loads(file.read_text(encoding="utf-8")))
    return docs


def _failed(doc: dict) -> set[str]:
    return {f["rule_id"] for f in doc.get("findings", [])}


def _first_seen(doc: dict, ident: str) -> dt.date:
    for action in doc.get("actions", []):
        if action["id"] == ident and action.get("first_seen"):
            return dt.date.fromisoformat(action["first_seen"])
    return dt.date.fromisoformat(doc["metadata"]["as_of"])


# ----------------------------------------------------------------------------------------------------------
# actions
# ----------------------------------------------------------------------------------------------------------

def track(assessment, dataset: str, earlier: Iterable[dict] = (),
          accepted: dict[str, Acceptance] | None = None, policy: Policy | None = None) -> list[Action]:
    """The assessment's failed rules as actions, with the rules resolved since the previous run; most
    urgent first (status resolved last, then severity, then records)."""
    earlier = list(earlier)
    policy = policy or assessment.policy or Policy()
    accepted = accepted or {}
    as_of = assessment.as_of
    previous = earlier[-1] if earlier else None
    before = _failed(previous) if previous else set()
    ever = set().union(*(_failed(d) for d in earlier)) if earlier else set()
    assessed = {r.rule_id for r in assessment.results if r.status != "not_assessed"}
    actions = []
    for r in assessment.failed:
        ident = action_id(dataset, r.rule_id)
        first = _first_seen(previous, ident) if r.rule_id in before else as_of
        status = "open" if r.rule_id in before else "regressed" if r.rule_id in ever else "new"
        acceptance = accepted_for(accepted, ident, r.rule_id, as_of)
        if acceptance is not None:
            status = "accepted risk"
        due = first + dt.timedelta(days=policy.due_days[r.check.severity])
        actions.append(_action(r.check, ident, policy, due, status, r.count, r.population, first, acceptance))
    for rule_id in sorted((before & assessed) - {r.rule_id for r in assessment.failed}):
        check = RULES_BY_ID[rule_id]
        ident = action_id(dataset, rule_id)
        actions.append(_action(check, ident, policy, None, "resolved", 0, None, _first_seen(previous, ident),
                               None))
    return sorted(actions, key=lambda a: (a.status == "resolved", a.status == "accepted risk",
                                          -_RANK[a.severity], -a.count, a.rule))


def _action(check, ident: str, policy: Policy, due, status, count, population, first, acceptance) -> Action:
    return Action(id=ident, rule=check.id, title=check.title, articles="Art. " + ", ".join(check.articles),
                  severity=check.severity, concern=check.concern,
                  owner=policy.owners.get(check.concern, "data_protection_officer"), due=due, status=status,
                  count=count, population=population, first_seen=first, remediation=check.remediation,
                  accepted_reason=acceptance.reason if acceptance else None,
                  approver=acceptance.approver if acceptance else None)


def changes(actions: Iterable[Action]) -> dict[str, int]:
    """How many actions have each status: what changed since the previous run."""
    counts = dict.fromkeys(STATUSES, 0)
    for a in actions:
        counts[a.status] += 1
    return counts


def actions_csv(actions: Iterable[Action]) -> str:
    """findings.csv: one row per action in ACTION_COLUMNS, every cell quoted and spreadsheet-safe."""
    rows = [[a.to_dict()[c] for c in ACTION_COLUMNS] for a in actions]
    return csv_text(ACTION_COLUMNS, rows, quote_all=True)
