"""What an observation waiting to be pushed refers to (its framework, the people it names,
their teams and those teams' managers) goes before it, unless the server has it already:
a new record on a joined laptop may use a framework or name a person the server has never
seen, and the server refuses a record whose references it lacks."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from observer.records.canonical import merged_ids
from observer.store.models import Observation, Person, Team
from observer.store.outbox import Touched, write_entries
from observer.store.sync_tables import PENDING, sync_outbox, sync_records
from observer.sync import state

AT_ONCE = 500


def queue_references(s: Session) -> None:
    waiting = list(
        s.scalars(
            select(sync_outbox.c.record_id).where(
                sync_outbox.c.record_type == "observation", sync_outbox.c.state == PENDING
            )
        )
    )
    if not waiting:
        return
    frameworks: set[uuid.UUID] = set()
    people: set[uuid.UUID] = set()
    for start in range(0, len(waiting), AT_ONCE):
        for o in s.scalars(
            select(Observation)
            .where(Observation.id.in_(waiting[start : start + AT_ONCE]))
            .options(selectinload(Observation.actions))
        ):
            frameworks.add(o.framework_id)
            people |= {o.observed_person_id, o.observer_id} | merged_ids(o)
            people |= {a.owner_id for a in o.actions if a.owner_id is not None}
    teams = {t for t in s.scalars(select(Person.team_id).where(Person.id.in_(people))) if t}
    people |= {m for m in s.scalars(select(Team.manager_id).where(Team.id.in_(teams))) if m}
    me = state.enrolment(s)
    if me is not None:
        people.discard(me.person_id)  # the user's own row is the server's
    wanted = {"framework": frameworks, "team": teams, "person": people}
    touched: Touched = {}
    for kind, ids in wanted.items():
        held = _on_server_or_queued(s, kind)
        for record_id in sorted(ids - held, key=str):
            touched[(kind, record_id)] = ["create"]
    if touched:
        write_entries(s.connection(), touched)


def _on_server_or_queued(s: Session, kind: str) -> set[uuid.UUID]:
    known = s.scalars(select(sync_records.c.record_id).where(sync_records.c.record_type == kind))
    queued = s.scalars(select(sync_outbox.c.record_id).where(sync_outbox.c.record_type == kind))
    return set(known) | set(queued)
