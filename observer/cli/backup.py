"""The backup commands of `observer`: backup, backups, restore.

`backups` and `restore` work on files and never open the store, so a damaged store cannot
stand in their way; `restore` refuses a store that is open elsewhere.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from observer.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    Arguments,
    Handler,
    StoreFreeHandler,
    print_json,
)
from observer.paths import backups_dir, database_path
from observer.services import DataFolder, Services


def no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def backup(services: Services, args: argparse.Namespace) -> int:
    print(services.backups.make())
    return EXIT_OK


def backups_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="a JSON array, for scripts")


def backups(directory: Path, passphrase: str, args: argparse.Namespace) -> int:
    found = DataFolder(directory).backups()
    if args.json:
        print_json(
            [
                {
                    "path": str(b.path),
                    "made_at": b.made_at.isoformat(),
                    "reason": b.reason,
                    "size": b.size,
                }
                for b in found
            ]
        )
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


def restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a backup (a path or its file name)")
    parser.add_argument("--yes", action="store_true", help="restore; without it, only say")


def restore_backup(directory: Path, passphrase: str, args: argparse.Namespace) -> int:
    source = Path(args.file)
    if not args.yes:
        print(
            f"This puts {source} in place of the store {database_path(directory)}; the store "
            "is kept first (as a before-restore backup, or set aside if it cannot be read). "
            "Close Practice Observer, then run again with --yes to restore."
        )
        return EXIT_BAD_INPUT
    restored = DataFolder(directory).restore(source, passphrase)
    if restored.kept_as is None:
        kept = "there was no store to keep"
    elif restored.unreadable:
        kept = f"the store that could not be read is kept, unchanged, as {restored.kept_as}"
    else:
        kept = f"the store it replaced is kept as the backup {restored.kept_as}"
    print(f"Restored the backup of {restored.backup.describe()}; {kept}.")
    return EXIT_OK


COMMANDS: dict[str, tuple[Arguments, Handler | StoreFreeHandler]] = {
    "backup": (no_arguments, backup),
    "backups": (backups_arguments, backups),
    "restore": (restore_arguments, restore_backup),
}
