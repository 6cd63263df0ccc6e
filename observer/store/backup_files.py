"""The backups folder: how backups are named, listed and thinned out, and how one is written
so that only a whole, checked copy ever takes a backup's name. `observer.store.backups`
makes them of the open store and restores them; `observer.store.db` makes the one taken
before an upgrade. This module knows no more of the store than `CopiedStore`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from observer.errors import ObserverError
from observer.paths import backups_dir
from observer.store import encryption
from observer.store.encryption import StoreKey

if sys.platform != "win32":
    import fcntl

log = logging.getLogger(__name__)

ON_CLOSE, DAILY, MANUAL = "on-close", "daily", "manual"
BEFORE_RESTORE, BEFORE_UPGRADE = "before-restore", "before-upgrade"
# How many of each kind are kept; the oldest beyond that go when a new one checks out.
# Backups made before a restore are kept longest, and those made before an upgrade (one per
# upgrade, by observer.store.db) are not rotated: they are the way back. Only an upgrade
# interrupted and run again replaces its own earlier copy of the same untouched store (same
# file, same upgrade, same salt).
KEEP = {ON_CLOSE: 10, DAILY: 7, MANUAL: 30, BEFORE_RESTORE: 20}
# All the backups together may take at most this many times the store's size (see `bound`).
SIZE_BOUND = 3
STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
STAGING = ".incomplete"
STALE_STAGING = timedelta(days=1)

_NAME = re.compile(r"^(?P<stem>.+?)-(?P<reason>[a-z0-9-]+?)-(?P<stamp>\d{8}T\d{12}Z)\.sqlite$")


class BackupFailed(ObserverError):
    """A backup could not be made or did not check out; the earlier ones are all kept."""


class CopiedStore(Protocol):
    """The open store, as far as writing a backup of it goes (`observer.store.db.Database`)."""

    path: Path
    key: StoreKey

    def copy_to(self, target: Path) -> None: ...


@dataclass(frozen=True)
class Backup:
    path: Path
    made_at: datetime  # UTC
    reason: str  # the label in the name, e.g. "daily" or "before-upgrade-0003-to-0004"
    size: int

    @property
    def kind(self) -> str:
        """The reason without its details: "before-upgrade" for every upgrade."""
        return BEFORE_UPGRADE if self.reason.startswith(BEFORE_UPGRADE) else self.reason

    def describe(self) -> str:
        return f"{self.made_at.astimezone():%d %B %Y, %H:%M}"


def list_backups(data_dir: Path) -> list[Backup]:
    """Every backup in the data folder, newest first. A copy is named as a backup only once
    it is whole (see `write_backup`), so none of these is one that did not finish."""
    folder = backups_dir(data_dir)
    found = [describe(path) for path in folder.glob("*.sqlite")] if folder.is_dir() else []
    return sorted(found, key=lambda b: (b.made_at, b.path.name), reverse=True)


def describe(path: Path) -> Backup:
    """The backup at `path`, as its name tells (a name this module did not give: its time)."""
    stat = path.stat()
    match = _NAME.match(path.name)
    if match is None:
        return Backup(path, datetime.fromtimestamp(stat.st_mtime, UTC), "", stat.st_size)
    made_at = datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
    return Backup(path, made_at, match["reason"], stat.st_size)


def write_backup(db: CopiedStore, reason: str) -> Path:
    """Makes and checks a backup of the open store `db`; then thins out the older ones of
    its kind. Raises BackupFailed (keeping every earlier backup) if it does not check out.

    The copy is written in the staging folder and takes its real name only once it has
    checked out and reached the disk, so a backup killed part-way leaves nothing that looks
    like a backup; `clear_staging` removes what it left, at the next backup or opening."""
    data_dir = db.path.parent
    folder = backups_dir(data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _writers_lock(folder, exclusive=False):
            target = _write_checked_copy(db, folder, reason)
    except OSError as exc:
        raise _not_written(db, folder, exc.errno == errno.ENOSPC) from exc
    finally:
        with contextlib.suppress(OSError):
            clear_staging(data_dir)
    log.info("backup made: %s (%d bytes)", target.name, target.stat().st_size)
    made = describe(target)
    if made.kind == BEFORE_UPGRADE:
        for earlier in _earlier_copies_of_the_same_upgrade(data_dir, target, made):
            earlier.unlink(missing_ok=True)
            log.info("earlier copy of the same store removed: %s", earlier.name)
    rotate(data_dir, made.kind)
    bound(data_dir, store_size(db.path))
    return target


def _earlier_copies_of_the_same_upgrade(data_dir: Path, target: Path, made: Backup) -> list[Path]:
    """The copies an upgrade interrupted earlier took of the same untouched store: the same
    file (name stem), the same upgrade (revisions in the reason) and the same store (salt).
    A before-upgrade backup of any other file is never one of them."""
    stem = _stem(target)
    try:
        salt = encryption.file_salt(target)
    except (OSError, encryption.WrongStorePassphrase):
        return []
    found = []
    for earlier in list_backups(data_dir):
        if earlier.path == target or earlier.reason != made.reason:
            continue
        if _stem(earlier.path) != stem:
            continue
        with contextlib.suppress(OSError, encryption.WrongStorePassphrase):
            if encryption.file_salt(earlier.path) == salt:
                found.append(earlier.path)
    return found


def _stem(path: Path) -> str | None:
    match = _NAME.match(path.name)
    return None if match is None else match["stem"]


def _write_checked_copy(db: CopiedStore, folder: Path, reason: str) -> Path:
    staging = folder / STAGING
    staging.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
    staged = staging / f"{db.path.stem}-{reason}-{stamp}.sqlite"
    try:
        db.copy_to(staged)
    except encryption.dbapi().DatabaseError as exc:
        _discard(staged)
        message = str(exc).lower()
        if "disk is full" in message:
            raise _not_written(db, folder, disk_full=True) from exc
        if check_file(db.path, db.key) is None:
            # The store reads whole, so it was the copy that could not be written.
            raise _not_written(db, folder, disk_full=False) from exc
        raise BackupFailed(
            "The backup could not be made because the store could not be read, so the store "
            "may be damaged; the earlier backups are all kept."
        ) from exc
    except BaseException:
        _discard(staged)
        raise
    problem = check_file(staged, db.key)
    if problem:
        _discard(staged)
        raise BackupFailed(
            f"The new backup did not check out ({problem}), so the store may be damaged. "
            "The earlier backups are all kept."
        )
    target = folder / staged.name
    encryption.sync_file(staged)
    staged.replace(target)
    encryption.sync_folder(folder)
    return target


def _not_written(db: CopiedStore, folder: Path, disk_full: bool) -> BackupFailed:
    if disk_full or _too_little_room(db.path, folder):
        return BackupFailed(
            "The backup could not be written because the disk is full; the store itself is "
            "unchanged and the earlier backups are all kept."
        )
    return BackupFailed(
        f"The backup could not be written to {folder}; the store itself is unchanged and the "
        "earlier backups are all kept."
    )


def _too_little_room(store: Path, folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < store.stat().st_size
    except OSError:
        return False


def _discard(staged: Path) -> None:
    for path in (staged, Path(f"{staged}-journal")):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def rotate(data_dir: Path, kind: str) -> list[Path]:
    """Removes the oldest backups of `kind` beyond how many are kept; returns them."""
    keep = KEEP.get(kind)
    if keep is None:
        return []
    removed = [b.path for b in list_backups(data_dir) if b.kind == kind][keep:]
    for path in removed:
        path.unlink(missing_ok=True)
        log.info("old backup removed: %s", path.name)
    return removed


def store_size(store: Path) -> int:
    """The bytes of the store with its write-ahead log: what a backup of it copies."""
    wal = store.with_name(f"{store.name}-wal")
    return store.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def recovery_points(backups: list[Backup]) -> set[Path]:
    """The backups `bound` never removes, of `backups` (newest first): the newest of all,
    and the way back from the last upgrade and from the last restore (the newest
    before-upgrade and before-restore copies)."""
    kept = {backups[0].path} if backups else set()
    for kind in (BEFORE_UPGRADE, BEFORE_RESTORE):
        newest = next((b for b in backups if b.kind == kind), None)
        if newest is not None:
            kept.add(newest.path)
    return kept


def bound(data_dir: Path, store_size: int) -> list[Path]:
    """Removes the oldest backups until all of them together take at most SIZE_BOUND times
    `store_size`; returns them. The recovery points stay (see `recovery_points`), and so do
    files this module did not name; the newest daily backup goes last, being yesterday's
    records when the newest of all is from a moment ago."""
    listed = list_backups(data_dir)
    total = sum(b.size for b in listed)
    limit = SIZE_BOUND * store_size
    if total <= limit:
        return []
    kept = recovery_points(listed)
    newest_daily = next((b for b in listed if b.kind == DAILY), None)
    candidates = [b for b in reversed(listed) if b.reason and b.path not in kept]
    if newest_daily in candidates:
        candidates.remove(newest_daily)
        candidates.append(newest_daily)
    removed = []
    for backup in candidates:
        if total <= limit:
            break
        backup.path.unlink(missing_ok=True)
        total -= backup.size
        removed.append(backup.path)
        log.info("backup removed to keep the backups within bound: %s", backup.path.name)
    return removed


def check_file(path: Path, key: StoreKey) -> str | None:
    """What is wrong with the store file at `path` under `key`, or None when it is sound."""
    if not encryption.opens(path, key):
        return "it does not open with the passphrase"
    connection = encryption.connect(path, key)
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
    except encryption.dbapi().DatabaseError as exc:
        return str(exc)
    finally:
        connection.close()
    return None if result == "ok" else "its pages are damaged"


def clear_staging(data_dir: Path) -> None:
    """Removes what interrupted backups left in the staging folder. Nothing is removed while
    another backup is being written. (A rollback journal beside a named backup is left
    alone: it may be a passphrase change interrupted part-way, which SQLite rolls back.)"""
    staging = backups_dir(data_dir) / STAGING
    if not staging.is_dir():
        return
    with _writers_lock(staging.parent, exclusive=True) as alone:
        if not alone:
            return
        # Without the writers' lock (Windows), only day-old leftovers are taken for stale.
        cutoff = time.time() - STALE_STAGING.total_seconds() if sys.platform == "win32" else None
        for leftover in staging.iterdir():
            with contextlib.suppress(OSError):
                if cutoff is None or leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    log.info("removed what an interrupted backup left: %s", leftover.name)
        with contextlib.suppress(OSError):
            staging.rmdir()


@contextlib.contextmanager
def _writers_lock(folder: Path, exclusive: bool) -> Iterator[bool]:
    """Backups being written hold the backups folder shared; clearing their leftovers needs
    it alone and does not wait for it. Yields whether the lock was had (always, shared)."""
    if sys.platform == "win32":
        yield True
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB if exclusive else fcntl.LOCK_SH)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)
