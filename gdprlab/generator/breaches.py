"""The breach register: notified within 72 hours and complete in clean data, with failures planted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.labels import Labels, ids, pick, split
from gdprlab.generator.timeutil import DAY, between, to_second

HOUR = np.timedelta64(3600, "s")
RISK = {"unlikely": 0.4, "risk": 0.4, "high": 0.2}
#: (description, data categories, consequences, measures)
INCIDENTS = (
    (
        "Laptop of a sales representative stolen from a car; disk encryption status unknown.",
        "names, e-mail addresses, phone numbers",
        "Phishing and unwanted contact.",
        "Remote wipe issued, device access revoked, staff reminded of the device policy.",
    ),
    (
        "Newsletter sent with all recipients in CC instead of BCC.",
        "e-mail addresses",
        "Recipients learn each other's addresses; spam.",
        "Recall attempted, apology sent, mailing tool locked to BCC.",
    ),
    (
        "CRM export e-mailed to a wrong external address.",
        "names, addresses, IBANs",
        "Fraudulent direct debits and identity fraud.",
        "Recipient asked to delete and confirmed deletion; DLP rule added.",
    ),
    (
        "Ransomware encrypted the file server holding CRM backups.",
        "full contact records incl. national ids",
        "Identity theft; loss of availability.",
        "Systems restored from offline backup, passwords reset, police informed.",
    ),
    (
        "Support agent looked up a celebrity's record without a ticket.",
        "contact details, notes",
        "Loss of confidentiality; possible press exposure.",
        "Access revoked, disciplinary process, access logging alerts.",
    ),
    (
        "Misconfigured API exposed contact search without authentication for 6 hours.",
        "names, e-mails, phones",
        "Scraping of contact data.",
        "Endpoint closed, logs reviewed, penetration test scheduled.",
    ),
)


def make_breaches(cfg: GeneratorConfig, rng: np.random.Generator, labels: Labels) -> pd.DataFrame:
    n = max(40, cfg.contacts // 5000)
    end = to_second(np.datetime64(cfg.as_of))
    aware = between(rng, np.full(n, end - 3 * 365 * DAY), np.full(n, end - 15 * DAY))
    names = np.array(list(RISK), dtype=object)
    risk = names[rng.choice(len(names), size=n, p=list(RISK.values()))]
    inc = np.array(INCIDENTS, dtype=object)[rng.integers(len(INCIDENTS), size=n)]
    notifiable = risk != "unlikely"
    late_ok = notifiable & (rng.random(n) < 0.1)
    delay = np.where(late_ok, rng.integers(80, 150, size=n), rng.integers(2, 70, size=n)) * HOUR
    high = risk == "high"
    exception = high & (rng.random(n) < 0.2)
    df = pd.DataFrame(
        {
            "breach_id": ids("B", 1, n, 4),
            "aware_at": aware,
            "description": inc[:, 0],
            "data_categories": inc[:, 1],
            "subjects_affected": rng.integers(1, 5000, size=n),
            "consequences": inc[:, 2],
            "measures": inc[:, 3],
            "risk": risk,
            "notified_authority_at": np.where(notifiable, aware + delay, np.datetime64("NaT")),
            "delay_reason": np.where(
                late_ok, "Forensic analysis needed to establish scope before notifying.", None
            ),
            "subjects_informed_at": np.where(
                high & ~exception, aware + rng.integers(24, 96, size=n) * HOUR, np.datetime64("NaT")
            ),
            "art34_exception": np.where(exception, "34(3)(a)", None),
        }
    )
    _plant(cfg, rng, df, labels)
    return df


def _plant(cfg: GeneratorConfig, rng: np.random.Generator, df: pd.DataFrame, labels: Labels) -> None:
    n = len(df)
    bid = df["breach_id"].to_numpy()
    notifiable = (df["risk"] != "unlikely").to_numpy()
    never = pick(rng, notifiable, cfg.rate("breach_not_notified"), n)
    df.loc[never, ["notified_authority_at", "delay_reason"]] = [pd.NaT, None]
    labels.add("breach_not_notified", "breaches", bid[never], n)
    on_time = notifiable & pd.isna(df["delay_reason"]).to_numpy()
    on_time[never] = False
    late = pick(rng, on_time, cfg.rate("breach_notified_late"), n)
    # past the 72 hours, which start at the hour after awareness (Reg. 1182/71 Art. 3(1))
    df.loc[late, "notified_authority_at"] = (
        df["aware_at"].to_numpy()[late] + rng.integers(74, 241, len(late)) * HOUR
    )
    labels.add("breach_notified_late", "breaches", bid[late], n)
    high = (df["risk"] == "high").to_numpy() & pd.isna(df["art34_exception"]).to_numpy()
    silent = pick(rng, high, cfg.rate("subjects_not_informed"), int((df["risk"] == "high").sum()))
    df.loc[silent, "subjects_informed_at"] = pd.NaT
    labels.add("subjects_not_informed", "breaches", bid[silent], int((df["risk"] == "high").sum()))
    gaps = pick(rng, np.ones(n, dtype=bool), cfg.rate("breach_record_incomplete"), n)
    for field, rows in zip(("description", "consequences", "measures"), split(rng, gaps, 3), strict=True):
        df.loc[rows, field] = None
    labels.add("breach_record_incomplete", "breaches", bid[gaps], n)
