"""Masking evidence: recognisable kind of value, never the value itself."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from gdprlab.audit.mask import (
    mask_date_of_birth,
    mask_email,
    mask_free_text,
    mask_iban,
    mask_identifier,
    mask_name,
    mask_national_id,
    mask_phone,
    mask_secret,
    mask_token,
    mask_value,
)
from gdprlab.crm import protect

MASKERS = [mask_email, mask_phone, mask_iban, mask_national_id, mask_name, mask_date_of_birth, mask_free_text,
           mask_token, mask_secret, mask_identifier]
TOKEN = protect.encrypt(["DE89370400440532013000"], protect.synthetic_key(0), np.random.default_rng(0))[0]


@pytest.mark.parametrize(("value", "masked"), [
    ("anna.schmidt@example.de", "a***@e***.de"),
    ("Anna@Mail.Example.co.uk", "A***@M***.uk"),
    ("a@b.c", "a***@b***.c"),
    ("ünal@straße.de", "ü***@s***.de"),
    ("anna@localhost", "a***@l***"),
    ("no-at-sign.de", "n***-a***-s***.d***"),  # not an address: masked like a name
])
def test_email_keeps_first_letters_and_top_level_domain(value, masked):
    assert mask_email(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("+4915112345678", "+49 *** 78"),
    ("+351 912 345 679", "+351 *** 79"),
    ("0049 151 12345678", "+49 *** 78"),
    ("0151 12345678", "*** 78"),  # no country code written: none shown
    ("+4912", "***"),  # too short to keep anything
])
def test_phone_keeps_country_code_and_last_two_digits(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("DE89370400440532013000", "DE*** 3000"),
    ("DE89 3704 0044 0532 0130 00", "DE*** 3000"),
    ("de89370400440532013000", "DE*** 3000"),
    ("DE89", "DE***"),
    (TOKEN, "enc:v1:…"),
])
def test_iban_keeps_country_and_last_four(value, masked):
    assert mask_iban(value) == masked


def test_national_id_keeps_the_last_two_only_when_long_enough():
    assert mask_national_id("44051401458") == "***58"
    assert mask_national_id("440-514-014") == "***14"
    assert mask_national_id("1234") == "***"


@pytest.mark.parametrize(("value", "masked"), [
    ("Anna Schmidt", "A*** S***"),
    ("Anna-Lena van Dijk", "A***-L*** v*** D***"),
    ("Øystein Ærø", "Ø*** Æ***"),
    ("  José  ", "J***"),
    ("O'Brien", "O***'B***"),
])
def test_names_keep_initials(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize("value", ["1980-05-01", dt.date(1980, 5, 1), pd.Timestamp("1980-05-01"),
                                   np.datetime64("1980-05-01")])
def test_date_of_birth_keeps_the_year(value):
    assert mask_date_of_birth(value) == "1980-**-**"


def test_a_date_of_birth_that_is_no_date_is_hidden():
    assert mask_date_of_birth("born in May") == "***"


def test_free_text_masks_digits_capitalised_words_and_addresses():
    text = "Anruf mit Anna Meier (anna.meier@web.de, +49 151 2345678): Vertrag läuft bis 2027."
    assert mask_free_text(text) == "A*** mit A*** M*** (a***@w***.de, +## ### #######): V*** lä…"
    assert mask_free_text("über Ørsted") == "über Ø***"


def test_free_text_is_cut_to_its_length():
    masked = mask_free_text("x" * 500, length=40)
    assert len(masked) == 40 and masked.endswith("…")


def test_tokens_show_as_token_whatever_the_category():
    assert mask_token(TOKEN) == "enc:v1:…"
    assert mask_token("plain value") == "***"
    for category in ("iban", "health", "name", "free_text", None, "something_new"):
        assert mask_value(TOKEN, category) == "enc:v1:…"


def test_identifiers_show_their_length_only():
    digest = "5f1d7a0c9b2e4d6f8a1c3e5b7d9f0a2c"
    assert mask_identifier(digest) == "***(32)"


@pytest.mark.parametrize("masker", MASKERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("missing", [None, math.nan, pd.NA, pd.NaT])
def test_missing_stays_missing(masker, missing):
    assert masker(missing) is None


@pytest.mark.parametrize("masker", MASKERS, ids=lambda f: f.__name__)
def test_empty_stays_empty(masker):
    assert masker("") == ""


IDENTIFYING = ["anna.schmidt@example.de", "+4915112345678", "DE89370400440532013000", "44051401458",
               "Anna Schmidt", "1980-05-01", "Zoë", "a@b.c", "李小龙", "Ğülşen Çelik", "X1",
               "Anna has diabetes, call +49 151 2345678"]
#: lower-case words are not masked in free text (they keep it readable), so only other maskers hide them
LOWER_CASE = ["ab", "wheelchair user", "anna"]


@pytest.mark.parametrize("masker", MASKERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("raw", IDENTIFYING)
def test_a_masked_value_never_contains_the_raw_value(masker, raw):
    masked = masker(raw)
    assert isinstance(masked, str) and raw not in masked


@pytest.mark.parametrize("masker", [m for m in MASKERS if m is not mask_free_text], ids=lambda f: f.__name__)
@pytest.mark.parametrize("raw", LOWER_CASE)
def test_a_masked_lower_case_value_never_contains_the_raw_value(masker, raw):
    assert raw not in masker(raw)


def test_free_text_keeps_lower_case_words_and_hides_caseless_scripts():
    assert mask_free_text("wheelchair user") == "wheelchair user"
    assert mask_free_text("李小龙 called") == "李*** called"


@pytest.mark.parametrize(("category", "value", "masked"), [
    ("email", "anna@web.de", "a***@w***.de"),
    ("phone", "+4915112345678", "+49 *** 78"),
    ("bank_account", "DE89370400440532013000", "DE*** 3000"),
    ("national_id", "44051401458", "***58"),
    ("name", "Anna Schmidt", "A*** S***"),
    ("date_of_birth", "1980-05-01", "1980-**-**"),
    ("health", "wheelchair user", "***"),
    ("online_identifier", "abcdef", "***(6)"),
    ("free_text", "Anna rief an", "A*** rief an"),
    ("postal_address", "Hauptstraße 5", "H*** #"),
    (None, "customer", "customer"),  # no personal data: shown as is
    ("relationship", 12.0, "12"),
    ("a_new_category", "Anna Schmidt 1980", "A*** S*** ####"),  # unknown: masked as free text
])
def test_mask_value_picks_the_masker_by_category(category, value, masked):
    assert mask_value(value, category) == masked
