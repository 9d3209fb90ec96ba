"""Committed notebooks must carry no outputs (they could hold personal data and make noisy diffs) and be in
the format JupyterLab writes, so that opening, running and saving a lesson leaves the file unchanged."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import nbformat
import pytest

from gdprlab.runner.hygiene import (
    METADATA,
    clean,
    committed_text,
    dirty_cells,
    dirty_notebooks,
    find_notebooks,
    pre_save_hook,
)
from gdprlab.training.serve import PRE_SAVE_HOOK

ROOT = Path(__file__).resolve().parents[2]


def _code(outputs: list | None = None, count: int | None = None) -> dict:
    return {
        "cell_type": "code",
        "source": "1 + 1",
        "metadata": {},
        "outputs": outputs or [],
        "execution_count": count,
    }


def _notebook(*cells: dict) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}


def _write(path: Path, nb: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


RESULT = {"output_type": "execute_result", "data": {"text/plain": "2"}, "metadata": {}, "execution_count": 1}
MARKDOWN = {"cell_type": "markdown", "source": "# Lesson", "metadata": {}}


def test_committed_notebooks_are_clean() -> None:
    """Zero notebooks (folders not there yet) passes; the checker itself is tested below."""
    dirty = dirty_notebooks(ROOT)
    listing = "\n".join(f"  {path.relative_to(ROOT)}: cells {cells}" for path, cells in dirty.items())
    assert not dirty, (
        f"notebooks with outputs or execution counts:\n{listing}\n"
        "clear them with: jupyter nbconvert --clear-output --inplace FILE"
    )


def test_checker_flags_outputs_and_counts() -> None:
    nb = _notebook(MARKDOWN, _code([RESULT], 1), _code(), _code(count=3), _code([RESULT]))
    assert dirty_cells(nb) == [1, 3, 4]


def test_checker_passes_clean_notebook() -> None:
    assert dirty_cells(_notebook(MARKDOWN, _code(), _code())) == []
    assert dirty_cells({}) == []


def test_walk_finds_nested_notebooks_and_skips_checkpoints(tmp_path: Path) -> None:
    clean = _write(tmp_path / "lessons" / "01" / "intro.ipynb", _notebook(_code()))
    dirty = _write(tmp_path / "notebooks" / "scratch.ipynb", _notebook(MARKDOWN, _code([RESULT], 7)))
    _write(tmp_path / "lessons" / ".ipynb_checkpoints" / "intro-checkpoint.ipynb", _notebook(_code([RESULT])))
    _write(tmp_path / "elsewhere" / "other.ipynb", _notebook(_code([RESULT])))

    assert list(find_notebooks(tmp_path)) == [clean, dirty]
    assert dirty_notebooks(tmp_path) == {dirty: [1]}


def test_walk_without_notebook_folders_finds_nothing(tmp_path: Path) -> None:
    assert list(find_notebooks(tmp_path)) == []
    assert dirty_notebooks(tmp_path) == {}


COMMITTED = list(find_notebooks(ROOT))


def test_lessons_and_notebooks_are_all_checked() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in COMMITTED}
    assert {"lessons/00_start_here.ipynb", "notebooks/training_dashboard.ipynb"} <= names
    assert len([name for name in names if name.startswith("lessons/")]) == 9


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_a_committed_notebook_is_byte_for_byte_what_nbformat_writes_without_outputs(path: Path) -> None:
    """Read and written again with nbformat (as jupyter_server saves it): the same bytes; format 4.5 with cell
    ids, the metadata JupyterLab sets (less the Python version), no outputs."""
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    assert committed_text(nb) == text
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert all(cell.get("id") for cell in nb.cells)
    assert {key: nb.metadata.get(key) for key in METADATA} == METADATA
    assert dirty_cells(nb) == []
    assert committed_text(clean(copy.deepcopy(nb))) == text


def _as_jupyterlab_sends_it(nb: dict) -> dict:
    """The notebook after a run in JupyterLab: the kernel's language_info (with the Python version), outputs,
    execution counts, a scrolled output and a collapsed cell."""
    nb = copy.deepcopy(nb)
    nb["metadata"]["language_info"]["version"] = ".".join(map(str, sys.version_info[:3]))
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    for count, cell in enumerate(code, start=1):
        cell["execution_count"] = count
        cell["outputs"] = [{**RESULT, "execution_count": count}]
    code[0]["metadata"]["scrolled"] = True
    code[-1]["metadata"]["collapsed"] = False
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


@pytest.mark.parametrize("hook", [True, False])
def test_a_lesson_run_and_saved_through_jupyter_server_with_the_hook_is_written_back_unchanged(
        tmp_path: Path, hook: bool) -> None:
    """jupyter_server's own contents manager (what JupyterLab saves through) with the pre-save hook of
    `gdprlab lessons --lab`: the saved file equals the committed one; without the hook it does not."""
    manager_module = pytest.importorskip("jupyter_server.services.contents.filemanager")
    source = ROOT / "lessons" / "01_classification.ipynb"
    (tmp_path / source.name).write_bytes(source.read_bytes())
    manager = manager_module.FileContentsManager(root_dir=str(tmp_path),
                                                 **({"pre_save_hook": PRE_SAVE_HOOK} if hook else {}))
    model = manager.get(source.name)
    model["content"] = _as_jupyterlab_sends_it(json.loads(json.dumps(model["content"])))
    manager.save(model, source.name)
    saved = (tmp_path / source.name).read_bytes()
    assert (saved == source.read_bytes()) is hook


def test_the_hook_leaves_other_files_and_cell_content_alone() -> None:
    file_model = {"type": "file", "content": "text", "format": "text"}
    pre_save_hook(file_model, path="notes.txt")
    assert file_model == {"type": "file", "content": "text", "format": "text"}
    nb = _notebook(MARKDOWN, {**_code([RESULT], 1), "metadata": {"tags": ["parameters"], "scrolled": True}})
    pre_save_hook({"type": "notebook", "content": nb})
    assert nb["cells"][0] == MARKDOWN
    assert nb["cells"][1]["metadata"] == {"tags": ["parameters"]} and dirty_cells(nb) == []
    assert nb["metadata"] == METADATA
