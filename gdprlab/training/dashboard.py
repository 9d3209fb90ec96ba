"""What the trainer's notebook (notebooks/training_dashboard.ipynb) computes: frames and dataclasses.

The notebook reads the same database learners write to (:mod:`gdprlab.training.store.progress`, plus the
roster of :mod:`gdprlab.training.store.roster`), computes the status of every learner x lesson with
:mod:`gdprlab.training.status`, and shows completion per lesson and department, pass rates, score bands, who
is overdue or never started and the monthly trend. It exports a CSV for HR, a summary and, one statement
per attempt, xAPI JSON (:mod:`gdprlab.training.xapi`). Cells stay short: the logic is here, the drawing
in :mod:`gdprlab.training.charts`.

Parameters are checked by :func:`validate` before anything is read, as for the audit notebook
(:mod:`gdprlab.runner.parameters`): one :class:`~gdprlab.runner.parameters.ParameterError` lists every
problem. A database password is never a parameter (papermill writes parameters into the executed
notebook): put it in the environment (``PGPASSWORD``) or a pgpass file; a URL carrying one is refused.

Without a roster every learner who has attempts is taken as a staff member of department ``(no roster)``
who must take every lesson, so "never started" then only covers lessons such a learner has not tried.
No name or e-mail address is shown or exported: learners appear by their learner id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from gdprlab.crm.files import write_atomic
from gdprlab.crm.shown import md
from gdprlab.runner.parameters import Param, ParameterError, parse_as_of, unknown_names
from gdprlab.training import status as training
from gdprlab.training import xapi
from gdprlab.training.grading import answers_with, grade
from gdprlab.training.quiz import bank_version, load_banks
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import Attempt
from gdprlab.training.store.roster import STORED_COLUMNS, RosterStore, unknown_learners, validate_rows
from gdprlab.training.store.schema import default_db_url

__all__ = ["SPEC", "Dashboard", "DashboardParams", "ParameterError", "load", "validate"]

SPEC: tuple[Param, ...] = (
    Param("database_url", str, "",
          "SQLAlchemy URL; empty: GDPRLAB_DB_URL or default file; password: PGPASSWORD/pgpass"),
    Param("department", str, "", "show this department only (as in the roster); empty: every department"),
    Param("as_of", str, "", "report date YYYY-MM-DD; attempts after it are ignored; empty: today (UTC)"),
    Param("output_dir", str, "", "folder for the CSV and xAPI exports; empty: ../output/training-<as-of>"),
    Param("refresh_months", int, 12, "calendar months a pass stays current before the refresher is due",
          minimum=1),
    Param("requirements", str, "", "YAML of lessons required per role; empty: every lesson for CRM users"),
    Param("demo", bool, False, "show a throw-away store of made-up staff instead (deleted once read)"),
)
NO_ROSTER = "(no roster)"
TODO_STATUSES = ("overdue", "never_started", "failed_only")


@dataclass(frozen=True)
class DashboardParams:
    database_url: str  # the URL actually read ('' resolved to the default)
    department: str | None
    as_of: dt.date
    output_dir: Path
    refresh_months: int
    requirements: Path | None
    demo: bool


def _type_problem(p: Param, value: object) -> str | None:
    if not isinstance(value, p.type) or (p.type is int and isinstance(value, bool)):
        return f"{p.name}: expected {p.type.__name__}, got {type(value).__name__} {value!r}"
    if p.minimum is not None and value < p.minimum:  # type: ignore[operator]
        return f"{p.name}: must be at least {p.minimum}, got {value}"
    return None


def _error(problems: list[str]) -> ParameterError:
    return ParameterError(f"{len(problems)} parameter problem(s):\n" + "\n".join(f"- {p}" for p in problems))


def check_url(text: str) -> str:
    """The URL to read: '' gives the default store; a malformed URL or one with a password: ValueError."""
    if not text.strip():
        return default_db_url()
    try:
        url = sa.make_url(text.strip())
    except sa.exc.ArgumentError as error:
        raise ValueError(f"not a SQLAlchemy URL ({error})") from None
    if url.password:
        raise ValueError("carries a password; papermill records parameters in the executed notebook, so "
                         "put the password in the environment (PGPASSWORD) or a pgpass file instead")
    return text.strip()


def validate(namespace: Mapping[str, object], names_before: Iterable[str],
             base: str | Path | None = None, today: dt.date | None = None) -> DashboardParams:
    """The notebook's parameters checked and typed, or one ParameterError listing every problem."""
    base = Path.cwd() if base is None else Path(base)
    problems = [f"unknown parameter {n!r}; known parameters: {', '.join(p.name for p in SPEC)}"
                for n in unknown_names(namespace, names_before, SPEC)]
    values = {p.name: namespace.get(p.name, p.default) for p in SPEC}
    wrong = {p.name: msg for p in SPEC if (msg := _type_problem(p, values[p.name]))}
    problems += list(wrong.values())
    for name in wrong:  # checked no further, the rest still are
        values[name] = next(p.default for p in SPEC if p.name == name)
    as_of = url = requirements = None
    try:
        as_of = parse_as_of(str(values["as_of"])) or today or dt.datetime.now(dt.UTC).date()
    except ValueError as error:
        problems.append(f"as_of: {error}")
    try:
        url = check_url(str(values["database_url"]))
    except ValueError as error:
        problems.append(f"database_url: {error}")
    if values["demo"] is True and str(values["database_url"]).strip():
        problems.append("demo: a demo fills its own throw-away store; leave database_url empty")
    if str(values["requirements"]).strip():
        requirements = Path(str(values["requirements"]))
        requirements = requirements if requirements.is_absolute() else (base / requirements).resolve()
        if not requirements.is_file():
            problems.append(f"requirements: {values['requirements']!r} is not a file ({requirements})")
    if problems:
        raise _error(problems)
    out = str(values["output_dir"]).strip()
    output_dir = (Path(out) if Path(out).is_absolute() else (base / out).resolve()) if out else (
        base / ".." / "output" / f"training-{as_of.isoformat()}").resolve()
    return DashboardParams(
        database_url=str(url), department=str(values["department"]).strip() or None, as_of=as_of,
        output_dir=output_dir, refresh_months=int(values["refresh_months"]), requirements=requirements,
        demo=bool(values["demo"]))


# --------------------------------------------------------------------------------------------------
# Demo store


def fill_demo_store(folder: Path, as_of: dt.date, learners: int = 12, seed: int = 7) -> str:
    """A new SQLite store in the existing, empty ``folder`` with a small roster of made-up staff and a
    year of their attempts up to ``as_of``; returns its URL."""
    rng = np.random.default_rng(seed)
    url = f"sqlite:///{folder / 'demo-progress.sqlite'}"
    departments = ("Sales", "Support", "Marketing")
    rows = [{"staff_id": f"S{n:03d}", "name": f"Demo person {n}", "email": f"demo{n}@example.invalid",
             "department": departments[n % 3], "role": "sales_rep" if n % 3 == 0 else "agent",
             "crm_access": "none" if n == learners - 1 else "standard", "start_date": "2024-01-15"}
            for n in range(learners)]
    with RosterStore(url) as roster:
        roster.replace(validate_rows(rows, "demo roster"))
    lessons = training.default_requirements().default
    end = dt.datetime.combine(as_of, dt.time(12), tzinfo=dt.UTC)
    banks = load_banks()
    with ProgressStore(url, outbox_dir=folder / "outbox") as store:
        for n in range(learners - 2):  # the last two never start
            for lesson in lessons[: int(rng.integers(2, len(lessons) + 1))]:
                bank = banks[lesson]
                for number in range(1, int(rng.integers(1, 3)) + 1):
                    right = int(rng.integers(2, bank.questions_per_attempt + 1))
                    learner = f"S{n:03d}"
                    answers = answers_with(bank, learner, number, right)  # real answers, so they re-grade
                    earned = grade(bank, learner, answers)
                    when = end - dt.timedelta(days=int(rng.integers(1, 500)),
                                              minutes=int(rng.integers(0, 600)))
                    store.record(Attempt(learner=learner, lesson=lesson, quiz=lesson,
                                         bank_version=bank_version(bank), answers=answers, score=earned.score,
                                         max_score=earned.max_score, passed=earned.passed,
                                         submitted_at=when))
    return url


# --------------------------------------------------------------------------------------------------
# Loading and computing


@dataclass(frozen=True)
class Dashboard:
    """Everything the notebook shows, for one department (or all) as of one date."""

    url: str
    as_of: dt.date
    department: str | None
    roster: pd.DataFrame  # the department's roster (or learners standing in for it)
    has_roster: bool
    attempts: pd.DataFrame  # the department's attempts up to as_of
    status: pd.DataFrame  # training.lesson_status
    unknown: list[str]  # learners with attempts but not on the roster (all departments)
    requirements: training.Requirements
    demo: bool = False  # read from a throw-away store of made-up staff, deleted since

    @property
    def empty(self) -> bool:
        return self.attempts.empty and self.roster.empty


def _stand_in_roster(attempts: pd.DataFrame) -> pd.DataFrame:
    learners = sorted(set(attempts["learner"])) if not attempts.empty else []
    return pd.DataFrame({"staff_id": learners, "learner_id": learners, "name": learners,
                         "department": NO_ROSTER, "role": "", "crm_access": "standard",
                         "start_date": pd.NaT}, columns=list(STORED_COLUMNS))


def load(params: DashboardParams) -> Dashboard:
    """Read roster and attempts from the store, compute the statuses; ValueError for an unknown department
    or a store that does not exist (reading never creates one).

    With ``demo``, the store is filled for this call alone, in a private temporary folder deleted once it is
    read: two dashboards shown at once (two viewers of the served notebook) never share one."""
    if params.demo:
        with tempfile.TemporaryDirectory(prefix="gdprlab-demo-") as folder:
            url = fill_demo_store(Path(folder), params.as_of)
            board = load(dataclasses.replace(params, database_url=url, demo=False))
        return dataclasses.replace(board, demo=True)
    requirements = training.load_requirements(params.requirements)
    requirements = dataclasses.replace(requirements, refresh_months=params.refresh_months)
    with ProgressStore(params.database_url, create=False) as store:  # a dashboard never creates a store
        attempts = store.attempts_frame()
    with RosterStore(params.database_url, create=False) as roster_store:
        roster = roster_store.frame() if roster_store.exists() else pd.DataFrame(columns=list(STORED_COLUMNS))
    has_roster = not roster.empty
    unknown = unknown_learners(roster, attempts) if has_roster else []
    if not has_roster:
        roster = _stand_in_roster(attempts)
    if not attempts.empty:
        days = pd.to_datetime(attempts["submitted_at"], utc=True).dt.tz_localize(None).dt.floor("D")
        attempts = attempts[days <= pd.Timestamp(params.as_of)].reset_index(drop=True)
    if params.department is not None:
        known = sorted(set(roster["department"]))
        chosen = [d for d in known if d.casefold() == params.department.casefold()]
        if not chosen:
            raise ValueError(f"department {params.department!r} is not in the roster; departments: "
                             f"{', '.join(known) or 'none (the store is empty)'}")
        roster = roster[roster["department"] == chosen[0]].reset_index(drop=True)
        attempts = attempts[attempts["learner"].isin(set(roster["learner_id"]))].reset_index(drop=True)
    status = training.lesson_status(roster, attempts, requirements, params.as_of)
    return Dashboard(params.database_url, params.as_of, params.department, roster, has_roster, attempts,
                     status, unknown, requirements)


def describe(board: Dashboard) -> str:
    """A Markdown paragraph: which store, how much is in it, what is missing (names from the store
    escaped: gdprlab.crm.shown.md)."""
    store = ("A throw-away **demo** store of made-up staff" if board.demo
             else f"The store {md(sa.make_url(board.url).render_as_string(hide_password=True))}")
    scope = f"department **{md(board.department)}**" if board.department else "every department"
    if board.empty:
        return (f"{store} holds **no quiz attempts and no roster yet** (for {scope}, up to "
                f"{board.as_of}). The tables below are empty; they fill as learners submit quizzes.")
    text = (f"{store}, {scope}, as of **{board.as_of}**: {board.roster['staff_id'].nunique()} staff, "
            f"{len(board.attempts)} attempts, lessons refreshed every {board.requirements.refresh_months} "
            "calendar months.")
    if not board.has_roster:
        text += (" **No roster imported** (`gdprlab roster import`): every learner with attempts stands in "
                 "as staff who must take every lesson, so nobody who never started at all can be listed.")
    if board.unknown:
        listed = ", ".join(map(md, board.unknown[:20])) + (" …" if len(board.unknown) > 20 else "")
        text += (f" {len(board.unknown)} learner(s) have attempts but are not on the roster (not dropped, "
                 f"listed here): {listed}.")
    return text


def monthly_trend(attempts: pd.DataFrame) -> pd.DataFrame:
    """Per calendar month (UTC): attempts, passes, learners; months without attempts included as 0."""
    columns = ["month", "attempts", "passed", "learners"]
    if attempts.empty:
        return pd.DataFrame(columns=columns)
    month = pd.to_datetime(attempts["submitted_at"], utc=True).dt.tz_localize(None).dt.to_period("M")
    frame = attempts.assign(month=month, passed=attempts["passed"].astype(bool))
    g = frame.groupby("month")
    out = pd.DataFrame({"attempts": g.size(), "passed": g["passed"].sum().astype(int),
                        "learners": g["learner"].nunique()})
    out = out.reindex(pd.period_range(out.index.min(), out.index.max(), freq="M"), fill_value=0)
    return out.rename_axis("month").reset_index()[columns]


def to_do(status: pd.DataFrame) -> pd.DataFrame:
    """Required lessons not currently passed, sorted by due date (oldest first, never passed last)."""
    rows = status[status["required"].astype(bool) & status["status"].isin(TODO_STATUSES)]
    rows = rows.sort_values(["due_date", "staff_id", "lesson"], na_position="last", ignore_index=True)
    return rows[["staff_id", "learner_id", "department", "lesson", "status", "attempts", "best_percent",
                 "last_pass", "due_date"]]


def export(board: Dashboard, folder: Path) -> dict[str, Path]:
    """Write training_status.csv (HR), xapi_statements.json and summary.json; returns their paths."""
    summary = training.summary(board.status) | {"as_of": board.as_of.isoformat(),
                                                "department": board.department,
                                                "refresh_months": board.requirements.refresh_months,
                                                "unknown_learners": board.unknown}
    statements = xapi.to_statements(board.attempts) if not board.attempts.empty else []
    return {"hr_csv": write_atomic(folder / "training_status.csv", training.hr_csv(board.status)),
            "summary": write_atomic(folder / "summary.json", json.dumps(summary, indent=2, default=str)),
            "xapi": write_atomic(folder / "xapi_statements.json",
                                 json.dumps(statements, indent=1, ensure_ascii=False))}
