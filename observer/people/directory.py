"""People and teams: who observes, who is observed, and the teams they work in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from observer.errors import InvalidInput, NotFound, StaleRecord
from observer.store.db import Database
from observer.store.models import Observation, Person, Team, fetch
from observer.text import has_control_characters, name_order, searchable
from observer.vocabulary import Role


@dataclass(frozen=True)
class TeamSummary:
    id: uuid.UUID
    name: str
    manager_id: uuid.UUID | None
    manager_name: str
    members: int
    revision: int


@dataclass(frozen=True)
class PersonSummary:
    id: uuid.UUID
    name: str
    role: Role
    team_id: uuid.UUID | None
    team_name: str
    staff_reference: str
    active: bool
    revision: int
    left_on: date | None = None
    asye_started_on: date | None = None


@dataclass(frozen=True)
class WorkerRow:
    """One line of the workers list: the person and a glance at their observations."""

    person: PersonSummary
    observations: int
    last_observed: datetime | None


@dataclass(frozen=True)
class PersonDetails:
    name: str
    role: Role
    team_id: uuid.UUID | None = None
    staff_reference: str = ""
    active: bool = True
    # The day they left; kept only while inactive (retention counts from it).
    left_on: date | None = None
    # The day their ASYE year began; kept only while their role is ASYE (observer/review/asye.py).
    asye_started_on: date | None = None


def clean_name(value: str, what: str = "A name") -> str:
    name = " ".join(value.split())
    if not name:
        raise InvalidInput(f"{what} cannot be empty.")
    if has_control_characters(name):
        raise InvalidInput(
            f"{what} cannot hold control characters (such as a terminal escape or a text "
            "direction override); type it again as plain text."
        )
    if len(name) > 200:
        raise InvalidInput(f"{what} is longer than 200 characters.")
    return name


def check_staff_reference(value: str) -> str:
    reference = value.strip()
    if len(reference) > 60:
        raise InvalidInput("A staff reference is at most 60 characters.")
    return reference


def _summary(person: Person) -> PersonSummary:
    return PersonSummary(
        id=person.id,
        name=person.name,
        role=Role(person.role),
        team_id=person.team_id,
        team_name=person.team.name if person.team else "",
        staff_reference=person.staff_reference or "",
        active=person.active,
        revision=person.revision,
        left_on=person.left_on,
        asye_started_on=person.asye_started_on,
    )


def _check_revision(current: int, expected: int | None, what: str) -> None:
    if expected is not None and current != expected:
        raise StaleRecord(f"{what} was changed elsewhere; reopen it to see the latest version.")


def _named(people: list[PersonSummary], most: int = 5) -> str:
    """ "Jo Bloggs (SW-1042), Jo Bloggs (id …) and 3 more": names, as the person typing sees
    on their own screen (never logged), each with what tells it apart."""
    shown = ", ".join(f"{p.name} ({p.staff_reference or f'id {p.id}'})" for p in people[:most])
    return shown if len(people) <= most else f"{shown} and {len(people) - most} more"


class People:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Teams

    def team_managed_by(self, person_id: uuid.UUID | None) -> uuid.UUID | None:
        """The one team this person manages (a team manager's team overview opens on it):
        the team that names them its manager, or, when none does, the team a team manager
        belongs to if it names no manager; None for a practice lead, or several teams."""
        if person_id is None:
            return None
        with self._db.session() as s:
            managed = list(s.scalars(select(Team.id).where(Team.manager_id == person_id)))
            if managed:
                return managed[0] if len(managed) == 1 else None
            person = s.get(Person, person_id)
            if person is None or person.role != Role.TEAM_MANAGER.value or person.team_id is None:
                return None
            team = s.get(Team, person.team_id)
            return team.id if team is not None and team.manager_id is None else None

    def list_teams(self) -> list[TeamSummary]:
        members = (
            select(Person.team_id, func.count().label("n"))
            .where(Person.active.is_(True))
            .group_by(Person.team_id)
            .subquery()
        )
        with self._db.session() as s:
            rows = s.execute(
                select(Team, func.coalesce(members.c.n, 0))
                .outerjoin(members, members.c.team_id == Team.id)
                .order_by(Team.name)
            ).all()
            teams = [
                TeamSummary(
                    id=team.id,
                    name=team.name,
                    manager_id=team.manager_id,
                    manager_name=team.manager.name if team.manager else "",
                    members=int(count),
                    revision=team.revision,
                )
                for team, count in rows
            ]
        return sorted(teams, key=lambda team: name_order(team.name))

    def team_names(self) -> list[tuple[str, uuid.UUID]]:
        """Every team's name and id, by name: what a choice of teams needs, quickly (the
        team overview asks each time it is read)."""
        with self._db.session() as s:
            found = [(row[1], row[0]) for row in s.execute(select(Team.id, Team.name))]
        return sorted(found, key=lambda team: name_order(team[0]))

    def add_team(self, name: str, manager_id: uuid.UUID | None = None) -> uuid.UUID:
        name = clean_name(name, "A team name")
        with self._db.session() as s, s.begin():
            self._check_team_name_free(s, name, None)
            if manager_id is not None:
                self._person(s, manager_id)
            team = Team(name=name, manager_id=manager_id)
            s.add(team)
            s.flush()
            return team.id

    def update_team(
        self,
        team_id: uuid.UUID,
        name: str,
        manager_id: uuid.UUID | None,
        expected_revision: int | None = None,
    ) -> None:
        name = clean_name(name, "A team name")
        with self._db.session() as s, s.begin():
            team = s.get(Team, team_id)
            if team is None:
                raise NotFound("That team no longer exists.")
            _check_revision(team.revision, expected_revision, f"The team {team.name!r}")
            self._check_team_name_free(s, name, team_id)
            if manager_id is not None:
                self._person(s, manager_id)
            team.name = name
            team.manager_id = manager_id

    @staticmethod
    def _check_team_name_free(s: Session, name: str, team_id: uuid.UUID | None) -> None:
        wanted = name.casefold()
        # In Python: SQLite's lower() leaves letters outside ASCII as they are.
        clash = next(
            (t for t, n in s.execute(select(Team.id, Team.name)) if n.casefold() == wanted), None
        )
        if clash is not None and clash != team_id:
            raise InvalidInput(f"There is already a team called {name!r}.")

    def team_named(self, name: str) -> TeamSummary:
        """The team called `name` (ignoring case); InvalidInput if there is none."""
        wanted = name.casefold()
        for team in self.list_teams():
            if team.name.casefold() == wanted:
                return team
        raise InvalidInput(f"There is no team called {name!r}.")

    # People

    def list_people(self, *, active_only: bool = False) -> list[PersonSummary]:
        query = (
            select(Person)
            .options(selectinload(Person.team))
            .where(Person.merged_into_id.is_(None))
            .order_by(Person.name)
        )
        if active_only:
            query = query.where(Person.active.is_(True))
        with self._db.session() as s:
            people = [_summary(p) for p in s.scalars(query)]
        return sorted(people, key=lambda person: name_order(person.name))

    def names(self) -> list[tuple[uuid.UUID, str]]:
        """Everyone still working here, by name: what a picker of people needs, quickly."""
        query = (
            select(Person.id, Person.name)
            .where(Person.active.is_(True), Person.merged_into_id.is_(None))
            .order_by(Person.name)
        )
        with self._db.session() as s:
            found = [(row[0], row[1]) for row in s.execute(query)]
        return sorted(found, key=lambda found: name_order(found[1]))

    def list_workers(self) -> list[WorkerRow]:
        """Everyone, with how often and how recently they were observed."""
        stats = (
            select(
                Observation.observed_person_id.label("pid"),
                func.count().label("n"),
                func.max(Observation.observed_at).label("last"),
            )
            .group_by(Observation.observed_person_id)
            .subquery()
        )
        # Columns rather than Person objects: the list is long, and read-only.
        query = (
            select(
                Person.id,
                Person.name,
                Person.role,
                Person.team_id,
                Team.name,
                Person.staff_reference,
                Person.active,
                Person.revision,
                Person.left_on,
                Person.asye_started_on,
                func.coalesce(stats.c.n, 0),
                stats.c.last,
            )
            .outerjoin(Team, Team.id == Person.team_id)
            .outerjoin(stats, stats.c.pid == Person.id)
            .where(Person.merged_into_id.is_(None))
            .order_by(Person.name)
        )
        with self._db.session() as s:
            rows = sorted(s.execute(query).all(), key=lambda row: name_order(row[1]))
        return [
            WorkerRow(
                PersonSummary(
                    id=pid,
                    name=name,
                    role=Role(role),
                    team_id=team_id,
                    team_name=team_name or "",
                    staff_reference=reference or "",
                    active=active,
                    revision=revision,
                    left_on=left_on,
                    asye_started_on=asye_started_on,
                ),
                int(count),
                last,
            )
            for (
                pid,
                name,
                role,
                team_id,
                team_name,
                reference,
                active,
                revision,
                left_on,
                asye_started_on,
                count,
                last,
            ) in rows
        ]

    def get_person(self, person_id: uuid.UUID) -> PersonSummary:
        with self._db.session() as s:
            return _summary(self._person(s, person_id))

    def find_by_name(self, name: str) -> list[PersonSummary]:
        """People whose name matches, ignoring case, accents and extra spaces."""
        wanted = searchable(name)
        return [p for p in self.list_people() if searchable(p.name) == wanted]

    def resolve_worker(self, text: str) -> PersonSummary:
        """The one person `text` names, the way every command names a worker: their id,
        full name, staff reference, or a part of their name no one else's has (case and
        accents folded; words in any order, as the app's filters take them). InvalidInput,
        in one sentence, when no one answers, or several (named, to choose from)."""
        wanted = text.strip()
        try:
            person_id = uuid.UUID(wanted)
        except ValueError:
            pass
        else:
            return self.get_person(person_id)
        folded = searchable(wanted)
        if not folded:
            raise InvalidInput("Name a worker: their name, staff reference or id.")
        people = self.list_people()
        ways: tuple[tuple[str, Callable[[PersonSummary], bool]], ...] = (
            ("are called", lambda p: searchable(p.name) == folded),
            ("have the staff reference", lambda p: searchable(p.staff_reference) == folded),
            ("have names containing", lambda p: folded in searchable(p.name)),
            (
                "have names containing each of",
                lambda p: all(word in searchable(p.name) for word in folded.split()),
            ),
        )
        for how, matches in ways:
            named = [p for p in people if matches(p)]
            if len(named) > 1:
                raise InvalidInput(
                    f"{len(named)} people {how} {text!r}: {_named(named)}; give more of the "
                    "name, or one's staff reference or id."
                )
            if named:
                break
        else:
            raise InvalidInput(f"No one called {text!r} is in this store.")
        return named[0]

    def add_person(self, details: PersonDetails) -> uuid.UUID:
        with self._db.session() as s, s.begin():
            person = Person()
            self._apply(s, person, details)
            s.add(person)
            s.flush()
            return person.id

    def update_person(
        self, person_id: uuid.UUID, details: PersonDetails, expected_revision: int | None = None
    ) -> None:
        with self._db.session() as s, s.begin():
            person = self._person(s, person_id)
            _check_revision(person.revision, expected_revision, "This person's record")
            self._apply(s, person, details)

    @staticmethod
    def _person(s: Session, person_id: uuid.UUID) -> Person:
        return fetch(s, Person, person_id, "person")

    @staticmethod
    def _apply(s: Session, person: Person, details: PersonDetails) -> None:
        try:
            role = Role(details.role)
        except ValueError:
            raise InvalidInput(f"{details.role!r} is not a known role.") from None
        if details.team_id is not None and s.get(Team, details.team_id) is None:
            raise InvalidInput("That team no longer exists.")
        reference = check_staff_reference(details.staff_reference)
        person.name = clean_name(details.name)
        person.role = role.value
        person.team_id = details.team_id
        person.staff_reference = reference or None
        person.active = details.active
        person.left_on = None if details.active else details.left_on
        person.asye_started_on = details.asye_started_on if role is Role.ASYE else None
