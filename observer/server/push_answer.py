"""What applying one pushed change answers (docs/sync-protocol.md, Push), shared by the
handlers of observations (observer/server/push.py) and of people, teams and frameworks
(observer/server/push_reference.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from observer.server.push_request import Change


@dataclass(frozen=True)
class Caller:
    laptop: uuid.UUID
    person: uuid.UUID
    role: str | None


@dataclass(frozen=True)
class Result:
    change_id: uuid.UUID
    outcome: str
    server_revision: int | None = None
    conflicts: int = 0
    message: str | None = None
    # The observation was removed under the retention policy (said only then).
    removed: bool = False

    def as_json(self) -> dict[str, Any]:
        answer = {
            "change_id": str(self.change_id),
            "outcome": self.outcome,
            "server_revision": self.server_revision,
            "conflicts": self.conflicts,
            "message": self.message,
        }
        return answer | {"removed": True} if self.removed else answer


class Refusal(Exception):
    """This change is not made; the sentence says why."""


Handler = Callable[[Connection, Caller, Change], Result]
