"""Committed notebooks: no outputs, and in the very format JupyterLab writes.

Outputs of a lesson run on real CRM data could leak personal data into git, and execution counts make
noisy diffs; so lessons are committed clean and run fresh (nbval, papermill, Voilà: none of them writes the
file back).

JupyterLab does write it back: on save it sends the notebook to jupyter_server, which writes it with
nbformat (format 4.5 with cell ids, keys sorted, indent 1, a final newline; :func:`committed_text`), and
the notebook carries what the front end set when the kernel started: ``kernelspec`` from the kernel's spec
and ``language_info`` from the kernel's reply (ipykernel's, with the Python version). Notebooks are
committed in that form with :data:`METADATA`, which is ipykernel's without the Python version (it differs
between machines). ``gdprlab lessons --lab`` has jupyter_server call :func:`pre_save_hook` before each save,
which takes outputs, execution counts, the view state JupyterLab keeps in cell metadata and the Python
version out again (:func:`clean`): a lesson opened, run and saved there is written back byte for byte as
committed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat

#: Folders holding committed notebooks, relative to the project root.
NOTEBOOK_DIRS = ("lessons", "notebooks")
#: The notebook metadata JupyterLab writes with ipykernel's Python kernel, less the Python version.
METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                      "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                      "pygments_lexer": "ipython3"},
}
#: Cell metadata that records how a cell was viewed or when it ran, not what it says.
VIEW_STATE = ("collapsed", "scrolled", "execution")


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


def clean(nb: dict) -> dict:
    """``nb`` (a notebook's JSON as a dict, or as nbformat reads it) made as committed, in place: no outputs
    or execution counts, no view state in cell metadata, the notebook metadata of :data:`METADATA` (other
    keys, e.g. a trainer's, are kept; saved widget state is dropped)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in VIEW_STATE:
            cell.get("metadata", {}).pop(key, None)
    metadata = nb.setdefault("metadata", {})
    metadata.pop("widgets", None)
    metadata.update(json.loads(json.dumps(METADATA)))
    return nb


def committed_text(nb: Any) -> str:
    """The text jupyter_server writes for ``nb`` (``nbformat.write``: format as read, final newline)."""
    text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return text if text.endswith("\n") else text + "\n"


def pre_save_hook(model: dict, **_: Any) -> None:
    """jupyter_server's ``ContentsManager.pre_save_hook``: a notebook about to be saved is :func:`clean`."""
    if model.get("type") == "notebook" and model.get("content") is not None:
        clean(model["content"])
