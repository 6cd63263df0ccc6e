"""Putting a laptop's records on a test's team server as the owner, column for column, as
a push would leave them: so that the pull can be tested on real rows of real records."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from observer.server import schema
from observer.services import Services
from observer.store.models import (
    Action,
    Addendum,
    Framework,
    Observation,
    Person,
    Rating,
    RatingLevel,
    Signature,
    Standard,
    Team,
    action_standards,
    table_of,
)
from tests.support.server import ServerDatabase

ORDER = (
    (Framework, schema.frameworks),
    (Standard, schema.standards),
    (RatingLevel, schema.rating_levels),
    (Team, schema.teams),
    (Person, schema.people),
    (Observation, schema.observations),
    (Rating, schema.ratings),
    (Action, schema.actions),
    (Signature, schema.signatures),
    (Addendum, schema.addenda),
)


def put_on_server(
    db: ServerDatabase, laptop: Services, observations: Iterable[uuid.UUID] | None = None
) -> None:
    """Copies the laptop's frameworks, teams and people, and the given observations (all
    when None), onto the server, replacing the server's copies."""
    wanted = None if observations is None else set(observations)
    with laptop.db.session() as s:
        rows: dict[str, list[dict[str, Any]]] = {}
        for model, server_table in ORDER:
            table = table_of(model)
            query = select(table)
            if wanted is not None and model is Observation:
                query = query.where(table.c.id.in_(wanted))
            elif wanted is not None and "observation_id" in table.c:
                query = query.where(table.c.observation_id.in_(wanted))
            columns = set(server_table.c.keys()) - {"server_revision", "written_xid"}
            rows[server_table.name] = [
                {k: v for k, v in row._mapping.items() if k in columns} for row in s.execute(query)
            ]
        links = [dict(row._mapping) for row in s.execute(select(action_standards))]
    actions = {row["id"] for row in rows["actions"]}
    with db.owner.begin() as conn:
        managers = {row["id"]: row.pop("manager_id", None) for row in rows["teams"]}
        for _model, server_table in ORDER:
            for row in rows[server_table.name]:
                statement = insert(server_table).values(**row)
                changed = {k: v for k, v in row.items() if k != "id"}
                conn.execute(statement.on_conflict_do_update(index_elements=["id"], set_=changed))
        for team, manager in managers.items():
            conn.execute(
                update(schema.teams).where(schema.teams.c.id == team).values(manager_id=manager)
            )
        for link in links:
            if link["action_id"] in actions:
                conn.execute(
                    insert(schema.action_standards).values(**link).on_conflict_do_nothing()
                )
