"""The organisation's own choices that the checks apply: retention, refresh and review intervals, roles.

The GDPR fixes no retention period (Art. 5(1)(e)) and no training or review interval; each organisation
sets them and must be able to justify them (Art. 5(2), 24(1)). The defaults below are common practice
and are written into every generated dataset's policy file, so a run is reproducible.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import holidays
import yaml

STATUSES = ("lead", "customer", "former_customer")
POLICY_KINDS = (
    "privacy_notice",
    "retention_policy",
    "incident_response_plan",
    "training_material",
    "record_of_processing",
    "consent_wording",
    "access_control_policy",
    "dpia_register",
)


#: who owns the remediation of each concern's findings, by role (gdprlab.audit.actions), unless the policy
#: says otherwise: the role that runs the process the concern's rules look at
DEFAULT_OWNERS: dict[str, str] = {
    "classification": "data_protection_officer",  # record of processing, Art. 9/10 conditions
    "permission": "marketing_lead",  # consent and the lawful basis of marketing
    "minimisation": "crm_administrator",  # retention, accuracy, fields without purpose
    "encryption": "it_security_lead",  # pseudonymisation, encryption, access rights
    "rights": "customer_care_lead",  # data-subject requests
    "people": "hr_lead",  # staff training
    "security_plans": "data_protection_officer",  # breach notification and records
    "education": "data_protection_officer",  # policy reviews
}
#: days from a finding's first sighting to its due date, by severity: the organisation's remediation SLA
DEFAULT_DUE_DAYS: dict[str, int] = {"critical": 7, "high": 30, "medium": 90, "low": 180}
#: settings that Policy.to_yaml writes only when they differ from the defaults (a dataset generated before
#: they existed keeps its policy file byte for byte)
_WRITTEN_WHEN_SET = ("owners", "due_days")


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the field."""


RECIPIENT_KINDS = ("processor", "recipient")


@dataclass(frozen=True)
class Recipient:
    """Someone the personal data is disclosed to (Art. 4(9)); a processor acts on the controller's behalf
    (Art. 28). Outside the EEA, `safeguard` names the Art. 45-49 basis of the transfer (Art. 15(2))."""

    name: str
    kind: str = "processor"
    purpose: str = ""
    country: str | None = None
    safeguard: str | None = None


@dataclass(frozen=True)
class Policy:
    #: months after the last activity that a contact of each status may be kept
    retention_months: dict[str, int] = field(
        default_factory=lambda: {"lead": 24, "customer": 36, "former_customer": 72}
    )
    #: months after which passed data-protection training must be refreshed
    training_refresh_months: int = 12
    #: months between reviews, per policy kind
    review_interval_months: dict[str, int] = field(default_factory=lambda: {k: 12 for k in POLICY_KINDS})
    #: roles that may see special-category fields (crm_access "full")
    special_category_roles: tuple[str, ...] = ("data_protection_officer", "customer_care_lead")
    #: course whose passing counts as data-protection training
    training_course: str = "gdpr_essentials"
    #: the controller's country (ISO 3166 code, e.g. DE), whose public holidays extend deadlines in days or
    #: months (Reg. 1182/71 Art. 3(4)); with none, only weekends do, and a deadline may be a holiday early
    controller_country: str | None = None
    #: its region whose own holidays count too (e.g. BY for Bavaria), if any
    controller_subdivision: str | None = None
    #: whether the organisation offers information society services directly to children (Art. 8(1)): only
    #: then does a child's consent online need parental authorisation; true unless the policy says otherwise
    offers_services_to_children: bool = True
    #: role owning each concern's findings (DEFAULT_OWNERS for a concern the policy leaves out)
    owners: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_OWNERS))
    #: days a finding of each severity may stay open (DEFAULT_DUE_DAYS for one the policy leaves out)
    due_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))
    #: what an answer to a data subject states (Art. 13, 15): the controller's name, where to write (the data
    #: protection officer's contact), and automated decisions (Art. 22), if any; recipients and processors
    #: only for a dataset without a recipients table, which is their record otherwise (the audit judges
    #: the table: gdprlab.subjects.access.recorded_recipients)
    controller_name: str | None = None
    controller_contact: str | None = None
    recipients: tuple[Recipient, ...] = ()
    automated_decisions: str | None = None

    def to_yaml(self) -> str:
        data = {k: v for k, v in asdict(self).items() if k not in _ANSWER_FIELDS or v}
        data["special_category_roles"] = list(self.special_category_roles)
        for name in _WRITTEN_WHEN_SET:
            if data[name] == getattr(Policy(), name):
                del data[name]
        if self.recipients:
            data["recipients"] = [{k: v for k, v in r.items() if v} for r in data["recipients"]]
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


#: settings written only when set (policies written before them stay byte for byte the same)
_ANSWER_FIELDS = ("controller_name", "controller_contact", "recipients", "automated_decisions")


def _positive_int(value: object, where: str, unit: str = "months") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise PolicyError(f"{where}: expected a whole number of {unit} > 0, got {value!r}")
    return value


def _owners(value: object, where: str) -> dict[str, str]:
    """A mapping of concern to owner role, every key a concern of DEFAULT_OWNERS, every role named."""
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: expected a mapping of concern to role, got {value!r}")
    unknown = set(value) - set(DEFAULT_OWNERS)
    if unknown:
        raise PolicyError(f"{where}: unknown concern(s) {sorted(unknown)}; "
                          f"concerns: {', '.join(DEFAULT_OWNERS)}")
    for concern, role in value.items():
        if not isinstance(role, str) or not role.strip():
            raise PolicyError(f"{where}.{concern}: expected a role name, got {role!r}")
    return {k: v.strip() for k, v in value.items()}


def _months_map(value: object, keys: tuple[str, ...], where: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: expected a mapping of {', '.join(keys)} to months, got {value!r}")
    unknown = set(value) - set(keys)
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {', '.join(keys)}")
    return {k: _positive_int(v, f"{where}.{k}") for k, v in value.items()}


def policy_from_dict(data: dict, source: str = "policy") -> Policy:
    """Build a Policy from parsed YAML; keys left out keep their defaults, unknown keys are errors."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a mapping at the top level")
    known = {f.name for f in fields(Policy)}
    unknown = set(data) - known
    if unknown:
        raise PolicyError(
            f"{source}: unknown setting(s) {sorted(unknown)}; known: {', '.join(sorted(known))}"
        )
    base = Policy()
    kw: dict = {}
    if "retention_months" in data:
        kw["retention_months"] = {
            **base.retention_months,
            **_months_map(data["retention_months"], STATUSES, f"{source}: retention_months"),
        }
    if "review_interval_months" in data:
        kw["review_interval_months"] = {
            **base.review_interval_months,
            **_months_map(data["review_interval_months"], POLICY_KINDS, f"{source}: review_interval_months"),
        }
    if "training_refresh_months" in data:
        kw["training_refresh_months"] = _positive_int(
            data["training_refresh_months"], f"{source}: training_refresh_months"
        )
    if "special_category_roles" in data:
        roles = data["special_category_roles"]
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise PolicyError(f"{source}: special_category_roles must be a list of role names")
        kw["special_category_roles"] = tuple(roles)
    if "training_course" in data:
        if not isinstance(data["training_course"], str) or not data["training_course"]:
            raise PolicyError(f"{source}: training_course must be a non-empty course id")
        kw["training_course"] = data["training_course"]
    if "offers_services_to_children" in data:
        if not isinstance(data["offers_services_to_children"], bool):
            raise PolicyError(f"{source}: offers_services_to_children must be true or false, got "
                              f"{data['offers_services_to_children']!r}")
        kw["offers_services_to_children"] = data["offers_services_to_children"]
    if "owners" in data:
        kw["owners"] = {**base.owners, **_owners(data["owners"], f"{source}: owners")}
    if "due_days" in data:
        due = data["due_days"]
        if not isinstance(due, dict) or set(due) - set(DEFAULT_DUE_DAYS):
            raise PolicyError(f"{source}: due_days: expected a mapping of {', '.join(DEFAULT_DUE_DAYS)} to "
                              f"days, got {due!r}")
        kw["due_days"] = {**base.due_days, **{k: _positive_int(v, f"{source}: due_days.{k}", "days")
                                              for k, v in due.items()}}
    kw.update(_controller_place(data, source))
    for name in ("controller_name", "controller_contact", "automated_decisions"):
        if data.get(name) is not None:
            if not isinstance(data[name], str) or not data[name].strip():
                raise PolicyError(f"{source}: {name} must be text")
            kw[name] = data[name].strip()
    if data.get("recipients") is not None:
        kw["recipients"] = _recipients(data["recipients"], source)
    return Policy(**kw)


def _recipients(value: object, source: str) -> tuple[Recipient, ...]:
    """The recipients list: mappings with a name, a kind (processor or recipient) and optionally purpose,
    country and safeguard."""
    if not isinstance(value, list):
        raise PolicyError(f"{source}: recipients must be a list of mappings with name and kind")
    known = {f.name for f in fields(Recipient)}
    out = []
    for n, item in enumerate(value):
        where = f"{source}: recipients[{n}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise PolicyError(f"{where}: expected a mapping with a name")
        if set(item) - known:
            raise PolicyError(f"{where}: unknown key(s) {sorted(set(item) - known)}; "
                              f"known: {', '.join(sorted(known))}")
        if item.get("kind", "processor") not in RECIPIENT_KINDS:
            raise PolicyError(f"{where}: kind must be one of {', '.join(RECIPIENT_KINDS)}")
        out.append(Recipient(**{k: (str(v).strip() if v is not None else None) for k, v in item.items()}))
    return tuple(out)


def _controller_place(data: dict, source: str) -> dict[str, str | None]:
    """controller_country and controller_subdivision, checked against the countries `holidays` knows."""
    country, subdivision = data.get("controller_country"), data.get("controller_subdivision")
    for name, value, example in (("controller_country", country, "DE"),
                                 ("controller_subdivision", subdivision, "BY")):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise PolicyError(f"{source}: {name} must be a code (e.g. {example}), got {value!r}")
    if country is None:
        if subdivision is not None:
            raise PolicyError(f"{source}: controller_subdivision needs controller_country too")
        return {}
    known = holidays.list_supported_countries()
    country = country.strip().upper()
    if country not in known:
        raise PolicyError(f"{source}: controller_country: {country!r} is not a country whose public holidays "
                          f"are known; use an ISO 3166 code such as DE, FR or IE")
    if subdivision is not None:
        regions = {code.upper(): code for code in known[country]}
        if subdivision.strip().upper() not in regions:
            raise PolicyError(f"{source}: controller_subdivision: {subdivision!r} is not a region of "
                              f"{country}; known: {', '.join(known[country]) or 'none'}")
        subdivision = regions[subdivision.strip().upper()]
    return {"controller_country": country, "controller_subdivision": subdivision}


def load_policy(path: str | Path | None) -> Policy:
    """Read a policy YAML file (None gives the defaults)."""
    if path is None:
        return Policy()
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise PolicyError(f"{p}: policy file not found; pass an existing YAML file or omit it") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{p}: not valid YAML ({yaml_problem(exc)}); fix the file") from None
    return policy_from_dict(data, str(p))


def yaml_problem(exc: yaml.YAMLError) -> str:
    """What is wrong in a YAML file, on one line: the parser's problem and the line it found it on (its own
    message spans lines and quotes the text around it)."""
    mark = getattr(exc, "problem_mark", None)
    problem = " ".join(str(getattr(exc, "problem", None) or type(exc).__name__).split())
    return f"{problem} at line {mark.line + 1}" if mark is not None else problem
