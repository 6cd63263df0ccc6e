"""Whose observations this laptop's user may see, as the team server last said it.

Once a laptop has joined a team server, the server decides who sees what (docs/server.md,
"Who sees what"): a practice lead or team manager sees the observations they wrote and
those of workers in the teams they are assigned to; a `service` role sees everything. The
laptop keeps what the server last told it of its user's scope: the role and teams in the
answer to joining, and again in every page it pulls (`scope`), in the same transaction as
the page. `Scope.sees` is the one place the laptop applies the rule (a bundle import on a
joined laptop leaves out what its user may not see).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.store.sync_tables import (
    JOINED_KEY,
    PERSON_KEY,
    ROLE_KEY,
    SERVER_KEY,
    TEAMS_KEY,
    sync_state,
)

SERVICE_ROLE = "service"


@dataclass(frozen=True)
class Scope:
    """The user's scope on the team server at `server`, as this laptop last knew it."""

    server: str
    person_id: uuid.UUID
    role: str
    teams: frozenset[uuid.UUID]

    def sees(self, observer_id: uuid.UUID, worker_team_id: uuid.UUID | None) -> bool:
        """Whether the user may see an observation written by `observer_id` of a worker in
        `worker_team_id`: what they wrote always, else by role and team."""
        if observer_id == self.person_id or self.role == SERVICE_ROLE:
            return True
        return worker_team_id is not None and worker_team_id in self.teams


def scope_of(s: Session) -> Scope | None:
    """The scope this store last had from its team server; None before joining one."""
    found = {row.key: row.value for row in s.execute(select(sync_state))}
    if JOINED_KEY not in found or PERSON_KEY not in found:
        return None
    return Scope(
        str(found.get(SERVER_KEY) or ""),
        uuid.UUID(str(found[PERSON_KEY])),
        str(found.get(ROLE_KEY) or ""),
        frozenset(_ids(found.get(TEAMS_KEY))),
    )


def team_ids(given: Any) -> list[str] | None:
    """The team ids of a server's answer (`[{"id": …}, …]` or `["…", …]`) as stored;
    None when they cannot be read."""
    if not isinstance(given, list):
        return None
    ids = []
    for item in given:
        value = item.get("id") if isinstance(item, dict) else item
        try:
            ids.append(str(uuid.UUID(str(value))))
        except ValueError:
            return None
    return sorted(set(ids))


def _ids(stored: Any) -> Iterable[uuid.UUID]:
    return (uuid.UUID(value) for value in team_ids(stored) or [])
