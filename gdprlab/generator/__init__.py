"""Synthetic CRM datasets with planted, labelled GDPR violations."""

from gdprlab.generator.config import LOCALES, PROFILES, ConfigError, GeneratorConfig
from gdprlab.generator.dataset import Dataset, generate, write_dataset

__all__ = ["LOCALES", "PROFILES", "ConfigError", "Dataset", "GeneratorConfig", "generate", "write_dataset"]
