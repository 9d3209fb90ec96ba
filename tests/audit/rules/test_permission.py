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


def test_contract_or_legal_obligation_never_covers_marketing_even_with_a_consent():
    """EDPB Guidelines 2/2019: 6(1)(b) and 6(1)(c) cannot cover marketing; the basis named is the one judged
    (EDPB Guidelines 05/2020 paras. 121-123: it cannot be swapped afterwards for the consent on file)."""
    consents = table("consents", consent("K1", "2026-01-01T10:00:00Z"))
    activities = table(
        "activities",
        send("E1", "2026-02-01T10:00:00Z", basis="6(1)(b)"),  # consented, but sent under contract
        send("E2", "2026-02-01T10:00:00Z", basis="6(1)(c)"),  # legal obligation
        send("E3", "2026-02-01T10:00:00Z", purpose="product_offers", basis="6(1)(b)"),  # no consent either
        send("E4", "2026-02-01T10:00:00Z"),  # under the consent: fine
    )
    assert found("marketing_without_basis", activities=activities, consents=consents) == ["E1", "E2", "E3"]
    assert found("electronic_marketing_without_consent", activities=activities, consents=consents,
                 contacts=table("contacts", {"contact_id": "C1"})) == []


def _customer(contact_id: str = "C1", since: str | None = "2025-01-01", offered: bool | None = True,
              **kw) -> dict:
    return {"contact_id": contact_id, "status": "customer", "customer_since": since,
            "opt_out_offered_at_collection": offered, **kw}


def _offer(activity_id: str, at: str = "2026-02-01T10:00:00Z", contact_id: str = "C1",
           purpose: str = "product_offers", unsubscribe: bool | None = True, own: bool | None = True,
           basis: str | None = "6(1)(f)") -> dict:
    """A marketing e-mail under legitimate interests with every soft opt-in mark of the message."""
    return {**send(activity_id, at, purpose=purpose, basis=basis, contact_id=contact_id),
            "unsubscribe_link": unsubscribe, "own_similar_product": own}


def test_an_email_without_consent_needs_the_soft_opt_in():
    """Dir. 2002/58 Art. 13(1)-(2): prior consent, or an existing customer, the organisation's own similar
    products, and the opt-out offered at collection and in every message."""
    contacts = table("contacts", _customer("C1"), {"contact_id": "L1", "status": "lead"},
                     _customer("N1", offered=False), _customer("U1", offered=None),
                     _customer("LATE", since="2026-02-02"), _customer("DAY", since="2026-02-01"))
    consents = table("consents", consent("K1", "2026-01-01T00:00:00Z", purpose="product_offers",
                                         contact_id="L1"))
    activities = table(
        "activities",
        _offer("E1"),  # a lawful soft opt-in
        _offer("E2", contact_id="L1", at="2025-12-31T23:59:59Z"),  # a lead, before its consent
        _offer("E3", contact_id="L1"),  # the lead consented by then: fine
        _offer("E4", unsubscribe=False),  # no opt-out in the message
        _offer("E5", unsubscribe=None),  # not recorded: cannot be shown
        _offer("E6", own=False),  # not the organisation's own similar products
        _offer("E7", purpose="partner_offers"),  # another organisation's products, whatever is recorded
        _offer("E8", contact_id="N1"),  # no opt-out offered at collection
        _offer("E9", contact_id="U1"),  # not recorded
        _offer("E10", contact_id="LATE"),  # not yet a customer
        _offer("E11", contact_id="DAY"),  # a customer since the send's day
        _offer("E12", contact_id="NOBODY"),  # not among the contacts: no relationship known
        _offer("E13", basis="6(1)(e)", unsubscribe=False),  # any basis but consent, contract, obligation
    )
    found_ids = found("electronic_marketing_without_consent", activities=activities, consents=consents,
                      contacts=contacts)
    assert found_ids == ["E10", "E12", "E13", "E2", "E4", "E5", "E6", "E7", "E8", "E9"]


def test_sends_under_consent_are_left_to_marketing_without_basis_and_withdrawals_to_their_own_rule():
    """Each unlawful e-mail is one rule's finding: no basis or consent without consent, contract or
    obligation -> marketing_without_basis; a withdrawal or objection -> processing_after_withdrawal."""
    contacts = table("contacts", {"contact_id": "C1", "status": "lead"})
    consents = table("consents", consent("K1", "2026-01-01T00:00:00Z", "2026-01-15T00:00:00Z"))
    activities = table("activities", send("E1", "2026-02-01T00:00:00Z", purpose="product_offers"),
                       send("E2", "2026-02-01T00:00:00Z", purpose="product_offers", basis=None),
                       send("E3", "2026-02-01T00:00:00Z", basis="6(1)(f)"),  # after the withdrawal
                       send("E4", "2026-02-01T00:00:00Z", purpose="product_offers", basis="6(1)(f)"))
    tables = {"activities": activities, "consents": consents, "contacts": contacts}
    assert found("marketing_without_basis", **tables) == ["E1", "E2"]
    assert found("processing_after_withdrawal", **tables) == ["E3"]
    assert found("electronic_marketing_without_consent", **tables) == ["E4"]


def test_an_export_without_the_soft_opt_in_columns_leaves_those_conditions_unjudged_and_says_so():
    contacts = table("contacts", {"contact_id": "C1", "status": "customer"},
                     {"contact_id": "C2", "status": "former_customer"},
                     {"contact_id": "L1", "status": "lead"})
    contacts = contacts.drop(columns=["customer_since", "opt_out_offered_at_collection"])
    activities = table("activities", _offer("E1"), _offer("E2", contact_id="C2", unsubscribe=False),
                       _offer("E3", contact_id="L1"), _offer("E4", purpose="partner_offers"))
    activities = activities.drop(columns=["unsubscribe_link", "own_similar_product"])
    result = get_check("electronic_marketing_without_consent").run(
        {"activities": activities, "consents": table("consents"), "contacts": contacts}, None, AS_OF)
    assert sorted(result.record_ids) == ["E3", "E4"]
    assert any("customer_since" in text and "status" in text for text in result.caveats)
    assert any("opt_out_offered_at_collection" in text for text in result.caveats)
    assert any("unsubscribe_link" in text for text in result.caveats)
    assert any("own_similar_product" in text for text in result.caveats)


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


def test_a_pair_with_one_consent_is_judged_alike_on_its_own_or_grouped_with_others(monkeypatch):
    """Sends are joined to their consents and grouped back only where the pair's hash is shared by several
    consents. C1's newsletter has two consents (grouped: E2 follows a new one); the other pairs one or none.
    Were every pair's hash the same, every send would be grouped, with the same verdicts."""
    import ibis

    from gdprlab.audit.rules import permission

    consents = table(
        "consents",
        consent("K1", "2026-01-01T10:00:00Z", "2026-02-01T12:00:00Z"),
        consent("K2", "2026-03-01T00:00:00Z"),  # C1's newsletter: a second consent
        consent("K3", "2026-01-01T10:00:00Z", "2026-02-01T12:00:00Z", purpose="event_invitations"),
        consent("K4", "2026-01-01T10:00:00Z", contact_id="C2"),
    )
    activities = table(
        "activities",
        send("E1", "2026-02-15T00:00:00Z"), send("E2", "2026-03-02T00:00:00Z"),
        send("E3", "2026-02-15T00:00:00Z", purpose="event_invitations"),
        send("E4", "2025-12-31T00:00:00Z", contact_id="C2"),
        send("E5", "2026-01-02T00:00:00Z", contact_id="C2"),
        send("E6", "2026-01-02T00:00:00Z", contact_id="C3"),
    )
    want = {"marketing_without_basis": ["E4", "E6"], "processing_after_withdrawal": ["E1", "E3"]}

    def verdicts() -> dict[str, list[str]]:
        return {rule: found(rule, activities=activities, consents=consents) for rule in want}

    assert verdicts() == want
    monkeypatch.setattr(permission, "_pair", lambda t, rows: ibis.literal(7, "int64"))
    assert verdicts() == want


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


def test_a_send_after_both_a_withdrawal_and_an_objection_is_one_finding():
    consents = table("consents", consent("K1", "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"))
    requests = table("requests", {"request_id": "R1", "contact_id": "C1", "type": "objection",
                                  "received_on": "2026-04-10", "status": "open"})
    activities = table("activities", send("E1", "2026-04-20T00:00:00Z"))
    result = get_check("processing_after_withdrawal").run(
        {"activities": activities, "consents": consents, "requests": requests}, POLICY, AS_OF)
    assert result.record_ids == ("E1",) and result.count == 1


def _objection(request_id: str, received: str) -> dict:
    return {"request_id": request_id, "contact_id": "C1", "type": "objection", "received_on": received}


def test_a_fresh_specific_consent_after_an_objection_makes_later_sends_lawful_again():
    """Art. 21(3) stops marketing after an objection; a consent the contact gives afterwards for the purpose
    (Art. 6(1)(a), 7) is their own later choice. A later objection stops it again."""
    requests = table("requests", _objection("R1", "2026-04-10"), _objection("R2", "2026-06-10"))
    consents = table("consents", consent("K1", "2026-01-01T00:00:00Z"),
                     consent("K2", "2026-05-01T00:00:00Z"),  # opted in again after the first objection
                     consent("K3", "2026-04-10T00:00:00Z", purpose="event_invitations"),  # on its day
                     consent("K4", "2026-04-09T23:59:59Z", purpose="product_offers"))  # before it
    activities = table(
        "activities",
        send("E1", "2026-04-20T00:00:00Z"),  # after the objection, before the new consent
        send("E2", "2026-05-01T00:00:00Z"),  # at the new consent: fine
        send("E3", "2026-05-02T00:00:00Z", purpose="event_invitations"),  # consent given on the day: fine
        send("E4", "2026-05-02T00:00:00Z", purpose="product_offers"),  # its consent predates the objection
        send("E5", "2026-06-10T00:00:00Z"),  # the second objection
        send("E6", "2026-05-02T00:00:00Z", purpose="partner_offers"),  # no consent for that purpose
    )
    found_ids = found("processing_after_withdrawal", activities=activities, requests=requests,
                      consents=consents)
    assert found_ids == ["E1", "E4", "E5", "E6"]


def test_without_the_consents_no_fresh_consent_can_be_seen_and_the_result_says_so():
    requests = table("requests", _objection("R1", "2026-04-10"))
    activities = table("activities", send("E1", "2026-05-02T00:00:00Z"))
    result = get_check("processing_after_withdrawal").run({"activities": activities, "requests": requests},
                                                          None, AS_OF)
    assert list(result.record_ids) == ["E1"]
    assert any("consents given again after an objection" in text for text in result.caveats)


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
