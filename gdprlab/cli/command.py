"""One subcommand of `gdprlab`, as each user's module (cli/data.py, cli/audit.py, cli/training.py)
declares it for cli/main.py's parser, and the argument type their dates share."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from gdprlab.crm.io import parse_date


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, help text (also its description), example, arguments and what it runs."""

    name: str
    help: str
    example: str
    arguments: Callable[[argparse.ArgumentParser], object]
    run: Callable[[argparse.Namespace], int]  # the exit code


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum` (a count of rows or records)."""
    def whole(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least {minimum}")
        return value
    return whole


def date(text: str) -> dt.date:
    """An argparse type: a date written YYYY-MM-DD, as everywhere in gdprlab (gdprlab.crm.io.parse_date)."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
