"""When each laptop of the team last synced, as the team server last said (issue 16): the
team overview's line for a manager (observer/store/sync_tables.py, `sync_laptops`).

Only a table is added (none is rebuilt), so the search triggers of 0009 stay, and an
outbox waiting to be sent is left as it was.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from observer.store.ids import Id
from observer.store.models import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_laptops",
        sa.Column("laptop_id", Id(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("person_id", Id(), nullable=False),
        sa.Column("last_synced_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("laptop_id", name=op.f("pk_sync_laptops")),
    )


def downgrade() -> None:
    op.drop_table("sync_laptops")
