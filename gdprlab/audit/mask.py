"""Mask personal data shown as evidence: enough to recognise the kind of fault, not enough to identify.

One function per kind of value, and `mask_value(value, category)` to pick one by the personal-data
category of gdprlab.crm.schema (``"email"``, ``"phone"``, ``"name"``, …). The rules they follow:

* e-mail: first character of the local part and of the domain, and the top-level domain:
  ``anna.schmidt@example.de`` -> ``a***@e***.de``;
* phone: the country calling code and the last 2 digits: ``+4915112345678`` -> ``+49 *** 78``;
* IBAN: the country and the last 4 characters: ``DE89370400440532013000`` -> ``DE*** 3000``;
* national id: the last 2 characters: ``***07``;
* names: the initial of each part, separators kept: ``Anna-Lena Schmidt`` -> ``A***-L*** S***``;
* date of birth: the year only: ``1980-**-**``;
* free text: e-mail addresses masked as above, every digit replaced by ``#``, every word starting with a
  capital letter (or a letter of a script without case, such as CJK) cut to its initial (names, places,
  and German nouns alike), then cut to 60 characters; lower-case words stay, to keep the text readable;
* encrypted tokens (``enc:v1:…``, gdprlab.crm.protect) are shown as ``enc:v1:…`` whatever the category;
* values of special categories (health) and unknown secrets are replaced by ``***``.

A masked value never contains the raw value: whenever the kept part would be most of a short value, less
is kept (a 4-character national id shows ``***``). Missing values (None, NaN, NaT) give None and the empty
string gives the empty string, so that "absent" stays distinguishable from "present but masked".
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
import phonenumbers

from gdprlab.crm.protect import PREFIX

STARS = "***"
TOKEN = PREFIX + "…"
FREE_TEXT_LENGTH = 60
#: categories (of gdprlab.crm.schema) shown unmasked: they describe no one on their own
PLAIN = frozenset({None, "none", "plain", "preference", "relationship", "processing_condition", "employer"})

_FREE_TEXT = re.compile(r"(?P<email>[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+)|(?P<word>\w[\w'’-]*)")
_NAME_PART = re.compile(r"[^\s\-'’.]+")


def _missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-likes are values, not missing
        return False


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _initial(part: str) -> str:
    return part[0] + STARS if part else ""


def mask_email(value: object) -> str | None:
    """``anna.schmidt@example.de`` -> ``a***@e***.de``; text without '@' is masked like a name."""
    if _missing(value):
        return None
    text = _text(value).strip()
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not at:
        return mask_name(text)
    labels = [p for p in domain.split(".") if p]
    if len(labels) >= 2 and len(labels[-1]) < len(domain):
        masked_domain = f"{_initial(labels[0])}.{labels[-1]}"
    else:
        masked_domain = _initial(domain) if domain else ""
    return f"{_initial(local) if local else ''}@{masked_domain}"


def mask_phone(value: object) -> str | None:
    """Country calling code (when the number has one) and the last 2 digits: ``+49 *** 78``."""
    if _missing(value):
        return None
    text = _text(value).strip()
    digits = re.sub(r"\D", "", text)
    if not text:
        return ""
    if len(digits) < 6:  # too short to keep anything without giving most of it away
        return STARS
    code = ""
    if text.startswith(("+", "00")):
        try:
            number = phonenumbers.parse("+" + digits[2:] if text.startswith("00") else text, None)
            code = f"+{number.country_code} "
        except phonenumbers.NumberParseException:
            code = ""
    return f"{code}{STARS} {digits[-2:]}"


def mask_iban(value: object) -> str | None:
    """The country and the last 4 characters: ``DE*** 3000``."""
    if _missing(value):
        return None
    if _text(value).startswith(PREFIX):
        return TOKEN
    compact = re.sub(r"\s", "", _text(value)).upper()
    if not compact:
        return ""
    country = compact[:2] if compact[:2].isalpha() else ""
    if len(compact) < 12:  # not an IBAN's length: keep at most the country
        return f"{country}{STARS}"
    return f"{country}{STARS} {compact[-4:]}"


def mask_national_id(value: object) -> str | None:
    """The last 2 characters when at least 6 are hidden: ``***07``."""
    if _missing(value):
        return None
    compact = re.sub(r"[\s\-./]", "", _text(value))
    if not compact:
        return ""
    return STARS + compact[-2:] if len(compact) >= 8 else STARS


def mask_name(value: object) -> str | None:
    """Initials, separators kept: ``Anna-Lena van Dijk`` -> ``A***-L*** v*** D***``."""
    if _missing(value):
        return None
    text = _text(value).strip()
    return _NAME_PART.sub(lambda m: _initial(m.group()), text)


def mask_date_of_birth(value: object) -> str | None:
    """The year only: ``1980-**-**``; a value that is not a date gives ``***``."""
    if _missing(value):
        return None
    if isinstance(value, dt.date | dt.datetime):
        return f"{value.year:04d}-**-**"
    if hasattr(value, "dtype"):  # numpy datetime64 and the like
        return f"{pd.Timestamp(value).year:04d}-**-**"
    text = _text(value).strip()
    if not text:
        return ""
    m = re.match(r"^(\d{4})-\d{1,2}-\d{1,2}", text)
    return f"{m.group(1)}-**-**" if m else STARS


def _mask_token_in_text(m: re.Match) -> str:
    if m.group("email"):
        return mask_email(m.group("email")) or ""
    word = m.group("word")
    first = word[0]
    caseless = first.isalpha() and not first.islower()  # capitalised, or a script without case (CJK…)
    return _initial(word) if caseless else word


def mask_free_text(value: object, length: int = FREE_TEXT_LENGTH) -> str | None:
    """E-mails masked, digits to '#', capitalised words to their initial, then cut to `length` characters."""
    if _missing(value):
        return None
    text = " ".join(_text(value).split())
    text = _FREE_TEXT.sub(_mask_token_in_text, re.sub(r"\d", "#", text))
    return text if len(text) <= length else text[: max(length - 1, 0)].rstrip() + "…"


def mask_token(value: object) -> str | None:
    """An encrypted token as ``enc:v1:…``; anything else is a secret shown as ``***``."""
    if _missing(value):
        return None
    text = _text(value)
    if not text:
        return ""
    return TOKEN if text.startswith(PREFIX) else STARS


def mask_secret(value: object) -> str | None:
    """Special-category values and other secrets: ``***`` (tokens stay recognisable)."""
    return mask_token(value)


def mask_identifier(value: object) -> str | None:
    """Online identifiers such as pseudonyms: their length only, ``***(32)``, since a hash can be reversed
    by hashing candidate values and even a prefix narrows the candidates."""
    if _missing(value):
        return None
    text = _text(value).strip()
    return f"{STARS}({len(text)})" if text else ""


def mask_plain(value: object, length: int = FREE_TEXT_LENGTH) -> str | None:
    """A value that identifies no one (a status, a country code), as text, cut to `length` characters."""
    if _missing(value):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    text = _text(value)
    return text if len(text) <= length else text[: length - 1] + "…"


MASKERS = {
    "email": mask_email,
    "phone": mask_phone,
    "bank_account": mask_iban,
    "iban": mask_iban,
    "national_id": mask_national_id,
    "name": mask_name,
    "date_of_birth": mask_date_of_birth,
    "free_text": mask_free_text,
    "postal_address": mask_free_text,
    "online_identifier": mask_identifier,
    "health": mask_secret,
    "special": mask_secret,
    "secret": mask_secret,
    "token": mask_token,
}


def mask_value(value: object, category: str | None) -> str | None:
    """Mask a value by its personal-data category; tokens always show as ``enc:v1:…``.

    Categories in PLAIN (or None: no personal data) are shown as they are; an unknown category is masked
    as free text, the safe default.
    """
    if _missing(value):
        return None
    if isinstance(value, str) and value.startswith(PREFIX):
        return TOKEN
    if category in PLAIN:
        return mask_plain(value)
    return MASKERS.get(category, mask_free_text)(value)
