"""Opens (creating or upgrading) a store in a process of its own, for the crash and race
tests of tests/e2e/test_upgrade_crash.py.

Run: python upgrade_driver.py DATA_DIR STOP_AT [GO_FILE]
 or: python upgrade_driver.py DATA_DIR backup:STOP_AT (opens the store, then backs it up)

STOP_AT names a point at which the process says so on stdout and then waits, to be killed
there: "backup-copy" (part-way through copying the store before an upgrade),
"backup-rename" (the copy written and on disk, not yet given its name), "migration" (the
schema half-changed: the search index being filled, or a new store's tables being made),
"migration-ids" (0011 part-way through turning the ids into bytes),
"commit" (every step done, the transaction not yet committed), or "none". With GO_FILE,
the key is derived first and the store opened only once GO_FILE exists, so that several
processes open it at the same moment. The last line on stdout is JSON: the revision
opened, or the message shown."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import Engine, event

from observer.errors import ObserverError
from observer.security.unlock import unlock
from observer.services import open_services
from observer.store import encryption
from tests.support.passphrase import STORE_PASSPHRASE

FILLING_THE_INDEX = "INSERT INTO search_text(rowid"
MAKING_TABLES = "CREATE TABLE observations"
CONVERTING_IDS = "UPDATE ratings SET id = unhex("


def stop(point: str) -> None:
    print(f"stopped at {point}", flush=True)
    time.sleep(600)


class CopyingSlowly:
    """A connection whose online backup copies a few pages at a time and stops after the
    first few: the copy is part-written when the process is killed."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def backup(self, target: Any, **_options: Any) -> None:
        def progress(_status: int, remaining: int, _total: int) -> None:
            if remaining:
                stop("backup-copy")

        real_target = getattr(target, "_connection", target)
        self._connection.backup(real_target, pages=8, progress=progress)


def arm(point: str) -> None:
    if point == "backup-copy":
        connect = encryption.connect
        encryption.connect = lambda path, key: CopyingSlowly(connect(path, key))  # type: ignore[assignment]
    elif point == "backup-rename":
        sync_file = encryption.sync_file

        def synced_then_stop(path: Path) -> None:
            sync_file(path)
            if path.parent.name == ".incomplete":
                stop(point)

        encryption.sync_file = synced_then_stop  # type: ignore[assignment]
    elif point in ("migration", "migration-ids", "commit"):
        migrated = []

        @event.listens_for(Engine, "before_cursor_execute")
        def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
            text = sql.strip()
            if point == "migration" and text.startswith((FILLING_THE_INDEX, MAKING_TABLES)):
                stop(point)
            if point == "migration-ids" and text.startswith(CONVERTING_IDS):
                stop(point)
            if "alembic_version" in text and text.startswith(("UPDATE", "INSERT")):
                migrated.append(text)

        @event.listens_for(Engine, "commit")
        def commit(_conn: Any) -> None:
            if point == "commit" and migrated:
                stop(point)


def main() -> None:
    data_dir, point = Path(sys.argv[1]), sys.argv[2]
    go = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    if point.startswith("backup:"):
        services = open_services(data_dir, STORE_PASSPHRASE)
        arm(point.removeprefix("backup:"))
        services.backups.make()
        services.close()
        return
    arm(point)
    key = unlock(data_dir, STORE_PASSPHRASE)
    if go is not None:
        print("ready", flush=True)
        while not go.exists():
            time.sleep(0.005)
    try:
        services = open_services(data_dir, STORE_PASSPHRASE, key)
    except ObserverError as error:
        print(json.dumps({"error": str(error)}), flush=True)
        return
    revision = services.db.schema_revision()
    services.close()
    print(json.dumps({"revision": revision}), flush=True)


if __name__ == "__main__":
    main()
