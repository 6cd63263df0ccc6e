"""A signed record that names people by ids the server holds as merged into others.

A laptop used on its own before joining names its user with its own id; joining names
them with the server's, and the laptop merges the two (references follow), but a record
signed before keeps the ids it was signed with: its signatures cover them. The laptop
pushes that person with `merged_into_id`, then the record as signed. The server's row
names the people kept (so row-level security knows the record as its writer's) and keeps
the ids it was signed with in `ids_at_signing`, as `observer-server merge-people` leaves
a signed record; the feed serves it as signed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, select

from observer.server import schema

_PEOPLE = ("observed_person_id", "observer_id")
_HOPS = 16  # a chain of merges longer than this is not followed further


def as_held(
    conn: Connection, record: dict[str, Any], ids_at_signing: Any
) -> tuple[dict[str, Any], Any]:
    """`record` naming the people kept, and the ids at signing to keep with it."""
    if not record.get("signatures"):
        return record, ids_at_signing
    owners = {action["id"]: action["owner_id"] for action in record.get("actions", ())}
    named = {record[name] for name in _PEOPLE} | {o for o in owners.values() if o}
    kept_by = _kept(conn, named)
    if not kept_by:
        return record, ids_at_signing
    kept: dict[str, Any] = dict(ids_at_signing or {})
    held = dict(record)
    for name in _PEOPLE:
        if record[name] in kept_by:
            kept.setdefault(name, str(record[name]))
            held[name] = kept_by[record[name]]
    moved = {str(action_id): str(owner) for action_id, owner in owners.items() if owner in kept_by}
    if moved:
        kept["action_owners"] = {**moved, **kept.get("action_owners", {})}
        held["actions"] = [
            {**action, "owner_id": kept_by.get(action["owner_id"], action["owner_id"])}
            for action in record["actions"]
        ]
    return held, kept


def _kept(conn: Connection, named: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Each of `named` that was merged into another person: the person kept in the end."""
    p = schema.people
    into: dict[uuid.UUID, uuid.UUID] = {}
    asking = set(named)
    for _ in range(_HOPS):
        found = conn.execute(
            select(p.c.id, p.c.merged_into_id).where(
                p.c.id.in_(asking), p.c.merged_into_id.is_not(None)
            )
        ).all()
        if not found:
            break
        into.update({row.id: row.merged_into_id for row in found})
        asking = {row.merged_into_id for row in found} - into.keys()
    kept = {}
    for person in named & into.keys():
        end = person
        for _ in range(_HOPS):
            if end not in into:
                break
            end = into[end]
        kept[person] = end
    return kept
