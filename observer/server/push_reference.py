"""People, teams and frameworks in a push (docs/sync-protocol.md, Push): any enrolled
caller adds them; only a `service` role changes one the server holds; none is deleted by a
push. A framework version is added with the ids every laptop gives it (from its key,
version and codes: observer.records.frameworks.framework_record), and one held with
another definition is refused; `add_framework` also serves the administrator's import
(observer/server/seeding.py)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, insert, select, update

from observer.records.frameworks import FrameworkDefinition, framework_record
from observer.server import push_rows, schema
from observer.server.push_answer import Caller, Handler, Refusal, Result
from observer.server.push_request import PERSON_COLUMNS, TEAM_COLUMNS, Change
from observer.text import name_key


def _reference(table: Any, columns: tuple[str, ...]) -> Handler:
    def handle(conn: Connection, caller: Caller, change: Change) -> Result:
        name = change.record_type
        if change.deletes:
            raise Refusal(
                f"A push deletes only observations, not a {name}; nothing of this change "
                "was written."
            )
        record = change.record
        assert record is not None
        values = {column: record.get(column) for column in columns}
        held = conn.execute(select(table).where(table.c.id == record["id"])).one_or_none()
        if held is None:
            if table is schema.teams:
                _check_team_name_free(conn, record)
            values = _manager_when_held(conn, table, values)
            revision = conn.execute(
                insert(table)
                .values(id=record["id"], **_bookkeeping(record), **values)
                .returning(table.c.server_revision)
            ).scalar_one()
            return Result(change.change_id, "added", revision)
        if all(getattr(held, column) == value for column, value in values.items()):
            return Result(change.change_id, "unchanged", held.server_revision)
        if caller.role != "service":
            raise Refusal(
                f"Only a service role may change a {name} the team server holds "
                f"({name} {record['id']}); nothing of this change was written."
            )
        revision = conn.execute(
            update(table)
            .where(table.c.id == record["id"])
            .values(**values, updated_at=record["updated_at"], revision=record["revision"])
            .returning(table.c.server_revision)
        ).scalar_one()
        return Result(change.change_id, "updated", revision)

    return handle


def _check_team_name_free(conn: Connection, record: Mapping[str, Any]) -> None:
    """Team names are the server's to keep apart as people tell them apart (case and
    spacing do not matter); a laptop takes the server's team of its team's name when it
    syncs (observer/sync/teams.py), so only an older laptop pushes such a team."""
    t = schema.teams
    wanted = name_key(record["name"])
    held = next(
        (row.id for row in conn.execute(select(t.c.id, t.c.name)) if name_key(row.name) == wanted),
        None,
    )
    if held is not None:
        raise Refusal(
            f"Team {record['id']}'s name clashes with team {held}, which the team server "
            "already holds (case and spacing aside): the laptop takes that team as its own "
            "when it next syncs. Nothing of this change was written."
        )


def _manager_when_held(conn: Connection, table: Any, values: dict[str, Any]) -> dict[str, Any]:
    """A new team's manager, if the server holds them; else kept pending until their row
    arrives (it names the team, so it must come after it; a trigger then sets them)."""
    manager = values.get("manager_id") if table is schema.teams else None
    if manager is None:
        return values
    people = schema.people
    if conn.execute(select(people.c.id).where(people.c.id == manager)).first() is not None:
        return values
    return {**values, "manager_id": None, "pending_manager_id": manager}


def _bookkeeping(record: Mapping[str, Any]) -> dict[str, Any]:
    return {name: record[name] for name in push_rows.BOOKKEEPING}


def _framework(conn: Connection, caller: Caller, change: Change) -> Result:
    if change.deletes:
        raise Refusal("A push deletes only observations, not a framework; nothing was written.")
    assert change.record is not None
    definition: FrameworkDefinition = change.record["definition"]
    f = schema.frameworks
    held = conn.execute(
        select(f.c.content_hash, f.c.server_revision).where(
            f.c.key == definition.key, f.c.version == definition.version
        )
    ).one_or_none()
    if held is not None:
        if held.content_hash != definition.content_hash():
            raise Refusal(
                f"Framework {definition.key} version {definition.version} is already on the "
                "team server with a different definition; a changed framework needs a new "
                "version number. Nothing of this change was written."
            )
        return Result(change.change_id, "unchanged", held.server_revision)
    framework_id = add_framework(conn, definition)
    revision = conn.execute(select(f.c.server_revision).where(f.c.id == framework_id)).scalar_one()
    return Result(change.change_id, "added", revision)


def add_framework(conn: Connection, definition: FrameworkDefinition) -> uuid.UUID:
    """Adds a framework version the server does not hold, with its standards and rating
    levels, as the same rows (and ids) a laptop's store gives it; returns its id."""
    row = framework_record(definition)
    conn.execute(
        insert(schema.frameworks).values(
            id=row.id,
            key=row.key,
            version=row.version,
            name=row.name,
            short_name=row.short_name,
            description=row.description,
            source=row.source,
            in_force_from=row.in_force_from,
            in_force_until=row.in_force_until,
            default_kinds=row.default_kinds,
            default_roles=row.default_roles,
            definition=row.definition,
            content_hash=row.content_hash,
        )
    )
    conn.execute(
        insert(schema.rating_levels),
        [
            {
                "id": level.id,
                "framework_id": row.id,
                "code": level.code,
                "label": level.label,
                "description": level.description,
                "position": level.position,
                "score": level.score,
            }
            for level in row.levels
        ],
    )
    conn.execute(
        insert(schema.standards),
        [
            {
                "id": s.id,
                "framework_id": row.id,
                "code": s.code,
                "title": s.title,
                "summary": s.summary,
                "prompts": s.prompts,
                "position": s.position,
            }
            for s in row.standards
        ],
    )
    return row.id


HANDLERS: dict[str, Handler] = {
    "person": _reference(schema.people, PERSON_COLUMNS),
    "team": _reference(schema.teams, TEAM_COLUMNS),
    "framework": _framework,
}
