"""The hash of one audit event, apart from the laptop's store, so that the team server
checks a laptop's chain with the very function that made it (docs/audit-trail.md).

Pure: no database, no clock. Part of the store's format: changing it breaks every chain.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime


def event_hash(
    *,
    sequence: int,
    event_id: uuid.UUID,
    occurred_at: datetime,
    actor: str,
    action: str,
    record_type: str,
    record_id: uuid.UUID | None,
    content_hash: str,
    detail: str,
    previous_hash: str,
) -> str:
    """SHA-256 (hex) of the event's fields and the previous event's hash, as a compact
    JSON array. `occurred_at` is UTC, aware or naive. Part of the store's format."""
    fields = [
        sequence,
        str(event_id),
        occurred_at.replace(tzinfo=UTC).isoformat(timespec="microseconds"),
        actor,
        action,
        record_type,
        None if record_id is None else str(record_id),
        content_hash,
        detail,
        previous_hash,
    ]
    encoded = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
