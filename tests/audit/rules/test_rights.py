"""Rights rules on tiny hand-made tables: Art. 12(3) deadlines in calendar months, extensions, erasure.

The as-of date is Tuesday 30 June 2026; the default policy keeps leads 24 months, refreshes training and
reviews policies every 12 months. Read as a specification of the definitions in gdprlab/regulation.
"""


from __future__ import annotations

from dataclasses import replace

from helpers import table
from rule_cases import POLICY, found, request


def test_a_reply_on_the_deadline_day_is_on_time():
    requests = table("requests", request("R1", "2026-03-10", "2026-04-10"),  # Tuesday -> Friday 10 April
                     request("R2", "2026-03-10", "2026-04-13"))
    assert found("request_overdue", requests=requests) == ["R2"]


def test_a_deadline_on_a_weekend_runs_to_monday():
    requests = table("requests", request("R1", "2026-02-14", "2026-03-16"),  # due Sat 14 March -> Mon 16
                     request("R2", "2026-02-14", "2026-03-17"))
    assert found("request_overdue", requests=requests) == ["R2"]


def test_31_january_plus_one_month_is_the_end_of_february():
    # 28 February 2026 is a Saturday, so the deadline is Monday 2 March
    requests = table("requests", request("R1", "2026-01-31", "2026-03-02"),
                     request("R2", "2026-01-31", "2026-03-03"))
    assert found("request_overdue", requests=requests) == ["R2"]


def test_an_open_request_is_judged_at_the_as_of_date():
    requests = table("requests", request("R1", "2026-05-30"),  # due Tuesday 30 June: not yet late
                     request("R2", "2026-05-29"))  # due Monday 29 June
    assert found("request_overdue", requests=requests) == ["R2"]


def test_a_timely_extension_gives_three_months():
    requests = table(
        "requests",
        request("R1", "2026-01-15", "2026-04-15", notice="2026-02-16"),  # notice on the 1-month deadline
        request("R2", "2026-01-15", "2026-04-16", notice="2026-02-16"),  # after the 3 months
    )
    assert found("request_overdue", requests=requests) == ["R2"]
    assert found("extension_not_notified", requests=requests) == []


def test_a_late_extension_notice_does_not_extend_the_deadline():
    # Art. 12(3): the extension counts only if notified within one month; a reply after that month with a
    # late notice is overdue, and the late notice is reported too while the reply is within three months
    requests = table(
        "requests",
        request("R1", "2026-01-15", "2026-03-20", notice="2026-02-17"),  # late notice, reply within 3 months
        request("R2", "2026-01-15", "2026-04-16", notice="2026-02-17"),  # late notice and after 3 months
        request("R3", "2026-01-15", "2026-02-16", notice="2026-02-17"),  # replied within the month
        request("R4", "2026-04-20", None, notice="2026-05-25"),  # open after one month, within 3
    )
    assert found("extension_not_notified", requests=requests) == ["R1", "R4"]
    assert found("request_overdue", requests=requests) == ["R1", "R2", "R4"]


GERMANY = replace(POLICY, controller_country="DE")


def test_a_deadline_on_a_public_holiday_of_the_controllers_country_runs_to_the_next_working_day():
    # received 6 March 2026: one month ends on Easter Monday (6 April), a holiday in Germany
    requests = table("requests", request("R1", "2026-03-06", "2026-04-07"),
                     request("R2", "2026-03-06", "2026-04-08"))
    assert found("request_overdue", GERMANY, requests=requests) == ["R2"]
    assert found("request_overdue", requests=requests) == ["R1", "R2"]  # no country: weekends only


def test_a_saturday_deadline_before_a_holiday_monday_runs_to_tuesday_not_monday():
    # one month from 4 March 2026 ends on Saturday 4 April; Easter Monday follows: due Tuesday 7 April
    requests = table("requests", request("R1", "2026-03-04", "2026-04-07"),
                     request("R2", "2026-03-04", "2026-04-08"))
    assert found("request_overdue", GERMANY, requests=requests) == ["R2"]


def test_holidays_move_the_extension_notice_and_the_three_month_deadline_too():
    # received 1 April 2026: one month ends Friday 1 May (Labour Day) -> Monday 4 May, so a notice on 4 May
    # is in time; three months end on Wednesday 1 July, after the as-of date (30 June): not overdue
    requests = table("requests", request("R1", "2026-04-01", None, notice="2026-05-04"),
                     request("R2", "2026-04-01", "2026-05-04"))
    assert found("extension_not_notified", GERMANY, requests=requests) == []
    assert found("request_overdue", GERMANY, requests=requests) == []
    assert found("extension_not_notified", requests=requests) == ["R1"]  # weekends only: due Friday 1 May


def test_a_regional_holiday_counts_for_a_controller_in_that_region():
    # Corpus Christi (4 June 2026) is a holiday in Bavaria, not in Berlin
    requests = table("requests", request("R1", "2026-05-04", "2026-06-05"))
    bavaria, berlin = (replace(GERMANY, controller_subdivision=region) for region in ("BY", "BE"))
    assert found("request_overdue", bavaria, requests=requests) == []
    assert found("request_overdue", berlin, requests=requests) == ["R1"]


def test_erasure_incomplete_leaves_contact_details_or_notes():
    contacts = table("contacts", {"contact_id": "C1", "email": "a@b.de", "status": "erased"},
                     {"contact_id": "C2", "status": "erased"}, {"contact_id": "C3", "status": "erased"},
                     {"contact_id": "C4", "email": "d@b.de"})
    activities = table("activities",
                       {"activity_id": "E1", "contact_id": "C2", "note": "Anruf wegen Angebot."},
                       {"activity_id": "E2", "contact_id": "C3", "type": "marketing_email"})
    erasures = [request(f"R{i}", "2026-01-05", "2026-01-20", contact_id=f"C{i}", type="erasure")
                for i in (1, 2, 3)]
    open_erasure = request("R4", "2026-06-25", contact_id="C4", type="erasure")
    requests = table("requests", *erasures, open_erasure)
    assert found("erasure_incomplete", requests=requests, contacts=contacts, activities=activities) == [
        "R1", "R2"]
