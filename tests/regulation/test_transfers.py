"""The EEA and the Commission's adequacy decisions (Art. 45), shipped as data with their sources."""

from __future__ import annotations

from importlib.resources import files

import pytest

from gdprlab.regulation.law import ART8_AGE
from gdprlab.regulation.transfers import read_transfer_lists, transfer_lists

SHIPPED = files("gdprlab.regulation").joinpath("transfers.yaml").read_text(encoding="utf-8")


def test_the_eea_is_the_27_member_states_and_iceland_liechtenstein_norway():
    eea = transfer_lists().eea
    assert len(eea) == 30 and eea == set(ART8_AGE) | {"IS", "LI", "NO"}  # Art. 8's table: the 27


def test_each_adequacy_decision_names_its_commission_decision_and_scope():
    lists = transfer_lists()
    assert {"BR", "CH", "GB", "JP", "KR", "US", "CA"} <= set(lists.adequacy)
    assert all(a.decision.startswith("Commission") and a.scope for a in lists.adequacy.values())
    # decisions that cover only some recipients are not relied on from the country alone
    assert {c for c, a in lists.adequacy.items() if not a.whole} == {"US", "CA"}
    assert "2023/1795" in lists.adequacy["US"].decision and "2019/419" in lists.adequacy["JP"].decision
    assert "2026/179" in lists.adequacy["BR"].decision and lists.adequacy["BR"].whole
    assert not lists.eea & set(lists.adequacy)


def test_the_file_names_its_source_and_when_it_was_checked():
    # on or after the publication of the latest decision listed (Brazil, 28 January 2026)
    assert "commission.europa.eu" in SHIPPED and transfer_lists().checked >= "2026-01-28"


@pytest.mark.parametrize(("text", "error"), [
    ("checked: x\neea: [DE]\n", "expected the keys"),
    ("checked: x\neea: [NO]\nadequacy: []\n", "ISO 3166 codes"),  # YAML's bare NO is false
    ("checked: x\neea: ['DE']\nadequacy: [{country: DE, name: x, decision: y, scope: whole}]\n",
     "in the EEA"),
    ("checked: x\neea: ['DE']\nadequacy: [{country: CH, name: x}]\n", "expected country"),
])
def test_a_malformed_transfers_file_is_rejected_naming_the_problem(text, error):
    with pytest.raises(ValueError, match=error):
        read_transfer_lists(text, "t.yaml")
