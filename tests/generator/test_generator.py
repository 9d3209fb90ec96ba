"""The generator: realistic, coherent, deterministic data with exactly the violations asked for."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat

from gdprlab.crm import protect
from gdprlab.crm.schema import TABLES
from gdprlab.generator import ConfigError, GeneratorConfig, generate, identifiers, write_dataset
from gdprlab.generator.config import POPULATION, PROFILES
from gdprlab.generator.contacts import HOLDS
from gdprlab.regulation.catalogue import RULES, RULES_BY_ID

AS_OF = dt.date(2026, 6, 30)


def _labelled(ds, rule_id: str) -> set[str]:
    gt = ds.ground_truth
    return set(gt.loc[gt["rule_id"] == rule_id, "record_id"])


def _plain(ds, column: str) -> pd.Series:
    c = ds.tables["contacts"]
    return pd.Series(
        protect.decrypt(c[column].to_numpy(), protect.synthetic_key(ds.config.seed)), index=c.index
    )


# --- realistic and valid


def test_every_table_of_the_schema_is_generated_with_its_columns(typical):
    for name, table in TABLES.items():
        df = typical.tables[name]
        assert set(table.column_names) <= set(df.columns), name
        assert df[table.key].is_unique, name


def test_every_national_id_is_valid_for_the_contacts_country(typical):
    c = typical.tables["contacts"]
    nid = _plain(typical, "national_id")
    assert nid.notna().sum() > 200
    for country, module in identifiers.NATIONAL_ID_MODULES.items():
        values = nid[(c["country"] == country) & nid.notna()]
        assert len(values) > 0, country
        validator = importlib.import_module(module)
        assert all(validator.is_valid(v) for v in values), country


def test_every_iban_is_valid_and_of_the_contacts_country(typical):
    c = typical.tables["contacts"]
    iban = _plain(typical, "iban")
    has = iban.notna()
    assert has.sum() > 300
    assert all(stdnum_iban.is_valid(v) for v in iban[has])
    assert (iban[has].str[:2] == c.loc[has, "country"]).all()


def test_every_vat_number_is_valid_and_of_the_accounts_country(typical):
    a = typical.tables["accounts"]
    assert all(stdnum_vat.is_valid(v) for v in a["vat_number"])
    prefix = a["vat_number"].str[:2].replace({"EL": "GR"})
    assert (prefix == a["country"]).all()


def test_phones_are_valid_for_the_contacts_country_except_planted_errors(typical):
    c = typical.tables["contacts"]
    planted = _labelled(typical, "inaccurate_data")
    ok = c[c["phone"].notna() & ~c["contact_id"].isin(planted)]
    assert all(
        phonenumbers.is_valid_number(phonenumbers.parse(p, r))
        for p, r in zip(ok["phone"], ok["country"], strict=True)
    )


def test_emails_are_unique_and_contacts_are_spread_over_eight_locales(typical):
    c = typical.tables["contacts"]
    assert c["email"].dropna().is_unique
    assert c["locale"].nunique() == 8
    assert (c["locale"].value_counts(normalize=True) > 0.08).all()


def test_notes_are_written_in_the_contacts_language(typical):
    acts = typical.tables["activities"].merge(typical.tables["contacts"][["contact_id", "language"]])
    german = acts.loc[(acts["language"] == "de") & acts["note"].notna(), "note"]
    french = acts.loc[(acts["language"] == "fr") & acts["note"].notna(), "note"]
    assert german.str.contains(r"\b(?:und|der|die|das|mit|für)\b").mean() > 0.5
    assert french.str.contains(r"\b(?:le|la|les|de|pour|avec)\b").mean() > 0.5


def test_sensitive_fields_are_encrypted_unless_planted_in_plaintext(typical):
    c = typical.tables["contacts"]
    planted = c["contact_id"].isin(_labelled(typical, "plaintext_sensitive_field"))
    for col in ("national_id", "iban", "accessibility_needs"):
        values = c.loc[~planted & c[col].notna(), col]
        assert values.map(protect.is_token).all(), col


# --- coherent in time


#: dates that are plans, not events: a hold on data kept after an erasure runs past the as-of date
PLANNED_ENDS = {"retention_until"}


def test_the_record_of_processing_names_a_legal_obligation_or_a_balancing_test(typical):
    """Art. 6(1)(c) needs an obligation laid down by law (Art. 6(3)) and 6(1)(b) a contract with the data
    subject: leads, contacts at business customers, birth dates and identity numbers rest on legitimate
    interests, each with a documented balancing test (Art. 6(1)(f))."""
    ropa = typical.tables["record_of_processing"].set_index("field")
    for field in ("contacts.first_name", "contacts.email", "contacts.status", "contacts.birth_date",
                  "contacts.national_id"):
        assert "6(1)(f), balancing test documented" in ropa.at[field, "lawful_basis"], field
    identity = ropa.loc[["contacts.birth_date", "contacts.national_id"], "lawful_basis"]
    assert not identity.str.contains("6(1)(c)", regex=False).any()


def test_nothing_happens_after_the_as_of_date(typical):
    end = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    for name, table in TABLES.items():
        for col in table.columns:
            if col.dtype in ("date", "datetime") and col.name not in PLANNED_ENDS:
                values = pd.to_datetime(typical.tables[name][col.name]).dropna()
                assert (values < end).all(), f"{name}.{col.name}"


def test_consents_and_activities_follow_the_contacts_creation(typical):
    c = typical.tables["contacts"].set_index("contact_id")
    k = typical.tables["consents"]
    assert (k["given_at"].to_numpy() >= c.loc[k["contact_id"], "created_at"].to_numpy()).all()
    withdrawn = k["withdrawn_at"].notna()
    assert (k.loc[withdrawn, "withdrawn_at"] > k.loc[withdrawn, "given_at"]).all()
    a = typical.tables["activities"]
    assert (a["occurred_at"].to_numpy() >= c.loc[a["contact_id"], "created_at"].to_numpy()).all()
    latest = a.groupby("contact_id")["occurred_at"].max()
    assert (latest == c.loc[latest.index, "last_activity_at"]).all()


def test_marketing_relying_on_consent_is_sent_after_it_was_given_unless_planted(typical):
    a = typical.tables["activities"]
    sends = a[(a["type"] == "marketing_email") & (a["lawful_basis"] == "6(1)(a)")]
    sends = sends[~sends["activity_id"].isin(_labelled(typical, "marketing_without_basis"))]
    joined = sends.merge(typical.tables["consents"], on=["contact_id", "purpose"])
    assert len(joined) == len(sends)
    assert (joined["occurred_at"] > joined["given_at"]).all()


def _sends(ds) -> pd.DataFrame:
    a = ds.tables["activities"]
    return a[a["type"] == "marketing_email"]


def test_marketing_names_contract_or_legal_obligation_only_where_planted(messy):
    sends = _sends(messy)
    wrong = sends[sends["lawful_basis"].isin(["6(1)(b)", "6(1)(c)"])]
    assert len(wrong) > 0 and set(wrong["activity_id"]) <= _labelled(messy, "marketing_without_basis")
    # they keep the consent of their purpose: contract or obligation is wrong even with a consent on file
    joined = wrong.merge(messy.tables["consents"], on=["contact_id", "purpose"])
    assert len(joined) == len(wrong) and (joined["occurred_at"] > joined["given_at"]).all()


def test_soft_opt_in_emails_go_to_customers_since_they_bought_with_every_opt_out_unless_planted(messy):
    c = messy.tables["contacts"].set_index("contact_id")
    sends = _sends(messy)
    li = sends[(sends["lawful_basis"] == "6(1)(f)")
               & ~sends["activity_id"].isin(_labelled(messy, "electronic_marketing_without_consent"))]
    assert len(li) > 100  # lawful soft opt-in e-mails, not findings
    since = pd.to_datetime(c.loc[li["contact_id"], "customer_since"]).to_numpy()
    assert (li["occurred_at"].dt.normalize().to_numpy() >= since).all()
    assert c.loc[li["contact_id"], "opt_out_offered_at_collection"].eq(True).all()
    assert li["unsubscribe_link"].eq(True).all() and li["own_similar_product"].eq(True).all()
    planted = sends[sends["activity_id"].isin(_labelled(messy, "electronic_marketing_without_consent"))]
    assert (planted["lawful_basis"] == "6(1)(f)").all()
    assert planted["unsubscribe_link"].eq(False).any()
    assert c.loc[planted["contact_id"], "opt_out_offered_at_collection"].eq(False).any()
    assert c.loc[planted["contact_id"], "customer_since"].isna().any()  # to a lead


def test_customers_and_former_customers_only_have_a_customer_since_date(typical):
    c = typical.tables["contacts"]
    known = c["customer_since"].notna()
    kept = c["status"] != "erased"
    assert (c.loc[known & kept, "status"].isin(["customer", "former_customer"])).all()
    assert known[c["status"].isin(["customer", "former_customer"])].all()
    assert (pd.to_datetime(c.loc[known, "customer_since"]) >= c.loc[known, "created_at"].dt.normalize()).all()


def test_some_contacts_who_objected_opt_in_again_and_are_sent_that_purpose_lawfully(messy):
    r = messy.tables["requests"]
    objected = r[r["type"] == "objection"].groupby("contact_id")["received_on"].min()
    sends = _sends(messy).join(objected, on="contact_id")
    after = sends[sends["occurred_at"] >= pd.to_datetime(sends["received_on"])]
    lawful = after[~after["activity_id"].isin(_labelled(messy, "processing_after_withdrawal"))]
    assert len(lawful) > 0
    fresh = lawful.merge(messy.tables["consents"], on=["contact_id", "purpose"])
    assert (fresh["given_at"] >= pd.to_datetime(fresh["received_on"])).all()


def test_requests_come_after_the_contact_existed_and_replies_after_receipt(typical):
    c = typical.tables["contacts"].set_index("contact_id")
    r = typical.tables["requests"]
    created = pd.to_datetime(c.loc[r["contact_id"], "created_at"].to_numpy()).normalize()
    assert (pd.to_datetime(r["received_on"]).to_numpy() >= created.to_numpy()).all()
    answered = r["responded_on"].notna()
    assert (
        pd.to_datetime(r.loc[answered, "responded_on"]) >= pd.to_datetime(r.loc[answered, "received_on"])
    ).all()
    assert set(r["status"]) <= {"open", "completed", "refused"}


def _erased(dataset) -> tuple[pd.DataFrame, set]:
    """The erased contacts and the contact ids of the requests labelled erasure_incomplete."""
    c = dataset.tables["contacts"]
    r = dataset.tables["requests"]
    bad = set(r.loc[r["request_id"].isin(_labelled(dataset, "erasure_incomplete")), "contact_id"])
    return c[c["status"] == "erased"], bad


def _in_force(erased: pd.DataFrame) -> pd.Series:
    until = pd.to_datetime(erased["retention_until"])
    return erased["retention_ground"].notna() & (until >= pd.Timestamp(AS_OF))


def test_erased_contacts_keep_no_personal_data_unless_planted_or_held(typical):
    erased, bad = _erased(typical)
    assert len(erased) > 10
    clean = erased[~erased["contact_id"].isin(bad)]
    personal = TABLES["contacts"].erasable_names
    unheld = clean[~_in_force(clean)]
    assert unheld[personal].isna().all().all()
    held = clean[_in_force(clean)]
    assert len(held) > 0  # lawful holds are planted, and are not violations
    for _, row in held.iterrows():
        hold = next(columns for ground, columns, _ in HOLDS if ground == row["retention_ground"])
        assert set(row[personal].dropna().index) <= set(hold)
    notes = typical.tables["activities"].merge(clean[["contact_id"]])["note"]
    assert notes.isna().all()


def test_erasure_incomplete_is_planted_as_identifiers_left_without_name_and_as_an_ended_hold(messy):
    erased, bad = _erased(messy)
    planted = erased[erased["contact_id"].isin(bad)]
    no_name = planted[planted[["first_name", "last_name", "email", "phone"]].isna().all(axis=1)]
    left = no_name[no_name[["street", "birth_date"]].notna().all(axis=1)]
    assert len(left)  # the name, e-mail and phone erased, the address, birth date (and IBAN, id) left
    kept = left[TABLES["contacts"].erasable_names].notna()
    identifiers = {"street", "postal_code", "city", "birth_date", "national_id", "iban"}
    assert set(kept.columns[kept.any()]) <= identifiers
    ended = planted["retention_ground"].notna() & ~_in_force(planted)
    assert ended.any()  # a hold whose end date has passed covers nothing
    assert not _in_force(planted).any()


# --- violations as asked


def test_clean_profile_plants_nothing(clean):
    assert clean.ground_truth.empty
    assert all(v["planted"] == 0 for v in clean.planted.values())


#: plants of another rule that also violate this one, labelled for both: a late extension notice does not
#: extend the deadline, so a request planted for extension_not_notified is overdue too (Art. 12(3))
ALSO_PLANTED_BY = {"request_overdue": ("extension_not_notified",)}


@pytest.mark.parametrize("profile", ["typical", "messy"])
def test_planted_rates_match_the_profile(profile, typical, messy):
    ds = {"typical": typical, "messy": messy}[profile]
    for rule in RULES:
        entry = ds.planted[rule.id]
        asked = PROFILES[profile][rule.id]
        assert entry["population"] > 0, rule.id
        also = sum(ds.planted[other]["planted"] for other in ALSO_PLANTED_BY.get(rule.id, ()))
        own = entry["planted"] - also
        # counts are exact: round(rate x population), so the rate is off by rounding only
        assert abs(own / entry["population"] - asked) <= 0.5 / entry["population"] + 1e-9, rule.id
        assert len(_labelled(ds, rule.id)) == entry["planted"], rule.id


def test_a_rate_override_changes_only_that_rule():
    base = GeneratorConfig(contacts=1500, seed=3, as_of=AS_OF)
    more = GeneratorConfig(contacts=1500, seed=3, as_of=AS_OF, rates={"retention_exceeded": 0.2})
    a, b = generate(base).planted, generate(more).planted
    assert b["retention_exceeded"]["planted"] == round(0.2 * b["retention_exceeded"]["population"])
    assert a["retention_exceeded"]["planted"] < b["retention_exceeded"]["planted"]


def test_labels_point_to_existing_records_of_the_rules_table(messy):
    for rule_id, group in messy.ground_truth.groupby("rule_id"):
        rule = RULES_BY_ID[rule_id]
        assert set(group["table"]) == {rule.table}
        df = messy.tables[rule.table]
        known = set(df.columns) if rule.unit == "column" else set(df[TABLES[rule.table].key])
        assert set(group["record_id"]) <= known, rule_id
    assert not messy.ground_truth.duplicated().any()


def test_every_rule_has_a_population_description():
    assert set(POPULATION) == {r.id for r in RULES}


# --- deterministic


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_and_options_give_byte_identical_files(tmp_path, fmt):
    cfg = GeneratorConfig(contacts=600, seed=5, as_of=AS_OF, format=fmt)
    one = write_dataset(generate(cfg), tmp_path / "one")
    two = write_dataset(generate(cfg), tmp_path / "two")
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_another_seed_gives_other_data():
    a = generate(GeneratorConfig(contacts=300, seed=1, as_of=AS_OF)).tables["contacts"]
    b = generate(GeneratorConfig(contacts=300, seed=2, as_of=AS_OF)).tables["contacts"]
    assert not a["email"].equals(b["email"])


def test_manifest_records_parameters_counts_and_checksums(typical_dir):
    m = json.loads((typical_dir / "manifest.json").read_text())
    assert m["seed"] == 11 and m["parameters"]["as_of"] == AS_OF.isoformat()
    assert m["row_counts"]["contacts"] == 4000
    assert set(m["files"]) >= set(TABLES) | {"ground_truth", "policy"}
    assert {"numpy", "pandas", "faker"} <= set(m["library_versions"])
    gt = pd.read_csv(typical_dir / "ground_truth.csv")
    assert list(gt.columns) == ["rule_id", "table", "record_id"]


# --- bad options


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"contacts": -5}, "--contacts"),
        ({"contacts": 0}, "--contacts"),
        ({"locales": ("de_DE", "xx_XX")}, "xx_XX"),
        ({"rates": {"retention_exceeded": 1.5}}, "between 0 and 1"),
        ({"rates": {"no_such_rule": 0.1}}, "no_such_rule"),
        ({"profile": "chaotic"}, "--profile"),
        ({"format": "xlsx"}, "--format"),
        ({"seed": -1}, "--seed"),
    ],
)
def test_bad_options_are_rejected_with_a_message_naming_them(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        GeneratorConfig(**{"as_of": AS_OF, **kwargs})


def test_a_non_empty_folder_is_kept_and_force_replaces_only_a_dataset(tmp_path):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    ds = generate(GeneratorConfig(contacts=100, seed=1, as_of=AS_OF))
    with pytest.raises(ConfigError, match="--force"):
        write_dataset(ds, out)
    with pytest.raises(ConfigError, match="no gdprlab dataset"):
        write_dataset(ds, out, force=True)
    assert (out / "keep.txt").read_text() == "mine"
    (out / "keep.txt").unlink()
    write_dataset(ds, out)
    first = (out / "manifest.json").read_text()
    write_dataset(generate(GeneratorConfig(contacts=100, seed=2, as_of=AS_OF)), out, force=True)
    assert (out / "manifest.json").read_text() != first


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_folder_is_reported_before_generating(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ConfigError, match="cannot write"):
        write_dataset(generate(GeneratorConfig(contacts=50, seed=1, as_of=AS_OF)), locked / "ds")


def test_a_folder_under_a_file_is_reported_before_generating(tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    with pytest.raises(ConfigError, match="cannot write"):
        write_dataset(
            generate(GeneratorConfig(contacts=50, seed=1, as_of=AS_OF)), tmp_path / "notes.txt" / "ds"
        )


def test_a_failed_write_leaves_no_half_written_dataset(tmp_path, monkeypatch):
    from gdprlab.generator import dataset as module

    def boom(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(module, "manifest", boom)
    with pytest.raises(OSError):
        write_dataset(generate(GeneratorConfig(contacts=50, seed=1, as_of=AS_OF)), tmp_path / "ds")
    assert list(tmp_path.iterdir()) == []


def test_the_as_of_date_defaults_to_today():
    assert GeneratorConfig(contacts=10).as_of == dt.date.today()


def test_small_datasets_still_get_every_table():
    ds = generate(GeneratorConfig(contacts=1, seed=0, as_of=AS_OF, locales=("sv_SE",)))
    assert len(ds.tables["contacts"]) == 1
    assert set(ds.tables) == set(TABLES)
    for name, table in TABLES.items():
        assert set(table.column_names) <= set(ds.tables[name].columns), name
    assert len(ds.tables["staff"]) >= 30 and len(ds.tables["policies"]) == 8


# --- shards: large datasets are made in fixed-size shards, in parallel processes

SHARDED = GeneratorConfig(contacts=2500, seed=21, as_of=AS_OF, profile="messy")
SHARD_SIZE = 700  # 4 shards, the last one of 400 contacts


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    """The same sharded dataset written after generating in this process and in two worker processes."""
    tmp = tmp_path_factory.mktemp("sharded")
    one = write_dataset(generate(SHARDED, shard_size=SHARD_SIZE, workers=1), tmp / "one")
    two = write_dataset(generate(SHARDED, shard_size=SHARD_SIZE, workers=2), tmp / "two")
    return one, two


def _shard_of(contact_ids: pd.Series) -> pd.Series:
    return (contact_ids.str[1:].astype(int) - 1) // SHARD_SIZE


def test_sharded_datasets_do_not_depend_on_the_number_of_workers(sharded):
    one, two = sharded
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_emails_are_unique_across_shards(sharded):
    c = pd.read_csv(sharded[0] / "contacts.csv", dtype=str)
    assert _shard_of(c["contact_id"]).nunique() == 4
    assert c["email"].dropna().is_unique
    assert c["email"].str.lower().dropna().is_unique


def test_persons_repeat_only_within_a_shard_as_planted_duplicates_or_namesakes(sharded):
    """A name and birth date repeat for a re-registration (the same phone or address: labelled) or for two
    people (namesakes: nothing else in common, not labelled)."""
    c = pd.read_csv(sharded[0] / "contacts.csv", dtype=str).dropna(subset=["birth_date"])
    key = [c["first_name"].str.lower(), c["last_name"].str.lower(), c["birth_date"]]
    repeated = c[c.groupby(key)["contact_id"].transform("size") > 1]
    assert len(repeated) > 0
    assert (repeated.groupby(key)["contact_id"].agg(lambda s: _shard_of(s).nunique()) == 1).all()
    labelled = set(pd.read_csv(sharded[0] / "ground_truth.csv", dtype=str).query(
        "rule_id == 'inaccurate_data'")["record_id"])
    kinds = set()
    for _, group in repeated.sort_values("created_at").groupby(key):
        for n in range(1, len(group)):
            row, before = group.iloc[n], group.iloc[:n]
            same = ((before["phone"] == row["phone"])
                    | (before["email"].str.lower() == str(row["email"]).lower())
                    | ((before["street"] == row["street"]) & (before["postal_code"] == row["postal_code"])))
            kinds.add(bool(same.any()))
            found = row["contact_id"] in labelled
            assert found == bool(same.any()) or row["status"] == "erased", row["contact_id"]
    assert kinds == {True, False}  # both occur


def test_sharded_ground_truth_is_exactly_what_the_finders_find(sharded):
    from gdprlab.audit.engine import find_violations
    from gdprlab.crm.io import read_as_of, read_dataset, read_policy

    folder = sharded[0]
    found = find_violations(read_dataset(folder), read_policy(folder), read_as_of(folder))
    truth = pd.read_csv(folder / "ground_truth.csv", dtype=str, keep_default_na=False)
    assert found.values.tolist() == truth.values.tolist()


def test_merged_shards_are_numbered_in_order(sharded):
    tables = {name: pd.read_csv(sharded[0] / f"{name}.csv", dtype=str)
              for name in ("contacts", "consents", "activities", "requests")}
    for name, key in (("contacts", "contact_id"), ("consents", "consent_id"), ("activities", "activity_id"),
                      ("requests", "request_id")):
        numbers = tables[name][key].str[1:].astype(int)
        assert (numbers == np.arange(1, len(numbers) + 1)).all(), name
    for name in ("consents", "activities"):
        assert tables[name]["contact_id"].is_monotonic_increasing, name
    assert tables["requests"]["received_on"].is_monotonic_increasing


def test_planted_counts_are_exact_per_shard(sharded):
    m = json.loads((sharded[0] / "manifest.json").read_text())
    sizes = [SHARD_SIZE] * 3 + [SHARDED.contacts - 3 * SHARD_SIZE]
    populations = [s - round(0.006 * s) for s in sizes]  # contacts not erased
    rate = PROFILES["messy"]["retention_exceeded"]
    assert m["planted"]["retention_exceeded"]["population"] == sum(populations)
    assert m["planted"]["retention_exceeded"]["planted"] == sum(round(rate * p) for p in populations)



def test_a_stashed_shard_comes_back_with_the_same_tables_and_dtypes(tmp_path):
    """Workers hand their shards over as Arrow files; object columns (None for missing) must stay so."""
    from gdprlab.generator import shards
    from gdprlab.generator.dataset import STAGES
    from gdprlab.generator.pools import build_pool

    ds = generate(SHARDED, shard_size=SHARD_SIZE, workers=1)
    pools = {loc: build_pool(loc, SHARDED.seed * 100 + i) for i, loc in enumerate(SHARDED.locales)}
    ctx = shards.Context(SHARDED, ds.policy, pools, ds.tables["accounts"], ds.tables["staff"], [])
    part = shards.plan(SHARDED.contacts, SHARD_SIZE)[1]
    made = shards.make_shard(ctx, part, shards.shard_streams(SHARDED.seed, part, len(STAGES)))
    back = shards.load(shards.stash(made, str(tmp_path), part))
    assert list(tmp_path.iterdir()) == []  # loaded files are removed at once
    for name, df in made.tables.items():
        pd.testing.assert_frame_equal(back.tables[name], df, check_exact=True)
        for col in [c for c in df.columns if df[c].dtype == np.dtype(object)]:
            assert all(v is None for v in back.tables[name][col][df[col].isna()]), (name, col)


def test_parallel_generation_removes_its_stash_folder(monkeypatch, tmp_path):
    from gdprlab.generator import shards

    folder = tmp_path / "stash"

    def make_folder() -> str:
        folder.mkdir()
        return str(folder)

    monkeypatch.setattr(shards, "_stash_folder", make_folder)
    generate(SHARDED, shard_size=SHARD_SIZE, workers=2)
    assert not folder.exists()
