"""Questionnaire self-assessment: the bank, answers validation, ratings, action plan and cross-check."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from gdprlab.audit.selfassess import (
    AMBER,
    GREEN,
    RULE_PHRASES,
    AnswersError,
    BankError,
    action_plan,
    action_plan_csv,
    answers_from_dict,
    assess,
    bank_from_dict,
    check_dataset,
    cross_check,
    load_answers,
    load_bank,
    rate,
    rating_of,
    validate_parameters,
    write_outputs,
)
from gdprlab.regulation.catalogue import CONCERNS, RULES, RULES_BY_ID, parse_article
from gdprlab.runner.parameters import ParameterError

ROOT = Path(__file__).resolve().parents[2]
REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
EXAMPLE = ROOT / "notebooks" / "example_answers.yaml"
SAMPLE = ROOT / "datasets" / "sample"
BANK = load_bank()
AS_OF = dt.date(2026, 11, 1)


# ----------------------------------------------------------------------------------------------------------
# the bank
# ----------------------------------------------------------------------------------------------------------

def test_bank_ids_are_unique_and_every_concern_has_at_least_four_measures():
    ids = [m.id for m in BANK.measures]
    assert len(ids) == len(set(ids))
    assert 30 <= len(ids) <= 50
    for concern in CONCERNS:
        assert len(BANK.for_concern(concern)) >= 4, concern


@pytest.mark.parametrize("measure", BANK.measures, ids=lambda m: m.id)
def test_each_measure_is_complete(measure):
    assert measure.concern in CONCERNS
    assert measure.title and len(measure.question) > 40 and measure.question.rstrip().endswith("?")
    assert len(measure.guidance) > 40
    assert measure.articles and all(parse_article(a) for a in measure.articles)
    assert all(r in RULES_BY_ID for r in measure.evidence_rules)


def test_every_rule_of_the_catalogue_is_evidence_for_some_measure():
    used = {r for m in BANK.measures for r in m.evidence_rules}
    assert used == set(RULES_BY_ID)


def test_the_measures_the_issue_asks_for_cite_its_articles():
    cites = {m.id: set(m.articles) for m in BANK.measures}
    assert {"6(1)", "30(1)(b)"} <= cites["lawful_basis_documented"]
    assert "7(1)" in cites["consent_records_kept"] and "7(3)" in cites["withdrawal_as_easy_as_giving"]
    assert "8(1)" in cites["child_age_verification"] and "30(1)" in cites["record_of_processing"]
    assert "5(1)(e)" in cites["retention_schedule"] and "5(1)(c)" in cites["minimisation_review"]
    assert "32(1)(a)" in cites["encryption_of_sensitive_fields"]
    assert {"4(5)", "32(1)(a)"} <= cites["pseudonymisation_keys_separate"]
    assert {"25(2)", "32(4)"} <= cites["role_based_access"]
    assert "12(3)" in cites["request_handling_procedure"] and "17(1)" in cites["erasure_across_systems"]
    assert "12(6)" in cites["requester_identity_verification"]
    assert {"24(1)", "29", "32(4)"} <= cites["staff_training_refresh"]
    assert "39(1)(b)" not in cites["staff_training_refresh"]  # the DPO monitors training; it is not the duty
    assert {"28(3)(b)", "29"} <= cites["confidentiality_commitments"]
    assert {"33(1)", "34(1)"} <= cites["incident_response_plan"] and "33(5)" in cites["breach_register"]
    assert "37(1)" in cites["dpo_designated"] and "35(1)" in cites["dpia_high_risk"]
    assert "24(1)" in cites["policy_reviews"] and "28(3)" in cites["processor_contracts"]
    assert {"44", "46(1)"} <= cites["transfers_outside_eea"]
    by_id = {m.id: m for m in BANK.measures}
    request_rules = set(by_id["request_handling_procedure"].evidence_rules)
    assert request_rules == {"request_overdue", "extension_not_notified"}


def _regulation() -> dict[int, dict]:
    path = REALDATA / "gdpr_articles_commonaccord.json"
    if not path.exists():
        pytest.skip(f"GDPR text not found at {path} "
                    "(../shared/realdata is absent outside the team's machines)")
    return {a["article"]: a for a in json.loads(path.read_text(encoding="utf-8"))}


def _paragraph(text: dict[int, dict], ref: str) -> str | None:
    """The text of an article, paragraph or point; '' for an article whose text the file leaves out."""
    art, para, point = parse_article(ref)
    if art not in text:
        return None
    paragraphs = text[art]["paragraphs"]
    if para is None:
        return " ".join(paragraphs.values())
    key = f"{para}.{ord(point) - ord('a') + 1}" if point else str(para)
    return paragraphs.get(key, paragraphs.get(f"{key}.0"))


@pytest.mark.parametrize("measure", BANK.measures, ids=lambda m: m.id)
def test_every_cited_article_paragraph_and_point_exists_in_the_regulation(measure):
    text = _regulation()
    for ref in measure.articles:
        assert _paragraph(text, ref) is not None, f"{measure.id}: Art. {ref} not found in the Regulation"


@pytest.mark.parametrize(("ref", "words"), [
    ("7(3)", "as easy to withdraw consent as to give it"),
    ("8(2)", "holder of parental responsibility"),
    ("12(3)", "within one month of receipt"),
    ("12(6)", "confirm the identity"),
    ("4(5)", "kept separately"),
    ("32(1)(a)", "pseudonymisation and encryption"),
    ("32(1)(c)", "restore the availability"),
    ("32(1)(d)", "regularly testing"),
    ("25(2)", "indefinite number of natural persons"),
    ("33(5)", "document any personal data breaches"),
    ("35(1)", "high risk"),
    ("24(1)", "reviewed and updated"),
    ("39(1)(b)", "training of staff"),
    ("32(4)", "acting under the authority of the controller"),
    ("28(3)(b)", "confidentiality"),
    ("30(1)(f)", "time limits for erasure"),
    ("46(2)(c)", "standard data protection clauses"),
])
def test_the_cited_text_supports_the_measure(ref, words):
    assert words in _paragraph(_regulation(), ref)


def _bank(**overrides) -> dict:
    measure = {"id": "m1", "concern": "rights", "severity": "high", "title": "T",
               "question": "Q?", "articles": ["12(3)"], "guidance": "G", **overrides}
    return {"schema_version": 1, "measures": [measure]}


@pytest.mark.parametrize(("overrides", "field"), [
    ({"concern": "nope"}, "concern"),
    ({"severity": "huge"}, "severity"),
    ({"articles": ["Art. 12"]}, "articles"),
    ({"evidence_rules": ["no_such_rule"]}, "evidence_rules"),
    ({"question": ""}, "question"),
    ({"colour": "red"}, "colour"),
])
def test_a_malformed_bank_names_the_measure_and_field(overrides, field):
    with pytest.raises(BankError, match=rf"bank.yaml: measure 'm1', field '{field}'"):
        bank_from_dict(_bank(**overrides), "bank.yaml")


def test_a_bank_of_another_schema_version_or_with_duplicates_is_refused():
    with pytest.raises(BankError, match="schema_version"):
        bank_from_dict({**_bank(), "schema_version": 2}, "bank.yaml")
    data = _bank()
    data["measures"] *= 2
    with pytest.raises(BankError, match="measure 'm1', field 'id': appears twice"):
        bank_from_dict(data, "bank.yaml")


# ----------------------------------------------------------------------------------------------------------
# answers
# ----------------------------------------------------------------------------------------------------------

GOOD = {
    "request_handling_procedure": {"status": "implemented", "evidence": "log", "owner": "DPO"},
    "erasure_across_systems": {"status": "partly", "evidence": "CRM only", "owner": "Ops",
                               "due": "2027-01-31"},
    "dpia_high_risk": {"status": "not", "owner": "DPO", "due": "2026-10-01"},
    "transfers_outside_eea": {"status": "not_applicable", "evidence": "all EU"},
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _answers(items: dict, **top):
    return answers_from_dict({"schema_version": 1, **top, "answers": items}, BANK, "answers.yaml")


def test_the_example_answers_are_valid_and_realistic():
    answers = load_answers(EXAMPLE, BANK)
    statuses = [a.status for a in answers.answers.values()]
    assert {"implemented", "partly", "not"} <= set(statuses) and statuses.count("not_applicable") == 1
    assert answers.status("request_handling_procedure") == "implemented"
    assert answers.organisation


def test_good_answers_load_with_dates_parsed():
    answers = _answers(GOOD, organisation="Acme")
    assert answers.answers["erasure_across_systems"].due == dt.date(2027, 1, 31)
    assert answers.organisation == "Acme"
    assert len(answers.unanswered(BANK)) == len(BANK.measures) - len(GOOD)


DPIA = "dpia_high_risk"


@pytest.mark.parametrize(("measure", "body", "field", "words"), [
    ("request_handling_procedur", "status: implemented", "id", "did you mean 'request_handling_procedure'"),
    (DPIA, "status: done\nowner: x\ndue: 2027-01-01", "status", "'done' is not a status"),
    (DPIA, "owner: x", "status", "missing"),
    (DPIA, "status: not\ndue: 2027-01-01", "owner", "missing"),
    (DPIA, "status: not\nowner: x", "due", "missing"),
    (DPIA, "status: implemented\nowner: x", "evidence", "missing"),
    (DPIA, "status: not\nowner: x\ndue: 2027-02-30", "due", "not a calendar date"),
    (DPIA, "status: not\nowner: x\ndue: next week", "due", "not a date written YYYY-MM-DD"),
    (DPIA, "status: not\nowner: x\ndue: 2027-01-01\nduedate: 1", "duedate", "unknown field"),
])
def test_each_kind_of_bad_answer_gives_one_error_naming_file_measure_and_field(tmp_path, measure, body, field,
                                                                                words):
    indented = "".join(f"    {line}\n" for line in body.splitlines())
    path = _write(tmp_path, f"answers:\n  {measure}:\n{indented}")
    with pytest.raises(AnswersError) as info:
        load_answers(path, BANK)
    err = info.value
    assert (err.path, err.measure, err.field) == (str(path), measure, field)
    assert str(err).startswith(f"{path}: measure '{measure}', field '{field}': ")
    assert words in str(err)


def test_a_measure_answered_twice_is_refused(tmp_path):
    text = "answers:\n  dpia_high_risk:\n    status: not\n  dpia_high_risk:\n    status: not\n"
    with pytest.raises(AnswersError, match=r"measure 'dpia_high_risk'.*appears twice \(line 4\)"):
        load_answers(_write(tmp_path, text), BANK)


@pytest.mark.parametrize(("text", "words"), [
    ("answers: [1, 2]\n", "field 'answers': must be a mapping"),
    ("schema_version: 2\nanswers: {}\n", "field 'schema_version'"),
    ("answer: {}\n", "field 'answer': unknown top-level key"),
    ("answers: {dpia_high_risk: {status: not\n", "is not valid YAML"),
    ("- just a list\n", "must be a mapping"),
])
def test_a_malformed_file_names_itself_and_the_problem(tmp_path, text, words):
    path = _write(tmp_path, text)
    with pytest.raises(AnswersError, match=str(path)) as info:
        load_answers(path, BANK)
    assert words in str(info.value)


def test_a_missing_answers_file_is_named(tmp_path):
    with pytest.raises(AnswersError, match="nope.yaml: no such file"):
        load_answers(tmp_path / "nope.yaml", BANK)


# ----------------------------------------------------------------------------------------------------------
# ratings
# ----------------------------------------------------------------------------------------------------------

def _all(status: str, concern: str | None = None, **extra) -> dict:
    return {m.id: {"status": status, "evidence": "e", "owner": "o", "due": "2027-01-01", **extra}
            for m in BANK.measures if concern in (None, m.concern)}


def test_rating_thresholds():
    assert (rating_of(1.0), rating_of(GREEN), rating_of(0.79), rating_of(AMBER), rating_of(0.49)) == (
        "green", "green", "amber", "amber", "red")
    assert rating_of(None) == "n/a"


def test_points_per_status_and_not_applicable_left_out():
    rights = [m.id for m in BANK.for_concern("rights")]
    items = {rights[0]: {"status": "implemented", "evidence": "e", "owner": "o"},
             rights[1]: {"status": "partly", "evidence": "e", "owner": "o", "due": "2027-01-01"},
             rights[2]: {"status": "not", "owner": "o", "due": "2027-01-01"},
             **{m: {"status": "not_applicable", "evidence": "why"} for m in rights[3:]}}
    by_concern, overall = rate(BANK, _answers(items))
    r = by_concern["rights"]
    assert r.score == pytest.approx(1.5 / 3) and r.rating == "amber"
    assert (r.counts["implemented"], r.counts["partly"], r.counts["not"]) == (1, 1, 1)
    assert r.counts["not_applicable"] == len(rights) - 3
    # every other measure is unanswered: it counts as 0 and is reported
    assert by_concern["people"].score == 0 and by_concern["people"].counts["unanswered"] == 4
    applicable = len(BANK.measures) - (len(rights) - 3)
    assert overall.score == pytest.approx(round(1.5 / applicable, 3))


def test_all_implemented_is_green_all_not_is_red_all_not_applicable_has_no_rating():
    assert rate(BANK, _answers(_all("implemented")))[1].rating == "green"
    assert rate(BANK, _answers(_all("not")))[1].rating == "red"
    items = {**_all("implemented"), **_all("not_applicable", "people")}
    by_concern, overall = rate(BANK, _answers(items))
    assert by_concern["people"].score is None and by_concern["people"].rating == "n/a"
    assert overall.score == 1.0


def test_a_contradicted_implemented_answer_counts_as_partly_beside_the_declared_score():
    answers = _answers(_all("implemented", "rights"))
    by_concern, _ = rate(BANK, answers, {"request_handling_procedure"})
    r = by_concern["rights"]
    n = len(BANK.for_concern("rights"))
    assert r.declared_score == 1.0 and r.score == pytest.approx(round((n - 0.5) / n, 3))
    assert r.counts["contradicted"] == 1


# ----------------------------------------------------------------------------------------------------------
# action plan
# ----------------------------------------------------------------------------------------------------------

def test_action_plan_lists_gaps_unanswered_and_contradictions_sorted_by_concern_and_severity():
    answers = _answers(GOOD)
    checks = cross_check(BANK, answers, [FakeResult("request_overdue", "failed", 7, 80)])
    plan = action_plan(BANK, answers, checks, AS_OF)
    by_measure = {a.measure: a for a in plan}
    assert "transfers_outside_eea" not in by_measure  # not applicable
    assert by_measure["erasure_across_systems"].status == "partly"
    assert by_measure["dpia_high_risk"].status == "not" and by_measure["dpia_high_risk"].overdue
    assert not by_measure["erasure_across_systems"].overdue
    assert by_measure["request_handling_procedure"].status == "contradicted"
    assert "7 requests" in by_measure["request_handling_procedure"].reason
    assert by_measure["record_of_processing"].status == "unanswered"
    assert len(plan) == len(BANK.measures) - 1
    order = {c: i for i, c in enumerate(CONCERNS)}
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    keys = [(order[a.concern], rank[a.severity]) for a in plan]
    assert keys == sorted(keys)


def test_action_plan_csv_is_quoted_and_injection_safe():
    items = {"dpia_high_risk": {"status": "not", "owner": "=HYPERLINK(\"x\")", "due": "2027-01-01"}}
    text = action_plan_csv(action_plan(BANK, _answers(items), (), AS_OF))
    rows = list(csv.DictReader(io.StringIO(text)))
    dpia = next(r for r in rows if r["measure"] == "dpia_high_risk")
    assert dpia["owner"].startswith("'=") and dpia["due"] == "2027-01-01"


# ----------------------------------------------------------------------------------------------------------
# cross-check with data
# ----------------------------------------------------------------------------------------------------------

@dataclass
class FakeResult:
    rule_id: str
    status: str
    count: int = 0
    population: int | None = None
    reason: str | None = None


def test_cross_check_flags_implemented_answers_contradicted_by_findings():
    answers = _answers({**GOOD, "staff_training_refresh": {"status": "implemented", "evidence": "LMS",
                                                           "owner": "HR"}})
    results = [FakeResult("request_overdue", "failed", 7, 80),
               FakeResult("extension_not_notified", "passed", 0, 80),
               FakeResult("erasure_incomplete", "failed", 3, 5),  # answered partly: no contradiction
               FakeResult("untrained_crm_user", "not_assessed", reason="table training missing")]
    checks = {(c.measure, c.rule_id): c for c in cross_check(BANK, answers, results)}
    overdue = checks[("request_handling_procedure", "request_overdue")]
    assert overdue.outcome == "contradicted" and overdue.count == 7
    assert overdue.message == ("answered implemented, but 7 requests were not answered within the deadline "
                               "(request_overdue, Art. 12(3))")
    assert checks[("request_handling_procedure", "extension_not_notified")].outcome == "consistent"
    assert checks[("staff_training_refresh", "untrained_crm_user")].outcome == "not_checked"
    assert "table training missing" in checks[("staff_training_refresh", "untrained_crm_user")].message
    assert not any(m == "erasure_across_systems" for m, _ in checks)


def test_a_single_finding_reads_in_the_singular_and_every_rule_has_a_phrase():
    assert set(RULE_PHRASES) == {r.id for r in RULES}
    answers = _answers(GOOD)
    (c, _) = cross_check(BANK, answers, [FakeResult("request_overdue", "failed", 1, 9)])
    assert "1 request was not answered" in c.message


def test_assess_and_write_outputs(tmp_path):
    answers = _answers(GOOD, organisation="Acme")
    result = assess(BANK, answers, as_of=AS_OF, results=[FakeResult("request_overdue", "failed", 7, 80)],
                    dataset="fake", dataset_as_of=AS_OF)
    written = write_outputs(result, tmp_path / "out")
    data = json.loads(written["json"].read_text(encoding="utf-8"))
    assert data["organisation"] == "Acme" and data["as_of"] == "2026-11-01"
    assert [c["concern"] for c in data["concerns"]] == list(CONCERNS)
    assert data["cross_check"]["performed"] is True
    assert data["cross_check"]["contradictions"][0]["measure"] == "request_handling_procedure"
    assert len(data["unanswered"]) == len(BANK.measures) - len(GOOD)
    assert "points per measure" in data["method"]
    rows = list(csv.DictReader(io.StringIO(written["csv"].read_text(encoding="utf-8"))))
    assert len(rows) == len(data["action_plan"])
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_without_a_dataset_nothing_is_cross_checked():
    result = assess(BANK, _answers(GOOD), as_of=AS_OF)
    data = result.to_dict()
    assert data["cross_check"]["performed"] is False and not result.checks
    assert data["overall"]["score"] == data["overall"]["declared_score"]


def test_a_dataset_is_checked_as_of_its_own_date_unless_one_is_given():
    """The sample's manifest says 2026-11-01; a single file of it is checked as of that date too."""
    assessment, as_of = check_dataset(SAMPLE / "training.csv")
    assert as_of == dt.date(2026, 11, 1) and assessment.metadata["as_of"] == "2026-11-01"
    assessment, as_of = check_dataset(SAMPLE / "training.csv", dt.date(2026, 1, 31))
    assert as_of == dt.date(2026, 1, 31) and assessment.metadata["as_of"] == "2026-01-31"


def test_notebook_parameters_resolve_from_its_folder_and_empty_means_not_given():
    p = validate_parameters({"dataset": "../datasets/sample", "as_of": "2026-06-30"}, set(),
                            base=ROOT / "notebooks")
    assert (p.answers, p.dataset, p.as_of) == (EXAMPLE, SAMPLE, dt.date(2026, 6, 30))
    assert (p.organisation, p.output_dir) == (None, None)


def test_notebook_parameter_problems_are_listed_in_one_error(tmp_path):
    with pytest.raises(ParameterError) as info:
        validate_parameters({"answers": "", "dataset": "nowhere", "as_of": "30.06.2026", "answer": "x"},
                            set(), base=tmp_path)
    message = str(info.value)
    assert message.startswith("4 parameter problem(s):\n- unknown parameter 'answer'")
    assert "- answers: empty; pass the YAML file with the answers" in message
    assert "- dataset: 'nowhere' does not exist" in message
    assert "- as_of: '30.06.2026' is not a date written YYYY-MM-DD" in message
