"""The backup commands of `observer`: backup, backups, restore.

`backups` and `restore` work on files and never open the store, so a damaged store cannot
stand in their way; `restore` refuses a store that is open elsewhere.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from observer.cli.commands import P12_PASSPHRASE_ENV
from observer.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    Arguments,
    Handler,
    StoreFreeHandler,
    print_json,
)
from observer.governance.restoring import RestoreNotConfirmed
from observer.paths import PASSPHRASE_ENV, backups_dir, data_dir, database_path
from observer.services import DataFolder, Services


def no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def backup(services: Services, args: argparse.Namespace) -> int:
    print(services.backups.make())
    return EXIT_OK


def backups_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="a JSON array, for scripts")


KEPT_ASIDE = "kept aside: could not be read"


def backups(directory: Path, passphrase: str, args: argparse.Namespace) -> int:
    folder = DataFolder(directory)
    found = folder.backups()
    aside = folder.kept_aside_stores()
    if args.json:
        print_json(
            [
                {
                    "path": str(b.path),
                    "made_at": b.made_at.isoformat(),
                    "reason": b.reason,
                    "size": b.size,
                    "kept_aside": False,
                }
                for b in found
            ]
            + [
                {
                    "path": str(k.path),
                    "made_at": k.set_aside_at.isoformat(),
                    "reason": KEPT_ASIDE,
                    "size": k.size,
                    "kept_aside": True,
                }
                for k in aside
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
    if aside:
        print(
            "Stores a restore kept aside, unchanged, because they could not be read (not "
            "backups; never removed by Practice Observer):"
        )
    for k in aside:
        print(
            f"{k.set_aside_at.astimezone():%Y-%m-%d %H:%M}  {KEPT_ASIDE:<28}  "
            f"{_megabytes(k.size):>9}  {k.path}"
        )
    return EXIT_OK


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a backup (a path or its file name)")
    parser.add_argument("--yes", action="store_true", help="restore; without it, only say")
    parser.add_argument(
        "--discard-changes",
        type=int,
        metavar="N",
        help="confirm that the N audit events the store holds after the backup's time are "
        "taken out of it (kept in its before-restore backup); restore says N",
    )


def restore_backup(directory: Path, passphrase: str, args: argparse.Namespace) -> int:
    source = Path(args.file)
    folder = DataFolder(directory)
    plan = folder.plan_restore(source, passphrase)
    if not args.yes:
        confirm = f" --discard-changes {plan.to_confirm}" if plan.to_confirm else ""
        print(
            f"{plan.question()} This puts {plan.backup.path} in place of the store "
            f"{database_path(directory)}. Close Practice Observer, then run again with "
            f"--yes{confirm} to restore."
        )
        return EXIT_BAD_INPUT
    try:
        restored = folder.restore(source, passphrase, args.discard_changes)
    except RestoreNotConfirmed as refused:
        where = "" if directory == data_dir() else f" --data-dir {directory}"
        raise RestoreNotConfirmed(
            f"{str(refused).rstrip('.')}. To restore anyway: observer{where} restore "
            f"{source} --yes --discard-changes {plan.to_confirm or 'N'}"
        ) from None
    if restored.kept_as is None:
        kept = "there was no store to keep"
    elif restored.unreadable:
        kept = f"the store that could not be read is kept, unchanged, as {restored.kept_as}"
    else:
        kept = f"the store it replaced is kept as the backup {restored.kept_as}"
    print(
        f"Restored the backup of {restored.backup.describe()}; {kept}. The restore is in the "
        "audit trail, and the retention policy was applied to what came back."
    )
    if restored.identity_under_another_passphrase:
        where = "" if directory == data_dir() else f" --data-dir {directory}"
        print(
            "The store now opens with the passphrase this backup was made under, but this "
            "laptop's signing identity is under another one (the passphrase the store had "
            f"before, such as a newer one): bring it across with `{P12_PASSPHRASE_ENV}=<that "
            f"passphrase> observer{where} identity adopt`, with {PASSPHRASE_ENV} set as now."
        )
    return EXIT_OK


COMMANDS: dict[str, tuple[Arguments, Handler | StoreFreeHandler]] = {
    "backup": (no_arguments, backup),
    "backups": (backups_arguments, backups),
    "restore": (restore_arguments, restore_backup),
}
