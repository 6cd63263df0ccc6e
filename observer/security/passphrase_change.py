"""Changing the store's passphrase as one change, finished even when it was interrupted.

A change touches several files (the store, each backup, each signing identity) that cannot
be replaced in one step, so what it will do is written first, inside the store, and the
store is re-keyed second; whatever is left is done next time the store is opened with the
new passphrase:

1. Each identity that the current passphrase opens is written again, protected by the new
   one, beside itself (`identity….p12.rekeyed`); nothing is replaced yet.
2. The setting `passphrase.change` is written in the store (still under the current key):
   the key of every backup the current passphrase opens (one per salt), the backups to be
   re-keyed and the identities staged. The old key material therefore never sits in a
   plain file: it is inside the encrypted store, and goes when the change is done.
3. A plain marker (`passphrase-change.pending`, holding no secret, only the time and which
   side of the re-key the change is on) tells an unlock with a passphrase that does not open
   the store that the store is not damaged but under way, and which passphrase opens it.
4. The store is re-keyed (one SQLCipher transaction, under an exclusive lock, so it fails
   at once while another window or command has the store open); right after, the marker
   says so.
5. `finish_change` re-keys each listed backup into a staged copy that is checked and then
   renamed over it, puts the staged identities in place, and in one transaction writes the
   audit event and removes the setting; then the marker.

Opening the store runs `resume`: if the store still opens with the key the setting
recorded (stopped before step 4), the change is undone (staged identities removed,
setting and marker gone) and the old passphrase stays; otherwise it is finished.

A change, and `resume`, hold the data folder's change lock (`passphrase-change.lock`)
throughout, so only one process at a time stages, finishes or undoes: another opening the
store meanwhile leaves it to them and opens as it is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer.errors import InvalidInput, ObserverError, StoreBusy
from observer.paths import backups_dir
from observer.store import encryption
from observer.store.encryption import StoreKey, WrongStorePassphrase

if TYPE_CHECKING:
    from observer.store.db import Database

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

log = logging.getLogger(__name__)

Progress = Callable[[str], None]  # told, in a sentence, before a long step

PENDING_SETTING = "passphrase.change"
MARKER = "passphrase-change.pending"
LOCK = "passphrase-change.lock"
REKEYING = ".rekeying"  # a backup's staged copy under the new key: name, this, "-", pid
STORE_REKEYED = "store re-keyed"  # the marker's last line once the store took the new key


@dataclass(frozen=True)
class PendingChange:
    """What an unfinished change recorded in the store (the setting's value)."""

    old_keys: dict[str, str] = field(repr=False)  # salt (hex) -> key (hex)
    backups: list[str]  # file names in backups/ under an old key when the change began
    identities: list[str]  # identity file names staged under the new passphrase
    actor: str
    started_at: str
    normalising: bool = False

    def value(self) -> dict[str, Any]:
        return {
            "old_keys": self.old_keys,
            "backups": self.backups,
            "identities": self.identities,
            "actor": self.actor,
            "started_at": self.started_at,
            "normalising": self.normalising,
        }

    @classmethod
    def from_value(cls, value: object) -> PendingChange | None:
        if not isinstance(value, dict):
            return None
        try:
            return cls(
                old_keys={str(k): str(v) for k, v in dict(value["old_keys"]).items()},
                backups=[str(n) for n in value["backups"]],
                identities=[str(n) for n in value["identities"]],
                actor=str(value["actor"]),
                started_at=str(value["started_at"]),
                normalising=bool(value.get("normalising", False)),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def old_key(self, salt: bytes) -> StoreKey | None:
        key = self.old_keys.get(salt.hex())
        return None if key is None else StoreKey(bytes.fromhex(key), salt)


def marker_path(data_dir: Path) -> Path:
    return data_dir / MARKER


def change_is_under_way(data_dir: Path) -> bool:
    """Whether a passphrase change was started and not yet finished (readable without the
    passphrase: the marker holds no secret)."""
    return marker_path(data_dir).exists()


def store_was_rekeyed(data_dir: Path) -> bool:
    """Whether the unfinished change got as far as re-keying the store, as its marker says:
    then only the new passphrase opens the store; before, only the old one."""
    try:
        lines = marker_path(data_dir).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return bool(lines) and lines[-1].startswith(STORE_REKEYED)


def change_is_running(data_dir: Path) -> bool:
    """Whether another process holds the change lock now: it is changing the passphrase, or
    finishing or undoing a change (rather than the change having been interrupted)."""
    try:
        with change_lock(data_dir, wait=False) as alone:
            return not alone
    except OSError:
        return False


@contextlib.contextmanager
def change_lock(data_dir: Path, *, wait: bool) -> Iterator[bool]:
    """The data folder's change lock, held by one process at a time; yields whether it was
    had (without `wait`, False at once while another process holds it)."""
    descriptor = os.open(data_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            if sys.platform == "win32":
                msvcrt.locking(descriptor, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except (BlockingIOError, PermissionError):
            yield False
            return
        yield True
    finally:
        os.close(descriptor)  # releases the lock


def change_passphrase(
    db: Database,
    actor: str,
    current: str,
    new: str,
    confirmation: str,
    progress: Progress | None = None,
) -> int:
    """Re-keys the open store `db`, its backups and the signing identity in its data folder
    from `current` to `new`; `actor` is who the audit trail names. Returns how many backups
    are under the new passphrase. Refused, changing nothing, while another window or
    command has the store open. `progress` is told before the re-encryption starts."""
    forms = [(current, False)] + [(form, True) for form in encryption.earlier_forms(current)]
    if not any(
        encryption.derive_key(form, db.key.salt, as_typed=typed).matches(db.key)
        for form, typed in forms
    ):
        raise WrongStorePassphrase("That is not the current passphrase.")
    encryption.check_new_passphrase(new, confirmation)
    if encryption.normalised(new) == encryption.normalised(current):
        raise InvalidInput("The new passphrase is the same as the current one.")
    return _change(db, actor, current, new, normalising=False, progress=progress)


def normalise_passphrase(db: Database, passphrase: str) -> int:
    """Re-keys a store (and its backups and identities) that `passphrase` opens as typed
    to its normalised form, through the same resumable change."""
    return _change(db, "Practice Observer", passphrase, passphrase, normalising=True)


def _change(
    db: Database,
    actor: str,
    current: str,
    new: str,
    *,
    normalising: bool,
    progress: Progress | None = None,
) -> int:
    with change_lock(db.path.parent, wait=False) as alone:
        if not alone:
            raise StoreBusy(
                "Another Practice Observer window or command is changing or finishing the "
                "change of the passphrase; try again in a moment. The passphrase was not changed."
            )
        return _change_alone(db, actor, current, new, normalising=normalising, progress=progress)


def _change_alone(
    db: Database,
    actor: str,
    current: str,
    new: str,
    *,
    normalising: bool,
    progress: Progress | None = None,
) -> int:
    from observer.signing.identity import discard_staged_identities, stage_identity_passphrase
    from observer.store.backups import in_use

    data_dir = db.path.parent
    db.engine.dispose()  # this process's own connections are not "another window"
    if in_use(db.path, db.key):
        raise StoreBusy(
            "The store is open in another Practice Observer window or command; close it "
            "and try again. The passphrase was not changed."
        )
    old_keys, backups = _old_keys(data_dir, db.key, current)
    if progress is not None:
        progress(
            f"Re-encrypting the store and {len(backups)} backup{'' if len(backups) == 1 else 's'}"
            "; this can take a minute or two on a large store…"
        )
    identities = stage_identity_passphrase(data_dir, current, new)
    pending = PendingChange(
        old_keys=old_keys,
        backups=backups,
        identities=identities,
        actor=actor,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        normalising=normalising,
    )
    try:
        _write_pending(db, pending)
        _write_marker(data_dir, pending.started_at)
        _step("store")
        db.rekey(new)
        _write_marker(data_dir, pending.started_at, rekeyed=True)
    except BaseException:
        if db.key.key.hex() == old_keys[db.key.salt.hex()]:
            with contextlib.suppress(Exception):
                _undo(db)
            discard_staged_identities(data_dir)
        raise
    _step("store re-keyed")
    return finish_change(db, new, pending)


def resume(db: Database, passphrase: str, progress: Progress | None = None) -> int | None:
    """Finishes (or undoes) a change the store records as unfinished; None when there is
    none, or when another process holds the change lock (it is changing the passphrase, or
    finishing or undoing the change itself). Run on every opening of the store, before
    anything else; `progress` is told before a change is finished."""
    with change_lock(db.path.parent, wait=False) as alone:
        if not alone:
            log.info("another process is changing the passphrase or finishing a change")
            return None
        return _resume_alone(db, passphrase, progress)


def _resume_alone(db: Database, passphrase: str, progress: Progress | None) -> int | None:
    from observer.signing.identity import discard_staged_identities
    from observer.store.settings import stored_value

    data_dir = db.path.parent
    with db.session() as s:
        pending = PendingChange.from_value(stored_value(s, PENDING_SETTING))
    if pending is None:
        marker_path(data_dir).unlink(missing_ok=True)
        _remove_staged_backups(data_dir)
        discard_staged_identities(data_dir)
        if encryption.needs_normalising(passphrase, db.key):
            return _change_alone(
                db, "Practice Observer", passphrase, passphrase, normalising=True, progress=progress
            )
        return None
    old = pending.old_key(db.key.salt)
    if old is not None and old.matches(db.key):
        log.info("a passphrase change stopped before the store was re-keyed; undone")
        _undo(db)
        discard_staged_identities(data_dir)
        if encryption.needs_normalising(passphrase, db.key):
            return _change_alone(
                db, "Practice Observer", passphrase, passphrase, normalising=True, progress=progress
            )
        return None
    log.info("finishing a passphrase change that was interrupted")
    if progress is not None:
        progress("Finishing the passphrase change that was interrupted…")
    return finish_change(db, passphrase, pending)


def finish_change(db: Database, passphrase: str, pending: PendingChange) -> int:
    """Re-keys the listed backups still under an old key, puts the staged identities in
    place, then writes the audit event and removes the setting in one transaction (unless
    the setting is gone: the change was finished meanwhile). Called with the change lock."""
    from observer.governance.audit import record_event
    from observer.signing.identity import put_staged_identities
    from observer.store.settings import store_value, stored_value

    data_dir = db.path.parent
    folder = backups_dir(data_dir)
    _remove_staged_backups(data_dir)
    new_keys: dict[bytes, StoreKey] = {db.key.salt: db.key}
    rekeyed = 0
    for name in pending.backups:
        backup = folder / name
        if "/" in name or not backup.is_file():
            continue  # removed meanwhile (rotation): nothing left to re-key
        try:
            salt = encryption.file_salt(backup)
        except WrongStorePassphrase:
            continue
        if salt not in new_keys:
            new_keys[salt] = encryption.derive_key(passphrase, salt)
        if encryption.opens(backup, new_keys[salt]):
            rekeyed += 1
            continue
        old = pending.old_key(salt)
        if old is None or not encryption.opens(backup, old):
            continue
        try:
            _rekey_backup(backup, old, passphrase)
        except (ObserverError, encryption.dbapi().DatabaseError, OSError) as error:
            log.warning("a backup could not be re-keyed (%s); it keeps the old key", error)
            continue
        rekeyed += 1
    _step("backups re-keyed")
    identities = put_staged_identities(data_dir, pending.identities)
    _step("identities in place")
    what = "normalised" if pending.normalising else "changed"
    with db.session() as s, s.begin():
        if PendingChange.from_value(stored_value(s, PENDING_SETTING)) is None:
            log.info("the passphrase change was finished meanwhile")
            marker_path(data_dir).unlink(missing_ok=True)
            return rekeyed
        record_event(
            s,
            actor=pending.actor,
            action="passphrase_change",
            record_type="store",
            record_id=None,
            detail=(
                f"passphrase {what}: {rekeyed} backup{'' if rekeyed == 1 else 's'} and "
                f"{identities} signing identit{'y' if identities == 1 else 'ies'} re-protected"
            ),
        )
        store_value(s, PENDING_SETTING, None)
    marker_path(data_dir).unlink(missing_ok=True)
    encryption.sync_folder(data_dir)
    log.info("passphrase %s; %d backups re-keyed", what, rekeyed)
    return rekeyed


def _old_keys(
    data_dir: Path, store_key: StoreKey, current: str
) -> tuple[dict[str, str], list[str]]:
    """The key of the store and of every backup `current` opens (one per salt), and the
    names of those backups."""
    keys: dict[bytes, StoreKey | None] = {store_key.salt: store_key}
    backups: list[str] = []
    folder = backups_dir(data_dir)
    for backup in sorted(folder.glob("*.sqlite")) if folder.is_dir() else []:
        if not encryption.has_content(backup) or encryption.is_plain_sqlite(backup):
            continue
        try:
            salt = encryption.file_salt(backup)
        except WrongStorePassphrase:
            continue
        if salt not in keys:
            keys[salt] = _opening_key(backup, salt, current)
        key = keys[salt]
        if key is not None and encryption.opens(backup, key):
            backups.append(backup.name)
    found = {salt.hex(): key.key.hex() for salt, key in keys.items() if key is not None}
    return found, backups


def _opening_key(backup: Path, salt: bytes, passphrase: str) -> StoreKey | None:
    forms = [(passphrase, False)] + [(f, True) for f in encryption.earlier_forms(passphrase)]
    for form, as_typed in forms:
        key = encryption.derive_key(form, salt, as_typed=as_typed)
        if encryption.opens(backup, key):
            return key
    return None


def _rekey_backup(backup: Path, old: StoreKey, passphrase: str) -> None:
    """Re-keys a copy of `backup` and renames it over the original once it checks out, so
    a backup is whole under one key or the other at every moment."""
    from observer.store.backups import check_file

    staged = backup.with_name(f"{backup.name}{REKEYING}-{os.getpid()}")
    staged.unlink(missing_ok=True)
    try:
        shutil.copyfile(backup, staged)
        new = encryption.rekey(staged, old, passphrase)
        problem = check_file(staged, new)
        if problem:
            raise ObserverError(f"the re-keyed copy of {backup.name} did not check out: {problem}")
        encryption.sync_file(staged)
        _step("backup staged")
        staged.replace(backup)
    finally:
        staged.unlink(missing_ok=True)
    encryption.sync_folder(backup.parent)


def _remove_staged_backups(data_dir: Path) -> None:
    folder = backups_dir(data_dir)
    for leftover in sorted(folder.glob(f"*{REKEYING}*")) if folder.is_dir() else []:
        leftover.unlink(missing_ok=True)


def _write_pending(db: Database, pending: PendingChange) -> None:
    from observer.store.settings import store_value

    with db.session() as s, s.begin():
        store_value(s, PENDING_SETTING, pending.value())


def _undo(db: Database) -> None:
    from observer.store.settings import store_value

    with db.session() as s, s.begin():
        store_value(s, PENDING_SETTING, None)
    marker_path(db.path.parent).unlink(missing_ok=True)


def _write_marker(data_dir: Path, started_at: str, *, rekeyed: bool = False) -> None:
    """Writes the marker whole under its name (a new one replaces the old in one rename)."""
    marker = marker_path(data_dir)
    staged = marker.with_name(f"{marker.name}.new")
    with staged.open("w", encoding="ascii") as file:
        file.write(f"passphrase change started {started_at}\n")
        if rekeyed:
            file.write(f"{STORE_REKEYED} {datetime.now(UTC).isoformat(timespec='seconds')}\n")
        file.flush()
        os.fsync(file.fileno())
    staged.replace(marker)
    encryption.sync_folder(data_dir)


def _step(name: str) -> None:
    """Marks a point between the steps of a change; the tests stop a real process at each
    (tests/e2e/test_passphrase_change_killed.py)."""
