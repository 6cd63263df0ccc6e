"""Conflicts a merge found, kept in the store until someone decides (audited)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from observer.conflicts.rules import Conflict
from observer.governance.audit import record_event
from observer.store.models import RecordConflict

RECORDED = "merge_conflicts"


def plain(value: Any) -> Any:
    """A value as JSON holds it: times and days in ISO 8601, ids as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def record_conflicts(
    s: Session,
    observation_id: uuid.UUID,
    conflicts: Sequence[Conflict],
    here: Mapping[str, Any],
    incoming: Mapping[str, Any],
    *,
    source: str,
    source_by: str,
    actor: str,
) -> None:
    """Keeps each conflict with both sides' values, revisions and times, and where the other
    side came from; one audit event says how many (never what they hold)."""
    if not conflicts:
        return
    for conflict in conflicts:
        s.add(
            RecordConflict(
                id=uuid.uuid4(),
                observation_id=observation_id,
                kind=conflict.kind.value,
                target=conflict.target,
                here_value=plain(conflict.here),
                incoming_value=plain(conflict.incoming),
                kept=conflict.kept.value,
                here_revision=here["revision"],
                incoming_revision=incoming["revision"],
                here_changed_at=here.get("updated_at"),
                incoming_changed_at=incoming.get("updated_at"),
                source=source[:300],
                source_by=source_by[:200],
            )
        )
    s.flush()
    count = len(conflicts)
    record_event(
        s,
        actor=actor,
        action=RECORDED,
        record_type="observation",
        record_id=observation_id,
        detail=f"{count} conflict{'s' if count != 1 else ''} from a copy made elsewhere",
    )
