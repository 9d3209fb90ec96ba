"""`gdprlab lessons`: open the lesson notebooks for staff.

By default the lessons folder is served with Voilà: every notebook becomes a code-free page (code cells
are run and hidden, only text, exercises and quizzes show), and Voilà's start page lists the lessons.
``--lab`` starts JupyterLab on the same folder instead, for trainers who want to see or edit the code; it
saves a notebook without its outputs, as committed (:data:`PRE_SAVE_HOOK`), so running a lesson there
leaves the file unchanged.

:func:`build_command` is the pure part (arguments in, command line out); :func:`main` checks that the
folder and the server are there and runs the command until it is stopped (Ctrl+C).

Kernels: every Voilà page starts a kernel. A kernel with no page connected to it any more (the tab was
closed) is shut down after ``--cull-idle`` minutes without activity (default :data:`CULL_IDLE_MINUTES`;
checked every minute); a kernel whose page is open is never culled, so a learner reading slowly loses
nothing. Stopping: Ctrl+C, SIGTERM (``kill``, systemd, a container stop) or SIGHUP are passed on to the
server, which shuts its kernels down; after :data:`STOP_TIMEOUT` seconds it is killed.

`gdprlab progress dashboard` serves the trainers' dashboard (notebooks/training_dashboard.ipynb) the same
way, as one code-free page (:func:`run_dashboard`).

The learner id and the progress database reach the lessons through the server's environment
(``JUPYTERHUB_USER``, ``GDPRLAB_DB_URL``; see :mod:`gdprlab.training.learner` and
:mod:`gdprlab.training.store.progress`),
which the kernels inherit.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = [
    "EXAMPLE",
    "add_arguments",
    "build_command",
    "default_dashboard",
    "default_lessons_dir",
    "main",
    "missing_server",
    "run_dashboard",
    "run_from_args",
]

EXAMPLE = "gdprlab lessons --port 8866 --no-browser"
HELP = "Open the lessons: code-free pages in Voilà (or JupyterLab with --lab)."

#: minutes a kernel without a connected page may stay idle before Voilà shuts it down
CULL_IDLE_MINUTES = 10
#: seconds between two looks for such kernels
CULL_INTERVAL_SECONDS = 60
#: seconds the server has to shut down after SIGTERM before it is killed
STOP_TIMEOUT = 15

#: What JupyterLab calls before it saves a notebook (``--lab``): the lesson is saved as committed.
PRE_SAVE_HOOK = "gdprlab.runner.hygiene.pre_save_hook"
#: Python module run for each mode, and the pip package that provides it.
SERVERS = {"voila": ("voila", "voila"), "lab": ("jupyterlab", "jupyterlab")}


def default_lessons_dir(cwd: Path | None = None) -> Path:
    """``./lessons`` when the current folder has one, else the lessons folder of this checkout."""
    here = Path.cwd() if cwd is None else Path(cwd)
    if (here / "lessons").is_dir():
        return here / "lessons"
    return Path(__file__).resolve().parents[2] / "lessons"


#: the trainers' dashboard, in the notebooks folder
DASHBOARD = Path("notebooks") / "training_dashboard.ipynb"


def default_dashboard(cwd: Path | None = None) -> Path:
    """``./notebooks/training_dashboard.ipynb`` when the current folder has one, else this checkout's."""
    here = Path.cwd() if cwd is None else Path(cwd)
    local = here / DASHBOARD
    return local if local.is_file() else Path(__file__).resolve().parents[2] / DASHBOARD


def add_server_arguments(parser: argparse.ArgumentParser, *, page: str = "lesson") -> None:
    """--port, --no-browser, --cull-idle and the arguments after -- for the server."""
    parser.add_argument("--port", type=int, default=None,
                        help="port to listen on (default: Voilà 8866, JupyterLab 8888)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument(
        "--cull-idle", type=float, default=CULL_IDLE_MINUTES, metavar="MINUTES",
        help=f"Voilà: shut down the kernel of a closed {page} page after MINUTES idle (default "
             f"{CULL_IDLE_MINUTES}; 0: never)",
    )
    parser.add_argument(
        "server_args",
        nargs="*",
        metavar="SERVER_ARG",
        help="more arguments for the server, after --, e.g. `-- --Voila.ip=0.0.0.0`",
    )


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The `lessons` subcommand's arguments (shared by the gdprlab CLI and :func:`main`)."""
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="folder of lesson notebooks (default: ./lessons, else the lessons of this checkout)",
    )
    parser.add_argument(
        "--lab", action="store_true", help="start JupyterLab on the lessons instead (code visible, editable)"
    )
    add_server_arguments(parser)
    return parser


def build_command(args: argparse.Namespace, *, python: str | None = None) -> list[str]:
    """The command line that serves the lessons; pure (no file or network access).

    ``args`` has ``dir`` (None: :func:`default_lessons_dir`), ``lab``, ``port``, ``no_browser`` and
    optionally ``cull_idle`` (minutes, default :data:`CULL_IDLE_MINUTES`) and ``server_args`` (appended as
    they are, so they can override any setting);
    ``python`` is the interpreter to run the server with (default: this one, so the kernels see the
    same installed gdprlab).
    """
    python = sys.executable if python is None else python
    folder = str(Path(args.dir) if getattr(args, "dir", None) is not None else default_lessons_dir())
    port = getattr(args, "port", None)
    if port is not None and not 0 < int(port) < 65536:
        raise ValueError(f"--port must be between 1 and 65535, got {port}")
    if getattr(args, "lab", False):
        # Each save is cleaned first (outputs, execution counts, view state), so a lesson opened, run and
        # saved is written back as committed (gdprlab/runner/hygiene.py).
        command = [python, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}",
                   f"--ContentsManager.pre_save_hook={PRE_SAVE_HOOK}"]
    else:
        # Voilà hides code cells (and strips their source from the page) by default; tracebacks stay
        # hidden from learners.
        command = [python, "-m", "voila", folder, "--strip_sources=True", "--show_tracebacks=False"]
    cull = getattr(args, "cull_idle", CULL_IDLE_MINUTES)
    cull = CULL_IDLE_MINUTES if cull is None else float(cull)
    if cull < 0:
        raise ValueError(f"--cull-idle must be 0 (never) or more minutes, got {cull:g}")
    if cull > 0 and not getattr(args, "lab", False):
        # Only kernels without a connected page are culled (cull_connected stays False); a busy kernel
        # is left alone.
        seconds = max(1, round(cull * 60))
        command += [f"--MappingKernelManager.cull_idle_timeout={seconds}",
                    f"--MappingKernelManager.cull_interval={min(CULL_INTERVAL_SECONDS, seconds)}",
                    "--MappingKernelManager.cull_connected=False"]
    if port is not None:
        command.append(f"--port={int(port)}")
    if getattr(args, "no_browser", False):
        command.append("--no-browser")
    command.extend(getattr(args, "server_args", None) or ())
    return command


def missing_server(lab: bool) -> str | None:
    """Why the server cannot start (its package is not installed), or None."""
    module, package = SERVERS["lab" if lab else "voila"]
    if importlib.util.find_spec(module) is None:
        return f"{package} is not installed; install it with: python -m pip install {package}"
    return None


def run_from_args(args: argparse.Namespace) -> int:
    """Check the folder and the server, then run the server until it stops; its exit status."""
    folder = Path(args.dir) if args.dir is not None else default_lessons_dir()
    if not folder.is_dir():
        print(f"gdprlab lessons: error: no lessons folder at {folder} (use --dir)", file=sys.stderr)
        return 2
    problem = missing_server(args.lab)
    if problem:
        print(f"gdprlab lessons: error: {problem}", file=sys.stderr)
        return 2
    args = argparse.Namespace(**{**vars(args), "dir": folder})
    process = subprocess.Popen(build_command(args))
    return supervise(process)


def run_dashboard(args: argparse.Namespace) -> int:
    """Serve the trainers' dashboard as one code-free page until stopped; its exit status.

    ``args`` has ``db`` (the progress store's URL, None: GDPRLAB_DB_URL or the local file), which reaches
    the notebook through the server's environment, never as a parameter, and the server arguments of
    :func:`add_server_arguments`.
    """
    notebook = default_dashboard()
    if not notebook.is_file():
        print(f"gdprlab progress dashboard: error: no dashboard notebook at {notebook}", file=sys.stderr)
        return 2
    problem = missing_server(False)
    if problem:
        print(f"gdprlab progress dashboard: error: {problem}", file=sys.stderr)
        return 2
    command = build_command(argparse.Namespace(**{**vars(args), "dir": notebook, "lab": False}))
    env = {**os.environ, **({"GDPRLAB_DB_URL": args.db} if getattr(args, "db", None) else {})}
    return supervise(subprocess.Popen(command, env=env))


def supervise(process: subprocess.Popen, timeout: float = STOP_TIMEOUT,
              ready: Callable[[], object] | None = None) -> int:
    """Wait for the server; pass SIGTERM and SIGHUP on to it (it then shuts its kernels down), and kill it
    when it has not stopped ``timeout`` seconds after a signal or Ctrl+C. Its exit status."""
    def forward(signum: int, _frame: object) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        raise _Stop(signum)

    handled = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s]
    previous = {s: signal.signal(s, forward) for s in handled}
    try:
        if ready is not None:
            ready()  # the signals are handled from here on
        return process.wait()
    except (KeyboardInterrupt, _Stop):  # Ctrl+C reached the server too (same process group)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


class _Stop(Exception):
    """A stop signal arrived (the server has been sent SIGTERM)."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gdprlab lessons", description=HELP,
                                     epilog=f"example:\n  {EXAMPLE}",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    return run_from_args(add_arguments(parser).parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
