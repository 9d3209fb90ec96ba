"""The organisation's policy file: defaults, overrides and clear errors."""

from __future__ import annotations

import pytest

from gdprlab.regulation.policy import Policy, PolicyError, load_policy, policy_from_dict


def test_no_file_gives_the_documented_defaults():
    p = load_policy(None)
    assert p.retention_months == {"lead": 24, "customer": 36, "former_customer": 72}
    assert p.training_refresh_months == 12


def test_a_file_overrides_only_what_it_names(tmp_path):
    f = tmp_path / "policy.yaml"
    f.write_text("retention_months:\n  lead: 12\ntraining_refresh_months: 24\n")
    p = load_policy(f)
    assert p.retention_months["lead"] == 12 and p.retention_months["customer"] == 36
    assert p.training_refresh_months == 24


def test_the_written_policy_reads_back_equal(tmp_path):
    f = tmp_path / "policy.yaml"
    f.write_text(Policy().to_yaml())
    assert load_policy(f) == Policy()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"retention_month": {}}, "unknown setting"),
        ({"retention_months": {"prospect": 3}}, "prospect"),
        ({"retention_months": {"lead": -1}}, "lead"),
        ({"training_refresh_months": "twelve"}, "training_refresh_months"),
        ({"special_category_roles": "dpo"}, "special_category_roles"),
        ({"controller_country": "XX"}, "controller_country: 'XX' is not a country"),
        ({"controller_country": 49}, "controller_country must be a code"),
        ({"controller_country": "DE", "controller_subdivision": "Bayern"}, "'Bayern' is not a region of DE"),
        ({"controller_subdivision": "BY"}, "controller_subdivision needs controller_country"),
        ({"offers_services_to_children": "no"}, "offers_services_to_children must be true or false"),
    ],
)
def test_bad_settings_are_named(data, message):
    with pytest.raises(PolicyError, match=message):
        policy_from_dict(data, "policy.yaml")


def test_missing_and_broken_files_are_named(tmp_path):
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("retention_months: [\n")
    with pytest.raises(PolicyError, match="bad.yaml") as err:
        load_policy(bad)
    # one line with the parser's problem and its line, not the parser's quote of the text around it
    assert str(err.value) == (f"{bad}: not valid YAML (expected the node content, but found '<stream end>' "
                              "at line 2); fix the file")


def test_the_controllers_country_is_optional_and_read_as_a_code(tmp_path):
    assert Policy().controller_country is None and Policy().controller_subdivision is None
    f = tmp_path / "policy.yaml"
    f.write_text("controller_country: de\ncontroller_subdivision: by\n")
    p = load_policy(f)
    assert (p.controller_country, p.controller_subdivision) == ("DE", "BY")
    f.write_text(p.to_yaml())
    assert load_policy(f) == p


def test_services_to_children_are_assumed_offered_unless_the_policy_says_otherwise(tmp_path):
    """Art. 8(1) applies to information society services offered directly to a child; the rule applies
    unless the organisation states it offers none."""
    assert Policy().offers_services_to_children is True
    f = tmp_path / "policy.yaml"
    f.write_text("offers_services_to_children: false\n")
    p = load_policy(f)
    assert p.offers_services_to_children is False
    f.write_text(p.to_yaml())
    assert load_policy(f) == p


def test_every_concern_has_an_owner_and_every_severity_a_due_date_by_default():
    from gdprlab.regulation.catalogue import CONCERNS, SEVERITIES

    p = Policy()
    assert set(p.owners) == set(CONCERNS) and set(p.due_days) == set(SEVERITIES)
    assert p.due_days["critical"] == 7 and p.due_days["critical"] < p.due_days["low"]


def test_owners_and_due_days_override_what_they_name_and_read_back(tmp_path):
    p = policy_from_dict({"owners": {"people": "people_ops"}, "due_days": {"critical": 3}})
    assert p.owners["people"] == "people_ops" and p.owners["rights"] == Policy().owners["rights"]
    assert p.due_days == {**Policy().due_days, "critical": 3}
    f = tmp_path / "policy.yaml"
    f.write_text(p.to_yaml())
    assert load_policy(f) == p
    assert "owners" not in Policy().to_yaml()  # a generated dataset's policy file is unchanged


@pytest.mark.parametrize(("data", "message"), [
    ({"owners": {"marketing": "cmo"}}, "owners: unknown concern(s) ['marketing']"),
    ({"owners": {"people": ""}}, "owners.people: expected a role name"),
    ({"due_days": {"urgent": 1}}, "due_days: expected a mapping of"),
    ({"due_days": {"high": 0}}, "due_days.high: expected a whole number of days > 0"),
])
def test_a_bad_owner_or_due_date_setting_is_named(data, message):
    with pytest.raises(PolicyError) as info:
        policy_from_dict(data, "policy.yaml")
    assert message in str(info.value)


def test_what_an_answer_to_a_data_subject_states_reads_back(tmp_path):
    """Controller, contact, recipients (Art. 15(1)(c), 15(2)) and automated decisions (Art. 15(1)(h))."""
    f = tmp_path / "policy.yaml"
    f.write_text("controller_name: Example GmbH\ncontroller_contact: privacy@example.com\n"
                 "recipients:\n- {name: MailCo, kind: processor, purpose: newsletter sending, country: US,"
                 " safeguard: standard contractual clauses}\n")
    p = load_policy(f)
    assert p.controller_name == "Example GmbH" and p.recipients[0].country == "US"
    f.write_text(p.to_yaml())
    assert load_policy(f) == p


def test_a_policy_without_them_is_written_as_before():
    assert "controller_name" not in Policy().to_yaml() and "recipients" not in Policy().to_yaml()


@pytest.mark.parametrize("data, message", [
    ({"recipients": "MailCo"}, "recipients must be a list"),
    ({"recipients": [{"name": "MailCo", "kind": "friend"}]}, "kind must be one of"),
    ({"recipients": [{"name": "MailCo", "city": "X"}]}, "unknown key"),
    ({"controller_name": 3}, "controller_name must be text"),
])
def test_wrong_answer_settings_are_named(data, message):
    with pytest.raises(PolicyError, match=message):
        policy_from_dict(data)
