"""A laptop's team that the team server holds under the same name with another id (each
practice lead ran first-run setup and typed the team's name, or IT seeded the server from
another laptop's bundle) becomes the server's team: teams are mastered on the server.

Names are compared as people compare them: case and spacing do not matter. Only a team
the server never had is adopted (a team of this laptop's that the server holds is the
server's own). In the pull's transaction: the local team is set aside under a placeholder
name while the page writes the server's team, then everything here that names the local
team (people's team) names the server's, the local team goes, its waiting change goes
with it, changes the server refused because of it are sent again, and an audit event
records it (ids only). A signed record names no team (docs/canonical-content.md), so none
changes. People are never matched by name: two colleagues may share one; the
administrator merges a person added twice (`observer-server merge-people`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from observer.governance.audit import record_event
from observer.store.models import Observation, Person, Team, table_of
from observer.store.sync_tables import PENDING, REFUSED, sync_outbox, sync_records
from observer.text import name_key

ADOPTED = "team_adopted"


@dataclass(frozen=True)
class Adoption:
    local: uuid.UUID
    server: uuid.UUID


def new_team_waiting(s: Session) -> bool:
    """Whether the outbox holds a team the server has never had (it may hold one of the
    same name, which this laptop should take before pushing what refers to it)."""
    known = select(sync_records.c.record_id).where(sync_records.c.record_type == "team")
    found = s.scalar(
        select(sync_outbox.c.change_id).where(
            sync_outbox.c.record_type == "team", sync_outbox.c.record_id.not_in(known)
        )
    )
    return found is not None


def set_aside(s: Session, server_teams: Iterable[dict[str, Any]]) -> list[Adoption]:
    """Before a page is written: each local team the server holds under another id is
    renamed out of the way (its name would clash with the server's team's)."""
    incoming = {uuid.UUID(str(t["id"])): str(t["name"]) for t in server_teams}
    if not incoming:
        return []
    on_server = set(
        s.scalars(select(sync_records.c.record_id).where(sync_records.c.record_type == "team"))
    )
    local = {
        name_key(name): team_id
        for team_id, name in s.execute(select(Team.id, Team.name))
        if team_id not in on_server and team_id not in incoming
    }
    adoptions = []
    table = table_of(Team)
    for server_id, name in incoming.items():
        local_id = local.pop(name_key(name), None)
        if local_id is None:
            continue
        s.execute(update(table).where(table.c.id == local_id).values(name=f"~{local_id}"))
        adoptions.append(Adoption(local_id, server_id))
    return adoptions


def adopt(s: Session, adoptions: list[Adoption], actor: str) -> None:
    """After the page wrote the server's teams: what named each local team names the
    server's, and the local team goes (audited)."""
    people, teams = table_of(Person), table_of(Team)
    for adoption in adoptions:
        moved = list(s.scalars(select(Person.id).where(Person.team_id == adoption.local)))
        s.execute(
            update(people).where(people.c.team_id == adoption.local).values(team_id=adoption.server)
        )
        s.execute(delete(teams).where(teams.c.id == adoption.local))
        s.execute(
            delete(sync_outbox).where(
                sync_outbox.c.record_type == "team", sync_outbox.c.record_id == adoption.local
            )
        )
        again = _send_again(s, moved)
        record_event(
            s,
            actor=actor,
            action=ADOPTED,
            record_type="team",
            record_id=adoption.local,
            detail=f"became the team server's team {adoption.server}; people moved "
            f"{len(moved)}; refused changes sent again {again}",
        )


def _send_again(s: Session, people: list[uuid.UUID]) -> int:
    """The server refused these people (it held no team of theirs) and the records they
    were observed in (it held no such person): with the server's team, they go again, as
    new changes (the server answers a change id once)."""
    if not people:
        return 0
    observations = select(Observation.id).where(Observation.observed_person_id.in_(people))
    refused = s.execute(
        select(sync_outbox.c.change_id, sync_outbox.c.record_type, sync_outbox.c.record_id).where(
            sync_outbox.c.state == REFUSED,
            (
                (sync_outbox.c.record_type == "person") & sync_outbox.c.record_id.in_(people)
                | (sync_outbox.c.record_type == "observation")
                & sync_outbox.c.record_id.in_(observations)
            ),
        )
    ).all()
    for entry in refused:
        waiting = s.scalar(
            select(sync_outbox.c.change_id).where(
                sync_outbox.c.record_type == entry.record_type,
                sync_outbox.c.record_id == entry.record_id,
                sync_outbox.c.state == PENDING,
            )
        )
        if waiting is not None:  # a later change of it waits already, and sends it whole
            s.execute(delete(sync_outbox).where(sync_outbox.c.change_id == entry.change_id))
            continue
        s.execute(
            update(sync_outbox)
            .where(sync_outbox.c.change_id == entry.change_id)
            .values(change_id=uuid.uuid4(), state=PENDING, payload=None, message="")
        )
    return len(refused)
