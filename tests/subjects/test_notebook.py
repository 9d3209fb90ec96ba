"""notebooks/subject_request.ipynb under papermill: an access request and an erasure request done with their
evidence, masked in the notebook, and named in `gdprlab assess --notebook`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from subjects.subject_data import request_of

from gdprlab.runner.batch import available_notebooks

papermill = pytest.importorskip("papermill", reason="papermill is needed to run the notebook")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "subject_request.ipynb"


def run(tmp_path: Path, **parameters: str) -> str:
    """The executed notebook's outputs (what its report shows), as text."""
    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, cwd=str(NOTEBOOK.parent),
                               kernel_name="python3", progress_bar=False)
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    return json.dumps([c.get("outputs", []) for c in cells], ensure_ascii=False)


def test_parameters_cell_matches_the_spec() -> None:
    from gdprlab.subjects.notebook import SPEC

    found = papermill.inspect_notebook(str(NOTEBOOK))
    assert list(found) == [p.name for p in SPEC]
    for p in SPEC:
        assert found[p.name]["default"] == f'"{p.default}"' and found[p.name]["help"] == p.help
    assert "subject_request" in available_notebooks()


def test_an_erasure_request_is_done_and_checked(people, tmp_path):
    request = request_of(people, "C0001590", "erasure")
    executed = run(tmp_path, dataset=str(people), request=request, output_dir=str(tmp_path / "out"))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["type"] == "erasure" and summary["erasure_incomplete_after"] is False
    assert (tmp_path / "out" / "audit.json").is_file() and (tmp_path / "out" / "dataset").is_dir()
    assert "Irene" not in executed  # the notebook shows masked values only


def test_an_access_request_by_identifiers(people, tmp_path):
    executed = run(tmp_path, dataset=str(people), request_type="access", email="krystyna.cis@wp.pl",
                   output_dir=str(tmp_path / "out"))
    assert (tmp_path / "out" / "access.html").is_file() and (tmp_path / "out" / "portability.zip").is_file()
    assert "krystyna.cis@wp.pl" not in executed
