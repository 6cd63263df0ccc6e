"""Coverage: the share of each team's workers observed in the period, and who is overdue.

Who counts as a worker, what counts as observed and when someone is **overdue** are the
team overview's rules (observer/review/team_overview.py): everyone still working here whose
practice is observed, and any practice lead observed at least once; observed means any
observation, a draft included (the practice was observed); overdue means not observed
(any kind) for longer than the interval setting, counted from the day they were added
when never observed. In the period, only the kinds and framework version chosen count.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from observer.review.asye import add_months
from observer.review.team_overview import OBSERVED_ROLES, ROLES
from observer.service.period import ServiceFilter
from observer.service.standards import observations_in
from observer.store.ids import id_key, raw_id
from observer.store.models import Observation, Person, Team, raw_moment, stored_local_day
from observer.text import name_order

NO_TEAM = "No team"


@dataclass(frozen=True)
class OverdueWorker:
    person_id: uuid.UUID
    name: str
    due_by: date


@dataclass(frozen=True)
class TeamCoverage:
    team_id: uuid.UUID | None  # None: workers in no team
    team_name: str
    workers: int
    observed: int  # of them, observed in the period
    overdue: tuple[OverdueWorker, ...]  # the longest overdue first

    @property
    def share(self) -> float | None:
        return self.observed / self.workers if self.workers else None


def coverage(
    s: Session, query: ServiceFilter, today: date, interval_months: int
) -> tuple[TeamCoverage, ...]:
    """Per team (by name, "No team" last), for the team chosen or every team."""
    seen = aliased(Observation)
    last = (
        select(func.max(seen.observed_at))
        .where(seen.observed_person_id == Person.id)
        .correlate(Person)
        .scalar_subquery()
    )
    in_period = (
        select(func.count())
        .select_from(Observation)
        .where(
            Observation.observed_person_id == Person.id,
            observations_in(query, query.period.first, query.period.last, finished=False),
        )
        .correlate(Person)
        .scalar_subquery()
    )
    statement = select(
        Person.id,
        Person.name,
        Person.role,
        raw_id(Person.team_id),
        raw_moment(Person.created_at),
        raw_moment(last),
        in_period,
    ).where(Person.active.is_(True))
    if query.team_id is not None:
        statement = statement.where(Person.team_id == query.team_id)
    teams = {id_key(tid): (tid, name) for tid, name in s.execute(select(Team.id, Team.name))}
    workers: dict[str | None, list[tuple[int, OverdueWorker | None]]] = defaultdict(list)
    for pid, name, role, team, created_at, last_at, observed in s.connection().execute(statement):
        if ROLES[role] not in OBSERVED_ROLES and last_at is None:
            continue
        since = stored_local_day(last_at if last_at is not None else created_at)
        due_by = add_months(since, interval_months)
        late = OverdueWorker(pid, name, due_by) if today > due_by else None
        workers[id_key(team) if team is not None else None].append((observed or 0, late))
    found = []
    for key, rows in workers.items():
        team_id, team_name = teams.get(key, (None, NO_TEAM)) if key is not None else (None, NO_TEAM)
        overdue = sorted(
            (late for _, late in rows if late is not None),
            key=lambda w: (w.due_by, name_order(w.name)),
        )
        found.append(
            TeamCoverage(
                team_id=team_id,
                team_name=team_name,
                workers=len(rows),
                observed=sum(1 for observed, _ in rows if observed),
                overdue=tuple(overdue),
            )
        )
    found.sort(key=lambda t: (t.team_id is None, name_order(t.team_name)))
    return tuple(found)
