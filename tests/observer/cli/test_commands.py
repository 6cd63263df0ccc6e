"""The command table: every command's module is loaded only when it runs, and the limits
its one-line help quotes are the ones the core enforces."""

from __future__ import annotations

import importlib

import pytest

from observer.cli.commands import BY_NAME, COMMANDS
from observer.cli.main import command_named_in
from observer.review.settings import (
    DEFAULT_ASYE_REQUIRED,
    DEFAULT_INTERVAL_MONTHS,
    MAX_ASYE_REQUIRED,
    MAX_INTERVAL_MONTHS,
    MIN_ASYE_REQUIRED,
    MIN_INTERVAL_MONTHS,
)
from observer.security.idle_lock import MAX_IDLE_MINUTES, MIN_IDLE_MINUTES


def test_every_command_has_its_arguments_and_handler_in_its_module() -> None:
    for command in COMMANDS:
        module = importlib.import_module(f"observer.cli.{command.module}")
        arguments, handler = module.COMMANDS[command.name]
        assert callable(arguments), command.name
        assert callable(handler), command.name


def test_the_help_quotes_the_limits_the_core_enforces() -> None:
    asye = f"({MIN_ASYE_REQUIRED}-{MAX_ASYE_REQUIRED}, default {DEFAULT_ASYE_REQUIRED})"
    interval = f"({MIN_INTERVAL_MONTHS}-{MAX_INTERVAL_MONTHS}, default {DEFAULT_INTERVAL_MONTHS})"
    assert BY_NAME["asye-observations"].help.endswith(asye)
    assert BY_NAME["observation-interval"].help.endswith(interval)
    assert BY_NAME["lock-after"].help.endswith(f"({MIN_IDLE_MINUTES}-{MAX_IDLE_MINUTES})")


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["list"], "list"),
        (["--data-dir", "list", "team"], "team"),
        (["--data-dir=x", "worker", "list"], "worker"),
        (["--data", "d", "audit", "list"], "audit"),
        (["--help"], None),
        (["--version"], None),
        (["no-such-command"], None),
        ([], None),
    ],
)
def test_the_command_is_found_without_parsing(argv: list[str], command: str | None) -> None:
    assert command_named_in(argv) == command
