"""The catalogue of GDPR rules that gdprlab plants, checks, reports and teaches.

One place for every rule: the generator plants violations under these ids, the checks report findings
under them, reports and lessons quote their titles, articles and remediation. Each definition is precise
enough to test: it names the table whose records are labelled and the exact condition. Thresholds chosen
by the organisation (retention periods, refresh and review intervals, roles) come from the policy file
(`gdprlab.regulation.policy`); thresholds fixed by the Regulation come from `gdprlab.regulation.law`.

The rules themselves are data, kept in rules.yaml next to this module (one entry a rule, keyword fields)
and checked as they are read: a rule with an unknown concern or severity, a malformed article reference,
a missing or unknown field, or an id used twice fails the import with an error naming the rule.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, fields
from importlib.resources import files

import yaml

CONCERNS: tuple[str, ...] = (
    "classification",
    "permission",
    "minimisation",
    "encryption",
    "rights",
    "people",
    "security_plans",
    "education",
)
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
UNITS: tuple[str, ...] = ("record", "column")
_ARTICLE = re.compile(r"^(\d{1,2})(?:\((\d{1,2})\))?(?:\(([a-z])\))?$")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    articles: tuple[str, ...]  # e.g. "5(1)(e)": article, paragraph, point
    concern: str
    severity: str
    table: str  # table whose records (or columns, when unit == "column") violate the rule
    definition: str
    remediation: str
    unit: str = "record"  # "record": record_id is the table's key; "column": record_id is a column name
    # the rule card (`gdprlab rules --format markdown`): lawful conduct the rule does not report, and the
    # sources it follows (articles' recitals, EDPB guidelines with paragraph numbers, other law)
    not_a_violation: str = ""
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("id", "title", "table", "definition", "remediation"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"rule {self.id!r}: {name} must be a non-empty text")
        for name, known in (("concern", CONCERNS), ("severity", SEVERITIES), ("unit", UNITS)):
            if getattr(self, name) not in known:
                raise ValueError(f"rule {self.id!r}: unknown {name} {getattr(self, name)!r}; "
                                 f"known: {', '.join(known)}")
        if not isinstance(self.not_a_violation, str):
            raise ValueError(f"rule {self.id!r}: not_a_violation must be a text")
        if not isinstance(self.sources, tuple) or not all(isinstance(x, str) and x for x in self.sources):
            raise ValueError(f"rule {self.id!r}: sources must be a list of non-empty texts")
        if not isinstance(self.articles, tuple) or not self.articles:
            raise ValueError(f"rule {self.id!r}: articles must be a non-empty list of references")
        for ref in self.articles:
            try:
                parse_article(ref)
            except ValueError as exc:
                raise ValueError(f"rule {self.id!r}: {exc}") from None


def get_rule(rule_id: str) -> Rule:
    """The rule with this id; a clear error lists the known ids otherwise."""
    try:
        return RULES_BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule {rule_id!r}; known rules: {', '.join(RULES_BY_ID)}") from None


def parse_article(ref: str) -> tuple[int, int | None, str | None]:
    """Split '5(1)(e)' into (5, 1, 'e'); raises ValueError on anything else."""
    m = _ARTICLE.match(ref) if isinstance(ref, str) else None
    if not m:
        raise ValueError(f"not an article reference: {ref!r} (expected e.g. '5(1)(e)')")
    art, para, point = m.groups()
    return int(art), int(para) if para else None, point


_FIELDS = tuple(f.name for f in fields(Rule))


def read_rules(text: str, source: str) -> tuple[Rule, ...]:
    """The rules of a catalogue file (a YAML list of rules, as rules.yaml); ``source`` names it in errors."""
    entries = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml if there
    if not (isinstance(entries, list) and all(isinstance(e, dict) and isinstance(e.get("id"), str)
                                              for e in entries)):
        raise ValueError(f"{source}: expected a list of rules, each with an id (a text)")
    rules: dict[str, Rule] = {}
    for entry in entries:
        rule_id = entry["id"]
        if rule_id in rules:
            raise ValueError(f"{source}: rule {rule_id!r} is defined twice")
        problems = [f"unknown field {name!r}" for name in entry if name not in _FIELDS] + [
            f"missing field {f.name!r}" for f in fields(Rule) if f.name not in entry and f.default is MISSING]
        if problems:
            raise ValueError(f"{source}: rule {rule_id!r}: {', '.join(problems)}; the fields are "
                             f"{', '.join(_FIELDS)}")
        entry = {k: tuple(v) if k in ("articles", "sources") and isinstance(v, list) else v
                 for k, v in entry.items()}
        try:
            rules[rule_id] = Rule(**entry)
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None
    return tuple(rules.values())


def _shipped_rules() -> tuple[Rule, ...]:
    resource = files("gdprlab.regulation").joinpath("rules.yaml")
    return read_rules(resource.read_text(encoding="utf-8"), str(resource))


RULES: tuple[Rule, ...] = _shipped_rules()
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def rules_for(concern: str) -> list[Rule]:
    """Rules of one concern, in catalogue order."""
    if concern not in CONCERNS:
        raise ValueError(f"unknown concern {concern!r}; concerns: {', '.join(CONCERNS)}")
    return [r for r in RULES if r.concern == concern]
