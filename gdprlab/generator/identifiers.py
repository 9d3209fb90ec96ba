"""Vectorised generators of valid synthetic identifiers for eight EU countries.

Synthetic CRM data must pass the same validators as real data (python-stdnum,
phonenumbers), and a million contacts must be generated in seconds, so nothing
here loops over rows in Python. Every generator builds a ``uint8`` matrix of
ASCII codes (one identifier per row), computes check digits column-wise with
numpy and converts the matrix to a fixed-width ``str`` array only at the end.
Identifiers that must be unique are redrawn until no row repeats.

Output formats (what a CRM would store):

* IBAN: compact electronic form, ``DE89370400440532013000``.
* VAT: compact with the country prefix, ``DE136695976``; company numbers
  (ES CIF, NL RSIN + ``B01``, SE organisation number + ``01``, PT NIPC).
* National ids: compact (no separators), except SE which keeps the customary
  hyphen in the unambiguous 12-digit form ``YYYYMMDD-NNNC``.
* Phones: E.164, ``+4915112345678``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

Chars = NDArray[np.uint8]  # (rows, width) ASCII codes; NUL right-padding is dropped on output
T = TypeVar("T")

COUNTRIES: tuple[str, ...] = ("DE", "FR", "IT", "ES", "NL", "PL", "SE", "PT")

NATIONAL_ID_MODULES: dict[str, str] = {
    "DE": "stdnum.de.idnr",
    "FR": "stdnum.fr.nir",
    "IT": "stdnum.it.codicefiscale",
    "ES": "stdnum.es.dni",
    "NL": "stdnum.nl.bsn",
    "PL": "stdnum.pl.pesel",
    "SE": "stdnum.se.personnummer",
    "PT": "stdnum.pt.nif",
}

_ZERO = ord("0")
_MAX_REDRAW_ROUNDS = 64

# Real bank identifiers (the BBAN's leading bank code); account parts are random.
_IBAN_BANKS: dict[str, tuple[str, ...]] = {
    "DE": ("10010010", "10050000", "10070000", "12030000", "20050550", "37040044", "43060967",
           "50010517", "60050101", "70150000"),
    "FR": ("10278", "17515", "18206", "20041", "30002", "30003", "30004", "30066"),
    "IT": ("01030", "02008", "03015", "03062", "03069", "05034", "05387", "06230"),
    "ES": ("0049", "0081", "0128", "0182", "1465", "2085", "2100", "3058"),
    "NL": ("ABNA", "ASNB", "BUNQ", "INGB", "KNAB", "RABO", "RBRB", "SNSB", "TRIO"),
    "PL": ("102", "105", "109", "114", "116", "124", "175", "249"),
    "SE": ("120", "300", "500", "600", "800"),
    "PT": ("0007", "0010", "0018", "0033", "0035", "0036", "0045"),
}

# Mobile ranges: country -> (calling code, {national number length: prefixes}). Every
# prefix was checked against phonenumbers' metadata so the remaining digits may be anything.
_MOBILE: dict[str, tuple[str, dict[int, str]]] = {
    "DE": ("49", {11: "1511 1512 1514 1515 1516 1517 1520 1521 1522 1523 1525 1526 1529 1570 1573 "
                      "1575 1577 1578 1579 1590",
                  10: "160 162 163 170 171 172 173 174 175 176 177 178 179"}),
    "FR": ("33", {9: "60 61 62 64 65 66 67 68 75 76 77 78"}),
    "IT": ("39", {10: "320 324 327 328 329 330 331 333 334 335 338 339 340 342 345 346 347 348 349 "
                      "366 368 380 388 389 391 392 393"}),
    "ES": ("34", {9: "60 61 62 63 64 65 66 67 68 69 71 72 73 74"}),
    "NL": ("31", {9: "61 62 63 64 65"}),
    "PL": ("48", {9: "45 50 51 53 57 60 66 69 72 73 78 79 88"}),
    "SE": ("46", {9: "70 72 73 76 79"}),
    "PT": ("351", {9: "91 92 93 96"}),
}

# Missing (-) or extra (+) digits that no number type of the country accepts for the prefixes
# above. DE allows 10-11 digit mobiles and 12-digit voicemail numbers, so only a missing digit
# is safe; IT accepts 9-10 digit mobiles and 11-12 digit voicemail numbers, so two are missing.
_PHONE_TYPOS: dict[str, tuple[int, ...]] = {
    "DE": (-1,), "FR": (-1, 1), "IT": (-2,), "ES": (-1, 1),
    "NL": (-1, 1), "PL": (-1, 1), "SE": (-1, 1), "PT": (-1, 1),
}

_DNI_LETTERS = np.frombuffer(b"TRWAGMYFPDXBNJZSQVHLCKE", np.uint8)
_CF_MONTHS = np.frombuffer(b"ABCDEHLMPRST", np.uint8)
_CF_CONSONANTS = np.frombuffer(b"BCDFGLMNPRSTVZ", np.uint8)
_CF_PLACE_LETTERS = tuple("ABCDEFGHILM")  # Belfiore codes of Italian municipalities
_CF_ODD_VALUES = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25,
                  24, 23)
_NIR_DEPARTMENTS = tuple(f"{d:02d}" for d in range(1, 96) if d != 20) + ("2A", "2B")
_NIR_DEPARTMENT_VALUES = np.array([{"2A": 19, "2B": 18}.get(d) or int(d) for d in _NIR_DEPARTMENTS])
_PESEL_MONTH_OFFSET = np.array([80, 0, 20, 40, 60])  # births in the 1800s, 1900s, ..., 2200s
_NIF_PERSON_PREFIXES = {"1": 0.45, "2": 0.5, "3": 0.05}
_CIF_COMPANY_TYPES = {"B": 0.7, "A": 0.2, "G": 0.05, "E": 0.05}  # S.L., S.A., association, community
# aktiebolag (556, 559), ekonomisk förening (769), ideell förening (802), handelsbolag (916, 969)
_SE_COMPANY_PREFIXES = {"556": 0.45, "559": 0.3, "769": 0.07, "802": 0.08, "916": 0.05, "969": 0.05}
_LUHN_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], np.uint8)  # digit sum of 2 * d


# --------------------------------------------------------------------------- char matrices


def _table(strings: Sequence[str]) -> Chars:
    """Small string table as a NUL-padded ASCII matrix, for fancy-index lookups."""
    width = max(map(len, strings))
    return np.array([s.encode().ljust(width, b"\0") for s in strings]).view(np.uint8).reshape(-1, width)


def _pick(options: Sequence[str] | Mapping[str, float], n: int, rng: np.random.Generator) -> Chars:
    """Random rows of a string table, weighted when given a mapping of option -> weight."""
    weights = np.array(list(options.values())) if isinstance(options, Mapping) else None
    p = None if weights is None else weights / weights.sum()
    return _table(list(options))[rng.choice(len(options), size=n, p=p)]


def _digits(n: int, width: int, rng: np.random.Generator, first: int = 0) -> Chars:
    """Uniformly random decimal digits; the leading one is at least ``first``."""
    chars = rng.integers(_ZERO, _ZERO + 10, size=(n, width), dtype=np.uint8)
    if first:
        chars[:, 0] = rng.integers(_ZERO + first, _ZERO + 10, size=n, dtype=np.uint8)
    return chars


def _number(values: NDArray[np.integer], width: int) -> Chars:
    """Zero-padded decimal representation of non-negative integers."""
    rest, chars = np.asarray(values, np.int64), np.empty((len(values), width), np.uint8)
    for column in range(width - 1, -1, -1):
        rest, digit = np.divmod(rest, 10)
        chars[:, column] = digit + _ZERO
    return chars


def _const(text: str, n: int) -> Chars:
    """The same text on every row."""
    return np.broadcast_to(np.frombuffer(text.encode(), np.uint8), (n, len(text)))


def _join(*parts: Chars) -> Chars:
    """Concatenate fields left to right into one contiguous matrix."""
    return np.hstack(parts).astype(np.uint8, copy=False)


def _to_str(chars: Chars) -> np.ndarray:
    """Fixed-width str array; reinterpreting the bytes avoids any per-row Python work."""
    width = chars.shape[1]
    return np.ascontiguousarray(chars).view(f"S{width}").ravel().astype(f"U{width}")


def _dot(chars: Chars, weights: Sequence[int]) -> NDArray[np.int64]:
    """Weighted sum of character values (0-9 for digits, 10-35 for A-Z), via float32 BLAS.

    Exact because every sum stays below 2**24. Letters must sit in the same columns on every
    row (true for all layouts built here), so the ASCII offset is one correction per column.
    """
    w = np.asarray(weights, np.float32)
    offsets = np.where((chars[:1] >= ord("A")).any(axis=0), 55, _ZERO)
    return (chars.astype(np.float32) @ w).astype(np.int64) - int(offsets @ w)


# --------------------------------------------------------------------------- check digits


def _luhn(payload: Chars) -> Chars:
    """Luhn check digit (SIREN, Italian VAT, Spanish CIF, Swedish numbers)."""
    digits = payload - _ZERO
    doubled = np.arange(payload.shape[1])[::-1] % 2 == 0  # every second digit from the right
    total = _LUHN_DOUBLED[digits[:, doubled]].sum(axis=1) + digits[:, ~doubled].sum(axis=1)
    return _number((10 - total % 10) % 10, 1)


def _mod11_10(payload: Chars) -> Chars:
    """ISO 7064 Mod 11,10 check digit (German IdNr and VAT), ported from stdnum column-wise."""
    check = np.full(len(payload), 5)
    for column in (payload - _ZERO).T:
        check = (np.where(check == 0, 10, check) * 2 % 11 + column) % 10
    return _number((1 - np.where(check == 0, 10, check) * 2 % 11) % 10, 1)


def _mod97(chars: Chars) -> NDArray[np.int64]:
    """Remainder mod 97 of the number spelled by the rows (letters count as two digits, A=10).

    Letters must occupy the same columns on every row, which holds for all layouts built here.
    """
    widths = np.where((chars[:1] >= ord("A")).any(axis=0), 2, 1)
    exponents = np.cumsum(widths[::-1])[::-1] - widths
    return _dot(chars, [pow(10, int(e), 97) for e in exponents]) % 97


def _mod97_digits(chars: Chars) -> Chars:
    """Two check digits making ``chars + digits`` congruent to 1 mod 97 (IBAN, Portuguese NIB)."""
    return _number(98 - _mod97(_join(chars, _const("00", len(chars)))), 2)


def _lookup_table(keys: str, values: Sequence[int]) -> NDArray[np.int64]:
    """ASCII-indexed lookup array, so a whole char matrix is translated in one indexing step."""
    table = np.zeros(128, np.int64)
    table[np.frombuffer(keys.encode(), np.uint8)] = values
    return table


_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CF_ODD = _lookup_table(_DIGITS + _LETTERS, _CF_ODD_VALUES[:10] + _CF_ODD_VALUES)
_CF_EVEN = _lookup_table(_DIGITS + _LETTERS, tuple(range(10)) + tuple(range(26)))


def _cf_check(payload: Chars) -> Chars:
    """Odd/even table check letter shared by the codice fiscale and the Italian IBAN CIN."""
    total = sum((_CF_EVEN if j % 2 else _CF_ODD)[column] for j, column in enumerate(payload.T))
    return (np.asarray(total) % 26 + ord("A")).astype(np.uint8)[:, None]


def _ccc_digit(payload: Chars) -> Chars:
    """Spanish CCC check digit over ten digits (weights 2**i mod 11)."""
    check = _dot(payload, [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11
    return _number(np.where(check < 2, check, 11 - check), 1)


def _pt_check(payload: Chars) -> Chars:
    """Portuguese NIF/NIPC check digit (weights 9..2, a result of 10 becomes 0)."""
    return _number((11 - _dot(payload, range(9, 1, -1)) % 11) % 11 % 10, 1)


# --------------------------------------------------------------------------- sampling


def _resample(draw: Callable[[int], Chars], ok: Callable[[Chars], np.ndarray], n: int) -> Chars:
    """Draw n rows, redrawing those that fail ``ok`` (rejection keeps the draw uniform)."""
    chars = draw(n)
    bad = np.flatnonzero(~ok(chars))
    while bad.size:
        chars[bad] = draw(bad.size)
        bad = bad[~ok(chars[bad])]
    return chars


def _mod11(draw: Callable[[int], Chars], weights: Sequence[int], n: int) -> Chars:
    """Digits plus a weighted mod-11 check digit; rows whose check would be 10 are redrawn."""
    body = _resample(draw, lambda chars: _dot(chars, weights) % 11 != 10, n)
    return _join(body, _number(_dot(body, weights) % 11, 1))


def _row_keys(chars: Chars) -> NDArray[np.uint64]:
    """64-bit hash of each row, taken over 8-byte words.

    Equal rows get equal keys; a collision of different rows only costs an extra redraw.
    """
    padded = np.zeros((len(chars), -(-chars.shape[1] // 8) * 8), np.uint8)
    padded[:, : chars.shape[1]] = chars
    keys = np.zeros(len(chars), np.uint64)
    for word in padded.view(np.uint64).T:
        keys = keys * np.uint64(0x9E3779B97F4A7C15) + word
    return keys


def _first_of_each(keys: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """Mask keeping one row per distinct key."""
    order = np.argsort(keys)
    ordered = keys[order]
    keep = np.ones(len(keys), bool)
    keep[order[1:][ordered[1:] == ordered[:-1]]] = False
    return keep


def _unique(make: Callable[[NDArray[np.intp]], Chars], n: int) -> Chars:
    """Rows from ``make(row_indices)``, redrawing repeated rows until all rows differ.

    After the first pass only the redrawn rows are checked, against the sorted kept keys.
    """
    chars = make(np.arange(n))
    keys = _row_keys(chars)
    todo = np.flatnonzero(~_first_of_each(keys))
    for _ in range(_MAX_REDRAW_ROUNDS):
        if todo.size == 0:
            return chars
        kept = np.sort(np.delete(keys, todo))
        new = make(todo)
        new_keys = _row_keys(new)
        clash = kept[np.searchsorted(kept, new_keys).clip(max=kept.size - 1)] == new_keys
        fresh = _first_of_each(new_keys) & ~clash
        chars[todo[fresh]], keys[todo[fresh]] = new[fresh], new_keys[fresh]
        todo = todo[~fresh]
    raise ValueError(f"cannot make {n} unique identifiers: too few distinct values for these inputs")


def _lookup(table: Mapping[str, T], country: str) -> T:
    """Per-country table entry; unknown countries are a caller error."""
    if country not in table:
        raise ValueError(f"unsupported country {country!r}; supported: {', '.join(COUNTRIES)}")
    return table[country]


def _check_count(n: int) -> int:
    """Validate the requested number of values."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return int(n)


# --------------------------------------------------------------------------- IBAN


def _bban_de(bank: Chars, rng: np.random.Generator) -> Chars:
    """Bankleitzahl + 10-digit account (account check methods vary per bank; not applied)."""
    return _join(bank, _digits(len(bank), 10, rng))


def _bban_fr(bank: Chars, rng: np.random.Generator) -> Chars:
    """Code banque + guichet + account + RIB key (97 - number mod 97)."""
    rib = _join(bank, _digits(len(bank), 16, rng))
    return _join(rib, _number(97 - _mod97(_join(rib, _const("00", len(bank)))), 2))


def _bban_it(bank: Chars, rng: np.random.Generator) -> Chars:
    """CIN check letter + ABI + CAB + 12-digit account."""
    body = _join(bank, _digits(len(bank), 17, rng))
    return _join(_cf_check(body), body)


def _bban_es(bank: Chars, rng: np.random.Generator) -> Chars:
    """Entidad + oficina + two CCC check digits + account (checked by stdnum.es.iban)."""
    branch, account = _digits(len(bank), 4, rng), _digits(len(bank), 10, rng)
    first = _ccc_digit(_join(_const("00", len(bank)), bank, branch))
    return _join(bank, branch, first, _ccc_digit(account), account)


def _bban_nl(bank: Chars, rng: np.random.Generator) -> Chars:
    """Bank code + 10-digit account passing the classic elfproef (weights 10..1)."""
    return _join(bank, _mod11(lambda k: _digits(k, 9, rng), range(-10, -1), len(bank)))


def _bban_pl(bank: Chars, rng: np.random.Generator) -> Chars:
    """Sort code (bank + branch + weighted check digit) + 16-digit account."""
    sort_code = _join(bank, _digits(len(bank), 4, rng))
    check = _number((10 - _dot(sort_code, [3, 9, 7, 1, 3, 9, 7]) % 10) % 10, 1)
    return _join(sort_code, check, _digits(len(bank), 16, rng))


def _bban_se(bank: Chars, rng: np.random.Generator) -> Chars:
    """Bank code + 17 account digits (bank-specific account checks are not applied)."""
    return _join(bank, _digits(len(bank), 17, rng))


def _bban_pt(bank: Chars, rng: np.random.Generator) -> Chars:
    """Banco + balcão + 11-digit account + NIB check digits (mod 97)."""
    body = _join(bank, _digits(len(bank), 15, rng))
    return _join(body, _mod97_digits(body))


_BBAN_BUILDERS: dict[str, Callable[[Chars, np.random.Generator], Chars]] = {
    "DE": _bban_de, "FR": _bban_fr, "IT": _bban_it, "ES": _bban_es,
    "NL": _bban_nl, "PL": _bban_pl, "SE": _bban_se, "PT": _bban_pt,
}


def ibans(country: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Unique IBANs in compact electronic form, with national BBAN check digits where defined."""
    build, n = _lookup(_BBAN_BUILDERS, country), _check_count(n)
    bban = _unique(lambda rows: build(_pick(_IBAN_BANKS[country], rows.size, rng), rng), n)
    check = _mod97_digits(_join(bban, _const(country, n)))
    return _to_str(_join(_const(country, n), check, bban))


# --------------------------------------------------------------------------- VAT


def _vat_de(n: int, rng: np.random.Generator) -> Chars:
    """USt-IdNr: 8 digits (no leading zero) + Mod 11,10 check."""
    body = _digits(n, 8, rng, first=1)
    return _join(body, _mod11_10(body))


def _vat_fr(n: int, rng: np.random.Generator) -> Chars:
    """Numeric TVA key ((SIREN * 100 + 12) mod 97) + SIREN with Luhn check."""
    payload = _digits(n, 8, rng, first=1)
    siren = _join(payload, _luhn(payload))
    return _join(_number(_mod97(_join(siren, _const("12", n))), 2), siren)


def _vat_it(n: int, rng: np.random.Generator) -> Chars:
    """Partita IVA: company number + province office code 001-100 + Luhn check."""
    company = _resample(lambda k: _digits(k, 7, rng), lambda c: (c != _ZERO).any(axis=1), n)
    body = _join(company, _number(rng.integers(1, 101, n), 3))
    return _join(body, _luhn(body))


def _vat_es(n: int, rng: np.random.Generator) -> Chars:
    """CIF: company type letter + province + serial + numeric Luhn check."""
    digits = _join(_number(rng.integers(1, 53, n), 2), _digits(n, 5, rng))
    return _join(_pick(_CIF_COMPANY_TYPES, n, rng), digits, _luhn(digits))


def _vat_nl(n: int, rng: np.random.Generator) -> Chars:
    """Company btw-nummer: RSIN (11-proof like a BSN) + B01."""
    rsin = _mod11(lambda k: _join(_const("8", k), _digits(k, 7, rng)), range(9, 1, -1), n)
    return _join(rsin, _const("B01", n))


def _vat_pl(n: int, rng: np.random.Generator) -> Chars:
    """NIP: tax office code + serial + weighted mod-11 check (10 is never issued)."""
    return _mod11(lambda k: _digits(k, 9, rng, first=1), [6, 5, 7, 2, 3, 4, 5, 6, 7], n)


def _vat_se(n: int, rng: np.random.Generator) -> Chars:
    """Organisation number (legal-form prefix, Luhn check) + the 01 VAT suffix."""
    payload = _join(_pick(_SE_COMPANY_PREFIXES, n, rng), _digits(n, 6, rng))
    return _join(payload, _luhn(payload), _const("01", n))


def _vat_pt(n: int, rng: np.random.Generator) -> Chars:
    """NIPC of a company (leading 5) + check digit."""
    payload = _join(_const("5", n), _digits(n, 7, rng))
    return _join(payload, _pt_check(payload))


_VAT_BUILDERS: dict[str, Callable[[int, np.random.Generator], Chars]] = {
    "DE": _vat_de, "FR": _vat_fr, "IT": _vat_it, "ES": _vat_es,
    "NL": _vat_nl, "PL": _vat_pl, "SE": _vat_se, "PT": _vat_pt,
}


def vat_numbers(country: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Unique company VAT numbers, compact with country prefix (valid for stdnum.eu.vat)."""
    build, n = _lookup(_VAT_BUILDERS, country), _check_count(n)
    body = _unique(lambda rows: build(rows.size, rng), n)
    return _to_str(_join(_const(country, n), body))


# --------------------------------------------------------------------------- national ids


class _People(NamedTuple):
    """Per-person inputs, split into date parts once so builders stay arithmetic."""

    year: NDArray[np.int64]
    month: NDArray[np.int64]
    day: NDArray[np.int64]
    female: NDArray[np.bool_]
    first_names: np.ndarray | None
    last_names: np.ndarray | None

    def take(self, rows: NDArray[np.intp]) -> _People:
        """The subset of people being (re)drawn."""
        return _People(*(None if field is None else field[rows] for field in self))


def _people(birth_dates: np.ndarray, female: np.ndarray, first_names: np.ndarray | None,
            last_names: np.ndarray | None) -> _People:
    """Validate per-person inputs and split birth dates into year, month and day."""
    dates = np.asarray(birth_dates, dtype="datetime64[D]")
    sex = np.asarray(female, dtype=bool)
    names = [None if a is None else np.asarray(a) for a in (first_names, last_names)]
    if dates.ndim != 1 or any(len(a) != len(dates) for a in [sex, *names] if a is not None):
        raise ValueError("birth_dates, female and names must be 1-D arrays of equal length")
    if np.isnat(dates).any():
        raise ValueError("birth_dates must not contain NaT")
    months = dates.astype("datetime64[M]")
    return _People(dates.astype("datetime64[Y]").astype(np.int64) + 1970,
                   months.astype(np.int64) % 12 + 1,
                   (dates - months).astype(np.int64) + 1, sex, *names)


def _sex_digit(people: _People, rng: np.random.Generator) -> Chars:
    """Random serial digit whose parity encodes sex: odd for men, even for women (PL, SE)."""
    return _number(2 * rng.integers(0, 5, len(people.female)) + ~people.female, 1)


def _idnr_digits(n: int, rng: np.random.Generator) -> Chars:
    """Ten digits in which exactly one digit occurs twice and all others once.

    A random permutation of 0-9 with one position overwritten by the digit at another
    position; every such sequence arises in exactly two ways, so the draw stays uniform.
    """
    chars = rng.permuted(np.tile(np.arange(_ZERO, _ZERO + 10, dtype=np.uint8), (n, 1)), axis=1)
    target = rng.integers(0, 10, n)
    source = (target + rng.integers(1, 10, n)) % 10
    rows = np.arange(n)
    chars[rows, target] = chars[rows, source]
    return chars


def _id_de(people: _People, rng: np.random.Generator) -> Chars:
    """Steuer-IdNr: digit-repetition rule, no leading zero, Mod 11,10 check."""
    body = _resample(lambda k: _idnr_digits(k, rng), lambda c: c[:, 0] != _ZERO, len(people.female))
    return _join(body, _mod11_10(body))


def _id_fr(people: _People, rng: np.random.Generator) -> Chars:
    """NIR: sex, YY, MM, department (2A/2B for Corsica), commune, serial, key 97 - n mod 97."""
    n = len(people.female)
    sex, yy, department = 1 + people.female, people.year % 100, rng.integers(0, len(_NIR_DEPARTMENTS), n)
    commune, serial = rng.integers(1, 900, n), rng.integers(1, 1000, n)
    value = ((sex * 100 + yy) * 100 + people.month) * 10**8 + _NIR_DEPARTMENT_VALUES[department] * 10**6
    value += commune * 1000 + serial
    return _join(_number(sex, 1), _number(yy, 2), _number(people.month, 2),
                 _table(_NIR_DEPARTMENTS)[department], _number(commune, 3), _number(serial, 3),
                 _number(97 - value % 97, 2))


def _cf_letters(name: str, first_name: bool) -> str:
    """Codice fiscale name letters: consonants then vowels, padded with X.

    First names with four or more consonants use the 1st, 3rd and 4th consonant.
    """
    ascii_name = unicodedata.normalize("NFKD", name.upper()).encode("ascii", "ignore").decode()
    letters = [c for c in ascii_name if "A" <= c <= "Z"]
    consonants = [c for c in letters if c not in "AEIOU"]
    if first_name and len(consonants) >= 4:
        consonants = [consonants[0], consonants[2], consonants[3]]
    return ("".join(consonants + [c for c in letters if c in "AEIOU"]) + "XXX")[:3]


def _cf_name_codes(names: np.ndarray | None, first_name: bool, n: int, rng: np.random.Generator) -> Chars:
    """Name letters computed once per distinct name (missing names give XXX), or random consonants."""
    if names is None:
        return rng.choice(_CF_CONSONANTS, size=(n, 3))
    codes, uniques = pd.factorize(names)
    return _table([_cf_letters(str(name), first_name) for name in uniques] + ["XXX"])[codes]


def _id_it(people: _People, rng: np.random.Generator) -> Chars:
    """Codice fiscale: surname, name, YY, month letter, day (+40 for women), place, check letter."""
    n = len(people.female)
    place = _join(_pick(_CF_PLACE_LETTERS, n, rng), _number(rng.integers(1, 1000, n), 3))
    body = _join(_cf_name_codes(people.last_names, False, n, rng),
                 _cf_name_codes(people.first_names, True, n, rng),
                 _number(people.year % 100, 2), _CF_MONTHS[people.month - 1][:, None],
                 _number(people.day + 40 * people.female, 2), place)
    return _join(body, _cf_check(body))


def _id_es(people: _People, rng: np.random.Generator) -> Chars:
    """DNI: eight digits + mod-23 letter."""
    number = rng.integers(1_000_000, 100_000_000, len(people.female))
    return _join(_number(number, 8), _DNI_LETTERS[number % 23][:, None])


def _id_nl(people: _People, rng: np.random.Generator) -> Chars:
    """BSN: nine digits passing the 11-proof (weights 9..2, -1)."""
    return _mod11(lambda k: _digits(k, 8, rng, first=1), range(9, 1, -1), len(people.female))


def _id_pl(people: _People, rng: np.random.Generator) -> Chars:
    """PESEL: YYMMDD (month + century offset), serial, sex digit, weighted check digit."""
    century = people.year // 100 - 18
    if ((century < 0) | (century >= len(_PESEL_MONTH_OFFSET))).any():
        raise ValueError("PESEL encodes birth years 1800-2299 only")
    month = people.month + _PESEL_MONTH_OFFSET[century]
    body = _join(_number(people.year % 100, 2), _number(month, 2), _number(people.day, 2),
                 _digits(len(people.female), 3, rng), _sex_digit(people, rng))
    return _join(body, _number((10 - _dot(body, [1, 3, 7, 9] * 2 + [1, 3]) % 10) % 10, 1))


def _id_se(people: _People, rng: np.random.Generator) -> Chars:
    """Personnummer YYYYMMDD-NNNC: serial whose last digit encodes sex, Luhn over YYMMDDNNN."""
    date = _join(_number(people.year, 4), _number(people.month, 2), _number(people.day, 2))
    serial = _join(_digits(len(people.female), 2, rng), _sex_digit(people, rng))
    return _join(date, _const("-", len(date)), serial, _luhn(_join(date[:, 2:], serial)))


def _id_pt(people: _People, rng: np.random.Generator) -> Chars:
    """NIF of a private person (leading 1-3) + check digit."""
    n = len(people.female)
    payload = _join(_pick(_NIF_PERSON_PREFIXES, n, rng), _digits(n, 7, rng))
    return _join(payload, _pt_check(payload))


_ID_BUILDERS: dict[str, Callable[[_People, np.random.Generator], Chars]] = {
    "DE": _id_de, "FR": _id_fr, "IT": _id_it, "ES": _id_es,
    "NL": _id_nl, "PL": _id_pl, "SE": _id_se, "PT": _id_pt,
}


def national_ids(country: str, birth_dates: np.ndarray, female: np.ndarray, rng: np.random.Generator,
                 first_names: np.ndarray | None = None, last_names: np.ndarray | None = None) -> np.ndarray:
    """One unique national id per person, encoding birth date and sex where the scheme does.

    Validated by the module named in NATIONAL_ID_MODULES; names only matter for IT.
    """
    build = _lookup(_ID_BUILDERS, country)
    people = _people(birth_dates, female, first_names, last_names)
    return _to_str(_unique(lambda rows: build(people.take(rows), rng), len(people.female)))


# --------------------------------------------------------------------------- phones


def _phones(country: str, n: int, rng: np.random.Generator, length_errors: Sequence[int]) -> np.ndarray:
    """E.164 mobile numbers: random prefix, random remaining digits, length shifted by an error."""
    code, ranges = _MOBILE[country]
    prefixes = [prefix for ps in ranges.values() for prefix in ps.split()]
    lengths = np.array([length for length, ps in ranges.items() for _ in ps.split()])
    chosen = rng.integers(0, len(prefixes), n)
    size = lengths[chosen] + rng.choice(np.asarray(length_errors), n)
    body = _digits(n, int(lengths.max() + max(length_errors)), rng)
    head = _table(prefixes)[chosen]
    body[:, : head.shape[1]] = np.where(head != 0, head, body[:, : head.shape[1]])
    body[np.arange(body.shape[1]) >= size[:, None]] = 0
    return _to_str(_join(_const("+" + code, n), body))


def phone_numbers(country: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Valid E.164 mobile numbers from real mobile ranges (not forced unique, like real data)."""
    _lookup(_MOBILE, country)
    return _phones(country, _check_count(n), rng, (0,))


def invalid_phone_numbers(country: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """E.164-looking mobile numbers with a missing or extra digit, rejected by phonenumbers."""
    typos = _lookup(_PHONE_TYPOS, country)
    return _phones(country, _check_count(n), rng, typos)


# --------------------------------------------------------------------------- pasted into notes and mistyped


def card_numbers(n: int, rng: np.random.Generator, *, valid: bool = True) -> np.ndarray:
    """16-digit Visa-like card numbers (first digit 4, as the test numbers of card schemes) in four blocks
    ('4xxx xxxx xxxx xxxx'), passing the Luhn check or, with valid=False, failing it.

    Blocks two to four start with 0-4, so no run of whole blocks inside the number starts with a Maestro
    prefix (5xxx, 6xxx) and a failing number cannot pass for a shorter card either.
    """
    n = _check_count(n)
    blocks = [_join(_const("4", n), _digits(n, 3, rng))]
    for width in (4, 4, 3):
        block = _digits(n, width, rng)
        block[:, 0] = rng.integers(_ZERO, _ZERO + 5, size=n, dtype=np.uint8)
        blocks.append(block)
    payload = _join(*blocks)
    check = _luhn(payload)
    if not valid:
        check = (check - _ZERO + rng.integers(1, 10, size=(n, 1), dtype=np.uint8)) % 10 + _ZERO
    digits = _join(payload, check.astype(np.uint8))
    space = _const(" ", n)
    return _to_str(_join(digits[:, :4], space, digits[:, 4:8], space, digits[:, 8:12], space, digits[:, 12:]))


def mistyped_iban(value: str, rng: np.random.Generator) -> str:
    """The IBAN (compact) with other check digits, so that it fails the mod 97 check, as typed in a hurry.

    Compact, its digits form one run of 20 or more after the country (too long for any national id or card
    number); a Dutch IBAN, whose account is a run of 10 digits only, is written in blocks of four instead.
    """
    wrong = f"{value[:2]}{(int(value[2:4]) - 2 + int(rng.integers(1, 97))) % 97 + 2:02d}{value[4:]}"
    return " ".join(wrong[i:i + 4] for i in range(0, len(wrong), 4)) if wrong[:2] == "NL" else wrong


#: the countries whose national id's look-alike is the id with another last letter: Spain's DNI and Italy's
#: codice fiscale (only their check letter differs, so no other scheme can take them)
_CHECK_LETTER_IDS = ("ES", "IT")


def mistyped_national_id(value: str, country: str, rng: np.random.Generator) -> str | None:
    """A Spanish DNI or Italian codice fiscale with another last letter, failing its check; None for the
    other countries' ids."""
    if country not in _CHECK_LETTER_IDS:
        return None
    letters = [ch for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if ch != value[-1]]
    return value[:-1] + letters[int(rng.integers(len(letters)))]
