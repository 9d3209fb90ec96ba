"""notebooks/crm_assessment.ipynb run end to end by papermill, as an auditor's pipeline would run it.

On a small generated dataset the findings must name exactly the rules planted in its ground truth, and no
plaintext e-mail address may reach findings.json, findings.csv or the executed notebook. Bad parameters
and a broken dataset must stop the run with the library's own message, visible in the papermill error.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

from gdprlab.audit.notebook import SPEC
from gdprlab.generator import GeneratorConfig, generate, write_dataset

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "crm_assessment.ipynb"
AS_OF = dt.date(2026, 3, 16)  # not the sample's 2026-11-01


def execute(out: Path, **parameters: object) -> Path:
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, cwd=str(NOTEBOOK.parent),
                        kernel_name="python3", progress_bar=False)
    return out


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    cfg = GeneratorConfig(contacts=800, seed=21, as_of=AS_OF, profile="typical")
    return write_dataset(generate(cfg), tmp_path_factory.mktemp("nb") / "crm")


@pytest.fixture(scope="module")
def run(dataset: Path, tmp_path_factory) -> tuple[Path, Path]:
    """The executed notebook and its output folder."""
    tmp = tmp_path_factory.mktemp("run")
    out = tmp / "findings"
    notebook = execute(tmp / "executed.ipynb", dataset=str(dataset), as_of=AS_OF.isoformat(),
                       output_dir=str(out), evidence=2, organisation="Test AG")
    return notebook, out


def test_parameters_cell_matches_the_spec() -> None:
    """`papermill --help-notebook` documents every parameter: same names, types, defaults, help."""
    found = pm.inspect_notebook(str(NOTEBOOK))
    assert list(found) == [p.name for p in SPEC]
    for p in SPEC:
        assert found[p.name]["inferred_type_name"] == p.type.__name__
        default = f'"{p.default}"' if isinstance(p.default, str) else repr(p.default)
        assert found[p.name]["default"] == default
        assert found[p.name]["help"] == p.help


def test_findings_name_exactly_the_planted_rules(run, dataset: Path) -> None:
    _, out = run
    report = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    planted = set(pd.read_csv(dataset / "ground_truth.csv")["rule_id"])
    assert {f["rule_id"] for f in report["findings"]} == planted
    assert report["metadata"]["as_of"] == AS_OF.isoformat()
    assert report["metadata"]["evidence_per_finding"] == 2
    assert all(len(f["evidence"]) == min(2, f["count"]) for f in report["findings"])
    assert (out / "findings.csv").read_text(encoding="utf-8").startswith('"id","rule","title"')
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.json"]


def test_no_plaintext_email_reaches_any_output(run, dataset: Path) -> None:
    notebook, out = run
    emails = set(pd.read_csv(dataset / "contacts.csv", dtype=str)["email"].dropna())
    emails |= set(pd.read_csv(dataset / "staff.csv", dtype=str)["email"].dropna())
    cells = nbformat.read(notebook, as_version=4).cells
    outputs = [json.dumps(cell.get("outputs", []), ensure_ascii=False) for cell in cells]
    texts = [(out / "findings.json").read_text(encoding="utf-8"),
             (out / "findings.csv").read_text(encoding="utf-8"), "\n".join(outputs)]
    assert all("***@" in text for text in texts[::2])  # addresses are shown, masked as a***@e***.de
    # (findings.csv is the tracker's list of actions: no evidence at all)
    for text in texts:
        leaked = [e for e in emails if e in text]
        assert not leaked, f"{len(leaked)} plaintext e-mail address(es) in an output"


def test_the_executed_notebook_shows_charts_and_masked_evidence(run) -> None:
    notebook, _ = run
    outputs = [o for cell in nbformat.read(notebook, as_version=4).cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 4
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "Masked evidence" in html and "***@" in html


@pytest.mark.parametrize(("parameters", "message"), [
    ({"evidnce": 2}, "unknown parameter 'evidnce'"),
    ({"dataset": "/no/such/crm"}, "dataset: '/no/such/crm' does not exist"),
    ({"as_of": "2026-02-30"}, "as_of: '2026-02-30' is not a calendar date"),
])
def test_bad_parameter_stops_the_run_with_its_message(parameters: dict, message: str, tmp_path: Path) -> None:
    with pytest.raises(pm.PapermillExecutionError) as info:
        execute(tmp_path / "bad.ipynb", output_dir=str(tmp_path / "out"), **parameters)
    assert info.value.ename == "ParameterError"
    assert message in str(info.value)
    assert not (tmp_path / "out").exists()


def test_broken_dataset_stops_the_run_with_the_dataset_error(dataset: Path, tmp_path: Path) -> None:
    broken = shutil.copytree(dataset, tmp_path / "broken")
    contacts = pd.read_csv(broken / "contacts.csv", dtype=str, keep_default_na=False)
    contacts.loc[2, "birth_date"] = "31/12/1980"
    contacts.to_csv(broken / "contacts.csv", index=False)
    with pytest.raises(pm.PapermillExecutionError) as info:
        execute(tmp_path / "bad.ipynb", dataset=str(broken), output_dir=str(tmp_path / "out"))
    assert info.value.ename == "DatasetError"
    expected = "column 'birth_date' has 1 value(s) that are not dates written YYYY-MM-DD, at data row(s) 3"
    assert expected in str(info.value)
    assert not (tmp_path / "out").exists()


def test_notebook_is_committed_clean_and_without_pyplot() -> None:
    """No outputs in the repository; figures are shown by gdprlab.audit.charts, not pyplot's inline
    backend."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [c for c in code if c.outputs or c.execution_count is not None]
    source = "\n".join(c.source for c in code)
    assert "charts.show_figures_inline()" in source
    assert "%matplotlib" not in source and "matplotlib.pyplot" not in source
