"""Contact-detail checks: a pragmatic e-mail syntax, and phone validity as phonenumbers sees it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from gdprlab.audit import validate
from gdprlab.audit.validate import phone_is_valid, valid_email, valid_phone
from gdprlab.generator import identifiers


@pytest.mark.parametrize("email", ["anna.mueller@web.de", "a@b.co", "x+tag@mail.telepac.pt", "zoë@gmx.de",
                                   "O'Brien@example.ie"])
def test_valid_emails(email):
    assert valid_email(pd.Series([email])).tolist() == [True]


@pytest.mark.parametrize("email", [
    "anna.web.de",  # no @
    "anna@@web.de",  # two @
    "@web.de",  # empty local part
    "an na@web.de",  # space
    "anna@web",  # no dot in the domain
    "anna@web.d",  # one-letter TLD
    "anna@web.123",  # TLD not letters
    "anna@web..de",  # consecutive dots
    "anna..b@web.de",
    "anna@.de",  # empty label
    "",
])
def test_invalid_emails(email):
    assert valid_email(pd.Series([email])).tolist() == [False]


def test_the_bulk_email_pattern_agrees_with_the_reference_on_every_short_address():
    """RE2 judges ASCII addresses (no '..' built into its pattern); Python's `re` plus a '..' test is the
    reference. Every local part and domain over a small alphabet, dots and spaces included."""
    import itertools
    import re
    reference = re.compile(r"[^@\s]+@(?:[^@\s.]+\.)+[A-Za-z]{2,}")
    parts = ["".join(p) for n in range(1, 5) for p in itertools.product("a.\x1c", repeat=n)]
    domains = ["".join(p) for n in range(3, 7) for p in itertools.product("d.e", repeat=n)]
    emails = [f"{local}@{domain}" for local in parts for domain in domains] + ["a..", "@", ".@de.de"]
    expected = [bool(reference.fullmatch(e)) and ".." not in e for e in emails]
    assert 500 < sum(expected) < len(emails)
    assert valid_email(pd.Series(emails)).tolist() == expected


def test_missing_email_is_not_valid_and_the_index_is_kept():
    out = valid_email(pd.Series(["a@b.de", None, np.nan], index=[7, 8, 9]))
    assert out.tolist() == [True, False, False] and out.index.tolist() == [7, 8, 9]


def test_phone_validity_uses_the_country_as_default_region():
    numbers = ["+4915112345678", "015112345678", "0612345678", "0612345678", "+4912345", None, "not a phone"]
    countries = ["DE", "DE", "FR", "ES", "DE", "DE", "DE"]  # a French mobile is no Spanish number
    assert valid_phone(numbers, countries).tolist() == [True, True, True, False, False, False, False]


def test_an_international_number_is_valid_whatever_the_country():
    # is_valid_number judges a '+' number by its own country code
    assert valid_phone(["+33612345678"], ["DE"]).tolist() == [True]


@pytest.mark.parametrize("mostly", [None, 0.0, 2.0])
def test_fast_path_agrees_with_the_library(mostly, monkeypatch):
    """Canonical E.164 numbers take a vectorised path; it must give the library's verdict, valid or not,
    whether each pattern is matched on the whole array (mostly=0) or on the rows taken (mostly=2)."""
    if mostly is not None:
        monkeypatch.setattr(validate, "_MOSTLY", mostly)
    rng = np.random.default_rng(7)
    numbers: list = []
    countries: list = []
    for country in identifiers.COUNTRIES:
        valid, invalid = (make(country, 150, rng) for make in (identifiers.phone_numbers,
                                                                 identifiers.invalid_phone_numbers))
        for batch in (valid, invalid):
            numbers += list(batch)
            countries += [country] * len(batch)
    codes = ["1", "7", "20", "31", "33", "34", "39", "41", "44", "46", "48", "49", "351", "800", "882", "998"]
    for _ in range(3000):  # random digits after real codes, shared ones (+1, +7, +39, +44) and non-geo
        digits = "".join(rng.choice(list("0123456789"), size=int(rng.integers(1, 15))))
        numbers.append("+" + codes[int(rng.integers(len(codes)))] + digits)
        countries.append(["DE", "IT", "GB", "US", None][int(rng.integers(5))])
    numbers += ["+3906698123", "+39066981234", "+490151234567", "+49 151 23456789", "+", "+12", "+0123456"]
    countries += ["IT", "VA", "DE", "DE", "DE", "US", "DE"]
    expected = [phone_is_valid.__wrapped__(n, c) for n, c in zip(numbers, countries, strict=True)]
    assert valid_phone(numbers, countries).tolist() == expected


def test_only_plus_and_ascii_digits_take_the_fast_path_even_in_a_slice():
    """Fullwidth digits, spaces, a trailing newline or a '+' inside go to the library, as they would alone."""
    import pyarrow as pa
    numbers = ["skipped", "+4915112345678", "+", "+1", "+12", "+123", "+0123", "+\uff14915112345678",
               "+49 151 12345678", "1+4915112345678", "+4915112345678\n", None, "+33612345678", ""]
    sliced = pa.array(numbers, type=pa.large_string()).slice(1)
    expected = [n is not None and phone_is_valid.__wrapped__(n, "DE") for n in numbers[1:]]
    assert valid_phone(sliced, pa.array(["DE"] * len(sliced))).tolist() == expected
    assert expected[:2] == [True, False] and expected[11] is True


def test_phones_are_judged_once_per_unique_value():
    numbers = ["0151 12345678"] * 1000 + ["0151 123"] * 1000  # national format: the library decides
    phone_is_valid.cache_clear()
    assert valid_phone(numbers, ["DE"] * 2000).sum() == 1000
    assert phone_is_valid.cache_info().misses == 2


@pytest.mark.parametrize("mostly", [0.0, 2.0])
def test_a_metadata_pattern_is_judged_only_at_the_rows_asked_for(mostly, monkeypatch):
    """A possible-length or earlier-type condition excludes a row even when its digits match the pattern."""
    monkeypatch.setattr(validate, "_MOSTLY", mostly)
    values = pa.array(["15123", "15124", "99999", "15123"])
    where = np.array([True, False, True, True])
    found = validate._matches_where(values, where, "1512[34]", whole=True)
    assert found.tolist() == [True, False, False, True]
