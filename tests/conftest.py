"""Shared fixtures: small generated datasets, made once per test session."""

from __future__ import annotations

import datetime as dt

import pytest

from gdprlab.generator import GeneratorConfig, generate, write_dataset

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="session")
def typical():
    return generate(GeneratorConfig(contacts=4000, seed=11, as_of=AS_OF, profile="typical"))


@pytest.fixture(scope="session")
def messy():
    return generate(GeneratorConfig(contacts=4000, seed=12, as_of=AS_OF, profile="messy"))


@pytest.fixture(scope="session")
def clean():
    return generate(GeneratorConfig(contacts=2000, seed=13, as_of=AS_OF, profile="clean"))


@pytest.fixture(scope="session")
def typical_dir(typical, tmp_path_factory):
    return write_dataset(typical, tmp_path_factory.mktemp("typical") / "ds")
