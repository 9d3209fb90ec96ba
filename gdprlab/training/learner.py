"""Who is taking the lessons: the learner id under which quiz attempts are recorded.

The id comes from, in this order:

1. ``JUPYTERHUB_USER`` when set (the hub already authenticated the person; nothing is written);
2. the remembered id in a small config file, ``~/.config/gdprlab/learner`` by default
   (``$XDG_CONFIG_HOME/gdprlab/learner`` when that variable is set; override with the
   ``GDPRLAB_LEARNER_FILE`` environment variable or the ``config_file`` argument);
3. otherwise the learner is asked once, through an input callback, and the answer is remembered
   in that file (mode 0600).

:func:`resolve_learner` is the pure decision (environment, remembered value and callback in, id out);
:func:`current_learner` adds the reading and writing of the config file.

Data protection
---------------
The progress store (:mod:`gdprlab.training.store.progress`) holds personal data about staff: who attempted
which quiz, when, with which answers and score (GDPR Art. 4(1); in the employment context Art. 88
and national law apply).  Data minimisation (Art. 5(1)(c)): the only identifying item kept is this
learner id, a short opaque login such as the hub user name or a staff number.  Do **not** use a full
name or an e-mail address as the id; gdprlab never asks for or stores names, e-mail addresses or any
other attribute of the learner.  The id is validated (trimmed, non-empty, at most
:data:`MAX_LENGTH` characters, no space inside (a full name is refused), not an e-mail address, no control
characters, not a path: no leading ``/`` or ``\\``, no ``.`` or ``..`` part) but its meaning is up to the
organisation, which should say in its training notice what is recorded, why, who can see it and for how
long. A JupyterHub login that is not a valid id (e.g. an e-mail address) is not used: the learner is asked
for an id as without a hub.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gdprlab.crm.files import write_atomic

__all__ = [
    "CONFIG_FILE_ENV",
    "HUB_USER_ENV",
    "MAX_LENGTH",
    "InvalidLearnerId",
    "LearnerIdentity",
    "LearnerUnknown",
    "current_learner",
    "default_config_file",
    "forget_learner",
    "hub_learner",
    "resolve_learner",
    "validate_learner_id",
]

#: Environment variable JupyterHub sets to the authenticated user name.
HUB_USER_ENV = "JUPYTERHUB_USER"
#: Environment variable overriding the location of the remembered-id file.
CONFIG_FILE_ENV = "GDPRLAB_LEARNER_FILE"
#: Longest accepted learner id, in characters.
MAX_LENGTH = 64

PROMPT = (
    "Your learner id for recording quiz progress (a login or staff number, "
    f"not your name or e-mail; at most {MAX_LENGTH} characters): "
)

# Unicode categories refused in an id: control (Cc), format (Cf, e.g. bidi overrides and zero-width
# characters that make two ids look alike), surrogates, private use, unassigned, line/paragraph seps.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
#: an e-mail address: something@domain.tld (an "@" alone, as in some logins, is accepted)
_EMAIL = re.compile(r"[^@\s]@[^@\s]+\.[^@\s.]{2,}$")


class InvalidLearnerId(ValueError):
    """The learner id is empty, too long, has a space, is an e-mail address, reads as a path or contains
    control characters."""


class LearnerUnknown(RuntimeError):
    """No learner id could be found and none was given when asked."""


@dataclass(frozen=True)
class LearnerIdentity:
    """A validated learner id and where it came from: ``"hub"``, ``"remembered"`` or ``"asked"``."""

    learner: str
    source: str


def validate_learner_id(raw: object) -> str:
    """Return the trimmed id, or raise :class:`InvalidLearnerId` saying what is wrong with it."""
    if not isinstance(raw, str):
        raise InvalidLearnerId(f"a learner id must be text, not {type(raw).__name__}")
    learner = raw.strip()
    if not learner:
        raise InvalidLearnerId("the learner id is empty")
    if len(learner) > MAX_LENGTH:
        raise InvalidLearnerId(f"the learner id has {len(learner)} characters; at most {MAX_LENGTH} allowed")
    for position, char in enumerate(learner, start=1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise InvalidLearnerId(
                f"the learner id contains a control or invisible character (U+{ord(char):04X}) "
                f"at position {position}"
            )
    if any(char.isspace() for char in learner):
        raise InvalidLearnerId("the learner id contains a space; use a login or staff number, not your name")
    if _EMAIL.search(learner):
        raise InvalidLearnerId("the learner id looks like an e-mail address; use a login or staff number "
                               "instead (data minimisation, Art. 5(1)(c))")
    if learner.startswith(("/", "\\")) or {".", ".."} & set(re.split(r"[/\\]", learner)):
        raise InvalidLearnerId("the learner id reads as a path (it starts with / or \\, or has a . or .. "
                               "part); use a login or staff number")
    return learner


def hub_learner(env: Mapping[str, str]) -> str | None:
    """The JupyterHub login (``JUPYTERHUB_USER``) when it is set and a valid learner id, else None."""
    try:
        return validate_learner_id(env.get(HUB_USER_ENV, "")) if env.get(HUB_USER_ENV, "").strip() else None
    except InvalidLearnerId:
        return None


def default_config_file(env: Mapping[str, str] | None = None) -> Path:
    """Where the remembered id lives: ``GDPRLAB_LEARNER_FILE``, else ``<XDG config>/gdprlab/learner``."""
    env = os.environ if env is None else env
    if env.get(CONFIG_FILE_ENV):
        return Path(env[CONFIG_FILE_ENV]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "gdprlab" / "learner"


def resolve_learner(
    env: Mapping[str, str],
    remembered: str | None,
    ask: Callable[[str], str] | None,
    *,
    tries: int = 3,
) -> LearnerIdentity:
    """Decide the learner id without touching any file.

    ``env`` is the environment (``JUPYTERHUB_USER`` wins when set), ``remembered`` the content of the
    config file or None, ``ask`` a callback like :func:`input` called with a prompt (None: never ask).
    An invalid remembered id is ignored (the learner is asked again); an invalid answer is asked
    again, up to ``tries`` times, after which the last :class:`InvalidLearnerId` is raised.
    """
    hub_user = hub_learner(env)
    if hub_user is not None:
        return LearnerIdentity(hub_user, "hub")
    if remembered is not None:
        try:
            return LearnerIdentity(validate_learner_id(remembered), "remembered")
        except InvalidLearnerId:
            pass
    if ask is None:
        raise LearnerUnknown(
            f"no learner id: {HUB_USER_ENV} is not set and none is remembered; "
            "call current_learner() interactively once to set it"
        )
    prompt = PROMPT
    for attempt in range(1, tries + 1):
        try:
            return LearnerIdentity(validate_learner_id(ask(prompt)), "asked")
        except InvalidLearnerId as error:
            if attempt == tries:
                raise
            prompt = f"{str(error).capitalize()}. {PROMPT}"
    raise AssertionError("unreachable")  # pragma: no cover


def _read_remembered(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _remember(path: Path, learner: str) -> None:
    """Write the id atomically (temporary file + rename), readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, learner + "\n", fsync=True, mode=0o600)


def current_learner(
    ask: Callable[[str], str] | None = input,
    *,
    env: Mapping[str, str] | None = None,
    config_file: str | os.PathLike[str] | None = None,
) -> str:
    """The learner id for this session; asks once (through ``ask``) and remembers the answer."""
    env = os.environ if env is None else env
    path = Path(config_file).expanduser() if config_file is not None else default_config_file(env)
    remembered = None if hub_learner(env) is not None else _read_remembered(path)
    identity = resolve_learner(env, remembered, ask)
    if identity.source == "asked":
        _remember(path, identity.learner)
    return identity.learner


def forget_learner(
    *, env: Mapping[str, str] | None = None, config_file: str | os.PathLike[str] | None = None
) -> bool:
    """Delete the remembered id (e.g. on a shared computer); True when there was one."""
    path = Path(config_file).expanduser() if config_file is not None else default_config_file(env)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
