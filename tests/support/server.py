"""A team server database for one test: engines for the owner and the service's role, and
fictional teams, people, observations and enrolled laptops made as the owner (who sees
every row), so a test can then look at them as one laptop's caller sees them."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert

from observer.server import schema
from observer.server.database import as_caller, database_url, make_engine
from tests.support.postgres import OWNER_ROLE, SERVICE_ROLE, Cluster

WHEN = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


@dataclass
class ServerDatabase:
    cluster: Cluster
    name: str
    owner: Engine
    service: Engine

    @classmethod
    def connect(cls, cluster: Cluster, name: str) -> ServerDatabase:
        return cls(
            cluster,
            name,
            make_engine(database_url(cluster.url(OWNER_ROLE, name))),
            make_engine(database_url(cluster.url(SERVICE_ROLE, name))),
        )

    def url(self, role: str = OWNER_ROLE) -> str:
        return self.cluster.url(role, self.name)

    @contextmanager
    def as_laptop(self, laptop_id: uuid.UUID | None) -> Iterator[Connection]:
        """One transaction as the service's role, for that laptop's caller (or none)."""
        with self.service.begin() as conn:
            if laptop_id is not None:
                as_caller(conn, laptop_id)
            yield conn

    def add(self, table: Any, **values: Any) -> uuid.UUID | None:
        """A row made as the owner; its id, if the table has one."""
        if "id" in table.c:
            values.setdefault("id", uuid.uuid4())
        with self.owner.begin() as conn:
            conn.execute(insert(table).values(**values))
        identifier: uuid.UUID | None = values.get("id")
        return identifier

    def team(self, name: str) -> uuid.UUID:
        return self.add(schema.teams, name=name)

    def person(
        self, name: str, team: uuid.UUID | None = None, role: str = "social_worker"
    ) -> uuid.UUID:
        return self.add(schema.people, name=name, role=role, team_id=team)

    def framework(self) -> Framework:
        framework = self.add(
            schema.frameworks,
            key="pcf",
            version=1,
            name="Professional Capabilities Framework",
            definition="{}",
            content_hash="0" * 64,
        )
        standard = self.add(
            schema.standards, framework_id=framework, code="1", title="Professionalism", position=1
        )
        level = self.add(
            schema.rating_levels, framework_id=framework, code="good", label="Good", position=1
        )
        return Framework(framework, standard, level)

    def observation(
        self, framework: Framework, of: uuid.UUID, by: uuid.UUID, **values: Any
    ) -> uuid.UUID:
        return self.add(
            schema.observations,
            observed_person_id=of,
            observer_id=by,
            framework_id=framework.id,
            kind="home_visit",
            observed_at=WHEN,
            **values,
        )

    def laptop(
        self, person: uuid.UUID, role: str | None, teams: tuple[uuid.UUID, ...] = ()
    ) -> uuid.UUID:
        """An enrolled laptop of that person, who has that server role and those teams."""
        if role is not None:
            with self.owner.begin() as conn:
                conn.execute(insert(schema.person_roles).values(person_id=person, role=role))
        for team in teams:
            self.assign(person, team)
        return self.add(
            schema.laptops, person_id=person, token_hash=hashlib.sha256(uuid.uuid4().bytes).digest()
        )

    def assign(self, person: uuid.UUID, team: uuid.UUID) -> None:
        with self.owner.begin() as conn:
            conn.execute(insert(schema.team_assignments).values(person_id=person, team_id=team))


@dataclass(frozen=True)
class Framework:
    id: uuid.UUID
    standard: uuid.UUID
    level: uuid.UUID
