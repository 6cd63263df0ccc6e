"""Who may countersign a record on this laptop: the manager of the observed worker's team.

A countersignature is management oversight of a signed record, so it is offered to the
laptop's user only when the store names them the manager of the team the worker is in now
(the team's manager; or, for a team with no manager named, a team manager who belongs to
it). A practice lead is never offered it, nor is the record's own observer: countering
one's own judgement is no oversight.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from observer.store.models import Observation, Person
from observer.vocabulary import Role


def manages_the_workers_team(
    s: Session, observation: Observation, person_id: uuid.UUID | None
) -> bool:
    if person_id is None or person_id == observation.observer_id:
        return False
    person = s.get(Person, person_id)
    team = observation.observed_person.team
    if person is None or not person.active or team is None:
        return False
    if team.manager_id is not None:
        return team.manager_id == person.id
    return person.role == Role.TEAM_MANAGER.value and person.team_id == team.id
