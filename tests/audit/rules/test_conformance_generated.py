"""On generated datasets of every profile, Spark finds what DuckDB finds (which is the generator's ground
truth: test_ground_truth.py). Apart from test_conformance.py so that pytest-xdist, which gives each file to
one worker, runs the two halves side by side. Spark is the test session's (tests/conftest.py): without
Java 17 or pyspark its tests skip, saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from audit.rules.boundary import backend
from audit.rules.test_conformance import RULE_IDS, Backends, Findings, findings

from gdprlab.generator import GeneratorConfig, generate

#: generated datasets: profile -> contacts
GENERATED = {"clean": 400, "typical": 1000, "messy": 1000}
GENERATED_AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def backends(request: pytest.FixtureRequest) -> Backends:
    """An engine's backend by name (Spark's skips when it cannot start)."""
    return lambda name: backend(request, name)


@pytest.fixture(scope="module")
def generated() -> Callable[[Backends, str, str], Findings]:
    """findings() of (engine, generated profile), each dataset generated once per module."""
    data: dict[str, object] = {}
    cache: dict[tuple[str, str], Findings] = {}

    def get(backends: Backends, engine: str, profile: str) -> Findings:
        if profile not in data:
            cfg = GeneratorConfig(contacts=GENERATED[profile], seed=7, as_of=GENERATED_AS_OF, profile=profile)
            data[profile] = generate(cfg, workers=1)
        if (engine, profile) not in cache:
            ds = data[profile]
            cache[engine, profile] = findings(backends(engine), ds.tables, ds.policy, GENERATED_AS_OF)
        return cache[engine, profile]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("rule_id", RULE_IDS)
@pytest.mark.parametrize("profile", GENERATED)
def test_spark_finds_what_duckdb_finds_in_generated_data(generated, backends, profile, rule_id):
    assert generated(backends, "spark", profile)[rule_id] == generated(backends, "duckdb", profile)[rule_id]


def test_generated_data_has_findings_of_every_rule_but_the_clean_profile(generated, backends):
    assert all(isinstance(ids, list) and ids for ids in generated(backends, "duckdb", "messy").values())
    assert all(ids == [] for ids in generated(backends, "duckdb", "clean").values())


