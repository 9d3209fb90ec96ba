"""Security-plan rules on tiny hand-made tables: 72 hours, informing subjects, the register.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

from helpers import table
from rule_cases import breach, found


def test_breach_notified_at_exactly_72_hours_is_on_time():
    """The hour in which the controller became aware is not counted (Reg. 1182/71 Art. 3(1)): aware at
    midnight, the 72 hours start at 01:00 and end at 01:00 three days later."""
    breaches = table(
        "breaches",
        breach("B1", notified_authority_at="2026-01-04T01:00:00Z"),
        breach("B2", notified_authority_at="2026-01-04T01:00:01Z"),
        breach("B3", notified_authority_at="2026-01-09T00:00:00Z", delay_reason="Forensics needed first."),
    )
    assert found("breach_notified_late", breaches=breaches) == ["B2"]


def test_the_hour_of_awareness_is_not_counted_in_the_72_hours():
    """Aware at 10:20, the period starts at 11:00 (Reg. 1182/71 Art. 3(2)(a)): 72 h 39 min later is in
    time."""
    breaches = table(
        "breaches",
        breach("B1", aware="2026-01-01T10:20:00Z", notified_authority_at="2026-01-04T10:59:00Z"),
        breach("B2", aware="2026-01-01T10:20:00Z", notified_authority_at="2026-01-04T11:00:00Z"),
        breach("B3", aware="2026-01-01T10:20:00Z", notified_authority_at="2026-01-04T11:00:01Z"),
    )
    assert found("breach_notified_late", breaches=breaches) == ["B3"]


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
        breach("B4", aware="2026-06-26T23:00:00Z"),  # its 72 hours end at the as-of midnight
        breach("B5", aware="2026-06-26T22:59:59Z"),
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
