"""Who uses this laptop: choosing an existing person, adding one, and correcting details.
A change of person never renames anyone's history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from observer.errors import InvalidInput
from observer.people.directory import PersonDetails
from observer.people.profile import PersonExists
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind, Role
from tests.support.core import Staff, audit_trail


def test_someone_of_that_name_and_role_already_here_is_that_person(services: Services) -> None:
    existing = services.people.add_person(PersonDetails("Ayaan Hughes", Role.PRACTICE_LEAD))

    profile = services.profiles.set_up("ayaan  HUGHES", Role.PRACTICE_LEAD, "Northshire CC")

    assert profile.person_id == existing
    assert [p.name for p in services.people.list_people()] == ["Ayaan Hughes"]


def test_a_new_person_of_the_same_name_is_added_only_when_asked(services: Services) -> None:
    existing = services.people.add_person(PersonDetails("Ayaan Hughes", Role.PRACTICE_LEAD))

    profile = services.profiles.set_up(
        "Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire CC", new_person=True
    )

    assert profile.person_id != existing
    assert len(services.people.find_by_name("Ayaan Hughes")) == 2


def test_several_people_of_that_name_ask_which_one(services: Services) -> None:
    for _ in range(2):
        services.people.add_person(PersonDetails("Sam Okafor", Role.PRACTICE_LEAD))

    with pytest.raises(PersonExists) as raised:
        services.profiles.set_up("Sam Okafor", Role.PRACTICE_LEAD, "Northshire CC")

    assert len(raised.value.candidates) == 2
    assert services.profiles.current() is None
    chosen = raised.value.candidates[1].person_id
    assert services.profiles.set_up("", Role.PRACTICE_LEAD, "N", person_id=chosen).person_id == (
        chosen
    )


def test_another_user_is_another_person_and_history_keeps_its_name(
    services: Services, staff: Staff
) -> None:
    ayaan = services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire CC")
    record = services.recording.create_draft(_draft_by(staff, ayaan.person_id))

    priya = services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire CC")

    assert priya.person_id != ayaan.person_id
    assert services.recording.get(record).observer_name == "Ayaan Hughes"
    assert services.actor() == "Priya Shah"
    assert "profile_person" in audit_trail(services.db, priya.person_id)


def _draft_by(staff: Staff, observer: uuid.UUID) -> DraftDetails:
    return DraftDetails(
        observed_person_id=staff.worker,
        observer_id=observer,
        kind=Kind.SUPERVISION_INDIVIDUAL,
        observed_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
    )


def test_a_correction_changes_the_same_person_everywhere_and_is_audited(
    services: Services,
) -> None:
    first = services.profiles.set_up("Ayan Hughes", Role.SOCIAL_WORKER, "Northshire CC")

    corrected = services.profiles.correct(
        name="Ayaan Hughes", role=Role.PRACTICE_LEAD, organisation="Northshire County Council"
    )

    assert corrected.person_id == first.person_id
    assert (corrected.name, corrected.role, corrected.organisation) == (
        "Ayaan Hughes",
        Role.PRACTICE_LEAD,
        "Northshire County Council",
    )
    assert [p.name for p in services.people.list_people()] == ["Ayaan Hughes"]
    events = [e for e in services.audit.events() if e.record_id == first.person_id]
    assert any(e.detail == "corrected: name, role, organisation" for e in events)


def test_a_correction_needs_someone_set_up(services: Services) -> None:
    with pytest.raises(InvalidInput):
        services.profiles.correct(name="Ann Lee")


def test_another_user_signs_in_their_own_name(services: Services) -> None:
    from observer.signing.identity import identity_path
    from tests.support.passphrase import STORE_PASSPHRASE

    services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire CC")
    assert services.summaries.prepare_signing(STORE_PASSPHRASE).name == "Ayaan Hughes"

    services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire CC")

    assert services.summaries.prepare_signing(STORE_PASSPHRASE).name == "Priya Shah"
    kept = [p.name for p in identity_path(services.data_dir).parent.iterdir()]
    assert any(name.startswith("identity-replaced-") for name in kept)
