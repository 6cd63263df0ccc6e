"""An observation removed from the team server under its retention policy
(docs/sync-protocol.md): it goes from this laptop, with every change of it waiting here,
whether the laptop learns of it from a pull's tombstone or from the refusal of a push
(a record a bundle brought back after its tombstone was pulled learns it only so).

Removal is for good, so nothing typed in the record may stay: not the copy, not the base
the laptop kept of it, not a change in the outbox, not a conflict. Where the laptop held
changes of it, one refused entry stays, with the sentence and nothing of the change, so
`observer sync status` and the window's status line say that those changes were not
kept, instead of them vanishing unsaid.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import CursorResult, delete, insert, null, select
from sqlalchemy.orm import Session

from observer.conflicts.shared import forget_text
from observer.store.models import Observation, RecordConflict, table_of, utc_now
from observer.store.moderation_tables import remove_moderations_of_removed
from observer.store.outbox import APPLYING_SERVER_CHANGES
from observer.store.sync_tables import REFUSED, sync_outbox
from observer.sync import state

OBSERVATION = "observation"


def removed_sentence(record_id: uuid.UUID) -> str:
    return (
        f"Observation {record_id} was removed from the team server under its retention "
        "policy, so the changes made to it on this laptop were not kept, and it is no longer "
        "on this laptop."
    )


def drop_removed(s: Session, record_id: uuid.UUID, message: str | None = None) -> int:
    """Takes the removed record and its changes off this laptop; 1 if it held a copy.
    `message` is the server's refusal, when a push learnt of the removal."""
    held = s.get(Observation, record_id) is not None
    conflicts = table_of(RecordConflict)
    settled = select(conflicts.c.id).where(conflicts.c.observation_id == record_id)
    s.execute(  # a settlement of one of its conflicts: the server has them no more
        delete(sync_outbox).where(
            sync_outbox.c.record_type == "conflict", sync_outbox.c.record_id.in_(settled)
        )
    )
    mine = (sync_outbox.c.record_type == OBSERVATION) & (sync_outbox.c.record_id == record_id)
    told = (sync_outbox.c.state == REFUSED) & sync_outbox.c.payload.is_(None)
    entries = s.execute(select(sync_outbox.c.change_id, sync_outbox.c.operations).where(mine)).all()
    already = s.scalar(select(sync_outbox.c.change_id).where(mine, told)) is not None
    s.execute(delete(sync_outbox).where(mine, ~told))
    if held and entries and not already:
        now = utc_now()
        s.execute(
            insert(sync_outbox).values(
                change_id=entries[0].change_id,
                record_type=OBSERVATION,
                record_id=record_id,
                operations=list(entries[0].operations),
                state=REFUSED,
                payload=null(),  # SQL NULL, not JSON null
                message=message or removed_sentence(record_id),
                created_at=now,
                updated_at=now,
            )
        )
    state.forget_revision(s, OBSERVATION, record_id)
    return delete_observations(s, [record_id])


def delete_observations(s: Session, ids: list[uuid.UUID]) -> int:
    """Deletes these observations here with their conflicts and shared text, as the
    server's change (nothing of it goes to the outbox)."""
    if not ids:
        return 0
    applying = s.info.get(APPLYING_SERVER_CHANGES)
    s.info[APPLYING_SERVER_CHANGES] = True
    try:
        table = table_of(Observation)
        for record_id in ids:
            forget_text(s, record_id)
        conflicts = table_of(RecordConflict)
        s.execute(delete(conflicts).where(conflicts.c.observation_id.in_(ids)))
        s.flush()
        done = s.execute(delete(table).where(table.c.id.in_(ids)))
        s.flush()
        remove_moderations_of_removed(s)  # as the server's retention did (0016)
        return int(cast(CursorResult[Any], done).rowcount)
    finally:
        if applying is None:
            s.info.pop(APPLYING_SERVER_CHANGES, None)
        else:
            s.info[APPLYING_SERVER_CHANGES] = applying
