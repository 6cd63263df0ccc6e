"""Which observations are open in an editor, so that after a crash the app reopens them.

Kept in the store's settings as a list of ids in the order they were opened; each call is
its own short transaction, so the list is on disk the moment an editor opens or closes.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.store.db import Database
from observer.store.models import Observation
from observer.store.settings import store_value, stored_value
from observer.vocabulary import Status

OPEN_KEY = "editor.open_observations"


class Workspace:
    def __init__(self, db: Database) -> None:
        self._db = db

    def opened(self, observation_id: uuid.UUID) -> None:
        with self._db.session() as s, s.begin():
            ids = _read(s)
            if observation_id not in ids:
                _write(s, [*ids, observation_id])

    def closed(self, observation_id: uuid.UUID) -> None:
        with self._db.session() as s, s.begin():
            ids = _read(s)
            if observation_id in ids:
                _write(s, [i for i in ids if i != observation_id])

    def left_open(self) -> list[uuid.UUID]:
        """Editors open when the app last stopped, oldest first; deleted or signed ones drop out."""
        with self._db.session() as s, s.begin():
            ids = _read(s)
            if not ids:
                return []
            editable = set(
                s.scalars(
                    select(Observation.id).where(
                        Observation.id.in_(ids), Observation.status != Status.SIGNED.value
                    )
                )
            )
            still_open = [i for i in ids if i in editable]
            if still_open != ids:
                _write(s, still_open)
            return still_open


def _read(s: Session) -> list[uuid.UUID]:
    value: Any = stored_value(s, OPEN_KEY)
    ids: list[uuid.UUID] = []
    for item in value if isinstance(value, list) else []:
        try:
            found = uuid.UUID(item)
        except (TypeError, ValueError, AttributeError):
            continue  # a damaged entry is dropped rather than stopping the app from starting
        if found not in ids:
            ids.append(found)
    return ids


def _write(s: Session, ids: list[uuid.UUID]) -> None:
    store_value(s, OPEN_KEY, [str(i) for i in ids])
