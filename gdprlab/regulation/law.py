"""Deadlines and thresholds fixed by the Regulation itself (not by the organisation).

Periods follow Regulation (EEC, Euratom) No 1182/71, which governs time limits in EU acts: a period in
months ends on the same date of the later month (or that month's last day when it has no such date), and
a period in days, weeks, months or years whose last day is a public holiday, a Saturday or a Sunday runs
to the end of the following working day (Art. 3(4)), repeatedly: a holiday may follow a weekend. Public
holidays differ per Member State (and region): they are those of the controller's country (the policy's
controller_country, and controller_subdivision) from the `holidays` package; with no country, only weekends
move a deadline, which may then be one holiday too early, never too late. Art. 3(4) does not apply to
periods in hours: the 72 hours of Art. 33(1) run through weekends and holidays alike. A period in hours
counted from an event leaves out the hour during which the event occurred (Art. 3(1)), starts at the
beginning of the next hour and ends with the expiry of its last hour (Art. 3(2)(a)): the 72 hours of a
breach the controller became aware of at 10:20 (or at 10:00) end at 11:00 three days later.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import holidays
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
#: hours from the start of the hour of awareness to the end of the 72 hours: that hour is not counted
#: (Reg. 1182/71 Art. 3(1)); the period starts at the next full hour (Art. 3(2)(a))
BREACH_DEADLINE_FROM_HOUR_OF_AWARENESS = BREACH_NOTIFICATION_HOURS + 1
#: Art. 12(3): "within one month of receipt", extendable "by two further months".
RESPONSE_MONTHS = 1
EXTENDED_RESPONSE_MONTHS = 3


def breach_notification_deadline(aware_at: pd.Series | pd.Timestamp) -> pd.Series | pd.Timestamp:
    """The moment the 72 hours of Art. 33(1) end for breaches the controller became aware of at `aware_at`
    (Reg. 1182/71 Art. 3(1), 3(2)(a): the hour of awareness is not counted); a notification at or before it
    is in time."""
    start = aware_at.dt.floor("h") if isinstance(aware_at, pd.Series) else pd.Timestamp(aware_at).floor("h")
    return start + pd.Timedelta(hours=BREACH_DEADLINE_FROM_HOUR_OF_AWARENESS)


def art8_age(country: str) -> int:
    """Age below which a child's consent to an information society service needs parental authorisation."""
    return ART8_AGE.get(country.upper(), ART8_DEFAULT_AGE)


# Calendar tables for 1800-2199: looking a date up is some ten times faster than numpy's calendar
# conversions, which the checks and the generator make millions of. Dates outside take the direct path.
_FIRST, _LAST = np.datetime64("1800-01-01", "D"), np.datetime64("2200-01-01", "D")
_DAYS = np.arange(_FIRST, _LAST)
_MONTHS = np.arange(_FIRST.astype("datetime64[M]"), _LAST.astype("datetime64[M]") + 1)
_MONTH_OF_DAY = (_DAYS.astype("datetime64[M]") - _MONTHS[0]).astype(np.int32)
_DAY_OF_MONTH = (_DAYS - _DAYS.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int32) + 1
_MONTH_START = (_MONTHS.astype("datetime64[D]") - _FIRST).astype(np.int32)
_YEAR_OF_DAY = _DAYS.astype("datetime64[Y]").astype(np.int64) + 1970
_MONTH_LENGTH = np.diff(np.append(_MONTHS, _MONTHS[-1] + 1).astype("datetime64[D]")).astype(np.int32)


def _day_index(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each date's row in the tables (0 outside them) and whether it is inside (NaT is not)."""
    i = days.astype(np.int64) - _FIRST.astype(np.int64)
    inside = (i >= 0) & (i < len(_DAYS))
    return np.where(inside, i, 0), inside


def _add_months_direct(d: np.ndarray, months: np.ndarray) -> np.ndarray:
    start = d.astype("datetime64[M]")
    target = start + months.astype("timedelta64[M]")
    offset = d - start.astype("datetime64[D]")
    last = (target + 1).astype("datetime64[D]") - 1
    return np.minimum(target.astype("datetime64[D]") + offset, last)


def add_months(days: np.ndarray | pd.Series, months: int | np.ndarray) -> np.ndarray:
    """Same calendar date `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    d, m = np.broadcast_arrays(np.asarray(days, dtype="datetime64[D]"), np.asarray(months, dtype=np.int64))
    i, inside = _day_index(d)
    target = _MONTH_OF_DAY[i] + m
    inside &= (target >= 0) & (target < len(_MONTHS))
    target = np.where(inside, target, 0)
    day = np.minimum(_DAY_OF_MONTH[i], _MONTH_LENGTH[target]) - 1
    out = _FIRST + (_MONTH_START[target] + day).astype("timedelta64[D]")
    if not inside.all():
        out[~inside] = _add_months_direct(d[~inside], m[~inside])
    return out


def public_holidays(country: str | None, years: Iterable[int], subdivision: str | None = None) -> np.ndarray:
    """The public holidays of a country (and subdivision) in these years, sorted; none without a country."""
    if not country:
        return np.array([], dtype="datetime64[D]")
    return _public_holidays(country, subdivision, tuple(sorted(set(years))))


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str | None, years: tuple[int, ...]) -> np.ndarray:
    days = holidays.country_holidays(country, subdiv=subdivision, years=years)
    out = np.array(sorted(days), dtype="datetime64[D]")
    out.flags.writeable = False
    return out


def years_spanned(days: np.ndarray) -> range:
    """The years of these dates and the year after (a deadline rolls over New Year); empty for none."""
    known = np.asarray(days, dtype="datetime64[D]")
    known = known[~np.isnat(known)]
    if not len(known):
        return range(0)
    return range(int(_years(known.min(keepdims=True))[0]), int(_years(known.max(keepdims=True))[0]) + 2)


def roll_to_working_day(days: np.ndarray, holidays: np.ndarray | None = None) -> np.ndarray:
    """A deadline on a Saturday, a Sunday or one of `holidays` moves to the next day that is none of them
    (Reg. 1182/71 Art. 3(4)): Easter Monday's deadline runs to Tuesday, Saturday's before it too."""
    d = np.asarray(days, dtype="datetime64[D]")
    out = d.copy()
    ok = ~np.isnat(d)
    free = np.array([], dtype="datetime64[D]") if holidays is None else holidays
    out[ok] = np.busday_offset(d[ok], 0, roll="forward", holidays=free)
    return out


def month_deadline(received: np.ndarray | pd.Series, months: int | np.ndarray, country: str | None = None,
                   subdivision: str | None = None) -> np.ndarray:
    """Last day on which a reply to a request received on `received` is on time, counting the public holidays
    of `country` (and `subdivision`) when one is given."""
    end = add_months(received, months)
    return roll_to_working_day(end, public_holidays(country, years_spanned(end), subdivision))


def _years(days: np.ndarray) -> np.ndarray:
    i, inside = _day_index(days)
    if inside.all():
        return _YEAR_OF_DAY[i]
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def age_on(birth: np.ndarray | pd.Series, on: np.ndarray | pd.Series) -> np.ndarray:
    """Completed years of age on a date (a birthday counts on its day; 29 Feb birthdays turn on 28 Feb)."""
    b, o = np.broadcast_arrays(np.asarray(birth, dtype="datetime64[D]"),
                               np.asarray(on, dtype="datetime64[D]"))
    years = _years(o) - _years(b)
    had_birthday = add_months(b, years * 12) <= o
    return years - (~had_birthday).astype(np.int64)
