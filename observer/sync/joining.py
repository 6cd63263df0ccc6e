"""Joining a team server: redeeming the one-time code, keeping the token in the store,
naming the laptop's user with the server's id (the people merge), and putting the user's
observations, with what they refer to, in the outbox: a laptop joins with its history."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from observer.errors import ObserverError
from observer.governance.audit import record_event
from observer.people import scope
from observer.people.merging import DuplicatePeople
from observer.people.profile import Profiles
from observer.records.canonical import merged_ids
from observer.store.db import Database
from observer.store.models import Observation, Person, Team
from observer.store.outbox import JOINED_KEY, Touched, write_entries
from observer.sync import rejoining, state
from observer.sync.client import Client, ServerRefused, ServerUnreachable, SyncFailed, checked_url

JOINED = "sync_join"
SERVER_ROLE_WORDS = {
    "practice_lead": "practice lead",
    "team_manager": "team manager",
    "service": "service-wide reviewer",
}


class NotSetUp(ObserverError):
    pass


@dataclass(frozen=True)
class Joined:
    """What joining did: the server, this laptop's id there, whose laptop it is and their
    server role, and how many records went into the outbox."""

    server: str
    laptop_id: uuid.UUID
    person_name: str
    role: str
    teams: tuple[str, ...]
    queued: int
    # Joined again in place of this laptop id (observer/sync/rejoining.py), with this many
    # changes waiting to be sent.
    replaced: uuid.UUID | None = None
    waiting: int = 0

    @property
    def role_words(self) -> str:
        """The server role as people say it ("team manager")."""
        return SERVER_ROLE_WORDS.get(self.role, self.role.replace("_", " "))


def join(
    db: Database,
    profiles: Profiles,
    duplicates: DuplicatePeople,
    url: str,
    code: str,
    actor: Callable[[], str],
    laptop_name: str | None = None,
) -> Joined:
    server = checked_url(url)
    with db.session() as s:
        joined = state.enrolment(s)
        if joined is not None:
            rejoining.check_switch(s, joined, server)
    profile = profiles.current()
    if profile is None:
        raise NotSetUp("Say who uses this laptop first (observer setup), then join the server.")
    try:
        with Client(server) as client:
            client.check_protocol()
            answer = client.enrol(
                code,
                laptop_name or socket.gethostname()[:100] or "laptop",
                None if joined is None else rejoining.previous_of(joined),
            )
    except ServerRefused as refused:
        if joined is not None and refused.status == 400 and refused.error == "fields":
            raise SyncFailed(
                f"The team server at {server} is too old to take back a laptop that had "
                "joined before: ask IT to upgrade it; the changes waiting stay on this laptop."
            ) from None
        raise
    except ServerUnreachable:
        # The client's sentence speaks of changes sent next time: none wait before joining.
        raise ServerUnreachable(
            f"The team server at {server} could not be reached: check the address and the "
            "network, then try again; this laptop has not joined."
        ) from None
    try:
        person_id = uuid.UUID(str(answer["person"]["id"]))
        person_name = str(answer["person"]["name"])
        laptop_id = uuid.UUID(str(answer["laptop_id"]))
        token, role = str(answer["token"]), str(answer["role"])
        teams = tuple(str(t["name"]) for t in answer.get("teams") or [])
        team_ids = scope.team_ids(answer.get("teams") or [])
    except (KeyError, TypeError, ValueError):
        raise SyncFailed(
            "The team server's answer to joining was not one this app reads."
        ) from None
    if profile.person_id != person_id:
        with db.session() as s, s.begin():
            local = s.get(Person, profile.person_id)
            if s.get(Person, person_id) is None and local is not None:
                s.add(
                    Person(id=person_id, name=person_name, role=local.role, team_id=local.team_id)
                )
        duplicates.merge(person_id, profile.person_id)
    if joined is not None:
        return _rejoined(db, joined, server, answer, actor, person_name, teams)
    with db.session() as s, s.begin():
        state.put(
            s,
            **{state.SERVER: server, state.TOKEN: token, state.PERSON: str(person_id)},
            **{state.ROLE: role, state.TEAMS: team_ids or [], JOINED_KEY: str(laptop_id)},
        )
        queued = queue_history(s, person_id)
        record_event(
            s,
            actor=actor(),
            action=JOINED,
            record_type="laptop",
            record_id=laptop_id,
            detail=f"person {person_id}; records queued {queued}",
        )
    return Joined(server, laptop_id, person_name, role, teams, queued)


def _rejoined(
    db: Database,
    before: state.Enrolment,
    server: str,
    answer: dict[str, Any],
    actor: Callable[[], str],
    person_name: str,
    teams: tuple[str, ...],
) -> Joined:
    """The laptop joined again: its enrolment replaced, nothing of what waits lost."""
    rejoin = rejoining.read_answer(answer)
    laptop_id = uuid.UUID(str(answer["laptop_id"]))
    role = str(answer["role"])
    values = {
        state.SERVER: server,
        state.TOKEN: str(answer["token"]),
        # The server redeemed the code only for this laptop's person (after any merge of
        # them: the id it now gives).
        state.PERSON: str(answer["person"]["id"]),
        state.ROLE: role,
        state.TEAMS: scope.team_ids(answer.get("teams") or []) or [],
        JOINED_KEY: str(laptop_id),
    }
    with db.session() as s, s.begin():
        queued, waiting = rejoining.take(s, before, server, rejoin, values, queue_history, actor())
    return Joined(server, laptop_id, person_name, role, teams, queued, before.laptop_id, waiting)


def queue_history(s: Session, person_id: uuid.UUID) -> int:
    """Puts the person's observations in the outbox, with the frameworks, teams and people
    they refer to (frameworks, then teams, then people, then observations); the person's
    own row is the server's."""
    observations = list(
        s.scalars(
            select(Observation)
            .where(Observation.observer_id == person_id)
            .options(selectinload(Observation.actions))
            .order_by(Observation.observed_at)
        )
    )
    people: set[uuid.UUID] = {person_id}
    people |= set(s.scalars(select(Person.id).where(Person.merged_into_id == person_id)))
    for o in observations:
        people |= {o.observed_person_id, o.observer_id} | merged_ids(o)
        people |= {a.owner_id for a in o.actions if a.owner_id is not None}
    teams = {t for t in s.scalars(select(Person.team_id).where(Person.id.in_(people))) if t}
    managers = s.scalars(select(Team.manager_id).where(Team.id.in_(teams)))
    people |= {m for m in managers if m is not None}
    touched: Touched = {}
    for framework in sorted({o.framework_id for o in observations}, key=str):
        touched[("framework", framework)] = ["create"]
    for team in sorted(teams, key=str):
        touched[("team", team)] = ["create"]
    # The user's own row is the server's (joining named them with its id): not sent back.
    for person in sorted(people - {person_id}, key=str):
        touched[("person", person)] = ["create"]
    for o in observations:
        touched[("observation", o.id)] = ["create"]
    touched |= _quality_history(s, person_id)
    write_entries(s.connection(), touched)
    return len(touched)


def _quality_history(s: Session, person_id: uuid.UUID) -> Touched:
    """For a practice lead or service-wide role (who alone may add them on the server):
    the improvement plan's versions imported here (the shipped one is on every laptop; the
    server keeps each content once), the moderation
    samples and Board commentaries made here, and the person's own moderations, made under
    their id or one merged into it when they joined. Others' moderations stay: the server
    would take them from their moderator only."""
    from observer.service.themes import SHIPPED_SOURCE
    from observer.store.commentary import BoardCommentary
    from observer.store.moderation_tables import Moderation, ModerationSample
    from observer.store.plans import ImprovementPlanVersion

    if state.values(s).get(state.ROLE) not in ("practice_lead", "service"):
        return {}
    mine = {person_id} | set(s.scalars(select(Person.id).where(Person.merged_into_id == person_id)))
    touched: Touched = {}
    for kind, ids in (
        (
            "improvement_plan",
            select(ImprovementPlanVersion.id)
            .where(ImprovementPlanVersion.source != SHIPPED_SOURCE)
            .order_by(ImprovementPlanVersion.version),
        ),
        ("moderation_sample", select(ModerationSample.id).order_by(ModerationSample.drawn_at)),
        (
            "moderation",
            select(Moderation.id)
            .where(Moderation.moderator_id.in_(mine))
            .order_by(Moderation.signed_at),
        ),
        ("board_commentary", select(BoardCommentary.id)),
    ):
        for record_id in s.scalars(ids):
            touched[(kind, record_id)] = ["edit"]
    return touched
