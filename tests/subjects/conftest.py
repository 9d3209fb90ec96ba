"""The subject tests' dataset (tests/subjects/subject_data.py), built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from subjects.subject_data import build


@pytest.fixture(scope="session")
def people(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("subjects") / "ds")
