"""The organisation's improvement plan, version by version: its themes and the standards
each takes in (issue 17; observer/store/plans.py).

Only tables are added (none is rebuilt), so the search triggers of 0009 stay, and an
outbox waiting to be sent is left as it was. The shipped plan is put in when the store is
next opened (observer/service/themes.py), not here, so that it is validated as any other.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from observer.store.ids import Id
from observer.store.models import UTCDateTime

revision = "0016"
down_revision = "0015"
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
        "improvement_plans",
        *_record_columns(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unlinked_actions", sa.String(length=40), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_plans")),
        sa.UniqueConstraint("version", name=op.f("uq_improvement_plans_version")),
    )
    op.create_index(
        op.f("ix_improvement_plans_content_hash"), "improvement_plans", ["content_hash"]
    )
    op.create_table(
        "improvement_themes",
        *_record_columns(),
        sa.Column("plan_id", Id(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["improvement_plans.id"],
            name=op.f("fk_improvement_themes_plan_id_improvement_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_themes")),
        sa.UniqueConstraint("plan_id", "key", name=op.f("uq_improvement_themes_plan_id")),
    )
    op.create_table(
        "theme_standards",
        sa.Column("plan_id", Id(), nullable=False),
        sa.Column("standard_id", Id(), nullable=False),
        sa.Column("theme_id", Id(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["improvement_plans.id"],
            name=op.f("fk_theme_standards_plan_id_improvement_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
            name=op.f("fk_theme_standards_standard_id_standards"),
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["improvement_themes.id"],
            name=op.f("fk_theme_standards_theme_id_improvement_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "standard_id", name=op.f("pk_theme_standards")),
    )
    op.create_index("ix_theme_standards_theme_id", "theme_standards", ["theme_id"])


def downgrade() -> None:
    op.drop_index("ix_theme_standards_theme_id", table_name="theme_standards")
    op.drop_table("theme_standards")
    op.drop_table("improvement_themes")
    op.drop_index(op.f("ix_improvement_plans_content_hash"), table_name="improvement_plans")
    op.drop_table("improvement_plans")
