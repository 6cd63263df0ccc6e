"""A pull holds one pooled connection at a time: refused inside its read-only snapshot (a
cursor of another epoch, after a restore, when every laptop is refused at once), it notes
the sighting only once it has let its snapshot's connection go."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import create_engine, func, select, update

from observer.server import schema
from observer.server.database import database_url
from observer.server.enrolment import token_hash
from tests.support.postgres import SERVICE_ROLE
from tests.support.server import ServerDatabase
from tests.support.sync_client import Service


def _laptop_with_token(db: ServerDatabase, token: str) -> uuid.UUID:
    laptop = db.laptop(db.person("Priya Shah", role="practice_lead"), "practice_lead")
    with db.owner.begin() as conn:
        conn.execute(
            update(schema.laptops)
            .where(schema.laptops.c.id == laptop)
            .values(token_hash=token_hash(token), last_seen_at=func.now() - timedelta(hours=1))
        )
    return laptop


def test_a_refused_pull_is_answered_with_one_connection_to_spare(
    server_db: ServerDatabase,
) -> None:
    db, token = server_db, "a-device-token-of-priyas"
    laptop = _laptop_with_token(db, token)
    # One connection and none beyond it: a pull that wanted a second would wait for it.
    engine = create_engine(
        database_url(db.url(SERVICE_ROLE)), pool_size=1, max_overflow=0, pool_timeout=2
    )
    try:
        stale = Service(engine).pull(token, "0.1.1", protocol="v2")
    finally:
        engine.dispose()
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"] == "cursor_epoch"
    with db.owner.connect() as conn:
        seen = conn.execute(
            select(func.now() - schema.laptops.c.last_seen_at).where(schema.laptops.c.id == laptop)
        ).scalar_one()
    assert seen < timedelta(minutes=1)  # the refused pull was still seen
