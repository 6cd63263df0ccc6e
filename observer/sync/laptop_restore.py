"""Syncing again after this laptop was restored from one of its own backups.

The backup holds the store as it was, audit trail and sync state included, so the server
holds later events of this laptop's chain than the laptop now has, and the laptop's new
events (the restore's own first) take their sequence numbers. The server refuses such a
push as `audit_chain`, saying where the chain forks (docs/sync-protocol.md, "After a
restore of the laptop"). When the laptop's own trail shows a restore after that point, it
appends an event declaring it (observer.governance.audit_fork), in one transaction with
what the next push needs (the acknowledged head at the fork, the cursor forgotten so that
every record comes again, a note for its user), and pushes again: the server opens a new
line of the laptop's chain, keeping the events it held. A trail that forks with no restore
in it is not declared: the refusal stands, in the server's sentence.

A SIGKILL after the declaration's transaction leaves it waiting at the head of the trail:
the next sync sends it (the server checks it the same way); one after the server took it
finds the events already held. Either way nothing is declared twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.governance.audit import record_event
from observer.governance.audit_fork import DECLARED, RESTORED, declaration_detail
from observer.store.db import Database
from observer.store.models import AuditEvent
from observer.sync import state

NOTICE = "restore_notice"


@dataclass(frozen=True)
class Fork:
    continues_from: int
    from_hash: str
    held_to: int
    held_hash: str


def fork_of(refusal: dict[str, Any]) -> Fork | None:
    """Where the server says this laptop's chain forks, from its refusal's `fork`."""
    given: Any = refusal.get("fork")
    try:
        fork = Fork(
            int(given["continues_from"]["sequence"]),
            str(given["continues_from"]["hash"]),
            int(given["held"]["sequence"]),
            str(given["held"]["hash"]),
        )
    except (TypeError, KeyError, ValueError):
        return None
    return fork if 0 <= fork.continues_from < fork.held_to else None


def declare(db: Database, fork: Fork, actor: str) -> bool:
    """Declares the restore in the audit trail, if this laptop's trail holds the event the
    server says it continues from and a restore after it; False (nothing written) if not."""
    with db.session() as s, s.begin():
        joined = state.enrolment(s)
        if joined is None or not _continues_from(s, fork) or not _restored_since(s, fork):
            return False
        detail = declaration_detail(fork.continues_from, fork.held_to)
        if not _declared(s, fork, detail):
            record_event(
                s,
                actor=actor,
                action=DECLARED,
                record_type="laptop",
                record_id=joined.laptop_id,
                content_hash=fork.held_hash,
                detail=detail,
            )
        later = fork.held_to - fork.continues_from
        state.put(
            s,
            **{
                state.AUDIT_ACK: {"sequence": fork.continues_from, "hash": fork.from_hash},
                state.CURSOR: None,
                NOTICE: {"later_events": later, "at": datetime.now(UTC).isoformat()},
            },
        )
    return True


def notice_kind(notice: Any) -> str:
    """What the note is of, for the status line's few words: "restored" or "rejoined"."""
    if not isinstance(notice, dict):
        return ""
    return "rejoined" if "rejoined" in notice else "restored"


def notice_words(notice: Any) -> str:
    """The one sentence its user reads after the sync that declared the restore (or that
    followed joining again)."""
    if not isinstance(notice, dict):
        return ""
    if "rejoined" in notice:  # observer.sync.rejoining keeps its note here too
        return (
            "This laptop joined the team server again with a new code, in place of the "
            "enrolment the server no longer accepted: nothing that waited on it was lost, "
            "and both audit trails record it."
        )
    return (
        "This laptop was restored from a backup after it had synced: the team server has "
        "been told (both audit trails record it), and what the backup lacked came back "
        "from the server."
    )


def _continues_from(s: Session, fork: Fork) -> bool:
    if fork.continues_from == 0:
        return fork.from_hash == ""
    held = s.scalar(select(AuditEvent.event_hash).where(AuditEvent.sequence == fork.continues_from))
    return held == fork.from_hash


def _restored_since(s: Session, fork: Fork) -> bool:
    found = s.scalar(
        select(AuditEvent.sequence)
        .where(AuditEvent.sequence > fork.continues_from, AuditEvent.action == RESTORED)
        .limit(1)
    )
    return found is not None


def _declared(s: Session, fork: Fork, detail: str) -> bool:
    found = s.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.sequence > fork.continues_from,
            AuditEvent.action == DECLARED,
            AuditEvent.content_hash == fork.held_hash,
            AuditEvent.detail == detail,
        )
        .limit(1)
    )
    return isinstance(found, uuid.UUID)
