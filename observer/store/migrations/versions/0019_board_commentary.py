"""The QA lead's commentary for the Board report (issue 17): one per period and scope
(every team, or one team), written in the app and printed in the signed report.

Only a new table: no table is rebuilt, so the search triggers of 0009 stay, and an outbox
waiting to be sent is left as it was.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from observer.store.ids import Id
from observer.store.models import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "board_commentaries",
        sa.Column("id", Id(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("period_first", sa.Date, nullable=False),
        sa.Column("period_last", sa.Date, nullable=False),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("written_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_board_commentaries"),
        sa.UniqueConstraint(
            "period_first", "period_last", "scope", name="uq_board_commentaries_period_first"
        ),
    )


def downgrade() -> None:
    op.drop_table("board_commentaries")
