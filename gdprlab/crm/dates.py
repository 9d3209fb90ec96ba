"""Dates and timestamps as CRM exports write them, read into naive UTC datetime64.

Spellings read: ISO 8601 (with `T` or a space, with or without seconds, fractions and an offset), the
date-time text of Excel cells (`1982-03-29 00:00:00`), `DD.MM.YYYY`, `DD/MM/YYYY`, `MM/DD/YYYY` (also with
`-`), each with an optional time in 24-hour or 12-hour form (`02:14:00 PM`) and an optional offset (`Z`,
`UTC`, `+02:00`), and Excel serial day numbers (`30769`, `30769.5`). Two-digit years are refused: `03/04/05`
has no single reading.

Day-first or month-first: dotted dates are day-first wherever they are used; a column of slashed dates is
read the way its values allow (`29/03/1982` can only be day-first, `03/29/1982` only month-first). A column
where both readings fit every value is `AMBIGUOUS`: the caller settles it by the file's other columns, the
auditor's `--date-order` or the mapping, or refuses it (see gdprlab.crm.exports).

A time written without an offset is taken in the given time zone (UTC unless the auditor says otherwise)
and converted to UTC. A date column keeps the calendar date as written (no zone applies).
"""

from __future__ import annotations

import zoneinfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ORDERS = ("dmy", "mdy")
AMBIGUOUS = "ambiguous"
#: Excel's day 0 (serial 1 is 1900-01-01, counting Excel's phantom 29 February 1900 from March 1900 on)
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "us")
_EXCEL_LAST = 2_958_465  # 9999-12-31

_NUMERIC = r"^\s*(?P<n>[0-9]{1,7}(?:[.,][0-9]+)?)\s*$"
_ISO = r"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
_OFFSET = r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)\s*$"
_DMY = (
    r"^\s*(?P<a>[0-9]{1,2})(?P<sep>[./-])(?P<b>[0-9]{1,2})[./-](?P<y>[0-9]{2,4})"
    r"(?:(?:[ T]|,\s*)(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?"
    r"\s*(?:(?P<p>[AaPp])\.?[Mm]\.?)?)?"
    r"\s*(?P<z>Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})?\s*$"
)


def check_timezone(name: str) -> str:
    """The IANA time zone name, or ValueError naming it (e.g. Europe/Berlin, America/New_York, UTC)."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; give an IANA name such as UTC, Europe/Berlin or America/New_York"
        ) from None
    return name


def _parts(text: pd.Series) -> pa.StructArray:
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.extract_regex(arr, _DMY)


def _field(parts: pa.StructArray, name: str) -> np.ndarray:
    """A numeric group as float (NaN where absent)."""
    values = parts.field(name)
    values = pc.if_else(pc.equal(values, ""), None, values)
    return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)


def infer_order(text: pd.Series) -> str | None:
    """'dmy' or 'mdy' when the column's slashed dates allow one reading, AMBIGUOUS when they allow both,
    None when the column has no slashed dates (dotted ones are day-first)."""
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)  # chunked as read: joined once filtered
    # only values with a separator among their first three characters can be D/M/Y (ISO years have four
    # digits): a cheap look before the regular expression, which a column of ISO dates never needs
    # (nor empty values, which exports write for every missing date)
    head = pc.utf8_slice_codeunits(arr, 0, 3)
    candidates = pc.fill_null(pc.and_(pc.invert(pc.utf8_is_digit(head)), pc.not_equal(head, "")), False)
    if not pc.any(candidates).as_py():
        return None
    candidates = arr.filter(candidates)
    if isinstance(candidates, pa.ChunkedArray):
        candidates = candidates.combine_chunks()
    parts = pc.extract_regex(candidates, _DMY)
    slashed = pc.fill_null(pc.and_(pc.is_valid(parts), pc.not_equal(parts.field("sep"), ".")), False)
    if not pc.any(slashed).as_py():
        return None
    parts = parts.filter(slashed)
    a, b = _field(parts, "a"), _field(parts, "b")
    day_first, month_first = bool((b <= 12).all()), bool((a <= 12).all())
    if day_first and month_first:
        return AMBIGUOUS
    if day_first or month_first:
        return "dmy" if day_first else "mdy"
    return "dmy" if (b <= 12).sum() >= (a <= 12).sum() else "mdy"  # the bad values are named later


def parse(
    text: pd.Series, dtype: str, order: str | None, timezone: str = "UTC"
) -> tuple[np.ndarray, np.ndarray]:
    """Text values (missing as NA) as datetime64[us] (NaT where not read) and a mask of two-digit years.

    `order` reads slashed dates ('dmy' or 'mdy'); None reads them day-first only when they cannot be
    month-first (the caller settles ambiguous columns first). `dtype` 'date' keeps the calendar date."""
    n = len(text)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    two_digit = np.zeros(n, dtype=bool)
    present = text.notna().to_numpy(dtype=bool)
    if not present.any():
        return out, two_digit
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    naive = np.zeros(n, dtype=bool)

    iso = pc.fill_null(pc.match_substring_regex(arr, _ISO), False).to_numpy(zero_copy_only=False)
    if iso.any():
        rows = np.flatnonzero(iso)
        values = text.iloc[rows].str.strip()
        offset = values.str.contains(_OFFSET, regex=True).fillna(False).to_numpy(dtype=bool)
        if offset.any():
            stamped = pd.to_datetime(values[offset], format="ISO8601", utc=True, errors="coerce")
            out[rows[offset]] = stamped.dt.tz_localize(None).to_numpy().astype("datetime64[us]")
        if (~offset).any():
            plain = pd.to_datetime(values[~offset], format="ISO8601", errors="coerce")
            out[rows[~offset]] = plain.to_numpy().astype("datetime64[us]")
            naive[rows[~offset]] = True

    numeric = pc.extract_regex(arr, _NUMERIC)
    serial = pc.is_valid(numeric).to_numpy(zero_copy_only=False) & ~iso
    if serial.any():
        rows = np.flatnonzero(serial)
        days = pc.cast(
            pc.replace_substring(numeric.filter(pa.array(serial)).field("n"), ",", "."), pa.float64()
        ).to_numpy(zero_copy_only=False)
        ok = (days >= 1) & (days <= _EXCEL_LAST)
        micros = np.round(days[ok] * 86_400) * 1_000_000
        out[rows[ok]] = _EXCEL_EPOCH + micros.astype(np.int64).astype("timedelta64[us]")
        naive[rows[ok]] = True

    parts = _parts(text)
    matched = pc.is_valid(parts).to_numpy(zero_copy_only=False) & ~iso & ~serial
    if matched.any():
        rows = np.flatnonzero(matched)
        p = parts.filter(pa.array(matched))
        a, b, years = _field(p, "a"), _field(p, "b"), _field(p, "y")
        dotted = p.field("sep").to_numpy(zero_copy_only=False) == "."
        if order is None:
            slashed = ~dotted
            order = "mdy" if (a[slashed] <= 12).all() and not (b[slashed] <= 12).all() else "dmy"
        day_first = dotted | (order == "dmy")
        day, month = np.where(day_first, a, b), np.where(day_first, b, a)
        short = pc.not_equal(pc.utf8_length(p.field("y")), 4).to_numpy(zero_copy_only=False)
        two_digit[rows[short]] = True
        hour, minute, second = (np.nan_to_num(_field(p, k)) for k in ("H", "M", "S"))
        meridiem = p.field("p").to_numpy(zero_copy_only=False)
        pm = np.isin(meridiem, ["P", "p"])
        twelve = np.isin(meridiem, ["A", "a", "P", "p"])
        ok = ~short & (hour < 24) & (minute < 60) & (second < 60) & (~twelve | ((hour >= 1) & (hour <= 12)))
        hour = np.where(twelve, hour % 12 + np.where(pm, 12, 0), hour)
        frac = pc.utf8_slice_codeunits(pc.utf8_rpad(p.field("f"), 6, "0"), 0, 6)
        micro = pc.cast(frac, pa.int64()).to_numpy(zero_copy_only=False)
        base = pd.to_datetime(
            pd.DataFrame(
                {
                    "year": np.where(ok, years, 2000),
                    "month": np.where(ok, month, 1),
                    "day": np.where(ok, day, 1),
                }
            ),
            errors="coerce",
        )
        stamp = (
            base.to_numpy().astype("datetime64[us]")
            + ((hour * 3600 + minute * 60 + second) * 1_000_000).astype(np.int64).astype("timedelta64[us]")
            + micro.astype("timedelta64[us]")
        )
        zones = p.field("z").to_numpy(zero_copy_only=False)
        offset = np.full(len(rows), np.nan)
        for i in np.flatnonzero(zones != ""):
            offset[i] = _offset_minutes(zones[i])
        has_offset = ~np.isnan(offset)
        stamp = stamp - (np.nan_to_num(offset) * 60_000_000).astype(np.int64).astype("timedelta64[us]")
        stamp[~ok] = np.datetime64("NaT")
        out[rows] = stamp
        naive[rows[~has_offset]] = True

    if dtype == "date":
        return out.astype("datetime64[D]").astype("datetime64[us]"), two_digit
    if timezone != "UTC" and naive.any():
        rows = np.flatnonzero(naive & ~np.isnat(out))
        local = pd.Series(out[rows]).dt.tz_localize(
            timezone, ambiguous=np.ones(len(rows), dtype=bool), nonexistent="shift_forward"
        )
        out[rows] = local.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]")
    return out, two_digit


def _offset_minutes(zone: str | None) -> float:
    if not zone:
        return np.nan
    if zone in ("Z", "UTC", "GMT"):
        return 0.0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:4] or 0))
