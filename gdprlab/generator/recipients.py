"""The recipients and processors of the contacts' data (the record of processing, Art. 30(1)(d), (e)), and
the automated decisions taken about contacts (Art. 22).

Each from a random stream of its own, so the rest of the data stays as it was. Planted violations: a
processor without an Art. 28(3) contract recorded; a recipient outside the EEA, in a country no adequacy
decision covers as a whole, with no transfer ground recorded, one naming an adequacy decision the country
lacks, or a derogation on compelling legitimate interests without the supervisory authority informed
(Art. 49(1) second subparagraph); lawful: Art. 49(1)(a) and (e) derogations, and that one with the
authority informed; a decision with a significant effect, not reviewed by a person, without an Art. 22(2)
exception, under one without the Art. 22(3) safeguards, or on special-category data without an Art. 9(2)(a)
or (g) condition (Art. 22(4)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdprlab.crm.schema import TABLES
from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.labels import Labels, format_ids, pick, split
from gdprlab.generator.timeutil import DAY, between, to_second
from gdprlab.regulation.transfers import transfer_lists

SCC = "46(2)(c) standard contractual clauses (Decision (EU) 2021/914)"
COMPELLING = "49(1) second subparagraph compelling legitimate interests"
#: (name, kind, purpose, country, transfer ground, Art. 49(1) derogation): the organisation's vendors and
#: partners
RECIPIENTS = (
    ("Nordlicht CRM Hosting Ltd", "processor", "CRM hosting", "IE", None, None),
    ("Mailwave Inc.", "processor", "newsletter sending", "US", "45 EU-US Data Privacy Framework (certified)",
     None),
    ("LeadEnrich Pvt Ltd", "processor", "contact data enrichment", "IN", SCC, None),
    ("Atlas Contact Centre SARL", "processor", "call centre", "MA", SCC, None),
    ("Kumo Backup K.K.", "processor", "off-site backup", "JP", None, None),
    ("Maple Survey Corp.", "processor", "customer surveys", "CA", "45 commercial organisation under PIPEDA",
     None),
    ("Analytica Pty Ltd", "processor", "product analytics", "AU", SCC, None),
    ("Helvetia Events AG", "recipient", "event registration", "CH", None, None),
    ("Steuerkanzlei Berger", "recipient", "tax accounting", "DE", None, None),
    ("PayFlow B.V.", "recipient", "payment processing", "NL", None, None),
    ("Global Trade Partners LLC", "recipient", "partner referrals", "US", None,
     "49(1)(a) explicit consent of the contact"),
    ("Courier Express Ltd", "recipient", "parcel delivery", "GB", None, None),
    ("Hudson & Reyes LLP", "recipient", "defence against a customer's legal claim in New York", "US", None,
     "49(1)(e) legal claims"),
    ("Straits Forensics Pte Ltd", "recipient", "one-off review of a suspected payment fraud", "SG", None,
     COMPELLING),
)
#: what a planted transfer records instead of a ground: nothing, or an adequacy decision the country lacks
CLAIMED_ADEQUACY = "45 adequacy decision"


def make_recipients(cfg: GeneratorConfig, labels: Labels) -> pd.DataFrame:
    rng = np.random.default_rng([cfg.seed, 2830])
    lists = transfer_lists()
    df = pd.DataFrame(RECIPIENTS, columns=["name", "kind", "purpose", "country", "safeguard", "derogation"])
    df.insert(0, "recipient_id", format_ids("RC", np.arange(1, len(df) + 1), 3))
    n = len(df)
    processor = (df["kind"] == "processor").to_numpy()
    days_ago = rng.integers(30, 1500, size=n).astype("timedelta64[D]")
    signed = np.datetime64(cfg.as_of, "D") - days_ago
    df["art28_contract"] = np.where(processor, [f"DPA signed {d}" for d in signed], None).astype(object)
    compelling = (df["derogation"] == COMPELLING).to_numpy()
    # the supervisory authority informed of a transfer on compelling legitimate interests (Art. 49(1))
    df["sa_informed_on"] = pd.to_datetime(np.where(compelling, np.datetime64(cfg.as_of, "D") - days_ago // 2,
                                                   np.datetime64("NaT", "D")))
    no_contract = pick(rng, processor, cfg.rate("processor_without_contract"), int(processor.sum()))
    df.loc[no_contract, "art28_contract"] = None
    labels.add("processor_without_contract", "recipients", df["recipient_id"].to_numpy()[no_contract],
               int(processor.sum()))
    outside = ~df["country"].isin(sorted(lists.eea)).to_numpy()
    eligible = outside & ~df["country"].isin(lists.whole_adequacy()).to_numpy()
    unsafe = pick(rng, eligible, cfg.rate("transfer_without_safeguard"), int(outside.sum()))
    _, claimed = split(rng, unsafe, 2)
    # a transfer on compelling legitimate interests keeps its derogation, without the authority informed;
    # any other: a ground claiming adequacy where the country has no decision at all, or nothing (a country
    # whose decision covers some recipients, named as the ground, would be lawful)
    uninformed = unsafe[compelling[unsafe]]
    no_decision = ~df["country"].isin(sorted(lists.adequacy)).to_numpy()
    claims = claimed[no_decision[claimed] & ~compelling[claimed]]
    df.loc[unsafe, "safeguard"] = None
    df.loc[np.setdiff1d(unsafe, uninformed), "derogation"] = None
    df.loc[uninformed, "sa_informed_on"] = pd.NaT
    df.loc[claims, "safeguard"] = CLAIMED_ADEQUACY
    labels.add("transfer_without_safeguard", "recipients", df["recipient_id"].to_numpy()[unsafe],
               int(outside.sum()))
    for column in ("safeguard", "derogation"):
        df[column] = df[column].astype(object).where(df[column].notna(), None)
    return df[TABLES["recipients"].column_names]


#: decisions: (kind, significant effect, statuses it is taken for, share of those contacts)
DECISIONS = (("lead_score", False, ("lead",), 0.5), ("payment_terms", True, ("customer",), 0.2))
EXCEPTIONS = ("22(2)(a) necessary for the instalment contract", "22(2)(c) explicit consent")
SPECIAL_SHARE = 0.05  # of significant decisions: based on special-category data
ART9_CONSENT = "9(2)(a) explicit consent to the use of health data for the payment terms"


def make_decisions(cfg: GeneratorConfig, contacts: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """Automated decisions about live contacts: lead scores (no significant effect) and payment terms
    (significant: instalment payment refused or granted), reviewed by a person or under an exception."""
    rng = np.random.default_rng([cfg.seed, 2200])
    status = contacts["status"].to_numpy()
    created = pd.to_datetime(contacts["created_at"]).to_numpy(dtype="datetime64[s]")
    end = to_second(np.datetime64(cfg.as_of, "D")) - DAY
    parts = []
    for kind, significant, statuses, share in DECISIONS:
        rows = np.flatnonzero(np.isin(status, statuses) & ~np.isnat(created) & (created < end)
                              & (rng.random(len(status)) < share))
        parts.append(pd.DataFrame({
            "contact_id": contacts["contact_id"].to_numpy()[rows], "kind": kind,
            "made_at": between(rng, created[rows], np.full(len(rows), end)),
            "significant_effect": significant}))
    df = pd.concat(parts, ignore_index=True).sort_values(["made_at", "contact_id"], kind="stable")
    df = df.reset_index(drop=True)
    n = len(df)
    significant = df["significant_effect"].to_numpy(dtype=bool)
    way = rng.integers(3, size=n)  # reviewed by a person; under an exception; both
    df["human_review"] = significant & (way != 1)
    exception = np.array(EXCEPTIONS, dtype=object)[rng.integers(len(EXCEPTIONS), size=n)]
    under_exception = significant & (way != 0)
    df["art22_exception"] = np.where(under_exception, exception, None).astype(object)
    # human intervention, the person's view and contest offered under either exception (Art. 22(3))
    df["art22_safeguards"] = pd.array(np.where(under_exception, True, None), dtype="boolean")
    # a few decisions on special-category data, under explicit consent to it (Art. 22(4), 9(2)(a))
    special = significant & (rng.random(n) < SPECIAL_SHARE)
    df["special_categories"] = significant & special
    df["art9_condition"] = np.where(special, ART9_CONSENT, None).astype(object)
    df.insert(0, "decision_id", format_ids("D", np.arange(1, n + 1), 7))
    bad = pick(rng, significant, cfg.rate("automated_decision_without_exception"), int(significant.sum()))
    no_exception, unguarded, no_condition = split(rng, bad, 3)
    df.loc[bad, "human_review"] = False
    df.loc[no_exception, ["art22_exception", "art22_safeguards"]] = None
    df.loc[unguarded, "art22_exception"] = exception[unguarded]
    df.loc[unguarded, "art22_safeguards"] = False
    df.loc[no_condition, "art22_exception"] = exception[no_condition]
    df.loc[no_condition, "art22_safeguards"] = True
    df.loc[no_condition, "special_categories"] = True
    df.loc[no_condition, "art9_condition"] = None
    labels.add("automated_decision_without_exception", "decisions", df["decision_id"].to_numpy()[bad],
               int(significant.sum()))
    return df[TABLES["decisions"].column_names]
