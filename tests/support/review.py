"""Seeding observations as a manager's review sees them: dated, rated, finished or not."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from sqlalchemy import event, select, update

from observer.people.directory import PersonDetails
from observer.records.frameworks import store_framework, stored_definition
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.store.db import Database
from observer.store.models import Framework, Person
from observer.vocabulary import Kind, Role, Status
from tests.support.core import Staff, force_status

# A rating: a level code, or a level code and the evidence for it.
Rated = str | tuple[str, str]


def noon(day: date) -> datetime:
    """Midday UTC: the same calendar day on any laptop clock from UTC-11 to UTC+11."""
    return datetime.combine(day, time(12), tzinfo=UTC)


@dataclass(frozen=True)
class Recorder:
    services: Services
    staff: Staff

    def observation(
        self,
        day: date,
        ratings: Mapping[str, Rated] | None = None,
        *,
        person: uuid.UUID | None = None,
        kind: Kind = Kind.HOME_VISIT,
        overall: str | None = None,
        status: Status = Status.READY,
        framework_id: uuid.UUID | None = None,
        observer: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """An observation of `person` (the social worker unless told) by the practice lead."""
        recording = self.services.recording
        observation = recording.create_draft(
            DraftDetails(
                observed_person_id=person or self.staff.worker,
                observer_id=observer or self.staff.lead,
                kind=kind,
                observed_at=noon(day),
                framework_id=framework_id,
            )
        )
        for code, rated in (ratings or {}).items():
            level, evidence = (rated, "") if isinstance(rated, str) else rated
            recording.set_rating(observation, code, level_code=level, evidence=evidence)
        if overall is not None:
            recording.update(observation, {"overall_level": overall})
        if status is not Status.DRAFT:
            force_status(self.services.db, observation, status)
        return observation

    def action(
        self, observation: uuid.UUID, description: str, due: date | None = None
    ) -> uuid.UUID:
        status = self.services.recording.get(observation).status
        if status is not Status.DRAFT:
            force_status(self.services.db, observation, Status.DRAFT)
        action = self.services.recording.add_action(observation, description, None, due)
        if status is not Status.DRAFT:
            force_status(self.services.db, observation, status)
        return action


def framework_id(services: Services, key: str, version: int = 1) -> uuid.UUID:
    with services.db.session() as s:
        return s.scalars(
            select(Framework.id).where(Framework.key == key, Framework.version == version)
        ).one()


def second_version(services: Services, key: str = "direct-work-practice") -> uuid.UUID:
    """Version 2 of a framework: the same standard codes, a new version."""
    with services.db.session() as s, s.begin():
        first = s.get_one(Framework, framework_id(services, key))
        revised = replace(stored_definition(first), version=2, name=f"{first.name} (revised)")
        stored, _ = store_framework(s, revised)
        return stored.id


def start_asye(services: Services, person: uuid.UUID, started: date | None) -> None:
    current = services.people.get_person(person)
    services.people.update_person(
        person,
        PersonDetails(
            current.name, Role.ASYE, current.team_id, current.staff_reference, True, None, started
        ),
    )


def added_on(db: Database, person: uuid.UUID, day: date) -> None:
    """Backdates when a person was added to the store."""
    with db.session() as s, s.begin():
        s.execute(update(Person).where(Person.id == person).values(created_at=noon(day)))


@contextmanager
def counted_statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
