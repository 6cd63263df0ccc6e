"""When each laptop the caller may see last synced: what pull carries from protocol v2 on,
for the team overview (docs/sync-protocol.md).

Row-level security decides which laptops (server migration 0010): a team manager's team's
and their own, a service role's every one, a practice lead's own. Only what the overview
shows leaves the server: the laptop's id and name, whose it is, and when it last synced.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from observer.server import schema


def visible(conn: Connection) -> list[dict[str, Any]]:
    """The unrevoked laptops the caller set on `conn` may see."""
    lt = schema.laptops
    rows = conn.execute(
        select(lt.c.id, lt.c.name, lt.c.person_id, lt.c.last_synced_at)
        .where(lt.c.revoked_at.is_(None))
        .order_by(lt.c.enrolled_at, lt.c.id)
    ).all()
    return [
        {
            "id": str(row.id),
            "name": row.name,
            "person_id": str(row.person_id),
            "last_synced_at": row.last_synced_at and row.last_synced_at.isoformat(),
        }
        for row in rows
    ]


# How stale a laptop's last sighting may be before a request notes a new one.
SIGHTING_INTERVAL = timedelta(minutes=1)


def seen_lately(last_seen_at: datetime | None) -> bool:
    return last_seen_at is not None and datetime.now(UTC) - last_seen_at < SIGHTING_INTERVAL


def record_sync(conn: Connection) -> datetime | None:
    """Notes that the caller's laptop has pulled to the end of the feed, and was seen then;
    when, or None when the caller is no laptop."""
    found: datetime | None = conn.execute(select(func.observer_laptop_synced())).scalar()
    return found
