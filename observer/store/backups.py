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

import contextlib
import logging
import os
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
    # Whether the data folder's signing identity does not open with the passphrase that
    # opens the restored store (a backup from before a passphrase change); the services say.
    identity_under_another_passphrase: bool = False


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


class StoreUnderAnotherPassphrase(ObserverError):
    """The passphrase neither opens the store nor finds it damaged: the store may be sound
    under another passphrase (or damaged: this passphrase's key cannot tell), and restoring
    with this one could wrongly set a sound store aside."""


class RestoreSteps(Protocol):
    """What a restore asks of the layers above the files (observer.governance.restoring)."""

    def replacing(
        self, current: Database | None, backup: Backup, unreadable_as: Path | None
    ) -> None:
        """Told, before anything changes, of the store about to be replaced (None when there
        is none or it cannot be read) and, when it cannot be read, the name it will be kept
        aside under (`unreadable_as`); raises to refuse."""

    def restoring(self, staged: Database, backup: Backup) -> None:
        """Given the staged copy of the backup, before it takes the store's name."""


def restore(
    data_dir: Path, backup_path: Path, passphrase: str, steps: RestoreSteps | None = None
) -> Restored:
    """Puts the backup at `backup_path` in place of the store in `data_dir`.

    The store must not be open anywhere. The store being replaced is never overwritten or
    removed: if `passphrase` reads it, it is first backed up ("before-restore", so it can
    be restored in turn); if it is damaged (the passphrase's key verifies some of its pages
    but does not open it) it is renamed, with its WAL, to `observer-damaged-<time>.sqlite`
    beside it; a store under another passphrase is refused. The backup is copied in under
    a staging name (`observer.sqlite.restoring-<pid>`), `steps` are given it, it is
    checked, and only then does it take the store's name; it is checked again in place."""
    from observer.store.db import Database, check_known_schema

    remove_stale_restores(data_dir)
    store = database_path(data_dir)
    backup = readable_backup(backup_path, store)
    key = backup_key(backup.path, passphrase)
    check_known_schema(backup.path, key, "backup")
    current_key = current_store_key(data_dir, passphrase)
    aside = kept_aside_name(store)
    if steps is not None:
        current = None if current_key is None else Database(store, current_key)
        unreadable_as = None
        if current_key is None and (
            encryption.has_content(store) or encryption.has_content(Path(f"{store}-wal"))
        ):
            unreadable_as = aside
        try:
            steps.replacing(current, backup, unreadable_as)
        finally:
            if current is not None:
                current.close()

    staged = store.with_name(f"{store.name}{RESTORING}{os.getpid()}")
    try:
        _stage(backup, staged, key, steps)
        kept_as, unreadable = _set_aside(data_dir, current_key, aside)
    except BaseException:
        _remove_staged(staged)
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


RESTORING = ".restoring-"  # a backup being copied in: the store's name, this, the process id


def _stage(backup: Backup, staged: Path, key: StoreKey, steps: RestoreSteps | None) -> None:
    """Copies the backup to `staged`, gives it to `steps`, and checks it."""
    from observer.store.db import Database

    _remove_staged(staged)
    shutil.copyfile(backup.path, staged)
    if steps is not None:
        copy = Database.open(staged, key, back_up=False)
        try:
            steps.restoring(copy, backup)
        finally:
            copy.close()
    encryption.sync_file(staged)
    problem = check_file(staged, key)
    if problem or encryption.has_content(Path(f"{staged}-wal")):
        raise BackupFailed(
            f"{backup.path.name} cannot be restored: {problem or 'its copy was not closed'}. "
            "The store was left as it was."
        )


def _remove_staged(staged: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{staged}{suffix}").unlink(missing_ok=True)


def remove_stale_restores(data_dir: Path) -> int:
    """Removes the staged copies that restores stopped part-way left in the data folder
    (each a whole copy of a backup); one whose process still runs is left alone."""
    store = database_path(data_dir)
    removed = 0
    for leftover in sorted(data_dir.glob(f"{store.name}{RESTORING}*")):
        pid = leftover.name[len(store.name) + len(RESTORING) :].split("-")[0]
        if pid.isdigit() and _running(int(pid)):
            continue
        leftover.unlink(missing_ok=True)
        removed += 1
    # The fixed staging name of earlier versions.
    for suffix in ("", "-wal", "-shm"):
        earlier = store.with_name(f"{store.name}.restoring{suffix}")
        if earlier.exists():
            earlier.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("removed %d files a stopped restore left", removed)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def readable_backup(backup_path: Path, store: Path) -> Backup:
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


def backup_key(path: Path, passphrase: str) -> StoreKey:
    if not encryption.looks_encrypted(path):
        if _plain_backup_of_an_earlier_version(path):
            raise BackupFailed(
                f"{path.name} is a backup from a version before the store was encrypted, "
                "which cannot be restored."
            )
        raise BackupFailed(f"{path.name} is not a Practice Observer backup.")
    try:
        return encryption.key_for(path, passphrase)
    except StoreNotEncrypted:
        raise BackupFailed(f"{path.name} is not a Practice Observer backup.") from None
    except WrongStorePassphrase:
        raise WrongStorePassphrase(
            f"That passphrase does not open {path.name}; a backup made before the "
            "passphrase was changed opens only with the passphrase used then."
        ) from None


def _plain_backup_of_an_earlier_version(path: Path) -> bool:
    if not encryption.is_plain_sqlite(path):
        return False
    try:
        connection = encryption.connect(path, None)
        try:
            found = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()[0]
        finally:
            connection.close()
    except encryption.dbapi().DatabaseError:
        return False
    return bool(found)


def store_is_damaged(data_dir: Path, passphrase: str) -> bool:
    """Whether `passphrase`, which does not open the store, is right for it all the same:
    its key verifies some of the store's pages (with the salt at the start of the store,
    or, when that page is lost, a backup's). Then the store is damaged. A store under
    another passphrase has no page this passphrase's key verifies, whatever passphrase its
    backups open with."""
    store = database_path(data_dir)
    salts: list[bytes] = []
    with contextlib.suppress(OSError, WrongStorePassphrase):
        salts.append(encryption.file_salt(store))
    for backup in _encrypted(list_backups(data_dir)):
        with contextlib.suppress(OSError, WrongStorePassphrase):
            salt = encryption.file_salt(backup.path)
            if salt not in salts:
                salts.append(salt)
    return any(
        encryption.some_pages_verify(store, encryption.derive_key(passphrase, salt))
        for salt in salts
    )


def current_store_key(data_dir: Path, passphrase: str) -> StoreKey | None:
    """The key that opens the store in `data_dir` with `passphrase`, or None when there is
    no store or it is damaged (or plain, from an earlier version) and may be set aside.
    StoreUnderAnotherPassphrase when the passphrase's key verifies none of its pages: it is
    sound under another passphrase. StoreInUse when another connection has it open."""
    store = database_path(data_dir)
    if not encryption.has_content(store) or encryption.is_plain_sqlite(store):
        return None
    try:
        key = encryption.key_for(store, passphrase)
    except WrongStorePassphrase:
        if store_is_damaged(data_dir, passphrase):
            return None
        raise StoreUnderAnotherPassphrase(
            "That passphrase does not open the store, and with it Practice Observer cannot "
            "tell whether the store is damaged or under another passphrase, so nothing was "
            "changed. Restore with the store's current passphrase (after a passphrase change, "
            "the new one), which opens its backups too."
        ) from None
    if in_use(store, key):
        raise StoreInUse(
            "The store is open in Practice Observer or another command: close it first; "
            "nothing was changed."
        )
    return key


def kept_aside_name(store: Path) -> Path:
    """The name a store that cannot be read is kept aside under by a restore made now."""
    stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
    return store.with_name(f"{store.stem}-{DAMAGED}-{stamp}{store.suffix}")


@dataclass(frozen=True)
class KeptAside:
    """A store a restore kept aside, unchanged, because it could not be read."""

    path: Path
    set_aside_at: datetime  # from its name (else the file's time), UTC
    size: int


def kept_aside_stores(data_dir: Path) -> list[KeptAside]:
    """The stores that restores kept aside because they could not be read, newest first."""
    store = database_path(data_dir)
    found = []
    for path in data_dir.glob(f"{store.stem}-{DAMAGED}-*{store.suffix}"):
        try:
            size = path.stat().st_size
            when = datetime.strptime(path.stem.rsplit("-", 1)[-1], STAMP_FORMAT)
            at = when.replace(tzinfo=UTC)
        except ValueError:
            at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:
            continue
        found.append(KeptAside(path, at, size))
    return sorted(found, key=lambda k: k.set_aside_at, reverse=True)


def _set_aside(data_dir: Path, key: StoreKey | None, target: Path) -> tuple[Path | None, bool]:
    """Keeps the current store out of the way: a checked before-restore backup when `key`
    (from `current_store_key`) reads it, else the file itself renamed to `target`. Returns
    where it is and whether it was unreadable."""
    store = database_path(data_dir)
    wal = Path(f"{store}-wal")
    if not encryption.has_content(store) and not encryption.has_content(wal):
        for empty in (store, wal, Path(f"{store}-shm")):
            empty.unlink(missing_ok=True)
        return None, False
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
    _move_aside(store, target)
    return target, True


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
