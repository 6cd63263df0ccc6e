"""Who uses this laptop: the observer for new records and the organisation on summaries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from observer.errors import InvalidInput
from observer.people.directory import clean_name
from observer.store.db import Database
from observer.store.models import Person
from observer.store.settings import store_value, stored_value
from observer.vocabulary import Role

PROFILE_KEY = "local_profile"


@dataclass(frozen=True)
class LocalProfile:
    person_id: uuid.UUID
    name: str
    role: Role
    organisation: str


class Profiles:
    def __init__(self, db: Database) -> None:
        self._db = db

    def current(self) -> LocalProfile | None:
        with self._db.session() as s:
            stored = stored_value(s, PROFILE_KEY)
            if stored is None:
                return None
            person = s.get(Person, uuid.UUID(stored["person_id"]))
            if person is None:
                return None
            return LocalProfile(person.id, person.name, Role(person.role), stored["organisation"])

    def set_up(self, name: str, role: Role, organisation: str) -> LocalProfile:
        """Records who uses this laptop, reusing their person record when it already exists."""
        name = clean_name(name, "Your name")
        organisation = " ".join(organisation.split())
        if not organisation:
            raise InvalidInput("The organisation's name cannot be empty.")
        if len(organisation) > 200:
            raise InvalidInput("The organisation's name is longer than 200 characters.")
        with self._db.session() as s, s.begin():
            stored = stored_value(s, PROFILE_KEY)
            person = None
            if stored is not None:
                person = s.get(Person, uuid.UUID(stored["person_id"]))
            if person is None:
                person = Person(name=name, role=role.value, active=True)
                s.add(person)
            person.name = name
            person.role = role.value
            s.flush()
            value = {"person_id": str(person.id), "organisation": organisation}
            store_value(s, PROFILE_KEY, value)
            return LocalProfile(person.id, name, role, organisation)
