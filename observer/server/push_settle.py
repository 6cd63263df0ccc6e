"""A conflict settled on a laptop (protocol v2, docs/sync-protocol.md): the server records
when, by whom and how, as the caller, so row-level security decides who may (its author,
its record's writer, a service-wide role; migration 0012). One already settled elsewhere
answers `unchanged`: settling twice is not an error. One the server does not hold, or the
caller cannot see (a conflict this laptop's own merge found), also answers `unchanged`,
and says nothing of whether it exists."""

from __future__ import annotations

from sqlalchemy import Connection, func, select, update

from observer.server import schema
from observer.server.push_answer import Caller, Refusal, Result
from observer.server.push_request import Change


def settle(conn: Connection, caller: Caller, change: Change) -> Result:
    assert change.record is not None
    c = schema.conflicts
    conflict_id = change.record["id"]
    held = conn.execute(
        select(c.c.resolved_at, c.c.server_revision).where(c.c.id == conflict_id)
    ).one_or_none()
    if held is None:
        return Result(change.change_id, "unchanged")
    if held.resolved_at is not None:
        return Result(change.change_id, "unchanged", held.server_revision)
    revision = conn.execute(
        update(c)
        .where(c.c.id == conflict_id, c.c.resolved_at.is_(None))
        .values(
            resolved_at=func.now(),
            resolved_by=caller.person,
            resolution=change.record["resolution"],
        )
        .returning(c.c.server_revision)
    ).scalar_one_or_none()
    if revision is None:
        raise Refusal(
            f"Conflict {conflict_id} may be settled only by the person whose change it set "
            "aside or overruled, the writer of its record, or a service-wide role; nothing "
            "was written."
        )
    return Result(change.change_id, "updated", revision)
