"""Planted request deadlines: late by the Regulation's count, with the controller's public holidays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from gdprlab.audit.engine import violating_ids
from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.contacts import ContactPlan
from gdprlab.generator.labels import Labels
from gdprlab.generator.requests import finish_requests
from gdprlab.regulation.policy import Policy

AS_OF = dt.date(2026, 6, 30)
GERMANY = Policy(controller_country="DE")


def _requests(n: int, received: str) -> pd.DataFrame:
    day = np.full(n, np.datetime64(received, "D"))
    return pd.DataFrame({"contact_id": [f"C{i}" for i in range(n)], "type": "access", "received_on": day,
                         "extension_notified_on": np.full(n, np.datetime64("NaT", "D")),
                         "responded_on": day + 3, "erased_contact": False})


def _plan(n: int) -> ContactPlan:
    no = np.zeros(n, dtype=bool)
    return ContactPlan(no, no, no, no, no, np.full(n, "", dtype=object), np.full(n, "", dtype=object))


def test_planted_late_replies_and_notices_fall_after_a_deadline_moved_by_a_holiday():
    # received 6 March 2026: one month ends on Easter Monday, so in Germany the reply is due Tuesday
    # 7 April; replies and notices planted on 7 April would be on time there
    n = 600
    df = _requests(n, "2026-03-06")
    rates = {"request_overdue": 0.4, "extension_not_notified": 0.4}
    cfg = GeneratorConfig(contacts=n, as_of=AS_OF, rates=rates)
    labels = Labels()
    out = finish_requests(cfg, GERMANY, np.random.default_rng(3), df, _plan(n), df[["contact_id"]], labels)
    truth = labels.frame()
    for rule_id in ("request_overdue", "extension_not_notified"):
        planted = sorted(truth.loc[truth["rule_id"] == rule_id, "record_id"])
        assert len(planted) > 100
        assert violating_ids(rule_id, {"requests": out}, GERMANY, AS_OF) == planted, rule_id
    notices = pd.to_datetime(out["extension_notified_on"]).dropna()
    assert notices.min() == pd.Timestamp("2026-04-08")  # the first day after the rolled deadline
