"""Parameters of the audit notebook (notebooks/crm_assessment.ipynb), checked before anything is read.

papermill injects parameters as plain assignments and only *warns* about a name the notebook does not
declare, so a misspelt `-p evidnce 2` would silently run with the default. `validate` therefore compares
the notebook's globals after the parameters cell with those before it, and turns every unknown name,
wrong type, missing path, bad date, unknown rule id or negative count into ONE ParameterError that lists
every problem, so an auditor fixes the call once.

Secrets (encryption keys, passwords) are never parameters: papermill writes parameters into the executed
notebook's metadata and its injected cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gdprlab.crm.io import parse_date
from gdprlab.regulation.catalogue import RULES_BY_ID, SEVERITIES


class ParameterError(ValueError):
    """Notebook parameters that cannot be used; the message lists every problem and how to fix it."""


@dataclass(frozen=True)
class Param:
    """One notebook parameter: its type, default and help text, as in the `parameters` cell."""

    name: str
    type: type
    default: str | int | bool
    help: str
    minimum: int | None = None  # for int parameters


@dataclass(frozen=True)
class AuditParams:
    """Validated, typed parameters: paths resolved, dates parsed, empty text turned into None."""

    dataset: Path
    organisation: str
    as_of: dt.date | None  # None: the dataset's as-of date, else today
    policy: Path | None  # None: the dataset's policy.yaml, else gdprlab's defaults
    mapping: Path | None
    output_dir: Path | None  # None: ../output/<dataset name>-<as-of>
    evidence: int
    top_actions: int
    rules: tuple[str, ...] | None  # None: every rule of the catalogue
    fail_on: str | None  # None: never fail on findings


SPEC: tuple[Param, ...] = (
    Param("dataset", str, "../datasets/sample", "dataset folder or CRM export (folder or file)"),
    Param("organisation", str, "Example GmbH", "controller named in the report"),
    Param("as_of", str, "", "assessment date YYYY-MM-DD; empty: the dataset's as-of date, else today"),
    Param("policy", str, "", "organisation policy YAML; empty: the dataset's policy.yaml, else defaults"),
    Param("mapping", str, "", "export mapping YAML (tables, files, columns); empty: recognise headers"),
    Param("output_dir", str, "", "folder for findings.json and .csv; empty: ../output/<name>-<as-of>"),
    Param("evidence", int, 5, "masked evidence records shown per finding", minimum=0),
    Param("top_actions", int, 5, "number of actions listed in the action plan", minimum=0),
    Param("rules", str, "", "comma-separated rule ids to assess; empty: every rule"),
    Param("fail_on", str, "", "low, medium, high or critical: fail the run after writing the outputs"),
)


def unknown_names(namespace: Mapping[str, object], names_before: Iterable[str],
                  spec: Iterable[Param] = SPEC) -> list[str]:
    """Names bound since `names_before` that are not parameters (IPython's `_…` names are ignored)."""
    known = {p.name for p in spec}
    new = set(namespace) - set(names_before)
    return sorted(n for n in new if not n.startswith("_") and n not in known)


def _type_problem(p: Param, value: object) -> str | None:
    """Why `value` is not of the parameter's type or below its minimum; bool is not accepted for int."""
    if not isinstance(value, p.type) or (p.type is int and isinstance(value, bool)):
        hint = " (papermill -p turns numbers into int; pass text with -r)" if p.type is str else ""
        return f"{p.name}: expected {p.type.__name__}, got {type(value).__name__} {value!r}{hint}"
    if p.minimum is not None and value < p.minimum:  # type: ignore[operator]
        return f"{p.name}: must be at least {p.minimum}, got {value}"
    return None


def _path(text: str, base: Path) -> Path:
    return Path(text) if Path(text).is_absolute() else (base / text).resolve()


def _existing(text: str, base: Path, want_file: bool) -> Path | None:
    """'' gives None; otherwise a path that exists (a file when `want_file`), else ValueError."""
    if not text.strip():
        return None
    path = _path(text, base)
    if not path.exists():
        raise ValueError(f"{text!r} does not exist (looked for {path})")
    if want_file and not path.is_file():
        raise ValueError(f"{text!r} is not a file ({path})")
    return path


def parse_as_of(text: str) -> dt.date | None:
    """'' gives None; otherwise a real calendar date written YYYY-MM-DD, else ValueError."""
    return parse_date(text) if text.strip() else None


def parse_rules(text: str) -> tuple[str, ...] | None:
    """'' gives None (every rule); otherwise known rule ids, in the order given, else ValueError."""
    ids = tuple(dict.fromkeys(r.strip() for r in text.split(",") if r.strip()))
    if not ids:
        return None
    unknown = [r for r in ids if r not in RULES_BY_ID]
    if unknown:
        raise ValueError(f"unknown rule id(s) {', '.join(unknown)}; known: {', '.join(RULES_BY_ID)}")
    return ids


def parse_severity(text: str) -> str | None:
    """'' gives None; otherwise one of gdprlab.regulation.catalogue.SEVERITIES (any case), else ValueError."""
    key = text.strip().lower()
    if not key:
        return None
    if key not in SEVERITIES:
        raise ValueError(f"{text!r} is not a severity; choose one of {', '.join(SEVERITIES)}")
    return key


def _dataset(text: str, base: Path) -> Path:
    if not text.strip():
        raise ValueError("empty; pass a dataset folder or a CRM export file or folder")
    return _existing(text, base, want_file=False) or base


#: how each parameter's checked value becomes an AuditParams field (ValueError: the problem)
CONVERTERS: dict[str, Callable[[object, Path], object]] = {
    "dataset": lambda v, base: _dataset(str(v), base),
    "policy": lambda v, base: _existing(str(v), base, want_file=True),
    "mapping": lambda v, base: _existing(str(v), base, want_file=True),
    "output_dir": lambda v, base: _path(str(v), base) if str(v).strip() else None,
    "as_of": lambda v, base: parse_as_of(str(v)),
    "rules": lambda v, base: parse_rules(str(v)),
    "fail_on": lambda v, base: parse_severity(str(v)),
}


def _check(namespace: Mapping[str, object], spec: tuple[Param, ...], base: Path
           ) -> tuple[dict[str, object], list[str]]:
    """Each parameter's converted value (its default when absent) and every problem found."""
    values: dict[str, object] = {}
    problems = []
    for p in spec:
        value = namespace.get(p.name, p.default)
        problem = _type_problem(p, value)
        if problem is None and p.name in CONVERTERS:
            try:
                value = CONVERTERS[p.name](value, base)
            except ValueError as exc:
                problem = f"{p.name}: {exc}"
        if problem:
            problems.append(problem)
        values[p.name] = value
    return values, problems


def validate(namespace: Mapping[str, object], names_before: Iterable[str], spec: Iterable[Param] = SPEC,
             base: str | Path | None = None) -> AuditParams:
    """The notebook's parameters as AuditParams, or one ParameterError listing every problem.

    `namespace` is the notebook's globals() after the parameters (and papermill's injected) cell,
    `names_before` its names before that cell; relative paths are resolved against `base` (the
    notebook's working directory by default).
    """
    spec = tuple(spec)
    base = Path.cwd() if base is None else Path(base)
    problems = [f"unknown parameter {n!r}; known parameters: {', '.join(p.name for p in spec)} "
                "(papermill only warns about it; if you re-ran cells by hand, run from the first cell)"
                for n in unknown_names(namespace, names_before, spec)]
    values, found = _check(namespace, spec, base)
    problems += found
    if problems:
        listing = "\n".join(f"- {p}" for p in problems)
        raise ParameterError(f"{len(problems)} parameter problem(s):\n{listing}")
    return AuditParams(**values)  # type: ignore[arg-type]
