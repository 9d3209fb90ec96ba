"""Only the drawing modules of gdprlab.training touch a UI library; everything else returns frames and
dataclasses, so the trainer's CLI, the notebooks' logic and the tests run without a display."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import gdprlab.training

PACKAGE = Path(gdprlab.training.__file__).parent
UI_LIBRARIES = {"ipywidgets", "IPython", "matplotlib", "nbconvert"}
DRAWING_MODULES = {"widget.py", "quiz_widget.py", "charts.py", "html.py", "serve.py"}


def ui_imports(path: Path) -> set[str]:
    """The UI libraries a module imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        found |= {n.split(".")[0] for n in names} & UI_LIBRARIES
    return found


def test_ui_libraries_are_imported_only_by_the_drawing_modules():
    offenders = {str(p.relative_to(PACKAGE)): ui_imports(p) for p in sorted(PACKAGE.rglob("*.py"))
                 if p.name not in DRAWING_MODULES and ui_imports(p)}
    assert offenders == {}


def test_the_drawing_modules_are_where_the_ui_is():
    drawing = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if ui_imports(p)}
    assert drawing == {"charts.py", "quiz_widget.py", "exercises/widget.py"}


def test_the_logic_modules_load_no_ui_library():
    modules = ["dashboard", "status", "certificates", "xapi", "quiz", "learner", "exercises.model",
               "exercises.records", "exercises.organisation", "store.progress", "store.roster"]
    code = (f"import sys\nfor m in {modules!r}:\n    __import__('gdprlab.training.' + m)\n"
            f"print(sorted(u for u in {sorted(UI_LIBRARIES)!r} if u in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=str(PACKAGE.parents[1])))
    assert out.stdout.strip() == "[]"
