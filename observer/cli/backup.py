"""The backup commands of `observer`: backup, backups, restore.

`backups` and `restore` work on files and never open the store, so a damaged store cannot
stand in their way; `restore` refuses a store that is open elsewhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer.paths import backups_dir, database_path
from observer.store.backups import MANUAL, list_backups, make_backup, restore

if TYPE_CHECKING:
    from observer.services import Services

EXIT_OK, EXIT_BAD_INPUT = 0, 2

Handler = Callable[["Services", argparse.Namespace], int]
# Commands run with the data folder and the passphrase, before (and instead of) opening the store.
StoreFreeHandler = Callable[[Path, str, argparse.Namespace], int]


def add_backup_commands(commands: argparse._SubParsersAction[Any]) -> None:
    commands.add_parser("backup", help="make an encrypted backup of the store now")
    backups = commands.add_parser("backups", help="list the backups, newest first")
    backups.add_argument("--json", action="store_true", help="a JSON array, for scripts")
    restoring = commands.add_parser(
        "restore", help="put a backup in place of the store, keeping the store aside"
    )
    restoring.add_argument("file", metavar="FILE", help="a backup (a path or its file name)")
    restoring.add_argument("--yes", action="store_true", help="restore; without it, only say")


def _backup(services: Services, args: argparse.Namespace) -> int:
    print(make_backup(services, MANUAL))
    return EXIT_OK


def _backups(directory: Path, passphrase: str, args: argparse.Namespace) -> int:
    found = list_backups(directory)
    if args.json:
        json.dump(
            [
                {
                    "path": str(b.path),
                    "made_at": b.made_at.isoformat(),
                    "reason": b.reason,
                    "size": b.size,
                }
                for b in found
            ],
            sys.stdout,
            indent=1,
        )
        print()
        return EXIT_OK
    if not found:
        print(f"No backups yet in {backups_dir(directory)}.")
    for b in found:
        print(
            f"{b.made_at.astimezone():%Y-%m-%d %H:%M}  {b.reason or '(unknown)':<16.28}  "
            f"{_megabytes(b.size):>9}  {b.path}"
        )
    return EXIT_OK


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _restore(directory: Path, passphrase: str, args: argparse.Namespace) -> int:
    source = Path(args.file)
    if not args.yes:
        print(
            f"This puts {source} in place of the store {database_path(directory)}; the store "
            "is kept first (as a before-restore backup, or set aside if it cannot be read). "
            "Close Practice Observer, then run again with --yes to restore."
        )
        return EXIT_BAD_INPUT
    restored = restore(directory, source, passphrase)
    if restored.kept_as is None:
        kept = "there was no store to keep"
    elif restored.unreadable:
        kept = f"the store that could not be read is kept, unchanged, as {restored.kept_as}"
    else:
        kept = f"the store it replaced is kept as the backup {restored.kept_as}"
    print(f"Restored the backup of {restored.backup.describe()}; {kept}.")
    return EXIT_OK


BACKUP_HANDLERS: dict[str, Handler] = {"backup": _backup}
STORE_FREE_HANDLERS: dict[str, StoreFreeHandler] = {"backups": _backups, "restore": _restore}
