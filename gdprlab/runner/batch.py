"""Run an assessment notebook over one or many datasets with papermill (`gdprlab assess`).

Each dataset (for instance one export per department) gets its own run folder
`out/<dataset name>-<YYYY-MM-DD>` named after the as-of date (`-2`, `-3` … added rather than overwriting
an earlier run), holding:

- the executed notebook (`<notebook>.ipynb`; kept, partially executed, when a cell fails),
- `report.html`, the notebook without any code: code inputs excluded and the parameters cells removed,
- the findings files the notebook writes there (`output_dir` is passed to it as a parameter),
- `run.json` (dataset, notebook, parameters, status, error, timings),
- `comparison.json`/`.csv` when an earlier run of the same dataset exists (`gdprlab.runner.compare`).

A failed run is reported with the failing cell's exception (papermill's `ename`/`evalue`) and the other
runs go on. papermill runs each notebook with gdprlab.runner.inprocess's engine, in a worker process that has
pandas, matplotlib and gdprlab imported already (`jobs` processes at once); with `kernel`, each one in its
own Jupyter kernel instead, driven from `jobs` threads. An index of the batch,
`out/index-<timestamp>.csv` and `.html`, lists every run with its status, overall score, findings per
severity, link to the report, comparison with the previous run and error.

Here are the runs themselves; what they give back is in gdprlab.runner.results, the HTML report is made by
gdprlab.runner.html and the index by gdprlab.runner.index.

Output folders of real data hold personal data in evidence and notebooks: write them to a git-ignored
folder (`output/` is ignored by the repository's .gitignore).
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import functools
import json
import os
import subprocess
import time
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from gdprlab.crm.files import write_atomic
from gdprlab.crm.io import resolve_as_of
from gdprlab.regulation.policy import yaml_problem
from gdprlab.runner.compare import FINDINGS_FILE, RUN_FILE, compare_with_previous, safe_name
from gdprlab.runner.html import render_html
from gdprlab.runner.index import write_index
from gdprlab.runner.results import BatchResult, RunResult

#: The repository's notebooks folder (a source checkout or an editable install).
REPO_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
#: Parameters every run gets from the batch itself; users cannot set them.
RESERVED = ("dataset", "output_dir")
REPORT_FILE = "report.html"
#: The kernel app's own log is silenced: ipykernel 7 warns about TCP transport on every start, and logs
#: "KeyboardInterrupt caught in kernel" when jupyter_client interrupts it at shutdown, as it always does.
#: Errors in the notebook's cells are not affected (they come back as cell outputs).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Parameters holding paths (also any name ending in _file, _dir or _path). The notebook runs in its own
#: folder (its relative defaults, such as `answers: "example_answers.yaml"`, are relative to it), so a
#: relative path given by the user is made absolute against the user's working directory first.
PATH_PARAMETERS = ("dataset", "output_dir", "policy", "mapping", "answers", "accepted_risks")
#: papermill saves the output notebook before and after every cell (markdown cells too): some 60 JSON
#: dumps of a notebook that grows to ~0.4 MB of images and tables. Runs here save it once parameterised,
#: then at most every SAVE_EVERY seconds between cells (a long run still shows its progress on disk), and
#: always at the end, failed or not (papermill's `notebook_complete`, in a `finally`), so a failed run
#: keeps its partial notebook with the error, as before.
SAVE_EVERY = 10.0
ENGINE = "gdprlab"
IN_PROCESS_ENGINE = "gdprlab-inprocess"
#: How the kernel is stopped once every cell has run. nbclient's default, "graceful", interrupts it, asks
#: it to shut down and polls every 0.1 s until the interpreter has torn down pandas, matplotlib … (some
#: 0.3 s). Every output is in the notebook by then (nbclient waits for each cell's outputs to end) and the
#: findings are written in a cell, so the kernel is stopped at once instead; it holds nothing else.
KERNEL_SHUTDOWN = "immediate"


class BatchError(ValueError):
    """A batch that cannot start: unknown notebook, bad parameters, missing dataset."""


# ----------------------------------------------------------------------------------------------------------
# notebooks
# ----------------------------------------------------------------------------------------------------------

def notebook_dirs() -> list[Path]:
    """Folders searched for notebooks by name: the repository's notebooks/, then one in the package."""
    dirs = [REPO_NOTEBOOKS]
    try:
        packaged = Path(str(resources.files("gdprlab") / "notebooks"))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - zip imports
        packaged = None
    if packaged is not None and packaged not in dirs:
        dirs.append(packaged)
    return [d for d in dirs if d.is_dir()]


def available_notebooks(dirs: Iterable[Path] | None = None) -> dict[str, Path]:
    """Notebook name (file stem) -> path, the first folder winning; checkpoint copies skipped."""
    found: dict[str, Path] = {}
    for folder in notebook_dirs() if dirs is None else dirs:
        for path in sorted(Path(folder).glob("*.ipynb")):
            found.setdefault(path.stem, path)
    return found


def resolve_notebook(notebook: str | Path, dirs: Iterable[Path] | None = None) -> Path:
    """A notebook given by name (`crm_assessment`) or by path (`my/notebook.ipynb`)."""
    text = str(notebook)
    path = Path(text).expanduser()
    if path.is_file():
        return path.resolve()
    if os.sep in text or "/" in text:
        raise BatchError(f"notebook {text!r} not found")
    known = available_notebooks(dirs)
    name = path.stem if path.suffix == ".ipynb" else text
    if name in known:
        return known[name].resolve()
    listing = ", ".join(sorted(known)) or "none (no notebooks folder found)"
    raise BatchError(f"unknown notebook {text!r}; available notebooks: {listing}; "
                     "or give the path of an .ipynb file")


def notebook_parameters(path: Path) -> dict[str, dict]:
    """The parameters the notebook's `parameters` cell declares (name -> papermill's description)."""
    import papermill

    return papermill.inspect_notebook(str(path))


# ----------------------------------------------------------------------------------------------------------
# parameters
# ----------------------------------------------------------------------------------------------------------

def parse_value(text: str) -> object:
    """A `-p NAME VALUE` value as papermill's -p reads it: True/False/None, int, float, else the string."""
    if text == "True":
        return True
    if text == "False":
        return False
    if text == "None":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_pairs(pairs: Iterable[Sequence[str]] | None) -> dict[str, object]:
    """Repeated `-p NAME VALUE` pairs to a dict (a later pair wins)."""
    params: dict[str, object] = {}
    for pair in pairs or ():
        if len(pair) != 2:
            raise BatchError(f"-p takes a NAME and a VALUE, got {list(pair)!r}")
        name, value = pair
        if not name.isidentifier():
            raise BatchError(f"-p {name!r}: a parameter name must be a Python identifier")
        params[name] = parse_value(value)
    return params


def _plain(value: object) -> object:
    """YAML values as papermill can inject them: dates become ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def load_params_file(path: str | Path) -> dict[str, object]:
    """Parameters from a YAML mapping (`--params FILE.yaml`); dates are given as YYYY-MM-DD strings."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BatchError(f"parameters file {path} not found") from None
    except yaml.YAMLError as exc:
        raise BatchError(f"{path}: not valid YAML ({yaml_problem(exc)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BatchError(f"{path}: a parameters file must be a mapping of NAME: VALUE, "
                         f"got {type(data).__name__}")
    bad = [k for k in data if not str(k).isidentifier()]
    if bad:
        raise BatchError(f"{path}: parameter names must be Python identifiers, got {bad}")
    return {str(k): _plain(v) for k, v in data.items()}


def is_path_parameter(name: str) -> bool:
    return name in PATH_PARAMETERS or name.endswith(("_file", "_dir", "_path"))


def absolute_paths(params: dict[str, object], base: Path | None = None) -> dict[str, object]:
    """Path parameters (see PATH_PARAMETERS) given as relative paths, made absolute against `base`."""
    base = Path.cwd() if base is None else Path(base)
    def relative(name: str, value: object) -> bool:
        return (is_path_parameter(name) and isinstance(value, str) and bool(value)
                and not Path(value).is_absolute())

    return {name: str((base / Path(value).expanduser()).resolve()) if relative(name, value) else value
            for name, value in params.items()}


def build_parameters(params_file: str | Path | None = None,
                     pairs: Iterable[Sequence[str]] | None = None) -> dict[str, object]:
    """The YAML file's parameters, overridden by the `-p` pairs."""
    params = load_params_file(params_file) if params_file else {}
    params.update(parse_pairs(pairs))
    return params


# ----------------------------------------------------------------------------------------------------------
# runs
# ----------------------------------------------------------------------------------------------------------

def dataset_name(dataset: Path) -> str:
    """The name a dataset's run folders carry: the folder name, or the file name without suffix."""
    dataset = Path(dataset)
    return safe_name(dataset.stem if dataset.is_file() else dataset.resolve().name)


def owner_only_file(path: Path) -> Path:
    """Create `path` empty (or keep it) with mode 0600, before a library that writes it in place does."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
    return path


def new_run_folder(out: Path, name: str, as_of: dt.date) -> Path:
    """Create and return `out/<name>-<as_of>`, or `-2`, `-3` … when that exists (never overwrites); the
    folder is owner-only (0700), as is `out` when this creates it."""
    out = Path(out)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    base = f"{name}-{as_of.isoformat()}"
    n = 1
    while True:
        folder = out / (base if n == 1 else f"{base}-{n}")
        try:
            folder.mkdir(mode=0o700)  # it holds personal data: owner-only, whatever the umask lets through
            folder.chmod(0o700)
            return folder
        except FileExistsError:
            n += 1


# ----------------------------------------------------------------------------------------------------------
# papermill engines
# ----------------------------------------------------------------------------------------------------------

def papermill_engine(in_process: bool = False) -> str:
    """The name of the papermill engine to run with: gdprlab.runner.inprocess's (`in_process`) or
    papermill's nbclient engine (a kernel per notebook), both registered once per process."""
    _register_engines()
    return IN_PROCESS_ENGINE if in_process else ENGINE


@functools.cache
def _register_engines() -> None:
    """Register both engines with fewer intermediate saves (SAVE_EVERY). Called first by run_batch, before
    any thread or worker starts, and by each spawned worker process."""
    from papermill.engines import NBClientEngine, papermill_engines

    from gdprlab.runner.inprocess import InProcessEngine

    papermill_engines.register(ENGINE, _engine(NBClientEngine))
    papermill_engines.register(IN_PROCESS_ENGINE, _engine(InProcessEngine))


def _engine(base):
    from papermill.engines import NotebookExecutionManager

    class Manager(NotebookExecutionManager):
        final = False

        def save(self, **kwargs):
            since = (self.now() - self.last_save_time).total_seconds()
            if self.final or since >= SAVE_EVERY:
                super().save(**kwargs)

        def notebook_start(self, **kwargs):
            self.final = True  # the parameterised notebook is on disk before the kernel starts
            super().notebook_start(**kwargs)
            self.final = False

        def notebook_complete(self, **kwargs):
            self.final = True  # the last save happens whatever the outcome
            super().notebook_complete(**kwargs)

    class Engine(base):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            nb_man = Manager(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                             autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    return Engine


# ----------------------------------------------------------------------------------------------------------
# the batch
# ----------------------------------------------------------------------------------------------------------

def execute_run(run: RunResult, notebook: Path, kernel_name: str | None = None,
                html: bool = True, in_process: bool = False) -> RunResult:
    """Execute the notebook for one run (in the caller's thread; in this process with `in_process`, else
    in a kernel) and record the outcome in `run`."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    run.notebook = run.folder / notebook.name
    owner_only_file(run.notebook)  # papermill rewrites the file in place: it keeps this mode
    try:
        papermill.execute_notebook(
            str(notebook), str(run.notebook), parameters=run.parameters, kernel_name=kernel_name,
            progress_bar=False, log_output=False, extra_arguments=KERNEL_ARGUMENTS,
            engine_name=papermill_engine(in_process), shutdown_kernel=KERNEL_SHUTDOWN,
            # The kernel starts in the notebook's folder. Not papermill's cwd=, which os.chdir()s this
            # whole process and, with runs in threads, can leave it in the wrong folder.
            resources={"metadata": {"path": str(notebook.parent)}})
        run.status = "ok"
    except PapermillExecutionError as exc:
        run.status, run.ename, run.evalue, run.cell = "failed", exc.ename, exc.evalue, exc.exec_count
        run.error = f"In [{exc.exec_count}]: {exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel death, unreadable notebook …: this run fails, the others go on
        run.status, run.ename, run.evalue = "failed", type(exc).__name__, str(exc)
        run.error = f"{type(exc).__name__}: {exc}"
    findings = run.folder / FINDINGS_FILE  # read after a failure too: a fail_on stop comes after writing
    try:
        run.findings = json.loads(findings.read_text(encoding="utf-8")) if findings.is_file() else None
    except ValueError as exc:
        if run.ok:
            run.status, run.error = "failed", f"{findings.name} is not valid JSON: {exc}"
    if run.ok and html:
        try:
            run.report = render_html(run.notebook, run.folder / REPORT_FILE)
        except Exception as exc:
            run.status, run.error = "failed", f"HTML report: {type(exc).__name__}: {exc}"
    run.seconds = time.perf_counter() - start
    write_atomic(run.folder / RUN_FILE, json.dumps(run.to_dict(), indent=2, default=str) + "\n")
    return run


def _check_parameters(notebook: Path, params: dict) -> dict[str, dict]:
    declared = notebook_parameters(notebook)
    reserved = [k for k in RESERVED if k in params]
    if reserved:
        raise BatchError(f"{', '.join(reserved)}: set by gdprlab assess for each run; "
                         "give datasets as arguments and --out for the output folder")
    if declared:
        missing = [k for k in RESERVED if k not in declared]
        if missing:
            raise BatchError(f"notebook {notebook.name} declares no {' or '.join(missing)} parameter; "
                             "an assessment notebook must accept dataset and output_dir")
        unknown = sorted(set(params) - set(declared))
        if unknown:
            raise BatchError(f"unknown parameter(s) {', '.join(unknown)} for notebook {notebook.stem}; "
                             f"it accepts: {', '.join(sorted(declared))}")
    return declared


def git_tracked_warning(out: Path) -> str | None:
    """A warning when `out` lies in a git work tree and is not ignored (personal data could be committed)."""
    out = Path(out).resolve()
    probe = out if out.exists() else out.parent
    try:
        inside = subprocess.run(["git", "-C", str(probe), "rev-parse", "--is-inside-work-tree"],
                                capture_output=True, text=True, timeout=10)
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        ignored = subprocess.run(["git", "-C", str(probe), "check-ignore", "-q", str(out / "x")],
                                 capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if ignored.returncode == 0:
        return None
    return (f"{out} is inside a git repository and not git-ignored: run folders hold personal data "
            "(evidence, notebooks); write them under output/ or add the folder to .gitignore")


def worker_pool(workers: int) -> cf.ProcessPoolExecutor:
    """Worker processes for in-process runs: forked where possible, so they start with this process's
    imports (pandas, matplotlib, gdprlab) instead of importing them again; spawned inside a Jupyter
    kernel, whose messaging threads a fork would copy half-way. Each opens DuckDB with its share of the
    cores (share_cores)."""
    import multiprocessing as mp
    import sys

    from gdprlab.crm.backends import share_cores

    fork = "fork" in mp.get_all_start_methods() and "ipykernel" not in sys.modules
    method = "fork" if fork else "spawn"
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method),
                                  initializer=share_cores, initargs=(workers,))


def _print_reports(result: BatchResult) -> None:
    """report.pdf for every run with a report, by one browser; an error fails the runs it concerns."""
    from gdprlab.runner.pdf import PdfError, render_pdfs

    printed = [run for run in result.runs if run.ok and run.report]
    try:
        for run, path in zip(printed, render_pdfs(run.report for run in printed), strict=True):
            run.pdf = path
    except (PdfError, OSError) as exc:
        for run in printed:
            run.status, run.error = "failed", f"PDF report: {exc}"
    except Exception as exc:  # Playwright's own errors (browser crash, timeout)
        for run in printed:
            run.status, run.error = "failed", f"PDF report: {type(exc).__name__}: {exc}"
    for run in printed:
        write_atomic(run.folder / RUN_FILE, json.dumps(run.to_dict(), indent=2, default=str) + "\n")


def run_batch(datasets: Sequence[str | Path], notebook: str | Path = "crm_assessment",
              out: Path = Path("output"), jobs: int = 1, parameters: dict | None = None,
              progress: bool = True, *, kernel_name: str | None = None, kernel: bool = False,
              html: bool = True, compare: bool = True, index: bool = True, pdf: bool = False) -> BatchResult:
    """Run `notebook` (a name from `available_notebooks()` or a path) once per dataset, `jobs` at once.

    `parameters` go to every run (after checking that the notebook declares them); `dataset` and
    `output_dir` are set per run, and `as_of` (when the notebook declares it and it is not given) is the
    dataset's as-of date, the one the run folder is named after. The notebook runs in its own folder
    (its relative defaults are relative to it); relative path parameters (PATH_PARAMETERS) given here are
    taken from the current directory and passed as absolute paths. Never raises for a failing run: see
    `BatchResult.failed`. Raises BatchError before anything runs for an unknown notebook, a parameter
    the notebook does not declare, or a missing dataset.

    Notebooks run in this process (gdprlab.runner.inprocess), `jobs` worker processes at once, unless `kernel`
    (or a `kernel_name`) asks for a Jupyter kernel per notebook, driven from `jobs` threads. With `pdf`,
    each report is printed to report.pdf too (gdprlab.runner.pdf; a run whose PDF fails is failed).
    """
    from tqdm.auto import tqdm

    if not datasets:
        raise BatchError("no dataset given")
    if jobs < 1:
        raise BatchError(f"jobs must be at least 1, got {jobs}")
    start = time.perf_counter()
    path = resolve_notebook(notebook)
    params = absolute_paths(dict(parameters or {}))
    declared = _check_parameters(path, params)
    missing = [str(d) for d in datasets if not Path(d).exists()]
    if missing:
        raise BatchError(f"dataset(s) not found: {', '.join(missing)}")

    papermill_engine()  # registered before any thread starts
    out = Path(out)
    result = BatchResult([], path)
    if warning := git_tracked_warning(out):
        result.warnings.append(warning)
    planned = []  # every date read (a bad manifest raises here) before any folder is made
    for dataset in datasets:
        dataset = Path(dataset).resolve()
        try:
            as_of, as_of_source = resolve_as_of(dataset, params.get("as_of"))
        except ValueError as exc:  # a bad as_of parameter or manifest
            raise BatchError(str(exc)) from None
        planned.append((dataset, dataset_name(dataset), as_of, as_of_source))
    for dataset, name, as_of, as_of_source in planned:
        folder = new_run_folder(out, name, as_of).resolve()
        run_params = {**params, "dataset": str(dataset), "output_dir": str(folder)}
        # a date the notebook would read from the manifest itself is left to it, which then says where it
        # came from; today is passed on, so that a run past midnight keeps its folder's date
        if "as_of" in declared and "as_of" not in params and as_of_source.startswith("today"):
            run_params["as_of"] = as_of.isoformat()
        result.runs.append(RunResult(dataset, name, as_of, folder, parameters=run_params))

    bar = tqdm(total=len(result.runs), desc=f"assess ({path.stem})", unit="run", disable=not progress)

    def done(run: RunResult) -> None:
        bar.update(1)
        if not run.ok:
            bar.write(f"failed: {run.name}: {run.error}")
        bar.set_postfix(failed=len([r for r in result.runs if r.status == "failed"]))

    in_process = not kernel and kernel_name is None
    try:
        if jobs == 1 or len(result.runs) == 1:
            for run in result.runs:
                done(execute_run(run, path, kernel_name, html, in_process))
        else:
            workers = min(jobs, len(result.runs))
            pool = (worker_pool(workers) if in_process
                    else cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gdprlab-assess"))
            try:
                futures = {pool.submit(execute_run, run, path, kernel_name, html, in_process): i
                           for i, run in enumerate(result.runs)}
                for future in cf.as_completed(futures):
                    result.runs[futures[future]] = future.result()  # a worker process returns a copy
                    done(result.runs[futures[future]])
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        bar.close()

    if pdf:
        _print_reports(result)
    if compare:
        for run in result.runs:
            if run.findings is None:
                continue
            try:
                run.comparison = compare_with_previous(run.folder, run.name, out)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                result.warnings.append(f"{run.name}: comparison with the previous run failed: {exc}")
    result.seconds = time.perf_counter() - start
    if index:
        result.index_csv, result.index_html = write_index(out, result.runs, notebook=path.stem)
    return result
