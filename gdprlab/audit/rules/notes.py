"""The activity notes that the note-reading rules judge, found in one scan of the activities.

Three rules read the text of the notes: special_category_without_condition (Art. 9 terms),
criminal_data_without_authorisation (Art. 10 terms) and identifier_in_free_text (IBANs, national ids and
card numbers pasted into a note). On DuckDB one regular expression, the union of their patterns, passes
over every note once per run, and the few notes it matches are kept; each rule then applies its own
pattern to those only, so the notes are read, and matched, once instead of three times.
"""

from __future__ import annotations

import ibis.expr.types as ir

from gdprlab.audit.discovery.special_terms import CRIMINAL_PATTERN, PATTERN
from gdprlab.audit.discovery.textscan import NUMERIC_SHAPE
from gdprlab.audit.rules.base import Tables, key_of

_NOT_ALPHANUMERIC = r"(?:\A|[^A-Za-z0-9])"  # what precedes an identifier that starts with a letter
#: a written shape as the scanner reads numbers: whole groups of a run of digits, which a digit neither
#: precedes nor follows, nor a '+' precedes (a run starting with '+' is a phone number, never an id or a card)
_WHOLE_GROUPS = r"(?:\A|[^0-9+])(?:{})(?:\z|[^0-9])"


def _identifier_shape(numbers: str) -> str:
    """The shapes of the identifiers the text scanner validates (gdprlab.audit.discovery.textscan) that a
    note must not hold, ASCII only (RE2 and Java read it alike), with `numbers` for the numeric national
    ids and card numbers: a superset of what the scanner accepts (it wants no letter or digit before an
    identifier that starts with a letter), so that only the notes that can hold one are passed on to it."""
    return "|".join((
        _NOT_ALPHANUMERIC + r"[A-Za-z]{2}[0-9]{2}(?:[ -]?[A-Za-z0-9]){11}",  # IBAN: country, check, 11+
        numbers,  # numeric national ids, card numbers
        r"[0-9]{7,8}-?[A-Za-z]",  # ES DNI and NIE, DE Rentenversicherungsnummer
        r"[0-9]{6}[-+A-FU-Y][0-9]{3}",  # FI henkilötunnus: a century sign or letter
        _NOT_ALPHANUMERIC + r"[A-Za-z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Da-d]",  # GB national insurance
        _NOT_ALPHANUMERIC + r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST]",  # IT codice fiscale
    ))


#: the identifiers' shapes, numbers by their written shapes (NUMERIC_SHAPE) as whole groups: what
#: identifier_in_free_text sends to the scanner, among the candidate notes (a phone number is not sent)
IDENTIFIER_SHAPE = _identifier_shape(_WHOLE_GROUPS.format(NUMERIC_SHAPE.replace(r"\d", "[0-9]")))
#: any of the three rules' patterns, the terms in any case: a note it does not match is judged by none.
#: Numbers are any 9 digits with single separators, a superset of IDENTIFIER_SHAPE's that RE2 matches over
#: every note faster (the written shapes made this scan 40 % slower than the phones they leave out saved)
_ANY = f"(?i:{PATTERN}|{CRIMINAL_PATTERN})|" + _identifier_shape(r"[0-9](?:[ .+-]?[0-9]){8}")


def candidate_notes(t: Tables) -> ir.Table:
    """(activity_id, contact_id, note) of the activities whose note a note-reading rule may find something
    in, once per run.

    On DuckDB, those whose note matches one of the rules' patterns (_ANY), kept for the run. Other engines
    match the terms in Python (gdprlab.audit.rules.classification), where a first pass would not save a
    scan: there it is every activity.
    """
    a = t["activities"]
    key = key_of("activities")
    if t.backend_name != "duckdb":
        return a.select(key, "contact_id", note=a["note"].cast("string"))

    def build() -> ir.Table:
        note = a["note"].cast("string")
        return a.filter(note.re_search(_ANY).fill_null(False)).select(key, "contact_id", note=note)
    return t.shared("candidate_notes", build)
