"""A papermill engine that runs a notebook's code cells in this process's IPython shell, without a kernel.

Starting a kernel and importing pandas, matplotlib and gdprlab into it costs more than a second per
notebook, more than the assessment's own work on a small dataset. A batch worker that has imported them
once runs each notebook here instead: a fresh namespace per notebook, the notebook's folder as working
directory while it runs, and every output recorded as a kernel would send it (streams, displays, the
last expression's result, errors with their traceback), so papermill saves the same notebook and raises
the same PapermillExecutionError. One notebook at a time per process (the working directory and the
shell are the process's own); `gdprlab assess --jobs N` runs N worker processes. `--kernel` keeps the
isolation of a kernel per notebook.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import os
import sys
import threading
from pathlib import Path

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from papermill.engines import Engine

_LOCK = threading.Lock()  # the shell and the working directory belong to the whole process


class _Outputs:
    """A cell's outputs in the order they came, consecutive writes to a stream merged."""

    def __init__(self) -> None:
        self.items: list = []

    def stream(self, name: str, text: str) -> None:
        last = self.items[-1] if self.items else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text += text
        else:
            self.items.append(nbformat.v4.new_output("stream", name=name, text=text))


class _Stream:
    """sys.stdout or sys.stderr while a cell runs."""

    def __init__(self, outputs: _Outputs, name: str) -> None:
        self.outputs, self.name = outputs, name

    def write(self, text: str) -> int:
        if text:
            self.outputs.stream(self.name, text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _mime_bundle(data: dict) -> dict:
    """Display data as a notebook stores it: binary (PNG) as base64 text."""
    return {mime: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
            for mime, value in data.items()}


class _Publisher(DisplayPublisher):
    outputs: _Outputs | None = None

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
        if self.outputs is not None:
            self.outputs.items.append(nbformat.v4.new_output(
                "display_data", data=_mime_bundle(data), metadata=metadata or {}))

    def clear_output(self, wait: bool = False) -> None:
        if self.outputs is not None:
            self.outputs.items.clear()


class _Hook(DisplayHook):
    """The value of a cell's last expression, as an execute_result."""

    outputs: _Outputs | None = None

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        if self.outputs is not None:
            self.outputs.items.append(nbformat.v4.new_output(
                "execute_result", data=_mime_bundle(format_dict), metadata=md_dict or {}))

    def finish_displayhook(self) -> None:
        pass

    def log_output(self, format_dict) -> None:
        pass


@functools.cache
def shell() -> InteractiveShell:
    """This module's own IPython shell (no history file), apart from any shell the process already has
    (when `gdprlab assess` is started from a notebook, that notebook's kernel shell is left alone)."""
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    main = sys.modules.get("__main__")
    sh = InteractiveShell(config=config, display_pub_class=_Publisher)
    sys.modules["__main__"] = main  # a new shell puts its namespace there: only while a notebook runs
    sh.displayhook = _Hook(shell=sh, cache_size=sh.cache_size)
    sh.display_trap.hook = sh.displayhook
    return sh


@contextlib.contextmanager
def _current(sh: InteractiveShell):
    """Make `sh` the shell that IPython.display.display and get_ipython() find, and its namespace
    __main__, for the duration."""
    had = "_instance" in InteractiveShell.__dict__
    saved, main = InteractiveShell.__dict__.get("_instance"), sys.modules.get("__main__")
    InteractiveShell._instance = sh
    sys.modules["__main__"] = sh.user_module  # the notebook's namespace is __main__, as in a kernel
    try:
        yield sh
    finally:
        sys.modules["__main__"] = main
        if had:
            InteractiveShell._instance = saved
        else:
            del InteractiveShell._instance


def _record(sh: InteractiveShell, outputs: _Outputs):
    """Point the shell's displays, result hook and traceback printer at `outputs`."""
    errors: list = []

    def show_traceback(etype, evalue, stb) -> None:
        errors.append(nbformat.v4.new_output("error", ename=etype.__name__ if etype else "Error",
                                             evalue=str(evalue), traceback=list(stb)))
        outputs.items.append(errors[-1])

    if isinstance(sh.display_pub, _Publisher):
        sh.display_pub.outputs = outputs
    if isinstance(sh.displayhook, _Hook):
        sh.displayhook.outputs = outputs
    sh._showtraceback = show_traceback
    return errors


def run_cell(sh: InteractiveShell, source: str) -> tuple[list, bool]:
    """Run one cell's source; its outputs and whether it raised."""
    outputs = _Outputs()
    errors = _record(sh, outputs)
    count = sh.execution_count
    with contextlib.redirect_stdout(_Stream(outputs, "stdout")), \
            contextlib.redirect_stderr(_Stream(outputs, "stderr")):
        result = sh.run_cell(source, store_history=True)
    for output in outputs.items:  # the shell counts the cell as run before its result is shown
        if output.output_type == "execute_result":
            output.execution_count = count
    failed = bool(errors) or not result.success
    if failed and not errors:  # an error IPython did not show (rare): record it as a kernel would
        exc = result.error_in_exec or result.error_before_exec
        outputs.items.append(nbformat.v4.new_output("error", ename=type(exc).__name__, evalue=str(exc),
                                                    traceback=[f"{type(exc).__name__}: {exc}"]))
    return outputs.items, failed


class InProcessEngine(Engine):
    """papermill engine: the notebook's cells run here, in order, until one raises."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        folder = Path(kwargs.get("resources", {}).get("metadata", {}).get("path") or os.getcwd())
        with _LOCK, _current(shell()) as sh:
            sh.reset(new_session=False)
            sh.user_ns.setdefault("__spec__", None)  # reset empties __main__; multiprocessing reads it
            sh.execution_count = 1
            before = os.getcwd()
            os.chdir(folder)
            sys.path.insert(0, "")
            try:
                for index, cell in enumerate(nb_man.nb.cells):
                    nb_man.cell_start(cell, index)
                    try:
                        if cell.cell_type == "code" and cell.source.strip():
                            cell.execution_count = sh.execution_count
                            cell.outputs, failed = run_cell(sh, cell.source)
                            if failed:
                                nb_man.cell_exception(cell, cell_index=index)
                                break
                    finally:
                        nb_man.cell_complete(cell, index)
            finally:
                with contextlib.suppress(ValueError):  # unless the notebook took it out itself
                    sys.path.remove("")
                os.chdir(before)
                sh.reset(new_session=False)  # nothing of the notebook's data stays in this process
        return nb_man.nb
