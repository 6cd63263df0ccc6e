"""For the tests of the server administrator's commands: `observer-server` run in this
process, a real demo bundle from a laptop's store, pulling the whole feed as one laptop,
and audit events hashed as a laptop hashes them."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import insert

from observer.bundle import export_bundle, write_bundle
from observer.bundle.reader import BundleReader
from observer.governance.audit import event_hash
from observer.server import schema
from observer.server.cli import main
from observer.server.database import DATABASE_VARIABLE, as_caller
from observer.server.feed import Cursor, pull
from tests.support.server import ServerDatabase

BUNDLE_PASSPHRASE = "correct horse battery staple"


class Ran(NamedTuple):
    exit_code: int
    stdout: str
    stderr: str


def run(argv: Sequence[str], database: str) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    saved = os.environ.pop(DATABASE_VARIABLE, None)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(["--database", database, *argv])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        if saved is not None:
            os.environ[DATABASE_VARIABLE] = saved
    return Ran(code, out.getvalue(), err.getvalue())


def one_sentence(ran: Ran) -> str:
    assert ran.exit_code == 2, ran
    assert "Traceback" not in ran.stderr
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    assert lines[0].startswith("observer-server: ")
    return lines[0]


@functools.cache
def demo_bundle() -> dict[str, Any]:
    """A bundle exported by a laptop holding `observer demo` data (fictional), made once
    per test process: 40 observations of 8 workers, some signed with the laptop's
    identity, from a store in a temporary folder."""
    from observer.demo.generator import generate
    from observer.services import open_services
    from observer.vocabulary import Role
    from tests.support.passphrase import STORE_PASSPHRASE

    folder = Path(tempfile.mkdtemp(prefix="observer-server-demo-"))
    services = open_services(folder, STORE_PASSPHRASE)
    try:
        services.profiles.set_up("Ceri Lewis", Role.PRACTICE_LEAD, "Northshire County Council")
        generate(services, workers=8, observations=40, seed=5)
        return export_bundle(services.db)
    finally:
        services.close()


def write_demo_bundle(folder: Path, passphrase: str | None = None) -> Path:
    path = folder / ("demo.sealed" if passphrase else "demo.json")
    write_bundle(demo_bundle(), path, passphrase)
    return path


def pull_all(db: ServerDatabase, laptop: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Every page of the feed the laptop would pull from the start, joined."""
    joined: dict[str, list[dict[str, Any]]] = {}
    after = Cursor()
    while True:
        connection = db.service.connect().execution_options(isolation_level="REPEATABLE READ")
        with connection as conn, conn.begin():
            as_caller(conn, laptop)
            page = pull(conn, after, 1000)
        for key, value in page.items():
            if isinstance(value, list):
                joined.setdefault(key, []).extend(value)
        after = Cursor.parse(page["cursor"])
        if not page["more"]:
            return joined


def as_record(document: dict[str, Any]) -> dict[str, Any]:
    """An observation as the laptop's reader checks it, its parts in one order, without
    what only a laptop keeps (the states it shared)."""
    record = BundleReader("test").observation(document, "observation")
    record.pop("based_on")
    for name in ("ratings", "actions", "signatures", "addenda"):
        record[name] = sorted(record[name], key=lambda part: str(part["id"]))
    return record


def add_chain(
    db: ServerDatabase,
    laptop: uuid.UUID | None,
    count: int,
    *,
    start: int = 1,
    previous: str = "",
    record_id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """`count` events of a laptop's chain (or the server's, for None), hashed as the laptop
    hashes them, inserted as the owner; the events' values."""
    events = []
    when = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for sequence in range(start, start + count):
        values: dict[str, Any] = {
            "id": uuid.uuid4(),
            "occurred_at": when + timedelta(minutes=sequence),
            "actor": "Priya Shah",
            "action": "edit",
            "record_type": "observation",
            "record_id": record_id,
            "content_hash": "",
            "detail": "",
            "sequence": sequence,
            "previous_hash": previous,
        }
        values["event_hash"] = event_hash(
            event_id=values["id"], **{k: v for k, v in values.items() if k != "id"}
        )
        previous = values["event_hash"]
        events.append(values)
    with db.owner.begin() as conn:
        conn.execute(insert(schema.audit_events), [{**e, "laptop_id": laptop} for e in events])
    return events


@contextlib.contextmanager
def audit_trigger_off(db: ServerDatabase) -> Iterator[Any]:
    """The owner switches the audit trail's append-only trigger off, as a tamperer who owns
    the tables could; on again afterwards."""
    with db.owner.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER observer_10_append_only")
        yield conn
        conn.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER observer_10_append_only")
