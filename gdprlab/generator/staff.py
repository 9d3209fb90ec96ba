"""Staff with their roles and CRM access, and their data-protection training history."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.contacts import emails
from gdprlab.generator.labels import Labels, ids, pick, split
from gdprlab.generator.pools import LocalePool
from gdprlab.regulation.law import add_months
from gdprlab.regulation.policy import Policy

#: role -> (department, CRM access, share of staff)
ROLES: dict[str, tuple[str, str, float]] = {
    "sales_rep": ("sales", "standard", 0.30),
    "account_manager": ("sales", "standard", 0.15),
    "marketing_specialist": ("marketing", "standard", 0.15),
    "customer_care_agent": ("customer_care", "standard", 0.18),
    "customer_care_lead": ("customer_care", "full", 0.04),
    "data_protection_officer": ("legal", "full", 0.02),
    "finance_officer": ("finance", "standard", 0.06),
    "hr_officer": ("hr", "none", 0.05),
    "it_admin": ("it", "none", 0.05),
}
STAFF_DOMAIN = "staff.example.com"


def make_staff(
    cfg: GeneratorConfig, policy: Policy, rng: np.random.Generator, pool: LocalePool, labels: Labels
) -> pd.DataFrame:
    n = max(30, cfg.contacts // 400)
    names = list(ROLES)
    role = np.array(names, dtype=object)[rng.choice(len(names), size=n, p=[ROLES[r][2] for r in names])]
    role[0] = "data_protection_officer"
    female = rng.random(n) < 0.5
    first = np.where(
        female,
        pool.first_female[rng.integers(len(pool.first_female), size=n)],
        pool.first_male[rng.integers(len(pool.first_male), size=n)],
    )
    last = np.where(
        female,
        pool.last_female[rng.integers(len(pool.last_female), size=n)],
        pool.last_male[rng.integers(len(pool.last_male), size=n)],
    )
    as_of = np.datetime64(cfg.as_of)
    df = pd.DataFrame(
        {
            "staff_id": ids("S", 1, n, 5),
            "name": pd.Series(first) + " " + pd.Series(last),
            "email": emails(first, last, np.full(n, STAFF_DOMAIN, dtype=object)),
            "department": [ROLES[r][0] for r in role],
            "role": role,
            "crm_access": [ROLES[r][1] for r in role],
            "start_date": as_of - rng.integers(30, 10 * 365, size=n).astype("timedelta64[D]"),
        }
    )
    standard = (df["crm_access"] == "standard").to_numpy()
    excess = pick(rng, standard, cfg.rate("excessive_access"), int(standard.sum()))
    df.loc[excess, "crm_access"] = "full"
    labels.add("excessive_access", "staff", df["staff_id"].to_numpy()[excess], int(standard.sum()))
    return df


def make_training(
    cfg: GeneratorConfig, policy: Policy, rng: np.random.Generator, staff: pd.DataFrame, labels: Labels
) -> pd.DataFrame:
    """A current pass for everyone with CRM access, older passes and failed attempts for some."""
    n = len(staff)
    as_of = np.datetime64(cfg.as_of)
    start = staff["start_date"].to_numpy().astype("datetime64[D]")
    refresh = policy.training_refresh_months
    current_from = np.maximum(add_months(np.full(n, as_of), -refresh) + 2, start)
    access = (staff["crm_access"] != "none").to_numpy()
    trained = access | (rng.random(n) < 0.5)
    untrained = pick(rng, access, cfg.rate("untrained_crm_user"), int(access.sum()))
    old_enough = start[untrained] < add_months(np.full(len(untrained), as_of), -refresh) - 30
    lapsed, never = split(rng, untrained[old_enough], 2)
    never = np.concatenate([never, untrained[~old_enough]])
    labels.add("untrained_crm_user", "staff", staff["staff_id"].to_numpy()[untrained], int(access.sum()))

    completed = _between_days(rng, current_from, np.full(n, as_of))
    expired_until = add_months(np.full(len(lapsed), as_of), -refresh) - 2
    completed[lapsed] = _between_days(rng, start[lapsed], expired_until)
    keep = trained.copy()
    keep[never] = False
    rows = [_records(staff, keep, completed, np.full(n, True), rng)]
    history = keep & (rng.random(n) < 0.5) & (completed - 400 > start)
    rows.append(_records(staff, history, completed - rng.integers(365, 400, size=n), np.full(n, True), rng))
    failed = keep & (rng.random(n) < 0.15)
    rows.append(
        _records(
            staff, failed, np.maximum(completed - rng.integers(1, 20, size=n), start), np.full(n, False), rng
        )
    )
    out = pd.concat(rows, ignore_index=True).sort_values(["completed_on", "staff_id"], kind="stable")
    out.insert(0, "training_id", ids("T", 1, len(out), 6))
    out["course"] = policy.training_course
    return out[["training_id", "staff_id", "course", "completed_on", "score", "passed"]].reset_index(
        drop=True
    )


def _records(
    staff: pd.DataFrame, mask: np.ndarray, when: np.ndarray, passed: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    k = int(mask.sum())
    score = np.where(passed[mask], rng.integers(80, 101, size=k), rng.integers(30, 80, size=k))
    return pd.DataFrame(
        {
            "staff_id": staff["staff_id"].to_numpy()[mask],
            "completed_on": when[mask],
            "score": score,
            "passed": passed[mask],
        }
    )


def _between_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    lo = np.asarray(lo, dtype="datetime64[D]")
    span = np.maximum((np.asarray(hi, dtype="datetime64[D]") - lo).astype(np.int64), 0)
    return lo + (rng.random(len(lo)) * (span + 1)).astype(np.int64).astype("timedelta64[D]")
