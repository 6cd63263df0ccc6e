"""The laptop's side of sync with a team server (issue 16): its enrolment and progress,
each record's revision on the server, and the outbox (observer/store/sync_tables.py).

Only tables are added (none is rebuilt), so the search triggers of 0009 stay.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from observer.store.ids import Id
from observer.store.models import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "sync_records",
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", Id(), nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("record_type", "record_id", name=op.f("pk_sync_records")),
    )
    op.create_table(
        "sync_outbox",
        sa.Column("change_id", Id(), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", Id(), nullable=False),
        sa.Column("operations", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("change_id", name=op.f("pk_sync_outbox")),
    )
    op.create_index(
        "ux_sync_outbox_pending",
        "sync_outbox",
        ["record_type", "record_id"],
        unique=True,
        sqlite_where=sa.text("state = 'pending'"),
    )
    op.create_index("ix_sync_outbox_state", "sync_outbox", ["state"])


def downgrade() -> None:
    op.drop_index("ix_sync_outbox_state", table_name="sync_outbox")
    op.drop_index("ux_sync_outbox_pending", table_name="sync_outbox")
    op.drop_table("sync_outbox")
    op.drop_table("sync_records")
    op.drop_table("sync_state")
