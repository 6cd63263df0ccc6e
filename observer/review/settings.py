"""The two settings of the manager's review: what the ASYE year needs, and how often each
worker is to be observed.

- How many direct observations of practice a newly qualified worker needs in their
  Assessed and Supported Year in Employment: at least three (the national expectation),
  default three; an organisation may ask for more, up to twelve (one a month).
- How many months may pass without an observation before the team overview says a worker
  is overdue for one: default three (once a quarter), from one to twenty-four.

Both are settings of the store, shared by everyone who uses it; a change goes in the
audit trail, as a manager or the principal social worker will ask who changed the rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from observer.errors import InvalidInput
from observer.governance.audit import record_event
from observer.store.db import Database
from observer.store.settings import store_value, stored_value

log = logging.getLogger(__name__)

ASYE_REQUIRED_SETTING = "review.asye_direct_observations"
ASYE_REQUIRED_ACTION = "asye_requirement"
DEFAULT_ASYE_REQUIRED = 3
MIN_ASYE_REQUIRED = 3
MAX_ASYE_REQUIRED = 12

INTERVAL_SETTING = "review.observation_interval_months"
INTERVAL_ACTION = "observation_interval"
DEFAULT_INTERVAL_MONTHS = 3
MIN_INTERVAL_MONTHS = 1
MAX_INTERVAL_MONTHS = 24


def _whole_number(value: object, low: int, high: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and low <= value <= high


def check_asye_required(value: object) -> int:
    """A number of direct observations an ASYE year may require, or InvalidInput."""
    if not _whole_number(value, MIN_ASYE_REQUIRED, MAX_ASYE_REQUIRED):
        raise InvalidInput(
            f"The ASYE year needs a whole number of direct observations from "
            f"{MIN_ASYE_REQUIRED} to {MAX_ASYE_REQUIRED}, not {value!r}."
        )
    assert isinstance(value, int)
    return value


def check_interval_months(value: object) -> int:
    """A number of months between observations, or InvalidInput."""
    if not _whole_number(value, MIN_INTERVAL_MONTHS, MAX_INTERVAL_MONTHS):
        raise InvalidInput(
            f"Each worker is observed at least every {MIN_INTERVAL_MONTHS} to "
            f"{MAX_INTERVAL_MONTHS} whole months, not {value!r}."
        )
    assert isinstance(value, int)
    return value


@dataclass(frozen=True)
class ReviewSettings:
    asye_required: int = DEFAULT_ASYE_REQUIRED
    interval_months: int = DEFAULT_INTERVAL_MONTHS

    def describe(self) -> list[str]:
        """The settings as sentences a manager reads."""
        months = "month" if self.interval_months == 1 else f"{self.interval_months} months"
        return [
            f"A newly qualified worker needs {self.asye_required} direct observations of "
            "practice in their ASYE year.",
            f"A worker is overdue for an observation when none has been recorded for "
            f"{'a ' if self.interval_months == 1 else ''}{months}.",
        ]


def review_settings(db: Database) -> ReviewSettings:
    """The stored settings; a missing or damaged one reads as its default."""
    with db.session() as s:
        asye = stored_value(s, ASYE_REQUIRED_SETTING)
        interval = stored_value(s, INTERVAL_SETTING)
    return ReviewSettings(
        asye_required=_or_default(asye, check_asye_required, DEFAULT_ASYE_REQUIRED, "ASYE"),
        interval_months=_or_default(
            interval, check_interval_months, DEFAULT_INTERVAL_MONTHS, "interval"
        ),
    )


def asye_observations_required(db: Database) -> int:
    return review_settings(db).asye_required


def observation_interval_months(db: Database) -> int:
    return review_settings(db).interval_months


def _or_default(value: object, check: Callable[[object], int], default: int, what: str) -> int:
    if value is None:
        return default
    try:
        return check(value)
    except InvalidInput:
        log.warning("the stored %s setting is unreadable; using the default", what)
        return default


def set_asye_observations_required(db: Database, required: int, actor: str) -> int:
    """Stores how many direct observations the ASYE year needs; a change is audited."""
    check_asye_required(required)
    _store(
        db,
        ASYE_REQUIRED_SETTING,
        required,
        actor,
        ASYE_REQUIRED_ACTION,
        f"ASYE year needs {required} direct observations",
    )
    return required


def set_observation_interval_months(db: Database, months: int, actor: str) -> int:
    """Stores how often each worker is to be observed; a change is audited."""
    check_interval_months(months)
    _store(
        db,
        INTERVAL_SETTING,
        months,
        actor,
        INTERVAL_ACTION,
        f"observe each worker at least every {months} month{'s' if months != 1 else ''}",
    )
    return months


def _store(db: Database, key: str, value: int, actor: str, action: str, detail: str) -> None:
    with db.session() as s, s.begin():
        if not store_value(s, key, value):
            return
        record_event(
            s, actor=actor, action=action, record_type="settings", record_id=None, detail=detail
        )
    log.info("review setting %s set to %d", key, value)


class ReviewSettingsService:
    """The review settings a manager sets, read and changed with an audit event."""

    def __init__(self, db: Database, actor: Callable[[], str]) -> None:
        self._db = db
        self._actor = actor

    def current(self) -> ReviewSettings:
        return review_settings(self._db)

    def observation_interval_months(self) -> int:
        return observation_interval_months(self._db)

    def set_asye_observations_required(self, required: int) -> int:
        return set_asye_observations_required(self._db, required, self._actor())

    def set_observation_interval_months(self, months: int) -> int:
        return set_observation_interval_months(self._db, months, self._actor())
