"""Starting a new observation from an earlier one: the same set-up, a fresh record.

The copy keeps the set-up that carries over to the next visit (who, what kind, the
framework, the case, who is usually there, the agreed focus) and leaves out everything
that belongs to one visit only: ratings, evidence and narrative are judgements of what was
seen that day, and a record that carried them over could reach sign-off with no new
evidence; consent is given afresh each time; agreed actions already live on their own;
signatures and addenda belong to the record they signed.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from observer.errors import InvalidInput
from observer.records.fields import check_when
from observer.store.models import Observation, Person, Rating
from observer.vocabulary import Status

COPIED_FIELDS = (
    "observed_person_id",
    "framework_id",
    "kind",
    "duration_minutes",
    "case_reference",
    "others_present",
    "family_present",
    "focus",
)


def duplicate_observation(
    s: Session, source: Observation, observer_id: uuid.UUID, observed_at: datetime
) -> Observation:
    """Adds a draft copy of `source` by `observer_id` at `observed_at`; reading only `source`."""
    if s.get(Person, observer_id) is None:
        raise InvalidInput("That person is not in this store.")
    copy = Observation(
        observer_id=observer_id,
        observed_at=check_when(observed_at),
        status=Status.DRAFT.value,
        consent_given_by="",
        consent_how="",
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )
    copy.ratings = [Rating(standard_id=standard.id) for standard in source.framework.standards]
    s.add(copy)
    s.flush()
    return copy
