"""Permission rules on tiny hand-made tables: lawful basis, withdrawal, objection, proof, form, children.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

from dataclasses import replace

from helpers import table
from rule_cases import AS_OF, POLICY, consent, found, send

from gdprlab.audit.engine import get_check


def test_marketing_needs_a_consent_given_at_or_before_the_send():
    consents = table("consents", consent("K1", "2026-01-01T10:00:00Z"))
    activities = table(
        "activities",
        send("E1", "2026-01-01T10:00:00Z"),  # the very second of consent: fine
        send("E2", "2026-01-01T09:59:59Z"),  # one second early
        send("E3", "2026-02-01T10:00:00Z", purpose="product_offers"),  # never consented to
        send("E4", "2026-02-01T10:00:00Z", purpose="product_offers", basis=None),  # no basis named
        send("E5", "2026-02-01T10:00:00Z", purpose="product_offers", basis="6(1)(f)"),  # another basis
        {"activity_id": "E6", "contact_id": "C1", "type": "call", "occurred_at": "2025-01-01T00:00:00Z"},
    )
    assert found("marketing_without_basis", activities=activities, consents=consents) == ["E2", "E3", "E4"]


def test_marketing_after_a_withdrawal_is_not_marketing_without_basis():
    consents = table("consents", consent("K1", "2026-01-01T10:00:00Z", "2026-02-01T12:00:00Z"))
    activities = table("activities", send("E1", "2026-03-01T00:00:00Z"))
    assert found("marketing_without_basis", activities=activities, consents=consents) == []
    assert found("processing_after_withdrawal", activities=activities, consents=consents) == ["E1"]


def test_processing_after_withdrawal_starts_at_the_withdrawal_and_ends_with_a_new_consent():
    consents = table(
        "consents",
        consent("K1", "2026-01-01T10:00:00Z", "2026-02-01T12:00:00Z"),
        consent("K2", "2026-03-01T00:00:00Z"),  # consent given again
        consent("K3", "2026-01-01T10:00:00Z", "2026-02-01T12:00:00Z", purpose="event_invitations"),
    )
    activities = table(
        "activities",
        send("E1", "2026-02-01T11:59:59Z"),  # withdrawn one second after the send: fine
        send("E2", "2026-02-01T12:00:00Z"),  # at the withdrawal
        send("E3", "2026-02-15T00:00:00Z", basis="6(1)(f)"),  # whatever the basis
        send("E4", "2026-03-02T00:00:00Z"),  # after the new consent: fine
        send("E5", "2026-03-02T00:00:00Z", purpose="event_invitations"),  # that purpose stays withdrawn
    )
    found_ids = found("processing_after_withdrawal", activities=activities, consents=consents)
    assert found_ids == ["E2", "E3", "E5"]


def test_processing_after_an_objection_starts_on_the_day_it_was_received():
    requests = table("requests", {"request_id": "R1", "contact_id": "C1", "type": "objection",
                                  "received_on": "2026-04-10", "status": "open"},
                     {"request_id": "R2", "contact_id": "C2", "type": "access", "received_on": "2026-04-01"})
    activities = table(
        "activities",
        send("E1", "2026-04-09T23:59:59Z"),
        send("E2", "2026-04-10T00:00:00Z"),
        send("E3", "2026-04-20T00:00:00Z", basis="6(1)(f)"),
        send("E4", "2026-04-20T00:00:00Z", contact_id="C2"),  # no objection, just an access request
    )
    assert found("processing_after_withdrawal", activities=activities, requests=requests) == ["E2", "E3"]


def test_consent_without_proof_lacks_time_source_or_wording():
    consents = table(
        "consents",
        consent("K1", "2026-01-01T10:00:00Z"),
        consent("K2", None),
        consent("K3", "2026-01-01T10:00:00Z", source=None),
        consent("K4", "2026-01-01T10:00:00Z", wording_version=""),
    )
    assert found("consent_without_proof", consents=consents) == ["K2", "K3", "K4"]


def test_child_consent_follows_the_art8_age_of_the_country():
    contacts = table("contacts", {"contact_id": "FR1", "country": "FR", "birth_date": "2010-06-01"},
                     {"contact_id": "DE1", "country": "DE", "birth_date": "2010-06-01"},
                     {"contact_id": "X1", "country": "FR"})  # birth date unknown
    consents = table(
        "consents",
        consent("K1", "2025-06-01T00:00:00Z", contact_id="FR1"),  # 15 in France (age 15): fine
        consent("K2", "2025-05-31T23:59:59Z", contact_id="FR1"),  # still 14
        consent("K3", "2025-06-01T00:00:00Z", contact_id="DE1"),  # 15 in Germany (age 16)
        consent("K4", "2025-05-31T00:00:00Z", contact_id="FR1", source="paper_form"),  # not online
        consent("K5", "2025-05-31T00:00:00Z", contact_id="FR1", parental_authorisation=True),
        consent("K6", "2025-05-31T00:00:00Z", contact_id="X1"),
        consent("K7", "2025-05-31T00:00:00Z", contact_id="DE1", source="mobile_app"),
    )
    assert found("child_consent_without_authorisation", consents=consents, contacts=contacts) == [
        "K2", "K3", "K7"]


def test_a_childs_consent_without_any_authorisation_recorded_is_a_finding():
    """Art. 8(1) asks that the authorisation be given; an empty value does not show it was."""
    contacts = table("contacts", {"contact_id": "DE1", "country": "DE", "birth_date": "2010-06-01"})
    consents = table("consents", consent("K1", "2025-06-01T00:00:00Z", contact_id="DE1",
                                         parental_authorisation=None),
                     consent("K2", "2025-06-01T00:00:00Z", contact_id="DE1", parental_authorisation=True))
    assert found("child_consent_without_authorisation", consents=consents, contacts=contacts) == ["K1"]


def test_child_consent_does_not_apply_when_the_organisation_offers_children_no_online_services():
    """Art. 8(1) governs information society services offered directly to a child: the policy says whether
    the organisation offers any; when it offers none, the rule is not assessed and says why."""
    contacts = table("contacts", {"contact_id": "DE1", "country": "DE", "birth_date": "2010-06-01"})
    consents = table("consents", consent("K1", "2025-06-01T00:00:00Z", contact_id="DE1"))
    none_to_children = replace(POLICY, offers_services_to_children=False)
    result = get_check("child_consent_without_authorisation").run(
        {"consents": consents, "contacts": contacts}, none_to_children, AS_OF)
    assert result.status == "not_assessed" and result.record_ids == ()
    assert "offers_services_to_children: false" in result.reason and "Art. 8(1)" in result.reason


def test_child_consents_are_the_same_whether_contact_ids_are_sorted_or_not(typical_dir):
    """Sorted (unique) contact ids let the rule search only contacts young enough; shuffled ones do not."""
    from gdprlab.crm.io import read_dataset
    t = {name: df for name, df in read_dataset(typical_dir).items() if name in ("contacts", "consents")}
    expected = found("child_consent_without_authorisation", **t)
    assert len(expected) > 10
    shuffled = t["contacts"].sample(frac=1.0, random_state=1).reset_index(drop=True)
    assert found("child_consent_without_authorisation", consents=t["consents"], contacts=shuffled) == expected


def test_a_contact_id_recorded_twice_makes_a_child_only_if_every_record_does():
    """Records that disagree on the birth date are not enough to call the consent unlawful (in either order);
    every engine gives the same answer, since none has a 'first' row."""
    online = {"contact_id": "C1", "country": "DE"}
    child, adult = {**online, "birth_date": "2012-01-01"}, {**online, "birth_date": "1980-01-01"}
    consents = table("consents", consent("K1", "2025-06-01T00:00:00Z", contact_id="C1"))
    for records, flagged in (((adult, child), []), ((child, adult), []), ((child, child), ["K1"])):
        contacts = table("contacts", *records, {"contact_id": "C2", "birth_date": "2011-01-01"})
        assert found("child_consent_without_authorisation", consents=consents, contacts=contacts) == flagged


def test_invalid_consent_form_is_pre_ticked_or_bundled():
    consents = table("consents", consent("K1", "2026-01-01T00:00:00Z", method="pre_ticked_box"),
                     consent("K2", "2026-01-01T00:00:00Z", method="bundled_with_terms"),
                     consent("K3", "2026-01-01T00:00:00Z", method="unticked_checkbox"))
    assert found("invalid_consent_form", consents=consents) == ["K1", "K2"]
