"""Parameters of a notebook run by papermill, checked before anything is read.

papermill injects parameters as plain assignments and only *warns* about a name the notebook does not
declare, so a misspelt `-p evidnce 2` would silently run with the default. `validate` therefore compares
the notebook's globals after the parameters cell with those before it, and turns every unknown name, wrong
type, number below its minimum and value its Param's `convert` refuses (a missing path, a bad date …)
into ONE ParameterError that lists every problem, so the user fixes the call once.

Each notebook declares its parameters as a tuple of Param next to the code that uses them (the audit
notebook's in gdprlab.audit.notebook, the self-assessment's in gdprlab.audit.selfassess); the converters
here are the ones they share. Secrets (encryption keys, passwords) are never parameters: papermill writes
parameters into the executed notebook's metadata and its injected cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gdprlab.crm.io import parse_date


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
    #: (value of the right type, folder relative paths start from) -> the value the notebook uses;
    #: ValueError says what is wrong with it. None: the value as given.
    convert: Callable[[object, Path], object] | None = None


def unknown_names(namespace: Mapping[str, object], names_before: Iterable[str],
                  spec: Iterable[Param]) -> list[str]:
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


# ----------------------------------------------------------------------------------------------------------
# converters shared by the notebooks: empty text means "not given" (None)
# ----------------------------------------------------------------------------------------------------------

def as_text(value: object, base: Path) -> str | None:
    """The text, stripped; '' gives None."""
    return str(value).strip() or None


def as_path(value: object, base: Path) -> Path | None:
    """'' gives None; otherwise the path, relative ones taken from `base`."""
    text = str(value).strip()
    if not text:
        return None
    return Path(text) if Path(text).is_absolute() else (base / text).resolve()


def existing_path(value: object, base: Path) -> Path | None:
    """'' gives None; otherwise a path (file or folder) that exists, else ValueError."""
    path = as_path(value, base)
    if path is not None and not path.exists():
        raise ValueError(f"{value!r} does not exist (looked for {path})")
    return path


def existing_file(value: object, base: Path) -> Path | None:
    """'' gives None; otherwise a file that exists, else ValueError."""
    path = existing_path(value, base)
    if path is not None and not path.is_file():
        raise ValueError(f"{value!r} is not a file ({path})")
    return path


def parse_as_of(text: str) -> dt.date | None:
    """'' gives None; otherwise a real calendar date written YYYY-MM-DD, else ValueError."""
    return parse_date(text) if text.strip() else None


def as_date(value: object, base: Path) -> dt.date | None:
    """parse_as_of, as a converter."""
    return parse_as_of(str(value))


# ----------------------------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------------------------

def validate(namespace: Mapping[str, object], names_before: Iterable[str], spec: Iterable[Param],
             base: str | Path | None = None) -> dict[str, object]:
    """Each parameter's converted value (its default when absent), or one ParameterError listing every
    problem.

    `namespace` is the notebook's globals() after the parameters (and papermill's injected) cell,
    `names_before` its names before that cell; relative paths are resolved against `base` (the
    notebook's working directory by default).
    """
    spec = tuple(spec)
    base = Path.cwd() if base is None else Path(base)
    problems = [f"unknown parameter {n!r}; known parameters: {', '.join(p.name for p in spec)} "
                "(papermill only warns about it; if you re-ran cells by hand, run from the first cell)"
                for n in unknown_names(namespace, names_before, spec)]
    values: dict[str, object] = {}
    for p in spec:
        value = namespace.get(p.name, p.default)
        problem = _type_problem(p, value)
        if problem is None and p.convert is not None:
            try:
                value = p.convert(value, base)
            except ValueError as exc:
                problem = f"{p.name}: {exc}"
        if problem:
            problems.append(problem)
        values[p.name] = value
    if problems:
        listing = "\n".join(f"- {p}" for p in problems)
        raise ParameterError(f"{len(problems)} parameter problem(s):\n{listing}")
    return values
