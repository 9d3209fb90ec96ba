"""GDPR compliance assessment and staff training for CRM data."""

__version__ = "0.1.0"
