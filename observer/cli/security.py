"""The passphrase command of `observer`: re-keys the store, its backups and the signing
identity (the current passphrase from $OBSERVER_PASSPHRASE, the new one from
$OBSERVER_NEW_PASSPHRASE, so neither shows in the process list or shell history)."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from observer.cli.commands import NEW_PASSPHRASE_ENV
from observer.cli.common import EXIT_OK, Arguments, Handler, say, subcommands
from observer.errors import InvalidInput

if TYPE_CHECKING:
    from observer.services import Services


def passphrase_arguments(parser: argparse.ArgumentParser) -> None:
    changes = subcommands(parser, "passphrase_command")
    changes.add_parser("change", help="re-encrypt the store, its backups and signing identity")


def change(services: Services, args: argparse.Namespace) -> int:
    new = os.environ.get(NEW_PASSPHRASE_ENV)
    if not new:
        raise InvalidInput(f"Set {NEW_PASSPHRASE_ENV} to the new passphrase.")
    rekeyed = services.change_passphrase(services.passphrase, new, new, progress=say)
    print(
        f"The passphrase is changed: the store, {rekeyed} backup"
        f"{'' if rekeyed == 1 else 's'} and the signing identity now open with the new one."
    )
    return EXIT_OK


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"passphrase": (passphrase_arguments, change)}
