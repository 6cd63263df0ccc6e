"""Getting into the store: a new store takes a new passphrase, an earlier plain one is
encrypted in place, an encrypted one is opened; wrong guesses wait (observer.unlocking)."""

from __future__ import annotations

import logging
import math
from enum import Enum
from pathlib import Path

from observer import encryption
from observer.encryption import StoreKey, StoreNotEncrypted, WrongStorePassphrase
from observer.errors import DatabaseTooNew, DatabaseUnreadable, ObserverError
from observer.paths import backups_dir, database_path
from observer.unlocking import UnlockAttempts

log = logging.getLogger(__name__)


class StoreState(Enum):
    NEW = "new"
    PLAIN = "plain"
    ENCRYPTED = "encrypted"


class TooManyAttempts(ObserverError):
    """Wrong passphrases in a row: the next try has to wait."""

    def __init__(self, seconds: int) -> None:
        super().__init__(
            f"Too many wrong passphrases in a row; try again in {seconds} "
            f"second{'s' if seconds != 1 else ''}."
        )
        self.seconds = seconds


def store_state(data_dir: Path) -> StoreState:
    path = database_path(data_dir)
    if not encryption.has_content(path):
        return StoreState.NEW
    return StoreState.PLAIN if encryption.is_plain_sqlite(path) else StoreState.ENCRYPTED


def unlock(data_dir: Path, passphrase: str) -> StoreKey:
    """The key for the store in `data_dir`. A new store is keyed with `passphrase`; a plain
    one from an earlier version is encrypted with it first."""
    attempts = UnlockAttempts(data_dir)
    wait = attempts.wait()
    if wait.total_seconds() > 0:
        raise TooManyAttempts(math.ceil(wait.total_seconds()))
    path = database_path(data_dir)
    try:
        return encryption.key_for(path, passphrase)
    except StoreNotEncrypted:
        _check_earlier_store(path)
        encryption.check_new_passphrase(passphrase)
        key = encryption.new_key(passphrase)
        encrypt_earlier_store(data_dir, key)
        return key
    except WrongStorePassphrase:
        attempts.failed()
        raise


def _check_earlier_store(path: Path) -> None:
    """Only a store of a known schema is encrypted; anything else is left exactly as it is."""
    from observer.db import SCHEMA_REVISIONS

    connection = encryption.connect(path, None)
    try:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except encryption.dbapi().DatabaseError:
            row = None
    finally:
        connection.close()
    if row is None:
        raise DatabaseUnreadable(f"{path} is not a Practice Observer database.")
    if row[0] not in SCHEMA_REVISIONS:
        raise DatabaseTooNew(
            f"{path} was written by a newer version of Practice Observer "
            f"(schema {row[0]}); please update the app to open it."
        )


def encrypt_earlier_store(data_dir: Path, key: StoreKey) -> None:
    """Encrypts a store and its backups written by a version before encryption."""
    log.info("encrypting a store from an earlier version")
    encryption.encrypt_in_place(database_path(data_dir), key)
    folder = backups_dir(data_dir)
    for backup in sorted(folder.glob("*.sqlite")) if folder.exists() else []:
        if encryption.is_plain_sqlite(backup):
            encryption.encrypt_in_place(backup, key)
