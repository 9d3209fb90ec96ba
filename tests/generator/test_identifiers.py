"""Specification of gdprlab.generator.identifiers: synthetic identifiers for eight EU countries.

Every value must pass the validator real data is checked with (python-stdnum, phonenumbers),
identifiers are unique within a call, national ids encode the person's birth date and sex where
the national scheme does, and the same seed reproduces the same output.
"""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.es import ccc
from stdnum.eu import vat as stdnum_vat
from stdnum.it import codicefiscale

from gdprlab.audit.rules.encryption import pasted_identifiers
from gdprlab.generator.identifiers import (
    COUNTRIES,
    NATIONAL_ID_MODULES,
    card_numbers,
    ibans,
    invalid_phone_numbers,
    mistyped_iban,
    mistyped_national_id,
    national_ids,
    phone_numbers,
    vat_numbers,
)

SAMPLE = 5000
KINDS = ("ibans", "vat_numbers", "national_ids", "phone_numbers", "invalid_phone_numbers")
COUNT_GENERATORS = {
    "ibans": ibans,
    "vat_numbers": vat_numbers,
    "phone_numbers": phone_numbers,
    "invalid_phone_numbers": invalid_phone_numbers,
}


def people(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Birth dates 1925-2007 (inside every scheme's decodable range) and sex, ~half women."""
    rng = np.random.default_rng(seed)
    first, last = np.datetime64("1925-01-01"), np.datetime64("2007-12-31")
    births = first + rng.integers(0, (last - first).astype(int) + 1, n).astype("timedelta64[D]")
    return births, rng.random(n) < 0.5


def generate(kind: str, country: str, n: int, seed: int) -> np.ndarray:
    """Call any generator the same way, so shared rules can be parametrised over kinds."""
    rng = np.random.default_rng(seed)
    if kind == "national_ids":
        return national_ids(country, *people(n), rng)
    return COUNT_GENERATORS[kind](country, n, rng)


def parses_as_valid(number: str) -> bool:
    """phonenumbers' verdict; anything it cannot even parse counts as invalid."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return False


def assert_unique(values: np.ndarray) -> None:
    assert len(set(values.tolist())) == len(values)


# --------------------------------------------------------------------------- IBAN


@pytest.mark.parametrize("country", COUNTRIES)
def test_ibans_are_valid_compact_unique_and_of_the_country(country):
    values = ibans(country, SAMPLE, np.random.default_rng(2))
    assert all(stdnum_iban.is_valid(v) for v in values)
    assert all(v.startswith(country) and stdnum_iban.compact(v) == v for v in values)
    assert_unique(values)


# The national BBAN check digits that stdnum.iban does not verify itself (ES it does).
NATIONAL_BBAN_CHECKS = {
    "FR": lambda bban: int(bban) % 97 == 0,  # RIB key
    "IT": lambda bban: codicefiscale.calc_check_digit(bban[1:]) == bban[0],  # CIN
    "ES": ccc.is_valid,
    "NL": lambda bban: sum(w * int(d) for w, d in zip(range(10, 0, -1), bban[4:], strict=True)) % 11 == 0,
    "PL": lambda bban: sum(w * int(d) for w, d in zip((3, 9, 7, 1) * 2, bban[:8], strict=True)) % 10 == 0,
    "PT": lambda bban: int(bban) % 97 == 1,  # NIB
}


@pytest.mark.parametrize("country", NATIONAL_BBAN_CHECKS)
def test_ibans_carry_correct_national_check_digits(country):
    values = ibans(country, SAMPLE, np.random.default_rng(3))
    assert all(NATIONAL_BBAN_CHECKS[country](v[4:]) for v in values)


# --------------------------------------------------------------------------- VAT


@pytest.mark.parametrize("country", COUNTRIES)
def test_vat_numbers_are_valid_eu_vat_compact_with_prefix_and_unique(country):
    values = vat_numbers(country, SAMPLE, np.random.default_rng(4))
    assert all(stdnum_vat.is_valid(v) for v in values)
    assert all(v.startswith(country) and stdnum_vat.compact(v) == v for v in values)
    assert_unique(values)


# --------------------------------------------------------------------------- national ids


def test_every_country_names_an_importable_national_id_validator():
    assert set(NATIONAL_ID_MODULES) == set(COUNTRIES)
    assert all(hasattr(importlib.import_module(m), "is_valid") for m in NATIONAL_ID_MODULES.values())


@pytest.mark.parametrize("country", COUNTRIES)
def test_national_ids_are_valid_compact_and_unique(country):
    module = importlib.import_module(NATIONAL_ID_MODULES[country])
    values = national_ids(country, *people(SAMPLE), np.random.default_rng(5))
    assert len(values) == SAMPLE
    assert all(module.is_valid(v) for v in values)
    assert all(module.compact(v) == v for v in values)
    assert_unique(values)


@pytest.mark.parametrize("country", ["IT", "PL", "SE"])
def test_national_ids_encode_birth_date_and_sex(country):
    module = importlib.import_module(NATIONAL_ID_MODULES[country])
    births, female = people(SAMPLE)
    values = national_ids(country, births, female, np.random.default_rng(6))
    assert [module.get_birth_date(v) for v in values] == births.astype(object).tolist()
    assert [module.get_gender(v) for v in values] == np.where(female, "F", "M").tolist()


def test_nir_starts_with_sex_birth_year_and_month():
    births, female = people(SAMPLE)
    values = national_ids("FR", births, female, np.random.default_rng(7))
    births = births.astype(object)
    expected = [("2" if f else "1") + b.strftime("%y%m") for b, f in zip(births, female, strict=True)]
    assert [v[:5] for v in values] == expected


def test_personnummer_uses_the_unambiguous_twelve_digit_form():
    births, female = people(SAMPLE)
    values = national_ids("SE", births, female, np.random.default_rng(8))
    assert all(len(v) == 13 and v[8] == "-" for v in values)
    assert [v[:8] for v in values] == [b.strftime("%Y%m%d") for b in births.astype(object)]


def test_codice_fiscale_derives_letters_from_names():
    births, female = people(4)
    values = national_ids(
        "IT", births, female, np.random.default_rng(9),
        first_names=np.array(["Mario", "Giuseppe", "Nicolò", None], dtype=object),
        last_names=np.array(["Rossi", "Verdi", "D'Àngelo", "Fo"], dtype=object),
    )
    assert [v[:6] for v in values] == ["RSSMRA", "VRDGPP", "DNGNCL", "FOXXXX"]
    assert all(codicefiscale.is_valid(v) for v in values)


def test_portuguese_nif_is_that_of_a_private_person():
    values = national_ids("PT", *people(SAMPLE), np.random.default_rng(10))
    assert all(v[0] in "123" for v in values)


def test_national_ids_stay_unique_when_many_people_share_birth_date_and_sex():
    births = np.full(400, np.datetime64("1990-06-15"))  # personnummer: 500 serials per date and sex
    values = national_ids("SE", births, np.ones(400, bool), np.random.default_rng(11))
    assert_unique(values)


def test_national_ids_fail_loudly_when_the_scheme_cannot_stay_unique():
    births = np.full(600, np.datetime64("1990-06-15"))
    with pytest.raises(ValueError, match="unique"):
        national_ids("SE", births, np.ones(600, bool), np.random.default_rng(12))


def test_pesel_rejects_birth_years_it_cannot_encode():
    births = np.array(["1799-12-31"], "datetime64[D]")
    with pytest.raises(ValueError, match="1800-2299"):
        national_ids("PL", births, np.array([True]), np.random.default_rng())


def test_national_id_inputs_must_have_equal_length():
    births, female = people(10)
    with pytest.raises(ValueError, match="equal length"):
        national_ids("DE", births, female[:5], np.random.default_rng())


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize("country", COUNTRIES)
def test_phone_numbers_are_valid_e164_mobiles_of_the_country(country):
    for value in phone_numbers(country, SAMPLE, np.random.default_rng(13)):
        number = phonenumbers.parse(value)
        assert phonenumbers.is_valid_number(number), value
        assert phonenumbers.region_code_for_number(number) == country
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == value


@pytest.mark.parametrize("country", COUNTRIES)
def test_invalid_phone_numbers_look_like_e164_but_are_rejected(country):
    calling_code = f"+{phonenumbers.country_code_for_region(country)}"
    for value in invalid_phone_numbers(country, SAMPLE, np.random.default_rng(14)):
        assert value.startswith(calling_code) and value[1:].isdigit()
        assert not parses_as_valid(value), value


@pytest.mark.parametrize("country", COUNTRIES)
def test_invalid_phone_numbers_are_mobile_numbers_with_missing_or_extra_digits(country):
    valid = phone_numbers(country, 2000, np.random.default_rng(15))
    head = len(str(phonenumbers.country_code_for_region(country))) + 3  # "+", calling code, 2 digits
    mobile_starts, lengths = {v[:head] for v in valid}, {len(v) for v in valid}
    for value in invalid_phone_numbers(country, 2000, np.random.default_rng(16)):
        assert value[:head] in mobile_starts
        assert min(abs(len(value) - length) for length in lengths) <= 2


# --------------------------------------------------------------------------- shared rules


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_reproduces_the_same_values(kind, country):
    assert generate(kind, country, 300, seed=42).tolist() == generate(kind, country, 300, seed=42).tolist()


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("kind", KINDS)
def test_different_seeds_give_different_values(kind, country):
    assert generate(kind, country, 300, seed=1).tolist() != generate(kind, country, 300, seed=2).tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_country_is_rejected_naming_it_and_the_supported_ones(kind):
    with pytest.raises(ValueError, match=r"'XX'.*DE, FR, IT, ES, NL, PL, SE, PT"):
        generate(kind, "XX", 10, seed=0)


@pytest.mark.parametrize("kind", COUNT_GENERATORS)
def test_negative_count_is_rejected(kind):
    with pytest.raises(ValueError, match="n must be >= 0"):
        COUNT_GENERATORS[kind]("DE", -1, np.random.default_rng())


@pytest.mark.parametrize("kind", KINDS)
def test_zero_count_gives_an_empty_string_array(kind):
    values = generate(kind, "FR", 0, seed=0)
    assert values.shape == (0,) and values.dtype.kind == "U"


# --------------------------------------------------------------------------- pasted into notes


def _held(values) -> list[bool]:
    """Whether the text scanner validates an IBAN, national id or card number in a note ending in each."""
    notes = pd.Series([f"Notiz: {v}" for v in values])
    rows = set(pasted_identifiers(notes)["row"])
    return [i in rows for i in range(len(notes))]


def test_card_numbers_pass_the_luhn_check_or_with_valid_false_fail_it_and_pass_for_no_other_number():
    rng = np.random.default_rng(0)
    good, bad = card_numbers(SAMPLE, rng), card_numbers(SAMPLE, rng, valid=False)
    assert all(luhn.is_valid(v.replace(" ", "")) for v in good) and all(_held(good))
    assert not any(luhn.is_valid(v.replace(" ", "")) for v in bad) and not any(_held(bad))
    assert all(len(v) == 19 and v[0] == "4" for v in [*good, *bad])


@pytest.mark.parametrize("country", COUNTRIES)
def test_a_mistyped_iban_fails_mod_97_and_passes_for_no_other_identifier(country):
    rng = np.random.default_rng(1)
    wrong = [mistyped_iban(v, rng) for v in ibans(country, 2000, rng)]
    assert not any(stdnum_iban.is_valid(v) for v in wrong) and not any(_held(wrong))


@pytest.mark.parametrize("country", ["ES", "IT"])
def test_a_mistyped_dni_or_codice_fiscale_fails_its_check_letter_and_passes_for_nothing_else(country):
    rng = np.random.default_rng(2)
    births = np.datetime64("1950-01-01") + rng.integers(0, 20000, 2000).astype("timedelta64[D]")
    names = np.array(["Anna"] * 2000, dtype=object), np.array(["Rossi"] * 2000, dtype=object)
    valid = national_ids(country, births, rng.random(2000) < 0.5, rng, *names)
    wrong = [mistyped_national_id(v, country, rng) for v in valid]
    assert all(w[:-1] == v[:-1] and w != v for w, v in zip(wrong, valid, strict=True))
    assert not any(_held(wrong))
    assert mistyped_national_id("84701257634", "DE", rng) is None  # no look-alike of a digits-only id
