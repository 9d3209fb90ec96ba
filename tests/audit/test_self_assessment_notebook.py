"""notebooks/self_assessment.ipynb under papermill: other parameters, a dataset, a broken answers file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

papermill = pytest.importorskip("papermill", reason="papermill is needed to run the notebook")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "self_assessment.ipynb"
EXAMPLE = ROOT / "notebooks" / "example_answers.yaml"


def test_parameters_cell_matches_the_spec() -> None:
    """`papermill --help-notebook` documents every parameter as selfassess.SPEC does."""
    from gdprlab.audit.selfassess import SPEC

    found = papermill.inspect_notebook(str(NOTEBOOK))
    assert list(found) == [p.name for p in SPEC]
    for p in SPEC:
        assert found[p.name]["inferred_type_name"] == p.type.__name__
        assert found[p.name]["default"] == f'"{p.default}"'
        assert found[p.name]["help"] == p.help


def _run(tmp_path: Path, **parameters: str) -> Path:
    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, cwd=str(NOTEBOOK.parent),
                               kernel_name="python3", progress_bar=False)
    return out


def test_the_notebook_rates_answers_and_flags_contradictions_from_data(tmp_path, typical_dir):
    answers = tmp_path / "answers.yaml"
    answers.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "organisation: Nordwind Handels GmbH", "organisation: Not This Name"), encoding="utf-8")
    out_dir = tmp_path / "results"
    _run(tmp_path, answers=str(answers), dataset=str(typical_dir), organisation="Test Org",
         as_of="2026-06-30", output_dir=str(out_dir))

    data = json.loads((out_dir / "self_assessment.json").read_text(encoding="utf-8"))
    assert data["organisation"] == "Test Org" and data["as_of"] == "2026-06-30"
    assert data["answers_file"] == str(answers)
    assert data["cross_check"]["performed"] and data["cross_check"]["dataset"] == str(typical_dir)
    contradictions = {(c["measure"], c["rule_id"]): c for c in data["cross_check"]["contradictions"]}
    overdue = contradictions[("request_handling_procedure", "request_overdue")]
    assert overdue["count"] > 0
    assert overdue["message"].startswith("answered implemented, but ")
    assert overdue["message"].endswith("(request_overdue, Art. 12(3))")
    assert {c["concern"] for c in data["concerns"]} >= {"rights", "education"}
    assert data["overall"]["rating"] in ("green", "amber", "red")
    assert data["overall"]["score"] < data["overall"]["declared_score"]
    plan = (out_dir / "action_plan.csv").read_text(encoding="utf-8").splitlines()
    assert plan[0].startswith('"concern","severity","measure"')
    assert len(plan) == len(data["action_plan"]) + 1
    assert any(a["measure"] == "request_handling_procedure" and a["status"] == "contradicted"
               for a in data["action_plan"])


def test_a_broken_answers_file_stops_the_notebook_with_the_answers_error(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("answers:\n  dpia_high_risk:\n    status: maybe\n    owner: DPO\n", encoding="utf-8")
    with pytest.raises(papermill.PapermillExecutionError) as info:
        _run(tmp_path, answers=str(broken), output_dir=str(tmp_path / "never"))
    message = str(info.value)
    assert "AnswersError" in message
    assert f"{broken}: measure 'dpia_high_risk', field 'status': 'maybe' is not a status" in message
    assert not (tmp_path / "never").exists()


def test_a_misspelt_parameter_is_refused(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as info:
        _run(tmp_path, answer="example_answers.yaml", output_dir=str(tmp_path / "never"))
    assert "ParameterError" in str(info.value) and "unknown parameter 'answer'" in str(info.value)


def test_the_self_assessment_report_speaks_in_words_and_the_summary_names_what_it_wrote(tmp_path) -> None:
    """No `nan`, no True/False, no pandas row numbers, no parameter dump or run instructions in report.html;
    dates in words; `gdprlab assess` says which files the notebook wrote."""
    import re

    from gdprlab.runner.batch import run_batch

    result = run_batch([ROOT / "datasets" / "sample"], notebook="self_assessment", out=tmp_path / "out",
                       progress=False)
    (run,) = result.runs
    assert run.ok, run.error
    page = run.report.read_text(encoding="utf-8")
    body = page[page.index("<body"):]
    for raw in (">nan<", ">False<", ">True<", "Params(", "PosixPath", "papermill"):
        assert raw not in body, raw
    assert not re.search(r"<th[^>]*>\d+</th>", body)  # no index column of row numbers
    assert re.search(r">\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
                     r"November|December) \d{4}<", body)
    assert "ok, wrote action_plan.csv, self_assessment.json" in result.summary()
