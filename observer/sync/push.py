"""Pushing the outbox: each entry is marked sent with the exact payload it sends before
the request goes (so a retry after a lost answer resends the same change id), the network
is waited on with no transaction open, and the answers are kept in one transaction."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, select, update

from observer.conflicts.shared import remember
from observer.governance.audit_fork import DECLARED
from observer.records.canonical import iso
from observer.store.db import Database
from observer.store.models import AuditEvent, utc_now
from observer.store.sync_tables import PENDING, REFUSED, SENT, sync_outbox
from observer.sync import state
from observer.sync.client import Client, SyncFailed
from observer.sync.records import operations_now, record_now
from observer.sync.references import queue_references
from observer.sync.removed import delete_observations, drop_removed

MAX_REQUEST_BYTES = 1024 * 1024
MAX_CHANGES = 100
MAX_AUDIT_EVENTS = 500
# What a record refers to goes first: frameworks, teams, people, then observations, then
# conflicts settled (after the edit that settling one may have made).
_KIND_ORDER = case(
    {
        "framework": 0,
        "team": 1,
        "person": 2,
        "improvement_plan": 2,
        "conflict": 4,
        # after the observations they refer to
        "moderation_sample": 5,
        "moderation": 6,
        "board_commentary": 5,
    },
    value=sync_outbox.c.record_type,
    else_=3,
)
DONE = {"added", "updated", "merged", "unchanged", "already_applied", "kept"}


@dataclass
class Pushed:
    sent: int = 0
    refused: int = 0
    conflicts: int = 0
    removed: int = 0  # records here the server said it removed under retention


def push_all(db: Database, client: Client) -> Pushed:
    """Pushes until nothing is waiting (changes, or audit events the server lacks)."""
    pushed = Pushed()
    while True:
        body = _next_request(db)
        if body is None:
            return pushed
        answer = client.push(body)
        before = _acknowledged(db)
        _keep_answers(db, body, answer, pushed)
        if not body["changes"] and _acknowledged(db) == before:
            raise SyncFailed("The team server did not acknowledge this laptop's audit trail.")


def _acknowledged(db: Database) -> object:
    with db.session() as s:
        return state.values(s).get(state.AUDIT_ACK)


def _next_request(db: Database) -> dict[str, Any] | None:
    with db.session() as s, s.begin():
        queue_references(s)
        acknowledged = state.values(s).get(state.AUDIT_ACK) or {}
        audit = _audit_after(s, int(acknowledged.get("sequence", 0)))
        room = MAX_REQUEST_BYTES - len(json.dumps(audit).encode()) - 64
        changes: list[dict[str, Any]] = []
        records: set[tuple[str, uuid.UUID]] = set()
        # Sent entries first (a retry), then pending ones: one change a record a request.
        entries = s.execute(
            select(sync_outbox)
            .where(sync_outbox.c.state.in_([SENT, PENDING]))
            .order_by(sync_outbox.c.state.desc(), _KIND_ORDER, sync_outbox.c.created_at)
        ).all()
        for entry in entries:
            if len(changes) >= MAX_CHANGES or (entry.record_type, entry.record_id) in records:
                continue
            payload = entry.payload if entry.state == SENT else _payload(s, entry)
            if payload["record"] is None and payload["base_revision"] is None:
                # Deleted before the server ever had it: nothing to tell it, and no id
                # to tell it with (a delete carries no record and, here, no base).
                s.execute(delete(sync_outbox).where(sync_outbox.c.change_id == entry.change_id))
                continue
            size = len(json.dumps(payload).encode()) + 2
            if size > room and changes:
                # It waits for the next request, and so does any later change of its record.
                records.add((entry.record_type, entry.record_id))
                continue
            if entry.state == PENDING:
                s.execute(
                    update(sync_outbox)
                    .where(sync_outbox.c.change_id == entry.change_id)
                    .values(state=SENT, payload=payload, updated_at=utc_now())
                )
            changes.append(payload)
            records.add((entry.record_type, entry.record_id))
            room -= size
        if not changes and not audit:
            return None
        return {"audit": audit, "changes": changes}


def _payload(s: Any, entry: Any) -> dict[str, Any]:
    record = record_now(s, entry.record_type, entry.record_id)
    known = state.known_revisions(s, entry.record_type, [entry.record_id]).get(entry.record_id)
    return {
        "change_id": str(entry.change_id),
        "record_type": entry.record_type,
        "operations": operations_now(list(entry.operations), record),
        "base_revision": None if known is None else known[0],
        "base": None if known is None else known[1],
        "record": record,
    }


def _audit_after(s: Any, sequence: int) -> list[dict[str, Any]]:
    # A restore declared (observer.sync.laptop_restore) goes in one request with the events
    # before it: the server opens the chain's new line only on seeing it.
    declared = s.scalar(
        select(func.max(AuditEvent.sequence)).where(
            AuditEvent.sequence > sequence, AuditEvent.action == DECLARED
        )
    )
    events = s.scalars(
        select(AuditEvent)
        .where(AuditEvent.sequence > sequence)
        .order_by(AuditEvent.sequence)
        .limit(max(MAX_AUDIT_EVENTS, (declared or 0) - sequence))
    )
    return [
        {
            "id": str(e.id),
            "sequence": e.sequence,
            "occurred_at": iso(e.occurred_at),
            "actor": e.actor,
            "action": e.action,
            "record_type": e.record_type,
            "record_id": None if e.record_id is None else str(e.record_id),
            "content_hash": e.content_hash,
            "detail": e.detail,
            "previous_hash": e.previous_hash,
            "event_hash": e.event_hash,
        }
        for e in events
    ]


def _keep_answers(
    db: Database, body: dict[str, Any], answer: dict[str, Any], pushed: Pushed
) -> None:
    results = answer.get("results")
    if not isinstance(results, list) or len(results) != len(body["changes"]):
        raise SyncFailed("The team server's answer to a push did not match what was sent.")
    sent = {change["change_id"]: change for change in body["changes"]}
    with db.session() as s, s.begin():
        for result in results:
            change = sent.get(str(result.get("change_id")))
            if change is None:
                raise SyncFailed("The team server answered a change that was not sent.")
            _keep_answer(s, change, result, pushed)
        head = answer.get("audit")
        if isinstance(head, dict) and "sequence" in head:
            state.put(s, **{state.AUDIT_ACK: head})


def _keep_answer(s: Any, change: dict[str, Any], result: dict[str, Any], pushed: Pushed) -> None:
    change_id = uuid.UUID(change["change_id"])
    record_id = uuid.UUID(str((change["record"] or {}).get("id") or _entry_record(s, change_id)))
    outcome = result.get("outcome")
    if result.get("removed") is True and change["record_type"] == "observation":
        # Its tombstone may be behind this laptop's cursor (a bundle brought it back): no
        # pull would take it away, so the refusal does.
        pushed.refused += 1
        pushed.removed += drop_removed(s, record_id, str(result.get("message") or "") or None)
        return
    # A retried change answers `already_applied` with the first answer's sentence, and
    # only a refusal has one.
    if outcome == "refused" or (outcome == "already_applied" and result.get("message")):
        s.execute(
            update(sync_outbox)
            .where(sync_outbox.c.change_id == change_id)
            .values(state=REFUSED, message=str(result.get("message") or ""), updated_at=utc_now())
        )
        pushed.refused += 1
        return
    s.execute(delete(sync_outbox).where(sync_outbox.c.change_id == change_id))
    pushed.sent += 1
    pushed.conflicts += int(result.get("conflicts") or 0)
    revision = result.get("server_revision")
    kind = change["record_type"]
    if kind == "conflict":  # settled: nothing of it to remember
        return
    if outcome == "deleted":
        state.forget_revision(s, kind, record_id)
        if kind == "observation" and change["record"] is not None:
            # A change the server left deleted (docs/sync-protocol.md): its tombstone may
            # be behind this laptop's cursor, so no pull would take the copy away.
            delete_observations(s, [record_id])
    elif outcome in DONE and isinstance(revision, int) and change["record"] is not None:
        state.remember_revision(s, kind, record_id, revision, change["record"])
        if kind == "observation":
            remember(s, [change["record"]])


def _entry_record(s: Any, change_id: uuid.UUID) -> uuid.UUID:
    found: uuid.UUID = s.scalar(
        select(sync_outbox.c.record_id).where(sync_outbox.c.change_id == change_id)
    )
    return found
