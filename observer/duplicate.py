"""Starting a new observation from an earlier one of the same person and kind of work.

The copy keeps what carries over from one observation to the next (who, what kind, the
framework, the judgements and their evidence as a starting point) and leaves out what
belongs to one visit only: consent is given afresh each time, agreed actions already
live on their own, and signatures and addenda belong to the record they signed.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from observer.editing import check_when
from observer.errors import InvalidInput
from observer.models import Observation, Person, Rating
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
    "strengths",
    "development_areas",
    "child_voice",
    "family_feedback",
    "reflection",
    "overall_level_id",
    "overall_rationale",
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
    kept = {r.standard_id: r for r in source.ratings}
    copy.ratings = [
        Rating(
            standard_id=standard.id,
            level_id=kept[standard.id].level_id if standard.id in kept else None,
            evidence=kept[standard.id].evidence if standard.id in kept else "",
        )
        for standard in source.framework.standards
    ]
    s.add(copy)
    s.flush()
    return copy
