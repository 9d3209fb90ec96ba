"""gdprlab.audit.discovery.textscan finds personal data in free text, with exact offsets and validated
identifiers."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pandas as pd
import pytest

from gdprlab.audit.discovery.name_lexicon import HELD_OUT, SHIPPED, build_lexicon, lexicon_json, name_lexicon
from gdprlab.audit.discovery.textscan import KINDS, scan_texts

REALDATA = Path(os.environ.get("GDPRLAB_REALDATA")
                or Path(__file__).resolve().parents[4] / "shared" / "realdata")
VECTORS = REALDATA / "presidio_recognizer_test_vectors.csv"
DATABLIST = (REALDATA / "datablist_people-100.csv", REALDATA / "datablist_customers-100.csv")


def _benchmark():
    path = Path(__file__).resolve().parents[3] / "benchmarks" / "text_quality.py"
    spec = importlib.util.spec_from_file_location("text_quality", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def found(text: str, kind: str | None = None) -> list[tuple[str, str, str]]:
    """(kind, matched text, detail) of each finding in one text."""
    df = scan_texts([text])
    if kind:
        df = df[df["kind"] == kind]
    return [(k, t, d) for k, t, d in zip(df["kind"], df["text"], df["detail"], strict=True)]


# --- the frame -------------------------------------------------------------------------------

def test_one_row_per_span_with_exact_offsets():
    texts = pd.Series(["Anna Schmidt: anna.schmidt@firma.de", None, "IBAN DE89 3704 0044 0532 0130 00"],
                      index=[10, 20, 30])
    df = scan_texts(texts)
    assert list(df.columns) == ["row", "kind", "start", "end", "text", "detail"]
    assert list(df["kind"].cat.categories) == list(KINDS)
    assert set(df["row"]) == {0, 2}  # positions, not index labels; a missing text gives nothing
    for row, start, end, text in zip(df["row"], df["start"], df["end"], df["text"], strict=True):
        assert texts.iloc[row][start:end] == text
    assert ("iban", 5, 32) in set(zip(df["kind"], df["start"], df["end"], strict=True))


def test_empty_input_and_unknown_kind():
    assert scan_texts([]).empty
    with pytest.raises(ValueError, match="unknown kinds"):
        scan_texts(["x"], kinds=["passport"])


# --- identifiers: valid ones are found, a near miss with a wrong check digit is not ----------

@pytest.mark.parametrize(("valid", "near_miss", "kind", "detail"), [
    ("DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 01", "iban", "DE"),
    ("FR1420041010050500013M02606", "FR1420041010050500013M02607", "iban", "FR"),
    ("4012-8888-8888-1881", "4012-8888-8888-1882", "card_number", ""),
    ("12345678903", "12345678901", "national_id", "DE idnr"),
    ("15070649C103", "15070649C100", "national_id", "DE rvnr"),
    ("2 55 08 14 168 025 38", "2 55 08 14 168 025 39", "national_id", "FR nir"),
    ("RSSMRA85T10A562S", "RSSMRA85T10A562T", "national_id", "IT codicefiscale"),
    ("12345678Z", "12345678A", "national_id", "ES dni"),
    ("X9613851N", "X9613851Q", "national_id", "ES nie"),
    ("111222333", "111222334", "national_id", "NL bsn"),
    ("44051401458", "44051401459", "national_id", "PL pesel"),
    ("19910924-2397", "19910924-2398", "national_id", "SE personnummer"),
    ("131052-308T", "131052-308U", "national_id", "FI hetu"),
    ("010594Y9032", "010594Y9033", "national_id", "FI hetu"),  # century sign introduced in 2023
    ("401-023-2137", "401-023-2138", "national_id", "GB nhs"),
])
def test_identifier_valid_and_invalid_checksum(valid, near_miss, kind, detail):
    text = "Kunde schickte {} per Post."
    hits = found(text.format(valid), kind)
    assert [(t, d) for _, t, d in hits] == [(valid, detail)] or (
        len(hits) == 1 and hits[0][1] == valid and detail in hits[0][2].split("; "))
    assert found(text.format(near_miss), kind) == []


def test_uk_national_insurance_number_prefix_and_suffix_rules():
    assert found("NI number AA 12 34 56 B", "national_id") == [("national_id", "AA 12 34 56 B", "GB nino")]
    assert found("NI number AA 12 34 56 H") == []  # suffix must be A-D
    assert found("NI number BG 12 34 56 A") == []  # BG is never issued


@pytest.mark.parametrize(("phone", "region"), [
    ("+49 30 12345678", "DE"), ("0049 151 12345678", "DE"), ("+33 6 12 34 56 78", "FR"),
    ("06 12 34 56 78", "FR"), ("+39 347 123 4567", "IT"), ("612 34 56 78", "ES"), ("+31 6 12345678", "NL"),
    ("+48 512 345 678", "PL"), ("070-123 45 67", "SE"), ("+351 912 345 678", "PT"),
])
def test_phones_in_international_and_national_format(phone, region):
    hits = found(f"Bitte zurückrufen unter {phone} ab 14 Uhr.", "phone")
    assert len(hits) == 1 and hits[0][1] == phone and region in hits[0][2].split("; ")


def test_phone_with_a_digit_too_many_is_not_a_phone():
    assert found("Tel. +49 30 1234567890123", "phone") == []


def test_emails_and_ip_addresses():
    assert found("mail an maria.rossi+crm@beispiel.it.", "email") == [
        ("email", "maria.rossi+crm@beispiel.it", "")]
    assert found("my email is info@presidio.", "email") == []
    assert found("Login von 192.168.0.1 und fe80::1%eth0") == [
        ("ip_address", "192.168.0.1", "IPv4"), ("ip_address", "fe80::1%eth0", "IPv6")]
    assert found("Version 1.2.3, Uhrzeit 12:34:56, 256.1.1.1") == []


def test_amounts_tickets_dates_and_times_are_not_identifiers():
    assert found("Rechnung über 12.400 € für 25 Lizenzen, Ticket #45123, am 03.04.2026 um 14:30 Uhr.") == []


# --- names -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "name"), [
    ("Angebot an Anna Schmidt geschickt, Nachfassen am Montag.", "Anna Schmidt"),
    ("Devis envoyé à Jean-Pierre Dubois, relance prévue lundi.", "Jean-Pierre Dubois"),
    ("Preventivo inviato a Giulia Bianchi, sollecito lunedì.", "Giulia Bianchi"),
    ("Presupuesto enviado a Javier Fernández, seguimiento el lunes.", "Javier Fernández"),
    ("Offerte gestuurd naar Jan van der Wal, opvolgen op maandag.", "Jan van der Wal"),
    ("Oferta wysłana do Małgorzata Wójcik, kontakt w poniedziałek.", "Małgorzata Wójcik"),
    ("Offert skickad till Åsa Lindqvist, följ upp på måndag.", "Åsa Lindqvist"),
    ("Proposta enviada a João Gonçalves, contacto na segunda.", "João Gonçalves"),
])
def test_names_in_each_language(text, name):
    assert found(text, "person_name") == [("person_name", name, "")]


def test_names_after_a_form_of_address_need_no_lexicon():
    assert found("Rückruf von Herr Xylowicz erbeten.", "person_name") == [("person_name", "Xylowicz", "")]
    assert found("Réunion avec M. Quennevillard demain.", "person_name")[0][1] == "Quennevillard"


def test_months_weekdays_products_and_acronyms_are_not_names():
    text = "Im Mai Demo für SmartOffice Pro mit der IT und SAP, Termin am Freitag."
    assert found(text, "person_name") == []


@pytest.mark.parametrize("text", [
    "My husband called. The demo went well. Can you send the quote? An offer follows.",
    "Love the new plan. Sunday works for the call. Date of the meeting moved.",
    "Browser: Safari on a Mac, also Chrome on Windows; she uses Outlook and Teams.",
    "Sie hat heute angerufen.",
])
def test_common_words_and_product_names_are_not_names(text):
    assert found(text, "person_name") == []


def test_names_in_english_crm_notes_are_still_found():
    text = "Called Anna Smith about the renewal; John Miller from Acme joins the demo on Sunday."
    assert [t for _, t, _ in found(text, "person_name")] == ["Anna Smith", "John Miller"]


@pytest.mark.parametrize(("text", "names"), [
    ("My call with Maria Rossi went well. The demo is booked.", ["Maria Rossi"]),
    ("Can John Miller join? An offer follows on Sunday.", ["John Miller"]),
    ("Love the new plan, says Anna Smith. Date of the renewal: May.", ["Anna Smith"]),
    ("Safari on a Mac crashes for Peter Jones; Chrome works.", ["Peter Jones"]),
])
def test_common_words_beside_real_names_are_not_part_of_them(text, names):
    assert [t for _, t, _ in found(text, "person_name")] == names


@pytest.mark.parametrize(("text", "names"), [
    ("Sheryl Baxter from Steele Group signed the contract.", ["Sheryl Baxter"]),
    ("Order from Patterson Inc and Greer and Sons, via Karl Greer.", ["Karl Greer"]),
    ("Linda Olsen from Dominguez, Mcmillan and Donovan called.", ["Linda Olsen"]),
    ("Preston Lozano from Vega-Gentry signed the contract.", ["Preston Lozano"]),
])
def test_surnames_in_company_names_are_not_people(text, names):
    assert [t for _, t, _ in found(text, "person_name")] == names


@pytest.mark.parametrize(("text", "names"), [
    ("Call Darren Peck at the East Leonard office, or in Lake Ana.", ["Darren Peck"]),
    ("Joanna Bender moved to Sri Lanka, then to the Dominican Republic.", ["Joanna Bender"]),
])
def test_places_named_after_people_are_not_people(text, names):
    assert [t for _, t, _ in found(text, "person_name")] == names


@pytest.mark.parametrize(("text", "names"), [
    ("Called Anna, Tom and Maria about the offer.", ["Anna", "Tom", "Maria"]),
    ("Rückruf von Frau Müller-Lüdenscheidt erbeten.", ["Müller-Lüdenscheidt"]),
    ("Thanks Jordan! Chad sends the quote.", ["Jordan", "Chad"]),
    ("Reunião com Leandro Costa e o departamento de compras.", ["Leandro Costa"]),
])
def test_names_that_look_like_firms_or_places_stay_names(text, names):
    assert [t for _, t, _ in found(text, "person_name")] == names


@pytest.mark.parametrize("version", ["0.3729.131", "10.0.19041.1", "605.1.15", "4.2.1"])
def test_version_strings_are_never_phone_numbers(version):
    assert found(f"User agent Chrome/{version} (build {version})", "phone") == []


def test_north_american_numbers_are_found_when_the_rows_country_says_so():
    texts = ["Call her at (212) 555-0199 or 415-555-0132.", "Call her at (212) 555-0199 or 415-555-0132.",
             "Ruf an: 030 1234567"]
    df = scan_texts(texts, countries=["US", None, "DE"])
    phones = df[df["kind"] == "phone"]
    assert list(zip(phones["row"], phones["text"], phones["detail"], strict=True)) == [
        (0, "(212) 555-0199", "US"), (0, "415-555-0132", "US"), (2, "030 1234567", "DE")]


def test_twelve_digit_maestro_cards_are_found_and_other_twelve_digit_numbers_are_not():
    from stdnum import luhn

    maestro = "67596498264" + luhn.calc_check_digit("67596498264")
    other = "41234567890" + luhn.calc_check_digit("41234567890")  # Luhn-valid, but no Maestro prefix
    assert found(f"Karte {maestro}", "card_number") == [("card_number", maestro, "")]
    grouped = f"{maestro[:4]} {maestro[4:8]} {maestro[8:]}"
    assert found(f"Karte {grouped} bitte", "card_number") == [("card_number", grouped, "")]
    assert found(f"Bestellung {other}", "card_number") == []


def test_lower_case_ibans_are_found():
    text = "IBAN de89370400440532013000 and gb82 west 1234 5698 7654 32 thanks"
    assert found(text, "iban") == [("iban", "de89370400440532013000", "DE"),
                                   ("iban", "gb82 west 1234 5698 7654 32", "GB")]
    assert found("iban de89370400440532013001", "iban") == []  # wrong check digits


def test_a_name_inside_an_email_address_is_the_email_only():
    assert [k for k, _, _ in found("Kontakt: anna.schmidt@example.com")] == ["email"]


def test_lexicon_covers_many_locales_and_can_hold_some_out():
    full, held = name_lexicon(), name_lexicon(HELD_OUT)
    assert len(full.locales) > 40 and not set(held.locales) & HELD_OUT
    assert {"Anna", "Giulia", "Agnieszka", "Åsa"} <= full.first


def test_shipped_lexicon_is_what_the_build_produces():
    """gdprlab/audit/discovery/name_lexicon.json is current: regenerate with `python -m
    gdprlab.audit.discovery.name_lexicon` if not."""
    built = build_lexicon()
    assert name_lexicon() == built
    assert SHIPPED.read_text(encoding="utf-8") == lexicon_json(built)


# --- special categories and criminal records --------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "term"), [
    ("Termin abgesagt, Anna hat Diabetes.", "health", "Diabetes"),
    ("Pas de rendez-vous le vendredi, il va à la mosquée.", "religion", "mosquée"),
    ("È iscritta alla CGIL e partecipa allo sciopero.", "trade_union", "CGIL"),
    ("Es concejal del PSOE en su municipio.", "political_opinion", "concejal"),
    ("Hij heeft een strafblad wegens oplichting.", "criminal", "strafblad"),
])
def test_special_category_terms(text, kind, term):
    assert (kind, term) in [(k, t) for k, t, _ in found(text)]


def test_stem_terms_span_the_whole_word():
    assert ("health", "Chemotherapie") in [(k, t) for k, t, _ in found("Donnerstags Chemotherapie.")]


# --- quality on generated notes and on Presidio's vectors ------------------------------------

@pytest.fixture(scope="module")
def labelled():
    bench = _benchmark()
    texts, truth = bench.labelled_notes(4000, seed=21)
    return bench, texts, truth


def test_names_recall_and_precision_on_generated_notes(labelled):
    bench, texts, truth = labelled
    table = bench.score_notes(texts, truth).set_index(["kind", "match"])
    names = table.loc[("person_name", "overlap")]
    assert names["recall"] >= 0.9 and names["precision"] >= 0.9
    for kind in ("health", "religion", "ethnic_origin", "political_opinion", "trade_union", "sex_life",
                 "genetic", "biometric", "criminal"):
        assert table.loc[(kind, "overlap"), "recall"] >= 0.95


def test_names_held_out_lexicon_still_precise(labelled):
    bench, texts, truth = labelled
    table = bench.score_notes(texts, truth, HELD_OUT).set_index(["kind", "match"])
    names = table.loc[("person_name", "overlap")]
    assert names["precision"] >= 0.9 and names["recall"] >= 0.8  # measured about 0.86: see the README


def test_offsets_of_generated_names_are_exact(labelled):
    _, texts, truth = labelled
    df = scan_texts(pd.Series(texts, dtype=object), kinds=["person_name"])
    for row, start, end, text in zip(df["row"], df["start"], df["end"], df["text"], strict=True):
        assert texts[row][start:end] == text


@pytest.mark.skipif(not VECTORS.exists(), reason=f"Presidio test vectors not found at {VECTORS} "
                    "(../shared/realdata is beside the project, absent in a fresh clone)")
def test_presidio_vectors_recall_and_precision():
    bench = _benchmark()
    table, _ = bench.score_vectors(bench.load_vectors())
    for entity in ("IBAN_CODE", "EMAIL_ADDRESS", "CREDIT_CARD", "IP_ADDRESS", *bench.EU_NATIONAL):
        row = table.loc[entity]
        # IT_FISCAL_CODE: two of its four expected codes have a wrong check character (stdnum rejects
        # them), so only its recall against stdnum-valid labels can reach the bar
        recall = row["recall_vs_stdnum"] if entity == "IT_FISCAL_CODE" else row["recall"]
        assert recall >= 0.95, (entity, row.to_dict())
        assert row["precision"] >= 0.9, (entity, row.to_dict())


@pytest.mark.skipif(not all(p.exists() for p in DATABLIST), reason=f"datablist files not found in {REALDATA} "
                    "(../shared/realdata is beside the project, absent in a fresh clone)")
def test_english_names_in_datablist_sentences_meet_the_precision_target():
    bench = _benchmark()
    texts, truth = bench.datablist_sentences(*DATABLIST)
    assert all(texts[r][s:e].strip() == texts[r][s:e] and texts[r][s:e][:1].isupper()
               for r, s, e in zip(truth["row"], truth["start"], truth["end"], strict=True))
    scores, false_pos = bench.score_english_names(texts, truth)
    assert scores["target_met"] and scores["precision"] >= 0.9, (scores, false_pos[:20])
    assert scores["recall"] >= 0.95, scores


def test_grouped_term_pattern_matches_like_one_alternative_per_term():
    """textscan._TERMS writes each word-end tail once per run of terms; it must find exactly what the
    plain form (one alternative per term, each with its own tail) finds."""
    import random
    import re

    from gdprlab.audit.discovery import textscan as ts

    def one(term: str) -> str:
        if term.endswith("*"):
            return re.escape(term[:-1]) + f"{ts._PY_NOT_SEP}*"
        return re.escape(term) + f"(?!{ts._PY_NOT_SEP})"

    plain = re.compile(f"(?<!{ts._PY_NOT_SEP})(?:" + "|".join(
        f"(?P<{c}>" + "|".join(one(t) for t in terms) + ")" for c, terms in ts._CATEGORY_TERMS.items())
        + ")", re.IGNORECASE)
    terms = [t.rstrip("*") for terms in ts._CATEGORY_TERMS.values() for t in terms]
    rng = random.Random(0)
    texts = [pre + t + suf for t in terms for pre in ("", "x ", "ab") for suf in ("", "e", ". ", "\xa0y")]
    texts += [" ".join(rng.choice(terms) + rng.choice(["", "s", ",", "ung"]) for _ in range(4))
              for _ in range(3000)]
    buf = ts._SEPARATOR.join(texts)
    assert [(m.span(), m.lastgroup) for m in ts._TERMS.finditer(buf)] == \
        [(m.span(), m.lastgroup) for m in plain.finditer(buf)]


def _identifier_texts(labelled) -> list[str]:
    """Texts where phone numbers sit beside, around and inside runs holding other identifiers: generated
    notes, Presidio's and python-stdnum's vectors when present, each number also written after a phone."""
    _, texts, _ = labelled
    numbers = ["4012 8888 8888 1881", "123456782", "1234.56.782", "8112289874", "44 077 334 21",
               "12345678Z", "X-1234567-L", "AB 12 34 56 C", "010594Y9032", "NL91ABNA0417164300",
               "5018 1234 5678", "943 476 5919", "1 80 05 78 006 084 36", "19801231-1231", "0030 1234567",
               "192.168.10.1", "2001:db8::1", "jan.novak@example.com"]
    if VECTORS.exists():
        numbers += pd.read_csv(VECTORS, dtype=str)["text_or_value"].dropna().tolist()[:400]
    stdnum = REALDATA / "python_stdnum_test_numbers_eu.csv"
    if stdnum.exists():
        numbers += pd.read_csv(stdnum, dtype=str)["number"].dropna().tolist()[::7]
    phones = ["+49 30 1234567", "030 1234567", "+33 1 23 45 67 89", "0612345678", "(0)30-123456"]
    made = [f"{p} {n}" for p in phones for n in numbers] + [f"{n} {p}" for p in phones for n in numbers]
    made += [f"{p}{sep}{n}" for p in phones for n in numbers[:15] for sep in ("-", "/", ".")]
    return list(texts) + numbers + made


def test_a_search_without_phone_numbers_finds_the_other_identifiers_a_full_search_finds(labelled):
    """With phone numbers not wanted the scanner skips judging runs of digits that cannot hold another
    identifier; what it finds must be exactly the full search's findings of the kinds asked for."""
    texts = _identifier_texts(labelled)
    kinds = ["iban", "national_id", "card_number", "email", "ip_address"]
    full = scan_texts(texts)
    expected = full[full["kind"].isin(kinds)].reset_index(drop=True)
    pd.testing.assert_frame_equal(scan_texts(texts, kinds=kinds).reset_index(drop=True), expected)
    assert expected["kind"].nunique() == len(kinds)  # every kind is there to be displaced
    assert (full["kind"] == "phone").sum() > 100


def test_texts_scanned_together_give_what_each_gives_alone(labelled):
    """Each pattern reads only the texts that may hold what it finds (pyarrow's RE2 picks them): scanned
    together, the texts give exactly what each gives scanned alone, also where Python reads a digit that
    RE2's [0-9] does not (Arabic-Indic, full-width) and where a text starts or ends with an identifier."""
    texts = _identifier_texts(labelled)[::20] + [
        "mail an maria.rossi+crm@beispiel.it.", "Login von 192.168.0.1 und fe80::1%eth0", "::1", "a@b.c",
        "NI number AA 12 34 56 B", "RSSMRA85T10A562S", "131052-308T", "010594Y9032", "X9613851N",
        "de89370400440532013000 klein geschrieben", "DE89 3704 0044 0532 0130 00", "١٢٣٤٥٦٧٨٩٠١٢",
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19", "12345678Z", "", "15070649C103 Ende",
        "Version 1.2.3, Uhrzeit 12:34:56, 256.1.1.1", "4012-8888-8888-1881", "Jan@1und1.de", "ANNA@WEB.DE",
        "Server 10.0.0.1"]
    alone = pd.concat([scan_texts([text]).assign(row=row) for row, text in enumerate(texts)])
    together = scan_texts(texts)
    pd.testing.assert_frame_equal(together.reset_index(drop=True), alone.reset_index(drop=True),
                                  check_categorical=False)
    assert {"email", "iban", "ip_address", "national_id", "card_number", "phone"} <= set(together["kind"])
