"""Security-plan rules on tiny hand-made tables: 72 hours, informing subjects, the register.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

from helpers import table
from rule_cases import breach, found


def test_breach_notified_at_exactly_72_hours_is_on_time():
    breaches = table(
        "breaches",
        breach("B1", notified_authority_at="2026-01-04T00:00:00Z"),
        breach("B2", notified_authority_at="2026-01-04T00:00:01Z"),
        breach("B3", notified_authority_at="2026-01-09T00:00:00Z", delay_reason="Forensics needed first."),
    )
    assert found("breach_notified_late", breaches=breaches) == ["B2"]


def test_a_voluntary_notification_of_a_breach_unlikely_to_harm_is_never_late():
    """Art. 33(1) exempts a breach unlikely to result in a risk from notification: notifying it anyway, at any
    time and without reasons, is lawful. Without a risk assessment the exemption is not shown."""
    late = dict(notified_authority_at="2026-01-09T00:00:00Z")
    breaches = table("breaches", breach("B1", risk="unlikely", **late), breach("B2", risk="risk", **late),
                     breach("B3", risk=None, **late))
    assert found("breach_notified_late", breaches=breaches) == ["B2", "B3"]


def test_breach_not_notified_unless_unlikely_to_harm():
    breaches = table(
        "breaches",
        breach("B1", risk="high"),
        breach("B2", risk="unlikely"),
        breach("B3", risk="risk", notified_authority_at="2026-01-02T00:00:00Z"),
        breach("B4", aware="2026-06-27T00:00:00Z"),  # exactly 72 hours before the as-of midnight
        breach("B5", aware="2026-06-26T23:59:59Z"),
        breach("B6", risk=None),  # never assessed: not assessed as unlikely
    )
    assert found("breach_not_notified", breaches=breaches) == ["B1", "B5", "B6"]


def test_high_risk_breach_must_be_communicated_or_excepted():
    breaches = table(
        "breaches",
        breach("B1", risk="high"),
        breach("B2", risk="high", subjects_informed_at="2026-01-02T00:00:00Z"),
        breach("B3", risk="high", art34_exception="34(3)(a)"),
        breach("B4", risk="risk"),
        breach("B5", risk="high", aware="2026-06-28T00:00:00Z"),  # 48 hours at as-of
    )
    assert found("subjects_not_informed", breaches=breaches) == ["B1"]


def test_breach_record_needs_facts_effects_and_measures():
    breaches = table("breaches", breach("B1"), breach("B2", description=None), breach("B3", consequences=" "),
                     breach("B4", measures=""))
    assert found("breach_record_incomplete", breaches=breaches) == ["B2", "B3", "B4"]
