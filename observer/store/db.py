"""The local store: one SQLCipher-encrypted SQLite file, opened with safe pragmas and
migrated on open.

Opening checks the schema version with one query; Alembic is imported only when the
file is new or needs upgrading. An upgrade is one SQLite transaction, taken with the write
lock before the revision is read, and the file is backed up first from inside it: killed
or failed at any point, the store is left exactly as it was, with one backup of it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.session import SessionTransactionOrigin
from sqlalchemy.pool import QueuePool

import observer.store.moderation_tables  # noqa: F401  (its tables are the store's too)
from observer.changes import ChangeFeed
from observer.errors import (
    DatabaseTooNew,
    DatabaseUnreadable,
    MigrationFailed,
    ObserverError,
    StoreBusy,
    StoreUnwritable,
)
from observer.store import commentary as commentary  # its table joins the models' metadata
from observer.store import encryption
from observer.store import plans as plans  # its tables join the models' metadata
from observer.store.backup_files import BEFORE_UPGRADE, clear_staging, write_backup
from observer.store.encryption import StoreKey
from observer.store.outbox import watch_outbox
from observer.store.tracking import track_changes
from observer.store.wording import compact_json

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Every schema revision this code knows, oldest first; a test checks this against Alembic.
SCHEMA_REVISIONS = (
    *("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010"),
    "0011",
    "0012",
    "0013",
    "0014",
    "0015",
    "0016",
    "0017",
    "0018",
    "0019",
)
SCHEMA_HEAD = SCHEMA_REVISIONS[-1]
# An upgrade from before this revision leaves records smaller in place, to be packed.
REPACKED_AT = "0011"
BUSY_TIMEOUT_MS = 5000
# An upgrade that leaves more than this share of the file's pages free gives them back.
VACUUM_FREE_SHARE = 0.2
# How long opening waits for another process that is upgrading the same store.
UPGRADE_WAIT_MS = 120_000
# Each connection keeps up to 32 MB of decrypted pages, so the review queries over a
# large store do not decrypt the same pages again and again.
CACHE_KIB = 32_000


# Where a connection keeps the BEGIN it still owes (see `_begin`).
_PENDING_BEGIN = "observer.pending_begin"


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any, cache_kib: int = CACHE_KIB) -> None:
    # The driver would begin a transaction only at the first write, leaving every read
    # before it outside the transaction; this module emits BEGIN itself instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    # FULL: a committed autosave survives a power cut, not just a crash.
    cursor.execute("PRAGMA synchronous = FULL")
    # Removed records (retention, a deleted draft) are zeroed, not left in free pages.
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.execute(f"PRAGMA cache_size = -{cache_kib}")
    cursor.close()


def _restore_busy_timeout(dbapi_connection: Any, record: Any) -> None:
    """A session that chose to wait less (autosave) leaves the usual patience behind."""
    if record is not None:
        record.info.pop(_PENDING_BEGIN, None)
    if dbapi_connection is not None:
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _begin(conn: Connection) -> None:
    """Every transaction begins in SQLite when SQLAlchemy begins it, before its first read.

    The BEGIN itself is emitted just before the transaction's first statement, so that a
    `PRAGMA busy_timeout` run first (an autosave that would rather fail fast) bounds the
    wait for it. A session's `s.begin()` block makes it BEGIN IMMEDIATE (see
    `_take_write_lock`): such a block is there to write, and taking the write lock before
    reading means two processes cannot both read and then one fail, or overwrite what the
    other read, at write time. Other transactions (plain reads) stay deferred: they read
    one snapshot and never block a writer."""
    conn.info[_PENDING_BEGIN] = "BEGIN"


def _take_write_lock(
    _session: Session, transaction: SessionTransaction, connection: Connection
) -> None:
    if transaction.origin is SessionTransactionOrigin.BEGIN and _PENDING_BEGIN in connection.info:
        connection.info[_PENDING_BEGIN] = "BEGIN IMMEDIATE"


def _emit_begin(conn: Connection, cursor: Any, statement: str, *_args: Any, **_kw: Any) -> None:
    begin = conn.info.get(_PENDING_BEGIN)
    if begin is None or statement.lstrip().upper().startswith("PRAGMA BUSY_TIMEOUT"):
        return
    del conn.info[_PENDING_BEGIN]
    cursor.execute(begin)


def _forget_begin(conn: Connection) -> None:
    """A transaction that ran no statement ends without ever having begun in SQLite."""
    conn.info.pop(_PENDING_BEGIN, None)


def make_engine(path: Path, key: StoreKey, cache_kib: int = CACHE_KIB) -> Engine:
    url = URL.create("sqlite+pysqlcipher", password=key.pragma(), database=str(path))
    # Errors must not carry narrative or names into logs and messages.
    engine = create_engine(
        url,
        module=encryption.dbapi(),
        poolclass=QueuePool,
        # The connection used last first: its pages are the ones decrypted and cached.
        pool_use_lifo=True,
        hide_parameters=True,
        json_serializer=compact_json,
    )
    event.listen(
        engine,
        "connect",
        lambda connection, record: _set_sqlite_pragmas(connection, record, cache_kib),
    )
    event.listen(engine, "checkin", _restore_busy_timeout)
    event.listen(engine, "begin", _begin)
    event.listen(engine, "before_cursor_execute", _emit_begin)
    event.listen(engine, "commit", _forget_begin)
    event.listen(engine, "rollback", _forget_begin)
    return engine


UNWRITABLE = {
    "disk is full": "the disk is full",
    "readonly": "the data folder is read-only",
    "disk i/o error": "the disk could not be written",
}


def _unwritable_reason(message: str) -> str | None:
    lowered = message.lower()
    return next((reason for key, reason in UNWRITABLE.items() if key in lowered), None)


@dataclass(frozen=True)
class Upgraded:
    """An upgrade of an existing store's schema: from and to which revision, and the backup
    of the store as it was (None when the upgrade made none)."""

    from_revision: str
    to_revision: str
    backup: Path | None


class Database:
    """A migrated store with a session factory. Use as `with db.session() as s, s.begin():`."""

    def __init__(self, path: Path, key: StoreKey, *, cache_kib: int = CACHE_KIB) -> None:
        """`cache_kib`: the decrypted pages each connection keeps (a process that reads
        one record at a time needs few)."""
        self.path = path
        self.key = key
        self._cache_kib = cache_kib
        self.engine = make_engine(path, key, cache_kib)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "after_begin", _take_write_lock)
        self.changes = ChangeFeed()
        track_changes(self._sessions, self.changes)
        watch_outbox(self._sessions)
        # Set when opening upgraded an existing store's schema.
        self.upgraded: Upgraded | None = None

    @classmethod
    def open(cls, path: Path, key: StoreKey, *, back_up: bool = True) -> Database:
        """Opens the store at `path` with `key` (from `encryption.key_for`), creating or
        upgrading it first when it is new or was written by an earlier version. An upgrade
        backs the store up first unless `back_up` is False: for a copy of a backup being
        restored, which is itself the copy as it was."""
        path.parent.mkdir(parents=True, exist_ok=True)
        db = cls(path, key)
        try:
            current = db.schema_revision()
        except DatabaseError as exc:
            db.close()
            raise DatabaseUnreadable(
                f"{path} is not a Practice Observer database or is damaged ({exc.orig})."
            ) from exc
        try:
            if current != SCHEMA_HEAD:
                _check_known(path, current)
                db._upgrade(back_up)
            with contextlib.suppress(OSError):
                clear_staging(path.parent)
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        self.engine.dispose()

    def rekey(self, passphrase: str) -> StoreKey:
        """Re-encrypts the store under `passphrase`; this process's sessions carry on with
        the new key. Another process holding the store open makes it fail as busy."""
        self.engine.dispose()  # the pool reconnects with the old key if this fails
        try:
            new_key = encryption.rekey(self.path, self.key, passphrase)
        except encryption.dbapi().OperationalError as exc:
            raise StoreBusy(
                "The store is open in another Practice Observer window or command; close it "
                "and try again. The passphrase was not changed."
            ) from exc
        self.key = new_key
        self.engine = make_engine(self.path, new_key, self._cache_kib)
        self._sessions.configure(bind=self.engine)
        return new_key

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
            except OperationalError as exc:
                if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                    raise StoreBusy(
                        "The store is busy with another Practice Observer window or command; "
                        "nothing was changed. Try again in a moment."
                    ) from exc
                reason = _unwritable_reason(str(exc.orig))
                if reason:
                    raise StoreUnwritable(
                        f"The store could not be written because {reason}; nothing was changed."
                    ) from exc
                raise

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            try:
                row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            except OperationalError as exc:
                if "no such table" in str(exc.orig):
                    return None
                raise
        return None if row is None else str(row[0])

    def _upgrade(self, back_up: bool = True) -> None:
        """Brings the store to SCHEMA_HEAD in one SQLite transaction, which either commits
        whole or leaves the file as it was (a test checks that no migration step escapes
        it). The write lock is taken before the revision is read, so a second process
        opening the same old store waits and then finds it upgraded. An existing store is
        backed up first, from inside the lock, so the copy is of the file as it was."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        backup: Path | None = None
        try:
            with self.engine.begin() as conn:
                conn.info[_PENDING_BEGIN] = "BEGIN IMMEDIATE"
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {UPGRADE_WAIT_MS}")
                current = _locked_revision(conn)
                if current == SCHEMA_HEAD:
                    return  # another process upgraded it while this one waited
                _check_known(self.path, current)
                if current is None and _has_tables(conn):
                    raise DatabaseUnreadable(f"{self.path} is not a Practice Observer database.")
                if current is not None and back_up:
                    backup = write_backup(self, f"{BEFORE_UPGRADE}-{current}-to-{SCHEMA_HEAD}")
                if current is not None:
                    log.info("upgrading schema %s to %s", current, SCHEMA_HEAD)
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
            if current is not None:
                self.upgraded = Upgraded(current, SCHEMA_HEAD, backup)
                self._give_back_free_pages(repack=current < REPACKED_AT)
        except OperationalError as exc:
            if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                raise StoreBusy(
                    "The store is being upgraded or used by another Practice Observer window "
                    "or command; nothing was changed. Try again in a moment."
                ) from exc
            raise _upgrade_failed(backup, _unwritable_reason(str(exc.orig))) from exc
        except ObserverError:
            raise
        except Exception as exc:
            log.exception("schema upgrade failed; the store was left as it was")
            raise _upgrade_failed(backup, None) from exc

    def _give_back_free_pages(self, repack: bool = False) -> None:
        """After an upgrade that freed much of the file (0009 drops the search index's copy
        of the text, a fifth of it), VACUUM gives the pages back to the disk; after one that
        made records smaller in place (`repack`, 0011), it packs them into fewer pages. It
        cannot run in the upgrade's transaction, and the upgrade has committed: if it fails
        (the disk too full for its temporary copy, another process reading), the store is
        only larger than it need be, and the next upgrade tries again."""
        # The driver's own connection: SQLAlchemy's would wrap the VACUUM in a transaction.
        raw = self.engine.raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        try:
            free = driver.execute("PRAGMA freelist_count").fetchone()[0]
            pages = driver.execute("PRAGMA page_count").fetchone()[0]
            if pages and (repack or free / pages > VACUUM_FREE_SHARE):
                log.info("giving %d free pages of %d back to the disk", free, pages)
                driver.execute("VACUUM")
        except encryption.dbapi().OperationalError as exc:
            log.warning("the store's free pages were not given back: %s", type(exc).__name__)
        finally:
            raw.close()

    def backup_to(self, folder: Path, label: str) -> Path:
        """Copies the live database to a new file in `folder` named after `label` (as a
        plain copy: `observer.store.backup_files.write_backup` stages and checks backups)."""
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = folder / f"{self.path.stem}-{label}-{stamp}.sqlite"
        self.copy_to(target)
        return target

    def copy_to(self, target: Path) -> None:
        """Copies the live database, WAL included, to the new file `target`, encrypted with
        the same key, so the same passphrase opens it."""
        source = encryption.connect(self.path, self.key)
        try:
            copy = encryption.connect(target, self.key)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()


def _locked_revision(conn: Connection) -> str | None:
    exists = conn.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).scalar_one()
    if not exists:
        return None
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return None if row is None else str(row[0])


def _has_tables(conn: Connection) -> bool:
    return bool(conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one())


def _check_known(path: Path, revision: str | None) -> None:
    if revision is not None and revision not in SCHEMA_REVISIONS:
        raise DatabaseTooNew(
            f"{path} was written by a newer version of Practice Observer "
            f"(schema {revision}); please update the app to open it."
        )


def _upgrade_failed(backup: Path | None, reason: str | None) -> MigrationFailed:
    because = f" because {reason}" if reason else ""
    if backup is None:
        return MigrationFailed(f"The new store could not be made{because}; try again.")
    return MigrationFailed(
        f"The store could not be upgraded for this version of Practice Observer{because}, "
        f"so it was left as it was; the copy made before the upgrade is {backup}."
    )


def check_known_schema(path: Path, key: StoreKey | None, what: str) -> None:
    """Refuses a file that is not a Practice Observer store of a schema this code knows,
    before anything is done to it. `what` names it in the sentence ("database", "backup")."""
    revision = encryption.schema_revision(path, key)
    if revision is None:
        raise DatabaseUnreadable(
            f"{path.name} is not a Practice Observer {what}, or it is damaged."
        )
    if revision not in SCHEMA_REVISIONS:
        raise DatabaseTooNew(
            f"{path.name} was written by a newer version of Practice Observer "
            f"(schema {revision}); please update the app to use it."
        )
