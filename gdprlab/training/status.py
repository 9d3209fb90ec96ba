"""Who completed which lesson, who is overdue: pure pandas functions over roster, attempts and requirements.

Inputs
    ``roster``: :func:`gdprlab.training.store.roster.read_roster_csv` / :meth:`RosterStore.frame` (staff_id,
    learner_id,
    name, department, role, crm_access, start_date). ``attempts``: :meth:`ProgressStore.attempts_frame`
    (learner, lesson, bank_version, score, max_score, passed, submitted_at). ``requirements``:
    :class:`Requirements`. ``as_of``: a date; attempts submitted after it are ignored.

Statuses (one per learner x lesson)
    ``passed_current`` (a pass whose refresher is not yet due), ``overdue`` (the latest pass has expired),
    ``failed_only`` (attempts, none passed), ``never_started`` (no attempt), ``not_required`` (the lesson
    is not required of this person's role / access level; shown only when attempted).

Refresher: a pass on day D is current up to and including ``add_months(D, refresh_months)`` (calendar
months, clamped to the month's end: 31 Jan + 12 months = 31 Jan; 29 Feb 2028 + 12 months = 28 Feb 2029);
it is overdue from the next day. This is the same rule as ``untrained_crm_user``. Pass dates are the UTC
date of ``submitted_at``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import yaml

from gdprlab.regulation.law import add_months
from gdprlab.regulation.policy import yaml_problem

if TYPE_CHECKING:
    from gdprlab.training.versions import Changelog

STATUSES = ("passed_current", "overdue", "failed_only", "never_started", "not_required")
DEFAULT_REFRESH_MONTHS = 12
#: calendar months a quiz attempt is kept (``gdprlab progress purge``): three refresh cycles, enough to show
#: a learner's training history (Art. 5(2)) and no longer (Art. 5(1)(e)); the organisation's choice
DEFAULT_RETENTION_MONTHS = 36
#: days a pass of an earlier content version stays current after a material change (``content_update_days``)
DEFAULT_CONTENT_UPDATE_DAYS = 30
STATUS_COLUMNS = ["staff_id", "learner_id", "department", "role", "lesson", "required", "status", "reason",
                  "attempts", "best_percent", "last_pass", "due_date"]
#: the ``reason`` of each status (``overdue`` also: :data:`CONTENT_UPDATED` when the content changed)
REASONS = {"passed_current": "", "overdue": "refresher due", "failed_only": "not passed yet",
           "never_started": "never started", "not_required": ""}
CONTENT_UPDATED = "content updated"


class RequirementsError(ValueError):
    """A requirements file that cannot be used."""


@dataclass(frozen=True)
class Requirements:
    """Lessons required per role, the refresher interval, and how long attempts are kept.

    ``default``: lessons required of roles not listed in ``roles``; ``crm_users_only``: staff whose
    ``crm_access`` is ``none`` need no lesson. The defaults (:func:`default_requirements`): every staff
    member with CRM access takes every lesson found by :func:`gdprlab.training.quiz.load_banks`, refreshed
    every 12
    calendar months.
    """

    default: tuple[str, ...]
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    refresh_months: int = DEFAULT_REFRESH_MONTHS
    crm_users_only: bool = True
    retention_months: int = DEFAULT_RETENTION_MONTHS
    content_update_days: int = DEFAULT_CONTENT_UPDATE_DAYS
    course_title: str = "Data protection (GDPR) for CRM users"

    def lessons_for(self, role: str, crm_access: str) -> tuple[str, ...]:
        if self.crm_users_only and crm_access == "none":
            return ()
        return tuple(self.roles.get(role, self.default))

    @property
    def all_lessons(self) -> tuple[str, ...]:
        found = dict.fromkeys(self.default)
        for lessons in self.roles.values():
            found.update(dict.fromkeys(lessons))
        return tuple(sorted(found))


def _bank_lessons() -> tuple[str, ...]:
    from gdprlab.training.quiz import load_banks

    return tuple(load_banks())


def default_requirements() -> Requirements:
    return Requirements(default=_bank_lessons())


def load_requirements(path: str | os.PathLike[str] | None = None,
                      lessons: Iterable[str] | None = None) -> Requirements:
    """Read a requirements YAML file; ``None`` gives :func:`default_requirements`.

    Format (every key optional)::

        refresh_months: 12            # calendar months a pass stays current
        retention_months: 36          # calendar months an attempt is kept (at least refresh_months)
        content_update_days: 30       # days to retake a lesson after a material content change
        course_title: "Data protection (GDPR) for CRM users"   # named on certificates
        crm_users_only: true          # staff with crm_access none need nothing
        default: all                  # "all" (every lesson bank) or a list of lesson ids
        roles:
          sales_rep: [02_permission, 05_rights]
          dpo: all

    ``lessons`` (default: the packaged banks) is what ``all`` means and what lesson ids are checked against.
    """
    known = tuple(lessons) if lessons is not None else _bank_lessons()
    if path is None:
        return Requirements(default=known)
    source = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise RequirementsError(f"{source}: not valid YAML ({yaml_problem(error)})") from error
    if not isinstance(data, dict):
        raise RequirementsError(f"{source}: expected a mapping at the top level")
    unknown = set(data) - {"refresh_months", "crm_users_only", "default", "roles", "retention_months",
                           "content_update_days", "course_title"}
    if unknown:
        raise RequirementsError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")

    def lesson_list(value: object, where: str) -> tuple[str, ...]:
        if value == "all":
            return known
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RequirementsError(f"{source}: {where} must be 'all' or a list of lesson ids")
        missing = [v for v in value if v not in known]
        if missing:
            raise RequirementsError(f"{source}: {where}: unknown lesson(s) {', '.join(missing)}")
        return tuple(value)

    refresh = data.get("refresh_months", DEFAULT_REFRESH_MONTHS)
    if isinstance(refresh, bool) or not isinstance(refresh, int) or refresh < 1:
        raise RequirementsError(f"{source}: refresh_months must be a positive whole number of months")
    keep = data.get("retention_months", max(DEFAULT_RETENTION_MONTHS, refresh))
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < refresh:
        raise RequirementsError(f"{source}: retention_months must be a whole number of months, at least "
                                f"refresh_months ({refresh}), so that a current pass is never purged")
    crm_only = data.get("crm_users_only", True)
    if not isinstance(crm_only, bool):
        raise RequirementsError(f"{source}: crm_users_only must be true or false")
    roles = data.get("roles") or {}
    if not isinstance(roles, dict):
        raise RequirementsError(f"{source}: roles must map role names to lessons")
    grace = data.get("content_update_days", DEFAULT_CONTENT_UPDATE_DAYS)
    if isinstance(grace, bool) or not isinstance(grace, int) or grace < 0:
        raise RequirementsError(f"{source}: content_update_days must be a whole number of days (0 or more)")
    title = data.get("course_title", Requirements.course_title)
    if not isinstance(title, str) or not title.strip():
        raise RequirementsError(f"{source}: course_title must be a non-empty text (it names the course on "
                                "certificates)")
    return Requirements(
        content_update_days=grace,
        course_title=" ".join(title.split()),
        default=lesson_list(data.get("default", "all"), "default"),
        roles={str(r): lesson_list(v, f"roles.{r}") for r, v in roles.items()},
        refresh_months=refresh,
        crm_users_only=crm_only,
        retention_months=keep,
    )


# ------------------------------------------------------------------------------------------ status
def _as_date(as_of: dt.date | dt.datetime) -> dt.date:
    return as_of.date() if isinstance(as_of, dt.datetime) else as_of


def _attempt_days(attempts: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(attempts["submitted_at"], utc=True).dt.tz_localize(None).dt.floor("D")


def _until(attempts: pd.DataFrame, as_of: dt.date | None) -> pd.DataFrame:
    """Attempts submitted on or before as_of (all when None), with `day` (UTC date) and `percent`."""
    if attempts.empty:
        return pd.DataFrame(columns=["learner", "lesson", "bank_version", "score", "max_score", "passed",
                                     "submitted_at", "day", "percent"])
    a = attempts.copy()
    a["day"] = _attempt_days(a)
    if as_of is not None:
        a = a[a["day"] <= pd.Timestamp(as_of)]
    a["percent"] = 100.0 * a["score"].astype(float) / a["max_score"].astype(float)
    a["passed"] = a["passed"].astype(bool)
    return a


def due_dates(last_pass: pd.Series | np.ndarray, refresh_months: int) -> np.ndarray:
    """The last day each pass is current (calendar months; NaT stays NaT)."""
    d = np.asarray(pd.to_datetime(pd.Series(last_pass)).to_numpy(), dtype="datetime64[D]")
    out = d.copy()
    ok = ~np.isnat(d)
    out[ok] = add_months(d[ok], refresh_months)
    return out


def _pass_dues(passes: pd.DataFrame, requirements: Requirements, changelog: Changelog | None,
               as_of: dt.date) -> pd.DataFrame:
    """Each pass's due date (its refresher, or ``content_update_days`` after a material content change it
    predates, whichever is first) and the change that set it (None: the refresher)."""
    refresh = due_dates(passes["day"], requirements.refresh_months)
    dues, changes = [], []
    for (lesson, bank, day), due in zip(passes[["lesson", "bank_version", "day"]].itertuples(index=False),
                                        refresh, strict=True):
        change = changelog.uncovered(lesson, str(bank), day.date(), until=as_of) if changelog else None
        content_due = (np.datetime64(change.date + dt.timedelta(days=requirements.content_update_days), "D")
                       if change is not None else None)
        if content_due is not None and content_due < due:
            dues.append(content_due)
            changes.append(change)
        else:
            dues.append(due)
            changes.append(None)
    return passes.assign(due=pd.to_datetime(np.array(dues, dtype="datetime64[D]")), change=changes)


def lesson_status(roster: pd.DataFrame, attempts: pd.DataFrame, requirements: Requirements,
                  as_of: dt.date | dt.datetime,
                  changelog: Changelog | None | str = "packaged") -> pd.DataFrame:
    """One row per roster member x lesson (required ones, and attempted ones marked not_required).

    Columns :data:`STATUS_COLUMNS`: ``best_percent`` (best score in percent, NaN if never attempted),
    ``last_pass`` and ``due_date`` (datetime64, NaT without a pass), ``reason`` (:data:`REASONS`; an overdue
    lesson whose content changed materially since the pass says "content updated: version …").

    A pass is current up to its due date: the refresher (``refresh_months`` after it), or, when the lesson's
    content changed materially after the version passed (``changelog``, default the packaged one:
    :mod:`gdprlab.training.versions`), ``content_update_days`` after that change, whichever is first. Of
    several passes the one current longest counts.
    """
    from gdprlab.training.versions import packaged_changelog

    changelog = packaged_changelog() if changelog == "packaged" else changelog
    as_of = _as_date(as_of)
    a = _until(attempts, as_of)
    stats: dict[tuple[str, str], tuple[int, float, object, object, object]] = {}
    if not a.empty:
        g = a.groupby(["learner", "lesson"])
        passes = _pass_dues(a[a["passed"]], requirements, changelog, as_of)  # type: ignore[arg-type]
        best = passes.sort_values(["due", "day"]).groupby(["learner", "lesson"]).tail(1)
        best = best.set_index(["learner", "lesson"])
        last = passes.groupby(["learner", "lesson"])["day"].max()
        for key, rows in g:
            if key in best.index:
                row = best.loc[key]
                stats[key] = (len(rows), rows["percent"].max(), last[key], row["due"], row["change"])
            else:
                stats[key] = (len(rows), rows["percent"].max(), pd.NaT, pd.NaT, None)
    attempted_by: dict[str, list[str]] = {}
    for learner, lesson in sorted(stats):
        attempted_by.setdefault(learner, []).append(lesson)
    rows = []
    for person in roster.to_dict("records"):
        required = requirements.lessons_for(person["role"], person["crm_access"])
        attempted = attempted_by.get(person["learner_id"], [])
        for lesson in dict.fromkeys([*required, *attempted]):
            n, best_percent, last_pass, due, change = stats.get((person["learner_id"], lesson),
                                                                (0, np.nan, pd.NaT, pd.NaT, None))
            rows.append({"staff_id": person["staff_id"], "learner_id": person["learner_id"],
                         "department": person["department"], "role": person["role"], "lesson": lesson,
                         "required": lesson in required, "attempts": n, "best_percent": best_percent,
                         "last_pass": last_pass, "due_date": due, "change": change})
    frame = pd.DataFrame(rows, columns=[*(c for c in STATUS_COLUMNS if c not in ("status", "reason")),
                                        "change"])
    frame["required"] = frame["required"].astype(bool)
    frame["attempts"] = frame["attempts"].astype(int)
    frame["last_pass"] = pd.to_datetime(frame["last_pass"])
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    current = (frame["due_date"] >= pd.Timestamp(as_of)).to_numpy(dtype=bool)
    has_pass = frame["last_pass"].notna().to_numpy(dtype=bool)
    status = np.select(
        [~frame["required"].to_numpy(dtype=bool), has_pass & current, has_pass,
         frame["attempts"].to_numpy() > 0],
        ["not_required", "passed_current", "overdue", "failed_only"],
        "never_started",
    )
    frame["status"] = pd.Series(status, index=frame.index, dtype=object)
    frame["reason"] = [
        f"{CONTENT_UPDATED}: {change.describe()}" if change is not None and state != "not_required"
        else REASONS[state] for state, change in zip(frame["status"], frame["change"], strict=True)]
    frame["best_percent"] = frame["best_percent"].astype(float)
    return frame[STATUS_COLUMNS].sort_values(["staff_id", "lesson"], ignore_index=True)


def _required(status: pd.DataFrame) -> pd.DataFrame:
    return status[status["required"].astype(bool)]


def completion(status: pd.DataFrame, by: str = "lesson") -> pd.DataFrame:
    """Per `by` (lesson, department, role, staff_id): required, passed_current, overdue, failed_only,
    never_started counts and ``percent`` complete (passed_current / required x 100)."""
    req = _required(status)
    counts = pd.crosstab(req[by], req["status"]) if not req.empty else pd.DataFrame()
    counts = counts.reindex(columns=list(STATUSES[:4]), fill_value=0)
    counts.insert(0, "required", counts.sum(axis=1))
    counts["percent"] = (100.0 * counts["passed_current"] / counts["required"]).round(1)
    return counts.rename_axis(by).reset_index().rename_axis(None, axis=1)


def completion_percent(status: pd.DataFrame) -> float | None:
    """Share of required learner x lesson pairs that are passed_current, in percent; None ("no data") when
    nobody in scope has a required lesson (no roster, nobody with CRM access): never 100 % of nothing."""
    req = _required(status)
    if req.empty:
        return None
    return round(100.0 * float((req["status"] == "passed_current").mean()), 1)


def fail_under_exit_code(status: pd.DataFrame, fail_under: float | None) -> int:
    """Exit status for ``--fail-under PERCENT``: 1 when completion is below it or there is no data (a
    reminder job must not pass on an empty store), else 0."""
    if fail_under is None:
        return 0
    percent = completion_percent(status)
    return 1 if percent is None or percent < fail_under else 0


#: the statuses of a required lesson that is due, in the order :func:`overdue` lists them
DUE_STATUSES = ("overdue", "failed_only", "never_started")


def overdue(status: pd.DataFrame) -> pd.DataFrame:
    """Required lessons that are due: passes that expired (``reason`` "refresher due" or "content
    updated: …"), oldest due date first, then lessons attempted but never passed, then lessons never
    started."""
    rows = status[status["status"].isin(DUE_STATUSES) & status["required"].astype(bool)]
    order = rows["status"].map({s: n for n, s in enumerate(DUE_STATUSES)})
    return (rows.assign(_order=order).sort_values(["_order", "due_date", "staff_id", "lesson"])
            .drop(columns="_order").reset_index(drop=True))


def pass_rates(attempts: pd.DataFrame, as_of: dt.date | dt.datetime | None = None) -> pd.DataFrame:
    """Per lesson: attempts, passed attempts, ``rate`` (percent), learners and learners who passed."""
    a = _until(attempts, _as_date(as_of) if as_of is not None else None)
    columns = ["lesson", "attempts", "passed", "rate", "learners", "learners_passed"]
    if a.empty:
        return pd.DataFrame(columns=columns)
    g = a.groupby("lesson")
    out = pd.DataFrame({
        "attempts": g.size(),
        "passed": g["passed"].sum().astype(int),
        "learners": g["learner"].nunique(),
        "learners_passed": a[a["passed"]].groupby("lesson")["learner"].nunique(),
    }).fillna(0)
    out["rate"] = (100.0 * out["passed"] / out["attempts"]).round(1)
    out["learners_passed"] = out["learners_passed"].astype(int)
    return out.rename_axis("lesson").reset_index()[columns]


def score_distribution(attempts: pd.DataFrame, bins: Iterable[float] = (0, 50, 60, 70, 80, 90, 100)
                       ) -> pd.DataFrame:
    """Attempts per lesson per score band (percent; bands closed on the right, the first includes 0)."""
    a = _until(attempts, None)
    edges = list(bins)
    labels = [f"{lo:g}-{hi:g}" for lo, hi in zip(edges, edges[1:], strict=False)]
    if a.empty:
        return pd.DataFrame(columns=["lesson", *labels])
    band = pd.cut(a["percent"], edges, labels=labels, include_lowest=True)
    table = pd.crosstab(a["lesson"], band).reindex(columns=labels, fill_value=0)
    return table.rename_axis("lesson").reset_index().rename_axis(None, axis=1)


def summary(status: pd.DataFrame) -> dict:
    """Overall completion and counts, plus the per-department table (as records)."""
    req = _required(status)
    counts = req["status"].value_counts()
    return {
        "staff": int(status["staff_id"].nunique()),
        "staff_with_requirements": int(req["staff_id"].nunique()),
        "required": len(req),
        **{s: int(counts.get(s, 0)) for s in STATUSES[:4]},
        "completion_percent": completion_percent(status),
        "fully_trained_staff": int(
            req.groupby("staff_id")["status"].apply(lambda s: bool((s == "passed_current").all())).sum()
        ) if not req.empty else 0,
        "departments": completion(status, "department").to_dict("records"),
    }


# ------------------------------------------------------------------------------------------ from the database
@dataclass(frozen=True)
class StatusReport:
    """What the ``gdprlab progress`` commands show: the status table and the learners not on the roster."""

    status: pd.DataFrame
    unknown_learners: list[str]
    roster: pd.DataFrame
    attempts: pd.DataFrame


def load_status(url: str | None = None, requirements: Requirements | None = None,
                as_of: dt.date | dt.datetime | None = None) -> StatusReport:
    """Read roster and attempts from the progress database (default ``GDPRLAB_DB_URL``) and compute the
    status as of `as_of` (default today, UTC). The only function here that touches the database; it never
    creates one (a missing database or roster is a StoreError)."""
    from gdprlab.training.store.progress import ProgressStore
    from gdprlab.training.store.roster import RosterStore, unknown_learners

    as_of = _as_date(as_of) if as_of is not None else dt.datetime.now(dt.UTC).date()
    requirements = requirements or default_requirements()
    with RosterStore(url, create=False) as rosters:
        roster = rosters.frame()
    with ProgressStore(url, create=False) as store:
        attempts = store.attempts_frame()
    return StatusReport(lesson_status(roster, attempts, requirements, as_of),
                        unknown_learners(roster, attempts), roster, attempts)


# ------------------------------------------------------------------------------------------ export
TRAINING_COLUMNS = ["training_id", "staff_id", "course", "completed_on", "score", "passed"]
#: the HR export's columns: people by staff id and learner id only (never a name or e-mail address)
HR_COLUMNS = ["staff_id", "learner_id", "department", "role", "lesson", "required", "status", "reason",
              "last_pass", "due_date", "best_score"]


def hr_frame(status: pd.DataFrame) -> pd.DataFrame:
    """The HR export's rows (:data:`HR_COLUMNS`): required lessons (and attempted extra ones, ``required``
    false), dates as ISO text. A person is identified by staff id and learner id only: the status table
    carries no name or e-mail address, and neither does this export (data minimisation, Art. 5(1)(c))."""
    def iso(s: pd.Series) -> pd.Series:
        return s.dt.strftime("%Y-%m-%d").where(s.notna(), "")

    return pd.DataFrame({
        **{column: status[column] for column in ("staff_id", "learner_id", "department", "role", "lesson",
                                                 "required", "status", "reason")},
        "last_pass": iso(status["last_pass"]),
        "due_date": iso(status["due_date"]),
        "best_score": status["best_percent"].round(1).where(status["best_percent"].notna(), None),
    })[HR_COLUMNS]


def hr_csv(status: pd.DataFrame) -> str:
    """CSV for HR, safe against formula injection (gdprlab.crm.files.safe_cell on every cell)."""
    from gdprlab.crm.files import csv_text

    return csv_text(HR_COLUMNS, hr_frame(status).itertuples(index=False))


# ------------------------------------------------------------------------------------------ audit link
def training_table_from_store(roster: pd.DataFrame, attempts: pd.DataFrame, requirements: Requirements,
                              course: str = "gdpr_essentials",
                              as_of: dt.date | dt.datetime | None = None) -> pd.DataFrame:
    """The dataset ``training`` table (training_id, staff_id, course, completed_on, score, passed) built
    from real quiz records, for :func:`gdprlab.audit.engine.run_checks` (rule ``untrained_crm_user``).

    Mapping: a roster member "completed `course`" (pass the policy's ``training_course``) when every
    lesson required of them has a pass. ``completed_on`` is the **earliest** of the latest pass dates of
    those lessons, so the course lapses (with the policy's ``training_refresh_months``, which should equal
    ``requirements.refresh_months``) exactly when the first required lesson becomes overdue. ``score`` is
    the mean of the best scores of the required lessons (rounded percent). One row per fully passed staff
    member; anyone else has no row, i.e. is untrained. Staff with no required lessons get no row either
    (the rule only concerns CRM users). ``training_id`` is ``store-<staff_id>``. Attempts after ``as_of``
    (default: today, UTC) are ignored.
    """
    as_of = _as_date(as_of) if as_of is not None else dt.datetime.now(dt.UTC).date()
    status = lesson_status(roster, attempts, requirements, as_of)
    req = _required(status)
    rows = []
    for staff_id, lessons in req.groupby("staff_id", sort=True):
        if lessons["last_pass"].isna().any():
            continue
        rows.append({"training_id": f"store-{staff_id}", "staff_id": staff_id, "course": course,
                     "completed_on": lessons["last_pass"].min(),
                     "score": int(round(float(lessons["best_percent"].mean()))), "passed": True})
    frame = pd.DataFrame(rows, columns=TRAINING_COLUMNS)
    frame["completed_on"] = pd.to_datetime(frame["completed_on"])
    return frame
