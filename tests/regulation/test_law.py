"""Deadlines counted as the Regulation (and Reg. 1182/71) counts them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gdprlab.regulation import law
from gdprlab.regulation.law import (
    ART8_AGE,
    add_months,
    age_on,
    art8_age,
    month_deadline,
    public_holidays,
    roll_to_working_day,
)


def d(*dates: str) -> np.ndarray:
    return np.array(dates, dtype="datetime64[D]")


def test_one_month_is_a_calendar_month_not_30_days():
    assert add_months(d("2026-02-10"), 1)[0] == np.datetime64("2026-03-10")  # 28 days later
    assert add_months(d("2026-03-10"), 1)[0] == np.datetime64("2026-04-10")  # 31 days later


def test_a_month_without_the_same_date_ends_on_its_last_day():
    assert list(add_months(d("2026-01-31", "2024-01-31", "2026-08-31"), 1)) == list(
        d("2026-02-28", "2024-02-29", "2026-09-30")
    )


def test_three_months_for_an_extended_reply():
    assert add_months(d("2026-11-30"), 3)[0] == np.datetime64("2027-02-28")


def test_a_deadline_on_a_weekend_runs_to_monday():
    # 31 Jan 2026 + 1 month = Sat 28 Feb 2026 -> Mon 2 Mar 2026
    assert month_deadline(d("2026-01-31"), 1)[0] == np.datetime64("2026-03-02")
    # a weekday deadline stays where it is
    assert month_deadline(d("2026-10-05"), 1)[0] == np.datetime64("2026-11-05")


def test_a_deadline_on_a_public_holiday_runs_to_the_next_working_day_of_the_controllers_country():
    # 6 March 2026 + 1 month = Easter Monday 6 April 2026, a holiday in Germany (not in the law's weekends)
    assert month_deadline(d("2026-03-06"), 1, "DE")[0] == np.datetime64("2026-04-07")
    assert month_deadline(d("2026-03-06"), 1)[0] == np.datetime64("2026-04-06")  # no country: weekends only


def test_a_holiday_after_a_weekend_moves_a_saturday_deadline_past_both():
    # Sat 4 April 2026 -> not Monday 6 April (Easter Monday) but Tuesday 7 April
    assert month_deadline(d("2026-03-04"), 1, "DE")[0] == np.datetime64("2026-04-07")
    # Good Friday 3 April 2026, then the weekend, then Easter Monday: four days on
    assert month_deadline(d("2026-03-03"), 1, "DE")[0] == np.datetime64("2026-04-07")


def test_a_friday_holiday_before_a_weekend_runs_to_monday():
    # Fri 1 May 2026 (Labour Day in DE and FR) -> Monday 4 May
    assert month_deadline(d("2026-04-01"), 1, "DE")[0] == np.datetime64("2026-05-04")
    assert month_deadline(d("2026-04-01"), 1, "FR")[0] == np.datetime64("2026-05-04")


def test_christmas_and_boxing_day_run_to_the_next_working_day():
    # 25 Nov 2025 + 1 month = Thu 25 Dec; 26 Dec (Fri) is a holiday in DE and IE, then the weekend: Mon 29
    assert month_deadline(d("2025-11-25", "2025-11-26"), 1, "DE").tolist() == list(
        d("2025-12-29", "2025-12-29").tolist())
    # in France 26 December is a working day
    assert month_deadline(d("2025-11-25"), 1, "FR")[0] == np.datetime64("2025-12-26")


def test_a_regional_holiday_counts_for_a_controller_in_that_region():
    # Epiphany (6 Jan 2027, a Wednesday) is a holiday in Bavaria, not in Berlin
    assert month_deadline(d("2026-12-06"), 1, "DE", "BY")[0] == np.datetime64("2027-01-07")
    assert month_deadline(d("2026-12-06"), 1, "DE", "BE")[0] == np.datetime64("2027-01-06")


def test_a_deadline_at_the_end_of_a_year_rolls_over_new_year():
    # 31 Oct 2026 + 2 months = Thu 31 Dec 2026, a working day; 1 Nov 2026 + 2 months = Friday 1 January
    # 2027, New Year's Day, then the weekend: Monday 4 January 2027 (holidays of the next year are counted)
    assert month_deadline(d("2026-10-31"), 2, "DE")[0] == np.datetime64("2026-12-31")
    assert month_deadline(d("2026-11-01"), 2, "DE")[0] == np.datetime64("2027-01-04")


def test_rolling_agrees_with_stepping_day_by_day_over_weekends_and_holidays():
    free = public_holidays("DE", range(2024, 2028), "BY")
    days = np.arange(np.datetime64("2024-01-01"), np.datetime64("2027-12-01"))
    rolled = roll_to_working_day(days, free)
    for day, got in zip(days.tolist(), rolled.tolist(), strict=True):
        step = np.datetime64(day)
        while step.astype(object).weekday() >= 5 or step in free:
            step += 1
        assert np.datetime64(got) == step


def test_no_country_means_no_holidays():
    assert len(public_holidays(None, range(2020, 2030))) == 0
    assert np.datetime64("2026-12-25") in public_holidays("DE", [2026])


def test_months_can_be_subtracted_for_cut_off_dates():
    assert add_months(d("2026-03-31"), -1)[0] == np.datetime64("2026-02-28")


def test_age_counts_completed_years():
    assert list(age_on(d("2010-06-01", "2010-06-01"), d("2026-05-31", "2026-06-01"))) == [15, 16]


def test_a_29_february_birthday_turns_on_28_february_in_common_years():
    assert list(age_on(d("2008-02-29", "2008-02-29"), d("2026-02-27", "2026-02-28"))) == [17, 18]
    assert age_on(d("2008-02-29"), d("2028-02-29"))[0] == 20


def _calendar_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """add_months the slow, obvious way: year and month apart, then the day clamped to the month's end."""
    out = []
    for day, m in zip(days.tolist(), months.tolist(), strict=True):
        index = day.year * 12 + day.month - 1 + m
        year, month = divmod(index, 12)
        first = np.datetime64(f"{year:04d}-{month + 1:02d}", "M")
        length = int(((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(int))
        out.append(first.astype("datetime64[D]") + min(day.day, length) - 1)
    return np.array(out, dtype="datetime64[D]")


def test_month_arithmetic_agrees_with_the_calendar_inside_and_outside_its_tables():
    rng = np.random.default_rng(7)
    days = np.datetime64("1700-01-01") + rng.integers(0, 220_000, size=5_000)  # 1700 to 2302
    days[:4] = d("2024-01-31", "2023-12-31", "2199-12-31", "1800-01-01")
    months = rng.integers(-1_300, 1_300, size=5_000)
    assert (add_months(days, months) == _calendar_months(days, months)).all()
    assert (add_months(days, 1) == _calendar_months(days, np.ones(5_000, dtype=int))).all()


def test_a_missing_date_stays_missing():
    assert np.isnat(add_months(np.array(["NaT", "2026-01-31"], dtype="datetime64[D]"), 1)[0])


def test_age_agrees_with_counting_birthdays_inside_and_outside_the_tables():
    rng = np.random.default_rng(8)
    birth = np.datetime64("1750-01-01") + rng.integers(0, 170_000, size=3_000)
    on = birth + rng.integers(0, 40_000, size=3_000)
    expected = [o.year - b.year - ((o.month, o.day) < (b.month, b.day) and not
                                   (b.month == 2 and b.day == 29 and o.month == 2 and o.day == 28
                                    and not _leap(o.year)))
                for b, o in zip(birth.tolist(), on.tolist(), strict=True)]
    assert list(age_on(birth, on)) == expected


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@pytest.mark.parametrize(
    "country, age",
    [
        ("DE", 16),
        ("FR", 15),
        ("IT", 14),
        ("ES", 14),
        ("NL", 16),
        ("PL", 16),
        ("SE", 13),
        ("PT", 13),
        ("XX", 16),
    ],
)
def test_art8_age_per_member_state_with_16_as_default(country, age):
    assert art8_age(country) == age


def test_no_member_state_goes_below_13_or_above_16():
    assert all(13 <= a <= 16 for a in ART8_AGE.values())


def test_the_72_hours_of_a_breach_start_at_the_hour_after_awareness_and_never_move():
    """Reg. 1182/71 Art. 3(1), 3(2)(a): the hour of awareness is not counted; Art. 3(4) moves only periods
    not expressed in hours, so a deadline on a Saturday stays there."""
    assert law.breach_notification_deadline(pd.Timestamp("2026-01-01 10:20:30")) == pd.Timestamp(
        "2026-01-04 11:00")
    assert law.breach_notification_deadline(pd.Timestamp("2026-01-01 10:00:00")) == pd.Timestamp(
        "2026-01-04 11:00")
    saturday = law.breach_notification_deadline(pd.Series(pd.to_datetime(["2026-01-07 22:30:00"])))
    assert saturday.tolist() == [pd.Timestamp("2026-01-10 23:00")]
