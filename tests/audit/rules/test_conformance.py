"""Every rule finds the same records on every engine: DuckDB, and PySpark in local mode.

On the boundary-case dataset (tests/audit/rules/boundary.py) and its variants, each engine finds exactly
the records worked out by hand there, or reports the rule not assessed for the reason given there
(generated datasets: test_conformance_generated.py). "elsewhere" is DuckDB taking the paths of engines
other than DuckDB (boundary.py).
Spark is the test session's (tests/conftest.py): without Java 17 or pyspark its tests skip, saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from audit.rules.boundary import AS_OF, DATASETS, EXPECTED, POLICY, backend, tables

from gdprlab.audit.engine import run_checks
from gdprlab.regulation.catalogue import RULES
from gdprlab.regulation.policy import Policy

ENGINES = ("duckdb", "spark")
RULE_IDS = [r.id for r in RULES]

Findings = dict[str, list[str] | str]
Backends = Callable[[str], Any]


@pytest.fixture
def backends(request: pytest.FixtureRequest) -> Backends:
    """An engine's backend by name (Spark's skips when it cannot start)."""
    return lambda name: backend(request, name)


def findings(backend: Any, tables: dict, policy: Policy, as_of: dt.date) -> Findings:
    """Per rule, the ids an engine finds (with evidence picked and masked), or why it is not assessed."""
    assessment = run_checks(tables, policy, as_of, evidence=3, backend=backend)
    return {r.rule_id: r.reason if r.status == "not_assessed" else list(r.record_ids)
            for r in assessment.results}


@pytest.fixture(scope="module")
def found() -> Callable[[Backends, str, str], Findings]:
    """findings() of (engine, boundary dataset), computed once per module."""
    cache: dict[tuple[str, str], Findings] = {}

    def get(backends: Backends, engine: str, dataset: str) -> Findings:
        if (engine, dataset) not in cache:
            make, _ = DATASETS[dataset]
            cache[engine, dataset] = findings(backends(engine), make(), POLICY, AS_OF)
        return cache[engine, dataset]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("rule_id", RULE_IDS)
@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_finds_the_hand_checked_records_of_the_boundary_cases(found, backends, engine, dataset,
                                                                          rule_id):
    _, expected = DATASETS[dataset]
    want = expected[rule_id]
    assert found(backends, engine, dataset)[rule_id] == (want if isinstance(want, str) else sorted(want))


def test_on_an_engine_that_cannot_run_one_rule_that_rule_alone_is_not_assessed_saying_why(backends):
    """Only DuckDB matches the special-category and criminal-offence terms itself, and only Spark is given
    Python to run them; every other rule, run by the paths of engines other than DuckDB, finds the
    hand-checked records."""
    reason = "{} needs the engine to run Python, which gdprlab asks of Spark only, not of elsewhere"
    expected = {rule_id: sorted(ids) for rule_id, ids in EXPECTED.items()}
    assert findings(backends("elsewhere"), tables(), POLICY, AS_OF) == expected | {
        "special_category_without_condition": reason.format("reveals_special_category"),
        "criminal_data_without_authorisation": reason.format("reveals_criminal_offence")}
