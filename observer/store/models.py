"""The records Practice Observer keeps, as SQLAlchemy 2 typed ORM classes.

Every record has a UUID key, UTC created/updated times and a revision counter, so that
records can later be merged between laptops and a team server. The revision doubles as
an optimistic lock: an update made against a stale copy of a record fails instead of
silently overwriting someone else's words.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    type_coerce,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    QueryableAttribute,
    Session,
    attributes,
    declared_attr,
    mapped_column,
    relationship,
    validates,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType, TypeEngine

from observer.errors import InvalidInput, NotFound
from observer.store import wording
from observer.store.ids import Id

R = TypeVar("R")


def table_of(model: type[Any]) -> Table:
    """A mapped class's table, typed as a Table for Core statements."""
    table: Table = model.__table__
    return table


def fetch(session: Session, model: type[R], record_id: uuid.UUID, what: str) -> R:
    """The record with that id, or NotFound naming what was looked for."""
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"That {what} is not in this store.")
    return record


def utc_now() -> datetime:
    return datetime.now(UTC)


_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


class _Microseconds(sqlite.DATETIME):
    """SQLite's DATETIME column, holding what UTCDateTime gives it as it is."""

    def bind_processor(self, dialect: Dialect) -> None:
        return None

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        return None


_MICROSECONDS = _Microseconds()  # type: ignore[no-untyped-call]


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC and hands them back aware, on any database.

    On SQLite (migration 0011) the stored value is the whole number of microseconds since
    1970 UTC, 8 bytes instead of 26 characters of text; the column is still declared
    DATETIME. Python sees the same datetime, to the microsecond, so no hash changes."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return _MICROSECONDS
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        naive = value.astimezone(UTC).replace(tzinfo=None)
        if dialect.name == "sqlite":
            return (naive - _EPOCH) // _MICROSECOND
        return naive

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return stored_moment(value)


def stored_moment(value: Any) -> datetime | None:
    """A UTCDateTime as Python sees it, from what the database hands back."""
    if value is None:
        return None
    if isinstance(value, int):
        return (_EPOCH + value * _MICROSECOND).replace(tzinfo=UTC)
    if isinstance(value, str):  # as written before migration 0011
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    moment: datetime = value
    return moment.replace(tzinfo=UTC)


def stored_local_day(value: Any) -> date:
    """The day on this laptop's clock of a UTCDateTime read as stored (`raw_moment`).

    Two thousand moments made into aware datetimes and moved to the local zone take longer
    than the query that read them; the whole seconds of SQLite's microseconds are enough to
    name the day (the local zone's offset is whole seconds)."""
    if isinstance(value, int):
        try:
            return datetime.fromtimestamp(value // 1_000_000).date()
        except (OverflowError, OSError, ValueError):  # before 1970 on some systems
            pass
    moment = stored_moment(value)
    if moment is None:
        raise ValueError("no moment to take the day of")
    return moment.astimezone().date()


def raw_moment(column: ColumnElement[Any] | QueryableAttribute[Any]) -> ColumnElement[Any]:
    """A UTCDateTime column read as the database stores it, for `stored_local_day`."""
    return type_coerce(column, NullType())


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The largest revision a store holds (SQLite's INTEGER; PostgreSQL needs BIGINT). A bundle
# may carry any revision up to it, since any store may have written it; editing a record
# at it is refused, so no store ever writes a revision another store cannot read.
MAX_REVISION = 2**63 - 1


class RevisionLimit(InvalidInput):
    """A record is at the largest revision a store can hold; it cannot change again."""


def next_revision(current: int | None) -> int:
    if current is None:
        return 1
    if current >= MAX_REVISION:
        raise RevisionLimit(
            "This record has been changed more times than a store can count, so it cannot "
            "change again; nothing was saved."
        )
    return current + 1


class Record(Base):
    """A mergeable record: UUID key, UTC timestamps, revision counter."""

    __abstract__ = True

    id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    revision: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {
            "version_id_col": cls.__table__.c.revision,
            "version_id_generator": next_revision,
        }


class Team(Record):
    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    manager_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL", use_alter=True)
    )

    manager: Mapped[Person | None] = relationship(foreign_keys=[manager_id])
    members: Mapped[list[Person]] = relationship(
        back_populates="team", foreign_keys="Person.team_id"
    )


class Person(Record):
    __tablename__ = "people"

    name: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(40))
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    staff_reference: Mapped[str | None] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    left_on: Mapped[date | None] = mapped_column(Date)
    asye_started_on: Mapped[date | None] = mapped_column(Date)
    # Set when this person was a duplicate merged into another (migration 0010): the row
    # stays for the records signed under its id; lists and pickers leave it out.
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(Id, default=None)

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])


class Framework(Record):
    """One version of a framework. A version once used never changes."""

    __tablename__ = "frameworks"
    __table_args__ = (UniqueConstraint("key", "version"),)

    key: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(40), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    in_force_from: Mapped[date | None] = mapped_column(Date)
    in_force_until: Mapped[date | None] = mapped_column(Date)
    default_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    definition: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))

    standards: Mapped[list[Standard]] = relationship(
        back_populates="framework", order_by="Standard.position", cascade="all, delete-orphan"
    )
    levels: Mapped[list[RatingLevel]] = relationship(
        back_populates="framework", order_by="RatingLevel.position", cascade="all, delete-orphan"
    )


class Standard(Record):
    __tablename__ = "standards"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    framework_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    prompts: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer)

    framework: Mapped[Framework] = relationship(back_populates="standards")


class RatingLevel(Record):
    """A level of a framework's rating scale. `score` is None for Not observed."""

    __tablename__ = "rating_levels"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    framework_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)

    framework: Mapped[Framework] = relationship(back_populates="levels")


# Where an Observation keeps the framework wording it was last given, until it is stored.
_WORDING_SET = "_wording_set"


class Observation(Record):
    __tablename__ = "observations"
    __table_args__ = (
        Index("ix_observations_status", "status"),
        Index("ix_observations_observed_at", "observed_at"),
        # The team overview's: read from the index alone (migration 0006); also every query
        # by observed person and time (migration 0011 dropped the index on those two alone).
        Index(
            "ix_observations_person_judgement",
            "observed_person_id",
            "observed_at",
            "status",
            "overall_level_id",
        ),
        Index("ix_observations_id_person", "id", "observed_person_id", unique=True),
        # The worker page's: a worker's timeline, and whose actions are, from the index
        # alone (migration 0015).
        Index(
            "ix_observations_person_timeline",
            "observed_person_id",
            "observed_at",
            "id",
            "kind",
            "framework_id",
            "overall_level_id",
            "status",
            "observer_id",
        ),
        # The Service section's: a period's finished observations and what they are of,
        # from the index alone (migration 0018).
        Index(
            "ix_observations_service",
            "status",
            "observed_at",
            "kind",
            "framework_id",
            "observed_person_id",
            "id",
        ),
    )

    observed_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    observer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    framework_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("frameworks.id"))
    kind: Mapped[str] = mapped_column(String(40))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    case_reference: Mapped[str] = mapped_column(String(60), default="")
    others_present: Mapped[str] = mapped_column(Text, default="")
    family_present: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_given_by: Mapped[str] = mapped_column(Text, default="")
    consent_how: Mapped[str] = mapped_column(Text, default="")
    focus: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    development_areas: Mapped[str] = mapped_column(Text, default="")
    child_voice: Mapped[str] = mapped_column(Text, default="")
    family_feedback: Mapped[str] = mapped_column(Text, default="")
    reflection: Mapped[str] = mapped_column(Text, default="")
    overall_level_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rating_levels.id"))
    overall_rationale: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # The names and framework wording the record showed when the observer signed; what a
    # signed record shows from then on, and part of what every signature covers.
    shown_at_signing: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The standard titles and level labels (and names) a signed record shows, kept when the
    # observer signs; covered by each signature's and addendum's own hash (migration 0008).
    # Read and written as `wording_at_signing`; stored in two parts (observer/store/wording.py).
    wording_names: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    wording_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    # The person ids a signed record was signed with, kept when a merge of duplicates moves
    # its references to the person kept (migration 0010); its canonical content uses these.
    ids_at_signing: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)

    observed_person: Mapped[Person] = relationship(foreign_keys=[observed_person_id])
    observer: Mapped[Person] = relationship(foreign_keys=[observer_id])
    framework: Mapped[Framework] = relationship()
    overall_level: Mapped[RatingLevel | None] = relationship()
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="observation", cascade="all, delete-orphan"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", order_by="Action.position"
    )
    signatures: Mapped[list[Signature]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", order_by="Signature.signed_at"
    )
    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", order_by="Addendum.created_at"
    )
    signing_wording: Mapped[SigningWording | None] = relationship(
        primaryjoin="foreign(Observation.wording_digest) == SigningWording.digest",
        viewonly=True,
        lazy="selectin",
    )

    @property
    def wording_at_signing(self) -> dict[str, Any] | None:
        digest = self.wording_digest
        framework = None
        if digest is not None:
            pending = self.__dict__.get(_WORDING_SET)
            if pending is not None and pending[0] == digest:
                framework = pending[1]
            else:
                row = self.signing_wording
                if row is None:
                    raise LookupError("a signed record's wording is missing from the store")
                framework = row.wording
        return wording.joined(self.wording_names, self.shown_at_signing, framework)

    @wording_at_signing.setter
    def wording_at_signing(self, value: dict[str, Any] | None) -> None:
        columns, framework = wording.stored_columns(value, self.shown_at_signing)
        for name, column_value in columns.items():
            setattr(self, name, column_value)
        digest = columns["wording_digest"]
        self.__dict__[_WORDING_SET] = None if framework is None else (digest, framework)

    @validates("shown_at_signing")
    def _keep_wording_names(self, _key: str, value: dict[str, Any] | None) -> Any:
        """A wording that took its names from `shown_at_signing` keeps them if it changes."""
        keeps_shown = self.wording_digest is not None and self.wording_names is None
        if keeps_shown and not wording.same(value, self.shown_at_signing):
            self.wording_names = self.shown_at_signing
        return value


class SigningWording(Base):
    """A framework's wording (standard titles, level labels) as signed records show it, kept
    once and named by its digest (observer/store/wording.py)."""

    __tablename__ = "signing_wordings"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    wording: Mapped[dict[str, Any]] = mapped_column(JSON)


@event.listens_for(Observation, "before_insert")
@event.listens_for(Observation, "before_update")
def _keep_signing_wording(_mapper: Any, connection: Connection, target: Observation) -> None:
    pending = target.__dict__.get(_WORDING_SET)
    if pending is not None and attributes.get_history(target, "wording_digest").added:
        wording.keep(connection, {pending[0]: pending[1]})


class Rating(Record):
    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("observation_id", "standard_id"),
        # A worker's trends, read from the index alone (migration 0006).
        Index("ix_ratings_observation_levels", "observation_id", "standard_id", "level_id"),
    )

    observation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE")
    )
    standard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("standards.id"))
    level_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rating_levels.id"))
    evidence: Mapped[str] = mapped_column(Text, default="")

    observation: Mapped[Observation] = relationship(back_populates="ratings")
    standard: Mapped[Standard] = relationship()
    level: Mapped[RatingLevel | None] = relationship()


action_standards = Table(
    "action_standards",
    Base.metadata,
    Column("action_id", Id, ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("standard_id", Id, ForeignKey("standards.id"), primary_key=True),
)


class Action(Record):
    __tablename__ = "actions"
    __table_args__ = (
        Index("ix_actions_status_due", "status", "due_date"),
        Index("ix_actions_due", "due_date"),
        Index("ix_actions_open", "status", "observation_id", "due_date"),
    )

    observation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    observation: Mapped[Observation] = relationship(back_populates="actions")
    owner: Mapped[Person | None] = relationship()
    standards: Mapped[list[Standard]] = relationship(secondary=action_standards)


class Signature(Record):
    __tablename__ = "signatures"
    # Each role signs a record once: the observer, the practitioner, a countersigning manager.
    __table_args__ = (UniqueConstraint("observation_id", "role"),)

    observation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    image_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    # The signature's own hash (observer/records/seals.py), chained to the record's; and the
    # digital signature over it by the identity of the laptop where it was made.
    own_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    certificate: Mapped[bytes | None] = mapped_column(LargeBinary)
    digital_signature: Mapped[bytes | None] = mapped_column(LargeBinary)

    observation: Mapped[Observation] = relationship(back_populates="signatures")


class Addendum(Record):
    """A dated, signed correction added after a record is locked."""

    __tablename__ = "addenda"

    observation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(200))
    image_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    own_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    certificate: Mapped[bytes | None] = mapped_column(LargeBinary)
    digital_signature: Mapped[bytes | None] = mapped_column(LargeBinary)

    observation: Mapped[Observation] = relationship(back_populates="addenda")


class RecordConflict(Record):
    """What merging a copy of a record from elsewhere could not settle alone (the rules are in
    observer/conflicts/rules.py): each side's value, which the record holds, and where the
    other came from, kept until someone decides (migration 0012)."""

    __tablename__ = "conflicts"
    __table_args__ = (Index("ix_conflicts_open", "resolution", "observation_id"),)

    # No foreign key: an import rewrites a record (delete, insert) and its open conflicts
    # stay; deleting a draft and retention take them out explicitly.
    observation_id: Mapped[uuid.UUID] = mapped_column(Id, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # value, text, set_aside, progress
    target: Mapped[str] = mapped_column(String(200))  # as the editor names it, or "record"
    here_value: Mapped[Any] = mapped_column(JSON)
    incoming_value: Mapped[Any] = mapped_column(JSON)
    kept: Mapped[str] = mapped_column(String(20))  # here, incoming, both
    here_revision: Mapped[int] = mapped_column(Integer)
    incoming_revision: Mapped[int] = mapped_column(Integer)
    here_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incoming_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(300))  # the bundle's file name
    source_by: Mapped[str] = mapped_column(String(200), default="")  # who exported it
    resolution: Mapped[str | None] = mapped_column(String(20), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_by: Mapped[str] = mapped_column(String(200), default="")


class SharedState(Base):
    """A state of a record this store exported or imported, by its content hash: what a
    later copy from elsewhere can name as the state it was based on, so that a merge knows
    which side changed what. Kept for drafts only (a signed record's content is fixed);
    the text goes when a draft is deleted, the hash stays (migration 0012)."""

    __tablename__ = "shared_states"

    observation_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class AuditEvent(Record):
    """Who did what to which record, when, with the record's content hash."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_record", "record_type", "record_id"),
        Index("ix_audit_events_sequence", "sequence", unique=True),
    )

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[uuid.UUID | None] = mapped_column(Id)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    # Chained: each event's hash covers the one before (observer/governance/audit.py).
    sequence: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")
    previous_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    event_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")


class Setting(Base):
    """A local setting of this laptop's store, such as who uses it."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
