"""run.py's decisions, tested without creating a venv or running anything."""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_run_py() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gdprlab_run_py", ROOT / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run_py = _load_run_py()

PYPROJECT = '[project]\nname = "demo"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A bare project root: a pyproject and a tests folder, no notebooks."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    return tmp_path


def _add_notebook(root: Path, relative: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"cells": []}', encoding="utf-8")


# --- install stamp -------------------------------------------------------------------------------------


def test_install_needed_without_stamp(project: Path) -> None:
    assert run_py.needs_install(project / "pyproject.toml", project / "stamp")


def test_install_skipped_when_stamp_matches(project: Path) -> None:
    stamp = project / "stamp"
    stamp.write_text(run_py.install_fingerprint(project / "pyproject.toml") + "\n", encoding="utf-8")
    assert not run_py.needs_install(project / "pyproject.toml", stamp)


def test_install_needed_after_pyproject_changes(project: Path) -> None:
    stamp = project / "stamp"
    stamp.write_text(run_py.install_fingerprint(project / "pyproject.toml"), encoding="utf-8")
    with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write('dependencies = ["requests"]\n')
    assert run_py.needs_install(project / "pyproject.toml", stamp)


def test_fingerprint_covers_install_command(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = run_py.install_fingerprint(project / "pyproject.toml")
    monkeypatch.setattr(run_py, "INSTALL_ARGS", ["-m", "pip", "install", "-e", ".[test,docs]"])
    assert run_py.install_fingerprint(project / "pyproject.toml") != before


# --- pytest arguments ----------------------------------------------------------------------------------


def test_no_notebooks_means_no_nbval(project: Path) -> None:
    assert run_py.pytest_arguments(project, []) == []
    assert run_py.pytest_arguments(project, ["-k", "identifiers"]) == ["-k", "identifiers"]


def test_empty_or_checkpoint_only_folders_mean_no_nbval(project: Path) -> None:
    (project / "notebooks").mkdir()
    _add_notebook(project, "lessons/.ipynb_checkpoints/intro-checkpoint.ipynb")
    assert run_py.pytest_arguments(project, []) == []


def test_notebooks_add_nbval_and_keep_testpaths(project: Path) -> None:
    _add_notebook(project, "lessons/01-basics/intro.ipynb")
    assert run_py.pytest_arguments(project, []) == ["--nbval-lax", "tests", "lessons"]
    (project / "notebooks").mkdir()
    assert run_py.pytest_arguments(project, ["-k", "identifiers"]) == [
        "--nbval-lax",
        "tests",
        "lessons",
        "notebooks",
        "-k",
        "identifiers",
    ]


def test_user_chosen_paths_are_not_widened(project: Path) -> None:
    _add_notebook(project, "notebooks/scratch.ipynb")
    (project / "tests" / "test_x.py").write_text("", encoding="utf-8")
    args = ["tests/test_x.py::test_y", "-q"]
    assert run_py.pytest_arguments(project, args) == ["--nbval-lax", *args]


def test_passthrough_split() -> None:
    assert run_py.split_passthrough(["test"]) == (["test"], [])
    assert run_py.split_passthrough(["test", "--", "-k", "x", "--", "y"]) == (
        ["test"],
        ["-k", "x", "--", "y"],
    )


def test_parse_args_rejects_passthrough_for_sample() -> None:
    args, passthrough = run_py.parse_args(["test", "--", "-x"])
    assert (args.task, passthrough) == ("test", ["-x"])
    with pytest.raises(SystemExit):
        run_py.parse_args(["sample", "--", "-x"])


# --- exit status ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lint", "tests", "expected"),
    [(0, 0, 0), (0, 1, 1), (1, 1, 1), (1, 0, 1), (0, 5, 1), (0, 2, 2)],
)
def test_final_status(lint: int, tests: int, expected: int) -> None:
    assert run_py.final_status(lint, tests) == expected


# --- python gate and portability -----------------------------------------------------------------------


@pytest.mark.parametrize("version", [(3, 6, 9), (3, 10, 14), (2, 7, 18)])
def test_old_python_is_refused_with_a_message(version: tuple[int, ...]) -> None:
    message = run_py.python_too_old(version)
    assert message and "3.11" in message and ".".join(map(str, version)) in message


@pytest.mark.parametrize("version", [(3, 11, 0), (3, 12, 1), (3, 14, 0), (4, 0, 0)])
def test_current_python_is_accepted(version: tuple[int, ...]) -> None:
    assert run_py.python_too_old(version) is None


def test_gate_agrees_with_pyproject() -> None:
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as handle:
        requires = tomllib.load(handle)["project"]["requires-python"]
    assert requires == ">=" + ".".join(map(str, run_py.MIN_PYTHON))


def test_main_exits_2_on_old_python(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(sys, "version_info", (3, 10, 4, "final", 0))
    assert run_py.main(["test"]) == 2
    assert "Python 3.11" in capsys.readouterr().err


def test_run_py_parses_as_python_3_7() -> None:
    """So that an old interpreter reaches the version gate instead of a SyntaxError."""
    ast.parse((ROOT / "run.py").read_text(encoding="utf-8"), feature_version=(3, 7))


def test_venv_executable_per_platform() -> None:
    venv = Path("proj") / ".venv"
    assert run_py.venv_executable(venv, "python", "posix") == venv / "bin" / "python"
    assert run_py.venv_executable(venv, "ruff", "nt") == venv / "Scripts" / "ruff.exe"


def test_task_table() -> None:
    lint, tests = run_py.TASKS["test"]
    assert lint == ["ruff", "check", "."]
    assert tests[:3] == ["python", "-m", "pytest"]
    workers = int(tests[tests.index("-n") + 1])  # two per core: tests wait on kernels, browsers, Java
    assert workers == min(2 * (os.cpu_count() or 1), 8) and "loadfile" in tests
    assert [command[:2] for command in run_py.TASKS["sample"]] == [
        ["gdprlab", "generate"],
        ["gdprlab", "summary"],
    ]
