"""Issue 17's records on the team server: the improvement plan, moderation (samples, the
moderations themselves with their ratings, the notes raising one with the observer) and the
QA lead's commentary for the Board report, mirroring the laptop's (laptop migrations 0016,
0017 and 0019), with who sees and writes which forced by row-level security:

- improvement plans are the organisation's: every caller with a server role reads them;
  a service-wide role or a practice lead adds one. None is ever changed or removed.
- a moderation, its ratings and the notes raising it are seen by its moderator, by the
  observer of the observation moderated, by a team manager of the observed worker's team,
  and by a service-wide role (the observation's scope, narrowed: a practice lead assigned
  to the worker's team who neither made the observation nor moderated it does not see it).
  Only its moderator adds it (under their id, or one the server holds as merged into
  theirs: a moderation made before their laptop joined), and only a practice lead or
  service-wide role moderates;
  a note is added by the moderation's moderator or a service-wide role.
- a moderation sample (and its list of observations) is seen and drawn by practice leads
  and service-wide roles.
- a commentary is read by a service-wide role and practice leads, and by a team manager
  assigned to the team it is about; written by a service-wide role or a practice lead.

Triggers refuse, for every role including the owner, any change to a plan, a sample, a
moderation, its ratings or notes (only the feed's own stamps may change), and their
removal, save a moderation's rows going with an observation the retention policy removes
(a sample keeps its entries, ids only, which its hash covers); and truncating them. A
moderation is restamped when its observation is (so that it follows its observation in
the feed) and when a note is added.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"
ROLE = "(SELECT observer_caller_role())"
PERSON = "(SELECT observer_caller_person())"
TEAMS = "(SELECT observer_caller_teams())::uuid[]"
LEADS = f"{ROLE} IN ('service', 'practice_lead')"

TABLES = (
    "improvement_plans",
    "moderation_samples",
    "moderation_sample_items",
    "moderations",
    "moderation_ratings",
    "moderation_notes",
    "board_commentaries",
)
STAMPED = (
    "improvement_plans",
    "moderation_samples",
    "moderations",
    "moderation_notes",
    "board_commentaries",
)
# Whether the caller made a moderation: under their id, or under one of theirs from before
# their laptop joined (a person the server holds as merged into them).
# (After `observer-server merge-people`, the duplicate's row is gone and its tombstone says
# whom it was merged into.)
MERGED_INTO_CALLER = (
    f"(SELECT p.id FROM people p WHERE p.merged_into_id = {PERSON} "
    "UNION ALL SELECT t.record_id FROM tombstones t "
    f"WHERE t.record_type = 'people' AND t.merged_into_id = {PERSON})"
)
MODERATOR = f"(moderator_id = {PERSON} OR moderator_id IN {MERGED_INTO_CALLER})"
# Whether the caller sees a moderation.
SEES_MODERATION = f"""(
    {ROLE} = 'service'
    OR {ROLE} IS NOT NULL AND (
        {MODERATOR}
        OR EXISTS (
            SELECT 1 FROM observations o
            WHERE o.id = observation_id AND (
                o.observer_id = {PERSON}
                OR {ROLE} = 'team_manager' AND o.observed_person_id IN (
                    SELECT p.id FROM people p WHERE p.team_id = ANY ({TEAMS})
                )
            )
            OFFSET 0
        )
    )
)"""
OF_MODERATION = "EXISTS (SELECT 1 FROM moderations m WHERE m.id = moderation_id OFFSET 0)"
MODERATORS_OWN = (
    "EXISTS (SELECT 1 FROM moderations m WHERE m.id = moderation_id "
    f"AND ({ROLE} = 'service' OR m.moderator_id = {PERSON} "
    f"OR m.moderator_id IN {MERGED_INTO_CALLER}) OFFSET 0)"
)
OF_SAMPLE = "EXISTS (SELECT 1 FROM moderation_samples s WHERE s.id = sample_id OFFSET 0)"
SEES_COMMENTARY = f"""(
    {LEADS}
    OR {ROLE} = 'team_manager' AND scope IN (
        SELECT replace(t::text, '-', '') FROM unnest({TEAMS}) AS t
    )
)"""

FUNCTIONS = f"""
CREATE FUNCTION observer_observation_held(observation uuid) RETURNS boolean
LANGUAGE sql VOLATILE {DEFINER} AS $$
    SELECT observation IS NOT NULL
       AND EXISTS (SELECT 1 FROM observations o WHERE o.id = observation)
$$;

-- TG_ARGV[0]: how to find the observation of the row being removed ('' for never).
CREATE FUNCTION observer_refuse_moderation_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    free text[] := ARRAY['server_revision', 'written_xid'];
    observation uuid;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (to_jsonb(NEW) - free) IS NOT DISTINCT FROM (to_jsonb(OLD) - free) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '% are kept as made: they cannot be changed', TG_TABLE_NAME
            USING ERRCODE = 'OB001';
    END IF;
    IF TG_ARGV[0] = 'observation' THEN
        observation := OLD.observation_id;
    ELSIF TG_ARGV[0] = 'moderation' THEN
        SELECT m.observation_id INTO observation FROM moderations m WHERE m.id = OLD.moderation_id;
    END IF;
    IF TG_ARGV[0] <> '' AND NOT observer_observation_held(observation) THEN
        RETURN OLD;  -- its observation was removed under the retention policy
    END IF;
    RAISE EXCEPTION '% are kept as made: they cannot be removed', TG_TABLE_NAME
        USING ERRCODE = 'OB001';
END
$$;

CREATE FUNCTION observer_touch_moderation() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS $$
BEGIN
    UPDATE moderations SET server_revision = 0 WHERE id = NEW.moderation_id;
    RETURN NULL;
END
$$;

-- A moderation follows its observation in the feed: a laptop takes it only once it holds
-- the record it moderates.
CREATE FUNCTION observer_touch_moderations_of() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS $$
BEGIN
    IF NEW.server_revision IS DISTINCT FROM OLD.server_revision THEN
        UPDATE moderations SET server_revision = 0 WHERE observation_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

"""

# Each append-only table, and what its rows belong to ('': never removed; otherwise removed
# only once that observation is no longer held, as retention removes it).
GUARDS = {
    "improvement_plans": "",
    "moderation_samples": "",
    # A sample keeps its entries (ids only): its hash covers them.
    "moderation_sample_items": "",
    "moderations": "observation",
    "moderation_ratings": "moderation",
    "moderation_notes": "moderation",
}


def _tables() -> None:
    op.create_table(
        "board_commentaries",
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
        sa.Column("period_first", sa.Date(), nullable=False),
        sa.Column("period_last", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("written_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_commentaries")),
        sa.UniqueConstraint(
            "period_first", "period_last", "scope", name=op.f("uq_board_commentaries_period_first")
        ),
    )
    op.create_index(
        "ix_board_commentaries_feed",
        "board_commentaries",
        ["written_xid", "server_revision"],
        unique=False,
    )
    op.create_index(
        op.f("ix_board_commentaries_server_revision"),
        "board_commentaries",
        ["server_revision"],
        unique=False,
    )
    op.create_table(
        "improvement_plans",
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
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unlinked_actions", sa.String(length=40), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=300), server_default="", nullable=False),
        sa.Column("imported_by", sa.String(length=200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_plans")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_improvement_plans_content_hash")),
        sa.UniqueConstraint("version", name=op.f("uq_improvement_plans_version")),
    )
    op.create_index(
        "ix_improvement_plans_feed",
        "improvement_plans",
        ["written_xid", "server_revision"],
        unique=False,
    )
    op.create_index(
        op.f("ix_improvement_plans_server_revision"),
        "improvement_plans",
        ["server_revision"],
        unique=False,
    )
    op.create_table(
        "moderation_samples",
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
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("drawn_by", sa.String(length=200), nullable=False),
        sa.Column("drawn_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.UUID(), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_samples")),
    )
    op.create_index(
        "ix_moderation_samples_feed",
        "moderation_samples",
        ["written_xid", "server_revision"],
        unique=False,
    )
    op.create_index(
        "ix_moderation_samples_period",
        "moderation_samples",
        ["period_from", "period_to"],
        unique=False,
    )
    op.create_index(
        op.f("ix_moderation_samples_server_revision"),
        "moderation_samples",
        ["server_revision"],
        unique=False,
    )
    op.create_table(
        "moderation_sample_items",
        sa.Column("sample_id", sa.UUID(), nullable=False),
        sa.Column("observation_id", sa.UUID(), nullable=False),
        sa.Column("observer_id", sa.UUID(), nullable=False),
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
        unique=False,
    )
    op.create_table(
        "moderations",
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
        sa.Column("sample_id", sa.UUID(), nullable=True),
        sa.Column("observation_hash", sa.String(length=64), nullable=False),
        sa.Column("framework_id", sa.UUID(), nullable=False),
        sa.Column("moderator_id", sa.UUID(), nullable=False),
        sa.Column("moderator_name", sa.String(length=200), nullable=False),
        sa.Column("overall_level_id", sa.UUID(), nullable=True),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("signed_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("certificate", postgresql.BYTEA(), nullable=True),
        sa.Column("digital_signature", postgresql.BYTEA(), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["frameworks.id"], name=op.f("fk_moderations_framework_id_frameworks")
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_moderations_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["overall_level_id"],
            ["rating_levels.id"],
            name=op.f("fk_moderations_overall_level_id_rating_levels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderations")),
    )
    op.create_index(
        "ix_moderations_feed", "moderations", ["written_xid", "server_revision"], unique=False
    )
    op.create_index(
        op.f("ix_moderations_moderator_id"), "moderations", ["moderator_id"], unique=False
    )
    op.create_index(
        op.f("ix_moderations_observation_id"), "moderations", ["observation_id"], unique=False
    )
    op.create_index(
        op.f("ix_moderations_server_revision"), "moderations", ["server_revision"], unique=False
    )
    op.create_table(
        "moderation_notes",
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
        sa.Column("moderation_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("written_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["moderation_id"],
            ["moderations.id"],
            name=op.f("fk_moderation_notes_moderation_id_moderations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_notes")),
    )
    op.create_index(
        op.f("ix_moderation_notes_moderation_id"),
        "moderation_notes",
        ["moderation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_moderation_notes_server_revision"),
        "moderation_notes",
        ["server_revision"],
        unique=False,
    )
    op.create_index(
        op.f("ix_moderation_notes_written_xid"), "moderation_notes", ["written_xid"], unique=False
    )
    op.create_table(
        "moderation_ratings",
        sa.Column("moderation_id", sa.UUID(), nullable=False),
        sa.Column("standard_id", sa.UUID(), nullable=False),
        sa.Column("level_id", sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["rating_levels.id"],
            name=op.f("fk_moderation_ratings_level_id_rating_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["moderation_id"],
            ["moderations.id"],
            name=op.f("fk_moderation_ratings_moderation_id_moderations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
            name=op.f("fk_moderation_ratings_standard_id_standards"),
        ),
        sa.PrimaryKeyConstraint("moderation_id", "standard_id", name=op.f("pk_moderation_ratings")),
    )


def _triggers() -> list[str]:
    sql = [
        f"CREATE TRIGGER observer_50_stamp BEFORE INSERT OR UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION observer_stamp()"
        for table in STAMPED
    ]
    for table, guard in GUARDS.items():
        sql += [
            f"CREATE TRIGGER observer_10_kept BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION observer_refuse_moderation_change('{guard}')",
            f"CREATE TRIGGER observer_10_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION observer_refuse_truncate()",
        ]
    sql += [
        "CREATE TRIGGER observer_90_touch AFTER INSERT ON moderation_notes "
        "FOR EACH ROW EXECUTE FUNCTION observer_touch_moderation()",
        "CREATE TRIGGER observer_91_moderations AFTER UPDATE ON observations "
        "FOR EACH ROW EXECUTE FUNCTION observer_touch_moderations_of()",
    ]
    return sql


def _policies() -> list[str]:
    sql = []
    for table in TABLES:
        sql += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY owner_all ON {table} TO CURRENT_USER USING (true) WITH CHECK (true)",
        ]
    sql += [
        f"CREATE POLICY callers_read ON improvement_plans FOR SELECT USING ({ROLE} IS NOT NULL)",
        f"CREATE POLICY leads_add ON improvement_plans FOR INSERT WITH CHECK ({LEADS})",
        f"CREATE POLICY leads_read ON moderation_samples FOR SELECT USING ({LEADS})",
        f"CREATE POLICY leads_draw ON moderation_samples FOR INSERT WITH CHECK ({LEADS})",
        f"CREATE POLICY scope ON moderation_sample_items FOR SELECT USING ({OF_SAMPLE})",
        "CREATE POLICY leads_draw ON moderation_sample_items FOR INSERT "
        f"WITH CHECK ({LEADS} AND {OF_SAMPLE})",
        f"CREATE POLICY scope ON moderations FOR SELECT USING ({SEES_MODERATION})",
        "CREATE POLICY moderator_adds ON moderations FOR INSERT "
        f"WITH CHECK ({LEADS} AND {MODERATOR})",
        f"CREATE POLICY scope ON moderation_ratings FOR SELECT USING ({OF_MODERATION})",
        "CREATE POLICY moderator_adds ON moderation_ratings FOR INSERT "
        f"WITH CHECK ({MODERATORS_OWN})",
        f"CREATE POLICY scope ON moderation_notes FOR SELECT USING ({OF_MODERATION})",
        "CREATE POLICY moderator_adds ON moderation_notes FOR INSERT "
        f"WITH CHECK ({MODERATORS_OWN})",
        f"CREATE POLICY scope ON board_commentaries FOR SELECT USING ({SEES_COMMENTARY})",
        f"CREATE POLICY leads_write ON board_commentaries FOR INSERT WITH CHECK ({LEADS})",
        "CREATE POLICY leads_write_again ON board_commentaries FOR UPDATE "
        f"USING ({LEADS}) WITH CHECK ({LEADS})",
    ]
    return sql


def upgrade() -> None:
    _tables()
    op.execute(FUNCTIONS)
    for statement in (*_triggers(), *_policies()):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER observer_91_moderations ON observations")
    for table in reversed(TABLES):
        op.drop_table(table)
    op.execute(
        "DROP FUNCTION observer_observation_held, observer_refuse_moderation_change, "
        "observer_touch_moderation, observer_touch_moderations_of"
    )
