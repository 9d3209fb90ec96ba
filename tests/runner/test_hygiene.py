"""Committed notebooks must carry no outputs: they could hold personal data and make noisy diffs."""

from __future__ import annotations

import json
from pathlib import Path

from gdprlab.runner.hygiene import dirty_cells, dirty_notebooks, find_notebooks

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
