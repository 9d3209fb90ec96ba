"""Deadlines and thresholds fixed by the Regulation itself (not by the organisation).

Periods follow Regulation (EEC, Euratom) No 1182/71, which governs time limits in EU acts: a period in
months ends on the same date of the later month (or that month's last day when it has no such date), and
a period ending on a Saturday or Sunday runs to the end of the next working day. Public holidays differ
per Member State and are not counted here, so a deadline may be one holiday too early, never too late.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Art. 8(1): the age of digital consent chosen by each Member State (default 16, never below 13).
ART8_DEFAULT_AGE = 16
ART8_AGE: dict[str, int] = {
    "BE": 13,
    "DK": 13,
    "EE": 13,
    "FI": 13,
    "LV": 13,
    "MT": 13,
    "PT": 13,
    "SE": 13,
    "AT": 14,
    "BG": 14,
    "CY": 14,
    "IT": 14,
    "LT": 14,
    "ES": 14,
    "CZ": 15,
    "FR": 15,
    "GR": 15,
    "SI": 15,
    "HR": 16,
    "DE": 16,
    "HU": 16,
    "IE": 16,
    "LU": 16,
    "NL": 16,
    "PL": 16,
    "RO": 16,
    "SK": 16,
}

#: Art. 33(1): notification to the supervisory authority "not later than 72 hours after having become aware".
BREACH_NOTIFICATION_HOURS = 72
#: Art. 12(3): "within one month of receipt", extendable "by two further months".
RESPONSE_MONTHS = 1
EXTENDED_RESPONSE_MONTHS = 3


def art8_age(country: str) -> int:
    """Age below which a child's consent to an information society service needs parental authorisation."""
    return ART8_AGE.get(country.upper(), ART8_DEFAULT_AGE)


def add_months(days: np.ndarray | pd.Series, months: int | np.ndarray) -> np.ndarray:
    """Same calendar date `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    d = np.asarray(days, dtype="datetime64[D]")
    start = d.astype("datetime64[M]")
    target = start + np.asarray(months, dtype="timedelta64[M]")
    offset = d - start.astype("datetime64[D]")
    last = (target + 1).astype("datetime64[D]") - 1
    return np.minimum(target.astype("datetime64[D]") + offset, last)


def roll_to_working_day(days: np.ndarray) -> np.ndarray:
    """A deadline on a Saturday or Sunday moves to the following Monday (Reg. 1182/71 Art. 3(4))."""
    d = np.asarray(days, dtype="datetime64[D]")
    out = d.copy()
    ok = ~np.isnat(d)
    out[ok] = np.busday_offset(d[ok], 0, roll="forward")
    return out


def month_deadline(received: np.ndarray | pd.Series, months: int | np.ndarray) -> np.ndarray:
    """Last day on which a reply to a request received on `received` is on time."""
    return roll_to_working_day(add_months(received, months))


def age_on(birth: np.ndarray | pd.Series, on: np.ndarray | pd.Series) -> np.ndarray:
    """Completed years of age on a date (a birthday counts on its day; 29 Feb birthdays turn on 28 Feb)."""
    b = np.asarray(birth, dtype="datetime64[D]")
    o = np.asarray(on, dtype="datetime64[D]")
    years = o.astype("datetime64[Y]").astype(int) - b.astype("datetime64[Y]").astype(int)
    had_birthday = add_months(b, years * 12) <= o
    return years - (~had_birthday).astype(int)
