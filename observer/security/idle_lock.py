"""How long the app may sit untouched before it locks itself, a setting of the store.

The laptop goes into families' homes and meetings and holds special category data about
children, so the idle lock cannot be turned off: information governance can shorten or
lengthen it, within 1 to 60 minutes, but there is no "never". An hour is the ceiling
because it covers a long meeting in which the laptop lies open and untouched; anything
longer is the same as no lock. The default, 10 minutes, is shorter than the usual
15-minute screen lock of a council laptop, since the app's records are more sensitive than
the rest of it. A change is written to the audit trail: governance will ask who set it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from observer.errors import InvalidInput, StoreUnavailable
from observer.governance.audit import record_event
from observer.store.db import Database
from observer.store.settings import store_value, stored_value

log = logging.getLogger(__name__)

IDLE_LOCK_SETTING = "lock.idle_minutes"
IDLE_LOCK_ACTION = "idle_lock"
DEFAULT_IDLE_MINUTES = 10
MIN_IDLE_MINUTES = 1
MAX_IDLE_MINUTES = 60


def check_idle_minutes(value: object) -> int:
    """A number of whole minutes the idle lock may wait, or InvalidInput."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not MIN_IDLE_MINUTES <= value <= MAX_IDLE_MINUTES
    ):
        raise InvalidInput(
            f"The app locks itself after a whole number of minutes from {MIN_IDLE_MINUTES} "
            f"to {MAX_IDLE_MINUTES} without use, not {value!r}; it cannot be turned off."
        )
    return value


def idle_lock_minutes(db: Database) -> int:
    """Minutes without use before the app locks itself; the default when none is set."""
    with db.session() as s:
        value = stored_value(s, IDLE_LOCK_SETTING)
    if value is None:
        return DEFAULT_IDLE_MINUTES
    try:
        return check_idle_minutes(value)
    except InvalidInput:
        # A damaged setting must never leave the app unlocked: the default stands.
        log.warning("the stored idle lock time is unreadable; locking after the default")
        return DEFAULT_IDLE_MINUTES


def set_idle_lock_minutes(db: Database, minutes: int, actor: str) -> int:
    """Stores the idle lock time; a change is in the audit trail."""
    check_idle_minutes(minutes)
    with db.session() as s, s.begin():
        if not store_value(s, IDLE_LOCK_SETTING, minutes):
            return minutes
        record_event(
            s,
            actor=actor,
            action=IDLE_LOCK_ACTION,
            record_type="settings",
            record_id=None,
            detail=f"locks after {minutes} minute{'s' if minutes != 1 else ''} without use",
        )
    log.info("idle lock set to %d minutes", minutes)
    return minutes


class IdleLock:
    """The idle-lock setting of this store."""

    def __init__(self, db: Database, actor: Callable[[], str]) -> None:
        self._db = db
        self._actor = actor

    def minutes(self) -> int:
        """As `idle_lock_minutes`; StoreUnavailable when the store cannot be read now."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return idle_lock_minutes(self._db)
        except SQLAlchemyError as error:
            raise StoreUnavailable("The idle lock time cannot be read just now.") from error

    def set_minutes(self, minutes: int) -> int:
        return set_idle_lock_minutes(self._db, minutes, self._actor())
