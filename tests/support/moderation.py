"""Moderation fixtures (the conftests of tests/observer/service and tests/observer/cli take
them): a QA lead using the laptop, and signed observations by several observers (all names
fictional)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest

from observer.people.directory import PersonDetails
from observer.services import Services
from observer.vocabulary import Role, SignatureRole, Status
from tests.support.core import NewDraft, Staff
from tests.support.review import Recorder
from tests.support.signing import filled

QA_LEAD = "Priya Raman"
ORGANISATION = "Northshire County Council"


@dataclass(frozen=True)
class Observers:
    lead: uuid.UUID  # Aled Hughes, staff's practice lead
    second_lead: uuid.UUID
    manager: uuid.UUID


@pytest.fixture
def qa_lead(services: Services) -> uuid.UUID:
    """The QA lead is this laptop's user (the moderator)."""
    return services.profiles.set_up(QA_LEAD, Role.QA_LEAD, ORGANISATION).person_id


@pytest.fixture
def observers(services: Services, staff: Staff) -> Observers:
    second = services.people.add_person(PersonDetails("Dewi Pritchard", Role.PRACTICE_LEAD))
    return Observers(staff.lead, second, staff.manager)


def seed_signed(
    record: Recorder, observers: Observers, counts: dict[str, int], month: int = 4
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """`counts` signed observations per observer (lead, second_lead, manager), in the month."""
    made: dict[uuid.UUID, list[uuid.UUID]] = {}
    for name, count in counts.items():
        observer = getattr(observers, name)
        made[observer] = [
            record.observation(
                date(2026, month, 1 + n % 28),
                {"1": "good", "2": "requires_improvement"},
                overall="good",
                status=Status.SIGNED,
                observer=observer,
            )
            for n in range(count)
        ]
    return made


def signed_record(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    """A home visit signed in the room by the observer and the practitioner."""
    record = filled(services, new_draft, staff)
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    return record
