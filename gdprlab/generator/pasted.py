"""Identifiers pasted into activity notes: the contact's own IBAN or national id, or a payment card number
(labelled identifier_in_free_text), and as many look-alikes that fail their checksum (a mistyped IBAN, a
DNI or codice fiscale with a wrong check letter, a card number failing the Luhn check), which are not.

Each is appended to a neutral note after the word staff would write before it, in the note's language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from gdprlab.generator import identifiers
from gdprlab.generator.labels import pick

#: language -> kind of identifier -> the word written before it
LABELS: dict[str, dict[str, str]] = {
    "de": {"iban": "IBAN", "national_id": "Steuer-ID", "card_number": "Kreditkarte"},
    "fr": {"iban": "IBAN", "national_id": "n° de sécurité sociale", "card_number": "carte bancaire"},
    "it": {"iban": "IBAN", "national_id": "codice fiscale", "card_number": "carta di credito"},
    "es": {"iban": "IBAN", "national_id": "DNI", "card_number": "tarjeta de crédito"},
    "nl": {"iban": "IBAN", "national_id": "BSN", "card_number": "creditcard"},
    "pl": {"iban": "IBAN", "national_id": "PESEL", "card_number": "karta kredytowa"},
    "sv": {"iban": "IBAN", "national_id": "personnummer", "card_number": "kreditkort"},
    "pt": {"iban": "IBAN", "national_id": "NIF", "card_number": "cartão de crédito"},
}
KINDS = ("iban", "national_id", "card_number")


def paste(rng: np.random.Generator, rate: float, note: pa.Array, neutral: np.ndarray, contact_row: np.ndarray,
          contacts: pd.DataFrame, ibans: np.ndarray, national_ids: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """The notes with identifiers appended to some neutral ones (rate x the notes, and as many look-alikes),
    and the rows given a valid identifier.

    `neutral`: the activities whose note is neutral (a business note, kept); `contact_row`: each activity's
    contact; `ibans`, `national_ids`: the contacts' own values in plaintext (None where they have none).
    """
    text = note.to_numpy(zero_copy_only=False).astype(object)
    population = int(pd.notna(text).sum())
    real = pick(rng, neutral, rate, population)
    rest = neutral.copy()
    rest[real] = False
    fake = pick(rng, rest, rate, population)
    country = contacts["country"].to_numpy()[contact_row]
    language = contacts["language"].to_numpy()[contact_row]
    for rows, valid in ((real, True), (fake, False)):
        cards = identifiers.card_numbers(len(rows), rng, valid=valid)
        for j, i in enumerate(rows):
            iban, nid = ibans[contact_row[i]], national_ids[contact_row[i]]
            if not valid:
                iban = identifiers.mistyped_iban(iban, rng) if isinstance(iban, str) else None
                nid = identifiers.mistyped_national_id(nid, country[i], rng) if isinstance(nid, str) else None
            values = {"iban": iban, "national_id": nid, "card_number": cards[j]}
            options = [kind for kind in KINDS if isinstance(values[kind], str)]
            kind = options[rng.integers(len(options))]
            text[i] = f"{text[i]} {LABELS[language[i]][kind]}: {values[kind]}"
    return pa.array(text, type=note.type, from_pandas=True), real
