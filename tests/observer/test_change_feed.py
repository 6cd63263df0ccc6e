"""Every commit tells the store's change feed what it touched; a rollback tells nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from observer.changes import Changed, ChangeFeed, Topic
from observer.errors import ObserverError
from observer.people.directory import PersonDetails
from observer.records.merge import Change
from observer.services import Services
from observer.store.models import Observation
from observer.vocabulary import Role
from tests.support.core import WHEN, NewDraft, Staff


@pytest.fixture
def heard(services: Services) -> list[Changed]:
    found: list[Changed] = []
    services.changes.subscribe(found.append)
    return found


def test_an_edit_names_the_record_it_changed(
    services: Services, new_draft: NewDraft, heard: list[Changed]
) -> None:
    record = new_draft()
    heard.clear()
    services.recording.save(record, [Change("strengths", "", "Warm and direct with Ayo.")])
    assert any(c.touches(Topic.RECORDS) and record in c.record_ids for c in heard)
    assert not any(c.touches(Topic.PEOPLE) for c in heard)


def test_a_new_person_is_a_people_change(services: Services, heard: list[Changed]) -> None:
    services.people.add_person(PersonDetails("Tamsin Rowe", Role.SOCIAL_WORKER))
    assert [c for c in heard if c.touches(Topic.PEOPLE)]
    assert not any(c.touches(Topic.RECORDS) for c in heard)


def test_a_bulk_statement_is_reported(
    services: Services, new_draft: NewDraft, heard: list[Changed]
) -> None:
    new_draft()
    heard.clear()
    with services.db.session() as s, s.begin():
        s.execute(update(Observation).values(focus="Bulk"))
    assert any(c.touches(Topic.RECORDS) for c in heard)


def test_a_rolled_back_transaction_reports_nothing(
    services: Services, staff: Staff, heard: list[Changed]
) -> None:
    """What a transaction wrote before it rolled back is forgotten, even when the same
    session commits afterwards."""
    heard.clear()
    with services.db.session() as s:
        with s.begin():
            s.execute(update(Observation).values(focus="Never"))
            s.rollback()
        with s.begin():
            pass
    assert heard == []


def test_bookkeeping_settings_are_not_settings_changes(
    services: Services, new_draft: NewDraft, heard: list[Changed]
) -> None:
    """An autosave moves the audit trail's head and opening a record lists it as open; no
    screen shows either, so neither is reported as a change of settings."""
    record = new_draft()
    heard.clear()
    services.recording.save(record, [Change("reflection", "", "I will ask Ayo first.")])
    services.workspace.opened(record)
    services.workspace.closed(record)
    assert heard
    assert not any(c.touches(Topic.SETTINGS) for c in heard)
    assert any(c.touches(Topic.AUDIT) for c in heard)
    services.review_settings.set_observation_interval_months(2)
    assert heard[-1].touches(Topic.SETTINGS)


def test_a_failing_listener_does_not_silence_the_others() -> None:
    feed = ChangeFeed()
    told: list[Changed] = []

    def broken(_changed: Changed) -> None:
        raise ObserverError("a screen that cannot refresh")

    feed.subscribe(broken)
    unsubscribe = feed.subscribe(told.append)
    change = Changed(Topic.ACTIONS, frozenset({uuid.uuid4()}))
    feed.publish(change)
    unsubscribe()
    feed.publish(change)
    assert told == [change]


def test_typing_narrative_changes_no_list(
    services: Services, new_draft: NewDraft, heard: list[Changed]
) -> None:
    """Lists in view follow LISTED, so an autosave of narrative must not reload them."""
    record = new_draft()
    heard.clear()
    services.recording.save(record, [Change("child_voice", "", "Ayo drew his bedroom.")])
    assert heard
    assert all(not c.touches(Topic.LISTED) for c in heard)
    assert any(c.touches(Topic.RECORDS) for c in heard)


def test_a_new_record_and_a_new_date_are_listed(
    services: Services, new_draft: NewDraft, heard: list[Changed]
) -> None:
    record = new_draft()
    assert any(c.touches(Topic.LISTED) and record in c.record_ids for c in heard)
    heard.clear()
    later = datetime(2025, 3, 13, 9, 0, tzinfo=UTC)
    services.recording.save(record, [Change("observed_at", WHEN, later)])
    assert any(c.touches(Topic.LISTED) for c in heard)
