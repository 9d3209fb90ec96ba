"""Options of one generated dataset, their validation, and the violation profiles.

A rate is the share of a rule's population that violates it: for record rules the population is named in
POPULATION (e.g. all marketing sends), for column rules it is the rule's candidate columns. Counts are
exact (rate x population, rounded), not Bernoulli draws, so a small dataset gets the rate it asked for.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from gdprlab.regulation.catalogue import RULES_BY_ID

LOCALES: dict[str, tuple[str, str]] = {  # locale -> (country, language)
    "de_DE": ("DE", "de"),
    "fr_FR": ("FR", "fr"),
    "it_IT": ("IT", "it"),
    "es_ES": ("ES", "es"),
    "nl_NL": ("NL", "nl"),
    "pl_PL": ("PL", "pl"),
    "sv_SE": ("SE", "sv"),
    "pt_PT": ("PT", "pt"),
}
FORMATS = ("csv", "parquet")

#: what each rule's rate is a share of
POPULATION: dict[str, str] = {
    "special_category_without_condition": "contacts not erased",
    "criminal_data_without_authorisation": "contacts not erased",
    "undeclared_personal_data": "3 candidate extra columns",
    "marketing_without_basis": "marketing sends",
    "electronic_marketing_without_consent": "marketing sends",
    "consent_without_proof": "consents",
    "processing_after_withdrawal": "marketing sends",
    "child_consent_without_authorisation": "online consents given by children under their Art. 8 age",
    "invalid_consent_form": "consents",
    "field_without_purpose": "3 candidate extra columns",
    "retention_exceeded": "contacts not erased",
    "inaccurate_data": "contacts not erased",
    "plaintext_sensitive_field": "contacts with an encrypted field",
    "identifier_in_free_text": "activity notes",
    "weak_pseudonymisation": "contacts not erased",
    "excessive_access": "staff with standard CRM access",
    "request_overdue": "requests",
    "extension_not_notified": "requests",
    "erasure_incomplete": "completed erasure requests",
    "processing_after_erasure_or_restriction": "contacts with a completed erasure or restriction request",
    "third_party_data_without_notice": "contacts obtained from a third party",
    "automated_decision_without_exception": "decisions with a significant effect",
    "untrained_crm_user": "staff with CRM access",
    "processor_without_contract": "processors",
    "breach_notified_late": "breaches",
    "breach_not_notified": "breaches",
    "subjects_not_informed": "high-risk breaches",
    "breach_record_incomplete": "breaches",
    "policy_review_overdue": "policies",
    "transfer_without_safeguard": "recipients outside the EEA",
}

_TYPICAL: dict[str, float] = {
    "special_category_without_condition": 0.01,
    "criminal_data_without_authorisation": 0.005,
    "undeclared_personal_data": 1 / 3,
    "marketing_without_basis": 0.02,
    "electronic_marketing_without_consent": 0.01,
    "consent_without_proof": 0.03,
    "processing_after_withdrawal": 0.01,
    "child_consent_without_authorisation": 0.2,
    "invalid_consent_form": 0.02,
    "field_without_purpose": 1 / 3,
    "retention_exceeded": 0.03,
    "inaccurate_data": 0.02,
    "plaintext_sensitive_field": 0.02,
    "identifier_in_free_text": 0.002,
    "weak_pseudonymisation": 0.01,
    "excessive_access": 0.05,
    "request_overdue": 0.08,
    "extension_not_notified": 0.03,
    "erasure_incomplete": 0.1,
    "processing_after_erasure_or_restriction": 0.1,
    "third_party_data_without_notice": 0.1,
    "automated_decision_without_exception": 0.05,
    "untrained_crm_user": 0.1,
    "processor_without_contract": 0.15,
    "breach_notified_late": 0.1,
    "breach_not_notified": 0.05,
    "subjects_not_informed": 0.2,
    "breach_record_incomplete": 0.1,
    "policy_review_overdue": 0.125,
    "transfer_without_safeguard": 0.2,
}
PROFILES: dict[str, dict[str, float]] = {
    "clean": {k: 0.0 for k in _TYPICAL},
    "typical": _TYPICAL,
    "messy": {k: min(1.0, 3 * v) for k, v in _TYPICAL.items()},
}


@dataclass(frozen=True)
class Shard:
    """A slice of the contacts made on its own: the `index`-th of `count`, after `start` earlier contacts.

    Shards have a fixed size, so the data depend on the seed and never on how many processes made them.
    """
    index: int
    count: int
    start: int
    size: int


class ConfigError(ValueError):
    """An option that cannot be used; the message names it and says what is allowed."""


@dataclass(frozen=True)
class GeneratorConfig:
    contacts: int = 2000
    seed: int = 0
    locales: tuple[str, ...] = tuple(LOCALES)
    as_of: dt.date = field(default_factory=dt.date.today)
    format: str = "csv"
    profile: str = "typical"
    rates: dict[str, float] = field(default_factory=dict)  # per-rule overrides of the profile

    def __post_init__(self) -> None:
        validate(self)

    def rate(self, rule_id: str) -> float:
        return self.rates.get(rule_id, PROFILES[self.profile][rule_id])

    def to_dict(self) -> dict:
        return {
            "contacts": self.contacts,
            "seed": self.seed,
            "locales": list(self.locales),
            "as_of": self.as_of.isoformat(),
            "format": self.format,
            "profile": self.profile,
            "rates": {k: self.rate(k) for k in PROFILES["clean"]},
        }


def validate(cfg: GeneratorConfig) -> None:
    """Reject bad options with one message naming the option and what to do."""
    if isinstance(cfg.contacts, bool) or not isinstance(cfg.contacts, int) or cfg.contacts < 1:
        raise ConfigError(f"--contacts must be a whole number >= 1, got {cfg.contacts!r}")
    if isinstance(cfg.seed, bool) or not isinstance(cfg.seed, int) or cfg.seed < 0:
        raise ConfigError(f"--seed must be a whole number >= 0, got {cfg.seed!r}")
    unknown = [loc for loc in cfg.locales if loc not in LOCALES]
    if unknown or not cfg.locales:
        raise ConfigError(
            f"--locales: unknown or empty {unknown or '(none)'}; supported: {', '.join(LOCALES)}"
        )
    if len(set(cfg.locales)) != len(cfg.locales):
        raise ConfigError(f"--locales: a locale is listed twice: {', '.join(cfg.locales)}")
    if cfg.format not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, got {cfg.format!r}")
    if cfg.profile not in PROFILES:
        raise ConfigError(f"--profile must be one of {', '.join(PROFILES)}, got {cfg.profile!r}")
    if not isinstance(cfg.as_of, dt.date) or cfg.as_of.year < 2018:
        raise ConfigError(f"--as-of must be a date on or after 2018-05-25 (GDPR applies), got {cfg.as_of!r}")
    for rule_id, value in cfg.rates.items():
        if rule_id not in RULES_BY_ID:
            raise ConfigError(f"--rate: unknown rule {rule_id!r}; rules: {', '.join(RULES_BY_ID)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise ConfigError(f"--rate {rule_id}: must be between 0 and 1, got {value!r}")


def parse_rate(text: str) -> tuple[str, float]:
    """Parse a command-line override 'rule_id=0.05'."""
    rule_id, sep, value = text.partition("=")
    if not sep:
        raise ConfigError(f"--rate expects RULE=RATE, e.g. retention_exceeded=0.05, got {text!r}")
    try:
        return rule_id.strip(), float(value)
    except ValueError:
        raise ConfigError(f"--rate {rule_id}: {value!r} is not a number between 0 and 1") from None


def check_output_dir(out: Path, force: bool) -> None:
    """Refuse to overwrite a non-empty folder unless forced, and fail early when it cannot be written.

    ``force`` only ever replaces a gdprlab dataset: a folder with a gdprlab ``manifest.json`` that holds
    nothing but the files it lists. Anything else (a ``.git``, notes, another tool's output) is refused.
    """
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} exists and is not a folder; choose another OUT_DIR")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise ConfigError(f"{out} is not empty; pass --force to replace it or choose another OUT_DIR")
        _check_replaceable(out)
    parent = out.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise ConfigError(f"cannot write in {parent}; choose a folder you can write to")


def _check_replaceable(out: Path) -> None:
    """A ConfigError unless ``out`` holds a gdprlab dataset and nothing else."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        if not str(manifest["generator"]).startswith("gdprlab"):
            raise ValueError("not written by gdprlab")
        own = {"manifest.json", *(str(entry["path"]) for entry in manifest["files"].values())}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise ConfigError(f"{out} holds no gdprlab dataset (no gdprlab manifest.json); --force only replaces "
                          "a folder gdprlab generated: choose another OUT_DIR") from None
    others = sorted(entry.name for entry in out.iterdir() if entry.name not in own)
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise ConfigError(f"{out} holds more than a gdprlab dataset ({shown}); --force only replaces a "
                          "folder holding nothing else: move them or choose another OUT_DIR")
    parent = out.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise ConfigError(f"cannot write in {parent}; choose a folder you can write to")
