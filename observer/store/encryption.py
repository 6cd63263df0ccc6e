"""Encryption at rest: the store and its backups are SQLCipher files keyed from a passphrase.

The key is derived exactly as SQLCipher 4 derives it by default (PBKDF2-HMAC-SHA512,
256,000 iterations, the 16-byte salt at the start of the file), but once per unlock rather
than once per connection: every connection is then given the raw key. A file made here
therefore opens with the passphrase in any SQLCipher 4 tool as well.

This module and `observer.store.db` are the only places that know the store is SQLCipher.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observer.errors import InvalidInput, ObserverError

log = logging.getLogger(__name__)

KDF_ITERATIONS = 256_000
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSPHRASE = 8
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
PAGE_BYTES = 4096  # SQLCipher 4's default page size
CHECKED_PAGES = 256  # how much of a store is read to tell damage from another key


class WrongStorePassphrase(ObserverError):
    """The passphrase does not open the store."""


class StoreNotEncrypted(ObserverError):
    """The store is a plain SQLite file from an earlier version."""


@dataclass(frozen=True)
class StoreKey:
    """A derived key and the salt it was derived with. Never printed or logged."""

    key: bytes = field(repr=False)
    salt: bytes = field(repr=False)
    # True for the key that has just encrypted a plain store from an earlier version, so
    # that opening it can say so and record it in the audit trail.
    encrypted_plain_store: bool = field(default=False, compare=False)

    def pragma(self) -> str:
        """The value for `PRAGMA key`: the raw key and, for a new file, its salt."""
        return f"x'{self.key.hex()}{self.salt.hex()}'"

    def matches(self, other: StoreKey) -> bool:
        return hmac.compare_digest(self.key, other.key) and self.salt == other.salt


def normalised(passphrase: str) -> str:
    """The passphrase in Unicode's composed form (NFC): "Zoë" typed as one code point or
    as e and a combining diaeresis is the same passphrase, and derives the same key."""
    return unicodedata.normalize("NFC", passphrase)


def earlier_forms(passphrase: str) -> list[str]:
    """The forms other than the normalised one that a version before normalisation may have
    derived a key from: the passphrase as typed now, and its decomposed form (typed with a
    keyboard that composes nothing). Empty when every form is the same."""
    composed = normalised(passphrase)
    forms = dict.fromkeys([passphrase, unicodedata.normalize("NFD", passphrase)])
    return [form for form in forms if form != composed]


def check_new_passphrase(passphrase: str, confirmation: str | None = None) -> None:
    if confirmation is not None:
        confirmation = normalised(confirmation)
    passphrase = normalised(passphrase)
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"The passphrase needs at least {MIN_PASSPHRASE} characters.")
    if passphrase.strip() != passphrase:
        raise InvalidInput("The passphrase cannot start or end with a space.")
    if confirmation is not None and confirmation != passphrase:
        raise InvalidInput("The two passphrases are not the same.")


def derive_key(passphrase: str, salt: bytes, *, as_typed: bool = False) -> StoreKey:
    """The key for `passphrase` (normalised, unless `as_typed`: how versions before
    normalisation derived it) and `salt`."""
    if not as_typed:
        passphrase = normalised(passphrase)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    kdf = PBKDF2HMAC(
        algorithm=hashes.SHA512(), length=KEY_BYTES, salt=salt, iterations=KDF_ITERATIONS
    )
    return StoreKey(kdf.derive(passphrase.encode("utf-8")), salt)


def new_key(passphrase: str) -> StoreKey:
    return derive_key(passphrase, secrets.token_bytes(SALT_BYTES))


def has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def is_plain_sqlite(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(PLAIN_SQLITE_HEADER)) == PLAIN_SQLITE_HEADER


def looks_encrypted(path: Path) -> bool:
    """Whether the file at `path` could be an encrypted store at all: whole pages whose bytes
    look random (a text file, a short one or a plain SQLite file does not)."""
    size = path.stat().st_size
    if size < PAGE_BYTES or size % PAGE_BYTES or is_plain_sqlite(path):
        return False
    with path.open("rb") as file:
        page = file.read(PAGE_BYTES)
    high = sum(1 for byte in page if byte >= 0x80)
    return 0.35 < high / len(page) < 0.65  # random bytes: about half


def file_salt(path: Path) -> bytes:
    with path.open("rb") as file:
        salt = file.read(SALT_BYTES)
    if len(salt) < SALT_BYTES:
        raise WrongStorePassphrase(f"{path.name} is too short to be a Practice Observer store.")
    return salt


def key_for(path: Path, passphrase: str, derived: StoreKey | None = None) -> StoreKey:
    """The key that opens the encrypted file at `path`, or a new one if there is none yet.
    Raises WrongStorePassphrase when the passphrase does not open it. `derived` is the key
    already derived from `passphrase` for this file, if any (used when its salt is the
    file's)."""
    if not has_content(path):
        check_new_passphrase(passphrase)
        return new_key(passphrase)
    if is_plain_sqlite(path):
        raise StoreNotEncrypted(f"{path.name} is not encrypted yet.")
    salt = file_salt(path)
    key = derived if derived is not None and derived.salt == salt else None
    key = key or derive_key(passphrase, salt)
    if opens(path, key):
        return key
    for form in earlier_forms(passphrase):
        # Made by a version that did not normalise: the passphrase as it was typed then.
        typed = derive_key(form, salt, as_typed=True)
        if opens(path, typed):
            return typed
    raise WrongStorePassphrase("That passphrase does not open the store.")


def needs_normalising(passphrase: str, key: StoreKey) -> bool:
    """Whether `key` (which `passphrase` opens) was derived from the passphrase as typed
    rather than from its normalised form: the store is then re-keyed to the normalised one."""
    return bool(earlier_forms(passphrase)) and not derive_key(passphrase, key.salt).matches(key)


def some_pages_verify(path: Path, key: StoreKey) -> bool:
    """Whether any of the first pages of the encrypted file at `path` is authentic under
    `key` (SQLCipher's `cipher_integrity_check`). A file that `key` does not open but whose
    other pages it verifies is damaged; one with no page it verifies is under another key.

    Only a copy of the file's first `CHECKED_PAGES` pages is checked (each page's HMAC
    covers its number, so a prefix checks as the file would): a mistyped passphrase on a
    large store then costs milliseconds, not a scan of every page, and SQLite's lock-byte
    page, which a file over 1 GiB holds and the check never reports, is never counted."""
    import re
    import tempfile

    try:
        with path.open("rb") as source:
            prefix = source.read(CHECKED_PAGES * PAGE_BYTES)
    except OSError:
        return False
    pages = len(prefix) // PAGE_BYTES
    if pages == 0:
        return False
    with tempfile.TemporaryDirectory(prefix="observer-check-") as folder:
        copy = Path(folder) / "prefix.sqlite"
        copy.write_bytes(prefix[: pages * PAGE_BYTES])
        connection = connect(copy, key)
        try:
            failures = connection.execute("PRAGMA cipher_integrity_check").fetchall()
        except dbapi().DatabaseError:
            return False
        finally:
            connection.close()
    failed = {int(m.group(1)) for (row,) in failures if (m := re.search(r"page (\d+)", row))}
    return any(page not in failed for page in range(1, pages + 1))


def dbapi() -> Any:
    import sqlcipher3

    _quiet(sqlcipher3)
    return sqlcipher3


_quietened = False


def _quiet(module: Any) -> None:
    """SQLCipher writes decryption failures to stderr; a wrong passphrase is not a fault."""
    global _quietened
    if not _quietened:
        connection = module.connect(":memory:")
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.close()
        _quietened = True


def connect(path: Path, key: StoreKey | None) -> Any:
    """A DB-API connection to `path`, keyed (or plain, for reading an old file)."""
    connection = dbapi().connect(str(path))
    if key is not None:
        connection.execute(f'PRAGMA key = "{key.pragma()}"')
    return connection


def schema_revision(path: Path, key: StoreKey | None) -> str | None:
    """The schema revision recorded in the file at `path`, or None if it has none (not a
    Practice Observer store, or unreadable with `key`)."""
    connection = connect(path, key)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except dbapi().DatabaseError:
        return None
    finally:
        connection.close()
    return None if row is None else str(row[0])


def opens(path: Path, key: StoreKey) -> bool:
    connection = connect(path, key)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except dbapi().DatabaseError:
        return False
    finally:
        connection.close()
    return True


def copy_encrypted(source: Any, target: Path, key: StoreKey) -> None:
    """Writes the whole database open on `source` (plain or keyed) to a new file encrypted
    with `key`, schema version included."""
    target.unlink(missing_ok=True)
    version = source.execute("PRAGMA user_version").fetchone()[0]
    source.execute(f'ATTACH DATABASE ? AS encrypted KEY "{key.pragma()}"', (str(target),))
    try:
        source.execute("SELECT sqlcipher_export('encrypted')")
        source.execute(f"PRAGMA encrypted.user_version = {int(version)}")
    finally:
        source.execute("DETACH DATABASE encrypted")


def encrypt_in_place(path: Path, key: StoreKey) -> None:
    """Encrypts a plain SQLite file from an earlier version, safely.

    The encrypted copy is written beside it and checked before it replaces the original,
    so a failure at any point leaves the original as it was. The plain file is then
    overwritten and removed, so no readable copy stays behind in the folder."""
    staging = path.with_name(path.name + ".encrypting")
    plain = connect(path, None)
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = plain.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        copy_encrypted(plain, staging, key)
    finally:
        plain.close()
    check = connect(staging, key)
    try:
        copied = check.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        intact = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if copied != tables or intact != "ok":
        staging.unlink(missing_ok=True)
        raise ObserverError(f"Encrypting {path.name} did not check out; it was left as it was.")
    sync_file(staging)
    # A second name for the plain file, then one atomic swap: the store is never missing,
    # even if the power goes between the two steps.
    set_aside = path.with_name(path.name + ".plain")
    set_aside.unlink(missing_ok=True)
    os.link(path, set_aside)
    staging.replace(path)
    sync_folder(path.parent)
    shred(set_aside)
    for suffix in ("-wal", "-shm", "-journal"):
        shred(Path(f"{path}{suffix}"))
    log.info("encrypted %s in place", path.name)


def rekey(path: Path, old: StoreKey, passphrase: str) -> StoreKey:
    """Re-encrypts the file at `path` under a new passphrase, keeping its salt.

    The file is held in exclusive locking mode throughout: if any other connection has it
    open, this fails at once (OperationalError, "locked") and nothing changes, and no other
    connection can open it until the re-key is done."""
    new = derive_key(passphrase, old.salt)
    connection = connect(path, old)
    try:
        connection.execute("PRAGMA busy_timeout = 0")
        connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("COMMIT")
        connection.execute(f"PRAGMA rekey = \"x'{new.key.hex()}'\"")
    finally:
        connection.close()
    if not opens(path, new):
        raise ObserverError(f"Re-keying {path.name} did not check out.")
    return new


def shred(path: Path) -> None:
    """Overwrites a file with zeros before removing it (best effort on journaling disks)."""
    if not path.exists():
        return
    size = path.stat().st_size
    with contextlib.suppress(OSError), path.open("r+b") as file:
        chunk = b"\0" * min(size, 1 << 20) if size else b""
        written = 0
        while written < size:
            file.write(chunk[: size - written])
            written += len(chunk)
        file.flush()
        os.fsync(file.fileno())
    path.unlink(missing_ok=True)


def sync_file(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


def sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
