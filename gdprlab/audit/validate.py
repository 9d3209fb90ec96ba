"""Syntactic checks of contact details (Art. 5(1)(d) accuracy), fast enough for a million contacts.

Phone numbers are judged by `phonenumbers` (parse with the contact's country as default region, then
`is_valid_number`). Calling it costs about 16 microseconds a number, 16 s for a million, so canonical
E.164 numbers ('+' and digits, by far the common case in a CRM) take a vectorised path that applies
the same metadata tests the library applies, once per unique number, with pyarrow's RE2 engine (the
metadata patterns are plain regular expressions, and E.164 digits are ASCII, so RE2 and Python's `re`
agree; a pattern RE2 cannot compile falls back to `re`). Every other string goes to the library itself,
once per unique (number, country). tests/test_validate.py checks that both paths agree.
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

from gdprlab.crm.arrowtext import bools

Values = Sequence | pd.Series | np.ndarray | pa.Array | pa.ChunkedArray

#: one @, a local part without spaces, a domain of dot-separated labels ending in a 2+ letter TLD
_EMAIL = re.compile(r"[^@\s]+@(?:[^@\s.]+\.)+[A-Za-z]{2,}")
#: the same in RE2 for ASCII text, with no '..' anywhere (the domain cannot have one, and the local part
#: is one dot alone or units of an optional dot and another character, then an optional dot); RE2's \s
#: lacks \v and \x1c-\x1f, which Python's \s includes
_SPACE = "".join(f"\\x{{{ord(ch):x}}}" for ch in map(chr, range(128)) if ch.isspace())
_EMAIL_ASCII = rf"^(?:\.|(?:\.?[^@{_SPACE}.])+\.?)@(?:[^@{_SPACE}.]+\.)+[A-Za-z]{{2,}}$"
#: a number in international form: '+' (or a full-width one) before its first digit, as phonenumbers finds
#: the start of a number; in RE2 syntax, which DuckDB, pyarrow and Java (Spark) read alike
INTERNATIONAL_FORM = r"^[^+\x{FF0B}\p{Nd}]*[+\x{FF0B}]"
#: the countries (ISO 3166 alpha-2, upper case) phonenumbers can take as a number's default region
PHONE_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
_NON_GEO = "001"
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' bounds on a national significant number
_TYPES = ("mobile", "fixed_line", "premium_rate", "toll_free", "shared_cost", "voip", "personal_number",
          "pager", "uan", "voicemail")


def _arrow(values: Values) -> pa.Array:
    """One contiguous pyarrow string array; missing values (None, NaN, NA) as nulls."""
    try:
        arr = pa.array(values, type=pa.large_string(), from_pandas=True)
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    except pa.ArrowInvalid:  # e.g. a pandas column whose chunks mix string and large_string
        return pa.array(pd.Series(values, dtype=object).to_numpy(), type=pa.large_string(), from_pandas=True)


def _fullmatch(pattern: re.Pattern | str, values: np.ndarray) -> np.ndarray:
    """Element-wise re.fullmatch of str values with Python's engine."""
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    return np.fromiter((m is not None for m in map(rx.fullmatch, values)), bool, len(values))


def valid_email(emails: Values) -> pd.Series:
    """True for a syntactically plausible address; False for missing values and anything else.

    ASCII addresses (nearly all) are matched by RE2 in bulk, the others by Python's `re`.
    """
    text = _arrow(emails)
    ok = bools(pc.match_substring_regex(text, _EMAIL_ASCII))
    other = np.flatnonzero(~bools(pc.string_is_ascii(text)) & bools(pc.is_valid(text)))
    values = text.take(other).to_numpy(zero_copy_only=False)
    ok[other] = _fullmatch(_EMAIL, values) & np.fromiter((".." not in v for v in values), bool, len(values))
    return pd.Series(ok, index=emails.index if isinstance(emails, pd.Series) else None)


@lru_cache(maxsize=1 << 16)
def phone_is_valid(number: str, region: str | None) -> bool:
    """The library's verdict: parse with `region` as default region, then is_valid_number."""
    try:
        parsed = phonenumbers.parse(number, region or None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)


def phone_assessable(numbers: Values, countries: Values) -> np.ndarray:
    """Whether each number can be judged: in international form, or with a country phonenumbers knows.

    A number in national form ("030 1234567", "(555) 123-4567") whose country is missing or unknown is
    not assessable: which country's plan it follows cannot be told, so it is neither valid nor invalid.
    """
    num, cty = _arrow(numbers), _arrow(countries)
    international = bools(pc.match_substring_regex(num, INTERNATIONAL_FORM))
    known = bools(pc.is_in(cty, value_set=pa.array(sorted(PHONE_REGIONS), type=pa.large_string())))
    return international | known


def valid_phone(numbers: Values, countries: Values) -> np.ndarray:
    """Validity of each phone number with its country as default region; missing numbers are invalid."""
    num, cty = _arrow(numbers), _arrow(countries)
    valid = np.zeros(len(num), dtype=bool)
    decided = ~bools(pc.is_valid(num))  # missing: invalid
    e164 = _e164(num)
    # a '+' number's verdict does not depend on the country; judged row by row, since phone numbers are
    # nearly all distinct (finding the unique ones would cost more than it saves)
    decided[e164], valid[e164] = _fast_path(num.take(e164))
    rest = np.flatnonzero(~decided)
    valid[rest] = _library_verdicts(num.take(rest), cty.take(rest))
    return valid


def _e164(num: pa.Array) -> np.ndarray:
    """Rows of canonical E.164 numbers: '+', a digit 1-9, then two or more ASCII digits (simple kernels
    rather than a regular expression, whose per-value cost is higher on short strings)."""
    digits = pc.utf8_slice_codeunits(num, 1)
    ok = (bools(pc.starts_with(num, "+")) & bools(pc.ascii_is_decimal(digits))
          & ~bools(pc.starts_with(digits, "0")) & (pc.fill_null(pc.binary_length(num), 0).to_numpy() >= 4))
    return np.flatnonzero(ok)


def _library_verdicts(numbers: pa.Array, countries: pa.Array) -> np.ndarray:
    """phone_is_valid of each (number, country), called once per unique pair."""
    num = numbers.to_numpy(zero_copy_only=False)
    cty = countries.to_numpy(zero_copy_only=False)
    pairs = pd.MultiIndex.from_arrays([num, cty])
    codes, uniques = pd.factorize(pairs)
    verdicts = np.fromiter((phone_is_valid(n, c if isinstance(c, str) else None) for n, c in uniques),
                           bool, len(uniques))
    return verdicts[codes]


def _fast_path(numbers: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(decided, valid) per E.164 number: decided when its parse needs no national-prefix step."""
    decided = np.zeros(len(numbers), dtype=bool)
    valid = np.zeros(len(numbers), dtype=bool)
    cc, width = _split_country_code(numbers)
    for code in np.unique(cc[cc > 0]):
        rows = np.flatnonzero(cc == code)
        nsn = pc.utf8_slice_codeunits(numbers.take(rows), 1 + int(width[rows[0]]))
        ok, verdict = _valid_for_code(int(code), nsn)
        decided[rows[ok]] = True
        valid[rows[ok]] = verdict[ok]
    return decided, valid


def _code_widths() -> np.ndarray:
    """For each three-digit prefix 000-999, the width of the country code it starts with (0 when none).

    Like the library, one, then two, then three leading digits are tried.
    """
    codes = set(COUNTRY_CODE_TO_REGION_CODE)
    out = np.zeros(1000, dtype=np.int64)
    for prefix in range(1000):
        out[prefix] = next((k for k in (1, 2, 3) if prefix // 10 ** (3 - k) in codes), 0)
    return out


_WIDTHS = _code_widths()


def _split_country_code(numbers: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Country code (0 when none) and its width in digits, of '+' numbers with at least three digits."""
    prefix = pc.cast(pc.utf8_slice_codeunits(numbers, 1, 4), pa.int64()).to_numpy()
    width = _WIDTHS[prefix]
    cc = np.where(width > 0, prefix // 10 ** (3 - width), 0)
    return cc, width


def _valid_for_code(code: int, nsn: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(decided, valid) for national numbers of one country calling code."""
    regions = COUNTRY_CODE_TO_REGION_CODE[code]
    decided = np.zeros(len(nsn), dtype=bool)
    if _NON_GEO in regions:
        return decided, decided.copy()
    main = PhoneMetadata.metadata_for_region_or_calling_code(code, regions[0])
    lengths = pc.utf8_length(nsn).to_numpy()
    decided = (lengths >= _MIN_NSN) & (lengths <= _MAX_NSN)
    if main.national_prefix_for_parsing:  # parse may strip a national prefix: leave to the library
        decided &= ~_matches(nsn, main.national_prefix_for_parsing, whole=False)
    return decided, _valid_in_regions(nsn, lengths, regions, decided)


def _matches(values: pa.Array, pattern: str, whole: bool) -> np.ndarray:
    """re.fullmatch (whole) or re.match of each string, by RE2 unless it cannot compile the pattern."""
    try:
        return bools(pc.match_substring_regex(values, f"^(?:{pattern}){'$' if whole else ''}"))
    except pa.ArrowInvalid:
        rx = re.compile(pattern)
        test = rx.fullmatch if whole else rx.match
        return np.fromiter((test(v) is not None for v in values.to_pylist()), bool, len(values))


#: above this share of the rows, a test runs on the whole array rather than on a take of those rows (a
#: take costs about an eighth of a regular-expression match per row)
_MOSTLY = 0.9


def _matches_where(values: pa.Array, where: np.ndarray, pattern: str, whole: bool) -> np.ndarray:
    """_matches at the rows where `where` holds, False elsewhere."""
    rows = np.flatnonzero(where)
    if len(rows) >= _MOSTLY * len(values):
        return _matches(values, pattern, whole) & where
    out = np.zeros(len(values), dtype=bool)
    out[rows] = _matches(values.take(rows), pattern, whole)
    return out


def _valid_in_regions(nsn: pa.Array, lengths: np.ndarray, regions: Sequence[str],
                      where: np.ndarray) -> np.ndarray:
    """is_valid_number where `where` holds: the region claiming the number (leading digits or type) must
    know its type."""
    if len(regions) == 1:
        return _type_known(nsn, lengths, PhoneMetadata.metadata_for_region(regions[0]), where)
    owner = np.where(where, -1, -2)  # -1: not claimed yet; -2: not judged
    for i, region in enumerate(regions):
        meta = PhoneMetadata.metadata_for_region(region)
        todo = owner == -1
        if meta is None or not todo.any():
            continue
        if meta.leading_digits is not None:
            claims = _matches_where(nsn, todo, meta.leading_digits, whole=False)
        else:
            claims = _type_known(nsn, lengths, meta, todo)
        owner[claims] = i
    valid = np.zeros(len(nsn), dtype=bool)
    for i, region in enumerate(regions):
        if (owner == i).any():
            valid |= _type_known(nsn, lengths, PhoneMetadata.metadata_for_region(region), owner == i)
    return valid


def _type_known(nsn: pa.Array, lengths: np.ndarray, meta: PhoneMetadata, where: np.ndarray) -> np.ndarray:
    """_number_type_helper(...) != UNKNOWN where `where` holds: matches the general pattern and that of
    some number type."""
    known = np.zeros(len(nsn), dtype=bool)
    general = _matches_desc(nsn, lengths, meta.general_desc, where)
    for name in _TYPES:
        if name == "mobile" and meta.same_mobile_and_fixed_line_pattern:
            continue  # the library then only tests fixed_line
        todo = general & ~known
        if not todo.any():
            break
        known |= _matches_desc(nsn, lengths, getattr(meta, name), todo)
    return known


def _matches_desc(nsn: pa.Array, lengths: np.ndarray, desc: PhoneNumberDesc | None,
                  where: np.ndarray) -> np.ndarray:
    """_is_number_matching_desc where `where` holds: possible length (when listed) and a full match of the
    pattern."""
    if desc is None or not desc.national_number_pattern:
        return np.zeros(len(nsn), dtype=bool)
    ok = where & np.isin(lengths, desc.possible_length) if len(desc.possible_length) else where
    return _matches_where(nsn, ok, desc.national_number_pattern, whole=True)
