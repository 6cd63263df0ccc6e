"""What every command module shares: exit codes, argument types, JSON output, and the
sentences that name an environment variable (the CLI's business, never the core's)."""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer.cli.commands import EXIT_BAD_INPUT as EXIT_BAD_INPUT
from observer.cli.commands import EXIT_CHECK_FAILED as EXIT_CHECK_FAILED
from observer.cli.commands import EXIT_OK as EXIT_OK
from observer.cli.commands import P12_PASSPHRASE_ENV
from observer.errors import InvalidInput
from observer.paths import PASSPHRASE_ENV

if TYPE_CHECKING:
    from observer.services import Services

Arguments = Callable[[argparse.ArgumentParser], None]
Handler = Callable[["Services", argparse.Namespace], int]
# Commands run with the data folder and the passphrase, before (and instead of) opening the store.
StoreFreeHandler = Callable[[Path, str, argparse.Namespace], int]

ADOPT_HINT = (
    "The signing identity does not open with the store's passphrase: it is under another one "
    "(the store's passphrase before a restore put back an older backup, or one chosen for "
    "signing before the store had a passphrase). Run `observer identity adopt` once with "
    f"that passphrase in {P12_PASSPHRASE_ENV}."
)


def say(line: str) -> None:
    """A line on what a long step is doing, on stderr: stdout carries only the result (JSON,
    for scripts)."""
    print(line, file=sys.stderr, flush=True)


def day_argument(text: str) -> date:
    """An argparse `type` for a date as the app reads it (31/03/2025, 31/3/25, 31 Mar 2025)
    or as ISO (2025-03-31)."""
    from observer.dates import parse_date

    try:
        return parse_date(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None


def record_id(text: str, what: str = "a record id") -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not {what}.") from None


def column(text: str, width: int) -> str:
    """`text` padded to `width`; a longer one cut after its last whole word that fits,
    with an ellipsis, so that no word is shown cut off."""
    if len(text) <= width:
        return text.ljust(width)
    cut = text[: width - 1]
    if text[width - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return f"{cut.rstrip()}…".ljust(width)


def terminal_width() -> int | None:
    """How many columns the terminal has ($COLUMNS, else its own); None when the output
    goes to a file or a pipe, where no line is wrapped, whatever $COLUMNS says."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def shown_width(text: str) -> int:
    """The columns `text` takes on a terminal: accents that combine take none, wide
    characters (Chinese, Japanese, Korean) two."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def padded(text: str, width: int) -> str:
    """`text` with spaces after it up to `width` columns, however wide its characters."""
    return text + " " * max(0, width - shown_width(text))


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    print()


def subcommands(parser: argparse.ArgumentParser, dest: str) -> argparse._SubParsersAction[Any]:
    """Sub-commands (`audit verify`) that fail the way every usage error does."""
    return parser.add_subparsers(dest=dest, required=True, parser_class=type(parser))


@contextlib.contextmanager
def saying_how_to_sign(services: Services | None = None) -> Iterator[None]:
    """Adds to the core's refusal what a user of the command line can do about it: which
    environment variable the passphrase comes from, or how to adopt an identity under
    another passphrase (for a sign-off refused for want of the identity, when `services`
    finds it is under another passphrase)."""
    from observer.records.sign_off import IdentityUnavailable
    from observer.signing import PassphraseNeeded, WrongPassphrase

    try:
        yield
    except WrongPassphrase:
        raise WrongPassphrase(ADOPT_HINT) from None
    except IdentityUnavailable as exc:
        if services is None or not services.summaries.identity_under_another_passphrase():
            raise
        raise IdentityUnavailable(f"{exc} {ADOPT_HINT}") from None
    except PassphraseNeeded as exc:
        raise PassphraseNeeded(
            f"{str(exc).rstrip('.')}: set {PASSPHRASE_ENV} to the store's passphrase."
        ) from None
