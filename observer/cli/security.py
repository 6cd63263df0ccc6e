"""The passphrase command of `observer`: re-keys the store, its backups and the signing
identity (the current passphrase from $OBSERVER_PASSPHRASE, the new one from
$OBSERVER_NEW_PASSPHRASE, so neither shows in the process list or shell history)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from observer.errors import InvalidInput
from observer.paths import PASSPHRASE_ENV

if TYPE_CHECKING:
    from observer.services import Services

NEW_PASSPHRASE_ENV = "OBSERVER_NEW_PASSPHRASE"
Handler = Callable[["Services", argparse.Namespace], int]


def add_security_commands(
    commands: argparse._SubParsersAction[Any], parser_class: type[argparse.ArgumentParser]
) -> None:
    passphrase = commands.add_parser(
        "passphrase",
        help=f"change the passphrase (from ${PASSPHRASE_ENV} to ${NEW_PASSPHRASE_ENV})",
    )
    changes = passphrase.add_subparsers(
        dest="passphrase_command", required=True, parser_class=parser_class
    )
    changes.add_parser("change", help="re-encrypt the store, its backups and signing identity")


def _change(services: Services, args: argparse.Namespace) -> int:
    new = os.environ.get(NEW_PASSPHRASE_ENV)
    if not new:
        raise InvalidInput(f"Set {NEW_PASSPHRASE_ENV} to the new passphrase.")
    rekeyed = services.change_passphrase(services.passphrase, new, new)
    print(
        f"The passphrase is changed: the store, {rekeyed} backup"
        f"{'' if rekeyed == 1 else 's'} and the signing identity now open with the new one."
    )
    return 0


SECURITY_HANDLERS: dict[str, Handler] = {"passphrase": _change}
