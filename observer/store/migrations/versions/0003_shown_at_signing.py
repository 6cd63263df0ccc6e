"""What a signed record showed: names and framework wording kept from the observer's
signature; and each role signs a record once.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_at_signing", sa.JSON(), nullable=True))
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_signatures_observation_id", ["observation_id", "role"]
        )


def downgrade() -> None:
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_constraint("uq_signatures_observation_id", type_="unique")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_column("shown_at_signing")
