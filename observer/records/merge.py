"""The editor's single write path: only what the user changed, merged field by field.

The editor autosaves the targets the user touched, each with the value it last loaded or
saved (its base). Two editors on one draft — two windows, or two app processes on the same
store — then never lose each other's typing: a target nobody else changed is written as
sent; text that someone else also changed keeps both people's words; for other values
the last save wins. Everything in one save is one transaction and one new revision.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from observer.errors import InvalidInput, StaleRecord
from observer.records.fields import (
    EDITABLE_FIELDS,
    TEXT_FIELDS,
    check_due_after,
    check_owner,
    check_text,
    editable,
    level_code,
    level_id,
    rating_for,
    read_field,
    text_limit,
    touch,
    write_field,
)
from observer.store.db import Database
from observer.store.models import Action, Observation, Rating
from observer.text import merge_text
from observer.vocabulary import Status

log = logging.getLogger(__name__)

# Another save landing between our read and our write makes us read again and re-merge.
SAVE_ATTEMPTS = 3


@dataclass(frozen=True)
class Change:
    """One target the editor changed: a field name in EDITABLE_FIELDS,
    "rating:<code>:level", "rating:<code>:evidence", or
    "action:<uuid>:description", "action:<uuid>:owner", "action:<uuid>:due"."""

    target: str
    base: Any  # the value the editor last loaded or saved for this target
    value: Any  # the value the editor now holds


@dataclass(frozen=True)
class SaveOutcome:
    revision: int
    # Targets the editor should now show differently from what it sent: merged text, or
    # None for an action removed elsewhere. Text too long to merge keeps the editor's
    # words and is listed too, with them.
    merged: dict[str, Any]
    # The record's status after the save: a ready record that lost something sign-off
    # needs is back to draft.
    status: Status | None = None


def save_changes(
    db: Database,
    observation_id: uuid.UUID,
    changes: Sequence[Change],
    wait_ms: int | None = None,
    write: Callable[[Session, Observation, bool], int] | None = None,
) -> SaveOutcome:
    """Applies every change in one transaction; see the module's docstring for merging.

    `wait_ms` bounds how long to wait for another writer: an autosave on the GUI thread
    would rather fail fast (StoreBusy) and try again than freeze the window. `write` is
    given the observation with the changes applied but not yet written, and whether
    anything changed; it writes them in the same transaction, with whatever else belongs
    to the same save (the audit trail's edit, a move back to draft), and returns the
    revision. Without it, the changes are written as they are."""
    for _ in range(SAVE_ATTEMPTS):
        try:
            with db.session() as s, s.begin():
                if wait_ms is not None:
                    s.execute(text(f"PRAGMA busy_timeout = {int(wait_ms)}"))
                observation = editable(s, observation_id, None)
                with s.no_autoflush:  # one write, so one new revision
                    wrote, merged, concurrent = _apply(s, observation, changes)
                    revision = (write or _write)(s, observation, wrote)
                status = Status(observation.status)
        except StaleDataError:
            log.info("observation %s changed during a save; merging again", observation_id)
            continue
        if concurrent:
            log.info("merged %d concurrent edits into observation %s", concurrent, observation_id)
        return SaveOutcome(revision, merged, status)
    raise StaleRecord(
        "This observation keeps changing elsewhere; nothing was overwritten. Try again."
    )


def current_value(db: Database, observation_id: uuid.UUID, target: str) -> Any:
    """What a target holds now, as the editor would send it as its base (None for an action
    that is gone)."""
    with db.session() as s:
        observation = editable(s, observation_id, None)
        slot = _slot(s, observation, target)
        return None if slot is None else slot.read()


def _write(s: Session, observation: Observation, wrote: bool) -> int:
    return touch(s, observation) if wrote else observation.revision


@dataclass(frozen=True)
class _Slot:
    """Where one target's value lives: how to read it, and how to check and write it."""

    field: str  # the name in messages and text limits
    is_text: bool
    read: Callable[[], Any]
    write: Callable[[Any], None]


def _apply(
    s: Session, observation: Observation, changes: Sequence[Change]
) -> tuple[bool, dict[str, Any], int]:
    """Writes each change; returns whether any was written, what to report, and conflicts."""
    wrote, concurrent = False, 0
    merged: dict[str, Any] = {}
    for change in changes:
        slot = _slot(s, observation, change.target)
        if slot is None:
            merged[change.target] = None
            continue
        stored, value, kept_ours = slot.read(), change.value, False
        if stored != change.base and stored != value:
            concurrent += 1
            if slot.is_text:
                ours = check_text(slot.field, value)
                base = change.base if isinstance(change.base, str) else ""
                together = merge_text(base, ours, stored)
                kept_ours = len(together) > text_limit(slot.field)
                value = ours if kept_ours else together
        slot.write(value)
        wrote = True
        final = slot.read()
        if final != change.value or kept_ours:
            merged[change.target] = final
    return wrote, merged, concurrent


def _slot(s: Session, observation: Observation, target: str) -> _Slot | None:
    """The slot a target names; None for an action that no longer exists."""
    if target in EDITABLE_FIELDS:
        return _Slot(
            target,
            target in TEXT_FIELDS,
            lambda: read_field(observation, target),
            lambda value: write_field(observation, target, value),
        )
    kind, _, rest = target.partition(":")
    key, _, part = rest.rpartition(":")
    if kind == "rating" and part in ("level", "evidence"):
        return _rating_slot(observation, rating_for(observation, key), part)
    if kind == "action" and part in ("description", "owner", "due"):
        try:
            action_id = uuid.UUID(key)
        except ValueError:
            raise InvalidInput(f"{target} cannot be changed this way.") from None
        action = s.get(Action, action_id)
        if action is None:
            return None
        if action.observation_id != observation.id:
            raise InvalidInput("That action belongs to another observation.")
        return _action_slot(s, action, part)
    raise InvalidInput(f"{target} cannot be changed this way.")


def _rating_slot(observation: Observation, rating: Rating, part: str) -> _Slot:
    if part == "level":

        def write_level(value: Any) -> None:
            rating.level_id = level_id(observation, value)

        return _Slot("rating", False, lambda: level_code(observation, rating.level_id), write_level)

    def write_evidence(value: Any) -> None:
        rating.evidence = check_text("evidence", value)

    return _Slot("evidence", True, lambda: rating.evidence, write_evidence)


def _action_slot(s: Session, action: Action, part: str) -> _Slot:
    if part == "description":

        def write_description(value: Any) -> None:
            action.description = check_text("the action", value)

        return _Slot("the action", True, lambda: action.description, write_description)
    if part == "owner":

        def write_owner(value: Any) -> None:
            action.owner_id = check_owner(s, value)

        return _Slot("owner", False, lambda: action.owner_id, write_owner)

    def write_due(value: Any) -> None:
        action.due_date = check_due_after(action.observation.observed_at, value)

    return _Slot("due", False, lambda: action.due_date, write_due)
