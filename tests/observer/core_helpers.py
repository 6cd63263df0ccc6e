"""Plain helpers the core tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import update

from observer.bundle import export_bundle
from observer.store.db import Database
from observer.store.models import Observation
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


def _aware_times() -> st.SearchStrategy[str]:
    offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
    return st.datetimes(timezones=offsets).map(datetime.isoformat)


PLAUSIBLE = (
    st.uuids().map(str)
    | st.dates().map(date.isoformat)
    | _aware_times()
    | st.sampled_from(["good", "1", "99", "direct_work", "signed", "open", "observer", "asye", ""])
    | st.integers(-2, 3)
    | st.integers(2**31 - 1, 2**70)
)
# Decoded JSON values, often of the kinds a bundle's fields hold.
BUNDLE_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | PLAUSIBLE,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
