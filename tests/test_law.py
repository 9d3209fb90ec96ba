"""Deadlines counted as the Regulation (and Reg. 1182/71) counts them."""

from __future__ import annotations

import numpy as np
import pytest

from gdprlab.law import ART8_AGE, add_months, age_on, art8_age, month_deadline


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


def test_months_can_be_subtracted_for_cut_off_dates():
    assert add_months(d("2026-03-31"), -1)[0] == np.datetime64("2026-02-28")


def test_age_counts_completed_years():
    assert list(age_on(d("2010-06-01", "2010-06-01"), d("2026-05-31", "2026-06-01"))) == [15, 16]


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
