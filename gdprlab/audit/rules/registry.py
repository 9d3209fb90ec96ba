"""Every rule's implementation, in catalogue order: importing the concern modules declares them."""

from __future__ import annotations

from gdprlab.audit.rules import (  # noqa: F401 - imported for their @rule declarations
    classification,
    education,
    encryption,
    minimisation,
    people,
    permission,
    rights,
    security_plans,
)
from gdprlab.audit.rules.base import IMPLEMENTATIONS, Implementation
from gdprlab.regulation.catalogue import RULES

#: one implementation per catalogue rule, in catalogue order (tests/audit/rules/test_registry.py)
IMPLEMENTED: tuple[Implementation, ...] = tuple(
    IMPLEMENTATIONS[r.id] for r in RULES if r.id in IMPLEMENTATIONS)
