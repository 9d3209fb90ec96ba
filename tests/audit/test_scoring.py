"""Scores 0-100 per concern and overall: the properties the method in gdprlab.audit.scoring promises."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gdprlab.audit.scoring import FLOOR, MIN_COVERAGE, TOLERANCE, WEIGHT, rule_penalty, score
from gdprlab.regulation.catalogue import CONCERNS, RULES, RULES_BY_ID


@dataclass
class Result:
    rule_id: str
    status: str = "passed"
    count: int = 0
    population: int | None = 1000


def all_passed(**changes: Result) -> list[Result]:
    return [changes.get(r.id, Result(r.id)) for r in RULES]


def failing(rule_id: str, count: int, population: int = 1000) -> Result:
    return Result(rule_id, "failed", count, population)


def test_no_findings_scores_100_everywhere():
    s = score(all_passed())
    assert s.overall == 100.0 and set(s.by_concern.values()) == {100.0}
    assert s.coverage == 1.0 and s.not_assessed == ()


def test_more_violations_never_score_higher_and_score_lower_until_saturated():
    rid = "retention_exceeded"  # medium: saturates at 10 %
    counts = (0, 1, 20, 50, 99, 100, 500, 1000)
    overall = [score(all_passed(**{rid: failing(rid, n)})).overall for n in counts]
    assert overall == sorted(overall, reverse=True)
    assert overall[0] > overall[1] > overall[3] > overall[4]  # below the 10 % tolerance every step counts
    assert overall[5] == overall[6] == overall[7]  # from 10 % on, the rule counts as entirely failed


def test_any_violation_costs_at_least_the_floor():
    assert rule_penalty(1, 10**9, "low") == FLOOR
    assert rule_penalty(0, 10, "critical") == 0.0


def test_penalty_is_the_rate_over_the_tolerance_of_the_severity():
    assert rule_penalty(5, 1000, "critical") == pytest.approx(0.005 / TOLERANCE["critical"])
    assert rule_penalty(50, 1000, "high") == 1.0


def test_a_critical_rule_weighs_more_than_a_low_one():
    critical = score(all_passed(breach_not_notified=failing("breach_not_notified", 500)))
    low = score(all_passed(inaccurate_data=failing("inaccurate_data", 500)))
    assert critical.overall < low.overall
    assert WEIGHT["critical"] > WEIGHT["high"] > WEIGHT["medium"] > WEIGHT["low"]


def test_a_not_assessed_rule_does_not_count_as_passed():
    bad = failing("breach_not_notified", 500)
    skipped = Result("subjects_not_informed", "not_assessed", population=None)
    with_skip = score(all_passed(breach_not_notified=bad, subjects_not_informed=skipped))
    with_pass = score(all_passed(breach_not_notified=bad))
    assert with_skip.overall < with_pass.overall
    assert with_skip.by_concern["security_plans"] < with_pass.by_concern["security_plans"]
    assert "subjects_not_informed" in with_skip.not_assessed
    assert "subjects_not_informed" not in with_skip.penalties
    assert with_skip.coverage < 1.0


def test_a_concern_with_nothing_assessed_has_no_score():
    people = {r.id: Result(r.id, "not_assessed", population=None) for r in RULES if r.concern == "people"}
    s = score(all_passed(**people))
    assert s.by_concern["people"] is None and s.overall == 100.0


def test_the_overall_score_is_a_number_only_from_half_the_catalogues_weight():
    weights = {r.id: WEIGHT[r.severity] for r in RULES}
    total = sum(weights.values())
    kept, share = [], 0
    for r in sorted(RULES, key=lambda r: weights[r.id]):  # lightest rules first, up to just under half
        if share + weights[r.id] >= total * MIN_COVERAGE:
            break
        kept.append(r.id)
        share += weights[r.id]
    below = score([Result(r.id) if r.id in kept else Result(r.id, "not_assessed", population=None)
                   for r in RULES])
    assert below.coverage < MIN_COVERAGE and below.overall is None and below.overall_assessed == 100.0
    assert below.headline == (f"insufficient coverage: {len(kept)} of {len(RULES)} rules "
                              f"({100 * below.coverage:.0f} %)")
    assert below.to_dict()["overall"] is None and below.to_dict()["headline"] == below.headline
    heavy = score(all_passed(**{r.id: Result(r.id, "not_assessed", population=None) for r in RULES
                                if r.severity == "low"}))
    assert heavy.coverage >= MIN_COVERAGE and heavy.overall == 100.0 and heavy.headline == "100.0"


def test_one_rule_assessed_never_reads_as_a_score():
    s = score([Result(r.id) if r.id == "inaccurate_data" else Result(r.id, "not_assessed", population=None)
               for r in RULES])
    assert s.overall is None and s.headline.startswith(f"insufficient coverage: 1 of {len(RULES)} rules (")


def test_nothing_assessed_has_no_overall_score():
    s = score([Result(r.id, "not_assessed", population=None) for r in RULES])
    assert s.overall is None and set(s.by_concern.values()) == {None} and s.coverage == 0.0


def test_scores_stay_between_0_and_100():
    s = score([failing(r.id, 1000) for r in RULES])
    assert s.overall == 0.0 and all(v == 0.0 for v in s.by_concern.values())


def test_every_concern_is_scored_and_every_severity_weighed():
    assert set(score(all_passed()).by_concern) == set(CONCERNS)
    assert {r.severity for r in RULES_BY_ID.values()} <= set(WEIGHT) == set(TOLERANCE)


@pytest.mark.parametrize(("value", "name"), [(100.0, "good"), (90.0, "good"), (89.9, "fair"), (75.0, "fair"),
                                             (50.0, "poor"), (49.9, "critical"), (0.0, "critical")])
def test_every_score_has_one_band_with_its_meaning(value: float, name: str) -> None:
    from gdprlab.audit.scoring import band

    found, meaning = band(value)
    assert found == name and meaning


def test_a_score_withheld_for_coverage_has_no_band() -> None:
    from gdprlab.audit.scoring import band

    assert band(None)[0] == "no score"
