"""Questionnaire self-assessment: a bank of measures, an organisation's answers, ratings and an action plan.

The bank (`gdprlab/audit/measures.yaml`, versioned) lists organisational and technical measures, at least four
per concern of gdprlab.regulation.catalogue.CONCERNS, each with its question, the GDPR articles it implements
and,
optionally, the rules of gdprlab.regulation.catalogue whose findings in a dataset contradict an answer
"implemented".

An answers file (YAML) gives, per measure id, a status and what backs it::

    schema_version: 1
    organisation: Example GmbH          # optional
    answers:
      request_handling_procedure:
        status: implemented             # implemented | partly | not | not_applicable
        evidence: Request log in the service desk, deadline alerts
        owner: Data protection lead
        due: 2027-03-31                 # YYYY-MM-DD: when a gap will be closed (action plan)

Fields required by status: implemented needs evidence and owner; partly needs evidence, owner and due;
not needs owner and due; not_applicable needs evidence (why it does not apply). Any problem - an unknown
measure id, a bad status, a missing or unknown field, a bad date, a duplicated key - raises ONE
AnswersError naming the file, the measure and the field. Measures without an answer are reported as
unanswered, never silently skipped.

Rating method
-------------
Each measure earns points: implemented 1, partly 0.5, not 0; an unanswered measure earns 0 (what cannot
be shown is not there: accountability, Art. 5(2)) and is listed as unanswered; not_applicable measures
are left out. When a dataset was cross-checked, an "implemented" answer contradicted by findings of its
evidence rules earns 0.5, as if "partly" (the declared score, from the answers alone, is kept beside it).
A concern's score is its points divided by its measures that count; the overall score is the same over
every measure of the bank, so each measure weighs the same. Ratings: green when the score is at least 0.8
(GREEN), amber at least 0.5 (AMBER), red below; a concern whose measures are all not applicable has no
score and the rating "n/a".

Action plan
-----------
One item per measure answered partly or not, per unanswered measure (the action: answer it) and per
"implemented" answer contradicted by the data, sorted by concern (catalogue order), severity (most severe
first), due date (earliest first, none last) and id. An item whose due date is before the as-of date is
marked overdue.

Cross-check
-----------
`cross_check(bank, answers, results)` takes the results of gdprlab.audit.engine.run_checks (or any objects
with
rule_id, status, count and reason) and, for each measure answered "implemented", reports each evidence rule
as contradicted (failed, with a sentence such as "answered implemented, but 7 requests were not answered
within the deadline (request_overdue, Art. 12(3))"), consistent (passed) or not checked (with the reason).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

import gdprlab
from gdprlab.crm.files import csv_text, write_atomic
from gdprlab.regulation.catalogue import CONCERNS, RULES_BY_ID, SEVERITIES, parse_article
from gdprlab.regulation.policy import yaml_problem
from gdprlab.runner import parameters
from gdprlab.runner.parameters import (
    Param,
    as_date,
    as_path,
    as_text,
    existing_file,
    existing_path,
)

BANK_SCHEMA_VERSION = 1
ANSWERS_SCHEMA_VERSION = 1
STATUSES: tuple[str, ...] = ("implemented", "partly", "not", "not_applicable")
POINTS: dict[str, float] = {"implemented": 1.0, "partly": 0.5, "not": 0.0}
UNANSWERED_POINTS = 0.0
CONTRADICTED_POINTS = 0.5
GREEN = 0.8
AMBER = 0.5
RATINGS: tuple[str, ...] = ("green", "amber", "red", "n/a")
COUNTS: tuple[str, ...] = ("implemented", "partly", "not", "not_applicable", "unanswered", "contradicted")
#: fields an answer must have, by status (status itself is always required)
REQUIRED: dict[str, tuple[str, ...]] = {
    "implemented": ("evidence", "owner"),
    "partly": ("evidence", "owner", "due"),
    "not": ("owner", "due"),
    "not_applicable": ("evidence",),
}
ANSWER_FIELDS: tuple[str, ...] = ("status", "evidence", "owner", "due")
ANSWERS_KEYS: tuple[str, ...] = ("schema_version", "organisation", "answered_on", "answers")
MEASURE_FIELDS: tuple[str, ...] = ("id", "concern", "severity", "title", "question", "articles", "guidance",
                                   "evidence_rules")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}

#: how a finding of each rule reads in a contradiction: (one record, several records)
RULE_PHRASES: dict[str, tuple[str, str]] = {
    "special_category_without_condition": (
        "{n} contact holds special-category data without an Art. 9(2) condition",
        "{n} contacts hold special-category data without an Art. 9(2) condition"),
    "criminal_data_without_authorisation": (
        "{n} contact has criminal-offence data in notes without an Art. 10 authorisation",
        "{n} contacts have criminal-offence data in notes without an Art. 10 authorisation"),
    "identifier_in_free_text": (
        "{n} note holds a bank account, national id or card number in plaintext",
        "{n} notes hold a bank account, national id or card number in plaintext"),
    "undeclared_personal_data": ("{n} contact field holds a category of data the record of processing omits",
                                 "{n} contact fields hold categories of data the record of processing omits"),
    "marketing_without_basis": (
        "{n} marketing e-mail was sent under contract or legal obligation, or without the consent it names",
        "{n} marketing e-mails were sent under contract or legal obligation, or without the consent named"),
    "electronic_marketing_without_consent": (
        "{n} marketing e-mail was sent without consent outside the soft opt-in",
        "{n} marketing e-mails were sent without consent outside the soft opt-in"),
    "consent_without_proof": ("{n} consent cannot be demonstrated (time, source or wording missing)",
                              "{n} consents cannot be demonstrated (time, source or wording missing)"),
    "processing_after_withdrawal": ("{n} marketing e-mail was sent after a withdrawal or objection",
                                    "{n} marketing e-mails were sent after a withdrawal or objection"),
    "child_consent_without_authorisation": (
        "{n} child's consent was taken online without parental authorisation",
        "{n} children's consents were taken online without parental authorisation"),
    "invalid_consent_form": ("{n} consent was given by a pre-ticked box or bundled with terms",
                             "{n} consents were given by a pre-ticked box or bundled with terms"),
    "field_without_purpose": ("{n} contact field has no purpose in the record of processing",
                              "{n} contact fields have no purpose in the record of processing"),
    "retention_exceeded": ("{n} contact is kept past its retention period",
                           "{n} contacts are kept past their retention period"),
    "inaccurate_data": ("{n} contact has invalid details or duplicates another",
                        "{n} contacts have invalid details or duplicate others"),
    "plaintext_sensitive_field": ("{n} contact has a sensitive field stored in plaintext",
                                  "{n} contacts have sensitive fields stored in plaintext"),
    "weak_pseudonymisation": ("{n} pseudonym can be reversed by hashing the e-mail address",
                              "{n} pseudonyms can be reversed by hashing the e-mail address"),
    "excessive_access": ("{n} staff member has special-category access the policy does not give the role",
                         "{n} staff members have special-category access the policy does not give the role"),
    "request_overdue": ("{n} request was not answered within the deadline",
                        "{n} requests were not answered within the deadline"),
    "extension_not_notified": ("{n} request's extension was notified too late",
                               "{n} requests' extensions were notified too late"),
    "erasure_incomplete": ("{n} erasure was marked done but data remains",
                           "{n} erasures were marked done but data remains"),
    "processing_after_erasure_or_restriction": (
        "{n} activity processed a contact's data after an erasure or during a restriction",
        "{n} activities processed contacts' data after an erasure or during a restriction"),
    "third_party_data_without_notice": (
        "{n} contact obtained from a third party was not told in time (Art. 14)",
        "{n} contacts obtained from a third party were not told in time (Art. 14)"),
    "automated_decision_without_exception": (
        "{n} solely automated decision with significant effect lacks an Art. 22(2) exception or safeguards",
        "{n} solely automated decisions with significant effect lack an Art. 22(2) exception or safeguards"),
    "untrained_crm_user": ("{n} CRM user has no current training", "{n} CRM users have no current training"),
    "processor_without_contract": ("{n} processor has no Art. 28(3) contract recorded",
                                   "{n} processors have no Art. 28(3) contract recorded"),
    "breach_notified_late": ("{n} breach was notified after 72 hours without reasons",
                             "{n} breaches were notified after 72 hours without reasons"),
    "breach_not_notified": ("{n} breach was never notified to the supervisory authority",
                            "{n} breaches were never notified to the supervisory authority"),
    "subjects_not_informed": ("{n} high-risk breach was not communicated to the people affected",
                              "{n} high-risk breaches were not communicated to the people affected"),
    "breach_record_incomplete": ("{n} breach register entry is incomplete",
                                 "{n} breach register entries are incomplete"),
    "policy_review_overdue": ("{n} policy is overdue for review", "{n} policies are overdue for review"),
    "transfer_without_safeguard": (
        "{n} recipient outside the EEA has no adequacy decision, safeguard or derogation",
        "{n} recipients outside the EEA have no adequacy decision, safeguard or derogation"),
}


class BankError(ValueError):
    """The measure bank is malformed; the message names the file, the measure and the field."""


class AnswersError(ValueError):
    """An answers file that cannot be used; the message names the file, the measure and the field."""

    def __init__(self, path: str | Path, measure: str | None, field_name: str | None, problem: str):
        self.path, self.measure, self.field, self.problem = str(path), measure, field_name, problem
        where = [f"measure {measure!r}"] if measure else []
        where += [f"field {field_name!r}"] if field_name else []
        super().__init__(f"{path}: {', '.join(where) + ': ' if where else ''}{problem}")


# ----------------------------------------------------------------------------------------------------------
# YAML: keys must be unique, dates stay text (parsed here, so a bad date gets a clear error)
# ----------------------------------------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and leaves dates as text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _DuplicateKey(ValueError):
    def __init__(self, key: object, line: int):
        self.key, self.line = key, line
        super().__init__(f"key {key!r} appears twice (again at line {line})")


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _load_yaml(text: str) -> object:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


# ----------------------------------------------------------------------------------------------------------
# the bank
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measure:
    id: str
    concern: str
    severity: str
    title: str
    question: str
    articles: tuple[str, ...]
    guidance: str
    evidence_rules: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "concern": self.concern, "severity": self.severity, "title": self.title,
                "question": self.question, "articles": list(self.articles), "guidance": self.guidance,
                "evidence_rules": list(self.evidence_rules)}


@dataclass(frozen=True)
class Bank:
    version: int
    measures: tuple[Measure, ...]
    source: str = "gdprlab/audit/measures.yaml"

    @property
    def by_id(self) -> dict[str, Measure]:
        return {m.id: m for m in self.measures}

    def for_concern(self, concern: str) -> list[Measure]:
        return [m for m in self.measures if m.concern == concern]


def default_bank_path() -> Path:
    return Path(str(resources.files("gdprlab.audit") / "measures.yaml"))


def _bank_error(path: object, measure: str | None, field_name: str | None, problem: str) -> BankError:
    where = [f"measure {measure!r}"] if measure else []
    where += [f"field {field_name!r}"] if field_name else []
    return BankError(f"{path}: {', '.join(where) + ': ' if where else ''}{problem}")


def _text_list(value: object, path: object, mid: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _bank_error(path, mid, name, f"must be a list of text, got {value!r}")
    return tuple(value)


def _measure(item: object, path: object, index: int) -> Measure:
    if not isinstance(item, dict):
        raise _bank_error(path, f"#{index + 1}", None, f"must be a mapping, got {item!r}")
    mid = item.get("id")
    if not isinstance(mid, str) or not _ID.match(mid):
        raise _bank_error(path, f"#{index + 1}", "id", f"must be a snake_case id, got {mid!r}")
    unknown = sorted(set(item) - set(MEASURE_FIELDS))
    if unknown:
        raise _bank_error(path, mid, unknown[0], f"unknown field; fields: {', '.join(MEASURE_FIELDS)}")
    for name in ("title", "question", "guidance"):
        if not isinstance(item.get(name), str) or not item[name].strip():
            raise _bank_error(path, mid, name, "missing or empty")
    if item.get("concern") not in CONCERNS:
        raise _bank_error(path, mid, "concern",
                          f"{item.get('concern')!r} is not one of {', '.join(CONCERNS)}")
    if item.get("severity") not in SEVERITIES:
        raise _bank_error(path, mid, "severity",
                          f"{item.get('severity')!r} is not one of {', '.join(SEVERITIES)}")
    articles = _text_list(item.get("articles"), path, mid, "articles")
    if not articles:
        raise _bank_error(path, mid, "articles", "cites no article")
    for ref in articles:
        try:
            parse_article(ref)
        except ValueError as exc:
            raise _bank_error(path, mid, "articles", str(exc)) from None
    rules = _text_list(item.get("evidence_rules", []), path, mid, "evidence_rules")
    for rule_id in rules:
        if rule_id not in RULES_BY_ID:
            raise _bank_error(path, mid, "evidence_rules",
                              f"unknown rule {rule_id!r}; known rules: {', '.join(RULES_BY_ID)}")
    return Measure(mid, item["concern"], item["severity"], item["title"].strip(), item["question"].strip(),
                   articles, item["guidance"].strip(), rules)


def bank_from_dict(data: object, source: str = "measures") -> Bank:
    """A Bank from parsed YAML; BankError names the file, the measure and the field on any problem."""
    if not isinstance(data, dict):
        raise _bank_error(source, None, None, "must be a mapping with schema_version and measures")
    if data.get("schema_version") != BANK_SCHEMA_VERSION:
        raise _bank_error(source, None, "schema_version",
                          f"{data.get('schema_version')!r} is not supported (expected {BANK_SCHEMA_VERSION})")
    items = data.get("measures")
    if not isinstance(items, list) or not items:
        raise _bank_error(source, None, "measures", "must be a non-empty list")
    measures = [_measure(item, source, i) for i, item in enumerate(items)]
    seen: set[str] = set()
    for m in measures:
        if m.id in seen:
            raise _bank_error(source, m.id, "id", "appears twice")
        seen.add(m.id)
    return Bank(BANK_SCHEMA_VERSION, tuple(measures), source)


def load_bank(path: str | Path | None = None) -> Bank:
    """The bank of measures: gdprlab's own (package data) unless `path` is given."""
    path = default_bank_path() if path is None else Path(path)
    try:
        data = _load_yaml(path.read_text(encoding="utf-8"))
    except _DuplicateKey as exc:
        raise _bank_error(path, None, str(exc.key), str(exc)) from None
    except (OSError, yaml.YAMLError) as exc:
        raise _bank_error(path, None, None, f"cannot read the bank ({exc})") from None
    return bank_from_dict(data, str(path))


# ----------------------------------------------------------------------------------------------------------
# answers
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    measure: str
    status: str
    evidence: str | None = None
    owner: str | None = None
    due: dt.date | None = None

    def to_dict(self) -> dict:
        return {"status": self.status, "evidence": self.evidence, "owner": self.owner,
                "due": None if self.due is None else self.due.isoformat()}


@dataclass(frozen=True)
class Answers:
    source: str
    answers: dict[str, Answer]
    organisation: str | None = None
    answered_on: dt.date | None = None

    def unanswered(self, bank: Bank) -> list[str]:
        """Ids of the bank's measures that have no answer, in bank order."""
        return [m.id for m in bank.measures if m.id not in self.answers]

    def status(self, measure_id: str) -> str | None:
        a = self.answers.get(measure_id)
        return None if a is None else a.status


def parse_date(value: object) -> dt.date:
    """A date written YYYY-MM-DD (text) or a date object; ValueError says what is wrong."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"{value!r} is a date and time; write the date only, YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    text = str(value).strip() if isinstance(value, str) else None
    if text is None or not _DATE.match(text):
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD, e.g. 2027-03-31")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a calendar date ({exc})") from None


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _text(value: object, source: str, mid: str | None, name: str, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise AnswersError(source, mid, name, "missing or empty")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise AnswersError(source, mid, name, f"must be text, got {value!r}")
    return str(value).strip()


def _answer(mid: str, item: object, source: str) -> Answer:
    if not isinstance(item, dict):
        raise AnswersError(source, mid, None,
                           f"the answer must be a mapping with {', '.join(ANSWER_FIELDS)}, got {item!r}")
    for name in item:
        if name not in ANSWER_FIELDS:
            raise AnswersError(source, mid, str(name), "unknown field; an answer has "
                               f"{', '.join(ANSWER_FIELDS)}{_suggest(str(name), ANSWER_FIELDS)}")
    status = item.get("status")
    if status is None:
        raise AnswersError(source, mid, "status", f"missing; use one of {', '.join(STATUSES)}")
    if status not in STATUSES:
        raise AnswersError(source, mid, "status", f"{status!r} is not a status; use one of "
                           f"{', '.join(STATUSES)}{_suggest(str(status), STATUSES)}")
    required = REQUIRED[status]
    evidence = _text(item.get("evidence"), source, mid, "evidence", "evidence" in required)
    owner = _text(item.get("owner"), source, mid, "owner", "owner" in required)
    due = item.get("due")
    if due is None or (isinstance(due, str) and not due.strip()):
        if "due" in required:
            raise AnswersError(source, mid, "due", f"missing; a {status!r} answer needs the date "
                               "(YYYY-MM-DD) by which the gap will be closed")
        due = None
    else:
        try:
            due = parse_date(due)
        except ValueError as exc:
            raise AnswersError(source, mid, "due", str(exc)) from None
    return Answer(mid, status, evidence, owner, due)


def answers_from_dict(data: object, bank: Bank, source: str = "answers") -> Answers:
    """Answers from parsed YAML, checked against the bank; AnswersError on the first problem."""
    if not isinstance(data, dict):
        raise AnswersError(source, None, None, "must be a mapping with an 'answers' mapping of measure ids")
    for key in data:
        if key not in ANSWERS_KEYS:
            raise AnswersError(source, None, str(key), "unknown top-level key; known: "
                               f"{', '.join(ANSWERS_KEYS)}{_suggest(str(key), ANSWERS_KEYS)}")
    version = data.get("schema_version", ANSWERS_SCHEMA_VERSION)
    if version != ANSWERS_SCHEMA_VERSION:
        raise AnswersError(source, None, "schema_version",
                           f"{version!r} is not supported (expected {ANSWERS_SCHEMA_VERSION})")
    organisation = _text(data.get("organisation"), source, None, "organisation", False)
    answered_on = data.get("answered_on")
    if answered_on is not None:
        try:
            answered_on = parse_date(answered_on)
        except ValueError as exc:
            raise AnswersError(source, None, "answered_on", str(exc)) from None
    items = data.get("answers")
    if not isinstance(items, dict):
        raise AnswersError(source, None, "answers",
                           f"must be a mapping of measure id to answer, got {items!r}")
    known = bank.by_id
    answers: dict[str, Answer] = {}
    for mid, item in items.items():
        if mid not in known:
            raise AnswersError(source, str(mid), "id", f"unknown measure id{_suggest(str(mid), known)} "
                               f"(the bank has {len(known)} measures; see gdprlab/audit/measures.yaml)")
        answers[mid] = _answer(mid, item, source)
    return Answers(source, answers, organisation, answered_on)


def load_answers(path: str | Path, bank: Bank | None = None) -> Answers:
    """Read and check an answers YAML file against the bank (gdprlab's own by default)."""
    bank = load_bank() if bank is None else bank
    path = Path(path)
    if not path.is_file():
        raise AnswersError(path, None, None, "no such file; pass the YAML file with your answers")
    try:
        data = _load_yaml(path.read_text(encoding="utf-8"))
    except _DuplicateKey as exc:
        raise AnswersError(path, str(exc.key), None, f"appears twice (line {exc.line}); "
                           "keep one answer per measure and one value per field") from None
    except yaml.YAMLError as exc:
        raise AnswersError(path, None, None, f"is not valid YAML ({yaml_problem(exc)})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnswersError(path, None, None, f"cannot be read ({exc})") from None
    return answers_from_dict(data, bank, str(path))


# ----------------------------------------------------------------------------------------------------------
# cross-check with data evidence
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceCheck:
    """One evidence rule of one measure answered "implemented", judged on a dataset."""

    measure: str
    rule_id: str
    outcome: str  # contradicted | consistent | not_checked
    count: int = 0
    population: int | None = None
    message: str = ""

    def to_dict(self) -> dict:
        return {"measure": self.measure, "rule_id": self.rule_id, "outcome": self.outcome,
                "count": self.count, "population": self.population,
                "articles": list(RULES_BY_ID[self.rule_id].articles), "message": self.message}


def finding_phrase(rule_id: str, count: int) -> str:
    """'7 requests were not answered within the deadline' (the rule's title when it has no phrase)."""
    one, many = RULE_PHRASES.get(rule_id, ("{n} record: " + RULES_BY_ID[rule_id].title.lower(),
                                           "{n} records: " + RULES_BY_ID[rule_id].title.lower()))
    return (one if count == 1 else many).format(n=count)


def contradiction_message(rule_id: str, count: int) -> str:
    rule = RULES_BY_ID[rule_id]
    return (f"answered implemented, but {finding_phrase(rule_id, count)} "
            f"({rule_id}, Art. {', '.join(rule.articles)})")


def cross_check(bank: Bank, answers: Answers, results: Iterable[object]) -> list[EvidenceCheck]:
    """Judge every evidence rule of every measure answered "implemented" against check results.

    `results` are gdprlab.audit.engine.CheckResult (Assessment.results) or objects with rule_id, status
    ("passed", "failed", "not_assessed"), count, population and reason.
    """
    by_rule = {getattr(r, "rule_id"): r for r in results}  # noqa: B009 - duck-typed results
    out = []
    for m in bank.measures:
        if answers.status(m.id) != "implemented":
            continue
        for rule_id in m.evidence_rules:
            r = by_rule.get(rule_id)
            status = getattr(r, "status", None)
            if r is None or status == "not_assessed":
                reason = getattr(r, "reason", None) or "rule not run"
                out.append(EvidenceCheck(m.id, rule_id, "not_checked", message=f"not checked: {reason}"))
            elif status == "failed" and getattr(r, "count", 0) > 0:
                message = contradiction_message(rule_id, r.count)
                out.append(EvidenceCheck(m.id, rule_id, "contradicted", r.count,
                                         getattr(r, "population", None), message))
            else:
                out.append(EvidenceCheck(m.id, rule_id, "consistent", 0, getattr(r, "population", None),
                                         f"consistent: no finding of {rule_id}"))
    return out


def contradicted_measures(checks: Iterable[EvidenceCheck]) -> dict[str, list[EvidenceCheck]]:
    out: dict[str, list[EvidenceCheck]] = {}
    for c in checks:
        if c.outcome == "contradicted":
            out.setdefault(c.measure, []).append(c)
    return out


# ----------------------------------------------------------------------------------------------------------
# ratings
# ----------------------------------------------------------------------------------------------------------

def rating_of(score: float | None) -> str:
    """green >= GREEN, amber >= AMBER, red below; 'n/a' without a score."""
    if score is None:
        return "n/a"
    return "green" if score >= GREEN else "amber" if score >= AMBER else "red"


@dataclass(frozen=True)
class Rating:
    """The rating of one concern (or overall, concern 'overall')."""

    concern: str
    score: float | None  # after the cross-check; equals declared_score without one
    declared_score: float | None  # from the answers alone
    rating: str
    counts: dict[str, int]  # implemented, partly, not, not_applicable, unanswered, contradicted
    measures: int

    def to_dict(self) -> dict:
        return {"concern": self.concern, "score": self.score, "declared_score": self.declared_score,
                "rating": self.rating, "declared_rating": rating_of(self.declared_score),
                "measures": self.measures, **self.counts}


def _rate(concern: str, measures: list[Measure], answers: Answers, contradicted: set[str]) -> Rating:
    counts = dict.fromkeys(COUNTS, 0)
    points = declared = 0.0
    counted = 0
    for m in measures:
        status = answers.status(m.id)
        if status == "not_applicable":
            counts["not_applicable"] += 1
            continue
        counted += 1
        if status is None:
            counts["unanswered"] += 1
            points += UNANSWERED_POINTS
            declared += UNANSWERED_POINTS
            continue
        counts[status] += 1
        declared += POINTS[status]
        if status == "implemented" and m.id in contradicted:
            counts["contradicted"] += 1
            points += CONTRADICTED_POINTS
        else:
            points += POINTS[status]
    score = round(points / counted, 3) if counted else None
    declared_score = round(declared / counted, 3) if counted else None
    return Rating(concern, score, declared_score, rating_of(score), counts, len(measures))


def rate(bank: Bank, answers: Answers, contradicted: Iterable[str] = ()) -> tuple[dict[str, Rating], Rating]:
    """Ratings per concern (every concern of the catalogue) and overall, by the module's method."""
    bad = set(contradicted)
    by_concern = {c: _rate(c, bank.for_concern(c), answers, bad) for c in CONCERNS}
    return by_concern, _rate("overall", list(bank.measures), answers, bad)


# ----------------------------------------------------------------------------------------------------------
# action plan
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    concern: str
    severity: str
    measure: str
    title: str
    status: str  # partly | not | unanswered | contradicted
    owner: str | None
    due: dt.date | None
    overdue: bool
    action: str
    reason: str
    articles: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"concern": self.concern, "severity": self.severity, "measure": self.measure,
                "title": self.title, "status": self.status, "owner": self.owner,
                "due": None if self.due is None else self.due.isoformat(),
                "overdue": self.overdue, "action": self.action, "reason": self.reason,
                "articles": list(self.articles)}


ACTION_COLUMNS = ["concern", "severity", "measure", "title", "status", "owner", "due", "overdue", "action",
                  "reason", "articles"]


def _day(day: dt.date | None) -> str:
    return "no date set" if day is None else f"{day.day} {day:%B %Y}"


def action_plan_frame(actions: Iterable[Action]) -> pd.DataFrame:
    """The action plan as the report shows it: dates and overdue in words, no blank cell left as `nan`."""
    rows = [{"concern": a.concern.replace("_", " "), "severity": a.severity, "measure": a.measure,
             "status": a.status, "owner": a.owner or "not named", "due": _day(a.due),
             "when": "overdue" if a.overdue else "no date set" if a.due is None else "in time",
             "reason": a.reason} for a in actions]
    return pd.DataFrame(rows, columns=["concern", "severity", "measure", "status", "owner", "due", "when",
                                       "reason"])


def action_plan(bank: Bank, answers: Answers, checks: Iterable[EvidenceCheck] = (),
                as_of: dt.date | None = None) -> list[Action]:
    """What to do next, by the module's method; `checks` are cross_check's results (may be empty)."""
    contradicted = contradicted_measures(checks)
    items = []
    for m in bank.measures:
        a = answers.answers.get(m.id)
        if a is None:
            status, reason = "unanswered", "no answer in the answers file"
            action = f"Answer the question: {m.question}"
        elif a.status in ("partly", "not"):
            status = a.status
            reason = f"answered {a.status}" + (f": {a.evidence}" if a.evidence else "")
            action = m.guidance
        elif a.status == "implemented" and m.id in contradicted:
            status = "contradicted"
            reason = "; ".join(c.message for c in contradicted[m.id])
            action = "Find why the data disagrees with the answer and fix the records; " + m.guidance
        else:
            continue
        owner = None if a is None else a.owner
        due = None if a is None else a.due
        overdue = bool(due is not None and as_of is not None and due < as_of)
        items.append(Action(m.concern, m.severity, m.id, m.title, status, owner, due, overdue, action, reason,
                            m.articles))
    order = {c: i for i, c in enumerate(CONCERNS)}
    return sorted(items, key=lambda x: (order[x.concern], -_SEVERITY_RANK[x.severity],
                                        x.due is None, x.due or dt.date.max, x.measure))


def action_plan_csv(actions: Iterable[Action]) -> str:
    """The action plan as CSV, every cell quoted and formula-like text neutralised (gdprlab.crm.files)."""
    rows = []
    for a in actions:
        d = a.to_dict()
        d["articles"] = ", ".join(d["articles"])
        rows.append([d[c] for c in ACTION_COLUMNS])
    return csv_text(ACTION_COLUMNS, rows, quote_all=True)


# ----------------------------------------------------------------------------------------------------------
# the whole self-assessment
# ----------------------------------------------------------------------------------------------------------

METHOD = ("points per measure: implemented 1, partly 0.5, not 0, unanswered 0, not_applicable left out; "
          f"an implemented answer contradicted by data counts {CONTRADICTED_POINTS}; "
          f"score = points / measures counted; green >= {GREEN}, amber >= {AMBER}, red below; "
          "see gdprlab.audit.selfassess")


@dataclass(frozen=True)
class SelfAssessment:
    bank: Bank
    answers: Answers
    organisation: str
    as_of: dt.date
    ratings: dict[str, Rating]
    overall: Rating
    actions: list[Action]
    checks: list[EvidenceCheck] = field(default_factory=list)
    dataset: str | None = None  # None: no cross-check with data
    dataset_as_of: dt.date | None = None

    @property
    def contradictions(self) -> list[EvidenceCheck]:
        return [c for c in self.checks if c.outcome == "contradicted"]

    @property
    def unanswered(self) -> list[str]:
        return self.answers.unanswered(self.bank)

    def measure_rows(self) -> list[dict]:
        bad = contradicted_measures(self.checks)
        rows = []
        for m in self.bank.measures:
            a = self.answers.answers.get(m.id)
            rows.append({"id": m.id, "concern": m.concern, "severity": m.severity, "title": m.title,
                         "articles": list(m.articles), "status": a.status if a else "unanswered",
                         "evidence": a.evidence if a else None, "owner": a.owner if a else None,
                         "due": a.due.isoformat() if a and a.due else None,
                         "contradicted": m.id in bad})
        return rows

    def to_dict(self) -> dict:
        return {
            "schema_version": 1,
            "organisation": self.organisation,
            "as_of": self.as_of.isoformat(),
            "answers_file": self.answers.source,
            "answered_on": self.answers.answered_on.isoformat() if self.answers.answered_on else None,
            "measure_bank_version": self.bank.version,
            "gdprlab_version": gdprlab.__version__,
            "method": METHOD,
            "overall": self.overall.to_dict(),
            "concerns": [self.ratings[c].to_dict() for c in CONCERNS],
            "unanswered": self.unanswered,
            "measures": self.measure_rows(),
            "action_plan": [a.to_dict() for a in self.actions],
            "cross_check": {
                "performed": self.dataset is not None,
                "dataset": self.dataset,
                "dataset_as_of": self.dataset_as_of.isoformat() if self.dataset_as_of else None,
                "contradictions": [c.to_dict() for c in self.contradictions],
                "consistent": [c.to_dict() for c in self.checks if c.outcome == "consistent"],
                "not_checked": [c.to_dict() for c in self.checks if c.outcome == "not_checked"],
            },
        }


def assess(bank: Bank, answers: Answers, *, as_of: dt.date, organisation: str | None = None,
           results: Iterable[object] | None = None, dataset: str | None = None,
           dataset_as_of: dt.date | None = None) -> SelfAssessment:
    """Ratings, action plan and (when check `results` of a dataset are given) the cross-check."""
    checks = cross_check(bank, answers, results) if results is not None else []
    by_concern, overall = rate(bank, answers, contradicted_measures(checks))
    name = organisation or answers.organisation or "unnamed organisation"
    plan = action_plan(bank, answers, checks, as_of)
    return SelfAssessment(bank, answers, name, as_of, by_concern, overall, plan, checks,
                          dataset if results is not None else None, dataset_as_of)


def check_dataset(dataset: str | Path, as_of: dt.date | None = None):
    """Run every check of gdprlab.audit.engine on a dataset folder or CRM export; returns (Assessment, as_of).

    The as-of date and the policy are the dataset's unless given (gdprlab.crm.io.resolve_inputs).
    """
    from gdprlab.audit.engine import run_checks
    from gdprlab.crm.exports import load
    from gdprlab.crm.io import resolve_inputs

    given = resolve_inputs(dataset, as_of)
    tables, _ = load(dataset)
    return run_checks(tables, given.policy, given.as_of, dataset=str(dataset)), given.as_of


# ----------------------------------------------------------------------------------------------------------
# outputs
# ----------------------------------------------------------------------------------------------------------

def write_outputs(result: SelfAssessment, folder: str | Path) -> dict[str, Path]:
    """self_assessment.json and action_plan.csv in `folder`, each written atomically."""
    folder = Path(folder)
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    return {"json": write_atomic(folder / "self_assessment.json", text),
            "csv": write_atomic(folder / "action_plan.csv", action_plan_csv(result.actions))}


# ----------------------------------------------------------------------------------------------------------
# notebook parameters
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SelfAssessmentParams:
    answers: Path
    dataset: Path | None
    organisation: str | None
    as_of: dt.date | None
    output_dir: Path | None


def _answers_file(value: object, base: Path) -> Path:
    if not str(value).strip():
        raise ValueError("empty; pass the YAML file with the answers")
    return existing_file(value, base)


#: the parameters cell of notebooks/self_assessment.ipynb (a test keeps the two the same)
SPEC: tuple[Param, ...] = (
    Param("answers", str, "example_answers.yaml", "one answer per measure id (gdprlab/audit/measures.yaml)",
          convert=_answers_file),
    Param("dataset", str, "",
          'optional dataset folder or CRM export to cross-check, e.g. "../datasets/sample"',
          convert=existing_path),
    Param("organisation", str, "", "name shown in the report; empty: the answers file's organisation",
          convert=as_text),
    Param("as_of", str, "", "assessment date YYYY-MM-DD; empty: the dataset's as-of date, else today",
          convert=as_date),
    Param("output_dir", str, "",
          "folder for the JSON and CSV outputs; empty: ../output/self-assessment-<as-of>", convert=as_path),
)


def validate_parameters(namespace: Mapping[str, object], names_before: Iterable[str],
                        base: str | Path | None = None) -> SelfAssessmentParams:
    """The notebook's parameters, checked; one ParameterError lists every problem
    (gdprlab.runner.parameters.validate)."""
    return SelfAssessmentParams(**parameters.validate(namespace, names_before, SPEC, base))  # type: ignore[arg-type]
