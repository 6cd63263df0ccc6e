"""Backups of the store: encrypted copies in the data folder's `backups/`, made on closing
the app, once a day, before an upgrade or a restore, and on request; and restoring one.

A backup is the SQLite online backup of the live store under the same key and salt, so
the same passphrase opens it. It is written under a temporary name, checked (it opens
with the key and passes `PRAGMA quick_check`) and only then given its real name, so a
half-written or damaged copy is never taken for a good one, and the older backups of its
kind are thinned out only after a new one has checked out.

Backups are named `observer-<reason>-<UTC time>.sqlite`; the name is all this module needs
to know when and why one was made. Files it did not name are listed and never removed.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from observer import paths
from observer.errors import DatabaseUnreadable, ObserverError
from observer.paths import backups_dir, database_path
from observer.store import encryption
from observer.store.backup_files import BEFORE_RESTORE as BEFORE_RESTORE
from observer.store.backup_files import BEFORE_UPGRADE as BEFORE_UPGRADE
from observer.store.backup_files import DAILY as DAILY
from observer.store.backup_files import KEEP as KEEP
from observer.store.backup_files import MANUAL as MANUAL
from observer.store.backup_files import ON_CLOSE as ON_CLOSE
from observer.store.backup_files import STAGING as STAGING
from observer.store.backup_files import STAMP_FORMAT as STAMP_FORMAT
from observer.store.backup_files import Backup as Backup
from observer.store.backup_files import BackupFailed as BackupFailed
from observer.store.backup_files import check_file as check_file
from observer.store.backup_files import clear_staging as clear_staging
from observer.store.backup_files import describe, write_backup
from observer.store.backup_files import list_backups as list_backups
from observer.store.backup_files import rotate as rotate
from observer.store.encryption import StoreKey, StoreNotEncrypted, WrongStorePassphrase

# observer.store.db (and SQLAlchemy with it) is imported where it is used: the GUI imports
# this module before its unlock window shows, which must not wait for it.
if TYPE_CHECKING:
    from observer.store.db import Database

log = logging.getLogger(__name__)

DAILY_INTERVAL = timedelta(hours=24)
DAMAGED = "damaged"


class StoreInUse(ObserverError):
    """The store is open in Practice Observer or another command, so it cannot be replaced."""


class HasDatabase(Protocol):
    @property
    def db(self) -> Database: ...


@dataclass(frozen=True)
class Restored:
    backup: Backup
    kept_as: Path | None  # where the store that was replaced now is (None: there was none)
    unreadable: bool  # whether it was set aside because the passphrase could not read it


def _database(source: Database | HasDatabase) -> Database:
    from observer.store.db import Database

    return source if isinstance(source, Database) else source.db


def make_backup(source: Database | HasDatabase, reason: str) -> Path:
    """Makes and checks a backup of the open store (see `write_backup`); then thins out the
    older ones of its kind. Raises BackupFailed, keeping every earlier backup, if it fails."""
    return write_backup(_database(source), reason)


def backup_if_due(source: Database | HasDatabase, now: datetime | None = None) -> Path | None:
    """A daily backup when the newest one is more than a day old (or there is none)."""
    db = _database(source)
    now = now or datetime.now(UTC)
    dailies = [b for b in list_backups(db.path.parent) if b.kind == DAILY]
    if dailies and now - dailies[0].made_at < DAILY_INTERVAL:
        return None
    return make_backup(db, DAILY)


def newest_backup_opens(data_dir: Path, passphrase: str) -> bool:
    """Whether `passphrase` opens the newest backup: then a store it does not open is
    damaged, not locked with another passphrase."""
    newest = next(iter(_encrypted(list_backups(data_dir))), None)
    if newest is None:
        return False
    try:
        encryption.key_for(newest.path, passphrase)
    except (WrongStorePassphrase, StoreNotEncrypted):
        return False
    return True


def latest_good_backup(data_dir: Path, passphrase: str) -> Backup | None:
    """The newest backup that `passphrase` opens and that checks out, if any."""
    keys: dict[bytes, StoreKey] = {}
    for backup in _encrypted(list_backups(data_dir)):
        salt = encryption.file_salt(backup.path)
        if salt not in keys:
            keys[salt] = encryption.derive_key(passphrase, salt)
        if check_file(backup.path, keys[salt]) is None:
            return backup
    return None


def damaged_store_message(directory: Path, passphrase: str, error: DatabaseUnreadable) -> str:
    """One line for a store that cannot be read: what is wrong, and the way back if any."""
    try:
        backup = latest_good_backup(directory, passphrase)
    except (OSError, ObserverError):
        backup = None
    if backup is None:
        return str(error)
    where = "" if directory == paths.data_dir() else f" --data-dir {directory}"
    return (
        f"{str(error).rstrip('.')}. The latest good backup is {backup.path} "
        f"(made {backup.describe()}); to restore it: observer{where} restore {backup.path} --yes"
    )


def _encrypted(backups: list[Backup]) -> list[Backup]:
    return [
        b
        for b in backups
        if b.size >= encryption.SALT_BYTES and not encryption.is_plain_sqlite(b.path)
    ]


def restore(data_dir: Path, backup_path: Path, passphrase: str) -> Restored:
    """Puts the backup at `backup_path` in place of the store in `data_dir`.

    The store must not be open anywhere. The store being replaced is never overwritten or
    removed: if `passphrase` reads it, it is first backed up ("before-restore", so it can
    be restored in turn); otherwise it is renamed, with its WAL, to
    `observer-damaged-<time>.sqlite` beside it. The backup is copied in under a temporary
    name and checked before it takes the store's name, then checked again in place."""
    from observer.store.db import check_known_schema

    store = database_path(data_dir)
    backup = _readable_backup(backup_path, store)
    key = _backup_key(backup.path, passphrase)
    check_known_schema(backup.path, key, "backup")

    staged = store.with_name(store.name + ".restoring")
    staged.unlink(missing_ok=True)
    shutil.copyfile(backup.path, staged)
    encryption.sync_file(staged)
    problem = check_file(staged, key)
    if problem:
        staged.unlink(missing_ok=True)
        raise BackupFailed(
            f"{backup.path.name} cannot be restored: {problem}. The store was left as it was."
        )
    try:
        kept_as, unreadable = _set_aside(data_dir, passphrase)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    staged.replace(store)
    encryption.sync_folder(data_dir)
    problem = check_file(store, key)
    if problem:
        kept = f"; the store it replaced is kept as {kept_as}" if kept_as else ""
        raise BackupFailed(f"The restored store did not check out ({problem}){kept}.")
    log.info(
        "restored %s; the previous store %s",
        backup.path.name,
        f"is kept as {kept_as.name}" if kept_as else "did not exist",
    )
    return Restored(backup, kept_as, unreadable)


def _readable_backup(backup_path: Path, store: Path) -> Backup:
    path = backup_path
    if not path.exists() and not path.is_absolute():
        in_folder = backups_dir(store.parent) / path
        path = in_folder if in_folder.exists() else path
    if not path.is_file():
        raise BackupFailed(f"{backup_path} is not a file.")
    if path.resolve() == store.resolve():
        raise BackupFailed(f"{backup_path} is the store itself, not a backup of it.")
    if not encryption.has_content(path):
        raise BackupFailed(f"{backup_path} is empty.")
    return describe(path)


def _backup_key(path: Path, passphrase: str) -> StoreKey:
    try:
        return encryption.key_for(path, passphrase)
    except StoreNotEncrypted:
        raise BackupFailed(f"{path.name} is not an encrypted Practice Observer backup.") from None
    except WrongStorePassphrase:
        raise WrongStorePassphrase(
            f"That passphrase does not open {path.name}; a backup made before the "
            "passphrase was changed opens only with the passphrase used then."
        ) from None


def _set_aside(data_dir: Path, passphrase: str) -> tuple[Path | None, bool]:
    """Keeps the current store out of the way: a checked before-restore backup when the
    passphrase reads it, else the file itself renamed. Returns where it is and whether it
    was unreadable."""
    store = database_path(data_dir)
    wal = Path(f"{store}-wal")
    if not encryption.has_content(store) and not encryption.has_content(wal):
        for empty in (store, wal, Path(f"{store}-shm")):
            empty.unlink(missing_ok=True)
        return None, False
    key = _readable_key(store, passphrase)
    if key is not None:
        if in_use(store, key):
            raise StoreInUse(
                "The store is open in Practice Observer or another command: close it first; "
                "nothing was changed."
            )
        if check_file(store, key) is None:
            from observer.store.db import Database

            current = Database(store, key)
            try:
                kept = make_backup(current, BEFORE_RESTORE)
            finally:
                current.close()
            for suffix in ("-wal", "-shm"):
                # Their content is in the backup just checked; left here they would be
                # replayed into the restored store.
                Path(f"{store}{suffix}").unlink(missing_ok=True)
            return kept, False
    stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
    target = store.with_name(f"{store.stem}-{DAMAGED}-{stamp}{store.suffix}")
    _move_aside(store, target)
    return target, True


def _readable_key(store: Path, passphrase: str) -> StoreKey | None:
    if not encryption.has_content(store) or encryption.is_plain_sqlite(store):
        return None
    try:
        return encryption.key_for(store, passphrase)
    except WrongStorePassphrase:
        return None


def _move_aside(store: Path, target: Path) -> None:
    """Renames the store and its WAL and shared-memory files together, so the set-aside
    copy is exactly what was there."""
    for suffix in ("-wal", "-shm", ""):
        source = Path(f"{store}{suffix}")
        if source.exists():
            source.replace(Path(f"{target}{suffix}"))
    encryption.sync_folder(store.parent)


def in_use(store: Path, key: StoreKey) -> bool:
    """Whether another connection (this process or another) has the store open."""
    connection = encryption.connect(store, key)
    try:
        connection.execute("PRAGMA busy_timeout = 0")
        connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("ROLLBACK")
    except encryption.dbapi().OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    finally:
        connection.close()
    return False


class Backups:
    """Backups of the open store: made on demand, daily, and on closing."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def make(self, reason: str = MANUAL) -> Path:
        return make_backup(self._db, reason)

    def on_close(self) -> Path:
        return make_backup(self._db, ON_CLOSE)

    def if_due(self, now: datetime | None = None) -> Path | None:
        return backup_if_due(self._db, now)

    def listed(self) -> list[Backup]:
        return list_backups(self._db.path.parent)
