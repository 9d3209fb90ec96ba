#!/usr/bin/env python3
"""One entry point for newcomers and CI: sets up .venv, then tests or runs a sample.

    python3 run.py test                   lint, then the test suite (and lesson notebooks, via nbval)
    python3 run.py test -- -k identifiers extra pytest arguments go after `--`
    python3 run.py assess                 assess the bundled sample CRM; prints where the HTML report is
    python3 run.py sample                 generate a small synthetic CRM dataset and summarise it

Standard library only, so it runs before anything is installed. The venv is (re)installed only when
pyproject.toml changed since the last install, so repeated runs start at once. The file keeps to
Python 3.7 syntax so that an older Python can still print why it is too old.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

# What each task runs, in order. The first word is an executable of the venv.
TASKS: dict[str, list[list[str]]] = {
    "test": [
        ["ruff", "check", "."],
        # pytest-xdist: two workers per core (at most 8), since many tests spend their time waiting for
        # a kernel, a browser, a hub or Spark's Java process; each test file on one worker (a notebook's
        # cells run in order in one kernel; a file's PySpark tests share one Java process);
        # run_test() adds the nbval and pass-through arguments
        ["python", "-m", "pytest", "-n", str(min(2 * (os.cpu_count() or 1), 8)), "--dist", "loadfile"],
    ],
    "assess": [
        ["gdprlab", "assess", "datasets/sample", "--out", "output"],
    ],
    "sample": [
        ["gdprlab", "generate", "datasets/sample-run", "--contacts", "2000", "--seed", "42", "--force"],
        ["gdprlab", "summary", "datasets/sample-run"],
    ],
}

MIN_PYTHON = (3, 11)
ROOT = Path(__file__).resolve().parent
VENV_DIR = ".venv"
STAMP_NAME = "gdprlab-install.sha256"  # inside the venv, so deleting .venv forgets it too
INSTALL_ARGS = ["-m", "pip", "install", "-e", ".[test]"]
NOTEBOOK_DIRS = ("lessons", "notebooks")
PYTEST_NO_TESTS = 5


def python_too_old(version: tuple[int, ...]) -> str | None:
    """The message to show when `version` cannot run the project, else None."""
    if tuple(version[:2]) >= MIN_PYTHON:
        return None
    need, have = ".".join(map(str, MIN_PYTHON)), ".".join(map(str, version[:3]))
    return f"gdprlab needs Python {need} or newer; this is Python {have}. Run run.py with a newer python3."


def venv_executable(venv: Path, name: str, os_name: str = os.name) -> Path:
    """Path of a venv executable: venvs use Scripts\\*.exe on Windows and bin/* elsewhere."""
    if os_name == "nt":
        return venv / "Scripts" / f"{name}.exe"
    return venv / "bin" / name


def install_fingerprint(pyproject: Path) -> str:
    """Hash of what decides the install: pyproject.toml and the install command itself."""
    digest = hashlib.sha256(pyproject.read_bytes())
    digest.update("\0".join(INSTALL_ARGS).encode())
    return digest.hexdigest()


def needs_install(pyproject: Path, stamp: Path) -> bool:
    """True when the last successful install was from another pyproject.toml (or never happened)."""
    try:
        return stamp.read_text(encoding="utf-8").strip() != install_fingerprint(pyproject)
    except FileNotFoundError:
        return True


def split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split the command line at the first `--`: what comes after goes to pytest untouched."""
    if "--" not in argv:
        return argv, []
    cut = argv.index("--")
    return argv[:cut], argv[cut + 1 :]


def notebooks_present(root: Path) -> bool:
    """Whether any lesson or notebook folder holds a notebook (checkpoint copies don't count)."""
    return any(
        ".ipynb_checkpoints" not in path.parts
        for name in NOTEBOOK_DIRS
        if (root / name).is_dir()
        for path in (root / name).rglob("*.ipynb")
    )


def default_test_paths(root: Path) -> list[str]:
    """pytest's configured testpaths: naming any path on the command line makes pytest ignore them."""
    import tomllib  # only after the version gate: new in Python 3.11

    with open(root / "pyproject.toml", "rb") as handle:
        config = tomllib.load(handle)
    return list(config.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("testpaths", ["tests"]))


def names_a_path(root: Path, args: list[str]) -> bool:
    """Whether the user chose what to collect (e.g. `tests/test_x.py::test_y`), so we add no paths."""
    return any(not arg.startswith("-") and (root / arg.split("::")[0]).exists() for arg in args)


def pytest_arguments(root: Path, passthrough: list[str]) -> list[str]:
    """Extra pytest arguments: run the notebooks under nbval when there are any, then the user's."""
    if not notebooks_present(root):
        return list(passthrough)
    extra = ["--nbval-lax"]
    if not names_a_path(root, passthrough):
        extra += default_test_paths(root) + [name for name in NOTEBOOK_DIRS if (root / name).is_dir()]
    return extra + list(passthrough)


def final_status(lint_status: int, pytest_status: int) -> int:
    """pytest's status, but 'no tests collected' is a failure and a lint failure is not hidden."""
    if pytest_status == PYTEST_NO_TESTS:
        print("run.py: pytest collected no tests; treating that as a failure.", file=sys.stderr)
        return 1
    if pytest_status == 0 and lint_status != 0:
        print("run.py: the tests passed but ruff found problems (see above).", file=sys.stderr)
        return lint_status
    return pytest_status


def run(venv: Path, command: list[str], root: Path) -> int:
    """Run `command` with its first word taken from the venv, echoing it and streaming its output."""
    executable = venv_executable(venv, command[0])
    shown = executable.relative_to(root) if executable.is_relative_to(root) else executable
    print("+ " + " ".join([str(shown)] + command[1:]), flush=True)
    env = dict(os.environ, VIRTUAL_ENV=str(venv))
    env["PATH"] = str(executable.parent) + os.pathsep + env.get("PATH", "")
    return subprocess.run([str(executable)] + command[1:], cwd=root, env=env).returncode


def ensure_venv(root: Path) -> Path:
    """Create the venv if missing and install the project if pyproject.toml changed; stop on failure."""
    venv = root / VENV_DIR
    if not venv_executable(venv, "python").exists():
        print(f"run.py: creating {venv}", flush=True)
        import venv as venv_module

        venv_module.EnvBuilder(with_pip=True, clear=venv.exists()).create(venv)
        check(run(venv, ["python", "-m", "pip", "install", "--upgrade", "pip"], root), "upgrading pip")
    stamp = venv / STAMP_NAME
    if needs_install(root / "pyproject.toml", stamp):
        check(run(venv, ["python"] + INSTALL_ARGS, root), "installing the project")
        stamp.write_text(install_fingerprint(root / "pyproject.toml") + "\n", encoding="utf-8")
    return venv


def check(status: int, doing: str) -> None:
    if status != 0:
        print(f"run.py: {doing} failed (exit {status}).", file=sys.stderr)
        sys.exit(status)


def run_test(venv: Path, root: Path, passthrough: list[str]) -> int:
    lint, pytest = TASKS["test"]
    lint_status = run(venv, lint, root)
    return final_status(lint_status, run(venv, pytest + pytest_arguments(root, passthrough), root))


def run_task(venv: Path, root: Path, task: str) -> int:
    """Run a task's commands in order, stopping at the first that fails."""
    for command in TASKS[task]:
        status = run(venv, command, root)
        if status != 0:
            return status
    return 0


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    own, passthrough = split_passthrough(argv)
    parser = argparse.ArgumentParser(
        description="Set up .venv (if needed) and run a gdprlab task.",
        epilog="Example: python3 run.py test -- -k identifiers",
    )
    commands = parser.add_subparsers(dest="task", required=True, metavar="TASK")
    commands.add_parser(
        "test", help="ruff, then pytest and the notebooks (nbval); args after -- go to pytest"
    )
    commands.add_parser(
        "assess", help="assess the bundled sample CRM (datasets/sample) and print where the report is"
    )
    commands.add_parser(
        "sample", help="generate datasets/sample-run (2000 contacts, seed 42), then summarise it"
    )
    args = parser.parse_args(own)
    if passthrough and args.task != "test":
        parser.error("only `test` takes arguments after --")
    return args, passthrough


def main(argv: list[str] | None = None) -> int:
    too_old = python_too_old(tuple(sys.version_info))
    if too_old:
        print(too_old, file=sys.stderr)
        return 2
    args, passthrough = parse_args(sys.argv[1:] if argv is None else argv)
    venv = ensure_venv(ROOT)
    if args.task == "test":
        return run_test(venv, ROOT, passthrough)
    return run_task(venv, ROOT, args.task)


if __name__ == "__main__":
    sys.exit(main())
