"""Plain helpers the core tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import update

from observer.bundle import export_bundle
from observer.db import Database
from observer.models import Observation
from observer.vocabulary import Status

WHEN = datetime(2025, 3, 12, 10, 30, tzinfo=UTC)

NewDraft = Callable[..., uuid.UUID]
RunCli = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class Staff:
    team: uuid.UUID
    manager: uuid.UUID
    lead: uuid.UUID
    worker: uuid.UUID
    asye: uuid.UUID
    senior: uuid.UUID


def force_status(db: Database, observation_id: uuid.UUID, status: Status) -> None:
    """Sets the status in the store directly (sign-off is not built yet)."""
    with db.session() as s, s.begin():
        s.execute(
            update(Observation).where(Observation.id == observation_id).values(status=status.value)
        )


def store_snapshot(db: Database) -> dict[str, Any]:
    """Everything the store holds, as a bundle without its export time."""
    bundle = export_bundle(db)
    del bundle["exported_at"]
    return bundle


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or index path into decoded JSON, for spoiling one field at a time."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += json_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += json_paths(child, (*prefix, index))
    return found


def spoil(data: st.DataObject, document: Any, path: tuple[Any, ...], values: Any) -> None:
    """Deletes the field at `path`, or puts a drawn JSON value there."""
    target = document
    for step in path[:-1]:
        target = target[step]
    if isinstance(target, dict) and data.draw(st.booleans(), label="delete"):
        del target[path[-1]]
    else:
        target[path[-1]] = data.draw(values, label="value")
