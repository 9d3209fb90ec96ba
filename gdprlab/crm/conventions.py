"""How CRM exports, and the people who build them, name files and columns: the header lexicon, and the one
way headers are compared.

Salesforce exports use API names (`MailingStreet`, `Birthdate`), HubSpot's API uses internal names
(`email`, `hs_legal_basis`) while its UI exports use labels ("Email", "Phone Number"), Dynamics 365 uses
logical names (`emailaddress1`, `donotbulkemail`), and people write headers in their own language
("Vorname", "Téléphone"). All of it is data, kept in header_lexicon.yaml next to this module (its comments
say what each part holds), and read here for two readers: the export reader (gdprlab.crm.exports) maps
file names to gdprlab's tables and headers to canonical columns with `table_for` and `column_map` (columns
without a canonical equivalent keep their own names); the column classifier
(gdprlab.audit.discovery.classify) matches headers against `LEXICON` and the word lists. Both compare
headers through `header_words`, so "Phone Number", "phone_number" and "PhoneNumber" are one key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

import yaml

_CUSTOM_SUFFIX = re.compile(r"__[A-Za-z]{1,3}$")  # Salesforce __c, __r, __pc
_NAMESPACE = re.compile(r"^[A-Za-z][A-Za-z0-9]*__(?=[A-Za-z])")  # managed package prefix ns__
_CAMEL_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_FOLD = str.maketrans({"ß": "ss", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O",
                       "đ": "d", "œ": "oe", "Œ": "OE"})


@lru_cache(maxsize=8192)
def header_words(header: str) -> tuple[str, ...]:
    """Normalised words of a header: 'MailingPostalCode' -> ('mailing', 'postal', 'code').

    Salesforce namespace and __c suffix dropped, camelCase split, accents folded, hyphens and
    apostrophes dropped, trailing digits of a word and words of digits dropped ('emailaddress1' ->
    ('emailaddress',), 'Phone 2' -> ('phone',))."""
    s = _NAMESPACE.sub("", _CUSTOM_SUFFIX.sub("", str(header).strip())).translate(_FOLD)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = _CAMEL_ACRONYM.sub(r"\1 \2", _CAMEL_LOWER_UPPER.sub(r"\1 \2", s))
    s = re.sub(r"['’`\-]", "", s).lower()
    words = (w.rstrip("0123456789") for w in re.split(r"[^a-z0-9]+", s) if not w.isdigit())
    return tuple(w for w in words if w)


def normalise(header: str) -> str:
    """A header's words as one key: 'Phone Number', 'phone_number', 'PhoneNumber' become 'phonenumber'."""
    return "".join(header_words(header))


def read_yaml(text: str):
    """YAML text as data, read by libyaml when PyYAML has it (an order of magnitude faster at import)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def word_lists(node, where: str):
    """A mapping whose leaves are lists of texts, with tuples for the lists; ``where`` names it in errors.
    Raises ValueError for a leaf holding anything but non-empty texts (YAML reads a bare no as false)."""
    if isinstance(node, dict):
        return {key: word_lists(value, f"{where}: {key}") for key, value in node.items()}
    if isinstance(node, list) and all(isinstance(v, str) and v for v in node):
        return tuple(node)
    raise ValueError(f"{where}: expected a list of texts (quote any that YAML reads otherwise), got {node!r}")


def read_lexicon(text: str, source: str) -> dict:
    """The parts of a header lexicon file (as header_lexicon.yaml), its lists as tuples; ``source`` names
    it in errors."""
    data = read_yaml(text)
    sources = data.pop("sources")
    if not all(isinstance(name, str) for name in sources.values()):
        raise ValueError(f"{source}: sources: expected a text for every source, got {sources!r}")
    return {"sources": sources, **word_lists(data, source)}


_LEXICON_FILE = files("gdprlab.crm").joinpath("header_lexicon.yaml")
_LEXICON = read_lexicon(_LEXICON_FILE.read_text(encoding="utf-8"), str(_LEXICON_FILE))
#: source tag (language or CRM) -> how the classifier's reasons name it
SOURCE_NAMES: dict[str, str] = _LEXICON["sources"]
#: lexicon category -> source -> aliases
LEXICON: dict[str, dict[str, tuple[str, ...]]] = _LEXICON["categories"]
#: canonical table -> file names (normalised stems, or a name of more than four letters a stem contains)
TABLE_NAMES: dict[str, tuple[str, ...]] = {table: spec["files"] for table, spec in _LEXICON["tables"].items()}
#: canonical table -> canonical column (of gdprlab/crm/schema.py) -> header spellings seen in exports
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    table: spec["columns"] for table, spec in _LEXICON["tables"].items() if "columns" in spec}
#: canonical table -> columns kept, renamed, beside the schema's (consent-relevant flags) -> header spellings
EXTRA_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    table: spec["extra_columns"] for table, spec in _LEXICON["tables"].items() if "extra_columns" in spec}
#: words that end an export's file name without saying what it holds ('Contacts_export', 'all-leads-report')
FILE_NOISE_WORDS: tuple[str, ...] = _LEXICON["file_noise_words"]
#: canonical table -> canonical column -> the classifier's lexicon category whose headers it maps too
CATEGORY_COLUMNS: dict[str, dict[str, str]] = {
    table: {col: cats[0] for col, cats in spec["categories"].items()}
    for table, spec in _LEXICON["tables"].items() if "categories" in spec}
#: last words of a header that leave its meaning unchanged ('TelephoneNumber' is a telephone)
TRAILING_WORDS: tuple[str, ...] = _LEXICON["trailing_words"]
#: a header's last word that makes it a key or reference, unless a lexicon entry ends with it
ID_WORDS: tuple[str, ...] = _LEXICON["id_words"]
#: record types whose "<type>id" single-word header is a key or a reference
ID_STEMS: tuple[str, ...] = _LEXICON["id_stems"]
#: words before "name" that make it a person's name; any other word makes it the name of something
PERSON_WORDS: tuple[str, ...] = _LEXICON["person_words"]
#: a first header word making a field about a person even on a company object
PERSON_PREFIXES: tuple[str, ...] = _LEXICON["person_prefixes"]
#: words in a table's name -> what its rows describe (person, workforce, company)
TABLE_CONTEXTS: dict[str, tuple[str, ...]] = _LEXICON["table_contexts"]


def table_for(stem: str) -> str | None:
    """The canonical table a file name stands for, by whole words: 'Contact', 'contacts_2026',
    'hubspot-crm-exports-all-contacts-2026-10-01' are contacts; 'contactless_payment_vendors' is not.

    The name's last words (after dropping dates, numbers and export words such as 'export' or 'report')
    must spell a table's file name, alone or run together ('data_subject_requests')."""
    words = list(_file_words(stem))
    while words and words[-1] in FILE_NOISE_WORDS:
        words.pop()
    for first in range(len(words) - 1, -1, -1):
        key = "".join(words[first:])
        for table, names in TABLE_NAMES.items():
            if key in names:
                return table
    return None


def _file_words(stem: str) -> tuple[str, ...]:
    """A file name's words: as a header's, but a hyphen separates words ('all-contacts-2026')."""
    return header_words(stem.replace("-", " "))


def is_lead_file(stem: str) -> bool:
    """A file of leads (Salesforce Lead.csv, 'all-leads-2026'): its contacts are leads."""
    words = [w for w in _file_words(stem) if w not in FILE_NOISE_WORDS]
    return bool(words) and words[-1] in ("lead", "leads")


def column_map(table: str, headers: list[str], taken: set[str] | frozenset[str] = frozenset()
               ) -> dict[str, str]:
    """Export header -> canonical column for one table; columns in `taken` are already given.

    A header that is the canonical name itself claims its column first (a file with both `Id` and
    `contact_id`, or `Email` and `email`, keeps the other under its own name); then the table's spellings;
    then the classifier's lexicon words for the table's personal columns (`GivenName`, `Surname`,
    `TelephoneNumber`, `Birthday`, `Email 1`), so every such column `scan` names is mapped by `check` too.
    The first header found for a column wins; a header is never renamed onto a header the file keeps."""
    known = {**COLUMNS.get(table, {}), **EXTRA_COLUMNS.get(table, {})}
    canonical = {normalise(c): c for c in known}
    lookup = {normalise(s): col for col, spellings in known.items() for s in spellings}
    by_category = {}
    for col, category in CATEGORY_COLUMNS.get(table, {}).items():
        for aliases in LEXICON[category].values():
            for alias in aliases:
                by_category.setdefault(normalise(alias), col)
    present = set(headers)
    out: dict[str, str] = {h: h for h in headers if h in known and h not in taken}
    used = set(out.values()) | set(taken)

    def claim(header: str, col: str | None) -> None:
        if col and col not in used and (col not in present or col == header) and header not in out:
            out[header] = col
            used.add(col)

    for header in headers:
        claim(header, canonical.get(normalise(header)) or lookup.get(normalise(header)))
    for header in headers:
        if header not in out:
            words = list(header_words(header))
            while len(words) > 1 and words[-1] in TRAILING_WORDS:
                words.pop()
            claim(header, by_category.get("".join(words)))
    return out
