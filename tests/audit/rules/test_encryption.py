"""Encryption rules on tiny hand-made tables: plaintext sensitive fields, weak pseudonyms, access.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

import hashlib

import numpy as np
import pytest
from helpers import table
from rule_cases import AS_OF, POLICY, found, ropa

from gdprlab.audit.engine import run_checks
from gdprlab.crm import protect
from gdprlab.regulation.policy import Policy


def test_plaintext_sensitive_field_is_a_non_token_value_in_a_column_to_encrypt():
    token = protect.encrypt(["DE89370400440532013000"], protect.synthetic_key(0), np.random.default_rng(0))[0]
    contacts = table("contacts", {"contact_id": "C1", "iban": "DE89370400440532013000"},
                     {"contact_id": "C2", "iban": token},
                     {"contact_id": "C3", "pseudonym": "plain"},  # pseudonym needs no encryption
                     {"contact_id": "C4"})
    record = ropa({"column_name": "iban", "requires_encryption": True},
                  {"column_name": "pseudonym", "requires_encryption": False})
    assert found("plaintext_sensitive_field", contacts=contacts, record_of_processing=record) == ["C1"]


PASTED = "identifier_in_free_text"


def _notes(*notes: str | None):
    """One activity a note: the i-th (from 1) is E<i>."""
    return table("activities", *({"activity_id": f"E{i}", "contact_id": "C1", "note": note}
                                 for i, note in enumerate(notes, start=1)), type="note")


def test_a_note_holding_a_valid_iban_national_id_or_card_number_is_a_finding():
    notes = _notes("Lastschrift bitte auf IBAN DE89 3704 0044 0532 0130 00 umstellen.",
                   "Steuer-ID für den Vertrag: 84701257634",
                   "Zahlt mit Kreditkarte 4111 1111 1111 1111, Ablauf 12/28.",
                   "Codice fiscale RSSMRA85T10A562S per la fattura.",
                   "Angebot für SmartOffice Pro geschickt.")
    assert found(PASTED, activities=notes) == ["E1", "E2", "E3", "E4"]


def test_numbers_failing_their_checksum_phone_order_and_ticket_numbers_are_not_identifiers():
    notes = _notes("IBAN DE88 3704 0044 0532 0130 00 (Tippfehler)",  # mod 97 fails
                   "Karte 4111 1111 1111 1112",  # Luhn fails
                   "Steuer-ID 84701257635",  # check digit fails
                   "Rückruf unter +49 151 12345678 oder 030 1234567",
                   "Bestellung 2026-004711-33, Ticket #46372, Rechnung 45.800 €",
                   None, "")
    assert found(PASTED, activities=notes) == []


def test_identifier_evidence_shows_the_kind_and_a_masked_form_never_the_number():
    notes = _notes("IBAN DE89370400440532013000 und Karte 4111 1111 1111 1111")
    result = run_checks({"activities": notes}, POLICY, AS_OF, rules=[PASTED]).result(PASTED)
    (evidence,) = result.evidence
    assert evidence["note_holds"] == "iban, card_number"
    assert evidence["masked"] == "DE*** 3000; *** 1111"
    shown = " ".join(str(v) for v in evidence.values())
    assert "370400440532" not in shown and "4111 1111 1111" not in shown and "Karte" not in shown


def test_weak_pseudonym_is_an_unsalted_digest_of_the_normalised_email():
    email = "anna@web.de"
    contacts = table(
        "contacts",
        {"contact_id": "C1", "email": " Anna@Web.de ", "pseudonym": hashlib.md5(email.encode()).hexdigest()},
        {"contact_id": "C2", "email": email, "pseudonym": hashlib.sha1(email.encode()).hexdigest()},
        {"contact_id": "C3", "email": email, "pseudonym": hashlib.sha256(email.encode()).hexdigest()},
        {"contact_id": "C4", "email": email, "pseudonym": hashlib.sha256(b"s" + email.encode()).hexdigest()},
        {"contact_id": "C5", "email": email, "pseudonym": "5f1d7a0c9b2e4d6f8a1c3e5b7d9f0a2c"},
    )
    assert found("weak_pseudonymisation", contacts=contacts) == ["C1", "C2", "C3"]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_weak_pseudonyms_match_protect_for_padded_upper_case_and_non_ascii_addresses(dtype):
    """The bulk path (ASCII, nothing to strip) and the per-value path agree with protect.weak_pseudonym."""
    emails = [" Zoë@GMX.de\t", "O'Brien@Example.IE", "a\x1c@b.de\x1c", "\u00a0x@y.de", "ÅSA@telia.se"]
    rows = [{"contact_id": f"C{i}{a}", "email": e, "pseudonym": protect.weak_pseudonym(e, a).upper()}
            for i, e in enumerate(emails) for a in protect.WEAK_HASHES]
    contacts = table("contacts", *rows, {"contact_id": "CX", "email": "x@y.de", "pseudonym": " A "})
    contacts = contacts.astype({"email": dtype, "pseudonym": dtype})
    assert found("weak_pseudonymisation", contacts=contacts) == sorted(r["contact_id"] for r in rows)


@pytest.mark.parametrize("dtype", [object, "str"])
def test_a_padded_pseudonym_of_a_longer_digests_size_is_stripped_before_it_is_compared(dtype):
    """64 bytes, as long as a SHA-256 hex digest, but an MD5 digest inside Unicode and ASCII spaces."""
    md5 = protect.weak_pseudonym("x@y.de", "md5")
    padded = {"C1": "\u3000" + md5 + " " * 29, "C2": "\t" + md5 + " " * 31,
              "C3": "\u3000" + md5[:-1] + "g" + " " * 29}
    assert {len(p.encode()) for p in padded.values()} == {64}
    rows = ({"contact_id": i, "email": "x@y.de", "pseudonym": p} for i, p in padded.items())
    contacts = table("contacts", *rows)
    contacts = contacts.astype({"email": dtype, "pseudonym": dtype})
    assert found("weak_pseudonymisation", contacts=contacts) == ["C1", "C2"]


def test_a_pseudonym_matches_a_digest_only_as_hex_digits_whatever_lower_casing_makes_of_other_letters():
    """The digest's width is read from the trimmed pseudonym: characters that lower-case to something else,
    or to more characters (the Kelvin sign, a dotted capital I, full-width digits), never make a digest."""
    md5 = protect.weak_pseudonym("x@y.de", "md5")
    pseudonyms = {"C1": md5.upper(), "C2": md5[:-1] + "\u212a", "C3": md5[:-1] + "\u0130",
                  "C4": "\u0130" + md5[1:], "C5": md5[:-1] + chr(0xFF10 + int(md5[-1], 16) % 10),
                  "C6": " " + md5[:-1] + "\u0130 "}
    rows = ({"contact_id": i, "email": "x@y.de", "pseudonym": p} for i, p in pseudonyms.items())
    assert found("weak_pseudonymisation", contacts=table("contacts", *rows)) == ["C1"]


def test_weak_md5_pseudonyms_are_found_whether_the_address_fits_one_md5_block_or_not():
    """Addresses of up to 55 bytes are hashed in bulk (md5_batch), longer ones by hashlib."""
    emails = {"C1": "a" * 43 + "@example.org", "C2": "a" * 44 + "@example.org", "C3": "x@y.de"}
    assert [len(e) for e in emails.values()] == [55, 56, 6]
    rows = [{"contact_id": i, "email": e, "pseudonym": protect.weak_pseudonym(e, "md5")}
            for i, e in emails.items()]
    rows += [{"contact_id": i + "x", "email": e, "pseudonym": protect.weak_pseudonym(e + "x", "md5")}
             for i, e in emails.items()]
    assert found("weak_pseudonymisation", contacts=table("contacts", *rows)) == ["C1", "C2", "C3"]


def test_excessive_access_is_full_access_outside_the_allowed_roles():
    staff = table("staff", {"staff_id": "S1", "role": "sales_rep", "crm_access": "full"},
                  {"staff_id": "S2", "role": "data_protection_officer", "crm_access": "full"},
                  {"staff_id": "S3", "role": "sales_rep", "crm_access": "standard"})
    assert found("excessive_access", staff=staff) == ["S1"]
    assert found("excessive_access", Policy(special_category_roles=("sales_rep",)), staff=staff) == ["S2"]
