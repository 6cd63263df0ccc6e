"""Conflicts from merging records that changed on two laptops, and the states of drafts
this store shared, so that a merge knows which side changed what (issue 16).

`conflicts` keeps what a merge could not settle alone (observer/conflicts/rules.py) until
someone decides; `shared_states` keeps each draft's content as exported or imported, by
its content hash, which a bundle names as the state its copy was based on.

Only tables are added (none is rebuilt), so the search triggers of 0009 stay.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from observer.store.ids import Id
from observer.store.models import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", Id(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "conflicts",
        *_record_columns(),
        sa.Column("observation_id", Id(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("here_value", sa.JSON(), nullable=False),
        sa.Column("incoming_value", sa.JSON(), nullable=False),
        sa.Column("kept", sa.String(length=20), nullable=False),
        sa.Column("here_revision", sa.Integer(), nullable=False),
        sa.Column("incoming_revision", sa.Integer(), nullable=False),
        sa.Column("here_changed_at", UTCDateTime(), nullable=True),
        sa.Column("incoming_changed_at", UTCDateTime(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("source_by", sa.String(length=200), nullable=False),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts")),
    )
    op.create_index(
        op.f("ix_conflicts_observation_id"), "conflicts", ["observation_id"], unique=False
    )
    op.create_index("ix_conflicts_open", "conflicts", ["resolution", "observation_id"])
    op.create_table(
        "shared_states",
        sa.Column("observation_id", Id(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("shared_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("observation_id", "content_hash", name=op.f("pk_shared_states")),
    )


def downgrade() -> None:
    op.drop_table("shared_states")
    op.drop_index("ix_conflicts_open", table_name="conflicts")
    op.drop_index(op.f("ix_conflicts_observation_id"), table_name="conflicts")
    op.drop_table("conflicts")
