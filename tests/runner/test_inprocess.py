"""Notebooks run in this process record the same outputs a kernel would, each in a fresh namespace."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from gdprlab.runner.batch import papermill_engine, run_batch, worker_pool

ROOT = Path(__file__).resolve().parents[2]


def notebook(folder: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A test")]
                                  + [nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "test.ipynb"
    nbformat.write(nb, str(path))
    return path


def execute(path: Path, out: Path) -> nbformat.NotebookNode:
    papermill.execute_notebook(str(path), str(out), engine_name=papermill_engine(in_process=True),
                               progress_bar=False, resources={"metadata": {"path": str(path.parent)}})
    return nbformat.read(str(out), as_version=4)


def test_streams_displays_results_and_the_working_folder_are_recorded_as_a_kernel_sends_them(tmp_path):
    (tmp_path / "data.txt").write_text("from the notebook's folder", encoding="utf-8")
    path = notebook(tmp_path,
                    "print('hello'); import sys; print('careful', file=sys.stderr)",
                    "from IPython.display import Markdown, display\ndisplay(Markdown('**bold**'))\n1 + 1",
                    "open('data.txt').read()",
                    "x = 5;")
    before = os.getcwd()
    nb = execute(path, tmp_path / "out.ipynb")
    assert os.getcwd() == before
    first, second, third, fourth = nb.cells[1:]
    assert [(o.output_type, o.name, o.text) for o in first.outputs] == [
        ("stream", "stdout", "hello\n"), ("stream", "stderr", "careful\n")]
    assert [o.output_type for o in second.outputs] == ["display_data", "execute_result"]
    assert second.outputs[0].data["text/markdown"] == "**bold**"
    assert second.outputs[1].data["text/plain"] == "2" and second.outputs[1].execution_count == 2
    assert third.outputs[0].data["text/plain"] == "\"from the notebook's folder\""
    assert fourth.outputs == [] and [c.execution_count for c in nb.cells[1:]] == [1, 2, 3, 4]


def test_a_failing_cell_stops_the_run_with_papermills_error_and_keeps_the_notebook(tmp_path):
    path = notebook(tmp_path, "a = 1", "raise ValueError('bad value')", "never = True")
    with pytest.raises(PapermillExecutionError) as err:
        execute(path, tmp_path / "out.ipynb")
    assert (err.value.ename, err.value.evalue, err.value.exec_count) == ("ValueError", "bad value", 2)
    nb = nbformat.read(str(tmp_path / "out.ipynb"), as_version=4)
    failing = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("raise")][0]
    assert failing.outputs[-1].output_type == "error" and any("ValueError" in line
                                                              for line in failing.outputs[-1].traceback)
    assert [c for c in nb.cells if c.source == "never = True"][0].execution_count is None


def test_each_notebook_starts_with_a_fresh_namespace(tmp_path):
    execute(notebook(tmp_path, "secret = 'left behind'"), tmp_path / "one.ipynb")
    nb = execute(notebook(tmp_path, "'secret' in globals()"), tmp_path / "two.ipynb")
    assert nb.cells[1].outputs[0].data["text/plain"] == "False"


def test_the_assessment_finds_the_same_in_process_as_in_a_kernel(tmp_path):
    sample = ROOT / "datasets" / "sample"
    runs = {kernel: run_batch([sample], out=tmp_path / str(kernel), progress=False, kernel=kernel).runs[0]
            for kernel in (False, True)}
    assert all(run.ok for run in runs.values())
    findings = {k: json.loads((run.folder / "findings.json").read_text(encoding="utf-8"))
                for k, run in runs.items()}
    for run in findings.values():
        run.pop("output_dir", None)
    assert findings[False]["findings"] == findings[True]["findings"]
    assert findings[False]["scores"] == findings[True]["scores"]


def test_a_shell_the_process_already_has_is_left_as_it_was(tmp_path):
    import sys

    from IPython.core.interactiveshell import InteractiveShell

    main = sys.modules["__main__"]
    host = InteractiveShell.instance()  # as in a notebook that starts gdprlab assess
    try:
        host.user_ns["mine"] = "kept"
        cell = "from IPython import get_ipython\n'mine' not in get_ipython().user_ns"
        nb = execute(notebook(tmp_path, cell), tmp_path / "out.ipynb")
        assert nb.cells[1].outputs[0].data["text/plain"] == "True"  # the notebook ran in the engine's shell
        assert InteractiveShell.instance() is host and host.user_ns["mine"] == "kept"
    finally:  # leave the test process without a shell, as it was
        InteractiveShell.clear_instance()
        sys.modules["__main__"] = main


@pytest.mark.slow
def test_worker_processes_are_spawned_inside_a_kernel(tmp_path, monkeypatch):
    import sys
    import types

    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    pool = worker_pool(1)
    try:
        assert pool._mp_context.get_start_method() == "spawn"
    finally:
        pool.shutdown()
    sample = ROOT / "datasets" / "sample"
    result = run_batch([sample, sample], out=tmp_path, jobs=2, progress=False, compare=False)
    assert [run.ok for run in result.runs] == [True, True]


def _duckdb_threads() -> int:
    from gdprlab.crm.backends import connect

    backend = connect("duckdb")
    try:
        return int(backend.con.sql("SELECT current_setting('threads')").fetchall()[0][0])
    finally:
        backend.disconnect()


def test_each_of_the_batch_workers_opens_duckdb_with_its_share_of_the_cores():
    """Two workers each running DuckDB with a thread per core ran a batch in 70 % of the serial time on 2
    cores, not half (benchmarks/assess_speed.py)."""
    pool = worker_pool(2)
    try:
        shares = {pool.submit(_duckdb_threads).result() for _ in range(4)}
    finally:
        pool.shutdown()
    assert shares == {max(1, (os.cpu_count() or 1) // 2)}
    import duckdb

    with duckdb.connect() as plain:
        default = plain.sql("SELECT current_setting('threads')").fetchall()[0][0]
    assert _duckdb_threads() == int(default)  # the batch's own process keeps DuckDB's default


def test_the_process_keeps_its_own_main_module(tmp_path):
    import sys

    main = sys.modules["__main__"]
    nb = execute(notebook(tmp_path, "import sys\nsys.modules['__main__'].__dict__ is globals()"),
                 tmp_path / "out.ipynb")
    assert nb.cells[1].outputs[0].data["text/plain"] == "True"  # the notebook's namespace while it runs
    assert sys.modules["__main__"] is main
