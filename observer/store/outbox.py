"""The outbox hook: on a laptop that has joined a team server, every transaction that
adds, changes or deletes an observation (or one of its parts), a person, a team, a
framework, an improvement plan, a moderation sample, a moderation (with its notes) or a
Board commentary writes an outbox entry in the same transaction (docs/sync-protocol.md).

Like tracking.py it listens to the session, so no write path can forget: objects flushed,
and insert, update and delete statements run through a session (their record ids are
read before the statement runs). A record has at most one pending entry; a later change
adds its operation to it. What a pull applies is the server's, and is not written here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Delete, Insert, Update, event, insert, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from observer.store.models import utc_now
from observer.store.sync_tables import JOINED_KEY as JOINED_KEY  # where it was first named
from observer.store.sync_tables import PENDING, sync_outbox, sync_state

# session.info key: set while a pull applies the server's rows (this transaction only).
APPLYING_SERVER_CHANGES = "observer.outbox.applying_server_changes"
# session.info key: set while the app writes what every store holds alike, no one's change
# (the shipped improvement plan put in a store that has none).
NOT_A_CHANGE = "observer.outbox.not_a_change"

# Each synced table: the record it belongs to (its type, and the column holding its id).
RECORD_OF_TABLE = {
    "observations": ("observation", "id"),
    "ratings": ("observation", "observation_id"),
    "actions": ("observation", "observation_id"),
    "signatures": ("observation", "observation_id"),
    "addenda": ("observation", "observation_id"),
    "action_standards": ("observation", "action_id"),  # through its action
    "people": ("person", "id"),
    "teams": ("team", "id"),
    "frameworks": ("framework", "id"),
    "standards": ("framework", "framework_id"),
    "rating_levels": ("framework", "framework_id"),
    # Issue 17's records (observer/bundle/quality.py says what each carries).
    "improvement_plans": ("improvement_plan", "id"),
    "improvement_themes": ("improvement_plan", "plan_id"),
    "theme_standards": ("improvement_plan", "plan_id"),
    "moderation_samples": ("moderation_sample", "id"),
    "moderation_sample_items": ("moderation_sample", "sample_id"),
    "moderations": ("moderation", "id"),
    "moderation_ratings": ("moderation", "moderation_id"),
    "moderation_notes": ("moderation", "moderation_id"),
    "board_commentaries": ("board_commentary", "id"),
}
Touched = dict[tuple[str, uuid.UUID], list[str]]
# A conflict goes up only when settled (protocol v2): its row is the laptop's own otherwise.
CONFLICTS = "conflicts"


class UntrackedWrite(RuntimeError):
    """A statement changed synced rows in a way the hook cannot attribute to records: a
    bug to fix here, not something to let through silently."""


def watch_outbox(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "after_flush", _after_flush)
    event.listen(sessions, "do_orm_execute", _orm_execute)


def _joined(conn: Connection, session: Session) -> bool:
    if session.info.get(APPLYING_SERVER_CHANGES) or session.info.get(NOT_A_CHANGE):
        return False
    try:
        found = conn.execute(select(sync_state.c.value).where(sync_state.c.key == JOINED_KEY))
    except OperationalError:  # a store not yet upgraded to 0013
        return False
    return found.first() is not None


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    touched: Touched = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__tablename__", None)
        if table == CONFLICTS and obj in session.dirty and _settled(obj):
            touched[("conflict", obj.id)] = ["settle"]
        if table not in RECORD_OF_TABLE:
            continue
        kind, column = RECORD_OF_TABLE[table]
        record_id = getattr(obj, column, None)
        if isinstance(record_id, uuid.UUID):
            operation = _operation(
                table, obj, new=obj in session.new, deleted=obj in session.deleted
            )
            if operation is not None:
                touched.setdefault((kind, record_id), []).append(operation)
    if touched:
        conn = session.connection()
        if _joined(conn, session):
            write_entries(conn, touched)


def _operation(table: str, obj: Any, *, new: bool, deleted: bool) -> str | None:
    if table == "observations":
        if new:
            return "create"
        if deleted:
            return "delete"
        status = inspect(obj).attrs["status"].history
        if status.has_changes() and status.added:
            return {"ready": "ready", "draft": "back_to_draft", "signed": "sign"}.get(
                str(status.added[0]), "edit"
            )
        if not session_has_changes(obj):
            return None
        return "edit"
    if table == "signatures" and new:
        return "sign"
    if table == "addenda" and new:
        return "addendum"
    if table == "actions" and not new and not deleted:
        status = inspect(obj).attrs["status"].history
        if status.has_changes() and status.added:
            return "complete_action" if status.added[0] == "done" else "reopen_action"
    return "edit"


def _settled(obj: Any) -> bool:
    resolution = inspect(obj).attrs["resolution"].history
    return bool(resolution.has_changes() and resolution.added and resolution.added[0])


def session_has_changes(obj: Any) -> bool:
    state = inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs)


def _orm_execute(state: ORMExecuteState) -> None:
    statement: Any = state.statement
    if not isinstance(statement, Insert | Update | Delete):
        return
    table = getattr(statement.table, "name", "")
    if table not in RECORD_OF_TABLE:
        return
    session = state.session
    conn = session.connection()
    if not _joined(conn, session):
        return
    kind, column = RECORD_OF_TABLE[table]
    if isinstance(statement, Insert):
        ids = _inserted(statement, state.parameters, column)
        operation = "create" if table == "observations" else "edit"
    else:
        ids = _matched(conn, statement, column)
        operation = "delete" if isinstance(statement, Delete) and column == "id" else "edit"
    if table == "action_standards":
        from observer.store.models import Action

        ids = set(conn.scalars(select(Action.observation_id).where(Action.id.in_(ids))))
    if ids:
        write_entries(conn, {(kind, record_id): [operation] for record_id in ids})


def _inserted(statement: Insert, parameters: Any, column: str) -> set[uuid.UUID]:
    if statement.select is not None:
        raise UntrackedWrite(f"INSERT … SELECT into {statement.table} is not attributed.")
    rows: Iterable[Any]
    if parameters:
        rows = parameters if isinstance(parameters, list | tuple) else [parameters]
    else:
        rows = [statement.compile().params]
    ids = {row.get(column) for row in rows}
    if None in ids or not all(isinstance(i, uuid.UUID) for i in ids):
        raise UntrackedWrite(f"An INSERT into {statement.table} without {column} values.")
    return ids


def _matched(conn: Connection, statement: Update | Delete, column: str) -> set[uuid.UUID]:
    table: Any = statement.table
    query = select(table.c[column])
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    return {i for i in conn.scalars(query) if i is not None}


def write_entries(conn: Connection, touched: Touched) -> None:
    """Adds each record's operations to its pending entry, or makes one."""
    now = utc_now()
    for (kind, record_id), operations in touched.items():
        found = conn.execute(
            select(sync_outbox.c.change_id, sync_outbox.c.operations).where(
                sync_outbox.c.record_type == kind,
                sync_outbox.c.record_id == record_id,
                sync_outbox.c.state == PENDING,
            )
        ).first()
        listed = list(found.operations) if found is not None else []
        if "delete" in operations:  # its parts went with it
            operations = ["delete"]
        for operation in operations:
            if not listed or listed[-1] != operation:
                listed.append(operation)
        if found is None:
            conn.execute(
                insert(sync_outbox).values(
                    change_id=uuid.uuid4(),
                    record_type=kind,
                    record_id=record_id,
                    operations=listed,
                    state=PENDING,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif listed != found.operations:
            conn.execute(
                update(sync_outbox)
                .where(sync_outbox.c.change_id == found.change_id)
                .values(operations=listed, updated_at=now)
            )
