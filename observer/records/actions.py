"""Looking back across observations: agreed actions and their state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from observer.errors import InvalidInput
from observer.governance.audit import record_event
from observer.store.db import Database
from observer.store.models import Action, Observation, Person, fetch, utc_now
from observer.vocabulary import ActionStatus


@dataclass(frozen=True)
class ActionSummary:
    id: uuid.UUID
    observation_id: uuid.UUID
    description: str
    worker: str
    owner: str
    due_date: date | None
    status: ActionStatus
    observed_at: datetime

    def is_overdue(self, today: date) -> bool:
        return (
            self.status is ActionStatus.OPEN and self.due_date is not None and self.due_date < today
        )


@dataclass(frozen=True)
class ActionCounts:
    total: int
    open: int
    overdue: int


class AgreedActions:
    def __init__(self, db: Database) -> None:
        self._db = db

    def complete_action(self, action_id: uuid.UUID, by: str) -> None:
        """Marks an action done, recording who and when. Allowed on signed records too:
        completing an agreed action is progress, not a change to what was signed."""
        who = " ".join(by.split())
        if not who:
            raise InvalidInput("Say who completed the action.")
        with self._db.session() as s, s.begin():
            action = self._action(s, action_id)
            action.status = ActionStatus.DONE.value
            action.done_at = utc_now()
            action.done_by = who[:200]
            self._progressed(s, action, who, "complete_action")

    def reopen_action(self, action_id: uuid.UUID, by: str) -> None:
        with self._db.session() as s, s.begin():
            action = self._action(s, action_id)
            action.status = ActionStatus.OPEN.value
            action.done_at = None
            action.done_by = ""
            self._progressed(s, action, by, "reopen_action")

    @staticmethod
    def _progressed(s: Session, action: Action, who: str, what: str) -> None:
        """Raises the observation's revision, so the progress travels with its record."""
        action.observation.updated_at = utc_now()
        record_event(s, actor=who, action=what, record_type="action", record_id=action.id)

    @staticmethod
    def _action(s: Session, action_id: uuid.UUID) -> Action:
        return fetch(s, Action, action_id, "action")

    def action_counts(self, today: date) -> ActionCounts:
        """How many actions there are, how many are open, and how many of those overdue."""
        is_open = Action.status == ActionStatus.OPEN.value
        overdue = and_(is_open, Action.due_date < today)
        statement = select(
            func.count(), func.count().filter(is_open), func.count().filter(overdue)
        ).select_from(Action)
        with self._db.session() as s:
            total, still_open, late = s.execute(statement).one()
        return ActionCounts(int(total), int(still_open), int(late))

    def actions(
        self,
        *,
        status: ActionStatus | None = None,
        person_id: uuid.UUID | None = None,
        limit: int | None = None,
    ) -> list[ActionSummary]:
        """Agreed actions, soonest due first, undated last; done ones latest due first.

        Dated and undated actions are read separately so that each read can follow the
        (status, due date) index instead of sorting every action in the store."""
        worker, owner = aliased(Person), aliased(Person)
        base = (
            select(
                Action.id,
                Action.observation_id,
                Action.description,
                worker.name,
                owner.name,
                Action.due_date,
                Action.status,
                Observation.observed_at,
            )
            .join(Observation, Observation.id == Action.observation_id)
            .join(worker, worker.id == Observation.observed_person_id)
            .outerjoin(owner, owner.id == Action.owner_id)
        )
        if status is not None:
            base = base.where(Action.status == status.value)
        if person_id is not None:
            base = base.where(Observation.observed_person_id == person_id)
        due = Action.due_date.desc() if status is ActionStatus.DONE else Action.due_date
        dated = base.where(Action.due_date.is_not(None)).order_by(due, Action.id)
        undated = base.where(Action.due_date.is_(None)).order_by(Observation.observed_at)
        with self._db.session() as s:
            rows = list(s.execute(dated.limit(limit)))
            if limit is None or len(rows) < limit:
                rest = None if limit is None else limit - len(rows)
                rows += s.execute(undated.limit(rest))
            return [
                ActionSummary(
                    id=row[0],
                    observation_id=row[1],
                    description=row[2],
                    worker=row[3],
                    owner=row[4] or "",
                    due_date=row[5],
                    status=ActionStatus(row[6]),
                    observed_at=row[7],
                )
                for row in rows
            ]
