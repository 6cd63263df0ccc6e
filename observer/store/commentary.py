"""The QA lead's commentary for the Board report, one per period and scope (migration 0019).

Kept in its own module beside models.py, on the same metadata (observer/store/db.py
imports it, so schema comparisons see the table). The text is the QA lead's own words for
the Board; like every narrative it is never logged.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from observer.store.models import Record

ALL_TEAMS = "all"


class BoardCommentary(Record):
    __tablename__ = "board_commentaries"
    __table_args__ = (UniqueConstraint("period_first", "period_last", "scope"),)

    period_first: Mapped[date] = mapped_column(Date)
    period_last: Mapped[date] = mapped_column(Date)
    # ALL_TEAMS, or the id (hex) of the one team the report is about.
    scope: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    written_by: Mapped[str] = mapped_column(String(200))
