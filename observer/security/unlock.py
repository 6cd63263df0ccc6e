"""Getting into the store: a new store takes a new passphrase, an earlier plain one is
encrypted in place, an encrypted one is opened; wrong guesses wait (observer.security.attempts)."""

from __future__ import annotations

import dataclasses
import logging
import math
from enum import Enum
from pathlib import Path

from observer.errors import DatabaseUnreadable, ObserverError
from observer.paths import backups_dir, database_path
from observer.security import key_ahead
from observer.security.attempts import UnlockAttempts
from observer.security.passphrase_change import (
    change_is_running,
    change_is_under_way,
    store_was_rekeyed,
)
from observer.security.passphrase_change import change_passphrase as change_passphrase
from observer.store import encryption
from observer.store.backups import remove_stale_restores, store_is_damaged

# The GUI takes the passphrase rules and WrongStorePassphrase from here, not from the store.
from observer.store.encryption import MIN_PASSPHRASE as MIN_PASSPHRASE
from observer.store.encryption import StoreKey, StoreNotEncrypted, WrongStorePassphrase
from observer.store.encryption import check_new_passphrase as check_new_passphrase

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


class StoreDamaged(DatabaseUnreadable):
    """The passphrase's key verifies pages of the store but does not open it: the store,
    not the passphrase, is at fault (see observer.store.backups.latest_good_backup)."""

    def __init__(self) -> None:
        super().__init__(
            "The store cannot be read, although your passphrase is right for it: it looks damaged."
        )


class ChangeUnderWay(WrongStorePassphrase):
    """A passphrase change is running in another process or was interrupted: the sentence
    says which, and which passphrase opens the store, the new one (the store took it:
    opening finishes the change) or the one from before the change (it has not, or it
    stopped before that: opening undoes it)."""

    def __init__(self, store_took_the_new_passphrase: bool, running: bool = False) -> None:
        if running and store_took_the_new_passphrase:
            message = (
                "That passphrase does not open the store: its passphrase is being changed "
                "right now, and the store has taken the new one. Open it with the new "
                "passphrase."
            )
        elif running:
            message = (
                "That passphrase does not open the store: its passphrase is being changed "
                "right now, and the store has not taken the new one yet. Try again in a "
                "moment with the passphrase from before the change."
            )
        elif store_took_the_new_passphrase:
            message = (
                "That passphrase does not open the store: a change of its passphrase was "
                "interrupted after the store took the new one. Open it with the new "
                "passphrase, which finishes the change."
            )
        else:
            message = (
                "That passphrase does not open the store: a change of its passphrase stopped "
                "before the store took the new one, so the change did not happen. Open it "
                "with the passphrase from before the change."
            )
        super().__init__(message)
        self.store_took_the_new_passphrase = store_took_the_new_passphrase
        self.running = running


def store_state(data_dir: Path) -> StoreState:
    path = database_path(data_dir)
    if not encryption.has_content(path):
        return StoreState.NEW
    return StoreState.PLAIN if encryption.is_plain_sqlite(path) else StoreState.ENCRYPTED


def unlock(data_dir: Path, passphrase: str) -> StoreKey:
    """The key for the store in `data_dir`. A new store is keyed with `passphrase`; a plain
    one from an earlier version is encrypted with it first."""
    path = database_path(data_dir)
    derived = key_ahead.take(path, passphrase)  # taken first, so it is never left behind
    attempts = UnlockAttempts(data_dir)
    wait = attempts.wait()
    if wait.total_seconds() > 0:
        raise TooManyAttempts(math.ceil(wait.total_seconds()))
    try:
        key = encryption.key_for(path, passphrase, derived)
    except StoreNotEncrypted:
        from observer.store.db import check_known_schema

        check_known_schema(path, None, "database")
        encryption.check_new_passphrase(passphrase)
        key = encryption.new_key(passphrase)
        encrypt_earlier_store(data_dir, key)
        return dataclasses.replace(key, encrypted_plain_store=True)
    except WrongStorePassphrase:
        if store_is_damaged(data_dir, passphrase):
            raise StoreDamaged() from None
        attempts.failed()
        if change_is_under_way(data_dir):
            raise ChangeUnderWay(store_was_rekeyed(data_dir), change_is_running(data_dir)) from None
        raise
    # An encryption interrupted at an earlier start may have left plaintext behind, and a
    # restore stopped part-way a whole copy of a backup.
    encrypt_plain_leftovers(data_dir, key)
    remove_stale_restores(data_dir)
    return key


def encrypt_earlier_store(data_dir: Path, key: StoreKey) -> None:
    """Encrypts a store and its backups written by a version before encryption."""
    log.info("encrypting a store from an earlier version")
    encryption.encrypt_in_place(database_path(data_dir), key)
    encrypt_plain_leftovers(data_dir, key)


def encrypt_plain_leftovers(data_dir: Path, key: StoreKey) -> None:
    """Encrypts backups still in plain text, and shreds what an interrupted encryption left:
    the set-aside plain store, a half-written copy, and plain backups too damaged to copy.
    Cheap when there is nothing to do: a glance at each backup's first bytes."""
    store = database_path(data_dir)
    for leftover in (
        store.with_name(store.name + ".plain"),
        store.with_name(store.name + ".encrypting"),
    ):
        if leftover.exists():
            log.warning("removing what an interrupted encryption left: %s", leftover.name)
            encryption.shred(leftover)
    folder = backups_dir(data_dir)
    for backup in sorted(folder.glob("*.sqlite")) if folder.exists() else []:
        if not encryption.is_plain_sqlite(backup):
            continue
        try:
            encryption.encrypt_in_place(backup, key)
        except (ObserverError, encryption.dbapi().DatabaseError, OSError) as error:
            # A plain backup that cannot be read whole is of no use, and a leak as it is.
            log.warning("a plain backup could not be encrypted (%s); shredded it", error)
            encryption.shred(backup)
