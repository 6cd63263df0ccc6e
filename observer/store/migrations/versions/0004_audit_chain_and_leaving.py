"""The audit trail becomes an append-only hash chain; people get the date they left.

Existing events are chained in the order they happened. The hash formula is frozen here:
it is part of the store's format (docs/audit-trail.md), the same as `observer.governance.audit`.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

HEAD_SETTING = "audit.head"

_events = sa.table(
    "audit_events",
    sa.column("id", sa.Uuid()),
    sa.column("occurred_at", sa.DateTime()),
    sa.column("created_at", sa.DateTime()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("record_type", sa.String()),
    sa.column("record_id", sa.Uuid()),
    sa.column("content_hash", sa.String()),
    sa.column("sequence", sa.Integer()),
    sa.column("detail", sa.Text()),
    sa.column("previous_hash", sa.String()),
    sa.column("event_hash", sa.String()),
)
_settings = sa.table(
    "settings",
    sa.column("key", sa.String()),
    sa.column("value", sa.JSON()),
    sa.column("updated_at", sa.DateTime()),
)


def _event_hash(
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


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("previous_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("event_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.create_index("ix_audit_events_sequence", ["sequence"], unique=True)

    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_events).order_by(_events.c.occurred_at, _events.c.created_at, _events.c.id)
    ).all()
    previous = ""
    for sequence, row in enumerate(rows, start=1):
        digest = _event_hash(
            sequence=sequence,
            event_id=row.id,
            occurred_at=row.occurred_at,
            actor=row.actor,
            action=row.action,
            record_type=row.record_type,
            record_id=row.record_id,
            content_hash=row.content_hash,
            detail="",
            previous_hash=previous,
        )
        bind.execute(
            _events.update()
            .where(_events.c.id == row.id)
            .values(sequence=sequence, previous_hash=previous, event_hash=digest)
        )
        previous = digest
    if rows:
        bind.execute(sa.delete(_settings).where(_settings.c.key == HEAD_SETTING))
        bind.execute(
            sa.insert(_settings).values(
                key=HEAD_SETTING,
                value={"sequence": len(rows), "hash": previous},
                updated_at=datetime.now(UTC).replace(tzinfo=None),
            )
        )
    if bind.dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    op.execute(sa.delete(_settings).where(_settings.c.key == HEAD_SETTING))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_sequence")
        batch_op.drop_column("event_hash")
        batch_op.drop_column("previous_hash")
        batch_op.drop_column("detail")
        batch_op.drop_column("sequence")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("left_on")
