"""The observations and actions panels show what was recorded through the services."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from fake_prompts import FakePrompts
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from qt_helpers import column_texts, headers, row_texts

from observer.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import ActionStatus, Kind, Status
from ui.panels.actions import ActionsPanel
from ui.panels.observations import ObservationsPanel


def test_observations_panel_lists_a_draft(qtbot: QtBot, services: Services, observation: uuid.UUID):
    panel = ObservationsPanel(services.recording)
    qtbot.addWidget(panel)
    panel.reload()

    assert panel.table.is_showing_records()
    assert headers(panel.table.view) == [
        "Date",
        "Worker",
        "Kind",
        "Observer",
        "Framework",
        "Overall judgement",
        "Status",
    ]
    row = row_texts(panel.table.view, 0)
    assert row["Date"].startswith("14/03/2025 ")
    assert row["Worker"] == "Zoë Łukasiewicz"
    assert row["Kind"] == "Home visit"
    assert row["Observer"] == "Priya Shah"
    assert row["Framework"]
    assert row["Overall judgement"] == "Not yet judged"
    assert row["Status"] == "Draft"


def test_observations_filter_by_kind_and_status(
    qtbot: QtBot, services: Services, observation: uuid.UUID
):
    panel = ObservationsPanel(services.recording)
    qtbot.addWidget(panel)
    panel.reload()

    panel.kind.setCurrentIndex(panel.kind.findData(Kind.SUPERVISION_GROUP.value))
    assert not panel.table.is_showing_records()
    assert panel.table.message() == "No observation matches these filters."

    panel.kind.setCurrentIndex(panel.kind.findData(Kind.HOME_VISIT.value))
    panel.status.setCurrentIndex(panel.status.findData(Status.DRAFT.value))
    assert column_texts(panel.table.view, "Worker") == ["Zoë Łukasiewicz"]

    panel.status.setCurrentIndex(panel.status.findData(Status.SIGNED.value))
    assert not panel.table.is_showing_records()

    panel.kind.setCurrentIndex(0)
    panel.status.setCurrentIndex(0)
    qtbot.keyClicks(panel.search, "priya")
    assert column_texts(panel.table.view, "Observer") == ["Priya Shah"]


def test_observations_panel_without_records_says_what_will_appear(qtbot: QtBot, services: Services):
    panel = ObservationsPanel(services.recording)
    qtbot.addWidget(panel)
    panel.reload()

    assert not panel.table.is_showing_records()
    assert "No observations have been recorded yet" in panel.table.message()
    assert not panel.search.isEnabled()


def test_actions_panel_names_overdue_actions_in_words(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    panel = ActionsPanel(services.review, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.reload()

    view = panel.table.view
    assert column_texts(view, "Action") == [
        "Use the three houses tool with the younger child",
        "Read the chronology before the next visit",
    ]
    assert column_texts(view, "Status") == ["Overdue", "Open"]
    overdue_due = (date.today() - timedelta(days=7)).strftime("%d/%m/%Y")
    assert column_texts(view, "Due")[0] == overdue_due
    assert column_texts(view, "Worker") == ["Zoë Łukasiewicz"] * 2
    assert column_texts(view, "Owner") == ["Zoë Łukasiewicz"] * 2
    assert panel.summary.text() == "2 open actions, 1 overdue."


def _complete(services: Services, description: str) -> None:
    action = next(a for a in services.review.actions() if a.description == description)
    services.review.complete_action(action.id, "Priya Shah")


def test_done_actions_show_only_when_asked(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    _complete(services, "Use the three houses tool with the younger child")
    panel = ActionsPanel(services.review, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.reload()
    view = panel.table.view
    assert column_texts(view, "Action") == ["Read the chronology before the next visit"]
    assert panel.summary.text() == "1 open action, 0 overdue."

    panel.show_done.setChecked(True)
    assert column_texts(view, "Action") == [
        "Use the three houses tool with the younger child",
        "Read the chronology before the next visit",
    ]
    assert column_texts(view, "Status") == ["Done", "Open"]


def test_when_every_action_is_done_the_panel_says_how_to_see_them(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    _complete(services, "Use the three houses tool with the younger child")
    _complete(services, "Read the chronology before the next visit")
    panel = ActionsPanel(services.review, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.reload()

    assert not panel.table.is_showing_records()
    assert panel.table.message() == "Every action is done. Tick Show done actions to see them."


def test_actions_panel_without_actions_explains_itself(
    qtbot: QtBot, services: Services, prompts: FakePrompts
):
    panel = ActionsPanel(services.review, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.reload()

    assert not panel.table.is_showing_records()
    assert "No actions have been agreed yet" in panel.table.message()
    assert not panel.summary.isVisible()


def test_sorting_by_due_date_puts_the_latest_first_when_reversed(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    panel = ActionsPanel(services.review, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.reload()

    panel.table.sort_by(0, Qt.SortOrder.DescendingOrder)

    assert column_texts(panel.table.view, "Status") == ["Open", "Overdue"]


def test_marking_an_overdue_action_done_records_who_and_hides_it(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    panel = ActionsPanel(services.review, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.reload()
    assert not panel.done_button.isEnabled()

    panel.table.view.selectRow(0)
    assert panel.done_button.text() == "&Mark done"
    qtbot.mouseClick(panel.done_button, Qt.MouseButton.LeftButton)

    assert column_texts(panel.table.view, "Action") == ["Read the chronology before the next visit"]
    assert panel.summary.text() == "1 open action, 0 overdue."
    done = [a for a in services.review.actions() if a.status is ActionStatus.DONE]
    assert [a.description for a in done] == ["Use the three houses tool with the younger child"]
    view = services.recording.get(observation)
    stored = next(a for a in view.actions if a.id == done[0].id)
    assert stored.done_by == "Priya Shah"
    assert stored.done_at is not None

    panel.show_done.setChecked(True)
    row = column_texts(panel.table.view, "Action").index(done[0].description)
    panel.table.view.selectRow(row)
    assert panel.done_button.text() == "&Reopen"
    qtbot.mouseClick(panel.done_button, Qt.MouseButton.LeftButton)
    assert all(a.status is ActionStatus.OPEN for a in services.review.actions())


def test_a_long_history_loads_only_the_newest_and_says_so(
    qtbot: QtBot, services: Services, observation: uuid.UUID, monkeypatch
):
    monkeypatch.setattr("ui.panels.observations.LIST_LIMIT", 2)
    view = services.recording.get(observation)
    for days in (1, 2):
        services.recording.create_draft(
            DraftDetails(
                observed_person_id=view.observed_person_id,
                observer_id=view.observer_id,
                kind=Kind.DIRECT_WORK,
                observed_at=view.observed_at + timedelta(days=days),
            )
        )
    panel = ObservationsPanel(services.recording)
    qtbot.addWidget(panel)
    panel.reload()

    assert column_texts(panel.table.view, "Kind") == ["Direct work with a child"] * 2
    assert panel.summary.text() == (
        "Showing the newest 2 of 3 observations. Choose a kind or status to narrow the list."
    )
    panel.kind.setCurrentIndex(panel.kind.findData(Kind.HOME_VISIT.value))
    assert column_texts(panel.table.view, "Kind") == ["Home visit"]
    assert panel.summary.text() == "1 observation"
