"""Dates and times as exports write them read into naive UTC; day-month order taken from the values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from gdprlab.crm import dates


def _read(values, dtype="datetime", order=None, timezone="UTC"):
    out, two_digit = dates.parse(pd.Series(values, dtype=object), dtype, order, timezone)
    return [None if np.isnat(v) else str(v)[:19] for v in out], list(two_digit)


@pytest.mark.parametrize(
    "written, expected",
    [
        ("2026-03-29T14:02:05Z", "2026-03-29T14:02:05"),
        ("2026-03-29T16:02:05+02:00", "2026-03-29T14:02:05"),
        ("2026-03-29 14:02:05", "2026-03-29T14:02:05"),  # an Excel date cell read as text
        ("29.03.2026 14:02:05", "2026-03-29T14:02:05"),
        ("29.03.2026", "2026-03-29T00:00:00"),
        ("03/29/2026 02:02:05 PM", "2026-03-29T14:02:05"),
        ("03/29/2026 12:30:00 AM", "2026-03-29T00:30:00"),
        ("29/03/2026 14:02", "2026-03-29T14:02:00"),
        ("29/03/2026 14:02:05 +0100", "2026-03-29T13:02:05"),
        ("46110", "2026-03-29T00:00:00"),  # Excel serial day
        ("46110,5", "2026-03-29T12:00:00"),  # with a decimal comma
    ],
)
def test_each_export_spelling_reads_to_utc(written, expected):
    assert _read([written])[0] == [expected]


@pytest.mark.parametrize(
    "written",
    ["31.02.2026", "13/13/2026", "29.03.2026 25:00", "13:00 PM", "yesterday", "03/29/2026 13:00:00 PM"],
)
def test_impossible_dates_and_times_are_not_read(written):
    assert _read([written])[0] == [None]


def test_two_digit_years_are_flagged_not_guessed():
    values, two_digit = _read(["29.03.82", "29.03.1982"])
    assert values == [None, "1982-03-29T00:00:00"] and two_digit == [True, False]


@pytest.mark.parametrize(
    "column, order",
    [
        (["29/03/1982", "01/02/1990"], "dmy"),
        (["03/29/1982", "01/02/1990"], "mdy"),
        (["03/04/1982", "01/02/1990"], dates.AMBIGUOUS),
        (["29.03.1982", "2026-01-01"], None),  # no slashed dates: nothing to settle
        (["", "", None], None),  # the empty cells exports write for missing dates
        (["", "29/03/1982", None, ""], "dmy"),
    ],
)
def test_the_day_month_order_is_inferred_per_column(column, order):
    assert dates.infer_order(pd.Series(column)) == order


def test_the_order_is_inferred_across_the_chunks_a_large_file_is_read_in():
    chunked = pa.chunked_array([["2026-01-01", ""], ["", "03/29/1982"]], type=pa.large_string())
    assert dates.infer_order(pd.Series(pd.arrays.ArrowStringArray(chunked))) == "mdy"


def test_the_order_given_reads_an_ambiguous_column():
    assert _read(["03/04/1982"], order="dmy")[0] == ["1982-04-03T00:00:00"]
    assert _read(["03/04/1982"], order="mdy")[0] == ["1982-03-04T00:00:00"]


def test_naive_times_are_taken_in_the_zone_given_and_offsets_are_kept():
    values, _ = _read(
        ["2026-07-01 12:00:00", "07/01/2026 12:00:00 PM", "2026-07-01T12:00:00Z"],
        order="mdy",
        timezone="Europe/Berlin",
    )
    assert values == ["2026-07-01T10:00:00", "2026-07-01T10:00:00", "2026-07-01T12:00:00"]


def test_a_date_column_keeps_the_calendar_date_whatever_the_zone():
    assert _read(["29.03.1982 23:30"], dtype="date", timezone="Pacific/Auckland")[0] == [
        "1982-03-29T00:00:00"
    ]


def test_an_unknown_time_zone_is_named():
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        dates.check_timezone("Mars/Olympus")
