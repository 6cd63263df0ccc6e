"""Which observations a list, a worker's history or a report is about: one filter for all.

The observations list, the worker page and the history PDF narrow observations by the same
things — date range, kind, observer, framework — and must agree on what each means, so the
filter and the SQL it becomes live here, once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVarTuple

from sqlalchemy import Select

from observer.store.models import Observation
from observer.vocabulary import Kind, Status


@dataclass(frozen=True)
class ObservationFilter:
    """Observations matching every condition given; None (or ()) leaves a condition out.

    Dates are whole days on this laptop's clock, both ends included. `kind` and `kinds`
    may be combined (both must hold); `kinds` is for "any of these", such as every kind
    of direct practice.
    """

    person_ids: tuple[uuid.UUID, ...] | None = None
    kind: Kind | None = None
    status: Status | None = None
    date_from: date | None = None
    date_to: date | None = None
    kinds: tuple[Kind, ...] | None = None
    observer_id: uuid.UUID | None = None
    # A framework version: versions of one framework are never merged silently.
    framework_id: uuid.UUID | None = None


Columns = TypeVarTuple("Columns")


def filtered(statement: Select[*Columns], query: ObservationFilter | None) -> Select[*Columns]:
    """`statement`, over observations, narrowed to those `query` matches."""
    if query is None:
        return statement
    if query.person_ids is not None:
        statement = statement.where(Observation.observed_person_id.in_(query.person_ids))
    if query.kind is not None:
        statement = statement.where(Observation.kind == query.kind.value)
    if query.kinds is not None:
        statement = statement.where(Observation.kind.in_([k.value for k in query.kinds]))
    if query.status is not None:
        statement = statement.where(Observation.status == query.status.value)
    if query.observer_id is not None:
        statement = statement.where(Observation.observer_id == query.observer_id)
    if query.framework_id is not None:
        statement = statement.where(Observation.framework_id == query.framework_id)
    if query.date_from is not None:
        statement = statement.where(Observation.observed_at >= day_start(query.date_from))
    if query.date_to is not None:
        statement = statement.where(Observation.observed_at < day_after(query.date_to))
    return statement


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` on this laptop's clock: people filter by their days."""
    return datetime.combine(day, time.min).astimezone()


def day_after(day: date) -> datetime:
    return day_start(day + timedelta(days=1))


def local_day(moment: datetime) -> date:
    """The day `moment` fell on, on this laptop's clock."""
    return moment.astimezone().date()
