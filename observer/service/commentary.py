"""The QA lead's commentary for the Board report, for one period and scope (`services.
commentary`): written in the Service section, printed on its own page of the report.

One commentary per period and scope (every team, or one team). Saving names the revision
it was written against, so a save made against a stale copy (another window saved since)
is refused instead of overwriting someone's words. Each save is audited without its text.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.errors import InvalidInput, StaleRecord
from observer.governance.audit import record_event
from observer.review.team_overview import Period
from observer.store.commentary import ALL_TEAMS, BoardCommentary
from observer.store.db import Database

MAX_CHARACTERS = 20_000


@dataclass(frozen=True)
class Commentary:
    text: str
    revision: int  # 0: none written yet
    written_by: str = ""
    updated_at: datetime | None = None


def scope_of(team_id: uuid.UUID | None) -> str:
    return ALL_TEAMS if team_id is None else team_id.hex


class Commentaries:
    def __init__(self, db: Database) -> None:
        self._db = db

    def read(self, period: Period, team_id: uuid.UUID | None = None) -> Commentary:
        with self._db.session() as s:
            row = _row(s, period, team_id)
            if row is None:
                return Commentary("", 0)
            return Commentary(row.text, row.revision, row.written_by, row.updated_at)

    def save(
        self,
        period: Period,
        team_id: uuid.UUID | None,
        text: str,
        *,
        based_on: int,
        actor: str,
    ) -> Commentary:
        """Saves `text` as the commentary, written against revision `based_on` (0: none)."""
        if len(text) > MAX_CHARACTERS:
            raise InvalidInput(
                f"The commentary is longer than {MAX_CHARACTERS:,} characters; shorten it to "
                "fit the Board report's page."
            )
        with self._db.session() as s, s.begin():
            row = _row(s, period, team_id)
            held = 0 if row is None else row.revision
            if held != based_on:
                raise StaleRecord(
                    "The commentary was changed elsewhere since you opened it; your text is "
                    "still in the box: copy it, reopen the period, and add it again."
                )
            if row is None:
                row = BoardCommentary(
                    period_first=period.first,
                    period_last=period.last,
                    scope=scope_of(team_id),
                    text=text,
                    written_by=actor,
                )
                s.add(row)
            elif row.text == text:
                return Commentary(row.text, row.revision, row.written_by, row.updated_at)
            else:
                row.text = text
                row.written_by = actor
            s.flush()
            record_event(
                s,
                actor=actor,
                action="write_commentary",
                record_type="board_commentary",
                record_id=row.id,
                detail=(
                    f"for {period.first.isoformat()} to {period.last.isoformat()}, "
                    f"{'every team' if team_id is None else 'one team'}; "
                    f"{len(text):,} characters"
                ),
            )
            return Commentary(row.text, row.revision, row.written_by, row.updated_at)


def _row(s: Session, period: Period, team_id: uuid.UUID | None) -> BoardCommentary | None:
    return s.scalars(
        select(BoardCommentary).where(
            BoardCommentary.period_first == period.first,
            BoardCommentary.period_last == period.last,
            BoardCommentary.scope == scope_of(team_id),
        )
    ).one_or_none()
