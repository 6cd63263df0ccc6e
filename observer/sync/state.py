"""The laptop's sync state in the encrypted store: its enrolment, its pull cursor (opaque),
the audit head the server acknowledged, the last successful sync, and each record's
revision on the server with the copy it was (the base of the next change to it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from observer.store.outbox import JOINED_KEY
from observer.store.sync_tables import (
    PERSON_KEY,
    ROLE_KEY,
    SERVER_KEY,
    TEAMS_KEY,
    sync_records,
    sync_state,
)

SERVER, TOKEN, PERSON, ROLE, TEAMS = SERVER_KEY, "token", PERSON_KEY, ROLE_KEY, TEAMS_KEY
CURSOR, AUDIT_ACK, LAST_SYNC = "cursor", "audit_acknowledged", "last_synced_at"


@dataclass(frozen=True)
class Enrolment:
    server: str
    laptop_id: uuid.UUID
    token: str
    person_id: uuid.UUID
    role: str


def values(s: Session) -> dict[str, Any]:
    return {row.key: row.value for row in s.execute(select(sync_state))}


def enrolment(s: Session) -> Enrolment | None:
    found = values(s)
    if JOINED_KEY not in found:
        return None
    return Enrolment(
        found[SERVER],
        uuid.UUID(found[JOINED_KEY]),
        found[TOKEN],
        uuid.UUID(found[PERSON]),
        found.get(ROLE, ""),
    )


def put(s: Session, **given: Any) -> None:
    for key, value in given.items():
        statement = insert(sync_state).values(key=key, value=value)
        s.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def forget(s: Session, key: str) -> None:
    s.execute(delete(sync_state).where(sync_state.c.key == key))


def last_synced(found: dict[str, Any]) -> datetime | None:
    stamp = found.get(LAST_SYNC)
    return datetime.fromisoformat(stamp) if stamp else None


def known_revisions(
    s: Session, kind: str, ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, Any]]:
    """Each record's server revision and the copy it was, as this laptop last knew them."""
    found: dict[uuid.UUID, tuple[int, Any]] = {}
    for start in range(0, len(ids), 500):
        rows = s.execute(
            select(sync_records).where(
                sync_records.c.record_type == kind,
                sync_records.c.record_id.in_(ids[start : start + 500]),
            )
        )
        for row in rows:
            found[row.record_id] = (row.server_revision, row.base)
    return found


def remember_revision(
    s: Session, kind: str, record_id: uuid.UUID, revision: int, base: Any
) -> None:
    statement = insert(sync_records).values(
        record_type=kind, record_id=record_id, server_revision=revision, base=base
    )
    s.execute(
        statement.on_conflict_do_update(
            index_elements=["record_type", "record_id"],
            set_={"server_revision": revision, "base": base},
        )
    )


def forget_revision(s: Session, kind: str, record_id: uuid.UUID) -> None:
    s.execute(
        delete(sync_records).where(
            sync_records.c.record_type == kind, sync_records.c.record_id == record_id
        )
    )
