"""The observations and actions panels show what was recorded through the services."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.store.models import Observation
from observer.vocabulary import ActionStatus, Kind, Role, Status
from tests.support.prompts import FakePrompts
from tests.support.qt import column_texts, headers, row_texts, type_text
from ui.panels.actions import ActionsPanel
from ui.panels.observations import ObservationsPanel


def test_observations_panel_lists_a_draft(qtbot: QtBot, services: Services, observation: uuid.UUID):
    panel = ObservationsPanel(services.recording, services.people, FakePrompts())
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
    panel = ObservationsPanel(services.recording, services.people, FakePrompts())
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
    panel = ObservationsPanel(services.recording, services.people, FakePrompts())
    qtbot.addWidget(panel)
    panel.reload()

    assert not panel.table.is_showing_records()
    assert "No observations have been recorded yet" in panel.table.message()
    assert not panel.search.isEnabled()


def test_actions_panel_names_overdue_actions_in_words(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    panel = ActionsPanel(services.actions, prompts, services.actor)
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
    action = next(a for a in services.actions.actions() if a.description == description)
    services.actions.complete_action(action.id, "Priya Shah")


def test_done_actions_show_only_when_asked(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    _complete(services, "Use the three houses tool with the younger child")
    panel = ActionsPanel(services.actions, prompts, services.actor)
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
    panel = ActionsPanel(services.actions, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.reload()

    assert not panel.table.is_showing_records()
    assert panel.table.message() == "Every action is done. Tick Show done actions to see them."


def test_actions_panel_without_actions_explains_itself(
    qtbot: QtBot, services: Services, prompts: FakePrompts
):
    panel = ActionsPanel(services.actions, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.reload()

    assert not panel.table.is_showing_records()
    assert "No actions have been agreed yet" in panel.table.message()
    assert not panel.summary.isVisible()


def test_sorting_by_due_date_puts_the_latest_first_when_reversed(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    panel = ActionsPanel(services.actions, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.reload()

    panel.table.sort_by(0, Qt.SortOrder.DescendingOrder)

    assert column_texts(panel.table.view, "Status") == ["Open", "Overdue"]


def test_marking_an_overdue_action_done_records_who_and_hides_it(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    panel = ActionsPanel(services.actions, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.reload()
    assert not panel.done_button.isEnabled()

    panel.table.view.selectRow(0)
    assert panel.done_button.text() == "&Mark done"
    qtbot.mouseClick(panel.done_button, Qt.MouseButton.LeftButton)

    assert column_texts(panel.table.view, "Action") == ["Read the chronology before the next visit"]
    assert panel.summary.text() == "1 open action, 0 overdue."
    done = [a for a in services.actions.actions() if a.status is ActionStatus.DONE]
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
    assert all(a.status is ActionStatus.OPEN for a in services.actions.actions())


def test_marking_an_action_done_can_be_undone(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    panel = ActionsPanel(services.actions, prompts, services.actor)
    qtbot.addWidget(panel)
    panel.show()
    panel.reload()
    panel.table.view.selectRow(0)
    qtbot.mouseClick(panel.done_button, Qt.MouseButton.LeftButton)
    assert panel.outcome.text() == "Marked done by Priya Shah."
    assert panel.outcome.undo_button.isVisible()

    qtbot.mouseClick(panel.outcome.undo_button, Qt.MouseButton.LeftButton)

    assert all(a.status is ActionStatus.OPEN for a in services.actions.actions())
    assert len(column_texts(panel.table.view, "Action")) == 2
    assert panel.outcome.text() == "Reopened by Priya Shah."
    assert not panel.outcome.undo_button.isVisible()


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
    panel = ObservationsPanel(services.recording, services.people, FakePrompts())
    qtbot.addWidget(panel)
    panel.reload()

    assert column_texts(panel.table.view, "Kind") == ["Direct work with a child"] * 2
    assert panel.summary.text() == (
        "Showing the newest 2 of 3 observations. "
        "Choose a person, kind, status, observer or dates to narrow the list."
    )
    panel.kind.setCurrentIndex(panel.kind.findData(Kind.HOME_VISIT.value))
    assert column_texts(panel.table.view, "Kind") == ["Home visit"]
    assert panel.summary.text() == "1 observation"


# The observations panel: person and date filters, and what is done with a selected row


# The person filter's completer asks the offscreen platform for what it cannot do.
uses_popup = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)$"
)


def _signed(services: Services, observation_id: uuid.UUID) -> None:
    """Marks the record signed in the store directly (sign-off is built elsewhere)."""
    with services.db.session() as s, s.begin():
        s.execute(
            update(Observation)
            .where(Observation.id == observation_id)
            .values(status=Status.SIGNED.value)
        )


@pytest.fixture
def history(services: Services, cast, observation: uuid.UUID) -> dict[str, uuid.UUID]:
    """Zoë's home visit of 14 March 2025, plus her January visit and Sam's May supervision."""
    sam = services.people.add_person(PersonDetails("Sam Okafor", Role.TEAM_MANAGER))
    january = datetime(2025, 1, 10, 14, 0).astimezone()
    may = datetime(2025, 5, 20, 9, 0).astimezone()
    record = services.recording.create_draft
    return {
        "march": observation,
        "january": record(DraftDetails(cast.worker, cast.observer, Kind.HOME_VISIT, january)),
        "may": record(DraftDetails(sam, cast.observer, Kind.SUPERVISION_INDIVIDUAL, may)),
    }


@pytest.fixture
def panel(qtbot: QtBot, services: Services, prompts: FakePrompts) -> ObservationsPanel:
    observations = ObservationsPanel(services.recording, services.people, prompts)
    qtbot.addWidget(observations)
    observations.show()
    observations.reload()
    return observations


def _dates(panel: ObservationsPanel) -> list[str]:
    return [text[:10] for text in column_texts(panel.table.view, "Date")]


@uses_popup
def test_typing_part_of_a_name_shows_only_their_observations(
    qtbot: QtBot, panel: ObservationsPanel, history
):
    panel.reload()
    assert column_texts(panel.table.view, "Worker") == [
        "Sam Okafor",
        "Zoë Łukasiewicz",
        "Zoë Łukasiewicz",
    ]
    panel.person.lineEdit().selectAll()
    type_text(panel.person.lineEdit(), "zoe")
    assert column_texts(panel.table.view, "Worker") == ["Zoë Łukasiewicz"] * 2

    panel.person.setCurrentIndex(panel.person.findText("Sam Okafor"))
    assert column_texts(panel.table.view, "Worker") == ["Sam Okafor"]

    panel.person.lineEdit().selectAll()
    type_text(panel.person.lineEdit(), "Nobody Here")
    assert panel.table.message() == "No observation matches these filters."

    panel.person.setCurrentIndex(0)
    assert panel.person.currentText() == "Anyone"
    assert len(column_texts(panel.table.view, "Worker")) == 3


def test_a_date_range_narrows_the_list(panel: ObservationsPanel, history):
    panel.reload()
    assert not panel.date_from.isEnabled()

    panel.use_date_from.setChecked(True)
    assert panel.date_from.isEnabled()
    panel.date_from.setDate(QDate(2025, 3, 1))
    assert _dates(panel) == ["20/05/2025", "14/03/2025"]

    panel.use_date_to.setChecked(True)
    panel.date_to.setDate(QDate(2025, 3, 14))  # the whole of the last day counts
    assert _dates(panel) == ["14/03/2025"]

    panel.use_date_from.setChecked(False)
    assert _dates(panel) == ["14/03/2025", "10/01/2025"]
    assert panel.summary.text() == "2 observations"


def test_deleting_a_draft_asks_first_and_then_removes_it(
    services: Services, panel: ObservationsPanel, prompts: FakePrompts, observation: uuid.UUID
):
    panel.reload()
    assert not panel.delete_button.isEnabled()
    assert panel.select(observation)
    assert panel.delete_button.isEnabled()

    prompts.answers = [False]
    panel.delete_button.click()
    question = (
        "Delete this draft observation of Zoë Łukasiewicz on 14/03/2025? This cannot be undone."
    )
    assert prompts.shown == [("ask", question)]
    assert services.recording.count() == 1

    prompts.answers = [True]
    panel.delete_button.click()

    assert services.recording.count() == 0
    assert services.actions.actions() == []
    assert not panel.table.is_showing_records()
    assert "New observation…" in panel.table.message()
    assert panel.selected_id() is None


def test_a_signed_record_cannot_be_deleted(
    services: Services, panel: ObservationsPanel, prompts: FakePrompts, observation: uuid.UUID
):
    _signed(services, observation)
    panel.reload()
    panel.select(observation)

    assert panel.open_button.isEnabled()
    assert not panel.delete_button.isEnabled()
    assert "Signed records cannot be deleted" in panel.delete_button.toolTip()


def test_a_record_signed_elsewhere_meanwhile_is_not_deleted_and_says_why(
    services: Services, panel: ObservationsPanel, prompts: FakePrompts, observation: uuid.UUID
):
    panel.reload()
    panel.select(observation)
    _signed(services, observation)  # on another window, after this list was loaded

    prompts.answers = [True]
    panel.delete_button.click()

    assert prompts.shown[-1] == ("error", "A signed observation cannot be deleted.")
    assert services.recording.count() == 1
    assert column_texts(panel.table.view, "Status") == ["Signed"]
    assert not panel.delete_button.isEnabled()


def test_open_and_duplicate_say_which_observation(qtbot: QtBot, panel: ObservationsPanel, history):
    panel.reload()
    assert not panel.open_button.isEnabled()
    assert not panel.duplicate_button.isEnabled()
    assert panel.new_button.isEnabled()
    with qtbot.waitSignal(panel.new_requested):
        panel.new_button.click()

    assert panel.select(history["january"])
    assert panel.selected_id() == history["january"]
    with qtbot.waitSignal(panel.open_requested) as opened:
        qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [history["january"]]
    with qtbot.waitSignal(panel.duplicate_requested) as duplicated:
        qtbot.mouseClick(panel.duplicate_button, Qt.MouseButton.LeftButton)
    assert duplicated.args == [history["january"]]

    view = panel.table.view
    row = _dates(panel).index("20/05/2025")
    where = view.visualRect(view.model().index(row, 1)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    with qtbot.waitSignal(panel.open_requested) as double_clicked:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert double_clicked.args == [history["may"]]

    panel.select(history["march"])
    view.setFocus()
    with qtbot.waitSignal(panel.open_requested) as entered:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert entered.args == [history["march"]]


def test_the_selection_survives_a_change_of_filter_that_keeps_it(panel: ObservationsPanel, history):
    panel.reload()
    panel.select(history["march"])
    panel.kind.setCurrentIndex(panel.kind.findData(Kind.HOME_VISIT.value))
    assert panel.selected_id() == history["march"]
    panel.kind.setCurrentIndex(panel.kind.findData(Kind.SUPERVISION_INDIVIDUAL.value))
    assert panel.selected_id() is None
    assert not panel.open_button.isEnabled()
    assert not panel.select(history["march"])


@uses_popup
def test_export_summaries_offers_exactly_the_observations_shown(
    qtbot: QtBot, panel: ObservationsPanel, history
):
    panel.reload()
    panel.person.setCurrentIndex(panel.person.findText("Sam Okafor"))

    with qtbot.waitSignal(panel.export_requested) as asked:
        qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)

    assert [r.worker for r in asked.args[0]] == ["Sam Okafor"]
    panel.person.lineEdit().selectAll()
    type_text(panel.person.lineEdit(), "Nobody Here")
    assert not panel.export_button.isEnabled()
