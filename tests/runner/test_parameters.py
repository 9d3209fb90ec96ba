"""The notebook parameter checker: unknown names, wrong types, values a converter refuses, all in one error.

Every problem must surface as one ParameterError that names the parameter and says what to pass, since
papermill itself only warns about unknown names and happily injects any type. A notebook's own
parameters are tested with the notebook (tests/audit/test_notebook.py, test_selfassess.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gdprlab.runner.parameters import (
    Param,
    ParameterError,
    as_date,
    as_path,
    as_text,
    existing_file,
    existing_path,
    parse_as_of,
    validate,
)

BEFORE = {"pd", "validate", "SPEC", "In", "Out", "get_ipython", "exit", "quit"}
SPEC = (
    Param("name", str, " Example ", "who", convert=as_text),
    Param("data", str, "", "a file or folder", convert=existing_path),
    Param("answers", str, "", "a file", convert=existing_file),
    Param("out", str, "", "a folder to make", convert=as_path),
    Param("day", str, "", "a date", convert=as_date),
    Param("count", int, 5, "how many", minimum=0),
    Param("plain", str, "as given", "no converter"),
)


def run(base: Path, **values: object) -> dict[str, object]:
    """validate() as a notebook calls it: names before the parameters cell, then the parameters."""
    namespace = {name: object() for name in BEFORE} | values
    return validate(namespace, BEFORE, SPEC, base=base)


def problem(base: Path, **values: object) -> str:
    with pytest.raises(ParameterError) as info:
        run(base, **values)
    return str(info.value)


def test_defaults_and_empty_text_mean_not_given(tmp_path: Path) -> None:
    assert run(tmp_path) == {"name": "Example", "data": None, "answers": None, "out": None, "day": None,
                             "count": 5, "plain": "as given"}
    assert run(tmp_path, name="  ")["name"] is None


def test_values_are_converted_and_relative_paths_start_from_the_base(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: 1\n", encoding="utf-8")
    values = run(tmp_path / "nb", data="..", answers="../a.yaml", out="../out", day="2026-02-28", count=0)
    assert values["data"] == tmp_path and values["answers"] == tmp_path / "a.yaml"
    assert values["out"] == tmp_path / "out"
    assert (values["day"], values["count"]) == (dt.date(2026, 2, 28), 0)
    assert run(tmp_path, out=str(tmp_path / "abs"))["out"] == tmp_path / "abs"


def test_unknown_name_is_an_error_not_a_warning(tmp_path: Path) -> None:
    message = problem(tmp_path, cuont=2)
    assert "unknown parameter 'cuont'" in message
    assert "known parameters: name, data, answers, out, day, count, plain" in message


def test_names_bound_before_the_parameters_cell_and_ipython_names_are_ignored(tmp_path: Path) -> None:
    assert run(tmp_path, _i3="count = 2", _=1, __=2, _oh={})["count"] == 5


@pytest.mark.parametrize(("values", "expected"), [
    ({"count": "5"}, "count: expected int, got str '5'"),
    ({"count": True}, "count: expected int, got bool"),
    ({"count": 2.0}, "count: expected int, got float"),
    ({"count": -1}, "count: must be at least 0, got -1"),
    ({"name": 123}, "name: expected str, got int 123 (papermill -p turns numbers into int; pass text with "
                    "-r)"),
    ({"day": dt.date(2026, 1, 1)}, "day: expected str, got date"),
])
def test_wrong_type_or_too_small(tmp_path: Path, values: dict, expected: str) -> None:
    assert expected in problem(tmp_path, **values)


def test_missing_paths(tmp_path: Path) -> None:
    assert f"data: 'nowhere' does not exist (looked for {tmp_path / 'nowhere'})" in problem(tmp_path,
                                                                                          data="nowhere")
    assert "answers: 'no.yaml' does not exist" in problem(tmp_path, answers="no.yaml")
    assert f"answers: {str(tmp_path)!r} is not a file" in problem(tmp_path, answers=str(tmp_path))


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-02-30", "is not a calendar date"),
    ("30.06.2026", "is not a date written YYYY-MM-DD"),
])
def test_bad_date(tmp_path: Path, text: str, expected: str) -> None:
    assert f"day: {text!r} {expected}" in problem(tmp_path, day=text)
    with pytest.raises(ValueError, match=expected):
        parse_as_of(text)
    assert parse_as_of("  ") is None


def test_every_problem_is_listed_in_one_error(tmp_path: Path) -> None:
    message = problem(tmp_path, colour="red", data="nowhere", day="yesterday", count=-3)
    assert message.startswith("4 parameter problem(s):\n- unknown parameter 'colour'")
    assert all(f"- {name}:" in message for name in ("data", "day", "count"))


def test_parameter_error_is_a_value_error() -> None:
    assert issubclass(ParameterError, ValueError)


def test_missing_names_take_their_defaults(tmp_path: Path) -> None:
    values = validate({"count": 1}, set(), SPEC, base=tmp_path)
    assert (values["count"], values["plain"]) == (1, "as given")
