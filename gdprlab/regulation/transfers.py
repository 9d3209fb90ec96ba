"""Transfers of personal data outside the EEA (GDPR Chapter V): where data may go without a transfer
ground, and the third countries with an adequacy decision of the Commission (Art. 45).

The lists are data, in transfers.yaml beside this module, with the Commission decisions they come from
and the day they were last checked: adequacy decisions are adopted, renewed and annulled, so the list is
kept current as data, never as code.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib.resources import files

import yaml

WHOLE = "whole"
_CODE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Adequacy:
    country: str  # ISO 3166 code
    name: str
    decision: str  # the Commission decision (Official Journal reference)
    scope: str  # "whole", or the recipients the decision covers (e.g. the Data Privacy Framework's)

    @property
    def whole(self) -> bool:
        return self.scope == WHOLE


@dataclass(frozen=True)
class TransferLists:
    checked: str
    eea: frozenset[str]
    adequacy: dict[str, Adequacy]

    def whole_adequacy(self) -> list[str]:
        """Countries whose adequacy decision covers every recipient there."""
        return sorted(c for c, a in self.adequacy.items() if a.whole)


def read_transfer_lists(text: str, source: str) -> TransferLists:
    """The lists of a transfers file (as transfers.yaml); ``source`` names it in errors."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) != {"checked", "eea", "adequacy"}:
        raise ValueError(f"{source}: expected the keys checked, eea and adequacy")
    eea = data["eea"]
    if not isinstance(eea, list) or not all(isinstance(c, str) and _CODE.match(c) for c in eea):
        raise ValueError(f"{source}: eea must be a list of ISO 3166 codes")
    adequacy: dict[str, Adequacy] = {}
    for n, entry in enumerate(data["adequacy"] or []):
        if not isinstance(entry, dict) or set(entry) != {"country", "name", "decision", "scope"} or not all(
                isinstance(v, str) and v for v in entry.values()) or not _CODE.match(entry["country"]):
            raise ValueError(f"{source}: adequacy[{n}]: expected country (ISO code), name, decision, scope")
        if entry["country"] in adequacy or entry["country"] in eea:
            raise ValueError(f"{source}: adequacy[{n}]: {entry['country']} listed twice or in the EEA")
        adequacy[entry["country"]] = Adequacy(**entry)
    return TransferLists(str(data["checked"]), frozenset(eea), adequacy)


@functools.cache
def transfer_lists() -> TransferLists:
    """The shipped lists (transfers.yaml)."""
    resource = files("gdprlab.regulation").joinpath("transfers.yaml")
    return read_transfer_lists(resource.read_text(encoding="utf-8"), str(resource))
