"""Checks that committed notebooks carry no outputs.

Outputs of a lesson run on real CRM data could leak personal data into git, and execution counts make
noisy diffs; so lessons are committed clean and run fresh (nbval, papermill). Pure functions on the
notebook's JSON, so they need no Jupyter install.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

#: Folders holding committed notebooks, relative to the project root.
NOTEBOOK_DIRS = ("lessons", "notebooks")


def dirty_cells(nb: dict) -> list[int]:
    """Indices of the cells that have outputs or an execution count."""
    return [
        index
        for index, cell in enumerate(nb.get("cells", []))
        if cell.get("outputs") or cell.get("execution_count") is not None
    ]


def find_notebooks(root: Path, dirs: tuple[str, ...] = NOTEBOOK_DIRS) -> Iterator[Path]:
    """Every notebook under `dirs` of `root`, skipping Jupyter's checkpoint copies (never committed)."""
    for name in dirs:
        folder = root / name
        if folder.is_dir():
            for path in sorted(folder.rglob("*.ipynb")):
                if ".ipynb_checkpoints" not in path.parts:
                    yield path


def dirty_notebooks(root: Path, dirs: tuple[str, ...] = NOTEBOOK_DIRS) -> dict[Path, list[int]]:
    """Map each notebook that is not clean to its dirty cell indices."""
    found = {}
    for path in find_notebooks(root, dirs):
        cells = dirty_cells(json.loads(path.read_text(encoding="utf-8")))
        if cells:
            found[path] = cells
    return found
