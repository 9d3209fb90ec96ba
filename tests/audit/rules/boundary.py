"""A CRM dataset made of boundary cases, with the records each rule must find in it, worked out by hand.

Every engine must give exactly these ids (tests/audit/rules/test_conformance.py). The cases are those
where engines are known to part from Python or from each other: text that is blank or only looks blank
(every Unicode whitespace character Python's str.isspace knows; zero-width and other characters that
are not whitespace), month ends and leap days in calendar-month periods, deadlines on weekends and on a
public holiday, case and Unicode folding (ß/SS/ẞ, the final sigma, İ, the ﬁ ligature, the long s),
pseudonyms padded with Unicode spaces and in upper case, timestamps a second either side of a limit.
Variants: timestamps with a time zone (UTC), optional columns and tables missing, every table empty, and
NULL in every column.

The as-of date is Sunday 1 March 2026 (the day after 28 February, so that a period clamped to the end
of February ends before it, and one overflowing into March does not), under the policy POLICY below.
Ids name their case; the comments say why each one is (or is not) found, from the rule definitions in
gdprlab/regulation/catalogue.py. At the end: the engines the rule tests run on.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from helpers import table

from gdprlab.audit.rules.base import WHITESPACE
from gdprlab.crm import protect
from gdprlab.crm.backends import connect
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.policy import Policy

AS_OF = dt.date(2026, 3, 1)
POLICY = Policy(retention_months={"lead": 24, "customer": 1},
                review_interval_months={"privacy_notice": 1, "retention_policy": 12,
                                        "incident_response_plan": 24},
                special_category_roles=("data_protection_officer",), controller_country="DE")
#: not whitespace for Python (zero-width space, byte-order mark, Mongolian vowel separator), so not blank
NOT_BLANK = ("\u200b", "\ufeff", "\u180e")
_TOKEN = protect.encrypt(["DE89370400440532013000"], protect.synthetic_key(0), np.random.default_rng(0))[0]


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _space(ch: str) -> str:
    """Id suffix of a whitespace character: its code point."""
    return f"{ord(ch):04x}"


# ----------------------------------------------------------------------------------------------------------
# contacts
# ----------------------------------------------------------------------------------------------------------

def _contact(contact_id: str, **kw) -> dict:
    """A contact that no rule finds unless `kw` makes it: no birth date (so no duplicate), no activity
    date (so no retention limit), no e-mail, phone or sensitive value."""
    return {"contact_id": contact_id, "first_name": contact_id, "last_name": "Boundary", "status": "lead",
            "country": "DE", **kw}


def _a14(contact_id: str, created: str | None, source: str | None = "purchased_list", **kw) -> dict:
    """A contact whose data came from `source`, created (obtained) at `created`."""
    return _contact(contact_id, obtained_from=source, created_at=created, **kw)


def _twin(contact_id: str, first: str, last: str, birth: str, created: str | None, **kw) -> dict:
    """A contact with a name, a birth date and the phone every twin shares (unless `kw` says otherwise), of
    a status without retention period in POLICY (its creation date is old)."""
    kw = {"phone": "+4915112345678", "status": "former_customer", **kw}
    return _contact(contact_id, first_name=first, last_name=last, birth_date=birth, created_at=created, **kw)


CONTACTS = [
    # retention_exceeded: leads 24 months, customers 1 month after the last activity's day
    _contact("ret-leap-lead", last_activity_at="2024-02-29T12:00:00"),  # ended 28 Feb 2026: found
    _contact("ret-lead-on-day", last_activity_at="2024-03-01T00:00:00"),  # ends on as-of
    _contact("ret-lead-evening", last_activity_at="2024-03-01T23:59:59"),  # ends on as-of
    _contact("ret-jan31-customer", status="customer", last_activity_at="2026-01-31T08:00"),  # found: 28 Feb
    _contact("ret-feb1-customer", status="customer", last_activity_at="2026-02-01T00:00:00"),  # 1 Mar
    _contact("ret-erased", status="erased", last_activity_at="2010-01-01T00:00:00"),
    _contact("ret-status-case", status="Lead", last_activity_at="2010-01-01T00:00:00"),  # no period set
    _contact("ret-status-space", status="lead ", last_activity_at="2010-01-01T00:00:00"),  # no period set
    _contact("ret-status-null", status=None, last_activity_at="2010-01-01T00:00:00"),  # no period set
    _contact("ret-former", status="former_customer", last_activity_at="2010-01-01T00:00:00"),  # not in POLICY
    # ... counted from the last interaction (marketing sends and notes are none), its creation without one,
    # or the end of the contract when later; an Art. 17(3) hold in force keeps the contact
    _contact("ret-only-marketing", created_at="2024-02-29T12:00:00",
             last_activity_at="2026-02-27T00:00:00"),  # found: created 24 months ago, only sends since
    _contact("ret-call-on-day", created_at="2020-01-01T00:00:00",
             last_activity_at="2026-02-27T00:00:00"),  # its last call ends on as-of; a note since
    _contact("ret-call-leap", created_at="2020-01-01T00:00:00",
             last_activity_at="2026-02-27T00:00:00"),  # found: its last call ended 28 Feb; a note since
    _contact("ret-contract-feb1", status="customer", created_at="2020-01-01T00:00:00",
             contract_ended_on="2026-02-01"),  # its call is older, the contract ended 1 Feb: ends on as-of
    _contact("ret-contract-jan31", status="customer", created_at="2020-01-01T00:00:00",
             contract_ended_on="2026-01-31"),  # found: ended 28 Feb
    _contact("ret-held", created_at="2010-01-01T00:00:00", retention_ground="17(3)(e) legal claims",
             retention_until="2026-03-01"),  # the hold runs to as-of
    _contact("ret-held-ended", created_at="2010-01-01T00:00:00", retention_ground="17(3)(e) legal claims",
             retention_until="2026-02-28"),  # found
    # inaccurate_data: e-mail forms (gdprlab.audit.validate.valid_email decides)
    _contact("em-ok", email="a@b.de"),
    _contact("em-upper", email="A@X.DE"),
    _contact("em-dot-first", email=".a@x.de"),  # a dot may start the local part
    _contact("em-zero-width", email="a\u200bb@x.de"),  # not whitespace
    _contact("em-emoji", email="\U0001f600@x.de"),
    _contact("em-dotdot", email="a..b@x.de"),  # found
    _contact("em-newline", email="a@x.de\n"),  # found: Java's $ would accept it, \z does not
    _contact("em-line-sep", email="a@x.de\u2028"),  # found
    _contact("em-nbsp", email="a\u00a0b@x.de"),  # found: a space inside
    _contact("em-padded", email=" a@x.de"),  # found: a space is not part of an address
    _contact("em-accent-tld", email="a@x.d\u00e9"),  # found: the top-level domain is ASCII letters
    _contact("em-kelvin-tld", email="a@x.\u212a\u212a"),  # found: Kelvin signs are not ASCII K
    _contact("em-blank", email="\u3000"),  # blank: absent, not invalid
    _contact("em-erased", email="x@@y", status="erased"),  # erased contacts are not judged
    # inaccurate_data: phone numbers for the contact's country
    _contact("ph-ok", phone="+4915112345678"),
    _contact("ph-national", phone="0151 12345678"),  # valid with DE as region
    _contact("ph-short", phone="+4912345"),  # found
    # national form without a country: not assessable (a caveat counts it), never inaccurate
    _contact("ph-no-country", phone="0151 12345678", country=None),
    _contact("ph-blank", phone="\u2003"),  # blank: absent
    # inaccurate_data: later duplicates (first and last name casefolded, birth date); the earliest is kept
    _twin("dup-strauss-1", "Jörg", "Strauß", "1980-05-01", "2024-01-01T00:00:00"),
    _twin("dup-strauss-2", "JÖRG", "STRAUSS", "1980-05-01", "2024-01-02T00:00:00"),  # found: ß is ss
    _twin("dup-strauss-3", "jörg", "strauss", "1980-05-01", "2024-01-01T00:00:00"),  # as early: not later
    _twin("dup-strauss-4", "JÖRG", "STRAU\u1e9e", "1980-05-01", "2024-01-03T00:00:00"),  # found: ẞ is ss
    _twin("dup-strauss-5", "Jörg", "Strauß", "1980-05-01", None),  # no creation time: neither
    _twin("dup-sigma-1", "Γιαννης", "Καρας", "1975-07-07", "2023-05-05T00:00:00"),
    _twin("dup-sigma-2", "ΓΙΑΝΝΗΣ", "ΚΑΡΑΣ", "1975-07-07", "2023-05-06T00:00:00"),  # found: ς, σ, Σ alike
    _twin("dup-sigma-3", "γιαννησ", "καρασ", "1975-07-07", "2023-05-07T00:00:00"),  # found
    _twin("dup-i-1", "\u0130lker", "Kaya", "1990-01-01", "2022-01-01T00:00:00"),
    _twin("dup-i-2", "ilker", "Kaya", "1990-01-01", "2022-01-02T00:00:00"),  # İ folds to i + dot: not a twin
    _twin("dup-i-3", "\u0130LKER", "KAYA", "1990-01-01", "2022-01-03T00:00:00"),  # found: twin of dup-i-1
    _twin("dup-i-4", "ILKER", "KAYA", "1990-01-01", "2022-01-04T00:00:00"),  # found: twin of dup-i-2
    _twin("dup-fi-1", "\ufb01ona", "Lee", "1985-03-03", "2021-01-01T00:00:00"),
    _twin("dup-fi-2", "FIONA", "LEE", "1985-03-03", "2021-06-01T00:00:00"),  # found: ﬁ is fi
    _twin("dup-space-1", "Anna", "Berg", "1970-01-01", "2020-01-01T00:00:00"),
    _twin("dup-space-2", "Anna ", "Berg", "1970-01-01", "2021-01-01T00:00:00"),  # names are not trimmed
    _twin("dup-other-day", "Anna", "Berg", "1970-01-02", "2021-01-01T00:00:00"),  # another birth date
    _twin("dup-no-first", None, "Berg", "1970-01-01", "2022-01-01T00:00:00"),  # no first name: no twin
    _twin("dup-erased", "ANNA", "BERG", "1970-01-01", "2023-01-01T00:00:00", status="erased"),  # not judged
    # ... names and birth date are not enough: one more identifier (e-mail, phone, national id, street and
    # postal code) in common; e-mails and addresses casefolded, phones by their digits and '+'
    _twin("dup-namesake-1", "Ole", "Nord", "1966-06-06", "2020-01-01T00:00:00", phone=None, email="ole@a.de"),
    _twin("dup-namesake-2", "Ole", "Nord", "1966-06-06", "2021-01-01T00:00:00", phone=None,
          email="ole@b.de", street="Ring 1", postal_code="10115"),  # another person
    _twin("dup-email", "OLE", "NORD", "1966-06-06", "2022-01-01T00:00:00", phone=None,
          email="OLE@B.DE"),  # found
    _twin("dup-phone-form", "Ole", "Nord", "1966-06-06", "2023-01-01T00:00:00",
          phone="+49 151 12345678"),  # the first with this phone
    _twin("dup-phone-form-2", "Ole", "Nord", "1966-06-06", "2023-06-01T00:00:00"),  # found: same digits
    _twin("dup-address", "Ole", "Nord", "1966-06-06", "2024-01-01T00:00:00", phone=None,
          street="RING 1", postal_code="10115"),  # found: the street and postal code of dup-namesake-2
    _twin("dup-street-only", "Ole", "Nord", "1966-06-06", "2024-06-01T00:00:00", phone=None,
          street="Ring 1", postal_code="20095"),  # the same street in another town
    _twin("dup-blank-email", "Ole", "Nord", "1966-06-06", "2025-01-01T00:00:00", phone=None,
          email="\u3000"),  # a blank e-mail is no e-mail
    # plaintext_sensitive_field: national_id, iban and accessibility_needs are to be encrypted
    _contact("pt-iban", iban="DE89370400440532013000"),  # found
    _contact("pt-national-id", national_id="123"),  # found
    _contact("pt-token", iban=_TOKEN),
    _contact("pt-token-shaped", iban=protect.PREFIX + "\U0001f600" * (protect.TOKEN_LENGTH - 7)),  # a token
    _contact("pt-token-padded", iban=" " + _TOKEN),  # found: a token has no space
    _contact("pt-token-short", iban=_TOKEN[:-1]),  # found
    _contact("pt-blank", iban="\u3000\t"),  # blank: nothing held
    _contact("pt-zero-width", iban="\u200b"),  # found: not blank
    # weak_pseudonymisation: the pseudonym (trimmed, lower-cased) is a weak digest of the e-mail (trimmed,
    # lower-cased as Python's str.lower does: İ to i + combining dot, a word-final Σ to ς)
    _contact("wp-md5-padded", email=" Anna@Web.de\u3000",
             pseudonym="\u2003" + _md5("anna@web.de").upper() + "\u3000"),  # found (an invalid e-mail too)
    _contact("wp-sha1", email="x@y.de", pseudonym=protect.weak_pseudonym("x@y.de", "sha1")),  # found
    _contact("wp-sha256-line-sep", email="x@y.de",
             pseudonym=protect.weak_pseudonym("x@y.de", "sha256") + "\u2028"),  # found
    _contact("wp-salted", email="x@y.de", pseudonym=hashlib.sha256(b"salt:x@y.de").hexdigest()),
    _contact("wp-dotted-i", email="\u0130LKER@x.tr",
             pseudonym=protect.weak_pseudonym("\u0130LKER@x.tr", "md5")),  # found
    _contact("wp-dotted-i-plain", email="\u0130LKER@x.tr", pseudonym=_md5("ilker@x.tr")),  # i + dot, not i
    _contact("wp-sigma-final", email="ΟΔΟΣ@x.gr",
             pseudonym=protect.weak_pseudonym("ΟΔΟΣ@x.gr", "md5")),  # found
    _contact("wp-sigma-plain", email="ΟΔΟΣ@x.gr", pseudonym=_md5("οδοσ@x.gr")),  # Python lowers to ς here
    _contact("wp-sigma-first", email="ΣΟΦΙΑ@x.gr",
             pseudonym=protect.weak_pseudonym("ΣΟΦΙΑ@x.gr", "sha1")),  # found
    _contact("wp-no-email", pseudonym=_md5("")),
    # special_category_without_condition: accessibility needs (health) held without an Art. 9(2) condition
    _contact("sc-needs", accessibility_needs="wheelchair"),  # found (and plaintext)
    _contact("sc-needs-condition", accessibility_needs="wheelchair", art9_condition="9(2)(a)"),  # plaintext
    _contact("sc-needs-blank-condition", accessibility_needs="wheelchair", art9_condition="\u2003"),  # found
    _contact("sc-needs-blank", accessibility_needs=" \u3000"),  # nothing held
    _contact("sc-needs-zero-width", accessibility_needs="\u200b"),  # found (and plaintext): not blank
    _contact("sc-needs-token", accessibility_needs=_TOKEN),  # found: encrypted, but held
    # ... or revealed by an activity note (gdprlab.audit.discovery.special_terms, RE2's case folding)
    *(_contact(f"sc-note-{case}") for case in ("upper", "long-s", "polish", "line-sep", "vertical-tab",
                                               "inside-word", "none", "missing")),
    _contact("sc-note-condition", art9_condition="9(2)(a)"),
    # ... by a condition recorded for the category revealed (art9_categories, Python's lower(), names apart
    # by whitespace, ',' or ';'); a condition without categories covers health only
    _contact("sc-cat-health-only", art9_condition="9(2)(a)", art9_categories="health"),  # found: a union
    _contact("sc-cat-upper", art9_condition="9(2)(a)", art9_categories="HEALTH;TRADE_UNION"),
    _contact("sc-cat-nbsp", art9_condition="9(2)(a)", art9_categories="health\u00a0trade_union"),
    _contact("sc-cat-zero-width", art9_condition="9(2)(a)", art9_categories="trade_union\u200b"),  # found
    _contact("sc-cat-dotted-i", art9_condition="9(2)(e)",
             art9_categories="POL\u0130T\u0130CAL_OP\u0130N\u0130ON"),  # found: İ lowers to i + dot
    _contact("sc-cat-long-s", art9_condition="9(2)(a)", art9_categories="\u017fex_life"),  # found: ſ is not s
    _contact("sc-cat-blank", art9_condition="9(2)(a)", art9_categories="\u3000"),  # found: health only
    _contact("sc-cat-no-condition", art9_condition=" ", art9_categories="trade_union"),  # found
    # criminal_data_without_authorisation: a note revealing criminal-offence data (criminal_terms.yaml)
    _contact("cr-note-upper"),  # found
    _contact("cr-note-blank-authorisation", art10_authorisation="\u3000"),  # found: blank
    _contact("cr-note-authorised", art10_authorisation="§ 34a GewO"),
    _contact("cr-note-inside-word"),
    # child_consent_without_authorisation: birth dates and countries (Art. 8 age: SE 13, DE 16)
    _contact("ch-se-leap", birth_date="2012-02-29", country="SE"),  # 13 on 28 Feb 2025
    _contact("ch-de-leap", birth_date="2008-02-29", country="DE"),  # 16 on 29 Feb 2024
    _contact("ch-se-lower", birth_date="2011-06-01", country="se"),  # country upper-cased: SE
    _contact("ch-se-long-s", birth_date="2011-06-01", country="\u017fe"),  # ſ upper-cases to S: SE
    _contact("ch-se-padded", birth_date="2011-06-01", country=" se"),  # no such country: 16
    _contact("ch-no-country", birth_date="2011-06-01", country=None),  # 16
    _contact("ch-twice", birth_date="2013-01-01", country="SE"),  # a child ...
    _contact("ch-twice", first_name="ch-twice-adult", birth_date="1980-01-01", country="SE"),  # ... or not
    _contact("ch-no-birth", country="DE"),
    # erasure_incomplete: what remains of erased contacts
    _contact("er-name", first_name="Eva", status="erased"),
    _contact("er-blank", first_name="\u3000", last_name="\t", email=" ", phone="\u2029", status="erased"),
    _contact("er-zero-width", first_name=None, last_name="\u200b", status="erased"),
    _contact("er-note", first_name=None, last_name=None, status="erased"),
    _contact("pe-held", first_name=None, last_name=None, retention_ground="17(3)(e) legal claims",
             retention_until="2026-03-01", status="erased"),  # processing_after_erasure_or_restriction
    # ... every personal column counts (not only name, e-mail, phone); a hold in force (ground and end date
    # on or after as-of) covers what remains, an ended, blank-ground or open-ended hold covers nothing
    _contact("er-street", first_name=None, last_name=None, street="Hauptstr. 1", status="erased"),
    _contact("er-held", retention_ground="17(3)(b) tax law", retention_until="2026-03-01", status="erased"),
    _contact("er-held-ended", retention_ground="17(3)(b) tax law", retention_until="2026-02-28",
             status="erased"),
    _contact("er-held-blank", retention_ground="\u3000", retention_until="2027-01-01", status="erased"),
    _contact("er-held-no-end", retention_ground="17(3)(e) legal claims", status="erased"),
    _contact("er-held-note", first_name=None, last_name=None, retention_ground="17(3)(e)",
             retention_until="2027-01-01", status="erased"),
    _contact("er-blank-note", first_name=None, last_name=None, status="erased"),
    # consents and marketing
    _contact("consenter"),
    *(_contact(f"mk-{case}") for case in ("a", "undated", "w", "o")),
    # the soft opt-in: a customer since the day given, offered the opt-out when the address was collected
    _contact("ep-customer", status="customer", customer_since="2025-06-01",
             opt_out_offered_at_collection=True),
    _contact("ep-no-opt-out", status="customer", customer_since="2025-01-01",
             opt_out_offered_at_collection=False),
    _contact("ep-lead"),  # no customer relationship
    # third_party_data_without_notice: one month from the day of created_at, rolled over weekends and German
    # holidays (POLICY), or the first communication (call, email, marketing_email, meeting) if earlier
    _a14("a14-no-notice", "2026-01-15T10:00:00"),  # 15 Feb a Sunday: ended Mon 16 Feb; found
    _a14("a14-notice-on-monday", "2026-01-15T10:00:00", art14_notice_on="2026-02-16"),  # in time
    _a14("a14-notice-tuesday", "2026-01-15T10:00:00", "partner_referral",
         art14_notice_on="2026-02-17"),  # found
    _a14("a14-jan27", "2026-01-27T23:30:00", "public_source"),  # ended Fri 27 Feb: found
    _a14("a14-jan28", "2026-01-28T00:00:00", "public_source"),  # Sat 28 Feb runs to Mon 2 Mar: not yet
    _a14("a14-jan31", "2026-01-31T08:00:00", "enrichment"),  # clamped to Sat 28 Feb, runs to 2 Mar
    # 25 Dec 2025 a Thursday, 26 Dec a holiday too, then a weekend: the month ran to Mon 29 Dec
    _a14("a14-christmas-ok", "2025-11-25T09:00:00", art14_notice_on="2025-12-29"),
    _a14("a14-christmas-late", "2025-11-25T09:00:00", art14_notice_on="2025-12-30"),  # found
    _a14("a14-called", "2026-02-20T10:00:00"),  # called on 22 Feb without notice: found (14(3)(b))
    _a14("a14-called-same-day", "2026-02-20T10:00:00", art14_notice_on="2026-02-22"),  # told on the call
    _a14("a14-called-before-notice", "2026-02-20T10:00:00", art14_notice_on="2026-02-23"),  # found
    _a14("a14-noted", "2026-02-20T10:00:00"),  # only a note filed: no communication
    _a14("a14-called-after-as-of", "2026-02-20T10:00:00"),  # the call is after as-of
    _a14("a14-exempt", "2026-01-15T10:00:00", art14_exemption="14(5)(a) informed by the partner"),
    _a14("a14-exempt-blank", "2026-01-15T10:00:00", art14_exemption=" \u3000"),  # found
    _a14("a14-exempt-zero-width", "2026-01-15T10:00:00", art14_exemption="\u200b"),  # recorded: not blank
    _a14("a14-from-subject", "2025-01-01T00:00:00", "data_subject"),  # Art. 13, not 14
    _a14("a14-other-source", "2025-01-01T00:00:00", "trade_fair"),  # unknown source: not judged (caveat)
    _a14("a14-source-case", "2025-01-01T00:00:00", "Purchased_List"),  # not a value the rule knows
    _a14("a14-source-null", "2025-01-01T00:00:00", None),
    _a14("a14-no-created", None),  # no day obtained, no communication: nothing to judge
    _a14("a14-no-created-called", None),  # but called on 1 Feb without notice: found
    # Art. 14(3)(c): at the latest when the data is first disclosed to a recipient, if that is earlier
    _a14("a14-disclosed", "2026-02-10T09:00:00", first_disclosed_on="2026-02-12"),  # month runs on: found
    _a14("a14-disclosed-same-day", "2026-02-10T09:00:00", first_disclosed_on="2026-02-12",
         art14_notice_on="2026-02-12"),
    _a14("a14-disclosed-before-notice", "2026-02-10T09:00:00", first_disclosed_on="2026-02-12",
         art14_notice_on="2026-02-13"),  # found
    _a14("a14-disclosed-after-as-of", "2026-02-10T09:00:00", first_disclosed_on="2026-03-02"),
    _a14("a14-disclosed-after-notice", "2026-01-15T10:00:00", art14_notice_on="2026-02-16",
         first_disclosed_on="2026-02-20"),  # told within the month, before the disclosure
    _a14("a14-disclosed-exempt", "2026-02-10T09:00:00", first_disclosed_on="2026-02-12",
         art14_exemption="14(5)(c) disclosure laid down by law"),
]

# ----------------------------------------------------------------------------------------------------------
# consents
# ----------------------------------------------------------------------------------------------------------


def _consent(consent_id: str, contact_id: str = "consenter", **kw) -> dict:
    """A provable, valid consent to the newsletter (parental authorisation recorded: never a child's)."""
    return {"consent_id": consent_id, "contact_id": contact_id, "purpose": "newsletter",
            "given_at": "2025-01-01T00:00:00", "source": "web_form", "wording_version": "NEWS-1",
            "method": "double_opt_in", "parental_authorisation": True, **kw}


def _child(consent_id: str, contact_id: str, given: str | None, **kw) -> dict:
    return _consent(consent_id, contact_id, **{"given_at": given, "parental_authorisation": False, **kw})


CONSENTS = [
    # consent_without_proof: given_at, source and wording_version
    *(_consent(f"k-source-{_space(ch)}", source=ch) for ch in WHITESPACE),  # each found
    _consent("k-source-all-spaces", source=WHITESPACE),  # found
    _consent("k-source-empty", source=""),  # found
    _consent("k-source-null", source=None),  # found
    *(_consent(f"k-source-{_space(ch)}", source=ch) for ch in NOT_BLANK),  # recorded
    _consent("k-wording-spaces", wording_version="\u2003\u2003"),  # found
    _consent("k-not-given", given_at=None),  # found
    # invalid_consent_form
    _consent("k-pre-ticked", method="pre_ticked_box"),  # found
    _consent("k-bundled", method="bundled_with_terms"),  # found
    _consent("k-pre-ticked-case", method="Pre_Ticked_Box"),  # another method
    _consent("k-pre-ticked-space", method="pre_ticked_box "),  # another method
    _consent("k-method-null", method=None),
    # child_consent_without_authorisation: online, without parental authorisation, under the Art. 8 age
    _child("k-ch-se-leap-birthday", "ch-se-leap", "2025-02-28T00:00:00"),  # 13 that day
    _child("k-ch-se-leap-eve", "ch-se-leap", "2025-02-27T23:59:59"),  # found: 12
    _child("k-ch-de-leap-eve", "ch-de-leap", "2024-02-28T12:00:00"),  # found: 15
    _child("k-ch-de-leap-day", "ch-de-leap", "2024-02-29T00:00:00"),  # 16
    _child("k-ch-se-lower", "ch-se-lower", "2025-06-01T00:00:00"),  # 14, SE: 13
    _child("k-ch-se-long-s", "ch-se-long-s", "2025-06-01T00:00:00"),  # 14, SE: 13
    _child("k-ch-se-padded", "ch-se-padded", "2025-06-01T00:00:00"),  # found: 14, under 16
    _child("k-ch-no-country", "ch-no-country", "2025-06-01T00:00:00", source="mobile_app"),  # found
    _child("k-ch-twice", "ch-twice", "2025-06-01T00:00:00"),  # the records disagree
    _child("k-ch-no-birth", "ch-no-birth", "2025-06-01T00:00:00"),
    _child("k-ch-parental-null", "ch-se-padded", "2025-06-01T00:00:00", parental_authorisation=None),  # found
    _child("k-ch-authorised", "ch-se-padded", "2025-06-01T00:00:00", parental_authorisation=True),
    _child("k-ch-paper", "ch-se-padded", "2025-06-01T00:00:00", source="paper_form"),
    _child("k-ch-source-case", "ch-se-padded", "2025-06-01T00:00:00", source="Web_Form"),
    _child("k-ch-not-given", "ch-se-padded", None),  # consent_without_proof's, not a child's finding
    _child("k-ch-unknown-contact", "ch-nobody", "2025-06-01T00:00:00"),
    # marketing: mk-a consented at 10:00 on 1 June 2025; mk-undated at an unknown time; mk-w withdrew and
    # consented again; mk-o objected
    _consent("k-mk-a", "mk-a", given_at="2025-06-01T10:00:00"),
    _consent("k-mk-undated", "mk-undated", given_at=None),  # found: no proof
    _consent("k-mk-w", "mk-w", given_at="2025-01-01T00:00:00", withdrawn_at="2025-06-01T12:00:00"),
    _consent("k-mk-w-again", "mk-w", given_at="2025-07-01T00:00:00"),
    _consent("k-mk-o", "mk-o", given_at="2025-01-01T00:00:00"),
    # mk-o opts in again to event invitations at the first moment of the objection's day; its product
    # offers consent came a second before that day
    _consent("k-mk-o-fresh", "mk-o", given_at="2025-09-10T00:00:00", purpose="event_invitations"),
    _consent("k-mk-o-stale", "mk-o", given_at="2025-09-09T23:59:59", purpose="product_offers"),
]

# ----------------------------------------------------------------------------------------------------------
# activities
# ----------------------------------------------------------------------------------------------------------


def _send(activity_id: str, contact_id: str, at: str, basis: str | None = "6(1)(a)", **kw) -> dict:
    return {"activity_id": activity_id, "contact_id": contact_id, "type": "marketing_email",
            "purpose": "newsletter", "lawful_basis": basis, "occurred_at": at, **kw}


def _offer(activity_id: str, contact_id: str, at: str = "2025-08-01T00:00:00", **kw) -> dict:
    """A product offer under legitimate interests with an unsubscribe link, of the organisation's own."""
    return _send(activity_id, contact_id, at, **{"basis": "6(1)(f)", "purpose": "product_offers",
                                                 "unsubscribe_link": True, "own_similar_product": True, **kw})


def _note(activity_id: str, contact_id: str, note: str | None) -> dict:
    return {"activity_id": activity_id, "contact_id": contact_id, "type": "call", "purpose": "service",
            "lawful_basis": "6(1)(b)", "occurred_at": "2025-05-05T10:00:00", "note": note}


def _did(activity_id: str, contact_id: str, kind: str, at: str, **kw) -> dict:
    return {"activity_id": activity_id, "contact_id": contact_id, "type": kind, "occurred_at": at, **kw}


ACTIVITIES = [
    # retention_exceeded: interactions of the ret- contacts
    _send("s-ret-only-marketing", "ret-only-marketing", "2026-02-27T00:00:00", basis="6(1)(f)"),
    _did("a-ret-call-on-day", "ret-call-on-day", "call", "2024-03-01T00:00:00"),
    _did("a-ret-call-on-day-note", "ret-call-on-day", "note", "2026-02-27T00:00:00"),
    _did("a-ret-call-leap", "ret-call-leap", "email", "2024-02-29T23:59:59"),
    _did("a-ret-call-leap-note", "ret-call-leap", "note", "2026-02-27T00:00:00"),
    _did("a-ret-contract-feb1", "ret-contract-feb1", "meeting", "2025-01-01T00:00:00"),
    _did("a-ret-contract-jan31", "ret-contract-jan31", "meeting", "2025-01-01T00:00:00"),
    # processing_after_erasure_or_restriction (erasures answered on 9 January 2026; restrictions too)
    _did("pe-erased-that-day", "pe-erased", "email", "2026-01-09T23:59:59"),
    _did("pe-erased-next-day", "pe-erased", "call", "2026-01-10T00:00:00"),  # found
    _did("pe-erased-purchase", "pe-erased", "purchase", "2026-02-01T00:00:00"),  # the person came back
    _did("pe-held-mail", "pe-held", "email", "2026-02-01T00:00:00"),  # held for legal claims
    _send("pe-held-send", "pe-held", "2026-02-01T00:00:00", basis="6(1)(f)"),  # found: a hold is no licence
    _did("pe-restricted-next-day", "pe-restricted", "meeting", "2026-01-10T00:00:00"),  # found
    _did("pe-restricted-note", "pe-restricted", "note", "2026-02-01T00:00:00"),  # storage
    _did("pe-restricted-claims", "pe-restricted", "email", "2026-02-01T00:00:00",
         lawful_basis="18(2) legal claims"),
    _did("pe-restricted-blank-ground", "pe-restricted", "email", "2026-02-01T00:00:00",
         lawful_basis="\u3000"),  # found
    _did("pe-lifted-last-day", "pe-lifted", "call", "2026-01-31T23:59:59"),  # found
    _did("pe-lifted-day", "pe-lifted", "call", "2026-02-01T00:00:00"),  # lifted that day
    _did("pe-open", "pe-open", "call", "2026-02-25T00:00:00"),  # not yet answered
    _did("pe-case", "pe-case", "call", "2026-02-25T00:00:00"),  # 'Restriction' is no restriction
    # marketing_without_basis: by consent (or no basis) and no consent for the purpose given by then
    _send("s-at-consent", "mk-a", "2025-06-01T10:00:00"),
    _send("s-before-consent", "mk-a", "2025-06-01T09:59:59"),  # found
    _send("s-basis-blank", "mk-a", "2025-05-01T00:00:00", basis="\u3000"),  # found: no basis
    _send("s-basis-null", "mk-a", "2025-05-01T00:00:00", basis=None),  # found
    _send("s-basis-zero-width", "mk-a", "2025-05-01T00:00:00", basis="\u200b"),  # some other basis
    _send("s-basis-interest", "mk-a", "2025-05-01T00:00:00", basis="6(1)(f)"),
    _send("s-other-purpose", "mk-a", "2025-07-01T00:00:00", purpose="offers"),  # found
    _send("s-purpose-case", "mk-a", "2025-07-01T00:00:00", purpose="Newsletter"),  # found
    _send("s-type-case", "mk-a", "2025-05-01T00:00:00", type="Marketing_Email"),  # not a marketing e-mail
    _send("s-undated-consent", "mk-undated", "2025-01-01T00:00:00"),  # consent given, time unknown
    # processing_after_withdrawal: at or after the withdrawal, with no consent since; on or after the
    # day of an objection
    _send("s-withdrawal-moment", "mk-w", "2025-06-01T12:00:00"),  # found
    _send("s-withdrawal-eve", "mk-w", "2025-06-01T11:59:59"),
    _send("s-consent-again", "mk-w", "2025-08-01T00:00:00"),
    _send("s-objection-day", "mk-o", "2025-09-10T00:00:00"),  # found
    _send("s-objection-eve", "mk-o", "2025-09-09T23:59:59"),
    _send("s-objection-interest", "mk-o", "2025-09-11T00:00:00", basis="6(1)(f)"),  # found: any basis
    _send("s-objection-case", "mk-a", "2025-09-11T00:00:00", basis="6(1)(f)"),  # mk-a's is not an objection
    _send("s-objection-fresh", "mk-o", "2025-09-10T00:00:00", purpose="event_invitations"),  # opted in again
    _send("s-objection-stale", "mk-o", "2025-09-11T00:00:00", purpose="product_offers"),  # found: before it
    # marketing_without_basis: contract and legal obligation never cover marketing, consent or not
    _send("s-basis-contract", "mk-a", "2025-07-01T00:00:00", basis="6(1)(b)"),  # found
    _send("s-basis-obligation", "ep-lead", "2025-07-01T00:00:00", basis="6(1)(c)"),  # found
    # electronic_marketing_without_consent: another basis, no consent, outside the soft opt-in
    # (s-basis-interest and s-basis-zero-width above are found too: mk-a had not consented, is no customer)
    _offer("s-ep-soft", "ep-customer", "2025-06-01T00:00:00"),  # the soft opt-in, from the first day
    _offer("s-ep-before-customer", "ep-customer", "2025-05-31T23:59:59"),  # found
    _offer("s-ep-no-link", "ep-customer", unsubscribe_link=False),  # found
    _offer("s-ep-link-unknown", "ep-customer", unsubscribe_link=None),  # found: not shown
    _offer("s-ep-not-own", "ep-customer", own_similar_product=False),  # found
    _offer("s-ep-partner", "ep-customer", purpose="partner_offers"),  # found: never the own products
    _offer("s-ep-no-opt-out", "ep-no-opt-out"),  # found
    _offer("s-ep-lead", "ep-lead"),  # found
    _offer("s-ep-basis-case", "ep-lead", basis="6(1)(B)"),  # found: not 6(1)(b), so another basis
    _offer("s-ep-nobody", "ep-nobody"),  # found: no such contact, no relationship known
    # special_category_without_condition: notes (RE2 semantics: Unicode case folding, ſ as s; a term ends
    # at a space, a punctuation mark or the note's end, not at a line separator or a vertical tab)
    _note("n-upper", "sc-note-upper", "DIABÈTE sévère"),  # found
    _note("n-long-s", "sc-note-long-s", "ist im \u017ftreik"),  # found
    _note("n-polish", "sc-note-polish", "ŚWIADKÓW JEHOWY"),  # found
    _note("n-line-sep", "sc-note-line-sep", "x reha\u2028"),
    _note("n-vertical-tab", "sc-note-vertical-tab", "x reha\x0b"),
    _note("n-inside-word", "sc-note-inside-word", "Xreha"),
    _note("n-none", "sc-note-none", "kein Hinweis"),
    _note("n-missing", "sc-note-missing", None),
    _note("n-condition", "sc-note-condition", "diabetes"),  # an Art. 9(2) condition is recorded
    _note("n-cat-health-only", "sc-cat-health-only", "ist bei ver.di"),
    _note("n-cat-upper", "sc-cat-upper", "ist bei ver.di"),
    _note("n-cat-nbsp", "sc-cat-nbsp", "ist bei ver.di"),
    _note("n-cat-zero-width", "sc-cat-zero-width", "ist bei ver.di"),
    _note("n-cat-dotted-i", "sc-cat-dotted-i", "wählt SPD"),
    _note("n-cat-long-s", "sc-cat-long-s", "ist bisexuell"),
    _note("n-cat-blank", "sc-cat-blank", "ist bei ver.di"),
    _note("n-cat-no-condition", "sc-cat-no-condition", "ist bei ver.di"),
    _note("n-cr-upper", "cr-note-upper", "CASIER JUDICIAIRE chargé"),  # found
    _note("n-cr-blank", "cr-note-blank-authorisation", "ist vorbestraft"),  # found
    _note("n-cr-authorised", "cr-note-authorised", "ist vorbestraft"),  # authorised: lawful
    _note("n-cr-inside-word", "cr-note-inside-word", "Xverurteilt"),  # not at a word start
    # identifier_in_free_text: an IBAN, national id or card number passing its checksum (textscan), written
    # in ASCII characters
    _note("n-id-iban-blocks", "consenter", "IBAN DE89 3704 0044 0532 0130 00 bitte"),  # found
    _note("n-id-iban-lower", "consenter", "iban de89370400440532013000"),  # found
    _note("n-id-iban-check", "consenter", "IBAN DE00370400440532013000"),  # fails mod 97
    _note("n-id-card", "consenter", "Karte 4111-1111-1111-1111"),  # found
    _note("n-id-card-luhn", "consenter", "Karte 4111 1111 1111 1112"),  # fails Luhn
    _note("n-id-card-fullwidth", "consenter",
          "Tel 0151 1234567, Karte \uff14" + "\uff11" * 15),  # a card in full-width digits: not ASCII
    _note("n-id-dni", "consenter", "DNI 12345678Z."),  # found
    _note("n-id-dni-dup", "mk-a", "DNI 12345678Z."),  # found: the same note twice
    _note("n-id-codice", "consenter", "CF RSSMRA85T10A562S"),  # found
    _note("n-id-hetu", "consenter", "hetu 131052A308T"),  # found: a century letter
    _note("n-id-nino", "consenter", "NI AB 12 34 56 C"),  # found
    _note("n-id-phone", "consenter", "Rückruf +49 151 12345678"),  # a phone number
    _note("n-id-order", "consenter", "Bestellung 2026-004711-33"),  # no scheme's shape
    # erasure_incomplete: notes of erased contacts
    _note("n-erased", "er-note", "call back"),
    _note("n-erased-blank", "er-blank-note", "\u2029 "),
    _note("n-erased-held", "er-held-note", "Streit um Rechnung"),  # held for legal claims
    # third_party_data_without_notice: first communications
    *(_did(f"a-{c}", c, "call", "2026-02-22T15:00:00")
      for c in ("a14-called", "a14-called-same-day", "a14-called-before-notice")),
    _did("a-a14-noted", "a14-noted", "note", "2026-02-22T15:00:00"),
    _did("a-a14-called-after-as-of", "a14-called-after-as-of", "call", "2026-03-02T00:00:00"),
    _did("a-a14-no-created-called", "a14-no-created-called", "meeting", "2026-02-01T09:00:00"),
]

# ----------------------------------------------------------------------------------------------------------
# requests (deadlines: gdprlab.regulation.law; weekends and German public holidays roll to a working day)
# ----------------------------------------------------------------------------------------------------------


def _request(request_id: str, received: str | None, responded: str | None = None, notice: str | None = None,
             **kw) -> dict:
    return {"request_id": request_id, "contact_id": "mk-a", "type": "access", "received_on": received,
            "responded_on": responded, "extension_notified_on": notice,
            "status": "completed" if responded else "open", **kw}


def _erasure(request_id: str, contact_id: str | None, **kw) -> dict:
    kw = {"type": "erasure", "contact_id": contact_id, **kw}
    return _request(request_id, "2026-01-05", "2026-01-09", **kw)


REQUESTS = [
    # request_overdue: one month (31 Mar -> 30 Apr; 31 Aug -> 30 Sep; 31 Jan 2024 -> 29 Feb 2024)
    _request("rq-apr30-on-time", "2025-03-31", "2025-04-30"),
    _request("rq-apr30-late", "2025-03-31", "2025-05-01"),  # found
    _request("rq-sep30-late", "2025-08-31", "2025-10-01"),  # found
    _request("rq-leap-on-time", "2024-01-31", "2024-02-29"),
    _request("rq-leap-late", "2024-01-31", "2024-03-01"),  # found
    _request("rq-clamp-late", "2025-01-31", "2025-03-01"),  # found: 28 Feb 2025, not 3 March
    # ... a deadline on a weekend runs to Monday
    _request("rq-sunday-on-time", "2025-10-31", "2025-12-01"),  # 30 Nov 2025 is a Sunday
    _request("rq-sunday-late", "2025-10-31", "2025-12-02"),  # found
    _request("rq-saturday-on-time", "2025-12-31", "2026-02-02"),  # 31 Jan 2026 is a Saturday
    _request("rq-open-saturday", "2026-01-31", None),  # 28 Feb 2026 (Sat) -> 2 Mar: not yet late at as-of
    _request("rq-open-late", "2026-01-27", None),  # found: 27 Feb 2026 passed
    # ... and so does a public holiday of the controller's country (POLICY: DE): the deadline of a request
    # received on 25 Nov 2025 is Christmas Day, then Boxing Day and a weekend: Monday 29 Dec
    _request("rq-christmas", "2025-11-25", "2025-12-29"),
    _request("rq-christmas-late", "2025-11-25", "2025-12-30"),  # found
    # ... a Saturday before Easter Monday (19 and 21 April 2025) runs to Tuesday, not Monday
    _request("rq-easter-on-time", "2025-03-19", "2025-04-22"),
    _request("rq-easter-monday-not-enough", "2025-03-19", "2025-04-23"),  # found
    # three months with an extension notified within the first month
    _request("rq-extended-on-time", "2025-10-31", "2026-02-02", notice="2025-12-01"),  # notice on the
    # rolled one-month deadline; three months end on Sat 31 Jan 2026 -> Mon 2 Feb
    _request("rq-extended-late", "2025-10-31", "2026-02-03", notice="2025-12-01"),  # found
    _request("rq-extended-open", "2025-12-31", None, notice="2026-01-15"),  # until 31 Mar 2026
    # extension_not_notified: notice after the one-month deadline, reply within three months
    # (and request_overdue: a late notice does not extend the month)
    _request("rq-late-notice", "2025-10-31", "2025-12-15", notice="2025-12-02"),  # found by both
    _request("rq-late-notice-open", "2025-12-15", None, notice="2026-01-20"),  # found by both: open
    _request("rq-late-notice-late", "2025-10-31", "2026-02-03", notice="2025-12-02"),  # overdue only
    _request("rq-not-received", None, None),  # not judged
    # processing_after_withdrawal: objections (received on time, answered in two days)
    _request("rq-objection", "2025-09-10", "2025-09-12", type="objection", contact_id="mk-o"),
    _request("rq-objection-case", "2025-09-10", "2025-09-12", type="Objection", contact_id="mk-a"),
    # erasure_incomplete: completed erasures whose contact keeps a name, e-mail, phone or a note
    _erasure("rq-erased-name", "er-name"),  # found
    _erasure("rq-erased-blank", "er-blank"),
    _erasure("rq-erased-zero-width", "er-zero-width"),  # found: not blank
    _erasure("rq-erased-note", "er-note"),  # found: a note
    _erasure("rq-erased-street", "er-street"),  # found: a street left
    _erasure("rq-erased-held", "er-held"),  # the hold ends on the as-of date
    _erasure("rq-erased-held-ended", "er-held-ended"),  # found: ended the day before
    _erasure("rq-erased-held-blank", "er-held-blank"),  # found: no ground
    _erasure("rq-erased-held-no-end", "er-held-no-end"),  # found: no end date
    _erasure("rq-erased-held-note", "er-held-note"),  # the note is held too
    _erasure("rq-erased-blank-note", "er-blank-note"),
    _erasure("rq-erasure-open", "er-name", status="open"),
    _erasure("rq-erasure-case", "er-name", type="Erasure"),
    _erasure("rq-erasure-nobody", None),
    _erasure("rq-erasure-unknown", "er-nobody"),
    # processing_after_erasure_or_restriction
    _erasure("rq-pe-erased", "pe-erased"),
    _erasure("rq-pe-held", "pe-held"),
    _request("rq-pe-restricted", "2026-01-05", "2026-01-09", type="restriction", contact_id="pe-restricted"),
    _request("rq-pe-lifted", "2026-01-05", "2026-01-09", type="restriction", contact_id="pe-lifted",
             lifted_on="2026-02-01"),
    _request("rq-pe-open", "2026-02-20", None, type="restriction", contact_id="pe-open"),
    _request("rq-pe-case", "2026-01-05", "2026-01-09", type="Restriction", contact_id="pe-case"),
]

# ----------------------------------------------------------------------------------------------------------
# breaches (72 hours; as-of midnight is 1 Mar 2026 00:00 UTC)
# ----------------------------------------------------------------------------------------------------------


def _breach(breach_id: str, aware: str | None = "2026-01-01T00:00:00",
            notified: str | None = "2026-01-01T01:00:00", **kw) -> dict:
    return {"breach_id": breach_id, "aware_at": aware, "notified_authority_at": notified,
            "description": "Laptop stolen.", "consequences": "Phishing.", "measures": "Remote wipe.",
            "risk": "risk", **kw}


BREACHES = [
    # breach_notified_late: after the 72 hours, no delay reason; the hours start at the hour after
    # awareness (Reg. 1182/71 Art. 3(1)): aware at 00:00:00 or 00:59:59, the 72 hours end at 01:00 day 4
    _breach("b-late-by-a-second", notified="2026-01-04T01:00:01"),  # found
    _breach("b-at-72-hours", notified="2026-01-04T01:00:00"),
    _breach("b-hour-of-awareness-not-counted", aware="2026-01-01T00:59:59", notified="2026-01-04T01:00:00"),
    _breach("b-late-blank-reason", notified="2026-01-10T00:00:00", delay_reason="\u00a0"),  # found
    _breach("b-late-with-reason", notified="2026-01-10T00:00:00", delay_reason="Forensics first."),
    _breach("b-late-voluntary", notified="2026-01-10T00:00:00", risk="unlikely"),  # need not be notified
    _breach("b-late-month-end", aware="2025-02-26T12:00:00", notified="2025-03-01T13:00:01"),  # found
    _breach("b-leap-at-72-hours", aware="2024-02-27T00:00:00", notified="2024-03-01T01:00:00"),
    # breach_not_notified: not 'unlikely', never notified, its 72 hours over before as-of
    _breach("b-silent", aware="2026-02-25T22:59:59", notified=None),  # found
    _breach("b-silent-72-hours", aware="2026-02-25T23:00:00", notified=None),  # ends at as-of midnight
    _breach("b-silent-hour-not-counted", aware="2026-02-25T23:59:59", notified=None),
    _breach("b-silent-unlikely", aware="2025-01-01T00:00:00", notified=None, risk="unlikely"),
    _breach("b-silent-unlikely-case", aware="2025-01-01T00:00:00", notified=None, risk="Unlikely"),  # found
    _breach("b-silent-not-assessed", aware="2025-01-01T00:00:00", notified=None, risk=None),  # found
    # subjects_not_informed: high risk, subjects never told, no Art. 34(3) exception, past 72 hours
    _breach("b-high", risk="high"),  # found
    _breach("b-high-blank-exception", risk="high", art34_exception="\u2028"),  # found
    _breach("b-high-exception", risk="high", art34_exception="encrypted"),
    _breach("b-high-informed", risk="high", subjects_informed_at="2026-01-02T00:00:00"),
    _breach("b-high-72-hours", aware="2026-02-26T00:00:00", notified="2026-02-26T01:00:00", risk="high"),
    _breach("b-high-case", risk="HIGH"),
    # breach_record_incomplete: description, consequences or measures blank
    _breach("b-description-spaces", description="\t\n"),  # found
    _breach("b-consequences-null", consequences=None),  # found
    _breach("b-measures-empty", measures=""),  # found
    _breach("b-measures-zero-width", measures="\u200b"),
]

# ----------------------------------------------------------------------------------------------------------
# staff and training (refresh after 12 months)
# ----------------------------------------------------------------------------------------------------------


def _staff(staff_id: str, role: str | None = "sales_rep", access: str | None = "standard") -> dict:
    return {"staff_id": staff_id, "name": staff_id, "role": role, "crm_access": access}


def _training(training_id: str, staff_id: str, completed: str | None = "2026-01-15",
              passed: bool | None = True, course: str = "gdpr_essentials") -> dict:
    return {"training_id": training_id, "staff_id": staff_id, "course": course, "completed_on": completed,
            "score": 90, "passed": passed}


STAFF = [
    # excessive_access: full access outside the policy's roles (trained, so untrained_crm_user ignores them)
    _staff("st-full-sales", access="full"),  # found
    _staff("st-full-dpo", role="data_protection_officer", access="full"),
    _staff("st-full-dpo-case", role="Data_Protection_Officer", access="full"),  # found: another role
    _staff("st-full-no-role", role=None, access="full"),  # found
    _staff("st-full-case", access="Full"),  # not 'full'
    # untrained_crm_user: CRM access (not 'none') and no current pass of the policy's course
    _staff("st-passed-feb28"),  # found: 28 Feb 2025 + 12 months ended before as-of
    _staff("st-passed-mar1"),
    _staff("st-never"),  # found
    _staff("st-failed"),  # found
    _staff("st-passed-unknown"),  # found: 'passed' missing
    _staff("st-other-course"),  # found: GDPR_Essentials is another course
    _staff("st-latest-counts"),
    _staff("st-no-date"),  # found: a pass without its date
    _staff("st-access-none", access="none"),
    _staff("st-access-missing", access=None),
    _staff("st-access-None", access="None"),  # found: has access, never trained
]

TRAINING = [
    *(_training(f"t-{s}", s) for s in ("st-full-sales", "st-full-dpo", "st-full-dpo-case", "st-full-no-role",
                                        "st-full-case")),
    _training("t-feb28", "st-passed-feb28", "2025-02-28"),
    _training("t-mar1", "st-passed-mar1", "2025-03-01"),
    _training("t-failed", "st-failed", passed=False),
    _training("t-unknown", "st-passed-unknown", passed=None),
    _training("t-other", "st-other-course", course="GDPR_Essentials"),
    _training("t-old", "st-latest-counts", "2024-01-01"),
    _training("t-new", "st-latest-counts", "2025-06-01"),
    _training("t-no-date", "st-no-date", None),
]

# ----------------------------------------------------------------------------------------------------------
# policies (reviews: privacy notice every month, retention policy every 12, incident plan every 24)
# ----------------------------------------------------------------------------------------------------------

POLICIES = [
    {"policy_id": "p-jan31", "kind": "privacy_notice", "last_reviewed_on": "2026-01-31"},  # found: 28 Feb
    {"policy_id": "p-feb1", "kind": "privacy_notice", "last_reviewed_on": "2026-02-01"},
    {"policy_id": "p-feb28", "kind": "retention_policy", "last_reviewed_on": "2025-02-28"},  # found
    {"policy_id": "p-mar1", "kind": "retention_policy", "last_reviewed_on": "2025-03-01"},
    {"policy_id": "p-leap", "kind": "incident_response_plan", "last_reviewed_on": "2024-02-29"},  # found
    {"policy_id": "p-never", "kind": "privacy_notice", "last_reviewed_on": None},  # found
    {"policy_id": "p-kind-unset", "kind": "dpia_register", "last_reviewed_on": "2010-01-01"},  # no interval
    {"policy_id": "p-kind-unset-never", "kind": "dpia_register", "last_reviewed_on": None},  # found
    {"policy_id": "p-kind-null-never", "kind": None, "last_reviewed_on": None},  # found
    {"policy_id": "p-kind-case", "kind": "Privacy_Notice", "last_reviewed_on": "2010-01-01"},  # no interval
]

# ----------------------------------------------------------------------------------------------------------
# record of processing: every contact column but gender (and locale, listed as 'Locale')
# ----------------------------------------------------------------------------------------------------------

_ENCRYPTED = ("national_id", "iban", "accessibility_needs")
_PURPOSES = {"street": "\u3000", "city": None, "postal_code": "\u200b"}  # blank, missing, not blank
ROPA = [
    *({"field": f"contacts.{c}", "column_name": "Locale" if c == "locale" else c,
       "purpose": _PURPOSES.get(c, "crm"), "requires_encryption": c in _ENCRYPTED}
      for c in TABLES["contacts"].column_names[1:] if c != "gender"),
    {"field": "contacts.shoe_size", "column_name": "shoe_size", "purpose": None},  # not a column
    {"field": "staff.name", "table_name": "staff", "column_name": "name", "purpose": None},  # another table
]


def tables() -> dict[str, pd.DataFrame]:
    """The boundary dataset: every table of gdprlab's schema, every column."""
    rows = {"contacts": CONTACTS, "consents": CONSENTS, "activities": ACTIVITIES, "requests": REQUESTS,
            "breaches": BREACHES, "staff": STAFF, "training": TRAINING, "policies": POLICIES,
            "recipients": RECIPIENTS, "decisions": DECISIONS}
    out = {name: table(name, *r) for name, r in rows.items()}
    out["record_of_processing"] = table("record_of_processing", *ROPA, table_name="contacts", category="x",
                                        lawful_basis="6(1)(b)", requires_encryption=False)
    out["accounts"] = table("accounts", {"account_id": "acc-1", "name": "Boundary GmbH"})
    return out


#: the records each rule finds in tables(), sorted
EXPECTED: dict[str, list[str]] = {
    "special_category_without_condition": ["sc-cat-blank", "sc-cat-dotted-i", "sc-cat-health-only",
                                           "sc-cat-long-s", "sc-cat-no-condition", "sc-cat-zero-width",
                                           "sc-needs", "sc-needs-blank-condition", "sc-needs-token",
                                           "sc-needs-zero-width", "sc-note-long-s", "sc-note-polish",
                                           "sc-note-upper"],
    "criminal_data_without_authorisation": ["cr-note-blank-authorisation", "cr-note-upper"],
    "undeclared_personal_data": ["gender", "locale"],
    "marketing_without_basis": ["s-basis-blank", "s-basis-contract", "s-basis-null", "s-basis-obligation",
                                "s-before-consent", "s-other-purpose", "s-purpose-case"],
    "electronic_marketing_without_consent": ["s-basis-interest", "s-basis-zero-width", "s-ep-basis-case",
                                             "s-ep-before-customer", "s-ep-lead", "s-ep-link-unknown",
                                             "s-ep-no-link", "s-ep-no-opt-out", "s-ep-nobody", "s-ep-not-own",
                                             "s-ep-partner",
                                             # 6(1)(f) e-mails to people who never were customers, with no
                                             # consent: the retention and erasure cases' sends break it too
                                             "pe-held-send", "s-ret-only-marketing"],
    "consent_without_proof": sorted([*(f"k-source-{_space(ch)}" for ch in WHITESPACE), "k-ch-not-given",
                                     "k-mk-undated", "k-not-given", "k-source-all-spaces", "k-source-empty",
                                     "k-source-null", "k-wording-spaces"]),
    "processing_after_withdrawal": ["s-objection-day", "s-objection-interest", "s-objection-stale",
                                    "s-withdrawal-moment"],
    "child_consent_without_authorisation": ["k-ch-de-leap-eve", "k-ch-no-country", "k-ch-parental-null",
                                            "k-ch-se-leap-eve", "k-ch-se-padded"],
    "invalid_consent_form": ["k-bundled", "k-pre-ticked"],
    "field_without_purpose": ["city", "street"],
    "retention_exceeded": ["ret-call-leap", "ret-contract-jan31", "ret-held-ended", "ret-jan31-customer",
                           "ret-leap-lead", "ret-only-marketing"],
    "inaccurate_data": ["dup-address", "dup-email", "dup-fi-2", "dup-i-3", "dup-i-4", "dup-phone-form-2",
                        "dup-sigma-2", "dup-sigma-3", "dup-strauss-2", "dup-strauss-4", "em-accent-tld",
                        "em-dotdot", "em-kelvin-tld", "em-line-sep", "em-nbsp", "em-newline", "em-padded",
                        "ph-short", "wp-md5-padded"],  # its e-mail is padded
    "identifier_in_free_text": ["n-id-card", "n-id-codice", "n-id-dni", "n-id-dni-dup", "n-id-hetu",
                                "n-id-iban-blocks", "n-id-iban-lower", "n-id-nino"],
    "plaintext_sensitive_field": ["pt-iban", "pt-national-id", "pt-token-padded", "pt-token-short",
                                  "pt-zero-width", "sc-needs", "sc-needs-blank-condition",
                                  "sc-needs-condition", "sc-needs-zero-width"],
    "weak_pseudonymisation": ["wp-dotted-i", "wp-md5-padded", "wp-sha1", "wp-sha256-line-sep",
                              "wp-sigma-final", "wp-sigma-first"],
    "excessive_access": ["st-full-dpo-case", "st-full-no-role", "st-full-sales"],
    "request_overdue": ["rq-apr30-late", "rq-christmas-late", "rq-clamp-late", "rq-easter-monday-not-enough",
                        "rq-extended-late", "rq-late-notice", "rq-late-notice-late", "rq-late-notice-open",
                        "rq-leap-late", "rq-open-late", "rq-sep30-late", "rq-sunday-late"],
    "extension_not_notified": ["rq-late-notice", "rq-late-notice-open"],
    "erasure_incomplete": ["rq-erased-held-blank", "rq-erased-held-ended", "rq-erased-held-no-end",
                           "rq-erased-name", "rq-erased-note", "rq-erased-street", "rq-erased-zero-width"],
    "processing_after_erasure_or_restriction": ["pe-erased-next-day", "pe-held-send", "pe-lifted-last-day",
                                                "pe-restricted-blank-ground", "pe-restricted-next-day"],
    "third_party_data_without_notice": ["a14-called", "a14-called-before-notice", "a14-christmas-late",
                                        "a14-disclosed", "a14-disclosed-before-notice", "a14-exempt-blank",
                                        "a14-jan27", "a14-no-created-called", "a14-no-notice",
                                        "a14-notice-tuesday"],
    "automated_decision_without_exception": ["dc-consent-safeguards-null", "dc-contract-unguarded",
                                             "dc-exception-blank", "dc-review-null", "dc-solely",
                                             "dc-special-none", "dc-special-other"],
    "untrained_crm_user": ["st-access-None", "st-failed", "st-never", "st-no-date", "st-other-course",
                           "st-passed-feb28", "st-passed-unknown"],
    "processor_without_contract": ["rp-blank-contract", "rp-no-contract"],
    "breach_notified_late": ["b-late-blank-reason", "b-late-by-a-second", "b-late-month-end"],
    "breach_not_notified": ["b-silent", "b-silent-not-assessed", "b-silent-unlikely-case"],
    "subjects_not_informed": ["b-high", "b-high-blank-exception"],
    "breach_record_incomplete": ["b-consequences-null", "b-description-spaces", "b-measures-empty"],
    "policy_review_overdue": ["p-feb28", "p-jan31", "p-kind-null-never", "p-kind-unset-never", "p-leap",
                              "p-never"],
    "transfer_without_safeguard": ["tr-in", "tr-in-49-blank", "tr-in-adequacy-case", "tr-in-art45",
                                   "tr-in-blank", "tr-in-compelling-later", "tr-in-compelling-safeguard",
                                   "tr-in-compelling-uninformed", "tr-processor-in", "tr-us"],
}


def without(*names: str, columns: tuple[str, ...] = ()) -> dict[str, pd.DataFrame]:
    """tables() without the tables `names` and without these columns of contacts."""
    out = {name: df for name, df in tables().items() if name not in names}
    out["contacts"] = out["contacts"].drop(columns=list(columns))
    return out


#: without phones, twins are found by their e-mails and addresses only
_INACCURATE_FROM_EMAILS_AND_TWINS = [i for i in EXPECTED["inaccurate_data"]
                                     if i.startswith(("em-", "wp-")) or i in ("dup-address", "dup-email")]

#: without requests, and contacts without phone, country, status, art9_categories and obtained_from: the
#: rules that can do without them find less (objections unchecked; e-mails and twins only, erased contacts
#: judged too) or more (every condition covers health only), the others are not assessed, for that reason
EXPECTED_WITHOUT_REQUESTS: dict[str, list[str] | str] = {
    **EXPECTED,
    "processing_after_withdrawal": ["s-withdrawal-moment"],
    "child_consent_without_authorisation": "column country missing from table contacts",
    "retention_exceeded": "column status missing from table contacts",
    "inaccurate_data": sorted([*_INACCURATE_FROM_EMAILS_AND_TWINS, "em-erased"]),
    # no art9_categories: every recorded condition covers health only
    "special_category_without_condition": sorted({*EXPECTED["special_category_without_condition"],
                                                  *(c["contact_id"] for c in CONTACTS
                                                    if c["contact_id"].startswith("sc-cat-"))}),
    "request_overdue": "table requests missing",
    "extension_not_notified": "table requests missing",
    "erasure_incomplete": "table requests missing",
    "processing_after_erasure_or_restriction": "table requests missing",
    "third_party_data_without_notice": "column obtained_from missing from table contacts",
}
#: without activities: no notes reveal special-category data or remain after an erasure; no sends
EXPECTED_WITHOUT_ACTIVITIES: dict[str, list[str] | str] = {
    **EXPECTED,
    "special_category_without_condition": [i for i in EXPECTED["special_category_without_condition"]
                                           if not i.startswith(("sc-note-", "sc-cat-"))],
    "criminal_data_without_authorisation": "table activities missing",
    "identifier_in_free_text": "table activities missing",
    "marketing_without_basis": "table activities missing",
    "electronic_marketing_without_consent": "table activities missing",
    "processing_after_withdrawal": "table activities missing",
    "erasure_incomplete": [i for i in EXPECTED["erasure_incomplete"] if i != "rq-erased-note"],
    "processing_after_erasure_or_restriction": "table activities missing",
    # no first communications: only the month counts
    "third_party_data_without_notice": [i for i in EXPECTED["third_party_data_without_notice"]
                                        if not i.startswith(("a14-called", "a14-no-created"))],
    # counted from last_activity_at (or the creation without it), which marketing sends and notes move too
    "retention_exceeded": ["ret-contract-jan31", "ret-held-ended", "ret-jan31-customer", "ret-leap-lead"],
}
_CONTACT_COLUMNS = TABLES["contacts"].column_names[1:]


def empty() -> dict[str, pd.DataFrame]:
    """Every table with its columns and no rows."""
    return {name: table(name) for name in tables()}


#: nothing is found in empty tables, except that no contact column is declared
EXPECTED_EMPTY: dict[str, list[str]] = {rule: [] for rule in EXPECTED} | {
    "undeclared_personal_data": sorted(_CONTACT_COLUMNS)}


def nulls() -> dict[str, pd.DataFrame]:
    """Every table with a row of nothing but its key ('<table>-key-only') and a row of nothing at all."""
    return {name: table(name, {TABLES[name].key: f"{name}-key-only"}, {}) for name in tables()}


#: records whose missing values make a finding (no proof of consent, an incomplete breach record, a policy
#: never reviewed); the record of processing declares no column (its column names are missing)
EXPECTED_NULLS: dict[str, list[str]] = EXPECTED_EMPTY | {
    "consent_without_proof": ["consents-key-only"],
    "breach_record_incomplete": ["breaches-key-only"],
    "policy_review_overdue": ["policies-key-only"],
}

def zoned() -> dict[str, pd.DataFrame]:
    """tables() with its timestamps in UTC as a time zone, as some connectors give them."""
    out = tables()
    for name, df in out.items():
        moments = [c.name for c in TABLES[name].columns if c.dtype == "datetime"]
        out[name] = df.assign(**{c: df[c].dt.tz_localize("UTC") for c in moments})
    return out


#: dataset name -> (tables, expected ids or not-assessed reason per rule)
DATASETS = {
    "boundary": (tables, EXPECTED),
    "zoned": (zoned, EXPECTED),
    "without-requests": (lambda: without("requests",
                                         columns=("phone", "country", "status", "art9_categories",
                                                  "obtained_from")),
                         EXPECTED_WITHOUT_REQUESTS),
    "without-activities": (lambda: without("activities"), EXPECTED_WITHOUT_ACTIVITIES),
    "empty": (empty, EXPECTED_EMPTY),
    "nulls": (nulls, EXPECTED_NULLS),
}

# ----------------------------------------------------------------------------------------------------------
# recipients and automated decisions
# ----------------------------------------------------------------------------------------------------------


def _recipient(recipient_id: str, country: str | None = "DE", kind: str | None = "recipient", **kw) -> dict:
    return {"recipient_id": recipient_id, "name": recipient_id, "kind": kind, "country": country, **kw}


RECIPIENTS = [
    # processor_without_contract: processors (in Germany: no transfer)
    _recipient("rp-no-contract", kind="processor"),  # found
    _recipient("rp-blank-contract", kind="processor", art28_contract=" \t"),  # found
    _recipient("rp-zero-width-contract", kind="processor", art28_contract="\u200b"),  # recorded
    _recipient("rp-contract", kind="processor", art28_contract="DPA of 2025-01-01"),
    _recipient("rp-recipient"),  # a controller of its own: no Art. 28 contract needed
    _recipient("rp-kind-null", kind=None),
    # transfer_without_safeguard (recipients of their own)
    _recipient("tr-no", "NO"),  # the EEA
    _recipient("tr-ch", "CH"),  # an adequacy decision for the whole country: no ground needed
    _recipient("tr-gb-lower-padded", " gb\u00a0"),  # GB, the same
    _recipient("tr-us", "US"),  # the decision covers certified organisations only: found
    _recipient("tr-us-45", "US", safeguard="45 EU-US Data Privacy Framework"),
    _recipient("tr-us-scc", "US", safeguard="46(2)(c) SCC"),
    _recipient("tr-in", "IN"),  # found
    _recipient("tr-in-blank", "IN", safeguard="\u2003"),  # found
    _recipient("tr-in-art45", "IN", safeguard="Art. 45 adequacy"),  # no decision for India: found
    _recipient("tr-in-adequacy-case", "IN", safeguard="ADEQUACY decision"),  # found
    _recipient("tr-in-scc", "IN", safeguard="SCC of Decision 2021/914"),  # a safeguard in other words
    _recipient("tr-in-scc-no-adequacy", "IN", safeguard="46(2)(c) SCC, as there is no adequacy decision"),
    _recipient("tr-in-49", "IN", safeguard="49(1)(a) explicit consent"),  # a derogation
    # Art. 49(1) derogations in their own column (AS_OF is 1 March 2026)
    _recipient("tr-in-49-claims", "IN", derogation="49(1)(e) legal claims"),  # points (a)-(g): a ground
    _recipient("tr-us-49-contract", "US", derogation="49(1)(b) contract with the person"),
    _recipient("tr-in-49-blank", "IN", derogation="\u3000"),  # found
    _recipient("tr-in-compelling", "IN", derogation="49(1) second subparagraph, compelling legitimate "
               "interests", sa_informed_on="2026-03-01"),  # the authority informed on as-of
    _recipient("tr-in-compelling-uninformed", "IN", derogation="COMPELLING  legitimate interests"),  # found
    _recipient("tr-in-compelling-later", "IN", derogation="compelling legitimate interests",
               sa_informed_on="2026-03-02"),  # informed after as-of: found
    _recipient("tr-in-compelling-safeguard", "IN", safeguard="Art. 49(1) second subparagraph"),  # found
    _recipient("tr-in-scc-compelling", "IN", safeguard="46(2)(c) SCC",
               derogation="compelling legitimate interests"),  # an Art. 46 safeguard: no derogation needed
    _recipient("tr-country-null", None),  # not judged (caveat)
    _recipient("tr-country-blank", " \u2028"),  # not judged (caveat)
    _recipient("tr-processor-in", "IN", kind="processor", art28_contract="DPA"),  # found (transfer only)
]


def _decision(decision_id: str, significant: bool | None = True, review: bool | None = False, **kw) -> dict:
    return {"decision_id": decision_id, "contact_id": "consenter", "kind": "payment_terms",
            "made_at": "2026-02-01T10:00:00", "significant_effect": significant, "human_review": review, **kw}


DECISIONS = [
    _decision("dc-solely"),  # found
    _decision("dc-review-null", review=None),  # no human involvement recorded: found
    _decision("dc-reviewed", review=True),
    _decision("dc-exception", art22_exception="22(2)(a) instalment contract", art22_safeguards=True),
    _decision("dc-exception-blank", art22_exception="\u00a0"),  # found
    _decision("dc-exception-zero-width", art22_exception="\u200b"),  # recorded: not blank
    _decision("dc-not-significant", significant=False),  # e.g. a lead score ordering a queue
    _decision("dc-significance-null", significant=None),
    # Art. 22(3): under 22(2)(a) or (c), human intervention, the person's view and contest offered
    _decision("dc-contract-unguarded", art22_exception="22(2)(a) instalment contract",
              art22_safeguards=False),  # found
    _decision("dc-consent-safeguards-null", art22_exception="Art. 22(2)(c) explicit consent"),  # found
    _decision("dc-consent-guarded", art22_exception="22(2)(c) explicit consent", art22_safeguards=True),
    _decision("dc-law-unguarded", art22_exception="22(2)(b) authorised by the Consumer Credit Act",
              art22_safeguards=False),  # the law lays down the measures (22(2)(b)): not 22(3)
    _decision("dc-reviewed-unguarded", review=True, art22_exception="22(2)(a) contract",
              art22_safeguards=False),  # a person decided: not solely automated, Art. 22 does not apply
    # Art. 22(4): special-category data only under 9(2)(a) or (g)
    _decision("dc-special-consent", art22_exception="22(2)(c) explicit consent", art22_safeguards=True,
              special_categories=True, art9_condition="9(2)(a) explicit consent"),
    _decision("dc-special-public", art22_exception="22(2)(b) law", special_categories=True,
              art9_condition="Art. 9(2)(g) substantial public interest"),
    _decision("dc-special-other", art22_exception="22(2)(c) explicit consent", art22_safeguards=True,
              special_categories=True, art9_condition="9(2)(f) legal claims"),  # found
    _decision("dc-special-none", art22_exception="22(2)(b) law", special_categories=True),  # found
    _decision("dc-special-reviewed", review=True, special_categories=True),  # not solely automated
]

# ----------------------------------------------------------------------------------------------------------
# the engines the rule tests run on
# ----------------------------------------------------------------------------------------------------------


class Elsewhere:
    """DuckDB under another engine's name: helpers take the path they take on engines other than DuckDB
    (so that it is tested without Spark too), and refuse what only DuckDB or Spark can run."""

    name = "elsewhere"

    def __init__(self, backend):
        self._backend = backend

    def __getattr__(self, attr: str):
        return getattr(self._backend, attr)

    def to_pyarrow_batches(self, expr, chunk_size: int):
        """Ibis's own fails on duckdb 2.0 (base.Tables.batches reads DuckDB otherwise)."""
        arrow = self._backend.to_pyarrow(expr)
        return pa.RecordBatchReader.from_batches(arrow.schema, arrow.to_batches(chunk_size))


#: the engines: DuckDB, DuckDB taking other engines' paths, PySpark local
ENGINES = ("duckdb", "elsewhere", "spark")


@functools.cache
def _duckdb():
    """DuckDB in a session whose time zone is not UTC, as on a computer in Berlin: a timestamp read in the
    session's zone shows on any computer."""
    con = connect("duckdb")
    con.raw_sql("SET TimeZone = 'Europe/Berlin'")
    return con


def backend(request: pytest.FixtureRequest, name: str):
    """The backend of an engine of ENGINES: Spark's is the session's (tests/conftest.py), or a skip saying
    what it lacks."""
    if name == "spark":
        return request.getfixturevalue("spark_backend")
    return _duckdb() if name == "duckdb" else Elsewhere(_duckdb())
