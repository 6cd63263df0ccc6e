"""Duplicates of a person can be merged without touching what was signed.

`people.merged_into_id` marks a person as a duplicate merged into another: the row stays,
so the records signed under its id still name an existing person, but lists and pickers
leave it out. `observations.ids_at_signing` keeps, for a signed record whose people were
merged, the person ids it was signed with (observed person, observer, action owners): the
canonical content (observer/records/canonical.py) is taken with those, so the record's
hash, its signatures and its bundle copy stay as signed while the store's references
point at the person kept.

Only columns are added (no table is rebuilt), so the search triggers of 0009 stay.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("people", sa.Column("merged_into_id", sa.Uuid(), nullable=True))
    op.add_column("observations", sa.Column("ids_at_signing", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_column("ids_at_signing")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("merged_into_id")
