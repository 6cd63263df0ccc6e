"""Agreed actions across observations: listing, overdue, completing and reopening."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from observer.errors import InvalidInput, NotFound
from observer.services import Services
from observer.vocabulary import ActionStatus, Status
from tests.support.core import NewDraft, Staff, force_status


def test_open_actions_list_soonest_due_first_and_say_which_are_overdue(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    observation = new_draft()
    today = date.today()
    services.recording.add_action(observation, "No date yet", staff.worker)
    services.recording.add_action(observation, "Next month", staff.worker, today + timedelta(30))
    services.recording.add_action(observation, "Last week", staff.worker, today - timedelta(7))

    actions = services.actions.actions(status=ActionStatus.OPEN)

    assert [a.description for a in actions] == ["Last week", "Next month", "No date yet"]
    assert [a.is_overdue(today) for a in actions] == [True, False, False]
    assert {a.worker for a in actions} == {"Siobhán Walker"}


def test_completing_an_action_on_a_signed_record_records_who_and_when(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    observation = new_draft()
    action = services.recording.add_action(observation, "Read the chronology", staff.worker)
    force_status(services.db, observation, Status.SIGNED)

    services.actions.complete_action(action, "  Morag   Campbell ")

    view = services.recording.get(observation).actions[0]
    assert view.status is ActionStatus.DONE
    assert view.done_by == "Morag Campbell"
    assert view.done_at is not None
    assert services.actions.actions(status=ActionStatus.OPEN) == []

    services.actions.reopen_action(action, "Morag Campbell")
    reopened = services.recording.get(observation).actions[0]
    assert (reopened.status, reopened.done_by, reopened.done_at) == (ActionStatus.OPEN, "", None)


def test_completing_needs_a_name_and_an_existing_action(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    action = services.recording.add_action(new_draft(), "Read the chronology", staff.worker)
    with pytest.raises(InvalidInput, match="who completed"):
        services.actions.complete_action(action, "   ")
    assert services.actions.actions(status=ActionStatus.OPEN)[0].id == action
    services.recording.remove_action(action)
    with pytest.raises(NotFound):
        services.actions.complete_action(action, "Morag Campbell")
