"""Syntactic checks of contact details (Art. 5(1)(d) accuracy), fast enough for a million contacts.

Phone numbers are judged by `phonenumbers` (parse with the contact's country as default region, then
`is_valid_number`). Calling it costs about 16 microseconds a number, 16 s for a million, so canonical
E.164 numbers ('+' and digits, by far the common case in a CRM) take a vectorised path that applies
the same metadata tests the library applies, over unique values; every other string goes to the library
itself, once per unique (number, country). tests/test_validate.py checks that both paths agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, PhoneNumberDesc

#: one @, a local part without spaces, a domain of dot-separated labels ending in a 2+ letter TLD
_EMAIL = re.compile(r"[^@\s]+@(?:[^@\s.]+\.)+[A-Za-z]{2,}")
#: '+', a country code not starting with 0, at least 3 digits in all (shorter ones the library rejects)
_E164 = r"^\+[1-9][0-9]{2,}$"  # RE2 (pyarrow) syntax
_NON_GEO = "001"
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' bounds on a national significant number
_TYPES = ("mobile", "fixed_line", "premium_rate", "toll_free", "shared_cost", "voip", "personal_number",
          "pager", "uan", "voicemail")


def _strings(values: Sequence | pd.Series | np.ndarray) -> np.ndarray:
    """Object array of str, missing values (None, NaN, NA) as None."""
    arr = pd.Series(values, dtype=object).to_numpy()
    missing = pd.isna(arr)
    out = arr.astype(object)
    out[missing] = None
    return out


def _fullmatch(pattern: re.Pattern | str, values: np.ndarray) -> np.ndarray:
    """Element-wise re.fullmatch of str values with Python's engine (metadata patterns are written for it)."""
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    return np.fromiter((m is not None for m in map(rx.fullmatch, values)), bool, len(values))


def _lengths(values: np.ndarray) -> np.ndarray:
    return np.fromiter(map(len, values), np.int64, len(values))


def valid_email(emails: pd.Series) -> pd.Series:
    """True for a syntactically plausible address; False for missing values and anything else."""
    values = pd.Series(_strings(emails)).fillna("").to_numpy(dtype=object)
    ok = _fullmatch(_EMAIL, values)
    ok &= np.fromiter((".." not in v for v in values), bool, len(values))
    return pd.Series(ok, index=emails.index if isinstance(emails, pd.Series) else None)


@lru_cache(maxsize=1 << 16)
def phone_is_valid(number: str, region: str | None) -> bool:
    """The library's verdict: parse with `region` as default region, then is_valid_number."""
    try:
        parsed = phonenumbers.parse(number, region or None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)


def valid_phone(numbers: Sequence | pd.Series | np.ndarray,
                countries: Sequence | pd.Series | np.ndarray) -> np.ndarray:
    """Validity of each phone number with its country as default region; missing numbers are invalid."""
    num, cty = _strings(numbers), _strings(countries)
    key = pd.Series(num).fillna("") + "\x00" + pd.Series(cty).fillna("")
    codes, uniques = pd.factorize(key.to_numpy(dtype=object))
    first = np.unique(codes, return_index=True)[1]
    u_num, u_cty = num[first], cty[first]
    decided, valid = _fast_path(u_num)
    for i in np.flatnonzero(~decided):
        valid[i] = u_num[i] is not None and phone_is_valid(u_num[i], u_cty[i])
    return valid[codes]


def _fast_path(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(decided, valid) per number: decided for '+' numbers whose parse needs no national-prefix step."""
    decided = np.zeros(len(numbers), dtype=bool)
    valid = np.zeros(len(numbers), dtype=bool)
    text = pa.array(numbers, type=pa.string())
    plus = pc.match_substring_regex(text, _E164).fill_null(False)
    e164 = np.flatnonzero(plus.to_numpy(zero_copy_only=False))
    cc, nsn = _split_country_code(pc.utf8_slice_codeunits(text.take(e164), 1))
    for code in np.unique(cc[cc > 0]):
        rows = np.flatnonzero(cc == code)
        ok, verdict = _valid_for_code(int(code), nsn[rows])
        decided[e164[rows[ok]]] = True
        valid[e164[rows[ok]]] = verdict[ok]
    return decided, valid


def _split_country_code(digits: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Country code (0 when none) and the rest, trying 1, 2, then 3 leading digits like the library."""
    cc = np.zeros(len(digits), dtype=np.int64)
    nsn = np.empty(len(digits), dtype=object)
    for k in (1, 2, 3):
        prefix = pc.cast(pc.utf8_slice_codeunits(digits, 0, k), pa.int64()).to_numpy()
        hit = np.flatnonzero((cc == 0) & np.isin(prefix, list(COUNTRY_CODE_TO_REGION_CODE)))
        cc[hit] = prefix[hit]
        nsn[hit] = pc.utf8_slice_codeunits(digits.take(hit), k).to_numpy(zero_copy_only=False)
    return cc, nsn


def _valid_for_code(code: int, nsn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(decided, valid) for national numbers of one country calling code."""
    regions = COUNTRY_CODE_TO_REGION_CODE[code]
    decided = np.zeros(len(nsn), dtype=bool)
    if _NON_GEO in regions:
        return decided, decided.copy()
    main = PhoneMetadata.metadata_for_region_or_calling_code(code, regions[0])
    lengths = _lengths(nsn)
    decided = (lengths >= _MIN_NSN) & (lengths <= _MAX_NSN)
    if main.national_prefix_for_parsing:  # parse may strip a national prefix: leave to the library
        rx = re.compile(main.national_prefix_for_parsing)
        decided &= np.fromiter((m is None for m in map(rx.match, nsn)), bool, len(nsn))
    valid = np.zeros(len(nsn), dtype=bool)
    valid[decided] = _valid_in_regions(nsn[decided], lengths[decided], regions)
    return decided, valid


def _valid_in_regions(nsn: np.ndarray, lengths: np.ndarray, regions: Sequence[str]) -> np.ndarray:
    """is_valid_number: the region claiming the number (leading digits or type) must know its type."""
    if len(regions) == 1:
        return _type_known(nsn, lengths, PhoneMetadata.metadata_for_region(regions[0]))
    owner = np.full(len(nsn), -1)
    for i, region in enumerate(regions):
        meta = PhoneMetadata.metadata_for_region(region)
        todo = np.flatnonzero(owner < 0)
        if meta is None or not len(todo):
            continue
        if meta.leading_digits is not None:
            rx = re.compile(meta.leading_digits)
            claims = np.fromiter((m is not None for m in map(rx.match, nsn[todo])), bool, len(todo))
        else:
            claims = _type_known(nsn[todo], lengths[todo], meta)
        owner[todo[claims]] = i
    valid = np.zeros(len(nsn), dtype=bool)
    for i, region in enumerate(regions):
        rows = np.flatnonzero(owner == i)
        if len(rows):
            valid[rows] = _type_known(nsn[rows], lengths[rows], PhoneMetadata.metadata_for_region(region))
    return valid


def _type_known(nsn: np.ndarray, lengths: np.ndarray, meta: PhoneMetadata) -> np.ndarray:
    """_number_type_helper(...) != UNKNOWN: matches the general pattern and that of some number type."""
    known = np.zeros(len(nsn), dtype=bool)
    general = _matches_desc(nsn, lengths, meta.general_desc)
    for name in _TYPES:
        if name == "mobile" and meta.same_mobile_and_fixed_line_pattern:
            continue  # the library then only tests fixed_line
        todo = np.flatnonzero(general & ~known)
        if not len(todo):
            break
        known[todo] = _matches_desc(nsn[todo], lengths[todo], getattr(meta, name))
    return known


def _matches_desc(nsn: np.ndarray, lengths: np.ndarray, desc: PhoneNumberDesc | None) -> np.ndarray:
    """_is_number_matching_desc: possible length (when listed) and a full match of the pattern."""
    if desc is None or not desc.national_number_pattern:
        return np.zeros(len(nsn), dtype=bool)
    ok = np.ones(len(nsn), dtype=bool)
    if len(desc.possible_length):
        ok = np.isin(lengths, desc.possible_length)
    rows = np.flatnonzero(ok)
    ok[rows] = _fullmatch(desc.national_number_pattern, nsn[rows])
    return ok
