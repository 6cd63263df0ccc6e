"""The team's records, as the laptops keep them, and what only the server keeps.

The tables of observer/server/schema.py as first released: the records mirrored from the
laptop's models, each with its server revision and writing transaction for the change
feed; tombstones; enrolled laptops and one-time enrolment codes (hashed); each person's
server role and teams; conflicts. Who may see what, and what may never change, is 0002's.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One order for every change the server holds, across all tables (the change feed).
    op.execute("CREATE SEQUENCE server_revision_seq AS bigint")
    op.create_table(
        "frameworks",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=40), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.Column("in_force_from", sa.Date(), nullable=True),
        sa.Column("in_force_until", sa.Date(), nullable=True),
        sa.Column(
            "default_kinds",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "default_roles",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frameworks")),
        sa.UniqueConstraint("key", "version", name=op.f("uq_frameworks_key")),
    )
    op.create_index(
        op.f("ix_frameworks_server_revision"), "frameworks", ["server_revision"], unique=False
    )
    op.create_index(op.f("ix_frameworks_written_xid"), "frameworks", ["written_xid"], unique=False)
    op.create_table(
        "teams",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("manager_id", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_index(op.f("ix_teams_server_revision"), "teams", ["server_revision"], unique=False)
    op.create_index(op.f("ix_teams_written_xid"), "teams", ["written_xid"], unique=False)
    op.create_table(
        "tombstones",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.UUID(), nullable=False),
        sa.Column("observed_person_id", sa.UUID(), nullable=True),
        sa.Column("observer_id", sa.UUID(), nullable=True),
        sa.Column(
            "removed_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tombstones")),
    )
    op.create_index(op.f("ix_tombstones_record_id"), "tombstones", ["record_id"], unique=False)
    op.create_index(
        op.f("ix_tombstones_server_revision"), "tombstones", ["server_revision"], unique=False
    )
    op.create_index(op.f("ix_tombstones_written_xid"), "tombstones", ["written_xid"], unique=False)
    op.create_table(
        "people",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.UUID(), nullable=True),
        sa.Column("staff_reference", sa.String(length=60), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("asye_started_on", sa.Date(), nullable=True),
        sa.Column("merged_into_id", sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_people_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(op.f("ix_people_name"), "people", ["name"], unique=False)
    op.create_index(op.f("ix_people_server_revision"), "people", ["server_revision"], unique=False)
    op.create_index(op.f("ix_people_team_id"), "people", ["team_id"], unique=False)
    op.create_index(op.f("ix_people_written_xid"), "people", ["written_xid"], unique=False)
    op.create_foreign_key(
        op.f("fk_teams_manager_id_people"),
        "teams",
        "people",
        ["manager_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_table(
        "rating_levels",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("framework_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_rating_levels_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_levels")),
        sa.UniqueConstraint("framework_id", "code", name=op.f("uq_rating_levels_framework_id")),
    )
    op.create_index(
        op.f("ix_rating_levels_server_revision"), "rating_levels", ["server_revision"], unique=False
    )
    op.create_index(
        op.f("ix_rating_levels_written_xid"), "rating_levels", ["written_xid"], unique=False
    )
    op.create_table(
        "standards",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("framework_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "prompts",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_standards_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standards")),
        sa.UniqueConstraint("framework_id", "code", name=op.f("uq_standards_framework_id")),
    )
    op.create_index(
        op.f("ix_standards_server_revision"), "standards", ["server_revision"], unique=False
    )
    op.create_index(op.f("ix_standards_written_xid"), "standards", ["written_xid"], unique=False)
    op.create_table(
        "laptops",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("token_hash", postgresql.BYTEA(), nullable=False),
        sa.Column(
            "enrolled_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_seen_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("revoked_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_laptops_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_laptops")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_laptops_token_hash")),
    )
    op.create_index(op.f("ix_laptops_person_id"), "laptops", ["person_id"], unique=False)
    op.create_table(
        "observations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("observed_person_id", sa.UUID(), nullable=False),
        sa.Column("observer_id", sa.UUID(), nullable=False),
        sa.Column("framework_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("observed_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("case_reference", sa.String(length=60), server_default="", nullable=False),
        sa.Column("others_present", sa.Text(), server_default="", nullable=False),
        sa.Column("family_present", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("consent_given_by", sa.Text(), server_default="", nullable=False),
        sa.Column("consent_how", sa.Text(), server_default="", nullable=False),
        sa.Column("focus", sa.Text(), server_default="", nullable=False),
        sa.Column("strengths", sa.Text(), server_default="", nullable=False),
        sa.Column("development_areas", sa.Text(), server_default="", nullable=False),
        sa.Column("child_voice", sa.Text(), server_default="", nullable=False),
        sa.Column("family_feedback", sa.Text(), server_default="", nullable=False),
        sa.Column("reflection", sa.Text(), server_default="", nullable=False),
        sa.Column("overall_level_id", sa.UUID(), nullable=True),
        sa.Column("overall_rationale", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("shown_at_signing", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("wording_at_signing", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("ids_at_signing", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_observations_framework_id_frameworks"),
        ),
        sa.ForeignKeyConstraint(
            ["observed_person_id"],
            ["people.id"],
            name=op.f("fk_observations_observed_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["observer_id"], ["people.id"], name=op.f("fk_observations_observer_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["overall_level_id"],
            ["rating_levels.id"],
            name=op.f("fk_observations_overall_level_id_rating_levels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
    )
    op.create_index(
        op.f("ix_observations_observer_id"), "observations", ["observer_id"], unique=False
    )
    op.create_index(
        "ix_observations_person_time",
        "observations",
        ["observed_person_id", "observed_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_observations_server_revision"), "observations", ["server_revision"], unique=False
    )
    op.create_index(
        op.f("ix_observations_written_xid"), "observations", ["written_xid"], unique=False
    )
    op.create_table(
        "person_roles",
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column(
            "granted_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('practice_lead', 'team_manager', 'service')",
            name=op.f("ck_person_roles_known_role"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_roles_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_roles")),
    )
    op.create_table(
        "team_assignments",
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("team_id", sa.UUID(), nullable=False),
        sa.Column(
            "assigned_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_team_assignments_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_assignments_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "team_id", name=op.f("pk_team_assignments")),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("observation_id", sa.UUID(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.UUID(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("done_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=200), server_default="", nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_actions_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["people.id"], name=op.f("fk_actions_owner_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    op.create_index(op.f("ix_actions_observation_id"), "actions", ["observation_id"], unique=False)
    op.create_index(
        op.f("ix_actions_server_revision"), "actions", ["server_revision"], unique=False
    )
    op.create_index(op.f("ix_actions_written_xid"), "actions", ["written_xid"], unique=False)
    op.create_table(
        "addenda",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("observation_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("image_png", postgresql.BYTEA(), nullable=True),
        sa.Column("signed_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("own_hash", sa.String(length=64), server_default="", nullable=False),
        sa.Column("certificate", postgresql.BYTEA(), nullable=True),
        sa.Column("digital_signature", postgresql.BYTEA(), nullable=True),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_addenda_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addenda")),
    )
    op.create_index(op.f("ix_addenda_observation_id"), "addenda", ["observation_id"], unique=False)
    op.create_index(
        op.f("ix_addenda_server_revision"), "addenda", ["server_revision"], unique=False
    )
    op.create_index(op.f("ix_addenda_written_xid"), "addenda", ["written_xid"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.UUID(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), server_default="", nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("previous_hash", sa.String(length=64), server_default="", nullable=False),
        sa.Column("event_hash", sa.String(length=64), server_default="", nullable=False),
        sa.Column("laptop_id", sa.UUID(), nullable=True),
        sa.Column(
            "received_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["laptop_id"], ["laptops.id"], name=op.f("fk_audit_events_laptop_id_laptops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        "ix_audit_events_chain",
        "audit_events",
        ["laptop_id", "sequence"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.create_index(
        "ix_audit_events_record", "audit_events", ["record_type", "record_id"], unique=False
    )
    op.create_index(
        op.f("ix_audit_events_server_revision"), "audit_events", ["server_revision"], unique=False
    )
    op.create_index(
        op.f("ix_audit_events_written_xid"), "audit_events", ["written_xid"], unique=False
    )
    op.create_table(
        "conflicts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("observation_id", sa.UUID(), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.UUID(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=True),
        sa.Column("laptop_id", sa.UUID(), nullable=True),
        sa.Column("based_on_revision", sa.BigInteger(), nullable=True),
        sa.Column("kept", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("set_aside", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("resolved_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["laptop_id"], ["laptops.id"], name=op.f("fk_conflicts_laptop_id_laptops")
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_conflicts_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_conflicts_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts")),
    )
    op.create_index(
        op.f("ix_conflicts_observation_id"), "conflicts", ["observation_id"], unique=False
    )
    op.create_index(
        op.f("ix_conflicts_server_revision"), "conflicts", ["server_revision"], unique=False
    )
    op.create_index(op.f("ix_conflicts_written_xid"), "conflicts", ["written_xid"], unique=False)
    op.create_table(
        "enrolment_codes",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("code_hash", postgresql.BYTEA(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("used_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("laptop_id", sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["laptop_id"], ["laptops.id"], name=op.f("fk_enrolment_codes_laptop_id_laptops")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_enrolment_codes_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_enrolment_codes_code_hash")),
    )
    op.create_table(
        "ratings",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("observation_id", sa.UUID(), nullable=False),
        sa.Column("standard_id", sa.UUID(), nullable=False),
        sa.Column("level_id", sa.UUID(), nullable=True),
        sa.Column("evidence", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["level_id"], ["rating_levels.id"], name=op.f("fk_ratings_level_id_rating_levels")
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_ratings_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["standards.id"], name=op.f("fk_ratings_standard_id_standards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint(
            "observation_id", "standard_id", name=op.f("uq_ratings_observation_id")
        ),
    )
    op.create_index(
        op.f("ix_ratings_server_revision"), "ratings", ["server_revision"], unique=False
    )
    op.create_index(op.f("ix_ratings_written_xid"), "ratings", ["written_xid"], unique=False)
    op.create_table(
        "signatures",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("server_revision", sa.BigInteger(), nullable=False),
        sa.Column("written_xid", sa.BigInteger(), nullable=False),
        sa.Column("observation_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("image_png", postgresql.BYTEA(), nullable=True),
        sa.Column("signed_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("own_hash", sa.String(length=64), server_default="", nullable=False),
        sa.Column("certificate", postgresql.BYTEA(), nullable=True),
        sa.Column("digital_signature", postgresql.BYTEA(), nullable=True),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_signatures_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
        sa.UniqueConstraint("observation_id", "role", name=op.f("uq_signatures_observation_id")),
    )
    op.create_index(
        op.f("ix_signatures_observation_id"), "signatures", ["observation_id"], unique=False
    )
    op.create_index(
        op.f("ix_signatures_server_revision"), "signatures", ["server_revision"], unique=False
    )
    op.create_index(op.f("ix_signatures_written_xid"), "signatures", ["written_xid"], unique=False)
    op.create_table(
        "action_standards",
        sa.Column("action_id", sa.UUID(), nullable=False),
        sa.Column("standard_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_standards_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
            name=op.f("fk_action_standards_standard_id_standards"),
        ),
        sa.PrimaryKeyConstraint("action_id", "standard_id", name=op.f("pk_action_standards")),
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_teams_manager_id_people"), "teams", type_="foreignkey")
    op.drop_table("action_standards")
    op.drop_index(op.f("ix_signatures_written_xid"), table_name="signatures")
    op.drop_index(op.f("ix_signatures_server_revision"), table_name="signatures")
    op.drop_index(op.f("ix_signatures_observation_id"), table_name="signatures")
    op.drop_table("signatures")
    op.drop_index(op.f("ix_ratings_written_xid"), table_name="ratings")
    op.drop_index(op.f("ix_ratings_server_revision"), table_name="ratings")
    op.drop_table("ratings")
    op.drop_table("enrolment_codes")
    op.drop_index(op.f("ix_conflicts_written_xid"), table_name="conflicts")
    op.drop_index(op.f("ix_conflicts_server_revision"), table_name="conflicts")
    op.drop_index(op.f("ix_conflicts_observation_id"), table_name="conflicts")
    op.drop_table("conflicts")
    op.drop_index(op.f("ix_audit_events_written_xid"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_server_revision"), table_name="audit_events")
    op.drop_index("ix_audit_events_record", table_name="audit_events")
    op.drop_index(
        "ix_audit_events_chain", table_name="audit_events", postgresql_nulls_not_distinct=True
    )
    op.drop_table("audit_events")
    op.drop_index(op.f("ix_addenda_written_xid"), table_name="addenda")
    op.drop_index(op.f("ix_addenda_server_revision"), table_name="addenda")
    op.drop_index(op.f("ix_addenda_observation_id"), table_name="addenda")
    op.drop_table("addenda")
    op.drop_index(op.f("ix_actions_written_xid"), table_name="actions")
    op.drop_index(op.f("ix_actions_server_revision"), table_name="actions")
    op.drop_index(op.f("ix_actions_observation_id"), table_name="actions")
    op.drop_table("actions")
    op.drop_table("team_assignments")
    op.drop_table("person_roles")
    op.drop_index(op.f("ix_observations_written_xid"), table_name="observations")
    op.drop_index(op.f("ix_observations_server_revision"), table_name="observations")
    op.drop_index("ix_observations_person_time", table_name="observations")
    op.drop_index(op.f("ix_observations_observer_id"), table_name="observations")
    op.drop_table("observations")
    op.drop_index(op.f("ix_laptops_person_id"), table_name="laptops")
    op.drop_table("laptops")
    op.drop_index(op.f("ix_standards_written_xid"), table_name="standards")
    op.drop_index(op.f("ix_standards_server_revision"), table_name="standards")
    op.drop_table("standards")
    op.drop_index(op.f("ix_rating_levels_written_xid"), table_name="rating_levels")
    op.drop_index(op.f("ix_rating_levels_server_revision"), table_name="rating_levels")
    op.drop_table("rating_levels")
    op.drop_index(op.f("ix_people_written_xid"), table_name="people")
    op.drop_index(op.f("ix_people_team_id"), table_name="people")
    op.drop_index(op.f("ix_people_server_revision"), table_name="people")
    op.drop_index(op.f("ix_people_name"), table_name="people")
    op.drop_table("people")
    op.drop_index(op.f("ix_tombstones_written_xid"), table_name="tombstones")
    op.drop_index(op.f("ix_tombstones_server_revision"), table_name="tombstones")
    op.drop_index(op.f("ix_tombstones_record_id"), table_name="tombstones")
    op.drop_table("tombstones")
    op.drop_index(op.f("ix_teams_written_xid"), table_name="teams")
    op.drop_index(op.f("ix_teams_server_revision"), table_name="teams")
    op.drop_table("teams")
    op.drop_index(op.f("ix_frameworks_written_xid"), table_name="frameworks")
    op.drop_index(op.f("ix_frameworks_server_revision"), table_name="frameworks")
    op.drop_table("frameworks")
    op.execute("DROP SEQUENCE server_revision_seq")
