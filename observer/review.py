"""Looking back across observations: agreed actions and their state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from observer.db import Database
from observer.errors import InvalidInput
from observer.models import Action, Observation, Person, fetch, utc_now
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


class Review:
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

    def reopen_action(self, action_id: uuid.UUID) -> None:
        with self._db.session() as s, s.begin():
            action = self._action(s, action_id)
            action.status = ActionStatus.OPEN.value
            action.done_at = None
            action.done_by = ""

    @staticmethod
    def _action(s: Session, action_id: uuid.UUID) -> Action:
        return fetch(s, Action, action_id, "action")

    def actions(
        self, *, open_only: bool = False, person_id: uuid.UUID | None = None
    ) -> list[ActionSummary]:
        """Agreed actions, soonest due first; those with no due date last."""
        worker, owner = aliased(Person), aliased(Person)
        statement = (
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
            .order_by(Action.due_date.is_(None), Action.due_date, Observation.observed_at)
        )
        if open_only:
            statement = statement.where(Action.status == ActionStatus.OPEN.value)
        if person_id is not None:
            statement = statement.where(Observation.observed_person_id == person_id)
        with self._db.session() as s:
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
                for row in s.execute(statement)
            ]
