"""The header lexicon (gdprlab/crm/header_lexicon.yaml) and the one normaliser comparing headers with it."""

from __future__ import annotations

from collections import defaultdict
from importlib.resources import files

import pytest

from gdprlab.crm.conventions import (
    COLUMNS,
    EXTRA_COLUMNS,
    LEXICON,
    SOURCE_NAMES,
    TABLE_CONTEXTS,
    TABLE_NAMES,
    column_map,
    header_words,
    normalise,
    read_lexicon,
    table_for,
)
from gdprlab.crm.schema import TABLES

# --------------------------------------------------------------------------- the normaliser


def test_headers_are_compared_without_case_spaces_or_accents():
    assert normalise("Phone Number") == normalise("phone_number") == normalise("PhoneNumber") == "phonenumber"
    assert normalise("Prénom") == "prenom"


def test_header_words_split_camel_case_snake_case_and_drop_crm_decorations():
    assert header_words("MailingPostalCode") == ("mailing", "postal", "code")
    assert header_words("address1_postalcode") == ("address", "postalcode")
    assert header_words("Téléphone") == ("telephone",)
    assert header_words("E-Mail-Adresse") == ("emailadresse",)
    assert header_words("ns__Description__c") == ("description",)
    assert header_words("LastCURequestDate") == ("last", "cu", "request", "date")


def test_the_export_reader_compares_headers_as_the_classifier_does():
    # The classifier's normaliser folds ß and drops a trailing number; the export reader now does too.
    assert column_map("contacts", ["Straße"]) == {"Straße": "street"}
    assert column_map("contacts", ["Strasse"]) == {"Strasse": "street"}
    assert column_map("contacts", ["telephone2"]) == {"telephone2": "phone"}
    assert column_map("contacts", ["telephone1", "telephone2"]) == {"telephone1": "phone"}


# --------------------------------------------------------------------------- the lexicon file


def test_the_lexicon_file_holds_sources_export_tables_categories_and_the_classifiers_word_lists():
    text = files("gdprlab.crm").joinpath("header_lexicon.yaml").read_text(encoding="utf-8")
    assert set(read_lexicon(text, "header_lexicon.yaml")) == {
        "sources", "tables", "categories", "id_words", "id_stems", "person_words", "person_prefixes",
        "table_contexts", "file_noise_words", "trailing_words"}
    assert LEXICON and TABLE_NAMES and COLUMNS and TABLE_CONTEXTS


@pytest.mark.parametrize("aliases", ["[vorname, no]", "vorname", "[vorname, '']"])
def test_a_list_holding_anything_but_texts_is_rejected_naming_where(aliases):
    text = f"sources: {{de: German}}\ncategories: {{first_name: {{de: {aliases}}}}}\n"
    with pytest.raises(ValueError, match="^lexicon.yaml: categories: first_name: de: expected a list"):
        read_lexicon(text, "lexicon.yaml")


def test_every_source_of_an_alias_is_named():
    used = {source for by_source in LEXICON.values() for source in by_source}
    assert used <= set(SOURCE_NAMES)


def test_no_alias_stands_in_two_categories():
    categories = defaultdict(set)
    for category, by_source in LEXICON.items():
        for alias in (a for aliases in by_source.values() for a in aliases):
            categories[normalise(alias)].add(category)
    assert {key: cats for key, cats in categories.items() if len(cats) > 1} == {}


def test_every_export_table_and_canonical_column_exists_in_the_schema():
    assert set(TABLE_NAMES) <= set(TABLES)
    for table, columns in COLUMNS.items():
        assert set(columns) <= set(TABLES[table].column_names), table


def test_extra_columns_are_not_schema_columns_of_their_table():
    for table, columns in EXTRA_COLUMNS.items():
        assert not set(columns) & set(TABLES[table].column_names), table


@pytest.mark.parametrize("table", sorted(COLUMNS))
def test_no_export_header_stands_for_two_columns_of_a_table(table):
    columns = defaultdict(set)
    for column, headers in {**COLUMNS[table], **EXTRA_COLUMNS.get(table, {})}.items():
        for header in (column, *headers):
            columns[normalise(header)].add(column)
    assert {key: cols for key, cols in columns.items() if len(cols) > 1} == {}


def test_no_file_name_stands_for_two_tables():
    tables = defaultdict(set)
    for table, names in TABLE_NAMES.items():
        for name in names:
            tables[name].add(table)
    assert {name: ts for name, ts in tables.items() if len(ts) > 1} == {}


@pytest.mark.parametrize("stem, table", [
    ("Contact", "contacts"), ("contacts_2026", "contacts"),
    ("hubspot-crm-exports-all-contacts-2026-10-01", "contacts"), ("Contacts_export", "contacts"),
    ("data_subject_requests", "requests"), ("Lead", "contacts"), ("contactless_payment_vendors", None),
    ("user_statistics", None), ("contacts_germany_notes", "activities"),
])
def test_a_file_name_names_its_table_by_whole_words_never_substrings(stem, table):
    assert table_for(stem) == table


def test_every_personal_header_scan_names_is_mapped_by_check():
    headers = ["Id", "GivenName", "Surname", "TelephoneNumber", "Birthday", "Email 1"]
    assert column_map("contacts", headers) == {
        "Id": "contact_id", "GivenName": "first_name", "Surname": "last_name", "TelephoneNumber": "phone",
        "Birthday": "birth_date", "Email 1": "email"}


@pytest.mark.parametrize("headers, expected", [
    (["Id", "contact_id"], {"contact_id": "contact_id"}),  # the canonical name wins, Id is kept as it is
    (["Email", "email"], {"email": "email"}),
    (["contact_id", "Id", "Email"], {"contact_id": "contact_id", "Email": "email"}),
])
def test_a_canonical_header_claims_its_column_before_an_alias(headers, expected):
    assert column_map("contacts", headers) == expected
