"""pyproject.toml (pip users) and environment.yml (conda users) must ask for the same packages.

Otherwise the two kinds of install drift apart, and e.g. a different Faker makes the generator's output
differ between two people using the same seed.
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

#: conda-forge name -> PyPI name, for packages named differently on the two (after normalising).
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
#: conda entries that are no dependency of the project itself.
CONDA_ONLY = {"python", "pip"}

#: name, optional [extras] (pip only; conda-forge packages bundle what the extra installs), specifier
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def normalise_name(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def parse_requirement(text: str) -> tuple[str, str]:
    """Split 'name >=1.0, <2' into ('name', '<2,>=1.0'): whitespace and clause order don't matter."""
    match = _REQUIREMENT.match(text)
    assert match, f"cannot parse requirement {text!r}"
    name, spec = match.groups()
    clauses = sorted(clause for clause in re.sub(r"\s+", "", spec).split(",") if clause)
    return normalise_name(name), ",".join(clauses)


def pyproject_requirements(pyproject: dict) -> dict[str, str]:
    project = pyproject["project"]
    entries = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(parse_requirement(entry) for entry in entries)


def conda_requirements(env: dict) -> dict[str, str]:
    """The conda dependencies under their PyPI names, without python, pip and the pip section."""
    found = {}
    for entry in env["dependencies"]:
        if isinstance(entry, str):
            name, spec = parse_requirement(entry)
            if name not in CONDA_ONLY:
                found[CONDA_TO_PYPI.get(name, name)] = spec
    return found


def differences(pyproject: dict, env: dict) -> list[str]:
    """Human-readable mismatches between the two files; empty when they agree."""
    pip, conda = pyproject_requirements(pyproject), conda_requirements(env)
    problems = [f"{name}: only in pyproject.toml ({pip[name]!r})" for name in sorted(pip.keys() - conda)]
    problems += [f"{name}: only in environment.yml ({conda[name]!r})" for name in sorted(conda.keys() - pip)]
    problems += [
        f"{name}: pyproject.toml says {pip[name]!r}, environment.yml says {conda[name]!r}"
        for name in sorted(pip.keys() & conda.keys())
        if pip[name] != conda[name]
    ]
    return problems


def conda_python(env: dict) -> str:
    entries = [parse_requirement(entry) for entry in env["dependencies"] if isinstance(entry, str)]
    specs = [spec for name, spec in entries if name == "python"]
    assert len(specs) == 1, "environment.yml must list python exactly once"
    return specs[0]


def pip_section(env: dict) -> list[str]:
    sections = [entry["pip"] for entry in env["dependencies"] if isinstance(entry, dict) and "pip" in entry]
    return sections[0] if sections else []


def load_pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)


def load_env() -> dict:
    with open(ROOT / "environment.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_same_packages_and_specifiers() -> None:
    assert differences(load_pyproject(), load_env()) == []


def test_faker_is_pinned_exactly_in_both() -> None:
    assert pyproject_requirements(load_pyproject())["faker"].startswith("==")
    assert conda_requirements(load_env())["faker"].startswith("==")


def test_python_requirement_agrees() -> None:
    assert parse_requirement("python" + load_pyproject()["project"]["requires-python"])[1] == ">=3.11"
    assert conda_python(load_env()) == ">=3.11"


def test_conda_uses_conda_forge_and_installs_the_project() -> None:
    env = load_env()
    assert env["name"] == "gdprlab"
    assert env["channels"] == ["conda-forge"]
    assert pip_section(env) == ["-e ."], "pip section installs the project only; add deps to conda's list"


def test_package_added_to_one_file_only_is_caught() -> None:
    pyproject, env = load_pyproject(), load_env()
    extra_env = copy.deepcopy(env)
    extra_env["dependencies"].insert(1, "requests>=2.31")
    assert differences(pyproject, extra_env) == ["requests: only in environment.yml ('>=2.31')"]

    extra_pip = copy.deepcopy(pyproject)
    extra_pip["project"]["optional-dependencies"]["test"].append("hypothesis>=6")
    assert differences(extra_pip, env) == ["hypothesis: only in pyproject.toml ('>=6')"]


def test_changed_specifier_is_caught() -> None:
    env = load_env()
    env["dependencies"] = ["faker>=40" if str(e).startswith("faker") else e for e in env["dependencies"]]
    assert differences(load_pyproject(), env) == [
        "faker: pyproject.toml says '==40.63.0', environment.yml says '>=40'"
    ]


def test_normalising_and_name_map() -> None:
    assert parse_requirement("Python_Stdnum >= 2.0") == ("python-stdnum", ">=2.0")
    assert parse_requirement("pkg <2, >=1") == ("pkg", "<2,>=1")
    env = {"dependencies": ["python>=3.11", "matplotlib-base>=3.8", "pip", {"pip": ["-e ."]}]}
    assert conda_requirements(env) == {"matplotlib": ">=3.8"}
