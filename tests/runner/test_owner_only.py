"""Files that hold personal data are owner-only (issue 14): a run's folder 0700, its executed notebook,
report.html, findings and run.json 0600, whatever the umask."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gdprlab.runner.batch import run_batch

FIXTURE = Path(__file__).resolve().parents[1] / "notebooks" / "fixture_assessment.ipynb"


@pytest.fixture
def open_umask():
    """The most permissive umask: whatever is owner-only below is so because gdprlab made it so."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def test_a_runs_files_and_folder_are_owner_only(tmp_path: Path, open_umask) -> None:
    data = tmp_path / "data" / "sales"
    data.mkdir(parents=True)
    (data / "findings.json").write_text(json.dumps({
        "metadata": {"as_of": "2026-06-30"}, "scores": {"overall": 1.0, "by_concern": {}}, "findings": [],
        "passed": [], "not_assessed": []}), encoding="utf-8")
    result = run_batch([data], notebook=FIXTURE, out=tmp_path / "out", progress=False,
                       parameters={"organisation": "Example GmbH", "as_of": "2026-06-30"})
    (run,) = result.runs
    assert run.ok, run.error
    assert run.folder.stat().st_mode & 0o777 == 0o700
    # (the fixture notebook writes its findings.json itself; the real one writes it with write_atomic, 0600)
    written = (run.folder / "report.html", run.folder / "run.json", run.notebook)
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in written} == {p.name: "0o600" for p in written}


def test_findings_are_owner_only(tmp_path: Path, open_umask) -> None:
    from gdprlab.crm.files import write_atomic

    assert write_atomic(tmp_path / "findings.json", "{}").stat().st_mode & 0o777 == 0o600
