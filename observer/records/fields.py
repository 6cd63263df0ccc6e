"""What an observation's fields accept, and the lock every change passes through.

Shared by the single-field methods of `Recording` and by the editor's batched save
(`observer.records.merge`), so that both refuse the same values with the same sentence.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from observer.errors import InvalidInput, RecordLocked, StaleRecord
from observer.store.models import Observation, Person, Rating, fetch, utc_now
from observer.text import uk_date
from observer.vocabulary import (
    MOMENT_RANGE,
    Kind,
    Status,
    observation_day,
    within_moment_range,
)

MAX_TEXT = 50_000
SHORT_TEXT_LIMITS = {"case_reference": 60}
TEXT_FIELDS = (
    "case_reference",
    "others_present",
    "consent_given_by",
    "consent_how",
    "focus",
    "strengths",
    "development_areas",
    "child_voice",
    "family_feedback",
    "reflection",
    "overall_rationale",
)
DRAFT_TEXT_FIELDS = ("case_reference", "others_present", "consent_given_by", "consent_how", "focus")
OTHER_FIELDS = ("kind", "observed_at", "duration_minutes", "family_present", "overall_level")
EDITABLE_FIELDS = frozenset(TEXT_FIELDS + OTHER_FIELDS)


def text_limit(field: str) -> int:
    """The longest text a field holds; the bundle reader applies the same limits."""
    return SHORT_TEXT_LIMITS.get(field, MAX_TEXT)


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def check_text(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{_label(field)} must be text.")
    limit = text_limit(field)
    if len(value) > limit:
        raise InvalidInput(f"{_label(field)} is longer than {limit:,} characters.")
    return value


def check_duration(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 24 * 60:
        raise InvalidInput("The duration must be between 1 minute and 24 hours.")
    return value


def check_when(value: Any) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput("The date and time of an observation must include its time zone.")
    if not within_moment_range(value):
        raise InvalidInput(
            f"The date of an observation must be {MOMENT_RANGE}, not {value.date().isoformat()}."
        )
    return value


def check_kind(value: Any) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a kind of observation.") from None


def check_due(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    raise InvalidInput("The action's due date must be a date.")


# Where a new action's due date starts: four weeks after the observation.
DEFAULT_DUE_AFTER = timedelta(weeks=4)


def default_due_date(observed_at: datetime) -> date:
    return observation_day(observed_at) + DEFAULT_DUE_AFTER


def due_before_observation(observed_at: datetime, due: date | None) -> bool:
    return due is not None and due < observation_day(observed_at)


def check_due_after(observed_at: datetime, due: Any) -> date | None:
    """A due date, refused if it falls before the day of the observation it was agreed at."""
    day = check_due(due)
    if day is not None and due_before_observation(observed_at, day):
        raise InvalidInput(
            f"An action cannot be due before the observation it was agreed at: the due date "
            f"is {uk_date(day)} and the observation was on {uk_date(observation_day(observed_at))}."
        )
    return day


def check_owner(s: Session, owner_id: Any) -> uuid.UUID | None:
    if owner_id is None:
        return None
    if not isinstance(owner_id, uuid.UUID) or s.get(Person, owner_id) is None:
        raise InvalidInput("The action's owner is not in this store.")
    return owner_id


def level_id(observation: Observation, code: Any) -> uuid.UUID | None:
    """The id of the framework's level with that code; None clears the rating."""
    if code is None:
        return None
    level = next((lv for lv in observation.framework.levels if lv.code == code), None)
    if level is None:
        raise InvalidInput(f"{code!r} is not a rating in {observation.framework.name}.")
    return level.id


def overall_level_id(observation: Observation, code: Any) -> uuid.UUID | None:
    """A level for the overall judgement: any level of the scale but its Not observed."""
    level = next((lv for lv in observation.framework.levels if lv.code == code), None)
    if level is not None and level.score is None:
        raise InvalidInput(
            f"The overall judgement cannot be “{level.label}”: choose a judgement of the "
            "practice as a whole."
        )
    return level_id(observation, code)


def level_code(observation: Observation, level: uuid.UUID | None) -> str | None:
    if level is None:
        return None
    return next((lv.code for lv in observation.framework.levels if lv.id == level), None)


def rating_for(observation: Observation, standard_code: str) -> Rating:
    rating = next((r for r in observation.ratings if r.standard.code == standard_code), None)
    if rating is None:
        raise InvalidInput(
            f"Standard {standard_code!r} is not part of {observation.framework.name}."
        )
    return rating


def read_field(observation: Observation, name: str) -> Any:
    """A field's stored value, in the form the editor and `update()` use."""
    if name == "overall_level":
        return level_code(observation, observation.overall_level_id)
    return getattr(observation, name)


def write_field(observation: Observation, name: str, value: Any) -> None:
    """Checks and sets one of EDITABLE_FIELDS; InvalidInput names a bad value."""
    if name in TEXT_FIELDS:
        setattr(observation, name, check_text(name, value))
    elif name == "kind":
        observation.kind = check_kind(value).value
    elif name == "observed_at":
        observation.observed_at = check_when(value)
    elif name == "duration_minutes":
        observation.duration_minutes = check_duration(value)
    elif name == "family_present":
        observation.family_present = bool(value)
    elif name == "overall_level":
        observation.overall_level_id = overall_level_id(observation, value)
    else:
        raise InvalidInput(f"{name} cannot be changed this way.")


def editable(s: Session, observation_id: uuid.UUID, expected_revision: int | None) -> Observation:
    """The observation, if it may still change and is the revision the caller saw."""
    observation = fetch(s, Observation, observation_id, "observation")
    if observation.status == Status.SIGNED.value:
        raise RecordLocked("This observation is signed and locked; add an addendum instead.")
    if observation.signatures:
        raise RecordLocked(
            "The observer has signed this record, so it can no longer change; "
            "the practitioner signs next."
        )
    if expected_revision is not None and observation.revision != expected_revision:
        raise StaleRecord(
            "This observation was changed elsewhere since you opened it; nothing was overwritten."
        )
    return observation


def touch(s: Session, observation: Observation) -> int:
    """Writes the observation once, raising its revision; returns the new revision."""
    observation.updated_at = utc_now()
    s.flush()
    return observation.revision
