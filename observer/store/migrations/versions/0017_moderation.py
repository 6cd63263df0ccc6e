"""Moderation of observers' judgements (issue 17): samples drawn for moderation, the
moderations themselves with their ratings, and the notes raising one with the observer
(observer/store/moderation_tables.py).

Every one of these rows is append-only, as the audit trail is (0004): triggers refuse an
update, and a delete unless the observation the row belongs to is no longer in the store
(the retention policy removed it). Only tables are added, so the search triggers of 0009
stay.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from observer.store.ids import Id
from observer.store.models import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# Each table, and how to find the observation a row being deleted belongs to (None: never).
GUARDED = {
    "moderation_samples": None,
    "moderation_sample_items": "OLD.observation_id",
    "moderations": "OLD.observation_id",
    "moderation_ratings": "(SELECT observation_id FROM moderations WHERE id = OLD.moderation_id)",
    "moderation_notes": "(SELECT observation_id FROM moderations WHERE id = OLD.moderation_id)",
}


def _record_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", Id(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "moderation_samples",
        *_record_columns(),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("drawn_by", sa.String(length=200), nullable=False),
        sa.Column("drawn_at", UTCDateTime(), nullable=False),
        sa.Column("supersedes_id", Id(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_samples")),
    )
    op.create_index(
        "ix_moderation_samples_period", "moderation_samples", ["period_from", "period_to"]
    )
    op.create_table(
        "moderation_sample_items",
        sa.Column("sample_id", Id(), nullable=False),
        sa.Column("observation_id", Id(), nullable=False),
        sa.Column("observer_id", Id(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["moderation_samples.id"],
            name=op.f("fk_moderation_sample_items_sample_id_moderation_samples"),
        ),
        sa.PrimaryKeyConstraint(
            "sample_id", "observation_id", name=op.f("pk_moderation_sample_items")
        ),
    )
    op.create_index(
        op.f("ix_moderation_sample_items_observation_id"),
        "moderation_sample_items",
        ["observation_id"],
    )
    op.create_table(
        "moderations",
        *_record_columns(),
        sa.Column("observation_id", Id(), nullable=False),
        sa.Column("sample_id", Id(), nullable=True),
        sa.Column("observation_hash", sa.String(length=64), nullable=False),
        sa.Column("framework_id", Id(), nullable=False),
        sa.Column("moderator_id", Id(), nullable=False),
        sa.Column("moderator_name", sa.String(length=200), nullable=False),
        sa.Column("overall_level_id", Id(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("certificate", sa.LargeBinary(), nullable=True),
        sa.Column("digital_signature", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["frameworks.id"], name=op.f("fk_moderations_framework_id_frameworks")
        ),
        sa.ForeignKeyConstraint(
            ["overall_level_id"],
            ["rating_levels.id"],
            name=op.f("fk_moderations_overall_level_id_rating_levels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderations")),
    )
    op.create_index(op.f("ix_moderations_observation_id"), "moderations", ["observation_id"])
    op.create_table(
        "moderation_ratings",
        sa.Column("moderation_id", Id(), nullable=False),
        sa.Column("standard_id", Id(), nullable=False),
        sa.Column("level_id", Id(), nullable=True),
        sa.ForeignKeyConstraint(
            ["moderation_id"],
            ["moderations.id"],
            name=op.f("fk_moderation_ratings_moderation_id_moderations"),
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
            name=op.f("fk_moderation_ratings_standard_id_standards"),
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["rating_levels.id"],
            name=op.f("fk_moderation_ratings_level_id_rating_levels"),
        ),
        sa.PrimaryKeyConstraint("moderation_id", "standard_id", name=op.f("pk_moderation_ratings")),
    )
    op.create_table(
        "moderation_notes",
        *_record_columns(),
        sa.Column("moderation_id", Id(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["moderation_id"],
            ["moderations.id"],
            name=op.f("fk_moderation_notes_moderation_id_moderations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_notes")),
    )
    op.create_index(
        op.f("ix_moderation_notes_moderation_id"), "moderation_notes", ["moderation_id"]
    )
    if op.get_bind().dialect.name == "sqlite":
        for table, owner in GUARDED.items():
            op.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
            )
            kept = (
                ""
                if owner is None
                else (f"WHEN EXISTS (SELECT 1 FROM observations WHERE id = {owner}) ")
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {kept}"
                f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in GUARDED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    op.drop_table("moderation_notes")
    op.drop_table("moderation_ratings")
    op.drop_table("moderations")
    op.drop_table("moderation_sample_items")
    op.drop_table("moderation_samples")
