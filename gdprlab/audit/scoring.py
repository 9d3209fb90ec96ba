"""Compliance scores from 0 (every rule badly failed) to 100 (no violation found), per concern and overall.

Method
------
Each assessed rule r gets a penalty p_r between 0 and 1 from its violation rate (count / population):

    p_r = 0                                           when no record violates it,
    p_r = max(FLOOR, min(1, rate_r / TOLERANCE[s]))    otherwise, s being the rule's severity.

TOLERANCE[s] is the violation rate at which a rule of severity s counts as entirely failed (1 % for
critical rules, 5 % high, 10 % medium, 20 % low); below it the penalty grows in proportion to the rate.
FLOOR (0.1) makes any violation cost something, however large the population, so a score of 100 always
means "nothing found". A score is the weighted share of penalty avoided,

    score = 100 * (1 - sum(w_r * p_r) / sum(w_r)),   w_r = WEIGHT[severity of r] (1, 2, 4, 8),

over the assessed rules of one concern (the concern's score) or of the whole catalogue (the overall
score, so every rule weighs by its severity wherever it sits, not by how many rules share its concern).

Rules that could not be assessed (a table missing, or not selected) are left out of both sums and listed
as not assessed: they neither pass nor fail. A concern none of whose rules was assessed has no score
(None), not 100; `coverage` is the share of the catalogue's total weight that was assessed. The overall
score is a number only when at least MIN_COVERAGE (half) of that weight was assessed: below it, `overall`
is None and `headline` reads "insufficient coverage: N of 22 rules (x %)", since a score over a few rules
would pass for a verdict on the whole catalogue. (`overall_assessed` keeps the figure over what was run.)

Properties (tested): no findings gives 100; more violations of a rule never raise a score (and lower it
until the rule's penalty saturates at 1); a not-assessed rule never counts as passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from gdprlab.regulation.catalogue import CONCERNS, RULES_BY_ID

WEIGHT: dict[str, int] = {"low": 1, "medium": 2, "high": 4, "critical": 8}
TOLERANCE: dict[str, float] = {"low": 0.20, "medium": 0.10, "high": 0.05, "critical": 0.01}
FLOOR = 0.1
#: the share of the catalogue's weight that must be assessed for the overall score to be a number
MIN_COVERAGE = 0.5
#: score bands, highest first: (lowest score of the band, its name, what it means for the organisation)
BANDS: tuple[tuple[float, str, str], ...] = (
    (90.0, "good", "few, minor findings: keep the controls and monitor"),
    (75.0, "fair", "gaps to close in the normal remediation cycle"),
    (50.0, "poor", "significant gaps: a remediation plan with owners and dates is needed now"),
    (0.0, "critical", "serious, widespread violations: act at once and involve the DPO and management"),
)
_TOTAL_WEIGHT = sum(WEIGHT[r.severity] for r in RULES_BY_ID.values())


class Scorable(Protocol):
    """What scoring needs of a check result (gdprlab.audit.engine.CheckResult has it)."""

    @property
    def rule_id(self) -> str: ...

    status: str
    population: int | None

    @property
    def count(self) -> int: ...


@dataclass(frozen=True)
class Scores:
    overall: float | None  # None when less than MIN_COVERAGE of the catalogue's weight was assessed
    by_concern: dict[str, float | None]  # every concern of the catalogue; None when none of its rules ran
    penalties: dict[str, float]  # per assessed rule, 0..1
    not_assessed: tuple[str, ...]  # rule ids left out of the scores
    coverage: float  # assessed share of the catalogue's total weight, 0..1
    overall_assessed: float | None = None  # the overall figure over the assessed rules, whatever the coverage

    @property
    def rules_assessed(self) -> int:
        return len(self.penalties)

    @property
    def rules_total(self) -> int:
        """The rules of the catalogue (coverage is a share of their weight)."""
        return len(RULES_BY_ID)

    @property
    def headline(self) -> str:
        """The overall score as text: '87.5', or 'insufficient coverage: 3 of 22 rules (9 %)'."""
        if self.overall is not None:
            return f"{self.overall:.1f}"
        if not self.penalties:
            return f"not assessed: 0 of {self.rules_total} rules"
        return (f"insufficient coverage: {self.rules_assessed} of {self.rules_total} rules "
                f"({100 * self.coverage:.0f} %)")

    def to_dict(self) -> dict:
        return {"overall": self.overall, "headline": self.headline, "overall_assessed": self.overall_assessed,
                "by_concern": dict(self.by_concern), "coverage": self.coverage,
                "min_coverage": MIN_COVERAGE, "rules_assessed": self.rules_assessed,
                "rules_total": self.rules_total,
                "penalties": dict(self.penalties), "not_assessed": list(self.not_assessed),
                "method": "100 * (1 - sum(weight * penalty) / sum(weight)) over assessed rules; "
                          "see gdprlab.audit.scoring"}


def band(score: float | None) -> tuple[str, str]:
    """The band of an overall score and what it means; a score withheld for low coverage has none."""
    if score is None:
        return "no score", f"less than {MIN_COVERAGE:.0%} of the catalogue's weight could be assessed"
    return next((name, meaning) for low, name, meaning in BANDS if score >= low)


def rule_penalty(count: int, population: int | None, severity: str) -> float:
    """0 without violations, else the rate over the severity's tolerance, between FLOOR and 1."""
    if count <= 0:
        return 0.0
    rate = count / population if population else 1.0
    return max(FLOOR, min(1.0, rate / TOLERANCE[severity]))


def _score(penalties: dict[str, float]) -> float | None:
    if not penalties:
        return None
    weights = {rid: WEIGHT[RULES_BY_ID[rid].severity] for rid in penalties}
    lost = sum(weights[rid] * p for rid, p in penalties.items()) / sum(weights.values())
    return round(100 * (1 - lost), 1)


def score(results: Iterable[Scorable]) -> Scores:
    """Scores of a set of check results, by the method of the module docstring."""
    penalties: dict[str, float] = {}
    not_assessed: list[str] = []
    for r in results:
        if r.status == "not_assessed":
            not_assessed.append(r.rule_id)
        else:
            penalties[r.rule_id] = rule_penalty(r.count, r.population, RULES_BY_ID[r.rule_id].severity)
    by_concern = {
        concern: _score({rid: p for rid, p in penalties.items() if RULES_BY_ID[rid].concern == concern})
        for concern in CONCERNS
    }
    coverage = sum(WEIGHT[RULES_BY_ID[rid].severity] for rid in penalties) / _TOTAL_WEIGHT
    overall = _score(penalties)
    return Scores(overall if coverage >= MIN_COVERAGE else None, by_concern,
                  {k: round(v, 4) for k, v in penalties.items()}, tuple(not_assessed), round(coverage, 4),
                  overall)
