"""The team overview: every worker at a glance, and who is overdue for an observation.

Who is listed: everyone still working here whose practice is observed — social workers,
newly qualified workers, senior practitioners, family support workers and team managers
(observed in the supervision they give) — and any practice lead who has been observed at
least once. Practice leads are the observers; listing every one of them as overdue for an
observation would bury the workers who are.

**Overdue for an observation**: nobody has observed the worker (any kind, any status — a
draft still means the practice was observed) for longer than the interval, a setting of
whole months (observer/review/settings.py, default three). The next observation is due
by the last one's date plus the interval, and is overdue from the day after. Someone never
observed is due by the day they were added to the store plus the interval, so a new
starter is not overdue on their first day.

The **latest overall judgement** is that of the latest observation whose record is
finished (ready for sign-off or signed) and gives one.

Whatever the number of workers, the overview is one statement over people, observations
and actions (two grouped parts, one looking into an index once per person), answered from
the indexes of migration 0006 alone, and three small look-ups: settings, levels and teams.
"""

from __future__ import annotations

import functools
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import QueryableAttribute, aliased
from sqlalchemy.sql.selectable import ScalarSelect

from observer.changes import Changed, ChangeFeed, Topic
from observer.errors import InvalidInput
from observer.review.asye import FINISHED_STATUSES, add_months
from observer.review.settings import check_interval_months, observation_interval_months
from observer.store.db import Database
from observer.store.filters import day_after, day_start
from observer.store.ids import id_key, raw_id
from observer.store.models import (
    Action,
    Observation,
    Person,
    RatingLevel,
    Team,
    raw_moment,
    stored_local_day,
)
from observer.text import name_order
from observer.vocabulary import ActionStatus, Role

OBSERVED_ROLES: tuple[Role, ...] = (
    Role.SOCIAL_WORKER,
    Role.ASYE,
    Role.SENIOR_PRACTITIONER,
    Role.FAMILY_SUPPORT_WORKER,
    Role.TEAM_MANAGER,
)
T = TypeVar("T")
ROLES = {role.value: role for role in Role}  # a look-up: calling Role costs more, per row


@dataclass(frozen=True)
class Period:
    """Whole days on this laptop's calendar, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise InvalidInput("The start of the period is after its end.")


@dataclass(frozen=True)
class TeamRow:
    person_id: uuid.UUID
    name: str
    role: Role
    team_id: uuid.UUID | None
    team_name: str
    staff_reference: str
    last_observed: date | None
    observations: int  # ever
    observations_in_period: int
    latest_overall: str  # the label; "" when no finished record gives one
    latest_overall_score: int | None  # higher is better, for sorting
    latest_overall_on: date | None
    open_actions: int  # overdue ones included
    overdue_actions: int
    observation_due_by: date
    overdue_for_observation: bool

    @property
    def role_label(self) -> str:
        return self.role.label


def team_overview(
    db: Database,
    today: date,
    period: Period,
    interval: int | None = None,
    *,
    team_id: uuid.UUID | None = None,
) -> list[TeamRow]:
    """Every worker (see the module docstring), by name (case folded only: the GUI sorts
    as its user asks); `interval` in whole months, the stored setting when None;
    `team_id` keeps one team's workers."""
    months = (
        observation_interval_months(db) if interval is None else check_interval_months(interval)
    )
    asked: dict[str, object] = {
        "since": day_start(period.first),
        "until": day_after(period.last),
        "today": today,
    }
    if team_id is not None:
        asked["team_id"] = team_id
    with db.session() as s:
        levels = {
            id_key(lid): (label, score)
            for lid, label, score in s.execute(
                select(RatingLevel.id, RatingLevel.label, RatingLevel.score)
            )
        }
        teams = {id_key(tid): (tid, name) for tid, name in s.execute(select(Team.id, Team.name))}
        # Through the session's connection: the ORM's handling of two thousand rows would
        # cost as much as the query.
        found = s.connection().execute(_overview(team_id is not None), asked).all()
    rows = []
    # The next observation's due date, by the day it is counted from: a few hundred days
    # for two thousand workers.
    due_after: dict[date, date] = {}
    for (
        pid,
        name,
        role,
        team,
        reference,
        created_at,
        overall,
        judged_at,
        total,
        in_range,
        last,
        still_open,
        late,
    ) in found:
        if role not in OBSERVED_ROLES and not total:
            continue
        last_day = None if last is None else stored_local_day(last)
        since = last_day or stored_local_day(created_at)
        due_by = due_after.get(since)
        if due_by is None:
            due_by = due_after[since] = add_months(since, months)
        label, score = levels.get(id_key(overall), ("", None)) if overall else ("", None)
        team_uuid, team_name = teams.get(id_key(team), (None, "")) if team else (None, "")
        rows.append(
            TeamRow(
                person_id=pid,
                name=name,
                role=ROLES[role],
                team_id=team_uuid,
                team_name=team_name,
                staff_reference=reference or "",
                last_observed=last_day,
                observations=total or 0,
                observations_in_period=in_range or 0,
                latest_overall=label,
                latest_overall_score=score,
                latest_overall_on=stored_local_day(judged_at) if overall and judged_at else None,
                open_actions=still_open or 0,
                overdue_actions=late or 0,
                observation_due_by=due_by,
                overdue_for_observation=today > due_by,
            )
        )
    rows.sort(key=lambda r: name_order(r.name))
    return rows


NIL_UUID = uuid.UUID(int=0)


@functools.cache
def _overview(one_team: bool) -> Select[Any]:
    """Everyone still working here (in the team `team_id` when `one_team`) with their
    latest judgement, their observations (ever, and from `since` to before `until`) and
    their open actions (and those due before `today`): one statement, built once (building
    it would cost more than the Python side of running it)."""
    in_period = and_(
        Observation.observed_at >= bindparam("since"),
        Observation.observed_at < bindparam("until"),
    )
    observed = (
        select(
            Observation.observed_person_id.label("person_id"),
            func.count().label("total"),
            func.count().filter(in_period).label("in_period"),
            func.max(Observation.observed_at).label("last"),
        )
        .group_by(Observation.observed_person_id)
        .subquery("observed")
    )
    actions = (
        select(
            Observation.observed_person_id.label("person_id"),
            func.count().label("still_open"),
            func.count().filter(Action.due_date < bindparam("today")).label("late"),
        )
        .select_from(Action)
        .join(
            Observation,
            and_(
                Observation.id == Action.observation_id,
                # Always true (every id sorts after the nil UUID), but it lets the database
                # answer from the (id, observed_person_id) index instead of reading every
                # observation an open action belongs to: 5 times faster at 100,000.
                Observation.observed_person_id >= NIL_UUID,
            ),
        )
        .where(Action.status == ActionStatus.OPEN.value)
        .group_by(Observation.observed_person_id)
        .subquery("open_actions")
    )
    statement = (
        select(
            Person.id,
            Person.name,
            Person.role,
            raw_id(Person.team_id),
            Person.staff_reference,
            raw_moment(Person.created_at),
            raw_id(_latest_judgement(Observation.overall_level_id)),
            raw_moment(_latest_judgement(Observation.observed_at)),
            observed.c.total,
            observed.c.in_period,
            raw_moment(observed.c.last),
            actions.c.still_open,
            actions.c.late,
        )
        .outerjoin(observed, observed.c.person_id == Person.id)
        .outerjoin(actions, actions.c.person_id == Person.id)
        .where(Person.active.is_(True))
    )
    if one_team:
        statement = statement.where(Person.team_id == bindparam("team_id"))
    return statement


def _latest_judgement(column: QueryableAttribute[T]) -> ScalarSelect[T]:
    """`column` of the person's latest finished observation with an overall judgement, for
    each person of the enclosing query: one look into an index per person."""
    latest = aliased(Observation)
    return (
        select(getattr(latest, column.key))
        .where(
            latest.observed_person_id == Person.id,
            latest.status.in_([s.value for s in FINISHED_STATUSES]),
            latest.overall_level_id.is_not(None),
        )
        .order_by(latest.observed_at.desc())
        .limit(1)
        .correlate(Person)
        .scalar_subquery()
    )


# What the overview shows changes with these; an autosave of narrative does not touch them.
SHOWN = Topic.LISTED | Topic.ACTIONS | Topic.PEOPLE | Topic.SETTINGS


@dataclass
class _ReadAhead:
    today: date
    period: Period
    done: threading.Event = field(default_factory=threading.Event)
    rows: list[TeamRow] | None = None
    stale: bool = False  # the store changed in what the overview shows since it was begun


class TeamOverview:
    """Every worker at a glance, for the Team section and `observer team`."""

    def __init__(self, db: Database, changes: ChangeFeed | None = None) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._ahead: _ReadAhead | None = None
        if changes is not None:
            changes.subscribe(self._changed)

    def rows(
        self,
        today: date,
        period: Period,
        interval: int | None = None,
        *,
        team_id: uuid.UUID | None = None,
    ) -> list[TeamRow]:
        if interval is None and team_id is None:
            found = self._read_ahead(today, period)
            if found is not None:
                return found
        return team_overview(self._db, today, period, interval, team_id=team_id)

    def read_ahead(self, today: date, period: Period) -> None:
        """Reads the overview of every team for `period` now (on a background thread, once
        the window is filled), for the next `rows` that asks for the same, if the store
        has not changed in what it shows meanwhile: the Team section's first opening then
        need not wait for two thousand workers to be read from an encrypted store."""
        ahead = _ReadAhead(today, period)
        with self._lock:
            self._ahead = ahead
        try:
            ahead.rows = team_overview(self._db, today, period)
        finally:
            ahead.done.set()

    def _read_ahead(self, today: date, period: Period) -> list[TeamRow] | None:
        """The rows read ahead for the same day and period, once (waiting for them if they
        are being read); None when there are none, or the store has changed since."""
        with self._lock:
            ahead = self._ahead
        if ahead is None or (ahead.today, ahead.period) != (today, period):
            return None
        ahead.done.wait()
        with self._lock:
            if self._ahead is not ahead:
                return None  # taken by another, or read ahead again since
            self._ahead = None
            return None if ahead.stale else ahead.rows

    def _changed(self, change: Changed) -> None:
        if change.touches(SHOWN):
            with self._lock:
                if self._ahead is not None:
                    self._ahead.stale = True
