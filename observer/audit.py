"""The audit trail: who did what to which record, and when."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from observer.models import AuditEvent


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    record_type: str,
    record_id: uuid.UUID | None,
    content_hash: str = "",
) -> None:
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            record_type=record_type,
            record_id=record_id,
            content_hash=content_hash,
        )
    )
