"""The audit notebook's parameter validator: defaults, each class of bad input, unknown names.

Every problem must surface as one ParameterError that names the parameter and says what to pass, since
papermill itself only warns about unknown names and happily injects any type.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gdprlab.runner.parameters import SPEC, AuditParams, ParameterError, parse_as_of, parse_rules, validate

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE = ROOT / "datasets" / "sample"
BEFORE = {"pd", "validate", "SPEC", "In", "Out", "get_ipython", "exit", "quit"}


def run(base: Path = NOTEBOOKS, **values: object) -> AuditParams:
    """validate() as the notebook calls it: names before the parameters cell, then the parameters."""
    namespace = {name: object() for name in BEFORE} | values
    return validate(namespace, BEFORE, SPEC, base=base)


def problem(**values: object) -> str:
    with pytest.raises(ParameterError) as info:
        run(**values)
    return str(info.value)


def test_defaults_resolve_against_the_notebook_folder() -> None:
    p = run()
    assert p == AuditParams(dataset=SAMPLE, organisation="Example GmbH", as_of=None, policy=None,
                            mapping=None, output_dir=None, evidence=5, top_actions=5, rules=None,
                            fail_on=None)


def test_spec_defaults_are_all_valid_and_documented() -> None:
    p = run(**{s.name: s.default for s in SPEC})
    assert p.dataset == SAMPLE
    assert all(s.help and "=" not in s.help for s in SPEC)  # papermill cannot parse '=' in a help comment
    assert len({s.name for s in SPEC}) == len(SPEC)


def test_values_are_converted(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("training_refresh_months: 6\n", encoding="utf-8")
    p = run(dataset=str(SAMPLE), as_of="2026-02-28", policy=str(policy), output_dir="../output/x",
            evidence=0, top_actions=3, rules=" request_overdue, retention_exceeded,request_overdue ",
            fail_on="High")
    assert p.as_of == dt.date(2026, 2, 28)
    assert p.policy == policy
    assert p.output_dir == (ROOT / "output" / "x")
    assert p.rules == ("request_overdue", "retention_exceeded")
    assert p.fail_on == "high"
    assert (p.evidence, p.top_actions) == (0, 3)


def test_unknown_name_is_an_error_not_a_warning() -> None:
    message = problem(evidnce=2)
    assert "unknown parameter 'evidnce'" in message
    assert "known parameters: dataset, organisation" in message


def test_names_bound_before_the_parameters_cell_and_ipython_names_are_ignored() -> None:
    p = run(_i3="evidence = 2", _=1, __=2, _oh={})
    assert p.evidence == 5


@pytest.mark.parametrize(("values", "expected"), [
    ({"evidence": "5"}, "evidence: expected int, got str '5'"),
    ({"evidence": True}, "evidence: expected int, got bool"),
    ({"evidence": 2.0}, "evidence: expected int, got float"),
    ({"organisation": 123}, "organisation: expected str, got int 123 (papermill -p turns numbers into int; "
                            "pass text with -r)"),
    ({"as_of": dt.date(2026, 1, 1)}, "as_of: expected str, got date"),
])
def test_wrong_type(values: dict, expected: str) -> None:
    assert expected in problem(**values)


def test_missing_paths(tmp_path: Path) -> None:
    assert "dataset: 'nowhere' does not exist (looked for " in problem(dataset="nowhere")
    assert "dataset: empty" in problem(dataset=" ")
    assert "policy: 'no.yaml' does not exist" in problem(policy="no.yaml")
    assert "mapping: 'no.yaml' does not exist" in problem(mapping="no.yaml")
    assert f"policy: {str(tmp_path)!r} is not a file" in problem(policy=str(tmp_path))


def test_dataset_may_be_a_single_export_file() -> None:
    assert run(dataset="../datasets/sample/contacts.csv").dataset == SAMPLE / "contacts.csv"


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-02-30", "is not a calendar date"),
    ("2026-13-01", "is not a calendar date"),
    ("30.06.2026", "is not a date written YYYY-MM-DD"),
    ("20260630", "is not a date written YYYY-MM-DD"),
    ("2026-06-30T00:00", "is not a date written YYYY-MM-DD"),
])
def test_bad_date(text: str, expected: str) -> None:
    assert f"as_of: {text!r} {expected}" in problem(as_of=text)
    with pytest.raises(ValueError, match=expected):
        parse_as_of(text)


def test_empty_date_means_the_datasets_own() -> None:
    assert parse_as_of("  ") is None


def test_unknown_rule_id_lists_the_known_ones() -> None:
    message = problem(rules="request_overdue, request_overdu")
    assert "rules: unknown rule id(s) request_overdu; known: special_category_without_condition" in message
    assert parse_rules(" , ") is None


@pytest.mark.parametrize("name", ["evidence", "top_actions"])
def test_negative_counts(name: str) -> None:
    assert f"{name}: must be at least 0, got -1" in problem(**{name: -1})


def test_bad_severity() -> None:
    assert "fail_on: 'severe' is not a severity; choose one of low, medium, high, critical" in problem(
        fail_on="severe")


def test_every_problem_is_listed_in_one_error() -> None:
    message = problem(colour="red", dataset="nowhere", as_of="yesterday", evidence=-3)
    assert message.startswith("4 parameter problem(s):\n- unknown parameter 'colour'")
    assert all(f"- {name}:" in message for name in ("dataset", "as_of", "evidence"))


def test_parameter_error_is_a_value_error() -> None:
    assert issubclass(ParameterError, ValueError)


def test_missing_names_take_their_defaults() -> None:
    p = validate({"evidence": 1}, set(), base=NOTEBOOKS)
    assert (p.evidence, p.top_actions, p.dataset) == (1, 5, SAMPLE)
