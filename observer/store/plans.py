"""The improvement plans an organisation has used, version by version (migration 0016).

Each import adds a version and the newest is current; none is ever changed or removed,
so the Board's earlier reports can be read against the plan they were made under. The
themes and the standards each takes in are rows too, so that figures by theme can be
counted in the database; the definition column keeps the plan as imported (normalised),
its hash naming it.

Kept in their own module beside models.py, on the same metadata (observer/store/db.py
imports it, so schema comparisons see these tables).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observer.store.ids import Id
from observer.store.models import Base, Record


class ImprovementPlanVersion(Record):
    __tablename__ = "improvement_plans"

    version: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The key of the theme that agreed actions linked to no mapped standard belong to.
    unlinked_actions: Mapped[str] = mapped_column(String(40))
    definition: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Where it came from (a file's name, a bundle's, or the shipped default) and who.
    source: Mapped[str] = mapped_column(String(300))
    imported_by: Mapped[str] = mapped_column(String(200))

    themes: Mapped[list[ImprovementTheme]] = relationship(
        back_populates="plan", order_by="ImprovementTheme.position", cascade="all, delete-orphan"
    )


class ImprovementTheme(Record):
    __tablename__ = "improvement_themes"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("improvement_plans.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)

    plan: Mapped[ImprovementPlanVersion] = relationship(back_populates="themes")


# A standard belongs to at most one theme of a plan (the primary key says so).
theme_standards = Table(
    "theme_standards",
    Base.metadata,
    Column("plan_id", Id, ForeignKey("improvement_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("standard_id", Id, ForeignKey("standards.id"), primary_key=True),
    Column("theme_id", Id, ForeignKey("improvement_themes.id", ondelete="CASCADE"), nullable=False),
    Index("ix_theme_standards_theme_id", "theme_id"),
)
