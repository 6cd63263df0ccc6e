"""The records of moderation (issue 17; migration 0017): samples of signed observations drawn
for moderation, each moderation of one of them, and the notes raising a moderation with the
observer. All are append-only: the store refuses to change or delete them (triggers of
migration 0017), save what belongs to an observation the retention policy has removed.

They refer to observations by id without a foreign key, as conflicts do: importing a bundle
rewrites an observation (delete, insert), and its moderations must outlive that.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    delete,
    exists,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from observer.store.ids import Id
from observer.store.models import Base, Observation, Record, UTCDateTime


class ModerationSample(Record):
    """A sample drawn for moderation: its period, share and seed, who drew it and when, and
    (in `items`) its observations. A later sample of the same period `supersedes` it, with
    the reason; the sample itself never changes."""

    __tablename__ = "moderation_samples"
    __table_args__ = (Index("ix_moderation_samples_period", "period_from", "period_to"),)

    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    percent: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    drawn_by: Mapped[str] = mapped_column(String(200))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(Id, default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))

    items: Mapped[list[ModerationSampleItem]] = relationship(
        order_by="ModerationSampleItem.position", cascade="save-update"
    )


class ModerationSampleItem(Base):
    __tablename__ = "moderation_sample_items"

    sample_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("moderation_samples.id"), primary_key=True
    )
    observation_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True, index=True)
    observer_id: Mapped[uuid.UUID] = mapped_column(Id)
    position: Mapped[int] = mapped_column(Integer)


class Moderation(Record):
    """A moderator's own ratings of a signed observation, made without seeing the observer's,
    signed by the moderator: the typed name, the time, and the SHA-256 of its canonical
    content (observer/service/moderation_record.py), which covers the observation's content
    hash as it was moderated."""

    __tablename__ = "moderations"

    observation_id: Mapped[uuid.UUID] = mapped_column(Id, index=True)
    sample_id: Mapped[uuid.UUID | None] = mapped_column(Id, default=None)
    observation_hash: Mapped[str] = mapped_column(String(64))
    framework_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("frameworks.id"))
    moderator_id: Mapped[uuid.UUID] = mapped_column(Id)
    moderator_name: Mapped[str] = mapped_column(String(200))
    overall_level_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rating_levels.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    certificate: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    digital_signature: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)

    ratings: Mapped[list[ModerationRating]] = relationship(cascade="save-update")
    notes: Mapped[list[ModerationNote]] = relationship(
        order_by="ModerationNote.written_at", cascade="save-update"
    )


class ModerationRating(Base):
    """The moderator's level for one standard; no level is Not observed."""

    __tablename__ = "moderation_ratings"

    moderation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("moderations.id"), primary_key=True)
    standard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("standards.id"), primary_key=True)
    level_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rating_levels.id"))


class ModerationNote(Record):
    """A moderation raised with the observer: appended, never changed."""

    __tablename__ = "moderation_notes"

    moderation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("moderations.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(200))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))


def remove_moderations_of_removed(s: Session) -> None:
    """Deletes the moderation rows of observations no longer in the store (the retention
    policy removed them): a removed record leaves no words behind. The triggers of migration
    0017 let these rows go only then. A sample keeps its entries (ids only, no words): its
    hash covers them, so a sample that lost one would no longer be the sample drawn, here or
    wherever it travels (a bundle, the team server); showing it leaves a removed one out."""
    orphaned = select(Moderation.id).where(
        ~exists().where(Observation.id == Moderation.observation_id)
    )
    for table in (ModerationNote, ModerationRating):
        s.execute(
            delete(table)
            .where(table.moderation_id.in_(orphaned))
            .execution_options(synchronize_session=False)
        )
    s.execute(
        delete(Moderation)
        .where(~exists().where(Observation.id == Moderation.observation_id))
        .execution_options(synchronize_session=False)
    )
