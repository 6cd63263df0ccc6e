"""The team server's tables in PostgreSQL, as SQLAlchemy Core tables.

The team's records mirror the laptop's models (observer/store/models.py) column for
column, with PostgreSQL's own types (uuid, timestamptz, jsonb, bytea), so a record moves
between a laptop and the server field by field (a test holds the two together). Every
synced row also carries what the change feed needs:

- `server_revision`: the next value of one sequence, stamped by a trigger on every
  insert and update, so the feed has one order across all tables;
- `written_xid`: the id of the transaction that wrote it, so a pull can stop below the
  snapshot's xmin and never skip a row that a slower writer commits late.

Then what only the server has: tombstones, enrolled laptops, one-time enrolment codes,
who may see which team's records, and conflicts. Migrations (observer/server/migrations)
make these tables; a test checks that the migrated database matches this module.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import BYTEA, JSONB, TIMESTAMP, UUID

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING_CONVENTION)

REVISION_SEQUENCE = "server_revision_seq"
# The roles a person has on the server; what each may see is row-level security's.
SERVER_ROLES = ("practice_lead", "team_manager", "service")
NOW = text("now()")


def Timestamp() -> TIMESTAMP:  # noqa: N802 - reads as a type in the tables below
    return TIMESTAMP(timezone=True)


def _record_columns(*, in_feed: bool = False) -> list[Column[object]]:
    """The laptop's Record columns, then the change feed's."""
    return [
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("created_at", Timestamp(), nullable=False, server_default=NOW),
        Column("updated_at", Timestamp(), nullable=False, server_default=NOW),
        Column("revision", BigInteger, nullable=False, server_default="1"),
        *_feed_columns(in_feed=in_feed),
    ]


def _feed_columns(*, in_feed: bool = False) -> list[Column[object]]:
    """`in_feed`: a table the feed's page query reads in feed order, which has an index in
    that order instead of one on written_xid alone (`_feed_index`, server migration 0015)."""
    return [
        Column("server_revision", BigInteger, nullable=False, index=True),
        Column("written_xid", BigInteger, nullable=False, index=not in_feed),
    ]


def _feed_index(table: str) -> Index:
    """The feed's order (written_xid, server_revision): a page's first rows after its
    cursor come by this index, the cursor's comparison an index condition, with no sort."""
    return Index(f"ix_{table}_feed", "written_xid", "server_revision")


def _fk(target: str, ondelete: str | None = None, *, use_alter: bool = False) -> ForeignKey:
    return ForeignKey(target, ondelete=ondelete, use_alter=use_alter)


teams = Table(
    "teams",
    metadata,
    *_record_columns(in_feed=True),
    _feed_index("teams"),
    Column("name", String(200), nullable=False, unique=True),
    Column("manager_id", UUID(as_uuid=True), _fk("people.id", "SET NULL", use_alter=True)),
    # A manager a laptop named before pushing their row (which names this team): set as
    # manager_id when that person arrives (server migration 0009).
    Column("pending_manager_id", UUID(as_uuid=True)),
)

people = Table(
    "people",
    metadata,
    *_record_columns(in_feed=True),
    _feed_index("people"),
    Column("name", String(200), nullable=False, index=True),
    Column("role", String(40), nullable=False),
    Column("team_id", UUID(as_uuid=True), _fk("teams.id", "SET NULL"), index=True),
    Column("staff_reference", String(60)),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("left_on", Date),
    Column("asye_started_on", Date),
    Column("merged_into_id", UUID(as_uuid=True)),
)

frameworks = Table(
    "frameworks",
    metadata,
    *_record_columns(in_feed=True),
    _feed_index("frameworks"),
    Column("key", String(60), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("short_name", String(40), nullable=False, server_default=""),
    Column("description", Text, nullable=False, server_default=""),
    Column("source", Text, nullable=False, server_default=""),
    Column("in_force_from", Date),
    Column("in_force_until", Date),
    Column("default_kinds", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("default_roles", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("definition", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    UniqueConstraint("key", "version"),
)

standards = Table(
    "standards",
    metadata,
    *_record_columns(in_feed=True),
    _feed_index("standards"),
    Column("framework_id", UUID(as_uuid=True), _fk("frameworks.id", "CASCADE"), nullable=False),
    Column("code", String(20), nullable=False),
    Column("title", String(300), nullable=False),
    Column("summary", Text, nullable=False, server_default=""),
    Column("prompts", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("position", Integer, nullable=False),
    UniqueConstraint("framework_id", "code"),
)

rating_levels = Table(
    "rating_levels",
    metadata,
    *_record_columns(in_feed=True),
    _feed_index("rating_levels"),
    Column("framework_id", UUID(as_uuid=True), _fk("frameworks.id", "CASCADE"), nullable=False),
    Column("code", String(40), nullable=False),
    Column("label", String(100), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("position", Integer, nullable=False),
    Column("score", Integer),
    UniqueConstraint("framework_id", "code"),
)

observations = Table(
    "observations",
    metadata,
    *_record_columns(in_feed=True),
    _feed_index("observations"),
    Column("observed_person_id", UUID(as_uuid=True), _fk("people.id"), nullable=False),
    Column("observer_id", UUID(as_uuid=True), _fk("people.id"), nullable=False),
    Column("framework_id", UUID(as_uuid=True), _fk("frameworks.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("observed_at", Timestamp(), nullable=False),
    Column("duration_minutes", Integer),
    Column("case_reference", String(60), nullable=False, server_default=""),
    Column("others_present", Text, nullable=False, server_default=""),
    Column("family_present", Boolean, nullable=False, server_default=text("false")),
    Column("consent_given_by", Text, nullable=False, server_default=""),
    Column("consent_how", Text, nullable=False, server_default=""),
    Column("focus", Text, nullable=False, server_default=""),
    Column("strengths", Text, nullable=False, server_default=""),
    Column("development_areas", Text, nullable=False, server_default=""),
    Column("child_voice", Text, nullable=False, server_default=""),
    Column("family_feedback", Text, nullable=False, server_default=""),
    Column("reflection", Text, nullable=False, server_default=""),
    Column("overall_level_id", UUID(as_uuid=True), _fk("rating_levels.id")),
    Column("overall_rationale", Text, nullable=False, server_default=""),
    Column("status", String(20), nullable=False, server_default="draft"),
    Column("shown_at_signing", JSONB),
    Column("wording_at_signing", JSONB),
    # None is SQL NULL, not JSON null: the signed-record trigger lets a merge set it only
    # from NULL (observer-server merge-people of a person on a record a laptop pushed).
    Column("ids_at_signing", JSONB(none_as_null=True)),
    Index("ix_observations_person_time", "observed_person_id", "observed_at"),
    # A lead's or manager's records in feed order: those they wrote, those of their teams'
    # workers (feed._in_scope), each read from the cursor on rather than whole.
    Index("ix_observations_observer_feed", "observer_id", "written_xid", "server_revision"),
    Index("ix_observations_person_feed", "observed_person_id", "written_xid", "server_revision"),
)

ratings = Table(
    "ratings",
    metadata,
    *_record_columns(),
    Column(
        "observation_id",
        UUID(as_uuid=True),
        _fk("observations.id", "CASCADE"),
        nullable=False,
    ),
    Column("standard_id", UUID(as_uuid=True), _fk("standards.id"), nullable=False),
    Column("level_id", UUID(as_uuid=True), _fk("rating_levels.id")),
    Column("evidence", Text, nullable=False, server_default=""),
    UniqueConstraint("observation_id", "standard_id"),
)

actions = Table(
    "actions",
    metadata,
    *_record_columns(),
    Column(
        "observation_id",
        UUID(as_uuid=True),
        _fk("observations.id", "CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("description", Text, nullable=False),
    Column("owner_id", UUID(as_uuid=True), _fk("people.id")),
    Column("due_date", Date),
    Column("status", String(20), nullable=False, server_default="open"),
    Column("done_at", Timestamp()),
    Column("done_by", String(200), nullable=False, server_default=""),
    Column("position", Integer, nullable=False, server_default="0"),
)

action_standards = Table(
    "action_standards",
    metadata,
    Column("action_id", UUID(as_uuid=True), _fk("actions.id", "CASCADE"), primary_key=True),
    Column("standard_id", UUID(as_uuid=True), _fk("standards.id"), primary_key=True),
)

signatures = Table(
    "signatures",
    metadata,
    *_record_columns(),
    Column(
        "observation_id",
        UUID(as_uuid=True),
        _fk("observations.id", "CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("role", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("image_png", BYTEA),
    Column("signed_at", Timestamp(), nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
    Column("content_hash", String(64), nullable=False),
    Column("own_hash", String(64), nullable=False, server_default=""),
    Column("certificate", BYTEA),
    Column("digital_signature", BYTEA),
    UniqueConstraint("observation_id", "role"),
)

addenda = Table(
    "addenda",
    metadata,
    *_record_columns(),
    Column(
        "observation_id",
        UUID(as_uuid=True),
        _fk("observations.id", "CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("text", Text, nullable=False),
    Column("author_name", String(200), nullable=False),
    Column("image_png", BYTEA),
    Column("signed_at", Timestamp(), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("own_hash", String(64), nullable=False, server_default=""),
    Column("certificate", BYTEA),
    Column("digital_signature", BYTEA),
)

# Issue 17's records (server migration 0016). The improvement plan's versions: the laptop's
# themes and theme_standards rows are rebuilt from `definition` wherever a plan is taken in,
# so only the plan itself is kept here. Versions are numbered by the server in the order it
# took them; a plan is one plan by its content (`content_hash`), whichever laptop brought it.
improvement_plans = Table(
    "improvement_plans",
    metadata,
    *_record_columns(in_feed=True),
    _feed_index("improvement_plans"),
    Column("version", Integer, nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("unlinked_actions", String(40), nullable=False),
    Column("definition", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("source", String(300), nullable=False, server_default=""),
    Column("imported_by", String(200), nullable=False, server_default=""),
)

# Moderation (laptop migration 0017): append-only, save what retention removes with the
# observation a row belongs to.
moderation_samples = Table(
    "moderation_samples",
    metadata,
    *_record_columns(in_feed=True),
    _feed_index("moderation_samples"),
    Column("period_from", Date, nullable=False),
    Column("period_to", Date, nullable=False),
    Column("percent", Integer, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("drawn_by", String(200), nullable=False),
    Column("drawn_at", Timestamp(), nullable=False),
    Column("supersedes_id", UUID(as_uuid=True)),
    Column("reason", Text, nullable=False, server_default=""),
    Column("content_hash", String(64), nullable=False),
    Index("ix_moderation_samples_period", "period_from", "period_to"),
)

moderation_sample_items = Table(
    "moderation_sample_items",
    metadata,
    Column(
        "sample_id",
        UUID(as_uuid=True),
        _fk("moderation_samples.id"),
        primary_key=True,
    ),
    # No foreign key: a sample names observations some callers may not see, and outlives
    # none of them (retention takes its rows out with the observation).
    Column("observation_id", UUID(as_uuid=True), primary_key=True, index=True),
    Column("observer_id", UUID(as_uuid=True), nullable=False),
    Column("position", Integer, nullable=False),
)

moderations = Table(
    "moderations",
    metadata,
    *_record_columns(in_feed=True),
    _feed_index("moderations"),
    Column(
        "observation_id",
        UUID(as_uuid=True),
        _fk("observations.id", "CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("sample_id", UUID(as_uuid=True)),
    Column("observation_hash", String(64), nullable=False),
    Column("framework_id", UUID(as_uuid=True), _fk("frameworks.id"), nullable=False),
    Column("moderator_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("moderator_name", String(200), nullable=False),
    Column("overall_level_id", UUID(as_uuid=True), _fk("rating_levels.id")),
    Column("comment", Text, nullable=False, server_default=""),
    Column("signed_at", Timestamp(), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("certificate", BYTEA),
    Column("digital_signature", BYTEA),
)

moderation_ratings = Table(
    "moderation_ratings",
    metadata,
    Column(
        "moderation_id",
        UUID(as_uuid=True),
        _fk("moderations.id", "CASCADE"),
        primary_key=True,
    ),
    Column("standard_id", UUID(as_uuid=True), _fk("standards.id"), primary_key=True),
    Column("level_id", UUID(as_uuid=True), _fk("rating_levels.id")),
)

moderation_notes = Table(
    "moderation_notes",
    metadata,
    *_record_columns(),
    Column(
        "moderation_id",
        UUID(as_uuid=True),
        _fk("moderations.id", "CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("text", Text, nullable=False),
    Column("author_name", String(200), nullable=False),
    Column("written_at", Timestamp(), nullable=False),
    Column("content_hash", String(64), nullable=False),
)

# The QA lead's commentary for the Board report (laptop migration 0019).
board_commentaries = Table(
    "board_commentaries",
    metadata,
    *_record_columns(in_feed=True),
    _feed_index("board_commentaries"),
    Column("period_first", Date, nullable=False),
    Column("period_last", Date, nullable=False),
    # 'all', or the hex id of the one team it is about.
    Column("scope", String(32), nullable=False),
    Column("text", Text, nullable=False, server_default=""),
    Column("written_by", String(200), nullable=False),
    UniqueConstraint("period_first", "period_last", "scope"),
)

laptops = Table(
    "laptops",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("person_id", UUID(as_uuid=True), _fk("people.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False, server_default=""),
    # SHA-256 of the device token; the token itself is only ever on the laptop.
    Column("token_hash", BYTEA, nullable=False, unique=True),
    Column("enrolled_at", Timestamp(), nullable=False, server_default=NOW),
    Column("last_seen_at", Timestamp()),
    Column("revoked_at", Timestamp()),
    # The last pull that reached the end of the feed (migration 0010).
    Column("last_synced_at", Timestamp()),
    # The laptop this one replaced when it joined again (migration 0014; unknown to the
    # server after a restore), and the last event the server held of its chain.
    Column("previous_laptop_id", UUID(as_uuid=True), index=True),
    Column("continues_from", BigInteger, nullable=False, server_default="0"),
    Column("continues_hash", Text, nullable=False, server_default=""),
)

audit_events = Table(
    "audit_events",
    metadata,
    *_record_columns(),
    Column("occurred_at", Timestamp(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("record_type", String(40), nullable=False),
    Column("record_id", UUID(as_uuid=True)),
    Column("content_hash", String(64), nullable=False, server_default=""),
    Column("sequence", BigInteger),
    Column("detail", Text, nullable=False, server_default=""),
    Column("previous_hash", String(64), nullable=False, server_default=""),
    Column("event_hash", String(64), nullable=False, server_default=""),
    # The laptop whose hash chain holds the event; none for the server's own chain.
    Column("laptop_id", UUID(as_uuid=True), _fk("laptops.id")),
    Column("received_at", Timestamp(), nullable=False, server_default=NOW),
    # A laptop restored from its own backup continues its chain on a new line (0010).
    Column("line", Integer, nullable=False, server_default="0"),
    Index("ix_audit_events_record", "record_type", "record_id"),
    Index(
        "ix_audit_events_chain",
        "laptop_id",
        "line",
        "sequence",
        unique=True,
        postgresql_nulls_not_distinct=True,
    ),
)

tombstones = Table(
    "tombstones",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("record_type", String(40), nullable=False),
    Column("record_id", UUID(as_uuid=True), nullable=False, index=True),
    # Whose record it was, so that only those who could see it learn that it went.
    Column("observed_person_id", UUID(as_uuid=True)),
    Column("observer_id", UUID(as_uuid=True)),
    Column("removed_at", Timestamp(), nullable=False, server_default=NOW),
    # `deleted` on a laptop (a later edit brings it back) or `removed` from the server.
    Column("reason", String(20), nullable=False, server_default="deleted"),
    *_feed_columns(in_feed=True),
    _feed_index("tombstones"),
    # For a person merged into another (observer-server merge-people): the person kept.
    Column("merged_into_id", UUID(as_uuid=True)),
    CheckConstraint("reason IN ('deleted', 'removed')", name="known_reason"),
)

enrolment_codes = Table(
    "enrolment_codes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    # SHA-256 of the one-time code; the code is shown once, to the administrator.
    Column("code_hash", BYTEA, nullable=False, unique=True),
    Column("person_id", UUID(as_uuid=True), _fk("people.id"), nullable=False),
    Column("created_at", Timestamp(), nullable=False, server_default=NOW),
    Column("expires_at", Timestamp(), nullable=False),
    Column("used_at", Timestamp()),
    Column("laptop_id", UUID(as_uuid=True), _fk("laptops.id")),
)

# The server's own settings (the retention policy), for the owner only.
server_settings = Table(
    "server_settings",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", JSONB, nullable=False),
    Column("updated_at", Timestamp(), nullable=False, server_default=NOW),
)

person_roles = Table(
    "person_roles",
    metadata,
    Column("person_id", UUID(as_uuid=True), _fk("people.id", "CASCADE"), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("granted_at", Timestamp(), nullable=False, server_default=NOW),
    CheckConstraint(f"role IN {SERVER_ROLES!r}", name="known_role"),
)

team_assignments = Table(
    "team_assignments",
    metadata,
    Column("person_id", UUID(as_uuid=True), _fk("people.id", "CASCADE"), nullable=False),
    Column("team_id", UUID(as_uuid=True), _fk("teams.id", "CASCADE"), nullable=False),
    Column("assigned_at", Timestamp(), nullable=False, server_default=NOW),
    PrimaryKeyConstraint("person_id", "team_id"),
)

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column(
        "observation_id",
        UUID(as_uuid=True),
        _fk("observations.id", "CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("record_type", String(40), nullable=False),
    Column("record_id", UUID(as_uuid=True), nullable=False),
    Column("field", String(60)),
    Column("kind", String(40), nullable=False),
    # Whose change was set aside or overruled, from which laptop, on which server revision.
    Column("person_id", UUID(as_uuid=True), _fk("people.id")),
    Column("laptop_id", UUID(as_uuid=True), _fk("laptops.id")),
    Column("based_on_revision", BigInteger),
    Column("kept", JSONB),
    Column("set_aside", JSONB),
    Column("created_at", Timestamp(), nullable=False, server_default=NOW),
    Column("resolved_at", Timestamp()),
    # Who settled it and how (the settling laptop's choice), protocol v2 (migration 0012).
    Column("resolved_by", UUID(as_uuid=True), _fk("people.id")),
    Column("resolution", String(20)),
    *_feed_columns(in_feed=True),
    _feed_index("conflicts"),
)

# Each change a laptop pushed, with the answer it was given, so that a retry of the same
# change (its answer lost on the way) is answered the same and applied once.
applied_changes = Table(
    "applied_changes",
    metadata,
    Column("change_id", UUID(as_uuid=True), primary_key=True),
    Column("laptop_id", UUID(as_uuid=True), _fk("laptops.id"), nullable=False, index=True),
    Column("record_type", String(40), nullable=False),
    Column("record_id", UUID(as_uuid=True)),
    Column("outcome", String(20), nullable=False),
    Column("server_revision", BigInteger),
    Column("conflicts", Integer, nullable=False, server_default="0"),
    Column("message", Text),
    Column("applied_at", Timestamp(), nullable=False, server_default=NOW),
)

# One row: the change feed's epoch, carried by every cursor, and where the database was
# (cluster, database, this table) when it began; a restore starts a new one (epoch.py).
server_epoch = Table(
    "server_epoch",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False, server_default="1"),
    Column("epoch", BigInteger, nullable=False),
    Column("cluster_identity", Text, nullable=False),
    Column("started_at", Timestamp(), nullable=False, server_default=NOW),
    Column("reason", String(40), nullable=False),
    CheckConstraint("id = 1", name="one_row"),
)

# Every row these hold is stamped with a server revision and the writing transaction.
FEED_TABLES = (
    "teams",
    "people",
    "frameworks",
    "standards",
    "rating_levels",
    "observations",
    "ratings",
    "actions",
    "signatures",
    "addenda",
    "audit_events",
    "tombstones",
    "conflicts",
    "improvement_plans",
    "moderation_samples",
    "moderations",
    "moderation_notes",
    "board_commentaries",
)
