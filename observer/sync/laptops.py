"""When each laptop the team server lets this one see last synced (protocol v2): kept from
the last page of each pull, and read for the team overview.

A pull's last page carries the laptops whole, so each replaces what was kept. Only what the
overview shows is kept: the laptop's id and name, whose it is, and when it last synced.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from observer.store.models import Person
from observer.store.sync_tables import sync_laptops
from observer.sync import state
from observer.sync.client import SyncFailed

MAX_NAME = 200


@dataclass(frozen=True)
class LaptopSync:
    laptop_id: uuid.UUID
    name: str
    person_id: uuid.UUID
    person_name: str | None
    """None when this store holds no row of that person."""
    last_synced_at: datetime | None
    """None: it has not finished a sync yet."""
    this_laptop: bool


def replace(s: Session, given: Any) -> None:
    """Keeps the laptops a pull's last page carried, in place of those kept before."""
    rows = [_row(item) for item in given] if isinstance(given, list) else None
    if rows is None:
        raise SyncFailed("The team server's list of laptops was not one; nothing was written.")
    s.execute(delete(sync_laptops))
    if rows:
        s.execute(insert(sync_laptops), rows)


def _row(item: Any) -> dict[str, Any]:
    try:
        synced = item["last_synced_at"]
        return {
            "laptop_id": uuid.UUID(str(item["id"])),
            "name": str(item["name"])[:MAX_NAME],
            "person_id": uuid.UUID(str(item["person_id"])),
            "last_synced_at": None if synced is None else datetime.fromisoformat(str(synced)),
        }
    except (TypeError, KeyError, ValueError):
        raise SyncFailed(
            "The team server's list of laptops could not be read; nothing was written."
        ) from None


def read(s: Session) -> list[LaptopSync]:
    """The laptops kept, each with its person's name as this store holds it; none until
    this laptop has joined and pulled from a server that speaks v2."""
    me = state.enrolment(s)
    mine = None if me is None else me.laptop_id
    rows = s.execute(
        select(sync_laptops, Person.name.label("person_name"))
        .outerjoin(Person, Person.id == sync_laptops.c.person_id)
        .order_by(Person.name, sync_laptops.c.name)
    ).all()
    return [
        LaptopSync(
            row.laptop_id,
            row.name,
            row.person_id,
            row.person_name,
            row.last_synced_at,
            row.laptop_id == mine,
        )
        for row in rows
    ]
