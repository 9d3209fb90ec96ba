"""The learner identity: hub user, remembered id, asked once; validation of the id."""

from __future__ import annotations

import stat

import pytest

from gdprlab.training.learner import (
    MAX_LENGTH,
    InvalidLearnerId,
    LearnerIdentity,
    LearnerUnknown,
    current_learner,
    default_config_file,
    forget_learner,
    hub_learner,
    resolve_learner,
    validate_learner_id,
)


def never_ask(prompt: str) -> str:
    raise AssertionError(f"should not ask, but asked {prompt!r}")


class Answers:
    """An input() stand-in giving prepared answers and counting the prompts."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice", "alice"),
        ("  s.mueller-01 \n", "s.mueller-01"),
        ("x" * MAX_LENGTH, "x" * MAX_LENGTH),
        ("Zoë", "Zoë"),
        ("dept/anna", "dept/anna"),
        ("user@corp", "user@corp"),  # an "@" alone (some logins) is not an e-mail address
    ],
)
def test_valid_ids_are_trimmed(raw, expected):
    assert validate_learner_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "empty"),
        ("   \t", "empty"),
        ("x" * (MAX_LENGTH + 1), "at most 64"),
        ("al\x00ice", "U+0000"),
        ("al\nice", "U+000A"),
        ("bob\x1b[31m", "U+001B"),
        ("eve\u202egnp", "U+202E"),
        ("z\u200bw", "U+200B"),
        (None, "text"),
        ("Anna Muster", "contains a space"),
        ("staff 4711", "contains a space"),
        ("anna.muster@example.org", "e-mail address"),
        ("A.Muster@Firma.co.uk", "e-mail address"),
    ],
)
def test_invalid_ids_are_refused_with_the_reason(raw, why):
    with pytest.raises(InvalidLearnerId, match=why.replace("+", r"\+")):
        validate_learner_id(raw)


def test_hub_user_wins_and_nothing_is_asked():
    identity = resolve_learner({"JUPYTERHUB_USER": " alice "}, "bob", never_ask)
    assert identity == LearnerIdentity("alice", "hub")


def test_remembered_id_is_used_without_asking():
    assert resolve_learner({}, "bob\n", never_ask) == LearnerIdentity("bob", "remembered")


def test_asked_when_unknown_and_asked_again_after_an_invalid_answer():
    ask = Answers("", "  carol  ")
    assert resolve_learner({}, None, ask) == LearnerIdentity("carol", "asked")
    assert len(ask.prompts) == 2
    assert "not your name or e-mail" in ask.prompts[0]
    assert ask.prompts[1].startswith("The learner id is empty.")


def test_invalid_remembered_id_is_asked_again():
    assert resolve_learner({}, "\x00", Answers("dave")) == LearnerIdentity("dave", "asked")


def test_gives_up_after_three_invalid_answers():
    with pytest.raises(InvalidLearnerId):
        resolve_learner({}, None, Answers("", " ", "\x07"))


def test_unknown_without_a_callback():
    with pytest.raises(LearnerUnknown, match="JUPYTERHUB_USER"):
        resolve_learner({"JUPYTERHUB_USER": "  "}, None, None)


def test_current_learner_asks_once_and_remembers(tmp_path):
    config = tmp_path / "cfg" / "learner"
    ask = Answers("erin")
    assert current_learner(ask, env={}, config_file=config) == "erin"
    assert current_learner(never_ask, env={}, config_file=config) == "erin"
    assert ask.prompts and len(ask.prompts) == 1
    assert config.read_text() == "erin\n"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert forget_learner(config_file=config) is True
    assert forget_learner(config_file=config) is False
    assert current_learner(Answers("frank"), env={}, config_file=config) == "frank"


def test_current_learner_under_jupyterhub_writes_nothing(tmp_path):
    config = tmp_path / "learner"
    assert current_learner(never_ask, env={"JUPYTERHUB_USER": "gina"}, config_file=config) == "gina"
    assert not config.exists()


def test_default_config_file_location(tmp_path):
    assert default_config_file({"GDPRLAB_LEARNER_FILE": str(tmp_path / "id")}) == tmp_path / "id"
    assert default_config_file({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "gdprlab" / "learner"
    assert default_config_file({}).parts[-3:] == (".config", "gdprlab", "learner")


def test_a_hub_login_that_is_an_email_address_is_not_used(tmp_path):
    env = {"JUPYTERHUB_USER": "anna.muster@example.org"}
    assert hub_learner(env) is None
    with pytest.raises(LearnerUnknown):
        resolve_learner(env, None, None)
    assert resolve_learner(env, "s-0042\n", None) == LearnerIdentity("s-0042", "remembered")
    assert hub_learner({"JUPYTERHUB_USER": " s-0042 "}) == "s-0042"


#: ids the lessons refuse, and what the one validator says about each
REFUSED = {
    "anna.muster@example.org": "looks like an e-mail address",
    "Anna Muster": "contains a space",
    "S" * (MAX_LENGTH + 1): f"at most {MAX_LENGTH} allowed",
}


@pytest.mark.parametrize(("raw", "why"), list(REFUSED.items()), ids=["e-mail", "space", "too long"])
def test_every_way_an_id_enters_refuses_it_with_the_one_validator(raw, why, tmp_path):
    """The JupyterHub login, the remembered file, lesson 00's panel, the quiz widget, a stored attempt, the
    roster import and the trainer's `progress erase --learner` all refuse the id, with the validator's words
    (validate_learner_id, written once in gdprlab/training/learner.py)."""
    import argparse

    from helpers import graded_attempt

    from gdprlab.cli.training import learner_id
    from gdprlab.training.quiz_widget import learner_panel, resolve_learner_or_preview
    from gdprlab.training.store.roster import RosterError, validate_rows

    assert hub_learner({"JUPYTERHUB_USER": raw}) is None
    remembered = tmp_path / "remembered"
    remembered.write_text(raw + "\n", encoding="utf-8")
    with pytest.raises(LearnerUnknown):
        current_learner(ask=None, env={}, config_file=remembered)

    panel = learner_panel(env={}, config_file=tmp_path / "typed")
    panel.text.value = raw
    panel.button.click()
    assert "Not saved" in panel.status.value and why in panel.status.value
    assert not (tmp_path / "typed").exists()
    with pytest.raises(InvalidLearnerId, match=why):
        resolve_learner_or_preview(raw)  # show_quiz(learner=...), my_progress(learner=...)

    with pytest.raises(ValueError, match=why):
        graded_attempt(raw, "01_classification")  # the store's Attempt (also each attempt read back)

    row = {"staff_id": "S9", "name": "N", "email": "n@example.invalid", "department": "Sales",
           "role": "sales_rep", "crm_access": "standard", "start_date": "2024-01-15", "learner_id": raw}
    with pytest.raises(RosterError, match=why) as refused:
        validate_rows([row], file="staff.csv")
    assert (refused.value.file, refused.value.row, refused.value.field) == ("staff.csv", 1, "learner_id")

    with pytest.raises(argparse.ArgumentTypeError, match=why):
        learner_id(raw)
