"""Who uses this laptop: the observer for new records and the organisation on summaries.

Two kinds of change, kept apart on purpose:

- a *correction* (`correct`): the same person, whose name was misspelt or whose role or
  organisation changed. Their person record changes everywhere it is shown today (records
  signed earlier keep the names they were signed with), and the audit trail says so.
- a *change of person* (`use_person`, `add_person`): someone else uses this laptop now.
  Another person record is chosen or made; nobody's history is renamed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from observer.errors import InvalidInput, NotFound
from observer.governance.audit import record_event
from observer.people.directory import clean_name
from observer.store.db import Database
from observer.store.models import Person
from observer.store.settings import PROFILE_KEY, store_value, stored_value
from observer.text import searchable
from observer.vocabulary import Role

__all__ = ["PROFILE_KEY", "LocalProfile", "PersonExists", "Profiles"]

CORRECTED = "profile_correct"
CHANGED_PERSON = "profile_person"


@dataclass(frozen=True)
class LocalProfile:
    person_id: uuid.UUID
    name: str
    role: Role
    organisation: str


@dataclass(frozen=True)
class Candidate:
    """A person already in the store who may be the one setting up this laptop."""

    person_id: uuid.UUID
    name: str
    role: Role
    team: str
    observations: int = 0  # they observed, or were observed in


class PersonExists(InvalidInput):
    """Someone of that name and role is already in the store: are they the same person?"""

    def __init__(self, message: str, candidates: list[Candidate]) -> None:
        super().__init__(message)
        self.candidates = candidates


def clean_organisation(value: str) -> str:
    organisation = " ".join(value.split())
    if not organisation:
        raise InvalidInput("The organisation's name cannot be empty.")
    if len(organisation) > 200:
        raise InvalidInput("The organisation's name is longer than 200 characters.")
    return organisation


def current_profile_in(s: Session) -> LocalProfile | None:
    """This laptop's user as the caller's session reads them, None if nobody is set up."""
    stored = stored_value(s, PROFILE_KEY)
    if stored is None:
        return None
    person = s.get(Person, uuid.UUID(stored["person_id"]))
    if person is None:
        return None
    return LocalProfile(person.id, person.name, Role(person.role), stored["organisation"])


class Profiles:
    def __init__(
        self,
        db: Database,
        *,
        person_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = db
        # Told when the laptop's user is another person or their name is corrected, after
        # the commit: the signing identity names the person it was made for.
        self._person_changed = person_changed

    def current(self) -> LocalProfile | None:
        with self._db.session() as s:
            return current_profile_in(s)

    def candidates(self, name: str = "", role: Role | None = None) -> list[Candidate]:
        """People who could be this laptop's user: everyone not merged into someone else,
        or, given a name (and a role), those it names, ignoring case, accents and spaces."""
        from observer.store.models import Observation, Team

        wanted = searchable(" ".join(name.split()))
        with self._db.session() as s:
            rows = s.execute(
                select(Person.id, Person.name, Person.role, Team.name)
                .outerjoin(Team, Team.id == Person.team_id)
                .where(Person.merged_into_id.is_(None), Person.active.is_(True))
                .order_by(Person.name)
            ).all()
            found = [
                Candidate(pid, pname, Role(prole), team or "")
                for pid, pname, prole, team in rows
                if (not wanted or searchable(pname) == wanted)
                and (role is None or Role(prole) is role)
            ]
            if not wanted:
                return found
            counts = {
                c.person_id: s.scalar(
                    select(func.count()).where(
                        or_(
                            Observation.observed_person_id == c.person_id,
                            Observation.observer_id == c.person_id,
                        )
                    )
                )
                or 0
                for c in found
            }
        return [
            Candidate(c.person_id, c.name, c.role, c.team, int(counts[c.person_id])) for c in found
        ]

    def set_up(
        self,
        name: str,
        role: Role,
        organisation: str,
        *,
        person_id: uuid.UUID | None = None,
        new_person: bool = False,
    ) -> LocalProfile:
        """Records who uses this laptop. Never renames anyone: `person_id` names someone
        already in the store; otherwise a person of that name and role already here is
        used (when there is exactly one, or PersonExists asks which) unless `new_person`,
        and anyone else is added."""
        organisation = clean_organisation(organisation)
        if person_id is not None:
            return self.use_person(person_id, organisation)
        name = clean_name(name, "Your name")
        if not new_person:
            same = self.candidates(name, role)
            current = self.current()
            if current is not None and any(c.person_id == current.person_id for c in same):
                return self.use_person(current.person_id, organisation)
            if len(same) == 1:
                return self.use_person(same[0].person_id, organisation)
            if same:
                raise PersonExists(
                    f"{len(same)} people called {name!r} ({role.label}) are in this store; "
                    "choose which one you are.",
                    same,
                )
        return self.add_person(name, role, organisation)

    def add_person(self, name: str, role: Role, organisation: str) -> LocalProfile:
        """Someone not yet in the store uses this laptop: a new person record."""
        name = clean_name(name, "Your name")
        organisation = clean_organisation(organisation)
        with self._db.session() as s, s.begin():
            person = Person(name=name, role=role.value, active=True)
            s.add(person)
            s.flush()
            profile, other = self._make_current(s, person, organisation)
        if other:
            self._person_changed()
        return profile

    def use_person(self, person_id: uuid.UUID, organisation: str) -> LocalProfile:
        """Someone already in the store uses this laptop (from now on)."""
        organisation = clean_organisation(organisation)
        with self._db.session() as s, s.begin():
            person = s.get(Person, person_id)
            if person is None:
                raise NotFound("That person is no longer in this store.")
            if person.merged_into_id is not None:
                person = s.get(Person, person.merged_into_id) or person
            profile, other = self._make_current(s, person, organisation)
        if other:
            self._person_changed()
        return profile

    def correct(
        self, *, name: str | None = None, role: Role | None = None, organisation: str | None = None
    ) -> LocalProfile:
        """Corrects this laptop's user's details: the same person, their name spelt right,
        a new role, another organisation. Records signed earlier keep their names."""
        with self._db.session() as s, s.begin():
            stored = stored_value(s, PROFILE_KEY)
            person = None if stored is None else s.get(Person, uuid.UUID(stored["person_id"]))
            if stored is None or person is None:
                raise InvalidInput("No one is set up as this laptop's user yet.")
            changed = []
            renamed = False
            if name is not None:
                cleaned = clean_name(name, "Your name")
                if cleaned != person.name:
                    person.name, renamed = cleaned, True
                    changed.append("name")
            if role is not None and role.value != person.role:
                person.role = role.value
                changed.append("role")
            kept = stored["organisation"]
            if organisation is not None:
                cleaned_org = clean_organisation(organisation)
                if cleaned_org != kept:
                    kept = cleaned_org
                    changed.append("organisation")
                    store_value(s, PROFILE_KEY, {"person_id": str(person.id), "organisation": kept})
            profile = LocalProfile(person.id, person.name, Role(person.role), kept)
            if changed:
                record_event(
                    s,
                    actor=person.name,
                    action=CORRECTED,
                    record_type="person",
                    record_id=person.id,
                    detail="corrected: " + ", ".join(changed),
                )
        if renamed:
            self._person_changed()
        return profile

    @staticmethod
    def _make_current(s: Session, person: Person, organisation: str) -> tuple[LocalProfile, bool]:
        """The profile now, and whether it names another person than before."""
        stored = stored_value(s, PROFILE_KEY)
        before = None if stored is None else stored.get("person_id")
        store_value(s, PROFILE_KEY, {"person_id": str(person.id), "organisation": organisation})
        profile = LocalProfile(person.id, person.name, Role(person.role), organisation)
        # The first user is the store's start, not a change; each change after it is audited.
        if before is not None and before != str(person.id):
            record_event(
                s,
                actor=person.name,
                action=CHANGED_PERSON,
                record_type="person",
                record_id=person.id,
                detail=f"instead of {before}",
            )
        return profile, before is not None and before != str(person.id)
