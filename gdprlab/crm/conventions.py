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
    """The canonical table a file name stands for, e.g. 'Contact', 'hubspot-crm-exports-all-contacts-2024'."""
    key = normalise(stem)
    for table, names in TABLE_NAMES.items():
        if key in names:
            return table
    for table, names in TABLE_NAMES.items():
        if any(len(n) > 4 and n in key for n in names):
            return table
    return None


def column_map(table: str, headers: list[str]) -> dict[str, str]:
    """Export header -> canonical column for one table; the first header found for a column wins."""
    known = {**COLUMNS.get(table, {}), **EXTRA_COLUMNS.get(table, {})}
    canonical = {normalise(c): c for c in known}
    lookup = {normalise(s): col for col, spellings in known.items() for s in spellings}
    out: dict[str, str] = {}
    for header in headers:
        key = normalise(header)
        col = canonical.get(key) or lookup.get(key)
        if col and col not in out.values():
            out[header] = col
    return out
