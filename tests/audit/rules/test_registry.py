"""Every catalogue rule has exactly one implementation, declared beside its finder, and all of them run
on any tables."""

from __future__ import annotations

import pytest
from helpers import table
from rule_cases import AS_OF, POLICY, breach, found, send

from gdprlab.audit.engine import find_violations
from gdprlab.audit.rules import base
from gdprlab.audit.rules.registry import IMPLEMENTED
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.catalogue import RULES


def test_every_catalogue_rule_has_exactly_one_implementation_in_its_concerns_module():
    assert [impl.id for impl in IMPLEMENTED] == [r.id for r in RULES]
    for impl in IMPLEMENTED:
        assert impl.module == f"gdprlab.audit.rules.{impl.rule.concern}", impl.id


def test_a_second_implementation_of_a_rule_is_refused():
    with pytest.raises(ValueError, match="implemented twice"):
        base.rule("retention_exceeded", population=("x", base.count_rows("contacts")))(lambda t, p, d: None)


def test_an_implementation_of_no_catalogue_rule_is_refused():
    with pytest.raises(KeyError, match="no such rule"):
        base.rule("no_such_rule", population=("x", base.count_rows("contacts")))


def test_every_declared_table_and_evidence_field_is_in_the_schema():
    for impl in IMPLEMENTED:
        assert set(impl.tables) | set(impl.any_of) | set(impl.optional) <= set(TABLES), impl.id
        own = set(TABLES[impl.rule.table].column_names)
        assert set(impl.evidence) <= own and set(impl.optional_columns) <= own, impl.id


def test_find_violations_sorts_like_a_ground_truth_and_skips_missing_tables():
    tables = {
        "breaches": table("breaches", breach("B2", description=None, risk="unlikely"),
                          breach("B1", measures=None, risk="unlikely")),
        "policies": table("policies", {"policy_id": "P1", "kind": "privacy_notice"}),
        "activities": table("activities", send("E1", "2026-01-01T00:00:00Z")),  # no consents: not judged
    }
    out = find_violations(tables, POLICY, AS_OF)
    assert list(out.columns) == ["rule_id", "table", "record_id"]
    assert out.values.tolist() == [
        ["breach_record_incomplete", "breaches", "B1"],
        ["breach_record_incomplete", "breaches", "B2"],
        ["policy_review_overdue", "policies", "P1"],
    ]


@pytest.mark.parametrize("rows", [0, 2])
def test_every_finder_runs_on_empty_tables_and_on_rows_with_every_value_missing(rows):
    """Nothing to judge is no finding (and no crash), except columns the empty record of processing omits."""
    tables = {name: table(name, *({} for _ in range(rows))) for name in TABLES}
    ids = {impl.id: found(impl.id, **tables) for impl in IMPLEMENTED}
    assert {rule: found_ids for rule, found_ids in ids.items() if found_ids} == {
        "undeclared_personal_data": sorted(c for c in TABLES["contacts"].column_names if c != "contact_id")}
